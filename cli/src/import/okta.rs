//! `okta-users`: the JSON array of Okta's `GET /api/v1/users` (every page; see
//! [`super::pages`]), one object per user.
//!
//! - `profile.login` is the username; it and `profile.email` link the user to a person.
//! - `status`: `ACTIVE`, `PASSWORD_EXPIRED`, `LOCKED_OUT`, `RECOVERY` and `PROVISIONED`
//!   (activated, the user has not set a password yet) can be used: `active`; `STAGED` (never
//!   activated), `SUSPENDED` and `DEPROVISIONED`: `disabled`.
//! - `created_on` is the date of `created` (required: Okta writes it for every user);
//!   `last_login_on` of `lastLogin` (null: never; Okta writes the member for every user, and
//!   one without it is refused, not taken for null);
//!   `disabled_on`, of a `SUSPENDED` or `DEPROVISIONED` user, the date of `statusChanged`
//!   (when the user reached that status), which audit periods judge leavers by.
//! - `mfa`, with `--factors FILE`: an object of user id to the array that
//!   `GET /api/v1/users/{id}/factors` returns, each factor with its `status` (anything else,
//!   an empty object included, is refused: [`Factors::read`]); a user with a factor whose
//!   `status` is `ACTIVE` has MFA, one with none (or not in the file) has not. Without the
//!   file, `mfa` is not filled.
//! - `privileged` comes from `--admins` (logins, one a line).

use super::accounts::{Account, ListKind, Listed, Options};
use super::identity::Linker;
use super::pages::{self, Item};
use super::records::{Place, Record};
use super::{Input, Problem, dates, detect};
use attest_engine::place::{At, json_offset_at};
use serde_json::Value;
use std::collections::BTreeMap;

/// Statuses of users who can sign in (or finish activating and then sign in).
const ACTIVE: [&str; 5] = [
    "ACTIVE",
    "PASSWORD_EXPIRED",
    "LOCKED_OUT",
    "RECOVERY",
    "PROVISIONED",
];

/// Why `created` is required: an account without a creation date would drop out of the
/// rules on new accounts (`access.grant-approval`) unseen.
const CREATED: &str = "Okta writes when every user was created, and an account without a creation date would drop out of the rules on new accounts (access.grant-approval)";

/// What `--factors` is, in messages.
const FACTORS: &str = "a JSON object of user id to the array of GET /api/v1/users/{id}/factors";

/// Statuses of users who cannot.
const DISABLED: [&str; 3] = ["STAGED", "SUSPENDED", "DEPROVISIONED"];

/// Whether each user id has an active factor, from `--factors`, and the ids a user of the
/// import had ([`Factors::listed`]).
pub struct Factors {
    active: BTreeMap<String, bool>,
    ids: Listed,
}

impl Factors {
    /// Reads `--factors`: `{"<user id>": [<factor>, ...], ...}`, each factor an object with
    /// its `status` (a string). Anything else is refused at its place, with its JSON
    /// Pointer: another shape, an object that names no user (it would write every user
    /// without MFA from nothing), factors that are not an array (an error object Okta
    /// returned for that call), a factor that is not an object or has no `status` (read as
    /// no MFA, a guess).
    pub fn read(input: &Input) -> Result<Factors, Problem> {
        let value = super::parse_json(input)?;
        let text = &input.text;
        let at = |pointer: &str, message: String| {
            let offset = json_offset_at(text, pointer, At::Value).unwrap_or(0);
            Problem::at_offset(&input.name, text, offset, message)
        };
        let users = match value {
            Value::Object(users) if !users.is_empty() => users,
            other => {
                let message = match &other {
                    Value::Object(_) => format!(
                        "--factors is an empty object: expected {FACTORS}, naming the users of the import; one that names no user is refused, as it would write every user without MFA (`mfa: false`) from nothing"
                    ),
                    other => format!("--factors is {}: expected {FACTORS}", pages::found(other)),
                };
                return Err(at("", message));
            }
        };
        let mut out = BTreeMap::new();
        for (id, factors) in users {
            let pointer = format!("/{}", id.replace('~', "~0").replace('/', "~1"));
            let Value::Array(factors) = factors else {
                return Err(at(
                    &pointer,
                    format!(
                        "the factors of user `{id}` ({pointer}) are {}: expected an array, what GET /api/v1/users/{id}/factors returns",
                        pages::found(&factors)
                    ),
                ));
            };
            let mut active = false;
            for (j, factor) in factors.iter().enumerate() {
                let (place, found) = match factor.get("status") {
                    Some(Value::String(status)) => {
                        active |= status == "ACTIVE";
                        continue;
                    }
                    _ if !factor.is_object() => (
                        format!("{pointer}/{j}"),
                        format!("is {}", pages::found(factor)),
                    ),
                    None => (format!("{pointer}/{j}"), "has no `status`".to_owned()),
                    Some(other) => (
                        format!("{pointer}/{j}/status"),
                        format!("has the `status` {}", pages::found(other)),
                    ),
                };
                return Err(at(
                    &place,
                    format!(
                        "factor {j} of user `{id}` ({place}) {found}: expected an object with its `status` (a string: ACTIVE, PENDING_ACTIVATION...), as GET /api/v1/users/{id}/factors returns"
                    ),
                ));
            }
            out.insert(id, active);
        }
        Ok(Factors {
            ids: Listed::new(ListKind::Factors, &input.name, out.keys().cloned()),
            active: out,
        })
    }
}

