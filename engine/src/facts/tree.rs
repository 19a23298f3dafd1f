//! The facts as rules see them: an immutable tree whose objects and arrays sit behind
//! `Arc`s, so a rule holding a record or a list holds a cheap handle, never a copy.
//! Every object and array knows its JSON Pointer, which is what a finding points at.

use super::short::Short;
use super::texts::{TextCache, Texts};
use rhai::{Dynamic, ImmutableString};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard, OnceLock};
use triomphe::ThinArc;

/// A value in the facts tree.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string longer than [`Short::MAX`] bytes.
    Str(ImmutableString),
    /// A string of at most [`Short::MAX`] bytes, held in place.
    Short(Short),
    List(List),
    Record(Record),
}

/// A JSON object of the facts: fields in document order, and its place. Its place, its
/// names' handle and its values share one allocation behind a thin pointer, so reading a
/// field follows one pointer from the record, not two.
#[derive(Clone)]
pub struct Record(ThinArc<RecordHead, Node>);

/// The field names of a record, in order: shared by the records with the same names (most
/// records of a collection), so that a record holds only its values. A thin handle: with it
/// a record's data fits 56 bytes, not 64.
pub(crate) type Names = Arc<FieldNames>;

/// Field names in document order, with what the canonical form (the digest's) needs of them,
/// worked out once for all the records that share them.
pub(crate) struct FieldNames {
    names: Box<[ImmutableString]>,
    /// A number no other set of names of this process has: a [`FieldName`] remembers
    /// where among these names it was found by it.
    id: u64,
    /// The document-order indexes of the names, sorted by name.
    sorted: Box<[u32]>,
    /// The text the canonical form writes before each value, in that order, once it is first
    /// needed (see [`Record::canonical_fields`]).
    canonical: OnceLock<KeyTexts>,
    /// Where each field stands in what a check of the records' fields looks it up in,
    /// worked out once for all the records with these names (see [`Record::places`]).
    places: [OnceLock<Places>; 2],
}

/// The number of the list of names a check looks fields up in (the check's own: no other
/// list has it), and what the check found there for each field (`None`: not in it).
type Places = (u64, Box<[Option<usize>]>);

/// A number for a list that a check looks fields up in ([`Record::places`]), which no other
/// list of this process has.
pub(crate) fn new_list_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A check of records' fields that keeps, for each set of field names, where each field
/// stands in the list it looks them up in ([`Record::places`]).
#[derive(Clone, Copy)]
pub(crate) enum PlacesOf {
    /// The compact facts checker's `properties`.
    Checker = 0,
    /// The search for fields the facts schema does not define.
    Defined = 1,
}

/// Texts of the names of a [`FieldNames`] in sorted order, one after another, and where
/// each ends.
pub(crate) type KeyTexts = (Box<[u8]>, Box<[u32]>);

impl FieldNames {
    /// `names` (each at most once), in document order.
    pub(crate) fn new(names: Box<[ImmutableString]>) -> Names {
        let mut sorted: Vec<u32> = (0..u32::try_from(names.len()).unwrap_or(u32::MAX)).collect();
        crate::sorting::sort_by(&mut sorted, |&a, &b| {
            names[a as usize].cmp(&names[b as usize])
        });
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Arc::new(FieldNames {
            names,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            sorted: sorted.into_boxed_slice(),
            canonical: OnceLock::new(),
            places: [OnceLock::new(), OnceLock::new()],
        })
    }
}

impl std::ops::Deref for FieldNames {
    type Target = [ImmutableString];
    fn deref(&self) -> &[ImmutableString] {
        &self.names
    }
}

impl std::fmt::Debug for FieldNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.names.fmt(f)
    }
}

impl Record {
    /// A record at `place` with fields `names` (see [`Builder::names`]) holding `values`
    /// (moved straight into the record's allocation).
    pub(super) fn new(place: Place, names: Names, values: std::vec::Drain<'_, Node>) -> Record {
        debug_assert_eq!(names.len(), values.len());
        Record(ThinArc::from_header_and_iter(
            RecordHead { place, names },
            values,
        ))
    }

