//! Finding the loops a native scan serves, in a compiled rule, and wrapping their lists.

use super::filter::{Cond, Filter, Literal};
use super::{SCAN_FN, SURE_FN};
use crate::facts::tree::FieldName;
use rhai::{
    AST, ASTFlags, ASTNode, Dynamic, Expr, FlowControl, FnCallExpr, ImmutableString, Stmt,
    StmtBlock,
};

/// The calls a rewritten loop makes, compiled by the engine the rule runs on (so that
/// their hashes are the ones it resolves).
struct Templates {
    /// [`SCAN_FN`] with three arguments.
    scan: FnCallExpr,
    /// [`SURE_FN`].
    sure: FnCallExpr,
}

/// `ast` with every loop that opens with a field condition scanning natively, and how many
/// loops were rewritten (`ast` itself when none). `engine` is the engine the rule runs on,
/// which has [`super::register`]ed the scan.
pub(crate) fn rewrite(engine: &rhai::Engine, ast: AST) -> (AST, usize) {
    let (Some(scan), Some(sure)) = (
        template(engine, &format!("{SCAN_FN}((), (), ())")),
        template(engine, &format!("{SURE_FN}()")),
    ) else {
        return (ast, 0);
    };
    let templates = Templates { scan, sure };
    let mut statements = ast.statements().to_vec();
    let count = block(&mut statements, &templates);
    if count == 0 {
        return (ast, 0);
    }
    let source = ast.source().unwrap_or_default().to_owned();
    let lib = ast.shared_lib().clone();
    (AST::new_with_source(statements, lib, source), count)
}

/// The call `source` is, compiled by `engine`.
fn template(engine: &rhai::Engine, source: &str) -> Option<FnCallExpr> {
    let ast = engine.compile(source).ok()?;
    match ast.statements().first()? {
        Stmt::FnCall(call, _) => Some((**call).clone()),
        Stmt::Expr(e) => match &**e {
            Expr::FnCall(call, _) => Some((**call).clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Rewrites the loops in `statements` and in the blocks nested in them.
fn block(statements: &mut [Stmt], templates: &Templates) -> usize {
    statements.iter_mut().map(|s| stmt(s, templates)).sum()
}

fn stmt(s: &mut Stmt, templates: &Templates) -> usize {
    match s {
        Stmt::For(x, _) => {
            let (var, counter, flow) = &mut **x;
            let mut count = block(flow.body.as_mut(), templates);
            // A counter counts the items gone through: skipping would change it.
            if counter.is_none()
                && let Some((mut filter, vars, guards)) =
                    loop_filter(&var.name, flow.body.statements())
            {
                if let Some(body) = vouched(&flow.body, guards, &templates.sure) {
                    flow.body = body;
                    filter.asked = true;
                }
                let list = std::mem::take(&mut flow.expr);
                let pos = list.position();
                // The variables are found by name where the loop starts.
                let vars = vars
                    .into_iter()
                    .map(|name| {
                        let v = (None, name, Default::default(), 0);
                        Expr::Variable(Box::new(v), None, pos)
                    })
                    .collect();
                let mut call = templates.scan.clone();
                call.args = [
                    list,
                    Expr::DynamicConstant(Box::new(Dynamic::from(filter)), pos),
                    Expr::Array(vars, pos),
                ]
                .into_iter()
                .collect();
                flow.expr = Expr::FnCall(Box::new(call), pos);
                count += 1;
            }
            count
        }
        Stmt::If(flow, _) | Stmt::While(flow, _) | Stmt::Do(flow, ..) | Stmt::TryCatch(flow, _) => {
            block(flow.body.as_mut(), templates) + block(flow.branch.as_mut(), templates)
        }
        Stmt::Block(b) => block((**b).as_mut(), templates),
        _ => 0,
    }
}

/// `if attest_sure() { REST } else { BODY }` for a scanned loop's `body` whose first
/// `guards` statements the filter reads: REST is what runs after them when they all let the
/// record through (a closing `if`'s block in its place). `None` when REST holds such a
/// body already, so that no statement is copied more than once whatever the nesting.
fn vouched(body: &StmtBlock, guards: usize, sure: &FnCallExpr) -> Option<StmtBlock> {
    let statements = body.statements();
    let (span, pos) = (body.span(), body.position());
    let rest: Vec<Stmt> = match statements.get(guards - 1) {
        // A closing `if` is the last statement: its block, on its own scope as before.
        Some(Stmt::If(flow, _)) if guards == statements.len() && !continues(flow) => {
            vec![Stmt::Block(Box::new(flow.body.clone()))]
        }
        _ => statements[guards..].to_vec(),
    };
    if rest.iter().any(calls_sure) {
        return None;
    }
    let choice = FlowControl {
        expr: Expr::FnCall(Box::new(sure.clone()), pos),
        body: StmtBlock::new_with_span(rest, span),
        branch: body.clone(),
    };
    Some(StmtBlock::new_with_span(
        [Stmt::If(Box::new(choice), pos)],
        span,
    ))
}

/// Whether an `if`'s block is `continue;` alone (a guard), not a closing `if`.
fn continues(flow: &FlowControl) -> bool {
    matches!(
        flow.body.statements(),
        [Stmt::BreakLoop(None, flags, _)] if !flags.contains(ASTFlags::BREAK)
    )
}

/// Whether `s` calls [`SURE_FN`], at any depth.
fn calls_sure(s: &Stmt) -> bool {
    let mut found = false;
    s.walk(&mut Vec::new(), &mut |path: &[ASTNode]| {
        found = match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, _))) => call.name == SURE_FN,
            Some(ASTNode::Stmt(Stmt::FnCall(call, _))) => call.name == SURE_FN,
            _ => false,
        };
        !found
    });
    found
}

