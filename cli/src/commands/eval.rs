//! `attest eval`: facts in, every control's status out, in one or several formats, with
//! waivers applied and a CI gate deciding the exit code.

use super::diff::{compare, read_report};
use super::limits::LimitArgs;
use super::run_inputs;
use super::trail;
use crate::config::{self, ConfigArg};
use crate::notify::{NotifyFormat, Previous, Webhook};
use crate::output::{self, Target, refuse_inputs};
use crate::{Outcome, evidence, inputs, ledger, packs, populations};
use attest_engine::{
    Date, EvalOptions, Period, Report, Severity,
    diff::Diff,
    gate::{FailOn, Gate},
    report::vendors::ReviewCadence,
    report::{WaiverState, Warning, WarningInput, warning},
};
use attest_render::{
    self as render, Context, SARIF_DEFAULT_MAX_RESULTS, SARIF_MAX_RESULTS, TextOptions, escape,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: readiness per category, failing controls, findings, owners, fixes.
    Text,
    /// The report JSON document (report v2, `schemas/report.v2.schema.json`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: a test suite per control, a test case per rule.
    Junit,
    /// A compact Markdown summary for pull-request comments and job summaries.
    Markdown,
    /// One self-contained HTML page with a readiness dashboard.
    Html,
    /// CSV (RFC 4180), one row per finding.
    Csv,
    /// OSCAL 1.1.2 assessment results (JSON): a finding and an observation per criterion.
    Oscal,
}

impl Format {
    /// The name used on the command line.
    fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Oscal => "oscal",
        }
    }

    /// The form of the public view (`--redact`) this format writes, or `Err` with the
    /// reason `--redact` refuses it. Every format is named here, so one added later has no
    /// public form until it is given one.
    fn public_form(self) -> Result<PublicForm, String> {
        match self {
            Format::Text => Ok(PublicForm::Text),
            Format::Json => Ok(PublicForm::Json),
            Format::Markdown => Ok(PublicForm::Markdown),
            Format::Html => Ok(PublicForm::Html),
            Format::Sarif | Format::Junit | Format::Csv | Format::Oscal => Err(format!(
                "--redact: the {} format lists findings record by record; the public view is written as text, json, markdown or html",
                self.name()
            )),
        }
    }
}

/// The formats of the public view (`--redact`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PublicForm {
    Text,
    Json,
    Markdown,
    Html,
}

/// What fails the gate (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOnArg {
    /// Only rules that could not answer.
    Error,
    /// Failing rules and rules in error.
    Fail,
    /// Warnings too (something lapses within the warning window).
    Warn,
    /// Only failures that are new since `--baseline`.
    New,
}

/// A severity threshold (`--min-severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    /// Critical only.
    Critical,
    /// High and critical.
    High,
    /// Medium and above.
    Medium,
    /// Every rule.
    Low,
}

/// One `--output` value: the main output's file, or `FORMAT=FILE` for another format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputArg {
    /// `FILE`: where the `--format` output goes.
    Main(PathBuf),
    /// `FORMAT=FILE`: an extra output.
    Extra(Format, PathBuf),
}

