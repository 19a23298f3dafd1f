//! The SARIF 2.1.0 format, for GitHub code scanning and other SARIF viewers.
//!
//! One run; one rule descriptor per rule (evidence checks per control, `evidence/CC5.1`),
//! carrying its controls (as tags and as relationships to the `SOC 2` taxonomy), its help
//! text and a level from its severity; one result per finding. Each result points at the
//! facts file and line of the record it is about (or of `organization` when it is about no
//! record), with the record's JSON Pointer as a logical location, and carries a partial
//! fingerprint that does not change from run to run. Waived findings are results with an
//! accepted external suppression; rules that could not answer are tool notifications.

use super::{Context, error_place};
use crate::digest;
use crate::pack::Severity;
use crate::report::views::{RuleView, rule_views};
use crate::report::{Finding, FindingStatus, Report, RuleResult};
use serde_json::{Value, json};

/// The SARIF schema this output follows.
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The taxonomy controls belong to.
const TAXONOMY: &str = "SOC 2";
/// The partial fingerprint's name (versioned, so a new scheme never collides).
const FINGERPRINT: &str = "attestFinding/v2";

/// Renders the report as a SARIF 2.1.0 log. `context` places findings about no record.
pub fn sarif(report: &Report, context: &Context) -> String {
    let views = rule_views(report);
    let rules: Vec<Value> = views.iter().map(descriptor).collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (index, view) in views.iter().enumerate() {
        if let Some(e) = &view.rule.error {
            let place = error_place(e);
            notifications.push(json!({
                "level": "error",
                "message": { "text": format!("rule {} could not give an answer: {} ({place})", view.id, e.message) },
                "associatedRule": { "id": view.id, "index": index },
            }));
        }
        for (finding, key) in view.rule.findings.iter().zip(view.finding_keys()) {
            results.push(result(view, index, finding, &key, context));
        }
    }
    let taxa: Vec<Value> = report
        .controls
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.title,
                "shortDescription": { "text": c.title },
                "properties": { "category": c.category.as_str(), "group": c.group },
            })
        })
        .collect();
    let mut invocation = json!({ "executionSuccessful": notifications.is_empty() });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let mut log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "Attest",
                    "fullName": format!("Attest {} ({} {})", report.engine.version, report.pack.name, report.pack.version),
                    "version": report.engine.version,
                    "semanticVersion": report.engine.version,
                    "rules": rules,
                    "supportedTaxonomies": [{ "name": TAXONOMY, "index": 0 }],
                },
            },
            "taxonomies": [{
                "name": TAXONOMY,
                "organization": "AICPA",
                "shortDescription": { "text": "Trust Services Criteria" },
                "taxa": taxa,
            }],
            "invocations": [invocation],
            "results": results,
            "properties": {
                "organization": report.facts.organization,
                "evaluatedOn": report.evaluated_on,
                "pack": { "name": report.pack.name, "version": report.pack.version, "digest": report.pack.digest },
                "factsDigest": report.facts.digest,
            },
        }],
    });
    if let Some(period) = &report.period {
        log["runs"][0]["properties"]["auditPeriod"] = json!(period);
    }
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
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
    let help_markdown = if remediation.is_empty() {
        format!("**Controls:** {}", controls.join(", "))
    } else {
        format!(
            "**Fix:** {remediation}\n\n**Controls:** {}",
            controls.join(", ")
        )
    };
    json!({
        "id": view.id,
        "name": rule.id,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": format!("{} (SOC 2 {}; owner {})", rule.title, controls.join(", "), rule.owner) },
        "help": { "text": help, "markdown": help_markdown },
        "defaultConfiguration": { "level": level(rule.severity) },
        "relationships": controls.iter().map(|c| json!({
            "target": { "id": c, "toolComponent": { "name": TAXONOMY } },
            "kinds": ["relevant"],
        })).collect::<Vec<_>>(),
        "properties": {
            "tags": tags,
            "severity": rule.severity.as_str(),
            "security-severity": security_severity(rule.severity),
            "owner": rule.owner.as_str(),
            "controls": controls,
            "tested": rule.population.tested,
            "population": rule.population.describe(),
        },
    })
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
            json!({
                "artifactLocation": { "uri": uri(&origin.file) },
                "region": { "startLine": origin.line },
            }),
        );
    }
    if let Some(pointer) = &finding.entity {
        let name = pointer.rsplit('/').next().unwrap_or_default();
        location.insert(
            "logicalLocations".to_owned(),
            json!([{ "name": name, "fullyQualifiedName": pointer, "kind": "object" }]),
        );
    }
    let mut properties = json!({
        "status": status.as_str(),
        "owner": finding.owner.as_str(),
        "controls": view.control_ids(),
    });
    if let Some(pointer) = &finding.entity {
        properties["entity"] = json!(pointer);
    }
    let mut value = json!({
        "ruleId": view.id,
        "ruleIndex": index,
        "level": level,
        "message": { "text": finding.message },
        "locations": [Value::Object(location)],
        "partialFingerprints": { FINGERPRINT: digest::canonical_json(&Value::from(key)) },
        "properties": properties,
    });
    if let Some(w) = &finding.waiver {
        value["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!("{} ({})", w.reason, w.approval()),
        }]);
    }
    value
}

/// A facts file name as a relative URI reference: `/` separators, reserved bytes escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
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
        assert_eq!(uri("facts dir\\a#b.json"), "facts%20dir/a%23b.json");
    }
}
