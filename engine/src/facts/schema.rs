//! The schema a facts document is checked against: facts-v1 as shipped, or facts-v1 with the
//! collections and fields a pack and its bases add (`facts.schema.json`, merged by
//! [`super::extension`]). What reads the schema (the checks, record keys, the fields known
//! for unknown-field warnings, `attest check`'s contract) reads it from one of these, so an
//! extension is known everywhere at once.

use super::fields::KnownFields;
use super::keys::Keying;
use super::references::References;
use super::tree::Node;
use super::validate::lite;
use serde_json::{Map, Value};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A facts schema: facts-v1, plus the collections and fields packs declare. Facts loaded
/// with one (see [`super::LoadOptions`]) are checked against all of it; packs build theirs
/// when they load ([`crate::Pack::facts_schema`]).
pub struct FactsSchema {
    name: String,
    document: Value,
    pub(crate) keying: Arc<Keying>,
    pub(crate) known: KnownFields,
    /// The fields that name a record of another collection.
    pub(crate) references: References,
    checker: Checker,
    /// The collections whose records are checked one at a time, each with its records' schema.
    records: Vec<(String, RecordSchema)>,
}

/// The schema of one collection's records: the facts schema's definitions with a `$ref` to
/// the records' definition, compiled when the collection is first met.
struct RecordSchema {
    document: Value,
    checker: OnceLock<Option<Checker>>,
    /// The compact checker, which also checks records in the rules' tree.
    #[cfg(feature = "jsonschema")]
    lite: OnceLock<Option<lite::Checker>>,
}

/// With the `jsonschema` feature (native hosts), facts are checked by the `jsonschema` crate.
#[cfg(feature = "jsonschema")]
type Checker = jsonschema::Validator;

/// Without it (the WebAssembly module), by [`lite::Checker`], which finds the same
/// violations at a fraction of the size.
#[cfg(not(feature = "jsonschema"))]
type Checker = lite::Checker;

impl fmt::Debug for FactsSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FactsSchema")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl FactsSchema {
    /// facts-v1 as shipped, read once.
    pub(crate) fn shipped() -> Result<&'static Arc<FactsSchema>, String> {
        static SHIPPED: OnceLock<Result<Arc<FactsSchema>, String>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                let document = super::schema_document()?.clone();
                FactsSchema::build("facts-v1".to_owned(), document)
                    .map(Arc::new)
                    .map_err(|e| e.join("; "))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Compiles a whole schema document, named `name` in messages (`facts-v1`,
    /// `facts-v1 + acme`). The compact checker must accept it in every build, so a schema
    /// is usable by every host (the `attest` command and the WebAssembly module) or by none.
    /// Every keyword naming no collection keyed by one field is an error; of the other
    /// problems, the first.
    pub(crate) fn build(name: String, document: Value) -> Result<FactsSchema, Vec<String>> {
        let one = |e: String| vec![e];
        refuse_recursion(&document).map_err(one)?;
        let keying = Keying::from_schema(&document).map_err(one)?;
        let known = KnownFields::from_schema(&document).map_err(one)?;
        let references = References::from_schema(&document, &keying)?;
        #[cfg(feature = "jsonschema")]
        let checker = {
            lite::Checker::new(&document).map_err(one)?;
            crate::schema::compile_value(&document).map_err(one)?
        };
        #[cfg(not(feature = "jsonschema"))]
        let checker = lite::Checker::new(&document).map_err(one)?;
        let records = record_schemas(&document);
        Ok(FactsSchema {
            name,
            document,
            keying: Arc::new(keying),
            known,
            references,
            checker,
            records,
        })
    }

    /// How messages name the schema: `facts-v1`, or `facts-v1 + acme` for facts-v1 with the
    /// extensions of pack `acme` (and its bases', listed before it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole schema as one JSON Schema document: facts-v1 with every extension merged
    /// in (new collections under `properties`, their records under `$defs`, new fields in
    /// the records they extend).
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The top-level keys the schema defines, in its order: facts-v1's
    /// (`schema_version`, `organization`, `people`...), then the collections extensions add.
    pub fn keys(&self) -> Vec<&str> {
        self.document
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every schema violation in `doc`: instance path (JSON Pointer) and message.
    pub(crate) fn violations(&self, doc: &Value) -> Vec<(String, String)> {
        violations(&self.checker, doc)
    }

    /// The checker of a collection's records, when its records can be checked one at a
    /// time: the collection is an array of records whose schema says nothing but its type
    /// and items (`{"type": "array", "items": {"$ref": "#/$defs/person"}}`), so a document's
    /// violations in it are exactly its records' own.
    pub(crate) fn records(&self, collection: &str) -> Option<RecordChecker<'_>> {
        let (_, schema) = self.records.iter().find(|(name, _)| name == collection)?;
        let checker = schema.checker.get_or_init(|| {
            #[cfg(feature = "jsonschema")]
            let checker = crate::schema::compile_value(&schema.document).ok();
            #[cfg(not(feature = "jsonschema"))]
            let checker = lite::Checker::new(&schema.document).ok();
            checker
        });
        #[cfg(feature = "jsonschema")]
        let lite = schema
            .lite
            .get_or_init(|| lite::Checker::new(&schema.document).ok())
            .as_ref()?;
        #[cfg(not(feature = "jsonschema"))]
        let lite = checker.as_ref()?;
        checker
            .as_ref()
            .map(|checker| RecordChecker { checker, lite })
    }
}

