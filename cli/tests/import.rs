//! `attest import`: every source of `examples/imports/` into facts (snapshots of the output
//! and of the summary), their quirks, every kind of bad input (exit 2, file, line and column,
//! nothing written), and all of them imported into one facts folder that `attest eval` reads.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest, attest_in, exit, repo, scratch, stderr, stdout, write};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// A sample of `examples/imports/`, as a path from the repository root.
fn sample(name: &str) -> String {
    format!("examples/imports/{name}")
}

/// The people of the samples, imported from the BambooHR-style export into `dir`.
fn people(dir: &Path) -> String {
    let out = dir.join("people.json");
    let run = attest(&[
        "import",
        "csv",
        &sample("bamboohr-employees.csv"),
        "--mapping",
        &sample("mappings/bamboohr-people.toml"),
        "--output",
        out.to_str().unwrap(),
    ]);
    exit(&run, 0);
    out.to_string_lossy().into_owned()
}

/// Runs an import to stdout; its output parsed, and its summary.
fn import(args: &[&str]) -> (String, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let run = attest(&all);
    exit(&run, 0);
    (stdout(&run), stderr(&run))
}

/// [`refused`] of `attest import csv CSV --mapping` with the sample BambooHR mapping.
fn refused_people(csv: &str) -> String {
    refused(&[
        "csv",
        csv,
        "--mapping",
        &sample("mappings/bamboohr-people.toml"),
    ])
}

/// Runs an import that must be refused: its message (exit 2, nothing on stdout).
fn refused(args: &[&str]) -> String {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let run = attest(&all);
    exit(&run, 2);
    assert!(stdout(&run).is_empty(), "{}", stdout(&run));
    stderr(&run)
}

/// The accounts of an import's output, by username.
fn accounts(out: &str) -> Vec<(String, Value)> {
    let doc: Value = serde_json::from_str(out).unwrap();
    doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["username"].as_str().unwrap().to_owned(), a.clone()))
        .collect()
}

fn account<'a>(all: &'a [(String, Value)], name: &str) -> &'a Value {
    &all.iter().find(|(n, _)| n == name).unwrap().1
}

/// A copy of a sample in `dir` with `from` replaced by `to` (which must be there).
fn edited(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let text = fs::read_to_string(repo().join(sample(name))).unwrap();
    assert!(text.contains(from), "{from} is not in {name}");
    write(dir, name, &text.replacen(from, to, 1))
}

/// The sample GitHub members with `from` replaced by `to`, which `import github-members`
/// must refuse saying `expected` (after the file's name: `:line:column: message`).
fn github_edit_refused(dir: &Path, from: &str, to: &str, expected: &str) {
    let github = edited(dir, "github-members.json", from, to);
    let err = refused(&["github-members", &github]);
    assert_eq!(err, format!("error: {github}{expected}\n"));
}

// ---- happy paths and quirks, one source at a time ------------------------------------

#[test]
fn aws_iam_credential_report() {
    let dir = scratch("aws");
    let people = people(&dir);
    let (out, summary) = import(&[
        "aws-iam-credential-report",
        &sample("aws-iam-credential-report.csv"),
        "--admins",
        &sample("aws-iam-authorization-details.json"),
        "--people",
        &people,
        "--identity-map",
        &sample("identity-map.csv"),
    ]);
    insta::assert_snapshot!("aws_iam_output", out);
    insta::assert_snapshot!("aws_iam_summary", summary);
    let all = accounts(&out);
    // The root user: shared, privileged, always active; `not_supported` is no date.
    let root = account(&all, "<root_account>");
    assert_eq!(
        (&root["kind"], &root["privileged"], &root["status"]),
        (&"shared".into(), &true.into(), &"active".into())
    );
    // 22:10 at -07:00 on the 29th is the 29th, as the report states it (UTC: the 30th).
    assert_eq!(
        account(&all, "ana.silva@nwlabs.example")["last_login_on"],
        "2026-06-29"
    );
    // `no_information` is no date; a user without password or active key is disabled.
    assert!(account(&all, "legacy-admin").get("last_login_on").is_none());
    assert_eq!(account(&all, "old-ci")["status"], "disabled");
    // No console password: a service account, owned by whom the identity map says.
    let bot = account(&all, "deploy-bot");
    assert_eq!(
        (&bot["kind"], &bot["owner_id"]),
        (&"service".into(), &"1001".into())
    );
    // An inline policy allowing everything makes a privileged user; so does a group's
    // PowerUserAccess, whose `NotAction` allows every action but IAM's, Organizations' and
    // Account's: counted as administrator access, and said on stderr.
    assert_eq!(bot["privileged"], true);
    assert_eq!(account(&all, "ben.okoye")["privileged"], true);
    assert!(
        summary.contains("--admins: the policy `arn:aws:iam::aws:policy/PowerUserAccess` of the group `Developers` (/GroupDetailList/1) of user `ben.okoye` (/Policies/1/PolicyVersionList/0/Document) is counted as granting administrator access, judged conservatively: `NotAction` allows every action but those it lists\n"),
        "{summary}"
    );
    assert_eq!(
        account(&all, "dev.patel@nwlabs.example")["privileged"],
        false
    );
    // The same input gives the same bytes.
    let (again, _) = import(&[
        "aws-iam-credential-report",
        &sample("aws-iam-credential-report.csv"),
        "--admins",
        &sample("aws-iam-authorization-details.json"),
        "--people",
        &people,
        "--identity-map",
        &sample("identity-map.csv"),
    ]);
    assert_eq!(out, again);
    // Without --admins, privileged is not filled, but for the root user.
    let (bare, summary) = import(&[
        "aws-iam-credential-report",
        &sample("aws-iam-credential-report.csv"),
    ]);
    let all = accounts(&bare);
    assert!(account(&all, "ben.okoye").get("privileged").is_none());
    assert_eq!(account(&all, "<root_account>")["privileged"], true);
    assert!(summary.contains("linked 0 of 7 accounts"), "{summary}");
    assert!(
        summary.contains("aws/ben.okoye: no --people given"),
        "{summary}"
    );
    // --admins as plain text: one user name a line (blank lines and surrounding spaces
    // ignored).
    let dir = scratch("aws-admins");
    let admins = write(&dir, "admins.txt", "  ben.okoye\n\n");
    let (listed, _) = import(&[
        "aws-iam-credential-report",
        &sample("aws-iam-credential-report.csv"),
        "--admins",
        &admins,
    ]);
    let all = accounts(&listed);
    assert_eq!(account(&all, "ben.okoye")["privileged"], true);
    assert_eq!(
        account(&all, "ana.silva@nwlabs.example")["privileged"],
        false
    );
}

#[test]
fn okta_users() {
    let dir = scratch("okta");
    let people = people(&dir);
    let (out, summary) = import(&[
        "okta-users",
        &sample("okta-users.json"),
        "--factors",
        &sample("okta-factors.json"),
        "--people",
        &people,
    ]);
    insta::assert_snapshot!("okta_output", out);
    insta::assert_snapshot!("okta_summary", summary);
    let all = accounts(&out);
    let status = |name: &str| account(&all, name)["status"].as_str().unwrap().to_owned();
    assert_eq!(status("eva.kowalski@nwlabs.example"), "active"); // PASSWORD_EXPIRED
    assert_eq!(status("farid.haddad@nwlabs.example"), "active"); // LOCKED_OUT
    assert_eq!(status("gus.lindqvist@nwlabs.example"), "active"); // PROVISIONED
    assert_eq!(status("dev.patel@nwlabs.example"), "disabled"); // DEPROVISIONED
    assert_eq!(status("new.hire@nwlabs.example"), "disabled"); // STAGED
    // When a deprovisioned or suspended user reached that status is when it was disabled;
    // a staged user was never enabled, an active one is not disabled.
    let disabled_on = |name: &str| account(&all, name).get("disabled_on").cloned();
    assert_eq!(
        disabled_on("dev.patel@nwlabs.example"),
        Some("2022-02-01".into())
    );
    assert_eq!(
        disabled_on("contractor.old@nwlabs.example"),
        Some("2021-05-10".into())
    );
    assert_eq!(disabled_on("new.hire@nwlabs.example"), None);
    assert_eq!(disabled_on("ana.silva@nwlabs.example"), None);
    // A factor pending activation is no MFA; a user the factors file leaves out has none.
    assert_eq!(account(&all, "chloe.martin@nwlabs.example")["mfa"], false);
    assert_eq!(account(&all, "gus.lindqvist@nwlabs.example")["mfa"], false);
    assert_eq!(account(&all, "ana.silva@nwlabs.example")["mfa"], true);
    // A null lastLogin: never; a login at +02:00 keeps its own date.
    assert!(
        account(&all, "chloe.martin@nwlabs.example")
            .get("last_login_on")
            .is_none()
    );
    assert_eq!(
        account(&all, "ben.okoye@nwlabs.example")["last_login_on"],
        "2026-06-30"
    );
    // People's emails are matched whatever their case (Ben.Okoye@ in the HR export).
    assert_eq!(
        account(&all, "ben.okoye@nwlabs.example")["person_id"],
        "1002"
    );
    // Without --factors, mfa is not filled.
    let (bare, _) = import(&["okta-users", &sample("okta-users.json")]);
    assert!(accounts(&bare).iter().all(|(_, a)| a.get("mfa").is_none()));
    // A user without an id cannot be matched to its factors: refused with them (no MFA would
    // be a guess), imported without them.
    let no_id = edited(
        &dir,
        "okta-users.json",
        "\"id\": \"00u1ana0000000000001\",",
        "",
    );
    let err = refused(&[
        "okta-users",
        &no_id,
        "--factors",
        &sample("okta-factors.json"),
    ]);
    assert_eq!(
        err,
        format!(
            "error: {no_id}:2:3: user ana.silva@nwlabs.example (/0) has no `id`, by which the factors export names its users: expected Okta's user objects\n"
        )
    );
    let (out, _) = import(&["okta-users", &no_id]);
    assert!(
        account(&accounts(&out), "ana.silva@nwlabs.example")
            .get("mfa")
            .is_none()
    );
}

#[test]
fn github_members() {
    let dir = scratch("github");
    let people = people(&dir);
    let (out, summary) = import(&[
        "github-members",
        &sample("github-members.json"),
        "--two-factor-disabled",
        &sample("github-members-2fa-disabled.json"),
        "--admins",
        &sample("github-members-admins.json"),
        "--people",
        &people,
        "--identity-map",
        &sample("identity-map.csv"),
    ]);
    insta::assert_snapshot!("github_output", out);
    insta::assert_snapshot!("github_summary", summary);
    // Both pages of `gh api --paginate` (arrays one after the other) are read.
    let all = accounts(&out);
    assert_eq!(all.len(), 6);
    assert_eq!(account(&all, "guslq")["mfa"], false);
    assert_eq!(account(&all, "benokoye")["mfa"], true);
    assert_eq!(account(&all, "anasilva")["privileged"], true);
    assert_eq!(account(&all, "nw-release-bot")["kind"], "service");
    assert!(account(&all, "anasilva").get("last_login_on").is_none());
    // The same pages slurped into one array of arrays read the same.
    let pages: Vec<Value> = serde_json::Deserializer::from_str(
        &fs::read_to_string(repo().join(sample("github-members.json"))).unwrap(),
    )
    .into_iter::<Value>()
    .map(Result::unwrap)
    .collect();
    let slurped = write(&dir, "slurped.json", &Value::Array(pages).to_string());
    let (one, _) = import(&[
        "github-members",
        &slurped,
        "--two-factor-disabled",
        &sample("github-members-2fa-disabled.json"),
        "--admins",
        &sample("github-members-admins.json"),
        "--people",
        &people,
        "--identity-map",
        &sample("identity-map.csv"),
    ]);
    assert_eq!(one, out);
}

#[test]
fn google_workspace_users() {
    let dir = scratch("google");
    let people = people(&dir);
    let (out, summary) = import(&[
        "google-workspace-users",
        &sample("google-workspace-users.csv"),
        "--people",
        &people,
        "--identity-map",
        &sample("identity-map.csv"),
        "--system",
        "gws",
    ]);
    insta::assert_snapshot!("google_workspace_output", out);
    insta::assert_snapshot!("google_workspace_summary", summary);
    let all = accounts(&out);
    assert!(all.iter().all(|(_, a)| a["system_id"] == "gws"));
    assert!(
        account(&all, "gus.lindqvist@nwlabs.example")
            .get("last_login_on")
            .is_none()
    );
    assert_eq!(
        account(&all, "dev.patel@nwlabs.example")["status"],
        "disabled"
    );
    // The console's `2026/06/28 14:03:11`, and an ISO time with its offset.
    assert_eq!(
        account(&all, "ben.okoye@nwlabs.example")["last_login_on"],
        "2026-06-30"
    );
    assert_eq!(
        account(&all, "farid.haddad@nwlabs.example")["last_login_on"],
        "2026-06-28"
    );
    // The map's entry is for `google-workspace`, not `gws`: the shared mailbox is unlinked,
    // and the entry named.
    assert!(
        summary.contains("gws/frontdesk@nwlabs.example: no person"),
        "{summary}"
    );
    assert!(
        summary.contains("do not apply to them: google-workspace/frontdesk@nwlabs.example"),
        "{summary}"
    );
}

