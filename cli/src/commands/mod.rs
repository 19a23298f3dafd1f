//! One module per subcommand.

pub mod check;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod list;
pub mod new;
pub mod sample;
pub mod test;
pub mod validate;

use attest_engine::facts::LoadOptions;
use attest_engine::{Facts, FactsSource, Period};

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

/// The audit period of a run: the one given (flag or configuration), else the facts'. When
/// both are there and differ, the one given wins, and stderr says so.
pub fn period(given: Option<Period>, facts: &Facts) -> Option<Period> {
    if let (Some(given), Some(stated)) = (given, facts.period())
        && given != stated
    {
        eprintln!(
            "note: the audit period {given} overrides organization.audit_period {stated} of the facts"
        );
    }
    given.or(facts.period())
}
