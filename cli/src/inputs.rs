//! Reading what the user points at: facts files and folders, and pack folders. This is
//! the only place the CLI reads input from disk, with `evidence` for the files of an
//! evidence root.

use attest_engine::PackFile;
use std::fs;
use std::path::{Path, PathBuf};

/// Facts sources as (name shown to people, text), in merge order: arguments in the order
/// given, each folder's `*.json` files in file-name order.
pub fn read_facts(paths: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            let mut inner: Vec<PathBuf> = fs::read_dir(path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
                .collect();
            inner.sort();
            if inner.is_empty() {
                return Err(format!(
                    "{}: the folder has no *.json files",
                    path.display()
                ));
            }
            files.extend(inner);
        } else {
            files.push(path.clone());
        }
    }
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            Ok((display(&p), text))
        })
        .collect()
}

/// Every file of a pack folder, with paths relative to it.
pub fn read_pack(dir: &Path) -> Result<Vec<PackFile>, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a pack folder", dir.display()));
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The built-in SOC 2 pack.
pub fn builtin_pack() -> Vec<PackFile> {
    attest_rules::soc2()
        .iter()
        .map(|(path, text)| PackFile::new(*path, *text))
        .collect()
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<PackFile>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            walk(base, &path, out)?;
            continue;
        }
        let wanted = path
            .extension()
            .is_some_and(|e| e == "toml" || e == "rhai" || e == "json");
        if !wanted {
            continue;
        }
        let rel = path
            .strip_prefix(base)
            .map_err(|e| e.to_string())?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        out.push(PackFile::new(rel, text));
    }
    Ok(())
}

/// A path as people typed it, with `/` separators.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A whole text file (a configuration, a waivers file), with an error naming it.
pub fn read_text(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", display(path)))
}

/// 1-based line and column of a byte offset of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
