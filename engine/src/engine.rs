//! The compiled engine: a pack's rules compiled once in the sandbox, evaluated against any
//! number of facts documents, rules in parallel, results merged in a fixed order.

use crate::absence;
use crate::context::{self, Budget, Clock, PopulationSource, RawFinding, RuleRun, Subject};
use crate::date::Date;
use crate::evidence::{self, EvidenceFile};
use crate::facts::Facts;
use crate::joins::LookupCache;
use crate::limits::Limits;
use crate::modules::{self, to_u32};
use crate::native::{self, Native};
use crate::pack::{
    Diagnostic, DiagnosticCode, DisabledRule, Pack, PackError, PackFile, Rule, RuleMeta, Severity,
};
use crate::period::Period;
use crate::population;
use crate::prelude;
use crate::report::{
    ControlResult, EngineInfo, Explanation, FactsInfo, Finding, FindingStatus, PackInfo, Params,
    Population, REPORT_VERSION, Report, RuleError, RuleResult, Status, Summary, WarningInput,
    warning,
};
use crate::sandbox;
use crate::scan;
use crate::suggest;
use indexmap::IndexMap;
use rhai::{AST, Dynamic, Map, Scope};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

mod reuse;
mod sampling;

/// Name of the parameter that sets the warning window, if a pack declares it.
const WARN_WINDOW_PARAM: &str = crate::pack::ENGINE_PARAMS[0];
/// The warning window when a pack does not declare one.
const DEFAULT_WARN_DAYS: i64 = 30;

/// How one evaluation runs: `EvalOptions::default()`, then the `with_` methods for what
/// differs.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct EvalOptions {
    /// The date rules treat as today; defaults to `organization.as_of` of the facts.
    pub as_of: Option<Date>,
    /// Parameter values that override the pack's defaults.
    pub params: IndexMap<String, serde_json::Value>,
    /// A monotonic clock, which enables each rule's time budget.
    pub clock: Option<Clock>,
    /// Record, for every rule, what it examined and why it decided.
    pub explain: bool,
    /// The audit period rules judge; defaults to `organization.audit_period` of the facts.
    pub period: Option<Period>,
    /// List, for every rule, each record it tested with its outcome (`population.records`).
    pub populations: bool,
    /// With an evidence root: what the host found for each record's relative `uri`.
    pub evidence_files: Option<BTreeMap<String, EvidenceFile>>,
}

impl EvalOptions {
    /// Sets the date rules treat as today (`None`: `organization.as_of` of the facts).
    pub fn with_as_of(mut self, as_of: Option<Date>) -> EvalOptions {
        self.as_of = as_of;
        self
    }

    /// Sets parameter values that override the pack's defaults.
    pub fn with_params(mut self, params: IndexMap<String, serde_json::Value>) -> EvalOptions {
        self.params = params;
        self
    }

    /// Sets the host's monotonic clock, which enables each rule's time budget.
    pub fn with_clock(mut self, clock: Clock) -> EvalOptions {
        self.clock = Some(clock);
        self
    }

    /// Records, for every rule, what it tested and why it decided.
    pub fn with_explain(mut self, explain: bool) -> EvalOptions {
        self.explain = explain;
        self
    }

    /// Sets the audit period rules judge (`None`: `organization.audit_period` of the facts,
    /// if any). With a period and no as-of date, the as-of date is the period's end.
    pub fn with_period(mut self, period: Option<Period>) -> EvalOptions {
        self.period = period;
        self
    }

    /// Lists, for every rule, each record it tested with its outcome (`population.records`
    /// of the report), for auditors to sample from.
    pub fn with_populations(mut self, populations: bool) -> EvalOptions {
        self.populations = populations;
        self
    }

    /// Checks every evidence record with a `sha256` and a relative `uri` against its file:
    /// `files` maps each such `uri` ([`Facts::evidence_files`]) to what the host found: the
    /// SHA-256 (hex) of the file it read, why it could not read it, or that the path leads
    /// out of the root through a link (the host, which reads the files, decides that; the
    /// engine decides for a `uri` whose `..` leaves the root). A missing file, a different
    /// hash or a file outside the root is a failing finding on the record's criterion.
    pub fn with_evidence_files(mut self, files: BTreeMap<String, EvidenceFile>) -> EvalOptions {
        self.evidence_files = Some(files);
        self
    }
}

