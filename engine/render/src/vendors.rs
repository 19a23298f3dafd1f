//! The vendor risk register as text, for people, and as CSV (one row per gap, and one per
//! vendor without any), for spreadsheets; its JSON is its own serialization
//! ([`VendorRegister::to_json`]).

use super::csv::row;
use attest_engine::escape::line;
use attest_engine::report::vendors::{RegisterEntry, RiskLevel, VendorRegister};
use std::fmt::Write as _;

/// Renders the register as text: the counts, then each vendor (highest residual risk
/// first) with its risks, next review and gaps. What the facts wrote is shown on one line,
/// its control characters escaped.
pub fn vendors_text(register: &VendorRegister) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Vendor risk register · {} · {}",
        line(&register.organization),
        line(&register.evaluated_on)
    );
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
    for v in &register.vendors {
        out.push('\n');
        entry(&mut out, v, &register.evaluated_on);
    }
    out
}

fn entry(out: &mut String, v: &RegisterEntry, today: &str) {
    let status = if v.status == "active" {
        String::new()
    } else {
        format!(" · {}", line(&v.status))
    };
    let data = if v.data_access.is_empty() {
        "no data access".to_owned()
    } else {
        line(&v.data_access.join(", ")).into_owned()
    };
    let _ = writeln!(
        out,
        "{} ({}){status}: {} tier, {data}",
        line(&v.name),
        line(&v.id),
        line(&v.risk_tier)
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
    let review = match (&v.next_review_on, &v.last_risk_review_on) {
        (Some(next), None) => format!("{next} (never reviewed)"),
        (Some(next), Some(last)) if next.as_str() < today => {
            format!("{next}, overdue (last {last})")
        }
        (Some(next), Some(last)) => format!("{next} (last {last})"),
        (None, _) if v.status == "offboarded" => "none (offboarded)".to_owned(),
        (None, _) => "unknown (the pack sets no review cadence)".to_owned(),
    };
    let _ = writeln!(out, "  next review: {}", line(&review));
    if v.gaps.is_empty() {
        out.push_str("  gaps: none\n");
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

const HEADER: [&str; 16] = [
    "vendor_id",
    "vendor_name",
    "status",
    "risk_tier",
    "data_access",
    "inherent_risk",
    "residual_risk",
    "last_risk_review_on",
    "next_review_on",
    "gap_kind",
    "gap_status",
    "rule",
    "criteria",
    "message",
    "key",
    "source",
];

/// Renders the register as CSV (RFC 4180, CRLF line ends): one row per gap, and one row
/// with empty gap columns for a vendor without any.
pub fn vendors_csv(register: &VendorRegister) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for v in &register.vendors {
        let vendor = [
            v.id.clone(),
            v.name.clone(),
            v.status.clone(),
            v.risk_tier.clone(),
            v.data_access.join(" "),
            v.inherent_risk.as_str().to_owned(),
            v.residual_risk.as_str().to_owned(),
            v.last_risk_review_on.clone().unwrap_or_default(),
            v.next_review_on.clone().unwrap_or_default(),
        ];
        if v.gaps.is_empty() {
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
    }
    out
}
