//! The public view as plain text.

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
        p.organization,
        p.evaluated_on,
        period_note(p.period),
        p.pack.name,
        p.pack.version
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
    let width = p.controls.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &p.controls {
        let _ = writeln!(
            out,
            "  {:<width$}  {:<14}  {}",
            c.id,
            c.status.as_str(),
            c.title
        );
        for check in &c.checks {
            let _ = writeln!(
                out,
                "  {:<width$}  {:<14}  - {}: {}",
                "",
                "",
                check.title,
                check.status.as_str()
            );
        }
    }
    let _ = writeln!(out, "\nVendors\n  {}", vendor_totals(&p.vendors));
    for v in &p.vendors.vendors {
        let _ = writeln!(out, "  - {}: {} ({})", v.name, v.service, assurance(v));
    }
    out
}
