//! The SARIF 2.1.0 format, for GitHub code scanning and other SARIF viewers.
//!
//! One run; one rule descriptor per rule (evidence checks per control, `evidence/CC5.1`),
//! carrying its controls (as tags and as relationships to the `SOC 2` taxonomy), its help
//! text and a level from its severity; one result per finding. Each result points at the
//! facts file and line of the record it is about (or of `organization` when it is about no
//! record), with the record's JSON Pointer as a logical location, and carries a partial
//! fingerprint that does not change from run to run. Waived findings are results with an
//! accepted external suppression; rules that could not answer are tool notifications (level
//! `error`), and the warnings about the run's inputs too (level `warning`, at their file,
//! line and column, with the warning's own members as properties; columns count Unicode
//! code points, as the run's `columnKind` says). A rule's help in Markdown shows its
//! remediation as written, escaped.
//!
//! Code scanning refuses a run of more than 25,000 results and shows 5,000, so results come
//! most severe first and a run holds at most [`SarifOptions::max_results`] of them (5,000 by
//! default); the run's properties count what was left out. Paths stay relative references
//! when the facts were given relative (to the repository root, as code scanning wants them);
//! an absolute path becomes a `file:` URI.

use super::escape::markdown;
use super::object;
use super::{Context, error_place};
use attest_engine::digest;
use attest_engine::pack::Severity;
use attest_engine::report::views::{RuleView, rule_views};
use attest_engine::report::{Finding, FindingStatus, Report, RuleResult, Warning};
use serde_json::Value;

/// The SARIF schema this output follows.
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The taxonomy controls belong to.
const TAXONOMY: &str = "SOC 2";
/// The partial fingerprint's name (versioned, so a new scheme never collides).
const FINGERPRINT: &str = "attestFinding/v2";
/// Where people learn about the tool.
const INFORMATION_URI: &str = "https://attest.dev/";

/// How many results a run shows by default: what code scanning displays of one run.
pub const SARIF_DEFAULT_MAX_RESULTS: usize = 5_000;
/// The most results a run may hold: code scanning refuses a run with more.
pub const SARIF_MAX_RESULTS: usize = 25_000;

/// Options of the SARIF output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SarifOptions {
    /// The most results the run holds, the most severe kept (at most [`SARIF_MAX_RESULTS`]:
    /// a larger number counts as that).
    pub max_results: usize,
}

impl Default for SarifOptions {
    fn default() -> SarifOptions {
        SarifOptions {
            max_results: SARIF_DEFAULT_MAX_RESULTS,
        }
    }
}

/// A SARIF log and how many results it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sarif {
    /// The log's text.
    pub text: String,
    /// Results the report has (one per finding).
    pub total: usize,
    /// Results left out to keep within [`SarifOptions::max_results`] (the least severe).
    pub left_out: usize,
}

/// Renders the report as a SARIF 2.1.0 log with the default options. `context` places
/// findings about no record.
pub fn sarif(report: &Report, context: &Context) -> String {
    sarif_with(report, context, &SarifOptions::default()).text
}

