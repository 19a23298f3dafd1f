//! `attest history LEDGER`: readiness over the runs a ledger records, overall and per
//! category, with each run's audit period, its failures, and how many are new, resolved or
//! no longer judged since the run before it of the same organization (none for its first
//! run: there is nothing to compare with), as text, JSON, CSV or Markdown ([`render`]). New,
//! resolved and no longer judged mean what they mean to `attest diff`, and a run that
//! evaluated another pack or parameters, or judged another period, than the run it is
//! compared with is said to, in `attest diff`'s words. Each run's report is checked against
//! the digest the ledger holds for it.

mod render;

use crate::Outcome;
use crate::evidence;
use crate::inputs;
use crate::ledger::{self, Entry, Failure};
use crate::output::Target;
use attest_engine::pack::Category;
use attest_engine::period::Period;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// History formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table per organization, for people.
    Text,
    /// A JSON document (`history_version` 2).
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
    /// The audit period the run judged; none for a point-in-time run.
    pub period: Option<Period>,
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
    /// The previous run of the organization (its `seq`), which the counts below compare
    /// with; none for its first run, which has nothing to compare with.
    pub compared_with: Option<u64>,
    /// Failures the previous run did not have; none for a first run.
    pub new: Option<usize>,
    /// Failures of the previous run that this one judged and no longer fails; none for a
    /// first run, and for a run whose entry does not say what it no longer judged.
    pub resolved: Option<usize>,
    /// Failures of the previous run that this one did not judge (`attest diff`'s *no longer
    /// judged*): not counted as resolved, since nothing shows they were fixed. None as for
    /// `resolved`.
    pub unjudged: Option<usize>,
    /// Failures of the previous run that this one does not have: `resolved` and `unjudged`
    /// together, known even when the entry does not tell them apart; none for a first run.
    pub no_longer_failing: Option<usize>,
    /// When the run evaluated another pack, other pack files or other parameters than the
    /// previous run, or judged another audit period, the sentence `attest diff` gives for
    /// it: the counts then follow the change as much as the facts.
    pub context_change: Option<String>,
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
/// path, if there is one to read. Each run is compared with the previous run of its
/// organization ([`ledger::previous`]); of that run's failures it no longer has, those its
/// entry records as not judged ([`Entry::unjudged`], worked out by `attest diff`'s rule when
/// the run was recorded) are no longer judged, and the others resolved.
pub fn rows(entries: &[Entry], digest: impl Fn(&Path) -> Option<String>) -> Vec<Row> {
    let mut rows = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let previous = ledger::previous(&entries[..i], &e.organization);
        let now: BTreeSet<&Failure> = e.failing.iter().collect();
        let before: Option<BTreeSet<&Failure>> = previous.map(|p| p.failing.iter().collect());
        let gone: Option<BTreeSet<&Failure>> = before
            .as_ref()
            .map(|b| b.difference(&now).copied().collect());
        // Of the failures gone, those the run did not judge; unknown for an entry that does
        // not say (with none gone, none).
        let unjudged: Option<usize> = gone.as_ref().and_then(|gone| {
            if gone.is_empty() {
                return Some(0);
            }
            let recorded = e.unjudged.as_ref()?;
            let recorded: BTreeSet<&Failure> = recorded.iter().map(|u| &u.failure).collect();
            Some(gone.intersection(&recorded).count())
        });
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
            period: e.period(),
            organization: e.organization.clone(),
            pack: format!("{} {}", e.pack.name, e.pack.version),
            readiness: ready(&e.summary.controls),
            categories: Category::ALL
                .iter()
                .map(|c| (c.as_str(), ready(&e.summary.category(*c))))
                .collect(),
            failing: now.len(),
            compared_with: previous.map(|p| p.seq),
            new: before.as_ref().map(|b| now.difference(b).count()),
            resolved: gone.as_ref().zip(unjudged).map(|(g, u)| g.len() - u),
            unjudged,
            no_longer_failing: gone.as_ref().map(BTreeSet::len),
            context_change: previous.and_then(|p| e.side().context_change(&p.side())),
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
