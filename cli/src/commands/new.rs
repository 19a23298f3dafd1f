//! `attest new rule ID --control CC6.1 [--pack DIR]`: scaffolds a rule in a pack folder:
//! the rule file (its header, and a commented body that uses the prelude and stops with a
//! TODO), its cases file (a pass, a fail and a not-applicable case, red until the check
//! is written) and a row in the pack's README when it has one. With the id of a rule the
//! pack inherits, it copies that rule instead: its file, its cases and its README row, an
//! override ready to edit; so too for a rule a base turned off in `[disable]`, which the
//! copy brings back. A rule the pack itself turns off is refused.

use crate::Outcome;
use crate::config::PackArgs;
use crate::inputs::{self, SizeLimit};
use crate::output::{self, Target};
use crate::packs::{self, Loaded, PackRef};
use attest_engine::pack::{FACTS_KEYS, Rule};
use attest_engine::{Owner, Pack, PackFile, Severity};
use serde_json::json;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to create.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Scaffold a rule, its cases and its README row.
    Rule(RuleArgs),
}

/// Arguments of `attest new rule`.
#[derive(clap::Args)]
pub struct RuleArgs {
    /// The rule's id, `area.name` (`access.shared-admins`); the file is
    /// `rules/<area>/<name>.rhai`.
    id: String,
    /// A control of the pack's catalog the rule evidences (repeatable; required for a new
    /// rule, refused for an inherited one, whose header is copied).
    #[arg(long = "control", value_name = "ID")]
    controls: Vec<String>,
    /// A facts key the rule reads (repeatable; default: the area's, such as `accounts` for
    /// `access`).
    #[arg(long = "facts", value_name = "KEY")]
    facts: Vec<String>,
    /// The rule's severity: critical, high, medium (the default) or low, in any case.
    #[arg(long)]
    severity: Option<String>,
    /// Who fixes a finding, in any case: IT, Security (the default), HR, Legal, Engineering,
    /// Product, Sales, Finance or Operations.
    #[arg(long)]
    owner: Option<String>,
    /// One line saying what must be true.
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    pack: PackArgs,
}

/// Runs `attest new`.
pub fn run(command: &Command) -> Result<Outcome, String> {
    match command {
        Command::Rule(args) => rule(args),
    }
}

/// The facts key a rule of an area usually reads.
fn area_facts(area: &str) -> Option<&'static str> {
    let key = match area {
        "access" => "accounts",
        "hr" => "people",
        "risk" => "risk_assessments",
        "dr" => "dr_tests",
        "retention" => "data_stores",
        "privacy" => "privacy_requests",
        other => other,
    };
    FACTS_KEYS.iter().copied().find(|k| *k == key)
}

/// Whether `id` is `area.name`: dot-separated words of lowercase letters, digits and `-`.
fn valid_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && !p.starts_with('-')
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        && parts[0].starts_with(|c: char| c.is_ascii_lowercase())
}

fn rule(args: &RuleArgs) -> Result<Outcome, String> {
    let id = args.id.as_str();
    if !valid_id(id) {
        return Err(format!(
            "`{id}` is not a rule id: write `area.name`, in lowercase letters, digits and `-` (such as `access.shared-admins`)"
        ));
    }
    let (config, loaded) = args.pack.load()?;
    let limit = config.max_input_size;
    let PackRef::Dir(dir) = &loaded.source else {
        return Err(
            "the built-in pack cannot be changed: scaffold into your own pack with --pack DIR (one whose pack.toml says `extends = \"soc2\"` keeps every built-in rule)"
                .to_owned(),
        );
    };
    let inherited = base_rule(&loaded, id, limit)?;
    let files = match &inherited {
        Some(base) => copy(args, dir, &base.rule, limit)?,
        None => scaffold(args, &loaded, dir, limit)?,
    };
    write_all(dir, &files)?;

    let show = |path: &str| loaded.source.show_file(path);
    let mut out = String::new();
    match &inherited {
        Some(Inherited { rule: base, off }) => {
            let _ = writeln!(
                out,
                "created {}: a copy of {id} from pack {}",
                show(&files.rule.0),
                base.pack
            );
            if let Some(reason) = off {
                let _ = writeln!(
                    out,
                    "a base of the pack turned {id} off ({}): the copy brings it back",
                    attest_render::escape::line(reason)
                );
            }
            if let Some((cases, _)) = &files.cases {
                let _ = writeln!(out, "created {}: its cases", show(cases));
            }
        }
        None => {
            let _ = writeln!(out, "created {}", show(&files.rule.0));
            if let Some((cases, _)) = &files.cases {
                let _ = writeln!(out, "created {}", show(cases));
            }
        }
    }
    if files.readme.is_some() {
        let _ = writeln!(out, "added {id} to {}", show("README.md"));
    }
    let _ = match &inherited {
        Some(base) => writeln!(
            out,
            "the copy overrides {id} of pack {}: edit it and its cases, then run `attest test {} --filter {id}`",
            base.rule.pack, loaded.source
        ),
        None => writeln!(
            out,
            "next: write the check and its cases, then run `attest test {} --filter {id}`",
            loaded.source
        ),
    };
    Target::Stdout.write(&out)?;
    Ok(Outcome::Clean)
}

