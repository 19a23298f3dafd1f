//! The parts of a bundle, one function each: the facts as evaluated, the pack's source (and
//! the packs it extends), the waivers, the report in JSON, HTML and OSCAL, every rule's
//! population, the ledger's entries for the period, and last the manifest of them all (the
//! evidence files are added by `evidence`).

use super::manifest::{FileDigest, LedgerSlice, Named};
use super::{Files, Manifest, numbered};
use crate::ledger::{self, Entry};
use crate::packs::PackRef;
use crate::populations;
use attest_engine::{PackFile, Report};
use attest_render::{self as render, Context};
use std::path::Path;

/// The folder of the populations.
pub const POPULATIONS: &str = "populations";

/// `facts/NN-<name>`: each facts file as read, in merge order.
pub fn facts(files: &mut Files, sources: &[(String, String)]) -> Vec<Named> {
    sources
        .iter()
        .enumerate()
        .map(|(i, (name, text))| {
            let path = format!("facts/{}", numbered(i + 1, name));
            files.add(path.clone(), text.as_bytes());
            Named {
                path,
                name: name.clone(),
            }
        })
        .collect()
}

/// `pack/N/...`: the pack's files (N = 1), then those of the pack it extends (2), and so on.
pub fn pack(files: &mut Files, chain: &[(PackRef, Vec<PackFile>)]) -> Vec<Named> {
    chain
        .iter()
        .enumerate()
        .map(|(i, (source, pack_files))| {
            let dir = format!("pack/{}", i + 1);
            for f in pack_files {
                files.add(format!("{dir}/{}", f.path), f.text.as_bytes());
            }
            Named {
                path: dir,
                name: source.to_string(),
            }
        })
        .collect()
}

/// `waivers/<name>`: the waivers file as read.
pub fn waivers(files: &mut Files, name: &str, text: &str) -> Named {
    let path = format!("waivers/{}", numbered(1, name));
    files.add(path.clone(), text.as_bytes());
    Named {
        path,
        name: name.to_owned(),
    }
}

/// `report/report.json`, `report/report.html` and `report/report.oscal.json`; returns the
/// JSON.
pub fn report(files: &mut Files, report: &Report, context: &Context) -> String {
    let json = report.to_json();
    files.add("report/report.json", json.as_bytes());
    files.add(
        "report/report.html",
        render::html(report, context).into_bytes(),
    );
    files.add(
        "report/report.oscal.json",
        render::oscal(report).into_bytes(),
    );
    json
}

/// `populations/...`: every rule's population as `attest eval --populations` writes it
/// (`<rule id>.csv`, `<rule id>.json`, `index.csv`), as (path in the bundle, content). The
/// report must have been evaluated with populations.
pub fn populations(report: &Report) -> Vec<(String, String)> {
    populations::files(Path::new(POPULATIONS), report)
        .into_iter()
        .map(|(path, content)| {
            let path = path
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (path, content)
        })
        .collect()
}

