//! The facts schema the engine embeds (`attest_engine::facts::FACTS_SCHEMA`, written by its
//! build script) checks facts exactly as the published `schemas/facts.v1.schema.json` does:
//! only the annotations are left out. Both are run by `jsonschema` over the example
//! organization and over copies of it with every field of every record made wrong.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Map, Value};

/// The example organization's files merged into one document (lists concatenated).
fn example_document() -> Value {
    let mut doc = Map::new();
    for (_, text) in attest_tests::example_sources() {
        let Value::Object(part) = serde_json::from_str(&text).unwrap() else {
            panic!("a facts file is an object");
        };
        for (key, value) in part {
            match (doc.get_mut(&key), value) {
                (Some(Value::Array(list)), Value::Array(more)) => list.extend(more),
                (_, value) => {
                    doc.insert(key, value);
                }
            }
        }
    }
    Value::Object(doc)
}

/// Every error each validator gives `doc`, as (instance path, message), in order.
fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<(String, String)> {
    validator
        .iter_errors(doc)
        .map(|e| (e.instance_path().to_string(), e.to_string()))
        .collect()
}

#[test]
fn the_embedded_schema_checks_as_the_published_one_does() {
    let published: Value = serde_json::from_str(
        &std::fs::read_to_string(attest_tests::repo_root().join("schemas/facts.v1.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let embedded: Value = serde_json::from_str(attest_engine::facts::FACTS_SCHEMA).unwrap();
    assert_ne!(published, embedded, "the annotations are left out");
    assert!(
        attest_engine::facts::FACTS_SCHEMA.len() * 2
            < serde_json::to_string(&published).unwrap().len(),
        "the embedded schema is the compact one"
    );
    // As the engine compiles them: `format` checked (dates, date-times).
    let compile = |schema: &Value| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(schema)
            .unwrap()
    };
    let (published, embedded) = (compile(&published), compile(&embedded));
    let doc = example_document();
    assert_eq!(errors(&embedded, &doc), Vec::new());
    assert_eq!(errors(&published, &doc), Vec::new());
    // Each field of each record's first entry, made of every wrong kind in turn; and each
    // field removed.
    let mut checked = 0;
    let mut failing = 0;
    for (collection, records) in doc.as_object().unwrap() {
        let Some(first) = records.as_array().and_then(|r| r.first()) else {
            continue;
        };
        let Some(fields) = first.as_object() else {
            continue;
        };
        for field in fields.keys() {
            for wrong in [
                Value::Null,
                Value::from(-1),
                Value::from("not-a-date x"),
                Value::from(true),
                serde_json::json!([{"x": 1}]),
                serde_json::json!({"x": 1}),
                Value::from(""),
            ] {
                let mut bad = doc.clone();
                bad[collection][0][field] = wrong;
                let expected = errors(&published, &bad);
                failing += usize::from(!expected.is_empty());
                assert_eq!(errors(&embedded, &bad), expected, "{collection}/0/{field}");
                checked += 1;
            }
            let mut bad = doc.clone();
            bad[collection][0].as_object_mut().unwrap().remove(field);
            assert_eq!(
                errors(&embedded, &bad),
                errors(&published, &bad),
                "{collection}/0 without {field}"
            );
        }
    }
    assert!(checked > 500, "{checked} documents checked");
    assert!(failing * 2 > checked, "{failing} of {checked} are wrong");
}
