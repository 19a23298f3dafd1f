//! Every report the engine produces validates against `schemas/report.v2.schema.json`:
//! the example organization's (with every optional part too), and a full report on the facts
//! of every rule case, with its audit period and populations.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::cases::{Case, DEFAULT_CASE_AS_OF};
use attest_engine::{Date, EvalOptions, EvidenceFile, Facts, FactsSource, Period, Report};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    attest_tests::schema_validator("schemas/report.v2.schema.json")
}

fn assert_valid(v: &jsonschema::Validator, report: &Report, what: &str) {
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    let errors = attest_tests::schema_errors(v, &json);
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn the_example_report_matches_the_schema() {
    let engine = attest_tests::soc2_engine();
    let report = engine
        .evaluate(&attest_tests::example_facts(), &EvalOptions::default())
        .unwrap();
    assert!(
        report.summary.controls.fail > 0,
        "the example exercises failures"
    );
    assert_valid(&validator(), &report, "examples/acme");
    // With every optional part: explanations, populations, and evidence files checked (one
    // of each outcome).
    let facts = attest_tests::example_facts();
    let mut files: std::collections::BTreeMap<String, EvidenceFile> = facts
        .evidence_files()
        .into_iter()
        .map(|uri| (uri, EvidenceFile::Unreadable("no such file".to_owned())))
        .collect();
    assert!(!files.is_empty(), "the example names an evidence file");
    files.insert(
        "policies/information-security-2026.md".to_owned(),
        EvidenceFile::Read("0".repeat(64)),
    );
    let options = EvalOptions::default()
        .with_explain(true)
        .with_populations(true)
        .with_evidence_files(files);
    let report = engine.evaluate(&facts, &options).unwrap();
    assert!(
        report
            .rules
            .iter()
            .any(|r| r.id.starts_with("evidence-files/"))
    );
    assert_valid(
        &validator(),
        &report,
        "examples/acme, with every optional part",
    );
}

#[test]
fn full_reports_on_every_rule_case_match_the_schema() {
    let v = validator();
    let engine = attest_tests::soc2_engine();
    let mut checked = 0;
    for rule in engine.pack().rules() {
        let path = rule.cases_path();
        let cases: Vec<Case> = serde_json::from_str(rule.cases.as_deref().unwrap()).unwrap();
        for case in cases {
            let mut doc = case.facts.clone();
            doc.entry("schema_version").or_insert("1".into());
            doc.entry("organization")
                .or_insert(serde_json::json!({"name": "Case"}));
            let text = Value::Object(doc).to_string();
            let facts = Facts::load(&[FactsSource {
                name: &path,
                text: &text,
            }])
            .unwrap();
            let as_of = Date::parse(case.as_of.as_deref().unwrap_or(DEFAULT_CASE_AS_OF));
            let period = case.period.as_deref().map(|p| Period::parse(p).unwrap());
            let options = EvalOptions::default()
                .with_as_of(as_of)
                .with_period(period)
                .with_params(case.params.clone())
                .with_populations(true);
            let report = engine.evaluate(&facts, &options).unwrap();
            assert_valid(&v, &report, &format!("{path} ({})", case.name));
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} cases were checked");
}
