//! `attest init`: a project that evaluates at once, and that is never written over.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest_in, exit, scratch, stderr, stdout};
use std::fs;

#[test]
fn init_makes_a_project_that_evaluates_cleanly() {
    let dir = scratch("project");
    let run = attest_in(&dir, &["init", "compliance-repo"]);
    exit(&run, 0);
    let root = dir.join("compliance-repo");
    for file in [
        "attest.toml",
        "compliance/waivers.json",
        ".github/workflows/attest.yml",
        "facts/README.md",
        "facts/org.json",
        "facts/people.json",
        "facts/accounts.json",
        "facts/evidence.json",
    ] {
        assert!(root.join(file).is_file(), "{file}\n{}", stdout(&run));
    }
    for file in [
        "facts/vendors.json",
        "facts/devices.json",
        "facts/keys.json",
    ] {
        assert!(
            stdout(&run).contains(&format!("  {file}\n")),
            "{}",
            stdout(&run)
        );
    }
    // The templates are valid facts-v1, with no field it does not define.
    let validate = attest_in(&root, &["validate", "facts", "--strict"]);
    exit(&validate, 0);
    // Like `attest eval`, `attest validate` takes the facts of attest.toml when given none.
    let validate = attest_in(&root, &["validate"]);
    exit(&validate, 0);
    assert!(
        stdout(&validate).starts_with("facts are valid ("),
        "{}",
        stdout(&validate)
    );
    // `attest eval` runs with no flags (attest.toml), and every rule has records to judge.
    let eval = attest_in(&root, &["eval", "--format", "json"]);
    // While the examples are left, the gate fails.
    exit(&eval, 1);
    // Every file of examples is a warning, on stderr and in the report, until replaced.
    let report: serde_json::Value = serde_json::from_str(&stdout(&eval)).unwrap();
    let examples: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| {
            w["message"]
                .as_str()
                .unwrap()
                .contains("example records `attest init` wrote")
                || w["message"]
                    .as_str()
                    .unwrap()
                    .contains("example record `attest init` wrote")
        })
        .map(|w| w["file"].as_str().unwrap())
        .collect();
    assert!(examples.contains(&"facts/backups.json"), "{examples:?}");
    assert!(examples.contains(&"facts/systems.json"), "{examples:?}");
    // On stderr: one warning per file, then the gate's verdict.
    assert_eq!(
        stderr(&eval).lines().count(),
        examples.len() + 1,
        "{}",
        stderr(&eval)
    );
    let not_applicable: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["status"] == "not_applicable" && !r["id"].as_str().unwrap().starts_with("evidence/")
        })
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(not_applicable, Vec::<&str>::new());
    // The facts set an audit period: the six months ending today, judged as a Type 2 period.
    let period = &report["period"];
    assert_eq!(period["end"], report["evaluated_on"], "{period}");
    assert!(period["start"].as_str().unwrap() < period["end"].as_str().unwrap());
    // The workflow runs Attest's GitHub Action on the facts folder (its default `facts`) with
    // the waivers init wrote, which is `attest eval facts --waivers compliance/waivers.json`.
    let workflow = fs::read_to_string(root.join(".github/workflows/attest.yml")).unwrap();
    assert!(workflow.contains("uses: YOUR-ORG/attest@"), "{workflow}");
    assert!(
        workflow.contains("waivers: compliance/waivers.json"),
        "{workflow}"
    );
    assert!(!workflow.contains("facts:"), "{workflow}");
    let ci = attest_in(
        &root,
        &["eval", "facts", "--waivers", "compliance/waivers.json"],
    );
    assert!(matches!(ci.status.code(), Some(0 | 1)), "{}", stderr(&ci));
}

#[test]
fn without_facts_or_a_project_the_error_says_how_to_start_one() {
    let dir = scratch("no-project");
    for command in ["eval", "validate"] {
        let run = attest_in(&dir, &[command]);
        exit(&run, 2);
        assert!(
            stderr(&run).contains("no facts: give FACTS (files or folders) or set `facts` in attest.toml (`attest init` starts a project with both)"),
            "{command}: {}",
            stderr(&run)
        );
    }
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let dir = scratch("existing");
    fs::create_dir_all(dir.join("facts")).unwrap();
    fs::write(dir.join("facts/people.json"), "mine\n").unwrap();
    let run = attest_in(&dir, &["init"]);
    exit(&run, 2);
    assert!(
        stderr(&run).contains("refusing to overwrite ./facts/people.json"),
        "{}",
        stderr(&run)
    );
    assert_eq!(
        fs::read_to_string(dir.join("facts/people.json")).unwrap(),
        "mine\n"
    );
    assert!(!dir.join("attest.toml").exists());
    assert!(!dir.join("facts/org.json").exists());
}

