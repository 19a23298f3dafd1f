//! # attest-engine
//!
//! The evaluation engine of Attest, SOC 2 controls as code. Facts about an organization
//! (JSON, facts-v1) go in; a report of SOC 2 control outcomes (report-v1) comes out, through
//! a pack of sandboxed Rhai rules. The engine does no file, clock, network or environment
//! I/O: callers hand it text and an as-of date, so it builds for `wasm32-unknown-unknown`
//! unchanged.
//!
//! ```
//! use attest_engine::{
//!     Engine, EvalOptions, Facts, FactsSource, Limits, Pack, PackFile, Status, Waivers,
//! };
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
//! let mut report = engine.evaluate(&facts, &EvalOptions::default())?;
//! assert_eq!(report.controls[0].rules, ["access.mfa"]);
//! let rule = report.rule("access.mfa").unwrap();
//! assert_eq!(rule.population.tested, 1);
//! let finding = &rule.findings[0];
//! assert_eq!(finding.message, "root has no MFA");
//! assert_eq!(finding.key.as_deref(), Some("accounts/aws/root"));
//!
//! // Approved exceptions. The report's other formats are attest-render's.
//! let waivers = Waivers::parse("waivers.json", r#"{"schema_version": "1", "waivers": [
//!   {"rule": "access.mfa", "entity": "accounts/aws/root", "reason": "break-glass, in the vault",
//!    "approved_by": "CISO", "approved_on": "2026-06-01", "expires_on": "2026-12-31"}]}"#)?;
//! waivers.apply(&mut report);
//! assert_eq!(report.controls[0].status, Status::Waived);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Features
//!
//! Both on by default, for native hosts; the WebAssembly module turns both off.
//!
//! - `parallel`: rules evaluated side by side, and facts parsed by collection, on rayon's
//!   thread pool, with Rhai built thread-safe so [`Engine`] is `Send + Sync`. Off, everything
//!   runs on the calling thread. It needs threads: building it for `wasm32-unknown-unknown`
//!   stops with an error.
//! - `jsonschema`: facts and waivers checked by the `jsonschema` crate, and pack files against
//!   the pack schema. Off, facts are checked by a compact checker that finds the same
//!   violations, pack files by their parsers and lints only, and waivers are refused.

// Without `parallel`, Rhai is built single-threaded: shared handles stay `Arc` so the code
// is one for both builds, though nothing crosses threads then.
#![cfg_attr(not(feature = "parallel"), allow(clippy::arc_with_non_send_sync))]

// wasm32-unknown-unknown cannot start threads, and thread-safe Rhai sleeps (which panics
// there) when a rule reaches a value it is already using.
#[cfg(all(feature = "parallel", target_arch = "wasm32", target_os = "unknown"))]
compile_error!(
    "attest-engine's `parallel` feature (on by default) needs threads, which \
     wasm32-unknown-unknown does not have: turn it off with `default-features = false` \
     (`--no-default-features`), adding `features = [\"jsonschema\"]` if you want that one"
);

mod absence;
pub mod alloc;
pub mod cases;
mod context;
mod date;
pub mod diff;
pub mod digest;
mod engine;
pub mod escape;
mod evidence;
pub mod facts;
pub mod gate;
mod joins;
pub mod json;
mod limits;
mod modules;
mod native;
pub mod pack;
mod par;
pub mod period;
pub mod place;
mod population;
mod prelude;

pub mod report;
pub mod sample;
mod sandbox;
mod scan;
#[cfg(feature = "jsonschema")]
mod schema;
pub mod sorting;
mod suggest;
pub mod waivers;

pub use context::Clock;
pub use date::Date;
pub use engine::{Engine, EvalError, EvalOptions};
pub use evidence::EvidenceFile;
pub use facts::{Facts, FactsError, FactsSource, Freeing, JsonSyntax, Origin, Violation};
pub use limits::Limits;
pub use pack::{
    Category, Diagnostic, DiagnosticCode, DiagnosticSeverity, Owner, Pack, PackError, PackFile,
    Severity,
};
pub use period::Period;
pub use report::{
    ControlResult, Finding, FindingStatus, REPORT_VERSION, Report, RuleResult, Status,
};
pub use waivers::{WaiverError, Waivers};