/// A rule of the pack's bases that `attest new rule` copies: an inherited rule, or one a
/// base turned off (`off`, the reason it gave), as it was before it was.
struct Inherited {
    rule: Rule,
    off: Option<String>,
}

/// The rule of the pack's bases with the id `id`, active or turned off by a base; `None`
/// for an id new to the pack. Refuses a rule the pack already has, and one the pack itself
/// turns off in `[disable]` (a pack cannot both override and disable a rule).
fn base_rule(loaded: &Loaded, id: &str, limit: SizeLimit) -> Result<Option<Inherited>, String> {
    let pack = &loaded.pack;
    if let Some(existing) = pack.rule(id) {
        if loaded.owns(existing) {
            return Err(format!(
                "rule `{id}` already exists: {}",
                loaded.source.show_file(&existing.path)
            ));
        }
        return Ok(Some(Inherited {
            rule: existing.clone(),
            off: None,
        }));
    }
    let Some(off) = pack.disabled().iter().find(|d| d.meta.id == id) else {
        return Ok(None);
    };
    if pack.manifest().disable.contains_key(id) {
        return Err(format!(
            "{}: [disable] turns `{id}` off ({}): a pack cannot both override and disable a rule; remove the [disable] entry, then run this again to copy the rule",
            loaded.source.show_file("pack.toml"),
            off.reason
        ));
    }
    let rule = last_active(&loaded.source, id, limit)?.ok_or_else(|| {
        format!(
            "`{id}` is turned off by a base of {}, and no base defines it",
            loaded.source
        )
    })?;
    Ok(Some(Inherited {
        rule,
        off: Some(off.reason.clone()),
    }))
}

/// The rule `id` as the last of the bases of `source` that ran it had it (the pack that
/// extends nothing first): the rule a base then turned off.
fn last_active(source: &PackRef, id: &str, limit: SizeLimit) -> Result<Option<Rule>, String> {
    let chain = packs::chain(source, limit)?;
    let mut base: Option<Pack> = None;
    let mut found = None;
    // The pack itself is the chain's first; its bases follow, outermost last.
    for (at, files) in chain.iter().skip(1).rev() {
        let pack = Pack::from_files_extending(files, base.take()).map_err(|e| at.error(e))?;
        if let Some(rule) = pack.rule(id) {
            found = Some(rule.clone());
        }
        base = Some(pack);
    }
    Ok(found)
}

/// What `attest new rule` writes: the rule file, its cases file and the new README, by
/// path within the pack.
struct Files {
    rule: (String, String),
    cases: Option<(String, String)>,
    readme: Option<String>,
}

