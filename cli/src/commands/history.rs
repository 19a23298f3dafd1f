//! `attest history LEDGER`: readiness over the runs a ledger records, overall and per
//! category, with the failures of each run and how many are new or resolved since the run
//! before it (of the same organization), as text, JSON, CSV or Markdown. Each run's report
//! is checked against the digest the ledger holds for it.

use crate::Outcome;
use crate::evidence;
use crate::inputs;
use crate::ledger::{self, Entry, Failure};
use crate::output::Target;
use attest_engine::pack::Category;
use attest_render::escape::line as shown;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// History formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Text,
    /// A JSON document (`history_version` 1).
    Json,
    /// CSV (RFC 4180), a row per run.
    Csv,
    /// A Markdown table.
    Markdown,
}

/// Arguments of `attest history`.
#[derive(clap::Args)]
pub struct Args {
    /// The ledger (`attest eval --ledger FILE`). Report paths in it are read relative to
    /// the working directory, as `attest eval` wrote them.
    ledger: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the history here (atomically) instead of to stdout; `-` is stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// One run in the history.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The entry's number.
    pub seq: u64,
    /// When it ran.
    pub run_at: String,
    /// The as-of date.
    pub as_of: String,
    /// The organization.
    pub organization: String,
    /// Pack name and version.
    pub pack: String,
    /// Criteria in scope that pass or warn, of those in scope, and the percentage (null
    /// when nothing is in scope).
    pub readiness: Option<Ready>,
    /// Readiness per category in scope, in category order (null: out of scope).
    pub categories: Vec<(&'static str, Option<Ready>)>,
    /// Failures of the run.
    pub failing: usize,
    /// Failures the previous run of the organization did not have (all of them for its
    /// first run).
    pub new: usize,
    /// Failures of the previous run that this one no longer has.
    pub resolved: usize,
    /// The report the run wrote: `ok` (its digest matches), `changed`, `missing` or
    /// `not written`.
    pub report: &'static str,
}

/// Readiness of a set of criteria.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Ready {
    /// Criteria that pass or warn.
    pub ready: u32,
    /// Criteria in scope.
    pub applicable: u32,
    /// `ready` over `applicable`, in percent.
    pub percent: u32,
}

/// Shows the history; exit 1 when the ledger's chain is broken (the runs before the
/// problem are shown).
pub fn run(args: &Args) -> Result<Outcome, String> {
    let name = inputs::display(&args.ledger);
    // Anything else at the path (a device, a pipe, a folder) is refused by name on reading.
    if std::fs::metadata(&args.ledger).is_err() {
        return Err(format!("{name}: no such ledger file"));
    }
    let verified = ledger::read(&args.ledger)?;
    // Never onto the ledger, nor onto a report it records: both are the trail it shows.
    if let Some(output) = &args.output {
        let reports: Vec<PathBuf> = verified
            .entries
            .iter()
            .filter_map(|e| e.report.path.as_deref().map(PathBuf::from))
            .collect();
        let read: Vec<crate::output::Input<'_>> = std::iter::once(crate::output::Input {
            path: &args.ledger,
            what: "the ledger",
            extension: None,
        })
        .chain(reports.iter().map(|path| crate::output::Input {
            path,
            what: "a report of the ledger",
            extension: None,
        }))
        .collect();
        crate::output::refuse_inputs(output, &read)?;
    }
    // Only a regular file is read as a report: a path a ledger records may be a device
    // (`--output /dev/zero`) that would be read without end, or a pipe that would block. It
    // is hashed as it is read, never held whole.
    let rows = rows(&verified.entries, |p| evidence::file_sha256(p).ok());
    let content = match args.format {
        Format::Text => text(&rows),
        Format::Json => {
            let doc = serde_json::json!({
                "history_version": "1",
                "ledger": name,
                "problem": verified.problem.as_ref().map(ToString::to_string),
                "runs": rows.iter().map(row_json).collect::<Vec<_>>(),
            });
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Csv => csv(&rows),
        Format::Markdown => markdown(&rows),
    };
    // The error names the output.
    Target::from_arg(args.output.as_deref()).write(&content)?;
    if let Some(problem) = &verified.problem {
        crate::output::tell(&format!(
            "warning: {name}: {problem}; the runs from there on are not shown"
        ));
        return Ok(Outcome::Failed);
    }
    Ok(Outcome::Clean)
}

