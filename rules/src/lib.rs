//! Attest's built-in rule packs, embedded at build time.
//!
//! ```
//! assert!(attest_rules::soc2().any(|(path, _)| path == "pack.toml"));
//! assert!(attest_rules::soc2().any(|(path, _)| path.ends_with(".cases.json")));
//! assert!(!attest_rules::soc2_without_cases().any(|(path, _)| path.ends_with(".cases.json")));
//! ```

include!(concat!(env!("OUT_DIR"), "/packs.rs"));

/// The built-in SOC 2 pack's files as (path within the pack, text), its rules' cases
/// included.
pub fn soc2() -> impl Iterator<Item = (&'static str, &'static str)> {
    SOC2.iter().chain(SOC2_CASES).copied()
}

/// The built-in SOC 2 pack's files without its rules' cases (`*.cases.json`): all that
/// evaluating reads, and all the WebAssembly module carries.
pub fn soc2_without_cases() -> impl Iterator<Item = (&'static str, &'static str)> {
    SOC2.iter().copied()
}

/// The built-in SOC 2 pack's README (its rule table and parameters), which is not one of
/// the pack's files: `attest new rule` copies an inherited rule's row from it.
pub fn soc2_readme() -> &'static str {
    include_str!("../soc2/README.md")
}
