//! `attest todo`: the to-do list per owner on the example organization in every format
//! (snapshots, the JSON held to `schemas/todo.v1.schema.json`), `--owner` and its errors,
//! the order of the items (severity, then due date, then rule and record), evidence to
//! collect, exit codes, hostile names shown escaped, and the `[todo]` and `[vendors]`
//! sections of `attest.toml`.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use attest_render::escape::is_hidden;
use common::{attest, attest_in, exit, repo, scratch, stderr, stdout, write};
use serde_json::Value;
use std::fs;
use std::path::Path;

/// `attest todo` on the example organization, its waivers applied, with `more` arguments.
fn acme(more: &[&str]) -> std::process::Output {
    let mut args = vec![
        "todo",
        "examples/acme",
        "--as-of",
        "2026-06-30",
        "--waivers",
        "examples/waivers.json",
    ];
    args.extend_from_slice(more);
    attest(&args)
}

fn validator() -> jsonschema::Validator {
    let path = repo().join("schemas/todo.v1.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn every_format_on_the_example_organization() {
    let json = acme(&["--format", "json"]);
    exit(&json, 1);
    let doc: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let digest = doc["pack"]["digest"].as_str().unwrap().to_owned();
    for format in ["text", "markdown", "json", "csv"] {
        let o = acme(&["--format", format]);
        exit(&o, 1);
        // The pack's digest changes with any edit to a rule file: the rest shows what changed.
        insta::assert_snapshot!(
            format!("todo_acme_{format}"),
            stdout(&o).replace(&digest, "[pack digest]")
        );
    }
    // The same list in every format: as many items, in the same order.
    let items: Vec<(String, String, String)> = doc["owners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| {
            o["items"].as_array().unwrap().iter().map(move |i| {
                (
                    o["owner"].as_str().unwrap().to_owned(),
                    i["rule"].as_str().unwrap().to_owned(),
                    i["message"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect();
    assert_eq!(
        items.len() as u64,
        doc["summary"]["items"].as_u64().unwrap()
    );
    let csv = stdout(&acme(&["--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<(String, String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[5].to_owned(), r[13].to_owned())
        })
        .collect();
    assert_eq!(rows, items);
    // Waived findings are counted, not listed.
    assert!(doc["summary"]["waived"].as_u64().unwrap() > 0);
    assert!(
        !items
            .iter()
            .any(|(_, rule, _)| rule == "access.mfa-privileged"),
        "the waived finding is not listed"
    );
}

#[test]
fn the_json_matches_its_schema() {
    let v = validator();
    let doc: Value = serde_json::from_str(&stdout(&acme(&["--format", "json"]))).unwrap();
    assert_valid(&v, &doc, "examples/acme");
    let kinds: Vec<&str> = doc["owners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["items"].as_array().unwrap())
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for kind in ["finding", "lapsing", "evidence"] {
        assert!(kinds.contains(&kind), "the example has a {kind} item");
    }
    let one: Value =
        serde_json::from_str(&stdout(&acme(&["--format", "json", "--owner", "hr"]))).unwrap();
    assert_valid(&v, &one, "examples/acme --owner hr");
    // The contract catches drift: an unknown property or kind is refused.
    let mut drifted = doc.clone();
    drifted["owners"][0]["items"][0]["kind"] = "chore".into();
    assert!(!v.is_valid(&drifted));
    let mut drifted = doc;
    drifted["owners"][0]["items"][0]["evidence"] =
        serde_json::json!({"criterion": "CC1.1", "title": "t", "state": "missing"});
    assert!(
        !v.is_valid(&drifted),
        "only evidence items say which criterion"
    );
}

#[test]
fn owner_narrows_the_list_to_one_owner_in_any_case() {
    let all: Value = serde_json::from_str(&stdout(&acme(&["--format", "json"]))).unwrap();
    let o = acme(&["--format", "json", "--owner", "lEgAl"]);
    exit(&o, 1);
    let legal: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(legal["owner"], "Legal");
    assert_eq!(legal["owners"].as_array().unwrap().len(), 1);
    let expected = all["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["owner"] == "Legal")
        .unwrap();
    assert_eq!(&legal["owners"][0], expected);
    assert_eq!(legal["summary"], expected["summary"]);
    let text = stdout(&acme(&["--owner", "legal"]));
    assert!(text.contains("· owner Legal"), "{text}");
    assert!(!text.contains("\nIT:"), "{text}");
}

#[test]
fn an_unknown_owner_is_refused_with_the_owners_there_are() {
    let dir = scratch("unknown-owner");
    let out = dir.join("todo.txt");
    let o = acme(&["--owner", "Marketing", "--output", out.to_str().unwrap()]);
    exit(&o, 2);
    for needle in [
        "invalid value 'Marketing' for '--owner <NAME>'",
        "[possible values: IT, Security, HR, Legal, Engineering, Product, Sales, Finance, Operations, all]",
    ] {
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
    }
    assert!(!out.exists(), "nothing is written");
}

/// A rule of the ordering pack: its name, its severity, and for each account it reports on,
/// the call that reports it (`x` is the account).
type Rule<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// A pack whose rules find, for IT, failing findings and warnings of several severities
/// with and without due dates in their data, and three criteria without rules whose
/// evidence (owned by Legal) is missing, expiring and expired.
fn ordering_pack(dir: &Path, warnings_only: bool) -> String {
    write(
        dir,
        "pack/pack.toml",
        "name = \"order\"\nversion = \"0.1.0\"\nframework = \"SOC 2\"\ndescription = \"d\"\n",
    );
    let mut catalog = String::new();
    for (id, owner) in [
        ("CC6.1", ""),
        ("CC1.1", "Legal"),
        ("CC1.2", "Legal"),
        ("CC1.3", "Legal"),
    ] {
        catalog.push_str(&format!(
            "[[control]]\nid = \"{id}\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"title of {id}\"\n"
        ));
        if !owner.is_empty() {
            catalog.push_str(&format!("evidence_owner = \"{owner}\"\n"));
        }
        catalog.push('\n');
    }
    write(dir, "pack/controls.toml", &catalog);
    // Each rule: its name, severity, and what it reports about which account.
    let rules: &[Rule] = if warnings_only {
        &[(
            "warns",
            "high",
            &[("d", r#"warn(x, "d lapses", #{ due: "2026-07-20" })"#)],
        )]
    } else {
        &[
            (
                "low",
                "low",
                &[("a", r#"fail(x, "a", #{ due: "2026-01-01" })"#)],
            ),
            (
                "crit",
                "critical",
                &[
                    ("b", r#"fail(x, "b")"#),
                    (
                        "c",
                        r#"fail(x, "c", #{ due: "2026-05-01", days_overdue: 60 })"#,
                    ),
                ],
            ),
            (
                "warns",
                "high",
                &[
                    ("d", r#"warn(x, "d lapses", #{ due: "2026-07-20" })"#),
                    ("e", r#"warn(x, "e lapses", #{ days_left: 5 })"#),
                    ("f", r#"warn(x, "f lapses")"#),
                ],
            ),
            (
                "fails",
                "high",
                &[
                    ("h", r#"fail(x, "h")"#),
                    ("g", r#"fail(x, "g", #{ expires_on: "2026-06-01" })"#),
                    ("i", r#"fail(x, "i", #{ due: "2026-09-01" })"#),
                ],
            ),
        ]
    };
    for (name, severity, found) in rules {
        let mut body = String::from("for x in facts.accounts {\n");
        for (user, call) in *found {
            body.push_str(&format!("    if x.username == \"{user}\" {{ {call}; }}\n"));
        }
        body.push_str("}\n");
        write(
            dir,
            &format!("pack/rules/{name}.rhai"),
            &format!(
                "//! id = \"t.{name}\"\n//! title = \"{name}\"\n//! controls = [\"CC6.1\"]\n//! severity = \"{severity}\"\n//! owner = \"IT\"\n//! facts = [\"accounts\"]\n//! remediation = \"Fix it.\"\n{body}"
            ),
        );
    }
    dir.join("pack").to_string_lossy().into_owned()
}

const ORDERING_FACTS: &str = r#"{
  "schema_version": "1",
  "organization": {"name": "Order", "as_of": "2026-06-30"},
  "accounts": [
    {"system_id": "s", "username": "a", "kind": "human", "status": "active"},
    {"system_id": "s", "username": "b", "kind": "human", "status": "active"},
    {"system_id": "s", "username": "c", "kind": "human", "status": "active"},
    {"system_id": "s", "username": "d", "kind": "human", "status": "active"},
    {"system_id": "s", "username": "e", "kind": "human", "status": "active"},
    {"system_id": "s", "username": "f", "kind": "human", "status": "active"},
    {"system_id": "s", "username": "g", "kind": "human", "status": "active"},
    {"system_id": "s", "username": "h", "kind": "human", "status": "active"},
    {"system_id": "s", "username": "i", "kind": "human", "status": "active"}
  ],
  "evidence": [
    {"control_id": "CC1.2", "title": "lapsing soon", "collected_on": "2025-07-10"},
    {"control_id": "CC1.3", "title": "old", "collected_on": "2024-01-01", "expires_on": "2025-01-01"},
    {"control_id": "CC1.3", "title": "less old", "collected_on": "2025-01-01", "expires_on": "2026-03-01"}
  ]
}
"#;

/// The `(owner, kind, severity, due_on, rule, key)` of each item of a todo-v1 document.
fn listed(doc: &Value) -> Vec<String> {
    doc["owners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| {
            o["items"].as_array().unwrap().iter().map(move |i| {
                format!(
                    "{} {} {} {} {} {}",
                    o["owner"].as_str().unwrap(),
                    i["kind"].as_str().unwrap(),
                    i["severity"].as_str().unwrap(),
                    i["due_on"].as_str().unwrap_or("-"),
                    i["rule"].as_str().unwrap(),
                    i["key"].as_str().unwrap_or("-"),
                )
            })
        })
        .collect()
}

#[test]
fn items_go_by_severity_then_due_date_then_rule_and_record() {
    let dir = scratch("ordering");
    let pack = ordering_pack(&dir, false);
    let facts = write(&dir, "facts.json", ORDERING_FACTS);
    let o = attest(&["todo", &facts, "--pack", &pack, "--format", "json"]);
    exit(&o, 1);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_valid(&validator(), &doc, "the ordering pack");
    assert_eq!(
        listed(&doc),
        [
            // Owners in name order. Critical first: overdue by its date, then due now.
            "IT finding critical 2026-05-01 t.crit accounts/s/c",
            "IT finding critical - t.crit accounts/s/b",
            // High: failures by the date they were due (the as-of date when none, or when
            // the date is later: a failure is due now), then warnings by the date they lapse
            // (days_left counts from the as-of date), those without a date last.
            "IT finding high 2026-06-01 t.fails accounts/s/g",
            "IT finding high - t.fails accounts/s/h",
            "IT finding high 2026-09-01 t.fails accounts/s/i",
            "IT lapsing high 2026-07-05 t.warns accounts/s/e",
            "IT lapsing high 2026-07-20 t.warns accounts/s/d",
            "IT lapsing high - t.warns accounts/s/f",
            "IT finding low 2026-01-01 t.low accounts/s/a",
            // Evidence is medium, for the criterion's evidence owner: expired (by its latest
            // record's expiry), missing (due now), expiring.
            "Legal evidence medium 2026-03-01 evidence/CC1.3 evidence/CC1.3/less old/2025-01-01",
            "Legal evidence medium - evidence/CC1.1 -",
            "Legal evidence medium 2026-07-10 evidence/CC1.2 evidence/CC1.2/lapsing soon/2025-07-10",
        ]
    );
    let states: Vec<(&str, &str)> = doc["owners"][1]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["evidence"]["criterion"].as_str().unwrap(),
                i["evidence"]["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("CC1.3", "expired"),
            ("CC1.1", "missing"),
            ("CC1.2", "expiring")
        ]
    );
    let it = &doc["owners"][0]["summary"];
    assert_eq!(
        (
            it["items"].as_u64(),
            it["to_fix"].as_u64(),
            it["lapsing"].as_u64()
        ),
        (Some(9), Some(6), Some(3))
    );
    let legal = &doc["owners"][1]["summary"];
    assert_eq!(
        (legal["evidence"].as_u64(), legal["to_fix"].as_u64()),
        (Some(3), Some(2))
    );
    // The text says when each item is due, and what to collect.
    let text = stdout(&attest(&["todo", &facts, "--pack", &pack]));
    for needle in [
        "1. critical fix (was due 2026-05-01) t.crit: c",
        "5. high fix (due 2026-09-01) t.fails: i",
        "6. high lapsing (due 2026-07-05) t.warns: e lapses",
        "1. medium evidence (expired 2026-03-01) evidence/CC1.3:",
        "2. medium evidence (missing) evidence/CC1.1: no evidence is recorded for CC1.1",
        "3. medium evidence (expires 2026-07-10) evidence/CC1.2:",
        "collect: Collect evidence that CC1.1",
    ] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
}

#[test]
fn exit_codes_follow_the_owners_failures() {
    let dir = scratch("exit-codes");
    let pack = ordering_pack(&dir, true);
    let facts = write(&dir, "facts.json", ORDERING_FACTS);
    let run = |more: &[&str]| {
        let mut args = vec!["todo", facts.as_str(), "--pack", pack.as_str()];
        args.extend_from_slice(more);
        attest(&args)
    };
    // IT only has a warning: nothing to fix. Legal's evidence is missing or expired.
    exit(&run(&["--owner", "IT"]), 0);
    exit(&run(&["--owner", "Legal"]), 1);
    exit(&run(&[]), 1);
    // An owner with nothing to do is listed, with no items.
    let o = run(&["--owner", "sales", "--format", "json"]);
    exit(&o, 0);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_valid(&validator(), &doc, "--owner sales");
    assert_eq!(doc["owners"][0]["owner"], "Sales");
    assert_eq!(doc["owners"][0]["items"], serde_json::json!([]));
    assert!(
        stdout(&run(&["--owner", "sales"]))
            .contains("Sales: 0 to fix, 0 lapsing soon\n  nothing to do\n")
    );
    let csv = stdout(&run(&["--owner", "sales", "--format", "csv"]));
    assert_eq!(csv.lines().count(), 1, "the header alone: {csv}");
    // Without --owner, owners with nothing to do are not listed.
    let doc: Value = serde_json::from_str(&stdout(&run(&["--format", "json"]))).unwrap();
    let owners: Vec<&str> = doc["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["owner"].as_str().unwrap())
        .collect();
    assert_eq!(owners, ["IT", "Legal"]);
}

#[test]
fn an_output_onto_an_input_is_refused() {
    let dir = scratch("onto-input");
    let facts = write(&dir, "facts.json", ORDERING_FACTS);
    let o = attest(&["todo", &facts, "--output", &facts]);
    exit(&o, 2);
    assert_eq!(fs::read_to_string(&facts).unwrap(), ORDERING_FACTS);
}

#[test]
fn an_output_that_cannot_be_written_is_named_once() {
    let dir = scratch("unwritable");
    let out = dir.join("no/such/folder/todo.md");
    let o = acme(&["--output", out.to_str().unwrap()]);
    exit(&o, 2);
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("error: {}: ", out.display())),
        "{err}"
    );
    assert_eq!(err.matches("todo.md").count(), 1, "{err}");
}

#[test]
fn hostile_names_are_shown_never_obeyed() {
    let common = "tests/hostile/inputs/_common";
    let run = |format: &str| {
        let o = attest(&[
            "todo",
            &format!("{common}/facts.json"),
            "--pack",
            &format!("{common}/pack"),
            "--waivers",
            &format!("{common}/waivers.json"),
            "--format",
            format,
        ]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
        stdout(&o)
    };
    for format in ["text", "markdown"] {
        let out = run(format);
        let bad: Vec<char> = out
            .chars()
            .filter(|c| *c != '\n' && is_hidden(*c))
            .collect();
        assert!(bad.is_empty(), "{format} lets through {bad:?}:\n{out}");
        assert!(
            !out.lines().any(|l| l.trim_start().starts_with("✗ forged")),
            "{format} shows a forged line"
        );
    }
    // CSV: no cell a spreadsheet would run as a formula.
    let csv = run("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
    }
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    assert_valid(&validator(), &json, "hostile facts");
}

#[test]
fn attest_toml_gives_todo_and_vendors_their_format_output_and_owner() {
    let dir = scratch("todo-config");
    fs::create_dir_all(dir.join("acme")).unwrap();
    fs::create_dir_all(dir.join("out")).unwrap();
    for entry in fs::read_dir(repo().join("examples/acme")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.join("acme").join(path.file_name().unwrap())).unwrap();
    }
    fs::copy(
        repo().join("examples/waivers.json"),
        dir.join("waivers.json"),
    )
    .unwrap();
    let head = "facts = [\"acme\"]\nas_of = 2026-06-30\n";
    write(
        &dir,
        "attest.toml",
        &format!(
            "{head}\n[todo]\nformat = \"markdown\"\noutput = \"out/todo.md\"\nowner = \"security\"\n\n[vendors]\nformat = \"csv\"\noutput = \"out/vendors.csv\"\n"
        ),
    );
    // What the flags give (written to stdout), as written by the configuration.
    for (command, flags, file) in [
        (
            "todo",
            &["--format", "markdown", "--owner", "Security"][..],
            "out/todo.md",
        ),
        ("vendors", &["--format", "csv"][..], "out/vendors.csv"),
    ] {
        let o = attest_in(&dir, &[command, "--waivers", "waivers.json"]);
        exit(&o, 1);
        assert_eq!(
            stdout(&o),
            "",
            "{command}: written to its output, not stdout"
        );
        let mut args = vec![command, "--waivers", "waivers.json", "--output", "-"];
        args.extend_from_slice(flags);
        let expected = stdout(&attest_in(&dir, &args));
        assert!(expected.len() > 100, "{command}: {expected}");
        assert_eq!(
            fs::read_to_string(dir.join(file)).unwrap(),
            expected,
            "{command}"
        );
    }
    // Flags override it.
    let o = attest_in(
        &dir,
        &["todo", "--format", "text", "--owner", "hr", "--output", "-"],
    );
    assert!(stdout(&o).contains("owner HR"), "{}", stdout(&o));
    // `--owner all` lists every owner's items where the configuration names one.
    let o = attest_in(
        &dir,
        &[
            "todo", "--format", "json", "--owner", "all", "--output", "-",
        ],
    );
    let every: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(every["owner"], Value::Null, "{every}");
    assert!(every["owners"].as_array().unwrap().len() > 1, "{every}");
    // So does `owner = "all"` in the configuration.
    write(
        &dir,
        "attest.toml",
        &format!("{head}\n[todo]\nowner = \"All\"\n"),
    );
    let o = attest_in(&dir, &["todo", "--format", "json"]);
    assert_eq!(serde_json::from_str::<Value>(&stdout(&o)).unwrap(), every);
    // An owner or a format it does not know is refused where it is written.
    for (section, command, message) in [
        (
            "[todo]\nowner = \"Marketing\"\n",
            "todo",
            "attest.toml:4:9: owner `Marketing` is not one of IT, Security",
        ),
        (
            "[todo]\nformat = \"html\"\n",
            "todo",
            "attest.toml:4:10: format `html` is not one of text, markdown, json, csv",
        ),
        (
            "[vendors]\nformat = \"pdf\"\n",
            "vendors",
            "attest.toml:4:10: format `pdf` is not one of text, json, csv",
        ),
    ] {
        write(&dir, "attest.toml", &format!("{head}{section}"));
        let o = attest_in(&dir, &[command]);
        exit(&o, 2);
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
    }
}

#[test]
fn the_period_can_be_set_as_the_error_advises() {
    // As of a day inside the facts' period, the run is refused, advising --period ...
    let run = |command: &str, more: &[&str]| {
        let mut args = vec![command, "examples/acme", "--as-of", "2026-03-31"];
        args.extend_from_slice(more);
        attest(&args)
    };
    let o = run("todo", &[]);
    exit(&o, 2);
    assert!(
        stderr(&o).contains("--period 2026-01-01..2026-03-31"),
        "{}",
        stderr(&o)
    );
    // ... which todo and vendors take, as eval does.
    let o = run(
        "todo",
        &["--period", "2026-01-01..2026-03-31", "--format", "json"],
    );
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["period"],
        serde_json::json!({"start": "2026-01-01", "end": "2026-03-31"})
    );
    assert_eq!(doc["evaluated_on"], "2026-03-31");
    let o = run("vendors", &["--period", "2026-01-01..2026-03-31"]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `command` on the example organization as of its date, with `more` arguments, as JSON.
fn example_json(command: &str, more: &[&str]) -> (std::process::Output, Value) {
    let mut args = vec![command, "examples/acme", "--format", "json"];
    args.extend_from_slice(more);
    let o = attest(&args);
    let doc = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{command} {more:?}: {e}: {}", stderr(&o)));
    (o, doc)
}

fn vendors_validator() -> jsonschema::Validator {
    let path = repo().join("schemas/vendors.v1.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// The example organization's facts copied to `dir`, its vendors edited by `edit`.
fn acme_with_vendors(dir: &Path, edit: impl FnOnce(&mut Value)) -> String {
    let facts = dir.join("acme");
    fs::create_dir_all(&facts).unwrap();
    for entry in fs::read_dir(repo().join("examples/acme")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, facts.join(path.file_name().unwrap())).unwrap();
    }
    let vendors = facts.join("vendors.json");
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(&vendors).unwrap()).unwrap();
    edit(&mut doc);
    fs::write(&vendors, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    facts.to_str().unwrap().to_owned()
}

#[test]
fn rules_in_error_are_carried_never_taken_for_nothing_found() {
    // A budget that vendors.sla-performance (and a few other rules) cannot answer within.
    let budget = ["--max-operations", "2000"];
    let (o, register) = example_json("vendors", &budget);
    exit(&o, 1);
    assert_valid(
        &vendors_validator(),
        &register,
        "vendors with rules in error",
    );
    let in_error: Vec<&str> = register["rules_in_error"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert!(
        in_error.contains(&"vendors.sla-performance"),
        "{in_error:?}"
    );
    for v in register["vendors"].as_array().unwrap() {
        // The rule in error could not judge any vendor: no gap kind counts as shown.
        assert_eq!(
            v["not_judged_by"],
            serde_json::json!(["vendors.sla-performance"])
        );
        assert_eq!(v["residual_risk"], v["inherent_risk"], "{}", v["id"]);
    }
    let text = stdout(&attest(&["vendors", "examples/acme", budget[0], budget[1]]));
    assert!(
        text.contains("Rules in error (5): they could not answer"),
        "{text}"
    );
    assert!(!text.contains("gaps: none\n"), "{text}");
    let csv = stdout(&attest(&[
        "vendors",
        "examples/acme",
        "--format",
        "csv",
        budget[0],
        budget[1],
    ]));
    assert!(csv.contains(",error,vendors.sla-performance,"), "{csv}");
    // The to-do list carries them too, each with its owner, and fails as eval does.
    let (o, todo) = example_json("todo", &budget);
    exit(&o, 1);
    assert_valid(&validator(), &todo, "todo with rules in error");
    assert_eq!(
        todo["rules_in_error"].as_array().unwrap().len(),
        in_error.len()
    );
    let (o, finance) = example_json("todo", &[budget[0], budget[1], "--owner", "finance"]);
    exit(&o, 1);
    assert_eq!(
        finance["rules_in_error"][0]["rule"],
        "vendors.sla-performance"
    );
    assert_eq!(finance["rules_in_error"][0]["owner"], "Finance");
    for (format, needle) in [
        ("text", "Rules in error (5): they could not answer"),
        ("markdown", "**Rules in error (5)**"),
        ("csv", "Finance,,error,,,vendors.sla-performance,"),
    ] {
        let out = stdout(&attest(&[
            "todo",
            "examples/acme",
            "--format",
            format,
            budget[0],
            budget[1],
        ]));
        assert!(out.contains(needle), "{format}:\n{out}");
    }
    // Without errors the field is there, empty.
    let (_, clean) = example_json("todo", &[]);
    assert_eq!(clean["rules_in_error"], serde_json::json!([]));
}

#[test]
fn unknown_data_access_is_shown_unknown_and_weighs_as_the_worst_case() {
    let dir = scratch("unknown-data-access");
    let facts = acme_with_vendors(&dir, |doc| {
        let vendors = doc["vendors"].as_array_mut().unwrap();
        let zendesk = vendors.iter_mut().find(|v| v["id"] == "zendesk").unwrap();
        zendesk.as_object_mut().unwrap().remove("data_access");
    });
    let o = attest(&["vendors", &facts, "--format", "json"]);
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid(&vendors_validator(), &doc, "unknown data access");
    let zendesk = doc["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "zendesk")
        .unwrap();
    assert_eq!(zendesk["data_access"], Value::Null);
    assert_eq!(
        zendesk["inherent_risk"], "critical",
        "a high tier with unknown data"
    );
    let text = stdout(&attest(&["vendors", &facts]));
    assert!(
        text.contains("Zendesk (zendesk): high tier, data access unknown\n"),
        "{text}"
    );
    let csv = stdout(&attest(&["vendors", &facts, "--format", "csv"]));
    assert!(
        csv.contains("zendesk,Zendesk,active,high,unknown,critical,"),
        "{csv}"
    );
}

#[test]
fn todo_and_vendors_take_the_evidence_root_as_eval_does() {
    let dir = scratch("evidence-root");
    let root = dir.join("evidence");
    fs::create_dir_all(root.join("policies")).unwrap();
    for entry in fs::read_dir(repo().join("examples/acme-evidence/policies")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, root.join("policies").join(path.file_name().unwrap())).unwrap();
    }
    let policy = root.join("policies/information-security-2026.md");
    let mut text = fs::read_to_string(&policy).unwrap();
    text.push_str("tampered\n");
    fs::write(&policy, text).unwrap();
    let root = root.to_str().unwrap();
    let rules = |doc: &Value| -> Vec<String> {
        doc["owners"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| o["items"].as_array().unwrap())
            .map(|i| i["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, without) = example_json("todo", &[]);
    assert!(!rules(&without).contains(&"evidence-files/CC5.3".to_owned()));
    let (o, with) = example_json("todo", &["--evidence-root", root]);
    exit(&o, 1);
    assert!(
        rules(&with).contains(&"evidence-files/CC5.3".to_owned()),
        "{with:#}"
    );
    // Eval, given the same root, fails the same check.
    let (_, report) = example_json("eval", &["--evidence-root", root]);
    let check = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "evidence-files/CC5.3")
        .unwrap();
    assert_eq!(check["status"], "fail");
    let (o, _) = example_json("vendors", &["--evidence-root", root]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = attest(&["todo", "examples/acme", "--evidence-root", "no/such/folder"]);
    exit(&o, 2);
    assert!(
        stderr(&o).contains("--evidence-root no/such/folder: not a folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_lapsing_item_is_due_the_day_it_lapses() {
    let (_, doc) = example_json("todo", &["--param", "warn_window_days=92"]);
    let as_of = doc["evaluated_on"].as_str().unwrap();
    let lapsing: Vec<&Value> = doc["owners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["items"].as_array().unwrap())
        .filter(|i| i["kind"] == "lapsing")
        .collect();
    assert!(!lapsing.is_empty());
    for item in &lapsing {
        if let Some(due) = item["due_on"].as_str() {
            assert!(due >= as_of, "lapses before the as-of date: {item:#}");
        }
    }
    // VULN-290's remediation deadline (2026-04-15) gave way to its risk acceptance.
    let vuln = lapsing
        .iter()
        .find(|i| i["key"] == "vulnerabilities/VULN-290")
        .unwrap();
    assert_eq!(vuln["due_on"], "2026-09-30");
}

#[test]
fn the_next_review_agrees_with_the_risk_review_rule() {
    // A year earlier: reviews the facts record in late 2025 and 2026 have not happened yet.
    let dates = [
        "--as-of",
        "2025-06-01",
        "--period",
        "2025-01-01..2025-06-01",
    ];
    let (_, register) = example_json("vendors", &dates);
    assert_valid(&vendors_validator(), &register, "a year earlier");
    let (_, report) = example_json("eval", &dates);
    let failing: Vec<String> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "vendors.risk-review")
        .unwrap()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            f["key"]
                .as_str()
                .unwrap()
                .trim_start_matches("vendors/")
                .to_owned()
        })
        .collect();
    let overdue: Vec<String> = register["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["review_overdue"] == true)
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    let (mut failing, mut overdue) = (failing, overdue);
    failing.sort();
    overdue.sort();
    assert_eq!(overdue, failing);
    assert!(
        overdue.contains(&"okta".to_owned()),
        "reviewed after the as-of date"
    );
    let okta = register["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "okta")
        .unwrap();
    assert_eq!(okta["next_review_on"], "2025-06-01");
    let text = stdout(&attest(&[
        "vendors",
        "examples/acme",
        dates[0],
        dates[1],
        dates[2],
        dates[3],
    ]));
    assert!(
        text.contains("next review: 2025-06-01, overdue (none by the as-of date; one is recorded on 2025-11-03)"),
        "{text}"
    );
    // Never reviewed: overdue, as the rule fails it.
    let dir = scratch("never-reviewed");
    let facts = acme_with_vendors(&dir, |doc| {
        let vendors = doc["vendors"].as_array_mut().unwrap();
        let aws = vendors.iter_mut().find(|v| v["id"] == "aws").unwrap();
        aws.as_object_mut().unwrap().remove("last_risk_review_on");
    });
    let text = stdout(&attest(&["vendors", &facts]));
    assert!(
        text.contains("next review: 2026-06-30, overdue (never reviewed)"),
        "{text}"
    );
}

#[test]
fn both_documents_record_the_period_and_the_parameters_set() {
    let run = [
        "--period",
        "2026-04-01..2026-06-30",
        "--param",
        "vendor_review_days=30",
    ];
    let set = serde_json::json!({"vendor_review_days": {"value": 30, "default": 365}});
    let (_, register) = example_json("vendors", &run);
    assert_valid(&vendors_validator(), &register, "period and params");
    assert_eq!(
        register["period"],
        serde_json::json!({"start": "2026-04-01", "end": "2026-06-30"})
    );
    assert_eq!(register["params"], set);
    let (_, todo) = example_json("todo", &run);
    assert_valid(&validator(), &todo, "period and params");
    assert_eq!(todo["params"], set);
    // Without any set, neither has `params`; the register has no period without one.
    let (_, plain) = example_json("vendors", &["--as-of", "2026-06-30"]);
    assert!(plain.get("params").is_none());
    let text = stdout(&attest(&[
        "vendors",
        "examples/acme",
        run[0],
        run[1],
        run[2],
        run[3],
    ]));
    assert!(
        text.starts_with("Vendor risk register · Acme Analytics, Inc. · 2026-06-30 · audit period 2026-04-01 to 2026-06-30\nParameters set for this run: vendor_review_days = 30 (pack default: 365)\n"),
        "{text}"
    );
    let text = stdout(&attest(&[
        "todo",
        "examples/acme",
        run[0],
        run[1],
        run[2],
        run[3],
    ]));
    assert!(
        text.contains(
            "\nParameters set for this run: vendor_review_days = 30 (pack default: 365)\n"
        ),
        "{text}"
    );
}

/// A pack of one rule, `t.late` (owner IT), failing each account with the data its
/// `corrected_on` field gives (none when the account has none).
fn corrected_pack(dir: &Path) -> String {
    write(
        dir,
        "pack/pack.toml",
        "name = \"over\"\nversion = \"0.1.0\"\nframework = \"SOC 2\"\ndescription = \"d\"\n",
    );
    write(
        dir,
        "pack/controls.toml",
        "[[control]]\nid = \"CC6.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n",
    );
    write(
        dir,
        "pack/rules/late.rhai",
        r#"//! id = "t.late"
//! title = "late"
//! controls = ["CC6.1"]
//! severity = "high"
//! owner = "IT"
//! facts = ["accounts"]
//! remediation = "Disable it today."
for x in facts.accounts {
    if x.disabled_on == () {
        fail(x, `${x.username} is late`, #{ due: "2026-05-01" });
    } else {
        fail(x, `${x.username} was late`, #{ due: "2026-05-01", corrected_on: x.disabled_on });
    }
}
"#,
    );
    dir.join("pack").to_string_lossy().into_owned()
}

#[test]
fn an_exception_that_is_over_is_kept_for_the_auditor_not_to_fix() {
    let dir = scratch("corrected");
    let pack = corrected_pack(&dir);
    let account = |user: &str, disabled: &str| {
        format!(
            r#"{{"system_id": "s", "username": "{user}", "kind": "human", "status": "disabled"{disabled}}}"#
        )
    };
    let facts = |accounts: &[String]| {
        format!(
            r#"{{"schema_version": "1", "organization": {{"name": "Over", "as_of": "2026-06-30"}}, "accounts": [{}]}}"#,
            accounts.join(", ")
        )
    };
    let both = write(
        &dir,
        "both.json",
        &facts(&[
            account("a", r#", "disabled_on": "2026-06-01""#),
            account("b", r#", "disabled_on": "2026-05-10""#),
            account("c", ""),
            // Corrected after the as-of date: not yet, so still to fix.
            account("d", r#", "disabled_on": "2026-07-02""#),
        ]),
    );
    let o = attest(&["todo", &both, "--pack", &pack, "--format", "json"]);
    exit(&o, 1);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_valid(&validator(), &doc, "corrected exceptions");
    // What to fix first; then the exceptions that are over, by the day they ended.
    assert_eq!(
        listed(&doc),
        [
            "IT finding high 2026-05-01 t.late accounts/s/c",
            "IT finding high 2026-05-01 t.late accounts/s/d",
            "IT exception high 2026-05-01 t.late accounts/s/b",
            "IT exception high 2026-05-01 t.late accounts/s/a",
        ]
    );
    let items = doc["owners"][0]["items"].as_array().unwrap();
    assert_eq!(items[2]["corrected_on"], "2026-05-10");
    assert_eq!(
        items[2]["remediation"],
        "Corrected on 2026-05-10: nothing to fix now; keep the record of why it happened and what changed, for the auditor."
    );
    assert!(items[0].get("corrected_on").is_none());
    assert_eq!(items[1]["remediation"], "Disable it today.");
    let sum = &doc["summary"];
    assert_eq!(
        (
            sum["items"].as_u64(),
            sum["findings"].as_u64(),
            sum["exceptions"].as_u64(),
            sum["to_fix"].as_u64(),
            sum["lapsing"].as_u64()
        ),
        (Some(4), Some(2), Some(2), Some(2), Some(0))
    );
    let text = stdout(&attest(&["todo", &both, "--pack", &pack]));
    for needle in [
        "4 items for 1 owner: 2 to fix, 0 lapsing soon; 2 exceptions over, nothing to fix\n",
        "3. high exception (corrected on 2026-05-10) t.late: b was late",
        "keep: Corrected on 2026-05-10: nothing to fix now",
    ] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
    let csv = stdout(&attest(&[
        "todo", &both, "--pack", &pack, "--format", "csv",
    ]));
    assert!(
        csv.contains("IT,3,exception,high,2026-05-01,t.late"),
        "{csv}"
    );
    // With only exceptions that are over, there is nothing to fix: exit 0, as the counts say;
    // the report still fails the criterion.
    let over = write(
        &dir,
        "over.json",
        &facts(&[account("a", r#", "disabled_on": "2026-06-01""#)]),
    );
    let o = attest(&["todo", &over, "--pack", &pack]);
    exit(&o, 0);
    assert!(
        stdout(&o).contains("IT: 0 to fix, 0 lapsing soon; 1 exception over, nothing to fix\n"),
        "{}",
        stdout(&o)
    );
    exit(&attest(&["eval", &over, "--pack", &pack]), 1);
}

#[test]
fn the_example_organizations_exceptions_that_are_over_are_not_to_fix() {
    let o = acme(&["--format", "json"]);
    exit(&o, 1);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut over: Vec<String> = Vec::new();
    for owner in doc["owners"].as_array().unwrap() {
        let items = owner["items"].as_array().unwrap();
        // Exceptions come after everything else of their owner.
        let first = items.iter().position(|i| i["kind"] == "exception");
        if let Some(first) = first {
            assert!(items[first..].iter().all(|i| i["kind"] == "exception"));
        }
        for i in items.iter().filter(|i| i["kind"] == "exception") {
            over.push(format!(
                "{} {} {} {}",
                owner["owner"].as_str().unwrap(),
                i["rule"].as_str().unwrap(),
                i["key"].as_str().unwrap(),
                i["corrected_on"].as_str().unwrap()
            ));
        }
    }
    assert_eq!(
        over,
        [
            "Engineering incidents.postmortem incidents/INC-2026-002 2026-04-10",
            "Engineering vulnerabilities.remediation-sla vulnerabilities/VULN-301 2026-06-25",
            "HR hr.security-training people/E1010 2026-02-10",
            "IT access.leaver-accounts accounts/aws-prod/liam.obrien 2026-05-29",
            "Sales incidents.customer-notice incidents/INC-2026-004 2026-05-08",
            "Security access.reviews-overdue systems/github 2026-03-04",
            "Security hr.incident-response-training people/E1004 2026-03-09",
            "Security hr.incident-response-training people/E1012 2026-03-09",
            "Security policies.review-overdue policies/code-of-conduct 2026-04-01",
        ]
    );
    // Sales's only item is a customer notice sent late: nothing to fix.
    exit(&acme(&["--owner", "sales"]), 0);
}

#[test]
fn built_in_rules_mark_the_exceptions_the_facts_show_over() {
    let dir = scratch("corrected-built-in");
    let facts = write(
        &dir,
        "facts.json",
        r#"{"schema_version": "1", "organization": {"name": "Late", "as_of": "2026-06-30"},
 "people": [{"id": "p1", "name": "Alice Ng", "kind": "employee", "employment": {"status": "active", "start_date": "2020-01-06"}},
            {"id": "p2", "name": "Bob Ruiz", "kind": "employee", "employment": {"status": "active", "start_date": "2020-01-06"}}],
 "changes": [{"id": "CH-1", "system_id": "api", "deployed_on": "2026-03-01", "author_id": "p1", "emergency": true, "tested": false, "emergency_reviewed_on": "2026-03-20", "emergency_reviewed_by": "p2"},
             {"id": "CH-2", "system_id": "api", "deployed_on": "2026-03-01", "author_id": "p1", "emergency": true, "tested": false, "emergency_reviewed_on": "2026-03-20", "emergency_reviewed_by": "p1"}],
 "privacy_requests": [{"id": "DSR-1", "type": "access", "regulation": "gdpr", "received_on": "2026-01-05", "answered_on": "2026-05-01"}],
 "vendors": [{"id": "v-c", "name": "Gamma", "risk_tier": "high", "due_diligence_on": "2026-03-01", "contract": {"signed_on": "2025-11-01"}}],
 "vulnerabilities": [{"id": "V-2", "severity": "critical", "found_on": "2026-01-05", "accepted": {"approved_by": "p2", "approved_on": "2026-03-01", "expires_on": "2026-12-31"}},
                     {"id": "V-3", "severity": "critical", "found_on": "2026-01-05", "fixed_on": "2026-04-01"}]}
"#,
    );
    let o = attest(&[
        "todo",
        &facts,
        "--period",
        "2026-01-01..2026-06-30",
        "--format",
        "json",
    ]);
    exit(&o, 1);
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut seen: Vec<String> = Vec::new();
    for owner in doc["owners"].as_array().unwrap() {
        for i in owner["items"].as_array().unwrap() {
            let rule = i["rule"].as_str().unwrap();
            if [
                "changes.tested",
                "privacy.access-requests",
                "vendors.due-diligence",
                "vulnerabilities.remediation-sla",
            ]
            .contains(&rule)
            {
                seen.push(format!(
                    "{} {rule} {} {}",
                    i["kind"].as_str().unwrap(),
                    i["key"].as_str().unwrap(),
                    i["corrected_on"].as_str().unwrap_or("-")
                ));
            }
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            // Reviewed late by its own author: a review by someone else is still to get.
            "exception changes.tested changes/CH-1 2026-03-20",
            "exception privacy.access-requests privacy_requests/DSR-1 2026-05-01",
            "exception vendors.due-diligence vendors/v-c 2026-03-01",
            "exception vulnerabilities.remediation-sla vulnerabilities/V-2 2026-03-01",
            "exception vulnerabilities.remediation-sla vulnerabilities/V-3 2026-04-01",
            "finding changes.tested changes/CH-2 -",
        ]
    );
}
