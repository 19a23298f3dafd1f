//! Rule cases: each rule keeps, beside it, a `*.cases.json` file of small facts documents
//! and the outcome the rule must give on each. This module runs them.

use crate::date::Date;
use crate::engine::{Engine, EvalOptions};
use crate::facts::{Facts, FactsSource, LoadOptions};
use crate::pack::Rule;
use crate::period::Period;
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
    /// The exact set of finding entities (order irrelevant); unchecked when absent.
    #[serde(default)]
    pub entities: Option<Vec<Option<String>>>,
    /// For `error`: text the error message must contain.
    #[serde(default)]
    pub error_contains: Option<String>,
    /// The exact set of records the rule tested, by key (order irrelevant); unchecked when
    /// absent.
    #[serde(default)]
    pub tested: Option<Vec<String>>,
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

/// Runs every case of every rule of the engine's pack, in rule path order.
pub fn run_all(engine: &Engine) -> Vec<CaseOutcome> {
    run_where(engine, |_, _| true)
}

/// Runs the cases of the rules `own` accepts whose `rule::case` name contains one of
/// `filter` (every case of those rules when `filter` is empty), in rule path order, and
/// counts the cases of those rules the filter left out. A rule's missing or unreadable
/// cases file is an outcome named `(cases)`, filtered like a case.
pub fn run_matching(
    engine: &Engine,
    own: impl Fn(&str) -> bool,
    filter: &[String],
) -> (Vec<CaseOutcome>, usize) {
    let mut filtered_out = 0;
    let outcomes = run_where(engine, |rule, case| {
        if !own(rule) {
            return false;
        }
        let name = format!("{rule}::{case}");
        let keep = filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
        filtered_out += usize::from(!keep);
        keep
    });
    (outcomes, filtered_out)
}

/// The cases of `rule`, or why they cannot be read (no cases file, or one that is not a list
/// of cases), with the file's name and, for a syntax error, its line and column.
pub fn of_rule(rule: &Rule) -> Result<Vec<Case>, String> {
    let path = rule.cases_path();
    let text = rule
        .cases
        .as_deref()
        .ok_or_else(|| format!("{path} is missing: every rule needs cases"))?;
    serde_json::from_str(text).map_err(|e| {
        // Its place and message as for any JSON file (an empty one is said to be empty).
        let at = crate::facts::JsonSyntax::new(&path, text, &e);
        format!(
            "{path}:{}:{}: invalid cases file: {}",
            at.line, at.column, at.message
        )
    })
}

/// Runs the cases `keep` accepts (by rule id and case name), in rule path order: the others
/// are not run at all.
fn run_where(engine: &Engine, mut keep: impl FnMut(&str, &str) -> bool) -> Vec<CaseOutcome> {
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
        for case in cases {
            if keep(id, &case.name) {
                out.push(run_case(engine, id, &path, case));
            }
        }
    }
    out
}

/// Runs one case against one rule.
pub fn run_case(engine: &Engine, rule: &str, file: &str, case: Case) -> CaseOutcome {
    run_case_traced(engine, rule, file, case).0
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

/// Runs every case and measures, per rule, which statement lines they executed and whether
/// the cases include a passing and a failing one. `engine` must be built
/// [`with_line_tracing`](Engine::with_line_tracing).
#[cfg(feature = "coverage")]
pub fn coverage(engine: &Engine) -> Vec<RuleCoverage> {
    engine
        .pack()
        .rules
        .iter()
        .map(|rule| {
            let path = rule.cases_path();
            let cases: Vec<Case> = rule
                .cases
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            let has = |s: Status| cases.iter().any(|c| c.expect.status == s);
            let (has_pass, has_fail) = (has(Status::Pass), has(Status::Fail));
            let mut hit = BTreeSet::new();
            for case in cases {
                hit.extend(run_case_traced(engine, &rule.meta.id, &path, case).1);
            }
            let lines = engine.statement_lines(&rule.meta.id).unwrap_or_default();
            hit.retain(|l| lines.contains(l));
            RuleCoverage {
                id: rule.meta.id.clone(),
                path: rule.path.clone(),
                has_pass,
                has_fail,
                lines,
                hit,
            }
        })
        .collect()
}

fn run_case_traced(
    engine: &Engine,
    rule: &str,
    file: &str,
    case: Case,
) -> (CaseOutcome, BTreeSet<u32>) {
    let mut outcome = CaseOutcome {
        rule: rule.to_owned(),
        name: case.name.clone(),
        file: file.to_owned(),
        problems: Vec::new(),
        actual: None,
    };
    let mut doc = case.facts;
    doc.entry("schema_version")
        .or_insert_with(|| Value::from("1"));
    doc.entry("organization")
        .or_insert_with(|| serde_json::json!({ "name": "Case" }));
    let text = Value::Object(doc).to_string();
    let name = format!("{file} ({})", case.name);
    // The case's facts are the pack's: facts-v1 with the collections its extensions add.
    let options = LoadOptions {
        schema: engine.pack().facts_schema().cloned(),
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
            outcome
                .problems
                .push(format!("the case's facts are invalid: {e}"));
            return (outcome, BTreeSet::new());
        }
    };
    let as_of_text = case.as_of.as_deref().unwrap_or(DEFAULT_CASE_AS_OF);
    let Some(as_of) = Date::parse(as_of_text) else {
        outcome
            .problems
            .push(format!("as_of `{as_of_text}` is not a YYYY-MM-DD date"));
        return (outcome, BTreeSet::new());
    };
    let period = match case.period.as_deref().map(Period::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            outcome.problems.push(format!("period: {e}"));
            return (outcome, BTreeSet::new());
        }
    };
    let options = EvalOptions {
        as_of: Some(as_of),
        period,
        params: case.params,
        // The population's keys come with explanations.
        explain: case.expect.tested.is_some(),
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
            outcome.problems.push(e.to_string());
            return (outcome, BTreeSet::new());
        }
    };
    let want = &case.expect;
    if result.status != want.status {
        let why = result
            .error
            .as_ref()
            .map(|e| format!(" ({}:{}: {})", e.file, e.line.unwrap_or(0), e.message))
            .unwrap_or_default();
        outcome.problems.push(format!(
            "status: expected {}, got {}{why}",
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

fn show(entities: &[Option<String>]) -> String {
    let items: Vec<&str> = entities
        .iter()
        .map(|e| e.as_deref().unwrap_or("null"))
        .collect();
    format!("[{}]", items.join(", "))
}
