//! Problems found in a pack, each pinned to a file, line and column.

use std::fmt;

/// Whether a diagnostic stops the pack from loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticSeverity {
    /// The pack cannot be used.
    Error,
    /// Worth fixing; the pack still loads.
    Warning,
}

/// One problem in a pack's files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// A stable, kebab-case code (`unknown-control`), for editors, CI and docs.
    pub code: String,
    /// Error or warning.
    pub severity: DiagnosticSeverity,
    /// The pack file, relative to the pack's folder.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(code: &str, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: code.to_owned(),
            severity: DiagnosticSeverity::Error,
            file: file.to_owned(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub(crate) fn warning(mut self) -> Diagnostic {
        self.severity = DiagnosticSeverity::Warning;
        self
    }

    /// Whether the diagnostic stops the pack from loading.
    pub fn is_error(&self) -> bool {
        self.severity == DiagnosticSeverity::Error
    }

    pub(crate) fn at(mut self, line: u32, column: u32) -> Diagnostic {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Places the diagnostic at a byte offset of `text`.
    pub(crate) fn at_offset(self, text: &str, offset: usize) -> Diagnostic {
        let (line, column) = line_col(text, offset);
        self.at(line, column)
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        let level = match self.severity {
            DiagnosticSeverity::Error => "error",
            DiagnosticSeverity::Warning => "warning",
        };
        write!(f, ": {level}[{}]: {}", self.code, self.message)
    }
}

/// A pack that cannot be used, with every problem found.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", render(.0))]
pub struct PackError(pub Vec<Diagnostic>);

fn render(diags: &[Diagnostic]) -> String {
    let n = diags.len();
    let mut s = format!("the pack has {n} problem{}", if n == 1 { "" } else { "s" });
    for d in diags {
        s.push_str("\n  ");
        s.push_str(&d.to_string());
    }
    s
}
