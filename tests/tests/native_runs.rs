//! Native runs change no outcome: every rule gives the same result, findings, population
//! and errors whether it runs natively (`Engine::new`) or in Rhai
//! (`Engine::interpreted`), on facts whose fields hold every kind of value, on the
//! example organization with the built-in pack and the anchor pack, and when a budget or
//! a data limit stops it.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::pack::PackFile;
use attest_engine::{Engine, EvalOptions, Facts, Limits, Pack, Status};
use attest_tests::odd_people;

/// Rules over every construct a native run knows, on values of every kind, and some it
/// leaves to Rhai mid-run (an error, a float compared, a value it does not know).
const RULES: &[&str] = &[
    // Field comparisons of every kind, and ordering.
    r#"for p in facts.people { if p.x == "a" || p.x == 1 || p.x == true || p.x == () { fail(p, `x ${p.id}`); } }"#,
    r#"for p in facts.people { if p.x != p.y { warn(p, "differ"); } }"#,
    r#"for p in facts.people { if p.x > 1 { fail(p, "big"); } }"#,
    r#"for p in facts.people { if p.x < "b" { fail(p, "early"); } }"#,
    r#"for p in facts.people { if p.x == p { fail(p, "self"); } }"#,
    // Interpolation of every kind (Rhai's `to_string` for all but strings).
    r#"for p in facts.people { fail(p, `${p.id}: ${p.x} / ${p.y}`); }"#,
    r#"for p in facts.people { if p.kind == "contractor" { fail(p, `${p} ${facts.people}`); } }"#,
    // type_of, is_date, days_since (an error on anything but a date).
    r#"for p in facts.people { fail(p, type_of(p.x) + ""); }"#,
    r#"for p in facts.people { let t = type_of(p.y); if t == "i64" || t == "map" || is_date(p.x) { fail(p, t); } }"#,
    r#"for p in facts.people { if days_since(p.employment.start_date) > 100 { fail(p, "old"); } }"#,
    r#"for p in facts.people { if days_since(p.x) > 1 { fail(p, "never"); } }"#,
    // Loops whose body opens with guards the loop's filter reads: a record it lets
    // through for certain runs the rest of the body (or the closing `if`'s block) without
    // reading them again; any other, the whole body.
    r#"let n = 0; for p in facts.people { if p.kind != "employee" { continue; } if p.x == () || p.x == p.y { continue; } n += 1; fail(p, `guarded ${n} ${p.x}`); }"#,
    r#"for p in facts.people { if p.kind == "contractor" { continue; } if p.id != () && p.x != 1 { fail(p, `closing ${p.kind}`); } else { warn(p, "else"); } }"#,
    r#"for p in facts.people { if p.kind == "contractor" { continue; } if p.x != "a" && p.y != true { fail(p, `closing ${p.kind}`); } }"#,
    // Maps and arrays: literals, keys, push, contains, len, `??`, `if` as a value.
    r#"let seen = #{}; for p in facts.people { if p.x != () && type_of(p.x) == "string" { seen[p.x] = true; } } for p in facts.people { if seen.contains(p.y) { fail(p, `seen ${seen.len()}`); } }"#,
    r#"let ids = []; for p in facts.people { if p.kind == "employee" { ids.push(p.id); } } for p in facts.people { if !ids.contains(p.id) { fail(p, `not ${ids.len()}`); } }"#,
    r#"let m = #{a: 1, b: [1, 2]}; for p in facts.people { let v = m[p.x] ?? 0; if v != 0 { fail(p, `v ${v}`); } }"#,
    r#"for p in facts.people { let n = if p.x == "a" { 2 } else { 3 }; if n * 2 - 1 == 3 { fail(p, "two"); } }"#,
    r#"let all = []; for p in facts.people { all.push(p.x); } if all.contains(1) { fail(`${all.len()}`); }"#,
    r#"for p in facts.people { let a = [p.x, p.y]; if a.contains("a") { fail(p, "a"); } }"#,
    // The length of a string read in place (a field, a nested field, a variable), and of others.
    r#"for p in facts.people { let t = p.x; if type_of(t) == "string" { fail(p, `${p.x.len()} ${len(p.id)} ${p.employment.status.len()} ${t.len()} ${len(t)} ${"dé".len()}`); } }"#,
    // Case and glob matching of strings read in place (a text growing when upper-cased: past
    // the string limit of the limits test), and of other values.
    r#"for p in facts.people { let t = p.kind; if type_of(p.x) == "string" { fail(p, `${p.x.to_lower()} ${t.to_upper()} ${to_upper(p.id)} ${glob_match("e*", t)} ${glob_match(p.x, p.x)} ${glob_match("*e", p.kind)} ${"ÉÀ".to_lower()} ${"ŉŉŉŉŉŉŉŉŉŉŉŉŉŉŉŉŉŉŉŉ".to_upper().len()}`); } }"#,
    r#"for p in facts.people { if glob_match("*", p.y) { fail(p, "y"); } }"#,
    r#"for p in facts.people { if p.y.to_lower() == "a" { fail(p, "a"); } }"#,
    // Items of variables by a key or place worked out (not a constant, variable or field).
    r#"let m = #{}; let a = []; for p in facts.people { m[`${p.kind}-${p.id}`] = p.x; a.push(p.y); } for p in facts.people { let v = m[`${p.kind}-${p.id}`]; if v != () { fail(p, `${type_of(v)} ${m[p.kind + "-" + p.id] == v} ${a[a.len() - 1]} ${p["k" + "ind"]} ${m["x" + "y"]}`); } }"#,
    // A facts list in a variable: `contains` of a text read in place, and of other values.
    r#"for p in facts.people { let l = p.x; if type_of(l) == type_of(facts.people) { fail(p, `${l.contains("a")} ${l.contains("b")} ${l.contains(p.y)} ${l.contains(1)} ${l.contains(p.id)}`); } }"#,
    r#"let m = #{}; for p in facts.people { m[p.x] = 1; } fail(`${m.len()}`);"#,
    // Lookups: one record per key, and groups (which Rhai's `get` builds).
    r#"let ix = index_by(facts.people, "x"); for p in facts.people { let q = ix.get(p.y); if q != () && ix.contains(p.y) { fail(p, `${q.id}`); } }"#,
    r#"let g = group_by(facts.people, "kind"); for p in facts.people { if g.get(p.kind).len() > 10 { fail(p, "many"); } }"#,
    r#"let last = latest_by(facts.people, "kind", "x"); for p in facts.people { if last.get(p.kind) == p { fail(p, "last"); } }"#,
    r#"let ix = index_by(facts.people, "x"); let g = group_by(facts.people, "kind"); let m = ix.missing(facts.people, "y"); let n = g.missing(facts.people.where("kind", "employee"), "kind", "x", "y"); fail(`${m.len()} ${n.len()} ${ix.missing([1], "y")}`);"#,
    r#"for p in facts.people { let last = latest_by(facts.people, "kind", "x").missing([p], "kind", "x", "x"); fail(p, `${last.len()}`); }"#,
    // Functions only Rhai runs (queries, sets, string methods), on a variable and not.
    r#"let s = set(); for p in facts.people.where("kind", "employee") { s.add(p.x); } for p in facts.people { if s.contains(p.y) { fail(p, `${s.len()}`); } }"#,
    r#"for p in facts.people { if p.id.len() > 4 && p.id.starts_with("p1") { fail(p, p.id.to_upper()); } }"#,
    r#"for p in facts.people { if p.x.len() == 1 { fail(p, "one"); } }"#,
    // Loops: `continue`, `break`, nested, over an array and a record's list.
    r#"for p in facts.people { if p.kind != "employee" { continue; } for q in [p.x, p.y] { if q == () { break; } fail(p, "q"); } }"#,
    r#"let n = 0; for p in facts.people { n += 1; if n > 5 { break; } fail(p, `${n}`); }"#,
    r#"for p in facts.people { if p.x.y == "a" { fail(p, "xy"); } }"#,
    r#"for p in facts.people { for v in p.x { fail(p, `${v}`); } }"#,
    r#"{ let a = 1; { let a = 2; fail(`${a}`); } fail(`${a}`); }"#,
    r#"const C = [1]; for p in facts.people { if C.contains(p.x) { fail(p, "c"); } }"#,
    r#"let r = 9223372036854775807; for p in facts.people { if p.x == 1 { r += 1; } }"#,
    r#"for p in facts.people { if p.x && true { fail(p, "bool"); } }"#,
    // `+` on other values (Rhai's operator), `+=` on strings and on arrays, items by place.
    r#"for p in facts.people { let t = p.id + p.x; let m = #{a: 1} + #{b: p.x}; fail(p, `${t} ${m.len()} ${[1] + [p.y]}`); }"#,
    r#"let text = ""; let l = []; for p in facts.people { text += p.id; l += p.x; } fail(`${text.len()} ${l.len()}`);"#,
    // Growing an array and a string in a loop, past the data limits when they are small:
    // the error at the `push` or the `+=` where Rhai raises it.
    r#"let l = []; for p in facts.people { l.push(p.kind); l.push([p.id, p.x]); } fail(`${l.len()}`);"#,
    r#"let t = "-"; for p in facts.people { t += p.id; t += `${p.x};`; } let u = t; u += t; fail(`${t.len()} ${u.len()}`);"#,
    r#"let l = [1, "a", ()]; for p in facts.people { if p.x == l[1] || p.x == l[0] { fail(p, `${facts.people[0].id}`); } } fail(`${l[5]}`);"#,
    r#"let l = [1]; fail(`${l[-1]}`);"#,
    // Sets: add, contains, `in`, len, and going through them in order.
    r#"let s = set(); for p in facts.people { s.add(p.x); s.add(p.kind); } for k in s { if k in s && s.contains(k) { fail(`${k} ${s.len()}`); } }"#,
    r#"let s = set(); for p in facts.people { s.add(p.y); }"#,
    // `while`, `loop`, `/` and `%` (by zero: Rhai's error), `else if` as a value.
    r#"for p in facts.people { let n = 0; while n < 3 { n += 1; if p.x == n { break; } } if n % 2 == 1 { fail(p, `${n / 2}`); } }"#,
    r#"let n = 0; loop { n += 1; if n > 4 { break; } } for p in facts.people { let d = if p.x == 1 { 0 } else if p.x == 2 { 1 } else { 2 }; fail(p, `${10 / d}`); }"#,
    // A rule's functions: parameters and their shadows changed in place by Rhai's methods,
    // recursion, `return`, values of `if` chains.
    r#"fn side(t) { let t = t + " "; t.trim(); t.make_upper(); t } fn f(n) { if n <= 0 { return 0; } n + f(n - 1) } for p in facts.people { if type_of(p.x) == "string" { fail(p, `${side(p.x)} ${f(3)}`); } }"#,
    r#"fn g(l) { l.push(1); l.len() } let a = []; for p in facts.people { fail(p, `${g(a)} ${a.len()}`); }"#,
    // Arrays Rhai gave (query results) compared, indexed, searched, changed.
    r#"let w = facts.people.where("kind", "employee"); let s = set(); if w != () && w != 1 && !(w == "a") && s != () && s != w { fail(`${w.len()} ${w[0].id} ${w.contains(w[1])}`); }"#,
    r#"let w = facts.people.where("kind", "employee"); w.push(1); for p in w { if p == w { fail("same"); } } fail(`${w.len()} ${w[1000]}`);"#,
    // A variable changed by a function given it first (`trim(s)`), or by a method called
    // on one of its fields (`m.a.remove(0)`), as Rhai changes it.
    r#"let s = " a "; trim(s); let a = [1]; push(a, 2); for p in facts.people { fail(p, `${s} ${a.len()}`); }"#,
    r#"let m = #{a: [1, 2], b: " x "}; m.a.remove(0); m.b.trim(); for p in facts.people { fail(p, `${m.a.len()} ${m.b}`); }"#,
    // The functions a native run does itself, called either way (`add(s, k)` adds to `s`).
    r#"let s = set(); let l = []; for p in facts.people { add(s, p.kind); push(l, p.id); } for p in facts.people { fail(p, `${len(s)} ${contains(s, p.kind)} ${len(l)} ${p.employment.start_date.days_since()} ${p.employment.start_date.add_days(1)} ${facts.people.where("kind", "employee").len()}`); }"#,
    r#"for p in facts.people { p.id.make_upper(); p.employment.start_date.trim(); fail(p, `${p.id} ${p.employment.start_date}`); }"#,
    // Closures: a run that reaches one (with captured variables or not, in the rule or in
    // one of its functions) leaves the rule to Rhai; one not reached changes nothing.
    r#"let n = 0; for p in facts.people { n += 1; if p.kind == "contractor" { fail(p, `${[p.x, p.y].filter(|v| v != ())}`); } }"#,
    r#"let k = "employee"; let c = 0; for p in facts.people { c += 1; if c > 3 { fail(p, `${facts.people.filter(|q| q.kind == k && q.id != p.id).len()} ${c}`); } }"#,
    r#"fn f(l, y) { l.filter(|x| x == y).len() } fn days(n) { `${n} days` } for p in facts.people { fail(p, days(f([p.x, p.y], p.x))); }"#,
    r#"let on = false; for p in facts.people { if on { fail(p, `${[1].map(|x| x + 1)}`); } fail(p, p.id); }"#,
    r#"fn g(l) { l.all(|x| x != ()) } let on = false; for p in facts.people { if on && g([p.x]) { fail(p, "all"); } fail(p, `${p.x}`); }"#,
    // Queries and `tested`, natively on facts lists and arrays of records; on anything else
    // (a record, an array of other values, days that are not a number) Rhai's error.
    r#"let w = facts.people.where("kind", "employee"); let n = w.where_not("x", ()).where("y", [1, "a", ()]); tested(n); fail(`${w.len()} ${n.len()} ${facts.people.where("employment.status", "active").len()}`);"#,
    r#"let old = tested(facts.people.older_than("employment.start_date", 30)); let recent = facts.people.within_days("employment.start_date", 400); for p in old { fail(p, `${recent.len()}`); }"#,
    r#"fail(`${facts.people.older_than("x", 3).len()}`);"#,
    r#"let done = tested(facts.people.on_or_before_as_of("employment.start_date")); let later = facts.people.where_not("kind", ()).after_as_of("employment.start_date"); for p in done + later { fail(p, `${done.len()} ${later.len()}`); }"#,
    r#"fail(`${facts.people.after_as_of("x").len()}`);"#,
    r#"fail(`${facts.people.where("kind", "employee").older_than("employment.start_date", "3").len()}`);"#,
    r#"for p in facts.people { tested(p); if where(facts.people, "id", p.id).len() != 1 { fail(p, "twice"); } }"#,
    r#"let w = [1, 2].where("x", 1);"#,
    r#"for p in facts.people { let w = p.where("x", 1); fail(p, `${w}`); }"#,
    r#"tested([1]);"#,
    r#"let w = facts.people.where(#{ kind: "employee", x: ["a", 1] }); let h = facts.people.in_period("employment.start_date"); fail(`${w.len()} ${w.where(#{ y: () }).len()} ${h.len()} ${h.in_period("x").len()}`);"#,
    r#"fail(`${facts.people.in_period("x").len()}`);"#,
    r#"let s = facts.people.where("kind", "contractor"); for p in facts.people { if p.kind == "employee" { s.push(p); } } tested(s); fail(`${s.where_not("kind", "contractor").len()}`);"#,
    // Date helpers (an error on anything but a date, or a date off the calendar), the
    // period's bounds, a string's length in characters, a group's records.
    r#"for p in facts.people { let d = p.employment.start_date; fail(p, `${days_until(d)} ${days_between(d, "2026-01-01")} ${add_days(d, 30)} ${add_days(d, -400)}`); }"#,
    r#"for p in facts.people { fail(p, `${days_between(p.x, p.y)}`); }"#,
    r#"for p in facts.people { fail(p, `${add_days("2026-01-01", p.x)}`); }"#,
    r#"fail(add_days("9999-12-31", 1));"#,
    r#"let s = if has_period() { period_start() } else { "none" }; fail(`${s} ${period_end()} ${has_period()}`);"#,
    r#"for p in facts.people { fail(p, `${p.id.len()} ${"héllo".len()} ${p.name.len()}`); }"#,
    r#"let g = group_by(facts.people, "kind"); for p in facts.people { let same = g.get(p.kind); fail(p, `${same.len()} ${g.get(p.x).len()} ${g.get(()).len()}`); }"#,
    // Closures run natively by the methods that call them back: on arrays (an answer other
    // than a boolean is `false`) and on facts lists (where it is an error), capturing
    // variables or not, given the item and its index, changing a captured variable (which
    // Rhai shares), called on the variable they capture.
    r#"let k = "employee"; for p in facts.people { let l = [p.x, p.y, p.kind]; fail(p, `${l.map(|v| type_of(v))} ${l.filter(|v| v == k)} ${l.all(|v| v != ())} ${l.some(|v| v == p.id)}`); }"#,
    r#"for p in facts.people { let l = [p.x, p.y]; if l.filter(|v| v).len() > 0 || l.some(|v| v) || l.all(|v| p.kind) { fail(p, "truthy"); } }"#,
    r#"let w = facts.people.where("kind", "employee"); let n = 2; fail(`${w.map(|p| p.id).len()} ${w.filter(|p| p.x == n).len()} ${w.all(|p| p.id != ())}`);"#,
    r#"let n = 1; fail(`${facts.people.count(|p| p.x == n)} ${facts.people.any(|p| p.x == "a")} ${facts.people.all(|p| p.id != ())} ${facts.people.map(|p| p.kind).len()}`);"#,
    r#"fail(`${facts.people.filter(|p| p.x).len()}`);"#,
    r#"fail(`${facts.people.count(|p| p.x)}`);"#,
    r#"let l = [1, 2, 3]; fail(`${l.map(|x, i| x + i)} ${l.filter(|x| x > 1).map(|x| x * 2)} ${l.map(|x| l.filter(|y| y > x).len())}`);"#,
    r#"let n = 0; let l = [1, 2]; let m = l.map(|x| { n += x; x }); fail(`${n} ${m}`);"#,
    r#"let s = " a "; let l = [1]; l.map(|x| { s.trim(); x }); fail(`[${s}]`);"#,
    r#"let l = [1, 2]; fail(`${l.map(|x| l.len() + x)}`);"#,
    r#"let l = [[1], [2, 3]]; fail(`${l.map(|x| x.len())} ${l.filter(|x| x.contains(3))}`);"#,
    r#"fn f(n) { [1, 2, 3].filter(|x| x <= n).len() } let t = 0; for p in facts.people { t += f(2); } fail(`${t}`);"#,
    // Items of variables read in place: of a map, a record, (), an array (in a function
    // too) and a facts list, by keys and places of every kind.
    r#"fn side(s, x) { (s[0] == () || s[0] == x) && s[1] != x } let none = (); let pairs = []; pairs.push([none, "a"]); pairs.push(["b", "a"]); let m = #{a: 1, b: [2]}; let u = (); let ps = facts.people; for p in facts.people { let k = if type_of(p.x) == "string" { p.x } else { "none" }; if m[k] == 1 || p["id"] == k || u["k"] == k || ps[0] == p || side(pairs[0], k) || side(pairs[1], k) || m[k] != () { fail(p, `${m[k]} ${p["kind"]} ${ps[1] == p} ${pairs[1]}`); } }"#,
    // Maps built natively, keys given out of order, then written out, listed and handed to
    // Rhai (which sorts them); negative integers written into strings.
    r#"let m = #{ zz: 1 }; for p in facts.people { m[p.id] = p.kind; } m["aa"] = -12; let n = #{ c: 1, a: -2, b: [3] }; fail(`${m} ${m.keys()} ${m.values().len()} ${n} ${-3} ${n.a - 40} ${m["aa"]}`, n); for k in m.keys() { fail(k); }"#,
    // The prelude's days in words, on values of every kind (an error on any but an integer).
    r#"for p in facts.people { fail(p, `${days(p.x)} ${in_days(p.x)} ${days(-1)} ${in_days(-2)}`); }"#,
    // A finding's data of every kind of value, keys given out of order, nested (as JSON
    // straight from a native run's values, within the same limits).
    r#"let l = index_by(facts.people, "id"); for p in facts.people { fail(p, "d", #{ z: p.x, a: [p, facts.people, 1.5, true, (), p.y], m: #{ y: p.y, b: [p.id, #{ q: 1 }] }, l: l, n: -3 }); }"#,
    // Arrays joined with `+` (the records two queries kept, values of every kind, nested).
    r#"let all = facts.people.where("kind", "employee") + facts.people.where_not("kind", "employee"); tested(all); for p in all { fail(p, `${p.x}`); } let j = [1, "two", (), [3]] + [#{ k: 4 }, 5.5] + []; fail(`${j} ${j.len()}`);"#,
    // Lookups of a facts list and of the records a query kept; fields compared in records.
    r#"let g = group_by(facts.people.where_not("kind", "x"), "kind"); let i = index_by(facts.people.where_same("id", "id"), "x"); let l = group_by(facts.people, "x"); fail(`${g.len()} ${i.len()} ${l.len()}`); for p in facts.people.where_same("x", "y") { let same = g.get(p.kind); if same != () { fail(p, `${same.len()} ${i.contains(p.x)}`); } }"#,
    r#"let g = group_by([1, 2], "k"); fail(`${g.len()}`);"#,
];

