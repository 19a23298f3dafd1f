//! One module per subcommand.

pub mod bench;
pub mod eval;
pub mod validate;

use crate::inputs;
use attest_engine::{Engine, Facts, FactsSource, Limits, Pack};
use std::path::Path;

/// Loads the pack at `dir`, or the built-in SOC 2 pack, and compiles it.
pub fn load_engine(dir: Option<&Path>) -> Result<Engine, String> {
    let files = match dir {
        Some(d) => inputs::read_pack(d)?,
        None => inputs::builtin_pack(),
    };
    let where_ = dir.map_or("built-in pack".to_owned(), |d| d.display().to_string());
    let pack = Pack::from_files(&files).map_err(|e| format!("{where_}: {e}"))?;
    Engine::new(pack, Limits::default()).map_err(|e| format!("{where_}: {e}"))
}

/// Loads and validates facts sources.
pub fn load_facts(sources: &[(String, String)]) -> Result<Facts, String> {
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    Facts::load(&refs).map_err(|e| e.to_string())
}
