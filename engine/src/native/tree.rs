//! A rule as a native run executes it: Rhai's statements with variables resolved to
//! slots and the functions it knows resolved to [`Op`]s.

use super::value::V;
use crate::facts::tree::FieldName;
use crate::scan::Filter;
use rhai::ImmutableString;

/// A statement.
pub(super) enum Stmt {
    /// `{ .. }`
    Block(Vec<Stmt>),
    /// `let x = e;` (or `x = e;`): the slot takes the value.
    Set(usize, Expr),
    /// `m[k] = e;` on a map variable.
    SetIndex(usize, Expr, Expr),
    /// `x.push(e);` on an array variable, and where the call is (for Rhai's error when the
    /// array grows past its limit).
    Push(usize, Expr, rhai::Position),
    /// `if c { .. } else { .. }`
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// `for x in e { .. }`: the slot takes each item; the records of a facts list that the
    /// body's opening conditions certainly rule out are skipped (see `crate::scan`).
    For(usize, Expr, Vec<Stmt>, Option<Guards>),
    /// `while c { .. }` (`loop { .. }`: no condition).
    While(Option<Expr>, Vec<Stmt>),
    Continue,
    Break,
    /// `return e;` (`return;` returns `()`).
    Return(Expr),
    /// `throw`: Rhai raises the error.
    Throw,
    /// An expression: for its effects, and as the value of the block it ends.
    Expr(Expr),
}

/// The opening conditions of a loop's body as its filter reads them (see `crate::scan`).
pub(super) struct Guards {
    pub filter: Filter,
    /// The slots of the variables the conditions read.
    pub slots: Vec<usize>,
    /// What runs of the body for a record the filter lets through for certain (`None`: the
    /// whole body, guards included).
    pub vouched: Option<Vouched>,
}

/// The part of a loop's body that runs for a record whose guards the filter has read.
#[derive(Clone, Copy)]
pub(super) enum Vouched {
    /// The statements from this one on (the guards before it each `continue`).
    From(usize),
    /// The block of the `if` at this place, which closes the body.
    Within(usize),
}

impl Vouched {
    /// The part of `body` the filter's guards, read in order, lead to when they all let
    /// a record through: `guards` opening `if`s, the last one closing the body (rather
    /// than continuing) when `closes`. `None` when `body` does not open with them.
    pub fn of(body: &[Stmt], guards: usize, closes: bool) -> Option<Vouched> {
        let opening = body.get(..guards)?;
        if !opening.iter().all(|s| matches!(s, Stmt::If(..))) {
            return None;
        }
        match closes {
            true => (guards == body.len()).then(|| Vouched::Within(guards - 1)),
            false => Some(Vouched::From(guards)),
        }
    }

    /// The statements it names in `body`.
    pub fn of_body(self, body: &[Stmt]) -> &[Stmt] {
        match self {
            Vouched::From(i) => body.get(i..).unwrap_or_default(),
            Vouched::Within(i) => match body.get(i) {
                Some(Stmt::If(_, yes, _)) => yes,
                _ => body,
            },
        }
    }
}

/// A function the rule defines.
pub(super) struct Function {
    /// How many variables it holds at most, its parameters first.
    pub slots: usize,
    pub body: Vec<Stmt>,
}

/// An expression.
pub(super) enum Expr {
    Const(V),
    Var(usize),
    /// `e.name`
    Prop(Box<Expr>, FieldName),
    /// `e[k]` on a map.
    Index(Box<Expr>, Box<Expr>),
    /// `a == b`, `a != b`
    Equal(Box<Expr>, Box<Expr>, bool),
    /// `a < b` and the like.
    Order(Box<Expr>, Box<Expr>, Compare),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `a ?? b ?? ...`
    Coalesce(Vec<Expr>),
    /// `a + b`, `a - b`, `a * b`, `a / b`, `a % b` (`x += b` and the like when the flag
    /// says so).
    Arith(Box<Expr>, Box<Expr>, Arith, bool),
    /// `` `text ${e}` ``
    Text(Vec<Expr>),
    Array(Vec<Expr>),
    Map(Vec<(ImmutableString, Expr)>),
    /// `if c { a } else { b }` as a value.
    Choose(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A function this module runs itself, with its arguments (a method's object first)
    /// and the variable a method is called on, if it is one (Rhai runs the function when
    /// the values are not ones this module knows).
    Call(Op, Vec<Expr>, Option<Receiver>),
    /// A function the rule defines (its index in the program's), with its arguments.
    Script(usize, Vec<Expr>),
    /// A closure: a native run that reaches one stops, for Rhai to run the rule.
    Closure,
    /// `e.map(|x| ..)` and the like: the method, the value it is called on, the closure's
    /// function (its index in the program's) and the slots of the variables it captures
    /// (its first parameters, then the item).
    Each(Each, Box<Expr>, usize, Vec<usize>),
    /// `-e`
    Neg(Box<Expr>),
    /// `{ e }`, a block of one expression, as Rhai parses an interpolated string's part
    /// (`${e}`) and runs it without its optimizer: `e`, with two operations more (the
    /// block's and its statement's), as Rhai counts them.
    Block(Box<Expr>),
    /// A call run only when the variable in the slot holds facts (a record or a list);
    /// otherwise a native run stops, for Rhai to run the rule.
    OnFacts(usize, Box<Expr>),
    /// Any other function, run by Rhai: its name, its arguments (a method's object first)
    /// and the variable a method is called on, if it is one (the function may change it).
    Rhai(ImmutableString, Vec<Expr>, Option<Receiver>),
}

/// The variable a method is called on: Rhai hands it to the function by reference.
#[derive(Clone, Copy)]
pub(super) struct Receiver {
    pub slot: usize,
    /// Whether the function may change it (a constant is handed over as a copy).
    pub writable: bool,
}

/// A method that calls a closure back for each item of an array or a facts list.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Each {
    /// The answers, as an array.
    Map,
    /// The items the closure answers `true` for.
    Filter,
    /// Whether it answers `true` for every item.
    All,
    /// Whether it answers `true` for some item (Rhai's arrays).
    Some,
    /// Whether it answers `true` for some item (facts lists).
    Any,
    /// For how many items it answers `true` (facts lists).
    Count,
}

/// An ordering comparison.
#[derive(Clone, Copy)]
pub(super) enum Compare {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// Arithmetic: checked on integers, as Rhai's; `+` joins strings.
#[derive(Clone, Copy)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl Arith {
    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Arith::Add => "+",
            Arith::Sub => "-",
            Arith::Mul => "*",
            Arith::Div => "/",
            Arith::Rem => "%",
        }
    }
}

