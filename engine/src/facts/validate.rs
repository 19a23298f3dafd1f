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

fn validator() -> Result<&'static jsonschema::Validator, String> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(FACTS_SCHEMA).map_err(|e| e.to_string())?;
            jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
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
    let mut out: Vec<Violation> = match validator() {
        // The quick yes/no check first: collecting errors costs more, and valid is the norm.
        Ok(v) if v.is_valid(doc) => Vec::new(),
        Ok(v) => v
            .iter_errors(doc)
            .map(|e| at(e.instance_path().as_str().to_owned(), e.to_string()))
            .collect(),
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