/// Why an evaluation could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// Neither the options nor the facts give an as-of date (nor an audit period).
    #[error(
        "no as-of date: set organization.as_of (or organization.audit_period) in the facts or pass one (--as-of YYYY-MM-DD)"
    )]
    NoAsOf,
    /// The as-of date falls before the end of the audit period: the period cannot be judged
    /// before it is over.
    #[error(
        "the as-of date {as_of} is before the end of the audit period {period}: a period is judged once it is over (for the period so far, end it at the as-of date: --period {start}..{as_of})"
    )]
    PeriodNotOver {
        /// The as-of date.
        as_of: String,
        /// The period, `START..END`.
        period: String,
        /// Its first day.
        start: String,
    },
    /// The as-of date falls before the audit period even starts: no period that ends at the
    /// as-of date can be suggested.
    #[error(
        "the as-of date {as_of} is before the audit period {period} starts: a period is judged once it is over (give an as-of date of {end} or later, or a period that ends by {as_of})"
    )]
    AsOfBeforePeriod {
        /// The as-of date.
        as_of: String,
        /// The period, `START..END`.
        period: String,
        /// Its last day.
        end: String,
    },
    /// An override names a parameter the pack does not declare.
    #[error("unknown parameter `{name}`: the pack does not declare it{hint}")]
    UnknownParam {
        /// The parameter.
        name: String,
        /// `; did you mean `x`?` when a declared parameter is close, else empty.
        hint: String,
    },
    /// An override has the wrong type.
    #[error("parameter `{name}`: {message}")]
    BadParam {
        /// The parameter.
        name: String,
        /// What was expected.
        message: String,
    },
    /// A sample was asked for with a size of 0: a sample draws at least one record.
    #[error("the sample size must be at least 1, got 0")]
    EmptySample,
}

/// A pack compiled in the sandbox, ready to evaluate facts. `Send + Sync` with the `parallel`
/// feature; without it, Rhai is built single-threaded and the engine is neither.
pub struct Engine {
    rhai: rhai::Engine,
    pack: Pack,
    /// Each rule compiled, shared with the engines built from this one.
    asts: Vec<Arc<AST>>,
    /// For each rule: whether it marks its population with `tested`.
    marks: Vec<bool>,
    /// For each rule: whether it reads the audit period (calls one of [`PERIOD_READERS`]).
    reads_period: Vec<bool>,
    /// For each rule: the rule as a native program, when it compiles to one.
    natives: Vec<Option<Native>>,
    /// Whether rules with a native program run natively (otherwise every rule runs in
    /// Rhai).
    native: bool,
    limits: Limits,
    trace: bool,
    /// The pack's parameters at their defaults: what evaluations without overrides use.
    defaults: Arc<native::Params>,
}

impl Engine {
    /// Compiles every rule and helper module of `pack`; syntax errors are reported for all
    /// rules at once.
    pub fn new(pack: Pack, limits: Limits) -> Result<Engine, PackError> {
        Engine::build(pack, limits, false, None)
    }

    /// Like [`Engine::new`], but the rules `base` has compiled already (same pack name, path
    /// and source, under limits that parse alike) are taken from it instead of compiled
    /// again: for packs that change a few rules of another, such as an overlay on the
    /// built-in pack. The engine is the one [`Engine::new`] would give.
    pub fn new_from(pack: Pack, limits: Limits, base: &Engine) -> Result<Engine, PackError> {
        Engine::build(pack, limits, false, Some(base))
    }

    /// Like [`Engine::new`], but records which lines of each rule run, for
    /// [`evaluate_rule_traced`](Engine::evaluate_rule_traced). Slower: for coverage only.
    #[cfg(feature = "coverage")]
    pub fn with_line_tracing(pack: Pack, limits: Limits) -> Result<Engine, PackError> {
        Engine::build(pack, limits, true, None)
    }