    fn head(&self) -> &RecordHead {
        &self.0.header.header
    }

    fn values(&self) -> &[Node] {
        &self.0.slice
    }
}

impl List {
    /// A list at `pointer` with `items`.
    pub(super) fn new(pointer: ImmutableString, items: Vec<Node>) -> List {
        List(Arc::new(ListData { pointer, items }))
    }
}

/// What a record holds beside its values.
struct RecordHead {
    place: Place,
    names: Names,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("place", &self.head().place)
            .field("names", &self.head().names)
            .field("values", &self.values())
            .finish()
    }
}

/// Where a record is: its JSON Pointer written out, or, for an item of a list, the list's
/// pointer (shared by all its items) and the item's index. Most records are items of a
/// list and few are ever pointed at, so an item's pointer is written out only when asked
/// for.
#[derive(Debug, Clone)]
pub(crate) enum Place {
    /// The whole pointer (`/people/3/employment`, `` for the root).
    Whole(ImmutableString),
    /// Item `index` of the list at the pointer (`/people`, 3).
    Item(ImmutableString, u32),
}

impl Place {
    /// The place of item `index` of the list at `list`.
    pub(super) fn item(list: &ImmutableString, index: usize) -> Place {
        match u32::try_from(index) {
            Ok(i) => Place::Item(list.clone(), i),
            Err(_) => {
                let mut pointer = list.to_string();
                push_index(&mut pointer, index);
                Place::Whole(pointer.into())
            }
        }
    }

    /// The JSON Pointer of the place, or, for an item of a list, of the item `after` places
    /// after it.
    fn pointer(&self, after: u32) -> Cow<'_, str> {
        match self {
            Place::Whole(p) => Cow::Borrowed(p.as_str()),
            Place::Item(list, i) => {
                let mut p = String::with_capacity(list.len() + 8);
                p.push_str(list);
                push_index(&mut p, *i as usize + after as usize);
                Cow::Owned(p)
            }
        }
    }
}

/// A field name read from record after record (by a rule run natively), with the set of
/// names it was last found among and its place there: the records of a collection mostly
/// share one set (whose id is then enough to find the field), else the order of their
/// fields, so the next record's is looked at there first (any other place is still
/// searched, so the answer never depends on the hint).
pub(crate) struct FieldName {
    name: ImmutableString,
    /// The id of the set of names (shifted by [`HINT_BITS`]) and the place in it.
    hint: AtomicU64,
}

/// Bits of [`FieldName::hint`] that hold the place.
const HINT_BITS: u32 = 16;

impl FieldName {
    pub(crate) fn new(name: ImmutableString) -> FieldName {
        FieldName {
            name,
            hint: AtomicU64::new(0),
        }
    }

    /// The name.
    pub(crate) fn name(&self) -> &ImmutableString {
        &self.name
    }
}

/// A copy starts from where the original was last found.
impl Clone for FieldName {
    fn clone(&self) -> Self {
        FieldName {
            name: self.name.clone(),
            hint: AtomicU64::new(self.hint.load(Ordering::Relaxed)),
        }
    }
}

/// Names are equal when they name the same field, wherever they were last found.
impl PartialEq for FieldName {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for FieldName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.name.fmt(f)
    }
}

impl From<&str> for FieldName {
    fn from(name: &str) -> Self {
        FieldName::new(name.into())
    }
}

/// A dotted path of field names (`employment.status`) read from record after record.
pub(crate) struct FieldPath(Box<[FieldName]>);

impl FieldPath {
    pub(crate) fn new(path: &str) -> FieldPath {
        FieldPath(path.split('.').map(|p| FieldName::new(p.into())).collect())
    }
}

/// A JSON array of the facts, and its pointer.
#[derive(Debug, Clone)]
pub struct List(Arc<ListData>);

#[derive(Debug)]
struct ListData {
    pointer: ImmutableString,
    items: Vec<Node>,
}

