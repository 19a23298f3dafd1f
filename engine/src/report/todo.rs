//! The to-do list: for each owner (the business unit that fixes a finding or collects a
//! criterion's evidence), what it has to act on, in the order to act on it. `attest todo`
//! prints it (text, Markdown, CSV, and its JSON, the todo-v1 document of
//! `schemas/todo.v1.schema.json`); the text and Markdown reports count it per owner; the HTML
//! report shows it as a tab per owner.
//!
//! Items are of four kinds:
//!
//! - `finding`: a failing finding no active waiver covers, of a rule of an applicable
//!   criterion.
//! - `exception`: such a finding whose exception is over: its data's `corrected_on` gives
//!   the `YYYY-MM-DD` day it ended, on or before the as-of date (a leaver's account disabled
//!   late, a vulnerability fixed after its deadline, a training gap that closed). It still
//!   fails its criterion for the period, but there is nothing to fix now: the item asks to
//!   keep the record of why it happened and what changed, for the auditor. It is not a
//!   failure to fix ([`TodoCounts::to_fix`]).
//! - `lapsing`: a warning (something lapses within the warning window), with the date it
//!   lapses where the finding's data gives one.
//! - `evidence`: a criterion judged by its `evidence[]` records (no rule could judge it from
//!   the facts) whose evidence is missing, expired or expiring: one item per criterion, for
//!   the criterion's evidence owner (`evidence_owner` in the catalog), with the expiry date of
//!   its latest record (none when no evidence is recorded). Its severity is its evidence
//!   check's: that of the worst rule it stands in for (medium at least), medium for a
//!   criterion without rules.
//!
//! A finding's due date ([`due_date`]) is read from its data: the first of these that holds a
//! `YYYY-MM-DD` date, the earliest within a step: (1) `fails_on`, the day a warning becomes a
//! failure; (2) a deadline: `due`, `due_on`, or a key ending in `_due` (`notice_due`,
//! `review_due`); (3) the last day something counts: a key ending in `_until`
//! (`valid_until`, `current_until`) or `expires_on` or a key ending in `_expires_on`; (4) an
//! integer `days_left`, counted from the as-of date, or `days_overdue`, counted back from it.
//! Else it has none. For a failing finding the date is the one it was due by. For a lapsing
//! item it is the date it lapses, which is never before the as-of date: dates before it (a
//! deadline that a later one replaced, such as a remediation deadline a risk acceptance
//! extended) are not read.
//!
//! A rule in error could not say what it would have found: the list carries it
//! ([`TodoList::rules_in_error`]), since its owner's items may be missing, and it counts as a
//! failure ([`TodoList::has_failures`]).
//!
//! Order, within each owner: the items to act on, then the exceptions that are over; each
//! by severity (critical, high, medium, low), then by the date an item is due, earliest
//! first, then by rule id, then by record (its key, else its JSON Pointer), then by message.
//! Failing items (findings, missing or expired evidence) are due already: they sort by their
//! due date when it is before the as-of date, else by the as-of date; so overdue items come
//! first, then what lapses soonest, and lapsing items without a date come last. Exceptions
//! that are over sort by the day they ended. Owners are listed in name order; an owner is listed when it has an item or
//! a waived finding, and [`TodoList::for_owner`] lists the owner asked for whatever it has.

use super::views::{RuleView, rule_views};
use super::{ControlResult, EvidenceState, Finding, PackInfo, Params, Report, Status};
use crate::date::Date;
use crate::facts::Origin;
use crate::pack::{Owner, Severity};
use crate::period::Period;
use serde::Serialize;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The version of the to-do list's JSON format (`schemas/todo.v1.schema.json`).
pub const TODO_VERSION: &str = "1";

/// What an item asks of its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Fix a failing finding.
    Finding,
    /// Act before something lapses.
    Lapsing,
    /// Collect a criterion's evidence.
    Evidence,
    /// Keep the record of a failing finding whose exception is over (`corrected_on`).
    Exception,
}

impl ItemKind {
    /// Whether an item of this kind (with this evidence to collect) is a failure to fix,
    /// rather than something that lapses soon.
    fn fails(self, evidence: Option<&EvidenceToCollect>) -> bool {
        match self {
            ItemKind::Finding => true,
            ItemKind::Lapsing | ItemKind::Exception => false,
            ItemKind::Evidence => evidence.is_some_and(|e| e.state != EvidenceGap::Expiring),
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Finding => "finding",
            ItemKind::Lapsing => "lapsing",
            ItemKind::Evidence => "evidence",
            ItemKind::Exception => "exception",
        }
    }
}