/// The same rule results, natively and in Rhai, for every rule of `pack` on `facts`;
/// how many of the rules ran natively.
fn same_both_ways(pack: impl Fn() -> Pack, limits: Limits, facts: &Facts) -> usize {
    same_both_ways_with(pack, limits, facts, &EvalOptions::default())
}

/// [`same_both_ways`] with `options`.
fn same_both_ways_with(
    pack: impl Fn() -> Pack,
    limits: Limits,
    facts: &Facts,
    options: &EvalOptions,
) -> usize {
    let native = Engine::new(pack(), limits.clone()).unwrap();
    let rhai = Engine::new(pack(), limits).unwrap().interpreted();
    assert_eq!(rhai.native_rules(), 0);
    let a = native.evaluate(facts, options).unwrap();
    let b = rhai.evaluate(facts, options).unwrap();
    for (x, y) in a.rules.iter().zip(&b.rules) {
        assert_eq!(x, y, "{}", x.id);
    }
    assert_eq!(a.to_json(), b.to_json());
    native.native_rules()
}

#[test]
fn native_runs_change_no_rule_outcome_on_values_of_every_kind() {
    let files = attest_tests::odd_pack(RULES);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = odd_people(&pack());
    let native = same_both_ways(pack, Limits::default(), &facts);
    let period = attest_engine::Period::parse("2025-07-01..2026-06-30").unwrap();
    let options = EvalOptions::default().with_period(Some(period));
    same_both_ways_with(pack, Limits::default(), &facts, &options);
    // Every rule but the two that read a field of a list's item (`l[0].id`, which stays
    // with Rhai) runs natively (`const` receivers, `??`, `if` values, closures included).
    assert!(native >= RULES.len() - 2, "{native} of {}", RULES.len());
    let engine = Engine::new(pack(), Limits::default()).unwrap();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    let errors = report
        .rules
        .iter()
        .filter(|r| r.status == Status::Error)
        .count();
    let failing = report
        .rules
        .iter()
        .filter(|r| !r.findings.is_empty())
        .count();
    // The facts reach the rules' findings and their errors (days_since on a non-date, a
    // string's property, integer overflow, a non-boolean condition) alike.
    assert!(
        errors >= 4 && failing >= 20,
        "{errors} errors, {failing} failing"
    );
}