/// `ledger/ledger.jsonl`: the ledger's lines from the first to the last entry of
/// `organization` whose as-of date is within the audit `period` (its `start` and `end`
/// dates, both included; every entry of the organization without one) or that is the
/// bundle's own run (the entry whose hash is `run`, whatever its as-of date), byte for
/// byte, so their hashes and links still verify. Entries after the run are left out: the
/// run is the slice's last entry, and its hash the slice's `head`.
pub fn ledger_slice(
    files: &mut Files,
    source: &str,
    bytes: &[u8],
    organization: &str,
    period: Option<&serde_json::Value>,
    run: &str,
) -> LedgerSlice {
    let bound = |name: &str| {
        period
            .and_then(|p| p.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let (start, end) = (bound("start"), bound("end"));
    let mut lines: Vec<(&[u8], Option<Entry>)> = bytes
        .split_inclusive(|b| *b == b'\n')
        .map(|line| (line, serde_json::from_slice::<Entry>(line).ok()))
        .collect();
    // The ledger as it was when the run was recorded: a run appended after it (at the same
    // time) is not this bundle's, so the run is the slice's last entry and the head.
    if let Some(own) = lines
        .iter()
        .position(|(_, e)| e.as_ref().is_some_and(|e| e.hash == run))
    {
        lines.truncate(own + 1);
    }
    let head = lines
        .iter()
        .rev()
        .find_map(|(_, e)| e.as_ref().map(|e| e.hash.clone()));
    // The bundle's own run is always in: its as-of date may be after the period's end.
    let wanted = |e: &Entry| {
        e.hash == run
            || (e.organization == organization
                && start.as_ref().is_none_or(|s| e.as_of >= *s)
                && end.as_ref().is_none_or(|end| e.as_of <= *end))
    };
    // From the first entry of the period to its last, the entries between included, so the
    // slice is one unbroken piece of the chain.
    let first = lines
        .iter()
        .position(|(_, e)| e.as_ref().is_some_and(wanted));
    let last = lines
        .iter()
        .rposition(|(_, e)| e.as_ref().is_some_and(wanted));
    let mut slice = Vec::new();
    let mut entries = 0;
    if let (Some(first), Some(last)) = (first, last) {
        for (line, _) in &lines[first..=last] {
            slice.extend_from_slice(line);
            entries += 1;
        }
    }
    let path = "ledger/ledger.jsonl".to_owned();
    files.add(path.clone(), slice);
    LedgerSlice {
        path,
        source: source.to_owned(),
        period: period.cloned(),
        entries,
        head,
    }
}

/// Lists every file with its sha256 in the manifest, and adds `manifest.json`.
pub fn manifest(files: &mut Files, mut manifest: Manifest) -> Manifest {
    manifest.files = digests(files);
    files.add("manifest.json", manifest.to_json().into_bytes());
    manifest
}

/// Every file but the manifest, with its sha256 and size, in path order.
pub fn digests(files: &Files) -> Vec<FileDigest> {
    files
        .0
        .iter()
        .filter(|(path, _)| path.as_str() != "manifest.json")
        .map(|(path, bytes)| FileDigest {
            path: path.clone(),
            sha256: ledger::sha256(bytes),
            bytes: bytes.len() as u64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn line(seq: u64, as_of: &str, hash: &str) -> String {
        let entry: Entry = serde_json::from_value(serde_json::json!({
            "ledger_version": "1",
            "seq": seq,
            "run_at": "2026-06-30T06:00:00Z",
            "as_of": as_of,
            "organization": "Acme",
            "facts_digest": "f".repeat(64),
            "pack": {"name": "tiny", "version": "0.1.0", "digest": "p".repeat(64)},
            "report": {"digest": "r".repeat(64), "path": null},
            "summary": {
                "controls": {"pass": 1, "fail": 0, "warn": 0, "error": 0, "waived": 0, "not_applicable": 0},
                "by_category": {}
            },
            "failing": [],
            "prev": null,
            "hash": hash,
        }))
        .unwrap();
        entry.to_line()
    }

    #[test]
    fn the_slice_ends_at_the_bundles_own_run() {
        // A run of the period, the bundle's own, then one recorded at the same moment.
        let ledger = [
            line(1, "2026-06-01", "a"),
            line(2, "2026-06-30", "own"),
            line(3, "2026-06-30", "later"),
        ]
        .concat();
        let period = serde_json::json!({"start": "2026-01-01", "end": "2026-06-30"});
        let mut files = Files::default();
        let slice = ledger_slice(
            &mut files,
            "ledger.jsonl",
            ledger.as_bytes(),
            "Acme",
            Some(&period),
            "own",
        );
        assert_eq!(slice.entries, 2);
        assert_eq!(slice.head.as_deref(), Some("own"));
        let kept = String::from_utf8(files.get("ledger/ledger.jsonl").unwrap().to_vec()).unwrap();
        assert_eq!(kept.lines().count(), 2);
        assert!(kept.ends_with(&line(2, "2026-06-30", "own")));
    }
}
