//! The module's report is the native engine's, byte for byte, on random small organizations:
//! attest-bench's generator (1 to 10 people, any seed, some collections left out), split
//! across up to four files, judged on a date up to a year either side of their own, with a
//! random warning window and with or without `explain`; all in one instance of the module,
//! which must give each request's report regardless of the requests before it.
//!
//! 16 cases by default; `PROPTEST_CASES=300 cargo test -p attest-wasm-host --test
//! random_parity` runs more. The module is built by `wasm/build.sh` on first use (or taken
//! from `ATTEST_WASM`).

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{Date, Engine, EvalOptions, Facts, FactsSource};
use attest_wasm_host::{Call, Host, Instance, module_path, sources_json};
use indexmap::IndexMap;
use proptest::prelude::*;
use serde_json::json;
use std::sync::{LazyLock, Mutex};

static NATIVE: LazyLock<Engine> = LazyLock::new(attest_tests::soc2_engine);

/// One instance of the module for every case.
static INSTANCE: LazyLock<Mutex<Instance>> = LazyLock::new(|| {
    let path = module_path();
    let wasm = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: wasm/build.sh did not build it (see above)",
            path.display()
        )
    });
    let host = Host::new(&wasm, None).unwrap();
    Mutex::new(host.instantiate().unwrap())
});

/// A random small organization's facts files, as (name, text).
fn organization() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        1usize..=10,
        any::<u64>(),
        any::<u32>(),
        1usize..=4,
        proptest::collection::vec(any::<u8>(), 1..32),
    )
        .prop_map(|(people, seed, dropped, files, choices)| {
            let mut doc = attest_bench::generate(people, seed).unwrap();
            attest_tests::drop_collections(&mut doc, dropped);
            attest_tests::split_facts(&doc, files, &choices)
                .into_iter()
                .enumerate()
                .map(|(i, text)| (format!("facts/{i}.json"), text))
                .collect()
        })
}

/// The response the module must give: the native report and warnings, as `evaluate` writes
/// them.
fn native(sources: &[(String, String)], options: &EvalOptions) -> String {
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    let facts = Facts::load(&refs).unwrap_or_else(|e| panic!("{e}"));
    let report = NATIVE.evaluate(&facts, options).unwrap().to_json();
    let warnings = serde_json::to_string(facts.warnings()).unwrap();
    format!(r#"{{"ok":true,"report":{report},"warnings":{warnings}}}"#)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(attest_tests::proptest_cases(16)))]

    #[test]
    fn the_module_report_is_the_native_one(
        sources in organization(),
        days in -365i64..=365,
        warn_window in 0u32..=90,
        explain in any::<bool>(),
    ) {
        let as_of = Date::parse(attest_bench::AS_OF).unwrap().add_days(days).unwrap();
        let params = IndexMap::from([("warn_window_days".to_owned(), json!(warn_window))]);
        let options = EvalOptions::default()
            .with_as_of(Some(as_of))
            .with_params(params.clone())
            .with_explain(explain);
        let expected = native(&sources, &options);
        let request = format!(
            r#"{{"facts":{},"as_of":"{as_of}","params":{},"explain":{explain}}}"#,
            sources_json(&sources),
            serde_json::to_string(&params).unwrap(),
        );
        let response = INSTANCE
            .lock()
            .unwrap()
            .call(Call::Evaluate, request.as_bytes())
            .unwrap();
        prop_assert!(response == expected, "the module's response differs:\n{}", &response[..response.len().min(2000)]);
    }
}
