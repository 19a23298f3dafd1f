//! Every report format on the example organization with the example waivers: snapshots,
//! determinism, and what each format's consumers need. SARIF validates against the official
//! 2.1.0 schema and points every result at a facts file and line; JUnit is well-formed with
//! names unique and stable across runs; CSV parses back; the HTML page, opened in headless
//! Chromium, shows the dashboard and filters its table from the URL.

// Helpers unwrap and panic like the tests they serve: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::panic)]

use attest_engine::report::todo::TodoList;
use attest_engine::{Date, EvalOptions, Report, Status};
use attest_render::{self as render, Context};
use attest_tests::{every_format, schema_errors, schema_validator};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The example organization's report on `as_of` (its own date when `None`), with or
/// without `examples/waivers.json` applied, and the facts' render context.
fn example(as_of: Option<&str>, waivers: bool) -> (Report, Context) {
    let engine = attest_tests::soc2_engine();
    let facts = attest_tests::example_facts();
    let options = EvalOptions::default().with_as_of(as_of.and_then(Date::parse));
    let mut report = engine.evaluate(&facts, &options).unwrap();
    if waivers {
        attest_tests::example_waivers().apply(&mut report);
    }
    (report, Context::from_facts(&facts))
}

/// The example with its waivers, evaluated once for the whole file.
fn shared() -> &'static (Report, Context) {
    static SHARED: OnceLock<(Report, Context)> = OnceLock::new();
    SHARED.get_or_init(|| example(None, true))
}

/// Unique findings of a report as (rule key, entity or message), as SARIF and CSV list them.
fn unique_findings(report: &Report) -> BTreeSet<(String, Option<String>, String)> {
    let mut out = BTreeSet::new();
    for c in report
        .controls
        .iter()
        .filter(|c| c.status != Status::NotApplicable)
    {
        for r in report.rules_of(c) {
            for f in &r.findings {
                // One record may have several findings of a rule (a vendor's contract and
                // its report both lapsing): the message tells them apart.
                out.insert((r.id.clone(), f.entity.clone(), f.message.clone()));
            }
        }
    }
    out
}

#[test]
fn snapshots_of_every_format() {
    let (report, context) = shared();
    // The pack's digest changes with any edit to a rule file: the rest shows what changed.
    for (name, output) in every_format(report, context) {
        insta::assert_snapshot!(name, output.replace(&report.pack.digest, "[pack digest]"));
    }
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    let (a, ca) = example(None, true);
    let (b, cb) = example(None, true);
    for ((name, x), (_, y)) in every_format(&a, &ca).into_iter().zip(every_format(&b, &cb)) {
        assert!(x == y, "{name} differs between two runs");
    }
}

