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
    if let Some(value) = json(text) {
        return json_kind(&value);
    }
    let text = text.trim_start_matches('\u{feff}').trim_start();
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

/// The first JSON value of `text`, when it opens with one (`[` or `{`) that parses: the
/// rest is not read, so pages written one after the other count.
fn json(text: &str) -> Option<Value> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with('[') && !text.starts_with('{') {
        return None;
    }
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .next()?
        .ok()
}

/// Whether `object` is a facts document: it has `schema_version`, or a key that is a
/// collection of facts-v1 (`{"people": [...]}`, as `attest import` writes).
fn is_facts(object: &serde_json::Map<String, Value>) -> bool {
    if object.contains_key("schema_version") || object.contains_key("accounts") {
        return true;
    }
    let schema: Option<Value> = serde_json::from_str(attest_engine::facts::FACTS_SCHEMA).ok();
    let collections = schema
        .as_ref()
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    collections.is_some_and(|c| {
        object
            .iter()
            .any(|(k, v)| v.is_array() && c.get(k).is_some_and(|p| p.get("items").is_some()))
    })
}

fn json_kind(value: &Value) -> Option<Kind> {
    match value {
        Value::Object(o) if o.contains_key("UserDetailList") => Some(Kind::AwsAuthorizationDetails),
        Value::Object(o) if is_facts(o) => Some(Kind::Facts),
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

/// The message for a JSON file given to `import csv`, which reads CSV: what it is (an
/// export Attest imports, a facts document, or JSON) and what to do with it. `None` for text
/// that does not open with a JSON value.
pub fn json_given_as_csv(text: &str) -> Option<String> {
    let value = json(text)?;
    // All of it JSON (pages one after the other), not a CSV whose first cell parses.
    let mut all = serde_json::Deserializer::from_str(text.trim_start_matches('\u{feff}'))
        .into_iter::<serde::de::IgnoredAny>();
    if !all.all(|v| v.is_ok()) {
        return None;
    }
    Some(match json_kind(&value) {
        Some(found) => format!(
            "this is {}, not a CSV export for the mapping{}",
            found.describe(),
            found.advice()
        ),
        None => "this is JSON, not CSV: `import csv` reads a CSV export (a header line, then one row per record); export the data as CSV".to_owned(),
    })
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
            (r#"{"people": [{"id": "1"}]}"#, Some(Kind::Facts)),
            (r#"{"people": "x"}"#, None),
            (r#"{"rows": []}"#, None),
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

    #[test]
    fn json_given_as_csv_is_named() {
        assert_eq!(
            json_given_as_csv(r#"{"training": []}"#).unwrap(),
            "this is a facts document, not a CSV export for the mapping; it needs no import: give it to `attest eval` as it is"
        );
        assert!(
            json_given_as_csv(r#"[{"status": "ACTIVE", "profile": {}}]"#)
                .unwrap()
                .ends_with("; import it with `attest import okta-users`")
        );
        assert!(
            json_given_as_csv("\u{feff} [{\"Employee #\": \"1001\"}]")
                .unwrap()
                .starts_with("this is JSON, not CSV")
        );
        // CSV, also a header that opens with a bracket, is CSV.
        assert_eq!(json_given_as_csv("ID,Name\n1,Ana\n"), None);
        assert_eq!(json_given_as_csv("[ID],Name\n1,Ana\n"), None);
        assert_eq!(json_given_as_csv("[1],Name\n1,Ana\n"), None);
    }
}
