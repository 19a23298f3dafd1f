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
//! - `mfa` is `mfa_active`; `created_on` the date of `user_creation_time`, which AWS writes
//!   for every user (one that is not a date is refused); `last_login_on` the latest of
//!   `password_last_used` and the access keys' `access_key_N_last_used_date`. The report
//!   writes `N/A` (never, or no such credential), `no_information` (used before AWS tracked
//!   it) and `not_supported` (the root user's password fields) where there is no date: none
//!   of them is a date. An empty last-used cell is none of them either: it is refused, not
//!   taken for "never used".
//! - `password_enabled` (`not_supported` for the root user), `mfa_active`,
//!   `access_key_N_active` and `cert_N_active` are TRUE or FALSE; anything else is refused.
//! - `privileged` comes from `--admins`: user names, or the JSON of
//!   `aws iam get-account-authorization-details`, whose users with a policy allowing every
//!   action, or every IAM action, on every resource ([`administrator_grant`]; attached to
//!   the user or one of its groups, managed or inline) are privileged. The judgment is
//!   conservative (`NotAction`, `NotResource`, a `Condition`, `Deny` statements, a
//!   permissions boundary are not taken to allow less) and says on stderr where it was.

use super::accounts::{Account, Options};
use super::identity::Linker;
use super::pages::{self, Item};
use super::records::{Place, Record};
use super::table::{Row, Table};
use super::{Input, Problem, dates, detect};
use attest_engine::place::{At, json_offset_at};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

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
            return Err(table.problem(
                row,
                user,
                "`user` is empty: expected the IAM user's name (`<root_account>` for the root user), the account's username",
            ));
        }
        let root = name == ROOT;
        let has_password = if root {
            // AWS writes `not_supported` there for the root user, whose password the
            // report does not describe.
            let text = cell(password);
            if text != "not_supported" {
                return Err(table.problem(
                    row,
                    password,
                    format!(
                        "`{text}` in `password_enabled` of the root user: expected not_supported, which AWS writes there for the root user"
                    ),
                ));
            }
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
        let created_on = creation(&table, row, created)?;
        let account = Account {
            username: name.to_owned(),
            aliases: Vec::new(),
            human: has_password,
            privileged: root.then_some(true),
            mfa: Some(flag(&table, row, mfa, "mfa_active")?),
            active,
            created_on: Some(created_on.to_string()),
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

/// A `TRUE`/`FALSE` cell (any case): what AWS writes in `password_enabled` (of users other
/// than the root user), `mfa_active`, `access_key_N_active` and `cert_N_active`. Anything
/// else (`N/A`, `not_supported`, empty) is refused: read as false, it would make a user a
/// disabled service account.
fn flag(table: &Table<'_>, row: &Row, i: usize, column: &str) -> Result<bool, Problem> {
    let text = row.cells.get(i).map_or("", |c| c.trim());
    if text.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(table.problem(
            row,
            i,
            format!("`{text}` in `{column}` is not TRUE or FALSE, which AWS writes in this column"),
        ))
    }
}

/// The texts AWS writes in a last-used column where there is no date: `N/A` (never, or no
/// such credential), `no_information` (used before AWS tracked it), `not_supported` (the
/// root user's password fields).
const NO_DATE: [&str; 3] = ["N/A", "no_information", "not_supported"];

/// A last-used cell (`password_last_used`, `access_key_N_last_used_date`): its date as
/// written, or `None` for one of [`NO_DATE`]. An empty cell is refused, as anything else
/// that is not a date: AWS writes one of those where there is no date, and an empty cell
/// read as "never used" would say the account never logged in (`access.inactive-accounts`
/// judges it by its creation date then) on the word of a truncated or edited report.
fn date(table: &Table<'_>, row: &Row, i: usize) -> Result<Option<jiff::civil::Date>, Problem> {
    let text = row.cells.get(i).map_or("", |c| c.trim());
    if NO_DATE.contains(&text) {
        return Ok(None);
    }
    let column = &table.columns[i];
    dates::iso(text).map(Some).ok_or_else(|| {
        let expected = "expected an ISO 8601 date-time such as 2026-06-28T14:03:11+00:00, or N/A, no_information or not_supported";
        let message = match text.is_empty() {
            true => format!(
                "`{column}` is empty: {expected}, which AWS writes where there is no date; an empty cell is not taken for \"never used\""
            ),
            false => format!("`{text}` in `{column}` is not a date: {expected}"),
        };
        table.problem(row, i, message)
    })
}

/// `user_creation_time`: its date as written. AWS writes when every user was created: a
/// report without it (empty, `N/A`, `no_information`) would drop the user out of the rules
/// on new accounts (`access.grant-approval`), unseen, so anything but a date is refused.
fn creation(table: &Table<'_>, row: &Row, i: usize) -> Result<jiff::civil::Date, Problem> {
    let text = row.cells.get(i).map_or("", |c| c.trim());
    dates::iso(text).ok_or_else(|| {
        let found = match text.is_empty() {
            true => "`user_creation_time` is empty".to_owned(),
            false => format!("`{text}` in `user_creation_time` is not a date"),
        };
        table.problem(
            row,
            i,
            format!(
                "{found}: expected an ISO 8601 date-time such as 2026-06-28T14:03:11+00:00, which AWS writes for every user; an account without it would drop out of the rules on new accounts (access.grant-approval)"
            ),
        )
    })
}

/// The users `aws iam get-account-authorization-details` shows with administrator access,
/// and notes on those judged so conservatively: a policy that [`administrator_grant`] finds
/// granting it (inline, or managed: a customer managed policy's default version, or an AWS
/// managed one such as `AdministratorAccess` or `IAMFullAccess`), attached to the user or to
/// one of its groups. A user some policy grants it exactly has no note. `details` is `input`
/// parsed. What cannot be judged is an error at its place in `input`, naming the user: a
/// list of the wrong type, a user without its name, a group or managed policy a user refers
/// to that the file does not hold (a partial export, `--filter User`), a policy document
/// that cannot be read. None of them is taken for "not an administrator".
pub fn administrators(details: &Value, input: &Input) -> Result<Administrators, Problem> {
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
    let index = |items: &[Value], key: &str| -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(name) = item.get(key).and_then(Value::as_str) {
                out.entry(name.to_owned()).or_insert(i);
            }
        }
        out
    };
    let policies = list("Policies")?;
    let groups = list("GroupDetailList")?;
    let file = Details {
        input,
        start,
        policies: index(policies, "Arn"),
        policy_list: policies,
        groups: index(groups, "GroupName"),
        group_list: groups,
        notes: RefCell::default(),
        exact: Cell::default(),
    };
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
        let who = format!("user `{name}`");
        let noted = file.notes.borrow().len();
        file.exact.set(false);
        // Every group and policy is judged, so that a file that lacks one is refused
        // whatever else the user holds.
        let mut admin = file.holds_administrator(user, &item.pointer, "UserPolicyList", &who)?;
        for (j, group) in file
            .array(user, &item.pointer, "GroupList", &who)?
            .iter()
            .enumerate()
        {
            let at = format!("{}/GroupList/{j}", item.pointer);
            let Some(group) = group.as_str() else {
                return Err(file.problem(
                    &at,
                    format!(
                        "{who} ({at}): a group of `GroupList` is {}: expected a string, the group's name",
                        pages::found(group)
                    ),
                ));
            };
            let Some(&g) = file.groups.get(group) else {
                return Err(file.problem(
                    &at,
                    format!(
                        "{who} ({at}) is in the group `{group}`, which the file's `GroupDetailList` does not have: {WHOLE}"
                    ),
                ));
            };
            let pointer = format!("/GroupDetailList/{g}");
            let holder = format!("the group `{group}` ({pointer}) of {who}");
            admin |= file.holds_administrator(
                &file.group_list[g],
                &pointer,
                "GroupPolicyList",
                &holder,
            )?;
        }
        if file.exact.get() {
            // The notes on this user's other grants decide nothing.
            file.notes.borrow_mut().truncate(noted);
        }
        if admin {
            file.note_boundary(user, &item.pointer, &who);
            out.insert(name.to_owned());
        }
    }
    Ok(Administrators {
        names: out,
        notes: file.notes.into_inner(),
    })
}

