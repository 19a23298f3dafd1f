//! `csv --mapping MAP.toml`: any CSV export (an HRIS's people, an LMS's training records, a
//! vendor register, a policy list) through a mapping file ([`super::mapping`]): each row a
//! record of the mapping's collection.
//!
//! A `link = "email"` field whose email is nobody's in `--people` is left out of its
//! record, which is kept and listed on stderr with its line. Where the schema requires the
//! field (a training record without its person means nothing) the import is refused at the
//! cell, or, when the mapping says `unlinked = "skip-row"`, the row is left out and listed.
//! A file whose every row is left out (by `keep`, `skip` or `unlinked`) is refused: an
//! empty collection would leave the rules on it nothing to check.

use super::identity::People;
use super::mapping::{Field, Mapping, Piece, Source, Type, Unlinked};
use super::records::{Place, Record};
use super::table::{self, Row, Table};
use super::{Input, Problem, dates, detect};
use serde_json::{Number, Value};
use std::collections::HashMap;

/// What an import left out.
#[derive(Debug, Default)]
pub struct LeftOut {
    /// Rows left out by the mapping's `keep` and `skip`.
    pub skipped: usize,
    /// Emails linked to nobody: `file:line`, the email, and what became of the row: left
    /// out (`unlinked = "skip-row"`), or kept without the field.
    pub unlinked: Vec<(String, String, String)>,
}

/// Imports the rows of `input` through `mapping`, linking emails to `people`.
pub fn import(
    input: &Input,
    mapping: &Mapping,
    people: Option<&People>,
    left_out: &mut LeftOut,
) -> Result<Vec<Record>, Problem> {
    if let Some(message) = detect::json_given_as_csv(&input.text) {
        return Err(Problem::file(&input.name, message));
    }
    // A header that seems separated by another delimiter: the fix is in the mapping.
    let hint = |mut problem: Problem| {
        if let Some(other) = table::seems_separated_by(input, mapping.delimiter) {
            problem.message.push_str(&format!(
                ": set `delimiter = \"{}\"` in the mapping",
                other.escape_default()
            ));
        }
        problem
    };
    let table = Table::parse(input, mapping.delimiter).map_err(hint)?;
    let indexes = indexes(&table, mapping).map_err(hint)?;
    table.require_rows("row")?;
    let (mut skipped, mut unlinked_rows) = (0, 0);
    let mut out = Vec::new();
    for row in &table.rows {
        if !wanted(mapping, row, &indexes) {
            skipped += 1;
            continue;
        }
        match record(&table, row, mapping, &indexes, people, left_out)? {
            Some(record) => out.push(record),
            None => unlinked_rows += 1,
        }
    }
    left_out.skipped += skipped;
    if out.is_empty() {
        return Err(every_row_left_out(input, skipped, unlinked_rows));
    }
    Ok(out)
}

/// The refusal of a file whose every row is left out: `skipped` by `keep` or `skip`,
/// `unlinked` by `unlinked = "skip-row"`.
fn every_row_left_out(input: &Input, skipped: usize, unlinked: usize) -> Problem {
    let mut why = Vec::new();
    if skipped > 0 {
        why.push(format!("{skipped} by the mapping's `keep` or `skip`"));
    }
    if unlinked > 0 {
        why.push(format!(
            "{unlinked} whose email is nobody's in --people (`unlinked = \"skip-row\"`)"
        ));
    }
    super::no_records(
        input,
        &format!("every row is left out ({})", why.join(", ")),
        "record",
    )
}

/// The text of the cell of `row` in the column `name` (trimmed), and its index.
fn cell<'r>(row: &'r Row, indexes: &HashMap<&str, usize>, name: &str) -> (&'r str, usize) {
    let i = indexes.get(name).copied().unwrap_or(0);
    (row.cells.get(i).map_or("", |c| c.trim()), i)
}

/// Whether the mapping's `keep` and `skip` keep `row`: its cell in each `keep` column is one
/// of the values listed, and in no `skip` column.
fn wanted(mapping: &Mapping, row: &Row, indexes: &HashMap<&str, usize>) -> bool {
    let listed = |column: &str, values: &[String]| {
        values
            .iter()
            .any(|v| same_text(v, cell(row, indexes, column).0))
    };
    mapping.keep.iter().all(|(c, values)| listed(c, values))
        && !mapping.skip.iter().any(|(c, values)| listed(c, values))
}

