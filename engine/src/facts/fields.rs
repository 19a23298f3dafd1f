//! Fields the facts schema does not define: `mfa_enabled` where facts-v1 says `mfa`. The
//! schema allows them (collectors carry more than rules need), but a misspelt field leaves
//! the real one absent, so every rule that reads it sees nothing; the engine finds them and
//! reports each one, with the closest defined field.
//!
//! What is defined comes from the schema alone: the `properties` of each object, following
//! `$ref`s into `$defs`, through nested objects (`employment`, `contract`) and lists of
//! records (`policy_acknowledgements`). Annotations (`x-key`, `description`...) are not
//! fields. An object whose schema lists no `properties` accepts any field.

use super::error::Problem;
use super::keys::resolve;
use super::tree::{Node, PlacesOf, new_list_number, push_escaped, push_index};
use serde_json::Value;
use std::collections::HashMap;

/// The fields defined at every place of a facts document. The check takes it as a whole,
/// so fields from elsewhere (the extensions a pack declares) can join the schema's.
#[derive(Debug)]
pub(crate) struct KnownFields {
    root: Shape,
}

/// What the schema says of a value's members.
#[derive(Debug)]
enum Shape {
    /// Nothing: a scalar, or an object or list whose members are not listed.
    Open,
    /// An object with these fields, in the schema's order, and a number no other object's
    /// list of fields of this process has.
    Object(u64, Vec<(String, Shape)>),
    /// A list whose items have this shape.
    List(Box<Shape>),
}

impl KnownFields {
    /// Reads the fields a facts schema defines.
    pub(crate) fn from_schema(schema: &Value) -> Result<KnownFields, String> {
        Ok(KnownFields {
            root: shape(schema, schema, &mut Vec::new())?,
        })
    }
}

/// The shape of `schema`; `refs` are the `$ref`s being followed, so a schema that refers
/// to itself ends (as an open shape) instead of looping.
fn shape<'a>(schema: &'a Value, root: &'a Value, refs: &mut Vec<&'a str>) -> Result<Shape, String> {
    let target = schema.get("$ref").and_then(Value::as_str);
    if let Some(target) = target {
        if refs.contains(&target) {
            return Ok(Shape::Open);
        }
        refs.push(target);
    }
    let resolved = resolve(schema, root)?;
    let out = if let Some(properties) = resolved.get("properties").and_then(Value::as_object) {
        let fields = properties
            .iter()
            .map(|(name, property)| Ok((name.clone(), shape(property, root, refs)?)))
            .collect::<Result<_, String>>()?;
        Shape::Object(new_list_number(), fields)
    } else if let Some(items) = resolved.get("items") {
        Shape::List(Box::new(shape(items, root, refs)?))
    } else {
        Shape::Open
    };
    if target.is_some() {
        refs.pop();
    }
    Ok(out)
}

/// Every field of `doc` that `known` does not define, in document order, as (JSON Pointer,
/// message naming the schema as `schema`, `facts-v1`, no place). The fields inside an
/// unknown field are not looked at.
pub(crate) fn unknown(doc: &Value, known: &KnownFields, schema: &str) -> Vec<Problem> {
    let mut messages = Messages::default();
    let mut walk = Walk {
        schema,
        base: "",
        in_base: 0,
        steps: Vec::new(),
        out: Vec::new(),
        messages: &mut messages,
    };
    walk.value(doc, &known.root);
    walk.out
}

/// The unknown fields of one collection's records, looked at one record at a time.
pub(crate) struct RecordFields<'s> {
    collection: &'s str,
    items: &'s Shape,
    schema: &'s str,
    messages: Messages,
}

impl<'s> RecordFields<'s> {
    /// For the records of `collection`, which `known` defines as a list (`None` otherwise).
    pub(crate) fn new(
        known: &'s KnownFields,
        collection: &'s str,
        schema: &'s str,
    ) -> Option<Self> {
        let Shape::Object(_, fields) = &known.root else {
            return None;
        };
        let Some((_, Shape::List(items))) = fields.iter().find(|(name, _)| name == collection)
        else {
            return None;
        };
        Some(RecordFields {
            collection,
            items,
            schema,
            messages: Messages::default(),
        })
    }

