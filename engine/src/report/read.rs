//! Reading a report back from its JSON (`attest eval --format json`): for `attest diff`,
//! `attest eval --baseline` and the module's `diff`, with the same checks and messages.

use super::{REPORT_VERSION, Report};
use crate::escape::line as shown;
use crate::facts::JsonSyntax;
use serde::Deserialize;
use serde_json::error::Category;

/// Why a text is not a report this engine reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The text is not JSON.
    #[error(transparent)]
    Syntax(JsonSyntax),
    /// JSON, but not a report: no `report_version` string at the top level.
    #[error("{}: not an Attest report (no report_version)", shown(.file))]
    NotAReport {
        /// The file's name.
        file: String,
    },
    /// A report of another version of the format.
    #[error(
        "{}: a report of version {}; this version of Attest reads version {REPORT_VERSION}",
        shown(.file),
        shown(.found)
    )]
    Version {
        /// The file's name.
        file: String,
        /// The version it says it is.
        found: String,
    },
    /// A report of this version whose content does not fit the format.
    #[error("{}:{line}:{column}: not a valid report: {}", shown(.file), shown(.message))]
    Invalid {
        /// The file's name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected there.
        message: String,
    },
}

/// The top level's version alone, every other member skipped unread.
#[derive(Deserialize)]
struct Version {
    report_version: Option<serde_json::Value>,
}

/// Reads the report in `text`, the file `file`'s: JSON, then a report (its
/// `report_version`), then one of this engine's version, then every member in its place
/// (but `warnings`, about the inputs of the run that wrote it, which are left unread).
pub fn read(file: &str, text: &str) -> Result<Report, ReportError> {
    let version = match serde_json::from_str::<Version>(text) {
        Ok(v) => v.report_version,
        // Valid JSON whose top level is not an object.
        Err(e) if e.classify() == Category::Data => None,
        Err(e) => return Err(ReportError::Syntax(JsonSyntax::new(file, text, &e))),
    };
    match version.as_ref().and_then(serde_json::Value::as_str) {
        Some(REPORT_VERSION) => {}
        Some(found) => {
            return Err(ReportError::Version {
                file: file.to_owned(),
                found: found.to_owned(),
            });
        }
        None => {
            return Err(ReportError::NotAReport {
                file: file.to_owned(),
            });
        }
    }
    // The place and message as for a syntax error (the text, valid JSON, is not empty).
    let report: Report = serde_json::from_str(text).map_err(|e| {
        let JsonSyntax {
            file,
            line,
            column,
            message,
        } = JsonSyntax::new(file, text, &e);
        ReportError::Invalid {
            file,
            line,
            column,
            message,
        }
    })?;
    let rules = report.rules.iter().map(|r| r.id.as_str());
    let controls = report.controls.iter().map(|c| c.id.as_str());
    once_each("rules", "rule", rules)
        .and_then(|()| once_each("controls", "control", controls))
        .map_err(|(pointer, message)| {
            let offset = crate::place::json_offset_at(text, &pointer, crate::place::At::Value);
            let (line, column) = crate::place::line_col(text, offset.unwrap_or(0));
            ReportError::Invalid {
                file: file.to_owned(),
                line: line as usize,
                column: column as usize,
                message: format!("{pointer}: {message}"),
            }
        })?;
    Ok(report)
}

/// The first of `ids` (the items of the report's list `list`) that an earlier one repeats:
/// its pointer, and which one it repeats. A report lists each rule and each control once;
/// two of one id would be matched as one by a diff.
fn once_each<'a>(
    list: &str,
    what: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), (String, String)> {
    let mut seen = std::collections::HashMap::new();
    for (i, id) in ids.enumerate() {
        if let Some(first) = seen.insert(id, i) {
            return Err((
                format!("/{list}/{i}/id"),
                format!(
                    "the {what} `{}` is listed twice (first at /{list}/{first}): a report lists each {what} once",
                    shown(id)
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> ReportError {
        match read("r.json", text) {
            Ok(_) => panic!("read as a report: {text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn text_that_is_not_json_is_a_syntax_error_at_its_place() {
        assert_eq!(
            error("{\n  \"report_version\": \"2\",\n}").to_string(),
            "r.json:3:1: invalid JSON: trailing comma"
        );
        assert_eq!(
            error(" \n").to_string(),
            "r.json:1:1: invalid JSON: the file is empty"
        );
    }

    #[test]
    fn json_without_a_version_string_is_not_a_report() {
        for text in [
            "[1]",
            "\"2\"",
            "{}",
            "{\"report_version\": 2}",
            "{\"a\": {}}",
        ] {
            assert_eq!(
                error(text),
                ReportError::NotAReport {
                    file: "r.json".into()
                },
                "{text}"
            );
        }
        assert_eq!(
            error("{}").to_string(),
            "r.json: not an Attest report (no report_version)"
        );
    }

    #[test]
    fn another_version_is_named() {
        let e = error("{\"report_version\": \"1\", \"anything\": []}");
        assert_eq!(
            e.to_string(),
            "r.json: a report of version 1; this version of Attest reads version 2"
        );
        // A version is shown on one line, whatever it holds.
        let e = error("{\"report_version\": \"3\\n\"}");
        assert_eq!(
            e.to_string(),
            "r.json: a report of version 3\\n; this version of Attest reads version 2"
        );
    }

    #[test]
    fn a_report_of_this_version_that_does_not_fit_says_where() {
        let e = error("{\n  \"report_version\": \"2\",\n  \"engine\": 7\n}");
        assert!(
            matches!(
                &e,
                ReportError::Invalid {
                    line: 3,
                    column: 13,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "r.json:3:13: not a valid report: invalid type: integer `7`, expected struct EngineInfo"
        );
    }
}
