//! Running a [`Program`]: Rhai's semantics for the statements it holds, over the facts
//! as they are, with the budgets of the rule.

use super::stop::{R, Stop};
use super::tree::{Arith, Compare, Each, Expr, Guards, Op, Receiver, Stmt};
use super::value::{Fields, Items, Seen, Sizes, V, equal, order, type_name};
use super::{Program, ops};
use crate::context::{self, Overrun};
use crate::facts::tree::{FieldName, Node, Record};
use crate::prelude::{self, Set};
use crate::scan::Decision;
use rhai::{Dynamic, INT, ImmutableString, NativeCallContext};
use smallvec::SmallVec;
use std::sync::Arc;

/// How a statement ended.
enum Flow {
    Next,
    Break,
    Continue,
    Return(V),
}

/// How many operations are counted before they are charged to the rule's budget.
const CHARGE_EVERY: u64 = 256;

/// Values of a call held on the stack: every function [`Op`] names takes at most five, most
/// one to three.
const CALL_VALUES: usize = 3;

/// Bytes an interpolated string's buffer starts with: most keys and messages fit.
const TEXT_CAPACITY: usize = 64;

/// The state of one run.
pub(super) struct Run<'a> {
    program: &'a Program,
    ctx: &'a NativeCallContext<'a>,
    /// The variables of the rule, or of the function running.
    slots: Vec<V>,
    /// The value of the last statement run (a block's value, a function's result).
    last: V,
    /// How many of the rule's functions are running, one within another.
    depth: usize,
    /// The variables of functions that have returned, emptied, for the next calls to
    /// take (a call then allocates nothing).
    frames: Vec<Vec<V>>,
    /// Operations not yet charged.
    ops: u64,
}

impl<'a> Run<'a> {
    pub fn new(program: &'a Program, ctx: &'a NativeCallContext<'a>, facts: V, params: V) -> Self {
        let mut slots = vec![V::Unit; program.slots];
        slots[super::compile::FACTS] = facts;
        slots[super::compile::PARAMS] = params;
        Run {
            program,
            ctx,
            slots,
            last: V::Unit,
            depth: 0,
            frames: Vec::new(),
            ops: 0,
        }
    }

    /// Runs the whole program.
    pub fn all(&mut self) -> R<()> {
        let program = self.program;
        self.block(&program.body)?;
        self.charge()
    }

    /// Counts one operation, charging the rule's budget every [`CHARGE_EVERY`].
    fn tick(&mut self) -> R<()> {
        self.ticks(1)
    }

    /// Counts `n` operations.
    fn ticks(&mut self, n: u64) -> R<()> {
        self.ops += n;
        if self.ops >= CHARGE_EVERY {
            self.charge()?;
        }
        Ok(())
    }

    fn charge(&mut self) -> R<()> {
        let ops = std::mem::take(&mut self.ops);
        match context::current(|run| run.charge_native(ops)).flatten() {
            None => Ok(()),
            Some(Overrun::Nearly) => Err(Stop::Rhai),
            Some(Overrun::Time(message)) => Err(Stop::Error(context::stop(message))),
        }
    }

