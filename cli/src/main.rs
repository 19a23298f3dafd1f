//! `attest`: SOC 2 controls as code. Evaluates facts about an organization against a rule
//! pack (the built-in SOC 2 pack by default) and reports every control's status.
//!
//! Exit codes: 0 nothing failed, 1 a control failed or a rule errored, 2 the input or the
//! pack could not be used.

// Output goes through `output::say` and `output::tell`: `println!` and `eprintln!` panic
// when standard output or error cannot be written (a full disk).
#![warn(clippy::print_stdout, clippy::print_stderr)]

mod bundle;
mod commands;
#[cfg(unix)]
mod file_size_limit;
mod import;
mod ledger;
mod notify;
mod output;
mod populations;
#[cfg(unix)]
mod termination;

use attest_cli::{config, evidence, inputs, packs};
use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Rules allocate and free many small values on every thread; mimalloc's per-thread heaps
/// keep that off the global lock the system allocator takes. Counting what each thread holds
/// is what holds every rule to its memory budget (`--max-memory`).
#[global_allocator]
static ALLOCATOR: attest_engine::alloc::CountingAlloc<mimalloc::MiMalloc> =
    attest_engine::alloc::CountingAlloc::new(mimalloc::MiMalloc);

/// SOC 2 controls as code.
#[derive(Parser)]
#[command(
    name = "attest",
    version,
    about = "SOC 2 controls as code: evaluate facts about an organization against rule packs",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate facts against a rule pack and report every control's status.
    Eval(commands::eval::Args),
    /// Check facts against the facts-v1 contract without evaluating them.
    Validate(commands::validate::Args),
    /// Turn exports (AWS IAM, Okta, GitHub, Google Workspace, any CSV) into facts.
    Import(commands::import::Args),
    /// Start a project: a facts folder of templates, attest.toml and a CI workflow.
    Init(commands::init::Args),
    /// Compare two reports: new failures, resolved, still failing, changed statuses.
    Diff(commands::diff::Args),
    /// Draw a reproducible sample from a rule's population, for auditors.
    Sample(commands::sample::Args),
    /// Run every rule case of packs as named tests, with line coverage on request.
    Test(commands::test::Args),
    /// Compile every rule and check a pack's manifest, catalog, rule metadata and the facts
    /// each rule reads.
    Check(commands::check::Args),
    /// Explain a rule (metadata, parameters, cases, source) or a control (its rules).
    Explain(commands::explain::Args),
    /// List a pack's rules, controls or parameters.
    List(commands::list::Args),
    /// Keep everything behind an evaluation for an auditor (facts, pack, report, ledger
    /// slice, a manifest of sha256s), or verify such a bundle.
    Bundle(commands::bundle::Args),
    /// Readiness and failures over the runs a ledger records.
    History(commands::history::Args),
    /// Check, list or repair a ledger of runs (`attest eval --ledger FILE`).
    #[command(subcommand)]
    Ledger(commands::ledger::Command),
    /// The vendor risk register: each vendor's inherent risk, gaps, residual risk and next
    /// review.
    Vendors(commands::vendors::Args),
    /// The to-do list per owner: failing findings, what lapses soon and the evidence to
    /// collect, by severity and due date.
    Todo(commands::todo::Args),
    /// Scaffold a rule with its cases in a pack folder.
    #[command(subcommand)]
    New(commands::new::Command),
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish).
    Completions(commands::completions::Args),
    /// Print the manual page, or write one per command into a folder.
    Man(commands::man::Args),
}

/// The outcome of a command, as an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: nothing failed.
    Clean = 0,
    /// 1: a control failed or a rule errored.
    Failed = 1,
    /// 2: the input or the pack could not be used.
    Unusable = 2,
}

fn main() -> ExitCode {
    attest_cli::allocator::return_freed_memory_promptly();
    #[cfg(unix)]
    file_size_limit::as_write_error();
    #[cfg(unix)]
    termination::removes_temporary_files();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Eval(args) => commands::eval::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Sample(args) => commands::sample::run(args),
        Command::Test(args) => commands::test::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::List(args) => commands::list::run(args),
        Command::Vendors(args) => commands::vendors::run(args),
        Command::Todo(args) => commands::todo::run(args),
        Command::New(command) => commands::new::run(command),
        Command::Ledger(command) => commands::ledger::run(command),
        Command::History(args) => commands::history::run(args),
        Command::Bundle(args) => commands::bundle::run(args),
        Command::Completions(args) => commands::completions::run(args, Cli::command()),
        Command::Man(args) => commands::man::run(args, Cli::command()),
    };
    let outcome = result.unwrap_or_else(|message| {
        // Values in messages are escaped where they are written; what is left of the
        // message's own lines is shown, never obeyed.
        crate::output::tell(&format!(
            "error: {}",
            attest_render::escape::lines(&message)
        ));
        Outcome::Unusable
    });
    ExitCode::from(outcome as u8)
}
