//! `attest check [PACK]`: compiles every rule and checks the manifest, the catalog and
//! every rule's metadata (against `schemas/pack.v1.schema.json` and the pack's own
//! catalog and parameters) and what each rule reads of the facts (against facts-v1),
//! printing each diagnostic with its stable code, file, line,
//! column and the source line it points at.

use crate::Outcome;
use crate::config::{self, ConfigArg, TextOrJson};
use crate::output::Target;
use crate::packs::{self, PackRef};
use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};
use attest_engine::{Diagnostic, DiagnosticSeverity, Pack, PackFile};
use attest_render::escape;
use serde_json::json;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::Path;

/// Arguments of `attest check`.
#[derive(clap::Args)]
pub struct Args {
    /// The pack: a folder, or `soc2` for the built-in pack (default: the configuration's
    /// pack, else the built-in pack).
    #[arg(value_name = "PACK")]
    pack: Option<String>,
    /// Output format (default: the configuration's, else text).
    #[arg(long, value_enum)]
    format: Option<TextOrJson>,
    /// Exit 1 on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    #[command(flatten)]
    config: ConfigArg,
}

/// Checks the pack; exit 1 when it has errors (or warnings, with `--deny-warnings`), 2
/// when it cannot be read or what it extends cannot be loaded.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.config.load()?;
    let format = match (args.format, &config.check.format) {
        (Some(f), _) => f,
        (None, Some(setting)) => config::format(setting)?,
        (None, None) => TextOrJson::Text,
    };
    let source = match &args.pack {
        Some(p) => PackRef::parse(p, Path::new("")),
        None => config.pack(None),
    };
    let packs::Read { files, base, .. } = packs::files_and_base(&source, config.max_input_size)?;
    let diags = problems(&files, base.as_ref());
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let content = match format {
        TextOrJson::Text => text(&source, &files, &diags),
        TextOrJson::Json => super::list::pretty(&json!({
            "pack": source.to_string(),
            "errors": errors,
            "warnings": warnings,
            "diagnostics": diags.iter().map(|d| json!({
                "code": d.code,
                "severity": d.severity,
                "file": source.show_file(&d.file),
                "line": d.line,
                "column": d.column,
                "message": d.message,
            })).collect::<Vec<_>>(),
        })),
    };
    Target::Stdout.write(&content)?;
    Ok(if errors > 0 || (args.deny_warnings && warnings > 0) {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}

/// What `attest check` reports of a problem: an engine diagnostic, or one of the checks
/// only `attest check` makes (a cases file of no rule).
struct Problem {
    /// The stable code (`unknown-control`, `stray-cases`).
    code: &'static str,
    severity: DiagnosticSeverity,
    /// The pack file, relative to the pack's folder.
    file: String,
    line: Option<u32>,
    column: Option<u32>,
    message: String,
}

impl Problem {
    fn is_error(&self) -> bool {
        self.severity == DiagnosticSeverity::Error
    }
}

impl From<Diagnostic> for Problem {
    fn from(d: Diagnostic) -> Problem {
        Problem {
            code: d.code.as_str(),
            severity: d.severity,
            file: d.file,
            line: d.line,
            column: d.column,
            message: d.message,
        }
    }
}

/// The code of a cases file that belongs to no rule of the pack.
const STRAY_CASES: &str = "stray-cases";

/// Every problem of the pack's own `files` (extending `base`): the engine's diagnostics and
/// the cases files of no rule, in the order of their files and places.
fn problems(files: &[PackFile], base: Option<&Pack>) -> Vec<Problem> {
    let mut all: Vec<Problem> = packs::diagnostics(files, base)
        .into_iter()
        .map(Problem::from)
        .chain(stray_cases(files))
        .collect();
    all.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code).cmp(&(&b.file, b.line, b.column, b.code))
    });
    all
}

