//! A CSV export read as a table: its header, and rows whose cells know their line and
//! column, so that every problem with a value is reported where the value is. Parsing is
//! the `csv` crate's (RFC 4180: quoted fields, quotes doubled, line breaks inside quotes);
//! what it passes over in silence is refused here: a quote never closed (the crate reads the
//! rest of the file into one cell), text after the quote that closes a quoted cell (a quote
//! inside it not doubled: the crate joins the text to the cell), and a column read by name
//! that the header repeats (the crate keeps both, and the first would win unseen).

use super::records::Place;
use super::{Input, Problem};

/// A parsed CSV file. Blank lines and rows whose every cell is empty are skipped.
pub struct Table<'a> {
    input: &'a Input,
    /// The text parsed (the input without a leading byte-order mark).
    text: &'a str,
    delimiter: char,
    /// The column names, as the header writes them.
    pub columns: Vec<String>,
    /// The header row, to place its columns.
    header: Row,
    /// The rows, in file order.
    pub rows: Vec<Row>,
}

/// The delimiter the first line of `input` seems separated by, when it is not `delimiter`:
/// it holds no `delimiter` and holds `;`, a tab, `|` or `,`.
pub fn seems_separated_by(input: &Input, delimiter: u8) -> Option<char> {
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(&input.text);
    let first = text.lines().find(|l| !l.trim().is_empty())?;
    other_delimiter(&[first.to_owned()], char::from(delimiter))
}

/// The delimiter a header of `columns`, read as separated by `delimiter`, seems to be
/// separated by instead: one column holding `;`, a tab, `|` or `,` (the most of them).
fn other_delimiter(columns: &[String], delimiter: char) -> Option<char> {
    let [only] = columns else {
        return None;
    };
    [';', '\t', '|', ',']
        .into_iter()
        .filter(|d| *d != delimiter)
        .map(|d| (only.matches(d).count(), d))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, d)| d)
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
    /// the header, and every quote that opens a cell must close it.
    pub fn parse(input: &'a Input, delimiter: u8) -> Result<Table<'a>, Problem> {
        let text = input.text.strip_prefix('\u{feff}').unwrap_or(&input.text);
        let bad_quote = Quote::find(text, char::from(delimiter));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .from_reader(text.as_bytes());
        let csv_problem = |e: csv::Error| -> Problem {
            let at = e.position().map(|p| start(text, p, (0, 1)));
            // A row that starts at or after the row of a bad quote is broken by it.
            if let Some(quote) = bad_quote.filter(|q| at.is_none_or(|(_, b)| b >= q.row)) {
                return quote.problem(&input.name, text);
            }
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
                Some((line, _)) => Problem::at(&input.name, line, 1, message),
                None => Problem::file(&input.name, message),
            }
        };
        let header = Row::of(reader.headers().map_err(csv_problem)?, text, (0, 1));
        if let Some(quote) = bad_quote.filter(|q| q.row <= header.start) {
            return Err(quote.problem(&input.name, text));
        }
        let columns: Vec<String> = header.cells.iter().map(|c| c.trim().to_owned()).collect();
        if columns.iter().all(String::is_empty) {
            return Err(Problem::file(
                &input.name,
                "the file is empty: expected a CSV header",
            ));
        }
        let mut rows: Vec<Row> = Vec::new();
        // Where the last row started, and its line: each row's line is counted from there.
        let mut after = (header.start, header.line);
        for record in reader.records() {
            let record = record.map_err(csv_problem).map_err(|mut p| {
                if let Some(d) = other_delimiter(&columns, char::from(delimiter)) {
                    p.message.push_str(&format!(
                        "; the header looks separated by `{}`, not `{}`",
                        d.escape_default(),
                        char::from(delimiter).escape_default()
                    ));
                }
                p
            })?;
            // A row of empty cells (`,,,`, what Excel writes for the rows it was given below
            // the data) is no record: skipped, as blank lines are.
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let row = Row::of(&record, text, after);
            after = (row.start, row.line);
            rows.push(row);
        }
        if let Some(quote) = bad_quote {
            return Err(quote.problem(&input.name, text));
        }
        Ok(Table {
            input,
            text,
            delimiter: char::from(delimiter),
            columns,
            header,
            rows,
        })
    }

    /// The index of the column named `name` (compared without surrounding spaces), or
    /// `None` when the header lacks it. A name the header has more than once is an error:
    /// which cell is meant cannot be told.
    pub fn column(&self, name: &str) -> Result<Option<usize>, Problem> {
        let found: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| *c == name)
            .map(|(i, _)| i)
            .collect();
        match found[..] {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => Err(self.repeated(name, &found)),
        }
    }

    /// The error for a column read by name that the header has at each of `at` (two or
    /// more indexes): placed at its second place, naming every place.
    fn repeated(&self, name: &str, at: &[usize]) -> Problem {
        let times = match at.len() {
            2 => "twice".to_owned(),
            n => format!("{n} times"),
        };
        let (line, column) = self.locate(&self.header, at.get(1).copied().unwrap_or(0));
        Problem::at(
            &self.input.name,
            line,
            column,
            format!(
                "the header (line {}) has the column `{name}` {times}, as columns {}: it is read, and which one is meant is not guessed; rename or remove the others",
                self.header.line,
                numbers(at)
            ),
        )
    }

    /// The indexes of `names`, all required; a missing one is an error naming it and the
    /// columns the file has, a repeated one an error naming its places.
    pub fn require<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N], Problem> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self.column(name)?.ok_or_else(|| self.missing(name))?;
        }
        Ok(out)
    }

    /// The error for a required column the file does not have.
    pub fn missing(&self, name: &str) -> Problem {
        let hint = self
            .other_delimiter()
            .map(|d| {
                format!(
                    "; the header looks separated by `{}`, not `{}`",
                    d.escape_default(),
                    self.delimiter.escape_default()
                )
            })
            .unwrap_or_default();
        Problem::at(
            &self.input.name,
            self.header.line,
            1,
            format!(
                "missing required column `{name}` (the columns found: {}){hint}",
                self.columns.join(", ")
            ),
        )
    }

    /// The delimiter the header seems separated by, when it is one column that holds
    /// another (`ID;Name;Email`, read as separated by `,`).
    fn other_delimiter(&self) -> Option<char> {
        other_delimiter(&self.columns, self.delimiter)
    }

    /// Refuses a table with no rows (a header alone): each row is one `expected`.
    pub fn require_rows(&self, expected: &str) -> Result<(), Problem> {
        if self.rows.is_empty() {
            return Err(super::no_records(
                self.input,
                "the file has a header and no rows",
                expected,
            ));
        }
        Ok(())
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
    /// row's text again as the parser did (quotes hide delimiters and line breaks).
    fn locate(&self, row: &Row, index: usize) -> (usize, usize) {
        let rest = self.text.get(row.start..).unwrap_or_default();
        let mut offset = rest.len();
        let mut cell = 0;
        let mut state = State::CellStart;
        for (i, c) in rest.char_indices() {
            if cell == index {
                offset = i;
                break;
            }
            let (next, step) = state.next(c, self.delimiter);
            state = next;
            match step {
                Step::CellEnd => cell += 1,
                Step::RowEnd => {
                    offset = i;
                    break;
                }
                Step::Text => {}
            }
        }
        line_col_from(self.text, (row.start, row.line), row.start + offset)
    }
}

