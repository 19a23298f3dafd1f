//! Packs that extend packs: inherited, overridden and disabled rules, parameter values, and
//! helper modules that only their own pack's rules can import.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{
    Engine, EvalOptions, Facts, FactsSource, Limits, Pack, PackFile, RuleResult, Status,
};
use attest_tests::minimal_rule;

const FACTS: &str = r#"{"schema_version": "1",
  "organization": {"name": "T", "as_of": "2026-06-30"},
  "people": [{"id": "p1", "name": "Ada", "kind": "employee", "employment": {"status": "active"}}]}"#;

/// A rule about the one person of [`FACTS`] (its population), running `body`.
fn rule(id: &str, body: &str) -> String {
    minimal_rule(id, &format!("{body}\ntested(facts.people);\n"))
}

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
    report.rules_of(&report.controls[0]).cloned().collect()
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
    assert_eq!(
        pack.manifest().params["limit"].default,
        serde_json::json!(5)
    );
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

/// The base pack, extended with a module `spin` whose top-level code is `top` and a rule
/// `mine.spin` that imports it.
fn importing(top: &str) -> Pack {
    overlay(&[
        PackFile::new("lib/spin.rhai", format!("fn one() {{ 1 }}\n{top}\n")),
        PackFile::new(
            "rules/mine/spin.rhai",
            rule(
                "mine.spin",
                "import \"spin\" as s;\nif s::one() != 1 { throw \"lib\"; }\n",
            ),
        ),
    ])
    .unwrap()
}

#[test]
fn a_module_that_never_finishes_loading_is_an_error_for_the_rules_importing_it() {
    let limits = Limits {
        max_operations: 10_000,
        ..Limits::default()
    };
    let engine = Engine::new(importing("loop { }"), limits).unwrap();
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text: FACTS,
    }])
    .unwrap();
    for _ in 0..2 {
        let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
        let rules: Vec<RuleResult> = report.rules_of(&report.controls[0]).cloned().collect();
        let spin = find(&rules, "mine.spin");
        assert_eq!(spin.status, Status::Error, "{spin:?}");
        let error = spin.error.as_ref().unwrap();
        assert_eq!(
            error.message,
            "module \"spin\" did not load: the module exceeded its budget of 10000 operations (lib/spin.rhai, line 2, column 6)"
        );
        assert_eq!(
            (error.file.as_str(), error.line),
            ("rules/mine/spin.rhai", Some(8))
        );
        // The other rules ran, the base's module users included.
        assert_eq!(find(&rules, "a.uses-lib").status, Status::Pass);
        assert_eq!(find(&rules, "a.limit").status, Status::Pass);
    }
}

#[test]
fn the_time_budget_covers_a_module_while_it_loads() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;
    // A fake clock that advances one second per reading.
    let ticks = Arc::new(AtomicU64::new(0));
    let clock = move || Duration::from_secs(ticks.fetch_add(1, Ordering::SeqCst));
    let limits = Limits {
        max_operations: 0,
        time_budget: Some(Duration::from_secs(5)),
        ..Limits::default()
    };
    let engine = Engine::new(importing("loop { }"), limits).unwrap();
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text: FACTS,
    }])
    .unwrap();
    let options = EvalOptions::default().with_clock(Arc::new(clock));
    let r = engine
        .evaluate_rule("mine.spin", &facts, &options)
        .unwrap()
        .unwrap();
    assert_eq!(r.status, Status::Error, "{r:?}");
    assert!(
        r.error.as_ref().unwrap().message.starts_with(
            "module \"spin\" did not load: the module exceeded its time budget (lib/spin.rhai"
        ),
        "{r:?}"
    );
}

#[test]
fn an_error_inside_a_modules_function_is_placed_in_the_modules_file() {
    let pack = overlay(&[
        PackFile::new(
            "lib/spin.rhai",
            "fn inner(n) {\n    if n > 1 { throw `too big: ${n}`; }\n    n\n}\nfn outer(n) { inner(n + 1) }\n",
        ),
        PackFile::new(
            "rules/mine/spin.rhai",
            rule(
                "mine.spin",
                "import \"spin\" as s;\nfn mine(n) { s::outer(n) }\nlet x = mine(1);\n",
            ),
        ),
        PackFile::new(
            "rules/mine/own.rhai",
            rule("mine.own", "fn mine(n) {\n  throw `own: ${n}`;\n}\nmine(2);\n"),
        ),
    ])
    .unwrap();
    let rules = results(pack);
    // Thrown two calls deep inside the module, called from a function of the rule.
    let e = find(&rules, "mine.spin").error.clone().unwrap();
    assert_eq!(
        (e.message.as_str(), e.file.as_str(), e.line, e.column),
        ("too big: 2", "lib/spin.rhai", Some(2), Some(16))
    );
    // Thrown in a function of the rule itself: the rule's file.
    let e = find(&rules, "mine.own").error.clone().unwrap();
    assert_eq!(
        (e.message.as_str(), e.file.as_str(), e.line),
        ("own: 2", "rules/mine/own.rhai", Some(7 + 2))
    );
}

