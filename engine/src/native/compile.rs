//! From a compiled rule's Rhai statements to a [`Program`], when every statement is one a
//! native run executes as Rhai would.

use super::Program;
use super::tree::{Arith, Compare, Each, Expr, Function, Guards, Op, Receiver, Stmt, Vouched};
use super::value::V;
use crate::facts::tree::FieldName;
use rhai::{
    AST, ASTFlags, ASTNode, Expr as RExpr, FlowControl, FnCallExpr, ImmutableString, ScriptFuncDef,
    Shared, Stmt as RStmt, StmtBlock,
};

/// The slots of `facts` and `params`, in scope when a rule starts.
pub(super) const FACTS: usize = 0;
pub(super) const PARAMS: usize = 1;

/// How the names of the functions Rhai makes of closures begin (Rhai's `FN_ANONYMOUS`,
/// which it does not export).
const FN_ANONYMOUS: &str = "anon$";

/// Functions Rhai treats specially (they read the caller's scope, build closures or stand
/// for `this`): a rule that calls one runs in Rhai.
const SPECIAL: &[&str] = &[
    "Fn",
    "call",
    "curry",
    "eval",
    "is_def_var",
    "is_def_fn",
    "is_shared",
    "print",
    "debug",
    "this",
];

/// `ast` as a native program, or `None` when any of it is not something a native run does.
pub(super) fn compile(ast: &AST) -> Option<Program> {
    let defs: Vec<_> = ast.iter_fn_def().collect();
    // Closures (`|x| ...`, functions named `anon$...`) are compiled where a method a
    // native run calls back itself takes them (`map`, `filter`...); anywhere else, a
    // native run that reaches one stops and Rhai runs the rule.
    let (closures, named): (Vec<_>, Vec<_>) = defs
        .iter()
        .zip(bodies(ast, &defs)?)
        .partition(|(def, _)| def.name.starts_with(FN_ANONYMOUS));
    let closures: Closures = closures
        .into_iter()
        .map(|(def, body)| (def.name.clone(), (def.params.to_vec(), body)))
        .collect();
    let signatures: Vec<(ImmutableString, usize)> = named
        .iter()
        .map(|(f, _)| (f.name.clone(), f.params.len()))
        .collect();
    let mut made = Vec::new();
    let mut functions = Vec::with_capacity(named.len());
    for (def, body) in &named {
        // A method for a type (`fn Type.name()`) runs on `this`, which stays with Rhai.
        if def.this_type.is_some() {
            return None;
        }
        // A function sees its parameters alone (not the rule's variables, not `facts`).
        let params = def.params.iter().map(|p| (p.clone(), false));
        let mut c = Compiler::new(&signatures, &closures, &mut made, params);
        let body = c.block(body)?;
        functions.push(Function {
            slots: c.slots,
            body,
        });
    }
    // Constants: a method gets a copy of them, as in Rhai.
    let constants = [("facts".into(), true), ("params".into(), true)];
    let mut c = Compiler::new(&signatures, &closures, &mut made, constants);
    let body = c.block(ast.statements())?;
    let slots = c.slots;
    // The closures compiled come after the rule's functions.
    functions.extend(made);
    Some(Program {
        body,
        slots,
        functions,
        max: Default::default(),
        max_depth: 0,
    })
}

/// The rule's closures by name: the parameters each takes (its captured variables first)
/// and its statements.
type Closures = std::collections::HashMap<ImmutableString, (Vec<ImmutableString>, Vec<RStmt>)>;

/// The methods that call a closure back for each item, and what they make of the answers.
const CALLING_BACK: &[(&str, Each)] = &[
    ("map", Each::Map),
    ("filter", Each::Filter),
    ("all", Each::All),
    ("some", Each::Some),
    ("any", Each::Any),
    ("count", Each::Count),
];