/// Renders the report as a SARIF 2.1.0 log: at most `options.max_results` results, the most
/// severe first (failures by severity, then warnings, then waived failures; report order
/// within each), with the count of those left out in the run's properties; as many of the
/// input warnings as notifications, then one counting the rest.
pub fn sarif_with(report: &Report, context: &Context, options: &SarifOptions) -> Sarif {
    let views = rule_views(report);
    let rules: Vec<Value> = views.iter().map(descriptor).collect();
    let mut ranked = Vec::new();
    let mut notifications = Vec::new();
    for (index, view) in views.iter().enumerate() {
        if let Some(e) = &view.rule.error {
            let place = error_place(e);
            let text = format!(
                "rule {} could not give an answer: {} ({place})",
                view.id, e.message
            );
            notifications.push(object(&mut [
                ("level", "error".into()),
                ("message", text_of(text)),
                (
                    "associatedRule",
                    object(&mut [("id", view.id.into()), ("index", index.into())]),
                ),
            ]));
        }
        for (finding, key) in view.rule.findings.iter().zip(view.finding_keys()) {
            ranked.push((rank(view.rule.severity, finding), view, index, finding, key));
        }
    }
    // Stable: report order within a rank.
    attest_engine::sorting::sort_by_key(&mut ranked, |(rank, ..)| *rank);
    let total = ranked.len();
    let kept = total.min(options.max_results.min(SARIF_MAX_RESULTS));
    let results: Vec<Value> = ranked
        .iter()
        .take(kept)
        .map(|(_, view, index, finding, key)| result(view, *index, finding, key, context))
        .collect();
    let taxa: Vec<Value> = report
        .controls
        .iter()
        .map(|c| {
            object(&mut [
                ("id", c.id.as_str().into()),
                ("name", c.title.as_str().into()),
                ("shortDescription", text_of(c.title.as_str())),
                (
                    "properties",
                    object(&mut [
                        ("category", c.category.as_str().into()),
                        ("group", c.group.as_str().into()),
                    ]),
                ),
            ])
        })
        .collect();
    let successful = notifications.is_empty();
    // The input warnings, within the same limit as the results, and a count of the rest.
    let limit = options.max_results.min(SARIF_MAX_RESULTS);
    notifications.extend(report.warnings.iter().take(limit).map(warning));
    if report.warnings.len() > limit {
        let text = format!(
            "{} more input warnings left out (the JSON report lists them all)",
            report.warnings.len() - limit
        );
        notifications.push(object(&mut [
            ("level", "note".into()),
            ("message", text_of(text)),
        ]));
    }
    let mut invocation = object(&mut [("executionSuccessful", successful.into())]);
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let version = report.engine.version.as_str();
    let full_name = format!(
        "Attest {version} ({} {})",
        report.pack.name, report.pack.version
    );
    let driver = object(&mut [
        ("name", "Attest".into()),
        ("informationUri", INFORMATION_URI.into()),
        ("fullName", full_name.into()),
        ("version", version.into()),
        ("semanticVersion", version.into()),
        ("rules", rules.into()),
        (
            "supportedTaxonomies",
            vec![object(&mut [
                ("name", TAXONOMY.into()),
                ("index", 0.into()),
            ])]
            .into(),
        ),
    ]);
    let taxonomy = object(&mut [
        ("name", TAXONOMY.into()),
        ("organization", "AICPA".into()),
        ("shortDescription", text_of("Trust Services Criteria")),
        ("taxa", taxa.into()),
    ]);
    let pack = &report.pack;
    let properties = object(&mut [
        ("organization", report.facts.organization.as_str().into()),
        ("evaluatedOn", report.evaluated_on.as_str().into()),
        (
            "pack",
            object(&mut [
                ("name", pack.name.as_str().into()),
                ("version", pack.version.as_str().into()),
                ("digest", pack.digest.as_str().into()),
            ]),
        ),
        ("factsDigest", report.facts.digest.as_str().into()),
        (
            "results",
            object(&mut [
                ("total", total.into()),
                ("shown", kept.into()),
                ("leftOut", (total - kept).into()),
            ]),
        ),
    ]);
    let run = object(&mut [
        ("tool", object(&mut [("driver", driver)])),
        // The input warnings' columns count characters (code points), not UTF-16 units.
        ("columnKind", "unicodeCodePoints".into()),
        ("taxonomies", vec![taxonomy].into()),
        ("invocations", vec![invocation].into()),
        ("results", results.into()),
        ("properties", properties),
    ]);
    let mut log = object(&mut [
        ("$schema", SCHEMA.into()),
        ("version", "2.1.0".into()),
        ("runs", vec![run].into()),
    ]);
    if let Some(period) = &report.period {
        log["runs"][0]["properties"]["auditPeriod"] =
            serde_json::to_value(period).unwrap_or_default();
    }
    if !report.params.is_empty() {
        log["runs"][0]["properties"]["params"] = report.params.clone().into();
    }
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    Sarif {
        text,
        total,
        left_out: total - kept,
    }
}

/// Where a finding goes in the run, most severe first: failures by severity, then warnings
/// (something lapses soon), then waived failures.
fn rank(severity: Severity, finding: &Finding) -> u8 {
    match (finding.status, &finding.waiver) {
        (FindingStatus::Fail, None) => match severity {
            Severity::Critical => 0,
            Severity::High => 1,
            Severity::Medium => 2,
            Severity::Low => 3,
        },
        (FindingStatus::Warn, _) => 4,
        (FindingStatus::Fail, Some(_)) => 5,
    }
}

/// A rule's `name`: its title as one identifier (`PrivilegedAccountsRequireMFA`), which SARIF
/// wants readable and different from the opaque `id`.
fn rule_name(title: &str, id: &str) -> String {
    let name: String = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
            format!("{}{}", first.unwrap_or_default(), chars.as_str())
        })
        .collect();
    if name.is_empty() || name == id {
        format!("Rule{}", id.replace(|c: char| !c.is_alphanumeric(), ""))
    } else {
        name
    }
}

