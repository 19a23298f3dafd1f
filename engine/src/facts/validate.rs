//! Checks a merged facts document against `schemas/facts.v1.schema.json`, plus what a
//! JSON Schema cannot say: ids unique within each collection.

use super::{SourceMap, Violation};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The facts schema, as shipped in `schemas/`.
pub const FACTS_SCHEMA: &str = include_str!("../../../schemas/facts.v1.schema.json");

/// Collections whose records carry an `id` that must be unique.
const ID_KEYS: [&str; 6] = [
    "people",
    "systems",
    "vendors",
    "policies",
    "incidents",
    "changes",
];

#[cfg(any(not(feature = "jsonschema"), test))]
mod lite;

/// A violation the schema reports: instance path (JSON Pointer) and message.
type Found = (String, String);

/// With the `jsonschema` feature (native hosts), facts are checked by the `jsonschema` crate.
#[cfg(feature = "jsonschema")]
fn schema_violations(doc: &Value) -> Result<Vec<Found>, String> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    let validator = VALIDATOR
        .get_or_init(|| crate::schema::compile(FACTS_SCHEMA))
        .as_ref()
        .map_err(Clone::clone)?;
    // The quick yes/no check first: collecting errors costs more, and valid is the norm.
    if validator.is_valid(doc) {
        return Ok(Vec::new());
    }
    Ok(validator
        .iter_errors(doc)
        .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
        .collect())
}

/// Without it (the WebAssembly module), by [`lite::Checker`], which finds the same
/// violations at a fraction of the size.
#[cfg(not(feature = "jsonschema"))]
fn schema_violations(doc: &Value) -> Result<Vec<Found>, String> {
    static CHECKER: OnceLock<Result<lite::Checker, String>> = OnceLock::new();
    let checker = CHECKER
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(FACTS_SCHEMA).map_err(|e| e.to_string())?;
            lite::Checker::new(&schema)
        })
        .as_ref()
        .map_err(Clone::clone)?;
    Ok(checker.check(doc))
}

/// Every violation in `doc`, in document order, each located in its source file.
pub(super) fn check(doc: &Value, origins: &SourceMap) -> Vec<Violation> {
    let at = |pointer: String, message: String| {
        let origin = origins.locate(&pointer);
        Violation {
            file: origin.as_ref().map(|o| o.file.clone()),
            line: origin.map(|o| o.line),
            pointer,
            message,
        }
    };
    let mut out: Vec<Violation> = match schema_violations(doc) {
        Ok(found) => found.into_iter().map(|(p, m)| at(p, m)).collect(),
        Err(e) => vec![at(
            String::new(),
            format!("the facts schema is unusable: {e}"),
        )],
    };
    for key in ID_KEYS {
        let Some(items) = doc.get(key).and_then(Value::as_array) else {
            continue;
        };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let Some(id) = item.get("id").and_then(Value::as_str) else {
                continue;
            };
            if let Some(first) = seen.get(id) {
                out.push(at(
                    format!("/{key}/{i}/id"),
                    format!("duplicate id `{id}`: already used by /{key}/{first}"),
                ));
            } else {
                seen.insert(id, i);
            }
        }
    }
    out
}
