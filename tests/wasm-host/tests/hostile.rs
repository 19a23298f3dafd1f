//! The hostile rule corpus (`tests/hostile/rules/`) in the WebAssembly module under wasmtime,
//! as `cli/tests/hostile.rs` runs it natively: every case reports what it says (an `error`
//! with a clear message, within its limits), the ordinary rules beside it still give their
//! usual results, no call traps, linear memory stays under a stated bound, and the instance
//! then still gives byte for byte the native report. Cases that need a clock are native only.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{EvalOptions, Facts, FactsSource};
use attest_tests::hostile::{self, Case};
use attest_wasm_host::{Call, Host, module_path, sources_json};
use serde_json::{Value, json};

/// The most linear memory the instance may reach over the whole corpus: the cases run with
/// a memory budget of 64 MiB per rule, one rule at a time.
const MAX_LINEAR_MEMORY: usize = 256 << 20;

fn number(text: &str) -> u64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text}"))
}

#[test]
fn every_hostile_rule_is_contained_in_the_module_and_the_instance_lives_on() {
    let wasm = std::fs::read(module_path()).unwrap();
    let host = Host::new(&wasm, None).unwrap();
    let mut instance = host.instantiate().unwrap();
    let cases: Vec<Case> = hostile::cases()
        .into_iter()
        .filter(|c| c.native_only.is_none())
        .collect();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut problems = Vec::new();
    for group in hostile::groups(&cases) {
        let names: Vec<&str> = group.iter().map(|c| c.name.as_str()).collect();
        let pack: Vec<Value> = hostile::pack_files(&group)
            .into_iter()
            .map(|f| json!({"path": f.path, "text": f.text}))
            .collect();
        let case = group[0];
        let request = json!({
            "facts": [{"name": "facts.json", "text": hostile::FACTS}],
            "pack": pack,
            "limits": {
                "max_operations": number(case.arg("--max-operations")),
                "max_memory_mib": number(case.arg("--max-memory")),
                "max_findings": number(case.arg("--max-findings")),
            },
        });
        let response = instance
            .call(Call::Evaluate, request.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{names:?}: the module trapped: {e:?}"));
        let r: Value = serde_json::from_str(&response).unwrap();
        assert_eq!(r["ok"], true, "{names:?}: {r}");
        problems.extend(hostile::check_report(&r["report"], &group));
        assert!(
            instance.memory_size() <= MAX_LINEAR_MEMORY,
            "{names:?}: linear memory grew to {} MiB",
            instance.memory_size() >> 20
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The same instance still answers correctly: the example organization, byte for byte as
    // natively.
    let sources = attest_tests::example_sources();
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    let facts = Facts::load(&refs).unwrap();
    let native = attest_tests::soc2_engine()
        .evaluate(&facts, &EvalOptions::default())
        .unwrap()
        .to_json();
    let request = format!(r#"{{"facts":{}}}"#, sources_json(&sources));
    let response = instance.call(Call::Evaluate, request.as_bytes()).unwrap();
    assert_eq!(
        response,
        format!(
            r#"{{"ok":true,"report":{native},"warnings":{}}}"#,
            serde_json::to_string(facts.warnings()).unwrap()
        )
    );
}
