//! `attest explain RULE|CONTROL`: everything about one rule (metadata, rationale,
//! parameters and their values, cases, source) or one control (the rules that judge it,
//! or the evidence that does when no rule checks it).

use super::list::{self, ParamRow};
use crate::Outcome;
use crate::config::{Config, PackReport, TextOrJson};
use crate::output::Target;
use crate::packs::Loaded;
use attest_engine::cases::Case;
use attest_engine::pack::{Control, DisabledRule, Rule};
use attest_engine::report::{EVIDENCE_FILES_RULE, EVIDENCE_RULE};
use attest_render::escape::{line as shown, lines};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// Arguments of `attest explain`.
#[derive(clap::Args)]
pub struct Args {
    /// A rule id (`access.mfa-privileged`) or a control id (`CC6.1`).
    #[arg(value_name = "RULE|CONTROL")]
    target: String,
    #[command(flatten)]
    out: PackReport,
}

/// Explains a rule or a control; exit 2 when the pack has neither.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let (config, loaded) = args.out.pack.load()?;
    let pack = &loaded.pack;
    let id = args.target.as_str();
    let text = if let Some(rule) = pack.rule(id) {
        let params = rule_params(&loaded, &config, rule)?;
        let cases = attest_engine::cases::of_rule(rule);
        match args.out.format {
            TextOrJson::Text => rule_text(&loaded, rule, &params, &cases),
            TextOrJson::Json => list::pretty(&rule_json(&loaded, rule, &params, &cases)),
        }
    } else if let Some(d) = pack.disabled().iter().find(|d| d.meta.id == id) {
        match args.out.format {
            TextOrJson::Text => disabled_text(&loaded, d),
            TextOrJson::Json => list::pretty(&json!({
                "pack": list::pack_json(pack),
                "disabled_rule": { "id": d.meta.id, "title": d.meta.title,
                                   "controls": d.meta.controls, "reason": d.reason },
            })),
        }
    } else if let Some(control) = pack
        .controls()
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(id))
    {
        match args.out.format {
            TextOrJson::Text => control_text(&loaded, control),
            TextOrJson::Json => {
                let mut doc = list::control_json(pack, control);
                if let Some(o) = doc.as_object_mut() {
                    o.insert("disabled_rules".into(), disabled_of(&loaded, control));
                }
                list::pretty(&json!({ "pack": list::pack_json(pack), "control": doc }))
            }
        }
    } else if let Some((files, control)) = evidence_check(&loaded, id) {
        match args.out.format {
            TextOrJson::Text => format!(
                "{}\n{}",
                evidence_check_text(files, control, judging(pack, control)),
                control_text(&loaded, control)
            ),
            TextOrJson::Json => {
                let what = if files { "evidence files" } else { "evidence" };
                list::pretty(&json!({
                    "pack": list::pack_json(pack),
                    "evidence_check": { "id": check_id(files, control), "checks": what, "control": control.id },
                    "control": list::control_json(pack, control),
                }))
            }
        }
    } else {
        return Err(not_found(&loaded, id));
    };
    Target::Stdout.write(&text)?;
    Ok(Outcome::Clean)
}

/// The criterion whose evidence check `id` is (`evidence/CC1.2`, or `evidence-files/CC5.3`
/// for the check of its evidence files, `true`), as reports list them among the rules.
fn evidence_check<'l>(loaded: &'l Loaded, id: &str) -> Option<(bool, &'l Control)> {
    let (prefix, criterion) = id.split_once('/')?;
    let files = match prefix {
        EVIDENCE_RULE => false,
        EVIDENCE_FILES_RULE => true,
        _ => return None,
    };
    let control = loaded
        .pack
        .controls()
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(criterion))?;
    Some((files, control))
}

/// The id reports give the check of `control`'s evidence (`files`: of its evidence files).
fn check_id(files: bool, control: &Control) -> String {
    let prefix = if files {
        EVIDENCE_FILES_RULE
    } else {
        EVIDENCE_RULE
    };
    format!("{prefix}/{}", control.id)
}

/// How many of the pack's rules judge `control`.
fn judging(pack: &attest_engine::Pack, control: &Control) -> usize {
    pack.rules()
        .iter()
        .filter(|r| r.meta.controls.contains(&control.id))
        .count()
}

