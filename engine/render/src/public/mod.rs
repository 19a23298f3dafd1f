//! The public view: a report for people outside the organization (a trust portal), made by
//! [`redact`] from the full report. It keeps readiness per category, every criterion's status
//! with the titles and statuses of the checks behind it, the counts, and the vendors'
//! assurance (company, service, SOC 2 report type and period); it leaves out everything about
//! people and records: findings and their messages, record keys and pointers, usernames,
//! names, file paths, waivers (who approved what, and why), rule errors and explanations, and
//! the warnings about the run's inputs (file and field names, waiver details: internal; their
//! count alone would tell an outsider nothing, so it is left out too).
//!
//! What goes out is chosen field by field (nothing is copied wholesale), so a field added to
//! the report later stays private until it is added here. It renders as JSON
//! ([`PublicReport::to_json`], `schemas/public-report.v1.schema.json`), text, Markdown and
//! one HTML page.

mod html;
mod markdown;
mod text;

pub use html::public_html;
pub use markdown::public_markdown;
pub use text::public_text;

use super::Context;
use attest_engine::pack::Category;
use attest_engine::period::Period;
use attest_engine::report::{Counts, Report, Status};
use serde::Serialize;

/// The version of the public report's JSON (`schemas/public-report.v1.schema.json`).
pub const PUBLIC_REPORT_VERSION: &str = "1";

/// A report fit to publish: no personal data, no record contents, no file paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PublicReport {
    /// The format's version: "1".
    pub public_report_version: &'static str,
    /// `organization.name`.
    pub organization: String,
    /// The as-of date the report judged.
    pub evaluated_on: String,
    /// The audit period the criteria were judged across (absent for a point-in-time report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The pack evaluated: name and version.
    pub pack: PublicPack,
    /// Counts of criterion statuses.
    pub summary: Counts,
    /// Readiness per Trust Services Category, in category order (every category listed).
    pub categories: Vec<CategoryReadiness>,
    /// Every criterion, in report order.
    pub controls: Vec<PublicControl>,
    /// The vendors' assurance.
    pub vendors: VendorAssurance,
}

/// Which pack judged the criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicPack {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// One category's readiness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryReadiness {
    /// The category.
    pub category: Category,
    /// Its name for people (`Processing Integrity`).
    pub label: &'static str,
    /// Whether any of its criteria is in scope.
    pub in_scope: bool,
    /// Criteria in scope that pass or warn.
    pub ready: u32,
    /// Criteria in scope.
    pub applicable: u32,
    /// `ready` over `applicable`, rounded half up (0 when none is in scope).
    pub percent: u32,
    /// Its criteria's statuses.
    pub counts: Counts,
}

/// One criterion and the checks that judged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicControl {
    /// The criterion id (`CC6.1`).
    pub id: String,
    /// Its category.
    pub category: Category,
    /// Its group.
    pub group: String,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: Status,
    /// The checks behind it, in the criterion's order.
    pub checks: Vec<PublicCheck>,
}

/// A rule, or the evidence check of a criterion, by its title and status only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicCheck {
    /// The rule id (`access.mfa-privileged`, `evidence/CC1.1`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: Status,
}

/// The vendors and the SOC 2 reports they gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorAssurance {
    /// How many vendors the facts list.
    pub total: usize,
    /// Vendors with a SOC 2 Type II report.
    pub soc2_type2: usize,
    /// Vendors with a SOC 2 Type I report.
    pub soc2_type1: usize,
    /// Vendors with neither.
    pub none: usize,
    /// Each vendor, in the facts' order.
    pub vendors: Vec<PublicVendor>,
}

/// A vendor as a trust portal lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicVendor {
    /// The company's name.
    pub name: String,
    /// What it does for the organization.
    pub service: String,
    /// `type1` or `type2`, or null without a SOC 2 report.
    pub soc2_type: Option<String>,
    /// The last day the report covers.
    pub report_period_end: Option<String>,
}

impl PublicReport {
    /// The public report as pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// The public view of `report`; `context` gives the vendors.
pub fn redact(report: &Report, context: &Context) -> PublicReport {
    let categories = Category::ALL
        .iter()
        .map(|&category| {
            let counts = report.summary.category(category);
            let readiness = counts.readiness();
            CategoryReadiness {
                category,
                label: category.label(),
                in_scope: readiness.is_some(),
                ready: readiness.map_or(0, |r| r.ready),
                applicable: readiness.map_or(0, |r| r.applicable),
                percent: readiness.map_or(0, |r| r.percent),
                counts,
            }
        })
        .collect();
    let controls = report
        .controls
        .iter()
        .map(|c| PublicControl {
            id: c.id.clone(),
            category: c.category,
            group: c.group.clone(),
            title: c.title.clone(),
            status: c.status,
            checks: report
                .rules_of(c)
                .map(|r| PublicCheck {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    status: r.status,
                })
                .collect(),
        })
        .collect();
    let count = |kind: &str| {
        context
            .vendors
            .iter()
            .filter(|v| v.soc2_type.as_deref() == Some(kind))
            .count()
    };
    let (soc2_type2, soc2_type1) = (count("type2"), count("type1"));
    let vendors = VendorAssurance {
        total: context.vendors.len(),
        soc2_type2,
        soc2_type1,
        none: context.vendors.len() - soc2_type2 - soc2_type1,
        vendors: context
            .vendors
            .iter()
            .map(|v| PublicVendor {
                name: v.name.clone(),
                service: v.service.clone(),
                soc2_type: v.soc2_type.clone().filter(|t| t == "type1" || t == "type2"),
                report_period_end: v.report_period_end.clone(),
            })
            .collect(),
    };
    PublicReport {
        public_report_version: PUBLIC_REPORT_VERSION,
        organization: report.facts.organization.clone(),
        evaluated_on: report.evaluated_on.clone(),
        period: report.period,
        pack: PublicPack {
            name: report.pack.name.clone(),
            version: report.pack.version.clone(),
        },
        summary: report.summary.controls,
        categories,
        controls,
        vendors,
    }
}

/// A vendor's assurance in words: `SOC 2 Type II, period ending 2026-03-31`.
fn assurance(v: &PublicVendor) -> String {
    let kind = match v.soc2_type.as_deref() {
        Some("type2") => "SOC 2 Type II",
        Some("type1") => "SOC 2 Type I",
        _ => return "no SOC 2 report".to_owned(),
    };
    match &v.report_period_end {
        Some(end) => format!("{kind}, period ending {end}"),
        None => kind.to_owned(),
    }
}

/// The vendor totals in words: `8 vendors: 5 SOC 2 Type II, 1 Type I, 2 without a report`.
fn vendor_totals(v: &VendorAssurance) -> String {
    format!(
        "{} vendor{}: {} with a SOC 2 Type II report, {} with Type I, {} without a SOC 2 report",
        v.total,
        if v.total == 1 { "" } else { "s" },
        v.soc2_type2,
        v.soc2_type1,
        v.none
    )
}
