//! Record keys: the name of a record that does not depend on its place in its list, so
//! reordering or splitting a facts file keeps every record's identity.
//!
//! Every record list of the facts schema (each top-level collection, and lists of records
//! inside a record, such as `people[].policy_acknowledgements`) declares the fields of its
//! key with the `x-key` keyword on its item schema; this module reads them from the schema,
//! so the schema is their only home. A key is printed as
//! `<collection>/<value>/<value>...`: `accounts/aws-prod/alice`, and for a nested list
//! the parent's key, the field and the nested record's values:
//! `people/p-001/policy_acknowledgements/pol-aup/2026-01-10`. Each value is escaped (see
//! [`escape_into`]) so that the string is unambiguous and printable.

use super::tree::{self, Node};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// The schema keyword on an item schema that lists the fields of the records' key.
pub(crate) const KEYWORD: &str = "x-key";

/// How the records of one list are keyed.
#[derive(Debug, PartialEq)]
pub(crate) struct KeySpec {
    /// The fields whose values, in this order, make a record's key.
    fields: Vec<String>,
    /// Where each of those fields was last found in a record of the rules' tree, where it is
    /// looked for first in the next (the records of a collection mostly share one shape).
    found: Box<[Hint]>,
    /// Keyed lists inside each record: the field names leading from the record to the list
    /// (one name for a list that is a field of the record), and how its records are keyed.
    nested: Vec<(Vec<String>, KeySpec)>,
}

/// Where a key field was last found ([`tree::Record::get_hinted`]). Hints never make two
/// specs differ: the fields do.
#[derive(Debug, Default)]
struct Hint(AtomicU64);

impl PartialEq for Hint {
    fn eq(&self, _: &Hint) -> bool {
        true
    }
}

/// The key of every collection of a facts schema, in the schema's order.
#[derive(Debug)]
pub(crate) struct Keying {
    collections: Vec<(String, KeySpec)>,
}

impl Keying {
    /// Reads the keys from a facts schema. Every top-level array must be a list of records
    /// with a key, and so must every list of records inside a keyed record; a key field must
    /// be a declared property of the record.
    pub(crate) fn from_schema(schema: &Value) -> Result<Keying, String> {
        let mut collections = Vec::new();
        for (name, property) in properties(schema, schema) {
            let property = resolve(property, schema)?;
            if !is_array(property) {
                continue;
            }
            let at = format!("/properties/{name}");
            let items = record_items(property, schema)?
                .ok_or_else(|| format!("{at}: a top-level array must be a list of records"))?;
            collections.push((name.to_owned(), spec(items, schema, &at)?));
        }
        Ok(Keying { collections })
    }

    /// How the records of a top-level collection are keyed.
    pub(super) fn collection(&self, name: &str) -> Option<&KeySpec> {
        self.collections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, spec)| spec)
    }
}

/// The properties a schema declares, in order.
pub(super) fn properties<'a>(schema: &'a Value, root: &'a Value) -> Vec<(&'a str, &'a Value)> {
    let schema = resolve(schema, root).unwrap_or(schema);
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

/// Follows a `$ref` to one of the schema's `$defs`.
pub(super) fn resolve<'a>(schema: &'a Value, root: &'a Value) -> Result<&'a Value, String> {
    let Some(target) = schema.get("$ref").and_then(Value::as_str) else {
        return Ok(schema);
    };
    target
        .strip_prefix("#/$defs/")
        .and_then(|name| root.get("$defs")?.get(name))
        .ok_or_else(|| format!("unsupported reference `{target}`"))
}

/// Whether a schema's type includes `name`.
fn has_type(schema: &Value, name: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == name),
        _ => false,
    }
}

fn is_array(schema: &Value) -> bool {
    has_type(schema, "array")
}

/// The item schema of an array schema whose items are records (objects).
fn record_items<'a>(array: &'a Value, root: &'a Value) -> Result<Option<&'a Value>, String> {
    let Some(items) = array.get("items") else {
        return Ok(None);
    };
    let items = resolve(items, root)?;
    Ok(has_type(items, "object").then_some(items))
}

/// Reads the key of the list whose item schema is `items` (at `at`), and the keys of the
/// lists of records inside it.
fn spec(items: &Value, root: &Value, at: &str) -> Result<KeySpec, String> {
    let declared = properties(items, root);
    let fields = match items.get(KEYWORD) {
        Some(Value::Array(fields)) if !fields.is_empty() => fields
            .iter()
            .map(|f| {
                let f = f
                    .as_str()
                    .ok_or_else(|| format!("{at}: {KEYWORD} lists field names"))?;
                if !declared.iter().any(|(name, _)| *name == f) {
                    return Err(format!(
                        "{at}: key field `{f}` is not a property of the record"
                    ));
                }
                Ok(f.to_owned())
            })
            .collect::<Result<Vec<String>, String>>()?,
        Some(_) => return Err(format!("{at}: {KEYWORD} must list at least one field")),
        None => {
            return Err(format!(
                "{at}: a list of records must declare its key ({KEYWORD})"
            ));
        }
    };
    let mut nested = Vec::new();
    nested_specs(items, root, at, &mut Vec::new(), &mut nested)?;
    Ok(KeySpec::new(fields, nested))
}