/// Arguments of `attest eval`.
#[derive(clap::Args)]
pub struct Args {
    /// Facts files or folders of `*.json` files, every file merged in file-name order,
    /// whatever the order they are given in (default: the configuration's `facts`).
    facts: Vec<PathBuf>,
    /// Rule pack folder (default: the configuration's pack, else the built-in SOC 2 pack).
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    /// The date rules treat as today (default: the configuration's `as_of`, else
    /// organization.as_of of the facts).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// The audit period rules judge, both days included (default: the configuration's
    /// `period`, else organization.audit_period of the facts); without an as-of date, the
    /// as-of date is its end.
    #[arg(long, value_name = "START..END", value_parser = parse_period)]
    period: Option<Period>,
    /// Override a pack parameter (repeatable); the value is JSON, or a plain string.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, serde_json::Value)>,
    /// Write every rule's population (each record it tested, with its key, file:line,
    /// JSON Pointer and outcome) to DIR, as `<rule id>.csv` and `<rule id>.json`.
    #[arg(long, value_name = "DIR")]
    populations: Option<PathBuf>,
    #[command(flatten)]
    evidence: evidence::RootArg,
    /// Output format of the main output (stdout, or the plain `--output FILE`; default:
    /// the configuration's `[eval] format`, else text).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the main output to FILE instead of stdout (`-` or `/dev/stdout` is stdout), or
    /// another format to a file with FORMAT=FILE (repeatable: `--output sarif=attest.sarif`).
    /// Files are written whole or not at all; no two outputs may go to the same place.
    #[arg(long = "output", value_name = "[FORMAT=]FILE", value_parser = parse_output)]
    outputs: Vec<OutputArg>,
    /// What fails the run (exit 1): rules in error, failing rules (and errors; the
    /// default), warnings too, or only failures new since --baseline. Given, the gate's
    /// verdict is printed on stderr.
    #[arg(long, value_enum, requires_if("new", "baseline"))]
    fail_on: Option<FailOnArg>,
    /// Ignore rules less severe than this in the gate (rules in error always count).
    #[arg(long, value_enum, value_name = "LEVEL")]
    min_severity: Option<SeverityArg>,
    /// Waivers file (waivers-v1 JSON): approved, time-boxed exceptions.
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// A previous report (`--format json`) to compare with, for `--fail-on new`.
    #[arg(long, value_name = "BASE.json")]
    baseline: Option<PathBuf>,
    /// The most results the SARIF output holds, the most severe kept (code scanning shows
    /// 5,000 per run and refuses more than 25,000); the other formats list every finding.
    #[arg(long, value_name = "N", default_value_t = SARIF_DEFAULT_MAX_RESULTS, value_parser = parse_max_results)]
    sarif_max_results: usize,
    /// Write the public view (for a trust portal) instead of the report: readiness per
    /// category, every criterion's status and checks, the counts and the vendors' assurance,
    /// without findings, names, usernames, record contents or file paths (formats text,
    /// json, markdown and html; not with --populations).
    #[arg(long)]
    redact: bool,
    /// Record why every rule decided as it did (what it examined, the parameters it read),
    /// passing rules included.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    limits: LimitArgs,
    /// Fields facts-v1 does not define, and evidence for a criterion the pack does not have,
    /// are errors (exit 2, nothing evaluated), not warnings (default: the configuration's
    /// `strict`).
    #[arg(long)]
    strict: bool,
    /// Append the run to this ledger (hash-chained JSON Lines; created if missing), and
    /// chart readiness over its runs in the HTML report.
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
    /// Post the Markdown summary and the new failures (against --baseline, else the
    /// ledger's previous run) as JSON to this webhook (http or https).
    #[arg(long, value_name = "URL")]
    notify: Option<String>,
    /// The webhook's payload: a generic JSON document, or a Slack message.
    #[arg(long, value_enum, default_value_t = NotifyFormat::Generic)]
    notify_format: NotifyFormat,
    /// Seconds allowed to each attempt to notify.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    notify_timeout: f64,
    /// Attempts to notify after the first, on connection failures, timeouts and 429 or 5xx
    /// answers.
    #[arg(long, value_name = "N", default_value_t = 2)]
    notify_retries: u32,
    #[command(flatten)]
    config: ConfigArg,
}

fn parse_max_results(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|n| (1..=SARIF_MAX_RESULTS).contains(n))
        .ok_or_else(|| format!("`{text}` is not a number of results from 1 to {SARIF_MAX_RESULTS}"))
}

pub(super) fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date in the form YYYY-MM-DD"))
}

/// `START..END`, as the engine parses it.
pub fn parse_period(text: &str) -> Result<Period, String> {
    Period::parse(text).map_err(|e| e.to_string())
}

pub(super) fn parse_param(text: &str) -> Result<(String, serde_json::Value), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: expected NAME=VALUE"))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::from(value));
    Ok((name.to_owned(), value))
}

/// `FILE`, or `FORMAT=FILE` when the part before `=` looks like a name (no `/`, `\` or `.`);
/// nothing before `=` is refused rather than read as a file named `=...`.
fn parse_output(text: &str) -> Result<OutputArg, String> {
    if text.is_empty() {
        return Err("no file: give the path of a file to write (`-` for stdout)".to_owned());
    }
    let Some((name, path)) = text.split_once('=') else {
        return Ok(OutputArg::Main(PathBuf::from(text)));
    };
    if name.contains(['/', '\\', '.']) {
        return Ok(OutputArg::Main(PathBuf::from(text)));
    }
    if name.is_empty() {
        return Err(format!(
            "`{text}`: no format before `=` (for a file whose name starts with `=`, write ./{text})"
        ));
    }
    let format = <Format as clap::ValueEnum>::from_str(name, false).map_err(|_| {
        format!(
            "unknown format `{name}`: expected text, json, sarif, junit, markdown, html, csv or oscal (for a file whose name holds `=`, write ./{text})"
        )
    })?;
    if path.is_empty() {
        return Err(format!("`{text}`: no file after `=`"));
    }
    Ok(OutputArg::Extra(format, PathBuf::from(path)))
}

