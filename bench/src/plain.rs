//! The baseline's JSON value: what `serde_json::from_slice::<serde_json::Value>` builds with
//! serde_json's default features (objects as `BTreeMap`s). The workspace turns on
//! serde_json's `preserve_order`, and features unify, so `serde_json::Value` in this build
//! is the slower insertion-ordered kind; this type deserializes the way the default one does.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// A JSON value, as serde_json's default `Value` holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json keeps it.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Plain>),
    /// An object, its keys sorted.
    Object(BTreeMap<String, Plain>),
}

impl Plain {
    /// Parses `bytes` as serde_json's default `from_slice` does.
    pub fn parse(bytes: &[u8]) -> Result<Plain, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Plain> {
        match self {
            Plain::Object(map) => map.get(key),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Plain::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Plain::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is one that fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Plain::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Plain]> {
        match self {
            Plain::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Plain::Null)
    }
}

impl<'de> Deserialize<'de> for Plain {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Plain, D::Error> {
        deserializer.deserialize_any(PlainVisitor)
    }
}

/// serde_json's `ValueVisitor`, building [`Plain`].
struct PlainVisitor;

impl<'de> Visitor<'de> for PlainVisitor {
    type Value = Plain;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Plain, E> {
        Ok(Plain::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Plain, E> {
        Ok(Plain::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Plain, E> {
        Ok(Plain::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Plain, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Plain::Null, Plain::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Plain, E> {
        Ok(Plain::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Plain, E> {
        Ok(Plain::String(v))
    }

    fn visit_none<E>(self) -> Result<Plain, E> {
        Ok(Plain::Null)
    }

    fn visit_unit<E>(self) -> Result<Plain, E> {
        Ok(Plain::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Plain, D::Error> {
        Deserialize::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Plain, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Plain::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Plain, A::Error> {
        let mut members = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<String, Plain>()? {
            members.insert(key, value);
        }
        Ok(Plain::Object(members))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Plain;

    #[test]
    fn parses_what_serde_json_parses_and_refuses_what_it_refuses() {
        let text = br#"{"b":[1,-2,2.5,true,null,"x"],"a":{"c":18446744073709551615}}"#;
        let plain = Plain::parse(text).unwrap();
        let value: serde_json::Value = serde_json::from_slice(text).unwrap();
        assert_eq!(
            plain.get("b").unwrap().as_array().unwrap().len(),
            value["b"].as_array().unwrap().len()
        );
        assert_eq!(
            plain.get("b").unwrap().as_array().unwrap()[1].as_i64(),
            Some(-2)
        );
        assert_eq!(
            plain.get("a").unwrap().get("c"),
            Some(&Plain::Number(u64::MAX.into()))
        );
        let Plain::Object(map) = &plain else {
            panic!("not an object")
        };
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert!(Plain::parse(br#"{"a":}"#).is_err());
    }
}
