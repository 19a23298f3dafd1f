//! Problems found in a pack, each pinned to a file, line and column.

use crate::place::line_col;
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

/// Declares [`DiagnosticCode`] from one list: each variant's doc comment is the one-line
/// meaning shown in the table of docs/writing-rules.md, beside its code and default severity.
macro_rules! diagnostic_codes {
    ($( #[doc = $meaning:literal] $variant:ident = $code:literal, $severity:ident; )+) => {
        /// What kind of problem a diagnostic is: a stable code, serialized in kebab-case
        /// (`unknown-control`), with a default severity and a one-line meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum DiagnosticCode {
            $( #[doc = $meaning] $variant, )+
        }

        impl DiagnosticCode {
            /// Every code, in the order of the docs table.
            pub const ALL: &[DiagnosticCode] = &[$( DiagnosticCode::$variant ),+];

            /// The kebab-case code (`unknown-control`).
            pub fn as_str(self) -> &'static str {
                match self { $( DiagnosticCode::$variant => $code, )+ }
            }

            /// The severity a diagnostic of this code has.
            pub fn severity(self) -> DiagnosticSeverity {
                match self { $( DiagnosticCode::$variant => DiagnosticSeverity::$severity, )+ }
            }

            /// What the code means, in one line (Markdown).
            pub fn meaning(self) -> &'static str {
                match self { $( DiagnosticCode::$variant => $meaning.trim(), )+ }
            }
        }
    };
}

diagnostic_codes! {
    /// no `pack.toml`, or no `controls.toml` in a pack that extends nothing
    MissingFile = "missing-file", Error;
    /// two files of the pack have the same path (a host handing the engine its files gave one twice)
    DuplicateFile = "duplicate-file", Error;
    /// `pack.toml` is not valid TOML, or has an unknown or mistyped field
    InvalidManifest = "invalid-manifest", Error;
    /// `controls.toml` is not valid TOML, or has an unknown or mistyped field
    InvalidCatalog = "invalid-catalog", Error;
    /// `facts.schema.json` is not JSON, changes what the schema it extends defines (rather than adding collections and fields), adds a collection without its key (`x-key`), or uses a JSON Schema keyword the facts checks do not support
    InvalidFactsSchema = "invalid-facts-schema", Error;
    /// a pack file breaks `schemas/pack.v1.schema.json` (an id's pattern, a version, an empty text)
    Schema = "schema", Error;
    /// a control id is listed twice
    DuplicateControl = "duplicate-control", Error;
    /// the base pack was not provided
    UnresolvedExtends = "unresolved-extends", Error;
    /// a rule's `//!` header is missing, not TOML, or has an unknown or mistyped field
    InvalidHeader = "invalid-header", Error;
    /// two rules of the pack have the same id
    DuplicateRuleId = "duplicate-rule-id", Error;
    /// a rule's file is not where its id puts it (`access.mfa` in `rules/access/mfa.rhai`)
    MisplacedRule = "misplaced-rule", Warning;
    /// a rule's `title`, `remediation` or `rationale` is still the `TODO` placeholder `attest new` wrote (reports show it to the owner and the auditor)
    Placeholder = "placeholder", Warning;
    /// a rule maps to no control
    NoControls = "no-controls", Error;
    /// a rule maps to a control the catalog does not have
    UnknownControl = "unknown-control", Error;
    /// a rule's `facts` or `reads` names a key that facts-v1 (with the pack's extensions) does not define
    UnknownFactsKey = "unknown-facts-key", Error;
    /// a rule's header lists a key in both `facts` (not applicable without it) and `reads` (judged without it)
    FactsKeyTwice = "facts-key-twice", Error;
    /// a rule reads `facts.X` but its header lists `X` in neither `facts` nor `reads` (so it runs, rather than being not applicable, when `X` is absent)
    UnlistedFactsKey = "unlisted-facts-key", Warning;
    /// a rule reads a field that facts-v1 (with the pack's extensions) does not define for that record (`a.statsu` of an account), directly or in a query's field path
    UnknownField = "unknown-field", Error;
    /// a query condition that no record can meet: a value of the wrong type or outside the field's values, or any value for an array field (`where("data_access", "pii")`)
    QueryNeverMatches = "query-never-matches", Warning;
    /// a rule reads or lists a parameter the pack does not declare, or `[set]` names one
    UndeclaredParam = "undeclared-param", Error;
    /// a rule reads `params.NAME` without listing it in its header
    UnlistedParam = "unlisted-param", Warning;
    /// a rule lists a parameter it never reads, or the pack declares one no rule reads
    UnusedParam = "unused-param", Warning;
    /// the pack declares a parameter its base already declares (use `[set]`)
    DuplicateParam = "duplicate-param", Error;
    /// a default or a `[set]` value does not match the parameter's type
    InvalidParam = "invalid-param", Error;
    /// `[disable]` names a rule the base does not have
    UnknownRule = "unknown-rule", Error;
    /// `[disable]` names a rule the pack also overrides with a rule file of its own
    DisabledOverride = "disabled-override", Error;
    /// `[disable]` gives an empty reason
    MissingReason = "missing-reason", Error;
    /// a rule or module does not compile, or holds a carriage return not followed by a line feed (Rhai reads it as a line break that editors and terminals may not show)
    SyntaxError = "syntax-error", Error;
    /// a module fails while loading
    ModuleError = "module-error", Error;
    /// a rule imports a module its pack does not have (`lib/<name>.rhai`)
    UnresolvedImport = "unresolved-import", Error;
}

impl DiagnosticCode {
    /// Whether the code says a file could not be parsed into its shape, so schema checks of
    /// that file would only repeat it (builds without `jsonschema` have no schema checks).
    #[cfg(feature = "jsonschema")]
    pub(crate) fn is_shape_error(self) -> bool {
        matches!(
            self,
            DiagnosticCode::InvalidManifest
                | DiagnosticCode::InvalidCatalog
                | DiagnosticCode::InvalidHeader
                | DiagnosticCode::InvalidParam
        )
    }
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for DiagnosticCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem in a pack's files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// What kind of problem it is: a stable code for editors, CI and docs.
    pub code: DiagnosticCode,
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
    /// A diagnostic of `code`, with the code's severity and no position yet.
    pub(crate) fn new(code: DiagnosticCode, file: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            file: file.to_owned(),
            line: None,
            column: None,
            message: message.into(),
        }
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
        s.push_str(&crate::escape::line(&d.to_string()));
    }
    s
}