#[test]
fn google_mfa_is_two_step_verification_enforced_and_enrolled() {
    // facts-v1's `mfa` is MFA enforced for the account: enrolled where it is not enforced,
    // the user may turn it off; enforced and not enrolled, a new user may sign in without it.
    let dir = scratch("google-2sv");
    for (from, to, user) in [
        (
            ",Engineering,,True,True,",
            ",Engineering,,True,False,",
            "ana.silva",
        ),
        (",False,False,", ",False,True,", "chloe.martin"),
    ] {
        let users = edited(&dir, "google-workspace-users.csv", from, to);
        let (out, _) = import(&["google-workspace-users", &users]);
        let all = accounts(&out);
        assert_eq!(
            account(&all, &format!("{user}@nwlabs.example"))["mfa"],
            false
        );
        assert_eq!(account(&all, "eva.kowalski@nwlabs.example")["mfa"], true);
    }
    for (from, to, expected) in [
        (
            ",Engineering,,True,True,",
            ",Engineering,,True,N/A,",
            ":2:142: `N/A` in `2sv Enforced [READ ONLY]` is not True or False\n",
        ),
        (
            "Ana,Silva,ana.silva@nwlabs.example,",
            "Ana,Silva,,",
            ":2:11: `Email Address [Required]` is empty: expected the user's email address, the account's username\n",
        ),
    ] {
        let users = edited(&dir, "google-workspace-users.csv", from, to);
        let err = refused(&["google-workspace-users", &users]);
        assert!(err.ends_with(expected), "{err}");
    }
}

#[test]
fn csv_through_mappings() {
    let dir = scratch("csv");
    let people_file = people(&dir);
    let people: Value = serde_json::from_str(&fs::read_to_string(&people_file).unwrap()).unwrap();
    insta::assert_snapshot!(
        "bamboohr_people_output",
        serde_json::to_string_pretty(&people).unwrap()
    );
    let ben = &people["people"][1];
    assert_eq!(ben["name"], "Ben Okoye");
    assert_eq!(ben["title"], "Software Engineer, Platform");
    assert_eq!(people["people"][3]["employment"]["end_date"], "2026-05-29");
    assert_eq!(people["people"][6]["kind"], "contractor");

    let (training, summary) = import(&[
        "csv",
        &sample("lms-training.csv"),
        "--mapping",
        &sample("mappings/lms-training.toml"),
        "--people",
        &people_file,
    ]);
    insta::assert_snapshot!("lms_training_output", training);
    insta::assert_snapshot!("lms_training_summary", summary);

    let (vendors, summary) = import(&[
        "csv",
        &sample("vendor-register.csv"),
        "--mapping",
        &sample("mappings/vendor-register.toml"),
        "--people",
        &people_file,
    ]);
    insta::assert_snapshot!("vendor_register_output", vendors);
    assert_eq!(
        summary,
        "imported 5 records of vendors from examples/imports/vendor-register.csv\n"
    );
    let doc: Value = serde_json::from_str(&vendors).unwrap();
    let snacks = &doc["vendors"][4];
    assert_eq!(snacks["id"], "v-snacks");
    // `None` counts as empty: no assurance at all.
    assert!(snacks.get("assurance").is_none(), "{snacks}");
    assert_eq!(doc["vendors"][0]["data_access"][2], "pii");
    assert_eq!(doc["vendors"][1]["contract"]["sla_uptime_percent"], 99.9);
}

/// The example mapping of docs/importers.md's "`csv` with a mapping" imports a CSV with its
/// columns; without `employment.status` it is refused once, at the mapping, not once per row.
#[test]
fn the_documented_mapping_imports_and_a_partly_filled_object_is_refused_once() {
    let doc = fs::read_to_string(repo().join("docs/importers.md")).unwrap();
    let section = &doc[doc.find("## `csv` with a mapping").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let mapping = &section[start..start + section[start..].find("```").unwrap()];
    let dir = scratch("doc-mapping");
    let map = write(&dir, "people.toml", mapping);
    let rows = (1..=3)
        .map(|i| format!("{i},Ana,Silva,Full-Time,03/0{i}/2021,,Active,Staff\n"))
        .collect::<String>();
    let header =
        "Employee #,First Name,Last Name,Employment Status,Hire Date,Supervisor EID,Status,Type\n";
    let csv = write(&dir, "people.csv", &format!("{header}{rows}"));
    let (out, _) = import(&["csv", &csv, "--mapping", &map]);
    let people: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(people["people"][2]["employment"]["status"], "active");
    assert_eq!(
        people["people"][2]["employment"]["start_date"],
        "2021-03-03"
    );

    let status = "[fields.\"employment.status\"]\ncolumn = \"Status\"\nvalues = { \"Active\" = \"active\", \"On Leave\" = \"on_leave\" }\n\n";
    assert!(mapping.contains(status));
    let without = mapping.replace(status, "");
    let map = write(&dir, "partial.toml", &without);
    let line = 1 + without[..without.find("[fields.\"employment.start_date\"]").unwrap()]
        .lines()
        .count();
    let message = refused(&["csv", &csv, "--mapping", &map]);
    assert_eq!(
        message,
        format!(
            "error: {map}:{line}:1: field `employment.start_date`: the mapping fills `employment` without `status`, which it requires: add [fields.\"employment.status\"]\n"
        )
    );
}

// ---- everything into one facts folder ---------------------------------------------------

#[test]
fn every_sample_imports_into_one_folder_that_evaluates() {
    let dir = scratch("all");
    let facts = dir.join("facts");
    fs::create_dir_all(&facts).unwrap();
    write(
        &facts,
        "org.json",
        "{\"schema_version\": \"1\", \"organization\": {\"name\": \"Northwind Labs\", \"as_of\": \"2026-06-30\"}}\n",
    );
    let out = |name: &str| facts.join(name).to_string_lossy().into_owned();
    let people = out("people.json");
    let runs: Vec<Vec<String>> = vec![
        vec![
            "csv".into(),
            sample("bamboohr-employees.csv"),
            "--mapping".into(),
            sample("mappings/bamboohr-people.toml"),
            "--output".into(),
            people.clone(),
        ],
        vec![
            "aws-iam-credential-report".into(),
            sample("aws-iam-credential-report.csv"),
            "--admins".into(),
            sample("aws-iam-authorization-details.json"),
            "--people".into(),
            people.clone(),
            "--identity-map".into(),
            sample("identity-map.csv"),
            "--output".into(),
            out("accounts-aws.json"),
        ],
        vec![
            "okta-users".into(),
            sample("okta-users.json"),
            "--factors".into(),
            sample("okta-factors.json"),
            "--people".into(),
            people.clone(),
            "--output".into(),
            out("accounts-okta.json"),
        ],
        vec![
            "github-members".into(),
            sample("github-members.json"),
            "--two-factor-disabled".into(),
            sample("github-members-2fa-disabled.json"),
            "--admins".into(),
            sample("github-members-admins.json"),
            "--people".into(),
            people.clone(),
            "--identity-map".into(),
            sample("identity-map.csv"),
            "--output".into(),
            out("accounts-github.json"),
        ],
        vec![
            "google-workspace-users".into(),
            sample("google-workspace-users.csv"),
            "--people".into(),
            people.clone(),
            "--identity-map".into(),
            sample("identity-map.csv"),
            "--output".into(),
            out("accounts-google.json"),
        ],
        vec![
            "csv".into(),
            sample("lms-training.csv"),
            "--mapping".into(),
            sample("mappings/lms-training.toml"),
            "--people".into(),
            people.clone(),
            "--output".into(),
            out("training.json"),
        ],
        vec![
            "csv".into(),
            sample("vendor-register.csv"),
            "--mapping".into(),
            sample("mappings/vendor-register.toml"),
            "--people".into(),
            people.clone(),
            "--output".into(),
            out("vendors.json"),
        ],
    ];
    for args in &runs {
        let mut all = vec!["import"];
        all.extend(args.iter().map(String::as_str));
        let run = attest(&all);
        exit(&run, 0);
        assert!(stdout(&run).is_empty(), "written to --output, not stdout");
    }
    let facts_arg = facts.to_string_lossy().into_owned();
    let validate = attest(&["validate", &facts_arg, "--strict"]);
    exit(&validate, 0);
    assert!(stderr(&validate).is_empty(), "{}", stderr(&validate));
    let eval = attest(&["eval", &facts_arg, "--format", "json"]);
    exit(&eval, 1);
    assert!(stderr(&eval).is_empty(), "{}", stderr(&eval));
    let report: Value = serde_json::from_str(&stdout(&eval)).unwrap();
    let rule = |id: &str| -> (String, Vec<String>) {
        let r = report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap();
        let keys = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap_or_default().to_owned())
            .collect();
        (r["status"].as_str().unwrap().to_owned(), keys)
    };
    // The accounts nobody could be linked to, and only those, are orphaned.
    assert_eq!(
        rule("access.orphaned-accounts"),
        (
            "fail".to_owned(),
            vec![
                "accounts/aws/legacy-admin".to_owned(),
                "accounts/github/octo-visitor".to_owned(),
                "accounts/okta/events@nwlabs.example".to_owned(),
            ]
        )
    );
    // The leaver's accounts still active on AWS and GitHub (Okta and Google were cut).
    assert_eq!(
        rule("access.leaver-accounts"),
        (
            "fail".to_owned(),
            vec![
                "accounts/aws/dev.patel@nwlabs.example".to_owned(),
                "accounts/github/devpatel".to_owned(),
            ]
        )
    );
    // The privileged AWS users without MFA: the power user among them.
    let (status, keys) = rule("access.mfa-privileged");
    assert_eq!(status, "fail");
    for user in ["ben.okoye", "deploy-bot", "legacy-admin"] {
        let key = format!("accounts/aws/{user}");
        assert!(keys.contains(&key), "{key}: {keys:?}");
    }
    // Three people without current security awareness training: two never trained (one
    // course still in progress), one lapsed.
    let (status, keys) = rule("hr.security-training");
    assert_eq!(status, "fail");
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert_eq!(rule("vendors.contract-clauses").0, "fail");
    // What no export fills stays not applicable.
    assert_eq!(rule("access.reviews-overdue").0, "not_applicable");
    assert_eq!(rule("backups.restore-test").0, "not_applicable");
}

// ---- bad input: exit 2, the place, nothing written ---------------------------------------

#[test]
fn a_missing_required_column_is_named_with_the_columns_found() {
    let dir = scratch("missing-column");
    let report = edited(
        &dir,
        "aws-iam-credential-report.csv",
        ",mfa_active,",
        ",mfa_enabled,",
    );
    let err = refused(&["aws-iam-credential-report", &report]);
    assert!(
        err.starts_with(&format!("error: {report}:1:1: missing required column `mfa_active` (the columns found: user, arn, user_creation_time, password_enabled, password_last_used, password_last_changed, password_next_rotation, mfa_enabled, ")),
        "{err}"
    );
    let users = edited(
        &dir,
        "google-workspace-users.csv",
        "2sv Enrolled [READ ONLY]",
        "2SV",
    );
    let err = refused(&["google-workspace-users", &users]);
    assert!(err.contains(":1:1: missing required column `2sv Enrolled [READ ONLY]` (the columns found: First Name [Required], "), "{err}");
    let lms = edited(&dir, "lms-training.csv", "Learner Email", "Email");
    let err = refused(&[
        "csv",
        &lms,
        "--mapping",
        &sample("mappings/lms-training.toml"),
        "--people",
        &people(&dir),
    ]);
    assert!(err.contains(":1:1: missing required column `Learner Email` (the columns found: Learner Name, Email, Course, "), "{err}");
}

#[test]
fn an_unparsable_date_is_placed_at_its_cell() {
    let dir = scratch("bad-date");
    let report = edited(
        &dir,
        "aws-iam-credential-report.csv",
        "2026-06-26T09:41:17+00:00",
        "last Friday",
    );
    let err = refused(&["aws-iam-credential-report", &report]);
    assert_eq!(
        err,
        format!(
            "error: {report}:4:83: `last Friday` in `password_last_used` is not a date: expected an ISO 8601 date-time such as 2026-06-28T14:03:11+00:00, or N/A, no_information or not_supported\n"
        )
    );
    let users = edited(
        &dir,
        "google-workspace-users.csv",
        "2026/06/27 15:40:00",
        "27 June",
    );
    let err = refused(&["google-workspace-users", &users]);
    assert!(
        err.contains(&format!("{users}:4:"))
            && err.contains("`27 June` in `Last Sign In [READ ONLY]` is not a sign-in time"),
        "{err}"
    );
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"2026-03-14T10:20:00.000Z\"",
        "\"March 14\"",
    );
    let err = refused(&["okta-users", &okta]);
    // At the value, with its pointer, not at the user object.
    assert_eq!(
        err,
        format!(
            "error: {okta}:140:18: user eva.kowalski@nwlabs.example (/4/lastLogin): `lastLogin` is `March 14`: expected an ISO 8601 date-time such as 2026-06-28T14:03:11.000Z, or null\n"
        )
    );
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"2026-03-14T10:20:00.000Z\"",
        "20260314",
    );
    let err = refused(&["okta-users", &okta]);
    assert_eq!(
        err,
        format!(
            "error: {okta}:140:18: user eva.kowalski@nwlabs.example (/4/lastLogin): `lastLogin` is 20260314, a number: expected an ISO 8601 date-time such as 2026-06-28T14:03:11.000Z, or null\n"
        )
    );
    // A date in another format, and a two-digit year as spreadsheets save dates (not the
    // year 22).
    for written in ["2022-06-14", "06/14/22"] {
        let hr = edited(&dir, "bamboohr-employees.csv", "06/14/2022", written);
        let err = refused_people(&hr);
        assert_eq!(
            err,
            format!(
                "error: {hr}:3:100: `{written}` in `Hire Date` is not a date: expected a date in the format `%m/%d/%Y` (`%Y`: a four-digit year)\n"
            )
        );
    }
}

