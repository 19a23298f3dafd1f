//! Comparing two reports of the same organization (a baseline and a new run): failures
//! that are new, failures resolved, failures no longer judged, failures still there, and
//! controls whose status changed. A failure is a failing finding or a rule in error;
//! findings are matched record by record (by rule and key, else JSON Pointer; a rule's
//! findings about no record together), those of one shape ([`message_shape`]) first, then the
//! rest in order, so a message that changes its dates, day counts or words is the same
//! failure, and a record failing its rule more times than before has a new one.
//!
//! [`message_shape`]: crate::report::views::message_shape
//! What a later run makes of an earlier run's failures ([`Later`]) and when two runs'
//! packs, parameters or periods differ ([`Side::context_change`]) are decided here alone:
//! the CLI's ledger and history ask this module rather than decide again.

use crate::facts::Origin;
use crate::pack::{Owner, Severity};
use crate::period::Period;
use crate::report::views::{message_shape, rule_views};
use crate::report::{EVIDENCE_RULE, Params, Report, Status};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// What changed between two reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diff {
    /// Always "1".
    pub diff_version: String,
    /// The baseline.
    pub base: Side,
    /// The new report.
    pub new: Side,
    /// Failing in the new report, not in the baseline: regressions.
    pub new_failures: Vec<DiffItem>,
    /// Failing in the baseline, and judged not failing in the new report.
    pub resolved: Vec<DiffItem>,
    /// Failing in the baseline, and not judged in the new report: the rule is not in its pack,
    /// is turned off, does not apply, or could not answer (each item says which, in `why`).
    /// Not resolved: nothing shows they were fixed.
    #[serde(default)]
    pub unjudged: Vec<DiffItem>,
    /// Failing in both.
    pub still_failing: Vec<DiffItem>,
    /// Controls whose status differs, in the new report's order.
    pub changed: Vec<StatusChange>,
    /// Whether the new report lists the records its rules tested (`population.keys`, with
    /// `--explain`; `attest eval --baseline` always has them). Without them, a failure whose
    /// record is gone from the facts cannot be told from one fixed: it counts as resolved.
    #[serde(default)]
    pub records_listed: bool,
}

/// Which report a side of the diff is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// `facts.organization`.
    pub organization: String,
    /// The as-of date of the report.
    pub evaluated_on: String,
    /// The audit period the report judged (absent for a point-in-time report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Pack name and version (`soc2 1.0.0`).
    pub pack: String,
    /// `pack.digest`: sha256 over the pack's files.
    #[serde(default)]
    pub pack_digest: String,
    /// The parameters the run set in place of the pack's defaults (the report's `params`).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: Params,
    /// `facts.digest`.
    pub facts_digest: String,
}

/// One failure, or former failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiffItem {
    /// The rule id (`evidence/<control>` for an evidence check).
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// The rule's severity.
    pub severity: Severity,
    /// Who fixes it.
    pub owner: Owner,
    /// The controls the rule serves.
    pub controls: Vec<String>,
    /// The record it is about, if any (its JSON Pointer).
    pub entity: Option<String>,
    /// That record's key (`accounts/aws-prod/alice`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Where that record is written, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Origin>,
    /// The finding's message (or the rule's error), from the newer report that has it.
    pub message: String,
    /// The baseline's message, when the new report continues the failure in other words
    /// (not only other dates or day counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_message: Option<String>,
    /// Its status in the baseline (`fail`, `error`, `warn`, `waived`), or null if absent.
    pub base: Option<Status>,
    /// Its status in the new report, or null if absent.
    pub new: Option<Status>,
    /// Why the new report does not judge it (only in `unjudged`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl DiffItem {
    /// The rule and the record the item is about (`rule|key`, `rule|` for a finding about
    /// no record), whatever the finding says of it.
    fn record(&self) -> String {
        let record = self.key.as_deref().or(self.entity.as_deref());
        format!("{}|{}", self.rule, record.unwrap_or_default())
    }

    /// For an item the new report does not judge, what its formats show in place of its new
    /// status: `not judged` and why.
    pub fn not_judged(&self) -> Option<String> {
        self.why.as_ref().map(|why| format!("not judged: {why}"))
    }
}

/// A control whose status changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The control id.
    pub control: String,
    /// Its title.
    pub title: String,
    /// Its status in the baseline, or null when the baseline does not list it.
    pub base: Option<Status>,
    /// Its status in the new report, or null when the new report does not list it.
    pub new: Option<Status>,
}

