//! The state of the rule running on this thread: its findings, the records it tested, its
//! operation and time budget, the as-of date, the audit period and the shared lookup cache.
//!
//! A rule runs start to finish on one thread, so the prelude's native functions and the
//! engine's progress callback reach that state through a thread-local, without locks.

use crate::date::Date;
use crate::joins::LookupCache;
use crate::period::Period;
use crate::report::FindingStatus;
use rhai::{Dynamic, ImmutableString, Map};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// A monotonic clock supplied by the host (the engine has none of its own).
pub type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// A finding as a rule raised it.
#[derive(Debug, Clone)]
pub(crate) struct RawFinding {
    pub status: FindingStatus,
    pub entity: Option<String>,
    pub message: String,
    pub data: Option<Map>,
}

/// How a rule's population is gathered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PopulationSource {
    /// The rule calls `tested`: only the records it marks.
    Marked,
    /// The rule marks nothing: the records of facts collections it goes through (`for`
    /// over a collection, or the result of a query on one).
    Iterated,
}

impl RuleRun {
    /// Adds records the rule went through, for a rule that marks nothing.
    pub(crate) fn iterated(&mut self, pointer: &ImmutableString) {
        if self.population == PopulationSource::Iterated
            && self.tested.last().is_none_or(|last| last != pointer)
        {
            self.tested.push(pointer.clone());
        }
    }
}

/// The per-rule state.
pub(crate) struct RuleRun {
    /// `None` while helper modules load, before any facts are in play.
    pub as_of: Option<Date>,
    /// The audit period, when the evaluation has one.
    pub period: Option<Period>,
    /// Where the rule's population comes from.
    pub population: PopulationSource,
    /// Pointers of the records in the rule's population so far (repeats allowed).
    pub tested: Vec<ImmutableString>,
    pub findings: Vec<RawFinding>,
    pub cache: Arc<LookupCache>,
    /// With line tracing: the rule's source name, and the lines of it that ran.
    pub traced: Option<(String, BTreeSet<u32>)>,
    ops: u64,
    max_ops: u64,
    deadline: Option<(Clock, Duration)>,
}

/// How often (in operations) the host clock is read.
const CLOCK_EVERY: u64 = 4096;

thread_local! {
    static CURRENT: RefCell<Option<RuleRun>> = const { RefCell::new(None) };
}

impl RuleRun {
    pub(crate) fn new(
        as_of: Option<Date>,
        cache: Arc<LookupCache>,
        max_ops: u64,
        budget: Option<(Clock, Duration)>,
    ) -> RuleRun {
        let deadline = budget.map(|(clock, limit)| {
            let end = clock() + limit;
            (clock, end)
        });
        RuleRun {
            as_of,
            period: None,
            population: PopulationSource::Iterated,
            tested: Vec::new(),
            traced: None,
            findings: Vec::new(),
            cache,
            ops: 0,
            max_ops,
            deadline,
        }
    }
}

impl RuleRun {
    /// Notes that `line` of `source` ran, if it is the traced rule's.
    pub(crate) fn trace(&mut self, source: &str, line: usize) {
        if let Some((name, lines)) = &mut self.traced
            && name == source
        {
            lines.insert(u32::try_from(line).unwrap_or(u32::MAX));
        }
    }
}

/// Runs `f` with `run` installed as this thread's current rule, and hands the run back.
pub(crate) fn with_run<R>(run: RuleRun, f: impl FnOnce() -> R) -> (R, Option<RuleRun>) {
    let previous = CURRENT.with(|c| c.replace(Some(run)));
    let out = f();
    (out, CURRENT.with(|c| c.replace(previous)))
}

/// Applies `f` to the current rule's state; `None` outside a rule.
pub(crate) fn current<R>(f: impl FnOnce(&mut RuleRun) -> R) -> Option<R> {
    CURRENT.with(|c| c.try_borrow_mut().ok()?.as_mut().map(f))
}

/// The engine's progress callback: counts every operation of the rule, including those
/// of closures run by native functions (which Rhai counts separately), and stops the rule
/// when it exceeds its operation budget or its time budget.
pub(crate) fn on_progress(_: u64) -> Option<Dynamic> {
    current(|run| {
        run.ops += 1;
        if run.max_ops > 0 && run.ops > run.max_ops {
            return Some(Dynamic::from(format!(
                "the rule exceeded its budget of {} operations",
                run.max_ops
            )));
        }
        if run.ops % CLOCK_EVERY == 0
            && let Some((clock, end)) = &run.deadline
            && clock() > *end
        {
            return Some(Dynamic::from(
                "the rule exceeded its time budget".to_owned(),
            ));
        }
        None
    })
    .flatten()
}
