//! The functions rules call once per record, done natively on the values a native run
//! knows: `fail`, `warn`, `contains`, `get`, `len`, the date helpers, the period's bounds,
//! `is_date`, `type_of`, the queries and `tested` (with the prelude's own code, where it has
//! one).

use super::stop::{R, Stop};
use super::tree::Op;
use super::value::{Items, Seen, V, equal, type_name};
use crate::date::Date;
use crate::facts::tree::{List, Node, Record};
use crate::joins::{Lookup, Table};
use crate::period::Period;
use crate::prelude::Query;
use crate::prelude::data::Data;
use crate::prelude::lookups::{self, Keying};
use crate::prelude::{self, Set};
use crate::report::FindingStatus;
use rhai::ImmutableString;
use std::borrow::{Borrow, Cow};
use std::sync::Arc;

/// The key a lookup or a set reads in `v`, as `prelude::lookups::key_of` does: a string,
/// an integer as its text, no key for other plain values; `None` for a value whose key
/// Rhai's function decides.
pub(super) fn key_of(v: &V) -> Option<Option<ImmutableString>> {
    Some(match (v, key_text(v)?) {
        (V::Str(k), _) => Some(k.clone()),
        (_, k) => k.map(|k| k.into_owned().into()),
    })
}

/// [`key_of`], reading a string in place.
fn key_text(v: &V) -> Option<Option<Cow<'_, str>>> {
    seen_key_text(v.into())
}

