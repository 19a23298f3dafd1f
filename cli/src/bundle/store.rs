//! Where a bundle lives: a folder, or a zip file when the output's name ends in `.zip`.
//! Either is written whole or not at all (a temporary sibling, then a rename: [`Staged`]),
//! and a zip is deterministic: entries in path order, every time stamp 1980-01-01, mode 644.

use super::Files;
use crate::inputs;
use crate::output;
use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

/// Whether `path` names a zip bundle.
pub fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Refuses an output that is already there: an existing folder or file is never replaced.
/// Checked before anything is evaluated, and again just before the bundle is put in place.
pub fn refuse_existing(path: &Path) -> Result<(), String> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(format!(
            "{}: already exists: give a new folder or zip file",
            inputs::display(path)
        ));
    }
    Ok(())
}

/// A bundle being written: its files go to a temporary sibling of its path (the same folder,
/// so the final rename is atomic), the ledger slice and the manifest last, then the sibling
/// is renamed into place. Dropped before [`Staged::finish`], it removes the sibling, so a
/// write that fails part-way leaves nothing behind.
pub struct Staged {
    path: PathBuf,
    tmp: PathBuf,
    written: BTreeSet<String>,
    done: bool,
    /// The most the files may come to: what `bundle verify` reads.
    limit: inputs::SizeLimit,
}

impl Staged {
    /// Makes the temporary sibling; refuses a bundle that could not be written where `path`
    /// puts it (a folder the user may not write to, a read-only file system).
    pub fn new(path: &Path) -> Result<Self, String> {
        let tmp = temporary(path);
        // Listed as it is made, so that a signal that ends the run removes it.
        let made = output::make_temporary(&tmp, || {
            if is_zip(path) {
                fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&tmp)
                    .map(drop)
            } else {
                fs::create_dir(&tmp)
            }
        });
        made.map_err(|e| format!("{}: cannot be written there: {e}", inputs::display(path)))?;
        Ok(Self {
            path: path.to_owned(),
            tmp,
            written: BTreeSet::new(),
            done: false,
            limit: inputs::SizeLimit::default(),
        })
    }

    /// Writes `files` that are not written yet (a zip is written whole, `files` its
    /// entries); refuses files that come to more than `bundle verify` reads (1 GiB).
    pub fn write(&mut self, files: &Files) -> Result<(), String> {
        let name = inputs::display(&self.path);
        // No bigger than `bundle verify` reads: a bundle it must refuse is of no use.
        let limit = self.limit;
        let total: u64 = files.0.values().map(|b| b.len() as u64).sum();
        if total > limit.0 {
            return Err(format!(
                "{name}: the bundle's files come to {total} bytes, more than the {limit} `attest bundle verify` reads: keep the largest evidence files out of the evidence root, or bundle them apart"
            ));
        }
        if is_zip(&self.path) {
            let bytes = zip_bytes(files).map_err(|e| format!("{name}: {e}"))?;
            fs::write(&self.tmp, bytes).map_err(|e| format!("{name}: {e}"))?;
        } else {
            for (rel, bytes) in &files.0 {
                if self.written.contains(rel) {
                    continue;
                }
                let path = self.tmp.join(rel);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| format!("{name}: {rel}: {e}"))?;
                }
                fs::write(&path, bytes).map_err(|e| format!("{name}: {rel}: {e}"))?;
                self.written.insert(rel.clone());
            }
        }
        Ok(())
    }

    /// Writes the rest of `files` and puts the bundle in place; refuses to replace anything
    /// that appeared there in the meantime.
    pub fn finish(mut self, files: &Files) -> Result<(), String> {
        self.write(files)?;
        refuse_existing(&self.path)?;
        output::settle_temporary(&self.tmp, || fs::rename(&self.tmp, &self.path))
            .map_err(|e| format!("{}: {e}", inputs::display(&self.path)))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = output::settle_temporary(&self.tmp, || {
                let _ = fs::remove_dir_all(&self.tmp);
                let _ = fs::remove_file(&self.tmp);
                Ok(())
            });
        }
    }
}

fn temporary(path: &Path) -> PathBuf {
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".to_owned());
    path.with_file_name(format!(".{base}.{}.tmp", std::process::id()))
}

