//! `csv --mapping MAP.toml`: any CSV export (an HRIS's people, an LMS's training records, a
//! vendor register, a policy list) through a mapping file ([`super::mapping`]): each row a
//! record of the mapping's collection.
//!
//! A `link = "email"` field whose email is nobody's in `--people` is left out of its
//! record, and listed on stderr with its line; when the field is `required` (a training
//! record without its person means nothing), the whole row is left out.

use super::identity::People;
use super::mapping::{Field, Mapping, Piece, Source, Type};
use super::records::{Place, Record};
use super::table::{self, Row, Table};
use super::{Input, Problem, dates};
use serde_json::{Number, Value};
use std::collections::HashMap;

/// What an import left out.
#[derive(Debug, Default)]
pub struct LeftOut {
    /// Rows left out by the mapping's `skip`.
    pub skipped: usize,
    /// Emails linked to nobody: `file:line`, the email, and whether the row was left out
    /// (the field is required) or only the field.
    pub unlinked: Vec<(String, String, bool)>,
}

/// Imports the rows of `input` through `mapping`, linking emails to `people`.
pub fn import(
    input: &Input,
    mapping: &Mapping,
    people: Option<&People>,
    left_out: &mut LeftOut,
) -> Result<Vec<Record>, Problem> {
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
    let mut out = Vec::new();
    'rows: for row in &table.rows {
        let cell = |name: &str| -> (&str, usize) {
            let i = indexes.get(name).copied().unwrap_or(0);
            (row.cells.get(i).map_or("", |c| c.trim()), i)
        };
        for (column, values) in &mapping.skip {
            // Compared as `values` maps compare: trimmed, without regard to case.
            let text = cell(column).0;
            if values.iter().any(|v| v.trim().eq_ignore_ascii_case(text)) {
                left_out.skipped += 1;
                continue 'rows;
            }
        }
        let mut record = Record::new(Place {
            file: table.file().to_owned(),
            line: row.line,
            column: 1,
        });
        for field in &mapping.fields {
            let (text, index) = match &field.source {
                Source::Value(v) => {
                    record.set(&field.path, v.clone());
                    continue;
                }
                Source::Column(c) => {
                    let (text, i) = cell(c);
                    (text.to_owned(), i)
                }
                Source::Template(pieces) => {
                    let mut text = String::new();
                    let mut first = None;
                    for piece in pieces {
                        match piece {
                            Piece::Text(t) => text.push_str(t),
                            Piece::Column(c) => {
                                let (t, i) = cell(c);
                                first.get_or_insert(i);
                                text.push_str(t);
                            }
                        }
                    }
                    (text.trim().to_owned(), first.unwrap_or(0))
                }
            };
            let place = table.place(row, index);
            let value = match value(&table, row, index, field, &text, people)? {
                Converted::Value(v) => v,
                Converted::Empty => continue,
                Converted::Unlinked => {
                    let at = format!("{}:{}", table.file(), row.line);
                    left_out.unlinked.push((at, text, field.required));
                    if field.required {
                        continue 'rows;
                    }
                    continue;
                }
            };
            record.set_from(&field.path, value, place);
        }
        out.push(record);
    }
    Ok(out)
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
    let listed = field
        .empty
        .iter()
        .any(|e| e.trim().eq_ignore_ascii_case(text));
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
        return Ok(match people.id_by_email(text) {
            Some(id) => Converted::Value(Value::from(id)),
            None => Converted::Unlinked,
        });
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
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(text))
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
