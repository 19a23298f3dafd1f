//! One quick pass over a facts file: where each top-level value and each element of a
//! top-level array starts (its line, so a JSON Pointer can be shown as `file:line`) and which
//! bytes it spans (so the values can be parsed side by side).
//!
//! The scanner checks the document's outline strictly (`{`, keys, `:`, `,`, `]`, `}`) and
//! skips over the values themselves; the parser checks those. On anything unexpected it stops
//! and says the outline is not clean, and the caller parses the whole text in one piece, so
//! a syntax error is reported exactly as serde_json reports it. It always ends.

use std::ops::Range;

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "wasm32"
))]
mod blocks;

/// Where a top-level key's value lies.
#[derive(Debug, Default, Clone)]
pub(crate) struct KeyLines {
    /// The line (1-based) of the key's value.
    pub value: u32,
    /// For array values: the line of each element.
    pub items: Vec<u32>,
    /// The bytes of the value.
    pub span: Range<usize>,
    /// For array values: the bytes of each element.
    pub item_spans: Vec<Range<usize>>,
}

/// The top-level keys of a document, in order, and whether its outline is well formed.
#[derive(Debug, Default)]
pub(crate) struct Outline {
    /// Each top-level key and where its value lies.
    pub keys: Vec<(String, KeyLines)>,
    /// The text is one object whose keys, separators and array brackets are all in place, with
    /// nothing but whitespace after it.
    pub clean: bool,
}

/// Scans a JSON object document: where each top-level key's value starts and ends.
pub(crate) fn scan_top_level(text: &str) -> Outline {
    let mut s = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        deepest: 1,
    };
    let mut out = Outline::default();
    s.skip_ws();
    if !s.eat(b'{') {
        return out;
    }
    s.skip_ws();
    if s.eat(b'}') {
        out.clean = s.at_end();
        return out;
    }
    loop {
        s.skip_ws();
        if s.peek() != Some(b'"') {
            return out;
        }
        let start = s.pos;
        s.skip_string();
        let Some(key) = text
            .get(start..s.pos)
            .and_then(|k| serde_json::from_str::<String>(k).ok())
        else {
            return out;
        };
        s.skip_ws();
        if !s.eat(b':') {
            return out;
        }
        s.skip_ws();
        let mut lines = KeyLines {
            value: s.line,
            span: s.pos..s.pos,
            ..KeyLines::default()
        };
        let outlined = if s.peek() == Some(b'[') {
            s.elements(&mut lines)
        } else {
            s.skip_value(1);
            s.pos > lines.span.start
        };
        lines.span.end = s.pos;
        out.keys.push((key, lines));
        if !outlined || s.deepest > DEEPEST_OUTLINED {
            return out;
        }
        s.skip_ws();
        if s.eat(b'}') {
            out.clean = s.at_end();
            return out;
        }
        if !s.eat(b',') {
            return out;
        }
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    /// The deepest nesting of objects and arrays seen, counting the document's own object.
    deepest: usize,
}

/// Documents nested deeper than this are not outlined: serde_json limits nesting per parse,
/// so a part parsed on its own could be accepted where the whole file is refused. Below
/// this depth both agree.
const DEEPEST_OUTLINED: usize = 100;

