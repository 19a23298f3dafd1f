//! The WebAssembly module (through its JS wrapper, in Node) against this `attest` binary, byte
//! for byte: every report format of the example organization with its waivers, the public
//! view, the to-do list, diffs of two reports, `attest check` and `attest test` of the built-in pack's folder, of the
//! example company pack (which extends it) and of a broken pack. Builds the module with
//! `wasm/build.sh` (in `target/wasm-module`) unless `ATTEST_WASM` names one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest, repo, scratch, stderr};
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The module: `$ATTEST_WASM`, or `wasm/pkg/attest.wasm` freshly built.
fn module() -> PathBuf {
    if let Some(path) = std::env::var_os("ATTEST_WASM") {
        return PathBuf::from(path);
    }
    let out = Command::new("bash")
        .arg(repo().join("wasm/build.sh"))
        .env("CARGO_TARGET_DIR", repo().join("target/wasm-module"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wasm/build.sh failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    repo().join("wasm/pkg/attest.wasm")
}

/// A folder's files as the module takes them (`[{path, text}]`, paths within it, sorted), as
/// `attest` reads a pack folder.
fn folder(dir: &Path) -> Vec<Value> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|(path, text)| json!({"path": path, "text": text}))
        .collect()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_module_writes_what_the_cli_writes() {
    let wasm = module();
    let dir = scratch("parity");
    let facts: Vec<Value> = attest_tests::example_sources()
        .into_iter()
        .map(|(name, text)| json!({"name": name, "text": text}))
        .collect();
    let waivers = json!({"name": "examples/waivers.json", "text": read(&repo().join("examples/waivers.json"))});
    let mut cases = Vec::new();

    // Every format, and the public view, as `attest eval` writes them to files.
    let formats = ["text", "json", "markdown", "html", "sarif", "junit", "csv"];
    for redact in [false, true] {
        let formats: &[&str] = if redact { &formats[..4] } else { &formats };
        let mut args = vec![
            "eval",
            "examples/acme",
            "--waivers",
            "examples/waivers.json",
        ];
        if redact {
            args.push("--redact");
        }
        let outputs: Vec<String> = formats
            .iter()
            .map(|f| format!("{f}={}", dir.join(format!("{redact}.{f}")).display()))
            .collect();
        let first = dir.join(format!("{redact}.main"));
        let first = first.to_string_lossy();
        args.extend(["--output", &first]);
        for o in &outputs {
            args.extend(["--output", o]);
        }
        let o = attest(&args);
        assert_eq!(common::code(&o), 1, "{}", stderr(&o));
        for f in formats {
            let options = json!({"waivers": waivers, "redact": redact});
            cases.push(json!({
                "name": format!("eval --format {f}{}", if redact { " --redact" } else { "" }),
                "method": "render",
                "args": [facts, f, options],
                "expected": read(&dir.join(format!("{redact}.{f}"))),
            }));
        }
    }

    // The to-do list in each of its formats, and one owner's.
    for (f, owner) in [
        ("text", None),
        ("markdown", None),
        ("json", None),
        ("csv", None),
        ("text", Some("it")),
    ] {
        let out = dir.join(format!("todo.{f}.{}", owner.unwrap_or("all")));
        let out = out.to_string_lossy();
        let mut args = vec![
            "todo",
            "examples/acme",
            "--waivers",
            "examples/waivers.json",
        ];
        args.extend(["--format", f, "--output", &out]);
        args.extend(owner.iter().flat_map(|o| ["--owner", *o]));
        let o = attest(&args);
        assert_eq!(common::code(&o), 1, "{}", stderr(&o));
        cases.push(json!({
            "name": format!("todo --format {f} --owner {owner:?}"),
            "method": "renderTodo",
            "args": [facts, f, {"waivers": waivers, "owner": owner}],
            "expected": read(Path::new(out.as_ref())),
        }));
    }

    // A diff: the example's first five months without waivers, then as it is with them.
    let base = dir.join("base.json");
    let o = attest(&[
        "eval",
        "examples/acme",
        "--as-of",
        "2026-05-31",
        "--period",
        "2026-01-01..2026-05-31",
        "--format",
        "json",
        "--output",
        &base.to_string_lossy(),
    ]);
    assert_eq!(common::code(&o), 1, "{}", stderr(&o));
    let new = dir.join("false.json");
    for f in ["text", "json", "markdown"] {
        let out = dir.join(format!("diff.{f}"));
        let o = attest(&[
            "diff",
            &base.to_string_lossy(),
            &new.to_string_lossy(),
            "--format",
            f,
            "--output",
            &out.to_string_lossy(),
        ]);
        assert!(common::code(&o) <= 1, "{}", stderr(&o));
        cases.push(json!({
            "name": format!("diff --format {f}"),
            "method": "diff",
            "args": [read(&base), read(&new), {"format": f}],
            "expected": read(&out),
        }));
    }

    // check and test: the built-in pack (given as its files: the module carries none of its
    // cases), the example company pack, and a broken pack.
    let broken = dir.join("broken-pack");
    copy_dir(&repo().join("examples/acme-pack"), &broken);
    let rule = broken.join("rules/access/shared-admins.rhai");
    let text = read(&rule).replacen("for ", "for for ", 1);
    fs::write(&rule, text).unwrap();
    let broken = broken.to_string_lossy().into_owned();
    for (pack, name) in [
        ("rules/soc2", Some("rules/soc2")),
        ("examples/acme-pack", Some("examples/acme-pack")),
        (broken.as_str(), Some(broken.as_str())),
    ] {
        let files = name.map(|n| folder(&repo().join(n)));
        let options = json!({"name": name});
        let o = attest(&["check", pack, "--format", "json"]);
        cases.push(json!({
            "name": format!("check {pack}"),
            "method": "checkJson",
            "args": [files, options],
            "expected": common::stdout(&o),
        }));
        if pack != broken {
            let o = attest(&["test", pack, "--format", "json"]);
            assert_eq!(common::code(&o), 0, "{}", stderr(&o));
            cases.push(json!({
                "name": format!("test {pack}"),
                "method": "testJson",
                "args": [files, options],
                "expected": common::stdout(&o),
            }));
        }
    }
    // A pack's files given without their folder: as `attest check .` and `attest test .` show
    // the pack, run in its folder.
    let acme = repo().join("examples/acme-pack");
    for (command, method, dir) in [
        ("check", "checkJson", Path::new(&broken)),
        ("test", "testJson", acme.as_path()),
    ] {
        let o = common::attest_in(dir, &[command, ".", "--format", "json"]);
        assert!(common::code(&o) <= 1, "{}", stderr(&o));
        cases.push(json!({
            "name": format!("{command} . in {}", dir.display()),
            "method": method,
            "args": [folder(dir), {}],
            "expected": common::stdout(&o),
        }));
    }
    let o = attest(&["test", "rules/soc2", "--format", "json", "--filter", "mfa"]);
    cases.push(json!({
        "name": "test rules/soc2 --filter mfa",
        "method": "testJson",
        "args": [folder(&repo().join("rules/soc2")), {"name": "rules/soc2", "filter": ["mfa"]}],
        "expected": common::stdout(&o),
    }));

    let file = dir.join("cases.json");
    fs::write(&file, serde_json::to_string(&cases).unwrap()).unwrap();
    let out = Command::new("node")
        .arg(repo().join("wasm/test/cli-parity.mjs"))
        .arg(&file)
        .arg(&wasm)
        .output()
        .expect("node (20 or later) must be on the PATH");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("{} passed, 0 failed", cases.len())),
        "{text}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}
