//! The Rhai engine rules run in: the standard packages and the prelude, explicit limits,
//! no `eval`, no modules from the file system, no output.

use crate::context;
use crate::limits::Limits;
use crate::prelude;
use rhai::packages::{Package, StandardPackage};

/// A script error as people should read it: the innermost error's message (a thrown value
/// or a budget's own words, not Rhai's wrapper), at most `max` bytes of it, and where it
/// happened. A huge thrown value is never written out whole.
pub(crate) fn describe(err: &rhai::EvalAltResult, max: usize) -> (String, rhai::Position) {
    let inner = err.unwrap_inner();
    let pos = inner.position();
    let message = match inner {
        rhai::EvalAltResult::ErrorRuntime(v, _) | rhai::EvalAltResult::ErrorTerminated(v, _) => {
            bounded(v, max)
        }
        other => {
            let text = bounded(other, max);
            let suffix = format!(" ({pos})");
            text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
        }
    };
    (message, pos)
}

/// The file, in pack `pack`, of the code where a script error of one of its rules happened:
/// the innermost function the error went through names its script by its source
/// (`pack:path`, the rule's or a helper module's of the same pack). `None` when it happened
/// in the rule's own top-level code.
pub(crate) fn origin<'e>(err: &'e rhai::EvalAltResult, pack: &str) -> Option<&'e str> {
    let mut source = None;
    let mut e = err;
    while let rhai::EvalAltResult::ErrorInFunctionCall(_, s, inner, _) = e {
        source = Some(s.as_str()).filter(|s| !s.is_empty()).or(source);
        e = inner;
    }
    source?.strip_prefix(pack)?.strip_prefix(':')
}

/// `value` as text, cut after `max` bytes (at a character boundary) with a marker saying so;
/// formatting stops there.
fn bounded(value: &dyn std::fmt::Display, max: usize) -> String {
    use std::fmt::Write;
    /// Keeps at most `max` bytes and then refuses more, which stops the formatting.
    struct Capped {
        text: String,
        max: usize,
        cut: bool,
    }
    impl Write for Capped {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let room = self.max - self.text.len();
            if s.len() <= room {
                self.text.push_str(s);
                return Ok(());
            }
            let mut end = room;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            self.text.push_str(&s[..end]);
            self.cut = true;
            Err(std::fmt::Error)
        }
    }
    let mut out = Capped {
        text: String::new(),
        max,
        cut: false,
    };
    let _ = write!(out, "{value}");
    if out.cut {
        out.text.push_str(&crate::prelude::truncated_marker(max));
    }
    out.text
}

/// The most variables a rule (or one of its functions) may hold in scope at once, `facts`
/// and `params` included; declaring one more is the rule's error.
pub(crate) const MAX_VARIABLES: usize = 1_000;

/// Builds the sandboxed engine shared (read-only) by every rule and thread.
pub(crate) fn engine(limits: &Limits) -> rhai::Engine {
    let mut engine = rhai::Engine::new_raw();
    engine.register_global_module(standard_package());
    engine
        .set_max_operations(0)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_variables(MAX_VARIABLES)
        .set_max_functions(256)
        .set_max_modules(0)
        .set_strict_variables(true)
        .disable_symbol("eval");
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    // The standard package's `sleep` blocks past every budget (and traps in WebAssembly): a
    // rule that calls it gets an error at once. Functions registered on the engine take
    // precedence over the package's. Its clock functions (`timestamp`, `elapsed`) are not
    // built at all (Rhai's `no_time` feature); `timestamp` says why.
    const NO_SLEEP: &str = "sleep: rules cannot wait (they judge facts, not time)";
    const NO_CLOCK: &str = "timestamp: rules cannot read the clock (the as-of date is `as_of()`)";
    engine
        .register_fn(
            "sleep",
            |_: rhai::INT| -> Result<(), Box<rhai::EvalAltResult>> { Err(NO_SLEEP.into()) },
        )
        .register_fn(
            "sleep",
            |_: rhai::FLOAT| -> Result<(), Box<rhai::EvalAltResult>> { Err(NO_SLEEP.into()) },
        )
        .register_fn("timestamp", || -> Result<(), Box<rhai::EvalAltResult>> {
            Err(NO_CLOCK.into())
        });
    bounded_replace(&mut engine, limits.max_string_size);
    // The operation, memory and time budgets are enforced here, per rule, across closures.
    engine.on_progress(context::on_progress);
    prelude::register(&mut engine);
    crate::scan::register(&mut engine);
    engine
}

