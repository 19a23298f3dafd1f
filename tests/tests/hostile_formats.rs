//! Every format on a hostile organization and pack (`tests/hostile/inputs/_common/`: names
//! with ANSI colour, a terminal title, an OSC 8 link, a carriage return, a right-to-left
//! override, a newline and a forged report line, a spreadsheet formula, NUL, backspace, a C1
//! CSI, U+FFFE and U+FFFF; pack titles and a rule error carrying escapes too; a stale waiver
//! with escapes): snapshots of what each format shows, and for every format people read, a
//! check that no character a terminal, an editor or a browser would act on gets through.

// Helpers unwrap and panic like the tests they serve: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::panic)]

use attest_engine::report::todo::TodoList;
use attest_engine::report::vendors::VendorRegister;
use attest_engine::{
    Engine, EvalOptions, Facts, FactsSource, Limits, Pack, PackFile, Report, Waivers, diff::Diff,
};
use attest_render::escape::{self, is_hidden};
use attest_render::{self as render, Context, TextOptions};

fn common(rel: &str) -> String {
    let path = attest_tests::repo_root()
        .join("tests/hostile/inputs/_common")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The hostile pack, read from its folder.
fn pack() -> Pack {
    let files: Vec<PackFile> = [
        "pack.toml",
        "controls.toml",
        "rules/t/names.rhai",
        "rules/t/throws.rhai",
    ]
    .iter()
    .map(|rel| PackFile::new(*rel, common(&format!("pack/{rel}"))))
    .collect();
    Pack::from_files(&files).unwrap()
}

/// The report of `facts` (a file of `_common/`) under the hostile pack, waivers applied.
fn report(facts: &str) -> (Report, Context) {
    let engine = Engine::new(pack(), Limits::default()).unwrap();
    let text = common(facts);
    let facts = Facts::load(&[FactsSource {
        name: facts,
        text: &text,
    }])
    .unwrap();
    let mut report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    Waivers::parse("waivers.json", &common("waivers.json"))
        .unwrap()
        .apply(&mut report);
    (report, Context::from_facts(&facts))
}

/// Asserts that `text` holds no hidden character but line feeds (and, with `sgr`, SGR
/// colour sequences).
fn assert_shown(format: &str, text: &str, sgr: bool) {
    let mut rest = text.to_owned();
    if sgr {
        for code in ["0", "1", "2", "31", "32", "33", "35", "36"] {
            rest = rest.replace(&format!("\u{1b}[{code}m"), "");
        }
    }
    let bad: Vec<char> = rest
        .chars()
        .filter(|c| *c != '\n' && is_hidden(*c))
        .collect();
    assert!(bad.is_empty(), "{format} lets through {bad:?}");
}

#[test]
fn formats_people_read_show_every_hidden_character() {
    let (report, context) = report("facts.json");
    let text = |color| {
        render::text(
            &report,
            &TextOptions {
                color,
                max_findings: 0,
            },
        )
    };
    let shown = [
        ("hostile_text", text(false), false),
        ("hostile_text_colour", text(true), true),
        ("hostile_markdown", render::markdown(&report), false),
        ("hostile_html", render::html(&report, &context), false),
        ("hostile_junit", render::junit(&report), false),
    ];
    for (name, output, sgr) in shown {
        assert_shown(name, &output, sgr);
        insta::assert_snapshot!(name, output.replace(&report.pack.digest, "[pack digest]"));
    }
    // The JUnit file of hostile facts is still well-formed XML (no control character an XML
    // parser refuses), and the SARIF and OSCAL documents still parse as JSON.
    let junit = render::junit(&report);
    roxmltree::Document::parse(&junit).unwrap_or_else(|e| panic!("hostile JUnit: {e}"));
    for (name, output) in [
        ("sarif", render::sarif(&report, &context)),
        ("oscal", render::oscal(&report)),
    ] {
        serde_json::from_str::<serde_json::Value>(&output)
            .unwrap_or_else(|e| panic!("hostile {name}: {e}"));
    }
    // A newline in a name never starts a line of its own.
    for (name, output) in [
        ("text", text(false)),
        ("markdown", render::markdown(&report)),
    ] {
        assert!(
            !output
                .lines()
                .any(|l| l.trim_start().starts_with("✗ forged")),
            "{name} shows a forged line"
        );
    }
}

/// A facts file name that tries what the facts' values try: an erase, a right-to-left
/// override and a forged line.
const HOSTILE_FILE: &str = "ev\u{1b}[2Jil\u{202e}\nerror: forged file.json";

/// Whether a line of `output` was started by a value: a forged error, or a forged table row.
fn forged_line(output: &str) -> Option<&str> {
    output.lines().find(|l| {
        let l = l.trim_start();
        l.starts_with("error: forged") || l.starts_with("| forged")
    })
}

#[test]
fn every_view_people_read_shows_evidence_vendors_and_file_names_escaped() {
    let engine = Engine::new(pack(), Limits::default()).unwrap();
    let text = common("facts.json");
    let facts = Facts::load(&[FactsSource {
        name: HOSTILE_FILE,
        text: &text,
    }])
    .unwrap();
    let options = EvalOptions::default();
    let report = engine.evaluate(&facts, &options).unwrap();
    let context = Context::from_facts(&facts);
    let public = render::redact(&report, &context);
    let register = VendorRegister::new(&report, &context.vendors, &context.review_cadence);
    let todo = TodoList::new(&report);
    let (sample, _) = engine
        .sample("t.names", &facts, &options, Some(7), 1)
        .unwrap()
        .unwrap();
    let no_colour = TextOptions {
        color: false,
        max_findings: 0,
    };
    let outputs = [
        ("text", render::text(&report, &no_colour)),
        ("markdown", render::markdown(&report)),
        ("html", render::html(&report, &context)),
        ("junit", render::junit(&report)),
        ("public text", render::public_text(&public)),
        ("public markdown", render::public_markdown(&public)),
        ("public html", render::public_html(&public)),
        ("vendors text", render::vendors_text(&register)),
        ("todo text", render::todo_text(&todo)),
        ("todo markdown", render::todo_markdown(&todo)),
        ("sample text", render::sample_text(&sample)),
    ];
    for (name, output) in &outputs {
        assert_shown(name, output, false);
        assert_eq!(
            forged_line(output),
            None,
            "{name} lets a value forge a line"
        );
    }
    let output = |name: &str| &outputs.iter().find(|(n, _)| *n == name).unwrap().1;

    // What the facts wrote is there, shown as written: the evidence's title, address and
    // file, the organization, the vendor's name and service.
    let evidence = &report.controls[0].evidence[0];
    let uri = evidence.uri.as_deref().unwrap();
    let vendor = &context.vendors[0];
    let shows = |name: &str, escaped: &dyn Fn(&str) -> String, values: &[&str]| {
        for value in values {
            let shown = escaped(value);
            assert!(
                output(name).contains(&shown),
                "{name} does not show {shown}:\n{}",
                output(name)
            );
        }
    };
    let line = |v: &str| escape::line(v).into_owned();
    shows(
        "text",
        &line,
        &[&evidence.title, uri, &format!("{HOSTILE_FILE}:")],
    );
    shows("markdown", &escape::markdown, &[&evidence.title]);
    shows("html", &escape::xml, &[&evidence.title, uri]);
    let public_values = [
        report.facts.organization.as_str(),
        &report.controls[0].title,
        &vendor.name,
        &vendor.service,
    ];
    shows("public text", &line, &public_values);
    shows("public markdown", &escape::markdown, &public_values);
    shows("public html", &escape::xml, &public_values);
    shows("vendors text", &line, &[&vendor.name, &vendor.service]);
    shows("sample text", &line, &[&format!("{HOSTILE_FILE}:")]);
    for name in ["public text", "public markdown", "public html"] {
        insta::assert_snapshot!(format!("hostile_{}", name.replace(' ', "_")), output(name));
    }
}

#[test]
fn diffs_show_every_hidden_character() {
    let (base, _) = report("small.json");
    let (new, _) = report("facts.json");
    let diff = Diff::new(&base, &new);
    let text = render::diff_text(
        &diff,
        &TextOptions {
            color: false,
            max_findings: 0,
        },
    );
    let markdown = render::diff_markdown(&diff);
    for (name, output) in [
        ("hostile_diff_text", text),
        ("hostile_diff_markdown", markdown),
    ] {
        assert_shown(name, &output, false);
        insta::assert_snapshot!(name, output);
    }
}

#[test]
fn data_formats_keep_values_as_they_are_and_guard_spreadsheets() {
    let (report, context) = report("facts.json");
    // JSON and SARIF carry the values exactly (their JSON escapes are the format's own).
    let exact = "admin\u{202e}gnp.exe";
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert!(json.to_string().contains(exact));
    let sarif: serde_json::Value = serde_json::from_str(&render::sarif(&report, &context)).unwrap();
    let texts: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["message"]["text"].as_str())
        .collect();
    assert!(texts.contains(&exact), "{texts:?}");
    // CSV keeps the text, and a cell a spreadsheet would run as a formula starts with `'`.
    let csv = render::csv(&report);
    let cells: Vec<Vec<String>> = ::csv::ReaderBuilder::new()
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let messages: Vec<&str> = cells.iter().map(|row| row[7].as_str()).collect();
    assert!(messages.contains(&"'=cmd|' /C calc'!A0"), "{messages:?}");
    assert!(messages.contains(&"ok\rOVERWRITTEN"), "{messages:?}");
    assert!(
        cells
            .iter()
            .flatten()
            .all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])),
        "no cell starts a formula"
    );
    // Where Excel's list separator is `;`, it splits lines there: no such cell is a formula.
    let cells: Vec<String> = ::csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_reader(csv.as_bytes())
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    assert!(
        cells.contains(&"'=cmd|' /C calc'!A0".to_owned()),
        "{cells:?}"
    );
    let formulas: Vec<&String> = cells
        .iter()
        .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']))
        .collect();
    assert!(formulas.is_empty(), "{formulas:?}");
}

