//! Criteria that no rule checks from data, or whose rules found nothing to test, are judged
//! by the evidence collected for them: current evidence passes, evidence lapsing within the
//! warning window warns, and missing or expired evidence fails. That way every criterion in
//! scope has a status, and absent data never passes one.

use crate::date::Date;
use crate::facts::Facts;
use crate::facts::tree::Node;
use crate::pack::{Control, Owner, Severity};
use crate::report::{
    EVIDENCE_RULE, Explanation, Finding, FindingStatus, Population, RuleResult, Status, Tested,
};

/// Days evidence stays valid when it has no `expires_on`.
const DEFAULT_VALIDITY_DAYS: i64 = 365;

/// Judges a control by its evidence records. `unjudged` lists the control's rules that
/// could not judge it from the facts, each with why (empty for a control without rules):
/// with no evidence either, the finding names them.
pub(crate) fn check(
    control: &Control,
    facts: &Facts,
    as_of: Date,
    warn_days: i64,
    explain: bool,
    unjudged: &[(&str, &str)],
) -> RuleResult {
    let owner = control.evidence_owner.unwrap_or(Owner::Security);
    let mut remediation = format!(
        "Collect evidence that {} ({}) operates, store it, and record it in evidence[] with control_id \"{}\", uri and collected_on.",
        control.id,
        lowercase_first(&control.title),
        control.id
    );
    if !unjudged.is_empty() {
        remediation = format!(
            "Provide the facts its rules test ({}), or: {remediation}",
            unjudged
                .iter()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let finding = |status, message: String, entity: Option<String>| Finding {
        status,
        source: entity.as_deref().and_then(|p| facts.origin(p)),
        key: entity.as_deref().and_then(|p| facts.key(p)),
        message,
        entity,
        remediation: remediation.clone(),
        owner,
        data: None,
        waiver: None,
    };
    let mut current: Vec<(Date, String, String)> = Vec::new();
    let mut tested = Vec::new();
    let mut expired = Vec::new();
    let records: &[Node] = match facts.root().field("evidence") {
        Some(Node::List(l)) => l.items(),
        _ => &[],
    };
    for node in records {
        let Node::Record(r) = node else { continue };
        if r.get("control_id").and_then(Node::key_text).as_deref() != Some(control.id.as_str()) {
            continue;
        }
        tested.push(r.pointer());
        let date = |f: &str| {
            r.get(f)
                .and_then(Node::key_text)
                .and_then(|s| Date::parse(&s))
        };
        let Some(collected) = date("collected_on") else {
            continue;
        };
        if collected > as_of {
            continue;
        }
        // Evidence collected at the calendar's end lapses with it.
        let ends = date("expires_on").unwrap_or_else(|| {
            collected
                .add_days(DEFAULT_VALIDITY_DAYS)
                .unwrap_or(collected)
        });
        let title = r
            .get("title")
            .and_then(Node::key_text)
            .unwrap_or_default()
            .to_string();
        if ends >= as_of {
            current.push((ends, title, r.pointer().to_owned()));
        } else {
            expired.push(finding(
                FindingStatus::Fail,
                format!("evidence \"{title}\" for {} expired on {ends}", control.id),
                Some(r.pointer().to_owned()),
            ));
        }
    }
    let (status, findings) = if let Some((ends, title, ptr)) = current.iter().max() {
        if as_of.days_until(*ends) <= warn_days {
            let msg = format!(
                "the latest evidence for {} (\"{title}\") expires on {ends}",
                control.id
            );
            (
                Status::Warn,
                vec![finding(FindingStatus::Warn, msg, Some(ptr.clone()))],
            )
        } else {
            (Status::Pass, Vec::new())
        }
    } else if !expired.is_empty() {
        (Status::Fail, expired)
    } else if unjudged.is_empty() {
        let msg = format!(
            "no evidence is recorded for {}: {}",
            control.id, control.title
        );
        (Status::Fail, vec![finding(FindingStatus::Fail, msg, None)])
    } else {
        let why: Vec<String> = unjudged
            .iter()
            .map(|(id, reason)| format!("{id}: {reason}"))
            .collect();
        let msg = format!(
            "nothing shows {} operates: {}; and no evidence is recorded for it",
            control.id,
            why.join("; ")
        );
        (Status::Fail, vec![finding(FindingStatus::Fail, msg, None)])
    };
    let explanation = explain.then(|| {
        let reason = match status {
            Status::Pass => format!("pass: current evidence is on file for {}", control.id),
            Status::Warn => format!(
                "warn: the current evidence for {} lapses within {warn_days} days",
                control.id
            ),
            _ if !tested.is_empty() => {
                format!("fail: every evidence record for {} has expired", control.id)
            }
            _ => format!("fail: no evidence record names {}", control.id),
        };
        Explanation {
            params: [("warn_window_days".to_owned(), warn_days.into())]
                .into_iter()
                .collect(),
            reason,
        }
    });
    let of = records.len() as u64;
    let population = Population {
        tested: tested.len() as u64,
        collections: [(
            "evidence".to_owned(),
            Tested {
                tested: tested.len() as u64,
                of,
            },
        )]
        .into_iter()
        .collect(),
        keys: explain.then(|| {
            let mut keys: Vec<String> = tested
                .iter()
                .map(|p| facts.key(p).unwrap_or_else(|| (*p).to_owned()))
                .collect();
            keys.sort_unstable();
            keys
        }),
    };
    RuleResult {
        id: format!("{EVIDENCE_RULE}/{}", control.id),
        title: format!("Current evidence on file for {}", control.id),
        status,
        severity: Severity::Medium,
        owner,
        controls: vec![control.id.clone()],
        reason: None,
        disabled: None,
        explanation,
        error: None,
        population,
        findings,
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
