//! Checks of rule metadata against the pack: known controls, unique ids, files where their
//! ids put them, facts keys of the contract, parameters declared where they are used and
//! used where they are declared, and what each rule's body reads from the facts (`reads`).

use super::analysis::Analysis;
use super::diagnostic::{Diagnostic, DiagnosticCode};
use super::reads;
use super::rule::Header;
use super::span;
use super::{Control, Manifest, Pack, Rule};
use crate::facts::FactsSchema;
use crate::place::At;
use crate::suggest;
use std::collections::HashSet;
use std::sync::Arc;

/// The parameters the engine itself reads: the warning window of evidence checks, then the
/// default sample size for each frequency (`sample_size_<frequency>`).
pub(crate) const ENGINE_PARAMS: [&str; 7] = [
    "warn_window_days",
    "sample_size_annual",
    "sample_size_quarterly",
    "sample_size_monthly",
    "sample_size_weekly",
    "sample_size_daily",
    "sample_size_event",
];

/// Checks the pack's own rules; what they read from the facts against `contract` (facts-v1
/// with the pack's extensions), unless it is `None` (an extension that does not load). Each
/// rule keeps its [`Analysis`], taken from `earlier`'s rules where they allow.
pub(super) fn rules(
    rules: &mut [Rule],
    controls: &[Control],
    m: &Manifest,
    contract: Option<&Arc<FactsSchema>>,
    earlier: Option<&Pack>,
    diags: &mut Vec<Diagnostic>,
) {
    let analyses: Vec<Arc<Analysis>> = rules
        .iter()
        .map(|r| Analysis::of_rule(r, contract, earlier))
        .collect();
    let known: HashSet<&str> = controls.iter().map(|c| c.id.as_str()).collect();
    let contract = contract.map(|schema| reads::Contract::of(schema));
    let mut ids: Vec<(&str, &str)> = Vec::new();
    for (r, analysis) in rules.iter().zip(&analyses) {
        // At the header's `field`, or its `index`th element when given.
        let at = |code: DiagnosticCode, field: &str, index: Option<usize>, message: String| {
            let d = Diagnostic::new(code, &r.path, message);
            let index = index.map(|i| i.to_string());
            let header = Header::of(&r.source);
            let place = match &index {
                Some(i) => header.locate(&[field, i], At::Value),
                None => header.locate(&[field], At::Value),
            };
            match place {
                Some((line, col)) => d.at(line, col),
                None => d,
            }
        };
        if let Some((_, first)) = ids.iter().find(|(id, _)| *id == r.meta.id) {
            diags.push(at(
                DiagnosticCode::DuplicateRuleId,
                "id",
                None,
                format!("rule id `{}` is already used by {first}", r.meta.id),
            ));
        } else {
            ids.push((&r.meta.id, &r.path));
            if let Some(expected) = path_of(&r.meta.id)
                && expected != r.path
            {
                diags.push(at(
                    DiagnosticCode::MisplacedRule,
                    "id",
                    None,
                    format!(
                        "rule `{}` is in {}; by its id it belongs in {expected}",
                        r.meta.id, r.path
                    ),
                ));
            }
        }
        let texts = [
            ("title", Some(&r.meta.title)),
            ("remediation", Some(&r.meta.remediation)),
            ("rationale", r.meta.rationale.as_ref()),
        ];
        for (field, text) in texts {
            if text.is_some_and(|t| t.trim_start().starts_with("TODO")) {
                diags.push(at(
                    DiagnosticCode::Placeholder,
                    field,
                    None,
                    format!(
                        "`{field}` is still a TODO placeholder: reports show it to the rule's owner and to auditors"
                    ),
                ));
            }
        }
        if r.meta.controls.is_empty() {
            let d = Diagnostic::new(
                DiagnosticCode::NoControls,
                &r.path,
                "a rule must map to at least one control",
            );
            diags.push(
                match Header::of(&r.source).locate(&["controls"], At::Entry) {
                    Some((line, col)) => d.at(line, col),
                    None => d,
                },
            );
        }
        for (i, c) in r.meta.controls.iter().enumerate() {
            if !known.contains(c.as_str()) {
                diags.push(at(
                    DiagnosticCode::UnknownControl,
                    "controls",
                    Some(i),
                    format!(
                        "unknown control `{c}`: not in the pack's controls.toml{}",
                        suggest::did_you_mean(c, known.iter().copied())
                    ),
                ));
            }
        }
        let lists = [("facts", &r.meta.facts), ("reads", &r.meta.reads)];
        for (field, i, k) in lists
            .into_iter()
            .flat_map(|(field, keys)| keys.iter().enumerate().map(move |(i, k)| (field, i, k)))
        {
            if field == "reads" && r.meta.facts.contains(k) {
                diags.push(at(
                    DiagnosticCode::FactsKeyTwice,
                    field,
                    Some(i),
                    format!(
                        "`{k}` is in both `facts` and `reads`: keep it in `facts` if the rule is not applicable without it, in `reads` if it judges an absent `{k}` as an empty list"
                    ),
                ));
            }
            let Some(contract) = &contract else {
                continue;
            };
            let keys = contract.keys();
            if !keys.contains(&k.as_str()) {
                let name = contract.name();
                diags.push(at(
                    DiagnosticCode::UnknownFactsKey,
                    field,
                    Some(i),
                    match suggest::closest(k, keys.iter().copied()) {
                        Some(near) => {
                            format!("`{k}` is not a {name} key; did you mean `{near}`?")
                        }
                        None => format!(
                            "`{k}` is not a {name} key (expected one of {})",
                            keys.join(", ")
                        ),
                    },
                ));
            }
        }
        diags.extend(analysis.reads().iter().cloned());
        let read = analysis.params();
        for (i, p) in r.meta.params.iter().enumerate() {
            if !m.params.contains_key(p) {
                diags.push(at(
                    DiagnosticCode::UndeclaredParam,
                    "params",
                    Some(i),
                    format!(
                        "parameter `{p}` is not declared in pack.toml{}",
                        suggest::did_you_mean(p, m.params.keys().map(String::as_str))
                    ),
                ));
            } else if !read.iter().any(|(u, _, _)| u == p) {
                diags.push(at(
                    DiagnosticCode::UnusedParam,
                    "params",
                    Some(i),
                    format!("parameter `{p}` is listed in the header but the rule never reads it"),
                ));
            }
        }
        for (name, line, col) in read {
            let d = if !m.params.contains_key(name) {
                Diagnostic::new(
                    DiagnosticCode::UndeclaredParam,
                    &r.path,
                    format!(
                        "the rule reads `params.{name}`, which pack.toml does not declare{}",
                        suggest::did_you_mean(name, m.params.keys().map(String::as_str))
                    ),
                )
            } else if !r.meta.params.contains(name) {
                Diagnostic::new(
                    DiagnosticCode::UnlistedParam,
                    &r.path,
                    format!("the rule reads `params.{name}`; list it in the header's `params`"),
                )
            } else {
                continue;
            };
            diags.push(d.at(*line, *col));
        }
    }
    for (r, analysis) in rules.iter_mut().zip(analyses) {
        r.analysis = Some(analysis);
    }
}