impl Factors {
    /// Whether the user `id` has an active factor (none when the file does not name it).
    fn has_active(&self, id: &str) -> bool {
        self.ids
            .find(&[id])
            .and_then(|id| self.active.get(&id).copied())
            .unwrap_or(false)
    }

    /// The user ids, and which a user of the import had ([`Listed::check`]).
    pub fn listed(&self) -> &Listed {
        &self.ids
    }
}

/// Whether a user whose `status` is `status` can sign in; else what is wrong with it.
fn is_active(status: Option<&Value>) -> Result<bool, String> {
    let statuses = || format!("{}, {}", ACTIVE.join(", "), DISABLED.join(", "));
    match status {
        Some(Value::String(s)) if ACTIVE.contains(&s.as_str()) => Ok(true),
        Some(Value::String(s)) if DISABLED.contains(&s.as_str()) => Ok(false),
        Some(Value::String(s)) => Err(format!(
            "`{s}` is not an Okta user status: expected one of {}",
            statuses()
        )),
        None => Err(format!(
            "`status` is missing: expected a string, one of the Okta user statuses ({})",
            statuses()
        )),
        Some(other) => Err(format!(
            "`status` is {}: expected a string, one of the Okta user statuses ({})",
            pages::found(other),
            statuses()
        )),
    }
}

/// The `profile.login` of the user `id`, the `item` whose `profile` is `profile`, and the
/// offset of its value in the export.
fn login<'u>(
    input: &Input,
    item: &Item,
    profile: &'u Value,
    id: &str,
) -> Result<(&'u str, usize), Problem> {
    let found_at = |offset: usize, message: String| {
        Err(Problem::at_offset(
            &input.name,
            &input.text,
            offset,
            message,
        ))
    };
    let offset = pages::member(&input.text, item.offset, "profile")
        .and_then(|p| pages::member(&input.text, p, "login"))
        .unwrap_or(item.offset);
    match profile.get("login") {
        Some(Value::String(login)) if login.trim().is_empty() => found_at(
            offset,
            format!(
                "user {id} ({}/profile/login): `profile.login` is empty: expected the user's login, the account's name",
                item.pointer
            ),
        ),
        Some(Value::String(login)) => Ok((login, offset)),
        None => found_at(
            pages::member(&input.text, item.offset, "profile").unwrap_or(item.offset),
            format!(
                "user {id} ({}/profile): `profile` has no `login`: expected a string, the user's login",
                item.pointer
            ),
        ),
        Some(other) => found_at(
            offset,
            format!(
                "user {id} ({}/profile/login): `profile.login` is {}: expected a string, the user's login",
                item.pointer,
                pages::found(other)
            ),
        ),
    }
}

