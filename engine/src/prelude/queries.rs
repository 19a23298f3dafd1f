//! Queries over facts lists, run natively so a rule only iterates the records it reports on:
//! `where` and `where_not` (fields equal to values, or not), `where_same` (two fields equal),
//! `older_than` and `within_days` (a date field against the as-of date). Each takes a facts
//! list or an array of records and returns an array, so queries chain.

use super::lookups;
use super::records::went_through;
use super::{dates, error};
use crate::date::Date;
use crate::facts::tree::{FieldPath, Node, Record};
use crate::joins::Lookup;
use rhai::{Array, Dynamic, Engine, INT, ImmutableString, Map};

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_fn(
            "where",
            |items: Dynamic, path: ImmutableString, v: Dynamic| {
                matching(
                    &lookups::records_in(&items, "where")?,
                    &[(FieldPath::new(&path), Wanted::new(v))],
                )
            },
        )
        .register_fn("where", |items: Dynamic, m: Map| {
            matching(&lookups::records_in(&items, "where")?, &conditions(m))
        })
        .register_fn(
            "where_not",
            |items: Dynamic, path: ImmutableString, v: Dynamic| {
                let wanted = Wanted::new(v);
                let path = FieldPath::new(&path);
                select(&lookups::records_in(&items, "where_not")?, |r| {
                    !wanted.holds(at(r, &path))
                })
            },
        )
        .register_fn(
            "where_same",
            |items: Dynamic, a: ImmutableString, b: ImmutableString| {
                let (a, b) = (FieldPath::new(&a), FieldPath::new(&b));
                select(&lookups::records_in(&items, "where_same")?, |r| {
                    // Both present and the same scalar (`same_scalar` is false for null).
                    at(r, &a).same_scalar(at(r, &b))
                })
            },
        )
        .register_fn(
            "older_than",
            |items: Dynamic, path: ImmutableString, n: INT| {
                let records = lookups::records_in(&items, "older_than")?;
                dated(&records, &path, "older_than", |age| age > n)
            },
        )
        .register_fn(
            "within_days",
            |items: Dynamic, path: ImmutableString, n: INT| {
                let records = lookups::records_in(&items, "within_days")?;
                dated(&records, &path, "within_days", |age| age <= n)
            },
        );
}

/// A map's entries as (path, condition) pairs, in key order.
fn conditions(m: Map) -> Vec<(FieldPath, Wanted)> {
    m.into_iter()
        .map(|(k, v)| (FieldPath::new(&k), Wanted::new(v)))
        .collect()
}

/// What a field must hold, classified once per query rather than once per record.
enum Wanted {
    /// Equal to the value.
    Equal(Dynamic),
    /// Equal to one of the array's items.
    OneOf(Array),
    /// One of the lookup's keys.
    KeyOf(Lookup),
}

impl Wanted {
    fn new(value: Dynamic) -> Wanted {
        if let Some(options) = value.read_lock::<Array>() {
            return Wanted::OneOf(options.clone());
        }
        if let Some(lookup) = value.read_lock::<Lookup>() {
            return Wanted::KeyOf(lookup.clone());
        }
        Wanted::Equal(value)
    }

    /// Whether a field's value (null when absent) meets the condition.
    fn holds(&self, node: &Node) -> bool {
        match self {
            Wanted::Equal(v) => node.equals(v),
            Wanted::OneOf(options) => options.iter().any(|o| node.equals(o)),
            Wanted::KeyOf(lookup) => node.key_text().is_some_and(|k| lookup.has_key(&k)),
        }
    }
}

/// The field at `path` of a record, null when absent.
fn at<'a>(r: &'a Record, path: &FieldPath) -> &'a Node {
    r.get_path(path).unwrap_or(&Node::Null)
}

/// The records `keep` accepts, as script values.
fn select(items: &[Record], keep: impl Fn(&Record) -> bool) -> Result<Array> {
    let kept: Vec<&Record> = items.iter().filter(|r| keep(r)).collect();
    went_through(kept.iter().copied());
    Ok(kept.into_iter().map(|r| Dynamic::from(r.clone())).collect())
}

/// The records for which every condition holds.
fn matching(items: &[Record], conds: &[(FieldPath, Wanted)]) -> Result<Array> {
    select(items, |r| {
        conds.iter().all(|(path, w)| w.holds(at(r, path)))
    })
}

/// The records with a date at `path` whose age in days (to the as-of date) passes `keep`.
/// Records without the field (or with null) are left out; a value that is not a date is an
/// error naming the record.
fn dated(items: &[Record], path: &str, what: &str, keep: impl Fn(i64) -> bool) -> Result<Array> {
    let as_of = dates::as_of()?;
    let mut out = Array::new();
    let mut kept = Vec::new();
    let field = FieldPath::new(path);
    for r in items {
        let node = at(r, &field);
        if node.is_null() {
            continue;
        }
        let date = match node {
            Node::Str(s) => Date::parse(s),
            _ => None,
        };
        let date = date.ok_or_else(|| {
            error(format!(
                "{what}: expected a date `YYYY-MM-DD` at {}/{}",
                r.pointer(),
                path.replace('.', "/")
            ))
        })?;
        if keep(date.days_until(as_of)) {
            out.push(Dynamic::from(r.clone()));
            kept.push(r);
        }
    }
    went_through(kept);
    Ok(out)
}
