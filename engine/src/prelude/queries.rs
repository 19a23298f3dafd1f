//! Queries over facts lists, run natively so a rule only iterates the records it reports on:
//! `where` and `where_not` (fields equal to values, or not), `where_same` (two fields equal),
//! `older_than` and `within_days` (a date field against the as-of date), `on_or_before_as_of`
//! and `after_as_of` (a date field on either side of the as-of date). Each takes a facts
//! list or an array of records and returns an array, so queries chain. Native runs call the
//! same queries on their own values ([`query`]).

use super::lookups::with_records;
use super::records::went_through;
use super::{dates, error};
use crate::date::Date;
use crate::facts::short::Short;
use crate::facts::tree::{FieldPath, Node, Record};
use crate::joins::Lookup;
use crate::period::Period;
use rhai::{Array, Dynamic, Engine, FLOAT, INT, ImmutableString, Map};

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_fn(
            "where",
            |items: Dynamic, path: ImmutableString, v: Dynamic| {
                with_records(&items, "where", &mut |rs| {
                    query(Query::Where(&v), rs, &path).map(to_array)
                })
            },
        )
        .register_fn("where", |items: Dynamic, m: Map| {
            with_records(&items, "where", &mut |rs| {
                query(Query::WhereAll(&m), rs, "").map(to_array)
            })
        })
        .register_fn(
            "where_not",
            |items: Dynamic, path: ImmutableString, v: Dynamic| {
                with_records(&items, "where_not", &mut |rs| {
                    query(Query::WhereNot(&v), rs, &path).map(to_array)
                })
            },
        )
        .register_fn(
            "where_same",
            |items: Dynamic, a: ImmutableString, b: ImmutableString| {
                with_records(&items, "where_same", &mut |rs| {
                    Ok(to_array(query(Query::WhereSame(&b), rs, &a)?))
                })
            },
        )
        .register_fn(
            "older_than",
            |items: Dynamic, path: ImmutableString, n: INT| {
                with_records(&items, "older_than", &mut |rs| {
                    query(Query::OlderThan(n), rs, &path).map(to_array)
                })
            },
        )
        .register_fn(
            "within_days",
            |items: Dynamic, path: ImmutableString, n: INT| {
                with_records(&items, "within_days", &mut |rs| {
                    query(Query::WithinDays(n), rs, &path).map(to_array)
                })
            },
        )
        .register_fn(
            "on_or_before_as_of",
            |items: Dynamic, path: ImmutableString| {
                with_records(&items, "on_or_before_as_of", &mut |rs| {
                    query(Query::OnOrBeforeAsOf, rs, &path).map(to_array)
                })
            },
        )
        .register_fn("after_as_of", |items: Dynamic, path: ImmutableString| {
            with_records(&items, "after_as_of", &mut |rs| {
                query(Query::AfterAsOf, rs, &path).map(to_array)
            })
        });
}

