//! Native scans change no outcome: every rule gives the same result, findings, population
//! and errors whether its loops scan natively (`Engine::new`) or run as written (an engine
//! with line tracing, which never rewrites a loop), on facts whose fields hold every kind
//! of value.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{Engine, EvalOptions, Limits, Pack, Status};
use attest_tests::odd_people;

/// Loops of every shape the scan reads, and some it must leave alone.
const RULES: &[&str] = &[
    r#"for p in facts.people { if p.x == "a" { fail(p, "x is a"); } }"#,
    r#"for p in facts.people { if p.x != "a" && p.kind == "employee" { fail(p, "m"); } }"#,
    r#"for p in facts.people { if p.x == 1 || p.y == true { fail(p, "m"); } }"#,
    r#"for p in facts.people { if !(p.x == ()) { fail(p, "m"); } }"#,
    r#"for p in facts.people { if p.x.y == "a" { fail(p, "m"); } }"#,
    r#"for p in facts.people { if p.x.len == 1 { fail(p, "m"); } }"#,
    r#"for p in facts.people { if p.x == p.y { fail(p, "m"); } }"#,
    r#"for p in facts.people { if p.x != p.y && p.x == false { fail(p, "m"); } }"#,
    r#"for p in facts.people { if p.employment.status == "terminated" { continue; } if p.x == 2 { fail(p, "m"); } }"#,
    r#"for p in facts.people { if p.x == "b" { continue; } if p.y == "a" { continue; } fail(p, "m"); }"#,
    r#"for p in facts.people { if p.x > 1 && p.y == "a" { fail(p, "m"); } }"#,
    r#"for p in facts.people { if p.x == 1 && p.x.y == 1 { fail(p, "m"); } }"#,
    r#"let ix = index_by(facts.people, "x"); for p in facts.people { if ix.contains(p.y) { fail(p, "m"); } }"#,
    r#"let ix = index_by(facts.people, "x"); for p in facts.people { if p.kind == "employee" && ix.contains(p.x) { ix = 1; } }"#,
    r#"let ix = #{a: 1}; for p in facts.people { if ix.contains(p.x) { fail(p, "m"); } }"#,
    r#"for p in facts.people.where("kind", "employee") { if p.y == "b" { fail(p, "m"); } }"#,
    r#"let n = 0; for p in facts.people { if p.x == "a" { n += 1; } } if n > 2 { fail("three or more") }"#,
    r#"for p in facts.people { if p.x == 1 { fail(p, "m"); break; } }"#,
    // A loop over an array, inside and after loops whose records the scan vouched for:
    // Rhai reads its guards on every item.
    r#"for p in facts.people { if p.kind != "employee" { continue; } for q in facts.people.where("kind", "contractor") { if q.x == () { continue; } fail(q, "m"); } fail(p, "m"); }"#,
    r#"for p in facts.people { if p.kind != "employee" { continue; } fail(p, "m"); break; } for q in facts.people.where("kind", "contractor") { if q.x == () { continue; } fail(q, "m"); }"#,
    r#"for p in facts.people { if p.x == "a" { for q in facts.people.where("kind", "contractor") { if q.y == () { continue; } fail(q, "m"); } fail(p, "m"); } }"#,
];

#[test]
fn native_scans_change_no_rule_outcome() {
    let files = attest_tests::odd_pack(RULES);
    let pack = || Pack::from_files(&files).unwrap_or_else(|e| panic!("{e}"));
    let scanning = Engine::new(pack(), Limits::default()).unwrap();
    let as_written = Engine::with_line_tracing(pack(), Limits::default()).unwrap();
    let facts = odd_people(scanning.pack());
    let options = EvalOptions::default();
    let (mut failing, mut errors) = (0, 0);
    for (i, body) in RULES.iter().enumerate() {
        let id = &format!("t.r{i}");
        let a = scanning
            .evaluate_rule(id, &facts, &options)
            .unwrap()
            .unwrap();
        let b = as_written
            .evaluate_rule(id, &facts, &options)
            .unwrap()
            .unwrap();
        assert_eq!(a, b, "{body}");
        failing += usize::from(a.status == Status::Fail && !a.findings.is_empty());
        errors += usize::from(a.status == Status::Error);
    }
    // The facts exercise every rule: each finds something, or stops on the same error
    // (a property of a string, a comparison of lists) at the same record either way.
    assert_eq!(failing + errors, RULES.len());
    assert!(
        failing >= 11 && errors >= 6,
        "{failing} failing, {errors} errors"
    );
}

#[test]
fn the_built_in_pack_reports_the_same_with_and_without_native_scans() {
    let pack = || Pack::from_files(&attest_tests::soc2_files()).unwrap();
    let scanning = Engine::new(pack(), Limits::default()).unwrap();
    let as_written = Engine::with_line_tracing(pack(), Limits::default()).unwrap();
    let facts = attest_tests::example_facts();
    let options = EvalOptions::default();
    let a = scanning.evaluate(&facts, &options).unwrap();
    let b = as_written.evaluate(&facts, &options).unwrap();
    assert_eq!(a.to_json(), b.to_json());
}
