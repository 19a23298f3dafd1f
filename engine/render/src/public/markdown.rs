//! The public view as GitHub-flavoured Markdown. Every value from the facts or the pack is
//! escaped as the full Markdown report escapes it ([`escape`](crate::escape::markdown)):
//! its Markdown and HTML syntax and table pipes shown, its control characters visible.

use super::super::escape::markdown as escape;
use super::super::markdown::code;
use super::{PublicReport, assurance, vendor_totals};
use std::fmt::Write as _;

/// Renders the public view as Markdown: readiness per category, every criterion with its
/// checks, and the vendors.
pub fn public_markdown(p: &PublicReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## SOC 2 readiness of {}\n\nAs of {}{} · pack {} · public view\n",
        escape(&p.organization),
        escape(&p.evaluated_on),
        super::super::period_note(p.period),
        code(&format!("{} {}", p.pack.name, p.pack.version))
    );
    out.push_str("| Category | Ready | Pass | Warn | Waived | Fail | Error |\n");
    out.push_str("|---|---|--:|--:|--:|--:|--:|\n");
    for c in &p.categories {
        if c.in_scope {
            let n = &c.counts;
            let _ = writeln!(
                out,
                "| {} | {}% ({}/{}) | {} | {} | {} | {} | {} |",
                c.label,
                c.percent,
                c.ready,
                c.applicable,
                n.pass,
                n.warn,
                n.waived,
                n.fail,
                n.error
            );
        } else {
            let _ = writeln!(out, "| {} | not in scope | | | | | |", c.label);
        }
    }
    out.push_str("\n### Criteria\n\n| Criterion | Status | Title | Checks |\n|---|---|---|---|\n");
    for c in &p.controls {
        let checks: Vec<String> = c
            .checks
            .iter()
            .map(|k| format!("{} ({})", escape(&k.title), k.status.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            escape(&c.id),
            c.status.as_str(),
            escape(&c.title),
            checks.join("<br>")
        );
    }
    let _ = writeln!(out, "\n### Vendors\n\n{}\n", vendor_totals(&p.vendors));
    if !p.vendors.vendors.is_empty() {
        out.push_str("| Vendor | Service | Assurance |\n|---|---|---|\n");
        for v in &p.vendors.vendors {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                escape(&v.name),
                escape(&v.service),
                escape(&assurance(v))
            );
        }
    }
    out
}
