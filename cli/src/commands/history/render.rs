//! The formats of `attest history`. Text and Markdown give each organization its own
//! section (in the order the organizations first ran, each with its runs in ledger order),
//! with a note under its table for each run whose comparison with the run before needs one
//! (the run is marked `*`); CSV and JSON hold a row per run, in ledger order, with its
//! organization, and the same in members. An organization's first run has nothing to
//! compare with: its `new`, `resolved` and `unjudged` are none (`first run` and `-` in a
//! table, empty in CSV, null in JSON), not counts; a run whose entry does not say what it
//! no longer judged has a `new` count but no `resolved` or `unjudged` (`?` in a table).

use super::{Ready, Row};
use attest_engine::pack::Category;
use attest_render::escape::{line as shown, markdown as escaped};
use std::fmt::Write as _;

/// What a table shows in the `new` column of an organization's first run.
const FIRST_RUN: &str = "first run";

/// What a table shows for a count the run's entry does not give.
const UNKNOWN: &str = "?";

/// What marks a run that has notes, in a table's `#` column and before its notes.
const MARK: &str = "*";

/// What needs saying about the run's comparison with the run before: that the pack, the
/// parameters or the period changed (as `attest diff` says it), or that the entry does not
/// say what the run no longer judged.
fn notes(row: &Row) -> Vec<String> {
    let mut out: Vec<String> = row.context_change.iter().cloned().collect();
    if let (Some(before), Some(gone), None) =
        (row.compared_with, row.no_longer_failing, row.unjudged)
    {
        out.push(format!(
            "of the failures of run {before}, {gone} are no longer failing, but the run's entry does not say which of them it judged (an earlier attest recorded it, or another run of the organization was recorded while it ran): none is counted as resolved"
        ));
    }
    out
}

/// The runs of one organization.
struct Section<'a> {
    /// The organization.
    organization: &'a str,
    /// The packs its runs evaluated, each once, in the order first run.
    packs: Vec<&'a str>,
    /// Its runs, in ledger order.
    rows: Vec<&'a Row>,
}

/// `rows` by organization, in the order the organizations first appear.
fn sections(rows: &[Row]) -> Vec<Section<'_>> {
    let mut out: Vec<Section<'_>> = Vec::new();
    for row in rows {
        let i = match out.iter().position(|s| s.organization == row.organization) {
            Some(i) => i,
            None => {
                out.push(Section {
                    organization: &row.organization,
                    packs: Vec::new(),
                    rows: Vec::new(),
                });
                out.len() - 1
            }
        };
        let section = &mut out[i];
        if !section.packs.contains(&row.pack.as_str()) {
            section.packs.push(&row.pack);
        }
        section.rows.push(row);
    }
    out
}