#[test]
fn a_module_that_throws_or_imports_is_an_error_for_its_importers_and_check_reports_it() {
    for (top, says) in [
        (
            "throw \"not ready\";",
            "module \"spin\" did not load: not ready (lib/spin.rhai, line 2, column 1)",
        ),
        (
            "import \"spin\" as again;",
            "module \"spin\" did not load: import \"spin\": a helper module cannot import another (lib/spin.rhai, line 2, column 8)",
        ),
    ] {
        let r = find(&results(importing(top)), "mine.spin").clone();
        assert_eq!(r.status, Status::Error, "{top}: {r:?}");
        assert_eq!(r.error.unwrap().message, says, "{top}");
    }
    // `check` runs every module's top-level code, and says which failed.
    let files = [
        PackFile::new(
            "pack.toml",
            "name = \"mine\"\nversion = \"1.0.0\"\nextends = \"base\"\n",
        ),
        PackFile::new("lib/spin.rhai", "throw \"not ready\";\n"),
    ];
    let diags = Engine::check(&files, Some(&base()));
    let d = diags.iter().find(|d| d.file == "lib/spin.rhai").unwrap();
    assert_eq!(
        (d.code.as_str(), d.message.as_str()),
        ("module-error", "not ready")
    );
    // A module that imports is told why, not Rhai's count of modules.
    let files = [
        files[0].clone(),
        PackFile::new("lib/spin.rhai", "import \"text\" as t;\n"),
        PackFile::new("lib/text.rhai", "fn x() { 1 }\n"),
    ];
    let diags = Engine::check(&files, Some(&base()));
    let d = diags.iter().find(|d| d.file == "lib/spin.rhai").unwrap();
    assert_eq!(
        (d.code.as_str(), d.message.as_str(), d.line),
        (
            "module-error",
            "a helper module cannot import another: import both in the rule",
            Some(1)
        )
    );
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

#[test]
fn a_path_given_to_two_files_is_an_error_naming_it() {
    let mut files = attest_tests::minimal_pack(&[("a.one", "tested(facts.people);\n")]);
    files.push(PackFile::new("pack.toml", "name = \"other\"\n"));
    files.push(files[2].clone());
    files.push(files[2].clone());
    let err = Pack::from_files(&files).unwrap_err();
    let found: Vec<(&str, &str)> = err
        .0
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        found[..2],
        [
            (
                "duplicate-file",
                "2 files have the path `pack.toml`; a pack has one file per path"
            ),
            (
                "duplicate-file",
                "3 files have the path `rules/a.one.rhai`; a pack has one file per path"
            ),
        ],
        "{found:?}"
    );
    // Each path once: the pack loads.
    files.truncate(3);
    Pack::from_files(&files).unwrap();
}

/// The diagnostics of a rule's file in a standalone pack with one parameter and one control.
fn check_rule(path: &str, source: &str) -> Vec<attest_engine::Diagnostic> {
    let files = [
        PackFile::new(
            "pack.toml",
            "name = \"p\"\nversion = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"d\"\n\n[params.limit]\ntype = \"integer\"\ndefault = 1\ndescription = \"l\"\n",
        ),
        PackFile::new(
            "controls.toml",
            "[[control]]\nid = \"CC1.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n",
        ),
        PackFile::new(path, source),
    ];
    let mut diags = attest_engine::Engine::check(&files, None);
    diags.retain(|d| d.file == path);
    diags
}

fn places(diags: &[attest_engine::Diagnostic]) -> Vec<(&str, Option<u32>, Option<u32>)> {
    diags
        .iter()
        .map(|d| (d.code.as_str(), d.line, d.column))
        .collect()
}

