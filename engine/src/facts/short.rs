//! Strings of at most [`Short::MAX`] bytes held in the facts value itself: ids, dates,
//! codes and states, which are most of a facts file's strings, take no allocation of their
//! own, and reading one follows no pointer.
//!
//! Reading one is the one place the engine trusts bytes to be UTF-8 without checking them
//! again (a check per read would cost more than the pointer it saves): the bytes are only
//! ever those of a whole `&str`, copied by [`Short::new`].
#![allow(unsafe_code)]

use std::fmt;

/// A string of at most [`Short::MAX`] bytes, held in place: with its length, 15 bytes, so
/// that a facts value holding one is no larger than one holding a shared string. The bytes
/// past the string are zeros, so two are equal when their strings are, and compare at once.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Short {
    len: u8,
    bytes: [u8; Short::MAX],
}

impl Short {
    /// The longest string held in place, in bytes (`2026-12-05` is 10).
    pub(crate) const MAX: usize = 14;

    /// `s` held in place, if it is at most [`Short::MAX`] bytes long.
    pub(crate) fn new(s: &str) -> Option<Short> {
        let len = u8::try_from(s.len())
            .ok()
            .filter(|n| usize::from(*n) <= Self::MAX)?;
        let mut bytes = [0; Self::MAX];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Some(Short { len, bytes })
    }

    /// The string.
    pub(crate) fn as_str(&self) -> &str {
        let bytes = &self.bytes[..usize::from(self.len)];
        // SAFETY: `bytes` are the bytes of a whole `&str` (`Short::new` copies them and
        // its length, and nothing else writes either), so they are valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }
}

impl fmt::Debug for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::Short;

    #[test]
    fn strings_up_to_the_limit_are_held_and_read_back_whole() {
        for s in ["", "a", "2026-12-05", "acc-0000012345", "é-ü-✓-x"] {
            assert_eq!(
                Short::new(s).map(|v| v.as_str().to_owned()),
                Some(s.to_owned())
            );
        }
        // Shown as the string is.
        assert_eq!(
            Short::new("a\"b").map(|s| format!("{s:?}")).as_deref(),
            Some(r#""a\"b""#)
        );
    }

    #[test]
    fn equal_strings_are_equal_and_no_others() {
        let s = |t: &str| Short::new(t);
        assert!(s("active") == s("active"));
        assert!(s("") == s(""));
        assert!(s("active") != s("activ"));
        assert!(s("active") != s("Active"));
        assert!(s("a") != s("a\0"));
    }

    #[test]
    fn longer_strings_are_not() {
        assert!(Short::new("acc-00000123456").is_none());
        assert!(Short::new(&"x".repeat(300)).is_none());
        // 14 bytes, fewer characters.
        assert!(Short::new("ééééééé").is_some());
        assert!(Short::new("éééééééx").is_none());
    }

    #[test]
    fn it_leaves_a_byte_for_the_tag_of_a_16_byte_value() {
        assert_eq!(size_of::<Short>(), 15);
    }
}
