//! Short strings shared across the runs of records a load converts side by side (see
//! [`super::tree::Builder`], which shares them within a run).

use rhai::ImmutableString;
use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard};

/// Slots of a [`Texts`] cache: a power of two. 16,384 (128 KiB of handles) stays in a
/// core's cache; measured on 10k people, four times as many saved a third more strings but
/// cost more time than they saved.
const TEXT_SLOTS: usize = 1 << 14;

/// Short strings shared across the runs of records a load converts side by side: each
/// builder at work holds one cache of its own (there is one per thread), so that an id or a
/// date that recurs all through a collection is held once per cache rather than once per
/// run, without a lock per string.
#[derive(Default)]
pub(crate) struct Texts {
    caches: Vec<Mutex<TextCache>>,
}

impl Texts {
    /// Caches for `builders` builders at work at once.
    pub(crate) fn new(builders: usize) -> Texts {
        Texts {
            caches: (0..builders).map(|_| Mutex::default()).collect(),
        }
    }

    /// A cache no other builder holds, if any is left.
    pub(super) fn take(&self) -> Option<MutexGuard<'_, TextCache>> {
        self.caches.iter().find_map(|c| c.try_lock().ok())
    }
}

/// A direct-mapped cache of strings: a string's slot is given by its hash, and a new
/// string takes the place of the one there.
#[derive(Default)]
pub(crate) struct TextCache {
    hasher: foldhash::fast::FixedState,
    /// Empty until first used, then [`TEXT_SLOTS`] long.
    slots: Vec<Option<ImmutableString>>,
}

impl TextCache {
    /// The cached string equal to `s` (and `true`), or a new one, cached (and `false`).
    pub(super) fn get(&mut self, s: &str) -> (ImmutableString, bool) {
        if self.slots.is_empty() {
            self.slots.resize(TEXT_SLOTS, None);
        }
        let slot = &mut self.slots[self.hasher.hash_one(s) as usize & (TEXT_SLOTS - 1)];
        if let Some(cached) = slot
            && cached.as_str() == s
        {
            return (cached.clone(), true);
        }
        let new = ImmutableString::from(s);
        *slot = Some(new.clone());
        (new, false)
    }
}
