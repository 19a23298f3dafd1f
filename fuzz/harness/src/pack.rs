//! The `pack` target: loading a pack from its files (the manifest `pack.toml`, the catalog
//! `controls.toml`, rules with their `//!` headers, helper modules), linting it, and
//! compiling it in the sandbox.
//!
//! Input: up to five files separated by NUL bytes. A file is `PATH\x01TEXT`, or just `TEXT`
//! for the default path of its place: `pack.toml`, `controls.toml`, `rules/fuzz/one.rhai`,
//! `rules/fuzz/two.rhai`, `lib/helpers.rhai`.

use crate::{is_digest, line_count, texts};
use attest_engine::{Diagnostic, DiagnosticCode, Engine, Limits, Pack, PackError, PackFile};
use std::collections::BTreeSet;

/// The path of each file that does not give its own.
const DEFAULT_PATHS: [&str; 5] = [
    "pack.toml",
    "controls.toml",
    "rules/fuzz/one.rhai",
    "rules/fuzz/two.rhai",
    "lib/helpers.rhai",
];

/// The files an input holds.
pub fn files(data: &[u8]) -> Vec<PackFile> {
    texts(data, DEFAULT_PATHS.len())
        .into_iter()
        .zip(DEFAULT_PATHS)
        .map(|(text, default)| match text.split_once('\x01') {
            Some((path, text)) => PackFile::new(path, text),
            None => PackFile::new(default, text),
        })
        .collect()
}

/// Limits small enough that a helper module's top-level code, which runs when the pack is
/// compiled, cannot hold up the fuzzer.
fn limits() -> Limits {
    Limits {
        max_operations: 20_000,
        ..Limits::default()
    }
}

/// Diagnostics only compiling a pack finds (its rules and helper modules).
const WHEN_COMPILED: [DiagnosticCode; 3] = [
    DiagnosticCode::SyntaxError,
    DiagnosticCode::ModuleError,
    DiagnosticCode::UnresolvedImport,
];

/// Loads the input's pack, then compiles it, or checks it as `attest check` does, and checks
/// that they agree.
pub fn check(data: &[u8]) {
    let files = files(data);
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let unique = paths.len() == files.len();
    let pack = Pack::from_files(&files);
    match &pack {
        Ok(pack) => {
            assert!(unique, "a pack with a path given twice loaded");
            loaded(pack, &files);
        }
        Err(e) => {
            let duplicate = e.0.iter().any(|d| d.code == DiagnosticCode::DuplicateFile);
            assert_eq!(duplicate, !unique, "{e}");
            refused(e, &files);
        }
    }
    // Helper modules run when a pack is compiled. `Engine::check` runs them under the default
    // limits, long enough to stall the fuzzer on a module that loops; a pack with modules is
    // compiled under small limits instead.
    if files.iter().any(|f| f.path.starts_with("lib/")) {
        if let Ok(pack) = pack
            && let Err(e) = Engine::new(pack, limits())
        {
            refused(&e, &files);
            for d in &e.0 {
                assert!(
                    WHEN_COMPILED.contains(&d.code),
                    "a loaded pack failed to compile for: {d}"
                );
            }
        }
        return;
    }
    let diagnostics = Engine::check(&files, None);
    for d in &diagnostics {
        located(d, &files);
    }
    match &pack {
        Ok(pack) => {
            for d in pack.warnings() {
                assert!(diagnostics.contains(d), "`attest check` misses: {d}");
            }
            for d in diagnostics.iter().filter(|d| d.is_error()) {
                assert!(
                    WHEN_COMPILED.contains(&d.code),
                    "the pack loaded, but `attest check` says: {d}"
                );
            }
        }
        Err(e) => {
            for d in &e.0 {
                assert!(diagnostics.contains(d), "`attest check` misses: {d}");
            }
        }
    }
}

/// A pack that loaded: its digest, unique rule and control ids, every rule mapped to
/// controls of the catalog, and warnings that are only warnings.
fn loaded(pack: &Pack, files: &[PackFile]) {
    assert!(is_digest(pack.digest()), "digest {}", pack.digest());
    for d in pack.warnings() {
        assert!(!d.is_error(), "an error among the warnings: {d}");
        located(d, files);
    }
    let mut controls = BTreeSet::new();
    for control in pack.controls() {
        assert!(
            controls.insert(&control.id),
            "control {} listed twice",
            control.id
        );
    }
    let mut rules = BTreeSet::new();
    for rule in pack.rules() {
        let id = &rule.meta.id;
        assert!(rules.insert(id), "rule {id} loaded twice");
        assert!(
            !rule.meta.controls.is_empty(),
            "rule {id} maps to no control"
        );
        for control in &rule.meta.controls {
            assert!(
                pack.control(control).is_some(),
                "rule {id} maps to {control}, which the catalog does not have"
            );
        }
    }
}

/// A pack refused: at least one diagnostic, every one an error.
fn refused(e: &PackError, files: &[PackFile]) {
    assert!(!e.0.is_empty(), "a pack refused with no diagnostic");
    assert!(!e.to_string().is_empty());
    for d in &e.0 {
        assert!(d.is_error(), "a pack refused for a warning: {d}");
        located(d, files);
    }
}

/// A diagnostic names a file of the pack (or the file it lacks) and a place within it.
fn located(d: &Diagnostic, files: &[PackFile]) {
    assert!(!d.message.is_empty(), "{d}: no message");
    assert_eq!(d.severity, d.code.severity(), "{d}: severity");
    // A path given twice is refused (`duplicate-file`); the other diagnostics may then be about
    // either file.
    let texts: Vec<&str> = files
        .iter()
        .filter(|f| f.path == d.file)
        .map(|f| f.text.as_str())
        .collect();
    if texts.is_empty() {
        assert!(
            ["pack.toml", "controls.toml"].contains(&d.file.as_str()) && d.line.is_none(),
            "{d}: names no file of the pack"
        );
        return;
    }
    if let Some(line) = d.line {
        let within = |text: &&str| (1..=line_count(text)).contains(&(line as usize));
        assert!(
            texts.iter().any(within),
            "{d}: line {line} is outside its file"
        );
        assert!(d.column.is_none_or(|c| c >= 1), "{d}: column");
    }
}
