//! Loading a pack from its files, step by step: the manifest, the base it extends, the
//! facts schema (facts-v1 with the extensions of the pack and its bases), the catalog, the
//! parameters, the pack's own rules and modules, the inherited rules (minus the overridden
//! and the disabled), the lints, and the schema checks. Every step reports what it finds and
//! goes on, so one run gives every diagnostic.

use super::diagnostic::{Diagnostic, DiagnosticCode};
use super::{
    Control, DisabledRule, FACTS_EXTENSION, Manifest, Module, Pack, PackFile, ParamType, Rule,
    from_toml, is_pack_file, lint, model, rule,
};
use crate::digest;
use crate::facts::{FactsSchema, extension};
use crate::suggest;
use std::borrow::Cow;
use std::sync::Arc;

/// Loads what can be loaded and collects every diagnostic; the lints take what they worked
/// out for `earlier`'s rules where a rule is unchanged ([`super::analysis::Analysis`]).
pub(crate) fn load(
    files: &[PackFile],
    base: Option<Pack>,
    earlier: Option<&Pack>,
) -> (Option<Pack>, Vec<Diagnostic>) {
    let files = pack_files(files);
    let files = files.as_ref();
    let mut diags = Vec::new();
    duplicate_paths(files, &mut diags);
    let Some((mut manifest, manifest_text)) = manifest(files, &mut diags) else {
        return (None, diags);
    };
    let base = resolve_base(&manifest, base, &mut diags);
    let facts_schema = facts_schema(files, &manifest.name, base.as_ref(), &mut diags);
    let controls = catalog(files, base.as_ref(), &mut diags);
    let own_params = params(&mut manifest, manifest_text, base.as_ref(), &mut diags);
    let (own_rules, own_modules) = own_files(files, &manifest.name, earlier, &mut diags);
    let (mut rules, disabled) = inherit(
        &manifest,
        manifest_text,
        base.as_ref(),
        &own_rules,
        &mut diags,
    );
    let first_own = rules.len();
    rules.extend(own_rules);
    // With an extension that does not load, the facts its rules read cannot be checked.
    let contract = match &facts_schema {
        Ok(Some(schema)) => Some(schema),
        Ok(None) => FactsSchema::shipped().ok(),
        Err(()) => None,
    };
    lint::rules(
        &mut rules[first_own..],
        &controls,
        &manifest,
        contract,
        earlier,
        &mut diags,
    );
    lint::unused_params(&rules, &own_params, manifest_text, &mut diags);
    schema_checks(files, earlier, &mut diags);

    let mut modules = base.as_ref().map(|b| b.modules.clone()).unwrap_or_default();
    modules.extend(own_modules);
    let pack = Pack {
        manifest,
        controls,
        rules,
        disabled,
        modules,
        facts_schema: facts_schema.unwrap_or_default(),
        digest: pack_digest(files, base.as_ref()),
        warnings: Vec::new(),
    };
    (Some(pack), diags)
}

/// The files of `files` that are pack files ([`is_pack_file`]; any other is ignored), each
/// without the byte order mark that may open it; borrowed when that is all of them, as given.
fn pack_files(files: &[PackFile]) -> Cow<'_, [PackFile]> {
    let marked = |f: &PackFile| f.text.starts_with('\u{feff}');
    if files.iter().all(|f| is_pack_file(&f.path) && !marked(f)) {
        return Cow::Borrowed(files);
    }
    Cow::Owned(
        files
            .iter()
            .filter(|f| is_pack_file(&f.path))
            .map(without_bom)
            .collect(),
    )
}

/// `f` without the UTF-8 byte order mark that may open it (Windows editors write one): as
/// if it were not there, for every check, position and digest, as in facts files.
fn without_bom(f: &PackFile) -> PackFile {
    PackFile::new(&f.path, crate::facts::json::without_bom(&f.text))
}

/// A path given to more than one file: only the first would count for the manifest and the
/// catalog, and two rules or modules would share a path, so the pack is refused.
fn duplicate_paths(files: &[PackFile], diags: &mut Vec<Diagnostic>) {
    let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    crate::sorting::sort(&mut paths);
    for (i, path) in paths.iter().enumerate() {
        let repeats = paths[i..].iter().take_while(|p| *p == path).count();
        if repeats > 1 && (i == 0 || paths[i - 1] != *path) {
            diags.push(Diagnostic::new(
                DiagnosticCode::DuplicateFile,
                path,
                format!("{repeats} files have the path `{path}`; a pack has one file per path"),
            ));
        }
    }
}

