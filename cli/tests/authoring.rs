//! Rule authoring end to end: `attest test`, `check`, `explain`, `list` and `new`, packs
//! that extend packs, `attest.toml`, `eval --explain`, the example company pack, and the
//! prelude reference of docs/writing-rules.md kept in step with the engine.

// The helpers below fail their test by panicking, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use attest_tests::tiny_rule_header as header;
use common::{attest, attest_in, exit, repo, scratch, stderr, stdout};
use std::fs;
use std::path::{Path, PathBuf};

/// Writes a file below `dir`, creating folders.
fn write(dir: &Path, rel: &str, text: &str) {
    common::write(dir, rel, text);
}

const MANIFEST: &str = attest_tests::TINY_MANIFEST;

/// The `tiny` catalog and CC1.2, which no rule checks.
fn catalog() -> String {
    format!(
        "{}\n[[control]]\nid = \"CC1.2\"\ncategory = \"security\"\ngroup = \"Control Environment\"\ntitle = \"A board oversees\"\nevidence_owner = \"Legal\"\n",
        attest_tests::TINY_CATALOG
    )
}

const MFA_BODY: &str = "for a in facts.accounts {\n    if a.mfa != true {\n        fail(a, `${a.username} has no MFA`);\n    }\n}\n";

const WITH_MFA: &str = r#"{"accounts": [{"system_id": "aws", "username": "ann", "kind": "human", "status": "active", "mfa": true}]}"#;
const WITHOUT_MFA: &str = r#"{"accounts": [{"system_id": "aws", "username": "bob", "kind": "human", "status": "active", "mfa": false}]}"#;

fn case(name: &str, facts: &str, status: &str, entities: &str) -> String {
    format!(
        "{{\"name\": \"{name}\", \"facts\": {facts}, \"expect\": {{\"status\": \"{status}\", \"entities\": {entities}}}}}"
    )
}

/// A pack in `dir/pack` with the catalog above and the given rules `t.<name>` in
/// `rules/t/<name>.rhai`: (name, control, body, cases).
fn tiny_pack(dir: &Path, rules: &[(&str, &str, &str, &[String])]) {
    write(dir, "pack/pack.toml", MANIFEST);
    write(dir, "pack/controls.toml", &catalog());
    for (name, control, body, cases) in rules {
        write(
            dir,
            &format!("pack/rules/t/{name}.rhai"),
            &(header(name, control) + *body),
        );
        write(
            dir,
            &format!("pack/rules/t/{name}.cases.json"),
            &format!("[\n  {}\n]\n", cases.join(",\n  ")),
        );
    }
}

/// A pack whose one rule is covered on 2 of its 3 statement lines, with one wrong case.
fn pack_with_a_wrong_case(dir: &Path) {
    tiny_pack(
        dir,
        &[
            (
                "mfa",
                "CC6.1",
                MFA_BODY,
                &[
                    case("mfa passes", WITH_MFA, "pass", "[]"),
                    case("wrong expectation", WITH_MFA, "fail", "[\"/accounts/0\"]"),
                ],
            ),
            (
                "throws",
                "CC6.2",
                "let n = facts.accounts.len();\nthrow `no answer for ${n} accounts`;\n",
                &[case("an erroring rule is red", WITH_MFA, "pass", "[]")],
            ),
        ],
    );
}

// ---- attest test -------------------------------------------------------------------

#[test]
fn the_builtin_pack_passes_its_own_cases_with_95_percent_coverage() {
    let out = attest(&["test", "soc2", "--coverage-min", "95"]);
    exit(&out, 0);
    assert!(
        stdout(&out).contains("; 0 failed; 0 filtered out\n")
            && stdout(&out).contains("), at least the minimum 95%\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_example_pack_tests_its_own_rules_with_full_coverage() {
    let out = attest(&["test", "examples/acme-pack", "--coverage-min", "100"]);
    exit(&out, 0);
    insta::assert_snapshot!("test_acme_pack", stdout(&out));
}

#[test]
fn failures_show_the_expected_and_the_actual_outcome() {
    let dir = scratch("test-failures");
    pack_with_a_wrong_case(&dir);
    let out = attest_in(&dir, &["test", "pack", "--coverage"]);
    exit(&out, 1);
    insta::assert_snapshot!("test_failures_text", stdout(&out));
}

#[test]
fn junit_and_json_results() {
    let dir = scratch("test-formats");
    pack_with_a_wrong_case(&dir);
    let junit = attest_in(
        &dir,
        &["test", "pack", "--format", "junit", "--coverage-min", "50"],
    );
    exit(&junit, 1);
    insta::assert_snapshot!("test_failures_junit", stdout(&junit));

    let json = attest_in(&dir, &["test", "pack", "--format", "json", "--coverage"]);
    exit(&json, 1);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        doc["summary"],
        serde_json::json!({"passed": 1, "failed": 2, "filtered_out": 0})
    );
    let wrong = &doc["tests"][1];
    assert_eq!(wrong["name"], "wrong expectation");
    assert_eq!(wrong["passed"], false);
    assert_eq!(wrong["problems"][0], "status: expected fail, got pass");
    assert_eq!(wrong["actual"]["status"], "pass");
    assert_eq!(doc["tests"][2]["actual"]["error"]["line"], 9);
    assert_eq!(doc["coverage"]["hit"], 4);
    assert_eq!(
        doc["coverage"]["rules"][0]["missed"],
        serde_json::json!([10])
    );
}

#[test]
fn results_written_to_a_file_say_on_stderr_why_the_run_fails() {
    let dir = scratch("test-to-file");
    pack_with_a_wrong_case(&dir);
    let out = attest_in(
        &dir,
        &[
            "test",
            "pack",
            "--format",
            "junit",
            "--output",
            "rule-tests.xml",
            "--coverage-min",
            "90",
        ],
    );
    exit(&out, 1);
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "attest test: 2 of 3 cases failed, and line coverage 80.00% is below the minimum 90%; the results are in rule-tests.xml\n"
    );
    assert!(dir.join("rule-tests.xml").is_file());
    // The same from attest.toml's [test] output; a run that passes stays quiet.
    write(
        &dir,
        "attest.toml",
        "pack = \"pack\"\n\n[test]\nformat = \"junit\"\noutput = \"out/rule-tests.xml\"\n",
    );
    fs::create_dir_all(dir.join("out")).unwrap();
    let out = attest_in(&dir, &["test"]);
    exit(&out, 1);
    assert_eq!(
        stderr(&out),
        "attest test: 2 of 3 cases failed; the results are in out/rule-tests.xml\n"
    );
    let out = attest_in(&dir, &["test", "--filter", "mfa passes"]);
    exit(&out, 0);
    assert_eq!(stderr(&out), "");
}

