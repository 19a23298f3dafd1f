//! The hostile rule corpus (`tests/hostile/rules/`) against the `attest` binary: every case
//! reports what it says (an `error` with a clear message, within its limits), the ordinary
//! rules beside it still give their usual results, the exit code is 1 (a rule errored), no
//! process panics, and together they stay under a stated memory bound. The same corpus runs
//! in the WebAssembly module (`tests/wasm-host/tests/hostile.rs`).

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use attest_tests::hostile::{self, Case};
use common::{attest, exit, scratch, stderr, write};
use std::time::{Duration, Instant};

/// The most memory any `attest` process of the corpus may reach (peak resident set): the
/// cases run with a memory budget of 64 MiB per rule, on as many threads as the machine has
/// cores.
const MAX_RSS_MIB: i64 = 512;

/// The longest one evaluation of a group of cases may take (a debug build on a busy machine;
/// the slowest cases stop at their time budget of 5 s or their operation budget).
const MAX_SECONDS: u64 = 300;

#[test]
fn every_hostile_rule_is_contained_and_the_other_rules_still_run() {
    let dir = scratch("corpus");
    let cases = hostile::cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let facts = write(&dir, "facts.json", hostile::FACTS);
    let mut problems = Vec::new();
    for (i, group) in hostile::groups(&cases).iter().enumerate() {
        let pack = dir.join(format!("pack-{i}"));
        for f in hostile::pack_files(group) {
            write(&pack, &f.path, &f.text);
        }
        let pack = pack.to_string_lossy().into_owned();
        let mut args: Vec<&str> = vec!["eval", &facts, "--pack", &pack, "--format", "json"];
        for (flag, value) in &group[0].args {
            args.extend([flag.as_str(), value.as_str()]);
        }
        let started = Instant::now();
        let out = attest(&args);
        let took = started.elapsed();
        let names: Vec<&str> = group.iter().map(|c: &&Case| c.name.as_str()).collect();
        assert!(
            !stderr(&out).contains("panicked"),
            "{names:?}: {}",
            stderr(&out)
        );
        // A rule errored: exit 1, with the whole report written.
        exit(&out, 1);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        problems.extend(hostile::check_report(&report, group));
        let control = |id: &str| {
            report["controls"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["id"] == id))
                .map(|c| c["status"].clone())
        };
        if group.iter().any(|c| c.status == "error") {
            assert_eq!(control("CC6.1"), Some("error".into()), "{names:?}");
        }
        assert_eq!(control("CC6.2"), Some("fail".into()), "{names:?}");
        assert!(
            took < Duration::from_secs(MAX_SECONDS),
            "{names:?} took {took:?}"
        );
        let peak = peak_mib();
        assert!(
            peak < MAX_RSS_MIB,
            "the attest process of {names:?} reached {peak} MiB"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The largest peak resident set of this test's child processes so far, in MiB (0 where the
/// platform cannot tell).
fn peak_mib() -> i64 {
    #[cfg(unix)]
    {
        use nix::sys::resource::{UsageWho, getrusage};
        // In KiB on Linux.
        getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss() / 1024
    }
    #[cfg(not(unix))]
    {
        0
    }
}

/// Commands whose standard output is on a full disk (`/dev/full`): exit 2 with one error
/// naming stdout, never a panic (`println!` panics when it cannot write) nor a message that
/// names stdout twice.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error_not_a_panic() {
    use common::attest_in;
    use std::process::{Command, Stdio};
    let dir = scratch("full");
    let small = common::repo().join("tests/hostile/inputs/_common/small.json");
    let small = small.to_str().unwrap();
    let made = attest_in(
        &dir,
        &[
            "eval",
            small,
            "--ledger",
            "runs.jsonl",
            "--output",
            "/dev/null",
        ],
    );
    assert!(
        matches!(made.status.code(), Some(0 | 1)),
        "{}",
        stderr(&made)
    );
    for args in [
        vec!["validate", small],
        vec!["ledger", "verify", "runs.jsonl"],
        vec!["ledger", "repair", "runs.jsonl"],
        vec!["ledger", "log", "runs.jsonl"],
        vec!["eval", small],
        vec!["completions", "bash"],
    ] {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(&args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(full)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("error: stdout: ") && !err.contains("stdout: stdout"),
            "{args:?}: {err}"
        );
    }
}

/// A standard error on a full disk: the warnings are lost, but the run still writes its
/// report and exits with its own code, where `eprintln!` panicked (exit 101) before either.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stderr_loses_the_warnings_not_the_report() {
    use std::process::{Command, Stdio};
    let dir = scratch("full-stderr");
    let common = common::repo().join("tests/hostile/inputs/_common");
    let run = |args: &[&str]| {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stderr(full)
            .output()
            .unwrap()
    };
    let facts = common.join("small.json");
    let waivers = common.join("waivers.json");
    // A stale waiver: a warning on stderr, before the report is written.
    let out = run(&[
        "eval",
        facts.to_str().unwrap(),
        "--waivers",
        waivers.to_str().unwrap(),
        "--format",
        "json",
        "--output",
        "report.json",
    ]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}", out.status);
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap();
    assert!(report.contains("\"report_version\""));
    // An error: exit 2, though it cannot be shown.
    let out = run(&["validate", "missing.json"]);
    assert_eq!(out.status.code(), Some(2), "{:?}", out.status);
}
