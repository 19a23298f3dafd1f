//! The audit period of a Type 2 evaluation: the dates through which controls must have
//! operated, both included. Without one, rules judge the facts at the as-of date alone
//! (Type 1 style).

pub(crate) mod stretches;

use crate::date::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An audit period: `start` through `end`, both days included, `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Written", into = "Written")]
pub struct Period {
    start: Date,
    end: Date,
}

/// Why a period could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeriodError {
    /// The text is not `START..END` with two `YYYY-MM-DD` dates.
    #[error(
        "`{0}` is not an audit period: expected START..END with dates YYYY-MM-DD (2026-01-01..2026-06-30)"
    )]
    Malformed(String),
    /// A side written `YYYY-MM-DD` that is no day of the calendar (`2026-02-30`).
    #[error("`{text}` is not an audit period: `{day}` is not a day of the calendar")]
    NoSuchDay {
        /// The period as written.
        text: String,
        /// The side that is no day.
        day: String,
    },
    /// The end comes before the start.
    #[error("the audit period {start}..{end} ends before it starts")]
    Reversed {
        /// The first day.
        start: String,
        /// The last day.
        end: String,
    },
}

impl Period {
    /// The period from `start` through `end`; an error when `end` is before `start`.
    pub fn new(start: Date, end: Date) -> Result<Period, PeriodError> {
        if end < start {
            return Err(PeriodError::Reversed {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        Ok(Period { start, end })
    }

    /// Parses `START..END` (`2026-01-01..2026-06-30`), as `attest eval --period` takes it.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let malformed = || PeriodError::Malformed(text.to_owned());
        let (start, end) = text.split_once("..").ok_or_else(malformed)?;
        if !shaped(start) || !shaped(end) {
            return Err(malformed());
        }
        // Written as dates: one that is no day of the calendar is named.
        let day = |side: &str| {
            Date::parse(side).ok_or_else(|| PeriodError::NoSuchDay {
                text: text.to_owned(),
                day: side.to_owned(),
            })
        };
        Period::new(day(start)?, day(end)?)
    }

    /// The first day of the period.
    pub fn start(&self) -> Date {
        self.start
    }

    /// The last day of the period.
    pub fn end(&self) -> Date {
        self.end
    }

    /// Whether `date` falls in the period, its first and last days included.
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }
}

/// Whether `text` is written `YYYY-MM-DD` (digits and dashes in their places), a day of the
/// calendar or not.
fn shaped(text: &str) -> bool {
    text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A period as reports and facts write it: `{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    start: String,
    end: String,
}

impl From<Period> for Written {
    fn from(p: Period) -> Written {
        Written {
            start: p.start.to_string(),
            end: p.end.to_string(),
        }
    }
}

impl TryFrom<Written> for Period {
    type Error = PeriodError;

    fn try_from(w: Written) -> Result<Period, PeriodError> {
        Period::parse(&format!("{}..{}", w.start, w.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn parses_start_dot_dot_end() {
        let p = Period::parse("2026-01-01..2026-06-30").unwrap();
        assert_eq!((p.start(), p.end()), (day("2026-01-01"), day("2026-06-30")));
        assert_eq!(p.to_string(), "2026-01-01..2026-06-30");
        // A period of one day is a period.
        assert!(Period::parse("2026-03-01..2026-03-01").is_ok());
    }

    #[test]
    fn refuses_what_is_not_a_period() {
        for text in [
            "",
            "2026-01-01",
            "2026-01-01..",
            "..2026-06-30",
            "2026-01-01...2026-06-30",
            "2026-01-01 .. 2026-06-30",
            "2026-01-01/2026-06-30",
        ] {
            assert_eq!(
                Period::parse(text),
                Err(PeriodError::Malformed(text.to_owned())),
                "{text}"
            );
        }
        for (text, day) in [
            ("2026-01-01..2026-02-30", "2026-02-30"),
            ("2025-02-29..2026-06-30", "2025-02-29"),
            ("2026-13-01..2026-06-30", "2026-13-01"),
        ] {
            assert_eq!(
                Period::parse(text).unwrap_err().to_string(),
                format!("`{text}` is not an audit period: `{day}` is not a day of the calendar")
            );
        }
        let err = Period::parse("2026-06-30..2026-01-01").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the audit period 2026-06-30..2026-01-01 ends before it starts"
        );
    }

    #[test]
    fn contains_its_first_and_last_days() {
        let p = Period::parse("2026-01-01..2026-06-30").unwrap();
        assert!(p.contains(day("2026-01-01")));
        assert!(p.contains(day("2026-06-30")));
        assert!(!p.contains(day("2025-12-31")));
        assert!(!p.contains(day("2026-07-01")));
    }

    #[test]
    fn serializes_as_start_and_end() {
        let p = Period::parse("2026-01-01..2026-06-30").unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"start":"2026-01-01","end":"2026-06-30"}"#);
        assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
        assert!(
            serde_json::from_str::<Period>(r#"{"start":"2026-06-30","end":"2026-01-01"}"#).is_err()
        );
    }
}
