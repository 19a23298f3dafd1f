//! Stretches of days in an audit period: the gaps between the events of a periodic control,
//! and the days nothing was in force. Rules reach them through `period_gaps` and
//! `period_lapses`; evidence is judged by its lapses.

use crate::date::Date;
use crate::period::Period;

/// A stretch of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stretch {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
    /// How many days: for a lapse, `from` through `to`; for a gap, from `from` to `to`.
    pub days: i64,
}

/// The gaps longer than `max_days` in the chain that runs from the last event on or before
/// the period's start (or, when there is none, the start itself), through each event in
/// the period, to the period's end; `days` is the length of each gap. Events after the
/// period are not part of it.
pub(crate) fn gaps(p: Period, mut events: Vec<Date>, max_days: i64) -> Vec<Stretch> {
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

/// The days from `lo` through `hi` that no interval covers, as stretches. An interval
/// `(from, to)` covers `from` through `to`, both included (none when `to` is before `from`);
/// `to` of `None` never ends.
pub(crate) fn lapses(lo: Date, hi: Date, mut covered: Vec<(Date, Option<Date>)>) -> Vec<Stretch> {
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
        if to.is_some_and(|t| t < at || t < from) {
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

    #[test]
    fn an_interval_ending_before_it_starts_covers_nothing() {
        let (lo, hi) = (h1().start(), h1().end());
        // Evidence collected on 2025-01-25 for a year, then evidence collected on 2026-02-05
        // that expired on 2026-02-01: one lapse of 17 days from 2026-01-26, not two that
        // overlap.
        let covered = vec![
            (d("2025-01-25"), Some(d("2026-01-25"))),
            (d("2026-02-05"), Some(d("2026-02-01"))),
            (d("2026-02-12"), None),
        ];
        assert_eq!(
            shown(&lapses(lo, hi, covered)),
            ["2026-01-26..2026-02-11 17"]
        );
    }
}
