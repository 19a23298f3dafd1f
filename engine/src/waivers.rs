//! Waivers: approved, time-boxed exceptions (waivers-v1, `schemas/waivers.v1.schema.json`).
//!
//! A host hands the engine the text of a waivers file; [`Waivers::parse`] checks it and
//! [`Waivers::apply`] applies it to a report. An active waiver turns the failing findings it
//! covers into waived ones; rule, control and summary statuses are recomputed, and every
//! waiver is listed in the report with its state, so expired and stale ones are flagged.

use crate::date::Date;
use crate::facts::spans;
use crate::facts::{JsonSyntax, Origin, Violation};
use crate::report::{
    Finding, FindingStatus, Report, Status, Waiver, WaiverResult, WaiverState, WarningInput,
    warning,
};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;
#[cfg(feature = "jsonschema")]
use std::sync::OnceLock;

/// The JSON Schema of waivers-v1, as shipped in `schemas/waivers.v1.schema.json`.
pub const WAIVERS_SCHEMA: &str = include_str!("../../schemas/waivers.v1.schema.json");

/// Why a waivers file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WaiverError {
    /// The file is not valid JSON.
    #[error(transparent)]
    Syntax(JsonSyntax),
    /// The file does not match waivers-v1: every problem, each with its line.
    #[error("{}: {}", crate::escape::line(.file), Problems(.problems))]
    Invalid {
        /// The file's name.
        file: String,
        /// What is wrong, and where.
        problems: Vec<Violation>,
    },
}

struct Problems<'a>(&'a [Violation]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{}", if n == 1 { "" } else { "s" })?;
        for v in self.0 {
            write!(f, "\n  {}", crate::escape::line(&v.to_string()))?;
        }
        Ok(())
    }
}

/// A checked waivers file, ready to apply to any number of reports.
#[derive(Debug, Clone, Default)]
pub struct Waivers {
    entries: Vec<Entry>,
    warnings: Vec<Violation>,
}

/// The most days a waiver may run from its approval to its expiry without a warning: a year,
/// a leap day included. SOC 2 exceptions are time-boxed and re-approved at least yearly.
pub const MAX_WAIVER_DAYS: i64 = 366;

#[derive(Debug, Clone)]
struct Entry {
    waiver: Waiver,
    approved: Date,
    expires: Date,
}

/// The file as written; the schema has already checked it.
#[derive(Deserialize)]
struct File {
    waivers: Vec<Written>,
}

#[derive(Deserialize)]
struct Written {
    rule: Option<String>,
    control: Option<String>,
    entity: Option<String>,
    reason: String,
    approved_by: String,
    approved_on: String,
    expires_on: String,
}

/// What is wrong with a waiver that expires before it is approved, if it does.
fn out_of_order(approved: Date, expires: Date) -> Option<String> {
    (expires < approved)
        .then(|| format!("the waiver expires on {expires}, before it was approved on {approved}"))
}

/// The schema's violations of `doc` as (pointer, message).
#[cfg(feature = "jsonschema")]
fn schema_violations(doc: &Value) -> Result<Vec<(String, String)>, String> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    let validator = VALIDATOR
        .get_or_init(|| crate::schema::compile(WAIVERS_SCHEMA))
        .as_ref()
        .map_err(Clone::clone)?;
    Ok(validator
        .iter_errors(doc)
        .map(|e| {
            let message = match e.kind() {
                jsonschema::error::ValidationErrorKind::AnyOf { .. } => {
                    "a waiver names a `rule`, a `control`, or both".to_owned()
                }
                _ => e.to_string(),
            };
            (e.instance_path().as_str().to_owned(), message)
        })
        .collect())
}

#[cfg(any(not(feature = "jsonschema"), test))]
mod lite;

/// Builds without the `jsonschema` feature (the WebAssembly module) check waivers with the
/// schema written out as code, which finds the same violations.
#[cfg(not(feature = "jsonschema"))]
fn schema_violations(doc: &Value) -> Result<Vec<(String, String)>, String> {
    Ok(lite::check(doc))
}

