//! The test set-up every test crate of the workspace shares (these cross-crate tests, the
//! `attest` binary's tests and the wasm host's): paths within the repository, scratch
//! folders, the built-in pack, the example organization and its waivers, and minimal packs
//! written in a line.

// Test support: a missing fixture should stop the test at once, with the reason.
#![allow(clippy::panic)]

use attest_engine::{
    Engine, Facts, FactsSource, Limits, Pack, PackFile, Report, Status, Waivers, report::RuleError,
};
use std::path::{Path, PathBuf};

pub mod hostile;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// An empty scratch folder for one test, `attest-<test crate>-<name>` under the test
/// target's temporary directory (emptied first, if it was left over from a previous run).
///
/// A macro, because only the test crate itself knows that directory and its own name.
#[macro_export]
macro_rules! scratch {
    ($name:expr) => {
        $crate::empty_dir(
            &::std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
                "attest-{}-{}",
                env!("CARGO_CRATE_NAME"),
                $name
            )),
        )
    };
}

/// Empties `dir` (creating it if needed) and returns it.
pub fn empty_dir(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir.to_path_buf()
}

/// Writes a file below `dir` (creating folders) and returns its path as text.
pub fn write_file(dir: &Path, rel: &str, text: &str) -> String {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path.to_string_lossy().into_owned()
}

/// The built-in SOC 2 pack's files.
pub fn soc2_files() -> Vec<PackFile> {
    attest_rules::soc2()
        .map(|(path, text)| PackFile::new(path, text))
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

/// The example waivers, `examples/waivers.json`.
pub fn example_waivers() -> Waivers {
    let path = repo_root().join("examples/waivers.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Waivers::parse("examples/waivers.json", &text).unwrap_or_else(|e| panic!("{e}"))
}

/// Turns every result of rule `id` in `report` into the error a rule reports when it hits a
/// sandbox limit: status `error`, no findings, `error` attached, and its controls errored.
pub fn put_rule_in_error(report: &mut Report, id: &str, error: &RuleError) {
    for rule in report.rules.iter_mut().filter(|r| r.id == id) {
        rule.status = Status::Error;
        rule.findings.clear();
        rule.error = Some(error.clone());
    }
    for control in &mut report.controls {
        if control.rules.iter().any(|r| r == id) {
            control.status = Status::Error;
        }
    }
}

// ---- Minimal packs ----

/// The manifest of the minimal engine-level test pack `t`.
pub const MINIMAL_MANIFEST: &str =
    "name = \"t\"\nversion = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"t\"\n";

/// The catalog of the minimal pack: one control, CC1.1.
pub const MINIMAL_CATALOG: &str =
    "[[control]]\nid = \"CC1.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n";

/// A rule file of the minimal pack: rule `id` on CC1.1, reading `people`, with `body` after
/// its header.
pub fn minimal_rule(id: &str, body: &str) -> String {
    format!(
        "//! id = \"{id}\"\n//! title = \"t\"\n//! controls = [\"CC1.1\"]\n//! severity = \"low\"\n//! owner = \"HR\"\n//! facts = [\"people\"]\n//! remediation = \"r\"\n{body}"
    )
}

/// The minimal pack's files with these rules, as `(id, body)`, each in `rules/<id>.rhai`.
pub fn minimal_pack(rules: &[(&str, &str)]) -> Vec<PackFile> {
    let mut files = vec![
        PackFile::new("pack.toml", MINIMAL_MANIFEST),
        PackFile::new("controls.toml", MINIMAL_CATALOG),
    ];
    for (id, body) in rules {
        files.push(PackFile::new(
            format!("rules/{id}.rhai"),
            minimal_rule(id, body),
        ));
    }
    files
}

/// The manifest of the pack folder `tiny` that the `attest` binary's tests write.
pub const TINY_MANIFEST: &str =
    "name = \"tiny\"\nversion = \"0.1.0\"\nframework = \"SOC 2\"\ndescription = \"test pack\"\n";

/// The catalog of `tiny`: two access controls, CC6.1 and CC6.2.
pub const TINY_CATALOG: &str = "[[control]]\nid = \"CC6.1\"\ncategory = \"security\"\ngroup = \"Access\"\ntitle = \"Access is protected\"\n\n\
[[control]]\nid = \"CC6.2\"\ncategory = \"security\"\ngroup = \"Access\"\ntitle = \"Access is granted with care\"\n";

/// The header of a rule of `tiny`: `t.<name>` on `control`, reading `accounts`.
pub fn tiny_rule_header(name: &str, control: &str) -> String {
    format!(
        "//! id = \"t.{name}\"\n//! title = \"{name}\"\n//! controls = [\"{control}\"]\n//! severity = \"high\"\n//! owner = \"IT\"\n//! facts = [\"accounts\"]\n//! remediation = \"Fix it.\"\n"
    )
}

/// Writes `tiny` to `dir/pack` with these rules, as `(name, control, body)`, each in
/// `rules/<name>.rhai`, and returns the pack folder as text.
pub fn write_tiny_pack(dir: &Path, rules: &[(&str, &str, &str)]) -> String {
    write_file(dir, "pack/pack.toml", TINY_MANIFEST);
    write_file(dir, "pack/controls.toml", TINY_CATALOG);
    for (name, control, body) in rules {
        let text = tiny_rule_header(name, control) + *body;
        write_file(dir, &format!("pack/rules/{name}.rhai"), &text);
    }
    dir.join("pack").to_string_lossy().into_owned()
}

// ---- Organizations split into files ----

/// A facts document as the files of a facts folder: every top-level key that is not a list
/// goes to one of `files` files, and each list's records are spread across them (a folder's
/// lists concatenate in file-name order, so the records stay, in another order). `choices`
/// picks, in turn and cycling, the file of each key and each record; an empty `choices`
/// puts everything in the first file. Each file is pretty-printed JSON (`{}` when it got
/// nothing).
pub fn split_facts(doc: &serde_json::Value, files: usize, choices: &[u8]) -> Vec<String> {
    use serde_json::{Map, Value};
    let files = files.max(1);
    let mut parts: Vec<Map<String, Value>> = vec![Map::new(); files];
    let mut next = choices.iter().cycle();
    let mut pick = || next.next().map_or(0, |c| usize::from(*c) % files);
    for (key, value) in doc.as_object().into_iter().flatten() {
        match value {
            Value::Array(records) => {
                for record in records {
                    let part = &mut parts[pick()];
                    let list = part
                        .entry(key.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = list {
                        list.push(record.clone());
                    }
                }
            }
            other => {
                parts[pick()].insert(key.clone(), other.clone());
            }
        }
    }
    parts
        .into_iter()
        .map(|part| {
            let mut text = serde_json::to_string_pretty(&Value::Object(part)).unwrap_or_default();
            text.push('\n');
            text
        })
        .collect()
}

/// How many cases a property test runs: `PROPTEST_CASES` when set (to run more), else
/// `default` (small, so the suite stays fast).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// `doc` without the top-level collections whose bit is set in `dropped` (bit `i` for the
/// `i`-th key after `schema_version` and `organization`), so that organizations lacking
/// some facts are tested too.
pub fn drop_collections(doc: &mut serde_json::Value, dropped: u32) {
    if let Some(object) = doc.as_object_mut() {
        let mut i = 0;
        object.retain(|key, _| {
            if key == "schema_version" || key == "organization" {
                return true;
            }
            let keep = dropped & (1 << (i % 32)) == 0;
            i += 1;
            keep
        });
    }
}

/// A minimal pack of rules `t.r0`, `t.r1`... with these bodies, whose people have `x` and
/// `y` of any kind ([`ODD_EXTENSION`]), for [`odd_people`].
pub fn odd_pack(bodies: &[&str]) -> Vec<PackFile> {
    let ids: Vec<String> = (0..bodies.len()).map(|i| format!("t.r{i}")).collect();
    let named: Vec<(&str, &str)> = ids
        .iter()
        .map(String::as_str)
        .zip(bodies.iter().copied())
        .collect();
    let mut files = minimal_pack(&named);
    files.push(PackFile::new("facts.schema.json", ODD_EXTENSION));
    files
}

/// A pack extension by which people have `x` and `y`, of any kind (for [`odd_people`]).
pub const ODD_EXTENSION: &str = r#"{"properties": {"people": {"items": {"properties": {
    "x": {"description": "anything"}, "y": {"description": "anything"}}}}}}"#;

