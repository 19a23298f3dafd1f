//! The CI policy gate, waivers and baselines on the example organization: what a waiver
//! covers and when (expiry on the boundary days), how bad waivers files are reported,
//! which outcomes fail the gate, and what a diff between two reports says.

// Helpers unwrap and panic like the tests they serve: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::panic)]

use attest_engine::{
    Date, Engine, EvalOptions, Facts, FactsSource, Report, Severity, Status, Waivers,
    diff::Diff,
    gate::{FailOn, Gate},
    report::WaiverState,
};
use attest_render::{self as render, TextOptions};
use attest_tests::example_waivers;
use serde_json::Value;

fn evaluate(as_of: &str) -> Report {
    let options = EvalOptions::default().with_as_of(Date::parse(as_of));
    attest_tests::soc2_engine()
        .evaluate(&attest_tests::example_facts(), &options)
        .unwrap()
}

/// A waivers file holding one waiver with these fields (JSON object members).
fn one(fields: &str) -> String {
    format!(
        "{{\n  \"schema_version\": \"1\",\n  \"waivers\": [\n    {{{fields}, \"reason\": \"accepted\", \"approved_by\": \"CISO\"}}\n  ]\n}}\n"
    )
}

/// Each waiver of `report` as (its state, how many findings it matched).
fn waiver_states(report: &Report) -> Vec<(WaiverState, u32)> {
    report
        .waivers
        .iter()
        .map(|w| (w.state, w.matches))
        .collect()
}

/// `engine`'s report on the facts `text` (one file, `f.json`), listing each rule's population.
fn with_populations(engine: &Engine, text: &str) -> Report {
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text,
    }])
    .unwrap();
    engine
        .evaluate(&facts, &EvalOptions::default().with_populations(true))
        .unwrap()
}

fn with(report: &Report, waivers: &str) -> Report {
    let mut report = report.clone();
    Waivers::parse("w.json", waivers)
        .unwrap_or_else(|e| panic!("{e}"))
        .apply(&mut report);
    report
}

fn control<'a>(report: &'a Report, id: &str) -> &'a attest_engine::ControlResult {
    report.controls.iter().find(|c| c.id == id).unwrap()
}

/// The rule `rule`, which must judge `control_id`.
fn rule<'a>(report: &'a Report, control_id: &str, rule: &str) -> &'a attest_engine::RuleResult {
    assert!(control(report, control_id).rules.iter().any(|r| r == rule));
    report.rule(rule).unwrap()
}

fn blockers(report: &Report, gate: Gate, diff: Option<&Diff>) -> Vec<String> {
    gate.check(report, diff)
        .into_iter()
        .map(|b| match b.entity {
            Some(e) => format!("{} {e} {}", b.rule, b.status.as_str()),
            None => format!("{} {}", b.rule, b.status.as_str()),
        })
        .collect()
}

// ---- Waivers ----

#[test]
fn example_waivers_cover_what_they_name() {
    let plain = evaluate("2026-06-30");
    let mut report = plain.clone();
    example_waivers().apply(&mut report);

    // The evidence waiver turns C1.2 from fail to waived.
    assert_eq!(control(&plain, "C1.2").status, Status::Fail);
    assert_eq!(control(&report, "C1.2").status, Status::Waived);
    // The MFA waiver covers the rule in both its controls; CC6.1 still fails on another rule.
    for c in ["CC6.1", "CC6.6"] {
        assert_eq!(
            rule(&report, c, "access.mfa-privileged").status,
            Status::Waived
        );
        assert_eq!(control(&report, c).status, Status::Fail);
    }
    // Gusto is waived, Zendesk is not: the rule still fails.
    let soc2 = rule(&report, "CC9.2", "vendors.soc2-report");
    assert_eq!(soc2.status, Status::Fail);
    let waived: Vec<_> = soc2
        .findings
        .iter()
        .map(|f| (f.entity.as_deref().unwrap(), f.waiver.is_some()))
        .collect();
    assert_eq!(waived, [("/vendors/3", true), ("/vendors/5", false)]);
    let w = soc2.findings[0].waiver.as_ref().unwrap();
    assert_eq!(
        (w.source.file.as_str(), w.source.line, w.expires_on.as_str()),
        ("examples/waivers.json", 13, "2026-08-31")
    );
    // The expired waiver covers nothing: the backup failure stands.
    assert_eq!(
        rule(&report, "A1.2", "backups.recent-success").status,
        Status::Fail
    );

    let states = waiver_states(&report);
    assert_eq!(
        states,
        [
            (WaiverState::Active, 1),
            (WaiverState::Active, 1),
            (WaiverState::Active, 1),
            (WaiverState::Expired, 1),
            (WaiverState::Stale, 0),
        ]
    );
    // The summary follows the controls.
    let s = &report.summary.controls;
    assert_eq!((s.fail, s.waived), (plain.summary.controls.fail - 1, 1));
    let mut counts = attest_engine::report::Counts::default();
    for c in &report.controls {
        counts.add(c.status);
    }
    assert_eq!(&counts, s);
    assert_eq!(
        report
            .summary
            .by_category
            .values()
            .map(|c| c.waived)
            .sum::<u32>(),
        1
    );
}