#[test]
fn a_duplicate_key_is_placed_at_the_later_record() {
    let dir = scratch("duplicate");
    let report = edited(
        &dir,
        "aws-iam-credential-report.csv",
        "legacy-admin,",
        "ben.okoye,",
    );
    let err = refused(&["aws-iam-credential-report", &report]);
    assert_eq!(
        err,
        format!("error: {report}:7:1: duplicate key accounts/aws/ben.okoye: also at {report}:4\n")
    );
    let hr = edited(&dir, "bamboohr-employees.csv", "2001,Gus", "1003,Gus");
    let err = refused_people(&hr);
    assert_eq!(
        err,
        format!("error: {hr}:8:1: duplicate key people/1003: also at {hr}:4\n")
    );
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"login\": \"events@nwlabs.example\"",
        "\"login\": \"ana.silva@nwlabs.example\"",
    );
    let err = refused(&["okta-users", &okta]);
    assert!(
        err.contains("duplicate key accounts/okta/ana.silva@nwlabs.example: also at"),
        "{err}"
    );
    let github = edited(
        &dir,
        "github-members.json",
        "\"login\": \"benokoye\"",
        "\"login\": \"anasilva\"",
    );
    let err = refused(&["github-members", &github]);
    assert!(
        err.contains("duplicate key accounts/github/anasilva: also at"),
        "{err}"
    );
    let google = edited(
        &dir,
        "google-workspace-users.csv",
        "Ben,Okoye,ben.okoye@nwlabs.example",
        "Ben,Okoye,ana.silva@nwlabs.example",
    );
    let err = refused(&["google-workspace-users", &google]);
    assert!(
        err.contains("duplicate key accounts/google-workspace/ana.silva@nwlabs.example: also at"),
        "{err}"
    );
}

#[test]
fn a_file_of_another_source_is_recognized() {
    let err = refused(&["github-members", &sample("okta-users.json")]);
    assert_eq!(
        err,
        "error: examples/imports/okta-users.json: this is an Okta users export (/api/v1/users), not a GitHub organization members list (GET /orgs/{org}/members); import it with `attest import okta-users`\n"
    );
    let err = refused(&["okta-users", &sample("github-members.json")]);
    assert!(err.contains("this is a GitHub organization members list (GET /orgs/{org}/members), not an Okta users export (/api/v1/users); import it with `attest import github-members`"), "{err}");
    let err = refused(&[
        "aws-iam-credential-report",
        &sample("google-workspace-users.csv"),
    ]);
    assert!(err.contains("this is a Google Workspace user list, not an AWS IAM credential report; import it with `attest import google-workspace-users`"), "{err}");
    let err = refused(&[
        "google-workspace-users",
        &sample("aws-iam-credential-report.csv"),
    ]);
    assert!(
        err.contains("this is an AWS IAM credential report, not a Google Workspace user list"),
        "{err}"
    );
    let err = refused(&["okta-users", &sample("aws-iam-authorization-details.json")]);
    assert!(
        err.contains("give it to `attest import aws-iam-credential-report` as --admins"),
        "{err}"
    );
    let err = refused(&["github-members", "examples/acme/access.json"]);
    assert!(err.contains("this is a facts document"), "{err}");
    let err = refused(&[
        "github-members",
        &sample("github-members.json"),
        "--two-factor-disabled",
        &sample("okta-users.json"),
    ]);
    assert!(
        err.contains("--two-factor-disabled takes a GitHub organization members list"),
        "{err}"
    );
}

#[test]
fn a_repeated_column_that_is_read_is_refused_with_both_places() {
    let dir = scratch("repeated-column");
    let text = fs::read_to_string(repo().join(sample("bamboohr-employees.csv"))).unwrap();
    let header = text.lines().next().unwrap();
    // A second `Status` column, every row `Inactive`: the first one used to win unseen.
    let dup: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "Status" } else { "Inactive" }))
        .collect();
    let hr = write(&dir, "dup.csv", &dup);
    let mapping = sample("mappings/bamboohr-people.toml");
    let err = refused(&["csv", &hr, "--mapping", &mapping]);
    assert_eq!(
        err,
        format!(
            "error: {hr}:1:{}: the header (line 1) has the column `Status` twice, as columns 8 and 12: it is read, and which one is meant is not guessed; rename or remove the others\n",
            header.chars().count() + 2
        )
    );
    // A column nobody reads may be repeated.
    let notes: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "Notes,Notes" } else { "a,b" }))
        .collect();
    let hr = write(&dir, "notes.csv", &notes);
    import(&["csv", &hr, "--mapping", &mapping]);
    // The built-in importers read their columns the same way.
    let report = edited(
        &dir,
        "aws-iam-credential-report.csv",
        ",password_next_rotation,",
        ",mfa_active,",
    );
    let err = refused(&["aws-iam-credential-report", &report]);
    assert!(
        err.contains(":1:") && err.contains("the column `mfa_active` twice, as columns 7 and 8"),
        "{err}"
    );
}

#[test]
fn an_unclosed_quote_is_placed_where_it_opens() {
    let dir = scratch("unclosed-quote");
    let hr = edited(
        &dir,
        "bamboohr-employees.csv",
        "\"Software Engineer, Platform\"",
        "\"Software Engineer, Platform",
    );
    let line = fs::read_to_string(&hr)
        .unwrap()
        .lines()
        .nth(2)
        .unwrap()
        .to_owned();
    let column = line.find('"').unwrap() + 1;
    let err = refused_people(&hr);
    assert_eq!(
        err,
        format!(
            "error: {hr}:3:{column}: the quote opened at line 3, column {column} is never closed: the rest of the file would be one cell; end the cell with a quote, and write a quote inside a quoted cell twice (`\"\"`)\n"
        )
    );
}

#[test]
fn a_file_saved_with_carriage_returns_alone_is_placed_at_its_lines() {
    // Excel's "CSV (Macintosh)" ends lines with a carriage return alone: the parser reads
    // each as a row's end, and a problem is placed at the line an editor shows, not line 1.
    let dir = scratch("cr-lines");
    let text = fs::read_to_string(repo().join(sample("aws-iam-credential-report.csv"))).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let bad = lines[3].replacen(",false,", ",maybe,", 1);
    let column = lines[3].find(",false,").unwrap() + 2;
    let cr = [lines[0], lines[1], lines[2], &bad].join("\r") + "\r";
    let report = write(&dir, "report.csv", &cr);
    let err = refused(&["aws-iam-credential-report", &report]);
    assert_eq!(
        err,
        format!(
            "error: {report}:4:{column}: `maybe` in `mfa_active` is not TRUE or FALSE, which AWS writes in this column\n"
        )
    );
    // A record given twice names both lines.
    let twice = [lines[0], lines[2], lines[2]].join("\r");
    let report = write(&dir, "twice.csv", &twice);
    let err = refused(&["aws-iam-credential-report", &report]);
    assert!(
        err.starts_with(&format!("error: {report}:3:1: duplicate key accounts/aws/")),
        "{err}"
    );
    assert!(err.ends_with(&format!(": also at {report}:2\n")), "{err}");
}

#[test]
fn a_value_of_the_wrong_json_type_says_what_was_found_and_where() {
    let dir = scratch("okta-status-type");
    let okta = edited(&dir, "okta-users.json", "\"ACTIVE\"", "5");
    let err = refused(&["okta-users", &okta]);
    assert_eq!(
        err,
        format!(
            "error: {okta}:4:15: user ana.silva@nwlabs.example (/0/status): `status` is 5, a number: expected a string, one of the Okta user statuses (ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY, PROVISIONED, STAGED, SUSPENDED, DEPROVISIONED)\n"
        )
    );
    // Each wrong value of an Okta export: what the message says (the place is checked once).
    for (from, to, expected) in [
        (
            "\"status\": \"ACTIVE\",",
            "",
            ":2:3: user ana.silva@nwlabs.example (/0/status): `status` is missing: expected a string",
        ),
        (
            "\"login\": \"ana.silva@nwlabs.example\"",
            "\"login\": null",
            "user 00u1ana0000000000001 (/0/profile/login): `profile.login` is null: expected a string, the user's login",
        ),
        (
            "\"email\": \"ana.silva@nwlabs.example\"",
            "\"email\": true",
            "user /0/profile/email: `profile.email` is true, a boolean: expected a string",
        ),
    ] {
        let okta = edited(&dir, "okta-users.json", from, to);
        let err = refused(&["okta-users", &okta]);
        let expected = match expected.strip_prefix(':') {
            Some(_) => format!("{okta}{expected}"),
            None => expected.to_owned(),
        };
        assert!(err.contains(&expected), "{err}");
    }
    // A GitHub member's `login` or `type` that is not a string is placed, not taken for
    // another source or left out; `email` may be null, as the API mostly writes it.
    for (from, to, expected) in [
        (
            "\"login\": \"benokoye\"",
            "\"login\": 5100002",
            ":18:14: member /1/login: `login` is 5100002, a number: expected a string",
        ),
        (
            "\"type\": \"User\"",
            "\"type\": [\"Bot\"]",
            ":13:13: member /0/type: `type` is an array: expected a string, `User` or `Bot`",
        ),
        // A later member without a login is placed; the first one's would make the list
        // another source's.
        (
            "\"login\": \"benokoye\"",
            "\"name\": \"benokoye\"",
            ":17:3: member /1 is an object without `login`: expected a GitHub user with its `login`, as the members before it",
        ),
    ] {
        github_edit_refused(&dir, from, to, expected);
    }
    let okta = write(&dir, "okta-null.json", "[\n  null\n]\n");
    assert_eq!(
        refused(&["okta-users", &okta]),
        format!(
            "error: {okta}:2:3: user /0 is null: expected one of Okta's user objects, with its `profile`\n"
        )
    );
    let github = edited(
        &dir,
        "github-members.json",
        "\"type\": \"User\"",
        "\"email\": null, \"type\": \"User\"",
    );
    import(&["github-members", &github]);
}

#[test]
fn other_bad_values_and_files() {
    let dir = scratch("bad-values");
    let report = edited(
        &dir,
        "aws-iam-credential-report.csv",
        "2021-03-02T10:01:55+00:00,true,",
        "2021-03-02T10:01:55+00:00,yes,",
    );
    let err = refused(&["aws-iam-credential-report", &report]);
    assert!(
        err.contains(&format!("{report}:3:"))
            && err.contains("`yes` in `password_enabled` is not TRUE or FALSE"),
        "{err}"
    );
    let okta = edited(&dir, "okta-users.json", "\"SUSPENDED\"", "\"PAUSED\"");
    let err = refused(&["okta-users", &okta]);
    assert!(err.contains("`PAUSED` is not an Okta user status"), "{err}");
    let ragged = edited(
        &dir,
        "google-workspace-users.csv",
        "/Sales,,Active",
        "/Sales,Active",
    );
    let err = refused(&["google-workspace-users", &ragged]);
    assert!(
        err.contains(&format!(
            "{ragged}:4:1: this row has 33 cells, the header 34 columns"
        )),
        "{err}"
    );
    let broken = write(
        &dir,
        "broken.json",
        "[{\"login\": \"a\", \"node_id\": \"x\"},\n {\"login\" \"b\"}]",
    );
    let err = refused(&["github-members", &broken]);
    assert!(err.starts_with(&format!("error: {broken}:2:")), "{err}");
    // A value the mapping's map does not list.
    let hr = edited(&dir, "bamboohr-employees.csv", "Part-Time", "Seasonal");
    let err = refused_people(&hr);
    assert!(
        err.contains(&format!("{hr}:6:65: "))
            && err.contains("`Seasonal` in `Employment Status` is not in the values of `kind`"),
        "{err}"
    );
    // The identity map names someone who is not a person.
    let map = edited(
        &dir,
        "identity-map.csv",
        "github,guslq,2001,",
        "github,guslq,2999,",
    );
    let err = refused(&[
        "github-members",
        &sample("github-members.json"),
        "--people",
        &people(&dir),
        "--identity-map",
        &map,
    ]);
    assert!(
        err.contains(&format!("{map}:7:14: `2999` is not a person of")),
        "{err}"
    );
    // Flags a source does not read, and a mapping that needs --people.
    let err = refused(&[
        "github-members",
        &sample("github-members.json"),
        "--factors",
        &sample("okta-factors.json"),
    ]);
    assert_eq!(
        err,
        "error: --factors is for okta-users, not github-members\n"
    );
    let err = refused(&["csv", &sample("lms-training.csv")]);
    assert!(err.contains("csv needs --mapping"), "{err}");
    let err = refused(&[
        "csv",
        &sample("lms-training.csv"),
        "--mapping",
        &sample("mappings/lms-training.toml"),
    ]);
    assert!(
        err.contains("the mapping links emails to people (`link = \"email\"`): give --people"),
        "{err}"
    );
    // A mapping that names a field the collection does not have.
    let mapping = edited(
        &dir,
        "mappings/bamboohr-people.toml",
        "[fields.title]",
        "[fields.job_title]",
    );
    let err = refused(&[
        "csv",
        &sample("bamboohr-employees.csv"),
        "--mapping",
        &mapping,
    ]);
    assert!(err.contains("field `job_title`: `job_title` is not a field of people (its fields: id, name, email, title,"), "{err}");
}