/// A query with its value or number of days (what native runs call on their own values).
#[derive(Clone, Copy)]
pub(crate) enum Query<'a> {
    /// `items.where(path, value)`
    Where(&'a Dynamic),
    /// `items.where(#{ path: value, ... })` (the path given to [`query`] is not read)
    WhereAll(&'a Map),
    /// `items.where_not(path, value)`
    WhereNot(&'a Dynamic),
    /// `items.where_same(path, other)`: the two fields present and the same scalar
    WhereSame(&'a str),
    /// `items.older_than(path, days)`
    OlderThan(INT),
    /// `items.within_days(path, days)`
    WithinDays(INT),
    /// `items.on_or_before_as_of(path)`: dated on or before the as-of date (done by then)
    OnOrBeforeAsOf,
    /// `items.after_as_of(path)`: dated after the as-of date (not happened yet then)
    AfterAsOf,
    /// `items.in_period(path)`: the records whose date at `path` falls in the audit period
    /// given (with a period, records without the field are left out; without one, all).
    InPeriod(Option<Period>),
}

/// The records of `items` the query keeps, in order, marked as gone through.
pub(crate) fn query<'r>(q: Query<'_>, items: &[&'r Record], path: &str) -> Result<Vec<&'r Record>> {
    Ok(match q {
        Query::Where(v) => matching(items, &[(FieldPath::new(path), Wanted::new(v.clone()))]),
        Query::WhereAll(m) => matching(items, &conditions(m.clone())),
        Query::WhereNot(v) => {
            let (path, wanted) = (FieldPath::new(path), Wanted::new(v.clone()));
            select(items, &|r| !wanted.holds(at(r, &path)))
        }
        Query::WhereSame(other) => {
            let (a, b) = (FieldPath::new(path), FieldPath::new(other));
            // Both present and the same scalar (`same_scalar` is false for null).
            select(items, &|r| at(r, &a).same_scalar(at(r, &b)))
        }
        Query::OlderThan(n) => {
            let as_of = dates::as_of()?;
            dated(items, path, "older_than", &|d| d.days_until(as_of) > n)?
        }
        Query::WithinDays(n) => {
            let as_of = dates::as_of()?;
            dated(items, path, "within_days", &|d| d.days_until(as_of) <= n)?
        }
        Query::OnOrBeforeAsOf => {
            let as_of = dates::as_of()?;
            dated(items, path, "on_or_before_as_of", &|d| d <= as_of)?
        }
        Query::AfterAsOf => {
            let as_of = dates::as_of()?;
            dated(items, path, "after_as_of", &|d| d > as_of)?
        }
        // Without a period, every record.
        Query::InPeriod(period) => match period {
            None => {
                went_through(items.iter().copied());
                items.to_vec()
            }
            Some(p) => dated(items, path, "in_period", &|d| p.contains(d))?,
        },
    })
}

/// Kept records as script values.
pub(super) fn to_array(kept: Vec<&Record>) -> Array {
    kept.into_iter().map(|r| Dynamic::from(r.clone())).collect()
}

/// A map's entries as (path, condition) pairs, in key order.
fn conditions(m: Map) -> Vec<(FieldPath, Wanted)> {
    m.into_iter()
        .map(|(k, v)| (FieldPath::new(&k), Wanted::new(v)))
        .collect()
}

/// What a field must hold, classified once per query rather than once per record.
enum Wanted {
    /// Equal to the value (as [`Node::equals`] compares a node with it).
    Equal(Plain),
    /// Equal to one of the array's items.
    OneOf(Vec<Plain>),
    /// One of the lookup's keys.
    KeyOf(Lookup),
}

/// A value a field is compared with, by its kind: what [`Node::equals`] finds out of the
/// value for every record, found once.
enum Plain {
    Unit,
    Bool(bool),
    Int(INT),
    Float(FLOAT),
    /// A string of at most [`Short::MAX`] bytes, as the facts hold it: compared with a
    /// field's at once, not byte by byte.
    Short(Short),
    /// A longer string.
    Text(ImmutableString),
    /// Anything else, which no node equals but as `Node::equals` says.
    Other(Dynamic),
}

impl Plain {
    fn new(value: Dynamic) -> Plain {
        if value.is_unit() {
            Plain::Unit
        } else if let Ok(b) = value.as_bool() {
            Plain::Bool(b)
        } else if let Ok(i) = value.as_int() {
            Plain::Int(i)
        } else if let Ok(f) = value.as_float() {
            Plain::Float(f)
        } else if let Some(s) = value.read_lock::<ImmutableString>() {
            match Short::new(&s) {
                Some(short) => Plain::Short(short),
                None => Plain::Text(s.clone()),
            }
        } else {
            Plain::Other(value)
        }
    }

    /// Whether `node` equals the value, as `node.equals(value)` says.
    fn equals(&self, node: &Node) -> bool {
        match (self, node) {
            (Plain::Unit, Node::Null) => true,
            (Plain::Bool(v), Node::Bool(b)) => v == b,
            (Plain::Int(v), Node::Int(i)) => v == i,
            (Plain::Int(v), Node::Float(f)) => *v as FLOAT == *f,
            (Plain::Float(v), Node::Int(i)) => *v == *i as FLOAT,
            (Plain::Float(v), Node::Float(f)) => v == f,
            (Plain::Short(v), Node::Short(s)) => v == s,
            (Plain::Short(v), Node::Str(s)) => v.as_str() == s.as_str(),
            (Plain::Text(v), node @ (Node::Str(_) | Node::Short(_))) => {
                node.as_str() == Some(v.as_str())
            }
            (Plain::Other(v), node) => node.equals(v),
            _ => false,
        }
    }
}

impl Wanted {
    fn new(value: Dynamic) -> Wanted {
        if let Some(options) = value.read_lock::<Array>() {
            return Wanted::OneOf(options.iter().cloned().map(Plain::new).collect());
        }
        if let Some(lookup) = value.read_lock::<Lookup>() {
            return Wanted::KeyOf(lookup.clone());
        }
        Wanted::Equal(Plain::new(value))
    }

    /// Whether a field's value (null when absent) meets the condition.
    fn holds(&self, node: &Node) -> bool {
        match self {
            Wanted::Equal(v) => v.equals(node),
            Wanted::OneOf(options) => options.iter().any(|o| o.equals(node)),
            Wanted::KeyOf(lookup) => node.key_str().is_some_and(|k| lookup.has_key(&k)),
        }
    }
}

/// The field at `path` of a record, null when absent.
fn at<'a>(r: &'a Record, path: &FieldPath) -> &'a Node {
    r.get_path(path).unwrap_or(&Node::Null)
}

/// The records `keep` accepts, marked as gone through. (The kept records' handles are made
/// room for at once, as many as there are records: grown as they come, moving them took a
/// tenth of a query's time.)
fn select<'r>(items: &[&'r Record], keep: &dyn Fn(&Record) -> bool) -> Vec<&'r Record> {
    let mut kept = Vec::with_capacity(items.len());
    kept.extend(items.iter().copied().filter(|r| keep(r)));
    went_through(kept.iter().copied());
    kept
}