/// Why a criterion's evidence is to collect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceGap {
    /// No evidence is recorded for it (the criterion fails).
    Missing,
    /// Every evidence record has expired (the criterion fails).
    Expired,
    /// With an audit period: evidence is current at the as-of date, but none was in force
    /// on some days of the period (the criterion fails: a gap in the past, which the
    /// report's finding lists, is an exception of the period).
    Lapsed,
    /// The latest evidence expires within the warning window (the criterion warns).
    Expiring,
}

impl EvidenceGap {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceGap::Missing => "missing",
            EvidenceGap::Expired => "expired",
            EvidenceGap::Lapsed => "lapsed",
            EvidenceGap::Expiring => "expiring",
        }
    }
}

/// The criterion of an `evidence` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct EvidenceToCollect {
    /// The criterion id.
    pub criterion: String,
    /// Its title: what the evidence has to show.
    pub title: String,
    /// Why its evidence is to collect.
    pub state: EvidenceGap,
}

/// A rule that could not answer (status `error`): what it would have found is unknown, so
/// the lists that read its findings (the to-do list, the vendor register) may miss some.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RuleInError {
    /// The rule id.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// Who fixes its findings: the owner whose items may be missing.
    pub owner: Owner,
    /// Why it could not answer.
    pub message: String,
}

impl RuleInError {
    /// The rules of a report that are in error, in the report's order.
    pub fn of_report(report: &Report) -> Vec<RuleInError> {
        report
            .rules
            .iter()
            .filter_map(|r| {
                Some(RuleInError {
                    rule: r.id.clone(),
                    title: r.title.clone(),
                    owner: r.owner,
                    message: r.error.as_ref()?.message.clone(),
                })
            })
            .collect()
    }
}

/// One thing an owner has to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TodoItem {
    /// What it asks.
    pub kind: ItemKind,
    /// The rule's severity (for evidence, its evidence check's).
    pub severity: Severity,
    /// When it is due: the date a lapsing item lapses, the date a failing finding (or an
    /// exception that is over) was due by, or the expiry date of a criterion's latest
    /// evidence, where known.
    pub due_on: Option<String>,
    /// For an exception that is over: the day it ended (the finding's `corrected_on`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_on: Option<String>,
    /// The rule (`evidence/<criterion>` for evidence).
    pub rule: String,
    /// The rule's title.
    pub rule_title: String,
    /// The applicable criteria the rule judges.
    pub criteria: Vec<String>,
    /// The key of the record it is about; null for an item about no record.
    pub key: Option<String>,
    /// The JSON Pointer of that record.
    pub entity: Option<String>,
    /// Where the record is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Origin>,
    /// What is wrong.
    pub message: String,
    /// What to do: the fix, for evidence what to collect, for an exception that is over
    /// what to keep for the auditor.
    pub remediation: String,
    /// For evidence items: the criterion and why its evidence is to collect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceToCollect>,
    /// The date it sorts by (see the module's documentation).
    #[serde(skip)]
    sorts_on: Option<Date>,
}

impl TodoItem {
    /// Whether it is a failure to fix: a finding, or evidence missing or expired (rather
    /// than something that lapses soon or an exception that is over).
    pub fn is_failing(&self) -> bool {
        self.kind.fails(self.evidence.as_ref())
    }

    /// The record it is about, as the order compares it: its key, else its pointer.
    pub fn record(&self) -> Option<&str> {
        self.key.as_deref().or(self.entity.as_deref())
    }

    /// The order of the list (see the module's documentation).
    fn order(&self, other: &TodoItem) -> Ordering {
        let due = match (self.sorts_on, other.sorts_on) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let over = |i: &TodoItem| i.kind == ItemKind::Exception;
        over(self)
            .cmp(&over(other))
            .then(self.severity.cmp(&other.severity))
            .then(due)
            .then_with(|| self.rule.cmp(&other.rule))
            .then_with(|| {
                self.record()
                    .unwrap_or("")
                    .cmp(other.record().unwrap_or(""))
            })
            .then_with(|| self.message.cmp(&other.message))
    }
}

