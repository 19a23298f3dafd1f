//! Short strings shared within and across the runs of records a load converts side by side
//! (see [`super::tree::Builder`]).

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

/// A two-way cache of strings: a string's pair of slots is given by its hash, and a new
/// string takes the first, whose string moves to the second (the one there is dropped).
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
        // Two slots side by side (one cache line): the string is looked for in both, and a
        // new one takes the first, the first's moving to the second.
        let first = self.hasher.hash_one(s) as usize & (TEXT_SLOTS - 2);
        let pair = &mut self.slots[first..first + 2];
        for cached in pair.iter().flatten() {
            if cached.as_str() == s {
                return (cached.clone(), true);
            }
        }
        let new = ImmutableString::from(s);
        pair[1] = pair[0].replace(new.clone());
        (new, false)
    }
}

#[cfg(test)]
mod tests {
    use super::{TEXT_SLOTS, TextCache};
    use std::hash::BuildHasher;

    /// Strings that take the same pair of slots, as many as asked for.
    fn same_pair(cache: &TextCache, n: usize) -> Vec<String> {
        let pair = |s: &str| cache.hasher.hash_one(s) as usize & (TEXT_SLOTS - 2);
        let want = pair("s0");
        (0..)
            .map(|i| format!("s{i}"))
            .filter(|s| pair(s) == want)
            .take(n)
            .collect()
    }

    #[test]
    fn strings_are_shared_two_to_a_pair_of_slots() {
        let mut cache = TextCache::default();
        let [a, b, c] = <[String; 3]>::try_from(same_pair(&cache, 3)).unwrap();
        let (first, found) = cache.get(&a);
        assert!(!found);
        let (again, found) = cache.get(&a);
        assert!(found && again.ptr_eq(&first) && again.as_str() == a);
        // A second string of the pair keeps the first.
        assert!(!cache.get(&b).1);
        assert!(cache.get(&a).1 && cache.get(&b).1);
        // A third drops the one in the second slot (`a`, after `b` took the first).
        assert!(!cache.get(&c).1);
        assert!(cache.get(&c).1 && cache.get(&b).1);
        let (back, found) = cache.get(&a);
        assert!(!found && !back.ptr_eq(&first) && back.as_str() == a);
    }
}