#[test]
fn a_waiver_approved_after_the_audit_period_waives_none_of_its_exceptions() {
    // Judged two months after the example's period (2026-01-01 to 2026-06-30) ended.
    let base = evaluate("2026-09-01");
    assert!(base.period.is_some());
    let waiver = |approved: &str| {
        one(&format!(
            r#""rule": "access.mfa-privileged", "entity": "accounts/metabase/admin", "approved_on": "{approved}", "expires_on": "2026-12-31""#
        ))
    };
    // Approved during the period: the exception was accepted while it ran, after the fact
    // (it gives no date: it stood from the period's first day), which the waiver says.
    let during = with(&base, &waiver("2026-06-15"));
    assert_eq!(during.waivers[0].state, WaiverState::Active);
    assert_eq!(during.waivers[0].matches, 1);
    assert_eq!(
        during.waivers[0].explain_in(&during),
        "covers 1 failing finding until 2026-12-31; approved on 2026-06-15, after it arose in the audit period (standing from the period's first day, 2026-01-01): accepted after the fact, an exception of the period all the same"
    );
    // Approved by the period's first day: accepted before it arose.
    let first_day = with(&base, &waiver("2026-01-01"));
    assert_eq!(first_day.waivers[0].after_the_fact(&first_day), None);
    // An exception that fell due after the approval was accepted before it arose; one due
    // before it, after the fact.
    let dated = |due: &str| {
        let mut r = base.clone();
        let f = r
            .rules
            .iter_mut()
            .flat_map(|r| r.findings.iter_mut())
            .find(|f| f.key.as_deref() == Some("accounts/metabase/admin"))
            .unwrap();
        f.data = Some(serde_json::json!({ "due": due }));
        with(&r, &waiver("2026-06-15"))
    };
    let due_later = dated("2026-06-20");
    assert_eq!(due_later.waivers[0].after_the_fact(&due_later), None);
    let due_before = dated("2026-03-02");
    assert_eq!(
        due_before.waivers[0].after_the_fact(&due_before).as_deref(),
        Some(
            "approved on 2026-06-15, after it arose in the audit period (on 2026-03-02): accepted after the fact, an exception of the period all the same"
        )
    );
    // Approved after it: the exception stands; the waiver is pending, and says why.
    let after = with(&base, &waiver("2026-08-15"));
    assert_eq!(after.waivers[0].state, WaiverState::Pending);
    assert_eq!(after.summary, base.summary);
    assert_eq!(
        after.waivers[0].explain_in(&after),
        "approved on 2026-08-15, after the audit period's end on 2026-06-30: it waives none of the period's exceptions"
    );
    // Without a period the as-of date alone decides: in force, and nothing after the fact.
    let mut point = base.clone();
    point.period = None;
    let point = with(&point, &waiver("2026-08-15"));
    assert_eq!(point.waivers[0].state, WaiverState::Active);
    assert_eq!(point.waivers[0].after_the_fact(&point), None);
}

#[test]
fn an_expired_waiver_renewed_by_an_overlapping_one_leaves_no_finding_uncovered() {
    let base = evaluate("2026-06-30");
    let waiver = |approved: &str, expires: &str| {
        format!(
            r#"{{"rule": "access.mfa-privileged", "entity": "accounts/metabase/admin", "reason": "r", "approved_by": "CISO", "approved_on": "{approved}", "expires_on": "{expires}"}}"#
        )
    };
    let text = format!(
        "{{\"schema_version\": \"1\", \"waivers\": [\n{},\n{}\n]}}",
        waiver("2026-01-01", "2026-06-29"),
        waiver("2026-06-01", "2026-09-30")
    );
    let report = with(&base, &text);
    let states = waiver_states(&report);
    assert_eq!(
        states,
        [(WaiverState::Expired, 0), (WaiverState::Active, 1)]
    );
    assert_eq!(
        report.waivers[0].explain(),
        "expired on 2026-06-29: it covers nothing any more, and no failing finding needs it"
    );
    // The overlap is a warning that names its days, and says which one covers on them.
    let warnings = Waivers::parse("w.json", &text).unwrap();
    assert_eq!(
        warnings.warnings()[0].message,
        "the waiver at line 2 has the same rule, control and entity, and both are in force from 2026-06-01 to 2026-06-29: on those days the one at line 2 covers the findings, this one none; start this one the day after the other expires, or remove one"
    );
}

#[test]
fn a_duplicate_waiver_covers_nothing_the_first_covers() {
    let base = evaluate("2026-06-30");
    let waiver = |reason: &str, approved: &str, expires: &str| {
        format!(
            r#"{{"rule": "access.mfa-privileged", "entity": "accounts/metabase/admin", "reason": "{reason}", "approved_by": "CISO", "approved_on": "{approved}", "expires_on": "{expires}"}}"#
        )
    };
    let file = |waivers: &[String]| {
        format!(
            r#"{{"schema_version": "1", "waivers": [{}]}}"#,
            waivers.join(",\n")
        )
    };
    let report = with(
        &base,
        &file(&[
            waiver("first", "2026-05-04", "2026-09-30"),
            waiver("second", "2026-05-05", "2026-09-30"),
            // Expired: it counts what it would cover that no waiver in force covers.
            waiver("old", "2026-01-01", "2026-03-31"),
        ]),
    );
    let states: Vec<(&str, WaiverState, u32)> = report
        .waivers
        .iter()
        .map(|w| (w.waiver.reason.as_str(), w.state, w.matches))
        .collect();
    assert_eq!(
        states,
        [
            ("first", WaiverState::Active, 1),
            ("second", WaiverState::Stale, 0),
            ("old", WaiverState::Expired, 0),
        ]
    );
    assert_eq!(
        report.waivers[1].explain(),
        "covers no failing finding: remove it"
    );
    let covered: Vec<&str> = report
        .rule("access.mfa-privileged")
        .unwrap()
        .findings
        .iter()
        .filter_map(|f| f.waiver.as_ref().map(|w| w.reason.as_str()))
        .collect();
    assert_eq!(covered, ["first"]);
}

#[test]
fn expiry_and_approval_are_judged_on_the_as_of_date_boundaries_included() {
    // The report is as of 2026-06-30; backups.recent-success fails on three records (A1.2):
    // a waiver naming the rule covers all three.
    let report = evaluate("2026-06-30");
    let waiver = |approved: &str, expires: &str| {
        one(&format!(
            "\"rule\": \"backups.recent-success\", \"approved_on\": \"{approved}\", \"expires_on\": \"{expires}\""
        ))
    };
    for (approved, expires, state, covered) in [
        ("2026-06-01", "2026-06-30", WaiverState::Active, true), // last day: still covers
        ("2026-06-01", "2026-06-29", WaiverState::Expired, false), // expired yesterday
        ("2026-06-30", "2026-07-31", WaiverState::Active, true), // approved today
        ("2026-07-01", "2026-07-31", WaiverState::Pending, false), // approved tomorrow
        ("2026-06-30", "2026-06-30", WaiverState::Active, true), // a one-day waiver
    ] {
        let r = with(&report, &waiver(approved, expires));
        let what = format!("approved {approved}, expires {expires}");
        assert_eq!(r.waivers[0].state, state, "{what}");
        assert_eq!(r.waivers[0].matches, 3, "{what}");
        let rule = rule(&r, "A1.2", "backups.recent-success");
        assert_eq!(rule.findings[0].waiver.is_some(), covered, "{what}");
        // A1.2 also has a restore test lapsing soon: the waived failure is still an
        // exception, so the control is waived, not warning.
        let expected = if covered {
            (Status::Waived, Status::Waived)
        } else {
            (Status::Fail, Status::Fail)
        };
        assert_eq!(
            (rule.status, control(&r, "A1.2").status),
            expected,
            "{what}"
        );
    }
}

