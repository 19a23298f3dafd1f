//! The ledger end to end: `attest eval --ledger` chains one entry per run, `attest ledger
//! verify` names the first bad line of a tampered ledger, writers killed with SIGKILL at
//! random points lose nothing but a torn last line that `repair` removes, and processes
//! appending at once never interleave.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest_digest, attest_in, exit, rehash, scratch, stderr, stdout, write};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ORG: &str = r#"{
  "schema_version": "1",
  "organization": {"name": "Tiny", "as_of": "2026-06-30"},
  "accounts": [
    {"system_id": "aws", "username": "root", "kind": "human", "status": "active", "privileged": true, "mfa": false},
    {"system_id": "aws", "username": "ci", "kind": "service", "status": "active", "privileged": false, "mfa": false}
  ]
}
"#;

/// A folder with the tiny pack (one rule failing on accounts without MFA) and facts.
fn setup(name: &str) -> PathBuf {
    let dir = scratch(name);
    attest_tests::write_tiny_pack(
        &dir,
        &[(
            "mfa",
            "CC6.1",
            "for a in facts.accounts { tested(a); if a.mfa != true { fail(a, `${a.username} has no MFA`); } }\n",
        )],
    );
    write(&dir, "facts.json", ORG);
    dir
}

/// `attest eval` of the tiny setup on `as_of`, appending to `ledger.jsonl`.
fn eval_args(as_of: &str) -> Vec<String> {
    [
        "eval",
        "facts.json",
        "--pack",
        "pack",
        "--as-of",
        as_of,
        "--ledger",
        "ledger.jsonl",
        "--output",
        "json=report.json",
        "--format",
        "markdown",
        "--output",
        "out.md",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn eval(dir: &Path, as_of: &str) {
    let args = eval_args(as_of);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    exit(&attest_in(dir, &refs), 1);
}

fn lines(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("ledger.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn set_lines(dir: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    fs::write(dir.join("ledger.jsonl"), text).unwrap();
}

fn verify(dir: &Path) -> (i32, String) {
    let out = attest_in(dir, &["ledger", "verify", "ledger.jsonl"]);
    (out.status.code().unwrap(), stdout(&out))
}

/// A ledger of five runs, on five as-of dates.
fn five_runs(name: &str) -> PathBuf {
    let dir = setup(name);
    for day in 1..=5 {
        eval(&dir, &format!("2026-07-0{day}"));
    }
    dir
}

#[test]
fn each_run_is_an_entry_chained_to_the_one_before() {
    let dir = five_runs("chain");
    let entries: Vec<Value> = lines(&dir)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[0]["prev"], Value::Null);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["seq"], i as u64 + 1);
        assert_eq!(e["as_of"], format!("2026-07-0{}", i + 1));
        if i > 0 {
            assert_eq!(e["prev"], entries[i - 1]["hash"]);
        }
    }
    let last = &entries[4];
    // The report it names is the one written, byte for byte.
    let report = fs::read(dir.join("report.json")).unwrap();
    assert_eq!(last["report"]["path"], "report.json");
    assert_eq!(last["report"]["digest"], attest_digest(&report));
    let json: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(last["facts_digest"], json["facts"]["digest"]);
    assert_eq!(last["pack"], json["pack"]);
    assert_eq!(last["summary"], json["summary"]);
    assert_eq!(
        last["failing"],
        serde_json::json!([
            {"rule": "evidence/CC6.2", "key": null},
            {"rule": "t.mfa", "key": "accounts/aws/ci"},
            {"rule": "t.mfa", "key": "accounts/aws/root"}
        ])
    );
    assert!(last["run_at"].as_str().unwrap().ends_with('Z'));
    let (code, text) = verify(&dir);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("5 entries, chain intact"), "{text}");
    let log = stdout(&attest_in(&dir, &["ledger", "log", "ledger.jsonl"]));
    assert_eq!(log.lines().count(), 5, "{log}");
    assert!(
        log.contains("as of 2026-07-03") && log.contains("3 failing"),
        "{log}"
    );
}

