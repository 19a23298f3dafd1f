//! The JUnit XML format, for CI test reports (GitLab, Jenkins, Azure DevOps, ...).
//!
//! A test suite per control, a test case per rule of that control. Names come from ids
//! only, so they are unique and the same on every run: the suite is the control id and
//! title, the case is `<control> <rule>`, with class name `<pack>.<category>`. A failing
//! rule's case carries a `<failure>` listing its findings; a rule in error an `<error>`;
//! not applicable and waived rules are skipped (with the waivers in the message); warnings
//! pass, with the lapsing records in `<system-out>`. Warnings about the run's inputs are the
//! `<system-err>` of a last suite, `Input warnings`, with no cases. No timestamps or
//! durations.

use super::escape::xml as escape_xml;
use super::{error_place, record_place};
use attest_engine::report::{ControlResult, Finding, Report, RuleResult, Status};
use std::fmt::Write as _;

#[derive(Default)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Tally {
    fn add(&mut self, status: Status) {
        self.tests += 1;
        match status {
            Status::Fail => self.failures += 1,
            Status::Error => self.errors += 1,
            Status::NotApplicable | Status::Waived => self.skipped += 1,
            Status::Pass | Status::Warn => {}
        }
    }

    fn attributes(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

/// Renders the report as JUnit XML.
pub fn junit(report: &Report) -> String {
    let mut total = Tally::default();
    let mut suites = String::new();
    for control in &report.controls {
        let mut tally = Tally::default();
        let mut cases = String::new();
        for rule in report.rules_of(control) {
            let status = if control.status == Status::NotApplicable {
                Status::NotApplicable
            } else {
                rule.status
            };
            tally.add(status);
            total.add(status);
            case(&mut cases, report, control, rule, status);
        }
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" {}>",
            escape_xml(&format!("{} {}", control.id, control.title)),
            tally.attributes()
        );
        let _ = writeln!(suites, "    <properties>");
        let period = report.period.map(|p| p.to_string());
        let properties = [
            ("control", control.id.as_str()),
            ("category", control.category.as_str()),
            ("group", control.group.as_str()),
            ("status", control.status.as_str()),
        ];
        for (name, value) in properties
            .into_iter()
            .chain(period.as_deref().map(|p| ("audit_period", p)))
        {
            let _ = writeln!(
                suites,
                "      <property name=\"{name}\" value=\"{}\"/>",
                escape_xml(value)
            );
        }
        // Each parameter the run set, as the property `param.NAME`.
        for (name, setting) in &report.params {
            let _ = writeln!(
                suites,
                "      <property name=\"param.{}\" value=\"{}\"/>",
                escape_xml(name),
                escape_xml(&setting["value"].to_string())
            );
        }
        let _ = writeln!(suites, "    </properties>");
        suites.push_str(&cases);
        let _ = writeln!(suites, "  </testsuite>");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" {}>",
        escape_xml(&format!(
            "Attest {} {}: {}, as of {}{}",
            report.pack.name,
            report.pack.version,
            report.facts.organization,
            report.evaluated_on,
            report
                .period
                .map(|p| format!(", audit period {} to {}", p.start(), p.end()))
                .unwrap_or_default()
        )),
        total.attributes()
    );
    out.push_str(&suites);
    input_warnings(&mut out, report);
    out.push_str("</testsuites>\n");
    out
}

/// The warnings about the run's inputs: a last suite, `Input warnings`, with no test cases
/// (the counts stay the rules'), its `warnings` property the number, and one line per
/// warning in its `<system-err>`, where CI test reports show a suite's output.
fn input_warnings(out: &mut String, report: &Report) {
    if report.warnings.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  <testsuite name=\"Input warnings\" {}>\n    <properties>\n      <property name=\"warnings\" value=\"{}\"/>\n    </properties>",
        Tally::default().attributes(),
        report.warnings.len()
    );
    out.push_str("    <system-err>");
    for w in &report.warnings {
        let text = format!(
            "warning: {} {}: {}",
            w.input().as_str(),
            w.at(),
            w.message()
        );
        let _ = write!(out, "\n{}", escape_xml(&text));
    }
    out.push_str("\n    </system-err>\n  </testsuite>\n");
}

