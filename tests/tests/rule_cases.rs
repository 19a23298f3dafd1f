//! Runs every case of every rule of the built-in SOC 2 pack as a named test
//! (`<rule id>::<case name>`), and holds every rule to cases of each outcome it can give:
//! one expecting `pass`, one `fail` and one `not_applicable` (`<rule id>::(outcomes)`).
//! Filter like any test: `cargo test --test rule_cases -- mfa`.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::Status;
use attest_engine::cases::{self, Case};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let engine = attest_tests::soc2_engine();
    let outcomes = outcome_trials(&engine);
    let trials = cases::run_all(&engine, None)
        .into_iter()
        .map(|outcome| {
            let name = format!("{}::{}", outcome.rule, outcome.name);
            Trial::test(name, move || {
                if outcome.passed() {
                    return Ok(());
                }
                let mut text = format!("{}: {}", outcome.file, outcome.problems.join("\n  "));
                if let Some(actual) = &outcome.actual {
                    for f in &actual.findings {
                        text.push_str(&format!(
                            "\n  finding {} {}: {}",
                            f.entity.as_deref().unwrap_or("null"),
                            serde_json::to_string(&f.status).unwrap_or_default(),
                            f.message
                        ));
                    }
                }
                Err(Failed::from(text))
            })
        })
        .chain(outcomes)
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// One test per rule: its cases expect each of `pass`, `fail` and `not_applicable` at least
/// once (a rule whose facts are empty or absent is not applicable, never passing).
fn outcome_trials(engine: &attest_engine::Engine) -> Vec<Trial> {
    engine
        .pack()
        .rules()
        .iter()
        .map(|rule| {
            let path = rule.cases_path();
            let cases: Vec<Case> = rule
                .cases
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            let missing: Vec<&str> = [
                (Status::Pass, "pass"),
                (Status::Fail, "fail"),
                (Status::NotApplicable, "not_applicable"),
            ]
            .into_iter()
            .filter(|(status, _)| !cases.iter().any(|c| c.expect.status == *status))
            .map(|(_, name)| name)
            .collect();
            Trial::test(format!("{}::(outcomes)", rule.meta.id), move || {
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(Failed::from(format!(
                        "{path}: no case expects {}",
                        missing.join(", ")
                    )))
                }
            })
        })
        .collect()
}
