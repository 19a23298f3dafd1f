//! The `attest` binary end to end: reports on the example organization (snapshots), exit
//! codes, bad input, runaway and throwing rules, determinism across thread counts.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest, attest_with, repo, scratch, stderr, stdout, write};
use std::fs;
use std::path::Path;

fn attest_with_env(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    attest_with(&repo(), args, env)
}

const ORG: &str = r#"{
  "schema_version": "1",
  "organization": {"name": "Tiny", "as_of": "2026-06-30"},
  "accounts": [
    {"system_id": "aws", "username": "root", "kind": "human", "status": "active", "privileged": true, "mfa": false},
    {"system_id": "aws", "username": "ci", "kind": "service", "status": "active", "privileged": false, "mfa": false}
  ]
}
"#;

/// A pack with two controls and the given rules (file name, control, body after the header).
fn pack(dir: &Path, rules: &[(&str, &str, &str)]) -> String {
    attest_tests::write_tiny_pack(dir, rules)
}

#[test]
fn text_report_on_the_example_organization() {
    let out = attest(&["eval", "examples/acme"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("eval_acme_text", stdout(&out));
}

#[test]
fn json_report_on_the_example_organization() {
    let out = attest(&["eval", "examples/acme", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("eval_acme_json", stdout(&out));
}

#[test]
fn reports_are_byte_identical_across_runs_and_thread_counts() {
    let args = ["eval", "examples/acme", "--format", "json"];
    let one = attest_with_env(&args, &[("RAYON_NUM_THREADS", "1")]);
    let many = attest_with_env(&args, &[("RAYON_NUM_THREADS", "8")]);
    let again = attest_with_env(&args, &[("RAYON_NUM_THREADS", "8")]);
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, many.stdout);
    assert_eq!(many.stdout, again.stdout);
}

#[test]
fn output_file_matches_stdout_and_special_files_are_written_in_place() {
    let dir = scratch("output");
    let file = dir.join("report.json");
    let to_file = attest(&[
        "eval",
        "examples/acme",
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(to_file.status.code(), Some(1));
    assert!(to_file.stdout.is_empty());
    let to_stdout = attest(&["eval", "examples/acme", "--format", "json"]);
    assert_eq!(fs::read(&file).unwrap(), to_stdout.stdout);
    let leftovers = fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 1, "only the report remains, no temporary file");

    let dev = attest(&[
        "eval",
        "examples/acme",
        "--format",
        "json",
        "--output",
        "/dev/stdout",
    ]);
    assert_eq!(dev.stdout, to_stdout.stdout);
    let dash = attest(&["eval", "examples/acme", "--format", "json", "--output", "-"]);
    assert_eq!(dash.stdout, to_stdout.stdout);
}

/// The text without its SGR escape codes (`ESC [ ... m`).
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("\x1b[") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('m').unwrap();
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn colour_when_forced_and_never_with_no_color() {
    let plain = attest(&["eval", "examples/acme"]);
    assert!(
        !stdout(&plain).contains('\x1b'),
        "pipes get no escape codes"
    );

    let forced = attest_with_env(&["eval", "examples/acme"], &[("CLICOLOR_FORCE", "1")]);
    let coloured = stdout(&forced);
    assert!(coloured.contains("\x1b[1mAttest\x1b[0m"), "{coloured}");
    assert!(coloured.contains("\x1b[31mfail\x1b[0m"), "{coloured}");
    assert!(
        coloured.contains("\x1b[2mnot in scope\x1b[0m"),
        "{coloured}"
    );
    assert_eq!(
        strip_sgr(&coloured),
        stdout(&plain),
        "colour adds escape codes only"
    );
    assert_eq!(forced.status.code(), plain.status.code());

    // NO_COLOR set and not empty wins over CLICOLOR_FORCE; set but empty, it does nothing.
    let no_color = attest_with_env(
        &["eval", "examples/acme"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert_eq!(stdout(&no_color), stdout(&plain));
    let empty = attest_with_env(
        &["eval", "examples/acme"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")],
    );
    assert_eq!(stdout(&empty), coloured);

    // Files never get colour.
    let dir = scratch("colour");
    let file = dir.join("report.txt");
    let to_file = attest_with_env(
        &["eval", "examples/acme", "--output", file.to_str().unwrap()],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert_eq!(to_file.status.code(), plain.status.code());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stdout(&plain));
}

#[test]
fn diff_colour_follows_the_same_switches() {
    let dir = scratch("diff-colour");
    let base = dir.join("base.json");
    let out = attest(&[
        "eval",
        "examples/acme",
        "--format",
        "json",
        "--output",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let base = base.to_str().unwrap();
    let forced = attest_with_env(&["diff", base, base], &[("CLICOLOR_FORCE", "1")]);
    assert!(stdout(&forced).contains("\x1b[1m"), "{}", stdout(&forced));
    let off = attest_with_env(
        &["diff", base, base],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(!stdout(&off).contains('\x1b'));
    assert_eq!(strip_sgr(&stdout(&forced)), stdout(&off));
}

#[test]
fn validate_accepts_the_example_and_rejects_bad_facts() {
    let ok = attest(&["validate", "examples/acme"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert_eq!(stdout(&ok), "facts are valid (13 files)\n");

    let dir = scratch("validate");
    let bad = write(
        &dir,
        "bad.json",
        &ORG.replace("\"mfa\": false}", "\"mfa\": \"no\"}"),
    );
    let out = attest(&["validate", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/accounts/0/mfa"), "{}", stderr(&out));
}

#[test]
fn evidence_for_a_criterion_the_pack_lacks_is_a_warning_or_with_strict_an_error() {
    let dir = scratch("unknown-criterion");
    let facts = ORG.replace(
        "  \"accounts\": [",
        "  \"evidence\": [\n    {\"control_id\": \"CC6.1\", \"title\": \"Access policy\", \"collected_on\": \"2026-01-10\"},\n    {\"control_id\": \"CC9.9\", \"title\": \"Vendor reviews\", \"collected_on\": \"2026-01-10\"}\n  ],\n  \"accounts\": [",
    );
    let file = write(&dir, "facts.json", &facts);
    let message = "`CC9.9` is not a criterion of pack soc2, so no criterion uses this evidence; did you mean `CC9.2`?";
    let warning = format!("warning: {file}:6: /evidence/1/control_id: {message}\n");
    // The built-in pack's criteria: `attest eval`'s pack, and `attest validate`'s without
    // --pack; with --pack, that pack's.
    for args in [
        vec!["validate", &file],
        vec!["validate", &file, "--pack", "rules/soc2"],
        vec!["eval", &file, "--format", "json"],
    ] {
        let out = attest(&args);
        assert_eq!(
            out.status.code(),
            Some(if args[0] == "eval" { 1 } else { 0 }),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(stderr(&out), warning, "{args:?}");
    }
    // Another pack has other criteria: tiny has CC6.1 and CC6.2 only.
    let tiny = pack(&dir, &[("ok", "CC6.1", "")]);
    let out = attest(&["validate", &file, "--pack", &tiny]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "warning: {file}:6: /evidence/1/control_id: `CC9.9` is not a criterion of pack tiny, so no criterion uses this evidence\n"
        )
    );
    // --strict: an error, nothing evaluated.
    for command in ["validate", "eval"] {
        let out = attest(&[command, "--strict", &file]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert_eq!(
            (stdout(&out), stderr(&out)),
            (
                String::new(),
                format!(
                    "error: 1 schema violation\n  {file}:6: /evidence/1/control_id: {message}\n"
                )
            ),
            "{command}"
        );
    }
    // A criterion of the pack: no warning.
    let fixed = write(&dir, "fixed.json", &facts.replace("CC9.9", "CC9.2"));
    let out = attest(&["validate", "--strict", &fixed]);
    assert_eq!((out.status.code(), stderr(&out)), (Some(0), String::new()));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn fields_facts_v1_does_not_define_are_warnings_or_with_strict_errors() {
    let dir = scratch("unknown-fields");
    let facts = ORG
        .replace(
            "\"privileged\": true, \"mfa\": false",
            "\"privileged\": true, \"mfa_enabled\": true",
        )
        .replace("\"accounts\": [", "\"acounts\": [],\n  \"accounts\": [");
    let file = write(&dir, "facts.json", &facts);
    let warnings = format!(
        "warning: {file}:4: /acounts: facts-v1 does not define `acounts` at the top level; did you mean `accounts`?\n\
         warning: {file}:6:118: /accounts/0/mfa_enabled: facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?\n"
    );
    // Warnings: the facts are still valid, and evaluated as they are (with `mfa` absent, the
    // root account fails the MFA rule).
    let out = attest(&["validate", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), warnings);
    assert_eq!(stdout(&out), "facts are valid (1 file)\n");
    let report = dir.join("report.json");
    let out = attest(&[
        "eval",
        &file,
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), warnings);
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    let mfa = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "access.mfa-privileged");
    assert_eq!(mfa.unwrap()["status"], "fail");
    fs::remove_file(&report).unwrap();

    // --strict: errors, every one listed, nothing evaluated or written.
    let errors = format!(
        "error: 2 schema violations\n  \
         {file}:4: /acounts: facts-v1 does not define `acounts` at the top level; did you mean `accounts`?\n  \
         {file}:6:118: /accounts/0/mfa_enabled: facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?\n"
    );
    let out = attest(&["validate", "--strict", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        (stdout(&out), stderr(&out)),
        (String::new(), errors.clone())
    );
    let out = attest(&[
        "eval",
        &file,
        "--strict",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        (stdout(&out), stderr(&out)),
        (String::new(), errors.clone())
    );
    assert!(!report.exists(), "nothing is written with --strict");

    // strict = true in attest.toml, for both commands.
    write(&dir, "attest.toml", "strict = true\n");
    let config = dir.join("attest.toml");
    let config = config.to_str().unwrap();
    for command in ["validate", "eval"] {
        let out = attest(&[command, &file, "--config", config]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert_eq!(stderr(&out), errors, "{command}");
    }
    write(&dir, "attest.toml", "strict = false\n");
    let out = attest(&["validate", &file, "--config", config]);
    assert_eq!(out.status.code(), Some(0));
    let out = attest(&["validate", "--strict", &file, "--config", config]);
    assert_eq!(out.status.code(), Some(2), "the flag wins");

    // Facts with every field defined: no warning, strict or not.
    let out = attest(&["validate", "--strict", &write(&dir, "clean.json", ORG)]);
    assert_eq!((out.status.code(), stderr(&out)), (Some(0), String::new()));
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let dir = scratch("malformed");
    let bad = write(
        &dir,
        "facts.json",
        "{\n  \"schema_version\": \"1\",\n  \"organization\": {\"name\": \"X\",}\n}\n",
    );
    let report = dir.join("report.json");
    let out = attest(&["eval", &bad, "--output", report.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("error: {bad}:3:32: invalid JSON: trailing comma\n")
    );
    assert!(!report.exists(), "no report is written for unusable facts");
}

#[test]
fn schema_violations_are_all_reported_with_file_line_column_and_pointer() {
    let dir = scratch("schema");
    let facts = ORG
        .replace("\"kind\": \"human\"", "\"kind\": \"robot\"")
        .replace("\"mfa\": false}\n  ]", "\"mfa\": 0}\n  ]")
        .replace(
            "{\"system_id\": \"aws\", \"username\": \"root\",",
            "{\"system_id\": \"aws\",",
        );
    let bad = write(&dir, "facts.json", &facts);
    let out = attest(&["eval", &bad]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    // Each at its value's line and column; a missing field at the record that lacks it.
    assert!(err.starts_with("error: 3 schema violations\n"), "{err}");
    assert!(
        err.contains(&format!(
            "{bad}:5:5: /accounts/0: \"username\" is a required property"
        )),
        "missing required field: {err}"
    );
    assert!(
        err.contains(&format!(
            "{bad}:5:34: /accounts/0/kind: \"robot\" is not one of"
        )),
        "unknown enum value: {err}"
    );
    assert!(
        err.contains(&format!(
            "{bad}:6:111: /accounts/1/mfa: 0 is not of type \"boolean\""
        )),
        "wrong type: {err}"
    );
}

#[test]
fn a_violation_of_the_whole_document_names_its_file_when_there_is_one() {
    let dir = scratch("schema-root");
    let bad = write(
        &dir,
        "facts/a.json",
        &ORG.replace("\"schema_version\": \"1\",", ""),
    );
    let out = attest(&["eval", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: 1 schema violation\n  {bad}: /: \"schema_version\" is a required property\n"
        )
    );
    // Of two files, the document they make up is in neither.
    write(&dir, "facts/b.json", "{\"devices\": []}");
    let out = attest(&["eval", dir.join("facts").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).ends_with("\n  /: \"schema_version\" is a required property\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_key_set_by_two_files_is_an_error_naming_both() {
    let dir = scratch("conflict");
    write(&dir, "facts/a.json", ORG);
    write(
        &dir,
        "facts/b.json",
        "{\"organization\": {\"name\": \"Other\"}}",
    );
    let out = attest(&["eval", dir.join("facts").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`organization` is set by both"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("a.json and "), "{}", stderr(&out));
}

#[test]
fn a_facts_file_given_twice_is_refused_as_given_twice() {
    let dir = scratch("given-twice");
    write(&dir, "f1/a.json", ORG);
    write(&dir, "f1/b.json", "{\"accounts\": []}");
    for (args, says) in [
        (
            vec!["f1/a.json", "f1/a.json"],
            "f1/a.json is given twice: give each facts file once",
        ),
        (
            vec!["f1/a.json", "./f1/a.json"],
            "f1/a.json is given twice (again as ./f1/a.json): give each facts file once",
        ),
        (
            vec!["f1", "f1/b.json"],
            "f1/b.json is given twice: give each facts file once",
        ),
        (
            vec!["f1/a.json", "f1/../f1"],
            "f1/a.json is given twice (again as f1/../f1/a.json): give each facts file once",
        ),
    ] {
        let mut all = vec!["eval"];
        all.extend(&args);
        let out = common::attest_in(&dir, &all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("set by both"), "{}", stderr(&out));
    }
    // Two different files still merge.
    let out = common::attest_in(&dir, &["eval", "f1/a.json", "f1/b.json"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn two_records_with_one_key_are_an_error_naming_both() {
    let dir = scratch("duplicate-key");
    let first = write(&dir, "facts/a.json", ORG);
    let second = write(
        &dir,
        "facts/b.json",
        r#"{
  "accounts": [
    {"system_id": "aws", "username": "deploy", "kind": "service", "status": "active"},
    {"system_id": "aws", "username": "root", "kind": "human", "status": "disabled"}
  ]
}
"#,
    );
    let folder = dir.join("facts");
    for command in ["validate", "eval"] {
        let out = attest(&[command, folder.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!(
                "error: 1 schema violation\n  {second}:4: /accounts/3: duplicate key \
                 accounts/aws/root: also at {first}:5 (/accounts/0)\n"
            ),
            "{command}"
        );
        assert_eq!(stdout(&out), "", "{command}");
    }
}

#[test]
fn runaway_and_throwing_rules_error_while_the_others_still_run() {
    let dir = scratch("runaway");
    let facts = write(&dir, "facts.json", ORG);
    let pack = pack(
        &dir,
        &[
            ("loops", "CC6.1", "loop { }\n"),
            (
                "closure-loops",
                "CC6.1",
                "let n = facts.accounts.filter(|a| { loop { } });\n",
            ),
            (
                "throws",
                "CC6.1",
                "let x = 1;\nthrow `no answer for ${x}`;\n",
            ),
            (
                "mfa",
                "CC6.2",
                "for a in facts.accounts { if a.privileged && !a.mfa { fail(a, `${a.username} has no MFA`); } }\n",
            ),
        ],
    );
    // The operation budget stops the loops, whatever the machine's speed: no time budget
    // that a loaded machine's debug build could reach first.
    let out = attest(&[
        "eval",
        &facts,
        "--pack",
        &pack,
        "--format",
        "json",
        "--rule-timeout",
        "3600",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = &report["rules"];
    let by_id = |id: &str| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    for id in ["t.loops", "t.closure-loops"] {
        let r = by_id(id);
        assert_eq!(r["status"], "error", "{r}");
        assert_eq!(
            r["error"]["message"], "the rule exceeded its budget of 50000000 operations",
            "{r}"
        );
    }
    let throws = by_id("t.throws");
    assert_eq!(throws["status"], "error");
    assert_eq!(throws["error"]["message"], "no answer for 1");
    assert_eq!(throws["error"]["line"], 9);
    assert_eq!(throws["error"]["file"], "rules/throws.rhai");
    assert_eq!(report["controls"][0]["status"], "error");
    let mfa = by_id("t.mfa");
    assert_eq!(mfa["status"], "fail");
    assert_eq!(mfa["findings"][0]["entity"], "/accounts/0");
    assert_eq!(mfa["findings"][0]["message"], "root has no MFA");
}

#[test]
fn a_pack_naming_an_unknown_control_is_unusable() {
    let dir = scratch("unknown-control");
    let facts = write(&dir, "facts.json", ORG);
    let pack = pack(&dir, &[("ok", "CC99.1", "let x = 1;\n")]);
    let out = attest(&["eval", &facts, "--pack", &pack]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: {pack}: the pack has 1 problem\n  {pack}/rules/ok.rhai:3:17: error[unknown-control]: unknown control `CC99.1`: not in the pack's controls.toml\n"
        )
    );
}

#[test]
fn a_rule_with_a_syntax_error_is_reported_with_its_position() {
    let dir = scratch("syntax");
    let facts = write(&dir, "facts.json", ORG);
    let pack = pack(&dir, &[("broken", "CC6.1", "let x = ;\n")]);
    let out = attest(&["eval", &facts, "--pack", &pack]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!(
            "\n  {pack}/rules/broken.rhai:8:9: error[syntax-error]: syntax error:"
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_command_that_loads_a_pack_folder_names_its_files_as_check_does() {
    let dir = scratch("pack-file-names");
    write(&dir, "facts.json", ORG);
    // A rule that does not compile, and (in `other/pack`) one on a control the pack lacks.
    pack(&dir, &[("broken", "CC6.1", "let x = ;\n")]);
    pack(&dir.join("other"), &[("broken", "CC99.1", "let x = 1;\n")]);
    let compiles = "pack/rules/broken.rhai:8:9: error[syntax-error]";
    let unknown = "other/pack/rules/broken.rhai:3:17: error[unknown-control]";
    let check = common::attest_in(&dir, &["check", "pack"]);
    assert!(
        stdout(&check).contains("--> pack/rules/broken.rhai:8:9"),
        "{}",
        stdout(&check)
    );
    for (pack, at) in [("pack", compiles), ("other/pack", unknown)] {
        for args in [
            &["eval", "facts.json"][..],
            &["vendors", "facts.json"],
            &["todo", "facts.json"],
            &["sample", "t.broken", "facts.json"],
            &["validate", "facts.json"],
            &["explain", "t.broken"],
            &["list", "rules"],
        ] {
            if pack == "pack" && ["validate", "explain", "list"].contains(&args[0]) {
                continue; // these read the pack, never compile its rules
            }
            let mut args = args.to_vec();
            args.extend(["--pack", pack]);
            let out = common::attest_in(&dir, &args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(&format!("\n  {at}")),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
    // A pack extending a broken one names the base's files with the base's folder.
    write(
        &dir,
        "child/pack.toml",
        "name = \"child\"\nversion = \"0.1.0\"\nextends = \"../pack\"\n",
    );
    let out = common::attest_in(&dir, &["eval", "facts.json", "--pack", "child"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("\n  {compiles}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exit_zero_when_nothing_fails_and_params_override_defaults() {
    let dir = scratch("clean");
    let facts = write(&dir, "facts.json", ORG);
    let pack_dir = pack(
        &dir,
        &[
            (
                "few",
                "CC6.1",
                "tested(facts.accounts);\nif facts.accounts.len() > params.max_accounts { fail(\"too many accounts\"); }\n",
            ),
            (
                "quiet",
                "CC6.2",
                "for a in facts.accounts { let x = a.username; }\n",
            ),
        ],
    );
    let manifest = Path::new(&pack_dir).join("pack.toml");
    let mut text = fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[params.max_accounts]\ntype = \"integer\"\ndefault = 5\ndescription = \"Most accounts allowed\"\n");
    fs::write(&manifest, text).unwrap();
    let ok = attest(&["eval", &facts, "--pack", &pack_dir]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let strict = attest(&[
        "eval",
        &facts,
        "--pack",
        &pack_dir,
        "--param",
        "max_accounts=1",
    ]);
    assert_eq!(strict.status.code(), Some(1));
    let wrong = attest(&[
        "eval",
        &facts,
        "--pack",
        &pack_dir,
        "--param",
        "max_accounts=lots",
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    assert_eq!(
        stderr(&wrong),
        "error: --param max_accounts: expected an integer, got \"lots\"\n"
    );
}

#[test]
fn as_of_is_required_somewhere_and_validated() {
    let dir = scratch("as-of");
    let facts = write(
        &dir,
        "facts.json",
        &ORG.replace(", \"as_of\": \"2026-06-30\"", ""),
    );
    let out = attest(&["eval", &facts]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no as-of date"), "{}", stderr(&out));
    let bad = attest(&["eval", &facts, "--as-of", "2026-02-30"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("`2026-02-30` is not a date"),
        "{}",
        stderr(&bad)
    );
    let ok = attest(&["eval", &facts, "--as-of", "2026-06-30", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["evaluated_on"], "2026-06-30");
    assert_eq!(report["facts"]["as_of"], serde_json::Value::Null);
}

#[test]
fn sandbox_limits_are_set_from_the_command_line() {
    let dir = scratch("limits");
    let facts = write(&dir, "facts.json", ORG);
    let pack = pack(
        &dir,
        &[
            ("loops", "CC6.1", "loop { }\n"),
            ("quiet", "CC6.2", "let x = 1;\n"),
        ],
    );
    let message = |args: &[&str]| {
        let mut all = vec![
            "eval",
            facts.as_str(),
            "--pack",
            pack.as_str(),
            "--format",
            "json",
        ];
        all.extend_from_slice(args);
        let out = attest(&all);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["rules"][0]["error"]["message"].clone()
    };
    assert_eq!(
        message(&["--max-operations", "1000"]),
        "the rule exceeded its budget of 1000 operations"
    );
    assert_eq!(
        message(&["--max-operations", "0", "--rule-timeout", "0.2"]),
        "the rule exceeded its time budget"
    );
    // A huge timeout is refused, not a panic; so are negative, zero, NaN and infinite ones.
    for (value, says) in [
        ("1e30", "`1e30` seconds is out of range"),
        ("-1", "`-1` is not a positive number of seconds"),
        ("0", "`0` is not a positive number of seconds"),
        ("NaN", "`NaN` is not a positive number of seconds"),
        ("inf", "`inf` is not a positive number of seconds"),
    ] {
        let flag = format!("--rule-timeout={value}");
        let bad = attest(&["eval", &facts, &flag]);
        assert_eq!(bad.status.code(), Some(2), "{value}: {}", stderr(&bad));
        assert!(stderr(&bad).contains(says), "{value}: {}", stderr(&bad));
        assert!(!stderr(&bad).contains("panicked"), "{}", stderr(&bad));
    }
    // The largest timeout a duration can hold is no limit, and no overflow.
    let out = attest(&[
        "eval",
        &facts,
        "--pack",
        &pack,
        "--format",
        "json",
        "--max-operations",
        "1000",
        "--rule-timeout",
        "1e19",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(
        message(&[
            "--max-findings",
            "0",
            "--max-memory",
            "0",
            "--max-operations",
            "500"
        ]),
        "the rule exceeded its budget of 500 operations"
    );
}

#[test]
fn a_key_given_twice_in_an_object_is_refused_with_its_place() {
    let dir = scratch("duplicate-json-key");
    let facts = write(
        &dir,
        "facts.json",
        "{\"schema_version\": \"1\",\n \"organization\": {\"name\": \"T\", \"as_of\": \"2026-06-30\"},\n \"accounts\": [{\"system_id\": \"aws\", \"username\": \"root\", \"kind\": \"human\",\n   \"status\": \"active\", \"privileged\": true, \"mfa\": false, \"mfa\": true}]}\n",
    );
    for command in ["validate", "eval"] {
        let o = attest(&[command, &facts]);
        assert_eq!(o.status.code(), Some(2), "{command}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("facts.json:4:")
                && stderr(&o).contains("the key `mfa` is given twice in one object"),
            "{command}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn every_command_names_an_output_folder_that_is_not_there() {
    let dir = scratch("missing-output-folder");
    let acme = repo().join("examples/acme");
    let acme = acme.to_str().unwrap();
    let base = dir.join("base.json");
    let o = attest(&[
        "eval",
        acme,
        "--format",
        "json",
        "--output",
        base.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let base = base.to_str().unwrap();
    for args in [
        vec!["eval", acme],
        vec!["todo", acme],
        vec!["vendors", acme],
        vec!["sample", "access.mfa-privileged", acme, "--seed", "1"],
        vec!["diff", base, base],
        vec!["test", "soc2", "--filter", "access.mfa-privileged"],
    ] {
        let mut args = args.clone();
        args.extend(["--output", "reports/out.txt"]);
        let o = common::attest_in(&dir, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            "error: reports/out.txt: the folder reports does not exist\n",
            "{args:?}"
        );
        assert!(!dir.join("reports").exists(), "{args:?}");
    }
}
