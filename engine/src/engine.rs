//! The compiled engine: a pack's rules compiled once in the sandbox, evaluated against any
//! number of facts documents, rules in parallel, results merged in a fixed order.

use crate::context::{self, Clock, RawFinding, RuleRun};
use crate::date::Date;
use crate::evidence;
use crate::facts::Facts;
use crate::limits::Limits;
use crate::modules::{self, to_u32};
use crate::pack::{Category, Diagnostic, DisabledRule, Pack, PackError, PackFile, Rule};
use crate::prelude::{self, lookups::LookupCache};
use crate::report::{
    ControlResult, Counts, EngineInfo, Explanation, FactsInfo, Finding, FindingStatus, PackInfo,
    Report, RuleError, RuleResult, Status, Summary,
};
use crate::sandbox;
use indexmap::IndexMap;
use rhai::{AST, Dynamic, Map, Scope};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Name of the parameter that sets the warning window, if a pack declares it.
const WARN_WINDOW_PARAM: &str = crate::pack::ENGINE_PARAMS[0];
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
    /// Record, for every rule, what it examined and why it decided.
    pub explain: bool,
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

/// A pack compiled in the sandbox, ready to evaluate facts. `Send + Sync` with the `parallel`
/// feature; without it, Rhai is built single-threaded and the engine is neither.
pub struct Engine {
    rhai: rhai::Engine,
    pack: Pack,
    asts: Vec<AST>,
    limits: Limits,
    trace: bool,
}

impl Engine {
    /// Compiles every rule and helper module of `pack`; syntax errors are reported for all
    /// rules at once.
    pub fn new(pack: Pack, limits: Limits) -> Result<Engine, PackError> {
        Engine::build(pack, limits, false)
    }

    /// Like [`Engine::new`], but records which lines of each rule run, for
    /// [`evaluate_rule_traced`](Engine::evaluate_rule_traced). Slower: for coverage only.
    pub fn with_line_tracing(pack: Pack, limits: Limits) -> Result<Engine, PackError> {
        Engine::build(pack, limits, true)
    }

