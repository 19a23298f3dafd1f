//! Shared helpers for Attest's cross-crate tests: the built-in pack, the example
//! organization, and paths within the repository.

// Test support: a missing fixture should stop the test at once, with the reason.
#![allow(clippy::panic)]

use attest_engine::{Engine, Facts, FactsSource, Limits, Pack, PackFile};
use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The built-in SOC 2 pack's files.
pub fn soc2_files() -> Vec<PackFile> {
    attest_rules::soc2()
        .iter()
        .map(|(path, text)| PackFile::new(*path, *text))
        .collect()
}

/// The built-in SOC 2 pack, compiled with default limits.
pub fn soc2_engine() -> Engine {
    let pack = Pack::from_files(&soc2_files()).unwrap_or_else(|e| panic!("{e}"));
    Engine::new(pack, Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The example organization's files as (name relative to the repository, text), in
/// file-name order.
pub fn example_sources() -> Vec<(String, String)> {
    let dir = repo_root().join("examples/acme");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
            let name = p
                .strip_prefix(repo_root())
                .unwrap_or(&p)
                .display()
                .to_string();
            (name, text)
        })
        .collect()
}

/// Loads the example organization.
pub fn example_facts() -> Facts {
    let sources = example_sources();
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    Facts::load(&refs).unwrap_or_else(|e| panic!("{e}"))
}