#[test]
fn a_waiver_naming_a_control_covers_the_rules_that_judge_it() {
    let report = evaluate("2026-06-30");
    // access.mfa-privileged judges CC6.1 and CC6.6: a waiver naming either covers its
    // findings, which are listed once.
    let r = with(
        &report,
        &one(
            "\"control\": \"CC6.6\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\"",
        ),
    );
    assert_eq!(
        rule(&r, "CC6.1", "access.mfa-privileged").status,
        Status::Waived
    );
    assert!(
        !blockers(&r, Gate::default(), None).contains(&"access.mfa-privileged fail".to_owned())
    );
    // A control the rule does not judge covers nothing of it.
    let r = with(
        &report,
        &one(
            "\"rule\": \"access.mfa-privileged\", \"control\": \"CC7.1\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\"",
        ),
    );
    assert_eq!(
        rule(&r, "CC6.1", "access.mfa-privileged").status,
        Status::Fail
    );
    assert_eq!(
        r.waivers[0].state,
        attest_engine::report::WaiverState::Stale
    );
}

#[test]
fn entity_patterns_cover_every_record_they_match() {
    let report = evaluate("2026-06-30");
    let r = with(
        &report,
        &one(
            "\"rule\": \"access.inactive-accounts\", \"entity\": \"/accounts/*\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\"",
        ),
    );
    assert_eq!(r.waivers[0].matches, 3);
    assert_eq!(
        rule(&r, "CC6.2", "access.inactive-accounts").status,
        Status::Waived
    );
    // A pointer covers that record and what lies under it, not its neighbours.
    let r = with(
        &report,
        &one(
            "\"rule\": \"access.inactive-accounts\", \"entity\": \"/accounts/4\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\"",
        ),
    );
    assert_eq!(
        r.waivers[0].state,
        WaiverState::Stale,
        "/accounts/42 and /accounts/46 are not under /accounts/4"
    );
}

#[test]
fn warnings_are_never_waived_and_unknown_ids_are_stale() {
    let report = evaluate("2026-06-30");
    let r = with(
        &report,
        &one(
            "\"rule\": \"backups.restore-test\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\"",
        ),
    );
    assert_eq!(r.waivers[0].state, WaiverState::Stale);
    assert_eq!(
        rule(&r, "A1.3", "backups.restore-test").status,
        Status::Warn
    );
    let r = with(
        &report,
        &one(
            "\"control\": \"CC99.1\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\"",
        ),
    );
    assert_eq!(r.waivers[0].state, WaiverState::Stale);
    assert_eq!(
        r.controls, report.controls,
        "a stale waiver changes nothing"
    );
}

#[test]
fn a_waiver_naming_what_the_pack_lacks_says_so_with_the_closest_id() {
    let report = evaluate("2026-06-30");
    let said = |fields: &str| {
        let r = with(
            &report,
            &one(&format!(
                "{fields}, \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\""
            )),
        );
        let w = &r.waivers[0];
        // Still stale: the state is where the waiver stands, the words say why.
        assert_eq!(w.state, WaiverState::Stale, "{fields}");
        assert_eq!(
            w.unknown_names(&r).as_deref(),
            Some(w.explain_in(&r).as_str())
        );
        w.unknown_names(&r)
    };
    let tail = ": the waiver can never match a finding; correct it or remove it";
    assert_eq!(
        said("\"rule\": \"nonexistent.rule\"").unwrap(),
        format!("pack soc2 has no rule `nonexistent.rule`{tail}")
    );
    assert_eq!(
        said("\"rule\": \"access.mfa-privilegd\"").unwrap(),
        format!(
            "pack soc2 has no rule `access.mfa-privilegd` (did you mean `access.mfa-privileged`?){tail}"
        )
    );
    assert_eq!(
        said("\"rule\": \"nonexistent.rule\", \"control\": \"CC9.9\"").unwrap(),
        format!(
            "pack soc2 has no rule `nonexistent.rule` and no criterion `CC9.9` (did you mean `CC9.2`?){tail}"
        )
    );
    // Names the pack has: a waiver matching nothing is stale, and said to be.
    for fields in [
        "\"rule\": \"backups.restore-test\"",
        "\"rule\": \"evidence\", \"control\": \"CC1.1\"",
        "\"rule\": \"evidence/CC1.1\"",
    ] {
        let r = with(
            &report,
            &one(&format!(
                "{fields}, \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\""
            )),
        );
        assert_eq!(r.waivers[0].unknown_names(&r), None, "{fields}");
        assert_eq!(r.waivers[0].explain_in(&r), r.waivers[0].explain());
    }
}

/// The failing findings a waivers file's first waiver covers, by (rule, key), once applied
/// to `report`, and the waiver's advice about its pointer.
fn covered_by_first(report: &Report, waivers: &str) -> (Vec<(String, String)>, Option<String>) {
    let r = with(report, waivers);
    let first = &r.waivers[0];
    let mut covered: Vec<(String, String)> = r
        .rules
        .iter()
        .flat_map(|rule| rule.findings.iter().map(move |f| (rule, f)))
        .filter(|(_, f)| f.waiver.as_ref() == Some(&first.waiver))
        .map(|(rule, f)| (rule.id.clone(), f.key.clone().unwrap()))
        .collect();
    covered.sort();
    (covered, first.pointer_advice(&r))
}