/// Finds the lists of records among the properties of `object`, descending into objects.
fn nested_specs(
    object: &Value,
    root: &Value,
    at: &str,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, KeySpec)>,
) -> Result<(), String> {
    for (name, property) in properties(object, root) {
        let property = resolve(property, root)?;
        path.push(name.to_owned());
        let here = format!("{at}/{}", path.join("/"));
        if is_array(property) {
            if let Some(items) = record_items(property, root)? {
                out.push((path.clone(), spec(items, root, &here)?));
            }
        } else if has_type(property, "object") {
            nested_specs(property, root, at, path, out)?;
        }
        path.pop();
    }
    Ok(())
}

impl KeySpec {
    fn new(fields: Vec<String>, nested: Vec<(Vec<String>, KeySpec)>) -> KeySpec {
        let found = fields.iter().map(|_| Hint::default()).collect();
        KeySpec {
            fields,
            found,
            nested,
        }
    }

    /// Appends a record's key values to `out`, each as `/` and the escaped value; `field`
    /// gives a key field's text (`None` when it is absent or null, which is an empty value).
    fn write<'a>(&self, out: &mut String, field: impl Fn(&str) -> Option<Cow<'a, str>>) {
        write_values(out, self.fields.iter().map(|name| field(name)));
    }

    /// The fields whose values, in this order, make a record's key.
    pub(super) fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The keyed list at `path` (field names from the record), if there is one.
    fn nested_at(&self, path: &[Cow<'_, str>]) -> Option<&KeySpec> {
        self.nested
            .iter()
            .find(|(p, _)| p.len() == path.len() && p.iter().zip(path).all(|(a, b)| a == b))
            .map(|(_, spec)| spec)
    }
}

/// Appends a record's key values, in order, each as `/` and the escaped value (`None`, an
/// absent or null field, is an empty value).
fn write_values<'a>(out: &mut String, values: impl Iterator<Item = Option<Cow<'a, str>>>) {
    for value in values {
        out.push('/');
        if let Some(value) = value {
            escape_into(out, &value);
        }
    }
}

/// Appends `value` to `out`, escaped as a key value: `%` as `%25`, `/` as `%2F`, and every
/// non-printable character (see [`is_printable`]) as `%XX` for each byte of its UTF-8
/// encoding, in uppercase hex. Nothing else is escaped, so each value has one spelling.
pub(crate) fn escape_into(out: &mut String, value: &str) {
    // Most values are plain ASCII: written in one piece.
    if is_plain(value) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        if c == '%' || c == '/' || !is_printable(c) {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        } else {
            out.push(c);
        }
    }
}

const HEX: [char; 16] = [
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F',
];

/// Characters that are not printable, as Unicode 16.0 categorizes them: controls (Cc),
/// format characters (Cf: soft hyphen, zero-width joiners and spaces, bidirectional
/// controls, the byte-order mark, tags...), line and paragraph separators (Zl, Zp), spaces
/// other than U+0020 (Zs) and private-use characters (Co). Unassigned code points are not
/// in the list, so the grammar does not change as Unicode grows. (Python's
/// `str.isprintable` uses the same categories.) Fixed here, since keys are written into
/// waiver and baseline files.
const NOT_PRINTABLE: [(u32, u32); 34] = [
    (0x0, 0x1F),
    (0x7F, 0x9F),
    (0xA0, 0xA0),
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x1680, 0x1680),
    (0x180E, 0x180E),
    (0x2000, 0x200A),
    (0x200B, 0x200F),
    (0x2028, 0x2028),
    (0x2029, 0x2029),
    (0x202A, 0x202E),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0x3000, 0x3000),
    (0xE000, 0xF8FF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
    (0xF0000, 0xFFFFD),
    (0x100000, 0x10FFFD),
];

/// `value` escaped as a key value ([`escape_into`]): itself when nothing in it is escaped.
pub(crate) fn escaped(value: &str) -> Cow<'_, str> {
    if is_plain(value) {
        return Cow::Borrowed(value);
    }
    let mut out = String::new();
    escape_into(&mut out, value);
    Cow::Owned(out)
}

/// Whether `value` is printable ASCII without `%` and `/`, which a key writes as it is.
fn is_plain(value: &str) -> bool {
    value
        .bytes()
        .all(|b| (0x20..0x7F).contains(&b) && b != b'%' && b != b'/')
}

/// Whether a character is written as itself in a key (see [`NOT_PRINTABLE`]).
fn is_printable(c: char) -> bool {
    let c = u32::from(c);
    (0x20..0x7F).contains(&c)
        || NOT_PRINTABLE
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    std::cmp::Ordering::Less
                } else if lo > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_err()
}

