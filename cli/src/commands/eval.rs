//! `attest eval`: facts in, every control's status out.

use crate::output::Target;
use crate::{Outcome, inputs};
use attest_engine::render::{self, TextOptions};
use attest_engine::{Date, EvalOptions};
use indexmap::IndexMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: readiness per category, failing controls, findings, owners, fixes.
    Text,
    /// The report-v1 JSON document.
    Json,
}

/// Arguments of `attest eval`.
#[derive(clap::Args)]
pub struct Args {
    /// Facts files or folders of `*.json` files (merged in file-name order).
    #[arg(required = true)]
    facts: Vec<PathBuf>,
    /// Rule pack folder (default: the built-in SOC 2 pack).
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    /// The date rules treat as today (default: organization.as_of of the facts).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Override a pack parameter (repeatable); the value is JSON, or a plain string.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, serde_json::Value)>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report here (atomically) instead of to stdout; `-` is stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date in the form YYYY-MM-DD"))
}

fn parse_param(text: &str) -> Result<(String, serde_json::Value), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected NAME=VALUE"))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::from(value));
    Ok((name.to_owned(), value))
}

/// Evaluates and writes the report; exit 1 when a control failed or a rule errored.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let engine = super::load_engine(args.pack.as_deref())?;
    let sources = inputs::read_facts(&args.facts)?;
    let facts = super::load_facts(&sources)?;
    let start = Instant::now();
    let options = EvalOptions {
        as_of: args.as_of,
        params: args.params.iter().cloned().collect::<IndexMap<_, _>>(),
        clock: Some(Arc::new(move || start.elapsed())),
    };
    let report = engine
        .evaluate(&facts, &options)
        .map_err(|e| e.to_string())?;
    let target = Target::from_arg(args.output.as_deref());
    let content = match args.format {
        Format::Json => report.to_json(),
        Format::Text => render::text(
            &report,
            &TextOptions {
                color: target.wants_color(),
                max_findings: 10,
            },
        ),
    };
    target.write(&content).map_err(|e| {
        let name = args
            .output
            .as_ref()
            .map_or("stdout".to_owned(), |p| p.display().to_string());
        format!("{name}: {e}")
    })?;
    Ok(if report.has_failures() {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}
