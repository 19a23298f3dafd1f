//! The audit period for rules: its bounds, whether a date or record falls in it, and the
//! two questions a Type 2 period asks of dated events: was a periodic control performed
//! often enough across the whole period (`period_gaps`), and was something current on every
//! day of it (`period_lapses`).

use super::error;
use super::lookups;
use super::queries::{Query, query, to_array};
use crate::context;
use crate::date::Date;
use crate::period::Period;
use crate::period::stretches::{Stretch, gaps, lapses};
use rhai::{Array, Dynamic, Engine, INT, ImmutableString, Map};

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_fn("has_period", has_period)
        .register_fn("period_start", || bound(Period::start))
        .register_fn("period_end", || bound(Period::end))
        .register_fn("in_period", |d: Dynamic| -> Result<bool> {
            let Some(p) = period() else {
                return Ok(true);
            };
            Ok(optional_date(&d, "in_period")?.is_some_and(|d| p.contains(d)))
        })
        .register_fn(
            "in_period",
            |items: Dynamic, path: ImmutableString| -> Result<Array> {
                lookups::with_records(&items, "in_period", &mut |rs| {
                    query(Query::InPeriod(period()), rs, &path).map(to_array)
                })
            },
        )
        .register_fn("period_gaps", |dates: Array, max_days: INT| {
            let p = required("period_gaps")?;
            let dates = dates
                .iter()
                .map(|d| optional_date(d, "period_gaps"))
                .collect::<Result<Vec<_>>>()?;
            Ok::<Array, Box<rhai::EvalAltResult>>(
                gaps(p, dates.into_iter().flatten().collect(), max_days)
                    .into_iter()
                    .map(stretch)
                    .collect(),
            )
        })
        .register_fn("period_lapses", |intervals: Array| {
            lapses_of(intervals, Dynamic::UNIT, Dynamic::UNIT)
        })
        .register_fn(
            "period_lapses",
            |intervals: Array, from: Dynamic, to: Dynamic| lapses_of(intervals, from, to),
        );
}

/// The audit period of the running rule, if the evaluation has one.
pub(crate) fn period() -> Option<Period> {
    context::current(|run| run.period).flatten()
}

/// The period, or an error naming the helper that needs one.
fn required(what: &str) -> Result<Period> {
    period().ok_or_else(|| {
        error(format!(
            "{what}: the evaluation has no audit period (check has_period() first)"
        ))
    })
}

/// `has_period()`: whether the evaluation has an audit period.
pub(crate) fn has_period() -> bool {
    period().is_some()
}

/// `period_start()` and `period_end()`, as `which` says: the bound as `YYYY-MM-DD`, or `()`
/// without a period.
pub(crate) fn bound(which: fn(&Period) -> Date) -> Dynamic {
    period().map_or(Dynamic::UNIT, |p| Dynamic::from(which(&p).to_string()))
}

/// A date, `None` for `()`; anything else is an error naming the helper.
fn optional_date(d: &Dynamic, what: &str) -> Result<Option<Date>> {
    if d.is_unit() {
        return Ok(None);
    }
    d.read_lock::<ImmutableString>()
        .and_then(|s| Date::parse(&s))
        .map(Some)
        .ok_or_else(|| {
            error(format!(
                "{what}: expected a date `YYYY-MM-DD` or (), got {d:?}"
            ))
        })
}

/// A stretch as rules see it: `#{ from, to, days }`.
fn stretch(s: Stretch) -> Dynamic {
    let mut m = Map::new();
    m.insert("from".into(), Dynamic::from(s.from.to_string()));
    m.insert("to".into(), Dynamic::from(s.to.to_string()));
    m.insert("days".into(), Dynamic::from_int(s.days));
    Dynamic::from_map(m)
}

/// `period_lapses(intervals[, from, to])` from script values.
fn lapses_of(intervals: Array, from: Dynamic, to: Dynamic) -> Result<Array> {
    let p = required("period_lapses")?;
    let what = "period_lapses";
    let mut covered = Vec::with_capacity(intervals.len());
    for i in &intervals {
        let m = i.read_lock::<Map>().ok_or_else(|| {
            error(format!(
                "{what}: expected intervals as maps #{{ from, to }}, got {i:?}"
            ))
        })?;
        let field = |k: &str| m.get(k).cloned().unwrap_or(Dynamic::UNIT);
        let Some(start) = optional_date(&field("from"), what)? else {
            continue;
        };
        covered.push((start, optional_date(&field("to"), what)?));
    }
    let lo = optional_date(&from, what)?.map_or(p.start(), |d| d.max(p.start()));
    let hi = optional_date(&to, what)?.map_or(p.end(), |d| d.min(p.end()));
    Ok(lapses(lo, hi, covered).into_iter().map(stretch).collect())
}
