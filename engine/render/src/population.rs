//! What an auditor samples from: one rule's population as CSV and JSON (every record it
//! tested, with its key, place and outcome), and a sample drawn from it as text.

use super::csv::row;
use super::escape::line;
use super::{object, to_json};
use attest_engine::report::{PopulationRecord, Report, RuleResult, describe_params};
use attest_engine::sample::Sample;
use std::fmt::Write as _;

/// The columns of a population's CSV.
const HEADER: [&str; 4] = ["key", "source", "entity", "outcome"];

/// `file:line` of a record, or nothing when its place is not known.
fn place(r: &PopulationRecord) -> String {
    r.source
        .as_ref()
        .map(|s| format!("{}:{}", s.file, s.line))
        .unwrap_or_default()
}

/// A rule's population as CSV (RFC 4180, CRLF): one row per record it tested, in key
/// order, with its key, `file:line`, JSON Pointer and outcome (`exception`, `warn` or
/// `pass`). The report must have been evaluated with populations.
pub fn population_csv(rule: &RuleResult) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for r in rule.population.records.iter().flatten() {
        row(
            &mut out,
            [
                r.key.clone(),
                place(r),
                r.entity.clone(),
                r.outcome.as_str().to_owned(),
            ],
        );
    }
    out
}

/// A rule's population as pretty JSON: the rule, its status and criteria, the as-of date
/// and period of the evaluation, and every record it tested, in key order.
pub fn population_json(report: &Report, rule: &RuleResult) -> String {
    let mut doc = object(&mut [
        ("rule", rule.id.as_str().into()),
        ("title", rule.title.as_str().into()),
        ("status", rule.status.as_str().into()),
        ("controls", to_json(&rule.controls)),
        ("evaluated_on", report.evaluated_on.as_str().into()),
        ("tested", rule.population.tested.into()),
        (
            "records",
            to_json(rule.population.records.as_deref().unwrap_or_default()),
        ),
    ]);
    if let Some(period) = &report.period {
        doc["period"] = to_json(period);
    }
    if !report.params.is_empty() {
        doc["params"] = report.params.clone().into();
    }
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// A sample as text, for people: what was drawn, how, and the records. Every value from the
/// facts or the pack (record keys, file names, pointers, the rule) is shown with [`line()`]:
/// its control characters visible, never obeyed, and never starting a line of its own.
pub fn sample_text(sample: &Sample) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Sample of {} ({} control): {} of {} records (size {}), seed {}",
        line(&sample.rule),
        sample.frequency.as_str(),
        sample.records.len(),
        sample.population,
        sample.size,
        sample.seed
    );
    let _ = writeln!(out, "Drawn by {}", sample.generator);
    let _ = writeln!(
        out,
        "As of {}{} · facts sha256 {} · pack sha256 {}",
        sample.evaluated_on,
        super::period_note(sample.period),
        sample.facts_digest,
        sample.pack_digest
    );
    if let Some(params) = describe_params(&sample.params) {
        let _ = writeln!(out, "Parameters set for this run: {}", line(&params));
    }
    out.push('\n');
    if sample.records.is_empty() {
        out.push_str("  (the population is empty: the rule tested no record)\n");
    }
    for (i, r) in sample.records.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>3}. {}  {} {}  {}",
            i + 1,
            line(&r.key),
            line(&place(r)),
            line(&r.entity),
            r.outcome.as_str()
        );
    }
    out
}