/// The filter of a loop over `var` whose body is `body`, and the variables its conditions
/// read: the body's opening `if COND { continue; }`s skip the records they certainly let
/// through, and an `if` with no `else` closing the body those it certainly rules out.
/// Also how many statements, from the first, the filter reads.
pub(crate) fn loop_filter(
    var: &str,
    body: &[Stmt],
) -> Option<(Filter, Vec<ImmutableString>, usize)> {
    let mut guards = Vec::new();
    let mut vars = Vec::new();
    for (i, s) in body.iter().enumerate() {
        let Stmt::If(flow, _) = s else { break };
        let skips = continues(flow);
        if !flow.branch.is_empty() || !(skips || i + 1 == body.len()) {
            break;
        }
        let cond = condition(var, &flow.expr, &mut |name| {
            let at = vars.iter().position(|v| *v == name).unwrap_or(vars.len());
            if at == vars.len() {
                vars.push(name);
            }
            at
        });
        if cond == Cond::Unknown {
            break;
        }
        guards.push((cond, skips));
    }
    // A variable the body assigns is not what it was as the loop started.
    if vars.iter().any(|v| assigns(body, v)) || guards.is_empty() {
        return None;
    }
    let read = guards.len();
    Some((Filter::new(guards), vars, read))
}

/// Whether `body` assigns to the variable `name` (or to a part of it).
fn assigns(body: &[Stmt], name: &str) -> bool {
    fn root(e: &Expr) -> Option<&str> {
        match e {
            Expr::Variable(v, ..) => Some(v.1.as_str()),
            Expr::Dot(x, ..) | Expr::Index(x, ..) => root(&x.lhs),
            _ => None,
        }
    }
    let mut found = false;
    for s in body {
        s.walk(&mut Vec::new(), &mut |path: &[ASTNode]| {
            if let Some(ASTNode::Stmt(Stmt::Assignment(x))) = path.last()
                && root(&x.1.lhs) == Some(name)
            {
                found = true;
            }
            !found
        });
    }
    found
}

/// What the filter can tell of `e`, a condition on the loop's record `var`; `var_at` gives
/// the index of another variable the condition reads.
fn condition(var: &str, e: &Expr, var_at: &mut dyn FnMut(ImmutableString) -> usize) -> Cond {
    match e {
        // Rhai reads the parts in order: when the first cannot be told, nothing can.
        Expr::And(parts, _) | Expr::Or(parts, _) => {
            let parts: Vec<Cond> = parts.iter().map(|p| condition(var, p, var_at)).collect();
            match (e, parts.first()) {
                (_, None | Some(Cond::Unknown)) => Cond::Unknown,
                (Expr::And(..), _) => Cond::And(parts),
                _ => Cond::Or(parts),
            }
        }
        // `lookup.contains(r.a)`
        Expr::Dot(dot, ..) => match (&dot.lhs, &dot.rhs) {
            (Expr::Variable(v, ..), Expr::MethodCall(call, _))
                if v.2.is_empty() && v.1 != var && call.name == "contains" =>
            {
                match call.args.as_slice() {
                    [arg] => match path(var, arg) {
                        Some(path) => Cond::Contains {
                            var: var_at(v.1.clone()),
                            path,
                        },
                        None => Cond::Unknown,
                    },
                    _ => Cond::Unknown,
                }
            }
            _ => Cond::Unknown,
        },
        Expr::FnCall(call, _) if call.is_qualified() => Cond::Unknown,
        Expr::FnCall(call, _) => match (call.name.as_str(), call.args.as_slice()) {
            ("!", [inner]) => match condition(var, inner, var_at) {
                Cond::Unknown => Cond::Unknown,
                c => Cond::Not(Box::new(c)),
            },
            (op @ ("==" | "!="), [a, b]) => {
                let equal = op == "==";
                match (path(var, a), path(var, b), literal(a), literal(b)) {
                    (Some(left), Some(right), ..) => Cond::Same { left, right, equal },
                    (Some(path), _, _, Some(value)) | (_, Some(path), Some(value), _) => {
                        Cond::Compare { path, equal, value }
                    }
                    _ => Cond::Unknown,
                }
            }
            _ => Cond::Unknown,
        },
        _ => Cond::Unknown,
    }
}