impl Waivers {
    /// Parses and checks a waivers file. `name` is how people know the file (its path);
    /// every problem is reported with the line of the waiver it is in.
    pub fn parse(name: &str, text: &str) -> Result<Waivers, WaiverError> {
        let text = crate::facts::json::without_bom(text);
        let doc: Value = crate::facts::json::parse(text)
            .map_err(|e| WaiverError::Syntax(JsonSyntax::new(name, text, &e)))?;
        let keys = spans::scan_top_level(text).keys;
        let item_lines = keys
            .iter()
            .find(|(key, _)| key == "waivers")
            .map(|(_, lines)| lines.items.as_slice())
            .unwrap_or_default();
        // The line of the waiver a problem is in, else of the top-level member's value
        // (`/schema_version`).
        let line_of = |pointer: &str| {
            let mut segments = pointer.strip_prefix('/')?.split('/');
            let key = segments.next()?;
            let index = segments.next().and_then(|i| i.parse::<usize>().ok());
            match (key, index) {
                ("waivers", Some(i)) => item_lines.get(i).copied(),
                _ => keys.iter().find(|(k, _)| k == key).map(|(_, l)| l.value),
            }
        };
        let at = |pointer: String, message: String| Violation {
            file: Some(name.to_owned()),
            line: line_of(&pointer),
            column: None,
            pointer,
            message,
        };
        let violations: Vec<Violation> = match schema_violations(&doc) {
            Ok(found) => found.into_iter().map(|(p, m)| at(p, m)).collect(),
            Err(e) => vec![at(
                String::new(),
                format!("the waivers schema is unusable: {e}"),
            )],
        };
        if !violations.is_empty() {
            // Every problem at once: also the waivers, valid or not, whose dates are in the
            // wrong order.
            let mut problems = violations;
            let items = doc.get("waivers").and_then(Value::as_array);
            for (i, w) in items.into_iter().flatten().enumerate() {
                let date = |f: &str| w.get(f).and_then(Value::as_str).and_then(Date::parse);
                if let (Some(approved), Some(expires)) = (date("approved_on"), date("expires_on"))
                    && let Some(message) = out_of_order(approved, expires)
                {
                    problems.push(at(format!("/waivers/{i}/expires_on"), message));
                }
            }
            crate::sorting::sort_by_key(&mut problems, |v| v.line);
            return Err(WaiverError::Invalid {
                file: name.to_owned(),
                problems,
            });
        }
        let file: File = serde_json::from_value(doc).map_err(|e| WaiverError::Invalid {
            file: name.to_owned(),
            problems: vec![at(String::new(), e.to_string())],
        })?;
        let mut entries = Vec::with_capacity(file.waivers.len());
        let mut problems = Vec::new();
        for (i, w) in file.waivers.into_iter().enumerate() {
            let date = |text: &str, field: &str, problems: &mut Vec<Violation>| {
                let parsed = Date::parse(text);
                if parsed.is_none() {
                    problems.push(at(
                        format!("/waivers/{i}/{field}"),
                        format!("`{text}` is not a date in the form YYYY-MM-DD"),
                    ));
                }
                parsed
            };
            let approved = date(&w.approved_on, "approved_on", &mut problems);
            let expires = date(&w.expires_on, "expires_on", &mut problems);
            let (Some(approved), Some(expires)) = (approved, expires) else {
                continue;
            };
            if let Some(message) = out_of_order(approved, expires) {
                problems.push(at(format!("/waivers/{i}/expires_on"), message));
                continue;
            }
            let waiver = Waiver {
                rule: w.rule,
                control: w.control,
                entity: w.entity,
                reason: w.reason,
                approved_by: w.approved_by,
                approved_on: w.approved_on,
                expires_on: w.expires_on,
                source: Origin {
                    file: name.to_owned(),
                    line: item_lines.get(i).copied().unwrap_or(1),
                },
            };
            entries.push(Entry {
                waiver,
                approved,
                expires,
            });
        }
        if problems.is_empty() {
            let mut warnings = Vec::new();
            for (i, e) in entries.iter().enumerate() {
                let w = &e.waiver;
                if e.approved.days_until(e.expires) > MAX_WAIVER_DAYS {
                    warnings.push(at(
                        format!("/waivers/{i}/expires_on"),
                        format!(
                            "the waiver expires on {}, more than a year after its approval on {}: an exception is re-approved at least yearly; expire it within {MAX_WAIVER_DAYS} days and renew it",
                            e.expires, e.approved
                        ),
                    ));
                }
                if let Some(p) = &w.entity
                    && p.strip_prefix('/')
                        .unwrap_or(p)
                        .split('/')
                        .all(|s| s == "*")
                {
                    warnings.push(at(
                        format!("/waivers/{i}/entity"),
                        format!(
                            "entity `{p}` names no record: the waiver covers every failing finding of its rule or control; name the records, or leave `entity` out to say so"
                        ),
                    ));
                }
                let same = |f: &&Entry| {
                    (&f.waiver.rule, &f.waiver.control, &f.waiver.entity)
                        == (&w.rule, &w.control, &w.entity)
                        && f.approved <= e.expires
                        && e.approved <= f.expires
                };
                if let Some(first) = entries[..i].iter().find(same) {
                    warnings.push(at(
                        format!("/waivers/{i}"),
                        format!(
                            "the waiver at line {} has the same rule, control and entity, and both are in force from {} to {}: on those days the one at line {} covers the findings, this one none; start this one the day after the other expires, or remove one",
                            first.waiver.source.line,
                            first.approved.max(e.approved),
                            first.expires.min(e.expires),
                            first.waiver.source.line
                        ),
                    ));
                }
            }
            Ok(Waivers { entries, warnings })
        } else {
            Err(WaiverError::Invalid {
                file: name.to_owned(),
                problems,
            })
        }
    }

