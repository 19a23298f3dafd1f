//! What `attest check`, `explain`, `list` and the warnings on stderr show of a hostile pack,
//! facts and waivers (`tests/hostile/inputs/`): snapshots, every escape shown rather than
//! passed to the terminal, and the caret of a diagnostic still under its column.

// Helpers unwrap and panic like the tests they serve: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use attest_render::escape::is_hidden;
use common::{attest, exit, stderr, stdout};

const PACK: &str = "tests/hostile/inputs/_common/pack";

/// Asserts that `text` holds no character a terminal acts on but line feeds.
fn assert_shown(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| *c != '\n' && is_hidden(*c))
        .collect();
    assert!(bad.is_empty(), "{what} lets through {bad:?}:\n{text}");
}

#[test]
fn check_shows_a_hostile_source_line_escaped_with_its_caret_in_place() {
    let o = attest(&["check", "tests/hostile/inputs/inject-check/pack"]);
    exit(&o, 1);
    let out = stdout(&o);
    assert_shown("attest check", &out);
    // The caret is under the `;` the parser stopped at, in the escaped line.
    let lines: Vec<&str> = out.lines().collect();
    let source = lines.iter().position(|l| l.starts_with("9 |")).unwrap();
    let caret = lines[source + 1].find('^').unwrap();
    assert_eq!(lines[source].chars().nth(caret), Some(';'), "{out}");
    insta::assert_snapshot!("hostile_check", out);
}

#[test]
fn explain_and_list_show_a_hostile_pack_escaped() {
    let o = attest(&["explain", "t.names", "--pack", PACK]);
    exit(&o, 0);
    assert_shown("attest explain", &stdout(&o));
    insta::assert_snapshot!("hostile_explain", stdout(&o));
    let o = attest(&["list", "controls", "--pack", PACK]);
    exit(&o, 0);
    assert_shown("attest list", &stdout(&o));
    insta::assert_snapshot!("hostile_list_controls", stdout(&o));
}

#[test]
fn warnings_show_hostile_names_escaped_one_per_line() {
    let o = attest(&[
        "eval",
        "tests/hostile/inputs/inject-stderr/facts.json",
        "--pack",
        PACK,
        "--waivers",
        "tests/hostile/inputs/_common/waivers.json",
        "--format",
        "json",
        "--output",
        "-",
    ]);
    exit(&o, 1);
    let err = stderr(&o);
    assert_shown("stderr", &err);
    assert!(err.lines().all(|l| l.starts_with("warning: ")), "{err}");
    insta::assert_snapshot!("hostile_warnings", err);
}
