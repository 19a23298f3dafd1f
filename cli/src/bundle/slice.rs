//! Checking the ledger slice a bundle holds (`ledger/ledger.jsonl`), whether or not the
//! manifest describes it: a bundle holds one when it was made with `--ledger`, and then
//! the manifest's `ledger` says where it came from, how many entries it has and its head.

use super::{Files, Manifest};
use crate::ledger;

/// The folder of the ledger slice.
pub const FOLDER: &str = "ledger";

/// The ledger slice's path in the bundle.
pub const PATH: &str = "ledger/ledger.jsonl";

/// Checks the bundle's ledger slice: its chain, that it ends with the run of the report
/// whose digest is `report_digest`, and that it is what the manifest's `ledger` says; that
/// the bundle holds one exactly when the manifest describes one; and that nothing else is
/// under `ledger/`. Pushes each difference, naming the file; returns what was verified
/// when the slice's chain, entries and head hold.
pub fn check(files: &Files, manifest: &Manifest, problems: &mut Vec<String>) -> Option<String> {
    let described = manifest.ledger.as_ref();
    let prefix = format!("{FOLDER}/");
    for path in files.0.keys().filter(|p| p.starts_with(&prefix)) {
        if path != PATH {
            let path = attest_render::escape::line(path);
            problems.push(format!(
                "{path}: not a file a bundle holds under {prefix} (its slice is {PATH})"
            ));
        }
    }
    if let Some(slice) = described.filter(|s| s.path != PATH) {
        problems.push(format!(
            "manifest.json: ledger.path is {:?}, but a bundle's ledger slice is {PATH}",
            slice.path
        ));
    }
    let Some(bytes) = files.get(PATH) else {
        if described.is_some() {
            problems.push(format!(
                "{PATH}: the manifest describes a ledger slice; the bundle lacks it"
            ));
        }
        return None;
    };
    if described.is_none() {
        problems.push(format!(
            "{PATH}: in the bundle, but the manifest has no `ledger` describing it (its source, entries and head)"
        ));
    }
    let verified = ledger::verify_slice(bytes);
    if let Some(p) = &verified.problem {
        problems.push(format!("{PATH}: {p}"));
        return None;
    }
    let before = problems.len();
    let entries = &verified.entries;
    let last = entries.last();
    if let Some(slice) = described {
        if entries.len() != slice.entries {
            problems.push(format!(
                "{PATH}: {} entries, the manifest says {}",
                entries.len(),
                slice.entries
            ));
        }
        // The head the manifest records is the bundle's own run, the slice's last entry.
        if last.map(|e| e.hash.as_str()) != slice.head.as_deref() {
            problems.push(format!(
                "{PATH}: its last entry's hash is {}, but the manifest's ledger.head is {}",
                last.map_or("none (no entries)", |e| e.hash.as_str()),
                slice.head.as_deref().unwrap_or("none")
            ));
        }
    }
    let digest = &manifest.report_digest;
    if !entries.iter().any(|e| e.report.digest == *digest) {
        problems.push(format!(
            "{PATH}: no entry records this report's run (report digest {digest})"
        ));
    } else if last.is_none_or(|e| e.report.digest != *digest) {
        // A bundle's slice ends at its own run: entries after it are not its ledger's then.
        problems.push(format!(
            "{PATH}: its last entry is not this report's run (report digest {digest}): a bundle's slice ends with its own run"
        ));
    }
    (problems.len() == before).then(|| {
        format!(
            "ledger slice: {} entries, chain intact, including this report's run, {}",
            entries.len(),
            if described.is_some() {
                "ending at the manifest's head"
            } else {
                "ending with it"
            }
        )
    })
}
