//! sha256 digests that identify exactly what was evaluated: the facts in canonical form
//! and the pack's files.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// sha256 of `value` serialized canonically: object keys sorted, no whitespace, so the
/// digest does not depend on formatting, key order or how the facts were split into files.
pub(crate) fn canonical_json(value: &Value) -> String {
    let mut hasher = Sha256::new();
    write_canonical(value, &mut hasher);
    hex(&hasher.finalize())
}

fn write_canonical(value: &Value, h: &mut Sha256) {
    match value {
        Value::Array(items) => {
            h.update(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    h.update(b",");
                }
                write_canonical(item, h);
            }
            h.update(b"]");
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            h.update(b"{");
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    h.update(b",");
                }
                let _ = serde_json::to_writer(HashWriter(h), k);
                h.update(b":");
                write_canonical(v, h);
            }
            h.update(b"}");
        }
        scalar => write_scalar(scalar, h),
    }
}

fn write_scalar(value: &Value, h: &mut Sha256) {
    // Writing into a hasher cannot fail.
    let _ = serde_json::to_writer(HashWriter(h), value);
}

/// Feeds serialized bytes straight into the hasher, without a buffer.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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
    }

    #[test]
    fn file_digest_is_order_independent_but_content_sensitive() {
        let one = files([("a", "1"), ("b", "2")]);
        assert_eq!(one, files([("b", "2"), ("a", "1")]));
        assert_ne!(one, files([("a", "12"), ("b", "")]));
    }
}