#[test]
fn reports_with_waivers_match_the_report_schema() {
    let v = schema_validator("schemas/report.v2.schema.json");
    let (report, _) = shared();
    assert!(!report.waivers.is_empty());
    let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    let errors = schema_errors(&v, &doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_format_records_the_parameters_the_run_set() {
    // Given out of the pack's order: reports list them in the pack's.
    let params = [
        ("warn_window_days", serde_json::json!(14)),
        ("access_review_days_critical", serde_json::json!(30)),
    ];
    let options = EvalOptions::default()
        .with_params(params.into_iter().map(|(n, v)| (n.to_owned(), v)).collect());
    let facts = attest_tests::example_facts();
    let report = attest_tests::soc2_engine()
        .evaluate(&facts, &options)
        .unwrap();
    let context = Context::from_facts(&facts);
    let (plain, _) = example(None, false);
    let findings = |r: &Report| -> usize { r.rules.iter().map(|r| r.findings.len()).sum() };
    assert_ne!(
        findings(&report),
        findings(&plain),
        "the thresholds changed the findings"
    );
    let doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        doc["params"],
        serde_json::json!({
            "access_review_days_critical": {"value": 30, "default": 90},
            "warn_window_days": {"value": 14, "default": 30},
        })
    );
    let order: Vec<&String> = doc["params"].as_object().unwrap().keys().collect();
    assert_eq!(order, ["access_review_days_critical", "warn_window_days"]);
    let v = schema_validator("schemas/report.v2.schema.json");
    let errors = schema_errors(&v, &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let sarif: Value = serde_json::from_str(&render::sarif(&report, &context)).unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["params"], doc["params"]);
    let official = schema_validator("tests/fixtures/sarif-schema-2.1.0.json");
    let errors = schema_errors(&official, &sarif);
    assert!(errors.is_empty(), "{errors:#?}");
    let line = "Parameters set for this run: access_review_days_critical = 30 (pack default: 90); \
                warn_window_days = 14 (pack default: 30)";
    let formats = every_format(&report, &context);
    let output = |name: &str| formats.iter().find(|(n, _)| *n == name).unwrap().1.clone();
    assert!(output("text").lines().any(|l| l == line), "text");
    assert!(
        output("markdown")
            .replace('\\', "")
            .lines()
            .any(|l| l == line),
        "markdown"
    );
    assert!(
        output("html").contains(&format!("<p class=\"meta\">{line}</p>")),
        "html"
    );
    let junit = output("junit");
    for property in [
        "<property name=\"param.access_review_days_critical\" value=\"30\"/>",
        "<property name=\"param.warn_window_days\" value=\"14\"/>",
    ] {
        assert_eq!(
            junit.matches(property).count(),
            report.controls.len(),
            "{property}"
        );
    }
    let population: Value =
        serde_json::from_str(&render::population_json(&report, &report.rules[0])).unwrap();
    assert_eq!(population["params"], doc["params"]);
    // A run that sets none shows none.
    for (name, out) in every_format(&plain, &context) {
        assert!(
            !out.contains("Parameters set") && !out.contains("param."),
            "{name}"
        );
        assert!(!out.contains("\"params\""), "{name}");
    }
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let v = schema_validator("tests/fixtures/sarif-schema-2.1.0.json");
    for (report, context) in [
        shared().clone(),
        example(None, false),
        example(Some("2027-01-31"), false),
    ] {
        let doc: Value = serde_json::from_str(&render::sarif(&report, &context)).unwrap();
        let errors = schema_errors(&v, &doc);
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn sarif_has_one_result_per_finding_each_at_a_file_and_line() {
    let (report, context) = shared();
    let doc: Value = serde_json::from_str(&render::sarif(report, context)).unwrap();
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), unique_findings(report).len());
    let root = attest_tests::repo_root();
    let mut fingerprints = BTreeSet::new();
    for r in results {
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        assert!(!rule["relationships"].as_array().unwrap().is_empty());
        let physical = &r["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains(':'),
            "{uri} is relative"
        );
        let text = std::fs::read_to_string(root.join(uri)).unwrap();
        let line = physical["region"]["startLine"].as_u64().unwrap() as usize;
        let at = text.lines().nth(line - 1).unwrap();
        assert!(at.contains('{'), "{uri}:{line} starts a record: {at}");
        if let Some(pointer) = r["properties"]["entity"].as_str() {
            assert_eq!(
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                pointer
            );
        }
        let fp = r["partialFingerprints"]["attestFinding/v2"]
            .as_str()
            .unwrap();
        assert!(
            fingerprints.insert(fp.to_owned()),
            "duplicate fingerprint {fp}"
        );
    }
    let waived = results
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .count();
    assert_eq!(
        waived, 3,
        "the three active example waivers each cover one finding"
    );
}

#[test]
fn sarif_fingerprints_are_stable_when_messages_change() {
    // A day later every "N days ago" changes; the findings are the same.
    let fingerprints = |as_of: &str| -> BTreeMap<(String, String), String> {
        let (report, context) = example(Some(as_of), false);
        let doc: Value = serde_json::from_str(&render::sarif(&report, &context)).unwrap();
        doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["properties"]["entity"].is_string())
            .map(|r| {
                (
                    (
                        r["ruleId"].as_str().unwrap().to_owned(),
                        r["properties"]["entity"].as_str().unwrap().to_owned(),
                    ),
                    r["partialFingerprints"]["attestFinding/v2"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                )
            })
            .collect()
    };
    let a = fingerprints("2026-06-30");
    let b = fingerprints("2026-07-01");
    let common: Vec<_> = a.keys().filter(|k| b.contains_key(*k)).collect();
    assert!(common.len() > 20, "most findings persist: {}", common.len());
    for k in common {
        assert_eq!(a[k], b[k], "{k:?}");
    }
}

/// A lapsing warning keeps its fingerprint as its day nears: `in 3 days`, `in 2 days`,
/// `tomorrow`, `today` are one shape, so code scanning keeps one alert.
#[test]
fn sarif_fingerprints_hold_as_a_deadline_nears() {
    let gusto_contract = |as_of: &str| -> (String, String) {
        let (report, context) = example(Some(as_of), false);
        let doc: Value = serde_json::from_str(&render::sarif(&report, &context)).unwrap();
        let result = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["ruleId"] == "vendors.lapsing"
                    && r["properties"]["entity"] == "/vendors/3"
                    && r["message"]["text"]
                        .as_str()
                        .unwrap()
                        .starts_with("contract")
            })
            .unwrap_or_else(|| panic!("no Gusto contract warning on {as_of}"));
        (
            result["message"]["text"].as_str().unwrap().to_owned(),
            result["partialFingerprints"]["attestFinding/v2"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    let days = ["2026-07-12", "2026-07-13", "2026-07-14", "2026-07-15"];
    let seen: Vec<(String, String)> = days.iter().map(|d| gusto_contract(d)).collect();
    let messages: Vec<&str> = seen.iter().map(|(m, _)| m.as_str()).collect();
    assert!(
        messages[2].ends_with("tomorrow") && messages[3].ends_with("today"),
        "{messages:?}"
    );
    for (message, fingerprint) in &seen[1..] {
        assert_eq!(fingerprint, &seen[0].1, "{message}");
    }
}

#[test]
fn rules_in_error_are_reported_by_every_format() {
    let (mut report, context) = example(None, false);
    let error = attest_engine::report::RuleError {
        message: "operation limit hit".to_owned(),
        file: "rules/access/inactive-accounts.rhai".to_owned(),
        line: Some(12),
        column: Some(9),
    };
    attest_tests::put_rule_in_error(&mut report, "access.inactive-accounts", &error);
    let sarif: Value = serde_json::from_str(&render::sarif(&report, &context)).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["associatedRule"]["id"], "access.inactive-accounts");
    assert_eq!(
        notes[0]["message"]["text"],
        "rule access.inactive-accounts could not give an answer: operation limit hit (rules/access/inactive-accounts.rhai:12:9)"
    );
    let v = schema_validator("tests/fixtures/sarif-schema-2.1.0.json");
    assert!(schema_errors(&v, &sarif).is_empty());

    let junit = render::junit(&report);
    assert!(junit.contains(
        "<testcase name=\"CC6.2 access.inactive-accounts\" classname=\"soc2.security\">\n      <error message=\"operation limit hit\" type=\"error\">rules/access/inactive-accounts.rhai:12:9</error>"
    ));
    let csv = render::csv(&report);
    assert!(
        csv.contains("CC6.2,access.inactive-accounts,Unused accounts are disabled,low,IT,tested ")
    );
    assert!(csv.contains(",error,operation limit hit,,,rules/access/inactive-accounts.rhai,12,"));
    assert!(render::markdown(&report).contains("### Rules that could not answer (1)"));
    assert!(render::html(&report, &context).contains("<tr id=\"CC6.2\" data-status=\"error\""));
}

/// JUnit test cases as (suite, classname, name).
fn junit_cases(xml: &str) -> Vec<(String, String, String)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut out = Vec::new();
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let count = |tag: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
                .count()
        };
        assert_eq!(
            suite.attribute("tests"),
            Some(cases.len().to_string().as_str())
        );
        assert_eq!(
            suite.attribute("failures"),
            Some(count("failure").to_string().as_str())
        );
        assert_eq!(
            suite.attribute("errors"),
            Some(count("error").to_string().as_str())
        );
        assert_eq!(
            suite.attribute("skipped"),
            Some(count("skipped").to_string().as_str())
        );
        for case in cases {
            out.push((
                suite.attribute("name").unwrap().to_owned(),
                case.attribute("classname").unwrap().to_owned(),
                case.attribute("name").unwrap().to_owned(),
            ));
        }
    }
    out
}

