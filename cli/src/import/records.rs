//! The records an import writes: one collection of a facts document, each record with the
//! place in the export it came from. Before anything is written they are checked as
//! `attest validate` checks facts (the engine's facts schema, unknown fields refused) and
//! for duplicate keys, every problem reported at the line and column of the export; then
//! they are written sorted by key, so the same export gives the same bytes.

use super::Problem;
use attest_engine::facts::{FactsSchema, LoadOptions};
use attest_engine::{Facts, FactsError, FactsSource};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The export's name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Place {
    /// The place of a byte offset of `text`, the text of `file`.
    pub fn at_offset(file: &str, text: &str, offset: usize) -> Place {
        let (line, column) = attest_cli::inputs::line_col(text, offset);
        Place {
            file: file.to_owned(),
            line,
            column,
        }
    }

    fn problem(&self, message: impl Into<String>) -> Problem {
        Problem::at(&self.file, self.line, self.column, message)
    }
}

/// One record of the output, with where it came from: the row or object as a whole, and
/// each field that came from one cell (by its dotted path, `employment.status`).
#[derive(Debug, Clone)]
pub struct Record {
    /// The record.
    pub value: Map<String, Value>,
    /// Where the record starts in the export.
    pub origin: Place,
    /// Where each field's value came from, when it came from one place.
    fields: Vec<Spot>,
    /// The fields carried over from the file the import replaces, when there are any
    /// ([`Output::carry_over`]): a problem with one of them is placed there.
    carried: Option<Box<Carried>>,
}

/// The fields a record got back from the record of the same key in the file the import
/// replaces, and where that record is.
#[derive(Debug, Clone)]
struct Carried {
    /// The file.
    file: Box<str>,
    /// The JSON Pointer of the record in it (`/accounts/3`).
    pointer: String,
    /// The fields, by name.
    fields: Vec<String>,
}

/// Where a field's value came from: its line and column in the file of the record's
/// origin (a record comes from one row or object of one file). Kept small, as a record
/// has one for each field: no copy of the file's name.
#[derive(Debug, Clone)]
struct Spot {
    /// The field's dotted path.
    path: Box<str>,
    /// 1-based line.
    line: u32,
    /// 1-based column.
    column: u32,
}

impl Record {
    /// A record that starts at `origin`.
    pub fn new(origin: Place) -> Record {
        Record {
            value: Map::new(),
            origin,
            fields: Vec::new(),
            carried: None,
        }
    }

    /// Sets the field at the dotted `path`, creating the objects on the way.
    pub fn set(&mut self, path: &str, value: Value) {
        let mut object = &mut self.value;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                object.insert(part.to_owned(), value);
                return;
            }
            let slot = object
                .entry(part.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            let Value::Object(inner) = slot else {
                return;
            };
            object = inner;
        }
    }

    /// Sets the field at `path` and notes that its value came from `place`.
    pub fn set_from(&mut self, path: &str, value: Value, place: Place) {
        self.set(path, value);
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.fields.push(Spot {
            path: path.into(),
            line: small(place.line),
            column: small(place.column),
        });
    }

    /// When the value at the JSON Pointer `pointer` inside the record is in a field carried
    /// over from the file the import replaces: the problem `message` with it, placed in that
    /// file at its JSON Pointer (the export does not hold it, and its line there is not known).
    fn carried_problem(&self, pointer: &str, message: &str) -> Option<Problem> {
        let carried = self.carried.as_ref()?;
        let pointer = pointer.trim_start_matches('/');
        let field = pointer
            .split('/')
            .next()?
            .replace("~1", "/")
            .replace("~0", "~");
        carried.fields.contains(&field).then(|| {
            Problem::file(
                &carried.file,
                format!(
                    "{}/{pointer}: {message} (a field the export does not give, kept from this file, which the import replaces: correct it there)",
                    carried.pointer
                ),
            )
        })
    }

    /// Where the value at the JSON Pointer `pointer` inside the record came from: the
    /// place of the field it is in, or of the first field inside it, else the record's.
    fn place_of(&self, pointer: &str) -> Place {
        let path = pointer
            .trim_start_matches('/')
            .replace('/', ".")
            .replace("~1", "/")
            .replace("~0", "~");
        let within = self
            .fields
            .iter()
            .filter(|f| *path == *f.path || path.starts_with(&format!("{}.", f.path)))
            .max_by_key(|f| f.path.len());
        let inside = || {
            self.fields
                .iter()
                .find(|f| !path.is_empty() && f.path.starts_with(&format!("{path}.")))
        };
        match within.or_else(inside) {
            Some(spot) => Place {
                file: self.origin.file.clone(),
                line: spot.line as usize,
                column: spot.column as usize,
            },
            None => self.origin.clone(),
        }
    }
}

