//! Rules as the formats that list each finding once (SARIF, CSV, HTML, Markdown, diffs,
//! the gate) see them: each rule of an applicable criterion, with those criteria, and a
//! stable identity for each of its findings.

use super::{ControlResult, Report, RuleResult, Status};
use std::collections::HashMap;

/// One rule with the applicable controls it judges.
#[derive(Debug, Clone)]
pub struct RuleView<'a> {
    /// The rule id (`evidence/<control>` for an evidence check).
    pub id: &'a str,
    /// The applicable controls that list the rule, in report order.
    pub controls: Vec<&'a ControlResult>,
    /// The rule's result.
    pub rule: &'a RuleResult,
}

impl RuleView<'_> {
    /// The ids of its controls.
    pub fn control_ids(&self) -> Vec<&str> {
        self.controls.iter().map(|c| c.id.as_str()).collect()
    }

    /// A stable identity for each finding, across runs and reorderings of the facts: the
    /// rule and the key of the record the finding is about (its pointer when the record has
    /// no key), numbered when repeated. A finding about no record (a missing assessment, a
    /// gap in a criterion's evidence) is its rule's first, second... such finding: its
    /// message, whose dates and day counts change from one run to the next, is no part of
    /// it.
    pub fn finding_keys(&self) -> Vec<String> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        self.rule
            .findings
            .iter()
            .map(|f| {
                let record = f.key.as_deref().or(f.entity.as_deref());
                let base = format!("{}|{}", self.id, record.unwrap_or_default());
                let n = seen.entry(base.clone()).or_default();
                *n += 1;
                if *n == 1 { base } else { format!("{base}#{n}") }
            })
            .collect()
    }
}

/// Every rule of the applicable controls once, in order of first appearance.
pub fn rule_views(report: &Report) -> Vec<RuleView<'_>> {
    let mut views: Vec<RuleView<'_>> = Vec::new();
    for control in &report.controls {
        if control.status == Status::NotApplicable {
            continue;
        }
        for rule in report.rules_of(control) {
            if let Some(view) = views.iter_mut().find(|v| v.id == rule.id) {
                view.controls.push(control);
            } else {
                views.push(RuleView {
                    id: &rule.id,
                    controls: vec![control],
                    rule,
                });
            }
        }
    }
    views
}