#[test]
fn budgets_and_data_limits_stop_a_rule_as_rhai_would() {
    let files = attest_tests::odd_pack(RULES);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = odd_people(&pack());
    for limits in [
        Limits {
            max_operations: 300,
            ..Limits::default()
        },
        Limits {
            max_array_size: 20,
            max_map_size: 5,
            max_string_size: 40,
            ..Limits::default()
        },
        Limits {
            max_findings: 3,
            ..Limits::default()
        },
        // Some findings' data fits, some does not.
        Limits {
            max_data_size: 200,
            ..Limits::default()
        },
    ] {
        same_both_ways(pack, limits, &facts);
    }
}

#[test]
fn the_built_in_and_anchor_packs_report_the_same_natively() {
    let facts = attest_tests::example_facts();
    let soc2 = || Pack::from_files(&attest_tests::soc2_files()).unwrap();
    let native = same_both_ways(soc2, Limits::default(), &facts);
    // Every rule of the built-in pack runs natively (as the docs say): a rule edited into a
    // form the native runs do not take would run in Rhai, slower, with nothing else failing.
    let engine = Engine::new(soc2(), Limits::default()).unwrap();
    let in_rhai: Vec<String> = soc2()
        .rules()
        .iter()
        .map(|r| r.meta.id.clone())
        .filter(|id| !engine.runs_natively(id))
        .collect();
    assert_eq!(
        native,
        soc2().rules().len(),
        "built-in rules that run natively; in Rhai: {in_rhai:?}"
    );
    // Over an audit period (Type 2), where most of the rules' closures are made.
    let period = attest_engine::Period::parse("2025-07-01..2026-06-30").unwrap();
    let options = EvalOptions::default().with_period(Some(period));
    same_both_ways_with(soc2, Limits::default(), &facts, &options);
    let dir = attest_tests::repo_root().join("bench/anchor10/pack");
    let mut files = Vec::new();
    for rel in ["pack.toml", "controls.toml"] {
        files.push(PackFile::new(
            rel,
            std::fs::read_to_string(dir.join(rel)).unwrap(),
        ));
    }
    for i in 1..=10 {
        let rel = format!("rules/bench/r{i}.rhai");
        files.push(PackFile::new(
            rel.clone(),
            std::fs::read_to_string(dir.join(&rel)).unwrap(),
        ));
    }
    let anchor = || Pack::from_files(&files).unwrap();
    assert_eq!(same_both_ways(anchor, Limits::default(), &facts), 10);
}