    /// Appends to `out` the fields of `record`, at `pointer` (`/accounts/3`), that the schema
    /// does not define, as [`unknown`] finds them.
    pub(crate) fn unknown<T: Tree>(&mut self, record: &T, pointer: &str, out: &mut Vec<Problem>) {
        let mut steps = Vec::with_capacity(8);
        steps.push(Step::Field(self.collection, true));
        let mut walk = Walk {
            schema: self.schema,
            base: pointer,
            in_base: 1,
            steps,
            out: std::mem::take(out),
            messages: &mut self.messages,
        };
        walk.value(record, self.items);
        *out = walk.out;
    }
}

/// A document as the walk reads it: a parsed value, or the rules' tree.
pub(crate) trait Tree: Sized {
    /// An object's members, in document order.
    fn members(&self) -> Option<impl Iterator<Item = (&str, &Self)>>;
    /// An array's items.
    fn items(&self) -> Option<&[Self]>;
    /// For an object: the place in the list of fields numbered `list` of each member, in
    /// order, as `place_of` gives it, when the tree keeps it for the objects with the same
    /// names (`None`: look each member up).
    fn places(
        &self,
        _list: u64,
        _place_of: impl Fn(&str) -> Option<usize>,
    ) -> Option<&[Option<usize>]> {
        None
    }
}

impl Tree for Value {
    fn members(&self) -> Option<impl Iterator<Item = (&str, &Self)>> {
        Some(self.as_object()?.iter().map(|(k, v)| (k.as_str(), v)))
    }

    fn items(&self) -> Option<&[Self]> {
        self.as_array().map(Vec::as_slice)
    }
}

impl Tree for Node {
    fn members(&self) -> Option<impl Iterator<Item = (&str, &Self)>> {
        Some(self.as_record()?.fields().map(|(k, v)| (k.as_str(), v)))
    }

    fn items(&self) -> Option<&[Self]> {
        match self {
            Node::List(l) => Some(l.items()),
            _ => None,
        }
    }

    fn places(
        &self,
        list: u64,
        place_of: impl Fn(&str) -> Option<usize>,
    ) -> Option<&[Option<usize>]> {
        self.as_record()?.places(PlacesOf::Defined, list, place_of)
    }
}

/// The message for each unknown field at each place (by the address of the place's shape):
/// collectors that add a field add it to every record, and the closest defined field is
/// worth working out once.
#[derive(Default)]
struct Messages(HashMap<usize, HashMap<String, String>>);

/// A walk through the document: where it is, and what it found.
/// One step of a walk down a document: into a field (with whether it is a list), or to an
/// item of a list.
enum Step<'a> {
    Field(&'a str, bool),
    Index(usize),
}

struct Walk<'a, 'm> {
    /// The schema's name, for messages.
    schema: &'a str,
    /// The JSON Pointer of the value the walk started at.
    base: &'a str,
    /// How many of the first steps `base` holds already.
    in_base: usize,
    /// The steps from there to here: written out as a pointer only for an unknown field.
    steps: Vec<Step<'a>>,
    out: Vec<Problem>,
    messages: &'m mut Messages,
}