/// The key fields (`x-key`) of the records of `collection` in a facts schema document.
pub fn key_fields(schema: &Value, collection: &str) -> Vec<String> {
    let items = item_schema(schema, collection);
    items
        .and_then(|i| i.get("x-key"))
        .and_then(Value::as_array)
        .map(|fields| {
            fields
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The schema of the records of `collection` (its `items`, `$ref` followed).
pub fn item_schema<'s>(schema: &'s Value, collection: &str) -> Option<&'s Value> {
    let items = schema.get("properties")?.get(collection)?.get("items")?;
    Some(resolve(schema, items))
}

/// A schema with its `$ref` to `#/$defs/NAME` followed.
pub fn resolve<'s>(root: &'s Value, mut schema: &'s Value) -> &'s Value {
    for _ in 0..8 {
        let target = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .and_then(|name| root.get("$defs")?.get(name));
        match target {
            Some(t) => schema = t,
            None => break,
        }
    }
    schema
}

/// Puts the fields of `object` (and of the objects in it) in the order `schema` declares
/// them, fields it does not declare last: records read the same whatever the export's or
/// the mapping's order.
fn order(object: &mut Map<String, Value>, schema: &Value, root: &Value) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let mut taken: Vec<(String, Value)> = std::mem::take(object).into_iter().collect();
    // Of the size it needs: a map grown one field at a time holds room for twice as many.
    *object = Map::with_capacity(taken.len());
    for (name, property) in properties {
        if let Some(i) = taken.iter().position(|(k, _)| k == name) {
            let (key, mut value) = taken.remove(i);
            if let Value::Object(inner) = &mut value {
                order(inner, resolve(root, property), root);
            }
            object.insert(key, value);
        }
    }
    object.extend(taken);
}

/// The value `value` of the key field `field` of a record of `collection` as keys are
/// compared: an account's username that is an email address in lower case
/// ([`super::accounts::account_key`]), the rest as written.
fn comparable(collection: &str, field: &str, value: &str) -> String {
    match (collection, field) {
        ("accounts", "username") => super::accounts::account_key(value),
        _ => value.to_owned(),
    }
}

/// The facts schema document records are checked against: `schema`'s, else facts-v1's.
pub fn schema_document(schema: Option<&Arc<FactsSchema>>) -> Result<Value, Problem> {
    match schema {
        Some(s) => Ok(s.document().clone()),
        None => serde_json::from_str(attest_engine::facts::FACTS_SCHEMA)
            .map_err(|e| Problem::file("facts-v1", e.to_string())),
    }
}

/// The key of a record: its key fields' values, each a string as written (another value
/// as JSON text, a missing one empty).
fn key_of(value: &Map<String, Value>, fields: &[String]) -> Vec<String> {
    fields
        .iter()
        .map(|f| match value.get(f) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        })
        .collect()
}

/// What [`Output::carry_over`] kept of the records an import replaces.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// How many records got fields back.
    pub records: usize,
    /// The fields they got back, by name.
    pub fields: BTreeSet<String>,
    /// The keys (`aws/old.user`) of the records with such fields that the import no longer
    /// has: what was added to them goes with them.
    pub gone: Vec<String>,
    /// The keys of the records the replaced file has more than once, with different fields
    /// the import does not fill: only the first one's were carried over, and which one was
    /// meant is not for the import to guess.
    pub twice: Vec<String>,
}

