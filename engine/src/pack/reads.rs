//! What a rule's body reads, checked against the facts contract (facts-v1, with the
//! collections and fields of the pack's extensions): fields its records do not have
//! (`unknown-field`), facts keys its header does not list (`unlisted-facts-key`) and query
//! conditions no record can meet (`query-never-matches`).
//!
//! The check walks the rule's Rhai AST and follows records through a few simple patterns
//! only; a value whose kind it cannot tell is never checked, so it reports no false
//! positives:
//!
//! - `facts.X` (or `facts["X"]`) is the collection X: a list of its records (or the
//!   `organization` record);
//! - on a list of records, the queries `where`, `where_not`, `where_same`, `older_than`,
//!   `within_days`, `on_or_before_as_of`, `after_as_of`, `in_period`, and `filter`,
//!   `to_array` and `tested` give a list of the
//!   same records;
//!   `list[i]` and `latest_by(list, "date")` one of them; `index_by`, `group_by` and
//!   `latest_by(list, "key", "date")` a lookup, whose `get(k)` or `lookup[k]` gives a record
//!   (an array of them for `group_by`), and whose `missing(items, ...)` gives items;
//! - `a + b` of two lists of the same records is a list of them; `tested(x)` is `x`;
//! - `let x = E` and `for x in E` bind `x` (a variable assigned later in its block is not
//!   followed); so do the closures `|x| ...` passed to `filter`, `map`, `any`, `all` and
//!   `count` of a list of records; an `if` expression whose branches agree (or are `()`)
//!   has their kind;
//! - a field of a record that is an object (`p.employment`) is a record of that object, and
//!   one that is an array of objects (`p.policy_acknowledgements`) a list of them.
//!
//! Fields are checked where they are read: `r.name`, `r?.name`, `r["name"]`, `r.has("name")`,
//! and the field paths given to queries and lookups (`where("employment.status", ...)`,
//! `index_by(list, "id")`).

use super::diagnostic::{Diagnostic, DiagnosticCode};
use crate::facts::FactsSchema;
use crate::suggest;
use rhai::{AST, ASTFlags, ASTNode, Expr, FnCallExpr, FnPtr, Position, Stmt};
use serde_json::Value;
use std::collections::HashSet;
use std::rc::Rc;

/// The facts contract: the JSON Schema of the facts (facts-v1 with the pack's extensions).
pub(super) struct Contract<'s> {
    root: &'s Value,
    name: &'s str,
}

impl<'s> Contract<'s> {
    /// The contract of a facts schema.
    pub(super) fn of(schema: &'s FactsSchema) -> Contract<'s> {
        Contract {
            root: schema.document(),
            name: schema.name(),
        }
    }

    /// How messages name the contract (`facts-v1`, `facts-v1 + acme`).
    pub(super) fn name(&self) -> &'s str {
        self.name
    }

    /// The top-level keys a rule may list in its `facts`: every key the schema defines but
    /// `schema_version`.
    pub(super) fn keys(&self) -> Vec<&'s str> {
        self.root
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.keys().map(String::as_str))
            .filter(|k| *k != "schema_version")
            .collect()
    }

    /// A schema with its `$ref`s (to `#/$defs/...`) followed.
    fn resolve(&self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..8 {
            let target = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .and_then(|name| self.root.get("$defs")?.get(name));
            match target {
                Some(t) => schema = t,
                None => break,
            }
        }
        schema
    }
}

/// An object of the contract: a record of a collection, or an object nested in one.
#[derive(Clone)]
struct Obj<'s> {
    schema: &'s Value,
    /// How messages name it: `accounts records`, `` `employment` of people records ``.
    what: Rc<str>,
}

impl<'s> Obj<'s> {
    fn field(&self, name: &str) -> Option<&'s Value> {
        self.schema.get("properties")?.get(name)
    }

    fn names(&self) -> impl Iterator<Item = &'s str> {
        self.schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|p| p.keys().map(String::as_str))
    }

    fn required(&self, name: &str) -> bool {
        self.schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|n| n == name))
    }
}

