//! Reading the facts sources into one document: each file's top-level values are parsed
//! (the elements of its top-level arrays each on their own, where the outline says where
//! they lie), and their keys merged with the other files' (arrays concatenate). The records
//! of a collection whose schema allows it are checked and converted as they are parsed
//! ([`super::records`]); the rest is kept as parsed, to be checked as a whole.

use super::records::{self, Checks, Collection, Item};
use super::spans::{self, KeyLines, Outline};
use super::texts::Texts;
use super::{
    FactsError, FactsSchema, FactsSource, JsonSyntax, KeyOrigin, SourceMap, ValueText, json,
};
use crate::place::line_col_within;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The sources merged into one document.
#[derive(Default)]
pub(super) struct Merged {
    /// The top-level values, in the order their keys first appear; a collection whose
    /// records were checked one at a time is an empty array here, its records are in
    /// `collections`.
    pub(super) rest: Map<String, Value>,
    /// The collections whose records were checked one at a time.
    pub(super) collections: HashMap<String, Collection>,
    /// Where each top-level value and record came from.
    pub(super) origins: SourceMap,
}

/// A facts source, borrowed or owned.
pub(super) trait Text {
    fn source(&self) -> FactsSource<'_>;
}

impl Text for FactsSource<'_> {
    fn source(&self) -> FactsSource<'_> {
        *self
    }
}

impl Text for (String, String) {
    fn source(&self) -> FactsSource<'_> {
        FactsSource {
            name: &self.0,
            text: &self.1,
        }
    }
}

/// One top-level value of a file, read.
enum Part {
    /// Parsed, to be checked with the whole document.
    Value(Value),
    /// A collection's records, checked and converted.
    Records(Collection),
}

/// Reads each source and merges their top-level keys (arrays concatenate), checking the
/// records of the collections `schema` lets be checked one at a time. Each source is
/// dropped once read (an owned text is freed before the next is read).
pub(super) fn merge<S: Text>(
    sources: impl IntoIterator<Item = S>,
    schema: &FactsSchema,
) -> Result<Merged, FactsError> {
    let mut merged = Merged::default();
    let texts = Texts::new(crate::par::threads());
    for (file, owned) in sources.into_iter().enumerate() {
        let src = owned.source();
        let src = FactsSource {
            text: json::without_bom(src.text),
            ..src
        };
        merged.origins.files.push(src.name.to_owned());
        let outline = spans::scan_top_level(src.text);
        let parts = read(&src, &outline, (schema, &texts), &merged)?;
        let mut lines: HashMap<String, KeyLines> = outline.keys.into_iter().collect();
        for (key, part) in parts {
            let at = lines.remove(&key).unwrap_or_default();
            // An object's text is kept, to place the violations inside it (`SourceMap::place`).
            let object = matches!(&part, Part::Value(Value::Object(_)));
            merged.add(file, src.name, key.clone(), part, &at)?;
            if let Some(entry) = merged.origins.keys.get_mut(&key)
                && object
                && outline.clean
            {
                entry.text = ValueText::of(src.text, &at);
            }
        }
    }
    Ok(merged)
}

impl Merged {
    /// Merges the top-level value `key` of file number `file`, named `name`, which lies at
    /// `at`.
    fn add(
        &mut self,
        file: usize,
        name: &str,
        key: String,
        part: Part,
        at: &KeyLines,
    ) -> Result<(), FactsError> {
        let items = at.items.iter().map(|l| (file, *l));
        match (self.rest.get_mut(&key), part) {
            (Some(Value::Array(existing)), Part::Value(Value::Array(more))) => {
                existing.extend(more);
            }
            (Some(Value::Array(_)), Part::Records(more)) if self.collections.contains_key(&key) => {
                if let Some(records) = self.collections.get_mut(&key) {
                    records.append(more);
                }
            }
            (Some(_), _) => {
                return Err(FactsError::Conflict {
                    first: self.origins.file_of(&key).unwrap_or_default().to_owned(),
                    key,
                    second: name.to_owned(),
                });
            }
            (None, part) => {
                let value = match part {
                    Part::Value(value) => value,
                    Part::Records(records) => {
                        self.collections.insert(key.clone(), records);
                        Value::Array(Vec::new())
                    }
                };
                let origin = KeyOrigin {
                    file,
                    line: at.value,
                    items: Vec::new(),
                    text: None,
                };
                self.origins.keys.insert(key.clone(), origin);
                self.rest.insert(key.clone(), value);
            }
        }
        if let Some(entry) = self.origins.keys.get_mut(&key) {
            entry.items.extend(items);
        }
        Ok(())
    }