    fn build(
        pack: Pack,
        limits: Limits,
        trace: bool,
        base: Option<&Engine>,
    ) -> Result<Engine, PackError> {
        let mut rhai = sandbox::engine(&limits);
        #[cfg(feature = "coverage")]
        if trace {
            sandbox::trace_lines(&mut rhai);
        }
        let resolver = modules::compile(&rhai, &pack.modules).map_err(PackError)?;
        rhai.set_max_modules(modules::MAX_IMPORTS);
        rhai.set_module_resolver(resolver);
        let scope = compile_scope();
        let mut asts = Vec::with_capacity(pack.rules.len());
        let mut marks = Vec::with_capacity(pack.rules.len());
        let mut reads_period = Vec::with_capacity(pack.rules.len());
        let mut natives = Vec::with_capacity(pack.rules.len());
        let mut diags = Vec::new();
        for rule in &pack.rules {
            if let Some((base, i)) =
                base.and_then(|b| Some((b, reuse::find(b, rule, &limits, trace)?)))
            {
                asts.push(Arc::clone(&base.asts[i]));
                marks.push(base.marks[i]);
                reads_period.push(base.reads_period[i]);
                natives.push(base.natives[i].clone());
                continue;
            }
            match compile(&rhai, &scope, rule) {
                Ok(ast) => {
                    marks.push(calls_any(&ast, &["tested"], false));
                    // A function of a `lib/` module may read it: assumed to.
                    reads_period.push(calls_any(&ast, PERIOD_READERS, true));
                    natives.push(native::compile(&ast, &limits));
                    // Line tracing reports the lines that ran, which a native scan would not
                    // run.
                    asts.push(Arc::new(match trace {
                        true => ast,
                        false => scan::rewrite(&rhai, ast).0,
                    }));
                }
                Err(d) => diags.push(d),
            }
        }
        if !diags.is_empty() {
            return Err(PackError(diags));
        }
        let defaults = Arc::new(native::Params::new(params_of(&pack, &IndexMap::new())));
        Ok(Engine {
            rhai,
            pack,
            asts,
            marks,
            reads_period,
            natives,
            // Line tracing reports the lines that ran: every rule runs in Rhai.
            native: !trace,
            limits,
            trace,
            defaults,
        })
    }

    /// The engine with every rule run by Rhai as written, none natively (native runs:
    /// `docs/writing-rules.md`): the same results, more slowly; for comparing the two.
    pub fn interpreted(mut self) -> Engine {
        self.native = false;
        self
    }

    /// How many of the pack's rules run natively (the others run in Rhai).
    pub fn native_rules(&self) -> usize {
        match self.native {
            true => self.natives.iter().flatten().count(),
            false => 0,
        }
    }

    /// Whether the rule `rule_id` runs natively.
    pub fn runs_natively(&self, rule_id: &str) -> bool {
        self.native
            && self
                .pack
                .rules
                .iter()
                .zip(&self.natives)
                .any(|(r, n)| r.meta.id == rule_id && n.is_some())
    }

    /// The pack this engine evaluates.
    pub fn pack(&self) -> &Pack {
        &self.pack
    }

