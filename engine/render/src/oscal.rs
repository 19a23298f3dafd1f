//! The OSCAL format: an OSCAL 1.1.2 assessment-results document (JSON) with one result for
//! the run: per criterion in scope an observation (what its rules tested and found, with
//! each finding as relevant evidence) and a finding (satisfied or not); the facts, the pack
//! and Attest as components, the facts and the pack as the subjects of every observation.
//!
//! Every UUID is derived from digests, so the same report gives the same bytes: the first
//! 16 bytes of the sha256 of the parts that name the object (the report's digest, the
//! criterion...), with the version and variant bits of a version 4 UUID, the form OSCAL's
//! schema accepts. Times are the as-of date at midnight UTC: the report has no clock.
//! Attest's own properties are in the namespace `urn:attest:oscal`.
//!
//! Titles and descriptions are OSCAL markup (Markdown in JSON): each value from the facts or
//! the pack in them is escaped Markdown, shown as written ([`markdown`]). Names and property
//! values are plain strings, kept as they are.

use super::escape::markdown;
use attest_engine::pack::Category;
use attest_engine::report::views::rule_views;
use attest_engine::report::{ControlResult, Report, RuleResult, Status};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The OSCAL version written.
const OSCAL_VERSION: &str = "1.1.2";
/// The namespace of Attest's properties.
const NS: &str = "urn:attest:oscal";