impl Node {
    /// The record this node is, if it is one.
    pub(crate) fn as_record(&self) -> Option<&Record> {
        match self {
            Node::Record(r) => Some(r),
            _ => None,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    /// The string this node is, if it is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s.as_str()),
            Node::Short(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// A string node holding `s`: in place when it is short.
    pub(crate) fn text(s: &str, shared: impl FnOnce(&str) -> ImmutableString) -> Node {
        match Short::new(s) {
            Some(short) => Node::Short(short),
            None => Node::Str(shared(s)),
        }
    }

    /// A field of a record (`None` for other nodes or absent fields).
    pub(crate) fn field(&self, name: &str) -> Option<&Node> {
        match self {
            Node::Record(r) => r.get(name),
            _ => None,
        }
    }

    /// Follows a dotted path (`employment.status`).
    pub(crate) fn path(&self, path: &str) -> Option<&Node> {
        path.split('.')
            .try_fold(self, |node, part| node.field(part))
    }

    /// The value as rules see it: null becomes `()`, objects and arrays become handles.
    pub(crate) fn to_dynamic(&self) -> Dynamic {
        match self {
            Node::Null => Dynamic::UNIT,
            Node::Bool(b) => Dynamic::from_bool(*b),
            Node::Int(i) => Dynamic::from_int(*i),
            Node::Float(f) => Dynamic::from_float(*f),
            Node::Str(s) => Dynamic::from(s.clone()),
            Node::Short(s) => Dynamic::from(ImmutableString::from(s.as_str())),
            Node::List(l) => Dynamic::from(l.clone()),
            Node::Record(r) => Dynamic::from(r.clone()),
        }
    }

    /// A scalar's text form, used as a lookup key (`None` for null, objects and arrays).
    pub(crate) fn key_text(&self) -> Option<ImmutableString> {
        match self {
            Node::Str(s) => Some(s.clone()),
            Node::Short(s) => Some(s.as_str().into()),
            node => node.key_str().map(|k| k.into_owned().into()),
        }
    }

    /// [`Node::key_text`], a string read where it is.
    pub(crate) fn key_str(&self) -> Option<Cow<'_, str>> {
        Some(match self {
            Node::Str(s) => Cow::Borrowed(s.as_str()),
            Node::Short(s) => Cow::Borrowed(s.as_str()),
            Node::Int(i) => Cow::Owned(i.to_string()),
            Node::Bool(b) => Cow::Owned(b.to_string()),
            Node::Float(f) => Cow::Owned(f.to_string()),
            Node::Null | Node::List(_) | Node::Record(_) => return None,
        })
    }

    /// Whether this and `other` are the same scalar (null, objects and arrays never are).
    pub(crate) fn same_scalar(&self, other: &Node) -> bool {
        if let (Some(a), Some(b)) = (self.as_str(), other.as_str()) {
            return a == b;
        }
        match (self, other) {
            (Node::Int(a), Node::Int(b)) => a == b,
            (Node::Bool(a), Node::Bool(b)) => a == b,
            (Node::Float(a), Node::Float(b)) => a == b,
            (Node::Int(i), Node::Float(f)) | (Node::Float(f), Node::Int(i)) => *i as f64 == *f,
            _ => false,
        }
    }

    /// Whether this scalar equals a script value (strings, numbers, booleans, `()` for null).
    pub(crate) fn equals(&self, value: &Dynamic) -> bool {
        match self {
            Node::Null => value.is_unit(),
            Node::Bool(b) => value.as_bool().is_ok_and(|v| v == *b),
            Node::Int(i) => {
                value.as_int().is_ok_and(|v| v == *i)
                    || value.as_float().is_ok_and(|v| v == *i as f64)
            }
            Node::Float(f) => {
                value.as_float().is_ok_and(|v| v == *f)
                    || value.as_int().is_ok_and(|v| v as f64 == *f)
            }
            Node::Str(_) | Node::Short(_) => value
                .read_lock::<ImmutableString>()
                .is_some_and(|v| Some(v.as_str()) == self.as_str()),
            Node::List(_) | Node::Record(_) => false,
        }
    }
}

impl Record {
    /// The record's JSON Pointer into the merged facts.
    pub fn pointer(&self) -> Cow<'_, str> {
        self.head().place.pointer(0)
    }

    /// The JSON Pointer of the item `after` places after this record in its list (its own
    /// for 0, and for a record that is no item of a list).
    pub(crate) fn pointer_after(&self, after: u32) -> Cow<'_, str> {
        self.head().place.pointer(after)
    }