/// What the check knows about a value.
#[derive(Clone)]
enum Ty<'s> {
    /// `()`.
    Nothing,
    /// `[]`: an array of no records, whatever records they would be.
    Empty,
    /// The facts document.
    Facts,
    /// One record (or nested object).
    Record(Obj<'s>),
    /// A facts list or an array of records.
    Records(Obj<'s>),
    /// A lookup over records; `true` when `get` gives an array of them (`group_by`).
    Lookup(Obj<'s>, bool),
}

impl Ty<'_> {
    fn same(&self, other: &Ty<'_>) -> bool {
        match (self, other) {
            (Ty::Nothing, Ty::Nothing) | (Ty::Empty, Ty::Empty) | (Ty::Facts, Ty::Facts) => true,
            (Ty::Record(a), Ty::Record(b)) | (Ty::Records(a), Ty::Records(b)) => {
                std::ptr::eq(a.schema, b.schema)
            }
            (Ty::Lookup(a, x), Ty::Lookup(b, y)) => std::ptr::eq(a.schema, b.schema) && x == y,
            _ => false,
        }
    }
}

/// The kind of a value that is one of two: both agree, or one is `()`, or one is `[]` and the
/// other a list of records (`if facts.X != () { facts.X } else { [] }`).
fn merge<'s>(a: Option<Ty<'s>>, b: Option<Ty<'s>>) -> Option<Ty<'s>> {
    match (a?, b?) {
        (Ty::Nothing, other) | (other, Ty::Nothing) => Some(other),
        (Ty::Empty, Ty::Records(o)) | (Ty::Records(o), Ty::Empty) => Some(Ty::Records(o)),
        (a, b) if a.same(&b) => Some(a),
        _ => None,
    }
}

/// The JSON types a schema allows (`type`, a string or a list).
fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A script function of the rule: a named one or a closure (`anon$...`).
struct FnDef {
    name: String,
    params: Vec<String>,
    body: Vec<Stmt>,
}

/// A closure expression: its function's name and the variables it captures (which Rhai
/// passes as its first parameters).
fn closure_of(e: &Expr) -> Option<(String, Vec<String>)> {
    let fn_name = |e: &Expr| match e {
        Expr::DynamicConstant(d, _) => d.read_lock::<FnPtr>().map(|f| f.fn_name().to_owned()),
        _ => None,
    };
    match e {
        Expr::DynamicConstant(..) => Some((fn_name(e)?, Vec::new())),
        // A capturing closure: `{ Share(...); curry(Fn(anon$...), captured...) }`.
        Expr::Stmt(block) => {
            let call = match block.statements().last()? {
                Stmt::Expr(e) => match &**e {
                    Expr::FnCall(call, _) => call,
                    _ => return None,
                },
                Stmt::FnCall(call, _) => call,
                _ => return None,
            };
            if call.name != "curry" {
                return None;
            }
            let (first, captured) = call.args.split_first()?;
            let captured = captured
                .iter()
                .map(|a| match a {
                    Expr::Variable(v, ..) => Some(v.1.to_string()),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>()?;
            Some((fn_name(first)?, captured))
        }
        _ => None,
    }
}

/// Whether any statement assigns to the variable `name` (`name = ...`, `name += ...`).
fn assigned(name: &str, stmts: &[Stmt]) -> bool {
    let mut found = false;
    for s in stmts {
        s.walk(&mut Vec::new(), &mut |path: &[ASTNode]| {
            if let Some(ASTNode::Stmt(Stmt::Assignment(x))) = path.last()
                && let Expr::Variable(v, ..) = &x.1.lhs
                && v.1 == name
            {
                found = true;
            }
            !found
        });
    }
    found
}

/// `facts.X` or `facts["X"]`: `X`.
fn facts_key(e: &Expr) -> Option<&str> {
    let (Expr::Dot(x, ..) | Expr::Index(x, ..)) = e else {
        return None;
    };
    let Expr::Variable(v, ..) = &x.lhs else {
        return None;
    };
    if v.1 != "facts" {
        return None;
    }
    match (e, &x.rhs) {
        (Expr::Dot(..), Expr::Property(p, _)) => Some(p.2.as_str()),
        (Expr::Index(..), Expr::StringConstant(s, _)) => Some(s.as_str()),
        _ => None,
    }
}

/// A literal as the rule wrote it, for messages; `None` for anything else.
fn literal(e: &Expr) -> Option<String> {
    Some(match e {
        Expr::StringConstant(s, _) => serde_json::to_string(s.as_str()).ok()?,
        Expr::BoolConstant(b, _) => b.to_string(),
        Expr::IntegerConstant(i, _) => i.to_string(),
        Expr::FloatConstant(f, _) => f.to_string(),
        Expr::Unit(_) => "()".to_owned(),
        _ => return None,
    })
}

/// Checks what the rule at `path`, whose header lists `listed` facts keys (in `facts` or
/// `reads`), reads.
pub(super) fn check(
    contract: &Contract<'_>,
    path: &str,
    listed: &[String],
    ast: &AST,
    diags: &mut Vec<Diagnostic>,
) {
    let fns: Vec<FnDef> = ast
        .iter_fn_def()
        .map(|f| {
            let (name, arity) = (f.name.clone(), f.params.len());
            // (`clone_functions_only_filtered` would keep every function: Rhai filters only
            // into a module that already has some.)
            let mut only = ast.clone_functions_only();
            only.retain_functions(|_, _, n, a| n == name && a == arity);
            let mut body = Vec::new();
            only.walk(&mut |p: &[ASTNode]| {
                if let [ASTNode::Stmt(s)] = p {
                    body.push((*s).clone());
                }
                true
            });
            FnDef {
                name: f.name.to_string(),
                params: f.params.iter().map(ToString::to_string).collect(),
                body,
            }
        })
        .collect();
    // A rule that compares `facts.X` with `()` handles the absence of X itself.
    let mut guarded: HashSet<String> = HashSet::new();
    ast.walk(&mut |p: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::FnCall(call, _))) = p.last()
            && (call.name == "==" || call.name == "!=")
            && let [a, b] = call.args.as_slice()
        {
            let key = match (a, b) {
                (Expr::Unit(_), e) | (e, Expr::Unit(_)) => facts_key(e),
                _ => None,
            };
            guarded.extend(key.map(str::to_owned));
        }
        true
    });

    let mut c = Checker {
        contract,
        fns: &fns,
        walked: HashSet::new(),
        scopes: Vec::new(),
        found: Vec::new(),
        facts_reads: Vec::new(),
    };
    c.block(ast.statements());
    for f in &fns {
        if !f.name.starts_with("anon$") {
            c.function(f, &[], None);
        }
    }
    // Closures the walk did not meet (in a `switch`, say) are checked with nothing known.
    for f in &fns {
        if !c.walked.contains(&f.name) {
            c.function(f, &[], None);
        }
    }

    let keys = contract.keys();
    let mut seen: Vec<&str> = Vec::new();
    let mut reads = std::mem::take(&mut c.facts_reads);
    crate::sorting::sort_by_key(&mut reads, |(_, at)| *at);
    for (key, at) in &reads {
        if seen.contains(&key.as_str()) {
            continue;
        }
        seen.push(key);
        if key != "organization"
            && keys.contains(&key.as_str())
            && !listed.contains(key)
            && !guarded.contains(key)
        {
            c.found.push((
                DiagnosticCode::UnlistedFactsKey,
                *at,
                format!(
                    "the rule reads `facts.{key}`, but its header does not list `{key}`: list it in `facts`, so the rule is not applicable when `{key}` is absent, or in `reads` if the rule judges an absent `{key}` as an empty list"
                ),
            ));
        }
    }
    let mut found = c.found;
    crate::sorting::sort_by_key(&mut found, |(_, at, _)| *at);
    found.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    for (code, (line, col), message) in found {
        diags.push(Diagnostic::new(code, path, message).at(line, col));
    }
}

