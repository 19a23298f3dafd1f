//! The values a native run works with, and Rhai's rules for comparing them.

use crate::facts::tree::{List, Node, Record};
use crate::joins::Lookup;
use rhai::{Array, Dynamic, INT, ImmutableString, Map};
use std::sync::Arc;

/// A value in a native run: what Rhai would hold as a `Dynamic`, with records, lists,
/// lookups, arrays and maps reachable without unboxing. Arrays and maps are shared until
/// changed (Rhai copies them on assignment; sharing until a change is the same to a rule).
///
/// Its tag is a whole word of its own: left to the compiler, it shares its first word with
/// `Dynamic`'s tags, and each value handed back from one step to the next is then copied in
/// odd-sized pieces, which the processor cannot forward from the stores that wrote it (a
/// native run took about an eighth longer).
#[derive(Clone)]
#[repr(u64)]
pub(super) enum V {
    Unit,
    Bool(bool),
    Int(INT),
    Float(f64),
    Str(ImmutableString),
    Record(Record),
    List(List),
    Lookup(Lookup),
    Array(Arc<Items>),
    Map(Arc<Fields>),
    /// Anything else (a set, a closure...): only passed to functions Rhai runs.
    Other(Dynamic),
}

/// Sizes as Rhai's data limits count them: items of arrays, entries of maps and bytes of
/// strings, nested ones included.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(super) struct Sizes {
    pub array: usize,
    pub map: usize,
    pub string: usize,
}

impl Sizes {
    fn add(&mut self, other: Sizes) {
        self.array += other.array;
        self.map += other.map;
        self.string += other.string;
    }
}

/// An array's items and their sizes.
#[derive(Clone, Default)]
pub(super) struct Items {
    pub items: Vec<V>,
    pub sizes: Sizes,
}

/// A map's entries and their sizes. Hashed, where Rhai's are sorted by key: a native run
/// only looks entries up, and a map handed to Rhai is sorted then ([`V::to_dynamic`]).
#[derive(Clone, Default)]
pub(super) struct Fields {
    pub entries: foldhash::HashMap<ImmutableString, V>,
    pub sizes: Sizes,
}

impl Items {
    /// Adds `v` at the end.
    pub fn push(&mut self, v: V) {
        self.sizes.array += 1;
        self.sizes.add(v.inner_sizes());
        self.items.push(v);
    }

    /// The items of `a`, then those of `b`: what Rhai's `+` makes of two arrays.
    pub fn joined(a: &Items, b: &Items) -> Items {
        let mut items = Vec::with_capacity(a.items.len() + b.items.len());
        items.extend(a.items.iter().cloned());
        items.extend(b.items.iter().cloned());
        let mut sizes = a.sizes;
        sizes.add(b.sizes);
        Items { items, sizes }
    }
}

impl Fields {
    /// Sets `key` to `v`; `None` when an entry is replaced (its sizes would have to be taken
    /// back: left to Rhai).
    pub fn insert(&mut self, key: ImmutableString, v: V) -> Option<()> {
        let sizes = v.inner_sizes();
        match self.entries.entry(key) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                if e.get().inner_sizes() != sizes {
                    return None;
                }
                e.insert(v);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                self.sizes.map += 1;
                self.sizes.add(sizes);
                e.insert(v);
            }
        }
        Some(())
    }
}

impl V {
    /// A facts node as rules see it (null is `()`).
    pub fn of_node(node: &Node) -> V {
        match node {
            Node::Null => V::Unit,
            Node::Bool(b) => V::Bool(*b),
            Node::Int(i) => V::Int(*i),
            Node::Float(f) => V::Float(*f),
            Node::Str(s) => V::Str(s.clone()),
            Node::Short(s) => V::Str(s.as_str().into()),
            Node::List(l) => V::List(l.clone()),
            Node::Record(r) => V::Record(r.clone()),
        }
    }

    /// The sizes Rhai counts for this value inside an array or a map (its own item or entry
    /// is counted by the container).
    pub fn inner_sizes(&self) -> Sizes {
        match self {
            V::Str(s) => Sizes {
                string: s.len(),
                ..Sizes::default()
            },
            V::Array(a) => a.sizes,
            V::Map(m) => m.sizes,
            V::Other(d) => dynamic_sizes(d),
            _ => Sizes::default(),
        }
    }

