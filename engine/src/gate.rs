//! The CI policy gate: which outcomes fail a build. Rules are judged once each (not once
//! per control), in applicable controls only; `min_severity` leaves out rules below it,
//! except rules in error, which always count (an unanswered check is never a pass).

use crate::diff::Diff;
use crate::pack::Severity;
use crate::report::views::rule_views;
use crate::report::{Report, Status};

/// What fails the gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FailOn {
    /// Only rules in error.
    Error,
    /// Failing rules and rules in error (the default, as `attest eval` always did).
    #[default]
    Fail,
    /// Warnings too: anything that lapses within the warning window.
    Warn,
    /// Only failures that are new since the baseline (regressions).
    New,
}

/// A gate: a threshold and a minimum severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gate {
    /// What fails it.
    pub fail_on: FailOn,
    /// Rules less severe than this are ignored (all count when `None`).
    pub min_severity: Option<Severity>,
}

/// Something that fails the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// The rule id (`evidence/<control>` for an evidence check).
    pub rule: String,
    /// The rule's status (`warn` for a waived rule's warning), or the new failure's (`fail`,
    /// `error`, `warn`).
    pub status: Status,
    /// The rule's severity.
    pub severity: Severity,
    /// The record a new failure is about (for `--fail-on new`): its key, or its JSON Pointer
    /// when it has none.
    pub entity: Option<String>,
}

impl Gate {
    /// What fails the gate in `report`, in report order; empty when it passes. With
    /// [`FailOn::New`], `diff` (the report against its baseline) gives the new failures;
    /// without a baseline every failure is new, as with [`FailOn::Fail`].
    pub fn check(&self, report: &Report, diff: Option<&Diff>) -> Vec<Blocker> {
        let counts = |status: Status, severity: Severity| {
            status == Status::Error || self.min_severity.is_none_or(|min| severity <= min)
        };
        if let (FailOn::New, Some(diff)) = (self.fail_on, diff) {
            return diff
                .new_failures
                .iter()
                .filter_map(|item| {
                    let status = item.new?;
                    counts(status, item.severity).then(|| Blocker {
                        rule: item.rule.clone(),
                        status,
                        severity: item.severity,
                        entity: item.key.clone().or_else(|| item.entity.clone()),
                    })
                })
                .collect();
        }
        let blocking: &[Status] = match self.fail_on {
            FailOn::Error => &[Status::Error],
            FailOn::Fail | FailOn::New => &[Status::Error, Status::Fail],
            FailOn::Warn => &[Status::Error, Status::Fail, Status::Warn],
        };
        rule_views(report)
            .into_iter()
            .filter_map(|v| {
                // A waived rule (every failure waived) may still hold a warning of its own.
                let warns = || {
                    v.rule
                        .findings
                        .iter()
                        .any(|f| f.effective_status() == Status::Warn)
                };
                let status = match v.rule.status {
                    s if blocking.contains(&s) => s,
                    Status::Waived if blocking.contains(&Status::Warn) && warns() => Status::Warn,
                    _ => return None,
                };
                counts(status, v.rule.severity).then(|| Blocker {
                    rule: v.id.to_owned(),
                    status,
                    severity: v.rule.severity,
                    entity: None,
                })
            })
            .collect()
    }
}
