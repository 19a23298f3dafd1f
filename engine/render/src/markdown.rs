//! The Markdown format (GitHub-flavoured), compact enough for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`: readiness per category, the failing rules (each once, with its
//! controls), their findings folded away, waivers that need attention, the warnings about
//! the run's inputs, work per owner.
//! Also the Markdown form of a baseline diff.
//!
//! Both fit a pull-request comment (GitHub takes 65,536 characters): a value shows its first
//! [`MAX_VALUE_CHARS`] characters and counts the rest, and lists and tables stop, counting
//! what they leave out, once the text reaches [`MAX_BYTES`]; the summary and every count stay.

use super::MAX_INPUT_WARNINGS;
use super::escape::{line, markdown as escape_all};
use attest_engine::diff::{Diff, DiffItem};
use attest_engine::pack::Category;
use attest_engine::report::WaiverState;
use attest_engine::report::todo::TodoList;
use attest_engine::report::views::{RuleView, rule_views};
use attest_engine::report::{EvidenceRecord, Report, Status, describe_params};
use std::fmt::Write as _;

/// Findings listed before the rest are only counted: keeps a comment under GitHub's limits.
const MAX_FINDINGS: usize = 100;
/// The most bytes (so at most as many characters) of text before a list or table stops: room
/// is left for the headings, counts and closing tags after it, under GitHub's 65,536.
const MAX_BYTES: usize = 60_000;
/// The most characters of one value shown (a message, a name, a title).
const MAX_VALUE_CHARS: usize = 500;

/// Renders the report as a Markdown summary.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary.controls;
    let _ = writeln!(
        out,
        "## Attest: SOC 2 readiness of {}\n",
        escape(&report.facts.organization)
    );
    let _ = writeln!(
        out,
        "As of {}{} · pack {} · {} · {} warn · {} error · {} waived · {} pass · {} not applicable\n",
        escape(&report.evaluated_on),
        super::report_period_note(report),
        code(&format!("{} {}", report.pack.name, report.pack.version)),
        if s.fail > 0 {
            format!("**{} of {} controls failing**", s.fail, s.applicable())
        } else {
            format!("{} of {} controls failing", s.fail, s.applicable())
        },
        s.warn,
        s.error,
        s.waived,
        s.pass,
        s.not_applicable
    );
    if let Some(params) = describe_params(&report.params) {
        let _ = writeln!(out, "Parameters set for this run: {}\n", escape(&params));
    }
    out.push_str(
        "Ready: criteria in scope that pass or warn. Waived criteria count as not ready.\n\n",
    );
    out.push_str("| Category | Ready | Pass | Warn | Waived | Fail | Error |\n");
    out.push_str("|---|---|--:|--:|--:|--:|--:|\n");
    for category in Category::ALL {
        let counts = report.summary.category(category);
        match counts.readiness() {
            Some(r) => {
                let (ready, applicable, percent) = (r.ready, r.applicable, r.percent);
                let _ = writeln!(
                    out,
                    "| {} | {percent}% ({ready}/{applicable}) | {} | {} | {} | {} | {} |",
                    category.label(),
                    counts.pass,
                    counts.warn,
                    counts.waived,
                    counts.fail,
                    counts.error
                );
            }
            None => {
                let _ = writeln!(out, "| {} | not in scope | | | | | |", category.label());
            }
        }
    }

    let views = rule_views(report);
    let mut by_severity: Vec<&RuleView<'_>> = views.iter().collect();
    attest_engine::sorting::sort_by_key(&mut by_severity, |v| v.rule.severity);
    let errors: Vec<&&RuleView<'_>> = by_severity
        .iter()
        .filter(|v| v.rule.status == Status::Error)
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "\n### Rules that could not answer ({})\n",
            errors.len()
        );
        let total = errors.len();
        let items = errors.into_iter().map(|v| {
            let message = v.rule.error.as_ref().map_or("", |e| e.message.as_str());
            format!(
                "- {} ({}): {}",
                code(v.id),
                escape(&v.control_ids().join(", ")),
                escape(message)
            )
        });
        capped(&mut out, items, total, usize::MAX, List);
    }
    // Failing rules, then every rule with something lapsing soon (failing ones included).
    for (heading, status) in [
        ("Failing rules", Status::Fail),
        ("Lapsing soon", Status::Warn),
    ] {
        let rules: Vec<&&RuleView<'_>> = by_severity
            .iter()
            .filter(|v| match status {
                Status::Fail => v.rule.status == Status::Fail,
                _ => v
                    .rule
                    .findings
                    .iter()
                    .any(|f| f.effective_status() == status),
            })
            .collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {heading} ({})\n", rules.len());
        out.push_str("| Rule | Severity | Owner | Controls | Findings | Population |\n");
        out.push_str("|---|---|---|---|--:|---|\n");
        let rows = rules.iter().map(|v| {
            let open = v
                .rule
                .findings
                .iter()
                .filter(|f| f.effective_status() == status)
                .count();
            format!(
                "| {} {} | {} | {} | {} | {open} | {}{} |",
                code(v.id),
                escape(&v.rule.title),
                v.rule.severity.as_str(),
                v.rule.owner,
                escape(&v.control_ids().join(", ")),
                escape(&v.rule.population.describe()),
                super::as_of_mark(v.rule)
            )
        });
        capped(&mut out, rows, rules.len(), usize::MAX, Table);
        let findings = || {
            rules.iter().flat_map(|v| {
                v.rule
                    .findings
                    .iter()
                    .filter(move |f| f.effective_status() == status)
                    .map(move |f| (v, f))
            })
        };
        let _ = writeln!(
            out,
            "\n<details><summary>{} ({})</summary>\n",
            if status == Status::Fail {
                "Failing findings"
            } else {
                "Lapsing soon"
            },
            findings().count()
        );
        let lines = findings().map(|(v, f)| {
            let at = f
                .source
                .as_ref()
                .map(|s| format!(" · {}", code(&format!("{}:{}", s.file, s.line))))
                .unwrap_or_default();
            format!("- {} {}{at}", code(v.id), escape(&f.message))
        });
        capped(&mut out, lines, findings().count(), MAX_FINDINGS, List);
        out.push_str("\n</details>\n");
    }

    if !report.waivers.is_empty() {
        let active = report
            .waivers
            .iter()
            .filter(|w| w.state == WaiverState::Active)
            .count();
        let _ = writeln!(
            out,
            "\n### Waivers ({active} active of {})\n",
            report.waivers.len()
        );
        let items = report.waivers.iter().map(|w| {
            format!(
                "- **{}** {}: {} ({})",
                w.state.as_str(),
                escape(&w.waiver.scope()),
                escape(&w.explain_in(report)),
                code(&format!(
                    "{}:{}",
                    w.waiver.source.file, w.waiver.source.line
                ))
            )
        });
        capped(&mut out, items, report.waivers.len(), usize::MAX, List);
    }

    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\n### Input warnings ({})\n", report.warnings.len());
        let items = report.warnings.iter().map(|w| {
            format!(
                "- **{}** {}: {}",
                w.input().as_str(),
                code(&w.at()),
                escape(w.message())
            )
        });
        capped(
            &mut out,
            items,
            report.warnings.len(),
            MAX_INPUT_WARNINGS,
            List,
        );
    }

    evidence(&mut out, report);
    let todo = TodoList::counts(report);
    if !todo.owners.is_empty() {
        out.push_str("\n### To do by owner\n\n| Owner | To fix | Lapsing soon | Waived |\n|---|--:|--:|--:|\n");
        for w in &todo.owners {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                w.owner,
                w.summary.to_fix,
                w.lapsing_soon(),
                w.summary.waived
            );
        }
    }
    out
}

