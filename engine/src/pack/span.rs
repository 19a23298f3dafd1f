//! Where things are in pack files, taken from their parsed syntax: TOML spans for manifests,
//! catalogs and rule headers, Rhai's AST for rule bodies (and, in [`crate::place`], the JSON
//! structure of a facts extension). Nothing is found by searching the text, so a `//` inside
//! a string or a key repeated in a comment cannot move a position.

use crate::place::At;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

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

/// A rule's source as Rhai's AST, which holds what was written (Rhai is built without its
/// optimizer); `None` when it does not parse (its syntax error is reported on its own).
pub(crate) fn parse(source: &str) -> Option<rhai::AST> {
    let mut parser = rhai::Engine::new_raw();
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
