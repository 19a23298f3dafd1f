//! The sandbox limits every rule runs under.

use std::time::Duration;

/// Limits on what one rule may do. The defaults suit organizations of 50,000 people.
///
/// Counts (operations, memory, findings) of 0 mean "no limit". A rule past any limit reports
/// `error` with a message naming it (never part of its findings, never `pass`), and every
/// other rule still runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Operations one rule may perform, counted across everything it runs, closures
    /// called by `filter` or `map` included (0 = unlimited). The top-level code of a pack's
    /// `lib/` module gets a budget of its own while it loads.
    pub max_operations: u64,
    /// Bytes one rule may hold at once, beyond what it held when it started (0 =
    /// unlimited); the lookup tables and helper modules that every rule shares do not count.
    /// Only enforced when the host installs [`CountingAlloc`](crate::alloc::CountingAlloc)
    /// as its global allocator (the `attest` binary and the WebAssembly module do): the
    /// engine cannot measure memory otherwise.
    pub max_memory: u64,
    /// Findings (`fail` and `warn` together) one rule may report (0 = unlimited).
    pub max_findings: u64,
    /// Longest finding message or error message, in bytes: longer ones are cut at a
    /// character boundary and end with `… [truncated at N bytes]`.
    pub max_message_size: usize,
    /// Largest `data` of one finding, in bytes of compact JSON (strings counted without
    /// escapes): a `fail` or `warn` with more is an error.
    pub max_data_size: usize,
    /// Deepest function call nesting.
    pub max_call_levels: usize,
    /// Deepest expression nesting at the top level.
    pub max_expr_depth: usize,
    /// Deepest expression nesting inside functions.
    pub max_function_expr_depth: usize,
    /// Longest string a rule may build, in bytes.
    pub max_string_size: usize,
    /// Largest array a rule may build.
    pub max_array_size: usize,
    /// Largest object map a rule may build.
    pub max_map_size: usize,
    /// Wall-clock time one rule may take (and the top-level code of a `lib/` module while it
    /// loads); only enforced when the host supplies a clock. A budget so large that the
    /// deadline cannot be represented is no limit.
    pub time_budget: Option<Duration>,
}

/// One mebibyte.
const MIB: u64 = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 50_000_000,
            max_memory: 512 * MIB,
            max_findings: 500_000,
            max_message_size: 4096,
            max_data_size: 64 * 1024,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_string_size: 1 << 20,
            max_array_size: 1_000_000,
            max_map_size: 100_000,
            time_budget: Some(Duration::from_secs(10)),
        }
    }
}

/// `bytes` for people: in MiB when it is a whole number of them.
pub(crate) fn show_bytes(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}
