//! Checking a ledger's chain: every line an entry, every entry's hash its content's, every
//! entry's `prev` the hash of the line before it and its `seq` one more. The first line that
//! breaks a rule is the problem reported; the entries before it are sound.
//!
//! Two things at the end of a ledger lose nothing and are told apart from damage: a last
//! entry that is complete (its JSON whole, its hash and links right) but has no newline is
//! sound (the next append writes the newline first), and empty lines after the last entry
//! are a problem `repair` removes, like a torn last line (one whose JSON stops short).

use super::entry::{Entry, hash_of};
use attest_engine::facts::{json_message, json_place, parse_json};
use serde_json::Value;
use std::fmt;

/// The first thing wrong with a ledger, by line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The last line has no newline and is not JSON: a write was interrupted. `repair`
    /// removes it. (A last line without a newline that is a whole, sound entry is no problem.)
    Torn {
        /// Its line.
        line: usize,
    },
    /// Nothing but empty lines after the last entry (a newline too many, added by an editor
    /// or a shell). Nothing is lost; `repair` removes them.
    EmptyLines {
        /// The first of them.
        line: usize,
        /// How many.
        count: usize,
    },
    /// A line that is not an entry (not JSON, or missing members).
    Unreadable {
        /// Its line.
        line: usize,
        /// Why.
        message: String,
    },
    /// The entry's content does not match its hash: it was edited.
    Edited {
        /// Its line.
        line: usize,
        /// Its `seq`.
        seq: u64,
    },
    /// Entries are missing before this one: its `seq` skips numbers.
    Deleted {
        /// Its line.
        line: usize,
        /// The first missing `seq`.
        from: u64,
        /// The last missing `seq`.
        to: u64,
    },
    /// The entry's `seq` is not the next number: entries were reordered, or an entry was
    /// inserted.
    OutOfOrder {
        /// Its line.
        line: usize,
        /// Its `seq`.
        seq: u64,
        /// The `seq` expected there.
        expected: u64,
    },
    /// The entry's `prev` is not the hash of the entry before it, though its `seq` follows:
    /// the entry before it was replaced by another one with a valid hash, or the first
    /// entry of the ledger names a predecessor.
    Unchained {
        /// Its line.
        line: usize,
        /// Its `seq`.
        seq: u64,
    },
}

impl Problem {
    /// Whether `repair` can fix it without touching an entry: a torn last line or empty
    /// lines after the last entry.
    pub fn repairable(&self) -> bool {
        matches!(self, Problem::Torn { .. } | Problem::EmptyLines { .. })
    }

    /// The line of the problem.
    pub fn line(&self) -> usize {
        match self {
            Problem::Torn { line }
            | Problem::EmptyLines { line, .. }
            | Problem::Unreadable { line, .. }
            | Problem::Edited { line, .. }
            | Problem::Deleted { line, .. }
            | Problem::OutOfOrder { line, .. }
            | Problem::Unchained { line, .. } => *line,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Torn { line } => write!(
                f,
                "line {line}: the last line is incomplete (a run was stopped while writing it); `attest ledger repair` removes it"
            ),
            Problem::EmptyLines { line, count: 1 } => write!(
                f,
                "line {line}: an empty line after the last entry (no entry is lost); `attest ledger repair` removes it"
            ),
            Problem::EmptyLines { line, count } => write!(
                f,
                "lines {line} to {}: {count} empty lines after the last entry (no entry is lost); `attest ledger repair` removes them",
                line + count - 1
            ),
            Problem::Unreadable { line, message } => {
                write!(f, "line {line}: not a ledger entry: {message}")
            }
            Problem::Edited { line, seq } => write!(
                f,
                "line {line}: entry {seq} was edited: its content does not match its hash"
            ),
            Problem::Deleted { line, from, to } if from == to => write!(
                f,
                "line {line}: entry {from} was deleted: the entry here is {}",
                to + 1
            ),
            Problem::Deleted { line, from, to } => write!(
                f,
                "line {line}: entries {from} to {to} were deleted: the entry here is {}",
                to + 1
            ),
            Problem::OutOfOrder {
                line,
                seq,
                expected,
            } => write!(
                f,
                "line {line}: entry {seq} where entry {expected} should be: entries were reordered or an entry was inserted"
            ),
            Problem::Unchained { line, seq } if *line == 1 => write!(
                f,
                "line 1: entry {seq} names a previous entry, but it is the first line: the entries before it were removed"
            ),
            Problem::Unchained { line, seq } => write!(
                f,
                "line {line}: entry {seq} does not follow from the entry before it (its `prev` is not that entry's hash): an entry was replaced or inserted"
            ),
        }
    }
}

