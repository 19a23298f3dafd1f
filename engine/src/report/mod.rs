//! The report: what every consumer reads (`schemas/report.v2.schema.json`), serialized as the
//! JSON format and read back from it (`read`), and the decisions every consumer shares: how
//! statuses follow from findings (`decide`), rules listed once each (`views`), the to-do list
//! per owner (`todo`) and the vendor risk register (`vendors`).

mod decide;
mod evidence;
mod read;
pub mod todo;
pub mod vendors;
pub mod views;
mod waiver;
pub mod warning;

pub use decide::Readiness;
pub use evidence::{EvidenceRecord, EvidenceState, FileCheck};
pub use read::{ReportError, read};
pub use waiver::{Waiver, WaiverResult, WaiverState};
pub use warning::{Warning, WarningInput};

use crate::facts::Origin;
use crate::pack::{Category, Owner, Severity};
use crate::period::Period;

/// The version of the report format this engine writes (`schemas/report.v2.schema.json`).
pub const REPORT_VERSION: &str = "2";

/// Id prefix of evidence checks in reports: a criterion judged by its `evidence[]` records
/// is listed as the rule `evidence/<criterion>`.
pub const EVIDENCE_RULE: &str = "evidence";

/// Id prefix of evidence file checks: with an evidence root, the files named by a
/// criterion's evidence records are checked by the rule `evidence-files/<criterion>`.
pub const EVIDENCE_FILES_RULE: &str = "evidence-files";
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The outcome of a rule or a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Looked at its facts and found nothing wrong.
    Pass,
    /// At least one finding.
    Fail,
    /// Nothing wrong yet, but something lapses within the warning window.
    Warn,
    /// Could not give an answer (script error, limit hit).
    Error,
    /// A failure covered by an active waiver.
    Waived,
    /// The facts it needs are absent, or its category is out of scope.
    NotApplicable,
}

impl Status {
    /// Every status, worst first.
    pub const ALL: [Status; 6] = [
        Status::Error,
        Status::Fail,
        Status::Warn,
        Status::Waived,
        Status::Pass,
        Status::NotApplicable,
    ];

    /// Rank for "worst of": error > fail > waived > warn > pass > not_applicable. A failure
    /// waived is still an exception: a warning beside it must not make it look ready.
    fn rank(self) -> u8 {
        match self {
            Status::Error => 5,
            Status::Fail => 4,
            Status::Waived => 3,
            Status::Warn => 2,
            Status::Pass => 1,
            Status::NotApplicable => 0,
        }
    }

    /// The worse of two statuses.
    pub fn worst(self, other: Status) -> Status {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Error => "error",
            Status::Waived => "waived",
            Status::NotApplicable => "not_applicable",
        }
    }
}

/// The status of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Something is wrong.
    Fail,
    /// Something lapses soon.
    Warn,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The report format's version: "2".
    pub report_version: String,
    /// The engine that produced it.
    pub engine: EngineInfo,
    /// The pack evaluated.
    pub pack: PackInfo,
    /// The facts evaluated.
    pub facts: FactsInfo,
    /// The as-of date the rules saw.
    pub evaluated_on: String,
    /// The audit period the rules judged (absent for a point-in-time evaluation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The parameters the run set in place of the pack's defaults, in the pack's order
    /// (absent when the run set none): with the pack's digest, the thresholds that judged.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: Params,
    /// Counts of control statuses.
    pub summary: Summary,
    /// Every control of the catalog, in natural id order.
    pub controls: Vec<ControlResult>,
    /// Every rule once, with its findings: the pack's rules in pack order, then the evidence
    /// checks of the criteria judged by evidence, in control order.
    pub rules: Vec<RuleResult>,
    /// The waivers applied, each with its state (absent when no waivers file was given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverResult>,
    /// What is doubtful in the run's inputs, though they could be used: the facts', then the
    /// waivers file's, then the pack's (absent when there are none). See [`Warning`]. Not read
    /// back by [`read`] (a report read for a diff or a baseline has none): they are about the
    /// inputs of the run that wrote it, which neither compares, and the module then needs no
    /// reader for them.
    #[serde(default, skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// Engine name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// "attest".
    pub name: String,
    /// The engine crate's version.
    pub version: String,
}

/// Which pack, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackInfo {
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// sha256 over the pack's files.
    pub digest: String,
}

/// The parameters a run set in place of the pack's defaults, by name in the pack's order:
/// each `{"value": the value the rules saw, "default": the pack's default it replaced}`.
/// (JSON objects rather than a struct of their own: the report's readers and writers, the
/// WebAssembly module's among them, then need no code of their own for them.)
pub type Params = serde_json::Map<String, serde_json::Value>;

/// The settings of `params` for people, `a = 30 (pack default: 90); b = ...` (values as
/// JSON), or `None` when there are none: what the formats for people show of them.
pub fn describe_params(params: &Params) -> Option<String> {
    let mut out = String::new();
    for (name, s) in params {
        if !out.is_empty() {
            out.push_str("; ");
        }
        let _ = write!(
            out,
            "{name} = {} (pack default: {})",
            s["value"], s["default"]
        );
    }
    (!out.is_empty()).then_some(out)
}