/// The files of a new rule: its header from the flags, a body that throws its TODO, and
/// TODO cases.
fn scaffold(
    args: &RuleArgs,
    loaded: &Loaded,
    dir: &Path,
    limit: SizeLimit,
) -> Result<Files, String> {
    let id = args.id.as_str();
    let area = id.split_once('.').map_or(id, |(area, _)| area);
    let pack = &loaded.pack;
    // The command that lists the catalog this rule's controls come from.
    let list = match &args.pack.pack {
        Some(dir) => format!("attest list controls --pack {}", inputs::display(dir)),
        None => "attest list controls".to_owned(),
    };
    if args.controls.is_empty() {
        return Err(format!(
            "a new rule needs at least one --control ID: a control of the pack's catalog that `{id}` evidences (see `{list}`)"
        ));
    }
    for c in &args.controls {
        if pack.control(c).is_none() {
            let close = pack
                .controls()
                .iter()
                .find(|k| k.id.eq_ignore_ascii_case(c))
                .map(|k| format!(" (did you mean `{}`?)", k.id))
                .unwrap_or_default();
            return Err(format!(
                "{}: unknown control `{c}`{close}: not in the pack's catalog (see `{list}`)",
                loaded.source
            ));
        }
    }
    let severity = args.severity.as_deref().unwrap_or("medium");
    let severity: Severity = serde_json::from_value(json!(severity.to_ascii_lowercase()))
        .map_err(|_| format!("--severity `{severity}`: expected critical, high, medium or low"))?;
    let owner = args.owner.as_deref().unwrap_or("Security");
    let owner = Owner::from_name(owner)
        .ok_or_else(|| format!("--owner `{owner}`: expected one of {}", Owner::names()))?;
    let facts: Vec<String> = if args.facts.is_empty() {
        vec![area_facts(area).map(str::to_owned).ok_or_else(|| {
            format!(
                "say which facts the rule reads: --facts KEY (one of {})",
                FACTS_KEYS.join(", ")
            )
        })?]
    } else {
        args.facts.clone()
    };
    if let Some(bad) = facts.iter().find(|k| !FACTS_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "--facts `{bad}` is not a facts-v1 key (expected one of {})",
            FACTS_KEYS.join(", ")
        ));
    }
    if let Some(t) = &args.title
        && t.chars().any(char::is_control)
    {
        return Err(format!(
            "--title {t:?}: a title is one line of text, without line breaks or other control characters"
        ));
    }
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("TODO: one line saying what {id} requires"));
    let readme = read_readme(dir, limit)?.map(|text| {
        let row = Row {
            id,
            title: &title,
            controls: &args.controls,
            severity,
            owner,
        };
        readme_with_rule(&text, &row, None)
    });
    let rule_path = rule_path_of(id);
    let cases_path = cases_path_of(&rule_path);
    Ok(Files {
        rule: (
            rule_path,
            rule_file(id, &title, &args.controls, severity, owner, &facts),
        ),
        cases: Some((cases_path, cases_file(&facts))),
        readme,
    })
}

/// The files of an override of the inherited rule `base`: its source and cases as they
/// are, at the path its id gives, and its row of the defining pack's README (in the same
/// table layout), else a row made from its header.
fn copy(args: &RuleArgs, dir: &Path, base: &Rule, limit: SizeLimit) -> Result<Files, String> {
    let id = base.meta.id.as_str();
    let given: Vec<&str> = [
        ("--control", !args.controls.is_empty()),
        ("--facts", !args.facts.is_empty()),
        ("--severity", args.severity.is_some()),
        ("--owner", args.owner.is_some()),
        ("--title", args.title.is_some()),
    ]
    .into_iter()
    .filter_map(|(flag, set)| set.then_some(flag))
    .collect();
    if !given.is_empty() {
        return Err(format!(
            "`{id}` is inherited from pack {}: `attest new rule` copies its header as it is, so {} cannot be given; leave {} out and edit the copy's header",
            base.pack,
            given.join(", "),
            if given.len() == 1 { "it" } else { "them" }
        ));
    }
    let rule_path = rule_path_of(id);
    let cases_path = cases_path_of(&rule_path);
    let readme = read_readme(dir, limit)?.map(|text| {
        let row = Row {
            id,
            title: &base.meta.title,
            controls: &base.meta.controls,
            severity: base.meta.severity,
            owner: base.meta.owner,
        };
        let defined = defining_readme(dir, &base.pack, limit);
        readme_with_rule(&text, &row, defined.as_deref())
    });
    Ok(Files {
        rule: (rule_path, base.source.clone()),
        cases: base.cases.clone().map(|c| (cases_path, c)),
        readme,
    })
}

/// Where a rule's id puts its file: `rules/<area>/<name>.rhai`.
fn rule_path_of(id: &str) -> String {
    let (area, name) = id.split_once('.').unwrap_or((id, id));
    format!("rules/{area}/{name}.rhai")
}

/// The cases file beside a rule file.
fn cases_path_of(rule_path: &str) -> String {
    format!("{}.cases.json", rule_path.trim_end_matches(".rhai"))
}

/// The pack's README, when it has one.
fn read_readme(dir: &Path, limit: SizeLimit) -> Result<Option<String>, String> {
    inputs::read_pack_file(dir, "README.md", limit)
}

