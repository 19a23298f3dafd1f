//! The vendor risk register as text, for people, and as CSV (one row per gap, and one per
//! vendor without any), for spreadsheets; its JSON is its own serialization
//! ([`VendorRegister::to_json`]).

use super::csv::row;
use attest_engine::escape::line;
use attest_engine::report::describe_params;
use attest_engine::report::vendors::{RegisterEntry, RiskLevel, VendorRegister};
use std::fmt::Write as _;

/// Renders the register as text: the counts, the rules in error, then each vendor (highest
/// residual risk first) with its risks, next review and gaps. What the facts wrote is shown
/// on one line, its control characters escaped.
pub fn vendors_text(register: &VendorRegister) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Vendor risk register · {} · {}{}",
        line(&register.organization),
        line(&register.evaluated_on),
        super::period_note(register.period)
    );
    if let Some(params) = describe_params(&register.params) {
        let _ = writeln!(out, "Parameters set for this run: {}", line(&params));
    }
    let counts: Vec<String> = RiskLevel::ALL
        .iter()
        .map(|l| format!("{} {}", register.summary.residual_risk.get(*l), l.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "{} vendors, {} with open gaps; residual risk: {}",
        register.summary.vendors,
        register.summary.with_open_gaps,
        counts.join(", ")
    );
    super::todo::rules_in_error_text(
        &mut out,
        &register.rules_in_error,
        "the register may miss the gaps of those that judge vendors",
    );
    for v in &register.vendors {
        out.push('\n');
        entry(&mut out, v, &register.evaluated_on);
    }
    out
}

/// The vendor's data access in words: its kinds, `no data access`, or `data access
/// unknown` when the facts do not record it.
pub(super) fn data_access(v: &RegisterEntry) -> String {
    match v.data_access.as_deref() {
        None => "data access unknown".to_owned(),
        Some([]) => "no data access".to_owned(),
        Some(kinds) => kinds.join(", "),
    }
}

/// When the next review is due, in words: the date, `overdue` when it is, and the last
/// review (`never reviewed`, or one recorded after the as-of date).
pub(super) fn review(v: &RegisterEntry, today: &str) -> String {
    let overdue = if v.review_overdue { ", overdue" } else { "" };
    match (&v.next_review_on, &v.last_risk_review_on) {
        (Some(next), None) => format!("{next}{overdue} (never reviewed)"),
        (Some(next), Some(last)) if last.as_str() > today => {
            format!("{next}{overdue} (none by the as-of date; one is recorded on {last})")
        }
        (Some(next), Some(last)) => format!("{next}{overdue} (last {last})"),
        (None, _) if v.status == "offboarded" => "none (offboarded)".to_owned(),
        (None, _) => "unknown (the pack sets no review cadence)".to_owned(),
    }
}

fn entry(out: &mut String, v: &RegisterEntry, today: &str) {
    let status = if v.status == "active" {
        String::new()
    } else {
        format!(" · {}", line(&v.status))
    };
    let _ = writeln!(
        out,
        "{} ({}){status}: {} tier, {}",
        line(&v.name),
        line(&v.id),
        line(&v.risk_tier),
        line(&data_access(v))
    );
    if !v.service.is_empty() {
        let _ = writeln!(out, "  service: {}", line(&v.service));
    }
    let _ = writeln!(
        out,
        "  risk: inherent {}, residual {}",
        v.inherent_risk.as_str(),
        v.residual_risk.as_str()
    );
    let _ = writeln!(out, "  next review: {}", line(&review(v, today)));
    if !v.not_judged_by.is_empty() {
        let _ = writeln!(
            out,
            "  not judged by (rules in error): {}",
            line(&v.not_judged_by.join(", "))
        );
    }
    if v.gaps.is_empty() {
        out.push_str(if v.not_judged_by.is_empty() {
            "  gaps: none\n"
        } else {
            "  gaps: none found by the rules that answered\n"
        });
        return;
    }
    let _ = writeln!(
        out,
        "  gaps (criteria: {}):",
        line(&v.criteria().join(", "))
    );
    for g in &v.gaps {
        let _ = writeln!(
            out,
            "    {} {} {} [{}]: {}",
            g.status.as_str(),
            g.kind.as_str(),
            line(&g.rule),
            line(&g.criteria.join(", ")),
            line(&g.message)
        );
    }
}

const HEADER: [&str; 17] = [
    "vendor_id",
    "vendor_name",
    "status",
    "risk_tier",
    "data_access",
    "inherent_risk",
    "residual_risk",
    "last_risk_review_on",
    "next_review_on",
    "review_overdue",
    "gap_kind",
    "gap_status",
    "rule",
    "criteria",
    "message",
    "key",
    "source",
];

/// Renders the register as CSV (RFC 4180, CRLF line ends): one row per gap, one per rule in
/// error that could not judge the vendor (`gap_status` `error`, its message), and one row
/// with empty gap columns for a vendor without either.
pub fn vendors_csv(register: &VendorRegister) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for v in &register.vendors {
        let vendor = [
            v.id.clone(),
            v.name.clone(),
            v.status.clone(),
            v.risk_tier.clone(),
            v.data_access
                .as_ref()
                .map_or_else(|| "unknown".to_owned(), |kinds| kinds.join(" ")),
            v.inherent_risk.as_str().to_owned(),
            v.residual_risk.as_str().to_owned(),
            v.last_risk_review_on.clone().unwrap_or_default(),
            v.next_review_on.clone().unwrap_or_default(),
            v.review_overdue.to_string(),
        ];
        if v.gaps.is_empty() && v.not_judged_by.is_empty() {
            let mut fields = vendor.to_vec();
            fields.resize(HEADER.len(), String::new());
            row(&mut out, fields);
        }
        for g in &v.gaps {
            let gap = [
                g.kind.as_str().to_owned(),
                g.status.as_str().to_owned(),
                g.rule.clone(),
                g.criteria.join(" "),
                g.message.clone(),
                g.key.clone().unwrap_or_default(),
                g.source
                    .as_ref()
                    .map(|s| format!("{}:{}", s.file, s.line))
                    .unwrap_or_default(),
            ];
            row(&mut out, vendor.iter().cloned().chain(gap));
        }
        for rule in &v.not_judged_by {
            let message = register
                .rules_in_error
                .iter()
                .find(|r| &r.rule == rule)
                .map(|r| {
                    format!(
                        "the rule is in error and could not judge the vendor: {}",
                        r.message
                    )
                })
                .unwrap_or_default();
            let error = [
                String::new(),
                "error".to_owned(),
                rule.clone(),
                String::new(),
                message,
                String::new(),
                String::new(),
            ];
            row(&mut out, vendor.iter().cloned().chain(error));
        }
    }
    out
}
