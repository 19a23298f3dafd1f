//! `attest list rules|controls|params`: what a pack holds, as tables for people or JSON.

use crate::Outcome;
use crate::config::{Config, PackReport, TextOrJson};
use crate::output::Target;
use crate::packs::Loaded;
use attest_engine::{
    Pack,
    pack::{Control, Rule},
};
use attest_render::escape::line as shown;
use serde_json::{Value, json};
use std::fmt::Write as _;

/// What to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// Every rule, active and disabled, with its controls, severity and owner.
    Rules,
    /// Every control of the catalog, and what judges it: rules or evidence.
    Controls,
    /// Every parameter, with the value in effect and where it comes from.
    Params,
}

/// Arguments of `attest list`.
#[derive(clap::Args)]
pub struct Args {
    /// What to list.
    #[arg(value_enum)]
    what: What,
    /// (params) A value as `attest eval --param` gives it (repeatable): listed as it would
    /// be in effect, the strongest of all.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = super::eval::parse_param)]
    params: Vec<(String, Value)>,
    #[command(flatten)]
    out: PackReport,
}

/// Lists the pack's rules, controls or parameters.
pub fn run(args: &Args) -> Result<Outcome, String> {
    if !args.params.is_empty() && args.what != What::Params {
        return Err("--param is for `attest list params`".to_owned());
    }
    let (config, loaded) = args.out.pack.load()?;
    let pack = &loaded.pack;
    let text = match (args.what, args.out.format) {
        (What::Rules, TextOrJson::Text) => rules_text(pack),
        (What::Controls, TextOrJson::Text) => controls_text(pack),
        (What::Params, TextOrJson::Text) => {
            params_text(&param_rows(&loaded, &config, &args.params)?)
        }
        (what, TextOrJson::Json) => {
            let items = match what {
                What::Rules => json!({
                    "rules": pack.rules().iter().map(rule_json).collect::<Vec<_>>(),
                    "disabled": pack.disabled().iter().map(|d| json!({
                        "id": d.meta.id,
                        "title": d.meta.title,
                        "controls": d.meta.controls,
                        "reason": d.reason,
                    })).collect::<Vec<_>>(),
                }),
                What::Controls => json!({
                    "controls": pack.controls().iter().map(|c| control_json(pack, c)).collect::<Vec<_>>(),
                }),
                What::Params => json!({ "params": param_rows(&loaded, &config, &args.params)? }),
            };
            let mut doc = json!({ "pack": pack_json(pack) });
            if let (Some(doc), Value::Object(items)) = (doc.as_object_mut(), items) {
                doc.extend(items);
            }
            pretty(&doc)
        }
    };
    Target::Stdout.write(&text)?;
    Ok(Outcome::Clean)
}

/// The pack's name, version and base, as JSON.
pub fn pack_json(pack: &Pack) -> Value {
    json!({
        "name": pack.manifest().name,
        "version": pack.manifest().version,
        "extends": pack.manifest().extends,
    })
}

/// A rule's metadata as JSON.
pub fn rule_json(rule: &Rule) -> Value {
    json!({
        "id": rule.meta.id,
        "title": rule.meta.title,
        "pack": rule.pack,
        "path": rule.path,
        "controls": rule.meta.controls,
        "severity": rule.meta.severity,
        "owner": rule.meta.owner,
        "facts": rule.meta.facts,
        "reads": rule.meta.reads,
        "params": rule.meta.params,
        "remediation": rule.meta.remediation,
        "rationale": rule.meta.rationale,
    })
}

/// A control, and the rules that judge it (none: judged by evidence), as JSON.
pub fn control_json(pack: &Pack, control: &Control) -> Value {
    let rules: Vec<&str> = rules_of(pack, &control.id)
        .map(|r| r.meta.id.as_str())
        .collect();
    json!({
        "id": control.id,
        "category": control.category,
        "group": control.group,
        "title": control.title,
        "judged_by": if rules.is_empty() { "evidence" } else { "rules" },
        "rules": rules,
        "evidence_owner": control.evidence_owner,
    })
}

/// The active rules mapped to a control.
pub fn rules_of<'a>(pack: &'a Pack, control: &'a str) -> impl Iterator<Item = &'a Rule> + 'a {
    pack.rules()
        .iter()
        .filter(move |r| r.meta.controls.iter().any(|c| c == control))
}

/// Pretty JSON, newline-terminated.
pub fn pretty(doc: &Value) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}

/// A parameter: its declaration, the value in effect and where that value comes from.
#[derive(serde::Serialize)]
pub struct ParamRow {
    /// The parameter's name.
    pub name: String,
    /// Its type (`days`).
    #[serde(rename = "type")]
    pub kind: Value,
    /// The value rules see.
    pub value: Value,
    /// Where the value comes from: `default`, `set by <pack>`, the configuration's line, or
    /// `--param`.
    pub source: String,
    /// The default the base pack declares, when this pack sets another value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_default: Option<Value>,
    /// What it controls.
    pub description: String,
}