/// What the check of `control`'s evidence (`files`: of its evidence files) is, before the
/// criterion's explanation; `rules` of the pack judge the criterion.
fn evidence_check_text(files: bool, control: &Control, rules: usize) -> String {
    let c = shown(&control.id);
    let when = match rules {
        _ if files => String::new(),
        0 => String::new(),
        n => format!(
            " It runs only while none of the {n} rule{} judging {c} tests anything (their facts are missing or hold no record they select): otherwise the rules judge {c}.",
            if n == 1 { "" } else { "s" }
        ),
    };
    let what = if files {
        format!(
            "the check of {c}'s evidence files: with an evidence root (`attest eval --evidence-root DIR`), each of {c}'s evidence[] records with a sha256 and a relative uri is checked against its file, and a file missing, different or outside the root fails it, and so fails {c}"
        )
    } else {
        format!(
            "the evidence check of {c}: it judges {c}'s evidence[] records (a current one passes, one expiring within warn_window_days warns, none fails)"
        )
    };
    format!(
        "{} is not a rule of the pack but {what}.{when} The criterion:\n",
        shown(&check_id(files, control))
    )
}

/// The error for an unknown id, with the ids that contain it as suggestions.
fn not_found(loaded: &Loaded, id: &str) -> String {
    if let Some((EVIDENCE_RULE | EVIDENCE_FILES_RULE, criterion)) = id.split_once('/') {
        return format!(
            "{}: `{}` names a check of the evidence of `{}`, which is not a criterion of the pack (see `attest list controls`)",
            loaded.source,
            shown(id),
            shown(criterion)
        );
    }
    let needle = id.to_lowercase();
    let pack = &loaded.pack;
    let near: Vec<&str> = pack
        .rules()
        .iter()
        .map(|r| r.meta.id.as_str())
        .chain(pack.controls().iter().map(|c| c.id.as_str()))
        .filter(|candidate| !needle.is_empty() && candidate.to_lowercase().contains(&needle))
        .take(8)
        .collect();
    let mut message = format!("{}: no rule or control `{}`", loaded.source, shown(id));
    if let (true, Some(typo)) = (near.is_empty(), pack.did_you_mean(id)) {
        let _ = write!(message, "; did you mean `{}`?", shown(typo));
    } else if near.is_empty() {
        message.push_str(" (see `attest list rules` and `attest list controls`)");
    } else {
        let near: Vec<String> = near.iter().map(|n| format!("`{}`", shown(n))).collect();
        let _ = write!(message, "; did you mean {}?", near.join(", "));
    }
    message
}

/// The rows of the parameters a rule reads.
fn rule_params(loaded: &Loaded, config: &Config, rule: &Rule) -> Result<Vec<ParamRow>, String> {
    Ok(list::param_rows(loaded, config, &[])?
        .into_iter()
        .filter(|p| rule.meta.params.contains(&p.name))
        .collect())
}

fn rule_text(
    loaded: &Loaded,
    rule: &Rule,
    params: &[ParamRow],
    cases: &Result<Vec<Case>, String>,
) -> String {
    let pack = &loaded.pack;
    let m = &rule.meta;
    let mut out = String::new();
    let _ = writeln!(out, "rule {}: {}", shown(&m.id), shown(&m.title));
    out.push('\n');
    let _ = writeln!(
        out,
        "  file      {}",
        shown(&list::rule_file(loaded, rule, &rule.path))
    );
    for (i, c) in m.controls.iter().enumerate() {
        let title = pack.control(c).map_or("", |c| c.title.as_str());
        let label = if i == 0 { "controls" } else { "" };
        let _ = writeln!(out, "  {label:<8}  {:<6} {}", shown(c), shown(title));
    }
    let _ = writeln!(out, "  severity  {}", m.severity.as_str());
    let _ = writeln!(out, "  owner     {}", m.owner);
    let _ = writeln!(out, "  facts     {}", shown(&m.facts.join(", ")));
    if let Some(why) = &m.rationale {
        let _ = writeln!(out, "\nwhy it matters\n  {}", shown(why));
    }
    let _ = writeln!(out, "\nhow to fix a finding\n  {}", shown(&m.remediation));
    if !params.is_empty() {
        let _ = writeln!(out, "\nparameters");
        for p in params {
            let _ = writeln!(out, "  {}", shown(&list::param_line(p)));
            let _ = writeln!(out, "      {}", shown(&p.description));
        }
    }
    let _ = writeln!(
        out,
        "\ncases ({})",
        shown(&list::rule_file(loaded, rule, &rule.cases_path()))
    );
    match cases {
        Ok(cases) if cases.is_empty() => out.push_str("  none\n"),
        Ok(cases) => {
            for c in cases {
                let _ = writeln!(out, "  {:<15} {}", c.expect.status.as_str(), shown(&c.name));
            }
        }
        Err(e) => {
            let _ = writeln!(out, "  {}", shown(e));
        }
    }
    // The source keeps its own lines (and tabs); anything else a terminal would obey is
    // shown escaped.
    let _ = writeln!(out, "\nsource");
    let width = rule.source.lines().count().to_string().len();
    for (i, text) in rule.source.lines().enumerate() {
        let _ = writeln!(out, "  {:>width$} | {}", i + 1, lines(text));
    }
    out
}

