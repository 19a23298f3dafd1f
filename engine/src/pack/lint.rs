//! Checks of rule metadata against the pack: known controls, unique ids, facts keys of the
//! contract, and parameters declared where they are used and used where they are declared.

use super::diagnostic::Diagnostic;
use super::{Control, Manifest, Rule, model, usage};
use std::collections::HashSet;

/// The parameter the engine itself reads (the warning window of evidence checks).
pub(crate) const ENGINE_PARAMS: [&str; 1] = ["warn_window_days"];

/// Checks the pack's own rules.
pub(super) fn rules(
    rules: &[Rule],
    controls: &[Control],
    m: &Manifest,
    diags: &mut Vec<Diagnostic>,
) {
    let known: HashSet<&str> = controls.iter().map(|c| c.id.as_str()).collect();
    let mut ids: Vec<(&str, &str)> = Vec::new();
    for r in rules {
        let at = |code: &str, field: &str, needle: &str, message: String| {
            let d = Diagnostic::new(code, &r.path, message);
            match header_position(&r.source, field, needle) {
                Some((line, col)) => d.at(line, col),
                None => d,
            }
        };
        if let Some((_, first)) = ids.iter().find(|(id, _)| *id == r.meta.id) {
            diags.push(at(
                "duplicate-rule-id",
                "id",
                &r.meta.id,
                format!("rule id `{}` is already used by {first}", r.meta.id),
            ));
        } else {
            ids.push((&r.meta.id, &r.path));
        }
        if r.meta.controls.is_empty() {
            diags.push(at(
                "no-controls",
                "controls",
                "",
                "a rule must map to at least one control".into(),
            ));
        }
        for c in &r.meta.controls {
            if !known.contains(c.as_str()) {
                diags.push(at(
                    "unknown-control",
                    "controls",
                    c,
                    format!("unknown control `{c}`: not in the pack's controls.toml"),
                ));
            }
        }
        for k in &r.meta.facts {
            if !model::FACTS_KEYS.contains(&k.as_str()) {
                diags.push(at(
                    "unknown-facts-key",
                    "facts",
                    k,
                    format!(
                        "`{k}` is not a facts-v1 key (expected one of {})",
                        model::FACTS_KEYS.join(", ")
                    ),
                ));
            }
        }
        let used = usage::params_used(&r.source);
        for p in &r.meta.params {
            if !m.params.contains_key(p) {
                diags.push(at(
                    "undeclared-param",
                    "params",
                    p,
                    format!("parameter `{p}` is not declared in pack.toml"),
                ));
            } else if !used.iter().any(|(u, _, _)| u == p) {
                diags.push(
                    at(
                        "unused-param",
                        "params",
                        p,
                        format!(
                            "parameter `{p}` is listed in the header but the rule never reads it"
                        ),
                    )
                    .warning(),
                );
            }
        }
        for (name, line, col) in &used {
            let d = if !m.params.contains_key(name) {
                Diagnostic::new(
                    "undeclared-param",
                    &r.path,
                    format!("the rule reads `params.{name}`, which pack.toml does not declare"),
                )
            } else if !r.meta.params.contains(name) {
                Diagnostic::new(
                    "unlisted-param",
                    &r.path,
                    format!("the rule reads `params.{name}`; list it in the header's `params`"),
                )
                .warning()
            } else {
                continue;
            };
            diags.push(d.at(*line, *col));
        }
    }
}

/// Parameters this pack declares that no active rule reads (warnings).
pub(super) fn unused_params(
    rules: &[Rule],
    m: &Manifest,
    manifest_text: &str,
    extends: bool,
    diags: &mut Vec<Diagnostic>,
) {
    for name in m.params.keys() {
        // An extending pack answers only for the parameters it declares itself.
        let own = !extends || manifest_text.contains(&format!("[params.{name}]"));
        let read = rules.iter().any(|r| r.meta.params.contains(name))
            || ENGINE_PARAMS.contains(&name.as_str());
        if own && !read {
            diags.push(at_line(
                Diagnostic::new(
                    "unused-param",
                    "pack.toml",
                    format!("parameter `{name}` is declared but no rule reads it"),
                )
                .warning(),
                toml_key_line(manifest_text, name),
            ));
        }
    }
}

/// Line and column of `needle` in the header line `//! field = ...` of a rule.
fn header_position(source: &str, field: &str, needle: &str) -> Option<(u32, u32)> {
    source
        .lines()
        .take_while(|l| l.trim_start().starts_with("//!"))
        .enumerate()
        .find_map(|(i, l)| {
            let body = l.trim_start().trim_start_matches("//!").trim_start();
            let rest = body.strip_prefix(field)?;
            if !rest.trim_start().starts_with('=') {
                return None;
            }
            let col = if needle.is_empty() {
                l.len() - body.len()
            } else {
                l.find(&format!("\"{needle}\""))
                    .unwrap_or(l.len() - body.len())
            };
            Some((to_u32(i + 1), to_u32(col + 1)))
        })
}

/// The 1-based line of a key in a TOML file (`name =`, `"name" =` or `[params.name]`).
pub(super) fn toml_key_line(text: &str, key: &str) -> Option<u32> {
    let quoted = format!("\"{key}\"");
    let table = format!("[params.{key}]");
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(&table)
                || ((t.starts_with(key) || t.starts_with(&quoted))
                    && t.trim_start_matches(&quoted)
                        .trim_start_matches(key)
                        .trim_start()
                        .starts_with('='))
        })
        .map(|i| to_u32(i + 1))
}

/// Places a diagnostic at the start of a line, when known.
pub(super) fn at_line(d: Diagnostic, line: Option<u32>) -> Diagnostic {
    match line {
        Some(l) => d.at(l, 1),
        None => d,
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
