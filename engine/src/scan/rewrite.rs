//! Finding the loops a native scan serves, in a compiled rule, and wrapping their lists.

use super::SCAN_FN;
use super::filter::{Cond, Filter, Literal};
use rhai::{AST, ASTFlags, ASTNode, Dynamic, Expr, FnCallExpr, ImmutableString, Stmt};

/// `ast` with every loop that opens with a field condition scanning natively, and how many
/// loops were rewritten (`ast` itself when none). `engine` is the engine the rule runs on,
/// which has [`super::register`]ed the scan.
pub(crate) fn rewrite(engine: &rhai::Engine, ast: AST) -> (AST, usize) {
    let Some(template) = template(engine) else {
        return (ast, 0);
    };
    let mut statements = ast.statements().to_vec();
    let count = block(&mut statements, &template);
    if count == 0 {
        return (ast, 0);
    }
    let source = ast.source().unwrap_or_default().to_owned();
    let lib = ast.shared_lib().clone();
    (AST::new_with_source(statements, lib, source), count)
}

/// A call of [`SCAN_FN`] with three arguments, compiled by `engine` (so that its hashes are
/// the ones the engine resolves).
fn template(engine: &rhai::Engine) -> Option<FnCallExpr> {
    let ast = engine.compile(format!("{SCAN_FN}((), (), ())")).ok()?;
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
fn block(statements: &mut [Stmt], template: &FnCallExpr) -> usize {
    statements.iter_mut().map(|s| stmt(s, template)).sum()
}

fn stmt(s: &mut Stmt, template: &FnCallExpr) -> usize {
    match s {
        Stmt::For(x, _) => {
            let (var, counter, flow) = &mut **x;
            let mut count = block(flow.body.as_mut(), template);
            // A counter counts the items gone through: skipping would change it.
            if counter.is_none()
                && let Some((filter, vars)) = loop_filter(&var.name, flow.body.statements())
            {
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
                let mut call = template.clone();
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
            block(flow.body.as_mut(), template) + block(flow.branch.as_mut(), template)
        }
        Stmt::Block(b) => block((**b).as_mut(), template),
        _ => 0,
    }
}

/// The filter of a loop over `var` whose body is `body`, and the variables its conditions
/// read: the body's opening `if COND { continue; }`s skip the records they certainly let
/// through, and an `if` with no `else` closing the body those it certainly rules out.
fn loop_filter(var: &str, body: &[Stmt]) -> Option<(Filter, Vec<ImmutableString>)> {
    let mut guards = Vec::new();
    let mut vars = Vec::new();
    for (i, s) in body.iter().enumerate() {
        let Stmt::If(flow, _) = s else { break };
        let skips = matches!(
            flow.body.statements(),
            [Stmt::BreakLoop(None, flags, _)] if !flags.contains(ASTFlags::BREAK)
        );
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
    Some((Filter::new(guards), vars))
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
fn path(var: &str, e: &Expr) -> Option<Vec<rhai::ImmutableString>> {
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
                names.push(p.2.clone());
                return Some(names);
            }
            Expr::Dot(next, ..) => {
                let Expr::Property(p, _) = &next.lhs else {
                    return None;
                };
                names.push(p.2.clone());
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
}
