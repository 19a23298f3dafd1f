//! Rule packs: a manifest (`pack.toml`), a control catalog (`controls.toml`), rules
//! (`rules/**/*.rhai`, each with its cases in `*.cases.json` beside it) and helper modules
//! (`lib/*.rhai`), handed to the engine as in-memory files.
//!
//! A pack may extend another (`extends` in its manifest): it inherits the base's catalog,
//! parameters and rules, adds its own, overrides inherited rules by id, disables some with
//! a reason, and sets parameter values. Resolving `extends` to files is the host's job.

mod diagnostic;
mod lint;
pub mod model;
mod rule;
// The pack schema's diagnostics need the `jsonschema` feature: without it (the WebAssembly
// module leaves it out for size), pack files are checked by their parsers and lints only.
#[cfg(feature = "jsonschema")]
mod schema;
mod usage;

pub use diagnostic::{Diagnostic, DiagnosticSeverity, PackError};
pub(crate) use lint::ENGINE_PARAMS;
pub use model::{Category, Owner, ParamType, Severity};
pub use rule::{Rule, RuleMeta};

use crate::digest;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

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
    #[serde(default)]
    pub framework: String,
    /// What the pack covers.
    #[serde(default)]
    pub description: String,
    /// The pack this one builds on: a built-in pack's name or a folder path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Typed parameters with defaults, by name.
    #[serde(default)]
    pub params: IndexMap<String, ParamSpec>,
    /// Values for parameters (inherited or own), overriding their defaults.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub set: IndexMap<String, serde_json::Value>,
    /// Inherited rules turned off, by id, each with the reason.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub disable: IndexMap<String, String>,
}

/// A declared pack parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// The default value (after any `set` of an extending pack).
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

/// An inherited rule the pack turned off, and why.
#[derive(Debug, Clone)]
pub struct DisabledRule {
    /// The rule's metadata (for the controls it maps to).
    pub meta: RuleMeta,
    /// The reason given in `[disable]`.
    pub reason: String,
}

/// A helper module of a pack (`lib/<name>.rhai`), importable by that pack's rules only.
#[derive(Debug, Clone)]
pub struct Module {
    /// The pack that defines it.
    pub pack: String,
    /// Its import name (`lib/dates.rhai` is `dates`).
    pub name: String,
    /// Its file, relative to the pack folder.
    pub path: String,
    /// Its source.
    pub source: String,
}

/// A loaded, checked pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The manifest (parameters merged with the base's, `set` values applied).
    pub manifest: Manifest,
    /// The catalog, in natural id order.
    pub controls: Vec<Control>,
    /// The active rules: inherited ones first, in path order, then the pack's own.
    pub rules: Vec<Rule>,
    /// Inherited rules the pack disabled.
    pub disabled: Vec<DisabledRule>,
    /// Helper modules.
    pub modules: Vec<Module>,
    /// sha256 over every file of the pack and of its bases.
    pub digest: String,
    /// Non-fatal diagnostics (warnings) found while loading.
    pub warnings: Vec<Diagnostic>,
}

impl Pack {
    /// Loads a standalone pack from its files, reporting every problem found.
    pub fn from_files(files: &[PackFile]) -> Result<Pack, PackError> {
        Pack::from_files_extending(files, None)
    }

    /// Loads a pack that extends `base` (required when its manifest says `extends`).
    pub fn from_files_extending(files: &[PackFile], base: Option<Pack>) -> Result<Pack, PackError> {
        let (pack, diags) = load(files, base);
        match pack {
            Some(mut pack) if !diags.iter().any(Diagnostic::is_error) => {
                pack.warnings = diags;
                Ok(pack)
            }
            _ => Err(PackError(
                diags.into_iter().filter(Diagnostic::is_error).collect(),
            )),
        }
    }

    /// A control of the catalog by id.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// An active rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id == id)
    }
}