#[test]
fn a_native_run_stops_at_the_time_budget_on_the_hosts_clock() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;
    let files = attest_tests::minimal_pack(&[(
        "t.slow",
        "for p in facts.people { for q in facts.people { for r in facts.people { } } }",
    )]);
    let pack = Pack::from_files(&files).unwrap();
    let engine = Engine::new(
        pack,
        Limits {
            max_operations: 0,
            time_budget: Some(Duration::from_secs(5)),
            ..Limits::default()
        },
    )
    .unwrap();
    assert_eq!(engine.native_rules(), 1);
    // A fake clock that advances one second per reading.
    let ticks = Arc::new(AtomicU64::new(0));
    let clock = move || Duration::from_secs(ticks.fetch_add(1, Ordering::SeqCst));
    let options = EvalOptions::default().with_clock(Arc::new(clock));
    let r = engine
        .evaluate_rule("t.slow", &attest_tests::example_facts(), &options)
        .unwrap()
        .unwrap();
    assert_eq!(r.status, Status::Error);
    let error = r.error.unwrap();
    assert_eq!(error.message, "the rule exceeded its time budget");
    assert_eq!(error.line, None);
}

/// `facts` and `params` read whole (not as the start of a `.` or `[]` chain) are the facts
/// and the parameters, natively and in Rhai (an optimizer, which Rhai is built without, would
/// put the compile scope's placeholder for them, `()`, in their place).
#[test]
fn facts_and_params_read_whole_are_the_facts_and_the_parameters() {
    let files = attest_tests::minimal_pack(&[(
        "t.whole",
        r#"let f = facts; let p = params; fail(`${type_of(f)} ${type_of(params)} ${type_of(p)} ${f.people.len() > 0}`);"#,
    )]);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = attest_tests::example_facts();
    let engine = Engine::new(pack(), Limits::default()).unwrap();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    let message = &report.rules[0].findings[0].message;
    assert_eq!(message, "Record map map true");
    same_both_ways(pack, Limits::default(), &facts);
}

