//! `attest vendors`: the vendor risk register. Evaluates the facts as `attest eval` does
//! (same inputs, pack, parameters, waivers and limits), then lists every vendor with its
//! inherent risk, the gaps the rules found, the criteria they affect, its residual risk and
//! its next review date.

use super::eval::{parse_date, parse_param};
use super::limits::LimitArgs;
use super::run_inputs;
use crate::config::ConfigArg;
use crate::output::{Target, refuse_inputs};
use crate::{Outcome, inputs, packs};
use attest_engine::render::{self, Vendor};
use attest_engine::report::vendors::{ReviewCadence, VendorRegister};
use attest_engine::{Date, EvalOptions, Waivers};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Register formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: each vendor with its risks, next review and gaps.
    Text,
    /// The vendors-v1 JSON document (`schemas/vendors.v1.schema.json`).
    Json,
    /// CSV (RFC 4180): one row per gap, and one per vendor without any.
    Csv,
}

/// Arguments of `attest vendors`.
#[derive(clap::Args)]
pub struct Args {
    /// Facts files or folders of `*.json` files, merged in file-name order (default: the
    /// configuration's `facts`).
    facts: Vec<PathBuf>,
    /// Rule pack folder (default: the configuration's pack, else the built-in SOC 2 pack).
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    /// The date rules treat as today (default: the configuration's `as_of`, else
    /// organization.as_of of the facts).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Override a pack parameter (repeatable); the value is JSON, or a plain string.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, serde_json::Value)>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write to FILE instead of stdout (`-` is stdout), whole or not at all.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Waivers file (waivers-v1 JSON): a waived gap stays open in the register, marked
    /// waived.
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Fields facts-v1 does not define are errors (exit 2, nothing evaluated), not warnings
    /// (default: the configuration's `strict`).
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    config: ConfigArg,
}

/// Evaluates and prints the register: exit 1 when a vendor has a failing gap no waiver
/// covers, 2 when an input cannot be used (nothing is written then), 0 otherwise.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.config.load()?;
    let limit = config.max_input_size;
    let loaded = packs::load(&config.pack(args.pack.as_deref()), limit)?;
    let engine = loaded.engine_with(args.limits.limits())?;
    let params = config.params(&loaded.pack, &args.params)?;
    let facts_paths = run_inputs::facts_paths(&args.facts, &config)?;
    let waivers = match &args.waivers {
        Some(path) => {
            let text = inputs::read_text(path, limit)?;
            Some(Waivers::parse(&inputs::display(path), &text).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    if let Some(output) = args.output.as_deref().filter(|p| p.as_os_str() != "-") {
        let waivers = args
            .waivers
            .iter()
            .map(|p| (p.as_path(), "the waivers file"));
        refuse_inputs(
            output,
            &run_inputs::guarded(facts_paths, &loaded, &config, waivers),
        )?;
    }
    let sources = inputs::read_facts(facts_paths, limit)?;
    let facts = super::load_facts(&sources, Some(&loaded.pack), args.strict || config.strict)?;
    let start = Instant::now();
    let cadence = ReviewCadence::of_pack(engine.pack(), &params);
    let options = EvalOptions::default()
        .with_as_of(args.as_of.or(config.as_of))
        .with_period(super::period(config.period, &facts))
        .with_params(params)
        .with_clock(Arc::new(move || start.elapsed()));
    let mut report = engine
        .evaluate(&facts, &options)
        .map_err(|e| e.to_string())?;
    if let Some(w) = &waivers {
        w.apply(&mut report);
    }
    let register = VendorRegister::new(&report, &Vendor::all(&facts), &cadence);
    let content = match args.format {
        Format::Text => render::vendors_text(&register),
        Format::Json => register.to_json(),
        Format::Csv => render::vendors_csv(&register),
    };
    Target::from_arg(args.output.as_deref())
        .write(&content)
        .map_err(|e| {
            let name = args
                .output
                .as_deref()
                .map_or("stdout".to_owned(), inputs::display);
            format!("{name}: {e}")
        })?;
    for r in report.rules.iter().filter(|r| r.error.is_some()) {
        eprintln!(
            "warning: rule {} could not answer, so the register may miss its gaps",
            r.id
        );
    }
    Ok(if register.has_failures() {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}
