//! The functions rules call once per record, done natively on the values a native run
//! knows: `fail`, `warn`, `contains`, `get`, `len`, `days_since`, `is_date`, `type_of`.

use super::stop::{R, Stop};
use super::tree::Op;
use super::value::{V, equal, type_name};
use crate::joins::Table;
use crate::prelude::{self, Set};
use crate::report::FindingStatus;
use rhai::ImmutableString;

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
        (Op::Contains, [V::Lookup(lookup), key]) => match key {
            V::Str(k) => V::Bool(lookup.has_key(k)),
            V::Int(i) => V::Bool(lookup.has_key(&i.to_string())),
            V::Unit | V::Bool(_) | V::Record(_) | V::List(_) => V::Bool(false),
            _ => return Ok(None),
        },
        (Op::Contains, [V::Map(map), V::Str(k)]) => V::Bool(map.entries.contains_key(k)),
        (Op::Contains, [V::Other(d), key]) if d.is::<Set>() => {
            let Some(set) = d.read_lock::<Set>() else {
                return Ok(None);
            };
            match key {
                V::Str(k) => V::Bool(set.has(k)),
                V::Int(i) => V::Bool(set.has(&i.to_string())),
                V::Unit | V::Bool(_) | V::Record(_) | V::List(_) => V::Bool(false),
                _ => return Ok(None),
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
            let mut found = false;
            for item in items.iter() {
                if equal(&V::of_item(item), v).ok_or(Stop::Rhai)? {
                    found = true;
                    break;
                }
            }
            V::Bool(found)
        }
        (Op::Contains, [V::Array(items), v]) => {
            let mut found = false;
            for item in &items.items {
                if equal(item, v).ok_or(Stop::Rhai)? {
                    found = true;
                    break;
                }
            }
            V::Bool(found)
        }
        (Op::Get, [V::Lookup(lookup), key]) => {
            let key = match key {
                V::Str(k) => Some(k.clone()),
                V::Int(i) => Some(i.to_string().into()),
                V::Unit | V::Bool(_) | V::Record(_) | V::List(_) => None,
                _ => return Ok(None),
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
