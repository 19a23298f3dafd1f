//! Checks a merged facts document against `schemas/facts.v1.schema.json`, plus what a
//! JSON Schema cannot say: each record's key unique within its list, and the fields the
//! schema does not define.

use super::fields::{self, KnownFields};
use super::keys::{self, Keying, RecordKeys};
use super::{SourceMap, Violation};
use serde_json::Value;
use std::sync::OnceLock;

/// The facts schema, as shipped in `schemas/`.
pub const FACTS_SCHEMA: &str = include_str!("../../../schemas/facts.v1.schema.json");

/// The facts schema as a JSON document, parsed once for everything that reads it (the
/// checks, keys, known fields, the prelude's getters, `attest check`).
pub(crate) fn schema_document() -> Result<&'static Value, String> {
    static DOCUMENT: OnceLock<Result<Value, String>> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| serde_json::from_str(FACTS_SCHEMA).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

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
        .get_or_init(|| lite::Checker::new(schema_document()?))
        .as_ref()
        .map_err(Clone::clone)?;
    Ok(checker.check(doc))
}

/// What the checks found in facts they accept: the key of every record, and the fields
/// facts-v1 does not define (as warnings).
pub(super) struct Checked {
    pub(super) keys: RecordKeys,
    pub(super) warnings: Vec<Violation>,
}

/// Every violation in `doc`, in document order (the schema's, then, when `strict`, the fields
/// facts-v1 does not define, then duplicate keys), each located in its source file; when
/// there is none, the key of every record and, unless `strict`, the undefined fields as
/// warnings.
pub(super) fn check(
    doc: &Value,
    origins: &SourceMap,
    strict: bool,
) -> Result<Checked, Vec<Violation>> {
    let at = |pointer: String, message: String| {
        let origin = origins.locate(&pointer);
        Violation {
            file: origin.as_ref().map(|o| o.file.clone()),
            line: origin.map(|o| o.line),
            pointer,
            message,
        }
    };
    let unusable = |e: String| at(String::new(), format!("the facts schema is unusable: {e}"));
    let (found, (keyed, unknown)) = crate::par::join(
        || schema_violations(doc),
        || {
            crate::par::join(
                || Keying::shipped().map(|keying| keys::index(doc, keying)),
                || KnownFields::shipped().map(|known| fields::unknown(doc, known)),
            )
        },
    );
    let mut out: Vec<Violation> = match found {
        Ok(found) => found.into_iter().map(|(p, m)| at(p, m)).collect(),
        Err(e) => vec![unusable(e)],
    };
    let warnings = match unknown {
        Ok(unknown) => unknown.into_iter().map(|(p, m)| at(p, m)).collect(),
        Err(e) => {
            out.push(unusable(e));
            Vec::new()
        }
    };
    let warnings = if strict {
        out.extend(warnings);
        Vec::new()
    } else {
        warnings
    };
    let keys = match keyed {
        Ok((keys, duplicates)) => {
            out.extend(duplicates.into_iter().map(|d| {
                let first = match origins.locate(&d.first) {
                    Some(o) => format!("{}:{} ({})", o.file, o.line, d.first),
                    None => d.first,
                };
                at(
                    d.pointer,
                    format!("duplicate key {}: also at {first}", d.key),
                )
            }));
            Some(keys)
        }
        Err(e) => {
            out.push(unusable(e));
            None
        }
    };
    match keys {
        Some(keys) if out.is_empty() => Ok(Checked { keys, warnings }),
        _ => Err(out),
    }
}
