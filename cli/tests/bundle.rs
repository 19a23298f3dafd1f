//! The auditor's bundle: made from the inputs and flags of `attest eval`, as a folder or a
//! deterministic zip; `attest bundle verify` re-checks every file against the manifest and
//! evaluates the bundle again to the same report digest, and names what was tampered with.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::bundle::{
    bundle, copy, examples, manifest, relist, sha256, unlist, verify, walk, write_manifest,
};
use common::{attest_in, exit, stderr};
use serde_json::Value;
use std::fs;
use std::io::Read;
use std::path::Path;

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
    relist(&b, "pack/1/rules/access/shared-admins.rhai");
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
    reset();
    // The manifest's ledger head changed: the slice does not end there.
    let mut m = manifest(&b);
    let head = m["ledger"]["head"].as_str().unwrap().to_owned();
    assert_eq!(m["ledger"]["entries"], 1);
    m["ledger"]["head"] = Value::from("0".repeat(64));
    write_manifest(&b, &m);
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "ledger/ledger.jsonl: its last entry's hash is {head}, but the manifest's ledger.head is {}",
            "0".repeat(64)
        )),
        "{out}"
    );
    assert!(!out.contains("chain intact"), "{out}");
    reset();
    // What the manifest says of the run is checked against the run evaluated again.
    let mut m = manifest(&b);
    m["facts_digest"] = Value::from("0".repeat(64));
    m["organization"] = Value::from("Other Org");
    write_manifest(&b, &m);
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "manifest.json: facts_digest is \"{}\", but evaluating the bundle again gives",
            "0".repeat(64)
        )),
        "{out}"
    );
    assert!(
        out.contains("manifest.json: organization is \"Other Org\", but evaluating the bundle again gives \"Acme Analytics, Inc.\""),
        "{out}"
    );
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

#[test]
fn a_zip_another_reader_would_read_differently_is_refused() {
    let dir = examples("zip-shapes");
    exit(&bundle(&dir, "good.zip"), 0);
    let good = fs::read(dir.join("good.zip")).unwrap();
    let refused = |name: &str, bytes: &[u8], says: &str| {
        let err = verify_refused(&dir, name, bytes);
        assert!(err.contains(says), "{name}: {err}");
    };
    // Two entries of one name: of two names of one length, the second is renamed to the
    // first, in its entry's header and in the directory. Readers differ on which copy they
    // show.
    let mut renamed = good.clone();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&good)).unwrap();
    let all: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_owned())
        .collect();
    let (first, second) = all
        .iter()
        .enumerate()
        .find_map(|(i, x)| {
            all[i + 1..]
                .iter()
                .find(|y| y.len() == x.len())
                .map(|y| (x.clone(), y.clone()))
        })
        .unwrap();
    let mut at = 0;
    while let Some(i) = find(&renamed[at..], second.as_bytes()) {
        renamed[at + i..at + i + second.len()].copy_from_slice(first.as_bytes());
        at += i + second.len();
    }
    refused(
        "twice.zip",
        &renamed,
        &format!("{first}: the zip names this file twice"),
    );
    // Bytes before the archive (a script), or after it.
    let mut prefixed = b"#!/bin/sh\necho hi\n".to_vec();
    prefixed.extend_from_slice(&good);
    refused(
        "prefixed.zip",
        &prefixed,
        "bytes the zip's directory does not account for",
    );
    let mut appended = good.clone();
    appended.extend_from_slice(b"trailing");
    refused(
        "appended.zip",
        &appended,
        "its end record is missing, damaged, or followed by other bytes",
    );
    // A link, whose text a reader would take for the file.
    let mut w = zip::ZipWriter::new(fs::File::create(dir.join("link.zip")).unwrap());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&good)).unwrap();
    for i in 0..zip.len() {
        let mut e = zip.by_index(i).unwrap();
        let name = e.name().to_owned();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        if name == "facts/06-org.json" {
            w.add_symlink(
                name.as_str(),
                "/etc/passwd",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
        } else {
            w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, &bytes).unwrap();
        }
    }
    w.finish().unwrap();
    let out = attest_in(&dir, &["bundle", "verify", "link.zip"]);
    exit(&out, 2);
    assert!(
        stderr(&out)
            .contains("facts/06-org.json: a symbolic link: a bundle holds its files itself"),
        "{}",
        stderr(&out)
    );
    // The bundle as made still verifies.
    assert_eq!(verify(&dir, "good.zip").0, 0);
}

/// Writes `bytes` as the bundle `name` in `dir`, runs `attest bundle verify` on it, which
/// must refuse it (exit 2), and returns what it said on stderr.
fn verify_refused(dir: &Path, name: &str, bytes: &[u8]) -> String {
    fs::write(dir.join(name), bytes).unwrap();
    let out = attest_in(dir, &["bundle", "verify", name]);
    exit(&out, 2);
    stderr(&out)
}

/// Little-endian integers of a zip, read and written in place.
fn le(bytes: &[u8], at: usize, len: usize) -> u64 {
    (0..len).map(|i| u64::from(bytes[at + i]) << (8 * i)).sum()
}

