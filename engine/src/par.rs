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

/// Maps `f` over `items`, in parallel when possible, keeping their order.
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.into_iter().map(f).collect()
    }
}

/// Frees `value` on another thread when possible, so a large structure's deallocation
/// overlaps the work that follows instead of delaying it.
pub(crate) fn discard<T: Send + 'static>(value: T) {
    #[cfg(feature = "parallel")]
    {
        rayon::spawn(move || drop(value));
    }
    #[cfg(not(feature = "parallel"))]
    {
        drop(value);
    }
}
