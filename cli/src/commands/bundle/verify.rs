//! `attest bundle verify DIR_OR_ZIP`: every file against the manifest, then the bundle
//! evaluated again, and every part a bundle holds compared with what that evaluation gives:
//! the report in each format, the populations, the samples and the ledger slice. What is
//! checked follows from the bundle's design and its files, not from the manifest's keys: a
//! manifest cannot switch a check off by leaving a key out.

use super::{Evaluated, evaluate, limits};
use crate::bundle::evidence;
use crate::bundle::samples;
use crate::bundle::{self, Files, Manifest, formats, parts, slice};
use crate::commands::load_facts;
use crate::{Outcome, inputs, ledger, packs};
use attest_engine::facts::{json_message, json_place};
use attest_engine::report::FileCheck;
use attest_engine::{Date, Engine, Report};
use attest_render::escape::line as shown;
use std::path::Path;

/// Checks every file against the manifest, then evaluates the bundle again.
pub fn verify(path: &Path) -> Result<Outcome, String> {
    let name = inputs::display(path);
    let files = bundle::read(path)?;
    let bytes = files
        .get("manifest.json")
        .ok_or_else(|| format!("{name}: no manifest.json: not an Attest bundle"))?;
    let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| {
        let text = String::from_utf8_lossy(bytes);
        let ((line, column), message) = (json_place(&text, &e), json_message(&e));
        format!("{name}: manifest.json:{line}:{column}: {message}")
    })?;
    let say = |line: String| crate::output::say(&format!("{name}: {line}"));
    let mut problems = listed(&files, &manifest);
    if problems.is_empty() {
        say(format!("{} files match the manifest", manifest.files.len()))?;
    }
    problems.extend(bundle::accounted::unaccounted(&files, &manifest));
    // Evaluate again from the bundle's own files.
    let again = reevaluate(&files, &manifest)
        .map_err(|e| problems.push(format!("could not evaluate the bundle again: {e}")))
        .ok()
        .map(|again| {
            problems.extend(again.unnamed);
            (again.evaluated, again.unchecked)
        });
    if let Some((again, unchecked)) = &again {
        for line in compare(&files, &manifest, again, &mut problems) {
            say(line)?;
        }
        if manifest.rerun.evidence.is_some() {
            say(evidence_checked(&again.report, unchecked))?;
        }
    }
    formats::check(
        &files,
        again.as_ref().map(|(a, _)| a.formats.as_slice()),
        &mut problems,
    );
    match files.get(formats::JSON) {
        Some(bytes) if ledger::sha256(bytes) == manifest.report_digest => {}
        _ => problems.push(format!(
            "{}: not the report the manifest names",
            formats::JSON
        )),
    }
    if let Some(line) = slice::check(&files, &manifest, &mut problems) {
        say(line)?;
    }
    if problems.is_empty() {
        return Ok(Outcome::Clean);
    }
    for p in &problems {
        say(p.clone())?;
    }
    Ok(Outcome::Failed)
}

/// Every file against the manifest's list: each listed file there, with the sha256 and
/// size listed, and every file listed.
fn listed(files: &Files, manifest: &Manifest) -> Vec<String> {
    let mut problems = repeated(manifest);
    let actual = parts::digests(files);
    for listed in &manifest.files {
        match actual.iter().find(|a| a.path == listed.path) {
            None => problems.push(format!("{}: missing", shown(&listed.path))),
            Some(a) if a.sha256 != listed.sha256 => problems.push(format!(
                "{}: changed (sha256 {}, the manifest says {})",
                shown(&listed.path),
                a.sha256,
                shown(&listed.sha256)
            )),
            Some(a) if a.bytes != listed.bytes => problems.push(format!(
                "{}: {} bytes, the manifest says {}",
                shown(&listed.path),
                a.bytes,
                listed.bytes
            )),
            Some(_) => {}
        }
    }
    for extra in actual
        .iter()
        .filter(|a| !manifest.files.iter().any(|l| l.path == a.path))
    {
        problems.push(format!("{}: not in the manifest", shown(&extra.path)));
    }
    problems
}

