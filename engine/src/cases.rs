//! Rule cases: each rule keeps, beside it, a `*.cases.json` file of small facts documents
//! and the outcome the rule must give on each. This module runs them.
//!
//! A case's facts must hold only fields their schema (facts-v1, with the pack's extensions)
//! defines: a field it does not define (a misspelt `privilegd`) is one the rule never sees,
//! so the case would not test what it says. Where `attest eval` warns of such a field, a case
//! fails on it, with the field's place in the cases file. This is decided here, for every
//! host (`attest test` and the WebAssembly module's `test`).

use crate::context::Clock;
use crate::date::Date;
use crate::engine::{Engine, EvalError, EvalOptions};
use crate::facts::{Facts, FactsError, FactsSource, LoadOptions, Violation};
use crate::pack::Rule;
use crate::period::Period;
use crate::place::{json_offset, line_col};
use crate::report::{RuleResult, Status};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// The as-of date of a case that does not set one.
pub const DEFAULT_CASE_AS_OF: &str = "2026-06-30";

/// One case: facts in, expected outcome out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows (unique within its file).
    pub name: String,
    /// The as-of date (default [`DEFAULT_CASE_AS_OF`]).
    #[serde(default)]
    pub as_of: Option<String>,
    /// The audit period, `START..END` (none by default: a point-in-time evaluation).
    #[serde(default)]
    pub period: Option<String>,
    /// Parameter overrides.
    #[serde(default)]
    pub params: IndexMap<String, Value>,
    /// A facts fragment; `schema_version` and `organization` are filled in when absent.
    pub facts: serde_json::Map<String, Value>,
    /// The expected outcome.
    pub expect: Expect,
}

/// The outcome a case expects.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The rule's status.
    pub status: Status,
    /// The exact set of finding entities (order irrelevant); unchecked when absent (a
    /// `null` in its place is refused: it reads as "a finding about no record", `[null]`).
    #[serde(default, deserialize_with = "present")]
    pub entities: Option<Vec<Option<String>>>,
    /// The exact set of the findings' messages (order irrelevant); unchecked when absent.
    #[serde(default, deserialize_with = "present")]
    pub messages: Option<Vec<String>>,
    /// For `error`: text the error message must contain.
    #[serde(default, deserialize_with = "present")]
    pub error_contains: Option<String>,
    /// The exact set of records the rule tested, by key (order irrelevant); unchecked when
    /// absent.
    #[serde(default, deserialize_with = "present")]
    pub tested: Option<Vec<String>>,
    /// Findings' data: for each, a finding (about `entity`, when given) whose `data` holds
    /// every member of `has`; unchecked when absent.
    #[serde(default, deserialize_with = "present")]
    pub data: Option<Vec<ExpectData>>,
}

/// A finding's data a case expects ([`Expect::data`]).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectData {
    /// The JSON Pointer of the finding's record; any finding when absent.
    #[serde(default)]
    pub entity: Option<String>,
    /// Members the finding's `data` must hold, each with this value.
    pub has: serde_json::Map<String, serde_json::Value>,
}

impl ExpectData {
    /// Whether `finding` is about this entity and its data holds every member of `has`.
    fn held_by(&self, finding: &crate::Finding) -> bool {
        let about = self.entity.is_none() || self.entity == finding.entity;
        let data = finding.data.as_ref().and_then(serde_json::Value::as_object);
        about
            && self
                .has
                .iter()
                .all(|(k, v)| data.and_then(|d| d.get(k)) == Some(v))
    }
}

/// An expectation that is there: `null` is no way to leave one unchecked (that is leaving it
/// out), so it is refused as the wrong type rather than read as absent.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The result of running one case.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// The rule the case belongs to.
    pub rule: String,
    /// The case's name.
    pub name: String,
    /// The cases file, relative to the pack.
    pub file: String,
    /// Empty when the case passed; otherwise what differed.
    pub problems: Vec<String>,
    /// What the rule actually returned, when it ran.
    pub actual: Option<RuleResult>,
}

