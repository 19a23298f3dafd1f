//! The records of a collection, checked one at a time as they are parsed: each record is
//! parsed, checked against its schema, keyed, searched for fields the schema does not
//! define and turned into the rules' view, and its parsed form is dropped then, so a
//! collection is never held both parsed and converted. Runs of records are checked side by
//! side.

use super::fields::RecordFields;
use super::json;
use super::keys::{self, Column, KeySpec, Place};
use super::schema::{FactsSchema, RecordChecker};
use super::texts::Texts;
use super::tree::{self, Builder, Node};
use super::tree_parse;
use super::validate::Found;
use rhai::ImmutableString;
use serde_json::Value;

/// Records checked as one piece of work.
const RECORDS_PER_TASK: usize = 512;

/// A record to check: its JSON text, or its value when its file was parsed whole.
pub(super) enum Item<'t> {
    /// The record's text.
    Text(&'t str),
    /// The parsed record.
    Parsed(Value),
}

/// A collection's records in the rules' view, and what checking them found.
#[derive(Default)]
pub(super) struct Collection {
    /// The records, converted.
    pub(super) nodes: Vec<Node>,
    /// What the checks found.
    pub(super) found: Found,
}

impl Collection {
    /// The runs of a collection, in order, as one; its records and keys are allocated at
    /// their full size once rather than grown run by run (which, doubling, would leave up
    /// to as much again unused while the facts are loaded).
    fn joined(runs: Vec<Collection>) -> Collection {
        let mut out = Collection::default();
        out.nodes
            .reserve_exact(runs.iter().map(|r| r.nodes.len()).sum());
        let keys = runs.iter().map(|r| r.found.keys.sizes());
        let (text, ends) = keys.fold((0, 0), |(t, e), (t2, e2)| (t + t2, e + e2));
        out.found.keys.reserve_exact(text, ends);
        for run in runs {
            out.append(run);
        }
        out
    }

    /// Appends the records of `other`, which follow this collection's.
    pub(super) fn append(&mut self, other: Collection) {
        self.nodes.extend(other.nodes);
        self.found.keys.append(&other.found.keys);
        self.found.violations.extend(other.found.violations);
        self.found.unknown.extend(other.found.unknown);
        self.found.nested.extend(other.found.nested);
    }
}

/// The records of several collections, each with its checks and the index its first record
/// takes in its collection, checked as [`Checks::check`] checks one, in runs side by side
/// across the collections (the first runs of a collection start while the last ones of the
/// collection before it still run): the collections, in order.
pub(super) fn check_all(
    collections: Vec<(Checks<'_>, usize, Vec<Item<'_>>)>,
) -> Result<Vec<Collection>, serde_json::Error> {
    let mut checks = Vec::with_capacity(collections.len());
    let mut tasks = Vec::new();
    for (c, (check, first, items)) in collections.into_iter().enumerate() {
        checks.push(check);
        for (start, run) in crate::par::runs(items, RECORDS_PER_TASK) {
            tasks.push((c, first + start, run));
        }
    }
    let checks = &checks;
    let done = crate::par::map(tasks, |(c, first, run)| {
        (c, checks.get(c).map(|check| check.run(first, run)))
    });
    let mut runs: Vec<Vec<Collection>> = checks.iter().map(|_| Vec::new()).collect();
    for (c, run) in done {
        if let (Some(runs), Some(run)) = (runs.get_mut(c), run) {
            runs.push(run?);
        }
    }
    Ok(runs.into_iter().map(Collection::joined).collect())
}

/// How the records of one collection are checked.
pub(super) struct Checks<'s> {
    name: &'s str,
    /// The collection's pointer (`/accounts`), shared by its records' places.
    list: ImmutableString,
    /// The collection's name as the start of its records' keys (`accounts`).
    key: String,
    checker: RecordChecker<'s>,
    spec: &'s KeySpec,
    schema: &'s FactsSchema,
    /// The short strings of the whole load.
    texts: &'s Texts,
}

