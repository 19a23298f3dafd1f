//! What the commands that evaluate facts (`eval`, `sample`, `vendors`, `todo`) read,
//! decided once: which facts, and which files no output of theirs may replace; and for the
//! commands that show one view of the report (`vendors`, `todo`), their inputs and the
//! report they give, waivers applied.

use super::eval::{parse_date, parse_param, parse_period};
use super::limits::LimitArgs;
use crate::config::{self, Config, ConfigArg};
use crate::inputs;
use crate::output::{Input, Target, refuse_inputs};
use crate::packs::{self, Loaded};
use attest_engine::{Date, EvalOptions, Facts, Pack, Period, Report};
use indexmap::IndexMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The inputs of the commands that show one view of the report (`attest vendors`, `attest
/// todo`): the facts, pack, as-of date, audit period, parameters, evidence root, waivers,
/// limits and strictness of `attest eval`, and the configuration.
#[derive(clap::Args)]
pub struct ReportArgs {
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
    /// The audit period rules judge, as with `attest eval` (default: the configuration's
    /// `period`, else organization.audit_period of the facts).
    #[arg(long, value_name = "START..END", value_parser = parse_period)]
    period: Option<Period>,
    /// Override a pack parameter (repeatable); the value is JSON, or a plain string.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, serde_json::Value)>,
    #[command(flatten)]
    evidence: crate::evidence::RootArg,
    /// Waivers file (waivers-v1 JSON): a failure an active waiver covers counts as waived.
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Fields facts-v1 does not define, and evidence for a criterion the pack does not have,
    /// are errors (exit 2, nothing evaluated), not warnings (default: the configuration's
    /// `strict`).
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    config: ConfigArg,
}

/// A report of the facts with the waivers applied, and what went into it.
pub struct Evaluated {
    /// The report.
    pub report: Report,
    /// The facts evaluated.
    pub facts: Facts,
    /// The pack evaluated, its bases merged in.
    pub pack: Pack,
    /// The parameters given (flags, then the configuration), without the pack's defaults.
    pub params: IndexMap<String, serde_json::Value>,
}

impl ReportArgs {
    /// The configuration these arguments read (`--config`, else `./attest.toml`).
    pub fn config(&self) -> Result<Config, String> {
        self.config.load()
    }

    /// Reads the inputs as `attest eval` does, refuses `output` (`-` is stdout) when it is
    /// one of them before anything is evaluated or written, evaluates the facts and applies
    /// the waivers.
    pub fn evaluate(&self, output: Option<&Path>) -> Result<Evaluated, String> {
        let config = self.config.load()?;
        let limit = config.max_input_size;
        let loaded = packs::load(&config.pack(self.pack.as_deref()), limit)?;
        let engine = loaded.engine_with(self.limits.limits())?;
        let params = config.params(&loaded.pack, &self.params)?;
        let facts_paths = facts_paths(&self.facts, &config)?;
        let waivers = super::load_waivers(self.waivers.as_deref(), limit)?;
        if let Some(output) = output.filter(|p| p.as_os_str() != "-") {
            let waivers = self
                .waivers
                .iter()
                .map(|p| (p.as_path(), "the waivers file"));
            refuse_inputs(output, &guarded(facts_paths, &loaded, &config, waivers))?;
            crate::output::refuse_unwritable(output)?;
        }
        let sources = inputs::read_facts(facts_paths, limit)?;
        let unchecked = self.evidence.unchecked(&sources);
        let facts = super::load_facts(sources, Some(&loaded.pack), self.strict || config.strict)?;
        // Nor an evidence file the run reads.
        if let Some((root, output)) = self.evidence.root.as_deref().zip(output) {
            let output = Some(output).filter(|p| p.as_os_str() != "-");
            crate::output::refuse_onto_evidence(root, &facts.evidence_files(), output)?;
        }
        if let Some(records) = &unchecked {
            super::warn_unchecked(records, &facts);
        }
        super::examples_left(&config, &facts);
        let start = Instant::now();
        let options = EvalOptions::default()
            .with_as_of(self.as_of.or(config.as_of))
            .with_period(super::period(self.period.or(config.period), &facts))
            .with_params(params.clone())
            .with_clock(Arc::new(move || start.elapsed()));
        let options = self.evidence.hashed(options, &facts)?;
        let mut report = engine
            .evaluate(&facts, &options)
            .map_err(|e| super::evaluation_error(&e, (self.as_of, self.period), &config, &facts))?;
        if let Some(w) = &waivers {
            w.apply(&mut report);
        }
        Ok(Evaluated {
            report,
            facts,
            pack: loaded.pack,
            params,
        })
    }
}

/// Writes a view of the report to `output` (stdout when none, or `-`), whole or not at all,
/// then warns of each rule that could not answer: the view may miss `what` of it.
pub fn write_view(
    output: Option<&Path>,
    content: &str,
    report: &Report,
    what: &str,
) -> Result<(), String> {
    // The error names the output.
    Target::from_arg(output).write(content)?;
    for r in report.rules.iter().filter(|r| r.error.is_some()) {
        crate::output::tell(&format!(
            "warning: rule {} could not answer, so {what}",
            r.id
        ));
    }
    Ok(())
}

/// The facts files and folders of a run: those given, else the configuration's; an error
/// when neither names any.
pub fn facts_paths<'a>(given: &'a [PathBuf], config: &'a Config) -> Result<&'a [PathBuf], String> {
    let paths = if given.is_empty() {
        &config.facts
    } else {
        given
    };
    if paths.is_empty() {
        return Err(format!(
            "no facts: give FACTS (files or folders) or set `facts` in {} (`attest init` starts a project with both)",
            config::FILE_NAME
        ));
    }
    Ok(paths)
}

/// What a run reads, which its outputs may not replace: the facts (and the `*.json` of a
/// facts folder), every folder of the pack and of the packs it extends, the configuration,
/// and `more` (a waivers file, a baseline: each with what it is, for the message).
pub fn guarded<'a>(
    facts: &'a [PathBuf],
    loaded: &'a Loaded,
    config: &'a Config,
    more: impl IntoIterator<Item = (&'a Path, &'static str)>,
) -> Vec<Input<'a>> {
    let mut inputs: Vec<Input<'a>> = facts
        .iter()
        .map(|p| Input {
            path: p,
            what: "facts",
            extension: Some("json"),
        })
        .collect();
    inputs.extend(more.into_iter().map(|(path, what)| Input {
        path,
        what,
        extension: None,
    }));
    inputs.extend(loaded.folders.iter().map(|p| Input {
        path: p,
        what: "the pack",
        extension: None,
    }));
    inputs.extend(config.path.iter().map(|p| Input {
        path: p,
        what: "the configuration",
        extension: None,
    }));
    inputs
}