/// The evidence records of every criterion that has some, in a collapsed table.
fn evidence(out: &mut String, report: &Report) {
    let rows: Vec<(&str, &EvidenceRecord)> = report
        .controls
        .iter()
        .flat_map(|c| c.evidence.iter().map(move |e| (c.id.as_str(), e)))
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n<details><summary>Evidence on file ({})</summary>\n",
        rows.len()
    );
    out.push_str("| Control | Evidence | Collected | Expires | State | File |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    let total = rows.len();
    let rows = rows.into_iter().map(|(control, e)| {
        let title = match &e.uri {
            Some(uri) => format!("{} ({})", escape(&e.title), code(uri)),
            None => escape(&e.title),
        };
        format!(
            "| {} | {title} | {} | {} | {} | {} |",
            escape(control),
            escape(&e.collected_on),
            escape(e.expires_on.as_deref().unwrap_or("")),
            e.state.as_str(),
            e.file.map_or("", |f| f.as_str())
        )
    });
    capped(out, rows, total, usize::MAX, Table);
    out.push_str("\n</details>\n");
}

/// Renders a baseline diff as Markdown.
pub fn diff_markdown(diff: &Diff) -> String {
    let mut out = String::new();
    out.push_str("## Attest: changes since the baseline\n\n");
    let _ = writeln!(
        out,
        "{} · {} → {} · {} · {} resolved{} · {} still failing · {} control{} changed status\n",
        escape(&diff.new.organization),
        escape(&diff.base.evaluated_on),
        escape(&diff.new.evaluated_on),
        match diff.new_failures.len() {
            0 => "no new failures".to_owned(),
            1 => "**1 new failure**".to_owned(),
            n => format!("**{n} new failures**"),
        },
        diff.resolved.len(),
        match diff.unjudged.len() {
            0 => String::new(),
            n => format!(" · **{n} no longer judged**"),
        },
        diff.still_failing.len(),
        diff.changed.len(),
        if diff.changed.len() == 1 { "" } else { "s" }
    );
    for note in diff.context_change().into_iter().chain(diff.records_note()) {
        let _ = writeln!(out, "**Note:** {}\n", escape(&note));
    }
    for (heading, items, folded) in [
        ("New failures", &diff.new_failures, false),
        ("Resolved", &diff.resolved, false),
        ("No longer judged", &diff.unjudged, false),
        ("Still failing", &diff.still_failing, true),
    ] {
        if items.is_empty() {
            continue;
        }
        if folded {
            let _ = writeln!(
                out,
                "<details><summary>{heading} ({})</summary>\n",
                items.len()
            );
        } else {
            let _ = writeln!(out, "### {heading} ({})\n", items.len());
        }
        out.push_str("| Rule | Severity | Owner | Controls | Finding | Was | Now |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        capped(
            &mut out,
            items.iter().map(item_row),
            items.len(),
            MAX_FINDINGS,
            Table,
        );
        out.push_str(if folded { "\n</details>\n\n" } else { "\n" });
    }
    if !diff.changed.is_empty() {
        let _ = writeln!(
            out,
            "### Controls that changed status ({})\n",
            diff.changed.len()
        );
        out.push_str("| Control | Was | Now |\n|---|---|---|\n");
        let rows = diff.changed.iter().map(|c| {
            format!(
                "| {} {} | {} | {} |",
                code(&c.control),
                escape(&c.title),
                c.base.map_or("absent", |s| s.as_str()),
                c.new.map_or("absent", |s| s.as_str())
            )
        });
        capped(&mut out, rows, diff.changed.len(), usize::MAX, Table);
    }
    out
}

