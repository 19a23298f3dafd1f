//! An entry written to its ledger with the ledger still locked, so that what else the run
//! writes can decide whether it stands: [`Appended::keep`] lets it stand (the lock is
//! released), [`Appended::undo`] cuts the ledger back to its length before the entry. Also
//! the write itself: all of the line, or (cut back) none of it.

use super::entry::Entry;
use std::fs::File;
use std::io::Write;

/// An entry appended to a ledger that is still locked.
#[derive(Debug)]
pub struct Appended {
    /// The ledger, locked.
    file: File,
    /// The ledger's name, for errors.
    name: String,
    /// The ledger's length before the entry.
    before: u64,
    /// The entry, as written.
    pub entry: Entry,
}

impl Appended {
    /// Lets the entry stand and releases the ledger.
    pub fn keep(self) -> Entry {
        self.entry
    }

    /// Takes the entry back out because of `error`, which stopped the run after the entry
    /// was appended: the message to give, `error` and, when the entry could not be taken
    /// out, why.
    pub fn undo_after(self, error: String) -> String {
        match self.undo() {
            Ok(()) => error,
            Err(undo) => format!("{error}\n{undo}"),
        }
    }

    /// Takes the entry back out: the ledger is cut back to its length before it (under the
    /// lock it never released, so no later entry can be lost). An error names the ledger and
    /// says what is left at its end.
    pub fn undo(self) -> Result<(), String> {
        cut_back(&self.file, self.before).map_err(|e| {
            format!(
                "{}: the entry of this run could not be taken back out ({e}): it stays as the last entry",
                self.name
            )
        })
    }
}

/// Writes `line` at the end of the locked `file`, whose length is `before`, and syncs it;
/// returns the entry appended. A write or sync that fails (a full disk) cuts the file back
/// to `before`, so no torn line is left; the error names the ledger and the cause.
pub fn write_line(
    file: File,
    name: String,
    before: u64,
    line: &str,
    entry: Entry,
) -> Result<Appended, String> {
    let mut file = file;
    let written = file
        .write_all(line.as_bytes())
        .and_then(|()| file.sync_data());
    match written {
        Ok(()) => Ok(Appended {
            file,
            name,
            before,
            entry,
        }),
        Err(e) => Err(match cut_back(&file, before) {
            Ok(()) => {
                format!("{name}: the run could not be recorded: {e}; the ledger is as it was")
            }
            Err(cut) => format!(
                "{name}: the run could not be recorded: {e}, and what was written of its entry could not be removed ({cut}): `attest ledger repair` removes the torn last line"
            ),
        }),
    }
}

/// Cuts `file` back to `len` bytes and syncs it.
fn cut_back(file: &File, len: u64) -> std::io::Result<()> {
    file.set_len(len)?;
    file.sync_data()
}