/// Whether two texts are the same, trimmed and without regard to case: compared as
/// lowercase by Unicode's rules (`SALARIÉ` is `Salarié`). Texts are not normalized: `é` as
/// one character and as `e` with a combining accent differ.
fn same_text(a: &str, b: &str) -> bool {
    let lower = |t: &str| {
        t.trim()
            .chars()
            .flat_map(char::to_lowercase)
            .collect::<Vec<char>>()
    };
    a.trim() == b.trim() || lower(a) == lower(b)
}

/// The record of `row`, or `None` when it is left out (an email of nobody, with
/// `unlinked = "skip-row"`; listed in `left_out`).
fn record(
    table: &Table<'_>,
    row: &Row,
    mapping: &Mapping,
    indexes: &HashMap<&str, usize>,
    people: Option<&People>,
    left_out: &mut LeftOut,
) -> Result<Option<Record>, Problem> {
    let mut record = Record::new(Place {
        file: table.file().to_owned(),
        line: row.line,
        column: 1,
    });
    let mut missing = None;
    for field in &mapping.fields {
        let (text, index) = match &field.source {
            Source::Value(v) => {
                record.set(&field.path, v.clone());
                continue;
            }
            Source::Column(c) => {
                let (text, i) = cell(row, indexes, c);
                (text.to_owned(), i)
            }
            Source::Template(pieces) => template(table, row, indexes, field, pieces)?,
        };
        let place = table.place(row, index);
        let value = match value(table, row, index, field, &text, people)? {
            Converted::Value(v) => v,
            Converted::Empty => continue,
            Converted::Missing(problem) => {
                missing.get_or_insert(problem);
                continue;
            }
            Converted::Unlinked => {
                let at = format!("{}:{}", table.file(), row.line);
                if field.unlinked == Unlinked::SkipRow {
                    left_out
                        .unlinked
                        .push((at, text, "row left out".to_owned()));
                    return Ok(None);
                }
                let kept = format!("kept without `{}`", field.path);
                left_out.unlinked.push((at, text, kept));
                continue;
            }
        };
        record.set_from(&field.path, value, place);
    }
    match missing {
        Some(problem) => Err(problem),
        None => Ok(Some(record)),
    }
}

/// The text of a template field for `row`, and the index of the cell it is placed at (its
/// first column's). A template whose every column is empty is empty (its literal text
/// alone is no value); a `required` one with some of its columns empty is refused at the
/// first of them (`ENG-` is no id).
fn template(
    table: &Table<'_>,
    row: &Row,
    indexes: &HashMap<&str, usize>,
    field: &Field,
    pieces: &[Piece],
) -> Result<(String, usize), Problem> {
    let mut text = String::new();
    let (mut first, mut empty, mut filled) = (None, None, false);
    for piece in pieces {
        match piece {
            Piece::Text(t) => text.push_str(t),
            Piece::Column(c) => {
                let (t, i) = cell(row, indexes, c);
                first.get_or_insert(i);
                if t.is_empty() {
                    empty.get_or_insert((c, i));
                } else {
                    filled = true;
                }
                text.push_str(t);
            }
        }
    }
    if field.required
        && filled
        && let Some((column, index)) = empty
    {
        let written: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Column(c) => format!("{{{c}}}"),
            })
            .collect();
        return Err(table.problem(
            row,
            index,
            format!(
                "`{column}` is empty, and `{}` (`{written}`) is required: each of its columns must be filled",
                field.path
            ),
        ));
    }
    if !filled {
        text.clear();
    }
    Ok((text.trim().to_owned(), first.unwrap_or(0)))
}

/// The index of every column the mapping reads: each must be in the header, once.
fn indexes<'m>(
    table: &Table<'_>,
    mapping: &'m Mapping,
) -> Result<HashMap<&'m str, usize>, Problem> {
    let mut out = HashMap::new();
    for column in mapping.columns() {
        let index = table.column(column)?.ok_or_else(|| table.missing(column))?;
        out.insert(column, index);
    }
    Ok(out)
}

/// A cell's value.
enum Converted {
    Value(Value),
    /// Empty, with no default: the field is left out.
    Empty,
    /// An email linked to nobody.
    Unlinked,
    /// Empty, where the schema requires the field: the problem, told once the row's other
    /// fields are read (a `required` field's, such as the key's, comes first).
    Missing(Problem),
}