#[test]
fn an_entry_records_the_parameters_its_run_set() {
    let dir = scratch("ledger-params");
    let facts = attest_tests::repo_root().join("examples/acme");
    let run = |params: &[&str]| {
        let mut args = vec!["eval", facts.to_str().unwrap(), "--ledger", "ledger.jsonl"];
        args.extend_from_slice(params);
        args.extend(["--output", "json=report.json"]);
        exit(&attest_in(&dir, &args), 1);
    };
    run(&[]);
    run(&["--param", "access_review_days_critical=30"]);
    let entries: Vec<Value> = lines(&dir)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(entries[0].get("params").is_none(), "{}", entries[0]);
    let report: Value =
        serde_json::from_slice(&fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(
        entries[1]["params"],
        serde_json::json!({"access_review_days_critical": {"value": 30, "default": 90}})
    );
    assert_eq!(entries[1]["params"], report["params"]);
    let (code, text) = verify(&dir);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn verify_names_the_first_bad_line_of_a_tampered_ledger() {
    let dir = five_runs("tamper");
    let good = lines(&dir);
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "an edited entry",
            {
                let mut l = good.clone();
                l[2] = l[2].replacen("\"pass\":", "\"pass\":1", 1);
                l
            },
            "line 3: entry 3 was edited",
        ),
        (
            "two entries swapped",
            {
                let mut l = good.clone();
                l.swap(1, 2);
                l
            },
            "line 2: entry 3 where entry 2 should be: entries were reordered",
        ),
        (
            "an entry copied in again",
            {
                let mut l = good.clone();
                l.insert(3, good[1].clone());
                l
            },
            "line 4: entry 2 where entry 4 should be",
        ),
        (
            "an entry deleted",
            {
                let mut l = good.clone();
                l.remove(2);
                l
            },
            "line 3: entry 3 was deleted",
        ),
        (
            "the first entry deleted",
            good[1..].to_vec(),
            "line 1: entry 1 was deleted",
        ),
        (
            "a line that is not JSON",
            {
                let mut l = good.clone();
                l[3] = "{\"seq\": 4".to_owned();
                l
            },
            "line 4: not a ledger entry",
        ),
        (
            "an entry rewritten with a fresh hash",
            {
                let mut l = good.clone();
                l[1] = rehash(&l[1].replacen("\"Tiny\"", "\"Tidy\"", 1));
                l
            },
            "line 3: entry 3 does not follow from the entry before it",
        ),
    ];
    for (what, tampered, expected) in cases {
        set_lines(&dir, &tampered);
        let (code, text) = verify(&dir);
        assert_eq!(code, 1, "{what}: {text}");
        assert!(
            text.contains(expected),
            "{what}: expected `{expected}` in:\n{text}"
        );
        // The ledger refuses new runs, before anything is written.
        fs::remove_file(dir.join("out.md")).ok();
        let args = eval_args("2026-07-09");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = attest_in(&dir, &refs);
        exit(&out, 2);
        assert!(
            !dir.join("out.md").exists(),
            "{what}: an output was written"
        );
        assert_eq!(lines(&dir), tampered, "{what}: the ledger changed");
    }
    // A torn last line.
    set_lines(&dir, &good);
    let text = fs::read_to_string(dir.join("ledger.jsonl")).unwrap();
    fs::write(dir.join("ledger.jsonl"), &text[..text.len() - 30]).unwrap();
    let (code, out) = verify(&dir);
    assert_eq!(code, 1);
    assert!(out.contains("line 5: the last line is incomplete"), "{out}");
    let repaired = attest_in(&dir, &["ledger", "repair", "ledger.jsonl"]);
    exit(&repaired, 0);
    assert!(stdout(&repaired).contains("removed the torn line 5"));
    assert_eq!(lines(&dir), good[..4].to_vec());
    // Removing the newest entries breaks no link: `--head` catches it.
    let head: Value = serde_json::from_str(&good[4]).unwrap();
    let out = attest_in(
        &dir,
        &[
            "ledger",
            "verify",
            "ledger.jsonl",
            "--head",
            head["hash"].as_str().unwrap(),
        ],
    );
    exit(&out, 1);
    assert!(stdout(&out).contains("no entry has the hash"));
    set_lines(&dir, &good);
    let out = attest_in(
        &dir,
        &[
            "ledger",
            "verify",
            "ledger.jsonl",
            "--head",
            head["hash"].as_str().unwrap(),
        ],
    );
    exit(&out, 0);
}