/// The users of an authorization details file with administrator access.
#[derive(Debug)]
pub struct Administrators {
    /// Their names.
    pub names: BTreeSet<String>,
    /// Lines for stderr, each ending in a newline: what was counted as administrator access
    /// without being read exactly (`NotAction`, `NotResource`, a `Condition`, `Deny`
    /// statements beside the grant, a permissions boundary), naming the user and the policy.
    pub notes: Vec<String>,
}

/// What the refusal of a group or policy the file lacks expects.
const WHOLE: &str = "expected the details of every group and managed policy a user has, as `aws iam get-account-authorization-details` writes them without `--filter`; whether it grants administrator access is not guessed";

/// The parts of an authorization details file that users refer to, by name and ARN.
struct Details<'a> {
    input: &'a Input,
    /// Where the object the file opens with starts.
    start: usize,
    policies: BTreeMap<String, usize>,
    policy_list: &'a [Value],
    groups: BTreeMap<String, usize>,
    group_list: &'a [Value],
    /// What was judged conservatively ([`Administrators::notes`]).
    notes: RefCell<Vec<String>>,
    /// Whether a policy of the user being judged grants administrator access exactly.
    exact: Cell<bool>,
}

impl Details<'_> {
    /// A problem at the value the JSON Pointer `pointer` names.
    fn problem(&self, pointer: &str, message: String) -> Problem {
        let text = &self.input.text;
        let offset = json_offset_at(text, pointer, At::Value).unwrap_or(self.start);
        Problem::at_offset(&self.input.name, text, offset, message)
    }

    /// The array `key` of `holder` (at `pointer`, named `who` in messages): none when
    /// absent, an error when it is not an array.
    fn array<'v>(
        &self,
        holder: &'v Value,
        pointer: &str,
        key: &str,
        who: &str,
    ) -> Result<&'v [Value], Problem> {
        match holder.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => {
                let at = format!("{pointer}/{key}");
                Err(self.problem(
                    &at,
                    format!(
                        "{who} ({at}): `{key}` is {}: expected an array",
                        pages::found(other)
                    ),
                ))
            }
        }
    }

    /// Whether the policies of `holder` (a user or a group, at `pointer`, named `who` in
    /// messages), managed (`AttachedManagedPolicies`) and inline (`inline`), grant
    /// administrator access. Every one is judged.
    fn holds_administrator(
        &self,
        holder: &Value,
        pointer: &str,
        inline: &str,
        who: &str,
    ) -> Result<bool, Problem> {
        let mut admin = false;
        let attached = self.array(holder, pointer, "AttachedManagedPolicies", who)?;
        for (j, policy) in attached.iter().enumerate() {
            let at = format!("{pointer}/AttachedManagedPolicies/{j}/PolicyArn");
            let Some(arn) = policy.get("PolicyArn").and_then(Value::as_str) else {
                return Err(self.problem(
                    &format!("{pointer}/AttachedManagedPolicies/{j}"),
                    format!(
                        "{who} ({at}): an attached policy without a `PolicyArn` string: expected the policy's ARN"
                    ),
                ));
            };
            admin |= self.managed(arn, &at, who)?;
        }
        for (j, policy) in self.array(holder, pointer, inline, who)?.iter().enumerate() {
            let at = format!("{pointer}/{inline}/{j}/PolicyDocument");
            let name = policy
                .get("PolicyName")
                .and_then(Value::as_str)
                .unwrap_or("?");
            let document = policy.get("PolicyDocument").unwrap_or(&Value::Null);
            let document = policy_document(document).map_err(|why| {
                self.problem(
                    &at,
                    format!("the inline policy `{name}` of {who} ({at}) cannot be read: {why}"),
                )
            })?;
            let named = format!("the inline policy `{name}` of {who} ({at})");
            admin |= self.judge(&document, &named);
        }
        Ok(admin)
    }

    /// Whether `document`, the policy named `policy` in notes, grants administrator access
    /// ([`administrator_grant`]), noting what was counted without being read exactly.
    fn judge(&self, document: &Value, policy: &str) -> bool {
        let Some(unread) = administrator_grant(document) else {
            return false;
        };
        if unread.is_empty() {
            self.exact.set(true);
        } else {
            self.notes.borrow_mut().push(format!(
                "--admins: {policy} is counted as granting administrator access, judged conservatively: {}\n",
                unread.join("; ")
            ));
        }
        true
    }

    /// Notes the permissions boundary of `user` (at `pointer`, named `who`), an
    /// administrator by its policies: the boundary is not read, and may allow less.
    fn note_boundary(&self, user: &Value, pointer: &str, who: &str) {
        let Some(boundary) = user.get("PermissionsBoundary").filter(|b| !b.is_null()) else {
            return;
        };
        let arn = boundary
            .get("PermissionsBoundaryArn")
            .and_then(Value::as_str)
            .map(|arn| format!(" `{arn}`"))
            .unwrap_or_default();
        self.notes.borrow_mut().push(format!(
            "--admins: {who} ({pointer}/PermissionsBoundary) has the permissions boundary{arn}, which is not read: the user is counted as an administrator by its policies alone, though the boundary may allow less\n"
        ));
    }

    /// Whether the managed policy `arn`, attached at `at` to `who`, grants administrator
    /// access: its default version in the file's `Policies`, or, for the AWS managed
    /// policies whose document is known, that document.
    fn managed(&self, arn: &str, at: &str, who: &str) -> Result<bool, Problem> {
        let Some(&i) = self.policies.get(arn) else {
            return match aws_managed(arn) {
                Some(document) => Ok(administrator_grant(&document).is_some()),
                None => Err(self.problem(
                    at,
                    format!(
                        "the policy `{arn}` of {who} ({at}) is not in the file's `Policies`: {WHOLE}"
                    ),
                )),
            };
        };
        let versions = self.policy_list[i]
            .get("PolicyVersionList")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let default = versions
            .iter()
            .position(|v| v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true));
        let pointer = format!("/Policies/{i}");
        let Some(v) = default else {
            return Err(self.problem(
                &pointer,
                format!(
                    "the policy `{arn}` ({pointer}) of {who} has no default version (`PolicyVersionList` with `IsDefaultVersion` true): expected its document, as `aws iam get-account-authorization-details` writes it"
                ),
            ));
        };
        let at = format!("{pointer}/PolicyVersionList/{v}/Document");
        let document = versions[v].get("Document").unwrap_or(&Value::Null);
        let document = policy_document(document).map_err(|why| {
            self.problem(
                &at,
                format!("the policy `{arn}` of {who} ({at}) cannot be read: {why}"),
            )
        })?;
        Ok(self.judge(&document, &format!("the policy `{arn}` of {who} ({at})")))
    }
}

