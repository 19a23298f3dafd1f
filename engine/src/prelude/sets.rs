//! Sets for rules: `set()`, `add`, `contains` (and `in`), `len`, and `for key in set` (in
//! sorted order). A set is a native value that Rhai does not look inside: adding to it
//! costs the same whatever its size, where a map that grows one key at a time is measured
//! whole after every change (Rhai checks its size against the limits), so marking n records
//! as seen in a map takes n² steps.

use super::error;
use super::lookups::key_of;
use rhai::{Array, Dynamic, Engine, INT, ImmutableString, Module, NativeCallContext};
use std::any::TypeId;
use std::collections::BTreeSet;

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

/// A set of keys (strings, and integers as their text, as lookups take them).
#[derive(Debug, Clone, Default)]
pub(crate) struct Set(BTreeSet<ImmutableString>);

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Set>("Set")
        .register_fn("set", Set::default)
        .register_fn("set", |ctx: NativeCallContext, items: Array| {
            let mut set = Set::default();
            for item in &items {
                set.add(&ctx, item)?;
            }
            Ok::<_, Box<rhai::EvalAltResult>>(set)
        })
        .register_fn(
            "add",
            |ctx: NativeCallContext, set: &mut Set, key: Dynamic| set.add(&ctx, &key),
        )
        .register_fn("contains", |set: &mut Set, key: Dynamic| {
            key_of(&key).is_some_and(|k| set.0.contains(&k))
        })
        .register_fn("len", |set: &mut Set| set.0.len() as INT)
        .register_fn("to_string", |set: &mut Set| format!("{:?}", set.0))
        .register_fn("to_debug", |set: &mut Set| format!("{:?}", set.0));
    // `for key in set`: its keys in sorted order (distinct, as `sort` then `dedup` would
    // leave an array of them), each a string.
    let mut iterators = Module::new();
    iterators.set_iter(TypeId::of::<Set>(), |set| match set.try_cast::<Set>() {
        Some(set) => Box::new(set.0.into_iter().map(Dynamic::from)),
        None => Box::new(std::iter::empty()),
    });
    engine.register_global_module(iterators.into());
}

impl Set {
    /// Adds `key`; whether it was not there yet. At most as many keys as an object map may
    /// hold.
    fn add(&mut self, ctx: &NativeCallContext, key: &Dynamic) -> Result<bool> {
        let Some(key) = key_of(key) else {
            return Err(error(format!(
                "add: a set holds strings and integers, not {}",
                key.type_name()
            )));
        };
        let max = ctx.engine().max_map_size();
        self.insert(key, max).ok_or_else(|| {
            error(format!(
                "add: a set holds at most {max} keys, as many as an object map"
            ))
        })
    }

    /// Adds `key` unless the set holds `max` keys already (0: no limit): whether it was
    /// not there yet, `None` when it is full.
    pub(crate) fn insert(&mut self, key: ImmutableString, max: usize) -> Option<bool> {
        if max > 0 && self.0.len() >= max && !self.0.contains(&key) {
            return None;
        }
        Some(self.0.insert(key))
    }

    /// Whether the set holds `key`.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.0.contains(key)
    }

    /// The keys, sorted.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &ImmutableString> {
        self.0.iter()
    }
}
