//! The waivers-v1 checks for builds without the `jsonschema` crate (the WebAssembly module):
//! `schemas/waivers.v1.schema.json` written out as code. It finds the same violations, each
//! at the same instance pointer with the message `jsonschema` gives (the `anyOf` of `rule`
//! and `control` worded as the native build words it); the tests hold it to `jsonschema` on a
//! corpus of bad waivers files, so a change to the schema that this file misses fails them.

use crate::date::Date;
use serde_json::{Map, Value};

/// A violation: instance path (JSON Pointer) and message.
type Found = (String, String);

/// The properties a waivers file may have, in the schema's order.
const FILE_FIELDS: [&str; 3] = ["$schema", "schema_version", "waivers"];
/// The properties a waiver may have, in the schema's order.
const WAIVER_FIELDS: [&str; 7] = [
    "rule",
    "control",
    "entity",
    "reason",
    "approved_by",
    "approved_on",
    "expires_on",
];
/// The pattern of dates.
const DATE_PATTERN: &str = r"^\d{4}-\d{2}-\d{2}$";
/// The pattern of an entity: a record key, or a JSON Pointer.
const ENTITY_PATTERN: &str = "^[^/]|^(/([^~/]|~[01])*)*$";

/// Every violation of waivers-v1 in `doc`.
pub(super) fn check(doc: &Value) -> Vec<Found> {
    let mut out = Vec::new();
    let Some(file) = object(doc, "", &mut out) else {
        return out;
    };
    required(file, &["schema_version", "waivers"], "", &mut out);
    additional(file, &FILE_FIELDS, "", &mut out);
    if let Some(v) = file.get("$schema") {
        string(v, "/$schema", &mut out);
    }
    if let Some(v) = file.get("schema_version")
        && v != &Value::from("1")
    {
        out.push(("/schema_version".into(), "\"1\" was expected".into()));
    }
    match file.get("waivers") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                waiver(item, &format!("/waivers/{i}"), &mut out);
            }
        }
        Some(other) => out.push(("/waivers".into(), not_of_type(other, "array"))),
        None => {}
    }
    out
}

fn waiver(doc: &Value, at: &str, out: &mut Vec<Found>) {
    let Some(w) = object(doc, at, out) else {
        return;
    };
    required(
        w,
        &["reason", "approved_by", "approved_on", "expires_on"],
        at,
        out,
    );
    if !w.contains_key("rule") && !w.contains_key("control") {
        out.push((
            at.to_owned(),
            "a waiver names a `rule`, a `control`, or both".to_owned(),
        ));
    }
    additional(w, &WAIVER_FIELDS, at, out);
    for (name, value) in w {
        let here = format!("{at}/{}", escape(name));
        match name.as_str() {
            "rule" | "control" | "reason" | "approved_by" => {
                if let Some(s) = string(value, &here, out)
                    && s.is_empty()
                {
                    out.push((here, "\"\" is shorter than 1 character".to_owned()));
                }
            }
            "entity" => {
                if let Some(s) = string(value, &here, out)
                    && !entity_matches(s)
                {
                    out.push((here, format!("{value} does not match \"{ENTITY_PATTERN}\"")));
                }
            }
            "approved_on" | "expires_on" => {
                if let Some(s) = string(value, &here, out) {
                    if !date_shaped(s) {
                        out.push((
                            here.clone(),
                            format!("{value} does not match \"{DATE_PATTERN}\""),
                        ));
                    }
                    if Date::parse(s).is_none() {
                        out.push((here, format!("{value} is not a \"date\"")));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The value as an object, or a type violation.
fn object<'a>(value: &'a Value, at: &str, out: &mut Vec<Found>) -> Option<&'a Map<String, Value>> {
    match value {
        Value::Object(o) => Some(o),
        other => {
            out.push((at.to_owned(), not_of_type(other, "object")));
            None
        }
    }
}

/// The value as a string, or a type violation.
fn string<'a>(value: &'a Value, at: &str, out: &mut Vec<Found>) -> Option<&'a str> {
    match value {
        Value::String(s) => Some(s),
        other => {
            out.push((at.to_owned(), not_of_type(other, "string")));
            None
        }
    }
}

fn required(o: &Map<String, Value>, names: &[&str], at: &str, out: &mut Vec<Found>) {
    for name in names.iter().filter(|n| !o.contains_key(**n)) {
        out.push((
            at.to_owned(),
            format!("{} is a required property", Value::from(*name)),
        ));
    }
}

/// `additionalProperties: false`: one violation naming every unexpected property.
fn additional(o: &Map<String, Value>, known: &[&str], at: &str, out: &mut Vec<Found>) {
    let extra: Vec<String> = o
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| format!("'{k}'"))
        .collect();
    match extra.as_slice() {
        [] => {}
        [one] => out.push((
            at.to_owned(),
            format!("Additional properties are not allowed ({one} was unexpected)"),
        )),
        many => out.push((
            at.to_owned(),
            format!(
                "Additional properties are not allowed ({} were unexpected)",
                many.join(", ")
            ),
        )),
    }
}

fn not_of_type(value: &Value, kind: &str) -> String {
    format!("{value} is not of type \"{kind}\"")
}

/// `^\d{4}-\d{2}-\d{2}$` (ASCII digits only, as `\d` in ECMA-262 regular expressions).
fn date_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// `^[^/]|^(/([^~/]|~[01])*)*$`: anything not starting with `/` (a key), or a JSON Pointer
/// whose `~` are escapes (`~0`, `~1`).
fn entity_matches(s: &str) -> bool {
    if !s.starts_with('/') {
        return true;
    }
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

/// A property name as a JSON Pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}