impl Diff {
    /// Compares `new` with the baseline `base`.
    pub fn new(base: &Report, new: &Report) -> Diff {
        let before = items(base);
        let mut later = Later::new(new);
        let failing = |s: Option<Status>| matches!(s, Some(Status::Fail | Status::Error));
        // Each finding of the new report with the baseline's it continues, if any.
        let pairs: Vec<(String, String)> = pair(&before, &later.items)
            .into_iter()
            .map(|(b, n)| (b.to_owned(), n.to_owned()))
            .collect();
        let continued: HashMap<&str, &str> = pairs
            .iter()
            .map(|(b, n)| (n.as_str(), b.as_str()))
            .collect();
        let continues: HashMap<&str, &str> = pairs
            .iter()
            .map(|(b, n)| (b.as_str(), n.as_str()))
            .collect();
        let mut new_failures = Vec::new();
        let mut still_failing = Vec::new();
        for (key, item) in &later.items {
            if !failing(item.new) {
                continue;
            }
            let earlier = continued.get(key.as_str()).map(|b| &before[*b]);
            let item = DiffItem {
                base: earlier.and_then(|b| b.new),
                base_message: earlier.and_then(|b| reworded(&b.message, &item.message)),
                ..item.clone()
            };
            let was = item.base;
            if failing(was) {
                still_failing.push(item);
            } else {
                new_failures.push(item);
            }
        }
        let mut resolved = Vec::new();
        let mut unjudged = Vec::new();
        for (key, item) in &before {
            let now = continues
                .get(key.as_str())
                .map(|n| (later.items[*n].message.clone(), later.items[*n].new));
            if !failing(item.new) || failing(now.as_ref().and_then(|(_, s)| *s)) {
                continue;
            }
            // A failure the new report continues (as a warning, waived) is judged.
            let why = match now {
                Some(_) => None,
                None => later.why(
                    None,
                    &item.rule,
                    item.entity.as_deref(),
                    item.key.as_deref(),
                ),
            };
            let (message, status) = now.unwrap_or_else(|| (item.message.clone(), None));
            let item = DiffItem {
                base_message: reworded(&item.message, &message),
                message,
                base: item.new,
                new: status,
                why,
                ..item.clone()
            };
            match item.why {
                Some(_) => unjudged.push(item),
                None => resolved.push(item),
            }
        }
        let mut changed = Vec::new();
        for c in &new.controls {
            let was = base
                .controls
                .iter()
                .find(|b| b.id == c.id)
                .map(|b| b.status);
            if was != Some(c.status) {
                changed.push(StatusChange {
                    control: c.id.clone(),
                    title: c.title.clone(),
                    base: was,
                    new: Some(c.status),
                });
            }
        }
        for b in &base.controls {
            if !new.controls.iter().any(|c| c.id == b.id) {
                changed.push(StatusChange {
                    control: b.id.clone(),
                    title: b.title.clone(),
                    base: Some(b.status),
                    new: None,
                });
            }
        }
        Diff {
            diff_version: "1".to_owned(),
            base: side(base),
            new: side(new),
            new_failures,
            resolved,
            unjudged,
            still_failing,
            changed,
            records_listed: later.tested.listed(),
        }
    }

    /// The diff as pretty JSON, newline-terminated (the `json` format of `attest diff`).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A note for a diff whose new report does not list the records its rules tested and
    /// that counts failures resolved: any of them may be a record gone from the facts.
    pub fn records_note(&self) -> Option<String> {
        (!self.records_listed && !self.resolved.is_empty()).then(|| {
            "the new report does not list the records its rules tested (it was made without \
             --explain): a failure counted as resolved may be a record gone from the facts"
                .to_owned()
        })
    }

    /// When the two reports come from different packs, from different files of one, from
    /// runs that set different parameters, or judged different audit periods, a sentence
    /// saying so ([`Side::context_change`]).
    pub fn context_change(&self) -> Option<String> {
        self.new.context_change(&self.base)
    }
}