/// SARIF's help in Markdown and OSCAL's titles and descriptions are Markdown that viewers
/// render: the values in them are escaped as the Markdown report escapes them.
#[test]
fn markup_in_data_formats_is_escaped() {
    let (report, context) = report("facts.json");
    let sarif: serde_json::Value = serde_json::from_str(&render::sarif(&report, &context)).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let names = rules.iter().find(|r| r["id"] == "t.names").unwrap();
    let remediation = &report
        .rules
        .iter()
        .find(|r| r.id == "t.names")
        .unwrap()
        .findings[0]
        .remediation;
    assert_eq!(
        names["help"]["markdown"],
        format!(
            "**Fix:** {}\n\n**Controls:** CC6.1",
            escape::markdown(remediation)
        )
    );
    let oscal: serde_json::Value = serde_json::from_str(&render::oscal(&report)).unwrap();
    let results = &oscal["assessment-results"];
    let title = results["metadata"]["title"].as_str().unwrap();
    assert!(
        title.contains(&escape::markdown(&report.facts.organization)),
        "{title}"
    );
    let observation = &results["results"][0]["observations"][0];
    let evidence: Vec<&str> = observation["relevant-evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect();
    let messages: Vec<String> = report.rules[0]
        .findings
        .iter()
        .map(|f| escape::markdown(&f.message))
        .collect();
    assert_eq!(evidence, messages);
    let mut markup = vec![title, observation["title"].as_str().unwrap()];
    markup.extend(&evidence);
    markup.push(observation["description"].as_str().unwrap());
    for text in markup {
        assert!(!text.chars().any(|c| c != '\n' && is_hidden(c)), "{text:?}");
        assert!(!text.contains("@octocat"), "{text:?}");
    }
}
