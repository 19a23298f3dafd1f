//! The example records `attest init` writes, found again in a project's facts. `attest.toml`
//! records the day init wrote them (`examples = DATE`); from it the same templates, and so
//! the same record keys, are made again, and each facts file still holding some of them is
//! a warning: examples left in place are evaluated like the organization's own records, and
//! would show controls operating that nothing real shows.

use super::super::records_of;
use super::templates::templates;
use attest_engine::Facts;
use attest_engine::facts::{LoadOptions, Violation};
use std::collections::{BTreeMap, BTreeSet};

/// The most keys one warning names before it counts the rest.
const NAMED: usize = 3;

/// One warning per facts file that still holds example records `attest init` wrote on
/// `written_on`, at the first of them, naming their keys; in facts order.
pub fn left(written_on: attest_engine::Date, facts: &Facts) -> Vec<Violation> {
    let Some((examples, collections)) = example_keys(written_on) else {
        return Vec::new();
    };
    // Per file: the first record's place, and the keys of the examples it holds.
    let mut by_file: BTreeMap<String, (u32, String, Vec<String>)> = BTreeMap::new();
    for collection in &collections {
        for (pointer, key) in records_of(facts, collection) {
            if !examples.contains(&key) {
                continue;
            }
            if let Some(origin) = facts.origin(&pointer) {
                let entry = by_file
                    .entry(origin.file.clone())
                    .or_insert_with(|| (origin.line, pointer.clone(), Vec::new()));
                if origin.line < entry.0 {
                    (entry.0, entry.1) = (origin.line, pointer);
                }
                entry.2.push(key);
            }
        }
    }
    let mut warnings: Vec<Violation> = by_file
        .into_iter()
        .map(|(file, (line, pointer, keys))| {
            let named = keys
                .iter()
                .take(NAMED)
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let more = match keys.len().saturating_sub(NAMED) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let (n, records) = match keys.len() {
                1 => ("1".to_owned(), "record"),
                n => (n.to_string(), "records"),
            };
            Violation {
                file: Some(file),
                line: Some(line),
                column: None,
                pointer,
                message: format!(
                    "{n} example {records} `attest init` wrote ({named}{more}) still here: examples are evaluated like your own records and can show controls operating that nothing real shows; replace them with your own, or delete them (see facts/README.md)"
                ),
            }
        })
        .collect();
    attest_engine::sorting::sort_by_key(&mut warnings, |w| (w.file.clone(), w.line));
    warnings
}

/// The keys of the example records init writes on `written_on`, and the collections they
/// are in; `None` when the templates of that day cannot be made again (a date outside the
/// calendar the templates use).
fn example_keys(written_on: attest_engine::Date) -> Option<(BTreeSet<String>, Vec<String>)> {
    let day: jiff::civil::Date = written_on.to_string().parse().ok()?;
    let files = templates(day);
    let mut collections = Vec::new();
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|(name, value)| {
            if let Some(doc) = value.as_object() {
                collections.extend(
                    doc.iter()
                        .filter(|(_, v)| v.is_array())
                        .map(|(k, _)| k.clone()),
                );
            }
            (format!("facts/{name}"), value.to_string())
        })
        .collect();
    let options = LoadOptions {
        unchecked_references: true,
        ..LoadOptions::default()
    };
    let facts = Facts::load_owned(sources, &options).ok()?;
    let keys = collections
        .iter()
        .flat_map(|c| records_of(&facts, c).map(|(_, key)| key))
        .collect();
    Some((keys, collections))
}