    /// Evaluates every rule and every control against `facts`.
    pub fn evaluate(&self, facts: &Facts, options: &EvalOptions) -> Result<Report, EvalError> {
        let run = self.run(facts, options)?;
        let as_of = run.as_of;
        let warn_days = run
            .params
            .map
            .get(WARN_WINDOW_PARAM)
            .and_then(|d| d.as_int().ok())
            .unwrap_or(DEFAULT_WARN_DAYS);
        let judge = |i: usize| {
            let rule = &self.pack.rules[i];
            if self.in_scope(rule, facts) {
                self.run_rule(i, &run).0
            } else {
                out_of_scope(rule, options)
            }
        };
        let indices: Vec<usize> = (0..self.pack.rules.len()).collect();
        // The facts' digest, which the report names, is worked out while the rules run. The
        // rules are handed out one at a time, not in halves: a rule's time varies a
        // hundredfold, and a thread left with a half of long rules would end last (10k and 50k
        // people: the rules' part about 4% shorter). The results keep the pack's order.
        #[cfg(feature = "parallel")]
        let (mut rules, _): (Vec<RuleResult>, _) = {
            use rayon::prelude::*;
            rayon::join(
                || indices.into_par_iter().with_max_len(1).map(judge).collect(),
                || facts.digest(),
            )
        };
        #[cfg(not(feature = "parallel"))]
        let mut rules: Vec<RuleResult> = indices.into_iter().map(judge).collect();
        // The rules the facts gave nothing to judge (a collection absent, or all empty).
        // Inserted one by one: collecting into a set would compile in a sort of its own.
        let mut not_given: BTreeSet<&str> = BTreeSet::new();
        for (rule, result) in self.pack.rules.iter().zip(&rules) {
            if absence::not_given(&rule.meta, result, facts) {
                not_given.insert(rule.meta.id.as_str());
            }
        }
        rules.extend(
            self.pack
                .disabled
                .iter()
                .map(|d| disabled_result(d, options)),
        );

        let mut controls = Vec::with_capacity(self.pack.controls.len());
        let mut evidence_checks = Vec::new();
        let mut file_checks = Vec::new();
        let judge = evidence::Judge {
            facts,
            as_of,
            period: run.period,
            warn_days,
            detail: detail(options),
        };
        let files = options.evidence_files.as_ref();
        for control in &self.pack.controls {
            let in_scope = facts.in_scope(control.category.as_str());
            let mapped: Vec<&RuleResult> = rules
                .iter()
                .filter(|r| r.controls.contains(&control.id))
                .collect();
            let (active, disabled): (Vec<&RuleResult>, Vec<&RuleResult>) =
                mapped.into_iter().partition(|r| r.disabled.is_none());
            let mut ids: Vec<String> = active.iter().map(|r| r.id.clone()).collect();
            let mut status = Status::of_control(active.iter().copied(), in_scope);
            // Absence is never compliance: a criterion no rule could judge from the facts is
            // judged by its evidence, like a criterion without rules; so is one that some of
            // its rules could not judge, since the facts gave them nothing (the evidence
            // then stands in for what those rules would have shown).
            let all = active.iter().all(|r| r.status == Status::NotApplicable);
            let unjudged: Vec<&RuleResult> = active
                .iter()
                .copied()
                .filter(|r| all || not_given.contains(r.id.as_str()))
                .collect();
            if in_scope && (all || !unjudged.is_empty()) {
                let why: Vec<(&str, &str)> = unjudged
                    .iter()
                    .map(|r| (r.id.as_str(), r.reason.as_deref().unwrap_or_default()))
                    .collect();
                // As severe as the worst of the rules it stands in for, and at least
                // medium: a gate that leaves out what is below `high` must not let high
                // rules' facts go missing, and missing facts are never a lesser matter.
                let severity = unjudged
                    .iter()
                    .map(|r| r.severity)
                    .fold(Severity::Medium, Ord::min);
                let part = !all;
                let check = evidence::check(control, &judge, &why, part, severity);
                status = status.worst(check.status);
                ids.push(check.id.clone());
                evidence_checks.push(check);
            }
            if let Some(files) = files
                && in_scope
                && let Some(check) = evidence::check_files(control, &judge, files)
            {
                status = status.worst(check.status);
                ids.push(check.id.clone());
                file_checks.push(check);
            }
            ids.extend(disabled.iter().map(|r| r.id.clone()));
            controls.push(ControlResult {
                id: control.id.clone(),
                category: control.category,
                group: control.group.clone(),
                title: control.title.clone(),
                status,
                rules: ids,
                evidence: evidence::list(facts, &control.id, as_of, files),
            });
        }
        rules.extend(evidence_checks);
        rules.extend(file_checks);
        // The lookups the rules built (a group of the accounts by person holds a handle on
        // each account) are freed beside what the caller does next.
        crate::par::drop_aside(run.cache);
        let mut report = Report {
            report_version: REPORT_VERSION.to_owned(),
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
            period: run.period,
            params: settings(&self.pack, &options.params),
            summary: Summary::of(&controls),
            controls,
            rules,
            waivers: Vec::new(),
            warnings: Vec::new(),
        };
        let mut warnings = warning::of_violations(WarningInput::Facts, facts.warnings());
        warnings.extend(warning::of_pack(self.pack.warnings()));
        report.warnings = warnings;
        Ok(report)
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
    /// (empty unless the engine was built with line tracing: `Engine::with_line_tracing`, with
    /// the `coverage` feature).
    pub fn evaluate_rule_traced(
        &self,
        rule_id: &str,
        facts: &Facts,
        options: &EvalOptions,
    ) -> Result<Option<(RuleResult, BTreeSet<u32>)>, EvalError> {
        let run = self.run(facts, options)?;
        Ok(self
            .pack
            .rules
            .iter()
            .position(|r| r.meta.id == rule_id)
            .map(|i| self.run_rule(i, &run)))
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

    /// What every rule of one evaluation is handed: the facts, the audit period (the
    /// options', else the facts'), the as-of date (the options', else the facts', else the
    /// period's end; never before the period's end), the parameters and a fresh lookup
    /// cache.
    fn run<'a>(&self, facts: &'a Facts, options: &'a EvalOptions) -> Result<Run<'a>, EvalError> {
        let period = options.period.or(facts.period());
        let as_of = options
            .as_of
            .or(facts.as_of())
            .or(period.map(|p| p.end()))
            .ok_or(EvalError::NoAsOf)?;
        if let Some(p) = period
            && as_of < p.start()
        {
            return Err(EvalError::AsOfBeforePeriod {
                as_of: as_of.to_string(),
                period: p.to_string(),
                end: p.end().to_string(),
            });
        }
        if let Some(p) = period
            && as_of < p.end()
        {
            return Err(EvalError::PeriodNotOver {
                as_of: as_of.to_string(),
                period: p.to_string(),
                start: p.start().to_string(),
            });
        }
        let params = match options.params.is_empty() {
            true => Arc::clone(&self.defaults),
            false => Arc::new(native::Params::new(self.params(&options.params)?)),
        };
        Ok(Run {
            facts,
            as_of,
            period,
            inputs: native::Inputs::new(facts.root().to_dynamic(), &params),
            params,
            cache: Arc::new(LookupCache::default()),
            options,
        })
    }

    /// The pack's parameters with `overrides` checked against their declarations and
    /// applied, as a Rhai map.
    fn params(&self, overrides: &IndexMap<String, serde_json::Value>) -> Result<Map, EvalError> {
        let declared = &self.pack.manifest.params;
        for (name, value) in overrides {
            let spec = declared.get(name).ok_or_else(|| EvalError::UnknownParam {
                name: name.clone(),
                hint: suggest::did_you_mean(name, declared.keys().map(String::as_str)),
            })?;
            spec.check(value).map_err(|message| EvalError::BadParam {
                name: name.clone(),
                message,
            })?;
        }
        Ok(params_of(&self.pack, overrides))
    }

    /// Runs rule `i` of the pack: natively when it has a native program (and Rhai does not
    /// have to take over), in Rhai otherwise.
    fn run_rule(&self, i: usize, run: &Run<'_>) -> (RuleResult, BTreeSet<u32>) {
        let (rule, ast, marks) = (&self.pack.rules[i], &*self.asts[i], self.marks[i]);
        let (facts, options) = (run.facts, run.options);
        let meta = &rule.meta;
        let mut result = rule_result(&meta.id, &meta.title, meta, options);
        if let Some(reason) = absence::absent(meta, facts) {
            if options.explain {
                let why = format!("not applicable: {reason}");
                result.explanation = Some(explanation(rule, &run.params.map, why));
            }
            result.reason = Some(reason);
            return (result, BTreeSet::new());
        }
        result.judged_at_as_of = run.period.is_some() && !self.reads_period[i];
        let fresh = || {
            let mut state = RuleRun::new(
                Subject::Rule,
                Some(run.as_of),
                run.cache.clone(),
                Budget::new(&self.limits, options.clock.clone()),
            );
            state.period = run.period;
            state.root = Some(facts.root().clone());
            if marks {
                state.population = PopulationSource::Marked;
            }
            if self.trace {
                state.traced = Some((
                    modules::source_name(&rule.pack, &rule.path),
                    BTreeSet::new(),
                ));
            }
            state
        };
        let native = match (self.native, &self.natives[i]) {
            (true, Some(program)) => native::run(&self.rhai, program, &run.inputs, fresh()),
            _ => None,
        };
        let (outcome, mut state) = native.unwrap_or_else(|| {
            let mut scope = Scope::new();
            scope.push_constant("facts", facts.root().to_dynamic());
            scope.push_constant("params", run.params.map.clone());
            context::with_run(fresh(), || self.rhai.run_ast_with_scope(&mut scope, ast))
        });
        let lines = state
            .as_mut()
            .and_then(|r| r.traced.take())
            .map(|(_, lines)| lines)
            .unwrap_or_default();
        let tested = state
            .as_mut()
            .map(|r| std::mem::take(&mut r.tested))
            .unwrap_or_default();
        let exceptions = state
            .as_mut()
            .map(|r| std::mem::take(&mut r.exceptions))
            .unwrap_or_default();
        match (outcome, state) {
            (Ok(()), Some(state)) => {
                result.findings = state
                    .findings
                    .into_iter()
                    .map(|f| self.finding(rule, facts, f))
                    .collect();
                result.population = population::of_records(
                    facts,
                    &meta.collections(),
                    &tested,
                    population::Judged {
                        findings: &result.findings,
                        exceptions: &exceptions,
                    },
                    detail(options),
                );
                result.status = Status::of_findings(&result.findings);
                if result.findings.is_empty() && result.population.tested == 0 {
                    result.status = Status::NotApplicable;
                    result.reason = Some(
                        absence::empty(meta, &result.population)
                            .unwrap_or_else(|| NO_RECORDS.to_owned()),
                    );
                }
            }
            (outcome, _) => {
                // In error: the records it had tested, none of them judged.
                result.population = population::of_records(
                    facts,
                    &meta.collections(),
                    &tested,
                    population::Judged::default(),
                    detail(options),
                );
                result.status = Status::Error;
                result.error = Some(match outcome {
                    Err(e) => rule_error(rule, &e, self.limits.max_message_size),
                    Ok(()) => RuleError {
                        message: "the rule's state was lost".to_owned(),
                        file: rule.path.clone(),
                        line: None,
                        column: None,
                    },
                });
            }
        }
        if options.explain {
            let mut reason = decision(&result);
            if result.judged_at_as_of {
                reason.push_str(
                    "; judged at the as-of date alone: the rule does not read the audit period",
                );
            }
            result.explanation = Some(explanation(rule, &run.params.map, reason));
        }
        (result, lines)
    }

    fn finding(&self, rule: &Rule, facts: &Facts, raw: RawFinding) -> Finding {
        let (source, key) = raw
            .entity
            .as_deref()
            .map_or((None, None), |p| facts.origin_and_key(p));
        Finding {
            status: raw.status,
            source,
            key,
            message: raw.message,
            entity: raw.entity,
            remediation: rule.meta.remediation.clone(),
            owner: rule.meta.owner,
            data: raw.data,
            waiver: None,
        }
    }
}

/// What one evaluation hands every rule it runs.
struct Run<'a> {
    facts: &'a Facts,
    as_of: Date,
    period: Option<Period>,
    params: Arc<native::Params>,
    /// `facts` and `params` as native runs take them.
    inputs: native::Inputs,
    cache: Arc<LookupCache>,
    options: &'a EvalOptions,
}

/// What populations list beyond their counts, as the options ask.
fn detail(options: &EvalOptions) -> population::Detail {
    population::Detail {
        keys: options.explain,
        records: options.populations,
    }
}

/// Why a rule that tested no record and found nothing does not apply.
const NO_RECORDS: &str = "no records in scope";

/// A rule's result before it is judged: `not_applicable`, nothing tested, nothing found (and,
/// when the options list populations, an empty list of records).
fn rule_result(id: &str, title: &str, meta: &RuleMeta, options: &EvalOptions) -> RuleResult {
    RuleResult {
        id: id.to_owned(),
        title: title.to_owned(),
        status: Status::NotApplicable,
        severity: meta.severity,
        owner: meta.owner,
        controls: meta.controls.clone(),
        reason: None,
        disabled: None,
        explanation: None,
        error: None,
        judged_at_as_of: false,
        population: Population {
            records: options.populations.then(Vec::new),
            ..Population::default()
        },
        findings: Vec::new(),
    }
}

/// The prelude's functions that read the audit period: a rule that calls none of them judges
/// the facts at the as-of date alone, also in a Type 2 evaluation.
const PERIOD_READERS: &[&str] = &[
    "has_period",
    "in_period",
    "period_start",
    "period_end",
    "period_gaps",
    "period_lapses",
];

/// Whether a rule's source (functions included) calls one of `names`, in an expression
/// (`for a in tested(list)`) or as a statement of its own (`tested(a);`, which Rhai parses as
/// a statement, not an expression): whether it marks its population (`tested`), whether it
/// reads the audit period ([`PERIOD_READERS`]). With `modules`, a call of a module's function
/// (`text::f()`) counts too.
fn calls_any(ast: &AST, names: &[&str], modules: bool) -> bool {
    let mut found = false;
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        let call = match path.last() {
            Some(rhai::ASTNode::Expr(
                rhai::Expr::FnCall(call, _) | rhai::Expr::MethodCall(call, _),
            ))
            | Some(rhai::ASTNode::Stmt(rhai::Stmt::FnCall(call, _))) => Some(call),
            _ => None,
        };
        if call.is_some_and(|call| {
            names.contains(&call.name.as_str()) || (modules && call.is_qualified())
        }) {
            found = true;
        }
        !found
    });
    found
}