type At = (u32, u32);

fn at(pos: Position) -> Option<At> {
    let to = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Some((to(pos.line()?), to(pos.position()?)))
}

struct Checker<'a, 's> {
    contract: &'a Contract<'s>,
    fns: &'a [FnDef],
    /// The closures already checked.
    walked: HashSet<String>,
    /// Variables in scope, innermost last; `None` when nothing is known of one.
    scopes: Vec<Vec<(String, Option<Ty<'s>>)>>,
    found: Vec<(DiagnosticCode, At, String)>,
    /// Each `facts.X` read and where.
    facts_reads: Vec<(String, At)>,
}

impl<'a, 's> Checker<'a, 's> {
    fn report(&mut self, code: DiagnosticCode, pos: Position, message: String) {
        if let Some(at) = at(pos) {
            self.found.push((code, at, message));
        }
    }

    fn lookup(&self, name: &str) -> Option<Ty<'s>> {
        for frame in self.scopes.iter().rev() {
            if let Some((_, ty)) = frame.iter().rev().find(|(n, _)| n == name) {
                return ty.clone();
            }
        }
        (name == "facts").then_some(Ty::Facts)
    }

    fn bind(&mut self, name: &str, ty: Option<Ty<'s>>) {
        if let Some(frame) = self.scopes.last_mut() {
            frame.push((name.to_owned(), ty));
        }
    }

    /// Checks a function's body in a scope of its own: its parameters are the captured
    /// variables (of the kinds given) and then its own, the last of which is `item` when
    /// given.
    fn function(&mut self, f: &'a FnDef, captured: &[Option<Ty<'s>>], item: Option<Ty<'s>>) {
        self.walked.insert(f.name.clone());
        let mut frame: Vec<(String, Option<Ty<'s>>)> = Vec::new();
        let own = f.params.len().saturating_sub(captured.len());
        for (i, p) in f.params.iter().enumerate() {
            let ty = if i < captured.len() {
                captured[i].clone()
            } else if own == 1 {
                item.clone()
            } else {
                None
            };
            let ty = if assigned(p, &f.body) { None } else { ty };
            frame.push((p.clone(), ty));
        }
        let outer = std::mem::replace(&mut self.scopes, vec![frame]);
        self.block(&f.body);
        self.scopes = outer;
    }

    /// Checks a closure expression met in the rule, its item parameter being `item`.
    fn closure(&mut self, name: &str, captured: &[String], item: Option<Ty<'s>>) {
        let fns = self.fns;
        let Some(f) = fns.iter().find(|f| f.name == name) else {
            return;
        };
        if self.walked.contains(name) {
            return;
        }
        let kinds: Vec<Option<Ty<'s>>> = captured.iter().map(|c| self.lookup(c)).collect();
        self.function(f, &kinds, item);
    }

