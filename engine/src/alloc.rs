//! Counting the memory each thread holds, for the rules' memory budget.
//!
//! The engine has no allocator of its own: a host that wants rules held to
//! [`Limits::max_memory`](crate::Limits::max_memory) installs [`CountingAlloc`] as its global
//! allocator, wrapping the allocator it would use anyway:
//!
//! ```
//! use attest_engine::alloc::{CountingAlloc, counting};
//!
//! #[global_allocator]
//! static ALLOCATOR: CountingAlloc<std::alloc::System> = CountingAlloc::new(std::alloc::System);
//!
//! fn main() {
//!     let facts = vec![0u8; 1024];
//!     assert!(counting() && facts.len() == 1024);
//! }
//! ```
//!
//! It keeps, per thread, the bytes allocated minus the bytes freed on that thread. A rule
//! runs start to finish on one thread, so what it holds is the change of that count since it
//! started. Without it (another global allocator), the count stays 0 and the memory budget
//! is never reached: [`counting`] tells which.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    /// Bytes allocated minus bytes freed on this thread (negative when it frees memory
    /// another thread allocated). A `const` cell without a destructor: reading it never
    /// allocates and works until the thread is gone, as an allocator needs.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

/// Whether a [`CountingAlloc`] has served an allocation in this process.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// A global allocator that forwards to `A` and counts, per thread, the bytes it holds.
#[derive(Debug, Default)]
pub struct CountingAlloc<A>(A);

impl<A> CountingAlloc<A> {
    /// Wraps `inner`, the allocator that does the work.
    pub const fn new(inner: A) -> CountingAlloc<A> {
        CountingAlloc(inner)
    }
}

fn add(bytes: isize) {
    // `try_with` cannot fail for a const cell without a destructor; never panic here.
    let _ = LIVE.try_with(|live| live.set(live.get().wrapping_add(bytes)));
}

fn allocated(layout: Layout) {
    add(size(layout));
    if !INSTALLED.load(Ordering::Relaxed) {
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

fn size(layout: Layout) -> isize {
    isize::try_from(layout.size()).unwrap_or(isize::MAX)
}

// SAFETY: every method forwards to `A` with the caller's arguments, unchanged, and only
// adds bookkeeping that neither allocates nor unwinds.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded from the caller.
        let ptr = unsafe { self.0.alloc(layout) };
        if !ptr.is_null() {
            allocated(layout);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded from the caller.
        let ptr = unsafe { self.0.alloc_zeroed(layout) };
        if !ptr.is_null() {
            allocated(layout);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { self.0.dealloc(ptr, layout) };
        add(size(layout).wrapping_neg());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded from the caller.
        let moved = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            let new_size = isize::try_from(new_size).unwrap_or(isize::MAX);
            add(new_size.wrapping_sub(size(layout)));
        }
        moved
    }
}

/// Bytes allocated minus bytes freed on this thread so far (0 without [`CountingAlloc`]).
pub(crate) fn live_bytes() -> isize {
    LIVE.try_with(Cell::get).unwrap_or(0)
}

/// Whether this process counts memory, that is, whether [`CountingAlloc`] is its global
/// allocator (and has allocated something, which any Rust program has by the time it
/// evaluates facts). Without it, [`Limits::max_memory`](crate::Limits::max_memory) is not
/// enforced.
pub fn counting() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}
