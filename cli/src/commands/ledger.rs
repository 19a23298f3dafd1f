//! `attest ledger verify|log|repair FILE`: checking, listing and repairing the ledger that
//! `attest eval --ledger FILE` appends to.

use crate::Outcome;
use crate::inputs;
use crate::ledger::{self, Entry, Repaired};
use crate::output::Target;
use attest_engine::report::Readiness;
use attest_render::escape::line as shown;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `attest ledger` subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Check the chain: exit 0 when every entry is sound, 1 naming the first bad line
    /// (edited, reordered, inserted, deleted, a torn last line, or empty lines at the end).
    Verify(VerifyArgs),
    /// List the runs the ledger records.
    Log(LogArgs),
    /// Remove a torn last line left by an interrupted run, or empty lines after the last
    /// entry, and add the newline a sound last entry lacks; refuses any other damage.
    Repair(FileArg),
}

/// A ledger file.
#[derive(clap::Args)]
pub struct FileArg {
    /// The ledger (JSON Lines).
    file: PathBuf,
}

/// Arguments of `attest ledger verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The ledger (JSON Lines).
    file: PathBuf,
    /// The hash of an entry recorded elsewhere (a CI log, an auditor's bundle): the ledger
    /// must still hold that entry, so removing its newest entries is noticed too.
    #[arg(long, value_name = "HASH")]
    head: Option<String>,
}

/// Listing formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A line per run.
    Text,
    /// The entries as a JSON array.
    Json,
}

/// Arguments of `attest ledger log`.
#[derive(clap::Args)]
pub struct LogArgs {
    /// The ledger (JSON Lines).
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Runs an `attest ledger` subcommand.
pub fn run(command: &Command) -> Result<Outcome, String> {
    match command {
        Command::Verify(args) => verify(args),
        Command::Log(args) => log(args),
        Command::Repair(args) => repair(args),
    }
}

fn must_exist(file: &std::path::Path) -> Result<String, String> {
    let name = inputs::display(file);
    // Anything else at the path (a device, a pipe, a folder) is refused by name on reading.
    if std::fs::metadata(file).is_err() {
        return Err(format!("{name}: no such ledger file"));
    }
    Ok(name)
}

fn verify(args: &VerifyArgs) -> Result<Outcome, String> {
    let name = must_exist(&args.file)?;
    let verified = ledger::read(&args.file)?;
    if let Some(problem) = &verified.problem {
        crate::output::say(&format!("{name}: {problem}"))?;
        let line = problem.line();
        crate::output::say(&match verified.entries.len() {
            0 => format!("{name}: no sound entry comes before line {line}"),
            1 => format!("{name}: the entry before line {line} is sound"),
            n => format!("{name}: the {n} entries before line {line} are sound"),
        })?;
        return Ok(Outcome::Failed);
    }
    if let Some(head) = &args.head
        && !verified.entries.iter().any(|e| &e.hash == head)
    {
        crate::output::say(&format!(
            "{name}: no entry has the hash {head}: it was removed, or it belongs to another ledger"
        ))?;
        return Ok(Outcome::Failed);
    }
    match verified.entries.last() {
        Some(last) => crate::output::say(&format!(
            "{name}: {} entries, chain intact; last entry {} ({}), hash {}",
            verified.entries.len(),
            last.seq,
            last.run_at,
            last.hash
        ))?,
        None => crate::output::say(&format!("{name}: empty ledger"))?,
    }
    if verified.unterminated {
        crate::output::say(&format!(
            "{name}: note: line {} has no newline at its end; its entry is complete, and the next run (or `attest ledger repair`) adds the newline",
            verified.entries.len()
        ))?;
    }
    Ok(Outcome::Clean)
}

fn log(args: &LogArgs) -> Result<Outcome, String> {
    let name = must_exist(&args.file)?;
    let verified = ledger::read(&args.file)?;
    let content = match args.format {
        Format::Text => log_text(&verified.entries),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&verified.entries).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    Target::Stdout.write(&content)?;
    if let Some(problem) = &verified.problem {
        crate::output::tell(&format!(
            "warning: {name}: {problem}; the entries from there on are not listed"
        ));
        return Ok(Outcome::Failed);
    }
    Ok(Outcome::Clean)
}

/// A line per run: seq, time, as-of date, pack, readiness, failures, report, hash.
fn log_text(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        let ready = e
            .summary
            .controls
            .readiness()
            .map_or("no criteria in scope".to_owned(), |r: Readiness| {
                format!("{}% ready ({} of {})", r.percent, r.ready, r.applicable)
            });
        let _ = writeln!(
            out,
            "{:>4}  {}  as of {}  {}  {} {}  {ready}  {} failing  {}  {}",
            e.seq,
            shown(&e.run_at),
            shown(&e.as_of),
            shown(&e.organization),
            shown(&e.pack.name),
            shown(&e.pack.version),
            e.failing.len(),
            shown(e.report.path.as_deref().unwrap_or("(report not written)")),
            &e.hash[..e.hash.len().min(12)]
        );
    }
    out
}

fn repair(args: &FileArg) -> Result<Outcome, String> {
    let name = must_exist(&args.file)?;
    match ledger::repair(&args.file)? {
        Repaired::Nothing => {
            crate::output::say(&format!("{name}: chain intact, nothing to repair"))?
        }
        Repaired::RemovedTornLine { line, bytes } => crate::output::say(&format!(
            "{name}: removed the torn line {line} ({bytes} bytes); the chain is intact"
        ))?,
        Repaired::RemovedEmptyLines { line, count: 1 } => crate::output::say(&format!(
            "{name}: removed the empty line {line}; the chain is intact"
        ))?,
        Repaired::RemovedEmptyLines { line, count } => crate::output::say(&format!(
            "{name}: removed the empty lines {line} to {}; the chain is intact",
            line + count - 1
        ))?,
        Repaired::AddedNewline { line } => crate::output::say(&format!(
            "{name}: added the newline line {line} lacked (its entry was complete); the chain is intact"
        ))?,
    }
    Ok(Outcome::Clean)
}
