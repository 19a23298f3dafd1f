//! `attest todo`: the to-do list per owner. Evaluates the facts as `attest eval` does (same
//! inputs, pack, parameters, waivers and limits), then lists for each owner its failing
//! findings, what lapses soon and the evidence to collect, by severity and due date
//! (`attest_engine::report::todo` decides what is listed and in which order).

use super::run_inputs::{self, Evaluated, ReportArgs};
use crate::Outcome;
use crate::config;
use attest_engine::Owner;
use attest_engine::report::todo::TodoList;
use attest_render as render;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::path::PathBuf;

/// To-do list formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: each owner with its items in order, each with its record and fix.
    Text,
    /// Markdown: a table of items per owner, for an issue or a pull-request comment.
    Markdown,
    /// The todo-v1 JSON document (`schemas/todo.v1.schema.json`).
    Json,
    /// CSV (RFC 4180): one row per item.
    Csv,
}

/// Arguments of `attest todo`.
#[derive(clap::Args)]
pub struct Args {
    // The facts, pack, dates, parameters, evidence root, waivers and limits, as with
    // `attest eval`; waived findings are counted, not listed.
    #[command(flatten)]
    inputs: ReportArgs,
    /// Only this owner's items (its name in any case), listed even when it has nothing to
    /// do; `all` for every owner's (default: the configuration's `[todo] owner`, else all).
    #[arg(long, value_name = "NAME", ignore_case = true, value_parser = owner_parser())]
    owner: Option<Owners>,
    /// Output format [default: the configuration's `[todo] format`, else text].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write to FILE instead of stdout (`-` is stdout), whole or not at all (default: the
    /// configuration's `[todo] output`).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Whose items `--owner` asks for.
#[derive(Debug, Clone, Copy)]
enum Owners {
    /// Every owner's: overrides a configured `[todo] owner`.
    All,
    /// One owner's.
    One(Owner),
}

/// An owner's name, in any case, or `all`; completions offer every name, and an unknown one
/// is refused (exit 2) with the names there are.
fn owner_parser() -> impl TypedValueParser<Value = Owners> {
    PossibleValuesParser::new(Owner::ALL.map(Owner::as_str).into_iter().chain(["all"]))
        .try_map(|name: String| Owners::from_name(&name).ok_or(format!("unknown owner `{name}`")))
}

impl Owners {
    /// An owner's name in any case, or `all`.
    fn from_name(name: &str) -> Option<Owners> {
        match Owner::from_name(name) {
            Some(owner) => Some(Owners::One(owner)),
            None => name.eq_ignore_ascii_case("all").then_some(Owners::All),
        }
    }
}

/// Evaluates and prints the to-do list: exit 1 when an item listed is a failure no waiver
/// covers (a finding, missing or expired evidence) or a rule (of the owner asked for) is in
/// error, as `attest eval` exits 1 on one; 2 when an input cannot be used (nothing is
/// written then), 0 otherwise.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.inputs.config()?.todo;
    let (format, output) = config::format_and_output(
        (args.format, args.output.as_deref()),
        (&config.format, config.output.as_deref()),
        Format::Text,
    )?;
    let owners = match (args.owner, &config.owner) {
        (Some(owners), _) => owners,
        (None, Some(setting)) => Owners::from_name(&setting.value).ok_or_else(|| {
            format!(
                "{}: owner `{}` is not one of {}, all",
                setting.at,
                setting.value,
                Owner::names()
            )
        })?,
        (None, None) => Owners::All,
    };
    let Evaluated { report, .. } = args.inputs.evaluate(output)?;
    let mut todo = TodoList::new(&report);
    if let Owners::One(owner) = owners {
        todo = todo.for_owner(owner);
    }
    let content = match format {
        Format::Text => render::todo_text(&todo),
        Format::Markdown => render::todo_markdown(&todo),
        Format::Json => todo.to_json(),
        Format::Csv => render::todo_csv(&todo),
    };
    run_inputs::write_view(
        output,
        &content,
        &report,
        "the to-do list may miss its findings",
    )?;
    Ok(if todo.has_failures() {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}
