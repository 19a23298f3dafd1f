//! A run ended by a signal (SIGINT from Ctrl-C, SIGTERM from a CI job being cancelled,
//! SIGHUP from a closed terminal) removes the temporary files of the outputs it was writing
//! before it ends: by default the signal ends the process at once, leaving them beside the
//! outputs (hidden, and as large as the reports). The outputs themselves are left as they
//! were. The exit code is the shell's for the signal: 128 plus its number (130, 143, 129).

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Catches the signals that end a run, for the rest of it, on a thread of its own that
/// removes the temporary files ([`crate::output::exit_removing_staged`]) and exits; returns
/// once they are caught. Call it first in `main`. Should the thread not start, the signals
/// keep their default action.
pub fn removes_temporary_files() {
    let (ready, registered) = std::sync::mpsc::sync_channel(0);
    let started = std::thread::Builder::new()
        .name("signals".to_owned())
        .spawn(move || {
            // Registering fails only for a forbidden signal, which none of these is; were it
            // to fail, the signals would end the run as they do by default.
            let signals = Signals::new([SIGINT, SIGTERM, SIGHUP]);
            let _ = ready.send(());
            if let Some(signal) = signals.ok().and_then(|mut s| s.forever().next()) {
                crate::output::exit_removing_staged(128 + signal);
            }
        });
    if started.is_ok() {
        let _ = registered.recv();
    }
}