#[test]
fn a_double_slash_inside_a_string_moves_no_caret() {
    // Line 8 reads `params.limit` after a string holding `//`; the header does not list it.
    let source = rule(
        "a.url",
        "let site = \"https://example.com/params\"; if facts.people.len() > params.limit { fail(site); }\n",
    );
    let diags = check_rule("rules/a/url.rhai", &source);
    assert_eq!(
        places(&diags),
        vec![("unlisted-param", Some(8), Some(66))],
        "{diags:#?}"
    );
}

#[test]
fn a_key_repeated_in_a_comment_moves_no_caret() {
    let source = "//! id = \"a.commented\"\n//! title = \"t\"\n//! controls = [ # \"CC6.99\" was CC1.1's old name\n//!     \"CC1.1\",\n//!     \"CC6.99\",\n//! ]\n//! severity = \"low\"\n//! owner = \"HR\"\n//! facts = [\"people\"]\n//! params = [\"limit\"]\n//! remediation = \"r\"\n/* params.limit and params.other are read below */\nif facts.people.len() > params.limit + params.other { fail(\"x\"); }\n";
    let diags = check_rule("rules/a/commented.rhai", source);
    assert_eq!(
        places(&diags),
        vec![
            ("unknown-control", Some(5), Some(9)),
            ("undeclared-param", Some(13), Some(40)),
        ],
        "{diags:#?}"
    );
}

#[test]
fn a_rule_whose_file_is_not_where_its_id_says_is_a_warning() {
    let diags = check_rule("rules/elsewhere.rhai", &rule("a.here", "let x = 1;\n"));
    assert_eq!(
        places(&diags),
        vec![("misplaced-rule", Some(1), Some(10))],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "rule `a.here` is in rules/elsewhere.rhai; by its id it belongs in rules/a/here.rhai"
    );
    assert!(!diags[0].is_error());
    assert!(check_rule("rules/a/here.rhai", &rule("a.here", "let x = 1;\n")).is_empty());
}

#[test]
fn a_field_facts_v1_does_not_define_is_an_error_at_its_token() {
    let source = rule(
        "a.typo",
        "for p in facts.people { if p.employment.statsu == \"active\" { fail(p, \"x\"); } }",
    );
    let diags = check_rule("rules/a/typo.rhai", &source);
    assert_eq!(
        places(&diags),
        vec![("unknown-field", Some(8), Some(41))],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "`statsu` is not a field of `employment` of people records in facts-v1; did you mean `status`?"
    );
    // An error: the pack cannot be used.
    let mut files = attest_tests::minimal_pack(&[]);
    files.push(PackFile::new("rules/a/typo.rhai", source));
    let err = Pack::from_files(&files).unwrap_err();
    assert_eq!(
        err.0.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        vec!["unknown-field"]
    );
}

#[test]
fn a_facts_key_read_but_not_listed_is_a_warning_at_its_first_read() {
    let source = rule(
        "a.unlisted",
        "for a in facts.accounts.where(\"status\", \"active\") { if facts.accounts.len() > 1 { fail(a, \"x\"); } }",
    );
    let diags = check_rule("rules/a/unlisted.rhai", &source);
    assert_eq!(
        places(&diags),
        vec![("unlisted-facts-key", Some(8), Some(16))],
        "{diags:#?}"
    );
    assert!(!diags[0].is_error());
    // A rule that handles the key's absence itself is not warned.
    let guarded = rule(
        "a.unlisted",
        "if facts.accounts != () { for a in facts.accounts { fail(a, \"x\"); } }",
    );
    assert_eq!(check_rule("rules/a/unlisted.rhai", &guarded), vec![]);
}

/// A rule about people that reads `devices` (header line 7) as `reads` lists them (line 8).
fn reading_devices(reads: &str, body: &str) -> String {
    format!(
        "//! id = \"a.devices\"\n//! title = \"t\"\n//! controls = [\"CC1.1\"]\n//! severity = \"low\"\n//! owner = \"HR\"\n//! facts = [\"people\"]\n//! reads = {reads}\n//! remediation = \"r\"\n{body}"
    )
}

/// Devices taken as `[]` when absent: every person fails without one.
const DEVICES_BODY: &str = "let devices = if facts.devices != () { facts.devices } else { [] };\nlet by_person = index_by(devices, \"person_id\");\nfor p in tested(facts.people) { if by_person.get(p.id) == () { fail(p, \"no device\"); } }\n";

