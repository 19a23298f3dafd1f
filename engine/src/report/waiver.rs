//! Waivers as the report carries them: the waiver, where it stands on the as-of date, and
//! how many findings it matches. Reading and applying a waivers file is `crate::waivers`.

use crate::facts::Origin;
use serde::{Deserialize, Serialize};

/// One waiver: what it covers, who approved it, why, and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// The rule it covers (every rule of `control` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The control it covers (the rule in every control when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// A JSON Pointer, or a pattern with `*` segments: it covers findings at or under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// Why the risk is accepted.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// When it was approved (`YYYY-MM-DD`); it covers nothing before.
    pub approved_on: String,
    /// The last day it covers anything (`YYYY-MM-DD`).
    pub expires_on: String,
    /// Where it is written: the waivers file and the line where it starts.
    pub source: Origin,
}

impl Waiver {
    /// Who approved it and for how long, and where it is written:
    /// `approved by CISO on 2026-05-04, until 2026-09-30; waivers.json:5`.
    pub fn approval(&self) -> String {
        format!(
            "approved by {} on {}, until {}; {}:{}",
            self.approved_by, self.approved_on, self.expires_on, self.source.file, self.source.line
        )
    }

    /// What it covers, in words: `rule access.mfa-privileged, control CC6.1, entity /accounts/3`.
    pub fn scope(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = &self.rule {
            parts.push(format!("rule {r}"));
        }
        if let Some(c) = &self.control {
            parts.push(format!("control {c}"));
        }
        if let Some(e) = &self.entity {
            parts.push(format!("entity {e}"));
        }
        parts.join(", ")
    }
}

/// Where a waiver stands on the report's as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// In force, and covering at least one failing finding.
    Active,
    /// In force, but it matches no failing finding: remove it.
    Stale,
    /// Past its `expires_on`: it covers nothing any more.
    Expired,
    /// Approved after the as-of date: it covers nothing yet.
    Pending,
}

impl WaiverState {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverState::Active => "active",
            WaiverState::Stale => "stale",
            WaiverState::Expired => "expired",
            WaiverState::Pending => "pending",
        }
    }
}

/// A waiver as the report lists it: the waiver, its state and how many findings it matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WaiverResult {
    /// The waiver.
    #[serde(flatten)]
    pub waiver: Waiver,
    /// Where it stands on the as-of date.
    pub state: WaiverState,
    /// Failing findings it matches (a finding repeated under several controls counts once);
    /// for an expired or pending waiver, the findings it would cover.
    pub matches: u32,
}

impl WaiverResult {
    /// Its state in words, e.g. `expired on 2026-05-31: it covers nothing any more`.
    pub fn explain(&self) -> String {
        let w = &self.waiver;
        let findings = |n: u32| format!("{n} failing finding{}", if n == 1 { "" } else { "s" });
        match self.state {
            WaiverState::Active => {
                format!("covers {} until {}", findings(self.matches), w.expires_on)
            }
            WaiverState::Stale => "matches no failing finding: remove it".to_owned(),
            WaiverState::Expired => format!(
                "expired on {}: {} no longer covered",
                w.expires_on,
                findings(self.matches)
            ),
            WaiverState::Pending => format!(
                "approved on {}, after the as-of date: not in force yet",
                w.approved_on
            ),
        }
    }

    /// For a waiver that names its record by JSON Pointer, which moves when a record is
    /// added before it: advice to name the record by its key instead (the key of a finding it
    /// covers in `report`, when it covers one).
    pub fn pointer_advice(&self, report: &super::Report) -> Option<String> {
        let entity = self.waiver.entity.as_deref()?;
        if !entity.starts_with('/') {
            return None;
        }
        let key = report
            .rules
            .iter()
            .flat_map(|r| &r.findings)
            .find(|f| f.waiver.as_ref().is_some_and(|w| w == &self.waiver))
            .and_then(|f| f.key.as_deref());
        Some(match key {
            Some(key) => format!(
                "entity `{entity}` is a JSON Pointer, which moves when records are added before it: write its key, `{key}`"
            ),
            None => format!(
                "entity `{entity}` is a JSON Pointer, which moves when records are added before it: write the record's key instead (docs/facts.md)"
            ),
        })
    }
}
