//! Renderers: one file per output format. JSON is the report's own serialization
//! ([`Report::to_json`](crate::Report::to_json)); the others are functions of a report, and
//! some take a [`Context`] with what they show of the facts beyond the report. Every
//! renderer is deterministic: the same report gives the same bytes.

mod csv;
mod html;
mod junit;
mod markdown;
mod sarif;
mod text;
mod vendors;

pub use csv::csv;
pub use html::html;
pub use junit::junit;
pub use markdown::{diff_markdown, markdown};
pub use sarif::sarif;
pub use text::{TextOptions, diff_text, text};
pub use vendors::{vendors_csv, vendors_text};

use crate::facts::{Facts, Origin};
use crate::report::RuleError;
pub use crate::report::vendors::Vendor;
use crate::report::vendors::ReviewCadence;

/// What some formats show of the facts beyond the report: the vendor register (HTML) and
/// where a finding about no particular record points (SARIF).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The facts' vendors, in document order.
    pub vendors: Vec<Vendor>,
    /// How often vendors are risk-reviewed, for the register's next review dates (unknown
    /// unless [`Context::with_review_cadence`] sets it).
    pub review_cadence: ReviewCadence,
    /// Where `organization` is written: the place findings with no record point at.
    pub anchor: Option<Origin>,
}

impl Context {
    /// Takes what the renderers need from validated facts.
    pub fn from_facts(facts: &Facts) -> Context {
        Context {
            vendors: Vendor::all(facts),
            review_cadence: ReviewCadence::default(),
            anchor: facts.origin("/organization"),
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