/// The README of the pack named `name` that the pack in `dir` extends (directly or not).
fn defining_readme(dir: &Path, name: &str, limit: SizeLimit) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        name: String,
        extends: Option<String>,
    }
    let head = |files: &[PackFile]| {
        let manifest = files.iter().find(|f| f.path == "pack.toml")?;
        toml::from_str::<Head>(&manifest.text).ok()
    };
    let mut at = dir.to_path_buf();
    // `extends` was resolved (cycles refused) when the pack loaded; the bound is a guard.
    for _ in 0..64 {
        let files = PackRef::Dir(at.clone()).files(limit).ok()?;
        let h = head(&files)?;
        if h.name == name {
            return files
                .into_iter()
                .find(|f| f.path == "README.md")
                .map(|f| f.text);
        }
        match PackRef::parse(&h.extends?, &at) {
            // The built-in pack's README is not one of its files.
            PackRef::Builtin => {
                return (name == packs::BUILTIN).then(|| attest_rules::soc2_readme().to_owned());
            }
            PackRef::Dir(base) => at = base,
        }
    }
    None
}

/// Writes every file or none.
fn write_all(dir: &Path, files: &Files) -> Result<(), String> {
    let mut targets: Vec<(PathBuf, &str)> = vec![(dir.join(&files.rule.0), files.rule.1.as_str())];
    if let Some((path, text)) = &files.cases {
        targets.push((dir.join(path), text));
    }
    for (p, _) in &targets {
        if p.exists() {
            return Err(format!("{}: already exists", inputs::shown(p)));
        }
    }
    let readme = dir.join("README.md");
    if let Some(text) = &files.readme {
        targets.push((readme, text));
    }
    let folder = targets[0].0.parent().unwrap_or(Path::new("."));
    let created = !folder.exists();
    std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", inputs::shown(folder)))?;
    let outputs: Vec<(Target<'_>, &str)> = targets
        .iter()
        .map(|(path, text)| (Target::File(path), *text))
        .collect();
    output::write_all(&outputs).inspect_err(|_| {
        if created {
            let _ = std::fs::remove_dir(folder);
        }
    })
}

/// A TOML (and JSON) string literal.
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| quote(i))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rule_file(
    id: &str,
    title: &str,
    controls: &[String],
    severity: Severity,
    owner: Owner,
    facts: &[String],
) -> String {
    let key = facts.first().map_or("accounts", String::as_str);
    format!(
        r#"//! id = {quoted_id}
//! title = {title}
//! controls = [{controls}]
//! severity = "{severity}"
//! owner = "{owner}"
//! facts = [{facts}]
//! remediation = "TODO: what the owner does to fix a finding."
//! rationale = "TODO: why the rule matters."

// The rule sees `facts` (read-only records and lists; the keys in `facts` above are
// present, or the rule is not applicable and never runs; a key it judges without, such as
// the devices of people, goes in `reads = [...]` instead and is read guarded:
// `if facts.devices != () {{ facts.devices }} else {{ [] }}`) and `params` (the pack's
// parameters: declare each one the rule reads in `params = [...]` above). It reports
// with fail(record, message) or warn(record, message); a rule that reports nothing
// passes. Attest's docs/writing-rules.md describes every prelude helper.
//
// A sketch (the field names are examples: see Attest's docs/facts.md):
//
// let owners = index_by(facts.people, "id");         // a join, built once
// for r in facts.{key} {{
//     if r.status != "active" {{ continue; }}
//     if days_since(r.created_on) > params.some_limit_days {{
//         fail(r, `{name} is older than ${{params.some_limit_days}} days`);
//     }}
// }}
//
// Helpers shared by the pack's rules live in its lib/ folder: `import "dates" as d;`.

throw "TODO: write the check of {id} in this file, then make its cases pass";
"#,
        quoted_id = quote(id),
        title = quote(title),
        controls = list(controls),
        severity = severity.as_str(),
        facts = list(facts),
        name = record_name(key),
    )
}