#[test]
fn init_that_cannot_finish_writes_nothing_and_can_run_again() {
    let dir = scratch("half");
    // A file where the workflow's folder goes: the folder cannot be made.
    fs::write(dir.join(".github"), "").unwrap();
    let run = attest_in(&dir, &["init"]);
    exit(&run, 2);
    assert!(stderr(&run).contains(".github"), "{}", stderr(&run));
    // Nothing of the project is left: no file, and no folder it created.
    assert_eq!(common::names(&dir), [".github"]);
    assert!(!dir.join("attest.toml").exists());
    // Once the way is clear, init runs as on an empty folder.
    fs::remove_file(dir.join(".github")).unwrap();
    exit(&attest_in(&dir, &["init"]), 0);
    assert!(dir.join("attest.toml").exists() && dir.join(".github/workflows/attest.yml").exists());
}

#[test]
fn example_records_left_in_place_are_warnings_until_replaced() {
    let dir = scratch("examples-left");
    exit(&attest_in(&dir, &["init"]), 0);
    let warned = |args: &[&str]| -> Vec<String> {
        let out = attest_in(&dir, args);
        stderr(&out)
            .lines()
            .filter(|l| l.contains("`attest init` wrote"))
            .map(str::to_owned)
            .collect()
    };
    let before = warned(&["validate"]);
    assert!(
        before.iter().any(|l| l.starts_with(
            "warning: facts/backups.json:3: /backups/0: 2 example records `attest init` wrote (`backups/example-app`, `backups/example-db`) still here"
        )),
        "{before:?}"
    );
    // The examples deleted (the organization's own backups to come): that file is no longer
    // named.
    fs::write(dir.join("facts/backups.json"), r#"{"backups": []}"#).unwrap();
    let after = warned(&["validate"]);
    assert_eq!(after.len(), before.len() - 1, "{after:?}");
    assert!(
        !after.iter().any(|l| l.contains("backups.json")),
        "{after:?}"
    );
    // `attest todo` (and `vendors`) evaluate as eval does, and warn alike; so does a sample,
    // which could hand the examples to an auditor.
    assert_eq!(warned(&["todo"]), after);
    assert_eq!(
        warned(&["sample", "access.leaver-accounts", "--seed", "1"]),
        after
    );
    // Without the setting, nothing is looked for.
    let config = fs::read_to_string(dir.join("attest.toml")).unwrap();
    let without: String = config
        .lines()
        .filter(|l| !l.starts_with("examples =") && !l.trim_start().starts_with("# holding"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(dir.join("attest.toml"), without).unwrap();
    assert_eq!(warned(&["validate"]), Vec::<String>::new());
}

#[test]
fn example_records_left_fail_every_gate() {
    let dir = scratch("examples-gate");
    exit(&attest_in(&dir, &["init"]), 0);
    // Only rules in error fail this gate, and none is: the examples alone fail it.
    let out = attest_in(&dir, &["eval", "--fail-on", "error"]);
    exit(&out, 1);
    let verdict = stderr(&out)
        .lines()
        .find(|l| l.starts_with("gate: "))
        .map(str::to_owned);
    assert!(
        verdict.as_deref().is_some_and(|v| v.starts_with(
            "gate: fail on error: failed by the example records `attest init` wrote, still in "
        ) && v.ends_with(" facts files")),
        "{verdict:?}"
    );
    // Every example deleted (the organization's records still to come): the same gate
    // passes, and says so without being asked.
    for entry in fs::read_dir(dir.join("facts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = fs::read_to_string(&path).unwrap();
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let emptied: serde_json::Map<String, serde_json::Value> = doc
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| match v {
                    serde_json::Value::Array(_) => (k.clone(), serde_json::json!([])),
                    _ => (k.clone(), v.clone()),
                })
                .collect();
            fs::write(&path, serde_json::to_string(&emptied).unwrap()).unwrap();
        }
    }
    let out = attest_in(&dir, &["eval", "--fail-on", "error"]);
    exit(&out, 0);
    assert!(
        stderr(&out).contains("gate: fail on error: passed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_on_a_file_says_it_is_a_file() {
    let dir = scratch("on-a-file");
    fs::write(dir.join("proj"), "mine\n").unwrap();
    let run = attest_in(&dir, &["init", "proj"]);
    exit(&run, 2);
    assert_eq!(
        stderr(&run),
        "error: proj: a file, not a folder: give the folder to set up (it is created if needed)\n"
    );
    let run = attest_in(&dir, &["init", "proj/sub"]);
    exit(&run, 2);
    assert_eq!(
        stderr(&run),
        "error: proj/sub: proj is a file, not a folder: give a folder to set up (it is created if needed)\n"
    );
    assert_eq!(fs::read_to_string(dir.join("proj")).unwrap(), "mine\n");
    assert_eq!(common::names(&dir), ["proj"]);
}