impl Row {
    /// The row of a record the parser read from `text`; `after` is the byte offset and
    /// line of a line start at or before it, where its line is counted from.
    fn of(record: &csv::StringRecord, text: &str, after: (usize, usize)) -> Row {
        let (line, start) = record.position().map_or((1, 0), |p| start(text, p, after));
        Row {
            cells: record.iter().map(str::to_owned).collect(),
            start,
            line,
        }
    }
}

/// Where a reader is in CSV as the `csv` crate reads it: a quote opens a quoted cell only
/// at the start of a cell (elsewhere it is text); inside one, `""` is a quote, and text
/// after the closing quote joins the cell.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a cell.
    CellStart,
    /// In a cell that is not quoted.
    Unquoted,
    /// In a quoted cell.
    Quoted,
    /// Just after a quote in a quoted cell: it closes the cell, or with the next quote is one.
    QuoteInQuoted,
}

/// What a character was.
enum Step {
    /// Part of a cell (or of its quoting).
    Text,
    /// The delimiter that ends a cell.
    CellEnd,
    /// A line break (`\r` or `\n`) that ends a row.
    RowEnd,
}

impl State {
    /// The state after `c`, and what `c` was.
    fn next(self, c: char, delimiter: char) -> (State, Step) {
        let ends = |c: char| {
            if c == delimiter {
                Some(Step::CellEnd)
            } else if c == '\n' || c == '\r' {
                Some(Step::RowEnd)
            } else {
                None
            }
        };
        match (self, c) {
            (State::CellStart, '"') | (State::QuoteInQuoted, '"') => (State::Quoted, Step::Text),
            (State::Quoted, '"') => (State::QuoteInQuoted, Step::Text),
            (State::Quoted, _) => (State::Quoted, Step::Text),
            (_, c) => match ends(c) {
                Some(step) => (State::CellStart, step),
                None => (State::Unquoted, Step::Text),
            },
        }
    }
}

