//! Helper modules of packs (`lib/<name>.rhai`): compiled once with the pack, their top-level
//! code run the first time a rule imports them, and importable by the rules of the same pack
//! only (`import "dates" as d;`). Nothing is ever read from disk.

use crate::context::{self, Budget, RuleRun, Subject};
use crate::joins::LookupCache;
use crate::pack::{Diagnostic, DiagnosticCode, Module, Rule};
use rhai::{AST, Engine, EvalAltResult, ModuleResolver, Position, Scope, Shared};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Most modules a rule may import.
pub(crate) const MAX_IMPORTS: usize = 16;

/// A compiled helper module, loaded (its top-level code run) on first import.
struct Lib {
    /// Its file in the pack (`lib/dates.rhai`).
    path: String,
    ast: AST,
    /// The module, or why it did not load; the same for every rule that imports it.
    loaded: OnceLock<Result<Shared<rhai::Module>, String>>,
}

/// Resolves `import "name"` to the importing rule's own pack's `lib/name.rhai`, loading it the
/// first time under a budget of its own: the rule's limits and clock, from a fresh start. A
/// module that fails to load (throws, loops, allocates without end) is an error for each rule
/// that imports it, and only for those.
pub(crate) struct PackModules(HashMap<(String, String), Lib>);

impl ModuleResolver for PackModules {
    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<rhai::Module>, Box<EvalAltResult>> {
        let pack = source.and_then(|s| s.split(':').next()).unwrap_or_default();
        let lib = self
            .0
            .get(&(pack.to_owned(), path.to_owned()))
            .ok_or_else(|| EvalAltResult::ErrorModuleNotFound(path.to_owned(), pos))?;
        let fail = |message: String| EvalAltResult::ErrorRuntime(message.into(), pos).into();
        let Some((subject, budget)) = context::current(|run| (run.subject, run.budget.clone()))
        else {
            return Err(fail(format!("import \"{path}\": no evaluation is running")));
        };
        // Also what keeps a module from importing itself while it loads.
        if subject == Subject::Module {
            return Err(fail(format!(
                "import \"{path}\": a helper module cannot import another"
            )));
        }
        let loaded = lib
            .loaded
            .get_or_init(|| context::shared(|| load(engine, lib, budget)));
        loaded
            .clone()
            .map_err(|why| fail(format!("module \"{path}\" did not load: {why}")))
    }
}

/// Runs a module's top-level code under `budget`: the module, or why it failed, with the
/// place in its file.
fn load(engine: &Engine, lib: &Lib, budget: Budget) -> Result<Shared<rhai::Module>, String> {
    let max_message = budget.max_message;
    run_top_level(engine, &lib.ast, budget)
        .map(Shared::new)
        .map_err(|e| {
            let (message, pos) = crate::sandbox::describe(&e, max_message);
            match (pos.line(), pos.position()) {
                (Some(l), Some(c)) => format!("{message} ({}, line {l}, column {c})", lib.path),
                _ => format!("{message} ({})", lib.path),
            }
        })
}

/// Runs a module's top-level code, as its own run with `budget`.
fn run_top_level(
    engine: &Engine,
    ast: &AST,
    budget: Budget,
) -> Result<rhai::Module, Box<EvalAltResult>> {
    let run = RuleRun::new(
        Subject::Module,
        None,
        Arc::new(LookupCache::default()),
        budget,
    );
    context::with_run(run, || {
        rhai::Module::eval_ast_as_new(Scope::new(), ast, engine)
    })
    .0
    .map_err(|e| match *e {
        // Modules run with no imports allowed: say why, not Rhai's count.
        EvalAltResult::ErrorTooManyModules(pos) => Box::new(EvalAltResult::ErrorRuntime(
            "a helper module cannot import another: import both in the rule".into(),
            pos,
        )),
        other => Box::new(other),
    })
}

/// A diagnostic for every `import "name"` of `rule` that names no module of its own pack.
pub(crate) fn unresolved_imports(
    rule: &Rule,
    ast: &rhai::AST,
    modules: &[Module],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let Some(rhai::ASTNode::Stmt(rhai::Stmt::Import(import, pos))) = path.last()
            && let rhai::Expr::StringConstant(name, _) = &import.0
            && !modules
                .iter()
                .any(|m| m.pack == rule.pack && m.name == name.as_str())
        {
            diags.push(diagnostic(
                &rule.path,
                DiagnosticCode::UnresolvedImport,
                format!("import `{name}`: the pack has no lib/{name}.rhai"),
                *pos,
            ));
        }
        true
    });
    diags
}

/// The source name of a rule's AST: `<pack>:<path>`, which tells the resolver its pack.
pub(crate) fn source_name(pack: &str, path: &str) -> String {
    format!("{pack}:{path}")
}

/// Compiles every module; a diagnostic for each that does not compile.
pub(crate) fn compile(engine: &Engine, modules: &[Module]) -> Result<PackModules, Vec<Diagnostic>> {
    let mut map = HashMap::new();
    let mut diags = Vec::new();
    for m in modules {
        match engine.compile(&m.source) {
            Ok(mut ast) => {
                // Its pack, for the resolver: what refuses an import while it loads.
                ast.set_source(source_name(&m.pack, &m.path));
                let lib = Lib {
                    path: m.path.clone(),
                    ast,
                    loaded: OnceLock::new(),
                };
                map.insert((m.pack.clone(), m.name.clone()), lib);
            }
            Err(e) => diags.push(diagnostic(
                &m.path,
                DiagnosticCode::SyntaxError,
                e.err_type().to_string(),
                e.position(),
            )),
        }
    }
    if diags.is_empty() {
        Ok(PackModules(map))
    } else {
        Err(diags)
    }
}

/// For `attest check`: compiles and loads every module under `budget` (no clock: the
/// operation budget bounds it), a diagnostic for each that does not compile or load.
pub(crate) fn check(engine: &Engine, modules: &[Module], budget: &Budget) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for m in modules {
        let code = match engine.compile(&m.source) {
            Err(e) => Some((
                DiagnosticCode::SyntaxError,
                e.err_type().to_string(),
                e.position(),
            )),
            Ok(ast) => run_top_level(engine, &ast, budget.clone()).err().map(|e| {
                let (message, pos) = crate::sandbox::describe(&e, budget.max_message);
                (DiagnosticCode::ModuleError, message, pos)
            }),
        };
        if let Some((code, message, pos)) = code {
            diags.push(diagnostic(&m.path, code, message, pos));
        }
    }
    diags
}

fn diagnostic(path: &str, code: DiagnosticCode, message: String, pos: Position) -> Diagnostic {
    let d = Diagnostic::new(code, path, message);
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => d.at(to_u32(l), to_u32(c)),
        _ => d,
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
