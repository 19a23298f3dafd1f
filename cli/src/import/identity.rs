//! Who an account belongs to. Accounts are linked to the people of the facts (`--people`,
//! a facts file or folder with `people[]`) when one of the account's names (its login,
//! user name or email) equals a person's `email`, compared without regard to case; an
//! identity map (`--identity-map FILE`) says it for the accounts whose names do not match,
//! and marks service and shared accounts with their owner. The map comes first.
//!
//! The identity map is a CSV file with the columns `account` (the account's name as the
//! export writes it, any case), `person_id` and, optionally, `system` (only on that system,
//! its id in any case; empty: any) and `kind` (`human`, the default: the person uses the
//! account; `service` or `shared`: the person is its accountable owner).

use super::accounts::name_key;
use super::table::Table;
use super::{Input, Problem};
use attest_engine::place::{At, json_offset_at};
use std::collections::BTreeMap;

/// The people accounts can be linked to: their ids, and their ids by email.
#[derive(Debug, Default)]
pub struct People {
    ids: Vec<String>,
    by_email: BTreeMap<String, Vec<String>>,
    /// Where the people were read from, for messages.
    pub source: String,
    /// The files that held a `people` list, as their inputs name them.
    pub files: Vec<String>,
}

impl People {
    /// The people of facts files (`people[]` of each; other keys are ignored).
    pub fn from_facts(files: &[Input], source: &str) -> Result<People, Problem> {
        let mut people = People {
            source: source.to_owned(),
            ..People::default()
        };
        for file in files {
            let doc = super::parse_json(file)?;
            let Some(list) = doc.get("people") else {
                continue;
            };
            // A problem at the value of the JSON Pointer `pointer`.
            let at = |pointer: &str, message: String| {
                let offset = json_offset_at(&file.text, pointer, At::Value).unwrap_or(0);
                Problem::at_offset(&file.name, &file.text, offset, message)
            };
            let Some(list) = list.as_array() else {
                return Err(at(
                    "/people",
                    format!(
                        "`people` (/people) is {}: expected an array of people",
                        super::pages::found(list)
                    ),
                ));
            };
            people.files.push(file.name.clone());
            for (i, person) in list.iter().enumerate() {
                let Some(id) = person.get("id").and_then(|v| v.as_str()) else {
                    let (pointer, found) = match person.get("id") {
                        _ if !person.is_object() => (
                            format!("/people/{i}"),
                            format!("is {}", super::pages::found(person)),
                        ),
                        None => (format!("/people/{i}"), "has no `id`".to_owned()),
                        Some(other) => (
                            format!("/people/{i}/id"),
                            format!("has the `id` {}", super::pages::found(other)),
                        ),
                    };
                    return Err(at(
                        &pointer,
                        format!(
                            "person {i} ({pointer}) {found}: expected a person with its `id`, a string, by which accounts are linked"
                        ),
                    ));
                };
                people.ids.push(id.to_owned());
                if let Some(email) = person.get("email").and_then(|v| v.as_str()) {
                    people
                        .by_email
                        .entry(name_key(email))
                        .or_default()
                        .push(id.to_owned());
                }
            }
        }
        if people.ids.is_empty() {
            return Err(Problem::file(
                source,
                "no people found: --people takes facts (a file or folder) with a `people` list",
            ));
        }
        Ok(people)
    }

    /// Whether a person id is one of the people.
    pub fn has(&self, id: &str) -> bool {
        self.ids.iter().any(|p| p == id)
    }

    /// The id of the one person whose email is `email` (any case); `None` when nobody's
    /// is, or several people's are.
    pub fn id_by_email(&self, email: &str) -> Option<String> {
        match self.by_email(email) {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// The people whose email is `name` (any case).
    fn by_email(&self, name: &str) -> &[String] {
        self.by_email
            .get(&name_key(name))
            .map_or(&[], Vec::as_slice)
    }
}

/// What the identity map says of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// The person uses the account.
    Human,
    /// A service account the person owns.
    Service,
    /// A shared account the person owns.
    Shared,
}

impl MapKind {
    /// The facts-v1 `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            MapKind::Human => "human",
            MapKind::Service => "service",
            MapKind::Shared => "shared",
        }
    }
}

#[derive(Debug)]
struct Entry {
    system: Option<String>,
    account: String,
    person: String,
    kind: MapKind,
    used: std::cell::Cell<bool>,
}

