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
/// as written. `None` for anything else, and for a year before 1000, as [`with_format`]
/// refuses it: `0001-01-01T00:00:00Z`, the zero time some systems write where they have no
/// date, read as a date would make an account look created, or disabled, long ago.
pub fn iso(text: &str) -> Option<Date> {
    static PARSER: DateTimeParser = DateTimeParser::new();
    let text = text.trim();
    // Only the extended format (`2026-06-28`), as exports write it: `20260628` is a number.
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    PARSER
        .parse_pieces(text)
        .ok()
        .map(|p| p.date())
        .filter(|d| d.year() >= 1000)
}

/// The date of `text` read with a `strftime` format (`%m/%d/%Y`, `%d.%m.%Y`,
/// `%Y/%m/%d %H:%M:%S`); the whole text must match. `None` when it does not, and for a year
/// before 1000: `%Y` reads any number of digits, so the two-digit year of `05/29/26`
/// would be the year 26, where the export meant 2026 (a format of `%y` reads that).
pub fn with_format(text: &str, format: &str) -> Option<Date> {
    // The text is read trimmed: the white space a format ends with (`%n`, `%t`, a space)
    // has nothing left to match, and is left out of the format too.
    jiff::fmt::strtime::parse(without_trailing_space(format), text.trim())
        .ok()?
        .to_date()
        .ok()
        .filter(|d| d.year() >= 1000)
}

/// `format` without the white space it ends with: spaces, tabs, and the specifiers `%n` and
/// `%t`, which match white space (`%%n` is a percent sign and an `n`).
fn without_trailing_space(format: &str) -> &str {
    let mut end = 0;
    let mut chars = format.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        let space = match c {
            '%' => {
                // Flags and a width, then the letter.
                let mut letter = None;
                for (_, f) in chars.by_ref() {
                    if "-_0^#:.".contains(f) || f.is_ascii_digit() {
                        continue;
                    }
                    letter = Some(f);
                    break;
                }
                matches!(letter, Some('n' | 't'))
            }
            c => c.is_whitespace(),
        };
        if !space {
            end = chars.peek().map_or(format.len(), |&(i, _)| i);
        }
    }
    &format[..end]
}

/// The specifiers a date `format` may use, by what they read: the date's parts, the time's
/// and the offset's (read and left: a date-time gives its date as written), and the percent
/// sign and white space. docs/importers.md lists the same (a test holds it to this).
const SPECIFIERS: [(&str, &str); 4] = [
    ("the date's", "YyCmdebBhaAjFD"),
    ("the time's", "HIklMSpPfNTR"),
    ("the offset's", "z"),
    ("a percent sign and white space", "%nt"),
];

/// The specifiers of one group of [`SPECIFIERS`], as a format writes them, `between` each:
/// `%Y, %y, ...`.
fn listed(letters: &str, between: &str) -> String {
    let all: Vec<String> = letters.chars().map(|c| format!("%{c}")).collect();
    all.join(between)
}

/// What a format may use instead of the specifier it does not read: every group of
/// [`SPECIFIERS`], named.
fn expected_specifiers() -> String {
    let groups: Vec<String> = SPECIFIERS
        .iter()
        .map(|(what, letters)| format!("{what} ({})", listed(letters, ", ")))
        .collect();
    let (last, rest) = groups
        .split_last()
        .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
    format!("{} or {last}", rest.join(", "))
}

/// Whether a `strftime` format can read dates: every specifier is one of [`SPECIFIERS`]
/// (`%Q` is named when it is not), and it names a year, a month and a day, checked on a known
/// date-time written with it and read back. What is wrong, else.
pub fn check_format(format: &str) -> Result<(), String> {
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let mut written = String::from("%");
        // Flags, a width, then `:` (`%:z`) or `.` (`%.f`) before the letter.
        while let Some(&f) = chars.peek() {
            if "-_0^#:.".contains(f) || f.is_ascii_digit() {
                written.push(f);
                chars.next();
            } else {
                break;
            }
        }
        match chars.next() {
            Some(letter) if SPECIFIERS.iter().any(|(_, l)| l.contains(letter)) => {}
            Some(letter) => {
                written.push(letter);
                return Err(format!(
                    "`{written}` is not a specifier it reads: expected {}; the time and offset are read and left",
                    expected_specifiers()
                ));
            }
            None => {
                return Err("it ends with a lone `%`: write `%%` for a percent sign".to_owned());
            }
        }
    }
    let ymd = || "it must name the year, month and day (%Y, %m, %d)".to_owned();
    let sample = jiff::civil::DateTime::new(2026, 11, 23, 13, 45, 56, 123_000_000)
        .map_err(|e| e.to_string())?;
    let zoned = sample
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(2)))
        .map_err(|e| e.to_string())?;
    let written = jiff::fmt::strtime::format(format, &zoned).map_err(|_| ymd())?;
    match with_format(&written, format) {
        Some(date) if date == sample.date() => Ok(()),
        _ => Err(ymd()),
    }
}