#[test]
fn the_fields_of_a_collection_in_reads_are_checked_as_those_in_facts() {
    let typo = DEVICES_BODY.replace("\"person_id\"", "\"persn_id\"");
    let diags = check_rule(
        "rules/a/devices.rhai",
        &reading_devices("[\"devices\"]", &typo),
    );
    assert_eq!(
        places(&diags),
        vec![("unknown-field", Some(10), Some(35))],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "`index_by`: `persn_id` is not a field of devices records in facts-v1; did you mean `person_id`?"
    );
    let fine = reading_devices("[\"devices\"]", DEVICES_BODY);
    assert_eq!(check_rule("rules/a/devices.rhai", &fine), vec![]);
}

#[test]
fn reads_names_known_keys_none_of_them_in_facts() {
    let source = reading_devices("[\"devics\", \"people\"]", DEVICES_BODY);
    let diags = check_rule("rules/a/devices.rhai", &source);
    assert_eq!(
        places(&diags),
        vec![
            ("unknown-facts-key", Some(7), Some(14)),
            ("facts-key-twice", Some(7), Some(24)),
        ],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "`devics` is not a facts-v1 key; did you mean `devices`?"
    );
    assert!(diags.iter().all(attest_engine::Diagnostic::is_error));
}

#[test]
fn a_rule_whose_reads_are_absent_is_judged_and_its_population_says_what_it_read() {
    let mut files = attest_tests::minimal_pack(&[]);
    files.push(PackFile::new(
        "rules/a/devices.rhai",
        reading_devices("[\"devices\"]", DEVICES_BODY),
    ));
    let without = results(Pack::from_files(&files).unwrap());
    let rule = find(&without, "a.devices");
    assert_eq!(rule.status, Status::Fail, "{rule:?}");
    assert_eq!(rule.population.describe(), "tested 1 of 1 people");
    let with = FACTS.replacen(
        "\"people\"",
        "\"devices\": [{\"id\": \"d1\", \"person_id\": \"p1\"}, {\"id\": \"d2\", \"person_id\": \"p9\"}],\n  \"people\"",
        1,
    );
    let engine = Engine::new(Pack::from_files(&files).unwrap(), Limits::default()).unwrap();
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text: &with,
    }])
    .unwrap();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    let rule = report.rule("a.devices").unwrap();
    assert_eq!(rule.status, Status::Pass, "{rule:?}");
    assert_eq!(
        rule.population.describe(),
        "tested 1 of 1 people; read 2 devices"
    );
}

#[test]
fn a_query_condition_no_record_can_meet_is_a_warning_at_its_value() {
    let source = rule(
        "a.never",
        "for v in facts.vendors.where(\"data_access\", \"pii\") { fail(v, \"x\"); }\nlet staff = facts.people.where(#{ kind: \"staff\" });",
    )
    .replace("[\"people\"]", "[\"people\", \"vendors\"]");
    let diags = check_rule("rules/a/never.rhai", &source);
    assert_eq!(
        places(&diags),
        vec![
            ("query-never-matches", Some(8), Some(45)),
            ("query-never-matches", Some(9), Some(41)),
        ],
        "{diags:#?}"
    );
    assert_eq!(
        diags[1].message,
        "`kind` of people records is one of \"employee\", \"contractor\", so it never equals \"staff\": `where` matches no record"
    );
}

#[test]
fn an_import_of_a_module_the_pack_lacks_is_reported_by_check_and_errs_at_run_time() {
    let source = rule("a.imports", "import \"nope\" as n;\nfail(\"x\");");
    let diags = check_rule("rules/a/imports.rhai", &source);
    assert_eq!(
        places(&diags),
        vec![("unresolved-import", Some(8), Some(1))],
        "{diags:#?}"
    );
    assert_eq!(
        diags[0].message,
        "import `nope`: the pack has no lib/nope.rhai"
    );
}

#[test]
fn a_carriage_return_without_a_line_feed_in_a_rule_or_module_is_refused_at_its_place() {
    // Rhai reads the lone CR as a line break: the call after it would run, on what a
    // terminal shows as a comment line.
    let hidden = rule("a.hidden", "// nothing to see\rfail(\"hidden\");\n");
    let diags = check_rule("rules/a/hidden.rhai", &hidden);
    assert_eq!(
        places(&diags),
        vec![("syntax-error", Some(8), Some(18))],
        "{diags:#?}"
    );
    assert!(diags[0].message.contains("carriage return"), "{diags:#?}");
    let module = check_rule("lib/words.rhai", "fn shout(s) {\r s.to_upper() }\n");
    assert_eq!(
        places(&module),
        vec![("syntax-error", Some(1), Some(14))],
        "{module:#?}"
    );
    // CRLF line endings are line endings.
    let crlf = rule("a.crlf", "let x = 1;\nlet y = x;\n").replace('\n', "\r\n");
    assert_eq!(check_rule("rules/a/crlf.rhai", &crlf), vec![]);
}

