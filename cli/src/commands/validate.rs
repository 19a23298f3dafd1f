//! `attest validate FACTS...`: the facts checks alone.

use crate::config::ConfigArg;
use crate::{Outcome, inputs};
use std::path::PathBuf;

/// Arguments of `attest validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Facts files or folders of `*.json` files (merged in file-name order).
    #[arg(required = true)]
    facts: Vec<PathBuf>,
    /// Fields facts-v1 does not define are errors, not warnings (default: the
    /// configuration's `strict`).
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    config: ConfigArg,
}

/// Validates the facts; exit 0 when they match the contract (fields it does not define are
/// warnings, unless strict), 2 otherwise.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.config.load()?;
    let sources = inputs::read_facts(&args.facts, config.max_input_size)?;
    super::load_facts(&sources, args.strict || config.strict)?;
    let n = sources.len();
    println!(
        "facts are valid ({n} file{})",
        if n == 1 { "" } else { "s" }
    );
    Ok(Outcome::Clean)
}
