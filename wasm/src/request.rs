//! How a request arrives: JSON text, optionally followed by a NUL byte and an *attachment*,
//! raw bytes that the request's texts (a facts file, a pack file, a report) may point into
//! as `[offset, length]` instead of holding them as JSON strings. A large facts file then
//! crosses the ABI as it is, without a JSON string's escaping on the way in and the
//! unescaping here. The attachment is copied once, out of the request's buffer, and every
//! text pointing into it shares that copy: a 20 MB facts file is held twice during a
//! request (the host's buffer and the copy), not three times.

use attest_engine::facts::{json_message, json_place};
use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, Range};
use std::rc::Rc;

thread_local! {
    /// The texts a request's `[offset, length]` point into while it is parsed on this
    /// thread (empty between requests).
    static ATTACHMENT: RefCell<Rc<str>> = RefCell::new(Rc::from(""));
}

/// A text of a request: given as a JSON string, or as `[offset, length]`, that many bytes
/// of the request's attachment from `offset`.
#[derive(Debug, Clone)]
pub(crate) struct Text(Held);

/// Where a [`Text`] is held.
#[derive(Debug, Clone)]
enum Held {
    /// Given as a JSON string.
    Given(String),
    /// These bytes of the request's attachment: a range checked, when the request was read,
    /// to lie inside it and on characters' bounds.
    Attached(Rc<str>, Range<usize>),
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match &self.0 {
            Held::Given(text) => text,
            // Never empty for want of the range: it was checked against this attachment.
            Held::Attached(attachment, range) => attachment.get(range.clone()).unwrap_or(""),
        }
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        match text.0 {
            Held::Given(text) => text,
            Held::Attached(..) => text.deref().to_owned(),
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        /// Reads either form of a [`Text`].
        struct TextVisitor;

        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, or [offset, length] in the request's attachment")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text, E> {
                Ok(Text(Held::Given(text.to_owned())))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<Text, E> {
                Ok(Text(Held::Given(text)))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                let offset: usize = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let len: usize = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                ATTACHMENT
                    .with(|a| attached(&a.borrow(), offset, len))
                    .map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_any(TextVisitor)
    }
}

/// The `len` bytes of `attachment` from `offset`, or why they are no text.
fn attached(attachment: &Rc<str>, offset: usize, len: usize) -> Result<Text, String> {
    let end = offset
        .checked_add(len)
        .filter(|&end| end <= attachment.len());
    let Some(end) = end else {
        return Err(format!(
            "the text [{offset}, {len}] lies past the end of the request's attachment ({} bytes)",
            attachment.len()
        ));
    };
    match attachment.get(offset..end) {
        Some(_) => Ok(Text(Held::Attached(Rc::clone(attachment), offset..end))),
        None => Err(format!(
            "the text [{offset}, {len}] starts or ends inside a character of the request's attachment"
        )),
    }
}

/// Parses a request: its JSON (UTF-8, then JSON, then its shape as `T`) and the attachment
/// after the first NUL byte, if any (UTF-8 too), which JSON text never holds.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let (json, attachment) = match bytes.iter().position(|&b| b == 0) {
        Some(nul) => (&bytes[..nul], &bytes[nul + 1..]),
        None => (bytes, &[][..]),
    };
    let utf8 = |what: &str, bytes| {
        std::str::from_utf8(bytes).map_err(|e| {
            format!(
                "{what} is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            )
        })
    };
    let json = utf8("the request", json)?;
    let attachment = utf8("the request's attachment", attachment)?;
    ATTACHMENT.with(|a| *a.borrow_mut() = Rc::from(attachment));
    let parsed = serde_json::from_str(json);
    ATTACHMENT.with(|a| *a.borrow_mut() = Rc::from(""));
    parsed.map_err(|e| {
        let (line, column) = json_place(json, &e);
        format!(
            "invalid request at line {line} column {column}: {}",
            json_message(&e)
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{Text, parse};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Request {
        texts: Vec<Text>,
    }

    fn texts(bytes: &[u8]) -> Result<Vec<String>, String> {
        parse::<Request>(bytes).map(|r| r.texts.into_iter().map(String::from).collect())
    }

    #[test]
    fn a_text_is_a_string_or_a_range_of_the_attachment() {
        let got = texts(
            b"{\"texts\": [\"in \\\"json\\\"\", [0, 4], [4, 0], [4, 7]]}\0raw \"caf\xc3\xa9\"",
        )
        .unwrap();
        assert_eq!(got, ["in \"json\"", "raw ", "", "\"café\""]);
        // Without an attachment, only strings.
        assert_eq!(texts(br#"{"texts": ["a"]}"#).unwrap(), ["a"]);
        // The attachment is gone once the request is parsed.
        assert!(texts(br#"{"texts": [[0, 1]]}"#).is_err());
    }

    #[test]
    fn the_texts_of_an_attachment_share_one_copy_of_it() {
        let request = parse::<Request>(b"{\"texts\": [[0, 5], [6, 5]]}\0hello world").unwrap();
        assert_eq!(request.texts.len(), 2);
        let (hello, world) = (&request.texts[0], &request.texts[1]);
        assert_eq!((&**hello, &**world), ("hello", "world"));
        // Six bytes apart in one buffer, not each in a buffer of its own.
        assert_eq!(world.as_ptr() as usize - hello.as_ptr() as usize, 6);
        assert_eq!(String::from(world.clone()), "world");
    }

    #[test]
    fn a_range_outside_the_attachment_or_inside_a_character_is_refused_with_its_place() {
        let past = texts(b"{\"texts\": [[2, 3]]}\0abcd").unwrap_err();
        assert_eq!(
            past,
            "invalid request at line 1 column 17: the text [2, 3] lies past the end of the request's attachment (4 bytes)"
        );
        let overflow = texts(format!("{{\"texts\": [[1, {}]]}}\0ab", usize::MAX).as_bytes());
        assert!(overflow.unwrap_err().contains("lies past the end"));
        let split = texts("{\"texts\": [[1, 1]]}\0é".as_bytes()).unwrap_err();
        assert!(
            split.contains("starts or ends inside a character"),
            "{split}"
        );
        let shape = texts(b"{\"texts\": [[1]]}\0ab").unwrap_err();
        assert!(shape.contains("invalid length 1"), "{shape}");
        let extra = texts(b"{\"texts\": [[0, 1, 2]]}\0ab").unwrap_err();
        assert!(extra.contains("invalid length 3"), "{extra}");
    }

    #[test]
    fn the_json_and_the_attachment_must_each_be_utf8() {
        assert_eq!(
            texts(b"{\"texts\": [\"\xff\"]}").unwrap_err(),
            "the request is not valid UTF-8 (invalid byte at offset 12)"
        );
        assert_eq!(
            texts(b"{\"texts\": []}\0ok\xff").unwrap_err(),
            "the request's attachment is not valid UTF-8 (invalid byte at offset 2)"
        );
    }
}
