//! The playground (`wasm/web/`) in headless Chromium: this test serves the repository on
//! localhost, and `wasm/test/chromium.mjs` (playwright-core, Debian's /usr/bin/chromium)
//! loads the example organization, runs it, and checks the rendered summary, failing
//! controls and findings against the native engine's report; the browser snippets of
//! wasm/README.md run as written (`wasm/test/readme.test.mjs`). And the V8 benchmark
//! (`wasm/test/v8-bench.mjs`) runs in Node and Chromium. Builds the module and installs
//! playwright-core (`npm ci --prefix wasm/test`) when missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{EvalOptions, Facts, FactsSource, Status};
use attest_wasm_host::{module_path, node, node_test_tools, repo_root, serve};
use serde_json::json;

#[test]
fn the_playground_renders_the_example_report_in_headless_chromium() {
    let root = repo_root();
    node_test_tools().unwrap();
    attest_wasm_host::module_path();
    // What the page must show, from the native engine.
    let sources = attest_tests::example_sources();
    // The playground's "Load example" fetches every file of the example organization.
    let playground = std::fs::read_to_string(root.join("wasm/web/playground.mjs")).unwrap();
    let listed: Vec<String> = sources
        .iter()
        .map(|(name, _)| {
            let stem = name
                .trim_start_matches("examples/acme/")
                .trim_end_matches(".json");
            format!("{stem:?}")
        })
        .collect();
    assert!(
        playground.contains(&format!("const EXAMPLE_FILES = [{}];", listed.join(", "))),
        "wasm/web/playground.mjs's EXAMPLE_FILES differs from examples/acme: {listed:?}"
    );
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    let facts = Facts::load(&refs).unwrap();
    let engine = attest_tests::soc2_engine();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    let failing: Vec<&str> = report
        .controls
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error))
        .map(|c| c.id.as_str())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut findings = Vec::new();
    for control in &report.controls {
        for rule in report.rules_of(control) {
            if seen.insert(rule.id.clone()) {
                findings.extend(rule.error.iter().map(|e| e.message.clone()));
                findings.extend(rule.findings.iter().map(|f| f.message.clone()));
            }
        }
    }
    assert!(findings.len() > 10 && !failing.is_empty());
    let rule = engine.pack().rule("access.mfa-privileged").unwrap();
    let header: Vec<&str> = rule
        .source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .collect();
    let edit = json!({
        "id": rule.meta.id,
        "path": rule.path,
        "source": format!("{}\nlet n = facts.accounts.filter(|a| {{ let i = 0; loop {{ i += 1; }} }}).len();\n", header.join("\n")),
    });
    // The public view names the vendors and no person: names and emails from the facts.
    let vendors: Vec<String> = attest_render::Context::from_facts(&facts)
        .vendors
        .into_iter()
        .map(|v| v.name)
        .collect();
    let people_file = root.join("examples/acme/people.json");
    let people: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(people_file).unwrap()).unwrap();
    let people: Vec<&str> = people["people"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| [p["name"].as_str().unwrap(), p["email"].as_str().unwrap()])
        .collect();
    let expected = json!({
        "summary": report.summary,
        "failing": failing,
        "findings": findings,
        "vendors": vendors,
        "people": people,
        "edit": edit,
    });
    let file = attest_tests::scratch!("playground").join("chromium-expected.json");
    std::fs::write(&file, expected.to_string()).unwrap();

    let port = serve(&root).unwrap();
    node(
        std::process::Command::new("node")
            .arg(root.join("wasm/test/chromium.mjs"))
            .arg(format!("http://127.0.0.1:{port}/wasm/web/index.html"))
            .arg(&file),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// The browser snippets of wasm/README.md, as written (`wasm/test/readme.test.mjs`): served
/// under the documented Content-Security-Policy, they run in headless Chromium with no
/// console error, and none of its tests is skipped.
#[test]
fn the_readmes_browser_snippets_run_in_headless_chromium() {
    node_test_tools().unwrap();
    attest_wasm_host::module_path();
    let text = node(
        std::process::Command::new("node")
            .arg("--test")
            .arg(repo_root().join("wasm/test/readme.test.mjs")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text.contains("# fail 0") && text.contains("# skipped 0") && !text.contains("# pass 0"),
        "{text}"
    );
}

/// `wasm/test/v8-bench.mjs`, which `wasm/bench.sh` runs, times the module in Node and in
/// headless Chromium: every row it prints has a time for each, here on a small generated
/// organization, once.
#[test]
fn the_v8_bench_times_the_module_in_node_and_in_chromium() {
    node_test_tools().unwrap();
    let facts = attest_tests::scratch!("v8-bench").join("facts.json");
    let doc = attest_bench::generate(50, 1).unwrap();
    std::fs::write(&facts, serde_json::to_string(&doc).unwrap()).unwrap();
    let text = node(
        std::process::Command::new("node")
            .arg(repo_root().join("wasm/test/v8-bench.mjs"))
            .arg(module_path())
            .arg(&facts)
            .arg("1"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(text.starts_with("V8: Node "), "{text}");
    for row in [
        "whole request, a fresh instance's first",
        "whole request, again on one instance",
        "no loop",
        "loop over every account",
        "loop of 200 steps per person",
        "loop of 3,000,000 steps in a closure",
    ] {
        let line = text.lines().find(|l| l.starts_with(row));
        let line = line.unwrap_or_else(|| panic!("no row {row:?} in:\n{text}"));
        assert_eq!(line.matches(" ms").count(), 2, "{line}");
    }
}
