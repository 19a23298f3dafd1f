//! Queries over facts lists, run natively so a rule only iterates the records it reports on:
//! `where` and `where_not` (fields equal to values, or not), `where_same` (two fields equal),
//! `older_than` and `within_days` (a date field against the as-of date). Each takes a facts
//! list or an array of records and returns an array, so queries chain.

use super::lookups::{self, Lookup};
use super::{dates, error};
use crate::date::Date;
use crate::facts::tree::{Node, Record};
use rhai::{Array, Dynamic, Engine, INT, ImmutableString, Map};

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_fn(
            "where",
            |items: Dynamic, path: ImmutableString, v: Dynamic| {
                matching(&lookups::records_in(&items, "where")?, &[(path, v)])
            },
        )
        .register_fn("where", |items: Dynamic, m: Map| {
            matching(&lookups::records_in(&items, "where")?, &conditions(m))
        })
        .register_fn(
            "where_not",
            |items: Dynamic, path: ImmutableString, v: Dynamic| {
                not_matching(&lookups::records_in(&items, "where_not")?, &path, &v)
            },
        )
        .register_fn(
            "where_same",
            |items: Dynamic, a: ImmutableString, b: ImmutableString| {
                same(&lookups::records_in(&items, "where_same")?, &a, &b)
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

/// A map's entries as (path, wanted value) pairs, in key order.
fn conditions(m: Map) -> Vec<(ImmutableString, Dynamic)> {
    m.into_iter().map(|(k, v)| (k.into(), v)).collect()
}

/// Whether a field's value satisfies a condition: equal to the value; when the wanted value
/// is an array, equal to one of its items; when it is a lookup, one of its keys.
fn satisfies(node: &Node, wanted: &Dynamic) -> bool {
    if let Some(options) = wanted.read_lock::<Array>() {
        return options.iter().any(|o| node.equals(o));
    }
    if let Some(lookup) = wanted.read_lock::<Lookup>() {
        return node.key_text().is_some_and(|k| lookup.has_key(&k));
    }
    node.equals(wanted)
}

/// The records for which every condition holds (an absent field counts as `()`).
fn matching(items: &[Record], conds: &[(ImmutableString, Dynamic)]) -> Result<Array> {
    Ok(items
        .iter()
        .filter(|r| {
            conds
                .iter()
                .all(|(path, wanted)| satisfies(r.path(path).unwrap_or(&Node::Null), wanted))
        })
        .map(|r| Dynamic::from(r.clone()))
        .collect())
}

/// The records for which the condition does not hold.
fn not_matching(items: &[Record], path: &str, wanted: &Dynamic) -> Result<Array> {
    Ok(items
        .iter()
        .filter(|r| !satisfies(r.path(path).unwrap_or(&Node::Null), wanted))
        .map(|r| Dynamic::from(r.clone()))
        .collect())
}

/// The records whose fields at paths `a` and `b` hold the same value (neither absent).
fn same(items: &[Record], a: &str, b: &str) -> Result<Array> {
    Ok(items
        .iter()
        .filter(|r| match (r.path(a), r.path(b)) {
            (Some(x), Some(y)) => x.same_scalar(y),
            _ => false,
        })
        .map(|r| Dynamic::from(r.clone()))
        .collect())
}

/// The records with a date at `path` whose age in days (to the as-of date) passes `keep`.
/// Records without the field (or with null) are left out; a value that is not a date is an
/// error naming the record.
fn dated(items: &[Record], path: &str, what: &str, keep: impl Fn(i64) -> bool) -> Result<Array> {
    let as_of = dates::as_of()?;
    let mut out = Array::new();
    for r in items {
        let node = r.path(path).unwrap_or(&Node::Null);
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
        }
    }
    Ok(out)
}