#[test]
fn nothing_is_written_when_the_import_is_refused() {
    let dir = scratch("atomic");
    let target = dir.join("accounts.json");
    fs::write(&target, "previous\n").unwrap();
    let report = edited(
        &dir,
        "aws-iam-credential-report.csv",
        "legacy-admin,",
        "ben.okoye,",
    );
    let run = attest(&[
        "import",
        "aws-iam-credential-report",
        &report,
        "--output",
        target.to_str().unwrap(),
    ]);
    exit(&run, 2);
    assert_eq!(fs::read_to_string(&target).unwrap(), "previous\n");
    // An output that is one of the inputs is refused before anything is read.
    let run = attest(&[
        "import",
        "aws-iam-credential-report",
        &report,
        "--output",
        &report,
    ]);
    exit(&run, 2);
    assert!(
        stderr(&run).contains("refusing to write there"),
        "{}",
        stderr(&run)
    );
    let leftovers: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    // An output that cannot be written is named once, with why.
    let missing = dir.join("no-such-folder").join("accounts.json");
    let missing = missing.to_str().unwrap();
    let message = refused(&[
        "okta-users",
        &sample("okta-users.json"),
        "--output",
        missing,
    ]);
    assert_eq!(message.matches(missing).count(), 1, "{message}");
    assert!(
        message.starts_with(&format!("error: {missing}: ")),
        "{message}"
    );
}

#[test]
fn a_people_folder_takes_the_imports_it_links() {
    // As the README writes it: the people from the facts folder the output goes into. Run
    // twice: the second run reads the first one's output with the folder, and replaces it.
    let dir = scratch("people-folder");
    let facts = dir.join("facts");
    fs::create_dir_all(&facts).unwrap();
    let people = people(&facts);
    let folder = facts.to_string_lossy().into_owned();
    let target = facts.join("accounts-okta.json");
    let target = target.to_str().unwrap();
    let args = [
        "import",
        "okta-users",
        &sample("okta-users.json"),
        "--factors",
        &sample("okta-factors.json"),
        "--people",
        &folder,
        "--output",
        target,
    ];
    for _ in 0..2 {
        let run = attest(&args);
        exit(&run, 0);
        let out = fs::read_to_string(target).unwrap();
        assert!(
            accounts(&out)
                .iter()
                .any(|(_, a)| a["person_id"].is_string()),
            "accounts are linked to the folder's people"
        );
    }
    // Not onto the file the people come from.
    let before = fs::read_to_string(&people).unwrap();
    let message = refused(&[
        "okta-users",
        &sample("okta-users.json"),
        "--people",
        &folder,
        "--output",
        &people,
    ]);
    assert!(
        message.contains("refusing to write there: it holds the people this run reads"),
        "{message}"
    );
    assert_eq!(fs::read_to_string(&people).unwrap(), before);
}

#[test]
fn imports_run_from_anywhere_with_paths_as_given() {
    let dir = repo().join("examples/imports");
    let run = attest_in(&dir, &["import", "github-members", "github-members.json"]);
    exit(&run, 0);
    assert!(stderr(&run).starts_with("imported 6 accounts on github from github-members.json\n"));
}

