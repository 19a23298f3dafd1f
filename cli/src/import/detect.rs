//! Recognizing an export by its shape, so that a file given to the wrong importer (an Okta
//! users export to `github-members`) is refused with what it looks like and the command
//! that imports it, rather than with a confusing missing field.

use serde_json::Value;

/// What a file looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `aws iam get-credential-report` (CSV).
    AwsCredentialReport,
    /// `aws iam get-account-authorization-details` (JSON).
    AwsAuthorizationDetails,
    /// Okta's `/api/v1/users` (JSON).
    OktaUsers,
    /// GitHub's `GET /orgs/{org}/members` (JSON).
    GithubMembers,
    /// The Google Workspace Admin console's user list (CSV).
    GoogleWorkspaceUsers,
    /// A facts document (JSON).
    Facts,
}

impl Kind {
    /// What the kind is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::AwsCredentialReport => "an AWS IAM credential report",
            Kind::AwsAuthorizationDetails => {
                "an AWS account authorization details export (for --admins)"
            }
            Kind::OktaUsers => "an Okta users export (/api/v1/users)",
            Kind::GithubMembers => "a GitHub organization members list (GET /orgs/{org}/members)",
            Kind::GoogleWorkspaceUsers => "a Google Workspace user list",
            Kind::Facts => "a facts document",
        }
    }

    /// How to use such a file, when Attest imports it.
    fn advice(self) -> &'static str {
        match self {
            Kind::AwsCredentialReport => {
                "; import it with `attest import aws-iam-credential-report`"
            }
            Kind::AwsAuthorizationDetails => {
                "; give it to `attest import aws-iam-credential-report` as --admins"
            }
            Kind::OktaUsers => "; import it with `attest import okta-users`",
            Kind::GithubMembers => "; import it with `attest import github-members`",
            Kind::GoogleWorkspaceUsers => "; import it with `attest import google-workspace-users`",
            Kind::Facts => "; it needs no import: give it to `attest eval` as it is",
        }
    }
}

/// The kind of a file's text, when it is one Attest knows.
pub fn kind(text: &str) -> Option<Kind> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('[') || text.starts_with('{') {
        let value: Value = serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .next()?
            .ok()?;
        return json_kind(&value);
    }
    let header = text.lines().next()?;
    if header.contains("Email Address [Required]") {
        return Some(Kind::GoogleWorkspaceUsers);
    }
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    if columns.contains(&"arn") && columns.contains(&"mfa_active") {
        return Some(Kind::AwsCredentialReport);
    }
    None
}

fn json_kind(value: &Value) -> Option<Kind> {
    match value {
        Value::Object(o) if o.contains_key("UserDetailList") => Some(Kind::AwsAuthorizationDetails),
        Value::Object(o) if o.contains_key("schema_version") || o.contains_key("accounts") => {
            Some(Kind::Facts)
        }
        Value::Array(items) => {
            let first = items.iter().find_map(|i| match i {
                // `gh api --paginate --slurp` wraps each page in an array.
                Value::Array(page) => page.first(),
                other => Some(other),
            })?;
            if first.get("profile").is_some() && first.get("status").is_some() {
                Some(Kind::OktaUsers)
            } else if first.get("login").is_some()
                && (first.get("node_id").is_some() || first.get("html_url").is_some())
            {
                Some(Kind::GithubMembers)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The message for a file given as `expected` that is another kind of file: what it looks
/// like and how to use it. `None` when it is not recognized, or is what was expected.
pub fn wrong_source(text: &str, expected: Kind) -> Option<String> {
    let found = kind(text).filter(|k| *k != expected)?;
    Some(format!(
        "this is {}, not {}{}",
        found.describe(),
        expected.describe(),
        found.advice()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_recognized_by_their_shape() {
        let cases = [
            (
                "user,arn,user_creation_time,mfa_active\n",
                Some(Kind::AwsCredentialReport),
            ),
            (
                "\u{feff}First Name [Required],Last Name [Required],Email Address [Required]\n",
                Some(Kind::GoogleWorkspaceUsers),
            ),
            (
                r#"[{"id": "00u1", "status": "ACTIVE", "profile": {}}]"#,
                Some(Kind::OktaUsers),
            ),
            (
                r#"[{"login": "octocat", "node_id": "MDQ6"}]"#,
                Some(Kind::GithubMembers),
            ),
            (
                r#"[[{"login": "octocat", "html_url": "h"}]]"#,
                Some(Kind::GithubMembers),
            ),
            (
                r#"[{"login": "a", "node_id": "x"}][{"login": "b", "node_id": "y"}]"#,
                Some(Kind::GithubMembers),
            ),
            (
                r#"{"UserDetailList": []}"#,
                Some(Kind::AwsAuthorizationDetails),
            ),
            (r#"{"schema_version": "1"}"#, Some(Kind::Facts)),
            ("name,email\n", None),
            ("[]", None),
            ("not json {", None),
        ];
        for (text, want) in cases {
            assert_eq!(kind(text), want, "{text}");
        }
        assert_eq!(
            wrong_source(
                r#"[{"status": "ACTIVE", "profile": {}}]"#,
                Kind::GithubMembers
            )
            .unwrap(),
            "this is an Okta users export (/api/v1/users), not a GitHub organization members list (GET /orgs/{org}/members); import it with `attest import okta-users`"
        );
        assert_eq!(
            wrong_source("user,arn,mfa_active\n", Kind::AwsCredentialReport),
            None
        );
    }
}