    /// The list this record is an item of (its pointer) and its index there, when its place
    /// is kept that way.
    pub(crate) fn list_place(&self) -> Option<(&ImmutableString, u32)> {
        match &self.head().place {
            Place::Item(list, i) => Some((list, *i)),
            Place::Whole(_) => None,
        }
    }

    /// Whether this and `other` are the same record of the facts (at the same place).
    pub(crate) fn same_place(&self, other: &Record) -> bool {
        self.0.ptr() == other.0.ptr()
            || match (&self.head().place, &other.head().place) {
                (Place::Item(a, i), Place::Item(b, j)) => i == j && a == b,
                _ => self.pointer() == other.pointer(),
            }
    }

    /// Whether the record is an item of a top-level collection (`/accounts/3`).
    pub(crate) fn is_top_level(&self) -> bool {
        match &self.head().place {
            Place::Item(list, _) => list.bytes().filter(|b| *b == b'/').count() == 1,
            Place::Whole(p) => p.bytes().filter(|b| *b == b'/').count() == 2,
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Node> {
        let i = self.head().names.iter().position(|k| k.as_str() == name)?;
        self.values().get(i)
    }

    /// The value at `path` from this record, as [`Record::path`] finds it.
    pub(crate) fn get_path(&self, path: &FieldPath) -> Option<&Node> {
        let (first, rest) = path.0.split_first()?;
        let mut node = self.get_field(first)?;
        for field in rest {
            node = node.as_record()?.get_field(field)?;
        }
        Some(node)
    }

    /// The field `field` names, looked for first where it was last found.
    pub(crate) fn get_field(&self, field: &FieldName) -> Option<&Node> {
        self.get_hinted(field.name(), &field.hint)
    }

    /// The field `name`, looked for first where `hint` says it was last found (a
    /// [`FieldName`]'s own), which then says where it was found. The name's text is read
    /// only when the hint does not hold. Inlined: it is a native run's every field read.
    #[inline(always)]
    pub(crate) fn get_hinted<N: AsRef<str> + ?Sized>(
        &self,
        name: &N,
        hint_at: &AtomicU64,
    ) -> Option<&Node> {
        let names = &self.head().names;
        let hint = hint_at.load(Ordering::Relaxed);
        let place = (hint & ((1 << HINT_BITS) - 1)) as usize;
        if hint >> HINT_BITS == names.id {
            return self.values().get(place);
        }
        let name = name.as_ref();
        let i = match names.get(place).is_some_and(|k| k.as_str() == name) {
            true => place,
            false => names.iter().position(|k| k.as_str() == name)?,
        };
        if let Some(id) = names
            .id
            .checked_shl(HINT_BITS)
            .filter(|_| i < 1 << HINT_BITS)
        {
            hint_at.store(id | i as u64, Ordering::Relaxed);
        }
        self.values().get(i)
    }

    /// Follows a dotted path from this record (`employment.status`).
    pub(crate) fn path(&self, path: &str) -> Option<&Node> {
        // A plain search: a path is a few bytes, shorter than a vectorized search's set-up.
        let Some(dot) = path.bytes().position(|b| b == b'.') else {
            return self.get(path);
        };
        self.get(&path[..dot])?.path(&path[dot + 1..])
    }

    /// For `check`, looking fields up in its list numbered `list`: what `place_of` gives
    /// for each field in order (the schema node it is checked against, its place among the
    /// defined fields), worked out once for all the records sharing this record's names.
    /// `None` when the check looked them up in another list first (the caller then asks
    /// `place_of` itself).
    pub(crate) fn places(
        &self,
        check: PlacesOf,
        list: u64,
        place_of: impl Fn(&str) -> Option<usize>,
    ) -> Option<&[Option<usize>]> {
        let names = &self.head().names;
        let (owner, places) = names.places[check as usize]
            .get_or_init(|| (list, names.iter().map(|n| place_of(n)).collect()));
        (*owner == list).then_some(places)
    }

    /// The id of the record's set of field names, which the records with the same names in
    /// the same order share (no other set of names of this process has it; never 0).
    pub(crate) fn names_id(&self) -> u64 {
        self.head().names.id
    }

    /// The fields, in document order.
    pub(crate) fn fields(&self) -> impl ExactSizeIterator<Item = (&ImmutableString, &Node)> {
        self.head().names.iter().zip(self.values())
    }

    pub(crate) fn field_names(&self) -> impl Iterator<Item = &ImmutableString> {
        self.head().names.iter()
    }

    /// The fields sorted by name, each with the text the canonical form writes before its
    /// value, which `texts` works out (once for all the records with the same names) from
    /// the names in sorted order.
    pub(crate) fn canonical_fields(
        &self,
        texts: fn(&mut dyn Iterator<Item = &ImmutableString>) -> KeyTexts,
    ) -> impl Iterator<Item = (&[u8], &Node)> {
        let (names, values) = (&self.head().names, self.values());
        let (text, ends) = names
            .canonical
            .get_or_init(|| texts(&mut names.sorted.iter().map(|&i| &names.names[i as usize])));
        let starts = std::iter::once(0).chain(ends.iter().copied());
        names
            .sorted
            .iter()
            .zip(starts.zip(ends.iter()))
            .map(move |(&i, (start, &end))| {
                (&text[start as usize..end as usize], &values[i as usize])
            })
    }
}

impl List {
    /// The list's JSON Pointer into the merged facts.
    pub fn pointer(&self) -> &str {
        &self.0.pointer
    }

    pub(crate) fn items(&self) -> &[Node] {
        &self.0.items
    }

    /// Whether the list is a top-level collection (`/accounts`), whose records are those
    /// [`Record::is_top_level`] says are.
    pub(crate) fn is_collection(&self) -> bool {
        self.0.pointer.bytes().filter(|b| *b == b'/').count() == 1
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Node> {
        self.0.items.get(index)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.items.len()
    }
}

/// Records of a top-level collection converted as one piece of work.
const ITEMS_PER_TASK: usize = 512;

/// Converts a parsed document into the tree, taking its strings over rather than copying
/// them: top-level collections side by side, and the records of each in runs of
/// [`ITEMS_PER_TASK`] side by side. `converted` holds collections whose records are already
/// in the tree, each in place of the (empty) array `value` has for it.
pub(crate) fn build(value: Value, mut converted: HashMap<String, Vec<Node>>) -> Node {
    let Value::Object(map) = value else {
        return Builder::default().convert(value, &mut String::new(), 0, None);
    };
    let entries: Vec<(String, Value, Option<Vec<Node>>)> = map
        .into_iter()
        .map(|(key, value)| {
            let done = converted.remove(&key);
            (key, value, done)
        })
        .collect();
    let fields: Vec<(ImmutableString, Node)> = crate::par::map(entries, |(key, value, done)| {
        let mut pointer = String::from("/");
        push_escaped(&mut pointer, &key);
        let node = match (done, value) {
            (Some(items), _) => Node::List(List::new(pointer.into(), items)),
            (None, Value::Array(items)) => collection(items, &pointer),
            (None, value) => Builder::default().convert(value, &mut pointer, 1, None),
        };
        (ImmutableString::from(key), node)
    });
    let (names, mut values): (Vec<_>, Vec<_>) = fields.into_iter().unzip();
    Node::Record(Record::new(
        Place::Whole(ImmutableString::new()),
        FieldNames::new(names.into_boxed_slice()),
        values.drain(..),
    ))
}

/// A top-level array, converted in runs of records side by side.
fn collection(items: Vec<Value>, pointer: &str) -> Node {
    let handle = ImmutableString::from(pointer);
    let runs = crate::par::runs(items, ITEMS_PER_TASK);
    let converted = crate::par::map(runs, |(first, run)| {
        let mut builder = Builder::default();
        let mut at = String::from(pointer);
        let len = at.len();
        run.into_iter()
            .enumerate()
            .map(|(i, v)| {
                push_index(&mut at, first + i);
                let node = builder.convert(v, &mut at, 2, Some((&handle, first + i)));
                at.truncate(len);
                node
            })
            .collect::<Vec<Node>>()
    });
    Node::List(List::new(handle, converted.into_iter().flatten().collect()))
}

/// Shares field names between records: objects at the same depth almost always have the
/// same keys in the same order, so the previous object's names are tried first, then a
/// table of every name seen. Shares short strings too (statuses, dates, the ids of
/// systems), which repeat from record to record: through its own table first, then through
/// a cache of the load's [`Texts`] when it holds one.
#[derive(Default)]
pub(crate) struct Builder<'t> {
    // Hashed with foldhash: every field name and short string of the facts is looked up.
    names: foldhash::HashMap<String, ImmutableString>,
    /// The names of the last object's fields at each depth, with how well their strings
    /// shared.
    shapes: Vec<Vec<(ImmutableString, Sharing)>>,
    /// The names of the last record completed at each depth, then of every record.
    last: Vec<Option<Names>>,
    all: foldhash::HashMap<Vec<ImmutableString>, Names>,
    texts: foldhash::HashSet<ImmutableString>,
    shared: Option<MutexGuard<'t, TextCache>>,
    /// What parsing a record collects in, kept from record to record.
    pub(super) scratch: Scratch,
}

/// What parsing a record collects its objects' field names and values and its lists' items
/// in (see `tree_parse`): kept by the builder, empty, from one record to the next, so that a
/// record's parse does not grow vectors of its own.
#[derive(Default)]
pub(super) struct Scratch {
    pub names: Vec<ImmutableString>,
    pub values: Vec<Node>,
    pub items: Vec<Node>,
}

/// Strings of at most this many bytes are shared (longer ones are mostly unique: names,
/// descriptions, addresses).
const SHARED_TEXT: usize = 23;

/// How often a field's short strings were found shared already, from object to object with
/// the same field at the same place: a field whose values are unique (an id, a serial
/// number) stops being looked up after [`Sharing::WARM_UP`] of them, which only costs time.
#[derive(Clone, Copy, Default)]
struct Sharing {
    tries: u32,
    found: u32,
}

impl Sharing {
    /// Strings looked up before a field's share is judged.
    const WARM_UP: u32 = 64;
    /// The share (one in this many) below which a field's strings are no longer looked up.
    const ONE_IN: u32 = 8;

    /// Whether the field's next string is to be looked up.
    fn worth_it(self) -> bool {
        self.tries < Sharing::WARM_UP || self.found.saturating_mul(Sharing::ONE_IN) >= self.tries
    }
}

impl<'t> Builder<'t> {
    /// A builder sharing short strings through one of the caches of `texts` (when one is
    /// free).
    pub(crate) fn sharing(texts: &'t Texts) -> Builder<'t> {
        Builder {
            shared: texts.take(),
            ..Builder::default()
        }
    }

    /// Converts record `index` of the top-level collection at `list`, whose pointer is in
    /// `pointer` (`/accounts/3`).
    pub(crate) fn record(
        &mut self,
        value: Value,
        pointer: &mut String,
        (list, index): (&ImmutableString, usize),
    ) -> Node {
        self.convert(value, pointer, 2, Some((list, index)))
    }

    /// Converts `value`, whose pointer is in `pointer` (restored before returning), item
    /// `index` of the list at `list` when it is an item.
    fn convert(
        &mut self,
        value: Value,
        pointer: &mut String,
        depth: usize,
        item: Option<(&ImmutableString, usize)>,
    ) -> Node {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Node::Int(i),
                None => Node::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Node::text(&s, |s| self.text_of(s)),
            Value::Array(items) => {
                let here = ImmutableString::from(pointer.as_str());
                let len = pointer.len();
                let items = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        push_index(pointer, i);
                        let node = self.convert(v, pointer, depth + 1, Some((&here, i)));
                        pointer.truncate(len);
                        node
                    })
                    .collect();
                Node::List(List::new(here, items))
            }
            Value::Object(map) => {
                let place = match item {
                    Some((list, index)) => Place::item(list, index),
                    None => Place::Whole(pointer.as_str().into()),
                };
                let len = pointer.len();
                let mut names = Vec::with_capacity(map.len());
                let mut values = Vec::with_capacity(map.len());
                for (i, (k, v)) in map.into_iter().enumerate() {
                    let name = self.name(depth, i, &k);
                    let node = if v.is_object() || v.is_array() {
                        pointer.push('/');
                        push_escaped(pointer, &name);
                        let node = self.convert(v, pointer, depth + 1, None);
                        pointer.truncate(len);
                        node
                    } else {
                        self.convert(v, pointer, depth + 1, None)
                    };
                    names.push(name);
                    values.push(node);
                }
                let names = self.names(depth, &names);
                Node::Record(Record::new(place, names, values.drain(..)))
            }
        }
    }

