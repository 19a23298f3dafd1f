//! The ledger: an append-only, hash-chained JSON Lines file with one entry per run, so the
//! history of a program's evaluations cannot be quietly rewritten. Each entry holds the hash
//! of the entry before it; `verify` walks the chain and names the first entry that was
//! edited, reordered, inserted or deleted, or a last line torn by a crash. Appending takes
//! an exclusive lock on the file and writes the entry with one `write` and an `fsync`, so
//! concurrent runs never interleave and a killed writer leaves at most a torn last line,
//! which `repair` removes. A last entry that is whole but lacks its newline is sound (the
//! next append writes the newline first); empty lines after the last entry are reported, at
//! their line, and `repair` removes them. A write that fails (a full disk) is cut back, so
//! the ledger is as it was; the ledger stays locked until the caller keeps the entry or
//! takes it back out, so a run can record itself and write its outputs all or nothing.

mod append;
mod appended;
mod chain;
mod entry;
mod record;

pub use append::{Repaired, append, broken, read, repair};
pub use appended::Appended;
pub use chain::verify_slice;
pub use entry::{Entry, Failure, previous, sha256};
pub use record::{Judgements, Run, failures};
