//! The file an import's `--output` replaces. An import writes one collection, so a file
//! that holds anything else (another system's accounts, another collection, a facts
//! document's `organization`) would lose it unseen: that is refused unless `--force`. What
//! the file holds of the import's own collection is read back, so the fields people add to
//! imported records (`approved_by`, `created_on`...) outlive the next import.

use super::{Input, parse_json};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What an import writes: its collection and, for accounts, the systems they are on.
pub struct Writes<'a> {
    /// The collection (`accounts`, `people`...).
    pub collection: &'a str,
    /// The `system_id`s of the accounts it writes (for other collections, empty).
    pub systems: Vec<String>,
}

impl Writes<'_> {
    /// The import as messages name it: `accounts on okta`, `people`.
    fn shown(&self) -> String {
        match self.systems.as_slice() {
            [] => self.collection.to_owned(),
            systems => format!("{} on {}", self.collection, systems.join(", ")),
        }
    }

    /// A file name for the import alone: `accounts-okta.json`, `people.json`.
    fn own_file(&self) -> String {
        match self.systems.as_slice() {
            [one] => format!("{}-{one}.json", self.collection),
            _ => format!("{}.json", self.collection),
        }
    }
}

/// What the file an import replaces holds, read before the import runs: what it holds
/// besides the import's collection, its accounts by system, and its records of the
/// collection cut down to what the import may keep (their key and the fields it does not
/// fill), so that the file is not held whole beside the import's own records.
pub struct Previous {
    /// The file, as named.
    name: String,
    /// Why it is not JSON, when it is not.
    broken: Option<String>,
    /// What it holds besides the collection (`organization`, `people` (12 records)).
    others: Vec<String>,
    /// Its accounts, counted by `system_id` (`None`: without one).
    accounts: BTreeMap<Option<String>, usize>,
    /// Its records of the collection with the fields the import may keep, each with its
    /// index in the collection.
    records: Vec<(usize, Map<String, Value>)>,
}

impl Previous {
    /// Reads `file`, the output an import of `collection` replaces, keeping the records
    /// with a field the import does not fill (`fills` is false for it), with those fields,
    /// their `keys` and their `status`. A file that is empty, or only white space, holds nothing.
    pub fn read(
        file: &Input,
        collection: &str,
        keys: &[String],
        fills: impl Fn(&str) -> bool,
    ) -> Previous {
        let mut previous = Previous {
            name: file.name.clone(),
            broken: None,
            others: Vec::new(),
            accounts: BTreeMap::new(),
            records: Vec::new(),
        };
        if file.text.trim().is_empty() {
            return previous;
        }
        let document = match parse_json(file) {
            Ok(document) => document,
            Err(problem) => {
                let at = match (problem.line, problem.column) {
                    (Some(line), Some(column)) => format!("line {line}, column {column}: "),
                    _ => String::new(),
                };
                let error = problem.message.strip_prefix("invalid JSON: ");
                previous.broken = Some(format!("{at}{}", error.unwrap_or(&problem.message)));
                return previous;
            }
        };
        let Value::Object(object) = document else {
            previous.others = vec![format!("{}, not a facts document", json_type(&document))];
            return previous;
        };
        for (key, value) in object {
            match value {
                // Without a key, no record is the same as one of the import's: none is kept.
                Value::Array(records) if key == collection && keys.is_empty() => {
                    previous.take(collection, records, |_| false, |_| false);
                }
                Value::Array(records) if key == collection => {
                    // The status too: a date of it is kept only while it is the same.
                    let keep = |f: &str| !fills(f) || f == "status" || keys.iter().any(|k| k == f);
                    let added = |f: &str| !fills(f) && !keys.iter().any(|k| k == f);
                    previous.take(collection, records, keep, added);
                }
                Value::Array(list) => previous
                    .others
                    .push(format!("`{key}` ({})", count(list.len(), "record"))),
                other if key == collection => previous
                    .others
                    .push(format!("`{key}` as {}", json_type(&other))),
                _ => previous.others.push(format!("`{key}`")),
            }
        }
        previous
    }

    /// Takes the records of the collection: accounts counted by system, and the records
    /// with a field `added` says, with the fields `keep` says. A value of `accounts` that is
    /// not an object is none of the import's accounts (`[{"system_id": "okta", ...}]`, `1`):
    /// counted among what the file holds besides them, as another system's account is.
    fn take(
        &mut self,
        collection: &str,
        records: Vec<Value>,
        keep: impl Fn(&str) -> bool,
        added: impl Fn(&str) -> bool,
    ) {
        let mut not_objects = 0;
        for (index, record) in records.into_iter().enumerate() {
            let Value::Object(fields) = record else {
                not_objects += 1;
                continue;
            };
            if collection == "accounts" {
                let system = fields.get("system_id").and_then(Value::as_str);
                *self.accounts.entry(system.map(str::to_owned)).or_default() += 1;
            }
            if fields.keys().any(|f| added(f)) {
                let kept = fields.into_iter().filter(|(f, _)| keep(f)).collect();
                self.records.push((index, kept));
            }
        }
        if collection == "accounts" && not_objects > 0 {
            let are = if not_objects == 1 { "is" } else { "are" };
            self.others.push(format!(
                "{} of `{collection}` that {are} not an object",
                count(not_objects, "value")
            ));
        }
    }

