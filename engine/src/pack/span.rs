//! Where things are in pack files, taken from their parsed syntax: TOML spans for manifests,
//! catalogs and rule headers, Rhai's AST for rule bodies, the JSON structure of a facts
//! extension. Nothing is found by searching the text, so a `//` inside a string or a key
//! repeated in a comment cannot move a position.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Which part of a TOML entry a position points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// The entry: its key, or its `[header]` for a table.
    Entry,
    /// Its value.
    Value,
}

/// The byte offset in a TOML document of the item at `path`, whose segments are keys and,
/// inside arrays, indexes (`["control", "3", "title"]`). `None` when the text is not TOML,
/// the path is empty or leads nowhere.
pub(crate) fn toml_offset<S: AsRef<str>>(text: &str, path: &[S], at: At) -> Option<usize> {
    let root = DeTable::parse(text).ok()?;
    let (last, parents) = path.split_last()?;
    let mut value: &DeValue<'_> = &DeValue::Table(root.into_inner());
    for segment in parents {
        value = child(value, segment.as_ref())?.1.get_ref();
    }
    let (key, item) = child(value, last.as_ref())?;
    let value_start = item.span().start;
    Some(match (at, key) {
        // A table under a `[header]` starts before its key; any other entry at its key.
        (At::Entry, Some(key)) => key.start.min(value_start),
        _ => value_start,
    })
}

/// The entry of a table (with its key's span) or the element of an array at `segment`.
fn child<'a, 'i>(
    value: &'a DeValue<'i>,
    segment: &str,
) -> Option<(Option<std::ops::Range<usize>>, &'a Spanned<DeValue<'i>>)> {
    match value {
        DeValue::Table(table) => table
            .iter()
            .find(|(k, _)| k.get_ref() == segment)
            .map(|(k, v)| (Some(k.span()), v)),
        DeValue::Array(items) => items.get(segment.parse::<usize>().ok()?).map(|v| (None, v)),
        _ => None,
    }
}

/// The byte offset in a JSON document of what the JSON Pointer `pointer` names: a member's
/// key (so a message points at `"team": ...`), an element, or the document for `""`. `None`
/// when the text is not JSON on the way, or the pointer leads nowhere.
pub(crate) fn json_offset(text: &str, pointer: &str) -> Option<usize> {
    json_offset_at(text, pointer, At::Entry)
}

/// [`json_offset`], at a member's key (`At::Entry`) or its value (`At::Value`).
pub(crate) fn json_offset_at(text: &str, pointer: &str, to: At) -> Option<usize> {
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

fn json_ws(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The end (one past the closing quote) of the JSON string starting at `i`.
fn json_string_end(b: &[u8], i: usize) -> Option<usize> {
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
fn json_value_end(b: &[u8], i: usize) -> Option<usize> {
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

/// A rule's source as Rhai's AST, unoptimized so it holds what was written; `None` when it
/// does not parse (its syntax error is reported on its own).
pub(crate) fn parse(source: &str) -> Option<rhai::AST> {
    let mut parser = rhai::Engine::new_raw();
    parser.set_optimization_level(rhai::OptimizationLevel::None);
    parser.set_max_expr_depths(0, 0);
    parser.compile(source).ok()
}

/// Each parameter a rule reads (`params.name`, `params["name"]`), with the 1-based line and
/// column of its first read, in order of position.
pub(crate) fn params_read(ast: &rhai::AST) -> Vec<(String, u32, u32)> {
    let mut reads: Vec<(String, u32, u32)> = Vec::new();
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let Some(rhai::ASTNode::Expr(expr)) = path.last()
            && let Some((name, pos)) = param_read(expr)
            && let (Some(line), Some(col)) = (pos.line(), pos.position())
        {
            let at = (to_u32(line), to_u32(col));
            match reads.iter_mut().find(|(n, _, _)| *n == name) {
                Some(first) if (first.1, first.2) <= at => {}
                Some(first) => (first.1, first.2) = at,
                None => reads.push((name, at.0, at.1)),
            }
        }
        true
    });
    crate::sorting::sort_by_key(&mut reads, |(_, line, col)| (*line, *col));
    reads
}

/// `params.name` or `params["name"]` (at the head of any longer chain): the name, and the
/// position of `params`.
fn param_read(expr: &rhai::Expr) -> Option<(String, rhai::Position)> {
    use rhai::Expr;
    let (Expr::Dot(chain, ..) | Expr::Index(chain, ..)) = expr else {
        return None;
    };
    let Expr::Variable(var, _, pos) = &chain.lhs else {
        return None;
    };
    if var.1 != "params" || !var.2.is_empty() {
        return None;
    }
    // `params.a.b` is `params` then the chain `a.b`: the parameter is the chain's head.
    let head = match &chain.rhs {
        Expr::Dot(rest, ..) | Expr::Index(rest, ..) => &rest.lhs,
        other => other,
    };
    let name = match (expr, head) {
        (Expr::Dot(..), Expr::Property(prop, _)) => prop.2.to_string(),
        (Expr::Index(..), Expr::StringConstant(s, _)) => s.to_string(),
        _ => return None,
    };
    Some((name, *pos))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
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

    #[test]
    fn toml_positions_come_from_the_document_not_its_text() {
        let text = "# [params.limit] is inherited; limit = 3 was the old value\nname = \"p\"\n\n[params.limit]\ntype = \"days\"\n\n[set]\n  limit = 5\n\n[[control]]\ntitle = \"a\"\n\n[[control]]\ntitle = \"\"\n";
        let line = |offset: Option<usize>| offset.map(|o| text[..o].matches('\n').count() + 1);
        assert_eq!(
            line(toml_offset(text, &["params", "limit"], At::Entry)),
            Some(4)
        );
        assert_eq!(
            toml_offset(text, &["set", "limit"], At::Entry),
            text.find("limit = 5")
        );
        assert_eq!(
            line(toml_offset(text, &["control", "1", "title"], At::Entry)),
            Some(14)
        );
        assert_eq!(
            toml_offset(text, &["control", "0", "title"], At::Value),
            text.find("\"a\"")
        );
        assert_eq!(toml_offset(text, &["control", "2"], At::Entry), None);
        assert_eq!(toml_offset("not = [toml", &["not"], At::Entry), None);
    }

    #[test]
    fn finds_property_and_index_reads_but_not_lookalikes() {
        let src = "let a = params.max_days;\n// params.commented\nlet b = params[\"tiers\"]; let c = my_params.x;\nif x > params.max_days {}\nlet s = \"params.in_a_string\"; /* params.in_a_comment */\nlet d = params.nested.deep;";
        assert_eq!(
            params_read(&parse(src).unwrap()),
            vec![
                ("max_days".to_owned(), 1, 9),
                ("tiers".to_owned(), 3, 9),
                ("nested".to_owned(), 6, 9)
            ]
        );
    }

    #[test]
    fn a_double_slash_inside_a_string_hides_no_read() {
        let src = "let url = \"https://example.com\"; let n = params.max_days;";
        assert_eq!(
            params_read(&parse(src).unwrap()),
            vec![("max_days".to_owned(), 1, 42)]
        );
    }

    #[test]
    fn reads_in_functions_count_at_their_place() {
        let src = "fn limit() { params.max_days }\nlet n = params.max_days + params.other;";
        assert_eq!(
            params_read(&parse(src).unwrap()),
            vec![("max_days".to_owned(), 1, 14), ("other".to_owned(), 2, 27)]
        );
    }
}