impl Side {
    /// When this run and the earlier run `base` evaluated different packs, different files
    /// of one, set different parameters, or judged different audit periods (other than a
    /// period to date, ending on each run's as-of date from the same first day), a sentence
    /// saying so: findings may then come and go with the rules, their thresholds or the days
    /// judged, not only with the facts. The one home of what counts as such a change, for
    /// `attest diff`, `attest eval --baseline` and `attest history`.
    pub fn context_change(&self, base: &Side) -> Option<String> {
        let new = self;
        let also = "findings may come and go with its rules, not with the facts";
        let mut notes = String::new();
        if base.pack != new.pack {
            notes = format!("the pack changed, {} → {}: {also}", base.pack, new.pack);
        } else if base.pack_digest != new.pack_digest && !base.pack_digest.is_empty() {
            notes = format!("the files of pack {} changed: {also}", new.pack);
        }
        let params = param_changes(base, new);
        if !params.is_empty() {
            if !notes.is_empty() {
                notes.push_str("; ");
            }
            notes.push_str("the parameters set for the run changed (");
            notes.push_str(&params);
            notes.push_str("): findings may come and go with the thresholds, not with the facts");
        }
        if base.period != new.period && !moves_with_as_of(base, new) {
            let period = |side: &Side| {
                side.period.map_or_else(
                    || "none (a point-in-time report)".to_owned(),
                    |p| format!("{} to {}", p.start(), p.end()),
                )
            };
            if !notes.is_empty() {
                notes.push_str("; ");
            }
            let _ = write!(
                notes,
                "the audit period changed, {} → {}: findings may come and go with the days judged",
                period(base),
                period(new)
            );
        }
        (!notes.is_empty()).then_some(notes)
    }
}

/// Whether the two runs judged periods that start on the same day and each end on its run's
/// as-of date (an audit period "to date", which a nightly run extends by a day): the period
/// moved with the as-of date, as every later run's does, and no more.
fn moves_with_as_of(base: &Side, new: &Side) -> bool {
    match (base.period, new.period) {
        (Some(b), Some(n)) => {
            b.start() == n.start()
                && b.end().to_string() == base.evaluated_on
                && n.end().to_string() == new.evaluated_on
        }
        _ => false,
    }
}

/// A report as the later of two runs, judging the failures of the earlier one that it does
/// not fail: each is *resolved* when the report judged it (its rule judged its record and
/// found nothing, or no longer fails it), and *no longer judged*, with why, when it did not
/// (the rule is gone, turned off, does not apply or is in error, or did not test the
/// record). The one home of that rule: [`Diff::new`] (for `attest diff` and `attest eval
/// --baseline`) and the ledger's record of each run (for `attest history`) both ask it.
pub struct Later<'r> {
    report: &'r Report,
    /// Every finding and rule error of the report, by identity.
    items: IndexMap<String, DiffItem>,
    /// The rule and record of every finding ([`DiffItem::record`]).
    records: HashSet<String>,
    tested: Tested<'r>,
}

impl<'r> Later<'r> {
    /// The report `report`, as the later run.
    pub fn new(report: &'r Report) -> Later<'r> {
        let items = items(report);
        Later {
            report,
            records: items
                .values()
                .filter(|i| i.new != Some(Status::Error))
                .map(DiffItem::record)
                .collect(),
            items,
            tested: Tested::new(report),
        }
    }

    /// Why the report does not judge a failure of an earlier run that it does not fail:
    /// the error of rule `rule` (`error`), or its failing finding about the record of key
    /// `key` (`None`: a finding about no record). `None` when the report judges it: the
    /// failure is resolved. The report tells a record it did not test from one it tested
    /// only when its populations list the records ([`Diff::records_listed`]).
    pub fn unjudged(&mut self, rule: &str, key: Option<&str>, error: bool) -> Option<String> {
        // A rule's error is the item `rule|error`; a record the report still finds about,
        // whatever it says, is judged.
        let held = match error {
            true => self.items.contains_key(&format!("{rule}|error")),
            false => self
                .records
                .contains(&format!("{rule}|{}", key.unwrap_or_default())),
        };
        if held {
            return None;
        }
        self.why(None, rule, None, key)
    }

    /// Why the report does not judge what `rule` found about the record `entity` / `key`
    /// (identity `id` among the report's items): `None` when the report holds it (a finding
    /// no longer failing, or waived, is judged) or when its rule judged its record.
    fn why(
        &mut self,
        id: Option<&str>,
        rule: &str,
        entity: Option<&str>,
        key: Option<&str>,
    ) -> Option<String> {
        if id.is_some_and(|id| self.items.contains_key(id)) {
            return None;
        }
        unjudged_why(self.report, rule).or_else(|| self.tested.untested(rule, entity, key))
    }
}

/// Why `new` does not judge what rule `rule` found in the baseline, when it does not.
fn unjudged_why(new: &Report, rule: &str) -> Option<String> {
    let Some(result) = new.rule(rule) else {
        return match rule
            .strip_prefix(EVIDENCE_RULE)
            .and_then(|r| r.strip_prefix('/'))
        {
            // A criterion's evidence check is there only while nothing else shows the
            // criterion operates: gone, its rules or its evidence now judge it.
            Some(control) => match new.controls.iter().find(|c| c.id == control) {
                None => Some("the criterion is not in the new report's pack".to_owned()),
                Some(c) if c.status == Status::NotApplicable => {
                    Some("the criterion does not apply".to_owned())
                }
                Some(_) => None,
            },
            None => Some("the rule is not in the new report's pack".to_owned()),
        };
    };
    if let Some(why) = &result.disabled {
        return Some(format!("the pack turned the rule off: {why}"));
    }
    match result.status {
        Status::NotApplicable => Some(match &result.reason {
            Some(reason) => format!("the rule does not apply: {reason}"),
            None => "the rule does not apply".to_owned(),
        }),
        Status::Error => Some("the rule could not answer (it is in error)".to_owned()),
        _ => None,
    }
}

/// The records each rule of a report tested, by key, for the rules whose population lists
/// them (`population.records` or `population.keys`), read once per rule.
struct Tested<'r> {
    report: &'r Report,
    by_rule: HashMap<&'r str, Option<Listed<'r>>>,
}