/// The prelude's `days` and `in_days` say numbers of days as the built-in pack's messages do,
/// and a rule's own function of the same name and arity comes first, natively and in Rhai.
#[test]
fn a_rules_own_function_comes_before_the_preludes() {
    let files = attest_tests::minimal_pack(&[
        (
            "t.prelude",
            r#"fail(`${days(1)}, ${days(2)}, ${in_days(0)}, ${in_days(1)}, ${in_days(5)}, ${in_days(-1)}`);"#,
        ),
        (
            "t.own",
            r#"fn days(n) { `${n} own` } fail(`${days(1)}, ${in_days(1)}`);"#,
        ),
    ]);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = attest_tests::example_facts();
    let engine = Engine::new(pack(), Limits::default()).unwrap();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    let message = |id: &str| report.rule(id).unwrap().findings[0].message.clone();
    assert_eq!(
        message("t.prelude"),
        "1 day, 2 days, today, tomorrow, in 5 days, yesterday"
    );
    assert_eq!(message("t.own"), "1 own, tomorrow");
    assert_eq!(same_both_ways(pack, Limits::default(), &facts), 2);
}

/// A rule that marks no records has for population those it went through, by a loop, a
/// query or a closure (`filter`, `all`, `any`, `count`, `map`, `to_array`): a rule that goes
/// through the accounts with `filter` and finds nothing to fail passes (it was
/// `not_applicable`, and its criterion fell to evidence), natively and in Rhai.
#[test]
fn records_a_closure_goes_through_are_the_population_of_a_rule_that_marks_none() {
    let bodies = [
        (
            "t.filter",
            r#"for p in facts.people.filter(|p| p.id == "nobody") { fail(p, "x"); }"#,
        ),
        (
            "t.all",
            r#"if !facts.people.all(|p| p.id != "nobody") { fail("x"); }"#,
        ),
        (
            "t.any",
            r#"if facts.people.any(|p| p.id == "nobody") { fail("x"); }"#,
        ),
        (
            "t.count",
            r#"if facts.people.count(|p| p.id == "nobody") > 0 { fail("x"); }"#,
        ),
        (
            "t.array",
            r#"for p in facts.people.to_array() { if p.id == "nobody" { fail(p, "x"); } }"#,
        ),
    ];
    let files = attest_tests::minimal_pack(&bodies);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = attest_tests::example_facts();
    let options = EvalOptions::default().with_populations(true);
    let report = Engine::new(pack(), Limits::default())
        .unwrap()
        .evaluate(&facts, &options)
        .unwrap();
    let everyone = report.rules[0].population.tested;
    assert!(everyone > 10, "{everyone}");
    for r in &report.rules {
        assert_eq!(r.status, Status::Pass, "{}", r.id);
        assert_eq!(r.population.tested, everyone, "{}", r.id);
    }
    same_both_ways_with(pack, Limits::default(), &facts, &options);
}

