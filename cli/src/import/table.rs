//! A CSV export read as a table: its header, and rows whose cells know their line and
//! column, so that every problem with a value is reported where the value is. Parsing is
//! the `csv` crate's (RFC 4180: quoted fields, quotes doubled, line breaks inside quotes).

use super::records::Place;
use super::{Input, Problem};

/// A parsed CSV file.
pub struct Table<'a> {
    input: &'a Input,
    /// The text parsed (the input without a leading byte-order mark).
    text: &'a str,
    delimiter: char,
    /// The column names, as the header writes them.
    pub columns: Vec<String>,
    /// The rows, in file order.
    pub rows: Vec<Row>,
}

/// One row: its cells, and the byte offset in the text where it starts.
pub struct Row {
    /// The cells, in column order.
    pub cells: Vec<String>,
    start: usize,
    /// 1-based line where the row starts.
    pub line: usize,
}

impl<'a> Table<'a> {
    /// Parses `input` as CSV separated by `delimiter`. Every row must have as many cells as
    /// the header.
    pub fn parse(input: &'a Input, delimiter: u8) -> Result<Table<'a>, Problem> {
        let text = input.text.strip_prefix('\u{feff}').unwrap_or(&input.text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let csv_problem = |e: csv::Error| -> Problem {
            let at = e.position().map(|p| (p.line(), p.byte()));
            let message = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!(
                    "this row has {len} cell{}, the header {expected_len} column{}",
                    plural(*len),
                    plural(*expected_len)
                ),
                csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text".to_owned(),
                _ => format!("not CSV: {e}"),
            };
            match at {
                Some((line, _)) => Problem::at(&input.name, line as usize, 1, message),
                None => Problem::file(&input.name, message),
            }
        };
        let columns: Vec<String> = reader
            .headers()
            .map_err(csv_problem)?
            .iter()
            .map(|c| c.trim().to_owned())
            .collect();
        if columns.iter().all(String::is_empty) {
            return Err(Problem::file(
                &input.name,
                "the file is empty: expected a CSV header",
            ));
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(csv_problem)?;
            let (line, start) = record
                .position()
                .map_or((0, 0), |p| (p.line() as usize, p.byte() as usize));
            rows.push(Row {
                cells: record.iter().map(str::to_owned).collect(),
                start,
                line,
            });
        }
        Ok(Table {
            input,
            text,
            delimiter: char::from(delimiter),
            columns,
            rows,
        })
    }

    /// The index of the column named `name` (compared without surrounding spaces).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The indexes of `names`, all required; a missing one is an error naming it and the
    /// columns the file has.
    pub fn require<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N], Problem> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self.column(name).ok_or_else(|| self.missing(name))?;
        }
        Ok(out)
    }

    /// The error for a required column the file does not have.
    pub fn missing(&self, name: &str) -> Problem {
        Problem::at(
            &self.input.name,
            1,
            1,
            format!(
                "missing required column `{name}` (the columns found: {})",
                self.columns.join(", ")
            ),
        )
    }

    /// The file's name.
    pub fn file(&self) -> &str {
        &self.input.name
    }

    /// A problem with the cell of `row` in column `index`, at its line and column.
    pub fn problem(&self, row: &Row, index: usize, message: impl Into<String>) -> Problem {
        let (line, column) = self.locate(row, index);
        Problem::at(&self.input.name, line, column, message)
    }

    /// Where the cell of `row` in column `index` is.
    pub fn place(&self, row: &Row, index: usize) -> Place {
        let (line, column) = self.locate(row, index);
        Place {
            file: self.input.name.clone(),
            line,
            column,
        }
    }

    /// The line and column where the cell `index` of `row` starts, found by reading the
    /// row's text again (quotes hide delimiters and line breaks).
    fn locate(&self, row: &Row, index: usize) -> (usize, usize) {
        let delimiter = self.delimiter;
        let rest = self.text.get(row.start..).unwrap_or_default();
        let (mut line, mut column) = (row.line, 1);
        let mut field = 0;
        let mut quoted = false;
        for c in rest.chars() {
            if field == index {
                break;
            }
            match c {
                '"' => quoted = !quoted,
                '\n' if !quoted => break,
                c if !quoted && c == delimiter => field += 1,
                _ => {}
            }
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        (line, column)
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> Input {
        Input {
            name: "t.csv".to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn cells_know_their_line_and_column() {
        let file = input("\u{feff}a,b,c\n1,\"x,\ny\",3\n4,5,6\n");
        let t = Table::parse(&file, b',').unwrap();
        assert_eq!(t.columns, ["a", "b", "c"]);
        assert_eq!(t.rows[0].cells, ["1", "x,\ny", "3"]);
        let at = |r: usize, i: usize| t.problem(&t.rows[r], i, "m").to_string();
        assert_eq!(at(0, 0), "t.csv:2:1: m");
        assert_eq!(at(0, 1), "t.csv:2:3: m");
        assert_eq!(at(0, 2), "t.csv:3:4: m");
        assert_eq!(at(1, 2), "t.csv:4:5: m");
    }

    #[test]
    fn missing_columns_and_ragged_rows_are_errors_with_their_place() {
        let file = input("a,b\n1,2\n");
        let t = Table::parse(&file, b',').unwrap();
        assert_eq!(
            t.require(["a", "c"]).unwrap_err().to_string(),
            "t.csv:1:1: missing required column `c` (the columns found: a, b)"
        );
        let ragged = input("a,b\n1,2\n3\n");
        let e = Table::parse(&ragged, b',').err().unwrap();
        assert_eq!(
            e.to_string(),
            "t.csv:3:1: this row has 1 cell, the header 2 columns"
        );
        assert!(Table::parse(&input(""), b',').is_err());
    }

    #[test]
    fn other_delimiters() {
        let file = input("a;b\n1;\"2;3\"\n");
        let t = Table::parse(&file, b';').unwrap();
        assert_eq!(t.rows[0].cells, ["1", "2;3"]);
        assert_eq!(t.problem(&t.rows[0], 1, "m").line, Some(2));
        assert_eq!(t.problem(&t.rows[0], 1, "m").column, Some(3));
    }
}
