//! sha256 digests that identify exactly what was evaluated: the facts in canonical form
//! and the pack's files.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// sha256 of `value` serialized canonically: object keys sorted, no whitespace, so the
/// digest does not depend on formatting, key order or how the facts were split into files.
pub(crate) fn canonical_json(value: &Value) -> String {
    // The serialization is cut into segments written side by side, then hashed in order, a
    // window of segments at a time, so that only a window's text is held at once.
    let mut hasher = Sha256::new();
    let mut segments = segments(value).into_iter();
    loop {
        let window: Vec<Segment<'_>> = segments.by_ref().take(SEGMENTS_PER_WINDOW).collect();
        if window.is_empty() {
            break;
        }
        let written = crate::par::map(window, |segment| {
            let mut buf = Vec::new();
            match segment {
                Segment::Text(text) => buf.extend_from_slice(text.as_bytes()),
                Segment::Value(v) => write(v, &mut buf),
                Segment::Items { items, first } => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 || !first {
                            buf.push(b',');
                        }
                        write(item, &mut buf);
                    }
                }
            }
            buf
        });
        for buf in written {
            hasher.update(&buf);
        }
    }
    hex(&hasher.finalize())
}

/// Segments written side by side before they are hashed.
const SEGMENTS_PER_WINDOW: usize = 16;

/// Elements of a top-level array serialized as one segment.
const ITEMS_PER_SEGMENT: usize = 512;

/// A piece of the canonical serialization.
enum Segment<'a> {
    /// Punctuation and keys.
    Text(String),
    /// A whole value.
    Value(&'a Value),
    /// Consecutive elements of an array (`first` when they start it: no leading comma).
    Items { items: &'a [Value], first: bool },
}

/// The canonical serialization of `value` as segments, in order: the top-level object's
/// arrays are cut into runs of elements.
fn segments(value: &Value) -> Vec<Segment<'_>> {
    let Value::Object(map) = value else {
        return vec![Segment::Value(value)];
    };
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    let mut text = String::from("{");
    for (i, (key, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&Value::String(key.clone()).to_string());
        text.push(':');
        match v {
            Value::Array(items) => {
                text.push('[');
                out.push(Segment::Text(std::mem::take(&mut text)));
                for (n, chunk) in items.chunks(ITEMS_PER_SEGMENT).enumerate() {
                    out.push(Segment::Items {
                        items: chunk,
                        first: n == 0,
                    });
                }
                text.push(']');
            }
            v => {
                out.push(Segment::Text(std::mem::take(&mut text)));
                out.push(Segment::Value(v));
            }
        }
    }
    text.push('}');
    out.push(Segment::Text(text));
    out
}

/// Writes `value` canonically.
fn write(value: &Value, buf: &mut Vec<u8>) {
    match value {
        Value::Array(items) => {
            buf.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                write(item, buf);
            }
            buf.push(b']');
        }
        Value::Object(map) => {
            buf.push(b'{');
            // Records have a handful of keys: sort them on the stack when they fit.
            let mut small: [(&str, &Value); SMALL_OBJECT] = [("", &Value::Null); SMALL_OBJECT];
            let mut large = Vec::new();
            let entries: &mut [(&str, &Value)] = if map.len() <= SMALL_OBJECT {
                for (slot, (k, v)) in small.iter_mut().zip(map) {
                    *slot = (k.as_str(), v);
                }
                &mut small[..map.len()]
            } else {
                large.extend(map.iter().map(|(k, v)| (k.as_str(), v)));
                &mut large
            };
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                write_str(k, buf);
                buf.push(b':');
                write(v, buf);
            }
            buf.push(b'}');
        }
        Value::String(s) => write_str(s, buf),
        scalar => {
            // Writing into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *buf, scalar);
        }
    }
}

/// Objects with at most this many keys are sorted without a heap allocation.
const SMALL_OBJECT: usize = 24;

/// Writes a JSON string as serde_json does: text without quotes, backslashes or control
/// characters is copied as is, anything else goes through serde_json's escaping.
fn write_str(s: &str, buf: &mut Vec<u8>) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *buf, s);
    }
}

/// sha256 over files given as (path, content), in path order, each framed by its length.
pub(crate) fn files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut sorted: Vec<_> = files.into_iter().collect();
    sorted.sort_unstable();
    let mut hasher = Sha256::new();
    for (path, content) in sorted {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(content.as_bytes());
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_digest_ignores_key_order_and_whitespace() {
        let a: Value =
            serde_json::from_str(r#"{"b": [1, {"y": 2, "x": "é"}], "a": null}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#).unwrap();
        let c: Value = serde_json::from_str(r#"{"a":null,"b":[{"x":"é","y":2},1]}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_ne!(canonical_json(&a), canonical_json(&c));
        assert_eq!(canonical_json(&a).len(), 64);
        // Segments join into exactly the canonical text, whatever the array sizes, over more
        // segments than one window holds.
        let items: Vec<Value> = (0..(SEGMENTS_PER_WINDOW + 2) * ITEMS_PER_SEGMENT)
            .map(|i| serde_json::json!({"b": i, "a": [i]}))
            .collect();
        let doc = serde_json::json!({"z": items, "a": {"y": 1, "x": "\"q\""}, "m": []});
        let mut whole = Vec::new();
        write(&doc, &mut whole);
        let mut hasher = Sha256::new();
        hasher.update(&whole);
        assert_eq!(canonical_json(&doc), hex(&hasher.finalize()));
        assert!(
            String::from_utf8(whole)
                .unwrap()
                .starts_with(r#"{"a":{"x":"\"q\"","y":1},"m":[],"z":[{"a":[0],"b":0},"#)
        );
    }

    #[test]
    fn strings_and_objects_are_written_exactly_as_serde_json_writes_them() {
        for s in [
            "",
            "plain",
            "é ü 日本",
            "quote \" here",
            "back\\slash",
            "tab\t",
            "\u{1}\u{7f}",
            "/",
        ] {
            let mut buf = Vec::new();
            write(&Value::String(s.to_owned()), &mut buf);
            assert_eq!(buf, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
        // Objects above the stack-sorted size sort the same way.
        let big: serde_json::Map<String, Value> = (0..40)
            .rev()
            .map(|i| (format!("k{i:02}"), Value::from(i)))
            .collect();
        let mut buf = Vec::new();
        write(&Value::Object(big), &mut buf);
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with(r#"{"k00":0,"k01":1,"#) && text.ends_with(r#""k39":39}"#));
    }

    #[test]
    fn file_digest_is_order_independent_but_content_sensitive() {
        let one = files([("a", "1"), ("b", "2")]);
        assert_eq!(one, files([("b", "2"), ("a", "1")]));
        assert_ne!(one, files([("a", "12"), ("b", "")]));
    }
}
