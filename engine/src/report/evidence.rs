//! The evidence records behind a criterion, as reports list them.

use crate::facts::Origin;
use serde::{Deserialize, Serialize};

/// One `evidence[]` record of a criterion, whether a rule or its evidence decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EvidenceRecord {
    /// The record's key (`evidence/CC1.1/Code of conduct/2026-01-10`).
    pub key: Option<String>,
    /// What the artifact is.
    pub title: String,
    /// Where the artifact lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// When it was collected.
    pub collected_on: String,
    /// When it lapses: its `expires_on`, else 365 days after `collected_on`.
    pub expires_on: Option<String>,
    /// Whether it is current at the as-of date.
    pub state: EvidenceState,
    /// With an evidence root: whether its file matched its `sha256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileCheck>,
    /// The facts file and line of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Origin>,
}

/// Whether an evidence record is current at the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceState {
    /// Collected on or before the as-of date, and not expired.
    Current,
    /// Expired before the as-of date.
    Expired,
    /// Collected after the as-of date, so it does not count yet.
    NotYet,
}

impl EvidenceState {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceState::Current => "current",
            EvidenceState::Expired => "expired",
            EvidenceState::NotYet => "not_yet",
        }
    }
}

/// The outcome of checking an evidence record's file against its `sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileCheck {
    /// The file is there, with the recorded hash.
    Verified,
    /// No file at the `uri` under the evidence root (or it could not be read).
    Missing,
    /// The file's hash differs from the recorded one.
    Mismatch,
    /// The `uri` has a `..` segment that leaves the evidence root, or a link on its path
    /// leads out of it.
    OutsideRoot,
}

impl FileCheck {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FileCheck::Verified => "verified",
            FileCheck::Missing => "missing",
            FileCheck::Mismatch => "mismatch",
            FileCheck::OutsideRoot => "outside_root",
        }
    }
}