    /// The string `s`, shared with the equal strings converted before it when it is short.
    pub(super) fn text_of(&mut self, s: &str) -> ImmutableString {
        if s.len() > SHARED_TEXT {
            return s.into();
        }
        shared_text(&mut self.texts, self.shared.as_deref_mut(), s).0
    }

    /// [`Builder::text_of`] for the value of the `index`-th field of an object at `depth`
    /// (see [`Builder::name`]): not looked up when that field's strings rarely share.
    pub(super) fn field_text(&mut self, depth: usize, index: usize, s: &str) -> ImmutableString {
        if s.len() > SHARED_TEXT {
            return s.into();
        }
        let Builder {
            shapes,
            texts,
            shared,
            ..
        } = self;
        let sharing = shapes
            .get_mut(depth)
            .and_then(|shape| shape.get_mut(index))
            .map(|(_, sharing)| sharing);
        match sharing {
            Some(sharing) if !sharing.worth_it() => s.into(),
            Some(sharing) => {
                let (text, found) = shared_text(texts, shared.as_deref_mut(), s);
                sharing.tries += 1;
                sharing.found += u32::from(found);
                text
            }
            None => shared_text(texts, shared.as_deref_mut(), s).0,
        }
    }

    /// The shared field names of a record at `depth` with fields `names` (each from
    /// [`Builder::name`]): the last record's at that depth when they are the same, else
    /// those of any record seen with the same.
    pub(super) fn names(&mut self, depth: usize, names: &[ImmutableString]) -> Names {
        if self.last.len() <= depth {
            self.last.resize(depth + 1, None);
        }
        if let Some(last) = &self.last[depth]
            && last.len() == names.len()
            && last.iter().zip(names).all(|(a, b)| a.ptr_eq(b))
        {
            return last.clone();
        }
        let shared = match self.all.get(names) {
            Some(shared) => shared.clone(),
            None => {
                let shared = FieldNames::new(names.into());
                self.all.insert(names.to_vec(), shared.clone());
                shared
            }
        };
        self.last[depth] = Some(shared.clone());
        shared
    }