fn set_le(bytes: &mut [u8], at: usize, len: usize, value: u64) {
    for i in 0..len {
        bytes[at + i] = (value >> (8 * i)) as u8;
    }
}

/// The entries of a zip (no comment) as its central directory lists them: (name, offset of
/// its own header, where its directory entry is).
fn listed(zip: &[u8]) -> Vec<(String, usize, usize)> {
    let end = zip.len() - 22;
    let (count, mut at) = (le(zip, end + 10, 2), le(zip, end + 16, 4) as usize);
    (0..count)
        .map(|_| {
            let n = le(zip, at + 28, 2) as usize;
            let name = String::from_utf8(zip[at + 46..at + 46 + n].to_vec()).unwrap();
            let entry = (name, le(zip, at + 42, 4) as usize, at);
            at += 46 + n + le(zip, at + 30, 2) as usize + le(zip, at + 32, 2) as usize;
            entry
        })
        .collect()
}

/// `zip` with `hidden` put at offset `at`, and every offset past it moved so that its
/// directory still finds each entry it lists, and none of `hidden`; or, `grown`, the
/// compressed size of the entry whose data ends at `at` grown to take `hidden` in.
fn hide(zip: &[u8], at: usize, hidden: &[u8], grown: bool) -> Vec<u8> {
    let mut out = zip.to_vec();
    let len = hidden.len() as u64;
    for (_, local, central) in listed(zip) {
        if local >= at {
            set_le(&mut out, central + 42, 4, (local as u64) + len);
        }
        let data_end = local
            + 30
            + (le(zip, local + 26, 2) + le(zip, local + 28, 2) + le(zip, central + 20, 4)) as usize;
        if grown && data_end == at {
            let size = le(zip, central + 20, 4) + len;
            set_le(&mut out, central + 20, 4, size);
            set_le(&mut out, local + 18, 4, size);
        }
    }
    let end = out.len() - 22;
    let dir_at = le(&out, end + 16, 4);
    set_le(&mut out, end + 16, 4, dir_at + len);
    out.splice(at..at, hidden.iter().copied());
    out
}

/// Content hidden in a zip where its central directory does not look: an entry between
/// two others, or after the last one, is shown by a reader that walks the entries from the
/// start (the zip crate's streaming reader shows it) and not by one that reads the
/// directory (the zip crate's archive reader): `bundle verify` refuses every byte the
/// directory does not account for, naming its offset, as it refuses an entry named with a
/// `\` (a separator to some readers, part of the name to others), which it used to read as
/// a `/`.
#[test]
fn content_the_zips_directory_does_not_list_is_refused() {
    let dir = examples("zip-hidden");
    exit(&bundle(&dir, "good.zip"), 0);
    let good = fs::read(dir.join("good.zip")).unwrap();
    let refused = |name: &str, bytes: &[u8], says: &str| {
        let err = verify_refused(&dir, name, bytes);
        assert!(err.contains(&format!("{name}: {says}")), "{name}: {err}");
    };
    // The entry to hide: one file, stored, as its own header and data.
    let mut one = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    one.start_file("evidence/hidden.txt", stored).unwrap();
    std::io::Write::write_all(&mut one, b"never verified\n").unwrap();
    let one = one.finish().unwrap().into_inner();
    let hidden = &one[..listed(&one)[0].2];
    let mut entries = listed(&good);
    entries.sort_by_key(|e| e.1);
    let (second, second_at) = (&entries[1].0, entries[1].1);
    let dir_at = le(&good, good.len() - 22 + 16, 4) as usize;
    let streamed = |bytes: &[u8]| {
        let mut reader = std::io::Cursor::new(bytes);
        let mut names = Vec::new();
        while let Some(e) = zip::read::read_zipfile_from_stream(&mut reader).unwrap() {
            names.push(e.name().to_owned());
        }
        names
    };
    for (name, at, place) in [
        (
            "between.zip",
            second_at,
            format!("before the entry {second}"),
        ),
        (
            "after.zip",
            dir_at,
            "between its last entry and its directory".to_owned(),
        ),
    ] {
        let bytes = hide(&good, at, hidden, false);
        // The directory's reader sees the bundle's files alone; the streaming one sees more.
        let zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        assert_eq!(zip.len(), entries.len());
        assert!(zip.file_names().all(|n| n != "evidence/hidden.txt"));
        assert!(streamed(&bytes).contains(&"evidence/hidden.txt".to_owned()));
        refused(
            name,
            &bytes,
            &format!("at offset {at}: bytes the zip's directory does not account for ({place})"),
        );
    }
    // Bytes after an entry's compressed data, within the size the directory gives it.
    let (first, first_at) = (&entries[0].0, entries[0].1);
    let data_end = {
        let central = entries[0].2;
        first_at
            + 30
            + (le(&good, first_at + 26, 2)
                + le(&good, first_at + 28, 2)
                + le(&good, central + 20, 4)) as usize
    };
    refused(
        "grown.zip",
        &hide(&good, data_end, hidden, true),
        &format!(
            "at offset {data_end}: bytes the zip's directory does not account for (after the end of the compressed data of {first}"
        ),
    );
    // A `\` in an entry's name: `facts\06-org.json` read as `facts/06-org.json` verified.
    let mut backslash = good.clone();
    let mut at = 0;
    while let Some(i) = find(&backslash[at..], b"facts/06-org.json") {
        backslash[at + i + 5] = b'\\';
        at += i + 1;
    }
    refused(
        "backslash.zip",
        &backslash,
        "facts\\06-org.json: a `\\` in the entry's name",
    );
    assert_eq!(verify(&dir, "good.zip").0, 0);
}