/// Every parameter of the pack, in declaration order (a base's first), with `flags` (as
/// `--param` gives them) the strongest: each declared by the pack and of its type.
pub fn param_rows(
    loaded: &Loaded,
    config: &Config,
    flags: &[(String, Value)],
) -> Result<Vec<ParamRow>, String> {
    // Each flag declared by the pack and of its type, or an error naming it.
    let values = config.params(&loaded.pack, flags)?;
    Ok(loaded
        .pack
        .manifest()
        .params
        .iter()
        .map(|(name, spec)| {
            let base_default = loaded
                .base
                .as_ref()
                .and_then(|b| b.manifest().params.get(name))
                .map(|b| b.default.clone())
                .filter(|d| *d != spec.default);
            let flagged = flags.iter().any(|(n, _)| n == name);
            let source = match (config.params.get(name), &base_default) {
                _ if flagged => "--param".to_owned(),
                (Some(setting), _) => setting.at.clone(),
                (None, Some(_)) => format!("set by {}", loaded.pack.manifest().name),
                (None, None) => "default".to_owned(),
            };
            ParamRow {
                name: name.clone(),
                kind: serde_json::to_value(spec.kind).unwrap_or(Value::Null),
                value: values.get(name).unwrap_or(&spec.default).clone(),
                source,
                base_default,
                description: spec.description.clone(),
            }
        })
        .collect())
}

/// One parameter as a line of text: `name = value  (type, source)`.
pub fn param_line(row: &ParamRow) -> String {
    let kind = row.kind.as_str().unwrap_or_default();
    let mut line = format!("{} = {}  ({kind}, {}", row.name, row.value, row.source);
    if let Some(d) = &row.base_default {
        let _ = write!(line, "; base default {d}");
    }
    line.push(')');
    line
}

fn params_text(rows: &[ParamRow]) -> String {
    let mut out = String::new();
    for row in rows {
        let _ = writeln!(out, "{}", shown(&param_line(row)));
        let _ = writeln!(out, "    {}", shown(&row.description));
    }
    let _ = writeln!(out, "{} parameters", rows.len());
    out
}

fn rules_text(pack: &Pack) -> String {
    let mut rules: Vec<&Rule> = pack.rules().iter().collect();
    rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    let rows: Vec<[String; 6]> = rules
        .iter()
        .map(|r| {
            [
                shown(&r.meta.id).into_owned(),
                shown(&r.meta.controls.join(", ")).into_owned(),
                r.meta.severity.as_str().to_owned(),
                r.meta.owner.to_string(),
                shown(&r.pack).into_owned(),
                shown(&r.meta.title).into_owned(),
            ]
        })
        .collect();
    let mut out = table(
        &["RULE", "CONTROLS", "SEVERITY", "OWNER", "PACK", "TITLE"],
        &rows,
    );
    let _ = writeln!(
        out,
        "{} rules in pack {} {}",
        rules.len(),
        shown(&pack.manifest().name),
        shown(&pack.manifest().version)
    );
    if !pack.disabled().is_empty() {
        let _ = writeln!(out, "\ndisabled by the pack:");
        for d in pack.disabled() {
            let _ = writeln!(out, "  {}  {}", shown(&d.meta.id), shown(&d.reason));
        }
    }
    out
}

fn controls_text(pack: &Pack) -> String {
    let rows: Vec<[String; 4]> = pack
        .controls()
        .iter()
        .map(|c| {
            let n = rules_of(pack, &c.id).count();
            let judged = match (n, c.evidence_owner) {
                (0, Some(owner)) => format!("evidence ({owner})"),
                (0, None) => "evidence".to_owned(),
                (1, _) => "1 rule".to_owned(),
                (n, _) => format!("{n} rules"),
            };
            [
                shown(&c.id).into_owned(),
                c.category.as_str().to_owned(),
                judged,
                shown(&c.title).into_owned(),
            ]
        })
        .collect();
    let mut out = table(&["CONTROL", "CATEGORY", "JUDGED BY", "TITLE"], &rows);
    let by_rules = pack
        .controls()
        .iter()
        .filter(|c| rules_of(pack, &c.id).next().is_some())
        .count();
    let _ = writeln!(
        out,
        "{} controls: {by_rules} judged by rules, {} by evidence",
        pack.controls().len(),
        pack.controls().len() - by_rules
    );
    out
}

/// Left-aligned columns, the last one unpadded.
fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == N {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// A file of a rule as shown to people: its path from the working directory when it is
/// the pack's own, else its path in the pack that defines it.
pub fn rule_file(loaded: &Loaded, rule: &Rule, path: &str) -> String {
    if loaded.owns(rule) {
        loaded.source.show_file(path)
    } else {
        format!("{path} (pack {})", rule.pack)
    }
}
