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
        assert_eq!(
            rows[i]["resolved"],
            before.difference(&now).count(),
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
            && md.contains(")\n\n| # | run at | as of | ready | Security |"),
        "{md}"
    );
    assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 5);
    let csv = stdout(&attest_in(
        &dir,
        &["history", "ledger.jsonl", "--format", "csv"],
    ));
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with(
        "seq,run_at,as_of,organization,pack,ready,applicable,ready_percent,security_percent"
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
