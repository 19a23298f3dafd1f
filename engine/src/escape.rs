//! Showing untrusted text (names and keys from the facts, titles and messages from a pack,
//! file names) in formats people read, so that it is seen as written and never acted on.
//!
//! The characters a terminal, an editor or a browser would obey rather than show are
//! *hidden* characters: the C0 controls (escape, carriage return, backspace, NUL, line
//! feed...), DEL, the C1 controls (U+0080 to U+009F, CSI among them), the bidirectional
//! formatting characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069) and the
//! line and paragraph separators (U+2028, U+2029). Every format family shows them as
//! `\n`, `\r`, `\t` or `\u{hex}` (`\u{1b}`, `\u{202e}`):
//!
//! - [`line()`]: one value on one line (text reports, diffs, stderr messages): every hidden
//!   character escaped, line feeds included, so a value cannot start a line of its own.
//! - [`lines`]: text whose line breaks are its own (a rule's source, a multi-line message
//!   assembled from escaped values): line feeds, tabs and a carriage return before a line
//!   feed kept, everything else escaped.
//! - [`markdown`]: one value in Markdown: its syntax, HTML and table pipes escaped, hidden
//!   characters shown as in [`line()`].
//! - [`xml`]: one value in XML or HTML content or an attribute: markup escaped, hidden
//!   characters shown as in [`line()`] but tab (whitespace in both), and the noncharacters
//!   U+FFFE and U+FFFF, which XML forbids, shown too. A document's own line breaks are
//!   written between escaped values.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is acted on rather than shown by terminals, editors or browsers.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Appends the visible form of a hidden character.
fn show(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `text` with every character `escaped` says to escape shown visibly; borrowed when there
/// is none.
fn escape_if(text: &str, escaped: impl Fn(char, Option<char>) -> bool) -> Cow<'_, str> {
    let mut chars = text.chars().peekable();
    let mut out: Option<String> = None;
    let mut at = 0;
    while let Some(c) = chars.next() {
        if escaped(c, chars.peek().copied()) {
            let s = out.get_or_insert_with(|| {
                let mut s = String::with_capacity(text.len() + 8);
                s.push_str(&text[..at]);
                s
            });
            show(s, c);
        } else if let Some(s) = out.as_mut() {
            s.push(c);
        }
        at += c.len_utf8();
    }
    out.map_or(Cow::Borrowed(text), Cow::Owned)
}

/// One value on one line: every hidden character shown escaped, line feeds included.
pub fn line(text: &str) -> Cow<'_, str> {
    escape_if(text, |c, _| is_hidden(c))
}

/// Text whose own line breaks are kept: line feeds, tabs and the carriage return of a CRLF
/// line ending stay; every other hidden character is shown escaped.
pub fn lines(text: &str) -> Cow<'_, str> {
    escape_if(text, |c, next| match c {
        '\n' | '\t' => false,
        '\r' => next != Some('\n'),
        c => is_hidden(c),
    })
}

/// One value in Markdown (GitHub-flavoured), shown as written: Markdown and HTML syntax and
/// table pipes escaped, hidden characters shown as [`line()`] shows them, and an `@` that
/// does not follow an ASCII letter, digit or `_` followed by an empty HTML comment, so that a
/// value such as `@org/team` (or `x-@team`, `é@user`) in a pull-request comment shows as
/// written and mentions (notifies) no one; an email address is left as it is.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_word = false;
    for c in text.chars() {
        let opens_word = !after_word;
        after_word = c.is_ascii_alphanumeric() || c == '_';
        match c {
            '@' if opens_word => out.push_str("@<!-- -->"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if is_hidden(c) => show(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// One value in XML or HTML content or an attribute: markup escaped; hidden characters but
/// tab, and the noncharacters U+FFFE and U+FFFF (which XML 1.0 forbids), shown as [`line()`]
/// shows them.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push(c),
            '\u{fffe}' | '\u{ffff}' => show(&mut out, c),
            c if is_hidden(c) => show(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value that tries every trick: colour, a terminal title, an OSC 8 link, a carriage
    /// return and backspace over what came before, NUL, a right-to-left override, a CSI in
    /// its C1 form, and a forged line.
    const HOSTILE: &str = "a\u{1b}[31mred\u{1b}]0;title\u{7}\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\\rover\u{8}\u{0}\u{202e}txt.exe\u{9b}2J\nerror: forged";

    #[test]
    fn a_line_shows_every_hidden_character() {
        assert_eq!(
            line(HOSTILE),
            "a\\u{1b}[31mred\\u{1b}]0;title\\u{7}\\u{1b}]8;;http://x\\u{1b}\\link\\u{1b}]8;;\\u{1b}\\\\rover\\u{8}\\u{0}\\u{202e}txt.exe\\u{9b}2J\\nerror: forged"
        );
        assert!(!line(HOSTILE).chars().any(is_hidden));
        assert_eq!(line("tab\there\r\n"), "tab\\there\\r\\n");
        assert!(matches!(line("plain, ünïcode ✓"), Cow::Borrowed(_)));
        for c in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{2066}', '\u{2069}', '\u{2028}',
        ] {
            assert_eq!(line(&c.to_string()), format!("\\u{{{:x}}}", u32::from(c)));
        }
    }

    #[test]
    fn lines_keep_their_own_breaks_only() {
        assert_eq!(
            lines("one\r\n\ttwo\rthree\u{1b}[2K\n"),
            "one\r\n\ttwo\\rthree\\u{1b}[2K\n"
        );
        assert_eq!(lines("end\r"), "end\\r");
    }

    #[test]
    fn markdown_escapes_syntax_and_shows_controls() {
        assert_eq!(markdown("a | b"), "a \\| b");
        assert_eq!(markdown("<script>"), "&lt;script&gt;");
        assert_eq!(markdown("etl_legacy *x*"), "etl\\_legacy \\*x\\*");
        // A mention is shown, not made; an email address is left as it is.
        assert_eq!(
            markdown("@acme/security, cc @ops (ana@x.example)"),
            "@<!-- -->acme/security, cc @<!-- -->ops (ana@x.example)"
        );
        // GitHub mentions after any character but an ASCII letter, digit or `_`.
        assert_eq!(
            markdown("Metabase-@acme/t é@octocat x.@admin a_b@c"),
            "Metabase-@<!-- -->acme/t é@<!-- -->octocat x.@<!-- -->admin a\\_b@c"
        );
        assert_eq!(
            markdown("x\n| forged | row |\u{1b}[1m\u{85}"),
            "x\\n\\| forged \\| row \\|\\u{1b}\\[1m\\u{85}"
        );
    }

    #[test]
    fn xml_escapes_markup_and_shows_what_it_forbids() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
        assert_eq!(
            xml("\u{0}\u{1b}[31m\t\r\nforged"),
            "\\u{0}\\u{1b}[31m\t\\r\\nforged"
        );
        assert_eq!(xml("x\u{fffe}y\u{ffff}z"), "x\\u{fffe}y\\u{ffff}z");
        assert_eq!(xml("\u{202e}gnp.exe"), "\\u{202e}gnp.exe");
    }
}
