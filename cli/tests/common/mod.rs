//! What the CLI test files share: running the `attest` binary and reading its output. The
//! rest of the set-up (repository root, scratch folders, minimal packs) is `attest_tests`'s.

// Not every test file uses every helper.
#![allow(dead_code)]

pub mod bundle;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    attest_tests::repo_root()
}

/// Runs `attest` in `dir` with extra environment variables (the colour ones, `NO_COLOR`,
/// `CLICOLOR` and `CLICOLOR_FORCE`, are cleared first).
pub fn attest_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attest"));
    cmd.args(args).current_dir(dir);
    for name in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        cmd.env_remove(name);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Runs `attest` in `dir`, so paths in its output are relative to it.
pub fn attest_in(dir: &Path, args: &[&str]) -> Output {
    attest_with(dir, args, &[])
}

/// Runs `attest` from the repository root, so paths in reports are repository-relative.
pub fn attest(args: &[&str]) -> Output {
    attest_in(&repo(), args)
}

/// The exit code.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

/// Asserts the exit code, showing both streams when it differs.
pub fn exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// An empty scratch folder for one test (named after the test file and `name`).
pub fn scratch(name: &str) -> PathBuf {
    attest_tests::scratch!(name)
}

/// Writes a file below `dir` (creating folders) and returns its path as text.
pub fn write(dir: &Path, rel: &str, text: &str) -> String {
    attest_tests::write_file(dir, rel, text)
}