/// A quote the parser reads without a word, but not as RFC 4180 writes it: the first of the
/// file.
#[derive(Clone, Copy)]
struct Quote {
    /// The byte offset of the quote.
    quote: usize,
    /// The byte offset where its row starts.
    row: usize,
    /// Whether it opens a cell and is never closed (the parser reads the rest of the file
    /// into that cell), or else closes a quoted cell and text follows it (a quote inside the
    /// cell not doubled: the parser joins the text to the cell, `"CTO "Chief""` read as
    /// `CTO Chief""`).
    unclosed: bool,
}

impl Quote {
    /// The first quote of `text` that is never closed or followed by text, if there is one.
    fn find(text: &str, delimiter: char) -> Option<Quote> {
        let (mut quote, mut row) = (0, 0);
        let mut state = State::CellStart;
        for (offset, c) in text.char_indices() {
            let (next, step) = state.next(c, delimiter);
            if state == State::CellStart && next == State::Quoted {
                quote = offset;
            }
            if state == State::QuoteInQuoted && next == State::Unquoted {
                return Some(Quote {
                    quote: offset - 1,
                    row,
                    unclosed: false,
                });
            }
            state = next;
            if let Step::RowEnd = step {
                row = offset + c.len_utf8();
            }
        }
        (state == State::Quoted).then_some(Quote {
            quote,
            row,
            unclosed: true,
        })
    }

    /// The problem, placed at the quote.
    fn problem(self, file: &str, text: &str) -> Problem {
        let (line, column) = line_col_from(text, (0, 1), self.quote);
        let message = if self.unclosed {
            format!(
                "the quote opened at line {line}, column {column} is never closed: the rest of the file would be one cell; end the cell with a quote, and write a quote inside a quoted cell twice (`\"\"`)"
            )
        } else {
            "text follows the quote that closes this quoted cell: a quote inside a quoted cell is written twice (`\"\"`), and the cell ends at its closing quote (RFC 4180); what the cell holds is not guessed".to_owned()
        };
        Problem::at(file, line, column, message)
    }
}

/// The line and byte offset where the record the parser places at `position` starts: the
/// parser places a record where it began reading it, before the blank lines it skips.
/// `after` is the byte offset and line of a line start at or before it (the previous row's,
/// so that the rows of a file are counted in one pass), else the text's start is.
fn start(text: &str, position: &csv::Position, after: (usize, usize)) -> (usize, usize) {
    let mut byte = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    while let Some(b'\r' | b'\n') = text.as_bytes().get(byte) {
        byte += 1;
    }
    let byte = byte.min(text.len());
    let from = if after.0 <= byte { after } else { (0, 1) };
    (line_col_from(text, from, byte).0, byte)
}

/// The line and column (in characters) of the byte `offset` of `text`, counted from `from`:
/// the byte offset and line of a line start at or before it. A line ends at `\n`, `\r\n`
/// or a `\r` alone, as the parser ends rows: an export saved with the carriage returns of
/// classic Mac OS (Excel's "CSV (Macintosh)") is placed at the lines an editor shows, not
/// all on line 1.
fn line_col_from(text: &str, from: (usize, usize), offset: usize) -> (usize, usize) {
    let (start, mut line) = from;
    let bytes = text.as_bytes();
    let offset = offset.min(text.len());
    let mut line_start = start;
    for (i, b) in bytes
        .get(start..offset)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let at = start + i;
        if *b == b'\n' || (*b == b'\r' && bytes.get(at + 1) != Some(&b'\n')) {
            line += 1;
            line_start = at + 1;
        }
    }
    let column = text
        .get(line_start..offset)
        .map_or(0, |t| t.chars().count())
        + 1;
    (line, column)
}