/// On Unix a `\` is part of a file's name: a pack file so named is kept as it is in a folder
/// bundle, which verifies; a zip would have it read as a folder separator by some readers,
/// so a zip bundle of it is refused, naming the file, and nothing is written or recorded.
#[cfg(unix)]
#[test]
fn a_file_named_with_a_backslash_is_kept_in_a_folder_and_refused_in_a_zip() {
    let dir = examples("backslash");
    let pack = dir.join("examples/acme-pack/lib");
    fs::copy(pack.join("text.rhai"), pack.join("more\\text.rhai")).unwrap();
    exit(&bundle(&dir, "audit"), 0);
    assert!(dir.join("audit/pack/1/lib/more\\text.rhai").is_file());
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    let ledger = fs::read(dir.join("ledger.jsonl")).unwrap();
    let out = bundle(&dir, "audit.zip");
    exit(&out, 2);
    assert!(
        stderr(&out).contains("audit.zip: pack/1/lib/more\\text.rhai: a `\\` in the file's name"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("audit.zip").exists());
    assert_eq!(
        fs::read(dir.join("ledger.jsonl")).unwrap(),
        ledger,
        "no run recorded"
    );
}

#[cfg(unix)]
#[test]
fn a_bundle_folder_file_that_is_a_link_out_of_it_is_refused() {
    let dir = examples("folder-link");
    exit(&bundle(&dir, "audit"), 0);
    let org = dir.join("audit/facts/06-org.json");
    let outside = dir.join("outside.json");
    fs::copy(&org, &outside).unwrap();
    fs::remove_file(&org).unwrap();
    std::os::unix::fs::symlink(&outside, &org).unwrap();
    let out = attest_in(&dir, &["bundle", "verify", "audit"]);
    exit(&out, 2);
    assert!(
        stderr(&out).contains(
            "facts/06-org.json: a symbolic link to a file: a bundle holds its files itself"
        ),
        "{}",
        stderr(&out)
    );
    // A link to nothing is named as a link too, not as a file not found.
    fs::remove_file(&outside).unwrap();
    let out = attest_in(&dir, &["bundle", "verify", "audit"]);
    exit(&out, 2);
    assert!(
        stderr(&out).contains("facts/06-org.json: a symbolic link to nothing there ("),
        "{}",
        stderr(&out)
    );
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn the_bundle_holds_every_rules_population_and_verify_checks_them() {
    let dir = examples("populations");
    exit(&bundle(&dir, "audit"), 0);
    let b = dir.join("audit");
    // The same files `attest eval --populations` writes for the same inputs.
    let eval = attest_in(
        &dir,
        &[
            "eval",
            "examples/acme",
            "--pack",
            "examples/acme-pack",
            "--waivers",
            "examples/waivers.json",
            "--populations",
            "pops",
        ],
    );
    exit(&eval, 1);
    let written = walk(&dir.join("pops"));
    assert!(written.len() > 100, "{}", written.len());
    for file in &written {
        let rel = file.strip_prefix(dir.join("pops")).unwrap();
        assert_eq!(
            fs::read(b.join("populations").join(rel)).unwrap(),
            fs::read(file).unwrap(),
            "{}",
            rel.display()
        );
    }
    assert_eq!(walk(&b.join("populations")).len(), written.len());
    // Listed in the manifest with their sha256.
    let m = manifest(&b);
    assert_eq!(m["populations"], "populations");
    let index = fs::read(b.join("populations/index.csv")).unwrap();
    assert!(
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "populations/index.csv" && f["sha256"] == sha256(&index))
    );
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!(
            "populations: {} files, as the evaluation gives them",
            written.len()
        )),
        "{text}"
    );
    // A record dropped from a population, the manifest covering it: evaluating again tells.
    let pristine = dir.join("pristine");
    copy(&b, &pristine);
    let csv = "populations/access.mfa-privileged.csv";
    let text = fs::read_to_string(b.join(csv)).unwrap();
    let lines: Vec<&str> = text.split_inclusive("\r\n").collect();
    assert!(lines.len() > 2, "{text}");
    fs::write(b.join(csv), lines[..lines.len() - 1].concat()).unwrap();
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("{csv}: changed")), "{out}");
    assert!(
        out.contains(&format!("{csv}: not the population the evaluation gives")),
        "{out}"
    );
    relist(&b, csv);
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("files match the manifest"), "{out}");
    assert!(
        out.contains(&format!("{csv}: not the population the evaluation gives")),
        "{out}"
    );
    // A population removed, another added.
    fs::remove_dir_all(&b).unwrap();
    copy(&pristine, &b);
    fs::remove_file(b.join("populations/access.mfa-privileged.json")).unwrap();
    fs::write(b.join("populations/made.up.csv"), "key\r\n").unwrap();
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("populations/access.mfa-privileged.json: the evaluation gives this population; the bundle lacks it"),
        "{out}"
    );
    assert!(
        out.contains("populations/made.up.csv: not a population the evaluation gives"),
        "{out}"
    );
}

