//! Native runs: a rule whose statements all fall in the part of Rhai this module knows runs
//! as a tree of Rust values over the facts, without Rhai's per-operation costs (boxing each
//! value, looking each function up, measuring a container whole after each change), giving
//! the result Rhai would give.
//!
//! At compile time ([`compile`]), a rule and the functions it defines become a [`Program`]
//! when each statement is a `let` or `const`, an assignment to a variable (`=`, or `+=` and
//! the like) or to a map's key, `push` on an array variable, `if`, `while`, `loop`, `for`
//! without a counter, `break`, `continue`, `return`, `throw` or an expression; expressions
//! are literals, variables, property reads, reads by key or place (`m[k]`, `a[i]`), `==`
//! `!=` `<` `<=` `>` `>=`, `&&` `||` `!` `??` `in`, `+` `-` `*` `/` `%` and unary `-`,
//! interpolated strings, array and map literals, `if` as a value, closures and function
//! calls. A closure of one parameter given to a method that calls it back for each item
//! (`map`, `filter`, `all`, `some` on arrays; `map`, `filter`, `any`, `all`, `count` on facts
//! lists) is compiled as a function whose first variables are those it captures, unless it
//! changes one (Rhai shares them with the scope that made the closure); any other closure
//! stops a native run that reaches it. A rule that imports modules, defines methods on a
//! type, calls Rhai's special functions (`Fn`, `call`, `eval`, `is_def_var`...) or uses
//! anything else (`switch`, `do`, `try`, ranges, `?.`, chains such as `a[i][j]`...) runs in
//! Rhai as before, as does one that may hold more variables in scope at once than Rhai's
//! limit (Rhai stops it there).
//!
//! At run time, the calls rules make once per record (`fail`, `warn`, `contains`, `get`,
//! `len`, `add` on a set, the date helpers, the period's bounds, the queries, `latest_by`,
//! `missing`, `tested`, `is_date`, `type_of`, `to_lower`, `to_upper`, `glob_match`: [`ops`],
//! with the prelude's own code) are done
//! here on the values they know, and the rule's own functions are run here; any other call, or one of
//! these on other values, goes to the function Rhai would call, by name, through Rhai (a
//! variable given first by reference, as Rhai gives it; a method on a field of a variable
//! only when the variable holds facts, which no method changes). Where
//! Rhai's outcome is not certain from here (a value of a kind this module does not compare,
//! a float, an error raised, a data limit reached, the operation or memory budget nearly
//! spent), the run stops and Rhai runs the rule from the start with a fresh budget, so a
//! rule's findings, population and errors are those of Rhai. Operations are counted twice
//! over and memory held stops a native run at half the budget, so that a run Rhai would
//! stop is always left to Rhai. Running out of time stops the rule as in Rhai.

mod compile;
mod data;
mod ops;
mod run;
mod stop;
mod tree;
mod value;

use crate::context;
use crate::context::RuleRun;
use crate::limits::Limits;
use rhai::{AST, Dynamic, Engine, Map, NativeCallContext, Position};
use std::sync::Arc;
use value::V;

/// A rule compiled for native runs.
pub(crate) struct Program {
    body: Vec<tree::Stmt>,
    /// How many variables it holds at most (`facts` and `params` included).
    slots: usize,
    /// The functions the rule defines.
    functions: Vec<tree::Function>,
    /// The engine's data limits (0: none).
    max: value::Sizes,
    /// How deep calls of the rule's functions may nest before Rhai decides (half its
    /// limit).
    max_depth: usize,
}

/// A program, shared by the engines that reuse the rule's compilation.
#[derive(Clone)]
pub(crate) struct Native(Arc<Program>);

/// The rule `ast` as a native program, if every part of it is one a native run knows.
pub(crate) fn compile(ast: &AST, limits: &Limits) -> Option<Native> {
    let mut program = compile::compile(ast)?;
    // A rule or function that may hold more variables at once than Rhai allows runs in
    // Rhai, which stops it at the `let` that would pass the limit (a native run does not
    // count them).
    let most = program.functions.iter().map(|f| f.slots);
    if most.chain([program.slots]).max() > Some(crate::sandbox::MAX_VARIABLES) {
        return None;
    }
    program.max = value::Sizes {
        array: limits.max_array_size,
        map: limits.max_map_size,
        string: limits.max_string_size,
    };
    program.max_depth = limits.max_call_levels / 2;
    Some(Native(Arc::new(program)))
}

