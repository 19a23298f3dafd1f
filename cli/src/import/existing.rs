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

/// The records of `writes`'s collection in `file` (the output the import replaces), to
/// keep what the export does not give. A file that holds anything else is refused, naming
/// what it would lose, unless `force`; so is one that is not JSON (what it holds cannot be
/// told). A file that is empty, or only white space, holds nothing.
pub fn previous(
    file: &Input,
    writes: &Writes<'_>,
    force: bool,
) -> Result<Vec<Map<String, Value>>, String> {
    if file.text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let document = match parse_json(file) {
        Ok(document) => document,
        Err(_) if force => return Ok(Vec::new()),
        Err(problem) => {
            let at = match (problem.line, problem.column) {
                (Some(line), Some(column)) => format!("line {line}, column {column}: "),
                _ => String::new(),
            };
            let error = problem
                .message
                .strip_prefix("invalid JSON: ")
                .unwrap_or(&problem.message);
            return Err(format!(
                "{}: refusing to replace it: it is not JSON ({at}{error}), so what it holds cannot be told: look at it, then remove it or give --force to replace it",
                file.name
            ));
        }
    };
    let lost = lost(&document, writes);
    if !lost.is_empty() && !force {
        let own = writes.own_file();
        let example = match file.name.rsplit('/').next() == Some(own.as_str()) {
            true => String::new(),
            false => format!(" ({own})"),
        };
        return Err(format!(
            "{}: refusing to replace it: it holds {}, which this import ({}) would remove: import into a file of its own{example}, or give --force to replace it",
            file.name,
            lost.join(", "),
            writes.shown()
        ));
    }
    let records = document
        .get(writes.collection)
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_object).cloned().collect())
        .unwrap_or_default();
    Ok(records)
}

/// What of `document` an import of `writes` would remove, as messages name it: other
/// keys (`organization`, `people` (12 records)), and of accounts those on other systems
/// (`7 accounts on aws`).
fn lost(document: &Value, writes: &Writes<'_>) -> Vec<String> {
    let Some(object) = document.as_object() else {
        return vec![format!("{}, not a facts document", json_type(document))];
    };
    let mut lost = Vec::new();
    for (key, value) in object {
        if key == writes.collection {
            match value.as_array() {
                Some(records) if key == "accounts" => lost.extend(other_systems(records, writes)),
                Some(_) => {}
                None => lost.push(format!("`{key}` as {}", json_type(value))),
            }
        } else {
            lost.push(match value.as_array() {
                Some(list) => format!("`{key}` ({})", count(list.len(), "record")),
                None => format!("`{key}`"),
            });
        }
    }
    lost
}

/// The accounts of `records` on systems `writes` does not write, counted by system.
fn other_systems(records: &[Value], writes: &Writes<'_>) -> Vec<String> {
    let mut by_system: BTreeMap<String, usize> = BTreeMap::new();
    for record in records {
        let system = record.get("system_id").and_then(Value::as_str);
        if system.is_some_and(|s| writes.systems.iter().any(|w| w == s)) {
            continue;
        }
        let shown = system.map_or("without a `system_id`".to_owned(), |s| format!("on {s}"));
        *by_system.entry(shown).or_default() += 1;
    }
    by_system
        .into_iter()
        .map(|(system, n)| format!("{} {system}", count(n, "account")))
        .collect()
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

    #[test]
    fn the_same_systems_accounts_are_read_back() {
        let text = r#"{"accounts": [{"system_id": "okta", "username": "a", "approved_by": "x"}]}"#;
        let records = previous(&input(text), &okta(), false).unwrap();
        assert_eq!(records.len(), 1);
        assert!(previous(&input(" \n"), &okta(), false).unwrap().is_empty());
    }

    #[test]
    fn anything_else_is_refused_unless_forced() {
        let text = r#"{"schema_version": "1", "organization": {}, "people": [{}, {}],
            "accounts": [{"system_id": "aws"}, {"system_id": "aws"}, {"system_id": "okta"}, {}]}"#;
        let err = previous(&input(text), &okta(), false).unwrap_err();
        assert_eq!(
            err,
            "out.json: refusing to replace it: it holds `schema_version`, `organization`, `people` (2 records), 2 accounts on aws, 1 account without a `system_id`, which this import (accounts on okta) would remove: import into a file of its own (accounts-okta.json), or give --force to replace it"
        );
        assert_eq!(previous(&input(text), &okta(), true).unwrap().len(), 4);
        let err = previous(&input("{\"accounts\": ["), &okta(), false).unwrap_err();
        assert!(
            err.starts_with("out.json: refusing to replace it: it is not JSON (line 1, column 15: EOF while parsing a list), so what it holds cannot be told"),
            "{err}"
        );
        assert!(previous(&input("{\"accounts\": ["), &okta(), true).is_ok());
        let people = Writes {
            collection: "people",
            systems: Vec::new(),
        };
        let err = previous(&input("[1]"), &people, false).unwrap_err();
        assert!(err.contains("it holds a JSON array, not a facts document, which this import (people) would remove: import into a file of its own (people.json)"), "{err}");
    }
}