/// The keys of the records of every collection, computed once when the facts are loaded.
#[derive(Debug)]
pub(crate) struct RecordKeys {
    /// How the records of the facts' schema are keyed.
    keying: Arc<Keying>,
    /// Each present collection's name, and its records' keys (looked up for each finding:
    /// hashed with foldhash).
    collections: foldhash::HashMap<String, Column>,
}

/// The keys of one list's records, without the list's name (`/aws-prod/alice`): one text
/// and where each key ends, rather than a string per record.
#[derive(Debug, Default)]
pub(super) struct Column {
    text: String,
    ends: Vec<usize>,
}

impl Column {
    /// Appends the key of `record` as `spec` makes it.
    pub(super) fn push(&mut self, spec: &KeySpec, record: &Value) {
        // Records have a handful of fields: finding one by comparing names is quicker than
        // hashing its name.
        let fields = record.as_object();
        let field = |f: &str| fields?.iter().find(|(name, _)| *name == f).map(|(_, v)| v);
        spec.write(&mut self.text, |f| value_text(field(f)));
        self.ends.push(self.text.len());
    }

    /// [`Column::push`] of a record in the rules' tree, whose key fields hold strings or
    /// nothing (other values' key texts are the parsed value's to give), each read where the
    /// record before had it. `false` (and nothing appended) when they do not.
    pub(super) fn push_node(&mut self, spec: &KeySpec, record: &Node) -> bool {
        let record = record.as_record();
        let values = || {
            spec.fields
                .iter()
                .zip(&spec.found)
                .map(|(f, hint)| record.and_then(|r| r.get_hinted(f, &hint.0)))
        };
        if !values().all(|v| matches!(v, None | Some(Node::Null | Node::Str(_) | Node::Short(_)))) {
            return false;
        }
        write_values(&mut self.text, values().map(node_text));
        self.ends.push(self.text.len());
        true
    }

    /// Empties the column.
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// The length of the keys' text and how many keys there are.
    pub(super) fn sizes(&self) -> (usize, usize) {
        (self.text.len(), self.ends.len())
    }

    /// Makes room for `text` more bytes of keys and `keys` more keys, exactly.
    pub(super) fn reserve_exact(&mut self, text: usize, keys: usize) {
        self.text.reserve_exact(text);
        self.ends.reserve_exact(keys);
    }

    /// Appends the keys of `other`, after this column's.
    pub(super) fn append(&mut self, other: &Column) {
        let offset = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|end| end + offset));
    }

    /// The `i`-th key.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        let start = match i {
            0 => 0,
            i => *self.ends.get(i - 1)?,
        };
        self.text.get(start..*self.ends.get(i)?)
    }

    /// Each key without its first `/` (a one-field key's escaped value), with the index of
    /// its first record.
    fn index(&self) -> foldhash::HashMap<&str, usize> {
        let n = self.ends.len();
        let mut seen: foldhash::HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(n, Default::default());
        for (i, key) in (0..n).filter_map(|i| self.get(i)).enumerate() {
            seen.entry(key.get(1..).unwrap_or_default()).or_insert(i);
        }
        seen
    }

    /// For each key that an earlier one equals: its index and the earlier one's.
    fn duplicates(&self) -> Vec<(usize, usize)> {
        let n = self.ends.len();
        let keys = (0..n).filter_map(|i| self.get(i));
        let mut out = Vec::new();
        if n <= 16 {
            let keys: Vec<&str> = keys.collect();
            for (i, key) in keys.iter().enumerate() {
                if let Some(first) = keys[..i].iter().position(|k| k == key) {
                    out.push((i, first));
                }
            }
        } else {
            let mut seen: foldhash::HashMap<&str, usize> =
                HashMap::with_capacity_and_hasher(n, Default::default());
            for (i, key) in keys.enumerate() {
                match seen.entry(key) {
                    Entry::Occupied(first) => out.push((i, *first.get())),
                    Entry::Vacant(slot) => {
                        slot.insert(i);
                    }
                }
            }
        }
        out
    }
}

/// Two records of one list with the same key.
#[derive(Debug)]
pub(crate) struct Duplicate {
    /// The later record's pointer.
    pub pointer: String,
    /// Their key.
    pub key: String,
    /// The earlier record's pointer.
    pub first: String,
}

/// Computes the key of every record of `doc`'s collections, as `keying` keys them, and
/// finds the records whose key another record of their list already has (in document
/// order).
pub(crate) fn index(doc: &Value, keying: &Arc<Keying>) -> (RecordKeys, Vec<Duplicate>) {
    let lists: Vec<(&String, &KeySpec, &Vec<Value>)> = doc
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| Some((name, keying.collection(name)?, value.as_array()?)))
        .collect();
    let done = crate::par::map(lists, |(name, spec, items)| {
        let mut column = Column::default();
        for item in items {
            column.push(spec, item);
        }
        let mut key = String::new();
        escape_into(&mut key, name);
        let mut pointer = String::from("/");
        tree::push_escaped(&mut pointer, name);
        let list = List {
            key: &key,
            pointer: &pointer,
            spec,
            items,
        };
        let mut duplicates = Vec::new();
        list.duplicates(&column, &mut duplicates);
        (name.clone(), column, duplicates)
    });
    let mut collections = foldhash::HashMap::default();
    let mut duplicates = Vec::new();
    for (name, column, found) in done {
        collections.insert(name, column);
        duplicates.extend(found);
    }
    (
        RecordKeys {
            keying: Arc::clone(keying),
            collections,
        },
        duplicates,
    )
}

