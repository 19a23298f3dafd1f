//! Running independent work side by side when the `parallel` feature is on (native hosts),
//! one after the other otherwise (wasm32).

/// Runs `a` and `b`, in parallel when possible, and returns both results.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "parallel")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "parallel"))]
    {
        (a(), b())
    }
}
