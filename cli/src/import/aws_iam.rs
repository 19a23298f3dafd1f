//! `aws-iam-credential-report`: the CSV of `aws iam get-credential-report` (its `Content`,
//! base64-decoded), one row per IAM user and one for the account's root user.
//!
//! - `user` is the username; the root user's row says `<root_account>`: it becomes a
//!   privileged, shared account (nobody's own), always active.
//! - A user with a console password (`password_enabled` true) is a person's (`human`); one
//!   without is a service account, unless its name is a person's email or the identity map
//!   links it to someone.
//! - `status` is `active` when the user can sign in or call the API: a password, or an
//!   active access key or signing certificate; `disabled` otherwise.
//! - `mfa` is `mfa_active`; `created_on` the date of `user_creation_time`;
//!   `last_login_on` the latest of `password_last_used` and the access keys'
//!   `access_key_N_last_used_date`. The report writes `N/A` (never, or no such
//!   credential), `no_information` (used before AWS tracked it) and `not_supported` (the
//!   root user's password fields) where there is no date: none of them is a date.
//! - `privileged` comes from `--admins`: user names, or the JSON of
//!   `aws iam get-account-authorization-details`, whose users with `AdministratorAccess` or
//!   `IAMFullAccess`, or a policy allowing every action on every resource (attached to the
//!   user or one of its groups, managed or inline), are privileged.

use super::accounts::{Account, Options};
use super::identity::Linker;
use super::pages::{self, Item};
use super::records::{Place, Record};
use super::table::{Row, Table};
use super::{Input, Problem, dates, detect};
use serde_json::Value;
use std::collections::BTreeSet;

/// The columns the importer reads; the report has more (`password_last_changed`,
/// `access_key_1_last_rotated`, ...), which it leaves.
const REQUIRED: [&str; 8] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "mfa_active",
    "access_key_1_active",
    "access_key_2_active",
];

/// The root user's name in the report.
const ROOT: &str = "<root_account>";

/// Imports a credential report.
pub fn import(
    input: &Input,
    options: &Options,
    linker: &mut Linker<'_>,
) -> Result<Vec<Record>, Problem> {
    let table = Table::parse(input, b',').map_err(|e| wrong_source(input).unwrap_or(e))?;
    let columns = match table.require(REQUIRED) {
        Ok(c) => c,
        Err(e) => return Err(wrong_source(input).unwrap_or(e)),
    };
    table.require_rows("user")?;
    let [
        user,
        _arn,
        created,
        password,
        password_used,
        mfa,
        key1,
        key2,
    ] = columns;
    let key_used = [
        table.column("access_key_1_last_used_date")?,
        table.column("access_key_2_last_used_date")?,
    ];
    let certs = [
        table.column("cert_1_active")?,
        table.column("cert_2_active")?,
    ];
    let mut out = Vec::new();
    for row in &table.rows {
        let cell = |i: usize| row.cells.get(i).map_or("", |c| c.trim());
        let name = cell(user);
        if name.is_empty() {
            return Err(table.problem(row, user, "`user` is empty"));
        }
        let root = name == ROOT;
        let has_password = if root {
            false
        } else {
            flag(&table, row, password, "password_enabled")?
        };
        let mut active = root || has_password;
        for i in [Some(key1), Some(key2), certs[0], certs[1]]
            .into_iter()
            .flatten()
        {
            active |= flag(&table, row, i, &table.columns[i])?;
        }
        let mut last: Option<jiff::civil::Date> = None;
        for i in [Some(password_used), key_used[0], key_used[1]]
            .into_iter()
            .flatten()
        {
            if let Some(d) = date(&table, row, i)? {
                last = last.max(Some(d));
            }
        }
        let created_on = date(&table, row, created)?;
        let account = Account {
            username: name.to_owned(),
            aliases: Vec::new(),
            human: has_password,
            privileged: root.then_some(true),
            mfa: Some(flag(&table, row, mfa, "mfa_active")?),
            active,
            created_on: created_on.map(|d| d.to_string()),
            last_login_on: last.map(|d| d.to_string()),
            disabled_on: None,
            origin: Place {
                file: table.file().to_owned(),
                line: row.line,
                column: 1,
            },
            username_at: Some(table.place(row, user)),
        };
        let mut record = options.record(account, linker);
        if root && record.value.get("owner_id").is_none() && record.value.get("person_id").is_none()
        {
            // Nobody's own: the root user is the account's shared credential.
            record.set("kind", Value::from("shared"));
        }
        out.push(record);
    }
    Ok(out)
}

