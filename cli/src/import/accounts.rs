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

/// An account name as every importer writes it: without the spaces around it (`"  a@x "` of
/// an export is the account `a@x`, whichever export it comes from).
pub fn clean_name(name: &str) -> &str {
    name.trim()
}

/// An account name as names are compared (accounts, `--admins`, the identity map, people's
/// emails): [`clean_name`], in lower case.
pub fn name_key(name: &str) -> String {
    clean_name(name).to_lowercase()
}

/// An account's username as two accounts of one system are told apart: an email address
/// (`A@X.example`) names one mailbox in any case, so it is compared in lower case (two
/// rows for `a@x.example` and `A@X.example` are one account given twice); other names as
/// written.
pub fn account_key(username: &str) -> String {
    let name = clean_name(username);
    match name.contains('@') {
        true => name.to_lowercase(),
        false => name.to_owned(),
    }
}

/// The options whose file lists some of the import's accounts, each with what it decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// `--admins`: the privileged accounts.
    Admins,
    /// `--two-factor-disabled`: the GitHub members without 2FA.
    TwoFactorDisabled,
    /// `--factors`: the Okta users' MFA factors, by user id.
    Factors,
}

impl ListKind {
    /// The option.
    pub fn flag(self) -> &'static str {
        match self {
            ListKind::Admins => "--admins",
            ListKind::TwoFactorDisabled => "--two-factor-disabled",
            ListKind::Factors => "--factors",
        }
    }

    /// What its entries are (one, many).
    fn entries(self) -> (&'static str, &'static str) {
        match self {
            ListKind::Admins => ("name", "names"),
            ListKind::TwoFactorDisabled => ("login", "logins"),
            ListKind::Factors => ("user id", "user ids"),
        }
    }

    /// What the accounts of the import are called: `accounts`, `members`, `user ids`.
    fn accounts(self) -> &'static str {
        match self {
            ListKind::Admins => "accounts",
            ListKind::TwoFactorDisabled => "members",
            ListKind::Factors => "user ids",
        }
    }

    /// What a list that matches no account would write.
    fn consequence(self) -> &'static str {
        match self {
            ListKind::Admins => "it would write every account `privileged: false`",
            ListKind::TwoFactorDisabled => "it would write every member with 2FA (`mfa: true`)",
            ListKind::Factors => {
                "it would write every user without MFA (`mfa: false`) from a file about other users"
            }
        }
    }

    /// Whether entries are compared as written (Okta's user ids), not as names
    /// ([`name_key`]: trimmed, any case).
    fn exact(self) -> bool {
        self == ListKind::Factors
    }
}

/// The entries of an option's file that lists some of the import's accounts (`--admins`,
/// `--two-factor-disabled`, `--factors`), and which of them an account matched. The one
/// home of the rule for such lists ([`Listed::check`]): an entry no account matched is told
/// on stderr, as the account meant (a typo, an alias the export does not show) is written as
/// though unlisted; a list none of whose entries matches any account is refused (another
/// system's, organization's or account's file, names of the wrong kind: emails for logins),
/// as it would decide every account from nothing.
#[derive(Debug)]
pub struct Listed {
    kind: ListKind,
    file: String,
    entries: BTreeSet<String>,
    matched: RefCell<BTreeSet<String>>,
    /// The names of the import's accounts looked for, for the example of a refusal.
    asked: RefCell<BTreeSet<String>>,
}

impl Listed {
    /// The list `kind` of the file `file`, whose entries are `entries`.
    pub fn new(kind: ListKind, file: &str, entries: impl IntoIterator<Item = String>) -> Listed {
        let mut listed = Listed {
            kind,
            file: file.to_owned(),
            entries: BTreeSet::new(),
            matched: RefCell::default(),
            asked: RefCell::default(),
        };
        listed.entries = entries.into_iter().map(|e| listed.key(&e)).collect();
        listed
    }

    /// An entry or account name as the list compares it.
    fn key(&self, name: &str) -> String {
        match self.kind.exact() {
            true => name.to_owned(),
            false => name_key(name),
        }
    }