/// Where a rule's id puts its file: `access.mfa-privileged` in
/// `rules/access/mfa-privileged.rhai` (`None` for an id without an area).
pub(super) fn path_of(id: &str) -> Option<String> {
    let (area, name) = id.split_once('.')?;
    Some(format!("rules/{area}/{name}.rhai"))
}

/// Parameters this pack declares itself (`own`) that no active rule reads (warnings).
pub(super) fn unused_params(
    rules: &[Rule],
    own: &[String],
    manifest_text: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for name in own {
        let read = rules.iter().any(|r| r.meta.params.contains(name))
            || ENGINE_PARAMS.contains(&name.as_str());
        if !read {
            diags.push(at_entry(
                Diagnostic::new(
                    DiagnosticCode::UnusedParam,
                    "pack.toml",
                    format!("parameter `{name}` is declared but no rule reads it"),
                ),
                manifest_text,
                &["params", name],
            ));
        }
    }
}

/// Places a diagnostic at the entry `path` of the TOML `text`, when it is there.
pub(super) fn at_entry<S: AsRef<str>>(d: Diagnostic, text: &str, path: &[S]) -> Diagnostic {
    match span::toml_offset(text, path, At::Entry) {
        Some(offset) => d.at_offset(text, offset),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_lives_where_its_id_says() {
        assert_eq!(
            path_of("access.mfa-privileged").as_deref(),
            Some("rules/access/mfa-privileged.rhai")
        );
        assert_eq!(path_of("a.b.c").as_deref(), Some("rules/a/b.c.rhai"));
        assert_eq!(path_of("nodot"), None);
    }
}