fn evidence_bundle(dir: &Path, root: &str, output: &str) -> std::process::Output {
    attest_in(
        dir,
        &[
            "bundle",
            "examples/acme",
            "--evidence-root",
            root,
            "--output",
            output,
        ],
    )
}

fn eval_json(dir: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["eval", "examples/acme", "--format", "json"];
    args.extend_from_slice(extra);
    attest_in(dir, &args).stdout
}

#[test]
fn a_ledger_onto_an_evidence_file_is_refused() {
    let dir = examples("evidence-ledger");
    let policy = "examples/acme-evidence/policies/information-security-2026.md";
    let kept = fs::read(dir.join(policy)).unwrap();
    let o = attest_in(
        &dir,
        &[
            "bundle",
            "examples/acme",
            "--evidence-root",
            "examples/acme-evidence",
            "--ledger",
            policy,
            "--output",
            "audit",
        ],
    );
    exit(&o, 2);
    assert!(
        stderr(&o).contains(&format!(
            "{policy}: refusing to write there: it is an evidence file this run reads"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read(dir.join(policy)).unwrap(), kept);
    assert!(!dir.join("audit").exists());
}

#[test]
fn the_evidence_files_travel_in_the_bundle_and_are_checked_again() {
    let dir = examples("evidence");
    let named = "policies/information-security-2026.md";
    exit(&evidence_bundle(&dir, "examples/acme-evidence", "audit"), 0);
    let b = dir.join("audit");
    let bundled = format!("evidence/{named}");
    assert_eq!(
        fs::read(b.join(&bundled)).unwrap(),
        fs::read(dir.join("examples/acme-evidence").join(named)).unwrap()
    );
    // Only the files the facts name: the root's README stays out.
    assert_eq!(walk(&b.join("evidence")).len(), 1);
    let m = manifest(&b);
    assert_eq!(m["rerun"]["evidence"]["root"], "examples/acme-evidence");
    assert!(
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == bundled.as_str())
    );
    // The report is eval's with the same evidence root: the file checked, and verified.
    let report = fs::read(b.join("report/report.json")).unwrap();
    assert_eq!(
        report,
        eval_json(&dir, &["--evidence-root", "examples/acme-evidence"])
    );
    assert_ne!(report, eval_json(&dir, &[]));
    assert!(
        String::from_utf8(report)
            .unwrap()
            .contains("\"file\": \"verified\"")
    );
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("evidence files checked again against their records' sha256: 1 verified"),
        "{text}"
    );
    // The evidence file edited, the manifest covering it: the record's sha256 tells.
    fs::write(b.join(&bundled), "rewritten after the fact\n").unwrap();
    relist(&b, &bundled);
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("files match the manifest"), "{text}");
    assert!(text.contains("1 mismatch"), "{text}");
    assert!(
        text.contains("evaluated again, the report digest is"),
        "{text}"
    );

    // A root without the file: nothing bundled, the reason kept, and the same report again.
    fs::create_dir(dir.join("empty")).unwrap();
    exit(&evidence_bundle(&dir, "empty", "bare"), 0);
    let b = dir.join("bare");
    assert!(!b.join("evidence").exists());
    assert_eq!(
        manifest(&b)["rerun"]["evidence"]["unreadable"][named],
        "no such file"
    );
    assert_eq!(
        fs::read(b.join("report/report.json")).unwrap(),
        eval_json(&dir, &["--evidence-root", "empty"])
    );
    let (code, text) = verify(&dir, "bare");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 missing"), "{text}");

    // A root that is not a folder: an error, and no bundle.
    let out = evidence_bundle(&dir, "examples/acme/org.json", "none");
    exit(&out, 2);
    assert!(
        common::stderr(&out).contains("not a folder"),
        "{}",
        common::stderr(&out)
    );
    assert!(!dir.join("none").exists());
}

