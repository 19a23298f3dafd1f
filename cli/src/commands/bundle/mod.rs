//! `attest bundle FACTS... --output DIR_OR_ZIP`: evaluate as `attest eval` does and keep
//! everything an auditor needs to check the result: the facts as evaluated, the pack's
//! source, the waivers, the evidence files the facts name (with `--evidence-root`), the
//! report (JSON, HTML, OSCAL), every rule's population, the ledger's entries for the period,
//! and a manifest with every file's sha256. `attest bundle verify DIR_OR_ZIP` (`verify`)
//! checks the manifest and evaluates the bundle again to the same report in every format,
//! the same populations, samples and ledger slice.

mod verify;

use super::eval::{parse_date, parse_param, parse_period};
use super::limits::LimitArgs;
use crate::bundle::evidence::{self, Hashes};
use crate::bundle::samples::{self, SampleSpec};
use crate::bundle::{self, Files, Manifest, Rerun, parts};
use crate::config::ConfigArg;
use crate::ledger::{self, Entry, Judgements, Run};
use crate::output::Input;
use crate::{Outcome, inputs, packs};
use attest_engine::report::vendors::ReviewCadence;
use attest_engine::{Date, Engine, EvalOptions, Facts, Limits, Period, Report, Waivers};
use attest_render::Context;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Arguments of `attest bundle`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    create: CreateArgs,
}

/// `attest bundle` subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Check a bundle: every file against the manifest, then evaluate it again and compare
    /// the report in every format, the populations, the samples and the ledger slice. Exit 1
    /// when anything differs.
    Verify(VerifyArgs),
}

/// Arguments of `attest bundle verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The bundle folder or zip file.
    bundle: PathBuf,
}

/// The inputs and flags of `attest eval` that decide a report, and where the bundle goes.
#[derive(clap::Args)]
pub struct CreateArgs {
    /// Facts files or folders of `*.json` files (default: the configuration's `facts`).
    facts: Vec<PathBuf>,
    /// The bundle: a new folder, or a zip file (a name ending in `.zip`).
    #[arg(long, value_name = "DIR_OR_ZIP", required = true)]
    output: Option<PathBuf>,
    /// Rule pack folder (default: the configuration's pack, else the built-in SOC 2 pack).
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    /// The date rules treat as today.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// The audit period rules judge, as with `attest eval` (default: the configuration's,
    /// else organization.audit_period of the facts).
    #[arg(long, value_name = "START..END", value_parser = parse_period)]
    period: Option<Period>,
    /// Override a pack parameter (repeatable); the value is JSON, or a plain string.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, serde_json::Value)>,
    /// Waivers file (waivers-v1 JSON).
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// Check every evidence record with a sha256 and a relative uri against the file at
    /// that uri under DIR, as with `attest eval`, and put the files found in the bundle.
    #[arg(long, value_name = "DIR")]
    evidence_root: Option<PathBuf>,
    /// Record the tested records' keys of every rule (auditors sample from them).
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    limits: LimitArgs,
    /// Draw a sample of a rule's population, as `attest sample RULE --seed SEED [--size
    /// SIZE]` does, and keep it in the bundle (repeatable).
    #[arg(long = "sample", value_name = "RULE:SEED[:SIZE]", value_parser = samples::parse)]
    samples: Vec<SampleSpec>,
    /// Fields facts-v1 does not define, and evidence for a criterion the pack does not have,
    /// are errors.
    #[arg(long)]
    strict: bool,
    /// Record the run in this ledger and put the ledger's entries for the period in the
    /// bundle.
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
}

/// Makes or verifies a bundle.
pub fn run(args: &Args) -> Result<Outcome, String> {
    match &args.command {
        Some(Command::Verify(v)) => verify::verify(&v.bundle),
        None => create(&args.create),
    }
}