#[test]
fn pointer_advice_covers_exactly_the_findings_the_pointer_covers() {
    let report = evaluate("2026-06-30");
    let waiver = |entity: &str| {
        one(&format!(
            "\"rule\": \"access.mfa-outside-sso\", \"entity\": \"{entity}\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\""
        ))
    };
    // A pointer to a list covers the two failing accounts: no one key covers both.
    let (by_pointer, advice) = covered_by_first(&report, &waiver("/accounts"));
    assert_eq!(by_pointer.len(), 2, "{by_pointer:?}");
    let advice = advice.unwrap();
    assert_eq!(
        advice,
        "entity `/accounts` is a JSON Pointer, which moves when records are added before it: write the key pattern `accounts/*/*`, which covers the same 2 findings"
    );
    // Following the advice covers the same findings.
    let pattern = advice.split('`').nth(3).unwrap();
    let (by_key, advice) = covered_by_first(&report, &waiver(pattern));
    assert_eq!(by_key, by_pointer);
    assert_eq!(advice, None, "a key pattern needs no advice");

    // A pointer to one record: its key.
    let pointer = report
        .rule("access.mfa-outside-sso")
        .unwrap()
        .findings
        .iter()
        .find(|f| f.key.as_deref() == Some("accounts/prod-db/tomas"))
        .and_then(|f| f.entity.clone())
        .unwrap();
    let (one_record, advice) = covered_by_first(&report, &waiver(&pointer));
    assert_eq!(
        advice.unwrap(),
        format!(
            "entity `{pointer}` is a JSON Pointer, which moves when records are added before it: write its key, `accounts/prod-db/tomas`"
        )
    );
    let (by_key, _) = covered_by_first(&report, &waiver("accounts/prod-db/tomas"));
    assert_eq!(by_key, one_record);

    // When every pattern of the keys would cover another finding too, the keys are listed,
    // one waiver each: here a finding about another record whose key is an account's.
    let mut odd = report.clone();
    let rules = &mut odd.rules;
    let rule = rules
        .iter_mut()
        .find(|r| r.id == "access.mfa-outside-sso")
        .unwrap();
    let mut elsewhere = rule.findings[0].clone();
    elsewhere.entity = Some("/people/0".to_owned());
    elsewhere.key = Some("accounts/github/someone".to_owned());
    rule.findings.push(elsewhere);
    let (by_pointer, advice) = covered_by_first(&odd, &waiver("/accounts"));
    assert_eq!(by_pointer.len(), 2);
    let keys: Vec<String> = by_pointer.iter().map(|(_, k)| format!("`{k}`")).collect();
    assert_eq!(
        advice.unwrap(),
        format!(
            "entity `/accounts` is a JSON Pointer, which moves when records are added before it: it covers 2 findings, which no one key covers alone: write a waiver for each of their keys, {}",
            keys.join(", ")
        )
    );
}

#[test]
fn bad_waivers_files_name_the_file_line_and_place() {
    let err = |text: &str| Waivers::parse("w.json", text).unwrap_err().to_string();
    assert_eq!(
        err("{\"schema_version\": \"1\",\n \"waivers\": [}\n"),
        "w.json:2:14: invalid JSON: expected value"
    );
    let e = err(&one(
        "\"rulez\": \"x\", \"rule\": \"y\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\"",
    ));
    assert!(
        e.contains(
            "w.json:4: /waivers/0: Additional properties are not allowed ('rulez' was unexpected)"
        ),
        "{e}"
    );
    let e = err(&one(
        "\"rule\": \"y\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-13-01\"",
    ));
    assert!(
        e.contains("w.json:4: /waivers/0/expires_on: \"2026-13-01\" is not a \"date\""),
        "{e}"
    );
    let e = err(&one(
        "\"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-12-31\"",
    ));
    assert!(
        e.contains("w.json:4: /waivers/0: a waiver names a `rule`, a `control`, or both"),
        "{e}"
    );
    // Every problem at once, in line order: a waiver out of date order beside schema
    // violations of others.
    let e = err(concat!(
        "{\"schema_version\": \"1\", \"waivers\": [\n",
        "{\"rule\": \"y\", \"reason\": \"r\", \"approved_by\": \"a\", \"approved_on\": \"2026-09-01\", \"expires_on\": \"2026-06-30\"},\n",
        "{\"rule\": \"y\", \"approved_by\": \"a\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-06-30\"}\n",
        "]}\n"
    ));
    assert_eq!(
        e,
        "w.json: 2 problems\n  w.json:2: /waivers/0/expires_on: the waiver expires on \
         2026-06-30, before it was approved on 2026-09-01\n  w.json:3: /waivers/1: \"reason\" is \
         a required property"
    );
    let e = err("{\"schema_version\": \"2\", \"waivers\": []}");
    assert!(
        e.contains("w.json:1: /schema_version: \"1\" was expected"),
        "{e}"
    );
    let e = err("[]");
    assert!(e.contains("w.json: /: [] is not of type \"object\""), "{e}");
    // Nothing to waive is fine.
    assert!(
        Waivers::parse("w.json", "{\"schema_version\": \"1\", \"waivers\": []}")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_example_waivers_file_matches_its_schema() {
    let root = attest_tests::repo_root();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schemas/waivers.v1.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema,
        serde_json::from_str::<Value>(attest_engine::waivers::WAIVERS_SCHEMA).unwrap()
    );
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("examples/waivers.json")).unwrap())
            .unwrap();
    let v = attest_tests::schema_validator("schemas/waivers.v1.schema.json");
    assert!(v.is_valid(&doc));
    assert_eq!(example_waivers().len(), 5);
}

#[test]
fn the_report_schema_holds_waivers_to_their_fields() {
    let v = attest_tests::schema_validator("schemas/report.v2.schema.json");
    let mut report = evaluate("2026-06-30");
    example_waivers().apply(&mut report);
    let mut doc: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert!(v.is_valid(&doc));
    doc["waivers"][0]["extra"] = Value::from(1);
    assert!(!v.is_valid(&doc), "unknown waiver fields are rejected");
    doc["waivers"][0].as_object_mut().unwrap().remove("extra");
    doc["waivers"][0]["state"] = Value::from("forgotten");
    assert!(!v.is_valid(&doc));
    // A report read back keeps its waivers.
    let back: Report = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(back, report);
}

// ---- The gate ----

