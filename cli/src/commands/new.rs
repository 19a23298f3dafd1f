//! `attest new rule ID --control CC6.1 [--pack DIR]`: scaffolds a rule in a pack folder:
//! the rule file (its header, and a commented body that uses the prelude and stops with a
//! TODO), its cases file (a pass, a fail and a not-applicable case, red until the check
//! is written) and a row in the pack's README when it has one.

use crate::Outcome;
use crate::config::PackArgs;
use crate::output::Target;
use crate::packs::PackRef;
use attest_engine::{Owner, Severity, pack::FACTS_KEYS};
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
    /// A control of the pack's catalog the rule evidences (repeatable).
    #[arg(long = "control", value_name = "ID", required = true)]
    controls: Vec<String>,
    /// A facts key the rule reads (repeatable; default: the area's, such as `accounts` for
    /// `access`).
    #[arg(long = "facts", value_name = "KEY")]
    facts: Vec<String>,
    /// The rule's severity: critical, high, medium or low.
    #[arg(long, default_value = "medium")]
    severity: String,
    /// Who fixes a finding: IT, Security, HR, Legal, Engineering, Sales, Finance or
    /// Operations.
    #[arg(long, default_value = "Security")]
    owner: String,
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
    let (area, name) = id.split_once('.').unwrap_or((id, id));
    let (_, loaded) = args.pack.load()?;
    let PackRef::Dir(dir) = &loaded.source else {
        return Err(
            "the built-in pack cannot be changed: scaffold into your own pack with --pack DIR (one whose pack.toml says `extends = \"soc2\"` keeps every built-in rule)"
                .to_owned(),
        );
    };
    let pack = &loaded.pack;
    for c in &args.controls {
        if pack.control(c).is_none() {
            return Err(format!(
                "{}: unknown control `{c}`: not in the pack's catalog (see `attest list controls`)",
                loaded.source
            ));
        }
    }
    let severity: Severity = serde_json::from_value(json!(args.severity)).map_err(|_| {
        format!(
            "--severity `{}`: expected critical, high, medium or low",
            args.severity
        )
    })?;
    let owner: Owner = serde_json::from_value(json!(args.owner)).map_err(|_| {
        format!(
            "--owner `{}`: expected IT, Security, HR, Legal, Engineering, Sales, Finance or Operations",
            args.owner
        )
    })?;
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
    // An inherited id scaffolds an override, which starts from the inherited title.
    let inherited = match pack.rule(id) {
        Some(existing) if loaded.owns(existing) => {
            return Err(format!(
                "rule `{id}` already exists: {}",
                loaded.source.show_file(&existing.path)
            ));
        }
        other => other,
    };

    let rule_path = format!("rules/{area}/{name}.rhai");
    let cases_path = format!("rules/{area}/{name}.cases.json");
    let title = match (&args.title, inherited) {
        (Some(title), _) => title.clone(),
        (None, Some(rule)) => rule.meta.title.clone(),
        (None, None) => format!("TODO: one line saying what {id} requires"),
    };
    let rule_text = rule_file(id, &title, &args.controls, severity, owner, &facts);
    let cases_text = cases_file(&facts);

    let rule_file_path = dir.join(&rule_path);
    let cases_file_path = dir.join(&cases_path);
    for p in [&rule_file_path, &cases_file_path] {
        if p.exists() {
            return Err(format!("{}: already exists", p.display()));
        }
    }
    let readme = dir.join("README.md");
    let readme_text = match std::fs::read_to_string(&readme) {
        Ok(text) => Some(readme_with_rule(
            &text,
            id,
            &title,
            &args.controls,
            severity,
            owner,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", readme.display())),
    };

    // Write everything or nothing.
    let mut written: Vec<PathBuf> = Vec::new();
    let result = (|| {
        let folder = rule_file_path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        for (path, text) in [
            (&rule_file_path, &rule_text),
            (&cases_file_path, &cases_text),
        ] {
            Target::File(path)
                .write(text)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path.clone());
        }
        if let Some(text) = &readme_text {
            Target::File(&readme)
                .write(text)
                .map_err(|e| format!("{}: {e}", readme.display()))?;
        }
        Ok::<(), String>(())
    })();
    if let Err(e) = result {
        for p in written {
            let _ = std::fs::remove_file(p);
        }
        return Err(e);
    }

    let mut out = String::new();
    let _ = writeln!(out, "created {}", loaded.source.show_file(&rule_path));
    let _ = writeln!(out, "created {}", loaded.source.show_file(&cases_path));
    if readme_text.is_some() {
        let _ = writeln!(
            out,
            "added {id} to {}",
            loaded.source.show_file("README.md")
        );
    }
    if let Some(rule) = inherited {
        let _ = writeln!(out, "the rule overrides {id} of pack {}", rule.pack);
    }
    let _ = writeln!(
        out,
        "next: write the check and its cases, then run `attest test {} --filter {id}`",
        loaded.source
    );
    Target::Stdout
        .write(&out)
        .map_err(|e| format!("stdout: {e}"))?;
    Ok(Outcome::Clean)
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
// present, or the rule is not applicable and never runs) and `params` (the pack's
// parameters: declare each one the rule reads in `params = [...]` above). It reports
// with fail(record, message) or warn(record, message); a rule that reports nothing
// passes. See docs/writing-rules.md for every prelude helper.
//
// A sketch (the field names are examples: see docs/facts.md):
//
// let owners = index_by(facts.people, "id");         // a join, built once
// for r in facts.{key} {{
//     if r.status != "active" {{ continue; }}
//     if days_since(r.created_on) > params.some_limit_days {{
//         fail(r, `${{r.id}} is older than ${{params.some_limit_days}} days`);
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
    )
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

/// The README with a row for the new rule: in its rules table (a table whose first column
/// is `Rule`), else as a list item at the end.
fn readme_with_rule(
    text: &str,
    id: &str,
    title: &str,
    controls: &[String],
    severity: Severity,
    owner: Owner,
) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.iter().position(|l| {
        l.trim_start()
            .trim_start_matches('|')
            .trim_start()
            .starts_with("Rule")
    });
    let Some(header) = header else {
        let mut out = text.trim_end().to_owned();
        let _ = write!(out, "\n\n- `{id}` ({}): {title}\n", controls.join(", "));
        return out;
    };
    let cells: Vec<String> = lines[header]
        .trim()
        .trim_matches('|')
        .split('|')
        .map(|c| match c.trim().to_lowercase().as_str() {
            "rule" => format!("`{id}`"),
            "controls" | "control" => controls.join(", "),
            "severity" => severity.as_str().to_owned(),
            "owner" => owner.to_string(),
            _ => title.to_owned(),
        })
        .collect();
    let row = format!("| {} |", cells.join(" | "));
    let end = lines
        .iter()
        .skip(header)
        .position(|l| !l.trim_start().starts_with('|'))
        .map_or(lines.len(), |n| header + n);
    let mut out: Vec<&str> = lines[..end].to_vec();
    out.push(&row);
    out.extend(&lines[end..]);
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}
