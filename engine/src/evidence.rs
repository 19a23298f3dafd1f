//! Criteria that no rule checks from data, or whose rules found nothing to test, are judged
//! by the evidence collected for them: current evidence passes, evidence lapsing within the
//! warning window warns, and missing or expired evidence fails. That way every criterion in
//! scope has a status, and absent data never passes one.

mod files;
mod listing;

pub use files::EvidenceFile;
pub(crate) use files::check as check_files;
pub(crate) use listing::list;

use crate::date::{self, Date};
use crate::facts::Facts;
use crate::facts::tree::{Node, Record};
use crate::pack::{Control, Owner, Severity};
use crate::period::Period;
use crate::period::stretches::{Stretch, lapses};
use crate::population;
use crate::report::{EVIDENCE_RULE, Explanation, Finding, FindingStatus, RuleResult, Status};

/// Days evidence stays valid when it has no `expires_on`.
const DEFAULT_VALIDITY_DAYS: i64 = 365;

/// What judging evidence needs: the facts, the as-of date, the audit period, the warning
/// window and what populations list.
pub(crate) struct Judge<'a> {
    pub facts: &'a Facts,
    pub as_of: Date,
    pub period: Option<Period>,
    pub warn_days: i64,
    pub detail: population::Detail,
}

/// The evidence records of a criterion, in document order.
fn records_of<'f>(facts: &'f Facts, control_id: &str) -> impl Iterator<Item = &'f Record> {
    let records: &[Node] = match facts.root().field("evidence") {
        Some(Node::List(l)) => l.items(),
        _ => &[],
    };
    records.iter().filter_map(Node::as_record).filter(move |r| {
        r.get("control_id").and_then(Node::key_text).as_deref() == Some(control_id)
    })
}

/// A text field of a record, if it has one.
fn text(r: &Record, field: &str) -> Option<String> {
    r.get(field).and_then(Node::as_str).map(str::to_string)
}

/// A date field of a record, if it holds a valid date.
fn date(r: &Record, field: &str) -> Option<Date> {
    r.get(field)
        .and_then(Node::key_text)
        .and_then(|s| Date::parse(&s))
}

/// The last day a record counts: its `expires_on`, else `collected_on` plus the default
/// validity (evidence collected at the calendar's end lapses with it).
fn lapses_on(r: &Record, collected: Date) -> Date {
    date(r, "expires_on").unwrap_or_else(|| {
        collected
            .add_days(DEFAULT_VALIDITY_DAYS)
            .unwrap_or(collected)
    })
}

/// The owner of a criterion's evidence (Security when the catalog names none).
fn owner_of(control: &Control) -> Owner {
    control.evidence_owner.unwrap_or(Owner::Security)
}