/// A keyed list of the parsed document: its key (the collection's name, or the key of the
/// record holding it and the fields leading to it), its pointer, and its records.
struct List<'a> {
    key: &'a str,
    pointer: &'a str,
    spec: &'a KeySpec,
    items: &'a [Value],
}

impl List<'_> {
    /// Reports the duplicate keys of the list, whose keys are `column`, and of the keyed
    /// lists inside its records, in document order.
    fn duplicates(&self, column: &Column, out: &mut Vec<Duplicate>) {
        let mut found = column.duplicates().into_iter().peekable();
        let mut scratch = Column::default();
        for (i, item) in self.items.iter().enumerate() {
            if let Some((_, first)) = found.next_if(|(dup, _)| *dup == i) {
                out.push(Duplicate {
                    pointer: format!("{}/{i}", self.pointer),
                    key: format!("{}{}", self.key, column.get(i).unwrap_or_default()),
                    first: format!("{}/{first}", self.pointer),
                });
            }
            let record = || Place {
                key: format!("{}{}", self.key, column.get(i).unwrap_or_default()),
                pointer: format!("{}/{i}", self.pointer),
            };
            nested_duplicates(self.spec, item, &record, &mut scratch, out);
        }
    }
}

/// Where a record is: its key and its pointer.
pub(super) struct Place {
    /// The record's key (`people/p-001`).
    pub(super) key: String,
    /// The record's pointer (`/people/0`).
    pub(super) pointer: String,
}

/// Reports the duplicate keys in the keyed lists inside `item`, a record keyed by `spec`
/// whose place `record` gives (only asked when there is something to report), in document
/// order; `scratch` is room for the lists' keys.
pub(super) fn nested_duplicates(
    spec: &KeySpec,
    item: &Value,
    record: &dyn Fn() -> Place,
    scratch: &mut Column,
    out: &mut Vec<Duplicate>,
) {
    for (path, inner) in &spec.nested {
        let Some(items) = path
            .iter()
            .try_fold(item, |v, name| v.get(name))
            .and_then(Value::as_array)
            .filter(|items| items.len() > 1 || !inner.nested.is_empty())
        else {
            continue;
        };
        scratch.clear();
        for record in items {
            scratch.push(inner, record);
        }
        if scratch.duplicates().is_empty() && inner.nested.is_empty() {
            continue;
        }
        let Place {
            mut key,
            mut pointer,
        } = record();
        for name in path {
            key.push('/');
            escape_into(&mut key, name);
            pointer.push('/');
            tree::push_escaped(&mut pointer, name);
        }
        let list = List {
            key: &key,
            pointer: &pointer,
            spec: inner,
            items,
        };
        let column = std::mem::take(scratch);
        list.duplicates(&column, out);
        *scratch = column;
    }
}

/// Whether a keyed list inside `item`, a record of the rules' tree keyed by `spec`, or
/// inside its records, has two records with one key; also `true` when a key cannot be told
/// from the tree (see [`Column::push_node`]): [`nested_duplicates`] on the parsed record
/// then says which.
pub(super) fn nested_duplicates_in_tree(spec: &KeySpec, item: &Node, scratch: &mut Column) -> bool {
    spec.nested.iter().any(|(path, inner)| {
        let Some(Node::List(list)) = path.iter().try_fold(item, |v, name| v.field(name)) else {
            return false;
        };
        scratch.clear();
        if !list.items().iter().all(|r| scratch.push_node(inner, r)) {
            return true;
        }
        !scratch.duplicates().is_empty()
            || list
                .items()
                .iter()
                .any(|r| nested_duplicates_in_tree(inner, r, scratch))
    })
}

/// The records of a collection keyed one at a time (see [`super::records`]): the
/// duplicate keys among them, and those found inside each record (`nested`, each with its
/// record's index), merged in document order.
pub(super) fn collection_duplicates(
    name: &str,
    column: &Column,
    nested: Vec<(usize, Duplicate)>,
) -> Vec<Duplicate> {
    let mut key = String::new();
    escape_into(&mut key, name);
    let mut pointer = String::from("/");
    tree::push_escaped(&mut pointer, name);
    let mut out = Vec::new();
    let mut nested = nested.into_iter().peekable();
    for (i, first) in column.duplicates() {
        while let Some((_, found)) = nested.next_if(|(at, _)| *at < i) {
            out.push(found);
        }
        out.push(Duplicate {
            pointer: format!("{pointer}/{i}"),
            key: format!("{key}{}", column.get(i).unwrap_or_default()),
            first: format!("{pointer}/{first}"),
        });
    }
    out.extend(nested.map(|(_, found)| found));
    out
}

