//! Absence is never compliance: facts that are missing or empty never make a criterion pass.
//! A rule that tested nothing is not applicable, and a criterion whose rules all are is judged
//! by its evidence, failing without it.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{EvalOptions, Facts, FactsSource, Report, Status};
use serde_json::{Value, json};

/// The example organization merged into one document, changed by `edit`, evaluated.
fn evaluate(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Report {
    let mut doc = serde_json::Map::new();
    for (_, text) in attest_tests::example_sources() {
        let part: Value = serde_json::from_str(&text).unwrap();
        for (k, v) in part.as_object().unwrap() {
            match (doc.get_mut(k), v) {
                (Some(Value::Array(all)), Value::Array(more)) => all.extend(more.clone()),
                _ => {
                    doc.insert(k.clone(), v.clone());
                }
            }
        }
    }
    edit(&mut doc);
    let text = Value::Object(doc).to_string();
    let facts = Facts::load(&[FactsSource {
        name: "facts.json",
        text: &text,
    }])
    .unwrap_or_else(|e| panic!("{e}"));
    attest_tests::soc2_engine()
        .evaluate(&facts, &EvalOptions::default())
        .unwrap()
}

fn control<'r>(report: &'r Report, id: &str) -> &'r attest_engine::ControlResult {
    report.controls.iter().find(|c| c.id == id).unwrap()
}

#[test]
fn absent_facts_fall_back_to_evidence_and_fail_without_it() {
    // CC8.1 is judged by the changes and the repositories.
    let report = evaluate(|doc| {
        doc.remove("changes");
        doc.remove("repositories");
    });
    let cc81 = control(&report, "CC8.1");
    assert_eq!(cc81.status, Status::Fail);
    assert!(
        cc81.rules.contains(&"evidence/CC8.1".to_owned()),
        "{cc81:?}"
    );
    for id in ["changes.approval", "changes.tested"] {
        let rule = report.rule(id).unwrap();
        assert_eq!(rule.status, Status::NotApplicable);
        assert_eq!(rule.reason.as_deref(), Some("the facts have no `changes`"));
    }
    let evidence = report.rule("evidence/CC8.1").unwrap();
    assert_eq!(evidence.findings.len(), 1);
    let message = &evidence.findings[0].message;
    assert!(
        message.starts_with("nothing shows CC8.1 operates: changes.approval: the facts have no `changes`; changes.tested: the facts have no `changes`"),
        "{message}"
    );
    assert!(
        evidence.findings[0]
            .remediation
            .starts_with("Provide the facts its rules test (changes.approval, changes.tested, repositories.branch-protection)")
    );
    // Out-of-scope criteria are the only not-applicable ones.
    assert!(
        report
            .controls
            .iter()
            .filter(|c| c.status == Status::NotApplicable)
            .all(|c| c.id.starts_with('P'))
    );
}

#[test]
fn a_gate_that_leaves_out_lesser_severities_still_fails_on_missing_facts() {
    use attest_engine::Severity;
    use attest_engine::gate::{FailOn, Gate};
    // Without the accounts, their reviews and the people, CC6.2's rules (one of them
    // critical) cannot judge it: its evidence check stands in for them, as severe as the
    // worst of them.
    let report = evaluate(|doc| {
        for key in ["accounts", "access_reviews", "people"] {
            doc.remove(key);
        }
    });
    let rules = &control(&report, "CC6.2").rules;
    let worst = rules
        .iter()
        .filter_map(|id| report.rule(id))
        .filter(|r| r.status == Status::NotApplicable)
        .map(|r| r.severity)
        .min();
    assert_eq!(worst, Some(Severity::Critical), "{rules:?}");
    let evidence = report.rule("evidence/CC6.2").unwrap();
    assert_eq!(evidence.status, Status::Fail);
    assert_eq!(evidence.severity, Severity::Critical);
    let gate = Gate {
        fail_on: FailOn::Fail,
        min_severity: Some(Severity::Critical),
    };
    let blockers: Vec<String> = gate
        .check(&report, None)
        .into_iter()
        .map(|b| b.rule)
        .collect();
    assert!(
        blockers.contains(&"evidence/CC6.2".to_owned()),
        "{blockers:?}"
    );
    // Never less than medium, as for a criterion without rules: missing facts are never a
    // lesser matter.
    assert!(
        report
            .rules
            .iter()
            .filter(|r| r.id.starts_with("evidence/"))
            .all(|r| r.severity <= Severity::Medium)
    );
    // A criterion without rules keeps the evidence check's own severity.
    let without_rules: Vec<&str> = report
        .controls
        .iter()
        .filter(|c| c.rules.len() == 1 && c.rules[0] == format!("evidence/{}", c.id))
        .map(|c| c.rules[0].as_str())
        .collect();
    assert!(!without_rules.is_empty());
    for id in without_rules {
        assert_eq!(report.rule(id).unwrap().severity, Severity::Medium, "{id}");
    }
}