/// The message for a file that is another export, when it is one.
fn wrong_source(input: &Input) -> Option<Problem> {
    let message = detect::wrong_source(&input.text, detect::Kind::AwsCredentialReport)?;
    Some(Problem::file(&input.name, message))
}

/// A `TRUE`/`FALSE` cell (any case).
fn flag(table: &Table<'_>, row: &Row, i: usize, column: &str) -> Result<bool, Problem> {
    let text = row.cells.get(i).map_or("", |c| c.trim());
    if text.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("false") || text.eq_ignore_ascii_case("N/A") {
        Ok(false)
    } else {
        Err(table.problem(
            row,
            i,
            format!("`{text}` in `{column}` is not TRUE or FALSE"),
        ))
    }
}

/// A date-time cell: its date as written, or `None` for `N/A`, `no_information`,
/// `not_supported` and an empty cell.
fn date(table: &Table<'_>, row: &Row, i: usize) -> Result<Option<jiff::civil::Date>, Problem> {
    let text = row.cells.get(i).map_or("", |c| c.trim());
    if text.is_empty() || ["N/A", "no_information", "not_supported"].contains(&text) {
        return Ok(None);
    }
    dates::iso(text).map(Some).ok_or_else(|| {
        table.problem(
            row,
            i,
            format!(
                "`{text}` in `{}` is not a date: expected an ISO 8601 date-time such as 2026-06-28T14:03:11+00:00, or N/A, no_information or not_supported",
                table.columns[i]
            ),
        )
    })
}