fn create(args: &CreateArgs) -> Result<Outcome, String> {
    let output = args
        .output
        .as_deref()
        .ok_or("--output DIR_OR_ZIP is required")?;
    let config = args.config.load()?;
    let source = config.pack(args.pack.as_deref());
    let loaded = packs::load(&source, config.max_input_size)?;
    let chain = packs::chain(&source, config.max_input_size)?;
    let params = config.params(&loaded.pack, &args.params)?;
    let facts_paths = super::run_inputs::facts_paths(&args.facts, &config)?;
    let out_name = inputs::display(output);
    // Refused before anything is evaluated or recorded in the ledger.
    samples::refuse_repeats(&args.samples)?;
    bundle::refuse_existing(output)?;
    crate::output::refuse_unwritable(output)?;
    let sources = inputs::read_facts(facts_paths, config.max_input_size)?;
    let facts = super::load_facts(
        sources.clone(),
        Some(&loaded.pack),
        args.strict || config.strict,
    )?;
    if let Some(root) = &args.evidence_root {
        // The evidence files the run reads are inputs: neither the bundle nor the ledger
        // may replace one.
        let written = std::iter::once(output).chain(args.ledger.as_deref());
        crate::output::refuse_onto_evidence(root, &facts.evidence_files(), written)?;
        super::warn_unchecked(&crate::evidence::unchecked::unchecked(&sources), &facts);
    }
    let run_at = Run::now();
    let past = match &args.ledger {
        Some(path) => {
            let read: Vec<Input<'_>> = facts_paths
                .iter()
                .map(|p| Input {
                    path: p,
                    what: "facts",
                    extension: Some("json"),
                })
                .collect();
            Some(super::trail::check(path, &read, &[output])?)
        }
        None => None,
    };
    let waivers_text = args
        .waivers
        .as_deref()
        .map(|p| inputs::read_text(p, config.max_input_size))
        .transpose()?;
    let waivers_name = args.waivers.as_deref().map(inputs::display);
    let rerun = Rerun {
        facts: Vec::new(),
        pack: Vec::new(),
        waivers: None,
        params: params.clone(),
        explain: args.explain,
        max_operations: args.limits.max_operations,
        rule_timeout: args.limits.rule_timeout.as_secs_f64(),
        samples: args.samples.clone(),
        max_memory: args.limits.max_memory,
        max_findings: args.limits.max_findings,
        period: super::period(args.period.or(config.period), &facts).map(|p| p.to_string()),
        evidence: None,
    };
    let engine = loaded.engine_with(limits(&rerun)?)?;
    let mut files = Files::default();
    let (evidence_part, hashes) = args
        .evidence_root
        .as_deref()
        .map(|root| evidence::collect(&mut files, root, &facts.evidence_files()))
        .transpose()?
        .unzip();
    let Evaluated {
        report,
        formats,
        populations,
        samples,
        drawn,
        judgements,
    } = evaluate(
        &engine,
        &facts,
        args.as_of.or(config.as_of),
        &rerun,
        hashes,
        waivers_name.as_deref().zip(waivers_text.as_deref()),
        past.as_deref().unwrap_or_default(),
    )?;
    let report_json = formats
        .iter()
        .find(|(path, _)| path == bundle::formats::JSON)
        .map(|(_, json)| json.clone())
        .unwrap_or_default();
    for (path, content) in formats.into_iter().chain(populations).chain(samples) {
        files.add(path, content);
    }
    let facts_named = parts::facts(&mut files, &sources);
    let pack_named = parts::pack(&mut files, &chain);
    let waivers_named = waivers_name
        .as_deref()
        .zip(waivers_text.as_deref())
        .map(|(name, text)| parts::waivers(&mut files, name, text));
    // Every file but the ledger slice and the manifest is written before the run is
    // recorded, so a bundle that cannot be written leaves no entry in the ledger; on any
    // error from here on, `staged` removes what was written, and the entry is taken back
    // out of the ledger until the bundle is in place.
    let mut staged = bundle::Staged::new(output)?;
    staged.write(&files)?;
    let mut slice = None;
    let mut appended = None;
    if let (Some(path), Some(_)) = (&args.ledger, &past) {
        let report_path = (!bundle::is_zip(output)).then(|| output.join("report/report.json"));
        let recorded = super::trail::record(
            path,
            &report,
            &report_json,
            report_path.as_ref(),
            run_at.clone(),
            judgements.as_ref(),
        )?;
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return Err(recorded.undo_after(format!("{}: {e}", inputs::display(path)))),
        };
        let period = serde_json::from_str::<serde_json::Value>(&report_json)
            .ok()
            .and_then(|v| v.get("period").cloned())
            .filter(|p| !p.is_null());
        slice = Some(parts::ledger_slice(
            &mut files,
            &inputs::display(path),
            &bytes,
            &report.facts.organization,
            period.as_ref(),
            &recorded.entry.hash,
        ));
        appended = Some(recorded);
    }
    let manifest = parts::manifest(
        &mut files,
        Manifest {
            bundle_version: "1".to_owned(),
            created_at: run_at,
            attest_version: report.engine.version.clone(),
            organization: report.facts.organization.clone(),
            as_of: report.evaluated_on.clone(),
            report_digest: ledger::sha256(report_json.as_bytes()),
            facts_digest: report.facts.digest.clone(),
            pack: format!("{} {}", report.pack.name, report.pack.version),
            pack_digest: report.pack.digest.clone(),
            rerun: Rerun {
                facts: facts_named,
                pack: pack_named,
                waivers: waivers_named,
                evidence: evidence_part,
                samples: drawn,
                ..rerun
            },
            ledger: slice,
            populations: Some(parts::POPULATIONS.to_owned()),
            files: Vec::new(),
        },
    );
    if let Err(e) = staged.finish(&files) {
        return Err(match appended {
            Some(appended) => appended.undo_after(e),
            None => e,
        });
    }
    if let Some(appended) = appended {
        appended.keep();
    }
    crate::output::say(&format!(
        "{out_name}: {} files; report digest {}",
        manifest.files.len() + 1,
        manifest.report_digest
    ))?;
    Ok(Outcome::Clean)
}