/// Which facts, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FactsInfo {
    /// `organization.name`.
    pub organization: String,
    /// sha256 of the canonical facts.
    pub digest: String,
    /// `organization.as_of`, if the facts state it.
    pub as_of: Option<String>,
}

/// Status counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Passing.
    pub pass: u32,
    /// Failing.
    pub fail: u32,
    /// Warning.
    pub warn: u32,
    /// Errored.
    pub error: u32,
    /// Waived.
    pub waived: u32,
    /// Not applicable.
    pub not_applicable: u32,
}

impl Counts {
    /// Adds one status.
    pub fn add(&mut self, status: Status) {
        let slot = match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Warn => &mut self.warn,
            Status::Error => &mut self.error,
            Status::Waived => &mut self.waived,
            Status::NotApplicable => &mut self.not_applicable,
        };
        *slot += 1;
    }

    /// The count for one status.
    pub fn get(&self, status: Status) -> u32 {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Warn => self.warn,
            Status::Error => self.error,
            Status::Waived => self.waived,
            Status::NotApplicable => self.not_applicable,
        }
    }

    /// Controls that count toward readiness (all but not applicable); at most `u32::MAX`,
    /// whatever counts a report read back holds.
    pub fn applicable(&self) -> u32 {
        [self.fail, self.warn, self.error, self.waived]
            .into_iter()
            .fold(self.pass, u32::saturating_add)
    }
}

/// Control status counts, overall and per category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Summary {
    /// All controls.
    pub controls: Counts,
    /// Per Trust Services Category, in category order.
    pub by_category: IndexMap<Category, Counts>,
}

/// One control and the rules behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ControlResult {
    /// The criterion id.
    pub id: String,
    /// Its category.
    pub category: Category,
    /// Its group.
    pub group: String,
    /// Its title.
    pub title: String,
    /// The worst of its rules' statuses; `not_applicable` when its category is out of scope.
    pub status: Status,
    /// The ids of the rules that judge it (entries of [`Report::rules`]): the rules mapped
    /// to it, its evidence check when evidence decided, the check of its evidence files
    /// with an evidence root, and rules the pack disabled.
    pub rules: Vec<String>,
    /// Its `evidence[]` records, in key order, whether a rule or its evidence decided it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRecord>,
}

/// One rule's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RuleResult {
    /// The rule id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: Status,
    /// Its severity.
    pub severity: Severity,
    /// Who fixes its findings.
    pub owner: Owner,
    /// The criteria it is mapped to.
    pub controls: Vec<String>,
    /// Why it does not apply (status `not_applicable`): facts absent, no records in scope,
    /// its criteria out of scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why the pack turned the rule off (status `not_applicable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<String>,
    /// What the rule examined and why it decided (with `--explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
    /// Why it could not answer (status `error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RuleError>,
    /// With an audit period: the rule does not read the period (it calls none of the
    /// prelude's period functions), so it judged the facts at the as-of date alone, as
    /// without one. Absent otherwise, and for a rule that did not run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub judged_at_as_of: bool,
    /// The records it tested.
    pub population: Population,
    /// What it found.
    pub findings: Vec<Finding>,
}

/// The records a rule tested, after its own filters: those it marked with `tested`, or,
/// for a rule that marks none, those it went through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Population {
    /// How many records it tested.
    pub tested: u64,
    /// Per facts collection: how many of its records were tested, of how many.
    pub collections: IndexMap<String, Tested>,
    /// The tested records' keys, in key order (with `--explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
    /// Each tested record with its place and outcome, in key order (with `--populations`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<Vec<PopulationRecord>>,
}

/// One record a rule tested, as an auditor samples it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PopulationRecord {
    /// The record's key (its JSON Pointer when it has none).
    pub key: String,
    /// Its JSON Pointer into the merged facts.
    pub entity: String,
    /// The facts file and line where it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Origin>,
    /// What the rule found about it.
    pub outcome: RecordOutcome,
}

/// What a rule found about one record of its population.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordOutcome {
    /// A failing finding names it (or something inside it): an exception.
    Exception,
    /// Only a warning names it: nothing wrong yet, but it lapses soon.
    Warn,
    /// No finding names it.
    Pass,
}

impl RecordOutcome {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordOutcome::Exception => "exception",
            RecordOutcome::Warn => "warn",
            RecordOutcome::Pass => "pass",
        }
    }
}

