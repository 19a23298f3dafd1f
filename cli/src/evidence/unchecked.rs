//! The evidence records that carry a `sha256` no evidence root can check: their `uri` is no
//! path relative to the root (absent, empty, absolute, a `file:` URI, a drive, a URL), so
//! the engine checks nothing for them and the report gives them no `file`. An auditor told
//! that files were checked against their records' `sha256` is told of these too, each by
//! its file, line and JSON Pointer (the URLs counted), rather than left to think them
//! checked.

use attest_engine::Facts;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Why a record's `sha256` could not be checked against a file of the evidence root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    /// The record has no `uri` (or not a string).
    NoUri,
    /// Its `uri` is empty.
    Empty,
    /// Its `uri` starts with `/` or `\`.
    Absolute,
    /// Its `uri` is a `file:` URI: a file of the machine it was written on.
    FileUri,
    /// Its `uri` starts with a drive letter (`C:`).
    Drive,
    /// Its `uri` is a URL, whose file is not fetched.
    Url,
}

impl Why {
    /// The records it describes, as a phrase after a count or a place.
    fn words(self) -> &'static str {
        match self {
            Why::NoUri => "with no uri",
            Why::Empty => "whose uri is empty",
            Why::Absolute => "whose uri is an absolute path",
            Why::FileUri => "whose uri is a file: URI",
            Why::Drive => "whose uri starts with a drive letter",
            Why::Url => "whose uri is a URL (not fetched)",
        }
    }

    /// Why a `uri` is no path relative to the evidence root; `None` when it is one (as the
    /// engine reads it: no scheme, no leading `/` or `\`, not empty).
    fn of(uri: Option<&str>) -> Option<Why> {
        let Some(uri) = uri else {
            return Some(Why::NoUri);
        };
        if uri.is_empty() {
            return Some(Why::Empty);
        }
        if uri.starts_with(['/', '\\']) {
            return Some(Why::Absolute);
        }
        let (scheme, _) = uri.split_once(':')?;
        let mut chars = scheme.chars();
        let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        match scheme.len() {
            _ if !is_scheme => None,
            1 => Some(Why::Drive),
            _ if scheme.eq_ignore_ascii_case("file") => Some(Why::FileUri),
            _ => Some(Why::Url),
        }
    }
}

/// An evidence record with a `sha256` that no evidence root can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unchecked {
    /// Its JSON Pointer in the merged facts (`/evidence/3`).
    pub pointer: String,
    /// Its `uri`, if it has one.
    pub uri: Option<String>,
    /// Why it cannot be checked.
    pub why: Why,
}

/// The part of a facts file read here: its evidence records, whatever else it holds.
#[derive(Deserialize)]
struct EvidenceOnly {
    #[serde(default)]
    evidence: Option<serde_json::Value>,
}

