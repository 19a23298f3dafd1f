//! Readiness over time: `attest history` over a ledger (every format, each run's report
//! checked against its digest), and the HTML report's chart of the ledger's runs, rendered
//! by headless Chromium from the page without its script and read back from a screenshot.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest_in, exit, scratch, stdout};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A copy of the example organization, evaluated on these as-of dates with `--ledger`,
/// each run writing `report-N.json` and `report-N.html`.
fn runs(name: &str, dates: &[&str]) -> PathBuf {
    let dir = scratch(name);
    let src = common::repo().join("examples/acme");
    fs::create_dir_all(dir.join("acme")).unwrap();
    for f in fs::read_dir(&src).unwrap() {
        let f = f.unwrap().path();
        fs::copy(&f, dir.join("acme").join(f.file_name().unwrap())).unwrap();
    }
    for (i, date) in dates.iter().enumerate() {
        let n = i + 1;
        let out = attest_in(
            &dir,
            &[
                "eval",
                "acme",
                "--as-of",
                date,
                "--ledger",
                "ledger.jsonl",
                "--format",
                "json",
                "--output",
                &format!("report-{n}.json"),
                "--output",
                &format!("html=report-{n}.html"),
            ],
        );
        exit(&out, 1);
    }
    dir
}

const DATES: [&str; 4] = ["2026-06-30", "2026-08-31", "2026-09-30", "2027-01-31"];

fn reports(dir: &Path) -> Vec<Value> {
    (1..=DATES.len())
        .map(|n| {
            serde_json::from_str(&fs::read_to_string(dir.join(format!("report-{n}.json"))).unwrap())
                .unwrap()
        })
        .collect()
}

fn readiness(report: &Value) -> u64 {
    let c = &report["summary"]["controls"];
    let n = |k: &str| c[k].as_u64().unwrap();
    let applicable = n("pass") + n("warn") + n("fail") + n("error") + n("waived");
    ((n("pass") + n("warn")) * 100 + applicable / 2) / applicable
}

