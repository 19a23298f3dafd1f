//! The text format, for people: readiness per category, then every control that is not
//! passing with its rules, findings, owners and remediation.

use crate::pack::Category;
use crate::report::{ControlResult, FindingStatus, Report, RuleResult, Status};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How to render text.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Use ANSI colours (only on a terminal, and never when `NO_COLOR` is set).
    pub color: bool,
    /// Findings shown per rule before the rest are counted (0 = all).
    pub max_findings: usize,
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn status(&self, status: Status) -> String {
        let code = match status {
            Status::Pass => "32",
            Status::Fail => "31",
            Status::Warn => "33",
            Status::Error => "35",
            Status::Waived => "36",
            Status::NotApplicable => "2",
        };
        self.wrap(code, status.as_str())
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
}

/// Renders the report as text.
pub fn text(report: &Report, options: &TextOptions) -> String {
    let p = Paint(options.color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · {} of {}, as of {} (pack {} {})",
        p.bold("Attest"),
        p.bold("SOC 2 readiness"),
        report.facts.organization,
        report.evaluated_on,
        report.pack.name,
        report.pack.version
    );
    out.push('\n');
    out.push_str(&p.bold("Readiness by category"));
    out.push('\n');
    for category in Category::ALL {
        let counts = report
            .summary
            .by_category
            .get(&category)
            .copied()
            .unwrap_or_default();
        let applicable = counts.applicable();
        if applicable == 0 {
            let _ = writeln!(out, "  {:<22}{}", category.label(), p.dim("not in scope"));
            continue;
        }
        let ready = counts.pass + counts.warn + counts.waived;
        let width = 20u32;
        let filled = (ready * width + applicable / 2) / applicable;
        let bar = format!(
            "{}{}",
            "█".repeat(filled as usize),
            "░".repeat((width - filled) as usize)
        );
        let _ = writeln!(
            out,
            "  {:<22}{} {:>3}%  {ready}/{applicable} ready (fail {}, warn {}, error {})",
            category.label(),
            bar,
            (ready * 100 + applicable / 2) / applicable,
            counts.fail,
            counts.warn,
            counts.error
        );
    }

    for (heading, status) in [
        ("Errors", Status::Error),
        ("Failing controls", Status::Fail),
        ("Warnings", Status::Warn),
    ] {
        let controls: Vec<&ControlResult> = report
            .controls
            .iter()
            .filter(|c| c.status == status)
            .collect();
        if controls.is_empty() {
            continue;
        }
        out.push('\n');
        let _ = writeln!(out, "{} ({})", p.bold(heading), controls.len());
        for c in controls {
            control(&mut out, &p, c, options.max_findings);
        }
    }

    owners(&mut out, &p, report);
    let s = &report.summary.controls;
    out.push('\n');
    let _ = writeln!(
        out,
        "{} controls: {} pass, {} fail, {} warn, {} error, {} waived, {} not applicable",
        report.controls.len(),
        s.pass,
        s.fail,
        s.warn,
        s.error,
        s.waived,
        s.not_applicable
    );
    out
}

fn control(out: &mut String, p: &Paint, c: &ControlResult, max: usize) {
    let _ = writeln!(
        out,
        "  {} {}  {}",
        p.status(c.status),
        p.bold(&c.id),
        c.title
    );
    for r in c.rules.iter().filter(|r| r.status == c.status) {
        rule(out, p, r, max);
    }
}

fn rule(out: &mut String, p: &Paint, r: &RuleResult, max: usize) {
    let _ = writeln!(
        out,
        "    {} {}  {} · {} · owner {}",
        p.dim("rule"),
        r.id,
        r.title,
        r.severity.as_str(),
        r.owner
    );
    if let Some(e) = &r.error {
        let place = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
            _ => e.file.clone(),
        };
        let _ = writeln!(out, "      {}: {}", place, e.message);
        return;
    }
    let shown = if max == 0 { r.findings.len() } else { max };
    for f in r.findings.iter().take(shown) {
        let mark = match f.status {
            FindingStatus::Fail => p.wrap("31", "✗"),
            FindingStatus::Warn => p.wrap("33", "!"),
        };
        let at = match (&f.source, &f.entity) {
            (Some(s), Some(e)) => format!(" ({}:{} {e})", s.file, s.line),
            (None, Some(e)) => format!(" ({e})"),
            _ => String::new(),
        };
        let _ = writeln!(out, "      {mark} {}{}", f.message, p.dim(&at));
    }
    if r.findings.len() > shown {
        let _ = writeln!(
            out,
            "      … and {} more (see --format json)",
            r.findings.len() - shown
        );
    }
    if let Some(f) = r.findings.first() {
        let _ = writeln!(out, "      {} {}", p.bold("fix:"), f.remediation);
    }
}

/// Open findings per owner, so each team sees its share of the work.
fn owners(out: &mut String, p: &Paint, report: &Report) {
    let mut seen = std::collections::HashSet::new();
    let mut by_owner: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &report.controls {
        for r in &c.rules {
            // A rule mapped to several controls is counted once; evidence checks are per control.
            if r.id != crate::evidence::EVIDENCE_RULE && !seen.insert(r.id.as_str()) {
                continue;
            }
            for f in &r.findings {
                let slot = by_owner.entry(f.owner.as_str()).or_default();
                match f.status {
                    FindingStatus::Fail => slot.0 += 1,
                    FindingStatus::Warn => slot.1 += 1,
                }
            }
        }
    }
    if by_owner.is_empty() {
        return;
    }
    out.push('\n');
    out.push_str(&p.bold("To do by owner"));
    out.push('\n');
    for (owner, (fail, warn)) in by_owner {
        let _ = writeln!(out, "  {owner:<12} {fail} to fix, {warn} lapsing soon");
    }
}