/// Evaluates, applies waivers, writes every output, then applies the gate: exit 1 when it
/// fails, 2 when an input cannot be used (nothing is written then).
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.config.load()?;
    let section = (&config.eval.format, config.eval.output.as_deref());
    let (format, configured) =
        config::format_and_output((args.format, None), section, Format::Text)?;
    let limit = config.max_input_size;
    let destinations = destinations(args, format, configured)?;
    if args.redact {
        refuse_private_outputs(args, &destinations)?;
    }
    let loaded = packs::load(&config.pack(args.pack.as_deref()), limit)?;
    let engine = loaded.engine_with(args.limits.limits())?;
    let params = config.params(&loaded.pack, &args.params)?;
    let facts_paths = run_inputs::facts_paths(&args.facts, &config)?;
    let waivers = super::load_waivers(args.waivers.as_deref(), limit)?;
    let baseline = args
        .baseline
        .as_deref()
        .map(|path| read_report(path, limit))
        .transpose()?;
    let sources = inputs::read_facts(facts_paths, limit)?;
    // No output may replace what this run read, nor a file a facts or pack folder would
    // give the next run.
    let read: Vec<PathBuf> = sources
        .iter()
        .map(|(name, _)| PathBuf::from(name))
        .collect();
    let more = read
        .iter()
        .map(|p| (p.as_path(), "facts"))
        .chain(
            args.waivers
                .iter()
                .map(|p| (p.as_path(), "the waivers file")),
        )
        .chain(args.baseline.iter().map(|p| (p.as_path(), "the baseline")));
    let inputs = run_inputs::guarded(facts_paths, &loaded, &config, more);
    for path in destinations.iter().filter_map(|(_, p)| p.as_deref()) {
        refuse_inputs(path, &inputs)?;
    }
    if let Some(dir) = &args.populations {
        populations::check(dir, &inputs)?;
    }
    let webhook = args
        .notify
        .as_deref()
        .map(|url| {
            Webhook::new(
                url,
                args.notify_format,
                args.notify_timeout,
                args.notify_retries,
            )
        })
        .transpose()?;
    let unchecked = args.evidence.unchecked(&sources);
    let facts = super::load_facts(sources, Some(&loaded.pack), args.strict || config.strict)?;
    // Nor the evidence files the run reads and hashes.
    if let Some(root) = &args.evidence.root {
        if let Some(dir) = &args.populations {
            output::refuse_evidence_folder(dir, root, &facts.evidence_files())?;
        }
        let written = destinations.iter().filter_map(|(_, p)| p.as_deref());
        output::refuse_onto_evidence(
            root,
            &facts.evidence_files(),
            written.chain(args.ledger.as_deref()),
        )?;
    }
    let run_at = ledger::Run::now();
    let past = match &args.ledger {
        Some(path) => {
            let outputs: Vec<&Path> = destinations
                .iter()
                .filter_map(|(_, p)| p.as_deref())
                .collect();
            trail::check(path, &inputs, &outputs)?
        }
        None => Vec::new(),
    };
    if let Some(records) = &unchecked {
        super::warn_unchecked(records, &facts);
    }
    let examples = super::examples_left(&config, &facts);
    let start = Instant::now();
    let cadence = ReviewCadence::of_pack(engine.pack(), &params);
    let options = EvalOptions::default()
        .with_as_of(args.as_of.or(config.as_of))
        .with_period(super::period(args.period.or(config.period), &facts))
        .with_params(params)
        .with_clock(Arc::new(move || start.elapsed()))
        .with_explain(args.explain || config.eval.explain)
        // A baseline's failures, and those of the ledger's previous run, are resolved only
        // where the run tested their records: the populations say which it tested.
        .with_populations(
            args.populations.is_some()
                || baseline.is_some()
                || ledger::previous(&past, facts.organization()).is_some(),
        );
    let options = args.evidence.hashed(options, &facts)?;
    let mut report = engine
        .evaluate(&facts, &options)
        .map_err(|e| super::evaluation_error(&e, (args.as_of, args.period), &config, &facts))?;
    if !examples.is_empty() {
        // After the facts' own warnings, as the facts warnings they are.
        let mut warnings: Vec<Warning> = report
            .warnings
            .iter()
            .filter(|w| w.input() == WarningInput::Facts)
            .cloned()
            .collect();
        warnings.extend(warning::of_violations(WarningInput::Facts, &examples));
        report.set_warnings(WarningInput::Facts, warnings);
    }
    // The populations go to their own files; the report stays as it is without them.
    let population_files = args
        .populations
        .as_deref()
        .map(|dir| populations::files(dir, &report));
    if let Some((dir, files)) = args.populations.as_deref().zip(population_files.as_deref()) {
        refuse_population_clashes(dir, files, &destinations, args.ledger.as_deref())?;
        if let Some(root) = &args.evidence.root {
            let written = files.iter().map(|(path, _)| path.as_path());
            output::refuse_onto_evidence(root, &facts.evidence_files(), written)
                .map_err(|e| format!("--populations {}: {e}", inputs::display(dir)))?;
        }
    }
    if let Some(w) = &waivers {
        w.apply(&mut report);
    }
    let diff = baseline
        .as_ref()
        .zip(args.baseline.as_deref())
        .map(|(base, path)| compare(base, path, &report));
    let judgements = trail::judgements(&past, &report);
    for rule in &mut report.rules {
        rule.population.records = None;
    }
    let mut context = Context::from_facts(&facts).with_review_cadence(cadence);
    let unmatched = unmatched_entities(&report, &facts);
    // Nothing past this point reads the facts: freed while the outputs are rendered, they
    // and the rendered report are not held at once.
    facts.free_aside();
    if args.ledger.is_some() {
        context.history = trail::chart(&past, &report, &run_at);
    }
    let sarif = render::SarifOptions {
        max_results: args.sarif_max_results,
    };
    let public = args.redact.then(|| render::redact(&report, &context));
    let mut notes = Vec::new();
    let rendered: Vec<(Target<'_>, String)> = destinations
        .iter()
        .map(|(format, path)| {
            let target = Target::from_arg(path.as_deref());
            let (content, left_out) = match &public {
                Some(public) => (render_public(format.public_form()?, public), None),
                None => render(*format, &report, &context, target.wants_color(), &sarif),
            };
            if let Some((kept, total)) = left_out {
                let name = path.as_deref().map_or("stdout".to_owned(), inputs::display);
                notes.push(format!(
                    "warning: {name}: the SARIF holds the {kept} most severe of {total} results ({} left out, counted in the run's properties); --sarif-max-results raises the limit up to {SARIF_MAX_RESULTS}",
                    total - kept
                ));
            }
            Ok((target, content))
        })
        .collect::<Result<_, String>>()?;
    // The populations' files are written with the reports: all of them, or none.
    let population_files = population_files.unwrap_or_default();
    let created = populations::make_folders(&population_files)?;
    let outputs: Vec<(Target<'_>, &str)> = rendered
        .iter()
        .map(|(target, content)| (*target, content.as_str()))
        .chain(
            population_files
                .iter()
                .map(|(path, content)| (Target::File(path), content.as_str())),
        )
        .collect();
    // All or nothing: the outputs are written aside, the run is recorded, and only then are
    // the outputs put in place; the entry is taken back out if they cannot be.
    let staged = output::stage(&outputs).inspect_err(|_| populations::remove_folders(&created))?;
    let recorded = match &args.ledger {
        Some(path) => {
            let json = destinations
                .iter()
                .zip(&rendered)
                .find(|((f, p), _)| *f == Format::Json && p.is_some());
            let report_json =
                json.map_or_else(|| report.to_json(), |(_, (_, content))| content.clone());
            let report_path = json.and_then(|((_, p), _)| p.as_ref());
            match trail::record(
                path,
                &report,
                &report_json,
                report_path,
                run_at,
                judgements.as_ref(),
            ) {
                Ok(appended) => Some(appended),
                Err(e) => {
                    drop(staged);
                    populations::remove_folders(&created);
                    return Err(format!("{e}; no output was written"));
                }
            }
        }
        None => None,
    };
    if let Err(e) = staged.finish() {
        populations::remove_folders(&created);
        return Err(match recorded {
            Some(appended) => appended.undo_after(e),
            None => e,
        });
    }
    if let Some(appended) = recorded {
        appended.keep();
    }
    for note in notes {
        crate::output::tell(&note.to_string());
    }
    if let Some(webhook) = &webhook {
        let previous = match (&baseline, &args.baseline) {
            (Some(base), Some(path)) => Some(Previous::Baseline(base, inputs::display(path))),
            _ => ledger::previous(&past, &report.facts.organization).map(Previous::Ledger),
        };
        match webhook.send(&report, previous.as_ref()) {
            Ok(done) => crate::output::tell(&done.to_string()),
            Err(e) => crate::output::tell(&format!("warning: {e}")),
        }
    }
    warn_about_waivers(&report, &unmatched);
    let gate = Gate {
        fail_on: match args.fail_on.unwrap_or(FailOnArg::Fail) {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Fail => FailOn::Fail,
            FailOnArg::Warn => FailOn::Warn,
            FailOnArg::New => FailOn::New,
        },
        min_severity: args.min_severity.map(|s| match s {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
        }),
    };
    let blockers = gate.check(&report, diff.as_ref());
    if let Some(change) = diff.as_ref().and_then(Diff::context_change) {
        crate::output::tell(&format!("warning: baseline: {}", escape::line(&change)));
    }
    // Any gate flag given, `--fail-on fail` (the default) too, a baseline, or example records
    // left (which fail every gate): the verdict.
    if args.fail_on.is_some()
        || args.min_severity.is_some()
        || diff.is_some()
        || !examples.is_empty()
    {
        crate::output::tell(&format!(
            "{}",
            escape::line(&verdict(args, &blockers, diff.as_ref(), examples.len()))
        ));
    }
    Ok(if blockers.is_empty() && examples.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Failed
    })
}

