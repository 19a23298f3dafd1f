//! The warnings of a run's inputs, as the report records them (`warnings`): what is doubtful
//! in the facts, the waivers file and the pack, though each can be used. Which warnings each
//! input has is decided where it is read (`Facts::warnings`, `Waivers::warnings`,
//! `Pack::warnings`); here, the one shape they share and their order in the report.

use super::Report;
use crate::facts::Violation;
use crate::pack::Diagnostic;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// The input a warning is about, in the order the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum WarningInput {
    /// The facts files (`Facts::warnings`): a field the facts schema does not define, evidence
    /// for a criterion the pack does not have, a reference naming a record the facts lack.
    Facts,
    /// The waivers file (`Waivers::warnings`): an expiry over a year after the approval, an
    /// `entity` naming no record, two waivers in force for the same findings.
    Waivers,
    /// The pack's files (`Pack::warnings`): what `attest check` warns about.
    Pack,
}

impl WarningInput {
    /// The name the report gives it: `facts`, `waivers` or `pack`.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningInput::Facts => "facts",
            WarningInput::Waivers => "waivers",
            WarningInput::Pack => "pack",
        }
    }
}

/// One warning about an input: a [`Violation`]'s members (`file`, `line`, `column`,
/// `pointer`, `message`, as the WebAssembly module's `warnings` list them) after `input`, the
/// input it is about, and for a pack's, `code`, its diagnostic code. Read through its
/// accessors.
///
/// (A JSON object rather than a struct of its own, as [`Params`](super::Params) are: the
/// report's readers and writers, the WebAssembly module's among them, then need no code of
/// their own for it.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Warning(Map<String, Value>);

impl Warning {
    /// A warning about `input` at `file`, `line`, `column` and `pointer` (each when known).
    fn new(
        input: WarningInput,
        file: Option<&str>,
        (line, column): (Option<u32>, Option<u32>),
        pointer: Option<&str>,
        message: &str,
    ) -> Warning {
        let members: [(&str, Value); 6] = [
            ("input", input.as_str().into()),
            ("file", file.into()),
            ("line", line.into()),
            ("column", column.into()),
            ("pointer", pointer.into()),
            ("message", message.into()),
        ];
        let mut m = Map::new();
        for (key, value) in members {
            m.insert(key.to_owned(), value);
        }
        Warning(m)
    }

    /// A facts' or the waivers' warning.
    pub fn of_violation(input: WarningInput, v: &Violation) -> Warning {
        let at = (v.line, v.column);
        Warning::new(input, v.file.as_deref(), at, Some(&v.pointer), &v.message)
    }

    /// A pack's warning.
    pub fn of_diagnostic(d: &Diagnostic) -> Warning {
        let at = (d.line, d.column);
        let mut w = Warning::new(WarningInput::Pack, Some(&d.file), at, None, &d.message);
        w.0.insert("code".to_owned(), d.code.as_str().into());
        w
    }

    /// The input it is about (`facts` for a warning read back with an unknown one).
    pub fn input(&self) -> WarningInput {
        match self.text("input") {
            Some("waivers") => WarningInput::Waivers,
            Some("pack") => WarningInput::Pack,
            _ => WarningInput::Facts,
        }
    }

    /// The file: a facts file or the waivers file as the host named it, or a pack file
    /// relative to the pack's folder, when known.
    pub fn file(&self) -> Option<&str> {
        self.text("file")
    }

    /// 1-based line, when known.
    pub fn line(&self) -> Option<u64> {
        self.0.get("line").and_then(Value::as_u64)
    }

    /// 1-based column, when known (never for the waivers' warnings, a top-level field, nor
    /// evidence naming a criterion the pack lacks).
    pub fn column(&self) -> Option<u64> {
        self.0.get("column").and_then(Value::as_u64)
    }

    /// JSON Pointer to the value in the facts or the waivers file; `None` for a pack's.
    pub fn pointer(&self) -> Option<&str> {
        self.text("pointer")
    }

    /// What is doubtful, and what to do.
    pub fn message(&self) -> &str {
        self.text("message").unwrap_or_default()
    }

    /// A pack warning's diagnostic code (`placeholder`; see `attest check`).
    pub fn code(&self) -> Option<&str> {
        self.text("code")
    }

    /// The warning as the JSON object the report holds.
    pub fn as_object(&self) -> &Map<String, Value> {
        &self.0
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// Where it is, for people: `file:line:column /pointer`, as much as is known.
    pub fn at(&self) -> String {
        let mut at = self.file().unwrap_or_default().to_owned();
        if let (false, Some(line)) = (at.is_empty(), self.line()) {
            let _ = write!(at, ":{line}");
            if let Some(column) = self.column() {
                let _ = write!(at, ":{column}");
            }
        }
        if let Some(pointer) = self.pointer().filter(|p| !p.is_empty()) {
            if !at.is_empty() {
                at.push(' ');
            }
            at.push_str(pointer);
        }
        at
    }
}

impl Report {
    /// Records the warnings of `input` in `warnings`, in place of any it held for that input:
    /// by input (facts, waivers, pack), each input's in the order given. Used by the engine
    /// (facts and pack) and by `Waivers::apply`.
    pub fn set_warnings(&mut self, input: WarningInput, items: Vec<Warning>) {
        self.warnings.retain(|w| w.input() != input);
        let at = self
            .warnings
            .iter()
            .take_while(|w| w.input() < input)
            .count();
        self.warnings.splice(at..at, items);
    }
}

/// The warnings of a facts document or a waivers file, in their order (file order, then
/// line), as [`Report::warnings`] lists them.
pub fn of_violations(input: WarningInput, violations: &[Violation]) -> Vec<Warning> {
    violations
        .iter()
        .map(|v| Warning::of_violation(input, v))
        .collect()
}

/// A pack's warnings in the report's order: the pack's own (`Pack::warnings`), as its checks
/// found them, file by file in path order.
pub fn of_pack(diagnostics: &[Diagnostic]) -> Vec<Warning> {
    diagnostics.iter().map(Warning::of_diagnostic).collect()
}