    fn block(&mut self, statements: &[Stmt]) -> R<Flow> {
        for s in statements {
            match self.stmt(s)? {
                Flow::Next => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Next)
    }

    fn stmt(&mut self, s: &Stmt) -> R<Flow> {
        self.tick()?;
        // A statement's value is `()` unless it is an expression or a block ending in one.
        self.last = V::Unit;
        match s {
            Stmt::Block(body) => return self.block(body),
            Stmt::Return(e) => return Ok(Flow::Return(self.expr(e)?)),
            Stmt::Throw => return Err(Stop::Rhai),
            // `s += text` on a string: appended in place, as Rhai does, not copied whole (a
            // loop that builds a string would take time in the square of its length).
            Stmt::Set(slot, Expr::Arith(a, b, Arith::Add, true))
                if matches!(**a, Expr::Var(s) if s == *slot)
                    && matches!(self.slots[*slot], V::Str(_)) =>
            {
                // The ticks of the expression `s + text`, of `s` and of `text`.
                self.tick()?;
                self.tick()?;
                let b = self.expr(b)?;
                let (V::Str(s), V::Str(b)) = (&mut self.slots[*slot], &b) else {
                    let a = self.slots[*slot].clone();
                    self.slots[*slot] = self.arith(a, b, Arith::Add, true)?;
                    return Ok(Flow::Next);
                };
                s.make_mut().push_str(b);
                let string = s.len();
                within(
                    self.program,
                    Sizes {
                        string,
                        ..Sizes::default()
                    },
                )?;
            }
            Stmt::Set(slot, e) => {
                let v = self.expr(e)?;
                self.slots[*slot] = v;
            }
            Stmt::SetIndex(slot, key, e) => {
                let key = self.expr(key)?;
                let v = self.expr(e)?;
                let (V::Map(map), V::Str(key)) = (&mut self.slots[*slot], key) else {
                    return Err(Stop::Rhai);
                };
                let map = Arc::make_mut(map);
                map.insert(key, v).ok_or(Stop::Rhai)?;
                within(self.program, map.sizes)?;
            }
            Stmt::Push(slot, e, pos) => {
                let v = self.expr(e)?;
                // An array Rhai gave is made native to be changed.
                let made = match &self.slots[*slot] {
                    V::Other(d) => d.read_lock::<rhai::Array>().map(|a| V::items_of(&a)),
                    _ => None,
                };
                if let Some(items) = made {
                    within(self.program, items.sizes)?;
                    self.slots[*slot] = V::Array(Arc::new(items));
                }
                let V::Array(items) = &mut self.slots[*slot] else {
                    return Err(Stop::Rhai);
                };
                let items = Arc::make_mut(items);
                items.push(v);
                if let Some(what) = too_large(self.program, items.sizes) {
                    // Rhai measures the whole array after every `push` and stops the rule
                    // there with this error: raised here at once, in the rule's top-level
                    // code, rather than running the rule again in Rhai (where a loop of
                    // pushes takes time in the square of the array's size). Inside a
                    // function, Rhai reports the error where the function was called.
                    if self.depth > 0 {
                        return Err(Stop::Rhai);
                    }
                    let error = rhai::EvalAltResult::ErrorDataTooLarge(what.into(), *pos);
                    return Err(Stop::Error(error.into()));
                }
            }
            Stmt::If(cond, yes, no) => {
                let branch = match self.boolean(cond)? {
                    true => yes,
                    false => no,
                };
                return self.block(branch);
            }
            Stmt::For(slot, list, body, filter) => {
                let flow = self.each(*slot, list, body, filter.as_ref())?;
                self.last = V::Unit;
                return Ok(flow);
            }
            Stmt::While(cond, body) => {
                let flow = self.repeat(cond.as_ref(), body)?;
                self.last = V::Unit;
                return Ok(flow);
            }
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Expr(e) => self.last = self.expr(e)?,
        }
        Ok(Flow::Next)
    }

    /// Runs a loop's body once: how the loop ends (after a `break`, or with a `return`), or
    /// `None` to go on.
    fn turn(&mut self, body: &[Stmt]) -> R<Option<Flow>> {
        Ok(match self.block(body)? {
            Flow::Break => Some(Flow::Next),
            Flow::Return(v) => Some(Flow::Return(v)),
            Flow::Next | Flow::Continue => None,
        })
    }

    /// `while cond { body }`, or `loop { body }` without a condition.
    fn repeat(&mut self, cond: Option<&Expr>, body: &[Stmt]) -> R<Flow> {
        loop {
            self.tick()?;
            if let Some(cond) = cond
                && !self.boolean(cond)?
            {
                return Ok(Flow::Next);
            }
            if let Some(end) = self.turn(body)? {
                return Ok(end);
            }
        }
    }

    fn each(
        &mut self,
        slot: usize,
        list: &Expr,
        body: &[Stmt],
        guards: Option<&Guards>,
    ) -> R<Flow> {
        match self.expr(list)? {
            V::List(list) => {
                let top = list.is_collection();
                // The filter reads the variables' values as the loop starts.
                let filter = guards.map(|g| {
                    let vars: rhai::Array = g
                        .slots
                        .iter()
                        .map(|s| self.slots[*s].to_dynamic())
                        .collect();
                    (&g.filter, vars, g.vouched.map(|v| v.of_body(body)))
                });
                for node in list.items() {
                    self.tick()?;
                    // The body, or the part of it left once the filter has read its guards.
                    let mut run = body;
                    if let Node::Record(r) = node {
                        if top {
                            prelude::went_through_item(r);
                        }
                        if let Some((f, vars, vouched)) = &filter {
                            match f.decide(r, vars) {
                                Decision::Skip => continue,
                                Decision::Pass => run = vouched.unwrap_or(body),
                                Decision::Unsure => {}
                            }
                        }
                    }
                    self.slots[slot] = V::of_node(node);
                    if let Some(end) = self.turn(run)? {
                        return Ok(end);
                    }
                }
            }
            V::Array(items) => {
                for item in &items.items {
                    self.tick()?;
                    self.slots[slot] = item.clone();
                    if let Some(end) = self.turn(body)? {
                        return Ok(end);
                    }
                }
            }
            V::Other(d) if d.is_array() => {
                let Some(items) = d.read_lock::<rhai::Array>() else {
                    return Err(Stop::Rhai);
                };
                for item in items.iter() {
                    self.tick()?;
                    self.slots[slot] = V::of_item(item);
                    if let Some(end) = self.turn(body)? {
                        return Ok(end);
                    }
                }
            }
            // A set's keys, sorted, as strings.
            V::Other(d) if d.is::<Set>() => {
                let keys: Vec<ImmutableString> = match d.read_lock::<Set>() {
                    Some(set) => set.keys().cloned().collect(),
                    None => return Err(Stop::Rhai),
                };
                for key in keys {
                    self.tick()?;
                    self.slots[slot] = V::Str(key);
                    if let Some(end) = self.turn(body)? {
                        return Ok(end);
                    }
                }
            }
            _ => return Err(Stop::Rhai),
        }
        Ok(Flow::Next)
    }

    /// The value of condition `e`, which must be a boolean. Comparisons and the logical
    /// operators are worked out here, without a value made of their answers.
    fn boolean(&mut self, e: &Expr) -> R<bool> {
        match e {
            Expr::Equal(..) | Expr::Order(..) | Expr::And(_) | Expr::Or(_) | Expr::Not(_) => {
                self.tick()?;
                self.logic(e)
            }
            e => {
                if let Some((Seen::Bool(b), n)) = self.seen(e) {
                    self.ticks(n)?;
                    return Ok(b);
                }
                match self.expr(e)? {
                    V::Bool(b) => Ok(b),
                    _ => Err(Stop::Rhai),
                }
            }
        }
    }

    /// A comparison or a logical operator's answer (its own operation counted by the
    /// caller).
    fn logic(&mut self, e: &Expr) -> R<bool> {
        Ok(match e {
            Expr::Equal(a, b, same) => {
                let equal = match self.compare_in_place(a, b, equal)? {
                    Some(equal) => equal,
                    None => {
                        let (a, b) = (self.expr(a)?, self.expr(b)?);
                        equal((&a).into(), (&b).into())
                    }
                };
                equal.ok_or(Stop::Rhai)? == *same
            }
            Expr::Order(a, b, how) => {
                let order = match self.compare_in_place(a, b, order)? {
                    Some(order) => order,
                    None => {
                        let (a, b) = (self.expr(a)?, self.expr(b)?);
                        order((&a).into(), (&b).into())
                    }
                };
                order.ok_or(Stop::Rhai)?.is_some_and(|o| match how {
                    Compare::Less => o.is_lt(),
                    Compare::LessOrEqual => o.is_le(),
                    Compare::Greater => o.is_gt(),
                    Compare::GreaterOrEqual => o.is_ge(),
                })
            }
            Expr::And(parts) => {
                for part in parts {
                    if !self.boolean(part)? {
                        return Ok(false);
                    }
                }
                true
            }
            Expr::Or(parts) => {
                for part in parts {
                    if self.boolean(part)? {
                        return Ok(true);
                    }
                }
                false
            }
            Expr::Not(e) => !self.boolean(e)?,
            _ => return Err(Stop::Rhai),
        })
    }

    fn expr(&mut self, e: &Expr) -> R<V> {
        self.tick()?;
        Ok(match e {
            Expr::Const(v) => v.clone(),
            Expr::Var(slot) => self.slots[*slot].clone(),
            Expr::Prop(e, field) => match self.prop_in_place(e, field)? {
                Some(v) => v,
                None => match self.expr(e)? {
                    V::Record(r) => r.get_field(field).map_or(V::Unit, V::of_node),
                    V::Unit => V::Unit,
                    V::Map(m) => m.entries.get(field.name()).cloned().unwrap_or(V::Unit),
                    _ => return Err(Stop::Rhai),
                },
            },
            Expr::Index(e, key) => {
                if let Some((item, steps)) = self.index_in_place(e, key) {
                    let v = item.to_v();
                    self.ticks(steps)?;
                    return Ok(v);
                }
                // A variable's item: the key first, then the item read where the variable
                // holds it (Rhai's order: the index, then the variable).
                if let Some(slot) = inner_var(e) {
                    let key = self.expr(key)?;
                    self.tick()?;
                    return item_of(&self.slots[slot], &key);
                }
                let (v, key) = (self.expr(e)?, self.expr(key)?);
                item_of(&v, &key)?
            }
            Expr::Equal(..) | Expr::Order(..) | Expr::And(_) | Expr::Or(_) | Expr::Not(_) => {
                V::Bool(self.logic(e)?)
            }
            Expr::Coalesce(parts) => {
                let mut v = V::Unit;
                for part in parts {
                    v = self.expr(part)?;
                    if !matches!(v, V::Unit) {
                        break;
                    }
                }
                v
            }
            Expr::Arith(a, b, how, assign) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                self.arith(a, b, *how, *assign)?
            }
            Expr::Text(parts) => V::Str(self.text(parts)?),
            Expr::Array(items) => {
                let mut out = Items::default();
                for item in items {
                    let v = self.expr(item)?;
                    out.push(v);
                }
                within(self.program, out.sizes)?;
                V::Array(Arc::new(out))
            }
            Expr::Map(entries) => {
                let mut out = Fields::default();
                for (k, e) in entries {
                    let v = self.expr(e)?;
                    out.insert(k.clone(), v).ok_or(Stop::Rhai)?;
                }
                within(self.program, out.sizes)?;
                V::Map(Arc::new(out))
            }
            Expr::Choose(cond, yes, no) => match self.boolean(cond)? {
                true => self.expr(yes)?,
                false => self.expr(no)?,
            },
            Expr::Call(op, args, recv) => self.call(*op, args, *recv)?,
            Expr::Script(f, args) => self.script(*f, args)?,
            Expr::Rhai(name, args, recv) => self.rhai(name, args, *recv)?,
            Expr::Closure => return Err(Stop::Rhai),
            Expr::Each(how, base, f, captured) => self.call_back(*how, base, *f, captured)?,
            Expr::OnFacts(slot, e) => match &self.slots[*slot] {
                V::Record(_) | V::List(_) => self.expr(e)?,
                _ => return Err(Stop::Rhai),
            },
            // Rhai's unary minus on an integer (an error on the one that overflows).
            Expr::Neg(e) => match self.expr(e)? {
                V::Int(i) => V::Int(i.checked_neg().ok_or(Stop::Rhai)?),
                _ => return Err(Stop::Rhai),
            },
            Expr::Block(e) => {
                self.tick()?;
                self.expr(e)?
            }
        })
    }