/// The fields that date a record's status (`disabled_on`: when the account was disabled),
/// which hold only while it keeps that status.
const STATUS_DATES: [&str; 1] = ["disabled_on"];

/// The records of one collection, as an import makes them.
pub struct Output {
    /// The facts-v1 collection (`accounts`, `people`...).
    pub collection: String,
    /// Its records, in export order.
    pub records: Vec<Record>,
}

impl Output {
    /// Copies onto each record the top-level fields of the `previous` record with the same
    /// key (as keys are compared) that the import does not fill (`fills` is false for them)
    /// and the record lacks: what people add to imported records (`approved_by`) is kept
    /// when the export is imported again. A field that dates the record's status
    /// ([`STATUS_DATES`]: `disabled_on`) is kept only while the status is the previous
    /// record's: an account enabled again has no date it was disabled. `previous` holds
    /// each record with its index in the collection of `file`, the file they come from, where
    /// a problem with a field carried over is placed. A key `previous` has twice with
    /// different such fields is told in [`Kept::twice`] (the first is carried over).
    /// `document` is the facts schema (for the keys).
    pub fn carry_over(
        &mut self,
        previous: Vec<(usize, Map<String, Value>)>,
        file: &str,
        document: &Value,
        fills: impl Fn(&str) -> bool,
    ) -> Kept {
        let fields = key_fields(document, &self.collection);
        let same = |value: &Map<String, Value>| -> Vec<String> {
            fields
                .iter()
                .zip(key_of(value, &fields))
                .map(|(f, v)| comparable(&self.collection, f, &v))
                .collect()
        };
        // By key: the key as written, the record's index, its status, and the fields to
        // carry over.
        type Added = (String, usize, Option<Value>, Map<String, Value>);
        let mut added: HashMap<Vec<String>, Added> = HashMap::new();
        let mut kept = Kept::default();
        for (index, record) in previous {
            let key = (same(&record), key_of(&record, &fields).join("/"));
            let status = record.get("status").cloned();
            let extra: Map<String, Value> = record.into_iter().filter(|(f, _)| !fills(f)).collect();
            if fields.is_empty() || extra.is_empty() {
                continue;
            }
            match added.get(&key.0) {
                Some((_, _, _, first)) if *first != extra => kept.twice.push(key.1),
                Some(_) => {}
                None => {
                    added.insert(key.0, (key.1, index, status, extra));
                }
            }
        }
        for record in &mut self.records {
            let Some((_, index, status, extra)) = added.remove(&same(&record.value)) else {
                continue;
            };
            let same_status = record.value.get("status") == status.as_ref();
            let mut carried = Vec::new();
            for (field, value) in extra {
                if STATUS_DATES.contains(&field.as_str()) && !same_status {
                    continue;
                }
                if !record.value.contains_key(&field) {
                    kept.fields.insert(field.clone());
                    carried.push(field.clone());
                    record.value.insert(field, value);
                }
            }
            if !carried.is_empty() {
                kept.records += 1;
                record.carried = Some(Box::new(Carried {
                    file: file.into(),
                    pointer: format!("/{}/{index}", self.collection),
                    fields: carried,
                }));
            }
        }
        kept.twice.sort();
        kept.twice.dedup();
        kept.gone = added.into_values().map(|(key, ..)| key).collect();
        kept.gone.sort();
        kept
    }