#[test]
fn a_byte_order_mark_opening_any_input_is_ignored() {
    // Notepad, Excel and PowerShell write a byte order mark first; the docs say every export
    // is read with or without one. Each input of a run gets one: the same output.
    let dir = scratch("bom");
    let people = people(&dir);
    let marked = |name: &str, text: &str| write(&dir, name, &format!("\u{feff}{text}"));
    let read = |path: &str| fs::read_to_string(repo().join(path)).unwrap();
    let admins = "ben.okoye\nlegacy-admin\n";
    let plain_admins = write(&dir, "admins.txt", admins);
    let args = |admins: &str, people: &str| {
        vec![
            "aws-iam-credential-report".to_owned(),
            sample("aws-iam-credential-report.csv"),
            "--admins".to_owned(),
            admins.to_owned(),
            "--people".to_owned(),
            people.to_owned(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        import(&args).0
    };
    let plain = run(args(&plain_admins, &people));
    // A list of names: its first name was read with the mark and matched nobody, so the
    // first admin was written `privileged: false`.
    let all = accounts(&plain);
    assert_eq!(account(&all, "ben.okoye")["privileged"], true);
    assert_eq!(run(args(&marked("admins-bom.txt", admins), &people)), plain);
    // People: facts, which `attest validate` reads with a mark.
    let bom_people = marked("people-bom.json", &fs::read_to_string(&people).unwrap());
    assert_eq!(run(args(&plain_admins, &bom_people)), plain);
    // JSON flag files: AWS's authorization details, Okta's factors.
    let details = sample("aws-iam-authorization-details.json");
    assert_eq!(
        run(args(&marked("details.json", &read(&details)), &people)),
        run(args(&details, &people))
    );
    let factors = marked("factors.json", &read(&sample("okta-factors.json")));
    let (with_mark, _) = import(&[
        "okta-users",
        &sample("okta-users.json"),
        "--factors",
        &factors,
    ]);
    let (without, _) = import(&[
        "okta-users",
        &sample("okta-users.json"),
        "--factors",
        &sample("okta-factors.json"),
    ]);
    assert_eq!(with_mark, without);
}

#[test]
fn admins_that_match_no_account_are_listed() {
    // A misspelled admin matches nobody: the admin's account is written `privileged: false`,
    // so the summary must say which names were not found, as it does for the identity map.
    let dir = scratch("admins-unmatched");
    let admins = write(
        &dir,
        "admins.txt",
        "# super admins\nana.silva@nwlabs.example\nBen.Okoye@nwlabs.exmaple\n",
    );
    let (out, summary) = import(&[
        "google-workspace-users",
        &sample("google-workspace-users.csv"),
        "--admins",
        &admins,
    ]);
    let all = accounts(&out);
    assert_eq!(
        account(&all, "ana.silva@nwlabs.example")["privileged"],
        true
    );
    assert_eq!(
        account(&all, "ben.okoye@nwlabs.example")["privileged"],
        false
    );
    assert!(
        summary.ends_with(
            "--admins names accounts this import does not have: ben.okoye@nwlabs.exmaple\n"
        ),
        "{summary}"
    );
}

#[test]
fn the_identity_maps_system_is_read_in_any_case() {
    // `GitHub` for `github`: the entries used to match no account, and were not listed as
    // unused either, so every mapped member was reported "no person has this email".
    let dir = scratch("map-system-case");
    let people = people(&dir);
    let text = fs::read_to_string(repo().join(sample("identity-map.csv"))).unwrap();
    let map = write(&dir, "map.csv", &text.replace("\ngithub,", "\nGitHub,"));
    let args = |map: &str| {
        import(&[
            "github-members",
            &sample("github-members.json"),
            "--people",
            &people,
            "--identity-map",
            map,
        ])
    };
    let (out, summary) = args(&map);
    assert_eq!((out, summary), args(&sample("identity-map.csv")));
}

#[test]
fn factors_that_are_not_a_list_are_placed_and_shown() {
    // The docs' loop writes what each call returned: a rate-limited call gives Okta's error
    // object, which is refused at its line and column, with its pointer and what it is.
    let dir = scratch("factors-not-a-list");
    let factors = write(
        &dir,
        "factors.json",
        "{\n  \"00u1\": [],\n  \"00u2\": {\"errorCode\": \"E0000047\"}\n}\n",
    );
    let message = refused(&[
        "okta-users",
        &sample("okta-users.json"),
        "--factors",
        &factors,
    ]);
    assert_eq!(
        message,
        format!(
            "error: {factors}:3:11: the factors of user `00u2` (/00u2) are an object: expected an array, what GET /api/v1/users/00u2/factors returns\n"
        )
    );
    // Anything but the documented shape is refused at its place: an object that names no
    // user wrote every user `mfa: false`; a factor without its `status` was no MFA.
    let expected = "a JSON object of user id to the array of GET /api/v1/users/{id}/factors";
    for (i, (text, message)) in [
        (
            "{}\n".to_owned(),
            format!(
                ":1:1: --factors is an empty object: expected {expected}, naming the users of the import; one that names no user is refused, as it would write every user without MFA (`mfa: false`) from nothing"
            ),
        ),
        (
            "[{\"status\": \"ACTIVE\"}]\n".to_owned(),
            format!(":1:1: --factors is an array: expected {expected}"),
        ),
        (
            "{\"00u1ana0000000000001\": [\n  {\"status\": \"ACTIVE\"},\n  \"push\"\n]}\n".to_owned(),
            ":3:3: factor 1 of user `00u1ana0000000000001` (/00u1ana0000000000001/1) is `push`, a string: expected an object with its `status` (a string: ACTIVE, PENDING_ACTIVATION...), as GET /api/v1/users/00u1ana0000000000001/factors returns".to_owned(),
        ),
        (
            "{\"00u1ana0000000000001\": [{\"factorType\": \"push\"}]}\n".to_owned(),
            ":1:27: factor 0 of user `00u1ana0000000000001` (/00u1ana0000000000001/0) has no `status`: expected an object".to_owned(),
        ),
        (
            "{\"00u1ana0000000000001\": [{\"status\": true}]}\n".to_owned(),
            ":1:38: factor 0 of user `00u1ana0000000000001` (/00u1ana0000000000001/0/status) has the `status` true, a boolean: expected an object".to_owned(),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let factors = write(&dir, &format!("factors-{i}.json"), &text);
        let err = refused(&[
            "okta-users",
            &sample("okta-users.json"),
            "--factors",
            &factors,
        ]);
        assert!(
            err.starts_with(&format!("error: {factors}{message}")),
            "{err}"
        );
    }
}

#[test]
fn authorization_details_of_the_wrong_shape_are_placed() {
    // `--admins` with AWS's authorization details: a list of the wrong type, a user without
    // its name or with one of the wrong type, at the value's line and column and pointer.
    let dir = scratch("admins-details-shape");
    let expected = [
        (
            "{\n  \"UserDetailList\": {\"UserName\": \"a\"}\n}\n",
            ":2:21: `UserDetailList` (/UserDetailList) is an object: expected an array, as `aws iam get-account-authorization-details` writes it",
        ),
        (
            "{\"UserDetailList\": [{\"UserName\": \"a\"}],\n \"GroupDetailList\": \"Admins\"}\n",
            ":2:21: `GroupDetailList` (/GroupDetailList) is `Admins`, a string: expected an array, as `aws iam get-account-authorization-details` writes it",
        ),
        (
            "{\"UserDetailList\": [\n  {\"UserName\": \"ben.okoye\", \"GroupList\": []},\n  {\"GroupList\": []}\n]}\n",
            ":3:3: user /UserDetailList/1 has no `UserName`: expected a string, the user's name",
        ),
        (
            "{\"UserDetailList\": [\n  {\"UserName\": 5, \"GroupList\": []}\n]}\n",
            ":2:16: user /UserDetailList/0/UserName: `UserName` is 5, a number: expected a string",
        ),
        (
            "{\"UserDetailList\": [\n  {\"UserName\": \"\", \"GroupList\": []}\n]}\n",
            ":2:16: user /UserDetailList/0/UserName: `UserName` is empty: expected the user's name",
        ),
    ];
    for (i, (text, message)) in expected.into_iter().enumerate() {
        let details = write(&dir, &format!("details-{i}.json"), text);
        let err = refused(&[
            "aws-iam-credential-report",
            &sample("aws-iam-credential-report.csv"),
            "--admins",
            &details,
        ]);
        assert_eq!(err, format!("error: {details}{message}\n"));
    }
}

#[test]
fn an_output_that_cannot_be_a_file_is_refused_before_anything_is_read() {
    // The input does not exist: the output is refused first, by its path, with what is
    // expected (not the system's "Is a directory" once every input was read).
    let dir = scratch("output-folder");
    let missing_input = dir.join("no-such-export.json");
    let missing_input = missing_input.to_str().unwrap();
    let folder = dir.to_str().unwrap();
    let err = refused(&["okta-users", missing_input, "--output", folder]);
    assert_eq!(
        err,
        format!("error: {folder}: a folder, not a file: expected the path of a file to write\n")
    );
    let target = dir.join("no-such-folder").join("accounts.json");
    let target = target.to_str().unwrap();
    let err = refused(&["okta-users", missing_input, "--output", target]);
    assert_eq!(
        err,
        format!("error: {target}: the folder {folder}/no-such-folder does not exist\n")
    );
}

#[test]
fn an_export_with_no_records_is_refused() {
    // Absence is never compliance: a header alone, or an empty list, would write an empty
    // collection that no rule can fail.
    let dir = scratch("no-records");
    let header = |name: &str| {
        let text = fs::read_to_string(repo().join(sample(name))).unwrap();
        let header = text.lines().next().unwrap().to_owned();
        // Rows of empty cells, as Excel leaves them, are no rows either.
        let commas = ",".repeat(header.matches(',').count());
        write(&dir, name, &format!("{header}\n{commas}\n"))
    };
    let reason = "an export with none is refused, as it would leave the rules on these records nothing to check";
    let report = header("aws-iam-credential-report.csv");
    assert_eq!(
        refused(&["aws-iam-credential-report", &report]),
        format!(
            "error: {report}: the file has a header and no rows: expected at least one user; {reason}\n"
        )
    );
    let users = header("google-workspace-users.csv");
    assert_eq!(
        refused(&["google-workspace-users", &users]),
        format!(
            "error: {users}: the file has a header and no rows: expected at least one user; {reason}\n"
        )
    );
    let hr = header("bamboohr-employees.csv");
    assert_eq!(
        refused_people(&hr),
        format!(
            "error: {hr}: the file has a header and no rows: expected at least one row; {reason}\n"
        )
    );
    let empty = write(&dir, "empty.json", "[]\n");
    assert_eq!(
        refused(&["okta-users", &empty]),
        format!("error: {empty}: the list is empty: expected at least one user; {reason}\n")
    );
    let pages = write(&dir, "pages.json", "[]\n[]\n");
    assert_eq!(
        refused(&["github-members", &pages]),
        format!("error: {pages}: the list is empty: expected at least one member; {reason}\n")
    );
    // Of several files, each must hold records.
    let err = refused(&["github-members", &sample("github-members.json"), &empty]);
    assert!(
        err.starts_with(&format!("error: {empty}: the list is empty")),
        "{err}"
    );
}

#[test]
fn an_admins_file_that_names_nobody_is_refused() {
    // It would write every account `privileged: false`, as an export with no records would
    // leave the rules nothing to check.
    let dir = scratch("admins-nobody");
    let why = "an empty --admins is refused, as it would write every account `privileged: false`";
    for (name, text, source, export, found) in [
        (
            "admins.txt",
            "# super admins\n\n",
            "google-workspace-users",
            "google-workspace-users.csv",
            "the file has no name, one a line (only blank lines and `#` comments)",
        ),
        (
            "owners.json",
            "[]\n",
            "github-members",
            "github-members.json",
            "the list is empty",
        ),
        (
            "details.json",
            "{\"UserDetailList\": [], \"GroupDetailList\": []}\n",
            "aws-iam-credential-report",
            "aws-iam-credential-report.csv",
            "`UserDetailList` (/UserDetailList) is empty",
        ),
    ] {
        let admins = write(&dir, name, text);
        let err = refused(&[source, &sample(export), "--admins", &admins]);
        assert_eq!(
            err,
            format!("error: {admins}: --admins names nobody: {found}; {why}\n")
        );
    }
    // AWS users none of whom has administrator access: read, and said.
    let details = write(
        &dir,
        "readers.json",
        "{\"UserDetailList\": [{\"UserName\": \"ben.okoye\", \"GroupList\": []}]}\n",
    );
    let (out, summary) = import(&[
        "aws-iam-credential-report",
        &sample("aws-iam-credential-report.csv"),
        "--admins",
        &details,
    ]);
    assert_eq!(account(&accounts(&out), "ben.okoye")["privileged"], false);
    assert!(
        summary.contains(&format!(
            "--admins ({details}) names nobody with administrator access: it makes no account privileged\n"
        )),
        "{summary}"
    );
}

#[test]
fn rows_of_empty_cells_are_skipped() {
    // Excel saves the empty rows it was given below the data as `,,,`: they are no records.
    // A row with a cell, and its key empty, is still an error at its line.
    let dir = scratch("empty-rows");
    let mapping = sample("mappings/bamboohr-people.toml");
    let text = fs::read_to_string(repo().join(sample("bamboohr-employees.csv"))).unwrap();
    let commas = ",".repeat(text.lines().next().unwrap().matches(',').count());
    let padded = write(
        &dir,
        "padded.csv",
        &format!(
            "{text}{commas}\n{}\n{commas}\r\n",
            commas.replace(',', " ,")
        ),
    );
    let plain = import(&[
        "csv",
        &sample("bamboohr-employees.csv"),
        "--mapping",
        &mapping,
    ]);
    let (out, summary) = import(&["csv", &padded, "--mapping", &mapping]);
    assert_eq!(
        (out, summary),
        (
            plain.0,
            plain.1.replace(&sample("bamboohr-employees.csv"), &padded)
        )
    );
    let lines = text.lines().count();
    let unkeyed = write(
        &dir,
        "unkeyed.csv",
        &format!("{text},Ann{}\n", &commas[1..]),
    );
    assert_eq!(
        refused(&["csv", &unkeyed, "--mapping", &mapping]),
        format!(
            "error: {unkeyed}:{}:1: `Employee #` is empty, and `id` is required\n",
            lines + 1
        )
    );
    let report = fs::read_to_string(repo().join(sample("aws-iam-credential-report.csv"))).unwrap();
    let commas = ",".repeat(report.lines().next().unwrap().matches(',').count());
    let padded = write(&dir, "report.csv", &format!("{report}{commas}\n{commas}\n"));
    import(&["aws-iam-credential-report", &padded]);
    let unnamed = write(
        &dir,
        "unnamed.csv",
        &format!("{report}{commas}\n,arn{}\n", &commas[1..]),
    );
    assert_eq!(
        refused(&["aws-iam-credential-report", &unnamed]),
        format!(
            "error: {unnamed}:{}:1: `user` is empty: expected the IAM user's name (`<root_account>` for the root user), the account's username\n",
            report.lines().count() + 2
        )
    );
}

#[test]
fn max_input_size_bounds_every_file_an_import_reads() {
    // The export, and each file beside it, is held to the limit; the default lets them in.
    let report = sample("aws-iam-credential-report.csv");
    let size = fs::metadata(repo().join(&report)).unwrap().len();
    let message = refused(&[
        "aws-iam-credential-report",
        &report,
        "--max-input-size",
        &(size - 1).to_string(),
    ]);
    assert!(
        message.contains("aws-iam-credential-report.csv: larger than the input size limit of"),
        "{message}"
    );
    let dir = scratch("import-limit");
    let people = people(&dir);
    let message = refused(&[
        "aws-iam-credential-report",
        &report,
        "--people",
        &people,
        "--max-input-size",
        &size.to_string(),
    ]);
    assert!(message.contains("people.json"), "{message}");
    import(&[
        "aws-iam-credential-report",
        &report,
        "--max-input-size",
        &size.to_string(),
    ]);
}

// ---- found by a tester: each fails without its fix ------------------------------------

#[test]
fn two_factor_disabled_logins_that_match_no_member_are_listed() {
    // A typo names nobody of the import: the member meant would be written with 2FA,
    // unseen. The summary names the logins, as for --admins.
    let dir = scratch("2fa-unmatched");
    let typo = write(
        &dir,
        "typo.json",
        r#"[{"login": "guslq", "node_id": "MDQ6VXNlcjE=", "type": "User"},
            {"login": "Bob", "node_id": "MDQ6VXNlcjI=", "type": "User"}]"#,
    );
    let (out, summary) = import(&[
        "github-members",
        &sample("github-members.json"),
        "--two-factor-disabled",
        &typo,
    ]);
    let all = accounts(&out);
    assert_eq!(account(&all, "guslq")["mfa"], false);
    assert_eq!(account(&all, "anasilva")["mfa"], true);
    assert!(
        summary.ends_with("--two-factor-disabled names members this import does not have: bob\n"),
        "{summary}"
    );
    // The sample lists members of the import: no such line.
    let (_, summary) = import(&[
        "github-members",
        &sample("github-members.json"),
        "--two-factor-disabled",
        &sample("github-members-2fa-disabled.json"),
    ]);
    assert!(
        !summary.contains("--two-factor-disabled names"),
        "{summary}"
    );
    // The same for --factors: the user ids of the file no user of the import has.
    let factors = write(
        &dir,
        "factors.json",
        r#"{"00u1ana0000000000001": [{"status": "ACTIVE"}], "00u1nobody000000000": [{"status": "ACTIVE"}]}"#,
    );
    let (_, summary) = import(&[
        "okta-users",
        &sample("okta-users.json"),
        "--factors",
        &factors,
    ]);
    assert!(
        summary
            .contains("--factors names user ids this import does not have: 00u1nobody000000000\n"),
        "{summary}"
    );
}

#[test]
fn a_list_none_of_whose_entries_matches_an_account_is_refused() {
    // Emails for logins, another organization's list, another account's details: every
    // account would be decided from nothing (`privileged: false`, `mfa: true`). Refused,
    // naming the file, how many entries, and examples of both sides; the one rule for
    // --admins (names, GitHub's list, AWS's details), --two-factor-disabled and --factors.
    let dir = scratch("list-matches-nothing");
    let emails = write(&dir, "gh-admins.txt", "ana.silva@nwlabs.example\n");
    let err = refused(&[
        "github-members",
        &sample("github-members.json"),
        "--people",
        &people(&dir),
        "--identity-map",
        &sample("identity-map.csv"),
        "--admins",
        &emails,
    ]);
    assert_eq!(
        err,
        format!(
            "error: {emails}: --admins matches nothing in this import: none of the 1 name it gives is one of the import's accounts (the import has anasilva, benokoye, devpatel, ... (6 in all); the file names ana.silva@nwlabs.example); a list that matches no account is refused, as it would write every account `privileged: false`\n"
        )
    );
    let other = write(
        &dir,
        "other.json",
        r#"[{"login":"someone-else","id":9,"node_id":"x","type":"User"}]"#,
    );
    let err = refused(&[
        "github-members",
        &sample("github-members.json"),
        "--two-factor-disabled",
        &other,
    ]);
    assert_eq!(
        err,
        format!(
            "error: {other}: --two-factor-disabled matches nothing in this import: none of the 1 login it gives is one of the import's members (the import has anasilva, benokoye, devpatel, ... (6 in all); the file names someone-else); a list that matches no account is refused, as it would write every member with 2FA (`mfa: true`)\n"
        )
    );
    // GitHub's owners list of another organization, as --admins.
    let err = refused(&[
        "github-members",
        &sample("github-members.json"),
        "--admins",
        &other,
    ]);
    assert!(
        err.starts_with(&format!(
            "error: {other}: --admins matches nothing in this import: none of the 1 name it gives"
        )),
        "{err}"
    );
    let factors = write(
        &dir,
        "factors.json",
        r#"{"00u1x": [{"status": "ACTIVE"}], "00u1y": [], "00u1z": [], "00u1w": []}"#,
    );
    let err = refused(&[
        "okta-users",
        &sample("okta-users.json"),
        "--factors",
        &factors,
    ]);
    assert!(
        err.starts_with(&format!(
            "error: {factors}: --factors matches nothing in this import: none of the 4 user ids it gives is one of the import's user ids (the import has 00u1"
        )) && err.contains("the file names 00u1w, 00u1x, 00u1y, ... (4 in all)"),
        "{err}"
    );
    // AWS details of another account: its administrators are nobody of the report.
    let details = write(
        &dir,
        "details.json",
        r#"{"UserDetailList": [{"UserName": "root-of-another", "AttachedManagedPolicies": [
            {"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}]}"#,
    );
    let err = refused(&[
        "aws-iam-credential-report",
        &sample("aws-iam-credential-report.csv"),
        "--admins",
        &details,
    ]);
    assert!(
        err.starts_with(&format!(
            "error: {details}: --admins matches nothing in this import: none of the 1 name it gives is one of the import's accounts (the import has <root_account>, ana.silva@nwlabs.example, ben.okoye, ... (7 in all); the file names root-of-another)"
        )),
        "{err}"
    );
    // Nothing was written: the refusal comes before the output.
    let out = dir.join("accounts.json");
    let run = attest(&[
        "import",
        "github-members",
        &sample("github-members.json"),
        "--admins",
        &emails,
        "--output",
        out.to_str().unwrap(),
    ]);
    exit(&run, 2);
    assert!(!out.exists());
}

#[test]
fn aws_administrators_are_judged_from_what_the_details_hold_or_refused() {
    // Users who are admins through a group or a customer managed policy were written
    // `privileged: false` when the file lacked the group or policy; an inline `iam:*` on `*`
    // was not counted, although the managed IAMFullAccess (that document) was; a raw-API
    // URL-encoded document was not read.
    let dir = scratch("aws-admins-partial");
    let report = sample("aws-iam-credential-report.csv");
    // `--filter User`: the groups are not in the file.
    let partial = write(
        &dir,
        "users-only.json",
        "{\"UserDetailList\": [\n  {\"UserName\": \"ana.silva@nwlabs.example\", \"GroupList\": [\"Administrators\"]}\n]}\n",
    );
    let err = refused(&["aws-iam-credential-report", &report, "--admins", &partial]);
    assert!(
        err.starts_with(&format!(
            "error: {partial}:2:58: user `ana.silva@nwlabs.example` (/UserDetailList/0/GroupList/0) is in the group `Administrators`, which the file's `GroupDetailList` does not have: expected the details of every group and managed policy a user has"
        )),
        "{err}"
    );
    // A customer managed policy the file's `Policies` lacks (empty).
    let missing = write(
        &dir,
        "no-policies.json",
        r#"{"UserDetailList": [{"UserName": "ben.okoye", "AttachedManagedPolicies": [
            {"PolicyArn": "arn:aws:iam::123456789012:policy/Ops"}]}], "Policies": []}"#,
    );
    let err = refused(&["aws-iam-credential-report", &report, "--admins", &missing]);
    assert!(
        err.contains("the policy `arn:aws:iam::123456789012:policy/Ops` of user `ben.okoye` (/UserDetailList/0/AttachedManagedPolicies/0/PolicyArn) is not in the file's `Policies`"),
        "{err}"
    );
    // An inline document that cannot be read, even URL-decoded.
    let unreadable = write(
        &dir,
        "unreadable.json",
        r#"{"UserDetailList": [{"UserName": "ben.okoye", "UserPolicyList": [
            {"PolicyName": "p", "PolicyDocument": "%7B%22Statement"}]}]}"#,
    );
    let err = refused(&[
        "aws-iam-credential-report",
        &report,
        "--admins",
        &unreadable,
    ]);
    assert!(
        err.contains("the inline policy `p` of user `ben.okoye` (/UserDetailList/0/UserPolicyList/0/PolicyDocument) cannot be read"),
        "{err}"
    );
    // Inline `iam:*` on `*`, and a URL-encoded document allowing everything: admins.
    let inline = write(
        &dir,
        "inline.json",
        r#"{"UserDetailList": [
            {"UserName": "ben.okoye", "UserPolicyList": [
                {"PolicyName": "iam", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}}]},
            {"UserName": "dev.patel@nwlabs.example", "UserPolicyList": [
                {"PolicyName": "raw", "PolicyDocument": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D"}]},
            {"UserName": "old-ci", "UserPolicyList": [
                {"PolicyName": "read", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}}]}
        ]}"#,
    );
    let (out, _) = import(&["aws-iam-credential-report", &report, "--admins", &inline]);
    let all = accounts(&out);
    assert_eq!(account(&all, "ben.okoye")["privileged"], true);
    assert_eq!(
        account(&all, "dev.patel@nwlabs.example")["privileged"],
        true
    );
    assert_eq!(account(&all, "old-ci")["privileged"], false);
}