/// An owner's items, by kind, and its waived findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TodoCounts {
    /// Items listed.
    pub items: usize,
    /// `finding` items.
    pub findings: usize,
    /// `lapsing` items.
    pub lapsing: usize,
    /// `evidence` items.
    pub evidence: usize,
    /// `exception` items: failing findings whose exception is over (not to fix).
    pub exceptions: usize,
    /// Failing items: findings, and evidence missing or expired.
    pub to_fix: usize,
    /// Failing findings an active waiver covers (not listed).
    pub waived: usize,
}

impl TodoCounts {
    /// Items that lapse soon: neither failures to fix nor exceptions that are over.
    pub fn lapsing_soon(&self) -> usize {
        self.items - self.to_fix - self.exceptions
    }

    /// Counts one item of `kind`: a failure to fix, something that lapses soon, or an
    /// exception that is over.
    fn note(&mut self, kind: ItemKind, failing: bool) {
        self.items += 1;
        match kind {
            ItemKind::Finding => self.findings += 1,
            ItemKind::Lapsing => self.lapsing += 1,
            ItemKind::Evidence => self.evidence += 1,
            ItemKind::Exception => self.exceptions += 1,
        }
        if failing {
            self.to_fix += 1;
        }
    }

    fn add(&mut self, other: &TodoCounts) {
        self.items += other.items;
        self.findings += other.findings;
        self.lapsing += other.lapsing;
        self.evidence += other.evidence;
        self.exceptions += other.exceptions;
        self.to_fix += other.to_fix;
        self.waived += other.waived;
    }
}

/// One owner's share of the work.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct OwnerTodo {
    /// The owner.
    pub owner: Owner,
    /// Its counts.
    pub summary: TodoCounts,
    /// Its items, in the order to act on them.
    pub items: Vec<TodoItem>,
}

impl OwnerTodo {
    fn new(owner: Owner) -> OwnerTodo {
        OwnerTodo {
            owner,
            summary: TodoCounts::default(),
            items: Vec::new(),
        }
    }

    /// Items that lapse soon rather than fail: `lapsing` items and expiring evidence.
    pub fn lapsing_soon(&self) -> usize {
        self.summary.lapsing_soon()
    }

    /// Counts `item`, and lists it when the items are `listed`.
    fn add(&mut self, item: TodoItem, listed: bool) {
        self.summary.note(item.kind, item.is_failing());
        if listed {
            self.items.push(item);
        }
    }
}

/// The to-do list (the `todo-v1` JSON document).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TodoList {
    /// The to-do format's version: "1".
    pub todo_version: String,
    /// `organization.name`.
    pub organization: String,
    /// The as-of date of the evaluation.
    pub evaluated_on: String,
    /// The audit period the rules judged, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The pack whose rules found the items.
    pub pack: PackInfo,
    /// The parameters the run set in place of the pack's defaults, as the report has them
    /// (absent when it set none).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: Params,
    /// sha256 of the canonical facts.
    pub facts_digest: String,
    /// The owner the list was narrowed to, if any.
    pub owner: Option<Owner>,
    /// The rules in error (of the owner the list was narrowed to): their owners' items may
    /// be missing from the list.
    pub rules_in_error: Vec<RuleInError>,
    /// Counts over the owners listed (`items`: how many items in all).
    pub summary: TodoCounts,
    /// The owners, in name order.
    pub owners: Vec<OwnerTodo>,
}

impl TodoList {
    /// The to-do list of a report (after its waivers were applied): every owner with an
    /// item or a waived finding.
    pub fn new(report: &Report) -> TodoList {
        TodoList::gathered(report, true)
    }

    /// Each owner's counts as [`TodoList::new`] gives them, without the items (what the
    /// text and Markdown summaries show).
    pub fn counts(report: &Report) -> TodoList {
        TodoList::gathered(report, false)
    }

