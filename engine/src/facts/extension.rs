//! Facts that packs extend. A pack's `facts.schema.json` is a JSON Schema fragment over the
//! facts document that may only add:
//!
//! - top-level collections under `properties`: a list of records (`"type": "array"`) whose
//!   item schema names its key with `x-key`, as facts-v1's own collections do;
//! - fields on what the schema it extends defines, by repeating the path to them:
//!   `"accounts": {"items": {"properties": {"team": {...}}}}` adds `team` to accounts,
//!   `"people": {"items": {"properties": {"employment": {"properties": {...}}}}}` adds fields
//!   to a person's `employment`;
//! - definitions under `$defs`, which its schemas refer to as `#/$defs/NAME` (facts-v1's own
//!   definitions, `date`, `person_ref`..., are there too).
//!
//! It may not change what is defined: a keyword other than `properties` and `items` (and
//! annotations such as `description`) on a node facts-v1 defines, a field defined twice, or
//! a definition name already taken is an error at its place in the extension.

use super::schema::FactsSchema;
use serde_json::{Map, Value};

/// Keywords that only annotate: accepted anywhere, and left out when they would replace the
/// extended schema's own.
const ANNOTATIONS: [&str; 5] = ["$comment", "title", "description", "examples", "$schema"];

/// Keywords the top of an extension may hold.
const TOP: [&str; 7] = [
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "properties",
    "$defs",
];

/// What is wrong with an extension, and where: a JSON Pointer into the extension when the
/// place is in it (empty for the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// Where, in the extension.
    pub(crate) pointer: String,
    /// What is wrong and what is expected.
    pub(crate) message: String,
}