#[test]
fn junit_names_are_unique_and_stable_across_runs() {
    let (report, _) = shared();
    let cases = junit_cases(&render::junit(report));
    assert_eq!(
        cases.len(),
        report.controls.iter().map(|c| c.rules.len()).sum::<usize>()
    );
    let unique: BTreeSet<_> = cases.iter().map(|(_, class, name)| (class, name)).collect();
    assert_eq!(unique.len(), cases.len(), "test case names are unique");
    let suites: BTreeSet<_> = cases.iter().map(|(suite, _, _)| suite).collect();
    assert_eq!(
        suites.len(),
        report
            .controls
            .iter()
            .filter(|c| !c.rules.is_empty())
            .count()
    );
    // Other dates and no waivers: statuses and counts change, names do not.
    for (as_of, waivers) in [
        (Some("2026-07-15"), false),
        (Some("2027-03-01"), true),
        (None, false),
    ] {
        let (other, _) = example(as_of, waivers);
        assert_eq!(
            junit_cases(&render::junit(&other)),
            cases,
            "{as_of:?} {waivers}"
        );
    }
}

#[test]
fn junit_failures_carry_the_findings() {
    let (report, _) = shared();
    let xml = render::junit(report);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let case = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("CC6.2 access.leaver-accounts"))
        .unwrap();
    let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("critical"));
    assert!(
        failure
            .text()
            .unwrap()
            .contains("account liam on prod-db is still active")
    );
    assert!(
        failure
            .text()
            .unwrap()
            .contains("examples/acme/access.json:346 accounts/prod-db/liam")
    );
    let waived = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("C1.2 retention.confidential-data"))
        .unwrap();
    let skipped = waived
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert!(
        skipped
            .attribute("message")
            .unwrap()
            .starts_with("waived: The purge job for the report exports bucket")
    );
}