/// The evidence folder holds the files the facts' evidence records name, under `evidence/`:
/// a file no record names is checked by nothing, and a manifest moving the folder elsewhere
/// would have the evaluation read another part's files as evidence.
#[test]
fn evidence_no_record_names_and_an_evidence_folder_moved_are_named() {
    let dir = examples("evidence-unnamed");
    let named = "policies/information-security-2026.md";
    exit(&evidence_bundle(&dir, "examples/acme-evidence", "audit"), 0);
    let b = dir.join("audit");
    let pristine = dir.join("pristine");
    copy(&b, &pristine);
    // A file beside the named one, listed in the manifest.
    fs::write(b.join("evidence/policies/extra.md"), "an extra page\n").unwrap();
    relist(&b, "evidence/policies/extra.md");
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("files match the manifest"), "{text}");
    assert!(
        text.contains(
            "evidence/policies/extra.md: no evidence record of the facts names this file"
        ),
        "{text}"
    );
    assert!(!text.contains(&format!("evidence/{named}: no")), "{text}");
    // The folder moved to `proof/`, the manifest following it.
    fs::remove_dir_all(&b).unwrap();
    copy(&pristine, &b);
    fs::create_dir_all(b.join("proof/policies")).unwrap();
    fs::rename(b.join("evidence").join(named), b.join("proof").join(named)).unwrap();
    unlist(&b, &format!("evidence/{named}"));
    relist(&b, &format!("proof/{named}"));
    let mut m = manifest(&b);
    m["rerun"]["evidence"]["path"] = "proof".into();
    write_manifest(&b, &m);
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "manifest.json: rerun.evidence.path is \"proof\", but every bundle holds the evidence files under evidence/"
        ),
        "{text}"
    );
}

/// The evidence files are found as the system finds them, when bundled and when verified:
/// a file named with a `/` after it, or through a `..` after a folder that is not there, is
/// no file, whatever its text comes to (`a.txt`). Records whose sha256 no file can be
/// checked against (an absolute uri, a URL) are told when bundling and counted, with their
/// places, when verifying; and the bundle's report is eval's with the same evidence root.
#[test]
fn evidence_paths_resolve_as_on_disk_and_unchecked_hashes_are_told() {
    let dir = examples("evidence-paths");
    let root = dir.join("root");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("a.txt"), "abc").unwrap();
    let path = dir.join("examples/acme/evidence.json");
    let mut facts: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let records = facts["evidence"].as_array_mut().unwrap();
    for uri in ["a.txt", "a.txt/", "missing/../a.txt", "/etc/hostname"] {
        let mut r = records[0].clone();
        r["uri"] = uri.into();
        r["title"] = format!("At {uri}").into();
        r["sha256"] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into();
        records.push(r);
    }
    fs::write(&path, serde_json::to_string_pretty(&facts).unwrap()).unwrap();
    for output in ["audit", "audit.zip"] {
        let out = evidence_bundle(&dir, "root", output);
        exit(&out, 0);
        assert!(
            stderr(&out).contains("(/evidence/17): evidence record whose uri is an absolute path (`/etc/hostname`): its sha256 is not checked"),
            "{}",
            stderr(&out)
        );
        let (code, text) = verify(&dir, output);
        assert_eq!(code, 0, "{text}");
        // a.txt verified; a.txt/, missing/../a.txt and the policy (not in this root) missing.
        assert!(
            text.contains("evidence files checked again against their records' sha256: 1 verified, 3 missing; records whose sha256 no file can be checked against: 1 whose uri is an absolute path (examples/acme/evidence.json:"),
            "{text}"
        );
        assert!(text.contains(" whose uri is a URL (not fetched)"), "{text}");
    }
    let report = fs::read(dir.join("audit/report/report.json")).unwrap();
    assert_eq!(report, eval_json(&dir, &["--evidence-root", "root"]));
    let m = manifest(&dir.join("audit"));
    assert_eq!(
        m["rerun"]["evidence"]["unreadable"]["a.txt/"],
        "a file where its path needs a folder (a name followed by `/`, or by `/..`)"
    );
    assert_eq!(
        m["rerun"]["evidence"]["unreadable"]["missing/../a.txt"],
        "no such file"
    );
}

/// A link in the evidence root that leads out of it is not followed: the file it points at
/// stays out of the bundle, the record is `outside_root` as `attest eval` says, and
/// evaluating the bundle again says the same. A link that stays in the root is bundled.
#[cfg(unix)]
#[test]
fn a_link_leaving_the_evidence_root_is_not_bundled() {
    use std::os::unix::fs::symlink;
    let dir = examples("evidence-link");
    let named = "policies/information-security-2026.md";
    let real = dir.join("examples/acme-evidence").join(named);
    // Out: the link points at the right file (its hash is the recorded one), outside `out`.
    fs::create_dir_all(dir.join("out/policies")).unwrap();
    symlink(&real, dir.join("out").join(named)).unwrap();
    exit(&evidence_bundle(&dir, "out", "audit"), 0);
    let b = dir.join("audit");
    assert!(!b.join("evidence").exists(), "the outside file was bundled");
    let m = manifest(&b);
    assert_eq!(
        m["rerun"]["evidence"]["outside_root"],
        serde_json::json!([named])
    );
    assert!(m["rerun"]["evidence"].get("unreadable").is_none(), "{m}");
    let report = fs::read(b.join("report/report.json")).unwrap();
    assert_eq!(report, eval_json(&dir, &["--evidence-root", "out"]));
    assert!(
        String::from_utf8(report)
            .unwrap()
            .contains("\"file\": \"outside_root\""),
    );
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 outside_root"), "{text}");

    // In: the link leads to a file of the same root, which is bundled and verified.
    fs::create_dir_all(dir.join("in/policies")).unwrap();
    fs::copy(&real, dir.join("in/kept.md")).unwrap();
    symlink("../kept.md", dir.join("in").join(named)).unwrap();
    exit(&evidence_bundle(&dir, "in", "kept"), 0);
    let b = dir.join("kept");
    assert_eq!(
        fs::read(b.join("evidence").join(named)).unwrap(),
        fs::read(&real).unwrap()
    );
    assert_eq!(walk(&b.join("evidence")).len(), 1);
    assert!(
        String::from_utf8(fs::read(b.join("report/report.json")).unwrap())
            .unwrap()
            .contains("\"file\": \"verified\"")
    );
    let (code, text) = verify(&dir, "kept");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 verified"), "{text}");
}

