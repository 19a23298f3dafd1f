//! The public view as GitHub-flavoured Markdown.

use super::{PublicReport, assurance, vendor_totals};
use std::fmt::Write as _;

/// Text in a table cell or a line, with what Markdown or HTML would interpret escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders the public view as Markdown: readiness per category, every criterion with its
/// checks, and the vendors.
pub fn public_markdown(p: &PublicReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## SOC 2 readiness of {}\n\nAs of {}{} · pack `{} {}` · public view\n",
        escape(&p.organization),
        p.evaluated_on,
        super::super::period_note(p.period),
        escape(&p.pack.name),
        escape(&p.pack.version)
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
                assurance(v)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape("a|b <i>*x*</i>\n"),
            "a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; "
        );
    }
}