#[test]
fn the_gate_fails_on_what_it_is_told_to() {
    let report = evaluate("2026-06-30");
    let gate = |fail_on, min_severity| Gate {
        fail_on,
        min_severity,
    };
    let fail = blockers(&report, gate(FailOn::Fail, None), None);
    assert_eq!(fail.len(), 44, "{fail:#?}");
    assert!(fail.iter().all(|b| b.ends_with(" fail")));
    assert!(
        report.has_failures(),
        "the default gate agrees with has_failures"
    );
    assert!(blockers(&report, gate(FailOn::Error, None), None).is_empty());
    let warn = blockers(&report, gate(FailOn::Warn, None), None);
    assert_eq!(warn.len(), 44 + 1, "plus backups.restore-test");
    assert!(warn.contains(&"backups.restore-test warn".to_owned()));
    assert_eq!(
        blockers(&report, gate(FailOn::Fail, Some(Severity::Critical)), None),
        ["access.leaver-accounts fail"]
    );
    let high = blockers(&report, gate(FailOn::Fail, Some(Severity::High)), None);
    assert_eq!(high.len(), 25);
    // Waived failures do not count.
    let mut waived = report.clone();
    example_waivers().apply(&mut waived);
    let after = blockers(&waived, gate(FailOn::Fail, None), None);
    assert_eq!(
        after.len(),
        42,
        "mfa-privileged and retention.confidential-data are waived"
    );
    assert!(!after.contains(&"retention.confidential-data fail".to_owned()));
}

#[test]
fn rules_in_error_always_fail_the_gate() {
    let mut report = evaluate("2026-06-30");
    let error = attest_engine::report::RuleError {
        message: "boom".to_owned(),
        file: "rules/access/inactive-accounts.rhai".to_owned(),
        line: Some(3),
        column: Some(5),
    };
    attest_tests::put_rule_in_error(&mut report, "access.inactive-accounts", &error);
    for fail_on in [FailOn::Error, FailOn::Fail, FailOn::Warn] {
        let gate = Gate {
            fail_on,
            min_severity: Some(Severity::Critical),
        };
        let b = blockers(&report, gate, None);
        assert!(
            b.contains(&"access.inactive-accounts error".to_owned()),
            "{fail_on:?} {b:?}"
        );
    }
}

// ---- Baselines ----

#[test]
fn a_report_compared_with_itself_has_nothing_new() {
    let report = evaluate("2026-06-30");
    let diff = Diff::new(&report, &report);
    assert!(diff.new_failures.is_empty() && diff.resolved.is_empty() && diff.changed.is_empty());
    assert_eq!(diff.still_failing.len(), 69);
    let gate = Gate {
        fail_on: FailOn::New,
        min_severity: None,
    };
    assert!(blockers(&report, gate, Some(&diff)).is_empty());
    // Without a baseline every failure is new.
    assert_eq!(blockers(&report, gate, None).len(), 44);
}

#[test]
fn failures_a_new_report_no_longer_judges_are_not_resolved() {
    let base = evaluate("2026-06-30");
    let failing = |id: &str| {
        base.rules.iter().find(|r| r.id == id).map_or(0, |r| {
            r.findings
                .iter()
                .filter(|f| f.effective_status() == Status::Fail)
                .count()
        })
    };
    let mut new = base.clone();
    // One rule in error, one with nothing to judge, one gone from the pack, one fixed.
    let error = attest_engine::report::RuleError {
        message: "boom".to_owned(),
        file: "rules/access/leaver-accounts.rhai".to_owned(),
        line: Some(3),
        column: Some(5),
    };
    attest_tests::put_rule_in_error(&mut new, "access.leaver-accounts", &error);
    for rule in new.rules.iter_mut() {
        if rule.id == "access.mfa-privileged" {
            rule.status = Status::NotApplicable;
            rule.reason = Some("no privileged accounts in the facts".to_owned());
            rule.findings.clear();
        } else if rule.id == "backups.recent-success" {
            rule.status = Status::Pass;
            rule.findings.clear();
        }
    }
    new.rules.retain(|r| r.id != "hr.security-training");
    // A criterion's evidence check goes once something else shows the criterion operates.
    new.rules.retain(|r| r.id != "evidence/CC3.3");
    let diff = Diff::new(&base, &new);
    let why = |rule: &str| -> Vec<Option<String>> {
        diff.unjudged
            .iter()
            .filter(|i| i.rule == rule)
            .map(|i| i.why.clone())
            .collect()
    };
    for (rule, reason) in [
        (
            "access.leaver-accounts",
            "the rule could not answer (it is in error)",
        ),
        (
            "access.mfa-privileged",
            "the rule does not apply: no privileged accounts in the facts",
        ),
        (
            "hr.security-training",
            "the rule is not in the new report's pack",
        ),
    ] {
        assert!(failing(rule) > 0, "{rule} fails in the baseline");
        assert_eq!(
            why(rule),
            vec![Some(reason.to_owned()); failing(rule)],
            "{rule}"
        );
    }
    let resolved: Vec<&str> = diff.resolved.iter().map(|i| i.rule.as_str()).collect();
    let mut expected = vec!["backups.recent-success"; failing("backups.recent-success")];
    expected.push("evidence/CC3.3");
    assert_eq!(resolved, expected);
    assert!(diff.resolved.iter().all(|i| i.why.is_none()));
    // The rule's error is a new failure of its own.
    assert!(
        diff.new_failures
            .iter()
            .any(|i| i.rule == "access.leaver-accounts" && i.new == Some(Status::Error))
    );
    assert_eq!(diff.context_change(), None);
    new.pack.name = "company".to_owned();
    assert_eq!(
        Diff::new(&base, &new).context_change().as_deref(),
        Some(
            "the pack changed, soc2 1.0.0 → company 1.0.0: findings may come and go with its rules, not with the facts"
        )
    );
    let text = render::diff_text(
        &diff,
        &TextOptions {
            color: false,
            max_findings: 0,
        },
    );
    insta::assert_snapshot!("diff_unjudged_text", text);
    insta::assert_snapshot!("diff_unjudged_markdown", render::diff_markdown(&diff));
}

