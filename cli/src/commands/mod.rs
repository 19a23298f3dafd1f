//! One module per subcommand.

pub mod bundle;
pub mod check;
pub mod completions;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod history;
pub mod import;
pub mod init;
pub mod ledger;
pub mod limits;
pub mod list;
pub mod man;
pub mod new;
pub mod run_inputs;
pub mod sample;
pub mod test;
pub mod todo;
pub mod trail;
pub mod validate;
pub mod vendors;

use attest_engine::facts::LoadOptions;
use attest_engine::render::escape;
use attest_engine::{Facts, Pack, Period};

/// Loads and validates facts sources (name, text) against facts-v1, with the collections
/// and fields `pack` (and its bases) add when given, and the evidence records against its
/// criteria; each text is freed once parsed. Fields the schema does not define and evidence
/// for a criterion the pack does not have are warnings on stderr, or with `strict`
/// violations that make the facts unusable.
pub fn load_facts(
    sources: Vec<(String, String)>,
    pack: Option<&Pack>,
    strict: bool,
) -> Result<Facts, String> {
    let options = match pack {
        Some(pack) => pack.load_options(strict),
        None => LoadOptions {
            strict,
            ..LoadOptions::default()
        },
    };
    let facts = Facts::load_owned(sources, &options).map_err(|e| e.to_string())?;
    for warning in facts.warnings() {
        crate::output::tell(&format!("warning: {}", escape::line(&warning.to_string())));
    }
    Ok(facts)
}

/// The audit period of a run: the one given (flag or configuration), else the facts'. When
/// both are there and differ, the one given wins, and stderr says so.
pub fn period(given: Option<Period>, facts: &Facts) -> Option<Period> {
    if let (Some(given), Some(stated)) = (given, facts.period())
        && given != stated
    {
        crate::output::tell(&format!(
            "note: the audit period {given} overrides organization.audit_period {stated} of the facts"
        ));
    }
    given.or(facts.period())
}
