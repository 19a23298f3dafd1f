//! What the `attest` command reads before it evaluates anything: facts files and folders,
//! pack folders with the packs they extend, `attest.toml`, and the evidence files an
//! evidence root holds. Shared with the project's development tools (`attest-bench`), so
//! that they read packs exactly as `attest` does.

pub mod allocator;
pub mod config;
pub mod evidence;
pub mod inputs;
pub mod packs;