    /// What is doubtful in the file, though it can be used, each at its waiver's line: an
    /// expiry more than [`MAX_WAIVER_DAYS`] after the approval, an `entity` that names no
    /// record (every segment `*`), and a waiver for the same rule, control and entity as an
    /// earlier one, in force on some of the same days. In file order.
    pub fn warnings(&self) -> &[Violation] {
        &self.warnings
    }

    /// How many waivers the file holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file holds no waiver.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Applies the waivers to `report`, judged on its as-of date (`evaluated_on`), and with
    /// an audit period on its end for approvals (a waiver approved after the period is
    /// pending: it waives none of the period's exceptions): failing
    /// findings an active waiver covers carry it and count as waived, statuses and counts
    /// are recomputed, `report.waivers` lists every waiver with its state, and
    /// `report.warnings` the file's [`warnings`](Waivers::warnings). Warnings, rule errors
    /// and criteria out of scope are never waived.
    pub fn apply(&self, report: &mut Report) {
        let today = Date::parse(&report.evaluated_on);
        // With an audit period, a waiver approved after its end came after the exceptions
        // it would cover: they were not waived while the period ran.
        let approved_by = match (today, report.period) {
            (Some(t), Some(p)) => Some(t.min(p.end())),
            (t, _) => t,
        };
        let in_force: Vec<bool> = self
            .entries
            .iter()
            .map(|e| {
                today.is_some_and(|t| t <= e.expires)
                    && approved_by.is_some_and(|a| e.approved <= a)
            })
            .collect();
        // Inserted one by one: collecting into a set would compile in a sort of its own.
        let mut in_scope: BTreeSet<String> = BTreeSet::new();
        for c in &report.controls {
            if c.status != Status::NotApplicable {
                in_scope.insert(c.id.clone());
            }
        }
        let mut matched = vec![0u32; self.entries.len()];
        for rule in &mut report.rules {
            for finding in &mut rule.findings {
                finding.waiver = None;
            }
            let controls: Vec<&str> = rule
                .controls
                .iter()
                .filter(|c| in_scope.contains(*c))
                .map(String::as_str)
                .collect();
            if controls.is_empty() {
                continue;
            }
            let evidence = rule.is_evidence_check();
            let mut out_of_force = Vec::new();
            for finding in &mut rule.findings {
                if finding.status != FindingStatus::Fail {
                    continue;
                }
                out_of_force.clear();
                for (w, entry) in self.entries.iter().enumerate() {
                    if !entry.covers(&rule.id, evidence, &controls, finding) {
                        continue;
                    }
                    // In force, the first waiver in the file covers the finding, and it
                    // alone counts it; out of force, a waiver counts what it would cover
                    // and no waiver in force covers.
                    if in_force.get(w) != Some(&true) {
                        out_of_force.push(w);
                    } else if finding.waiver.is_none() {
                        finding.waiver = Some(entry.waiver.clone());
                        if let Some(n) = matched.get_mut(w) {
                            *n += 1;
                        }
                    }
                }
                if finding.waiver.is_none() {
                    for &w in &out_of_force {
                        if let Some(n) = matched.get_mut(w) {
                            *n += 1;
                        }
                    }
                }
            }
            rule.rejudge();
        }
        report.rejudge_controls();
        report.waivers = self
            .entries
            .iter()
            .zip(matched)
            .map(|(entry, matches)| {
                let state = match (today, approved_by) {
                    (Some(t), _) if t > entry.expires => WaiverState::Expired,
                    (_, Some(a)) if a >= entry.approved && matches > 0 => WaiverState::Active,
                    (_, Some(a)) if a >= entry.approved => WaiverState::Stale,
                    _ => WaiverState::Pending,
                };
                WaiverResult {
                    waiver: entry.waiver.clone(),
                    state,
                    matches,
                }
            })
            .collect();
        let warnings = warning::of_violations(WarningInput::Waivers, &self.warnings);
        report.set_warnings(WarningInput::Waivers, warnings);
    }
}

