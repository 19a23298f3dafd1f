//! The JS wrapper and the module in Node 20 (`wasm/test/api.test.mjs`), with every request
//! of the parity set (the example organization, with an audit period and a sample too, and
//! every rule case) checked byte for byte against the native engine. Needs `node` on the
//! PATH.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::cases::{Case, DEFAULT_CASE_AS_OF};
use attest_engine::{EvalOptions, Facts, FactsSource};
use attest_wasm_host::{repo_root, sources_json};
use serde_json::{Value, json};

/// (name, call, request, expected response) for the example and every rule case.
fn parity_set() -> Vec<Value> {
    let engine = attest_tests::soc2_engine();
    let mut out = Vec::new();
    let sources = attest_tests::example_sources();
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    let facts = Facts::load(&refs).unwrap();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    out.push(json!({
        "name": "examples/acme",
        "call": "evaluate",
        "request": format!(r#"{{"facts":{}}}"#, sources_json(&sources)),
        "expected": format!(
            r#"{{"ok":true,"report":{},"warnings":{}}}"#,
            report.to_json(),
            serde_json::to_string(facts.warnings()).unwrap()
        ),
    }));
    // The audit period given by the request, with populations, and a sample drawn from it.
    let period = attest_engine::Period::parse("2026-04-01..2026-06-30").unwrap();
    let options = EvalOptions::default()
        .with_period(Some(period))
        .with_populations(true);
    let report = engine.evaluate(&facts, &options).unwrap();
    out.push(json!({
        "name": "examples/acme, period 2026-04-01..2026-06-30, populations",
        "call": "evaluate",
        "request": format!(
            r#"{{"facts":{},"period":"2026-04-01..2026-06-30","populations":true}}"#,
            sources_json(&sources)
        ),
        "expected": format!(
            r#"{{"ok":true,"report":{},"warnings":{}}}"#,
            report.to_json(),
            serde_json::to_string(facts.warnings()).unwrap()
        ),
    }));
    let (sample, _) = engine
        .sample("changes.approval", &facts, &options, Some(4), 7)
        .unwrap()
        .unwrap();
    out.push(json!({
        "name": "examples/acme, a sample of changes.approval",
        "call": "evaluate",
        "request": format!(
            r#"{{"facts":{},"period":"2026-04-01..2026-06-30","sample":{{"rule":"changes.approval","seed":7,"size":4}}}}"#,
            sources_json(&sources)
        ),
        "expected": format!(
            r#"{{"ok":true,"sample":{},"warnings":{}}}"#,
            sample.to_json(),
            serde_json::to_string(facts.warnings()).unwrap()
        ),
    }));
    let mut outcomes = attest_engine::cases::run_all(&engine, None).into_iter();
    for rule in engine.pack().rules() {
        let path = rule.cases_path();
        let cases: Vec<Case> = serde_json::from_str(rule.cases.as_deref().unwrap()).unwrap();
        for case in cases {
            let outcome = outcomes.next().unwrap();
            let mut doc = case.facts.clone();
            doc.entry("schema_version")
                .or_insert_with(|| Value::from("1"));
            doc.entry("organization")
                .or_insert_with(|| json!({ "name": "Case" }));
            let (name, text) = (
                format!("{path} ({})", case.name),
                Value::Object(doc).to_string(),
            );
            let facts = Facts::load(&[FactsSource {
                name: &name,
                text: &text,
            }])
            .unwrap();
            let request = json!({
                "facts": [{"name": name, "text": text}],
                "rule": rule.meta.id,
                "as_of": case.as_of.as_deref().unwrap_or(DEFAULT_CASE_AS_OF),
                "period": case.period,
                "params": case.params,
                // Cases that check the population run with explanations, for its keys.
                "explain": case.expect.tested.is_some(),
            });
            let actual = outcome.actual.unwrap();
            out.push(json!({
                "name": format!("{} / {}", rule.meta.id, case.name),
                "call": "evaluate",
                "request": request.to_string(),
                "expected": format!(
                    r#"{{"ok":true,"rule":{},"warnings":{}}}"#,
                    serde_json::to_string(&actual).unwrap(),
                    serde_json::to_string(facts.warnings()).unwrap()
                ),
            }));
        }
    }
    out
}

#[test]
fn node_runs_the_wrapper_tests_and_matches_the_native_engine() {
    let file = attest_tests::scratch!("parity").join("parity.json");
    attest_wasm_host::module_path();
    std::fs::write(&file, serde_json::to_string(&parity_set()).unwrap()).unwrap();
    let text = attest_wasm_host::node(
        std::process::Command::new("node")
            .arg("--test")
            .arg(repo_root().join("wasm/test/api.test.mjs"))
            .env("ATTEST_PARITY", &file),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text.contains("# fail 0") && text.contains("# skipped 0"),
        "{text}"
    );
}
