//! The prelude: the native functions every rule can call. Facts records and lists
//! (`records`), joins built once per facts document (`lookups`), native queries
//! over lists (`queries`), dates against the as-of date (`dates`), the audit period
//! (`period`), finding constructors (`findings`), sets (`sets`) and text matching (`text`).

pub(crate) mod data;
mod dates;
mod findings;
pub(crate) mod lookups;
mod period;
mod queries;
mod records;
mod sets;
mod text;

pub(crate) use data::to_json;
pub(crate) use dates::{add_days, days_between, since, until};
pub(crate) use findings::truncated_marker;
pub(crate) use findings::{raise, raise_at};
pub(crate) use period::{bound, has_period, period};
pub(crate) use queries::{Query, query};
pub(crate) use records::mark_tested;
pub(crate) use records::went_through_item;
pub(crate) use sets::Set;
pub(crate) use text::glob_match;

/// Registers the whole prelude on a Rhai engine.
pub(crate) fn register(engine: &mut rhai::Engine) {
    records::register(engine);
    lookups::register(engine);
    queries::register(engine);
    dates::register(engine);
    period::register(engine);
    findings::register(engine);
    sets::register(engine);
    text::register(engine);
}

/// A runtime error raised by a prelude function.
pub(crate) fn error(message: impl Into<String>) -> Box<rhai::EvalAltResult> {
    rhai::EvalAltResult::ErrorRuntime(message.into().into(), rhai::Position::NONE).into()
}