/// The users `aws iam get-account-authorization-details` shows with administrator access:
/// a managed policy `AdministratorAccess` or `IAMFullAccess`, or a policy (inline, or a
/// customer managed policy's default version) allowing every action on every resource,
/// attached to the user or to one of its groups. `details` is `input` parsed; a list of the
/// wrong type, or a user without its name, is an error at its place in `input`.
pub fn administrators(details: &Value, input: &Input) -> Result<BTreeSet<String>, Problem> {
    let text = &input.text;
    // The object the file opens with.
    let start = text.len() - text.trim_start().len();
    let list = |key: &str| -> Result<&[Value], Problem> {
        match details.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items.as_slice()),
            Some(other) => Err(Problem::at_offset(
                &input.name,
                text,
                pages::member(text, start, key).unwrap_or(start),
                format!(
                    "`{key}` (/{key}) is {}: expected an array, as `aws iam get-account-authorization-details` writes it",
                    pages::found(other)
                ),
            )),
        }
    };
    // Customer managed policies that grant everything, by ARN.
    let mut everything: BTreeSet<&str> = BTreeSet::new();
    for policy in list("Policies")? {
        let versions = policy.get("PolicyVersionList").and_then(Value::as_array);
        let default = versions.and_then(|vs| {
            vs.iter()
                .find(|v| v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true))
        });
        if let (Some(arn), Some(doc)) = (
            policy.get("Arn").and_then(Value::as_str),
            default.and_then(|v| v.get("Document")),
        ) && grants_everything(doc)
        {
            everything.insert(arn);
        }
    }
    let admin = |holder: &Value, inline_key: &str| -> bool {
        let managed = holder
            .get("AttachedManagedPolicies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("PolicyArn").and_then(Value::as_str))
            .any(|arn| {
                arn.ends_with(":policy/AdministratorAccess")
                    || arn.ends_with(":policy/IAMFullAccess")
                    || everything.contains(arn)
            });
        let inline = holder
            .get(inline_key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("PolicyDocument"))
            .any(grants_everything);
        managed || inline
    };
    let admin_groups: BTreeSet<&str> = list("GroupDetailList")?
        .iter()
        .filter(|g| admin(g, "GroupPolicyList"))
        .filter_map(|g| g.get("GroupName").and_then(Value::as_str))
        .collect();
    let mut out = BTreeSet::new();
    let users = pages::member(text, start, "UserDetailList");
    for (i, user) in list("UserDetailList")?.iter().enumerate() {
        let item = Item {
            value: user.clone(),
            offset: users
                .and_then(|at| pages::element(text, at, i))
                .unwrap_or(start),
            pointer: format!("/UserDetailList/{i}"),
        };
        let Some(name) = pages::text(input, &item, "user", &["UserName"])? else {
            return Err(Problem::at_offset(
                &input.name,
                text,
                item.offset,
                format!(
                    "user {} has no `UserName`: expected a string, the user's name",
                    item.pointer
                ),
            ));
        };
        if name.trim().is_empty() {
            return Err(Problem::at_offset(
                &input.name,
                text,
                pages::member(text, item.offset, "UserName").unwrap_or(item.offset),
                format!(
                    "user {}/UserName: `UserName` is empty: expected the user's name",
                    item.pointer
                ),
            ));
        }
        let in_admin_group = user
            .get("GroupList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|g| admin_groups.contains(g));
        if in_admin_group || admin(user, "UserPolicyList") {
            out.insert(name.to_owned());
        }
    }
    Ok(out)
}

/// Whether a policy document (an object, or the JSON text of one) allows `*` on `*`.
fn grants_everything(document: &Value) -> bool {
    let parsed;
    let document = match document {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(_) => return false,
        },
        other => other,
    };
    let statements: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(s)) => s.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let star = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s == "*",
        Some(Value::Array(items)) => items.iter().any(|i| i == "*"),
        _ => false,
    };
    statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Allow")
            && star(s.get("Action"))
            && star(s.get("Resource"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn administrators_come_from_policies_of_users_and_groups() {
        let details = json!({
            "UserDetailList": [
                {"UserName": "alice", "GroupList": ["Admins"], "AttachedManagedPolicies": []},
                {"UserName": "bob", "GroupList": [], "AttachedManagedPolicies": [
                    {"PolicyName": "IAMFullAccess", "PolicyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}]},
                {"UserName": "carol", "GroupList": ["Readers"], "UserPolicyList": [
                    {"PolicyName": "all", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]},
                {"UserName": "dave", "GroupList": ["Readers"], "AttachedManagedPolicies": [
                    {"PolicyArn": "arn:aws:iam::123456789012:policy/Everything"}]},
                {"UserName": "erin", "GroupList": ["Readers"], "UserPolicyList": [
                    {"PolicyDocument": "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}}"}]}
            ],
            "GroupDetailList": [
                {"GroupName": "Admins", "AttachedManagedPolicies": [
                    {"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
                {"GroupName": "Readers", "AttachedManagedPolicies": [
                    {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}
            ],
            "Policies": [
                {"Arn": "arn:aws:iam::123456789012:policy/Everything", "PolicyVersionList": [
                    {"IsDefaultVersion": false, "Document": {"Statement": []}},
                    {"IsDefaultVersion": true, "Document": {"Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]}}]}
            ]
        });
        let read = |text: &str| {
            let input = Input::new("d.json".to_owned(), text.to_owned());
            administrators(&serde_json::from_str(text).unwrap(), &input)
        };
        let admins = read(&details.to_string()).unwrap();
        assert_eq!(
            admins.into_iter().collect::<Vec<_>>(),
            ["alice", "bob", "carol", "dave"]
        );
        let bad = read("{\"UserDetailList\": [{\"UserName\": \"a\"},\n  {\"GroupList\": []}]}");
        assert_eq!(
            bad.unwrap_err().to_string(),
            "d.json:2:3: user /UserDetailList/1 has no `UserName`: expected a string, the user's name"
        );
    }
}