/// A ledger as checked: its sound entries, in order, and the first problem after them.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The entries before the first problem (all of them when there is none).
    pub entries: Vec<Entry>,
    /// The first problem, if any.
    pub problem: Option<Problem>,
    /// Bytes of the file the sound entries take, newlines included.
    pub sound_len: usize,
    /// The last entry is sound but its line has no newline (the file was cut by one byte,
    /// or written by an editor that leaves none): nothing is lost, and the next append
    /// writes the newline before its entry.
    pub unterminated: bool,
}

/// Checks a whole ledger: the first entry is `seq` 1 with no `prev`.
pub fn verify(bytes: &[u8]) -> Verified {
    check(bytes, true)
}

/// Checks a slice of a ledger (the entries of a period, in an auditor's bundle): the same,
/// except that the first entry may have any `seq` and `prev`.
pub fn verify_slice(bytes: &[u8]) -> Verified {
    check(bytes, false)
}

fn check(bytes: &[u8], whole: bool) -> Verified {
    let mut entries: Vec<Entry> = Vec::new();
    let mut offset = 0;
    let mut line = 0;
    let mut unterminated = false;
    while offset < bytes.len() {
        line += 1;
        let rest = &bytes[offset..];
        // Empty lines, ended by `\n` or by `\r\n` (a ledger checked out with Windows line
        // ends), the last one maybe without its newline.
        if rest.iter().all(|b| matches!(b, b'\n' | b'\r')) {
            let ended = rest.iter().filter(|b| **b == b'\n').count();
            let problem = Problem::EmptyLines {
                line,
                count: ended + usize::from(rest.last() != Some(&b'\n')),
            };
            return done(entries, Some(problem), offset, false);
        }
        let (end, next) = match rest.iter().position(|b| *b == b'\n') {
            Some(end) => (end, end + 1),
            // The last line, without its newline: torn when its JSON stops short (or is not
            // JSON at all, as when a crash leaves zeros); judged as any other line when it is
            // whole, so a sound entry that only lacks its newline is kept.
            None if !is_json(rest) => {
                return done(entries, Some(Problem::Torn { line }), offset, false);
            }
            None => (rest.len(), rest.len()),
        };
        match judge(&rest[..end], line, entries.last(), whole, &rest[next..]) {
            Ok(entry) => entries.push(entry),
            Err(problem) => return done(entries, Some(problem), offset, false),
        }
        offset += next;
        unterminated = next == end;
    }
    done(entries, None, offset, unterminated)
}

/// Whether `text` is one whole JSON value, with nothing after it.
fn is_json(text: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok()
}

fn done(
    entries: Vec<Entry>,
    problem: Option<Problem>,
    sound_len: usize,
    unterminated: bool,
) -> Verified {
    Verified {
        entries,
        problem,
        sound_len,
        unterminated,
    }
}

/// One line, after the sound entries (`before` the last of them) and before `after`.
fn judge(
    text: &[u8],
    line: usize,
    before: Option<&Entry>,
    whole: bool,
    after: &[u8],
) -> Result<Entry, Problem> {
    let unreadable = |message: String| Problem::Unreadable { line, message };
    if text.is_empty() {
        return Err(unreadable("the line is empty".to_owned()));
    }
    let text = std::str::from_utf8(text)
        .map_err(|e| unreadable(format!("column {}: not UTF-8 text", e.valid_up_to() + 1)))?;
    // A key given twice is refused: the hash covers the value kept, so a first value put
    // before it would pass unseen by the chain, yet be what a reader that keeps the first
    // one shows.
    let at = |e: serde_json::Error| {
        let (column, message) = (json_place(text, &e).1, json_message(&e));
        unreadable(format!("column {column}: {message}"))
    };
    let mut value: Value = parse_json(text).map_err(at)?;
    if !value.is_object() {
        return Err(unreadable(
            "column 1: expected a JSON object (a ledger entry)".to_owned(),
        ));
    }
    // Read from the text, not the value, so that a member of the wrong type is placed.
    let entry: Entry = serde_json::from_str(text).map_err(at)?;
    if hash_of(&mut value) != entry.hash {
        return Err(Problem::Edited {
            line,
            seq: entry.seq,
        });
    }
    // Checked once the hash holds, so that an edit is named as one.
    if let Some(why) = unusable(&entry) {
        return Err(unreadable(why));
    }
    let expected = match before.map(|b| b.seq.checked_add(1)) {
        Some(Some(next)) => next,
        // No entry can follow the largest number (a slice may start anywhere).
        Some(None) => {
            return Err(unreadable(format!(
                "entry {} follows entry {}, the largest number an entry can have",
                entry.seq,
                u64::MAX
            )));
        }
        None if whole => 1,
        None => return Ok(entry),
    };
    if entry.seq > expected && holds_seq(after, expected) {
        return Err(Problem::OutOfOrder {
            line,
            seq: entry.seq,
            expected,
        });
    }
    if entry.seq > expected {
        return Err(Problem::Deleted {
            line,
            from: expected,
            to: entry.seq - 1,
        });
    }
    if entry.seq < expected {
        return Err(Problem::OutOfOrder {
            line,
            seq: entry.seq,
            expected,
        });
    }
    if entry.prev.as_deref() != before.map(|b| b.hash.as_str()) {
        return Err(Problem::Unchained {
            line,
            seq: entry.seq,
        });
    }
    Ok(entry)
}

