//! The functions rules call once per record, done natively on the values a native run
//! knows: `fail`, `warn`, `contains`, `get`, `len`, `days_since`, `is_date`, `type_of`.

use super::stop::{R, Stop};
use super::tree::Op;
use super::value::{V, equal, type_name};
use crate::joins::Table;
use crate::prelude::{self, Set};
use crate::report::FindingStatus;
use rhai::ImmutableString;
use std::borrow::Borrow;

/// The key a lookup or a set reads in `v`, as `prelude::lookups::key_of` does: a string,
/// an integer as its text, no key for other plain values; `None` for a value whose key
/// Rhai's function decides.
pub(super) fn key_of(v: &V) -> Option<Option<ImmutableString>> {
    Some(match v {
        V::Str(k) => Some(k.clone()),
        V::Int(i) => Some(i.to_string().into()),
        V::Unit | V::Bool(_) | V::Record(_) | V::List(_) => None,
        _ => return None,
    })
}

/// Whether an item equals `v` by Rhai's `==` (as an array's `contains` compares).
fn any_equal<T: Borrow<V>>(items: impl Iterator<Item = T>, v: &V) -> R<bool> {
    for item in items {
        if equal(item.borrow(), v).ok_or(Stop::Rhai)? {
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
    let data = data.map(|d| d.to_dynamic().cast::<rhai::Map>());
    prelude::raise(status, &entity.to_dynamic(), message.clone(), data).map_err(|_| Stop::Rhai)?;
    Ok(V::Unit)
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
        (Op::Contains, [V::Lookup(lookup), key]) => match key_of(key) {
            Some(k) => V::Bool(k.is_some_and(|k| lookup.has_key(&k))),
            None => return Ok(None),
        },
        (Op::Contains, [V::Map(map), V::Str(k)]) => V::Bool(map.entries.contains_key(k)),
        (Op::Contains, [V::Other(d), key]) if d.is::<Set>() => {
            let Some(set) = d.read_lock::<Set>() else {
                return Ok(None);
            };
            match key_of(key) {
                Some(k) => V::Bool(k.is_some_and(|k| set.has(&k))),
                None => return Ok(None),
            }
        }
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
        (Op::Get, [V::Lookup(lookup), key]) => {
            let Some(key) = key_of(key) else {
                return Ok(None);
            };
            match lookup.0.as_ref() {
                Table::One(m) => key
                    .and_then(|k| m.get(&k))
                    .map_or(V::Unit, |r| V::Record(r.clone())),
                Table::Many(_) => return Ok(None),
            }
        }
        (Op::Len, [V::Array(items)]) => V::Int(items.items.len() as rhai::INT),
        (Op::Len, [V::Other(d)]) if d.is_array() => match d.read_lock::<rhai::Array>() {
            Some(a) => V::Int(a.len() as rhai::INT),
            None => return Ok(None),
        },
        (Op::Len, [V::List(list)]) => V::Int(list.len() as rhai::INT),
        (Op::Len, [V::Map(map)]) => V::Int(map.entries.len() as rhai::INT),
        (Op::DaysSince, [v]) => {
            V::Int(prelude::days_since(&v.to_dynamic()).map_err(|_| Stop::Rhai)?)
        }
        (Op::IsDate, [v]) => {
            V::Bool(matches!(v, V::Str(s) if crate::date::Date::parse(s).is_some()))
        }
        (Op::TypeOf, [v]) => match type_name(v) {
            Some(name) => V::Str(name.into()),
            None => return Ok(None),
        },
        _ => return Ok(None),
    }))
}