/// The document of the AWS managed policy `arn` (in any partition) when it is one whose
/// document is known to grant administrator access: `AdministratorAccess` (every action) and
/// `IAMFullAccess` (every IAM action: whoever holds it can grant themselves the rest).
fn aws_managed(arn: &str) -> Option<Value> {
    let (partition, name) = arn.strip_prefix("arn:")?.split_once(":iam::aws:policy/")?;
    if !partition.starts_with("aws") {
        return None;
    }
    let action = match name {
        "AdministratorAccess" => "*",
        "IAMFullAccess" => "iam:*",
        _ => return None,
    };
    Some(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]
    }))
}

/// A policy document as the file holds it: an object, its JSON text, or that text
/// URL-encoded (RFC 3986), as the IAM API itself returns it (`%7B%22Version%22...`; the AWS
/// CLI decodes it). What is wrong, else.
fn policy_document(document: &Value) -> Result<Value, String> {
    let expected =
        "expected a policy document: a JSON object, or its JSON text (URL-encoded or not)";
    match document {
        Value::Object(_) => Ok(document.clone()),
        Value::String(text) => {
            let decoded;
            let json = match text.trim_start().starts_with('{') {
                true => text.as_str(),
                false => {
                    decoded = percent_encoding::percent_decode_str(text)
                        .decode_utf8()
                        .map_err(|_| format!("its URL-encoded text is not UTF-8: {expected}"))?;
                    &decoded
                }
            };
            match attest_engine::facts::parse_json(json) {
                Ok(value @ Value::Object(_)) => Ok(value),
                Ok(other) => Err(format!("it is {}: {expected}", pages::found(&other))),
                Err(e) => Err(format!(
                    "it is not JSON ({}): {expected}",
                    attest_engine::facts::json_message(&e)
                )),
            }
        }
        other => Err(format!("it is {}: {expected}", pages::found(other))),
    }
}

