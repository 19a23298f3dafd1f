//! The hostile rule corpus (`tests/hostile/rules/`), as the `attest` binary's test and the
//! module's test both run it: each case is a rule body with what it must report, run in one
//! pack beside ordinary rules that must give their usual results.

use crate::repo_root;
use attest_engine::PackFile;
use std::path::PathBuf;

/// The corpus folder.
pub fn corpus_dir() -> PathBuf {
    repo_root().join("tests/hostile/rules")
}

/// The limits every case runs under, small so the corpus runs in seconds, as `attest eval`
/// flags; a case's `// args:` line overrides some of them.
pub const CORPUS_ARGS: [(&str, &str); 4] = [
    ("--max-operations", "1000000"),
    ("--max-memory", "64"),
    ("--max-findings", "1000"),
    ("--rule-timeout", "5"),
];

/// One case: `tests/hostile/rules/<name>.rhai`.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file name without `.rhai`; the rule's id is `hostile.<name>`.
    pub name: String,
    /// The rule's body.
    pub body: String,
    /// The status the rule must report (`error` unless the case says otherwise).
    pub status: String,
    /// Text the rule's error message must contain.
    pub error: Option<String>,
    /// Text the rule's first finding's message must contain.
    pub finding: Option<String>,
    /// The limits it runs under, as `attest eval` flags.
    pub args: Vec<(String, String)>,
    /// Why the module cannot run it, if it cannot.
    pub native_only: Option<String>,
}

impl Case {
    /// The rule's id.
    pub fn id(&self) -> String {
        format!("hostile.{}", self.name)
    }

    /// Its value of one of [`CORPUS_ARGS`] (as overridden by the case).
    pub fn arg(&self, flag: &str) -> &str {
        self.args
            .iter()
            .find(|(f, _)| f == flag)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Every case, by name. The leading `// ` lines of a case say what it is and expects:
/// `error: TEXT`, `status: STATUS`, `finding: TEXT`, `args: --flag value ...` and
/// `native-only: WHY`; the first line is its description.
pub fn cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap_or_else(|e| panic!("{}: {e}", corpus_dir().display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            parse(name, &text)
        })
        .collect()
}

fn parse(name: String, text: &str) -> Case {
    let mut case = Case {
        name,
        body: text.to_owned(),
        status: "error".to_owned(),
        error: None,
        finding: None,
        args: CORPUS_ARGS
            .iter()
            .map(|(f, v)| ((*f).to_owned(), (*v).to_owned()))
            .collect(),
        native_only: None,
    };
    for line in text.lines().map_while(|l| l.strip_prefix("// ")) {
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        match key {
            "error" => case.error = Some(value.to_owned()),
            "status" => case.status = value.to_owned(),
            "finding" => case.finding = Some(value.to_owned()),
            "native-only" => case.native_only = Some(value.to_owned()),
            "args" => {
                let words: Vec<&str> = value.split_whitespace().collect();
                for pair in words.chunks(2) {
                    let (flag, v) = (pair[0].to_owned(), pair.get(1).copied().unwrap_or(""));
                    match case.args.iter_mut().find(|(f, _)| *f == flag) {
                        Some(slot) => slot.1 = v.to_owned(),
                        None => panic!("{}: unknown flag {flag}", case.name),
                    }
                }
            }
            _ => {}
        }
    }
    assert!(
        case.error.is_some() || case.finding.is_some(),
        "{}: says neither `// error:` nor `// finding:`",
        case.name
    );
    case
}

/// The facts every case runs against: two accounts, one without MFA.
pub const FACTS: &str = r#"{"schema_version": "1",
  "organization": {"name": "Hostile", "as_of": "2026-06-30"},
  "accounts": [
    {"system_id": "aws", "username": "root", "kind": "human", "status": "active", "privileged": true, "mfa": false},
    {"system_id": "aws", "username": "ada", "kind": "human", "status": "active", "privileged": true, "mfa": true}
  ]}"#;

/// The ordinary rules beside the cases, `(id, body)`, and what each must report: the
/// failing one finds root, the passing one tests both accounts.
pub const ORDINARY: [(&str, &str); 2] = [
    (
        "ordinary.mfa",
        "for a in facts.accounts { if a.privileged && a.mfa != true { fail(a, `${a.username} has no MFA`); } }\n",
    ),
    (
        "ordinary.active",
        "for a in facts.accounts { if a.status != \"active\" { fail(a, \"inactive\"); } }\n",
    ),
];