/// Judges a control by its evidence records. `unjudged` lists the control's rules that
/// could not judge it from the facts, each with why (empty for a control without rules):
/// with no evidence either, the finding names them; `part` when its other rules judged the
/// rest of it. The check is as severe as `severity`.
pub(crate) fn check(
    control: &Control,
    judge: &Judge<'_>,
    unjudged: &[(&str, &str)],
    part: bool,
    severity: Severity,
) -> RuleResult {
    let (facts, as_of, warn_days) = (judge.facts, judge.as_of, judge.warn_days);
    let explain = judge.detail.keys;
    let owner = owner_of(control);
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
    // With an audit period: what was in force during it (collected by its end), and what
    // was collected after it, which counts for the as-of date but not for the period.
    let mut held = Vec::new();
    let mut after = Vec::new();
    // Collected after the as-of date: recorded, but not collected yet then.
    let mut later = Vec::new();
    for r in records_of(facts, &control.id) {
        tested.push(r.pointer());
        let Some(collected) = date(r, "collected_on") else {
            continue;
        };
        let ends = lapses_on(r, collected);
        let title = text(r, "title").unwrap_or_default();
        match judge.period {
            Some(p) if collected <= p.end() => held.push((collected, Some(ends))),
            Some(_) => after.push(format!("\"{title}\" ({collected})")),
            None => {}
        }
        if collected > as_of {
            later.push(format!("\"{title}\" ({collected})"));
            continue;
        }
        if ends >= as_of {
            current.push((ends, title, r.pointer().into_owned()));
        } else {
            expired.push(finding(
                FindingStatus::Fail,
                format!("evidence \"{title}\" for {} expired on {ends}", control.id),
                Some(r.pointer().into_owned()),
            ));
        }
    }
    // Type 2: evidence must have been in force on every day of the period. With no dated
    // evidence at all, the messages below say so.
    let gaps = match judge.period {
        Some(p) if !held.is_empty() || !after.is_empty() => lapses(p.start(), p.end(), held),
        _ => Vec::new(),
    };
    let any_expired = !expired.is_empty();
    let (status, findings) = if let (Some(p), false) = (judge.period, gaps.is_empty()) {
        let lapsed = lapse_text(&control.id, p, &gaps, &after);
        let msg = match unjudged.is_empty() {
            true => lapsed,
            false => format!("{}; and {lapsed}", unshown(&control.id, unjudged, part)),
        };
        let mut f = finding(FindingStatus::Fail, msg, None);
        f.data = Some(lapse_data(&gaps));
        (Status::Fail, vec![f])
    } else if let Some((ends, title, ptr)) = current.iter().max() {
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
    } else {
        // Nothing current, nothing expired: none recorded, or none collected yet.
        let (id, title) = (&control.id, &control.title);
        let yet = format!(
            "collected by the as-of date {as_of} (after it: {})",
            later.join(", ")
        );
        let msg = match (unjudged.is_empty(), later.is_empty()) {
            (true, true) => format!("no evidence is recorded for {id}: {title}"),
            (true, false) => format!("no evidence for {id} ({title}) was {yet}"),
            (false, true) => format!(
                "{}; and no evidence is recorded for it",
                unshown(id, unjudged, part)
            ),
            (false, false) => format!(
                "{}; and no evidence for it was {yet}",
                unshown(id, unjudged, part)
            ),
        };
        (Status::Fail, vec![finding(FindingStatus::Fail, msg, None)])
    };
    let explanation = explain.then(|| {
        let reason = match status {
            Status::Pass if judge.period.is_some() => format!(
                "pass: evidence for {} was in force on every day of the audit period, and current evidence is on file",
                control.id
            ),
            Status::Pass => format!("pass: current evidence is on file for {}", control.id),
            _ if !gaps.is_empty() => format!(
                "fail: on some days of the audit period no evidence for {} was in force",
                control.id
            ),
            Status::Warn => format!(
                "warn: the current evidence for {} lapses within {warn_days} days",
                control.id
            ),
            _ if any_expired => {
                format!("fail: every evidence record for {} has expired", control.id)
            }
            _ if !later.is_empty() => format!(
                "fail: no evidence for {} was collected by the as-of date",
                control.id
            ),
            _ => format!("fail: no evidence record names {}", control.id),
        };
        Explanation {
            params: [("warn_window_days".to_owned(), warn_days.into())]
                .into_iter()
                .collect(),
            reason,
        }
    });
    let mut population = population::of(
        facts,
        &["evidence".to_owned()],
        &tested,
        population::Judged {
            findings: &findings,
            exceptions: &[],
        },
        judge.detail,
    );
    // Listed even when the facts have no `evidence` at all: 0 of 0.
    population
        .collections
        .entry("evidence".to_owned())
        .or_default();
    RuleResult {
        id: format!("{EVIDENCE_RULE}/{}", control.id),
        title: format!("Current evidence on file for {}", control.id),
        status,
        severity,
        owner,
        controls: vec![control.id.clone()],
        reason: None,
        disabled: None,
        explanation,
        error: None,
        judged_at_as_of: false,
        population,
        findings,
    }
}

/// What the facts left unshown of criterion `id`: its rules that could not judge it, each
/// with why; `part` when its other rules judged the rest of it.
fn unshown(id: &str, unjudged: &[(&str, &str)], part: bool) -> String {
    let why: Vec<String> = unjudged
        .iter()
        .map(|(rule, reason)| format!("{rule}: {reason}"))
        .collect();
    match part {
        true => format!("not all of {id} is shown: {}", why.join("; ")),
        false => format!("nothing shows {id} operates: {}", why.join("; ")),
    }
}

/// The days of period `p` without evidence for criterion `id` in force, as a finding says
/// them, naming the evidence collected after the period (`after`), which does not count.
fn lapse_text(id: &str, p: Period, gaps: &[Stretch], after: &[String]) -> String {
    let total: i64 = gaps.iter().map(|g| g.days).sum();
    let stretches: Vec<String> = gaps
        .iter()
        .map(|g| format!("{} to {} ({})", g.from, g.to, date::say_days(g.days)))
        .collect();
    let mut text = format!(
        "no evidence for {id} was in force on {} of the audit period {} to {}: {}",
        date::say_days(total),
        p.start(),
        p.end(),
        stretches.join("; ")
    );
    if !after.is_empty() {
        text.push_str(&format!(
            " (collected after the period, which it does not cover: {})",
            after.join(", ")
        ));
    }
    text
}

/// A lapse finding's data: `{"lapses": [{"from", "to", "days"}], "days_without": N}`, as the
/// rules' lapse findings give it.
fn lapse_data(gaps: &[Stretch]) -> serde_json::Value {
    let lapses: Vec<serde_json::Value> = gaps
        .iter()
        .map(|g| {
            serde_json::json!({
                "from": g.from.to_string(),
                "to": g.to.to_string(),
                "days": g.days,
            })
        })
        .collect();
    let total: i64 = gaps.iter().map(|g| g.days).sum();
    serde_json::json!({ "lapses": lapses, "days_without": total })
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
