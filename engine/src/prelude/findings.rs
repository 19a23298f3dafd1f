//! `fail(...)` and `warn(...)`: how a rule reports what it found.

use super::error;
use crate::context::{self, RawFinding};
use crate::facts::tree::{List, Record};
use crate::report::FindingStatus;
use rhai::{Dynamic, Engine, ImmutableString, Map};

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    for (name, status) in [("fail", FindingStatus::Fail), ("warn", FindingStatus::Warn)] {
        engine
            .register_fn(name, move |message: ImmutableString| {
                raise(status, &Dynamic::UNIT, message, None)
            })
            .register_fn(name, move |entity: Dynamic, message: ImmutableString| {
                raise(status, &entity, message, None)
            })
            .register_fn(
                name,
                move |entity: Dynamic, message: ImmutableString, data: Map| {
                    raise(status, &entity, message, Some(data))
                },
            );
    }
}

fn raise(
    status: FindingStatus,
    entity: &Dynamic,
    message: ImmutableString,
    data: Option<Map>,
) -> Result<()> {
    let what = match status {
        FindingStatus::Fail => "fail",
        FindingStatus::Warn => "warn",
    };
    let entity = entity_pointer(entity, what)?;
    context::current(|run| {
        run.findings.push(RawFinding {
            status,
            entity,
            message: message.to_string(),
            data,
        });
    })
    .ok_or_else(|| error(format!("{what}: no evaluation is running")))
}

/// The JSON Pointer a finding is about: a record's or list's own, or one given as text.
fn entity_pointer(entity: &Dynamic, what: &str) -> Result<Option<String>> {
    if entity.is_unit() {
        return Ok(None);
    }
    if let Some(r) = entity.read_lock::<Record>() {
        return Ok(Some(r.pointer().to_owned()));
    }
    if let Some(l) = entity.read_lock::<List>() {
        return Ok(Some(l.pointer().to_owned()));
    }
    if let Some(s) = entity.read_lock::<ImmutableString>()
        && (s.is_empty() || s.starts_with('/'))
    {
        return Ok(Some(s.to_string()));
    }
    Err(error(format!(
        "{what}: the first argument must be a facts record or a JSON Pointer such as \"/accounts/3\", not {}",
        entity.type_name()
    )))
}

/// Converts a script value (a finding's extra data) to JSON. Records and lists become
/// their JSON Pointers; functions and other opaque values become their type name.
pub(crate) fn to_json(value: &Dynamic) -> serde_json::Value {
    use serde_json::Value;
    if value.is_unit() {
        return Value::Null;
    }
    if let Ok(b) = value.as_bool() {
        return Value::Bool(b);
    }
    if let Ok(i) = value.as_int() {
        return Value::from(i);
    }
    if let Ok(f) = value.as_float() {
        return serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number);
    }
    if let Some(s) = value.read_lock::<ImmutableString>() {
        return Value::String(s.to_string());
    }
    if let Some(a) = value.read_lock::<rhai::Array>() {
        return Value::Array(a.iter().map(to_json).collect());
    }
    if let Some(m) = value.read_lock::<Map>() {
        return Value::Object(m.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect());
    }
    if let Some(r) = value.read_lock::<Record>() {
        return Value::String(r.pointer().to_owned());
    }
    if let Some(l) = value.read_lock::<List>() {
        return Value::String(l.pointer().to_owned());
    }
    Value::String(value.type_name().to_owned())
}