/// The rows of `entries`, in ledger order; `digest` gives the SHA-256 of the report at a
/// path, if there is one to read.
pub fn rows(entries: &[Entry], digest: impl Fn(&Path) -> Option<String>) -> Vec<Row> {
    let mut rows = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let previous = entries[..i]
            .iter()
            .rev()
            .find(|p| p.organization == e.organization);
        let now: BTreeSet<&Failure> = e.failing.iter().collect();
        let before: BTreeSet<&Failure> = previous
            .map(|p| p.failing.iter().collect())
            .unwrap_or_default();
        let report = match &e.report.path {
            None => "not written",
            Some(path) => match digest(Path::new(path)) {
                None => "missing",
                Some(d) if d == e.report.digest => "ok",
                Some(_) => "changed",
            },
        };
        rows.push(Row {
            seq: e.seq,
            run_at: e.run_at.clone(),
            as_of: e.as_of.clone(),
            organization: e.organization.clone(),
            pack: format!("{} {}", e.pack.name, e.pack.version),
            readiness: ready(&e.summary.controls),
            categories: Category::ALL
                .iter()
                .map(|c| (c.as_str(), ready(&e.summary.category(*c))))
                .collect(),
            failing: now.len(),
            new: now.difference(&before).count(),
            resolved: before.difference(&now).count(),
            report,
        });
    }
    rows
}

fn ready(counts: &attest_engine::report::Counts) -> Option<Ready> {
    counts.readiness().map(|r| Ready {
        ready: r.ready,
        applicable: r.applicable,
        percent: r.percent,
    })
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
        "organization": row.organization,
        "pack": row.pack,
        "readiness": row.readiness,
        "categories": categories,
        "failing": row.failing,
        "new": row.new,
        "resolved": row.resolved,
        "report": row.report,
    })
}

fn percent(r: Option<Ready>) -> String {
    r.map_or("-".to_owned(), |r| format!("{}%", r.percent))
}

/// The columns every table format shares: their headers and a row's cells.
fn header() -> Vec<String> {
    let mut h = vec![
        "#".to_owned(),
        "run at".to_owned(),
        "as of".to_owned(),
        "ready".to_owned(),
    ];
    h.extend(Category::ALL.iter().map(|c| c.label().to_owned()));
    h.extend(["failing", "new", "resolved", "report"].map(str::to_owned));
    h
}

fn cells(row: &Row) -> Vec<String> {
    let overall = row.readiness.map_or("-".to_owned(), |r| {
        format!("{}% ({} of {})", r.percent, r.ready, r.applicable)
    });
    let mut c = vec![
        row.seq.to_string(),
        row.run_at.clone(),
        row.as_of.clone(),
        overall,
    ];
    c.extend(row.categories.iter().map(|(_, r)| percent(*r)));
    c.extend([
        row.failing.to_string(),
        row.new.to_string(),
        row.resolved.to_string(),
        row.report.to_owned(),
    ]);
    c
}

fn text(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "no runs recorded\n".to_owned();
    }
    let mut table = vec![header()];
    table.extend(rows.iter().map(cells));
    let widths: Vec<usize> = (0..table[0].len())
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut org = "";
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    for (row, cells) in rows.iter().zip(&table[1..]) {
        if row.organization != org {
            org = &row.organization;
            let _ = writeln!(
                out,
                "{}{} ({})",
                if out.is_empty() { "" } else { "\n" },
                shown(org),
                shown(&row.pack)
            );
            out.push_str(&line(&table[0]));
        }
        out.push_str(&line(cells));
    }
    out
}

fn markdown(rows: &[Row]) -> String {
    let mut out = String::from("## Readiness over time\n\n");
    if rows.is_empty() {
        out.push_str("No runs recorded.\n");
        return out;
    }
    let h = header();
    let _ = writeln!(out, "| {} |", h.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(h.len()));
    for row in rows {
        let c: Vec<String> = cells(row).iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", c.join(" | "));
    }
    out
}

fn csv(rows: &[Row]) -> String {
    let mut h: Vec<String> = [
        "seq",
        "run_at",
        "as_of",
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
    h.extend(["failing", "new", "resolved", "report"].map(str::to_owned));
    let mut out = h.join(",");
    out.push_str("\r\n");
    for row in rows {
        let r = row.readiness;
        let mut c = vec![
            row.seq.to_string(),
            row.run_at.clone(),
            row.as_of.clone(),
            row.organization.clone(),
            row.pack.clone(),
            r.map_or(String::new(), |r| r.ready.to_string()),
            r.map_or(String::new(), |r| r.applicable.to_string()),
            r.map_or(String::new(), |r| r.percent.to_string()),
        ];
        c.extend(
            row.categories
                .iter()
                .map(|(_, r)| r.map_or(String::new(), |r| r.percent.to_string())),
        );
        c.extend([
            row.failing.to_string(),
            row.new.to_string(),
            row.resolved.to_string(),
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
