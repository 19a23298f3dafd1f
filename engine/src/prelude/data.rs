//! A finding's extra data as JSON: what each kind of value becomes, and the room it takes
//! within the rule's limits (bytes of compact JSON, levels of nesting), counted the same way
//! whichever value holds the data (Rhai's, or a native run's own).

use crate::facts::tree::{List, Record};
use rhai::{Dynamic, ImmutableString, Map};
use serde_json::Value;

/// How deep a finding's `data` may nest (maps and arrays within each other).
pub(crate) const MAX_DATA_DEPTH: usize = 32;

/// What a finding's `data` may still take while it is converted.
pub(crate) struct Room {
    /// Bytes of compact JSON.
    bytes: usize,
    /// Levels of nesting.
    depth: usize,
}

impl Room {
    /// Room for `bytes` of compact JSON, [`MAX_DATA_DEPTH`] levels deep.
    pub(crate) fn new(bytes: usize) -> Room {
        Room {
            bytes,
            depth: MAX_DATA_DEPTH,
        }
    }
}

/// Why a finding's `data` was refused.
pub(crate) enum TooMuch {
    Bytes,
    Depth,
}

/// The result of converting data within its room.
pub(crate) type Within = Result<Value, TooMuch>;

/// A value that can be a finding's data.
pub(crate) trait Data {
    /// The value as JSON, taking from `room` the bytes each value needs (strings without
    /// escapes) and a level per map or array, and giving up, before converting the rest,
    /// when it runs out.
    fn json_within(&self, room: &mut Room) -> Within;
}

/// Converts a script value (a finding's extra data) to JSON. Records and lists become
/// their JSON Pointers; functions and other opaque values become their type name.
pub(crate) fn to_json(value: &Dynamic) -> Value {
    let mut unlimited = Room {
        bytes: usize::MAX,
        depth: usize::MAX,
    };
    value.json_within(&mut unlimited).unwrap_or_default()
}

impl Data for Dynamic {
    fn json_within(&self, room: &mut Room) -> Within {
        if self.is_unit() {
            return null(room);
        }
        if let Ok(b) = self.as_bool() {
            return boolean(b, room);
        }
        if let Ok(i) = self.as_int() {
            return int(i, room);
        }
        if let Ok(f) = self.as_float() {
            return float(f, room);
        }
        if let Some(s) = self.read_lock::<ImmutableString>() {
            return text(&s, room);
        }
        if let Some(a) = self.read_lock::<rhai::Array>() {
            return array(a.iter(), room);
        }
        if let Some(m) = self.read_lock::<Map>() {
            return object(m.iter().map(|(k, v)| (k.as_str(), v)), room);
        }
        if let Some(r) = self.read_lock::<Record>() {
            return text(&r.pointer(), room);
        }
        if let Some(l) = self.read_lock::<List>() {
            return text(l.pointer(), room);
        }
        text(self.type_name(), room)
    }
}

/// Takes `bytes` from `room`.
fn take(room: &mut Room, bytes: usize) -> Result<(), TooMuch> {
    room.bytes = room.bytes.checked_sub(bytes).ok_or(TooMuch::Bytes)?;
    Ok(())
}

/// `null`.
pub(crate) fn null(room: &mut Room) -> Within {
    take(room, 4)?;
    Ok(Value::Null)
}

/// A boolean.
pub(crate) fn boolean(b: bool, room: &mut Room) -> Within {
    take(room, 5)?;
    Ok(Value::Bool(b))
}

/// An integer.
pub(crate) fn int(i: rhai::INT, room: &mut Room) -> Within {
    take(room, 20)?;
    Ok(Value::from(i))
}

/// A floating-point number (`null` for one JSON cannot write).
pub(crate) fn float(f: rhai::FLOAT, room: &mut Room) -> Within {
    take(room, 24)?;
    Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
}

/// A string.
pub(crate) fn text(s: &str, room: &mut Room) -> Within {
    take(room, s.len().saturating_add(2))?;
    Ok(Value::String(s.to_owned()))
}

/// An array of `items`, one level deeper.
pub(crate) fn array<'a, D: Data + 'a>(
    items: impl Iterator<Item = &'a D>,
    room: &mut Room,
) -> Within {
    take(room, 2)?;
    room.depth = room.depth.checked_sub(1).ok_or(TooMuch::Depth)?;
    let mut out = Vec::new();
    for item in items {
        take(room, 1)?;
        out.push(item.json_within(room)?);
    }
    room.depth += 1;
    Ok(Value::Array(out))
}

/// An object of `entries` (in the order given: a map's, sorted by key), one level deeper.
pub(crate) fn object<'a, D: Data + 'a>(
    entries: impl Iterator<Item = (&'a str, &'a D)>,
    room: &mut Room,
) -> Within {
    take(room, 2)?;
    room.depth = room.depth.checked_sub(1).ok_or(TooMuch::Depth)?;
    let mut fields = serde_json::Map::new();
    for (k, v) in entries {
        take(room, k.len().saturating_add(4))?;
        let v = v.json_within(room)?;
        fields.insert(k.to_owned(), v);
    }
    room.depth += 1;
    Ok(Value::Object(fields))
}
