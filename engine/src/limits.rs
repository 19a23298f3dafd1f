//! The sandbox limits every rule runs under.

use std::time::Duration;

/// Limits on what one rule may do. The defaults suit organizations of 50k people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Operations one rule may perform, counted across everything it runs, closures
    /// called by `filter` or `map` included (0 = unlimited).
    pub max_operations: u64,
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
    /// Wall-clock time one rule may take; only enforced when the host supplies a clock.
    pub time_budget: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 50_000_000,
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