/// One engine, evaluated with the pack's defaults, then an override, then the defaults again
/// (the defaults are made once per engine and shared): each evaluation sees its own values,
/// in native runs and in Rhai alike.
#[test]
fn each_evaluation_of_one_engine_sees_its_own_parameter_values() {
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text: FACTS,
    }])
    .unwrap();
    let status = |engine: &Engine, params: &[(&str, i64)]| {
        let params = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::json!(v)))
            .collect();
        let options = EvalOptions::default().with_params(params);
        let result = engine.evaluate_rule("a.limit", &facts, &options).unwrap();
        result.unwrap().status
    };
    let native = Engine::new(base(), Limits::default()).unwrap();
    assert!(native.runs_natively("a.limit"));
    let in_rhai = Engine::new(base(), Limits::default())
        .unwrap()
        .interpreted();
    for engine in [&native, &in_rhai] {
        // One person against the default limit of 1 fails; a limit of 5 passes.
        assert_eq!(status(engine, &[]), Status::Fail);
        assert_eq!(status(engine, &[("limit", 5)]), Status::Pass);
        assert_eq!(status(engine, &[]), Status::Fail);
        assert_eq!(status(engine, &[("limit", 1)]), Status::Fail);
    }
}

/// A parameter that lists its `values` takes no other (in any case), wherever its value is
/// given: the declared default, an extending pack's `[set]`, or the run's overrides.
#[test]
fn a_parameter_listing_its_values_refuses_any_other() {
    let declared = |default: &str, kind: &str| {
        format!(
            "name = \"kinds\"\nversion = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"k\"\n\n[params.kinds]\ntype = \"{kind}\"\ndefault = {default}\nvalues = [\"employee\", \"contractor\"]\ndescription = \"d\"\n"
        )
    };
    let pack = |toml: String| {
        Pack::from_files(&[
            PackFile::new("pack.toml", toml),
            PackFile::new("controls.toml", attest_tests::MINIMAL_CATALOG),
            PackFile::new(
                "rules/a/kinds.rhai",
                rule("a.kinds", "if params.kinds.len() > 1 { fail(\"two\"); }\n"),
            ),
        ])
    };
    let problem = |toml: String| {
        let err = pack(toml).unwrap_err();
        let d = &err.0[0];
        (d.code.as_str().to_owned(), d.message.clone(), d.line)
    };
    assert_eq!(
        problem(declared("[\"employee\", \"vendor\"]", "string_list")),
        (
            "invalid-param".to_owned(),
            "parameter `kinds`: default \"vendor\" is not one of \"employee\", \"contractor\" (matched in any case)".to_owned(),
            Some(6)
        )
    );
    assert_eq!(
        problem(declared("1", "integer")).1,
        "parameter `kinds`: `values` applies to string and string_list parameters, not integer"
    );
    let base = pack(declared("[\"Employee\"]", "string_list")).unwrap();
    let err = Pack::from_files_extending(
        &[PackFile::new(
            "pack.toml",
            "name = \"mine\"\nversion = \"1.0.0\"\nextends = \"kinds\"\n\n[set]\nkinds = [\"CONTRACTOR\", \"staff\"]\n",
        )],
        Some(base.clone()),
    )
    .unwrap_err();
    assert_eq!(
        (err.0[0].message.as_str(), err.0[0].line),
        (
            "[set] `kinds`: \"staff\" is not one of \"employee\", \"contractor\" (matched in any case)",
            Some(6)
        )
    );
    let facts = Facts::load(&[FactsSource {
        name: "f.json",
        text: FACTS,
    }])
    .unwrap();
    let engine = Engine::new(base, Limits::default()).unwrap();
    let run = |value: serde_json::Value| {
        let params = [("kinds".to_owned(), value)].into_iter().collect();
        let options = EvalOptions::default().with_params(params);
        engine
            .evaluate_rule("a.kinds", &facts, &options)
            .map(|r| r.unwrap().status)
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        run(serde_json::json!(["EMPLOYEE", "contractor"])),
        Ok(Status::Fail)
    );
    assert_eq!(run(serde_json::json!(["employee"])), Ok(Status::Pass));
    let refused = run(serde_json::json!(["employee", "urgent"])).unwrap_err();
    assert!(
        refused.contains("\"urgent\" is not one of \"employee\", \"contractor\""),
        "{refused}"
    );
}
