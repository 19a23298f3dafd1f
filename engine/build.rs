//! Writes the facts schema the engine embeds: `schemas/facts.v1.schema.json` without the
//! keywords that only annotate (`description`, `title`, `examples`, `$comment`), which no
//! check reads, written compactly. The same schema to every check, `jsonschema`'s and the
//! compact checker's; a quarter of the text, which matters in the WebAssembly module.

// The build script runs at build time, on the build machine: the engine's bans on file and
// environment access are about the library it builds, which reads neither.
#![allow(clippy::disallowed_methods)]

use serde_json::{Map, Value};
use std::path::PathBuf;
use std::{env, fs, io};

/// Keywords that only annotate.
const ANNOTATIONS: [&str; 4] = ["description", "title", "examples", "$comment"];

/// Keywords whose value is a map of names to subschemas: the names are data, kept.
const SCHEMA_MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Keywords whose value is one subschema.
const SCHEMA: [&str; 10] = [
    "items",
    "not",
    "if",
    "then",
    "else",
    "additionalProperties",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Keywords whose value is a list of subschemas.
const SCHEMA_LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let source = root.join("../schemas/facts.v1.schema.json");
    println!("cargo:rerun-if-changed={}", source.display());
    let schema: Value = serde_json::from_str(&fs::read_to_string(&source)?)?;
    let out = PathBuf::from(env::var("OUT_DIR").map_err(io::Error::other)?);
    fs::write(
        out.join("facts.v1.schema.json"),
        serde_json::to_string(&strip(schema))?,
    )
}

/// A schema without its annotations; everything that is data (enum and const values,
/// defaults, property names) is kept as it is.
fn strip(schema: Value) -> Value {
    let Value::Object(members) = schema else {
        return schema;
    };
    let mut kept = Map::new();
    for (keyword, value) in members {
        let value = match keyword.as_str() {
            k if ANNOTATIONS.contains(&k) => continue,
            k if SCHEMA_MAPS.contains(&k) => match value {
                Value::Object(named) => {
                    Value::Object(named.into_iter().map(|(n, s)| (n, strip(s))).collect())
                }
                other => other,
            },
            k if SCHEMA.contains(&k) => strip(value),
            k if SCHEMA_LISTS.contains(&k) => match value {
                Value::Array(list) => Value::Array(list.into_iter().map(strip).collect()),
                other => other,
            },
            _ => value,
        };
        kept.insert(keyword, value);
    }
    Value::Object(kept)
}
