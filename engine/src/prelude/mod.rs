//! The prelude: the native functions every rule can call. Facts records and lists
//! (`records`), joins built once per facts document (`lookups`), native queries
//! over lists (`queries`), dates against the
//! as-of date (`dates`) and finding constructors (`findings`).

mod dates;
mod findings;
pub(crate) mod lookups;
mod queries;
mod records;

pub(crate) use findings::to_json;

/// Registers the whole prelude on a Rhai engine.
pub(crate) fn register(engine: &mut rhai::Engine) {
    records::register(engine);
    lookups::register(engine);
    queries::register(engine);
    dates::register(engine);
    findings::register(engine);
}

/// The names of the functions the prelude gives rules (sorted, each once), read from a
/// sandboxed engine so the list cannot drift from what is registered.
pub fn function_names() -> Vec<String> {
    let engine = crate::sandbox::engine(&crate::limits::Limits::default(), false);
    let mut names: Vec<String> = engine.collect_fn_metadata(
        None,
        |info| {
            let name = info.metadata.name.as_str();
            let helper = name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !matches!(name, "to_string" | "to_debug");
            helper.then(|| name.to_owned())
        },
        false,
    );
    names.sort();
    names.dedup();
    names
}

/// A runtime error raised by a prelude function.
pub(crate) fn error(message: impl Into<String>) -> Box<rhai::EvalAltResult> {
    rhai::EvalAltResult::ErrorRuntime(message.into().into(), rhai::Position::NONE).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_the_helpers_rules_can_call_and_nothing_internal() {
        let names = super::function_names();
        for helper in [
            "days_since",
            "fail",
            "warn",
            "index_by",
            "latest_by",
            "where",
            "as_of",
        ] {
            assert!(
                names.iter().any(|n| n == helper),
                "{helper} missing from {names:?}"
            );
        }
        assert!(names.iter().all(|n| !n.contains('$')), "{names:?}");
        assert!(
            !names.iter().any(|n| n == "sort" || n == "to_string"),
            "{names:?}"
        );
    }
}
