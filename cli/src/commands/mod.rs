//! One module per subcommand.

pub mod check;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod list;
pub mod new;
pub mod test;
pub mod validate;
pub mod vendors;

use attest_engine::facts::LoadOptions;
use attest_engine::{Facts, FactsSource};

/// Loads and validates facts sources. Fields facts-v1 does not define are warnings on
/// stderr, or with `strict` violations that make the facts unusable.
pub fn load_facts(sources: &[(String, String)], strict: bool) -> Result<Facts, String> {
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    let options = LoadOptions { strict };
    let facts = Facts::load_with(&refs, &options).map_err(|e| e.to_string())?;
    for warning in facts.warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(facts)
}
