//! # attest-engine
//!
//! The evaluation engine of Attest, SOC 2 controls as code. Facts about an organization
//! (JSON, facts-v1) go in; a report of SOC 2 control outcomes (report-v1) comes out, through
//! a pack of sandboxed Rhai rules. The engine does no file, clock, network or environment
//! I/O: callers hand it text and an as-of date, so it builds for `wasm32-unknown-unknown`
//! unchanged.
//!
//! ```
//! use attest_engine::{Engine, EvalOptions, Facts, FactsSource, Limits, Pack, PackFile};
//!
//! let pack = Pack::from_files(&[
//!     PackFile::new("pack.toml", r#"
//!         name = "mini"
//!         version = "1.0.0"
//!         framework = "SOC 2"
//!         description = "One rule"
//!     "#),
//!     PackFile::new("controls.toml", r#"
//!         [[control]]
//!         id = "CC6.1"
//!         category = "security"
//!         group = "Logical and Physical Access Controls"
//!         title = "Logical access is protected"
//!     "#),
//!     PackFile::new("rules/access/mfa.rhai", r#"//! id = "access.mfa"
//! //! title = "Privileged accounts use MFA"
//! //! controls = ["CC6.1"]
//! //! severity = "high"
//! //! owner = "IT"
//! //! facts = ["accounts"]
//! //! remediation = "Turn on MFA."
//! for a in facts.accounts {
//!     if a.privileged && !a.mfa { fail(a, `${a.username} has no MFA`); }
//! }
//! "#),
//! ])?;
//! let engine = Engine::new(pack, Limits::default())?;
//! let text = r#"{"schema_version": "1",
//!   "organization": {"name": "Acme", "as_of": "2026-06-30"},
//!   "accounts": [{"system_id": "aws", "username": "root", "kind": "human",
//!                 "status": "active", "privileged": true, "mfa": false}]}"#;
//! let facts = Facts::load(&[FactsSource { name: "facts.json", text }])?;
//! let report = engine.evaluate(&facts, &EvalOptions::default())?;
//! assert_eq!(report.controls[0].rules, ["access.mfa"]);
//! let rule = report.rule("access.mfa").unwrap();
//! assert_eq!(rule.population.tested, 1);
//! let finding = &rule.findings[0];
//! assert_eq!(finding.message, "root has no MFA");
//! assert_eq!(finding.entity.as_deref(), Some("/accounts/0"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// wasm32 has no threads and Rhai is built single-threaded there: shared handles stay `Arc`
// so the code is one for both targets, though nothing crosses threads in wasm32.
#![cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]

pub mod cases;
mod context;
mod date;
mod diff;
mod digest;
mod engine;
mod evidence;
mod facts;
mod gate;
mod joins;
mod limits;
mod modules;
mod pack;
mod par;
mod prelude;
pub mod render;
mod report;
mod sandbox;
#[cfg(not(target_arch = "wasm32"))]
mod schema;
mod suggest;
mod waivers;

pub use context::Clock;
pub use date::Date;
pub use diff::{Diff, DiffItem, Side, StatusChange};
pub use engine::{Engine, EvalError, EvalOptions, check};
pub use facts::{Facts, FactsError, FactsSource, JsonSyntax, LoadTimings, Origin, Violation};
pub use gate::{Blocker, FailOn, Gate};
pub use limits::Limits;
pub use pack::model::{FACTS_KEYS, natural_cmp};
pub use pack::{
    Category, Control, Diagnostic, DiagnosticCode, DiagnosticSeverity, DisabledRule, Manifest,
    Module, Owner, Pack, PackError, PackFile, ParamSpec, ParamType, Rule, RuleMeta, Severity,
};
pub use report::{
    ControlResult, Counts, EVIDENCE_RULE, EngineInfo, Explanation, FactsInfo, Finding,
    FindingStatus, PackInfo, Population, REPORT_VERSION, Readiness, Report, RuleError, RuleResult,
    Status, Summary, Tested, Waiver, WaiverResult, WaiverState,
};
pub use waivers::{WAIVERS_SCHEMA, WaiverError, Waivers};

pub use sandbox::function_names as prelude_functions;

/// The JSON Schema of facts-v1, as shipped in `schemas/facts.v1.schema.json`.
pub const FACTS_SCHEMA: &str = facts::FACTS_SCHEMA;