/// `exception(record)` puts a record in the population as an exception without a finding of
/// its own (a leaver whose account failed), natively and in Rhai.
#[test]
fn exception_marks_a_record_of_the_population() {
    use attest_engine::report::RecordOutcome;
    let files = attest_tests::minimal_pack(&[(
        "t.marks",
        r#"for p in facts.people {
               if p.id == "E1001" {
                   for a in facts.accounts.where("person_id", p.id) { fail(a, "late"); exception(p); }
               }
               if p.id == "E1002" { tested(p); }
           }"#,
    )]);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = attest_tests::example_facts();
    let options = EvalOptions::default().with_populations(true);
    let engine = Engine::new(pack(), Limits::default()).unwrap();
    assert_eq!(engine.native_rules(), 1);
    let report = engine.evaluate(&facts, &options).unwrap();
    let outcomes: Vec<(String, RecordOutcome)> = report.rules[0]
        .population
        .records
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| (r.key.clone(), r.outcome))
        .collect();
    // The accounts the findings name are not in a population the rule marks; the first
    // person is, as an exception; the second passes.
    assert_eq!(
        outcomes,
        [
            ("people/E1001".to_owned(), RecordOutcome::Exception),
            ("people/E1002".to_owned(), RecordOutcome::Pass),
        ]
    );
    same_both_ways_with(pack, Limits::default(), &facts, &options);
}

