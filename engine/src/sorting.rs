//! Stable sorting through one compiled sort for every element type.
//!
//! The standard library's sort is generic: each element type and comparison sorted
//! somewhere gets a whole sort of its own compiled in (several KiB each: a tenth of the
//! WebAssembly module's code was sorting). The helpers here sort the positions of the items
//! (with the comparison behind a reference) and then move the items where they go, so that
//! all their callers share one sort. They suit the sorts outside the hot paths: reports,
//! renderers, packs, diagnostics, populations. A few items (as a rule's helpers sort per
//! record) are sorted in place by insertion, with no allocation.

use std::cmp::Ordering;

/// Up to this many items are sorted by insertion.
const FEW: usize = 12;

/// Sorts `items` by `cmp`, keeping the order of equal items (as `slice::sort_by`).
pub fn sort_by<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if items.len() <= FEW {
        insertion(items, &mut cmp);
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    let shared: &[T] = items;
    positions(&mut order, &mut |a, b| cmp(&shared[a], &shared[b]));
    permute(items, &mut order);
}

/// Sorts `items` by the key `key` gives each, keeping the order of items with equal keys
/// (as `slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their own order, keeping the order of equal items (as `slice::sort`).
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// Sorts a few items in place: each moves back past the greater ones before it, never
/// past an equal one.
fn insertion<T>(items: &mut [T], cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && cmp(&items[j - 1], &items[j]) == Ordering::Greater {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// The one sort every helper runs: positions, by a comparison of the items at them.
fn positions(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Moves each item to its place: the item at `order[k]` goes to `k`. Follows each cycle of
/// the permutation once, swapping, and leaves `order` as `0, 1, 2...`.
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator (xorshift), for test inputs.
    fn numbers(seed: u64, n: usize, range: u64) -> Vec<u64> {
        let mut x = seed.max(1);
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % range
            })
            .collect()
    }

    #[test]
    fn sorts_as_the_standard_stable_sort_does() {
        let sizes = [
            (1, 0, 1),
            (2, 1, 5),
            (3, 2, 2),
            (6, 12, 4),
            (7, 13, 4),
            (4, 17, 3),
        ];
        for (seed, n, range) in sizes.into_iter().chain([(5, 1000, 50)]) {
            // Pairs whose second half tells equal keys apart: stability shows.
            let items: Vec<(u64, usize)> = numbers(seed, n, range).into_iter().zip(0..).collect();
            let mut ours = items.clone();
            let mut std = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            std.sort_by_key(|p| p.0);
            assert_eq!(ours, std, "seed {seed}");
            let mut ours = items.clone();
            let mut std = items;
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            std.sort_by_key(|b| std::cmp::Reverse(b.0));
            assert_eq!(ours, std, "seed {seed}");
        }
        let mut words = vec!["pear", "apple", "fig", "apple"];
        sort(&mut words);
        assert_eq!(words, ["apple", "apple", "fig", "pear"]);
    }

    #[test]
    fn moves_items_that_own_memory() {
        let mut items: Vec<String> = (0..300).rev().map(|i| format!("{i:03}")).collect();
        sort(&mut items);
        let want: Vec<String> = (0..300).map(|i| format!("{i:03}")).collect();
        assert_eq!(items, want);
    }
}