#[test]
fn filters_select_cases_by_rule_and_name() {
    let dir = scratch("test-filter");
    pack_with_a_wrong_case(&dir);
    let out = attest_in(&dir, &["test", "pack", "--filter", "t.mfa::mfa"]);
    exit(&out, 0);
    assert!(
        stdout(&out).ends_with("test result: ok. 1 passed; 0 failed; 2 filtered out\n"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("(pack): 1 case\n"),
        "{}",
        stdout(&out)
    );
    let two = attest_in(
        &dir,
        &["test", "pack", "--filter", "passes", "--filter", "erroring"],
    );
    exit(&two, 1);
    assert!(stdout(&two).ends_with("1 passed; 1 failed; 1 filtered out\n"));
}

#[test]
fn a_cases_file_that_cannot_be_read_is_a_failure_with_its_place() {
    let dir = scratch("test-bad-cases");
    let passes = [case("mfa passes", WITH_MFA, "pass", "[]")];
    tiny_pack(
        &dir,
        &[
            ("empty", "CC6.1", MFA_BODY, &passes),
            ("broken", "CC6.1", MFA_BODY, &passes),
            ("shapeless", "CC6.2", MFA_BODY, &passes),
            ("none", "CC6.1", MFA_BODY, &passes),
            ("twice", "CC6.1", MFA_BODY, &passes),
        ],
    );
    write(&dir, "pack/rules/t/empty.cases.json", "\n");
    // An empty list tests nothing, and two cases of one name are one test name twice.
    write(&dir, "pack/rules/t/none.cases.json", "\n  []\n");
    write(
        &dir,
        "pack/rules/t/twice.cases.json",
        &format!("[\n{},\n{}\n]\n", passes[0], passes[0]),
    );
    write(
        &dir,
        "pack/rules/t/broken.cases.json",
        "[\n  {\"name\": \"x\",\n]\n",
    );
    write(
        &dir,
        "pack/rules/t/shapeless.cases.json",
        "[{\"name\": \"x\"}]\n",
    );
    let out = attest_in(&dir, &["test", "pack"]);
    exit(&out, 1);
    let text = stdout(&out);
    for expected in [
        "t/empty.cases.json:1:1: invalid cases file: the file is empty",
        "t/broken.cases.json:3:1: invalid cases file: key must be a string",
        "t/shapeless.cases.json:1:14: invalid cases file: missing field `facts`",
        "t/none.cases.json:2:3: the list of cases is empty: every rule needs cases",
        "t/twice.cases.json:3:2: invalid cases file: a second case named `mfa passes` (the first is on line 2): a case's name is its test's name, unique in the file",
    ] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
    assert!(
        text.ends_with("test result: FAILED. 0 passed; 5 failed; 0 filtered out\n"),
        "{text}"
    );
}

/// A finding must name a place in the facts: a JSON Pointer a rule writes by hand that names
/// nothing (an index past the end, a misspelt collection) is the rule's error, and its
/// author is told which pointer, and the line and column of the call, when a case runs it.
#[test]
fn a_finding_at_a_pointer_to_nothing_fails_its_case_naming_the_pointer() {
    let dir = scratch("test-pointer-to-nothing");
    let body =
        "for a in facts.accounts {\n    fail(\"/acounts/0\", `${a.username} is shared`);\n}\n";
    tiny_pack(
        &dir,
        &[(
            "ghost",
            "CC6.1",
            body,
            &[case("mfa fails", WITHOUT_MFA, "fail", r#"["/accounts/0"]"#)],
        )],
    );
    let out = attest_in(&dir, &["test", "pack"]);
    exit(&out, 1);
    assert!(
        stdout(&out).contains(
            "    status: expected fail, got error\n    entities: expected [/accounts/0], got []\n    actual error at pack/rules/t/ghost.rhai:9:5: fail: the JSON Pointer \"/acounts/0\" names nothing in the facts (a finding names a record, such as \"/accounts/3\", or no record at all)\n"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_case_whose_status_is_no_status_is_refused_naming_its_place() {
    let dir = scratch("test-null-status");
    tiny_pack(&dir, &[("mfa", "CC6.1", MFA_BODY, &[])]);
    write(
        &dir,
        "pack/rules/t/mfa.cases.json",
        &format!(
            "[\n  {},\n  {{\"name\": \"b\", \"facts\": {{}}, \"expect\": {{\"status\": null}}}}\n]\n",
            case("mfa passes", WITH_MFA, "pass", "[]")
        ),
    );
    let out = attest_in(&dir, &["test", "pack"]);
    exit(&out, 1);
    assert!(
        stdout(&out).contains(
            "pack/rules/t/mfa.cases.json:3:41: invalid cases file: /1/expect/status: expected a status, one of \"pass\", \"fail\", \"warn\", \"error\" or \"not_applicable\", not null\n"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_case_whose_date_period_or_parameter_is_refused_fails_at_its_line() {
    let dir = scratch("test-bad-case-settings");
    tiny_pack(&dir, &[("mfa", "CC6.1", MFA_BODY, &[])]);
    write(
        &dir,
        "pack/rules/t/mfa.cases.json",
        &[
            "[",
            r#"  {"name": "a", "as_of": "2026-02-30","#,
            r#"   "facts": {}, "expect": {"status": "not_applicable"}},"#,
            r#"  {"name": "b", "period": "2026-01-01...2026-06-30","#,
            r#"   "facts": {}, "expect": {"status": "not_applicable"}},"#,
            r#"  {"name": "c", "params": {"nope": 1},"#,
            r#"   "facts": {}, "expect": {"status": "not_applicable"}},"#,
            r#"  {"name": "d", "period": "2026-01-01..2026-12-31","#,
            r#"   "facts": {}, "expect": {"status": "not_applicable"}}"#,
            "]",
        ]
        .join("\n"),
    );
    let out = attest_in(&dir, &["test", "pack"]);
    exit(&out, 1);
    let text = stdout(&out);
    for expected in [
        "pack/rules/t/mfa.cases.json:2:17: as_of `2026-02-30` is not a YYYY-MM-DD date",
        "pack/rules/t/mfa.cases.json:4:17: period: `2026-01-01...2026-06-30` is not an audit period",
        "pack/rules/t/mfa.cases.json:6:28: unknown parameter `nope`",
        "pack/rules/t/mfa.cases.json:8:17: period: the case's as_of 2026-06-30 is before the end of its period 2026-01-01..2026-12-31: a period is judged once it is over (end the period by 2026-06-30, or set as_of to its end or later)",
    ] {
        assert!(text.contains(expected), "no `{expected}` in:\n{text}");
    }
}

#[test]
fn a_case_whose_facts_have_a_field_the_schema_does_not_define_fails_at_its_line() {
    let dir = scratch("test-undefined-field");
    tiny_pack(
        &dir,
        &[(
            "mfa",
            "CC6.1",
            MFA_BODY,
            &[case("mfa passes", WITH_MFA, "pass", "[]")],
        )],
    );
    // `mfa_enabled` is not `mfa`: the rule fails the account, as the case expects, but not
    // for the reason the case means. A mistyped value is a schema violation, on one line.
    write(
        &dir,
        "pack/rules/t/mfa.cases.json",
        r#"[
  {
    "name": "a typo",
    "facts": {"accounts": [
      {"system_id": "aws", "username": "bob", "kind": "human", "status": "active",
       "mfa_enabled": false}
    ]},
    "expect": {"status": "fail", "entities": ["/accounts/0"]}
  },
  {
    "name": "a wrong type",
    "facts": {"accounts": [
      {"system_id": "aws", "username": "bob", "kind": "human", "status": "active",
       "mfa": "no"}
    ]},
    "expect": {"status": "fail"}
  }
]
"#,
    );
    let out = attest_in(&dir, &["test", "pack"]);
    exit(&out, 1);
    let text = stdout(&out);
    let file = Path::new("pack").join("rules/t/mfa.cases.json");
    let file = file.display();
    for expected in [
        format!(
            "  t.mfa::a typo\n    in {file}\n    {file}:6:8: /accounts/0/mfa_enabled: facts-v1 \
             does not define `mfa_enabled` for accounts; did you mean `mfa`? (a case's facts \
             may hold only the fields their schema defines: the rule never sees this one, so \
             the case would not test what it says)\n    actual findings:\n"
        ),
        format!(
            "  t.mfa::a wrong type\n    in {file}\n    {file}:14:8: the case's facts are \
             invalid: /accounts/0/mfa: \"no\" is not of type \"boolean\"\n"
        ),
    ] {
        assert!(text.contains(&expected), "no `{expected}` in:\n{text}");
    }
    assert!(
        text.ends_with("test result: FAILED. 0 passed; 2 failed; 0 filtered out\n"),
        "{text}"
    );
    // The JSON results (the WebAssembly module's too) say it the same way, with the place
    // in the pack.
    let json = attest_in(&dir, &["test", "pack", "--format", "json"]);
    exit(&json, 1);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let problems = &doc["tests"][0]["problems"];
    assert_eq!(problems.as_array().map(Vec::len), Some(1), "{problems}");
    assert!(
        problems[0].as_str().unwrap().starts_with(
            "rules/t/mfa.cases.json:6:8: /accounts/0/mfa_enabled: facts-v1 does not define"
        ),
        "{problems}"
    );
    assert_eq!(doc["tests"][0]["actual"]["status"], "fail");

    // With the field spelt right, the case passes.
    let fixed = fs::read_to_string(dir.join("pack/rules/t/mfa.cases.json"))
        .unwrap()
        .replace("mfa_enabled", "mfa")
        .replace("\"no\"", "false");
    write(&dir, "pack/rules/t/mfa.cases.json", &fixed);
    let out = attest_in(&dir, &["test", "pack"]);
    exit(&out, 0);
}

#[test]
fn the_coverage_gate_compares_exactly() {
    let dir = scratch("test-gate");
    tiny_pack(
        &dir,
        &[(
            "mfa",
            "CC6.1",
            MFA_BODY,
            &[case("mfa passes", WITH_MFA, "pass", "[]")],
        )],
    );
    // 2 of 3 lines: 66.66...%.
    for (min, code) in [
        ("66", 0),
        ("66.666", 0),
        ("66.6666666", 0),
        ("66.6666667", 1),
        ("66.67", 1),
        ("100", 1),
    ] {
        let out = attest_in(&dir, &["test", "pack", "--coverage-min", min]);
        exit(&out, code);
    }
    let out = attest_in(&dir, &["test", "pack", "--coverage-min", "66.67"]);
    assert!(
        stdout(&out).contains("total: 2 of 3 lines (66.66%), BELOW the minimum 66.67%"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("lines not run: 10; no failing case"));
    // The summary says the run failed, as its exit code does.
    assert!(
        stdout(&out).ends_with("test result: FAILED. 1 passed; 0 failed; 0 filtered out\n"),
        "{}",
        stdout(&out)
    );
    for bad in ["101", "-5", "ninety", "1.0000000001"] {
        let out = attest_in(&dir, &["test", "pack", &format!("--coverage-min={bad}")]);
        exit(&out, 2);
        assert!(
            stderr(&out).contains("is not a percentage"),
            "{}",
            stderr(&out)
        );
    }
    write(
        &dir,
        "pack/rules/t/mfa.cases.json",
        &format!(
            "[{}, {}]",
            case("mfa passes", WITH_MFA, "pass", "[]"),
            case("no mfa fails", WITHOUT_MFA, "fail", "[\"/accounts/0\"]")
        ),
    );
    // A second rule, fully covered by its one case, which the filter below leaves out.
    write(
        &dir,
        "pack/rules/t/extra.rhai",
        &(header("extra", "CC6.1") + "tested(facts.accounts);\n"),
    );
    write(
        &dir,
        "pack/rules/t/extra.cases.json",
        &format!("[{}]", case("extra stays quiet", WITH_MFA, "pass", "[]")),
    );
    let full = attest_in(&dir, &["test", "pack", "--coverage-min", "100"]);
    exit(&full, 0);
    // Under a filter, only the selected cases' lines count: those of the others did not run,
    // and a rule none of whose cases ran is not measured at all.
    let one = attest_in(
        &dir,
        &[
            "test",
            "pack",
            "--filter",
            "passes",
            "--coverage-min",
            "100",
        ],
    );
    exit(&one, 1);
    assert!(
        stdout(&one).contains("total: 2 of 3 lines (66.66%), BELOW the minimum 100%"),
        "{}",
        stdout(&one)
    );
    // A filter that selects no case is refused: nothing would be tested.
    let none = attest_in(
        &dir,
        &[
            "test",
            "pack",
            "--filter",
            "passes",
            "--filter",
            "nothing",
            "--coverage-min",
            "1",
        ],
    );
    exit(&none, 2);
    assert_eq!(
        stderr(&none),
        "error: --filter `nothing` selects no case out of 3 (a case is selected when its `<rule id>::<case name>` contains the text)\n"
    );
    assert_eq!(stdout(&none), "");
}

#[test]
fn a_pack_that_cannot_be_used_is_exit_2_with_nothing_written() {
    let dir = scratch("test-unusable");
    tiny_pack(&dir, &[("broken", "CC6.1", "let x = ;\n", &[])]);
    let results = dir.join("results.xml");
    let out = attest_in(
        &dir,
        &[
            "test",
            "pack",
            "--format",
            "junit",
            "--output",
            "results.xml",
        ],
    );
    exit(&out, 2);
    assert!(
        stderr(&out).contains("rules/t/broken.rhai:8:9"),
        "{}",
        stderr(&out)
    );
    assert!(!results.exists());
    let missing = attest_in(&dir, &["test", "nowhere"]);
    exit(&missing, 2);
    assert!(stderr(&missing).contains("nowhere"), "{}", stderr(&missing));
}

// ---- attest check ------------------------------------------------------------------

#[test]
fn check_is_clean_on_the_shipped_packs() {
    let builtin = attest(&["check"]);
    exit(&builtin, 0);
    assert_eq!(
        stdout(&builtin),
        "built-in pack soc2: no problems (61 rules checked)\n"
    );
    let acme = attest(&["check", "examples/acme-pack"]);
    exit(&acme, 0);
    assert_eq!(
        stdout(&acme),
        "examples/acme-pack: no problems (3 rules checked)\n"
    );
}

/// A pack with one of each problem.
fn broken_pack(dir: &Path) {
    write(
        dir,
        "pack/pack.toml",
        &format!(
            "{MANIFEST}\n[params.max_accounts]\ntype = \"integer\"\ndefault = 5\ndescription = \"Most accounts\"\n\n[params.forgotten]\ntype = \"days\"\ndefault = 3\ndescription = \"Read by no rule\"\n"
        ),
    );
    write(dir, "pack/controls.toml", &catalog());
    write(
        dir,
        "pack/rules/misplaced.rhai",
        &(header("misplaced", "CC6.1") + "let x = 1;\n"),
    );
    write(
        dir,
        "pack/rules/t/a-unknown-control.rhai",
        &(header("a-unknown-control", "CC99.1") + "let x = 1;\n"),
    );
    write(
        dir,
        "pack/rules/t/b-facts.rhai",
        &header("b-facts", "CC6.1").replace("[\"accounts\"]", "[\"acounts\"]"),
    );
    write(
        dir,
        "pack/rules/t/c-params.rhai",
        &(header("c-params", "CC6.1")
            + "if facts.accounts.len() > params.max_accounts + params.min_accounts { fail(\"too many\"); }\n"),
    );
    write(
        dir,
        "pack/rules/t/d-syntax.rhai",
        &(header("d-syntax", "CC6.1") + "let x = ;\n"),
    );
    write(
        dir,
        "pack/rules/t/e-duplicate.rhai",
        &(header("d-syntax", "CC6.2") + "let x = 1;\n"),
    );
    write(
        dir,
        "pack/rules/t/f-reads.rhai",
        &(header("f-reads", "CC6.1")
            + "for a in facts.accounts.where(\"status\", \"actve\") {\n    if a.statsu != () && facts.people.len() > 0 { fail(a, \"x\"); }\n}\n"),
    );
}

#[test]
fn check_reports_every_problem_with_its_code_place_and_source() {
    let dir = scratch("check");
    broken_pack(&dir);
    let out = attest_in(&dir, &["check", "pack"]);
    exit(&out, 1);
    insta::assert_snapshot!("check_text", stdout(&out));
    let json = attest_in(&dir, &["check", "pack", "--format", "json"]);
    exit(&json, 1);
    insta::assert_snapshot!("check_json", stdout(&json));
}

#[test]
fn check_reports_syntax_errors_where_they_are() {
    let dir = scratch("check-syntax");
    tiny_pack(&dir, &[("broken", "CC6.1", "let x = 1;\nlet y = ;\n", &[])]);
    let out = attest_in(&dir, &["check", "pack"]);
    exit(&out, 1);
    insta::assert_snapshot!("check_syntax_error", stdout(&out));
}

#[test]
fn check_names_the_file_of_a_problem_without_a_line() {
    let dir = scratch("check-no-line");
    write(&dir, "pack/pack.toml", MANIFEST);
    let out = attest_in(&dir, &["check", "pack"]);
    exit(&out, 1);
    assert_eq!(
        stdout(&out),
        "error[missing-file]: the pack has no controls.toml (the control catalog)\n--> pack/controls.toml\n\npack: 1 error, 0 warnings (0 rules checked)\n"
    );
}

#[test]
fn check_warns_of_a_cases_file_that_belongs_to_no_rule() {
    let dir = scratch("check-stray-cases");
    let cases = format!("[\n  {}\n]\n", case("mfa passes", WITH_MFA, "pass", "[]"));
    tiny_pack(&dir, &[("mfa", "CC6.1", MFA_BODY, &[])]);
    fs::write(dir.join("pack/rules/t/mfa.cases.json"), &cases).unwrap();
    // A typo of the rule's file name, and a cases file out of rules/.
    write(&dir, "pack/rules/t/mfa-typo.cases.json", &cases);
    write(&dir, "pack/extra.cases.json", &cases);
    let out = attest_in(&dir, &["check", "pack"]);
    exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "warning[stray-cases]: cases of no rule: a rule's cases file is beside its rule file, under rules/, so `attest test` never runs these (move it beside its rule, as `rules/<area>/<name>.cases.json` for `rules/<area>/<name>.rhai`)\n\
         --> pack/extra.cases.json\n\n\
         warning[stray-cases]: cases of no rule: there is no rule file rules/t/mfa-typo.rhai beside it, so `attest test` never runs these (name it after its rule's file, or remove it; an inherited rule's cases run with its own pack, or beside an override of it)\n\
         --> pack/rules/t/mfa-typo.cases.json\n\n\
         pack: 0 errors, 2 warnings (1 rule checked)\n"
    );
    exit(&attest_in(&dir, &["check", "pack", "--deny-warnings"]), 1);
    let json = attest_in(&dir, &["check", "pack", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["warnings"], 2);
    assert_eq!(
        doc["diagnostics"][1],
        serde_json::json!({
            "code": "stray-cases",
            "severity": "warning",
            "file": "pack/rules/t/mfa-typo.cases.json",
            "line": null,
            "column": null,
            "message": "cases of no rule: there is no rule file rules/t/mfa-typo.rhai beside it, so `attest test` never runs these (name it after its rule's file, or remove it; an inherited rule's cases run with its own pack, or beside an override of it)"
        })
    );
}

#[test]
fn warnings_alone_pass_unless_denied() {
    let dir = scratch("check-warnings");
    tiny_pack(
        &dir,
        &[(
            "mfa",
            "CC6.1",
            MFA_BODY,
            &[case("mfa passes", WITH_MFA, "pass", "[]")],
        )],
    );
    let manifest = dir.join("pack/pack.toml");
    let mut text = fs::read_to_string(&manifest).unwrap();
    text.push_str(
        "\n[params.spare]\ntype = \"days\"\ndefault = 3\ndescription = \"Read by no rule\"\n",
    );
    fs::write(&manifest, text).unwrap();
    let out = attest_in(&dir, &["check", "pack"]);
    exit(&out, 0);
    assert!(
        stdout(&out).contains("warning[unused-param]"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).ends_with("pack: 0 errors, 1 warning (1 rule checked)\n"));
    exit(&attest_in(&dir, &["check", "pack", "--deny-warnings"]), 1);
}

// ---- attest explain and list -------------------------------------------------------

#[test]
fn explain_a_rule_shows_metadata_parameters_cases_and_source() {
    let out = attest(&[
        "explain",
        "access.inactive-accounts",
        "--pack",
        "examples/acme-pack",
    ]);
    exit(&out, 0);
    insta::assert_snapshot!("explain_rule", stdout(&out));
    let json = attest(&["explain", "access.reviews-overdue", "--format", "json"]);
    exit(&json, 0);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["rule"]["owner"], "Security");
    assert_eq!(doc["params"][0]["name"], "access_review_days_critical");
    assert_eq!(doc["params"][0]["value"], 90);
    assert!(doc["cases"].as_array().unwrap().len() > 5);
    assert!(doc["source"].as_str().unwrap().starts_with("//! id ="));
}

#[test]
fn explain_a_control_lists_its_rules_or_its_evidence() {
    let rules = attest(&["explain", "CC8.1", "--pack", "examples/acme-pack"]);
    exit(&rules, 0);
    insta::assert_snapshot!("explain_control_with_a_disabled_rule", stdout(&rules));
    let evidence = attest(&["explain", "cc1.2"]);
    exit(&evidence, 0);
    insta::assert_snapshot!("explain_control_by_evidence", stdout(&evidence));
    let disabled = attest(&["explain", "changes.tested", "--pack", "examples/acme-pack"]);
    exit(&disabled, 0);
    assert!(
        stdout(&disabled).contains("disabled by pack acme: Acme's deploy pipeline"),
        "{}",
        stdout(&disabled)
    );
}

/// The evidence checks every report lists among the rules are explained as what they are,
/// with their criterion.
#[test]
fn explain_an_evidence_check_points_to_its_criterion() {
    let evidence = attest(&["explain", "evidence/CC1.2"]);
    exit(&evidence, 0);
    let text = stdout(&evidence);
    assert!(
        text.starts_with("evidence/CC1.2 is not a rule of the pack but the evidence check of CC1.2: it judges CC1.2's evidence[] records"),
        "{text}"
    );
    assert!(text.contains("\ncontrol CC1.2: "), "{text}");
    assert!(!text.contains("It runs only while"), "{text}");
    // A criterion rules judge has its evidence checked only while they test nothing.
    let judged = stdout(&attest(&["explain", "evidence/CC6.1"]));
    assert!(
        judged.contains("It runs only while none of the 6 rules judging CC6.1 tests anything"),
        "{judged}"
    );
    let files = attest(&["explain", "evidence-files/cc5.3", "--format", "json"]);
    exit(&files, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&files)).unwrap();
    assert_eq!(
        doc["evidence_check"],
        serde_json::json!({"id": "evidence-files/CC5.3", "checks": "evidence files", "control": "CC5.3"})
    );
    assert_eq!(doc["control"]["id"], "CC5.3");
    let unknown = attest(&["explain", "evidence/CC9.9"]);
    exit(&unknown, 2);
    assert_eq!(
        stderr(&unknown),
        "error: built-in pack soc2: `evidence/CC9.9` names a check of the evidence of `CC9.9`, which is not a criterion of the pack (see `attest list controls`)\n"
    );
}

#[test]
fn explain_an_unknown_id_suggests_near_ones() {
    let out = attest(&["explain", "mfa"]);
    exit(&out, 2);
    assert_eq!(
        stderr(&out),
        "error: built-in pack soc2: no rule or control `mfa`; did you mean `access.mfa-outside-sso`, `access.mfa-privileged`?\n"
    );
}

#[test]
fn list_rules_controls_and_params() {
    let rules = attest(&["list", "rules", "--pack", "examples/acme-pack"]);
    exit(&rules, 0);
    insta::assert_snapshot!("list_rules_acme", stdout(&rules));
    let controls = attest(&["list", "controls"]);
    exit(&controls, 0);
    assert!(
        stdout(&controls).ends_with("61 controls: 43 judged by rules, 18 by evidence\n"),
        "{}",
        stdout(&controls)
    );
    let params = attest(&[
        "list",
        "params",
        "--pack",
        "examples/acme-pack",
        "--format",
        "json",
    ]);
    exit(&params, 0);
    let doc: serde_json::Value = serde_json::from_slice(&params.stdout).unwrap();
    let find = |name: &str| {
        doc["params"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    let set = find("access_review_days_critical");
    assert_eq!(set["value"], 60);
    assert_eq!(set["source"], "set by acme");
    assert_eq!(set["base_default"], 90);
    assert_eq!(find("break_glass_accounts")["source"], "default");
    assert_eq!(doc["pack"]["extends"], "soc2");
}

// ---- attest new rule ---------------------------------------------------------------

#[test]
fn new_rule_scaffolds_a_red_rule_with_cases_and_a_readme_row() {
    let dir = scratch("new");
    tiny_pack(
        &dir,
        &[(
            "mfa",
            "CC6.1",
            MFA_BODY,
            &[case("mfa passes", WITH_MFA, "pass", "[]")],
        )],
    );
    write(
        &dir,
        "pack/README.md",
        "# Tiny\n\n| Rule | Controls | What it checks |\n|---|---|---|\n| `t.mfa` | CC6.1 | MFA |\n\nMore text.\n",
    );
    let out = attest_in(
        &dir,
        &[
            "new",
            "rule",
            "access.shared-admins",
            "--control",
            "CC6.1",
            "--control",
            "CC6.2",
            "--pack",
            "pack",
            "--title",
            "Admins are personal",
        ],
    );
    exit(&out, 0);
    insta::assert_snapshot!("new_rule_output", stdout(&out));
    let rule = fs::read_to_string(dir.join("pack/rules/access/shared-admins.rhai")).unwrap();
    insta::assert_snapshot!("new_rule_file", rule);
    let cases = fs::read_to_string(dir.join("pack/rules/access/shared-admins.cases.json")).unwrap();
    insta::assert_snapshot!("new_rule_cases", cases);
    assert_eq!(
        fs::read_to_string(dir.join("pack/README.md")).unwrap(),
        "# Tiny\n\n| Rule | Controls | What it checks |\n|---|---|---|\n| `t.mfa` | CC6.1 | MFA |\n| `access.shared-admins` | CC6.1, CC6.2 | Admins are personal |\n\nMore text.\n"
    );

    // The scaffold is a valid rule; its pass and fail cases stay red until it is written, and
    // check warns of the header's placeholders (the title was given) at their places.
    let check = attest_in(&dir, &["check", "pack", "--format", "json"]);
    exit(&check, 0);
    let diagnostics: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
    let placeholders: Vec<(String, u64)> = diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "placeholder")
        .map(|d| {
            assert_eq!(d["severity"], "warning", "{d}");
            assert_eq!(d["file"], "pack/rules/access/shared-admins.rhai", "{d}");
            let field = d["message"].as_str().unwrap().split('`').nth(1).unwrap();
            (field.to_owned(), d["line"].as_u64().unwrap())
        })
        .collect();
    let line = |field: &str| {
        rule.lines()
            .position(|l| l.starts_with(&format!("//! {field} = ")))
            .unwrap() as u64
            + 1
    };
    assert_eq!(
        placeholders,
        [
            ("remediation".to_owned(), line("remediation")),
            ("rationale".to_owned(), line("rationale"))
        ]
    );
    let test = attest_in(&dir, &["test", "pack", "--filter", "access.shared-admins"]);
    exit(&test, 1);
    let text = stdout(&test);
    assert!(
        text.contains("status: expected pass, got error")
            && text.contains("TODO: write the check of access.shared-admins"),
        "{text}"
    );
    assert!(
        text.ends_with("1 passed; 2 failed; 1 filtered out\n"),
        "{text}"
    );

    // Once more is refused, and leaves the files alone.
    let again = attest_in(
        &dir,
        &[
            "new",
            "rule",
            "access.shared-admins",
            "--control",
            "CC6.1",
            "--pack",
            "pack",
        ],
    );
    exit(&again, 2);
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn new_rule_with_an_inherited_id_copies_the_base_rule_its_cases_and_its_row() {
    let dir = scratch("new-override");
    write(
        &dir,
        "company/pack.toml",
        "name = \"company\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n",
    );
    write(
        &dir,
        "company/README.md",
        "# Company pack\n\n| Rule | Controls | Severity | Owner | What it checks |\n|---|---|---|---|---|\n\nMore text.\n",
    );
    let out = attest_in(
        &dir,
        &["new", "rule", "access.mfa-privileged", "--pack", "company"],
    );
    exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "created company/rules/access/mfa-privileged.rhai: a copy of access.mfa-privileged from pack soc2\n\
         created company/rules/access/mfa-privileged.cases.json: its cases\n\
         added access.mfa-privileged to company/README.md\n\
         the copy overrides access.mfa-privileged of pack soc2: edit it and its cases, then run `attest test company --filter access.mfa-privileged`\n"
    );
    let base = repo().join("rules/soc2/rules/access");
    for file in ["mfa-privileged.rhai", "mfa-privileged.cases.json"] {
        assert_eq!(
            fs::read_to_string(dir.join("company/rules/access").join(file)).unwrap(),
            fs::read_to_string(base.join(file)).unwrap(),
            "{file} is the base's"
        );
    }
    let soc2_row = fs::read_to_string(repo().join("rules/soc2/README.md"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("| `access.mfa-privileged` |"))
        .unwrap()
        .to_owned();
    assert_eq!(
        fs::read_to_string(dir.join("company/README.md")).unwrap(),
        format!(
            "# Company pack\n\n| Rule | Controls | Severity | Owner | What it checks |\n|---|---|---|---|---|\n{soc2_row}\n\nMore text.\n"
        )
    );
    // The copy is an override that checks clean and passes the base's cases.
    let check = attest_in(&dir, &["check", "company"]);
    exit(&check, 0);
    assert_eq!(stdout(&check), "company: no problems (1 rule checked)\n");
    let test = attest_in(&dir, &["test", "company"]);
    exit(&test, 0);
    assert!(
        stdout(&test).contains("ok      access.mfa-privileged  7 cases\n")
            && stdout(&test).contains("test result: ok. 7 passed; 0 failed; 0 filtered out\n"),
        "{}",
        stdout(&test)
    );

    // Without a rules table, the row is a list item made from the header.
    write(
        &dir,
        "other/pack.toml",
        "name = \"other\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n",
    );
    write(&dir, "other/README.md", "# Other pack\n\nNo table yet.\n");
    exit(
        &attest_in(
            &dir,
            &["new", "rule", "hr.background-checks", "--pack", "other"],
        ),
        0,
    );
    assert_eq!(
        fs::read_to_string(dir.join("other/README.md")).unwrap(),
        "# Other pack\n\nNo table yet.\n\n- `hr.background-checks` (CC1.4): Active staff passed a background check\n"
    );

    // The header is copied as it is: flags that would set it are refused, and nothing is
    // written.
    let flags = attest_in(
        &dir,
        &[
            "new",
            "rule",
            "changes.tested",
            "--control",
            "CC8.1",
            "--owner",
            "IT",
            "--pack",
            "other",
        ],
    );
    exit(&flags, 2);
    assert!(
        stderr(&flags).contains(
            "`changes.tested` is inherited from pack soc2: `attest new rule` copies its header as it is, so --control, --owner cannot be given"
        ),
        "{}",
        stderr(&flags)
    );
    assert!(!dir.join("other/rules/changes").exists());
}

#[test]
fn new_rule_with_the_id_of_a_rule_a_base_turned_off_copies_it_back() {
    let dir = scratch("new-disabled");
    write(
        &dir,
        "base/pack.toml",
        "name = \"base\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n[disable]\n\"changes.tested\" = \"CI refuses failed changes\"\n",
    );
    write(
        &dir,
        "company/pack.toml",
        "name = \"company\"\nversion = \"1.0.0\"\nextends = \"../base\"\n",
    );
    let out = attest_in(
        &dir,
        &["new", "rule", "changes.tested", "--pack", "company"],
    );
    exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "created company/rules/changes/tested.rhai: a copy of changes.tested from pack soc2\n\
         a base of the pack turned changes.tested off (CI refuses failed changes): the copy brings it back\n\
         created company/rules/changes/tested.cases.json: its cases\n\
         the copy overrides changes.tested of pack soc2: edit it and its cases, then run `attest test company --filter changes.tested`\n"
    );
    let base = repo().join("rules/soc2/rules/changes");
    for file in ["tested.rhai", "tested.cases.json"] {
        assert_eq!(
            fs::read_to_string(dir.join("company/rules/changes").join(file)).unwrap(),
            fs::read_to_string(base.join(file)).unwrap(),
            "{file} is the built-in pack's"
        );
    }
    // The copy runs again: it checks clean, passes its cases and is no longer turned off.
    let check = attest_in(&dir, &["check", "company"]);
    exit(&check, 0);
    assert_eq!(stdout(&check), "company: no problems (1 rule checked)\n");
    exit(&attest_in(&dir, &["test", "company"]), 0);
    let explain = attest_in(&dir, &["explain", "changes.tested", "--pack", "company"]);
    exit(&explain, 0);
    assert!(
        !stdout(&explain).contains("CI refuses failed changes"),
        "{}",
        stdout(&explain)
    );

    // A rule the pack itself turns off cannot be overridden there too: refused, with the
    // way out, and nothing is written.
    write(
        &dir,
        "own/pack.toml",
        "name = \"own\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n[disable]\n\"changes.tested\" = \"CI refuses failed changes\"\n",
    );
    for extra in [&[][..], &["--control", "CC8.1"][..]] {
        let mut args = vec!["new", "rule", "changes.tested", "--pack", "own"];
        args.extend_from_slice(extra);
        let out = attest_in(&dir, &args);
        exit(&out, 2);
        assert!(
            stderr(&out).contains(
                "error: own/pack.toml: [disable] turns `changes.tested` off (CI refuses failed changes): a pack cannot both override and disable a rule; remove the [disable] entry, then run this again to copy the rule"
            ),
            "{}",
            stderr(&out)
        );
        assert!(!dir.join("own/rules").exists(), "nothing is written");
    }
}

#[test]
fn new_rule_refuses_bad_input_and_writes_nothing() {
    let dir = scratch("new-bad");
    tiny_pack(&dir, &[]);
    for (args, message) in [
        (
            vec![
                "new",
                "rule",
                "Bad Id",
                "--control",
                "CC6.1",
                "--pack",
                "pack",
            ],
            "is not a rule id",
        ),
        (
            vec![
                "new",
                "rule",
                "access.x",
                "--control",
                "CC9.9",
                "--pack",
                "pack",
            ],
            "unknown control `CC9.9`: not in the pack's catalog (see `attest list controls --pack pack`)",
        ),
        (
            vec![
                "new",
                "rule",
                "access.x",
                "--control",
                "cc6.1",
                "--pack",
                "pack",
            ],
            "unknown control `cc6.1` (did you mean `CC6.1`?)",
        ),
        (
            vec![
                "new",
                "rule",
                "misc.x",
                "--control",
                "CC6.1",
                "--pack",
                "pack",
            ],
            "say which facts the rule reads",
        ),
        (
            vec![
                "new",
                "rule",
                "access.x",
                "--control",
                "CC6.1",
                "--pack",
                "pack",
                "--owner",
                "Nobody",
            ],
            "--owner `Nobody`",
        ),
        (
            vec!["new", "rule", "access.x", "--control", "CC6.1"],
            "the built-in pack cannot be changed",
        ),
        (
            vec!["new", "rule", "access.x", "--pack", "pack"],
            "a new rule needs at least one --control ID",
        ),
        (
            vec![
                "new",
                "rule",
                "access.x",
                "--control",
                "CC6.1",
                "--pack",
                "pack",
                "--title",
                "Two\nlines",
            ],
            "--title \"Two\\nlines\": a title is one line of text",
        ),
    ] {
        let out = attest_in(&dir, &args);
        exit(&out, 2);
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    assert!(!dir.join("pack/rules").exists(), "nothing was written");
}

/// `attest new rule access.x --control CC6.1 --pack pack` in `dir`, with `extra` flags.
fn new_access_x(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "new",
        "rule",
        "access.x",
        "--control",
        "CC6.1",
        "--pack",
        "pack",
    ];
    args.extend_from_slice(extra);
    attest_in(dir, &args)
}

#[test]
fn new_rule_takes_owner_and_severity_in_any_case() {
    let dir = scratch("new-case");
    tiny_pack(&dir, &[]);
    let out = new_access_x(&dir, &["--owner", "product", "--severity", "HIGH"]);
    exit(&out, 0);
    let rule = fs::read_to_string(dir.join("pack/rules/access/x.rhai")).unwrap();
    assert!(
        rule.contains("//! severity = \"high\"\n//! owner = \"Product\"\n"),
        "{rule}"
    );
}

// ---- extends -----------------------------------------------------------------------

#[test]
fn packs_extend_packs_by_path_and_cycles_are_errors() {
    let dir = scratch("extends");
    let facts = r#"{"schema_version": "1", "organization": {"name": "T", "as_of": "2026-06-30"},
        "accounts": [{"system_id": "aws", "username": "bob", "kind": "human", "status": "active", "mfa": false}]}"#;
    write(&dir, "facts.json", facts);
    tiny_pack(
        &dir,
        &[(
            "mfa",
            "CC6.1",
            MFA_BODY,
            &[case("mfa passes", WITH_MFA, "pass", "[]")],
        )],
    );
    // middle extends the tiny pack by path, and disables its rule; top extends middle.
    write(
        &dir,
        "middle/pack.toml",
        "name = \"middle\"\nversion = \"1.0.0\"\nextends = \"../pack\"\n\n[disable]\n\"t.mfa\" = \"MFA is enforced by the identity provider\"\n",
    );
    write(
        &dir,
        "top/pack.toml",
        "name = \"top\"\nversion = \"1.0.0\"\nextends = \"../middle\"\n",
    );
    let out = attest_in(
        &dir,
        &["eval", "facts.json", "--pack", "top", "--format", "json"],
    );
    exit(&out, 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cc61 = &report["controls"][1];
    assert_eq!(cc61["id"], "CC6.1");
    assert_eq!(
        cc61["rules"],
        serde_json::json!(["evidence/CC6.1", "t.mfa"])
    );
    let mfa = &report["rules"][0];
    assert_eq!(mfa["id"], "t.mfa");
    assert_eq!(
        mfa["disabled"], "MFA is enforced by the identity provider",
        "{mfa}"
    );

    // bottom extends top: a cycle once pack extends bottom.
    write(
        &dir,
        "pack/pack.toml",
        &format!("{MANIFEST}extends = \"../top\"\n"),
    );
    let cycle = attest_in(&dir, &["check", "top"]);
    exit(&cycle, 2);
    assert!(
        stderr(&cycle).contains(
            "the packs extend each other in a cycle: top extends middle extends pack extends top"
        ),
        "{}",
        stderr(&cycle)
    );

    write(
        &dir,
        "pack/pack.toml",
        &format!("{MANIFEST}\nextends = \"../nowhere\"\n"),
    );
    let missing = attest_in(&dir, &["test", "pack"]);
    exit(&missing, 2);
    assert!(
        stderr(&missing).starts_with("error: pack/pack.toml:6:11: extends `../nowhere`: nowhere: "),
        "{}",
        stderr(&missing)
    );
}

// ---- attest.toml -------------------------------------------------------------------

#[test]
fn attest_toml_sets_pack_facts_params_and_formats_and_flags_win() {
    let dir = scratch("config");
    write(
        &dir,
        "facts/org.json",
        r#"{"schema_version": "1", "organization": {"name": "T"}}"#,
    );
    write(
        &dir,
        "facts/accounts.json",
        r#"{"accounts": [{"system_id": "aws", "username": "ann", "kind": "human", "status": "active", "mfa": true}]}"#,
    );
    tiny_pack(
        &dir,
        &[(
            "few",
            "CC6.1",
            "tested(facts.accounts);\nif facts.accounts.len() > params.max_accounts { fail(\"too many accounts\"); }\n",
            &[case("one account passes", WITH_MFA, "pass", "[]")],
        )],
    );
    let manifest = dir.join("pack/pack.toml");
    let mut text = fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[params.max_accounts]\ntype = \"integer\"\ndefault = 5\ndescription = \"Most accounts allowed\"\n");
    fs::write(&manifest, text).unwrap();
    let header_path = dir.join("pack/rules/t/few.rhai");
    let rule = fs::read_to_string(&header_path).unwrap().replace(
        "//! remediation",
        "//! params = [\"max_accounts\"]\n//! remediation",
    );
    fs::write(&header_path, rule).unwrap();
    write(
        &dir,
        "attest.toml",
        "pack = \"pack\"\nfacts = [\"facts\"]\nas_of = 2026-06-30\n\n[params]\nmax_accounts = 0\n\n[eval]\nformat = \"json\"\n\n[test]\nformat = \"junit\"\n",
    );
    let strict = attest_in(&dir, &["eval"]);
    exit(&strict, 1);
    let report: serde_json::Value = serde_json::from_slice(&strict.stdout).unwrap();
    assert_eq!(report["evaluated_on"], "2026-06-30");
    assert_eq!(report["pack"]["name"], "tiny");
    let first = report["controls"][1]["rules"][0].as_str().unwrap();
    let first = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == first)
        .unwrap();
    assert_eq!(first["status"], "fail");
    let flags = attest_in(
        &dir,
        &["eval", "--param", "max_accounts=3", "--format", "text"],
    );
    let text = stdout(&flags);
    assert!(text.starts_with("Attest · SOC 2 readiness of T"), "{text}");
    assert!(!text.contains("too many accounts"), "{text}");
    let params = attest_in(&dir, &["list", "params"]);
    exit(&params, 0);
    assert!(
        stdout(&params).starts_with("max_accounts = 0  (integer, attest.toml:6:16)\n"),
        "{}",
        stdout(&params)
    );
    // `--param`, the strongest of all, as eval would take it.
    let params = attest_in(&dir, &["list", "params", "--param", "max_accounts=3"]);
    exit(&params, 0);
    assert!(
        stdout(&params).starts_with("max_accounts = 3  (integer, --param)\n"),
        "{}",
        stdout(&params)
    );
    for (args, message) in [
        (
            ["list", "params", "--param", "max_accounts=lots"],
            "error: --param max_accounts: expected an integer",
        ),
        (
            ["list", "params", "--param", "min_accounts=1"],
            "error: --param min_accounts: pack tiny declares no such parameter\n",
        ),
        (
            ["list", "params", "--param", "max_acounts=1"],
            "error: --param max_acounts: pack tiny declares no such parameter; did you mean `max_accounts`?\n",
        ),
        (
            ["list", "rules", "--param", "max_accounts=1"],
            "error: --param is for `attest list params`",
        ),
    ] {
        let out = attest_in(&dir, &args);
        exit(&out, 2);
        assert!(stderr(&out).starts_with(message), "{}", stderr(&out));
    }
    // Every command that takes --param names the flag in its error, and says how a list is
    // written (the value is JSON, else a plain string).
    for command in ["eval", "todo", "vendors", "bundle"] {
        let out = attest(&[
            command,
            "examples/acme",
            "--param",
            "mfa_required_criticality=critical,high",
            "--output",
            "unused",
        ]);
        exit(&out, 2);
        assert_eq!(
            stderr(&out),
            "error: --param mfa_required_criticality: expected a list of strings, got \"critical,high\" (write a list as JSON: --param 'mfa_required_criticality=[\"a\", \"b\"]')\n",
            "{command}"
        );
    }
    // The built-in pack's enumerated parameters refuse a value the facts never hold.
    let out = attest(&[
        "eval",
        "examples/acme",
        "--param",
        "dr_test_criticality=[\"Critical\", \"urgent\"]",
    ]);
    exit(&out, 2);
    assert_eq!(
        stderr(&out),
        "error: --param dr_test_criticality: \"urgent\" is not one of \"critical\", \"high\", \"medium\", \"low\" (matched in any case)\n"
    );
    for (args, message) in [
        (
            vec!["eval", "--param", "max_accounts=lots", "--format", "json"],
            "error: --param max_accounts: expected an integer",
        ),
        (
            vec!["sample", "t.mfa", "--param", "max_acounts=1", "--seed", "1"],
            "error: --param max_acounts: pack tiny declares no such parameter; did you mean `max_accounts`?\n",
        ),
    ] {
        let out = attest_in(&dir, &args);
        exit(&out, 2);
        assert!(stderr(&out).starts_with(message), "{}", stderr(&out));
    }
    let tests = attest_in(&dir, &["test"]);
    exit(&tests, 0);
    assert!(stdout(&tests).starts_with("<?xml"), "{}", stdout(&tests));

    // The same file elsewhere, named with --config: paths are relative to it.
    let elsewhere = scratch("config-elsewhere");
    let config = dir.join("attest.toml");
    let out = attest_in(&elsewhere, &["eval", "--config", config.to_str().unwrap()]);
    exit(&out, 1);

    // Mistakes name the file, line and column.
    for (text, message) in [
        ("pak = \"pack\"\n", "attest.toml:1:1: unknown field `pak`"),
        (
            "pack = \"pack\"\n[params]\nmax_accounts = \"lots\"\n",
            "attest.toml:3:16: [params] `max_accounts`: expected an integer, got \"lots\"",
        ),
        (
            "pack = \"pack\"\n[params]\nmin_accounts = 1\n",
            "attest.toml:3:16: [params] `min_accounts`: pack tiny declares no such parameter\n",
        ),
        (
            "pack = \"pack\"\n[params]\nmax_acounts = 1\n",
            "attest.toml:3:15: [params] `max_acounts`: pack tiny declares no such parameter; did you mean `max_accounts`?\n",
        ),
        (
            "[eval]\nformat = \"pdf\"\n",
            "attest.toml:2:10: format `pdf` is not one of text, json",
        ),
        (
            "as_of = \"yesterday\"\n",
            "attest.toml:1:9: as_of: `yesterday` is not a date",
        ),
        (
            "[test]\ncoverage_min = \"most\"\n",
            "attest.toml:2:16: coverage_min: `most` is not a percentage",
        ),
    ] {
        write(&dir, "attest.toml", text);
        let command: &[&str] = if text.contains("[test]") {
            &["test"]
        } else {
            &["eval", "facts"]
        };
        let out = attest_in(&dir, command);
        exit(&out, 2);
        assert!(stderr(&out).contains(message), "{text}: {}", stderr(&out));
    }
    // Every unknown key is named at once, in the order written, an unknown table's too.
    write(
        &dir,
        "attest.toml",
        "[eval]\nformt = \"json\"\n[todoo]\nowner = \"IT\"\n[test]\nfomat = \"json\"\n",
    );
    let out = attest_in(&dir, &["eval", "facts"]);
    exit(&out, 2);
    let err = stderr(&out);
    let named: Vec<&str> = err
        .lines()
        .map(|l| l.split(", expected").next().unwrap())
        .collect();
    assert_eq!(
        named,
        [
            "error: attest.toml:2:1: unknown field `formt`",
            "attest.toml:3:2: unknown field `todoo`",
            "attest.toml:6:1: unknown field `fomat`",
        ],
        "{err}"
    );
    let none = attest_in(&elsewhere, &["eval"]);
    exit(&none, 2);
    assert!(stderr(&none).contains("no facts"), "{}", stderr(&none));
    let absent = attest_in(&elsewhere, &["eval", "--config", "nope.toml"]);
    exit(&absent, 2);
    assert!(stderr(&absent).contains("nope.toml"), "{}", stderr(&absent));
}

// ---- eval --explain and the example pack -------------------------------------------

#[test]
fn eval_explain_says_why_for_every_rule_passing_ones_included() {
    let text = attest(&["eval", "examples/acme", "--explain"]);
    exit(&text, 1);
    let out = stdout(&text);
    // 61 rules and the evidence checks of the 5 in-scope criteria no rule covers.
    assert!(out.contains("\nWhy each rule decided (66)\n"), "{out}");
    assert!(
        out.contains("  evidence/CC3.3: fail: on some days of the audit period no evidence for CC3.3 was in force\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "  systems.encryption-at-rest: pass: tested 4 of 6 systems; no record breaks the rule; judged at the as-of date alone: the rule does not read the audit period\n"
        ),
        "{out}"
    );
    let json = attest(&["eval", "examples/acme", "--explain", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let rule = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "access.reviews-overdue")
        .unwrap();
    assert_eq!(
        rule["explanation"]["params"]["access_review_days_critical"],
        90
    );
    assert_eq!(
        rule["population"]["collections"]["systems"],
        serde_json::json!({"tested": 6, "of": 6})
    );
    assert_eq!(rule["population"]["keys"].as_array().unwrap().len(), 6);
}

#[test]
fn the_example_pack_adds_overrides_disables_and_sets() {
    let out = attest(&[
        "eval",
        "examples/acme",
        "--pack",
        "examples/acme-pack",
        "--format",
        "json",
    ]);
    exit(&out, 1);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pack"]["name"], "acme");
    let rules: Vec<&serde_json::Value> = report["rules"].as_array().unwrap().iter().collect();
    let rule = |id: &str| *rules.iter().find(|r| r["id"] == id).unwrap();
    let messages = |id: &str| {
        rule(id)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // Added, using a helper from the pack's lib/.
    assert_eq!(
        messages("access.shared-admins"),
        [
            "privileged shared account admin on metabase is shared and not a registered break-glass account"
        ]
    );
    // Overridden: privileged accounts idle for more than 30 days fail.
    assert!(
        messages("access.inactive-accounts").contains(
            &"privileged shared account root on aws-prod last logged in on 2026-04-17, 74 days ago (limit: 30 days)".to_owned()
        ),
        "{:?}",
        messages("access.inactive-accounts")
    );
    // Disabled, with the reason.
    let tested = rule("changes.tested");
    assert_eq!(tested["status"], "not_applicable");
    assert!(
        tested["disabled"]
            .as_str()
            .unwrap()
            .starts_with("Acme's deploy pipeline")
    );
    // Set: critical systems are reviewed every 60 days.
    assert!(
        messages("access.reviews-overdue")
            .iter()
            .any(|m| m.contains("(every 60 days for critical systems)")),
        "{:?}",
        messages("access.reviews-overdue")
    );
    let text = attest(&["eval", "examples/acme", "--pack", "examples/acme-pack"]);
    assert!(
        stdout(&text)
            .contains("\nDisabled rules (1)\n  changes.tested (CC8.1): Acme's deploy pipeline")
    );
}

#[test]
fn the_examples_config_runs_the_example_pack_with_no_flags() {
    let examples = repo().join("examples");
    let eval = attest_in(&examples, &["eval"]);
    exit(&eval, 1);
    let out = stdout(&eval);
    assert!(out.contains("(pack acme 1.0.0)"), "{out}");
    assert!(out.contains("Why each rule decided"), "{out}");
    // The pack's own collection is read, and known: no warning about `oncall`.
    assert!(
        out.contains("operations.oncall-coverage: fail: tested 3 of 6 systems, 3 of 4 oncall"),
        "{out}"
    );
    assert!(
        !stderr(&eval).contains("does not define"),
        "{}",
        stderr(&eval)
    );
    let test = attest_in(&examples, &["test"]);
    exit(&test, 0);
    assert!(
        stdout(&test).contains("at least the minimum 90%"),
        "{}",
        stdout(&test)
    );
}

// ---- schemas/pack.v1.schema.json ----------------------------------------------------

/// A validator for the pack schema's top level (the manifest), or for one of its `$defs`.
fn pack_schema(def: Option<&str>) -> jsonschema::Validator {
    let text = fs::read_to_string(repo().join("schemas/pack.v1.schema.json")).unwrap();
    let mut schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    if let Some(def) = def {
        schema = serde_json::json!({
            "$defs": schema["$defs"].clone(),
            "$ref": format!("#/$defs/{def}"),
        });
    }
    jsonschema::options().build(&schema).unwrap()
}

fn toml_json(text: &str) -> serde_json::Value {
    serde_json::to_value(toml::from_str::<toml::Value>(text).unwrap()).unwrap()
}

/// The `//!` header of a rule file, as JSON.
fn header_json(source: &str) -> serde_json::Value {
    let header: String = source
        .lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    toml_json(&header)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_pack_schema_accepts_the_shipped_packs_and_rejects_mistakes() {
    let manifest = pack_schema(None);
    let rule = pack_schema(Some("rule"));
    let catalog = pack_schema(Some("catalog"));
    let cases = pack_schema(Some("cases"));
    let mut checked = 0;
    for pack in ["rules/soc2", "examples/acme-pack"] {
        let mut files = Vec::new();
        files_under(&repo().join(pack), &mut files);
        for path in files {
            let text = fs::read_to_string(&path).unwrap();
            let name = path.to_string_lossy().into_owned();
            let (validator, doc) = if name.ends_with("pack.toml") {
                (&manifest, toml_json(&text))
            } else if name.ends_with("controls.toml") {
                (&catalog, toml_json(&text))
            } else if name.ends_with(".cases.json") {
                (&cases, serde_json::from_str(&text).unwrap())
            } else if name.ends_with(".rhai") && name.contains("/rules/") {
                (&rule, header_json(&text))
            } else {
                continue;
            };
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} files checked");

    let base = "name = \"x\"\nversion = \"1.0.0\"\n";
    for bad in [
        "version = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"d\"\n",
        base,
        &format!("{base}extends = \"soc2\"\n[disable]\n\"a.b\" = \"\"\n"),
        &format!("{base}extends = \"soc2\"\n[set]\nBad-Name = 1\n"),
        &format!("{base}extends = \"soc2\"\ncolour = \"red\"\n"),
        &format!(
            "{base}extends = \"soc2\"\n[params.p]\ntype = \"float\"\ndefault = 1\ndescription = \"d\"\n"
        ),
    ] {
        assert!(!manifest.is_valid(&toml_json(bad)), "accepted: {bad}");
    }
    assert!(manifest.is_valid(&toml_json(&format!("{base}extends = \"../base\"\n"))));
    let good = header_json(&header("x", "CC6.1"));
    assert!(rule.is_valid(&good));
    for (key, value) in [
        ("severity", serde_json::json!("urgent")),
        ("owner", serde_json::json!("it")),
        ("controls", serde_json::json!([])),
        ("id", serde_json::json!("NoArea")),
    ] {
        let mut bad = good.clone();
        bad[key] = value;
        assert!(!rule.is_valid(&bad), "accepted {key}: {bad}");
    }
}

// ---- docs ----------------------------------------------------------------------------

/// The `### \`name\`` headings of the prelude reference in docs/writing-rules.md.
fn documented_helpers() -> Vec<String> {
    let doc = fs::read_to_string(repo().join("docs/writing-rules.md")).unwrap();
    let section = doc
        .split("\n## Prelude reference\n")
        .nth(1)
        .expect("docs/writing-rules.md has a `## Prelude reference` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|l| l.strip_prefix("### `"))
        .filter_map(|l| l.strip_suffix('`'))
        .map(str::to_owned)
        .collect()
}

/// The helpers the engine registers for rules, read from its source: every
/// `register_fn("name", ...)` under engine/src/prelude/, and the finding constructors that
/// findings.rs registers in a loop over `("fail", FindingStatus::Fail)` pairs, less the
/// hooks Rhai calls itself (`to_string`, `to_debug`, operators).
/// (Once the engine exports `PRELUDE_FUNCTIONS`, this reads that list instead.)
fn registered_helpers() -> Vec<String> {
    attest_engine::Engine::prelude_functions()
}

#[test]
fn the_prelude_reference_documents_every_helper_and_only_those() {
    let documented = documented_helpers();
    let registered = registered_helpers();
    assert!(registered.contains(&"fail".to_owned()) && registered.contains(&"index_by".to_owned()));
    let undocumented: Vec<&String> = registered
        .iter()
        .filter(|f| !documented.contains(f))
        .collect();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|f| !registered.contains(f))
        .collect();
    assert!(
        undocumented.is_empty(),
        "prelude helpers with no `### `name`` entry in docs/writing-rules.md: {undocumented:?}"
    );
    assert!(
        missing.is_empty(),
        "docs/writing-rules.md documents helpers the engine does not register: {missing:?}"
    );
}

// ---- did you mean ---------------------------------------------------------------------

#[test]
fn mistyped_rules_controls_and_parameters_get_a_suggestion() {
    let o = attest(&["eval", "examples/acme", "--param", "warn_windw_days=10"]);
    exit(&o, 2);
    assert!(
        stderr(&o).contains("error: --param warn_windw_days: pack soc2 declares no such parameter; did you mean `warn_window_days`?"),
        "{}",
        stderr(&o)
    );
    let o = attest(&["explain", "acess.mfa-privileged"]);
    exit(&o, 2);
    assert!(
        stderr(&o).contains("did you mean `access.mfa-privileged`?"),
        "{}",
        stderr(&o)
    );
    let dir = scratch("did-you-mean");
    write(
        &dir,
        "pack/pack.toml",
        "name = \"mine\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n\n[set]\nwarn_windw_days = 10\n\n[disable]\n\"access.mfa-privilegd\" = \"SSO enforces it\"\n",
    );
    let o = attest_in(&dir, &["check", "pack"]);
    exit(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains("[set] `warn_windw_days`: no such parameter in this pack or its base; did you mean `warn_window_days`?"),
        "{out}"
    );
    assert!(
        out.contains("[disable] `access.mfa-privilegd`: the base pack has no such rule; did you mean `access.mfa-privileged`?"),
        "{out}"
    );
}

// ---- overriding and disabling ---------------------------------------------------------

#[test]
fn disabling_a_rule_of_the_pack_itself_says_so_once() {
    let dir = scratch("disable-own");
    common::write(
        &dir,
        "pack/pack.toml",
        "name = \"mine\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n\n[disable]\n\"mine.own\" = \"not yet\"\n",
    );
    common::write(
        &dir,
        "pack/rules/mine/own.rhai",
        "//! id = \"mine.own\"\n//! title = \"Own\"\n//! controls = [\"CC6.1\"]\n//! severity = \"low\"\n//! owner = \"IT\"\n//! facts = [\"accounts\"]\n//! remediation = \"Fix it.\"\n\nfor a in facts.accounts { tested(a); }\n",
    );
    let o = attest_in(&dir, &["check", "pack"]);
    exit(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains("error[unknown-rule]: [disable] `mine.own`: the base pack has no such rule; `mine.own` is this pack's own, in rules/mine/own.rhai: remove the file to turn it off"),
        "{out}"
    );
    // Not also said to override a rule it does not inherit.
    assert!(!out.contains("disabled-override"), "{out}");
}

#[test]
fn a_rule_overridden_and_disabled_by_one_pack_is_an_error_and_by_two_runs_once() {
    // Before, both reached the report under one id: the override run (and failing), and
    // the rule listed as disabled.
    let dir = scratch("override-and-disable");
    common::write(
        &dir,
        "pack/pack.toml",
        "name = \"mine\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n\n[disable]\n\"access.inactive-accounts\" = \"The IdP disables idle accounts\"\n",
    );
    let base = repo().join("rules/soc2/rules/access/inactive-accounts.rhai");
    common::write(
        &dir,
        "pack/rules/access/inactive-accounts.rhai",
        &fs::read_to_string(base).unwrap(),
    );
    let o = attest_in(&dir, &["check", "pack"]);
    exit(&o, 1);
    assert!(
        stdout(&o).contains(
            "error[disabled-override]: [disable] `access.inactive-accounts`: the pack also overrides it, in rules/access/inactive-accounts.rhai; remove the [disable] entry to run the override, or the file to turn the rule off\n --> pack/pack.toml:6:1"
        ),
        "{}",
        stdout(&o)
    );
    let facts = repo().join("examples/acme");
    let o = attest_in(&dir, &["eval", facts.to_str().unwrap(), "--pack", "pack"]);
    exit(&o, 2);
    assert!(
        stderr(&o).contains("error[disabled-override]"),
        "{}",
        stderr(&o)
    );

    // A rule its base disabled, overridden by the extending pack, runs once, not disabled
    // (it was both, under one id).
    common::write(
        &dir,
        "top/pack.toml",
        "name = \"top\"\nversion = \"1.0.0\"\nextends = \"../pack\"\n",
    );
    fs::rename(dir.join("pack/rules"), dir.join("top/rules")).unwrap();
    exit(&attest_in(&dir, &["check", "top"]), 0);
    let args = [
        "eval",
        facts.to_str().unwrap(),
        "--pack",
        "top",
        "--format",
        "json",
    ];
    let o = attest_in(&dir, &args);
    exit(&o, 1);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = "access.inactive-accounts";
    let ids = |v: &serde_json::Value| {
        let all = v.as_array().unwrap().iter();
        all.filter(|r| *r == id || r["id"] == id)
            .cloned()
            .collect::<Vec<_>>()
    };
    let rules = ids(&report["rules"]);
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0]["disabled"], serde_json::Value::Null);
    let controls = report["controls"].as_array().unwrap();
    let cc62 = controls.iter().find(|c| c["id"] == "CC6.2").unwrap();
    assert_eq!(ids(&cc62["rules"]).len(), 1, "{cc62}");
}

#[test]
fn test_holds_each_rule_to_the_limits_eval_does() {
    // A rule that never ends: its cases stop at the time budget (on the process's clock, as
    // in `attest eval`), or at the operation budget, and report the rule in error.
    let dir = scratch("test-limits");
    tiny_pack(
        &dir,
        &[(
            "loops",
            "CC6.1",
            "loop { }\n",
            &[case("loops", WITH_MFA, "error", "[]")],
        )],
    );
    let run = |args: &[&str]| {
        let mut all = vec!["test", "pack", "--format", "json"];
        all.extend_from_slice(args);
        let out = attest_in(&dir, &all);
        exit(&out, 0);
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let case = &report["tests"][0];
        assert_eq!(case["passed"], true, "{report}");
        case["actual"]["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        run(&["--max-operations", "0", "--rule-timeout", "0.2"])
            .contains("the rule exceeded its time budget"),
    );
    assert!(
        run(&["--max-operations", "1000"])
            .contains("the rule exceeded its budget of 1000 operations")
    );
}

#[test]
fn a_pack_that_cannot_load_lists_every_error_check_finds() {
    // A file refused whole (a lone carriage return) kept the syntax errors of the other
    // rules from being listed by `test` and `eval`: they list what `check` does.
    let dir = scratch("every-error");
    tiny_pack(
        &dir,
        &[
            ("cr", "CC6.1", "let x = 1;\rfail(\"x\");\n", &[]),
            (
                "syn",
                "CC6.2",
                "for a in facts.accounts { fail(a, \"x\")\n",
                &[],
            ),
        ],
    );
    let check = attest_in(&dir, &["check", "pack", "--format", "json"]);
    exit(&check, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
    let errors = report["diagnostics"].as_array().unwrap().len();
    assert_eq!(errors, 2, "{report}");
    for args in [
        vec!["test", "pack"],
        vec!["eval", "--pack", "pack", "facts.json"],
    ] {
        write(
            &dir,
            "facts.json",
            "{\"schema_version\": \"1\", \"organization\": {\"name\": \"A\", \"as_of\": \"2026-06-30\"}}",
        );
        let out = attest_in(&dir, &args);
        exit(&out, 2);
        let err = stderr(&out);
        assert!(err.contains("the pack has 2 problems"), "{args:?}: {err}");
        assert!(
            err.contains("rules/t/cr.rhai:") && err.contains("rules/t/syn.rhai:"),
            "{err}"
        );
    }
}

#[test]
fn new_rule_keeps_a_pipe_of_the_title_inside_its_readme_cell() {
    let dir = scratch("new-pipe");
    tiny_pack(&dir, &[]);
    write(
        &dir,
        "pack/README.md",
        "# Tiny\n\n| Rule | Controls | What it checks |\n|---|---|---|\n",
    );
    let out = new_access_x(&dir, &["--title", "Admin | root accounts are personal"]);
    exit(&out, 0);
    let readme = fs::read_to_string(dir.join("pack/README.md")).unwrap();
    assert!(
        readme.contains("| `access.x` | CC6.1 | Admin \\| root accounts are personal |\n"),
        "{readme}"
    );
}
