//! The compact checker's `pattern` keyword. A pattern that is a fixed run of characters
//! from simple sets, anchored at both ends (`^\d{4}-\d{2}-\d{2}$`, `^[0-9a-fA-F]{64}$`: the
//! facts schema's dates and digests, met in almost every record), is matched by a direct
//! walk of the text; any other by `regex_lite`.

use std::ops::RangeInclusive;

/// A compiled `pattern`.
pub(super) enum Pattern {
    /// Each step: a set of characters, and how many of them in a row.
    Fixed(Vec<(Set, usize)>),
    /// Anything else.
    Regex(regex_lite::Regex),
}

/// A set of characters: ranges, each of one or more characters.
pub(super) struct Set(Vec<RangeInclusive<char>>);

impl Set {
    fn contains(&self, c: char) -> bool {
        self.0.iter().any(|r| r.contains(&c))
    }
}

impl Pattern {
    /// Compiles `source` (already checked by `check_pattern`).
    pub(super) fn new(source: &str) -> Result<Pattern, regex_lite::Error> {
        let re = regex_lite::Regex::new(source)?;
        Ok(match fixed(source) {
            Some(steps) => Pattern::Fixed(steps),
            None => Pattern::Regex(re),
        })
    }

    /// Whether `text` matches.
    pub(super) fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Regex(re) => re.is_match(text),
            Pattern::Fixed(steps) => {
                let mut chars = text.chars();
                steps
                    .iter()
                    .all(|(set, n)| (0..*n).all(|_| chars.next().is_some_and(|c| set.contains(c))))
                    && chars.next().is_none()
            }
        }
    }
}

/// The steps of `source` when it is `^`, then characters, escaped punctuation, `\d` or
/// classes of characters and ranges (none negated), each alone or repeated `{n}` times,
/// then `$`.
fn fixed(source: &str) -> Option<Vec<(Set, usize)>> {
    let body = source.strip_prefix('^')?.strip_suffix('$')?;
    let mut chars = body.chars().peekable();
    let mut steps = Vec::new();
    while let Some(c) = chars.next() {
        let set = match c {
            '\\' => match chars.next()? {
                'd' => Set(vec!['0'..='9']),
                p if p.is_ascii_punctuation() => Set(vec![p..=p]),
                _ => return None,
            },
            '[' => {
                let mut ranges = Vec::new();
                loop {
                    let first = chars.next()?;
                    match first {
                        ']' if !ranges.is_empty() => break,
                        '\\' | '[' | ']' | '^' | '-' => return None,
                        _ => {}
                    }
                    if chars.next_if_eq(&'-').is_some() {
                        let last = chars.next()?;
                        if matches!(last, '\\' | '[' | ']' | '^' | '-') || last < first {
                            return None;
                        }
                        ranges.push(first..=last);
                    } else {
                        ranges.push(first..=first);
                    }
                }
                Set(ranges)
            }
            c if c.is_alphanumeric() || c == '-' || c == ':' || c == '_' => Set(vec![c..=c]),
            _ => return None,
        };
        let n = if chars.next_if_eq(&'{').is_some() {
            let mut digits = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            chars.next_if_eq(&'}')?;
            digits.parse().ok()?
        } else {
            1
        };
        steps.push((set, n));
    }
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn fixed_patterns_match_as_regex_lite_does() {
        let patterns = [
            r"^\d{4}-\d{2}-\d{2}$",
            r"^[0-9a-fA-F]{64}$",
            r"^[a-z][a-z0-9_]{2}\.x$",
            r"^A1$",
        ];
        let texts = [
            "2026-01-31",
            "2026-1-31",
            "2026-01-311",
            "2026-01-3",
            "٢٠٢٦-01-31",
            "2026-01-31\n",
            "",
            "abc.x",
            "a_9.x",
            "Abc.x",
            "a9.x",
            "A1",
            "A11",
            "a1",
        ];
        let hex: Vec<String> = ["0", "f", "F", "g", "é"]
            .iter()
            .flat_map(|c| [c.repeat(64), c.repeat(63), c.repeat(65)])
            .collect();
        for source in patterns {
            let compiled = Pattern::new(source).unwrap();
            assert!(matches!(compiled, Pattern::Fixed(_)), "{source}");
            let re = regex_lite::Regex::new(source).unwrap();
            for text in texts.iter().copied().chain(hex.iter().map(String::as_str)) {
                assert_eq!(
                    compiled.is_match(text),
                    re.is_match(text),
                    "{source} on {text:?}"
                );
            }
        }
    }

    #[test]
    fn other_patterns_go_to_regex_lite() {
        for source in [
            r"^(CC[1-9]|A1)\.\d+$",
            r"^\d+$",
            r"\d{4}",
            r"^[^a]{2}$",
            r"^a{2,3}$",
            r"^\w{2}$",
        ] {
            let compiled = Pattern::new(source).unwrap();
            assert!(matches!(compiled, Pattern::Regex(_)), "{source}");
        }
    }
}