/// The field path of `e` when it reads `var.a.b...` by properties.
fn path(var: &str, e: &Expr) -> Option<Vec<FieldName>> {
    let Expr::Dot(dot, ..) = e else { return None };
    let Expr::Variable(v, ..) = &dot.lhs else {
        return None;
    };
    if v.1 != var || !v.2.is_empty() {
        return None;
    }
    let mut names = Vec::new();
    let mut rest = &dot.rhs;
    loop {
        match rest {
            Expr::Property(p, _) => {
                names.push(FieldName::new(p.2.clone()));
                return Some(names);
            }
            Expr::Dot(next, ..) => {
                let Expr::Property(p, _) = &next.lhs else {
                    return None;
                };
                names.push(FieldName::new(p.2.clone()));
                rest = &next.rhs;
            }
            _ => return None,
        }
    }
}

fn literal(e: &Expr) -> Option<Literal> {
    match e {
        Expr::Unit(_) => Some(Literal::Unit),
        Expr::BoolConstant(b, _) => Some(Literal::Bool(*b)),
        Expr::IntegerConstant(i, _) => Some(Literal::Int(*i)),
        Expr::StringConstant(s, _) => Some(Literal::Str(s.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::rewrite;

    fn count(source: &str) -> usize {
        let mut engine = rhai::Engine::new_raw();
        super::super::register(&mut engine);
        let mut scope = rhai::Scope::new();
        scope.push_constant("facts", ());
        let ast = engine.compile_with_scope(&scope, source).unwrap();
        rewrite(&engine, ast).1
    }

    #[test]
    fn rewrites_loops_that_open_with_a_field_condition_and_no_others() {
        let only_if =
            r#"for a in facts.accounts { if a.status == "active" && a.mfa == false { x(a) } }"#;
        assert_eq!(count(only_if), 1);
        let skip =
            r#"for p in facts.people { if p.employment.status != "active" { continue; } x(p) }"#;
        assert_eq!(count(skip), 1);
        let guards = r#"let l = 1; for c in facts.changes { if c.emergency == true { continue; } if l.contains(c.id) || c.approved_by == c.author_id { x(c) } }"#;
        assert_eq!(count(guards), 1);
        let nested =
            r#"if true { for p in facts.people { for a in p.acks { if a.id == () { x(a) } } } }"#;
        assert_eq!(count(nested), 1);
        // An `else`, a statement after the `if`, a counter, a condition on something else,
        // a `break`, or a condition the filter cannot tell: the loop runs as written.
        for plain in [
            r#"for a in facts.accounts { if a.status == "x" { x(a) } else { y(a) } }"#,
            r#"for a in facts.accounts { if a.status == "x" { x(a) } y(a) }"#,
            r#"for (a, i) in facts.accounts { if a.status == "x" { x(a) } }"#,
            r#"let b = 1; for a in facts.accounts { if b.status == "x" { x(a) } }"#,
            r#"for a in facts.accounts { if a.status == "x" { break; } x(a) }"#,
            r#"let l = 1; for a in facts.accounts { if l.contains(a.id) { l = 2; } }"#,
            r#"for a in facts.accounts { if f(a) && a.status == "x" { x(a) } }"#,
            r#"for a in facts.accounts { if a.n > 3 { x(a) } }"#,
        ] {
            assert_eq!(count(plain), 0, "{plain}");
        }
    }

    #[test]
    fn copies_a_body_once_whatever_the_nesting() {
        let mut engine = rhai::Engine::new_raw();
        super::super::register(&mut engine);
        let mut scope = rhai::Scope::new();
        scope.push_constant("facts", ());
        let source = r#"for a in facts.x { if a.s == 1 { continue; }
            for b in facts.y { if b.t == 2 { continue; }
                for c in facts.z { if c.u == 3 { continue; } x(c) } } }"#;
        let (ast, loops) = rewrite(&engine, engine.compile_with_scope(&scope, source).unwrap());
        assert_eq!(loops, 3);
        // Only the innermost body is copied (REST beside the body as written).
        let mut asks = 0;
        ast.walk(&mut |path: &[rhai::ASTNode]| {
            if let Some(rhai::ASTNode::Expr(rhai::Expr::FnCall(call, _))) = path.last()
                && call.name == super::SURE_FN
            {
                asks += 1;
            }
            true
        });
        assert_eq!(asks, 1);
        // A closing `if` is vouched for too.
        let closing = r#"for a in facts.x { if a.s == 1 { x(a) } }"#;
        let (ast, _) = rewrite(&engine, engine.compile_with_scope(&scope, closing).unwrap());
        let mut asked = false;
        ast.walk(&mut |path: &[rhai::ASTNode]| {
            if let Some(rhai::ASTNode::Expr(rhai::Expr::FnCall(call, _))) = path.last() {
                asked |= call.name == super::SURE_FN;
            }
            true
        });
        assert!(asked);
    }
}