fn find<'a>(files: &'a [PackFile], path: &str) -> Option<&'a PackFile> {
    files.iter().find(|f| f.path == path)
}

/// `pack.toml`, parsed, and its text.
fn manifest<'a>(files: &'a [PackFile], diags: &mut Vec<Diagnostic>) -> Option<(Manifest, &'a str)> {
    let Some(f) = find(files, "pack.toml") else {
        diags.push(Diagnostic::new(
            DiagnosticCode::MissingFile,
            "pack.toml",
            "the pack has no pack.toml",
        ));
        return None;
    };
    let manifest = read(
        f,
        from_toml::manifest,
        DiagnosticCode::InvalidManifest,
        diags,
    )?;
    Some((manifest, f.text.as_str()))
}

/// The base pack, when the manifest extends one (an error when it was not provided).
fn resolve_base(
    manifest: &Manifest,
    base: Option<Pack>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Pack> {
    let extends = manifest.extends.as_deref()?;
    if base.is_none() {
        diags.push(Diagnostic::new(
            DiagnosticCode::UnresolvedExtends,
            "pack.toml",
            format!("the pack extends `{extends}`, which was not provided"),
        ));
    }
    base
}

/// The facts schema of the pack: the base's (`None`: facts-v1), extended by the pack's own
/// `facts.schema.json` when it has one. `Err` when that file cannot be used (the diagnostics
/// say why).
fn facts_schema(
    files: &[PackFile],
    pack: &str,
    base: Option<&Pack>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Arc<FactsSchema>>, ()> {
    let inherited = base.and_then(|b| b.facts_schema.clone());
    let Some(f) = find(files, FACTS_EXTENSION) else {
        return Ok(inherited);
    };
    let problem =
        |message: String| Diagnostic::new(DiagnosticCode::InvalidFactsSchema, &f.path, message);
    let extension = match crate::facts::json::parse(&f.text) {
        Ok(value) => value,
        Err(e) => {
            let message = crate::facts::json_message(&e);
            let (line, column) = crate::facts::json_place(&f.text, &e);
            diags.push(problem(format!("invalid JSON: {message}")).at(
                u32::try_from(line).unwrap_or(u32::MAX),
                u32::try_from(column).unwrap_or(u32::MAX),
            ));
            return Err(());
        }
    };
    let base_schema = match &inherited {
        Some(schema) => Arc::clone(schema),
        None => match FactsSchema::shipped() {
            Ok(schema) => Arc::clone(schema),
            Err(e) => {
                diags.push(problem(format!("the facts schema is unusable: {e}")));
                return Err(());
            }
        },
    };
    match extension::extend(&base_schema, pack, &extension) {
        Ok(schema) => Ok(Some(Arc::new(schema))),
        Err(problems) => {
            for p in problems {
                let shown = if p.pointer.is_empty() {
                    p.message
                } else {
                    format!("{}: {}", p.pointer, p.message)
                };
                let d = problem(shown);
                diags.push(match crate::place::json_offset(&f.text, &p.pointer) {
                    Some(offset) => d.at_offset(&f.text, offset),
                    None => d,
                });
            }
            Err(())
        }
    }
}

/// The catalog: the base's, then this pack's entries (replacing same ids), in natural id
/// order.
fn catalog(files: &[PackFile], base: Option<&Pack>, diags: &mut Vec<Diagnostic>) -> Vec<Control> {
    let mut controls = base.map(|b| b.controls.clone()).unwrap_or_default();
    match find(files, "controls.toml") {
        Some(f) => {
            let own = read(f, from_toml::catalog, DiagnosticCode::InvalidCatalog, diags);
            for c in own.unwrap_or_default() {
                if let Some(slot) = controls.iter_mut().find(|x| x.id == c.id) {
                    if base.is_none() {
                        diags.push(Diagnostic::new(
                            DiagnosticCode::DuplicateControl,
                            "controls.toml",
                            format!("control `{}` is listed twice", c.id),
                        ));
                    }
                    *slot = c;
                } else {
                    controls.push(c);
                }
            }
        }
        None if base.is_none() => diags.push(Diagnostic::new(
            DiagnosticCode::MissingFile,
            "controls.toml",
            "the pack has no controls.toml (the control catalog)",
        )),
        None => {}
    }
    crate::sorting::sort_by(&mut controls, |a, b| model::natural_cmp(&a.id, &b.id));
    controls
}

/// Merges the parameters into the manifest: the base's (with its values), then this pack's
/// declarations, then its `[set]` values. Returns the names the pack declares itself.
fn params(
    manifest: &mut Manifest,
    text: &str,
    base: Option<&Pack>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let own = std::mem::take(&mut manifest.params);
    let own_names: Vec<String> = own.keys().cloned().collect();
    let mut params = base.map(|b| b.manifest.params.clone()).unwrap_or_default();
    for (name, spec) in own {
        let at = |d: Diagnostic| lint::at_entry(d, text, &["params", &name]);
        if params.contains_key(&name) {
            diags.push(at(Diagnostic::new(
                DiagnosticCode::DuplicateParam,
                "pack.toml",
                format!("parameter `{name}` is already declared by the base pack; use [set] to change its value"),
            )));
            continue;
        }
        let listed = matches!(spec.kind, ParamType::String | ParamType::StringList);
        if spec.values.is_some() && !listed {
            diags.push(at(Diagnostic::new(
                DiagnosticCode::InvalidParam,
                "pack.toml",
                format!(
                    "parameter `{name}`: `values` applies to string and string_list parameters, not {}",
                    spec.kind.as_str()
                ),
            )));
        } else if let Err(e) = spec.check(&spec.default) {
            diags.push(at(Diagnostic::new(
                DiagnosticCode::InvalidParam,
                "pack.toml",
                format!("parameter `{name}`: default {e}"),
            )));
        }
        params.insert(name, spec);
    }
    for (name, value) in &manifest.set {
        let at = |d: Diagnostic| lint::at_entry(d, text, &["set", name]);
        match params.get_mut(name) {
            None => diags.push(at(Diagnostic::new(
                DiagnosticCode::UndeclaredParam,
                "pack.toml",
                format!(
                    "[set] `{name}`: no such parameter in this pack or its base{}",
                    suggest::did_you_mean(name, params.keys().map(String::as_str))
                ),
            ))),
            Some(spec) => match spec.check(value) {
                Ok(()) => spec.default = value.clone(),
                Err(e) => diags.push(at(Diagnostic::new(
                    DiagnosticCode::InvalidParam,
                    "pack.toml",
                    format!("[set] `{name}`: {e}"),
                ))),
            },
        }
    }
    manifest.params = params;
    own_names
}

/// The pack's own rules (`rules/**/*.rhai`, with their cases) and helper modules
/// (`lib/<name>.rhai`), in path order; a rule `earlier` has unchanged keeps its header.
fn own_files(
    files: &[PackFile],
    pack: &str,
    earlier: Option<&Pack>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Rule>, Vec<Module>) {
    let mut sorted: Vec<&PackFile> = files.iter().collect();
    crate::sorting::sort_by(&mut sorted, |a, b| a.path.cmp(&b.path));
    let mut rules = Vec::new();
    let mut modules = Vec::new();
    for f in sorted {
        let rhai = f.path.ends_with(".rhai");
        let code = rhai && (f.path.starts_with("rules/") || f.path.starts_with("lib/"));
        if let Some(d) = code.then(|| lone_carriage_return(f)).flatten() {
            diags.push(d);
            continue;
        }
        if f.path.starts_with("rules/") && rhai {
            let unchanged = earlier.and_then(|p| p.same_rule(&f.path, &f.text));
            match unchanged.map_or_else(|| rule::parse(&f.path, &f.text), |r| Ok(r.meta.clone())) {
                Ok(meta) => {
                    let cases_path = format!("{}.cases.json", f.path.trim_end_matches(".rhai"));
                    rules.push(Rule {
                        meta,
                        pack: pack.to_owned(),
                        path: f.path.clone(),
                        source: f.text.clone(),
                        cases: find(files, &cases_path).map(|c| c.text.clone()),
                        analysis: None,
                    });
                }
                Err(d) => diags.push(d),
            }
        } else if let Some(name) = f
            .path
            .strip_prefix("lib/")
            .and_then(|p| p.strip_suffix(".rhai"))
        {
            modules.push(Module {
                pack: pack.to_owned(),
                name: name.to_owned(),
                path: f.path.clone(),
                source: f.text.clone(),
            });
        }
    }
    (rules, modules)
}

/// A carriage return not followed by a line feed in a Rhai file, as a diagnostic at its place.
/// Rhai reads one as a line break where editors, terminals and line numbers may not, so code
/// after it could hide on what shows as a comment line: the file is refused.
fn lone_carriage_return(f: &PackFile) -> Option<Diagnostic> {
    let (at, _) = f
        .text
        .match_indices('\r')
        .find(|(i, _)| f.text.as_bytes().get(i + 1) != Some(&b'\n'))?;
    Some(
        Diagnostic::new(
            DiagnosticCode::SyntaxError,
            &f.path,
            "a carriage return not followed by a line feed: Rhai would read it as a line break that editors may not show (save the file with LF or CRLF line endings)",
        )
        .at_offset(&f.text, at),
    )
}

/// The inherited rules still active (those the pack neither overrides nor disables), and the
/// disabled rules, the base's (but those the pack overrides) and the pack's.
fn inherit(
    manifest: &Manifest,
    text: &str,
    base: Option<&Pack>,
    own_rules: &[Rule],
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Rule>, Vec<DisabledRule>) {
    let mut disabled = base.map(|b| b.disabled.clone()).unwrap_or_default();
    // A rule of the pack with the id of one its base disabled replaces it, as it would an
    // active one: the rule runs, and is no longer listed as disabled.
    disabled.retain(|d| !own_rules.iter().any(|o| o.meta.id == d.meta.id));
    let inherited = base.map(|b| b.rules.clone()).unwrap_or_default();
    for (id, reason) in &manifest.disable {
        let at = |d: Diagnostic| lint::at_entry(d, text, &["disable", id]);
        let own = own_rules.iter().find(|o| &o.meta.id == id);
        if !inherited.iter().any(|r| &r.meta.id == id) {
            let why = match own {
                // Not inherited, so nothing to turn off: the file is the pack's own rule.
                Some(own) => format!(
                    "[disable] `{id}`: the base pack has no such rule; `{id}` is this pack's own, in {}: remove the file to turn it off",
                    own.path
                ),
                None => format!(
                    "[disable] `{id}`: the base pack has no such rule{}",
                    suggest::did_you_mean(id, inherited.iter().map(|r| r.meta.id.as_str()))
                ),
            };
            diags.push(at(Diagnostic::new(
                DiagnosticCode::UnknownRule,
                "pack.toml",
                why,
            )));
        } else if let Some(own) = own {
            // Both would reach the report, under the same id: the rule run and the rule off.
            diags.push(at(Diagnostic::new(
                DiagnosticCode::DisabledOverride,
                "pack.toml",
                format!(
                    "[disable] `{id}`: the pack also overrides it, in {}; remove the [disable] entry to run the override, or the file to turn the rule off",
                    own.path
                ),
            )));
        }
        if reason.trim().is_empty() {
            diags.push(at(Diagnostic::new(
                DiagnosticCode::MissingReason,
                "pack.toml",
                format!("[disable] `{id}`: give the reason the rule is turned off"),
            )));
        }
    }
    let mut rules = Vec::new();
    for r in inherited {
        if let Some(reason) = manifest.disable.get(&r.meta.id) {
            disabled.push(DisabledRule {
                meta: r.meta,
                reason: reason.clone(),
            });
        } else if !own_rules.iter().any(|o| o.meta.id == r.meta.id) {
            rules.push(r);
        }
    }
    (rules, disabled)
}

/// Schema checks, except for files whose syntax or shape is already reported.
#[cfg(feature = "jsonschema")]
fn schema_checks(files: &[PackFile], earlier: Option<&Pack>, diags: &mut Vec<Diagnostic>) {
    let mut shaped = Vec::new();
    super::schema::check(files, earlier, &mut shaped);
    let broken: Vec<String> = diags
        .iter()
        .filter(|d| d.code.is_shape_error())
        .map(|d| d.file.clone())
        .collect();
    diags.extend(shaped.into_iter().filter(|d| !broken.contains(&d.file)));
}

/// Builds without the `jsonschema` feature leave the schema checks out (see `schema`).
#[cfg(not(feature = "jsonschema"))]
fn schema_checks(_: &[PackFile], _: Option<&Pack>, _: &mut Vec<Diagnostic>) {}

/// sha256 over every pack file of the pack and of its bases that a run reads: the rules' cases
/// (`*.cases.json`), which only checking and testing the pack read, are not part of it, so the
/// WebAssembly module, which carries the built-in pack without them, gives the same digest.
fn pack_digest(files: &[PackFile], base: Option<&Pack>) -> String {
    let own = digest::files(
        files
            .iter()
            .filter(|f| !f.path.ends_with(".cases.json"))
            .map(|f| (f.path.as_str(), f.text.as_str())),
    );
    match base {
        Some(b) => digest::files([("base", b.digest.as_str()), ("pack", own.as_str())]),
        None => own,
    }
}

/// `f` read by `reader`; its mistake, placed in the file, goes to `diags`.
fn read<T>(
    f: &PackFile,
    reader: fn(&str) -> Result<T, from_toml::Mistake>,
    code: DiagnosticCode,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    reader(&f.text)
        .map_err(|e| {
            let d = Diagnostic::new(code, &f.path, e.message);
            diags.push(match e.offset {
                Some(offset) => d.at_offset(&f.text, offset),
                None => d,
            });
        })
        .ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const MANIFEST: &str =
        "name = \"t\"\nversion = \"1.0.0\"\nframework = \"SOC 2\"\ndescription = \"t\"\n";
    const CATALOG: &str =
        "[[control]]\nid = \"CC1.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n";
    const RULE: &str = "//! id = \"t.r\"\n//! title = \"t\"\n//! controls = [\"CC1.1\"]\n//! severity = \"low\"\n//! owner = \"HR\"\n//! facts = [\"people\"]\n//! remediation = \"r\"\ntested(facts.people);\n";

    /// The pack's three files, each opening with `mark`.
    fn files(mark: &str, rule: &str) -> Vec<PackFile> {
        vec![
            PackFile::new("pack.toml", format!("{mark}{MANIFEST}")),
            PackFile::new("controls.toml", format!("{mark}{CATALOG}")),
            PackFile::new("rules/r.rhai", format!("{mark}{rule}")),
        ]
    }

    #[test]
    fn files_that_are_no_pack_files_are_ignored() {
        let plain = Pack::from_files(&files("", RULE)).unwrap();
        let mut more = files("", RULE);
        more.push(PackFile::new("README.md", "# t\n"));
        more.push(PackFile::new("rules/notes.txt", "bogus"));
        more.push(PackFile::new("rules/.rhai", "bogus"));
        let loaded = Pack::from_files(&more).unwrap();
        assert_eq!(loaded.digest(), plain.digest());
        assert_eq!(loaded.rules().len(), 1);
        // The rule is the file's name: a folder's dot counts for nothing.
        assert!(is_pack_file("rules/a.b/r.rhai"));
        assert!(!is_pack_file("rules.rhai/notes"));
        assert!(!is_pack_file(".toml"));
        assert!(is_pack_file("facts.schema.json"));
    }

    #[test]
    fn a_byte_order_mark_opening_a_file_is_ignored() {
        let plain = Pack::from_files(&files("", RULE)).unwrap();
        let marked = Pack::from_files(&files("\u{feff}", RULE)).unwrap();
        assert_eq!(marked.digest(), plain.digest());
        assert_eq!(marked.rules().len(), 1);
        // A mistake is found at the same line and column.
        let broken = RULE.replace("\"low\"", "\"lowest\"");
        let found = |mark| {
            let err = Pack::from_files(&files(mark, &broken)).unwrap_err();
            let found: Vec<_> = err.0.iter().map(|d| (d.code, d.line, d.column)).collect();
            found
        };
        assert!(
            found("").iter().any(|(_, line, _)| *line == Some(4)),
            "{:?}",
            found("")
        );
        assert_eq!(found("\u{feff}"), found(""));
    }
}
