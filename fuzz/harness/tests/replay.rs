//! Replays every input of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` through
//! the function its fuzz target runs: no input may panic or break the target's checks. This
//! is how the corpora stay checked in every test run, on stable Rust and without libFuzzer.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_fuzz_harness::TARGETS;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The `fuzz/` folder.
fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap()
}

/// The files of a folder, in name order (none if it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// A target's corpus and regressions, checking that the corpus is not empty.
fn target_inputs(target: &str) -> Vec<PathBuf> {
    let mut files = inputs(&fuzz_dir().join("corpus").join(target));
    assert!(
        !files.is_empty(),
        "fuzz/corpus/{target}/ has no inputs to replay"
    );
    files.extend(inputs(&fuzz_dir().join("regressions").join(target)));
    files
}

/// Runs `check` over `files`; returns the inputs that failed, each with its panic message.
fn replay(files: &[PathBuf], check: fn(&[u8])) -> Vec<String> {
    let mut failed = Vec::new();
    for path in files {
        let data = std::fs::read(path).unwrap();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            failed.push(format!("{}: {message}", path.display()));
        }
    }
    failed
}

#[test]
fn every_corpus_and_regression_input_passes_its_target() {
    let failed: Vec<String> = TARGETS
        .iter()
        .flat_map(|(name, check)| replay(&target_inputs(name), *check))
        .collect();
    assert!(
        failed.is_empty(),
        "{} input(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn a_target_that_panics_is_caught_and_named() {
    fn broken(data: &[u8]) {
        assert!(data.is_empty(), "not empty");
    }
    let first = &target_inputs("facts")[..1];
    let failed = replay(first, broken);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].contains("fuzz/corpus/facts/") && failed[0].ends_with(": not empty"));
}
