//! The warnings of a run's inputs, recorded in the report (`warnings`): a facts field the
//! schema does not define, doubtful waivers (an expiry over 366 days after the approval, a
//! waiver in force beside another for the same findings, an `entity` naming no record) and a
//! pack's lint warning (a `TODO` title). Each format shows them where its readers look
//! (snapshots), the report and SARIF match their schemas, the public view leaves them out, a
//! report with them is read for diffs and baselines, and a run without any has no `warnings`.

// Helpers unwrap and panic like the tests they serve: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::panic)]

use attest_engine::report::WarningInput;
use attest_engine::{
    Engine, EvalOptions, Facts, FactsSource, Limits, Pack, PackFile, Report, Waivers, diff::Diff,
};
use attest_render::{self as render, Context, escape};
use attest_tests::{every_format, schema_errors, schema_validator};
use serde_json::{Value, json};

const FACTS: &str = r#"{
  "schema_version": "1",
  "organization": {"name": "Warned Co", "as_of": "2026-06-30"},
  "accounts": [
    {"system_id": "aws", "username": "alice", "kind": "human", "status": "active",
     "mfa": false, "mfa_enabled": true},
    {"system_id": "aws", "username": "bob", "kind": "human", "status": "active", "mfa": true}
  ]
}
"#;

const WAIVERS: &str = r#"{"schema_version": "1", "waivers": [
  {"rule": "t.mfa", "entity": "accounts/aws/alice", "reason": "Key on order",
   "approved_by": "CISO", "approved_on": "2026-01-01", "expires_on": "2027-06-30"},
  {"rule": "t.mfa", "entity": "accounts/aws/alice", "reason": "Again",
   "approved_by": "CISO", "approved_on": "2026-03-01", "expires_on": "2026-12-31"},
  {"rule": "t.mfa", "entity": "*", "reason": "All of them",
   "approved_by": "CISO", "approved_on": "2026-03-01", "expires_on": "2026-12-31"}
]}
"#;

const RULE: &str = "//! id = \"t.mfa\"\n//! title = \"TODO say what it checks\"\n//! controls = [\"CC6.1\"]\n//! severity = \"high\"\n//! owner = \"IT\"\n//! facts = [\"accounts\"]\n//! remediation = \"Turn MFA on.\"\n\nfor a in facts.accounts {\n    if !a.mfa {\n        fail(a, \"no MFA\");\n    }\n}\n";

fn pack() -> Pack {
    let files = [
        PackFile::new("pack.toml", attest_tests::TINY_MANIFEST),
        PackFile::new("controls.toml", attest_tests::TINY_CATALOG),
        PackFile::new("rules/t/mfa.rhai", RULE),
    ];
    Pack::from_files(&files).unwrap()
}

/// The report of `facts` under the pack, with `waivers` applied when given.
fn report(facts: &str, waivers: Option<&str>) -> (Report, Context) {
    let pack = pack();
    assert_eq!(pack.warnings().len(), 1, "{:?}", pack.warnings());
    let engine = Engine::new(pack, Limits::default()).unwrap();
    let facts = Facts::load(&[FactsSource {
        name: "facts.json",
        text: facts,
    }])
    .unwrap();
    let mut report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    if let Some(text) = waivers {
        Waivers::parse("waivers.json", text)
            .unwrap()
            .apply(&mut report);
    }
    (report, Context::from_facts(&facts))
}

fn warned() -> (Report, Context) {
    report(FACTS, Some(WAIVERS))
}