#[test]
fn csv_has_one_row_per_finding_and_parses_back() {
    let (report, _) = shared();
    let text = render::csv(report);
    assert!(text.ends_with("\r\n"));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header[..10],
        [
            "controls",
            "rule",
            "rule_title",
            "severity",
            "owner",
            "rule_tested",
            "status",
            "message",
            "key",
            "entity"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), unique_findings(report).len());
    let zendesk = rows
        .iter()
        .find(|r| &r[1] == "vendors.contract-clauses")
        .unwrap();
    assert!(zendesk[5].starts_with("tested "), "{zendesk:?}");
    assert_eq!(
        &zendesk[7],
        "contract with vendor Zendesk (zendesk) lacks: right to audit"
    );
    assert_eq!(
        (&zendesk[8], &zendesk[9], &zendesk[10], &zendesk[11]),
        (
            "vendors/zendesk",
            "/vendors/5",
            "examples/acme/vendors.json",
            "181"
        )
    );
    let waived: Vec<_> = rows.iter().filter(|r| &r[6] == "waived").collect();
    assert_eq!(waived.len(), 3);
    assert!(
        waived
            .iter()
            .all(|r| !r[13].is_empty() && r[17].starts_with("examples/waivers.json:"))
    );
}

#[test]
fn markdown_fits_a_pull_request_comment() {
    let (report, _) = shared();
    let md = render::markdown(report);
    assert!(md.len() < 65_536, "GitHub comments hold 65536 characters");
    assert!(md.contains("| Security | 21% (7/33) |"), "{md}");
    assert!(
        md.contains("- **expired** rule backups.recent-success, entity backups/\\*: expired on 2026-06-15: 1 failing finding no longer covered (`examples/waivers.json:30`)"),
        "{md}"
    );
}