    /// The list, its items `listed` or only counted.
    fn gathered(report: &Report, listed: bool) -> TodoList {
        let as_of = Date::parse(&report.evaluated_on);
        let mut owners: BTreeMap<&'static str, OwnerTodo> = BTreeMap::new();
        for v in rule_views(report) {
            for f in &v.rule.findings {
                if f.effective_status() == Status::Waived {
                    owner_entry(&mut owners, f.owner).summary.waived += 1;
                }
            }
            if v.rule.is_evidence_check() {
                if let Some((owner, item)) = evidence_item(&v, as_of) {
                    owner_entry(&mut owners, owner).add(item, listed);
                }
                continue;
            }
            for f in &v.rule.findings {
                let corrected = corrected_on(f.data.as_ref(), as_of);
                let kind = match (f.effective_status(), corrected) {
                    (Status::Fail, None) => ItemKind::Finding,
                    (Status::Fail, Some(_)) => ItemKind::Exception,
                    (Status::Warn, _) => ItemKind::Lapsing,
                    _ => continue,
                };
                let owner = owner_entry(&mut owners, f.owner);
                if listed {
                    let due = due_date(f.data.as_ref(), as_of, kind == ItemKind::Lapsing);
                    let mut it = item(&v, f, kind, due, as_of, None);
                    if let (ItemKind::Exception, Some(day)) = (kind, corrected) {
                        it.over_on(day);
                    }
                    owner.add(it, true);
                } else {
                    owner.summary.note(kind, kind.fails(None));
                }
            }
        }
        let owners: Vec<OwnerTodo> = owners
            .into_values()
            .map(|mut o| {
                crate::sorting::sort_by(&mut o.items, TodoItem::order);
                o
            })
            .collect();
        TodoList {
            todo_version: TODO_VERSION.to_owned(),
            organization: report.facts.organization.clone(),
            evaluated_on: report.evaluated_on.clone(),
            period: report.period,
            pack: report.pack.clone(),
            params: report.params.clone(),
            facts_digest: report.facts.digest.clone(),
            owner: None,
            rules_in_error: RuleInError::of_report(report),
            summary: total(&owners),
            owners,
        }
    }

    /// The list narrowed to one owner, listed even with nothing to do.
    #[must_use]
    pub fn for_owner(mut self, owner: Owner) -> TodoList {
        self.owners.retain(|o| o.owner == owner);
        if self.owners.is_empty() {
            self.owners.push(OwnerTodo::new(owner));
        }
        self.owner = Some(owner);
        self.rules_in_error.retain(|r| r.owner == owner);
        self.summary = total(&self.owners);
        self
    }

    /// Whether a listed item is a failure no waiver covers, or a rule is in error (so the
    /// list may miss failures): exit code 1, as `attest eval`'s.
    pub fn has_failures(&self) -> bool {
        self.summary.to_fix > 0 || !self.rules_in_error.is_empty()
    }

    /// The list as pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn owner_entry<'a>(
    owners: &'a mut BTreeMap<&'static str, OwnerTodo>,
    owner: Owner,
) -> &'a mut OwnerTodo {
    owners
        .entry(owner.as_str())
        .or_insert_with(|| OwnerTodo::new(owner))
}

fn total(owners: &[OwnerTodo]) -> TodoCounts {
    let mut sum = TodoCounts::default();
    for o in owners {
        sum.add(&o.summary);
    }
    sum
}

/// An item of `kind` from a finding of the rule `v`.
fn item(
    v: &RuleView<'_>,
    f: &Finding,
    kind: ItemKind,
    due: Option<Date>,
    as_of: Option<Date>,
    evidence: Option<EvidenceToCollect>,
) -> TodoItem {
    let mut item = TodoItem {
        kind,
        severity: v.rule.severity,
        due_on: due.map(|d| d.to_string()),
        corrected_on: None,
        rule: v.id.to_owned(),
        rule_title: v.rule.title.clone(),
        criteria: v.control_ids().into_iter().map(str::to_owned).collect(),
        key: f.key.clone(),
        entity: f.entity.clone(),
        source: f.source.clone(),
        message: f.message.clone(),
        remediation: f.remediation.clone(),
        evidence,
        sorts_on: due,
    };
    if item.is_failing() {
        // Due already: by the date it was due, or now.
        item.sorts_on = match (due, as_of) {
            (Some(d), Some(now)) => Some(d.min(now)),
            (d, now) => d.or(now),
        };
    }
    item
}

impl TodoItem {
    /// Makes it the record of an exception that ended on `day`: what to keep for the
    /// auditor in place of the fix, sorted by the day it ended.
    fn over_on(&mut self, day: Date) {
        self.corrected_on = Some(day.to_string());
        self.remediation = format!(
            "Corrected on {day}: nothing to fix now; keep the record of why it happened and what changed, for the auditor."
        );
        self.sorts_on = Some(day);
    }
}