#[test]
fn history_in_every_format() {
    let dir = runs("formats", &DATES);
    let reports = reports(&dir);
    let json: Value = serde_json::from_str(&stdout(&attest_in(
        &dir,
        &["history", "ledger.jsonl", "--format", "json"],
    )))
    .unwrap();
    let rows = json["runs"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for (row, report) in rows.iter().zip(&reports) {
        assert_eq!(row["as_of"], report["evaluated_on"]);
        assert_eq!(row["readiness"]["percent"], readiness(report));
        assert_eq!(row["report"], "ok");
        let sec = &report["summary"]["by_category"]["security"];
        assert_eq!(
            row["categories"]["security"]["applicable"]
                .as_u64()
                .unwrap(),
            ["pass", "warn", "fail", "error", "waived"]
                .iter()
                .map(|k| sec[k].as_u64().unwrap())
                .sum::<u64>()
        );
        assert_eq!(row["categories"]["privacy"], Value::Null, "out of scope");
    }
    // New and resolved failures, against the run before.
    let failing = |r: &Value| -> std::collections::BTreeSet<String> {
        r["rules"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|rule| {
                let id = rule["id"].as_str().unwrap().to_owned();
                let error = (rule["status"] == "error").then(|| format!("{id}|error"));
                rule["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["status"] == "fail" && f.get("waiver").is_none())
                    .map(move |f| format!("{id}|{}", f["key"]))
                    .chain(error)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    for i in 1..4 {
        let (before, now) = (failing(&reports[i - 1]), failing(&reports[i]));
        assert_eq!(rows[i]["failing"], now.len());
        assert_eq!(
            rows[i]["new"],
            now.difference(&before).count(),
            "run {}",
            i + 1
        );
        // Those gone: resolved, or no longer judged (as `attest diff` tells them apart; see
        // history_counts_resolved_and_no_longer_judged_failures_as_diff_does).
        let gone = before.difference(&now).count();
        assert_eq!(rows[i]["no_longer_failing"], gone, "run {}", i + 1);
        assert_eq!(
            rows[i]["resolved"].as_u64().unwrap() + rows[i]["unjudged"].as_u64().unwrap(),
            gone as u64,
            "run {}",
            i + 1
        );
    }
    assert_eq!(
        rows[0]["new"],
        Value::Null,
        "a first run has nothing to compare with"
    );
    assert_eq!(rows[0]["resolved"], Value::Null);
    // A report edited after the run, or removed, is flagged.
    fs::write(dir.join("report-2.json"), "{}").unwrap();
    fs::remove_file(dir.join("report-3.json")).unwrap();
    let text = stdout(&attest_in(&dir, &["history", "ledger.jsonl"]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("Acme Analytics, Inc. (soc2 "),
        "{text}"
    );
    assert!(
        lines[1].starts_with("#  run at") && lines[1].contains("Security"),
        "{text}"
    );
    assert!(
        lines[3].ends_with("changed") && lines[4].ends_with("missing") && lines[5].ends_with("ok"),
        "{text}"
    );
    assert!(
        lines[2].contains(&format!("{}% (", readiness(&reports[0]))),
        "{text}"
    );
    let md = stdout(&attest_in(
        &dir,
        &["history", "ledger.jsonl", "--format", "markdown"],
    ));
    assert!(
        md.starts_with("## Readiness over time\n\n### Acme Analytics, Inc. (soc2 ")
            && md.contains(")\n\n| # | run at | as of | period | ready | Security |"),
        "{md}"
    );
    assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 5);
    let csv = stdout(&attest_in(
        &dir,
        &["history", "ledger.jsonl", "--format", "csv"],
    ));
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with(
        "seq,run_at,as_of,period,organization,pack,ready,applicable,ready_percent,security_percent"
    ));
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("1,")
            && first.contains(",\"Acme Analytics, Inc.\",soc2 ")
            && first.ends_with(",ok"),
        "{first}"
    );
    // An output that cannot be written is named once.
    let out = attest_in(
        &dir,
        &[
            "history",
            "ledger.jsonl",
            "--output",
            "no/such/folder/h.csv",
        ],
    );
    exit(&out, 2);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: no/such/folder/h.csv: "), "{err}");
    assert_eq!(err.matches("h.csv").count(), 1, "{err}");
    // A broken chain: the runs before it, and exit 1.
    let ledger = fs::read_to_string(dir.join("ledger.jsonl")).unwrap();
    let edited = ledger.replacen("2026-09-30", "2026-09-29", 1);
    fs::write(dir.join("ledger.jsonl"), edited).unwrap();
    let out = attest_in(&dir, &["history", "ledger.jsonl", "--format", "json"]);
    exit(&out, 1);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["runs"].as_array().unwrap().len(), 2);
    assert!(
        json["problem"]
            .as_str()
            .unwrap()
            .starts_with("line 3: entry 3 was edited")
    );
}

/// Pixel clusters of the chart's point colour (#bc4c00) in a screenshot: (x, y, pixels).
fn point_clusters(png_path: &Path) -> Vec<(f64, f64, usize)> {
    let decoder = png::Decoder::new(fs::File::open(png_path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.line_size / w;
    let hit = |x: usize, y: usize| {
        let p = &buf[y * info.line_size + x * channels..];
        (i32::from(p[0]) - 0xbc).abs() < 12
            && (i32::from(p[1]) - 0x4c).abs() < 12
            && i32::from(p[2]) < 12
    };
    let mut seen = vec![false; w * h];
    let mut clusters = Vec::new();
    for y in 0..h {
        for x in 0..w {
            if seen[y * w + x] || !hit(x, y) {
                continue;
            }
            let (mut sx, mut sy, mut n) = (0.0, 0.0, 0);
            let mut stack = vec![(x, y)];
            seen[y * w + x] = true;
            while let Some((cx, cy)) = stack.pop() {
                sx += cx as f64;
                sy += cy as f64;
                n += 1;
                for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                    let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    let (nx, ny) = (nx as usize, ny as usize);
                    if !seen[ny * w + nx] && hit(nx, ny) {
                        seen[ny * w + nx] = true;
                        stack.push((nx, ny));
                    }
                }
            }
            if n >= 10 {
                clusters.push((sx / n as f64, sy / n as f64, n));
            }
        }
    }
    clusters.sort_by(|a, b| a.0.total_cmp(&b.0));
    clusters
}

#[test]
fn the_html_report_charts_the_ledger_in_headless_chromium_without_its_script() {
    let dir = runs("chart", &DATES);
    let reports = reports(&dir);
    let html = fs::read_to_string(dir.join("report-4.html")).unwrap();
    // The last run's page charts the three runs before it and itself; the first only itself.
    assert_eq!(html.matches("<circle class=\"rc-point\"").count(), 4);
    assert_eq!(
        fs::read_to_string(dir.join("report-1.html"))
            .unwrap()
            .matches("<circle")
            .count(),
        1
    );
    let percents: Vec<u64> = reports.iter().map(readiness).collect();
    for (p, date) in percents.iter().zip(DATES) {
        assert!(
            html.contains(&format!("data-percent=\"{p}\" data-as-of=\"{date}\"")),
            "{date}"
        );
    }
    assert!(
        percents.windows(2).any(|w| w[0] != w[1]),
        "readiness should move: {percents:?}"
    );
    // The page without its script: the chart must show all the same.
    let start = html.find("<script>").unwrap();
    let end = html.find("</script>").unwrap() + "</script>".len();
    let page = dir.join("no-script.html");
    fs::write(&page, format!("{}{}", &html[..start], &html[end..])).unwrap();
    assert!(!fs::read_to_string(&page).unwrap().contains("<script"));
    let shot = dir.join("chart.png");
    let profile = dir.join("profile");
    let status = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1280,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| {
            panic!("chromium: {e}: install it (`apt-get install -y chromium`; scripts/test does)")
        });
    assert!(status.success());
    let clusters = point_clusters(&shot);
    assert_eq!(
        clusters.len(),
        4,
        "points seen in the screenshot: {clusters:?}"
    );
    // Left to right in run order, higher on the page for more readiness.
    for i in 0..4 {
        for j in 0..4 {
            if percents[i] > percents[j] {
                assert!(
                    clusters[i].1 < clusters[j].1 - 1.0,
                    "{percents:?} {clusters:?}"
                );
            }
        }
    }
    let gaps: Vec<f64> = clusters.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(
        gaps.iter().all(|g| (g - gaps[0]).abs() < 2.0 && *g > 100.0),
        "{gaps:?}"
    );
}

#[test]
fn history_never_writes_onto_its_trail_and_shows_names_on_one_line() {
    let dir = runs("history-trail", &DATES[..1]);
    let ledger = fs::read(dir.join("ledger.jsonl")).unwrap();
    let report = fs::read(dir.join("report-1.json")).unwrap();
    for target in ["ledger.jsonl", "report-1.json"] {
        let out = attest_in(&dir, &["history", "ledger.jsonl", "--output", target]);
        exit(&out, 2);
        assert!(
            common::stderr(&out).contains("refusing to write there"),
            "{}",
            common::stderr(&out)
        );
    }
    assert_eq!(fs::read(dir.join("ledger.jsonl")).unwrap(), ledger);
    assert_eq!(fs::read(dir.join("report-1.json")).unwrap(), report);
    // A name with an escape sequence and a line break, which would forge a line of the
    // ledger's log or of the history, is shown escaped on its own line.
    let org = dir.join("acme/org.json");
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(&org).unwrap()).unwrap();
    doc["organization"]["name"] = Value::from("Evil\u{1b}[31m\n   2  forged");
    fs::write(&org, doc.to_string()).unwrap();
    exit(
        &attest_in(&dir, &["eval", "acme", "--ledger", "ledger.jsonl"]),
        1,
    );
    for args in [
        vec!["ledger", "log", "ledger.jsonl"],
        vec!["history", "ledger.jsonl"],
        vec!["vendors", "acme"],
    ] {
        let out = stdout(&attest_in(&dir, &args));
        assert!(
            out.contains("Evil\\u{1b}[31m\\n   2  forged"),
            "{args:?}: {out}"
        );
        assert!(!out.contains('\u{1b}'), "{args:?}: {out}");
    }
}

/// The ledger is input: an entry's `run_at` and `as_of` are shown as written, with a fresh
/// hash or not, yet never reach the terminal as an escape sequence nor a Markdown page as
/// markup (they once did, where names were escaped).
#[test]
fn history_shows_an_entry_s_times_escaped_in_text_and_markdown() {
    let dir = runs("history-times", &DATES[..1]);
    let line = fs::read_to_string(dir.join("ledger.jsonl")).unwrap();
    let mut entry: Value = serde_json::from_str(line.trim_end()).unwrap();
    entry["run_at"] = Value::from("\u{1b}]0;owned\u{7}<img src=x>");
    entry["as_of"] = Value::from("x|y\u{1b}[31m");
    let forged = format!("{}\n", common::rehash(&entry.to_string()));
    fs::write(dir.join("ledger.jsonl"), forged).unwrap();
    let text = stdout(&attest_in(&dir, &["history", "ledger.jsonl"]));
    assert!(
        text.contains("\\u{1b}]0;owned\\u{7}<img src=x>  x|y\\u{1b}[31m  "),
        "{text}"
    );
    let out = attest_in(&dir, &["history", "ledger.jsonl", "--format", "markdown"]);
    exit(&out, 0);
    let markdown = stdout(&out);
    assert!(
        markdown.contains("| \\u{1b}\\]0;owned\\u{7}&lt;img src=x&gt; | x\\|y\\u{1b}\\[31m | "),
        "{markdown}"
    );
    for shown in [text, markdown] {
        assert!(!shown.contains(['\u{1b}', '\u{7}']), "{shown}");
    }
}
/// Facts of an organization whose accounts have MFA or not, by username.
fn org(name: &str, accounts: &[(&str, bool)]) -> String {
    let accounts: Vec<Value> = accounts
        .iter()
        .map(|(user, mfa)| {
            serde_json::json!({"system_id": "aws", "username": user, "kind": "human",
                "status": "active", "privileged": false, "mfa": mfa})
        })
        .collect();
    serde_json::json!({
        "schema_version": "1",
        "organization": {"name": name, "as_of": "2026-06-30"},
        "accounts": accounts,
    })
    .to_string()
}

/// Every `run_at` timestamp (`2026-12-07T09:52:07Z`) of `text` as `YYYY-MM-DDTHH:MM:SSZ`,
/// the same width, so tables keep their alignment.
fn without_clock(text: &str) -> String {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let here = bytes.get(i..i + shape.len()).is_some_and(|w| {
            w.iter().zip(shape).all(|(b, s)| {
                if *s == b'd' {
                    b.is_ascii_digit()
                } else {
                    b == s
                }
            })
        });
        if here {
            out.push_str("YYYY-MM-DDTHH:MM:SSZ");
            i += shape.len();
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// A ledger of two organizations' runs, interleaved: Alpha, Beta, Alpha (one account fixed,
/// one more failing), Beta (nothing changed).
fn two_organizations() -> PathBuf {
    let dir = scratch("two-organizations");
    attest_tests::write_tiny_pack(
        &dir,
        &[(
            "mfa",
            "CC6.1",
            "for a in facts.accounts { tested(a); if a.mfa != true { fail(a, `${a.username} has no MFA`); } }\n",
        )],
    );
    let alpha = org("Alpha", &[("ann", false), ("bob", false), ("cy", true)]);
    let alpha_later = org("Alpha", &[("ann", true), ("bob", false), ("cy", false)]);
    let beta = org("Beta", &[("dee", false)]);
    for (n, (facts, as_of)) in [
        (&alpha, "2026-07-01"),
        (&beta, "2026-07-01"),
        (&alpha_later, "2026-07-02"),
        (&beta, "2026-07-02"),
    ]
    .into_iter()
    .enumerate()
    {
        common::write(&dir, "facts.json", facts);
        let out = attest_in(
            &dir,
            &[
                "eval",
                "facts.json",
                "--pack",
                "pack",
                "--as-of",
                as_of,
                "--ledger",
                "ledger.jsonl",
                "--output",
                &format!("json=report-{}.json", n + 1),
            ],
        );
        exit(&out, 1);
    }
    dir
}

#[test]
fn history_gives_each_organization_its_own_section_and_no_new_failures_to_a_first_run() {
    let dir = two_organizations();
    let history = |format: &str| {
        without_clock(&stdout(&attest_in(
            &dir,
            &["history", "ledger.jsonl", "--format", format],
        )))
    };
    let (text, markdown, csv) = (history("text"), history("markdown"), history("csv"));
    // One section per organization, in the order they first ran, each with its runs.
    let sections = |text: &str, heading: fn(&str) -> Option<&str>| {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for line in text.lines() {
            let first = line
                .trim_start_matches("| ")
                .split(' ')
                .next()
                .unwrap_or("");
            if first.parse::<u64>().is_ok() {
                if let Some((_, rows)) = out.last_mut() {
                    rows.push(first.to_owned());
                }
            } else if let Some(name) = heading(line) {
                out.push((name.to_owned(), Vec::new()));
            }
        }
        out
    };
    let text_heading: fn(&str) -> Option<&str> =
        |l| (!l.is_empty() && !l.starts_with(['#', ' '])).then_some(l);
    let expected = vec![
        (
            "Alpha (tiny 0.1.0)".to_owned(),
            vec!["1".to_owned(), "3".to_owned()],
        ),
        (
            "Beta (tiny 0.1.0)".to_owned(),
            vec!["2".to_owned(), "4".to_owned()],
        ),
    ];
    assert_eq!(sections(&text, text_heading), expected, "{text}");
    assert_eq!(
        sections(&markdown, |l| l.strip_prefix("### ")),
        expected,
        "{markdown}"
    );
    // A first run has no previous run: none of its failures is new.
    let json_text = history("json");
    let json: Value = serde_json::from_str(&json_text).unwrap();
    let runs = json["runs"].as_array().unwrap();
    let new: Vec<&Value> = runs.iter().map(|r| &r["new"]).collect();
    assert_eq!(
        new,
        [&Value::Null, &Value::Null, &Value::from(1), &Value::from(0)]
    );
    let resolved: Vec<&Value> = runs.iter().map(|r| &r["resolved"]).collect();
    assert_eq!(
        resolved,
        [&Value::Null, &Value::Null, &Value::from(1), &Value::from(0)]
    );
    insta::assert_snapshot!("history_two_organizations_text", text);
    insta::assert_snapshot!("history_two_organizations_markdown", markdown);
    insta::assert_snapshot!("history_two_organizations_csv", csv);
    insta::assert_snapshot!("history_two_organizations_json", json_text);
}

/// Facts of a small organization in scope `security`, with the audit period
/// 2026-01-01..2026-06-30: P0 active and L1 terminated on 2026-03-01, each with an active
/// account on system s1 (L1's fails `access.leaver-accounts`). Without `with_leaver_account`,
/// L1's account is gone from the facts.
fn leaver_facts(with_leaver_account: bool) -> String {
    let account = |person: &str, user: &str| {
        // Created long before the period: not a grant `access.grant-approval` judges.
        serde_json::json!({"system_id": "s1", "person_id": person, "username": user,
            "kind": "human", "privileged": false, "mfa": true, "status": "active",
            "created_on": "2020-01-02"})
    };
    let mut accounts = vec![account("P0", "pat")];
    if with_leaver_account {
        accounts.push(account("L1", "lee"));
    }
    serde_json::json!({
        "schema_version": "1",
        "organization": {
            "name": "Tiny", "as_of": "2026-06-30", "scope": ["security"],
            "audit_period": {"start": "2026-01-01", "end": "2026-06-30"}
        },
        "people": [
            {"id": "P0", "name": "Pat Active", "kind": "employee",
                "employment": {"status": "active", "start_date": "2020-01-01"}},
            {"id": "L1", "name": "Lee Leaver", "kind": "employee",
                "employment": {"status": "terminated", "start_date": "2020-01-01", "end_date": "2026-03-01"}}
        ],
        "systems": [{"id": "s1", "name": "System one", "criticality": "high"}],
        "accounts": accounts,
    })
    .to_string()
}

/// `attest eval` of each facts file in turn, with `extra` flags, recording each run in
/// `ledger`; with `reports`, each run also writes `<ledger>-N.json`, explained (its rules'
/// populations listed, which `attest diff` needs to tell a record gone from one fixed).
fn record(dir: &Path, ledger: &str, facts: &[&str], extra: &[&str], reports: bool) {
    for (i, facts) in facts.iter().enumerate() {
        let report = format!("json={ledger}-{}.json", i + 1);
        let mut args = vec!["eval", facts, "--ledger", ledger];
        if reports {
            args.extend(["--explain", "--output", &report]);
        }
        args.extend(extra);
        let out = attest_in(dir, &args);
        exit(&out, 1);
    }
}

/// `attest history LEDGER --format json`'s runs.
fn history_runs(dir: &Path, ledger: &str) -> Vec<Value> {
    let json: Value = serde_json::from_str(&stdout(&attest_in(
        dir,
        &["history", ledger, "--format", "json"],
    )))
    .unwrap();
    json["runs"].as_array().unwrap().clone()
}

/// Each run's counts of new, resolved and no longer judged failures, as `attest history`
/// gives them, against what `attest diff` says of its report and the one before.
fn assert_history_counts_as_diff_does(dir: &Path, ledger: &str) -> Vec<(usize, usize, usize)> {
    let runs = history_runs(dir, ledger);
    let mut counts = Vec::new();
    for (i, run) in runs.iter().enumerate().skip(1) {
        let (base, new) = (
            format!("{ledger}-{i}.json"),
            format!("{ledger}-{}.json", i + 1),
        );
        let diff: Value = serde_json::from_str(&stdout(&attest_in(
            dir,
            &["diff", &base, &new, "--format", "json"],
        )))
        .unwrap();
        let n = |member: &str| diff[member].as_array().unwrap().len();
        let expected = (n("new_failures"), n("resolved"), n("unjudged"));
        let got = |member: &str| run[member].as_u64().unwrap() as usize;
        assert_eq!(
            (got("new"), got("resolved"), got("unjudged")),
            expected,
            "run {}: {run:#}\ndiff: {diff:#}",
            i + 1
        );
        assert_eq!(got("no_longer_failing"), expected.1 + expected.2);
        assert_eq!(run["compared_with"], i as u64);
        counts.push(expected);
    }
    counts
}

#[test]
fn history_counts_resolved_and_no_longer_judged_failures_as_diff_does() {
    let dir = scratch("as-diff");
    common::write(&dir, "f1.json", &leaver_facts(true));
    common::write(&dir, "f2.json", &leaver_facts(false));
    // L1's account gone from the facts: `access.leaver-accounts`, which tests people, judged
    // L1 and found nothing (resolved); `access.inactive-accounts`, which tests accounts, did
    // not test the account (no longer judged).
    record(&dir, "soc2.jsonl", &["f1.json", "f2.json"], &[], true);
    assert_eq!(
        assert_history_counts_as_diff_does(&dir, "soc2.jsonl"),
        [(0, 1, 1)]
    );
    // The runs record what they no longer judged without `--explain` too: the ledger's
    // entries are worked out with every rule's population.
    record(&dir, "plain.jsonl", &["f1.json", "f2.json"], &[], false);
    let (explained, plain) = (
        history_runs(&dir, "soc2.jsonl"),
        history_runs(&dir, "plain.jsonl"),
    );
    for member in ["new", "resolved", "unjudged", "no_longer_failing"] {
        assert_eq!(plain[1][member], explained[1][member], "{member}");
    }
    let entry: Value = serde_json::from_str(
        fs::read_to_string(dir.join("plain.jsonl"))
            .unwrap()
            .lines()
            .nth(1)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        entry["unjudged"],
        serde_json::json!([{"rule": "access.inactive-accounts", "key": "accounts/s1/lee",
            "why": "the rule did not test its record: it is gone from the facts, or the rule no longer selects it"}])
    );
    // A rule with nothing left to test does not apply: its failures are no longer judged.
    let tiny = scratch("as-diff-tiny");
    attest_tests::write_tiny_pack(
        &tiny,
        &[(
            "mfa",
            "CC6.1",
            "for a in facts.accounts { tested(a); if a.mfa != true { fail(a, `${a.username} has no MFA`); } }\n",
        )],
    );
    common::write(
        &tiny,
        "f1.json",
        &org("Alpha", &[("ann", false), ("bob", true)]),
    );
    common::write(
        &tiny,
        "f2.json",
        &org("Alpha", &[("ann", true), ("bob", false)]),
    );
    common::write(&tiny, "f3.json", &org("Alpha", &[]));
    record(
        &tiny,
        "tiny.jsonl",
        &["f1.json", "f2.json", "f3.json"],
        &["--pack", "pack"],
        true,
    );
    assert_eq!(
        assert_history_counts_as_diff_does(&tiny, "tiny.jsonl"),
        [(1, 1, 0), (1, 0, 1)]
    );
    // Every format has the count.
    let csv = stdout(&attest_in(
        &dir,
        &["history", "soc2.jsonl", "--format", "csv"],
    ));
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let column = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
    assert_eq!(
        (rows[2][column("resolved")], rows[2][column("unjudged")]),
        ("1", "1"),
        "{csv}"
    );
    for format in ["text", "markdown"] {
        let table = stdout(&attest_in(
            &dir,
            &["history", "soc2.jsonl", "--format", format],
        ));
        let header = table.lines().find(|l| l.contains("resolved")).unwrap();
        assert!(
            header.contains("resolved  no longer judged")
                || header.contains("| resolved | no longer judged |"),
            "{table}"
        );
    }
}

#[test]
fn history_shows_each_run_s_period_and_says_when_it_changed_as_diff_does() {
    let dir = scratch("period");
    common::write(&dir, "f1.json", &leaver_facts(true));
    let runs: [&[&str]; 4] = [
        &[],
        &["--period", "2026-04-01..2026-06-30"],
        &["--period", "2026-04-01..2026-06-30"],
        &[
            "--period",
            "2026-04-01..2026-06-30",
            "--param",
            "deprovision_grace_days=5",
        ],
    ];
    for (i, extra) in runs.iter().enumerate() {
        let report = format!("json=r{}.json", i + 1);
        let mut args = vec![
            "eval",
            "f1.json",
            "--ledger",
            "ledger.jsonl",
            "--output",
            &report,
        ];
        args.extend(*extra);
        exit(&attest_in(&dir, &args), 1);
    }
    // The note `attest diff` gives the same two reports, word for word.
    let diff_note = |base: &str, new: &str| -> Value {
        let text = stdout(&attest_in(&dir, &["diff", base, new]));
        text.lines()
            .find_map(|l| l.strip_prefix("note: "))
            .filter(|n| !n.starts_with("the new report does not list"))
            .map_or(Value::Null, Value::from)
    };
    let json = history_runs(&dir, "ledger.jsonl");
    let periods: Vec<&Value> = json.iter().map(|r| &r["period"]).collect();
    let (whole, q2) = (
        serde_json::json!({"start": "2026-01-01", "end": "2026-06-30"}),
        serde_json::json!({"start": "2026-04-01", "end": "2026-06-30"}),
    );
    assert_eq!(periods, [&whole, &q2, &q2, &q2]);
    assert_eq!(json[0]["context_change"], Value::Null, "a first run");
    for n in 2..=4 {
        assert_eq!(
            json[n - 1]["context_change"],
            diff_note(&format!("r{}.json", n - 1), &format!("r{n}.json")),
            "run {n}"
        );
    }
    assert!(
        json[1]["context_change"].as_str().unwrap().starts_with(
            "the audit period changed, 2026-01-01 to 2026-06-30 → 2026-04-01 to 2026-06-30"
        ),
        "{:#}",
        json[1]
    );
    assert_eq!(json[2]["context_change"], Value::Null, "the same period");
    assert!(
        json[3]["context_change"]
            .as_str()
            .unwrap()
            .starts_with("the parameters set for the run changed (deprovision_grace_days"),
        "{:#}",
        json[3]
    );
    // The tables show the period and mark the runs whose comparison has a note.
    let history = |format: &str| {
        without_clock(&stdout(&attest_in(
            &dir,
            &["history", "ledger.jsonl", "--format", format],
        )))
    };
    let text = history("text");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(char::is_numeric))
        .collect();
    assert!(
        rows[0].starts_with("1 ") && rows[0].contains("  2026-01-01..2026-06-30  "),
        "{text}"
    );
    assert!(
        rows[1].starts_with("2* ") && rows[1].contains("  2026-04-01..2026-06-30  "),
        "{text}"
    );
    assert!(
        rows[2].starts_with("3 ") && rows[3].starts_with("4* "),
        "{text}"
    );
    assert!(
        text.contains("\n* run 2: the audit period changed, 2026-01-01 to 2026-06-30 → 2026-04-01 to 2026-06-30: findings may come and go with the days judged\n"),
        "{text}"
    );
    let (markdown, csv) = (history("markdown"), history("csv"));
    assert!(
        markdown.contains("| 2* | YYYY-MM-DDTHH:MM:SSZ | 2026-06-30 | 2026-04-01..2026-06-30 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("\n- \\* run 2: the audit period changed"),
        "{markdown}"
    );
    assert!(
        csv.lines()
            .nth(2)
            .unwrap()
            .contains(",2026-04-01..2026-06-30,Tiny,"),
        "{csv}"
    );
    assert!(
        csv.contains(",\"the audit period changed, 2026-01-01 to 2026-06-30"),
        "{csv}"
    );
    insta::assert_snapshot!("history_period_text", text);
    insta::assert_snapshot!("history_period_markdown", markdown);
    insta::assert_snapshot!("history_period_csv", csv);
}

#[test]
fn entries_that_do_not_say_what_their_run_no_longer_judged_count_nothing_as_resolved() {
    let dir = scratch("unrecorded");
    common::write(&dir, "f1.json", &leaver_facts(true));
    common::write(&dir, "f2.json", &leaver_facts(false));
    record(&dir, "ledger.jsonl", &["f1.json", "f2.json"], &[], false);
    // The second entry as an earlier attest wrote it: without `unjudged`, its hash its own.
    let ledger = fs::read_to_string(dir.join("ledger.jsonl")).unwrap();
    let mut lines: Vec<String> = ledger.lines().map(str::to_owned).collect();
    let mut entry: Value = serde_json::from_str(&lines[1]).unwrap();
    assert!(entry.as_object_mut().unwrap().remove("unjudged").is_some());
    lines[1] = common::rehash(&entry.to_string());
    fs::write(dir.join("ledger.jsonl"), lines.join("\n") + "\n").unwrap();
    exit(&attest_in(&dir, &["ledger", "verify", "ledger.jsonl"]), 0);
    // A later run appends to it, and is compared as ever.
    record(&dir, "ledger.jsonl", &["f1.json"], &[], false);
    let runs = history_runs(&dir, "ledger.jsonl");
    let counts = |run: &Value| {
        [
            "compared_with",
            "new",
            "resolved",
            "unjudged",
            "no_longer_failing",
        ]
        .map(|m| run[m].clone())
    };
    assert_eq!(
        counts(&runs[1]),
        [1, 0]
            .map(Value::from)
            .into_iter()
            .chain([Value::Null, Value::Null, Value::from(2)])
            .collect::<Vec<_>>()[..]
    );
    assert_eq!(counts(&runs[2]), [2, 2, 0, 0, 0].map(Value::from));
    let text = stdout(&attest_in(&dir, &["history", "ledger.jsonl"]));
    let row = text.lines().find(|l| l.starts_with("2*")).unwrap();
    assert!(row.contains("  0          ?         ?  "), "{text}");
    assert!(
        text.contains("\n* run 2: of the failures of run 1, 2 are no longer failing, but the run's entry does not say which of them it judged"),
        "{text}"
    );
}