    fn build(pack: Pack, limits: Limits, trace: bool) -> Result<Engine, PackError> {
        let mut rhai = sandbox::engine(&limits, trace);
        let resolver =
            modules::load(&rhai, &pack.modules, limits.max_operations).map_err(PackError)?;
        if !pack.modules.is_empty() {
            rhai.set_max_modules(modules::MAX_IMPORTS);
        }
        rhai.set_module_resolver(resolver);
        let (asts, diags) = compile(&rhai, &pack.rules);
        if !diags.is_empty() {
            return Err(PackError(diags));
        }
        Ok(Engine {
            rhai,
            pack,
            asts,
            limits,
            trace,
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
                .0
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
                rules.push(evidence::check(
                    control,
                    facts,
                    as_of,
                    warn_days,
                    options.explain,
                ));
            }
            rules.extend(
                self.pack
                    .disabled
                    .iter()
                    .filter(|d| d.meta.controls.contains(&control.id))
                    .map(|d| disabled_result(d, options.explain)),
            );
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
            waivers: Vec::new(),
        })
    }

    /// Evaluates one rule (by id) against `facts`; `None` when the pack has no such rule.
    pub fn evaluate_rule(
        &self,
        rule_id: &str,
        facts: &Facts,
        options: &EvalOptions,
    ) -> Result<Option<RuleResult>, EvalError> {
        Ok(self
            .evaluate_rule_traced(rule_id, facts, options)?
            .map(|(result, _)| result))
    }

    /// Evaluates one rule and returns, with its result, the lines of the rule file that ran
    /// (empty unless the engine was built [`with_line_tracing`](Engine::with_line_tracing)).
    pub fn evaluate_rule_traced(
        &self,
        rule_id: &str,
        facts: &Facts,
        options: &EvalOptions,
    ) -> Result<Option<(RuleResult, BTreeSet<u32>)>, EvalError> {
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

    /// The lines of a rule file that hold statements (what coverage counts), if the rule exists.
    pub fn statement_lines(&self, rule_id: &str) -> Option<BTreeSet<u32>> {
        let (_, ast) = self
            .pack
            .rules
            .iter()
            .zip(&self.asts)
            .find(|(r, _)| r.meta.id == rule_id)?;
        let mut lines = BTreeSet::new();
        ast.walk(&mut |path: &[rhai::ASTNode]| {
            if let Some(rhai::ASTNode::Stmt(stmt)) = path.last() {
                let block = matches!(stmt, rhai::Stmt::Block(..) | rhai::Stmt::Noop(..));
                if let (false, Some(line)) = (block, stmt.position().line()) {
                    lines.insert(to_u32(line));
                }
            }
            true
        });
        Some(lines)
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
    ) -> (RuleResult, BTreeSet<u32>) {
        let meta = &rule.meta;
        let mut result = RuleResult {
            id: meta.id.clone(),
            title: meta.title.clone(),
            status: Status::NotApplicable,
            severity: meta.severity,
            owner: meta.owner,
            disabled: None,
            explanation: None,
            error: None,
            findings: Vec::new(),
        };
        let missing: Vec<&str> = meta
            .facts
            .iter()
            .filter(|k| !facts.has_key(k))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            if options.explain {
                let reason = format!(
                    "not applicable: the facts have no {}",
                    missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                );
                result.explanation = Some(explanation(rule, params, Vec::new(), reason));
            }
            return (result, BTreeSet::new());
        }
        let mut scope = Scope::new();
        scope.push_constant("facts", facts.root().to_dynamic());
        scope.push_constant("params", params.clone());
        let budget = options.clock.clone().zip(self.limits.time_budget);
        let mut run = RuleRun::new(
            Some(as_of),
            cache.clone(),
            self.limits.max_operations,
            budget,
        );
        if self.trace {
            run.traced = Some((
                modules::source_name(&rule.pack, &rule.path),
                BTreeSet::new(),
            ));
        }
        let (outcome, mut run) =
            context::with_run(run, || self.rhai.run_ast_with_scope(&mut scope, ast));
        let examined = run.as_ref().map(|r| r.examined.clone()).unwrap_or_default();
        let lines = run
            .as_mut()
            .and_then(|r| r.traced.take())
            .map(|(_, lines)| lines)
            .unwrap_or_default();
        match (outcome, run) {
            (Ok(()), Some(run)) => {
                result.findings = run
                    .findings
                    .into_iter()
                    .map(|f| self.finding(rule, facts, f))
                    .collect();
                result.status = result.findings.iter().fold(Status::Pass, |s, f| {
                    s.worst(match f.status {
                        FindingStatus::Fail => Status::Fail,
                        FindingStatus::Warn => Status::Warn,
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
        if options.explain {
            let reason = decision(&result, &examined);
            result.explanation = Some(explanation(rule, params, examined, reason));
        }
        (result, lines)
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
            waiver: None,
        }
    }
}

/// Compiles rules in the sandbox: their ASTs, or a diagnostic for each syntax error.
fn compile(rhai: &rhai::Engine, rules: &[Rule]) -> (Vec<AST>, Vec<Diagnostic>) {
    let mut scope = Scope::new();
    scope.push_constant("facts", ());
    scope.push_constant("params", ());
    let mut asts = Vec::with_capacity(rules.len());
    let mut diags = Vec::new();
    for rule in rules {
        match rhai.compile_with_scope(&scope, &rule.source) {
            Ok(mut ast) => {
                ast.set_source(modules::source_name(&rule.pack, &rule.path));
                asts.push(ast);
            }
            Err(e) => {
                let pos = e.position();
                let mut d = Diagnostic::new(
                    "syntax-error",
                    &rule.path,
                    format!("syntax error: {}", e.err_type()),
                );
                if let (Some(line), Some(col)) = (pos.line(), pos.position()) {
                    d = d.at(to_u32(line), to_u32(col));
                }
                diags.push(d);
            }
        }
    }
    (asts, diags)
}

/// Every diagnostic for a pack (extending `base`, if given): its files against the pack
/// schema, rule metadata, parameters, helper modules and the syntax of its own rules;
/// errors and warnings alike. Nothing is evaluated.
pub fn check(files: &[PackFile], base: Option<&Pack>) -> Vec<Diagnostic> {
    let (pack, mut diags) = crate::pack::load(files, base.cloned());
    if let Some(pack) = pack {
        let rhai = sandbox::engine(&Limits::default(), false);
        if let Err(errors) = modules::load(&rhai, &pack.modules, Limits::default().max_operations) {
            diags.extend(errors);
        }
        let own: Vec<Rule> = pack
            .rules
            .iter()
            .filter(|r| r.pack == pack.manifest.name)
            .cloned()
            .collect();
        diags.extend(compile(&rhai, &own).1);
    }
    diags
}

/// A disabled rule as it appears under its controls.
fn disabled_result(d: &DisabledRule, explain: bool) -> RuleResult {
    RuleResult {
        id: d.meta.id.clone(),
        title: d.meta.title.clone(),
        status: Status::NotApplicable,
        severity: d.meta.severity,
        owner: d.meta.owner,
        disabled: Some(d.reason.clone()),
        explanation: explain.then(|| Explanation {
            examined: IndexMap::new(),
            params: IndexMap::new(),
            reason: format!("disabled by the pack: {}", d.reason),
        }),
        error: None,
        findings: Vec::new(),
    }
}

/// What a rule saw, with the values of the parameters it reads.
fn explanation(
    rule: &Rule,
    params: &Map,
    examined: Vec<(String, u64)>,
    reason: String,
) -> Explanation {
    Explanation {
        examined: examined.into_iter().collect(),
        params: rule
            .meta
            .params
            .iter()
            .map(|p| {
                let v = params
                    .get(p.as_str())
                    .map_or(serde_json::Value::Null, prelude::to_json);
                (p.clone(), v)
            })
            .collect(),
        reason,
    }
}

/// The decision in a sentence.
fn decision(result: &RuleResult, examined: &[(String, u64)]) -> String {
    let looked = if examined.is_empty() {
        "read no facts collection".to_owned()
    } else {
        let parts: Vec<String> = examined.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!("examined {}", parts.join(", "))
    };
    let count = |s: FindingStatus| result.findings.iter().filter(|f| f.status == s).count();
    match result.status {
        Status::Pass => format!("pass: {looked}; no record breaks the rule"),
        Status::Fail | Status::Warn => format!(
            "{}: {looked}; {} failing and {} lapsing soon",
            result.status.as_str(),
            count(FindingStatus::Fail),
            count(FindingStatus::Warn)
        ),
        Status::Error => format!(
            "error: {looked} before stopping: {}",
            result.error.as_ref().map_or("", |e| e.message.as_str())
        ),
        Status::Waived | Status::NotApplicable => format!("{}: {looked}", result.status.as_str()),
    }
}

/// A rule's runtime error: the innermost message and its position in the rule file.
fn rule_error(rule: &Rule, err: &rhai::EvalAltResult) -> RuleError {
    let (message, pos) = sandbox::describe(err);
    RuleError {
        message,
        file: rule.path.clone(),
        line: pos.line().map(to_u32),
        column: pos.position().map(to_u32),
    }
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