/// The limits `rerun` records; a `rule_timeout` no timeout can be (a manifest's, edited) is
/// an error naming it.
fn limits(rerun: &Rerun) -> Result<Limits, String> {
    let timeout = Duration::try_from_secs_f64(rerun.rule_timeout.max(0.001)).map_err(|_| {
        format!(
            "manifest.json: /rerun/rule_timeout: {} is not a number of seconds a rule's timeout can be (at most {})",
            serde_json::Value::from(rerun.rule_timeout),
            u64::MAX
        )
    })?;
    Ok(Limits {
        max_operations: rerun.max_operations,
        time_budget: Some(timeout),
        max_memory: rerun.max_memory.saturating_mul(1 << 20),
        max_findings: rerun.max_findings,
        ..Limits::default()
    })
}

/// A report and every rule's population, as the bundle holds them.
struct Evaluated {
    /// The report, waivers applied, without the populations (as `attest eval` writes it).
    report: Report,
    /// The report in every format a bundle holds, as (path in the bundle, content).
    formats: Vec<(String, String)>,
    /// The population files, as (path in the bundle, content).
    populations: Vec<(String, String)>,
    /// The sample files, as (path in the bundle, content).
    samples: Vec<(String, String)>,
    /// The samples drawn, each with the size it was drawn at.
    drawn: Vec<SampleSpec>,
    /// What the run makes of the failures of the organization's previous run in the ledger.
    judgements: Option<Judgements>,
}

/// Evaluates as `attest eval --populations` does, the evidence files' `hashes` checked and
/// waivers (name, text) applied, and renders the report in every format a bundle holds;
/// `past` are the ledger's entries, whose last run of the organization the run is compared
/// with.
fn evaluate(
    engine: &Engine,
    facts: &Facts,
    as_of: Option<Date>,
    rerun: &Rerun,
    hashes: Option<Hashes>,
    waivers: Option<(&str, &str)>,
    past: &[Entry],
) -> Result<Evaluated, String> {
    let period = rerun
        .period
        .as_deref()
        .map(|p| Period::parse(p).map_err(|e| format!("manifest.json: period `{p}`: {e}")))
        .transpose()?;
    let start = Instant::now();
    let mut options = EvalOptions::default()
        .with_as_of(as_of)
        .with_period(period)
        .with_params(rerun.params.clone())
        .with_clock(Arc::new(move || start.elapsed()))
        .with_explain(rerun.explain)
        .with_populations(true);
    if let Some(hashes) = hashes {
        options = options.with_evidence_files(hashes);
    }
    let mut report = engine
        .evaluate(facts, &options)
        .map_err(|e| e.to_string())?;
    let samples::Drawn {
        files: samples,
        specs: drawn,
    } = samples::draw(engine, facts, &options, &rerun.samples)?;
    // As `attest eval --populations`: the populations go to their own files, taken before
    // waivers apply, and the report stays as it is without them.
    let populations = parts::populations(&report);
    if let Some((name, text)) = waivers {
        let waivers = Waivers::parse(name, text).map_err(|e| e.to_string())?;
        super::warn(waivers.warnings());
        waivers.apply(&mut report);
    }
    let judgements = super::trail::judgements(past, &report);
    for rule in &mut report.rules {
        rule.population.records = None;
    }
    let context = Context::from_facts(facts)
        .with_review_cadence(ReviewCadence::of_pack(engine.pack(), &rerun.params));
    Ok(Evaluated {
        formats: bundle::formats::render(&report, &context),
        report,
        populations,
        samples,
        drawn,
        judgements,
    })
}