impl Engine {
    /// Whether `rule` is run: at least one of its criteria is of a category in the scope of
    /// `facts` (a rule all of whose criteria are out of scope is not run, and tests nothing).
    fn in_scope(&self, rule: &Rule, facts: &Facts) -> bool {
        rule.meta.controls.iter().any(|control| {
            self.pack
                .controls
                .iter()
                .find(|c| c.id == *control)
                .is_some_and(|c| facts.in_scope(c.category.as_str()))
        })
    }
}

/// A rule all of whose criteria are out of scope: not run.
fn out_of_scope(rule: &Rule, options: &EvalOptions) -> RuleResult {
    let mut result = rule_result(&rule.meta.id, &rule.meta.title, &rule.meta, options);
    let reason = "its criteria are out of scope".to_owned();
    result.explanation = options.explain.then(|| Explanation {
        params: IndexMap::new(),
        reason: format!("not applicable: {reason}"),
    });
    result.reason = Some(reason);
    result
}

/// The scope rules compile in: `facts` and `params` are given when they run.
fn compile_scope() -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push_constant("facts", ());
    scope.push_constant("params", ());
    scope
}

/// Compiles one rule in the sandbox, or says where its syntax is wrong.
fn compile(rhai: &rhai::Engine, scope: &Scope<'_>, rule: &Rule) -> Result<AST, Diagnostic> {
    match rhai.compile_with_scope(scope, &rule.source) {
        Ok(mut ast) => {
            ast.set_source(modules::source_name(&rule.pack, &rule.path));
            Ok(ast)
        }
        Err(e) => {
            let pos = e.position();
            let d = Diagnostic::new(
                DiagnosticCode::SyntaxError,
                &rule.path,
                format!("syntax error: {}", e.err_type()),
            );
            Err(match (pos.line(), pos.position()) {
                (Some(line), Some(col)) => d.at(to_u32(line), to_u32(col)),
                _ => d,
            })
        }
    }
}

