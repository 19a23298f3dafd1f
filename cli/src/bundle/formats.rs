//! `report/...`: the report in every format a bundle holds (JSON, HTML and OSCAL). Every
//! bundle holds all of them, each rendered from the report and what the facts and the pack
//! give the renderers, so `bundle verify` renders them again from the report it evaluates
//! and compares them byte for byte.

use super::Files;
use attest_engine::Report;
use attest_render::{self as render, Context};

/// The folder of the report's formats.
pub const FOLDER: &str = "report";

/// The report as JSON, the one the manifest's `report_digest` names.
pub const JSON: &str = "report/report.json";

/// Every format a bundle holds, as (path in the bundle, the format's name), in the order
/// [`render()`] gives them.
pub const FORMATS: [(&str, &str); 3] = [
    (JSON, "JSON"),
    ("report/report.html", "HTML"),
    ("report/report.oscal.json", "OSCAL"),
];

/// The report in every format of [`FORMATS`], as (path in the bundle, content).
pub fn render(report: &Report, context: &Context) -> Vec<(String, String)> {
    [
        report.to_json(),
        render::html(report, context),
        render::oscal(report),
    ]
    .into_iter()
    .zip(FORMATS)
    .map(|(content, (path, _))| (path.to_owned(), content))
    .collect()
}

/// Checks that the bundle holds every format and nothing else under `report/`, and, given the
/// formats rendered again from the report evaluated again, that each is byte for byte the
/// same; each difference names the file.
pub fn check(files: &Files, rendered: Option<&[(String, String)]>, problems: &mut Vec<String>) {
    for (path, what) in FORMATS {
        let Some(bytes) = files.get(path) else {
            problems.push(format!(
                "{path}: the bundle lacks it; every bundle holds the {what} report the evaluation gives"
            ));
            continue;
        };
        let again = rendered.and_then(|r| r.iter().find(|(p, _)| p == path));
        if again.is_some_and(|(_, content)| content.as_bytes() != bytes) {
            problems.push(format!(
                "{path}: not the {what} report the evaluation gives (rendered again from the report evaluated again, its bytes differ)"
            ));
        }
    }
    let prefix = format!("{FOLDER}/");
    for path in files.0.keys().filter(|p| p.starts_with(&prefix)) {
        if !FORMATS.iter().any(|(p, _)| p == path) {
            let path = attest_render::escape::line(path);
            let held: Vec<&str> = FORMATS.iter().map(|(p, _)| *p).collect();
            problems.push(format!(
                "{path}: not a report a bundle holds ({})",
                held.join(", ")
            ));
        }
    }
}
