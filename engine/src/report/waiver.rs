//! Waivers as the report carries them: the waiver, where it stands on the as-of date, and
//! how many findings it matches. Reading and applying a waivers file is `crate::waivers`.

use super::{
    EVIDENCE_FILES_RULE, EVIDENCE_RULE, Finding, FindingStatus, Report, RuleResult, Status,
};
use crate::facts::{Criteria, Origin};
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

    /// Whether it names the finding's rule (`rule`; `evidence` says whether that is an
    /// evidence check), one of the rule's criteria in scope (`controls`), and the finding's
    /// record, dates aside. `rule: "evidence"` names every evidence check; an entity is a
    /// record key pattern, or a JSON Pointer pattern when it starts with `/`.
    pub(crate) fn covers(
        &self,
        rule: &str,
        evidence: bool,
        controls: &[&str],
        finding: &Finding,
    ) -> bool {
        self.rule
            .as_deref()
            .is_none_or(|r| r == rule || (evidence && r == EVIDENCE_RULE))
            && self
                .control
                .as_deref()
                .is_none_or(|c| controls.contains(&c))
            && self.entity.as_deref().is_none_or(|pattern| {
                let target = if pattern.starts_with('/') {
                    finding.entity.as_deref()
                } else {
                    finding.key.as_deref()
                };
                target.is_some_and(|t| path_matches(pattern, t))
            })
    }
}

/// Whether `path` is at or under `pattern`, segment by segment (`/`-separated), where a `*`
/// segment matches any one segment. Serves record keys and JSON Pointers alike.
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pattern = pattern.split('/');
    let mut path = path.split('/');
    loop {
        match (pattern.next(), path.next()) {
            (None, _) => return true,
            (Some(_), None) => return false,
            (Some(p), Some(s)) if p == "*" || p == s => {}
            (Some(_), Some(_)) => return false,
        }
    }
}

/// The most specific key pattern that matches every one of `keys`: their segments where all
/// agree, `*` where they differ, as many segments as the shortest has. `None` when every
/// segment would be `*`, which says nothing of the records.
fn key_pattern(keys: &[&str]) -> Option<String> {
    let split: Vec<Vec<&str>> = keys.iter().map(|k| k.split('/').collect()).collect();
    let (first, rest) = split.split_first()?;
    let len = split.iter().map(Vec::len).min()?;
    let segments: Vec<&str> = first
        .iter()
        .take(len)
        .enumerate()
        .map(|(i, segment)| {
            if rest.iter().all(|other| other.get(i) == Some(segment)) {
                *segment
            } else {
                "*"
            }
        })
        .collect();
    if segments.iter().all(|s| *s == "*") {
        return None;
    }
    Some(segments.join("/"))
}