#[test]
fn absent_facts_with_current_evidence_pass_on_that_evidence() {
    let report = evaluate(|doc| {
        doc.remove("changes");
        doc.remove("repositories");
        doc.get_mut("evidence")
            .and_then(Value::as_array_mut)
            .unwrap()
            .push(
                json!({"control_id": "CC8.1", "title": "Change tickets sampled by the CTO",
                         "uri": "https://wiki.example/changes-q2", "collected_on": "2025-12-15"}),
            );
    });
    let cc81 = control(&report, "CC8.1");
    assert_eq!(cc81.status, Status::Pass, "{cc81:?}");
    let evidence = report.rule("evidence/CC8.1").unwrap();
    assert_eq!(evidence.population.tested, 1);
}

#[test]
fn an_empty_collection_gives_its_rules_nothing_to_judge() {
    // No vendors, and no incident a vendor caused.
    let report = evaluate(|doc| {
        doc.insert("vendors".to_owned(), json!([]));
        for incident in doc["incidents"].as_array_mut().unwrap() {
            incident.as_object_mut().unwrap().remove("vendor_id");
        }
    });
    for rule in report.rules.iter().filter(|r| r.id.starts_with("vendors.")) {
        assert_eq!(rule.status, Status::NotApplicable, "{}", rule.id);
        assert_eq!(
            rule.reason.as_deref(),
            Some("the facts' `vendors` list is empty"),
            "{}",
            rule.id
        );
        assert_eq!(rule.population.tested, 0);
    }
    // CC9.2 is judged by vendors rules only: with none of them able to judge it, its evidence
    // decides, and there is none.
    let cc92 = control(&report, "CC9.2");
    assert_eq!(cc92.status, Status::Fail);
    assert!(
        cc92.rules.contains(&"evidence/CC9.2".to_owned()),
        "{cc92:?}"
    );
}

#[test]
fn rules_the_facts_gave_nothing_leave_their_criteria_to_evidence_though_others_pass() {
    // No vendors, but an incident a vendor caused: vendors.incident-notice judges it (and
    // passes), the other vendors rules have nothing to judge.
    let report = evaluate(|doc| {
        doc.insert("vendors".to_owned(), json!([]));
    });
    assert_eq!(
        report.rule("vendors.incident-notice").unwrap().status,
        Status::Pass
    );
    let cc92 = control(&report, "CC9.2");
    assert_eq!(cc92.status, Status::Fail, "{cc92:?}");
    let evidence = report.rule("evidence/CC9.2").unwrap();
    let message = &evidence.findings[0].message;
    assert!(
        message.starts_with(
            "not all of CC9.2 is shown: vendors.breach-notice-term: the facts' `vendors` list \
             is empty; "
        ),
        "{message}"
    );
    assert!(!message.contains("vendors.incident-notice"), "{message}");
    assert!(
        message.ends_with("; and no evidence is recorded for it"),
        "{message}"
    );
    // Its severity is the worst of the rules it stands in for (vendors.offboarding: high).
    assert_eq!(evidence.severity, attest_engine::Severity::High);

    // A collection left out: CC9.1's DR tests are judged, its risk assessment is not shown.
    let report = evaluate(|doc| {
        doc.remove("risk_assessments");
    });
    let cc91 = control(&report, "CC9.1");
    assert_eq!(cc91.status, Status::Fail, "{cc91:?}");
    assert_eq!(
        report.rule("evidence/CC9.1").unwrap().findings[0].message,
        "not all of CC9.1 is shown: risk.annual-assessment: the facts have no \
         `risk_assessments`; and no evidence is recorded for it"
    );
}

