//! References between records: a field whose schema carries `x-refers-to` names a record of
//! another collection by its key (an account's `system_id` a system, a change's
//! `approved_by` a person). A reference to a record the facts do not have is a warning: the
//! rules that join the two collections find no record there, so a change to a system missing
//! from the inventory, or an approval by someone missing from the people list, would
//! otherwise drop out of their judgement without a word.
//!
//! What refers to what comes from the schema alone, as keys do (`super::keys`): the keyword
//! on a field (or on the `$defs` entry its `$ref` names) gives the collection, whose records
//! must be keyed by one field. The fields of a top-level object (`organization`) may refer
//! too. A null is no reference; a number is compared as keys write it (its JSON text); an
//! object or a list is the schema's to report. A collection the facts do not have is not
//! checked against: its absence makes the rules that need it not applicable already.

use super::keys::{self, Keying, RecordKeys};
use super::tree::{Node, Record, push_escaped, push_index};
use serde_json::Value;

/// The schema keyword that makes a field a reference: the name of the collection whose
/// records it names.
const KEYWORD: &str = "x-refers-to";

/// The referencing fields of a facts schema.
#[derive(Debug)]
pub(crate) struct References(Vec<Reference>);

/// One referencing field.
#[derive(Debug)]
struct Reference {
    /// The top-level collection whose records hold it (or the top-level object).
    collection: String,
    /// The field names from a record to it; a list on the way is walked item by item, and a
    /// list at its end is a list of references.
    path: Vec<String>,
    /// The collection it names a record of, and the one field of that collection's key.
    target: String,
    key: String,
}

impl References {
    /// Reads the references of a facts schema, whose records are keyed as `keying` says;
    /// every keyword naming no collection keyed by one field is an error.
    pub(crate) fn from_schema(schema: &Value, keying: &Keying) -> Result<References, Vec<String>> {
        let mut found = Vec::new();
        let mut errors = Vec::new();
        for (name, property) in keys::properties(schema, schema) {
            let mut walk = Walk {
                root: schema,
                keying,
                collection: name,
                path: Vec::new(),
                refs: Vec::new(),
                found: &mut found,
                errors: &mut errors,
            };
            let mut at = String::from("/properties/");
            push_escaped(&mut at, name);
            walk.schema(property, &mut at).map_err(|e| vec![e])?;
        }
        if errors.is_empty() {
            Ok(References(found))
        } else {
            Err(errors)
        }
    }

