//! The `request` target: the WebAssembly module's request handling, called natively (the
//! functions of `attest_wasm::api` the module's exports call on the request bytes).
//!
//! Input: one byte naming the call (`v` validate, `x` explain, `d` diff, `c` check, `t` test,
//! anything else evaluate), then the request's bytes.

use crate::is_digest;
use attest_wasm::api;
use serde_json::Value;

/// The `kind` of every failure a response may carry.
const FAILURE_KINDS: [&str; 14] = [
    "request",
    "waivers",
    "waivers_syntax",
    "waivers_invalid",
    "report",
    "rule_error",
    "facts_syntax",
    "facts_not_object",
    "facts_conflict",
    "facts_invalid",
    "facts",
    "pack",
    "options",
    "not_found",
];

/// One of the module's JSON calls.
type Call = fn(&[u8]) -> String;

/// Which call an input makes, and its request.
fn call(data: &[u8]) -> (&'static str, Call, &[u8]) {
    match data.split_first() {
        Some((b'v', request)) => ("validate", api::validate, request),
        Some((b'x', request)) => ("explain", api::explain, request),
        Some((b'd', request)) => ("diff", api::diff, request),
        Some((b'c', request)) => ("check", api::check, request),
        Some((b't', request)) => ("test", api::test, request),
        Some((_, request)) => ("evaluate", api::evaluate, request),
        None => ("evaluate", api::evaluate, data),
    }
}

/// Makes the input's call and checks the response: JSON, `{"ok": true, ...}` in the shape of
/// the call or `{"ok": false, "error": {"kind", "message", ...}}`; for validate and explain,
/// the same bytes when the call is made again. (Evaluating twice would halve the fuzzer's
/// speed; the property tests hold evaluation to the same bytes across threads and hosts.)
pub fn check(data: &[u8]) {
    let (name, call, request) = call(data);
    let response = call(request);
    let value: Value = serde_json::from_str(&response)
        .unwrap_or_else(|e| panic!("{name}: the response is not JSON ({e}): {response}"));
    match value.get("ok").and_then(Value::as_bool) {
        Some(true) => succeeded(name, &value),
        Some(false) => failed(name, &value),
        None => panic!("{name}: no `ok` in {response}"),
    }
    if name != "evaluate" {
        assert!(call(request) == response, "{name}: a second call differs");
    }
}

fn succeeded(name: &str, value: &Value) {
    let warnings = value.get("warnings").and_then(Value::as_array);
    match name {
        "evaluate" => {
            assert!(warnings.is_some(), "evaluate: no warnings in {value}");
            if let Some(rule) = value.get("rule") {
                assert!(rule.get("id").and_then(Value::as_str).is_some(), "{value}");
            } else if let Some(output) = value.get("output") {
                // A report in one of eval's formats, or the public view.
                assert!(output.is_string() && value["format"].is_string(), "{value}");
            } else if let Some(sample) = value.get("sample") {
                assert!(sample.is_object(), "{value}");
            } else {
                let report = value
                    .get("report")
                    .unwrap_or_else(|| panic!("evaluate: no report in {value}"));
                assert!(report["report_version"].is_string(), "{value}");
                assert!(report["controls"].is_array(), "{value}");
                assert!(report["rules"].is_array(), "{value}");
            }
        }
        "validate" => {
            assert!(warnings.is_some(), "validate: no warnings in {value}");
            let digest = value["facts"]["digest"].as_str().unwrap_or_default();
            assert!(is_digest(digest), "validate: digest in {value}");
        }
        "diff" => {
            assert!(value["output"].is_string(), "diff: output in {value}");
            assert!(
                value["new_failures"].is_u64(),
                "diff: new_failures in {value}"
            );
        }
        "check" => {
            assert!(value["output"].is_string(), "check: output in {value}");
            assert!(
                value["errors"].is_u64() && value["warnings"].is_u64(),
                "{value}"
            );
        }
        "test" => {
            assert!(value["output"].is_string(), "test: output in {value}");
            assert!(
                value["passed"].is_u64() && value["failed"].is_u64(),
                "{value}"
            );
        }
        _ => {
            let kind = value["kind"].as_str().unwrap_or_default();
            assert!(
                ["pack", "rule", "control"].contains(&kind),
                "explain: kind in {value}"
            );
            assert!(value.get(kind).is_some(), "explain: no {kind} in {value}");
        }
    }
}

fn failed(name: &str, value: &Value) {
    let error = value
        .get("error")
        .unwrap_or_else(|| panic!("{name}: a failure with no error: {value}"));
    let kind = error["kind"].as_str().unwrap_or_default();
    assert!(FAILURE_KINDS.contains(&kind), "{name}: kind in {value}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{name}: no message in {value}");
}