/// The example organization with `edit` made to the document of one of its files, evaluated
/// on its as-of date, with the populations listed or not.
fn edited(file: &str, populations: bool, edit: impl Fn(&mut Value)) -> Report {
    let sources: Vec<(String, String)> = attest_tests::example_sources()
        .into_iter()
        .map(|(name, text)| match name.ends_with(file) {
            true => {
                let mut doc: Value = serde_json::from_str(&text).unwrap();
                edit(&mut doc);
                (name, doc.to_string())
            }
            false => (name, text),
        })
        .collect();
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    let facts = Facts::load(&refs).unwrap();
    let options = EvalOptions::default().with_populations(populations);
    attest_tests::soc2_engine()
        .evaluate(&facts, &options)
        .unwrap()
}

#[test]
fn a_failure_whose_record_left_the_facts_is_not_resolved() {
    let base = evaluate("2026-06-30");
    let github = |i: &&attest_engine::diff::DiffItem| i.key.as_deref() == Some("systems/github");
    let gone = |populations| {
        edited("systems.json", populations, |doc| {
            doc["systems"]
                .as_array_mut()
                .unwrap()
                .retain(|s| s["id"] != "github");
        })
    };
    // The new run lists its populations: the system's failures are not judged any more.
    let diff = Diff::new(&base, &gone(true));
    assert!(diff.records_listed);
    let unjudged: Vec<(&str, Option<&str>)> = diff
        .unjudged
        .iter()
        .filter(github)
        .map(|i| (i.rule.as_str(), i.why.as_deref()))
        .collect();
    let why = Some(
        "the rule did not test its record: it is gone from the facts, or the rule no longer selects it",
    );
    assert_eq!(
        unjudged,
        [
            ("access.reviews-overdue", why),
            ("monitoring.alert-routing", why)
        ]
    );
    assert!(
        !diff.resolved.iter().any(|i| github(&i)),
        "{:?}",
        diff.resolved
    );
    assert_eq!(diff.records_note(), None);
    // Without them, it cannot tell: resolved, and a note says so.
    let diff = Diff::new(&base, &gone(false));
    assert!(!diff.records_listed);
    assert_eq!(diff.resolved.iter().filter(github).count(), 2);
    assert!(
        diff.records_note()
            .unwrap()
            .contains("a failure counted as resolved may be a record gone from the facts")
    );
    // A record the run tested and no longer fails is resolved, listed populations or not.
    for populations in [true, false] {
        let fixed = edited("resilience.json", populations, |doc| {
            for m in doc["monitoring"].as_array_mut().unwrap() {
                if m["system_id"] == "github" {
                    m["alert_routing"] = "pagerduty: security on-call".into();
                }
            }
        });
        let diff = Diff::new(&base, &fixed);
        let resolved: Vec<&str> = diff
            .resolved
            .iter()
            .filter(github)
            .map(|i| i.rule.as_str())
            .collect();
        assert_eq!(resolved, ["monitoring.alert-routing"], "{populations}");
        assert!(diff.unjudged.is_empty(), "{:?}", diff.unjudged);
    }
}

#[test]
fn a_fixed_record_a_rule_finds_about_but_does_not_sample_is_resolved() {
    // The rule samples people (`tested`) and finds about their accounts, which it never marks.
    let body = "for p in tested(facts.people) {\n  for a in facts.accounts {\n    if a.person_id == p.id && !a.mfa { fail(a, `${a.username} has no MFA`); }\n  }\n}\n";
    let pack =
        attest_engine::Pack::from_files(&attest_tests::minimal_pack(&[("t.mfa", body)])).unwrap();
    let engine = attest_engine::Engine::new(pack, attest_engine::Limits::default()).unwrap();
    let run = |mfa: bool| {
        let text = format!(
            r#"{{"schema_version": "1", "organization": {{"name": "Acme", "as_of": "2026-06-30"}},
  "people": [{{"id": "E1", "name": "Ann", "email": "ann@example.com", "kind": "employee", "employment": {{"status": "active", "start_date": "2020-01-01"}}}}],
  "accounts": [{{"system_id": "aws", "username": "ann", "person_id": "E1", "kind": "human", "status": "active", "mfa": {mfa}}}]}}"#
        );
        with_populations(&engine, &text)
    };
    let diff = Diff::new(&run(false), &run(true));
    let resolved: Vec<Option<&str>> = diff.resolved.iter().map(|i| i.key.as_deref()).collect();
    assert_eq!(resolved, [Some("accounts/aws/ann")]);
    assert!(diff.unjudged.is_empty(), "{:?}", diff.unjudged);
}

#[test]
fn a_diff_says_when_the_runs_set_different_parameters() {
    let run = |params: &[(&str, Value)]| {
        let options = EvalOptions::default().with_params(
            params
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect(),
        );
        attest_tests::soc2_engine()
            .evaluate(&attest_tests::example_facts(), &options)
            .unwrap()
    };
    let base = run(&[]);
    let new = run(&[
        ("access_review_days_critical", serde_json::json!(30)),
        ("warn_window_days", serde_json::json!(14)),
    ]);
    let diff = Diff::new(&base, &new);
    assert!(
        !diff.new_failures.is_empty(),
        "stricter thresholds fail more"
    );
    assert_eq!(
        diff.context_change().as_deref(),
        Some(
            "the parameters set for the run changed (access_review_days_critical from the pack's default to 30, \
             warn_window_days from the pack's default to 14): findings may come and go with the thresholds, not with the facts"
        )
    );
    // Back the other way, one of them set to its default: still a change of setting.
    let again = run(&[("access_review_days_critical", serde_json::json!(90))]);
    assert_eq!(
        Diff::new(&new, &again).context_change().as_deref(),
        Some(
            "the parameters set for the run changed (access_review_days_critical from 30 to 90, \
             warn_window_days from 14 to the pack's default): findings may come and go with the thresholds, not with the facts"
        )
    );
    assert_eq!(Diff::new(&new, &new).context_change(), None);
    // A pack change and a parameter change are both said, and read back from JSON.
    let mut other = new.clone();
    other.pack.name = "company".to_owned();
    let diff: Diff = serde_json::from_str(&Diff::new(&base, &other).to_json()).unwrap();
    assert_eq!(
        diff.context_change()
            .as_deref()
            .map(|c| c.split("; ").count()),
        Some(2)
    );
    let text = render::diff_text(
        &diff,
        &TextOptions {
            color: false,
            max_findings: 0,
        },
    );
    assert!(text.contains("note: the pack changed, soc2 1.0.0 → company 1.0.0: findings may come and go with its rules, not with the facts; the parameters set"), "{text}");
    // Another audit period (here the first quarter of the example's), or none, is said too.
    let quarter = attest_engine::Period::parse("2026-01-01..2026-03-31").unwrap();
    let options = EvalOptions::default().with_period(Some(quarter));
    let q1 = attest_tests::soc2_engine()
        .evaluate(&attest_tests::example_facts(), &options)
        .unwrap();
    assert_eq!(
        Diff::new(&q1, &base).context_change().as_deref(),
        Some(
            "the audit period changed, 2026-01-01 to 2026-03-31 → 2026-01-01 to 2026-06-30: findings may come and go with the days judged"
        )
    );
    // A period to date (from the same first day to each run's as-of date) moves with the
    // as-of date, as every nightly run's does: nothing to say.
    let to_date = |as_of: &str| {
        let period = attest_engine::Period::parse(&format!("2026-01-01..{as_of}")).unwrap();
        let options = EvalOptions::default()
            .with_as_of(Date::parse(as_of))
            .with_period(Some(period));
        attest_tests::soc2_engine()
            .evaluate(&attest_tests::example_facts(), &options)
            .unwrap()
    };
    let (june, july) = (to_date("2026-06-29"), to_date("2026-07-01"));
    assert_eq!(Diff::new(&june, &july).context_change(), None);
    // Against one whose period ends before its as-of date, it is said.
    assert!(Diff::new(&q1, &july).context_change().is_some());
    let mut point = base.clone();
    point.period = None;
    assert_eq!(
        Diff::new(&base, &point).context_change().as_deref(),
        Some(
            "the audit period changed, 2026-01-01 to 2026-06-30 → none (a point-in-time report): findings may come and go with the days judged"
        )
    );
}

