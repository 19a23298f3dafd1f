//! Renderers: one file per output format. JSON is the report's own serialization
//! ([`Report::to_json`](crate::Report::to_json)); the others are functions of a report, and
//! some take a [`Context`] with what they show of the facts beyond the report. Every
//! renderer is deterministic: the same report gives the same bytes.

mod chart;
mod csv;
pub mod escape;
mod html;
mod junit;
mod markdown;
mod oscal;
pub mod public;
mod population;
mod sarif;
mod text;

pub use chart::RunPoint;
pub use csv::csv;
pub use html::html;
pub use junit::junit;
pub use markdown::{diff_markdown, markdown};
pub use oscal::oscal;
pub use public::{PublicReport, public_html, public_markdown, public_text, redact};
pub use sarif::{
    SARIF_DEFAULT_MAX_RESULTS, SARIF_MAX_RESULTS, Sarif, SarifOptions, sarif, sarif_with,
};
pub use population::{population_csv, population_json, sample_text};
pub use text::{TextOptions, diff_text, text};

use crate::facts::tree::Node;
use crate::facts::{Facts, Origin};
use crate::report::RuleError;

/// What some formats show beyond the report: of the facts, the vendor register (HTML) and
/// where a finding about no particular record points (SARIF); of earlier runs, readiness
/// over time (HTML).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The facts' vendors, in document order.
    pub vendors: Vec<Vendor>,
    /// Where `organization` is written: the place findings with no record point at.
    pub anchor: Option<Origin>,
    /// Earlier runs and this one, oldest first, for the HTML report's chart (none: no chart).
    pub history: Vec<RunPoint>,
}

/// A vendor as the register lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vendor {
    /// Its JSON Pointer (`/vendors/3`), which findings about it carry.
    pub pointer: String,
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `service`: what it does for the organization.
    pub service: String,
    /// `risk_tier`.
    pub risk_tier: String,
    /// `data_access`.
    pub data_access: Vec<String>,
    /// `assurance.soc2_type` (`type1`, `type2`), if any.
    pub soc2_type: Option<String>,
    /// `assurance.report_period_end`.
    pub report_period_end: Option<String>,
    /// `contract.expires_on`.
    pub contract_expires_on: Option<String>,
    /// `last_risk_review_on`.
    pub last_risk_review_on: Option<String>,
}

impl Context {
    /// Takes what the renderers need from validated facts.
    pub fn from_facts(facts: &Facts) -> Context {
        let text = |node: Option<&Node>| match node {
            Some(Node::Str(s)) => Some(s.to_string()),
            _ => None,
        };
        let vendors = match facts.root().field("vendors") {
            Some(Node::List(list)) => list
                .items()
                .iter()
                .filter_map(|item| match item {
                    Node::Record(r) => Some(Vendor {
                        pointer: r.pointer().to_owned(),
                        id: text(r.get("id")).unwrap_or_default(),
                        name: text(r.get("name")).unwrap_or_default(),
                        service: text(r.get("service")).unwrap_or_default(),
                        risk_tier: text(r.get("risk_tier")).unwrap_or_default(),
                        data_access: match r.get("data_access") {
                            Some(Node::List(l)) => {
                                l.items().iter().filter_map(|n| text(Some(n))).collect()
                            }
                            _ => Vec::new(),
                        },
                        soc2_type: text(r.path("assurance.soc2_type")),
                        report_period_end: text(r.path("assurance.report_period_end")),
                        contract_expires_on: text(r.path("contract.expires_on")),
                        last_risk_review_on: text(r.get("last_risk_review_on")),
                    }),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Context {
            vendors,
            anchor: facts.origin("/organization"),
            history: Vec::new(),
        }
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
