//! `--evidence-root DIR`: the files that evidence records name, read and hashed here so the
//! engine, which reads no files, can compare each with the record's `sha256`. Here too is
//! where a file is found to be outside the root through a link (the engine judges `..`), for
//! `attest eval` and `attest bundle` alike.

pub mod unchecked;

use attest_engine::{EvalOptions, EvidenceFile, Facts};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// `--evidence-root DIR`, as the commands that evaluate the facts for a report or a view of
/// it (`attest eval`, `attest todo`, `attest vendors`) take it: one flag, one meaning.
#[derive(clap::Args, Debug, Default)]
pub struct RootArg {
    /// Check every evidence record with a sha256 and a relative uri against the file at
    /// that uri under DIR; a missing file, a different hash or a file outside DIR (through
    /// `..` or a link that leads out of it) fails its criterion. Records with a sha256 and
    /// another uri (absolute, empty, file:, a URL) are told on stderr: nothing checks them.
    #[arg(long = "evidence-root", value_name = "DIR")]
    pub root: Option<PathBuf>,
}

impl RootArg {
    /// With a root, the evidence records of the facts `sources` whose `sha256` it cannot
    /// check ([`unchecked::unchecked`]), to tell of once the facts are loaded.
    pub fn unchecked(&self, sources: &[(String, String)]) -> Option<Vec<unchecked::Unchecked>> {
        self.root.as_ref().map(|_| unchecked::unchecked(sources))
    }

    /// `options` with, when a root is given, the hash of every file the facts' evidence
    /// records name under it ([`hash_files`]); an error when the root is not a folder.
    pub fn hashed(&self, options: EvalOptions, facts: &Facts) -> Result<EvalOptions, String> {
        Ok(match &self.root {
            Some(root) => options.with_evidence_files(hash_files(root, &facts.evidence_files())?),
            None => options,
        })
    }
}

/// For each relative `uri` ([`Facts::evidence_files`](attest_engine::Facts::evidence_files)),
/// the SHA-256 (lowercase hex) of the file at that path under `root`, why it could not be
/// read, or that it is outside the root ([`locate`]). An error when `root` is not a folder.
pub fn hash_files(root: &Path, uris: &[String]) -> Result<BTreeMap<String, EvidenceFile>, String> {
    let root = real_root(root)?;
    Ok(uris
        .iter()
        .map(|uri| {
            let found = match locate(&root, uri) {
                Ok(path) => file_sha256(&path).into(),
                Err(outside) => outside,
            };
            (uri.clone(), found)
        })
        .collect())
}

/// The evidence files a run with `--evidence-root root` reads: the file of each relative
/// `uri` ([`Facts::evidence_files`](attest_engine::Facts::evidence_files)) found in the root
/// ([`locate`]), as the root and the `uri` name it. No output may replace one.
pub fn read_files(root: &Path, uris: &[String]) -> Result<Vec<PathBuf>, String> {
    let real = real_root(root)?;
    Ok(uris
        .iter()
        .filter(|uri| locate(&real, uri).is_ok())
        .map(|uri| as_given(root, uri))
        .collect())
}

/// The evidence root, every link in its path followed ([`locate`] holds files to it). An
/// error when it is not a folder.
pub fn real_root(root: &Path) -> Result<PathBuf, String> {
    let name = crate::inputs::display(root);
    if !root.is_dir() {
        return Err(format!("--evidence-root {name}: not a folder"));
    }
    std::fs::canonicalize(root).map_err(|e| format!("--evidence-root {name}: {e}"))
}

/// The file of `uri` under `real_root` ([`real_root`]), found as the system finds it, every
/// link on its path followed; what the engine is told instead when that leads out of the
/// root (a link in the root to `../elsewhere` or `/etc`: the facts are not trusted, so their
/// `uri`s may not read what the root does not hold), or when the path cannot be followed (a
/// missing file, a dangling link, a `..` after a name that is not a folder there, a file
/// named with a `/` after it). A link that stays in the root is followed.
pub fn locate(real_root: &Path, uri: &str) -> Result<PathBuf, EvidenceFile> {
    match std::fs::canonicalize(as_given(real_root, uri)) {
        Ok(real) if real.starts_with(real_root) => Ok(real),
        Ok(_) => Err(EvidenceFile::OutsideRoot),
        Err(e) => Err(EvidenceFile::Unreadable(not_found(&e, uri))),
    }
}

/// The path of `uri` under `root` for the system to resolve: each `/` or `\` of the `uri` a
/// separator (a `uri` is no path of this system, and means the same on every one), its `.`
/// and `..` segments and a separator at its end kept, so that the system resolves them as
/// it would for any program reading the file: `missing/../a.txt` is no file where `missing`
/// is not a folder, nor is `a.txt/`.
fn as_given(root: &Path, uri: &str) -> PathBuf {
    let mut path = root.as_os_str().to_owned();
    for segment in uri.split(['/', '\\']) {
        path.push(std::path::MAIN_SEPARATOR_STR);
        path.push(segment);
    }
    PathBuf::from(path)
}

/// The segments of a relative evidence `uri`, as a bundle names the file it holds for it:
/// split at `/` or `\`, empty and `.` segments left out, and a `..` taking back the segment
/// before it (the engine hands over only URIs that stay under the root). Whether the `uri`
/// names a file at all is for [`locate`] (on disk) and the bundle's own lookup to say.
pub fn segments(uri: &str) -> Vec<&str> {
    let mut segments: Vec<&str> = Vec::new();
    for segment in uri.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    segments
}

