//! One ledger entry: what a run evaluated and concluded, chained to the entry before it by
//! that entry's hash. The hash is the sha256 of the entry's canonical JSON (keys sorted, no
//! whitespace) without its `hash` member, so it covers every member, `prev` included.

use attest_engine::diff::Side;
use attest_engine::period::Period;
use attest_engine::report::Summary;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The version of the entry format this `attest` writes.
pub const LEDGER_VERSION: &str = "1";

/// One run, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The entry format's version: "1".
    pub ledger_version: String,
    /// The entry's number in its ledger, from 1.
    pub seq: u64,
    /// When the run started, by the clock of the machine that ran it (RFC 3339, UTC).
    pub run_at: String,
    /// The as-of date the rules saw.
    pub as_of: String,
    /// The report's audit period, when the report states one (as written in the report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Value>,
    /// `organization.name` of the facts.
    pub organization: String,
    /// sha256 of the canonical facts (the report's `facts.digest`).
    pub facts_digest: String,
    /// The pack evaluated.
    pub pack: PackRef,
    /// The parameters the run set in place of the pack's (the report's `params`; absent when
    /// it set none).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: attest_engine::report::Params,
    /// The report: its digest, and where its JSON was written.
    pub report: ReportRef,
    /// The report's summary: control statuses overall and per category.
    pub summary: Summary,
    /// The failures of the run: failing findings (waived ones aside) and rules in error, by
    /// rule and record key.
    pub failing: Vec<Failure>,
    /// Of the failures of the organization's previous run in the ledger ([`previous`]) that
    /// this run does not have, those it did not judge, with why (the others it resolved), as
    /// `attest diff` tells them apart ([`attest_engine::diff::Later`]). Absent for an
    /// organization's first run, and in entries of an `attest` that did not record it (or
    /// that could not tell, when a run of the organization was recorded while it ran): their
    /// history cannot tell resolved failures from those no longer judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unjudged: Option<Vec<Unjudged>>,
    /// The hash of the entry before this one; null for the first entry.
    pub prev: Option<String>,
    /// sha256 of this entry's canonical JSON without this member.
    pub hash: String,
}

/// Which pack, exactly (the report's `pack`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackRef {
    /// The pack's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// sha256 over its files.
    pub digest: String,
}

/// The report a run produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRef {
    /// sha256 of the report's JSON (`attest eval --format json`), whether or not it was
    /// written.
    pub digest: String,
    /// Where the JSON report was written, as given on the command line; null when the run
    /// wrote no JSON report to a file.
    pub path: Option<String>,
}

/// One failure: a failing finding about a record (by its key; null for a finding about no
/// record) or a rule in error (`error` true).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Failure {
    /// The rule id (`evidence/<criterion>` for an evidence check).
    pub rule: String,
    /// The record's key, or null.
    pub key: Option<String>,
    /// Whether the rule could not answer (rather than a failing finding).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub error: bool,
}

/// A failure of the previous run that a run did not judge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unjudged {
    /// The failure.
    #[serde(flatten)]
    pub failure: Failure,
    /// Why the run did not judge it, as `attest diff` says it (`the pack turned the rule
    /// off: ...`).
    pub why: String,
}

/// The organization's run before `entries`' end: the last entry of `organization` among
/// `entries`, which `attest history` compares a run with (and a run records what it no
/// longer judged of).
pub fn previous<'e>(entries: &'e [Entry], organization: &str) -> Option<&'e Entry> {
    entries
        .iter()
        .rev()
        .find(|e| e.organization == organization)
}

impl Entry {
    /// The run as a side of a comparison ([`attest_engine::diff::Side`]): what `attest
    /// diff` looks at to say that two runs evaluated different packs, parameters or audit
    /// periods.
    pub fn side(&self) -> Side {
        Side {
            organization: self.organization.clone(),
            evaluated_on: self.as_of.clone(),
            period: self.period(),
            pack: format!("{} {}", self.pack.name, self.pack.version),
            pack_digest: self.pack.digest.clone(),
            params: self.params.clone(),
            facts_digest: self.facts_digest.clone(),
        }
    }

    /// The audit period the run judged, if any.
    pub fn period(&self) -> Option<Period> {
        self.period
            .as_ref()
            .and_then(|p| serde_json::from_value(p.clone()).ok())
    }

    /// The hash the entry should carry: sha256 of its canonical JSON without `hash`.
    pub fn compute_hash(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        hash_of(&mut value)
    }

    /// The entry as one line of the ledger, newline included.
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }
}

/// sha256 (hex) of a ledger line's object without its `hash` member, in canonical form.
pub fn hash_of(value: &mut Value) -> String {
    if let Value::Object(map) = value {
        map.shift_remove("hash");
    }
    let mut text = String::new();
    canonical(value, &mut text);
    sha256(text.as_bytes())
}

/// sha256 of `bytes`, as 64 lowercase hex digits.
pub fn sha256(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// `value` as JSON with object keys sorted (by their UTF-8 bytes) and no whitespace.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_hash_ignores_key_order_and_whitespace_but_not_content() {
        let mut a = json!({"b": 1, "a": [1, {"y": 2, "x": "s"}], "hash": "x"});
        let mut b: Value =
            serde_json::from_str(r#"{ "a" : [1, {"x": "s", "y": 2}], "hash": "other", "b": 1 }"#)
                .unwrap_or(Value::Null);
        let mut c = json!({"b": 2, "a": [1, {"y": 2, "x": "s"}]});
        assert_eq!(hash_of(&mut a), hash_of(&mut b));
        assert_ne!(hash_of(&mut a), hash_of(&mut c));
    }
}
