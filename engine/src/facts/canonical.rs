//! The facts in canonical form, and its sha256: the digest that identifies the facts a
//! report was made from.

use super::tree::{KeyTexts, Node};
use crate::digest::hex;
use rhai::ImmutableString;
use sha2::{Digest, Sha256};

/// sha256 of `node` serialized canonically: object keys sorted, no whitespace, numbers as
/// the engine reads them (integers within the 64-bit signed range as integers, others as
/// floating point), so the digest does not depend on formatting, key order or how the
/// facts were split into files.
pub(crate) fn digest(node: &Node) -> String {
    // The serialization is cut into segments written side by side, then hashed in order, a
    // window of segments at a time, so that only a window's text is held at once; each
    // window is written into the buffers of the one before (grown once, not for each).
    let mut hasher = Sha256::new();
    let mut segments = segments(node).into_iter();
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    loop {
        let window: Vec<Segment<'_>> = segments.by_ref().take(SEGMENTS_PER_WINDOW).collect();
        if window.is_empty() {
            break;
        }
        buffers.resize_with(window.len(), Vec::new);
        let work: Vec<_> = window.into_iter().zip(buffers.drain(..)).collect();
        let written = crate::par::map(work, |(segment, mut buf)| {
            buf.clear();
            match segment {
                Segment::Text(text) => buf.extend_from_slice(&text),
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
        for buf in &written {
            hasher.update(buf);
        }
        buffers = written;
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
    Text(Vec<u8>),
    /// A whole value.
    Value(&'a Node),
    /// Consecutive elements of an array (`first` when they start it: no leading comma).
    Items { items: &'a [Node], first: bool },
}

/// The canonical serialization of `node` as segments, in order: the top-level object's
/// arrays are cut into runs of elements.
fn segments(node: &Node) -> Vec<Segment<'_>> {
    let Node::Record(record) = node else {
        return vec![Segment::Value(node)];
    };
    let mut out = Vec::new();
    let mut text = vec![b'{'];
    for (key, v) in record.canonical_fields(key_texts) {
        text.extend_from_slice(key);
        match v {
            Node::List(list) => {
                text.push(b'[');
                out.push(Segment::Text(std::mem::take(&mut text)));
                for (n, chunk) in list.items().chunks(ITEMS_PER_SEGMENT).enumerate() {
                    out.push(Segment::Items {
                        items: chunk,
                        first: n == 0,
                    });
                }
                text.push(b']');
            }
            v => {
                out.push(Segment::Text(std::mem::take(&mut text)));
                out.push(Segment::Value(v));
            }
        }
    }
    text.push(b'}');
    out.push(Segment::Text(text));
    out
}

/// Writes `node` canonically.
fn write(node: &Node, buf: &mut Vec<u8>) {
    match node {
        Node::List(list) => {
            buf.push(b'[');
            for (i, item) in list.items().iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                write(item, buf);
            }
            buf.push(b']');
        }
        Node::Record(record) => {
            buf.push(b'{');
            for (key, v) in record.canonical_fields(key_texts) {
                buf.extend_from_slice(key);
                write(v, buf);
            }
            buf.push(b'}');
        }
        Node::Str(s) => write_str(s, buf),
        Node::Short(s) => write_str(s.as_str(), buf),
        Node::Null => buf.extend_from_slice(b"null"),
        // Writing into a Vec cannot fail.
        Node::Bool(b) => {
            let _ = serde_json::to_writer(&mut *buf, b);
        }
        Node::Int(i) => {
            let _ = serde_json::to_writer(&mut *buf, i);
        }
        Node::Float(f) => {
            let _ = serde_json::to_writer(&mut *buf, f);
        }
    }
}

/// The texts written before the values of fields with `names` (in sorted order), one after
/// another: `"a":`, `,"b":`..., and where each ends.
fn key_texts(names: &mut dyn Iterator<Item = &ImmutableString>) -> KeyTexts {
    let mut text = Vec::new();
    let mut ends = Vec::new();
    for (n, name) in names.enumerate() {
        if n > 0 {
            text.push(b',');
        }
        write_str(name, &mut text);
        text.push(b':');
        ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
    }
    (text.into_boxed_slice(), ends.into_boxed_slice())
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn node(value: Value) -> Node {
        super::super::tree::build(value, Default::default())
    }

    fn parsed(text: &str) -> Node {
        node(serde_json::from_str(text).unwrap())
    }

    #[test]
    fn canonical_digest_ignores_key_order_and_whitespace() {
        let a = parsed(r#"{"b": [1, {"y": 2, "x": "é"}], "a": null}"#);
        let b = parsed(r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#);
        let c = parsed(r#"{"a":null,"b":[{"x":"é","y":2},1]}"#);
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&a), digest(&c));
        assert_eq!(digest(&a).len(), 64);
        // Segments join into exactly the canonical text, whatever the array sizes, over more
        // segments than one window holds.
        let items: Vec<Value> = (0..(SEGMENTS_PER_WINDOW + 2) * ITEMS_PER_SEGMENT)
            .map(|i| serde_json::json!({"b": i, "a": [i]}))
            .collect();
        let doc = node(serde_json::json!({"z": items, "a": {"y": 1, "x": "\"q\""}, "m": []}));
        let mut whole = Vec::new();
        write(&doc, &mut whole);
        let mut hasher = Sha256::new();
        hasher.update(&whole);
        assert_eq!(digest(&doc), hex(&hasher.finalize()));
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
            write(&node(Value::String(s.to_owned())), &mut buf);
            assert_eq!(buf, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
        // Numbers and the other scalars, as serde_json writes the value it parsed.
        for text in [
            "0",
            "-0",
            "7",
            "-12",
            "1.5",
            "0.1",
            "1e300",
            "-2.5e-8",
            "1.0",
            "9223372036854775807",
            "-9223372036854775808",
            "true",
            "false",
            "null",
        ] {
            let value: Value = serde_json::from_str(text).unwrap();
            let mut buf = Vec::new();
            write(&node(value.clone()), &mut buf);
            assert_eq!(buf, serde_json::to_vec(&value).unwrap(), "{text}");
        }
        // A large object's keys sort too.
        let big: serde_json::Map<String, Value> = (0..40)
            .rev()
            .map(|i| (format!("k{i:02}"), Value::from(i)))
            .collect();
        let mut buf = Vec::new();
        write(&node(Value::Object(big)), &mut buf);
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with(r#"{"k00":0,"k01":1,"#) && text.ends_with(r#""k39":39}"#));
    }
}
