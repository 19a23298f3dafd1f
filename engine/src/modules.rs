//! Helper modules of packs (`lib/<name>.rhai`): compiled once, and importable by the
//! rules of the same pack only (`import "dates" as d;`). Nothing is ever read from disk.

use crate::context::{self, RuleRun};
use crate::joins::LookupCache;
use crate::pack::{Diagnostic, DiagnosticCode, Module, Rule};
use rhai::{Engine, EvalAltResult, ModuleResolver, Position, Scope, Shared};
use std::collections::HashMap;
use std::sync::Arc;

/// Most modules a rule may import.
pub(crate) const MAX_IMPORTS: usize = 16;

/// Resolves `import "name"` to the importing rule's own pack's `lib/name.rhai`.
pub(crate) struct PackModules(HashMap<(String, String), Shared<rhai::Module>>);

impl ModuleResolver for PackModules {
    fn resolve(
        &self,
        _: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<rhai::Module>, Box<EvalAltResult>> {
        let pack = source.and_then(|s| s.split(':').next()).unwrap_or_default();
        self.0
            .get(&(pack.to_owned(), path.to_owned()))
            .cloned()
            .ok_or_else(|| EvalAltResult::ErrorModuleNotFound(path.to_owned(), pos).into())
    }
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

/// Compiles and loads every module, under an operation budget.
pub(crate) fn load(
    engine: &Engine,
    modules: &[Module],
    max_ops: u64,
) -> Result<PackModules, Vec<Diagnostic>> {
    let mut map = HashMap::new();
    let mut diags = Vec::new();
    for m in modules {
        let loaded = engine
            .compile(&m.source)
            .map_err(|e| {
                diagnostic(
                    &m.path,
                    DiagnosticCode::SyntaxError,
                    e.err_type().to_string(),
                    e.position(),
                )
            })
            .and_then(|ast| {
                let run = RuleRun::new(None, Arc::new(LookupCache::default()), max_ops, None);
                let (result, _) = context::with_run(run, || {
                    rhai::Module::eval_ast_as_new(Scope::new(), &ast, engine)
                });
                result.map_err(|e| {
                    let (message, pos) = crate::sandbox::describe(&e);
                    diagnostic(&m.path, DiagnosticCode::ModuleError, message, pos)
                })
            });
        match loaded {
            Ok(module) => {
                map.insert((m.pack.clone(), m.name.clone()), Shared::new(module));
            }
            Err(d) => diags.push(d),
        }
    }
    if diags.is_empty() {
        Ok(PackModules(map))
    } else {
        Err(diags)
    }
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