impl CaseOutcome {
    /// Whether the rule behaved as the case expects.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Runs every case of every rule of the engine's pack, in rule path order. With the host's
/// `clock`, each rule is held to its time budget, as in an evaluation.
pub fn run_all(engine: &Engine, clock: Option<&Clock>) -> Vec<CaseOutcome> {
    run_where(engine, clock, |_, _| true)
}

/// Runs the cases of the rules `own` accepts whose `rule::case` name contains one of
/// `filter` (every case of those rules when `filter` is empty), in rule path order, and
/// counts the cases of those rules the filter left out. A rule's missing or unreadable
/// cases file is an outcome named `(cases)`, filtered like a case. With the host's `clock`,
/// each rule is held to its time budget.
pub fn run_matching(
    engine: &Engine,
    clock: Option<&Clock>,
    own: impl Fn(&str) -> bool,
    filter: &[String],
) -> (Vec<CaseOutcome>, usize) {
    let mut filtered_out = 0;
    let outcomes = run_where(engine, clock, |rule, case| {
        if !own(rule) {
            return false;
        }
        let keep = selects(filter, rule, case);
        filtered_out += usize::from(!keep);
        keep
    });
    (outcomes, filtered_out)
}

/// Whether `filter` selects the case `case` of `rule`: its `rule::case` name contains one of
/// the filter's texts, or the filter is empty.
pub fn selects(filter: &[String], rule: &str, case: &str) -> bool {
    let name = format!("{rule}::{case}");
    filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()))
}

/// Refuses a `filter` text that selects none of the cases run and filtered out (`outcomes`
/// of `total` cases): a mistyped filter would otherwise pass with nothing tested.
pub fn refuse_unmatched<'a>(
    filter: &[String],
    outcomes: impl Iterator<Item = &'a CaseOutcome> + Clone,
    total: usize,
) -> Result<(), String> {
    let unmatched: Vec<String> = filter
        .iter()
        .filter(|f| {
            !outcomes
                .clone()
                .any(|o| selects(std::slice::from_ref(f), &o.rule, &o.name))
        })
        .map(|f| format!("`{f}`"))
        .collect();
    if unmatched.is_empty() {
        return Ok(());
    }
    Err(format!(
        "filter {} selects no case out of {total} (a case is selected when its `<rule id>::<case name>` contains the text)",
        unmatched.join(", ")
    ))
}

/// The cases of `rule`, or why they cannot be read (no cases file, one that is not a list
/// of cases, a key given twice, an empty list, or two cases of one name), with the file's
/// name and, where the problem has one, its line and column.
pub fn of_rule(rule: &Rule) -> Result<Vec<Case>, String> {
    let path = rule.cases_path();
    let text = rule
        .cases
        .as_deref()
        .ok_or_else(|| format!("{path} is missing: every rule needs cases"))?;
    // A key given twice (`"facts": {"accounts": [..], "accounts": [..]}`) is refused as in
    // facts: serde_json would keep the last value, and the case test it alone.
    let doc = crate::facts::json::parse(text);
    if let Some(bad) = doc.as_ref().ok().and_then(|doc| bad_status(doc, text)) {
        return Err(format!("{path}:{bad}"));
    }
    let cases: Vec<Case> = doc.and_then(|_| serde_json::from_str(text)).map_err(|e| {
        // Its place and message as for any JSON file (an empty one is said to be empty).
        let at = crate::facts::JsonSyntax::new(&path, text, &e);
        format!(
            "{path}:{}:{}: invalid cases file: {}",
            at.line, at.column, at.message
        )
    })?;
    // An empty list tests nothing: the rule would pass `attest test` untested.
    if cases.is_empty() {
        let (line, column) = json_offset(text, "").map_or((1, 1), |o| line_col(text, o));
        return Err(format!(
            "{path}:{line}:{column}: the list of cases is empty: every rule needs cases"
        ));
    }
    // A name is the test's name (`rule::name`): two cases of one name could not be told apart.
    let place =
        |i: usize| json_offset(text, &format!("/{i}/name")).map_or((0, 0), |o| line_col(text, o));
    for (index, case) in cases.iter().enumerate() {
        if let Some(first) = cases[..index].iter().position(|c| c.name == case.name) {
            let (line, column) = place(index);
            return Err(format!(
                "{path}:{line}:{column}: invalid cases file: a second case named `{}` (the first is on line {}): a case's name is its test's name, unique in the file",
                case.name,
                place(first).0
            ));
        }
    }
    Ok(cases)
}

/// The statuses a case may expect: every status a rule returns (`waived` is a finding's,
/// given by a waivers file, which cases do not have).
const CASE_STATUSES: [&str; 5] = ["pass", "fail", "warn", "error", "not_applicable"];