    /// How many records collection `key` has so far.
    fn records(&self, key: &str) -> usize {
        self.collections.get(key).map_or(0, |c| c.nodes.len())
    }
}

/// Reads one file's top-level values, in order: in parts where the outline is clean (the
/// records of each checked collection side by side), else parsed whole. A file that is not
/// JSON is reported as serde_json reports it, with its place in the whole file. Records
/// share short strings through `texts`, one table for the whole load.
fn read(
    src: &FactsSource<'_>,
    outline: &Outline,
    (schema, texts): (&FactsSchema, &Texts),
    merged: &Merged,
) -> Result<Vec<(String, Part)>, FactsError> {
    if outline.clean
        && let Ok(parts) = read_outlined(src.text, outline, (schema, texts), merged)
    {
        return Ok(parts);
    }
    let object = parse_whole(src)?;
    object
        .into_iter()
        .map(|(key, value)| {
            let part = match (Checks::new(schema, &key, texts), value) {
                (Some(checks), Value::Array(items)) => {
                    let items = items.into_iter().map(Item::Parsed).collect();
                    let records = checks.check(merged.records(&key), items);
                    Part::Records(records.map_err(|e| syntax(src, &e))?)
                }
                (_, value) => Part::Value(value),
            };
            Ok((key, part))
        })
        .collect()
}

/// The parts of a file whose outline is clean. `Err` when a part does not parse, or a key
/// is given twice: the caller then parses the whole file, which says where.
fn read_outlined(
    text: &str,
    outline: &Outline,
    (schema, texts): (&FactsSchema, &Texts),
    merged: &Merged,
) -> Result<Vec<(String, Part)>, ()> {
    // Each key's value, parsed; the collections' records, checked all together below.
    let mut parts: Vec<(String, Option<Part>)> = Vec::with_capacity(outline.keys.len());
    let mut collections = Vec::new();
    // Where each collection's records lie, and the index of the first.
    let mut outlined = Vec::new();
    for (key, at) in &outline.keys {
        if parts.iter().any(|(seen, _)| seen == key) {
            return Err(());
        }
        let span = |range: &std::ops::Range<usize>| text.get(range.clone()).ok_or(());
        let is_array = text.as_bytes().get(at.span.start) == Some(&b'[');
        match Checks::new(schema, key, texts).filter(|_| is_array) {
            Some(checks) => {
                // Sized ahead: collecting `Result`s would grow the list step by step.
                let mut items = Vec::with_capacity(at.item_spans.len());
                for range in &at.item_spans {
                    items.push(Item::Text(span(range)?));
                }
                collections.push((checks, merged.records(key), items));
                outlined.push((at, merged.records(key)));
                parts.push((key.clone(), None));
            }
            None => {
                let value = json::parse(span(&at.span)?).map_err(|_| ())?;
                parts.push((key.clone(), Some(Part::Value(value))));
            }
        }
    }
    let mut checked = records::check_all(collections).map_err(|_| ())?;
    for (collection, (at, first)) in checked.iter_mut().zip(outlined) {
        let found = &mut collection.found;
        for (pointer, _, placed) in found.violations.iter_mut().chain(&mut found.unknown) {
            *placed = place(text, at, first, pointer);
        }
    }
    let mut checked = checked.into_iter();
    parts
        .into_iter()
        .map(|(key, part)| match part {
            Some(part) => Ok((key, part)),
            None => Ok((key, Part::Records(checked.next().ok_or(())?))),
        })
        .collect()
}

/// The line and column in `text` of the value `pointer` names inside a record of the
/// collection that lies at `at` (its first record the collection's record `first`): the
/// record's own place for the record itself. Worked out for the violations alone, from their
/// record's text.
fn place(text: &str, at: &KeyLines, first: usize, pointer: &str) -> Option<(u32, u32)> {
    // `/people/3/employment/start_date`: the collection, the record, the pointer inside it.
    let rest = pointer.strip_prefix('/')?;
    let rest = &rest[rest.find('/')? + 1..];
    let (index, inside) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let i = index.parse::<usize>().ok()?.checked_sub(first)?;
    line_col_within(
        text,
        at.item_spans.get(i)?.clone(),
        *at.items.get(i)?,
        inside,
    )
}

/// Parses a whole file as one JSON object.
fn parse_whole(src: &FactsSource<'_>) -> Result<Map<String, Value>, FactsError> {
    let value = json::parse(src.text).map_err(|e| syntax(src, &e))?;
    match value {
        Value::Object(object) => Ok(object),
        _ => Err(FactsError::NotAnObject {
            file: src.name.to_owned(),
        }),
    }
}