/// Imports an Okta users export.
pub fn import(
    input: &Input,
    factors: Option<&Factors>,
    options: &Options,
    linker: &mut Linker<'_>,
) -> Result<Vec<Record>, Problem> {
    let expected = "an Okta users export (/api/v1/users)";
    let wrong = || {
        detect::wrong_source(&input.text, detect::Kind::OktaUsers)
            .map(|m| Problem::file(&input.name, m))
    };
    let items = pages::items(input, expected).map_err(|e| wrong().unwrap_or(e))?;
    if items.is_empty() {
        return Err(super::no_records(input, pages::EMPTY, "user"));
    }
    let mut out = Vec::new();
    for item in items {
        let at =
            |message: String| Problem::at_offset(&input.name, &input.text, item.offset, message);
        let user = &item.value;
        let Some(profile) = user.get("profile") else {
            return Err(wrong().unwrap_or_else(|| {
                let found = match user {
                    Value::Object(_) => "an object without `profile`".to_owned(),
                    other => pages::found(other),
                };
                at(format!(
                    "user {} is {found}: expected one of Okta's user objects, with its `profile`",
                    item.pointer
                ))
            }));
        };
        let id = pages::text(input, &item, "user", &["id"])?;
        if !profile.is_object() {
            let offset = pages::member(&input.text, item.offset, "profile").unwrap_or(item.offset);
            return Err(Problem::at_offset(
                &input.name,
                &input.text,
                offset,
                format!(
                    "user {} ({}/profile): `profile` is {}: expected an object, the user's profile with its `login`",
                    id.unwrap_or(&item.pointer),
                    item.pointer,
                    pages::found(profile)
                ),
            ));
        }
        let (login, login_at) = login(input, &item, profile, id.unwrap_or(&item.pointer))?;
        let status = user.get("status");
        let active = is_active(status).map_err(|message| {
            let offset = pages::member(&input.text, item.offset, "status").unwrap_or(item.offset);
            let message = format!("user {login} ({}/status): {message}", item.pointer);
            Problem::at_offset(&input.name, &input.text, offset, message)
        })?;
        let status = status.and_then(Value::as_str).unwrap_or_default();
        // A date-time member, or null unless `required`; what is wrong is placed at the value.
        let date = |field: &str, required: bool| -> Result<Option<String>, Problem> {
            let found = match user.get(field) {
                None if required => {
                    return Err(at(format!(
                        "user {login} ({}) has no `{field}`: expected an ISO 8601 date-time such as 2026-06-28T14:03:11.000Z: {CREATED}",
                        item.pointer
                    )));
                }
                // Okta writes every one of these members, null when there is no date: a
                // missing `lastLogin` taken for null would be "never logged in".
                None => {
                    return Err(at(format!(
                        "user {login} ({}) has no `{field}`: expected an ISO 8601 date-time such as 2026-06-28T14:03:11.000Z, or null, as Okta writes it for every user; a missing `{field}` is not taken for null",
                        item.pointer
                    )));
                }
                Some(Value::Null) if required => "null".to_owned(),
                Some(Value::Null) => return Ok(None),
                Some(Value::String(text)) => match dates::iso(text) {
                    Some(d) => return Ok(Some(d.to_string())),
                    None => format!("`{text}`"),
                },
                Some(other) => pages::found(other),
            };
            let offset = pages::member(&input.text, item.offset, field).unwrap_or(item.offset);
            Err(Problem::at_offset(
                &input.name,
                &input.text,
                offset,
                format!(
                    "user {login} ({}/{field}): `{field}` is {found}: expected an ISO 8601 date-time such as 2026-06-28T14:03:11.000Z{}",
                    item.pointer,
                    match required {
                        true => format!(": {CREATED}"),
                        false => ", or null".to_owned(),
                    }
                ),
            ))
        };
        let email = pages::text(input, &item, "user", &["profile", "email"])?;
        let account = Account {
            username: login.to_owned(),
            aliases: email.into_iter().collect(),
            human: true,
            privileged: None,
            mfa: match (factors, id) {
                (None, _) => None,
                (Some(f), Some(id)) => Some(f.has_active(id)),
                // Enrolments name users by id: one without cannot be matched, and "no MFA"
                // would be a guess.
                (Some(_), None) => {
                    return Err(at(format!(
                        "user {login} ({}) has no `id`, by which the factors export names its \
                         users: expected Okta's user objects",
                        item.pointer
                    )));
                }
            },
            active,
            created_on: date("created", true)?,
            last_login_on: date("lastLogin", false)?,
            disabled_on: if matches!(status, "SUSPENDED" | "DEPROVISIONED") {
                date("statusChanged", false)?
            } else {
                None
            },
            origin: Place::at_offset(&input.name, &input.text, item.offset),
            username_at: Some(Place::at_offset(&input.name, &input.text, login_at)),
        };
        out.push(options.record(account, linker));
    }
    Ok(out)
}
