//! `attest bundle verify` trusts neither the manifest's list of files nor its keys to say
//! what to check: every report format is rendered again from the report evaluated again, and
//! the populations and the ledger slice are checked whether or not the manifest names them.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::bundle::{bundle, copy, examples, manifest, relist, unlist, verify, write_manifest};
use common::{attest_in, exit};
use serde_json::Value;
use std::fs;
use std::path::Path;

/// A bundle of the Acme example in `dir/audit` whose ledger slice holds two runs, and a
/// function that puts the bundle back as it was made.
fn made(dir: &Path) -> impl Fn() {
    exit(
        &attest_in(dir, &["eval", "examples/acme", "--ledger", "ledger.jsonl"]),
        1,
    );
    exit(&bundle(dir, "audit"), 0);
    let pristine = dir.join("pristine");
    copy(&dir.join("audit"), &pristine);
    let (code, out) = verify(dir, "audit");
    assert_eq!(code, 0, "{out}");
    let b = dir.join("audit");
    move || {
        fs::remove_dir_all(&b).unwrap();
        copy(&pristine, &b);
    }
}

/// `bundle verify` of `dir/audit` fails (exit 1) and says `expected`; returns what it said.
fn refused(dir: &Path, expected: impl AsRef<str>) -> String {
    let (code, out) = verify(dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(expected.as_ref()), "{out}");
    out
}

/// Edits the bundle's manifest with `change`.
fn edit_manifest(b: &Path, change: impl FnOnce(&mut Value)) {
    let mut m = manifest(b);
    change(&mut m);
    write_manifest(b, &m);
}

/// Replaces the first `from` in the bundle's file `rel` by `to`, and lists the file's new
/// sha256 and size in the manifest.
fn edit(b: &Path, rel: &str, from: &str, to: &str) {
    let text = fs::read_to_string(b.join(rel)).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    fs::write(b.join(rel), text.replacen(from, to, 1)).unwrap();
    relist(b, rel);
}

#[test]
fn every_report_format_is_rendered_again_and_compared() {
    let dir = examples("formats");
    let reset = made(&dir);
    let b = dir.join("audit");
    // An OSCAL finding turned around, the manifest covering it.
    edit(
        &b,
        "report/report.oscal.json",
        "\"not-satisfied\"",
        "\"satisfied\"",
    );
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("files match the manifest"), "{out}");
    assert!(
        out.contains(
            "report/report.oscal.json: not the OSCAL report the evaluation gives (rendered again from the report evaluated again, its bytes differ)"
        ),
        "{out}"
    );
    reset();
    // The HTML report edited, the manifest covering it.
    edit(
        &b,
        "report/report.html",
        "</body>",
        "<p>All clear.</p></body>",
    );
    let out = refused(
        &dir,
        "report/report.html: not the HTML report the evaluation gives",
    );
    assert!(!out.contains("report/report.oscal.json"), "{out}");
    reset();
    // A format removed with its manifest entry: every bundle holds all three.
    for (rel, what) in [
        ("report/report.oscal.json", "OSCAL"),
        ("report/report.html", "HTML"),
        ("report/report.json", "JSON"),
    ] {
        fs::remove_file(b.join(rel)).unwrap();
        unlist(&b, rel);
        refused(
            &dir,
            format!(
                "{rel}: the bundle lacks it; every bundle holds the {what} report the evaluation gives"
            ),
        );
        reset();
    }
    // A report in a format bundles do not hold, listed in the manifest: nothing vouches for it.
    fs::write(b.join("report/report.md"), "# All clear\n").unwrap();
    relist(&b, "report/report.md");
    refused(
        &dir,
        "report/report.md: not a report a bundle holds (report/report.json, report/report.html, report/report.oscal.json)",
    );
    reset();
    // A size the manifest gets wrong is a difference, as a sha256 is.
    let mut m = manifest(&b);
    let listed = m["files"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["path"] == "report/report.html")
        .unwrap();
    let size = listed["bytes"].as_u64().unwrap();
    listed["bytes"] = Value::from(size + 1);
    write_manifest(&b, &m);
    refused(
        &dir,
        format!(
            "report/report.html: {size} bytes, the manifest says {}",
            size + 1
        ),
    );
}

