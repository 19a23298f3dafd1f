//! The vendor risk register: for every vendor of the facts, its inherent risk (risk tier ×
//! data access), the assurance and contract gaps the rules found (their findings about it),
//! the criteria each gap affects, the residual risk those gaps leave, and when its next risk
//! review is due. `attest vendors` prints it; the HTML report shows it as its vendor section.
//!
//! Absence is never compliance: a gap kind lowers the residual risk only when the rules that
//! judge vendors could answer. While one of them is in error (a rule whose population names
//! the `vendors` collection), no vendor's residual risk is lowered, and the register carries
//! the rules in error.

use super::todo::RuleInError;
use super::{Finding, PackInfo, Params, Report, RuleResult, Status};
use crate::date::Date;
use crate::facts::tree::Node;
use crate::facts::{Facts, Origin};
use crate::pack::Pack;
use crate::period::Period;
use indexmap::IndexMap;
use serde::Serialize;
use std::cmp::Reverse;

/// The version of the register's JSON format (`schemas/vendors.v1.schema.json`).
pub const REGISTER_VERSION: &str = "1";

/// A vendor as the facts describe it: what the register shows beside the findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Vendor {
    /// Its JSON Pointer (`/vendors/3`), which findings about it carry.
    pub pointer: String,
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `service`: what it does for the organization.
    pub service: String,
    /// `status`: `active` (also when absent), `offboarding` or `offboarded`.
    pub status: String,
    /// `risk_tier`.
    pub risk_tier: String,
    /// `data_access`; `None` when the facts do not record it.
    pub data_access: Option<Vec<String>>,
    /// `assurance.soc2_type` (`type1`, `type2`), if any.
    pub soc2_type: Option<String>,
    /// `assurance.report_period_end`.
    pub report_period_end: Option<String>,
    /// `contract.expires_on`.
    pub contract_expires_on: Option<String>,
    /// `last_risk_review_on`.
    pub last_risk_review_on: Option<String>,
}

impl Vendor {
    /// The vendors of validated facts, in document order.
    pub fn all(facts: &Facts) -> Vec<Vendor> {
        let text = |node: Option<&Node>| node.and_then(Node::as_str).map(str::to_string);
        let Some(Node::List(list)) = facts.root().field("vendors") else {
            return Vec::new();
        };
        list.items()
            .iter()
            .filter_map(|item| match item {
                Node::Record(r) => Some(Vendor {
                    pointer: r.pointer().into_owned(),
                    id: text(r.get("id")).unwrap_or_default(),
                    name: text(r.get("name")).unwrap_or_default(),
                    service: text(r.get("service")).unwrap_or_default(),
                    status: text(r.get("status")).unwrap_or_else(|| "active".to_owned()),
                    risk_tier: text(r.get("risk_tier")).unwrap_or_default(),
                    data_access: match r.get("data_access") {
                        Some(Node::List(l)) => {
                            Some(l.items().iter().filter_map(|n| text(Some(n))).collect())
                        }
                        _ => None,
                    },
                    soc2_type: text(r.path("assurance.soc2_type")),
                    report_period_end: text(r.path("assurance.report_period_end")),
                    contract_expires_on: text(r.path("contract.expires_on")),
                    last_risk_review_on: text(r.get("last_risk_review_on")),
                }),
                _ => None,
            })
            .collect()
    }
}

/// How often vendors of each risk tier are risk-reviewed, in days; `None` where unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewCadence {
    /// Critical and high-tier vendors.
    pub high: Option<i64>,
    /// Medium-tier vendors.
    pub medium: Option<i64>,
    /// Low-tier vendors.
    pub low: Option<i64>,
}