    /// Whether the list has no entry (AWS details none of whose users is an administrator).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry that names the account whose names are `names` (the account's name first,
    /// then its aliases), noting the match.
    pub fn find(&self, names: &[&str]) -> Option<String> {
        if let Some(first) = names.first() {
            self.asked.borrow_mut().insert(clean_name(first).to_owned());
        }
        let found = names
            .iter()
            .map(|n| self.key(n))
            .find(|k| self.entries.contains(k))?;
        self.matched.borrow_mut().insert(found.clone());
        Some(found)
    }

    /// The entries no account of the import matched.
    pub fn unmatched(&self) -> Vec<&str> {
        let matched = self.matched.borrow();
        self.entries
            .iter()
            .filter(|e| !matched.contains(*e))
            .map(String::as_str)
            .collect()
    }

    /// Once every account was looked for: the refusal of a list of which no entry matches
    /// any account, else the line for stderr that names the entries no account matched
    /// (none when all did, or the list is empty).
    pub fn check(&self) -> Result<Option<String>, Problem> {
        let unmatched = self.unmatched();
        if unmatched.is_empty() {
            return Ok(None);
        }
        let kind = self.kind;
        if unmatched.len() < self.entries.len() {
            return Ok(Some(format!(
                "{} names {} this import does not have: {}\n",
                kind.flag(),
                kind.accounts(),
                unmatched.join(", ")
            )));
        }
        let (one, many) = kind.entries();
        let count = self.entries.len();
        let asked = self.asked.borrow();
        Err(Problem::file(
            &self.file,
            format!(
                "{} matches nothing in this import: none of the {count} {} it gives is one of the import's {} (the import has {}; the file names {}); a list that matches no account is refused, as {}",
                kind.flag(),
                if count == 1 { one } else { many },
                kind.accounts(),
                examples(asked.iter()),
                examples(self.entries.iter()),
                kind.consequence()
            ),
        ))
    }
}

/// The first few of `names`, for a message: `a, b, c, ... (12 in all)`.
fn examples<'a>(names: impl ExactSizeIterator<Item = &'a String>) -> String {
    const SHOWN: usize = 3;
    let total = names.len();
    let mut out: Vec<&str> = names.take(SHOWN).map(String::as_str).collect();
    if total > SHOWN {
        out.push("...");
        return format!("{} ({total} in all)", out.join(", "));
    }
    out.join(", ")
}

/// The privileged users named by `--admins`, and the notes on how AWS's authorization
/// details were judged ([`super::aws_iam::Administrators::notes`]).
#[derive(Debug)]
pub struct Admins(Listed, Vec<String>);

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
        let mut notes = Vec::new();
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
            let judged = super::aws_iam::administrators(&value, input)?;
            names = judged.names;
            notes = judged.notes;
        } else if trimmed.starts_with('[') {
            let members = super::github::members(input)?.ok_or_else(neither)?;
            if members.is_empty() {
                return Err(nobody(super::pages::EMPTY));
            }
            names = members.into_iter().map(|m| m.login).collect();
        } else {
            for line in input.text.lines() {
                let name = clean_name(without_comment(line));
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
        Ok(Admins(
            Listed::new(ListKind::Admins, &input.name, names),
            notes,
        ))
    }

    /// Whether nobody is privileged: AWS users none of whom has administrator access.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the account whose names are `names` (its own first) is privileged.
    pub fn contains(&self, names: &[&str]) -> bool {
        self.0.find(names).is_some()
    }

    /// The names, and which an account matched ([`Listed::check`]).
    pub fn listed(&self) -> &Listed {
        &self.0
    }

    /// Lines for stderr on what AWS's authorization details granted that was counted as
    /// administrator access without being read exactly, each ending in a newline.
    pub fn notes(&self) -> &[String] {
        &self.1
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
        let username = clean_name(&account.username);
        let mut names = vec![username];
        names.extend(account.aliases.iter().copied());
        let link = linker.link(
            &self.system,
            username,
            &names,
            account.human,
            account.active,
        );
        let mut r = Record::new(account.origin.clone());
        r.set("system_id", json!(self.system));
        let username_at = account.username_at.unwrap_or(account.origin);
        r.set_from("username", json!(username), username_at);
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
        // Every account is looked for in `--admins`, the root user too (the import's names
        // in its messages are every account's).
        let listed = self.admins.as_ref().is_some_and(|a| a.contains(&names));
        let privileged = account.privileged.unwrap_or(false) || listed;
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