/// A JSON Pointer a rule writes by hand must name something in the facts: one that names
/// nothing is the rule's error at the call, natively and in Rhai; one inside a record is a
/// finding.
#[test]
fn a_finding_at_a_pointer_to_nothing_is_the_rules_error() {
    let files = attest_tests::minimal_pack(&[
        (
            "t.nowhere",
            r#"fail("/people/0/name", "fine"); warn("/people/9999", "x");"#,
        ),
        (
            "t.somewhere",
            r#"fail("/people/0/name", "fine"); fail("", "the whole");"#,
        ),
        // Not even inside `try ... catch`: the finding would be lost without a trace.
        (
            "t.caught",
            r#"try { fail("/people/9999", "x"); } catch (e) { fail("caught"); }"#,
        ),
    ]);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = attest_tests::example_facts();
    let report = Engine::new(pack(), Limits::default())
        .unwrap()
        .evaluate(&facts, &EvalOptions::default())
        .unwrap();
    let nowhere = report.rule("t.nowhere").unwrap();
    assert_eq!(nowhere.status, Status::Error);
    assert_eq!(
        nowhere.error.as_ref().unwrap().message,
        "warn: the JSON Pointer \"/people/9999\" names nothing in the facts (a finding names a \
         record, such as \"/accounts/3\", or no record at all)"
    );
    // At the call that wrote it (the rule's body starts on line 8).
    let error = nowhere.error.as_ref().unwrap();
    assert_eq!((error.line, error.column), (Some(8), Some(33)));
    assert!(nowhere.findings.is_empty());
    let caught = report.rule("t.caught").unwrap();
    assert_eq!(caught.status, Status::Error);
    assert!(caught.findings.is_empty());
    let somewhere = report.rule("t.somewhere").unwrap();
    assert_eq!(somewhere.status, Status::Fail);
    assert_eq!(somewhere.findings.len(), 2);
    same_both_ways(pack, Limits::default(), &facts);
}