    /// The facts JSON of the records (`{"accounts": [...]}`), sorted by key, after checking
    /// them against `schema` (facts-v1 when `None`): every problem is reported at its place
    /// in the export.
    pub fn finish(mut self, schema: Option<&Arc<FactsSchema>>) -> Result<String, Vec<Problem>> {
        let document = schema_document(schema).map_err(|p| vec![p])?;
        let fields = key_fields(&document, &self.collection);
        if let Some(items) = item_schema(&document, &self.collection) {
            for record in &mut self.records {
                order(&mut record.value, items, &document);
            }
        }
        let key = |r: &Record| key_of(&r.value, &fields);
        // What is one record: the key as compared (an account's email address in any case).
        let same = |r: &Record| -> Vec<String> {
            fields
                .iter()
                .zip(key(r))
                .map(|(f, v)| comparable(&self.collection, f, &v))
                .collect()
        };
        // Stable: records with the same key keep their export order, so the duplicate
        // reported is the later one.
        self.records.sort_by_cached_key(|r| same(r));
        let mut problems = Vec::new();
        for pair in self.records.windows(2) {
            let (first, second) = (&pair[0], &pair[1]);
            if same(first) == same(second) {
                let k = key(second);
                let place = fields
                    .first()
                    .map_or_else(|| second.origin.clone(), |f| second.place_of(f));
                let written = match key(first) == k {
                    true => String::new(),
                    false => format!(
                        " (as {}: an email address names one mailbox, in any case)",
                        key(first).join("/")
                    ),
                };
                problems.push(place.problem(format!(
                    "duplicate key {}/{}: also at {}:{}{written}",
                    self.collection,
                    k.join("/"),
                    first.origin.file,
                    first.origin.line
                )));
            }
        }
        // Moved, not copied: the checks below need only the records' places.
        let items: Vec<Value> = self
            .records
            .iter_mut()
            .map(|r| Value::Object(std::mem::take(&mut r.value)))
            .collect();
        let mut out = Map::new();
        out.insert(self.collection.clone(), Value::Array(items));
        let text = serde_json::to_string_pretty(&Value::Object(out))
            .map_err(|e| vec![Problem::file("output", e.to_string())])?;
        if problems.is_empty() {
            problems = self.check(&text, schema);
        }
        if problems.is_empty() {
            Ok(text + "\n")
        } else {
            Err(problems)
        }
    }

