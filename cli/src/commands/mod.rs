//! One module per subcommand.

pub mod bench;
pub mod check;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod list;
pub mod new;
pub mod test;
pub mod validate;

use crate::packs::{self, PackRef};
use attest_engine::{Engine, Facts, FactsSource};
use std::path::Path;

/// Loads the pack at `dir`, or the built-in SOC 2 pack, with the packs it extends, and
/// compiles it.
pub fn load_engine(dir: Option<&Path>) -> Result<Engine, String> {
    packs::load(&PackRef::from_arg(dir))?.engine()
}

/// Loads and validates facts sources.
pub fn load_facts(sources: &[(String, String)]) -> Result<Facts, String> {
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    Facts::load(&refs).map_err(|e| e.to_string())
}
