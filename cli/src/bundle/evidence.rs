//! `evidence/<uri>`: the files of an evidence root that the facts' evidence records name (a
//! `sha256` and a relative `uri`), copied into the bundle, and the file hashes an evaluation
//! checks them with, whether taken from the root or, to evaluate again, from the bundle.

use super::Files;
use super::manifest::Evidence;
use crate::evidence::segments;
use crate::{evidence, inputs, ledger};
use attest_engine::EvidenceFile;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The folder of the bundle that stands for the evidence root.
const FOLDER: &str = "evidence";

/// What an evaluation is given for each `uri`: the SHA-256 of its file, why it could not be
/// read, or that it is outside the root.
pub type Hashes = BTreeMap<String, EvidenceFile>;

/// Copies the file of each `uri` under `root` into the bundle; returns what the manifest
/// records and the hashes the evaluation is given: those that evaluating the bundle again
/// finds ([`bundled`]), so the two cannot differ. A file outside the root (a link on its
/// path leads out of it, [`evidence::locate`]) is not copied. An error when `root` is not a
/// folder.
pub fn collect(
    files: &mut Files,
    root: &Path,
    uris: &[String],
) -> Result<(Evidence, Hashes), String> {
    let real_root = evidence::real_root(root)?;
    let mut unreadable = BTreeMap::new();
    let mut outside_root = BTreeSet::new();
    for uri in uris {
        // Only a regular file under the root is read (as `attest eval` reads it), and the
        // bytes bundled are the bytes hashed, even if the file changes meanwhile.
        let bytes = evidence::locate(&real_root, uri).and_then(|real| {
            evidence::file_sha256(&real).map_err(EvidenceFile::Unreadable)?;
            std::fs::read(&real).map_err(|e| {
                EvidenceFile::Unreadable(match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_owned(),
                    _ => e.to_string(),
                })
            })
        });
        match bytes {
            Ok(bytes) => files.add(path(uri), bytes),
            Err(EvidenceFile::Unreadable(why)) => {
                unreadable.insert(uri.clone(), why);
            }
            Err(_) => {
                outside_root.insert(uri.clone());
            }
        }
    }
    let part = Evidence {
        path: FOLDER.to_owned(),
        root: inputs::display(root),
        unreadable,
        outside_root,
    };
    let hashes = bundled(files, &part, uris);
    for (uri, found) in &hashes {
        // Read from the root, but not found in the bundle as a `uri` names it.
        if let (EvidenceFile::Unreadable(why), false) = (found, part.unreadable.contains_key(uri)) {
            crate::output::tell(&format!(
                "warning: evidence {}: read from the evidence root, but the bundle cannot hold it where the uri names it: {}",
                attest_engine::escape::line(uri),
                attest_engine::escape::line(why)
            ));
        }
    }
    Ok((part, hashes))
}

/// The hashes of the bundle's evidence files for each `uri`, as [`collect`] gave them when
/// the bundle was made: a file the bundle lacks could not be read then, or was removed.
pub fn bundled(files: &Files, part: &Evidence, uris: &[String]) -> Hashes {
    uris.iter()
        .map(|uri| {
            let found = if part.outside_root.contains(uri) {
                EvidenceFile::OutsideRoot
            } else if let Some(why) = part.unreadable.get(uri) {
                EvidenceFile::Unreadable(why.clone())
            } else {
                find(files, &part.path, uri).map(ledger::sha256).into()
            };
            (uri.clone(), found)
        })
        .collect()
}

/// What is wrong with the bundle's evidence folder (the manifest's `part`) against the
/// `uris` the facts name: every bundle holds it under `evidence/`, and holds there only the
/// files the evidence records name (any other would be checked by nothing).
pub fn unnamed(files: &Files, part: &Evidence, uris: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    if part.path != FOLDER {
        problems.push(format!(
            "manifest.json: rerun.evidence.path is {:?}, but every bundle holds the evidence files under {FOLDER}/",
            part.path
        ));
    }
    let named: BTreeSet<String> = uris.iter().map(|uri| under(&part.path, uri)).collect();
    let prefix = format!("{}/", part.path);
    for path in files.0.keys().filter(|p| p.starts_with(&prefix)) {
        if !named.contains(path) {
            let path = attest_render::escape::line(path);
            problems.push(format!(
                "{path}: no evidence record of the facts names this file"
            ));
        }
    }
    problems
}

