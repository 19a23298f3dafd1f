//! `attest validate FACTS...`: the facts checks alone.

use crate::config::ConfigArg;
use crate::{Outcome, inputs, packs};
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
    /// Check against facts-v1 with the collections and fields this pack folder (and the
    /// packs it extends) add in `facts.schema.json` (default: the configuration's pack,
    /// else facts-v1 alone).
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
}

/// Validates the facts; exit 0 when they match the contract (fields it does not define are
/// warnings, unless strict), 2 otherwise.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.config.load()?;
    let sources = inputs::read_facts(&args.facts, config.max_input_size)?;
    // Only a pack asked for: the built-in one adds nothing to facts-v1.
    let pack = match (&args.pack, &config.pack) {
        (Some(dir), _) => Some(packs::load(
            &packs::PackRef::Dir(dir.clone()),
            config.max_input_size,
        )?),
        (None, Some(pack)) => Some(packs::load(pack, config.max_input_size)?),
        (None, None) => None,
    };
    let n = sources.len();
    // Freed beside the rest of the command's work, which does not wait for it.
    super::load_facts(
        sources,
        pack.as_ref().map(|l| &l.pack),
        args.strict || config.strict,
    )?
    .free_aside();
    println!(
        "facts are valid ({n} file{})",
        if n == 1 { "" } else { "s" }
    );
    Ok(Outcome::Clean)
}
