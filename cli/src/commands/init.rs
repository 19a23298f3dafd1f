//! `attest init [DIR]`: a project to start from: a facts folder with one template per
//! collection (and a README saying what each holds and how to fill it), an `attest.toml`, an
//! empty waivers file and the GitHub Actions workflow of `docs/ci.md`, so that `attest eval`
//! runs at once. Nothing is overwritten: when one of the files exists, nothing is written.

use crate::Outcome;
use crate::inputs;
use crate::output::Target;
use jiff::civil::Date;
use serde_json::{Value, json};
use std::fs;
use std::path::PathBuf;

/// Arguments of `attest init`.
#[derive(clap::Args)]
pub struct Args {
    /// The folder to set up (created if needed; default: the working directory).
    dir: Option<PathBuf>,
}

/// `docs/ci.md`, whose GitHub Actions workflow `init` writes.
const CI_DOC: &str = include_str!("../../../docs/ci.md");

/// Writes the project; exit 2 (nothing written) when a file it would write exists.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let files = project(today)?;
    let existing: Vec<String> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.exists())
        .map(|p| inputs::display(&p))
        .collect();
    if !existing.is_empty() {
        return Err(format!(
            "refusing to overwrite {}: attest init only creates files (nothing was written)",
            existing.join(", ")
        ));
    }
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", inputs::display(parent)))?;
        }
        Target::File(&path)
            .write(text)
            .map_err(|e| format!("{}: {e}", inputs::display(&path)))?;
    }
    let shown = inputs::display(&dir);
    println!("created in {shown}:");
    for (rel, _) in &files {
        println!("  {rel}");
    }
    println!(
        "next: replace the example records of facts/ with your own (see facts/README.md, and `attest import` for the exports you have), then run `attest eval` in {shown}"
    );
    Ok(Outcome::Clean)
}

/// Every file of the project, as (path relative to the folder, text).
pub fn project(today: Date) -> Result<Vec<(String, String)>, String> {
    let mut files = vec![
        ("attest.toml".to_owned(), CONFIG.to_owned()),
        ("compliance/waivers.json".to_owned(), WAIVERS.to_owned()),
        (
            ".github/workflows/attest.yml".to_owned(),
            workflow().ok_or("docs/ci.md has no GitHub Actions workflow")?,
        ),
        ("facts/README.md".to_owned(), FACTS_README.to_owned()),
    ];
    for (name, value) in templates(today) {
        let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
        files.push((format!("facts/{name}"), text + "\n"));
    }
    Ok(files)
}

/// The first YAML block after `## GitHub Actions` in `docs/ci.md`.
fn workflow() -> Option<String> {
    let section = CI_DOC.split("\n## GitHub Actions\n").nth(1)?;
    let block = section.split("```yaml\n").nth(1)?;
    let body = block.split("\n```").next()?;
    Some(format!(
        "# From Attest's docs/ci.md (GitHub Actions): set ATTEST_GIT and ATTEST_REV below.\n{body}\n"
    ))
}

const CONFIG: &str = r#"# Attest settings: `attest eval` here, with no flags, evaluates facts/ against the built-in
# SOC 2 pack. Flags override everything here; paths are relative to this file.

pack = "soc2"          # or the folder of your own pack (see docs/writing-rules.md)
facts = ["facts"]      # facts files or folders
# as_of = 2026-06-30   # the date rules treat as today (default: organization.as_of)
strict = true          # fields facts-v1 does not define are errors, not warnings

[params]               # pack parameters, for instance:
# inactive_account_days = 60

[eval]
format = "text"
explain = false
"#;

const WAIVERS: &str = r#"{
  "schema_version": "1",
  "waivers": []
}
"#;

const FACTS_README: &str = r#"# Facts