/// A diff item as a table row.
fn item_row(item: &DiffItem) -> String {
    let at = item
        .source
        .as_ref()
        .map(|s| format!(" · {}", code(&format!("{}:{}", s.file, s.line))))
        .unwrap_or_default();
    let was = item
        .base_message
        .as_ref()
        .map(|m| format!(" (was: {})", escape(m)))
        .unwrap_or_default();
    format!(
        "| {} | {} | {} | {} | {}{was}{at} | {} | {} |",
        code(&item.rule),
        item.severity.as_str(),
        item.owner,
        escape(&item.controls.join(", ")),
        escape(&item.message),
        item.base.map_or("absent", |s| s.as_str()),
        item.not_judged().map_or_else(
            || item.new.map_or("absent", |s| s.as_str()).to_owned(),
            |n| escape(&n)
        )
    )
}

/// What the lines [`capped`] writes belong to.
#[derive(Clone, Copy)]
enum Lines {
    /// A list: the count of the rest is its last item.
    List,
    /// A table: the count of the rest is a paragraph after it.
    Table,
}
use Lines::{List, Table};

/// Writes `lines` (`total` of them), each on a line of its own, while at most `max` are
/// written and the text stays within [`MAX_BYTES`]; then a line counting those left out.
fn capped(
    out: &mut String,
    lines: impl Iterator<Item = String>,
    total: usize,
    max: usize,
    kind: Lines,
) {
    let mut written = 0;
    for line in lines.take(max) {
        if out.len() + line.len() + 1 > MAX_BYTES {
            break;
        }
        out.push_str(&line);
        out.push('\n');
        written += 1;
    }
    if written < total {
        let rest = total - written;
        let _ = match kind {
            List => writeln!(out, "- … and {rest} more (see the full report)"),
            Table => writeln!(out, "\n… and {rest} more (see the full report)"),
        };
    }
}

/// `text` cut after [`MAX_VALUE_CHARS`] characters, and how many characters were cut.
fn clip(text: &str) -> (&str, usize) {
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => (&text[..at], text[at..].chars().count()),
        None => (text, 0),
    }
}

/// What follows a value cut by [`clip`]: nothing, or a count of the characters cut.
fn cut_note(cut: usize) -> String {
    if cut == 0 {
        String::new()
    } else {
        format!("… ({cut} more characters)")
    }
}

/// One value as escaped Markdown, its first [`MAX_VALUE_CHARS`] characters shown and the
/// rest counted.
fn escape(text: &str) -> String {
    let (shown, cut) = clip(text);
    escape_all(shown) + &cut_note(cut)
}

/// Text as inline code, when it holds no backtick or table pipe (as ids and paths do), its
/// hidden characters shown escaped; escaped Markdown otherwise. Its first
/// [`MAX_VALUE_CHARS`] characters are shown, the rest counted.
pub(super) fn code(text: &str) -> String {
    let (shown, cut) = clip(text);
    let code = if shown.contains(['`', '|']) {
        escape_all(shown)
    } else {
        format!("`{}`", line(shown))
    };
    code + &cut_note(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_holds_no_backtick_pipe_or_control() {
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(code("a|b"), "a\\|b");
        assert_eq!(code("CC6.1"), "`CC6.1`");
        assert_eq!(code("x\u{1b}[2J\ny"), "`x\\u{1b}[2J\\ny`");
    }
}
