//! Rule packs: a manifest (`pack.toml`), a control catalog (`controls.toml`), rules
//! (`rules/**/*.rhai`, each with its cases in `*.cases.json` beside it) and helper modules
//! (`lib/*.rhai`), handed to the engine as in-memory files.
//!
//! A pack may extend another (`extends` in its manifest): it inherits the base's catalog,
//! parameters and rules, adds its own, overrides inherited rules by id, disables some with
//! a reason, and sets parameter values. Resolving `extends` to files is the host's job.

mod analysis;
mod diagnostic;
mod from_toml;
mod lint;
mod load;
mod model;
mod reads;
mod rule;
// The pack schema's diagnostics need the `jsonschema` feature: without it (the WebAssembly
// module leaves it out for size), pack files are checked by their parsers and lints only.
#[cfg(feature = "jsonschema")]
mod schema;
mod span;

pub use diagnostic::{Diagnostic, DiagnosticCode, DiagnosticSeverity, PackError};
pub use from_toml::declared_base;
pub(crate) use lint::ENGINE_PARAMS;
pub(crate) use load::load;
pub use model::{Category, FACTS_KEYS, Frequency, Owner, ParamType, Severity, natural_cmp};
pub use rule::Rule;

use crate::facts::{Criteria, FactsSchema, LoadOptions};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The file of a pack that extends the facts schema (see `crate::facts::extension`).
pub const FACTS_EXTENSION: &str = "facts.schema.json";

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

/// Whether a file of a pack folder, at `path` (relative, `/`-separated), is one of the pack's
/// files: its name ends in `.toml`, `.rhai` or `.json` (after at least one other character).
/// The one rule of what a pack is made of: `attest` reads no other file of a pack folder, and
/// loading a pack ignores any other file it is given (a `README.md`, a `notes.txt`), so that
/// a host handing over a whole folder gets the same pack, and the same digest, as `attest`.
pub fn is_pack_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty() && matches!(extension, "toml" | "rhai" | "json")
    })
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
    /// The only values a `string` (or each item of a `string_list`) may take, matched in any
    /// case: a value outside them would match no record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

impl ParamSpec {
    /// Checks a value against the type and the allowed values; the error says what was
    /// expected.
    pub fn check(&self, value: &serde_json::Value) -> Result<(), String> {
        self.kind.check(value)?;
        let Some(allowed) = &self.values else {
            return Ok(());
        };
        let items = match value {
            serde_json::Value::Array(items) => items.as_slice(),
            one => std::slice::from_ref(one),
        };
        let known = |s: &str| allowed.iter().any(|a| a.to_lowercase() == s.to_lowercase());
        match items.iter().filter_map(|v| v.as_str()).find(|s| !known(s)) {
            None => Ok(()),
            Some(bad) => {
                let names: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
                Err(format!(
                    "{bad:?} is not one of {} (matched in any case)",
                    names.join(", ")
                ))
            }
        }
    }
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

/// What a rule declares about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// Stable id, `area.name` (e.g. `access.mfa-privileged`).
    pub id: String,
    /// One line saying what must be true.
    pub title: String,
    /// The criteria the rule evidences (ids from the catalog).
    pub controls: Vec<String>,
    /// How bad a failure is.
    pub severity: Severity,
    /// Who fixes a finding.
    pub owner: Owner,
    /// How often the control operates (absent: each event, every record its own
    /// occurrence); sets the default size of a sample of its population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<Frequency>,
    /// The facts keys the rule needs; when one is absent the rule is not applicable.
    pub facts: Vec<String>,
    /// The facts keys the rule reads but judges without: one the facts lack, the rule takes
    /// as `[]` (it reads it guarded); it never makes the rule not applicable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<String>,
    /// The pack parameters the rule reads.
    #[serde(default)]
    pub params: Vec<String>,
    /// What the owner does to fix a finding.
    pub remediation: String,
    /// Why the rule matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

impl RuleMeta {
    /// Every facts key the rule's header names, `facts` then `reads`: those whose fields
    /// `attest check` checks where the rule reads them, and its population lists as read.
    pub fn collections(&self) -> Vec<String> {
        self.facts.iter().chain(&self.reads).cloned().collect()
    }
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

/// A loaded, checked pack. Its parts are read through methods: a pack is validated when it
/// is loaded, and stays as loaded.
#[derive(Debug, Clone)]
pub struct Pack {
    pub(crate) manifest: Manifest,
    pub(crate) controls: Vec<Control>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) disabled: Vec<DisabledRule>,
    pub(crate) modules: Vec<Module>,
    pub(crate) facts_schema: Option<Arc<FactsSchema>>,
    pub(crate) digest: String,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl Pack {
    /// Loads a standalone pack from its files, reporting every problem found. Files that are
    /// no pack files ([`is_pack_file`]) are ignored.
    pub fn from_files(files: &[PackFile]) -> Result<Pack, PackError> {
        Pack::from_files_extending(files, None)
    }

    /// Loads a pack that extends `base` (required when its manifest says `extends`).
    pub fn from_files_extending(files: &[PackFile], base: Option<Pack>) -> Result<Pack, PackError> {
        Pack::loaded(load(files, base, None))
    }

    /// Loads `files` (extending `base`, if given) as [`Pack::from_files_extending`] does,
    /// taking from this pack what linting worked out for each rule it has with the same path
    /// and text under the same facts contract: the result and every diagnostic are those of
    /// a fresh load, in a fraction of the time when few rules changed (an overlay on a pack).
    pub fn reload(&self, files: &[PackFile], base: Option<Pack>) -> Result<Pack, PackError> {
        Pack::loaded(load(files, base, Some(self)))
    }

    /// The rule loaded from a file of this path and text, if there is one. A pack loads only
    /// without errors, so such a file met every check that looks at the file alone.
    pub(crate) fn same_rule(&self, path: &str, text: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.path == path && r.source == text)
    }