/// The day a failing finding's exception ended: its data's `corrected_on`, a `YYYY-MM-DD`
/// date on or before the as-of date (a later day, or one that is not a date, is not read:
/// the finding is still to fix).
pub fn corrected_on(data: Option<&Value>, as_of: Option<Date>) -> Option<Date> {
    let day = Date::parse(data?.get("corrected_on")?.as_str()?)?;
    as_of.is_none_or(|now| day <= now).then_some(day)
}

/// The one item of an evidence check with open findings: missing evidence (a failing
/// finding about no record; with an audit period, one about the days the evidence lapsed,
/// which is expired evidence when no record is current now), expiring evidence (its
/// warning), or expired evidence (the failing finding about the record that expired last).
fn evidence_item(v: &RuleView<'_>, as_of: Option<Date>) -> Option<(Owner, TodoItem)> {
    let control: &ControlResult = v
        .controls
        .iter()
        .find(|c| v.rule.controls.first() == Some(&c.id))
        .or(v.controls.first())?;
    let open = |status: Status| {
        v.rule
            .findings
            .iter()
            .filter(move |f| f.effective_status() == status)
    };
    let expires = |f: &Finding| {
        let key = f.key.as_deref()?;
        control
            .evidence
            .iter()
            .find(|e| e.key.as_deref() == Some(key))
            .and_then(|e| e.expires_on.as_deref())
            .and_then(Date::parse)
    };
    let (state, finding, due) = if let Some(f) = open(Status::Warn).next() {
        (EvidenceGap::Expiring, f, expires(f))
    } else if let Some(f) = open(Status::Fail).find(|f| f.entity.is_none()) {
        // Missing, or with an audit period lapsed on some of its days: evidence current
        // now, or every record expired (the one that expired last says when), or none.
        let lapsed = f.data.as_ref().is_some_and(|d| d.get("lapses").is_some());
        let expired_last = control
            .evidence
            .iter()
            .filter(|e| e.state == EvidenceState::Expired)
            .filter_map(|e| e.expires_on.as_deref().and_then(Date::parse))
            .max();
        let current = control
            .evidence
            .iter()
            .any(|e| e.state == EvidenceState::Current);
        match (lapsed, current, expired_last) {
            (true, true, _) => (EvidenceGap::Lapsed, f, None),
            (true, false, Some(last)) => (EvidenceGap::Expired, f, Some(last)),
            _ => (EvidenceGap::Missing, f, None),
        }
    } else {
        // The record that expired last; the first of them on a tie.
        let f = open(Status::Fail).fold(None, |best: Option<&Finding>, f| match best {
            Some(b) if expires(b) >= expires(f) => Some(b),
            _ => Some(f),
        })?;
        (EvidenceGap::Expired, f, expires(f))
    };
    let evidence = EvidenceToCollect {
        criterion: control.id.clone(),
        title: control.title.clone(),
        state,
    };
    Some((
        finding.owner,
        item(v, finding, ItemKind::Evidence, due, as_of, Some(evidence)),
    ))
}

