//! The JSON API behind the module's exports: a request is JSON text, the response is JSON
//! text, and every failure is a response (`{"ok": false, "error": {...}}`), never a panic.
//!
//! These functions are plain Rust: the ABI in `abi.rs` only moves bytes in and out of
//! linear memory and calls them, and native hosts and tests can call them directly.

use crate::request::{self, Text};
use attest_engine::cases;
use attest_engine::report::todo::TodoList;
use attest_engine::report::vendors::ReviewCadence;
use attest_engine::{
    Date, Engine, EvalError, EvalOptions, Facts, FactsError, FactsSource, JsonSyntax, Limits,
    Owner, Pack, PackError, PackFile, Period, Report, Violation, WaiverError, Waivers, diff::Diff,
};
use attest_render::{self as render, Context, SarifOptions, TextOptions, object, to_json};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The name of the built-in pack, as `attest` shows it.
const BUILTIN: &str = "soc2";

/// The version of the request and response formats and of the exported functions.
pub const ABI_VERSION: u32 = 3;

/// One facts file of a request: the name diagnostics and findings show, and its text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    name: String,
    text: Text,
}

/// One pack file of a request: its path within the pack and its text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    path: String,
    text: Text,
}

/// Sandbox limits a request sets for its rules; the others keep their defaults.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsIn {
    /// Operations per rule (0: no limit).
    max_operations: Option<u64>,
    /// Memory per rule, in MiB (0: no limit).
    max_memory_mib: Option<u64>,
    /// Findings per rule (0: no limit).
    max_findings: Option<u64>,
}