/// The first case whose `expect.status` is not one of [`CASE_STATUSES`] (`null`, `5`,
/// `"waived"`, `"passs"`), as `line:column: invalid cases file: pointer: what is expected`:
/// serde_json says only "expected value" of a `null`, and nowhere which case.
fn bad_status(doc: &Value, text: &str) -> Option<String> {
    let (index, got) = doc.as_array()?.iter().enumerate().find_map(|(i, case)| {
        let got = match case.get("expect")?.get("status")? {
            Value::String(s) if CASE_STATUSES.contains(&s.as_str()) => return None,
            Value::String(s) => Value::from(s.as_str()).to_string(),
            Value::Null => "null".to_owned(),
            _ => "a number, boolean, list or object".to_owned(),
        };
        Some((i, got))
    })?;
    let pointer = format!("/{index}/expect/status");
    let (line, column) = json_offset(text, &pointer).map_or((1, 1), |o| line_col(text, o));
    let quoted: Vec<String> = CASE_STATUSES.iter().map(|s| format!("\"{s}\"")).collect();
    let (last, rest) = quoted.split_last()?;
    Some(format!(
        "{line}:{column}: invalid cases file: {pointer}: expected a status, one of {} or {last}, not {got}",
        rest.join(", ")
    ))
}

/// Runs the cases `keep` accepts (by rule id and case name), in rule path order: the others
/// are not run at all.
fn run_where(
    engine: &Engine,
    clock: Option<&Clock>,
    mut keep: impl FnMut(&str, &str) -> bool,
) -> Vec<CaseOutcome> {
    let pack = engine.pack();
    let mut out = Vec::new();
    for rule in &pack.rules {
        let id = rule.meta.id.as_str();
        let path = rule.cases_path();
        let cases = match of_rule(rule) {
            Ok(cases) => cases,
            Err(problem) => {
                if keep(id, "(cases)") {
                    out.push(CaseOutcome {
                        rule: id.to_owned(),
                        name: "(cases)".to_owned(),
                        file: path.clone(),
                        problems: vec![problem],
                        actual: None,
                    });
                }
                continue;
            }
        };
        for (index, case) in cases.into_iter().enumerate() {
            if keep(id, &case.name) {
                let at = At {
                    file: &path,
                    text: rule.cases.as_deref(),
                    index,
                };
                out.push(run_case_traced(engine, clock, id, &at, case).0);
            }
        }
    }
    out
}

/// Runs one case against one rule. Without the text of the cases file, what is wrong with
/// the case's facts is placed in `file` by JSON Pointer alone, not by line. With the host's
/// `clock`, the rule is held to its time budget.
pub fn run_case(
    engine: &Engine,
    clock: Option<&Clock>,
    rule: &str,
    file: &str,
    case: Case,
) -> CaseOutcome {
    let at = At {
        file,
        text: None,
        index: 0,
    };
    run_case_traced(engine, clock, rule, &at, case).0
}

/// Where a case is: its cases file (relative to the pack), that file's text when known, and
/// the case's index in its list, to place what is wrong with the case's facts.
struct At<'a> {
    file: &'a str,
    text: Option<&'a str>,
    index: usize,
}