#[test]
fn removing_the_populations_key_does_not_switch_their_check_off() {
    let dir = examples("populations-key");
    let reset = made(&dir);
    let b = dir.join("audit");
    let csv = "populations/access.mfa-privileged.csv";
    // A population edited and relisted, and the manifest's `populations` removed.
    edit(&b, csv, "\r\n", "\r\nmade-up\r\n");
    edit_manifest(&b, |m| {
        m.as_object_mut().unwrap().remove("populations");
    });
    let out = refused(
        &dir,
        format!("{csv}: not the population the evaluation gives"),
    );
    assert!(
        out.contains("manifest.json: no `populations`, but every bundle holds the populations under populations/"),
        "{out}"
    );
    reset();
    // Every population removed with its manifest entries, and the key: the evaluation still
    // gives them, so the bundle must hold them.
    let mut m = manifest(&b);
    m.as_object_mut().unwrap().remove("populations");
    m["files"]
        .as_array_mut()
        .unwrap()
        .retain(|f| !f["path"].as_str().unwrap().starts_with("populations/"));
    write_manifest(&b, &m);
    fs::remove_dir_all(b.join("populations")).unwrap();
    refused(
        &dir,
        "populations/index.csv: the evaluation gives this population; the bundle lacks it",
    );
    reset();
    // The key pointing elsewhere does not move the check.
    edit_manifest(&b, |m| m["populations"] = Value::from("elsewhere"));
    let out = refused(
        &dir,
        "manifest.json: populations is \"elsewhere\", but every bundle holds the populations under populations/",
    );
    assert!(
        out.contains("populations: 1"),
        "the populations are still checked where bundles hold them: {out}"
    );
}

#[test]
fn removing_the_ledger_key_does_not_switch_the_slice_check_off() {
    let dir = examples("ledger-key");
    let reset = made(&dir);
    let b = dir.join("audit");
    let slice = "ledger/ledger.jsonl";
    let text = fs::read_to_string(b.join(slice)).unwrap();
    assert_eq!(text.lines().count(), 2);
    // The bundle's own run cut off the slice, relisted, and the manifest's `ledger` removed.
    let first = text.lines().next().unwrap().to_owned() + "\n";
    fs::write(b.join(slice), &first).unwrap();
    relist(&b, slice);
    edit_manifest(&b, |m| {
        m.as_object_mut().unwrap().remove("ledger");
    });
    let out = refused(
        &dir,
        "ledger/ledger.jsonl: in the bundle, but the manifest has no `ledger` describing it (its source, entries and head)",
    );
    assert!(
        out.contains("ledger/ledger.jsonl: no entry records this report's run"),
        "{out}"
    );
    reset();
    // Only the key removed: the slice is still checked, and the missing key named.
    edit_manifest(&b, |m| {
        m.as_object_mut().unwrap().remove("ledger");
    });
    let out = refused(
        &dir,
        "ledger/ledger.jsonl: in the bundle, but the manifest has no `ledger`",
    );
    assert!(
        out.contains("ledger slice: 2 entries, chain intact, including this report's run"),
        "{out}"
    );
    reset();
    // The key pointing at another file does not move the check.
    edit_manifest(&b, |m| {
        m["ledger"]["path"] = Value::from("facts/01-access.json")
    });
    refused(
        &dir,
        "manifest.json: ledger.path is \"facts/01-access.json\", but a bundle's ledger slice is ledger/ledger.jsonl",
    );
    reset();
    // The manifest describes a slice the bundle lacks (removed with its entry).
    fs::remove_file(b.join(slice)).unwrap();
    unlist(&b, slice);
    refused(
        &dir,
        "ledger/ledger.jsonl: the manifest describes a ledger slice; the bundle lacks it",
    );
    reset();
    // The slice's first entry renumbered to the largest seq, with a fresh hash and relisted:
    // no entry can follow it (the count once overflowed, and verify panicked).
    let mut entry: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    entry["seq"] = Value::from(u64::MAX);
    let second = text.lines().nth(1).unwrap();
    let renumbered = format!("{}\n{second}\n", common::rehash(&entry.to_string()));
    fs::write(b.join(slice), renumbered).unwrap();
    relist(&b, slice);
    refused(
        &dir,
        "ledger/ledger.jsonl: line 2: not a ledger entry: entry 2 follows entry 18446744073709551615, the largest number an entry can have",
    );
    reset();
    // Another file under ledger/, listed: a bundle holds one slice.
    fs::write(b.join("ledger/other.jsonl"), "").unwrap();
    relist(&b, "ledger/other.jsonl");
    refused(
        &dir,
        "ledger/other.jsonl: not a file a bundle holds under ledger/ (its slice is ledger/ledger.jsonl)",
    );
    reset();
    // The slice carried on past the bundle's run (a later run of the ledger, its chain
    // intact), the manifest's `ledger` removed so no head says where it ended.
    exit(
        &attest_in(&dir, &["eval", "examples/acme", "--ledger", "ledger.jsonl"]),
        1,
    );
    fs::copy(dir.join("ledger.jsonl"), b.join(slice)).unwrap();
    relist(&b, slice);
    edit_manifest(&b, |m| {
        m.as_object_mut().unwrap().remove("ledger");
    });
    let out = refused(
        &dir,
        "ledger/ledger.jsonl: its last entry is not this report's run",
    );
    assert!(!out.contains("no entry records"), "{out}");
}

