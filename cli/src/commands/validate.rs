//! `attest validate [FACTS...]`: the facts checks alone.

use crate::config::ConfigArg;
use crate::{Outcome, inputs, packs};
use std::path::PathBuf;

/// Arguments of `attest validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Facts files or folders of `*.json` files, every file merged in file-name order,
    /// whatever the order they are given in (default: the configuration's `facts`).
    facts: Vec<PathBuf>,
    /// Fields facts-v1 does not define, and evidence for a criterion the pack does not have,
    /// are errors, not warnings (default: the configuration's `strict`).
    #[arg(long)]
    strict: bool,
    /// Check against facts-v1 with the collections and fields this pack folder (and the
    /// packs it extends) add in `facts.schema.json`, and the evidence records against its
    /// criteria (default: the configuration's pack, else the built-in SOC 2 pack).
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
}

/// Validates the facts; exit 0 when they match the contract (fields it does not define are
/// warnings, unless strict), 2 otherwise.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.config.load()?;
    let facts = super::run_inputs::facts_paths(&args.facts, &config)?;
    let sources = inputs::read_facts(facts, config.max_input_size)?;
    // The pack `attest eval` would use: its criteria are those evidence records may name.
    let pack = packs::load(&config.pack(args.pack.as_deref()), config.max_input_size)?;
    let n = sources.len();
    // Freed beside the rest of the command's work, which does not wait for it.
    let facts = super::load_facts(sources, Some(&pack.pack), args.strict || config.strict)?;
    super::examples_left(&config, &facts);
    facts.free_aside();
    crate::output::say(&format!(
        "facts are valid ({n} file{})",
        if n == 1 { "" } else { "s" }
    ))?;
    Ok(Outcome::Clean)
}