#[test]
fn findings_are_matched_across_days_even_as_their_messages_change() {
    let base = evaluate("2026-06-30");
    let new = evaluate("2026-07-01");
    let diff = Diff::new(&base, &new);
    let still = diff
        .still_failing
        .iter()
        .find(|i| i.rule == "backups.recent-success")
        .unwrap();
    assert_eq!(still.entity.as_deref(), Some("/backups/2"));
    assert!(still.message.contains("5 days ago"), "{}", still.message);
    assert!(diff.resolved.is_empty(), "{:#?}", diff.resolved);
}

/// The messages of the diff items about the record of key `key`.
fn messages_about(items: &[attest_engine::diff::DiffItem], key: &str) -> Vec<String> {
    items
        .iter()
        .filter(|i| i.key.as_deref() == Some(key))
        .map(|i| i.message.clone())
        .collect()
}

/// A record's findings are matched with those it had: of one shape first (the same failure,
/// its dates and day counts aside), then in order (the same failure, reworded: a change whose
/// author was missing, then whose approver is unknown, still fails). A record failing its rule
/// more times than before has a new failure; of two failures, the one fixed is resolved.
#[test]
fn a_records_findings_are_matched_by_shape_then_in_order() {
    let change = |edit: fn(&mut Value)| {
        edited("operations.json", true, move |doc| {
            for c in doc["changes"].as_array_mut().unwrap() {
                if c["id"] == "CHG-1041" {
                    edit(c);
                }
            }
        })
    };
    let no_author = change(|c| {
        c.as_object_mut().unwrap().remove("author_id");
    });
    let unknown_approver = change(|c| c["approved_by"] = "E9999".into());
    let both = change(|c| {
        c.as_object_mut().unwrap().remove("author_id");
        c["approved_by"] = "E9999".into();
    });
    let ours = |items: &[attest_engine::diff::DiffItem]| messages_about(items, "changes/CHG-1041");
    let gate = Gate {
        fail_on: FailOn::New,
        min_severity: None,
    };
    // One failure reworded: still failing, with its new words.
    let diff = Diff::new(&no_author, &unknown_approver);
    assert_eq!(
        ours(&diff.still_failing),
        [
            "change CHG-1041 to aws-prod, deployed 2026-06-02, was approved by E9999, who is not in the people list"
        ]
    );
    assert!(ours(&diff.new_failures).is_empty() && ours(&diff.resolved).is_empty());
    let still = diff
        .still_failing
        .iter()
        .find(|i| i.key.as_deref() == Some("changes/CHG-1041"))
        .unwrap();
    assert!(
        still
            .base_message
            .as_deref()
            .is_some_and(|m| m.contains("has no recorded author")),
        "{still:?}"
    );
    // The same words, other dates: no `base_message`.
    let later = Diff::new(&evaluate("2026-06-30"), &evaluate("2026-07-01"));
    assert!(later.still_failing.iter().all(|i| i.base_message.is_none()));
    // A second failure of the record is new, and fails the gate.
    let diff = Diff::new(&no_author, &both);
    assert_eq!(ours(&diff.still_failing).len(), 1);
    assert!(ours(&diff.still_failing)[0].contains("has no recorded author"));
    assert_eq!(ours(&diff.new_failures).len(), 1);
    assert!(ours(&diff.new_failures)[0].contains("E9999"));
    assert_eq!(
        blockers(&both, gate, Some(&diff)),
        ["changes.approval changes/CHG-1041 fail"]
    );
    // Of two failures of one record, the one fixed is resolved, the other still failing,
    // whichever comes first.
    for fixed in [&no_author, &unknown_approver] {
        let diff = Diff::new(&both, fixed);
        assert!(ours(&diff.new_failures).is_empty());
        assert_eq!(
            ours(&diff.still_failing),
            ours(&Diff::new(fixed, fixed).still_failing)
        );
        assert_eq!(ours(&diff.resolved).len(), 1);
        assert_ne!(ours(&diff.resolved), ours(&diff.still_failing));
    }
}

/// A late fix is no new failure: the vulnerability fixed after its deadline is still an
/// exception of the period, in other words ("was fixed on ..., N days after its deadline").
#[test]
fn a_late_fix_continues_the_failure_it_ends() {
    let base = edited("security.json", true, |_| {});
    let fixed = edited("security.json", true, |doc| {
        for v in doc["vulnerabilities"].as_array_mut().unwrap() {
            if v["id"] == "VULN-318" {
                v["fixed_on"] = "2026-06-25".into();
            }
        }
    });
    let ours =
        |items: &[attest_engine::diff::DiffItem]| messages_about(items, "vulnerabilities/VULN-318");
    let diff = Diff::new(&base, &fixed);
    let still = ours(&diff.still_failing);
    assert_eq!(still.len(), 1, "{diff:#?}");
    assert!(still[0].contains("2026-06-25"), "{still:?}");
    assert!(ours(&diff.new_failures).is_empty() && ours(&diff.resolved).is_empty());
}

