//! What installing `attest` brings: shell completions (`attest completions SHELL`) that a shell
//! loads and that complete subcommands and flags, and manual pages (`attest man`) that `groff`
//! renders, one per command.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest, exit, scratch, stdout};
use std::fs;
use std::process::Command;

/// The subcommands every completion script and the manual must know.
const COMMANDS: [&str; 18] = [
    "eval",
    "validate",
    "import",
    "init",
    "diff",
    "test",
    "check",
    "explain",
    "list",
    "new",
    "sample",
    "vendors",
    "todo",
    "bundle",
    "history",
    "ledger",
    "completions",
    "man",
];

#[test]
fn completion_scripts_know_every_command_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _attest"),
        ("zsh", "#compdef attest"),
        ("fish", "complete -c attest"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'attest'",
        ),
        ("elvish", "edit:completion:arg-completer[attest]"),
    ] {
        let o = attest(&["completions", shell]);
        exit(&o, 0);
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: `{command}` missing");
        }
        assert!(
            script.contains("sarif-max-results"),
            "{shell}: eval's flags missing"
        );
    }
    let o = attest(&["completions", "tcsh"]);
    exit(&o, 2);
}

/// What bash offers for the words typed so far, with the script loaded as a user would.
fn bash_completes(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let program = format!(
        "source '{}'; COMP_WORDS=({line}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; _attest attest '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words.len() - 1,
        words.last().unwrap(),
        words.get(words.len().saturating_sub(2)).unwrap()
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash must be on the PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_subcommands_flags_and_values() {
    let dir = scratch("bash");
    let script = dir.join("attest.bash");
    fs::write(&script, stdout(&attest(&["completions", "bash"]))).unwrap();
    assert_eq!(bash_completes(&script, &["attest", "ev"]), ["eval"]);
    assert_eq!(
        bash_completes(&script, &["attest", "eval", "--sarif-m"]),
        ["--sarif-max-results"]
    );
    let formats = bash_completes(&script, &["attest", "eval", "--format", ""]);
    for format in ["text", "json", "sarif", "junit", "markdown", "html", "csv"] {
        assert!(formats.iter().any(|f| f == format), "{formats:?}");
    }
    assert_eq!(
        bash_completes(&script, &["attest", "todo", "--owner", ""]),
        [
            "IT",
            "Security",
            "HR",
            "Legal",
            "Engineering",
            "Product",
            "Sales",
            "Finance",
            "Operations",
            "all"
        ]
    );
}

#[test]
fn manual_pages_cover_every_command_and_render() {
    let o = attest(&["man"]);
    exit(&o, 0);
    let page = stdout(&o);
    assert!(page.contains(".TH attest 1"), "{page}");
    assert!(page.contains("SOC 2 controls as code"), "{page}");
    for command in COMMANDS {
        assert!(
            page.contains(&format!("attest\\-{command}(1)")),
            "no {command} in:\n{page}"
        );
    }
    let dir = scratch("man");
    exit(&attest(&["man", "--output", &dir.to_string_lossy()]), 0);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for command in COMMANDS {
        assert!(names.contains(&format!("attest-{command}.1")), "{names:?}");
    }
    assert!(names.contains(&"attest.1".to_owned()));
    assert!(names.contains(&"attest-new-rule.1".to_owned()), "{names:?}");
    let eval = fs::read_to_string(dir.join("attest-eval.1")).unwrap();
    assert!(eval.contains(".TH attest-eval 1"), "{eval}");
    assert!(eval.contains("sarif\\-max\\-results"), "{eval}");
    // groff (man-db's renderer) reads them: the eval page shows its synopsis and flags.
    let out = Command::new("groff")
        .args(["-man", "-Tutf8", "-P", "-c"])
        .arg(dir.join("attest-eval.1"))
        .output()
        .expect("groff must be on the PATH (Debian's groff-base, which man-db needs)");
    assert!(out.status.success());
    // Without escape sequences, grotty emboldens by overstriking: `X\x08X`.
    let raw = String::from_utf8_lossy(&out.stdout);
    let mut text = String::new();
    for c in raw.chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    assert!(
        text.contains("SYNOPSIS") && text.contains("--waivers"),
        "{text}"
    );
    // A folder that is not there is an error that says how to make it, and nothing is
    // written; a file where the folder belongs is not a folder.
    let missing = dir.join("missing");
    let o = attest(&["man", "--output", &missing.to_string_lossy()]);
    exit(&o, 2);
    assert_eq!(
        common::stderr(&o),
        format!(
            "error: {0}: no such folder: make it first (mkdir -p {0})\n",
            missing.display()
        )
    );
    assert!(!missing.exists());
    let file = dir.join("attest.1");
    let o = attest(&["man", "--output", &file.to_string_lossy()]);
    exit(&o, 2);
    assert!(
        common::stderr(&o).ends_with(": not a folder\n"),
        "{}",
        common::stderr(&o)
    );
}