    /// The engine's checks of the output, as a facts file beside an organization, with
    /// each violation placed in the export.
    fn check(&self, text: &str, schema: Option<&Arc<FactsSchema>>) -> Vec<Problem> {
        let org = r#"{"schema_version": "1", "organization": {"name": "import"}}"#;
        let sources = [
            FactsSource {
                name: "organization",
                text: org,
            },
            FactsSource {
                name: "import",
                text,
            },
        ];
        let options = LoadOptions {
            strict: true,
            schema: schema.cloned(),
            ..LoadOptions::default()
        };
        match Facts::load_with(&sources, &options) {
            Ok(_) => Vec::new(),
            Err(FactsError::Invalid(violations)) => violations
                .into_iter()
                .map(|v| {
                    let prefix = format!("/{}/", self.collection);
                    let inside = v.pointer.strip_prefix(&prefix).and_then(|rest| {
                        let (index, field) = rest.split_once('/').unwrap_or((rest, ""));
                        let record = self.records.get(index.parse::<usize>().ok()?)?;
                        Some((record, field))
                    });
                    match inside {
                        Some((record, field)) => {
                            let shown = field.replace('/', ".");
                            let what = if shown.is_empty() {
                                self.collection.clone()
                            } else {
                                format!("{}[].{shown}", self.collection)
                            };
                            let message = format!("{what}: {}", v.message);
                            record
                                .carried_problem(field, &message)
                                .unwrap_or_else(|| record.place_of(field).problem(message))
                        }
                        None => Problem::file("import", v.to_string()),
                    }
                })
                .collect(),
            Err(other) => vec![Problem::file("import", other.to_string())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn place(line: usize, column: usize) -> Place {
        Place {
            file: "x.csv".to_owned(),
            line,
            column,
        }
    }

    fn account(user: &str, line: usize) -> Record {
        let mut r = Record::new(place(line, 1));
        r.set_from("system_id", json!("aws"), place(line, 1));
        r.set_from("username", json!(user), place(line, 1));
        r.set("kind", json!("human"));
        r.set("status", json!("active"));
        r
    }

    #[test]
    fn records_are_sorted_by_key_and_checked() {
        let out = Output {
            collection: "accounts".to_owned(),
            records: vec![account("zoe", 2), account("adam", 3)],
        };
        let text = out.finish(None).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["accounts"][0]["username"], "adam");
        assert!(text.ends_with("]\n}\n"));
    }

    #[test]
    fn duplicates_and_violations_are_placed_in_the_export() {
        let out = Output {
            collection: "accounts".to_owned(),
            records: vec![account("zoe", 2), account("zoe", 5)],
        };
        let problems = out.finish(None).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "x.csv:5:1: duplicate key accounts/aws/zoe: also at x.csv:2"
        );
        let mut bad = account("ann", 7);
        bad.set_from("kind", json!("robot"), place(7, 9));
        bad.set_from("employment.status", json!("x"), place(7, 20));
        let out = Output {
            collection: "accounts".to_owned(),
            records: vec![bad],
        };
        let shown: Vec<String> = out
            .finish(None)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("x.csv:7:9: accounts[].kind: \"robot\" is not one of"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("x.csv:7:20: accounts[].employment: facts-v1 does not define"),
            "{shown:?}"
        );
    }

    /// The object `record` with the members of `extra` added.
    fn with(record: Value, extra: Value) -> Map<String, Value> {
        let mut record = record.as_object().unwrap().clone();
        record.extend(extra.as_object().unwrap().clone());
        record
    }

    #[test]
    fn fields_the_import_does_not_fill_are_carried_over_by_key() {
        let mut out = Output {
            collection: "accounts".to_owned(),
            records: vec![account("Zoe@X.example", 2), account("adam", 3)],
        };
        let previous = |user: &str, extra: Value| {
            with(
                json!({"system_id": "aws", "username": user, "kind": "service"}),
                extra,
            )
        };
        let document = schema_document(None).unwrap();
        let kept = out.carry_over(
            vec![
                (
                    0,
                    previous("zoe@x.example", json!({"approved_by": "1001", "mfa": true})),
                ),
                (1, previous("adam", json!({}))),
                (2, previous("gone", json!({"approved_on": "2026-01-02"}))),
            ],
            "out.json",
            &document,
            |field| ["system_id", "username", "kind", "status", "mfa"].contains(&field),
        );
        assert_eq!(kept.records, 1);
        assert_eq!(kept.fields, BTreeSet::from(["approved_by".to_owned()]));
        assert_eq!(kept.gone, ["aws/gone"]);
        // The export's own fields stay as it gives them, or absent.
        let zoe = &out.records[0].value;
        assert_eq!(zoe["approved_by"], "1001");
        assert_eq!(zoe["kind"], "human");
        assert!(!zoe.contains_key("mfa"));
        assert_eq!(out.records[1].value.len(), 4);
    }

    #[test]
    fn a_key_given_twice_with_other_fields_is_told_and_a_bad_field_kept_is_placed_where_it_was() {
        let fills = |field: &str| ["system_id", "username", "kind", "status"].contains(&field);
        let previous =
            |user: &str, extra: Value| with(json!({"system_id": "aws", "username": user}), extra);
        let document = schema_document(None).unwrap();
        let mut out = Output {
            collection: "accounts".to_owned(),
            records: vec![account("zoe", 2), account("adam", 3)],
        };
        let kept = out.carry_over(
            vec![
                (0, previous("zoe", json!({"approved_by": "1001"}))),
                (1, previous("adam", json!({"approved_by": 5}))),
                (2, previous("zoe", json!({"approved_by": "1002"}))),
                (3, previous("zoe", json!({"approved_by": "1001"}))),
            ],
            "out.json",
            &document,
            fills,
        );
        // The first is carried over; the one that differs is told.
        assert_eq!(kept.twice, ["aws/zoe"]);
        assert_eq!(out.records[0].value["approved_by"], "1001");
        // A value of the replaced file is placed there, not in the export.
        let problems = out.finish(None).unwrap_err();
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with(
                "out.json: /accounts/1/approved_by: accounts[].approved_by: 5 is not of types"
            ),
            "{shown:?}"
        );
        assert!(
            shown[0].ends_with("kept from this file, which the import replaces: correct it there)"),
            "{shown:?}"
        );
    }

    #[test]
    fn nested_fields_are_objects() {
        let mut r = Record::new(place(1, 1));
        r.set("employment.status", json!("active"));
        r.set("employment.start_date", json!("2026-01-01"));
        assert_eq!(
            Value::Object(r.value),
            json!({"employment": {"status": "active", "start_date": "2026-01-01"}})
        );
    }
}
