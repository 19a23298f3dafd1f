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

/// Adds a finding to the running rule's, as `fail` and `warn` do.
pub(crate) fn raise(
    status: FindingStatus,
    entity: &Dynamic,
    message: ImmutableString,
    data: Option<Map>,
) -> Result<()> {
    let entity = entity_pointer(entity, verb(status))?;
    raise_at(status, entity, &message, data)
}

/// The function that raises a finding of `status`.
fn verb(status: FindingStatus) -> &'static str {
    match status {
        FindingStatus::Fail => "fail",
        FindingStatus::Warn => "warn",
    }
}

/// Adds a finding about the record or list at `entity` (a JSON Pointer; `None`: about no
/// record) to the running rule's.
pub(crate) fn raise_at(
    status: FindingStatus,
    entity: Option<String>,
    message: &str,
    data: Option<Map>,
) -> Result<()> {
    let what = verb(status);
    context::current(|run| {
        let budget = &run.budget;
        let max_findings = budget.max_findings;
        if max_findings > 0 && run.findings.len() as u64 >= max_findings {
            return Err(context::stop(format!(
                "the rule exceeded its limit of {max_findings} findings"
            )));
        }
        let data = match data {
            None => None,
            Some(map) => {
                let mut room = Room {
                    bytes: budget.max_data,
                    depth: MAX_DATA_DEPTH,
                };
                let json = to_json_within(&Dynamic::from_map(map), &mut room).map_err(|e| {
                    context::stop(match e {
                        TooMuch::Bytes => format!(
                            "{what}: the finding's data is larger than {} bytes of JSON, its limit",
                            budget.max_data
                        ),
                        TooMuch::Depth => format!(
                            "{what}: the finding's data is nested deeper than {MAX_DATA_DEPTH} levels, its limit"
                        ),
                    })
                })?;
                Some(json)
            }
        };
        let message = truncate(message, budget.max_message);
        run.findings.push(RawFinding {
            status,
            entity,
            message,
            data,
        });
        Ok(())
    })
    .unwrap_or_else(|| Err(error(format!("{what}: no evaluation is running"))))
}

/// `text`, or its first `max` bytes (cut at a character boundary) and a marker saying so.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{}", &text[..end], truncated_marker(max))
}

/// What ends a message cut at `max` bytes.
pub(crate) fn truncated_marker(max: usize) -> String {
    format!("… [truncated at {max} bytes]")
}

/// The JSON Pointer a finding is about: a record's or list's own, or one given as text.
fn entity_pointer(entity: &Dynamic, what: &str) -> Result<Option<String>> {
    if entity.is_unit() {
        return Ok(None);
    }
    if let Some(r) = entity.read_lock::<Record>() {
        return Ok(Some(r.pointer().into_owned()));
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

/// How deep a finding's `data` may nest (maps and arrays within each other).
const MAX_DATA_DEPTH: usize = 32;

/// What a finding's `data` may still take while it is converted.
struct Room {
    /// Bytes of compact JSON.
    bytes: usize,
    /// Levels of nesting.
    depth: usize,
}

/// Why a finding's `data` was refused.
enum TooMuch {
    Bytes,
    Depth,
}

/// Converts a script value (a finding's extra data) to JSON. Records and lists become
/// their JSON Pointers; functions and other opaque values become their type name.
pub(crate) fn to_json(value: &Dynamic) -> serde_json::Value {
    let mut unlimited = Room {
        bytes: usize::MAX,
        depth: usize::MAX,
    };
    to_json_within(value, &mut unlimited).unwrap_or_default()
}

/// Like [`to_json`], taking from `room` the bytes of compact JSON each value needs (strings
/// without escapes) and a level per map or array, and giving up, before converting the
/// rest, when it runs out.
fn to_json_within(
    value: &Dynamic,
    room: &mut Room,
) -> std::result::Result<serde_json::Value, TooMuch> {
    use serde_json::Value;
    if value.is_unit() {
        take(room, 4)?;
        return Ok(Value::Null);
    }
    if let Ok(b) = value.as_bool() {
        take(room, 5)?;
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        take(room, 20)?;
        return Ok(Value::from(i));
    }
    if let Ok(f) = value.as_float() {
        take(room, 24)?;
        return Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number));
    }
    let text = |s: &str, room: &mut Room| {
        take(room, s.len().saturating_add(2))?;
        Ok(Value::String(s.to_owned()))
    };
    if let Some(s) = value.read_lock::<ImmutableString>() {
        return text(&s, room);
    }
    if let Some(a) = value.read_lock::<rhai::Array>() {
        take(room, 2)?;
        room.depth = room.depth.checked_sub(1).ok_or(TooMuch::Depth)?;
        let mut items = Vec::new();
        for item in a.iter() {
            take(room, 1)?;
            items.push(to_json_within(item, room)?);
        }
        room.depth += 1;
        return Ok(Value::Array(items));
    }
    if let Some(m) = value.read_lock::<Map>() {
        take(room, 2)?;
        room.depth = room.depth.checked_sub(1).ok_or(TooMuch::Depth)?;
        let mut fields = serde_json::Map::new();
        for (k, v) in m.iter() {
            take(room, k.len().saturating_add(4))?;
            let v = to_json_within(v, room)?;
            fields.insert(k.to_string(), v);
        }
        room.depth += 1;
        return Ok(Value::Object(fields));
    }
    if let Some(r) = value.read_lock::<Record>() {
        return text(&r.pointer(), room);
    }
    if let Some(l) = value.read_lock::<List>() {
        return text(l.pointer(), room);
    }
    text(value.type_name(), room)
}

/// Takes `bytes` from `room`.
fn take(room: &mut Room, bytes: usize) -> std::result::Result<(), TooMuch> {
    room.bytes = room.bytes.checked_sub(bytes).ok_or(TooMuch::Bytes)?;
    Ok(())
}