impl ReviewCadence {
    /// The cadences a pack's parameters set (`overrides` first, then the pack's values):
    /// `vendor_review_days` (critical and high tiers), `vendor_review_days_medium` and
    /// `vendor_review_days_low`, the parameters of the SOC 2 pack's `vendors.risk-review`
    /// rule. A pack without one of them leaves that cadence unknown.
    pub fn of_pack(pack: &Pack, overrides: &IndexMap<String, serde_json::Value>) -> ReviewCadence {
        let days = |name: &str| {
            overrides
                .get(name)
                .or_else(|| pack.manifest.params.get(name).map(|p| &p.default))
                .and_then(serde_json::Value::as_i64)
        };
        ReviewCadence {
            high: days("vendor_review_days"),
            medium: days("vendor_review_days_medium"),
            low: days("vendor_review_days_low"),
        }
    }

    /// The cadence of a tier (an unknown tier gets the strictest, that of high tiers).
    fn of_tier(&self, tier: &str) -> Option<i64> {
        match tier {
            "medium" => self.medium,
            "low" => self.low,
            _ => self.high,
        }
    }
}

/// A level of risk, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Little at stake.
    Low,
    /// Some data or some dependence.
    Medium,
    /// Sensitive data or a critical dependence.
    High,
    /// Sensitive data and a critical dependence.
    Critical,
}

impl RiskLevel {
    /// Every level, highest first.
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Critical,
        RiskLevel::High,
        RiskLevel::Medium,
        RiskLevel::Low,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }

    /// The level below (low stays low).
    fn lower(self) -> RiskLevel {
        match self {
            RiskLevel::Critical => RiskLevel::High,
            RiskLevel::High => RiskLevel::Medium,
            RiskLevel::Medium | RiskLevel::Low => RiskLevel::Low,
        }
    }

    /// Inherent risk: the tier's weight (low 1 to critical 4; unknown counts as critical)
    /// times the data access's (none 1; production or financial 2; customer data or PII 3;
    /// unknown counts as customer data): 9 and up is critical, 6 to 8 high, 3 to 5 medium,
    /// below 3 low.
    fn inherent(tier: &str, data_access: Option<&[String]>) -> RiskLevel {
        let tier = match tier {
            "low" => 1,
            "medium" => 2,
            "high" => 3,
            _ => 4,
        };
        let data = data_access.map_or(3, |kinds| {
            kinds
                .iter()
                .map(|d| match d.as_str() {
                    "customer_data" | "pii" => 3,
                    _ => 2,
                })
                .max()
                .unwrap_or(1)
        });
        match tier * data {
            9.. => RiskLevel::Critical,
            6..=8 => RiskLevel::High,
            3..=5 => RiskLevel::Medium,
            _ => RiskLevel::Low,
        }
    }
}

/// What a gap weakens, as the finding's rule says in its data (`gap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// Evidence that the vendor's controls work: reports, reviews, due diligence.
    Assurance,
    /// What binds the vendor: contract terms and the vendor keeping them.
    Contract,
    /// A finding whose rule names neither.
    Other,
}

impl GapKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Assurance => "assurance",
            GapKind::Contract => "contract",
            GapKind::Other => "other",
        }
    }

    fn of(finding: &Finding) -> GapKind {
        match finding
            .data
            .as_ref()
            .and_then(|d| d.get("gap"))
            .and_then(serde_json::Value::as_str)
        {
            Some("assurance") => GapKind::Assurance,
            Some("contract") => GapKind::Contract,
            _ => GapKind::Other,
        }
    }
}

/// One gap: a finding about the vendor.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Gap {
    /// What it weakens.
    pub kind: GapKind,
    /// The rule that found it.
    pub rule: String,
    /// `fail`, `warn` (lapses soon) or `waived` (a failure an active waiver accepts).
    pub status: Status,
    /// What is wrong.
    pub message: String,
    /// The criteria in scope the rule evidences, which the gap affects.
    pub criteria: Vec<String>,
    /// The key of the record it is about (the vendor, or one of its incidents...).
    pub key: Option<String>,
    /// Where that record is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Origin>,
}

impl Gap {
    /// Whether it is open: failing, waived or not (a waiver accepts a risk, it does not
    /// reduce it).
    pub fn is_open(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Waived)
    }
}

