//! The compiled engine: a pack's rules compiled once in the sandbox, evaluated against any
//! number of facts documents, rules in parallel, results merged in a fixed order.

use crate::context::{self, Clock, RawFinding, RuleRun};
use crate::date::Date;
use crate::evidence;
use crate::facts::Facts;
use crate::limits::Limits;
use crate::pack::{Category, Diagnostic, Pack, PackError, Rule};
use crate::prelude::{self, lookups::LookupCache};
use crate::report::{
    ControlResult, Counts, EngineInfo, FactsInfo, Finding, PackInfo, Report, RuleError, RuleResult,
    Status, Summary,
};
use crate::sandbox;
use indexmap::IndexMap;
use rhai::{AST, Dynamic, Map, Scope};
use std::sync::Arc;

/// Name of the parameter that sets the warning window, if a pack declares it.
const WARN_WINDOW_PARAM: &str = "warn_window_days";
/// The warning window when a pack does not declare one.
const DEFAULT_WARN_DAYS: i64 = 30;

/// How one evaluation runs.
#[derive(Clone, Default)]
pub struct EvalOptions {
    /// The date rules treat as today; defaults to `organization.as_of` of the facts.
    pub as_of: Option<Date>,
    /// Parameter values that override the pack's defaults.
    pub params: IndexMap<String, serde_json::Value>,
    /// A monotonic clock, which enables each rule's time budget.
    pub clock: Option<Clock>,
}

/// Why an evaluation could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// Neither the options nor the facts give an as-of date.
    #[error("no as-of date: set organization.as_of in the facts or pass one (--as-of YYYY-MM-DD)")]
    NoAsOf,
    /// An override names a parameter the pack does not declare.
    #[error("unknown parameter `{0}`: the pack does not declare it")]
    UnknownParam(String),
    /// An override has the wrong type.
    #[error("parameter `{name}`: {message}")]
    BadParam {
        /// The parameter.
        name: String,
        /// What was expected.
        message: String,
    },
}

/// A pack compiled in the sandbox, ready to evaluate facts. `Send + Sync`.
pub struct Engine {
    rhai: rhai::Engine,
    pack: Pack,
    asts: Vec<AST>,
    limits: Limits,
}

impl Engine {
    /// Compiles every rule of `pack`; syntax errors are reported for all rules at once.
    pub fn new(pack: Pack, limits: Limits) -> Result<Engine, PackError> {
        let rhai = sandbox::engine(&limits);
        let mut scope = Scope::new();
        scope.push_constant("facts", ());
        scope.push_constant("params", ());
        let mut asts = Vec::with_capacity(pack.rules.len());
        let mut diags = Vec::new();
        for rule in &pack.rules {
            match rhai.compile_with_scope(&scope, &rule.source) {
                Ok(ast) => asts.push(ast),
                Err(e) => {
                    let pos = e.position();
                    let mut d =
                        Diagnostic::new(&rule.path, format!("syntax error: {}", e.err_type()));
                    if let (Some(line), Some(col)) = (pos.line(), pos.position()) {
                        d = d.at(to_u32(line), to_u32(col));
                    }
                    diags.push(d);
                }
            }
        }
        if !diags.is_empty() {
            return Err(PackError(diags));
        }
        Ok(Engine {
            rhai,
            pack,
            asts,
            limits,
        })
    }

