//! `github-members`: the JSON of GitHub's `GET /orgs/{org}/members` (every page; see
//! [`super::pages`]), one user object per member.
//!
//! - `login` is the username; a member's `email`, when the API shows one, links it too
//!   (GitHub shows it rarely: the identity map is how logins are usually linked).
//! - Every member is `active`; a member of `type` `Bot` is a service account, one of `type`
//!   `User` a person's. GitHub writes both fields for every member: a `login` that is not a
//!   string (`null` included), or a `type` that is missing or not `User` or `Bot`, is refused.
//! - `mfa`, with `--two-factor-disabled FILE` (the same call with `filter=2fa_disabled`):
//!   the members it lists have no two-factor authentication, the others have it (a list
//!   none of whose logins is a member's is refused: see [`super::accounts::Listed`]).
//!   Without it, `mfa` is not filled.
//! - `privileged`, with `--admins FILE` (the same call with `role=admin`): the organization
//!   owners.
//! - The members API says nothing of when access was granted or last used: `created_on`
//!   and `last_login_on` are not filled.

use super::accounts::{Account, ListKind, Listed, Options};
use super::identity::Linker;
use super::pages::{self, Item};
use super::records::{Place, Record};
use super::{Input, Problem, detect};
use serde_json::Value;

/// What the importer calls the export, in messages.
const EXPECTED: &str = "a GitHub organization members list (GET /orgs/{org}/members)";

/// One member: login, email (when shown), whether a bot, and where it starts.
pub struct Member {
    /// `login`.
    pub login: String,
    email: Option<String>,
    bot: bool,
    offset: usize,
    login_at: usize,
}

/// The members of a list, or `None` when the file is a JSON list whose items are not
/// GitHub users.
pub fn members(input: &Input) -> Result<Option<Vec<Member>>, Problem> {
    let items = pages::items(input, EXPECTED)?;
    let mut out = Vec::new();
    for item in items {
        if item.value.get("login").is_none() {
            // The first item says whether the list is GitHub's; a later one without a login
            // is a member of it gone wrong.
            if out.is_empty() {
                return Ok(None);
            }
            let found = match &item.value {
                Value::Object(_) => "an object without `login`".to_owned(),
                other => pages::found(other),
            };
            return Err(Problem::at_offset(
                &input.name,
                &input.text,
                item.offset,
                format!(
                    "member {} is {found}: expected a GitHub user with its `login`, as the members before it",
                    item.pointer
                ),
            ));
        }
        let text = |key| pages::text(input, &item, "member", &[key]);
        let login_at = pages::member(&input.text, item.offset, "login").unwrap_or(item.offset);
        let refuse = |message: String| {
            Err(Problem::at_offset(
                &input.name,
                &input.text,
                login_at,
                format!("member {}/login: {message}", item.pointer),
            ))
        };
        let login = match item.value.get("login") {
            Some(Value::Null) => {
                return refuse(
                    "`login` is null: expected a string, the member's login, the account's name"
                        .to_owned(),
                );
            }
            _ => text("login")?.unwrap_or_default(),
        };
        if login.trim().is_empty() {
            return refuse(
                "`login` is empty: expected the member's login, the account's name".to_owned(),
            );
        }
        let bot = kind(input, &item)?;
        out.push(Member {
            login: login.to_owned(),
            email: text("email")?.map(str::to_owned),
            bot,
            offset: item.offset,
            login_at,
        });
    }
    Ok(Some(out))
}

/// Whether the member `item` is a bot, from its `type`: GitHub writes `User` or `Bot` for
/// every member (a required field of its user objects). One that is missing, `null`, not a
/// string or another word is refused at its place, with its pointer: taken for a person, a
/// bot (or an object of another export) would be a person's account unseen.
fn kind(input: &Input, item: &Item) -> Result<bool, Problem> {
    let found = match item.value.get("type") {
        Some(Value::String(t)) if t == "User" => return Ok(false),
        Some(Value::String(t)) if t == "Bot" => return Ok(true),
        None => {
            return Err(Problem::at_offset(
                &input.name,
                &input.text,
                item.offset,
                format!(
                    "member {} has no `type`: expected a string, `User` or `Bot`, which GitHub writes for every member of GET /orgs/{{org}}/members",
                    item.pointer
                ),
            ));
        }
        Some(Value::String(t)) => format!("`{t}`"),
        Some(other) => pages::found(other),
    };
    let at = pages::member(&input.text, item.offset, "type").unwrap_or(item.offset);
    Err(Problem::at_offset(
        &input.name,
        &input.text,
        at,
        format!(
            "member {}/type: `type` is {found}: expected a string, `User` or `Bot`",
            item.pointer
        ),
    ))
}

/// The logins of the members list given to `--two-factor-disabled`.
pub fn logins(input: &Input) -> Result<Listed, Problem> {
    let kind = ListKind::TwoFactorDisabled;
    match members(input)? {
        Some(list) => Ok(Listed::new(
            kind,
            &input.name,
            list.into_iter().map(|m| m.login),
        )),
        None => Err(Problem::file(
            &input.name,
            format!(
                "{} takes {EXPECTED}{}",
                kind.flag(),
                detect::kind(&input.text)
                    .map(|k| format!("; this is {}", k.describe()))
                    .unwrap_or_default()
            ),
        )),
    }
}

/// Imports a members list; `two_factor_disabled` holds the logins without 2FA, when given.
pub fn import(
    input: &Input,
    two_factor_disabled: Option<&Listed>,
    options: &Options,
    linker: &mut Linker<'_>,
) -> Result<Vec<Record>, Problem> {
    let wrong = || {
        detect::wrong_source(&input.text, detect::Kind::GithubMembers)
            .map(|m| Problem::file(&input.name, m))
    };
    let list = match members(input) {
        Ok(Some(list)) => list,
        Ok(None) => {
            return Err(wrong().unwrap_or_else(|| {
                Problem::file(
                    &input.name,
                    format!("expected {EXPECTED}: its items have no `login`"),
                )
            }));
        }
        Err(e) => return Err(wrong().unwrap_or(e)),
    };
    if list.is_empty() {
        return Err(super::no_records(input, pages::EMPTY, "member"));
    }
    let mut out = Vec::new();
    for member in &list {
        let account = Account {
            username: member.login.clone(),
            aliases: member.email.as_deref().into_iter().collect(),
            human: !member.bot,
            privileged: None,
            mfa: two_factor_disabled.map(|off| off.find(&[&member.login]).is_none()),
            active: true,
            created_on: None,
            last_login_on: None,
            disabled_on: None,
            origin: Place::at_offset(&input.name, &input.text, member.offset),
            username_at: Some(Place::at_offset(&input.name, &input.text, member.login_at)),
        };
        out.push(options.record(account, linker));
    }
    Ok(out)
}