/// Renders the report as an OSCAL 1.1.2 assessment-results document.
pub fn oscal(report: &Report) -> String {
    let digest = hex(&Sha256::digest(report.to_json().as_bytes()));
    let ids = Ids {
        report: digest.clone(),
        facts: uuid(&["facts", &report.facts.digest]),
        pack: uuid(&["pack", &report.pack.digest]),
        tool: uuid(&["attest", &report.engine.name, &report.engine.version]),
        pack_resource: uuid(&["pack-resource", &report.pack.digest]),
    };
    let at = format!("{}T00:00:00Z", report.evaluated_on);
    let org = organization(report);
    let pack_label = pack_label(report);
    let document = json!({
        "assessment-results": {
            "uuid": uuid(&["assessment-results", &digest]),
            "metadata": {
                "title": format!("SOC 2 readiness of {} as of {}", markdown(&org), report.evaluated_on),
                "last-modified": at,
                "version": report.evaluated_on,
                "oscal-version": OSCAL_VERSION,
                "props": [
                    prop("report-digest", &digest),
                    prop("engine", &format!("{} {}", report.engine.name, report.engine.version)),
                ],
                "parties": [{
                    "uuid": uuid(&["organization", &report.facts.organization]),
                    "type": "organization",
                    "name": org,
                }],
            },
            "import-ap": {
                "href": format!("#{}", ids.pack_resource),
                "remarks": "Attest assesses without an OSCAL assessment plan: the rule pack in the back matter is the plan.",
            },
            "results": [result(report, &ids, &at)],
            "back-matter": {
                "resources": [{
                    "uuid": ids.pack_resource,
                    "title": format!("Rule pack {pack_label}"),
                    "description": "The rules Attest evaluated, and the criteria each serves; its digest is the sha256 over the pack's files.",
                    "props": [prop("pack-digest", &report.pack.digest)],
                }],
            },
        }
    });
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

/// The UUIDs (and the report digest they derive from) shared across the document.
struct Ids {
    report: String,
    facts: String,
    pack: String,
    tool: String,
    pack_resource: String,
}

fn result(report: &Report, ids: &Ids, at: &str) -> Value {
    let in_scope: Vec<&ControlResult> = report
        .controls
        .iter()
        .filter(|c| c.status != Status::NotApplicable)
        .collect();
    let out_of_scope: Vec<Value> = report
        .controls
        .iter()
        .filter(|c| c.status == Status::NotApplicable)
        .map(|c| json!({ "control-id": token(&c.id) }))
        .collect();
    let mut selection = json!({
        "description": "Every criterion of the pack's catalog in the organization's scope; criteria of categories outside it are excluded.",
        "include-all": {},
    });
    if !out_of_scope.is_empty() {
        selection["exclude-controls"] = Value::Array(out_of_scope);
    }
    let s = &report.summary.controls;
    let readiness = s.readiness().map_or_else(
        || "no criterion is in scope".to_owned(),
        |r| {
            format!(
                "{}% ready ({} of {} criteria in scope pass or warn)",
                r.percent, r.ready, r.applicable
            )
        },
    );
    let mut props = vec![
        prop("facts-digest", &report.facts.digest),
        prop(
            "pack",
            &format!("{} {}", report.pack.name, report.pack.version),
        ),
        prop("pack-digest", &report.pack.digest),
    ];
    // Each parameter the run set in place of the pack's default, its value as JSON.
    for (name, setting) in &report.params {
        props.push(prop(
            &format!("param-{name}"),
            &setting["value"].to_string(),
        ));
    }
    for category in Category::ALL {
        if let Some(r) = report.summary.category(category).readiness() {
            props.push(prop(
                &format!("readiness-{}", category.as_str()),
                &r.percent.to_string(),
            ));
        }
    }
    // The time the result covers: the audit period, from its first day's start to its last
    // day's end, or the as-of date alone.
    let (start, end) = match report.period {
        Some(p) => (
            format!("{}T00:00:00Z", p.start()),
            format!("{}T23:59:59Z", p.end()),
        ),
        None => (at.to_owned(), at.to_owned()),
    };
    let mut result = json!({
        "uuid": uuid(&["result", &ids.report]),
        "title": format!("Attest evaluation of {} as of {}", markdown(&organization(report)), report.evaluated_on),
        "description": format!(
            "The facts (sha256 {}) evaluated against the rule pack {} (sha256 {}) by Attest {}: {readiness}; {} pass, {} warn, {} fail, {} error, {} waived, {} not applicable.",
            report.facts.digest, pack_label(report), report.pack.digest,
            report.engine.version, s.pass, s.warn, s.fail, s.error, s.waived, s.not_applicable
        ),
        "start": start,
        "end": end,
        "props": props,
        "local-definitions": {
            "components": [
                component(&ids.facts, "this-system", &format!("Facts of {}", markdown(&organization(report))),
                    "The facts evaluated: one document of the organization's records, identified by the sha256 of its canonical form.",
                    vec![prop("facts-digest", &report.facts.digest)]),
                component(&ids.pack, "policy", &format!("Rule pack {}", pack_label(report)),
                    "The controls as code evaluated against the facts.",
                    vec![prop("pack-digest", &report.pack.digest)]),
                component(&ids.tool, "software", &format!("Attest {}", report.engine.version),
                    "The engine that evaluated the rules and wrote these results.",
                    vec![]),
            ],
        },
        "reviewed-controls": { "control-selections": [selection] },
    });
    if !in_scope.is_empty() {
        let views = rule_views(report);
        let observations: Vec<Value> = in_scope
            .iter()
            .map(|c| observation(report, c, ids, at))
            .collect();
        let findings: Vec<Value> = in_scope
            .iter()
            .map(|c| {
                finding(
                    c,
                    ids,
                    views
                        .iter()
                        .filter(|v| v.controls.iter().any(|vc| vc.id == c.id))
                        .count(),
                )
            })
            .collect();
        result["observations"] = Value::Array(observations);
        result["findings"] = Value::Array(findings);
    }
    result
}

fn component(uuid: &str, kind: &str, title: &str, description: &str, props: Vec<Value>) -> Value {
    let mut c = json!({
        "uuid": uuid,
        "type": kind,
        "title": title,
        "description": description,
        "status": { "state": "operational" },
    });
    if !props.is_empty() {
        c["props"] = Value::Array(props);
    }
    c
}

/// What a criterion's rules tested and found.
fn observation(report: &Report, c: &ControlResult, ids: &Ids, at: &str) -> Value {
    let rules: Vec<&RuleResult> = report.rules_of(c).collect();
    let mut description = String::new();
    for r in &rules {
        let _ = write!(
            description,
            "{} ({}): {}",
            markdown(&r.id),
            markdown(&r.title),
            r.status.as_str()
        );
        if let Some(e) = &r.error {
            let _ = write!(description, ", could not answer: {}", markdown(&e.message));
        } else if let Some(reason) = r.reason.as_deref().or(r.disabled.as_deref()) {
            let _ = write!(description, ", {}", markdown(reason));
        } else {
            let _ = write!(description, ", {}", markdown(&r.population.describe()));
        }
        let _ = writeln!(description, "; {} findings.", r.findings.len());
    }
    if rules.is_empty() {
        description.push_str("No rule judges this criterion.\n");
    }
    let evidence_judged = rules.iter().any(|r| r.is_evidence_check());
    let mut o = json!({
        "uuid": uuid(&["observation", &ids.report, &c.id]),
        "title": format!("{} {}", markdown(&c.id), markdown(&text(&c.title))),
        "description": description.trim_end(),
        "props": [prop("status", c.status.as_str())],
        "methods": [if evidence_judged { "EXAMINE" } else { "TEST" }],
        "types": ["control-objective"],
        "origins": [origin(ids)],
        "subjects": [
            { "subject-uuid": ids.facts, "type": "component", "title": "the facts evaluated" },
            { "subject-uuid": ids.pack, "type": "component", "title": "the rule pack" },
        ],
        "collected": at,
    });
    let evidence: Vec<Value> = rules
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
        .map(|(r, f)| {
            let mut props = vec![
                prop("rule", &r.id),
                prop("finding-status", f.effective_status().as_str()),
                prop("owner", r.owner.as_str()),
            ];
            if let Some(key) = &f.key {
                props.push(prop("record-key", key));
            }
            if let Some(source) = &f.source {
                props.push(prop("source", &format!("{}:{}", source.file, source.line)));
            }
            json!({ "description": markdown(&f.message), "props": props })
        })
        .collect();
    if !evidence.is_empty() {
        o["relevant-evidence"] = Value::Array(evidence);
    }
    o
}

/// Whether a criterion is satisfied: pass and warn are; fail, error and waived are not.
fn finding(c: &ControlResult, ids: &Ids, rules: usize) -> Value {
    let (state, reason) = match c.status {
        Status::Pass | Status::Warn => ("satisfied", "pass"),
        Status::Fail => ("not-satisfied", "fail"),
        Status::Error | Status::Waived | Status::NotApplicable => ("not-satisfied", "other"),
    };
    let why = match c.status {
        Status::Pass => "every rule that judges it passes".to_owned(),
        Status::Warn => "no rule fails, but something lapses within the warning window".to_owned(),
        Status::Fail => "a rule that judges it fails".to_owned(),
        Status::Error => "a rule that judges it could not answer".to_owned(),
        Status::Waived => {
            "its failures are covered by approved, time-boxed waivers: an accepted exception"
                .to_owned()
        }
        Status::NotApplicable => "out of scope".to_owned(),
    };
    json!({
        "uuid": uuid(&["finding", &ids.report, &c.id]),
        "title": format!("{}: {}", markdown(&c.id), c.status.as_str()),
        "description": format!("{} {}: {} ({rules} rules).", markdown(&c.id), markdown(&text(&c.title)), why),
        "props": [prop("status", c.status.as_str()), prop("category", c.category.as_str())],
        "origins": [origin(ids)],
        "target": {
            "type": "objective-id",
            "target-id": token(&c.id),
            "title": markdown(&text(&c.title)),
            "status": { "state": state, "reason": reason },
        },
        "related-observations": [{ "observation-uuid": uuid(&["observation", &ids.report, &c.id]) }],
    })
}

fn origin(ids: &Ids) -> Value {
    json!({ "actors": [{ "type": "tool", "actor-uuid": ids.tool }] })
}

/// An Attest property; the value's whitespace is folded (OSCAL strings have no line
/// breaks, nor leading or trailing space), and a value with nothing else is `(none)`.
fn prop(name: &str, value: &str) -> Value {
    json!({
        "name": name,
        "ns": NS,
        "value": text_or(value, "(none)"),
    })
}

/// The pack's name and version as escaped Markdown, for OSCAL's markup.
fn pack_label(report: &Report) -> String {
    markdown(&format!("{} {}", report.pack.name, report.pack.version))
}

/// The organization's name as OSCAL's strings want it (the name of a party must not be
/// empty): its whitespace folded, and `(unnamed organization)` for a name of whitespace
/// alone.
fn organization(report: &Report) -> String {
    text_or(&report.facts.organization, "(unnamed organization)")
}

/// Text as OSCAL's non-empty strings (`^\S(.*\S)?$`) want it: whitespace runs folded into
/// one space, none at either end. Whitespace is Unicode's, with U+FEFF, which the `\s` of
/// ECMA-262 (the dialect of JSON Schema's patterns) also counts.
fn text(value: &str) -> String {
    value
        .split(|c: char| c.is_whitespace() || c == '\u{feff}')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`text`], or `none` when no text is left.
fn text_or(value: &str, none: &str) -> String {
    let value = text(value);
    if value.is_empty() {
        none.to_owned()
    } else {
        value
    }
}

/// An identifier as an OSCAL token (an XML NCName): characters a token cannot hold become
/// `_`, and one that does not start with a letter or `_` gets a leading `_`.
fn token(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// A UUID derived from `parts`: the first 16 bytes of the sha256 of the parts (each framed
/// by its length), with the version-4 and RFC 4122 variant bits set.
fn uuid(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let hash = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_shaped_and_follow_their_parts() {
        let a = uuid(&["result", "abc"]);
        assert_eq!(a, uuid(&["result", "abc"]));
        assert_ne!(a, uuid(&["result", "abd"]));
        assert_ne!(uuid(&["ab", "c"]), uuid(&["a", "bc"]));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn tokens_and_texts_fit_oscal_patterns() {
        assert_eq!(token("CC6.1"), "CC6.1");
        assert_eq!(token("1.2 x"), "_1.2_x");
        assert_eq!(text("  a\n b\t"), "a b");
        assert_eq!(text("\u{feff} a\u{3000}\u{2028}b \u{feff}"), "a b");
        assert_eq!(text_or(" \t\n\u{a0}\u{feff}", "(none)"), "(none)");
        assert_eq!(text_or(" Acme ", "(none)"), "Acme");
    }
}