/// The identity map.
#[derive(Debug, Default)]
pub struct IdentityMap {
    entries: Vec<Entry>,
}

impl IdentityMap {
    /// Reads an identity map; with `people`, every person it names must be one of them.
    pub fn parse(input: &Input, people: Option<&People>) -> Result<IdentityMap, Problem> {
        let table = Table::parse(input, b',')?;
        let [account, person] = table.require(["account", "person_id"])?;
        let system = table.column("system")?;
        let kind = table.column("kind")?;
        let mut entries: Vec<Entry> = Vec::new();
        for row in &table.rows {
            let cell = |i: usize| row.cells.get(i).map_or("", |c| c.trim());
            let name = cell(account);
            if name.is_empty() {
                return Err(table.problem(
                    row,
                    account,
                    "`account` is empty: name the account as the export writes it",
                ));
            }
            let person_id = cell(person);
            if person_id.is_empty() {
                return Err(table.problem(
                    row,
                    person,
                    "`person_id` is empty: give the id of the person who uses or owns the account",
                ));
            }
            if let Some(people) = people
                && !people.has(person_id)
            {
                return Err(table.problem(
                    row,
                    person,
                    format!("`{person_id}` is not a person of {}", people.source),
                ));
            }
            let map_kind = match kind.map(cell).unwrap_or("") {
                "" | "human" => MapKind::Human,
                "service" => MapKind::Service,
                "shared" => MapKind::Shared,
                other => {
                    return Err(table.problem(
                        row,
                        kind.unwrap_or(0),
                        format!("`{other}` is not a kind: expected human, service or shared (empty: human)"),
                    ));
                }
            };
            let system = system
                .map(cell)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            let lower = name_key(name);
            if entries.iter().any(|e| {
                e.account == lower
                    && e.system.as_deref().map(str::to_lowercase)
                        == system.as_deref().map(str::to_lowercase)
            }) {
                return Err(table.problem(
                    row,
                    account,
                    format!(
                        "`{name}` is mapped twice{}",
                        system
                            .as_ref()
                            .map(|s| format!(" on {s}"))
                            .unwrap_or_default()
                    ),
                ));
            }
            entries.push(Entry {
                system,
                account: lower,
                person: person_id.to_owned(),
                kind: map_kind,
                used: std::cell::Cell::new(false),
            });
        }
        Ok(IdentityMap { entries })
    }

    /// The entry for an account of `system` named any of `names`: one for that system
    /// first, then one for any system.
    fn find(&self, system: &str, names: &[&str]) -> Option<&Entry> {
        let lowered: Vec<String> = names.iter().map(|n| name_key(n)).collect();
        let matches = |e: &&Entry| lowered.contains(&e.account);
        self.entries
            .iter()
            .filter(matches)
            .find(|e| e.system.as_deref().is_some_and(|s| same_system(s, system)))
            .or_else(|| {
                self.entries
                    .iter()
                    .filter(matches)
                    .find(|e| e.system.is_none())
            })
    }

    /// The entries for a system other than `system` that name an account of it named any
    /// of `names` (`aws/ben.okoye` for an import with `--system aws-prod`): not applied, so
    /// the summary names them.
    fn elsewhere(&self, system: &str, names: &[&str]) -> Vec<String> {
        let lowered: Vec<String> = names.iter().map(|n| name_key(n)).collect();
        self.entries
            .iter()
            .filter(|e| lowered.contains(&e.account))
            .filter_map(|e| {
                let other = e.system.as_deref().filter(|s| !same_system(s, system))?;
                Some(format!("{other}/{}", e.account))
            })
            .collect()
    }

    /// The entries for `system` (or any system) that no account used, for the summary.
    pub fn unused(&self, system: &str) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| !e.used.get() && e.system.as_deref().is_none_or(|s| same_system(s, system)))
            .map(|e| match &e.system {
                Some(s) => format!("{s}/{}", e.account),
                None => e.account.clone(),
            })
            .collect()
    }
}

/// Whether the identity map's `system` names the system `id` of the import: without regard
/// to case, as people write `GitHub` for `github` (an entry that matched no system would
/// leave its accounts unlinked, with nothing said of the entry).
fn same_system(written: &str, id: &str) -> bool {
    written.to_lowercase() == id.to_lowercase()
}

/// How an account was linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// To the person who uses it, by email or login.
    ByEmail(String),
    /// To the person who uses it, by the identity map.
    ByMap(String),
    /// A service or shared account, and its owner, by the identity map.
    Owned(MapKind, String),
    /// To nobody; why.
    Unlinked(String),
}

