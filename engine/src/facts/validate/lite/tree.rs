//! The compact checker's yes/no answer for a record already in the rules' tree: whether it
//! has no violation at all. Records are valid far more often than not, so the tree is
//! checked first and only an invalid record's text is parsed again to find its violations
//! with their messages.

use super::{
    Checker, Keyword, Properties, Required, TYPES, cmp_numbers, has_at_least_chars,
    has_at_most_chars,
};
use crate::facts::tree::{Node, PlacesOf, Record};
use serde_json::{Number, Value};
use std::cmp::Ordering;
use std::sync::atomic::Ordering as AtomicOrdering;

impl Checker {
    /// Whether `node` satisfies the whole schema: exactly when [`Checker::check`] of the
    /// same JSON as a `serde_json::Value` finds nothing (for numbers a float can hold
    /// exactly, which are all a [`Node`] holds).
    pub(crate) fn accepts(&self, node: &Node) -> bool {
        self.node_accepts(0, node)
    }

    fn node_accepts(&self, id: usize, node: &Node) -> bool {
        let Some(keywords) = self.nodes.get(id) else {
            return true;
        };
        keywords
            .iter()
            .all(|k| self.keyword_accepts(&k.keyword, node))
    }

    fn keyword_accepts(&self, keyword: &Keyword, node: &Node) -> bool {
        let number = || match node {
            Node::Int(i) => Some(Number::from(*i)),
            Node::Float(f) => Number::from_f64(*f),
            _ => None,
        };
        let bound = |limit: &Number, ok: fn(Ordering) -> bool| {
            number().is_none_or(|n| ok(cmp_numbers(&n, limit)))
        };
        let text = || node.as_str();
        let items = || match node {
            Node::List(l) => Some(l.items()),
            _ => None,
        };
        match keyword {
            Keyword::Type(set) => set & kind(node) != 0,
            Keyword::Const(expected) => equals(node, expected),
            Keyword::Enum(options) => options.iter().any(|o| equals(node, o)),
            Keyword::Minimum(limit) => bound(limit, |o| o != Ordering::Less),
            Keyword::Maximum(limit) => bound(limit, |o| o != Ordering::Greater),
            Keyword::ExclusiveMinimum(limit) => bound(limit, |o| o == Ordering::Greater),
            Keyword::ExclusiveMaximum(limit) => bound(limit, |o| o == Ordering::Less),
            Keyword::MinLength(min) => text().is_none_or(|s| has_at_least_chars(s, *min)),
            Keyword::MaxLength(max) => text().is_none_or(|s| has_at_most_chars(s, *max)),
            Keyword::MinItems(min) => items().is_none_or(|a| a.len() as u64 >= *min),
            Keyword::MaxItems(max) => items().is_none_or(|a| a.len() as u64 <= *max),
            Keyword::Required(required) => match node {
                Node::Record(r) => required.holds_in(r),
                _ => true,
            },
            Keyword::Pattern(_, re) => text().is_none_or(|s| re.is_match(s)),
            Keyword::Format(format) => text().is_none_or(|s| format.accepts(s)),
            Keyword::UniqueItems => items().is_none_or(|a| {
                a.iter()
                    .enumerate()
                    .all(|(i, x)| a.iter().skip(i + 1).all(|y| !same(x, y)))
            }),
            Keyword::Properties(props) => match node {
                Node::Record(r) => {
                    match r.places(PlacesOf::Checker, props.id, |name| props.node_of(name)) {
                        // The node of each field, worked out once for the records sharing its names.
                        Some(nodes) => r.fields().zip(nodes).all(|((_, member), id)| {
                            id.is_none_or(|id| self.node_accepts(id, member))
                        }),
                        None => r.fields().all(|(name, member)| {
                            props
                                .node_of(name)
                                .is_none_or(|id| self.node_accepts(id, member))
                        }),
                    }
                }
                _ => true,
            },
            Keyword::Items(id) => {
                items().is_none_or(|a| a.iter().all(|x| self.node_accepts(*id, x)))
            }
            Keyword::Ref(id) => self.node_accepts(*id, node),
        }
    }
}

impl Properties {
    /// The schema node the field `name` is checked against, if the keyword names it.
    fn node_of(&self, name: &str) -> Option<usize> {
        self.list.iter().find(|(p, _)| p == name).map(|&(_, id)| id)
    }
}

impl Required {
    /// Whether `record` has every required field: at once for a record whose field names
    /// are the set last found to hold them all.
    fn holds_in(&self, record: &Record) -> bool {
        let names = record.names_id();
        if self.holding.load(AtomicOrdering::Relaxed) == names {
            return true;
        }
        let holds = self.names.iter().all(|n| record.get(n).is_some());
        if holds {
            self.holding.store(names, AtomicOrdering::Relaxed);
        }
        holds
    }
}

/// The type bits of `node`, by their places in [`TYPES`] (an integer is also a number).
fn kind(node: &Node) -> u8 {
    const fn bit(name: &str) -> u8 {
        let mut i = 0;
        while i < TYPES.len() {
            if TYPES[i].eq_ignore_ascii_case(name) {
                return 1 << i;
            }
            i += 1;
        }
        0
    }
    const NULL: u8 = bit("null");
    const BOOLEAN: u8 = bit("boolean");
    const INTEGER: u8 = bit("integer") | bit("number");
    const NUMBER: u8 = bit("number");
    const STRING: u8 = bit("string");
    const ARRAY: u8 = bit("array");
    const OBJECT: u8 = bit("object");
    match node {
        Node::Null => NULL,
        Node::Bool(_) => BOOLEAN,
        Node::Int(_) => INTEGER,
        Node::Float(f) if f.fract() == 0.0 => INTEGER,
        Node::Float(_) => NUMBER,
        Node::Str(_) | Node::Short(_) => STRING,
        Node::List(_) => ARRAY,
        Node::Record(_) => OBJECT,
    }
}

/// JSON Schema equality of a node and a schema's value (numbers by value).
fn equals(node: &Node, value: &Value) -> bool {
    if let (Some(a), Value::String(b)) = (node.as_str(), value) {
        return a == b;
    }
    match (node, value) {
        (Node::Null, Value::Null) => true,
        (Node::Bool(a), Value::Bool(b)) => a == b,
        (Node::Int(i), Value::Number(n)) => cmp_numbers(&Number::from(*i), n) == Ordering::Equal,
        (Node::Float(f), Value::Number(n)) => {
            Number::from_f64(*f).is_some_and(|m| cmp_numbers(&m, n) == Ordering::Equal)
        }
        (Node::List(l), Value::Array(a)) => {
            l.len() == a.len() && l.items().iter().zip(a).all(|(x, y)| equals(x, y))
        }
        (Node::Record(r), Value::Object(o)) => {
            r.fields().len() == o.len()
                && r.fields()
                    .all(|(k, v)| o.get(k.as_str()).is_some_and(|w| equals(v, w)))
        }
        _ => false,
    }
}

/// JSON Schema equality of two nodes.
fn same(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::List(x), Node::List(y)) => {
            x.len() == y.len() && x.items().iter().zip(y.items()).all(|(p, q)| same(p, q))
        }
        (Node::Record(x), Node::Record(y)) => {
            x.fields().len() == y.fields().len()
                && x.fields()
                    .all(|(k, v)| y.get(k.as_str()).is_some_and(|w| same(v, w)))
        }
        (Node::Null, Node::Null) => true,
        _ => a.same_scalar(b),
    }
}