/// The message `ordinary.mfa` reports.
pub const ORDINARY_FINDING: &str = "root has no MFA";

fn header(id: &str, control: &str) -> String {
    format!(
        "//! id = \"{id}\"\n//! title = \"{id}\"\n//! controls = [\"{control}\"]\n//! severity = \"high\"\n//! owner = \"IT\"\n//! facts = [\"accounts\"]\n//! remediation = \"Not a real rule.\"\n"
    )
}

/// The pack the cases run in: `cases` on CC6.1 (`rules/hostile/<name>.rhai`), the ordinary
/// rules on CC6.2, and the corpus's helper modules (`lib/`).
pub fn pack_files(cases: &[&Case]) -> Vec<PackFile> {
    let mut files = vec![
        PackFile::new(
            "pack.toml",
            "name = \"hostile\"\nversion = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"Hostile rules\"\n",
        ),
        PackFile::new("controls.toml", crate::TINY_CATALOG),
    ];
    for case in cases {
        files.push(PackFile::new(
            format!("rules/hostile/{}.rhai", case.name),
            header(&case.id(), "CC6.1") + case.body.as_str(),
        ));
    }
    for (id, body) in ORDINARY {
        let name = id.trim_start_matches("ordinary.");
        files.push(PackFile::new(
            format!("rules/ordinary/{name}.rhai"),
            header(id, "CC6.2") + body,
        ));
    }
    let lib = corpus_dir().join("lib");
    let mut libs: Vec<PathBuf> = std::fs::read_dir(&lib)
        .unwrap_or_else(|e| panic!("{}: {e}", lib.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    libs.sort();
    for path in libs {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        files.push(PackFile::new(format!("lib/{name}"), text));
    }
    files
}

/// The cases grouped by the limits they run under (one evaluation per group), in name order.
pub fn groups(cases: &[Case]) -> Vec<Vec<&Case>> {
    let mut groups: Vec<Vec<&Case>> = Vec::new();
    for case in cases {
        match groups.iter_mut().find(|g| g[0].args == case.args) {
            Some(group) => group.push(case),
            None => groups.push(vec![case]),
        }
    }
    groups
}

/// Checks one evaluation's report (JSON) of a group: every case reports what it says, with
/// its rule's file, and the ordinary rules report their usual results. Returns the problems.
pub fn check_report(report: &serde_json::Value, cases: &[&Case]) -> Vec<String> {
    let mut problems = Vec::new();
    let rules = report["rules"].as_array().cloned().unwrap_or_default();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).cloned();
    for case in cases {
        let Some(r) = rule(&case.id()) else {
            problems.push(format!("{}: not in the report", case.name));
            continue;
        };
        if r["status"] != case.status.as_str() {
            problems.push(format!(
                "{}: status {} (expected {}): {}",
                case.name, r["status"], case.status, r["error"]
            ));
        }
        if let Some(expected) = &case.error {
            let message = r["error"]["message"].as_str().unwrap_or_default();
            if !message.contains(expected.as_str()) {
                problems.push(format!(
                    "{}: error {message:?} does not contain {expected:?}",
                    case.name
                ));
            }
            if message.len() > 4096 + 40 {
                problems.push(format!("{}: error of {} bytes", case.name, message.len()));
            }
            let file = format!("rules/hostile/{}.rhai", case.name);
            if r["error"]["file"] != file.as_str() {
                problems.push(format!("{}: error in {}", case.name, r["error"]["file"]));
            }
            if !r["findings"].as_array().is_some_and(Vec::is_empty) {
                problems.push(format!("{}: an error with findings", case.name));
            }
        }
        if let Some(expected) = &case.finding {
            let message = r["findings"][0]["message"].as_str().unwrap_or_default();
            if !message.contains(expected.as_str()) {
                problems.push(format!(
                    "{}: finding {:?} does not contain {expected:?}",
                    case.name,
                    message.get(..200).unwrap_or(message)
                ));
            }
        }
    }
    match rule("ordinary.mfa") {
        Some(r) if r["status"] == "fail" && r["findings"][0]["message"] == ORDINARY_FINDING => {}
        other => problems.push(format!("ordinary.mfa: {other:?}")),
    }
    match rule("ordinary.active") {
        Some(r) if r["status"] == "pass" && r["population"]["tested"] == 2 => {}
        other => problems.push(format!("ordinary.active: {other:?}")),
    }
    problems
}
