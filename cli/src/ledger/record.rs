//! What a run puts in the ledger: its entry, built from the report and the run's clock.

use super::entry::{
    Entry, Failure, LEDGER_VERSION, PackRef, ReportRef, Unjudged, previous, sha256,
};
use attest_engine::diff::Later;
use attest_engine::{Report, Status};
use std::collections::BTreeMap;

/// What the ledger needs to know of a run beyond its report.
pub struct Run<'a> {
    /// When the run started (RFC 3339, UTC), by the CLI's clock.
    pub run_at: String,
    /// The report's JSON, as `--format json` writes it.
    pub report_json: &'a str,
    /// Where that JSON was written, if it was written to a file.
    pub report_path: Option<String>,
    /// What the run makes of the failures of the organization's previous run, worked out
    /// while its report still listed the records its rules tested.
    pub judgements: Option<&'a Judgements>,
}

/// What a run makes of the failures of the organization's previous run that it no longer
/// has: for each, why it did not judge it, or `None` when it judged it (the failure is
/// resolved), in the words of [`Later`], which `attest diff` asks too. Worked out from the
/// run's report before the populations are taken out of it, and before the ledger is locked
/// to record the run.
pub struct Judgements(BTreeMap<Failure, Option<String>>);

impl Judgements {
    /// For the failures of `previous` (the organization's last entry in the ledger, as read
    /// before the run) that `report` does not have. `report` lists the records its rules
    /// tested (`population.records` or `.keys`), or a record it did not test counts as
    /// judged.
    pub fn new(report: &Report, previous: &Entry) -> Judgements {
        let now = failures(report);
        let mut later = Later::new(report);
        Judgements(
            previous
                .failing
                .iter()
                .filter(|f| now.binary_search(f).is_err())
                .map(|f| {
                    let why = later.unjudged(&f.rule, f.key.as_deref(), f.error);
                    (f.clone(), why)
                })
                .collect(),
        )
    }

    /// The failures of `previous` that a run failing `now` (sorted) does not fail and did not
    /// judge. `None` when a failure among them was not worked out: `previous` is a run of
    /// the organization recorded while this one ran, with failures the one before did not
    /// have.
    fn unjudged(&self, previous: &Entry, now: &[Failure]) -> Option<Vec<Unjudged>> {
        let mut out = Vec::new();
        for f in previous
            .failing
            .iter()
            .filter(|f| now.binary_search(f).is_err())
        {
            if let Some(why) = self.0.get(f)? {
                out.push(Unjudged {
                    failure: f.clone(),
                    why: why.clone(),
                });
            }
        }
        Some(out)
    }
}

impl Run<'_> {
    /// The time now, as the ledger writes it: `2026-06-30T14:05:09Z`.
    pub fn now() -> String {
        jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    /// The entry for `report` (its `seq`, `prev` and hash filled in when it is appended),
    /// to follow `entries`.
    pub fn entry(
        &self,
        report: &Report,
        seq: u64,
        prev: Option<String>,
        entries: &[Entry],
    ) -> Entry {
        let failing = failures(report);
        let unjudged = previous(entries, &report.facts.organization).and_then(|p| {
            self.judgements
                .and_then(|judgements| judgements.unjudged(p, &failing))
        });
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
            failing,
            unjudged,
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use attest_engine::EvalOptions;

    fn failure(rule: &str, key: Option<&str>, error: bool) -> Failure {
        Failure {
            rule: rule.to_owned(),
            key: key.map(str::to_owned),
            error,
        }
    }

    /// An entry of the example organization that failed `failing`.
    fn entry(failing: &[Failure]) -> Entry {
        let mut value = serde_json::json!({
            "ledger_version": "1", "seq": 1, "run_at": "2026-06-29T06:00:00Z",
            "as_of": "2026-06-29", "organization": "Acme Analytics, Inc.",
            "facts_digest": "f", "pack": {"name": "soc2", "version": "1.0.0", "digest": "p"},
            "report": {"digest": "r", "path": null},
            "summary": {"controls": {"pass": 0, "fail": 0, "warn": 0, "error": 0, "waived": 0,
                "not_applicable": 0}, "by_category": {}},
            "failing": [], "prev": null, "hash": "h"
        });
        value["failing"] = serde_json::to_value(failing).unwrap();
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_run_records_which_failures_of_the_run_before_it_did_not_judge_and_never_guesses() {
        let report = attest_tests::soc2_engine()
            .evaluate(
                &attest_tests::example_facts(),
                &EvalOptions::default().with_populations(true),
            )
            .unwrap();
        let now = failures(&report);
        let still = now[0].clone();
        // A record gone from the facts, of a collection the rule tested; a rule the pack
        // does not have; and a record the rule tested and no longer fails.
        let gone = failure(
            "access.mfa-privileged",
            Some("accounts/aws-prod/nobody"),
            false,
        );
        let unknown_rule = failure("no.such-rule", None, true);
        let tested = report
            .rule("access.mfa-privileged")
            .and_then(|r| r.population.records.as_ref())
            .and_then(|records| {
                records
                    .iter()
                    .find(|r| !now.contains(&failure("access.mfa-privileged", Some(&r.key), false)))
            })
            .map(|r| failure("access.mfa-privileged", Some(&r.key), false))
            .unwrap();
        let previous = entry(&[gone.clone(), unknown_rule.clone(), tested, still]);
        let judgements = Judgements::new(&report, &previous);
        let unjudged = judgements.unjudged(&previous, &now).unwrap();
        let whys: Vec<(&Failure, &str)> = unjudged
            .iter()
            .map(|u| (&u.failure, u.why.as_str()))
            .collect();
        assert_eq!(
            whys,
            [
                (
                    &gone,
                    "the rule did not test its record: it is gone from the facts, or the rule no longer selects it"
                ),
                (&unknown_rule, "the rule is not in the new report's pack"),
            ]
        );
        // Another run of the organization, recorded while this one ran, with a failure the
        // judgements were not worked out for: the entry says nothing rather than guess.
        let meanwhile = entry(&[
            gone,
            failure("access.mfa-privileged", Some("accounts/x/y"), false),
        ]);
        assert_eq!(judgements.unjudged(&meanwhile, &now), None);
    }
}