/// How the sketch names a record of `collection` in a message: by its key fields as the
/// facts schema's `x-key` gives them (`${r.system_id}/${r.username}` for accounts), by its
/// place for a collection the schema does not define (`${pointer(r)}`).
fn record_name(collection: &str) -> String {
    let schema: serde_json::Value =
        serde_json::from_str(attest_engine::facts::FACTS_SCHEMA).unwrap_or_default();
    let items = &schema["properties"][collection]["items"];
    let item = items["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|path| schema.pointer(path))
        .unwrap_or(items);
    let fields: Vec<String> = item["x-key"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .map(|f| format!("${{r.{f}}}"))
        .collect();
    match fields.is_empty() {
        true => "${pointer(r)}".to_owned(),
        false => fields.join("/"),
    }
}

fn cases_file(facts: &[String]) -> String {
    let empty: serde_json::Map<String, serde_json::Value> =
        facts.iter().map(|k| (k.clone(), json!([]))).collect();
    let key = facts.first().map_or("accounts", String::as_str);
    let mut cases = vec![
        json!({
            "name": format!("TODO: a compliant record of {key} passes"),
            "facts": empty,
            "expect": {"status": "pass", "entities": []}
        }),
        json!({
            "name": format!("TODO: a record of {key} that breaks the rule fails"),
            "facts": empty,
            "expect": {"status": "fail", "entities": [format!("/{key}/0")]}
        }),
    ];
    // `organization` is always present, so only a rule that reads another key can lack it.
    let absent: Vec<&str> = facts
        .iter()
        .map(String::as_str)
        .filter(|k| *k != "organization")
        .collect();
    if !absent.is_empty() {
        cases.push(json!({
            "name": format!("no {} in the facts is not applicable", absent.join(" or ")),
            "facts": {},
            "expect": {"status": "not_applicable", "entities": []}
        }));
    }
    let mut text = serde_json::to_string_pretty(&cases).unwrap_or_default();
    text.push('\n');
    text
}

/// A rule as its README row shows it.
struct Row<'a> {
    id: &'a str,
    title: &'a str,
    controls: &'a [String],
    severity: Severity,
    owner: Owner,
}

/// The cells of a Markdown table line, trimmed.
fn cells(line: &str) -> Vec<&str> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(str::trim)
        .collect()
}

/// The line of `text`'s rules table (a table whose first column is `Rule`) that heads it.
fn table_header(lines: &[&str]) -> Option<usize> {
    lines.iter().position(|l| {
        l.trim_start()
            .trim_start_matches('|')
            .trim_start()
            .starts_with("Rule")
    })
}

/// The README with a row for the rule: in its rules table, else as a list item at the end.
/// The row is the rule's row in `defined` (the README of the pack that defines it) when
/// that README's rules table has the same columns, else one made from `row`.
fn readme_with_rule(text: &str, row: &Row, defined: Option<&str>) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(header) = table_header(&lines) else {
        let mut out = text.trim_end().to_owned();
        let _ = write!(
            out,
            "\n\n- `{}` ({}): {}\n",
            row.id,
            row.controls.join(", "),
            row.title
        );
        return out;
    };
    let columns = cells(lines[header]);
    let first_cell = format!("`{}`", row.id);
    let copied = defined.and_then(|d| {
        let theirs: Vec<&str> = d.lines().collect();
        let h = table_header(&theirs)?;
        if cells(theirs[h]) != columns {
            return None;
        }
        theirs[h..]
            .iter()
            .take_while(|l| l.trim_start().starts_with('|'))
            .find(|l| cells(l).first() == Some(&first_cell.as_str()))
            .map(|l| l.trim().to_owned())
    });
    let made = || {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match c.to_lowercase().as_str() {
                "rule" => first_cell.clone(),
                "controls" | "control" => row.controls.join(", "),
                "severity" => row.severity.as_str().to_owned(),
                "owner" => row.owner.to_string(),
                // A `|` of the title would end its cell.
                _ => row.title.replace('|', "\\|"),
            })
            .collect();
        format!("| {} |", cells.join(" | "))
    };
    let line = copied.unwrap_or_else(made);
    let end = lines
        .iter()
        .skip(header)
        .position(|l| !l.trim_start().starts_with('|'))
        .map_or(lines.len(), |n| header + n);
    let mut out: Vec<&str> = lines[..end].to_vec();
    out.push(&line);
    out.extend(&lines[end..]);
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}

#[cfg(test)]
mod tests {
    use super::record_name;

    #[test]
    fn the_sketch_names_a_record_by_its_key() {
        assert_eq!(record_name("accounts"), "${r.system_id}/${r.username}");
        assert_eq!(record_name("people"), "${r.id}");
        assert_eq!(record_name("dr_tests"), "${r.system_id}/${r.tested_on}");
        // A collection a pack adds, which the facts schema does not define.
        assert_eq!(record_name("badges"), "${pointer(r)}");
    }
}