impl At<'_> {
    /// `file:line:column` in the cases file of the value at `pointer` in the case's facts (a
    /// member at its key): of the nearest value around it the file holds when it does not
    /// hold that one (such as the `organization` a case leaves out, which is filled in); the
    /// file alone when its text is not known.
    fn place(&self, pointer: &str) -> String {
        let Some(text) = self.text else {
            return self.file.to_owned();
        };
        let facts = format!("/{}/facts", self.index);
        let mut pointer = pointer;
        let offset = loop {
            if let Some(offset) = json_offset(text, &format!("{facts}{pointer}")) {
                break Some(offset);
            }
            match pointer.rfind('/') {
                Some(i) => pointer = &pointer[..i],
                None => break json_offset(text, &format!("/{}", self.index)),
            }
        };
        match offset {
            Some(offset) => {
                let (line, column) = line_col(text, offset);
                format!("{}:{line}:{column}", self.file)
            }
            None => self.file.to_owned(),
        }
    }

    /// `file:line:column` in the cases file of the case's member `key` (`as_of`), else of the
    /// case itself (`key` empty, or a member the case leaves out); the file alone when its
    /// text is not known.
    fn member(&self, key: &str) -> String {
        let Some(text) = self.text else {
            return self.file.to_owned();
        };
        let case = format!("/{}", self.index);
        let offset = (!key.is_empty())
            .then(|| json_offset(text, &format!("{case}/{key}")))
            .flatten()
            .or_else(|| json_offset(text, &case));
        match offset {
            Some(offset) => {
                let (line, column) = line_col(text, offset);
                format!("{}:{line}:{column}", self.file)
            }
            None => self.file.to_owned(),
        }
    }

    /// A problem of the case's facts at `pointer`, as one line: its place in the cases file,
    /// `lead`, the pointer in the facts (`/` for the facts themselves) and `message`.
    fn problem(&self, lead: &str, pointer: &str, message: &str) -> String {
        let shown = if pointer.is_empty() { "/" } else { pointer };
        format!("{}: {lead}{shown}: {message}", self.place(pointer))
    }

    /// `message` of a violation in the facts loaded from the source `source` (the case's facts
    /// on one line), with the places it names in that source (`source:1 (/accounts/0)`, the
    /// first record of a duplicate key) put back in the cases file.
    fn relocate(&self, message: &str, source: &str) -> String {
        let marker = format!("{source}:1 (");
        let Some(start) = message.find(&marker) else {
            return message.to_owned();
        };
        let rest = &message[start + marker.len()..];
        let Some(end) = rest.find(')') else {
            return message.to_owned();
        };
        let pointer = &rest[..end];
        format!(
            "{}{} ({pointer}){}",
            &message[..start],
            self.place(pointer),
            &rest[end + 1..]
        )
    }

    /// What is wrong with facts that do not load, one line each: every schema violation
    /// at its place in the cases file.
    fn invalid(&self, error: &FactsError, source: &str) -> Vec<String> {
        let why = "the case's facts are invalid";
        match error {
            FactsError::Invalid(violations) => violations
                .iter()
                .map(|v| {
                    let message = self.relocate(&v.message, source);
                    self.problem(&format!("{why}: "), &v.pointer, &message)
                })
                .collect(),
            // The case's facts are one JSON object given as one source: these cannot happen.
            other => vec![format!("{}: {why}: {other}", self.place(""))],
        }
    }

    /// A field of the case's facts their schema does not define (a warning of
    /// [`Facts::warnings`]), which fails the case.
    fn undefined(&self, warning: &Violation) -> String {
        self.problem(
            "",
            &warning.pointer,
            &format!(
                "{} (a case's facts may hold only the fields their schema defines: the rule \
                 never sees this one, so the case would not test what it says)",
                warning.message
            ),
        )
    }
}

/// How well a rule's cases cover it.
#[cfg(feature = "coverage")]
#[derive(Debug, Clone)]
pub struct RuleCoverage {
    /// The rule id.
    pub id: String,
    /// The rule file.
    pub path: String,
    /// Whether a case expects `pass`.
    pub has_pass: bool,
    /// Whether a case expects `fail`.
    pub has_fail: bool,
    /// The lines of the rule file that hold statements.
    pub lines: BTreeSet<u32>,
    /// The statement lines that some case executed.
    pub hit: BTreeSet<u32>,
}

#[cfg(feature = "coverage")]
impl RuleCoverage {
    /// Statement lines no case executed.
    pub fn missed(&self) -> impl Iterator<Item = u32> + '_ {
        self.lines.difference(&self.hit).copied()
    }
}

/// Runs the cases `keep` accepts (by rule id and case name) and measures, per rule, which
/// statement lines they executed, and whether the rule's cases (all of them) include a passing
/// and a failing one. Lines count as run only by the cases kept, so coverage under a filter is
/// that of the cases the filter selects, and a rule none of whose cases it keeps is left out. `engine` must be built
/// [`with_line_tracing`](Engine::with_line_tracing). With the host's `clock`, each rule is
/// held to its time budget.
#[cfg(feature = "coverage")]
pub fn coverage(
    engine: &Engine,
    clock: Option<&Clock>,
    keep: impl Fn(&str, &str) -> bool,
) -> Vec<RuleCoverage> {
    engine
        .pack()
        .rules
        .iter()
        .filter_map(|rule| {
            let path = rule.cases_path();
            let all: Vec<Case> = rule
                .cases
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            let any_case = !all.is_empty();
            let has = |s: Status| all.iter().any(|c| c.expect.status == s);
            let (has_pass, has_fail) = (has(Status::Pass), has(Status::Fail));
            // The cases that run, with their place in the file.
            let cases: Vec<(usize, Case)> = all
                .into_iter()
                .enumerate()
                .filter(|(_, c)| keep(&rule.meta.id, &c.name))
                .collect();
            // A rule none of whose cases the filter keeps is not measured (one with no
            // readable case at all is, at 0%).
            if cases.is_empty() && any_case {
                return None;
            }
            let mut hit = BTreeSet::new();
            for (index, case) in cases {
                let at = At {
                    file: &path,
                    text: rule.cases.as_deref(),
                    index,
                };
                hit.extend(run_case_traced(engine, clock, &rule.meta.id, &at, case).1);
            }
            let lines = engine.statement_lines(&rule.meta.id).unwrap_or_default();
            hit.retain(|l| lines.contains(l));
            Some(RuleCoverage {
                id: rule.meta.id.clone(),
                path: rule.path.clone(),
                has_pass,
                has_fail,
                lines,
                hit,
            })
        })
        .collect()
}

