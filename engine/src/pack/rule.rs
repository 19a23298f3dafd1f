//! A rule file: the TOML metadata header in its leading `//!` lines, and the Rhai body.

use super::RuleMeta;
use super::analysis::Analysis;
use super::diagnostic::{Diagnostic, DiagnosticCode};
use super::span;
use crate::place::At;
use crate::place::line_col;
use std::sync::Arc;

/// A rule as loaded from a pack.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its metadata.
    pub meta: RuleMeta,
    /// The name of the pack that defines it (a base pack's, for inherited rules).
    pub pack: String,
    /// The file, relative to its pack's folder.
    pub path: String,
    /// The whole file (header included, so positions match the file).
    pub source: String,
    /// The text of its cases file (`<name>.cases.json` beside it), if it has one.
    pub cases: Option<String>,
    /// What linting worked out from its text (set when its pack is linted).
    pub(crate) analysis: Option<Arc<Analysis>>,
}

impl Rule {
    /// The path of the rule's cases file.
    pub fn cases_path(&self) -> String {
        format!("{}.cases.json", self.path.trim_end_matches(".rhai"))
    }
}

/// A rule's `//!` header: the TOML text of its lines, and for each of them the file line and
/// the column where its text starts, so positions in the TOML map back to the file.
pub(crate) struct Header {
    /// The TOML text.
    pub(crate) text: String,
    starts: Vec<(u32, u32)>,
}

impl Header {
    /// The header of a rule file (empty when the file has none).
    pub(crate) fn of(source: &str) -> Header {
        let mut text = String::new();
        let mut starts: Vec<(u32, u32)> = Vec::new();
        for (i, line) in source.lines().enumerate() {
            let Some(rest) = line.trim_start().strip_prefix("//!") else {
                break;
            };
            let indent = line.len() - line.trim_start().len();
            let body = rest.strip_prefix(' ').unwrap_or(rest);
            let col = indent + 3 + usize::from(rest.len() != body.len()) + 1;
            starts.push((
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                u32::try_from(col).unwrap_or(u32::MAX),
            ));
            text.push_str(body);
            text.push('\n');
        }
        Header { text, starts }
    }

    /// Whether the file has no `//!` line.
    pub(crate) fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The file's line and column of a byte offset of the header's TOML text.
    pub(crate) fn position(&self, offset: usize) -> (u32, u32) {
        // An offset past the last `//!` line (an error at the end of the header, such as an
        // unclosed string) is the end of that line.
        let offset = offset.min(self.text.trim_end_matches('\n').len());
        let (hline, hcol) = line_col(&self.text, offset);
        let (line, col0) = self
            .starts
            .get((hline as usize).saturating_sub(1))
            .copied()
            .unwrap_or((1, 1));
        (line, col0 + hcol.saturating_sub(1))
    }

    /// The file's line and column of the header item at `path` (see [`span::toml_offset`]).
    pub(crate) fn locate<S: AsRef<str>>(&self, path: &[S], at: At) -> Option<(u32, u32)> {
        span::toml_offset(&self.text, path, at).map(|o| self.position(o))
    }
}

/// Splits the `//!` header from a rule file and parses it.
pub(crate) fn parse(path: &str, source: &str) -> Result<RuleMeta, Diagnostic> {
    let header = Header::of(source);
    if header.is_empty() {
        return Err(Diagnostic::new(
            DiagnosticCode::InvalidHeader,
            path,
            "missing the rule header: the file must start with `//!` lines holding id, title, controls, severity, owner, facts and remediation",
        )
        .at(1, 1));
    }
    super::from_toml::rule_meta(&header.text).map_err(|e| {
        let (line, col) = header.position(e.offset.unwrap_or(0));
        Diagnostic::new(
            DiagnosticCode::InvalidHeader,
            path,
            format!("invalid rule header: {}", e.message),
        )
        .at(line, col)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::Owner;

    const GOOD: &str = r#"//! id = "x.y"
//! title = "T"
//! controls = ["CC6.1"]
//! severity = "high"
//! owner = "IT"
//! facts = ["accounts"]
//! remediation = "Fix it."
for a in facts.accounts {}
"#;

    #[test]
    fn an_error_at_the_end_of_the_header_is_placed_on_its_last_line() {
        // An unclosed multi-line string runs to the end of the header: the file has 3 lines.
        let source = "//! id = \"x.y\"\n//! title = '''T\nfor a in facts.accounts {}";
        let e = parse("r.rhai", source).unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.column.is_some_and(|c| c >= 1), "{e}");
    }

    #[test]
    fn parses_the_header() {
        let meta = parse("r.rhai", GOOD).unwrap();
        assert_eq!(meta.id, "x.y");
        assert_eq!(meta.owner, Owner::It);
        assert!(meta.params.is_empty());
    }

    #[test]
    fn header_errors_point_into_the_file() {
        let bad = GOOD.replace("\"high\"", "\"urgent\"");
        let d = parse("r.rhai", &bad).unwrap_err();
        assert_eq!((d.line, d.column), (Some(4), Some(16)));
        assert!(
            d.message.contains("unknown variant `urgent`"),
            "{}",
            d.message
        );
        let d = parse("r.rhai", "let x = 1;").unwrap_err();
        assert!(d.message.starts_with("missing the rule header"));
    }
}
