//! Checks a merged facts document against its facts schema (`schemas/facts.v1.schema.json`,
//! with the extensions of the pack when it has some), plus what a JSON Schema cannot say:
//! each record's key unique within its list, and the fields the schema does not define.

use super::fields::{self, KnownFields};
use super::keys::{self, Keying, RecordKeys};
use super::{SourceMap, Violation};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

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

// Builds with `jsonschema` check facts with that crate, and use only this checker's
// compiler: every facts schema must compile here too, so that it is usable in every host.
#[cfg_attr(feature = "jsonschema", allow(dead_code))]
pub(super) mod lite;

/// What the checks found in facts they accept: the key of every record, and the fields
/// the schema does not define (as warnings).
pub(super) struct Checked {
    pub(super) keys: RecordKeys,
    pub(super) warnings: Vec<Violation>,
}

/// What facts are checked against: a facts schema's parts (see `super::FactsSchema`).
pub(super) struct Against<'a> {
    /// The schema's violations in a document: instance path and message.
    pub(super) violations: &'a (dyn Fn(&Value) -> Vec<(String, String)> + Sync),
    /// How its records are keyed.
    pub(super) keying: &'a Arc<Keying>,
    /// The fields it defines.
    pub(super) known: &'a KnownFields,
    /// Its name, for messages (`facts-v1`).
    pub(super) name: &'a str,
}

/// Every violation of the schema `against` in `doc`, in document order (the schema's, then,
/// when `strict`, the fields the schema does not define, then duplicate keys), each located
/// in its source file; when there is none, the key of every record and, unless `strict`, the
/// undefined fields as warnings.
pub(super) fn check(
    doc: &Value,
    origins: &SourceMap,
    against: &Against<'_>,
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
    let (found, (keyed, unknown)) = crate::par::join(
        || (against.violations)(doc),
        || {
            crate::par::join(
                || keys::index(doc, against.keying),
                || fields::unknown(doc, against.known, against.name),
            )
        },
    );
    let mut out: Vec<Violation> = found.into_iter().map(|(p, m)| at(p, m)).collect();
    let warnings: Vec<Violation> = unknown.into_iter().map(|(p, m)| at(p, m)).collect();
    let warnings = if strict {
        out.extend(warnings);
        Vec::new()
    } else {
        warnings
    };
    let (keys, duplicates) = keyed;
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
    if out.is_empty() {
        Ok(Checked { keys, warnings })
    } else {
        Err(out)
    }
}
