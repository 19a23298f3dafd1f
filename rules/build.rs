//! Embeds every file of the built-in packs (`rules/<pack>/`) into the crate, so the CLI
//! and the WebAssembly module carry them without touching the file system.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, io};

const PACKS: [&str; 1] = ["soc2"];

fn main() -> io::Result<()> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(io::Error::other)?);
    let mut code = String::new();
    for pack in PACKS {
        let dir = root.join(pack);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        collect(&dir, &dir, &mut files)?;
        files.sort();
        // Two lists: the files a run needs (manifest, catalog, rules, helpers), and the rules'
        // cases, which only testing and checking the pack read.
        let (cases, run): (Vec<_>, Vec<_>) = files
            .into_iter()
            .partition(|(rel, _)| rel.ends_with(".cases.json"));
        let name = pack.to_uppercase();
        for (list, what, entries) in [
            (name.clone(), "the files a run reads", run),
            (format!("{name}_CASES"), "the rules' cases", cases),
        ] {
            let _ = writeln!(
                code,
                "/// Files of the `{pack}` pack, {what}: (path in the pack, text)."
            );
            let _ = writeln!(code, "pub static {list}: &[(&str, &str)] = &[");
            for (rel, abs) in entries {
                let _ = writeln!(code, "    ({rel:?}, include_str!({abs:?})),");
            }
            code.push_str("];\n");
        }
    }
    let out = PathBuf::from(env::var("OUT_DIR").map_err(io::Error::other)?);
    fs::write(out.join("packs.rs"), code)
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(base, &path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "toml" || e == "rhai" || e == "json")
        {
            let rel = path
                .strip_prefix(base)
                .map_err(io::Error::other)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path.display().to_string()));
        }
    }
    Ok(())
}
