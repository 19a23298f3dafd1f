//! The auditor's bundle: made from the inputs and flags of `attest eval`, as a folder or a
//! deterministic zip; `attest bundle verify` re-checks every file against the manifest and
//! evaluates the bundle again to the same report digest, and names what was tampered with.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest_in, exit, scratch, stdout};
use serde_json::Value;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A copy of the examples, so the bundle's names are as a project would have them.
fn examples(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy(&common::repo().join("examples"), &dir.join("examples"));
    dir
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy(&p, &target);
        } else {
            fs::copy(&p, &target).unwrap();
        }
    }
}

fn bundle(dir: &Path, output: &str) -> std::process::Output {
    attest_in(
        dir,
        &[
            "bundle",
            "examples/acme",
            "--pack",
            "examples/acme-pack",
            "--waivers",
            "examples/waivers.json",
            "--ledger",
            "ledger.jsonl",
            "--output",
            output,
        ],
    )
}

fn verify(dir: &Path, bundle: &str) -> (i32, String) {
    let out = attest_in(dir, &["bundle", "verify", bundle]);
    (out.status.code().unwrap(), stdout(&out))
}

#[test]
fn a_folder_bundle_holds_the_run_and_verifies() {
    let dir = examples("folder");
    exit(
        &attest_in(&dir, &["eval", "examples/acme", "--ledger", "ledger.jsonl"]),
        1,
    );
    exit(&bundle(&dir, "audit"), 0);
    let b = dir.join("audit");
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(b.join("manifest.json")).unwrap()).unwrap();
    // The report is what `attest eval` writes for the same inputs.
    let eval = attest_in(
        &dir,
        &[
            "eval",
            "examples/acme",
            "--pack",
            "examples/acme-pack",
            "--waivers",
            "examples/waivers.json",
            "--format",
            "json",
        ],
    );
    let report = fs::read(b.join("report/report.json")).unwrap();
    assert_eq!(report, eval.stdout);
    // Facts in merge order with their names, the pack and the pack it extends, the waivers.
    let rerun = &manifest["rerun"];
    assert_eq!(rerun["facts"][0]["name"], "examples/acme/access.json");
    assert_eq!(
        fs::read(b.join(rerun["facts"][0]["path"].as_str().unwrap())).unwrap(),
        fs::read(dir.join("examples/acme/access.json")).unwrap()
    );
    assert_eq!(rerun["pack"][0]["name"], "examples/acme-pack");
    assert_eq!(rerun["pack"][1]["name"], "built-in pack soc2");
    assert!(b.join("pack/1/pack.toml").is_file() && b.join("pack/2/controls.toml").is_file());
    assert_eq!(rerun["waivers"]["name"], "examples/waivers.json");
    assert!(b.join("report/report.html").is_file() && b.join("report/report.oscal.json").is_file());
    // Every file is listed with its sha256.
    let files = manifest["files"].as_array().unwrap();
    let on_disk = walk(&b);
    assert_eq!(files.len() + 1, on_disk.len());
    // The ledger slice: both runs of the organization, the bundle's own included.
    assert_eq!(manifest["ledger"]["entries"], 2);
    let slice = fs::read_to_string(b.join("ledger/ledger.jsonl")).unwrap();
    assert_eq!(slice, fs::read_to_string(dir.join("ledger.jsonl")).unwrap());
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("{} files match the manifest", files.len())),
        "{text}"
    );
    assert!(text.contains("evaluated again: report digest"), "{text}");
    assert!(
        text.contains("ledger slice: 2 entries, chain intact, including this report's run"),
        "{text}"
    );
    // An existing bundle is never replaced.
    let again = bundle(&dir, "audit");
    exit(&again, 2);
    assert!(common::stderr(&again).contains("already exists"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn verify_names_what_was_tampered_with() {
    let dir = examples("tamper");
    exit(&bundle(&dir, "audit"), 0);
    let pristine = dir.join("pristine");
    copy(&dir.join("audit"), &pristine);
    let reset = || {
        fs::remove_dir_all(dir.join("audit")).unwrap();
        copy(&pristine, &dir.join("audit"));
    };
    let b = dir.join("audit");
    // A fact changed: the file no longer matches, and evaluation gives another report.
    let access = b.join("facts/01-access.json");
    let text = fs::read_to_string(&access).unwrap();
    fs::write(&access, text.replacen("\"mfa\": true", "\"mfa\": false", 1)).unwrap();
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("facts/01-access.json: changed"), "{out}");
    assert!(
        out.contains("evaluated again, the report digest is"),
        "{out}"
    );
    reset();
    // A rule changed and the manifest updated to match: evaluation still tells.
    let rule = b.join("pack/1/rules/access/shared-admins.rhai");
    fs::write(
        &rule,
        fs::read_to_string(&rule).unwrap() + "\n// harmless?\n",
    )
    .unwrap();
    let mut manifest: Value =
        serde_json::from_str(&fs::read_to_string(b.join("manifest.json")).unwrap()).unwrap();
    let digest = sha256(&fs::read(&rule).unwrap());
    for f in manifest["files"].as_array_mut().unwrap() {
        if f["path"] == "pack/1/rules/access/shared-admins.rhai" {
            f["sha256"] = Value::from(digest.clone());
        }
    }
    fs::write(
        b.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("files match the manifest"), "{out}");
    assert!(
        out.contains("evaluated again, the report digest is"),
        "{out}"
    );
    reset();
    // A file added, a file removed.
    fs::write(b.join("facts/10-extra.json"), "{}").unwrap();
    fs::remove_file(b.join("report/report.html")).unwrap();
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("facts/10-extra.json: not in the manifest"),
        "{out}"
    );
    assert!(out.contains("report/report.html: missing"), "{out}");
    reset();
    // A ledger entry edited.
    let ledger = b.join("ledger/ledger.jsonl");
    fs::write(
        &ledger,
        fs::read_to_string(&ledger)
            .unwrap()
            .replacen("\"seq\":1", "\"seq\":7", 1),
    )
    .unwrap();
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ledger/ledger.jsonl: changed"), "{out}");
    assert!(
        out.contains("ledger/ledger.jsonl: line 1: entry 7 was edited"),
        "{out}"
    );
}