    /// The shared name for the `index`-th key of an object at `depth`.
    pub(super) fn name(&mut self, depth: usize, index: usize, key: &str) -> ImmutableString {
        if self.shapes.len() <= depth {
            self.shapes.resize_with(depth + 1, Vec::new);
        }
        let shape = &mut self.shapes[depth];
        if let Some((known, _)) = shape.get(index)
            && known.as_str() == key
        {
            return known.clone();
        }
        let name = match self.names.get(key) {
            Some(name) => name.clone(),
            None => {
                let name = ImmutableString::from(key);
                self.names.insert(key.to_owned(), name.clone());
                name
            }
        };
        shape.truncate(index);
        shape.push((name.clone(), Sharing::default()));
        name
    }
}

/// The short string `s`, shared through `texts` and the load's `cache` (when there is one),
/// and whether it was shared already.
fn shared_text(
    texts: &mut foldhash::HashSet<ImmutableString>,
    cache: Option<&mut TextCache>,
    s: &str,
) -> (ImmutableString, bool) {
    if let Some(shared) = texts.get(s) {
        return (shared.clone(), true);
    }
    let (shared, found) = match cache {
        Some(cache) => cache.get(s),
        None => (ImmutableString::from(s), false),
    };
    texts.insert(shared.clone());
    (shared, found)
}