/// The bytes of the file the bundle holds for `uri` under `folder`, found as the system
/// finds a file on disk, or why there is none: a `.`, a `..` or an empty segment (`a//b`)
/// must follow a folder of the bundle (a `..` goes back out of it), so that `missing/../a.txt`
/// names no file when the bundle holds no folder `missing`, nor `a.txt/..` or `a.txt/`
/// when `a.txt` is a file; a `uri` naming a folder names no file.
fn find<'f>(files: &'f Files, folder: &str, uri: &str) -> Result<&'f [u8], String> {
    let is_folder = |path: &[&str]| {
        let prefix = format!("{}/", path.join("/"));
        path.len() == 1
            || (files.0.range(prefix.clone()..).next()).is_some_and(|(p, _)| p.starts_with(&prefix))
    };
    let mut path = vec![folder];
    let mut names_folder = false;
    for segment in uri.split(['/', '\\']) {
        names_folder = matches!(segment, "" | "." | "..");
        if !names_folder {
            path.push(segment);
            continue;
        }
        if !is_folder(&path) {
            return Err(match files.get(&path.join("/")) {
                Some(_) => evidence::NOT_A_FOLDER.to_owned(),
                None if segment == ".." => format!(
                    "no folder {} in the bundle for the `..` after it to go back out of (a bundle holds the files evidence records name, in their folders, and no other folder): write the uri without `..`",
                    path[1..].join("/")
                ),
                None => evidence::NO_SUCH_FILE.to_owned(),
            });
        }
        if segment == ".." && path.len() > 1 {
            path.pop();
        }
    }
    if names_folder || is_folder(&path) {
        return Err("it is a folder".to_owned());
    }
    files
        .get(&path.join("/"))
        .ok_or_else(|| evidence::NO_SUCH_FILE.to_owned())
}

/// The bundle's path of a `uri`'s file under `folder`.
fn under(folder: &str, uri: &str) -> String {
    std::iter::once(folder)
        .chain(segments(uri))
        .collect::<Vec<_>>()
        .join("/")
}

/// The bundle's path of a `uri`'s file.
fn path(uri: &str) -> String {
    under(FOLDER, uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_copied_and_hashed_as_the_bundle_holds_them() {
        let root =
            std::env::temp_dir().join(format!("attest-bundle-evidence-{}", std::process::id()));
        std::fs::create_dir_all(root.join("board")).unwrap();
        std::fs::write(root.join("board/minutes.txt"), "abc").unwrap();
        let uris = [
            "./board/minutes.txt".to_owned(),
            "board\\minutes.txt".to_owned(),
            "missing.pdf".to_owned(),
            "board".to_owned(),
            "board/../board/minutes.txt".to_owned(),
        ];
        let mut files = Files::default();
        let (part, hashes) = collect(&mut files, &root, &uris).unwrap();
        let abc = || {
            EvidenceFile::Read(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_owned(),
            )
        };
        assert_eq!(files.get("evidence/board/minutes.txt"), Some(&b"abc"[..]));
        assert_eq!(files.0.len(), 1);
        assert_eq!(hashes["board\\minutes.txt"], abc());
        // A `..` that stays under the root names the same file, held once.
        assert_eq!(hashes["board/../board/minutes.txt"], abc());
        assert_eq!(part.unreadable["missing.pdf"], "no such file");
        assert_eq!(part.unreadable["board"], "it is a folder");
        // Evaluating again from the bundle gives the same hashes and reasons.
        assert_eq!(bundled(&files, &part, &uris), hashes);
        // The bundle's files are found as the system finds files on disk: a `..` after a
        // folder it does not hold, or after a file, and a file named with a `/` after it,
        // name no file, whatever their text comes to.
        let mut lookup = Files::default();
        lookup.add("evidence/board/minutes.txt", "abc");
        lookup.add("evidence/a.txt", "abc");
        let found = |uri: &str| find(&lookup, "evidence", uri).map(|b| b.to_vec());
        for uri in [
            "a.txt",
            "./a.txt",
            "board/../a.txt",
            "board//minutes.txt",
            "board\\minutes.txt",
        ] {
            assert_eq!(found(uri), Ok(b"abc".to_vec()), "{uri}");
        }
        for uri in ["a.txt/", "a.txt/.", "a.txt/../a.txt", "board/minutes.txt/"] {
            assert_eq!(found(uri), Err(evidence::NOT_A_FOLDER.to_owned()), "{uri}");
        }
        assert!(
            found("missing/../a.txt")
                .unwrap_err()
                .starts_with("no folder missing in the bundle for the `..`")
        );
        assert_eq!(found("missing/./a.txt"), Err("no such file".to_owned()));
        for uri in ["board", "board/", "board/..", "."] {
            assert_eq!(found(uri), Err("it is a folder".to_owned()), "{uri}");
        }
        // A file removed from the bundle is missing.
        files.0.clear();
        assert_eq!(
            bundled(&files, &part, &uris)["./board/minutes.txt"],
            EvidenceFile::Unreadable("no such file".to_owned())
        );
        assert!(collect(&mut files, &root.join("board/minutes.txt"), &uris).is_err());
        // A link leading out of the root is not followed: nothing copied, and evaluating
        // again finds it outside the root again.
        #[cfg(unix)]
        {
            let outside = root.with_extension("outside");
            std::fs::write(&outside, "abc").unwrap();
            std::os::unix::fs::symlink(&outside, root.join("out.txt")).unwrap();
            let uris = ["out.txt".to_owned()];
            let mut files = Files::default();
            let (part, hashes) = collect(&mut files, &root, &uris).unwrap();
            assert!(files.0.is_empty());
            assert_eq!(hashes["out.txt"], EvidenceFile::OutsideRoot);
            assert!(part.outside_root.contains("out.txt") && part.unreadable.is_empty());
            assert_eq!(bundled(&files, &part, &uris), hashes);
            std::fs::remove_file(&outside).unwrap();
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}
