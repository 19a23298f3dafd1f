//! What `eval` and `bundle` do with the ledger: check it before anything is written, then
//! record the run once its outputs are written (aside, for `eval`: they are put in place
//! once the entry is, and the entry taken back out if they cannot be).

use crate::inputs;
use crate::ledger::{self, Appended, Entry, Judgements, Run};
use crate::output::{Input, refuse_inputs};
use attest_engine::Report;
use attest_render::RunPoint;
use std::path::{Path, PathBuf};

/// Checks `--ledger FILE` before the run writes anything: not one of the run's inputs or
/// outputs, its folder there, its chain sound. Returns its entries.
pub fn check(
    path: &Path,
    inputs_read: &[Input<'_>],
    outputs: &[&Path],
) -> Result<Vec<Entry>, String> {
    let name = inputs::display(path);
    refuse_inputs(path, inputs_read)?;
    let same = |a: &Path, b: &Path| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    };
    if outputs.iter().any(|o| same(o, path)) {
        return Err(format!(
            "{name}: the ledger cannot also be an output: give it its own file"
        ));
    }
    crate::output::refuse_unwritable_ledger(path)?;
    let verified = ledger::read(path)?;
    if let Some(problem) = &verified.problem {
        return Err(ledger::broken(&name, problem));
    }
    Ok(verified.entries)
}

/// What the run makes of the failures of its organization's previous run in the ledger
/// (`past`, as [`check`] read it): worked out while `report` still lists the records its
/// rules tested (`population.records`), so that the entry can say which of those failures
/// the run did not judge.
pub fn judgements(past: &[Entry], report: &Report) -> Option<Judgements> {
    ledger::previous(past, &report.facts.organization).map(|p| Judgements::new(report, p))
}

/// Appends the run to the ledger, which stays locked until the entry is kept or undone;
/// `report_json` is the report as `--format json` writes it, `report_path` where it is
/// written, if it is, and `judgements` what it made of the previous run's failures
/// ([`judgements`]). A write that fails leaves the ledger as it was.
pub fn record(
    path: &Path,
    report: &Report,
    report_json: &str,
    report_path: Option<&PathBuf>,
    run_at: String,
    judgements: Option<&Judgements>,
) -> Result<Appended, String> {
    let run = Run {
        run_at,
        report_json,
        report_path: report_path.map(|p| inputs::display(p)),
        judgements,
    };
    ledger::append(path, |seq, prev, entries| {
        run.entry(report, seq, prev, entries)
    })
}

/// The HTML report's chart: the ledger's runs, then this one.
pub fn chart(past: &[Entry], report: &Report, run_at: &str) -> Vec<RunPoint> {
    let point = |run_at: &str, as_of: &str, counts: &attest_engine::report::Counts| RunPoint {
        run_at: run_at.to_owned(),
        as_of: as_of.to_owned(),
        ready: counts.pass + counts.warn,
        applicable: counts.applicable(),
    };
    past.iter()
        .map(|e| point(&e.run_at, &e.as_of, &e.summary.controls))
        .chain(std::iter::once(point(
            run_at,
            &report.evaluated_on,
            &report.summary.controls,
        )))
        .filter(|p| p.applicable > 0)
        .collect()
}