/// `head -c -1`: the last entry whole and hash-valid, only its newline gone. It is sound:
/// `verify` accepts it with a note, `repair` keeps it and adds the newline, and the next run
/// writes the newline before its own entry, so the file stays one entry per line.
#[test]
fn a_last_entry_without_its_newline_is_kept_and_the_next_run_adds_the_newline() {
    let dir = five_runs("no-newline");
    let path = dir.join("ledger.jsonl");
    let whole = fs::read(&path).unwrap();
    let cut = &whole[..whole.len() - 1];
    fs::write(&path, cut).unwrap();
    let (code, text) = verify(&dir);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("5 entries, chain intact"), "{text}");
    assert!(
        text.contains("line 5 has no newline at its end; its entry is complete"),
        "{text}"
    );
    let repaired = attest_in(&dir, &["ledger", "repair", "ledger.jsonl"]);
    exit(&repaired, 0);
    assert!(
        stdout(&repaired).contains("added the newline line 5 lacked"),
        "{}",
        stdout(&repaired)
    );
    assert_eq!(fs::read(&path).unwrap(), whole, "repair changed an entry");
    exit(&attest_in(&dir, &["ledger", "repair", "ledger.jsonl"]), 0);
    assert_eq!(fs::read(&path).unwrap(), whole);
    // Without repair, the next run writes the newline first.
    fs::write(&path, cut).unwrap();
    eval(&dir, "2026-07-06");
    let after = fs::read(&path).unwrap();
    assert!(after.starts_with(&whole), "the entries before changed");
    assert!(after.ends_with(b"\n"));
    let entries: Vec<Value> = lines(&dir)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries.len(), 6);
    assert_eq!(entries[5]["seq"], 6);
    assert_eq!(entries[5]["prev"], entries[4]["hash"]);
    let (code, text) = verify(&dir);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("no newline"), "{text}");
    // A last line cut inside its JSON is still torn, and repair removes it alone.
    fs::write(&path, &whole[..whole.len() - 2]).unwrap();
    let (code, text) = verify(&dir);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("line 5: the last line is incomplete"),
        "{text}"
    );
    let repaired = attest_in(&dir, &["ledger", "repair", "ledger.jsonl"]);
    exit(&repaired, 0);
    assert!(stdout(&repaired).contains("removed the torn line 5"));
    assert_eq!(lines(&dir), {
        let mut l: Vec<String> = String::from_utf8(whole.clone())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        l.truncate(4);
        l
    });
    // A whole JSON line without a newline is judged as an entry, not torn: edited, it is
    // refused, and repair does not remove it.
    let text = String::from_utf8(whole.clone()).unwrap();
    let start = text[..text.len() - 1].rfind('\n').unwrap() + 1;
    let edited = format!(
        "{}{}",
        &text[..start],
        text[start..text.len() - 1].replacen("\"Tiny\"", "\"Tidy\"", 1)
    );
    fs::write(&path, &edited).unwrap();
    let (code, out) = verify(&dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("line 5: entry 5 was edited"), "{out}");
    let refused = attest_in(&dir, &["ledger", "repair", "ledger.jsonl"]);
    exit(&refused, 2);
    assert_eq!(fs::read_to_string(&path).unwrap(), edited);
}

