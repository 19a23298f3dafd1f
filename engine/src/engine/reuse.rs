//! Compiled rules taken from another engine: a pack that changes a few rules of another (an
//! overlay on the built-in pack, the built-in pack under other run limits) compiles only the
//! rules it changed. A compiled rule depends on its source, the name it runs under (its pack
//! and path) and the limits Rhai's parser reads, nothing else: the functions it calls and the
//! modules it imports are looked up when it runs, in the engine that runs it.

use super::Engine;
use crate::Limits;
use crate::pack::Rule;

/// The index in `base` of `rule` compiled as an engine under `limits` (tracing lines or not,
/// as `trace` says) would compile it, if `base` has it.
pub(super) fn find(base: &Engine, rule: &Rule, limits: &Limits, trace: bool) -> Option<usize> {
    if base.trace != trace || !parses_alike(&base.limits, limits) {
        return None;
    }
    base.pack
        .rules
        .iter()
        .position(|r| r.source == rule.source && r.path == rule.path && r.pack == rule.pack)
}

/// Whether Rhai compiles the same text alike under both limits: the parser checks nesting
/// depths and the sizes of literals, and the engine is set up with all of these.
fn parses_alike(a: &Limits, b: &Limits) -> bool {
    (
        a.max_call_levels,
        a.max_expr_depth,
        a.max_function_expr_depth,
        a.max_string_size,
        a.max_array_size,
        a.max_map_size,
    ) == (
        b.max_call_levels,
        b.max_expr_depth,
        b.max_function_expr_depth,
        b.max_string_size,
        b.max_array_size,
        b.max_map_size,
    )
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test, with its reason.
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{Pack, PackFile};

    /// A one-control pack of these rules, as `(id, body)`.
    fn pack(rules: &[(&str, &str)]) -> Pack {
        let mut files = vec![
            PackFile::new(
                "pack.toml",
                "name = \"t\"\nversion = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"t\"\n",
            ),
            PackFile::new(
                "controls.toml",
                "[[control]]\nid = \"CC1.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n",
            ),
        ];
        for (id, body) in rules {
            files.push(PackFile::new(
                format!("rules/{id}.rhai"),
                format!(
                    "//! id = \"{id}\"\n//! title = \"t\"\n//! controls = [\"CC1.1\"]\n//! severity = \"low\"\n//! owner = \"HR\"\n//! facts = [\"people\"]\n//! remediation = \"r\"\n{body}\n"
                ),
            ));
        }
        Pack::from_files(&files).unwrap()
    }

    const NESTED: &str = "let x = ((((((((((1))))))))));";

    #[test]
    fn a_rule_is_taken_only_when_its_source_and_the_parsing_limits_are_the_same() {
        let base = Engine::new(
            pack(&[("t.a", "let x = 1;"), ("t.b", NESTED)]),
            Limits::default(),
        )
        .unwrap();
        let changed = pack(&[("t.a", "let x = 2;"), ("t.b", NESTED)]);
        let limits = Limits::default();
        assert_eq!(find(&base, &changed.rules[0], &limits, false), None);
        assert_eq!(find(&base, &changed.rules[1], &limits, false), Some(1));
        // Limits the rules only meet when they run change nothing.
        let run = Limits {
            max_operations: 10,
            max_findings: 1,
            ..Limits::default()
        };
        assert_eq!(find(&base, &changed.rules[1], &run, false), Some(1));
        // Limits the parser reads, or line tracing, mean compiling again.
        let shallow = Limits {
            max_expr_depth: 4,
            ..Limits::default()
        };
        assert_eq!(find(&base, &changed.rules[1], &shallow, false), None);
        assert_eq!(find(&base, &changed.rules[1], &limits, true), None);
        #[cfg(feature = "coverage")]
        let traced = Engine::with_line_tracing(changed.clone(), Limits::default()).unwrap();
        #[cfg(feature = "coverage")]
        assert_eq!(find(&traced, &changed.rules[1], &limits, false), None);
    }

    #[test]
    fn an_engine_built_from_another_compiles_what_changed_as_a_fresh_one_does() {
        let base = Engine::new(
            pack(&[("t.a", "fail(\"a\");"), ("t.b", NESTED)]),
            Limits::default(),
        )
        .unwrap();
        // The changed rule is compiled: its new error is reported, as a fresh engine does.
        let broken = pack(&[("t.a", "fail(\"a\"; "), ("t.b", NESTED)]);
        let from = Engine::new_from(broken.clone(), Limits::default(), &base).err();
        let fresh = Engine::new(broken, Limits::default()).err();
        assert!(from.is_some());
        assert_eq!(from.map(|e| e.to_string()), fresh.map(|e| e.to_string()));
        // An unchanged rule too deep for tighter parsing limits is refused, not taken.
        let shallow = Limits {
            max_expr_depth: 4,
            ..Limits::default()
        };
        let same = pack(&[("t.a", "fail(\"a\");"), ("t.b", NESTED)]);
        let from = Engine::new_from(same.clone(), shallow.clone(), &base).err();
        let fresh = Engine::new(same, shallow).err();
        assert!(from.is_some());
        assert_eq!(from.map(|e| e.to_string()), fresh.map(|e| e.to_string()));
    }
}