fn zip_bytes(files: &Files) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (rel, bytes) in &files.0 {
        if rel.contains('\\') {
            return Err(format!(
                "{rel}: a `\\` in the file's name, which some zip readers take for a folder separator and others keep in the name: rename the file, or make a folder bundle (an --output not ending in .zip), which keeps the name as it is"
            ));
        }
        zip.start_file(rel.as_str(), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Reads every file of a bundle folder or zip file, within the default input size limit
/// (1 GiB) for all of them together, checked as they are read: a zip entry that inflates
/// without end, or a device or a pipe in a folder, is an error naming it, not read until
/// memory runs out or waited on.
pub fn read(path: &Path) -> Result<Files, String> {
    read_within(path, inputs::SizeLimit::default())
}

/// [`read`], within `limit`.
fn read_within(path: &Path, limit: inputs::SizeLimit) -> Result<Files, String> {
    let name = inputs::display(path);
    let mut files = Files::default();
    let mut left = limit.0;
    // A file's name is the bundle's to choose: shown escaped, on one line.
    let shown = |rel: &str| attest_render::escape::line(rel).into_owned();
    let too_large = |rel: &str| {
        format!(
            "{name}: {}: the bundle's files together are larger than the input size limit of {limit}",
            shown(rel)
        )
    };
    if is_zip(path) {
        inputs::require_regular_if_there(path, "a zip bundle is a regular file")?;
        super::layout::check(path, limit).map_err(|why| format!("{name}: {why}"))?;
        let file = fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{name}: {e}"))?;
        for i in 0..zip.len() {
            let entry = zip.by_index(i).map_err(|e| format!("{name}: {e}"))?;
            let rel = entry
                .enclosed_name()
                .ok_or_else(|| {
                    format!("{name}: {}: a path outside the bundle", shown(entry.name()))
                })?
                .to_string_lossy()
                .into_owned();
            // What an extracting tool would make of the entry must be what is verified: a
            // link (its text read as the file) or a folder with content is refused (a name
            // given twice or not plain, bytes no entry accounts for: [`super::layout`]).
            if entry.is_symlink() {
                return Err(format!(
                    "{name}: {}: a symbolic link: a bundle holds its files itself",
                    shown(&rel)
                ));
            }
            if entry.is_dir() {
                if entry.size() > 0 {
                    return Err(format!(
                        "{name}: {}: a folder entry with content: a bundle holds files in folders, nothing in a folder's entry",
                        shown(&rel)
                    ));
                }
                continue;
            }

            if entry.size() > left {
                return Err(too_large(&rel));
            }
            // The size an entry declares may be false: one byte more than is left is read,
            // to know.
            let mut bytes = Vec::new();
            entry
                .take(left.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(|e| format!("{name}: {}: {e}", shown(&rel)))?;
            left = left
                .checked_sub(bytes.len() as u64)
                .ok_or_else(|| too_large(&rel))?;
            files.add(rel, bytes);
        }
    } else {
        if !path.is_dir() {
            return Err(format!("{name}: no bundle folder or .zip file there"));
        }
        walk(path, path, &mut files, &mut left).map_err(|(rel, e)| match e {
            Unread::TooLarge => too_large(&rel),
            Unread::Other(e) => format!("{name}: {}: {e}", shown(&rel)),
        })?;
    }
    Ok(files)
}

/// Why a file of a bundle folder was not read.
enum Unread {
    /// It would take the files past the size limit.
    TooLarge,
    /// Anything else, in words.
    Other(String),
}

/// Reads the regular files below `dir` into `files`, within `left` bytes; a symbolic link,
/// a device or a pipe is refused, with the path relative to `base`.
fn walk(
    base: &Path,
    dir: &Path,
    files: &mut Files,
    left: &mut u64,
) -> Result<(), (String, Unread)> {
    let rel_of = |path: &Path| {
        path.strip_prefix(base)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    let other = |rel: &str, e: String| (rel.to_owned(), Unread::Other(e));
    let entries = fs::read_dir(dir).map_err(|e| other(&rel_of(dir), e.to_string()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| other(&rel_of(dir), e.to_string()))?
            .path();
        let rel = rel_of(&path);
        let link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        // A link that leads nowhere is named as the link it is, not as a file not found.
        let meta = match fs::metadata(&path) {
            Err(e) if link => {
                return Err(other(
                    &rel,
                    format!(
                        "a symbolic link to nothing there ({e}): a bundle holds its files itself"
                    ),
                ));
            }
            meta => meta.map_err(|e| other(&rel, e.to_string()))?,
        };
        if link {
            let what = if meta.is_dir() { "a folder" } else { "a file" };
            return Err(other(
                &rel,
                format!("a symbolic link to {what}: a bundle holds its files itself"),
            ));
        }
        if meta.is_dir() {
            walk(base, &path, files, left)?;
            continue;
        }
        if !meta.is_file() {
            return Err(other(
                &rel,
                format!(
                    "{}, not a file: a bundle holds regular files",
                    inputs::kind(&meta)
                ),
            ));
        }
        if meta.len() > *left {
            return Err((rel, Unread::TooLarge));
        }
        let mut bytes = Vec::new();
        fs::File::open(&path)
            .and_then(|f| f.take(left.saturating_add(1)).read_to_end(&mut bytes))
            .map_err(|e| other(&rel, e.to_string()))?;
        *left = match left.checked_sub(bytes.len() as u64) {
            Some(n) => n,
            None => return Err((rel, Unread::TooLarge)),
        };
        files.add(rel, bytes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use inputs::SizeLimit;

    #[test]
    fn a_bundle_larger_than_verify_reads_is_not_written() {
        let dir = std::env::temp_dir().join(format!("attest-store-big-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let mut files = Files::default();
        files.add("evidence/big.bin", vec![0; 80]);
        files.add("manifest.json", vec![b' '; 30]);
        for name in ["b.zip", "b"] {
            let path = dir.join(name);
            let mut staged = Staged::new(&path).unwrap();
            staged.limit = SizeLimit(100);
            let err = staged.finish(&files).unwrap_err();
            assert!(
                err.ends_with("the bundle's files come to 110 bytes, more than the 100 bytes `attest bundle verify` reads: keep the largest evidence files out of the evidence root, or bundle them apart"),
                "{err}"
            );
            assert!(!path.exists());
        }
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "no temporary left");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bundle_being_written_is_listed_for_a_signal_to_remove_until_it_is_in_place() {
        let dir = std::env::temp_dir().join(format!("attest-store-signal-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let mut files = Files::default();
        files.add("manifest.json", b"{}".to_vec());
        for name in ["b.zip", "b"] {
            // Put in place: listed while written, off the list once renamed.
            let path = dir.join(name);
            let staged = Staged::new(&path).unwrap();
            let tmp = staged.tmp.clone();
            assert!(output::is_temporary(&tmp), "{name}: listed while written");
            staged.finish(&files).unwrap();
            assert!(
                !output::is_temporary(&tmp),
                "{name}: off the list once in place"
            );
            assert!(path.exists() && !tmp.exists());
            // Dropped unfinished: removed, and off the list.
            let other = dir.join(format!("other-{name}"));
            let staged = Staged::new(&other).unwrap();
            let tmp = staged.tmp.clone();
            assert!(output::is_temporary(&tmp));
            drop(staged);
            assert!(!output::is_temporary(&tmp) && !tmp.exists() && !other.exists());
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bundle_larger_than_the_limit_is_refused_as_it_is_read() {
        let dir = std::env::temp_dir().join(format!("attest-store-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let mut files = Files::default();
        files.add("manifest.json", vec![b' '; 60]);
        files.add("facts/01-org.json", vec![b' '; 60]);
        let zip = dir.join("b.zip");
        fs::create_dir_all(&dir).unwrap();
        fs::write(&zip, zip_bytes(&files).unwrap()).unwrap();
        fs::create_dir_all(dir.join("b/facts")).unwrap();
        fs::write(dir.join("b/manifest.json"), [b' '; 60]).unwrap();
        fs::write(dir.join("b/facts/01-org.json"), [b' '; 60]).unwrap();
        for bundle in [zip, dir.join("b")] {
            assert_eq!(
                read_within(&bundle, SizeLimit(120))
                    .unwrap()
                    .get("manifest.json")
                    .map(<[u8]>::len),
                Some(60)
            );
            let err = read_within(&bundle, SizeLimit(100)).unwrap_err();
            assert!(
                err.contains(
                    ": the bundle's files together are larger than the input size limit of 100 bytes"
                ),
                "{err}"
            );
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
