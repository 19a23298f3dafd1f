//! SOC 2 Type 2 from the command line: the audit period (`--period`, `attest.toml`, the
//! facts) and its errors, `--populations DIR`, `attest sample`, and `--evidence-root DIR`.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::Value;
use std::fs;

/// A small organization: one leaver of the period whose account was disabled two weeks
/// late, two changes (one before the period), and evidence naming local files.
const ORG: &str = r#"{"schema_version": "1",
  "organization": {"name": "Tiny", "as_of": "2026-06-30", "audit_period": {"start": "2026-01-01", "end": "2026-06-30"}},
  "people": [
    {"id": "p1", "name": "Ann Lee", "kind": "employee", "employment": {"status": "terminated", "start_date": "2022-01-03", "end_date": "2026-03-02"}},
    {"id": "p2", "name": "Ben Ode", "kind": "employee", "employment": {"status": "active", "start_date": "2021-01-04"}}
  ],
  "accounts": [
    {"system_id": "aws", "username": "ann", "person_id": "p1", "kind": "human", "status": "disabled", "disabled_on": "2026-03-16"},
    {"system_id": "aws", "username": "ben", "person_id": "p2", "kind": "human", "status": "active"}
  ],
  "changes": [
    {"id": "C-1", "system_id": "aws", "deployed_on": "2025-12-20", "author_id": "p2"},
    {"id": "C-2", "system_id": "aws", "deployed_on": "2026-02-01", "author_id": "p2", "approved_by": "p1"},
    {"id": "C-3", "system_id": "aws", "deployed_on": "2026-03-01", "author_id": "p2", "approved_by": "p1"}
  ],
  "evidence": [
    {"control_id": "CC2.1", "title": "Data flows", "uri": "flows.txt", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "collected_on": "2025-12-01"},
    {"control_id": "CC1.2", "title": "Board minutes", "uri": "board/minutes.txt", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "collected_on": "2025-12-01"},
    {"control_id": "CC1.3", "title": "Org chart", "uri": "org.txt", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "collected_on": "2025-12-01"},
    {"control_id": "CC1.5", "title": "Escapes", "uri": "../secret.txt", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "collected_on": "2025-12-01"},
    {"control_id": "CC2.3", "title": "Online", "uri": "https://example.com/x.pdf", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "collected_on": "2025-12-01"}
  ]
}"#;

fn report(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
}

fn rule<'r>(report: &'r Value, id: &str) -> &'r Value {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
}