/// Makes `engine` record which lines of the running rule execute (for case coverage).
#[cfg(feature = "coverage")]
pub(crate) fn trace_lines(engine: &mut rhai::Engine) {
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

/// Rhai's standard package (arithmetic, strings, arrays, maps...), built once per thread and
/// shared by every engine built there: building it is most of the cost of a new engine.
fn standard_package() -> rhai::Shared<rhai::Module> {
    thread_local! {
        static PACKAGE: rhai::Shared<rhai::Module> = StandardPackage::new().as_shared_module();
    }
    PACKAGE.with(rhai::Shared::clone)
}

/// The standard package's `replace` builds its whole result in one call, and Rhai checks the
/// length only afterwards: a string replaced into itself grows a thousandfold per call, far
/// past any budget before the check. These overloads (which take precedence over the
/// package's) work out the result's length first and refuse one longer than `max` bytes
/// (0: no limit), with Rhai's own error. A `char` for a `char` cannot grow and stays the
/// package's.
fn bounded_replace(engine: &mut rhai::Engine, max: usize) {
    fn checked(
        text: &mut rhai::ImmutableString,
        find: &str,
        with: &str,
        max: usize,
    ) -> Result<(), Box<rhai::EvalAltResult>> {
        let count = if find.is_empty() {
            text.chars().count() + 1
        } else {
            text.matches(find).count()
        };
        let len =
            (text.len() - count * find.len()).saturating_add(count.saturating_mul(with.len()));
        if max != 0 && len > max {
            return Err(rhai::EvalAltResult::ErrorDataTooLarge(
                "Length of string".into(),
                rhai::Position::NONE,
            )
            .into());
        }
        *text = text.replace(find, with).into();
        Ok(())
    }
    engine
        .register_fn(
            "replace",
            move |text: &mut rhai::ImmutableString, find: &str, with: &str| {
                checked(text, find, with, max)
            },
        )
        .register_fn(
            "replace",
            move |text: &mut rhai::ImmutableString, find: &str, with: char| {
                checked(text, find, with.encode_utf8(&mut [0; 4]), max)
            },
        )
        .register_fn(
            "replace",
            move |text: &mut rhai::ImmutableString, find: char, with: &str| {
                checked(text, find.encode_utf8(&mut [0; 4]), with, max)
            },
        );
}

/// The names of the functions the prelude gives rules (sorted, each once), read from a
/// sandboxed engine so the list cannot drift from what is registered.
pub fn function_names() -> Vec<String> {
    let engine = engine(&Limits::default());
    let mut names: Vec<String> = engine.collect_fn_metadata(
        None,
        |info| {
            let name = info.metadata.name.as_str();
            let helper = name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                // `replace` is the standard package's, bounded (see `bounded_replace`).
                && !matches!(name, "to_string" | "to_debug" | "replace")
                // The native scan's calls, which only the engine writes (crate::scan).
                && name != crate::scan::SCAN_FN
                && name != crate::scan::SURE_FN;
            helper.then(|| name.to_owned())
        },
        false,
    );
    crate::sorting::sort(&mut names);
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
            !names
                .iter()
                .any(|n| n == crate::scan::SCAN_FN || n == crate::scan::SURE_FN),
            "{names:?}"
        );
        assert!(
            !names.iter().any(|n| n == "sort" || n == "to_string"),
            "{names:?}"
        );
    }
}