fn sha256(bytes: &[u8]) -> String {
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn a_zip_bundle_is_deterministic_and_verifies() {
    let dir = examples("zip");
    exit(&bundle(&dir, "one.zip"), 0);
    exit(&bundle(&dir, "two.zip"), 0);
    let (code, text) = verify(&dir, "one.zip");
    assert_eq!(code, 0, "{text}");
    let entries = |name: &str| -> Vec<(String, Vec<u8>, String)> {
        let mut zip = zip::ZipArchive::new(fs::File::open(dir.join(name)).unwrap()).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut e = zip.by_index(i).unwrap();
                let mut bytes = Vec::new();
                e.read_to_end(&mut bytes).unwrap();
                let time = e
                    .last_modified()
                    .map(|t| format!("{}-{}-{}", t.year(), t.month(), t.day()))
                    .unwrap_or_default();
                (e.name().to_owned(), bytes, time)
            })
            .collect()
    };
    let (one, two) = (entries("one.zip"), entries("two.zip"));
    let names: Vec<&str> = one.iter().map(|e| e.0.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "entries in path order");
    assert!(one.iter().all(|e| e.2 == "1980-1-1"), "fixed time stamps");
    // Two bundles of the same evaluation differ only in the manifest (its time of making
    // and the ledger slice, which grew by the second run).
    for (a, b) in one.iter().zip(&two) {
        assert_eq!(a.0, b.0);
        if !matches!(a.0.as_str(), "manifest.json" | "ledger/ledger.jsonl") {
            assert_eq!(a.1, b.1, "{}", a.0);
        }
    }
    // A zip with a changed entry fails.
    let mut files = one.clone();
    for f in &mut files {
        if f.0 == "report/report.json" {
            f.1.extend_from_slice(b" ");
        }
    }
    let mut w = zip::ZipWriter::new(fs::File::create(dir.join("bad.zip")).unwrap());
    for (name, bytes, _) in &files {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, bytes).unwrap();
    }
    w.finish().unwrap();
    let (code, text) = verify(&dir, "bad.zip");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("report/report.json: changed"), "{text}");
    assert!(
        text.contains("report/report.json: not the report the manifest names"),
        "{text}"
    );
}
