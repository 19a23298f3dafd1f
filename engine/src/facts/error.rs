//! Why a facts document could not be used. Every value in a message (file names, keys,
//! pointers) is shown with its control characters escaped, so each problem is one line.

use crate::escape::line as shown;
use std::fmt;

/// A problem found in facts: its JSON Pointer, the message, and the line and column (1-based)
/// of its value where its record's text says (worked out afterwards, for the problems alone).
pub(crate) type Problem = (String, String, Option<(u32, u32)>);

/// A file that is not valid JSON: where the parser stopped, and what it expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: invalid JSON: {}", shown(.file), shown(.message))]
pub struct JsonSyntax {
    /// The file's name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What the parser expected.
    pub message: String,
}

impl JsonSyntax {
    /// The place and message of serde_json's error `e` in `text`, the file `file`'s: an
    /// empty file (or one of white space alone) is said to be one.
    pub fn new(file: &str, text: &str, e: &serde_json::Error) -> JsonSyntax {
        let message = match text.trim().is_empty() {
            true => "the file is empty".to_owned(),
            false => json_message(e),
        };
        let (line, column) = json_place(text, e);
        JsonSyntax {
            file: file.to_owned(),
            line,
            column,
            message,
        }
    }
}

/// What serde_json says of `e`, without the "at line L column C" it ends with: a message
/// shows the place once, before it, as `file:line:column`.
pub fn json_message(e: &serde_json::Error) -> String {
    let place = format!(" at line {} column {}", e.line(), e.column());
    let text = e.to_string();
    match text.strip_suffix(&place) {
        Some(message) => message.to_owned(),
        None => text,
    }
}

/// The 1-based line and column of `e`, raised on `text`. serde_json places an error at the
/// last character it read, and says column 0 for the start of a line (editors' column 1). A
/// text that ends too early is placed at its end, just past its last character that is not
/// white space, as editors show it: serde_json would name the line after a final line break,
/// which holds nothing. An empty file (or one of white space alone) is placed at 1:1.
pub fn json_place(text: &str, e: &serde_json::Error) -> (usize, usize) {
    if e.classify() != serde_json::error::Category::Eof {
        return (e.line(), e.column().max(1));
    }
    let text = crate::facts::json::without_bom(text);
    let end = text.trim_end_matches([' ', '\t', '\n', '\r']).len();
    let (line, column) = crate::place::line_col(text, end);
    (line as usize, column as usize)
}

/// A facts document that cannot be evaluated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FactsError {
    /// A source is not valid JSON.
    #[error(transparent)]
    Syntax(JsonSyntax),
    /// A source's top level is not a JSON object.
    #[error("{}: expected a JSON object at the top level", shown(.file))]
    NotAnObject {
        /// The source's name.
        file: String,
    },
    /// Two sources set the same non-array key.
    #[error(
        "`{}` is set by both {} and {}; only arrays can be split across files",
        shown(.key),
        shown(.first),
        shown(.second)
    )]
    Conflict {
        /// The key.
        key: String,
        /// The file that set it first.
        first: String,
        /// The file that set it again.
        second: String,
    },
    /// The document does not match the facts schema.
    #[error("{}", Violations(.0))]
    Invalid(Vec<Violation>),
}

/// One place where the facts do not match the contract.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The file the offending record came from, when known.
    pub file: Option<String>,
    /// The line of the offending value, when known: for a value inside a record of a
    /// collection, its own line; else where the record (or top-level member) starts.
    pub line: Option<u32>,
    /// The column (1-based, in characters) of the offending value, when known: for a schema
    /// violation in a record of a collection (or a value inside one); `None` otherwise.
    pub column: Option<u32>,
    /// JSON Pointer to the offending value in the merged document.
    pub pointer: String,
    /// What was expected.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(line), Some(column)) => write!(f, "{file}:{line}:{column}: ")?,
            (Some(file), Some(line), None) => write!(f, "{file}:{line}: ")?,
            (Some(file), None, _) => write!(f, "{file}: ")?,
            _ => {}
        }
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.message)
    }
}

struct Violations<'a>(&'a [Violation]);

impl fmt::Display for Violations<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} schema violation{}", if n == 1 { "" } else { "s" })?;
        for v in self.0 {
            write!(f, "\n  {}", shown(&v.to_string()))?;
        }
        Ok(())
    }
}
