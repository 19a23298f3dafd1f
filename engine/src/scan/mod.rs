//! Native scans: a rule's loop over a facts list whose body opens with conditions on the
//! record's fields skips, in Rust, the records those conditions rule out, so the Rhai body
//! runs only on the records it can act on.
//!
//! At compile time ([`rewrite`]), `for r in LIST { if COND { ... } }` (the `if` the whole
//! body, with no `else`) and `for r in LIST { if COND { continue; } ... }` become
//! `for r in attest_scan(LIST, FILTER, [VARS]) { ... }` with the body unchanged (several
//! opening `if ... { continue; }`s, and a closing `if`, are read in order). FILTER is what
//! can be told of COND without running Rhai: comparisons of a field path of `r`
//! (`r.status`, `r.employment.status`) with a literal string, integer, boolean or `()`, or
//! with another field path, by `==` or `!=`; `lookup.contains(r.path)` where `lookup` is a
//! variable the loop does not assign that holds an `index_by`, `group_by` or `latest_by`
//! lookup (VARS are their values as the loop starts); combined by `&&`, `||` and `!`. At run time ([`Filter::skips`]) a record is skipped only
//! when Rhai would certainly have done nothing with it: the condition's outcome is known
//! from the parts before any part the filter cannot evaluate (which Rhai's short-circuit
//! would not have reached), and it is never guessed where Rhai would compare floats
//! approximately or raise an error (a property of a string or of a list). The body still
//! checks COND, so the rule's findings are exactly those of the plain loop; every record
//! of the list still counts as gone through (the rule's population), skipped or not.
//!
//! Where the filter can tell every guard of a record, and they all let it through, the
//! body need not read them again. A native run then runs the statements after them (or
//! the closing `if`'s block) instead of the body. In Rhai, the rewritten body is
//! `if attest_sure() { REST } else { BODY }`, REST being the body without its guards (a
//! closing `if`'s block in its place), so a record the filter vouches for runs REST, and
//! any other the body as written.
//! [`SURE_FN`] answers once for the record the scan gave last: the scan says so only when
//! its body asks, the body asks before anything else runs, and asking takes the answer
//! back, so no other loop's body (an inner loop over an array, a later rule) can read it.
//! Each call of [`SCAN_FN`] takes it back too, in case a rule stopped (out of budget)
//! between a record and its body.

mod filter;
mod rewrite;

pub(crate) use filter::{Decision, Filter};
pub(crate) use rewrite::loop_filter;
pub(crate) use rewrite::rewrite;

use crate::facts::tree::{List, Node};
use crate::prelude::went_through_item;
use rhai::{Array, Dynamic, Engine, Module};
use std::any::TypeId;
use std::cell::Cell;

/// The function a rewritten loop calls on its list. A rule could name it, but not make the
/// [`Filter`] it takes.
pub(crate) const SCAN_FN: &str = "attest_scan";

/// Whether the filter let the record a scan gave last through for certain. Only the
/// engine writes calls to it.
pub(crate) const SURE_FN: &str = "attest_sure";

thread_local! {
    /// [`SURE_FN`]'s answer: set by a scan whose body asks, for the record it gave last.
    static SURE: Cell<bool> = const { Cell::new(false) };
}

/// Takes back [`SURE_FN`]'s answer, giving what it was.
fn take_sure() -> bool {
    SURE.with(|s| s.replace(false))
}

/// A facts list, the filter of the loop going through it, and the values of the variables
/// the filter reads, as the loop started.
#[derive(Clone)]
struct Scan {
    list: List,
    filter: Filter,
    vars: Array,
}

/// Registers [`SCAN_FN`] and the iteration of its result.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Filter>("Filter")
        .register_type_with_name::<Scan>("Scan")
        .register_fn(SCAN_FN, |list: List, filter: Filter, vars: Array| {
            take_sure();
            Scan { list, filter, vars }
        })
        // Anything else (an array, `()`) is iterated, or refused, as the plain loop would.
        .register_fn(SCAN_FN, |other: Dynamic, _: Filter, _: Array| {
            take_sure();
            other
        })
        .register_fn(SURE_FN, take_sure);
    let mut iterators = Module::new();
    iterators.set_iter(TypeId::of::<Scan>(), |scan| match scan.try_cast::<Scan>() {
        Some(scan) => Box::new(Items {
            top: scan.list.is_collection(),
            scan,
            next: 0,
        }),
        None => Box::new(std::iter::empty()),
    });
    engine.register_global_module(iterators.into());
}

/// The items of a scanned list the filter keeps; every record counts as gone through.
/// Anything else than a record (Rhai reads the guards on it) is never vouched for.
struct Items {
    scan: Scan,
    next: usize,
    /// Whether the list is a top-level collection (only their records are noted).
    top: bool,
}

impl Iterator for Items {
    type Item = Dynamic;

    fn next(&mut self) -> Option<Dynamic> {
        loop {
            let node = self.scan.list.items().get(self.next)?;
            self.next += 1;
            let mut sure = false;
            if let Node::Record(r) = node {
                if self.top {
                    went_through_item(r);
                }
                match self.scan.filter.decide(r, &self.scan.vars) {
                    Decision::Skip => continue,
                    Decision::Pass => sure = self.scan.filter.asked,
                    Decision::Unsure => {}
                }
            }
            SURE.with(|s| s.set(sure));
            return Some(node.to_dynamic());
        }
    }
}