/// What the manifest lists twice, by JSON Pointer: a file (each is listed once) or a sample
/// of one rule and seed (each is drawn once, into one file), which a manifest edited by hand
/// could repeat to say the bundle holds more than it does.
fn repeated(manifest: &Manifest) -> Vec<String> {
    let again = |what: String| format!("manifest.json: {what} again: a manifest lists each once");
    let files = &manifest.files;
    let mut problems: Vec<String> = (0..files.len())
        .filter(|&i| files[..i].iter().any(|f| f.path == files[i].path))
        .map(|i| {
            again(format!(
                "/files/{i}: the file {} listed",
                shown(&files[i].path)
            ))
        })
        .collect();
    let samples = &manifest.rerun.samples;
    problems.extend(
        (0..samples.len())
            .filter(|&i| {
                let s = &samples[i];
                samples[..i]
                    .iter()
                    .any(|t| t.rule == s.rule && t.seed == s.seed)
            })
            .map(|i| {
                let s = &samples[i];
                again(format!(
                    "/rerun/samples/{i}: the sample of {} with seed {} listed",
                    shown(&s.rule),
                    s.seed
                ))
            }),
    );
    problems
}

/// Compares what the manifest says of the run, the report's digest, the samples and the
/// populations with the evaluation `again`; pushes each difference and returns what was
/// verified, to say.
fn compare(
    files: &Files,
    manifest: &Manifest,
    again: &Evaluated,
    problems: &mut Vec<String>,
) -> Vec<String> {
    let mut verified = Vec::new();
    problems.extend(claims(manifest, &again.report));
    let digest = ledger::sha256(again.report.to_json().as_bytes());
    if digest == manifest.report_digest {
        verified.push(format!("evaluated again: report digest {digest} matches"));
    } else {
        problems.push(format!(
            "evaluated again, the report digest is {digest}, not {} as the manifest says (Attest {} made the bundle; this is {})",
            manifest.report_digest,
            manifest.attest_version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    let before = problems.len();
    check_drawn(files, samples::SAMPLES, &again.samples, "sample", problems);
    if !again.samples.is_empty() && problems.len() == before {
        verified.push(format!(
            "samples: {} drawn again, the same records",
            manifest.rerun.samples.len()
        ));
    }
    // Every bundle holds the populations, where `parts` puts them, whatever the manifest says.
    let folder = parts::POPULATIONS;
    match &manifest.populations {
        Some(said) if said == folder => {}
        Some(said) => problems.push(format!(
            "manifest.json: populations is {said:?}, but every bundle holds the populations under {folder}/"
        )),
        None => problems.push(format!(
            "manifest.json: no `populations`, but every bundle holds the populations under {folder}/"
        )),
    }
    let before = problems.len();
    check_drawn(files, folder, &again.populations, "population", problems);
    if problems.len() == before {
        verified.push(format!(
            "populations: {} files, as the evaluation gives them",
            again.populations.len()
        ));
    }
    verified
}
/// What the manifest says of the run that evaluating `again` does not give, in words.
fn claims(manifest: &Manifest, again: &Report) -> Vec<String> {
    let r = again;
    [
        (
            "organization",
            &manifest.organization,
            r.facts.organization.clone(),
        ),
        ("as_of", &manifest.as_of, r.evaluated_on.clone()),
        (
            "facts_digest",
            &manifest.facts_digest,
            r.facts.digest.clone(),
        ),
        (
            "pack",
            &manifest.pack,
            format!("{} {}", r.pack.name, r.pack.version),
        ),
        ("pack_digest", &manifest.pack_digest, r.pack.digest.clone()),
    ]
    .into_iter()
    .filter(|(_, says, is)| *says != is)
    .map(|(field, says, is)| {
        format!("manifest.json: {field} is {says:?}, but evaluating the bundle again gives {is:?}")
    })
    .collect()
}

/// Compares the bundle's files under `folder` with those the evaluation gives (`what`: a
/// population or a sample).
fn check_drawn(
    files: &Files,
    folder: &str,
    expected: &[(String, String)],
    what: &str,
    problems: &mut Vec<String>,
) {
    for (path, content) in expected {
        match files.get(path) {
            None => problems.push(format!(
                "{path}: the evaluation gives this {what}; the bundle lacks it"
            )),
            Some(bytes) if bytes != content.as_bytes() => {
                problems.push(format!("{path}: not the {what} the evaluation gives"))
            }
            Some(_) => {}
        }
    }
    let prefix = format!("{folder}/");
    for path in files.0.keys().filter(|p| p.starts_with(&prefix)) {
        if !expected.iter().any(|(p, _)| p == path) {
            let path = shown(path);
            problems.push(format!("{path}: not a {what} the evaluation gives"));
        }
    }
}

/// How the evaluation found the bundled evidence files against their records' `sha256`,
/// and which records' `sha256` it could not check ([`unchecked`](crate::evidence::unchecked)).
fn evidence_checked(report: &Report, unchecked: &str) -> String {
    let checks: Vec<FileCheck> = report
        .controls
        .iter()
        .flat_map(|c| &c.evidence)
        .filter_map(|e| e.file)
        .collect();
    let counts: Vec<String> = [
        FileCheck::Verified,
        FileCheck::Mismatch,
        FileCheck::Missing,
        FileCheck::OutsideRoot,
    ]
    .into_iter()
    .map(|check| (check, checks.iter().filter(|c| **c == check).count()))
    .filter(|(_, n)| *n > 0)
    .map(|(check, n)| format!("{n} {}", check.as_str()))
    .collect();
    let checked = if counts.is_empty() {
        "none named".to_owned()
    } else {
        counts.join(", ")
    };
    let unchecked = match unchecked {
        "" => String::new(),
        records => format!("; records whose sha256 no file can be checked against: {records}"),
    };
    format!("evidence files checked again against their records' sha256: {checked}{unchecked}")
}

/// The bundle evaluated again: the evaluation, what is wrong with its evidence folder
/// ([`evidence::unnamed`]) and the records whose `sha256` it could not check, in words.
struct Again {
    evaluated: Evaluated,
    unnamed: Vec<String>,
    unchecked: String,
}

/// Evaluates the bundle's facts, pack, evidence files and waivers again.
fn reevaluate(files: &Files, manifest: &Manifest) -> Result<Again, String> {
    let rerun = &manifest.rerun;
    let sources: Vec<(String, String)> = rerun
        .facts
        .iter()
        .map(|f| Ok((f.name.clone(), files.text(&f.path)?)))
        .collect::<Result<_, String>>()?;
    let chain: Vec<Vec<attest_engine::PackFile>> = rerun
        .pack
        .iter()
        .map(|dir| {
            let prefix = format!("{}/", dir.path);
            files
                .0
                .iter()
                .filter_map(|(path, bytes)| {
                    path.strip_prefix(&prefix).map(|rel| {
                        attest_engine::PackFile::new(
                            rel,
                            String::from_utf8_lossy(bytes).into_owned(),
                        )
                    })
                })
                .collect()
        })
        .collect();
    let engine = Engine::new(packs::rebuild(&chain)?, limits(rerun)?).map_err(|e| e.to_string())?;
    let unchecked = crate::evidence::unchecked::unchecked(&sources);
    let facts = load_facts(sources, Some(engine.pack()), false)?;
    let unchecked = crate::evidence::unchecked::summary(&unchecked, &facts);
    let waivers = match &rerun.waivers {
        Some(w) => Some((w.name.clone(), files.text(&w.path)?)),
        None => None,
    };
    let as_of = Date::parse(&manifest.as_of)
        .ok_or_else(|| format!("manifest.json: as_of `{}` is not a date", manifest.as_of))?;
    let uris = facts.evidence_files();
    let hashes = (rerun.evidence.as_ref()).map(|part| evidence::bundled(files, part, &uris));
    let unnamed = (rerun.evidence.as_ref())
        .map(|part| evidence::unnamed(files, part, &uris))
        .unwrap_or_default();
    let again = evaluate(
        &engine,
        &facts,
        Some(as_of),
        rerun,
        hashes,
        waivers.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
        &[],
    )?;
    Ok(Again {
        evaluated: again,
        unnamed,
        unchecked,
    })
}
