//! `attest history LEDGER`: readiness over the runs a ledger records, overall and per
//! category, with the failures of each run and how many are new or resolved since the run
//! before it of the same organization (none for its first run: there is nothing to compare
//! with), as text, JSON, CSV or Markdown ([`render`]). Each run's report is checked against
//! the digest the ledger holds for it.

mod render;

use crate::Outcome;
use crate::evidence;
use crate::inputs;
use crate::ledger::{self, Entry, Failure};
use crate::output::Target;
use attest_engine::pack::Category;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// History formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table per organization, for people.
    Text,
    /// A JSON document (`history_version` 1).
    Json,
    /// CSV (RFC 4180), a row per run.
    Csv,
    /// A Markdown section and table per organization.
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
    /// Failures the previous run of the organization did not have; none for its first run,
    /// which has no previous run to compare with.
    pub new: Option<usize>,
    /// Failures of the previous run of the organization that this one no longer has; none
    /// for its first run.
    pub resolved: Option<usize>,
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
        Format::Text => render::text(&rows),
        Format::Json => render::json(
            &name,
            verified.problem.as_ref().map(ToString::to_string),
            &rows,
        ),
        Format::Csv => render::csv(&rows),
        Format::Markdown => render::markdown(&rows),
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
        let before: Option<BTreeSet<&Failure>> = previous.map(|p| p.failing.iter().collect());
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
            new: before.as_ref().map(|b| now.difference(b).count()),
            resolved: before.as_ref().map(|b| b.difference(&now).count()),
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