impl Engine {
    /// Every diagnostic for a pack (extending `base`, if given): its files against the pack
    /// schema, rule metadata, parameters, helper modules and the syntax of its own rules;
    /// errors and warnings alike. Nothing is evaluated.
    pub fn check(files: &[PackFile], base: Option<&Pack>) -> Vec<Diagnostic> {
        let (pack, mut diags) = crate::pack::load(files, base.cloned(), None);
        if let Some(pack) = pack {
            let limits = Limits::default();
            let rhai = sandbox::engine(&limits);
            diags.extend(modules::check(
                &rhai,
                &pack.modules,
                &Budget::new(&limits, None),
            ));
            let scope = compile_scope();
            for rule in pack.rules.iter().filter(|r| r.pack == pack.manifest.name) {
                match compile(&rhai, &scope, rule) {
                    Ok(ast) => diags.extend(modules::unresolved_imports(rule, &ast, &pack.modules)),
                    Err(d) => diags.push(d),
                }
            }
        }
        diags
    }

    /// The names of the helpers the prelude gives rules (sorted, each once), read from the
    /// sandbox so the list cannot drift from what is registered.
    pub fn prelude_functions() -> Vec<String> {
        sandbox::function_names()
    }
}

/// A disabled rule as it appears under its controls.
fn disabled_result(d: &DisabledRule, options: &EvalOptions) -> RuleResult {
    let mut result = rule_result(&d.meta.id, &d.meta.title, &d.meta, options);
    result.disabled = Some(d.reason.clone());
    result.explanation = options.explain.then(|| Explanation {
        params: IndexMap::new(),
        reason: format!("disabled by the pack: {}", d.reason),
    });
    result
}