/// One vendor's line in the register.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RegisterEntry {
    /// `id`.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `service`.
    pub service: String,
    /// `active`, `offboarding` or `offboarded`.
    pub status: String,
    /// `risk_tier`.
    pub risk_tier: String,
    /// `data_access`; null when the facts do not record it (it then weighs as customer
    /// data).
    pub data_access: Option<Vec<String>>,
    /// Risk before any control: risk tier × data access.
    pub inherent_risk: RiskLevel,
    /// Risk left: the inherent risk lowered one level for assurance with no open gap, and
    /// one for a contract with no open gap; not lowered while a gap of another kind is open
    /// or a rule that judges vendors is in error.
    pub residual_risk: RiskLevel,
    /// `assurance.soc2_type`.
    pub soc2_type: Option<String>,
    /// `assurance.report_period_end`.
    pub report_period_end: Option<String>,
    /// `contract.expires_on`.
    pub contract_expires_on: Option<String>,
    /// `last_risk_review_on`.
    pub last_risk_review_on: Option<String>,
    /// When the next risk review is due: the last one on or before the as-of date plus its
    /// tier's cadence, the as-of date when there was none by then; null for offboarded
    /// vendors and unknown cadences.
    pub next_review_on: Option<String>,
    /// Whether that review is overdue: it was due before the as-of date, or no review is on
    /// record by then (as `vendors.risk-review` judges).
    pub review_overdue: bool,
    /// Its gaps, failing first, in rule order.
    pub gaps: Vec<Gap>,
    /// The rules that judge vendors but are in error, in rule order: the gaps they would
    /// have found are unknown, so its residual risk is not lowered.
    pub not_judged_by: Vec<String>,
}

impl RegisterEntry {
    /// The worst status of its gaps (`pass` without any).
    pub fn status_of_gaps(&self) -> Status {
        self.gaps
            .iter()
            .fold(Status::Pass, |s, g| s.worst(g.status))
    }

    /// The distinct criteria its gaps affect, in natural order.
    pub fn criteria(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .gaps
            .iter()
            .flat_map(|g| g.criteria.iter().map(String::as_str))
            .collect();
        crate::sorting::sort_by(&mut all, |a, b| crate::pack::natural_cmp(a, b));
        all.dedup();
        all
    }
}

/// Vendors per residual risk level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RiskCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
}

impl RiskCounts {
    /// The count for one level.
    pub fn get(&self, level: RiskLevel) -> usize {
        match level {
            RiskLevel::Critical => self.critical,
            RiskLevel::High => self.high,
            RiskLevel::Medium => self.medium,
            RiskLevel::Low => self.low,
        }
    }

    fn add(&mut self, level: RiskLevel) {
        match level {
            RiskLevel::Critical => self.critical += 1,
            RiskLevel::High => self.high += 1,
            RiskLevel::Medium => self.medium += 1,
            RiskLevel::Low => self.low += 1,
        }
    }
}

/// The register's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RegisterSummary {
    /// Vendors listed.
    pub vendors: usize,
    /// Vendors with at least one open gap.
    pub with_open_gaps: usize,
    /// Vendors per residual risk.
    pub residual_risk: RiskCounts,
}

/// The vendor risk register (the `vendors-v1` JSON document).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct VendorRegister {
    /// The register format's version: "1".
    pub register_version: String,
    /// `organization.name`.
    pub organization: String,
    /// The as-of date of the evaluation.
    pub evaluated_on: String,
    /// The audit period the rules judged, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The pack whose rules found the gaps.
    pub pack: PackInfo,
    /// The parameters the run set in place of the pack's defaults, as the report has them
    /// (absent when it set none).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: Params,
    /// sha256 of the canonical facts.
    pub facts_digest: String,
    /// Every rule in error, as the report has them: the register may miss the gaps of
    /// those that judge vendors.
    pub rules_in_error: Vec<RuleInError>,
    /// Counts.
    pub summary: RegisterSummary,
    /// Every vendor, highest residual risk first, then highest inherent risk, then by name.
    pub vendors: Vec<RegisterEntry>,
}

