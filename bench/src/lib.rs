//! Attest's development tools, kept out of the shipped `attest` binary.
//!
//! The library is the organization generator: [`generate`] builds a deterministic facts
//! document of any size, for benchmarks, load tests and demos. The `attest-bench` binary
//! times `attest`'s phases on such organizations and writes them out:
//!
//! ```text
//! cargo run --release -p attest-bench -- [--people N]... [--runs N] [--by-rule] [--pack DIR]
//! cargo run --release -p attest-bench -- generate --people N [--seed S] [--output FILE]
//! ```

mod generate;

pub use generate::{AS_OF, evidence_criteria, generate};