/// People whose `x` and `y` hold each kind of JSON value (a pack with [`ODD_EXTENSION`]
/// checks them), to hold a native way of running rules to Rhai's outcome on every kind.
pub fn odd_people(pack: &Pack) -> Facts {
    let odd = [
        r#""a""#,
        r#""b""#,
        "1",
        "2",
        "1.0",
        "1.5",
        "true",
        "false",
        "null",
        r#"["a"]"#,
        r#"{"y": "a"}"#,
        r#"{"y": null}"#,
        "{}",
    ];
    let mut people = Vec::new();
    for (i, x) in odd.iter().enumerate() {
        for (j, y) in odd.iter().enumerate().filter(|(j, _)| (i + j) % 3 == 0) {
            let status = ["active", "terminated"][(i + j) % 2];
            people.push(format!(
                r#"{{"id": "p{i}-{j}", "name": "n", "kind": "employee", "x": {x}, "y": {y},
                   "employment": {{"status": "{status}", "start_date": "2026-01-10"}}}}"#
            ));
        }
        // Someone with no `x` or `y` at all.
        people.push(format!(
            r#"{{"id": "q{i}", "name": "n", "kind": "contractor",
                "employment": {{"status": "active", "start_date": "2026-01-10"}}}}"#
        ));
    }
    let text = format!(
        r#"{{"schema_version": "1", "organization": {{"name": "T", "as_of": "2026-06-30"}},
            "people": [{}]}}"#,
        people.join(",")
    );
    let options = attest_engine::facts::LoadOptions {
        schema: pack.facts_schema().cloned(),
        ..attest_engine::facts::LoadOptions::default()
    };
    let source = FactsSource {
        name: "f.json",
        text: &text,
    };
    Facts::load_with(&[source], &options).unwrap_or_else(|e| panic!("{e}"))
}

/// A validator of the JSON Schema at `rel` from the repository root (Attest's schemas, the
/// official SARIF and OSCAL ones in `tests/fixtures/`), with formats checked.
pub fn schema_validator(rel: &str) -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every error of `doc` against `validator`, each after its instance path.
pub fn schema_errors(validator: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect()
}

/// Every format of a report, by name: text (no colour, 10 findings a rule), JSON, SARIF,
/// JUnit, Markdown, HTML and CSV.
pub fn every_format(
    report: &Report,
    context: &attest_render::Context,
) -> Vec<(&'static str, String)> {
    use attest_render::{self as render, TextOptions};
    let text = render::text(
        report,
        &TextOptions {
            color: false,
            max_findings: 10,
        },
    );
    vec![
        ("text", text),
        ("json", report.to_json()),
        ("sarif", render::sarif(report, context)),
        ("junit", render::junit(report)),
        ("markdown", render::markdown(report)),
        ("html", render::html(report, context)),
        ("csv", render::csv(report)),
    ]
}