#[test]
fn a_listed_file_no_part_of_the_bundle_accounts_for_is_named() {
    let dir = examples("unaccounted");
    let _reset = made(&dir);
    let b = dir.join("audit");
    // A facts file the run did not read, and a note, both listed in the manifest.
    fs::write(b.join("facts/10-extra.json"), "{}").unwrap();
    fs::write(b.join("notes.txt"), "all clear\n").unwrap();
    relist(&b, "facts/10-extra.json");
    relist(&b, "notes.txt");
    let (code, out) = verify(&dir, "audit");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("files match the manifest"), "{out}");
    for path in ["facts/10-extra.json", "notes.txt"] {
        assert!(
            out.contains(&format!(
                "{path}: not part of the bundle: no facts file, pack folder, waivers or evidence folder the manifest's rerun names"
            )),
            "{out}"
        );
    }
    assert!(!out.contains("facts/01-access.json"), "{out}");
}

/// A manifest edited by hand: a file or a sample listed twice is named (the bundle verified
/// as if it held what it does not), a rule timeout no timeout can be is named (verify
/// panicked on it), and the names of the bundle's files are shown on one line each, so a file
/// named with line breaks cannot forge lines of what verify says.
#[test]
fn a_manifest_edited_by_hand_is_named_where_it_says_more_than_the_bundle_holds() {
    let dir = examples("hand-edited");
    let reset = made(&dir);
    let b = dir.join("audit");
    edit_manifest(&b, |m| {
        let first = m["files"][0].clone();
        m["files"].as_array_mut().unwrap().push(first);
    });
    let m = manifest(&b);
    let last = m["files"].as_array().unwrap().len() - 1;
    let path = m["files"][0]["path"].as_str().unwrap();
    refused(
        &dir,
        format!(
            "manifest.json: /files/{last}: the file {path} listed again: a manifest lists each once"
        ),
    );
    reset();
    edit_manifest(&b, |m| {
        let spec = serde_json::json!({"rule": "access.mfa-privileged", "seed": 7});
        m["rerun"]["samples"] = Value::from(vec![spec.clone(), spec]);
    });
    refused(
        &dir,
        "manifest.json: /rerun/samples/1: the sample of access.mfa-privileged with seed 7 listed again",
    );
    reset();
    edit_manifest(&b, |m| m["rerun"]["rule_timeout"] = Value::from(1e300));
    refused(
        &dir,
        "could not evaluate the bundle again: manifest.json: /rerun/rule_timeout: 1e+300 is not a number of seconds a rule's timeout can be",
    );
    reset();
    fs::write(b.join("notes\naudit: all files match the manifest"), "x").unwrap();
    let out = refused(
        &dir,
        "audit: notes\\naudit: all files match the manifest: not in the manifest",
    );
    assert!(!out.lines().any(|l| l.starts_with("audit: all")), "{out}");
}
