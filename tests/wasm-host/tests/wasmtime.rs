//! The WebAssembly module under wasmtime, against the native engine: byte-identical reports
//! on the example organization (with an audit period, populations and a sample too) and on
//! every rule case, the same verdicts on bad facts,
//! every failure a JSON error (never a trap), a rule that re-enters a value in use
//! reporting Rhai's error as natively, the operation budget stopping a runaway closure,
//! an array or a string grown to its size limit within a bounded fuel,
//! fuel as the host's own bound, no imports, the size budget, the ABI's checks of the
//! addresses a host hands it, and limits set by a request.
//!
//! The module is built by `wasm/build.sh` on first use (or taken from `ATTEST_WASM`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::cases::Case;
use attest_engine::{Engine, EvalOptions, Facts, FactsError, FactsSource, Pack, PackFile};
use attest_wasm_host::{Call, Host, Instance, module_path, sources_json};
use serde_json::{Value, json};
use std::sync::OnceLock;

fn wasm() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let path = module_path();
        std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: wasm/build.sh did not build it (see above)",
                path.display()
            )
        })
    })
}

fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| Host::new(wasm(), None).unwrap())
}

fn instance() -> Instance {
    host().instantiate().unwrap()
}

fn call(instance: &mut Instance, call: Call, request: &Value) -> Value {
    let text = instance.call(call, request.to_string().as_bytes()).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn native_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(attest_tests::soc2_engine)
}

fn load_native(sources: &[(String, String)]) -> Result<Facts, FactsError> {
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    Facts::load(&refs)
}

#[test]
fn the_module_imports_nothing_and_exports_the_abi() {
    assert_eq!(host().imports(), Vec::<String>::new());
    let exports = host().exports();
    for name in [
        "memory",
        "attest_abi_version",
        "attest_alloc",
        "attest_free",
        "attest_evaluate",
        "attest_validate",
        "attest_explain",
        "attest_out_of_memory",
    ] {
        assert!(exports.iter().any(|e| e == name), "no export {name}");
    }
}

