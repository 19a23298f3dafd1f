//! Renderers: one file per output format. JSON is the report's own serialization
//! ([`Report::to_json`](crate::Report::to_json)); the others are functions of a report, and
//! some take a [`Context`] with what they show of the facts beyond the report. Every
//! renderer is deterministic: the same report gives the same bytes.

mod csv;
mod html;
mod junit;
mod markdown;
mod population;
mod sarif;
mod text;

pub use csv::csv;
pub use html::html;
pub use junit::junit;
pub use markdown::{diff_markdown, markdown};
pub use population::{population_csv, population_json, sample_text};
pub use sarif::sarif;
pub use text::{TextOptions, diff_text, text};

use crate::facts::tree::Node;
use crate::facts::{Facts, Origin};
use crate::report::RuleError;

/// What some formats show of the facts beyond the report: the vendor register (HTML) and
/// where a finding about no particular record points (SARIF).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The facts' vendors, in document order.
    pub vendors: Vec<Vendor>,
    /// Where `organization` is written: the place findings with no record point at.
    pub anchor: Option<Origin>,
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

/// Escapes text for XML and HTML content and attribute values (the characters XML 1.0
/// forbids, control characters and the noncharacters U+FFFE and U+FFFF, become U+FFFD).
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_xml;

    #[test]
    fn what_xml_forbids_becomes_the_replacement_character() {
        assert_eq!(
            escape_xml("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
        assert_eq!(
            escape_xml("\u{0}\u{1b}[31m\t\n"),
            "\u{fffd}\u{fffd}[31m\t\n"
        );
        assert_eq!(escape_xml("x\u{fffe}y\u{ffff}z"), "x\u{fffd}y\u{fffd}z");
    }
}
