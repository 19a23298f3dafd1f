//! `attest import --output` onto a file that is there: what it holds besides the import's
//! own records is never lost unseen (refused unless `--force`), and what people added to
//! the import's records (`approved_by`) is kept when the export is imported again.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest_in, exit, repo, scratch, stderr, write};
use serde_json::Value;
use std::fs;
use std::path::Path;

/// A sample of `examples/imports/`, as an absolute path.
fn sample(name: &str) -> String {
    repo()
        .join("examples/imports")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// `attest import SOURCE SAMPLE ARGS...` in `dir`.
fn import(dir: &Path, source: &str, file: &str, args: &[&str]) -> std::process::Output {
    let file = sample(file);
    let mut all = vec!["import", source, &file];
    all.extend_from_slice(args);
    attest_in(dir, &all)
}

fn aws(dir: &Path, output: &str) -> std::process::Output {
    import(
        dir,
        "aws-iam-credential-report",
        "aws-iam-credential-report.csv",
        &["--output", output],
    )
}

fn okta(dir: &Path, args: &[&str]) -> std::process::Output {
    import(dir, "okta-users", "okta-users.json", args)
}

#[test]
fn an_output_holding_more_than_the_import_writes_is_refused_unless_forced() {
    let dir = scratch("other-system");
    exit(&aws(&dir, "accounts.json"), 0);
    let before = fs::read_to_string(dir.join("accounts.json")).unwrap();
    // Another system's accounts onto the same file: refused, the file as it was.
    let run = okta(&dir, &["--output", "accounts.json"]);
    exit(&run, 2);
    assert_eq!(
        stderr(&run),
        "error: accounts.json: refusing to replace it: it holds 7 accounts on aws, which this import (accounts on okta) would remove: import into a file of its own (accounts-okta.json), or give --force to replace it\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("accounts.json")).unwrap(),
        before
    );
    // The same system's accounts are replaced.
    exit(&aws(&dir, "accounts.json"), 0);
    assert_eq!(
        fs::read_to_string(dir.join("accounts.json")).unwrap(),
        before
    );
    // A facts document's organization, another collection: named, kept.
    let org = write(
        &dir,
        "org.json",
        r#"{"schema_version": "1", "organization": {"name": "N"}}"#,
    );
    let run = okta(&dir, &["--output", "org.json"]);
    exit(&run, 2);
    assert!(
        stderr(&run).contains("it holds `schema_version`, `organization`, which this import (accounts on okta) would remove"),
        "{}",
        stderr(&run)
    );
    let people = write(&dir, "people.json", r#"{"people": []}"#);
    let run = okta(&dir, &["--output", "people.json"]);
    exit(&run, 2);
    assert!(
        stderr(&run).contains("it holds `people` (0 records)"),
        "{}",
        stderr(&run)
    );
    // With --force, replaced.
    exit(&okta(&dir, &["--output", &org, "--force"]), 0);
    let doc: Value = serde_json::from_str(&fs::read_to_string(&org).unwrap()).unwrap();
    assert_eq!(
        doc.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["accounts"]
    );
    exit(&okta(&dir, &["--output", &people, "--force"]), 0);
    // An empty file holds nothing.
    write(&dir, "empty.json", "\n");
    exit(&okta(&dir, &["--output", "empty.json"]), 0);
}

#[test]
fn fields_added_to_imported_accounts_outlive_the_next_import() {
    let dir = scratch("kept");
    exit(&aws(&dir, "accounts-aws.json"), 0);
    let path = dir.join("accounts-aws.json");
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for account in doc["accounts"].as_array_mut().unwrap() {
        let account = account.as_object_mut().unwrap();
        account.insert("approved_by".into(), "1001".into());
        account.insert("approved_on".into(), "2026-01-02".into());
        // A field the export fills is the export's: not kept.
        account.insert("mfa".into(), true.into());
    }
    // An account the export no longer has.
    doc["accounts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "system_id": "aws", "username": "gone.user", "kind": "human", "status": "active",
            "approved_by": "1001"
        }));
    fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let run = aws(&dir, "accounts-aws.json");
    exit(&run, 0);
    assert!(
        stderr(&run).ends_with(
            "kept from accounts-aws.json what the export does not give: approved_by, approved_on of 7 accounts\n\
             not kept: the export no longer has these accounts of accounts-aws.json, with fields it does not give: aws/gone.user\n"
        ),
        "{}",
        stderr(&run)
    );
    let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let accounts = doc["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 7);
    for account in accounts {
        assert_eq!(account["approved_by"], "1001", "{account}");
        assert_eq!(account["approved_on"], "2026-01-02", "{account}");
    }
    let no_mfa = accounts.iter().filter(|a| a["mfa"] == false).count();
    assert!(no_mfa > 0, "the export's mfa, not the edited one");
}

#[test]
fn fields_a_run_fills_only_from_a_file_it_was_not_given_are_kept() {
    let dir = scratch("not-given");
    let factors = sample("okta-factors.json");
    exit(
        &okta(&dir, &["--factors", &factors, "--output", "o.json"]),
        0,
    );
    let path = dir.join("o.json");
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let mfa: Vec<Value> = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["mfa"].clone())
        .collect();
    assert!(mfa.iter().all(Value::is_boolean), "{mfa:?}");
    let first = doc["accounts"][0].as_object_mut().unwrap();
    first.insert("privileged".into(), true.into());
    first.insert("person_id".into(), "1001".into());
    fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    // Again without --factors, --admins or --people: what those gave stays.
    let run = okta(&dir, &["--output", "o.json"]);
    exit(&run, 0);
    assert!(
        stderr(&run).ends_with(
            "kept from o.json what the export does not give: mfa, person_id, privileged of 10 accounts\n"
        ),
        "{}",
        stderr(&run)
    );
    let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let accounts = doc["accounts"].as_array().unwrap();
    let again: Vec<Value> = accounts.iter().map(|a| a["mfa"].clone()).collect();
    assert_eq!(again, mfa);
    assert_eq!(accounts[0]["privileged"], true);
    assert_eq!(accounts[0]["person_id"], "1001");
    // With --factors again, the export's mfa is the one written, not the kept one.
    let run = okta(&dir, &["--factors", &factors, "--output", "o.json"]);
    exit(&run, 0);
    assert!(
        stderr(&run).ends_with(
            "kept from o.json what the export does not give: person_id, privileged of 1 accounts\n"
        ),
        "{}",
        stderr(&run)
    );
}

