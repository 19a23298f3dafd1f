//! `attest vendors`: the vendor risk register. Evaluates the facts as `attest eval` does
//! (same inputs, pack, parameters, waivers and limits), then lists every vendor with its
//! inherent risk, the gaps the rules found, the criteria they affect, its residual risk and
//! its next review date.

use super::run_inputs::{self, Evaluated, ReportArgs};
use crate::Outcome;
use crate::config;
use attest_engine::report::vendors::{ReviewCadence, VendorRegister};
use attest_render::{self as render, Vendor};
use std::path::PathBuf;

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
    // The facts, pack, dates, parameters, evidence root, waivers and limits, as with
    // `attest eval`; a waived gap stays open in the register, marked waived.
    #[command(flatten)]
    inputs: ReportArgs,
    /// Output format [default: the configuration's `[vendors] format`, else text].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to FILE instead of stdout (`-` is stdout), whole or not at all (default: the
    /// configuration's `[vendors] output`).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Evaluates and prints the register: exit 1 when a vendor has a failing gap no waiver
/// covers or a rule is in error (as `attest eval` exits 1 on one), 2 when an input cannot
/// be used (nothing is written then), 0 otherwise.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.inputs.config()?.vendors;
    let (format, output) = config::format_and_output(
        (args.format, args.output.as_deref()),
        (&config.format, config.output.as_deref()),
        Format::Text,
    )?;
    let Evaluated {
        report,
        facts,
        pack,
        params,
    } = args.inputs.evaluate(output)?;
    let cadence = ReviewCadence::of_pack(&pack, &params);
    let register = VendorRegister::new(&report, &Vendor::all(&facts), &cadence);
    let content = match format {
        Format::Text => render::vendors_text(&register),
        Format::Json => register.to_json(),
        Format::Csv => render::vendors_csv(&register),
    };
    run_inputs::write_view(output, &content, &report, "the register may miss its gaps")?;
    Ok(if register.has_failures() {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}