#[test]
fn the_credential_report_accepts_what_aws_writes_in_each_column_and_no_more() {
    // An empty or N/A creation time dropped the account out of access.grant-approval; `N/A`
    // in a TRUE/FALSE column made a user a disabled service account.
    let dir = scratch("aws-columns");
    let name = "aws-iam-credential-report.csv";
    let created = "user/ben.okoye,";
    let password = "user/ben.okoye,2022-06-15T13:20:00+00:00,";
    for (prefix, from, to, message) in [
        (
            created,
            "2022-06-15T13:20:00+00:00",
            "",
            "`user_creation_time` is empty: expected an ISO 8601 date-time",
        ),
        (
            created,
            "2022-06-15T13:20:00+00:00",
            "N/A",
            "`N/A` in `user_creation_time` is not a date: expected an ISO 8601 date-time",
        ),
        (
            created,
            "2022-06-15T13:20:00+00:00",
            "no_information",
            "`no_information` in `user_creation_time` is not a date",
        ),
        (
            password,
            "true",
            "N/A",
            "`N/A` in `password_enabled` is not TRUE or FALSE, which AWS writes in this column",
        ),
        (
            password,
            "true",
            "not_supported",
            "`not_supported` in `password_enabled` is not TRUE or FALSE",
        ),
    ] {
        let report = edited(
            &dir,
            name,
            &format!("{prefix}{from},"),
            &format!("{prefix}{to},"),
        );
        let text = fs::read_to_string(&report).unwrap();
        let (line, row) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(prefix))
            .unwrap();
        let column = row[..row.find(prefix).unwrap() + prefix.len()]
            .chars()
            .count()
            + 1;
        let err = refused(&["aws-iam-credential-report", &report]);
        assert!(
            err.starts_with(&format!("error: {report}:{}:{column}: {message}", line + 1)),
            "{err}"
        );
    }
    // A key column of `N/A`, and the root user's `password_enabled` other than
    // `not_supported`.
    let report = edited(
        &dir,
        name,
        "2022-06-15T13:20:00+00:00,true,2026-06-26T09:41:17+00:00,2026-05-20T12:00:00+00:00,N/A,false,true,",
        "2022-06-15T13:20:00+00:00,true,2026-06-26T09:41:17+00:00,2026-05-20T12:00:00+00:00,N/A,false,N/A,",
    );
    let err = refused(&["aws-iam-credential-report", &report]);
    assert!(
        err.contains("`N/A` in `access_key_1_active` is not TRUE or FALSE"),
        "{err}"
    );
    let report = edited(
        &dir,
        name,
        "2019-02-11T09:12:40+00:00,not_supported,",
        "2019-02-11T09:12:40+00:00,N/A,",
    );
    let err = refused(&["aws-iam-credential-report", &report]);
    assert!(
        err.contains(":2:73: `N/A` in `password_enabled` of the root user: expected not_supported"),
        "{err}"
    );
}

#[test]
fn a_mapping_constant_outside_the_schema_is_placed_in_the_mapping_once() {
    let dir = scratch("mapping-constant");
    let csv = write(&dir, "ev.csv", "ID,Name\n1,Ann\n2,Bob\n3,Cy\n");
    let mapping = write(
        &dir,
        "m.toml",
        "collection = \"people\"\n[fields.id]\ncolumn = \"ID\"\n[fields.name]\ncolumn = \"Name\"\n[fields.kind]\nvalue = \"employe\"\n[fields.\"employment.status\"]\nvalue = \"active\"\n",
    );
    let err = refused(&["csv", &csv, "--mapping", &mapping]);
    assert_eq!(
        err,
        format!(
            "error: {mapping}:7:9: field `kind`: \"employe\" is not one of \"employee\" or \"contractor\"\n"
        )
    );
    // A value map's values and a default are checked the same way, at theirs.
    let mapping = write(
        &dir,
        "m2.toml",
        "collection = \"people\"\n[fields.id]\ncolumn = \"ID\"\n[fields.name]\ncolumn = \"Name\"\n[fields.kind]\ncolumn = \"Name\"\nvalues = { \"Ann\" = \"employee\", \"Bob\" = \"contractr\" }\n[fields.\"employment.status\"]\nvalue = \"active\"\n",
    );
    let err = refused(&["csv", &csv, "--mapping", &mapping]);
    assert!(
        err.starts_with(&format!(
            "error: {mapping}:8:40: field `kind`: \"contractr\" is not one of"
        )),
        "{err}"
    );
}

#[test]
fn a_date_format_may_have_a_time_part_and_an_unknown_specifier_is_named() {
    let dir = scratch("date-format-time");
    let csv = write(
        &dir,
        "t.csv",
        "ID,Course,When\n1,Security,06/28/2026 14:03\n2,Privacy,12/01/2025 09:30\n",
    );
    let mapping = |format: &str| {
        write(
            &dir,
            "m.toml",
            &format!(
                "collection = \"training\"\n[fields.person_id]\ncolumn = \"ID\"\n[fields.course]\ncolumn = \"Course\"\n[fields.completed_on]\ncolumn = \"When\"\nformat = \"{format}\"\n"
            ),
        )
    };
    let (out, _) = import(&["csv", &csv, "--mapping", &mapping("%m/%d/%Y %H:%M")]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["training"][0]["completed_on"], "2026-06-28");
    assert_eq!(doc["training"][1]["completed_on"], "2025-12-01");
    let iso = write(
        &dir,
        "iso.csv",
        "ID,Course,When\n1,Security,2026-06-28T14:03:11\n",
    );
    let (out, _) = import(&["csv", &iso, "--mapping", &mapping("%Y-%m-%dT%H:%M:%S")]);
    assert!(out.contains("\"completed_on\": \"2026-06-28\""), "{out}");
    let m = mapping("%m/%d/%Y %Q");
    let err = refused(&["csv", &csv, "--mapping", &m]);
    assert!(
        err.starts_with(&format!(
            "error: {m}:8:10: `%m/%d/%Y %Q` is not a date format: `%Q` is not a specifier it reads"
        )),
        "{err}"
    );
    // A format may end in white space (`%n`, `%t`): the cell is read trimmed.
    let dated = write(&dir, "dated.csv", "ID,Course,When\n1,Security,2026-06-28\n");
    for format in ["%Y-%m-%d%n", "%Y-%m-%d%t"] {
        let (out, _) = import(&["csv", &dated, "--mapping", &mapping(format)]);
        assert!(out.contains("\"completed_on\": \"2026-06-28\""), "{out}");
    }
    // Still refused: a format without the day.
    let m = mapping("%m/%Y %H:%M");
    let err = refused(&["csv", &csv, "--mapping", &m]);
    assert!(
        err.contains("is not a date format: it must name the year, month and day"),
        "{err}"
    );
}

#[test]
fn a_required_object_the_mapping_lacks_is_named_by_its_required_fields() {
    let dir = scratch("required-object");
    let csv = write(&dir, "p.csv", "ID,Name\n1,Ann\n");
    let mapping = write(
        &dir,
        "m.toml",
        "collection = \"people\"\n[fields.id]\ncolumn = \"ID\"\n[fields.name]\ncolumn = \"Name\"\n[fields.kind]\nvalue = \"employee\"\n",
    );
    let err = refused(&["csv", &csv, "--mapping", &mapping]);
    assert_eq!(
        err,
        format!(
            "error: {mapping}:1:14: the mapping fills no `employment`, which people records require: add [fields.\"employment.status\"]\n"
        )
    );
    // Which, added, is read.
    let fixed = write(
        &dir,
        "m.toml",
        &format!(
            "{}[fields.\"employment.status\"]\nvalue = \"active\"\n",
            fs::read_to_string(&mapping).unwrap()
        ),
    );
    import(&["csv", &csv, "--mapping", &fixed]);
}

#[test]
fn a_comment_after_a_name_is_not_part_of_it() {
    let dir = scratch("admins-trailing-comment");
    let admins = write(
        &dir,
        "admins.txt",
        "# super admins\nana.silva@nwlabs.example # Ana, IT\nben.okoye@nwlabs.example\t# Ben\n  # indented comment\n",
    );
    let (out, summary) = import(&[
        "google-workspace-users",
        &sample("google-workspace-users.csv"),
        "--admins",
        &admins,
    ]);
    let all = accounts(&out);
    assert_eq!(
        account(&all, "ana.silva@nwlabs.example")["privileged"],
        true
    );
    assert_eq!(
        account(&all, "ben.okoye@nwlabs.example")["privileged"],
        true
    );
    assert!(!summary.contains("--admins names"), "{summary}");
}

#[test]
fn skip_compares_as_values_do() {
    let dir = scratch("skip-case");
    let lms = edited(&dir, "lms-training.csv", ",Completed,", ",not started ,");
    let (_, summary) = import(&[
        "csv",
        &lms,
        "--mapping",
        &sample("mappings/lms-training.toml"),
        "--people",
        &people(&dir),
    ]);
    let (_, before) = import(&[
        "csv",
        &sample("lms-training.csv"),
        "--mapping",
        &sample("mappings/lms-training.toml"),
        "--people",
        &people(&dir),
    ]);
    let skipped = |s: &str| -> usize {
        let at = s.find(" row").unwrap();
        let open = s[..at].rfind('(').unwrap();
        s[open + 1..at].parse().unwrap()
    };
    assert_eq!(
        skipped(&summary),
        skipped(&before) + 1,
        "{summary}\n{before}"
    );
}

#[test]
fn an_empty_login_is_placed_at_its_value_with_the_inputs_pointer() {
    let dir = scratch("empty-login");
    let users = write(
        &dir,
        "u.json",
        r#"[{"id":"1","status":"ACTIVE","profile":{"login":""}}]"#,
    );
    let err = refused(&["okta-users", &users]);
    assert_eq!(
        err,
        format!(
            "error: {users}:1:49: user 1 (/0/profile/login): `profile.login` is empty: expected the user's login, the account's name\n"
        )
    );
    let members = write(
        &dir,
        "m.json",
        "[{\"login\": \"octo\", \"type\": \"User\"},\n {\"login\": \" \", \"type\": \"User\"}]",
    );
    let err = refused(&["github-members", &members]);
    assert_eq!(
        err,
        format!(
            "error: {members}:2:12: member /1/login: `login` is empty: expected the member's login, the account's name\n"
        )
    );
}

#[test]
fn a_header_separated_by_another_delimiter_is_named() {
    let dir = scratch("semicolons");
    let csv = write(
        &dir,
        "s.csv",
        "ID;Name;Email;Status;Start\n1;Ann;ann@x.example;Active;2026-01-01\n",
    );
    let mapping = write(
        &dir,
        "m.toml",
        "collection = \"people\"\n[fields.id]\ncolumn = \"ID\"\n[fields.name]\ncolumn = \"Name\"\n[fields.email]\ncolumn = \"Email\"\n[fields.kind]\nvalue = \"employee\"\n[fields.\"employment.status\"]\nvalue = \"active\"\n",
    );
    let err = refused(&["csv", &csv, "--mapping", &mapping]);
    assert_eq!(
        err,
        format!(
            "error: {csv}:1:1: missing required column `Email` (the columns found: ID;Name;Email;Status;Start); the header looks separated by `;`, not `,`: set `delimiter = \";\"` in the mapping\n"
        )
    );
    // With it set, the file is read.
    let fixed = write(
        &dir,
        "m.toml",
        &format!(
            "delimiter = \";\"\n{}",
            fs::read_to_string(&mapping).unwrap()
        ),
    );
    import(&["csv", &csv, "--mapping", &fixed]);
}

