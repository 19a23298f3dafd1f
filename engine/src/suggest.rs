//! "Did you mean ...?": the closest known name to a mistyped one, for every message that
//! names something unknown (rule ids, controls, parameters, facts keys and fields).

/// The known name closest to `name`, if one is close enough to be a likely typo (by
/// Jaro-Winkler similarity, or one letter changed, added, dropped or two swapped in a word
/// of three letters or more: `rolr` for `role`, which Jaro-Winkler scores low in a short
/// name), or is one of the `_`-separated words of `name` (`mfa_enabled` for `mfa`).
pub(crate) fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let known: Vec<&str> = known.into_iter().filter(|k| *k != name).collect();
    // Words only: in codes such as criterion ids (`CC7.1`, `CC6.1`) one character is the
    // whole difference between two real names.
    let word = name.chars().count() >= 3 && name.chars().all(|c| c.is_alphabetic() || c == '_');
    let one_edit = |k: &str| word && strsim::osa_distance(name, k) == 1;
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, k)| *score >= 0.9 || one_edit(k))
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, k)| k)
        .or_else(|| {
            known
                .iter()
                .copied()
                .filter(|k| name.split('_').any(|word| word == *k))
                .max_by_key(|k| k.len())
        })
}

/// `"; did you mean `x`?"` for the closest known name, or nothing: to end a message with.
pub(crate) fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, known).map_or_else(String::new, |k| format!("; did you mean `{k}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["status", "username", "system_id", "mfa"];
        assert_eq!(closest("statsu", known), Some("status"));
        assert_eq!(closest("usrname", known), Some("username"));
        assert_eq!(closest("privileged", known), None);
        assert_eq!(closest("mfa_enabled", known), Some("mfa"));
        assert_eq!(closest("status", known), None);
        assert_eq!(
            did_you_mean("sytem_id", known),
            "; did you mean `system_id`?"
        );
        assert_eq!(did_you_mean("xyz", known), "");
        // One letter off in a short name.
        let fields = ["role", "kind", "mfa", "id", "name"];
        assert_eq!(closest("rolr", fields), Some("role"));
        assert_eq!(closest("kimd", fields), Some("kind"));
        assert_eq!(closest("mfx", fields), Some("mfa"));
        assert_eq!(closest("ix", fields), None);
        assert_eq!(closest("xyz", fields), None);
        assert_eq!(closest("CC7.1", ["CC6.1"]), None);
    }
}