/// Loads what can be loaded and collects every diagnostic.
pub(crate) fn load(files: &[PackFile], base: Option<Pack>) -> (Option<Pack>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let find = |name: &str| files.iter().find(|f| f.path == name);
    let manifest = match find("pack.toml") {
        None => {
            diags.push(Diagnostic::new(
                "missing-file",
                "pack.toml",
                "the pack has no pack.toml",
            ));
            None
        }
        Some(f) => parse_toml::<Manifest>(f, "invalid-manifest", &mut diags),
    };
    let Some(mut manifest) = manifest else {
        return (None, diags);
    };
    let manifest_text = find("pack.toml").map_or("", |f| f.text.as_str());
    if manifest.extends.is_some() && base.is_none() {
        diags.push(Diagnostic::new(
            "unresolved-extends",
            "pack.toml",
            format!(
                "the pack extends `{}`, which was not provided",
                manifest.extends.as_deref().unwrap_or_default()
            ),
        ));
    }
    let base = base.filter(|_| manifest.extends.is_some());

    // Catalog: the base's, then this pack's entries (replacing same ids).
    let mut controls = base
        .as_ref()
        .map(|b| b.controls.clone())
        .unwrap_or_default();
    match find("controls.toml") {
        Some(f) => {
            let own = parse_toml::<Catalog>(f, "invalid-catalog", &mut diags);
            for c in own.map(|c| c.control).unwrap_or_default() {
                if let Some(slot) = controls.iter_mut().find(|x| x.id == c.id) {
                    if base.is_none() {
                        diags.push(Diagnostic::new(
                            "duplicate-control",
                            "controls.toml",
                            format!("control `{}` is listed twice", c.id),
                        ));
                    }
                    *slot = c;
                } else {
                    controls.push(c);
                }
            }
        }
        None if base.is_none() => diags.push(Diagnostic::new(
            "missing-file",
            "controls.toml",
            "the pack has no controls.toml (the control catalog)",
        )),
        None => {}
    }
    controls.sort_by(|a, b| model::natural_cmp(&a.id, &b.id));

    // Parameters: the base's (with its values), then this pack's declarations and `set`.
    let own_params = std::mem::take(&mut manifest.params);
    let mut params = base
        .as_ref()
        .map(|b| b.manifest.params.clone())
        .unwrap_or_default();
    for (name, spec) in own_params {
        let at = lint::toml_key_line(manifest_text, &name);
        if params.contains_key(&name) {
            diags.push(lint::at_line(
                Diagnostic::new(
                    "duplicate-param",
                    "pack.toml",
                    format!("parameter `{name}` is already declared by the base pack; use [set] to change its value"),
                ),
                at,
            ));
            continue;
        }
        if let Err(e) = spec.kind.check(&spec.default) {
            diags.push(lint::at_line(
                Diagnostic::new(
                    "invalid-param",
                    "pack.toml",
                    format!("parameter `{name}`: default {e}"),
                ),
                at,
            ));
        }
        params.insert(name, spec);
    }
    for (name, value) in &manifest.set {
        let at = lint::toml_key_line(manifest_text, name);
        match params.get_mut(name) {
            None => diags.push(lint::at_line(
                Diagnostic::new(
                    "undeclared-param",
                    "pack.toml",
                    format!("[set] `{name}`: no such parameter in this pack or its base"),
                ),
                at,
            )),
            Some(spec) => match spec.kind.check(value) {
                Ok(()) => spec.default = value.clone(),
                Err(e) => diags.push(lint::at_line(
                    Diagnostic::new("invalid-param", "pack.toml", format!("[set] `{name}`: {e}")),
                    at,
                )),
            },
        }
    }
    manifest.params = params;

    // Rules and modules of this pack.
    let mut sorted: Vec<&PackFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut own_rules = Vec::new();
    let mut modules = base.as_ref().map(|b| b.modules.clone()).unwrap_or_default();
    for f in &sorted {
        if f.path.starts_with("rules/") && f.path.ends_with(".rhai") {
            match rule::parse(&f.path, &f.text) {
                Ok(meta) => {
                    let cases_path = format!("{}.cases.json", f.path.trim_end_matches(".rhai"));
                    own_rules.push(Rule {
                        meta,
                        pack: manifest.name.clone(),
                        path: f.path.clone(),
                        source: f.text.clone(),
                        cases: find(&cases_path).map(|c| c.text.clone()),
                    });
                }
                Err(d) => diags.push(d),
            }
        } else if let Some(name) = f
            .path
            .strip_prefix("lib/")
            .and_then(|p| p.strip_suffix(".rhai"))
        {
            modules.push(Module {
                pack: manifest.name.clone(),
                name: name.to_owned(),
                path: f.path.clone(),
                source: f.text.clone(),
            });
        }
    }

    // Inherited rules, minus the overridden and the disabled.
    let mut rules = Vec::new();
    let mut disabled = base
        .as_ref()
        .map(|b| b.disabled.clone())
        .unwrap_or_default();
    let inherited = base.as_ref().map(|b| b.rules.clone()).unwrap_or_default();
    for (id, reason) in &manifest.disable {
        if !inherited.iter().any(|r| &r.meta.id == id) {
            diags.push(lint::at_line(
                Diagnostic::new(
                    "unknown-rule",
                    "pack.toml",
                    format!("[disable] `{id}`: the base pack has no such rule"),
                ),
                lint::toml_key_line(manifest_text, id),
            ));
        }
        if reason.trim().is_empty() {
            diags.push(lint::at_line(
                Diagnostic::new(
                    "missing-reason",
                    "pack.toml",
                    format!("[disable] `{id}`: give the reason the rule is turned off"),
                ),
                lint::toml_key_line(manifest_text, id),
            ));
        }
    }
    for r in inherited {
        if let Some(reason) = manifest.disable.get(&r.meta.id) {
            disabled.push(DisabledRule {
                meta: r.meta,
                reason: reason.clone(),
            });
        } else if !own_rules.iter().any(|o| o.meta.id == r.meta.id) {
            rules.push(r);
        }
    }
    let first_own = rules.len();
    rules.extend(own_rules);
    lint::rules(&rules[first_own..], &controls, &manifest, &mut diags);
    lint::unused_params(&rules, &manifest, manifest_text, base.is_some(), &mut diags);

    // Schema checks, except for files whose syntax or shape is already reported.
    #[allow(unused_mut)]
    let mut shaped: Vec<Diagnostic> = Vec::new();
    #[cfg(feature = "jsonschema")]
    schema::check(files, &mut shaped);
    let broken: Vec<String> = diags
        .iter()
        .filter(|d| d.code.starts_with("invalid-"))
        .map(|d| d.file.clone())
        .collect();
    diags.extend(shaped.into_iter().filter(|d| !broken.contains(&d.file)));

    let own_digest = digest::files(files.iter().map(|f| (f.path.as_str(), f.text.as_str())));
    let digest = match &base {
        Some(b) => digest::files([("base", b.digest.as_str()), ("pack", own_digest.as_str())]),
        None => own_digest,
    };
    let pack = Pack {
        manifest,
        controls,
        rules,
        disabled,
        modules,
        digest,
        warnings: Vec::new(),
    };
    (Some(pack), diags)
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    f: &PackFile,
    code: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    toml::from_str::<T>(&f.text)
        .map_err(|e| {
            let d = Diagnostic::new(code, &f.path, e.message().to_owned());
            diags.push(match e.span() {
                Some(span) => d.at_offset(&f.text, span.start),
                None => d,
            });
        })
        .ok()
}
