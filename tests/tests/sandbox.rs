//! The sandbox: every limit stops a rule with a clear error, the other rules still run,
//! and rules cannot reach outside (no eval, no modules).

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::alloc::CountingAlloc;
use attest_engine::{Engine, EvalOptions, Facts, FactsSource, Limits, Pack, RuleResult, Status};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// As the `attest` binary and the WebAssembly module do: what holds rules to their memory
/// budget.
#[global_allocator]
static ALLOCATOR: CountingAlloc<std::alloc::System> = CountingAlloc::new(std::alloc::System);

const FACTS: &str = r#"{"schema_version": "1",
  "organization": {"name": "T", "as_of": "2026-06-30"},
  "people": [
    {"id": "p1", "name": "Ada", "kind": "employee", "employment": {"status": "active", "start_date": "2026-01-10"}},
    {"id": "p2", "name": "Bo", "kind": "contractor", "employment": {"status": "terminated", "end_date": "2026-06-01"}}
  ]}"#;

fn engine(body: &str, limits: Limits) -> Result<Engine, attest_engine::PackError> {
    let pack = Pack::from_files(&attest_tests::minimal_pack(&[("t.rule", body)]))?;
    Engine::new(pack, limits)
}

fn run_with(body: &str, limits: Limits, options: &EvalOptions) -> RuleResult {
    let engine = engine(body, limits).unwrap_or_else(|e| panic!("{e}"));
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text: FACTS,
    }])
    .unwrap();
    engine
        .evaluate_rule("t.rule", &facts, options)
        .unwrap()
        .unwrap()
}

fn run(body: &str) -> RuleResult {
    run_with(body, Limits::default(), &EvalOptions::default())
}

fn error_of(r: &RuleResult) -> String {
    assert_eq!(r.status, Status::Error, "{r:?}");
    r.error.as_ref().unwrap().message.clone()
}

#[test]
fn records_read_like_objects_and_point_at_themselves() {
    let r = run(
        "for p in facts.people { if p.employment.status == \"terminated\" { fail(p, `${p.name} left ${p.employment.end_date}`, #{ days: days_since(p.employment.end_date) }); } }",
    );
    assert_eq!(r.status, Status::Fail);
    let f = &r.findings[0];
    assert_eq!(f.entity.as_deref(), Some("/people/1"));
    assert_eq!(f.message, "Bo left 2026-06-01");
    assert_eq!(f.data, Some(serde_json::json!({"days": 29})));
    assert_eq!(f.source.as_ref().map(|s| s.line), Some(5));
}