/// A parser error in `src`.
fn syntax(src: &FactsSource<'_>, e: &serde_json::Error) -> FactsError {
    FactsError::Syntax(JsonSyntax::new(src.name, src.text, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tree;

    /// What a file's parts hold, as text: values as JSON, records by their digest and
    /// everything checking them found.
    fn shown(parts: Vec<(String, Part)>) -> Vec<String> {
        parts
            .into_iter()
            .map(|(key, part)| match part {
                Part::Value(value) => format!("{key}: {value}"),
                Part::Records(records) => {
                    let list = HashMap::from([(key.clone(), records.nodes)]);
                    let root = tree::build(serde_json::json!({ &key: [] }), list);
                    let found = &records.found;
                    // Where a violation is: from a record's text, so only when read in parts.
                    fn unplaced(found: &[crate::facts::error::Problem]) -> Vec<(&String, &String)> {
                        found
                            .iter()
                            .map(|(pointer, message, _)| (pointer, message))
                            .collect()
                    }
                    let violations = unplaced(&found.violations);
                    format!(
                        "{key}: {} {:?} {:?} {:?} {:?}",
                        crate::facts::canonical::digest(&root),
                        found.keys,
                        violations,
                        unplaced(&found.unknown),
                        found.nested
                    )
                }
            })
            .collect()
    }

    #[test]
    fn records_read_in_parts_are_those_of_the_whole_file() {
        let text = r#"{"schema_version": "1", "organization": {"name": "O"},
"people": [
 {"id": "a", "name": "A", "kind": "employee", "employment": {"status": "active"}, "nick": "x"},
 {"id": "b", "name": "B", "kind": "robot", "employment": {"status": "active"},
  "policy_acknowledgements": [{"policy_id": "p", "acknowledged_on": "2026-01-10"}, {"policy_id": "p", "acknowledged_on": "2026-01-10"}]},
 {"id": "c", "name": "C\u00e9", "kind": "contractor", "employment": {"status": "active", "n": [1, 2.5, -0, 1e3]}}
],
"accounts": [], "extra": [1, {"y": null}]}"#;
        let src = FactsSource {
            name: "o.json",
            text,
        };
        let schema = FactsSchema::shipped().unwrap();
        let outline = spans::scan_top_level(text);
        assert!(outline.clean);
        let (merged, texts) = (Merged::default(), Texts::default());
        let parts = read(&src, &outline, (schema, &texts), &merged).unwrap();
        let whole = read(&src, &Outline::default(), (schema, &texts), &merged).unwrap();
        let (parts, whole) = (shown(parts), shown(whole));
        assert_eq!(parts, whole);
        // The records were checked: a violation, an undefined field, a duplicate key inside
        // a record, each at its place in the collection.
        let people = &parts[2];
        assert!(people.starts_with("people: "), "{people}");
        for expected in [
            "(\"/people/1/kind\", ",
            "(\"/people/0/nick\", ",
            "pointer: \"/people/1/policy_acknowledgements/1\"",
        ] {
            assert!(people.contains(expected), "{expected} in {people}");
        }
        assert!(parts[4].starts_with("extra: [1,{"), "{}", parts[4]);
    }

    #[test]
    fn a_string_of_a_few_words_is_shared_by_records_converted_apart() {
        use crate::facts::tree::Node;
        use crate::facts::{Facts, FactsSource};
        // Ids longer than a shared string, so that the cache holds only the few that repeat.
        let people: Vec<String> = (0..1500)
            .map(|i| {
                format!(
                    r#"{{"id": "person-{i:06}-of-the-organization", "name": "P",
                    "kind": "employee",
                    "employment": {{"status": "active", "team": "platform-security"}}}}"#
                )
            })
            .collect();
        let text = format!(
            r#"{{"schema_version": "1", "organization": {{"name": "O"}}, "people": [{}]}}"#,
            people.join(",")
        );
        let load = || {
            let source = FactsSource {
                name: "o.json",
                text: &text,
            };
            Facts::load(&[source]).unwrap()
        };
        // One thread, so one cache: which cache a run takes is otherwise up to the threads.
        #[cfg(feature = "parallel")]
        let facts = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(load);
        #[cfg(not(feature = "parallel"))]
        let facts = load();
        let start = |i: usize| match facts.root().field("people") {
            Some(Node::List(l)) => match l.get(i).and_then(|p| p.path("employment.team")) {
                Some(Node::Str(s)) => s.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        // Records 0 and 1400 are converted in different runs, by different builders: the
        // team is one string all the same (strings of at most 14 bytes are held in place).
        assert!(start(0).ptr_eq(&start(1400)));
    }
}
