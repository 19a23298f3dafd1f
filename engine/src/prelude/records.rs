//! Facts records and lists as rules see them: read-only handles with property access,
//! indexing, iteration and a few native list operations.

use super::error;
use crate::context;
use crate::facts::tree::{List, Node, Record};
use rhai::{Array, Dynamic, Engine, FnPtr, INT, ImmutableString, Module, NativeCallContext};
use std::any::TypeId;

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    // Direct getters for every field the facts contract names: faster than Rhai's fallback
    // from a missing getter to the string indexer, which still serves any other field.
    for name in contract_fields() {
        let owned = name.clone();
        engine.register_get(name, move |r: &mut Record| field(r, &owned));
    }
    engine
        .register_type_with_name::<Record>("Record")
        .register_indexer_get(|r: &mut Record, name: ImmutableString| field(r, &name))
        .register_fn("has", |r: &mut Record, name: ImmutableString| {
            r.get(&name).is_some_and(|n| !n.is_null())
        })
        .register_fn("pointer", |r: &mut Record| r.pointer().into_owned())
        .register_fn("to_string", |r: &mut Record| describe_record(r))
        .register_fn("to_debug", |r: &mut Record| describe_record(r))
        .register_fn("==", |a: &mut Record, b: Record| a.same_place(&b))
        .register_fn("!=", |a: &mut Record, b: Record| !a.same_place(&b));

    // A field of an absent object is absent too: `v.contract.signed_on` is `()` when the
    // vendor has no `contract`, as it is when the contract has no `signed_on`.
    engine.register_indexer_get(|_: &mut (), _: ImmutableString| Dynamic::UNIT);

    engine
        .register_type_with_name::<List>("List")
        .register_indexer_get(index)
        .register_fn("len", |l: &mut List| l.len() as INT)
        .register_fn("is_empty", |l: &mut List| l.len() == 0)
        .register_fn("pointer", |l: &mut List| l.pointer().to_owned())
        .register_fn("to_string", |l: &mut List| describe_list(l))
        .register_fn("to_debug", |l: &mut List| describe_list(l))
        .register_fn("contains", |l: &mut List, v: Dynamic| {
            l.items().iter().any(|n| n.equals(&v))
        })
        .register_fn("to_array", |l: &mut List| -> Array {
            let top = l.is_collection();
            l.items()
                .iter()
                .map(|n| seen(top, n).to_dynamic())
                .collect()
        })
        .register_fn("filter", filter)
        .register_fn("map", map)
        .register_fn("any", any)
        .register_fn("all", all)
        .register_fn("count", count);

    // `for r in facts.accounts`: the records a rule goes through are its population, unless
    // it marks its population with `tested`.
    let mut iterators = Module::new();
    iterators.set_iter(TypeId::of::<List>(), |list| match list.try_cast::<List>() {
        Some(list) => Box::new(Items {
            top: list.is_collection(),
            list,
            next: 0,
        }),
        None => Box::new(std::iter::empty()),
    });
    engine.register_global_module(iterators.into());

    engine
        .register_fn("tested", |r: Record| {
            mark_tested([&r]);
            r
        })
        .register_fn("tested", |l: List| {
            mark_tested(l.items().iter().filter_map(Node::as_record));
            l
        })
        .register_fn("tested", |a: Array| -> Result<Array> {
            let records = a
                .iter()
                .map(|d| d.read_lock::<Record>().map(|r| r.clone()))
                .collect::<Option<Vec<Record>>>()
                .ok_or_else(|| {
                    error("tested: expected records, a facts list or an array of records")
                })?;
            mark_tested(&records);
            Ok(a)
        })
        .register_fn("exception", |r: Record| {
            mark_tested([&r]);
            context::current(|run| run.exceptions.push(r.pointer().into_owned()));
            r
        });
}

/// A facts list's items, noting each record of a top-level collection as gone through.
struct Items {
    list: List,
    next: usize,
    /// Whether the list is a top-level collection (only their records are noted).
    top: bool,
}

impl Iterator for Items {
    type Item = Dynamic;

    fn next(&mut self) -> Option<Dynamic> {
        let node = self.list.items().get(self.next)?;
        self.next += 1;
        if self.top
            && let Node::Record(r) = node
        {
            went_through_item(r);
        }
        Some(node.to_dynamic())
    }
}

