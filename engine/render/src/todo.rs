//! The to-do list as text, for people, as Markdown, for a pull request or an issue, and as
//! CSV (one row per item), for spreadsheets and trackers; its JSON is its own serialization
//! ([`TodoList::to_json`]). Every value from the facts, the pack or the waivers is shown
//! escaped for where it is read: [`line`] in text, [`markdown`](super::escape::markdown) in
//! Markdown, the cell escaping of the CSV report in CSV.

use super::csv::row;
use super::escape::{line, markdown as escape};
use super::markdown::code;
use super::record_place;
use attest_engine::report::describe_params;
use attest_engine::report::todo::{
    EvidenceGap, ItemKind, OwnerTodo, RuleInError, TodoCounts, TodoItem, TodoList,
};
use std::fmt::Write as _;

/// `1 item`, `2 items`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The list's counts in words: `12 to fix, 3 lapsing soon (4 evidence to collect); 2
/// exceptions over, nothing to fix; 2 waived (not listed)`.
fn counts(c: &TodoCounts) -> String {
    let mut s = format!("{} to fix, {} lapsing soon", c.to_fix, c.lapsing_soon());
    if c.evidence > 0 {
        let _ = write!(s, " ({} evidence to collect)", c.evidence);
    }
    if c.exceptions > 0 {
        let _ = write!(
            s,
            "; {} over, nothing to fix",
            plural(c.exceptions, "exception", "exceptions")
        );
    }
    if c.waived > 0 {
        let _ = write!(s, "; {} waived (not listed)", c.waived);
    }
    s
}

/// What the item asks, in a word: `fix`, `lapsing`, `evidence` or `exception`.
fn label(item: &TodoItem) -> &'static str {
    match item.kind {
        ItemKind::Finding => "fix",
        ItemKind::Lapsing => "lapsing",
        ItemKind::Evidence => "evidence",
        ItemKind::Exception => "exception",
    }
}

/// The word before an item's remediation: `fix:`, `collect:` (evidence) or `keep:` (an
/// exception that is over).
fn to_do(item: &TodoItem) -> &'static str {
    match item.kind {
        ItemKind::Evidence => "collect:",
        ItemKind::Exception => "keep:",
        ItemKind::Finding | ItemKind::Lapsing => "fix:",
    }
}

/// When the item is due, in words: `was due 2026-05-14` (a failing finding, due by a date up
/// to `today`), `due 2026-07-15` (a lapsing one, or any later date), `expired 2026-03-02`,
/// `expires 2026-07-14` or `missing` (evidence), `corrected on 2026-06-25` (an exception
/// that is over); empty when no date is known.
pub(super) fn when(item: &TodoItem, today: &str) -> String {
    let due = item.due_on.as_deref();
    if let Some(day) = &item.corrected_on {
        return format!("corrected on {day}");
    }
    match (&item.evidence, due) {
        (Some(e), _) => match (e.state, due) {
            (EvidenceGap::Expiring, Some(d)) => format!("expires {d}"),
            (EvidenceGap::Expired, Some(d)) => format!("expired {d}"),
            (state, _) => state.as_str().to_owned(),
        },
        (None, Some(d)) if item.kind == ItemKind::Finding && d <= today => {
            format!("was due {d}")
        }
        (None, Some(d)) => format!("due {d}"),
        (None, None) => String::new(),
    }
}

/// What to do about a rule in error.
const ERROR_REMEDIATION: &str =
    "Make the rule answer (fix it, or raise the limit it hit), then run again.";

/// The rules in error as text, after the counts: `Rules in error (2): they could not
/// answer, so the list may miss their findings`, then one line per rule with its owner and
/// message; nothing when there are none. `missed` says what may be missing.
pub(super) fn rules_in_error_text(out: &mut String, rules: &[RuleInError], missed: &str) {
    if rules.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Rules in error ({}): they could not answer, so {missed}",
        rules.len()
    );
    for r in rules {
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            line(&r.rule),
            r.owner,
            line(&r.message)
        );
    }
}

/// Renders the list as text: the counts, the parameters set, the rules in error, then each
/// owner with its items in order, each with its record and what to do.
pub fn todo_text(todo: &TodoList) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "To do · {} · as of {}{}{}",
        line(&todo.organization),
        line(&todo.evaluated_on),
        super::period_note(todo.period),
        todo.owner
            .map(|o| format!(" · owner {o}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "{} for {}: {}",
        plural(todo.summary.items, "item", "items"),
        plural(todo.owners.len(), "owner", "owners"),
        counts(&todo.summary)
    );
    if let Some(params) = describe_params(&todo.params) {
        let _ = writeln!(out, "Parameters set for this run: {}", line(&params));
    }
    rules_in_error_text(
        &mut out,
        &todo.rules_in_error,
        "the list may miss their findings",
    );
    if todo.owners.is_empty() {
        out.push_str("\nNothing to do.\n");
    }
    for o in &todo.owners {
        out.push('\n');
        owner_text(&mut out, o, &todo.evaluated_on);
    }
    out
}