/// Where a waiver stands on the report's as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverState {
    /// In force, and covering at least one failing finding.
    Active,
    /// In force, but it covers no failing finding (it matches none, or earlier waivers in
    /// the file cover those it matches): remove it.
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
    /// Failing findings it covers, each counted once: a finding two waivers in force match
    /// counts for the first in the file, which covers it. For an expired or pending waiver,
    /// the findings it would cover that no waiver in force covers.
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
            WaiverState::Stale => "covers no failing finding: remove it".to_owned(),
            WaiverState::Expired if self.matches == 0 => format!(
                "expired on {}: it covers nothing any more, and no failing finding needs it",
                w.expires_on
            ),
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

    /// What is wrong with the names the waiver gives, if one names nothing in `report`'s
    /// pack: `pack soc2 has no rule `x`` (or criterion), with the closest id it has. Such a
    /// waiver can never match anything, whatever its state; a mistyped id is the likely
    /// cause, so this says more than that it is stale.
    pub fn unknown_names(&self, report: &Report) -> Option<String> {
        let w = &self.waiver;
        let hint = |closest: Option<&str>| {
            closest.map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"))
        };
        let mut missing = Vec::new();
        if let Some(rule) = w.rule.as_deref()
            && !rule_known(report, rule)
        {
            let rules = report
                .rules
                .iter()
                .filter(|r| !r.is_evidence_check() && !r.id.starts_with(EVIDENCE_FILES_RULE))
                .map(|r| r.id.as_str());
            missing.push(format!(
                "rule `{rule}`{}",
                hint(crate::suggest::closest(rule, rules))
            ));
        }
        if let Some(control) = w.control.as_deref() {
            let criteria = Criteria::new(
                report.pack.name.as_str(),
                report.controls.iter().map(|c| c.id.as_str()),
            );
            if !criteria.contains(control) {
                missing.push(format!(
                    "criterion `{control}`{}",
                    hint(criteria.closest(control))
                ));
            }
        }
        if missing.is_empty() {
            return None;
        }
        Some(format!(
            "pack {} has no {}: the waiver can never match a finding; correct it or remove it",
            report.pack.name,
            missing.join(" and no ")
        ))
    }

    /// Its state in words, as [`WaiverResult::explain`] gives it, unless it names a rule or
    /// criterion that `report`'s pack does not have (then what
    /// [`WaiverResult::unknown_names`] says), or is pending for having been approved after
    /// the report's audit period (then that). An active waiver approved inside the audit
    /// period after some of the exceptions it covers arose also says so
    /// ([`WaiverResult::after_the_fact`]).
    pub fn explain_in(&self, report: &Report) -> String {
        if let Some(problem) = self.unknown_names(report) {
            return problem;
        }
        if let Some(late) = self.after_the_fact(report) {
            return format!("{}; {late}", self.explain());
        }
        match report.period {
            Some(p)
                if self.state == WaiverState::Pending
                    && self.waiver.approved_on.as_str() <= report.evaluated_on.as_str() =>
            {
                format!(
                    "approved on {}, after the audit period's end on {}: it waives none of the period's exceptions",
                    self.waiver.approved_on,
                    p.end()
                )
            }
            _ => self.explain(),
        }
    }

    /// For an active waiver of a report with an audit period: how many of the failing
    /// findings it covers stood for exceptions that arose before its approval (the day each
    /// fell due, or the period's first day when it fell due before the period or gives no
    /// date, as [`todo::due_date`](super::todo::due_date) reads it), said in words, e.g.
    /// `approved on 2026-05-04, after it arose in the audit period (standing from the period's
    /// first day, 2026-01-01): accepted after the fact, an exception of the period all the same`. The
    /// waiver still covers them; an auditor reads them as exceptions accepted late.
    pub fn after_the_fact(&self, report: &Report) -> Option<String> {
        let period = report.period?;
        let approved = crate::date::Date::parse(&self.waiver.approved_on)?;
        if self.state != WaiverState::Active || approved <= period.start() {
            return None;
        }
        let as_of = crate::date::Date::parse(&report.evaluated_on);
        let (mut late, mut earliest) = (0u32, None);
        for f in report.rules.iter().flat_map(|r| &r.findings) {
            if f.waiver.as_ref() != Some(&self.waiver) {
                continue;
            }
            let arose = super::todo::due_date(f.data.as_ref(), as_of, false)
                .map_or(period.start(), |due| due.max(period.start()));
            if arose < approved {
                late += 1;
                earliest = Some(earliest.map_or(arose, |e: crate::date::Date| e.min(arose)));
            }
        }
        let earliest = earliest?;
        let of = match (self.matches, late) {
            (1, _) => "it".to_owned(),
            (all, late) if all == late => format!("all {late} of them"),
            (_, late) => format!("{late} of them"),
        };
        let first = if late > 1 { "the first " } else { "" };
        let when = if earliest == period.start() {
            format!("{first}standing from the period's first day, {earliest}")
        } else {
            format!("{first}on {earliest}")
        };
        Some(format!(
            "approved on {approved}, after {of} arose in the audit period ({when}): accepted after the fact, an exception of the period all the same"
        ))
    }

    /// For a waiver that names its record by JSON Pointer, which moves when a record is
    /// added before it: advice to name the findings it covers in `report` by their keys
    /// instead. The advice covers exactly the findings the pointer covers: the key of the
    /// one finding it covers, or a key pattern (with `*` segments) that matches all of the
    /// findings it covers and no other; when no pattern does, the keys to give a waiver each.
    pub fn pointer_advice(&self, report: &Report) -> Option<String> {
        let entity = self.waiver.entity.as_deref()?;
        if !entity.starts_with('/') {
            return None;
        }
        let moves = format!(
            "entity `{entity}` is a JSON Pointer, which moves when records are added before it"
        );
        let covered: Vec<&Finding> = waivable(report)
            .filter(|(rule, controls, f)| {
                self.waiver
                    .covers(&rule.id, rule.is_evidence_check(), controls, f)
            })
            .map(|(_, _, f)| f)
            .collect();
        let keys: Option<Vec<&str>> = covered.iter().map(|f| f.key.as_deref()).collect();
        let mut keys = keys.unwrap_or_default();
        crate::sorting::sort(&mut keys);
        keys.dedup();
        let generic = format!("{moves}: write the record's key instead (docs/facts.md)");
        if covered.is_empty() || keys.is_empty() {
            return Some(generic);
        }
        let n = covered.len();
        if let [key] = keys.as_slice()
            && self.same_findings(report, key, &covered)
        {
            return Some(match n {
                1 => format!("{moves}: write its key, `{key}`"),
                n => format!("{moves}: write its key, `{key}`, which covers the same {n} findings"),
            });
        }
        if let Some(pattern) = key_pattern(&keys)
            && self.same_findings(report, &pattern, &covered)
        {
            return Some(format!(
                "{moves}: write the key pattern `{pattern}`, which covers the same {n} findings"
            ));
        }
        const LISTED: usize = 5;
        Some(if keys.len() <= LISTED {
            let listed: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            format!(
                "{moves}: it covers {n} findings, which no one key covers alone: write a waiver for each of their keys, {}",
                listed.join(", ")
            )
        } else {
            format!(
                "{moves}: it covers {n} findings of {} records, which no one key covers alone: write a waiver for each record's key (the findings' `key` in the report)",
                keys.len()
            )
        })
    }

    /// Whether this waiver, with `entity` a record key pattern instead of its own, would
    /// cover exactly the findings `covered` in `report`.
    fn same_findings(&self, report: &Report, entity: &str, covered: &[&Finding]) -> bool {
        let by_key = Waiver {
            entity: Some(entity.to_owned()),
            ..self.waiver.clone()
        };
        let mut n = 0;
        for (rule, controls, f) in waivable(report) {
            if by_key.covers(&rule.id, rule.is_evidence_check(), &controls, f) {
                if !covered.iter().any(|c| std::ptr::eq(*c, f)) {
                    return false;
                }
                n += 1;
            }
        }
        n == covered.len()
    }
}

