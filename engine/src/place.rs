//! Where things are in a text: the byte offset of what a JSON Pointer names in a JSON
//! document, and the line and column of a byte offset. Shared by the facts, the packs and
//! the rule cases, which each place their problems in their files (and by `attest import`,
//! which places its exports' problems).

/// Which part of an entry (a TOML entry, a JSON object's member) a position points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The entry: its key, or its `[header]` for a table.
    Entry,
    /// Its value.
    Value,
}

/// The byte offset in a JSON document of what the JSON Pointer `pointer` names: a member's
/// key (so a message points at `"team": ...`), an element, or the document for `""`. `None`
/// when the text is not JSON on the way, or the pointer leads nowhere.
pub fn json_offset(text: &str, pointer: &str) -> Option<usize> {
    json_offset_at(text, pointer, At::Entry)
}

/// [`json_offset`], at a member's key (`At::Entry`) or its value (`At::Value`).
pub fn json_offset_at(text: &str, pointer: &str, to: At) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = json_ws(b, 0);
    let mut at = i;
    if pointer.is_empty() {
        return Some(at);
    }
    for segment in pointer.strip_prefix('/')?.split('/') {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match b.get(i)? {
            b'{' => {
                i = json_ws(b, i + 1);
                loop {
                    let start = i;
                    let end = json_string_end(b, i)?;
                    let key: String = serde_json::from_str(text.get(start..end)?).ok()?;
                    i = json_ws(b, end);
                    (b.get(i) == Some(&b':')).then_some(())?;
                    i = json_ws(b, i + 1);
                    if key == segment {
                        at = if to == At::Entry { start } else { i };
                        break;
                    }
                    i = json_ws(b, json_value_end(b, i)?);
                    (b.get(i) == Some(&b',')).then_some(())?;
                    i = json_ws(b, i + 1);
                }
            }
            b'[' => {
                let index: usize = segment.parse().ok()?;
                i = json_ws(b, i + 1);
                for _ in 0..index {
                    i = json_ws(b, json_value_end(b, i)?);
                    (b.get(i) == Some(&b',')).then_some(())?;
                    i = json_ws(b, i + 1);
                }
                (b.get(i) != Some(&b']')).then_some(())?;
                at = i;
            }
            _ => return None,
        }
    }
    Some(at)
}

/// The offset of the first byte at or after `i` that is not JSON whitespace.
pub fn json_ws(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The end (one past the closing quote) of the JSON string starting at `i`.
pub fn json_string_end(b: &[u8], i: usize) -> Option<usize> {
    (b.get(i) == Some(&b'"')).then_some(())?;
    let mut j = i + 1;
    loop {
        match b.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// The end of the JSON value starting at `i`.
pub fn json_value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => json_string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = json_string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while b
                .get(j)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// The line and column of what `inside` (a JSON Pointer) names within the JSON value that
/// lies at `span` of `text` and starts on line `line` (1-based): the value's own place for
/// `""`. `None` when the pointer leads nowhere in it.
pub(crate) fn line_col_within(
    text: &str,
    span: std::ops::Range<usize>,
    line: u32,
    inside: &str,
) -> Option<(u32, u32)> {
    let offset = span.start + json_offset_at(text.get(span.clone())?, inside, At::Value)?;
    // Counted from the start of the value's line, whose number is known.
    let line_start = line_start(text, span.start)?;
    let (l, column) = line_col(text.get(line_start..)?, offset - line_start);
    Some((line + l - 1, column))
}

/// The offset in `text` of the start of the line that holds byte `offset`.
pub(crate) fn line_start(text: &str, offset: usize) -> Option<usize> {
    let before = text.get(..offset)?.as_bytes();
    Some(
        before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |n| n + 1),
    )
}

/// 1-based line and column (in characters) of a byte offset of `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_pointers_lead_to_keys_and_elements() {
        let text = "{\"a\": {\"x\": [1, {\"y\": \"}\"}, [2]], \"a/b\": 3},\n \"b\": {\"x\": 4}}";
        let at = |p: &str| json_offset(text, p).map(|o| &text[o..]);
        assert_eq!(at("").map(|t| &t[..1]), Some("{"));
        assert!(at("/b/x").unwrap().starts_with("\"x\": 4"));
        assert!(at("/a/x/1/y").unwrap().starts_with("\"y\""));
        assert!(at("/a/x/2").unwrap().starts_with("[2]"));
        assert!(at("/a/a~1b").unwrap().starts_with("\"a/b\""));
        assert_eq!(at("/a/x/3"), None);
        assert_eq!(at("/c"), None);
        assert_eq!(json_offset("{\"a\" 1}", "/a"), None);
    }
}