/// Notes records a rule went through (a query's result, a collection it loops over): its
/// population when it marks none. Only records of top-level collections count.
pub(crate) fn went_through<'r>(records: impl IntoIterator<Item = &'r Record>) {
    context::current(|run| {
        // The records mostly come from one list: whether it is a collection is asked once.
        let mut last: Option<(usize, bool)> = None;
        for r in records {
            let top = match (r.list_place(), last) {
                (Some((list, _)), Some((at, top))) if list.as_ptr() as usize == at => top,
                (Some((list, _)), _) => {
                    let top = r.is_top_level();
                    last = Some((list.as_ptr() as usize, top));
                    top
                }
                (None, _) => r.is_top_level(),
            };
            if top {
                run.iterated(r);
            }
        }
    });
}

/// [`went_through`] for a record of a top-level collection, gone through as the rule
/// loops over the collection.
pub(crate) fn went_through_item(record: &Record) {
    context::current(|run| run.iterated(record));
}

/// Marks records as tested: the rule's population.
pub(crate) fn mark_tested<'r>(records: impl IntoIterator<Item = &'r Record>) {
    context::current(|run| {
        for r in records {
            run.tested.push(r);
        }
    });
}

/// Every property name in the facts schema, at any depth (worked out once per process).
fn contract_fields() -> &'static std::collections::BTreeSet<String> {
    static FIELDS: std::sync::OnceLock<std::collections::BTreeSet<String>> =
        std::sync::OnceLock::new();
    FIELDS.get_or_init(schema_fields)
}

/// Every property name in the facts schema, at any depth.
fn schema_fields() -> std::collections::BTreeSet<String> {
    fn walk(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                    out.extend(props.keys().cloned());
                }
                map.values().for_each(|x| walk(x, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    if let Ok(schema) = crate::facts::schema_document() {
        walk(schema, &mut out);
    }
    out
}

fn field(r: &Record, name: &str) -> Dynamic {
    let Some(node) = r.get(name) else {
        return Dynamic::UNIT;
    };
    node.to_dynamic()
}

fn index(l: &mut List, i: INT) -> Result<Dynamic> {
    let len = l.len() as INT;
    let at = if i < 0 { len + i } else { i };
    usize::try_from(at)
        .ok()
        .and_then(|at| l.get(at))
        .map(Node::to_dynamic)
        .ok_or_else(|| {
            error(format!(
                "index {i} is out of bounds for {} ({len} items)",
                l.pointer()
            ))
        })
}

fn describe_record(r: &Record) -> String {
    let fields: Vec<&str> = r.field_names().map(|n| n.as_str()).collect();
    format!("record {} {{{}}}", r.pointer(), fields.join(", "))
}

fn describe_list(l: &List) -> String {
    format!("list {} ({} items)", l.pointer(), l.len())
}

/// Calls a predicate closure on an item and insists on a boolean answer.
fn test(ctx: &NativeCallContext, f: &FnPtr, item: Dynamic, what: &str) -> Result<bool> {
    let out: Dynamic = f.call_within_context(ctx, (item,))?;
    out.as_bool().map_err(|t| {
        error(format!(
            "{what}: the closure must return true or false, not {t}"
        ))
    })
}

/// `n`, an item of a list, noted as gone through when the list is a top-level collection
/// (`top`): a rule that marks no records has for population those its loops, queries and
/// closures (`filter`, `all`, `any`, `count`, `map`, `to_array`) went through.
fn seen(top: bool, n: &Node) -> &Node {
    if let Node::Record(r) = n
        && top
    {
        went_through_item(r);
    }
    n
}

fn filter(ctx: NativeCallContext, l: &mut List, f: FnPtr) -> Result<Array> {
    let mut out = Array::new();
    let top = l.is_collection();
    for n in l.items() {
        let item = seen(top, n).to_dynamic();
        if test(&ctx, &f, item.clone(), "filter")? {
            out.push(item);
        }
    }
    Ok(out)
}

fn map(ctx: NativeCallContext, l: &mut List, f: FnPtr) -> Result<Array> {
    let top = l.is_collection();
    l.items()
        .iter()
        .map(|n| f.call_within_context::<Dynamic>(&ctx, (seen(top, n).to_dynamic(),)))
        .collect()
}

fn any(ctx: NativeCallContext, l: &mut List, f: FnPtr) -> Result<bool> {
    let top = l.is_collection();
    for n in l.items() {
        if test(&ctx, &f, seen(top, n).to_dynamic(), "any")? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn all(ctx: NativeCallContext, l: &mut List, f: FnPtr) -> Result<bool> {
    let top = l.is_collection();
    for n in l.items() {
        if !test(&ctx, &f, seen(top, n).to_dynamic(), "all")? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn count(ctx: NativeCallContext, l: &mut List, f: FnPtr) -> Result<INT> {
    let mut n: INT = 0;
    let top = l.is_collection();
    for item in l.items() {
        if test(&ctx, &f, seen(top, item).to_dynamic(), "count")? {
            n += 1;
        }
    }
    Ok(n)
}