impl VendorRegister {
    /// The register of `vendors` (from [`Vendor::all`]) from a report of the same facts.
    pub fn new(report: &Report, vendors: &[Vendor], cadence: &ReviewCadence) -> VendorRegister {
        let unjudged: Vec<String> = report
            .rules
            .iter()
            .filter(|r| r.error.is_some() && judges_vendors(r))
            .map(|r| r.id.clone())
            .collect();
        let mut entries: Vec<RegisterEntry> = vendors
            .iter()
            .map(|v| entry(report, v, cadence, &unjudged))
            .collect();
        crate::sorting::sort_by(&mut entries, |a, b| {
            (
                Reverse(a.residual_risk),
                Reverse(a.inherent_risk),
                &a.name,
                &a.id,
            )
                .cmp(&(
                    Reverse(b.residual_risk),
                    Reverse(b.inherent_risk),
                    &b.name,
                    &b.id,
                ))
        });
        let mut summary = RegisterSummary {
            vendors: entries.len(),
            ..RegisterSummary::default()
        };
        for e in &entries {
            summary.residual_risk.add(e.residual_risk);
            if e.gaps.iter().any(Gap::is_open) {
                summary.with_open_gaps += 1;
            }
        }
        VendorRegister {
            register_version: REGISTER_VERSION.to_owned(),
            organization: report.facts.organization.clone(),
            evaluated_on: report.evaluated_on.clone(),
            period: report.period,
            pack: report.pack.clone(),
            params: report.params.clone(),
            facts_digest: report.facts.digest.clone(),
            rules_in_error: RuleInError::of_report(report),
            summary,
            vendors: entries,
        }
    }

    /// The register as pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Whether a vendor has a failing gap no waiver covers, or a rule is in error (exit code
    /// 1, as `attest eval`'s).
    pub fn has_failures(&self) -> bool {
        !self.rules_in_error.is_empty()
            || self
                .vendors
                .iter()
                .any(|v| v.gaps.iter().any(|g| g.status == Status::Fail))
    }
}

/// Whether a rule judges vendors: its population names the `vendors` collection (every
/// collection its header declares is named, tested or not, also when it is in error).
fn judges_vendors(rule: &RuleResult) -> bool {
    rule.population.collections.contains_key("vendors")
}

