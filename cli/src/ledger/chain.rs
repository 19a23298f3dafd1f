//! Checking a ledger's chain: every line an entry, every entry's hash its content's, every
//! entry's `prev` the hash of the line before it and its `seq` one more. The first line that
//! breaks a rule is the problem reported; the entries before it are sound.

use super::entry::{Entry, hash_of};
use attest_engine::facts::{json_column, json_message, parse_json};
use serde_json::Value;
use std::fmt;

/// The first thing wrong with a ledger, by line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The last line has no newline: a write was interrupted. `repair` removes it.
    Torn {
        /// Its line.
        line: usize,
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
    /// The line of the problem.
    pub fn line(&self) -> usize {
        match self {
            Problem::Torn { line }
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
    while offset < bytes.len() {
        line += 1;
        let rest = &bytes[offset..];
        let Some(end) = rest.iter().position(|b| *b == b'\n') else {
            return done(entries, Some(Problem::Torn { line }), offset);
        };
        match judge(&rest[..end], line, entries.last(), whole, &rest[end + 1..]) {
            Ok(entry) => entries.push(entry),
            Err(problem) => return done(entries, Some(problem), offset),
        }
        offset += end + 1;
    }
    done(entries, None, offset)
}

fn done(entries: Vec<Entry>, problem: Option<Problem>, sound_len: usize) -> Verified {
    Verified {
        entries,
        problem,
        sound_len,
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
    let mut value: Value = parse_json(text).map_err(|e| {
        let (column, message) = (json_column(&e), json_message(&e));
        unreadable(format!("column {column}: {message}"))
    })?;
    let entry: Entry =
        serde_json::from_value(value.clone()).map_err(|e| unreadable(e.to_string()))?;
    if hash_of(&mut value) != entry.hash {
        return Err(Problem::Edited {
            line,
            seq: entry.seq,
        });
    }
    let expected = match before {
        Some(b) => b.seq + 1,
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