/// Column numbers (1-based) of the indexes `at`: `2 and 5`, `2, 5 and 9`.
fn numbers(at: &[usize]) -> String {
    let shown: Vec<String> = at.iter().map(|i| (i + 1).to_string()).collect();
    match shown.split_last() {
        Some((last, others)) if !others.is_empty() => format!("{} and {last}", others.join(", ")),
        _ => shown.concat(),
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
        // Blank lines before a row are not the row.
        let file = input("a,b\r\n\r\n\n1,2\n\n3\n");
        let t = Table::parse(&file, b',').err().unwrap();
        assert_eq!(
            t.to_string(),
            "t.csv:6:1: this row has 1 cell, the header 2 columns"
        );
        let file = input("a,b\n\n\n1,2\n");
        let t = Table::parse(&file, b',').unwrap();
        assert_eq!(t.problem(&t.rows[0], 1, "m").to_string(), "t.csv:4:3: m");
        // Rows of empty cells are skipped too; a row with one cell is a row.
        let file = input("a,b\n,\n1,2\n , \n,3\n,\n");
        let t = Table::parse(&file, b',').unwrap();
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 5]);
    }

    #[test]
    fn a_carriage_return_alone_ends_a_line_as_it_ends_a_row() {
        // Classic Mac OS line breaks (Excel's "CSV (Macintosh)"): each row on its own line,
        // as an editor shows it, not every row on line 1.
        let file = input("a,b\r1,\"x\ry\"\r\r3,4\r");
        let t = Table::parse(&file, b',').unwrap();
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5]);
        assert_eq!(t.problem(&t.rows[0], 1, "m").to_string(), "t.csv:2:3: m");
        assert_eq!(t.problem(&t.rows[1], 1, "m").to_string(), "t.csv:5:3: m");
        let err = |text: &str| Table::parse(&input(text), b',').err().unwrap().to_string();
        assert_eq!(
            err("a,b\r1,2\r3\r"),
            "t.csv:3:1: this row has 1 cell, the header 2 columns"
        );
        assert!(
            err("a,b\r1,2\r3,\"4\r").starts_with("t.csv:3:3: the quote opened at line 3, column 3")
        );
        // Mixed with CRLF and LF, each break is one line.
        let file = input("a,b\r\n1,2\n3,4\r5,6\r\n");
        let t = Table::parse(&file, b',').unwrap();
        let lines: Vec<usize> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 4]);
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
    fn a_repeated_column_is_an_error_when_read() {
        let file = input("a,b,a\n1,2,3\n");
        let t = Table::parse(&file, b',').unwrap();
        assert_eq!(t.column("b").unwrap(), Some(1));
        assert_eq!(t.column("c").unwrap(), None);
        assert_eq!(
            t.column("a").err().unwrap().to_string(),
            "t.csv:1:5: the header (line 1) has the column `a` twice, as columns 1 and 3: it is read, and which one is meant is not guessed; rename or remove the others"
        );
        // Compared without surrounding spaces, placed past quotes, counted past two.
        let file = input("\n\"x,y\", a ,b,a,a\n1,2,3,4,5\n");
        let t = Table::parse(&file, b',').unwrap();
        let e = t.require(["b", "a"]).err().unwrap().to_string();
        assert!(
            e.starts_with(
                "t.csv:2:13: the header (line 2) has the column `a` 3 times, as columns 2, 4 and 5:"
            ),
            "{e}"
        );
    }

    #[test]
    fn an_unclosed_quote_is_placed_where_it_opens() {
        let err = |text: &str| Table::parse(&input(text), b',').err().unwrap().to_string();
        let never = |line: usize, column: usize| {
            format!(
                "t.csv:{line}:{column}: the quote opened at line {line}, column {column} is never closed:"
            )
        };
        // The rest of the file swallowed: once a ragged row, once a row that parses.
        assert!(err("a,b\n1,2\n\"3,4\n5,6\n").starts_with(&never(3, 1)));
        assert!(err("a,b\n1,2\n3,\"4\n").starts_with(&never(3, 3)));
        assert!(err("a,\"b\n1,2\n").starts_with(&never(1, 3)));
        assert!(err("a,b,c\n\"\"\"1\"\"\",\"é\",\"x\n").starts_with(&never(2, 13)));
        // A ragged row before the quote is reported first.
        assert_eq!(
            err("a,b\n1\n\"2,3\n"),
            "t.csv:2:1: this row has 1 cell, the header 2 columns"
        );
        // A quote inside a cell that does not start with one is text, as the parser reads it.
        let file = input("a,b,c\n24\" screen,\"x\"\"y\",3\n");
        let t = Table::parse(&file, b',').unwrap();
        assert_eq!(t.rows[0].cells, ["24\" screen", "x\"y", "3"]);
        assert_eq!(t.problem(&t.rows[0], 2, "m").to_string(), "t.csv:2:19: m");
    }

    #[test]
    fn text_after_a_closing_quote_is_placed_at_the_quote() {
        let err = |text: &str| Table::parse(&input(text), b',').err().unwrap().to_string();
        let stray = |line: usize, column: usize| {
            format!("t.csv:{line}:{column}: text follows the quote that closes this quoted cell:")
        };
        let cases = [
            ("a,b\n1,\"CTO \"Chief\"\"\n", (2, 8)),
            ("a,b\n\"x\ny\" z,2\n", (3, 2)),
            ("\"a\"b,c\n1,2\n", (1, 3)),
            // Before a ragged row after it, and before a quote never closed after it.
            ("a,b\n\"1\"x,2\n3\n", (2, 3)),
            ("a,b\n\"1\"x,2\n3,\"4\n", (2, 3)),
        ];
        for (text, (line, column)) in cases {
            let e = err(text);
            assert!(e.starts_with(&stray(line, column)), "{text:?}: {e}");
        }
        // A closing quote followed by the delimiter, a line break or the end is a cell's end.
        let file = input("a,b\r\n\"1\",\"x\"\"y\"\r\n\"2\",\"\"");
        let t = Table::parse(&file, b',').unwrap();
        assert_eq!(t.rows[0].cells, ["1", "x\"y"]);
        assert_eq!(t.rows[1].cells, ["2", ""]);
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
