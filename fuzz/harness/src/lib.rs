//! # attest-fuzz-harness
//!
//! What each fuzz target checks, as plain functions from bytes to nothing: a target passes
//! an input when its function returns, and fails it by panicking (a panic of the engine
//! itself, or an assertion here about the result). The libFuzzer targets in `fuzz/` are thin
//! wrappers over [`TARGETS`]; this crate's tests replay every input of `fuzz/corpus/<target>/`
//! and `fuzz/regressions/<target>/` through the same functions, without libFuzzer, so the
//! corpora stay checked on stable Rust in every test run.
//!
//! Inputs that hold several files (facts split across files, a pack) separate them with NUL
//! bytes, which neither JSON, TOML nor Rhai text contains. Text is decoded as UTF-8 with
//! invalid bytes replaced, as the engine only takes text.

// A fuzz harness reports a broken invariant by panicking: that is what libFuzzer catches.
#![allow(clippy::panic)]

pub mod facts;
pub mod pack;
pub mod request;
pub mod waivers;

/// What checks one input of a target (it panics on a finding).
pub type Check = fn(&[u8]);

/// Every fuzz target: its name (the folder of its corpus and regressions, and the file of
/// `fuzz/fuzz_targets/`) and the function that checks one input.
pub const TARGETS: [(&str, Check); 4] = [
    ("facts", facts::check),
    ("pack", pack::check),
    ("waivers", waivers::check),
    ("request", request::check),
];

/// The input cut at NUL bytes into at most `max` texts (the last one keeps any further NUL).
pub(crate) fn texts(data: &[u8], max: usize) -> Vec<String> {
    data.splitn(max, |b| *b == 0)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect()
}

/// How many lines `text` has, counting a last line with no newline (so at least 1).
pub(crate) fn line_count(text: &str) -> usize {
    text.matches('\n').count() + 1
}

/// Whether `text` is a sha256 digest as the engine prints it: 64 lowercase hex digits.
pub(crate) fn is_digest(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Asserts that a 1-based `line` lies within `text`, naming `what` if not.
pub(crate) fn assert_line_within(line: usize, text: &str, what: &dyn std::fmt::Display) {
    assert!(
        (1..=line_count(text)).contains(&line),
        "{what}: line {line} is outside its file ({} lines)",
        line_count(text)
    );
}
