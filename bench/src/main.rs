//! `attest-bench`: times `attest` on generated organizations, or writes one out.
//!
//! ```text
//! attest-bench [--people N]... [--facts FILE]... [--runs N] [--seed S] [--by-rule]
//!              [--handwritten] [--pack DIR]
//! attest-bench generate [--people N] [--seed S] [--output FILE]
//! ```

mod bench;
mod handwritten;
mod measure;
mod plain;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The allocator of the `attest` binary, counting included, so that the timings and the
/// memory are those of `attest`.
#[global_allocator]
static ALLOCATOR: attest_engine::alloc::CountingAlloc<mimalloc::MiMalloc> =
    attest_engine::alloc::CountingAlloc::new(mimalloc::MiMalloc);

/// Times read, validate, evaluate and render of `attest` on generated organizations, or
/// writes one out (`generate`).
#[derive(Parser)]
#[command(name = "attest-bench", args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    bench: bench::Args,
}

#[derive(Subcommand)]
enum Command {
    /// Write a generated organization's facts (facts v1, pretty-printed JSON).
    Generate(GenerateArgs),
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// Size of the organization, in people.
    #[arg(long, default_value_t = 1_000)]
    people: usize,
    /// Seed of the generator: the same size and seed always give the same document.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn generate(args: &GenerateArgs) -> Result<(), String> {
    let doc = attest_bench::generate(args.people, args.seed)?;
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    text.push('\n');
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            use std::io::Write;
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(|e| e.to_string())
        }
    }
}

fn main() -> ExitCode {
    attest_cli::allocator::return_freed_memory_promptly();
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Generate(args)) => generate(args),
        None => bench::run(&cli.bench),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