/// Long values (escaping makes `<` four bytes) and many findings: the Markdown summary and
/// its diff still fit a comment, each value cut with a count of what was cut, each list
/// counting what it left out, the summary and the counts whole.
#[test]
fn markdown_fits_a_comment_however_long_the_values() {
    let (base, _) = shared();
    let mut report = base.clone();
    for rule in &mut report.rules {
        let mut findings = Vec::new();
        for _ in 0..20 {
            findings.extend(rule.findings.iter().cloned().map(|mut f| {
                f.message = "<".repeat(3000);
                f
            }));
        }
        rule.findings = findings;
    }
    let failing: usize = report
        .rules
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.effective_status() == Status::Fail)
        .count();
    let mut empty = base.clone();
    for rule in &mut empty.rules {
        rule.findings.clear();
    }
    let diff = attest_engine::diff::Diff::new(&empty, &report);
    assert!(diff.new_failures.len() > 100);
    for (name, md) in [
        ("markdown", render::markdown(&report)),
        ("diff", render::diff_markdown(&diff)),
    ] {
        assert!(md.len() < 65_536, "{name}: {} bytes", md.len());
        assert!(
            md.contains(&format!("{}… (2500 more characters)", "&lt;".repeat(500))),
            "{name}"
        );
        assert!(md.contains("more (see the full report)"), "{name}");
    }
    let md = render::markdown(&report);
    assert!(md.contains("| Security | 21% (7/33) |"), "{md}");
    let listed = md
        .split(&format!("<summary>Failing findings ({failing})</summary>"))
        .nth(1)
        .unwrap();
    let listed = listed.split("</details>").next().unwrap();
    let shown = listed.lines().filter(|l| l.starts_with("- `")).count();
    assert!(shown > 10, "{listed}");
    assert!(
        listed.contains(&format!("- … and {} more", failing - shown)),
        "{listed}"
    );
    assert!(md.ends_with("|\n"), "the to-do table closes the summary");
}

/// The summaries (text, Markdown) count what the to-do list lists, without listing it.
#[test]
fn the_summaries_counts_are_the_to_do_lists() {
    let (report, _) = shared();
    let (listed, counted) = (TodoList::new(report), TodoList::counts(report));
    let counts = |t: &TodoList| {
        t.owners
            .iter()
            .map(|o| (o.owner, o.summary))
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(&counted), counts(&listed));
    assert_eq!(counted.summary, listed.summary);
    assert!(counted.owners.iter().all(|o| o.items.is_empty()));
    // Every kind of item, failing and lapsing, and waived findings are counted.
    let total = listed.summary;
    assert_eq!(
        total.items,
        listed.owners.iter().map(|o| o.items.len()).sum::<usize>()
    );
    for (what, n) in [
        ("findings", total.findings),
        ("lapsing", total.lapsing),
        ("evidence", total.evidence),
        ("waived", total.waived),
        ("to fix", total.to_fix),
        ("lapsing soon", total.lapsing_soon()),
        ("exceptions over", total.exceptions),
    ] {
        assert!(n > 0, "the example has no {what}");
    }
}