    /// The value as Rhai holds it.
    pub fn to_dynamic(&self) -> Dynamic {
        match self {
            V::Unit => Dynamic::UNIT,
            V::Bool(b) => Dynamic::from_bool(*b),
            V::Int(i) => Dynamic::from_int(*i),
            V::Float(f) => Dynamic::from_float(*f),
            V::Str(s) => Dynamic::from(s.clone()),
            V::Record(r) => Dynamic::from(r.clone()),
            V::List(l) => Dynamic::from(l.clone()),
            V::Lookup(l) => Dynamic::from(l.clone()),
            V::Array(a) => Dynamic::from_array(a.items.iter().map(V::to_dynamic).collect()),
            V::Map(m) => {
                // Inserted one by one: collecting into a map would compile in a sort of
                // its own.
                let mut map = Map::new();
                for (k, v) in &m.entries {
                    map.insert(k.as_str().into(), v.to_dynamic());
                }
                Dynamic::from_map(map)
            }
            V::Other(d) => d.clone(),
        }
    }

    /// A value Rhai gave back. An array stays Rhai's (the values a rule passes from one
    /// query to the next, often thousands of records, are not converted back and forth);
    /// a native run reads it in place, and converts it only to change it.
    pub fn of_dynamic(d: Dynamic) -> V {
        if d.is_array() {
            return V::Other(d);
        }
        if d.is_map() {
            let mut fields = Fields::default();
            for (k, v) in d.cast::<Map>() {
                // Keys are unique in a map: no entry is replaced.
                let _ = fields.insert(k.as_str().into(), V::of_dynamic(v));
            }
            return V::Map(Arc::new(fields));
        }
        V::known(&d).unwrap_or(V::Other(d))
    }

    /// An item of an array Rhai holds, read in place (an array or map in it is copied, as
    /// Rhai copies an item it reads).
    pub fn of_item(d: &Dynamic) -> V {
        if d.is_array() || d.is_map() {
            return V::of_dynamic(d.clone());
        }
        V::known(d).unwrap_or_else(|| V::Other(d.clone()))
    }

    /// The value, when it is a plain one or a handle this module knows.
    fn known(d: &Dynamic) -> Option<V> {
        Some(if d.is_unit() {
            V::Unit
        } else if let Ok(b) = d.as_bool() {
            V::Bool(b)
        } else if let Ok(i) = d.as_int() {
            V::Int(i)
        } else if let Ok(f) = d.as_float() {
            V::Float(f)
        } else if let Some(s) = d.read_lock::<ImmutableString>() {
            V::Str(s.clone())
        } else if let Some(r) = d.read_lock::<Record>() {
            V::Record(r.clone())
        } else if let Some(l) = d.read_lock::<List>() {
            V::List(l.clone())
        } else if let Some(l) = d.read_lock::<Lookup>() {
            V::Lookup(l.clone())
        } else {
            return None;
        })
    }

    /// The array Rhai holds as a native one, to change it.
    pub fn items_of(a: &Array) -> Items {
        let mut items = Items::default();
        for item in a {
            items.push(V::of_item(item));
        }
        items
    }
}

/// The sizes Rhai counts inside a value it holds (see `V::inner_sizes`).
fn dynamic_sizes(d: &Dynamic) -> Sizes {
    let mut sizes = Sizes::default();
    if let Some(a) = d.read_lock::<Array>() {
        for item in a.iter() {
            sizes.array += 1;
            sizes.add(dynamic_sizes(item));
        }
    } else if let Some(m) = d.read_lock::<Map>() {
        for item in m.values() {
            sizes.map += 1;
            sizes.add(dynamic_sizes(item));
        }
    } else if let Some(s) = d.read_lock::<ImmutableString>() {
        sizes.string = s.len();
    }
    sizes
}