#[test]
fn okta_and_github_values_of_the_wrong_kind_are_placed_with_their_pointer() {
    let dir = scratch("okta-github-values");
    // `created` null or missing: the account would drop out of access.grant-approval.
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"created\": \"2021-03-01T09:00:00.000Z\"",
        "\"created\": null",
    );
    let err = refused(&["okta-users", &okta]);
    assert!(
        err.starts_with(&format!(
            "error: {okta}:5:16: user ana.silva@nwlabs.example (/0/created): `created` is null: expected an ISO 8601 date-time such as 2026-06-28T14:03:11.000Z: Okta writes when every user was created"
        )),
        "{err}"
    );
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"created\": \"2021-03-01T09:00:00.000Z\",\n    ",
        "",
    );
    let err = refused(&["okta-users", &okta]);
    assert!(
        err.starts_with(&format!(
            "error: {okta}:2:3: user ana.silva@nwlabs.example (/0) has no `created`: expected"
        )),
        "{err}"
    );
    // A `profile` that is not an object, or has no `login`.
    let users = write(
        &dir,
        "users.json",
        "[{\"id\": \"00u1\", \"status\": \"ACTIVE\", \"created\": \"2021-03-01T09:00:00.000Z\",\n  \"profile\": [\"a@x.example\"]}]",
    );
    assert_eq!(
        refused(&["okta-users", &users]),
        format!(
            "error: {users}:2:14: user 00u1 (/0/profile): `profile` is an array: expected an object, the user's profile with its `login`\n"
        )
    );
    let users = write(
        &dir,
        "no-login.json",
        "[{\"id\": \"00u1\", \"status\": \"ACTIVE\", \"created\": \"2021-03-01T09:00:00.000Z\",\n  \"profile\": {\"email\": \"a@x.example\"}}]",
    );
    assert_eq!(
        refused(&["okta-users", &users]),
        format!(
            "error: {users}:2:14: user 00u1 (/0/profile): `profile` has no `login`: expected a string, the user's login\n"
        )
    );
    // GitHub: a `login` or a `type` that is null.
    for (from, to, expected) in [
        (
            "\"login\": \"benokoye\"",
            "\"login\": null",
            ":18:14: member /1/login: `login` is null: expected a string, the member's login, the account's name",
        ),
        (
            "\"type\": \"User\"",
            "\"type\": null",
            ":13:13: member /0/type: `type` is null: expected a string, `User` or `Bot`",
        ),
        // A member without `type` was taken for a person: GitHub writes it for every member.
        (
            "\"type\": \"User\",\n    ",
            "",
            ":2:3: member /0 has no `type`: expected a string, `User` or `Bot`, which GitHub writes for every member of GET /orgs/{org}/members",
        ),
        (
            "\"type\": \"User\"",
            "\"type\": \"Organization\"",
            ":13:13: member /0/type: `type` is `Organization`: expected a string, `User` or `Bot`",
        ),
    ] {
        github_edit_refused(&dir, from, to, expected);
    }
    // The same in the lists given to --two-factor-disabled and --admins.
    let untyped = write(
        &dir,
        "untyped.json",
        "[{\"login\": \"guslq\", \"id\": 5100006}]\n",
    );
    for flag in ["--two-factor-disabled", "--admins"] {
        let err = refused(&[
            "github-members",
            &sample("github-members.json"),
            flag,
            &untyped,
        ]);
        assert!(
            err.starts_with(&format!(
                "error: {untyped}:1:2: member /0 has no `type`: expected a string, `User` or `Bot`"
            )),
            "{err}"
        );
    }
}

#[test]
fn a_key_given_twice_in_any_json_an_import_reads_is_refused() {
    // serde_json keeps the last value silently (a bot's `"type": "Bot"` hidden by a later
    // `"type": "User"`); `attest validate` refuses it, and so does every import.
    let dir = scratch("json-key-twice");
    let twice = |key: &str| {
        format!(
            "invalid JSON: the key `{key}` is given twice in one object; only one value can count\n"
        )
    };
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"status\": \"ACTIVE\",",
        "\"status\": \"SUSPENDED\", \"status\": \"ACTIVE\",",
    );
    assert_eq!(
        refused(&["okta-users", &okta]),
        format!("error: {okta}:4:35: {}", twice("status"))
    );
    let github = edited(
        &dir,
        "github-members.json",
        "\"type\": \"User\"",
        "\"type\": \"Bot\", \"type\": \"User\"",
    );
    assert_eq!(
        refused(&["github-members", &github]),
        format!("error: {github}:13:25: {}", twice("type"))
    );
    let factors = write(
        &dir,
        "factors.json",
        "{\"00u1ana0000000000001\": [],\n \"00u1ana0000000000001\": [{\"status\": \"ACTIVE\"}]}",
    );
    assert_eq!(
        refused(&[
            "okta-users",
            &sample("okta-users.json"),
            "--factors",
            &factors
        ]),
        format!("error: {factors}:2:23: {}", twice("00u1ana0000000000001"))
    );
    let people = write(
        &dir,
        "people.json",
        "{\"people\": [{\"id\": \"1\", \"email\": \"ana.silva@nwlabs.example\",\n  \"email\": \"ben.okoye@nwlabs.example\"}]}",
    );
    let err = refused(&[
        "okta-users",
        &sample("okta-users.json"),
        "--people",
        &people,
    ]);
    assert_eq!(err, format!("error: {people}:2:9: {}", twice("email")));
    let details = write(
        &dir,
        "details.json",
        "{\"UserDetailList\": [{\"UserName\": \"ben.okoye\"}],\n \"UserDetailList\": []}",
    );
    assert_eq!(
        refused(&[
            "aws-iam-credential-report",
            &sample("aws-iam-credential-report.csv"),
            "--admins",
            &details
        ]),
        format!("error: {details}:2:17: {}", twice("UserDetailList"))
    );
}

#[test]
fn one_mailbox_is_one_account_in_any_case_and_with_spaces_around() {
    // `a@x.example` and `A@X.example` were two accounts (one with MFA, one without).
    let dir = scratch("one-mailbox");
    let google = edited(
        &dir,
        "google-workspace-users.csv",
        "ben.okoye@nwlabs.example,****",
        "Ana.Silva@NWLabs.example,****",
    );
    let err = refused(&["google-workspace-users", &google]);
    assert!(
        err.starts_with(&format!(
            "error: {google}:3:1: duplicate key accounts/google-workspace/Ana.Silva@NWLabs.example: also at {google}:2 (as google-workspace/ana.silva@nwlabs.example: an email address names one mailbox, in any case)"
        )),
        "{err}"
    );
    // Okta's login with spaces around it is the login, as Google's cell is trimmed.
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"login\": \"ben.okoye@nwlabs.example\"",
        "\"login\": \"  Ana.Silva@nwlabs.example \"",
    );
    let err = refused(&["okta-users", &okta]);
    assert!(
        err.contains("duplicate key accounts/okta/Ana.Silva@nwlabs.example: also at")
            && err.contains("(as okta/ana.silva@nwlabs.example:"),
        "{err}"
    );
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"login\": \"ana.silva@nwlabs.example\"",
        "\"login\": \"  ana.silva@nwlabs.example \"",
    );
    let (out, _) = import(&["okta-users", &okta]);
    assert!(
        out.contains("\"username\": \"ana.silva@nwlabs.example\""),
        "{out}"
    );
    // Logins that are not email addresses are compared as written.
    let github = edited(
        &dir,
        "github-members.json",
        "\"login\": \"benokoye\"",
        "\"login\": \"AnaSilva\"",
    );
    import(&["github-members", &github]);
}

#[test]
fn a_dash_for_an_input_says_to_give_dev_stdin() {
    assert_eq!(
        refused(&["okta-users", "-"]),
        "error: -: imports are read from files, not from `-`: for a pipe, give /dev/stdin\n"
    );
    assert_eq!(
        refused(&["okta-users", &sample("okta-users.json"), "--factors", "-"]),
        "error: -: imports are read from files, not from `-`: for a pipe, give /dev/stdin\n"
    );
}

#[test]
fn an_empty_last_used_cell_is_refused_not_taken_for_never() {
    // An empty last-used cell was read as "never used": AWS writes `N/A` or
    // `no_information` there, Google `Never logged in`, Okta `"lastLogin": null`; an empty
    // cell (a missing member) is none of them, and "never" changes what
    // access.inactive-accounts says of the account.
    let dir = scratch("empty-last-used");
    let report = "aws-iam-credential-report.csv";
    let ben = "user/ben.okoye,2022-06-15T13:20:00+00:00,true,";
    for (prefix, from, column, at) in [
        (ben, "2026-06-26T09:41:17+00:00", "password_last_used", 83),
        (
            "2026-05-20T12:00:00+00:00,N/A,false,true,2026-01-10T09:00:00+00:00,",
            "2026-06-30T01:12:44+00:00",
            "access_key_1_last_used_date",
            176,
        ),
    ] {
        let path = edited(
            &dir,
            report,
            &format!("{prefix}{from},"),
            &format!("{prefix},"),
        );
        assert_eq!(
            refused(&["aws-iam-credential-report", &path]),
            format!(
                "error: {path}:4:{at}: `{column}` is empty: expected an ISO 8601 date-time such as 2026-06-28T14:03:11+00:00, or N/A, no_information or not_supported, which AWS writes where there is no date; an empty cell is not taken for \"never used\"\n"
            )
        );
    }
    let users = edited(
        &dir,
        "google-workspace-users.csv",
        "Active,2026/06/27 15:40:00,",
        "Active,,",
    );
    let err = refused(&["google-workspace-users", &users]);
    assert!(
        err.starts_with(&format!(
            "error: {users}:4:63: `Last Sign In [READ ONLY]` is empty: expected 2026/06/28 14:03:11, an ISO 8601 date-time or Never logged in, which the Admin console writes for a user who never signed in; an empty cell is not taken for \"never\""
        )),
        "{err}"
    );
    let okta = edited(
        &dir,
        "okta-users.json",
        "\"lastLogin\": \"2026-06-29T16:02:11.000Z\",\n    ",
        "",
    );
    assert_eq!(
        refused(&["okta-users", &okta]),
        format!(
            "error: {okta}:2:3: user ana.silva@nwlabs.example (/0) has no `lastLogin`: expected an ISO 8601 date-time such as 2026-06-28T14:03:11.000Z, or null, as Okta writes it for every user; a missing `lastLogin` is not taken for null\n"
        )
    );
    // A mapping onto accounts: an empty `last_login_on` is refused unless the mapping says
    // what a blank means; the text listed in `empty` is null (never used).
    let csv = write(
        &dir,
        "crm-users.csv",
        "User,Last Login\nana,2026-06-01\nben,Never\ncai,\n",
    );
    let mapping = |empty: &str| {
        write(
            &dir,
            "crm.toml",
            &format!(
                "collection = \"accounts\"\n[fields.system_id]\nvalue = \"crm\"\n[fields.username]\ncolumn = \"User\"\n[fields.kind]\nvalue = \"human\"\n[fields.status]\nvalue = \"active\"\n[fields.last_login_on]\ncolumn = \"Last Login\"\nempty = {empty}\n"
            ),
        )
    };
    let map = mapping("[\"Never\"]");
    assert_eq!(
        refused(&["csv", &csv, "--mapping", &map]),
        format!(
            "error: {csv}:4:5: `Last Login` is empty: an empty `last_login_on` would say the account was never used, and a blank cell is not taken for that unless the mapping says so: list what the export writes for it in `empty` (`empty = [\"Never\"]`), and `\"\"` if it leaves the cell blank\n"
        )
    );
    let map = mapping("[\"Never\", \"\"]");
    let (out, _) = import(&["csv", &csv, "--mapping", &map]);
    let all = accounts(&out);
    assert_eq!(account(&all, "ana")["last_login_on"], "2026-06-01");
    assert!(account(&all, "ben").get("last_login_on").is_none());
    assert!(account(&all, "cai").get("last_login_on").is_none());
}

// ---- mappings: rows never left out unseen ------------------------------------------------

/// A SaaS app's accounts, the mapping's `person_id` linked by email and `required`.
const SAAS_MAPPING: &str = r#"collection = "accounts"
[fields.system_id]
value = "salesforce"
[fields.username]
column = "Email"
required = true
[fields.person_id]
column = "Email"
link = "email"
required = true
[fields.kind]
value = "human"
[fields.status]
column = "Active"
values = { "TRUE" = "active", "FALSE" = "disabled" }
[fields.mfa]
column = "MFA"
[fields.privileged]
column = "Admin"
"#;

