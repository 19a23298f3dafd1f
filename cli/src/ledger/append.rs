//! Reading, appending to and repairing a ledger file. Appending holds an exclusive lock on
//! the file for the whole read-check-write, so two runs appending at once take turns, and
//! writes the entry with a single `write` of the whole line followed by an `fsync`: a writer
//! killed at any point leaves the file as it was, or with the new line complete, or with a
//! torn last line that `verify` names and `repair` removes. Nothing before it is touched.
//! A last entry that is whole but lacks its newline is sound: the next append writes the
//! newline in the same `write` as its entry, so the file stays one entry per line. A write
//! that fails while the process lives (a full disk) is cut back: nothing of it is left.

use super::appended::{Appended, write_line};
use super::chain::{Problem, Verified, verify};
use super::entry::Entry;
use crate::inputs;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// What a ledger is, for the error on anything else at its path.
const A_LEDGER: &str = "a ledger is a regular file (JSON Lines)";

/// Reads and checks a ledger; a missing file is an empty ledger. Reads under a shared lock,
/// so a run appending at the same time is never seen halfway through its line.
pub fn read(path: &Path) -> Result<Verified, String> {
    let fail = |e: std::io::Error| format!("{}: {e}", inputs::display(path));
    inputs::require_regular_if_there(path, A_LEDGER)?;
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(verify(&[])),
        Err(e) => return Err(fail(e)),
    };
    inputs::require_regular_open(path, &file, A_LEDGER)?;
    file.lock_shared().map_err(fail)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(fail)?;
    Ok(verify(&bytes))
}

/// Appends the entry `make` builds from the next `seq`, the last entry's hash and the
/// ledger's entries (read under the lock, so no run appends between them and this entry), and
/// returns it with the ledger still locked, until the caller lets the entry stand or takes it
/// back out ([`Appended`]). Refuses a ledger whose chain is broken, naming the first bad
/// line. A write or sync that fails (a full disk) cuts the ledger back to its length before
/// it: no torn line is left, and the error names the ledger and the cause. A ledger this
/// call created stays, empty.
pub fn append(
    path: &Path,
    make: impl FnOnce(u64, Option<String>, &[Entry]) -> Entry,
) -> Result<Appended, String> {
    let name = inputs::display(path);
    let fail = |e: std::io::Error| format!("{name}: {e}");
    inputs::require_regular_if_there(path, A_LEDGER)?;
    let created = !path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(fail)?;
    inputs::require_regular_open(path, &file, A_LEDGER)?;
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
        &verified.entries,
    );
    entry.hash = entry.compute_hash();
    // One write of the whole line (after the newline the last entry lacks, if it does): a
    // crash cuts it short at worst, never mixes it up, and leaves the last entry whole.
    let mut line = if verified.unterminated {
        "\n".to_owned()
    } else {
        String::new()
    };
    line.push_str(&entry.to_line());
    let appended = write_line(file, name, bytes.len() as u64, &line, entry)?;
    if created {
        sync_folder(path);
    }
    Ok(appended)
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
    /// The empty lines after the last entry were removed.
    RemovedEmptyLines {
        /// The first of them.
        line: usize,
        /// How many.
        count: usize,
    },
    /// The last entry, sound but without a newline, was given one.
    AddedNewline {
        /// Its line number.
        line: usize,
    },
}

/// Removes a torn last line or empty lines after the last entry, and gives a sound last
/// entry the newline it lacks, under the same lock as `append`; no entry is removed or
/// changed. Any other problem is refused: an edited, reordered, inserted or deleted entry
/// cannot be repaired, only restored.
pub fn repair(path: &Path) -> Result<Repaired, String> {
    let name = inputs::display(path);
    let fail = |e: std::io::Error| format!("{name}: {e}");
    inputs::require_regular_if_there(path, A_LEDGER)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(fail)?;
    inputs::require_regular_open(path, &file, A_LEDGER)?;
    file.lock().map_err(fail)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(fail)?;
    let verified = verify(&bytes);
    match &verified.problem {
        None if verified.unterminated => {
            file.seek(SeekFrom::End(0)).map_err(fail)?;
            file.write_all(b"\n").map_err(fail)?;
            file.sync_data().map_err(fail)?;
            Ok(Repaired::AddedNewline {
                line: verified.entries.len(),
            })
        }
        None => Ok(Repaired::Nothing),
        Some(Problem::EmptyLines { line, count }) => {
            file.set_len(verified.sound_len as u64).map_err(fail)?;
            file.sync_data().map_err(fail)?;
            Ok(Repaired::RemovedEmptyLines {
                line: *line,
                count: *count,
            })
        }
        Some(Problem::Torn { line }) => {
            file.set_len(verified.sound_len as u64).map_err(fail)?;
            file.sync_data().map_err(fail)?;
            Ok(Repaired::RemovedTornLine {
                line: *line,
                bytes: bytes.len() - verified.sound_len,
            })
        }
        Some(problem) => Err(format!(
            "{name}: {problem}. Only a torn last line or empty lines after the last entry can be repaired; restore the ledger from a copy"
        )),
    }
}

