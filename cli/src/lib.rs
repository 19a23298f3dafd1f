//! What the `attest` command reads before it evaluates anything: facts files and folders,
//! pack folders with the packs they extend, `attest.toml`, and the evidence files an
//! evidence root holds. Shared with the project's development tools (`attest-bench`), so
//! that they read packs exactly as `attest` does.

// Nothing here prints: problems are returned to the command, which tells them.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod allocator;
pub mod config;
pub mod evidence;
pub mod inputs;
pub mod packs;