/// Whether a policy document grants administrator access: `None` when it does not, else
/// what of the granting statement was counted without being read exactly (empty when
/// nothing). The one judge of inline and managed documents alike.
///
/// A statement grants it when its `Effect` is `Allow`, its actions are every action (`*`)
/// or every IAM action (`iam:*`, with which one can grant oneself the rest), and its
/// resources every resource (`*`). The judgment is conservative, never taking a grant for
/// less than it may be: `NotAction` (every action but those listed, unless it lists `*`)
/// counts as every action, `NotResource` (unless it lists `*`) as every resource, a
/// `Condition` is not read (judged as though it held), nor are `Deny` statements. Each of
/// these is named in what is returned. Narrow grants (`iam:Get*`, one bucket) are not
/// administrator access.
pub fn administrator_grant(document: &Value) -> Option<Vec<&'static str>> {
    let statements: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(s)) => s.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut grants: Vec<Vec<&'static str>> = statements
        .iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .filter_map(|s| statement_grant(s))
        .collect();
    // The statement read most exactly is the one named.
    grants.sort_by_key(Vec::len);
    let mut unread = grants.into_iter().next()?;
    if statements
        .iter()
        .any(|s| s.get("Effect").and_then(Value::as_str) == Some("Deny"))
    {
        unread.push("its `Deny` statements are not read");
    }
    Some(unread)
}