/// A key field's text in the parsed document: strings as they are, other scalars as JSON,
/// nothing for null or an absent field. (The schema makes every key field a string.)
fn value_text(value: Option<&Value>) -> Option<Cow<'_, str>> {
    match value? {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_string())),
    }
}

/// A key field's text in the rules' tree, as [`value_text`] gives it.
fn node_text(node: Option<&Node>) -> Option<Cow<'_, str>> {
    node?.key_str()
}

impl RecordKeys {
    /// Sets the keys of collection `name`'s records, keyed one at a time.
    pub(super) fn insert(&mut self, name: String, column: Column) {
        self.collections.insert(name, column);
    }

    /// The keys of collection `name`'s records without the collection's name and the `/`
    /// after it (`aws-prod`), each with the index of its first record; `None` when the facts
    /// do not have it.
    pub(crate) fn index(&self, name: &str) -> Option<foldhash::HashMap<&str, usize>> {
        Some(self.collections.get(name)?.index())
    }

    /// The key of item `i` of collection `name` (`None`: no such keyed record).
    pub(crate) fn item_key(&self, name: &str, i: usize) -> Option<String> {
        let key = self.collections.get(name)?.get(i)?;
        let mut out = String::with_capacity(name.len() + key.len());
        escape_into(&mut out, name);
        out.push_str(key);
        Some(out)
    }

    /// The key of the value at `pointer` in the facts whose tree is `root` (see
    /// [`super::Facts::key`]).
    pub(crate) fn key(&self, root: &Node, pointer: &str) -> Option<String> {
        // The usual pointer of a finding, a record of a collection: its key alone.
        if let Some((name, i)) = item_pointer(pointer) {
            return self.item_key(name, i);
        }
        let mut segments = pointer.strip_prefix('/')?.split('/').map(super::unescape);
        let name = segments.next()?;
        let column = self.collections.get(name.as_ref())?;
        let mut spec = self.keying.collection(&name)?;
        let Some(Node::List(list)) = root.field(&name) else {
            return None;
        };
        let Some(index) = segments.next() else {
            let mut out = String::new();
            escape_into(&mut out, &name);
            return Some(out);
        };
        let i = array_index(&index)?;
        let mut out = String::new();
        escape_into(&mut out, &name);
        out.push_str(column.get(i)?);
        let mut node = list.get(i)?;
        // Field names since the last keyed record, to recognize a keyed list inside it.
        let mut path: Vec<Cow<'_, str>> = Vec::new();
        while let Some(segment) = segments.next() {
            match node {
                Node::Record(r) => {
                    node = r.get(&segment)?;
                    out.push('/');
                    escape_into(&mut out, &segment);
                    path.push(segment);
                    if let (Some(inner), Node::List(l)) = (spec.nested_at(&path), node)
                        && let Some(index) = segments.next()
                    {
                        node = l.get(array_index(&index)?)?;
                        inner.write(&mut out, |f| node_text(node.field(f)));
                        spec = inner;
                        path.clear();
                    }
                }
                Node::List(l) => {
                    let i = array_index(&segment)?;
                    node = l.get(i)?;
                    out.push('/');
                    out.push_str(&segment);
                    path.push(segment);
                }
                _ => return None,
            }
        }
        Some(out)
    }
}

/// The name and the index of the item a pointer of an item of a top-level list
/// (`/vendors/3`) names, when the pointer is written plainly (a name without `~`, an index
/// as RFC 6901 writes it); `None` for any other pointer.
pub(super) fn item_pointer(pointer: &str) -> Option<(&str, usize)> {
    // Read byte by byte: this runs for each finding.
    let rest = pointer.strip_prefix('/')?;
    let slash = rest.bytes().position(|b| b == b'/')?;
    let (name, index) = (&rest[..slash], &rest[slash + 1..]);
    if name.bytes().any(|b| b == b'~') {
        return None;
    }
    Some((name, array_index(index)?))
}