/// Every output as (format, file; `None` is stdout), checked before anything is evaluated:
/// one main output, no two outputs to the same place, every folder there.
fn destinations(
    args: &Args,
    format: Format,
    configured: Option<&Path>,
) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    let mut main: Option<&Path> = None;
    let mut extra = Vec::new();
    for output in &args.outputs {
        match output {
            OutputArg::Main(path) => {
                if let Some(first) = main {
                    return Err(format!(
                        "--output {} and --output {}: the --format output goes to one place; use FORMAT=FILE for other formats",
                        first.display(),
                        path.display()
                    ));
                }
                main = Some(path);
            }
            OutputArg::Extra(format, path) => extra.push((*format, path.clone())),
        }
    }
    let main = main.or(configured);
    let given: Vec<(Format, Option<&Path>)> = std::iter::once((format, main))
        .chain(extra.iter().map(|(f, p)| (*f, Some(p.as_path()))))
        .collect();
    refuse_same_place(&given)?;
    let out: Vec<(Format, Option<PathBuf>)> = given
        .into_iter()
        .map(|(f, p)| {
            (
                f,
                p.filter(|p| !output::is_stdout(p)).map(Path::to_path_buf),
            )
        })
        .collect();
    // All or nothing: a missing folder is found before any output is written.
    for path in out.iter().filter_map(|(_, p)| p.as_deref()) {
        crate::output::refuse_unwritable(path)?;
    }
    Ok(out)
}

