//! Escaping untrusted text for each family of formats people read: one value on a line
//! ([`line()`]: text, diffs, messages), text with its own line breaks ([`lines`]), Markdown
//! ([`markdown`]) and XML or HTML ([`xml`]). The characters they show rather than pass on
//! are those [`is_hidden`] names: controls (C0, DEL, C1), bidirectional formatting and the
//! line and paragraph separators, each shown as `\n`, `\r`, `\t` or `\u{hex}`.

pub use attest_engine::escape::{is_hidden, line, lines, markdown, xml};