#[test]
fn the_report_records_every_inputs_warnings_in_order() {
    let (report, _) = warned();
    let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    let warnings = doc["warnings"].as_array().unwrap();
    let inputs: Vec<&str> = warnings
        .iter()
        .map(|w| w["input"].as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        ["facts", "waivers", "waivers", "waivers", "pack"],
        "{doc:#}"
    );
    assert_eq!(
        warnings[0],
        json!({
            "input": "facts",
            "file": "facts.json",
            "line": 6,
            "column": 35,
            "pointer": "/accounts/0/mfa_enabled",
            "message": "facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?"
        })
    );
    let places: Vec<(&str, u64, &str)> = warnings[1..4]
        .iter()
        .map(|w| {
            (
                w["file"].as_str().unwrap(),
                w["line"].as_u64().unwrap(),
                w["pointer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("waivers.json", 2, "/waivers/0/expires_on"),
            ("waivers.json", 4, "/waivers/1"),
            ("waivers.json", 6, "/waivers/2/entity"),
        ]
    );
    let pack = &warnings[4];
    assert_eq!(pack["file"], "rules/t/mfa.rhai");
    assert_eq!(pack["code"], "placeholder");
    assert_eq!(pack["pointer"], Value::Null);
    assert!(pack["line"].is_u64() && pack["column"].is_u64(), "{pack}");
    // One shape: the facts' and waivers' warnings are the inputs' own, with their input.
    assert!(warnings[..4].iter().all(|w| w.get("code").is_none()));
    // Applying the waivers again does not repeat their warnings.
    let mut again = report.clone();
    Waivers::parse("waivers.json", WAIVERS)
        .unwrap()
        .apply(&mut again);
    assert_eq!(again.warnings, report.warnings);
    let errors = schema_errors(&schema_validator("schemas/report.v2.schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_run_without_warnings_has_no_warnings_member() {
    let clean = FACTS.replace(", \"mfa_enabled\": true", "");
    let (report, context) = report(&clean, None);
    // The pack's placeholder is the only one left.
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].input(), WarningInput::Pack);
    let mut report = report;
    report.warnings.clear();
    let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert!(doc.get("warnings").is_none(), "{doc:#}");
    for (name, output) in every_format(&report, &context) {
        assert!(
            !output.contains("Input warnings") && !output.contains("toolExecutionNotifications"),
            "{name} shows warnings it does not have:\n{output}"
        );
    }
    // The built-in pack has none, and the example organization neither: its report is as
    // it was before warnings were recorded.
    let example = attest_tests::soc2_engine()
        .evaluate(&attest_tests::example_facts(), &EvalOptions::default())
        .unwrap();
    assert!(example.warnings.is_empty());
}

#[test]
fn every_format_shows_the_warnings() {
    let (report, context) = warned();
    for (name, output) in every_format(&report, &context) {
        let output = output.replace(&report.pack.digest, "[pack digest]");
        insta::assert_snapshot!(name, output);
        if name == "csv" {
            // Findings only: the CSV has a row per finding and nothing run-wide.
            let mut without = report.clone();
            without.warnings.clear();
            assert_eq!(output, render::csv(&without), "csv");
            continue;
        }
        for w in &report.warnings {
            let message = match name {
                "markdown" => escape::markdown(w.message()),
                "html" | "junit" => escape::xml(w.message()),
                _ => w.message().to_owned(),
            };
            let needle: String = message.chars().take(30).collect();
            assert!(
                output.contains(&needle),
                "{name} does not show `{needle}`:\n{output}"
            );
        }
    }
}

#[test]
fn sarif_lists_the_warnings_as_tool_notifications_and_matches_the_schema() {
    let (report, context) = warned();
    let doc: Value = serde_json::from_str(&render::sarif(&report, &context)).unwrap();
    let errors = schema_errors(
        &schema_validator("tests/fixtures/sarif-schema-2.1.0.json"),
        &doc,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let invocation = &doc["runs"][0]["invocations"][0];
    // Warnings do not make the run unsuccessful; rule errors do.
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), report.warnings.len());
    assert!(notes.iter().all(|n| n["level"] == "warning"));
    let facts = &notes[0]["locations"][0];
    assert_eq!(
        facts["physicalLocation"]["artifactLocation"]["uri"],
        "facts.json"
    );
    assert_eq!(facts["physicalLocation"]["region"]["startLine"], 6);
    assert_eq!(facts["physicalLocation"]["region"]["startColumn"], 35);
    // Columns count code points (SARIF assumes UTF-16 code units unless the run says so).
    assert_eq!(doc["runs"][0]["columnKind"], "unicodeCodePoints");
    assert_eq!(notes[0]["properties"]["pointer"], "/accounts/0/mfa_enabled");
    assert_eq!(notes[0]["properties"]["input"], "facts");
    let pack = &notes[4]["locations"][0]["physicalLocation"];
    assert!(pack["region"]["startColumn"].is_u64(), "{pack}");
    assert_eq!(notes[4]["properties"]["code"], "placeholder");
}

#[test]
fn the_public_view_leaves_the_warnings_out() {
    let (report, context) = warned();
    let public = render::redact(&report, &context);
    let outputs = [
        public.to_json(),
        render::public_text(&public),
        render::public_markdown(&public),
        render::public_html(&public),
    ];
    for output in outputs {
        assert!(!output.contains("warnings\"") && !output.contains("Input warnings"));
        for w in &report.warnings {
            assert!(!output.contains(w.message()), "{output}");
        }
        assert!(!output.contains("waivers.json") && !output.contains("mfa_enabled"));
    }
}

#[test]
fn a_report_with_warnings_reads_back_for_diff_and_baselines() {
    let (report, _) = warned();
    let text = report.to_json();
    let read = attest_engine::report::read("report.json", &text).unwrap();
    // Read for a comparison, which the inputs' warnings have no part in: left out.
    assert!(read.warnings.is_empty());
    let mut without = report.clone();
    without.warnings.clear();
    assert_eq!(read, without);
    let diff = Diff::new(&read, &report);
    assert!(diff.new_failures.is_empty() && diff.changed.is_empty());
}

#[test]
fn a_hostile_field_name_in_a_warning_is_shown_not_acted_on() {
    let name = "x\u{1b}]0;pwned\u{7}\u{202e}\nwarning: forged line";
    let facts = FACTS.replace(
        "\"mfa_enabled\": true",
        "\"x\\u001b]0;pwned\\u0007\\u202e\\nwarning: forged line\": true",
    );
    let (report, context) = report(&facts, None);
    // The facts' message names the field as it is written; the JSON Pointer is RFC 6901's.
    let message = report.warnings[0].message();
    assert_eq!(
        message,
        format!("facts-v1 does not define `{name}` for accounts")
    );
    assert_eq!(
        report.warnings[0].pointer(),
        Some(format!("/accounts/0/{name}").as_str())
    );
    // Every format people read shows it with its control characters escaped, on its line.
    for (format, output) in every_format(&report, &context) {
        let shown = match format {
            "text" => escape::line(message).into_owned(),
            "markdown" => escape::markdown(message),
            "html" | "junit" => escape::xml(message),
            // Data formats carry it exactly, in their own escapes (CSV lists no warnings).
            _ => continue,
        };
        assert!(
            output.contains(&shown),
            "{format} does not show the field name as written:\n{output}"
        );
        let hidden: Vec<char> = output
            .chars()
            .filter(|&c| c != '\n' && c != '\t' && escape::is_hidden(c))
            .collect();
        assert!(hidden.is_empty(), "{format} passes on {hidden:?}");
        assert!(
            !output.lines().any(|l| l.starts_with("warning: forged")),
            "{format} lets a field name forge a line:\n{output}"
        );
    }
    let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(doc["warnings"][0]["message"], message);
}

#[test]
fn a_field_name_with_a_slash_or_a_percent_sign_is_named_as_written() {
    let facts = FACTS.replace("\"mfa_enabled\": true", "\"mfa/enabled 100%~\": true");
    let (report, _) = report(&facts, None);
    let w = &report.warnings[0];
    assert_eq!(
        w.message(),
        "facts-v1 does not define `mfa/enabled 100%~` for accounts"
    );
    assert_eq!(w.pointer(), Some("/accounts/0/mfa~1enabled 100%~0"));
    let text = render::text(&report, &render::TextOptions::default());
    assert!(
        text.contains(
            "/accounts/0/mfa~1enabled 100%~0  facts-v1 does not define `mfa/enabled 100%~` for accounts"
        ),
        "{text}"
    );
}

#[test]
fn text_markdown_and_sarif_list_as_many_warnings_as_findings_and_count_the_rest() {
    // 150 accounts, each with a field facts-v1 does not define: 150 facts warnings, then
    // the pack's one.
    let accounts: Vec<String> = (0..150)
        .map(|i| format!(r#"{{"system_id": "aws", "username": "u{i}", "kind": "human", "status": "active", "mfa": true, "mfa_enabled": true}}"#))
        .collect();
    let facts = format!(
        r#"{{"schema_version": "1", "organization": {{"name": "Many", "as_of": "2026-06-30"}}, "accounts": [{}]}}"#,
        accounts.join(",\n")
    );
    let (report, context) = report(&facts, None);
    assert_eq!(report.warnings.len(), 151);
    let markdown = render::markdown(&report);
    assert!(markdown.contains("### Input warnings (151)"), "{markdown}");
    let listed = markdown
        .lines()
        .filter(|l| l.starts_with("- **facts**"))
        .count();
    assert_eq!(listed, 100);
    assert!(
        markdown.contains("- … and 51 more (see the full report)"),
        "{markdown}"
    );
    let text = render::text(
        &report,
        &render::TextOptions {
            color: false,
            max_findings: 10,
        },
    );
    assert!(text.contains("Input warnings (151)"), "{text}");
    let listed = text.lines().filter(|l| l.starts_with("  facts ")).count();
    assert_eq!(listed, 100, "{text}");
    assert!(
        text.contains("  … and 51 more (see --format json)\n\n2 controls:"),
        "{text}"
    );
    let options = render::SarifOptions { max_results: 120 };
    let doc: Value =
        serde_json::from_str(&render::sarif_with(&report, &context, &options).text).unwrap();
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 121);
    assert!(notes[..120].iter().all(|n| n["level"] == "warning"));
    assert_eq!(notes[120]["level"], "note");
    assert_eq!(
        notes[120]["message"]["text"],
        "31 more input warnings left out (the JSON report lists them all)"
    );
    let errors = schema_errors(
        &schema_validator("tests/fixtures/sarif-schema-2.1.0.json"),
        &doc,
    );
    assert!(errors.is_empty(), "{errors:#?}");
}