    /// The pack this engine evaluates.
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// Evaluates every rule and every control against `facts`.
    pub fn evaluate(&self, facts: &Facts, options: &EvalOptions) -> Result<Report, EvalError> {
        let as_of = options.as_of.or(facts.as_of()).ok_or(EvalError::NoAsOf)?;
        let params = self.params(&options.params)?;
        let warn_days = params
            .get(WARN_WINDOW_PARAM)
            .and_then(|d| d.as_int().ok())
            .unwrap_or(DEFAULT_WARN_DAYS);
        let cache = Arc::new(LookupCache::default());
        let run = |(rule, ast): (&Rule, &AST)| {
            self.run_rule(rule, ast, facts, as_of, &params, &cache, options)
        };
        let pairs: Vec<(&Rule, &AST)> = self.pack.rules.iter().zip(&self.asts).collect();
        #[cfg(feature = "parallel")]
        let results: Vec<RuleResult> = {
            use rayon::prelude::*;
            pairs.into_par_iter().map(run).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let results: Vec<RuleResult> = pairs.into_iter().map(run).collect();

        let mut summary = Summary {
            controls: Counts::default(),
            by_category: Category::ALL
                .iter()
                .map(|c| (*c, Counts::default()))
                .collect(),
        };
        let mut controls = Vec::with_capacity(self.pack.controls.len());
        for control in &self.pack.controls {
            let in_scope = facts.in_scope(control.category.as_str());
            let mut rules: Vec<RuleResult> = self
                .pack
                .rules
                .iter()
                .zip(&results)
                .filter(|(r, _)| r.meta.controls.contains(&control.id))
                .map(|(_, res)| res.clone())
                .collect();
            if rules.is_empty() && in_scope {
                rules.push(evidence::check(control, facts, as_of, warn_days));
            }
            let status = if in_scope {
                rules
                    .iter()
                    .fold(Status::NotApplicable, |s, r| s.worst(r.status))
            } else {
                Status::NotApplicable
            };
            summary.controls.add(status);
            summary
                .by_category
                .entry(control.category)
                .or_default()
                .add(status);
            controls.push(ControlResult {
                id: control.id.clone(),
                category: control.category,
                group: control.group.clone(),
                title: control.title.clone(),
                status,
                rules,
            });
        }
        Ok(Report {
            report_version: "1".to_owned(),
            engine: EngineInfo {
                name: "attest".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            pack: PackInfo {
                name: self.pack.manifest.name.clone(),
                version: self.pack.manifest.version.clone(),
                digest: self.pack.digest.clone(),
            },
            facts: FactsInfo {
                organization: facts.organization().to_owned(),
                digest: facts.digest().to_owned(),
                as_of: facts.as_of().map(|d| d.to_string()),
            },
            evaluated_on: as_of.to_string(),
            summary,
            controls,
        })
    }

    /// Evaluates one rule (by id) against `facts`; `None` when the pack has no such rule.
    pub fn evaluate_rule(
        &self,
        rule_id: &str,
        facts: &Facts,
        options: &EvalOptions,
    ) -> Result<Option<RuleResult>, EvalError> {
        let as_of = options.as_of.or(facts.as_of()).ok_or(EvalError::NoAsOf)?;
        let params = self.params(&options.params)?;
        let cache = Arc::new(LookupCache::default());
        Ok(self
            .pack
            .rules
            .iter()
            .zip(&self.asts)
            .find(|(r, _)| r.meta.id == rule_id)
            .map(|(rule, ast)| self.run_rule(rule, ast, facts, as_of, &params, &cache, options)))
    }

    /// The pack's parameters with `overrides` applied and type-checked, as a Rhai map.
    fn params(&self, overrides: &IndexMap<String, serde_json::Value>) -> Result<Map, EvalError> {
        let declared = &self.pack.manifest.params;
        for (name, value) in overrides {
            let spec = declared
                .get(name)
                .ok_or_else(|| EvalError::UnknownParam(name.clone()))?;
            spec.kind
                .check(value)
                .map_err(|message| EvalError::BadParam {
                    name: name.clone(),
                    message,
                })?;
        }
        Ok(declared
            .iter()
            .map(|(name, spec)| {
                let value = overrides.get(name).unwrap_or(&spec.default);
                (name.as_str().into(), json_to_dynamic(value))
            })
            .collect())
    }

    #[allow(clippy::too_many_arguments)]
    fn run_rule(
        &self,
        rule: &Rule,
        ast: &AST,
        facts: &Facts,
        as_of: Date,
        params: &Map,
        cache: &Arc<LookupCache>,
        options: &EvalOptions,
    ) -> RuleResult {
        let meta = &rule.meta;
        let mut result = RuleResult {
            id: meta.id.clone(),
            title: meta.title.clone(),
            status: Status::NotApplicable,
            severity: meta.severity,
            owner: meta.owner,
            error: None,
            findings: Vec::new(),
        };
        if !meta.facts.iter().all(|k| facts.has_key(k)) {
            return result;
        }
        let mut scope = Scope::new();
        scope.push_constant("facts", facts.root().to_dynamic());
        scope.push_constant("params", params.clone());
        let budget = options.clock.clone().zip(self.limits.time_budget);
        let run = RuleRun::new(as_of, cache.clone(), self.limits.max_operations, budget);
        let (outcome, run) =
            context::with_run(run, || self.rhai.run_ast_with_scope(&mut scope, ast));
        match (outcome, run) {
            (Ok(()), Some(run)) => {
                result.findings = run
                    .findings
                    .into_iter()
                    .map(|f| self.finding(rule, facts, f))
                    .collect();
                result.status = result.findings.iter().fold(Status::Pass, |s, f| {
                    s.worst(match f.status {
                        crate::report::FindingStatus::Fail => Status::Fail,
                        crate::report::FindingStatus::Warn => Status::Warn,
                    })
                });
            }
            (Err(e), _) => {
                result.status = Status::Error;
                result.error = Some(rule_error(rule, &e));
            }
            (Ok(()), None) => {
                result.status = Status::Error;
                result.error = Some(RuleError {
                    message: "the rule's state was lost".to_owned(),
                    file: rule.path.clone(),
                    line: None,
                    column: None,
                });
            }
        }
        result
    }

    fn finding(&self, rule: &Rule, facts: &Facts, raw: RawFinding) -> Finding {
        Finding {
            status: raw.status,
            source: raw.entity.as_deref().and_then(|p| facts.origin(p)),
            message: raw.message,
            entity: raw.entity,
            remediation: rule.meta.remediation.clone(),
            owner: rule.meta.owner,
            data: raw.data.map(|m| prelude::to_json(&Dynamic::from_map(m))),
        }
    }
}

/// A rule's runtime error: the innermost message and its position in the rule file.
fn rule_error(rule: &Rule, err: &rhai::EvalAltResult) -> RuleError {
    let inner = err.unwrap_inner();
    let pos = inner.position();
    let message = match inner {
        rhai::EvalAltResult::ErrorRuntime(v, _) | rhai::EvalAltResult::ErrorTerminated(v, _) => {
            v.to_string()
        }
        other => {
            let text = other.to_string();
            let suffix = format!(" ({pos})");
            text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
        }
    };
    RuleError {
        message,
        file: rule.path.clone(),
        line: pos.line().map(to_u32),
        column: pos.position().map(to_u32),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn json_to_dynamic(value: &serde_json::Value) -> Dynamic {
    use serde_json::Value;
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Array(a) => Dynamic::from_array(a.iter().map(json_to_dynamic).collect()),
        Value::Object(o) => Dynamic::from_map(
            o.iter()
                .map(|(k, v)| (k.as_str().into(), json_to_dynamic(v)))
                .collect(),
        ),
    }
}
