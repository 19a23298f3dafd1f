//! Checks a merged facts document against its facts schema (`schemas/facts.v1.schema.json`,
//! with the extensions of the pack when it has some), plus what a JSON Schema cannot say:
//! each record's key unique within its list, and the fields the schema does not define.

use super::error::Problem;
use super::fields::{self, KnownFields};
use super::keys::{self, Column, Duplicate, Keying, RecordKeys};
use super::{SourceMap, Violation};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// The facts schema, as shipped in `schemas/facts.v1.schema.json`, without the keywords that
/// only annotate (`description`, `title`, `examples`, `$comment`: no check reads them) and
/// written compactly (by the crate's build script).
pub const FACTS_SCHEMA: &str = include_str!(concat!(env!("OUT_DIR"), "/facts.v1.schema.json"));

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

/// What checking the records of a collection one at a time found (see `super::records`),
/// in document order.
#[derive(Default)]
pub(super) struct Found {
    /// The records' keys.
    pub(super) keys: Column,
    /// Schema violations: pointer, message and, where the record's text says, the line and
    /// column of what the pointer names (worked out for the violations alone: see
    /// `super::merge`).
    pub(super) violations: Vec<Problem>,
    /// Fields the schema does not define (placed as `violations` are).
    pub(super) unknown: Vec<Problem>,
    /// Duplicate keys in the keyed lists inside the records, with their record's index.
    pub(super) nested: Vec<(usize, Duplicate)>,
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

/// Every violation of the schema `against` in `doc` and in the collections whose records
/// were checked one at a time (`records`, which `doc` holds as empty arrays), in document
/// order (the schema's, then, when `strict`, the fields the schema does not define and the
/// evidence records naming a criterion the pack lacks (`criteria`: pointer and message),
/// then duplicate keys), each located in its source file; when there is none, the key of
/// every record and, unless `strict`, the undefined fields and unknown criteria as warnings.
pub(super) fn check(
    doc: &Value,
    records: Vec<(String, Found)>,
    criteria: Vec<(String, String)>,
    origins: &SourceMap,
    against: &Against<'_>,
    strict: bool,
) -> Result<Checked, Vec<Violation>> {
    // Schema violations in records are placed where the records' text says (`place`), the
    // rest at the record or top-level member.
    let at_place = |pointer, message, place| origins.violation(pointer, message, place);
    // The whole document's checks, and each collection's duplicate keys, side by side.
    let whole = || {
        crate::par::join(
            || {
                let found = (against.violations)(doc).into_iter();
                found.map(|(p, m)| (p, m, None)).collect::<Vec<_>>()
            },
            || {
                crate::par::join(
                    || keys::index(doc, against.keying),
                    || fields::unknown(doc, against.known, against.name),
                )
            },
        )
    };
    let each = || {
        crate::par::map(records, |(name, checked)| {
            let repeated = keys::collection_duplicates(&name, &checked.keys, checked.nested);
            (
                name,
                checked.keys,
                checked.violations,
                checked.unknown,
                repeated,
            )
        })
    };
    let ((mut found, ((mut keys, mut duplicates), mut unknown)), records) =
        crate::par::join(whole, each);
    for (name, column, violations, undefined, repeated) in records {
        found.extend(violations);
        unknown.extend(undefined);
        duplicates.extend(repeated);
        keys.insert(name, column);
    }
    unknown.extend(criteria.into_iter().map(|(p, m)| (p, m, None)));
    let order = DocumentOrder::of(doc);
    order.sort(&mut found, |(pointer, _, _)| pointer);
    order.sort_by_record(&mut unknown, |(pointer, _, _)| pointer);
    order.sort(&mut duplicates, |d| &d.pointer);
    let at = |pointer, message| at_place(pointer, message, None);
    let mut out: Vec<Violation> = (found.into_iter())
        .map(|(p, m, place)| at_place(p, m, place))
        .collect();
    let warnings: Vec<Violation> = (unknown.into_iter())
        .map(|(p, m, place)| at_place(p, m, place))
        .collect();
    let warnings = if strict {
        out.extend(warnings);
        Vec::new()
    } else {
        warnings
    };
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

/// The place of each top-level key in the document, to put what was found in the whole
/// document and in each collection's records back in document order.
struct DocumentOrder<'a>(HashMap<&'a str, usize>);

impl<'a> DocumentOrder<'a> {
    fn of(doc: &'a Value) -> DocumentOrder<'a> {
        let keys = doc.as_object().into_iter().flat_map(|o| o.keys());
        DocumentOrder(keys.enumerate().map(|(i, k)| (k.as_str(), i + 1)).collect())
    }

    /// Sorts `items` by the top-level key their pointer falls under (the document itself
    /// first), keeping the order of those under the same key.
    fn sort<T>(&self, items: &mut [T], pointer: impl Fn(&T) -> &String) {
        // Problems are few: the shared sort, rather than one compiled for each type.
        crate::sorting::sort_by_key(items, |item| self.place(pointer(item)));
    }

    /// The place of the top-level key `pointer` falls under (0 for the document itself).
    fn place(&self, pointer: &str) -> usize {
        let Some(rest) = pointer.strip_prefix('/') else {
            return 0;
        };
        let key = super::unescape(rest.split('/').next().unwrap_or_default());
        self.0.get(key.as_ref()).copied().unwrap_or(usize::MAX)
    }

    /// [`DocumentOrder::sort`], and under one key by the index of the record the pointer
    /// falls in (`3` of `/evidence/3/title`), keeping the order of those in one record.
    fn sort_by_record<T>(&self, items: &mut [T], pointer: impl Fn(&T) -> &String) {
        let record = |p: &String| {
            p.split('/')
                .nth(2)
                .and_then(|i| i.parse::<usize>().ok())
                .unwrap_or(0)
        };
        // Warnings are few: the shared sort, rather than one compiled for this key.
        crate::sorting::sort_by_key(items, |item| {
            (self.place(pointer(item)), record(pointer(item)))
        });
    }
}