/// Whether `rule` names a rule of the report (or evidence checks: `evidence` names them
/// all, `evidence/<criterion>` and `evidence-files/<criterion>` those of a criterion).
fn rule_known(report: &Report, rule: &str) -> bool {
    if rule == EVIDENCE_RULE || report.rules.iter().any(|r| r.id == rule) {
        return true;
    }
    [EVIDENCE_RULE, EVIDENCE_FILES_RULE].iter().any(|prefix| {
        rule.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|criterion| report.controls.iter().any(|c| c.id == criterion))
    })
}

/// Every failing finding a waiver may cover in `report`, with its rule and the rule's
/// criteria in scope (a criterion out of scope is never waived), as `Waivers::apply` goes
/// through them.
pub(crate) fn waivable(
    report: &Report,
) -> impl Iterator<Item = (&RuleResult, Vec<&str>, &Finding)> {
    let in_scope = |id: &str| {
        report
            .controls
            .iter()
            .any(|c| c.id == id && c.status != Status::NotApplicable)
    };
    report.rules.iter().flat_map(move |rule| {
        let controls: Vec<&str> = rule
            .controls
            .iter()
            .map(String::as_str)
            .filter(|c| in_scope(c))
            .collect();
        let findings: &[Finding] = match controls.is_empty() {
            true => &[],
            false => &rule.findings,
        };
        findings
            .iter()
            .filter(|f| f.status == FindingStatus::Fail)
            .map(move |f| (rule, controls.clone(), f))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments_and_what_lies_under_them() {
        assert!(path_matches("/accounts/3", "/accounts/3"));
        assert!(path_matches("/accounts/3", "/accounts/3/roles/0"));
        assert!(!path_matches("/accounts/3", "/accounts/30"));
        assert!(path_matches("/accounts/*", "/accounts/30"));
        assert!(!path_matches("/accounts/*", "/people/1"));
        assert!(!path_matches("/accounts/*/x", "/accounts/1"));
        assert!(path_matches("", "/anything"));
    }

    #[test]
    fn key_patterns_keep_what_the_keys_share() {
        assert_eq!(
            key_pattern(&["accounts/prod-db/tomas", "accounts/prod-db/ana"]),
            Some("accounts/prod-db/*".to_owned())
        );
        assert_eq!(
            key_pattern(&["accounts/prod-db/tomas", "accounts/github/tomas"]),
            Some("accounts/*/tomas".to_owned())
        );
        assert_eq!(
            key_pattern(&["vendors/v-1/contract", "vendors/v-2"]),
            Some("vendors/*".to_owned())
        );
        assert_eq!(key_pattern(&["people/p-1", "systems/s-1"]), None);
        assert_eq!(key_pattern(&[]), None);
    }
}