/// Whether an `Allow` statement grants administrator access ([`administrator_grant`]), and
/// what of it was not read exactly.
fn statement_grant(statement: &Value) -> Option<Vec<&'static str>> {
    let any = |key: &str, matches: &dyn Fn(&str) -> bool| match statement.get(key) {
        Some(Value::String(s)) => matches(s),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    };
    // Given, and not listing `*` (which would leave nothing).
    let all_but = |key: &str| statement.get(key).is_some() && !any(key, &|v| v == "*");
    let mut unread = Vec::new();
    let every_action = |a: &str| a == "*" || a.eq_ignore_ascii_case("iam:*");
    if !any("Action", &every_action) {
        if !all_but("NotAction") {
            return None;
        }
        unread.push("`NotAction` allows every action but those it lists");
    }
    if !any("Resource", &|r| r == "*") {
        if !all_but("NotResource") {
            return None;
        }
        unread.push("`NotResource` allows every resource but those it lists");
    }
    if statement.get("Condition").is_some() {
        unread.push("its `Condition` is not read (judged as though it held)");
    }
    Some(unread)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Result<BTreeSet<String>, Problem> {
        let input = Input::new("d.json".to_owned(), text.to_owned());
        administrators(&serde_json::from_str(text).unwrap(), &input).map(|a| a.names)
    }

    /// A customer managed policy of the file, whose default version is `document`.
    fn policy(arn: &str, document: Value) -> Value {
        json!({"Arn": arn, "PolicyVersionList": [
            {"IsDefaultVersion": false, "Document": {"Statement": []}},
            {"IsDefaultVersion": true, "Document": document}]})
    }

    #[test]
    fn administrators_come_from_policies_of_users_and_groups() {
        let everything =
            json!({"Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]});
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
                    {"PolicyName": "deny", "PolicyDocument": "{\"Statement\": {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\"}}"}]},
                // Inline `iam:*` on `*` is what the managed IAMFullAccess is.
                {"UserName": "frank", "GroupList": [], "UserPolicyList": [
                    {"PolicyName": "iam", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "IAM:*", "Resource": "*"}}}]},
                // The raw IAM API's URL-encoded document (Allow * on *), decoded.
                {"UserName": "gina", "GroupList": [], "UserPolicyList": [
                    {"PolicyName": "raw", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}]},
                // An admin through a group's customer managed policy.
                {"UserName": "hugo", "GroupList": ["Ops"]},
                {"UserName": "ivan", "GroupList": ["Readers"], "UserPolicyList": [
                    {"PolicyName": "one-bucket", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:s3:::b"}]}}]}
            ],
            "GroupDetailList": [
                {"GroupName": "Admins", "AttachedManagedPolicies": [
                    {"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
                {"GroupName": "Readers", "AttachedManagedPolicies": [
                    {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]},
                {"GroupName": "Ops", "AttachedManagedPolicies": [
                    {"PolicyArn": "arn:aws:iam::123456789012:policy/Everything"}]}
            ],
            "Policies": [
                policy("arn:aws:iam::123456789012:policy/Everything", everything),
                policy("arn:aws:iam::aws:policy/ReadOnlyAccess",
                    json!({"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "iam:Get*"], "Resource": "*"}]}))
            ]
        });
        let admins = read(&details.to_string()).unwrap();
        assert_eq!(
            admins.into_iter().collect::<Vec<_>>(),
            ["alice", "bob", "carol", "dave", "frank", "gina", "hugo"]
        );
        let bad = read("{\"UserDetailList\": [{\"UserName\": \"a\"},\n  {\"GroupList\": []}]}");
        assert_eq!(
            bad.unwrap_err().to_string(),
            "d.json:2:3: user /UserDetailList/1 has no `UserName`: expected a string, the user's name"
        );
    }

    #[test]
    fn one_function_judges_inline_and_managed_documents() {
        // The AWS managed documents known without the file are judged by it too.
        for (arn, admin) in [
            ("arn:aws:iam::aws:policy/AdministratorAccess", true),
            ("arn:aws-us-gov:iam::aws:policy/IAMFullAccess", true),
        ] {
            assert_eq!(
                aws_managed(arn).map(|d| administrator_grant(&d).is_some()),
                Some(admin)
            );
        }
        assert!(aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess").is_none());
        assert!(aws_managed("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        let judged = |d: Value| administrator_grant(&d).is_some();
        assert!(judged(
            json!({"Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}})
        ));
        assert!(!judged(
            json!({"Statement": {"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}})
        ));
        assert!(!judged(
            json!({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})
        ));
        assert!(!judged(
            json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}})
        ));
        let doc = |v: Value| policy_document(&v);
        assert!(doc(json!("%7B%22Statement%22%3A%5B%5D%7D")).is_ok());
        assert!(doc(json!("{\"Statement\": []}")).is_ok());
        let err = doc(json!("%7B%22Statement")).unwrap_err();
        assert!(err.starts_with("it is not JSON ("), "{err}");
        assert!(
            doc(json!(5))
                .unwrap_err()
                .starts_with("it is 5, a number: expected a policy document")
        );
        assert!(
            doc(json!("%FF%FE"))
                .unwrap_err()
                .starts_with("its URL-encoded text is not UTF-8")
        );
    }

    #[test]
    fn what_a_grant_says_beyond_actions_and_resources_is_judged_conservatively() {
        let judged = |statement: Value| administrator_grant(&json!({"Statement": [statement]}));
        let none: Vec<&str> = Vec::new();
        // `NotAction` grants every action but those listed: PowerUserAccess's, or one that
        // leaves IAM allowed, counts; one that lists `*` allows nothing, and one on a named
        // resource is narrow.
        let not_action = "`NotAction` allows every action but those it lists";
        assert_eq!(
            judged(
                json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
            ),
            Some(vec![not_action])
        );
        assert_eq!(
            judged(json!({"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": ["*"]})),
            Some(vec![not_action])
        );
        assert_eq!(
            judged(json!({"Effect": "Allow", "NotAction": "*", "Resource": "*"})),
            None
        );
        assert_eq!(
            judged(
                json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b/*"})
            ),
            None
        );
        assert_eq!(
            judged(json!({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})),
            None
        );
        // `NotResource` grants every resource but those listed.
        assert_eq!(
            judged(json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::logs/*"})),
            Some(vec![
                "`NotResource` allows every resource but those it lists"
            ])
        );
        assert_eq!(
            judged(json!({"Effect": "Allow", "Action": "*", "NotResource": "*"})),
            None
        );
        // A `Condition` is not read: the grant holds when it does.
        assert_eq!(
            judged(json!({"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})),
            Some(vec![
                "its `Condition` is not read (judged as though it held)"
            ])
        );
        // A `Deny` beside the grant is not read either; the exact grant is the one named.
        let document = json!({"Statement": [
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]});
        assert_eq!(
            administrator_grant(&document),
            Some(vec!["its `Deny` statements are not read"])
        );
        assert_eq!(
            judged(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            Some(none)
        );
    }

    #[test]
    fn what_was_judged_conservatively_is_noted_with_the_user_and_the_policy() {
        let details = json!({"UserDetailList": [
            {"UserName": "ana", "UserPolicyList": [{"PolicyName": "most",
                "PolicyDocument": {"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}}]},
            {"UserName": "ben", "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/Limit"},
                "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
            // A policy granting it exactly leaves the other grants nothing to decide.
            {"UserName": "dan", "UserPolicyList": [
                {"PolicyName": "most", "PolicyDocument": {"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}},
                {"PolicyName": "all", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}]},
            // A boundary on a user who is no administrator changes nothing: not noted.
            {"UserName": "cai", "PermissionsBoundary": {"PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/Limit"}}
        ]});
        let text = details.to_string();
        let input = Input::new("d.json".to_owned(), text);
        let judged = administrators(&details, &input).unwrap();
        assert_eq!(
            judged.names.iter().collect::<Vec<_>>(),
            ["ana", "ben", "dan"]
        );
        assert_eq!(
            judged.notes,
            [
                "--admins: the inline policy `most` of user `ana` (/UserDetailList/0/UserPolicyList/0/PolicyDocument) is counted as granting administrator access, judged conservatively: `NotAction` allows every action but those it lists\n",
                "--admins: user `ben` (/UserDetailList/1/PermissionsBoundary) has the permissions boundary `arn:aws:iam::123456789012:policy/Limit`, which is not read: the user is counted as an administrator by its policies alone, though the boundary may allow less\n",
            ]
        );
    }

    #[test]
    fn what_a_user_refers_to_and_the_file_lacks_is_refused_where_it_is_named() {
        let err = |details: Value| {
            read(&serde_json::to_string_pretty(&details).unwrap())
                .unwrap_err()
                .to_string()
        };
        // A partial export (`--filter User`): the user's group is not in the file.
        assert_eq!(
            err(json!({"UserDetailList": [{"UserName": "ana", "GroupList": ["Admins"]}]})),
            format!(
                "d.json:6:9: user `ana` (/UserDetailList/0/GroupList/0) is in the group `Admins`, which the file's `GroupDetailList` does not have: {WHOLE}"
            )
        );
        // A customer managed policy of the user that `Policies` lacks.
        let arn = "arn:aws:iam::123456789012:policy/Ops";
        assert_eq!(
            err(
                json!({"UserDetailList": [{"UserName": "ana", "AttachedManagedPolicies": [{"PolicyArn": arn}]}],
                       "Policies": []})
            ),
            format!(
                "d.json:7:24: the policy `{arn}` of user `ana` (/UserDetailList/0/AttachedManagedPolicies/0/PolicyArn) is not in the file's `Policies`: {WHOLE}"
            )
        );
        // ... or of one of its groups: the user and the group are named.
        let shown = err(
            json!({"UserDetailList": [{"UserName": "ana", "GroupList": ["Ops"]}],
                               "GroupDetailList": [{"GroupName": "Ops", "AttachedManagedPolicies": [{"PolicyArn": arn}]}]}),
        );
        assert!(
            shown.contains(&format!("the policy `{arn}` of the group `Ops` (/GroupDetailList/0) of user `ana` (/GroupDetailList/0/AttachedManagedPolicies/0/PolicyArn) is not in the file's `Policies`")),
            "{shown}"
        );
        // A document that cannot be read, inline or managed.
        let shown = err(
            json!({"UserDetailList": [{"UserName": "ana", "UserPolicyList": [
            {"PolicyName": "p", "PolicyDocument": "%7B%22Statement%22"}]}]}),
        );
        assert!(
            shown.starts_with("d.json:8:29: the inline policy `p` of user `ana` (/UserDetailList/0/UserPolicyList/0/PolicyDocument) cannot be read: it is not JSON ("),
            "{shown}"
        );
        let shown = err(
            json!({"UserDetailList": [{"UserName": "ana", "AttachedManagedPolicies": [{"PolicyArn": arn}]}],
                               "Policies": [policy(arn, json!(["Statement"]))]}),
        );
        assert!(
            shown.contains(&format!("the policy `{arn}` of user `ana` (/Policies/0/PolicyVersionList/1/Document) cannot be read: it is an array")),
            "{shown}"
        );
        let shown = err(
            json!({"UserDetailList": [{"UserName": "ana", "AttachedManagedPolicies": [{"PolicyArn": arn}]}],
                               "Policies": [{"Arn": arn, "PolicyVersionList": []}]}),
        );
        assert!(shown.contains("has no default version"), "{shown}");
    }
}