/// A finding's due date, from its data (see the module's documentation): `fails_on`; else
/// the earliest deadline (`due`, `due_on`, `*_due`); else the earliest end of validity
/// (`*_until`, `expires_on`, `*_expires_on`); else `days_left` after, or `days_overdue`
/// before, the as-of date; else none. For a `lapsing` finding (a warning), the date it
/// lapses: dates before the as-of date are left out.
pub fn due_date(data: Option<&Value>, as_of: Option<Date>, lapsing: bool) -> Option<Date> {
    let map = data?.as_object()?;
    let lapses = |d: &Date| !lapsing || as_of.is_none_or(|now| *d >= now);
    let earliest = |wanted: fn(&str) -> bool| {
        map.iter()
            .filter(|(k, _)| wanted(k))
            .filter_map(|(_, v)| v.as_str().and_then(Date::parse))
            .filter(lapses)
            .min()
    };
    let steps: [fn(&str) -> bool; 3] = [
        |k| k == "fails_on",
        |k| k == "due" || k == "due_on" || k.ends_with("_due"),
        |k| k.ends_with("_until") || k == "expires_on" || k.ends_with("_expires_on"),
    ];
    if let Some(date) = steps.into_iter().find_map(earliest) {
        return Some(date);
    }
    let as_of = as_of?;
    let days = |key: &str| map.get(key).and_then(Value::as_i64);
    match (days("days_left"), days("days_overdue")) {
        (Some(left), _) => as_of.add_days(left),
        (None, Some(overdue)) => as_of.add_days(overdue.checked_neg()?),
        (None, None) => None,
    }
    .filter(lapses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn due(data: Value) -> Option<String> {
        due_date(Some(&data), Date::parse("2026-06-30"), false).map(|d| d.to_string())
    }

    fn lapses(data: Value) -> Option<String> {
        due_date(Some(&data), Date::parse("2026-06-30"), true).map(|d| d.to_string())
    }

    #[test]
    fn a_lapsing_items_date_is_the_date_it_lapses_never_a_past_deadline() {
        // A risk acceptance replaced the remediation deadline: it lapses when it expires.
        let accepted = json!({"due": "2026-04-15", "acceptance_expires_on": "2026-09-30"});
        assert_eq!(lapses(accepted.clone()).as_deref(), Some("2026-09-30"));
        // A failing finding was due by the deadline.
        assert_eq!(due(accepted).as_deref(), Some("2026-04-15"));
        // A deadline to come is still the date it lapses; the as-of date is not past.
        assert_eq!(
            lapses(json!({"due": "2026-07-10", "valid_until": "2026-09-30"})).as_deref(),
            Some("2026-07-10")
        );
        assert_eq!(
            lapses(json!({"fails_on": "2026-06-30"})).as_deref(),
            Some("2026-06-30")
        );
        // Nothing to come: no date rather than a past one.
        assert_eq!(lapses(json!({"due": "2026-04-15"})), None);
        assert_eq!(lapses(json!({"days_overdue": 3})), None);
    }

    #[test]
    fn an_exception_is_over_on_its_corrected_day_up_to_the_as_of_date() {
        let over = |data: Value| {
            corrected_on(Some(&data), Date::parse("2026-06-30")).map(|d| d.to_string())
        };
        assert_eq!(
            over(json!({"corrected_on": "2026-05-29", "due": "2026-05-16"})).as_deref(),
            Some("2026-05-29")
        );
        assert_eq!(
            over(json!({"corrected_on": "2026-06-30"})).as_deref(),
            Some("2026-06-30")
        );
        // A day after the as-of date, or one that is not a date: still to fix.
        assert_eq!(over(json!({"corrected_on": "2026-07-01"})), None);
        assert_eq!(over(json!({"corrected_on": "yesterday"})), None);
        assert_eq!(over(json!({"corrected_on": 20260529})), None);
        assert_eq!(over(json!({"disabled_on": "2026-05-29"})), None);
        assert_eq!(corrected_on(None, Date::parse("2026-06-30")), None);
    }

    #[test]
    fn the_due_date_comes_from_the_findings_data_in_steps() {
        // A warning's failing day wins over the deadline it is past.
        assert_eq!(
            due(json!({"bridge_due": "2025-12-30", "fails_on": "2026-07-20"})).as_deref(),
            Some("2026-07-20")
        );
        // Deadlines, the earliest first, over ends of validity.
        assert_eq!(
            due(json!({"due": "2026-07-09", "notice_due": "2026-07-02", "valid_until": "2026-07-01"})).as_deref(),
            Some("2026-07-02")
        );
        assert_eq!(
            due(json!({"due_on": "2026-07-15"})).as_deref(),
            Some("2026-07-15")
        );
        assert_eq!(
            due(json!({"review_due": "2026-06-26", "deployed_on": "2026-06-19"})).as_deref(),
            Some("2026-06-26")
        );
        // Ends of validity.
        for key in [
            "valid_until",
            "current_until",
            "bridge_current_until",
            "expires_on",
            "acceptance_expires_on",
        ] {
            assert_eq!(
                due(json!({key: "2026-07-14", "report_period_end": "2025-12-31"})).as_deref(),
                Some("2026-07-14"),
                "{key}"
            );
        }
        // Counted days, when no date is given.
        assert_eq!(due(json!({"days_left": 14})).as_deref(), Some("2026-07-14"));
        assert_eq!(
            due(json!({"days_overdue": 47})).as_deref(),
            Some("2026-05-14")
        );
        // Nothing that says when: none; dates that are not dates are left out.
        assert_eq!(
            due(json!({"last_login_on": "2026-03-06", "days_idle": 116})),
            None
        );
        assert_eq!(due(json!({"due": "soon", "days_left": "14"})), None);
        assert_eq!(due(json!(["2026-07-01"])), None);
        assert_eq!(due_date(None, Date::parse("2026-06-30"), false), None);
    }
}