/// [`key_text`] of a value as comparisons see it.
pub(super) fn seen_key_text(v: Seen<'_>) -> Option<Option<Cow<'_, str>>> {
    Some(match v {
        Seen::Str(k) => Some(Cow::Borrowed(k)),
        Seen::Int(i) => Some(Cow::Owned(i.to_string())),
        Seen::Unit | Seen::Bool(_) | Seen::Record(_) | Seen::List => None,
        _ => return None,
    })
}

/// Whether a facts list has an item equal to the text `k`, as the list's `contains`
/// compares: a string item of the same text.
pub(super) fn list_has_text(list: &List, k: &str) -> bool {
    list.items().iter().any(|item| item.as_str() == Some(k))
}

/// `lookup.get(key)` or `lookup.contains(key)` (as `op` says) of a key read as [`key_text`]
/// reads it (`None`: no key, which no entry has).
pub(super) fn in_lookup(op: Op, lookup: &Lookup, key: Option<Cow<'_, str>>) -> V {
    if op == Op::Contains {
        return V::Bool(key.is_some_and(|k| lookup.has_key(&k)));
    }
    match lookup.0.as_ref() {
        Table::One(m) => key
            .and_then(|k| m.get(&*k))
            .map_or(V::Unit, |r| V::Record(r.clone())),
        Table::Many(m) => {
            let mut out = Items::default();
            for r in key.and_then(|k| m.get(&*k)).into_iter().flatten() {
                out.push(V::Record(r.clone()));
            }
            V::Array(Arc::new(out))
        }
    }
}

/// Query `q` on the records `items` holds, as a native array (`None`: not records, Rhai's
/// function decides).
fn query(q: Query<'_>, items: &V, path: &str) -> R<Option<V>> {
    let kept = with_records(items, |rs| {
        let kept = prelude::query(q, rs, path)?;
        let mut out = Items {
            items: Vec::with_capacity(kept.len()),
            ..Items::default()
        };
        for r in kept {
            out.push(V::Record(r.clone()));
        }
        Ok::<_, Box<rhai::EvalAltResult>>(out)
    });
    match kept {
        None => Ok(None),
        Some(kept) => Ok(Some(V::Array(Arc::new(kept.map_err(|_| Stop::Rhai)?)))),
    }
}

/// `f` on the records `v` holds: the records of a facts list (other items skipped), or
/// an array of records (`None` for anything else, including an array with
/// another item: Rhai's function decides).
fn with_records<T>(v: &V, f: impl FnOnce(&[&Record]) -> T) -> Option<T> {
    match v {
        V::List(l) => {
            let mut records = Vec::with_capacity(l.len());
            records.extend(l.items().iter().filter_map(Node::as_record));
            Some(f(&records))
        }
        V::Array(items) => {
            let mut records = Vec::with_capacity(items.items.len());
            for v in &items.items {
                let V::Record(r) = v else { return None };
                records.push(r);
            }
            Some(f(&records))
        }
        V::Other(d) if d.is_array() => {
            let items = d.read_lock::<rhai::Array>()?;
            let held = items
                .iter()
                .map(|d| d.read_lock::<Record>())
                .collect::<Option<Vec<_>>>()?;
            let records: Vec<&Record> = held.iter().map(|r| &**r).collect();
            Some(f(&records))
        }
        _ => None,
    }
}

/// Whether an item equals `v` by Rhai's `==` (as an array's `contains` compares).
fn any_equal<T: Borrow<V>>(items: impl Iterator<Item = T>, v: &V) -> R<bool> {
    for item in items {
        if equal(item.borrow().into(), v.into()).ok_or(Stop::Rhai)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `fail` or `warn` (as `op` says) with these arguments.
fn raise(op: Op, entity: &V, message: &ImmutableString, data: Option<&V>) -> R<V> {
    let status = match op {
        Op::Fail => FindingStatus::Fail,
        _ => FindingStatus::Warn,
    };
    // The data converted to JSON straight from the run's value.
    let data = data.map(|d| d as &dyn Data);
    // The pointer of a record or list read here; anything else as `fail` reads it.
    let raised = match entity {
        V::Unit => prelude::raise_at(status, None, message, data),
        V::Record(r) => prelude::raise_at(status, Some(r.pointer().into_owned()), message, data),
        V::List(l) => prelude::raise_at(status, Some(l.pointer().to_owned()), message, data),
        entity => prelude::raise(status, &entity.to_dynamic(), message, data),
    };
    raised.map_err(|_| Stop::Rhai)?;
    Ok(V::Unit)
}

/// `days_since`, `days_until`, `is_date`, or the length, lower-case or upper-case of a string
/// (as `op` says) on `v` read where it is: no copy of a string, no `Dynamic` made. `Ok(None)`
/// for any other `op`, and for a value Rhai's function decides.
pub(super) fn on_one(op: Op, v: Seen<'_>) -> R<Option<V>> {
    let date = |s: &str| Date::parse(s).ok_or(Stop::Rhai);
    Ok(Some(match (op, v) {
        (Op::IsDate, v) => V::Bool(matches!(v, Seen::Str(s) if Date::parse(s).is_some())),
        (Op::DaysSince, Seen::Str(s)) => V::Int(prelude::since(date(s)?).map_err(|_| Stop::Rhai)?),
        (Op::DaysUntil, Seen::Str(s)) => V::Int(prelude::until(date(s)?).map_err(|_| Stop::Rhai)?),
        // A string's length in characters, as Rhai counts it.
        (Op::Len, Seen::Str(s)) => V::Int(s.chars().count() as rhai::INT),
        // The text Rhai's `to_lower` and `to_upper` give.
        (Op::ToLower, Seen::Str(s)) => V::Str(s.to_lowercase().into()),
        (Op::ToUpper, Seen::Str(s)) => V::Str(s.to_uppercase().into()),
        _ => return Ok(None),
    }))
}

/// `glob_match` on its two values read where they are (`None`: not two strings, Rhai
/// decides).
pub(super) fn on_two(op: Op, a: Seen<'_>, b: Seen<'_>) -> Option<V> {
    Some(match (op, a, b) {
        (Op::GlobMatch, Seen::Str(pattern), Seen::Str(text)) => {
            V::Bool(prelude::glob_match(pattern, text))
        }
        _ => return None,
    })
}

/// `op` on `args` done here; `Ok(None)` when the values are not ones it knows (Rhai calls
/// the function), `Err` when the function would raise an error.
pub(super) fn apply(op: Op, args: &[V]) -> R<Option<V>> {
    Ok(Some(match (op, args) {
        (Op::Fail | Op::Warn, [V::Str(message)]) => raise(op, &V::Unit, message, None)?,
        (Op::Fail | Op::Warn, [entity, V::Str(message)]) => raise(op, entity, message, None)?,
        (Op::Fail | Op::Warn, [entity, V::Str(message), data @ V::Map(_)]) => {
            raise(op, entity, message, Some(data))?
        }
        (Op::Contains | Op::Get, [V::Lookup(lookup), key]) => match key_text(key) {
            Some(k) => in_lookup(op, lookup, k),
            None => return Ok(None),
        },
        (Op::Contains, [V::Map(map), V::Str(k)]) => V::Bool(map.entries.contains_key(k)),
        (Op::Contains, [V::Other(d), key]) if d.is::<Set>() => {
            let Some(set) = d.read_lock::<Set>() else {
                return Ok(None);
            };
            match key_text(key) {
                Some(k) => V::Bool(k.is_some_and(|k| set.has(&k))),
                None => return Ok(None),
            }
        }
        (Op::Contains, [V::List(list), V::Str(k)]) => V::Bool(list_has_text(list, k)),
        (Op::Contains, [V::List(list), v]) => {
            let v = v.to_dynamic();
            V::Bool(list.items().iter().any(|n| n.equals(&v)))
        }
        (Op::Contains, [V::Other(d), v]) if d.is_array() => {
            let Some(items) = d.read_lock::<rhai::Array>() else {
                return Ok(None);
            };
            V::Bool(any_equal(items.iter().map(V::of_item), v)?)
        }
        (Op::Contains, [V::Array(items), v]) => V::Bool(any_equal(items.items.iter(), v)?),
        (Op::Len, [V::Array(items)]) => V::Int(items.items.len() as rhai::INT),
        (Op::Len, [V::Other(d)]) if d.is_array() => match d.read_lock::<rhai::Array>() {
            Some(a) => V::Int(a.len() as rhai::INT),
            None => return Ok(None),
        },
        (Op::Len, [V::List(list)]) => V::Int(list.len() as rhai::INT),
        (Op::Len, [V::Map(map)]) => V::Int(map.entries.len() as rhai::INT),
        (Op::DaysSince | Op::DaysUntil | Op::IsDate, [v])
        | (Op::Len | Op::ToLower | Op::ToUpper, [v @ V::Str(_)]) => {
            return on_one(op, v.into());
        }
        (Op::GlobMatch, [a, b]) => return Ok(on_two(op, a.into(), b.into())),
        (Op::DaysBetween, [a, b]) => {
            V::Int(prelude::days_between(&a.to_dynamic(), &b.to_dynamic()).map_err(|_| Stop::Rhai)?)
        }
        (Op::AddDays, [d, V::Int(n)]) => V::Str(
            prelude::add_days(&d.to_dynamic(), *n)
                .map_err(|_| Stop::Rhai)?
                .into(),
        ),
        (Op::HasPeriod, []) => V::Bool(prelude::has_period()),
        (Op::PeriodStart, []) => V::of_dynamic(prelude::bound(Period::start)),
        (Op::PeriodEnd, []) => V::of_dynamic(prelude::bound(Period::end)),
        (Op::TypeOf, [v]) => match type_name(v.into()) {
            Some(name) => V::Str(name.into()),
            None => return Ok(None),
        },
        (Op::Where | Op::WhereNot | Op::OlderThan | Op::WithinDays, [items, V::Str(path), arg]) => {
            let value = arg.to_dynamic();
            let q = match (op, arg) {
                (Op::Where, _) => Query::Where(&value),
                (Op::WhereNot, _) => Query::WhereNot(&value),
                (Op::OlderThan, V::Int(n)) => Query::OlderThan(*n),
                (Op::WithinDays, V::Int(n)) => Query::WithinDays(*n),
                _ => return Ok(None),
            };
            return query(q, items, path);
        }
        (Op::WhereSame, [items, V::Str(path), V::Str(other)]) => {
            return query(Query::WhereSame(other), items, path);
        }
        (Op::Where, [items, V::Map(_)]) => {
            let Some(conditions) = args[1].to_dynamic().try_cast::<rhai::Map>() else {
                return Ok(None);
            };
            return query(Query::WhereAll(&conditions), items, "");
        }
        (Op::IndexBy | Op::GroupBy, [items, V::Str(key)]) => {
            let keying = match op {
                Op::IndexBy => Keying::Index,
                _ => Keying::Group,
            };
            let built = match items {
                V::List(l) => lookups::by_key_in_list(l, keying, key),
                // An array with an item other than a record: Rhai raises the error.
                _ => match with_records(items, |rs| lookups::by_key(rs, keying, key)) {
                    Some(built) => built,
                    None => return Ok(None),
                },
            };
            V::Lookup(built.map_err(|_| Stop::Rhai)?)
        }
        (Op::LatestBy, [V::List(l), V::Str(key), V::Str(date)]) => {
            V::Lookup(lookups::latest_by_in_list(l, key, date).map_err(|_| Stop::Rhai)?)
        }
        (Op::Missing, [V::Lookup(lk), items, V::Str(key), fresh @ ..]) => {
            let fresh = match fresh {
                [] => None,
                [V::Str(since), V::Str(date)] => Some((since.as_str(), date.as_str())),
                _ => return Ok(None),
            };
            match with_records(items, |rs| lookups::missing(lk, rs, key, fresh)) {
                Some(missing) => V::of_dynamic(rhai::Dynamic::from_array(missing)),
                None => return Ok(None),
            }
        }
        (Op::OnOrBeforeAsOf, [items, V::Str(path)]) => {
            return query(Query::OnOrBeforeAsOf, items, path);
        }
        (Op::AfterAsOf, [items, V::Str(path)]) => {
            return query(Query::AfterAsOf, items, path);
        }
        (Op::InPeriod, [items, V::Str(path)]) => {
            return query(Query::InPeriod(prelude::period()), items, path);
        }
        (Op::Tested, [V::Record(r)]) => {
            prelude::mark_tested([r]);
            V::Record(r.clone())
        }
        (Op::Tested, [v]) => match with_records(v, |rs| prelude::mark_tested(rs.iter().copied())) {
            Some(()) => v.clone(),
            None => return Ok(None),
        },
        _ => return Ok(None),
    }))
}
