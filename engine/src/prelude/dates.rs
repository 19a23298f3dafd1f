//! Date helpers for rules. Dates are `YYYY-MM-DD` strings; "now" is the as-of date of
//! the evaluation, never a clock.

use super::error;
use crate::context;
use crate::date::Date;
use rhai::{Dynamic, Engine, INT, ImmutableString};

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_fn("as_of", || as_of().map(|d| d.to_string()))
        .register_fn("days_since", |d: Dynamic| days_since(&d))
        .register_fn("days_until", |d: Dynamic| days_until(&d))
        .register_fn("days_between", |a: Dynamic, b: Dynamic| {
            days_between(&a, &b)
        })
        .register_fn("add_days", |d: Dynamic, n: INT| add_days(&d, n))
        .register_fn("is_date", |d: Dynamic| {
            d.read_lock::<ImmutableString>()
                .is_some_and(|s| Date::parse(&s).is_some())
        });
}

/// The as-of date of the running rule.
pub(super) fn as_of() -> Result<Date> {
    context::current(|run| run.as_of).flatten().ok_or_else(|| {
        error("as_of: there is no as-of date outside a rule (modules load before any facts)")
    })
}

/// `days_until(d)`: days from the as-of date to the date `d`.
fn days_until(d: &Dynamic) -> Result<INT> {
    until(date(d, "days_until")?)
}

/// Days from the as-of date to `d`.
pub(crate) fn until(d: Date) -> Result<INT> {
    Ok(as_of()?.days_until(d))
}

/// `days_between(a, b)`: days from the date `a` to the date `b`.
pub(crate) fn days_between(a: &Dynamic, b: &Dynamic) -> Result<INT> {
    Ok(date(a, "days_between")?.days_until(date(b, "days_between")?))
}

/// `add_days(d, n)`: the date `n` days after `d` (before it, for a negative `n`).
pub(crate) fn add_days(d: &Dynamic, n: INT) -> Result<String> {
    let from = date(d, "add_days")?;
    from.add_days(n).map(|to| to.to_string()).ok_or_else(|| {
        error(format!(
            "add_days({from}, {n}) leaves the calendar (years -9999 to 9999)"
        ))
    })
}

/// `days_since(d)`: days from the date `d` to the as-of date.
fn days_since(d: &Dynamic) -> Result<INT> {
    since(date(d, "days_since")?)
}

/// Days from `d` to the as-of date.
pub(crate) fn since(d: Date) -> Result<INT> {
    Ok(d.days_until(as_of()?))
}

fn date(d: &Dynamic, what: &str) -> Result<Date> {
    d.read_lock::<ImmutableString>()
        .and_then(|s| Date::parse(&s))
        .ok_or_else(|| {
            let got = if d.is_unit() {
                "() (the field is absent or null)".to_owned()
            } else {
                format!("{d:?}")
            };
            error(format!("{what}: expected a date `YYYY-MM-DD`, got {got}"))
        })
}
