//! Joins for rules, built natively: `index_by`, `group_by`, `latest_by`. Lookups over a
//! facts list are built once per facts document and shared by every rule and thread.

use super::error;
use super::records::went_through;
use crate::context;
use crate::facts::tree::{FieldPath, List, Node, Record};
use crate::joins::{CacheKey, Keyed, Lookup, Table};
use rhai::{Array, Dynamic, Engine, INT, ImmutableString};
use std::borrow::Cow;
use std::sync::Arc;

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Lookup>("Lookup")
        .register_fn("index_by", |l: &mut List, key: ImmutableString| {
            cached(
                l,
                "index",
                || key.to_string(),
                |items| index_by(items, &key),
            )
        })
        .register_fn("index_by", |a: &mut Array, key: ImmutableString| {
            array_records(a, "index_by", |items| index_by(items, &key))?
        })
        .register_fn("group_by", |l: &mut List, key: ImmutableString| {
            cached(
                l,
                "group",
                || key.to_string(),
                |items| group_by(items, &key),
            )
        })
        .register_fn("group_by", |a: &mut Array, key: ImmutableString| {
            array_records(a, "group_by", |items| group_by(items, &key))?
        })
        .register_fn("latest_by", |l: &mut List, date: ImmutableString| {
            let found = latest(&list_records(l), &date);
            if let Some(r) = found.read_lock::<Record>() {
                went_through([&*r]);
            }
            Ok::<_, Box<rhai::EvalAltResult>>(found)
        })
        .register_fn("latest_by", |a: &mut Array, date: ImmutableString| {
            array_records(a, "latest_by", |items| latest(items, &date))
        })
        .register_fn(
            "latest_by",
            |l: &mut List, key: ImmutableString, date: ImmutableString| {
                latest_by_in_list(l, &key, &date)
            },
        )
        .register_fn(
            "latest_by",
            |a: &mut Array, key: ImmutableString, date: ImmutableString| {
                array_records(a, "latest_by", |items| latest_by_key(items, &key, &date))?
            },
        )
        .register_fn("get", |lk: &mut Lookup, key: Dynamic| get(lk, &key))
        .register_indexer_get(|lk: &mut Lookup, key: ImmutableString| get(lk, &Dynamic::from(key)))
        .register_fn("contains", |lk: &mut Lookup, key: Dynamic| {
            key_of(&key).is_some_and(|k| lk.has_key(&k))
        })
        .register_fn("len", |lk: &mut Lookup| match lk.0.as_ref() {
            Table::One(m) => m.len() as INT,
            Table::Many(m) => m.len() as INT,
        })
        .register_fn("to_string", |lk: &mut Lookup| describe(lk))
        .register_fn("to_debug", |lk: &mut Lookup| describe(lk))
        .register_fn(
            "missing",
            |lk: &mut Lookup, items: Dynamic, key: ImmutableString| {
                with_records(&items, "missing", &mut |rs| Ok(missing(lk, rs, &key, None)))
            },
        )
        .register_fn(
            "missing",
            |lk: &mut Lookup,
             items: Dynamic,
             key: ImmutableString,
             since: ImmutableString,
             date: ImmutableString| {
                with_records(&items, "missing", &mut |rs| {
                    Ok(missing(lk, rs, &key, Some((&since, &date))))
                })
            },
        );
}

