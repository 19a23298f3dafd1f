//! Where a bundle lives: a folder, or a zip file when the output's name ends in `.zip`.
//! Either is written whole or not at all (a temporary sibling, then a rename: [`Staged`]),
//! and a zip is deterministic: entries in path order, every time stamp 1980-01-01, mode 644.

use super::Files;
use crate::inputs;
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
}

impl Staged {
    /// Makes the temporary sibling; refuses a bundle that could not be written where `path`
    /// puts it (a folder the user may not write to, a read-only file system).
    pub fn new(path: &Path) -> Result<Self, String> {
        let tmp = temporary(path);
        let made = if is_zip(path) {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .map(drop)
        } else {
            fs::create_dir(&tmp)
        };
        made.map_err(|e| format!("{}: cannot be written there: {e}", inputs::display(path)))?;
        Ok(Self {
            path: path.to_owned(),
            tmp,
            written: BTreeSet::new(),
            done: false,
        })
    }

    /// Writes `files` that are not written yet (a zip is written whole, `files` its
    /// entries).
    pub fn write(&mut self, files: &Files) -> Result<(), String> {
        let name = inputs::display(&self.path);
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
        fs::rename(&self.tmp, &self.path)
            .map_err(|e| format!("{}: {e}", inputs::display(&self.path)))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.tmp);
            let _ = fs::remove_file(&self.tmp);
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
        zip.start_file(rel.as_str(), options)
            .map_err(|e| e.to_string())?;
        zip.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Reads every file of a bundle folder or zip file.
pub fn read(path: &Path) -> Result<Files, String> {
    let name = inputs::display(path);
    let mut files = Files::default();
    if is_zip(path) {
        let file = fs::File::open(path).map_err(|e| format!("{name}: {e}"))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{name}: {e}"))?;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| format!("{name}: {e}"))?;
            if entry.is_dir() {
                continue;
            }
            let rel = entry
                .enclosed_name()
                .ok_or_else(|| format!("{name}: {}: a path outside the bundle", entry.name()))?
                .to_string_lossy()
                .replace('\\', "/");
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| format!("{name}: {rel}: {e}"))?;
            files.add(rel, bytes);
        }
    } else {
        if !path.is_dir() {
            return Err(format!("{name}: no bundle folder or .zip file there"));
        }
        walk(path, path, &mut files).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(files)
}

fn walk(base: &Path, dir: &Path, files: &mut Files) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(base, &path, files)?;
        } else {
            let rel = path
                .strip_prefix(base)
                .map_err(std::io::Error::other)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.add(rel, fs::read(&path)?);
        }
    }
    Ok(())
}
