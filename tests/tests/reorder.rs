//! Records keep their identity when facts files are reordered: the example organization with
//! every collection reversed and a new compliant account inserted first gives a report whose
//! diff against the original has nothing new and nothing resolved, in which every waiver
//! still applies as before, and whose SARIF fingerprints are the same.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{EvalOptions, Facts, FactsSource, Report, diff::Diff};
use attest_render::{self as render, Context};
use serde_json::Value;
use std::collections::BTreeSet;

/// The example organization's files, each collection reversed; the first account that no
/// finding names is copied, renamed, and inserted first.
fn reordered() -> Vec<(String, String)> {
    let original = evaluate(&attest_tests::example_sources());
    let named: BTreeSet<&str> = original
        .rules
        .iter()
        .flat_map(|r| &r.findings)
        .filter_map(|f| f.entity.as_deref())
        .collect();
    let mut out = Vec::new();
    for (name, text) in attest_tests::example_sources() {
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        for (key, value) in doc.as_object_mut().unwrap() {
            if let Value::Array(items) = value {
                if key == "accounts" {
                    let compliant = (0..items.len())
                        .find(|i| {
                            let at = format!("/accounts/{i}");
                            !named
                                .iter()
                                .any(|e| *e == at || e.starts_with(&format!("{at}/")))
                        })
                        .expect("an account with no finding");
                    let mut copy = items[compliant].clone();
                    copy["username"] = Value::from("zz-new-hire-copy");
                    items.reverse();
                    items.insert(0, copy);
                } else {
                    items.reverse();
                }
            }
        }
        out.push((name, serde_json::to_string_pretty(&doc).unwrap()));
    }
    out
}

/// The report on `sources` with the example waivers applied.
fn evaluate(sources: &[(String, String)]) -> Report {
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    let facts = Facts::load(&refs).unwrap_or_else(|e| panic!("{e}"));
    let mut report = attest_tests::soc2_engine()
        .evaluate(&facts, &EvalOptions::default())
        .unwrap();
    attest_tests::example_waivers().apply(&mut report);
    report
}

/// The SARIF partial fingerprints of a report, with the rule each belongs to.
fn fingerprints(report: &Report) -> BTreeSet<(String, String)> {
    let sarif: Value = serde_json::from_str(&render::sarif(report, &Context::default())).unwrap();
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["partialFingerprints"]["attestFinding/v2"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn reordered_facts_change_no_finding_waiver_or_fingerprint() {
    let base = evaluate(&attest_tests::example_sources());
    let moved = evaluate(&reordered());
    // The reordering really moved records: findings point elsewhere now.
    let pointers = |r: &Report| -> BTreeSet<String> {
        r.rules
            .iter()
            .flat_map(|r| &r.findings)
            .filter_map(|f| f.entity.clone())
            .collect()
    };
    assert_ne!(pointers(&base), pointers(&moved));

    let diff = Diff::new(&base, &moved);
    assert!(diff.new_failures.is_empty(), "{:#?}", diff.new_failures);
    assert!(diff.resolved.is_empty(), "{:#?}", diff.resolved);
    assert!(!diff.still_failing.is_empty());

    assert!(!base.waivers.is_empty());
    let states = |r: &Report| -> Vec<(u32, String, u32)> {
        r.waivers
            .iter()
            .map(|w| (w.waiver.source.line, w.state.as_str().to_owned(), w.matches))
            .collect()
    };
    assert_eq!(states(&base), states(&moved));

    assert_eq!(fingerprints(&base), fingerprints(&moved));
    assert_eq!(base.summary, moved.summary);
}