/// The items whose `key` has no entry in the lookup. With `(since, date)`, also the items
/// whose entry is not current: no record of the entry has a `date` on or after the item's
/// `since` (an item without `since` is current with any entry). Dates compare as text, which
/// `YYYY-MM-DD` makes chronological.
pub(crate) fn missing(
    lk: &Lookup,
    items: &[&Record],
    key: &str,
    fresh: Option<(&str, &str)>,
) -> Array {
    let current = |entry: &Record, since: &Option<Cow<'_, str>>| match (since, fresh) {
        (Some(since), Some((_, date))) => text_at(entry, date).is_some_and(|d| d >= *since),
        _ => true,
    };
    items
        .iter()
        .filter(|item| {
            let since = fresh.and_then(|(s, _)| text_at(item, s));
            let found = text_at(item, key).and_then(|k| match lk.0.as_ref() {
                Table::One(m) => m.get(&*k).map(|r| current(r, &since)),
                Table::Many(m) => m.get(&*k).map(|rs| rs.iter().any(|r| current(r, &since))),
            });
            found != Some(true)
        })
        .map(|r| Dynamic::from((*r).clone()))
        .collect()
}

impl Lookup {
    /// Whether the lookup has an entry under `key`.
    pub(crate) fn has_key(&self, key: &str) -> bool {
        match self.0.as_ref() {
            Table::One(m) => m.contains_key(key),
            Table::Many(m) => m.contains_key(key),
        }
    }
}

/// The records of a facts list, or of an array of records (the two things rules query).
/// (One function for every query, not one per caller: the WebAssembly module keeps one copy.)
pub(super) fn with_records(
    items: &Dynamic,
    what: &str,
    f: &mut dyn FnMut(&[&Record]) -> Result<Array>,
) -> Result<Array> {
    if let Some(l) = items.read_lock::<List>() {
        return f(&list_records(&l));
    }
    if let Some(a) = items.read_lock::<Array>() {
        return array_records(&a, what, f)?;
    }
    Err(error(format!(
        "{what}: expected a facts list or an array of records, found a {}",
        items.type_name()
    )))
}

/// The records of a facts list (other items skipped).
pub(super) fn list_records(l: &List) -> Vec<&Record> {
    l.items().iter().filter_map(Node::as_record).collect()
}

