//! The settings of the allocator the `attest` binary installs (mimalloc).
#![allow(unsafe_code)]

/// mimalloc's option `mi_option_purge_delay` (`include/mimalloc.h`; its Rust bindings have
/// no name for it): how many milliseconds freed memory stays committed before it is given
/// back to the operating system.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Milliseconds freed memory stays committed: long enough for the memory freed by one step
/// to serve the next allocations, short enough that it does not stay resident for the rest
/// of the run. Measured on 10,000 people (`attest eval`, twelve runs each): 10 ms held
/// 4 MiB more at the peak on average, and up to 7 MiB more, than 3 ms, in the same time;
/// 1 ms and 0 ms held 2 MiB and 4 MiB less than 3 ms, but took 3% and 5% longer.
const PURGE_AFTER_MS: std::ffi::c_long = 3;

/// Gives freed memory back to the operating system after `PURGE_AFTER_MS` (3 ms) rather than
/// mimalloc's default of a second. A run parses and checks the facts (which frees much of
/// what it allocates), then evaluates and renders: with the default, what loading freed
/// stays resident for the whole run, about a fifth of its peak memory at 10,000 people.
/// Call it first in `main`, before any other thread starts.
pub fn return_freed_memory_promptly() {
    // SAFETY: `mi_option_set` sets one integer option; it is not thread safe, and it is
    // called before the process starts any thread.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_AFTER_MS) }
}
