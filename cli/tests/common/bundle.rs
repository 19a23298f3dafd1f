//! What the bundle tests share: a copy of the examples, making and verifying a bundle, and
//! reading and editing its manifest as someone covering a change would.

use super::{attest_in, scratch, stdout};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// A copy of the examples, so the bundle's names are as a project would have them.
pub fn examples(name: &str) -> PathBuf {
    let dir = scratch(name);
    copy(&super::repo().join("examples"), &dir.join("examples"));
    dir
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy(&p, &target);
        } else {
            fs::copy(&p, &target).unwrap();
        }
    }
}

/// Bundles the Acme example with its pack, waivers and the ledger `ledger.jsonl` in `dir`.
pub fn bundle(dir: &Path, output: &str) -> std::process::Output {
    attest_in(
        dir,
        &[
            "bundle",
            "examples/acme",
            "--pack",
            "examples/acme-pack",
            "--waivers",
            "examples/waivers.json",
            "--ledger",
            "ledger.jsonl",
            "--output",
            output,
        ],
    )
}

/// `attest bundle verify`: the exit code and standard output.
pub fn verify(dir: &Path, bundle: &str) -> (i32, String) {
    let out = attest_in(dir, &["bundle", "verify", bundle]);
    (out.status.code().unwrap(), stdout(&out))
}

/// Every file below `dir`.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The sha256 of `bytes`, by `sha256sum`.
pub fn sha256(bytes: &[u8]) -> String {
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// The manifest of the bundle folder `b`.
pub fn manifest(b: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(b.join("manifest.json")).unwrap()).unwrap()
}

/// Writes the manifest of the bundle folder `b`.
pub fn write_manifest(b: &Path, manifest: &Value) {
    fs::write(
        b.join("manifest.json"),
        serde_json::to_string_pretty(manifest).unwrap(),
    )
    .unwrap();
}

/// Lists `path`'s sha256 and size in the manifest as the file now is (adding it when not
/// listed), as someone covering a change would.
pub fn relist(b: &Path, path: &str) {
    let mut m = manifest(b);
    let bytes = fs::read(b.join(path)).unwrap();
    let entry = serde_json::json!({"path": path, "sha256": sha256(&bytes), "bytes": bytes.len()});
    let files = m["files"].as_array_mut().unwrap();
    match files.iter_mut().find(|f| f["path"] == path) {
        Some(f) => *f = entry,
        None => files.push(entry),
    }
    write_manifest(b, &m);
}

/// Takes `path` out of the manifest's list of files, as someone covering its removal would.
pub fn unlist(b: &Path, path: &str) {
    let mut m = manifest(b);
    m["files"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["path"] != path);
    write_manifest(b, &m);
}