#[test]
fn an_account_of_nobody_is_kept_without_its_person() {
    let dir = scratch("saas-orphans");
    let people = people(&dir);
    let mapping = write(&dir, "saas.toml", SAAS_MAPPING);
    let csv = write(
        &dir,
        "saas.csv",
        "Email,Active,MFA,Admin\nana.silva@nwlabs.example,TRUE,yes,yes\nmallory@evil.example,TRUE,no,yes\n",
    );
    let (out, summary) = import(&["csv", &csv, "--mapping", &mapping, "--people", &people]);
    let all = accounts(&out);
    assert_eq!(all.len(), 2, "{out}");
    assert_eq!(
        account(&all, "ana.silva@nwlabs.example")["person_id"],
        "1001"
    );
    let mallory = account(&all, "mallory@evil.example");
    assert!(mallory.get("person_id").is_none(), "{mallory}");
    assert_eq!(
        summary,
        format!(
            "imported 2 records of accounts from {csv}\n1 email linked to nobody:\n  {csv}:3: mallory@evil.example (kept without `person_id`)\n"
        )
    );
    // Every account of nobody: all kept, none left out.
    let csv = write(
        &dir,
        "saas2.csv",
        "Email,Active,MFA,Admin\nmallory@evil.example,TRUE,no,yes\neve@evil.example,TRUE,no,yes\n",
    );
    let (out, _) = import(&["csv", &csv, "--mapping", &mapping, "--people", &people]);
    assert_eq!(accounts(&out).len(), 2, "{out}");
    // Leaving such rows out is refused in the mapping itself.
    let skip = write(
        &dir,
        "skip.toml",
        &SAAS_MAPPING.replace(
            "link = \"email\"\n",
            "link = \"email\"\nunlinked = \"skip-row\"\n",
        ),
    );
    let err = refused(&["csv", &csv, "--mapping", &skip, "--people", &people]);
    assert!(
        err.starts_with(&format!(
            "error: {skip}:10:12: field `person_id`: `unlinked = \"skip-row\"` would leave out the accounts whose email is nobody's"
        )),
        "{err}"
    );
}

#[test]
fn a_training_row_of_nobody_is_refused_unless_the_mapping_leaves_it_out() {
    let dir = scratch("lms-unlinked");
    let people = people(&dir);
    let strict = write(
        &dir,
        "strict.toml",
        &fs::read_to_string(repo().join(sample("mappings/lms-training.toml")))
            .unwrap()
            .replace("unlinked = \"skip-row\"\n", ""),
    );
    let lms = sample("lms-training.csv");
    let err = refused(&["csv", &lms, "--mapping", &strict, "--people", &people]);
    assert_eq!(
        err,
        format!(
            "error: {lms}:11:13: `ivan.petrov@contractors.example` in `Learner Email` is the email of nobody in --people, and a record without `person_id` is refused: add the person to the people, or, when such rows are no records, set `unlinked = \"skip-row\"` on the field to leave them out (each is listed)\n"
        )
    );
    // With `skip-row`, a file whose every row is left out is refused all the same.
    let ivan = write(
        &dir,
        "ivan.csv",
        "Learner Name,Learner Email,Course,Status,Assigned On,Completed On,Expires On,Score\nIvan Petrov,ivan.petrov@contractors.example,Privacy Basics,Completed,2026-01-05,2026-01-07,,90\nIvan Petrov,ivan.petrov@contractors.example,Privacy Basics,Not Started,2026-01-05,,,\n",
    );
    let err = refused(&[
        "csv",
        &ivan,
        "--mapping",
        &sample("mappings/lms-training.toml"),
        "--people",
        &people,
    ]);
    assert_eq!(
        err,
        format!(
            "error: {ivan}: every row is left out (1 by the mapping's `keep` or `skip`, 1 whose email is nobody's in --people (`unlinked = \"skip-row\"`)): expected at least one record; an export with none is refused, as it would leave the rules on these records nothing to check\n"
        )
    );
}

#[test]
fn keep_leaves_out_every_status_it_does_not_list() {
    let dir = scratch("keep");
    let people = people(&dir);
    let run = |csv: &str| {
        import(&[
            "csv",
            csv,
            "--mapping",
            &sample("mappings/lms-training.toml"),
            "--people",
            &people,
        ])
    };
    let (before, _) = run(&sample("lms-training.csv"));
    // Dev Patel's course failed: no record of it (the status is compared in any case).
    let failed = edited(
        &dir,
        "lms-training.csv",
        "2026,Completed,2026-01-05T09:00:00Z,2026-01-08",
        "2026,Failed,2026-01-05T09:00:00Z,2026-01-08",
    );
    let (out, summary) = run(&failed);
    assert!(before.contains("\"person_id\": \"1004\""), "{before}");
    assert!(!out.contains("\"person_id\": \"1004\""), "{out}");
    assert!(
        summary.contains("(3 rows skipped by the mapping)"),
        "{summary}"
    );
    let passed = edited(
        &dir,
        "lms-training.csv",
        "2026,Completed,2026-01-05T09:00:00Z,2026-01-08",
        "2026, PASSED ,2026-01-05T09:00:00Z,2026-01-08",
    );
    assert_eq!(run(&passed).0, before);
    // Every row left out by `keep`: refused.
    let none = write(
        &dir,
        "none.csv",
        "Learner Name,Learner Email,Course,Status,Assigned On,Completed On,Expires On,Score\nAna Silva,ana.silva@nwlabs.example,Privacy Basics,Failed,2026-01-05,2026-01-07,,12\n",
    );
    let err = refused(&[
        "csv",
        &none,
        "--mapping",
        &sample("mappings/lms-training.toml"),
        "--people",
        &people,
    ]);
    assert!(
        err.starts_with(&format!(
            "error: {none}: every row is left out (1 by the mapping's `keep` or `skip`): expected at least one record"
        )),
        "{err}"
    );
}

#[test]
fn a_list_cell_of_separators_alone_is_empty() {
    let dir = scratch("list-separators");
    let people = people(&dir);
    let vendors = |csv: &str, mapping: &str| -> Value {
        let (out, _) = import(&["csv", csv, "--mapping", mapping, "--people", &people]);
        serde_json::from_str(&out).unwrap()
    };
    let register = sample("mappings/vendor-register.toml");
    for cell in [";", " ; ;", ""] {
        let csv = edited(
            &dir,
            "vendor-register.csv",
            ",Customer data; Production; PII,",
            &format!(",{cell},"),
        );
        let doc = vendors(&csv, &register);
        assert!(
            doc["vendors"][0].get("data_access").is_none(),
            "{cell:?}: {doc}"
        );
    }
    // An explicit "none" is the mapping's to say: its word, empty, with `default = []`.
    let none = edited(
        &dir,
        "vendor-register.csv",
        ",Customer data; Production; PII,",
        ",None,",
    );
    let text = fs::read_to_string(repo().join(&register)).unwrap();
    let explicit = write(
        &dir,
        "explicit.toml",
        &text.replace(
            "[fields.owner_id]",
            "empty = [\"None\"]\ndefault = []\n\n[fields.owner_id]",
        ),
    );
    assert_eq!(
        vendors(&none, &explicit)["vendors"][0]["data_access"],
        serde_json::json!([])
    );
}

#[test]
fn a_required_template_with_an_empty_column_is_refused_at_it() {
    let dir = scratch("template-empty");
    let mapping = |required: &str| {
        write(
            &dir,
            &format!("tpl{}.toml", required.len()),
            &format!(
                "collection = \"people\"\n[fields.id]\ntemplate = \"{{Dept}}-{{Num}}\"\n{required}\n[fields.name]\ncolumn = \"First\"\n[fields.title]\ntemplate = \"{{Last}} ({{Rank}})\"\n[fields.kind]\nvalue = \"employee\"\n[fields.\"employment.status\"]\nvalue = \"active\"\n"
            ),
        )
    };
    let required = mapping("required = true");
    let partial = write(
        &dir,
        "partial.csv",
        "Dept,Num,First,Last,Rank\nENG,7,Al,B,1\nENG,,Bo,C,2\n",
    );
    let err = refused(&["csv", &partial, "--mapping", &required]);
    assert_eq!(
        err,
        format!(
            "error: {partial}:3:5: `Num` is empty, and `id` (`{{Dept}}-{{Num}}`) is required: each of its columns must be filled\n"
        )
    );
    let blank = write(&dir, "blank.csv", "Dept,Num,First,Last,Rank\n,,Al,,\n");
    let err = refused(&["csv", &blank, "--mapping", &required]);
    assert_eq!(
        err,
        format!("error: {blank}:2:1: `Dept` is empty, and `id` is required\n")
    );
    // Not required: every column empty leaves the field out, not its literal text.
    let optional = mapping("");
    let both = write(&dir, "both.csv", "Dept,Num,First,Last,Rank\nENG,7,Al,,\n");
    let (out, _) = import(&["csv", &both, "--mapping", &optional]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(doc["people"][0].get("title").is_none(), "{out}");
    assert_eq!(doc["people"][0]["id"], "ENG-7");
}

#[test]
fn values_skip_and_empty_compare_in_any_case_beyond_ascii() {
    let dir = scratch("unicode-case");
    let mapping = write(
        &dir,
        "fr.toml",
        "collection = \"people\"\n[[skip]]\ncolumn = \"Statut\"\nvalues = [\"Décédé\"]\n[fields.id]\ncolumn = \"Matricule\"\n[fields.name]\ncolumn = \"Nom\"\n[fields.department]\ncolumn = \"Service\"\nempty = [\"Néant\"]\n[fields.kind]\ncolumn = \"Type\"\nvalues = { \"Salarié\" = \"employee\", \"Prestataire\" = \"contractor\" }\n[fields.\"employment.status\"]\nvalue = \"active\"\n",
    );
    let csv = write(
        &dir,
        "fr.csv",
        "Matricule,Nom,Service,Type,Statut\n1,Zoé,Ventes,SALARIÉ,Actif\n2,Émile,NÉANT,salarié,Actif\n3,Léa,Achats,Prestataire,DÉCÉDÉ\n",
    );
    let (out, summary) = import(&["csv", &csv, "--mapping", &mapping]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let people = doc["people"].as_array().unwrap();
    assert_eq!(people.len(), 2, "{out}");
    assert_eq!(people[0]["kind"], "employee");
    assert_eq!(people[0]["department"], "Ventes");
    assert!(people[1].get("department").is_none(), "{out}");
    assert!(
        summary.contains("(1 row skipped by the mapping)"),
        "{summary}"
    );
}

#[test]
fn json_given_to_csv_is_named() {
    let mapping = sample("mappings/bamboohr-people.toml");
    let err = refused(&["csv", &sample("okta-users.json"), "--mapping", &mapping]);
    assert_eq!(
        err,
        "error: examples/imports/okta-users.json: this is an Okta users export (/api/v1/users), not a CSV export for the mapping; import it with `attest import okta-users`\n"
    );
    let dir = scratch("json-to-csv");
    let people = people(&dir);
    let err = refused(&["csv", &people, "--mapping", &mapping]);
    assert!(
        err.contains(
            ": this is a facts document, not a CSV export for the mapping; it needs no import"
        ),
        "{err}"
    );
    let rows = write(&dir, "rows.json", "[{\"Employee #\": \"1001\"}]\n");
    let err = refused(&["csv", &rows, "--mapping", &mapping]);
    assert!(err.contains(": this is JSON, not CSV: "), "{err}");
}

#[test]
fn a_quote_not_doubled_inside_a_quoted_cell_is_placed() {
    let dir = scratch("stray-quote");
    let hr = edited(
        &dir,
        "bamboohr-employees.csv",
        "\"Software Engineer, Platform\"",
        "\"Software \"Engineer\", Platform\"",
    );
    let err = refused_people(&hr);
    assert!(
        err.starts_with(&format!(
            "error: {hr}:3:51: text follows the quote that closes this quoted cell: a quote inside a quoted cell is written twice"
        )),
        "{err}"
    );
}

#[test]
fn an_empty_cell_of_a_field_every_record_has_is_placed_at_the_cell() {
    let dir = scratch("schema-required-empty");
    let mapping = write(
        &dir,
        "accounts.toml",
        "collection = \"accounts\"\n\
         [fields.system_id]\nvalue = \"saas\"\n\
         [fields.username]\ncolumn = \"user\"\n\
         [fields.kind]\nvalue = \"human\"\n\
         [fields.status]\ncolumn = \"state\"\nvalues = { \"on\" = \"active\", \"off\" = \"disabled\" }\n\
         [fields.mfa]\ncolumn = \"mfa\"\n",
    );
    let csv = write(&dir, "saas.csv", "user,state,mfa\nana,on,yes\nben, ,no\n");
    assert_eq!(
        refused(&["csv", &csv, "--mapping", &mapping]),
        format!(
            "error: {csv}:3:5: `state` is empty, and every record of the collection has `status`: fill the cell, or give the field a `default`\n"
        )
    );
    // A field the schema does not require is left out: an empty `mfa` is no `mfa`.
    let csv = write(&dir, "saas.csv", "user,state,mfa\nana,on,\n");
    let (out, _) = import(&["csv", &csv, "--mapping", &mapping]);
    assert!(
        !account(&accounts(&out), "ana")
            .as_object()
            .unwrap()
            .contains_key("mfa")
    );
}

#[test]
fn people_of_the_wrong_shape_are_placed_and_shown() {
    let dir = scratch("people-shape");
    let okta = sample("okta-users.json");
    let cases = [
        (
            "{\"people\": {\"a\": 1}}",
            "1:12: `people` (/people) is an object: expected an array of people",
        ),
        (
            "{\"people\": [\n  {\"id\": 1001, \"email\": \"a@x.example\"}]}",
            "2:10: person 0 (/people/0/id) has the `id` 1001, a number: expected a person with its `id`, a string, by which accounts are linked",
        ),
        (
            "{\"people\": [{\"id\": \"1\"}, null]}",
            "1:26: person 1 (/people/1) is null: expected a person with its `id`, a string, by which accounts are linked",
        ),
    ];
    for (text, expected) in cases {
        let people = write(&dir, "people.json", text);
        let err = refused(&["okta-users", &okta, "--people", &people]);
        assert_eq!(err, format!("error: {people}:{expected}\n"), "{text}");
    }
}
