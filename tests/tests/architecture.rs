//! The engine's module structure: no module imports, directly or through others, a module
//! that imports it. Read from the source: every `crate::module` and `super::module` path in
//! code (comments aside) is an edge from the file's module to that module, both among the
//! crate's top-level modules and among the files of one folder. And outside its hot paths,
//! the engine sorts through one compiled sort (`attest_engine::sorting`).

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name -> the modules it uses.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every `.rs` file under `dir`, as (path relative to `dir` without `.rs`, text).
fn sources(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            sources(&path, &format!("{prefix}{name}/"), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                format!("{prefix}{name}"),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
}

/// The first path segments after `marker` in the code of `text` (comments left out):
/// `crate::report::Status` gives `report`; `crate::{report::Status, facts}` gives both.
fn uses_after<'t>(text: &'t str, marker: &str) -> Vec<&'t str> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices(marker) {
            let rest = &code[at + marker.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if end > 0 {
                found.push(&rest[..end]);
            }
        }
    }
    // Groups may span lines: the top-level items of `marker{ ... }`.
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    let group = format!("{marker}{{");
    for (at, _) in code.match_indices(&group) {
        let (mut depth, mut start) = (0, at + group.len());
        for (i, c) in code[start..]
            .char_indices()
            .map(|(i, c)| (i + at + group.len(), c))
        {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    found.extend(first_segment(text, &code[start..i]));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    found.extend(first_segment(text, &code[start..i]));
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    found
}

/// The first segment of a path written in `item`, as a slice of `text` (where it also
/// appears), so the result borrows from the source.
fn first_segment<'t>(text: &'t str, item: &str) -> Option<&'t str> {
    let name = item.trim().split("::").next()?.trim();
    let name = name.split_whitespace().next()?;
    (!name.is_empty() && name != "self")
        .then(|| text.find(name).map(|at| &text[at..at + name.len()]))
        .flatten()
}

/// The module graphs of the engine: top-level modules, and the files of each folder.
fn graphs() -> BTreeMap<String, Graph> {
    let src = attest_tests::repo_root().join("engine/src");
    let mut files = Vec::new();
    sources(&src, "", &mut files);
    let top_level: BTreeSet<String> = files
        .iter()
        .map(|(p, _)| p.split('/').next().unwrap_or("").to_owned())
        .filter(|m| m != "lib")
        .collect();
    let mut graphs: BTreeMap<String, Graph> = BTreeMap::new();
    for (path, text) in &files {
        let parts: Vec<&str> = path.split('/').collect();
        let top = parts[0].to_owned();
        if top == "lib" {
            continue;
        }
        for used in uses_after(text, "crate::") {
            if used != top && top_level.contains(used) {
                graphs
                    .entry("engine/src".to_owned())
                    .or_default()
                    .entry(top.clone())
                    .or_default()
                    .insert(used.to_owned());
            }
        }
        // Among the files of one folder: `folder/a.rs` using `super::b` (or `folder/mod.rs`
        // using `b::`, which is its own child and not a cycle).
        if parts.len() == 2 && parts[1] != "mod" {
            let folder = format!("engine/src/{}", parts[0]);
            let siblings: BTreeSet<&str> = files
                .iter()
                .filter_map(|(p, _)| p.strip_prefix(&format!("{}/", parts[0])))
                .filter(|p| !p.contains('/') && *p != "mod")
                .collect();
            let mut used: Vec<&str> = uses_after(text, "super::");
            used.extend(uses_after(text, &format!("crate::{}::", parts[0])));
            for name in used {
                if name != parts[1] && siblings.contains(name) {
                    graphs
                        .entry(folder.clone())
                        .or_default()
                        .entry(parts[1].to_owned())
                        .or_default()
                        .insert(name.to_owned());
                }
            }
        }
    }
    graphs
}

/// A cycle in `graph`, as the modules along it, if there is one.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_engine_has_no_import_cycle() {
    let graphs = graphs();
    assert!(
        graphs.contains_key("engine/src"),
        "no module graph was read"
    );
    let cycles: Vec<String> = graphs
        .iter()
        .filter_map(|(folder, graph)| cycle(graph).map(|c| format!("{folder}: {}", c.join(" -> "))))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(cycle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let used = uses_after(
        "use crate::{report::Status, facts};\n// crate::ignored\nlet x = crate::pack::load();",
        "crate::",
    );
    assert!(used.contains(&"report") && used.contains(&"facts") && used.contains(&"pack"));
    assert!(!used.contains(&"ignored"));
}

/// The standard sorts a file's code calls (tests and comments left out): `.sort(`,
/// `.sort_by(`... each with its line number.
fn std_sorts(text: &str) -> Vec<(usize, String)> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let line = line.split("//").next().unwrap_or("");
        for call in [
            ".sort(",
            ".sort_by(",
            ".sort_by_key(",
            ".sort_by_cached_key(",
            ".sort_unstable(",
            ".sort_unstable_by(",
            ".sort_unstable_by_key(",
        ] {
            if line.contains(call) {
                found.push((n + 1, line.trim().to_owned()));
            }
        }
    }
    found
}

/// Outside its hot paths, the engine sorts through `sorting` (one compiled sort for every
/// element type, which keeps the WebAssembly module small), and so do the renderers and the
/// module's API.
#[test]
fn the_cold_paths_sort_through_one_sort() {
    let root = attest_tests::repo_root();
    let mut files = Vec::new();
    sources(&root.join("engine/src"), "engine/src/", &mut files);
    sources(
        &root.join("engine/render/src"),
        "engine/render/src/",
        &mut files,
    );
    sources(&root.join("wasm/src"), "wasm/src/", &mut files);
    let cold = [
        "engine/render/src/",
        "engine/src/report/",
        "engine/src/pack/",
        "engine/src/evidence/",
        "engine/src/cases",
        "engine/src/sample",
        "engine/src/waivers",
        "engine/src/digest",
        "engine/src/sandbox",
        "wasm/src/",
    ];
    let mut checked = 0;
    let mut offending = Vec::new();
    for (path, text) in &files {
        if !cold.iter().any(|c| path.starts_with(c)) {
            continue;
        }
        checked += 1;
        for (line, code) in std_sorts(text) {
            offending.push(format!("{path}.rs:{line}: {code}"));
        }
    }
    assert!(checked > 20, "only {checked} files read");
    assert!(
        offending.is_empty(),
        "sort these with attest_engine::sorting:\n{}",
        offending.join("\n")
    );
}

#[test]
fn std_sorts_are_found_in_code_only() {
    let text = "fn f(v: &mut Vec<u8>) {\n    v.sort_unstable(); // v.sort_by(x)\n}\n// v.sort();\n#[cfg(test)]\nmod tests { fn g() { w.sort(); } }\n";
    assert_eq!(std_sorts(text), vec![(2, "v.sort_unstable();".to_owned())]);
}