    /// Refuses to replace the file when it holds anything `writes` does not (another
    /// system's accounts, other keys), or is not JSON, unless `force`; naming what it holds.
    pub fn refuse(&self, writes: &Writes<'_>, force: bool) -> Result<(), String> {
        if force {
            return Ok(());
        }
        if let Some(error) = &self.broken {
            return Err(format!(
                "{}: refusing to replace it: it is not JSON ({error}), so what it holds cannot be told: look at it, then remove it or give --force to replace it",
                self.name
            ));
        }
        let mut lost = self.others.clone();
        lost.extend(self.other_systems(writes));
        if lost.is_empty() {
            return Ok(());
        }
        let own = writes.own_file();
        let example = match self.name.rsplit('/').next() == Some(own.as_str()) {
            true => String::new(),
            false => format!(" ({own})"),
        };
        Err(format!(
            "{}: refusing to replace it: it holds {}, which this import ({}) would remove: import into a file of its own{example}, or give --force to replace it",
            self.name,
            lost.join(", "),
            writes.shown()
        ))
    }

    /// The file, as named.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The records to carry fields over from, each with its index in the collection (none
    /// for a file that is not JSON).
    pub fn records(self) -> Vec<(usize, Map<String, Value>)> {
        self.records
    }

    /// Its accounts on systems `writes` does not write, counted by system.
    fn other_systems(&self, writes: &Writes<'_>) -> Vec<String> {
        self.accounts
            .iter()
            .filter(|(system, _)| {
                system
                    .as_ref()
                    .is_none_or(|s| !writes.systems.iter().any(|w| w == s))
            })
            .map(|(system, n)| {
                let shown = system
                    .as_ref()
                    .map_or("without a `system_id`".to_owned(), |s| format!("on {s}"));
                format!("{} {shown}", count(*n, "account"))
            })
            .collect()
    }
}

/// `1 account`, `7 accounts`.
fn count(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

/// A JSON value's type, as messages name it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a JSON array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> Input {
        Input::new("out.json".to_owned(), text.to_owned())
    }

    fn okta() -> Writes<'static> {
        Writes {
            collection: "accounts",
            systems: vec!["okta".to_owned()],
        }
    }

    fn read(text: &str, collection: &str) -> Previous {
        let keys = ["system_id".to_owned(), "username".to_owned()];
        let fills = |f: &str| ["system_id", "username", "mfa"].contains(&f);
        Previous::read(&input(text), collection, &keys, fills)
    }

    #[test]
    fn the_same_systems_accounts_are_read_back_with_what_the_import_may_keep() {
        let text = r#"{"accounts": [
            {"system_id": "okta", "username": "a", "mfa": true, "approved_by": "x"},
            {"system_id": "okta", "username": "b", "mfa": true}]}"#;
        let previous = read(text, "accounts");
        assert_eq!(previous.refuse(&okta(), false), Ok(()));
        assert_eq!(
            Value::Array(
                previous
                    .records()
                    .into_iter()
                    .map(|(_, r)| Value::Object(r))
                    .collect()
            ),
            serde_json::json!([{"system_id": "okta", "username": "a", "approved_by": "x"}])
        );
        assert_eq!(read(" \n", "accounts").refuse(&okta(), false), Ok(()));
    }

    #[test]
    fn anything_else_is_refused_unless_forced() {
        let text = r#"{"schema_version": "1", "organization": {}, "people": [{}, {}],
            "accounts": [{"system_id": "aws"}, {"system_id": "aws"}, {"system_id": "okta"}, {}]}"#;
        let err = read(text, "accounts").refuse(&okta(), false).unwrap_err();
        assert_eq!(
            err,
            "out.json: refusing to replace it: it holds `schema_version`, `organization`, `people` (2 records), 1 account without a `system_id`, 2 accounts on aws, which this import (accounts on okta) would remove: import into a file of its own (accounts-okta.json), or give --force to replace it"
        );
        assert_eq!(read(text, "accounts").refuse(&okta(), true), Ok(()));
        let err = read("{\"accounts\": [", "accounts")
            .refuse(&okta(), false)
            .unwrap_err();
        assert!(
            err.starts_with("out.json: refusing to replace it: it is not JSON (line 1, column 15: EOF while parsing a list), so what it holds cannot be told"),
            "{err}"
        );
        // A value of the accounts that is not an object is none of the import's accounts.
        let text = r#"{"accounts": [{"system_id": "okta"}, [{"system_id": "aws"}], 1]}"#;
        let err = read(text, "accounts").refuse(&okta(), false).unwrap_err();
        assert!(
            err.starts_with("out.json: refusing to replace it: it holds 2 values of `accounts` that are not an object, which this import (accounts on okta) would remove:"),
            "{err}"
        );
        let people = Writes {
            collection: "people",
            systems: Vec::new(),
        };
        let err = read("[1]", "people").refuse(&people, false).unwrap_err();
        assert!(err.contains("it holds a JSON array, not a facts document, which this import (people) would remove: import into a file of its own (people.json)"), "{err}");
    }
}