#[test]
fn html_has_a_to_do_tab_per_owner_with_work() {
    let (report, context) = shared();
    let html = render::html(report, context);
    let todo = TodoList::new(report);
    let owners: Vec<&str> = todo
        .owners
        .iter()
        .filter(|o| !o.items.is_empty())
        .map(|o| o.owner.as_str())
        .collect();
    assert!(owners.len() > 1, "the example has work for several owners");
    for (n, owner) in owners.iter().enumerate() {
        // A radio button, its label and its panel: tabs without the script. The first is open.
        let tab = format!(
            "<input type=\"radio\" name=\"todo-tab\" id=\"todo-tab-{owner}\"{}><label for=\"todo-tab-{owner}\">",
            if n == 0 { " checked" } else { "" }
        );
        assert!(html.contains(&tab), "{tab}");
        let panel = format!(
            "</label>\n<div class=\"tab-panel\" id=\"todo-{owner}\" data-owner=\"{owner}\">"
        );
        assert!(html.contains(&panel), "{panel}");
    }
    assert_eq!(
        html.matches("<input type=\"radio\" name=\"todo-tab\"")
            .count(),
        owners.len()
    );
    assert_eq!(
        html.matches("<li data-kind=").count(),
        todo.summary.items,
        "every item of the to-do list, once"
    );
}

#[test]
fn html_is_self_contained() {
    let (report, context) = shared();
    let html = render::html(report, context);
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    for needle in [" src=", "href=\"http", "href=\"//", "url(", "@import"] {
        assert!(!html.contains(needle), "{needle} would load something");
    }
}

#[test]
fn html_says_a_criterion_out_of_scope_is_out_of_scope() {
    // Acme's scope leaves out processing integrity and privacy: each of their criteria's
    // rows says so, never that facts are missing (which an auditor would read as a gap).
    let (report, context) = shared();
    let html = render::html(report, context);
    let mut out_of_scope = 0;
    for c in &report.controls {
        let start = html.find(&format!("<tr id=\"{}\"", c.id)).unwrap();
        let row = &html[start..start + html[start..].find("</tr>").unwrap()];
        let says = row.contains("category out of scope");
        assert_eq!(says, c.status == Status::NotApplicable, "{}: {row}", c.id);
        assert!(!row.contains("no facts to judge it on"), "{}: {row}", c.id);
        out_of_scope += usize::from(says);
    }
    assert_eq!(out_of_scope, 23);
}

// ---- The HTML page in headless Chromium ----

/// A scratch folder for `name`.
fn scratch(name: &str) -> PathBuf {
    attest_tests::scratch!(name)
}

/// The DOM of `page` (with a URL fragment) after its scripts ran, from headless Chromium.
fn dump_dom(page: &Path, fragment: &str) -> String {
    let profile = scratch(&format!("profile-{}", fragment.len()));
    let url = format!("file://{}{fragment}", page.display());
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("chromium: {e}: install it (`apt-get install -y chromium`; scripts/test does)")
        });
    // Read while it runs: the DOM is larger than a pipe's buffer.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut dom = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut dom).map(|_| dom)
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium did not finish within 60 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = reader.join().unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    dom
}

/// Table rows of the dumped DOM as (control id, status, owners, hidden).
fn control_rows(dom: &str) -> Vec<(String, String, String, bool)> {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!("{name}=\"");
        tag.split(&key)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_owned()
    };
    let body = dom
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    body.split("<tr ")
        .skip(1)
        .map(|row| {
            let tag = row.split('>').next().unwrap();
            (
                attr(tag, "id"),
                attr(tag, "data-status"),
                attr(tag, "data-owners"),
                tag.contains("hidden"),
            )
        })
        .collect()
}

