//! The audit period through the engine's API: where it comes from, how it sets the as-of
//! date, what it changes in the example's verdicts, the records of each population with
//! their outcomes, each criterion's evidence and its files, and samples.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::report::{EvidenceState, FileCheck, RecordOutcome};
use attest_engine::{
    Date, EvalError, EvalOptions, EvidenceFile, Facts, FactsSource, Period, Report, Status,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn load(doc: &Value) -> Facts {
    let text = doc.to_string();
    Facts::load(&[FactsSource {
        name: "facts.json",
        text: &text,
    }])
    .unwrap_or_else(|e| panic!("{e}"))
}

fn evaluate(facts: &Facts, options: &EvalOptions) -> Report {
    attest_tests::soc2_engine()
        .evaluate(facts, options)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

/// The example organization's files as one document, with `edit` applied.
fn example_doc(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut doc = serde_json::Map::new();
    for (_, text) in attest_tests::example_sources() {
        let part: Value = serde_json::from_str(&text).unwrap();
        for (k, v) in part.as_object().unwrap() {
            match (doc.get_mut(k), v) {
                (Some(Value::Array(a)), Value::Array(b)) => a.extend(b.iter().cloned()),
                _ => {
                    doc.insert(k.clone(), v.clone());
                }
            }
        }
    }
    edit(&mut doc);
    Value::Object(doc)
}

#[test]
fn the_period_is_the_options_else_the_facts_and_sets_the_as_of_date() {
    let doc = json!({"schema_version": "1", "organization": {"name": "A",
        "audit_period": {"start": "2026-01-01", "end": "2026-03-31"}}});
    let facts = load(&doc);
    assert_eq!(facts.period(), Some(period("2026-01-01..2026-03-31")));
    assert_eq!(facts.as_of(), None);
    let report = evaluate(&facts, &EvalOptions::default());
    assert_eq!(report.period, Some(period("2026-01-01..2026-03-31")));
    assert_eq!(report.evaluated_on, "2026-03-31", "the period's end");
    let report = evaluate(
        &facts,
        &EvalOptions::default().with_period(Some(period("2025-07-01..2025-12-31"))),
    );
    assert_eq!(report.period, Some(period("2025-07-01..2025-12-31")));
    assert_eq!(report.evaluated_on, "2025-12-31");
    // An as-of date after the end is kept: facts collected after the period.
    let later = Date::parse("2026-04-15");
    let report = evaluate(&facts, &EvalOptions::default().with_as_of(later));
    assert_eq!(report.evaluated_on, "2026-04-15");
    // Before the end, the period cannot be judged.
    let early = Date::parse("2026-03-30");
    let err = attest_tests::soc2_engine()
        .evaluate(&facts, &EvalOptions::default().with_as_of(early))
        .unwrap_err();
    assert!(matches!(err, EvalError::PeriodNotOver { .. }), "{err:?}");
    // Neither an as-of date nor a period: the facts must say when.
    let bare = load(&json!({"schema_version": "1", "organization": {"name": "A"}}));
    assert_eq!(
        attest_tests::soc2_engine()
            .evaluate(&bare, &EvalOptions::default())
            .unwrap_err(),
        EvalError::NoAsOf
    );
}

#[test]
fn a_period_turns_what_was_fixed_into_exceptions_of_the_example() {
    let with = evaluate(&attest_tests::example_facts(), &EvalOptions::default());
    let without_doc = example_doc(|d| {
        d["organization"]
            .as_object_mut()
            .unwrap()
            .remove("audit_period");
    });
    let without = evaluate(&load(&without_doc), &EvalOptions::default());
    assert_eq!(without.period, None);
    let keys = |r: &Report, rule: &str| -> Vec<String> {
        r.rule(rule)
            .unwrap()
            .findings
            .iter()
            .filter_map(|f| f.key.clone())
            .collect()
    };
    // The AWS account disabled two weeks late, only with the period.
    assert_eq!(
        keys(&with, "access.leaver-accounts"),
        ["accounts/aws-prod/liam.obrien", "accounts/prod-db/liam"]
    );
    assert_eq!(
        keys(&without, "access.leaver-accounts"),
        ["accounts/prod-db/liam"]
    );
    // The quarter without a GitHub review; the 20 days of Daniel Park's training; the
    // March lapse of the Code of Conduct; the late postmortem.
    assert!(keys(&with, "access.reviews-overdue").contains(&"systems/github".to_owned()));
    assert!(!keys(&without, "access.reviews-overdue").contains(&"systems/github".to_owned()));
    assert!(keys(&with, "hr.security-training").contains(&"people/E1010".to_owned()));
    assert!(!keys(&without, "hr.security-training").contains(&"people/E1010".to_owned()));
    assert!(
        keys(&with, "policies.review-overdue").contains(&"policies/code-of-conduct".to_owned())
    );
    assert!(keys(&with, "incidents.postmortem").contains(&"incidents/INC-2026-002".to_owned()));
    assert!(!keys(&without, "incidents.postmortem").contains(&"incidents/INC-2026-002".to_owned()));
    // Grants before the period are out of its scope.
    assert_eq!(
        with.rule("access.grant-approval").unwrap().status,
        Status::Pass
    );
    assert_eq!(
        without.rule("access.grant-approval").unwrap().status,
        Status::Fail
    );
}

#[test]
fn population_records_carry_each_outcome_in_key_order() {
    let facts = attest_tests::example_facts();
    let plain = evaluate(&facts, &EvalOptions::default());
    assert!(plain.rules.iter().all(|r| r.population.records.is_none()));
    let report = evaluate(&facts, &EvalOptions::default().with_populations(true));
    for rule in &report.rules {
        let records = rule.population.records.as_ref().unwrap();
        assert_eq!(records.len() as u64, rule.population.tested, "{}", rule.id);
        assert!(
            records.windows(2).all(|w| w[0].key < w[1].key),
            "{}",
            rule.id
        );
        // A record is an exception exactly when a failing finding names it or a part of it
        // (a finding of a penetration test, say), or the rule marks it as one: a leaver one
        // of whose accounts fails (the finding's data names them).
        for r in records {
            let failing =
                rule.findings.iter().any(|f| {
                    f.status == attest_engine::FindingStatus::Fail
                        && (f.entity.as_deref().is_some_and(|e| {
                            e == r.entity || e.starts_with(&format!("{}/", r.entity))
                        }) || (rule.id == "access.leaver-accounts"
                            && f.data.as_ref().is_some_and(|d| {
                                r.key == format!("people/{}", d["person_id"].as_str().unwrap())
                            })))
                });
            assert_eq!(
                r.outcome == RecordOutcome::Exception,
                failing,
                "{} {}",
                rule.id,
                r.key
            );
        }
        // And every failing finding names a record of the population (or a part of one), so
        // the population an auditor samples from shows each exception.
        for f in &rule.findings {
            if let (Some(e), attest_engine::FindingStatus::Fail) = (&f.entity, f.status) {
                assert!(
                    records
                        .iter()
                        .any(|r| *e == r.entity || e.starts_with(&format!("{}/", r.entity))),
                    "{}: the failing finding on {e} is about no record of its population",
                    rule.id
                );
            }
        }
    }
    let outcome = |rule: &str, key: &str| {
        report
            .rule(rule)
            .unwrap()
            .population
            .records
            .as_ref()
            .unwrap()
            .iter()
            .find(|r| r.key == key)
            .unwrap()
            .outcome
    };
    let training = |key: &str| outcome("hr.security-training", key);
    assert_eq!(training("people/E1007"), RecordOutcome::Exception);
    assert_eq!(training("people/E1004"), RecordOutcome::Warn);
    assert_eq!(training("people/E1001"), RecordOutcome::Pass);
    // A leaver whose account on aws-prod was disabled 13 days late is an exception of the
    // leavers' population, not only that account: a sample of leavers shows it.
    let leavers = |key: &str| outcome("access.leaver-accounts", key);
    assert_eq!(
        leavers("accounts/aws-prod/liam.obrien"),
        RecordOutcome::Exception
    );
    assert_eq!(leavers("people/E1005"), RecordOutcome::Exception);
    assert_eq!(leavers("people/E1014"), RecordOutcome::Pass);
}

#[test]
fn each_criterion_lists_its_evidence_and_the_files_are_checked() {
    let doc = json!({"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"},
    "evidence": [
      {"control_id": "CC1.2", "title": "Minutes", "uri": "m.pdf", "sha256": "AB".repeat(32), "collected_on": "2026-01-10"},
      {"control_id": "CC1.2", "title": "Old minutes", "collected_on": "2025-01-10"},
      {"control_id": "CC1.2", "title": "Next minutes", "collected_on": "2026-07-10"},
      {"control_id": "CC1.3", "title": "Chart", "uri": "c.pdf", "sha256": "cd".repeat(32), "collected_on": "2026-01-10"},
      {"control_id": "CC1.5", "title": "Review", "uri": "r.pdf", "sha256": "ef".repeat(32), "collected_on": "2026-01-10"},
      {"control_id": "CC2.1", "title": "Flows", "uri": "f.pdf", "sha256": "01".repeat(32), "collected_on": "2026-01-10"}
    ]});
    let facts = load(&doc);
    assert_eq!(facts.evidence_files(), ["c.pdf", "f.pdf", "m.pdf", "r.pdf"]);
    let report = evaluate(&facts, &EvalOptions::default());
    let control = |r: &Report, id: &str| r.controls.iter().find(|c| c.id == id).unwrap().clone();
    let cc12 = control(&report, "CC1.2");
    let states: Vec<(&str, EvidenceState)> = cc12
        .evidence
        .iter()
        .map(|e| (e.title.as_str(), e.state))
        .collect();
    assert_eq!(
        states,
        [
            ("Minutes", EvidenceState::Current),
            ("Next minutes", EvidenceState::NotYet),
            ("Old minutes", EvidenceState::Expired),
        ]
    );
    assert_eq!(cc12.evidence[0].expires_on.as_deref(), Some("2027-01-10"));
    assert!(cc12.evidence.iter().all(|e| e.file.is_none()));
    // A criterion judged by a rule lists its evidence too (CC1.1 has none here).
    assert!(control(&report, "CC1.1").evidence.is_empty());
    // With the files the host read: the hash compares without regard to case; a file the
    // host could not read, or did not read, is missing.
    let files: BTreeMap<String, EvidenceFile> = [
        ("m.pdf", EvidenceFile::Read("ab".repeat(32))),
        ("c.pdf", EvidenceFile::Read("00".repeat(32))),
        (
            "r.pdf",
            EvidenceFile::Unreadable("permission denied".to_owned()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let report = evaluate(&facts, &EvalOptions::default().with_evidence_files(files));
    let check = |id: &str| report.rule(&format!("evidence-files/{id}")).unwrap();
    assert_eq!(check("CC1.2").status, Status::Pass);
    assert_eq!(control(&report, "CC1.2").status, Status::Pass);
    assert_eq!(
        control(&report, "CC1.2").evidence[0].file,
        Some(FileCheck::Verified)
    );
    for (id, file, says) in [
        (
            "CC1.3",
            FileCheck::Mismatch,
            "the file c.pdf has SHA-256 0000",
        ),
        (
            "CC1.5",
            FileCheck::Missing,
            "could not be read from the evidence root: permission denied",
        ),
        (
            "CC2.1",
            FileCheck::Missing,
            "the file f.pdf was not read from the evidence root",
        ),
    ] {
        assert_eq!(check(id).status, Status::Fail, "{id}");
        assert!(
            check(id).findings[0].message.contains(says),
            "{:?}",
            check(id).findings
        );
        let c = control(&report, id);
        assert_eq!(c.status, Status::Fail, "{id}");
        assert_eq!(c.evidence[0].file, Some(file), "{id}");
        assert!(c.rules.contains(&format!("evidence-files/{id}")));
    }
    // The file checks come after every other rule of the report.
    let first = report
        .rules
        .iter()
        .position(|r| r.id.starts_with("evidence-files/"))
        .unwrap();
    assert!(
        report.rules[first..]
            .iter()
            .all(|r| r.id.starts_with("evidence-files/"))
    );
}

#[test]
fn samples_come_from_the_population_sorted_by_key() {
    let facts = attest_tests::example_facts();
    let engine = attest_tests::soc2_engine();
    let options = EvalOptions::default();
    let (sample, result) = engine
        .sample("changes.approval", &facts, &options, Some(3), 2026)
        .unwrap()
        .unwrap();
    assert_eq!(result.status, Status::Fail);
    assert_eq!((sample.size, sample.population), (3, 10));
    let population = result.population.records.unwrap();
    let positions = attest_engine::sample::draw(population.len(), 3, 2026);
    let expected: Vec<&str> = positions
        .iter()
        .map(|i| population[*i].key.as_str())
        .collect();
    let drawn: Vec<&str> = sample.records.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(drawn, expected);
    assert_eq!(sample.period, Some(period("2026-01-01..2026-06-30")));
    // Defaults by frequency: a quarterly rule draws 2 of its systems.
    let (sample, _) = engine
        .sample("access.reviews-overdue", &facts, &options, None, 1)
        .unwrap()
        .unwrap();
    assert_eq!((sample.size, sample.records.len()), (2, 2));
    // An annual one, 1.
    let (sample, _) = engine
        .sample("policies.review-overdue", &facts, &options, None, 1)
        .unwrap()
        .unwrap();
    assert_eq!((sample.size, sample.records.len()), (1, 1));
    // A negative size parameter is refused; an unknown rule is None.
    let bad = EvalOptions::default().with_params(
        [("sample_size_annual".to_owned(), json!(-1))]
            .into_iter()
            .collect(),
    );
    assert!(matches!(
        engine.sample("policies.review-overdue", &facts, &bad, None, 1),
        Err(EvalError::BadParam { .. })
    ));
    assert!(
        engine
            .sample("no.such", &facts, &options, None, 1)
            .unwrap()
            .is_none()
    );
}

#[test]
fn rules_that_do_not_read_the_period_say_they_judged_the_as_of_date_alone() {
    let facts = attest_tests::example_facts();
    let type2 = evaluate(&facts, &EvalOptions::default());
    assert!(type2.period.is_some(), "the example sets an audit period");
    let alone = |report: &Report, id: &str| report.rule(id).unwrap().judged_at_as_of;
    // A backup job is judged by its last success; a leaver by every account's removal in it.
    assert!(alone(&type2, "backups.recent-success"));
    assert!(alone(&type2, "access.mfa-privileged"));
    assert!(!alone(&type2, "access.leaver-accounts"));
    assert!(!alone(&type2, "hr.security-training"));
    // Never for evidence checks, nor without a period.
    assert!(
        type2
            .rules
            .iter()
            .all(|r| !r.is_evidence_check() || !r.judged_at_as_of)
    );
    let point = Facts::load(&[FactsSource {
        name: "facts.json",
        text: &example_doc(|doc| {
            doc["organization"]
                .as_object_mut()
                .unwrap()
                .remove("audit_period");
        })
        .to_string(),
    }])
    .unwrap();
    let type1 = evaluate(&point, &EvalOptions::default());
    assert!(type1.period.is_none());
    assert!(type1.rules.iter().all(|r| !r.judged_at_as_of));
    assert!(!type1.to_json().contains("judged_at_as_of"));
    // The text report counts them, and marks the rules it lists.
    let count = type2.rules.iter().filter(|r| r.judged_at_as_of).count();
    let text = attest_render::text(&type2, &Default::default());
    assert!(
        text.contains(&format!(
            "Audit period 2026-01-01 to 2026-06-30 (Type 2): rules judge every day of it, but \
             {count} judge the as-of date alone"
        )),
        "{text}"
    );
    assert!(
        text.contains(" · judged at the as-of date alone\n"),
        "{text}"
    );
    // Markdown and HTML count them beside the period.
    let note = format!(
        "audit period 2026-01-01 to 2026-06-30 ({count} rules judging the as-of date alone)"
    );
    let markdown = attest_render::markdown(&type2);
    assert!(markdown.contains(&note), "{markdown}");
    let html = attest_render::html(&type2, &Default::default());
    assert!(html.contains(&note), "{html}");
    // And mark the rules they list: a failing backup rule, not a failing leaver rule.
    let row = |id: &str| {
        markdown
            .lines()
            .find(|l| l.starts_with(&format!("| `{id}` ")))
            .unwrap_or_else(|| panic!("no row of {id} in {markdown}"))
            .to_owned()
    };
    assert!(
        row("backups.recent-success").ends_with(" · judged at the as-of date alone |"),
        "{}",
        row("backups.recent-success")
    );
    assert!(!row("access.leaver-accounts").contains("as-of date alone"));
    let item = |id: &str| {
        let at = html
            .find(&format!("<code>{id}</code>"))
            .unwrap_or_else(|| panic!("no item of {id}"));
        html[at..at + html[at..].find("</small>").unwrap()].to_owned()
    };
    assert!(
        item("backups.recent-success").ends_with(" · judged at the as-of date alone"),
        "{}",
        item("backups.recent-success")
    );
    assert!(!item("access.leaver-accounts").contains("as-of date alone"));
}

#[test]
fn evidence_must_be_in_force_on_every_day_of_the_period() {
    let doc = json!({"schema_version": "1", "organization": {"name": "A",
        "audit_period": {"start": "2026-01-01", "end": "2026-06-30"}},
    "evidence": [
      // Last year's minutes lapse the day after this year's are collected: covered.
      {"control_id": "CC1.2", "title": "Minutes 2025", "collected_on": "2025-03-21"},
      {"control_id": "CC1.2", "title": "Minutes 2026", "collected_on": "2026-03-20"},
      // Collected six weeks into the period, with nothing before it.
      {"control_id": "CC1.3", "title": "Chart", "collected_on": "2026-02-12"},
      // Lapsed in March; the next one was collected after the period.
      {"control_id": "CC1.5", "title": "Review", "collected_on": "2025-01-10", "expires_on": "2026-03-02"},
      {"control_id": "CC1.5", "title": "Late review", "collected_on": "2026-07-10"}
    ]});
    let facts = load(&doc);
    let as_of = Date::parse("2026-07-31");
    let report = evaluate(&facts, &EvalOptions::default().with_as_of(as_of));
    let check = |r: &Report, id: &str| r.rule(&format!("evidence/{id}")).unwrap().clone();
    let status = |r: &Report, id: &str| r.controls.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(check(&report, "CC1.2").status, Status::Pass);
    assert_eq!(status(&report, "CC1.2"), Status::Pass);
    let cc13 = check(&report, "CC1.3");
    assert_eq!(cc13.status, Status::Fail);
    // Its rule had no people to judge: the evidence stands in for it.
    assert_eq!(
        cc13.findings[0].message,
        "nothing shows CC1.3 operates: hr.reporting-lines: the facts have no `people`; and no \
         evidence for CC1.3 was in force on 42 days of the audit period 2026-01-01 to \
         2026-06-30: 2026-01-01 to 2026-02-11 (42 days)"
    );
    assert_eq!(
        cc13.findings[0].data,
        Some(
            json!({"lapses": [{"from": "2026-01-01", "to": "2026-02-11", "days": 42}],
            "days_without": 42})
        )
    );
    // Evidence collected after the period is current on the as-of date but does not cover
    // the period.
    let cc15 = check(&report, "CC1.5");
    assert_eq!(cc15.status, Status::Fail);
    assert_eq!(
        cc15.findings[0].message,
        "no evidence for CC1.5 was in force on 120 days of the audit period 2026-01-01 to \
         2026-06-30: 2026-03-03 to 2026-06-30 (120 days) (collected after the period, which \
         it does not cover: \"Late review\" (2026-07-10))"
    );
    assert_eq!(status(&report, "CC1.5"), Status::Fail);
    // No evidence at all says so, as without a period.
    let cc21 = check(&report, "CC2.1");
    assert_eq!(cc21.status, Status::Fail);
    assert!(
        cc21.findings[0]
            .message
            .contains("no evidence is recorded for"),
        "{:?}",
        cc21.findings
    );
    // Without the period, the same facts judged on the same day: the late review and the
    // chart are current.
    let mut point = doc.clone();
    point["organization"] = json!({"name": "A", "as_of": "2026-07-31"});
    let report = evaluate(&load(&point), &EvalOptions::default());
    for id in ["CC1.2", "CC1.3", "CC1.5"] {
        assert_eq!(check(&report, id).status, Status::Pass, "{id}");
    }
}

#[test]
fn evidence_collected_after_the_as_of_date_is_not_yet_collected() {
    let doc = json!({"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"},
    "evidence": [
      {"control_id": "CC2.1", "title": "Flows", "collected_on": "2026-07-15"}
    ]});
    let options = EvalOptions::default().with_explain(true);
    let report = evaluate(&load(&doc), &options);
    let check = report.rule("evidence/CC2.1").unwrap();
    assert_eq!(check.status, Status::Fail);
    assert_eq!(
        check.findings[0].message,
        "no evidence for CC2.1 (Relevant, good-quality information supports internal control) \
         was collected by the as-of date 2026-06-30 (after it: \"Flows\" (2026-07-15))"
    );
    assert_eq!(
        check.explanation.as_ref().unwrap().reason,
        "fail: no evidence for CC2.1 was collected by the as-of date"
    );
}

#[test]
fn a_gap_in_the_evidence_that_shrinks_is_the_same_failure_for_diffs_and_sarif() {
    let doc = |extra: Option<Value>| {
        let mut evidence = vec![json!({"control_id": "CC3.3", "title": "Fraud risk",
            "uri": "https://x/a", "collected_on": "2025-03-03", "expires_on": "2026-03-02"})];
        evidence.extend(extra);
        json!({"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30",
            "audit_period": {"start": "2026-01-01", "end": "2026-06-30"}},
        "evidence": evidence})
    };
    // With the records each rule tested listed (`--explain`), as baselines have them.
    let options = EvalOptions::default().with_populations(true);
    let base = evaluate(&load(&doc(None)), &options);
    // Collected on 1 April: the gap of 120 days is now one of 29.
    let better = doc(Some(
        json!({"control_id": "CC3.3", "title": "Fraud risk 2026",
        "uri": "https://x/b", "collected_on": "2026-04-01"}),
    ));
    let new = evaluate(&load(&better), &options);
    let message = |r: &Report| {
        r.rule("evidence/CC3.3").unwrap().findings[0]
            .message
            .clone()
    };
    assert!(message(&base).contains("120 days"), "{}", message(&base));
    assert!(message(&new).contains("29 days"), "{}", message(&new));
    let diff = attest_engine::diff::Diff::new(&base, &new);
    let rules = |items: &[attest_engine::diff::DiffItem]| -> Vec<String> {
        items.iter().map(|i| i.rule.clone()).collect()
    };
    assert!(
        !rules(&diff.new_failures).contains(&"evidence/CC3.3".to_owned()),
        "{:?}",
        diff.new_failures
    );
    assert!(!rules(&diff.resolved).contains(&"evidence/CC3.3".to_owned()));
    assert!(rules(&diff.still_failing).contains(&"evidence/CC3.3".to_owned()));
    // Most rules do not apply to these facts: they tested no records, yet the report lists
    // the records of every rule that judged.
    assert!(diff.records_listed);
    // Code scanning keeps one alert: the same fingerprint in both runs.
    let fingerprint = |r: &Report| -> Value {
        let context = attest_render::Context::default();
        let sarif: Value = serde_json::from_str(&attest_render::sarif(r, &context)).unwrap();
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "evidence/CC3.3")
            .unwrap()["partialFingerprints"]
            .clone()
    };
    assert_eq!(fingerprint(&base), fingerprint(&new));
}

#[test]
fn the_to_do_list_tells_a_lapse_in_the_period_from_evidence_expired_or_missing() {
    let doc = json!({"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30",
        "audit_period": {"start": "2026-01-01", "end": "2026-06-30"}},
    "evidence": [
      // Current since February: a gap in January and February, fixed since.
      {"control_id": "CC2.1", "title": "Flows", "uri": "https://x/f", "collected_on": "2026-02-12"},
      // Its only record expired in March.
      {"control_id": "CC3.3", "title": "Fraud risk", "uri": "https://x/a", "collected_on": "2025-03-02"}
    ]});
    let report = evaluate(&load(&doc), &EvalOptions::default());
    let todo = attest_engine::report::todo::TodoList::new(&report);
    let evidence: BTreeMap<String, (String, Option<String>)> = todo
        .owners
        .iter()
        .flat_map(|o| &o.items)
        .filter_map(|i| {
            let e = i.evidence.as_ref()?;
            Some((
                e.criterion.clone(),
                (e.state.as_str().to_owned(), i.due_on.clone()),
            ))
        })
        .collect();
    assert_eq!(evidence["CC2.1"], ("lapsed".to_owned(), None));
    assert_eq!(
        evidence["CC3.3"],
        ("expired".to_owned(), Some("2026-03-02".to_owned()))
    );
    // A criterion with no evidence at all is missing it.
    assert_eq!(evidence["CC1.1"], ("missing".to_owned(), None));
}