    /// The pack with its warnings, or its errors.
    fn loaded((pack, diags): (Option<Pack>, Vec<Diagnostic>)) -> Result<Pack, PackError> {
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

    /// The manifest (parameters merged with the base's, `set` values applied).
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The catalog, in natural id order.
    pub fn controls(&self) -> &[Control] {
        &self.controls
    }

    /// The active rules: inherited ones first, in path order, then the pack's own.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Inherited rules the pack disabled.
    pub fn disabled(&self) -> &[DisabledRule] {
        &self.disabled
    }

    /// Helper modules (`lib/*.rhai`).
    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// The facts schema of the pack when it or one of its bases extends facts-v1
    /// (`facts.schema.json`): facts-v1 with their collections and fields. `None` when none
    /// does: facts-v1 alone. Facts meant for the pack are loaded with it
    /// ([`crate::facts::LoadOptions::schema`]).
    pub fn facts_schema(&self) -> Option<&Arc<FactsSchema>> {
        self.facts_schema.as_ref()
    }

    /// The criteria of its catalog, for checking the criteria the evidence records of facts
    /// meant for this pack name ([`crate::facts::LoadOptions::criteria`]).
    pub fn criteria(&self) -> Criteria {
        Criteria::new(
            self.manifest.name.as_str(),
            self.controls.iter().map(|c| c.id.as_str()),
        )
    }

    /// How to load facts meant for this pack: against its facts schema
    /// ([`Pack::facts_schema`]), with their evidence checked against its criteria
    /// ([`Pack::criteria`]); `strict` as [`LoadOptions::strict`] says.
    pub fn load_options(&self, strict: bool) -> LoadOptions {
        LoadOptions {
            strict,
            schema: self.facts_schema().cloned(),
            criteria: Some(Arc::new(self.criteria())),
            unchecked_references: false,
        }
    }

    /// sha256 over every pack file ([`is_pack_file`]) of the pack and of its bases, but the
    /// rules' cases.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// Non-fatal diagnostics (warnings) found while loading.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// A control of the catalog by id.
    pub fn control(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// An active rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id == id)
    }

    /// The rule id (active or disabled), control id or parameter name of the pack closest to
    /// a mistyped `name`, if one is close enough to suggest.
    pub fn did_you_mean(&self, name: &str) -> Option<&str> {
        let rules = self.rules.iter().map(|r| r.meta.id.as_str());
        let disabled = self.disabled.iter().map(|d| d.meta.id.as_str());
        let controls = self.controls.iter().map(|c| c.id.as_str());
        let params = self.manifest.params.keys().map(String::as_str);
        crate::suggest::closest(name, rules.chain(disabled).chain(controls).chain(params))
    }

    /// The active rule id closest to a mistyped `name`, if one is close enough to suggest:
    /// for a command that takes a rule and nothing else.
    pub fn did_you_mean_rule(&self, name: &str) -> Option<&str> {
        crate::suggest::closest(name, self.rules.iter().map(|r| r.meta.id.as_str()))
    }
}
