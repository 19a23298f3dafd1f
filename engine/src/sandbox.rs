//! The Rhai engine rules run in: the standard packages and the prelude, explicit limits,
//! no `eval`, no modules from the file system, no output.

use crate::context;
use crate::limits::Limits;
use crate::prelude;
use rhai::packages::{Package, StandardPackage};

/// A script error as people should read it: the innermost error's message (a thrown value
/// or a budget's own words, not Rhai's wrapper) and where it happened.
pub(crate) fn describe(err: &rhai::EvalAltResult) -> (String, rhai::Position) {
    let inner = err.unwrap_inner();
    let pos = inner.position();
    let message = match inner {
        rhai::EvalAltResult::ErrorRuntime(v, _) | rhai::EvalAltResult::ErrorTerminated(v, _) => {
            v.to_string()
        }
        other => {
            let text = other.to_string();
            let suffix = format!(" ({pos})");
            text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
        }
    };
    (message, pos)
}

/// Builds the sandboxed engine shared (read-only) by every rule and thread. With `trace`,
/// it also records which lines of the running rule execute (for case coverage).
pub(crate) fn engine(limits: &Limits, trace: bool) -> rhai::Engine {
    let mut engine = rhai::Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    engine
        .set_max_operations(0)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_variables(1_000)
        .set_max_functions(256)
        .set_max_modules(0)
        .set_strict_variables(true)
        .disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    // The standard package's `sleep` blocks past every budget (and traps in WebAssembly): a
    // rule that calls it gets an error at once. Functions registered on the engine take
    // precedence over the package's.
    const NO_SLEEP: &str = "sleep: rules cannot wait (they judge facts, not time)";
    engine
        .register_fn(
            "sleep",
            |_: rhai::INT| -> Result<(), Box<rhai::EvalAltResult>> { Err(NO_SLEEP.into()) },
        )
        .register_fn(
            "sleep",
            |_: rhai::FLOAT| -> Result<(), Box<rhai::EvalAltResult>> { Err(NO_SLEEP.into()) },
        );
    // The operation budget is enforced here, per rule, across closures.
    engine.on_progress(context::on_progress);
    prelude::register(&mut engine);
    if trace {
        // The debugger interface is stable in practice; Rhai flags it as subject to change.
        #[allow(deprecated)]
        engine.register_debugger(
            |_, debugger| debugger,
            |_, _, _, source, pos| {
                if let (Some(line), Some(source)) = (pos.line(), source) {
                    context::current(|run| run.trace(source, line));
                }
                Ok(rhai::debugger::DebuggerCommand::StepInto)
            },
        );
    }
    engine
}

/// The names of the functions the prelude gives rules (sorted, each once), read from a
/// sandboxed engine so the list cannot drift from what is registered.
pub fn function_names() -> Vec<String> {
    let engine = engine(&Limits::default(), false);
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