/// Links accounts to people and counts how, for the summary.
pub struct Linker<'a> {
    people: Option<&'a People>,
    map: Option<&'a IdentityMap>,
    /// Accounts linked by email or login.
    pub by_email: usize,
    /// Accounts linked by the identity map (people and owners).
    pub by_map: usize,
    /// Accounts linked to nobody: `system/username` and why.
    pub unlinked: Vec<(String, String)>,
    /// The identity map's entries for another system that name an account no entry for
    /// its own system linked, and that system (`aws/ben.okoye`, `aws-prod`).
    elsewhere: Vec<(String, String)>,
}

impl<'a> Linker<'a> {
    /// A linker over `people` and `map`, either of which may be absent.
    pub fn new(people: Option<&'a People>, map: Option<&'a IdentityMap>) -> Linker<'a> {
        Linker {
            people,
            map,
            by_email: 0,
            by_map: 0,
            unlinked: Vec::new(),
            elsewhere: Vec::new(),
        }
    }

    /// Links the account `username` of `system`, whose names (login, email...) are
    /// `names`. An account the export shows as not a person's (`human: false`, an AWS user
    /// without a console password) is a person's when the map or a person's email says so;
    /// otherwise it stays a service account and is not listed as unlinked.
    pub fn link(
        &mut self,
        system: &str,
        username: &str,
        names: &[&str],
        human: bool,
        active: bool,
    ) -> Link {
        if let Some(entry) = self.map.and_then(|m| m.find(system, names)) {
            entry.used.set(true);
            self.by_map += 1;
            return match entry.kind {
                MapKind::Human => Link::ByMap(entry.person.clone()),
                kind => Link::Owned(kind, entry.person.clone()),
            };
        }
        if let Some(map) = self.map {
            let found = map.elsewhere(system, names).into_iter();
            self.elsewhere
                .extend(found.map(|entry| (entry, system.to_owned())));
        }
        let why = match self.people {
            None => "no --people given".to_owned(),
            Some(people) => {
                let mut found: Vec<&String> = names
                    .iter()
                    .flat_map(|n| people.by_email(n).iter())
                    .collect();
                found.sort();
                found.dedup();
                match found.as_slice() {
                    [one] => {
                        self.by_email += 1;
                        return Link::ByEmail((*one).clone());
                    }
                    [] => "no person has this email or login".to_owned(),
                    many => format!(
                        "its email matches {} people ({})",
                        many.len(),
                        many.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
        };
        if !human {
            return Link::Unlinked("not a person's account".to_owned());
        }
        let account = if active {
            format!("{system}/{username}")
        } else {
            format!("{system}/{username} (disabled)")
        };
        self.unlinked.push((account, why.clone()));
        Link::Unlinked(why)
    }

    /// The summary for stderr: how many accounts were linked, how, and the ones that were
    /// not.
    pub fn summary(&self, total: usize) -> String {
        let linked = self.by_email + self.by_map;
        let mut out = format!(
            "linked {linked} of {total} accounts to people ({} by email or login, {} by the identity map)",
            self.by_email, self.by_map
        );
        if self.unlinked.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!(
                "; {} human account{} linked to nobody:\n",
                self.unlinked.len(),
                if self.unlinked.len() == 1 { "" } else { "s" }
            ));
            for (account, why) in &self.unlinked {
                out.push_str(&format!("  {account}: {why}\n"));
            }
        }
        out.push_str(&self.elsewhere_note());
        out
    }

    /// The line naming the identity map's entries for another system that name accounts
    /// of the import, which they do not apply to (empty when there are none).
    fn elsewhere_note(&self) -> String {
        let Some((_, system)) = self.elsewhere.first() else {
            return String::new();
        };
        let mut entries: Vec<&str> = self.elsewhere.iter().map(|(e, _)| e.as_str()).collect();
        entries.sort_unstable();
        entries.dedup();
        format!(
            "the identity map's entries for another system name accounts of this import on {system}, and do not apply to them: {} (write {system} as their `system`, or leave it empty for any system)\n",
            entries.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, text: &str) -> Input {
        Input {
            name: name.to_owned(),
            text: text.to_owned(),
        }
    }

    fn people() -> People {
        let facts = input(
            "people.json",
            r#"{"people": [
                {"id": "p1", "email": "Alice.Ng@Example.com"},
                {"id": "p2", "email": "bob@example.com"},
                {"id": "p3", "email": "shared@example.com"},
                {"id": "p4", "email": "SHARED@example.com"},
                {"id": "p5"}
            ]}"#,
        );
        People::from_facts(&[facts], "people.json").unwrap()
    }

    #[test]
    fn accounts_link_by_email_in_any_case_and_by_the_map_first() {
        let people = people();
        let map = IdentityMap::parse(
            &input(
                "map.csv",
                "system,account,person_id,kind\ngithub,OctoBob,p2,\n,deploy-bot,p1,service\n",
            ),
            Some(&people),
        )
        .unwrap();
        let mut linker = Linker::new(Some(&people), Some(&map));
        assert_eq!(
            linker.link("okta", "alice", &["alice.ng@example.COM"], true, true),
            Link::ByEmail("p1".to_owned())
        );
        assert_eq!(
            linker.link("github", "octobob", &["octobob"], true, true),
            Link::ByMap("p2".to_owned())
        );
        // The map's system-less entry applies on every system.
        assert_eq!(
            linker.link("aws", "deploy-bot", &["deploy-bot"], true, true),
            Link::Owned(MapKind::Service, "p1".to_owned())
        );
        // A github entry does not apply elsewhere.
        assert!(matches!(
            linker.link("aws", "OctoBob", &["OctoBob"], true, true),
            Link::Unlinked(_)
        ));
        assert_eq!(
            linker.link("okta", "shared", &["shared@example.com"], true, false),
            Link::Unlinked("its email matches 2 people (p3, p4)".to_owned())
        );
        assert_eq!(
            linker.link("aws", "ci", &["ci"], false, true),
            Link::Unlinked("not a person's account".to_owned())
        );
        assert_eq!(
            linker.summary(6),
            "linked 3 of 6 accounts to people (1 by email or login, 2 by the identity map); 2 human accounts linked to nobody:\n  aws/OctoBob: no person has this email or login\n  okta/shared (disabled): its email matches 2 people (p3, p4)\nthe identity map's entries for another system name accounts of this import on aws, and do not apply to them: github/octobob (write aws as their `system`, or leave it empty for any system)\n"
        );
        assert!(map.unused("github").is_empty());
        assert!(map.unused("aws").is_empty());
    }

    #[test]
    fn entries_for_another_system_naming_an_account_are_told() {
        let map = IdentityMap::parse(
            &input(
                "map.csv",
                "system,account,person_id\naws,Ben,p2\naws,deploy-bot,p1\naws-prod,ci,p1\n",
            ),
            None,
        )
        .unwrap();
        let mut linker = Linker::new(None, Some(&map));
        for name in ["ben", "deploy-bot", "ci", "zoe"] {
            linker.link("aws-prod", name, &[name], true, true);
        }
        // Imported again under the entries' own system: nothing to tell.
        let mut own = Linker::new(None, Some(&map));
        own.link("aws", "ben", &["ben"], true, true);
        assert_eq!(own.elsewhere_note(), "");
        assert_eq!(
            linker.elsewhere_note(),
            "the identity map's entries for another system name accounts of this import on aws-prod, and do not apply to them: aws/ben, aws/deploy-bot (write aws-prod as their `system`, or leave it empty for any system)\n"
        );
        assert!(linker.summary(4).ends_with(&linker.elsewhere_note()));
    }

    #[test]
    fn identity_map_errors_are_placed() {
        let people = people();
        let parse = |text: &str| {
            IdentityMap::parse(&input("map.csv", text), Some(&people))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            parse("account,person\nx,p1\n"),
            "map.csv:1:1: missing required column `person_id` (the columns found: account, person)"
        );
        assert_eq!(
            parse("account,person_id\nx,p9\n"),
            "map.csv:2:3: `p9` is not a person of people.json"
        );
        assert_eq!(
            parse("account,person_id,kind\nx,p1,robot\n"),
            "map.csv:2:6: `robot` is not a kind: expected human, service or shared (empty: human)"
        );
        assert_eq!(
            parse("account,person_id\nx,p1\nX,p2\n"),
            "map.csv:3:1: `X` is mapped twice"
        );
        assert_eq!(
            People::from_facts(&[input("o.json", r#"{"organization": {}}"#)], "o.json")
                .unwrap_err()
                .to_string(),
            "o.json: no people found: --people takes facts (a file or folder) with a `people` list"
        );
    }
}