/// Whether a finding is about the vendor: its record is the vendor or inside it, or its
/// data names the vendor (`vendor_id`, as findings about a vendor's incidents do).
fn is_about(f: &Finding, v: &Vendor) -> bool {
    let inside = f.entity.as_deref().is_some_and(|e| {
        e.strip_prefix(v.pointer.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    inside
        || f.data
            .as_ref()
            .and_then(|d| d.get("vendor_id"))
            .and_then(serde_json::Value::as_str)
            .is_some_and(|id| id == v.id)
}

fn entry(
    report: &Report,
    v: &Vendor,
    cadence: &ReviewCadence,
    unjudged: &[String],
) -> RegisterEntry {
    // The criteria in scope (those of categories out of scope are the only ones that do not
    // apply): a gap affects those alone.
    let in_scope = |id: &String| {
        report
            .controls
            .iter()
            .any(|c| &c.id == id && c.status != Status::NotApplicable)
    };
    let mut gaps: Vec<Gap> = report
        .rules
        .iter()
        .filter(|r| !r.is_evidence_check())
        .flat_map(|r| {
            r.findings.iter().filter(|f| is_about(f, v)).map(|f| Gap {
                kind: GapKind::of(f),
                rule: r.id.clone(),
                status: f.effective_status(),
                message: f.message.clone(),
                criteria: r.controls.iter().filter(|c| in_scope(c)).cloned().collect(),
                key: f.key.clone(),
                source: f.source.clone(),
            })
        })
        .collect();
    // Failing first (waived with them), then lapsing; rule order within each.
    crate::sorting::sort_by_key(&mut gaps, |g| !g.is_open());
    let open = |kind: GapKind| gaps.iter().any(|g| g.is_open() && g.kind == kind);
    let inherent = RiskLevel::inherent(&v.risk_tier, v.data_access.as_deref());
    let residual = if open(GapKind::Other) || !unjudged.is_empty() {
        inherent
    } else {
        [GapKind::Assurance, GapKind::Contract]
            .into_iter()
            .filter(|k| !open(*k))
            .fold(inherent, |level, _| level.lower())
    };
    let (next_review_on, review_overdue) = next_review(report, v, cadence);
    RegisterEntry {
        id: v.id.clone(),
        name: v.name.clone(),
        service: v.service.clone(),
        status: v.status.clone(),
        risk_tier: v.risk_tier.clone(),
        data_access: v.data_access.clone(),
        inherent_risk: inherent,
        residual_risk: residual,
        soc2_type: v.soc2_type.clone(),
        report_period_end: v.report_period_end.clone(),
        contract_expires_on: v.contract_expires_on.clone(),
        last_risk_review_on: v.last_risk_review_on.clone(),
        next_review_on,
        review_overdue,
        gaps,
        not_judged_by: unjudged.to_vec(),
    }
}

/// When the vendor's next risk review is due, and whether it is overdue: the last review on
/// or before the as-of date (a later one has not happened yet) plus its tier's cadence, or
/// the as-of date, overdue, when none is on record by then; none for an offboarded vendor or
/// an unknown cadence.
fn next_review(report: &Report, v: &Vendor, cadence: &ReviewCadence) -> (Option<String>, bool) {
    let days = cadence.of_tier(&v.risk_tier);
    let as_of = Date::parse(&report.evaluated_on);
    let (Some(days), Some(as_of), false) = (days, as_of, v.status == "offboarded") else {
        return (None, false);
    };
    let last = v
        .last_risk_review_on
        .as_deref()
        .and_then(Date::parse)
        .filter(|last| *last <= as_of);
    match last {
        Some(last) => match last.add_days(days) {
            Some(next) => (Some(next.to_string()), next < as_of),
            None => (None, false),
        },
        None => (Some(as_of.to_string()), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(kinds: &[&str]) -> Vec<String> {
        kinds.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn unknown_data_access_weighs_as_the_worst_case() {
        assert_eq!(RiskLevel::inherent("high", None), RiskLevel::Critical);
        assert_eq!(RiskLevel::inherent("medium", None), RiskLevel::High);
        assert_eq!(RiskLevel::inherent("low", None), RiskLevel::Medium);
        // Recorded as none: the lowest weight.
        assert_eq!(RiskLevel::inherent("high", Some(&[])), RiskLevel::Medium);
    }

    #[test]
    fn inherent_risk_is_tier_times_data_access() {
        let cases = [
            ("critical", &["pii"][..], RiskLevel::Critical),
            (
                "high",
                &["customer_data", "production"][..],
                RiskLevel::Critical,
            ),
            ("critical", &["production"][..], RiskLevel::High),
            ("medium", &["pii"][..], RiskLevel::High),
            ("high", &["financial"][..], RiskLevel::High),
            ("medium", &["production"][..], RiskLevel::Medium),
            ("low", &["pii"][..], RiskLevel::Medium),
            ("critical", &[][..], RiskLevel::Medium),
            ("high", &[][..], RiskLevel::Medium),
            ("low", &["financial"][..], RiskLevel::Low),
            ("medium", &[][..], RiskLevel::Low),
            ("low", &[][..], RiskLevel::Low),
        ];
        for (tier, data, expected) in cases {
            assert_eq!(
                RiskLevel::inherent(tier, Some(&access(data))),
                expected,
                "{tier} {data:?}"
            );
        }
    }

    #[test]
    fn levels_go_down_to_low_and_no_further() {
        assert_eq!(RiskLevel::Critical.lower(), RiskLevel::High);
        assert_eq!(RiskLevel::Medium.lower(), RiskLevel::Low);
        assert_eq!(RiskLevel::Low.lower(), RiskLevel::Low);
    }
}
