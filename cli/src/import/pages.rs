//! The items of a JSON list export, with where each starts. APIs page their lists, and the
//! files people save hold them in three shapes, all read the same: one array; arrays one
//! after another (what `gh api --paginate` prints, and pages appended to a file); or an
//! array of arrays (`gh api --paginate --slurp`, `jq -s`).

use super::{Input, Problem};
use attest_engine::facts::{json_message, json_place};
use attest_engine::place::{At, json_offset_at, json_string_end, json_value_end, json_ws};
use serde_json::Value;

/// What a list export with no items holds, for messages.
pub const EMPTY: &str = "the list is empty";

/// One item, where it starts, and its JSON Pointer.
pub struct Item {
    /// The item.
    pub value: Value,
    /// Where it starts in the file.
    pub offset: usize,
    /// Its JSON Pointer (RFC 6901) in the array it is in: `/3`, or `/1/3` in an array of
    /// arrays. Of arrays one after another, each is a JSON text of its own, and the pointer
    /// is in that one (the line and column tell which).
    pub pointer: String,
}

/// A JSON value as a message shows what was found: `5, a number`, `null`, `an array`.
pub fn found(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("{b}, a boolean"),
        Value::Number(n) => format!("{n}, a number"),
        Value::String(s) => format!("`{s}`, a string"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// The text at `path` (a member, or a member of a member: `["profile", "email"]`) of
/// `item`, one of the `what`s of `input`: none when it is absent or null, an error naming
/// what was found, with its place and pointer, when it is not a string.
pub fn text<'i>(
    input: &Input,
    item: &'i Item,
    what: &str,
    path: &[&str],
) -> Result<Option<&'i str>, Problem> {
    let mut value = &item.value;
    let mut offset = Some(item.offset);
    for key in path {
        match value.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(inner) => value = inner,
        }
        offset = offset.and_then(|o| member(&input.text, o, key));
    }
    match value {
        Value::String(s) => Ok(Some(s)),
        other => Err(Problem::at_offset(
            &input.name,
            &input.text,
            offset.unwrap_or(item.offset),
            format!(
                "{what} {}/{}: `{}` is {}: expected a string",
                item.pointer,
                path.join("/"),
                path.join("."),
                found(other)
            ),
        )),
    }
}

/// One item's text: where it starts and ends, and its pointer.
struct Span {
    start: usize,
    end: usize,
    pointer: String,
}

/// The items of `input`; `expected` says what the file should be, for messages.
pub fn items(input: &Input, expected: &str) -> Result<Vec<Item>, Problem> {
    let text = &input.text;
    let b = text.as_bytes();
    let not_a_list = |offset: usize| {
        Problem::at_offset(
            &input.name,
            text,
            offset,
            format!("expected {expected}: a JSON array (or arrays, one per page)"),
        )
    };
    let mut spans = Vec::new();
    let mut i = json_ws(b, usize::from(text.starts_with('\u{feff}')) * 3);
    if i >= b.len() {
        return Err(not_a_list(i));
    }
    while i < b.len() {
        if b[i] != b'[' {
            return Err(not_a_list(i));
        }
        i = elements(b, i, &mut spans, None).ok_or_else(|| syntax(input))?;
        i = json_ws(b, i);
    }
    spans
        .into_iter()
        .map(|span| {
            let slice = text.get(span.start..span.end).unwrap_or_default();
            // The engine's parser: an object that gives one key twice is refused at the
            // second, as `attest validate` refuses it.
            match attest_engine::facts::parse_json(slice) {
                Ok(value) => Ok(Item {
                    value,
                    offset: span.start,
                    pointer: span.pointer,
                }),
                Err(e) if e.classify() == serde_json::error::Category::Data => {
                    let line_start: usize = slice
                        .split_inclusive('\n')
                        .take(e.line().saturating_sub(1))
                        .map(str::len)
                        .sum();
                    let offset = span.start + line_start + e.column().saturating_sub(1);
                    Err(Problem::at_offset(
                        &input.name,
                        text,
                        offset,
                        format!("invalid JSON: {}", json_message(&e)),
                    ))
                }
                Err(_) => Err(syntax(input)),
            }
        })
        .collect()
}

/// The parser's own error for a file that is not JSON, with its line and column.
fn syntax(input: &Input) -> Problem {
    let mut stream = serde_json::Deserializer::from_str(&input.text).into_iter::<Value>();
    let error = loop {
        match stream.next() {
            Some(Ok(_)) => {}
            Some(Err(e)) => break e,
            None => return Problem::file(&input.name, "invalid JSON"),
        }
    };
    let (line, column) = json_place(&input.text, &error);
    Problem::at(
        &input.name,
        line,
        column,
        format!("invalid JSON: {}", json_message(&error)),
    )
}

/// Reads the array at `i`, pushing each element's span; at the top (`page` is `None`) it
/// descends once into arrays of arrays, each a page whose pointer is `page`. The offset
/// after the array.
fn elements(b: &[u8], i: usize, out: &mut Vec<Span>, page: Option<&str>) -> Option<usize> {
    let mut i = json_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some(i + 1);
    }
    let mut index = 0usize;
    loop {
        let pointer = format!("{}/{index}", page.unwrap_or_default());
        if page.is_none() && b.get(i) == Some(&b'[') {
            i = elements(b, i, out, Some(&pointer))?;
        } else {
            let end = json_value_end(b, i)?;
            out.push(Span {
                start: i,
                end,
                pointer,
            });
            i = end;
        }
        i = json_ws(b, i);
        match b.get(i)? {
            b',' => i = json_ws(b, i + 1),
            b']' => return Some(i + 1),
            _ => return None,
        }
        index += 1;
    }
}