/// The statements of each function `defs` holds, in order. Rhai does not hand a function's
/// body out directly, but walks it after the rule's own statements: each statement at the
/// top of a body goes to the innermost function whose text holds it (a closure's text lies
/// within the function or the rule that makes it).
fn bodies(ast: &AST, defs: &[&Shared<ScriptFuncDef>]) -> Option<Vec<Vec<RStmt>>> {
    let mut found = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let [ASTNode::Stmt(s)] = path {
            found.push((*s).clone());
        }
        true
    });
    let key = |p: rhai::Position| Some((p.line()?, p.position().unwrap_or(0)));
    let spans: Vec<_> = defs
        .iter()
        .map(|d| {
            let start = key(d.body.start_position())?;
            // A closure whose body is one expression has no end: its one statement is
            // at its start.
            Some((start, key(d.body.end_position()).unwrap_or(start)))
        })
        .collect::<Option<_>>()?;
    let mut bodies = vec![Vec::new(); defs.len()];
    for s in found.into_iter().skip(ast.statements().len()) {
        let at = key(s.position())?;
        let (f, _) = spans
            .iter()
            .enumerate()
            .filter(|(_, (start, end))| *start <= at && at <= *end)
            .max_by_key(|(_, (start, _))| *start)?;
        bodies[f].push(s);
    }
    Some(bodies)
}

struct Compiler<'a> {
    /// The functions the rule defines: name and number of parameters, by index.
    functions: &'a [(ImmutableString, usize)],
    closures: &'a Closures,
    /// The closures compiled so far (each a function after the rule's own).
    made: &'a mut Vec<Function>,
    /// In a closure: how many of its first variables are captured from where it was
    /// made, and whether its body may change one (which in Rhai changes the variable it
    /// shares, so such a closure is left to Rhai).
    captured: usize,
    changes_captured: bool,
    /// The variables in scope, innermost last, each with whether the rule declared it
    /// constant; a variable's slot is its place here.
    names: Vec<(ImmutableString, bool)>,
    /// The most slots in use at once.
    slots: usize,
}

impl<'a> Compiler<'a> {
    fn new(
        functions: &'a [(ImmutableString, usize)],
        closures: &'a Closures,
        made: &'a mut Vec<Function>,
        names: impl IntoIterator<Item = (ImmutableString, bool)>,
    ) -> Self {
        let names: Vec<_> = names.into_iter().collect();
        Compiler {
            functions,
            closures,
            made,
            captured: 0,
            changes_captured: false,
            slots: names.len(),
            names,
        }
    }