impl<'a> Walk<'a, '_> {
    fn value<T: Tree + 'a>(&mut self, value: &'a T, shape: &'a Shape) {
        match shape {
            Shape::Object(list, fields) => {
                if let Some(members) = value.members() {
                    let places =
                        value.places(*list, |name| fields.iter().position(|(f, _)| f == name));
                    self.object(members, places, fields, std::ptr::from_ref(shape) as usize);
                }
            }
            Shape::List(items) => {
                for (i, item) in value.items().unwrap_or_default().iter().enumerate() {
                    self.steps.push(Step::Index(i));
                    self.value(item, items);
                    self.steps.pop();
                }
            }
            // A value of another type is the schema check's to report.
            Shape::Open => {}
        }
    }

    /// The members of an object whose defined `fields` are those of the shape at address
    /// `place` (which tells places apart for the messages' cache), with the place in
    /// `fields` of each member when the tree keeps it.
    fn object<T: Tree + 'a>(
        &mut self,
        members: impl Iterator<Item = (&'a str, &'a T)>,
        places: Option<&[Option<usize>]>,
        fields: &'a [(String, Shape)],
        place: usize,
    ) {
        for (k, (name, member)) in members.enumerate() {
            let defined = match places {
                Some(places) => places.get(k).copied().flatten().and_then(|i| fields.get(i)),
                None => fields.iter().find(|(field, _)| field == name),
            };
            match defined {
                // A field whose members are not listed (a string, a date) has none to look at.
                Some((_, Shape::Open)) => {}
                Some((_, shape)) => {
                    self.steps
                        .push(Step::Field(name, matches!(shape, Shape::List(_))));
                    self.value(member, shape);
                    self.steps.pop();
                }
                None => {
                    let known = self.messages.0.get(&place).and_then(|m| m.get(name));
                    let message = match known {
                        Some(message) => message.clone(),
                        None => {
                            let message = self.message(name, fields);
                            let at = self.messages.0.entry(place).or_default();
                            at.insert(name.to_owned(), message.clone());
                            message
                        }
                    };
                    let pointer = self.pointer(name);
                    self.out.push((pointer, message, None));
                }
            }
        }
    }

    /// The JSON Pointer of field `name` of the value the walk is at.
    fn pointer(&self, name: &str) -> String {
        let mut pointer = self.base.to_owned();
        for step in self.steps.iter().skip(self.in_base) {
            match step {
                Step::Field(field, _) => {
                    pointer.push('/');
                    push_escaped(&mut pointer, field);
                }
                Step::Index(i) => push_index(&mut pointer, *i),
            }
        }
        pointer.push('/');
        push_escaped(&mut pointer, name);
        pointer
    }

    /// "facts-v1 does not define `x` for accounts; did you mean `y`?", the field named as
    /// it is written (formats people read show its control characters escaped, as they show
    /// every message).
    fn message(&self, name: &str, fields: &[(String, Shape)]) -> String {
        let hint = crate::suggest::did_you_mean(name, fields.iter().map(|(f, _)| f.as_str()));
        let place: Vec<(&str, bool)> = self
            .steps
            .iter()
            .filter_map(|step| match step {
                Step::Field(field, list) => Some((*field, *list)),
                Step::Index(_) => None,
            })
            .collect();
        if place.is_empty() {
            return format!(
                "{} does not define `{name}` at the top level{hint}",
                self.schema
            );
        }
        // `people[].employment`: a list's items are written `[]`, but for the innermost
        // list, whose records hold the field (`accounts`, not `accounts[]`).
        let last = place.len() - 1;
        let mut shown_place = String::new();
        for (i, (field, list)) in place.iter().enumerate() {
            if i > 0 {
                shown_place.push('.');
            }
            shown_place.push_str(field);
            if *list && i < last {
                shown_place.push_str("[]");
            }
        }
        format!(
            "{} does not define `{name}` for {shown_place}{hint}",
            self.schema
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(doc: &Value) -> Vec<String> {
        let schema = crate::facts::FactsSchema::shipped().unwrap();
        unknown(doc, &schema.known, schema.name())
            .into_iter()
            .map(|(pointer, message, _)| format!("{pointer}: {message}"))
            .collect()
    }

    #[test]
    fn fields_the_schema_defines_are_known_everywhere() {
        let doc = json!({
            "schema_version": "1",
            "organization": {"name": "A", "as_of": "2026-06-30", "scope": ["security"]},
            "people": [{"id": "p1", "name": "N", "kind": "employee",
                        "employment": {"status": "active", "end_date": null},
                        "background_check": null,
                        "policy_acknowledgements": [{"policy_id": "x", "acknowledged_on": "2026-01-01"}]}],
            "vendors": [{"id": "v", "name": "V", "risk_tier": "low", "data_access": ["pii"],
                         "assurance": {"soc2_type": null}, "contract": {"right_to_audit": true}}],
            "accounts": [{"system_id": "s", "username": "u", "kind": "human", "status": "active", "mfa": true}]
        });
        assert_eq!(found(&doc), Vec::<String>::new());
    }

    #[test]
    fn unknown_fields_are_found_in_document_order_with_the_closest_field() {
        let doc = json!({
            "schema_version": "1",
            "acounts": [{"anything": 1}],
            "organization": {"name": "A", "asof": "2026-06-30"},
            "accounts": [
                {"system_id": "s", "username": "u", "kind": "human", "status": "active"},
                {"system_id": "s", "username": "v", "kind": "human", "status": "active",
                 "mfa_enabled": true, "disabled": false, "x-key": ["y"]}
            ],
            "people": [{"id": "p1", "name": "N", "kind": "employee",
                        "employment": {"status": "active", "enddate": "2026-01-01"},
                        "policy_acknowledgements": [
                            {"policy_id": "x", "acknowledged_on": "2026-01-01"},
                            {"policy": "y", "acknowledged_on": "2026-01-01"}
                        ]}],
            "vendors": [{"id": "v", "name": "V", "risk_tier": "low",
                         "contract": {"signed_on": null, "dpa": true, "a/b~c": 1}}]
        });
        assert_eq!(
            found(&doc),
            [
                "/acounts: facts-v1 does not define `acounts` at the top level; did you mean `accounts`?",
                "/organization/asof: facts-v1 does not define `asof` for organization; did you mean `as_of`?",
                "/accounts/1/mfa_enabled: facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?",
                "/accounts/1/disabled: facts-v1 does not define `disabled` for accounts; did you mean `disabled_on`?",
                "/accounts/1/x-key: facts-v1 does not define `x-key` for accounts",
                "/people/0/employment/enddate: facts-v1 does not define `enddate` for people[].employment; did you mean `end_date`?",
                "/people/0/policy_acknowledgements/1/policy: facts-v1 does not define `policy` for people[].policy_acknowledgements; did you mean `policy_id`?",
                "/vendors/0/contract/dpa: facts-v1 does not define `dpa` for vendors[].contract",
                "/vendors/0/contract/a~1b~0c: facts-v1 does not define `a/b~c` for vendors[].contract",
            ]
        );
    }

    #[test]
    fn values_of_another_type_and_names_that_are_not_printable() {
        // A record that is not an object, or a list that is not a list: the schema's to
        // report, not this check's.
        let doc = json!({"people": [3, {"employment": "x"}], "accounts": {"mfa": 1}});
        assert_eq!(found(&doc), Vec::<String>::new());
        let doc = json!({"organization": {"name\u{1b}[2J": 1}});
        assert_eq!(
            found(&doc),
            [
                "/organization/name\u{1b}[2J: facts-v1 does not define `name\u{1b}[2J` for organization; did you mean `name`?"
            ]
        );
    }

    #[test]
    fn objects_without_properties_are_open_and_references_end() {
        let schema = json!({
            "properties": {
                "open": {"type": "object"},
                "tree": {"$ref": "#/$defs/node"}
            },
            "$defs": {"node": {"type": "object", "properties": {
                "name": {}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}
            }}}
        });
        let known = KnownFields::from_schema(&schema).unwrap();
        let doc = json!({"open": {"x": 1}, "tree": {"name": "a", "nme": 1,
                          "children": [{"name": "b", "children": [{"anything": 1}]}]}});
        let found: Vec<String> = unknown(&doc, &known, "t")
            .into_iter()
            .map(|(p, _, _)| p)
            .collect();
        assert_eq!(found, ["/tree/nme"]);
        let bad = json!({"properties": {"x": {"$ref": "#/$defs/nope"}}});
        assert!(KnownFields::from_schema(&bad).is_err());
    }
}