#[test]
fn leaving_out_or_emptying_a_collection_never_makes_a_criterion_pass_but_by_evidence() {
    let base = evaluate(|_| {});
    let names: Vec<String> = attest_tests::example_sources()
        .iter()
        .flat_map(|(_, text)| {
            let part: Value = serde_json::from_str(text).unwrap();
            part.as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        })
        .filter(|k| !["schema_version", "organization", "evidence"].contains(&k.as_str()))
        .collect();
    assert!(names.len() > 15, "{names:?}");
    for name in &names {
        for empty in [false, true] {
            let report = evaluate(|doc| {
                if empty {
                    doc.insert(name.clone(), json!([]));
                } else {
                    doc.remove(name);
                }
            });
            for (before, after) in base.controls.iter().zip(&report.controls) {
                if after.status == Status::Pass && before.status != Status::Pass {
                    // Only its evidence can have made it pass.
                    let evidence = format!("evidence/{}", after.id);
                    assert!(
                        after.rules.contains(&evidence),
                        "{} without `{name}` (empty: {empty}): {:?} -> pass on {:?}",
                        after.id,
                        before.status,
                        after.rules
                    );
                }
            }
        }
    }
}

#[test]
fn a_collection_that_records_what_happened_to_another_is_judged_as_empty_when_left_out() {
    // Systems and people give these rules their populations: without the records of their
    // monitoring, devices, access reviews, training or DR tests, they judge them as with an empty
    // list, and fail, rather than leave their criteria to evidence. Their headers list them in
    // `reads`, so that given, they are named as read.
    let whole = evaluate(|_| {});
    for (name, judged) in [
        ("monitoring", "monitoring.capacity"),
        ("devices", "devices.coverage"),
        ("access_reviews", "access.reviews-overdue"),
        ("training", "hr.security-training"),
        ("dr_tests", "dr.tests"),
    ] {
        let absent = evaluate(|doc| {
            doc.remove(name);
        });
        let empty = evaluate(|doc| {
            doc.insert(name.to_owned(), json!([]));
        });
        let rule = absent.rule(judged).unwrap();
        assert_eq!(rule.status, Status::Fail, "{judged} without `{name}`");
        let read = whole.rule(judged).unwrap().population.describe();
        assert!(
            read.contains("; read ") && read.ends_with(&format!(" {name}")),
            "{judged}: {read}"
        );
        for (a, e) in absent.rules.iter().zip(&empty.rules) {
            let messages = |r: &attest_engine::RuleResult| -> Vec<String> {
                r.findings.iter().map(|f| f.message.clone()).collect()
            };
            assert_eq!(a.status, e.status, "{} without `{name}`", a.id);
            // (The evidence checks say why a rule that lists it could not judge.)
            if !a.id.starts_with("evidence/") {
                assert_eq!(messages(a), messages(e), "{} without `{name}`", a.id);
            }
        }
        for (a, e) in absent.controls.iter().zip(&empty.controls) {
            assert_eq!(a.status, e.status, "{} without `{name}`", a.id);
        }
    }
}

#[test]
fn a_rule_that_tests_nothing_does_not_pass_and_says_so() {
    // No active privileged account: access.mfa-privileged tested none of the accounts.
    let report = evaluate(|doc| {
        for a in doc
            .get_mut("accounts")
            .and_then(Value::as_array_mut)
            .unwrap()
        {
            a["privileged"] = Value::Bool(false);
        }
    });
    let rule = report.rule("access.mfa-privileged").unwrap();
    assert_eq!(rule.status, Status::NotApplicable);
    assert_eq!(rule.population.tested, 0);
    let accounts = &rule.population.collections["accounts"];
    assert_eq!(accounts.tested, 0);
    assert!(accounts.of > 40, "{accounts:?}");
    assert_eq!(
        rule.population.describe(),
        format!("tested 0 of {} accounts", accounts.of)
    );
}
