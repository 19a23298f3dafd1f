//! The state of the rule running on this thread: its findings, the records it tested, its
//! budgets (operations, memory, findings, time), the as-of date, the audit period and the
//! shared lookup cache.
//!
//! A rule runs start to finish on one thread, so the prelude's native functions and the
//! engine's progress callback reach that state through a thread-local, without locks.

use crate::alloc;
use crate::date::Date;
use crate::facts::tree::{Node, Record};
use crate::joins::LookupCache;
use crate::limits::{Limits, show_bytes};
use crate::period::Period;
use crate::population::TestedRecords;
use crate::report::FindingStatus;
use rhai::Dynamic;
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
    /// The finding's `data`, converted to JSON when the rule raised it (so the memory it
    /// takes counts against the rule's budget).
    pub data: Option<serde_json::Value>,
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
    /// Adds a record the rule went through, for a rule that marks nothing.
    pub(crate) fn iterated(&mut self, record: &Record) {
        if self.population == PopulationSource::Iterated {
            self.tested.push(record);
        }
    }
}

/// What one rule (or one helper module's top-level code) may spend: the engine's limits and
/// the host's clock, handed to every run.
#[derive(Clone)]
pub(crate) struct Budget {
    /// Operations (0: no limit).
    pub max_ops: u64,
    /// Bytes held beyond those held at the start (0: no limit).
    pub max_memory: u64,
    /// Findings (0: no limit).
    pub max_findings: u64,
    /// Longest message, in bytes.
    pub max_message: usize,
    /// Largest `data` of a finding, in bytes of JSON.
    pub max_data: usize,
    /// The host's clock and the time allowed, when the host has a clock.
    pub time: Option<(Clock, Duration)>,
}

impl Budget {
    /// The budget `limits` give each rule, timed by `clock` if the host has one.
    pub(crate) fn new(limits: &Limits, clock: Option<Clock>) -> Budget {
        Budget {
            max_ops: limits.max_operations,
            max_memory: limits.max_memory,
            max_findings: limits.max_findings,
            max_message: limits.max_message_size,
            max_data: limits.max_data_size,
            time: clock.zip(limits.time_budget),
        }
    }
}

/// What is running: a rule, or the top-level code of a helper module while it loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    /// A rule.
    Rule,
    /// A `lib/` module's top-level code.
    Module,
}

impl Subject {
    /// How the budget messages name it.
    fn name(self) -> &'static str {
        match self {
            Subject::Rule => "the rule",
            Subject::Module => "the module",
        }
    }
}

/// The per-rule state.
pub(crate) struct RuleRun {
    /// `None` while helper modules load, before any facts are in play.
    pub as_of: Option<Date>,
    /// A rule, or a module loading.
    pub subject: Subject,
    /// The audit period, when the evaluation has one.
    pub period: Option<Period>,
    /// The facts' root, for the JSON Pointers a rule writes by hand (`None` while helper
    /// modules load).
    pub root: Option<Node>,
    /// Where the rule's population comes from.
    pub population: PopulationSource,
    /// The records in the rule's population so far.
    pub tested: TestedRecords,
    /// The pointers of records the rule marked as exceptions of its population without a
    /// finding of their own (`exception`).
    pub exceptions: Vec<String>,
    pub findings: Vec<RawFinding>,
    pub cache: Arc<LookupCache>,
    /// With line tracing: the rule's source name, and the lines of it that ran.
    pub traced: Option<(String, BTreeSet<u32>)>,
    pub budget: Budget,
    ops: u64,
    /// This thread's allocation count when the run started, plus what shared structures
    /// built since then hold (see [`shared`]).
    memory_start: isize,
    /// When the run must stop, on the host's clock.
    deadline: Option<(Clock, Duration)>,
}

/// How often (in operations) the host clock is read.
const CLOCK_EVERY: u64 = 4096;

thread_local! {
    static CURRENT: RefCell<Option<RuleRun>> = const { RefCell::new(None) };
}

