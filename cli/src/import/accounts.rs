//! What the account importers share: the options every one takes (the system id and the
//! privileged users), and the account record they make, linked to a person by a
//! [`Linker`], with its fields in facts-v1's order.

use super::identity::{Link, Linker};
use super::records::{Place, Record};
use super::{Input, Problem, parse_json};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::BTreeSet;

/// The options of an account import.
pub struct Options {
    /// The `system_id` of every account.
    pub system: String,
    /// Who is privileged (`--admins`), when given: names compared without regard to case.
    pub admins: Option<Admins>,
}

/// The privileged users named by `--admins`.
#[derive(Debug, Default)]
pub struct Admins {
    names: BTreeSet<String>,
    /// The names an account of the import matched, to tell the others.
    matched: RefCell<BTreeSet<String>>,
}

impl Admins {
    /// Reads `--admins`: a list of names, one a line (blank lines are ignored, and a `#` at
    /// the start of a line or after whitespace starts a comment: `c@x.example # Carol, IT`
    /// names `c@x.example`), or JSON: the members list GitHub gives with `role=admin`, or, for
    /// AWS, `aws iam get-account-authorization-details` (users with a policy that grants
    /// everything, attached to them or to one of their groups). A file that names nobody
    /// (no name, an empty list, no user) is refused, as an export with no records is: it
    /// would write every account `privileged: false`. AWS users none of whom has
    /// administrator access are read: the summary says so ([`Admins::is_empty`]).
    pub fn read(input: &Input) -> Result<Admins, Problem> {
        let trimmed = input.text.trim_start_matches('\u{feff}').trim_start();
        let mut names = BTreeSet::new();
        let neither = || {
            Problem::file(
                &input.name,
                "--admins is a list of names, one a line, GitHub's members list (role=admin) or AWS's account authorization details; this JSON is neither",
            )
        };
        let nobody = |found: &str| {
            Problem::file(
                &input.name,
                format!(
                    "--admins names nobody: {found}; an empty --admins is refused, as it would write every account `privileged: false`"
                ),
            )
        };
        if trimmed.starts_with('{') {
            let value = parse_json(input)?;
            match value.get("UserDetailList") {
                None => return Err(neither()),
                Some(Value::Array(users)) if users.is_empty() => {
                    return Err(nobody("`UserDetailList` (/UserDetailList) is empty"));
                }
                Some(_) => {}
            }
            names = super::aws_iam::administrators(&value, input)?;
        } else if trimmed.starts_with('[') {
            let members = super::github::members(input)?.ok_or_else(neither)?;
            if members.is_empty() {
                return Err(nobody(super::pages::EMPTY));
            }
            names = members.into_iter().map(|m| m.login).collect();
        } else {
            for line in input.text.lines() {
                let name = without_comment(line).trim();
                if !name.is_empty() {
                    names.insert(name.to_owned());
                }
            }
            if names.is_empty() {
                return Err(nobody(
                    "the file has no name, one a line (only blank lines and `#` comments)",
                ));
            }
        }
        Ok(Admins {
            names: names.into_iter().map(|n| n.to_lowercase()).collect(),
            matched: RefCell::default(),
        })
    }

    /// Whether nobody is privileged: AWS users none of whom has administrator access.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether one of `names` is privileged.
    pub fn contains(&self, names: &[&str]) -> bool {
        let mut found = false;
        for name in names {
            let name = name.trim().to_lowercase();
            if self.names.contains(&name) {
                self.matched.borrow_mut().insert(name);
                found = true;
            }
        }
        found
    }

    /// The names no account of the import matched (a typo, another system's name, an
    /// alias the export does not show): their accounts were written `privileged: false`,
    /// or are not in the export.
    pub fn unmatched(&self) -> Vec<&str> {
        let matched = self.matched.borrow();
        self.names
            .iter()
            .filter(|n| !matched.contains(*n))
            .map(String::as_str)
            .collect()
    }
}

/// A line of a names file without its comment: a `#` that starts the line or follows
/// whitespace starts a comment (`c@x.example # Carol, IT`); one inside a name (`a#b`) does
/// not.
pub fn without_comment(line: &str) -> &str {
    let mut previous = None;
    for (i, c) in line.char_indices() {
        if c == '#' && previous.is_none_or(char::is_whitespace) {
            return &line[..i];
        }
        previous = Some(c);
    }
    line
}

/// An account as an export describes it, before linking.
pub struct Account<'n> {
    /// The account's name on the system.
    pub username: String,
    /// Other names it goes by (an email), for linking and `--admins`.
    pub aliases: Vec<&'n str>,
    /// Whether the export says it is a person's (else a service account).
    pub human: bool,
    /// Whether the export itself says it is privileged (the AWS root user).
    pub privileged: Option<bool>,
    /// MFA, when the export says.
    pub mfa: Option<bool>,
    /// Whether the account can be used.
    pub active: bool,
    /// `YYYY-MM-DD`, when the export says.
    pub created_on: Option<String>,
    /// `YYYY-MM-DD`, when the export says; `None` for never.
    pub last_login_on: Option<String>,
    /// `YYYY-MM-DD` the account was disabled, when the export says.
    pub disabled_on: Option<String>,
    /// Where the account is in the export.
    pub origin: Place,
    /// Where its name is (the cell, or the JSON value), when known.
    pub username_at: Option<Place>,
}

impl Options {
    /// The account record for `account`, linked by `linker`.
    pub fn record(&self, account: Account<'_>, linker: &mut Linker<'_>) -> Record {
        let mut names = vec![account.username.as_str()];
        names.extend(account.aliases.iter().copied());
        let link = linker.link(
            &self.system,
            &account.username,
            &names,
            account.human,
            account.active,
        );
        let mut r = Record::new(account.origin.clone());
        r.set("system_id", json!(self.system));
        let username_at = account.username_at.unwrap_or(account.origin);
        r.set_from("username", json!(account.username), username_at);
        let (kind, person, owner) = match link {
            Link::ByEmail(p) | Link::ByMap(p) => ("human", Some(p), None),
            Link::Owned(kind, p) => (kind.as_str(), None, Some(p)),
            Link::Unlinked(_) if account.human => ("human", None, None),
            Link::Unlinked(_) => ("service", None, None),
        };
        if let Some(person) = person {
            r.set("person_id", json!(person));
        }
        r.set("kind", json!(kind));
        let privileged = account.privileged.unwrap_or(false)
            || self.admins.as_ref().is_some_and(|a| a.contains(&names));
        if account.privileged.is_some() || self.admins.is_some() {
            r.set("privileged", json!(privileged));
        }
        if let Some(mfa) = account.mfa {
            r.set("mfa", json!(mfa));
        }
        r.set(
            "status",
            json!(if account.active { "active" } else { "disabled" }),
        );
        if let Some(created) = account.created_on {
            r.set("created_on", json!(created));
        }
        if let Some(last) = account.last_login_on {
            r.set("last_login_on", json!(last));
        }
        if let Some(disabled) = account.disabled_on {
            r.set("disabled_on", json!(disabled));
        }
        if let Some(owner) = owner {
            r.set("owner_id", json!(owner));
        }
        r
    }
}