    /// The closure `e` makes, compiled, when it takes one parameter beside the variables
    /// it captures and changes none of them: its function's index and the captured
    /// variables' slots.
    fn closure(&mut self, e: &RExpr) -> Option<(usize, Vec<usize>)> {
        let (pointer, captured): (&rhai::Dynamic, &[RExpr]) = match e {
            RExpr::DynamicConstant(d, _) => (&**d, &[]),
            // `Share` of the captured variables, then `curry(Fn(..), variables...)`.
            RExpr::Stmt(block) => match block.statements() {
                [RStmt::Share(..), RStmt::FnCall(call, _)] => closure_parts(call)?,
                [RStmt::Share(..), RStmt::Expr(e)] => match &**e {
                    RExpr::FnCall(call, _) => closure_parts(call)?,
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        };
        let name = pointer.read_lock::<rhai::FnPtr>()?.fn_name().to_owned();
        let (params, body) = self.closures.get(name.as_str())?;
        let slots = captured
            .iter()
            .map(|v| self.receiver(v).map(|r| r.slot))
            .collect::<Option<Vec<_>>>()?;
        if params.len() != slots.len() + 1 {
            return None;
        }
        let names = params.iter().map(|p| (p.clone(), false));
        let mut c = Compiler::new(self.functions, self.closures, self.made, names);
        c.captured = slots.len();
        let body = c.block(body)?;
        if c.changes_captured {
            return None;
        }
        let slots_used = c.slots;
        self.made.push(Function {
            slots: slots_used,
            body,
        });
        Some((self.functions.len() + self.made.len() - 1, slots))
    }

    /// Notes that calling `name` on `var` (a method's object, or a function's first
    /// argument, which Rhai hands over by reference) may change the variable: in a
    /// closure, one it shares with the scope that made it, for Rhai to run.
    fn may_change(&mut self, var: Option<Receiver>, name: &str) {
        let reads = ["contains", "get", "len"].contains(&name);
        if var.is_some_and(|r| r.slot < self.captured) && !reads {
            self.changes_captured = true;
        }
    }

    /// The index of the rule's function `name` taking `arity` arguments, if it defines one.
    fn function(&self, name: &str, arity: usize) -> Option<usize> {
        self.functions
            .iter()
            .position(|(n, a)| n.as_str() == name && *a == arity)
    }

    fn block(&mut self, statements: &[RStmt]) -> Option<Vec<Stmt>> {
        let depth = self.names.len();
        let out = statements
            .iter()
            .filter(|s| !matches!(s, RStmt::Noop(_)))
            .map(|s| self.stmt(s))
            .collect::<Option<Vec<_>>>();
        self.names.truncate(depth);
        out
    }

    fn declare(&mut self, name: &ImmutableString, constant: bool) -> usize {
        self.names.push((name.clone(), constant));
        self.slots = self.slots.max(self.names.len());
        self.names.len() - 1
    }

    fn slot(&self, name: &str) -> Option<usize> {
        self.names.iter().rposition(|(n, _)| n.as_str() == name)
    }

    /// The slot of a variable a statement may change (not a constant).
    fn variable(&mut self, e: &RExpr) -> Option<usize> {
        let slot = self.receiver(e).filter(|r| r.writable).map(|r| r.slot)?;
        self.changes_captured |= slot < self.captured;
        Some(slot)
    }

    /// The variable `e` is, if it is one.
    fn receiver(&self, e: &RExpr) -> Option<Receiver> {
        match e {
            RExpr::Variable(v, ..) if v.2.is_empty() => {
                let slot = self.slot(&v.1)?;
                let writable = !self.names[slot].1;
                Some(Receiver { slot, writable })
            }
            _ => None,
        }
    }

    fn stmt(&mut self, s: &RStmt) -> Option<Stmt> {
        Some(match s {
            RStmt::Var(x, flags, _) => {
                if flags.contains(ASTFlags::EXPORTED) {
                    return None;
                }
                let value = self.expr(&x.1)?;
                let slot = self.declare(&x.0.name, flags.contains(ASTFlags::CONSTANT));
                Stmt::Set(slot, value)
            }
            RStmt::Assignment(x) => {
                let (op, target) = (&x.0, &x.1);
                let value = self.expr(&target.rhs)?;
                match &target.lhs {
                    RExpr::Index(index, flags, _) if last_index(*flags) => {
                        let slot = self.variable(&index.lhs)?;
                        if op.is_op_assignment() {
                            return None;
                        }
                        Stmt::SetIndex(slot, self.expr(&index.rhs)?, value)
                    }
                    lhs => {
                        let slot = self.variable(lhs)?;
                        let value = match op.get_op_assignment_info() {
                            None => value,
                            Some((.., syntax)) => {
                                let op = arith(syntax)?;
                                Expr::Arith(Box::new(Expr::Var(slot)), Box::new(value), op, true)
                            }
                        };
                        Stmt::Set(slot, value)
                    }
                }
            }
            RStmt::If(flow, _) => Stmt::If(
                self.expr(&flow.expr)?,
                self.block(flow.body.statements())?,
                self.block(flow.branch.statements())?,
            ),
            RStmt::For(x, _) => {
                let (var, counter, flow) = &**x;
                if counter.is_some() {
                    return None;
                }
                let list = self.expr(&flow.expr)?;
                // A range (`0..n`, folded to a constant) is gone through by Rhai.
                if let Expr::Const(V::Other(_)) = list {
                    return None;
                }
                let filter = crate::scan::loop_filter(&var.name, flow.body.statements()).and_then(
                    |(filter, vars, read)| {
                        let slots = vars.iter().map(|v| self.slot(v)).collect::<Option<_>>()?;
                        Some((filter, slots, read))
                    },
                );
                let depth = self.names.len();
                let slot = self.declare(&var.name, false);
                let body = self.block(flow.body.statements())?;
                self.names.truncate(depth);
                let guards = filter.map(|(filter, slots, read)| Guards {
                    vouched: Vouched::of(&body, read, filter.closes()),
                    filter,
                    slots,
                });
                Stmt::For(slot, list, body, guards)
            }
            // `throw` (marked `BREAK`): Rhai raises the error.
            RStmt::Return(_, flags, _) if flags.contains(ASTFlags::BREAK) => Stmt::Throw,
            RStmt::Return(value, ..) => Stmt::Return(match value {
                Some(e) => self.expr(e)?,
                None => Expr::Const(V::Unit),
            }),
            RStmt::While(flow, _) => Stmt::While(
                match &flow.expr {
                    RExpr::Unit(_) => None,
                    e => Some(self.expr(e)?),
                },
                self.block(flow.body.statements())?,
            ),
            RStmt::BreakLoop(None, flags, _) => match flags.contains(ASTFlags::BREAK) {
                true => Stmt::Break,
                false => Stmt::Continue,
            },
            RStmt::Block(b) => Stmt::Block(self.block(b.statements())?),
            RStmt::FnCall(call, _) => Stmt::Expr(self.call(call)?),
            RStmt::Expr(e) => match &**e {
                RExpr::Dot(dot, flags, _) if plain(*flags) => match (&dot.lhs, &dot.rhs) {
                    (lhs, RExpr::MethodCall(call, pos))
                        if call.name == "push" && call.args.len() == 1 && !call.is_qualified() =>
                    {
                        let slot = self.variable(lhs)?;
                        Stmt::Push(slot, self.expr(&call.args[0])?, *pos)
                    }
                    _ => Stmt::Expr(self.expr(e)?),
                },
                _ => Stmt::Expr(self.expr(e)?),
            },
            _ => return None,
        })
    }

    fn exprs<'e>(&mut self, es: impl IntoIterator<Item = &'e RExpr>) -> Option<Vec<Expr>> {
        es.into_iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&mut self, e: &RExpr) -> Option<Expr> {
        Some(match e {
            // A closure (`|x| ...`) is a function of the rule's that only Rhai can call back:
            // without captured variables, a function pointer; with them, the variables
            // shared (`Share`) then curried into it.
            RExpr::DynamicConstant(d, _) if d.is_fnptr() => Expr::Closure,
            RExpr::Stmt(block) if matches!(block.statements().first(), Some(RStmt::Share(..))) => {
                Expr::Closure
            }
            RExpr::DynamicConstant(d, _) => Expr::Const(V::of_dynamic((**d).clone())),
            RExpr::BoolConstant(b, _) => Expr::Const(V::Bool(*b)),
            RExpr::IntegerConstant(i, _) => Expr::Const(V::Int(*i)),
            RExpr::FloatConstant(f, _) => Expr::Const(V::Float(**f)),
            RExpr::StringConstant(s, _) => Expr::Const(V::Str(s.clone())),
            RExpr::Unit(_) => Expr::Const(V::Unit),
            RExpr::InterpolatedString(parts, _) => Expr::Text(self.exprs(parts.iter())?),
            RExpr::Array(items, _) => Expr::Array(self.exprs(items.iter())?),
            RExpr::Map(x, _) => Expr::Map(
                x.0.iter()
                    .map(|(k, v)| Some((k.name.clone(), self.expr(v)?)))
                    .collect::<Option<_>>()?,
            ),
            RExpr::Variable(v, ..) if v.2.is_empty() => Expr::Var(self.slot(&v.1)?),
            RExpr::Dot(dot, flags, _) if plain(*flags) => {
                let base = self.expr(&dot.lhs)?;
                let var = self.receiver(&dot.lhs);
                let root = self.root(&dot.lhs);
                self.chain(base, var, root, &dot.rhs)?
            }
            RExpr::Index(index, flags, _) if last_index(*flags) => Expr::Index(
                Box::new(self.expr(&index.lhs)?),
                Box::new(self.expr(&index.rhs)?),
            ),
            RExpr::And(parts, _) => Expr::And(self.exprs(parts.iter())?),
            RExpr::Or(parts, _) => Expr::Or(self.exprs(parts.iter())?),
            RExpr::Coalesce(parts, _) => Expr::Coalesce(self.exprs(parts.iter())?),
            // `{ e }`: each part of an interpolated string (`${e}`), as Rhai parses it and,
            // built without its optimizer (which would make it `e`), runs it.
            RExpr::Stmt(block) => match block.statements() {
                [RStmt::Expr(e)] => Expr::Block(Box::new(self.expr(e)?)),
                _ => self.choice(block)?,
            },
            RExpr::FnCall(call, _) => self.call(call)?,
            _ => return None,
        })
    }

    /// `if c { a } else { b }` used as a value, each branch one expression (or none, or
    /// another such `if`: `else if`).
    fn choice(&mut self, block: &StmtBlock) -> Option<Expr> {
        let [RStmt::If(flow, _)] = block.statements() else {
            return None;
        };
        self.choose(flow)
    }

    fn choose(&mut self, flow: &FlowControl) -> Option<Expr> {
        let cond = self.expr(&flow.expr)?;
        let yes = self.branch(flow.body.statements())?;
        let no = self.branch(flow.branch.statements())?;
        Some(Expr::Choose(Box::new(cond), Box::new(yes), Box::new(no)))
    }

    fn branch(&mut self, statements: &[RStmt]) -> Option<Expr> {
        match statements {
            [] => Some(Expr::Const(V::Unit)),
            [RStmt::Expr(e)] => self.expr(e),
            [RStmt::FnCall(call, _)] => self.call(call),
            [RStmt::If(flow, _)] => self.choose(flow),
            _ => None,
        }
    }

    /// The rest of a `.` chain applied to `base` (`var`: the variable `base` is, if it is
    /// one; `root`: the variable `base` is a field or an item of, if it is one).
    fn chain(
        &mut self,
        base: Expr,
        var: Option<Receiver>,
        root: Option<usize>,
        rest: &RExpr,
    ) -> Option<Expr> {
        let prop =
            |base, p: &ImmutableString| Expr::Prop(Box::new(base), FieldName::new(p.clone()));
        match rest {
            RExpr::Property(p, _) => Some(prop(base, &p.2)),
            RExpr::MethodCall(call, _) => self.method(base, var, root, call),
            RExpr::Dot(dot, flags, _) if plain(*flags) => match &dot.lhs {
                RExpr::Property(p, _) => self.chain(prop(base, &p.2), None, root, &dot.rhs),
                RExpr::MethodCall(call, _) => {
                    let step = self.method(base, var, root, call)?;
                    self.chain(step, None, None, &dot.rhs)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The variable whose field or item (or the field of an item...) `e` is, or that `e`
    /// is.
    fn root(&self, e: &RExpr) -> Option<usize> {
        match e {
            RExpr::Index(x, ..) | RExpr::Dot(x, ..) => self.root(&x.lhs),
            e => self.receiver(e).map(|r| r.slot),
        }
    }

    fn method(
        &mut self,
        base: Expr,
        var: Option<Receiver>,
        root: Option<usize>,
        call: &FnCallExpr,
    ) -> Option<Expr> {
        // A rule's own function called as a method runs on `this`, which stays with Rhai.
        if call.is_qualified()
            || SPECIAL.contains(&call.name.as_str())
            || call.name == "push"
            || self.function(&call.name, call.args.len() + 1).is_some()
        {
            return None;
        }
        self.may_change(var, &call.name);
        if let ([arg], Some((_, each))) = (
            &call.args[..],
            CALLING_BACK.iter().find(|(n, _)| *n == call.name.as_str()),
        ) && let Some((f, captured)) = self.closure(arg)
            // Called on a variable it captures, Rhai would find the variable in use.
            && !var.is_some_and(|r| captured.contains(&r.slot))
        {
            return Some(Expr::Each(*each, Box::new(base), f, captured));
        }
        let mut args = vec![base];
        args.extend(self.exprs(call.args.iter())?);
        Some(match Op::of_call(&call.name, args.len()) {
            Some(op) => Expr::Call(op, args, var),
            // On a field or item of a variable, a method may change it in place: a native
            // run goes on only when the variable holds facts, which no method changes.
            None => match (var, root) {
                (None, Some(slot)) => {
                    if slot < self.captured {
                        self.changes_captured = true;
                    }
                    let call = Expr::Rhai(call.name.clone(), args, None);
                    Expr::OnFacts(slot, Box::new(call))
                }
                _ => Expr::Rhai(call.name.clone(), args, var),
            },
        })
    }

    fn call(&mut self, call: &FnCallExpr) -> Option<Expr> {
        if call.is_qualified() || SPECIAL.contains(&call.name.as_str()) {
            return None;
        }
        let mut args = self.exprs(call.args.iter())?;
        let name = call.name.as_str();
        // The rule's own functions come before any other of the same name and arity.
        if let Some(f) = self.function(name, args.len()) {
            return Some(Expr::Script(f, args));
        }
        let two = |args: &mut Vec<Expr>| -> Option<(Box<Expr>, Box<Expr>)> {
            let b = args.pop()?;
            let a = args.pop()?;
            Some((Box::new(a), Box::new(b)))
        };
        Some(match (name, args.len()) {
            ("==" | "!=", 2) => {
                let (a, b) = two(&mut args)?;
                Expr::Equal(a, b, name == "==")
            }
            ("<" | "<=" | ">" | ">=", 2) => {
                let (a, b) = two(&mut args)?;
                let how = match name {
                    "<" => Compare::Less,
                    "<=" => Compare::LessOrEqual,
                    ">" => Compare::Greater,
                    _ => Compare::GreaterOrEqual,
                };
                Expr::Order(a, b, how)
            }
            ("+" | "-" | "*" | "/" | "%", 2) => {
                let (a, b) = two(&mut args)?;
                Expr::Arith(a, b, arith(name)?, false)
            }
            ("!", 1) => Expr::Not(Box::new(args.pop()?)),
            ("-", 1) => Expr::Neg(Box::new(args.pop()?)),
            // `x in list` is `contains(list, x)`, which the table below has.
            (name, n) if Op::of_call(name, n).is_none() && call.op_token.is_some() => return None,
            // Any other operator is left to Rhai as a whole rule: its built-in operators
            // are not functions a native run can call by name.
            _ if Op::of_call(name, args.len()).is_none() && !is_identifier(name) => return None,
            // A variable given first is handed over by reference, as to a method (`trim(s)`
            // trims `s`).
            (name, n) => {
                let var = call.args.first().and_then(|a| self.receiver(a));
                self.may_change(var, name);
                match Op::of_call(name, n) {
                    Some(op) => Expr::Call(op, args, var),
                    None => Expr::Rhai(call.name.clone(), args, var),
                }
            }
        })
    }
}

/// The function pointer and the captured variables of `curry(Fn(..), variables...)`.
fn closure_parts(call: &FnCallExpr) -> Option<(&rhai::Dynamic, &[RExpr])> {
    match (call.name.as_str(), &call.args[..]) {
        ("curry", [RExpr::DynamicConstant(d, _), captured @ ..]) if d.is_fnptr() => {
            Some((&**d, captured))
        }
        _ => None,
    }
}

/// Whether a `.` or `[]` is the plain one, not `?.` or `?[]`.
fn plain(flags: ASTFlags) -> bool {
    !flags.contains(ASTFlags::NEGATED)
}

/// Whether an index `a[k]` is a plain one ending its chain: its right side is then the key
/// (otherwise it is the rest of a chain, `a[k].c` or `a[k][j]`, which is left to Rhai).
fn last_index(flags: ASTFlags) -> bool {
    plain(flags) && flags.contains(ASTFlags::BREAK)
}

fn arith(op: &str) -> Option<Arith> {
    Some(match op {
        "+" => Arith::Add,
        "-" => Arith::Sub,
        "*" => Arith::Mul,
        "/" => Arith::Div,
        "%" => Arith::Rem,
        _ => return None,
    })
}

/// Whether `name` is a plain function name (not an operator's symbol).
fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}
