//! Runs every case of every rule of the built-in SOC 2 pack as a named test
//! (`<rule id>::<case name>`). Filter like any test: `cargo test --test rule_cases -- mfa`.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::cases;
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let engine = attest_tests::soc2_engine();
    let trials = cases::run_all(&engine)
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
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
