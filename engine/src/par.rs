//! Running independent work side by side when the `parallel` feature is on (native hosts),
//! one after the other otherwise (the WebAssembly module). Only the parallel versions ask
//! for `Send`: without the feature Rhai is built single-threaded and its values are not
//! `Send`.

/// Runs `a` and `b` in parallel and returns both results.
#[cfg(feature = "parallel")]
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    rayon::join(a, b)
}

/// Runs `a`, then `b`, and returns both results.
#[cfg(not(feature = "parallel"))]
pub(crate) fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

/// A value being dropped on another thread ([`drop_aside`]).
#[cfg(feature = "parallel")]
pub(crate) struct Aside(Option<std::thread::JoinHandle<()>>);

/// Drops `value` on a thread of its own, so that the caller goes on meanwhile (here, if no
/// thread can be started).
#[cfg(feature = "parallel")]
pub(crate) fn drop_aside<T: Send + 'static>(value: T) -> Aside {
    Aside(std::thread::Builder::new().spawn(move || drop(value)).ok())
}

#[cfg(feature = "parallel")]
impl Aside {
    /// Waits until the value is dropped.
    pub(crate) fn wait(self) {
        if let Some(thread) = self.0 {
            let _ = thread.join();
        }
    }
}

/// A value dropped already (there are no other threads).
#[cfg(not(feature = "parallel"))]
pub(crate) struct Aside;

/// Drops `value`, here and now (there are no other threads).
#[cfg(not(feature = "parallel"))]
pub(crate) fn drop_aside<T>(value: T) -> Aside {
    drop(value);
    Aside
}

#[cfg(not(feature = "parallel"))]
impl Aside {
    /// Returns at once: the value is dropped.
    pub(crate) fn wait(self) {}
}

/// How many pieces of work run at once.
#[cfg(feature = "parallel")]
pub(crate) fn threads() -> usize {
    rayon::current_num_threads()
}

/// How many pieces of work run at once: one.
#[cfg(not(feature = "parallel"))]
pub(crate) fn threads() -> usize {
    1
}

/// Maps `f` over `items` in parallel, keeping their order.
#[cfg(feature = "parallel")]
pub(crate) fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    items.into_par_iter().map(f).collect()
}

/// Maps `f` over `items`, in order.
#[cfg(not(feature = "parallel"))]
pub(crate) fn map<T, R>(items: Vec<T>, f: impl Fn(T) -> R) -> Vec<R> {
    items.into_iter().map(f).collect()
}

/// `items` cut into runs of at most `size` (at least one), each with the index of its first
/// item: pieces of work to hand to [`map`].
pub(crate) fn runs<T>(items: Vec<T>, size: usize) -> Vec<(usize, Vec<T>)> {
    let size = size.max(1);
    let mut out = Vec::with_capacity(items.len().div_ceil(size));
    let mut rest = items.into_iter();
    loop {
        let run: Vec<T> = rest.by_ref().take(size).collect();
        if run.is_empty() {
            return out;
        }
        out.push((out.len() * size, run));
    }
}
