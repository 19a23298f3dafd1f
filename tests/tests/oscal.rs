//! The OSCAL format: assessment results valid against NIST's OSCAL 1.1.2 schema (a copy is
//! in tests/fixtures/), a finding and an observation per criterion in scope, the facts and
//! the pack as subjects, UUIDs derived from the digests (the same report gives the same
//! bytes, another report other UUIDs), and a snapshot.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{Date, EvalOptions, Report, Status};
use attest_render as render;
use attest_tests::schema_errors;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

fn report(as_of: Option<&str>, waivers: bool) -> Report {
    let engine = attest_tests::soc2_engine();
    let facts = attest_tests::example_facts();
    let options = EvalOptions::default().with_as_of(as_of.and_then(Date::parse));
    let mut report = engine.evaluate(&facts, &options).unwrap();
    if waivers {
        attest_tests::example_waivers().apply(&mut report);
    }
    report
}

fn validator() -> jsonschema::Validator {
    attest_tests::schema_validator("tests/fixtures/oscal_assessment-results_schema-1.1.2.json")
}

#[test]
fn the_results_are_valid_oscal_1_1_2() {
    let v = validator();
    for (as_of, waivers) in [(None, true), (None, false), (Some("2027-01-31"), false)] {
        let text = render::oscal(&report(as_of, waivers));
        let doc: Value = serde_json::from_str(&text).unwrap();
        let found = schema_errors(&v, &doc);
        assert!(found.is_empty(), "{as_of:?}: {found:#?}");
    }
}

#[test]
fn the_parameters_a_run_set_are_valid_properties_of_the_result() {
    let options = EvalOptions::default().with_params(
        [(
            "access_review_days_critical".to_owned(),
            serde_json::json!(30),
        )]
        .into_iter()
        .collect(),
    );
    let report = attest_tests::soc2_engine()
        .evaluate(&attest_tests::example_facts(), &options)
        .unwrap();
    let doc: Value = serde_json::from_str(&render::oscal(&report)).unwrap();
    let found = schema_errors(&validator(), &doc);
    assert!(found.is_empty(), "{found:#?}");
    let props = doc["assessment-results"]["results"][0]["props"]
        .as_array()
        .unwrap();
    let params: Vec<(&Value, &Value)> = props
        .iter()
        .filter(|p| p["name"].as_str().unwrap().starts_with("param-"))
        .map(|p| (&p["name"], &p["value"]))
        .collect();
    assert_eq!(
        params,
        [(
            &Value::from("param-access_review_days_critical"),
            &Value::from("30")
        )]
    );
}

#[test]
fn the_result_covers_the_audit_period_or_the_as_of_date() {
    let result = |report: &Report| {
        let doc: Value = serde_json::from_str(&render::oscal(report)).unwrap();
        let r = &doc["assessment-results"]["results"][0];
        (r["start"].clone(), r["end"].clone())
    };
    // The example states the period 2026-01-01..2026-06-30.
    let with_period = report(None, false);
    assert!(with_period.period.is_some());
    assert_eq!(
        result(&with_period),
        ("2026-01-01T00:00:00Z".into(), "2026-06-30T23:59:59Z".into())
    );
    let mut point_in_time = with_period.clone();
    point_in_time.period = None;
    assert_eq!(
        result(&point_in_time),
        ("2026-06-30T00:00:00Z".into(), "2026-06-30T00:00:00Z".into())
    );
}

#[test]
fn the_schema_check_rejects_what_oscal_forbids() {
    // The validator is not lenient: each of these breaks a rule of the schema, the token
    // pattern's Unicode classes among them.
    let v = validator();
    let good: Value = serde_json::from_str(&render::oscal(&report(None, true))).unwrap();
    let breakages: Vec<(&str, &str, Value)> = vec![
        (
            "a malformed uuid",
            "/assessment-results/uuid",
            Value::from("not-a-uuid"),
        ),
        (
            "a prop name that is no token",
            "/assessment-results/metadata/props/0/name",
            Value::from("9 lives"),
        ),
        (
            "an unknown finding state",
            "/assessment-results/results/0/findings/0/target/status/state",
            Value::from("mostly"),
        ),
        (
            "a time without a zone",
            "/assessment-results/metadata/last-modified",
            Value::from("2026-06-30T00:00:00"),
        ),
    ];
    for (what, pointer, value) in breakages {
        let mut doc = good.clone();
        *doc.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer}")) = value;
        assert!(!schema_errors(&v, &doc).is_empty(), "{what} was accepted");
    }
    let mut doc = good.clone();
    doc["assessment-results"]
        .as_object_mut()
        .unwrap()
        .remove("import-ap");
    assert!(
        !schema_errors(&v, &doc).is_empty(),
        "a missing import-ap was accepted"
    );
    // A token may hold letters of any script.
    let mut doc = good;
    doc["assessment-results"]["metadata"]["props"][0]["name"] = Value::from("prüfung_ärger");
    assert!(schema_errors(&v, &doc).is_empty());
}