/// A value as comparisons see it, read in place from a native run's value or a facts
/// node (so that comparing a field with a constant copies neither).
#[derive(Clone, Copy)]
pub(super) enum Seen<'a> {
    Unit,
    Bool(bool),
    Int(INT),
    Float,
    Str(&'a str),
    Record(&'a Record),
    List,
    Lookup,
    Array,
    Map,
    Other(&'a Dynamic),
}

impl<'a> From<&'a V> for Seen<'a> {
    fn from(v: &'a V) -> Self {
        match v {
            V::Unit => Seen::Unit,
            V::Bool(b) => Seen::Bool(*b),
            V::Int(i) => Seen::Int(*i),
            V::Float(_) => Seen::Float,
            V::Str(s) => Seen::Str(s),
            V::Record(r) => Seen::Record(r),
            V::List(_) => Seen::List,
            V::Lookup(_) => Seen::Lookup,
            V::Array(_) => Seen::Array,
            V::Map(_) => Seen::Map,
            V::Other(d) => Seen::Other(d),
        }
    }
}

impl<'a> From<&'a Node> for Seen<'a> {
    fn from(node: &'a Node) -> Self {
        match node {
            Node::Null => Seen::Unit,
            Node::Bool(b) => Seen::Bool(*b),
            Node::Int(i) => Seen::Int(*i),
            Node::Float(_) => Seen::Float,
            Node::Str(s) => Seen::Str(s),
            Node::Short(s) => Seen::Str(s.as_str()),
            Node::Record(r) => Seen::Record(r),
            Node::List(_) => Seen::List,
        }
    }
}

/// Rhai's `==` (`Some(true)` when equal), or `None` where Rhai would call a function this
/// module does not know (a list or array compared with its kind, a float, two values Rhai
/// holds) or raise an error. Values of different kinds are never equal.
pub(super) fn equal(a: Seen<'_>, b: Seen<'_>) -> Option<bool> {
    Some(match (a, b) {
        (Seen::Unit, Seen::Unit) => true,
        (Seen::Bool(x), Seen::Bool(y)) => x == y,
        (Seen::Int(x), Seen::Int(y)) => x == y,
        (Seen::Str(x), Seen::Str(y)) => x == y,
        (Seen::Record(x), Seen::Record(y)) => x.same_place(y),
        (Seen::Float, _) | (_, Seen::Float) => return None,
        // A value Rhai holds (an array, a set...) differs from any value of another kind.
        (Seen::Other(d), b) | (b, Seen::Other(d)) => match b {
            Seen::Other(_) => return None,
            Seen::Array if d.is_array() => return None,
            Seen::Map if d.is_map() => return None,
            _ => false,
        },
        (Seen::List, Seen::List)
        | (Seen::Lookup, Seen::Lookup)
        | (Seen::Array, Seen::Array)
        | (Seen::Map, Seen::Map) => return None,
        _ => false,
    })
}

/// Rhai's `<`, `<=`, `>`, `>=` as an ordering of `a` against `b`: integers and strings of
/// the same kind; `Some(None)` when the kinds differ (every such comparison is false);
/// `None` where Rhai might do otherwise.
pub(super) fn order(a: Seen<'_>, b: Seen<'_>) -> Option<Option<std::cmp::Ordering>> {
    Some(match (a, b) {
        (Seen::Int(x), Seen::Int(y)) => Some(x.cmp(&y)),
        (Seen::Str(x), Seen::Str(y)) => Some(x.cmp(y)),
        (Seen::Unit, Seen::Unit) => None,
        (Seen::Unit, Seen::Str(_)) | (Seen::Str(_), Seen::Unit) => None,
        (
            Seen::Unit | Seen::Bool(_) | Seen::Int(_) | Seen::Str(_) | Seen::Record(_) | Seen::List,
            Seen::Unit | Seen::Bool(_) | Seen::Int(_) | Seen::Str(_) | Seen::Record(_) | Seen::List,
        ) if kind(a) != kind(b) => None,
        _ => return None,
    })
}

/// A name for the kind of a plain value, to tell kinds apart.
fn kind(v: Seen<'_>) -> u8 {
    match v {
        Seen::Unit => 0,
        Seen::Bool(_) => 1,
        Seen::Int(_) => 2,
        Seen::Float => 3,
        Seen::Str(_) => 4,
        Seen::Record(_) => 5,
        Seen::List => 6,
        Seen::Lookup => 7,
        Seen::Array => 8,
        Seen::Map => 9,
        Seen::Other(_) => 10,
    }
}

/// What Rhai's `type_of` says of a value (`None`: left to Rhai).
pub(super) fn type_name(v: Seen<'_>) -> Option<&'static str> {
    Some(match v {
        Seen::Unit => "()",
        Seen::Bool(_) => "bool",
        Seen::Int(_) => "i64",
        Seen::Float => "f64",
        Seen::Str(_) => "string",
        Seen::Record(_) => "Record",
        Seen::List => "List",
        Seen::Lookup => "Lookup",
        Seen::Array => "array",
        Seen::Map => "map",
        Seen::Other(_) => return None,
    })
}
