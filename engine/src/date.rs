//! Calendar dates (`YYYY-MM-DD`), the only notion of time the engine has.
//!
//! A date is held as its day number (days from 1970-01-01 in the proleptic Gregorian
//! calendar), so that the days between two dates are a subtraction; the conversions are
//! Howard Hinnant's `days_from_civil` and `civil_from_days` ("chrono-Compatible Low-Level
//! Date Algorithms"). The calendar spans the years -9999 to 9999, as jiff's (which the
//! tests check these against, day by day).

use std::fmt;

/// A calendar date without time zone, as written in facts (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// The first and last day of the supported calendar: -9999-01-01 and 9999-12-31.
const FIRST_DAY: i32 = days_from_civil(-9999, 1, 1);
const LAST_DAY: i32 = days_from_civil(9999, 12, 31);

impl Date {
    /// Parses a strict `YYYY-MM-DD` date; `None` for anything else (including impossible
    /// dates such as `2026-02-30`, which the calendar rejects).
    pub fn parse(text: &str) -> Option<Date> {
        let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = text.as_bytes() else {
            return None;
        };
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1].map(|c| u32::from(c.wrapping_sub(b'0')));
        // Every byte a digit (a byte below `0` wraps past 9), tested all at once.
        if digits.iter().fold(false, |bad, &d| bad | (d > 9)) {
            return None;
        }
        let [y0, y1, y2, y3, m0, m1, d0, d1] = digits;
        let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
        let month = m0 * 10 + m1;
        let day = d0 * 10 + d1;
        let valid = (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day);
        valid.then(|| Date(days_from_civil_0_to_9999(year, month, day)))
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        i64::from(later.0) - i64::from(self.0)
    }

    /// This date moved by `days`; `None` when that leaves the supported calendar (years
    /// -9999 to 9999).
    pub fn add_days(self, days: i64) -> Option<Date> {
        let day = i32::try_from(i64::from(self.0).checked_add(days)?).ok()?;
        (FIRST_DAY..=LAST_DAY).contains(&day).then_some(Date(day))
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`; a year before 0 with a minus and six digits (`-000001-12-31`), as
    /// ISO 8601's expanded years and jiff write it (no date is after 9999).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.0);
        if year >= 0 {
            write!(f, "{year:04}-{month:02}-{day:02}")
        } else {
            write!(f, "-{:06}-{month:02}-{day:02}", year.unsigned_abs())
        }
    }
}

/// Whether `year` (0 to 9999) is a leap year. A multiple of 100 is one when it is a multiple
/// of 400, that is (being a multiple of 25) of 16.
fn is_leap(year: u32) -> bool {
    match year % 100 {
        0 => year.is_multiple_of(16),
        _ => year.is_multiple_of(4),
    }
}

/// The days of `month` (1 to 12) in `year` (0 to 9999): 31 for the odd months up to July and
/// the even ones from August, 30 for the others but February.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 => 28 + u32::from(is_leap(year)),
        _ => 30 + ((month ^ (month >> 3)) & 1),
    }
}

/// [`days_from_civil`] for the years 0 to 9999 (those `YYYY-MM-DD` writes), in unsigned
/// arithmetic: the day number counted from the last 1st of March before year -400 (Neri and
/// Schneider's "Euclidean affine functions and applications to calendar algorithms", 2021),
/// less that of 1970-01-01. Every division is by a constant, most by a power of two.
fn days_from_civil_0_to_9999(year: u32, month: u32, day: u32) -> i32 {
    /// Days from that 1st of March to each date, as [`days_from_civil`] counts from 1970.
    const fn counted(year: u32, month: u32, day: u32) -> u32 {
        let january_or_february = (month <= 2) as u32;
        // Years from March, moved on by one era of 400 years so that none is negative;
        // January and February as the 13th and 14th months of the year before.
        let year = year + 400 - january_or_february;
        let month = month + 12 * january_or_february;
        let century = year / 100;
        1461 * year / 4 - century + century / 4 + (979 * month - 2919) / 32 + day
    }
    const EPOCH: u32 = counted(1970, 1, 1);
    // At most 10,399 years of 366 days: far within both types.
    counted(year, month, day) as i32 - EPOCH as i32
}

/// The day number of a valid date: years counted from March, so that a leap day ends the
/// year, in eras of 400 years (146,097 days).
const fn days_from_civil(year: i32, month: i32, day: i32) -> i32 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The year, month and day of a day number (the inverse of [`days_from_civil`]).
fn civil_from_days(days: i32) -> (i32, i32, i32) {
    let days = days + 719_468;
    let era = if days >= 0 { days } else { days - 146_096 } / 146_097;
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400;
    (if month <= 2 { year + 1 } else { year }, month, day)
}

/// `n` days as a message says it: "1 day", "0 days", "12 days".
pub(crate) fn say_days(n: i64) -> String {
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_strict_dates() {
        assert!(Date::parse("2026-06-30").is_some());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2000-02-29").is_some());
        assert!(Date::parse("0000-01-01").is_some());
        assert!(Date::parse("2026-02-30").is_none());
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("1900-02-29").is_none());
        assert!(Date::parse("2026-04-31").is_none());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("2026-00-10").is_none());
        assert!(Date::parse("2026-01-00").is_none());
        assert!(Date::parse("2026-6-30").is_none());
        assert!(Date::parse("2026-06-3a").is_none());
        assert!(Date::parse("2026-06-30T00:00:00Z").is_none());
        assert!(Date::parse("").is_none());
        // A byte just below `0` or just above `9` in any digit's place.
        for place in [0, 1, 2, 3, 5, 6, 8, 9] {
            for c in [b'/', b':', b' ', 0xff] {
                let mut text = *b"2024-12-25";
                text[place] = c;
                assert_eq!(
                    Date::parse(&String::from_utf8_lossy(&text)),
                    None,
                    "{place} {c}"
                );
            }
        }
        assert!(Date::parse("2024-12-25").is_some());
        for text in [
            "9999-12-31",
            "0000-02-29",
            "0400-02-29",
            "2026-08-31",
            "2026-07-31",
        ] {
            assert!(Date::parse(text).is_some(), "{text}");
        }
        for text in [
            "0100-02-29",
            "1700-02-29",
            "2100-02-29",
            "2026-09-31",
            "2026-11-31",
        ] {
            assert!(Date::parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn counts_days_across_leap_years() {
        let a = Date::parse("2024-02-28").unwrap();
        let b = Date::parse("2024-03-01").unwrap();
        assert_eq!(a.days_until(b), 2);
        assert_eq!(b.days_until(a), -2);
        assert_eq!(a.add_days(2), Some(b));
        assert_eq!(b.add_days(-366).unwrap().to_string(), "2023-03-01");
        assert_eq!(Date::parse("1970-01-01").unwrap(), Date(0));
    }

    #[test]
    fn moving_out_of_the_calendar_is_none_not_the_same_date() {
        let d = Date::parse("2026-06-30").unwrap();
        assert_eq!(d.add_days(i64::MAX), None);
        assert_eq!(d.add_days(i64::MIN), None);
        assert_eq!(d.add_days(10_000 * 366), None);
        assert!(d.add_days(365 * 7000).is_some());
        let last = Date::parse("9999-12-31").unwrap();
        assert_eq!(last.add_days(1), None);
        assert_eq!(last.add_days(0), Some(last));
        let first = Date(FIRST_DAY);
        assert_eq!(first.to_string(), "-009999-01-01");
        assert_eq!(first.add_days(-1), None);
    }

    /// Every day of the calendar, as jiff has it: the same date written, read back, the
    /// same day after, and the same days between dates.
    #[test]
    fn every_day_is_the_day_jiff_says() {
        let jiff_first = jiff::civil::date(-9999, 1, 1);
        let mut expected = jiff_first;
        let mut compared = 0;
        for day in FIRST_DAY..=LAST_DAY {
            let date = Date(day);
            let (year, month, day_of_month) = civil_from_days(day);
            assert_eq!(
                (year, month, day_of_month),
                (
                    i32::from(expected.year()),
                    i32::from(expected.month()),
                    i32::from(expected.day())
                ),
                "day {day}"
            );
            assert_eq!(days_from_civil(year, month, day_of_month), day);
            // Every date of the years `YYYY-MM-DD` writes is read back as its day.
            if (0..=9999).contains(&year) {
                let text = format!("{year:04}-{month:02}-{day_of_month:02}");
                assert_eq!(Date::parse(&text), Some(date), "{text}");
                if day_of_month >= 28 {
                    // The day after the month's last is no date.
                    let after = format!("{year:04}-{month:02}-{:02}", day_of_month + 1);
                    let last = expected.last_of_month().day() == expected.day();
                    assert_eq!(Date::parse(&after).is_none(), last, "{after}");
                }
            }
            if day % 97 == 0 || (0..=9999).contains(&year) && day_of_month > 27 {
                let text = date.to_string();
                assert_eq!(text, expected.to_string(), "day {day}");
                let span = expected.duration_since(jiff_first).as_secs() / 86_400;
                assert_eq!(Date(FIRST_DAY).days_until(date), span);
            }
            compared += 1;
            if day < LAST_DAY {
                expected = expected.tomorrow().unwrap();
            }
        }
        assert_eq!(compared, 7_304_484);
        assert!(jiff::civil::date(9999, 12, 31).tomorrow().is_err());
    }
}
