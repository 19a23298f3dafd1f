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

/// A stretch of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stretch {
    from: Date,
    to: Date,
    days: i64,
}

/// A stretch as rules see it: `#{ from, to, days }`.
fn stretch(s: Stretch) -> Dynamic {
    let mut m = Map::new();
    m.insert("from".into(), Dynamic::from(s.from.to_string()));
    m.insert("to".into(), Dynamic::from(s.to.to_string()));
    m.insert("days".into(), Dynamic::from_int(s.days));
    Dynamic::from_map(m)
}

/// The gaps longer than `max_days` in the chain that runs from the last event on or before
/// the period's start (or, when there is none, the start itself), through each event in
/// the period, to the period's end; `days` is the length of each gap. Events after the
/// period are not part of it.
fn gaps(p: Period, mut events: Vec<Date>, max_days: i64) -> Vec<Stretch> {
    crate::sorting::sort(&mut events);
    events.dedup();
    let anchor = events
        .iter()
        .rev()
        .find(|d| **d <= p.start())
        .copied()
        .unwrap_or(p.start());
    let chain = std::iter::once(anchor)
        .chain(
            events
                .into_iter()
                .filter(|d| p.start() < *d && *d <= p.end()),
        )
        .chain(std::iter::once(p.end()));
    let mut out = Vec::new();
    let mut previous: Option<Date> = None;
    for d in chain {
        if let Some(from) = previous {
            let days = from.days_until(d);
            if days > max_days {
                out.push(Stretch { from, to: d, days });
            }
        }
        previous = Some(d);
    }
    out
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

/// The days from `lo` through `hi` that no interval covers, as stretches. An interval
/// `(from, to)` covers `from` through `to`, both included; `to` of `None` never ends.
fn lapses(lo: Date, hi: Date, mut covered: Vec<(Date, Option<Date>)>) -> Vec<Stretch> {
    let mut out = Vec::new();
    if lo > hi {
        return out;
    }
    crate::sorting::sort(&mut covered);
    let day_before = |d: Date| d.add_days(-1).unwrap_or(d);
    let day_after = |d: Date| d.add_days(1);
    // The first day not yet known to be covered; `None` once past the calendar's end.
    let mut cursor = Some(lo);
    for (from, to) in covered {
        let Some(at) = cursor.filter(|c| *c <= hi) else {
            break;
        };
        if to.is_some_and(|t| t < at) {
            continue;
        }
        if from > at {
            let end = day_before(from).min(hi);
            out.push(Stretch {
                from: at,
                to: end,
                days: at.days_until(end) + 1,
            });
        }
        cursor = to.and_then(day_after);
    }
    if let Some(at) = cursor.filter(|c| *c <= hi) {
        out.push(Stretch {
            from: at,
            to: hi,
            days: at.days_until(hi) + 1,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn h1() -> Period {
        Period::parse("2026-01-01..2026-06-30").unwrap()
    }

    fn shown(stretches: &[Stretch]) -> Vec<String> {
        stretches
            .iter()
            .map(|s| format!("{}..{} {}", s.from, s.to, s.days))
            .collect()
    }

    #[test]
    fn gaps_run_from_the_last_event_before_the_period_to_its_end() {
        // Quarterly reviews across the half year: no gap over 90 days.
        let reviews = vec![d("2025-12-15"), d("2026-03-10"), d("2026-06-01")];
        assert!(gaps(h1(), reviews, 90).is_empty());
        // The review before the period counts as the start of the chain: 2025-12-15 to
        // 2026-03-20 is 95 days.
        let late = vec![d("2025-12-15"), d("2026-03-20"), d("2026-06-01")];
        assert_eq!(shown(&gaps(h1(), late, 90)), ["2025-12-15..2026-03-20 95"]);
        // With no review before the period, the chain starts on its first day.
        let first = vec![d("2026-03-31"), d("2026-06-01")];
        assert_eq!(shown(&gaps(h1(), first.clone(), 90)), Vec::<String>::new());
        assert_eq!(shown(&gaps(h1(), first, 88)), ["2026-01-01..2026-03-31 89"]);
        // The last review to the period's end.
        let early = vec![d("2026-01-02"), d("2026-03-01")];
        assert_eq!(
            shown(&gaps(h1(), early, 90)),
            ["2026-03-01..2026-06-30 121"]
        );
        // No review at all: the whole period is one gap; reviews after it do not count.
        assert_eq!(
            shown(&gaps(h1(), vec![d("2026-07-01")], 90)),
            ["2026-01-01..2026-06-30 180"]
        );
    }

    #[test]
    fn a_gap_of_exactly_the_cadence_is_not_a_gap() {
        let p = Period::parse("2026-01-01..2026-04-01").unwrap();
        assert!(gaps(p, vec![], 90).is_empty());
        assert_eq!(shown(&gaps(p, vec![], 89)), ["2026-01-01..2026-04-01 90"]);
        // An event on the first or the last day.
        assert!(gaps(p, vec![d("2026-01-01"), d("2026-04-01")], 90).is_empty());
    }

    #[test]
    fn lapses_are_the_days_no_interval_covers() {
        let (lo, hi) = (h1().start(), h1().end());
        let yearly = |from: &str, to: &str| (d(from), Some(d(to)));
        // Covered throughout, by overlapping or touching intervals.
        let ok = vec![
            yearly("2025-03-01", "2026-03-01"),
            yearly("2026-03-02", "2027-03-02"),
        ];
        assert!(lapses(lo, hi, ok).is_empty());
        // Twenty days in March without.
        let gap = vec![
            yearly("2025-03-01", "2026-03-01"),
            yearly("2026-03-22", "2027-03-22"),
        ];
        assert_eq!(shown(&lapses(lo, hi, gap)), ["2026-03-02..2026-03-21 20"]);
        // Nothing at all; something only before; something open-ended from May.
        assert_eq!(
            shown(&lapses(lo, hi, vec![])),
            ["2026-01-01..2026-06-30 181"]
        );
        assert_eq!(
            shown(&lapses(lo, hi, vec![yearly("2024-01-01", "2025-01-01")])),
            ["2026-01-01..2026-06-30 181"]
        );
        assert_eq!(
            shown(&lapses(lo, hi, vec![(d("2026-05-01"), None)])),
            ["2026-01-01..2026-04-30 120"]
        );
        // Lapsing on the last day only, and from the first day only.
        assert_eq!(
            shown(&lapses(lo, hi, vec![yearly("2025-06-30", "2026-06-29")])),
            ["2026-06-30..2026-06-30 1"]
        );
        assert_eq!(
            shown(&lapses(lo, hi, vec![yearly("2026-01-02", "2027-01-02")])),
            ["2026-01-01..2026-01-01 1"]
        );
        // Bounds narrower than the period (a joiner, a leaver), and empty bounds.
        assert!(lapses(d("2026-04-01"), d("2026-05-01"), vec![]).len() == 1);
        assert!(lapses(d("2026-05-02"), d("2026-05-01"), vec![]).is_empty());
    }
}