/// The history as a JSON document (`history_version` 2).
pub fn json(ledger: &str, problem: Option<String>, rows: &[Row]) -> String {
    let doc = serde_json::json!({
        "history_version": "2",
        "ledger": ledger,
        "problem": problem,
        "runs": rows.iter().map(row_json).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn row_json(row: &Row) -> serde_json::Value {
    let categories: serde_json::Map<String, serde_json::Value> = row
        .categories
        .iter()
        .map(|(name, r)| {
            (
                (*name).to_owned(),
                serde_json::to_value(r).unwrap_or_default(),
            )
        })
        .collect();
    serde_json::json!({
        "seq": row.seq,
        "run_at": row.run_at,
        "as_of": row.as_of,
        "period": row.period,
        "organization": row.organization,
        "pack": row.pack,
        "readiness": row.readiness,
        "categories": categories,
        "failing": row.failing,
        "compared_with": row.compared_with,
        "new": row.new,
        "resolved": row.resolved,
        "unjudged": row.unjudged,
        "no_longer_failing": row.no_longer_failing,
        "context_change": row.context_change,
        "report": row.report,
    })
}

fn percent(r: Option<Ready>) -> String {
    r.map_or("-".to_owned(), |r| format!("{}%", r.percent))
}

/// The audit period as `START..END`, or `-` for a point-in-time run.
fn period(row: &Row) -> String {
    row.period.map_or("-".to_owned(), |p| p.to_string())
}

/// A count of a comparison: `-` for a first run, `?` when the entry does not give it.
fn compared(row: &Row, count: Option<usize>) -> String {
    match (row.compared_with, count) {
        (None, _) => "-".to_owned(),
        (Some(_), None) => UNKNOWN.to_owned(),
        (Some(_), Some(n)) => n.to_string(),
    }
}

/// The columns every table format shares: their headers and a row's cells.
fn header() -> Vec<String> {
    let mut h = vec![
        "#".to_owned(),
        "run at".to_owned(),
        "as of".to_owned(),
        "period".to_owned(),
        "ready".to_owned(),
    ];
    h.extend(Category::ALL.iter().map(|c| c.label().to_owned()));
    h.extend(["failing", "new", "resolved", "no longer judged", "report"].map(str::to_owned));
    h
}

/// A row's cells, the values the ledger gives as written (`run_at`, `as_of`) shown with
/// `escape`: a ledger is input, and its text must not reach a terminal or a Markdown page as
/// control characters or markup.
fn cells(row: &Row, escape: fn(&str) -> String) -> Vec<String> {
    let overall = row.readiness.map_or("-".to_owned(), |r| {
        format!("{}% ({} of {})", r.percent, r.ready, r.applicable)
    });
    let mark = if notes(row).is_empty() { "" } else { MARK };
    let mut c = vec![
        format!("{}{mark}", row.seq),
        escape(&row.run_at),
        escape(&row.as_of),
        period(row),
        overall,
    ];
    c.extend(row.categories.iter().map(|(_, r)| percent(*r)));
    c.extend([
        row.failing.to_string(),
        row.new.map_or(FIRST_RUN.to_owned(), |n| n.to_string()),
        compared(row, row.resolved),
        compared(row, row.unjudged),
        row.report.to_owned(),
    ]);
    c
}

/// The notes of a section's runs, in order, each `run N: ...` with the note shown with
/// `escape`.
fn section_notes(section: &Section<'_>, escape: fn(&str) -> String) -> Vec<String> {
    section
        .rows
        .iter()
        .flat_map(|row| {
            notes(row)
                .into_iter()
                .map(move |note| format!("run {}: {}", row.seq, escape(&note)))
        })
        .collect()
}

/// The section's heading: `Organization (pack version)`.
fn heading(section: &Section<'_>, escape: fn(&str) -> String) -> String {
    format!(
        "{} ({})",
        escape(section.organization),
        escape(&section.packs.join(", "))
    )
}

/// A value on one line of text, its hidden characters shown escaped.
fn shown_line(text: &str) -> String {
    shown(text).into_owned()
}

/// A table per organization, its columns as wide as their widest cell over every run.
pub fn text(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "no runs recorded\n".to_owned();
    }
    let head = header();
    let all: Vec<Vec<String>> = rows.iter().map(|r| cells(r, shown_line)).collect();
    let widths: Vec<usize> = (0..head.len())
        .map(|i| {
            std::iter::once(&head)
                .chain(&all)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = String::new();
    for section in sections(rows) {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", heading(&section, shown_line));
        out.push_str(&line(&head));
        for row in &section.rows {
            out.push_str(&line(&cells(row, shown_line)));
        }
        for note in section_notes(&section, shown_line) {
            let _ = writeln!(out, "{MARK} {note}");
        }
    }
    out
}

/// A heading and a table per organization.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from("## Readiness over time\n");
    if rows.is_empty() {
        out.push_str("\nNo runs recorded.\n");
        return out;
    }
    let h = header();
    for section in sections(rows) {
        let _ = writeln!(out, "\n### {}\n", heading(&section, escaped));
        let _ = writeln!(out, "| {} |", h.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(h.len()));
        for row in &section.rows {
            let _ = writeln!(out, "| {} |", cells(row, escaped).join(" | "));
        }
        let notes = section_notes(&section, escaped);
        if !notes.is_empty() {
            out.push('\n');
        }
        for note in notes {
            let _ = writeln!(out, "- \\{MARK} {note}");
        }
    }
    out
}

/// CSV (RFC 4180): a row per run, in ledger order.
pub fn csv(rows: &[Row]) -> String {
    let mut h: Vec<String> = [
        "seq",
        "run_at",
        "as_of",
        "period",
        "organization",
        "pack",
        "ready",
        "applicable",
        "ready_percent",
    ]
    .map(str::to_owned)
    .to_vec();
    h.extend(
        Category::ALL
            .iter()
            .map(|c| format!("{}_percent", c.as_str())),
    );
    h.extend(
        [
            "failing",
            "compared_with",
            "new",
            "resolved",
            "unjudged",
            "no_longer_failing",
            "context_change",
            "report",
        ]
        .map(str::to_owned),
    );
    let mut out = h.join(",");
    out.push_str("\r\n");
    let count = |n: Option<u32>| n.map_or(String::new(), |n| n.to_string());
    for row in rows {
        let r = row.readiness;
        let mut c = vec![
            row.seq.to_string(),
            row.run_at.clone(),
            row.as_of.clone(),
            row.period.map_or(String::new(), |p| p.to_string()),
            row.organization.clone(),
            row.pack.clone(),
            count(r.map(|r| r.ready)),
            count(r.map(|r| r.applicable)),
            count(r.map(|r| r.percent)),
        ];
        c.extend(
            row.categories
                .iter()
                .map(|(_, r)| count(r.map(|r| r.percent))),
        );
        let number = |n: Option<usize>| n.map_or(String::new(), |n| n.to_string());
        c.extend([
            row.failing.to_string(),
            row.compared_with.map_or(String::new(), |n| n.to_string()),
            number(row.new),
            number(row.resolved),
            number(row.unjudged),
            number(row.no_longer_failing),
            row.context_change.clone().unwrap_or_default(),
            row.report.to_owned(),
        ]);
        let quoted: Vec<String> = c.iter().map(|v| csv_cell(v)).collect();
        out.push_str(&quoted.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A CSV cell: quoted when it holds a comma, quote or line break; a leading character a
/// spreadsheet would run as a formula is neutralized with `'`.
fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}