impl<'s> Checks<'s> {
    /// The checks of collection `name`, when `schema` lets its records be checked one at a
    /// time (see [`FactsSchema::records`]), sharing short strings through `texts`.
    pub(super) fn new(
        schema: &'s FactsSchema,
        name: &'s str,
        texts: &'s Texts,
    ) -> Option<Checks<'s>> {
        let checker = schema.records(name)?;
        let spec = schema.keying.collection(name)?;
        let mut pointer = String::from("/");
        tree::push_escaped(&mut pointer, name);
        let mut key = String::new();
        keys::escape_into(&mut key, name);
        Some(Checks {
            name,
            list: pointer.into(),
            key,
            checker,
            spec,
            schema,
            texts,
        })
    }

    /// Checks `items`, the records of the collection from index `first` on, in runs side by
    /// side. `Err` when one of them is not JSON (with its place in the record's own text:
    /// its file's parse says where it is in the file).
    pub(super) fn check(
        self,
        first: usize,
        items: Vec<Item<'_>>,
    ) -> Result<Collection, serde_json::Error> {
        let mut checked = check_all(vec![(self, first, items)])?;
        Ok(checked.pop().unwrap_or_default())
    }

    /// Record `index`, `text`, at `pointer`, parsed straight into the tree, when nothing in it
    /// needs more than the tree to report: it satisfies the schema, its nested keyed lists
    /// have no repeated key, its numbers are what the tree holds exactly (its own key is
    /// checked as it is recorded, [`Column::push_node`]). `None` sends it through the parsed
    /// value, which finds what is wrong and says where.
    fn quick(
        &self,
        (text, index): (&str, usize),
        builder: &mut Builder<'_>,
        pointer: &mut String,
        scratch: &mut Column,
    ) -> Option<Node> {
        let parsed = tree_parse::parse_record(text, builder, pointer, (&self.list, index)).ok()?;
        let node = parsed.node;
        let clean = !parsed.lossy
            && self.checker.accepts(&node)
            && !keys::nested_duplicates_in_tree(self.spec, &node, scratch);
        clean.then_some(node)
    }

    /// Checks one run of records, the first at index `first`.
    fn run(&self, first: usize, items: Vec<Item<'_>>) -> Result<Collection, serde_json::Error> {
        let mut builder = Builder::sharing(self.texts);
        let mut fields = RecordFields::new(&self.schema.known, self.name, self.schema.name());
        let mut scratch = Column::default();
        let mut out = Collection {
            nodes: Vec::with_capacity(items.len()),
            found: Found::default(),
        };
        let mut pointer = self.list.to_string();
        let base = pointer.len();
        for (n, item) in items.into_iter().enumerate() {
            let i = first + n;
            pointer.truncate(base);
            tree::push_index(&mut pointer, i);
            let value = match item {
                Item::Text(text) => {
                    let quick = self.quick((text, i), &mut builder, &mut pointer, &mut scratch);
                    let found = &mut out.found;
                    if let Some(node) = quick
                        && found.keys.push_node(self.spec, &node)
                    {
                        if let Some(fields) = &mut fields {
                            fields.unknown(&node, &pointer, &mut found.unknown);
                        }
                        out.nodes.push(node);
                        continue;
                    }
                    json::parse(text)?
                }
                Item::Parsed(value) => value,
            };
            let found = &mut out.found;
            for (path, message) in self.checker.violations(&value) {
                found
                    .violations
                    .push((format!("{pointer}{path}"), message, None));
            }
            found.keys.push(self.spec, &value);
            let keys = &found.keys;
            let place = || Place {
                key: format!("{}{}", self.key, keys.get(n).unwrap_or_default()),
                pointer: pointer.clone(),
            };
            let mut duplicates = Vec::new();
            keys::nested_duplicates(self.spec, &value, &place, &mut scratch, &mut duplicates);
            found.nested.extend(duplicates.into_iter().map(|d| (i, d)));
            if let Some(fields) = &mut fields {
                fields.unknown(&value, &pointer, &mut found.unknown);
            }
            out.nodes
                .push(builder.record(value, &mut pointer, (&self.list, i)));
        }
        Ok(out)
    }
}