#[test]
fn an_organization_name_with_spaces_around_or_nothing_else_is_a_valid_party_name() {
    let v = validator();
    let name = |report: &Report| {
        let doc: Value = serde_json::from_str(&render::oscal(report)).unwrap();
        let found = schema_errors(&v, &doc);
        assert!(found.is_empty(), "{found:#?}");
        let metadata = &doc["assessment-results"]["metadata"];
        let title = metadata["title"].as_str().unwrap().to_owned();
        (metadata["parties"][0]["name"].clone(), title)
    };
    // Facts keep a name as written, spaces around it included.
    let facts = attest_engine::Facts::load(&[attest_engine::FactsSource {
        name: "facts.json",
        text: r#"{"schema_version": "1", "organization": {"name": " \u3000Acme\n  Corp\ufeff ", "as_of": "2026-06-30"}}"#,
    }])
    .unwrap();
    let report = attest_tests::soc2_engine()
        .evaluate(&facts, &EvalOptions::default())
        .unwrap();
    let (party, title) = name(&report);
    assert_eq!(party, "Acme Corp");
    assert_eq!(title, "SOC 2 readiness of Acme Corp as of 2026-06-30");
    // Facts refuse a name of whitespace alone, but a report read back or built by a host
    // may hold one: the party still has a name.
    for blank in ["", " ", "\t\n\u{a0}\u{feff}"] {
        let mut blank_report = report.clone();
        blank_report.facts.organization = blank.to_owned();
        let (party, title) = name(&blank_report);
        assert_eq!(party, "(unnamed organization)", "{blank:?}");
        assert_eq!(
            title,
            "SOC 2 readiness of (unnamed organization) as of 2026-06-30"
        );
    }
}

#[test]
fn a_finding_and_an_observation_per_criterion_in_scope() {
    let report = report(None, true);
    let doc: Value = serde_json::from_str(&render::oscal(&report)).unwrap();
    let results = doc["assessment-results"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "one result per run");
    let result = &results[0];
    let in_scope: Vec<&str> = report
        .controls
        .iter()
        .filter(|c| c.status != Status::NotApplicable)
        .map(|c| c.id.as_str())
        .collect();
    let findings = result["findings"].as_array().unwrap();
    let observations = result["observations"].as_array().unwrap();
    assert_eq!(findings.len(), in_scope.len());
    assert_eq!(observations.len(), in_scope.len());
    let observation_uuids: HashMap<&str, &Value> = observations
        .iter()
        .map(|o| (o["uuid"].as_str().unwrap(), o))
        .collect();
    for (finding, id) in findings.iter().zip(&in_scope) {
        let control = report.controls.iter().find(|c| c.id == *id).unwrap();
        assert_eq!(finding["target"]["target-id"], *id);
        let state = finding["target"]["status"]["state"].as_str().unwrap();
        let satisfied = matches!(control.status, Status::Pass | Status::Warn);
        assert_eq!(state == "satisfied", satisfied, "{id}: {state}");
        let linked = finding["related-observations"][0]["observation-uuid"]
            .as_str()
            .unwrap();
        let observation = observation_uuids[linked];
        assert!(observation["title"].as_str().unwrap().starts_with(id));
        // Every finding of the criterion's rules is evidence of its observation.
        let expected: usize = report.rules_of(control).map(|r| r.findings.len()).sum();
        let evidence = observation["relevant-evidence"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(evidence, expected, "{id}");
    }
    // Criteria out of scope are excluded from the reviewed controls.
    let excluded: BTreeSet<&str> =
        result["reviewed-controls"]["control-selections"][0]["exclude-controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["control-id"].as_str().unwrap())
            .collect();
    let out_of_scope: BTreeSet<&str> = report
        .controls
        .iter()
        .filter(|c| c.status == Status::NotApplicable)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(excluded, out_of_scope);
    // The facts and the pack are the subjects, defined as components of the result.
    let components = result["local-definitions"]["components"]
        .as_array()
        .unwrap();
    let subjects: Vec<&str> = observations[0]["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subject-uuid"].as_str().unwrap())
        .collect();
    for subject in subjects {
        let c = components.iter().find(|c| c["uuid"] == subject).unwrap();
        let digest = c["props"][0]["value"].as_str().unwrap();
        assert!(digest == report.facts.digest || digest == report.pack.digest);
    }
}

#[test]
fn the_same_report_gives_the_same_bytes_and_another_other_uuids() {
    let a = render::oscal(&report(None, true));
    assert_eq!(a, render::oscal(&report(None, true)));
    let b = render::oscal(&report(None, false));
    let uuids = |text: &str| -> BTreeSet<String> {
        let doc: Value = serde_json::from_str(text).unwrap();
        let mut out = BTreeSet::new();
        collect_uuids(&doc, &mut out);
        out
    };
    let (ua, ub) = (uuids(&a), uuids(&b));
    assert!(ua.len() > 50);
    // The components (facts, pack, Attest) and the organization keep theirs; every result,
    // finding and observation gets new ones.
    assert_eq!(
        ua.intersection(&ub).count(),
        5,
        "{:?}",
        ua.intersection(&ub).collect::<Vec<_>>()
    );
}

fn collect_uuids(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "uuid" {
                    out.insert(v.as_str().unwrap().to_owned());
                } else {
                    collect_uuids(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_uuids(v, out)),
        _ => {}
    }
}

#[test]
fn snapshot() {
    let report = report(None, true);
    let text = render::oscal(&report);
    // UUIDs and the report digest follow the pack's digest: numbered in order of first use,
    // so the snapshot still shows which objects refer to which.
    let doc: Value = serde_json::from_str(&text).unwrap();
    let digest = doc["assessment-results"]["metadata"]["props"][0]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut out = text
        .replace(&digest, "[report digest]")
        .replace(&report.pack.digest, "[pack digest]");
    let mut seen: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(start) = out[i..].find('"').map(|p| p + i) {
        let candidate = out.get(start + 1..start + 37).unwrap_or("");
        let is_uuid = candidate.len() == 36
            && candidate.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if is_uuid {
            let n = seen.iter().position(|s| s == candidate).unwrap_or_else(|| {
                seen.push(candidate.to_owned());
                seen.len() - 1
            });
            out.replace_range(start + 1..start + 37, &format!("[uuid {n}]"));
        }
        i = start + 1;
    }
    insta::assert_snapshot!("oscal", out);
}
