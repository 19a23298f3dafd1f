//! Calendar dates (`YYYY-MM-DD`), the only notion of time the engine has.

use jiff::civil;
use std::fmt;

/// A calendar date without time zone, as written in facts (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(civil::Date);

impl Date {
    /// Parses a strict `YYYY-MM-DD` date; `None` for anything else (including impossible
    /// dates such as `2026-02-30`, which the calendar rejects).
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<i16> {
            b.get(range)?.iter().try_fold(0i16, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0'))
            })
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        civil::Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?)
            .ok()
            .map(Date)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.0.duration_since(self.0).as_secs() / SECONDS_PER_DAY
    }

    /// This date moved by `days`; `None` when that leaves the supported calendar (years
    /// -9999 to 9999).
    pub fn add_days(self, days: i64) -> Option<Date> {
        let shift = jiff::SignedDuration::from_secs(days.checked_mul(SECONDS_PER_DAY)?);
        self.0.checked_add(shift).ok().map(Date)
    }
}

/// Civil days are always 24 hours long: there are no time zones here.
const SECONDS_PER_DAY: i64 = 86_400;

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_strict_dates() {
        assert!(Date::parse("2026-06-30").is_some());
        assert!(Date::parse("2026-02-30").is_none());
        assert!(Date::parse("2026-6-30").is_none());
        assert!(Date::parse("2026-06-30T00:00:00Z").is_none());
        assert!(Date::parse("").is_none());
    }

    #[test]
    fn counts_days_across_leap_years() {
        let a = Date::parse("2024-02-28").unwrap();
        let b = Date::parse("2024-03-01").unwrap();
        assert_eq!(a.days_until(b), 2);
        assert_eq!(b.days_until(a), -2);
        assert_eq!(a.add_days(2), Some(b));
        assert_eq!(b.add_days(-366).unwrap().to_string(), "2023-03-01");
    }

    #[test]
    fn moving_out_of_the_calendar_is_none_not_the_same_date() {
        let d = Date::parse("2026-06-30").unwrap();
        assert_eq!(d.add_days(i64::MAX), None);
        assert_eq!(d.add_days(i64::MIN), None);
        assert_eq!(d.add_days(10_000 * 366), None);
        assert!(d.add_days(365 * 7000).is_some());
    }
}
