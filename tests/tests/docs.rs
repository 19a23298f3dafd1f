//! Docs kept in step with the code they describe: the diagnostics table of
//! docs/writing-rules.md lists exactly every `DiagnosticCode` with its severity and meaning,
//! the SOC 2 pack's README lists exactly its rules, with the controls, severity and owner
//! of each rule's header, and the frequency of each with how it reads an audit period, and
//! docs/security.md gives every field of `Limits` with its default.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{DiagnosticCode, DiagnosticSeverity, Limits, Pack, PackFile};
use std::path::Path;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The cells of each row of the first table after `heading`, header and rule rows left out.
fn table(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let after = doc
        .split_once(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("no `{heading}` section"))
        .1;
    after
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_diagnostics_table_lists_every_code_with_its_severity_and_meaning() {
    let documented = table(&read("docs/writing-rules.md"), "## Diagnostics");
    let expected: Vec<Vec<String>> = DiagnosticCode::ALL
        .iter()
        .map(|code| {
            let severity = match code.severity() {
                DiagnosticSeverity::Error => "error",
                DiagnosticSeverity::Warning => "warning",
            };
            vec![
                format!("`{code}`"),
                severity.to_owned(),
                code.meaning().to_owned(),
            ]
        })
        .collect();
    let rows = |t: &[Vec<String>]| -> String {
        t.iter()
            .map(|r| format!("| {} |\n", r.join(" | ")))
            .collect()
    };
    assert_eq!(
        rows(&documented),
        rows(&expected),
        "docs/writing-rules.md's diagnostics table is not DiagnosticCode's list (in engine/src/pack/diagnostic.rs)"
    );
}

#[test]
fn codes_serialize_as_their_kebab_case_names() {
    for code in DiagnosticCode::ALL {
        assert_eq!(
            serde_json::to_value(code).unwrap(),
            serde_json::Value::from(code.as_str())
        );
    }
}

#[test]
fn the_soc2_readme_lists_every_rule_as_its_header_says() {
    let files: Vec<PackFile> = attest_rules::soc2()
        .map(|(path, text)| PackFile::new(path, text))
        .collect();
    let pack = Pack::from_files(&files).unwrap();
    let mut expected: Vec<Vec<String>> = pack
        .rules()
        .iter()
        .map(|r| {
            vec![
                format!("`{}`", r.meta.id),
                r.meta.controls.join(", "),
                r.meta.severity.as_str().to_owned(),
                r.meta.owner.as_str().to_owned(),
            ]
        })
        .collect();
    let mut documented: Vec<Vec<String>> = table(&read("rules/soc2/README.md"), "## Rules")
        .into_iter()
        .map(|mut row| {
            assert_eq!(
                row.len(),
                5,
                "{row:?}: expected Rule, Controls, Severity, Owner, What"
            );
            assert!(!row[4].is_empty(), "{row:?}: say what the rule checks");
            row.truncate(4);
            row
        })
        .collect();
    expected.sort();
    documented.sort();
    assert_eq!(
        documented, expected,
        "rules/soc2/README.md's rules table differs from the rules' headers"
    );
}

#[test]
fn the_limits_table_gives_every_limit_with_its_default() {
    let rows = table(&read("docs/security.md"), "## Limits");
    // `Limits { max_operations: 50000000, ..., time_budget: Some(10s) }`: every field, with
    // its default's digits.
    let debug = format!("{:?}", Limits::default());
    let fields = debug
        .trim_start_matches("Limits {")
        .trim_end_matches('}')
        .split(", ")
        .map(|f| f.trim().split_once(": ").unwrap());
    let mut n = 0;
    for (name, value) in fields {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        let row = rows
            .iter()
            .find(|r| r[2].contains(&format!("`Limits::{name}`")))
            .unwrap_or_else(|| {
                panic!("docs/security.md's limits table has no row for Limits::{name}")
            });
        let default = row[1].replace(',', "");
        assert!(
            default
                .split(|c: char| !c.is_ascii_digit())
                .any(|number| number == digits),
            "docs/security.md gives `{}` as the default of Limits::{name}, which is {value}",
            row[1]
        );
        n += 1;
    }
    assert!(n >= 8, "{debug}");
}

#[test]
fn the_soc2_readme_says_how_often_each_rule_operates_and_how_it_reads_a_period() {
    let files: Vec<PackFile> = attest_rules::soc2()
        .map(|(path, text)| PackFile::new(path, text))
        .collect();
    let pack = Pack::from_files(&files).unwrap();
    let mut expected: Vec<Vec<String>> = pack
        .rules()
        .iter()
        .map(|r| {
            let frequency = r
                .meta
                .frequency
                .expect("every SOC 2 rule declares its frequency");
            vec![format!("`{}`", r.meta.id), frequency.as_str().to_owned()]
        })
        .collect();
    let mut documented: Vec<Vec<String>> = table(&read("rules/soc2/README.md"), "## Audit periods")
        .into_iter()
        .map(|mut row| {
            assert_eq!(
                row.len(),
                3,
                "{row:?}: expected Rule, Frequency, How it reads a period"
            );
            assert!(
                !row[2].is_empty(),
                "{row:?}: say how the rule reads a period"
            );
            row.truncate(2);
            row
        })
        .collect();
    expected.sort();
    documented.sort();
    assert_eq!(
        documented, expected,
        "rules/soc2/README.md's audit periods table differs from the rules' headers"
    );
}

#[test]
fn the_readmes_param_examples_name_parameters_of_the_built_in_pack() {
    let readme = read("README.md");
    let pack = attest_engine::Pack::from_files(&attest_tests::soc2_files()).unwrap();
    let named: Vec<&str> = readme
        .split("--param ")
        .skip(1)
        .filter_map(|rest| rest.trim_start_matches('\'').split('=').next())
        // Examples, not the usage line's `NAME=VALUE`.
        .filter(|name| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        })
        .collect();
    assert!(named.len() >= 2, "{named:?}");
    for name in named {
        assert!(
            pack.manifest().params.contains_key(name),
            "README.md: `--param {name}=...`: the built-in pack has no parameter `{name}`"
        );
    }
}

/// README's Architecture section counts the engine's names at the crate root as
/// `engine/src/lib.rs` re-exports them.
#[test]
fn the_readme_counts_the_engines_root_names() {
    let lib = read("engine/src/lib.rs");
    let mut names = 0;
    for statement in lib.split("pub use ").skip(1) {
        let items = statement.split(';').next().unwrap();
        let items = match items.split_once('{') {
            Some((_, list)) => list.trim_end().trim_end_matches('}').to_owned(),
            None => items.rsplit("::").next().unwrap().to_owned(),
        };
        names += items.split(',').filter(|n| !n.trim().is_empty()).count();
    }
    let readme = read("README.md");
    assert!(
        readme.contains(&format!(
            "The engine's public API is small on purpose: {names} names"
        )),
        "README's count differs from the {names} names engine/src/lib.rs re-exports"
    );
}