/// A rule's reporting descriptor.
fn descriptor(view: &RuleView<'_>) -> Value {
    let rule = &view.rule;
    let controls = view.control_ids();
    let remediation = rule.findings.first().map_or("", |f| f.remediation.as_str());
    let mut tags: Vec<&str> = vec!["security", "compliance", TAXONOMY];
    tags.extend(&controls);
    let help = if remediation.is_empty() {
        format!("Controls: {}.", controls.join(", "))
    } else {
        format!("{remediation}\n\nControls: {}.", controls.join(", "))
    };
    // The remediation is plain text: shown as written, never rendered.
    let controls_markdown = markdown(&controls.join(", "));
    let help_markdown = if remediation.is_empty() {
        format!("**Controls:** {controls_markdown}")
    } else {
        format!(
            "**Fix:** {}\n\n**Controls:** {controls_markdown}",
            markdown(remediation)
        )
    };
    let full = format!(
        "{} (SOC 2 {}; owner {})",
        rule.title,
        controls.join(", "),
        rule.owner
    );
    let relationships: Vec<Value> = controls
        .iter()
        .map(|c| {
            let taxonomy = object(&mut [("name", TAXONOMY.into())]);
            object(&mut [
                (
                    "target",
                    object(&mut [("id", (*c).into()), ("toolComponent", taxonomy)]),
                ),
                ("kinds", vec!["relevant"].into()),
            ])
        })
        .collect();
    object(&mut [
        ("id", view.id.into()),
        ("name", rule_name(&rule.title, view.id).into()),
        ("shortDescription", text_of(rule.title.as_str())),
        ("fullDescription", text_of(full)),
        (
            "help",
            object(&mut [("text", help.into()), ("markdown", help_markdown.into())]),
        ),
        (
            "defaultConfiguration",
            object(&mut [("level", level(rule.severity).into())]),
        ),
        ("relationships", relationships.into()),
        (
            "properties",
            object(&mut [
                ("tags", tags.into()),
                ("severity", rule.severity.as_str().into()),
                ("security-severity", security_severity(rule.severity).into()),
                ("owner", rule.owner.as_str().into()),
                ("controls", controls.into()),
                ("tested", rule.population.tested.into()),
                ("population", rule.population.describe().into()),
            ]),
        ),
    ])
}

/// One finding as a result.
fn result(
    view: &RuleView<'_>,
    index: usize,
    finding: &Finding,
    key: &str,
    context: &Context,
) -> Value {
    let rule: &RuleResult = view.rule;
    let level = match finding.status {
        FindingStatus::Fail => level(rule.severity),
        FindingStatus::Warn => "note",
    };
    let status = finding.effective_status();
    let mut location = serde_json::Map::new();
    if let Some(origin) = finding.source.as_ref().or(context.anchor.as_ref()) {
        location.insert(
            "physicalLocation".to_owned(),
            object(&mut [
                (
                    "artifactLocation",
                    object(&mut [("uri", uri(&origin.file).into())]),
                ),
                ("region", object(&mut [("startLine", origin.line.into())])),
            ]),
        );
    }
    if let Some(pointer) = &finding.entity {
        let name = pointer.rsplit('/').next().unwrap_or_default();
        let logical = object(&mut [
            ("name", name.into()),
            ("fullyQualifiedName", pointer.as_str().into()),
            ("kind", "object".into()),
        ]);
        location.insert("logicalLocations".to_owned(), vec![logical].into());
    }
    let mut properties = object(&mut [
        ("status", status.as_str().into()),
        ("owner", finding.owner.as_str().into()),
        ("controls", view.control_ids().into()),
    ]);
    if let Some(pointer) = &finding.entity {
        properties["entity"] = pointer.as_str().into();
    }
    let fingerprint = digest::sha256(Value::from(key).to_string().as_bytes());
    let mut value = object(&mut [
        ("ruleId", view.id.into()),
        ("ruleIndex", index.into()),
        ("level", level.into()),
        ("message", text_of(finding.message.as_str())),
        ("locations", vec![Value::Object(location)].into()),
        (
            "partialFingerprints",
            object(&mut [(FINGERPRINT, fingerprint.into())]),
        ),
        ("properties", properties),
    ]);
    if let Some(w) = &finding.waiver {
        let justification = format!("{} ({})", w.reason, w.approval());
        value["suppressions"] = vec![object(&mut [
            ("kind", "external".into()),
            ("status", "accepted".into()),
            ("justification", justification.into()),
        ])]
        .into();
    }
    value
}