/// Whether a `strftime` format can read a date at all (see [`check_format`]).
#[cfg(test)]
pub fn format_reads_dates(format: &str) -> bool {
    check_format(format).is_ok()
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
            // The zero time of some systems stands for no date.
            ("0001-01-01T00:00:00Z", None),
            ("0999-12-31", None),
            ("1000-01-01", Some("1000-01-01")),
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
        // A time part is read and left.
        assert!(format_reads_dates("%m/%d/%Y %H:%M"));
        assert!(format_reads_dates("%Y-%m-%dT%H:%M:%S"));
        assert!(format_reads_dates("%Y-%m-%dT%H:%M:%S%.f%:z"));
        assert_eq!(
            show(with_format("06/28/2026 14:03", "%m/%d/%Y %H:%M")).as_deref(),
            Some("2026-06-28")
        );
        assert_eq!(
            show(with_format(
                "2026-06-28T23:30:00-0700",
                "%Y-%m-%dT%H:%M:%S%z"
            ))
            .as_deref(),
            Some("2026-06-28")
        );
        // A format may end in white space (`%n`, `%t`, a space): the cell is read trimmed,
        // and so is the sample the format is checked with.
        for f in [
            "%Y-%m-%d%n",
            "%Y-%m-%d%t",
            "%Y-%m-%d ",
            "%Y-%m-%d%n%t",
            "%n%Y-%m-%d",
        ] {
            assert!(format_reads_dates(f), "{f:?}");
            assert_eq!(
                show(with_format(" 2026-06-28\n", f)).as_deref(),
                Some("2026-06-28"),
                "{f:?}"
            );
        }
        // `%%n` is a percent sign and an `n`, not white space.
        assert_eq!(
            show(with_format("2026-06-28%n", "%Y-%m-%d%%n")).as_deref(),
            Some("2026-06-28")
        );
        assert_eq!(with_format("2026-06-28", "%Y-%m-%d%%n"), None);
        let err = check_format("%m/%d/%Y %Q").unwrap_err();
        assert!(err.starts_with("`%Q` is not a specifier it reads"), "{err}");
    }

    #[test]
    fn the_error_and_the_docs_list_every_specifier_read() {
        let err = check_format("%a %m/%d/%Y %Q").unwrap_err();
        assert_eq!(
            err,
            "`%Q` is not a specifier it reads: expected the date's (%Y, %y, %C, %m, %d, %e, %b, %B, %h, %a, %A, %j, %F, %D), the time's (%H, %I, %k, %l, %M, %S, %p, %P, %f, %N, %T, %R), the offset's (%z) or a percent sign and white space (%%, %n, %t); the time and offset are read and left"
        );
        // Each one listed is taken.
        for (_, letters) in SPECIFIERS {
            for c in letters.chars() {
                let format = format!("%Y-%m-%d %{c}");
                let refused = check_format(&format).is_err_and(|e| e.contains("not a specifier"));
                assert!(!refused, "{format}");
            }
        }
        let docs =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/importers.md"))
                .unwrap_or_default();
        let docs = docs.split_whitespace().collect::<Vec<_>>().join(" ");
        let [date, time, offset, other] = SPECIFIERS.map(|(_, l)| listed(l, " "));
        let sentence = format!(
            "the specifiers read are the date's `{date}`, the time's `{time}`, the offset's `{offset}`, and `{other}`"
        );
        assert!(
            docs.contains(&sentence),
            "docs/importers.md lacks: {sentence}"
        );
    }
}
