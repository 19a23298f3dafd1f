//! `attest sample RULE FACTS...`: a reproducible sample of the records a rule tested, for
//! an auditor to inspect, with the seed and size that reproduce it.

use super::eval::{parse_date, parse_param, parse_period};
use super::limits::LimitArgs;
use super::run_inputs;
use crate::config::ConfigArg;
use crate::output::{Target, refuse_inputs};
use crate::{Outcome, inputs, packs};
use attest_engine::report::{EVIDENCE_FILES_RULE, EVIDENCE_RULE};
use attest_engine::{Date, EvalOptions, Period, Status};
use attest_render as render;
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Formats of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// For people: what was drawn, how, and each record with its place and outcome.
    #[default]
    Text,
    /// The sample as JSON (what the WebAssembly module returns for the same request).
    Json,
}

/// Arguments of `attest sample`.
#[derive(clap::Args)]
pub struct Args {
    /// The rule whose population is sampled (`access.leaver-accounts`).
    rule: String,
    /// Facts files or folders (default: the configuration's `facts`).
    facts: Vec<PathBuf>,
    /// How many records to draw (default: the pack's `sample_size_<frequency>` for the
    /// rule's frequency); the whole population when it is no larger.
    #[arg(long, value_name = "N", value_parser = parse_size)]
    size: Option<u64>,
    /// The generator's seed: the same seed, facts, pack and dates give the same sample on
    /// any machine (default: a new random seed, shown in the output).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Write the sample to FILE instead of stdout (atomically).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Rule pack folder (default: the configuration's pack, else the built-in SOC 2 pack).
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    /// The date rules treat as today, as with `attest eval`.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// The audit period rules judge, as with `attest eval`.
    #[arg(long, value_name = "START..END", value_parser = parse_period)]
    period: Option<Period>,
    /// Override a pack parameter (repeatable), as with `attest eval`.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, serde_json::Value)>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Fields facts-v1 does not define, and evidence for a criterion the pack does not have,
    /// are errors, not warnings.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    config: ConfigArg,
}

/// `--size N`: a whole number of at least 1 (a sample of no record inspects nothing).
fn parse_size(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("--size must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "`{text}` is not a sample size: expected a whole number of at least 1"
        )),
    }
}

/// A fresh seed of nine digits, easy to copy into workpapers, from the operating system's
/// randomness (through the standard library's randomly keyed hasher).
fn fresh_seed() -> u64 {
    RandomState::new().hash_one(std::process::id()) % 1_000_000_000
}

/// Evaluates the rule, draws the sample, writes it.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.config.load()?;
    let pack_ref = config.pack(args.pack.as_deref());
    let limit = config.max_input_size;
    let loaded = packs::load(&pack_ref, limit)?;
    let engine = loaded.engine_with(args.limits.limits())?;
    let params = config.params(&loaded.pack, &args.params)?;
    let facts_paths = run_inputs::facts_paths(&args.facts, &config)?;
    if let Some(path) = &args.output {
        refuse_inputs(
            path,
            &run_inputs::guarded(facts_paths, &loaded, &config, []),
        )?;
        crate::output::refuse_unwritable(path)?;
    }
    let sources = inputs::read_facts(facts_paths, limit)?;
    let facts = super::load_facts(sources, Some(&loaded.pack), args.strict || config.strict)?;
    // A sample drawn from the example records `attest init` wrote is no sample to hand over.
    super::examples_left(&config, &facts);
    let start = Instant::now();
    let options = EvalOptions::default()
        .with_as_of(args.as_of.or(config.as_of))
        .with_period(super::period(args.period.or(config.period), &facts))
        .with_params(params)
        .with_clock(Arc::new(move || start.elapsed()));
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let (sample, result) = engine
        .sample(&args.rule, &facts, &options, args.size, seed)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            // A criterion's evidence check is not a rule: its population is the criterion's
            // evidence records, all of them listed beside the report.
            if let Some((EVIDENCE_RULE | EVIDENCE_FILES_RULE, criterion)) = args.rule.split_once('/') {
                return format!(
                    "`{}` is the evidence check of {criterion}, not a rule of the pack: it tests the criterion's evidence records, every one listed in the report (`controls[].evidence`) and by `attest eval --populations DIR` in DIR/{}.csv; sample the rules' populations",
                    args.rule, args.rule
                );
            }
            let pack = engine.pack();
            // A rule the pack turned off judged nothing: said with the pack's reason.
            if let Some(d) = pack.disabled().iter().find(|d| d.meta.id == args.rule) {
                return format!(
                    "`{}` is disabled by pack {}: it judges nothing, so there is no population to sample. The pack's reason: {}",
                    args.rule,
                    render::escape::line(&pack.manifest().name),
                    render::escape::line(&d.reason),
                );
            }
            // A criterion is sampled through the rules that judge it.
            if pack.control(&args.rule).is_some() {
                let rules: Vec<&str> = super::list::rules_of(pack, &args.rule)
                    .map(|r| r.meta.id.as_str())
                    .collect();
                return match rules.as_slice() {
                    [] => format!(
                        "`{}` is a criterion, not a rule, and no rule of the pack judges it: its evidence records are listed in the report (`controls[].evidence`)",
                        args.rule
                    ),
                    _ => format!(
                        "`{}` is a criterion, not a rule: sample one of the rules that judge it: {}",
                        args.rule,
                        rules.join(", ")
                    ),
                };
            }
            let hint = pack
                .did_you_mean_rule(&args.rule)
                .map(|near| format!("; did you mean `{near}`?"))
                .unwrap_or_default();
            format!("no rule `{}` in the pack{hint}", args.rule)
        })?;
    if result.status == Status::Error {
        let why = result.error.map(|e| e.message).unwrap_or_default();
        return Err(format!(
            "{}: the rule could not judge its population, so there is nothing to sample from: {why}",
            args.rule
        ));
    }
    if result.status == Status::NotApplicable {
        let why = result.reason.as_deref().unwrap_or("it tested no record");
        crate::output::tell(&format!(
            "note: {} is not applicable ({why}): its population is empty",
            args.rule
        ));
    }
    let content = match args.format {
        Format::Text => render::sample_text(&sample),
        Format::Json => sample.to_json(),
    };
    Target::from_arg(args.output.as_deref()).write(&content)?;
    Ok(Outcome::Clean)
}
