//! What the CLI test files share: running the `attest` binary and reading its output. The
//! rest of the set-up (repository root, scratch folders, minimal packs) is `attest_tests`'s.

// Not every test file uses every helper.
#![allow(dead_code)]

pub mod bundle;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The names of the entries of `dir`, sorted (to show no temporary file is left).
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

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

/// The SHA-256 of `bytes` (hex), by the test's own means: the `sha256sum` every CI image has.
// Not every test file that shares these helpers allows `expect`: its message says what is
// missing.
#[allow(clippy::expect_used)]
pub fn attest_digest(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum on the PATH");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let mut s = String::new();
    let _ = write!(s, "{}", String::from_utf8_lossy(&out.stdout));
    s.split_whitespace().next().unwrap().to_owned()
}

/// The line with its hash recomputed as `attest` would (sha256 of the canonical JSON
/// without `hash`), through the sorted-keys serialization of `serde_json::Value` without
/// the workspace's `preserve_order`... computed here by hand: keys sorted recursively.
pub fn rehash(line: &str) -> String {
    let mut value: Value = serde_json::from_str(line).unwrap();
    value.as_object_mut().unwrap().remove("hash");
    let canonical = canonical(&value);
    let hash = attest_digest(canonical.as_bytes());
    value
        .as_object_mut()
        .unwrap()
        .insert("hash".to_owned(), Value::String(hash));
    serde_json::to_string(&value).unwrap()
}

/// `value` as canonical JSON: object keys sorted, no whitespace.
pub fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let members: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        scalar => scalar.to_string(),
    }
}