#[test]
fn lookups_join_without_loops() {
    let r = run(r#"let by_id = index_by(facts.people, "id");
           let by_status = group_by(facts.people, "employment.status");
           if by_id.get("p2").name != "Bo" { throw "index_by"; }
           if by_id.get("nobody") != () { throw "absent key"; }
           if by_status.get("active").len() != 1 { throw "group_by"; }
           if !("p1" in by_id) { throw "in"; }
           let latest = latest_by(facts.people, "employment.start_date");
           if latest.id != "p1" { throw "latest_by"; }
           let w = facts.people.where("kind", "contractor");
           if w.len() != 1 || w[0].id != "p2" { throw "where"; }
           if facts.people.count(|p| p.kind == "employee") != 1 { throw "count"; }"#);
    assert_eq!(r.status, Status::Pass, "{:?}", r.error);
}

#[test]
fn a_lookup_in_a_message_says_how_many_keys_it_has() {
    let r = run(r#"let by_id = index_by(facts.people, "id");
           let by_kind = group_by(facts.people, "kind");
           for p in facts.people { fail(p, `${by_id} / ${by_kind}`); break; }"#);
    assert_eq!(
        r.findings[0].message,
        "lookup of 2 keys (one record each) / lookup of 2 keys (records grouped)"
    );
}

#[test]
fn queries_select_records_natively() {
    // Ada started 2026-01-10 (171 days before the as-of date); Bo left 2026-06-01 (29 days).
    let ids = |body: &str| {
        let r = run(&format!(
            "let ids = []; for p in {body} {{ ids.push(p.id); }} fail(`${{ids}}`);"
        ));
        assert_eq!(r.status, Status::Fail, "{body}: {:?}", r.error);
        r.findings[0].message.clone()
    };
    assert_eq!(
        ids(r#"facts.people.where(#{ kind: "employee" })"#),
        r#"["p1"]"#
    );
    assert_eq!(
        ids(
            r#"facts.people.where(#{ kind: ["employee", "contractor"], "employment.status": "terminated" })"#
        ),
        r#"["p2"]"#
    );
    assert_eq!(ids(r#"facts.people.where(#{ kind: "nobody" })"#), "[]");
    assert_eq!(
        ids(r#"facts.people.where_not("kind", "employee")"#),
        r#"["p2"]"#
    );
    assert_eq!(
        ids(r#"facts.people.where_not("employment.end_date", ())"#),
        r#"["p2"]"#
    );
    assert_eq!(
        ids(r#"facts.people.where_same("employment.status", "employment.status")"#),
        r#"["p1", "p2"]"#
    );
    assert_eq!(ids(r#"facts.people.where_same("id", "name")"#), "[]");
    assert_eq!(
        ids(r#"facts.people.where_same("employment.end_date", "employment.end_date")"#),
        r#"["p2"]"#
    );
    // An absent field equals `()`.
    assert_eq!(
        ids(r#"facts.people.where(#{ "employment.end_date": () })"#),
        r#"["p1"]"#
    );
    // A lookup as the wanted value: the field is one of its keys (a semi-join).
    assert_eq!(
        ids(
            r#"facts.people.where(#{ id: index_by(facts.people.where("kind", "contractor"), "id") })"#
        ),
        r#"["p2"]"#
    );
    assert_eq!(
        ids(r#"facts.people.older_than("employment.start_date", 170)"#),
        r#"["p1"]"#
    );
    assert_eq!(
        ids(r#"facts.people.older_than("employment.start_date", 171)"#),
        "[]"
    );
    assert_eq!(
        ids(r#"facts.people.within_days("employment.end_date", 29)"#),
        r#"["p2"]"#
    );
    assert_eq!(
        ids(r#"facts.people.within_days("employment.end_date", 28)"#),
        "[]"
    );
    // On either side of the as-of date (2026-06-30), the day itself on or before it.
    assert_eq!(
        ids(r#"facts.people.on_or_before_as_of("employment.end_date")"#),
        r#"["p2"]"#
    );
    assert_eq!(
        ids(r#"facts.people.after_as_of("employment.end_date")"#),
        "[]"
    );
    let as_of = |date: &str| {
        EvalOptions::default().with_as_of(Some(attest_engine::Date::parse(date).unwrap()))
    };
    for (date, before, after) in [
        ("2026-06-01", r#"["p1", "p2"]"#, "[]"),
        ("2026-05-31", r#"["p1"]"#, r#"["p2"]"#),
    ] {
        let both = r#"fail(`${facts.people.on_or_before_as_of("employment.start_date").map(|p| p.id) + facts.people.on_or_before_as_of("employment.end_date").map(|p| p.id)}|${facts.people.after_as_of("employment.end_date").map(|p| p.id)}`);"#;
        let r = run_with(both, Limits::default(), &as_of(date));
        let got = r.findings[0].message.clone();
        assert_eq!(got, format!("{before}|{after}"), "{date}");
    }
    let r = run(r#"facts.people.after_as_of("name");"#);
    assert_eq!(
        error_of(&r),
        "after_as_of: expected a date `YYYY-MM-DD` at /people/0/name"
    );
    // Queries chain: each takes the array the previous one returned.
    assert_eq!(
        ids(r#"facts.people.where("kind", "contractor").within_days("employment.end_date", 30)"#),
        r#"["p2"]"#
    );
    // `missing`: an anti-join, optionally with a freshness condition. Ada's start date
    // (2026-01-10) is before the as-of date, Bo's end date (2026-06-01) after his start.
    let by_status = r#"group_by(facts.people, "employment.status")"#;
    assert_eq!(
        ids(&format!(r#"{by_status}.missing(facts.people, "kind")"#)),
        r#"["p1", "p2"]"#
    );
    assert_eq!(
        ids(
            r#"index_by(facts.people, "id").missing(facts.people.where("kind", "employee"), "id")"#
        ),
        "[]"
    );
    assert_eq!(
        ids(
            r#"index_by(facts.people, "id").missing(facts.people, "id", "employment.end_date", "employment.start_date")"#
        ),
        r#"["p2"]"#
    );
    assert_eq!(
        ids(
            r#"index_by(facts.people, "id").missing(facts.people.to_array(), "id", "employment.start_date", "employment.start_date")"#
        ),
        "[]"
    );
    let r = run(r#"facts.people.older_than("name", 3);"#);
    assert_eq!(
        error_of(&r),
        "older_than: expected a date `YYYY-MM-DD` at /people/0/name"
    );
    let r = run(r#""text".where_not("id", 1);"#);
    assert_eq!(
        error_of(&r),
        "where_not: expected a facts list or an array of records, found a string"
    );
    let r = run(r#"[1, 2].where(#{ id: 1 });"#);
    assert!(
        error_of(&r).starts_with("where: expected records from the facts"),
        "{r:?}"
    );
}

#[test]
fn an_endless_loop_exhausts_the_operation_budget() {
    let limits = Limits {
        max_operations: 10_000,
        ..Limits::default()
    };
    let r = run_with("loop { }", limits, &EvalOptions::default());
    assert_eq!(
        error_of(&r),
        "the rule exceeded its budget of 10000 operations"
    );
}

#[test]
fn the_budget_adds_up_across_closures() {
    // The loop outside the closures is tiny; the work is inside closures run by `filter`,
    // whose operations Rhai counts separately and the engine adds up.
    let limits = Limits {
        max_operations: 10_000,
        ..Limits::default()
    };
    let body = "for i in 0..10 { facts.people.filter(|p| { let n = 0; while n < 1000 { n += 1; } true }); }";
    let r = run_with(body, limits, &EvalOptions::default());
    assert_eq!(
        error_of(&r),
        "the rule exceeded its budget of 10000 operations"
    );
}

#[test]
fn the_time_budget_uses_the_hosts_clock() {
    // A fake clock that advances one second per reading.
    let ticks = Arc::new(AtomicU64::new(0));
    let clock = move || Duration::from_secs(ticks.fetch_add(1, Ordering::SeqCst));
    let limits = Limits {
        max_operations: 0,
        time_budget: Some(Duration::from_secs(5)),
        ..Limits::default()
    };
    let options = EvalOptions::default().with_clock(Arc::new(clock));
    let r = run_with("loop { }", limits, &options);
    assert_eq!(error_of(&r), "the rule exceeded its time budget");
}

#[test]
fn eval_and_modules_are_unavailable() {
    let err = engine("eval(\"1\");", Limits::default()).err().unwrap();
    assert!(err.to_string().contains("syntax error"), "{err}");
    let r = run("import \"fs\" as fs;");
    assert_eq!(error_of(&r), "Module not found: fs", "{r:?}");
}

#[test]
fn deep_recursion_and_huge_strings_are_stopped() {
    let r = run("fn f(n) { f(n + 1) } f(0);");
    assert!(error_of(&r).contains("Stack overflow"), "{r:?}");
    let r = run("let s = \"x\"; loop { s += s; }");
    assert!(error_of(&r).contains("Length of string too large"), "{r:?}");
}

#[test]
fn facts_are_read_only() {
    let r = run("facts.people[0].name = \"Eve\";");
    assert_eq!(r.status, Status::Error, "{r:?}");
}

#[test]
fn prelude_errors_say_what_was_expected() {
    let r = run("days_since(facts.people[0].employment.end_date);");
    assert_eq!(
        error_of(&r),
        "days_since: expected a date `YYYY-MM-DD`, got () (the field is absent or null)"
    );
    let r = run("fail(42, \"x\");");
    assert!(
        error_of(&r).starts_with("fail: the first argument must be a facts record"),
        "{r:?}"
    );
    let loc = r.error.unwrap();
    assert_eq!((loc.line, loc.column), (Some(8), Some(1)));
}

#[test]
fn a_rule_whose_facts_are_absent_is_not_applicable_without_running() {
    let engine = engine("throw \"must not run\";", Limits::default()).unwrap();
    let text = r#"{"schema_version": "1", "organization": {"name": "T", "as_of": "2026-06-30"}}"#;
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text,
    }])
    .unwrap();
    let r = engine
        .evaluate_rule("t.rule", &facts, &EvalOptions::default())
        .unwrap()
        .unwrap();
    assert_eq!(r.status, Status::NotApplicable);
}

#[test]
fn a_rule_that_calls_tested_has_exactly_the_records_it_marks() {
    // Ada is active, Bo terminated: each rule goes through both people and marks only Ada,
    // whether `tested` is a statement of its own, inside a function, or in an expression.
    let bodies = [
        "for p in facts.people { if p.employment.status == \"active\" { tested(p); } }",
        "fn mark(p) { tested(p); }\nfor p in facts.people { if p.employment.status == \"active\" { mark(p); } }",
        "for p in facts.people {}\nfor p in tested(facts.people.where(\"employment.status\", \"active\")) {}",
        "for p in facts.people {}\nlet active = tested(facts.people.where(\"employment.status\", \"active\"));",
    ];
    for body in bodies {
        let r = run(body);
        assert_eq!(r.status, Status::Pass, "{body}: {r:?}");
        assert_eq!(r.population.tested, 1, "{body}: {r:?}");
    }
    // Marking nothing, a rule's population is the records it went through.
    assert_eq!(run("for p in facts.people {}").population.tested, 2);
    // A rule that calls `tested` but marks no record, and finds nothing, does not apply.
    let r = run("for p in facts.people { if p.employment.status == \"on_leave\" { tested(p); } }");
    assert_eq!(r.status, Status::NotApplicable, "{r:?}");
}

#[test]
fn a_field_of_an_absent_object_is_absent() {
    // Bo has no `employment.start_date`, Ada no `background_check` at all; neither has a
    // field `nothing`, read through a variable (a field facts-v1 does not define, read by
    // name, is an `unknown-field` error of the pack).
    let r = run(
        "let none = \"nothing\"; for p in facts.people { tested(p); if p.background_check.completed_on != () || p[none].at.all != () { fail(p, \"present\"); } if p?.employment?.start_date == () { fail(p, `${p.name} has no start date`); } }",
    );
    assert_eq!(r.status, Status::Fail, "{r:?}");
    let messages: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, ["Bo has no start date"]);
}

#[test]
fn add_days_out_of_the_calendar_is_an_error_not_its_input() {
    let r = run("let d = add_days(\"2026-06-30\", 9223372036854775807); fail(d);");
    assert_eq!(
        error_of(&r),
        "add_days(2026-06-30, 9223372036854775807) leaves the calendar (years -9999 to 9999)"
    );
    let r = run(
        "for p in facts.people { tested(p); if add_days(\"2026-06-30\", -3) != \"2026-06-27\" { fail(p, \"wrong\"); } }",
    );
    assert_eq!(r.status, Status::Pass, "{r:?}");
}

#[test]
fn sleep_is_an_error_at_once() {
    for body in ["sleep(100);", "sleep(0.5);", "loop { sleep(1); }"] {
        let r = run(body);
        assert_eq!(
            error_of(&r),
            "sleep: rules cannot wait (they judge facts, not time)",
            "{body}"
        );
    }
}

#[test]
fn importing_a_module_the_pack_lacks_names_it() {
    let r = run("import \"dates\" as d;\nfor p in facts.people { tested(p); }");
    // Not "Too many modules imported", as when a pack without lib/ allowed no imports.
    assert_eq!(error_of(&r), "Module not found: dates");
}

#[test]
fn the_clock_is_out_of_reach() {
    let r = run("let t = timestamp(); fail(`${t}`);");
    assert_eq!(
        error_of(&r),
        "timestamp: rules cannot read the clock (the as-of date is `as_of()`)"
    );
    let r = run("let t = 0; t.elapsed;");
    assert_eq!(r.status, Status::Error, "{r:?}");
}

/// Limits small enough for a test to reach quickly.
fn small() -> Limits {
    Limits {
        max_memory: 16 << 20,
        max_findings: 10,
        max_message_size: 100,
        max_data_size: 256,
        ..Limits::default()
    }
}

#[test]
fn a_rule_that_holds_too_much_memory_is_stopped_and_the_engine_lives_on() {
    assert!(attest_engine::alloc::counting());
    let engine = engine(
        "let s = \"xxxxxxxx\"; while s.len() < 65536 { s += s; }\nlet m = #{}; let i = 0;\nloop { m[`k${i}`] = s + i; i += 1; }",
        small(),
    )
    .unwrap();
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text: FACTS,
    }])
    .unwrap();
    for _ in 0..2 {
        let r = engine
            .evaluate_rule("t.rule", &facts, &EvalOptions::default())
            .unwrap()
            .unwrap();
        assert_eq!(
            error_of(&r),
            "the rule exceeded its memory budget of 16 MiB"
        );
        assert_eq!(r.error.as_ref().unwrap().line, Some(10), "{r:?}");
    }
    // Memory a rule frees as it goes does not add up.
    let r = run_with(
        "for i in 0..2000 { let s = \"xxxxxxxx\"; while s.len() < 65536 { s += s; } }\nfor p in facts.people { tested(p); }",
        small(),
        &EvalOptions::default(),
    );
    assert_eq!(r.status, Status::Pass, "{r:?}");
}

#[test]
fn a_rule_past_its_findings_limit_is_an_error_not_part_of_its_findings() {
    let r = run_with(
        "for i in 0..11 { fail(`finding ${i}`); }",
        small(),
        &EvalOptions::default(),
    );
    assert_eq!(error_of(&r), "the rule exceeded its limit of 10 findings");
    assert!(r.findings.is_empty(), "{r:?}");
    // Exactly at the limit is fine.
    let r = run_with(
        "for i in 0..10 { fail(`finding ${i}`); }",
        small(),
        &EvalOptions::default(),
    );
    assert_eq!((r.status, r.findings.len()), (Status::Fail, 10));
    // `try ... catch` cannot swallow it.
    let r = run_with(
        "for i in 0..20 { try { fail(`finding ${i}`); } catch (e) { } }",
        small(),
        &EvalOptions::default(),
    );
    assert_eq!(error_of(&r), "the rule exceeded its limit of 10 findings");
}

#[test]
fn long_messages_are_cut_and_large_data_is_an_error() {
    let r = run_with(
        "let s = \"é\"; while s.len() < 1000 { s += s; } fail(\"a\" + s);",
        small(),
        &EvalOptions::default(),
    );
    let message = &r.findings[0].message;
    assert!(
        message.ends_with("… [truncated at 100 bytes]") && message.len() < 130,
        "{message}"
    );
    // 99 bytes: "a" and 49 two-byte characters; the 50th would cross the limit.
    assert_eq!(message.chars().take_while(|c| *c != '…').count(), 50);
    let r = run_with(
        "let a = []; a.pad(1000, 0); try { fail(\"/people/0\", \"too big\", #{ items: a }); } catch (e) { }",
        small(),
        &EvalOptions::default(),
    );
    assert_eq!(
        error_of(&r),
        "fail: the finding's data is larger than 256 bytes of JSON, its limit"
    );
    let r = run_with(
        "fail(\"/people/0\", \"fits\", #{ items: [1, 2, 3], name: \"Ada\" });",
        small(),
        &EvalOptions::default(),
    );
    assert_eq!(
        r.findings[0].data,
        Some(serde_json::json!({"items": [1, 2, 3], "name": "Ada"}))
    );
    // A huge thrown value is cut too, without being written out whole.
    let r = run_with(
        "let a = []; a.pad(1000000, 7); throw a;",
        small(),
        &EvalOptions::default(),
    );
    let message = error_of(&r);
    assert!(message.starts_with("[7, 7, 7, 7"), "{message}");
    assert!(message.ends_with("… [truncated at 100 bytes]"), "{message}");
}

#[test]
fn a_set_is_gone_through_in_sorted_order_as_strings() {
    let r = run(r#"
        let ids = set(["p2", "p10", 7, "p2", "a"]);
        let seen = [];
        for id in ids { seen.push(`${type_of(id)}:${id}`); }
        let again = 0;
        for id in ids { again += 1; }
        fail(`${seen} ${again}`);
    "#);
    assert_eq!(
        r.findings[0].message, r#"["string:7", "string:a", "string:p10", "string:p2"] 4"#,
        "{r:?}"
    );
}

#[test]
fn sets_remember_keys_and_are_held_to_the_map_size_limit() {
    let r = run(r#"
        let seen = set(["p1", 7]);
        let added = [seen.add("p2"), seen.add("p2"), seen.add(7), seen.add("7")];
        let asked = ["p1" in seen, seen.contains("p3"), 7 in seen, "7" in seen];
        fail(`${added} ${asked} ${seen.len()} ${seen}`);
    "#);
    assert_eq!(
        r.findings[0].message,
        r#"[true, false, false, false] [true, false, true, true] 3 {"7", "p1", "p2"}"#,
        "{r:?}"
    );
    let r = run("let s = set(); s.add([1]);");
    assert_eq!(
        error_of(&r),
        "add: a set holds strings and integers, not array",
        "{r:?}"
    );
    let limits = Limits {
        max_map_size: 3,
        ..Limits::default()
    };
    let options = EvalOptions::default();
    let r = run_with(
        "let s = set(); for i in 0..10 { s.add(i); }",
        limits.clone(),
        &options,
    );
    assert!(
        error_of(&r).starts_with("add: a set holds at most 3 keys"),
        "{r:?}"
    );
    // Adding a key it holds already is no growth.
    let r = run_with(
        "let s = set([1, 2, 3]); s.add(3); fail(`${s.len()}`);",
        limits,
        &options,
    );
    assert_eq!(r.findings[0].message, "3", "{r:?}");
}
