//! The `facts` target: loading facts from up to four files (JSON syntax, repeated keys,
//! merging, the facts schema, record keys and origins), and strict loading of facts that
//! load.
//!
//! Input: the files' texts separated by NUL bytes, loaded as `a.json`, `b.json`, ...

use crate::{assert_line_within, is_digest, texts};
use attest_engine::facts::LoadOptions;
use attest_engine::{Facts, FactsError, FactsSource, Violation};
use serde_json::Value;
use std::collections::BTreeSet;

/// At most this many files per input.
const MAX_FILES: usize = 4;

/// Loads the input's files as facts, loosely and strictly, and checks both outcomes.
pub fn check(data: &[u8]) {
    let texts = texts(data, MAX_FILES);
    let names: Vec<String> = ["a.json", "b.json", "c.json", "d.json"]
        .iter()
        .take(texts.len())
        .map(|n| (*n).to_owned())
        .collect();
    let sources: Vec<FactsSource<'_>> = names
        .iter()
        .zip(&texts)
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    match Facts::load(&sources) {
        Ok(facts) => {
            loaded(&facts, &sources);
            strictly(&facts, &sources);
        }
        Err(e) => refused(&e, &sources),
    }
}

/// Loading strictly facts that loaded refuses exactly their warnings, with references left
/// unchecked in both loads (a reference naming no record stays a warning strictly too, after
/// the others). (Facts refused loosely are refused strictly too, by construction; the
/// fuzzer's time is better spent elsewhere.)
fn strictly(checked: &Facts, sources: &[FactsSource<'_>]) {
    let options = |strict| LoadOptions {
        strict,
        unchecked_references: true,
        ..LoadOptions::default()
    };
    let Ok(facts) = Facts::load_with(sources, &options(false)) else {
        panic!("facts that load refused without their references checked");
    };
    assert!(checked.warnings().starts_with(facts.warnings()));
    match Facts::load_with(sources, &options(true)) {
        Ok(strict) => {
            assert!(
                facts.warnings().is_empty(),
                "strict loading accepted warnings"
            );
            assert_eq!(facts.digest(), strict.digest());
        }
        Err(FactsError::Invalid(violations)) => {
            assert_eq!(facts.warnings(), violations.as_slice());
        }
        Err(e) => panic!("strict loading refused accepted facts for: {e}"),
    }
}

/// Facts that loaded: their digest, warnings, and every record's key and origin.
fn loaded(facts: &Facts, sources: &[FactsSource<'_>]) {
    assert!(is_digest(facts.digest()), "digest {}", facts.digest());
    for warning in facts.warnings() {
        located(warning, sources);
    }
    // The same files as serde_json reads them: each one a JSON object (no key repeated, or
    // loading would have refused them), top-level arrays concatenated in file order.
    let mut organization = None;
    let mut collections: Vec<(String, Vec<usize>)> = Vec::new();
    for (file, source) in sources.iter().enumerate() {
        let doc: Value = serde_json::from_str(source.text)
            .unwrap_or_else(|e| panic!("{}: loaded, but serde_json says {e}", source.name));
        let Value::Object(object) = doc else {
            panic!("{}: loaded, but is not an object", source.name)
        };
        for (key, value) in object {
            if key == "organization" {
                organization = Some(value.clone());
            }
            let Value::Array(items) = value else { continue };
            let files = std::iter::repeat_n(file, items.len());
            match collections.iter_mut().find(|(k, _)| *k == key) {
                Some((_, from)) => from.extend(files),
                None => collections.push((key, files.collect())),
            }
        }
    }
    let name = organization
        .as_ref()
        .and_then(|o| o.get("name"))
        .and_then(Value::as_str);
    assert_eq!(facts.organization(), name.unwrap_or_default());
    for (collection, files) in &collections {
        // Only names that need no escaping in a JSON Pointer, and collections facts-v1
        // defines (its collections are keyed; anything else was a warning).
        if !collection
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_')
            || facts.key(&format!("/{collection}/0")).is_none()
        {
            continue;
        }
        let mut keys = BTreeSet::new();
        for (i, file) in files.iter().enumerate() {
            let pointer = format!("/{collection}/{i}");
            let key = facts
                .key(&pointer)
                .unwrap_or_else(|| panic!("{pointer}: a record of a keyed collection has no key"));
            assert!(
                key.starts_with(&format!("{collection}/")),
                "{pointer}: key {key}"
            );
            assert!(keys.insert(key.clone()), "{pointer}: key {key} given twice");
            if let Some(origin) = facts.origin(&pointer) {
                let source = &sources[*file];
                assert_eq!(origin.file, source.name, "{pointer}: origin");
                assert_line_within(origin.line as usize, source.text, &pointer);
            }
        }
    }
}

/// Facts that were refused: the error names one of the files, a place within it, and a
/// reason that the files bear out.
fn refused(e: &FactsError, sources: &[FactsSource<'_>]) {
    assert!(!e.to_string().is_empty());
    let source = |name: &str| {
        sources
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("{e}: names no file of the input ({name})"))
    };
    let plain = |s: &FactsSource<'_>| serde_json::from_str::<Value>(s.text);
    match e {
        FactsError::Syntax(syntax) => {
            let s = source(&syntax.file);
            assert_line_within(syntax.line, s.text, e);
        }
        FactsError::NotAnObject { file } => {
            let doc = plain(source(file)).unwrap_or_else(|p| panic!("{e}, but: {p}"));
            assert!(!doc.is_object(), "{e}, but it is one");
        }
        FactsError::Conflict { key, first, second } => {
            for name in [first, second] {
                let doc = plain(source(name)).unwrap_or_else(|p| panic!("{e}, but: {p}"));
                assert!(doc.get(key).is_some(), "{e}, but {name} does not set it");
            }
        }
        FactsError::Invalid(violations) => {
            assert!(!violations.is_empty(), "invalid facts with no violation");
            for v in violations {
                located(v, sources);
            }
        }
        _ => {}
    }
}

/// A violation or warning names a file of the input and a line within it, when it has them.
fn located(v: &Violation, sources: &[FactsSource<'_>]) {
    assert!(
        v.pointer.is_empty() || v.pointer.starts_with('/'),
        "{v}: pointer"
    );
    assert!(!v.message.is_empty(), "{v}: no message");
    let Some(file) = &v.file else { return };
    let source = sources
        .iter()
        .find(|s| s.name == *file)
        .unwrap_or_else(|| panic!("{v}: names no file of the input"));
    if let Some(line) = v.line {
        assert_line_within(line as usize, source.text, v);
    }
}