#[test]
fn the_limits_are_recorded_and_replayed() {
    let dir = examples("limits");
    let out = attest_in(
        &dir,
        &[
            "bundle",
            "examples/acme",
            "--max-findings",
            "1",
            "--max-memory",
            "300",
            "--output",
            "audit",
        ],
    );
    exit(&out, 0);
    let b = dir.join("audit");
    let m = manifest(&b);
    assert_eq!(m["rerun"]["max_findings"], 1);
    assert_eq!(m["rerun"]["max_memory"], 300);
    // The report is eval's under the same limits, and differs from one without them.
    let report = fs::read(b.join("report/report.json")).unwrap();
    assert_eq!(report, eval_json(&dir, &["--max-findings", "1"]));
    assert_ne!(report, eval_json(&dir, &[]));
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    // Verify replays the recorded limit: another limit gives another report.
    let mut edited = m.clone();
    edited["rerun"]["max_findings"] = Value::from(1000);
    write_manifest(&b, &edited);
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("evaluated again, the report digest is"),
        "{text}"
    );
    // A manifest without the limits (an older bundle) means the engine's defaults.
    exit(
        &attest_in(&dir, &["bundle", "examples/acme", "--output", "plain"]),
        0,
    );
    let plain = dir.join("plain");
    let mut old = manifest(&plain);
    let rerun = old["rerun"].as_object_mut().unwrap();
    assert!(rerun.remove("max_findings").is_some() && rerun.remove("max_memory").is_some());
    write_manifest(&plain, &old);
    let (code, text) = verify(&dir, "plain");
    assert_eq!(code, 0, "{text}");
}

#[test]
fn the_period_is_kept_and_replayed() {
    let dir = examples("period");
    let out = attest_in(
        &dir,
        &[
            "bundle",
            "examples/acme",
            "--period",
            "2026-01-01..2026-03-31",
            "--output",
            "audit",
        ],
    );
    exit(&out, 0);
    let b = dir.join("audit");
    let m = manifest(&b);
    assert_eq!(m["rerun"]["period"], "2026-01-01..2026-03-31");
    let report: Value =
        serde_json::from_slice(&fs::read(b.join("report/report.json")).unwrap()).unwrap();
    assert_eq!(report["period"]["start"], "2026-01-01");
    assert_eq!(report["period"]["end"], "2026-03-31");
    assert_eq!(
        fs::read(b.join("report/report.json")).unwrap(),
        eval_json(&dir, &["--period", "2026-01-01..2026-03-31"])
    );
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    // The period edited in the manifest: the rules judge another period.
    let mut edited = m.clone();
    edited["rerun"]["period"] = Value::from("2026-01-01..2026-06-30");
    write_manifest(&b, &edited);
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("evaluated again, the report digest is"),
        "{text}"
    );
    assert!(
        text.contains("not the population the evaluation gives"),
        "{text}"
    );
}

