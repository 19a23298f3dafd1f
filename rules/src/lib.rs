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

/// The built-in SOC 2 pack's README (its rule table and parameters), which is not one of
/// the pack's files: `attest new rule` copies an inherited rule's row from it.
pub fn soc2_readme() -> &'static str {
    include_str!("../soc2/README.md")
}
