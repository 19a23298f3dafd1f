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
    assert_eq!(rows[0]["new"], rows[0]["failing"]);
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
        md.starts_with("## Readiness over time\n\n| # | run at | as of | ready | Security |"),
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