#[test]
fn the_bundle_keeps_the_samples_drawn_and_verify_draws_them_again() {
    let dir = examples("samples");
    let out = attest_in(
        &dir,
        &[
            "bundle",
            "examples/acme",
            "--sample",
            "access.leaver-accounts:20260701:3",
            "--sample",
            "hr.security-training:7",
            "--output",
            "audit",
        ],
    );
    exit(&out, 0);
    let b = dir.join("audit");
    // Each sample is what `attest sample` draws from the same facts with the same seed.
    for (rule, seed, size) in [
        ("access.leaver-accounts", "20260701", Some("3")),
        ("hr.security-training", "7", None),
    ] {
        let mut args = vec!["sample", rule, "examples/acme", "--seed", seed];
        args.extend(size.iter().flat_map(|s| ["--size", s]));
        let json = attest_in(&dir, &[&args[..], &["--format", "json"]].concat());
        exit(&json, 0);
        assert_eq!(
            fs::read(b.join(format!("samples/{rule}-{seed}.json"))).unwrap(),
            json.stdout,
            "{rule}"
        );
        let text = attest_in(&dir, &args);
        assert_eq!(
            fs::read(b.join(format!("samples/{rule}-{seed}.txt"))).unwrap(),
            text.stdout,
            "{rule}"
        );
    }
    // The manifest records the size each sample was drawn at, given or the pack's.
    let m = manifest(&b);
    let drawn: Value = serde_json::from_str(
        &fs::read_to_string(b.join("samples/hr.security-training-7.json")).unwrap(),
    )
    .unwrap();
    let pack_size = drawn["size"].as_u64().unwrap();
    assert!(pack_size > 3, "{drawn}");
    assert_eq!(
        m["rerun"]["samples"],
        serde_json::json!([
            {"rule": "access.leaver-accounts", "seed": 20260701, "size": 3},
            {"rule": "hr.security-training", "seed": 7, "size": pack_size}
        ])
    );
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("samples: 2 drawn again, the same records"),
        "{text}"
    );
    // A size changed in the manifest: the sample drawn again is not the bundle's.
    let mut edited = m.clone();
    edited["rerun"]["samples"][1]["size"] = Value::from(pack_size - 1);
    write_manifest(&b, &edited);
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("samples/hr.security-training-7.json: not the sample the evaluation gives"),
        "{out}"
    );
    // A sample whose seed was changed in the manifest is drawn again differently.
    let mut edited = m.clone();
    edited["rerun"]["samples"][0]["seed"] = Value::from(1);
    write_manifest(&b, &edited);
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "samples/access.leaver-accounts-1.json: the evaluation gives this sample; the bundle lacks it"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "samples/access.leaver-accounts-20260701.json: not a sample the evaluation gives"
        ),
        "{out}"
    );
    // A rule that is not in the pack is an error, and nothing is written.
    let bad = attest_in(
        &dir,
        &[
            "bundle",
            "examples/acme",
            "--sample",
            "no.such-rule:1",
            "--output",
            "other",
        ],
    );
    exit(&bad, 2);
    assert!(
        stderr(&bad).contains("no rule `no.such-rule`"),
        "{}",
        stderr(&bad)
    );
    assert!(!dir.join("other").exists());
}

#[test]
fn the_ledger_slice_holds_the_bundles_own_run_even_as_of_after_the_period() {
    let dir = examples("late-run");
    // A nightly run in the period, then the bundle made two weeks after the period ended.
    exit(
        &attest_in(&dir, &["eval", "examples/acme", "--ledger", "ledger.jsonl"]),
        1,
    );
    let out = attest_in(
        &dir,
        &[
            "bundle",
            "examples/acme",
            "--as-of",
            "2026-07-15",
            "--ledger",
            "ledger.jsonl",
            "--output",
            "audit",
        ],
    );
    exit(&out, 0);
    let b = dir.join("audit");
    let m = manifest(&b);
    assert_eq!(m["ledger"]["entries"], 2, "{}", m["ledger"]);
    let slice = fs::read_to_string(b.join("ledger/ledger.jsonl")).unwrap();
    let last: Value = serde_json::from_str(slice.lines().last().unwrap()).unwrap();
    assert_eq!(last["as_of"], "2026-07-15");
    assert_eq!(last["report"]["digest"], m["report_digest"]);
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("ledger slice: 2 entries, chain intact, including this report's run"),
        "{text}"
    );
    // A slice that does not record the bundle's run (its last entry cut, the manifest made
    // to match) is a difference, not a quiet omission.
    let first = slice.lines().next().unwrap().to_owned() + "\n";
    fs::write(b.join("ledger/ledger.jsonl"), &first).unwrap();
    relist(&b, "ledger/ledger.jsonl");
    let mut edited = manifest(&b);
    edited["ledger"]["entries"] = Value::from(1);
    write_manifest(&b, &edited);
    let (code, text) = verify(&dir, "audit");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("ledger/ledger.jsonl: no entry records this report's run"),
        "{text}"
    );
    // Its last entry is no longer the head the manifest records.
    let run: Value = serde_json::from_str(slice.lines().last().unwrap()).unwrap();
    let kept: Value = serde_json::from_str(first.trim_end()).unwrap();
    assert!(
        text.contains(&format!(
            "ledger/ledger.jsonl: its last entry's hash is {}, but the manifest's ledger.head is {}",
            kept["hash"].as_str().unwrap(),
            run["hash"].as_str().unwrap()
        )),
        "{text}"
    );
}

#[test]
fn a_bundle_that_cannot_be_written_records_no_run() {
    let dir = examples("no-folder");
    exit(
        &attest_in(&dir, &["eval", "examples/acme", "--ledger", "ledger.jsonl"]),
        1,
    );
    let before = fs::read(dir.join("ledger.jsonl")).unwrap();
    // A folder that does not exist, and one no file can be made in (not even by root:
    // /proc), are refused before the run is recorded.
    for (output, message) in [
        (
            "missing/audit.zip",
            "error: missing/audit.zip: the folder missing does not exist",
        ),
        (
            "/proc/attest-audit.zip",
            "error: /proc/attest-audit.zip: cannot be written there: ",
        ),
    ] {
        let out = attest_in(
            &dir,
            &[
                "bundle",
                "examples/acme",
                "--ledger",
                "ledger.jsonl",
                "--output",
                output,
            ],
        );
        exit(&out, 2);
        assert!(stderr(&out).starts_with(message), "{}", stderr(&out));
        // No bundle, so no entry claiming one.
        assert_eq!(fs::read(dir.join("ledger.jsonl")).unwrap(), before);
    }
    assert!(!dir.join("missing").exists());
}

