//! `attest eval --populations DIR`: every rule's population, as `DIR/<rule id>.csv` and
//! `DIR/<rule id>.json` (an evidence check `evidence/CC1.1` in `DIR/evidence/`), and an
//! index of them, `DIR/index.csv`. Each file is written atomically.

use crate::output::{Input, refuse_inputs};
use attest_engine::report::RecordOutcome;
use attest_engine::{Report, RuleResult};
use attest_render as render;
use std::fs;
use std::path::{Path, PathBuf};

/// Checks, before anything is evaluated, that `dir` can hold the populations: a folder, or
/// a path whose parent folder exists, that holds none of the run's inputs.
pub fn check(dir: &Path, inputs: &[Input<'_>]) -> Result<(), String> {
    let shown = dir.display();
    if dir.exists() {
        if !dir.is_dir() {
            return Err(format!("--populations {shown}: not a folder"));
        }
    } else {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(format!(
                "--populations {shown}: the folder {} does not exist",
                parent.display()
            ));
        }
    }
    // Population files are `*.csv` and `*.json`: neither may land where the run reads.
    for probe in ["index.csv", "index.json"] {
        if refuse_inputs(&dir.join(probe), inputs).is_err() {
            return Err(format!(
                "--populations {shown}: refusing to write there: the run reads files of that folder (facts or the pack)"
            ));
        }
    }
    Ok(())
}

/// The files of every rule's population, as (path, content): each rule's CSV and JSON, in
/// report order, then the index. The report must have been evaluated with populations.
pub fn files(dir: &Path, report: &Report) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut index = String::from("rule,status,tested,exceptions,csv,json\r\n");
    for rule in &report.rules {
        let (csv, json) = (named(&rule.id, "csv"), named(&rule.id, "json"));
        index.push_str(&index_row(rule, &csv, &json));
        out.push((dir.join(&csv), render::population_csv(rule)));
        out.push((dir.join(&json), render::population_json(report, rule)));
    }
    out.push((dir.join("index.csv"), index));
    out
}

/// The file of a rule id with an extension added (`access.mfa.csv`, `evidence/CC1.1.csv`).
fn named(id: &str, extension: &str) -> PathBuf {
    format!("{id}.{extension}").split('/').collect()
}

/// One line of the index (rule ids and paths hold no comma, quote or line break).
fn index_row(rule: &RuleResult, csv: &Path, json: &Path) -> String {
    let exceptions = rule
        .population
        .records
        .iter()
        .flatten()
        .filter(|r| r.outcome == RecordOutcome::Exception)
        .count();
    let slash = |p: &Path| {
        p.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    format!(
        "{},{},{},{exceptions},{},{}\r\n",
        rule.id,
        rule.status.as_str(),
        rule.population.tested,
        slash(csv),
        slash(json)
    )
}

/// Creates the folders the files go in, so that they can be written with the run's other
/// outputs, all or nothing ([`crate::output::write_all`]); returns the folders it created,
/// outermost first, for [`remove_folders`] should the outputs not be written.
pub fn make_folders(files: &[(PathBuf, String)]) -> Result<Vec<PathBuf>, String> {
    let mut created = Vec::new();
    for (path, _) in files {
        let Some(folder) = path.parent() else {
            continue;
        };
        let missing: Vec<&Path> = folder.ancestors().take_while(|a| !a.exists()).collect();
        fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        created.extend(missing.into_iter().rev().map(Path::to_path_buf));
    }
    Ok(created)
}

/// Removes the folders [`make_folders`] created, innermost first, those that are empty.
pub fn remove_folders(created: &[PathBuf]) {
    for folder in created.iter().rev() {
        let _ = fs::remove_dir(folder);
    }
}