/// The module's budget: 1 MiB (1,048,576 bytes) gzipped. With every report format, the public
/// view, diff, check, the rule-case runner, audit periods and samples, the vendor register,
/// native runs, the input warnings and the SOC 2 pack's 61 rules inside (not their cases), it is about 1,012 KiB.
#[test]
fn the_module_is_at_most_one_mebibyte_gzipped() {
    let out = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(module_path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let gz = out.stdout.len();
    assert!(gz <= 1 << 20, "{gz} bytes gzipped ({} raw)", wasm().len());
}

#[test]
fn the_example_report_is_byte_identical_to_the_native_one() {
    let sources = attest_tests::example_sources();
    assert!(
        sources[0].0.starts_with("examples/acme/"),
        "{}",
        sources[0].0
    );
    let facts = load_native(&sources).unwrap();
    let warnings = serde_json::to_string(facts.warnings()).unwrap();
    let native = native_engine()
        .evaluate(&facts, &EvalOptions::default())
        .unwrap()
        .to_json();
    let request = format!(r#"{{"facts":{}}}"#, sources_json(&sources));
    let mut instance = instance();
    let response = instance.call(Call::Evaluate, request.as_bytes()).unwrap();
    assert_eq!(
        response,
        format!(r#"{{"ok":true,"report":{native},"warnings":{warnings}}}"#)
    );
    // Twice in the same instance (the built-in pack is cached): the same bytes again.
    let again = instance.call(Call::Evaluate, request.as_bytes()).unwrap();
    assert_eq!(again, response);
    // With the facts' texts attached after the request's JSON: the same bytes.
    let attached = attest_wasm_host::attached_facts_request(&sources);
    assert!(attached.contains(&0) && attached.len() > request.len() / 2);
    assert_eq!(instance.call(Call::Evaluate, &attached).unwrap(), response);
    // With --explain's traces too.
    let native = native_engine()
        .evaluate(&facts, &EvalOptions::default().with_explain(true))
        .unwrap()
        .to_json();
    let request = format!(r#"{{"facts":{},"explain":true}}"#, sources_json(&sources));
    let response = instance.call(Call::Evaluate, request.as_bytes()).unwrap();
    assert_eq!(
        response,
        format!(r#"{{"ok":true,"report":{native},"warnings":{warnings}}}"#)
    );
}

#[test]
fn a_report_with_input_warnings_is_byte_identical_to_the_native_one_in_every_format() {
    // A field facts-v1 does not define, a change to a system the inventory lacks, and a
    // waiver naming no record: the report records all three; the module's `warnings` list
    // them as before, without `input`.
    let mut sources = attest_tests::example_sources();
    assert!(sources[0].1.starts_with("{\n  \"accounts\": [\n    {"));
    sources[0].1 = sources[0]
        .1
        .replacen("[\n    {", "[\n    {\"mfa_enabled\": true,", 1);
    let (_, operations) = (sources.iter_mut())
        .find(|(name, _)| name.ends_with("operations.json"))
        .unwrap();
    *operations = operations.replacen(
        "\"system_id\": \"aws-prod\"",
        "\"system_id\": \"aws-gone\"",
        1,
    );
    let waivers = r#"{"schema_version": "1", "waivers": [{"rule": "access.mfa-privileged", "entity": "*", "reason": "r", "approved_by": "x", "approved_on": "2026-05-04", "expires_on": "2026-09-30"}]}"#;
    let facts = load_native(&sources).unwrap();
    let parsed = attest_engine::Waivers::parse("w.json", waivers).unwrap();
    let mut report = native_engine()
        .evaluate(&facts, &EvalOptions::default())
        .unwrap();
    parsed.apply(&mut report);
    assert_eq!(report.warnings.len(), 3, "{:?}", report.warnings);
    let listed: Vec<_> = facts.warnings().iter().chain(parsed.warnings()).collect();
    let warnings = serde_json::to_string(&listed).unwrap();
    let waivers = json!({"name": "w.json", "text": waivers});
    let mut instance = instance();
    let request = format!(
        r#"{{"facts":{},"waivers":{waivers}}}"#,
        sources_json(&sources)
    );
    let response = instance.call(Call::Evaluate, request.as_bytes()).unwrap();
    assert_eq!(
        response,
        format!(
            r#"{{"ok":true,"report":{},"warnings":{warnings}}}"#,
            report.to_json()
        )
    );
    let context = attest_render::Context::from_facts(&facts);
    let text = attest_render::TextOptions {
        color: false,
        max_findings: 10,
    };
    for (format, native) in [
        ("text", attest_render::text(&report, &text)),
        ("markdown", attest_render::markdown(&report)),
        ("html", attest_render::html(&report, &context)),
        ("sarif", attest_render::sarif(&report, &context)),
        ("junit", attest_render::junit(&report)),
    ] {
        assert!(native.contains("mfa_enabled"), "{format}");
        assert!(
            native.contains("no record of systems has the id"),
            "{format}"
        );
        let request = format!(
            r#"{{"facts":{},"waivers":{waivers},"format":"{format}"}}"#,
            sources_json(&sources)
        );
        let response: Value =
            serde_json::from_str(&instance.call(Call::Evaluate, request.as_bytes()).unwrap())
                .unwrap();
        let output = response["output"].as_str().unwrap();
        match format {
            // The vendor register's review cadence comes from the module's context: compare
            // what the warnings are in.
            "html" => {
                let warnings = |page: &str| {
                    page[page.find("<section id=\"input-warnings\">").unwrap()..].to_owned()
                };
                assert_eq!(warnings(output), warnings(&native), "{format}");
            }
            "sarif" => {
                let invocations = |log: &str| {
                    serde_json::from_str::<Value>(log).unwrap()["runs"][0]["invocations"].clone()
                };
                assert_eq!(invocations(output), invocations(&native), "{format}");
            }
            _ => assert_eq!(output, native, "{format}"),
        }
    }
}

#[test]
fn a_run_with_a_period_its_populations_and_a_sample_are_byte_identical_to_the_native_ones() {
    let sources = attest_tests::example_sources();
    let facts = load_native(&sources).unwrap();
    let warnings = serde_json::to_string(facts.warnings()).unwrap();
    let period = attest_engine::Period::parse("2026-04-01..2026-06-30").unwrap();
    let options = EvalOptions::default()
        .with_period(Some(period))
        .with_populations(true);
    let native = native_engine().evaluate(&facts, &options).unwrap();
    assert_eq!(native.period, Some(period));
    assert!(native.rules[0].population.records.is_some());
    let mut instance = instance();
    let request = format!(
        r#"{{"facts":{},"period":"2026-04-01..2026-06-30","populations":true}}"#,
        sources_json(&sources)
    );
    let response = instance.call(Call::Evaluate, request.as_bytes()).unwrap();
    assert_eq!(
        response,
        format!(
            r#"{{"ok":true,"report":{},"warnings":{warnings}}}"#,
            native.to_json()
        )
    );
    // A sample: the same records for the same seed, natively and in the module.
    let (sample, _) = native_engine()
        .sample("access.leaver-accounts", &facts, &options, Some(3), 42)
        .unwrap()
        .unwrap();
    assert_eq!(sample.records.len(), 3);
    let request = format!(
        r#"{{"facts":{},"period":"2026-04-01..2026-06-30","sample":{{"rule":"access.leaver-accounts","seed":42,"size":3}}}}"#,
        sources_json(&sources)
    );
    let response = instance.call(Call::Evaluate, request.as_bytes()).unwrap();
    assert_eq!(
        response,
        format!(
            r#"{{"ok":true,"sample":{},"warnings":{warnings}}}"#,
            sample.to_json()
        )
    );
    // Bad periods are option errors, as natively.
    let facts_json: Value = serde_json::from_str(&sources_json(&sources)).unwrap();
    for (period, says) in [
        ("2026-06-30..2026-01-01", "ends before it starts"),
        ("2026-01-01", "is not an audit period"),
        (
            "2026-01-01..2026-12-31",
            "is before the end of the audit period",
        ),
    ] {
        let r = call(
            &mut instance,
            Call::Evaluate,
            &json!({"facts": facts_json, "period": period}),
        );
        assert_eq!(r["error"]["kind"], "options", "{period}: {r}");
        let message = r["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{period}: {message}");
    }
}

#[test]
fn every_rule_case_gives_byte_identical_results() {
    let engine = native_engine();
    let outcomes = attest_engine::cases::run_all(engine, None);
    let mut instance = instance();
    let mut n = 0;
    let mut outcomes = outcomes.into_iter();
    for rule in engine.pack().rules() {
        let path = rule.cases_path();
        let cases: Vec<Case> = serde_json::from_str(rule.cases.as_deref().unwrap()).unwrap();
        for case in cases {
            let outcome = outcomes.next().unwrap();
            assert_eq!(
                (outcome.rule.as_str(), outcome.name.as_str()),
                (rule.meta.id.as_str(), case.name.as_str())
            );
            // The facts exactly as the case runner builds them.
            let mut doc = case.facts.clone();
            doc.entry("schema_version")
                .or_insert_with(|| Value::from("1"));
            doc.entry("organization")
                .or_insert_with(|| json!({ "name": "Case" }));
            let text = Value::Object(doc).to_string();
            let name = format!("{path} ({})", case.name);
            let facts = load_native(&[(name.clone(), text.clone())]).unwrap();
            let request = json!({
                "facts": [{"name": name, "text": text}],
                "rule": rule.meta.id,
                "as_of": case.as_of.as_deref().unwrap_or(attest_engine::cases::DEFAULT_CASE_AS_OF),
                "period": case.period,
                "params": case.params,
                // Cases that check the population run with explanations, for its keys.
                "explain": case.expect.tested.is_some(),
            });
            let response = instance
                .call(Call::Evaluate, request.to_string().as_bytes())
                .unwrap();
            let actual = outcome
                .actual
                .unwrap_or_else(|| panic!("{}: {:?}", case.name, outcome.problems));
            let expected = format!(
                r#"{{"ok":true,"rule":{},"warnings":{}}}"#,
                serde_json::to_string(&actual).unwrap(),
                serde_json::to_string(facts.warnings()).unwrap()
            );
            assert_eq!(response, expected, "{} / {}", rule.meta.id, case.name);
            n += 1;
        }
    }
    assert!(n >= 50, "only {n} cases");
}

/// Bad facts derived from the example: every field of the first records of each
/// collection (and of their nested objects) set to values of the wrong type, empty, out of
/// range or malformed, or removed; plus everything at once, and the top level itself.
fn bad_facts_corpus() -> Vec<Vec<(String, String)>> {
    let sources = attest_tests::example_sources();
    let values = [
        json!(12345),
        json!(-1),
        json!(1.5),
        json!(""),
        json!("2026-02-30"),
        json!("not valid @ all"),
        json!(null),
        json!(true),
        json!([]),
        json!({}),
    ];
    let mut out = Vec::new();
    let mut everything: Vec<(String, Value)> = Vec::new();
    for (name, text) in &sources {
        let doc: Value = serde_json::from_str(text).unwrap();
        let Value::Object(top) = &doc else { continue };
        let mut all = doc.clone();
        for (key, value) in top {
            let records: Vec<(String, &Value)> = match value {
                Value::Array(items) => items
                    .iter()
                    .take(2)
                    .enumerate()
                    .map(|(i, v)| (format!("/{key}/{i}"), v))
                    .collect(),
                other => vec![(format!("/{key}"), other)],
            };
            for (at, record) in records {
                let Value::Object(fields) = record else {
                    continue;
                };
                let mut targets: Vec<String> = Vec::new();
                for (field, v) in fields {
                    targets.push(format!("{at}/{field}"));
                    if let Value::Object(inner) = v {
                        targets.extend(inner.keys().map(|k| format!("{at}/{field}/{k}")));
                    }
                }
                for target in targets {
                    for (i, bad) in values.iter().enumerate() {
                        let mut mutated = doc.clone();
                        *mutated.pointer_mut(&target).unwrap() = bad.clone();
                        if i == (target.len() % values.len())
                            && let Some(slot) = all.pointer_mut(&target)
                        {
                            *slot = bad.clone();
                        }
                        out.push(replace(&sources, name, &mutated));
                    }
                    let (parent, field) = target.rsplit_once('/').unwrap();
                    let mut removed = doc.clone();
                    if let Some(Value::Object(o)) = removed.pointer_mut(parent) {
                        o.remove(field);
                    }
                    out.push(replace(&sources, name, &removed));
                }
            }
        }
        everything.push((name.clone(), all));
    }
    let all: Vec<(String, String)> = everything
        .iter()
        .map(|(n, v)| (n.clone(), serde_json::to_string_pretty(v).unwrap()))
        .collect();
    out.push(all);
    for text in [
        "[]",
        "{}",
        "{\"schema_version\": 1}",
        "{\n  \"a\": [1,\n}",
        "{\"schema_version\": \"1\", \"organization\": {\"name\": \"A\"}, \"people\": [{\"id\": \"p\", \"name\": \"P\", \"kind\": \"employee\", \"employment\": {\"status\": \"active\"}}, {\"id\": \"p\", \"name\": \"Q\", \"kind\": \"employee\", \"employment\": {\"status\": \"active\"}}]}",
    ] {
        out.push(vec![("bad.json".to_owned(), text.to_owned())]);
    }
    // A key set by two files.
    out.push(vec![
        sources[0].clone(),
        ("again.json".to_owned(), sources[0].1.clone()),
    ]);
    out
}

fn replace(sources: &[(String, String)], name: &str, doc: &Value) -> Vec<(String, String)> {
    sources
        .iter()
        .map(|(n, t)| {
            if n == name {
                (n.clone(), serde_json::to_string_pretty(doc).unwrap())
            } else {
                (n.clone(), t.clone())
            }
        })
        .collect()
}

#[test]
fn facts_are_accepted_and_rejected_exactly_as_natively() {
    let corpus = bad_facts_corpus();
    assert!(corpus.len() > 500, "{}", corpus.len());
    let mut instance = instance();
    let (mut rejected, mut accepted) = (0, 0);
    for sources in &corpus {
        let request = format!(r#"{{"facts":{}}}"#, sources_json(sources));
        let response = instance.call(Call::Validate, request.as_bytes()).unwrap();
        let response: Value = serde_json::from_str(&response).unwrap();
        match load_native(sources) {
            Ok(facts) => {
                accepted += 1;
                assert_eq!(response["ok"], true, "{response}");
                assert_eq!(response["facts"]["digest"], facts.digest());
            }
            Err(e) => {
                rejected += 1;
                assert_eq!(response["ok"], false, "accepted in wasm: {e}");
                assert_eq!(response["error"]["message"], e.to_string());
                if let FactsError::Invalid(v) = &e {
                    assert_eq!(
                        response["error"]["violations"],
                        serde_json::to_value(v).unwrap()
                    );
                }
            }
        }
    }
    assert!(
        rejected > 300 && accepted > 10,
        "{rejected} rejected, {accepted} accepted"
    );
}

#[test]
fn every_failure_is_a_json_error_and_the_instance_lives_on() {
    let mut instance = instance();
    let raw = |instance: &mut Instance, c: Call, bytes: &[u8]| -> Value {
        serde_json::from_str(&instance.call(c, bytes).unwrap()).unwrap()
    };
    for (request, kind, contains) in [
        (&b"{\"facts\": \"\xff\xfe\"}"[..], "request", "UTF-8"),
        (b"", "request", "EOF"),
        (b"{\"facts\": [", "request", "line 1 column 12"),
        (b"{\"facts\": 3}", "request", "expected a sequence"),
        (b"{\"facts\": [], \"bogus\": 1}", "request", "bogus"),
    ] {
        for c in [Call::Evaluate, Call::Validate, Call::Explain] {
            let r = raw(&mut instance, c, request);
            assert_eq!(r["ok"], false, "{r}");
            assert_eq!(r["error"]["kind"], kind, "{r}");
            assert!(
                r["error"]["message"].as_str().unwrap().contains(contains) || c == Call::Explain,
                "{r}"
            );
        }
    }
    let facts = json!([{"name": "f.json", "text": "{\"schema_version\": \"1\", \"organization\": {\"name\": \"A\"}}"}]);
    let cases = [
        (
            json!({"facts": [{"name": "x.json", "text": "{\n  \"a\": [1,\n}"}]}),
            "facts_syntax",
        ),
        (
            json!({"facts": [{"name": "x.json", "text": "[]"}]}),
            "facts_not_object",
        ),
        (
            json!({"facts": [{"name": "x.json", "text": "{\"schema_version\": 1}"}]}),
            "facts_invalid",
        ),
        (json!({"facts": facts, "as_of": "2026-02-30"}), "options"),
        (json!({"facts": facts}), "options"),
        (
            json!({"facts": facts, "as_of": "2026-06-30", "params": {"nope": 1}}),
            "options",
        ),
        (
            json!({"facts": facts, "as_of": "2026-06-30", "rule": "no.such-rule"}),
            "not_found",
        ),
        (
            json!({"facts": facts, "pack": [{"path": "pack.toml", "text": "name = 1"}]}),
            "pack",
        ),
        (
            json!({"facts": facts, "overlay": [{"path": "rules/x.rhai", "text": "//! id = \"x\"\nlet = ;"}]}),
            "pack",
        ),
    ];
    for (request, kind) in cases {
        let r = call(&mut instance, Call::Evaluate, &request);
        assert_eq!(r["ok"], false, "{r}");
        assert_eq!(r["error"]["kind"], kind, "{request} -> {r}");
    }
    // The CLI's message for a syntax error, with file, line and column.
    let r = call(
        &mut instance,
        Call::Validate,
        &json!({"facts": [{"name": "x.json", "text": "{\n  \"a\": [1,\n}"}]}),
    );
    assert_eq!(r["error"]["file"], "x.json");
    assert_eq!(r["error"]["line"], 3);
    // Still alive and well.
    let r = call(&mut instance, Call::Explain, &json!({"id": "CC6.1"}));
    assert_eq!(r["kind"], "control", "{r}");
}

#[test]
fn a_test_filter_that_selects_no_case_is_refused_as_natively() {
    let mut instance = instance();
    // The built-in pack, given as its files (the module carries none of its cases).
    let pack: Vec<Value> = attest_tests::soc2_files()
        .into_iter()
        .map(|f| json!({"path": f.path, "text": f.text}))
        .collect();
    let r = call(
        &mut instance,
        Call::Test,
        &json!({"pack": pack, "filter": ["mfa"]}),
    );
    assert_eq!(r["ok"], true, "{r}");
    let all = call(&mut instance, Call::Test, &json!({"pack": pack}));
    let cases = all["passed"].as_u64().unwrap() + all["failed"].as_u64().unwrap();
    assert_eq!(all["failed"], 0, "{all}");
    let r = call(
        &mut instance,
        Call::Test,
        &json!({"pack": pack, "filter": ["mfa", "no-such-case"]}),
    );
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["error"]["kind"], "options", "{r}");
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "filter `no-such-case` selects no case out of {cases} "
        )),
        "{message}"
    );
}

/// A one-rule pack whose rule body is `body`, as a request's `pack`.
fn pack_with_rule(body: &str) -> Value {
    pack_with_rules(&[("t.rule", body)])
}

/// A pack of rules given as `(id, body)`, all checking control CC1.1, as a request's `pack`.
fn pack_with_rules(rules: &[(&str, &str)]) -> Value {
    attest_tests::minimal_pack(rules)
        .into_iter()
        .map(|f| json!({"path": f.path, "text": f.text}))
        .collect()
}

/// The native engine's report for a request's `pack` and one facts file, as the exact JSON
/// text `attest eval --format json` writes.
fn native_report(pack: &Value, facts: &str) -> String {
    let files: Vec<PackFile> = pack
        .as_array()
        .unwrap()
        .iter()
        .map(|f| PackFile::new(f["path"].as_str().unwrap(), f["text"].as_str().unwrap()))
        .collect();
    let engine = Engine::new(Pack::from_files(&files).unwrap(), Default::default()).unwrap();
    let facts = load_native(&[("f.json".to_owned(), facts.to_owned())]).unwrap();
    engine
        .evaluate(&facts, &EvalOptions::default())
        .unwrap()
        .to_json()
}

const PEOPLE: &str = r#"{"schema_version": "1",
  "organization": {"name": "T", "as_of": "2026-06-30"},
  "people": [
    {"id": "p1", "name": "Ada", "kind": "employee", "employment": {"status": "active"}},
    {"id": "p2", "name": "Bo", "kind": "contractor", "employment": {"status": "terminated"}}
  ]}"#;

#[test]
fn a_runaway_loop_inside_a_closure_is_stopped_by_the_operation_budget() {
    let body = "let n = facts.people.filter(|p| { let i = 0; loop { i += 1; } }).len();";
    let request = json!({
        "facts": [{"name": "f.json", "text": PEOPLE}],
        "pack": pack_with_rule(body),
    });
    let mut instance = instance();
    let started = std::time::Instant::now();
    let r = call(&mut instance, Call::Evaluate, &request);
    assert_eq!(r["ok"], true, "{r}");
    let rule = &r["report"]["rules"][0];
    assert_eq!(rule["status"], "error", "{rule}");
    let message = rule["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("budget of 50000000 operations"),
        "{message}"
    );
    assert!(started.elapsed().as_secs() < 120, "{:?}", started.elapsed());
    // The same report as natively.
    let native: Value =
        serde_json::from_str(&native_report(&pack_with_rule(body), PEOPLE)).unwrap();
    assert_eq!(r["report"], native);
}

/// The most fuel a rule growing an array or a string to its default size limit may take:
/// the work goes with the value's size (about 0.5 and 3.3 billion units when measured),
/// where measuring the whole value after every change took time in the square of it
/// (hundreds of billions of units for the array).
const GROWTH_FUEL: u64 = 10_000_000_000;

#[test]
fn growing_an_array_or_a_string_to_its_size_limit_takes_work_in_proportion_to_its_size() {
    let host = Host::new(wasm(), Some(GROWTH_FUEL)).unwrap();
    for (body, message) in [
        (
            "let s = []; loop { s.push(1); }",
            "Size of array/BLOB too large",
        ),
        (
            "let s = \"\"; loop { s += \"x\"; }",
            "Length of string too large",
        ),
    ] {
        let pack = pack_with_rule(body);
        let request = json!({"facts": [{"name": "f.json", "text": PEOPLE}], "pack": pack});
        let mut instance = host.instantiate().unwrap();
        let response = instance
            .call(Call::Evaluate, request.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{body}: {e:?}"));
        eprintln!("{body}: {:?} units of fuel", instance.fuel_used());
        let r: Value = serde_json::from_str(&response).unwrap();
        let rule = &r["report"]["rules"][0];
        assert_eq!(rule["status"], "error", "{rule}");
        assert_eq!(rule["error"]["message"], message, "{rule}");
        assert_eq!(rule["error"]["line"], 8, "{rule}");
        // Byte for byte the native report.
        assert_eq!(
            response,
            format!(
                r#"{{"ok":true,"report":{},"warnings":[]}}"#,
                native_report(&pack, PEOPLE)
            )
        );
    }
}

#[test]
fn a_rule_that_reenters_a_value_in_use_is_an_error_and_the_other_rules_still_run() {
    // The closure passes `x` back to `g`, whose `x.map` needs `x` while the outer `x.map`
    // still holds it.
    let pack = pack_with_rules(&[
        ("t.reenter", "fn g(x) { x.map(|y| g(x)) } g([1,2]);"),
        (
            "t.contractors",
            "for p in facts.people.where(#{ kind: \"contractor\" }) { fail(p, `${p.name} is a contractor`); }",
        ),
    ]);
    let request = json!({"facts": [{"name": "f.json", "text": PEOPLE}], "pack": pack});
    let mut instance = instance();
    let response = instance
        .call(Call::Evaluate, request.to_string().as_bytes())
        .expect("a JSON response, not a trap");
    let r: Value = serde_json::from_str(&response).unwrap();
    assert_eq!(r["ok"], true, "{r}");
    let rules = r["report"]["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
    let bad = rule("t.reenter");
    assert_eq!(bad["status"], "error", "{bad}");
    assert_eq!(
        bad["error"]["message"], "Data race detected on argument #1 of function 'map'",
        "{bad}"
    );
    assert_eq!(bad["error"]["file"], "rules/t.reenter.rhai", "{bad}");
    let ordinary = rule("t.contractors");
    assert_eq!(ordinary["status"], "fail", "{ordinary}");
    assert_eq!(
        ordinary["findings"][0]["message"], "Bo is a contractor",
        "{ordinary}"
    );
    // Byte for byte the native report.
    assert_eq!(
        response,
        format!(
            r#"{{"ok":true,"report":{},"warnings":[]}}"#,
            native_report(&pack, PEOPLE)
        )
    );
    // The instance lives on.
    let r = call(&mut instance, Call::Explain, &json!({"id": "CC6.1"}));
    assert_eq!(r["kind"], "control", "{r}");
}

#[test]
fn fuel_is_the_host_bound_on_top_and_a_trapped_instance_is_replaced() {
    let host = Host::new(wasm(), Some(2_000_000)).unwrap();
    let mut instance = host.instantiate().unwrap();
    let request = json!({"facts": [{"name": "f.json", "text": PEOPLE}]});
    let err = instance
        .call(Call::Evaluate, request.to_string().as_bytes())
        .unwrap_err();
    assert_eq!(
        err.downcast_ref::<wasmtime::Trap>(),
        Some(&wasmtime::Trap::OutOfFuel),
        "{err:?}"
    );
    // Out of fuel is not out of memory.
    assert!(!instance.out_of_memory().unwrap());
    // A fresh instance with enough fuel answers.
    let host = Host::new(wasm(), Some(20_000_000_000)).unwrap();
    let mut instance = host.instantiate().unwrap();
    let r = call(&mut instance, Call::Evaluate, &request);
    assert_eq!(r["ok"], true, "{r}");
    assert!(!instance.out_of_memory().unwrap());
}

#[test]
fn a_call_that_runs_out_of_memory_traps_and_says_so() {
    // Facts of 4,000 people (about 0.5 MB) in an instance that may grow by 2 MiB only: the
    // request fits, its evaluation does not.
    let people: Vec<Value> = (0..4000)
        .map(|i| {
            json!({"id": format!("p{i}"), "name": format!("Person {i}"), "kind": "employee",
            "employment": {"status": "active", "start_date": "2020-01-06"}})
        })
        .collect();
    let facts = json!({"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"},
        "people": people});
    let request = json!({"facts": [{"name": "f.json", "text": facts.to_string()}]});
    let size = host().instantiate().unwrap().memory_size();
    let mut instance = host().instantiate_capped(size + (2 << 20)).unwrap();
    let err = instance
        .call(Call::Evaluate, request.to_string().as_bytes())
        .unwrap_err();
    assert!(err.downcast_ref::<wasmtime::Trap>().is_some(), "{err:?}");
    assert!(instance.out_of_memory().unwrap());
    // With room, the same request answers.
    let mut roomy = host().instantiate().unwrap();
    let r = call(&mut roomy, Call::Evaluate, &request);
    assert_eq!(r["ok"], true, "{r}");
    assert!(!roomy.out_of_memory().unwrap());
}

#[test]
fn the_abi_refuses_addresses_it_did_not_hand_out_and_the_instance_lives_on() {
    let mut i = instance();
    let request = br#"{"id": "CC6.1"}"#;
    let len = request.len() as u32;
    let ptr = i.alloc(len).unwrap();
    i.write(ptr, request).unwrap();
    let kind = |text: String| -> (Value, Value) {
        let r: Value = serde_json::from_str(&text).unwrap();
        (r["kind"].clone(), r["error"]["kind"].clone())
    };
    // The request where it was put.
    assert_eq!(
        kind(i.call_at(Call::Explain, ptr, len).unwrap()).0,
        "control"
    );
    // Past the end of its buffer, outside every buffer, beyond linear memory: JSON errors,
    // not traps.
    for (at, n) in [
        (ptr, len + 1),
        (ptr + 1, len),
        (8, 16),
        (0xffff_ff00, 0x1000),
    ] {
        let text = i.call_at(Call::Evaluate, at, n).unwrap();
        let r: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(r["error"]["kind"], "request", "{at}+{n}: {r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("is not inside a buffer from attest_alloc"),
            "{r}"
        );
    }
    // A part of a live buffer is a request too (here, not JSON).
    assert_eq!(
        kind(i.call_at(Call::Explain, ptr + 1, len - 1).unwrap()).1,
        "request"
    );
    // Freeing: another length (kept), the right one, twice, and addresses never handed out.
    assert_eq!(i.free(ptr, len + 1).unwrap(), 2);
    assert_eq!(i.free(ptr, len).unwrap(), 0);
    assert_eq!(i.free(ptr, len).unwrap(), 1);
    assert_eq!(i.free(12345, 7).unwrap(), 1);
    assert_eq!(i.free(0xffff_fff0, 16).unwrap(), 1);
    assert_eq!(i.free(0, 0).unwrap(), 0);
    // A freed buffer is no request any more.
    let text = i.call_at(Call::Explain, ptr, len).unwrap();
    assert_eq!(kind(text).1, "request");
    // Still alive and well.
    let r = call(&mut i, Call::Explain, &json!({"id": "CC6.1"}));
    assert_eq!(r["kind"], "control", "{r}");
}

#[test]
fn limits_in_a_request_reach_the_rules_and_the_next_request_has_the_defaults() {
    let pack = pack_with_rule("for i in 0..3 { fail(`finding ${i}`); }");
    let mut i = instance();
    let r = call(
        &mut i,
        Call::Evaluate,
        &json!({"facts": [{"name": "f.json", "text": PEOPLE}], "pack": pack, "limits": {"max_findings": 2}}),
    );
    let rule = &r["report"]["rules"][0];
    assert_eq!(rule["status"], "error", "{rule}");
    assert_eq!(
        rule["error"]["message"],
        "the rule exceeded its limit of 2 findings"
    );
    let r = call(
        &mut i,
        Call::Evaluate,
        &json!({"facts": [{"name": "f.json", "text": PEOPLE}], "pack": pack}),
    );
    assert_eq!(r["report"]["rules"][0]["status"], "fail", "{r}");
    let r = call(
        &mut i,
        Call::Evaluate,
        &json!({"facts": [{"name": "f.json", "text": PEOPLE}], "limits": {"max_time": 1}}),
    );
    assert_eq!(r["error"]["kind"], "request", "{r}");
}