    /// Every reference in the facts under `root`, whose records' keys are `keys`, that names
    /// no record, record by record in document order (one record's in the schema's order):
    /// the pointer to it and what is wrong.
    pub(crate) fn dangling(&self, root: &Node, keys: &RecordKeys) -> Vec<(String, String)> {
        let Some(top) = root.as_record() else {
            return Vec::new();
        };
        // The keys of each collection referred to that the facts have.
        let mut ids: Vec<(&str, Option<KeyIndex<'_>>)> = Vec::new();
        for r in &self.0 {
            if !ids.iter().any(|(target, _)| *target == r.target) {
                ids.push((&r.target, keys.index(&r.target)));
            }
        }
        // The records of each collection that refers, in runs checked side by side, and the
        // top-level objects that refer (`organization`), each a run of its own.
        let mut runs = Vec::new();
        for (name, value) in top.fields() {
            let records = match value {
                Node::List(list) => list.items(),
                Node::Record(_) => std::slice::from_ref(value),
                _ => continue,
            };
            let refs: Vec<(&Reference, &KeyIndex<'_>)> = (self.0.iter())
                .filter(|r| r.collection == *name)
                .filter_map(|r| {
                    let (_, known) = ids.iter().find(|(target, _)| *target == r.target)?;
                    Some((r, known.as_ref()?))
                })
                .collect();
            if !refs.is_empty() {
                let refs = std::sync::Arc::new(refs);
                for run in records.chunks(RUN) {
                    runs.push((run, std::sync::Arc::clone(&refs)));
                }
            }
        }
        let found = crate::par::map(runs, |(run, refs)| dangling_in(run, &refs));
        found.into_iter().flatten().collect()
    }
}

/// Records checked for their references in one piece of work.
const RUN: usize = 4096;

/// The references `refs` of the records `run` that name no record.
fn dangling_in(run: &[Node], refs: &[(&Reference, &KeyIndex<'_>)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut trail = Vec::new();
    for record in run.iter().filter_map(Node::as_record) {
        for (r, known) in refs {
            let mut check = |trail: &[Step<'_>], value: &str| {
                // A one-field key's value as the keys of the collection write it.
                if known.contains_key(keys::escaped(value).as_ref()) {
                    return;
                }
                let mut pointer = record.pointer().into_owned();
                for step in trail {
                    match step {
                        Step::Field(name) => {
                            pointer.push('/');
                            push_escaped(&mut pointer, name);
                        }
                        Step::Item(i) => push_index(&mut pointer, *i),
                    }
                }
                let message = format!("no record of {} has the {} `{value}`", r.target, r.key);
                out.push((pointer, message));
            };
            walk(record, &r.path, &mut trail, &mut check);
        }
    }
    out
}

/// The keys of a collection's records ([`RecordKeys::index`]).
type KeyIndex<'a> = foldhash::HashMap<&'a str, usize>;

/// One step from a record to a value inside it.
enum Step<'a> {
    Field(&'a str),
    Item(usize),
}

/// Calls `check` with the steps to, and the key text of, every scalar but null at `path`
/// from `record` (reached by `trail`), walking lists item by item.
fn walk<'a>(
    record: &Record,
    path: &'a [String],
    trail: &mut Vec<Step<'a>>,
    check: &mut dyn FnMut(&[Step<'_>], &str),
) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some(node) = record.get(first) else {
        return;
    };
    trail.push(Step::Field(first));
    walk_node(node, rest, trail, check);
    trail.pop();
}

fn walk_node<'a>(
    node: &Node,
    rest: &'a [String],
    trail: &mut Vec<Step<'a>>,
    check: &mut dyn FnMut(&[Step<'_>], &str),
) {
    match node {
        Node::List(list) => {
            for (i, item) in list.items().iter().enumerate() {
                trail.push(Step::Item(i));
                walk_node(item, rest, trail, check);
                trail.pop();
            }
        }
        Node::Record(record) => walk(record, rest, trail, check),
        // Compared as keys write their values: a number as its JSON text.
        _ if rest.is_empty() => {
            if let Some(value) = node.key_str() {
                check(trail, &value);
            }
        }
        _ => {}
    }
}

/// A walk of one collection's record schema for the fields that refer.
struct Walk<'a, 'f> {
    root: &'a Value,
    keying: &'a Keying,
    collection: &'a str,
    /// The field names from the record to the schema being read.
    path: Vec<String>,
    /// The `$ref`s being followed, so a schema that refers to itself ends.
    refs: Vec<&'a str>,
    found: &'f mut Vec<Reference>,
    /// The keywords naming no collection keyed by one field.
    errors: &'f mut Vec<String>,
}

impl<'a> Walk<'a, '_> {
    /// Reads `schema`, at the JSON Pointer `at` of the schema document.
    fn schema(&mut self, schema: &'a Value, at: &mut String) -> Result<(), String> {
        let target = schema.get("$ref").and_then(Value::as_str);
        let refers = schema.get(KEYWORD);
        let mut outer = None;
        if let Some(target) = target {
            if self.refs.contains(&target) {
                return Ok(());
            }
            self.refs.push(target);
            if refers.is_none() {
                outer = Some(std::mem::replace(at, target.replacen('#', "", 1)));
            }
        }
        let resolved = keys::resolve(schema, self.root)?;
        let len = at.len();
        if let Some(refers) = refers.or_else(|| resolved.get(KEYWORD)) {
            self.reference(refers, at);
        } else if let Some(items) = resolved.get("items") {
            at.push_str("/items");
            self.schema(items, at)?;
        } else {
            for (name, property) in keys::properties(resolved, self.root) {
                at.push_str("/properties/");
                push_escaped(at, name);
                self.path.push(name.to_owned());
                self.schema(property, at)?;
                self.path.pop();
                at.truncate(len);
            }
        }
        at.truncate(len);
        if let Some(outer) = outer {
            *at = outer;
        }
        if target.is_some() {
            self.refs.pop();
        }
        Ok(())
    }

    /// The field at the walk's path refers to the collection `refers` names (the keyword is
    /// in the schema at `at`).
    fn reference(&mut self, refers: &Value, at: &str) {
        let target = refers.as_str().unwrap_or_default();
        let fields = self.keying.collection(target).map(|spec| spec.fields());
        let Some([key]) = fields else {
            self.errors.push(format!(
                "{at}/{KEYWORD}: {refers} is not a collection of the schema keyed by one field"
            ));
            return;
        };
        self.found.push(Reference {
            collection: self.collection.to_owned(),
            path: self.path.clone(),
            target: target.to_owned(),
            key: key.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Facts, FactsSource, LoadOptions};
    use serde_json::json;

    fn references(schema: &Value) -> Result<References, Vec<String>> {
        References::from_schema(schema, &Keying::from_schema(schema).map_err(|e| vec![e])?)
    }

    /// The references of the shipped schema, as `collection: path -> target.key`.
    fn listed(refs: &References) -> Vec<String> {
        (refs.0.iter())
            .map(|r| {
                let path = r.path.join(".");
                format!("{}: {path} -> {}.{}", r.collection, r.target, r.key)
            })
            .collect()
    }

    #[test]
    fn facts_v1_marks_every_field_that_names_a_system_person_vendor_or_policy() {
        let schema = crate::facts::schema_document().unwrap();
        let found = listed(&references(schema).unwrap());
        for expected in [
            "people: manager_id -> people.id",
            "people: policy_acknowledgements.policy_id -> policies.id",
            "accounts: system_id -> systems.id",
            "accounts: person_id -> people.id",
            "policies: approvals.approved_by -> people.id",
            "incidents: vendor_id -> vendors.id",
            "changes: emergency_reviewed_by -> people.id",
            "vulnerabilities: accepted.approved_by -> people.id",
            "keys: system_id -> systems.id",
            "disposals: verified_by -> people.id",
        ] {
            assert!(
                found.contains(&expected.to_owned()),
                "{expected} in {found:#?}"
            );
        }
        assert_eq!(found.len(), 30, "{found:#?}");
    }

    #[test]
    fn a_schema_must_name_a_collection_keyed_by_one_field() {
        let schema = |refers: Value| {
            json!({
                "properties": {
                    "teams": {"type": "array", "items": {"$ref": "#/$defs/team"}},
                    "shifts": {"type": "array", "items": {"$ref": "#/$defs/shift"}}
                },
                "$defs": {
                    "team": {"type": "object", "x-key": ["id"],
                             "properties": {"id": {"type": "string"}}},
                    "shift": {"type": "object", "x-key": ["team", "on"],
                              "properties": {"team": {"type": "string", "x-refers-to": refers},
                                             "on": {"type": "string"}}}
                }
            })
        };
        let ok = references(&schema(json!("teams"))).unwrap();
        assert_eq!(listed(&ok), ["shifts: team -> teams.id"]);
        for (refers, message) in [
            (
                json!("crews"),
                "/$defs/shift/properties/team/x-refers-to: \"crews\" is not a collection of the schema keyed by one field",
            ),
            (
                json!("shifts"),
                "/$defs/shift/properties/team/x-refers-to: \"shifts\" is not a collection of the schema keyed by one field",
            ),
            (
                json!(["teams"]),
                "/$defs/shift/properties/team/x-refers-to: [\"teams\"] is not a collection of the schema keyed by one field",
            ),
        ] {
            assert_eq!(references(&schema(refers)).unwrap_err(), [message]);
        }
        // Every wrong keyword is named, not only the first.
        let mut two = schema(json!("crews"));
        two["$defs"]["team"]["properties"]["lead"] = json!({"type": "string", "x-refers-to": 5});
        assert_eq!(
            references(&two).unwrap_err(),
            [
                "/$defs/team/properties/lead/x-refers-to: 5 is not a collection of the schema keyed by one field",
                "/$defs/shift/properties/team/x-refers-to: \"crews\" is not a collection of the schema keyed by one field",
            ]
        );
    }

    fn warnings(doc: Value) -> Vec<String> {
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let sources = [FactsSource {
            name: "f.json",
            text: &text,
        }];
        // Strict or not, the same warnings: a reference naming no record is no schema violation.
        let strict = LoadOptions {
            strict: true,
            ..LoadOptions::default()
        };
        let strict = Facts::load_with(&sources, &strict).unwrap();
        let facts = Facts::load(&sources).unwrap();
        assert_eq!(facts.warnings(), strict.warnings());
        (facts.warnings().iter()).map(ToString::to_string).collect()
    }

    #[test]
    fn a_reference_naming_no_record_is_a_warning_at_its_record() {
        let doc = json!({
            "schema_version": "1",
            "organization": {"name": "A", "as_of": "2026-06-30"},
            "people": [{"id": "p1", "name": "Ann", "kind": "employee",
                        "employment": {"status": "active"}, "manager_id": null,
                        "policy_acknowledgements": [
                            {"policy_id": "pol-1", "acknowledged_on": "2026-01-02"},
                            {"policy_id": "pol-9", "acknowledged_on": "2026-01-03"}]}],
            "systems": [{"id": "aws", "name": "AWS", "criticality": "high"}],
            "changes": [
                {"id": "c1", "system_id": "aws", "deployed_on": "2026-03-01",
                 "author_id": "p1", "approved_by": "p2"},
                {"id": "c2", "system_id": "gcp", "deployed_on": "2026-03-02",
                 "author_id": "p1", "approved_by": null}
            ],
            "policies": [{"id": "pol-1", "title": "AUP", "approved_on": "2026-01-01", "approvals": [
                {"approved_by": "p1", "approved_on": "2026-01-01"},
                {"approved_by": "p3", "approved_on": "2026-02-01"}]}],
            // No vendors: an incident's vendor is not checked against a collection the facts
            // do not have.
            "incidents": [{"id": "i1", "severity": "sev3", "detected_on": "2026-04-01",
                           "vendor_id": "v-none"}]
        });
        assert_eq!(
            warnings(doc),
            [
                "f.json:8: /people/0/policy_acknowledgements/1/policy_id: no record of policies has the id `pol-9`",
                "f.json:36: /changes/0/approved_by: no record of people has the id `p2`",
                "f.json:43: /changes/1/system_id: no record of systems has the id `gcp`",
                "f.json:52: /policies/0/approvals/1/approved_by: no record of people has the id `p3`",
            ]
        );
    }

    #[test]
    fn numbers_are_compared_as_keys_write_them_and_top_level_objects_refer_too() {
        let schema = json!({
            "properties": {
                "organization": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "ciso": {"type": "string", "x-refers-to": "floors"}}},
                "floors": {"type": "array", "items": {"$ref": "#/$defs/floor"}},
                "rooms": {"type": "array", "items": {"$ref": "#/$defs/room"}}
            },
            "$defs": {
                "floor": {"type": "object", "x-key": ["id"], "properties": {"id": {"type": "integer"}}},
                "room": {"type": "object", "x-key": ["name"], "properties": {
                    "name": {"type": "string"},
                    "floor": {"type": ["integer", "null"], "x-refers-to": "floors"}}}
            }
        });
        let schema = crate::facts::FactsSchema::build("t".to_owned(), schema).unwrap();
        let text = serde_json::to_string_pretty(&json!({
            "organization": {"name": "A", "ciso": "9"},
            "floors": [{"id": 1}, {"id": 2}],
            "rooms": [{"name": "a", "floor": 1}, {"name": "b", "floor": 7}, {"name": "c", "floor": null}]
        }))
        .unwrap();
        let options = LoadOptions {
            schema: Some(std::sync::Arc::new(schema)),
            ..LoadOptions::default()
        };
        let facts = Facts::load_with(
            &[FactsSource {
                name: "f.json",
                text: &text,
            }],
            &options,
        )
        .unwrap();
        let shown: Vec<String> = facts.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "f.json:4:13: /organization/ciso: no record of floors has the id `9`",
                "f.json:19: /rooms/1/floor: no record of floors has the id `7`",
            ]
        );
    }
}