impl Entry {
    /// Whether this waiver names the finding's rule, one of its criteria in scope, and its
    /// record (dates aside): [`Waiver::covers`].
    fn covers(&self, rule: &str, evidence: bool, controls: &[&str], finding: &Finding) -> bool {
        self.waiver.covers(rule, evidence, controls, finding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "jsonschema")]
    fn problems_name_the_file_line_and_place() {
        let text = r#"{
  "schema_version": "1",
  "waivers": [
    {"rule": "a", "reason": "r", "approved_by": "x",
     "approved_on": "2026-01-01", "expires_on": "2026-02-01"},
    {"reason": "r", "approved_by": "x",
     "approved_on": "2026-01-01", "expires_on": "2026-02-30"}
  ]
}"#;
        let err = Waivers::parse("w.json", text).unwrap_err().to_string();
        assert!(err.starts_with("w.json: 2 problems\n"), "{err}");
        assert!(
            err.contains("w.json:6: /waivers/1: a waiver names a `rule`, a `control`, or both"),
            "{err}"
        );
        assert!(err.contains("w.json:6: /waivers/1/expires_on:"), "{err}");
        // A byte order mark opening the file changes nothing, lines included.
        let marked = Waivers::parse("w.json", &format!("\u{feff}{text}"));
        assert_eq!(marked.unwrap_err().to_string(), err);
    }

    #[test]
    fn a_byte_order_mark_opening_the_file_is_ignored() {
        let text = r#"{"schema_version": "1", "waivers": [{"control": "CC6.1", "reason": "r",
            "approved_by": "x", "approved_on": "2026-01-01", "expires_on": "2026-02-01"}]}"#;
        let marked = Waivers::parse("w.json", &format!("\u{feff}{text}")).unwrap();
        let plain = Waivers::parse("w.json", text).unwrap();
        assert_eq!(format!("{marked:?}"), format!("{plain:?}"));
        assert_eq!(marked.len(), 1);
        // An empty file is said to be one.
        let empty = Waivers::parse("w.json", "\u{feff}\n")
            .unwrap_err()
            .to_string();
        assert_eq!(empty, "w.json:1:1: invalid JSON: the file is empty");
    }

    #[test]
    #[cfg(feature = "jsonschema")]
    fn a_waiver_cannot_expire_before_it_is_approved() {
        let text = r#"{"schema_version": "1", "waivers": [{"control": "CC6.1", "reason": "r",
            "approved_by": "x", "approved_on": "2026-03-01", "expires_on": "2026-02-01"}]}"#;
        let err = Waivers::parse("w.json", text).unwrap_err().to_string();
        assert!(
            err.contains("w.json:1: /waivers/0/expires_on: the waiver expires on 2026-02-01, before it was approved on 2026-03-01"),
            "{err}"
        );
    }

    #[test]
    #[cfg(not(feature = "jsonschema"))]
    fn waivers_are_checked_without_the_jsonschema_feature() {
        let text = r#"{"schema_version": "1", "waivers": [{"reason": "r", "approved_by": "x",
            "approved_on": "2026-01-01", "expires_on": "2026-02-30"}]}"#;
        let err = Waivers::parse("w.json", text).unwrap_err().to_string();
        assert!(
            err.contains("w.json:1: /waivers/0: a waiver names a `rule`, a `control`, or both"),
            "{err}"
        );
        assert!(
            err.contains("/waivers/0/expires_on: \"2026-02-30\" is not a \"date\""),
            "{err}"
        );
        let ok = r#"{"schema_version": "1", "waivers": [{"rule": "a", "reason": "r",
            "approved_by": "x", "approved_on": "2026-01-01", "expires_on": "2026-02-01"}]}"#;
        assert_eq!(Waivers::parse("w.json", ok).unwrap().len(), 1);
    }

    /// Bad waivers files: every kind of violation the schema can find.
    #[cfg(feature = "jsonschema")]
    const CORPUS: &[&str] = &[
        r#"[]"#,
        r#""waivers""#,
        r#"{}"#,
        r#"{"schema_version": 1, "waivers": {}}"#,
        r#"{"schema_version": "2", "waivers": [], "extra": true, "more": 1}"#,
        r#"{"$schema": 3, "schema_version": "1", "waivers": [1, "x", null, []]}"#,
        r#"{"schema_version": "1", "waivers": [{}]}"#,
        r#"{"schema_version": "1", "waivers": [{"rule": "", "control": 3, "entity": 4,
            "reason": "", "approved_by": [], "approved_on": "2026-1-01", "expires_on": 20260101}]}"#,
        r#"{"schema_version": "1", "waivers": [{"control": "CC6.1", "entity": "/a/~2",
            "reason": "r", "approved_by": "x", "approved_on": "2026-02-30",
            "expires_on": "2026-13-01", "why": "x", "a/b~c": 1}]}"#,
        r#"{"schema_version": "1", "waivers": [{"rule": "r", "entity": "",
            "reason": "r", "approved_by": "x", "approved_on": "२०२६-०१-०१",
            "expires_on": "2026-01-01T00:00:00Z"}, {"rule": "r", "entity": "/accounts/~1x~0",
            "reason": "r", "approved_by": "x", "approved_on": "2026-01-01",
            "expires_on": "2026-01-01"}, {"rule": "r", "entity": "accounts/*/x", "reason": "r",
            "approved_by": "x", "approved_on": "0000-00-00", "expires_on": "2028-02-29"}]}"#,
    ];

    #[test]
    #[cfg(feature = "jsonschema")]
    fn the_code_finds_what_the_schema_finds() {
        for text in CORPUS {
            let doc: Value = serde_json::from_str(text).unwrap();
            let mut expected = schema_violations(&doc).unwrap();
            let mut actual = lite::check(&doc);
            expected.sort();
            actual.sort();
            assert_eq!(actual, expected, "{text}");
        }
    }

    #[test]
    fn doubtful_waivers_are_warnings_at_their_line() {
        let w = |entity: &str, approved: &str, expires: &str| {
            format!(
                r#"{{"rule": "r", {entity} "reason": "r", "approved_by": "x",
     "approved_on": "{approved}", "expires_on": "{expires}"}}"#
            )
        };
        let text = format!(
            "{{\"schema_version\": \"1\", \"waivers\": [\n{},\n{},\n{},\n{},\n{},\n{}\n]}}",
            w(r#""entity": "a/1","#, "2026-01-01", "2027-01-02"),
            w(r#""entity": "a/1","#, "2026-06-01", "2026-07-01"),
            w(r#""entity": "a/1","#, "2027-01-03", "2027-02-01"),
            w("", "2026-01-01", "9999-12-31"),
            w(r#""entity": "*/*","#, "2026-01-01", "2026-02-01"),
            w(r#""entity": "/*","#, "2026-01-01", "2026-02-01"),
        );
        let waivers = Waivers::parse("w.json", &text).unwrap();
        assert_eq!(waivers.len(), 6);
        let shown: Vec<String> = waivers.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                // 366 days (2026-01-01 to 2027-01-02) is allowed; the renewal the day after
                // the first expires is no duplicate, the waiver in force with it is.
                "w.json:4: /waivers/1: the waiver at line 2 has the same rule, control and entity, and both are in force from 2026-06-01 to 2026-07-01: on those days the one at line 2 covers the findings, this one none; start this one the day after the other expires, or remove one",
                "w.json:8: /waivers/3/expires_on: the waiver expires on 9999-12-31, more than a year after its approval on 2026-01-01: an exception is re-approved at least yearly; expire it within 366 days and renew it",
                "w.json:10: /waivers/4/entity: entity `*/*` names no record: the waiver covers every failing finding of its rule or control; name the records, or leave `entity` out to say so",
                "w.json:12: /waivers/5/entity: entity `/*` names no record: the waiver covers every failing finding of its rule or control; name the records, or leave `entity` out to say so",
            ]
        );
        // 367 days is one too many.
        let text = format!(
            r#"{{"schema_version": "1", "waivers": [{}]}}"#,
            w("", "2026-01-01", "2027-01-03")
        );
        assert_eq!(Waivers::parse("w.json", &text).unwrap().warnings().len(), 1);
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = Waivers::parse("w.json", "{\n  \"waivers\": [,\n").unwrap_err();
        assert!(
            matches!(err, WaiverError::Syntax(JsonSyntax { line: 2, .. })),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("w.json:2:"), "{err}");
        // A file that ends too early: at its end, not on the line past it.
        let err = Waivers::parse("w.json", "{\"waivers\": [\n").unwrap_err();
        assert!(err.to_string().starts_with("w.json:1:14: "), "{err}");
    }
}