/// The records a rule tested, and the collections they are in.
struct Listed<'r> {
    keys: HashSet<&'r str>,
    collections: HashSet<&'r str>,
}

/// The collection a record's key (`accounts/aws/alice`) or JSON Pointer (`/accounts/3`) is in.
fn collection(key: &str) -> &str {
    key.trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
}

impl<'r> Tested<'r> {
    fn new(report: &'r Report) -> Tested<'r> {
        Tested {
            report,
            by_rule: HashMap::new(),
        }
    }

    /// Whether every rule of the report that judged lists the records it tested (a rule
    /// that does not apply, is turned off or is in error tested none, with `--explain` or
    /// without).
    fn listed(&self) -> bool {
        self.report
            .rules
            .iter()
            .filter(|r| {
                r.disabled.is_none() && !matches!(r.status, Status::NotApplicable | Status::Error)
            })
            .all(|r| r.population.records.is_some() || r.population.keys.is_some())
    }

    /// Why the report's rule `rule`, which judged, does not judge the record a baseline
    /// failure names (its key `key`, else its JSON Pointer `entity`): its population lists
    /// the records it tested, records of the failure's collection among them, and neither
    /// the record nor a record holding it (a finding on `vendors/v-acme/contract` is about
    /// `vendors/v-acme`) is one. `None` when it is, when the population lists no records or
    /// none of that collection (a rule may find about records other than those it samples:
    /// the accounts of the leavers it tested), or when the failure names no record (a
    /// finding about a whole collection or the organization).
    fn untested(&mut self, rule: &str, entity: Option<&str>, key: Option<&str>) -> Option<String> {
        // A record, or something inside one: `collection/key...` or `/collection/index...`.
        let mut at = match (key, entity) {
            (Some(key), _) if key.contains('/') => key,
            (None, Some(entity)) if entity.split('/').count() >= 3 => entity,
            _ => return None,
        };
        let report = self.report;
        let listed = self
            .by_rule
            .entry(report.rule(rule)?.id.as_str())
            .or_insert_with(|| {
                let population = &report.rule(rule)?.population;
                let keys: HashSet<&str> = match (&population.records, &population.keys) {
                    (Some(records), _) => records.iter().map(|r| r.key.as_str()).collect(),
                    (None, Some(keys)) => keys.iter().map(String::as_str).collect(),
                    (None, None) => return None,
                };
                let collections = keys.iter().map(|k| collection(k)).collect();
                Some(Listed { keys, collections })
            })
            .as_ref()?;
        if !listed.collections.contains(collection(at)) {
            return None;
        }
        loop {
            if listed.keys.contains(at) {
                return None;
            }
            match at.rfind('/') {
                Some(i) if i > 0 => at = &at[..i],
                _ => break,
            }
        }
        Some("the rule did not test its record: it is gone from the facts, or the rule no longer selects it".to_owned())
    }
}

/// Each parameter whose setting differs between the sides, `name from 90 to 30` (`the pack's
/// default` for a side that did not set it), the baseline's first, joined by commas.
fn param_changes(base: &Side, new: &Side) -> String {
    let value = |side: &Side, name: &str| match side.params.get(name) {
        Some(setting) => setting["value"].to_string(),
        None => "the pack's default".to_owned(),
    };
    let mut out = String::new();
    for (i, name) in base.params.keys().chain(new.params.keys()).enumerate() {
        // A name both set is looked at once, among the baseline's.
        if i >= base.params.len() && base.params.contains_key(name) {
            continue;
        }
        let (was, is) = (value(base, name), value(new, name));
        if was != is {
            if !out.is_empty() {
                out.push_str(", ");
            }
            let _ = write!(out, "{name} from {was} to {is}");
        }
    }
    out
}

fn side(report: &Report) -> Side {
    Side {
        organization: report.facts.organization.clone(),
        evaluated_on: report.evaluated_on.clone(),
        period: report.period,
        pack: format!("{} {}", report.pack.name, report.pack.version),
        pack_digest: report.pack.digest.clone(),
        params: report.params.clone(),
        facts_digest: report.facts.digest.clone(),
    }
}

/// `was`, when `now` says it in other words (not only other dates or day counts).
fn reworded(was: &str, now: &str) -> Option<String> {
    (message_shape(was) != message_shape(now)).then(|| was.to_owned())
}

/// The findings (and rule errors) of `after` that continue those of `before`, as pairs of
/// their identities: record by record (a rule's error with its error), those of one shape
/// ([`message_shape`]) first, then the rest in their order. So a failure whose words change
/// (`is still open 24 days past its deadline`, then `was fixed on ..., 24 days after it`)
/// continues; a record failing its rule more times than before has new failures, and one
/// failing it fewer times has resolved those whose shape is gone.
fn pair<'a>(
    before: &'a IndexMap<String, DiffItem>,
    after: &'a IndexMap<String, DiffItem>,
) -> Vec<(&'a str, &'a str)> {
    let group = |(key, item): (&'a String, &'a DiffItem)| match item.new {
        Some(Status::Error) => (key.clone(), key.as_str()),
        _ => (item.record(), key.as_str()),
    };
    let mut records: IndexMap<String, (Vec<&str>, Vec<&str>)> = IndexMap::new();
    for (record, key) in before.iter().map(group) {
        records.entry(record).or_default().0.push(key);
    }
    for (record, key) in after.iter().map(group) {
        records.entry(record).or_default().1.push(key);
    }
    let shape = |items: &IndexMap<String, DiffItem>, key: &str| message_shape(&items[key].message);
    let mut out = Vec::new();
    for (_, (mut was, mut now)) in records {
        // Those of one shape, in order.
        let mut i = 0;
        while i < was.len() {
            let wanted = shape(before, was[i]);
            match now.iter().position(|n| shape(after, n) == wanted) {
                Some(j) => out.push((was.remove(i), now.remove(j))),
                None => i += 1,
            }
        }
        // The rest, in order.
        out.extend(was.into_iter().zip(now));
    }
    out
}

/// Every finding and rule error of a report by identity, with its status in `new`.
fn items(report: &Report) -> IndexMap<String, DiffItem> {
    let mut out = IndexMap::new();
    for view in rule_views(report) {
        let rule = &view.rule;
        let controls: Vec<String> = view.control_ids().into_iter().map(str::to_owned).collect();
        let item = |entity: Option<String>, key, source, message: String, status| DiffItem {
            rule: view.id.to_owned(),
            title: rule.title.clone(),
            severity: rule.severity,
            owner: rule.owner,
            controls: controls.clone(),
            entity,
            key,
            source,
            message,
            base_message: None,
            base: None,
            new: Some(status),
            why: None,
        };
        if let Some(e) = &rule.error {
            out.insert(
                format!("{}|error", view.id),
                item(None, None, None, e.message.clone(), Status::Error),
            );
        }
        for (f, key) in rule.findings.iter().zip(view.finding_keys()) {
            out.insert(
                key,
                item(
                    f.entity.clone(),
                    f.key.clone(),
                    f.source.clone(),
                    f.message.clone(),
                    f.effective_status(),
                ),
            );
        }
    }
    out
}
