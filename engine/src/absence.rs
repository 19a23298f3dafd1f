//! Absence is never compliance: what the facts did not give a rule to judge. A rule whose
//! header's `facts` names a collection the facts lack, or one that is empty, and that tested
//! nothing, does not apply (a collection in its `reads` never makes it so), and the criteria
//! it maps to are then judged by their evidence for it (see `Engine::evaluate`), so that
//! leaving data out never makes a criterion pass.

use crate::facts::Facts;
use crate::pack::RuleMeta;
use crate::report::{Population, RuleResult, Status};

/// Why the rule `meta` cannot run: the collections its `facts` names that the facts lack
/// (`the facts have no `changes``), or `None` when the facts have them all.
pub(crate) fn absent(meta: &RuleMeta, facts: &Facts) -> Option<String> {
    let missing: Vec<String> = meta
        .facts
        .iter()
        .filter(|k| !facts.has_key(k))
        .map(|k| format!("`{k}`"))
        .collect();
    (!missing.is_empty()).then(|| format!("the facts have no {}", missing.join(" or ")))
}

/// Why a rule that ran and tested nothing had nothing to test, when a collection its `facts`
/// names is empty (`the facts' `vendors` list is empty`): no record of it could be judged,
/// and the rule's part of its criteria is not shown. `None` when every one holds records
/// (the rule then found none of them in scope).
pub(crate) fn empty(meta: &RuleMeta, population: &Population) -> Option<String> {
    let names: Vec<String> = meta
        .facts
        .iter()
        .filter(|k| {
            population
                .collections
                .get(*k)
                .is_some_and(|counts| counts.of == 0)
        })
        .map(|k| format!("`{k}`"))
        .collect();
    match names.as_slice() {
        [] => None,
        [one] => Some(format!("the facts' {one} list is empty")),
        _ => Some(format!(
            "the facts' {} lists are empty",
            names.join(" and ")
        )),
    }
}

/// Whether the facts gave the rule `meta`, which ended as `result`, nothing to judge: it does
/// not apply, and a collection its `facts` names is absent or empty.
pub(crate) fn not_given(meta: &RuleMeta, result: &RuleResult, facts: &Facts) -> bool {
    result.status == Status::NotApplicable
        && result.disabled.is_none()
        && (absent(meta, facts).is_some() || empty(meta, &result.population).is_some())
}