impl Population {
    /// What was tested, in words: `tested 3 of 47 accounts, 2 of 10 people`; the collections
    /// the rule reads but tested none of come after, as read (`tested 6 of 6 systems; read 14
    /// access_reviews`), unless it tested none at all (`tested 0 of 47 accounts`); `tested no
    /// records` when no collection was involved.
    pub fn describe(&self) -> String {
        if self.collections.is_empty() {
            return match self.tested {
                0 => "tested no records".to_owned(),
                n => format!("tested {n} records"),
            };
        }
        let any = self.collections.values().any(|t| t.tested > 0);
        let (mut tested, mut read) = (String::new(), String::new());
        for (name, t) in &self.collections {
            let (list, n) = match t.tested {
                0 if any => (&mut read, None),
                n => (&mut tested, Some(n)),
            };
            list.push_str(if list.is_empty() { "" } else { ", " });
            let _ = match n {
                Some(n) => write!(list, "{n} of {} {name}", t.of),
                None => write!(list, "{} {name}", t.of),
            };
        }
        let mut out = format!("tested {tested}");
        if !read.is_empty() {
            out.push_str("; read ");
            out.push_str(&read);
        }
        out
    }
}

/// Records of one collection tested, of the collection's size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tested {
    /// Records tested.
    pub tested: u64,
    /// Records in the collection.
    pub of: u64,
}

/// Why a rule decided as it did (with `--explain`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The parameters the rule reads, with the values it saw.
    pub params: IndexMap<String, serde_json::Value>,
    /// The decision in a sentence.
    pub reason: String,
}

/// A rule's failure to answer, with its place: in the rule file, or in a helper module whose
/// function the rule called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleError {
    /// What went wrong.
    pub message: String,
    /// The file it happened in, relative to the pack root (`rules/...` or `lib/...`).
    pub file: String,
    /// 1-based line in that file.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// fail or warn.
    pub status: FindingStatus,
    /// What is wrong, naming the record.
    pub message: String,
    /// JSON Pointer into the facts, or null.
    pub entity: Option<String>,
    /// The key of the record (`accounts/aws-prod/alice`), which stays the same when files
    /// are reordered; null for a finding about no record.
    pub key: Option<String>,
    /// The facts file and line the entity came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Origin>,
    /// How to fix it.
    pub remediation: String,
    /// Who fixes it.
    pub owner: Owner,
    /// Extra data the rule attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// The active waiver covering this failure, if any (it then counts as waived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
}

/// Bytes of pretty JSON a report takes beside its rules (its summary and controls), each rule
/// beside its findings, and each finding: estimates on the high side of the built-in pack's
/// reports, so that the buffer is rarely grown.
const JSON_BASE: usize = 64 << 10;
const JSON_PER_RULE: usize = 2 << 10;
const JSON_PER_FINDING: usize = 1024;

impl Report {
    /// The report as pretty JSON, newline-terminated (the `json` format).
    pub fn to_json(&self) -> String {
        // Written into a buffer sized ahead by the findings' number: growing it step by step
        // would copy a large report several times over.
        let findings: usize = self.rules.iter().map(|r| r.findings.len()).sum();
        let size = JSON_BASE + JSON_PER_RULE * self.rules.len() + JSON_PER_FINDING * findings;
        let mut out = Vec::with_capacity(size);
        // Serializing the report cannot fail: its maps' keys are strings.
        let _ = serde_json::to_writer_pretty(&mut out, self);
        out.push(b'\n');
        String::from_utf8(out).unwrap_or_default()
    }

    /// Whether any control failed or any rule errored (exit code 1).
    pub fn has_failures(&self) -> bool {
        self.summary.controls.fail > 0 || self.summary.controls.error > 0
    }

    /// The rule with this id (`evidence/<criterion>` for an evidence check).
    pub fn rule(&self, id: &str) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The rules that judge `control`, in the control's order.
    pub fn rules_of<'r>(
        &'r self,
        control: &'r ControlResult,
    ) -> impl Iterator<Item = &'r RuleResult> + 'r {
        control.rules.iter().filter_map(|id| self.rule(id))
    }
}

impl RuleResult {
    /// Whether this is the evidence check of a criterion rather than a rule of the pack.
    pub fn is_evidence_check(&self) -> bool {
        self.id
            .strip_prefix(EVIDENCE_RULE)
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::{Population, Tested};

    fn population(collections: &[(&str, u64, u64)]) -> Population {
        Population {
            tested: collections.iter().map(|c| c.1).sum(),
            collections: collections
                .iter()
                .map(|&(name, tested, of)| (name.to_owned(), Tested { tested, of }))
                .collect(),
            ..Population::default()
        }
    }

    #[test]
    fn a_population_says_what_was_tested_and_what_was_only_read() {
        for (collections, said) in [
            (vec![], "tested no records"),
            (vec![("accounts", 0, 47)], "tested 0 of 47 accounts"),
            (
                vec![("accounts", 0, 47), ("people", 0, 15)],
                "tested 0 of 47 accounts, 0 of 15 people",
            ),
            (
                vec![("accounts", 3, 47), ("people", 2, 10)],
                "tested 3 of 47 accounts, 2 of 10 people",
            ),
            (
                vec![("systems", 6, 6), ("access_reviews", 0, 14)],
                "tested 6 of 6 systems; read 14 access_reviews",
            ),
            (
                vec![("people", 0, 15), ("accounts", 2, 47), ("systems", 0, 6)],
                "tested 2 of 47 accounts; read 15 people, 6 systems",
            ),
        ] {
            assert_eq!(population(&collections).describe(), said, "{collections:?}");
        }
    }
}
