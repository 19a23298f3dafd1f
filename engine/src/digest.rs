//! sha256 digests that identify exactly what was evaluated: the pack's files, and the facts
//! in canonical form (`facts::canonical` writes it).

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// sha256 of `bytes`, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// sha256 over files given as (path, content), in path order, each framed by its length.
pub(crate) fn files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut sorted: Vec<_> = files.into_iter().collect();
    crate::sorting::sort(&mut sorted);
    let mut hasher = Sha256::new();
    for (path, content) in sorted {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(content.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Bytes in lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_digest_is_order_independent_but_content_sensitive() {
        let one = files([("a", "1"), ("b", "2")]);
        assert_eq!(one, files([("b", "2"), ("a", "1")]));
        assert_ne!(one, files([("a", "12"), ("b", "")]));
    }
}
