//! The CSV format (RFC 4180), for spreadsheets and audit trackers: one row per finding,
//! once even when its rule serves several controls (listed in `controls`), plus one row
//! per rule that could not answer (status `error`). Fields are quoted when they hold a
//! comma, a quote or a line break; a field a spreadsheet would run as a formula starts
//! with `'`, and so does each part of it after a `;`; lines end with CRLF.

use attest_engine::report::Report;
use attest_engine::report::views::rule_views;

const HEADER: [&str; 18] = [
    "controls",
    "rule",
    "rule_title",
    "severity",
    "owner",
    "rule_tested",
    "status",
    "message",
    "key",
    "entity",
    "file",
    "line",
    "remediation",
    "waiver_reason",
    "waiver_approved_by",
    "waiver_approved_on",
    "waiver_expires_on",
    "waiver_source",
];

/// Renders the report's findings as CSV.
pub fn csv(report: &Report) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for view in rule_views(report) {
        let rule = &view.rule;
        // The rule's columns, the same on each of its rows.
        let rule_fields = [
            view.control_ids().join(" "),
            view.id.to_owned(),
            rule.title.clone(),
            rule.severity.as_str().to_owned(),
            rule.owner.as_str().to_owned(),
            rule.population.describe(),
        ];
        if let Some(e) = &rule.error {
            let mut fields = rule_fields.to_vec();
            fields.extend([
                "error".to_owned(),
                e.message.clone(),
                String::new(),
                String::new(),
                e.file.clone(),
                e.line.map(|l| l.to_string()).unwrap_or_default(),
            ]);
            fields.resize(HEADER.len(), String::new());
            row(&mut out, fields);
        }
        for f in &rule.findings {
            let w = f.waiver.as_ref();
            let finding_fields = [
                f.effective_status().as_str().to_owned(),
                f.message.clone(),
                f.key.clone().unwrap_or_default(),
                f.entity.clone().unwrap_or_default(),
                f.source
                    .as_ref()
                    .map(|s| s.file.clone())
                    .unwrap_or_default(),
                f.source
                    .as_ref()
                    .map(|s| s.line.to_string())
                    .unwrap_or_default(),
                f.remediation.clone(),
                w.map(|w| w.reason.clone()).unwrap_or_default(),
                w.map(|w| w.approved_by.clone()).unwrap_or_default(),
                w.map(|w| w.approved_on.clone()).unwrap_or_default(),
                w.map(|w| w.expires_on.clone()).unwrap_or_default(),
                w.map(|w| format!("{}:{}", w.source.file, w.source.line))
                    .unwrap_or_default(),
            ];
            row(&mut out, rule_fields.iter().cloned().chain(finding_fields));
        }
    }
    out
}

pub(super) fn row(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(&field));
    }
    out.push_str("\r\n");
}

/// The characters that make a spreadsheet run a cell as a formula when they start it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A field as a CSV cell: a text a spreadsheet would run as a formula (it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return: a person's name from the facts can) is shown
/// as text, behind a `'`, and so is each part after a `;` (the list separator with which
/// Excel splits a line in many locales), a `"` opening it or not; then quoted, RFC 4180, when it holds a comma, a
/// quote or a line break.
fn quote(field: &str) -> String {
    let mut guarded = String::with_capacity(field.len());
    for (i, part) in field.split(';').enumerate() {
        if i > 0 {
            guarded.push(';');
        }
        // A part is its own cell there, unquoted from its first `"`.
        if part.trim_start_matches('"').starts_with(FORMULA_STARTS) {
            guarded.push('\'');
        }
        guarded.push_str(part);
    }
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_only_what_needs_quoting() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a, b"), "\"a, b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote(""), "");
    }

    #[test]
    fn formulas_are_shown_as_text() {
        assert_eq!(
            quote("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(quote("+1"), "'+1");
        assert_eq!(quote("-2+3"), "'-2+3");
        assert_eq!(quote("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(quote("\tcmd"), "'\tcmd");
        assert_eq!(quote("\r=1"), "\"'\r=1\"");
        assert_eq!(quote("a=b"), "a=b");
    }

    /// Where Excel's list separator is `;`, it splits a line there: each part is a cell.
    #[test]
    fn formulas_after_a_semicolon_are_shown_as_text() {
        assert_eq!(
            quote("Metabase;=cmd|' /C calc'!A0;"),
            "Metabase;'=cmd|' /C calc'!A0;"
        );
        assert_eq!(quote(";+1;-2;@x;\tt;ok"), ";'+1;'-2;'@x;'\tt;ok");
        assert_eq!(quote("=a;;\r=b"), "\"'=a;;'\r=b\"");
        assert_eq!(quote("a; =b"), "a; =b");
        assert_eq!(quote("a;\"=b"), "\"a;'\"\"=b\"");
    }
}
