//! `attest man`: manual pages in roff, from the same definitions as `--help`: `attest(1)` on
//! stdout, or with `--output DIR` a page per command (`attest.1`, `attest-eval.1`, ...).

use crate::Outcome;
use crate::output::Target;
use std::path::PathBuf;

/// Arguments of `attest man`.
#[derive(clap::Args)]
pub struct Args {
    /// Write a page per command into this folder (`attest.1`, `attest-eval.1`, ...), each
    /// atomically, instead of printing `attest(1)`.
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
}

/// Prints `attest(1)`, or writes every command's page into `--output`.
pub fn run(args: &Args, command: clap::Command) -> Result<Outcome, String> {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let Some(dir) = &args.output else {
        let (_, page) = page(command)?;
        Target::Stdout.write(&page)?;
        return Ok(Outcome::Clean);
    };
    if !dir.exists() {
        return Err(format!(
            "{}: no such folder: make it first (mkdir -p {0})",
            dir.display()
        ));
    }
    if !dir.is_dir() {
        return Err(format!("{}: not a folder", dir.display()));
    }
    // Every page is rendered before any is written.
    let mut pages = Vec::new();
    collect(command, &mut pages)?;
    for (name, text) in &pages {
        let path = dir.join(name);
        Target::File(&path).write(text)?;
    }
    Ok(Outcome::Clean)
}

/// The pages of `command` and of each of its visible subcommands, depth first.
fn collect(command: clap::Command, pages: &mut Vec<(String, String)>) -> Result<(), String> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub.clone(), pages)?;
    }
    pages.push(page(command)?);
    Ok(())
}

/// One command's page: (file name, roff text).
fn page(command: clap::Command) -> Result<(String, String), String> {
    let man = clap_mangen::Man::new(command);
    let mut text = Vec::new();
    man.render(&mut text).map_err(|e| format!("man: {e}"))?;
    let text = String::from_utf8(text).map_err(|e| format!("man: {e}"))?;
    Ok((man.get_filename(), text))
}