impl LimitsIn {
    fn limits(self) -> Limits {
        let default = Limits::default();
        Limits {
            max_operations: self.max_operations.unwrap_or(default.max_operations),
            max_memory: self
                .max_memory_mib
                .map_or(default.max_memory, |mib| mib.saturating_mul(1 << 20)),
            max_findings: self.max_findings.unwrap_or(default.max_findings),
            ..default
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluateRequest {
    facts: Vec<Source>,
    #[serde(default)]
    pack: Option<Vec<FileIn>>,
    #[serde(default)]
    overlay: Vec<FileIn>,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    params: IndexMap<String, Value>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    explain: bool,
    #[serde(default)]
    limits: Option<LimitsIn>,
    #[serde(default)]
    waivers: Option<Source>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    redact: bool,
    #[serde(default)]
    sarif_max_results: Option<usize>,
    #[serde(default)]
    populations: bool,
    #[serde(default)]
    sample: Option<SampleRequest>,
    #[serde(default)]
    todo: Option<TodoRequest>,
}

/// What `todo` asks for: one owner's items (default: every owner's) in a format of `attest
/// todo` (default: json).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TodoRequest {
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffRequest {
    base: Source,
    new: Source,
    #[serde(default)]
    format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackRequest {
    #[serde(default)]
    pack: Option<Vec<FileIn>>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    filter: Vec<String>,
}

/// What `sample` asks for: a rule, the seed, and the size (default: the pack's).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SampleRequest {
    rule: String,
    seed: u64,
    #[serde(default)]
    size: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidateRequest {
    facts: Vec<Source>,
    #[serde(default)]
    pack: Option<Vec<FileIn>>,
    #[serde(default)]
    overlay: Vec<FileIn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainRequest {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    pack: Option<Vec<FileIn>>,
    #[serde(default)]
    overlay: Vec<FileIn>,
}

/// A failure, as it crosses the ABI: `{"ok": false, "error": {"kind", "message", ...}}`.
#[derive(Debug, Serialize)]
struct Failure {
    /// `request`, `facts_syntax`, `facts_not_object`, `facts_conflict`, `facts_invalid`,
    /// `pack`, `options`, `not_found` or `rule_error`.
    kind: &'static str,
    /// The message the `attest` command prints for the same failure.
    message: String,
    /// Extra fields (file, line, column, violations, diagnostics), flattened in.
    #[serde(flatten)]
    detail: serde_json::Map<String, Value>,
}

impl Failure {
    fn new(kind: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            detail: serde_json::Map::new(),
        }
    }

    fn with(mut self, key: &str, value: Value) -> Failure {
        self.detail.insert(key.to_owned(), value);
        self
    }

    fn into_response(self) -> String {
        let body = serde_json::to_string(&self).unwrap_or_else(|_| {
            r#"{"kind":"internal","message":"the error could not be serialized"}"#.to_owned()
        });
        format!(r#"{{"ok":false,"error":{body}}}"#)
    }
}

impl From<FactsError> for Failure {
    fn from(e: FactsError) -> Failure {
        let message = e.to_string();
        match e {
            FactsError::Syntax(JsonSyntax {
                file, line, column, ..
            }) => Failure::new("facts_syntax", message)
                .with("file", Value::from(file))
                .with("line", Value::from(line))
                .with("column", Value::from(column)),
            FactsError::NotAnObject { file } => {
                Failure::new("facts_not_object", message).with("file", Value::from(file))
            }
            FactsError::Conflict { key, first, second } => Failure::new("facts_conflict", message)
                .with("key", Value::from(key))
                .with("files", Value::from(vec![first, second])),
            FactsError::Invalid(violations) => Failure::new("facts_invalid", message).with(
                "violations",
                serde_json::to_value(violations).unwrap_or_default(),
            ),
            // A kind of facts error this module does not know yet: its message says it all.
            _ => Failure::new("facts", message),
        }
    }
}

impl From<PackError> for Failure {
    fn from(e: PackError) -> Failure {
        let message = e.to_string();
        Failure::new("pack", message)
            .with("diagnostics", serde_json::to_value(e.0).unwrap_or_default())
    }
}

impl From<WaiverError> for Failure {
    fn from(e: WaiverError) -> Failure {
        let message = e.to_string();
        match e {
            WaiverError::Syntax(JsonSyntax {
                file, line, column, ..
            }) => Failure::new("waivers_syntax", message)
                .with("file", Value::from(file))
                .with("line", Value::from(line))
                .with("column", Value::from(column)),
            WaiverError::Invalid { file, problems } => Failure::new("waivers_invalid", message)
                .with("file", Value::from(file))
                .with(
                    "violations",
                    serde_json::to_value(problems).unwrap_or_default(),
                ),
            _ => Failure::new("waivers", message),
        }
    }
}

impl From<EvalError> for Failure {
    fn from(e: EvalError) -> Failure {
        Failure::new("options", e.to_string())
    }
}

type Outcome = Result<String, Failure>;

fn respond(outcome: Outcome) -> String {
    outcome.unwrap_or_else(Failure::into_response)
}

/// The response to a request the module could not read at all (the ABI's checks of
/// addresses): a `request` failure with `message`.
pub fn request_error(message: &str) -> String {
    Failure::new("request", message).into_response()
}

/// Parses a request (see [`request::parse`]), each failure a `request` error.
fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    request::parse(bytes).map_err(|message| Failure::new("request", message))
}

/// The built-in SOC 2 pack's files.
pub fn builtin_files() -> Vec<PackFile> {
    attest_rules::soc2_without_cases()
        .map(|(path, text)| PackFile::new(path, text))
        .collect()
}

/// Compiles the built-in pack.
fn compile_builtin() -> Result<Engine, PackError> {
    Engine::new(Pack::from_files(&builtin_files())?, Limits::default())
}

/// The built-in pack, compiled once per process.
#[cfg(feature = "parallel")]
fn builtin_engine() -> Result<&'static Engine, Failure> {
    static ENGINE: std::sync::OnceLock<Result<Engine, PackError>> = std::sync::OnceLock::new();
    ENGINE
        .get_or_init(compile_builtin)
        .as_ref()
        .map_err(|e| Failure::from(e.clone()))
}

/// The built-in pack, compiled once per thread (once per instance in the module, which has one
/// thread): without `parallel` the engine is not `Sync` (Rhai is built single-threaded), so it
/// lives in a thread-local.
#[cfg(not(feature = "parallel"))]
fn builtin_engine() -> Result<&'static Engine, Failure> {
    thread_local! {
        static ENGINE: &'static Result<Engine, PackError> = Box::leak(Box::new(compile_builtin()));
    }
    ENGINE
        .with(|engine| *engine)
        .as_ref()
        .map_err(|e| Failure::from(e.clone()))
}

/// The engine a request names: the cached built-in one, or one compiled for this call.
enum Chosen {
    Builtin(&'static Engine),
    Custom(Box<Engine>),
}

impl Chosen {
    fn engine(&self) -> &Engine {
        match self {
            Chosen::Builtin(e) => e,
            Chosen::Custom(e) => e,
        }
    }
}

/// The built-in SOC 2 pack unless `pack` is given, with the files of `overlay` added or
/// replaced by path, under the default limits or those of `limits`.
fn choose(
    pack: Option<Vec<FileIn>>,
    overlay: Vec<FileIn>,
    limits: Option<LimitsIn>,
) -> Result<Chosen, Failure> {
    if pack.is_none() && overlay.is_empty() && limits.is_none() {
        return builtin_engine().map(Chosen::Builtin);
    }
    let (pack, builtin) = pack_of(pack, overlay)?;
    let limits = limits.unwrap_or_default().limits();
    Ok(Chosen::Custom(Box::new(compile(pack, limits, builtin)?)))
}

/// Compiles `pack`; when it is built on the built-in pack (`builtin`: an overlay, or a pack
/// that extends it), the rules it leaves as they are come compiled from the built-in engine.
fn compile(pack: Pack, limits: Limits, builtin: bool) -> Result<Engine, Failure> {
    Ok(match builtin {
        true => Engine::new_from(pack, limits, builtin_engine()?)?,
        false => Engine::new(pack, limits)?,
    })
}

/// The pack of `pack` (the built-in pack's files when absent) with `overlay` applied;
/// `None` when neither is given (the built-in pack as it is).
fn custom_pack(pack: Option<Vec<FileIn>>, overlay: Vec<FileIn>) -> Result<Option<Pack>, Failure> {
    if pack.is_none() && overlay.is_empty() {
        return Ok(None);
    }
    pack_of(pack, overlay).map(|(pack, _)| Some(pack))
}

/// The pack of `pack` (the built-in pack's files when absent; the built-in pack its base when
/// it extends `soc2`) with `overlay` applied, and whether it is built on the built-in pack.
fn pack_of(pack: Option<Vec<FileIn>>, overlay: Vec<FileIn>) -> Result<(Pack, bool), Failure> {
    let (mut files, builtin) = files_of(pack)?;
    for f in overlay {
        let f = pack_file(f)?;
        match files.iter_mut().find(|g| g.path == f.path) {
            Some(existing) => existing.text = f.text,
            None => files.push(f),
        }
    }
    let base = base_of(&files)?;
    let on_builtin = builtin || base.is_some();
    Ok((load(&files, base, on_builtin)?, on_builtin))
}

/// Loads a pack's files (extending `base`, if given); one built on the built-in pack
/// (`builtin`) takes what linting worked out for the rules it leaves as they are from the
/// built-in pack.
fn load(files: &[PackFile], base: Option<Pack>, builtin: bool) -> Result<Pack, Failure> {
    Ok(match builtin {
        true => builtin_engine()?.pack().reload(files, base)?,
        false => Pack::from_files_extending(files, base)?,
    })
}

/// Loads facts meant for `pack` as `attest eval` does: against facts-v1 with the
/// collections and fields of its extensions (`facts.schema.json`) when it has some, and
/// their evidence records against its criteria.
fn load_facts(sources: &[Source], pack: &Pack) -> Result<Facts, Failure> {
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|s| FactsSource {
            name: &s.name,
            text: &s.text,
        })
        .collect();
    Ok(Facts::load_with(&refs, &pack.load_options(false))?)
}

/// Evaluates facts against a pack.
///
/// Request: `{"facts": [{"name", "text"}, ...], "pack"?: [{"path", "text"}, ...],
/// "overlay"?: [{"path", "text"}, ...], "as_of"?: "YYYY-MM-DD", "period"?:
/// "START..END", "params"?: {...}, "rule"?: "rule id", "explain"?: true,
/// "populations"?: true, "sample"?: {"rule", "seed", "size"?}, "limits"?:
/// {"max_operations"?, "max_memory_mib"?, "max_findings"?}}` (`explain` records, for every
/// rule, what it examined and why it decided, as `attest eval --explain` does; `populations`
/// lists each record every rule tested, with its outcome, in `population.records`; `limits`
/// changes the sandbox's limits, as `attest eval --max-operations`, `--max-memory` and
/// `--max-findings` do).
///
/// Response: `{"ok":true,"report":REPORT,"warnings":[...]}` where `REPORT` is, byte for
/// byte, [`Report::to_json`](attest_engine::Report::to_json) (what `attest eval --format
/// json` writes); with `rule`, `{"ok":true,"rule":RESULT,"warnings":[...]}`, that one
/// rule's result as compact JSON; with `sample`, `{"ok":true,"sample":SAMPLE,
/// "warnings":[...]}`, where `SAMPLE` is, byte for byte, what `attest sample --format
/// json` writes for the same rule, seed and size; with `todo` (`{"owner"?: NAME, "format"?:
/// "text" | "markdown" | "json" | "csv"}`), `{"ok":true,"format","output","failures":BOOL,
/// "warnings":[...]}`, where `output` is, byte for byte, what `attest todo --owner NAME
/// --format FORMAT` writes (default json: todo-v1) and `failures` whether an item listed is a
/// failure no waiver covers (its exit code 1). `warnings` are the fields facts-v1 does not
/// define and the evidence records naming a criterion the pack does not have, then the
/// references naming a record the facts lack ([`Facts::warnings`]: `{"file", "line",
/// "column", "pointer", "message"}`, `column` null, in document order), then those of the waivers file ([`Waivers::warnings`]), as `attest
/// eval` prints them: the report's `warnings` of the facts and the waivers, without their
/// `input`. The pack's warnings are in the report alone (and `check`). Or a failure.
pub fn evaluate(request: &[u8]) -> String {
    respond(try_evaluate(request))
}

fn try_evaluate(request: &[u8]) -> Outcome {
    let mut req: EvaluateRequest = parse(request)?;
    let strays = stray_files(req.pack.as_deref(), &req.overlay);
    let chosen = choose(req.pack, req.overlay, req.limits)?;
    let engine = chosen.engine();
    let facts = load_facts(&req.facts, engine.pack())?;
    let as_of = match req.as_of.as_deref() {
        None => None,
        Some(text) => Some(Date::parse(text).ok_or_else(|| {
            Failure::new(
                "options",
                format!("`{text}` is not a date in the form YYYY-MM-DD"),
            )
        })?),
    };
    let waivers = req
        .waivers
        .take()
        .map(|w| Waivers::parse(&w.name, &w.text))
        .transpose()?;
    // Once read, the facts' and waivers' texts are let go before the rules run: a large
    // organization's text is tens of megabytes.
    req.facts = Vec::new();
    let period = match req.period.as_deref() {
        None => None,
        Some(text) => {
            Some(Period::parse(text).map_err(|e| Failure::new("options", e.to_string()))?)
        }
    };
    let cadence = ReviewCadence::of_pack(engine.pack(), &req.params);
    let options = EvalOptions::default()
        .with_as_of(as_of)
        .with_period(period)
        .with_params(req.params)
        .with_explain(req.explain)
        .with_populations(req.populations);
    let alone = req.rule.is_none() && req.sample.is_none() && req.format.is_none() && !req.redact;
    if req.todo.is_some() && !alone {
        return Err(Failure::new(
            "request",
            "give `todo` without `rule`, `sample`, `format` or `redact` (the to-do list has its own `format`)",
        ));
    }
    if let Some(sample) = req.sample {
        if req.rule.is_some() {
            return Err(Failure::new(
                "request",
                "give `rule` or `sample`, not both (`sample` names its own rule)",
            ));
        }
        let (drawn, result) = engine
            .sample(&sample.rule, &facts, &options, sample.size, sample.seed)?
            .ok_or_else(|| {
                Failure::new(
                    "not_found",
                    format!("no rule `{}` in the pack", sample.rule),
                )
            })?;
        if let Some(e) = result.error {
            return Err(Failure::new(
                "rule_error",
                format!(
                    "{}: the rule could not judge its population, so there is nothing to sample from: {}",
                    sample.rule, e.message
                ),
            ));
        }
        return Ok(format!(
            r#"{{"ok":true,"sample":{},"warnings":{}}}"#,
            drawn.to_json(),
            warnings(&facts, waivers.as_ref(), &strays)?
        ));
    }
    let rendered = req.format.is_some() || req.redact;
    match req.rule {
        None => {
            let mut report = engine.evaluate(&facts, &options)?;
            if let Some(w) = &waivers {
                w.apply(&mut report);
            }
            if let Some(todo) = &req.todo {
                let (format, output, failures) = render_todo(todo, &report)?;
                return Ok(format!(
                    r#"{{"ok":true,"format":{},"output":{},"failures":{failures},"warnings":{}}}"#,
                    Value::from(format),
                    Value::from(output),
                    warnings(&facts, waivers.as_ref(), &strays)?
                ));
            }
            if !rendered {
                return Ok(format!(
                    r#"{{"ok":true,"report":{},"warnings":{}}}"#,
                    report.to_json(),
                    warnings(&facts, waivers.as_ref(), &strays)?
                ));
            }
            let format = req.format.as_deref().unwrap_or("json");
            let context = Context::from_facts(&facts).with_review_cadence(cadence);
            let output =
                render_report(format, &report, &context, req.redact, req.sarif_max_results)?;
            Ok(format!(
                r#"{{"ok":true,"format":{},"output":{},"warnings":{}}}"#,
                Value::from(format),
                Value::from(output),
                warnings(&facts, waivers.as_ref(), &strays)?
            ))
        }
        Some(id) => {
            let result = engine
                .evaluate_rule(&id, &facts, &options)?
                .ok_or_else(|| Failure::new("not_found", format!("no rule `{id}` in the pack")))?;
            let body = serde_json::to_string(&result)
                .map_err(|e| Failure::new("internal", e.to_string()))?;
            Ok(format!(
                r#"{{"ok":true,"rule":{body},"warnings":{}}}"#,
                warnings(&facts, waivers.as_ref(), &strays)?
            ))
        }
    }
}

/// The report in one of `attest eval`'s formats, as it writes them to a file (no colour;
/// text shows 10 findings per rule); with `redact`, the public view (text, json, markdown or
/// html).
fn render_report(
    format: &str,
    report: &Report,
    context: &Context,
    redact: bool,
    sarif_max_results: Option<usize>,
) -> Result<String, Failure> {
    if redact {
        let public = render::redact(report, context);
        return match format {
            "text" => Ok(render::public_text(&public)),
            "json" => Ok(public.to_json()),
            "markdown" => Ok(render::public_markdown(&public)),
            "html" => Ok(render::public_html(&public)),
            other => Err(Failure::new(
                "options",
                format!(
                    "redact: the {other} format lists findings record by record; the public view is written as text, json, markdown or html"
                ),
            )),
        };
    }
    Ok(match format {
        "text" => render::text(
            report,
            &TextOptions {
                color: false,
                max_findings: 10,
            },
        ),
        "json" => report.to_json(),
        "sarif" => {
            let mut options = SarifOptions::default();
            if let Some(n) = sarif_max_results {
                options.max_results = n;
            }
            render::sarif_with(report, context, &options).text
        }
        "junit" => render::junit(report),
        "markdown" => render::markdown(report),
        "html" => render::html(report, context),
        "csv" => render::csv(report),
        other => {
            return Err(Failure::new(
                "options",
                format!(
                    "unknown format `{other}`: expected text, json, sarif, junit, markdown, html or csv"
                ),
            ));
        }
    })
}

/// The to-do list of `report` as `attest todo` writes it: its format, its text, and whether
/// it lists a failure no waiver covers.
fn render_todo(req: &TodoRequest, report: &Report) -> Result<(String, String, bool), Failure> {
    let mut todo = TodoList::new(report);
    if let Some(name) = &req.owner {
        let owner = Owner::from_name(name).ok_or_else(|| {
            Failure::new(
                "options",
                format!("unknown owner `{name}`: expected one of {}", Owner::names()),
            )
        })?;
        todo = todo.for_owner(owner);
    }
    let format = req.format.as_deref().unwrap_or("json");
    let output = match format {
        "text" => render::todo_text(&todo),
        "markdown" => render::todo_markdown(&todo),
        "json" => todo.to_json(),
        "csv" => render::todo_csv(&todo),
        other => {
            return Err(Failure::new(
                "options",
                format!("unknown to-do format `{other}`: expected text, markdown, json or csv"),
            ));
        }
    };
    Ok((format.to_owned(), output, todo.has_failures()))
}

/// The facts' warnings, then the waivers', as a compact JSON array: the report's `warnings`
/// of the facts and the waivers (`engine/src/report/warning.rs`), as violations (without
/// `input`), and those of a result without a report (one rule's, a sample).
fn warnings(
    facts: &Facts,
    waivers: Option<&Waivers>,
    pack: &[Violation],
) -> Result<String, Failure> {
    let waivers = waivers.map(Waivers::warnings).unwrap_or_default();
    let all: Vec<_> = facts.warnings().iter().chain(waivers).chain(pack).collect();
    serde_json::to_string(&all).map_err(|e| Failure::new("internal", e.to_string()))
}

/// Checks facts against the facts-v1 contract without evaluating them.
///
/// Request: `{"facts": [{"name", "text"}, ...], "pack"?: [...], "overlay"?: [...]}` (a pack
/// as `evaluate` takes it, whose `facts.schema.json` adds collections and fields to
/// facts-v1, and whose criteria the evidence records may name: the built-in pack's without
/// one). Response: `{"ok":true,"facts":
/// {"files", "organization", "as_of", "digest"},"warnings":[...]}` (the warnings
/// `evaluate` gives) or the same failure `evaluate` gives for these facts.
pub fn validate(request: &[u8]) -> String {
    respond(try_validate(request))
}

fn try_validate(request: &[u8]) -> Outcome {
    let req: ValidateRequest = parse(request)?;
    let strays = stray_files(req.pack.as_deref(), &req.overlay);
    let pack = custom_pack(req.pack, req.overlay)?;
    let facts = match &pack {
        Some(pack) => load_facts(&req.facts, pack)?,
        None => load_facts(&req.facts, builtin_engine()?.pack())?,
    };
    let summary = object(&mut [
        ("files", req.facts.len().into()),
        ("organization", facts.organization().into()),
        ("as_of", facts.as_of().map(|d| d.to_string()).into()),
        ("digest", facts.digest().into()),
    ]);
    let body = object(&mut [
        ("ok", true.into()),
        ("facts", summary),
        (
            "warnings",
            to_json(&facts.warnings().iter().chain(&strays).collect::<Vec<_>>()),
        ),
    ]);
    Ok(body.to_string())
}

/// Describes a pack, a rule or a control.
///
/// Request: `{"id"?: "rule id or control id", "pack"?: [...], "overlay"?: [...]}`.
/// Without `id`: `{"ok":true,"kind":"pack","pack":{...},"controls":[...],"rules":[...]}`.
/// With a rule id: `{"ok":true,"kind":"rule","rule":{metadata, "path", "source",
/// "controls": [{"id","title"}]}}`. With a control id: `{"ok":true,"kind":"control",
/// "control":{...},"rules":[{"id","title","severity","owner"}]}`. Or a `not_found` failure.
pub fn explain(request: &[u8]) -> String {
    respond(try_explain(request))
}

fn try_explain(request: &[u8]) -> Outcome {
    let req: ExplainRequest = parse(request)?;
    let chosen = choose(req.pack, req.overlay, None)?;
    let pack = chosen.engine().pack();
    let rule_brief = |r: &attest_engine::pack::Rule| {
        object(&mut [
            ("id", r.meta.id.as_str().into()),
            ("title", r.meta.title.as_str().into()),
            ("path", r.path.as_str().into()),
            ("controls", to_json(&r.meta.controls)),
            ("severity", to_json(&r.meta.severity)),
            ("owner", to_json(&r.meta.owner)),
        ])
    };
    let body = match req.id.as_deref() {
        None => {
            let manifest = pack.manifest();
            let about = object(&mut [
                ("name", manifest.name.as_str().into()),
                ("version", manifest.version.as_str().into()),
                ("framework", to_json(&manifest.framework)),
                ("description", to_json(&manifest.description)),
                ("params", to_json(&manifest.params)),
                ("digest", pack.digest().into()),
            ]);
            let rules: Vec<Value> = pack.rules().iter().map(rule_brief).collect();
            object(&mut [
                ("ok", true.into()),
                ("kind", "pack".into()),
                ("pack", about),
                ("controls", to_json(pack.controls())),
                ("rules", rules.into()),
            ])
        }
        Some(id) => {
            if let Some(rule) = pack.rule(id) {
                let mut detail = serde_json::to_value(&rule.meta)
                    .map_err(|e| Failure::new("internal", e.to_string()))?;
                if let Value::Object(map) = &mut detail {
                    map.insert("path".to_owned(), rule.path.as_str().into());
                    map.insert("source".to_owned(), to_json(&rule.source));
                    let controls: Vec<Value> = rule
                        .meta
                        .controls
                        .iter()
                        .map(|c| {
                            let title = pack.control(c).map(|k| k.title.as_str());
                            object(&mut [("id", c.as_str().into()), ("title", title.into())])
                        })
                        .collect();
                    map.insert("controls".to_owned(), Value::Array(controls));
                }
                object(&mut [
                    ("ok", true.into()),
                    ("kind", "rule".into()),
                    ("rule", detail),
                ])
            } else if let Some(control) = pack.control(id) {
                let rules: Vec<Value> = pack
                    .rules()
                    .iter()
                    .filter(|r| r.meta.controls.iter().any(|c| c == id))
                    .map(rule_brief)
                    .collect();
                object(&mut [
                    ("ok", true.into()),
                    ("kind", "control".into()),
                    ("control", to_json(control)),
                    ("rules", rules.into()),
                ])
            } else {
                return Err(Failure::new(
                    "not_found",
                    format!("no rule or control `{id}` in the pack"),
                ));
            }
        }
    };
    Ok(body.to_string())
}

/// Reads a report written by `attest eval --format json` (`name` for messages).
fn read_report(source: &Source) -> Result<Report, Failure> {
    attest_engine::report::read(&source.name, &source.text)
        .map_err(|e| Failure::new("report", e.to_string()))
}

/// Compares two reports, as `attest diff BASE NEW` does.
///
/// Request: `{"base": {"name", "text"}, "new": {"name", "text"}, "format"?: "text" | "json" |
/// "markdown"}` (the texts are reports from `attest eval --format json`). Response:
/// `{"ok":true,"format","output","new_failures":N}`, `output` byte for byte what `attest
/// diff --format F --output FILE` writes (default `json`); or a `report` failure.
pub fn diff(request: &[u8]) -> String {
    respond(try_diff(request))
}

fn try_diff(request: &[u8]) -> Outcome {
    let req: DiffRequest = parse(request)?;
    let (base, new) = (read_report(&req.base)?, read_report(&req.new)?);
    let diff = Diff::new(&base, &new);
    let format = req.format.as_deref().unwrap_or("json");
    let output = match format {
        "text" => render::diff_text(
            &diff,
            &TextOptions {
                color: false,
                max_findings: 0,
            },
        ),
        "json" => diff.to_json(),
        "markdown" => render::diff_markdown(&diff),
        other => {
            return Err(Failure::new(
                "options",
                format!("unknown diff format `{other}`: expected text, json or markdown"),
            ));
        }
    };
    let body = object(&mut [
        ("ok", true.into()),
        ("format", format.into()),
        ("output", output.into()),
        ("new_failures", diff.new_failures.len().into()),
    ]);
    Ok(body.to_string())
}

/// The pack a `check` or `test` request gives, and what it extends: the built-in pack as the
/// base of a pack whose manifest says `extends = "soc2"` (the module reads no folders, so no
/// other base can be resolved). A request that gives no pack is refused: the module carries
/// the built-in pack without its rules' cases, which checking and testing it read.
fn pack_files(pack: Option<Vec<FileIn>>) -> Result<(Vec<PackFile>, Option<Pack>), Failure> {
    let Some(files) = pack else {
        return Err(Failure::new(
            "options",
            format!(
                "no pack: the module carries the built-in pack {BUILTIN} without its rules' cases (`*.cases.json`), which checking and testing it read; give the pack's files as `pack` (Attest's `rules/{BUILTIN}/`, cases included), or run `attest check` or `attest test` natively"
            ),
        ));
    };
    let files = files
        .into_iter()
        .map(pack_file)
        .collect::<Result<Vec<_>, _>>()?;
    let base = base_of(&files)?;
    Ok((files, base))
}

/// A request's pack files (the built-in pack's when it gives none), and whether they are the
/// built-in pack's.
fn files_of(pack: Option<Vec<FileIn>>) -> Result<(Vec<PackFile>, bool), Failure> {
    Ok(match pack {
        Some(files) => (
            files.into_iter().map(pack_file).collect::<Result<_, _>>()?,
            false,
        ),
        None => (builtin_files(), true),
    })
}

/// A file of a request's pack or overlay, its path in the form `attest` gives a pack folder's
/// paths ([`pack_path`]).
fn pack_file(f: FileIn) -> Result<PackFile, Failure> {
    Ok(PackFile::new(pack_path(&f.path)?, f.text))
}

/// `path`, a file's path in a pack, as `attest` writes a pack folder's paths: `/` between
/// folders (a `\` is one too, as Windows writes them), no empty or `.` step (`./rules//a.rhai`
/// is `rules/a.rhai`). A path that leaves the pack (`..`) or names no file is refused, naming
/// it: a path `attest` would not give is no file of the pack, and its rule would not run.
fn pack_path(path: &str) -> Result<String, Failure> {
    let steps: Vec<&str> = path
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if steps.is_empty() || steps.contains(&"..") {
        return Err(Failure::new(
            "pack",
            format!(
                "{}: not a path in the pack: give each file's path relative to the pack folder, such as `rules/access/mfa.rhai` (no `..`)",
                Value::from(path)
            ),
        )
        .with("file", Value::from(path)));
    }
    Ok(steps.join("/"))
}

/// Warnings about the files of a request's pack and overlay that no run reads: one that is
/// no pack file ([`attest_engine::pack::is_pack_file`]; a `README.md` of the folder), which
/// loading the pack ignores, and Rhai code outside `rules/` and `lib/`, which nothing runs.
/// A path that is refused is left to the loading of the pack, which says so.
fn stray_files(pack: Option<&[FileIn]>, overlay: &[FileIn]) -> Vec<Violation> {
    let paths = pack.unwrap_or_default().iter().chain(overlay);
    paths
        .filter_map(|f| pack_path(&f.path).ok())
        .filter_map(|path| {
            let why = if !attest_engine::pack::is_pack_file(&path) {
                "not a pack file (a pack is its *.toml, *.rhai and *.json files, as `attest` reads a pack folder): ignored"
            } else if path.ends_with(".rhai") && !path.starts_with("rules/") && !path.starts_with("lib/") {
                "Rhai code outside rules/ and lib/: no rule or module of the pack, so nothing runs it"
            } else {
                return None;
            };
            Some(Violation {
                file: Some(path),
                line: None,
                column: None,
                pointer: String::new(),
                message: why.to_owned(),
            })
        })
        .collect()
}

/// The base of a pack's files: the built-in pack when their manifest says
/// `extends = "soc2"`, none when it extends nothing, else an error.
fn base_of(files: &[PackFile]) -> Result<Option<Pack>, Failure> {
    let extends = files
        .iter()
        .find(|f| f.path == "pack.toml")
        .and_then(|f| attest_engine::pack::declared_base(&f.text));
    Ok(match extends.as_deref() {
        None => None,
        Some("soc2") => Some(builtin_engine()?.pack().clone()),
        Some(other) => {
            return Err(Failure::new(
                "pack",
                format!(
                    "the pack extends `{other}`: the module resolves only `extends = \"soc2\"`; send the base's files merged in"
                ),
            ));
        }
    })
}

/// How `attest` names a pack file: under the pack's folder (`folder`, from [`folder_of`]).
fn show_file(folder: &str, file: &str) -> String {
    format!("{}/{file}", folder.trim_end_matches('/'))
}

/// The folder a request's pack files are shown under: the folder the request names, else `.`
/// (as `attest check .` and `attest test .` show a pack, run in its folder).
fn folder_of(name: Option<&str>) -> &str {
    name.filter(|n| !n.is_empty()).unwrap_or(".")
}

/// Checks a pack, as `attest check --format json` does: every diagnostic with its code,
/// severity, file, line and column.
///
/// Request: `{"pack": [{"path", "text"}, ...], "name"?: "the pack's folder"}` (the module
/// carries the built-in pack without its rules' cases: without `pack`, an `options` error
/// says so). Response: `{"ok":true,"output":TEXT,"errors":N,"warnings":N}`,
/// `output` byte for byte `attest check PACK --format json` for a pack folder `name` (the
/// module has the engine's parser and lint diagnostics, not the pack-schema ones).
pub fn check(request: &[u8]) -> String {
    respond(try_check(request))
}

fn try_check(request: &[u8]) -> Outcome {
    let req: PackRequest = parse(request)?;
    let (files, base) = pack_files(req.pack)?;
    let mut diags = Engine::check(&files, base.as_ref());
    attest_engine::sorting::sort_by(&mut diags, |a, b| {
        (&a.file, a.line, a.column, a.code.as_str()).cmp(&(
            &b.file,
            b.line,
            b.column,
            b.code.as_str(),
        ))
    });
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let name = folder_of(req.name.as_deref());
    let diagnostics: Vec<Value> = diags
        .iter()
        .map(|d| {
            object(&mut [
                ("code", to_json(&d.code)),
                ("severity", to_json(&d.severity)),
                ("file", show_file(name, &d.file).into()),
                ("line", d.line.into()),
                ("column", d.column.into()),
                ("message", d.message.as_str().into()),
            ])
        })
        .collect();
    let doc = object(&mut [
        ("pack", name.into()),
        ("errors", errors.into()),
        ("warnings", warnings.into()),
        ("diagnostics", diagnostics.into()),
    ]);
    Ok(object(&mut [
        ("ok", true.into()),
        ("output", pretty(&doc).into()),
        ("errors", errors.into()),
        ("warnings", warnings.into()),
    ])
    .to_string())
}

/// Runs a pack's rule cases, as `attest test --format json` does: for a pack that extends
/// another, its own rules only.
///
/// Request: `{"pack": [...], "name"?: "the pack's folder", "filter"?: ["text", ...]}` (without
/// `pack`, an `options` error, as for [`check`]).
/// Response: `{"ok":true,"output":TEXT,"passed":N,"failed":N}`, `output` byte for byte
/// `attest test PACK --format json`; or a `pack` failure.
pub fn test(request: &[u8]) -> String {
    respond(try_test(request))
}

fn try_test(request: &[u8]) -> Outcome {
    let req: PackRequest = parse(request)?;
    let (files, base) = pack_files(req.pack)?;
    let extends = base.is_some();
    let engine = compile(load(&files, base, extends)?, Limits::default(), extends)?;
    let pack = engine.pack();
    let own = |id: &str| {
        pack.rule(id).is_some_and(|r| {
            files.iter().any(|f| f.path == r.path) && r.pack == pack.manifest().name
        })
    };
    let (outcomes, filtered_out) = cases::run_matching(&engine, None, own, &req.filter);
    cases::refuse_unmatched(&req.filter, outcomes.iter(), outcomes.len() + filtered_out)
        .map_err(|e| Failure::new("options", e))?;
    let name = folder_of(req.name.as_deref());
    let tests: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            let actual = o.actual.as_ref().map(|a| {
                let findings: Vec<Value> = a
                    .findings
                    .iter()
                    .map(|f| {
                        object(&mut [
                            ("status", to_json(&f.status)),
                            ("entity", to_json(&f.entity)),
                            ("message", f.message.as_str().into()),
                        ])
                    })
                    .collect();
                object(&mut [
                    ("status", to_json(&a.status)),
                    ("error", to_json(&a.error)),
                    ("findings", findings.into()),
                ])
            });
            object(&mut [
                ("pack", pack.manifest().name.as_str().into()),
                ("rule", o.rule.as_str().into()),
                ("name", o.name.as_str().into()),
                ("file", show_file(name, &o.file).into()),
                ("passed", o.passed().into()),
                ("problems", to_json(&o.problems)),
                ("actual", actual.into()),
            ])
        })
        .collect();
    let passed = outcomes.iter().filter(|o| o.passed()).count();
    let failed = outcomes.len() - passed;
    let about = object(&mut [
        ("name", pack.manifest().name.as_str().into()),
        ("version", pack.manifest().version.as_str().into()),
        ("source", name.into()),
    ]);
    let summary = object(&mut [
        ("passed", passed.into()),
        ("failed", failed.into()),
        ("filtered_out", filtered_out.into()),
    ]);
    let doc = object(&mut [
        ("packs", vec![about].into()),
        ("summary", summary),
        ("tests", tests.into()),
    ]);
    Ok(object(&mut [
        ("ok", true.into()),
        ("output", pretty(&doc).into()),
        ("passed", passed.into()),
        ("failed", failed.into()),
    ])
    .to_string())
}

