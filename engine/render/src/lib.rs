//! Renderers: one file per output format. JSON is the report's own serialization
//! ([`Report::to_json`](attest_engine::Report::to_json)); the others are functions of a report, and
//! some take a [`Context`] with what they show of the facts beyond the report. Every
//! renderer is deterministic: the same report gives the same bytes.

mod chart;
mod csv;
pub mod escape;
mod html;
mod junit;
mod markdown;
mod oscal;
mod population;
pub mod public;
mod sarif;
mod text;
mod todo;
mod vendors;

pub use chart::RunPoint;
pub use csv::csv;
pub use html::html;
pub use junit::junit;
pub use markdown::{diff_markdown, markdown};
pub use oscal::oscal;
pub use population::{population_csv, population_json, sample_text};
pub use public::{PublicReport, public_html, public_markdown, public_text, redact};
pub use sarif::{
    SARIF_DEFAULT_MAX_RESULTS, SARIF_MAX_RESULTS, Sarif, SarifOptions, sarif, sarif_with,
};
pub use text::{TextOptions, diff_text, text};
pub use todo::{todo_csv, todo_markdown, todo_text};
pub use vendors::{vendors_csv, vendors_text};

pub use attest_engine::json::{object, to_json};

/// Input warnings a text or Markdown report lists before it only counts the rest (the JSON
/// report and the other formats have them all): thousands of records naming a system the
/// inventory lacks would otherwise bury the report under as many lines.
pub(crate) const MAX_INPUT_WARNINGS: usize = 100;

/// ` · audit period START to END` for a header's line, or nothing without a period.
pub(crate) fn period_note(period: Option<attest_engine::Period>) -> String {
    period
        .map(|p| format!(" · audit period {} to {}", p.start(), p.end()))
        .unwrap_or_default()
}

/// The mark of a rule of a Type 2 report that judged the as-of date alone
/// (` · judged at the as-of date alone`), or nothing.
pub(crate) fn as_of_mark(rule: &attest_engine::report::RuleResult) -> &'static str {
    match rule.judged_at_as_of {
        true => " · judged at the as-of date alone",
        false => "",
    }
}

/// How many rules of a Type 2 report judged the as-of date alone (`judged_at_as_of`).
pub(crate) fn judged_at_as_of(report: &attest_engine::Report) -> usize {
    report.rules.iter().filter(|r| r.judged_at_as_of).count()
}

/// [`period_note`] of a report, with how many of its rules judged the as-of date alone
/// (` · audit period START to END (N rules judging the as-of date alone)`).
pub(crate) fn report_period_note(report: &attest_engine::Report) -> String {
    let mut note = period_note(report.period);
    match judged_at_as_of(report) {
        0 => {}
        1 => note.push_str(" (1 rule judging the as-of date alone)"),
        n => note.push_str(&format!(" ({n} rules judging the as-of date alone)")),
    }
    note
}

use attest_engine::facts::{Facts, Origin};
use attest_engine::report::RuleError;
use attest_engine::report::vendors::ReviewCadence;
pub use attest_engine::report::vendors::Vendor;

/// What some formats show beyond the report: of the facts, the vendor register (HTML) and
/// where a finding about no particular record points (SARIF); of earlier runs, readiness
/// over time (HTML).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The facts' vendors, in document order.
    pub vendors: Vec<Vendor>,
    /// How often vendors are risk-reviewed, for the register's next review dates (unknown
    /// unless [`Context::with_review_cadence`] sets it).
    pub review_cadence: ReviewCadence,
    /// Where `organization` is written: the place findings with no record point at.
    pub anchor: Option<Origin>,
    /// Earlier runs and this one, oldest first, for the HTML report's chart (none: no chart).
    pub history: Vec<RunPoint>,
}

impl Context {
    /// Takes what the renderers need from validated facts.
    pub fn from_facts(facts: &Facts) -> Context {
        Context {
            vendors: Vendor::all(facts),
            review_cadence: ReviewCadence::default(),
            anchor: facts.origin("/organization"),
            history: Vec::new(),
        }
    }

    /// The same, with the vendor review cadences of the pack evaluated.
    pub fn with_review_cadence(mut self, cadence: ReviewCadence) -> Context {
        self.review_cadence = cadence;
        self
    }
}

/// Where a rule could not answer: `file:line:column`, or as much of it as is known.
pub(crate) fn error_place(e: &RuleError) -> String {
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
        (Some(l), None) => format!("{}:{l}", e.file),
        _ => e.file.clone(),
    }
}

/// Where a finding's record is: `file:line record`, the record alone when its file is not
/// known, or nothing for a finding about no record. The record is named by its key where it
/// has one (`accounts/aws-prod/alice`), else by its JSON Pointer.
pub(crate) fn record_place(source: Option<&Origin>, entity: Option<&str>) -> String {
    match (source, entity) {
        (Some(s), Some(e)) => format!("{}:{} {e}", s.file, s.line),
        (None, Some(e)) => e.to_owned(),
        _ => String::new(),
    }
}