/// The SHA-256 of a regular file, read a buffer at a time (so in little memory whatever its
/// size), or why it could not be read. Also how `attest history` checks the reports a ledger
/// names.
pub fn file_sha256(path: &Path) -> Result<String, String> {
    // Only a regular file is read: a pipe would block the run and a device (`/dev/zero`)
    // never end, both before a byte is hashed; so they are refused before being opened.
    let regular = |meta: &std::fs::Metadata| match meta.is_dir() {
        true => Err("it is a folder".to_owned()),
        false if !meta.is_file() => Err(format!("it is {}, not a file", crate::inputs::kind(meta))),
        false => Ok(()),
    };
    regular(&std::fs::metadata(path).map_err(|e| describe(&e))?)?;
    let mut file = File::open(path).map_err(|e| describe(&e))?;
    regular(&file.metadata().map_err(|e| describe(&e))?)?;
    let mut hasher = Hashing(Sha256::new());
    io::copy(&mut file, &mut hasher).map_err(|e| describe(&e))?;
    Ok(hasher
        .0
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Where `io::copy` writes a file as it reads it: into the hash, a buffer at a time.
struct Hashing(Sha256);

impl io::Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => NO_SUCH_FILE.to_owned(),
        io::ErrorKind::NotADirectory => NOT_A_FOLDER.to_owned(),
        _ => e.to_string(),
    }
}

/// Why no file was found for a `uri`.
pub const NO_SUCH_FILE: &str = "no such file";

/// Why no file was found for a `uri` through a file.
pub const NOT_A_FOLDER: &str =
    "a file where its path needs a folder (a name followed by `/`, or by `/..`)";

/// Why the file of `uri` could not be found ([`describe`]); when there is no such file and
/// the `uri` holds a `\`, that a `\` separates folders in a `uri`, as `/` does (on Unix a
/// file's own name may hold one, and no `uri` names such a file).
fn not_found(e: &io::Error, uri: &str) -> String {
    let why = describe(e);
    if e.kind() == io::ErrorKind::NotFound && uri.contains('\\') {
        return format!("{why} (a `\\` in a uri separates folders, as `/` does)");
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_files_and_says_why_others_cannot_be_read() {
        let root = std::env::temp_dir().join(format!("attest-evidence-{}", std::process::id()));
        std::fs::create_dir_all(root.join("board")).unwrap();
        std::fs::write(root.join("board/minutes.txt"), "abc").unwrap();
        let uris = [
            "board/minutes.txt".to_owned(),
            "board\\minutes.txt".to_owned(),
            "missing.pdf".to_owned(),
            "board".to_owned(),
            "./board/../board/minutes.txt".to_owned(),
        ];
        let got = hash_files(&root, &uris).unwrap();
        let abc = || {
            EvidenceFile::Read(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_owned(),
            )
        };
        let unreadable = |why: &str| EvidenceFile::Unreadable(why.to_owned());
        assert_eq!(got["board/minutes.txt"], abc());
        assert_eq!(got["board\\minutes.txt"], abc());
        assert_eq!(got["missing.pdf"], unreadable("no such file"));
        assert_eq!(got["board"], unreadable("it is a folder"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            // A device is refused before it is read.
            assert_eq!(
                file_sha256(Path::new("/dev/zero")),
                Err("it is a character device, not a file".to_owned())
            );
            // Links that lead out of the root are outside it, and not followed; a link that
            // stays in it is followed, a dangling one leads to no file.
            std::fs::write(root.with_extension("outside"), "abc").unwrap();
            symlink("/dev/zero", root.join("zero.pdf")).unwrap();
            symlink(root.with_extension("outside"), root.join("out.txt")).unwrap();
            symlink("..", root.join("board/up")).unwrap();
            symlink("minutes.txt", root.join("board/in.txt")).unwrap();
            symlink("nowhere.txt", root.join("dangling.txt")).unwrap();
            let uris = ["zero.pdf", "out.txt", "board/up/board/minutes.txt"].map(str::to_owned);
            let got = hash_files(&root, &uris).unwrap();
            assert_eq!(got["zero.pdf"], EvidenceFile::OutsideRoot);
            assert_eq!(got["out.txt"], EvidenceFile::OutsideRoot);
            // `board/up` is the root itself: still in it.
            assert_eq!(got["board/up/board/minutes.txt"], abc());
            let uris = ["board/in.txt", "dangling.txt"].map(str::to_owned);
            let got = hash_files(&root, &uris).unwrap();
            assert_eq!(got["board/in.txt"], abc());
            assert_eq!(got["dangling.txt"], unreadable("no such file"));
            std::fs::remove_file(root.with_extension("outside")).unwrap();
        }
        assert_eq!(got["./board/../board/minutes.txt"], abc());
        // The path is resolved as the system resolves it, not by its text: a file named
        // with a `/` after it, or a `..` after a file or after a name not there, is no file.
        let uris = [
            "board/minutes.txt/",
            "board/minutes.txt/.",
            "board/minutes.txt/../minutes.txt",
            "missing/../board/minutes.txt",
            "board/./minutes.txt",
            "board//minutes.txt",
            "board/",
            "missing\\minutes.txt",
        ]
        .map(str::to_owned);
        let got = hash_files(&root, &uris).unwrap();
        for uri in &uris[..3] {
            assert_eq!(got[uri], unreadable(NOT_A_FOLDER), "{uri}");
        }
        assert_eq!(
            got["missing/../board/minutes.txt"],
            unreadable("no such file")
        );
        assert_eq!(got["board/./minutes.txt"], abc());
        assert_eq!(got["board//minutes.txt"], abc());
        assert_eq!(got["board/"], unreadable("it is a folder"));
        assert_eq!(
            got["missing\\minutes.txt"],
            unreadable("no such file (a `\\` in a uri separates folders, as `/` does)")
        );
        assert!(hash_files(&root.join("board/minutes.txt"), &uris).is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