/// Checks the records of one collection (see [`FactsSchema::records`]).
#[derive(Clone, Copy)]
pub(crate) struct RecordChecker<'a> {
    checker: &'a Checker,
    lite: &'a lite::Checker,
}

impl RecordChecker<'_> {
    /// Every schema violation in `record`: instance path from the record, and message.
    pub(crate) fn violations(&self, record: &Value) -> Vec<(String, String)> {
        violations(self.checker, record)
    }

    /// Whether `record`, in the rules' tree, has no violation at all (see
    /// [`lite::Checker::accepts`]).
    pub(crate) fn accepts(&self, record: &Node) -> bool {
        self.lite.accepts(record)
    }
}

/// Every violation of `checker`'s schema in `doc`: instance path and message.
fn violations(checker: &Checker, doc: &Value) -> Vec<(String, String)> {
    #[cfg(feature = "jsonschema")]
    {
        // The quick yes/no check first: collecting errors costs more, and valid is the norm.
        if checker.is_valid(doc) {
            return Vec::new();
        }
        checker
            .iter_errors(doc)
            .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
            .collect()
    }
    #[cfg(not(feature = "jsonschema"))]
    {
        checker.check(doc)
    }
}

/// How a reference to one of the schema's definitions starts.
const DEFS: &str = "#/$defs/";

/// The definitions `def` refers to, itself included, directly or through others: all a
/// record schema needs (the checkers compile every definition they are given).
fn reachable(defs: &Map<String, Value>, def: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let mut pending = vec![def.to_owned()];
    while let Some(name) = pending.pop() {
        if out.contains_key(&name) {
            continue;
        }
        let Some(schema) = defs.get(&name) else {
            continue;
        };
        references(schema, &mut pending);
        out.insert(name, schema.clone());
    }
    out
}

/// Refuses a schema one of whose definitions refers to itself, directly or through others:
/// records are flat, and the checks, keys and references follow `$ref`s as far as they go.
fn refuse_recursion(document: &Value) -> Result<(), String> {
    let Some(defs) = document.get("$defs").and_then(Value::as_object) else {
        return Ok(());
    };
    for (name, schema) in defs {
        let mut pending = Vec::new();
        references(schema, &mut pending);
        let mut seen: Vec<String> = Vec::new();
        while let Some(next) = pending.pop() {
            if next == *name {
                return Err(format!(
                    "/$defs/{name}: refers to itself through `$ref`: a facts schema cannot be recursive"
                ));
            }
            if seen.contains(&next) {
                continue;
            }
            if let Some(schema) = defs.get(&next) {
                references(schema, &mut pending);
            }
            seen.push(next);
        }
    }
    Ok(())
}