impl RuleRun {
    pub(crate) fn new(
        subject: Subject,
        as_of: Option<Date>,
        cache: Arc<LookupCache>,
        budget: Budget,
    ) -> RuleRun {
        // A budget too large to add to the clock's reading is no deadline at all.
        let deadline = budget.time.as_ref().and_then(|(clock, limit)| {
            let end = clock().checked_add(*limit)?;
            Some((clock.clone(), end))
        });
        RuleRun {
            as_of,
            subject,
            period: None,
            root: None,
            population: PopulationSource::Iterated,
            tested: TestedRecords::default(),
            exceptions: Vec::new(),
            traced: None,
            findings: Vec::new(),
            cache,
            budget,
            ops: 0,
            memory_start: alloc::live_bytes(),
            deadline,
        }
    }

    /// Notes that `line` of `source` ran, if it is the traced rule's.
    #[cfg(feature = "coverage")]
    pub(crate) fn trace(&mut self, source: &str, line: usize) {
        if let Some((name, lines)) = &mut self.traced
            && name == source
        {
            lines.insert(u32::try_from(line).unwrap_or(u32::MAX));
        }
    }

    /// Whether the run holds more than `bytes` beyond what it held when it started.
    fn holds_over(&self, bytes: u64) -> bool {
        let held = alloc::live_bytes().wrapping_sub(self.memory_start);
        u64::try_from(held).is_ok_and(|held| held > bytes)
    }

    /// Why the run must stop now, if it must: a budget it has exceeded.
    fn exceeded(&mut self) -> Option<String> {
        let who = self.subject.name();
        self.ops += 1;
        let max_ops = self.budget.max_ops;
        if max_ops > 0 && self.ops > max_ops {
            return Some(format!("{who} exceeded its budget of {max_ops} operations"));
        }
        let max_memory = self.budget.max_memory;
        if max_memory > 0 && self.holds_over(max_memory) {
            return Some(format!(
                "{who} exceeded its memory budget of {}",
                show_bytes(max_memory)
            ));
        }
        if self.ops.is_multiple_of(CLOCK_EVERY)
            && let Some((clock, end)) = &self.deadline
            && clock() > *end
        {
            return Some(format!("{who} exceeded its time budget"));
        }
        None
    }
}

/// Why a native run has to stop (see `crate::native`).
pub(crate) enum Overrun {
    /// The operation or memory budget is nearly spent: Rhai decides whether it is exceeded.
    Nearly,
    /// The time budget is spent: the rule stops, with this message.
    Time(String),
}

impl RuleRun {
    /// Charges `ops` operations of a native run, counted twice over (Rhai counts about as
    /// many for the same statements), and says whether the run has to stop: at the
    /// operation budget, at half the memory budget (a native run holds its values
    /// differently from Rhai), or when out of time.
    pub(crate) fn charge_native(&mut self, ops: u64) -> Option<Overrun> {
        self.ops = self.ops.saturating_add(ops.saturating_mul(2));
        let max_ops = self.budget.max_ops;
        if max_ops > 0 && self.ops > max_ops {
            return Some(Overrun::Nearly);
        }
        let max_memory = self.budget.max_memory;
        if max_memory > 0 && self.holds_over(max_memory / 2) {
            return Some(Overrun::Nearly);
        }
        if let Some((clock, end)) = &self.deadline
            && clock() > *end
        {
            return Some(Overrun::Time(format!(
                "{} exceeded its time budget",
                self.subject.name()
            )));
        }
        None
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

/// Runs `f`, which builds something every rule shares (a lookup table of the facts, a
/// helper module), and leaves the memory it keeps out of the current rule's budget: the
/// rule that happens to build it first is not charged for the others.
pub(crate) fn shared<R>(f: impl FnOnce() -> R) -> R {
    let before = alloc::live_bytes();
    let out = f();
    let kept = alloc::live_bytes().wrapping_sub(before);
    current(|run| run.memory_start = run.memory_start.wrapping_add(kept));
    out
}

/// The engine's progress callback: counts every operation of the rule, including those
/// of closures run by native functions (which Rhai counts separately), and stops the rule
/// when it exceeds its operation, memory or time budget.
pub(crate) fn on_progress(_: u64) -> Option<Dynamic> {
    current(RuleRun::exceeded).flatten().map(Dynamic::from)
}

/// An error that stops the running rule and that `try ... catch` cannot catch, as when a
/// budget is exceeded.
pub(crate) fn stop(message: String) -> Box<rhai::EvalAltResult> {
    rhai::EvalAltResult::ErrorTerminated(Dynamic::from(message), rhai::Position::NONE).into()
}
