//! Attest's built-in rule packs, embedded at build time.
//!
//! ```
//! let files = attest_rules::soc2();
//! assert!(files.iter().any(|(path, _)| *path == "pack.toml"));
//! ```

include!(concat!(env!("OUT_DIR"), "/packs.rs"));

/// The built-in SOC 2 pack's files as (path within the pack, text).
pub fn soc2() -> &'static [(&'static str, &'static str)] {
    SOC2
}