fn owner_text(out: &mut String, o: &OwnerTodo, today: &str) {
    let _ = writeln!(out, "{}: {}", o.owner, counts(&o.summary));
    if o.items.is_empty() {
        out.push_str("  nothing to do\n");
    }
    let width = o.items.len().to_string().len();
    for (n, item) in o.items.iter().enumerate() {
        let when = when(item, today);
        let at = record_place(item.source.as_ref(), item.record());
        let _ = writeln!(
            out,
            "  {:>width$}. {} {}{} {}: {}{}",
            n + 1,
            item.severity.as_str(),
            label(item),
            if when.is_empty() {
                String::new()
            } else {
                format!(" ({when})")
            },
            line(&item.rule),
            line(&item.message),
            if at.is_empty() {
                String::new()
            } else {
                format!(" ({})", line(&at))
            }
        );
        let _ = writeln!(
            out,
            "  {:width$}  {} {}",
            "",
            to_do(item),
            line(&item.remediation)
        );
    }
}

/// Renders the list as Markdown: the counts, then a table of items per owner.
pub fn todo_markdown(todo: &TodoList) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Attest: to do for {}{}\n",
        escape(&todo.organization),
        todo.owner
            .map(|o| format!(", owner {o}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "As of {}{} · pack {} · {} for {}: {}\n",
        escape(&todo.evaluated_on),
        super::period_note(todo.period),
        code(&format!("{} {}", todo.pack.name, todo.pack.version)),
        plural(todo.summary.items, "item", "items"),
        plural(todo.owners.len(), "owner", "owners"),
        counts(&todo.summary)
    );
    if let Some(params) = describe_params(&todo.params) {
        let _ = writeln!(out, "Parameters set for this run: {}\n", escape(&params));
    }
    if !todo.rules_in_error.is_empty() {
        let _ = writeln!(
            out,
            "**Rules in error ({})**: they could not answer, so this list may miss their findings.\n",
            todo.rules_in_error.len()
        );
        for r in &todo.rules_in_error {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                code(&r.rule),
                r.owner,
                escape(&r.message)
            );
        }
        out.push('\n');
    }
    out.push_str(
        "Each owner's items, by severity, then due date (overdue first), then rule and record; exceptions that are over last.\n",
    );
    if todo.owners.is_empty() {
        out.push_str("\nNothing to do.\n");
    }
    for o in &todo.owners {
        let _ = writeln!(out, "\n### {}: {}\n", o.owner, counts(&o.summary));
        if o.items.is_empty() {
            out.push_str("Nothing to do.\n");
            continue;
        }
        out.push_str("| # | Severity | Item | Due | Rule | Record | Finding | To do |\n");
        out.push_str("|--:|---|---|---|---|---|---|---|\n");
        for (n, item) in o.items.iter().enumerate() {
            let at = record_place(item.source.as_ref(), item.record());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                n + 1,
                item.severity.as_str(),
                label(item),
                escape(&when(item, &todo.evaluated_on)),
                code(&item.rule),
                if at.is_empty() {
                    String::new()
                } else {
                    code(&at)
                },
                escape(&item.message),
                escape(&item.remediation)
            );
        }
    }
    out
}

const HEADER: [&str; 15] = [
    "owner",
    "position",
    "kind",
    "severity",
    "due_on",
    "rule",
    "rule_title",
    "criteria",
    "evidence_state",
    "key",
    "entity",
    "file",
    "line",
    "message",
    "remediation",
];

/// Renders the list as CSV (RFC 4180, CRLF line ends, cells escaped as the CSV report
/// escapes them): one row per item, owners in name order, each owner's items in order
/// (`position` from 1); then one row per rule in error (`kind` `error`, no position, its
/// message), whose findings the list may miss.
pub fn todo_csv(todo: &TodoList) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for o in &todo.owners {
        for (n, item) in o.items.iter().enumerate() {
            row(
                &mut out,
                [
                    o.owner.as_str().to_owned(),
                    (n + 1).to_string(),
                    item.kind.as_str().to_owned(),
                    item.severity.as_str().to_owned(),
                    item.due_on.clone().unwrap_or_default(),
                    item.rule.clone(),
                    item.rule_title.clone(),
                    item.criteria.join(" "),
                    item.evidence
                        .as_ref()
                        .map(|e| e.state.as_str().to_owned())
                        .unwrap_or_default(),
                    item.key.clone().unwrap_or_default(),
                    item.entity.clone().unwrap_or_default(),
                    item.source
                        .as_ref()
                        .map(|s| s.file.clone())
                        .unwrap_or_default(),
                    item.source
                        .as_ref()
                        .map(|s| s.line.to_string())
                        .unwrap_or_default(),
                    item.message.clone(),
                    item.remediation.clone(),
                ],
            );
        }
    }
    for r in &todo.rules_in_error {
        let mut fields = vec![String::new(); HEADER.len()];
        fields[0] = r.owner.as_str().to_owned();
        fields[2] = "error".to_owned();
        fields[5] = r.rule.clone();
        fields[6] = r.title.clone();
        fields[13] = r.message.clone();
        fields[14] = ERROR_REMEDIATION.to_owned();
        row(&mut out, fields);
    }
    out
}
