//! `attest init [DIR]`: a project to start from: a facts folder with one template per
//! collection (and a README saying what each holds and how to fill it), an `attest.toml`, an
//! empty waivers file and the GitHub Actions workflow of `docs/ci.md`, so that `attest eval`
//! runs at once. Nothing is overwritten: when one of the files exists, nothing is written;
//! and a project that cannot be written in full is not written at all.

pub mod examples;
mod readme;
mod templates;

use crate::Outcome;
use crate::inputs;
use crate::output::Target;
use jiff::civil::Date;
use readme::FACTS_README;
use std::fs;
use std::path::{Path, PathBuf};
use templates::templates;

/// Arguments of `attest init`.
#[derive(clap::Args)]
pub struct Args {
    /// The folder to set up (created if needed; default: the working directory).
    dir: Option<PathBuf>,
}

/// `docs/ci.md`, whose GitHub Actions workflow `init` writes.
const CI_DOC: &str = include_str!("../../../../docs/ci.md");

/// Writes the project; exit 2 (nothing written) when a file it would write exists, or when
/// one cannot be written.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let files = project(today)?;
    refuse_file(&dir)?;
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
    write_project(&dir, &files)?;
    let shown = inputs::display(&dir);
    crate::output::say(&format!("created in {shown}:"))?;
    for (rel, _) in &files {
        crate::output::say(&format!("  {rel}"))?;
    }
    crate::output::say(&format!(
        "next: replace the example records of facts/ with your own (see facts/README.md, and `attest import` for the exports you have), then run `attest eval` in {shown}"
    ))?;
    Ok(Outcome::Clean)
}

/// Refuses a `dir` that is a file, or inside one (`a/b` where `a` is a file): the folder
/// cannot be made there, and the OS's word for it (`File exists`) names neither the path
/// nor what to do.
fn refuse_file(dir: &Path) -> Result<(), String> {
    let Some(existing) = dir.ancestors().find(|a| a.exists()) else {
        return Ok(());
    };
    if existing.is_dir() {
        return Ok(());
    }
    let shown = inputs::display(existing);
    if existing == dir {
        return Err(format!(
            "{shown}: a file, not a folder: give the folder to set up (it is created if needed)"
        ));
    }
    Err(format!(
        "{}: {shown} is a file, not a folder: give a folder to set up (it is created if needed)",
        inputs::display(dir)
    ))
}