/// The error for a ledger whose chain is broken.
pub fn broken(name: &str, problem: &Problem) -> String {
    match problem {
        p if p.repairable() => format!("{name}: {problem}; nothing was appended"),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::ledger::entry::{PackRef, ReportRef};
    use std::path::PathBuf;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("attest-ledger-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn append_kept(
        path: &Path,
        make: impl FnOnce(u64, Option<String>, &[Entry]) -> Entry,
    ) -> Result<Entry, String> {
        append(path, make).map(Appended::keep)
    }

    fn entry(seq: u64, prev: Option<String>, note: &str) -> Entry {
        Entry {
            ledger_version: "1".to_owned(),
            seq,
            run_at: "2026-06-30T06:00:00Z".to_owned(),
            as_of: "2026-06-30".to_owned(),
            period: None,
            organization: note.to_owned(),
            facts_digest: "f".repeat(64),
            pack: PackRef {
                name: "tiny".to_owned(),
                version: "0.1.0".to_owned(),
                digest: "p".repeat(64),
            },
            params: serde_json::Map::new(),
            report: ReportRef {
                digest: "r".repeat(64),
                path: None,
            },
            summary: serde_json::from_value(serde_json::json!({
                "controls": {"pass": 1, "fail": 1, "warn": 0, "error": 0, "waived": 0, "not_applicable": 0},
                "by_category": {}
            }))
            .unwrap(),
            failing: Vec::new(),
            unjudged: None,
            prev,
            hash: String::new(),
        }
    }

    #[test]
    fn threads_appending_at_once_take_turns() {
        let dir = folder("threads");
        let path = dir.join("ledger.jsonl");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        append_kept(&path, |seq, prev, _| {
                            entry(seq, prev, &format!("t{t} #{i}"))
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let verified = read(&path).unwrap();
        assert_eq!(verified.problem, None);
        assert_eq!(verified.entries.len(), 200);
        let seqs: Vec<u64> = verified.entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=200).collect::<Vec<_>>());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_last_line_cut_anywhere_is_torn_and_repair_keeps_every_entry_before_it() {
        let dir = folder("torn");
        let path = dir.join("ledger.jsonl");
        for i in 0..3 {
            append_kept(&path, |seq, prev, _| entry(seq, prev, &format!("run {i}"))).unwrap();
        }
        let whole = std::fs::read(&path).unwrap();
        let sound = whole[..whole.len() - 1]
            .iter()
            .rposition(|b| *b == b'\n')
            .unwrap()
            + 1;
        // Every cut inside the last line's JSON (its newline is the last byte).
        for cut in sound + 1..whole.len() - 1 {
            std::fs::write(&path, &whole[..cut]).unwrap();
            let verified = read(&path).unwrap();
            assert_eq!(
                verified.problem,
                Some(Problem::Torn { line: 3 }),
                "cut at {cut}"
            );
            assert_eq!(verified.entries.len(), 2);
            assert_eq!(
                repair(&path).unwrap(),
                Repaired::RemovedTornLine {
                    line: 3,
                    bytes: cut - sound
                }
            );
            assert_eq!(std::fs::read(&path).unwrap(), &whole[..sound]);
            assert_eq!(repair(&path).unwrap(), Repaired::Nothing);
        }
        // Only the newline cut: the last entry is whole, so it is kept, and gets it back.
        std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
        let verified = read(&path).unwrap();
        assert_eq!(verified.problem, None);
        assert!(verified.unterminated);
        assert_eq!(verified.entries.len(), 3);
        assert_eq!(repair(&path).unwrap(), Repaired::AddedNewline { line: 3 });
        assert_eq!(std::fs::read(&path).unwrap(), whole);
        assert!(!read(&path).unwrap().unterminated);
        assert_eq!(repair(&path).unwrap(), Repaired::Nothing);
        // A torn ledger refuses appends until it is repaired.
        std::fs::write(&path, &whole[..whole.len() - 5]).unwrap();
        let err = append_kept(&path, |seq, prev, _| entry(seq, prev, "next")).unwrap_err();
        assert!(err.contains("line 3: the last line is incomplete"), "{err}");
        repair(&path).unwrap();
        let next = append_kept(&path, |seq, prev, _| entry(seq, prev, "next")).unwrap();
        assert_eq!(next.seq, 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_append_after_a_last_entry_without_its_newline_writes_the_newline_first() {
        let dir = folder("unterminated");
        let path = dir.join("ledger.jsonl");
        for i in 0..2 {
            append_kept(&path, |seq, prev, _| entry(seq, prev, &format!("run {i}"))).unwrap();
        }
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
        let next = append_kept(&path, |seq, prev, _| entry(seq, prev, "next")).unwrap();
        assert_eq!(next.seq, 3);
        let after = std::fs::read(&path).unwrap();
        assert!(after.starts_with(&whole));
        assert_eq!(&after[whole.len()..], next.to_line().as_bytes());
        let verified = read(&path).unwrap();
        assert_eq!(verified.problem, None);
        assert!(!verified.unterminated);
        assert_eq!(verified.entries.len(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn empty_lines_after_the_last_entry_refuse_appends_until_repair_removes_them() {
        let dir = folder("empty");
        let path = dir.join("ledger.jsonl");
        for i in 0..2 {
            append_kept(&path, |seq, prev, _| entry(seq, prev, &format!("run {i}"))).unwrap();
        }
        let whole = std::fs::read(&path).unwrap();
        // Ended by `\n` or `\r\n`, the last one maybe by nothing.
        for (empty, count) in [
            ("\n", 1),
            ("\n\n", 2),
            ("\r\n", 1),
            ("\r\n\r\n", 2),
            ("\r\n\r", 2),
        ] {
            let mut bytes = whole.clone();
            bytes.extend_from_slice(empty.as_bytes());
            std::fs::write(&path, &bytes).unwrap();
            let verified = read(&path).unwrap();
            assert_eq!(
                verified.problem,
                Some(Problem::EmptyLines { line: 3, count })
            );
            assert_eq!(verified.entries.len(), 2);
            let err = append_kept(&path, |seq, prev, _| entry(seq, prev, "next")).unwrap_err();
            assert!(err.contains("after the last entry"), "{err}");
            assert!(err.contains("`attest ledger repair`"), "{err}");
            assert_eq!(std::fs::read(&path).unwrap(), bytes);
            assert_eq!(
                repair(&path).unwrap(),
                Repaired::RemovedEmptyLines { line: 3, count }
            );
            assert_eq!(std::fs::read(&path).unwrap(), whole);
        }
        // A ledger of nothing but an empty line is an empty ledger once repaired.
        std::fs::write(&path, "\n").unwrap();
        assert_eq!(
            read(&path).unwrap().problem,
            Some(Problem::EmptyLines { line: 1, count: 1 })
        );
        repair(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn repair_refuses_anything_but_a_torn_line_and_changes_nothing() {
        let dir = folder("refuse");
        let path = dir.join("ledger.jsonl");
        for i in 0..3 {
            append_kept(&path, |seq, prev, _| entry(seq, prev, &format!("run {i}"))).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let edited = text.replacen("run 1", "run 9", 1);
        std::fs::write(&path, &edited).unwrap();
        let err = repair(&path).unwrap_err();
        assert!(err.contains("line 2: entry 2 was edited"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_entry_taken_back_out_leaves_the_ledger_as_it_was() {
        let dir = folder("undo");
        let path = dir.join("ledger.jsonl");
        for i in 0..2 {
            append_kept(&path, |seq, prev, _| entry(seq, prev, &format!("run {i}"))).unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let appended = append(&path, |seq, prev, _| entry(seq, prev, "undone")).unwrap();
        assert_eq!(appended.entry.seq, 3);
        assert!(std::fs::read(&path).unwrap().len() > before.len());
        appended.undo().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let next = append_kept(&path, |seq, prev, _| entry(seq, prev, "next")).unwrap();
        assert_eq!(next.seq, 3);
        assert_eq!(read(&path).unwrap().problem, None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