/// An array index as RFC 6901 writes it: digits, without leading zeros (`None` also for
/// one too large for `usize`).
pub(super) fn array_index(segment: &str) -> Option<usize> {
    match segment.as_bytes() {
        [] => None,
        [b'0'] => Some(0),
        [b'0', ..] => None,
        digits => digits.iter().try_fold(0usize, |n, &b| {
            let digit = b.wrapping_sub(b'0');
            (digit <= 9).then_some(())?;
            n.checked_mul(10)?.checked_add(usize::from(digit))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Facts, FactsError, FactsSource};
    use serde_json::json;

    fn escape(value: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, value);
        out
    }

    /// Reads an escaped value back; `None` unless it is exactly how [`escape_into`] writes
    /// some value (uppercase hex, only what must be escaped is).
    fn unescape(text: &str) -> Option<String> {
        let mut bytes = Vec::new();
        let mut rest = text.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'%' {
                let hex = tail.get(..2)?;
                if !hex
                    .iter()
                    .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h))
                {
                    return None;
                }
                bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                rest = &tail[2..];
            } else if b == b'/' {
                return None;
            } else {
                bytes.push(b);
                rest = tail;
            }
        }
        let value = String::from_utf8(bytes).ok()?;
        (escape(&value) == text).then_some(value)
    }

    #[test]
    fn values_are_escaped_so_that_keys_are_printable_and_unambiguous() {
        let cases = [
            ("alice", "alice"),
            ("", ""),
            ("a/b", "a%2Fb"),
            ("100%", "100%25"),
            ("%2F", "%252F"),
            ("line\nbreak", "line%0Abreak"),
            ("tab\there", "tab%09here"),
            ("nul\0", "nul%00"),
            ("del\u{7f}", "del%7F"),
            ("zero\u{200D}width", "zero%E2%80%8Dwidth"),
            ("\u{202E}evil", "%E2%80%AEevil"),
            ("bom\u{FEFF}", "bom%EF%BB%BF"),
            ("para\u{2029}", "para%E2%80%A9"),
            ("nbsp\u{A0}", "nbsp%C2%A0"),
            ("tag\u{E0041}", "tag%F3%A0%81%81"),
            ("private\u{E000}", "private%EE%80%80"),
            // Printable characters, ASCII or not, are written as themselves.
            ("a b~c:d.e@f+g", "a b~c:d.e@f+g"),
            ("Zoë 日本 🎉 é", "Zoë 日本 🎉 é"),
        ];
        for (value, escaped) in cases {
            assert_eq!(escape(value), escaped, "{value:?}");
            assert_eq!(unescape(escaped).as_deref(), Some(value), "{escaped}");
            let key = escape(value);
            assert!(!key.contains('/'), "{key}");
            assert!(key.chars().all(is_printable), "{key}");
        }
        // Each value has one spelling: lowercase hex and needless escapes are not keys.
        for other in ["a%2fb", "%41", "%2", "%zz", "a/b", "%FF"] {
            assert_eq!(unescape(other), None, "{other}");
        }
    }

    #[test]
    fn every_character_round_trips() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let value = format!("x{c}y");
            assert_eq!(unescape(&escape(&value)).as_deref(), Some(value.as_str()));
        }
    }

    #[test]
    fn non_printable_characters_are_those_of_the_unicode_categories() {
        use unicode_general_category::{GeneralCategory as G, get_general_category};
        assert!(NOT_PRINTABLE.windows(2).all(|w| w[0].1 < w[1].0));
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let expected = match get_general_category(c) {
                G::Control
                | G::Format
                | G::LineSeparator
                | G::ParagraphSeparator
                | G::PrivateUse => false,
                G::SpaceSeparator => c == ' ',
                _ => true,
            };
            assert_eq!(is_printable(c), expected, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn every_collection_of_the_schema_has_a_key() {
        let schema: Value = serde_json::from_str(crate::facts::FACTS_SCHEMA).unwrap();
        let keying = &crate::facts::FactsSchema::shipped().unwrap().keying;
        let arrays: Vec<&String> = schema["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, p)| p["type"] == "array")
            .map(|(name, _)| name)
            .collect();
        let keyed: Vec<&String> = keying.collections.iter().map(|(n, _)| n).collect();
        assert_eq!(keyed, arrays);
        assert_eq!(keyed.len(), 22);
        let fields = |name: &str| keying.collection(name).unwrap().fields.join("+");
        assert_eq!(fields("accounts"), "system_id+username");
        assert_eq!(fields("training"), "person_id+course+completed_on");
        let people = keying.collection("people").unwrap();
        assert_eq!(people.nested.len(), 1);
        assert_eq!(people.nested[0].0, ["policy_acknowledgements"]);
        assert_eq!(people.nested[0].1.fields, ["policy_id", "acknowledged_on"]);
        let pentests = keying.collection("pentests").unwrap();
        assert_eq!(pentests.nested[0].0, ["findings"]);
        assert_eq!(pentests.nested[0].1.fields, ["id"]);
        let vendors = keying.collection("vendors").unwrap();
        assert_eq!(vendors.nested[0].0, ["sla_performance"]);
        assert_eq!(vendors.nested[0].1.fields, ["period_end"]);
    }

    #[test]
    fn a_list_of_records_without_a_key_is_refused() {
        let with = |person: Value| {
            json!({
                "properties": {
                    "people": {"type": "array", "items": {"$ref": "#/$defs/person"}},
                    "organization": {"type": "object"}
                },
                "$defs": {"person": person}
            })
        };
        let keyed = json!({"type": "object", "x-key": ["id"], "properties": {"id": {}}});
        assert!(Keying::from_schema(&with(keyed)).is_ok());
        let unkeyed = json!({"type": "object", "properties": {"id": {}}});
        let err = Keying::from_schema(&with(unkeyed)).unwrap_err();
        assert!(
            err.contains("/properties/people: a list of records must declare its key"),
            "{err}"
        );
        let typo = json!({"type": "object", "x-key": ["idd"], "properties": {"id": {}}});
        let err = Keying::from_schema(&with(typo)).unwrap_err();
        assert!(err.contains("key field `idd` is not a property"), "{err}");
        let empty = json!({"type": "object", "x-key": [], "properties": {"id": {}}});
        assert!(Keying::from_schema(&with(empty)).is_err());
        // A list of records inside a record, even inside an object of it, needs one too.
        let nested = |acks: Value| {
            with(json!({"type": "object", "x-key": ["id"], "properties": {
                "id": {},
                "hr": {"type": ["object", "null"], "properties": {
                    "acks": {"type": "array", "items": acks},
                    "tags": {"type": "array", "items": {"type": "string"}}
                }}
            }}))
        };
        let acks = json!({"type": "object", "x-key": ["on"], "properties": {"on": {}}});
        let keying = Keying::from_schema(&nested(acks)).unwrap();
        assert_eq!(
            keying.collection("people").unwrap().nested[0].0,
            ["hr", "acks"]
        );
        let err = Keying::from_schema(&nested(json!({"type": "object"}))).unwrap_err();
        assert!(
            err.contains("/properties/people/hr/acks: a list of records"),
            "{err}"
        );
        // Arrays of something else are not collections.
        let scalars =
            json!({"properties": {"tags": {"type": "array", "items": {"type": "string"}}}});
        let err = Keying::from_schema(&scalars).unwrap_err();
        assert!(err.contains("must be a list of records"), "{err}");
    }

    fn load(files: &[(&str, &str)]) -> Result<Facts, FactsError> {
        let sources: Vec<FactsSource<'_>> = files
            .iter()
            .map(|(name, text)| FactsSource { name, text })
            .collect();
        Facts::load(&sources)
    }

    const ORG: &str = r#"{"schema_version": "1", "organization": {"name": "Acme"},
"people": [
  {"id": "p-001", "name": "Alice", "kind": "employee", "employment": {"status": "active"},
   "policy_acknowledgements": [
     {"policy_id": "pol-aup", "acknowledged_on": "2025-01-10"},
     {"policy_id": "pol-aup", "acknowledged_on": "2026-01-10"}
   ]}
],
"vendors": [
  {"id": "v-acme", "name": "Acme", "risk_tier": "high", "data_access": ["pii", "production"],
   "contract": {"signed_on": "2025-01-01"}}
],
"access_reviews": [{"system_id": "aws-prod", "completed_on": "2026-03-01"}]
}"#;

    const ACCESS: &str = r#"{
"accounts": [
  {"system_id": "aws-prod", "username": "bob", "kind": "human", "status": "active"},
  {"system_id": "aws-prod", "username": "alice", "kind": "human", "status": "active", "mfa": true},
  {"system_id": "git/hub", "username": "100% \u202Eevil", "kind": "service", "status": "active",
   "we/ird~": {"x": 1}}
]}"#;

    #[test]
    fn facts_name_records_and_what_lies_inside_them_by_key() {
        let facts = load(&[("org.json", ORG), ("access.json", ACCESS)]).unwrap();
        let key = |pointer: &str| facts.key(pointer);
        let cases = [
            ("/accounts/1", "accounts/aws-prod/alice"),
            ("/accounts/0", "accounts/aws-prod/bob"),
            ("/accounts/1/mfa", "accounts/aws-prod/alice/mfa"),
            ("/accounts/2", "accounts/git%2Fhub/100%25 %E2%80%AEevil"),
            (
                "/accounts/2/we~1ird~0/x",
                "accounts/git%2Fhub/100%25 %E2%80%AEevil/we%2Fird~/x",
            ),
            ("/accounts", "accounts"),
            ("/vendors/0/contract", "vendors/v-acme/contract"),
            ("/vendors/0/data_access/1", "vendors/v-acme/data_access/1"),
            ("/people/0", "people/p-001"),
            (
                "/people/0/employment/status",
                "people/p-001/employment/status",
            ),
            (
                "/people/0/policy_acknowledgements",
                "people/p-001/policy_acknowledgements",
            ),
            (
                "/people/0/policy_acknowledgements/1",
                "people/p-001/policy_acknowledgements/pol-aup/2026-01-10",
            ),
            (
                "/people/0/policy_acknowledgements/0/policy_id",
                "people/p-001/policy_acknowledgements/pol-aup/2025-01-10/policy_id",
            ),
            // An absent key field is an empty value.
            ("/access_reviews/0", "access_reviews/aws-prod/2026-03-01/"),
        ];
        for (pointer, expected) in cases {
            assert_eq!(key(pointer).as_deref(), Some(expected), "{pointer}");
        }
        for nothing in [
            "",
            "/",
            "accounts/0",
            "/organization",
            "/organization/name",
            "/schema_version",
            "/training",
            "/accounts/3",
            "/accounts/01",
            "/accounts/-",
            "/accounts/0/mfa",
            "/accounts/1/mfa/x",
            "/people/0/policy_acknowledgements/2",
            "/people/0/policy_acknowledgements/x",
            "/vendors/0/data_access/2",
        ] {
            assert_eq!(key(nothing), None, "{nothing}");
        }
        // The same records in another order, and the files the other way round: the same
        // keys for the same records.
        let lines: Vec<&str> = ACCESS.lines().collect();
        let mut reordered = lines.clone();
        reordered.swap(2, 3);
        let reordered = reordered.join("\n");
        assert_ne!(reordered, lines.join("\n"));
        let facts = load(&[("access.json", &reordered), ("org.json", ORG)]).unwrap();
        assert_eq!(
            facts.key("/accounts/0").as_deref(),
            Some("accounts/aws-prod/alice")
        );
        assert_eq!(
            facts.key("/accounts/1").as_deref(),
            Some("accounts/aws-prod/bob")
        );
        assert_eq!(
            facts.key("/accounts/0/mfa").as_deref(),
            Some("accounts/aws-prod/alice/mfa")
        );
        assert_eq!(facts.key("/people/0").as_deref(), Some("people/p-001"));
    }

    #[test]
    fn duplicate_keys_are_violations_naming_both_records() {
        let again = r#"{"accounts": [
  {"system_id": "aws-prod", "username": "carol", "kind": "human", "status": "active"},
  {"system_id": "aws-prod", "username": "alice", "kind": "human", "status": "disabled"}
],
"people": [
  {"id": "p-001", "name": "Alice again", "kind": "employee", "employment": {"status": "active"}}
]}"#;
        let twice = ORG.replacen("2026-01-10", "2025-01-10", 1);
        let err = load(&[
            ("org.json", &twice),
            ("access.json", ACCESS),
            ("more.json", again),
        ])
        .unwrap_err();
        let FactsError::Invalid(violations) = &err else {
            panic!("{err}")
        };
        let shown: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "org.json:3: /people/0/policy_acknowledgements/1: duplicate key \
                 people/p-001/policy_acknowledgements/pol-aup/2025-01-10: also at org.json:3 \
                 (/people/0/policy_acknowledgements/0)",
                "more.json:6: /people/1: duplicate key people/p-001: also at org.json:3 (/people/0)",
                "more.json:3: /accounts/4: duplicate key accounts/aws-prod/alice: also at \
                 access.json:4 (/accounts/1)",
            ]
        );
        let dup = &violations[2];
        assert_eq!(
            (dup.file.as_deref(), dup.line, dup.pointer.as_str()),
            (Some("more.json"), Some(3), "/accounts/4")
        );
        // Records that differ in one key field are distinct.
        let other = again
            .replacen("\"alice\"", "\"alice2\"", 1)
            .replacen("p-001", "p-002", 1);
        assert!(
            load(&[
                ("org.json", ORG),
                ("access.json", ACCESS),
                ("more.json", &other)
            ])
            .is_ok()
        );
    }

    #[test]
    fn duplicates_are_found_in_short_and_long_lists() {
        let spec = KeySpec::new(vec!["id".into()], Vec::new());
        for n in [5, 16, 17, 300] {
            let mut column = Column::default();
            for i in 0..n {
                column.push(&spec, &json!({"id": format!("r{i}")}));
            }
            assert_eq!(column.duplicates(), [], "{n}");
            column.push(&spec, &json!({"id": "r3"}));
            column.push(&spec, &json!({"id": "r1"}));
            column.push(&spec, &json!({"id": "r3"}));
            assert_eq!(column.duplicates(), [(n, 3), (n + 1, 1), (n + 2, 3)], "{n}");
            assert_eq!(column.get(n), Some("/r3"));
        }
    }

    #[test]
    fn array_indices_are_canonical() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("12"), Some(12));
        assert_eq!(array_index(&usize::MAX.to_string()), Some(usize::MAX));
        let too_large = format!("{}0", usize::MAX);
        for bad in ["", "01", "+1", "-1", "1a", "x", "1/2", &too_large] {
            assert_eq!(array_index(bad), None, "{bad}");
        }
    }

    #[test]
    fn item_pointers_name_a_top_level_list_and_an_index() {
        assert_eq!(item_pointer("/vendors/3"), Some(("vendors", 3)));
        assert_eq!(item_pointer("/a b/0"), Some(("a b", 0)));
        for other in [
            "",
            "/",
            "vendors/3",
            "/vendors",
            "/vendors/",
            "/vendors/03",
            "/vendors/3/x",
            "/a~1b/3",
            "//3",
        ] {
            let expected = (other == "//3").then_some(("", 3));
            assert_eq!(item_pointer(other), expected, "{other}");
        }
    }
}