/// Appends an array index as a JSON Pointer segment.
pub(crate) fn push_index(pointer: &mut String, index: usize) {
    pointer.push('/');
    pointer.push_str(itoa::Buffer::new().format(index));
}

/// Appends a key as a JSON Pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`).
pub(crate) fn push_escaped(pointer: &mut String, key: &str) {
    if !key.bytes().any(|b| b == b'~' || b == b'/') {
        pointer.push_str(key);
        return;
    }
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FieldName, FieldNames, FieldPath, Node, Place, Record, RecordHead};

    /// A value is 16 bytes, a string held in place included, and a record 16 bytes a field.
    #[test]
    fn a_value_is_16_bytes() {
        assert_eq!(size_of::<Node>(), 16);
    }

    /// A string the load's cache no longer holds is still shared, through the builder's
    /// own table.
    #[test]
    fn strings_the_cache_dropped_are_shared_through_the_builders_table() {
        let mut texts = foldhash::HashSet::default();
        let mut cache = super::TextCache::default();
        let (first, found) = super::shared_text(&mut texts, Some(&mut cache), "s0");
        assert!(!found);
        // Far more strings than the cache has room for.
        for i in 1..100_000 {
            super::shared_text(&mut texts, Some(&mut cache), &format!("s{i}"));
        }
        let (again, found) = super::shared_text(&mut texts, Some(&mut cache), "s0");
        assert!(found && again.ptr_eq(&first));
        let (fresh, found) = super::shared_text(&mut texts, Some(&mut cache), "t");
        assert!(!found && fresh.as_str() == "t");
    }

    fn record(fields: &[(&str, Node)]) -> Record {
        let names = fields.iter().map(|(n, _)| (*n).into()).collect::<Vec<_>>();
        let mut values = fields.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>();
        Record::new(
            Place::Whole("/r".into()),
            FieldNames::new(names.into_boxed_slice()),
            values.drain(..),
        )
    }

    /// A field is found wherever it is, whatever the place it was found at last.
    #[test]
    fn fields_are_found_in_records_of_any_order() {
        let inner = record(&[("status", Node::Str("active".into()))]);
        let ab = record(&[("a", Node::Int(1)), ("b", Node::Record(inner.clone()))]);
        let ba = record(&[("b", Node::Int(2)), ("a", Node::Int(3)), ("c", Node::Null)]);
        let a = FieldName::new("a".into());
        for (r, want) in [(&ab, 1), (&ba, 3), (&ab, 1), (&ba, 3)] {
            assert!(matches!(r.get_field(&a), Some(Node::Int(n)) if *n == want));
        }
        assert!(ab.get_field(&FieldName::new("c".into())).is_none());
        for path in ["b.status", "a", "c", "b.x", "a.b", ""] {
            let hinted = FieldPath::new(path);
            for r in [&ab, &ba, &ab] {
                let (x, y) = (r.get_path(&hinted), r.path(path));
                assert_eq!(format!("{x:?}"), format!("{y:?}"), "{path}");
            }
        }
    }

    /// Every record of the facts is one allocation: its reference count (8 bytes), its
    /// place and names' handle (24), its number of values (8) and its values (16 each).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_record_and_a_value_stay_small() {
        assert_eq!(std::mem::size_of::<Node>(), 16);
        assert_eq!(std::mem::size_of::<Place>(), 16);
        assert_eq!(std::mem::size_of::<RecordHead>(), 24);
        assert_eq!(std::mem::size_of::<Record>(), 8);
    }
}
