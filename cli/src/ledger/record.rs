//! What a run puts in the ledger: its entry, built from the report and the run's clock.

use super::entry::{Entry, Failure, LEDGER_VERSION, PackRef, ReportRef, sha256};
use attest_engine::{Report, Status};

/// What the ledger needs to know of a run beyond its report.
pub struct Run<'a> {
    /// When the run started (RFC 3339, UTC), by the CLI's clock.
    pub run_at: String,
    /// The report's JSON, as `--format json` writes it.
    pub report_json: &'a str,
    /// Where that JSON was written, if it was written to a file.
    pub report_path: Option<String>,
}

impl Run<'_> {
    /// The time now, as the ledger writes it: `2026-06-30T14:05:09Z`.
    pub fn now() -> String {
        jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    /// The entry for `report` (its `seq`, `prev` and hash filled in when it is appended).
    pub fn entry(&self, report: &Report, seq: u64, prev: Option<String>) -> Entry {
        let period = serde_json::from_str::<serde_json::Value>(self.report_json)
            .ok()
            .and_then(|mut v| v.get_mut("period").map(serde_json::Value::take))
            .filter(|p| !p.is_null());
        Entry {
            ledger_version: LEDGER_VERSION.to_owned(),
            seq,
            run_at: self.run_at.clone(),
            as_of: report.evaluated_on.clone(),
            period,
            organization: report.facts.organization.clone(),
            facts_digest: report.facts.digest.clone(),
            pack: PackRef {
                name: report.pack.name.clone(),
                version: report.pack.version.clone(),
                digest: report.pack.digest.clone(),
            },
            params: report.params.clone(),
            report: ReportRef {
                digest: sha256(self.report_json.as_bytes()),
                path: self.report_path.clone(),
            },
            summary: report.summary.clone(),
            failing: failures(report),
            prev,
            hash: String::new(),
        }
    }
}

/// The failures of a report, sorted: every failing finding that no waiver covers (by rule
/// and record key) and every rule in error, each once.
pub fn failures(report: &Report) -> Vec<Failure> {
    let mut out: Vec<Failure> = Vec::new();
    for rule in &report.rules {
        if rule.status == Status::Error {
            out.push(Failure {
                rule: rule.id.clone(),
                key: None,
                error: true,
            });
        }
        for finding in &rule.findings {
            if finding.effective_status() == Status::Fail {
                out.push(Failure {
                    rule: rule.id.clone(),
                    key: finding.key.clone(),
                    error: false,
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
