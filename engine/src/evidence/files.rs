//! With an evidence root, each evidence record with a `sha256` and a relative `uri` is
//! checked against the file the host read there: a missing file or a different hash is a
//! failing finding on the record's criterion, from the check `evidence-files/<criterion>`.

use super::{Judge, owner_of, records_of, text};
use crate::facts::tree::Record;
use crate::facts::uris;
use crate::pack::{Control, Severity};
use crate::population;
use crate::report::{
    EVIDENCE_FILES_RULE, Explanation, FileCheck, Finding, FindingStatus, RuleResult, Status,
};
use std::collections::BTreeMap;

/// What the host found at an evidence record's relative `uri` under the evidence root
/// ([`EvalOptions::with_evidence_files`](crate::EvalOptions::with_evidence_files)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvidenceFile {
    /// The file was read: its SHA-256 (hex).
    Read(String),
    /// The file could not be read, and why.
    Unreadable(String),
    /// The path leads out of the evidence root once links on it are followed (a link
    /// inside the root points outside it): the file was not read. The record is
    /// `outside_root`, as one whose `uri` climbs out of the root with `..`.
    OutsideRoot,
}

impl From<Result<String, String>> for EvidenceFile {
    /// A hash read, or why no file could be read.
    fn from(found: Result<String, String>) -> EvidenceFile {
        match found {
            Ok(hash) => EvidenceFile::Read(hash),
            Err(why) => EvidenceFile::Unreadable(why),
        }
    }
}

/// What the host found for each relative `uri`: the file's SHA-256 (hex), why it could not
/// be read, or that a link on its path leads out of the root.
pub(crate) type Files = BTreeMap<String, EvidenceFile>;

/// The outcome of checking one record's file, with what went wrong; `None` for a record
/// whose file cannot be checked (no `sha256`, or a `uri` that is absent, absolute or a URL).
pub(crate) fn outcome(r: &Record, files: &Files) -> Option<(FileCheck, String)> {
    let recorded = text(r, "sha256")?;
    let uri = text(r, "uri")?;
    if !uris::is_path(&uri) {
        return None;
    }
    if uris::leaves_root(&uri) {
        return Some((
            FileCheck::OutsideRoot,
            format!("its uri {uri} leaves the evidence root"),
        ));
    }
    Some(match files.get(&uri) {
        Some(EvidenceFile::Read(hash)) if hash.eq_ignore_ascii_case(&recorded) => {
            (FileCheck::Verified, String::new())
        }
        Some(EvidenceFile::Read(hash)) => (
            FileCheck::Mismatch,
            format!(
                "the file {uri} has SHA-256 {}, not the recorded {}",
                hash.to_ascii_lowercase(),
                recorded.to_ascii_lowercase()
            ),
        ),
        Some(EvidenceFile::Unreadable(why)) => (
            FileCheck::Missing,
            format!("the file {uri} could not be read from the evidence root: {why}"),
        ),
        Some(EvidenceFile::OutsideRoot) => (
            FileCheck::OutsideRoot,
            format!(
                "the file {uri} is outside the evidence root: a link on its path leads out of it"
            ),
        ),
        None => (
            FileCheck::Missing,
            format!("the file {uri} was not read from the evidence root"),
        ),
    })
}

/// The check of a criterion's evidence files; `None` when none of its records names a file
/// that can be checked.
pub(crate) fn check(control: &Control, judge: &Judge<'_>, files: &Files) -> Option<RuleResult> {
    let facts = judge.facts;
    let owner = owner_of(control);
    let remediation = format!(
        "Put the artifact each listed evidence record of {} names under the evidence root, at its uri, or record the sha256 of the file that is there now (after checking it is the right one).",
        control.id
    );
    let mut tested = Vec::new();
    let mut findings = Vec::new();
    for r in records_of(facts, &control.id) {
        let Some((check, why)) = outcome(r, files) else {
            continue;
        };
        tested.push(r.pointer());
        if check == FileCheck::Verified {
            continue;
        }
        let title = text(r, "title").unwrap_or_default();
        let pointer = r.pointer();
        findings.push(Finding {
            status: FindingStatus::Fail,
            message: format!("evidence \"{title}\" for {}: {why}", control.id),
            key: facts.key(&pointer),
            source: facts.origin(&pointer),
            entity: Some(pointer.into_owned()),
            remediation: remediation.clone(),
            owner,
            data: Some(serde_json::json!({ "file": check.as_str() })),
            waiver: None,
        });
    }
    if tested.is_empty() {
        return None;
    }
    let status = if findings.is_empty() {
        Status::Pass
    } else {
        Status::Fail
    };
    let population = population::of(
        facts,
        &["evidence".to_owned()],
        &tested,
        population::Judged {
            findings: &findings,
            exceptions: &[],
        },
        judge.detail,
    );
    let explanation = judge.detail.keys.then(|| Explanation {
        params: Default::default(),
        reason: format!(
            "{}: {}; {} of them missing or different from their recorded hash",
            status.as_str(),
            population.describe(),
            findings.len()
        ),
    });
    Some(RuleResult {
        id: format!("{EVIDENCE_FILES_RULE}/{}", control.id),
        title: format!(
            "Evidence files for {} match their recorded hashes",
            control.id
        ),
        status,
        severity: Severity::High,
        owner,
        controls: vec![control.id.clone()],
        reason: None,
        disabled: None,
        explanation,
        error: None,
        judged_at_as_of: false,
        population,
        findings,
    })
}