fn run_case_traced(
    engine: &Engine,
    clock: Option<&Clock>,
    rule: &str,
    at: &At<'_>,
    case: Case,
) -> (CaseOutcome, BTreeSet<u32>) {
    let mut outcome = CaseOutcome {
        rule: rule.to_owned(),
        name: case.name.clone(),
        file: at.file.to_owned(),
        problems: Vec::new(),
        actual: None,
    };
    let mut doc = case.facts;
    doc.entry("schema_version")
        .or_insert_with(|| Value::from("1"));
    doc.entry("organization")
        .or_insert_with(|| serde_json::json!({ "name": "Case" }));
    let text = Value::Object(doc).to_string();
    let name = format!("{} ({})", at.file, case.name);
    // The case's facts are the pack's: facts-v1 with the collections its extensions add.
    let options = LoadOptions {
        schema: engine.pack().facts_schema().cloned(),
        unchecked_references: true,
        ..LoadOptions::default()
    };
    let facts = match Facts::load_with(
        &[FactsSource {
            name: &name,
            text: &text,
        }],
        &options,
    ) {
        Ok(f) => f,
        Err(e) => {
            outcome.problems.extend(at.invalid(&e, &name));
            return (outcome, BTreeSet::new());
        }
    };
    // A field the schema does not define fails the case; the rule still runs, so the
    // outcome shows what it gave without the field.
    outcome
        .problems
        .extend(facts.warnings().iter().map(|w| at.undefined(w)));
    let as_of_text = case.as_of.as_deref().unwrap_or(DEFAULT_CASE_AS_OF);
    let Some(as_of) = Date::parse(as_of_text) else {
        outcome.problems.push(format!(
            "{}: as_of `{as_of_text}` is not a YYYY-MM-DD date",
            at.member("as_of")
        ));
        return (outcome, BTreeSet::new());
    };
    let period = match case.period.as_deref().map(Period::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            outcome
                .problems
                .push(format!("{}: period: {e}", at.member("period")));
            return (outcome, BTreeSet::new());
        }
    };
    let options = EvalOptions {
        as_of: Some(as_of),
        period,
        params: case.params,
        // The population's keys come with explanations.
        explain: case.expect.tested.is_some(),
        clock: clock.cloned(),
        ..EvalOptions::default()
    };
    let (result, lines) = match engine.evaluate_rule_traced(rule, &facts, &options) {
        Ok(Some(r)) => r,
        Ok(None) => {
            outcome
                .problems
                .push(format!("no rule `{rule}` in the pack"));
            return (outcome, BTreeSet::new());
        }
        Err(e) => {
            outcome.problems.push(refusal(at, &e));
            return (outcome, BTreeSet::new());
        }
    };
    let want = &case.expect;
    if result.status != want.status {
        // A rule's error is in `actual`, with its place: not repeated here.
        outcome.problems.push(format!(
            "status: expected {}, got {}",
            want.status.as_str(),
            result.status.as_str()
        ));
    }
    if let Some(expected) = &want.entities {
        let mut want_set: Vec<Option<String>> = expected.clone();
        let mut got: Vec<Option<String>> =
            result.findings.iter().map(|f| f.entity.clone()).collect();
        crate::sorting::sort(&mut want_set);
        want_set.dedup();
        crate::sorting::sort(&mut got);
        got.dedup();
        if want_set != got {
            outcome.problems.push(format!(
                "entities: expected {}, got {}",
                show(&want_set),
                show(&got)
            ));
        }
    }
    if let Some(expected) = &want.messages {
        let mut want_set = expected.clone();
        crate::sorting::sort(&mut want_set);
        want_set.dedup();
        let mut got: Vec<String> = result.findings.iter().map(|f| f.message.clone()).collect();
        crate::sorting::sort(&mut got);
        got.dedup();
        // Long texts: only those that differ are shown (the rule's findings follow).
        let missing: Vec<&String> = want_set.iter().filter(|m| !got.contains(m)).collect();
        let extra: Vec<&String> = got.iter().filter(|m| !want_set.contains(m)).collect();
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("expected but not given {missing:?}"));
        }
        if !extra.is_empty() {
            parts.push(format!("given but not expected {extra:?}"));
        }
        if !parts.is_empty() {
            outcome
                .problems
                .push(format!("messages: {}", parts.join("; ")));
        }
    }
    if let Some(expected) = &want.tested {
        let mut want_set = expected.clone();
        crate::sorting::sort(&mut want_set);
        want_set.dedup();
        let got = result.population.keys.clone().unwrap_or_default();
        if want_set != got {
            outcome.problems.push(format!(
                "tested: expected [{}], got [{}]",
                want_set.join(", "),
                got.join(", ")
            ));
        }
    }
    for expected in want.data.iter().flatten() {
        if !result.findings.iter().any(|f| expected.held_by(f)) {
            let about = expected
                .entity
                .as_ref()
                .map_or_else(String::new, |e| format!(" about {e}"));
            let given: Vec<String> = result
                .findings
                .iter()
                .filter(|f| expected.entity.is_none() || expected.entity == f.entity)
                .map(|f| {
                    f.data
                        .as_ref()
                        .map_or("no data".to_owned(), |d| d.to_string())
                })
                .collect();
            outcome.problems.push(format!(
                "data: no finding{about} holds {}; given: [{}]",
                serde_json::Value::Object(expected.has.clone()),
                given.join(", ")
            ));
        }
    }
    if let Some(text) = &want.error_contains {
        let message = result
            .error
            .as_ref()
            .map(|e| e.message.as_str())
            .unwrap_or("");
        if !message.contains(text.as_str()) {
            outcome.problems.push(format!(
                "error: expected a message containing {text:?}, got {message:?}"
            ));
        }
    }
    outcome.actual = Some(result);
    (outcome, lines)
}

