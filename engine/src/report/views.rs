//! Rules once each: a rule mapped to several criteria appears under each of them in the
//! report, and the formats that list each finding once (SARIF, CSV, HTML, Markdown, diffs,
//! the gate, waivers' counts) see it through a [`RuleView`].

use super::{ControlResult, EVIDENCE_RULE, Report, RuleResult, Status};
use std::collections::HashMap;

/// One rule's outcome across the controls it is mapped to, as formats that list each
/// finding once (SARIF, CSV, HTML, Markdown, diffs) see it. Evidence checks stay per control.
#[derive(Debug, Clone)]
pub(crate) struct RuleView<'a> {
    /// The rule id, or `evidence/<control>` for an evidence check.
    pub id: String,
    /// The applicable controls that list the rule, in report order.
    pub controls: Vec<&'a ControlResult>,
    /// The rule's result: its worst status across those controls, and each finding waived
    /// only where it is waived under every one of them.
    pub rule: RuleResult,
}

impl RuleView<'_> {
    /// The ids of its controls.
    pub fn control_ids(&self) -> Vec<&str> {
        self.controls.iter().map(|c| c.id.as_str()).collect()
    }

    /// A stable identity for each finding, across runs: the rule and the record the finding
    /// is about (its message when it is about no record), numbered when repeated.
    pub fn finding_keys(&self) -> Vec<String> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        self.rule
            .findings
            .iter()
            .map(|f| {
                let base = format!(
                    "{}|{}",
                    self.id,
                    f.entity.as_deref().unwrap_or(f.message.as_str())
                );
                let n = seen.entry(base.clone()).or_default();
                *n += 1;
                if *n == 1 { base } else { format!("{base}#{n}") }
            })
            .collect()
    }
}

/// Every rule of the applicable controls once, in order of first appearance.
pub(crate) fn rule_views(report: &Report) -> Vec<RuleView<'_>> {
    let mut views: Vec<RuleView<'_>> = Vec::new();
    for control in &report.controls {
        if control.status == Status::NotApplicable {
            continue;
        }
        for rule in &control.rules {
            let id = view_id(&rule.id, &control.id);
            if let Some(view) = views.iter_mut().find(|v| v.id == id) {
                view.controls.push(control);
                view.rule.status = view.rule.status.worst(rule.status);
                for (merged, f) in view.rule.findings.iter_mut().zip(&rule.findings) {
                    if f.waiver.is_none() {
                        merged.waiver = None;
                    }
                }
            } else {
                views.push(RuleView {
                    id,
                    controls: vec![control],
                    rule: rule.clone(),
                });
            }
        }
    }
    views
}

/// The id under which a rule of `control` is listed once: the rule id, or
/// `evidence/<control>` for an evidence check, which is per control.
pub(crate) fn view_id(rule: &str, control: &str) -> String {
    if rule == EVIDENCE_RULE {
        format!("{EVIDENCE_RULE}/{control}")
    } else {
        rule.to_owned()
    }
}
