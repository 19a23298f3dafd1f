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
use attest_engine::{Facts, Pack, Period, Waivers};
use attest_render::escape;
use std::path::Path;

/// Loads and validates facts sources (name, text) against facts-v1, with the collections
/// and fields `pack` (and its bases) add when given, and the evidence records against its
/// criteria; each text is freed once parsed. Fields the schema does not define and evidence
/// for a criterion the pack does not have are warnings on stderr, or with `strict`
/// violations that make the facts unusable; references naming no record are warnings either
/// way.
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
    warn(facts.warnings());
    Ok(facts)
}

/// The records of the facts collection `collection`, in order, each as (its JSON Pointer,
/// its key); none when the facts have no such collection.
pub fn records_of<'f>(
    facts: &'f Facts,
    collection: &'f str,
) -> impl Iterator<Item = (String, String)> + 'f {
    (0..)
        .map(move |i| format!("/{collection}/{i}"))
        .map_while(move |pointer| facts.key(&pointer).map(|key| (pointer, key)))
}

/// The example records `attest init` wrote that the facts still hold, when the
/// configuration says when it wrote them (`examples`): told on stderr as facts warnings, and
/// returned for the report.
pub fn examples_left(
    config: &crate::config::Config,
    facts: &Facts,
) -> Vec<attest_engine::facts::Violation> {
    let left = config
        .examples
        .map(|day| init::examples::left(day, facts))
        .unwrap_or_default();
    warn(&left);
    left
}

/// Tells on stderr, one line each, the warnings of an input (facts, waivers).
pub fn warn(warnings: &[attest_engine::facts::Violation]) {
    for warning in warnings {
        crate::output::tell(&format!("warning: {}", escape::line(&warning.to_string())));
    }
}

/// Tells on stderr, as warnings, of the evidence records whose `sha256` no evidence root can
/// check ([`unchecked::warnings`](crate::evidence::unchecked::warnings)).
pub fn warn_unchecked(records: &[crate::evidence::unchecked::Unchecked], facts: &Facts) {
    for warning in crate::evidence::unchecked::warnings(records, facts) {
        crate::output::tell(&format!("warning: {}", escape::line(&warning)));
    }
}

/// Reads and checks the waivers file at `path`, if one is given. What is doubtful in it (an
/// expiry over a year after the approval, an `entity` naming no record, a waiver in force
/// alongside another for the same findings) is a warning on stderr, as the facts' are.
pub fn load_waivers(
    path: Option<&Path>,
    limit: crate::inputs::SizeLimit,
) -> Result<Option<Waivers>, String> {
    let Some(path) = path else {
        return Ok(None);
    };
    let text = crate::inputs::read_text(path, limit)?;
    let waivers =
        Waivers::parse(&crate::inputs::display(path), &text).map_err(|e| e.to_string())?;
    warn(waivers.warnings());
    Ok(Some(waivers))
}

/// An evaluation that could not start, as an error message. When the as-of date and the
/// audit period do not go together, it says where each came from (`--as-of`, the
/// configuration file, or the facts' file and line), since the fix is made there.
pub fn evaluation_error(
    e: &attest_engine::EvalError,
    given: (Option<attest_engine::Date>, Option<Period>),
    config: &crate::config::Config,
    facts: &Facts,
) -> String {
    use attest_engine::EvalError;
    if !matches!(
        e,
        EvalError::PeriodNotOver { .. } | EvalError::AsOfBeforePeriod { .. }
    ) {
        return e.to_string();
    }
    let configured = |key: &str| match &config.path {
        Some(path) => format!("`{key}` of {}", crate::inputs::display(path)),
        None => format!("`{key}` of the configuration"),
    };
    let stated = |pointer: &str| match facts.origin(pointer) {
        Some(o) => format!("{}:{} {pointer}", o.file, o.line),
        None => pointer.to_owned(),
    };
    let as_of = match given.0 {
        Some(_) => "--as-of".to_owned(),
        None if config.as_of.is_some() => configured("as_of"),
        None => stated("/organization/as_of"),
    };
    let period = match given.1 {
        Some(_) => "--period".to_owned(),
        None if config.period.is_some() => configured("period"),
        None => stated("/organization/audit_period"),
    };
    format!("{e} (the as-of date is from {as_of}; the period from {period})")
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
