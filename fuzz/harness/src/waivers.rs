//! The `waivers` target: parsing a waivers file and applying it to the report on the example
//! organization (`examples/acme`, the built-in SOC 2 pack), whose findings the waivers of
//! `examples/waivers.json` name.
//!
//! Input: the waivers file's text, read as `waivers.json`.

use crate::assert_line_within;
use attest_engine::report::Counts;
use attest_engine::{
    Engine, EvalOptions, Facts, FactsSource, FindingStatus, Limits, Pack, Report, Status,
    WaiverError, Waivers,
};
use std::sync::OnceLock;

/// The name the waivers file is read under.
const NAME: &str = "waivers.json";

/// The example organization's facts files, as `attest eval examples/acme` reads them.
const ACME: [(&str, &str); 9] = [
    (
        "access.json",
        include_str!("../../../examples/acme/access.json"),
    ),
    (
        "evidence.json",
        include_str!("../../../examples/acme/evidence.json"),
    ),
    (
        "operations.json",
        include_str!("../../../examples/acme/operations.json"),
    ),
    ("org.json", include_str!("../../../examples/acme/org.json")),
    (
        "people.json",
        include_str!("../../../examples/acme/people.json"),
    ),
    (
        "policies.json",
        include_str!("../../../examples/acme/policies.json"),
    ),
    (
        "systems.json",
        include_str!("../../../examples/acme/systems.json"),
    ),
    (
        "training.json",
        include_str!("../../../examples/acme/training.json"),
    ),
    (
        "vendors.json",
        include_str!("../../../examples/acme/vendors.json"),
    ),
];

/// The report waivers are applied to (built once), and a waivers file with no waiver.
fn fixtures() -> &'static (Report, Waivers) {
    static FIXTURES: OnceLock<(Report, Waivers)> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let pack = Pack::from_files(&attest_wasm::api::builtin_files())
            .unwrap_or_else(|e| panic!("the SOC 2 pack: {e}"));
        let engine =
            Engine::new(pack, Limits::default()).unwrap_or_else(|e| panic!("the SOC 2 pack: {e}"));
        let sources: Vec<FactsSource<'_>> = ACME
            .iter()
            .map(|(name, text)| FactsSource { name, text })
            .collect();
        let facts = Facts::load(&sources).unwrap_or_else(|e| panic!("examples/acme: {e}"));
        let report = engine
            .evaluate(&facts, &EvalOptions::default())
            .unwrap_or_else(|e| panic!("examples/acme: {e}"));
        // Without the `jsonschema` feature, no waivers file parses: apply none.
        let none =
            Waivers::parse(NAME, r#"{"schema_version": "1", "waivers": []}"#).unwrap_or_default();
        (report, none)
    })
}

/// Parses the input as a waivers file and, if it is one, applies it.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Waivers::parse(NAME, &text) {
        Ok(waivers) => applied(&waivers),
        Err(e) => refused(&e, &text),
    }
}

/// Applied waivers: each listed once, only failing findings waived, statuses and counts
/// consistent; applying them again changes nothing, and applying none gives back the report.
fn applied(waivers: &Waivers) {
    let (base, none) = fixtures();
    let mut report = base.clone();
    waivers.apply(&mut report);
    assert_eq!(report.waivers.len(), waivers.len());
    for rule in &report.rules {
        let mut unwaived = false;
        for finding in &rule.findings {
            if finding.waiver.is_some() {
                assert_eq!(finding.status, FindingStatus::Fail, "{}: waived", rule.id);
            } else if finding.status == FindingStatus::Fail {
                unwaived = true;
            }
        }
        if unwaived {
            assert!(
                matches!(rule.status, Status::Fail | Status::Error),
                "{}: an unwaived failure, yet {:?}",
                rule.id,
                rule.status
            );
        }
    }
    let mut counts = Counts::default();
    for control in &report.controls {
        counts.add(control.status);
    }
    assert_eq!(counts, report.summary.controls);
    let mut again = report.clone();
    waivers.apply(&mut again);
    assert!(again == report, "applying the waivers twice differs");
    none.apply(&mut report);
    assert!(
        report == *base,
        "taking the waivers away does not give back the report"
    );
}

/// A refused waivers file: every problem names the file and a line within it.
fn refused(e: &WaiverError, text: &str) {
    assert!(!e.to_string().is_empty());
    match e {
        WaiverError::Syntax(syntax) => {
            assert_eq!(syntax.file, NAME);
            assert_line_within(syntax.line, text, e);
        }
        WaiverError::Invalid { file, problems } => {
            assert_eq!(file, NAME);
            assert!(!problems.is_empty(), "invalid waivers with no problem");
            for p in problems {
                assert_eq!(p.file.as_deref(), Some(NAME), "{p}");
                assert!(!p.message.is_empty(), "{p}: no message");
                if let Some(line) = p.line {
                    assert_line_within(line as usize, text, p);
                }
            }
        }
        _ => {}
    }
}