#[test]
fn a_write_that_fails_part_way_leaves_no_bundle_and_no_entry() {
    let dir = examples("part-way");
    exit(
        &attest_in(&dir, &["eval", "examples/acme", "--ledger", "ledger.jsonl"]),
        1,
    );
    let before = fs::read(dir.join("ledger.jsonl")).unwrap();
    // A facts file whose name is as long as a name may be: the bundle's copy of it,
    // `facts/13-<name>`, is longer, so its write fails (as root too) after the facts before
    // it were written.
    let long = format!("{}.json", "v".repeat(250));
    fs::rename(
        dir.join("examples/acme/vendors.json"),
        dir.join("examples/acme").join(&long),
    )
    .unwrap();
    let out = bundle(&dir, "audit");
    exit(&out, 2);
    // No entry for a bundle that was not written, and nothing of it left behind.
    assert!(
        fs::read(dir.join("ledger.jsonl")).unwrap() == before,
        "the ledger records a run whose bundle was not written"
    );
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n == "examples" || n == "ledger.jsonl"),
        "{names:?}"
    );
    // The error names the file that could not be written.
    assert!(
        stderr(&out).starts_with(&format!("error: audit: facts/13-{long}: ")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_doubtful_waiver_is_a_warning_when_bundled_and_verified() {
    let dir = examples("doubtful-waiver");
    fs::write(
        dir.join("w.json"),
        r#"{"schema_version": "1", "waivers": [
  {"rule": "access.mfa-privileged", "entity": "*", "reason": "r", "approved_by": "x",
   "approved_on": "2026-05-04", "expires_on": "2026-09-30"}]}"#,
    )
    .unwrap();
    let warning = "warning: w.json:2: /waivers/0/entity: entity `*` names no record: the waiver covers every failing finding of its rule or control; name the records, or leave `entity` out to say so\n";
    let made = attest_in(
        &dir,
        &[
            "bundle",
            "examples/acme",
            "--waivers",
            "w.json",
            "--output",
            "b",
        ],
    );
    exit(&made, 0);
    assert!(stderr(&made).contains(warning), "{}", stderr(&made));
    let verified = attest_in(&dir, &["bundle", "verify", "b"]);
    exit(&verified, 0);
    assert!(stderr(&verified).contains(warning), "{}", stderr(&verified));
}

/// A bundle that cannot be put in place once its run is recorded takes the entry back out of
/// the ledger. Here the zip's second write (with the manifest and the ledger slice) goes past
/// a file size limit that its first write, and the ledger's, keep within.
#[cfg(target_os = "linux")]
#[test]
fn a_bundle_that_cannot_be_finished_leaves_the_ledger_as_it_was() {
    let dir = examples("unfinished");
    exit(
        &attest_in(&dir, &["eval", "examples/acme", "--ledger", "ledger.jsonl"]),
        1,
    );
    // The whole bundle's size, from one made with a copy of the ledger.
    fs::copy(dir.join("ledger.jsonl"), dir.join("copy.jsonl")).unwrap();
    let args = ["bundle", "examples/acme", "--ledger"];
    exit(
        &attest_in(
            &dir,
            &[&args[..], &["copy.jsonl", "--output", "probe.zip"]].concat(),
        ),
        0,
    );
    let whole = fs::metadata(dir.join("probe.zip")).unwrap().len();
    let before = fs::read(dir.join("ledger.jsonl")).unwrap();
    // The manifest (a sha256 for each of some 280 files) adds tens of KB to the first write.
    let blocks = (whole - 4096) / 1024;
    let script = format!(
        "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" bundle examples/acme --ledger ledger.jsonl --output audit.zip"
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script, env!("CARGO_BIN_EXE_attest")])
        .current_dir(&dir)
        .output()
        .unwrap();
    exit(&out, 2);
    assert!(stderr(&out).contains("audit.zip"), "{}", stderr(&out));
    assert!(!dir.join("audit.zip").exists());
    let after = fs::read(dir.join("ledger.jsonl")).unwrap();
    assert!(
        after == before,
        "the ledger holds {} bytes, {} before the bundle",
        after.len(),
        before.len()
    );
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Within the limit, the same bundle is made and recorded.
    exit(
        &attest_in(
            &dir,
            &[&args[..], &["ledger.jsonl", "--output", "audit.zip"]].concat(),
        ),
        0,
    );
    assert!(fs::read(dir.join("ledger.jsonl")).unwrap().len() > before.len());
}