#[test]
fn a_date_of_a_status_is_kept_only_while_the_status_is() {
    let dir = scratch("status-date");
    exit(&aws(&dir, "a.json"), 0);
    let path = dir.join("a.json");
    let mut doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for account in doc["accounts"].as_array_mut().unwrap() {
        let account = account.as_object_mut().unwrap();
        // The date it was disabled: on the disabled account, and wrongly on the active ones
        // (or left from when they were disabled, before they were enabled again).
        account.insert("disabled_on".into(), "2026-01-05".into());
        if account["username"] == "old-ci" {
            account.insert("status".into(), "active".into());
        }
        if account["username"] == "ben.okoye" {
            account.insert("status".into(), "disabled".into());
        }
    }
    fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    exit(&aws(&dir, "a.json"), 0);
    let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let dated: Vec<&str> = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a.get("disabled_on").is_some())
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    // Kept where the status stayed as it was: the five accounts active before and now (the
    // date an edit put there is theirs to take out); not on old-ci, now disabled, nor on
    // ben.okoye, enabled again.
    assert_eq!(
        dated,
        [
            "<root_account>",
            "ana.silva@nwlabs.example",
            "deploy-bot",
            "dev.patel@nwlabs.example",
            "legacy-admin"
        ]
    );
}

#[test]
fn a_broken_output_in_the_people_folder_does_not_stop_the_run_that_replaces_it() {
    let dir = scratch("broken-output");
    let facts = dir.join("facts");
    fs::create_dir_all(&facts).unwrap();
    let run = import(
        &dir,
        "csv",
        "bamboohr-employees.csv",
        &[
            "--mapping",
            &sample("mappings/bamboohr-people.toml"),
            "--output",
            "facts/people.json",
        ],
    );
    exit(&run, 0);
    write(&facts, "accounts-okta.json", "{\"accounts\": [");
    let args = ["--people", "facts/", "--output", "facts/accounts-okta.json"];
    // Not read for people: what it holds cannot be told, so it is replaced only when told to.
    let run = okta(&dir, &args);
    exit(&run, 2);
    assert_eq!(
        stderr(&run),
        "error: facts/accounts-okta.json: refusing to replace it: it is not JSON (line 1, column 15: EOF while parsing a list), so what it holds cannot be told: look at it, then remove it or give --force to replace it\n"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    exit(&okta(&dir, &forced), 0);
    let out = fs::read_to_string(facts.join("accounts-okta.json")).unwrap();
    assert!(
        out.contains("\"person_id\""),
        "linked to the folder's people"
    );
    // Another broken file of the folder is an error, as any input's.
    write(&facts, "other.json", "{");
    let run = okta(&dir, &args);
    exit(&run, 2);
    assert!(
        stderr(&run).contains("facts/other.json:1:2: invalid JSON"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn what_the_replaced_file_holds_wrongly_is_refused_there_not_lost_nor_blamed_on_the_export() {
    let dir = scratch("kept-wrong");
    let refused = |text: &str, args: &[&str]| -> String {
        let path = write(&dir, "accounts-aws.json", text);
        let mut all = vec!["--output", "accounts-aws.json"];
        all.extend_from_slice(args);
        let run = import(
            &dir,
            "aws-iam-credential-report",
            "aws-iam-credential-report.csv",
            &all,
        );
        exit(&run, 2);
        assert_eq!(fs::read_to_string(&path).unwrap(), text);
        stderr(&run)
    };
    // A value of `accounts` that is not an object (another system's account in an array)
    // would be lost unseen.
    let err = refused(
        r#"{"accounts": [[{"system_id": "okta", "username": "x"}], 1]}"#,
        &[],
    );
    assert_eq!(
        err,
        "error: accounts-aws.json: refusing to replace it: it holds 2 values of `accounts` that are not an object, which this import (accounts on aws) would remove: import into a file of its own, or give --force to replace it\n"
    );
    // One account twice with different approvals: which one is meant is not guessed.
    let twice = r#"{"accounts": [
        {"system_id": "aws", "username": "ben.okoye", "approved_by": "1001"},
        {"system_id": "aws", "username": "ben.okoye", "approved_by": "1002"}]}"#;
    assert_eq!(
        refused(twice, &[]),
        "error: accounts-aws.json: refusing to replace it: it holds accounts more than once, with different fields the export does not give (aws/ben.okoye), and which to keep is not guessed: remove the others, or give --force to keep the first's\n"
    );
    let path = write(&dir, "accounts-aws.json", twice);
    exit(&aws(&dir, "accounts-aws.json"), 2);
    let run = import(
        &dir,
        "aws-iam-credential-report",
        "aws-iam-credential-report.csv",
        &["--output", "accounts-aws.json", "--force"],
    );
    exit(&run, 0);
    let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let ben = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "ben.okoye")
        .unwrap();
    assert_eq!(ben["approved_by"], "1001");
    // A field kept that facts-v1 refuses is placed in the file it comes from.
    let err = refused(
        r#"{"accounts": [{"system_id": "aws", "username": "old"},
            {"system_id": "aws", "username": "ben.okoye", "approved_by": 5}]}"#,
        &[],
    );
    assert!(
        err.starts_with("error: accounts-aws.json: /accounts/1/approved_by: accounts[].approved_by: 5 is not of types"),
        "{err}"
    );
}
