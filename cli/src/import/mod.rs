//! Importers: the exports teams already have (an AWS IAM credential report, Okta's users,
//! GitHub's organization members, the Google Workspace user list, any CSV through a mapping)
//! turned into facts-v1 collections, ready to sit in a facts folder beside the rest. Each
//! source has its file; what they share is here: the files read, where a problem is
//! (file, line, column), and the records written, sorted by their key.

pub mod accounts;
pub mod aws_iam;
pub mod dates;
pub mod detect;
pub mod existing;
pub mod github;
pub mod google_workspace;
pub mod identity;
pub mod mapped_csv;
pub mod mapping;
pub mod okta;
pub mod pages;
pub mod records;
pub mod table;

use attest_engine::facts::{json_message, json_place};
use std::fmt;

/// One file handed to an importer: the name shown in messages and its text.
#[derive(Debug, Clone)]
pub struct Input {
    /// The path as given, with `/` separators.
    pub name: String,
    /// Its text.
    pub text: String,
}

impl Input {
    /// The input `name` whose text is `text`, without the byte order mark that Excel,
    /// Notepad and PowerShell write first: every importer, flag file and `--people` file
    /// reads the text as it is shown, and lines and columns count from there.
    pub fn new(name: String, text: String) -> Input {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        Input { name, text }
    }
}

/// An input that cannot be imported, and where: the file, and the line and column when the
/// problem is at one place of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column (counted in characters).
    pub column: Option<usize>,
    /// What is wrong, and what was expected.
    pub message: String,
}

impl Problem {
    /// A problem with the whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_owned(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    /// A problem at a line and column of a file.
    pub fn at(file: &str, line: usize, column: usize, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_owned(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }

    /// A problem at a byte offset of `text`, the text of `file`.
    pub fn at_offset(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Problem {
        let (line, column) = attest_cli::inputs::line_col(text, offset);
        Problem::at(file, line, column, message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// The refusal of an export that holds no records: `found` says what it holds instead (a
/// header and no rows, an empty list), `expected` what each record is (`user`, `member`).
/// Absence is never compliance: an empty export (a failed download, a filter that matched
/// nothing, the wrong file) would leave the rules on its collection nothing to fail, unseen.
pub fn no_records(input: &Input, found: &str, expected: &str) -> Problem {
    Problem::file(
        &input.name,
        format!(
            "{found}: expected at least one {expected}; an export with none is refused, as it would leave the rules on these records nothing to check"
        ),
    )
}

/// Parses a JSON export, with the place of a syntax error. An object that gives one key
/// twice is refused at the second, as `attest validate` refuses it (the engine's parser):
/// serde_json would keep the last value silently.
pub fn parse_json(input: &Input) -> Result<serde_json::Value, Problem> {
    attest_engine::facts::parse_json(&input.text).map_err(|e| {
        let (line, column) = json_place(&input.text, &e);
        Problem::at(
            &input.name,
            line,
            column,
            format!("invalid JSON: {}", json_message(&e)),
        )
    })
}
