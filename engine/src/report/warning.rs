//! The warnings of a run's inputs, as the report records them (`warnings`): what is doubtful
//! in the facts, the waivers file and the pack, though each can be used. Which warnings each
//! input has is decided where it is read (`Facts::warnings`, `Waivers::warnings`,
//! `Pack::warnings`); here, the one shape they share and their order in the report.

use super::Report;
use crate::facts::Violation;
use crate::pack::Diagnostic;
use serde::{Deserialize, Serialize};

/// The input a warning is about, in the order the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningInput {
    /// The facts files (`Facts::warnings`): a field the facts schema does not define, evidence
    /// for a criterion the pack does not have.
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

/// One warning about an input: a [`Violation`]'s members (as the WebAssembly module's
/// `warnings` list them) with the input it is about, and for a pack's, its diagnostic code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Warning {
    /// The input it is about.
    pub input: WarningInput,
    /// The file: a facts file or the waivers file as the host named it, or a pack file
    /// relative to the pack's folder (`null` when unknown).
    pub file: Option<String>,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// JSON Pointer to the value in the facts or the waivers file; `null` for a pack's.
    pub pointer: Option<String>,
    /// What is doubtful, and what to do.
    pub message: String,
    /// A pack warning's diagnostic code (`unlisted-facts-key`; see `attest check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Warning {
    /// A facts' or the waivers' warning.
    pub fn of_violation(input: WarningInput, v: &Violation) -> Warning {
        Warning {
            input,
            file: v.file.clone(),
            line: v.line,
            column: v.column,
            pointer: Some(v.pointer.clone()),
            message: v.message.clone(),
            code: None,
        }
    }

    /// A pack's warning.
    pub fn of_diagnostic(d: &Diagnostic) -> Warning {
        Warning {
            input: WarningInput::Pack,
            file: Some(d.file.clone()),
            line: d.line,
            column: d.column,
            pointer: None,
            message: d.message.clone(),
            code: Some(d.code.as_str().to_owned()),
        }
    }

    /// The warning as a [`Violation`] (its `input` and `code` left out; a pack's `pointer`
    /// empty): the shape the WebAssembly module's `warnings` have always had.
    pub fn to_violation(&self) -> Violation {
        Violation {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            pointer: self.pointer.clone().unwrap_or_default(),
            message: self.message.clone(),
        }
    }

    /// Where it is, as `file:line:column` (as much as is known), or `None` without a file.
    pub fn place(&self) -> Option<String> {
        let file = self.file.as_deref()?;
        Some(match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(l), None) => format!("{file}:{l}"),
            _ => file.to_owned(),
        })
    }
}

impl Report {
    /// Records the warnings of `input` in `warnings`, in place of any it held for that input:
    /// by input (facts, waivers, pack), each input's in the order given (file order, then
    /// line). Used by the engine (facts and pack) and by `Waivers::apply`.
    pub fn set_warnings(&mut self, input: WarningInput, items: impl IntoIterator<Item = Warning>) {
        self.warnings.retain(|w| w.input != input);
        let at = self
            .warnings
            .iter()
            .position(|w| w.input > input)
            .unwrap_or(self.warnings.len());
        let tail = self.warnings.split_off(at);
        self.warnings.extend(items);
        self.warnings.extend(tail);
    }

    /// The warnings of the facts and the waivers file, those a host shows for the run beside
    /// the report (the WebAssembly module's `warnings`): every warning but the pack's.
    pub fn input_warnings(&self) -> impl Iterator<Item = &Warning> {
        self.warnings
            .iter()
            .filter(|w| w.input != WarningInput::Pack)
    }
}

/// The warnings of the facts (and of the waivers file, when there is one), as
/// [`Report::warnings`] lists them: for a host that shows them without a report (one rule's
/// result, a sample).
pub fn of_facts_and_waivers<'a>(
    facts: &'a [Violation],
    waivers: &'a [Violation],
) -> impl Iterator<Item = Warning> + 'a {
    let facts = facts
        .iter()
        .map(|v| Warning::of_violation(WarningInput::Facts, v));
    let waivers = waivers
        .iter()
        .map(|v| Warning::of_violation(WarningInput::Waivers, v));
    facts.chain(waivers)
}

/// A pack's warnings in the report's order: by file, line and column.
pub fn of_pack(diagnostics: &[Diagnostic]) -> Vec<Warning> {
    let mut out: Vec<Warning> = diagnostics.iter().map(Warning::of_diagnostic).collect();
    crate::sorting::sort_by(&mut out, |a, b| {
        (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column))
    });
    out
}