/// The most criteria a count of an entry's summary may come to: a report of more than
/// this many is not one `attest` wrote, and its readiness (a percentage of them) would
/// mean nothing.
const MOST_CRITERIA: u64 = u32::MAX as u64 / 100;

/// What makes an entry that parses unusable, by JSON Pointer: a `period` that is no audit
/// period (it would be read as a point-in-time run), or summary counts larger than any
/// report's.
fn unusable(entry: &Entry) -> Option<String> {
    if entry.period.as_ref().is_some_and(|p| !p.is_null()) && entry.period().is_none() {
        return Some(
            "/period: not an audit period: expected {\"start\": \"YYYY-MM-DD\", \"end\": \"YYYY-MM-DD\"}, start not after end"
                .to_owned(),
        );
    }
    let summary = &entry.summary;
    std::iter::once(("controls".to_owned(), &summary.controls))
        .chain(
            summary
                .by_category
                .iter()
                .map(|(c, counts)| (format!("by_category/{}", c.as_str()), counts)),
        )
        .find_map(|(pointer, c)| {
            let all = [c.pass, c.fail, c.warn, c.error, c.waived, c.not_applicable];
            let total: u64 = all.into_iter().map(u64::from).sum();
            (total > MOST_CRITERIA).then(|| {
                format!(
                    "/summary/{pointer}: {total} criteria counted, more than any report holds (at most {MOST_CRITERIA})"
                )
            })
        })
}

/// Whether a line of `rest` is an entry numbered `seq` (the entry expected earlier comes
/// later: the entries were reordered, not deleted).
fn holds_seq(rest: &[u8], seq: u64) -> bool {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: u64,
    }
    rest.split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Seq>(l).ok())
        .any(|e| e.seq == seq)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    /// A line holding an entry numbered `seq` after `prev`, with its hash.
    fn line(seq: u64, prev: Option<&str>) -> (String, String) {
        let mut value = json!({
            "ledger_version": "1", "seq": seq, "run_at": "2026-06-30T06:00:00Z",
            "as_of": "2026-06-30", "organization": "Tiny", "facts_digest": "f",
            "pack": {"name": "tiny", "version": "0.1.0", "digest": "p"},
            "report": {"digest": "r", "path": null},
            "summary": {"controls": {"pass": 1, "fail": 0, "warn": 0, "error": 0, "waived": 0,
                "not_applicable": 0}, "by_category": {}},
            "failing": [], "prev": prev,
        });
        let hash = hash_of(&mut value.clone());
        value["hash"] = Value::String(hash.clone());
        (format!("{value}\n"), hash)
    }

    #[test]
    fn a_slice_whose_entry_has_the_largest_number_has_no_next_entry() {
        let (first, hash) = line(u64::MAX, Some("x"));
        let (second, _) = line(1, Some(&hash));
        let verified = verify_slice(format!("{first}{second}").as_bytes());
        assert_eq!(verified.entries.len(), 1);
        assert_eq!(
            verified.problem.map(|p| p.to_string()).unwrap_or_default(),
            "line 2: not a ledger entry: entry 1 follows entry 18446744073709551615, the largest number an entry can have"
        );
        // Alone, it is a slice of one sound entry.
        assert_eq!(verify_slice(first.as_bytes()).problem, None);
    }
}
