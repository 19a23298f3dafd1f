//! Packs that extend packs: inherited, overridden and disabled rules, parameter values, and
//! helper modules that only their own pack's rules can import.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{
    Engine, EvalOptions, Facts, FactsSource, Limits, Pack, PackFile, RuleResult, Status,
};
use attest_tests::minimal_rule as rule;

const FACTS: &str = r#"{"schema_version": "1",
  "organization": {"name": "T", "as_of": "2026-06-30"},
  "people": [{"id": "p1", "name": "Ada", "kind": "employee", "employment": {"status": "active"}}]}"#;

fn base() -> Pack {
    Pack::from_files(&[
        PackFile::new(
            "pack.toml",
            "name = \"base\"\nversion = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"b\"\n\n[params.limit]\ntype = \"integer\"\ndefault = 1\ndescription = \"l\"\n",
        ),
        PackFile::new("controls.toml", attest_tests::MINIMAL_CATALOG),
        PackFile::new("lib/words.rhai", "fn shout(s) { s.to_upper() }\n"),
        PackFile::new(
            "rules/a/uses-lib.rhai",
            rule("a.uses-lib", "import \"words\" as w;\nif w::shout(\"x\") != \"X\" { throw \"lib\"; }\n"),
        ),
        PackFile::new(
            "rules/a/limit.rhai",
            rule("a.limit", "if facts.people.len() >= params.limit { fail(\"too many\"); }\n"),
        ),
        PackFile::new("rules/a/gone.rhai", rule("a.gone", "fail(\"always\");\n")),
    ])
    .unwrap()
}

fn overlay(extra: &[PackFile]) -> Result<Pack, attest_engine::PackError> {
    let mut files = vec![PackFile::new(
        "pack.toml",
        "name = \"mine\"\nversion = \"1.0.0\"\nextends = \"base\"\n\n[set]\nlimit = 5\n\n[disable]\n\"a.gone\" = \"Covered by the identity provider\"\n",
    )];
    files.extend_from_slice(extra);
    Pack::from_files_extending(&files, Some(base()))
}

fn results(pack: Pack) -> Vec<RuleResult> {
    let engine = Engine::new(pack, Limits::default()).unwrap_or_else(|e| panic!("{e}"));
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text: FACTS,
    }])
    .unwrap();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    report.controls[0].rules.clone()
}

fn find<'a>(rules: &'a [RuleResult], id: &str) -> &'a RuleResult {
    rules.iter().find(|r| r.id == id).unwrap()
}

#[test]
fn an_extending_pack_inherits_sets_overrides_and_disables() {
    let pack = overlay(&[
        PackFile::new("rules/mine/own.rhai", rule("mine.own", "let x = 1;\n")),
        PackFile::new(
            "rules/a/limit.rhai",
            rule(
                "a.limit",
                "if facts.people.len() > params.limit * 10 { fail(\"x\"); }\n",
            ),
        ),
    ])
    .unwrap();
    assert_eq!(pack.manifest.params["limit"].default, serde_json::json!(5));
    let rules = results(pack);
    assert_eq!(
        find(&rules, "a.uses-lib").status,
        Status::Pass,
        "inherited rules keep their lib"
    );
    assert_eq!(find(&rules, "a.limit").status, Status::Pass);
    assert_eq!(find(&rules, "mine.own").status, Status::Pass);
    let gone = find(&rules, "a.gone");
    assert_eq!(gone.status, Status::NotApplicable);
    assert_eq!(
        gone.disabled.as_deref(),
        Some("Covered by the identity provider")
    );
}

#[test]
fn modules_are_importable_only_by_their_own_packs_rules() {
    let theirs = overlay(&[PackFile::new(
        "rules/mine/borrow.rhai",
        rule("mine.borrow", "import \"words\" as w;\n"),
    )])
    .unwrap();
    let r = find(&results(theirs), "mine.borrow").clone();
    assert_eq!(r.status, Status::Error);
    assert!(
        r.error.unwrap().message.contains("words"),
        "names the module"
    );

    for path in ["../base/lib/words", "/etc/passwd", "words.rhai"] {
        let pack = overlay(&[PackFile::new(
            "rules/mine/escape.rhai",
            rule("mine.escape", &format!("import \"{path}\" as w;\n")),
        )])
        .unwrap();
        assert_eq!(
            find(&results(pack), "mine.escape").status,
            Status::Error,
            "{path}"
        );
    }

    let own = overlay(&[
        PackFile::new("lib/mine.rhai", "fn twice(n) { n * 2 }\n"),
        PackFile::new(
            "rules/mine/own-lib.rhai",
            rule(
                "mine.own-lib",
                "import \"mine\" as m;\nif m::twice(2) != 4 { throw \"lib\"; }\n",
            ),
        ),
    ])
    .unwrap();
    assert_eq!(find(&results(own), "mine.own-lib").status, Status::Pass);
}

#[test]
fn a_module_that_never_finishes_loading_makes_the_pack_unusable() {
    let pack = overlay(&[PackFile::new("lib/spin.rhai", "loop { }\n")]).unwrap();
    let limits = Limits {
        max_operations: 10_000,
        ..Limits::default()
    };
    let err = Engine::new(pack, limits).err().unwrap();
    let d = &err.0[0];
    assert_eq!(
        (d.file.as_str(), d.code.as_str()),
        ("lib/spin.rhai", "module-error")
    );
    assert!(d.message.contains("10000 operations"), "{}", d.message);
}

#[test]
fn disabling_or_setting_what_the_base_lacks_is_an_error() {
    let err = Pack::from_files_extending(
        &[PackFile::new(
            "pack.toml",
            "name = \"mine\"\nversion = \"1.0.0\"\nextends = \"base\"\n\n[set]\nnope = 1\nlimit = \"many\"\n\n[disable]\n\"a.nothing\" = \"x\"\n",
        )],
        Some(base()),
    )
    .unwrap_err();
    let codes: Vec<(&str, Option<u32>)> = err.0.iter().map(|d| (d.code.as_str(), d.line)).collect();
    assert!(codes.contains(&("undeclared-param", Some(6))), "{codes:?}");
    assert!(codes.contains(&("invalid-param", Some(7))), "{codes:?}");
    assert!(codes.contains(&("unknown-rule", Some(10))), "{codes:?}");
}