/// The functions a native run calls itself: the ones rules call once per record.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Op {
    /// `fail(message)`, `fail(entity, message)`, `fail(entity, message, data)`
    Fail,
    /// `warn(...)`, as `fail`
    Warn,
    /// `x.contains(v)`: a lookup's key, a map's key, a list's or array's item.
    Contains,
    /// `lookup.get(key)`
    Get,
    /// `set.add(key)`
    Add,
    /// `x.len()`
    Len,
    /// `days_since(date)`
    DaysSince,
    /// `is_date(v)`
    IsDate,
    /// `type_of(v)`
    TypeOf,
    /// `s.to_lower()`
    ToLower,
    /// `s.to_upper()`
    ToUpper,
    /// `glob_match(pattern, text)`
    GlobMatch,
    /// `items.where(path, value)`, `items.where(#{ path: value, ... })`
    Where,
    /// `items.where_not(path, value)`
    WhereNot,
    /// `items.where_same(path, other)`
    WhereSame,
    /// `items.older_than(path, days)`
    OlderThan,
    /// `items.within_days(path, days)`
    WithinDays,
    /// `items.on_or_before_as_of(path)`
    OnOrBeforeAsOf,
    /// `items.after_as_of(path)`
    AfterAsOf,
    /// `items.in_period(path)`
    InPeriod,
    /// `list.latest_by(key, date)`
    LatestBy,
    /// `index_by(items, key)`
    IndexBy,
    /// `group_by(items, key)`
    GroupBy,
    /// `lookup.missing(items, key)`, `lookup.missing(items, key, since, date)`
    Missing,
    /// `tested(records)`
    Tested,
    /// `days_until(date)`
    DaysUntil,
    /// `days_between(a, b)`
    DaysBetween,
    /// `add_days(date, n)`
    AddDays,
    /// `has_period()`
    HasPeriod,
    /// `period_start()`
    PeriodStart,
    /// `period_end()`
    PeriodEnd,
}

/// The functions a native run does itself: each name, with the numbers of values it is
/// called with (a method's object counted) and the [`Op`] it is. Methods and functions alike,
/// since Rhai calls the same function for `x.f(a)` and `f(x, a)`.
const OPS: &[(&str, &[usize], Op)] = &[
    ("contains", &[2], Op::Contains),
    ("get", &[2], Op::Get),
    ("add", &[2], Op::Add),
    ("len", &[1], Op::Len),
    ("fail", &[1, 2, 3], Op::Fail),
    ("warn", &[1, 2, 3], Op::Warn),
    ("days_since", &[1], Op::DaysSince),
    ("days_until", &[1], Op::DaysUntil),
    ("days_between", &[2], Op::DaysBetween),
    ("add_days", &[2], Op::AddDays),
    ("has_period", &[0], Op::HasPeriod),
    ("period_start", &[0], Op::PeriodStart),
    ("period_end", &[0], Op::PeriodEnd),
    ("is_date", &[1], Op::IsDate),
    ("type_of", &[1], Op::TypeOf),
    ("to_lower", &[1], Op::ToLower),
    ("to_upper", &[1], Op::ToUpper),
    ("glob_match", &[2], Op::GlobMatch),
    ("tested", &[1], Op::Tested),
    ("where", &[2, 3], Op::Where),
    ("where_not", &[3], Op::WhereNot),
    ("where_same", &[3], Op::WhereSame),
    ("older_than", &[3], Op::OlderThan),
    ("within_days", &[3], Op::WithinDays),
    ("on_or_before_as_of", &[2], Op::OnOrBeforeAsOf),
    ("after_as_of", &[2], Op::AfterAsOf),
    ("in_period", &[2], Op::InPeriod),
    ("latest_by", &[3], Op::LatestBy),
    ("index_by", &[2], Op::IndexBy),
    ("group_by", &[2], Op::GroupBy),
    ("missing", &[3, 5], Op::Missing),
];

impl Op {
    /// The function a native run does itself for `name` called with `arity` values.
    pub fn of_call(name: &str, arity: usize) -> Option<Op> {
        OPS.iter()
            .find(|(n, arities, _)| *n == name && arities.contains(&arity))
            .map(|(.., op)| *op)
    }

    /// The function's name in Rhai.
    pub fn name(self) -> &'static str {
        OPS.iter()
            .find(|(.., op)| *op == self)
            .map_or("", |(name, ..)| name)
    }
}
