//! JSON text to a `serde_json::Value`, refusing an object that gives one key twice: serde_json
//! keeps the last value silently, so a second `"mfa": true` would hide the first `false`. The
//! one home of that refusal ([`repeated_key`]): the rules' tree refuses a key given twice
//! with it too, and [`check_unique_keys`] checks text without building anything.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// `text` without the UTF-8 byte order mark that may open it. Windows tools (Notepad,
/// PowerShell, Excel) often write one first; it is no part of the text (RFC 8259 lets a JSON
/// parser ignore it), so facts, waivers and pack files are read without it, as the importers
/// read their exports, and lines and columns are counted as editors, which hide it, count them.
pub(crate) fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parses `text` as one JSON value; a key repeated in an object is an error at its place.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = UniqueKeys.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// The error for an object that gives `key` twice (serde_json would keep its last value).
pub(crate) fn repeated_key<E: de::Error>(key: &str) -> E {
    E::custom(format_args!(
        "the key `{key}` is given twice in one object; only one value can count"
    ))
}

/// Checks that no object of the JSON `text` gives one key twice, building nothing (for
/// large documents read by other means, such as reports). The error is at the second key;
/// text that is not JSON passes, for its reader to say where and why.
pub fn check_unique_keys(text: &str) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    match Unique.deserialize(&mut de) {
        Err(e) if e.classify() == serde_json::error::Category::Data => Err(e),
        _ => Ok(()),
    }
}

/// Visits a JSON value, refusing an object that gives one key twice.
struct Unique;

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Unique)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                return Err(repeated_key(&key));
            }
            map.next_value_seed(Unique)?;
            keys.insert(key);
        }
        Ok(())
    }
}

/// Builds a `Value` as serde_json does, except for repeated keys.
struct UniqueKeys;

impl<'de> DeserializeSeed<'de> for UniqueKeys {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(UniqueKeys)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(repeated_key(&key));
            }
            let value = map.next_value_seed(UniqueKeys)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::{check_unique_keys, parse};

    #[test]
    fn parses_as_serde_json_does() {
        let text =
            r#"{"a": [1, -2, 3.5, true, null, "x"], "b": {"c": {}}, "d": 18446744073709551615}"#;
        assert_eq!(
            parse(text).unwrap(),
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
        assert!(parse("{} x").is_err());
    }

    #[test]
    fn a_repeated_key_is_an_error_at_its_place() {
        let err = parse("{\"accounts\": [\n  {\"mfa\": false,\n   \"mfa\": true}]}").unwrap_err();
        assert_eq!(err.line(), 3, "{err}");
        assert!(
            err.to_string().starts_with("the key `mfa` is given twice"),
            "{err}"
        );
        // The same key in two objects is fine.
        assert!(parse(r#"[{"a": 1}, {"a": 2}]"#).is_ok());
    }

    #[test]
    fn checking_refuses_what_parsing_refuses_and_passes_text_that_is_not_json() {
        let text = "{\"rules\": [{\"population\": {\"collections\": {\"a\": 1,\n \"a\": 2}}}]}";
        let checked = check_unique_keys(text).unwrap_err();
        let parsed = parse(text).unwrap_err();
        assert_eq!(checked.to_string(), parsed.to_string());
        assert_eq!((checked.line(), checked.column()), (2, 4), "{checked}");
        assert!(check_unique_keys(r#"[{"a": 1}, {"a": 2}]"#).is_ok());
        assert!(check_unique_keys("{\"a\": ").is_ok());
    }
}
