//! Which evidence records name a file an evidence root can hold: those with a `sha256` and
//! a relative `uri`.

use super::tree::Node;

/// Whether `uri` is a path relative to an evidence root: it names no scheme (`https:`,
/// `s3:`, `file:`), does not start with `/` or `\`, and has no `..` segment that would
/// leave the root.
pub(crate) fn is_relative(uri: &str) -> bool {
    is_path(uri) && !leaves_root(uri)
}

/// Whether `uri` is a path that does not start at a root: no scheme, no leading `/` or `\`.
pub(crate) fn is_path(uri: &str) -> bool {
    !uri.is_empty() && !has_scheme(uri) && !uri.starts_with(['/', '\\'])
}

/// Whether a `..` segment of `uri` climbs above where it starts (`../a.pdf`,
/// `a/../../b.pdf`); one that climbs back out of a folder the path went into
/// (`policies/../policies/x.md`) stays under it.
pub(crate) fn leaves_root(uri: &str) -> bool {
    let mut depth = 0usize;
    for segment in uri.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            _ => depth += 1,
        }
    }
    false
}

/// `scheme:` at the start (RFC 3986: a letter, then letters, digits, `+`, `-` or `.`). A
/// single letter before the colon is a Windows drive (`C:`), not relative either.
fn has_scheme(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The relative `uri` of every evidence record with a `sha256`, each once, sorted.
pub(crate) fn evidence_files(root: &Node) -> Vec<String> {
    let Some(Node::List(list)) = root.field("evidence") else {
        return Vec::new();
    };
    let mut uris: Vec<String> = list
        .items()
        .iter()
        .filter(|r| r.field("sha256").and_then(Node::as_str).is_some())
        .filter_map(|r| r.field("uri").and_then(Node::as_str))
        .filter(|uri| is_relative(uri))
        .map(str::to_string)
        .collect();
    crate::sorting::sort(&mut uris);
    uris.dedup();
    uris
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_relative_and_nothing_else_is() {
        for uri in [
            "board/minutes-2026-q1.pdf",
            "a.pdf",
            "docs\\x.pdf",
            "./a/b.txt",
            "./policies/../policies/x.md",
            "a\\..\\b.pdf",
            "a:b/c",
        ] {
            // `a:b/c` has a one-letter "scheme": a drive letter, which is not relative.
            assert_eq!(is_relative(uri), uri != "a:b/c", "{uri}");
        }
        for uri in [
            "",
            "/etc/passwd",
            "\\\\server\\share\\x.pdf",
            "https://drive.example.com/x",
            "s3://bucket/key",
            "file:x.pdf",
            "C:\\evidence\\x.pdf",
            "../outside.pdf",
            "a/../../b.pdf",
            "a/./../../b.pdf",
            "a\\..\\..\\b.pdf",
        ] {
            assert!(!is_relative(uri), "{uri}");
        }
        assert!(leaves_root("a/../../b.pdf"));
        assert!(!leaves_root("a/..b/c.pdf"));
    }
}