    /// Checks a block; its value's kind.
    fn block(&mut self, stmts: &[Stmt]) -> Option<Ty<'s>> {
        self.scopes.push(Vec::new());
        let mut value = Some(Ty::Nothing);
        for (i, s) in stmts.iter().enumerate() {
            value = self.stmt(s, &stmts[i + 1..]);
        }
        self.scopes.pop();
        value
    }

    /// Checks a statement (`rest` is what follows it in its block); its value's kind.
    fn stmt(&mut self, s: &Stmt, rest: &[Stmt]) -> Option<Ty<'s>> {
        match s {
            Stmt::Var(x, ..) => {
                let (var, e, _) = &**x;
                let ty = self.expr(e);
                let ty = if assigned(&var.name, rest) { None } else { ty };
                self.bind(&var.name, ty);
                None
            }
            Stmt::For(x, _) => {
                let (var, counter, flow) = &**x;
                let item = match self.expr(&flow.expr) {
                    Some(Ty::Records(o)) if !assigned(&var.name, flow.body.statements()) => {
                        Some(Ty::Record(o))
                    }
                    _ => None,
                };
                let mut frame = vec![(var.name.to_string(), item)];
                frame.extend(counter.iter().map(|c| (c.name.to_string(), None)));
                self.scopes.push(frame);
                self.block(flow.body.statements());
                self.scopes.pop();
                None
            }
            Stmt::If(flow, _) => {
                self.expr(&flow.expr);
                let a = self.block(flow.body.statements());
                let b = self.block(flow.branch.statements());
                merge(a, b)
            }
            Stmt::While(flow, _) | Stmt::Do(flow, ..) => {
                self.expr(&flow.expr);
                self.block(flow.body.statements());
                None
            }
            Stmt::TryCatch(flow, _) => {
                self.block(flow.body.statements());
                let mut frame = Vec::new();
                if let Expr::Variable(v, ..) = &flow.expr {
                    frame.push((v.1.to_string(), None));
                }
                self.scopes.push(frame);
                self.block(flow.branch.statements());
                self.scopes.pop();
                None
            }
            Stmt::Switch(x, _) => {
                self.expr(&x.0);
                None
            }
            Stmt::Assignment(x) => {
                self.expr(&x.1.rhs);
                None
            }
            Stmt::FnCall(call, _) => self.fn_call(call),
            Stmt::Block(b) => self.block(b.statements()),
            Stmt::Expr(e) => self.expr(e),
            Stmt::BreakLoop(Some(e), ..) | Stmt::Return(Some(e), ..) => {
                self.expr(e);
                None
            }
            _ => None,
        }
    }

    /// Checks an expression; its value's kind.
    fn expr(&mut self, e: &Expr) -> Option<Ty<'s>> {
        match e {
            Expr::Unit(_) => Some(Ty::Nothing),
            Expr::Array(items, _) if items.is_empty() => Some(Ty::Empty),
            Expr::Variable(v, ..) if v.2.is_empty() => self.lookup(&v.1),
            Expr::Dot(x, flags, _) | Expr::Index(x, flags, _) => {
                let root = self.expr(&x.lhs);
                self.apply(root, matches!(e, Expr::Dot(..)), *flags, &x.rhs)
            }
            Expr::FnCall(call, _) => self.fn_call(call),
            Expr::MethodCall(call, _) => self.call(&call.name, None, &call.args),
            Expr::Stmt(block) => match closure_of(e) {
                Some((name, captured)) => {
                    self.closure(&name, &captured, None);
                    None
                }
                None => self.block(block.statements()),
            },
            Expr::DynamicConstant(..) => {
                if let Some((name, captured)) = closure_of(e) {
                    self.closure(&name, &captured, None);
                }
                None
            }
            Expr::InterpolatedString(items, _) | Expr::Array(items, _) => {
                for i in items {
                    self.expr(i);
                }
                None
            }
            Expr::Map(m, _) => {
                for (_, v) in &m.0 {
                    self.expr(v);
                }
                None
            }
            Expr::And(items, _) | Expr::Or(items, _) | Expr::Coalesce(items, _) => {
                for i in items.iter() {
                    self.expr(i);
                }
                None
            }
            _ => None,
        }
    }

    /// The rest of a chain: `rhs` applied to a value of kind `cur` by `.` (`dot`) or `[]`.
    /// Rhai nests a chain to the right: `a.b.c` is `a` then `b.c`, whose `b` is applied to
    /// `a` and whose `c` to the result; an index whose expression ends the chain is marked
    /// `BREAK`.
    fn apply(
        &mut self,
        cur: Option<Ty<'s>>,
        dot: bool,
        flags: ASTFlags,
        rhs: &Expr,
    ) -> Option<Ty<'s>> {
        match rhs {
            Expr::Dot(y, f, _) | Expr::Index(y, f, _)
                if dot || !flags.contains(ASTFlags::BREAK) =>
            {
                let next = self.step(cur, dot, &y.lhs);
                self.apply(next, matches!(rhs, Expr::Dot(..)), *f, &y.rhs)
            }
            _ => self.step(cur, dot, rhs),
        }
    }

    /// One step of a chain: a property or method (`dot`), or an index.
    fn step(&mut self, cur: Option<Ty<'s>>, dot: bool, accessor: &Expr) -> Option<Ty<'s>> {
        if dot {
            return match accessor {
                Expr::Property(p, pos) => self.read(cur, &p.2, *pos),
                Expr::MethodCall(call, _) => self.call(&call.name, cur, &call.args),
                other => {
                    self.expr(other);
                    None
                }
            };
        }
        if let (Some(Ty::Facts | Ty::Record(_)), Expr::StringConstant(name, pos)) = (&cur, accessor)
        {
            return self.read(cur, name, *pos);
        }
        self.expr(accessor);
        match cur? {
            Ty::Records(o) => Some(Ty::Record(o)),
            Ty::Lookup(o, false) => Some(Ty::Record(o)),
            Ty::Lookup(o, true) => Some(Ty::Records(o)),
            _ => None,
        }
    }

    /// A field read, `name` of a value of kind `cur`: checked, and its kind.
    fn read(&mut self, cur: Option<Ty<'s>>, name: &str, pos: Position) -> Option<Ty<'s>> {
        match cur? {
            Ty::Facts => {
                let root = Obj {
                    schema: self.contract.root,
                    what: Rc::from("the facts"),
                };
                let Some(field) = root.field(name) else {
                    let contract = self.contract.name();
                    let message = match suggest::closest(name, root.names()) {
                        Some(near) => {
                            format!("`{name}` is not a {contract} key; did you mean `{near}`?")
                        }
                        None => format!(
                            "`{name}` is not a {contract} key (expected one of {})",
                            self.contract.keys().join(", ")
                        ),
                    };
                    self.report(DiagnosticCode::UnknownField, pos, message);
                    return None;
                };
                if let Some(at) = at(pos) {
                    self.facts_reads.push((name.to_owned(), at));
                }
                let field = self.contract.resolve(field);
                if field.get("properties").is_some() {
                    return Some(Ty::Record(Obj {
                        schema: field,
                        what: Rc::from(format!("`{name}`")),
                    }));
                }
                let items = self.contract.resolve(field.get("items")?);
                items.get("properties")?;
                Some(Ty::Records(Obj {
                    schema: items,
                    what: Rc::from(format!("{name} records")),
                }))
            }
            Ty::Record(o) => {
                let Some(field) = o.field(name) else {
                    self.unknown_field(&o, name, pos, None);
                    return None;
                };
                self.kind_of(&o, name, field)
            }
            _ => None,
        }
    }

    /// The kind of the field `name` (schema `field`) of `o`: a nested object or a list of
    /// them; nothing known for other values.
    fn kind_of(&self, o: &Obj<'s>, name: &str, field: &'s Value) -> Option<Ty<'s>> {
        let field = self.contract.resolve(field);
        if field.get("properties").is_some() {
            return Some(Ty::Record(Obj {
                schema: field,
                what: Rc::from(format!("`{name}` of {}", o.what)),
            }));
        }
        if !types(field).contains(&"array") {
            return None;
        }
        let items = self.contract.resolve(field.get("items")?);
        items.get("properties")?;
        Some(Ty::Records(Obj {
            schema: items,
            what: Rc::from(format!("`{name}` items of {}", o.what)),
        }))
    }

    fn unknown_field(&mut self, o: &Obj<'s>, name: &str, pos: Position, method: Option<&str>) {
        let prefix = method.map_or_else(String::new, |m| format!("`{m}`: "));
        let message = format!(
            "{prefix}`{name}` is not a field of {} in {}{}",
            o.what,
            self.contract.name(),
            suggest::did_you_mean(name, o.names())
        );
        self.report(DiagnosticCode::UnknownField, pos, message);
    }

    /// A field path given to `method` as the argument `arg` (`"employment.status"`), of
    /// records `o`: its first unknown segment is reported. The field's schema and whether
    /// it can be absent (or null), when the path leads to one.
    fn path(&mut self, o: &Obj<'s>, method: &str, arg: Option<&Expr>) -> Option<(&'s Value, bool)> {
        let Some(Expr::StringConstant(path, pos)) = arg else {
            return None;
        };
        self.path_at(o, method, path, *pos)
    }

    fn path_at(
        &mut self,
        o: &Obj<'s>,
        method: &str,
        path: &str,
        pos: Position,
    ) -> Option<(&'s Value, bool)> {
        let mut obj = o.clone();
        let mut absent = false;
        let mut segments = path.split('.').peekable();
        while let Some(segment) = segments.next() {
            let Some(field) = obj.field(segment) else {
                self.unknown_field(&obj, segment, pos, Some(method));
                return None;
            };
            let field = self.contract.resolve(field);
            absent |= !obj.required(segment) || types(field).contains(&"null");
            if segments.peek().is_none() {
                return Some((field, absent));
            }
            // Only objects have fields to go on with.
            field.get("properties")?;
            obj = Obj {
                schema: field,
                what: Rc::from(format!("`{segment}` of {}", obj.what)),
            };
        }
        None
    }

    fn fn_call(&mut self, call: &FnCallExpr) -> Option<Ty<'s>> {
        if !call.namespace.is_empty() {
            for a in &call.args {
                self.expr(a);
            }
            return None;
        }
        let (first, rest) = call.args.split_first()?;
        let recv = self.expr(first);
        self.call(&call.name, recv, rest)
    }

    /// A call of `name` on a value of kind `recv` (`recv.name(args)` or `name(recv, args)`):
    /// its arguments checked, and its value's kind.
    fn call(&mut self, name: &str, recv: Option<Ty<'s>>, args: &[Expr]) -> Option<Ty<'s>> {
        let item = match (&recv, name) {
            (Some(Ty::Records(o)), "filter" | "map" | "any" | "all" | "count") => {
                Some(Ty::Record(o.clone()))
            }
            _ => None,
        };
        let mut kinds = Vec::with_capacity(args.len());
        for a in args {
            match closure_of(a) {
                Some((f, captured)) => {
                    self.closure(&f, &captured, item.clone());
                    kinds.push(None);
                }
                None => kinds.push(self.expr(a)),
            }
        }
        match recv? {
            Ty::Records(o) => match (name, args.len()) {
                ("where" | "where_not", 1) => {
                    if let Expr::Map(m, _) = &args[0] {
                        for (key, value) in &m.0 {
                            if let Some(field) = self.path_at(&o, name, &key.name, key.pos) {
                                self.never(&o, name, &key.name, field, value);
                            }
                        }
                    }
                    Some(Ty::Records(o))
                }
                ("where" | "where_not", 2) => {
                    if let Some(field) = self.path(&o, name, args.first())
                        && let Some(Expr::StringConstant(path, _)) = args.first()
                    {
                        self.never(&o, name, path, field, &args[1]);
                    }
                    Some(Ty::Records(o))
                }
                ("where_same", 2) => {
                    self.path(&o, name, args.first());
                    self.path(&o, name, args.get(1));
                    Some(Ty::Records(o))
                }
                ("older_than" | "within_days", 2)
                | ("in_period" | "on_or_before_as_of" | "after_as_of", 1) => {
                    self.path(&o, name, args.first());
                    Some(Ty::Records(o))
                }
                ("filter" | "to_array" | "tested", _) => Some(Ty::Records(o)),
                ("index_by" | "group_by", 1) => {
                    self.path(&o, name, args.first());
                    Some(Ty::Lookup(o, name == "group_by"))
                }
                ("latest_by", 1) => {
                    self.path(&o, name, args.first());
                    Some(Ty::Record(o))
                }
                ("latest_by", 2) => {
                    self.path(&o, name, args.first());
                    self.path(&o, name, args.get(1));
                    Some(Ty::Lookup(o, false))
                }
                ("+", 1) => match kinds.pop().flatten() {
                    Some(Ty::Records(b)) if std::ptr::eq(o.schema, b.schema) => {
                        Some(Ty::Records(o))
                    }
                    _ => None,
                },
                _ => None,
            },
            Ty::Record(o) => match name {
                "tested" | "exception" => Some(Ty::Record(o)),
                "has" => {
                    if let Some(Expr::StringConstant(field, pos)) = args.first()
                        && o.field(field).is_none()
                    {
                        self.unknown_field(&o, field, *pos, Some("has"));
                    }
                    None
                }
                _ => None,
            },
            Ty::Lookup(o, many) => match name {
                "get" if many => Some(Ty::Records(o)),
                "get" => Some(Ty::Record(o)),
                "missing" => {
                    // missing(items, "key_field"[, "since_field", "date_field"]): the key and
                    // since fields are the items', the date field the lookup's records'.
                    self.path(&o, name, args.get(3));
                    match kinds.into_iter().next().flatten() {
                        Some(Ty::Records(items)) => {
                            self.path(&items, name, args.get(1));
                            self.path(&items, name, args.get(2));
                            Some(Ty::Records(items))
                        }
                        _ => None,
                    }
                }
                _ => None,
            },
            Ty::Nothing | Ty::Empty | Ty::Facts => None,
        }
    }

    /// Reports a condition of `method` that no record can meet: `field` (the schema at
    /// `path`, and whether it can be absent) compared by equality with the literal `value`
    /// (or with each literal of an array: one of them).
    fn never(
        &mut self,
        o: &Obj<'s>,
        method: &str,
        path: &str,
        field: (&'s Value, bool),
        value: &Expr,
    ) {
        let (schema, absent) = field;
        let values: Vec<&Expr> = match value {
            Expr::Array(items, _) => items.iter().collect(),
            other => vec![other],
        };
        let Some(shown) = values
            .iter()
            .map(|v| literal(v))
            .collect::<Option<Vec<String>>>()
        else {
            return;
        };
        if values.is_empty() {
            return;
        }
        let allowed = types(schema);
        if allowed.is_empty() {
            return;
        }
        let enumerated: Option<Vec<&str>> = schema
            .get("enum")
            .and_then(Value::as_array)
            .map(|e| e.iter().filter_map(Value::as_str).collect());
        // `where_not(field, ())` of a field always present keeps every record: a harmless
        // guard, not a mistake.
        let holds = |v: &Expr| match v {
            Expr::Unit(_) => absent || allowed.contains(&"null") || method == "where_not",
            Expr::StringConstant(s, _) => {
                allowed.contains(&"string")
                    && enumerated.as_ref().is_none_or(|e| e.contains(&s.as_str()))
            }
            Expr::BoolConstant(..) => allowed.contains(&"boolean"),
            Expr::IntegerConstant(..) | Expr::FloatConstant(..) => {
                allowed.contains(&"integer") || allowed.contains(&"number")
            }
            _ => true,
        };
        if values.iter().any(|v| holds(v)) {
            return;
        }
        let is = if allowed.contains(&"array") {
            "an array".to_owned()
        } else if allowed.contains(&"object") {
            "an object".to_owned()
        } else if let Some(e) = enumerated.as_ref().filter(|_| allowed.contains(&"string")) {
            let listed: Vec<String> = e.iter().map(|v| format!("\"{v}\"")).collect();
            format!("one of {}", listed.join(", "))
        } else if allowed.contains(&"boolean") {
            "a boolean".to_owned()
        } else if allowed.contains(&"string") {
            "a string".to_owned()
        } else if allowed.contains(&"integer") || allowed.contains(&"number") {
            "a number".to_owned()
        } else {
            allowed.join(" or ")
        };
        let is = if values.iter().all(|v| matches!(v, Expr::Unit(_))) {
            "always present".to_owned()
        } else {
            is
        };
        let outcome = if method == "where_not" {
            "`where_not` keeps every record"
        } else {
            "`where` matches no record"
        };
        let value_text = if shown.len() == 1 {
            shown[0].clone()
        } else {
            format!("any of {}", shown.join(", "))
        };
        let mut message = format!(
            "`{path}` of {} is {is}, so it never equals {value_text}: {outcome}",
            o.what
        );
        if allowed.contains(&"array") {
            message.push_str(&format!(
                " (to test membership, use a closure: `filter(|r| {} in r.{path})`)",
                shown[0]
            ));
        } else if let (Some(e), Some(Expr::StringConstant(s, _))) = (&enumerated, values.first()) {
            message.push_str(&suggest::did_you_mean(s, e.iter().copied()));
        }
        self.report(
            DiagnosticCode::QueryNeverMatches,
            value.start_position(),
            message,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diagnostics of a rule body whose header lists `listed`: (code, line, column).
    fn found(listed: &[&str], body: &str) -> Vec<(&'static str, u32, u32)> {
        with_messages(listed, body)
            .into_iter()
            .map(|(code, line, col, _)| (code, line, col))
            .collect()
    }

    fn with_messages(listed: &[&str], body: &str) -> Vec<(&'static str, u32, u32, String)> {
        let contract = Contract::of(FactsSchema::shipped().unwrap());
        let ast = super::super::span::parse(body).unwrap();
        let listed: Vec<String> = listed.iter().map(|k| (*k).to_owned()).collect();
        let mut diags = Vec::new();
        check(&contract, "r.rhai", &listed, &ast, &mut diags);
        diags
            .into_iter()
            .map(|d| {
                (
                    d.code.as_str(),
                    d.line.unwrap(),
                    d.column.unwrap(),
                    d.message,
                )
            })
            .collect()
    }

    #[test]
    fn a_mistyped_field_of_a_looped_record_is_reported_with_a_suggestion() {
        let got = with_messages(
            &["accounts"],
            "for a in facts.accounts {\n    if a.statsu == \"active\" { fail(a, \"x\"); }\n}\n",
        );
        assert_eq!(
            got,
            vec![(
                "unknown-field",
                2,
                10,
                "`statsu` is not a field of accounts records in facts-v1; did you mean `status`?"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn records_are_followed_through_queries_lookups_and_closures() {
        let body = r#"let xs = facts.accounts.where("status", "active").where_not("mfa", true);
let one = xs[0];
one.nope1;
latest_by(facts.access_reviews, "completed_on").nope2;
let by_sys = latest_by(facts.access_reviews, "system_id", "completed_on");
by_sys.get("aws").nope3;
by_sys["aws"].nope4;
let people = index_by(tested(facts.people), "id");
let p = people.get("p1");
p.employment.nope5;
let emp = p.employment;
emp.nope6;
for t in group_by(facts.training, "person_id").get("p1") { t.nope7; }
xs.filter(|a| a.nope8 == 1);
let sys = "aws";
xs.any(|a| a.nope9 == sys);
for a in xs + facts.accounts.where("kind", "service") { a.nope10; }
let maybe = if xs.len() > 0 { xs[0] } else { () };
maybe.nope11;
for ack in p.policy_acknowledgements { ack.nope12; }
p?.employment?.nope13;
p["nope14"];
p.has("nope15");
facts.vendors.within_days("last_risk_review_on", 3).older_than("contract.nope16", 2);
facts.vendors.on_or_before_as_of("nope17").after_as_of("last_risk_review_on").where("nope18", 1);
"#;
        let got = found(
            &[
                "accounts",
                "access_reviews",
                "people",
                "training",
                "vendors",
            ],
            body,
        );
        let lines: Vec<u32> = got.iter().map(|(_, line, _)| *line).collect();
        assert!(
            got.iter().all(|(code, ..)| *code == "unknown-field"),
            "{got:?}"
        );
        // Line 25 reads two unknown fields, through `on_or_before_as_of` and after `after_as_of`.
        let mut want: Vec<u32> = (3..=25)
            .filter(|l| ![5, 8, 9, 11, 15, 18].contains(l))
            .collect();
        want.push(25);
        assert_eq!(lines, want, "{got:?}");
    }

    #[test]
    fn values_of_unknown_kind_are_never_checked() {
        let body = r#"fn name(a) { a.nope }
let a = facts.accounts[0];
a = 5;
a.nope;
let b = facts.accounts[0];
for b in [1, 2] { b.nope; }
let ids = facts.accounts.map(|a| a.username);
for i in ids { i.nope; }
[1].filter(|x| x.nope);
let m = #{ status: 1 };
m.nope;
let c = facts.accounts[0];
let d = if c.mfa { c } else { facts.people[0] };
d.nope;
"#;
        assert_eq!(found(&["accounts", "people"], body), vec![]);
    }

    #[test]
    fn field_paths_of_queries_and_lookups_are_checked() {
        let body = r#"facts.people.where("employment.statsu", "active");
facts.accounts.where(#{ status: "active", privilegd: true });
index_by(facts.people, "idd");
facts.changes.where_same("approved_by", "auther_id");
let acks = latest_by(facts.people[0].policy_acknowledgements, "policy_id", "acknowledged_on");
acks.missing(facts.policies, "id", "approved_onn", "acknowledged_on");
facts.accounts.in_period("disabled_onn").where("statsu", "active");
"#;
        let got = with_messages(&["people", "accounts", "changes", "policies"], body);
        let places: Vec<(&str, u32, u32)> = got.iter().map(|(c, l, k, _)| (*c, *l, *k)).collect();
        assert_eq!(
            places,
            vec![
                ("unknown-field", 1, 20),
                ("unknown-field", 2, 43),
                ("unknown-field", 3, 24),
                ("unknown-field", 4, 41),
                ("unknown-field", 6, 36),
                ("unknown-field", 7, 26),
                ("unknown-field", 7, 48),
            ]
        );
        assert_eq!(
            got[0].3,
            "`where`: `statsu` is not a field of `employment` of people records in facts-v1; did you mean `status`?"
        );
    }

    #[test]
    fn conditions_no_record_can_meet_are_reported() {
        let body = r#"facts.vendors.where("data_access", "pii");
facts.accounts.where(#{ status: "actve" });
facts.accounts.where("privileged", "true");
facts.accounts.where("status", ());
facts.accounts.where("kind", ["robot", "person"]);
facts.accounts.where_not("status", "disbled");
facts.accounts.where_not("status", ());
facts.accounts.where("kind", ["robot", "human"]);
facts.accounts.where("mfa", ());
facts.vendors.where("data_access", ());
facts.accounts.where("status", params.x);
facts.vendors.where("assurance.soc2_type", "type3");
"#;
        let got = with_messages(&["accounts", "vendors"], body);
        let places: Vec<(&str, u32, u32)> = got.iter().map(|(c, l, k, _)| (*c, *l, *k)).collect();
        assert_eq!(
            places,
            vec![
                ("query-never-matches", 1, 36),
                ("query-never-matches", 2, 33),
                ("query-never-matches", 3, 36),
                ("query-never-matches", 4, 32),
                ("query-never-matches", 5, 30),
                ("query-never-matches", 6, 36),
                ("query-never-matches", 12, 44),
            ]
        );
        assert_eq!(
            got[0].3,
            "`data_access` of vendors records is an array, so it never equals \"pii\": `where` matches no record (to test membership, use a closure: `filter(|r| \"pii\" in r.data_access)`)"
        );
        assert_eq!(
            got[1].3,
            "`status` of accounts records is one of \"active\", \"disabled\", so it never equals \"actve\": `where` matches no record; did you mean `active`?"
        );
        assert_eq!(
            got[5].3,
            "`status` of accounts records is one of \"active\", \"disabled\", so it never equals \"disbled\": `where_not` keeps every record; did you mean `disabled`?"
        );
    }

    #[test]
    fn a_guarded_read_taken_as_empty_is_checked_as_the_list_itself() {
        let body = "let d = if facts.devices != () { facts.devices } else { [] };\nfor x in d { x.encryptd; }\nindex_by(if facts.devices != () { facts.devices } else { [] }, \"persn_id\");\nlet n = if true { [] } else { [] };\nfor x in n { x.anything; }\n";
        assert_eq!(
            found(&["devices"], body),
            vec![("unknown-field", 2, 16), ("unknown-field", 3, 64)]
        );
    }

    #[test]
    fn facts_keys_read_must_be_listed_unless_the_rule_tests_their_absence() {
        let body = "let n = facts.people.len() + facts.people.len();\nlet o = facts.organization.name;\nfacts.acounts;\n";
        let got = with_messages(&["accounts"], body);
        let places: Vec<(&str, u32, u32)> = got.iter().map(|(c, l, k, _)| (*c, *l, *k)).collect();
        assert_eq!(
            places,
            vec![("unlisted-facts-key", 1, 15), ("unknown-field", 3, 7)]
        );
        assert_eq!(
            got[1].3,
            "`acounts` is not a facts-v1 key; did you mean `accounts`?"
        );
        assert_eq!(
            found(&["accounts", "people"], body),
            vec![("unknown-field", 3, 7)]
        );
        let guarded = "if facts.people != () { facts.people.len(); }\n";
        assert_eq!(found(&["accounts"], guarded), vec![]);
    }
}