    /// `base.field` where `base` is a variable holding a record, or a record field of one
    /// (`a.owner.id`), read in place rather than through a copy of the record (`None`: any
    /// other `base`, read the general way). Counts the operations the general way counts.
    fn prop_in_place(&mut self, base: &Expr, field: &FieldName) -> R<Option<V>> {
        let Some((record, steps)) = self.record_in_place(base) else {
            return Ok(None);
        };
        let v = record.get_field(field).map_or(V::Unit, V::of_node);
        self.ticks(steps)?;
        Ok(Some(v))
    }

    /// The record `base` is, when it is a variable holding one or a record field of one,
    /// with the operations reading it the general way counts.
    fn record_in_place(&self, base: &Expr) -> Option<(&Record, u64)> {
        match base {
            Expr::Var(slot) => match &self.slots[*slot] {
                V::Record(r) => Some((r, 1)),
                _ => None,
            },
            Expr::Prop(inner, name) => match inner_var(inner).map(|slot| &self.slots[slot]) {
                Some(V::Record(r)) => match r.get_field(name) {
                    Some(Node::Record(r)) => Some((r, 2)),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// `base[key]` read in place, without copying the map, array or record `base` holds,
    /// when `base` is a variable and `key` a value [`Self::seen`] reads (no other part of
    /// the rule runs meanwhile), with the operations reading `base` and `key` the general
    /// way counts. `None`: read it the general way (which also stops where Rhai raises an
    /// error, such as a place past an array's end).
    fn index_in_place(&self, base: &Expr, key: &Expr) -> Option<(Item<'_>, u64)> {
        let slot = inner_var(base)?;
        let (key, n) = self.seen(key)?;
        Some((item_at(&self.slots[slot], key)?, 1 + n))
    }

    /// `how` on `a` and `b` read in place, without copying either, when [`Self::seen`] reads
    /// both (`None`: read them the general way). Counts the operations the general way
    /// counts.
    fn compare_in_place<T>(
        &mut self,
        a: &Expr,
        b: &Expr,
        how: impl FnOnce(Seen<'_>, Seen<'_>) -> T,
    ) -> R<Option<T>> {
        let (Some((x, n)), Some((y, m))) = (self.seen(a), self.seen(b)) else {
            return Ok(None);
        };
        let out = how(x, y);
        self.ticks(n + m)?;
        Ok(Some(out))
    }

    /// The value of `e` read in place, when it is a constant, a variable, a field of a
    /// record variable, an item of a variable ([`Self::index_in_place`]) or `type_of` of
    /// one of these (or one of these in a block, `{ e }`), with the operations evaluating
    /// it counts.
    fn seen<'s>(&'s self, e: &'s Expr) -> Option<(Seen<'s>, u64)> {
        Some(match e {
            Expr::Const(v) => (v.into(), 1),
            Expr::Var(slot) => ((&self.slots[*slot]).into(), 1),
            Expr::Prop(base, field) => {
                let (record, steps) = self.record_in_place(base)?;
                let v = record.get_field(field).map_or(Seen::Unit, Seen::from);
                (v, 1 + steps)
            }
            Expr::Block(e) => {
                let (v, steps) = self.seen(e)?;
                (v, 2 + steps)
            }
            Expr::Index(base, key) => {
                let (item, steps) = self.index_in_place(base, key)?;
                (item.seen(), 1 + steps)
            }
            // `type_of(v)`: the name, without making a string of it.
            Expr::Call(Op::TypeOf, args, None) => {
                let [arg] = args.as_slice() else {
                    return None;
                };
                let (v, steps) = self.seen(arg)?;
                (Seen::Str(type_name(v)?), 1 + steps)
            }
            // `days_since(v)`, `days_until(v)`, `is_date(v)`, `v.len()`: the number or the
            // answer, without a value made of it (as `Self::call_in_place` works it out).
            Expr::Call(op @ (Op::DaysSince | Op::DaysUntil | Op::IsDate | Op::Len), args, _) => {
                let [arg] = args.as_slice() else {
                    return None;
                };
                let (v, steps) = self.seen(arg)?;
                let seen = match ops::on_one(*op, v).ok()?? {
                    V::Int(i) => Seen::Int(i),
                    V::Bool(b) => Seen::Bool(b),
                    _ => return None,
                };
                (seen, 1 + steps)
            }
            _ => return None,
        })
    }

    /// `a op b`: integers and strings here; any other values of a binary operator by Rhai's
    /// operator; of an assignment (`x += b`, which Rhai does its own way), left to Rhai.
    fn arith(&mut self, a: V, b: V, how: Arith, assign: bool) -> R<V> {
        Ok(match (a, b, how) {
            (V::Int(a), V::Int(b), _) => V::Int(
                match how {
                    Arith::Add => a.checked_add(b),
                    Arith::Sub => a.checked_sub(b),
                    Arith::Mul => a.checked_mul(b),
                    // By zero, or the one overflow: Rhai raises the error.
                    Arith::Div => a.checked_div(b),
                    Arith::Rem => a.checked_rem(b),
                }
                .ok_or(Stop::Rhai)?,
            ),
            (V::Str(a), V::Str(b), Arith::Add) => {
                let mut joined = String::with_capacity(a.len() + b.len());
                joined.push_str(&a);
                joined.push_str(&b);
                let v = V::Str(joined.into());
                within(self.program, v.inner_sizes())?;
                v
            }
            // Two arrays (the records two queries kept, say) joined here rather than each
            // item copied into Rhai's values and back.
            (V::Array(a), V::Array(b), Arith::Add) if !assign => {
                let v = V::Array(Arc::new(Items::joined(&a, &b)));
                within(self.program, v.inner_sizes())?;
                v
            }
            _ if assign => return Err(Stop::Rhai),
            (a, b, _) => self.rhai_with(how.symbol(), vec![a, b], None)?,
        })
    }

    /// An interpolated string: strings as they are, anything else as Rhai's `to_string`
    /// writes it.
    fn text(&mut self, parts: &[Expr]) -> R<ImmutableString> {
        let mut out = String::with_capacity(TEXT_CAPACITY);
        for part in parts {
            if let Some(n) = self.write_in_place(part, &mut out) {
                self.ticks(n)?;
                continue;
            }
            match self.expr(part)? {
                V::Str(s) => out.push_str(&s),
                // What Rhai's `to_string` writes for these (its `Display`).
                V::Int(i) => out.push_str(itoa::Buffer::new().format(i)),
                V::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                v => {
                    let mut d = v.to_dynamic();
                    let printed = self
                        .ctx
                        .call_native_fn_raw("to_string", true, &mut [&mut d])
                        .map_err(|_| Stop::Rhai)?;
                    let printed = printed.into_immutable_string().map_err(|_| Stop::Rhai)?;
                    out.push_str(&printed);
                }
            }
            within(
                self.program,
                Sizes {
                    string: out.len(),
                    ..Sizes::default()
                },
            )?;
        }
        Ok(out.into())
    }

    /// Writes `part` into `out` where it is, without a copy, when it is a string, an integer
    /// or a boolean [`Self::seen`] reads (as [`Self::text`] writes them), with the operations
    /// reading it counts.
    fn write_in_place(&self, part: &Expr, out: &mut String) -> Option<u64> {
        let (seen, n) = self.seen(part)?;
        match seen {
            Seen::Str(s) => out.push_str(s),
            Seen::Int(i) => out.push_str(itoa::Buffer::new().format(i)),
            Seen::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            _ => return None,
        }
        Some(n)
    }

    /// Calls the rule's function `f` with the values of `args`.
    fn script(&mut self, f: usize, args: &[Expr]) -> R<V> {
        let mut frame = self.frames.pop().unwrap_or_default();
        for a in args {
            frame.push(self.expr(a)?);
        }
        self.function(f, frame)
    }

    /// Runs function `f` (the rule's, or a closure's) with `frame` as its first
    /// variables: its result is what it returns or its body's value.
    fn function(&mut self, f: usize, mut frame: Vec<V>) -> R<V> {
        let program = self.program;
        let function = &program.functions[f];
        if self.depth >= program.max_depth {
            return Err(Stop::Rhai);
        }
        frame.resize(function.slots, V::Unit);
        let caller = std::mem::replace(&mut self.slots, frame);
        self.depth += 1;
        let flow = self.block(&function.body);
        self.depth -= 1;
        let mut done = std::mem::replace(&mut self.slots, caller);
        done.clear();
        self.frames.push(done);
        let value = match flow? {
            Flow::Return(v) => v,
            _ => std::mem::replace(&mut self.last, V::Unit),
        };
        self.last = V::Unit;
        Ok(value)
    }

    /// `base.map(|x| ..)` and the like, with closure `f` capturing the variables in
    /// `captured`: on Rhai's arrays as Rhai's methods do it (an answer other than a
    /// boolean counts as `false`), on facts lists as the engine's (where it is an error).
    fn call_back(&mut self, how: Each, base: &Expr, f: usize, captured: &[usize]) -> R<V> {
        let target = self.expr(base)?;
        let captured: Vec<V> = captured.iter().map(|s| self.slots[*s].clone()).collect();
        match (target, how) {
            (V::List(_), Each::Some) | (V::Array(_) | V::Other(_), Each::Any | Each::Count) => {
                Err(Stop::Rhai)
            }
            (V::List(list), _) => {
                // As the engine's methods do: each record of a collection a closure is
                // called on is gone through (the population of a rule that marks none).
                let top = list.is_collection();
                let items = list.items().iter().map(|n| {
                    if let Node::Record(r) = n
                        && top
                    {
                        prelude::went_through_item(r);
                    }
                    V::of_node(n)
                });
                self.answers(how, items, true, f, &captured)
            }
            (V::Array(items), _) => {
                self.answers(how, items.items.iter().cloned(), false, f, &captured)
            }
            (V::Other(d), _) if d.is_array() => {
                let items = d.read_lock::<rhai::Array>().ok_or(Stop::Rhai)?;
                self.answers(how, items.iter().map(V::of_item), false, f, &captured)
            }
            _ => Err(Stop::Rhai),
        }
    }

    /// What `how` makes of closure `f`'s answers for `items` (`strict`: an answer must be
    /// a boolean).
    fn answers(
        &mut self,
        how: Each,
        items: impl Iterator<Item = V>,
        strict: bool,
        f: usize,
        captured: &[V],
    ) -> R<V> {
        let mut kept = Items::default();
        let mut count = 0;
        for item in items {
            self.tick()?;
            let mut frame = self.frames.pop().unwrap_or_default();
            frame.extend(captured.iter().cloned());
            frame.push(item.clone());
            let answer = self.function(f, frame)?;
            let yes = match (how, answer) {
                (Each::Map, answer) => {
                    kept.push(answer);
                    within(self.program, kept.sizes)?;
                    continue;
                }
                (_, V::Bool(b)) => b,
                _ if strict => return Err(Stop::Rhai),
                _ => false,
            };
            match how {
                Each::Filter if yes => {
                    kept.push(item);
                    within(self.program, kept.sizes)?;
                }
                Each::All if !yes => return Ok(V::Bool(false)),
                Each::Some | Each::Any if yes => return Ok(V::Bool(true)),
                Each::Count if yes => count += 1,
                _ => {}
            }
        }
        Ok(match how {
            Each::Map | Each::Filter => V::Array(Arc::new(kept)),
            Each::All => V::Bool(true),
            Each::Some | Each::Any => V::Bool(false),
            Each::Count => V::Int(count),
        })
    }

    fn call(&mut self, op: Op, args: &[Expr], recv: Option<Receiver>) -> R<V> {
        if let Some((out, n)) = self.call_in_place(op, args, recv)? {
            self.ticks(n)?;
            return self.held(out);
        }
        // The variable a method is called on is read in place, not copied (a set's copy
        // would cost as much as the set).
        let mut values: SmallVec<[V; CALL_VALUES]> = SmallVec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            values.push(match (i, recv) {
                (0, Some(_)) => V::Unit,
                _ => self.expr(a)?,
            });
        }
        if let Some(r) = recv {
            if let (Op::Add, true) = (op, r.writable)
                && let Some(added) = self.add(r.slot, &values[1..])?
            {
                return Ok(added);
            }
            values[0] = std::mem::replace(&mut self.slots[r.slot], V::Unit);
        }
        let out = ops::apply(op, &values);
        if let Some(r) = recv {
            self.slots[r.slot] = std::mem::replace(&mut values[0], V::Unit);
        }
        match out? {
            Some(v) => self.held(v),
            None => self.rhai_with(op.name(), values.into_vec(), recv),
        }
    }

    /// A value a function gave, held to the data limits as Rhai holds it (a query's array,
    /// a string made).
    fn held(&self, v: V) -> R<V> {
        within(self.program, v.inner_sizes())?;
        Ok(v)
    }

    /// `op` done on its values read in place ([`Self::seen`]), without a copy of them, with
    /// the operations reading them counts: the one value of a date helper, of `len`,
    /// `to_lower` or `to_upper`, the two of `glob_match` (none of which changes a variable
    /// given first), and a method on a variable ([`Self::method_in_place`]). `None`: the
    /// general way.
    fn call_in_place(&self, op: Op, args: &[Expr], recv: Option<Receiver>) -> R<Option<(V, u64)>> {
        use Op::{DaysSince, DaysUntil, GlobMatch, IsDate, Len, ToLower, ToUpper};
        Ok(match (args, op) {
            ([arg], DaysSince | DaysUntil | IsDate | Len | ToLower | ToUpper) => {
                match self.seen(arg) {
                    Some((v, n)) => ops::on_one(op, v)?.map(|out| (out, n)),
                    None => None,
                }
            }
            ([a, b], GlobMatch) => match (self.seen(a), self.seen(b)) {
                (Some((a, n)), Some((b, m))) => ops::on_two(op, a, b).map(|out| (out, n + m)),
                _ => None,
            },
            ([_, key], _) => match recv {
                Some(r) => self.method_in_place(op, r.slot, key),
                None => None,
            },
            _ => None,
        })
    }

    /// `op` on the variable in `slot` and the value of `key`, both read in place (no copy of
    /// either, no `Dynamic` made), with the operations reading `key` counts: `contains` of a
    /// text on a facts list ([`ops::list_has_text`]), `get` and `contains` on a lookup
    /// ([`ops::in_lookup`]). `None`: the general way.
    fn method_in_place(&self, op: Op, slot: usize, key: &Expr) -> Option<(V, u64)> {
        let (key, n) = self.seen(key)?;
        let out = match (op, &self.slots[slot], key) {
            (Op::Contains, V::List(list), Seen::Str(k)) => V::Bool(ops::list_has_text(list, k)),
            (Op::Contains | Op::Get, V::Lookup(lookup), key) => {
                ops::in_lookup(op, lookup, ops::seen_key_text(key)?)
            }
            _ => return None,
        };
        Some((out, n))
    }

    /// `set.add(key)` on the set variable `slot` (`None`: not a set, Rhai calls `add`).
    fn add(&mut self, slot: usize, args: &[V]) -> R<Option<V>> {
        let (V::Other(d), [key]) = (&mut self.slots[slot], args) else {
            return Ok(None);
        };
        let Some(mut set) = d.write_lock::<Set>() else {
            return Ok(None);
        };
        let Some(Some(key)) = ops::key_of(key) else {
            return Err(Stop::Rhai);
        };
        let added = set.insert(key, self.program.max.map).ok_or(Stop::Rhai)?;
        Ok(Some(V::Bool(added)))
    }

    fn rhai(&mut self, name: &str, args: &[Expr], recv: Option<Receiver>) -> R<V> {
        // The variable a method is called on is handed over as it is, not read as a copy.
        let skip = usize::from(recv.is_some());
        let mut values = vec![V::Unit; skip];
        for a in &args[skip..] {
            values.push(self.expr(a)?);
        }
        self.rhai_with(name, values, recv)
    }

    /// Calls the function `name` through Rhai. With a receiver, `values[0]` is a
    /// placeholder for the variable, which the function gets by reference.
    fn rhai_with(&mut self, name: &str, values: Vec<V>, recv: Option<Receiver>) -> R<V> {
        self.charge()?;
        let mut dynamics: Vec<Dynamic> = Vec::with_capacity(values.len());
        let mut values = values.into_iter();
        if let Some(r) = recv {
            let _ = values.next();
            dynamics.push(match r.writable {
                true => into_dynamic(std::mem::replace(&mut self.slots[r.slot], V::Unit)),
                false => self.slots[r.slot].to_dynamic(),
            });
        }
        dynamics.extend(values.map(into_dynamic));
        let mut refs: Vec<&mut Dynamic> = dynamics.iter_mut().collect();
        let out = self.ctx.call_native_fn_raw(name, recv.is_some(), &mut refs);
        if let Some(r) = recv.filter(|r| r.writable) {
            let back = V::of_dynamic(std::mem::take(&mut dynamics[0]));
            within(self.program, back.inner_sizes())?;
            self.slots[r.slot] = back;
        }
        let out = V::of_dynamic(out.map_err(|_| Stop::Rhai)?);
        within(self.program, out.inner_sizes())?;
        Ok(out)
    }
}

/// An item read in place: a value a native run holds, or a facts node.
enum Item<'a> {
    Unit,
    Value(&'a V),
    Node(&'a Node),
}

impl<'a> Item<'a> {
    /// The item as a value of its own.
    fn to_v(&self) -> V {
        match self {
            Item::Unit => V::Unit,
            Item::Value(v) => (*v).clone(),
            Item::Node(node) => V::of_node(node),
        }
    }

    /// The item as comparisons see it.
    fn seen(&self) -> Seen<'a> {
        match *self {
            Item::Unit => Seen::Unit,
            Item::Value(v) => v.into(),
            Item::Node(node) => node.into(),
        }
    }
}

/// `v[key]` where `v` holds it: a field of a record or an entry of a map by name, an item
/// of a native array or a facts list by place. `None` for any other value (Rhai's arrays
/// among them) and for a place from the end or past it.
fn item_at<'a>(v: &'a V, key: Seen<'_>) -> Option<Item<'a>> {
    let place = |i: INT| usize::try_from(i).ok();
    Some(match (v, key) {
        (V::Map(m), Seen::Str(k)) => m.entries.get(k).map_or(Item::Unit, Item::Value),
        (V::Record(r), Seen::Str(k)) => r.get(k).map_or(Item::Unit, Item::Node),
        (V::Unit, Seen::Str(_)) => Item::Unit,
        (V::Array(a), Seen::Int(i)) => Item::Value(a.items.get(place(i)?)?),
        (V::List(l), Seen::Int(i)) => Item::Node(l.get(place(i)?)?),
        _ => return None,
    })
}

/// `v[key]` as a value of its own ([`item_at`], and an item of an array Rhai holds);
/// `Stop::Rhai` where Rhai decides (a place from the end or past it, any other value).
fn item_of(v: &V, key: &V) -> R<V> {
    if let Some(item) = item_at(v, key.into()) {
        return Ok(item.to_v());
    }
    match (v, key) {
        (V::Other(d), V::Int(i)) if d.is_array() => usize::try_from(*i)
            .ok()
            .and_then(|i| Some(V::of_item(d.read_lock::<rhai::Array>()?.get(i)?)))
            .ok_or(Stop::Rhai),
        _ => Err(Stop::Rhai),
    }
}

/// The slot of a variable expression.
fn inner_var(e: &Expr) -> Option<usize> {
    match e {
        Expr::Var(slot) => Some(*slot),
        _ => None,
    }
}

/// A value as Rhai holds it, taking an opaque one over without a copy.
fn into_dynamic(v: V) -> Dynamic {
    match v {
        V::Other(d) => d,
        v => v.to_dynamic(),
    }
}

/// Stops (for Rhai to raise the error) when sizes pass the engine's data limits.
fn within(program: &Program, sizes: Sizes) -> R<()> {
    match too_large(program, sizes) {
        Some(_) => Err(Stop::Rhai),
        None => Ok(()),
    }
}

/// Which of the engine's data limits `sizes` pass, as Rhai's error names it (Rhai looks at
/// the string's, then the array's, then the map's).
fn too_large(program: &Program, sizes: Sizes) -> Option<&'static str> {
    let max = &program.max;
    let over = |n: usize, max: usize| max > 0 && n > max;
    if over(sizes.string, max.string) {
        Some("Length of string")
    } else if over(sizes.array, max.array) {
        Some("Size of array/BLOB")
    } else if over(sizes.map, max.map) {
        Some("Size of object map")
    } else {
        None
    }
}