/// A warning about an input as a tool notification of level `warning`, at its file, line and
/// column (a physical location), with the warning's own members (`input`, `pointer`,
/// `code`...) as its properties.
fn warning(w: &Warning) -> Value {
    let mut value = object(&mut [
        ("level", "warning".into()),
        ("message", text_of(w.message())),
        ("properties", Value::Object(w.as_object().clone())),
    ]);
    if let Some(file) = w.file() {
        let mut physical =
            object(&mut [("artifactLocation", object(&mut [("uri", uri(file).into())]))]);
        if let Some(line) = w.line() {
            let mut region = object(&mut [("startLine", line.into())]);
            if let Some(column) = w.column() {
                region["startColumn"] = column.into();
            }
            physical["region"] = region;
        }
        value["locations"] = vec![object(&mut [("physicalLocation", physical)])].into();
    }
    value
}

/// `{"text": text}`, SARIF's message and description object.
fn text_of(text: impl Into<Value>) -> Value {
    object(&mut [("text", text.into())])
}

/// A facts file name as a URI, the name read as a path of the system this build runs on, where
/// the name was made: a `file:` URI for an absolute path (`/srv/facts.json`; on Windows
/// `C:\facts.json` or `C:/facts.json` too), else a relative reference with `/` separators
/// (`\` is one on Windows only: elsewhere it is part of a file name, escaped as `%5C`) and
/// every reserved byte escaped, `:` included, so that the relative `C:/org.json` of a folder
/// named `C:` on Unix stays relative (`C%3A/org.json`) rather than naming a drive.
fn uri(name: &str) -> String {
    let path = slashed(name);
    if !std::path::Path::new(name).has_root() {
        return escape(&path);
    }
    if path.starts_with('/') {
        return format!("file://{}", escape(&path));
    }
    // A root after a prefix: a Windows drive (`C:/facts.json`), its letter and colon kept.
    match path.split_once(':') {
        Some((drive, rest)) => format!("file:///{drive}:{}", escape(rest)),
        None => format!("file:///{}", escape(&path)),
    }
}

/// `name` with the separators of this system's paths written `/`: `\` too on Windows, only
/// `/` elsewhere.
fn slashed(name: &str) -> String {
    name.chars()
        .map(|c| if std::path::is_separator(c) { '/' } else { c })
        .collect()
}

/// A path with every byte but unreserved ones and `/` percent-escaped.
fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The SARIF level of a failure by its severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub's `security-severity` score (critical above 9, high 7 to 8.9, medium 4 to 6.9).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uris() {
        assert_eq!(
            uri("examples/acme/people.json"),
            "examples/acme/people.json"
        );
        assert_eq!(uri("facts dir/a#b.json"), "facts%20dir/a%23b.json");
        assert_eq!(uri("a:b.json"), "a%3Ab.json");
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        assert_eq!(uri("/srv/facts/a b.json"), "file:///srv/facts/a%20b.json");
    }

    /// On Unix a `\` is part of a file name, and a relative path whose first folder is
    /// named `C:` is no drive: both stay relative references, their bytes escaped.
    #[cfg(unix)]
    #[test]
    fn unix_names_are_never_read_as_windows_paths() {
        assert_eq!(uri("f5/peo\\ple.json"), "f5/peo%5Cple.json");
        assert_eq!(uri("facts dir\\a#b.json"), "facts%20dir%5Ca%23b.json");
        assert_eq!(uri("C:/org.json"), "C%3A/org.json");
        assert_eq!(uri("C:\\facts\\a.json"), "C%3A%5Cfacts%5Ca.json");
        assert_eq!(uri("/srv/C:/a\\b.json"), "file:///srv/C%3A/a%5Cb.json");
    }

    /// On Windows `\` separates folders and `C:/` or `C:\` starts an absolute path.
    #[cfg(windows)]
    #[test]
    fn windows_paths_use_their_separators_and_drives() {
        assert_eq!(uri("facts dir\\a#b.json"), "facts%20dir/a%23b.json");
        assert_eq!(uri("C:\\facts\\a.json"), "file:///C:/facts/a.json");
        assert_eq!(uri("C:/facts/a b.json"), "file:///C:/facts/a%20b.json");
        assert_eq!(uri("C:facts.json"), "C%3Afacts.json");
    }

    #[test]
    fn rule_names_are_titles_as_identifiers() {
        assert_eq!(
            rule_name("Privileged accounts require MFA", "access.mfa-privileged"),
            "PrivilegedAccountsRequireMFA"
        );
        assert_eq!(
            rule_name("Current evidence on file for CC6.4", "evidence/CC6.4"),
            "CurrentEvidenceOnFileForCC64"
        );
        assert_eq!(rule_name("", "x.y"), "Rulexy");
    }
}
