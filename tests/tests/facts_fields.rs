//! The facts the repository ships use only the fields facts-v1 defines: a field it does not
//! define is a warning for `attest eval` (and an error with `--strict`), and in a rule's
//! case it would test the rule with the real field absent. The example organization's
//! references name records it has (a rule's cases leave records out on purpose: they are
//! loaded as rule cases are, without that check).

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::facts::LoadOptions;
use attest_engine::{Facts, FactsSource};
use serde_json::Value;

#[test]
fn the_example_organization_defines_every_field() {
    let warnings: Vec<String> = attest_tests::example_facts()
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(warnings, Vec::<String>::new());
}

#[test]
fn every_case_of_the_soc2_pack_defines_every_field() {
    let mut warnings = Vec::new();
    let mut cases = 0;
    for file in attest_tests::soc2_files() {
        if !file.path.ends_with(".cases.json") {
            continue;
        }
        let list: Vec<Value> = serde_json::from_str(&file.text).unwrap();
        for case in list {
            let mut facts = case["facts"].as_object().cloned().unwrap_or_default();
            facts
                .entry("schema_version")
                .or_insert_with(|| Value::from("1"));
            facts
                .entry("organization")
                .or_insert_with(|| serde_json::json!({"name": "Case"}));
            let text = Value::Object(facts).to_string();
            let name = format!("{} ({})", file.path, case["name"]);
            let source = FactsSource {
                name: &name,
                text: &text,
            };
            let options = LoadOptions {
                unchecked_references: true,
                ..LoadOptions::default()
            };
            let loaded =
                Facts::load_with(&[source], &options).unwrap_or_else(|e| panic!("{name}: {e}"));
            warnings.extend(loaded.warnings().iter().map(ToString::to_string));
            cases += 1;
        }
    }
    assert!(cases > 100, "{cases} cases");
    assert_eq!(warnings, Vec::<String>::new());
}