/// `base` extended by `extension`, the `facts.schema.json` of pack `pack`.
pub(crate) fn extend(
    base: &FactsSchema,
    pack: &str,
    extension: &Value,
) -> Result<FactsSchema, Vec<Problem>> {
    let mut document = base.document().clone();
    let mut merged = Merging::default();
    merge(&mut document, extension, base.name(), &mut merged);
    let Merging { problems, added } = merged;
    #[cfg(feature = "jsonschema")]
    let problems = {
        let mut problems = problems;
        structure(extension, &mut problems);
        problems
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let name = format!("{} + {pack}", base.name());
    FactsSchema::build(name, document)
        .map_err(|errors| errors.iter().map(|e| located(e, &added)).collect())
}

/// What merging an extension found: its problems, and the fields it added to the base's
/// records, each as its pointer in the merged schema and in the extension.
#[derive(Default)]
struct Merging {
    problems: Vec<Problem>,
    added: Vec<(String, String)>,
}

/// Every place where `extension` is not a JSON Schema (draft 2020-12), found by checking it
/// against the meta-schema, but where a merge check already said what is wrong: the schema
/// compilers stop at their first error, so the structural errors are all listed before.
#[cfg(feature = "jsonschema")]
fn structure(extension: &Value, problems: &mut Vec<Problem>) {
    let meta = jsonschema::draft202012::meta::validator();
    let found: Vec<Problem> = meta
        .iter_errors(extension)
        .map(|e| Problem {
            pointer: e.instance_path().as_str().to_owned(),
            message: format!("not a JSON Schema (draft 2020-12): {e}"),
        })
        .filter(|p| problems.iter().all(|q| q.pointer != p.pointer))
        .collect();
    problems.extend(found);
}

/// A compile error of the merged schema (`#/$defs/x/...: message` or `/properties/x: ...`),
/// placed at its pointer, which reads the same in the extension for what the extension
/// added, but inside a field it `added` to a record of the base (`/$defs/system/properties/x`
/// in the merged schema is `/properties/systems/items/properties/x` in the extension).
fn located(error: &str, added: &[(String, String)]) -> Problem {
    let (head, rest) = error.split_once(": ").unwrap_or(("", error));
    let pointer = head.strip_prefix('#').unwrap_or(head);
    if pointer.starts_with('/') && !pointer.contains(' ') {
        let moved = added.iter().find_map(|(merged, at)| {
            let inside = pointer.strip_prefix(merged.as_str())?;
            (inside.is_empty() || inside.starts_with('/')).then(|| format!("{at}{inside}"))
        });
        Problem {
            pointer: moved.unwrap_or_else(|| pointer.to_owned()),
            message: rest.to_owned(),
        }
    } else {
        Problem {
            pointer: String::new(),
            message: error.to_owned(),
        }
    }
}

/// Escapes a name as a JSON Pointer segment.
fn segment(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn merge(document: &mut Value, extension: &Value, base: &str, out: &mut Merging) {
    let mut problem =
        |pointer: String, message: String| out.problems.push(Problem { pointer, message });
    let Value::Object(top) = extension else {
        problem(
            String::new(),
            "a facts extension is a JSON object: a JSON Schema with `properties` (new collections, or fields for existing ones) and `$defs`".to_owned(),
        );
        return;
    };
    for key in top.keys().filter(|k| !TOP.contains(&k.as_str())) {
        problem(
            format!("/{}", segment(key)),
            format!(
                "`{key}` is not allowed at the top of a facts extension: it holds `properties` (new collections, or fields for existing ones) and `$defs`"
            ),
        );
    }
    if let Some(defs) = top.get("$defs") {
        match defs {
            Value::Object(defs) => {
                for (name, schema) in defs {
                    let taken = document.get("$defs").and_then(|d| d.get(name)).is_some();
                    if taken {
                        problem(
                            format!("/$defs/{}", segment(name)),
                            format!(
                                "`{name}` is already defined by {base}: give the definition another name"
                            ),
                        );
                    } else if let Some(Value::Object(target)) = document.get_mut("$defs") {
                        target.insert(name.clone(), schema.clone());
                    }
                }
            }
            _ => problem("/$defs".to_owned(), "`$defs` must be an object".to_owned()),
        }
    }
    let Some(properties) = top.get("properties") else {
        return;
    };
    let Value::Object(properties) = properties else {
        problem(
            "/properties".to_owned(),
            "`properties` must be an object".to_owned(),
        );
        return;
    };
    for (name, schema) in properties {
        let at = format!("/properties/{}", segment(name));
        let defined = document
            .get("properties")
            .and_then(|p| p.get(name))
            .is_some();
        if defined {
            let path = vec!["properties".to_owned(), name.clone()];
            add_fields(document, path, schema, &at, name, base, out);
            continue;
        }
        let is_collection = schema.get("type").and_then(Value::as_str) == Some("array")
            && schema.get("items").is_some();
        if !is_collection {
            out.problems.push(Problem {
                pointer: at,
                message: format!(
                    "`{name}` is not defined by {base}, so it is a new collection: give it `\"type\": \"array\"` and `items`, the schema of its records with their key (`x-key`)"
                ),
            });
            continue;
        }
        if let Some(Value::Object(target)) = document.get_mut("properties") {
            target.insert(name.clone(), schema.clone());
        }
    }
}

/// Adds the fields `extension` (at `at` in the extension) declares to the node of
/// `document` at `path` (`$ref`s followed), which is what `place` names in messages.
fn add_fields(
    document: &mut Value,
    path: Vec<String>,
    extension: &Value,
    at: &str,
    place: &str,
    base: &str,
    out: &mut Merging,
) {
    let path = resolve(document, path);
    let Value::Object(extension) = extension else {
        out.problems.push(Problem {
            pointer: at.to_owned(),
            message: format!("the extension of `{place}` must be an object"),
        });
        return;
    };
    for (keyword, value) in extension {
        let here = format!("{at}/{}", segment(keyword));
        match keyword.as_str() {
            k if ANNOTATIONS.contains(&k) => {}
            "items" => {
                if node(document, &path).and_then(|n| n.get("items")).is_none() {
                    out.problems.push(Problem {
                        pointer: here,
                        message: format!("`{place}` is not a list in {base}: it has no `items`"),
                    });
                    continue;
                }
                let mut inner = path.clone();
                inner.push("items".to_owned());
                add_fields(document, inner, value, &here, place, base, out);
            }
            "properties" => {
                let Value::Object(fields) = value else {
                    out.problems.push(Problem {
                        pointer: here,
                        message: "`properties` must be an object".to_owned(),
                    });
                    continue;
                };
                let has_fields = node(document, &path)
                    .and_then(|n| n.get("properties"))
                    .is_some_and(Value::is_object);
                if !has_fields {
                    out.problems.push(Problem {
                        pointer: here,
                        message: format!(
                            "`{place}` has no fields in {base} to add to: only records and the objects in them take new fields"
                        ),
                    });
                    continue;
                }
                for (field, schema) in fields {
                    let field_at = format!("{here}/{}", segment(field));
                    let mut inner = path.clone();
                    inner.push("properties".to_owned());
                    inner.push(field.clone());
                    if node(document, &inner).is_some() {
                        let place = format!("{place}.{field}");
                        add_fields(document, inner, schema, &field_at, &place, base, out);
                    } else if let Some(Value::Object(target)) =
                        node_mut(document, &path).and_then(|n| n.get_mut("properties"))
                    {
                        target.insert(field.clone(), schema.clone());
                        let merged: String =
                            inner.iter().map(|s| format!("/{}", segment(s))).collect();
                        out.added.push((merged, field_at));
                    }
                }
            }
            other => {
                let defined = node(document, &path).is_some_and(|n| n.get(other).is_some());
                let what = if defined {
                    format!("`{other}` of `{place}` is defined by {base}")
                } else {
                    format!("`{other}` cannot be given to `{place}`, which {base} defines")
                };
                out.problems.push(Problem {
                    pointer: here,
                    message: format!(
                        "{what}: an extension adds fields and collections, it does not change them (only `properties` and `items` may lead to new fields)"
                    ),
                });
            }
        }
    }
}

/// `path` with every `$ref` (to `#/$defs/NAME`) along it followed: the path of the node
/// that holds the definition.
fn resolve(document: &Value, mut path: Vec<String>) -> Vec<String> {
    for _ in 0..16 {
        let target = node(document, &path)
            .and_then(|n| n.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"));
        match target {
            Some(name) if document.get("$defs").and_then(|d| d.get(name)).is_some() => {
                path = vec!["$defs".to_owned(), name.to_owned()];
            }
            _ => break,
        }
    }
    path
}

fn node<'v>(document: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(document, |v, key| v.get(key))
}

fn node_mut<'v>(document: &'v mut Value, path: &[String]) -> Option<&'v mut Map<String, Value>> {
    path.iter()
        .try_fold(document, |v, key| v.get_mut(key))?
        .as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shipped() -> &'static FactsSchema {
        FactsSchema::shipped().unwrap()
    }

    fn problems(extension: Value) -> Vec<String> {
        match extend(shipped(), "acme", &extension) {
            Ok(_) => Vec::new(),
            Err(found) => found
                .into_iter()
                .map(|p| format!("{}: {}", p.pointer, p.message))
                .collect(),
        }
    }

    fn oncall() -> Value {
        json!({
            "properties": {
                "oncall": {"type": "array", "items": {"$ref": "#/$defs/rotation"}},
                "accounts": {"items": {"properties": {"team": {"type": "string"}}}},
                "people": {"items": {"properties": {
                    "employment": {"properties": {"grade": {"type": "integer", "minimum": 1}}}
                }}}
            },
            "$defs": {
                "rotation": {
                    "type": "object",
                    "x-key": ["team", "starts_on"],
                    "required": ["team", "starts_on"],
                    "properties": {
                        "team": {"type": "string", "minLength": 1},
                        "starts_on": {"$ref": "#/$defs/date"},
                        "person_id": {"$ref": "#/$defs/person_ref"}
                    }
                }
            }
        })
    }

    #[test]
    fn collections_fields_and_definitions_are_added() {
        let schema = extend(shipped(), "acme", &oncall()).unwrap();
        assert_eq!(schema.name(), "facts-v1 + acme");
        assert_eq!(schema.keys().last(), Some(&"oncall"));
        let doc = schema.document();
        assert_eq!(
            doc["$defs"]["account"]["properties"]["team"],
            json!({"type": "string"})
        );
        let employment = &doc["$defs"]["person"]["properties"]["employment"]["properties"];
        assert_eq!(employment["grade"]["minimum"], 1);
        // What facts-v1 said is still there.
        assert!(employment.get("status").is_some());
        assert_eq!(
            doc["$defs"]["rotation"]["x-key"],
            json!(["team", "starts_on"])
        );
        // A second pack extends the first one's schema.
        let more = json!({"properties": {"oncall": {"items": {"properties": {"pager": {"type": "string"}}}}}});
        let twice = extend(&schema, "acme-eu", &more).unwrap();
        assert_eq!(twice.name(), "facts-v1 + acme + acme-eu");
        assert!(twice.document()["$defs"]["rotation"]["properties"]["pager"].is_object());
    }

    #[test]
    fn what_is_defined_cannot_change() {
        assert_eq!(
            problems(json!({
                "required": ["oncall"],
                "properties": {
                    "accounts": {"type": "object", "items": {"properties": {
                        "mfa": {"type": "string"},
                        "status": {"enum": ["active", "disabled", "locked"]}
                    }}},
                    "organization": {"properties": {"name": {"properties": {"x": {}}}}},
                    "schema_version": {"items": {}},
                    "oncall": {"type": "object"}
                },
                "$defs": {"date": {"type": "string"}}
            })),
            [
                "/required: `required` is not allowed at the top of a facts extension: it holds `properties` (new collections, or fields for existing ones) and `$defs`",
                "/$defs/date: `date` is already defined by facts-v1: give the definition another name",
                "/properties/accounts/type: `type` of `accounts` is defined by facts-v1: an extension adds fields and collections, it does not change them (only `properties` and `items` may lead to new fields)",
                "/properties/accounts/items/properties/mfa/type: `type` of `accounts.mfa` is defined by facts-v1: an extension adds fields and collections, it does not change them (only `properties` and `items` may lead to new fields)",
                "/properties/accounts/items/properties/status/enum: `enum` of `accounts.status` is defined by facts-v1: an extension adds fields and collections, it does not change them (only `properties` and `items` may lead to new fields)",
                "/properties/organization/properties/name/properties: `organization.name` has no fields in facts-v1 to add to: only records and the objects in them take new fields",
                "/properties/schema_version/items: `schema_version` is not a list in facts-v1: it has no `items`",
                "/properties/oncall: `oncall` is not defined by facts-v1, so it is a new collection: give it `\"type\": \"array\"` and `items`, the schema of its records with their key (`x-key`)",
            ]
        );
    }

    #[test]
    fn a_collection_needs_a_key_and_keywords_every_host_checks() {
        let unkeyed = json!({"properties": {"oncall": {"type": "array", "items": {
            "type": "object", "properties": {"team": {"type": "string"}}}}}});
        assert_eq!(
            problems(unkeyed),
            ["/properties/oncall: a list of records must declare its key (x-key)"]
        );
        let any_of = json!({"properties": {"oncall": {"type": "array", "items": {
            "type": "object", "x-key": ["team"],
            "properties": {"team": {"anyOf": [{"type": "string"}]}}}}}});
        assert_eq!(
            problems(any_of),
            ["/properties/oncall/items/properties/team: unsupported keyword `anyOf`"]
        );
        let missing =
            json!({"properties": {"oncall": {"type": "array", "items": {"$ref": "#/$defs/nope"}}}});
        assert_eq!(problems(missing).len(), 1);
        assert_eq!(problems(json!([])).len(), 1);
    }

    #[cfg(feature = "jsonschema")]
    #[test]
    fn every_problem_of_a_schema_is_listed_at_its_place() {
        // Two schemas that are not JSON Schema, and a keyword facts-v1 defines: all three.
        let found = problems(json!({"properties": {
            "oncall": {"type": "array", "items": {
                "type": "object", "x-key": ["team"],
                "properties": {"team": {"type": "strnig"}, "pager": {"minLength": "one"}}}},
            "accounts": {"items": {"properties": {"mfa": {"type": "string"}}}}
        }}));
        let at: Vec<&str> = found
            .iter()
            .map(|p| p.split(": ").next().unwrap())
            .collect();
        assert_eq!(
            at,
            [
                "/properties/accounts/items/properties/mfa/type",
                "/properties/oncall/items/properties/team/type",
                "/properties/oncall/items/properties/pager/minLength",
            ],
            "{found:#?}"
        );
    }

    #[test]
    fn a_keyword_given_to_a_field_of_the_base_is_refused_as_a_change() {
        let found = problems(
            json!({"properties": {"disposals": {"items": {"properties": {
                "asset_id": {"x-refers-to": "devices"},
                "method": {"type": "integer"}
            }}}}}),
        );
        assert_eq!(
            found,
            [
                "/properties/disposals/items/properties/asset_id/x-refers-to: `x-refers-to` cannot be given to `disposals.asset_id`, which facts-v1 defines: an extension adds fields and collections, it does not change them (only `properties` and `items` may lead to new fields)",
                "/properties/disposals/items/properties/method/type: `type` of `disposals.method` is defined by facts-v1: an extension adds fields and collections, it does not change them (only `properties` and `items` may lead to new fields)",
            ]
        );
    }
}