/// A rule's outcome, and its state after the run (`None` if it was lost).
pub(crate) type Ran = (Result<(), Box<rhai::EvalAltResult>>, Option<RuleRun>);

/// The pack's parameters (defaults with an evaluation's overrides applied), as Rhai runs
/// take them and as native runs do, made once and shared: without overrides, by every
/// evaluation of an engine.
pub(crate) struct Params {
    /// As Rhai runs and explanations read them.
    pub map: Map,
    native: V,
}

impl Params {
    /// `map` and its native form.
    pub fn new(map: Map) -> Params {
        let native = V::of_dynamic(Dynamic::from_map(map.clone()));
        Params { map, native }
    }
}

/// What every native run of one evaluation starts from: `facts` and `params` as values of
/// a native run, made once and shared.
pub(crate) struct Inputs {
    facts: V,
    params: V,
}

impl Inputs {
    /// The inputs of the rules: the facts' root and the pack's parameters.
    pub fn new(facts: Dynamic, params: &Params) -> Inputs {
        Inputs {
            facts: V::of_dynamic(facts),
            params: params.native.clone(),
        }
    }
}

/// The outcome of `program` run natively over `inputs` from the rule's fresh `state`, and
/// the state after; `None` when Rhai has to run the rule instead. The functions a native
/// run leaves to Rhai are called through `rhai`, in a context of their own (no script runs
/// around them).
pub(crate) fn run(rhai: &Engine, program: &Native, inputs: &Inputs, state: RuleRun) -> Option<Ran> {
    let global = rhai.new_global_runtime_state();
    let ctx = NativeCallContext::new_with_all_fields(rhai, "", None, &global, Position::NONE);
    let (outcome, state) = context::with_run(state, || {
        let (facts, params) = (inputs.facts.clone(), inputs.params.clone());
        run::Run::new(&program.0, &ctx, facts, params).all()
    });
    match outcome {
        Ok(()) => Some((Ok(()), state)),
        Err(stop::Stop::Rhai) => None,
        Err(stop::Stop::Error(e)) => Some((Err(e), state)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// Whether `source` compiles to a native program.
    fn compiles(source: &str) -> bool {
        let engine = rhai::Engine::new_raw();
        let mut scope = rhai::Scope::new();
        scope.push_constant("facts", ());
        scope.push_constant("params", ());
        let ast = engine.compile_with_scope(&scope, source).unwrap();
        super::compile(&ast, &crate::Limits::default()).is_some()
    }

    /// The outcome of `source` run natively with `limits`, as the engine runs a rule; `None`
    /// when the native run leaves the rule to Rhai.
    fn run_natively(source: &str, limits: &crate::Limits) -> Option<super::Ran> {
        let rhai = crate::sandbox::engine(limits);
        run_with(&rhai, rhai::Dynamic::UNIT, source, limits)
    }

    /// The outcome of `source` run natively over `facts` with `limits`, calling through
    /// `rhai` what it leaves to Rhai's functions; `None` when it leaves the rule to Rhai.
    fn run_with(
        rhai: &rhai::Engine,
        facts: rhai::Dynamic,
        source: &str,
        limits: &crate::Limits,
    ) -> Option<super::Ran> {
        use crate::context::{Budget, RuleRun, Subject};
        let mut scope = rhai::Scope::new();
        scope.push_constant("facts", ());
        scope.push_constant("params", ());
        let ast = rhai.compile_with_scope(&scope, source).unwrap();
        let program = super::compile(&ast, limits).unwrap();
        let params = super::Params::new(rhai::Map::new());
        let inputs = super::Inputs::new(facts, &params);
        let state = RuleRun::new(
            Subject::Rule,
            None,
            std::sync::Arc::default(),
            Budget::new(limits, None),
        );
        super::run(rhai, &program, &inputs, state)
    }

    /// `+` on two arrays, `where_same`, `index_by` and `group_by` are the native run's own:
    /// it decides a rule using them with an engine that has none of Rhai's functions, where a
    /// call handed to Rhai would fail.
    #[test]
    fn joins_queries_and_lookups_need_no_rhai_function() {
        let text = r#"{"schema_version": "1", "organization": {"name": "x"}, "people": [
            {"id": "a", "name": "a", "kind": "employee", "employment": {"status": "active"}},
            {"id": "b", "name": "b", "kind": "contractor", "employment": {"status": "active"}},
            {"id": "c", "name": "c", "kind": "employee", "employment": {"status": "active"}}]}"#;
        let facts = crate::facts::Facts::load(&[crate::facts::FactsSource {
            name: "f.json",
            text,
        }])
        .unwrap();
        let root = facts.root().to_dynamic();
        let limits = crate::Limits::default();
        let bare = rhai::Engine::new_raw();
        let source = r#"let all = facts.people.where_same("id", "name") + facts.people.where_same("kind", "kind");
            let by_kind = group_by(all, "kind"); let by_id = index_by(facts.people, "id");
            let kinds = group_by(facts.people, "kind"); let ids = index_by(all, "id");
            fail(`${all.len()} ${by_kind.get("employee").len()} ${by_id.get("b").kind} ${kinds.get("contractor").len()} ${ids.get("c").name}`);"#;
        let (outcome, state) = run_with(&bare, root, source, &limits).expect("decided natively");
        assert!(outcome.is_ok(), "{outcome:?}");
        let found: Vec<&str> = state
            .iter()
            .flat_map(|s| &s.findings)
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(found, ["6 4 contractor 1 c"]);
        // A function it leaves to Rhai's stops such a run: the test above would see it.
        let left = "let s = facts.people.map(|p| p.id).sort(); fail(`${s.len()}`);";
        let root = facts.root().to_dynamic();
        assert!(run_with(&bare, root, left, &limits).is_none_or(|(o, _)| o.is_err()));
    }

    /// The bytes each thread allocates, frees not taken off: a global allocator for the
    /// engine's unit tests that adds them up and leaves the work to the system's.
    #[allow(unsafe_code)]
    mod tally {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        thread_local! {
            static ALLOCATED: Cell<usize> = const { Cell::new(0) };
        }

        /// The system allocator, adding up what each thread allocates (a reallocation
        /// counts what it adds).
        struct Tally;

        fn add(bytes: usize) {
            let _ = ALLOCATED.try_with(|a| a.set(a.get().saturating_add(bytes)));
        }

        // SAFETY: every method forwards to `System` with the caller's arguments, and only
        // adds bookkeeping that neither allocates nor unwinds.
        unsafe impl GlobalAlloc for Tally {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                add(layout.size());
                // SAFETY: forwarded from the caller.
                unsafe { System.alloc(layout) }
            }

            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                // SAFETY: forwarded from the caller.
                unsafe { System.dealloc(ptr, layout) }
            }

            unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
                add(new_size.saturating_sub(layout.size()));
                // SAFETY: forwarded from the caller.
                unsafe { System.realloc(ptr, layout, new_size) }
            }
        }

        #[global_allocator]
        static ALLOCATOR: Tally = Tally;

        /// Bytes this thread has allocated so far.
        pub(super) fn allocated() -> usize {
            ALLOCATED.with(Cell::get)
        }
    }

    #[test]
    fn a_string_grown_with_plus_equals_is_appended_to_not_copied_at_every_step() {
        const N: usize = 100_000;
        let source = format!(
            "let s = \"\"; let i = 0; while i < {N} {{ s += \"x\"; i += 1; }} fail(`${{s.len()}}`);"
        );
        let before = tally::allocated();
        let (outcome, state) = run_natively(&source, &crate::Limits::default()).unwrap();
        let bytes = tally::allocated() - before;
        assert!(outcome.is_ok());
        assert_eq!(state.unwrap().findings[0].message, N.to_string());
        // Copied whole at every `+=`, the string would take N * N / 2 bytes (5 GB);
        // appended to in place, a few times N.
        assert!(
            bytes < 50 * N,
            "{bytes} bytes allocated for a string of {N}"
        );
    }

    #[test]
    fn an_array_pushed_past_its_size_limit_is_the_rules_error_without_rhai() {
        // Rhai, running the rule again, would measure the whole array after every push: a
        // million pushes, half a million million items looked at.
        let limits = crate::Limits::default();
        let source = "let s = [];\nloop { s.push(1); }";
        let (outcome, _) = run_natively(source, &limits).expect("decided natively");
        let err = outcome.unwrap_err();
        assert_eq!(
            err.to_string(),
            "Size of array/BLOB too large (line 2, position 10)"
        );
        // The strings an array holds count together, and are named first, as Rhai does.
        let limits = crate::Limits {
            max_array_size: 3,
            max_string_size: 4,
            ..crate::Limits::default()
        };
        let (outcome, _) = run_natively("let s = []; loop { s.push(\"ab\"); }", &limits).unwrap();
        let err = outcome.unwrap_err();
        assert_eq!(
            err.to_string(),
            "Length of string too large (line 1, position 22)"
        );
        // Inside a rule's function Rhai reports the error where the function was called.
        let source = "fn f(a) { a.push(1); a } let s = []; loop { s = f(s); }";
        assert!(run_natively(source, &limits).is_none());
    }

    #[test]
    fn compiles_the_statements_it_knows_and_leaves_the_rest_to_rhai() {
        for native in [
            r#"for a in facts.accounts { if a.status == "active" && !a.mfa { fail(a, `${a.id}`); } }"#,
            r#"let m = #{}; for a in facts.accounts { m[a.id] = true; } if m.contains("x") { fail("x"); }"#,
            r#"let l = []; for a in facts.accounts { l.push(a.id); } for id in l { if id in l { continue; } break; }"#,
            r#"fn days(n) { if n == 1 { "1 day" } else { `${n} days` } } fail(days(2));"#,
            r#"fn f(x) { return x * 2; } let n = f(1) + 1; n -= 1; fail(`${n}`);"#,
            r#"let v = params.x ?? 3; let w = if v > 2 { 1 } else { 2 }; tested(facts.accounts); fail(`${w}`);"#,
            r#"const C = [1]; { let a = C.len(); fail(`${a}`); } throw "stop";"#,
            r#"let i = 0; while i < 3 { i += 1; } loop { i -= 1; if i % 2 == 0 { break; } }"#,
            r#"let n = 7 / 2; let t = if n > 3 { "a" } else if n > 2 { "b" } else { "c" }; fail(t);"#,
            // Closures compile (a run that reaches one stops, for Rhai to run the rule).
            r#"facts.accounts.filter(|a| a.mfa);"#,
            r#"let ids = facts.accounts.map(|a| a.id);"#,
            r#"let y = 1; fn g(xs, y) { xs.filter(|x| x > y) } fail(`${g([1, 2], y).filter(|x| x != y)}`);"#,
            r#"let x = -params.n; let f = |v| v + x; let l = [1].map(|v, i| v + i);"#,
            r#"fn f(n) { [1, 2, 3].filter(|x| x <= n).len() } fail(`${f(2)}`);"#,
            r#"fn f(n) { let l = [1, 2, 3]; l.filter(|x| x <= n).len() } fail(`${f(2)}`);"#,
            r#"let w = [1, 2].where("x", 1); tested([1]);"#,
        ] {
            assert!(compiles(native), "{native}");
        }
        for rhai in [
            r#"for (a, i) in facts.accounts { fail(a, "m"); }"#,
            r#"for i in 0..3 { fail("m"); }"#,
            r#"do { fail("m"); } while false;"#,
            r#"let f = |x| x + 1; fail(`${f.call(1)}`);"#,
            r#"switch 1 { 1 => fail("m"), _ => () }"#,
            r#"try { fail("m"); } catch (e) { }"#,
            r#"let m = #{a: #{b: 1}}; m.a.b = 2;"#,
            r#"let a = [[1]]; let x = a[0][0];"#,
            r#"let x = facts?.accounts;"#,
            r#"fn Record.f() { this } "#,
            r#"fn f(x) { x } let a = 1; a.f();"#,
            r#"let e = eval("1");"#,
            r#"if is_def_var("x") { fail("m"); }"#,
        ] {
            assert!(!compiles(rhai), "{rhai}");
        }
    }
}
