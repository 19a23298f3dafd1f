//! Reading, appending to and repairing a ledger file. Appending holds an exclusive lock on
//! the file for the whole read-check-write, so two runs appending at once take turns, and
//! writes the entry with a single `write` of the whole line followed by an `fsync`: a writer
//! killed at any point leaves the file as it was, or with the new line complete, or with a
//! torn last line that `verify` names and `repair` removes. Nothing before it is touched.

use super::chain::{Problem, Verified, verify};
use super::entry::Entry;
use crate::inputs;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

/// Reads and checks a ledger; a missing file is an empty ledger.
pub fn read(path: &Path) -> Result<Verified, String> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(verify(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(verify(&[])),
        Err(e) => Err(format!("{}: {e}", inputs::display(path))),
    }
}

/// Appends the entry `make` builds from the next `seq` and the last entry's hash, and
/// returns it. Refuses a ledger whose chain is broken, naming the first bad line.
pub fn append(
    path: &Path,
    make: impl FnOnce(u64, Option<String>) -> Entry,
) -> Result<Entry, String> {
    let name = inputs::display(path);
    let fail = |e: std::io::Error| format!("{name}: {e}");
    let created = !path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(fail)?;
    file.lock().map_err(fail)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(fail)?;
    let verified = verify(&bytes);
    if let Some(problem) = &verified.problem {
        return Err(broken(&name, problem));
    }
    let last = verified.entries.last();
    let mut entry = make(
        last.map_or(1, |e| e.seq + 1),
        last.map(|e| e.hash.clone()),
    );
    entry.hash = entry.compute_hash();
    // One write of the whole line: a crash cuts it short at worst, never mixes it up.
    file.write_all(entry.to_line().as_bytes()).map_err(fail)?;
    file.sync_data().map_err(fail)?;
    if created {
        sync_folder(path);
    }
    Ok(entry)
}

/// What `repair` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repaired {
    /// The chain was sound: nothing to do.
    Nothing,
    /// The torn last line (its line number and length in bytes) was removed.
    RemovedTornLine {
        /// Its line number.
        line: usize,
        /// Its length in bytes.
        bytes: usize,
    },
}

/// Removes a torn last line, under the same lock as `append`. Any other problem is refused:
/// an edited, reordered, inserted or deleted entry cannot be repaired, only restored.
pub fn repair(path: &Path) -> Result<Repaired, String> {
    let name = inputs::display(path);
    let fail = |e: std::io::Error| format!("{name}: {e}");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(fail)?;
    file.lock().map_err(fail)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(fail)?;
    let verified = verify(&bytes);
    match &verified.problem {
        None => Ok(Repaired::Nothing),
        Some(Problem::Torn { line }) => {
            file.set_len(verified.sound_len as u64).map_err(fail)?;
            file.sync_data().map_err(fail)?;
            Ok(Repaired::RemovedTornLine {
                line: *line,
                bytes: bytes.len() - verified.sound_len,
            })
        }
        Some(problem) => Err(format!(
            "{name}: {problem}. Only a torn last line can be repaired; restore the ledger from a copy"
        )),
    }
}

/// The error for a ledger whose chain is broken.
pub fn broken(name: &str, problem: &Problem) -> String {
    match problem {
        Problem::Torn { .. } => format!("{name}: {problem}; nothing was appended"),
        _ => format!("{name}: the chain is broken: {problem}; nothing was appended"),
    }
}

/// Makes a new file's name durable: its folder is synced (where the platform allows).
fn sync_folder(path: &Path) {
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}
