//! `attest` as a CI step: several formats in one run, the gate's exit codes, waivers and
//! baselines from the command line, `attest diff`, and bad input (exit 2, nothing written).

// Helpers unwrap and panic like the tests they serve: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{attest, attest_in, code, names, repo, scratch, stderr, stdout, write};
use std::fs;
use std::path::Path;

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

/// The example organization's report written to `dir/base.json` (it fails: exit 1), as a
/// baseline; returns its path.
fn acme_baseline(dir: &Path) -> String {
    let base = path(dir, "base.json");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--format",
        "json",
        "--output",
        &base,
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    base
}

#[test]
fn several_formats_in_one_run() {
    let dir = scratch("formats");
    let (sarif, junit, html) = (
        path(&dir, "a.sarif"),
        path(&dir, "a.xml"),
        path(&dir, "a.html"),
    );
    let o = attest(&[
        "eval",
        "examples/acme",
        "--format",
        "markdown",
        "--output",
        &format!("sarif={sarif}"),
        "--output",
        &format!("junit={junit}"),
        "--output",
        &format!("html={html}"),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("## Attest: SOC 2 readiness of Acme Analytics, Inc."));
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&sarif).unwrap()).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo().join("tests/fixtures/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(fs::read_to_string(&junit).unwrap().starts_with("<?xml"));
    assert!(
        fs::read_to_string(&html)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    // The plain --output FILE still takes the --format output.
    let csv = path(&dir, "a.csv");
    let o = attest(&["eval", "examples/acme", "--format", "csv", "--output", &csv]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).is_empty());
    assert!(
        fs::read_to_string(&csv)
            .unwrap()
            .starts_with("controls,rule,")
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn the_gate_sets_the_exit_code() {
    let run = |extra: &[&str]| {
        let mut args = vec!["eval", "examples/acme", "--format", "json", "--output", "-"];
        args.extend(extra);
        let o = attest(&args);
        (code(&o), stderr(&o))
    };
    let (c, err) = run(&[]);
    assert_eq!(c, 1, "failing controls fail by default");
    assert!(!err.contains("gate:"), "no gate flag, no verdict: {err}");
    // The default given explicitly is a gate flag: the verdict says why the run failed.
    let (c, err) = run(&["--fail-on", "fail"]);
    assert_eq!(c, 1);
    assert!(
        err.starts_with("gate: fail on fail: failed by ") && err.lines().count() == 1,
        "{err}"
    );
    let (c, err) = run(&["--fail-on", "error"]);
    assert_eq!((c, err.as_str()), (0, "gate: fail on error: passed\n"));
    assert_eq!(run(&["--fail-on", "warn"]).0, 1);
    let (c, err) = run(&["--min-severity", "critical"]);
    assert_eq!(c, 1);
    assert_eq!(
        err,
        "gate: fail on fail, min severity critical: failed by access.leaver-accounts (fail)\n"
    );
    // Waiving the critical failures opens the gate; naming one by JSON Pointer works, with
    // advice to name it by its key.
    let dir = scratch("gate");
    let waivers = path(&dir, "w.json");
    fs::write(
        &waivers,
        r#"{"schema_version": "1", "waivers": [{"rule": "access.leaver-accounts", "entity": "/accounts/26",
            "reason": "offboarding ticket IT-42", "approved_by": "CISO", "approved_on": "2026-06-01", "expires_on": "2026-07-15"},
          {"rule": "access.leaver-accounts", "entity": "accounts/aws-prod/liam.obrien",
            "reason": "disabled late; logs show no use after 2026-05-15 (IT-43)", "approved_by": "CISO", "approved_on": "2026-06-01", "expires_on": "2026-07-15"}]}"#,
    )
    .unwrap();
    let (c, err) = run(&["--min-severity", "critical", "--waivers", &waivers]);
    assert_eq!(
        (c, err.as_str()),
        (
            0,
            format!(
                "warning: {waivers}:1: entity `/accounts/26` is a JSON Pointer, which moves when records are added before it: write its key, `accounts/prod-db/liam`\n\
                 gate: fail on fail, min severity critical: passed\n"
            )
            .as_str()
        )
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn waivers_from_the_command_line() {
    let o = attest(&[
        "eval",
        "examples/acme",
        "--waivers",
        "examples/waivers.json",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["summary"]["controls"]["waived"], 1);
    let states: Vec<&str> = report["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["active", "active", "active", "expired", "stale"]);
    assert_eq!(
        stderr(&o),
        "warning: examples/waivers.json:30: expired waiver (rule backups.recent-success, entity backups/*): expired on 2026-06-15: 1 failing finding no longer covered\n\
         warning: examples/waivers.json:38: stale waiver (rule systems.encryption-at-rest, entity systems/metabase): covers no failing finding: remove it\n"
    );
}

#[test]
fn a_waiver_whose_entity_names_no_record_says_so() {
    let dir = scratch("entity-nothing");
    let waiver = |entity: &str| {
        format!(
            "    {{\"rule\": \"access.leaver-accounts\", \"entity\": \"{entity}\", \"reason\": \"r\",\n     \"approved_by\": \"x\", \"approved_on\": \"2026-05-04\", \"expires_on\": \"2026-09-30\"}}"
        )
    };
    write(
        &dir,
        "waivers.json",
        &format!(
            "{{\"schema_version\": \"1\", \"waivers\": [\n{},\n{},\n{}\n]}}\n",
            waiver("accounts/metabase/admn"),
            waiver("accounts/metabase/admin"),
            waiver(""),
        ),
    );
    let file = path(&dir, "waivers.json");
    let o = attest(&["eval", "examples/acme", "--waivers", &file]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    let nothing = "its entity names no record of the facts (a mistyped key, or a record since removed): it covers nothing; correct it or remove it";
    assert!(
        err.contains(&format!(
            "warning: {file}:2: stale waiver (rule access.leaver-accounts, entity accounts/metabase/admn): {nothing}"
        )),
        "{err}"
    );
    // A record that is there, with no failing finding of the rule: stale, as before.
    assert!(
        err.contains(&format!(
            "warning: {file}:4: stale waiver (rule access.leaver-accounts, entity accounts/metabase/admin): covers no failing finding: remove it"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:6: stale waiver (rule access.leaver-accounts, entity ): {nothing}"
        )),
        "{err}"
    );
}

#[test]
fn doubtful_waivers_are_warnings_at_their_line() {
    let dir = scratch("doubtful-waivers");
    let waiver = |entity: &str, expires: &str| {
        format!(
            "    {{\"rule\": \"access.mfa-privileged\", \"entity\": \"{entity}\", \"reason\": \"r\",\n     \"approved_by\": \"x\", \"approved_on\": \"2026-05-04\", \"expires_on\": \"{expires}\"}}"
        )
    };
    write(
        &dir,
        "waivers.json",
        &format!(
            "{{\"schema_version\": \"1\", \"waivers\": [\n{},\n{},\n{}\n]}}\n",
            waiver("accounts/metabase/admin", "9999-12-31"),
            waiver("accounts/metabase/admin", "2026-09-30"),
            waiver("*", "2026-09-30"),
        ),
    );
    let file = path(&dir, "waivers.json");
    let warnings = format!(
        "warning: {file}:2: /waivers/0/expires_on: the waiver expires on 9999-12-31, more than a year after its approval on 2026-05-04: an exception is re-approved at least yearly; expire it within 366 days and renew it\n\
         warning: {file}:4: /waivers/1: the waiver at line 2 has the same rule, control and entity, and both are in force from 2026-05-04 to 2026-09-30: on those days the one at line 2 covers the findings, this one none; start this one the day after the other expires, or remove one\n\
         warning: {file}:6: /waivers/2/entity: entity `*` names no record: the waiver covers every failing finding of its rule or control; name the records, or leave `entity` out to say so\n"
    );
    // The waivers still apply; `attest eval` and the commands that evaluate as it does say
    // what is doubtful in them.
    let o = attest(&[
        "eval",
        "examples/acme",
        "--waivers",
        &file,
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["waivers"].as_array().unwrap().len(), 3);
    assert!(stderr(&o).starts_with(&warnings), "{}", stderr(&o));
    // The report records them too, for a reader without the run's stderr.
    let recorded: Vec<(&str, u64, &str)> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            assert_eq!(w["input"], "waivers", "{w}");
            assert_eq!(w["file"].as_str(), Some(file.as_str()), "{w}");
            (
                w["pointer"].as_str().unwrap(),
                w["line"].as_u64().unwrap(),
                w["message"].as_str().unwrap(),
            )
        })
        .collect();
    let shown: Vec<(&str, u64)> = recorded.iter().map(|(p, l, _)| (*p, *l)).collect();
    assert_eq!(
        shown,
        [
            ("/waivers/0/expires_on", 2),
            ("/waivers/1", 4),
            ("/waivers/2/entity", 6)
        ]
    );
    for (_, _, message) in &recorded {
        assert!(warnings.contains(message), "{message}");
    }
    // A report with warnings is a baseline, and a side of `attest diff`, like any other.
    let saved = write(&dir, "report.json", &stdout(&o));
    let o = attest(&["diff", &saved, &saved]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = attest(&[
        "eval",
        "examples/acme",
        "--waivers",
        &file,
        "--baseline",
        &saved,
        "--format",
        "json",
    ]);
    // Read (exit 2 would say it could not be): the gate still fails on what fails.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("0 new, 0 resolved"), "{}", stderr(&o));
    let o = attest(&["todo", "examples/acme", "--waivers", &file]);
    assert!(stderr(&o).starts_with(&warnings), "{}", stderr(&o));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn baselines_fail_only_on_regressions() {
    let dir = scratch("baseline");
    let base = acme_baseline(&dir);
    // Same facts, same date: nothing new.
    let o = attest(&[
        "eval",
        "examples/acme",
        "--baseline",
        &base,
        "--fail-on",
        "new",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "gate: fail on new (since 2026-06-30: 0 new, 0 resolved, 69 still failing): passed\n"
    );
    // Three weeks later things have lapsed: those are regressions.
    let o = attest(&[
        "eval",
        "examples/acme",
        "--as-of",
        "2026-07-21",
        "--baseline",
        &base,
        "--fail-on",
        "new",
        "--min-severity",
        "critical",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        "gate: fail on new, min severity critical (since 2026-06-30: 28 new, 0 resolved, 69 still failing): \
         failed by access.leaver-accounts accounts/okta/kenji.sato@acme.example (fail), \
         access.leaver-accounts accounts/salesforce/kenji.sato@acme.example (fail)\n"
    );
    // `--fail-on new` needs a baseline.
    let o = attest(&["eval", "examples/acme", "--fail-on", "new"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--baseline"), "{}", stderr(&o));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_rule_the_pack_turns_off_is_no_longer_judged_not_resolved() {
    let dir = scratch("baseline-disabled");
    let base = acme_baseline(&dir);
    write(
        &dir,
        "company/pack.toml",
        "name = \"company\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n\n[disable]\n\"access.leaver-accounts\" = \"HR handles it\"\n",
    );
    let pack = path(&dir, "company");
    let new = path(&dir, "new.json");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--pack",
        &pack,
        "--format",
        "json",
        "--output",
        &new,
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = attest(&["diff", &base, &new]);
    assert_eq!(code(&o), 0, "nothing new fails");
    let text = stdout(&o);
    for expected in [
        "note: the pack changed, soc2 1.0.0 → company 1.0.0: findings may come and go with its rules, not with the facts\n",
        "No longer judged (2)\n",
        "(examples/acme/access.json:239 accounts/aws-prod/liam.obrien)  fail → not judged: the pack turned the rule off: HR handles it\n",
        "0 new failures, 0 resolved, 2 no longer judged, 67 still failing, 0 controls changed status\n",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in\n{text}");
    }
    assert!(!text.contains("Resolved"), "{text}");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--pack",
        &pack,
        "--baseline",
        &base,
        "--fail-on",
        "new",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "warning: baseline: the pack changed, soc2 1.0.0 → company 1.0.0: findings may come and go with its rules, not with the facts\n\
         gate: fail on new (since 2026-06-30: 0 new, 0 resolved, 2 no longer judged, 67 still failing): passed\n"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_system_gone_from_the_facts_is_neither_resolved_nor_silent_against_a_baseline() {
    let dir = scratch("baseline-gone");
    let base = acme_baseline(&dir);
    // The example without its GitHub organization, which failed two rules.
    for entry in fs::read_dir(repo().join("examples/acme")).unwrap() {
        let from = entry.unwrap().path();
        let name = from.file_name().unwrap().to_str().unwrap().to_owned();
        let text = fs::read_to_string(&from).unwrap();
        let text = match name.as_str() {
            "systems.json" => {
                let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                let systems = doc["systems"].as_array_mut().unwrap();
                systems.retain(|s| s["id"] != "github");
                doc.to_string()
            }
            _ => text,
        };
        write(&dir, &format!("acme/{name}"), &text);
    }
    let o = attest(&[
        "eval",
        &path(&dir, "acme"),
        "--baseline",
        &base,
        "--fail-on",
        "new",
        "--format",
        "json",
    ]);
    // Its two failures are not resolved, and its accounts, on a system the inventory no
    // longer has, are new failures.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let gate = stderr(&o);
    assert!(
        gate.contains("gate: fail on new (since 2026-06-30: 6 new, 0 resolved, 2 no longer judged, 67 still failing): failed by systems.inventory accounts/github/"),
        "{gate}"
    );
    // The populations the gate read are not in the report.
    assert!(!stdout(&o).contains("\"records\""));
    let _ = fs::remove_dir_all(&dir);
}

/// A change that breaks a report.
type Break = fn(&mut serde_json::Value);

/// A report that breaks report-v2 is refused with its file, place and what was expected,
/// not diffed as far as it reads.
#[test]
fn diff_refuses_a_report_that_breaks_report_v2() {
    let dir = scratch("diff-bad");
    let good = path(&dir, "good.json");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--format",
        "json",
        "--output",
        &good,
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&good).unwrap()).unwrap();
    let rules = report["rules"].as_array().unwrap().len();
    let first_rule = report["rules"][0]["id"].as_str().unwrap().to_owned();
    let first_control = report["controls"][0]["id"].as_str().unwrap().to_owned();
    let cases: [(&str, Break, String); 5] = [
        (
            "date",
            |r| r["evaluated_on"] = "2026-02-30".into(),
            "/evaluated_on: \"2026-02-30\" is not a \"date\"".to_owned(),
        ),
        (
            "rule-twice",
            |r| {
                let first = r["rules"][0].clone();
                r["rules"].as_array_mut().unwrap().push(first);
            },
            format!("/rules/{rules}/id: the rule `{first_rule}` is listed twice (first at /rules/0): a report lists each rule once"),
        ),
        (
            "control-twice",
            |r| r["controls"][1]["id"] = r["controls"][0]["id"].clone(),
            format!("/controls/1/id: the control `{first_control}` is listed twice (first at /controls/0): a report lists each control once"),
        ),
        (
            "version",
            |r| r["report_version"] = 2.into(),
            "/report_version: expected the string \"2\", not 2".to_owned(),
        ),
        (
            "null-status",
            |r| r["rules"][0]["status"] = serde_json::Value::Null,
            "/rules/0/status: null is not of type \"string\"; null is not one of \"pass\", \"fail\", \"warn\", \"error\", \"waived\", \"not_applicable\"".to_owned(),
        ),
    ];
    for (name, break_it, expected) in cases {
        let mut bad = report.clone();
        break_it(&mut bad);
        let file = path(&dir, &format!("{name}.json"));
        fs::write(&file, serde_json::to_string_pretty(&bad).unwrap()).unwrap();
        let o = attest(&["diff", &good, &file]);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{err}");
        assert!(err.starts_with(&format!("error: {file}:")), "{err}");
        assert!(
            err.ends_with(&format!(": not a valid report: {expected}\n")),
            "{name}: {err}"
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn diff_of_two_reports() {
    let dir = scratch("diff");
    let (base, new) = (path(&dir, "base.json"), path(&dir, "new.json"));
    attest(&[
        "eval",
        "examples/acme",
        "--format",
        "json",
        "--output",
        &base,
    ]);
    attest(&[
        "eval",
        "examples/acme",
        "--as-of",
        "2026-07-21",
        "--format",
        "json",
        "--output",
        &new,
    ]);
    let o = attest(&["diff", &base, &new]);
    assert_eq!(code(&o), 1, "new failures: exit 1");
    let text = stdout(&o);
    assert!(text.contains("New failures (28)"), "{text}");
    assert!(
        text.ends_with(
            "28 new failures, 0 resolved, 69 still failing, 0 controls changed status\n"
        )
    );
    let o = attest(&["diff", &new, &base, "--format", "json"]);
    assert_eq!(code(&o), 0, "going back in time only resolves");
    let diff: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(diff["resolved"].as_array().unwrap().len(), 28);
    // A baseline of another organization is suspicious: said on stderr.
    let tiny = path(&dir, "tiny.json");
    fs::write(
        &tiny,
        r#"{"schema_version": "1", "organization": {"name": "Tiny", "as_of": "2026-06-30"}}"#,
    )
    .unwrap();
    let other = path(&dir, "other.json");
    attest(&["eval", &tiny, "--format", "json", "--output", &other]);
    let o = attest(&["diff", &other, &base, "--format", "json"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!(
            "warning: {other} is a report on `Tiny`, not `Acme Analytics, Inc.`: findings are matched by rule and record key as if they were one organization's\n"
        )
    );
    let md = path(&dir, "diff.md");
    let o = attest(&["diff", &base, &new, "--format", "markdown", "--output", &md]);
    assert_eq!(code(&o), 1);
    assert!(
        fs::read_to_string(&md)
            .unwrap()
            .contains("**28 new failures**")
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = scratch("bad");
    let out = path(&dir, "out.sarif");
    let bad = path(&dir, "w.json");
    let check = |args: &[&str], message: &str| {
        let o = attest(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
        assert!(!Path::new(&out).exists(), "{args:?} wrote {out}");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "{args:?}: only w.json"
        );
    };
    let sarif = format!("sarif={out}");
    fs::write(
        &bad,
        "{\"schema_version\": \"1\",\n  \"waivers\": [\n    {\"rule\": \"x\",}\n  ]\n}\n",
    )
    .unwrap();
    check(
        &[
            "eval",
            "examples/acme",
            "--waivers",
            &bad,
            "--output",
            &sarif,
        ],
        &format!("error: {bad}:3:18: invalid JSON: trailing comma"),
    );
    fs::write(
        &bad,
        "{\"schema_version\": \"1\",\n  \"waivers\": [\n    {\"rule\": \"x\"}\n  ]\n}\n",
    )
    .unwrap();
    check(
        &[
            "eval",
            "examples/acme",
            "--waivers",
            &bad,
            "--output",
            &sarif,
        ],
        &format!("{bad}:3: /waivers/0: \"reason\" is a required property"),
    );
    // A problem outside the waivers is at its member's line.
    fs::write(
        &bad,
        "{\n  \"schema_version\": \"2\",\n  \"waivers\": []\n}\n",
    )
    .unwrap();
    check(
        &[
            "eval",
            "examples/acme",
            "--waivers",
            &bad,
            "--output",
            &sarif,
        ],
        &format!("{bad}:2: /schema_version: \"1\" was expected"),
    );
    fs::write(
        &bad,
        "{\"schema_version\": \"1\",\n  \"waivers\": [\n    {\"rule\": \"x\"}\n  ]\n}\n",
    )
    .unwrap();
    check(
        &[
            "eval",
            "examples/acme",
            "--baseline",
            &bad,
            "--output",
            &sarif,
        ],
        &format!("error: {bad}: not an Attest report"),
    );
    check(
        &["eval", "examples/acme", "--output", &format!("xml={out}")],
        "unknown format `xml`: expected text, json, sarif, junit, markdown, html, csv or oscal",
    );
    check(
        &["eval", "examples/acme", "--format", "yaml"],
        "invalid value 'yaml' for '--format",
    );
    check(
        &[
            "eval",
            "examples/acme",
            "--output",
            &sarif,
            "--output",
            &format!("junit={out}"),
        ],
        &format!("error: the sarif and junit outputs both go to {out}"),
    );
    check(
        &["eval", "examples/acme", "--output", "csv=-"],
        "error: the text and csv outputs both go to stdout",
    );
    check(
        &[
            "eval",
            "examples/acme",
            "--output",
            &sarif,
            "--output",
            &format!("html={}", path(&dir, "no/such/dir/a.html")),
        ],
        "no/such/dir/a.html",
    );
    check(
        &["diff", &bad, &bad],
        &format!("error: {bad}: not an Attest report"),
    );
    fs::write(&bad, r#"{"report_version": "1"}"#).unwrap();
    check(
        &["diff", &bad, &bad],
        &format!(
            "error: {bad}: a report of version 1; this version of Attest reads version 2: write it \
             again with `attest eval --format json`"
        ),
    );
    let _ = fs::remove_dir_all(&dir);
}

/// Runs `attest` from the repository root with its standard output on `out` (a shell's
/// `> out`).
#[cfg(unix)]
fn attest_onto(out: fs::File, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(args)
        .current_dir(repo())
        .stdout(out)
        .output()
        .unwrap()
}

/// A special file that cannot be written (`/dev/full`) fails the run before any file is
/// renamed into place or the stdout report is written; so does a standard output that
/// cannot be written.
#[cfg(target_os = "linux")]
#[test]
fn an_output_that_cannot_be_written_leaves_every_output_untouched() {
    let dir = scratch("unwritable");
    let (json, html) = (path(&dir, "fresh.json"), path(&dir, "fresh.html"));
    fs::write(&json, "old").unwrap();
    for outputs in [
        [
            format!("json={json}"),
            format!("html={html}"),
            "sarif=/dev/full".into(),
        ],
        [
            "sarif=/dev/full".into(),
            format!("json={json}"),
            format!("html={html}"),
        ],
    ] {
        let mut args = vec!["eval", "examples/acme"];
        for o in &outputs {
            args.extend(["--output", o]);
        }
        let o = attest(&args);
        assert_eq!(code(&o), 2, "{outputs:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error: /dev/full: No space left on device"),
            "{}",
            stderr(&o)
        );
        assert!(
            stdout(&o).is_empty(),
            "{outputs:?}: the text report was written"
        );
        assert_eq!(fs::read_to_string(&json).unwrap(), "old", "{outputs:?}");
        assert_eq!(
            names(&dir),
            ["fresh.json"],
            "{outputs:?}: no temporary file is left"
        );
    }
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = attest_onto(
        full,
        &["eval", "examples/acme", "--output", &format!("json={json}")],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error: stdout: No space left on device"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&json).unwrap(), "old");
    assert_eq!(names(&dir), ["fresh.json"]);
    let _ = fs::remove_dir_all(&dir);

    // The populations' files are outputs of the run too: none is written when one fails.
    let dir = scratch("unwritable-populations");
    let folder = path(&dir, "populations");
    let with = |sarif: &str| {
        attest(&[
            "eval",
            "examples/acme",
            "--populations",
            &folder,
            "--output",
            sarif,
        ])
    };
    let o = with("sarif=/dev/full");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        !Path::new(&folder).exists(),
        "nothing is left of the populations"
    );
    let o = with(&format!("sarif={}", path(&dir, "r.sarif")));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(Path::new(&folder).join("index.csv").is_file());
    let _ = fs::remove_dir_all(&dir);
}

/// Runs `attest` from the repository root with standard output on a pipe whose reader is
/// already gone (`attest eval ... | true`): every write to it fails with EPIPE, since the Rust
/// runtime ignores SIGPIPE.
#[cfg(unix)]
fn attest_onto_closed_pipe(args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(args)
        .current_dir(repo())
        .stdout(writer)
        .output()
        .unwrap()
}

/// A standard output whose reader closed the pipe is a failed output like a full disk: exit
/// 2 (not the gate's 1), one line naming standard output, and no file created or replaced.
#[cfg(unix)]
#[test]
fn a_closed_pipe_on_stdout_fails_the_run_and_puts_no_file_in_place() {
    let dir = scratch("closed-pipe");
    let (json, sarif) = (path(&dir, "r.json"), path(&dir, "s.sarif"));
    fs::write(&json, "old").unwrap();
    let message =
        "error: stdout: the pipe was closed before the output was written in full (broken pipe)\n";
    for format in ["json", "text"] {
        let o = attest_onto_closed_pipe(&[
            "eval",
            "examples/acme",
            "--format",
            format,
            "--output",
            &format!("json={json}"),
            "--output",
            &format!("sarif={sarif}"),
        ]);
        assert_eq!((code(&o), stderr(&o).as_str()), (2, message), "{format}");
        assert_eq!(fs::read_to_string(&json).unwrap(), "old", "{format}");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "{format}: no file created, no temporary file left"
        );
    }
    // Standard output alone: the gate's verdict is not the run's exit code either.
    let o = attest_onto_closed_pipe(&["eval", "examples/acme", "--fail-on", "error"]);
    assert_eq!((code(&o), stderr(&o).as_str()), (2, message));
    let _ = fs::remove_dir_all(&dir);
}

/// A file-size limit (`ulimit -f`) reached while writing an output is a write error like a
/// full disk: exit 2 naming the file, nothing written, no temporary file left (the limit's
/// signal used to end the process in the middle of the write).
#[cfg(target_os = "linux")]
#[test]
fn a_file_size_limit_is_a_write_error_that_leaves_nothing_behind() {
    let dir = scratch("file-size-limit");
    let json = path(&dir, "report.json");
    fs::write(&json, "old").unwrap();
    // 8 blocks: a few kilobytes, far less than the example's JSON report.
    let o = std::process::Command::new("sh")
        .args(["-c", "ulimit -f 8 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_attest"))
        .args(["eval", "examples/acme", "--output", &format!("json={json}")])
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("error: {json}: File too large")),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "the text report was written");
    assert_eq!(fs::read_to_string(&json).unwrap(), "old");
    assert_eq!(names(&dir), ["report.json"], "no temporary file is left");
    let _ = fs::remove_dir_all(&dir);
}

/// `/dev/stdout`, `/dev/fd/1` and the file stdout was redirected to are standard output:
/// refused beside the stdout report as `-` is, written to stdout when nothing else is.
#[cfg(unix)]
#[test]
fn standard_output_however_it_is_spelled() {
    let dir = scratch("stdout-spelled");
    for (args, shown) in [
        (vec!["--output", "json=/dev/stdout"], "/dev/stdout"),
        (vec!["--output", "json=/dev/fd/1"], "/dev/fd/1"),
        (
            vec!["--output", "/dev/stdout", "--output", "csv=-"],
            "/dev/stdout",
        ),
    ] {
        let o = attest(&[&["eval", "examples/acme"], args.as_slice()].concat());
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "error: the text and {} outputs both go to stdout ({shown} is standard output): give each its own file",
                if args.len() == 2 { "json" } else { "csv" }
            )),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    // `attest eval > out.json --output json=out.json`.
    let out = path(&dir, "out.json");
    let o = attest_onto(
        fs::File::create(&out).unwrap(),
        &["eval", "examples/acme", "--output", &format!("json={out}")],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("both go to stdout ({out} is standard output)")),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "");
    // With the text report in a file, the JSON goes to stdout alone.
    let text = path(&dir, "report.txt");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--output",
        &text,
        "--output",
        "json=/dev/stdout",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let json = attest(&["eval", "examples/acme", "--format", "json"]);
    assert_eq!(stdout(&o), stdout(&json));
    assert!(fs::read_to_string(&text).unwrap().starts_with("Attest"));
    // A link to stdout is written through, never replaced by a file.
    let link = dir.join("link");
    std::os::unix::fs::symlink("/dev/stdout", &link).unwrap();
    let o = attest_onto(
        fs::File::create(&out).unwrap(),
        &[
            "eval",
            "examples/acme",
            "--format",
            "json",
            "--output",
            link.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), stdout(&json));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn an_output_onto_an_input_is_refused_and_the_input_kept() {
    let dir = scratch("output-onto-input");
    fs::create_dir_all(dir.join("facts")).unwrap();
    for entry in fs::read_dir(repo().join("examples/acme")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.join("facts").join(entry.file_name())).unwrap();
    }
    fs::copy(
        repo().join("examples/waivers.json"),
        dir.join("waivers.json"),
    )
    .unwrap();
    let org = fs::read_to_string(dir.join("facts/org.json")).unwrap();
    let waivers = fs::read_to_string(dir.join("waivers.json")).unwrap();
    for (output, what) in [
        ("facts/org.json", "facts"),
        ("facts/../facts/org.json", "facts"),
        ("facts/report.json", "facts"),
        ("waivers.json", "the waivers file"),
        ("sarif=waivers.json", "the waivers file"),
    ] {
        let o = attest_in(
            &dir,
            &[
                "eval",
                "facts",
                "--waivers",
                "waivers.json",
                "--format",
                "json",
                "--output",
                output,
            ],
        );
        assert_eq!(code(&o), 2, "{output}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "refusing to write there: it is {what} this run reads"
            )),
            "{output}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    }
    assert_eq!(fs::read_to_string(dir.join("facts/org.json")).unwrap(), org);
    assert_eq!(
        fs::read_to_string(dir.join("waivers.json")).unwrap(),
        waivers
    );
    assert!(!dir.join("facts/report.json").exists());
    // Nor any file of the pack.
    let pack = dir.join("pack");
    fs::create_dir_all(&pack).unwrap();
    fs::copy(
        repo().join("examples/acme-pack/pack.toml"),
        pack.join("pack.toml"),
    )
    .unwrap();
    let manifest = fs::read_to_string(pack.join("pack.toml")).unwrap();
    let o = attest_in(
        &dir,
        &[
            "eval",
            "facts",
            "--pack",
            "pack",
            "--output",
            "pack/pack.toml",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("refusing to write there: it is the pack this run reads"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read_to_string(pack.join("pack.toml")).unwrap(),
        manifest
    );
    // A folder beside the facts is fine.
    let o = attest_in(&dir, &["eval", "facts", "--output", "report.txt"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(dir.join("report.txt").exists());
}

/// Copies the example facts and evidence root into `dir` (as `facts/` and `evidence/`).
fn with_evidence(dir: &Path) {
    for (from, to) in [
        ("examples/acme", "facts"),
        ("examples/acme-evidence/policies", "evidence/policies"),
    ] {
        fs::create_dir_all(dir.join(to)).unwrap();
        for entry in fs::read_dir(repo().join(from)).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), dir.join(to).join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn an_output_onto_an_evidence_file_the_run_reads_is_refused() {
    let dir = scratch("output-onto-evidence");
    with_evidence(&dir);
    let policy = "evidence/policies/information-security-2026.md";
    let kept = fs::read(dir.join(policy)).unwrap();
    let eval = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "facts",
            "--evidence-root",
            "evidence",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        attest_in(&dir, &args)
    };
    let refused =
        format!("refusing to write there: it is an evidence file this run reads ({policy})");
    for extra in [
        &[
            "--output",
            "report.json",
            "--output",
            &format!("text={policy}"),
        ][..],
        &[
            "--output",
            "evidence/policies/../policies/information-security-2026.md",
        ],
        &["--ledger", policy],
    ] {
        let o = eval(extra);
        assert_eq!(code(&o), 2, "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(&refused), "{extra:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
        assert!(!dir.join("report.json").exists());
        assert_eq!(fs::read(dir.join(policy)).unwrap(), kept);
    }
    // The views of the report that take an evidence root, the same.
    for command in ["todo", "vendors"] {
        let args = [
            command,
            "facts",
            "--evidence-root",
            "evidence",
            "--output",
            policy,
        ];
        let o = attest_in(&dir, &args);
        assert_eq!(code(&o), 2, "{command}: {}", stderr(&o));
        assert!(stderr(&o).contains(&refused), "{command}: {}", stderr(&o));
        assert_eq!(fs::read(dir.join(policy)).unwrap(), kept);
    }
    // A population file that leads there (a link in the populations folder) is refused too,
    // and no population file is written.
    fs::create_dir_all(dir.join("pop")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            "../evidence/policies/information-security-2026.md",
            dir.join("pop/access.mfa-privileged.csv"),
        )
        .unwrap();
        let o = eval(&["--populations", "pop", "--output", "report.json"]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "--populations pop: pop/access.mfa-privileged.csv: {refused}"
            )),
            "{}",
            stderr(&o)
        );
        assert_eq!(fs::read(dir.join(policy)).unwrap(), kept);
        assert!(!dir.join("report.json").exists());
        assert!(!dir.join("pop/index.csv").exists());
        fs::remove_file(dir.join("pop/access.mfa-privileged.csv")).unwrap();
    }
    // Nor may the populations go among the evidence: the root, or a folder of it that holds
    // evidence files.
    for folder in ["evidence", "evidence/policies", "evidence/../evidence"] {
        let o = eval(&["--populations", folder]);
        assert_eq!(code(&o), 2, "{folder}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("--populations {folder}: refusing to write there: the folder holds evidence files this run reads ({policy})")),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(names(&dir.join("evidence")), ["policies"]);
    assert_eq!(
        names(&dir.join("evidence/policies")),
        ["information-security-2026.md"]
    );
    // Files and folders of the root the facts do not name are not read, and may be written.
    fs::create_dir_all(dir.join("evidence/populations")).unwrap();
    let o = eval(&[
        "--output",
        "evidence/report.json",
        "--populations",
        "evidence/populations",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(dir.join("evidence/report.json").exists());
    assert!(dir.join("evidence/populations/index.csv").exists());
    assert_eq!(fs::read(dir.join(policy)).unwrap(), kept);
    let _ = fs::remove_dir_all(&dir);
}

/// docs/ci.md's example of a population file and an output that clash is refused as it says.
#[test]
fn the_documented_populations_clash_is_refused() {
    let doc = fs::read_to_string(repo().join("docs/ci.md"))
        .unwrap()
        .replace('\n', " ");
    let example = doc
        .split_once("so `--populations out` beside `--output ")
        .expect("ci.md gives a populations clash")
        .1;
    let output = example.split_once('`').unwrap().0;
    let dir = scratch("documented-clash");
    fs::create_dir_all(dir.join("out")).unwrap();
    let o = attest_in(
        &dir,
        &[
            "eval",
            repo().join("examples/acme").to_str().unwrap(),
            "--populations",
            "out",
            "--output",
            output,
        ],
    );
    assert_eq!(code(&o), 2, "{output}: {}", stderr(&o));
    assert!(
        stderr(&o).contains("(--populations out) both go to out/"),
        "{}",
        stderr(&o)
    );
    assert_eq!(names(&dir.join("out")), Vec::<String>::new());
    let _ = fs::remove_dir_all(&dir);
}

/// The broken-pipe examples of docs/ci.md and README.md, run as written in a shell on the
/// example facts: the reader goes away before the report is written in full, so the run
/// exits 2 with the error the docs give and puts no SARIF file in place.
#[cfg(unix)]
#[test]
fn the_documented_broken_pipe_examples_break() {
    let dir = scratch("documented-broken-pipe");
    fs::create_dir_all(dir.join("facts")).unwrap();
    for entry in fs::read_dir(repo().join("examples/acme")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.join("facts").join(entry.file_name())).unwrap();
    }
    write(&dir, "attest.toml", "facts = [\"facts\"]\n");
    let bin = Path::new(env!("CARGO_BIN_EXE_attest")).parent().unwrap();
    for doc in ["docs/ci.md", "README.md"] {
        let text = fs::read_to_string(repo().join(doc))
            .unwrap()
            .replace("\n  ", " ")
            .replace('\n', " ");
        let command = text
            .split_once("whose reader closed the pipe (`")
            .unwrap_or_else(|| panic!("{doc} gives no broken-pipe example"))
            .1
            .split_once('`')
            .unwrap()
            .0;
        let sarif = command
            .split_once("sarif=")
            .unwrap()
            .1
            .split_once(' ')
            .unwrap()
            .0;
        for _ in 0..3 {
            let o = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("{command} >/dev/null; echo ${{PIPESTATUS[0]}}"))
                .current_dir(&dir)
                .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
                .output()
                .unwrap();
            assert_eq!(stdout(&o).trim(), "2", "{doc}: {command}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("error: stdout: the pipe was closed before the output was written in full (broken pipe)"),
                "{doc}: {}",
                stderr(&o)
            );
            assert!(!dir.join(sarif).exists(), "{doc}: {sarif}");
        }
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_configured_output_keeps_its_configured_format() {
    // A CI job's attest.toml writes JSON that later steps read: a `--format` of another
    // format for a quick look goes to stdout, never into that file.
    let dir = scratch("configured-output");
    let facts = repo().join("examples/acme");
    write(
        &dir,
        "attest.toml",
        &format!(
            "facts = [{:?}]\n\n[eval]\nformat = \"json\"\noutput = \"out/report.json\"\n\n[todo]\nformat = \"markdown\"\noutput = \"todo.md\"\n",
            facts.to_string_lossy()
        ),
    );
    fs::create_dir_all(dir.join("out")).unwrap();
    let report = dir.join("out/report.json");
    let o = attest_in(&dir, &["eval", "--format", "markdown"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("## Attest"), "{}", stdout(&o));
    assert!(
        !report.exists(),
        "the configured JSON file got another format"
    );
    let o = attest_in(&dir, &["eval"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["report_version"], "2");
    // The same format given on the command line still goes to the configured file.
    fs::remove_file(&report).unwrap();
    let o = attest_in(&dir, &["eval", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(report.is_file() && stdout(&o).is_empty());
    // So with `attest todo`.
    let o = attest_in(&dir, &["todo", "--format", "json"]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    assert!(stdout(&o).starts_with('{'), "{}", stdout(&o));
    assert!(!dir.join("todo.md").exists());
    let _ = fs::remove_dir_all(&dir);
}

/// An output that replaces an existing file keeps that file's permission bits: a report
/// kept private (0600: it holds names and e-mail addresses) stays private; a new file gets
/// the usual ones.
#[cfg(unix)]
#[test]
fn replacing_an_output_keeps_the_permissions_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("permissions");
    let mode = |p: &str| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let (private, shared, fresh) = (
        path(&dir, "priv.json"),
        path(&dir, "shared.csv"),
        path(&dir, "fresh.md"),
    );
    for (file, bits) in [(&private, 0o600), (&shared, 0o640)] {
        fs::write(file, "old").unwrap();
        fs::set_permissions(file, fs::Permissions::from_mode(bits)).unwrap();
    }
    let o = attest(&[
        "eval",
        "examples/acme",
        "--output",
        &format!("json={private}"),
        "--output",
        &format!("csv={shared}"),
        "--output",
        &format!("markdown={fresh}"),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(fs::read_to_string(&private).unwrap().starts_with('{'));
    assert_eq!(mode(&private), 0o600);
    assert_eq!(mode(&shared), 0o640);
    assert_eq!(
        mode(&fresh) & 0o600,
        0o600,
        "a new file is the user's to read and write"
    );
    // `attest history --output` replaces a file the same way.
    let ledger = path(&dir, "ledger.jsonl");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--ledger",
        &ledger,
        "--output",
        &path(&dir, "r.json"),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = attest(&["history", &ledger, "--output", &private]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(mode(&private), 0o600);
    let _ = fs::remove_dir_all(&dir);
}

/// An output that is a symbolic link stays a link: the file its links lead to (a relative
/// link read from its own folder) is replaced with the new content, by `attest eval` and by
/// every other command that writes a file (`attest diff --output`, `attest history
/// --output`). A link to nothing creates the file it names, or says why it cannot; a link and
/// the file it leads to are one place, even before that file exists; a link onto an input is
/// refused.
#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_replaces_the_file_it_leads_to() {
    use std::os::unix::fs::symlink;
    let dir = scratch("output-link");
    let is_link = |name: &str| {
        fs::symlink_metadata(dir.join(name))
            .unwrap()
            .file_type()
            .is_symlink()
    };
    let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap();
    fs::create_dir_all(dir.join("reports")).unwrap();
    fs::write(dir.join("reports/target.json"), "OLD").unwrap();
    symlink("reports/target.json", dir.join("link.json")).unwrap();
    let json = stdout(&attest(&["eval", "examples/acme", "--format", "json"]));
    let o = attest(&[
        "eval",
        "examples/acme",
        "--output",
        &format!("json={}", path(&dir, "link.json")),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(is_link("link.json"), "the link was replaced by a file");
    assert_eq!(read("reports/target.json"), json);
    assert_eq!(
        names(&dir.join("reports")),
        ["target.json"],
        "no temporary file left"
    );

    // `attest diff` and `attest history` write through the same link.
    let base = path(&dir, "base.json");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--format",
        "json",
        "--output",
        &base,
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = attest(&["diff", &base, &base, "--output", &path(&dir, "link.json")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(is_link("link.json"));
    assert!(read("reports/target.json").contains("0 new failures"));
    let ledger = path(&dir, "ledger.jsonl");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--ledger",
        &ledger,
        "--output",
        &base,
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = attest(&["history", &ledger, "--output", &path(&dir, "link.json")]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(is_link("link.json"));
    assert_eq!(
        read("reports/target.json"),
        stdout(&attest(&["history", &ledger]))
    );

    // A link to nothing: the file it names is created; one whose folder is missing is an
    // error, before anything is written.
    symlink("reports/new.sarif", dir.join("dangling.sarif")).unwrap();
    let o = attest_in(
        &dir,
        &[
            "eval",
            &repo().join("examples/acme").to_string_lossy(),
            "--output",
            "sarif=dangling.sarif",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(is_link("dangling.sarif"));
    assert!(read("reports/new.sarif").contains("\"version\": \"2.1.0\""));
    symlink("missing/x.json", dir.join("nowhere.json")).unwrap();
    let o = attest_in(
        &dir,
        &[
            "eval",
            &repo().join("examples/acme").to_string_lossy(),
            "--output",
            "csv=other.csv",
            "--output",
            "json=nowhere.json",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "error: nowhere.json: a link to missing/x.json, whose folder missing does not exist\n"
    );
    assert!(!dir.join("other.csv").exists() && !dir.join("missing").exists());

    // A link and the file it leads to are one place, whether or not that file exists.
    symlink("later.json", dir.join("later-link.json")).unwrap();
    for (link, file) in [
        ("link.json", "reports/target.json"),
        ("later-link.json", "later.json"),
    ] {
        let o = attest_in(
            &dir,
            &[
                "eval",
                &repo().join("examples/acme").to_string_lossy(),
                "--output",
                &format!("json={link}"),
                "--output",
                &format!("sarif={file}"),
            ],
        );
        assert_eq!(code(&o), 2, "{link}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("the json and sarif outputs both go to"),
            "{}",
            stderr(&o)
        );
    }
    assert!(!dir.join("later.json").exists());

    // A link onto a facts file is refused, the facts kept.
    fs::create_dir_all(dir.join("facts")).unwrap();
    fs::copy(
        repo().join("examples/acme/org.json"),
        dir.join("facts/org.json"),
    )
    .unwrap();
    symlink("facts/org.json", dir.join("onto-facts.json")).unwrap();
    let org = read("facts/org.json");
    let o = attest_in(
        &dir,
        &[
            "eval",
            "facts",
            "--format",
            "json",
            "--output",
            "onto-facts.json",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("refusing to write there: it is facts this run reads"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read("facts/org.json"), org);
    assert!(is_link("onto-facts.json"));
    let _ = fs::remove_dir_all(&dir);
}

/// A file of the populations (`--populations DIR`, `DIR/<rule id>.csv|json`) is an output
/// of the run like the others: one that goes where an `--output` file or the ledger goes is
/// refused (exit 2, naming both) before anything is written, as two `--output`s to one
/// place are. It used to replace the findings CSV, or the ledger, losing its chain.
#[test]
fn a_population_file_never_replaces_an_output_or_the_ledger() {
    let dir = scratch("population-clash");
    let folder = path(&dir, "pp");
    fs::create_dir(&folder).unwrap();
    let csv = path(&dir, "pp/access.leaver-accounts.csv");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--format",
        "json",
        "--populations",
        &folder,
        "--output",
        &format!("csv={csv}"),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "error: the csv output and the population file access.leaver-accounts.csv (--populations {folder}) both go to {csv}: give each its own file\n"
        )
    );
    assert!(stdout(&o).is_empty());
    assert_eq!(names(Path::new(&folder)), Vec::<String>::new());

    // The same file under another spelling, for the ledger: the ledger keeps its entries.
    let ledger = path(&dir, "pp/access.leaver-accounts.json");
    let run = |extra: &[&str]| {
        let mut args = vec!["eval", "examples/acme", "--ledger", &ledger];
        args.extend_from_slice(extra);
        attest(&args)
    };
    assert_eq!(code(&run(&[])), 1);
    let before = fs::read_to_string(&ledger).unwrap();
    let spelled = format!("{}/./pp/../pp", dir.display());
    let o = run(&["--populations", &spelled]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with(&format!(
            "error: the ledger and the population file access.leaver-accounts.json (--populations {spelled}) both go to {ledger}"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&ledger).unwrap(), before);
    assert_eq!(names(Path::new(&folder)), ["access.leaver-accounts.json"]);
    let o = attest(&["ledger", "verify", &ledger]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let _ = fs::remove_dir_all(&dir);
}

/// SIGTERM or SIGINT (a CI job cancelled, Ctrl-C) while the outputs are being written
/// removes their temporary files and exits 143 or 130; no output is replaced. The run is
/// stopped in the middle of writing a large output (the HTML report, to a pipe the test
/// stops reading), after the JSON report was written aside.
#[cfg(unix)]
#[test]
fn a_signal_while_outputs_are_written_leaves_no_temporary_file() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    for (signal, name, exit) in [("TERM", "term", 143), ("INT", "int", 130)] {
        let dir = scratch(&format!("signal-{name}"));
        let (json, fifo) = (path(&dir, "report.json"), path(&dir, "report.html"));
        fs::write(&json, "old").unwrap();
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let mut child = Command::new(env!("CARGO_BIN_EXE_attest"))
            .args([
                "eval",
                "examples/acme",
                "--format",
                "json",
                "--output",
                &json,
                "--output",
                &format!("html={fifo}"),
            ])
            .current_dir(repo())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The HTML report is far larger than a pipe holds: once its first bytes are read,
        // the run is blocked writing the rest, the JSON report written aside.
        let mut reader = fs::File::open(&fifo).unwrap();
        let mut first = [0u8; 15];
        reader.read_exact(&mut first).unwrap();
        assert_eq!(&first, b"<!DOCTYPE html>");
        let staged = names(&dir);
        assert_eq!(
            staged.len(),
            3,
            "{name}: the JSON report's temporary file: {staged:?}"
        );
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(exit), "{name}: {status:?}");
        assert_eq!(names(&dir), ["report.html", "report.json"], "{name}");
        assert_eq!(fs::read_to_string(&json).unwrap(), "old", "{name}");
        let _ = fs::remove_dir_all(&dir);
    }
}

/// Runs `attest` in `dir` as a user other than root (`nobody`, when the tests run as root:
/// root may write any file), so that file permissions apply. As root, the binary run is a
/// copy in `dir`, which must be a folder `nobody` can reach (see [`shared_scratch`]): the
/// build's own folder may be inside one it cannot (a home folder).
#[cfg(unix)]
fn attest_unprivileged(dir: &Path, args: &[&str]) -> std::process::Output {
    use std::os::unix::fs::MetadataExt;
    let mut cmd = match fs::metadata("/proc/self").map(|m| m.uid()) {
        Ok(0) => {
            let copy = dir.join("attest");
            if !copy.exists() {
                fs::copy(env!("CARGO_BIN_EXE_attest"), &copy).unwrap();
            }
            let mut cmd = std::process::Command::new("setpriv");
            cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(copy);
            cmd
        }
        _ => std::process::Command::new(env!("CARGO_BIN_EXE_attest")),
    };
    cmd.args(args).current_dir(dir).output().unwrap()
}

/// An empty scratch folder in the system's temporary folder, which every user can reach
/// (the test target's may not be), open to all.
#[cfg(unix)]
fn shared_scratch(name: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("attest-ci-{name}-{}", std::process::id()));
    let dir = attest_tests::empty_dir(&dir);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

/// An output file its user may not write is refused, as `>` and `cp` refuse it, though the
/// rename that replaces outputs needs only its folder to be writable; a folder where the
/// temporary file cannot be created is named as such (it was the file that was blamed).
#[cfg(unix)]
#[test]
fn a_read_only_output_or_folder_is_refused_and_named() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &str, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
    let dir = shared_scratch("read-only");
    // The facts, readable by anyone, in a folder anyone may write.
    let facts_dir = path(&dir, "facts");
    fs::create_dir(&facts_dir).unwrap();
    for entry in fs::read_dir(repo().join("examples/acme")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), Path::new(&facts_dir).join(entry.file_name())).unwrap();
    }
    mode(&facts_dir, 0o755);
    let open = path(&dir, "ro");
    fs::create_dir(&open).unwrap();
    mode(&open, 0o777);
    // An output is replaced, a ledger appended to: each is told so, and left as it was.
    for (file, args, advice) in [
        (
            "audit.json",
            ["--output", "json=ro/audit.json"],
            "a read-only file is not replaced; make it writable or write the output elsewhere",
        ),
        (
            "ledger.jsonl",
            ["--ledger", "ro/ledger.jsonl"],
            "a read-only ledger is not appended to; make it writable or give --ledger another file",
        ),
    ] {
        let ro = path(&dir, &format!("ro/{file}"));
        fs::write(&ro, "old").unwrap();
        mode(&ro, 0o444);
        let o = attest_unprivileged(&dir, &["eval", "facts", args[0], args[1]]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!(
                "error: ro/{file}: the file cannot be written (Permission denied (os error 13)): {advice}\n"
            )
        );
        assert_eq!(fs::read_to_string(&ro).unwrap(), "old");
        assert_eq!(names(Path::new(&open)), [file]);
        fs::remove_file(&ro).unwrap();
    }

    // A writable file in a folder that is not: the folder is named, and what failed.
    let (locked, out) = (path(&dir, "locked"), path(&dir, "locked/out.json"));
    fs::create_dir(&locked).unwrap();
    fs::write(&out, "old").unwrap();
    mode(&out, 0o666);
    mode(&locked, 0o755);
    let o = attest_unprivileged(&dir, &["eval", "facts", "--output", "json=locked/out.json"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "error: locked/out.json: cannot create a file in its folder locked (Permission denied (os error 13)): an output is written to a temporary file beside it, then renamed into place\n"
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "old");
    let _ = fs::remove_dir_all(&dir);
}
