//! Lookup tables over facts lists (what `index_by`, `group_by` and `latest_by` build), and
//! the cache that builds each once per facts document and shares it with every rule and
//! thread of an evaluation.

use crate::facts::tree::Record;
use rhai::ImmutableString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A lookup table from a key (a field's text) to one record or to a group of records.
#[derive(Debug, Clone)]
pub struct Lookup(pub(crate) Arc<Table>);

/// The maps of a lookup's keys (hashed with foldhash: a rule may look a key up once per
/// record it goes through).
pub(crate) type Keyed<V> = foldhash::HashMap<ImmutableString, V>;

/// What a lookup holds.
#[derive(Debug)]
pub(crate) enum Table {
    /// One record per key.
    One(Keyed<Record>),
    /// Every record with the key.
    Many(Keyed<Vec<Record>>),
}

/// What identifies a shared lookup: the list's pointer, the kind of lookup and its fields.
pub(crate) type CacheKey = (String, &'static str, String);

/// Lookups already built over facts lists.
#[derive(Debug, Default)]
pub(crate) struct LookupCache(Mutex<HashMap<CacheKey, Lookup>>);

impl LookupCache {
    /// The lookup built for `key`, if any.
    pub(crate) fn get(&self, key: &CacheKey) -> Option<Lookup> {
        self.0.lock().ok()?.get(key).cloned()
    }

    /// Keeps `built` for `key`, unless another thread built it first: either way, the
    /// lookup every rule shares from now on.
    pub(crate) fn insert(&self, key: CacheKey, built: Lookup) -> Lookup {
        match self.0.lock() {
            Ok(mut map) => map.entry(key).or_insert(built).clone(),
            Err(_) => built,
        }
    }
}
