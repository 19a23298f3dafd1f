//! `attest completions SHELL`: the shell completion script for `attest`, on stdout.

use crate::Outcome;
use crate::output::Target;

/// Arguments of `attest completions`.
#[derive(clap::Args)]
pub struct Args {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Prints the completion script of `command` (the whole `attest` command line) for the shell.
pub fn run(args: &Args, mut command: clap::Command) -> Result<Outcome, String> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "attest", &mut script);
    let script = String::from_utf8(script).map_err(|e| format!("completions: {e}"))?;
    Target::Stdout.write(&script)?;
    Ok(Outcome::Clean)
}