/// The evidence records of the facts `sources` (in merge order: their `evidence` lists are
/// concatenated) that carry a `sha256` and a `uri` no evidence root can check. A file that
/// does not parse gives none: the facts have been loaded, so none fails.
pub fn unchecked(sources: &[(String, String)]) -> Vec<Unchecked> {
    let mut out = Vec::new();
    let mut index = 0;
    for (_, text) in sources {
        // A file without the word holds no evidence (`"\u0065vidence"` still has it).
        if !text.contains("vidence") {
            continue;
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let Ok(EvidenceOnly {
            evidence: Some(serde_json::Value::Array(records)),
        }) = serde_json::from_str(text)
        else {
            continue;
        };
        for record in &records {
            let uri = record.get("uri").and_then(serde_json::Value::as_str);
            let signed = record
                .get("sha256")
                .is_some_and(serde_json::Value::is_string);
            if let (true, Some(why)) = (signed, Why::of(uri)) {
                out.push(Unchecked {
                    pointer: format!("/evidence/{index}"),
                    uri: uri.map(str::to_owned),
                    why,
                });
            }
            index += 1;
        }
    }
    out
}

/// Where a record is: `file:line` and its JSON Pointer.
fn place(facts: &Facts, pointer: &str) -> String {
    match facts.origin(pointer) {
        Some(origin) => format!("{}:{} ({pointer})", origin.file, origin.line),
        None => pointer.to_owned(),
    }
}

/// One warning for each record whose `uri` looks like a file's (it could be mistaken for a
/// checked one), and one for the URLs, counted, with the first's place.
pub fn warnings(records: &[Unchecked], facts: &Facts) -> Vec<String> {
    let mut out: Vec<String> = records
        .iter()
        .filter(|r| r.why != Why::Url)
        .map(|r| {
            let uri = match r.uri.as_deref() {
                None | Some("") => String::new(),
                Some(uri) => format!(" (`{uri}`)"),
            };
            format!(
                "{}: evidence record {}{uri}: its sha256 is not checked: --evidence-root checks only a uri relative to it (`policies/security.pdf`)",
                place(facts, &r.pointer),
                r.why.words()
            )
        })
        .collect();
    let urls: Vec<&Unchecked> = records.iter().filter(|r| r.why == Why::Url).collect();
    if let Some(first) = urls.first() {
        let (records, name, theirs) = match urls.len() {
            1 => ("record", "names", "its file is not fetched, its sha256"),
            _ => (
                "records",
                "name",
                "their files are not fetched, their sha256",
            ),
        };
        out.push(format!(
            "{} evidence {records} with a sha256 {name} a URL (the first at {}): {theirs} not checked",
            urls.len(),
            place(facts, &first.pointer)
        ));
    }
    out
}

/// The records not checked, counted by why, each place given but for the URLs':
/// `10 whose uri is a URL (not fetched), 1 whose uri is an absolute path (facts/05-evidence.json:40 (/evidence/3))`.
pub fn summary(records: &[Unchecked], facts: &Facts) -> String {
    let mut by_why: BTreeMap<Why, Vec<&Unchecked>> = BTreeMap::new();
    for r in records {
        by_why.entry(r.why).or_default().push(r);
    }
    by_why
        .into_iter()
        .map(|(why, rs)| {
            let places = match why {
                Why::Url => String::new(),
                _ => format!(
                    " ({})",
                    rs.iter()
                        .map(|r| place(facts, &r.pointer))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            format!("{} {}{places}", rs.len(), why.words())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_relative_path_is_checkable() {
        for (uri, why) in [
            (None, Some(Why::NoUri)),
            (Some(""), Some(Why::Empty)),
            (Some("/etc/x"), Some(Why::Absolute)),
            (Some("\\\\server\\share\\x.pdf"), Some(Why::Absolute)),
            (Some("file:x.pdf"), Some(Why::FileUri)),
            (Some("FILE:///evidence/x.pdf"), Some(Why::FileUri)),
            (Some("C:\\evidence\\x.pdf"), Some(Why::Drive)),
            (Some("https://drive.example.com/x"), Some(Why::Url)),
            (Some("s3://bucket/key"), Some(Why::Url)),
            (Some("policies/x.pdf"), None),
            (Some("../x.pdf"), None),
            (Some("a b:c/x.pdf"), None),
            (Some("1a:x.pdf"), None),
        ] {
            assert_eq!(Why::of(uri), why, "{uri:?}");
        }
    }

    #[test]
    fn records_are_found_across_files_in_merge_order() {
        let sources = [
            ("a.json".to_owned(), r#"{"people": []}"#.to_owned()),
            (
                "b.json".to_owned(),
                "\u{feff}{\"evidence\": [{\"uri\": \"ok.pdf\", \"sha256\": \"ab\"}, {\"uri\": \"/etc/x\", \"sha256\": \"ab\"}, {\"uri\": \"/etc/y\"}]}"
                    .to_owned(),
            ),
            (
                "c.json".to_owned(),
                r#"{"evidence": [{"sha256": "ab"}, {"uri": "file:x", "sha256": "ab"}]}"#
                    .to_owned(),
            ),
        ];
        let found = unchecked(&sources);
        let got: Vec<(&str, Why)> = found.iter().map(|u| (u.pointer.as_str(), u.why)).collect();
        assert_eq!(
            got,
            [
                ("/evidence/1", Why::Absolute),
                ("/evidence/3", Why::NoUri),
                ("/evidence/4", Why::FileUri)
            ]
        );
    }
}