What Attest evaluates: facts about the organization, one file per area, merged in file-name
order (arrays concatenate). The format is facts-v1 (Attest's `docs/facts.md`); JSON has no
comments, so this file says what each one holds.

**Every file holds example records.** They show each field and evaluate cleanly, but they
describe no one: replace them with your own, or empty the list (`"people": []`) until you
have them. An example left in place is evaluated like real facts.

| file | holds | fill it from |
|---|---|---|
| `org.json` | `schema_version`, `organization`: your name, `as_of` (the date the facts describe) and `scope` (the Trust Services Categories of the audit) | by hand |
| `people.json` | the workforce: `id`, `name`, `email`, `kind` (employee, contractor), `employment` (status active, on_leave or terminated, start and end dates), `background_check`, `policy_acknowledgements` | your HRIS: `attest import csv EXPORT.csv --mapping MAP.toml` |
| `systems.json` | in-scope systems: `id`, `criticality`, `customer_data`, `owner_id`, `sso`, `encryption_at_rest` | by hand |
| `accounts.json` | one row per account per system: `system_id`, `username`, `person_id` (or `owner_id` for service and shared accounts), `kind`, `privileged`, `mfa`, `status`, `created_on`, `last_login_on`, `approved_by` | `attest import aws-iam-credential-report`, `okta-users`, `github-members`, `google-workspace-users` (one file each, e.g. `accounts-aws.json`) |
| `access_reviews.json` | user-access reviews: `system_id`, `completed_on`, `reviewer_id`, `scope` (all, privileged), `revocations` | by hand, or a CSV through a mapping |
| `training.json` | training records: `person_id`, `course` (security_awareness...), `completed_on`, `expires_on` | your LMS: `attest import csv` with a mapping |
| `vendors.json` | third parties: `risk_tier`, `data_access`, `assurance` (SOC 2 report), `contract` (clauses, dates), `last_risk_review_on` | your vendor register: `attest import csv` with a mapping |
| `policies.json` | the policy set: `id`, `title`, `owner_id`, `approved_on`, `review_interval_days`, `requires_acknowledgement` | by hand, or a CSV through a mapping |
| `incidents.json` | security incidents: `severity`, `detected_on`, `resolved_on`, `postmortem_on`, `customers_affected`, `customers_notified_on` | your incident tracker |
| `changes.json` | production changes: `system_id`, `deployed_on`, `author_id`, `approved_by`, `tested`, `emergency` | your change or pull-request history |
| `backups.json` | backup jobs: `system_id`, `frequency_hours`, `last_success_on`, `last_restore_test_on` | by hand |
| `risk_assessments.json` | risk assessments: `completed_on`, `owner_id`, `scope` | by hand |
| `evidence.json` | evidence collected by hand for criteria no rule checks: `control_id`, `title`, `uri`, `collected_on`, `expires_on` | by hand |

Check the facts with `attest validate facts/`; see why every rule decided with
`attest eval --explain`. A collection left out (a file removed) makes the rules that read it
`not_applicable`, and their criteria are then judged by `evidence.json`.
"#;

/// One template per collection, dated around `today` so that they evaluate as current.
fn templates(today: Date) -> Vec<(&'static str, Value)> {
    let ago = |days: i64| -> String {
        today
            .checked_sub(jiff::Span::new().days(days))
            .unwrap_or(today)
            .to_string()
    };
    let ahead = |days: i64| -> String {
        today
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(today)
            .to_string()
    };
    vec![
        (
            "org.json",
            json!({
                "schema_version": "1",
                "organization": {
                    "name": "Example Inc. (replace with your organization's name)",
                    "as_of": today.to_string(),
                    "scope": ["security", "availability", "confidentiality"]
                }
            }),
        ),
        (
            "people.json",
            json!({"people": [
                {
                    "id": "p-001",
                    "name": "Example Manager",
                    "email": "manager@example.com",
                    "title": "Head of Engineering",
                    "department": "Engineering",
                    "kind": "employee",
                    "employment": {"status": "active", "start_date": ago(800)},
                    "background_check": {"status": "passed", "completed_on": ago(810)},
                    "policy_acknowledgements": [{"policy_id": "pol-infosec", "acknowledged_on": ago(80)}]
                },
                {
                    "id": "p-002",
                    "name": "Example Engineer",
                    "email": "engineer@example.com",
                    "title": "Software Engineer",
                    "department": "Engineering",
                    "kind": "employee",
                    "manager_id": "p-001",
                    "employment": {"status": "active", "start_date": ago(400)},
                    "background_check": {"status": "passed", "completed_on": ago(410)},
                    "policy_acknowledgements": [{"policy_id": "pol-infosec", "acknowledged_on": ago(80)}]
                },
                {
                    "id": "p-003",
                    "name": "Example Leaver",
                    "email": "leaver@example.com",
                    "department": "Sales",
                    "kind": "contractor",
                    "employment": {"status": "terminated", "start_date": ago(900), "end_date": ago(60)},
                    "background_check": {"status": "passed", "completed_on": ago(910)}
                }
            ]}),
        ),
        (
            "systems.json",
            json!({"systems": [
                {
                    "id": "example-app",
                    "name": "Example production application",
                    "criticality": "high",
                    "customer_data": true,
                    "owner_id": "p-001",
                    "sso": true,
                    "encryption_at_rest": true
                },
                {
                    "id": "example-db",
                    "name": "Example production database (direct logins, no SSO)",
                    "criticality": "critical",
                    "customer_data": true,
                    "owner_id": "p-001",
                    "sso": false,
                    "encryption_at_rest": true
                }
            ]}),
        ),
        (
            "accounts.json",
            json!({"accounts": [
                {
                    "system_id": "example-app",
                    "username": "engineer@example.com",
                    "person_id": "p-002",
                    "kind": "human",
                    "role": "admin",
                    "privileged": true,
                    "mfa": true,
                    "status": "active",
                    "created_on": ago(120),
                    "last_login_on": ago(1),
                    "approved_by": "p-001"
                },
                {
                    "system_id": "example-app",
                    "username": "leaver@example.com",
                    "person_id": "p-003",
                    "kind": "human",
                    "privileged": false,
                    "mfa": true,
                    "status": "disabled",
                    "created_on": ago(890),
                    "last_login_on": ago(61)
                },
                {
                    "system_id": "example-db",
                    "username": "engineer",
                    "person_id": "p-002",
                    "kind": "human",
                    "privileged": false,
                    "mfa": true,
                    "status": "active",
                    "created_on": ago(120),
                    "last_login_on": ago(3),
                    "approved_by": "p-001"
                },
                {
                    "system_id": "example-app",
                    "username": "deploy-bot",
                    "kind": "service",
                    "privileged": false,
                    "mfa": false,
                    "status": "active",
                    "created_on": ago(300),
                    "last_login_on": ago(1),
                    "owner_id": "p-001"
                }
            ]}),
        ),
        (
            "access_reviews.json",
            json!({"access_reviews": [
                {
                    "system_id": "example-app",
                    "completed_on": ago(30),
                    "reviewer_id": "p-001",
                    "scope": "all",
                    "revocations": 1
                },
                {
                    "system_id": "example-db",
                    "completed_on": ago(20),
                    "reviewer_id": "p-001",
                    "scope": "all",
                    "revocations": 0
                }
            ]}),
        ),
        (
            "training.json",
            json!({"training": [
                {"person_id": "p-001", "course": "security_awareness", "completed_on": ago(60)},
                {"person_id": "p-002", "course": "security_awareness", "completed_on": ago(60), "expires_on": ahead(300)}
            ]}),
        ),
        (
            "vendors.json",
            json!({"vendors": [{
                "id": "v-example",
                "name": "Example Cloud Provider",
                "service": "Hosting",
                "risk_tier": "critical",
                "data_access": ["customer_data", "production"],
                "owner_id": "p-001",
                "assurance": {
                    "soc2_type": "type2",
                    "report_period_end": ago(60),
                    "reviewed_on": ago(20),
                    "exceptions_noted": 1
                },
                "contract": {
                    "signed_on": ago(700),
                    "expires_on": ahead(400),
                    "security_requirements": true,
                    "data_protection_addendum": true,
                    "breach_notification_hours": 72,
                    "sla_uptime_percent": 99.9,
                    "right_to_audit": true
                },
                "last_risk_review_on": ago(90),
                "incident_contact": "security@vendor.example"
            }]}),
        ),
        (
            "policies.json",
            json!({"policies": [{
                "id": "pol-infosec",
                "title": "Information Security Policy",
                "owner_id": "p-001",
                "approved_on": ago(90),
                "review_interval_days": 365,
                "requires_acknowledgement": true
            }]}),
        ),
        (
            "incidents.json",
            json!({"incidents": [{
                "id": "INC-0001",
                "title": "Misconfigured storage bucket found and closed",
                "severity": "sev2",
                "detected_on": ago(45),
                "resolved_on": ago(44),
                "postmortem_on": ago(40),
                "customers_affected": true,
                "customers_notified_on": ago(44)
            }]}),
        ),
        (
            "changes.json",
            json!({"changes": [{
                "id": "CHG-0001",
                "summary": "Example production change (a reviewed pull request)",
                "system_id": "example-app",
                "deployed_on": ago(7),
                "author_id": "p-002",
                "approved_by": "p-001",
                "tested": true,
                "emergency": false
            }]}),
        ),
        (
            "backups.json",
            json!({"backups": [{
                "system_id": "example-app",
                "frequency_hours": 24,
                "last_success_on": ago(1),
                "last_restore_test_on": ago(100)
            }]}),
        ),
        (
            "risk_assessments.json",
            json!({"risk_assessments": [{
                "completed_on": ago(120),
                "owner_id": "p-001",
                "scope": "company-wide"
            }]}),
        ),
        (
            "evidence.json",
            json!({"evidence": [{
                "control_id": "CC1.2",
                "title": "Board meeting minutes reviewing the security program",
                "uri": "https://docs.example.com/board/minutes",
                "collected_on": ago(30),
                "collected_by": "p-001"
            }]}),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_is_the_one_of_docs_ci() {
        let workflow = workflow().unwrap();
        assert!(workflow.contains("name: SOC 2 controls\n"), "{workflow}");
        assert!(workflow.contains("attest eval facts --waivers compliance/waivers.json"));
        assert!(
            workflow
                .trim_end()
                .ends_with("run: exit ${{ steps.attest.outputs.code }}")
        );
    }

    #[test]
    fn templates_cover_every_collection_of_facts_v1() {
        let today = Date::new(2026, 6, 30).unwrap();
        let files = project(today).unwrap();
        let mut keys: Vec<String> = Vec::new();
        for (name, text) in &files {
            if name.starts_with("facts/") && name.ends_with(".json") {
                let value: Value = serde_json::from_str(text).unwrap();
                keys.extend(value.as_object().unwrap().keys().cloned());
            }
        }
        keys.sort();
        let mut expected: Vec<String> = attest_engine::pack::FACTS_KEYS
            .iter()
            .map(|k| (*k).to_owned())
            .chain(["schema_version".to_owned()])
            .collect();
        expected.sort();
        assert_eq!(keys, expected);
        // Every file has a row in the README.
        let readme = &files
            .iter()
            .find(|(n, _)| n == "facts/README.md")
            .unwrap()
            .1;
        for (name, _) in files
            .iter()
            .filter(|(n, _)| n.ends_with(".json") && n.starts_with("facts/"))
        {
            let file = name.trim_start_matches("facts/");
            assert!(readme.contains(&format!("| `{file}` |")), "{file}");
        }
    }
}
