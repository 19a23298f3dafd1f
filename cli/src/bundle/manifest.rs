//! `manifest.json`: what the bundle holds (every other file with its sha256 and size), what
//! was evaluated, and how to evaluate it again.

use super::samples::SampleSpec;
use attest_engine::Limits;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The bundle's manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format's version: "1".
    pub bundle_version: String,
    /// When the bundle was made (RFC 3339, UTC), by the clock of the machine that made it.
    pub created_at: String,
    /// The Attest version that evaluated.
    pub attest_version: String,
    /// `organization.name`.
    pub organization: String,
    /// The as-of date of the evaluation.
    pub as_of: String,
    /// sha256 of the report's JSON (`report/report.json`).
    pub report_digest: String,
    /// sha256 of the canonical facts.
    pub facts_digest: String,
    /// The pack: name, version and digest.
    pub pack: String,
    /// The pack's digest.
    pub pack_digest: String,
    /// How to evaluate the bundle again.
    pub rerun: Rerun,
    /// The ledger slice, when a ledger was given: the entries of the period, and the
    /// bundle's own run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerSlice>,
    /// The folder of every rule's population (the files `attest eval --populations`
    /// writes), as the evaluation gave them: always `populations` (`bundle verify` checks
    /// them there, and names a manifest without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub populations: Option<String>,
    /// Every file of the bundle but this manifest, in path order.
    pub files: Vec<FileDigest>,
}

/// What an evaluation read, as the bundle holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rerun {
    /// Facts files in merge order: (file in the bundle, the name the run gave it).
    pub facts: Vec<Named>,
    /// The pack's folders, the pack first and the pack it extends after it.
    pub pack: Vec<Named>,
    /// The waivers file, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<Named>,
    /// Parameter values set by the configuration and `--param`.
    pub params: IndexMap<String, serde_json::Value>,
    /// `--explain`.
    pub explain: bool,
    /// `--max-operations`.
    pub max_operations: u64,
    /// `--rule-timeout`, in seconds.
    pub rule_timeout: f64,
    /// The samples drawn (`--sample`), kept under `samples/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<SampleSpec>,
    /// `--max-memory`, in MiB (the engine's default in bundles that do not say).
    #[serde(default = "default_max_memory")]
    pub max_memory: u64,
    /// `--max-findings` (the engine's default in bundles that do not say).
    #[serde(default = "default_max_findings")]
    pub max_findings: u64,
    /// The audit period the rules judged (`--period`, the configuration's or the facts'), as
    /// `START..END`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The evidence files, with `--evidence-root`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

fn default_max_memory() -> u64 {
    Limits::default().max_memory >> 20
}

fn default_max_findings() -> u64 {
    Limits::default().max_findings
}

/// The files of an evidence root that the facts' evidence records name (a `sha256` and a
/// relative `uri`), as the bundle holds them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evidence {
    /// The folder in the bundle that stands for the evidence root.
    pub path: String,
    /// The evidence root the run was given.
    pub root: String,
    /// The `uri`s whose file could not be read from the root, and why: the bundle has no
    /// file for them, and evaluating again says the same.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unreadable: BTreeMap<String, String>,
    /// The `uri`s whose path leads out of the root through a link: the bundle has no file for
    /// them, and evaluating again finds them outside the root again.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub outside_root: BTreeSet<String>,
}

/// A file or folder of the bundle and the name it had when evaluated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Named {
    /// Path in the bundle.
    pub path: String,
    /// Its name in the run (reports and findings quote it).
    pub name: String,
}

/// The ledger entries a bundle carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LedgerSlice {
    /// The file in the bundle.
    pub path: String,
    /// The ledger it was taken from.
    pub source: String,
    /// The audit period the slice covers (from the report), or null: the organization's
    /// whole ledger.
    pub period: Option<serde_json::Value>,
    /// The number of entries.
    pub entries: usize,
    /// The hash of the ledger's last entry when the bundle's run was recorded: the run's
    /// own entry, the slice's last (`attest ledger verify --head`).
    pub head: Option<String>,
}

/// A file and its sha256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    /// Path in the bundle.
    pub path: String,
    /// sha256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

impl Manifest {
    /// The manifest as pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
