//! Dates as exports write them, turned into the `YYYY-MM-DD` dates of facts-v1.
//!
//! A timestamp with an offset (`2026-06-28T23:30:00-07:00`) gives the date as the export
//! states it, at that offset (2026-06-28), not the date in UTC (2026-06-29): the offset is
//! where the exporting system put the event, and converting would move late-evening events
//! to the next day for some readers and not others. A timestamp in UTC (`...Z`) gives its
//! UTC date. The same input always gives the same date, whatever the machine's time zone.

use jiff::civil::Date;
use jiff::fmt::temporal::DateTimeParser;

/// The date of an ISO 8601 date (`2026-06-28`) or date-time, with or without an offset
/// (`2026-06-28T23:30:00-07:00`, `2026-06-28T06:30:00Z`, `2026-06-28T06:30:00.123+00:00`),
/// as written. `None` for anything else.
pub fn iso(text: &str) -> Option<Date> {
    static PARSER: DateTimeParser = DateTimeParser::new();
    let text = text.trim();
    // Only the extended format (`2026-06-28`), as exports write it: `20260628` is a number.
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    PARSER.parse_pieces(text).ok().map(|p| p.date())
}

/// The date of `text` read with a `strftime` format (`%m/%d/%Y`, `%d.%m.%Y`,
/// `%Y/%m/%d %H:%M:%S`); the whole text must match. `None` when it does not, and for a year
/// before 1000: `%Y` reads any number of digits, so the two-digit year of `05/29/26`
/// would be the year 26, where the export meant 2026 (a format of `%y` reads that).
pub fn with_format(text: &str, format: &str) -> Option<Date> {
    jiff::fmt::strtime::parse(format, text.trim())
        .ok()?
        .to_date()
        .ok()
        .filter(|d| d.year() >= 1000)
}

/// Whether a `strftime` format can read a date at all (it names a year, a month and a
/// day), checked on a known date written with it.
pub fn format_reads_dates(format: &str) -> bool {
    let Ok(sample) = Date::new(2026, 11, 23) else {
        return false;
    };
    jiff::fmt::strtime::format(format, sample)
        .ok()
        .and_then(|written| with_format(&written, format))
        == Some(sample)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(d: Option<Date>) -> Option<String> {
        d.map(|d| d.to_string())
    }

    #[test]
    fn timestamps_give_the_date_they_state() {
        let cases = [
            ("2026-06-28", Some("2026-06-28")),
            ("2026-06-28T23:30:00-07:00", Some("2026-06-28")),
            ("2026-06-29T06:30:00+00:00", Some("2026-06-29")),
            ("2026-06-28T06:30:00Z", Some("2026-06-28")),
            ("2026-06-28T06:30:00.123Z", Some("2026-06-28")),
            ("2026-06-28T00:15:00+05:30", Some("2026-06-28")),
            (" 2026-06-28T00:15:00+05:30 ", Some("2026-06-28")),
            ("2026-02-30T00:00:00Z", None),
            ("2026-06-28T25:00:00Z", None),
            ("20260628", None),
            ("N/A", None),
            ("", None),
            ("06/28/2026", None),
        ];
        for (text, want) in cases {
            assert_eq!(show(iso(text)).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn formats_read_the_whole_text() {
        assert_eq!(
            show(with_format("06/28/2026", "%m/%d/%Y")).as_deref(),
            Some("2026-06-28")
        );
        assert_eq!(
            show(with_format("2026/06/28 14:03:11", "%Y/%m/%d %H:%M:%S")).as_deref(),
            Some("2026-06-28")
        );
        assert_eq!(with_format("13/28/2026", "%m/%d/%Y"), None);
        // A two-digit year is not the year 26 under `%Y`; `%y` reads it.
        assert_eq!(with_format("05/29/26", "%m/%d/%Y"), None);
        assert_eq!(with_format("05/29/0026", "%m/%d/%Y"), None);
        assert_eq!(
            show(with_format("05/29/26", "%m/%d/%y")).as_deref(),
            Some("2026-05-29")
        );
        assert_eq!(
            show(with_format("5/9/2026", "%m/%d/%Y")).as_deref(),
            Some("2026-05-09")
        );
        assert_eq!(with_format("06/28/2026 extra", "%m/%d/%Y"), None);
        assert!(format_reads_dates("%d.%m.%Y"));
        assert!(!format_reads_dates("%m/%Y"));
        assert!(!format_reads_dates("%H:%M"));
    }
}
