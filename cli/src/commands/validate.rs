//! `attest validate FACTS...`: the facts checks alone.

use crate::{Outcome, inputs};
use std::path::PathBuf;

/// Arguments of `attest validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Facts files or folders of `*.json` files (merged in file-name order).
    #[arg(required = true)]
    facts: Vec<PathBuf>,
}

/// Validates the facts; exit 0 when they match the contract, 2 otherwise.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let sources = inputs::read_facts(&args.facts)?;
    super::load_facts(&sources)?;
    let n = sources.len();
    println!(
        "facts are valid ({n} file{})",
        if n == 1 { "" } else { "s" }
    );
    Ok(Outcome::Clean)
}