/// The value of `text`, the cell `index` of `row`, for `field`.
fn value(
    table: &Table<'_>,
    row: &Row,
    index: usize,
    field: &Field,
    text: &str,
    people: Option<&People>,
) -> Result<Converted, Problem> {
    let column = table.columns.get(index).map_or("", String::as_str);
    let problem = |message: String| table.problem(row, index, message);
    let listed = field.empty.iter().any(|e| same_text(e, text));
    // A list cell of separators alone (`;`) holds no item: it is empty, not an explicit
    // "none" (which a mapping says with `default = []`).
    let text = match &field.kind {
        Type::List(_)
            if text
                .split(field.separator.as_str())
                .all(|p| p.trim().is_empty()) =>
        {
            ""
        }
        _ => text,
    };
    if let Some(says) = field.null_says
        && text.is_empty()
        && !listed
        && field.default.is_none()
    {
        return Err(problem(format!(
            "`{column}` is empty: an empty `{}` would say {says}, and a blank cell is not taken for that unless the mapping says so: list what the export writes for it in `empty` (`empty = [\"Never\"]`), and `\"\"` if it leaves the cell blank",
            field.path
        )));
    }
    if text.is_empty() || listed {
        return match (&field.default, field.required) {
            (Some(v), _) => Ok(Converted::Value(v.clone())),
            (None, true) => Err(problem(format!(
                "`{column}` is empty, and `{}` is required",
                field.path
            ))),
            (None, false) if field.schema_required => Ok(Converted::Missing(problem(format!(
                "`{column}` is empty, and every record of the collection has `{}`: fill the cell, or give the field a `default`",
                field.path
            )))),
            (None, false) => Ok(Converted::Empty),
        };
    }
    if field.link {
        let Some(people) = people else {
            return Err(problem(format!(
                "`{}` links emails to people: give --people",
                field.path
            )));
        };
        return match people.id_by_email(text) {
            Some(id) => Ok(Converted::Value(Value::from(id))),
            None if field.unlinked == Unlinked::Error => Err(problem(format!(
                "`{text}` in `{column}` is the email of nobody in --people, and a record without `{}` is refused: add the person to the people, or, when such rows are no records, set `unlinked = \"skip-row\"` on the field to leave them out (each is listed)",
                field.path
            ))),
            None => Ok(Converted::Unlinked),
        };
    }
    let kind = match &field.kind {
        Type::List(item) => {
            let mut items = Vec::new();
            for part in text.split(field.separator.as_str()) {
                let part = part.trim();
                if part.is_empty() {
                    continue;
                }
                items.push(one(part, item, field, column).map_err(problem)?);
            }
            return Ok(Converted::Value(Value::Array(items)));
        }
        other => other,
    };
    one(text, kind, field, column)
        .map(Converted::Value)
        .map_err(problem)
}

/// One value of type `kind` from `text`, through the field's value map.
fn one(text: &str, kind: &Type, field: &Field, column: &str) -> Result<Value, String> {
    if let Some(values) = &field.values {
        let found = values.get(text).or_else(|| {
            values
                .iter()
                .find(|(k, _)| same_text(k, text))
                .map(|(_, v)| v)
        });
        match found {
            Some(v) => return Ok(v.clone()),
            None if !field.keep_unmapped => {
                let listed: Vec<String> = values.keys().map(|k| format!("`{k}`")).collect();
                return Err(format!(
                    "`{text}` in `{column}` is not in the values of `{}`: expected one of {} (or set `unmapped = \"keep\"`)",
                    field.path,
                    listed.join(", ")
                ));
            }
            None => {}
        }
    }
    let wrong = || {
        format!(
            "`{text}` in `{column}` is not {} (for `{}`)",
            field.expects(),
            field.path
        )
    };
    Ok(match kind {
        Type::String | Type::List(_) => Value::from(text),
        Type::Date => {
            let date = match &field.format {
                Some(format) => dates::with_format(text, format),
                None => dates::iso(text),
            };
            match date {
                Some(d) => Value::from(d.to_string()),
                None => {
                    let expected = field.format.as_ref().map_or(
                        "an ISO 8601 date (2026-06-28) or date-time".to_owned(),
                        |f| match f.contains("%Y") {
                            true => format!("a date in the format `{f}` (`%Y`: a four-digit year)"),
                            false => format!("a date in the format `{f}`"),
                        },
                    );
                    return Err(format!(
                        "`{text}` in `{column}` is not a date: expected {expected}"
                    ));
                }
            }
        }
        Type::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Value::Bool(true),
            "false" | "no" | "n" | "0" => Value::Bool(false),
            _ => {
                return Err(format!(
                    "`{text}` in `{column}` is not true or false (yes/no, y/n, 1/0 are read too; or map it with `values`)"
                ));
            }
        },
        Type::Integer => Value::from(text.parse::<i64>().map_err(|_| wrong())?),
        Type::Number => {
            if let Ok(i) = text.parse::<i64>() {
                Value::from(i)
            } else {
                let f: f64 = text.parse().map_err(|_| wrong())?;
                Value::Number(Number::from_f64(f).ok_or_else(wrong)?)
            }
        }
    })
}