/// `f` on the records of an array, or an error naming `what` when an item is not a facts
/// record.
fn array_records<T>(a: &Array, what: &str, f: impl FnOnce(&[&Record]) -> T) -> Result<T> {
    let held = a
        .iter()
        .map(|d| {
            d.read_lock::<Record>().ok_or_else(|| {
                error(format!(
                    "{what}: expected records from the facts, found a {}",
                    d.type_name()
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let records: Vec<&Record> = held.iter().map(|r| &**r).collect();
    Ok(f(&records))
}

/// Builds a lookup over a facts list: once per facts document for a top-level collection (the
/// cache names it by the list, `kind` and the `fields` it is built on).
fn cached(
    l: &List,
    kind: &'static str,
    fields: impl FnOnce() -> String,
    build: impl FnOnce(&[&Record]) -> Result<Lookup>,
) -> Result<Lookup> {
    // Only top-level collections (`/accounts`) are shared by many rules; a nested list
    // (`/people/3/policy_acknowledgements`) is built on demand.
    if l.pointer().rfind('/') != Some(0) {
        return build(&list_records(l));
    }
    let cache = context::current(|run| run.cache.clone());
    let key: CacheKey = (l.pointer().to_owned(), kind, fields());
    if let Some(hit) = cache.as_ref().and_then(|c| c.get(&key)) {
        return Ok(hit);
    }
    Ok(match &cache {
        // Shared by every rule: not charged to the memory budget of the one that builds it.
        Some(c) => {
            context::shared(|| -> Result<Lookup> { Ok(c.insert(key, build(&list_records(l))?)) })?
        }
        None => build(&list_records(l))?,
    })
}

/// The key at `path` of a record, as lookups take it.
fn key_at(r: &Record, path: &FieldPath) -> Option<ImmutableString> {
    r.get_path(path)?.key_text()
}

/// The key at `path` of a record, as [`key_at`] reads it, without a copy of a string (and
/// without making a [`FieldPath`] of `path`, for the few records of a nested list).
fn text_at<'a>(r: &'a Record, path: &str) -> Option<Cow<'a, str>> {
    match r.path(path)? {
        Node::Str(s) => Some(Cow::Borrowed(s.as_str())),
        node => node.key_text().map(|k| Cow::Owned(k.to_string())),
    }
}

/// What a lookup shows in a message: how many keys, not its records (which a hash map
/// holds in no fixed order).
fn describe(lk: &Lookup) -> String {
    match lk.0.as_ref() {
        Table::One(m) => format!("lookup of {} keys (one record each)", m.len()),
        Table::Many(m) => format!("lookup of {} keys (records grouped)", m.len()),
    }
}

/// A key as lookups and sets take it: a string, or an integer as its text.
pub(super) fn key_of(d: &Dynamic) -> Option<ImmutableString> {
    if let Some(s) = d.read_lock::<ImmutableString>() {
        return Some(s.clone());
    }
    d.as_int().ok().map(|i| i.to_string().into())
}

fn index_by(items: &[&Record], key: &str) -> Result<Lookup> {
    let key = FieldPath::new(key);
    let mut map = Keyed::with_capacity_and_hasher(items.len(), Default::default());
    for r in items {
        if let Some(k) = key_at(r, &key) {
            map.entry(k).or_insert_with(|| (*r).clone());
        }
    }
    Ok(Lookup(Arc::new(Table::One(map))))
}

fn group_by(items: &[&Record], key: &str) -> Result<Lookup> {
    let key = FieldPath::new(key);
    let mut map: Keyed<Vec<Record>> = Keyed::default();
    for r in items {
        if let Some(k) = key_at(r, &key) {
            map.entry(k).or_default().push((*r).clone());
        }
    }
    Ok(Lookup(Arc::new(Table::Many(map))))
}

/// The record whose `date` field is latest (ties keep the first); records without a date
/// in that field are ignored. Dates compare as text, which `YYYY-MM-DD` makes chronological.
fn latest(items: &[&Record], date: &str) -> Dynamic {
    let mut best: Option<(Cow<'_, str>, &Record)> = None;
    for r in items {
        let Some(d) = text_at(r, date) else { continue };
        if best.as_ref().is_none_or(|(b, _)| d > *b) {
            best = Some((d, r));
        }
    }
    best.map_or(Dynamic::UNIT, |(_, r)| Dynamic::from(r.clone()))
}

/// `list.latest_by(key, date)` on a facts list: built once per facts document for a
/// top-level collection.
pub(crate) fn latest_by_in_list(l: &List, key: &str, date: &str) -> Result<Lookup> {
    let fields = || format!("{key}\u{0}{date}");
    cached(l, "latest", fields, |items| latest_by_key(items, key, date))
}

fn latest_by_key(items: &[&Record], key: &str, date: &str) -> Result<Lookup> {
    use std::collections::hash_map::Entry;
    let mut best: Keyed<Record> = Keyed::default();
    for r in items {
        let Some(d) = text_at(r, date) else {
            continue;
        };
        let Some(k) = r.path(key).and_then(Node::key_text) else {
            continue;
        };
        match best.entry(k) {
            // The record kept has a date: it was kept for it.
            Entry::Occupied(mut kept) => {
                if text_at(kept.get(), date).is_none_or(|b| d > b) {
                    kept.insert((*r).clone());
                }
            }
            Entry::Vacant(slot) => {
                slot.insert((*r).clone());
            }
        }
    }
    Ok(Lookup(Arc::new(Table::One(best))))
}

fn get(lk: &Lookup, key: &Dynamic) -> Dynamic {
    let k = key_of(key);
    match lk.0.as_ref() {
        Table::One(m) => k
            .and_then(|k| m.get(&k))
            .map_or(Dynamic::UNIT, |r| Dynamic::from(r.clone())),
        Table::Many(m) => {
            let items: Array = k
                .and_then(|k| m.get(&k))
                .map(|rs| rs.iter().map(|r| Dynamic::from(r.clone())).collect())
                .unwrap_or_default();
            Dynamic::from_array(items)
        }
    }
}
