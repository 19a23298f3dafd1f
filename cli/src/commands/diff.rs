//! `attest diff BASE.json NEW.json`: what changed between two reports: new failures,
//! resolved ones, those still failing, and controls whose status changed.

use crate::Outcome;
use crate::config::SizeArg;
use crate::inputs::{self, SizeLimit};
use crate::output::{Input, Target, refuse_inputs};
use attest_engine::place::{self, At};
use attest_engine::report::{self, ReportError};
use attest_engine::{Report, diff::Diff};
use attest_render::{self as render, TextOptions, escape};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Diff formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// A JSON document (`diff_version` 1).
    Json,
    /// Markdown, for pull-request comments and job summaries.
    Markdown,
}

/// Arguments of `attest diff`.
#[derive(clap::Args)]
pub struct Args {
    /// The baseline report (`attest eval --format json`).
    base: PathBuf,
    /// The new report.
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the diff here (atomically) instead of to stdout; `-` is stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    limit: SizeArg,
}

/// Compares the two reports; exit 1 when the new one has failures the baseline did not.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let target = Target::from_arg(args.output.as_deref());
    if let Target::File(path) = target {
        let inputs = [
            (&args.base, "the baseline report"),
            (&args.new, "the new report"),
        ]
        .map(|(path, what)| Input {
            path,
            what,
            extension: None,
        });
        refuse_inputs(path, &inputs)?;
        crate::output::refuse_unwritable(path)?;
    }
    let limit = args.limit.max_input_size.unwrap_or_default();
    let base = read_report(&args.base, limit)?;
    let new = read_report(&args.new, limit)?;
    let diff = compare(&base, &args.base, &new);
    let content = match args.format {
        Format::Text => render::diff_text(
            &diff,
            &TextOptions {
                color: target.wants_color(),
                max_findings: 0,
            },
        ),
        Format::Json => diff.to_json(),
        Format::Markdown => render::diff_markdown(&diff),
    };
    target.write(&content)?;
    Ok(if diff.new_failures.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Failed
    })
}

/// The diff of `new` against `base` (read from `base_path`), with a warning on stderr when
/// the two reports are about different organizations: their findings are matched by rule and
/// record key all the same, so a record of one counts as the other's of the same key.
pub fn compare(base: &Report, base_path: &Path, new: &Report) -> Diff {
    if base.facts.organization != new.facts.organization {
        crate::output::tell(&format!(
            "warning: {} is a report on `{}`, not `{}`: findings are matched by rule and record key as if they were one organization's",
            inputs::shown(base_path),
            escape::line(&base.facts.organization),
            escape::line(&new.facts.organization)
        ));
    }
    Diff::new(base, new)
}

/// The schema of the reports read (report v2).
const REPORT_SCHEMA: &str = include_str!("../../../schemas/report.v2.schema.json");

/// Reads a report written by `attest eval --format json` (at most `limit` bytes); errors
/// name the file and place. A report that breaks report-v2 (a date that is not one, a
/// status that is none, a rule or control listed twice) is refused, not read as far as it
/// goes.
pub fn read_report(path: &Path, limit: SizeLimit) -> Result<Report, String> {
    let name = inputs::shown(path);
    let text = inputs::read_text(path, limit)?;
    inputs::refuse_repeated_keys(&name, &text)?;
    // Text that is not JSON, or not an object, is for the reader to name.
    if let Ok(doc) = serde_json::from_str::<Value>(&text) {
        check_report(&doc).map_err(|(pointer, why)| {
            let offset = place::json_offset_at(&text, &pointer, At::Value).unwrap_or(0);
            let (line, column) = inputs::line_col(&text, offset);
            let pointer = if pointer.is_empty() {
                String::new()
            } else {
                format!("{pointer}: ")
            };
            format!("{name}:{line}:{column}: not a valid report: {pointer}{why}")
        })?;
    }
    report::read(&name, &text).map_err(|e| match e {
        ReportError::NotAReport { .. } => {
            format!("{e}: write one with `attest eval --format json`")
        }
        ReportError::Version { .. } => {
            format!("{e}: write it again with `attest eval --format json`")
        }
        e => e.to_string(),
    })
}

/// What in the report `doc` breaks report-v2, and where (a JSON Pointer): a `report_version`
/// that is not a string, and in a report of version 2 anything its schema refuses (a rule or
/// control listed twice is the engine's reader's to refuse, here and in the module). A
/// document of another version is left to the reader.
fn check_report(doc: &Value) -> Result<(), (String, String)> {
    match doc.get("report_version") {
        Some(Value::String(v)) if v == report::REPORT_VERSION => {}
        Some(Value::String(_)) | None => return Ok(()),
        Some(v) => {
            return Err((
                "/report_version".to_owned(),
                format!(
                    "expected the string \"{}\", not {v}",
                    report::REPORT_VERSION
                ),
            ));
        }
    }
    let schema: Value =
        serde_json::from_str(REPORT_SCHEMA).map_err(|e| (String::new(), e.to_string()))?;
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| (String::new(), e.to_string()))?;
    // Every reason at the first place the schema refuses (a `null` status is neither a
    // string nor one of the statuses).
    let mut errors = validator
        .iter_errors(doc)
        .map(|e| (e.instance_path().as_str().to_owned(), schema_says(&e)));
    if let Some((pointer, first)) = errors.next() {
        let mut why = vec![first];
        why.extend(errors.filter(|(p, _)| *p == pointer).map(|(_, w)| w));
        return Err((pointer, why.join("; ")));
    }
    Ok(())
}

/// What the schema error `e` says, with every value an enumeration allows (the validator
/// names two and counts the rest).
fn schema_says(e: &jsonschema::ValidationError<'_>) -> String {
    match e.kind() {
        jsonschema::error::ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(Value::to_string)
                .collect();
            format!("{} is not one of {}", e.instance(), options.join(", "))
        }
        _ => e.to_string(),
    }
}
