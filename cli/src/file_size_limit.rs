//! A file-size limit (`ulimit -f`, RLIMIT_FSIZE) as a write error rather than the end of
//! the process: by default the signal it sends (SIGXFSZ) kills `attest` in the middle of a
//! write, leaving its temporary file behind. With the signal caught, the write fails with
//! "File too large", and the output is cleaned up and reported as any other failed write.

use std::sync::atomic::AtomicBool;

/// Set when the signal arrives; only catching it matters, so nothing reads it.
static EXCEEDED: AtomicBool = AtomicBool::new(false);

/// Catches SIGXFSZ for the rest of the run. Call it first in `main`.
pub fn as_write_error() {
    // Installing the handler fails only for a forbidden signal, which SIGXFSZ is not; were
    // it to fail, the limit would stop the run as it does by default.
    let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, &EXCEEDED);
}
