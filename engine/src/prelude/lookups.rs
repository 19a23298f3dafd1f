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
            by_key_in_list(l, Keying::Index, &key)
        })
        .register_fn("index_by", |a: &mut Array, key: ImmutableString| {
            array_records(a, "index_by", |items| by_key(items, Keying::Index, &key))?
        })
        .register_fn("group_by", |l: &mut List, key: ImmutableString| {
            by_key_in_list(l, Keying::Group, &key)
        })
        .register_fn("group_by", |a: &mut Array, key: ImmutableString| {
            array_records(a, "group_by", |items| by_key(items, Keying::Group, &key))?
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
    // Each read once per item (an entry's date once per item that finds an entry).
    let at = |path| At::new(path, items.len());
    let key = at(key);
    let fresh = fresh.map(|(since, date)| (at(since), at(date)));
    let current = |entry: &Record, since: &Option<Cow<'_, str>>| match (since, &fresh) {
        (Some(since), Some((_, date))) => text_at(entry, date).is_some_and(|d| d >= *since),
        _ => true,
    };
    items
        .iter()
        .filter(|item| {
            let since = fresh.as_ref().and_then(|(s, _)| text_at(item, s));
            let found = text_at(item, &key).and_then(|k| match lk.0.as_ref() {
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
fn key_at(r: &Record, path: &At<'_>) -> Option<ImmutableString> {
    path.node(r)?.key_text()
}

/// A dotted path read in each of `n` records: with the places its names were last found
/// (a [`FieldPath`]) for many records, as text for a few (a nested list's), for which
/// making a `FieldPath`, a string per name, would cost more than it saves.
enum At<'p> {
    Few(&'p str),
    Many(FieldPath),
}

impl<'p> At<'p> {
    /// Records from which on a [`FieldPath`] is made.
    const MANY: usize = 8;

    fn new(path: &'p str, n: usize) -> At<'p> {
        match n < Self::MANY {
            true => At::Few(path),
            false => At::Many(FieldPath::new(path)),
        }
    }

    fn node<'r>(&self, r: &'r Record) -> Option<&'r Node> {
        match self {
            At::Few(path) => r.path(path),
            At::Many(path) => r.get_path(path),
        }
    }
}

/// The key at `path` of a record, as [`key_at`] reads it, without a copy of a string.
fn text_at<'a>(r: &'a Record, path: &At<'_>) -> Option<Cow<'a, str>> {
    path.node(r)?.key_str()
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

/// How a lookup keys its records: `index_by` (the first record with each key) or
/// `group_by` (every record with it, in order).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keying {
    Index,
    Group,
}

/// `index_by(list, key)` or `group_by(list, key)` on a facts list: built once per facts
/// document for a top-level collection.
pub(crate) fn by_key_in_list(l: &List, keying: Keying, key: &str) -> Result<Lookup> {
    let kind = match keying {
        Keying::Index => "index",
        Keying::Group => "group",
    };
    cached(
        l,
        kind,
        || key.to_owned(),
        |items| by_key(items, keying, key),
    )
}

/// `index_by(items, key)` or `group_by(items, key)` on records.
pub(crate) fn by_key(items: &[&Record], keying: Keying, key: &str) -> Result<Lookup> {
    match keying {
        Keying::Index => index_by(items, key),
        Keying::Group => group_by(items, key),
    }
}

fn index_by(items: &[&Record], key: &str) -> Result<Lookup> {
    let key = At::new(key, items.len());
    let mut map = Keyed::with_capacity_and_hasher(items.len(), Default::default());
    for r in items {
        if let Some(k) = key_at(r, &key) {
            map.entry(k).or_insert_with(|| (*r).clone());
        }
    }
    Ok(Lookup(Arc::new(Table::One(map))))
}

fn group_by(items: &[&Record], key: &str) -> Result<Lookup> {
    let key = At::new(key, items.len());
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
    let date = At::new(date, items.len());
    let mut best: Option<(Cow<'_, str>, &Record)> = None;
    for r in items {
        let Some(d) = text_at(r, &date) else { continue };
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
    let (key, date) = (At::new(key, items.len()), At::new(date, items.len()));
    // At most a key per record: reserved at once, not grown table by table.
    let mut best: Keyed<Record> = Keyed::with_capacity_and_hasher(items.len(), Default::default());
    for r in items {
        let Some(d) = text_at(r, &date) else {
            continue;
        };
        let Some(k) = key_at(r, &key) else {
            continue;
        };
        match best.entry(k) {
            // The record kept has a date: it was kept for it.
            Entry::Occupied(mut kept) => {
                if text_at(kept.get(), &date).is_none_or(|b| d > b) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{At, get, index_by, latest_by_key, missing, text_at};
    use crate::facts::tree::{FieldPath, Node, Record, build};
    use crate::joins::Table;
    use rhai::Dynamic;
    use serde_json::json;

    /// `n` people in two shapes (their fields in two orders, one with a field more), each
    /// with a team and a start date under `job`.
    fn people(n: usize) -> Vec<Record> {
        let people: Vec<_> = (0..n)
            .map(|i| {
                let (id, team, start) = (format!("p{i}"), format!("t{}", i % 3), i % 5);
                let start = format!("2026-01-0{}", start + 1);
                match i % 2 {
                    0 => json!({"id": id, "team": team, "job": {"start": start}}),
                    _ => json!({"job": {"x": 1, "start": start}, "team": team, "id": id}),
                }
            })
            .collect();
        let Node::Record(doc) = build(json!({ "people": people }), Default::default()) else {
            unreachable!("a JSON object is a record")
        };
        let Some(Node::List(list)) = doc.get("people") else {
            unreachable!("people is a list")
        };
        list.items()
            .iter()
            .filter_map(Node::as_record)
            .cloned()
            .collect()
    }

    /// A path read through the places its names were last found reads the node the
    /// text of the path names, in records of every shape, and lookups read paths alike in
    /// a few records and in many.
    #[test]
    fn paths_read_the_same_nodes_in_few_records_and_in_many() {
        let everyone = people(20);
        for path in [
            "id",
            "job.start",
            "job.x",
            "nope",
            "job.start.z",
            "team.x",
            "job.",
            "",
        ] {
            let (few, many) = (At::new(path, 1), At::new(path, At::MANY));
            assert!(matches!((&few, &many), (At::Few(_), At::Many(_))));
            for r in &everyone {
                let want = r.path(path).map(std::ptr::from_ref);
                assert_eq!(few.node(r).map(std::ptr::from_ref), want, "{path}");
                assert_eq!(many.node(r).map(std::ptr::from_ref), want, "{path}");
                assert_eq!(
                    r.get_path(&FieldPath::new(path)).map(std::ptr::from_ref),
                    want
                );
            }
        }
        for n in [3, At::MANY - 1, At::MANY, 20] {
            let people = people(n);
            let records: Vec<&Record> = people.iter().collect();
            // Each team's latest start (the first of equal ones), as a plain fold finds it.
            let latest = latest_by_key(&records, "team", "job.start").unwrap();
            let Table::One(by_team) = latest.0.as_ref() else {
                unreachable!("latest_by keeps one record a key")
            };
            for (team, kept) in by_team {
                let start = |r: &Record| r.path("job.start").and_then(Node::key_text);
                let best = records
                    .iter()
                    .filter(|r| r.path("team").and_then(Node::key_text).as_ref() == Some(team))
                    .fold(None::<&Record>, |best, r| match best {
                        Some(b) if start(b) >= start(r) => Some(b),
                        _ => Some(r),
                    });
                assert!(
                    best.is_some_and(|b| b.same_place(kept)),
                    "{n} people, {team}"
                );
            }
            // Every team has an entry, current for each member (a team's latest start is on
            // or after each member's); no entry is keyed by a person's id.
            assert!(missing(&latest, &records, "team", None).is_empty());
            let stale = missing(&latest, &records, "team", Some(("job.start", "job.start")));
            assert!(stale.is_empty(), "{n} people");
            let gone = missing(&latest, &records, "id", None);
            assert_eq!(gone.len(), n);
        }
    }

    /// A field holding a number or a boolean keys a lookup by its text, as an integer key
    /// finds it, in few records and in many.
    #[test]
    fn scalar_fields_key_lookups_by_their_text() {
        for n in [2, At::MANY] {
            let items: Vec<_> = (0..n)
                .map(|i| serde_json::json!({"n": i + 40, "b": i % 2 == 0, "f": 1.5}))
                .collect();
            let Node::Record(doc) = build(serde_json::json!({ "x": items }), Default::default())
            else {
                unreachable!("a JSON object is a record")
            };
            let Some(Node::List(list)) = doc.get("x") else {
                unreachable!("x is a list")
            };
            let records: Vec<&Record> = list.items().iter().filter_map(Node::as_record).collect();
            let by_n = index_by(&records, "n").unwrap();
            let found = get(&by_n, &Dynamic::from_int(41)).cast::<Record>();
            assert!(found.same_place(records[1]), "{n} records");
            assert!(get(&by_n, &Dynamic::from_int(39)).is_unit());
            let texts: Vec<_> = ["n", "b", "f"]
                .iter()
                .map(|p| text_at(records[0], &At::new(p, n)).map(|t| t.into_owned()))
                .collect();
            assert_eq!(
                texts,
                [
                    Some("40".to_owned()),
                    Some("true".to_owned()),
                    Some("1.5".to_owned())
                ]
            );
        }
    }
}