/// The parameters `pack` declares, each with its value in `overrides` (checked already) or
/// its default, as a Rhai map.
fn params_of(pack: &Pack, overrides: &IndexMap<String, serde_json::Value>) -> Map {
    // Inserted one by one: collecting into a map would compile in a sort of its own.
    let mut params = Map::new();
    for (name, spec) in &pack.manifest.params {
        let value = overrides.get(name).unwrap_or(&spec.default);
        params.insert(name.as_str().into(), json_to_dynamic(value));
    }
    params
}

/// The parameters `overrides` sets, each with the pack's default, in the pack's order: what a
/// report or a sample records of them.
fn settings(pack: &Pack, overrides: &IndexMap<String, serde_json::Value>) -> Params {
    let mut settings = Params::new();
    for (name, spec) in &pack.manifest.params {
        if let Some(value) = overrides.get(name) {
            let setting = crate::json::object(&mut [
                ("value", value.clone()),
                ("default", spec.default.clone()),
            ]);
            settings.insert(name.clone(), setting);
        }
    }
    settings
}

/// What a rule saw, with the values of the parameters it reads.
fn explanation(rule: &Rule, params: &Map, reason: String) -> Explanation {
    Explanation {
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

/// The decision in a sentence: what the rule tested (`tested 3 of 47 accounts`) and what
/// it concluded.
fn decision(result: &RuleResult) -> String {
    let looked = result.population.describe();
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
        Status::NotApplicable => format!(
            "not applicable: {looked} ({})",
            result.reason.as_deref().unwrap_or(NO_RECORDS)
        ),
        Status::Waived => format!("waived: {looked}"),
    }
}

/// A rule's runtime error: the innermost message (at most `max` bytes of it) and its position
/// in the file it happened in (the rule's, or that of a helper module whose function it
/// called).
fn rule_error(rule: &Rule, err: &rhai::EvalAltResult, max: usize) -> RuleError {
    let (message, pos) = sandbox::describe(err, max);
    RuleError {
        message,
        file: sandbox::origin(err, &rule.pack)
            .unwrap_or(&rule.path)
            .to_owned(),
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
        Value::Object(o) => {
            // Inserted one by one: collecting into a map would compile in a sort of its own.
            let mut map = rhai::Map::new();
            for (k, v) in o {
                map.insert(k.as_str().into(), json_to_dynamic(v));
            }
            Dynamic::from_map(map)
        }
    }
}