#[test]
fn the_period_comes_from_the_flag_the_configuration_or_the_facts() {
    let dir = scratch("period");
    let facts = write(&dir, "facts.json", ORG);
    // From the facts: the leaver disabled late is an exception.
    let out = attest(&["eval", &facts, "--format", "json"]);
    exit(&out, 1);
    let r = report(&out);
    assert_eq!(r["period"]["start"], "2026-01-01");
    let leavers = rule(&r, "access.leaver-accounts");
    assert_eq!(leavers["status"], "fail");
    assert!(
        leavers["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("13 days late"),
        "{leavers}"
    );
    // The flag wins, and says so: a period after the leaver left has no leaver.
    let out = attest(&[
        "eval",
        &facts,
        "--period",
        "2026-04-01..2026-06-30",
        "--format",
        "json",
    ]);
    assert!(
        stderr(&out).contains(
            "note: the audit period 2026-04-01..2026-06-30 overrides organization.audit_period 2026-01-01..2026-06-30 of the facts"
        ),
        "{}",
        stderr(&out)
    );
    let r = report(&out);
    assert_eq!(r["period"]["start"], "2026-04-01");
    assert_eq!(
        rule(&r, "access.leaver-accounts")["status"],
        "not_applicable"
    );
    // Changes before the period are out of its scope.
    assert_eq!(rule(&r, "changes.approval")["population"]["tested"], 0);
    // attest.toml's period, under the flag.
    let config = write(&dir, "attest.toml", "period = \"2026-02-15..2026-06-30\"\n");
    let out = attest(&["eval", &facts, "--config", &config, "--format", "json"]);
    assert_eq!(report(&out)["period"]["start"], "2026-02-15");
    let out = attest(&[
        "eval",
        &facts,
        "--config",
        &config,
        "--period",
        "2026-03-01..2026-06-30",
        "--format",
        "json",
    ]);
    assert_eq!(report(&out)["period"]["start"], "2026-03-01");
    // Without an as-of date, the as-of date is the period's end.
    let undated = write(
        &dir,
        "undated.json",
        &ORG.replace(r#""as_of": "2026-06-30", "#, ""),
    );
    let out = attest(&["eval", &undated, "--format", "json"]);
    let r = report(&out);
    assert_eq!(r["evaluated_on"], "2026-06-30");
    assert_eq!(r["facts"]["as_of"], Value::Null);
    // Without any period: the point-in-time report, with no `period` at all.
    let plain = write(
        &dir,
        "plain.json",
        &ORG.replace(
            r#", "audit_period": {"start": "2026-01-01", "end": "2026-06-30"}"#,
            "",
        ),
    );
    let out = attest(&["eval", &plain, "--format", "json"]);
    let r = report(&out);
    assert!(r.get("period").is_none());
    assert_eq!(rule(&r, "access.leaver-accounts")["status"], "pass");
    assert_eq!(rule(&r, "changes.approval")["population"]["tested"], 3);
    let text = stdout(&attest(&["eval", &plain]));
    assert!(!text.contains("Audit period"), "{text}");
    let text = stdout(&attest(&["eval", &facts]));
    assert!(
        text.contains(
            "Audit period 2026-01-01 to 2026-06-30 (Type 2): rules judge every day of it, but 7 judge the as-of date alone"
        ),
        "{text}"
    );
}

#[test]
fn bad_and_mismatched_periods_are_clear_errors() {
    let dir = scratch("bad-period");
    let facts = write(&dir, "facts.json", ORG);
    for (period, says) in [
        (
            "2026-06-30..2026-01-01",
            "the audit period 2026-06-30..2026-01-01 ends before it starts",
        ),
        (
            "2026-01-01/2026-06-30",
            "`2026-01-01/2026-06-30` is not an audit period: expected START..END",
        ),
        (
            "2026-01-01..2026-12-31",
            "the as-of date 2026-06-30 is before the end of the audit period 2026-01-01..2026-12-31: a period is judged once it is over (for the period so far, end it at the as-of date: --period 2026-01-01..2026-06-30) (the as-of date is from FACTS:2 /organization/as_of; the period from --period)",
        ),
    ] {
        let out = attest(&["eval", &facts, "--period", period]);
        exit(&out, 2);
        let says = says.replace("FACTS", &facts);
        assert!(stderr(&out).contains(&says), "{period}: {}", stderr(&out));
        assert_eq!(stdout(&out), "");
    }
    // An as-of date before the period starts suggests no period that ends before it starts.
    let out = attest(&["eval", &facts, "--as-of", "1900-01-01"]);
    exit(&out, 2);
    assert!(
        stderr(&out).contains(
            &format!("the as-of date 1900-01-01 is before the audit period 2026-01-01..2026-06-30 starts: a period is judged once it is over (give an as-of date of 2026-06-30 or later, or a period that ends by 1900-01-01) (the as-of date is from --as-of; the period from {facts}:2 /organization/audit_period)")
        ),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("--period"), "{}", stderr(&out));
    // A period the facts state backwards is a violation with its place.
    let reversed = write(
        &dir,
        "reversed.json",
        &ORG.replace(
            r#""start": "2026-01-01", "end": "2026-06-30""#,
            r#""start": "2026-06-30", "end": "2026-01-01""#,
        ),
    );
    for command in ["validate", "eval"] {
        let out = attest(&[command, &reversed]);
        exit(&out, 2);
        assert!(
            stderr(&out).contains(&format!(
                "{reversed}:2:75: /organization/audit_period: the audit period 2026-06-30..2026-01-01 ends before it starts"
            )),
            "{command}: {}",
            stderr(&out)
        );
    }
    // And one missing its end breaks the schema.
    let half = write(
        &dir,
        "half.json",
        &ORG.replace(r#", "end": "2026-06-30""#, ""),
    );
    let out = attest(&["validate", &half]);
    exit(&out, 2);
    assert!(
        stderr(&out).contains("/organization/audit_period"),
        "{}",
        stderr(&out)
    );
    let config = write(&dir, "attest.toml", "period = \"soon\"\n");
    let out = attest(&["eval", &facts, "--config", &config]);
    exit(&out, 2);
    assert!(
        stderr(&out).contains("attest.toml:1:10: period: `soon` is not an audit period"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn populations_are_written_per_rule_as_csv_and_json() {
    let dir = scratch("populations");
    let facts = write(&dir, "facts.json", ORG);
    let pop = dir.join("pop");
    let out = attest(&[
        "eval",
        &facts,
        "--populations",
        pop.to_str().unwrap(),
        "--format",
        "json",
    ]);
    exit(&out, 1);
    // The report itself is the same as without populations.
    let plain = attest(&["eval", &facts, "--format", "json"]);
    assert_eq!(stdout(&out), stdout(&plain));
    let csv = fs::read_to_string(pop.join("access.leaver-accounts.csv")).unwrap();
    assert_eq!(
        csv,
        format!(
            "key,source,entity,outcome\r\n\
             accounts/aws/ann,{facts}:8,/accounts/0,exception\r\n\
             people/p1,{facts}:4,/people/0,exception\r\n"
        )
    );
    let json: Value =
        serde_json::from_str(&fs::read_to_string(pop.join("access.leaver-accounts.json")).unwrap())
            .unwrap();
    assert_eq!(json["rule"], "access.leaver-accounts");
    assert_eq!(json["period"]["end"], "2026-06-30");
    assert_eq!(json["tested"], 2);
    assert_eq!(json["records"][0]["outcome"], "exception");
    assert_eq!(json["records"][0]["source"]["line"], 8);
    // Changes of the period only; evidence checks in their own folder; an index of them all.
    let changes = fs::read_to_string(pop.join("changes.approval.csv")).unwrap();
    assert!(changes.contains("changes/C-2,") && !changes.contains("changes/C-1,"));
    assert!(pop.join("evidence/CC1.2.csv").is_file());
    let index = fs::read_to_string(pop.join("index.csv")).unwrap();
    assert!(index.starts_with("rule,status,tested,exceptions,csv,json\r\n"));
    assert!(index.contains(
        "access.leaver-accounts,fail,2,2,access.leaver-accounts.csv,access.leaver-accounts.json\r\n"
    ));
    assert!(index.contains("evidence/CC1.2,"));
    // Never into a folder the run reads.
    let out = attest(&[
        "eval",
        dir.to_str().unwrap(),
        "--populations",
        dir.to_str().unwrap(),
    ]);
    exit(&out, 2);
    assert!(
        stderr(&out).contains("refusing to write there: the run reads files of that folder"),
        "{}",
        stderr(&out)
    );
    let out = attest(&["eval", &facts, "--populations", &facts]);
    exit(&out, 2);
    assert!(stderr(&out).contains("not a folder"), "{}", stderr(&out));
    let out = attest(&["eval", &facts, "--populations", "/no/such/place/pop"]);
    exit(&out, 2);
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}

#[test]
fn samples_are_reproducible_and_say_how_they_were_drawn() {
    let dir = scratch("sample");
    let facts = write(&dir, "facts.json", ORG);
    let draw = |extra: &[&str]| {
        let mut args = vec!["sample", "changes.approval", facts.as_str()];
        args.extend(extra);
        attest(&args)
    };
    let a = draw(&["--seed", "42", "--size", "1", "--format", "json"]);
    exit(&a, 0);
    let b = draw(&["--seed", "42", "--size", "1", "--format", "json"]);
    assert_eq!(
        stdout(&a),
        stdout(&b),
        "the same seed gives the same sample"
    );
    let s: Value = serde_json::from_str(&stdout(&a)).unwrap();
    assert_eq!(s["seed"], 42);
    assert_eq!(s["size"], 1);
    assert_eq!(s["population"], 2, "the changes of the period");
    assert_eq!(s["frequency"], "event");
    assert_eq!(s["records"].as_array().unwrap().len(), 1);
    assert!(s["generator"].as_str().unwrap().starts_with("ChaCha20"));
    // Some seed draws the other change: every record can be drawn.
    let keys: std::collections::BTreeSet<String> = (0..20)
        .map(|seed| {
            let o = draw(&[
                "--seed",
                &seed.to_string(),
                "--size",
                "1",
                "--format",
                "json",
            ]);
            let s: Value = serde_json::from_str(&stdout(&o)).unwrap();
            s["records"][0]["key"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    // The default size follows the rule's frequency: all of a small population here.
    let text = stdout(&draw(&["--seed", "7"]));
    assert!(
        text.starts_with(
            "Sample of changes.approval (event control): 2 of 2 records (size 25), seed 7\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("audit period 2026-01-01 to 2026-06-30"),
        "{text}"
    );
    // A quarterly rule's size is the pack's parameter, which --param overrides.
    let o = draw(&["--seed", "1", "--format", "json"]);
    let s: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(s["size"], 25);
    assert!(s.get("params").is_none(), "no parameter set: {s}");
    let o = draw(&[
        "--seed",
        "1",
        "--param",
        "sample_size_event=1",
        "--format",
        "json",
    ]);
    let s: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(s["size"], 1);
    assert_eq!(s["records"].as_array().unwrap().len(), 1);
    // The sample records the parameters its evaluation set, as reports do.
    assert_eq!(
        s["params"],
        serde_json::json!({"sample_size_event": {"value": 1, "default": 25}})
    );
    let text = stdout(&draw(&["--seed", "1", "--param", "sample_size_event=1"]));
    assert!(
        text.contains("\nParameters set for this run: sample_size_event = 1 (pack default: 25)\n"),
        "{text}"
    );
    // Without a seed, a fresh one is drawn and shown.
    let text = stdout(&draw(&[]));
    assert!(text.contains(", seed "), "{text}");
    // Into a file, atomically; never over the facts.
    let file = dir.join("sample.txt");
    exit(
        &draw(&["--seed", "3", "--output", file.to_str().unwrap()]),
        0,
    );
    assert!(fs::read_to_string(&file).unwrap().contains("seed 3"));
    let o = draw(&["--seed", "3", "--output", &facts]);
    exit(&o, 2);
    // An evidence check is not a rule to sample: its population is listed whole.
    let o = attest(&["sample", "evidence/CC1.2", &facts]);
    exit(&o, 2);
    assert!(
        stderr(&o).starts_with(
            "error: `evidence/CC1.2` is the evidence check of CC1.2, not a rule of the pack"
        ) && stderr(&o).contains("DIR/evidence/CC1.2.csv"),
        "{}",
        stderr(&o)
    );
    // A criterion is sampled through its rules, which the error names; a name close to a
    // criterion is never offered as a rule.
    let o = attest(&["sample", "CC8.1", &facts]);
    exit(&o, 2);
    assert!(
        stderr(&o).starts_with(
            "error: `CC8.1` is a criterion, not a rule: sample one of the rules that judge it: \
             changes.approval, changes.tested"
        ),
        "{}",
        stderr(&o)
    );
    let o = attest(&["sample", "CC1.2", &facts]);
    assert!(
        stderr(&o)
            .contains("`CC1.2` is a criterion, not a rule, and no rule of the pack judges it"),
        "{}",
        stderr(&o)
    );
    let o = attest(&["sample", "CC9.9", &facts]);
    assert_eq!(stderr(&o), "error: no rule `CC9.9` in the pack\n");
    // A rule the pack disabled is said to be, with the pack's reason.
    let o = attest(&[
        "sample",
        "changes.tested",
        "examples/acme",
        "--pack",
        "examples/acme-pack",
    ]);
    exit(&o, 2);
    assert!(
        stderr(&o).starts_with(
            "error: `changes.tested` is disabled by pack acme: it judges nothing, so there is no population to sample. The pack's reason: Acme's deploy pipeline"
        ),
        "{}",
        stderr(&o)
    );
    // Unknown rules say what is close.
    let o = attest(&["sample", "changes.aproval", &facts]);
    exit(&o, 2);
    assert!(
        stderr(&o)
            .contains("no rule `changes.aproval` in the pack; did you mean `changes.approval`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_sample_of_no_record_is_refused() {
    let dir = scratch("sample-size-0");
    let facts = write(&dir, "facts.json", ORG);
    let o = attest(&["sample", "changes.approval", &facts, "--size", "0"]);
    exit(&o, 2);
    assert!(
        stderr(&o).contains("--size must be at least 1"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    let o = attest(&["sample", "changes.approval", &facts, "--size=-1"]);
    exit(&o, 2);
    assert!(stderr(&o).contains("at least 1"), "{}", stderr(&o));
    // A pack parameter of 0 is refused too, naming the parameter.
    let o = attest(&[
        "sample",
        "changes.approval",
        &facts,
        "--param",
        "sample_size_event=0",
    ]);
    exit(&o, 2);
    assert!(
        stderr(&o)
            .contains("parameter `sample_size_event`: expected a sample size of 1 or more, got 0"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_rule_out_of_scope_has_no_population_to_sample() {
    // Acme's scope leaves Privacy out: privacy.complaints is not run, tests nothing, and its
    // population file is empty; a sample of it draws nothing either, and says why.
    let acme = repo().join("examples/acme");
    let facts = acme.to_str().unwrap();
    let o = attest(&[
        "sample",
        "privacy.complaints",
        facts,
        "--seed",
        "1",
        "--format",
        "json",
    ]);
    exit(&o, 0);
    let sample = report(&o);
    assert_eq!(sample["population"], 0, "{sample}");
    assert_eq!(sample["records"], serde_json::json!([]), "{sample}");
    assert!(
        stderr(&o).contains("privacy.complaints is not applicable (its criteria are out of scope)"),
        "{}",
        stderr(&o)
    );
    let o = attest(&["eval", facts, "--format", "json"]);
    let r = report(&o);
    assert_eq!(rule(&r, "privacy.complaints")["population"]["tested"], 0);
}

#[test]
fn the_evidence_root_checks_each_file_against_its_hash() {
    let (dir, facts, root) = evidence_case("evidence-root");
    write(&root, "flows.txt", "abc");
    write(&root, "org.txt", "abd");
    // board/minutes.txt is missing; ../secret.txt leaves the root; the URL is not checked.
    write(&dir, "secret.txt", "abc");
    let r = eval_with_root(&facts, &root);
    assert_eq!(rule(&r, "evidence-files/CC2.1")["status"], "pass");
    assert_eq!(control(&r, "CC2.1")["evidence"][0]["file"], "verified");
    for (id, check, says) in [
        (
            "CC1.2",
            "missing",
            "the file board/minutes.txt could not be read from the evidence root: no such file",
        ),
        ("CC1.3", "mismatch", "the file org.txt has SHA-256 "),
        (
            "CC1.5",
            "outside_root",
            "its uri ../secret.txt leaves the evidence root",
        ),
    ] {
        fails_its_file_check(&r, id, says);
        let c = control(&r, id);
        assert_eq!(
            c["status"], "fail",
            "a failing file check fails its criterion"
        );
        assert!(
            c["rules"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == &format!("evidence-files/{id}"))
        );
        assert_eq!(c["evidence"][0]["file"], check);
    }
    assert!(
        r["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != "evidence-files/CC2.3")
    );
    assert!(control(&r, "CC2.3")["evidence"][0].get("file").is_none());
    // Without the root, no file is checked and no criterion fails for it.
    let r = report(&attest(&["eval", &facts, "--format", "json"]));
    assert!(
        r["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| !x["id"].as_str().unwrap().starts_with("evidence-files/"))
    );
    assert_eq!(control_status(&r, "CC1.2"), "pass");
    // A root that is not a folder is an error before anything is evaluated.
    let out = attest(&["eval", &facts, "--evidence-root", &facts]);
    exit(&out, 2);
    assert!(stderr(&out).contains("not a folder"), "{}", stderr(&out));
}

/// A link in the evidence root that leads out of it is `outside_root`, as a `..` that leaves
/// it: the file it points at is not read, even when its hash is the recorded one. A link
/// that stays in the root is followed.
#[cfg(unix)]
#[test]
fn a_link_leaving_the_evidence_root_is_outside_it() {
    use std::os::unix::fs::symlink;
    let (dir, facts, root) = evidence_case("evidence-root-link");
    // The outside file has the recorded hash: followed, the record would be verified.
    write(&dir, "outside.txt", "abc");
    write(&root, "inside/flows.txt", "abc");
    fs::create_dir_all(root.join("board")).unwrap();
    // flows.txt stays in the root; board/minutes.txt climbs out of it; org.txt names the
    // outside file by its absolute path.
    symlink("inside/flows.txt", root.join("flows.txt")).unwrap();
    symlink("../../outside.txt", root.join("board/minutes.txt")).unwrap();
    symlink(dir.join("outside.txt"), root.join("org.txt")).unwrap();
    // The root itself reached through a link is still the root.
    symlink(&root, dir.join("root-link")).unwrap();
    for given in [&root, &dir.join("root-link")] {
        let r = eval_with_root(&facts, given);
        let file = |id: &str| control(&r, id)["evidence"][0]["file"].clone();
        assert_eq!(file("CC2.1"), "verified");
        assert_eq!(rule(&r, "evidence-files/CC2.1")["status"], "pass");
        for (id, uri) in [("CC1.2", "board/minutes.txt"), ("CC1.3", "org.txt")] {
            assert_eq!(file(id), "outside_root", "{id}");
            fails_its_file_check(
                &r,
                id,
                &format!(
                    "the file {uri} is outside the evidence root: a link on its path leads out of it"
                ),
            );
            assert_eq!(control_status(&r, id), "fail");
        }
    }
}

/// A path is resolved as the system resolves it, not by its text: a file named with a `/`
/// after it, or reached through a `..` after a folder that is not there, is no file. And a
/// record with a `sha256` whose `uri` no evidence root can hold (absolute, empty, a `file:`
/// URI, a URL) is checked against nothing: each is told on stderr with its file, line and
/// JSON Pointer (the URLs counted), so no one takes its sha256 for checked.
#[test]
fn paths_resolve_as_on_disk_and_a_sha256_no_root_can_check_is_told() {
    let (dir, _, root) = evidence_case("evidence-unchecked");
    write(&root, "flows.txt", "abc");
    let record = |id: &str, uri: &str| {
        format!(
            r#"{{"control_id": "{id}", "title": "At {uri}", "uri": "{uri}", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "collected_on": "2025-12-01"}},"#
        )
    };
    let extra = [
        record("CC1.1", "/etc/hostname"),
        record("CC1.1", ""),
        record("CC1.1", "file:flows.txt"),
    ]
    .concat();
    let facts = ORG
        .replace(r#""uri": "flows.txt""#, r#""uri": "flows.txt/""#)
        .replace(
            r#""uri": "board/minutes.txt""#,
            r#""uri": "missing/../flows.txt""#,
        )
        .replace(r#""evidence": ["#, &format!(r#""evidence": [{extra}"#));
    let facts = write(&dir, "facts.json", &facts);
    let r = eval_with_root(&facts, &root);
    let file = |id: &str| control(&r, id)["evidence"][0]["file"].clone();
    assert_eq!(file("CC2.1"), "missing");
    fails_its_file_check(
        &r,
        "CC2.1",
        "the file flows.txt/ could not be read from the evidence root: a file where its path needs a folder",
    );
    assert_eq!(file("CC1.2"), "missing");
    fails_its_file_check(
        &r,
        "CC1.2",
        "the file missing/../flows.txt could not be read from the evidence root: no such file",
    );
    let out = attest(&["eval", &facts, "--evidence-root", root.to_str().unwrap()]);
    let told = stderr(&out);
    let line = |pointer: &str| {
        let n = ORG
            .lines()
            .position(|l| l.contains(r#""evidence": ["#))
            .unwrap()
            + 1;
        format!("facts.json:{n} ({pointer}): evidence record")
    };
    for (pointer, says) in [
        (
            "/evidence/0",
            "whose uri is an absolute path (`/etc/hostname`): its sha256 is not checked",
        ),
        (
            "/evidence/1",
            "whose uri is empty: its sha256 is not checked",
        ),
        (
            "/evidence/2",
            "whose uri is a file: URI (`file:flows.txt`): its sha256 is not checked",
        ),
    ] {
        assert!(
            told.contains(&format!("{} {says}", line(pointer))),
            "{told}"
        );
    }
    assert!(
        told.contains("1 evidence record with a sha256 names a URL (the first at "),
        "{told}"
    );
    // Without an evidence root no file is checked, and nothing is said of it.
    let out = attest(&["eval", &facts]);
    assert!(!stderr(&out).contains("sha256"), "{}", stderr(&out));
}

fn control<'r>(report: &'r Value, id: &str) -> &'r Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

fn control_status(report: &Value, id: &str) -> String {
    control(report, id)["status"].as_str().unwrap().to_owned()
}

/// Asserts that the evidence file check of criterion `id` fails, saying `says`.
fn fails_its_file_check(r: &Value, id: &str, says: &str) {
    let checked = rule(r, &format!("evidence-files/{id}"));
    assert_eq!(checked["status"], "fail", "{checked}");
    assert!(
        checked["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains(says),
        "{checked}"
    );
}

/// A scratch folder `name` with the facts `ORG` in it, and where its evidence root goes.
fn evidence_case(name: &str) -> (std::path::PathBuf, String, std::path::PathBuf) {
    let dir = scratch(name);
    let facts = write(&dir, "facts.json", ORG);
    let root = dir.join("evidence");
    (dir, facts, root)
}

/// The JSON report of `attest eval FACTS --evidence-root ROOT`, which fails (exit 1).
fn eval_with_root(facts: &str, root: &std::path::Path) -> Value {
    let out = attest(&[
        "eval",
        facts,
        "--evidence-root",
        root.to_str().unwrap(),
        "--format",
        "json",
    ]);
    exit(&out, 1);
    report(&out)
}

#[test]
fn every_format_shows_the_period_and_the_evidence() {
    let dir = scratch("formats");
    let facts = write(&dir, "facts.json", ORG);
    for (format, shows) in [
        (
            "text",
            vec![
                "Audit period 2026-01-01 to 2026-06-30",
                "Evidence on file (5 records for 5 criteria)",
                "Board minutes · collected 2025-12-01, expires 2026-12-01 · current",
            ],
        ),
        (
            "markdown",
            vec![
                "audit period 2026-01-01 to 2026-06-30",
                "<summary>Evidence on file (5)</summary>",
                "| CC1.2 | Board minutes (`board/minutes.txt`) | 2025-12-01 | 2026-12-01 | current |  |",
            ],
        ),
        (
            "html",
            vec![
                "audit period 2026-01-01 to 2026-06-30",
                "1 evidence record",
                "Board minutes <code>board/minutes.txt</code>",
            ],
        ),
        (
            "junit",
            vec![
                "audit period 2026-01-01 to 2026-06-30",
                "<property name=\"audit_period\" value=\"2026-01-01..2026-06-30\"/>",
            ],
        ),
        ("sarif", vec!["\"auditPeriod\": {"]),
        ("json", vec!["\"period\": {", "\"evidence\": ["]),
    ] {
        let out = attest(&["eval", &facts, "--format", format]);
        let text = stdout(&out);
        for s in shows {
            assert!(text.contains(s), "{format} lacks {s:?}:\n{text}");
        }
    }
}

#[test]
fn the_readme_quotes_what_a_type_2_run_prints() {
    // The README's "A Type 2 run", and examples/README.md's summary of Acme, show lines of
    // `attest eval examples/acme`: each one (the `...` that stands for those left out aside)
    // is a line the command prints (examples/README.md's without their indent).
    let out = attest_with(&repo(), &["eval", "examples/acme"], &[("NO_COLOR", "1")]);
    exit(&out, 1);
    let printed = stdout(&out);
    for (doc, starts) in [
        ("README.md", "Attest · SOC 2 readiness of Acme"),
        ("examples/README.md", "Security  "),
    ] {
        let text = fs::read_to_string(repo().join(doc)).unwrap();
        let block = text
            .split("```text\n")
            .skip(1)
            .filter_map(|rest| rest.split_once("```").map(|(block, _)| block))
            .find(|block| block.starts_with(starts))
            .unwrap_or_else(|| panic!("{doc} quotes a run on examples/acme"));
        let quoted: Vec<&str> = block.lines().filter(|l| l.trim() != "...").collect();
        assert!(quoted.len() > 3, "{block}");
        for line in quoted {
            assert!(
                printed
                    .lines()
                    .any(|p| p.trim() == line.trim() && p.ends_with(line)),
                "{doc} quotes a line `attest eval examples/acme` does not print:\n{line}"
            );
        }
    }
}

#[test]
fn a_waiver_approved_after_the_period_is_pending_and_stderr_says_why() {
    let dir = scratch("late-waiver");
    let facts = write(&dir, "facts.json", ORG);
    let waivers = write(
        &dir,
        "waivers.json",
        r#"{"schema_version": "1", "waivers": [{"rule": "access.leaver-accounts", "entity": "accounts/aws/ann", "reason": "r", "approved_by": "CISO", "approved_on": "2026-08-15", "expires_on": "2026-12-31"}]}"#,
    );
    // Judged after the period, with the waiver approved after it too: the exception stands.
    let out = attest(&[
        "eval",
        &facts,
        "--waivers",
        &waivers,
        "--as-of",
        "2026-09-01",
        "--format",
        "json",
    ]);
    exit(&out, 1);
    let r = report(&out);
    assert_eq!(rule(&r, "access.leaver-accounts")["status"], "fail");
    assert_eq!(r["waivers"][0]["state"], "pending");
    assert!(
        stderr(&out).contains(
            "pending waiver (rule access.leaver-accounts, entity accounts/aws/ann): approved on 2026-08-15, after the audit period's end on 2026-06-30: it waives none of the period's exceptions"
        ),
        "{}",
        stderr(&out)
    );
}
