//! Text matching for rules: `glob_match`.

use rhai::{Engine, ImmutableString};

pub(super) fn register(engine: &mut Engine) {
    engine.register_fn(
        "glob_match",
        |pattern: ImmutableString, text: ImmutableString| glob_match(&pattern, &text),
    );
}

/// Whether `text` matches `pattern`, where `*` stands for any text (none included) and
/// every other character for itself; case counts.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    if first.len() + last.len() > text.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    // Each middle part at its first place after the previous one: with `*` the only
    // wildcard, the earliest place leaves the most room for the rest.
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn star_matches_any_text_and_the_rest_matches_itself() {
        for (pattern, text, matches) in [
            ("admin", "admin", true),
            ("admin", "Admin", false),
            ("*admin*", "sysadmin-ro", true),
            ("*admin*", "admi", false),
            ("*", "", true),
            ("a*", "a", true),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("*audit*", "auditor", true),
            ("db*ad*in", "db-read-admin", true),
            ("db*ad*in", "db-admin-read", false),
            ("*a*b*c*", "xaxbxcx", true),
            ("*a*b*c*", "xcxbxax", false),
            ("**", "anything", true),
            ("é*é", "éé", true),
            ("é*é", "é", false),
        ] {
            assert_eq!(glob_match(pattern, text), matches, "{pattern} on {text}");
        }
    }
}
