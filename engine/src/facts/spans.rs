//! Where records start in the facts files, so a JSON Pointer can be shown as `file:line`.
//!
//! The scanner runs alongside serde_json's parse of the same text, records the line of every
//! top-level key's value and of every element of top-level arrays, and skips the rest. On
//! invalid JSON it stops early (the parser's error is what gets reported); it always ends.

/// Line (1-based) where a top-level key's value starts, and where each array element starts.
#[derive(Debug, Default, Clone)]
pub(crate) struct KeyLines {
    /// The line of the key's value.
    pub value: u32,
    /// For array values: the line of each element.
    pub items: Vec<u32>,
}

/// Scans a JSON object document and returns, for each top-level key, where it starts.
pub(crate) fn scan_top_level(text: &str) -> Vec<(String, KeyLines)> {
    let mut s = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut out = Vec::new();
    s.skip_ws();
    if !s.eat(b'{') {
        return out;
    }
    loop {
        s.skip_ws();
        if s.peek() != Some(b'"') {
            break;
        }
        let start = s.pos;
        s.skip_string();
        let key = serde_json::from_str::<String>(text.get(start..s.pos).unwrap_or("\"\""))
            .unwrap_or_default();
        s.skip_ws();
        s.eat(b':');
        s.skip_ws();
        let mut lines = KeyLines {
            value: s.line,
            items: Vec::new(),
        };
        if s.peek() == Some(b'[') {
            s.pos += 1;
            loop {
                s.skip_ws();
                match s.peek() {
                    Some(b']') => {
                        s.pos += 1;
                        break;
                    }
                    Some(b',') => s.pos += 1,
                    Some(_) => {
                        let before = s.pos;
                        lines.items.push(s.line);
                        s.skip_value();
                        if s.pos == before {
                            // Not valid JSON (the parser reports it): stop here.
                            return out;
                        }
                    }
                    None => break,
                }
            }
        } else {
            s.skip_value();
        }
        out.push((key, lines));
        s.skip_ws();
        if !s.eat(b',') {
            break;
        }
    }
    out
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
}

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

    /// Skips a string starting at the opening quote (strings never hold raw newlines).
    fn skip_string(&mut self) {
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => return,
                _ => {}
            }
        }
    }

    /// Skips one value of any kind, counting the lines inside it.
    fn skip_value(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    self.skip_string();
                    if depth == 0 {
                        return;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
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
    fn ends_on_invalid_json() {
        for text in [
            "{\n  \"a\": [1,\n}",
            "{\"a\": [}",
            "{\"a\": [\"x",
            "{\"a\"",
            "[1]",
            "{\"a\": {]]]}",
        ] {
            let _ = scan_top_level(text);
        }
    }

    #[test]
    fn finds_lines_of_keys_and_elements() {
        let text = "{\n  \"schema_version\": \"1\",\n  \"people\": [\n    {\"id\": \"a\", \"n\": \"x]\\\"{\"},\n    {\n      \"id\": \"b\"\n    }\n  ],\n  \"org\": {\"a\": [1,\n 2]},\n  \"last\": 3\n}";
        let keys = scan_top_level(text);
        let names: Vec<_> = keys.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["schema_version", "people", "org", "last"]);
        assert_eq!(keys[0].1.value, 2);
        assert_eq!(keys[1].1.value, 3);
        assert_eq!(keys[1].1.items, vec![4, 5]);
        assert_eq!(keys[2].1.value, 9);
        assert_eq!(keys[3].1.value, 11);
    }
}
