//! The auditor's bundle: everything behind one evaluation, in a folder or a zip file, with
//! a manifest of every file and its sha256, so an auditor can check that nothing changed and
//! evaluate it again to the same report. Each part of the bundle is added by one function
//! of `parts` (the report's formats by `formats`, the evidence files by `evidence`, the
//! samples by `samples`); the manifest (`manifest.json`) says how to evaluate it again.

pub mod accounted;
pub mod evidence;
pub mod formats;
mod layout;
mod manifest;
pub mod parts;
pub mod samples;
pub mod slice;
mod store;

pub use manifest::{Manifest, Rerun};
pub use store::{Staged, is_zip, read, refuse_existing};

use std::collections::BTreeMap;

/// The bundle's files by path (`/`-separated, relative to the bundle), in path order.
#[derive(Debug, Default, Clone)]
pub struct Files(pub BTreeMap<String, Vec<u8>>);

impl Files {
    /// Adds a file.
    pub fn add(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.0.insert(path.into(), bytes.into());
    }

    /// A file's bytes.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.0.get(path).map(Vec::as_slice)
    }

    /// A file's text, with an error naming it.
    pub fn text(&self, path: &str) -> Result<String, String> {
        let bytes = self
            .get(path)
            .ok_or_else(|| format!("{path}: not in the bundle"))?;
        String::from_utf8(bytes.to_vec()).map_err(|_| format!("{path}: not UTF-8 text"))
    }
}

/// The name a bundle gives a file of a list: its number (from 1, so the list's order shows)
/// and its own name.
pub fn numbered(n: usize, name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    format!("{n:02}-{base}")
}