/// A parameter or a period the evaluation refuses, placed at the case's member it is about
/// and said in the case's terms (its `as_of` and `period`, not the command's flags).
fn refusal(at: &At<'_>, e: &EvalError) -> String {
    match e {
        EvalError::UnknownParam { name, .. } | EvalError::BadParam { name, .. } => {
            format!("{}: {e}", at.member(&format!("params/{name}")))
        }
        EvalError::PeriodNotOver { as_of, period, .. }
        | EvalError::AsOfBeforePeriod { as_of, period, .. } => format!(
            "{}: period: the case's as_of {as_of} is before the end of its period {period}: a period is judged once it is over (end the period by {as_of}, or set as_of to its end or later)",
            at.member("period")
        ),
        _ => format!("{}: {e}", at.member("")),
    }
}

fn show(entities: &[Option<String>]) -> String {
    let items: Vec<&str> = entities
        .iter()
        .map(|e| e.as_deref().unwrap_or("null"))
        .collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test, with its reason.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{Limits, Pack, PackFile};

    /// A pack of one rule, `t.admins` (an active shared admin fails), with these cases.
    fn engine(cases: &str) -> Engine {
        engine_of("fail(a, \"shared admin\");", cases)
    }

    /// [`engine`] with `failing` run for each privileged shared account `a`.
    fn engine_of(failing: &str, cases: &str) -> Engine {
        let files = [
            PackFile::new(
                "pack.toml",
                "name = \"t\"\nversion = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"t\"\n",
            ),
            PackFile::new(
                "controls.toml",
                "[[control]]\nid = \"CC6.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n",
            ),
            PackFile::new(
                "rules/t/admins.rhai",
                "//! id = \"t.admins\"\n//! title = \"t\"\n//! controls = [\"CC6.1\"]\n//! severity = \"low\"\n//! owner = \"IT\"\n//! facts = [\"accounts\"]\n//! remediation = \"r\"\nfor a in facts.accounts.where(\"privileged\", true) {\n    if a.kind == \"shared\" { FAILING }\n}\n"
                    .replace("FAILING", failing),
            ),
            PackFile::new("rules/t/admins.cases.json", cases),
        ];
        Engine::new(Pack::from_files(&files).unwrap(), Limits::default()).unwrap()
    }

    const ACCOUNT: &str =
        r#""system_id": "aws", "username": "root", "kind": "shared", "status": "active""#;

    #[test]
    fn a_field_the_schema_does_not_define_fails_the_case_at_its_line() {
        // `privilegd` is not `privileged`: the rule sees no admin and is not applicable, as
        // the case expects, but the case tests nothing of what it says.
        let cases = format!(
            "[\n  {{\"name\": \"clean\", \"facts\": {{\"accounts\": [{{{ACCOUNT}, \"privileged\": true}}]}},\n   \"expect\": {{\"status\": \"fail\"}}}},\n  {{\"name\": \"typo\",\n   \"facts\": {{\"accounts\": [\n     {{{ACCOUNT},\n      \"privilegd\": true}}]}},\n   \"expect\": {{\"status\": \"not_applicable\"}}}}\n]\n"
        );
        let outcomes = run_all(&engine(&cases), None);
        assert_eq!(outcomes.len(), 2);
        assert!(outcomes[0].passed(), "{:?}", outcomes[0].problems);
        let typo = &outcomes[1];
        assert_eq!(typo.name, "typo");
        assert_eq!(
            typo.problems,
            [
                "rules/t/admins.cases.json:7:7: /accounts/0/privilegd: facts-v1 does not define \
                 `privilegd` for accounts; did you mean `privileged`? (a case's facts may hold \
                 only the fields their schema defines: the rule never sees this one, so the case \
                 would not test what it says)"
            ]
        );
        // The rule still ran, so the outcome shows what it gave.
        assert_eq!(
            typo.actual.as_ref().map(|a| a.status),
            Some(Status::NotApplicable)
        );
        // Without the cases file's text, the field is placed by its pointer alone.
        let case: Vec<Case> = serde_json::from_str(&cases).unwrap();
        let alone = run_case(
            &engine(&cases),
            None,
            "t.admins",
            "x.cases.json",
            case[1].clone(),
        );
        assert!(
            alone.problems[0].starts_with("x.cases.json: /accounts/0/privilegd: facts-v1"),
            "{:?}",
            alone.problems
        );
    }

    #[test]
    fn schema_violations_of_a_case_are_one_line_each_at_their_lines() {
        let cases = format!(
            "[{{\"name\": \"bad\", \"facts\": {{\"accounts\": [\n  {{{ACCOUNT}, \"privileged\": \"yes\"}},\n  {{{ACCOUNT}}},\n  {{\"username\": \"x\", \"kind\": \"shared\", \"status\": \"active\"}}\n]}}, \"expect\": {{\"status\": \"pass\"}}}}]"
        );
        let outcomes = run_all(&engine(&cases), None);
        let problems = &outcomes[0].problems;
        let at = "rules/t/admins.cases.json";
        assert_eq!(
            problems,
            &[
                format!(
                    "{at}:2:82: the case's facts are invalid: /accounts/0/privileged: \"yes\" is \
                     not of type \"boolean\""
                ),
                format!(
                    "{at}:4:3: the case's facts are invalid: /accounts/2: \"system_id\" is a \
                     required property"
                ),
                format!(
                    "{at}:3:3: the case's facts are invalid: /accounts/1: duplicate key \
                     accounts/aws/root: also at {at}:2:3 (/accounts/0)"
                ),
            ]
        );
        assert!(problems.iter().all(|p| !p.contains('\n')), "{problems:?}");
    }

    #[test]
    fn a_key_given_twice_is_refused_at_its_place() {
        // The second `accounts` would hide the first: the case would test the clean list.
        let cases = format!(
            "[{{\"name\": \"x\", \"facts\": {{\"accounts\": [{{{ACCOUNT}, \"privileged\": true}}],\n  \"accounts\": []}},\n  \"expect\": {{\"status\": \"not_applicable\"}}}}]"
        );
        let outcomes = run_all(&engine(&cases), None);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].name, "(cases)");
        assert_eq!(
            outcomes[0].problems,
            [
                "rules/t/admins.cases.json:2:12: invalid cases file: the key `accounts` is given \
              twice in one object; only one value can count"
            ]
        );
    }

    #[test]
    fn an_expectation_given_as_null_is_refused_not_left_unchecked() {
        for field in ["entities", "messages", "tested", "error_contains", "data"] {
            let cases = format!(
                "[{{\"name\": \"x\", \"facts\": {{\"accounts\": [{{{ACCOUNT}, \"privileged\": true}}]}},\n  \"expect\": {{\"status\": \"fail\", \"{field}\": null}}}}]"
            );
            let outcomes = run_all(&engine(&cases), None);
            assert_eq!(outcomes[0].name, "(cases)", "{field}");
            assert!(
                outcomes[0].problems[0]
                    .contains("invalid cases file: invalid type: null, expected"),
                "{field}: {:?}",
                outcomes[0].problems
            );
        }
    }

    #[test]
    fn a_status_no_rule_returns_is_refused_naming_its_case_and_the_statuses() {
        for (status, shown) in [
            ("null", "null"),
            ("5", "a number, boolean, list or object"),
            ("[]", "a number, boolean, list or object"),
            // A finding's status, which no case can return, and a misspelt one.
            ("\"waived\"", "\"waived\""),
            ("\"passs\"", "\"passs\""),
        ] {
            let cases = format!(
                "[{{\"name\": \"ok\", \"facts\": {{}}, \"expect\": {{\"status\": \"not_applicable\"}}}},\n {{\"name\": \"x\", \"facts\": {{}},\n  \"expect\": {{\"status\": {status}}}}}]"
            );
            let outcomes = run_all(&engine(&cases), None);
            assert_eq!(outcomes[0].name, "(cases)", "{status}");
            assert_eq!(
                outcomes[0].problems,
                [format!(
                    "rules/t/admins.cases.json:3:14: invalid cases file: /1/expect/status: expected a status, one of \"pass\", \"fail\", \"warn\", \"error\" or \"not_applicable\", not {shown}"
                )]
            );
        }
    }

    #[test]
    fn a_file_that_ends_too_early_is_refused_at_its_end() {
        let outcomes = run_all(&engine("[{\"name\": \"x\",\n"), None);
        assert_eq!(
            outcomes[0].problems,
            ["rules/t/admins.cases.json:1:15: invalid cases file: EOF while parsing a value"]
        );
    }

    #[test]
    fn a_findings_data_is_expected_member_by_member() {
        let case = |data: &str| {
            let cases = format!(
                "[{{\"name\": \"d\", \"facts\": {{\"accounts\": [{{{ACCOUNT}, \"privileged\": true}}]}},\n  \"expect\": {{\"status\": \"fail\", \"data\": {data}}}}}]"
            );
            let failing = "fail(a, \"shared admin\", #{ user: a.username, due: \"2026-06-01\" });";
            run_all(&engine_of(failing, &cases), None)
                .remove(0)
                .problems
        };
        let none: Vec<String> = Vec::new();
        assert_eq!(case(r#"[{"has": {"due": "2026-06-01"}}]"#), none);
        assert_eq!(
            case(r#"[{"entity": "/accounts/0", "has": {"due": "2026-06-01", "user": "root"}}]"#),
            none
        );
        assert_eq!(
            case(r#"[{"entity": "/accounts/0", "has": {"due": "2026-06-02"}}]"#),
            [
                r#"data: no finding about /accounts/0 holds {"due":"2026-06-02"}; given: [{"due":"2026-06-01","user":"root"}]"#
            ]
        );
        assert_eq!(
            case(r#"[{"entity": "/accounts/1", "has": {"due": "2026-06-01"}}]"#),
            [r#"data: no finding about /accounts/1 holds {"due":"2026-06-01"}; given: []"#]
        );
        assert_eq!(
            case(r#"[{"has": {"corrected_on": null}}]"#),
            [
                r#"data: no finding holds {"corrected_on":null}; given: [{"due":"2026-06-01","user":"root"}]"#
            ]
        );
    }

    #[test]
    fn messages_are_compared_as_a_set_with_the_findings() {
        let case = |messages: &str| {
            format!(
                "[{{\"name\": \"m\", \"facts\": {{\"accounts\": [{{{ACCOUNT}, \"privileged\": true}}]}},\n  \"expect\": {{\"status\": \"fail\", \"messages\": {messages}}}}}]"
            )
        };
        let outcomes = run_all(&engine(&case(r#"["shared admin"]"#)), None);
        assert!(outcomes[0].passed(), "{:?}", outcomes[0].problems);
        let outcomes = run_all(&engine(&case(r#"["shared admin!", "other"]"#)), None);
        assert_eq!(
            outcomes[0].problems,
            [
                r#"messages: expected but not given ["other", "shared admin!"]; given but not expected ["shared admin"]"#
            ]
        );
        let outcomes = run_all(&engine(&case("[]")), None);
        assert_eq!(
            outcomes[0].problems,
            [r#"messages: given but not expected ["shared admin"]"#]
        );
    }
}
