//! Calendar dates (`YYYY-MM-DD`), the only notion of time the engine has.

use jiff::civil;
use std::fmt;

/// A calendar date without time zone, as written in facts (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(civil::Date);

impl Date {
    /// Parses a strict `YYYY-MM-DD` date; `None` for anything else.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return None;
        }
        text.parse::<civil::Date>().ok().map(Date)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later
            .0
            .since(self.0)
            .map_or(0, |span| i64::from(span.get_days()))
    }

    /// This date moved by `days` (clamped to the supported calendar range).
    pub fn add_days(self, days: i64) -> Date {
        let span = jiff::Span::new().try_days(days).unwrap_or_default();
        self.0.checked_add(span).map_or(self, Date)
    }
}

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
        assert_eq!(a.add_days(2), b);
        assert_eq!(b.add_days(-366).to_string(), "2023-03-01");
    }
}