#[test]
fn arrays_joined_past_the_size_limit_are_the_rules_error_natively_as_in_rhai() {
    let files = attest_tests::minimal_pack(&[(
        "t.join",
        r#"let a = [1, [2]]; let b = [3]; let c = a + b; fail(`${c.len()}`);"#,
    )]);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = attest_tests::example_facts();
    // Four items (one nested) against a limit of three.
    let limits = Limits {
        max_array_size: 3,
        ..Limits::default()
    };
    same_both_ways(pack, limits.clone(), &facts);
    let report = Engine::new(pack(), limits)
        .unwrap()
        .evaluate(&facts, &EvalOptions::default())
        .unwrap();
    let rule = report.rule("t.join").unwrap();
    assert_eq!(rule.status, Status::Error);
    assert!(
        rule.error
            .as_ref()
            .unwrap()
            .message
            .contains("Size of array"),
        "{:?}",
        rule.error
    );
}

#[test]
fn a_rule_past_the_variable_limit_is_in_error_natively_as_in_rhai() {
    // `lets(n)`: `n` variables declared one after another (beside `facts` and `params`).
    let lets = |n: usize| {
        (1..=n)
            .map(|i| format!("let v{i} = {i};\n"))
            .collect::<String>()
    };
    let at_limit = format!("{}fail(\"ran\");", lets(998));
    let past = format!("{}fail(\"ran\");", lets(999));
    let in_function = format!("fn f() {{\n{}0 }}\nfail(`${{f()}}`);", lets(1_001));
    let unreached = format!(
        "if facts.people.len() < 0 {{\n{}}}\nfail(\"ran\");",
        lets(1_100)
    );
    let bodies = [&at_limit, &past, &in_function, &unreached].map(String::as_str);
    let files = attest_tests::odd_pack(&bodies);
    let pack = || Pack::from_files(&files).unwrap();
    let facts = odd_people(&pack());
    // Only the rule that stays within the limit everywhere runs natively.
    assert_eq!(same_both_ways(pack, Limits::default(), &facts), 1);
    let engine = Engine::new(pack(), Limits::default()).unwrap();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    let status: Vec<_> = report.rules.iter().map(|r| r.status).collect();
    assert_eq!(
        status,
        [Status::Fail, Status::Error, Status::Error, Status::Fail]
    );
    let error = report.rules[1].error.as_ref().unwrap();
    assert!(error.message.contains("Too many variables"), "{error:?}");
    // At the 999th `let`, after the rule's seven header lines.
    assert_eq!(error.line, Some(7 + 999));
}