/// The records for which every condition holds.
fn matching<'r>(items: &[&'r Record], conds: &[(FieldPath, Wanted)]) -> Vec<&'r Record> {
    select(items, &|r| {
        conds.iter().all(|(path, w)| w.holds(at(r, path)))
    })
}

/// The records with a date at `path` that `keep` accepts. Records without the field (or
/// with null) are left out; a value that is not a date is an error naming the record.
fn dated<'r>(
    items: &[&'r Record],
    path: &str,
    what: &str,
    keep: &dyn Fn(Date) -> bool,
) -> Result<Vec<&'r Record>> {
    let mut kept = Vec::with_capacity(items.len());
    let field = FieldPath::new(path);
    for r in items.iter().copied() {
        let node = at(r, &field);
        if node.is_null() {
            continue;
        }
        let date = node.as_str().and_then(Date::parse);
        let date = date.ok_or_else(|| {
            error(format!(
                "{what}: expected a date `YYYY-MM-DD` at {}/{}",
                r.pointer(),
                path.replace('.', "/")
            ))
        })?;
        if keep(date) {
            kept.push(r);
        }
    }
    went_through(kept.iter().copied());
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::Plain;
    use crate::facts::tree::{Node, build};
    use rhai::{Array, Dynamic, Map};

    /// A value classified once compares with every kind of node exactly as the node
    /// compares with the value itself.
    #[test]
    fn plain_values_compare_as_nodes_compare_with_values() {
        let doc = build(
            serde_json::json!({"n": [null, true, false, 0, 3, -3, 3.0, 3.5, 0.0, -0.0,
                "", "a", "3", [3], {"a": 1}]}),
            Default::default(),
        );
        let Node::Record(doc) = doc else {
            unreachable!("a JSON object is a record")
        };
        let Some(Node::List(nodes)) = doc.get("n") else {
            unreachable!("n is a list")
        };
        let values = [
            Dynamic::UNIT,
            Dynamic::from_bool(true),
            Dynamic::from_bool(false),
            Dynamic::from_int(0),
            Dynamic::from_int(3),
            Dynamic::from_int(-3),
            Dynamic::from_float(3.0),
            Dynamic::from_float(3.5),
            Dynamic::from_float(0.0),
            Dynamic::from_float(-0.0),
            Dynamic::from_float(f64::NAN),
            Dynamic::from(""),
            Dynamic::from("a"),
            Dynamic::from("3"),
            Dynamic::from_array(Array::from([Dynamic::from_int(3)])),
            Dynamic::from_map(Map::new()),
        ];
        // Strings as the facts hold them, and short ones behind a pointer, as a value built
        // another way may hold them.
        let shared = [Node::Str("a".into()), Node::Str("".into())];
        let mut equal = 0;
        for node in nodes.items().iter().chain(&shared) {
            for value in &values {
                let want = node.equals(value);
                assert_eq!(
                    Plain::new(value.clone()).equals(node),
                    want,
                    "{node:?} {value:?}"
                );
                equal += usize::from(want);
            }
        }
        // The pairs that are equal: each scalar with itself, and integers with the floats
        // of the same value (0 with 0.0 and -0.0 both ways included), and the two strings
        // behind a pointer with theirs.
        assert_eq!(equal, 23);
    }
}