/// The bytes that matter when skipping a value outside strings.
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let special = *b"\"{}[],\n";
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.bytes.len()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    /// The elements of an array starting at `[`, each with its line and bytes. Returns
    /// whether the brackets and commas were all in place.
    fn elements(&mut self, lines: &mut KeyLines) -> bool {
        self.pos += 1;
        self.deepest = self.deepest.max(2);
        self.skip_ws();
        if self.eat(b']') {
            return true;
        }
        loop {
            self.skip_ws();
            let start = self.pos;
            lines.items.push(self.line);
            self.skip_value(2);
            if self.pos == start {
                return false;
            }
            lines.item_spans.push(start..self.pos);
            self.skip_ws();
            if self.eat(b']') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }

    /// Skips a string starting at the opening quote (strings never hold raw newlines).
    fn skip_string(&mut self) {
        self.pos += 1;
        while let Some(found) = self
            .bytes
            .get(self.pos..)
            .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
        {
            self.pos += found + 1;
            if self.bytes.get(self.pos - 1) == Some(&b'"') {
                return;
            }
            // A backslash: the next byte is escaped.
            self.pos += 1;
        }
        self.pos = self.bytes.len();
    }

    /// Skips one value of any kind found `outer` levels deep, counting the lines inside it
    /// and how deep it nests.
    fn skip_value(&mut self, outer: usize) {
        #[cfg(any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "wasm32"
        ))]
        if let Some(b'{' | b'[') = self.peek() {
            let skipped = blocks::skip_nested(self.bytes, self.pos);
            self.pos = skipped.end;
            self.line += skipped.lines;
            self.deepest = self.deepest.max(outer + skipped.deepest);
            return;
        }
        self.skip_value_bytes(outer);
    }

    /// [`Self::skip_value`] a byte at a time.
    fn skip_value_bytes(&mut self, outer: usize) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            if !STRUCTURAL[b as usize] {
                self.pos += 1;
                continue;
            }
            match b {
                b'"' => {
                    self.skip_string();
                    if depth == 0 {
                        return;
                    }
                    continue;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.deepest = self.deepest.max(outer + depth);
                }
                b'}' | b']' => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                b',' if depth == 0 => return,
                b'\n' => self.line += 1,
                _ => {}
            }
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_outlines_are_not_clean_and_the_scan_ends() {
        for text in [
            "{\n  \"a\": [1,\n}",
            "{\"a\": [}",
            "{\"a\": [\"x",
            "{\"a\"",
            "[1]",
            "{\"a\": {]]]}",
            "{\"a\": [,1]}",
            "{\"a\": 1 \"b\": 2}",
            "{\"a\" 1}",
            "{\"a\": 1,}",
            "{\"a\": }",
            "{\"a\": 1} x",
            "{\"a\": \"\\\"}",
        ] {
            assert!(!scan_top_level(text).clean, "{text}");
        }
        // Nesting: the document's object, the array, then `n` more arrays.
        let deep = |n: usize| format!("{{\"a\": [{}{}]}}", "[".repeat(n), "]".repeat(n));
        assert!(scan_top_level(&deep(DEEPEST_OUTLINED - 2)).clean);
        assert!(!scan_top_level(&deep(DEEPEST_OUTLINED - 1)).clean);
        let deep_object = |n: usize| format!("{{\"a\": {}{}}}", "[".repeat(n), "]".repeat(n));
        assert!(scan_top_level(&deep_object(DEEPEST_OUTLINED - 1)).clean);
        assert!(!scan_top_level(&deep_object(DEEPEST_OUTLINED)).clean);
        for text in [
            "{}",
            " { } \n",
            "{\"a\": []}",
            "{\"a\": [1, {\"b\": \"]\\\"\"}], \"c\": null}",
        ] {
            assert!(scan_top_level(text).clean, "{text}");
        }
    }

    #[test]
    fn finds_lines_and_bytes_of_keys_and_elements() {
        let text = "{\n  \"schema_version\": \"1\",\n  \"people\": [\n    {\"id\": \"a\", \"n\": \"x]\\\"{\"},\n    {\n      \"id\": \"b\"\n    }\n  ],\n  \"org\": {\"a\": [1,\n 2]},\n  \"last\": 3\n}";
        let outline = scan_top_level(text);
        assert!(outline.clean);
        let keys = &outline.keys;
        let names: Vec<_> = keys.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["schema_version", "people", "org", "last"]);
        let lines: Vec<u32> = keys.iter().map(|(_, l)| l.value).collect();
        assert_eq!(lines, [2, 3, 9, 11]);
        assert_eq!(keys[1].1.items, vec![4, 5]);
        let bytes = |r: &Range<usize>| &text[r.clone()];
        assert_eq!(bytes(&keys[0].1.span), "\"1\"");
        assert_eq!(
            bytes(&keys[1].1.item_spans[0]),
            "{\"id\": \"a\", \"n\": \"x]\\\"{\"}"
        );
        assert_eq!(
            bytes(&keys[1].1.item_spans[1]),
            "{\n      \"id\": \"b\"\n    }"
        );
        assert_eq!(bytes(&keys[2].1.span), "{\"a\": [1,\n 2]}");
        assert_eq!(bytes(&keys[3].1.span).trim(), "3");
    }
}