fn case(
    out: &mut String,
    report: &Report,
    control: &ControlResult,
    rule: &RuleResult,
    status: Status,
) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"",
        escape_xml(&format!("{} {}", control.id, rule.id)),
        escape_xml(&format!(
            "{}.{}",
            report.pack.name,
            control.category.as_str()
        ))
    );
    let body = match status {
        Status::Fail => {
            let failing: Vec<&Finding> = rule
                .findings
                .iter()
                .filter(|f| f.effective_status() == Status::Fail)
                .collect();
            let message = format!(
                "{}: {} finding{} ({}, owner {})",
                rule.title,
                failing.len(),
                if failing.len() == 1 { "" } else { "s" },
                rule.severity.as_str(),
                rule.owner
            );
            let mut text = format!(
                "{}\n{}",
                escape_xml(&rule.population.describe()),
                findings_text(&rule.findings)
            );
            if let Some(f) = rule.findings.first() {
                let _ = write!(text, "\nFix: {}", escape_xml(&f.remediation));
            }
            format!(
                "      <failure message=\"{}\" type=\"{}\">{text}</failure>\n",
                escape_xml(&message),
                rule.severity.as_str(),
            )
        }
        Status::Error => {
            let (message, place) = rule.error.as_ref().map_or_else(
                || {
                    (
                        "the rule could not give an answer".to_owned(),
                        String::new(),
                    )
                },
                |e| (e.message.clone(), error_place(e)),
            );
            format!(
                "      <error message=\"{}\" type=\"error\">{}</error>\n      <system-out>{}</system-out>\n",
                escape_xml(&message),
                escape_xml(&place),
                escape_xml(&rule.population.describe())
            )
        }
        Status::NotApplicable => {
            let why = if control.status == Status::NotApplicable
                && rule.status != Status::NotApplicable
            {
                "the control's category is out of scope"
            } else if let Some(reason) = rule.disabled.as_deref() {
                reason
            } else {
                rule.reason.as_deref().unwrap_or("the rule does not apply")
            };
            format!(
                "      <skipped message=\"{}\"/>\n",
                escape_xml(&format!("not applicable: {why}"))
            )
        }
        Status::Waived => {
            let mut reasons: Vec<String> = Vec::new();
            for w in rule.findings.iter().filter_map(|f| f.waiver.as_ref()) {
                let text = format!("{} ({})", w.reason, w.approval());
                if !reasons.contains(&text) {
                    reasons.push(text);
                }
            }
            format!(
                "      <skipped message=\"{}\"/>\n      <system-out>{}\n{}</system-out>\n",
                escape_xml(&format!("waived: {}", reasons.join("; "))),
                escape_xml(&rule.population.describe()),
                findings_text(&rule.findings)
            )
        }
        Status::Warn => format!(
            "      <system-out>{}\n{}</system-out>\n",
            escape_xml(&rule.population.describe()),
            findings_text(&rule.findings)
        ),
        Status::Pass => format!(
            "      <system-out>{}</system-out>\n",
            escape_xml(&rule.population.describe())
        ),
    };
    if body.is_empty() {
        out.push_str("/>\n");
    } else {
        out.push_str(">\n");
        out.push_str(&body);
        out.push_str("    </testcase>\n");
    }
}

/// One line per finding, escaped for XML: status, message and where the record is.
fn findings_text(findings: &[Finding]) -> String {
    let lines: Vec<String> = findings
        .iter()
        .map(|f| {
            let mut line = format!(
                "{}: {}",
                f.effective_status().as_str(),
                escape_xml(&f.message)
            );
            let at = record_place(f.source.as_ref(), f.key.as_deref().or(f.entity.as_deref()));
            if !at.is_empty() {
                let _ = write!(line, " ({})", escape_xml(&at));
            }
            line
        })
        .collect();
    lines.join("\n")
}
