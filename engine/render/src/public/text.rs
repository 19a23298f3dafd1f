//! The public view as plain text. Every value from the facts or the pack (the
//! organization's name, titles, vendors and their services) is shown with [`line`], as the
//! full text report shows it: its control characters visible, never obeyed, and never
//! starting a line of its own.

use super::super::escape::line;
use super::super::period_note;
use super::{PublicReport, assurance, vendor_totals};
use std::fmt::Write as _;

/// Renders the public view as plain text: readiness per category, every criterion with its
/// checks, and the vendors.
pub fn public_text(p: &PublicReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "SOC 2 readiness of {}, as of {}{} (public view; pack {} {})\n",
        line(&p.organization),
        line(&p.evaluated_on),
        period_note(p.period),
        line(&p.pack.name),
        line(&p.pack.version)
    );
    out.push_str("Readiness (criteria in scope that pass or warn)\n");
    let width = p
        .categories
        .iter()
        .map(|c| c.label.len())
        .max()
        .unwrap_or(0);
    for c in &p.categories {
        if c.in_scope {
            let n = &c.counts;
            let _ = writeln!(
                out,
                "  {:<width$}  {:>3}%  {} of {} ready; {} pass, {} warn, {} waived, {} fail, {} error",
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
            let _ = writeln!(out, "  {:<width$}  not in scope", c.label);
        }
    }
    out.push_str("\nCriteria\n");
    let width = p
        .controls
        .iter()
        .map(|c| line(&c.id).chars().count())
        .max()
        .unwrap_or(0);
    for c in &p.controls {
        let _ = writeln!(
            out,
            "  {:<width$}  {:<14}  {}",
            line(&c.id),
            c.status.as_str(),
            line(&c.title)
        );
        for check in &c.checks {
            let _ = writeln!(
                out,
                "  {:<width$}  {:<14}  - {}: {}",
                "",
                "",
                line(&check.title),
                check.status.as_str()
            );
        }
    }
    let _ = writeln!(out, "\nVendors\n  {}", vendor_totals(&p.vendors));
    for v in &p.vendors.vendors {
        let _ = writeln!(
            out,
            "  - {}: {} ({})",
            line(&v.name),
            line(&v.service),
            line(&assurance(v))
        );
    }
    out
}
