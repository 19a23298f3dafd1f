//! Where the module's allocator (talc) gets its memory: WebAssembly's `memory.grow`, by at
//! least an eighth of the memory already there and at least 1 MiB, rather than by just what
//! the allocation at hand needs (talc's own source), so that loading a large organization
//! grows the memory some forty times rather than once for every page. Each growth is a call
//! into the host, and in V8 a new buffer for the memory: a fresh instance's first request on
//! 10,000 people takes about a quarter less time in Node (wasm/README.md, "Size and speed").

#![allow(unsafe_code)]

/// A WebAssembly page.
#[cfg(target_arch = "wasm32")]
const PAGE: usize = 65536;

/// Whether the memory could not grow for an allocation since [`reset`]: a call that traps
/// with it set ran out of memory.
#[cfg(target_arch = "wasm32")]
static EXHAUSTED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Forgets that the memory could not grow (at the start of each call).
#[cfg(target_arch = "wasm32")]
pub fn reset() {
    EXHAUSTED.store(false, core::sync::atomic::Ordering::Relaxed);
}

/// Whether the memory could not grow for an allocation since [`reset`].
#[cfg(target_arch = "wasm32")]
pub fn exhausted() -> bool {
    EXHAUSTED.load(core::sync::atomic::Ordering::Relaxed)
}

/// The pages to grow the memory by, from `current` pages, when an allocation needs
/// `needed` more.
fn pages_to_grow(needed: usize, current: usize) -> usize {
    needed.max(current / 8).max(16)
}

/// talc's source of memory: grows the module's memory and extends the heap over it.
#[cfg(target_arch = "wasm32")]
#[derive(Debug)]
pub struct Growing {
    /// Where the heap ends, once there is one.
    end: Option<core::ptr::NonNull<u8>>,
}

#[cfg(target_arch = "wasm32")]
impl Growing {
    /// A source that has grown nothing yet.
    pub const fn new() -> Growing {
        Growing { end: None }
    }
}

// SAFETY: it allocates nothing itself, and gives talc only memory it has just grown, which
// nothing else uses.
#[cfg(target_arch = "wasm32")]
unsafe impl talc::source::Source for Growing {
    fn acquire<B: talc::base::binning::Binning>(
        talc: &mut talc::base::Talc<Self, B>,
        layout: core::alloc::Layout,
    ) -> Result<(), ()> {
        use core::arch::wasm32::{memory_grow, memory_size};
        // More than talc needs for the allocation (its chunk headers and alignment): when it
        // still falls short, talc asks again.
        let unit = talc::base::CHUNK_UNIT;
        let needed = (layout.size() + layout.align().max(unit) + 4 * unit).div_ceil(PAGE);
        let step = pages_to_grow(needed, memory_size::<0>());
        let (start, pages) = match memory_grow::<0>(step) {
            usize::MAX => match memory_grow::<0>(needed) {
                usize::MAX => {
                    EXHAUSTED.store(true, core::sync::atomic::Ordering::Relaxed);
                    return Err(());
                }
                start => (start, needed),
            },
            start => (start, step),
        };
        let base = (start * PAGE) as *mut u8;
        let end = base.wrapping_add(pages * PAGE);
        if let Some(old_end) = talc.source.end.take()
            && old_end.as_ptr() == base
        {
            // SAFETY: the heap ends where the memory just grown begins.
            talc.source.end = Some(unsafe { talc.extend(old_end, end) });
            return Ok(());
        }
        // SAFETY: the memory just grown is the allocator's alone.
        talc.source.end = unsafe { talc.claim(base, pages * PAGE) };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_grows_by_an_eighth_at_least_a_mebibyte_and_always_what_is_needed() {
        assert_eq!(pages_to_grow(1, 0), 16);
        assert_eq!(pages_to_grow(1, 17), 16);
        assert_eq!(pages_to_grow(1, 2000), 250);
        assert_eq!(pages_to_grow(300, 2000), 300);
        assert_eq!(pages_to_grow(20, 100), 20);
    }
}