/// `printf '\n' >> ledger.jsonl`: an empty line after the last entry loses nothing, but the
/// file is no longer one entry per line. `verify` names it at its line, `eval` refuses to
/// append, naming the line and `attest ledger repair`, and `repair` removes it (and only it).
#[test]
fn empty_lines_after_the_last_entry_are_named_and_repair_removes_them() {
    let dir = five_runs("empty-line");
    let path = dir.join("ledger.jsonl");
    let whole = fs::read(&path).unwrap();
    for (extra, expected, repaired) in [
        (
            "\n",
            "line 6: an empty line after the last entry (no entry is lost); `attest ledger repair` removes it",
            "removed the empty line 6;",
        ),
        (
            "\n\n\n",
            "lines 6 to 8: 3 empty lines after the last entry (no entry is lost); `attest ledger repair` removes them",
            "removed the empty lines 6 to 8;",
        ),
    ] {
        let mut bytes = whole.clone();
        bytes.extend_from_slice(extra.as_bytes());
        fs::write(&path, &bytes).unwrap();
        let (code, text) = verify(&dir);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains(expected), "expected `{expected}` in:\n{text}");
        assert!(
            text.contains("the 5 entries before line 6 are sound"),
            "{text}"
        );
        // A run refuses it, naming the file, the line and the repair; nothing is written.
        fs::remove_file(dir.join("out.md")).ok();
        let args = eval_args("2026-07-09");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = attest_in(&dir, &refs);
        exit(&out, 2);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("ledger.jsonl: {expected}; nothing was appended")),
            "{err}"
        );
        assert!(!err.contains("the chain is broken"), "{err}");
        assert!(!dir.join("out.md").exists());
        assert_eq!(fs::read(&path).unwrap(), bytes);
        let out = attest_in(&dir, &["ledger", "repair", "ledger.jsonl"]);
        exit(&out, 0);
        assert!(stdout(&out).contains(repaired), "{}", stdout(&out));
        assert_eq!(fs::read(&path).unwrap(), whole);
        let (code, text) = verify(&dir);
        assert_eq!(code, 0, "{text}");
    }
    // An empty line between entries is no tail: refused, as any line that is not an entry.
    let mut l = lines(&dir);
    l.insert(2, String::new());
    set_lines(&dir, &l);
    let (code, text) = verify(&dir);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("line 3: not a ledger entry: the line is empty"),
        "{text}"
    );
    exit(&attest_in(&dir, &["ledger", "repair", "ledger.jsonl"]), 2);
    assert_eq!(lines(&dir), l);
}

#[test]
fn verify_counts_the_sound_entries_before_a_bad_line_in_words() {
    let dir = setup("sound-count");
    for day in 1..=3 {
        eval(&dir, &format!("2026-07-0{day}"));
    }
    let good = lines(&dir);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (good[1..].to_vec(), "no sound entry comes before line 1\n"),
        (
            {
                let mut l = good.clone();
                l.swap(1, 2);
                l
            },
            "the entry before line 2 is sound\n",
        ),
        (
            {
                let mut l = good.clone();
                l.remove(2);
                l.push(good[1].clone());
                l
            },
            "the 2 entries before line 3 are sound\n",
        ),
    ];
    for (tampered, expected) in cases {
        set_lines(&dir, &tampered);
        let (code, text) = verify(&dir);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains(expected), "expected `{expected}` in:\n{text}");
    }
}

