//! The example records `attest init` writes under `facts/`: one file per collection of
//! facts-v1, dated around the day it runs so that they evaluate as current, and giving every
//! rule of the SOC 2 pack records to judge.

mod access;
mod data;
mod operations;
mod organization;
mod security;

use jiff::civil::Date;
use serde_json::Value;

/// One template per collection, as (file name under `facts/`, its JSON), dated around `today`.
pub fn templates(today: Date) -> Vec<(&'static str, Value)> {
    let days = Days(today);
    let mut files = organization::templates(&days);
    files.extend(access::templates(&days));
    files.extend(operations::templates(&days));
    files.extend(security::templates(&days));
    files.extend(data::templates(&days));
    files
}

/// Dates relative to the day `attest init` runs, as facts-v1 writes them (`YYYY-MM-DD`).
struct Days(Date);

impl Days {
    /// The date itself.
    fn today(&self) -> String {
        self.0.to_string()
    }

    /// The date `n` days before (or the date itself, at the edge of the calendar).
    fn ago(&self, n: i64) -> String {
        self.0
            .checked_sub(jiff::Span::new().days(n))
            .unwrap_or(self.0)
            .to_string()
    }

    /// The date `n` days after (or the date itself, at the edge of the calendar).
    fn ahead(&self, n: i64) -> String {
        self.0
            .checked_add(jiff::Span::new().days(n))
            .unwrap_or(self.0)
            .to_string()
    }

    /// The first day of the six months that end on the date (both ends included).
    fn six_months_back(&self) -> String {
        self.0
            .checked_add(jiff::Span::new().days(1))
            .and_then(|d| d.checked_sub(jiff::Span::new().months(6)))
            .unwrap_or(self.0)
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_from_today() {
        let days = Days(Date::new(2026, 6, 30).unwrap());
        assert_eq!(days.today(), "2026-06-30");
        assert_eq!(days.ago(30), "2026-05-31");
        assert_eq!(days.ahead(2), "2026-07-02");
        assert_eq!(days.six_months_back(), "2026-01-01");
        let leap = Days(Date::new(2024, 8, 31).unwrap());
        assert_eq!(leap.six_months_back(), "2024-03-01");
    }
}
