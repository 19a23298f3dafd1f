//! Checks pack files against `schemas/pack.v1.schema.json`: the manifest, every rule
//! header and the control catalog. The schema adds what serde's shapes do not say (id
//! patterns, semantic versions, non-empty texts), so editors and the engine agree.

use super::diagnostic::{Diagnostic, DiagnosticCode};
use super::rule::Header;
use super::{Pack, PackFile, lint};
use crate::place::At;
use serde_json::Value;
use std::sync::OnceLock;

/// The pack schema, as shipped in `schemas/`.
pub const PACK_SCHEMA: &str = include_str!("../../../schemas/pack.v1.schema.json");

struct Validators {
    manifest: jsonschema::Validator,
    rule: jsonschema::Validator,
    catalog: jsonschema::Validator,
}

fn validators() -> Result<&'static Validators, String> {
    static VALIDATORS: OnceLock<Result<Validators, String>> = OnceLock::new();
    VALIDATORS
        .get_or_init(|| {
            let root: Value = serde_json::from_str(PACK_SCHEMA).map_err(|e| e.to_string())?;
            let defs = root.get("$defs").cloned().unwrap_or(Value::Null);
            // A `$defs` entry as a schema of its own, sharing the other definitions.
            let part = |name: &str| -> Result<jsonschema::Validator, String> {
                let schema =
                    serde_json::json!({ "$defs": defs, "$ref": format!("#/$defs/{name}") });
                jsonschema::validator_for(&schema).map_err(|e| e.to_string())
            };
            Ok(Validators {
                manifest: jsonschema::validator_for(&root).map_err(|e| e.to_string())?,
                rule: part("rule")?,
                catalog: part("catalog")?,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Schema diagnostics for the pack's files (files that do not parse are left to the parser's
/// own diagnostics). A rule file `earlier` loaded unchanged is not checked again: it passed.
pub(super) fn check(files: &[PackFile], earlier: Option<&Pack>, diags: &mut Vec<Diagnostic>) {
    let v = match validators() {
        Ok(v) => v,
        Err(e) => {
            diags.push(Diagnostic::new(
                DiagnosticCode::Schema,
                "pack.toml",
                format!("the pack schema is unusable: {e}"),
            ));
            return;
        }
    };
    for f in files {
        if f.path == "pack.toml" {
            toml_file(&v.manifest, f, diags);
        } else if f.path == "controls.toml" {
            toml_file(&v.catalog, f, diags);
        } else if f.path.starts_with("rules/")
            && f.path.ends_with(".rhai")
            && earlier.is_none_or(|p| p.same_rule(&f.path, &f.text).is_none())
        {
            let header = Header::of(&f.text);
            let Ok(value) = toml::from_str::<toml::Value>(&header.text) else {
                continue;
            };
            let json = serde_json::to_value(value).unwrap_or(Value::Null);
            for e in v.rule.iter_errors(&json) {
                let pointer = e.instance_path().as_str().to_owned();
                let d = Diagnostic::new(
                    DiagnosticCode::Schema,
                    &f.path,
                    message(&pointer, &e.to_string()),
                );
                diags.push(match header.locate(&segments(&pointer), At::Entry) {
                    Some((line, col)) => d.at(line, col),
                    None => d,
                });
            }
        }
    }
}

fn toml_file(v: &jsonschema::Validator, f: &PackFile, diags: &mut Vec<Diagnostic>) {
    let Ok(value) = toml::from_str::<toml::Value>(&f.text) else {
        return;
    };
    let json = serde_json::to_value(value).unwrap_or(Value::Null);
    for e in v.iter_errors(&json) {
        let pointer = e.instance_path().as_str().to_owned();
        diags.push(lint::at_entry(
            Diagnostic::new(
                DiagnosticCode::Schema,
                &f.path,
                message(&pointer, &e.to_string()),
            ),
            &f.text,
            &segments(&pointer),
        ));
    }
}

fn message(pointer: &str, text: &str) -> String {
    if pointer.is_empty() {
        text.to_owned()
    } else {
        format!("{pointer}: {text}")
    }
}

/// The keys and indexes of a JSON Pointer (`/control/3/id` → `control`, `3`, `id`).
fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_problems_are_placed_in_their_files() {
        let files = [
            PackFile::new("pack.toml", "name = \"p\"\nversion = \"1\"\n"),
            PackFile::new(
                "controls.toml",
                "[[control]]\nid = \"CC1.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n\n[[control]]\nid = \"CC1.2\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"\"\n",
            ),
            PackFile::new(
                "rules/a.rhai",
                "//! id = \"NotAnId\"\n//! title = \"t\"\n//! controls = [\"CC1.1\"]\n//! severity = \"low\"\n//! owner = \"HR\"\n//! facts = []\n//! remediation = \"r\"\n",
            ),
        ];
        let mut diags = Vec::new();
        check(&files, None, &mut diags);
        let places: Vec<(&str, Option<u32>, &str)> = diags
            .iter()
            .map(|d| (d.file.as_str(), d.line, d.code.as_str()))
            .collect();
        assert!(
            places.contains(&("pack.toml", Some(2), "schema")),
            "{diags:#?}"
        );
        assert!(
            // The second control's title, not the first `title =` of the file.
            places.contains(&("controls.toml", Some(11), "schema")),
            "{diags:#?}"
        );
        assert!(
            places.contains(&("rules/a.rhai", Some(1), "schema")),
            "{diags:#?}"
        );
    }
}