/// Entries that parse as JSON and carry a fresh hash, but are no entry `attest` could use:
/// each is named at its line with its column or JSON Pointer and what was expected, by
/// `verify`, `log` and `history` (exit 1) and by a run (exit 2, nothing written), and none
/// makes `attest` panic (counts too large for a percentage once did, in `log`, `history` and
/// the HTML report's chart).
#[test]
fn an_entry_that_cannot_be_used_is_named_with_its_place_and_never_panics() {
    let dir = setup("unusable");
    for day in 1..=2 {
        eval(&dir, &format!("2026-07-0{day}"));
    }
    let good = lines(&dir);
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut entry: Value = serde_json::from_str(&good[1]).unwrap();
        edit(&mut entry);
        rehash(&entry.to_string())
    };
    let cases: Vec<(String, &str)> = vec![
        (
            edited(&|e| e["summary"]["controls"]["pass"] = u32::MAX.into()),
            "line 2: not a ledger entry: /summary/controls: 4294967",
        ),
        (
            edited(&|e| e["seq"] = "2".into()),
            "line 2: not a ledger entry: column ",
        ),
        (
            "[1]".to_owned(),
            "line 2: not a ledger entry: column 1: expected a JSON object (a ledger entry)",
        ),
        (
            edited(&|e| e["period"] = "garbage".into()),
            "line 2: not a ledger entry: /period: not an audit period",
        ),
    ];
    for (bad, expected) in cases {
        let tampered = vec![good[0].clone(), bad];
        set_lines(&dir, &tampered);
        for args in [
            &["ledger", "verify", "ledger.jsonl"][..],
            &["ledger", "log", "ledger.jsonl"],
            &["history", "ledger.jsonl"],
        ] {
            let out = attest_in(&dir, args);
            exit(&out, 1);
            let said = format!("{}{}", stdout(&out), stderr(&out));
            assert!(
                said.contains(expected),
                "{args:?}: expected `{expected}` in:\n{said}"
            );
        }
        fs::remove_file(dir.join("out.md")).ok();
        let mut args = eval_args("2026-07-09");
        args.extend(["--output", "html=out.html"].map(str::to_owned));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = attest_in(&dir, &refs);
        exit(&out, 2);
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert!(!dir.join("out.md").exists() && !dir.join("out.html").exists());
        assert_eq!(lines(&dir), tampered);
    }
    // A `seq` that is a string is placed: the column just after the value.
    set_lines(&dir, &[good[0].clone(), edited(&|e| e["seq"] = "2".into())]);
    let column = lines(&dir)[1].find("\"seq\":\"2\"").unwrap() + "\"seq\":\"2\"".len();
    let (_, text) = verify(&dir);
    assert!(
        text.contains(&format!(
            "line 2: not a ledger entry: column {column}: invalid type: string \"2\", expected u64"
        )),
        "{text}"
    );
}
/// A small deterministic generator (xorshift64*), seeded from the clock; the seed is
/// printed so a failure can be replayed with `ATTEST_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("ATTEST_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("crash trials: seed {seed} (ATTEST_CRASH_SEED to replay)");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// Kills `attest eval --ledger` with SIGKILL at random points of its run, 200 times (or
/// `ATTEST_CRASH_TRIALS`; `scripts/ledger-crash-trials` runs 1,000). After every kill the
/// ledger verifies, or its only problem is a torn last line, which `repair` removes; the
/// entries before it are never changed.
#[test]
fn writers_killed_at_random_points_lose_nothing_before_a_torn_last_line() {
    let trials: u64 = std::env::var("ATTEST_CRASH_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let dir = setup("crash");
    let args = eval_args("2026-07-01");
    // How long a whole run takes here: kills are spread over it and a little past it.
    let start = Instant::now();
    eval(&dir, "2026-07-01");
    let span = (start.elapsed().as_micros() as u64 * 5 / 4).max(1_000);
    let mut rng = Rng::new();
    let mut kept = fs::read(dir.join("ledger.jsonl")).unwrap();
    let (mut completed, mut killed, mut torn) = (0, 0, 0);
    for trial in 0..trials {
        let mut child = Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(&args)
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if status.code().is_some() {
            completed += 1;
        } else {
            killed += 1;
        }
        let bytes = fs::read(dir.join("ledger.jsonl")).unwrap();
        assert!(
            bytes.starts_with(&kept),
            "trial {trial}: entries before the last one changed"
        );
        let (code, text) = verify(&dir);
        if code != 0 {
            assert!(
                text.contains("the last line is incomplete") && text.lines().count() == 2,
                "trial {trial}: {text}"
            );
            torn += 1;
            exit(&attest_in(&dir, &["ledger", "repair", "ledger.jsonl"]), 0);
            let (code, text) = verify(&dir);
            assert_eq!(code, 0, "trial {trial}: after repair: {text}");
        }
        let now = fs::read(dir.join("ledger.jsonl")).unwrap();
        assert!(
            now.starts_with(&kept),
            "trial {trial}: repair removed a sound entry"
        );
        kept = now;
    }
    eprintln!(
        "crash trials: {trials} runs, {completed} finished, {killed} killed, {torn} torn lines repaired"
    );
    assert!(killed > 0, "no run was killed: the kills all came too late");
    let entries = kept.iter().filter(|b| **b == b'\n').count();
    assert!(
        entries > completed,
        "{entries} entries, {completed} finished runs"
    );
}

/// Eight `attest` processes appending to one ledger at once: every run is an entry, in one
/// unbroken chain.
#[test]
fn processes_appending_at_once_never_interleave() {
    let dir = setup("concurrent");
    let children: Vec<_> = (1..=8)
        .map(|day| {
            let mut args = eval_args(&format!("2026-07-{day:02}"));
            // Each writes its own outputs; they share the ledger.
            for a in &mut args {
                if a == "json=report.json" {
                    *a = format!("json=report-{day}.json");
                } else if a == "out.md" {
                    *a = format!("out-{day}.md");
                }
            }
            Command::new(env!("CARGO_BIN_EXE_attest"))
                .args(&args)
                .current_dir(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (code, text) = verify(&dir);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("8 entries, chain intact"), "{text}");
    let mut days: Vec<String> = lines(&dir)
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["as_of"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    days.sort();
    let expected: Vec<String> = (1..=8).map(|d| format!("2026-07-{d:02}")).collect();
    assert_eq!(days, expected);
}

#[test]
fn the_ledger_cannot_be_an_input_or_an_output() {
    let dir = setup("misuse");
    let out = attest_in(
        &dir,
        &[
            "eval",
            "facts.json",
            "--pack",
            "pack",
            "--ledger",
            "facts.json",
        ],
    );
    exit(&out, 2);
    assert_eq!(fs::read_to_string(dir.join("facts.json")).unwrap(), ORG);
    let out = attest_in(
        &dir,
        &[
            "eval",
            "facts.json",
            "--pack",
            "pack",
            "--ledger",
            "r.json",
            "--output",
            "json=r.json",
        ],
    );
    exit(&out, 2);
    assert!(common::stderr(&out).contains("the ledger cannot also be an output"));
    let out = attest_in(
        &dir,
        &[
            "eval",
            "facts.json",
            "--pack",
            "pack",
            "--ledger",
            "no/such/ledger.jsonl",
        ],
    );
    exit(&out, 2);
    assert!(common::stderr(&out).contains("does not exist"));
}

/// Runs `attest` in `dir` with files limited to `blocks` of 512 bytes (`ulimit -f`), so a
/// write past the limit fails with EFBIG, as on a full disk (`attest` catches SIGXFSZ): the
/// first write that crosses it is cut short, the next one fails.
fn attest_limited(dir: &Path, blocks: u64, args: &[String]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg("ulimit -f \"$1\"; shift; exec \"$@\"")
        .arg("sh")
        .arg(blocks.to_string())
        .arg(env!("CARGO_BIN_EXE_attest"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_run_whose_entry_cannot_be_appended_writes_no_output_and_leaves_the_ledger_as_it_was() {
    let dir = setup("append-fails");
    // Runs until the ledger is larger than the outputs, so a limit just past its end lets
    // every output be written in full but cuts the next entry short.
    let size = |name: &str| fs::metadata(dir.join(name)).unwrap().len();
    let mut day = 0;
    while day == 0 || size("ledger.jsonl") <= size("report.json").max(size("out.md")) + 512 {
        day += 1;
        assert!(day < 60, "the ledger should outgrow the outputs");
        eval(
            &dir,
            &format!("2026-{:02}-{:02}", 7 + day / 28, 1 + day % 28),
        );
    }
    let ledger = fs::read(dir.join("ledger.jsonl")).unwrap();
    let entry = lines(&dir).last().unwrap().len() as u64 + 1;
    let blocks = ledger.len() as u64 / 512 + 1;
    assert!(
        blocks * 512 < ledger.len() as u64 + entry,
        "the entry crosses the limit"
    );
    let (report, out) = (
        fs::read(dir.join("report.json")).unwrap(),
        fs::read(dir.join("out.md")).unwrap(),
    );
    let before = common::names(&dir);
    let mut args = eval_args("2026-12-31");
    args.extend(["--output", "csv=new.csv"].map(str::to_owned));
    let run = attest_limited(&dir, blocks, &args);
    exit(&run, 2);
    let err = stderr(&run);
    assert!(err.starts_with("error: ledger.jsonl: "), "{err}");
    assert!(err.contains("File too large"), "the cause: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // The ledger as it was: no torn line, and the outputs neither replaced nor created.
    let unchanged = |name: &str, bytes: &[u8]| fs::read(dir.join(name)).unwrap() == bytes;
    assert!(unchanged("ledger.jsonl", &ledger), "{:?}", verify(&dir));
    assert!(
        unchanged("report.json", &report),
        "report.json was replaced"
    );
    assert!(unchanged("out.md", &out), "out.md was replaced");
    assert_eq!(
        common::names(&dir),
        before,
        "no new file, no temporary file left"
    );
    // With room to write, the same run writes everything and records itself.
    exit(&attest_limited(&dir, blocks + 64, &args), 1);
    assert_eq!(lines(&dir).len(), day + 1);
    assert!(dir.join("new.csv").exists());
    assert!(!unchanged("report.json", &report));
}

#[cfg(target_os = "linux")]
#[test]
fn a_run_whose_outputs_cannot_be_written_after_its_entry_takes_the_entry_back_out() {
    let dir = five_runs("output-fails");
    let ledger = fs::read(dir.join("ledger.jsonl")).unwrap();
    let report = fs::read(dir.join("report.json")).unwrap();
    let before = common::names(&dir);
    // /dev/full is written in place, after the entry is appended: every write fails.
    let mut args = eval_args("2026-12-31");
    args.extend(["--output", "csv=/dev/full"].map(str::to_owned));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = attest_in(&dir, &refs);
    exit(&run, 2);
    let err = stderr(&run);
    assert!(err.starts_with("error: /dev/full: "), "{err}");
    assert!(
        fs::read(dir.join("ledger.jsonl")).unwrap() == ledger,
        "the entry was taken back out: {:?}",
        verify(&dir)
    );
    assert!(fs::read(dir.join("report.json")).unwrap() == report);
    assert_eq!(
        common::names(&dir),
        before,
        "no new file, no temporary file left"
    );
}

/// Standard output on a pipe whose reader is gone fails after the entry is appended, as a
/// full disk does: the entry is taken back out and no output file is put in place.
#[cfg(unix)]
#[test]
fn a_run_whose_stdout_pipe_is_closed_takes_the_entry_back_out() {
    let dir = five_runs("closed-pipe");
    let ledger = fs::read(dir.join("ledger.jsonl")).unwrap();
    let report = fs::read(dir.join("report.json")).unwrap();
    let before = common::names(&dir);
    // The Markdown report on standard output rather than out.md.
    let mut args = eval_args("2026-12-31");
    assert_eq!(args.split_off(args.len() - 2), ["--output", "out.md"]);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let run = Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(&args)
        .current_dir(&dir)
        .stdout(writer)
        .output()
        .unwrap();
    exit(&run, 2);
    let err = stderr(&run);
    assert!(
        err.starts_with("error: stdout: the pipe was closed"),
        "{err}"
    );
    assert!(
        fs::read(dir.join("ledger.jsonl")).unwrap() == ledger,
        "the entry was taken back out: {:?}",
        verify(&dir)
    );
    assert!(fs::read(dir.join("report.json")).unwrap() == report);
    assert_eq!(
        common::names(&dir),
        before,
        "no new file, no temporary file left"
    );
}