/// The byte offset of the value of the member `key` of the object at `offset` in `text`,
/// when there is an object there that has it (the last, should it be given twice; the items
/// of [`items`] never give a key twice).
pub fn member(text: &str, offset: usize, key: &str) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(offset) != Some(&b'{') {
        return None;
    }
    let mut found = None;
    let mut i = json_ws(b, offset + 1);
    while b.get(i) == Some(&b'"') {
        let key_end = json_string_end(b, i)?;
        let name: String = serde_json::from_str(text.get(i..key_end)?).ok()?;
        i = json_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = json_ws(b, i + 1);
        if name == key {
            found = Some(i);
        }
        i = json_ws(b, json_value_end(b, i)?);
        if b.get(i) == Some(&b',') {
            i = json_ws(b, i + 1);
        }
    }
    found
}

/// The byte offset of the element `index` of the array at `offset` in `text`, when there is
/// an array there that long.
pub fn element(text: &str, offset: usize, index: usize) -> Option<usize> {
    if text.as_bytes().get(offset) != Some(&b'[') {
        return None;
    }
    json_offset_at(text.get(offset..)?, &format!("/{index}"), At::Value).map(|o| offset + o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> Input {
        Input {
            name: "m.json".to_owned(),
            text: text.to_owned(),
        }
    }

    fn logins(text: &str) -> Vec<String> {
        items(&input(text), "a list")
            .unwrap()
            .iter()
            .map(|i| i.value["login"].as_str().unwrap_or("?").to_owned())
            .collect()
    }

    #[test]
    fn one_array_pages_one_after_another_and_slurped_pages_read_the_same() {
        let want = ["a", "b", "c"];
        assert_eq!(
            logins(r#"[{"login": "a"}, {"login": "b"}, {"login": "c"}]"#),
            want
        );
        assert_eq!(
            logins("[{\"login\": \"a\"}, {\"login\": \"b\"}]\n[{\"login\": \"c\"}]\n"),
            want
        );
        assert_eq!(
            logins(r#"[[{"login": "a"}, {"login": "b"}], [{"login": "c"}], []]"#),
            want
        );
        assert_eq!(logins("[]"), Vec::<String>::new());
        let found = items(&input("[{\"login\": \"a\"},\n {\"login\": \"]\"}]"), "x").unwrap();
        assert_eq!(found[1].offset, 18);
    }

    #[test]
    fn items_know_their_pointer_and_members_their_offset() {
        let pointers = |t: &str| -> Vec<String> {
            items(&input(t), "x")
                .unwrap()
                .into_iter()
                .map(|i| i.pointer)
                .collect()
        };
        assert_eq!(pointers("[{}, {}]"), ["/0", "/1"]);
        assert_eq!(pointers("[{}]\n[{}, {}]"), ["/0", "/0", "/1"]);
        assert_eq!(pointers("[[{}], [{}, {}]]"), ["/0/0", "/1/0", "/1/1"]);
        let text = "[{\"a\": {\"status\": 1}, \"st\": [2, 3],\n \"s\\u0074atus\": 5}]";
        let found = items(&input(text), "x").unwrap();
        let at = found[0].offset;
        assert_eq!(member(text, at, "status").map(|o| &text[o..]), Some("5}]"));
        let a = member(text, at, "a").unwrap();
        assert_eq!(
            member(text, a, "status").map(|o| &text[o..o + 1]),
            Some("1")
        );
        assert_eq!(member(text, at, "b"), None);
        let list = "[{\"a\": [1]}, \"],\",\n 3]";
        assert_eq!(element(list, 0, 2).map(|o| &list[o..]), Some("3]"));
        assert_eq!(element(list, 0, 3), None);
        assert_eq!(element("[]", 0, 0), None);
    }

    #[test]
    fn a_key_given_twice_is_refused_at_the_second_in_any_page() {
        // As `attest validate` refuses it: serde_json would keep the last value silently.
        let err = |t: &str| items(&input(t), "x").err().unwrap().to_string();
        let twice =
            "invalid JSON: the key `status` is given twice in one object; only one value can count";
        assert_eq!(
            err("[{\"status\": \"ACTIVE\",\n  \"status\": \"SUSPENDED\"}]"),
            format!("m.json:2:10: {twice}")
        );
        // In the second page of arrays one after another, and in a nested object.
        assert_eq!(
            err(
                "[{\"login\": \"a\"}]\n[{\"login\": \"b\", \"p\": {\"status\": 1, \"status\": 2}}]"
            ),
            format!("m.json:2:43: {twice}")
        );
        // The same key in two objects is no key given twice.
        assert_eq!(
            items(&input("[{\"status\": 1}, {\"status\": 2}]"), "x")
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn what_is_not_a_list_is_placed() {
        let err = |t: &str| {
            items(&input(t), "a members list")
                .err()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            err("{\"login\": \"a\"}"),
            "m.json:1:1: expected a members list: a JSON array (or arrays, one per page)"
        );
        assert!(err("[{\"login\": \"a\"},\n {\"login\" 1}]").starts_with("m.json:2:"));
        assert!(err("").contains("expected a members list"));
    }
}