#[test]
fn html_dashboard_in_headless_chromium() {
    let (report, context) = shared();
    let dir = scratch("html");
    let page = dir.join("report.html");
    std::fs::write(&page, render::html(report, context)).unwrap();

    // Unfiltered: every control shows, the dashboard shows the summary and the register.
    let dom = dump_dom(&page, "");
    let rows = control_rows(&dom);
    assert_eq!(rows.len(), report.controls.len());
    assert!(rows.iter().all(|r| !r.3), "nothing hidden without a filter");
    assert!(dom.contains(&format!(
        "<output id=\"f-count\">{0} of {0} controls</output>",
        rows.len()
    )));
    let s = &report.summary.controls;
    assert!(dom.contains(&format!("href=\"#status=fail\" data-count=\"{}\"", s.fail)));
    assert!(dom.contains(&format!(
        "href=\"#status=waived\" data-count=\"{}\"",
        s.waived
    )));
    for category in ["security", "availability", "confidentiality"] {
        assert!(dom.contains(&format!(
            "class=\"bar-row\" data-category=\"{category}\" data-ready="
        )));
    }
    for vendor in [
        "aws",
        "okta",
        "datadog",
        "gusto",
        "salesforce",
        "zendesk",
        "linear",
    ] {
        assert!(
            dom.contains(&format!("<tr data-vendor=\"{vendor}\"")),
            "{vendor}"
        );
    }
    assert!(
        dom.contains(
            "<tr data-vendor=\"zendesk\" data-status=\"fail\" data-residual=\"critical\">"
        )
    );
    assert!(dom.contains("<div class=\"tab-panel\" id=\"todo-IT\" data-owner=\"IT\">"));
    assert!(
        dom.contains("id=\"todo-tab-Engineering\" checked=\"\">"),
        "the first tab is open"
    );
    assert!(dom.contains("<tr data-state=\"expired\">"));

    // The fragment filters the table: failing controls with work for IT.
    let dom = dump_dom(&page, "#status=fail&owner=IT");
    let shown: Vec<_> = control_rows(&dom).into_iter().filter(|r| !r.3).collect();
    let expected: Vec<&str> = report
        .controls
        .iter()
        .filter(|c| {
            c.status == Status::Fail
                && report.rules_of(c).any(|r| {
                    r.owner.as_str() == "IT"
                        && matches!(r.status, Status::Fail | Status::Warn | Status::Error)
                })
        })
        .map(|c| c.id.as_str())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        shown.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        expected
    );
    assert!(
        shown
            .iter()
            .all(|r| r.1 == "fail" && r.2.split(' ').any(|o| o == "IT"))
    );
    assert!(dom.contains(&format!(
        "<output id=\"f-count\">{} of {} controls</output>",
        expected.len(),
        report.controls.len()
    )));
    assert!(
        dom.contains("<option value=\"fail\" selected"),
        "the filter shows its state"
    );
    // The owner filter opens the owner's to-do tab.
    assert!(
        dom.contains("id=\"todo-tab-IT\" checked=\"\">"),
        "IT's tab is open"
    );
    assert!(!dom.contains("id=\"todo-tab-Engineering\" checked"));

    // Search from the query string: the rows whose text mentions MFA.
    let dom = dump_dom(&page, "?q=mfa");
    let shown: Vec<String> = control_rows(&dom)
        .into_iter()
        .filter(|r| !r.3)
        .map(|r| r.0)
        .collect();
    assert_eq!(shown, ["CC6.1", "CC6.6"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_vendor_register_names_only_criteria_in_scope() {
    // Acme's scope leaves privacy out: Zendesk's missing addendum and breach notice term
    // affect CC9.2, not P6.4 and P6.5.
    let (report, context) = shared();
    let register = attest_engine::report::vendors::VendorRegister::new(
        report,
        &context.vendors,
        &context.review_cadence,
    );
    let zendesk = register.vendors.iter().find(|v| v.id == "zendesk").unwrap();
    let criteria = zendesk.criteria();
    assert!(criteria.contains(&"CC9.2"), "{criteria:?}");
    assert!(
        report
            .controls
            .iter()
            .any(|c| c.id == "P6.4" && c.status == Status::NotApplicable)
    );
    assert!(!criteria.iter().any(|c| c.starts_with('P')), "{criteria:?}");
}
