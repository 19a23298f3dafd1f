//! The npm package as a user gets it: `npm pack` of `wasm/pkg` (its `prepack` step builds the
//! module) gives a tarball with the module, the wrapper, its types, README and licence; a
//! scratch project installs the tarball and uses it from Node (ESM) and from a page in
//! headless Chromium under a Content-Security-Policy with `wasm-unsafe-eval`; and the
//! TypeScript compiler accepts the whole example report (waivers, explanations, populations)
//! as the package's `Report` type, with no field the types do not declare.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::EvalOptions;
use attest_engine::report::todo::TodoList;
use attest_render::{self as render, Context};
use attest_wasm_host::{repo_root, serve};
use serde_json::{Value, json};
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `npm pack` of wasm/pkg into `dir`; returns the tarball.
fn pack(dir: &Path) -> std::path::PathBuf {
    let root = repo_root();
    let mut cmd = Command::new("npm");
    cmd.args(["pack", "--json", "--pack-destination"])
        .arg(dir)
        .current_dir(root.join("wasm/pkg"));
    if let Some(prebuilt) = std::env::var_os("ATTEST_WASM") {
        // A module built elsewhere: packed as it is, without the build step.
        if Path::new(&prebuilt) != root.join("wasm/pkg/attest.wasm") {
            fs::copy(&prebuilt, root.join("wasm/pkg/attest.wasm")).unwrap();
        }
        cmd.arg("--ignore-scripts");
    } else {
        // `prepack` runs wasm/build.sh, in the target directory the other tests build it in.
        cmd.env("CARGO_TARGET_DIR", root.join("target/wasm-module"));
    }
    let out = run(&mut cmd);
    let listing: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut files: Vec<&str> = listing[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    files.sort_unstable();
    assert_eq!(
        files,
        [
            "LICENSE",
            "README.md",
            "attest.d.ts",
            "attest.mjs",
            "attest.wasm",
            "package.json"
        ]
    );
    dir.join(listing[0]["filename"].as_str().unwrap())
}

const NODE_SCRIPT: &str = r#"
import { readFileSync, readdirSync } from "node:fs";
import { load } from "attest-wasm";
const names = readdirSync("facts").filter((n) => n.endsWith(".json")).sort();
const facts = names.map((n) => ({ name: `facts/${n}`, text: readFileSync(`facts/${n}`, "utf8") }));
const waivers = { name: "waivers.json", text: readFileSync("waivers.json", "utf8") };
const attest = await load();
const pack = { "pack.toml": 'name = "mine"\nversion = "1.0.0"\nextends = "soc2"\n' };
const report = attest.evaluate(facts, { waivers });
const view = attest.evaluate(facts, { waivers, redact: true });
const html = attest.render(facts, "html", { waivers });
const diff = JSON.parse(attest.diff(report, report));
console.log(JSON.stringify({
  summary: report.summary.controls,
  waivers: report.waivers.length,
  public: view.summary,
  html: html.startsWith("<!DOCTYPE html>"),
  diff: diff.new_failures.length,
  check: attest.check(pack).errors,
  test: attest.test(pack).summary.failed,
}));
"#;

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'">
<title>attest-wasm from npm</title>
</head>
<body>
<pre id="out"></pre>
<script type="module" src="page.mjs"></script>
</body>
</html>
"#;

const PAGE_SCRIPT: &str = r#"
import { load } from "./node_modules/attest-wasm/attest.mjs";
const names = NAMES;
const facts = await Promise.all(names.map(async (n) => ({ name: `facts/${n}`, text: await (await fetch(`facts/${n}`)).text() })));
const waivers = { name: "waivers.json", text: await (await fetch("waivers.json")).text() };
const attest = await load();
const pack = { "pack.toml": 'name = "mine"\nversion = "1.0.0"\nextends = "soc2"\n' };
const report = attest.evaluate(facts, { waivers });
const view = attest.evaluate(facts, { waivers, redact: true });
const html = attest.render(facts, "html", { waivers });
const diff = JSON.parse(attest.diff(report, report));
const out = document.getElementById("out");
out.textContent = JSON.stringify({
  summary: report.summary.controls,
  waivers: report.waivers.length,
  public: view.summary,
  html: html.startsWith("<!DOCTYPE html>"),
  diff: diff.new_failures.length,
  check: attest.check(pack).errors,
  test: attest.test(pack).summary.failed,
});
out.dataset.done = "true";
"#;

#[test]
fn the_packed_package_installs_and_works_in_node_typescript_and_chromium() {
    attest_wasm_host::node_test_tools().unwrap();
    attest_wasm_host::module_path();
    let root = repo_root();
    let dir = attest_tests::scratch!("npm");
    let tarball = pack(&dir);

    // A project that installs the tarball (no dependencies: nothing else is fetched).
    let project = dir.join("project");
    fs::create_dir_all(project.join("facts")).unwrap();
    fs::write(
        project.join("package.json"),
        r#"{"name": "consumer", "private": true, "type": "module"}"#,
    )
    .unwrap();
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--offline"])
        .arg(&tarball)
        .current_dir(&project));
    let mut names = Vec::new();
    for (name, text) in attest_tests::example_sources() {
        let file = Path::new(&name)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        fs::write(project.join("facts").join(&file), text).unwrap();
        names.push(file);
    }
    fs::copy(
        root.join("examples/waivers.json"),
        project.join("waivers.json"),
    )
    .unwrap();

    // What both hosts must print, from the native engine.
    let facts = attest_tests::example_facts();
    let mut report = attest_tests::soc2_engine()
        .evaluate(&facts, &EvalOptions::default().with_explain(true))
        .unwrap();
    attest_tests::example_waivers().apply(&mut report);
    let view = render::redact(&report, &Context::from_facts(&facts));
    let expected = json!({
        "summary": report.summary.controls,
        "waivers": report.waivers.len(),
        "public": view.summary,
        "html": true,
        "diff": 0,
        "check": 0,
        "test": 0,
    });

    // Node, as an ES module importing the package by name.
    fs::write(project.join("use.mjs"), NODE_SCRIPT).unwrap();
    let out = run(Command::new("node").arg("use.mjs").current_dir(&project));
    let node: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(node, expected);

    // TypeScript: the whole report (with explanations, populations and waivers), its public
    // view and its to-do list are values of the package's types, and the calls type-check.
    let todo = TodoList::new(&report);
    assert!(todo.has_failures());
    let types = format!(
        "import {{ load, type Report, type PublicReport, type CheckResult, type TestResults, type TodoList }} from \"attest-wasm\";\n\
         const report: Report = {};\n\
         const view: PublicReport = {};\n\
         const todo: TodoList = {};\n\
         const attest = await load();\n\
         const again: Report = attest.evaluate(\"{{}}\", {{ waivers: \"{{}}\", explain: true }});\n\
         const html: string = attest.render(\"{{}}\", \"html\", {{ redact: true }});\n\
         const portal: PublicReport = attest.evaluate(\"{{}}\", {{ redact: true }});\n\
         const check: CheckResult = attest.check([], {{ name: \"pack\" }});\n\
         const tests: TestResults = attest.test({{ \"pack.toml\": \"\" }});\n\
         const diff: string = attest.diff(report, again, {{ format: \"markdown\" }});\n\
         const mine: TodoList = attest.todo(\"{{}}\", {{ owner: \"IT\", waivers: \"{{}}\" }});\n\
         const sheet: string = attest.renderTodo(\"{{}}\", \"csv\");\n\
         const first: string | undefined = todo.owners[0]?.items[0]?.evidence?.state;\n\
         const approver: string | undefined = report.waivers?.[0]?.approved_by;\n\
         const reason: string | undefined = report.rules[0]?.explanation?.reason;\n\
         const keys: string[] | undefined = report.rules[0]?.population.keys;\n\
         const evidence: string | undefined = report.controls[0]?.evidence?.[0]?.title;\n\
         export {{ view, html, portal, check, tests, diff, mine, sheet, first, approver, reason, keys, evidence }};\n",
        report.to_json().trim_end(),
        view.to_json().trim_end(),
        todo.to_json().trim_end()
    );
    assert!(
        report
            .rules
            .iter()
            .any(|r| r.explanation.is_some() && r.population.keys.is_some())
    );
    assert!(
        report
            .rules
            .iter()
            .any(|r| r.findings.iter().any(|f| f.waiver.is_some()))
    );
    assert!(report.controls.iter().any(|c| !c.evidence.is_empty()));
    fs::write(project.join("types.ts"), types).unwrap();
    run(Command::new("node")
        .arg(root.join("wasm/test/node_modules/typescript/bin/tsc"))
        .args([
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "nodenext",
            "--moduleResolution",
            "nodenext",
            "--lib",
            "es2022,dom",
            "types.ts",
        ])
        .current_dir(&project));

    // A page importing the installed package with a plain <script type="module">.
    fs::write(project.join("index.html"), PAGE).unwrap();
    fs::write(
        project.join("page.mjs"),
        PAGE_SCRIPT.replace("NAMES", &serde_json::to_string(&names).unwrap()),
    )
    .unwrap();
    let port = serve(&project).unwrap();
    let out = run(Command::new("node")
        .arg(root.join("wasm/test/npm-page.mjs"))
        .arg(format!("http://127.0.0.1:{port}/index.html")));
    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page, expected);
}