#[test]
fn diff_three_weeks_later_with_waivers() {
    let mut base = evaluate("2026-06-30");
    example_waivers().apply(&mut base);
    let mut new = evaluate("2026-07-21");
    example_waivers().apply(&mut new);
    let diff = Diff::new(&base, &new);
    let new_failures: Vec<String> = diff
        .new_failures
        .iter()
        .map(|i| {
            format!(
                "{} {} {:?}->{:?}",
                i.rule,
                i.entity.as_deref().unwrap_or("-"),
                i.base,
                i.new
            )
        })
        .collect();
    assert!(
        new_failures.contains(&"vendors.lapsing /vendors/3 Some(Warn)->Some(Fail)".to_owned()),
        "{new_failures:#?}"
    );
    // The C1.2 evidence waiver still runs; it lapses on 2026-07-31.
    assert!(!new_failures.iter().any(|f| f.starts_with("evidence/C1.2")));

    let gate = |min_severity| Gate {
        fail_on: FailOn::New,
        min_severity,
    };
    let all = blockers(&new, gate(None), Some(&diff));
    assert_eq!(all.len(), diff.new_failures.len());
    let high = blockers(&new, gate(Some(Severity::High)), Some(&diff));
    assert!(high.len() < all.len() && !high.is_empty(), "{high:?}");

    let back: Diff = serde_json::from_str(&diff.to_json()).unwrap();
    assert_eq!(back, diff);
    let text = render::diff_text(
        &diff,
        &TextOptions {
            color: false,
            max_findings: 0,
        },
    );
    insta::assert_snapshot!("diff_text", text);
    insta::assert_snapshot!("diff_markdown", render::diff_markdown(&diff));
    insta::assert_snapshot!("diff_json", diff.to_json());
}

#[test]
fn a_waived_failure_beside_a_warning_is_waived_and_not_ready() {
    // keys.rotation fails on one key and warns on another: the failure waived, the rule is an
    // accepted exception (waived), not a warning; its criterion CC6.1 is not ready.
    let report = evaluate("2026-06-30");
    let keys = rule(&report, "CC6.1", "keys.rotation");
    let open = |status: Status| {
        keys.findings
            .iter()
            .filter(|f| f.effective_status() == status)
            .count()
    };
    assert_eq!((open(Status::Fail), open(Status::Warn)), (1, 1));
    let failing = keys
        .findings
        .iter()
        .find(|f| f.effective_status() == Status::Fail)
        .and_then(|f| f.key.clone())
        .unwrap();
    let r = with(
        &report,
        &one(&format!(
            "\"rule\": \"keys.rotation\", \"entity\": \"{failing}\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-09-30\""
        )),
    );
    assert_eq!(r.rule("keys.rotation").unwrap().status, Status::Waived);
    // Every failure of CC6.1 waived: the criterion is waived, so not ready, and OSCAL does
    // not call it satisfied.
    let r = with(
        &report,
        &one(
            "\"control\": \"CC6.1\", \"approved_on\": \"2026-06-01\", \"expires_on\": \"2026-09-30\"",
        ),
    );
    let cc61 = control(&r, "CC6.1");
    assert_eq!(cc61.status, Status::Waived);
    let security = |report: &Report| {
        report
            .summary
            .category(attest_engine::pack::Category::Security)
            .readiness()
            .unwrap()
            .ready
    };
    assert_eq!(security(&r), security(&report));
    let oscal: Value = serde_json::from_str(&render::oscal(&r)).unwrap();
    let text = oscal.to_string();
    let at = text.find("\"CC6.1\"").unwrap();
    assert!(
        text[at..].contains("not-satisfied"),
        "{}",
        &text[at..at + 600]
    );
    // The warning still counts where warnings fail the gate; a failure waived does not.
    let gate = |fail_on| Gate {
        fail_on,
        min_severity: None,
    };
    let warned = blockers(&r, gate(FailOn::Warn), None);
    assert!(
        warned.contains(&"keys.rotation warn".to_owned()),
        "{warned:?}"
    );
    let failed = blockers(&r, gate(FailOn::Fail), None);
    assert!(
        !failed.iter().any(|b| b.starts_with("keys.rotation")),
        "{failed:?}"
    );
}

/// A failure about no record whose rule is now in error is not judged: the rule's error is
/// no finding about no record (the ledger's history asks [`Later`] as `attest diff` does).
#[test]
fn a_failure_about_no_record_whose_rule_errs_is_not_judged() {
    let body = "if facts.people.len() > 1 { throw \"broken\"; }\nfail(\"the organization has no assessment\");\n";
    let pack =
        attest_engine::Pack::from_files(&attest_tests::minimal_pack(&[("t.org", body)])).unwrap();
    let engine = attest_engine::Engine::new(pack, attest_engine::Limits::default()).unwrap();
    let run = |people: usize| {
        let person = r#"{"id": "E#", "name": "Ann", "kind": "employee", "employment": {"status": "active"}}"#;
        let people: Vec<String> = (0..people)
            .map(|i| person.replace('#', &i.to_string()))
            .collect();
        let text = format!(
            r#"{{"schema_version": "1", "organization": {{"name": "Acme", "as_of": "2026-06-30"}}, "people": [{}]}}"#,
            people.join(",")
        );
        with_populations(&engine, &text)
    };
    let (failing, broken) = (run(1), run(2));
    assert!(broken.rule("t.org").unwrap().error.is_some());
    let why = attest_engine::diff::Later::new(&broken).unjudged("t.org", None, false);
    assert_eq!(
        why.as_deref(),
        Some("the rule could not answer (it is in error)")
    );
    let diff = Diff::new(&failing, &broken);
    assert!(diff.resolved.is_empty(), "{:?}", diff.resolved);
    assert_eq!(diff.unjudged.len(), 1);
}
