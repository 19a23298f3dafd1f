//! One module per subcommand.

pub mod check;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod list;
pub mod new;
pub mod test;
pub mod validate;

use attest_engine::{Facts, FactsSource};

/// Loads and validates facts sources.
pub fn load_facts(sources: &[(String, String)]) -> Result<Facts, String> {
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    Facts::load(&refs).map_err(|e| e.to_string())
}
