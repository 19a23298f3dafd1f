//! Text for rules: matching (`glob_match`) and numbers of days in findings' messages
//! (`days`, `in_days`).

use rhai::{Engine, INT, ImmutableString};

pub(super) fn register(engine: &mut Engine) {
    engine
        .register_fn(
            "glob_match",
            |pattern: ImmutableString, text: ImmutableString| glob_match(&pattern, &text),
        )
        .register_fn("days", days)
        .register_fn("in_days", in_days);
}

/// `n` days as a message says it: "1 day", "0 days", "12 days".
fn days(n: INT) -> String {
    crate::date::say_days(n)
}

/// A date `n` days from the as-of date, said from it: "today", "tomorrow", "in 3 days",
/// "yesterday", "3 days ago".
fn in_days(n: INT) -> String {
    match n {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        -1 => "yesterday".to_owned(),
        n if n < 0 => format!("{} days ago", n.unsigned_abs()),
        n => format!("in {n} days"),
    }
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
    use super::{days, glob_match, in_days};

    #[test]
    fn days_are_said_as_a_message_says_them() {
        assert_eq!(days(1), "1 day");
        assert_eq!(days(0), "0 days");
        assert_eq!(days(12), "12 days");
        let said: Vec<String> = [-3, -1, 0, 1, 2, 30].into_iter().map(in_days).collect();
        assert_eq!(
            said,
            [
                "3 days ago",
                "yesterday",
                "today",
                "tomorrow",
                "in 2 days",
                "in 30 days"
            ]
        );
        assert_eq!(in_days(i64::MIN), "9223372036854775808 days ago");
    }

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
