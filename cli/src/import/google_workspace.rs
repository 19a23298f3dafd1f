//! `google-workspace-users`: the CSV the Google Admin console downloads from Directory >
//! Users > Download users (all columns), one row per user.
//!
//! - `Email Address [Required]` is the username, and links the user to a person.
//! - `Status [READ ONLY]`: `Active` is `active`; `Suspended` and `Archived` are `disabled`.
//! - `Last Sign In [READ ONLY]`: `Never logged in`, or the time of the last sign-in, which
//!   the console writes `2026/06/28 14:03:11` (in the time zone of the admin who downloaded
//!   the file; the date is taken as written) or, with the ISO time format, as an ISO 8601
//!   date-time (the date as stated at its offset). An empty cell is refused: the console
//!   writes `Never logged in` for a user who never signed in.
//! - `mfa` (facts-v1: multi-factor authentication is enforced for the account) is true when
//!   `2sv Enforced [READ ONLY]` and `2sv Enrolled [READ ONLY]` are both `True`: a user who is
//!   enrolled where 2-Step Verification is not enforced can turn it off, and one who is
//!   not enrolled where it is may sign in without it during the new-user enrollment period.
//! - The file has no creation date: `created_on` is not filled. `privileged` comes from
//!   `--admins` (emails, one a line): the file does not say who holds an admin role.

use super::accounts::{Account, Options};
use super::identity::Linker;
use super::records::{Place, Record};
use super::table::{Row, Table};
use super::{Input, Problem, dates, detect};

const EMAIL: &str = "Email Address [Required]";
const STATUS: &str = "Status [READ ONLY]";
const LAST_SIGN_IN: &str = "Last Sign In [READ ONLY]";
const ENROLLED: &str = "2sv Enrolled [READ ONLY]";
const ENFORCED: &str = "2sv Enforced [READ ONLY]";

/// Imports a Google Workspace user list.
pub fn import(
    input: &Input,
    options: &Options,
    linker: &mut Linker<'_>,
) -> Result<Vec<Record>, Problem> {
    let wrong = || {
        detect::wrong_source(&input.text, detect::Kind::GoogleWorkspaceUsers)
            .map(|m| Problem::file(&input.name, m))
    };
    let table = Table::parse(input, b',').map_err(|e| wrong().unwrap_or(e))?;
    let [email, status, last, enrolled, enforced] = table
        .require([EMAIL, STATUS, LAST_SIGN_IN, ENROLLED, ENFORCED])
        .map_err(|e| wrong().unwrap_or(e))?;
    table.require_rows("user")?;
    let mut out = Vec::new();
    for row in &table.rows {
        let cell = |i: usize| row.cells.get(i).map_or("", |c| c.trim());
        let address = cell(email);
        if address.is_empty() {
            return Err(table.problem(
                row,
                email,
                format!(
                    "`{EMAIL}` is empty: expected the user's email address, the account's username"
                ),
            ));
        }
        let active = match cell(status) {
            "Active" => true,
            "Suspended" | "Archived" => false,
            other => {
                return Err(table.problem(
                    row,
                    status,
                    format!("`{other}` is not a status: expected Active, Suspended or Archived"),
                ));
            }
        };
        let (is_enforced, is_enrolled) = (
            flag(&table, row, enforced, ENFORCED)?,
            flag(&table, row, enrolled, ENROLLED)?,
        );
        let account = Account {
            username: address.to_owned(),
            aliases: Vec::new(),
            human: true,
            privileged: None,
            mfa: Some(is_enforced && is_enrolled),
            active,
            created_on: None,
            last_login_on: last_sign_in(&table, row, last)?,
            disabled_on: None,
            origin: Place {
                file: table.file().to_owned(),
                line: row.line,
                column: 1,
            },
            username_at: Some(table.place(row, email)),
        };
        out.push(options.record(account, linker));
    }
    Ok(out)
}

/// The `True` or `False` (any case) of the column `name`, the `i`th.
fn flag(table: &Table<'_>, row: &Row, i: usize, name: &str) -> Result<bool, Problem> {
    let text = row.cells.get(i).map_or("", |c| c.trim());
    match text.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(table.problem(row, i, format!("`{text}` in `{name}` is not True or False"))),
    }
}

/// `Last Sign In [READ ONLY]`: `None` for `Never logged in`, what the console writes for a
/// user who never signed in. An empty cell is refused, as anything else that is not a
/// sign-in time: read as "never", it would say the user never signed in
/// (`access.inactive-accounts` fails such a user) on the word of an edited or truncated file.
fn last_sign_in(table: &Table<'_>, row: &Row, i: usize) -> Result<Option<String>, Problem> {
    let text = row.cells.get(i).map_or("", |c| c.trim());
    if text == "Never logged in" {
        return Ok(None);
    }
    dates::with_format(text, "%Y/%m/%d %H:%M:%S")
        .or_else(|| dates::iso(text))
        .map(|d| Some(d.to_string()))
        .ok_or_else(|| {
            let expected = "expected 2026/06/28 14:03:11, an ISO 8601 date-time or Never logged in";
            let message = match text.is_empty() {
                true => format!(
                    "`{LAST_SIGN_IN}` is empty: {expected}, which the Admin console writes for a user who never signed in; an empty cell is not taken for \"never\""
                ),
                false => format!("`{text}` in `{LAST_SIGN_IN}` is not a sign-in time: {expected}"),
            };
            table.problem(row, i, message)
        })
}
