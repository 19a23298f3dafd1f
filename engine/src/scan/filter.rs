//! What a loop's opening condition says about one record, as far as it can be told without
//! running Rhai.

use crate::facts::tree::{FieldName, Node, Record};
use crate::joins::Lookup;
use rhai::{Dynamic, INT, ImmutableString};
use std::sync::Arc;

/// A loop's filter: the opening `if`s of its body, in order, each with the outcome that
/// ends the iteration (`true` for `if C { continue; }`, `false` for a closing `if C { ... }`),
/// and whether the body asks which records the filter vouched for.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    guards: Arc<[(Cond, bool)]>,
    /// Whether the body opens with [`super::SURE_FN`].
    pub(crate) asked: bool,
}

impl Filter {
    /// The filter of these guards, for a body that does not ask what it vouched for.
    pub(crate) fn new(guards: Vec<(Cond, bool)>) -> Filter {
        Filter {
            guards: guards.into(),
            asked: false,
        }
    }

    /// Whether the last guard closes the body (an `if` with a block of its own) rather
    /// than continuing the loop.
    pub(crate) fn closes(&self) -> bool {
        self.guards.last().is_some_and(|(_, ends)| !ends)
    }

    /// What the loop does with `record`, as far as the filter can tell; `vars` are the
    /// values of the variables the conditions read ([`Cond::Contains`]), taken as the loop
    /// started.
    pub(crate) fn decide(&self, record: &Record, vars: &[Dynamic]) -> Decision {
        for (cond, ends) in self.guards.iter() {
            match cond.eval(record, vars) {
                Some(outcome) if outcome == *ends => return Decision::Skip,
                Some(_) => {}
                None => return Decision::Unsure,
            }
        }
        Decision::Pass
    }
}

/// What a loop does with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Certainly nothing: a guard ends the iteration.
    Skip,
    /// Every guard certainly lets it through, without raising an error.
    Pass,
    /// Rhai has to read the guards.
    Unsure,
}

/// A condition on the loop's record, as Rhai evaluates it (in order, short-circuiting).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    /// `r.a.b == value` (or `!=` when `equal` is false).
    Compare {
        path: Vec<FieldName>,
        equal: bool,
        value: Literal,
    },
    /// `r.a == r.b` (or `!=`).
    Same {
        left: Vec<FieldName>,
        right: Vec<FieldName>,
        equal: bool,
    },
    /// `lookup.contains(r.a)`, the lookup the variable `var` (an index into the values the
    /// loop took) held as the loop started.
    Contains { var: usize, path: Vec<FieldName> },
    /// `a && b && ...`
    And(Vec<Cond>),
    /// `a || b || ...`
    Or(Vec<Cond>),
    /// `!a`
    Not(Box<Cond>),
    /// Anything else: its outcome, and whether it raises an error, are not known.
    Unknown,
}

/// A literal a field is compared with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Unit,
    Bool(bool),
    Int(INT),
    Str(ImmutableString),
}

impl Cond {
    /// The condition's value on `record`, or `None` when Rhai might answer otherwise or
    /// raise an error before answering.
    pub(crate) fn eval(&self, record: &Record, vars: &[Dynamic]) -> Option<bool> {
        match self {
            Cond::Compare { path, equal, value } => {
                let field = follow(record, path)?;
                Some(same(field, value)? == *equal)
            }
            Cond::Same { left, right, equal } => {
                let (a, b) = (follow(record, left)?, follow(record, right)?);
                Some(same_fields(a, b)? == *equal)
            }
            Cond::Contains { var, path } => {
                let lookup = vars.get(*var)?.read_lock::<Lookup>()?;
                let node = follow(record, path)?;
                Some(match node.and_then(Node::as_str) {
                    Some(s) => lookup.has_key(s),
                    None => matches!(node, Some(Node::Int(i)) if lookup.has_key(&i.to_string())),
                })
            }
            // Rhai stops at the first `false` (`true` for `||`); a part whose outcome is
            // unknown leaves the whole unknown, as it may raise an error or do anything.
            Cond::And(parts) => {
                for part in parts {
                    if !part.eval(record, vars)? {
                        return Some(false);
                    }
                }
                Some(true)
            }
            Cond::Or(parts) => {
                for part in parts {
                    if part.eval(record, vars)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            Cond::Not(inner) => inner.eval(record, vars).map(|b| !b),
            Cond::Unknown => None,
        }
    }
}

/// The field at `path` from `record` (`None` inside when absent or null, as rules read
/// both as `()`), or `None` when Rhai's property access could differ: a property of a
/// string, a number or a list is a function call or an error.
fn follow<'r>(record: &'r Record, path: &[FieldName]) -> Option<Option<&'r Node>> {
    let (first, rest) = path.split_first()?;
    let mut node = record.get_field(first);
    for name in rest {
        node = match node {
            None | Some(Node::Null) => None,
            Some(Node::Record(r)) => r.get_field(name),
            Some(_) => return None,
        };
    }
    Some(node.filter(|n| !n.is_null()))
}

/// Rhai's `==` between a field's value and a literal: values of different kinds are never
/// equal, except an integer and a float, which Rhai compares approximately (`None`: left
/// to Rhai).
fn same(field: Option<&Node>, value: &Literal) -> Option<bool> {
    Some(match (field, value) {
        (None, Literal::Unit) => true,
        (Some(Node::Bool(a)), Literal::Bool(b)) => a == b,
        (Some(Node::Int(a)), Literal::Int(b)) => a == b,
        (Some(Node::Float(_)), Literal::Int(_)) => return None,
        (Some(a @ (Node::Str(_) | Node::Short(_))), Literal::Str(b)) => a.as_str() == Some(b),
        _ => false,
    })
}

