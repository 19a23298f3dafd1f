//! Why a native run stops before its end.

/// Why a native run stopped before the end.
pub(super) enum Stop {
    /// Something a native run does not decide (a value of a kind it does not know, an
    /// error, a budget nearly spent): Rhai runs the rule instead, from the start.
    Rhai,
    /// The rule's error, as Rhai would raise it: out of time, or an array pushed past the
    /// data limits.
    Error(Box<rhai::EvalAltResult>),
}

/// A step of a run, or why the run stopped.
pub(super) type R<T> = Result<T, Stop>;