/// Appends the names of the definitions `schema` refers to.
fn references(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(members) => {
            for (keyword, value) in members {
                match (keyword.as_str(), value) {
                    ("$ref", Value::String(target)) => {
                        out.extend(target.strip_prefix(DEFS).map(str::to_owned));
                    }
                    _ => references(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// Annotations a collection's schema may carry beside its type and items.
const COLLECTION_ANNOTATIONS: [&str; 3] = ["description", "title", "$comment"];

/// The record schema of each collection whose records can be checked one at a time.
fn record_schemas(document: &Value) -> Vec<(String, RecordSchema)> {
    let Some(properties) = document.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    properties
        .iter()
        .filter_map(|(name, property)| {
            let property = property.as_object()?;
            let plain = property.iter().all(|(keyword, _)| {
                keyword == "type"
                    || keyword == "items"
                    || COLLECTION_ANNOTATIONS.contains(&keyword.as_str())
            });
            let target = property
                .get("items")?
                .as_object()
                .filter(|i| i.len() == 1)?
                .get("$ref")?;
            let def = target.as_str()?.strip_prefix(DEFS)?;
            if !plain || property.get("type")? != "array" {
                return None;
            }
            let mut record = Map::new();
            if let Some(dialect) = document.get("$schema") {
                record.insert("$schema".to_owned(), dialect.clone());
            }
            let defs = document.get("$defs").and_then(Value::as_object)?;
            record.insert("$defs".to_owned(), Value::Object(reachable(defs, def)));
            record.insert("$ref".to_owned(), target.clone());
            let schema = RecordSchema {
                document: Value::Object(record),
                checker: OnceLock::new(),
                #[cfg(feature = "jsonschema")]
                lite: OnceLock::new(),
            };
            Some((name.clone(), schema))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_of_facts_v1_has_its_records_checked_one_at_a_time() {
        let schema = FactsSchema::shipped().unwrap();
        let collections: Vec<&str> = schema.keys().into_iter().skip(2).collect();
        assert_eq!(collections.len(), 22);
        for name in collections {
            let checker = schema.records(name);
            let checker = checker.unwrap_or_else(|| panic!("{name}: no record checker"));
            // A record schema compiled with every definition its records reach.
            assert!(
                !checker.violations(&serde_json::json!({})).is_empty(),
                "{name}"
            );
        }
        assert!(schema.records("organization").is_none());
    }

    #[test]
    fn a_schema_that_refers_to_itself_is_refused() {
        let tree = serde_json::json!({
            "properties": {"trees": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            "$defs": {
                "node": {"type": "object", "x-key": ["id"], "properties": {
                    "id": {"type": "string"}, "child": {"$ref": "#/$defs/branch"}}},
                "branch": {"type": "array", "items": {"$ref": "#/$defs/node"}}
            }
        });
        let looped = serde_json::json!({"$defs": {"loop": {"$ref": "#/$defs/loop"}}});
        for (schema, def) in [(tree, "node"), (looped, "loop")] {
            let refused = FactsSchema::build("t".to_owned(), schema).unwrap_err();
            assert_eq!(
                refused[0],
                format!(
                    "/$defs/{def}: refers to itself through `$ref`: a facts schema cannot be recursive"
                )
            );
        }
    }

    #[test]
    fn the_shipped_schema_is_facts_v1_with_its_keys_in_order() {
        let schema = FactsSchema::shipped().unwrap();
        assert_eq!(schema.name(), "facts-v1");
        let keys = schema.keys();
        assert_eq!(keys[..3], ["schema_version", "organization", "people"]);
        assert_eq!(
            keys[3..],
            [
                "systems",
                "accounts",
                "access_reviews",
                "training",
                "vendors",
                "policies",
                "incidents",
                "changes",
                "backups",
                "risk_assessments",
                "evidence",
                "devices",
                "vulnerabilities",
                "pentests",
                "dr_tests",
                "monitoring",
                "data_stores",
                "disposals",
                "privacy_requests",
                "repositories",
                "keys"
            ]
        );
    }
}
