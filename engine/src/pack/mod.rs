//! Rule packs: a manifest (`pack.toml`), a control catalog (`controls.toml`) and rules
//! (`rules/**/*.rhai`, each with its cases in `*.cases.json` beside it), handed to the
//! engine as in-memory files.

mod diagnostic;
pub mod model;
mod rule;

pub use diagnostic::{Diagnostic, PackError};
pub use model::{Category, Owner, ParamType, Severity};
pub use rule::{Rule, RuleMeta};

use crate::digest;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One file of a pack: its path relative to the pack folder (`/`-separated) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackFile {
    /// Path relative to the pack folder, e.g. `rules/access/mfa-privileged.rhai`.
    pub path: String,
    /// The file's text.
    pub text: String,
}

impl PackFile {
    /// A pack file from a path and text.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> PackFile {
        PackFile {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// `pack.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// The framework the pack maps to (`SOC 2`).
    pub framework: String,
    /// What the pack covers.
    pub description: String,
    /// Typed parameters with defaults, by name.
    #[serde(default)]
    pub params: IndexMap<String, ParamSpec>,
}

/// A declared pack parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// The default value.
    pub default: serde_json::Value,
    /// What it controls.
    pub description: String,
}

/// One criterion of the catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The criterion id (`CC6.1`).
    pub id: String,
    /// Its Trust Services Category.
    pub category: Category,
    /// Its group (`Logical and Physical Access Controls`).
    pub group: String,
    /// A short title.
    pub title: String,
    /// Who collects evidence for it when no rule checks it.
    #[serde(default)]
    pub evidence_owner: Option<Owner>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    control: Vec<Control>,
}

/// A loaded, checked pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The manifest.
    pub manifest: Manifest,
    /// The catalog, in natural id order.
    pub controls: Vec<Control>,
    /// The rules, in path order.
    pub rules: Vec<Rule>,
    /// Rule case files (`*.cases.json`) by path.
    pub cases: Vec<PackFile>,
    /// sha256 over every file of the pack.
    pub digest: String,
}

impl Pack {
    /// Loads a pack from its files, reporting every problem found.
    pub fn from_files(files: &[PackFile]) -> Result<Pack, PackError> {
        let mut diags = Vec::new();
        let find = |name: &str| files.iter().find(|f| f.path == name);
        let manifest = match find("pack.toml") {
            None => {
                diags.push(Diagnostic::new("pack.toml", "the pack has no pack.toml"));
                None
            }
            Some(f) => parse_toml::<Manifest>(f, &mut diags),
        };
        let catalog = match find("controls.toml") {
            None => {
                diags.push(Diagnostic::new(
                    "controls.toml",
                    "the pack has no controls.toml (the control catalog)",
                ));
                None
            }
            Some(f) => parse_toml::<Catalog>(f, &mut diags),
        };
        if let Some(m) = &manifest {
            check_params(m, &mut diags);
        }
        let mut controls = catalog.map(|c| c.control).unwrap_or_default();
        controls.sort_by(|a, b| model::natural_cmp(&a.id, &b.id));
        check_catalog(&controls, &mut diags);

        let mut sorted: Vec<&PackFile> = files.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        let mut rules = Vec::new();
        let mut cases = Vec::new();
        for f in sorted {
            if f.path.ends_with(".cases.json") {
                cases.push(f.clone());
            } else if f.path.starts_with("rules/") && f.path.ends_with(".rhai") {
                match rule::parse(&f.path, &f.text) {
                    Ok(meta) => rules.push(Rule {
                        meta,
                        path: f.path.clone(),
                        source: f.text.clone(),
                    }),
                    Err(d) => diags.push(d),
                }
            }
        }
        if let (Some(m), true) = (&manifest, !controls.is_empty()) {
            check_rules(&rules, &controls, m, &mut diags);
        }
        match manifest {
            Some(manifest) if diags.is_empty() => Ok(Pack {
                manifest,
                controls,
                rules,
                cases,
                digest: digest::files(files.iter().map(|f| (f.path.as_str(), f.text.as_str()))),
            }),
            _ => Err(PackError(diags)),
        }
    }

    /// A control of the catalog by id.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id == id)
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    f: &PackFile,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    toml::from_str::<T>(&f.text)
        .map_err(|e| {
            let d = Diagnostic::new(&f.path, e.message().to_owned());
            diags.push(match e.span() {
                Some(span) => d.at_offset(&f.text, span.start),
                None => d,
            });
        })
        .ok()
}

fn check_params(m: &Manifest, diags: &mut Vec<Diagnostic>) {
    for (name, spec) in &m.params {
        if let Err(e) = spec.kind.check(&spec.default) {
            diags.push(Diagnostic::new(
                "pack.toml",
                format!("parameter `{name}`: default {e}"),
            ));
        }
    }
}

fn check_catalog(controls: &[Control], diags: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for c in controls {
        if !seen.insert(c.id.as_str()) {
            diags.push(Diagnostic::new(
                "controls.toml",
                format!("control `{}` is listed twice", c.id),
            ));
        }
    }
}

fn check_rules(rules: &[Rule], controls: &[Control], m: &Manifest, diags: &mut Vec<Diagnostic>) {
    let known: HashSet<&str> = controls.iter().map(|c| c.id.as_str()).collect();
    let mut ids: IndexMap<&str, &str> = IndexMap::new();
    for r in rules {
        let at = |what: String| {
            let d = Diagnostic::new(&r.path, what);
            match header_line(&r.source, field_key(&d.message)) {
                Some(line) => d.at(line, 1),
                None => d,
            }
        };
        if let Some(first) = ids.insert(&r.meta.id, &r.path) {
            diags.push(at(format!(
                "id: rule id `{}` is already used by {first}",
                r.meta.id
            )));
        }
        if r.meta.controls.is_empty() {
            diags.push(at(
                "controls: a rule must map to at least one control".into()
            ));
        }
        for c in &r.meta.controls {
            if !known.contains(c.as_str()) {
                diags.push(at(format!(
                    "controls: unknown control `{c}`: not in the pack's controls.toml"
                )));
            }
        }
        for k in &r.meta.facts {
            if !model::FACTS_KEYS.contains(&k.as_str()) {
                diags.push(at(format!(
                    "facts: `{k}` is not a facts-v1 key (expected one of {})",
                    model::FACTS_KEYS.join(", ")
                )));
            }
        }
        for p in &r.meta.params {
            if !m.params.contains_key(p) {
                diags.push(at(format!(
                    "params: parameter `{p}` is not declared in pack.toml"
                )));
            }
        }
    }
}

/// The header field a rule diagnostic is about (the text before the first colon).
fn field_key(message: &str) -> &str {
    message.split(':').next().unwrap_or("")
}

/// The line of a rule header field (`//! controls = ...`).
fn header_line(source: &str, key: &str) -> Option<u32> {
    source
        .lines()
        .take_while(|l| l.trim_start().starts_with("//!"))
        .position(|l| {
            l.trim_start()
                .trim_start_matches("//!")
                .trim_start()
                .starts_with(key)
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}