fn rule_json(
    loaded: &Loaded,
    rule: &Rule,
    params: &[ParamRow],
    cases: &Result<Vec<Case>, String>,
) -> Value {
    let cases = match cases {
        Ok(cases) => json!(
            cases
                .iter()
                .map(|c| json!({
                    "name": c.name,
                    "status": c.expect.status,
                    "entities": c.expect.entities,
                }))
                .collect::<Vec<_>>()
        ),
        Err(e) => json!({ "error": e }),
    };
    json!({
        "pack": list::pack_json(&loaded.pack),
        "rule": list::rule_json(rule),
        "file": loaded.owns(rule).then(|| loaded.source.show_file(&rule.path)),
        "params": params,
        "cases": cases,
        "source": rule.source,
    })
}

fn disabled_text(loaded: &Loaded, d: &DisabledRule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "rule {}: {}", shown(&d.meta.id), shown(&d.meta.title));
    let _ = writeln!(
        out,
        "\n  disabled by pack {}: {}",
        shown(&loaded.pack.manifest().name),
        shown(&d.reason)
    );
    let _ = writeln!(
        out,
        "\n  It maps to {}; reports list it there as disabled, with the reason. Each of those controls is judged by its other rules, or by evidence when it has none.",
        shown(&d.meta.controls.join(", "))
    );
    out
}

fn disabled_of(loaded: &Loaded, control: &Control) -> Value {
    json!(
        loaded
            .pack
            .disabled()
            .iter()
            .filter(|d| d.meta.controls.contains(&control.id))
            .map(|d| json!({ "id": d.meta.id, "reason": d.reason }))
            .collect::<Vec<_>>()
    )
}

fn control_text(loaded: &Loaded, control: &Control) -> String {
    let pack = &loaded.pack;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "control {}: {}",
        shown(&control.id),
        shown(&control.title)
    );
    out.push('\n');
    let _ = writeln!(out, "  category  {}", control.category.label());
    let _ = writeln!(out, "  group     {}", shown(&control.group));
    let rules: Vec<&Rule> = list::rules_of(pack, &control.id).collect();
    if rules.is_empty() {
        let owner = control
            .evidence_owner
            .map_or(String::new(), |o| format!(" {o} collects it."));
        let _ = writeln!(
            out,
            "\nNo rule checks {id}: it is judged by evidence. It passes with a current evidence[] record whose control_id is \"{id}\" (current from collected_on through expires_on, 365 days after collection by default), warns when the latest one expires within warn_window_days, and fails when there is none.{owner}",
            id = shown(&control.id)
        );
    } else {
        let _ = writeln!(
            out,
            "\njudged by {} rule{} (the control's status is the worst of theirs):",
            rules.len(),
            if rules.len() == 1 { "" } else { "s" }
        );
        let width = rules
            .iter()
            .map(|r| shown(&r.meta.id).len())
            .max()
            .unwrap_or(0);
        for r in rules {
            let _ = writeln!(
                out,
                "  {:<width$}  {} ({}, {})",
                shown(&r.meta.id),
                shown(&r.meta.title),
                r.meta.severity.as_str(),
                r.meta.owner
            );
        }
    }
    let disabled: Vec<&DisabledRule> = pack
        .disabled()
        .iter()
        .filter(|d| d.meta.controls.contains(&control.id))
        .collect();
    if !disabled.is_empty() {
        let _ = writeln!(out, "\ndisabled by pack {}:", shown(&pack.manifest().name));
        for d in disabled {
            let _ = writeln!(out, "  {}  {}", shown(&d.meta.id), shown(&d.reason));
        }
    }
    out
}