/// Rhai's `==` between two fields' values: as [`same`], and records or lists are left to
/// Rhai (records compare by pointer, lists not at all).
fn same_fields(a: Option<&Node>, b: Option<&Node>) -> Option<bool> {
    match b {
        None => same(a, &Literal::Unit),
        Some(Node::Bool(v)) => same(a, &Literal::Bool(*v)),
        Some(Node::Int(v)) => same(a, &Literal::Int(*v)),
        Some(v @ (Node::Str(_) | Node::Short(_))) => Some(a.and_then(Node::as_str) == v.as_str()),
        Some(Node::Float(_)) if matches!(a, Some(Node::Int(_) | Node::Float(_))) => None,
        Some(Node::Float(_)) => Some(false),
        Some(Node::Record(_) | Node::List(_)) => match a {
            Some(Node::Record(_) | Node::List(_)) => None,
            _ => Some(false),
        },
        Some(Node::Null) => same(a, &Literal::Unit),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{Cond, Decision, Filter, Literal};
    use crate::facts::tree::{self, Node, Record};
    use serde_json::json;

    fn record(v: serde_json::Value) -> Record {
        match tree::build(json!({ "accounts": [v] }), Default::default()) {
            Node::Record(root) => match root.get("accounts") {
                Some(Node::List(l)) => l.items()[0].as_record().unwrap().clone(),
                _ => panic!("no accounts"),
            },
            _ => panic!("not a record"),
        }
    }

    fn cmp(path: &str, equal: bool, value: Literal) -> Cond {
        Cond::Compare {
            path: path.split('.').map(Into::into).collect(),
            equal,
            value,
        }
    }

    #[test]
    fn compares_as_rhai_does_and_says_when_it_cannot_tell() {
        let r = record(json!({
            "status": "active", "mfa": false, "n": 3, "x": 1.0, "owner": null,
            "employment": {"status": "terminated"}, "tags": ["a"], "name": "n"
        }));
        let s = |v: &str| Literal::Str(v.into());
        assert_eq!(cmp("status", true, s("active")).eval(&r, &[]), Some(true));
        assert_eq!(cmp("status", false, s("active")).eval(&r, &[]), Some(false));
        assert_eq!(
            cmp("mfa", true, Literal::Bool(false)).eval(&r, &[]),
            Some(true)
        );
        assert_eq!(cmp("mfa", true, s("false")).eval(&r, &[]), Some(false));
        assert_eq!(cmp("n", true, Literal::Int(3)).eval(&r, &[]), Some(true));
        assert_eq!(cmp("x", true, Literal::Int(1)).eval(&r, &[]), None);
        assert_eq!(cmp("owner", true, Literal::Unit).eval(&r, &[]), Some(true));
        assert_eq!(cmp("absent", true, Literal::Unit).eval(&r, &[]), Some(true));
        assert_eq!(
            cmp("absent.deeper", true, Literal::Unit).eval(&r, &[]),
            Some(true)
        );
        assert_eq!(
            cmp("employment.status", true, s("terminated")).eval(&r, &[]),
            Some(true)
        );
        assert_eq!(cmp("name.len", true, Literal::Int(1)).eval(&r, &[]), None);
        assert_eq!(cmp("tags.len", true, Literal::Int(1)).eval(&r, &[]), None);
        assert_eq!(cmp("tags", true, Literal::Unit).eval(&r, &[]), Some(false));
    }

    #[test]
    fn combines_in_rhai_order_and_stops_at_what_it_cannot_tell() {
        let r = record(json!({"status": "active", "kind": "human"}));
        let yes = || cmp("status", true, Literal::Str("active".into()));
        let no = || cmp("kind", true, Literal::Str("service".into()));
        assert_eq!(
            Cond::And(vec![yes(), no(), Cond::Unknown]).eval(&r, &[]),
            Some(false)
        );
        assert_eq!(
            Cond::And(vec![yes(), Cond::Unknown, no()]).eval(&r, &[]),
            None
        );
        assert_eq!(
            Cond::Or(vec![no(), yes(), Cond::Unknown]).eval(&r, &[]),
            Some(true)
        );
        assert_eq!(Cond::Or(vec![Cond::Unknown, yes()]).eval(&r, &[]), None);
        assert_eq!(Cond::Not(Box::new(no())).eval(&r, &[]), Some(true));
        let decide = |guards| Filter::new(guards).decide(&r, &[]);
        assert_eq!(decide(vec![(no(), false)]), Decision::Skip);
        assert_eq!(decide(vec![(yes(), false)]), Decision::Pass);
        assert_eq!(decide(vec![(Cond::Unknown, false)]), Decision::Unsure);
        // Guards in order: an `if ... { continue; }` that lets the record through, then a
        // closing `if` that rules it out; an unknown guard stops the reading.
        assert_eq!(decide(vec![(no(), true), (no(), false)]), Decision::Skip);
        assert_eq!(decide(vec![(no(), true), (yes(), false)]), Decision::Pass);
        assert_eq!(
            decide(vec![(Cond::Unknown, true), (no(), false)]),
            Decision::Unsure
        );
        assert_eq!(
            decide(vec![(no(), true), (Cond::Unknown, false)]),
            Decision::Unsure
        );
        let same = |equal| Cond::Same {
            left: vec!["status".into()],
            right: vec!["kind".into()],
            equal,
        };
        assert_eq!(same(true).eval(&r, &[]), Some(false));
        assert_eq!(same(false).eval(&r, &[]), Some(true));
    }
}
