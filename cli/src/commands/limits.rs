//! The sandbox limits of every command that evaluates rules (`eval`, `sample`, `vendors`,
//! `test`): one definition of their flags and of the `Limits` they give.

use attest_engine::Limits;
use std::time::Duration;

/// `--max-operations`, `--rule-timeout`, `--max-memory` and `--max-findings`.
#[derive(clap::Args, Debug, Clone)]
pub struct LimitArgs {
    /// Operations one rule may perform before it is stopped with an error (0: no limit).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_operations)]
    pub max_operations: u64,
    /// Seconds one rule may run before it is stopped with an error.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub rule_timeout: Duration,
    /// Memory one rule may hold, in MiB, before it is stopped with an error (0: no limit).
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().max_memory >> 20)]
    pub max_memory: u64,
    /// Findings one rule may report; a rule with more reports an error instead (0: no
    /// limit).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_findings)]
    pub max_findings: u64,
}

impl LimitArgs {
    /// The limits the flags set; the others keep their defaults.
    pub fn limits(&self) -> Limits {
        Limits {
            max_operations: self.max_operations,
            time_budget: Some(self.rule_timeout),
            max_memory: self.max_memory.saturating_mul(1 << 20),
            max_findings: self.max_findings,
            ..Limits::default()
        }
    }
}

/// A positive, finite number of seconds that a `Duration` can hold.
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds = text
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .ok_or_else(|| format!("`{text}` is not a positive number of seconds"))?;
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("`{text}` seconds is out of range (at most {})", u64::MAX))
}
