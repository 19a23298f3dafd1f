//! The work per owner: for each owner, the rules with open findings and how many findings
//! are to fix, lapsing soon or waived. The text, Markdown and HTML reports show it.

use super::views::RuleView;
use super::{Finding, Status};
use std::collections::BTreeMap;

/// One owner's share of the work.
#[derive(Debug, Clone)]
pub(crate) struct OwnerWork<'v, 'r> {
    /// The owner, as written in rules (`IT`, `HR`...).
    pub owner: &'static str,
    /// Failing findings not waived.
    pub to_fix: usize,
    /// Findings lapsing within the warning window.
    pub lapsing: usize,
    /// Failing findings an active waiver covers.
    pub waived: usize,
    /// The rules with open findings, those failing first, each with its open findings,
    /// failing then lapsing.
    pub rules: Vec<(&'v RuleView<'r>, Vec<&'v Finding>)>,
}

/// The work of every owner with at least one finding, in owner-name order, from the rules
/// listed once each.
pub(crate) fn owner_work<'v, 'r>(views: &'v [RuleView<'r>]) -> Vec<OwnerWork<'v, 'r>> {
    let mut by_owner: BTreeMap<&'static str, OwnerWork<'v, 'r>> = BTreeMap::new();
    let open = |v: &RuleView<'_>, status: Status| {
        v.rule
            .findings
            .iter()
            .any(|f| f.effective_status() == status)
    };
    for v in views {
        for f in &v.rule.findings {
            let work = by_owner
                .entry(f.owner.as_str())
                .or_insert_with(|| OwnerWork {
                    owner: f.owner.as_str(),
                    to_fix: 0,
                    lapsing: 0,
                    waived: 0,
                    rules: Vec::new(),
                });
            match f.effective_status() {
                Status::Fail => work.to_fix += 1,
                Status::Warn => work.lapsing += 1,
                _ => work.waived += 1,
            }
        }
    }
    let failing = views.iter().filter(|v| open(v, Status::Fail));
    let lapsing = views
        .iter()
        .filter(|v| !open(v, Status::Fail) && open(v, Status::Warn));
    for v in failing.chain(lapsing) {
        let findings: Vec<&Finding> = [Status::Fail, Status::Warn]
            .into_iter()
            .flat_map(|status| {
                v.rule
                    .findings
                    .iter()
                    .filter(move |f| f.effective_status() == status)
            })
            .collect();
        if let Some(work) = findings
            .first()
            .and_then(|f| by_owner.get_mut(f.owner.as_str()))
        {
            work.rules.push((v, findings));
        }
    }
    by_owner.into_values().collect()
}