/// Pretty JSON, newline-terminated, as `attest check` and `attest test` print it.
fn pretty(value: &Value) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_default();
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(f: fn(&[u8]) -> String, req: &str) -> Value {
        serde_json::from_str(&f(req.as_bytes())).unwrap()
    }

    #[test]
    fn the_builtin_pack_is_checked_and_tested_from_its_files() {
        // The module carries no cases of its own pack: a request without `pack` says so.
        for f in [check as fn(&[u8]) -> String, test] {
            let r = call(f, "{}");
            assert_eq!(r["error"]["kind"], "options", "{r}");
            let message = r["error"]["message"].as_str().unwrap();
            assert!(
                message.starts_with(
                    "no pack: the module carries the built-in pack soc2 without its rules' cases"
                ),
                "{message}"
            );
        }
        // Given as files, cases included, it is tested as `attest test rules/soc2` tests it.
        let files: Vec<Value> = attest_rules::soc2()
            .map(|(path, text)| json!({"path": path, "text": text}))
            .collect();
        let r = call(
            test,
            &json!({"pack": files, "name": "rules/soc2", "filter": ["mfa"]}).to_string(),
        );
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["failed"], 0, "{r}");
        assert!(r["passed"].as_u64().unwrap() >= 10, "{r}");
        let output: Value = serde_json::from_str(r["output"].as_str().unwrap()).unwrap();
        assert_eq!(output["packs"][0]["source"], "rules/soc2", "{output}");
        let r = call(
            check,
            &json!({"pack": files, "name": "rules/soc2"}).to_string(),
        );
        assert_eq!(
            (r["errors"].as_u64(), r["warnings"].as_u64()),
            (Some(0), Some(0)),
            "{r}"
        );
    }

    #[test]
    fn invalid_utf8_and_bad_json_are_request_errors() {
        let r: Value = serde_json::from_str(&evaluate(b"{\"facts\": \"\xff\"}")).unwrap();
        assert_eq!(r["ok"], false);
        assert_eq!(r["error"]["kind"], "request");
        assert!(r["error"]["message"].as_str().unwrap().contains("UTF-8"));
        let r = call(validate, "{\"facts\": [");
        assert_eq!(r["error"]["kind"], "request");
        let r = call(explain, r#"{"idd": "x"}"#);
        assert_eq!(r["error"]["kind"], "request");
        assert!(
            r["error"]["message"].as_str().unwrap().contains("idd"),
            "{r}"
        );
    }

    #[test]
    fn diff_refuses_a_report_that_lists_a_rule_or_control_twice() {
        let facts =
            r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"}}"#;
        let request = json!({"facts": [{"name": "f.json", "text": facts}]}).to_string();
        let report = call(evaluate, &request)["report"].clone();
        let diff_of = |new: &Value| {
            let req = json!({"base": {"name": "a.json", "text": report.to_string()},
                "new": {"name": "b.json", "text": serde_json::to_string_pretty(new).unwrap()}});
            call(diff, &req.to_string())
        };
        assert_eq!(diff_of(&report)["ok"], true);
        let mut twice = report.clone();
        let first = twice["rules"][0].clone();
        let rules = twice["rules"].as_array().unwrap().len();
        twice["rules"].as_array_mut().unwrap().push(first);
        let r = diff_of(&twice);
        assert_eq!(r["error"]["kind"], "report", "{r}");
        let message = r["error"]["message"].as_str().unwrap();
        let id = report["rules"][0]["id"].as_str().unwrap();
        assert!(
            message.starts_with("b.json:")
                && message.ends_with(&format!(
                    ": not a valid report: /rules/{rules}/id: the rule `{id}` is listed twice (first at /rules/0): a report lists each rule once"
                )),
            "{message}"
        );
        let mut twice = report.clone();
        twice["controls"][2]["id"] = twice["controls"][1]["id"].clone();
        let r = diff_of(&twice);
        let message = r["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(": not a valid report: /controls/2/id: the control `"),
            "{message}"
        );
    }

    #[test]
    fn evaluate_and_validate_carry_the_warnings() {
        let facts = concat!(
            r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"},"#,
            "\n",
            r#" "accounts": [{"system_id": "s", "username": "u", "kind": "human", "status": "active", "mfa_enabled": true}]}"#
        );
        let request = json!({"facts": [{"name": "f.json", "text": facts}]}).to_string();
        let expected = json!([{
            "file": "f.json",
            "line": 2,
            "column": 103,
            "pointer": "/accounts/0/mfa_enabled",
            "message": "facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?"
        }]);
        let r = call(validate, &request);
        assert_eq!(r["warnings"], expected, "{r}");
        assert_eq!(r["facts"]["files"], 1);
        let r = call(evaluate, &request);
        assert_eq!(r["warnings"], expected, "{r}");
        assert_eq!(r["report"]["report_version"], "2");
        let one =
            json!({"facts": [{"name": "f.json", "text": facts}], "rule": "access.mfa-privileged"});
        let r = call(evaluate, &one.to_string());
        assert_eq!(r["warnings"], expected, "{r}");
        // The report is still, byte for byte, what the engine writes.
        let text = evaluate(request.as_bytes());
        let loaded = Facts::load(&[FactsSource {
            name: "f.json",
            text: facts,
        }])
        .unwrap();
        let report = builtin_engine()
            .unwrap()
            .evaluate(&loaded, &EvalOptions::default())
            .unwrap();
        assert!(text.starts_with(&format!(
            r#"{{"ok":true,"report":{},"warnings":["#,
            report.to_json()
        )));
    }

    #[test]
    fn evaluate_carries_the_waivers_warnings() {
        let facts =
            r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"}}"#;
        let waivers = concat!(
            r#"{"schema_version": "1", "waivers": ["#,
            "\n",
            r#"{"rule": "r", "entity": "*", "reason": "r", "approved_by": "x", "approved_on": "2026-01-01", "expires_on": "2026-02-01"}]}"#
        );
        let request = json!({
            "facts": [{"name": "f.json", "text": facts}],
            "waivers": {"name": "w.json", "text": waivers}
        });
        let r = call(evaluate, &request.to_string());
        assert_eq!(
            r["warnings"],
            json!([{
                "file": "w.json",
                "line": 2,
                "column": null,
                "pointer": "/waivers/0/entity",
                "message": "entity `*` names no record: the waiver covers every failing finding of its rule or control; name the records, or leave `entity` out to say so"
            }]),
            "{r}"
        );
        // One list: the report records the same warnings, with their input.
        let mut recorded = r["report"]["warnings"].clone();
        for w in recorded.as_array_mut().unwrap() {
            assert_eq!(w["input"], "waivers", "{r}");
            w.as_object_mut().unwrap().remove("input");
        }
        assert_eq!(recorded, r["warnings"], "{r}");
    }

    #[test]
    fn evidence_for_a_criterion_the_pack_lacks_is_a_warning_of_evaluate_and_validate() {
        let facts = concat!(
            r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"}, "evidence": ["#,
            "\n",
            r#"{"control_id": "CC9.2", "title": "Vendor list", "collected_on": "2026-01-10"},"#,
            "\n",
            r#"{"control_id": "CC9.9", "title": "Vendor review", "collected_on": "2026-01-10"}]}"#
        );
        let request = json!({"facts": [{"name": "f.json", "text": facts}]}).to_string();
        let expected = json!([{
            "file": "f.json",
            "line": 3,
            "column": null,
            "pointer": "/evidence/1/control_id",
            "message": "`CC9.9` is not a criterion of pack soc2, so no criterion uses this evidence; did you mean `CC9.2`?"
        }]);
        for f in [validate, evaluate] {
            let r = call(f, &request);
            assert_eq!(r["warnings"], expected, "{r}");
        }
    }

    #[test]
    fn explain_knows_rules_controls_and_the_pack() {
        let r = call(explain, "{}");
        assert_eq!(r["kind"], "pack");
        assert_eq!(r["rules"].as_array().unwrap().len(), 61);
        let r = call(explain, r#"{"id": "access.mfa-privileged"}"#);
        assert_eq!(r["kind"], "rule");
        assert!(r["rule"]["source"].as_str().unwrap().contains("//! id"));
        let r = call(explain, r#"{"id": "CC6.1"}"#);
        assert_eq!(r["kind"], "control");
        let r = call(explain, r#"{"id": "nope"}"#);
        assert_eq!(r["error"]["kind"], "not_found");
    }

    #[test]
    fn a_pack_that_extends_the_facts_is_used_to_check_them() {
        let extension = json!({
            "properties": {"oncall": {"type": "array", "items": {
                "type": "object", "x-key": ["team"], "required": ["team"],
                "properties": {"team": {"type": "string", "minLength": 1}}
            }}}
        })
        .to_string();
        let facts = r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"},
            "oncall": [{"team": "sre"}, {"team": ""}]}"#;
        let source = json!([{"name": "f.json", "text": facts}]);
        let overlay = json!([{"path": "facts.schema.json", "text": extension}]);
        // facts-v1 alone: `oncall` is unknown, only a warning.
        let r = call(validate, &json!({"facts": source}).to_string());
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["warnings"][0]["pointer"], "/oncall");
        // With the pack's extension, the collection is checked like facts-v1's own.
        let request = json!({"facts": source, "overlay": overlay}).to_string();
        for f in [validate, evaluate] {
            let r = call(f, &request);
            assert_eq!(r["error"]["kind"], "facts_invalid", "{r}");
            let violation = &r["error"]["violations"][0];
            assert_eq!(violation["pointer"], "/oncall/1/team", "{r}");
        }
        let fixed = facts.replace(r#"{"team": ""}"#, r#"{"team": "db"}"#);
        let request = json!({"facts": [{"name": "f.json", "text": fixed}], "overlay": overlay});
        let r = call(evaluate, &request.to_string());
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["warnings"], json!([]));
    }

    #[test]
    fn a_pack_that_extends_the_built_in_one_is_evaluated_on_it() {
        let facts = concat!(
            r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"},"#,
            r#" "accounts": [{"system_id": "s", "username": "u", "kind": "human", "status": "active", "privileged": true, "mfa": false}]}"#
        );
        let manifest = "name = \"mine\"\nversion = \"1.0.0\"\nextends = \"soc2\"\n\n[disable]\n\"access.inactive-accounts\" = \"Covered elsewhere\"\n";
        let own = "//! id = \"mine.always\"\n//! title = \"t\"\n//! controls = [\"CC1.1\"]\n//! severity = \"low\"\n//! owner = \"HR\"\n//! facts = [\"people\"]\n//! remediation = \"r\"\nfail(\"always\");\n";
        let files = [
            PackFile::new("pack.toml", manifest),
            PackFile::new("rules/mine/always.rhai", own),
        ];
        // What a freshly compiled engine of the same pack reports.
        let base = Pack::from_files(&builtin_files()).unwrap();
        let engine = Engine::new(
            Pack::from_files_extending(&files, Some(base)).unwrap(),
            Limits::default(),
        )
        .unwrap();
        let loaded = Facts::load(&[FactsSource {
            name: "f.json",
            text: facts,
        }])
        .unwrap();
        let report = engine
            .evaluate(&loaded, &EvalOptions::default())
            .unwrap()
            .to_json();
        assert!(report.contains("\"mine.always\"") && report.contains("\"access.mfa-privileged\""));
        let expected = format!(r#"{{"ok":true,"report":{report},"warnings":["#);
        // The pack as sent, and the same pack made by an overlay of its manifest.
        let sent = json!({
            "facts": [{"name": "f.json", "text": facts}],
            "pack": [{"path": "pack.toml", "text": manifest}, {"path": "rules/mine/always.rhai", "text": own}],
        });
        let overlaid = json!({
            "facts": [{"name": "f.json", "text": facts}],
            "pack": [{"path": "pack.toml", "text": "name = \"mine\"\nversion = \"1.0.0\"\n"}, {"path": "rules/mine/always.rhai", "text": own}],
            "overlay": [{"path": "pack.toml", "text": manifest}],
        });
        for request in [sent, overlaid] {
            let text = evaluate(request.to_string().as_bytes());
            assert!(text.starts_with(&expected), "{text}");
        }
    }

    #[test]
    fn an_overlay_on_the_built_in_pack_is_refused_as_a_fresh_load_of_its_files_is() {
        let mut files = builtin_files();
        let path = "rules/access/mfa-privileged.rhai";
        let rule = files.iter_mut().find(|f| f.path == path).unwrap();
        rule.text = rule.text.replace("where_not(\"mfa\"", "where_not(\"mfaa\"");
        let text = rule.text.clone();
        let fresh = Pack::from_files(&files).err().unwrap();
        assert!(fresh.to_string().contains("mfaa"), "{fresh}");
        let request = json!({"facts": [], "overlay": [{"path": path, "text": text}]});
        let r: Value = serde_json::from_str(&evaluate(request.to_string().as_bytes())).unwrap();
        assert_eq!(r["error"]["kind"], "pack");
        assert_eq!(r["error"]["message"], fresh.to_string());
        assert_eq!(
            r["error"]["diagnostics"],
            serde_json::to_value(fresh.0).unwrap()
        );
    }

    #[test]
    fn a_todo_request_names_a_known_owner_and_format_and_stands_alone() {
        let facts =
            r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"}}"#;
        let kind = |todo: Value, extra: Value| {
            let mut request = json!({"facts": [{"name": "f.json", "text": facts}], "todo": todo});
            for (k, v) in extra.as_object().unwrap() {
                request[k] = v.clone();
            }
            let r: Value = serde_json::from_str(&evaluate(request.to_string().as_bytes())).unwrap();
            match r["ok"].as_bool().unwrap() {
                true => format!("ok {}", r["format"].as_str().unwrap()),
                false => r["error"]["kind"].as_str().unwrap().to_owned(),
            }
        };
        assert_eq!(kind(json!({}), json!({})), "ok json");
        assert_eq!(
            kind(json!({"owner": "hr", "format": "csv"}), json!({})),
            "ok csv"
        );
        assert_eq!(kind(json!({"owner": "Marketing"}), json!({})), "options");
        assert_eq!(kind(json!({"format": "html"}), json!({})), "options");
        assert_eq!(kind(json!({}), json!({"format": "text"})), "request");
        assert_eq!(
            kind(json!({}), json!({"rule": "hr.reporting-lines"})),
            "request"
        );
        assert_eq!(kind(json!({}), json!({"redact": true})), "request");
    }

    #[test]
    fn a_sample_of_size_0_is_refused_as_attest_sample_refuses_it() {
        let facts =
            r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"}}"#;
        let request = |size: u64| {
            json!({
                "facts": [{"name": "f.json", "text": facts}],
                "sample": {"rule": "policies.review-overdue", "seed": 1, "size": size},
            })
        };
        let r: Value = serde_json::from_str(&evaluate(request(0).to_string().as_bytes())).unwrap();
        assert_eq!(r["ok"], false, "{r}");
        assert_eq!(r["error"]["kind"], "options");
        assert_eq!(
            r["error"]["message"],
            "the sample size must be at least 1, got 0"
        );
        let r: Value = serde_json::from_str(&evaluate(request(1).to_string().as_bytes())).unwrap();
        assert_eq!(r["ok"], true, "{r}");
    }

    /// Acme's pack (examples/acme-pack) as `attest` reads it, its pack files only (not its
    /// README.md), each path through `path`, with `more`.
    fn acme_pack(path: fn(&str) -> String, more: &[(&str, &str)]) -> Vec<Value> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/acme-pack");
        let mut files = Vec::new();
        let mut folders = vec![root.clone()];
        while let Some(dir) = folders.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    folders.push(p);
                    continue;
                }
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .replace('\\', "/");
                if !attest_engine::pack::is_pack_file(&rel) {
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                files.push(json!({"path": path(&rel), "text": text}));
            }
        }
        files.extend(more.iter().map(|(p, t)| json!({"path": p, "text": t})));
        files
    }

    const FACTS: &str =
        r#"{"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"}}"#;

    fn evaluate_pack(pack: Vec<Value>, overlay: Vec<Value>) -> Value {
        let request =
            json!({"facts": [{"name": "f.json", "text": FACTS}], "pack": pack, "overlay": overlay});
        call(evaluate, &request.to_string())
    }

    #[test]
    fn pack_paths_are_read_as_attest_writes_them_or_refused() {
        let plain = evaluate_pack(acme_pack(|p| p.to_owned(), &[]), vec![]);
        let own = |r: &Value| -> Vec<String> {
            let rules = r["report"]["rules"].as_array().unwrap();
            let mut ids: Vec<String> = rules
                .iter()
                .filter(|r| {
                    r["id"].as_str().unwrap().starts_with("access.shared")
                        || r["id"] == "operations.oncall-coverage"
                })
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(
            own(&plain),
            ["access.shared-admins", "operations.oncall-coverage"],
            "{plain}"
        );
        for spelling in [
            (|p: &str| p.replace('/', "\\")) as fn(&str) -> String,
            |p| format!("./{}", p.replace('/', "//")),
            |p| format!("/{p}"),
        ] {
            let r = evaluate_pack(acme_pack(spelling, &[]), vec![]);
            assert_eq!(r["report"], plain["report"], "{}", spelling("rules/a.rhai"));
        }
        // An overlay replaces the file it names, however it spells it.
        let overlay =
            vec![json!({"path": "./rules\\access/inactive-accounts.rhai", "text": "bogus"})];
        let r = call(
            evaluate,
            &json!({"facts": [{"name": "f.json", "text": FACTS}], "overlay": overlay}).to_string(),
        );
        assert_eq!(r["error"]["kind"], "pack", "{r}");
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("rules/access/inactive-accounts.rhai"),
            "{r}"
        );
        for bad in ["", "./", "../pack.toml", "rules/../../x.rhai"] {
            let r = evaluate_pack(acme_pack(|p| p.to_owned(), &[(bad, "x")]), vec![]);
            assert_eq!(r["error"]["kind"], "pack", "{bad}: {r}");
            assert_eq!(r["error"]["file"], bad, "{r}");
        }
    }

    #[test]
    fn files_no_run_reads_are_ignored_with_a_warning() {
        let plain = evaluate_pack(acme_pack(|p| p.to_owned(), &[]), vec![]);
        assert_eq!(plain["warnings"], json!([]), "{plain}");
        let more = [
            ("README.md", "# Acme"),
            ("notes/x.rhai", "bogus"),
            ("rules/x.txt", ""),
        ];
        let r = evaluate_pack(acme_pack(|p| p.to_owned(), &more[..1]), vec![]);
        // The report is the one of the pack without the README, digest included.
        assert_eq!(r["report"], plain["report"]);
        let r = evaluate_pack(
            acme_pack(|p| p.to_owned(), &more[..2]),
            json!([{"path": more[2].0, "text": ""}])
                .as_array()
                .unwrap()
                .clone(),
        );
        let files: Vec<&str> = r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["file"].as_str().unwrap())
            .collect();
        assert_eq!(files, ["README.md", "notes/x.rhai", "rules/x.txt"], "{r}");
        assert!(
            r["warnings"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("not a pack file"),
            "{r}"
        );
        assert!(
            r["warnings"][1]["message"]
                .as_str()
                .unwrap()
                .starts_with("Rhai code outside rules/ and lib/"),
            "{r}"
        );
        let request = json!({"facts": [{"name": "f.json", "text": FACTS}], "overlay": [{"path": "notes.txt", "text": ""}]});
        let r = call(validate, &request.to_string());
        assert_eq!(r["warnings"][0]["file"], "notes.txt", "{r}");
    }
}
