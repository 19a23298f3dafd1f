//! Which part of a bundle each of its files belongs to: a file no part accounts for is
//! checked by nothing but its listing in the manifest, so `bundle verify` names it.

use super::{Files, Manifest, formats, parts, samples, slice};
use attest_render::escape::line as shown;

/// The files of the bundle that belong to no part of it: not the manifest, not a facts file,
/// pack folder, waivers file or evidence folder the manifest's `rerun` names, and not under
/// a folder whose files are checked against the evaluation (the report, the populations, the
/// samples, the ledger). Each as a difference, naming the file.
pub fn unaccounted(files: &Files, manifest: &Manifest) -> Vec<String> {
    let rerun = &manifest.rerun;
    let folders: Vec<String> = rerun
        .pack
        .iter()
        .map(|p| p.path.as_str())
        .chain(rerun.evidence.as_ref().map(|e| e.path.as_str()))
        .chain([
            parts::POPULATIONS,
            samples::SAMPLES,
            formats::FOLDER,
            slice::FOLDER,
        ])
        .map(|folder| format!("{folder}/"))
        .collect();
    let single = |path: &str| {
        path == "manifest.json"
            || rerun.facts.iter().any(|f| f.path == path)
            || rerun.waivers.as_ref().is_some_and(|w| w.path == path)
    };
    files
        .0
        .keys()
        .filter(|path| !single(path) && !folders.iter().any(|f| path.starts_with(f.as_str())))
        .map(|path| {
            let path = shown(path);
            format!(
                "{path}: not part of the bundle: no facts file, pack folder, waivers or evidence folder the manifest's rerun names, nor the report, a population, a sample or the ledger slice"
            )
        })
        .collect()
}