/// Refuses two outputs (as given: `None` is stdout) that go to the same place however it
/// is written: `a.json`, `./a.json` or a link to it; `-`, `/dev/stdout` or the file stdout
/// was redirected to.
fn refuse_same_place(outputs: &[(Format, Option<&Path>)]) -> Result<(), String> {
    // `None` is standard output.
    let place = |p: Option<&Path>| p.filter(|p| !output::is_stdout(p)).map(output::place);
    for (i, (format, path)) in outputs.iter().enumerate() {
        let Some((other, first)) = outputs
            .iter()
            .take(i)
            .find(|(_, p)| place(*p) == place(*path))
        else {
            continue;
        };
        let shown = match [*path, *first]
            .into_iter()
            .flatten()
            .find(|p| p.as_os_str() != "-")
        {
            Some(p) if place(Some(p)).is_none() => {
                format!("stdout ({} is standard output)", p.display())
            }
            Some(p) => p.display().to_string(),
            None => "stdout".to_owned(),
        };
        return Err(format!(
            "the {} and {} outputs both go to {shown}: give each its own file",
            other.name(),
            format.name()
        ));
    }
    Ok(())
}

/// Refuses a file of the populations (`--populations DIR`, its `files`) that goes where an
/// output or the ledger goes, however either is written: renamed into place with the
/// outputs, one would replace the other (a ledger would lose its chain). Checked once the
/// rules are known, before anything is written.
fn refuse_population_clashes(
    dir: &Path,
    files: &[(PathBuf, String)],
    destinations: &[(Format, Option<PathBuf>)],
    ledger: Option<&Path>,
) -> Result<(), String> {
    // What goes to a file: (what it is, its path as given, where it goes).
    let taken: Vec<(String, &Path, PathBuf)> = destinations
        .iter()
        .filter_map(|(f, p)| Some((format!("the {} output", f.name()), p.as_deref()?)))
        .chain(ledger.map(|p| ("the ledger".to_owned(), p)))
        .map(|(what, p)| (what, p, output::place(p)))
        .collect();
    let to_stdout = destinations.iter().find(|(_, p)| p.is_none());
    for (file, _) in files {
        let clash = match to_stdout {
            Some((format, _)) if output::is_stdout(file) => {
                Some((format!("the {} output", format.name()), "stdout".to_owned()))
            }
            _ => {
                let at = output::place(file);
                taken
                    .iter()
                    .find(|(_, _, t)| *t == at)
                    .map(|(what, given, _)| (what.clone(), given.display().to_string()))
            }
        };
        if let Some((what, shown)) = clash {
            let name = file.strip_prefix(dir).unwrap_or(file);
            return Err(format!(
                "{what} and the population file {} (--populations {}) both go to {shown}: give each its own file",
                name.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}

/// One output's text; for a SARIF log that left results out, also (results kept, total).
fn render(
    format: Format,
    report: &Report,
    context: &Context,
    color: bool,
    sarif: &render::SarifOptions,
) -> (String, Option<(usize, usize)>) {
    let mut left_out = None;
    let text = match format {
        Format::Text => render::text(
            report,
            &TextOptions {
                color,
                max_findings: 10,
            },
        ),
        Format::Json => report.to_json(),
        Format::Sarif => {
            let log = render::sarif_with(report, context, sarif);
            left_out = (log.left_out > 0).then_some((log.total - log.left_out, log.total));
            log.text
        }
        Format::Junit => render::junit(report),
        Format::Markdown => render::markdown(report),
        Format::Html => render::html(report, context),
        Format::Csv => render::csv(report),
        Format::Oscal => render::oscal(report),
    };
    (text, left_out)
}

/// Refuses, with `--redact`, every output that would list records beside the public view:
/// a format that lists findings record by record, and the populations' files.
fn refuse_private_outputs(
    args: &Args,
    destinations: &[(Format, Option<PathBuf>)],
) -> Result<(), String> {
    for (format, _) in destinations {
        format.public_form()?;
    }
    match &args.populations {
        Some(dir) => Err(format!(
            "--redact: --populations {} would write every record the rules tested (keys, names, emails); the public view holds none: run without --redact to write the populations",
            inputs::display(dir)
        )),
        None => Ok(()),
    }
}

/// One output of the public view (`--redact`).
fn render_public(form: PublicForm, public: &render::PublicReport) -> String {
    match form {
        PublicForm::Text => render::public_text(public),
        PublicForm::Json => public.to_json(),
        PublicForm::Markdown => render::public_markdown(public),
        PublicForm::Html => render::public_html(public),
    }
}

/// For each waiver of the report, whether its `entity` names no record of `facts` (a
/// mistyped key, a record since removed): no record's key is the entity or begins it (an
/// entity may name something inside a record). Patterns with `*` are taken as naming
/// records.
fn unmatched_entities(report: &Report, facts: &attest_engine::Facts) -> Vec<bool> {
    let names_nothing = |entity: &str| {
        if entity.starts_with('/') {
            return !facts.holds(entity);
        }
        if entity.split('/').any(|s| s == "*") {
            return false;
        }
        let collection = entity.split('/').next().unwrap_or_default();
        !super::records_of(facts, collection)
            .any(|(_, key)| entity == key || entity.starts_with(&format!("{key}/")))
    };
    report
        .waivers
        .iter()
        .map(|w| {
            w.state != WaiverState::Active && w.waiver.entity.as_deref().is_some_and(names_nothing)
        })
        .collect()
}

/// Tells on stderr about waivers that need attention: naming a rule or criterion the pack
/// does not have, or a record the facts do not have (`unmatched`, per waiver), expired,
/// stale or not yet in force, or naming their record by a JSON Pointer.
fn warn_about_waivers(report: &Report, unmatched: &[bool]) {
    let warn = |w: &attest_engine::report::WaiverResult, what: &str| {
        let message = format!("{}:{}: {what}", w.waiver.source.file, w.waiver.source.line);
        crate::output::tell(&format!("warning: {}", escape::line(&message)));
    };
    let unknown: Vec<Option<String>> = report
        .waivers
        .iter()
        .map(|w| w.unknown_names(report))
        .collect();
    for (w, unknown) in report.waivers.iter().zip(&unknown) {
        if unknown.is_none()
            && let Some(advice) = w.pointer_advice(report)
        {
            warn(w, &advice);
        }
    }
    for ((w, unknown), &unmatched) in report.waivers.iter().zip(&unknown).zip(unmatched) {
        match unknown {
            Some(unknown) => warn(w, &format!("waiver ({}): {unknown}", w.waiver.scope())),
            None if unmatched => warn(
                w,
                &format!(
                    "{} waiver ({}): its entity names no record of the facts (a mistyped key, or a record since removed): it covers nothing; correct it or remove it",
                    w.state.as_str(),
                    w.waiver.scope()
                ),
            ),
            None if w.state != WaiverState::Active => warn(
                w,
                &format!(
                    "{} waiver ({}): {}",
                    w.state.as_str(),
                    w.waiver.scope(),
                    w.explain_in(report)
                ),
            ),
            None => {}
        }
    }
}

/// The gate's verdict in a line, for CI logs: its rule, then `passed` or what failed it.
/// `examples` is how many facts files still hold records `attest init` wrote: fiction never
/// passes a gate.
fn verdict(
    args: &Args,
    blockers: &[attest_engine::gate::Blocker],
    diff: Option<&Diff>,
    examples: usize,
) -> String {
    let mut rule = format!(
        "gate: fail on {}",
        <FailOnArg as clap::ValueEnum>::to_possible_value(&args.fail_on.unwrap_or(FailOnArg::Fail))
            .map_or_else(String::new, |v| v.get_name().to_owned())
    );
    if let Some(min) = args.min_severity {
        let name = <SeverityArg as clap::ValueEnum>::to_possible_value(&min)
            .map_or_else(String::new, |v| v.get_name().to_owned());
        rule.push_str(&format!(", min severity {name}"));
    }
    if let Some(d) = diff {
        let unjudged = match d.unjudged.len() {
            0 => String::new(),
            n => format!(", {n} no longer judged"),
        };
        rule.push_str(&format!(
            " (since {}: {} new, {} resolved{unjudged}, {} still failing)",
            d.base.evaluated_on,
            d.new_failures.len(),
            d.resolved.len(),
            d.still_failing.len()
        ));
    }
    let examples = match examples {
        0 => None,
        1 => Some("the example records `attest init` wrote, still in 1 facts file".to_owned()),
        n => Some(format!(
            "the example records `attest init` wrote, still in {n} facts files"
        )),
    };
    if blockers.is_empty() && examples.is_none() {
        return format!("{rule}: passed");
    }
    let mut names: Vec<String> = examples
        .into_iter()
        .chain(blockers.iter().map(|b| match &b.entity {
            Some(e) => format!("{} {e} ({})", b.rule, b.status.as_str()),
            None => format!("{} ({})", b.rule, b.status.as_str()),
        }))
        .collect();
    names.dedup();
    format!("{rule}: failed by {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_files_or_format_and_file() {
        assert_eq!(
            parse_output("report.txt"),
            Ok(OutputArg::Main("report.txt".into()))
        );
        assert_eq!(
            parse_output("sarif=out/attest.sarif"),
            Ok(OutputArg::Extra(Format::Sarif, "out/attest.sarif".into()))
        );
        assert_eq!(
            parse_output("./a=b.json"),
            Ok(OutputArg::Main("./a=b.json".into()))
        );
        let err = parse_output("xml=a.xml").unwrap_err();
        assert!(err.starts_with("unknown format `xml`"), "{err}");
        assert!(parse_output("csv=").is_err());
        let err = parse_output("=x.json").unwrap_err();
        assert!(err.contains("no format before `=`"), "{err}");
        assert_eq!(
            parse_output("./=x.json"),
            Ok(OutputArg::Main(PathBuf::from("./=x.json")))
        );
        assert!(parse_output("").is_err());
    }
}