/// A warning for each `*.cases.json` of the pack that is no rule's cases: a rule's cases are
/// the file beside it, `rules/<area>/<name>.cases.json` for `rules/<area>/<name>.rhai`, and
/// `attest test` runs no other.
fn stray_cases(files: &[PackFile]) -> impl Iterator<Item = Problem> + '_ {
    let has = |path: &str| files.iter().any(|f| f.path == path);
    files.iter().filter_map(move |f| {
        let stem = f.path.strip_suffix(".cases.json")?;
        let rule = format!("{stem}.rhai");
        let message = if !f.path.starts_with("rules/") {
            "cases of no rule: a rule's cases file is beside its rule file, under rules/, so `attest test` never runs these (move it beside its rule, as `rules/<area>/<name>.cases.json` for `rules/<area>/<name>.rhai`)"
                .to_owned()
        } else if has(&rule) {
            return None;
        } else {
            format!(
                "cases of no rule: there is no rule file {rule} beside it, so `attest test` never runs these (name it after its rule's file, or remove it; an inherited rule's cases run with its own pack, or beside an override of it)"
            )
        };
        Some(Problem {
            code: STRAY_CASES,
            severity: DiagnosticSeverity::Warning,
            file: f.path.clone(),
            line: None,
            column: None,
            message,
        })
    })
}

fn text(source: &PackRef, files: &[PackFile], diags: &[Problem]) -> String {
    let mut out = String::new();
    for d in diags {
        snippet(&mut out, source, files, d);
    }
    let rules = files
        .iter()
        .filter(|f| f.path.starts_with("rules/") && f.path.ends_with(".rhai"))
        .count();
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let verdict = if diags.is_empty() {
        "no problems".to_owned()
    } else {
        format!("{}, {}", count(errors, "error"), count(warnings, "warning"))
    };
    let _ = writeln!(
        out,
        "{source}: {verdict} ({} checked)",
        count(rules, "rule")
    );
    out
}

/// One diagnostic, rustc style (rendered by annotate-snippets): the level and code, the
/// message, the place, and the source line with a caret under the column. The message, the
/// path and the source are the pack's: their control characters are shown escaped.
fn snippet(out: &mut String, source: &PackRef, files: &[PackFile], d: &Problem) {
    let level = match d.severity {
        DiagnosticSeverity::Error => Level::ERROR,
        DiagnosticSeverity::Warning => Level::WARNING,
    };
    let path = escape::line(&source.show_file(&d.file)).into_owned();
    let message = escape::line(&d.message);
    let title = level.primary_title(message).id(d.code);
    let text = files
        .iter()
        .find(|f| f.path == d.file)
        .map(|f| f.text.as_str());
    let at = text.zip(d.line).and_then(|(text, line)| {
        let span = span(text, line, d.column.unwrap_or(1))?;
        Some(escaped(text, span))
    });
    let group = match at {
        Some((text, span)) => title.element(
            Snippet::source(text)
                .path(path.as_str())
                .annotation(AnnotationKind::Primary.span(span)),
        ),
        None => {
            let mut origin = Origin::path(path.as_str());
            if let Some(line) = d.line {
                origin = origin.line(line as usize);
                if let Some(col) = d.column {
                    origin = origin.char_column(col as usize);
                }
            }
            title.element(origin)
        }
    };
    let _ = writeln!(out, "{}\n", Renderer::plain().render(&[group]));
}

/// `text` with its control characters shown escaped (its line breaks and tabs kept), and
/// where `span` of it is in the escaped text.
fn escaped(text: &str, span: Range<usize>) -> (String, Range<usize>) {
    let before = escape::lines(&text[..span.start]);
    let within = escape::lines(&text[span.clone()]);
    let after = escape::lines(&text[span.end..]);
    let start = before.len();
    let end = start + within.len();
    (format!("{before}{within}{after}"), start..end)
}

/// The bytes of `text` at a 1-based line and column (in characters): the character there, or
/// an empty span at the end of the line.
fn span(text: &str, line: u32, column: u32) -> Option<Range<usize>> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line as usize - 2)?.0 + 1
    };
    let line_text = text[start..].split('\n').next().unwrap_or_default();
    let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
    let mut chars = line_text
        .char_indices()
        .skip(column.saturating_sub(1) as usize);
    Some(match chars.next() {
        Some((at, c)) => start + at..start + at + c.len_utf8(),
        None => start + line_text.len()..start + line_text.len(),
    })
}