/// Writes `files` under `dir`, all or nothing: the folders they need first, then every file
/// staged beside its place and put in place together. On failure, no file is written and the
/// folders this created are removed again (a project half written would make the next
/// `attest init` refuse to overwrite it).
fn write_project(dir: &Path, files: &[(String, String)]) -> Result<(), String> {
    let paths: Vec<PathBuf> = files.iter().map(|(rel, _)| dir.join(rel)).collect();
    let mut created: Vec<PathBuf> = Vec::new();
    let folders = paths.iter().filter_map(|p| p.parent());
    let made = folders.into_iter().try_for_each(|folder| {
        // The folders to create, outermost first, to remove innermost first.
        let missing: Vec<&Path> = folder.ancestors().take_while(|a| !a.exists()).collect();
        fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", inputs::display(folder)))?;
        created.extend(missing.into_iter().rev().map(Path::to_path_buf));
        Ok(())
    });
    let written = made.and_then(|()| {
        let outputs: Vec<(Target<'_>, &str)> = paths
            .iter()
            .zip(files)
            .map(|(path, (_, text))| (Target::File(path), text.as_str()))
            .collect();
        crate::output::write_all(&outputs)
    });
    if written.is_err() {
        for folder in created.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
    written
}

/// Every file of the project, as (path relative to the folder, text).
pub fn project(today: Date) -> Result<Vec<(String, String)>, String> {
    let mut files = vec![
        ("attest.toml".to_owned(), config(today)),
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

/// The first YAML block after `## GitHub Actions` in `docs/ci.md`: the workflow that runs
/// Attest's GitHub Action.
fn workflow() -> Option<String> {
    let section = CI_DOC.split("\n## GitHub Actions\n").nth(1)?;
    let section = section.split("\n## ").next()?;
    let block = section.split("\n```yaml\n").nth(1)?;
    let body = block.split("\n```\n").next()?;
    Some(format!(
        "# From Attest's docs/ci.md (GitHub Actions). Replace YOUR-ORG/attest@v0.1.0 with the\n\
         # repository of your copy of Attest, at the tag you trust.\n{body}\n"
    ))
}

/// `attest.toml`, with the day init wrote the example records.
fn config(today: Date) -> String {
    CONFIG.replacen("EXAMPLES", &today.to_string(), 1)
}

const CONFIG: &str = r#"# Attest settings: `attest eval` here, with no flags, evaluates facts/ against the built-in
# SOC 2 pack. Flags override everything here; paths are relative to this file.

pack = "soc2"          # or the folder of your own pack (see Attest's docs/writing-rules.md)
facts = ["facts"]      # facts files or folders
# as_of = 2026-06-30   # the date rules treat as today (default: organization.as_of, else the period's end)
# period = "2026-01-01..2026-06-30"  # the audit period rules judge, Type 2 (default: organization.audit_period)
strict = true          # fields facts-v1 does not define are errors, not warnings
examples = EXAMPLES   # the day `attest init` wrote the example records of facts/: each file still
                       # holding some is a warning, and fails eval's gate (they are not evidence)

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn the_workflow_is_the_one_of_docs_ci() {
        let workflow = workflow().unwrap();
        // The whole workflow of docs/ci.md's GitHub Actions section, from its name to its
        // last step, and not another of the page's YAML blocks.
        assert!(
            workflow.contains("\nname: SOC 2 controls\non:\n"),
            "{workflow}"
        );
        assert!(
            workflow.trim_end().ends_with("if-no-files-found: ignore"),
            "{workflow}"
        );
        assert!(!workflow.contains("```"), "{workflow}");
        assert!(!workflow.contains("ATTEST_GIT"), "{workflow}");
        // It runs Attest's GitHub Action, whose reference the header names, on the facts
        // folder (the action's default) with the waivers file init writes.
        assert!(
            workflow.contains("uses: YOUR-ORG/attest@v0.1.0\n"),
            "{workflow}"
        );
        assert!(
            workflow.contains("          waivers: compliance/waivers.json\n"),
            "{workflow}"
        );
        assert!(!workflow.contains("facts:"), "{workflow}");
        assert!(CI_DOC.contains("| `facts` | `facts` |"));
    }

    #[test]
    fn the_config_and_its_commented_examples_are_settings_attest_reads() {
        let dir = std::env::temp_dir().join(format!("attest-init-config-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("attest.toml");
        let day = Date::constant(2026, 12, 7);
        fs::write(&path, config(day)).unwrap();
        let plain = crate::config::Config::read(&path, inputs::SizeLimit::default()).unwrap();
        assert!(plain.period.is_none() && plain.as_of.is_none());
        assert!(plain.strict);
        assert_eq!(plain.examples.unwrap().to_string(), "2026-12-07");
        // Uncommenting the examples of `as_of` and `period` gives settings attest accepts.
        let uncommented = config(day)
            .replace("# as_of = ", "as_of = ")
            .replace("# period = ", "period = ");
        fs::write(&path, uncommented).unwrap();
        let read = crate::config::Config::read(&path, inputs::SizeLimit::default());
        fs::remove_dir_all(&dir).unwrap();
        let config = read.unwrap();
        assert_eq!(config.period.unwrap().to_string(), "2026-01-01..2026-06-30");
        assert_eq!(config.as_of.unwrap().to_string(), "2026-06-30");
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
        let org: Value =
            serde_json::from_str(&files.iter().find(|(n, _)| n == "facts/org.json").unwrap().1)
                .unwrap();
        assert_eq!(
            org["organization"]["audit_period"],
            serde_json::json!({"start": "2026-01-01", "end": "2026-06-30"})
        );
        assert_eq!(org["organization"]["as_of"], "2026-06-30");
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
