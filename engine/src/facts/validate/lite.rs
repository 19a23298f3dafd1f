//! A compact checker for the subset of JSON Schema (draft 2020-12) that
//! `schemas/facts.v1.schema.json` uses, for builds where the `jsonschema` crate is too big:
//! in WebAssembly it costs about 650 KB gzipped, more than the rest of the engine.
//!
//! It interprets the same schema text and finds the same violations as `jsonschema` with
//! `should_validate_formats(true)`: each one is the instance it is at (a JSON Pointer into
//! the facts) and the keyword that failed (its location in the schema, without `$ref`
//! traversals: JSON Schema's "keywordLocation"). The tests hold it to `jsonschema` by those
//! pairs, on a corpus of bad facts and on thousands of mutations of the example
//! organization, and fail on any difference; messages are this checker's own, written to
//! read like `jsonschema`'s, and tested on their own.
//!
//! Violations come in `jsonschema` 0.61's evaluation order, so the module usually lists
//! them as the native build does: the keywords of a schema object run by its fixed priority
//! (type, const, enum, bounds, lengths, required, pattern, format, uniqueItems, properties,
//! items, $ref), `type`/`minItems`/`maxItems` fused into `items` run at its place, and
//! `properties` visits the instance's members in document order unless the object has more
//! than four times as many members as the schema declares. The order is not part of what
//! the tests hold, so a `jsonschema` upgrade that changes it breaks nothing.
//!
//! A keyword it does not implement makes the schema unusable (an error naming it), so a
//! schema change that needs more cannot pass silently. Every build compiles each facts
//! schema with it (facts-v1, and facts-v1 with a pack's extensions), so a pack whose
//! `facts.schema.json` uses a keyword outside this subset is refused by every host alike.
//!
//! The `date`, `date-time` and `email` format checks follow `jsonschema`'s own
//! (`keywords/format.rs`, MIT licensed, Copyright (c) 2020-2025 Dmitry Dygalo).

mod pattern;
mod tree;

use serde_json::{Map, Number, Value};
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::str::FromStr;

/// Keywords that only annotate: ignored. (`x-key` names the fields of a record's key,
/// `x-refers-to` the collection a field names a record of.)
const ANNOTATIONS: [&str; 12] = [
    "$schema",
    "$id",
    "$comment",
    "$defs",
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "x-key",
    "x-refers-to",
];

/// `jsonschema`'s `HASHMAP_THRESHOLD`: from this many declared properties on, members are
/// always visited in document order.
const BIG_PROPERTIES: usize = 15;

/// The compiled facts schema.
pub(crate) struct Checker {
    nodes: Vec<Vec<Located>>,
}

/// A keyword and its location in the schema (a JSON Pointer, without `$ref` traversals).
struct Located {
    keyword: Keyword,
    at: Box<str>,
}

/// JSON types as `jsonschema` orders them in messages.
const TYPES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];

enum Keyword {
    Type(u8),
    Const(Value),
    Enum(Vec<Value>),
    Minimum(Number),
    Maximum(Number),
    ExclusiveMinimum(Number),
    ExclusiveMaximum(Number),
    MinLength(u64),
    MaxLength(u64),
    MinItems(u64),
    MaxItems(u64),
    Required(Required),
    Pattern(String, pattern::Pattern),
    Format(Format),
    UniqueItems,
    Properties(Properties),
    Items(usize),
    Ref(usize),
}

/// `required`: the names, and the last set of a record's field names (by its id, see
/// [`Record::names_id`](crate::facts::tree::Record::names_id)) found to hold them all, so
/// that the records sharing it are answered without reading their names.
struct Required {
    names: Vec<String>,
    holding: std::sync::atomic::AtomicU64,
}

/// `properties`: each name with the schema node its value is checked against, and a number
/// no other `properties` of this process has, under which a set of records' field names
/// keeps the node of each of its fields (see
/// [`Record::places`](crate::facts::tree::Record::places)).
struct Properties {
    list: Vec<(String, usize)>,
    id: u64,
}

impl Properties {
    fn new(list: Vec<(String, usize)>) -> Properties {
        Properties {
            list,
            id: crate::facts::tree::new_list_number(),
        }
    }
}

#[derive(Clone, Copy)]
enum Format {
    Date,
    DateTime,
    Email,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Date => "date",
            Format::DateTime => "date-time",
            Format::Email => "email",
        }
    }

    fn accepts(self, text: &str) -> bool {
        match self {
            Format::Date => formats::is_valid_date(text),
            Format::DateTime => formats::is_valid_datetime(text),
            Format::Email => formats::is_valid_email(text),
        }
    }
}

/// One step of an instance path.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A violation: the instance path (JSON Pointer) and the message.
pub(crate) type Found = (String, String);

/// A violation with the location of the keyword that failed: instance path, keyword
/// location, message.
type Traced<'c> = (String, &'c str, String);

impl Checker {
    /// Compiles `schema`; an error names the first construct the checker does not support.
    pub(crate) fn new(schema: &Value) -> Result<Checker, String> {
        let defs = schema
            .get("$defs")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut b = Builder {
            nodes: Vec::new(),
            defs: &defs,
            def_ids: Vec::new(),
        };
        b.compile(schema, "#")?;
        Ok(Checker { nodes: b.nodes })
    }

    /// Every violation in `doc`, in `jsonschema`'s order.
    pub(crate) fn check(&self, doc: &Value) -> Vec<Found> {
        self.trace(doc)
            .into_iter()
            .map(|(pointer, _, message)| (pointer, message))
            .collect()
    }

    /// Every violation in `doc` with the location of the keyword that failed.
    fn trace(&self, doc: &Value) -> Vec<Traced<'_>> {
        let mut out = Vec::new();
        let mut path = Vec::new();
        self.node(0, doc, &mut path, &mut out);
        out
    }

    fn node<'a, 'c>(
        &'c self,
        id: usize,
        value: &'a Value,
        path: &mut Vec<Step<'a>>,
        out: &mut Vec<Traced<'c>>,
    ) {
        let Some(keywords) = self.nodes.get(id) else {
            return;
        };
        for keyword in keywords {
            self.keyword(keyword, value, path, out);
        }
    }

    fn keyword<'a, 'c>(
        &'c self,
        located: &'c Located,
        value: &'a Value,
        path: &mut Vec<Step<'a>>,
        out: &mut Vec<Traced<'c>>,
    ) {
        let at: &str = &located.at;
        let mut fail = |message: String| out.push((pointer(path), at, message));
        match &located.keyword {
            Keyword::Type(set) => {
                if !type_matches(*set, value) {
                    let names: Vec<&str> = TYPES
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| set & (1 << i) != 0)
                        .map(|(_, n)| *n)
                        .collect();
                    fail(match names.as_slice() {
                        [one] => format!("{value} is not of type \"{one}\""),
                        many => format!("{value} is not of types \"{}\"", many.join("\", \"")),
                    });
                }
            }
            Keyword::Const(expected) => {
                if !equal(value, expected) {
                    fail(format!("{expected} was expected"));
                }
            }
            Keyword::Enum(options) => {
                if !options.iter().any(|o| equal(value, o)) {
                    fail(enum_message(value, options));
                }
            }
            Keyword::Minimum(limit) => {
                if let Some(n) = number(value)
                    && cmp_numbers(n, limit) == Ordering::Less
                {
                    fail(format!("{value} is less than the minimum of {limit}"));
                }
            }
            Keyword::Maximum(limit) => {
                if let Some(n) = number(value)
                    && cmp_numbers(n, limit) == Ordering::Greater
                {
                    fail(format!("{value} is greater than the maximum of {limit}"));
                }
            }
            Keyword::ExclusiveMinimum(limit) => {
                if let Some(n) = number(value)
                    && cmp_numbers(n, limit) != Ordering::Greater
                {
                    fail(format!(
                        "{value} is less than or equal to the minimum of {limit}"
                    ));
                }
            }
            Keyword::ExclusiveMaximum(limit) => {
                if let Some(n) = number(value)
                    && cmp_numbers(n, limit) != Ordering::Less
                {
                    fail(format!(
                        "{value} is greater than or equal to the maximum of {limit}"
                    ));
                }
            }
            Keyword::MinLength(min) => {
                if let Value::String(s) = value
                    && !has_at_least_chars(s, *min)
                {
                    fail(format!(
                        "{value} is shorter than {min} character{}",
                        plural(*min)
                    ));
                }
            }
            Keyword::MaxLength(max) => {
                if let Value::String(s) = value
                    && !has_at_most_chars(s, *max)
                {
                    fail(format!(
                        "{value} is longer than {max} character{}",
                        plural(*max)
                    ));
                }
            }
            Keyword::MinItems(min) => {
                if let Value::Array(a) = value
                    && (a.len() as u64) < *min
                {
                    fail(format!("{value} has less than {min} item{}", plural(*min)));
                }
            }
            Keyword::MaxItems(max) => {
                if let Value::Array(a) = value
                    && (a.len() as u64) > *max
                {
                    fail(format!("{value} has more than {max} item{}", plural(*max)));
                }
            }
            Keyword::Required(required) => {
                if let Value::Object(o) = value {
                    for name in required
                        .names
                        .iter()
                        .filter(|n| !o.contains_key(n.as_str()))
                    {
                        fail(format!(
                            "{} is a required property",
                            Value::String(name.clone())
                        ));
                    }
                }
            }
            Keyword::Pattern(source, re) => {
                if let Value::String(s) = value
                    && !re.is_match(s)
                {
                    fail(format!("{value} does not match \"{source}\""));
                }
            }
            Keyword::Format(format) => {
                if let Value::String(s) = value
                    && !format.accepts(s)
                {
                    fail(format!("{value} is not a \"{}\"", format.name()));
                }
            }
            Keyword::UniqueItems => {
                if let Value::Array(a) = value
                    && !unique(a)
                {
                    fail(format!("{value} has non-unique elements"));
                }
            }
            Keyword::Properties(props) => {
                if let Value::Object(o) = value {
                    self.properties(&props.list, o, path, out);
                }
            }
            Keyword::Items(id) => {
                if let Value::Array(items) = value {
                    for (i, item) in items.iter().enumerate() {
                        path.push(Step::Index(i));
                        self.node(*id, item, path, out);
                        path.pop();
                    }
                }
            }
            Keyword::Ref(id) => self.node(*id, value, path, out),
        }
    }

    fn properties<'a, 'c>(
        &'c self,
        props: &[(String, usize)],
        object: &'a Map<String, Value>,
        path: &mut Vec<Step<'a>>,
        out: &mut Vec<Traced<'c>>,
    ) {
        let by_members = props.len() >= BIG_PROPERTIES || object.len() <= props.len() * 4;
        if by_members {
            for (name, member) in object {
                if let Some((_, id)) = props.iter().find(|(p, _)| p == name) {
                    path.push(Step::Key(name));
                    self.node(*id, member, path, out);
                    path.pop();
                }
            }
        } else {
            for (name, id) in props {
                if let Some((key, member)) = object.get_key_value(name.as_str()) {
                    path.push(Step::Key(key));
                    self.node(*id, member, path, out);
                    path.pop();
                }
            }
        }
    }
}

struct Builder<'s> {
    nodes: Vec<Vec<Located>>,
    defs: &'s Map<String, Value>,
    /// `$defs` names compiled so far, with their node ids.
    def_ids: Vec<(String, usize)>,
}

impl Builder<'_> {
    /// Compiles one schema object into a node; returns its id.
    fn compile(&mut self, schema: &Value, at: &str) -> Result<usize, String> {
        let Value::Object(map) = schema else {
            return Err(format!("{at}: only object schemas are supported"));
        };
        let id = self.nodes.len();
        self.nodes.push(Vec::new());
        let fused = map.get("type").and_then(Value::as_str) == Some("array")
            && map.get("items").is_some_and(Value::is_object)
            && !map.contains_key("uniqueItems");
        let mut keywords: Vec<(u16, Located)> = Vec::new();
        for (key, value) in map {
            let here = format!("{at}/{key}");
            let bad = || format!("{here}: unsupported value {value}");
            let keyword = match key.as_str() {
                k if ANNOTATIONS.contains(&k) => continue,
                "type" => Keyword::Type(type_set(value).ok_or_else(bad)?),
                "const" => Keyword::Const(value.clone()),
                "enum" => Keyword::Enum(value.as_array().ok_or_else(bad)?.clone()),
                "minimum" => Keyword::Minimum(value.as_number().ok_or_else(bad)?.clone()),
                "maximum" => Keyword::Maximum(value.as_number().ok_or_else(bad)?.clone()),
                "exclusiveMinimum" => {
                    Keyword::ExclusiveMinimum(value.as_number().ok_or_else(bad)?.clone())
                }
                "exclusiveMaximum" => {
                    Keyword::ExclusiveMaximum(value.as_number().ok_or_else(bad)?.clone())
                }
                "minLength" => Keyword::MinLength(value.as_u64().ok_or_else(bad)?),
                "maxLength" => Keyword::MaxLength(value.as_u64().ok_or_else(bad)?),
                "minItems" => Keyword::MinItems(value.as_u64().ok_or_else(bad)?),
                "maxItems" => Keyword::MaxItems(value.as_u64().ok_or_else(bad)?),
                "required" => Keyword::Required(Required {
                    names: value
                        .as_array()
                        .ok_or_else(bad)?
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
                        .collect::<Result<_, _>>()?,
                    holding: 0.into(),
                }),
                "pattern" => {
                    let source = value.as_str().ok_or_else(bad)?;
                    check_pattern(source).map_err(|e| format!("{here}: {e}"))?;
                    let re = pattern::Pattern::new(source).map_err(|e| format!("{here}: {e}"))?;
                    Keyword::Pattern(source.to_owned(), re)
                }
                "format" => Keyword::Format(match value.as_str() {
                    Some("date") => Format::Date,
                    Some("date-time") => Format::DateTime,
                    Some("email") => Format::Email,
                    _ => return Err(format!("{here}: unsupported format {value}")),
                }),
                "uniqueItems" => match value {
                    Value::Bool(true) => Keyword::UniqueItems,
                    Value::Bool(false) => continue,
                    _ => return Err(bad()),
                },
                "properties" => {
                    let mut props = Vec::new();
                    for (name, sub) in value.as_object().ok_or_else(bad)? {
                        let escaped = name.replace('~', "~0").replace('/', "~1");
                        props.push((
                            name.clone(),
                            self.compile(sub, &format!("{here}/{escaped}"))?,
                        ));
                    }
                    Keyword::Properties(Properties::new(props))
                }
                "items" => Keyword::Items(self.compile(value, &here)?),
                "$ref" => Keyword::Ref(self.reference(value.as_str().ok_or_else(bad)?, &here)?),
                other => return Err(format!("{at}: unsupported keyword `{other}`")),
            };
            let at = here.strip_prefix('#').unwrap_or(&here).into();
            keywords.push((priority(&keyword, fused), Located { keyword, at }));
        }
        crate::sorting::sort_by_key(&mut keywords, |(p, _)| *p);
        if let Some(node) = self.nodes.get_mut(id) {
            *node = keywords.into_iter().map(|(_, k)| k).collect();
        }
        Ok(id)
    }

    fn reference(&mut self, target: &str, at: &str) -> Result<usize, String> {
        let name = target
            .strip_prefix("#/$defs/")
            .filter(|n| !n.contains(['/', '~', '%']))
            .ok_or_else(|| format!("{at}: unsupported reference `{target}`"))?;
        if let Some((_, id)) = self.def_ids.iter().find(|(n, _)| n == name) {
            return Ok(*id);
        }
        let defs = self.defs;
        let schema = defs
            .get(name)
            .ok_or_else(|| format!("{at}: `{target}` does not exist"))?;
        // Registered before compiling, so a definition may refer to itself.
        let id = self.nodes.len();
        self.def_ids.push((name.to_owned(), id));
        self.compile(schema, &format!("#/$defs/{name}"))
    }
}

/// `jsonschema`'s keyword priority; with `fused`, `type` and the item counts run where
/// `items` does, in that order.
fn priority(keyword: &Keyword, fused: bool) -> u16 {
    let base = |p: u16| p * 4;
    match keyword {
        Keyword::Type(_) if fused => base(44),
        Keyword::MinItems(_) if fused => base(44) + 1,
        Keyword::MaxItems(_) if fused => base(44) + 2,
        Keyword::Items(_) if fused => base(44) + 3,
        Keyword::Type(_) => base(1),
        Keyword::Const(_) => base(5),
        Keyword::Enum(_) => base(6),
        Keyword::Minimum(_) => base(10),
        Keyword::Maximum(_) => base(11),
        Keyword::ExclusiveMinimum(_) => base(12),
        Keyword::ExclusiveMaximum(_) => base(13),
        Keyword::MinLength(_) => base(20),
        Keyword::MaxLength(_) => base(21),
        Keyword::MinItems(_) => base(22),
        Keyword::MaxItems(_) => base(23),
        Keyword::Required(_) => base(26),
        Keyword::Pattern(..) => base(30),
        Keyword::Format(_) => base(31),
        Keyword::UniqueItems => base(35),
        Keyword::Properties(_) => base(40),
        Keyword::Items(_) => base(44),
        Keyword::Ref(_) => base(70),
    }
}

/// Accepts only patterns whose meaning is the same in ECMA-262 (JSON Schema's dialect)
/// and in `regex-lite`: literals, classes, `\d \D \w \W`, escaped punctuation, anchors,
/// groups, alternation and repetition; no `.`, `\s`, `\b`, look-around or class set
/// operations.
fn check_pattern(source: &str) -> Result<(), String> {
    let mut chars = source.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('d' | 'D' | 'w' | 'W') => {}
                Some(p) if p.is_ascii_punctuation() => {}
                other => return Err(format!("unsupported escape `\\{}`", other.unwrap_or(' '))),
            },
            '[' if in_class => return Err("nested character classes".into()),
            '[' => in_class = true,
            ']' if in_class => in_class = false,
            '&' | '-' | '~' if in_class && chars.peek() == Some(&c) => {
                return Err(format!("class set operator `{c}{c}`"));
            }
            '.' if !in_class => return Err("`.` (its meaning differs between dialects)".into()),
            '(' if !in_class && chars.peek() == Some(&'?') => {
                return Err("`(?` groups".into());
            }
            _ => {}
        }
    }
    Ok(())
}

fn type_set(value: &Value) -> Option<u8> {
    let bit = |name: &str| TYPES.iter().position(|t| *t == name).map(|i| 1u8 << i);
    match value {
        Value::String(s) => bit(s),
        Value::Array(items) => items
            .iter()
            .try_fold(0u8, |set, v| Some(set | bit(v.as_str()?)?)),
        _ => None,
    }
}

fn type_matches(set: u8, value: &Value) -> bool {
    let has = |name: &str| {
        TYPES
            .iter()
            .position(|t| *t == name)
            .is_some_and(|i| set & (1 << i) != 0)
    };
    match value {
        Value::Null => has("null"),
        Value::Bool(_) => has("boolean"),
        Value::Number(n) if is_integer(n) => has("integer") || has("number"),
        Value::Number(_) => has("number"),
        Value::String(_) => has("string"),
        Value::Array(_) => has("array"),
        Value::Object(_) => has("object"),
    }
}

/// Integers per drafts 6 and later: `1.0` is one.
fn is_integer(n: &Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

fn number(value: &Value) -> Option<&Number> {
    match value {
        Value::Number(n) => Some(n),
        _ => None,
    }
}

/// Exact comparison of two JSON numbers, whatever their representations.
fn cmp_numbers(a: &Number, b: &Number) -> Ordering {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x.cmp(&y);
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x.cmp(&y);
    }
    let int = |n: &Number| n.as_i64().map(i128::from).or(n.as_u64().map(i128::from));
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(x), None) => cmp_int_float(x, b.as_f64().unwrap_or(f64::NAN)),
        (None, Some(y)) => cmp_int_float(y, a.as_f64().unwrap_or(f64::NAN)).reverse(),
        (None, None) => {
            let (x, y) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

fn cmp_int_float(x: i128, y: f64) -> Ordering {
    if y.is_nan() {
        return Ordering::Equal;
    }
    // Every i64 and u64 lies strictly within ±2^65.
    const BOUND: f64 = 36_893_488_147_419_103_232.0;
    if y >= BOUND {
        return Ordering::Less;
    }
    if y <= -BOUND {
        return Ordering::Greater;
    }
    let whole = y.trunc();
    #[allow(clippy::cast_possible_truncation)]
    let whole_int = whole as i128;
    match x.cmp(&whole_int) {
        Ordering::Equal if y > whole => Ordering::Less,
        Ordering::Equal if y < whole => Ordering::Greater,
        other => other,
    }
}

/// Equality as JSON Schema defines it: numbers by value (`1` equals `1.0`).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => cmp_numbers(x, y) == Ordering::Equal,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

fn unique(items: &[Value]) -> bool {
    items
        .iter()
        .enumerate()
        .all(|(i, a)| items.iter().skip(i + 1).all(|b| !equal(a, b)))
}

/// Whether `s` has at least `n` characters (`minLength`), counted only where its length in
/// bytes does not decide: a character takes one to four bytes.
fn has_at_least_chars(s: &str, n: u64) -> bool {
    let bytes = s.len() as u64;
    bytes >= n && (bytes.div_ceil(4) >= n || s.chars().count() as u64 >= n)
}

/// Whether `s` has at most `n` characters (`maxLength`), counted only where its length in
/// bytes does not decide.
fn has_at_most_chars(s: &str, n: u64) -> bool {
    let bytes = s.len() as u64;
    bytes <= n || (bytes.div_ceil(4) <= n && s.chars().count() as u64 <= n)
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `jsonschema`'s enum message: up to three options in full, else two and a count.
fn enum_message(value: &Value, options: &[Value]) -> String {
    let mut s = format!("{value} is not one of ");
    let total = options.len();
    if total <= 3 {
        for (i, option) in options.iter().enumerate() {
            let sep = match i {
                0 => "",
                i if i + 1 == total => " or ",
                _ => ", ",
            };
            let _ = write!(s, "{sep}{option}");
        }
    } else {
        for (i, option) in options.iter().take(2).enumerate() {
            let _ = write!(s, "{}{option}", if i == 0 { "" } else { ", " });
        }
        let _ = write!(s, " or {} other candidates", total - 2);
    }
    s
}

/// The JSON Pointer of a path.
fn pointer(path: &[Step<'_>]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                s.push('/');
                s.push_str(&k.replace('~', "~0").replace('/', "~1"));
            }
            Step::Index(i) => {
                let _ = write!(s, "/{i}");
            }
        }
    }
    s
}

/// `jsonschema`'s format checks for `date`, `date-time` and `email`.
mod formats {
    use super::FromStr;
    use email_address::EmailAddress;
    use std::net::{Ipv4Addr, Ipv6Addr};
    use unicode_general_category::{GeneralCategory, get_general_category};

    fn digits(bytes: &[u8]) -> Option<u16> {
        bytes.iter().try_fold(0u16, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0'))
        })
    }

    pub(super) fn is_valid_date(date: &str) -> bool {
        let b = date.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return false;
        }
        let (Some(year), Some(month), Some(day)) =
            (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10]))
        else {
            return false;
        };
        if !(1..=12).contains(&month) || day == 0 {
            return false;
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => day <= 31,
            4 | 6 | 9 | 11 => day <= 30,
            _ => day <= if leap { 29 } else { 28 },
        }
    }

    fn is_valid_time(time: &str) -> bool {
        let b = time.as_bytes();
        let len = b.len();
        if len < 9 || b[2] != b':' || b[5] != b':' {
            return false;
        }
        let (Some(hour), Some(minute), Some(second)) =
            (digits(&b[..2]), digits(&b[3..5]), digits(&b[6..8]))
        else {
            return false;
        };
        if hour > 23 || minute > 59 || second > 60 {
            return false;
        }
        let mut i = 8;
        if i < len && b[i] == b'.' {
            i += 1;
            let start = i;
            while i < len && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return false;
            }
        }
        if i == len {
            return false;
        }
        let sign: i16 = match b[i] {
            b'Z' | b'z' => return i == len - 1 && (second != 60 || (hour == 23 && minute == 59)),
            b'+' => -1,
            b'-' => 1,
            _ => return false,
        };
        if len - i != 6 {
            return false;
        }
        i += 1;
        if b[i + 2] != b':' {
            return false;
        }
        let (Some(off_h), Some(off_m)) = (digits(&b[i..i + 2]), digits(&b[i + 3..i + 5])) else {
            return false;
        };
        if off_h > 23 || off_m > 59 {
            return false;
        }
        if second != 60 {
            return true;
        }
        // A leap second must fall at 23:59 UTC.
        #[allow(clippy::cast_possible_wrap)]
        let (mut h, mut m) = (
            hour as i16 + sign * off_h as i16,
            minute as i16 + sign * off_m as i16,
        );
        h += m / 60;
        m %= 60;
        if m < 0 {
            m += 60;
            h -= 1;
        }
        h = (h + 24) % 24;
        h == 23 && m == 59
    }

    pub(super) fn is_valid_datetime(text: &str) -> bool {
        let Some(t) = text.bytes().position(|b| b == b'T' || b == b't') else {
            return false;
        };
        let (date, time) = text.split_at(t);
        is_valid_date(date) && is_valid_time(&time[1..])
    }

    pub(super) fn is_valid_email(email: &str) -> bool {
        is_plain_email(email) || is_valid_email_parsed(email)
    }

    /// Whether `email` is a plain address (`dot.atom@host.name`, ASCII) within every limit
    /// of the full check: decided byte by byte, without `email_address`'s parser, for the
    /// addresses facts mostly hold. What it does not accept (quoted or non-ASCII local
    /// parts, address literals, display names, labels with `--` at their third character,
    /// such as punycode) goes to the full check, which may still accept it.
    pub(super) fn is_plain_email(email: &str) -> bool {
        let Some((local, domain)) = email.split_once('@') else {
            return false;
        };
        let atext = |c: &u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(c);
        let label = |label: &[u8]| match label {
            [first, .., last] | [first @ last] => {
                label.len() <= 63
                    && first.is_ascii_alphanumeric()
                    && last.is_ascii_alphanumeric()
                    && label
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                    && label.get(2..4) != Some(b"--")
            }
            [] => false,
        };
        local.len() <= 64
            && local
                .split('.')
                .all(|atom| !atom.is_empty() && atom.as_bytes().iter().all(atext))
            && domain.len() <= 253
            && domain.split('.').all(|l| label(l.as_bytes()))
    }

    /// The full check: `email_address`'s parser, then the domain as a host name or an
    /// address literal.
    pub(super) fn is_valid_email_parsed(email: &str) -> bool {
        // `email_address` rejects an empty quoted local part, which RFC 5321 allows.
        if let Some(domain) = email.strip_prefix("\"\"@") {
            return is_valid_email_parsed(&format!("\"a\"@{domain}"));
        }
        match EmailAddress::from_str(email) {
            Ok(parsed) => parsed.local_part().is_ascii() && valid_domain(parsed.domain()),
            Err(_) => false,
        }
    }

    fn valid_domain(domain: &str) -> bool {
        if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
            const TAG: &str = "IPv6:";
            if literal
                .as_bytes()
                .get(..TAG.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(TAG.as_bytes()))
            {
                literal[TAG.len()..].parse::<Ipv6Addr>().is_ok()
            } else {
                literal.parse::<Ipv4Addr>().is_ok()
            }
        } else {
            is_valid_hostname(domain)
        }
    }

    fn valid_label(label: &[u8]) -> bool {
        !label.is_empty()
            && label.len() <= 63
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-')
    }

    fn is_valid_hostname(host: &str) -> bool {
        let b = host.as_bytes();
        if b.is_empty() || b.len() > 253 || b.last() == Some(&b'.') {
            return false;
        }
        if !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
        {
            return false;
        }
        for label in b.split(|c| *c == b'.') {
            if !valid_label(label) {
                return false;
            }
            let puny = label.len() >= 4 && label.starts_with(b"xn--");
            if label.len() >= 4 && label[2] == b'-' && label[3] == b'-' && !puny {
                return false;
            }
            if puny {
                let Some(decoded) = std::str::from_utf8(&label[4..])
                    .ok()
                    .and_then(decode_punycode)
                else {
                    return false;
                };
                if !valid_unicode_label(&decoded) {
                    return false;
                }
            }
        }
        true
    }

    /// RFC 3492 section 6.2.
    fn decode_punycode(input: &str) -> Option<String> {
        const BASE: u32 = 36;
        const TMIN: u32 = 1;
        const TMAX: u32 = 26;
        let bytes = input.as_bytes();
        let (basic, encoded) = match bytes.iter().rposition(|&b| b == b'-') {
            Some(p) if p > 0 => (&bytes[..p], &bytes[p + 1..]),
            _ => (&bytes[..0], bytes),
        };
        if !basic.is_ascii() {
            return None;
        }
        let mut output: Vec<char> = basic.iter().map(|&b| char::from(b)).collect();
        let (mut code_point, mut index, mut bias, mut pos) = (128u32, 0u32, 72u32, 0usize);
        let adapt = |mut delta: u32, count: u32, first: bool| {
            delta /= if first { 700 } else { 2 };
            delta += delta / count;
            let mut k = 0;
            while delta > ((BASE - TMIN) * TMAX) / 2 {
                delta /= BASE - TMIN;
                k += BASE;
            }
            k + ((BASE - TMIN + 1) * delta) / (delta + 38)
        };
        while pos < encoded.len() {
            let previous = index;
            let mut weight: u32 = 1;
            let mut k = BASE;
            loop {
                let digit = match *encoded.get(pos)? {
                    b @ b'0'..=b'9' => u32::from(b - b'0') + 26,
                    b @ b'A'..=b'Z' => u32::from(b - b'A'),
                    b @ b'a'..=b'z' => u32::from(b - b'a'),
                    _ => return None,
                };
                pos += 1;
                index = index.checked_add(digit.checked_mul(weight)?)?;
                let t = if k <= bias {
                    TMIN
                } else if k >= bias + TMAX {
                    TMAX
                } else {
                    k - bias
                };
                if digit < t {
                    break;
                }
                weight = weight.checked_mul(BASE - t)?;
                k += BASE;
            }
            let count = u32::try_from(output.len()).ok()? + 1;
            bias = adapt(index - previous, count, previous == 0);
            code_point = code_point.checked_add(index / count)?;
            index %= count;
            output.insert(index as usize, char::from_u32(code_point)?);
            index += 1;
        }
        Some(output.into_iter().collect())
    }

    /// Virama code points after which a ZERO WIDTH JOINER is allowed (RFC 5892 A.2).
    const VIRAMAS: [char; 50] = [
        '\u{094D}',
        '\u{09CD}',
        '\u{0A4D}',
        '\u{0ACD}',
        '\u{0B4D}',
        '\u{0BCD}',
        '\u{0C4D}',
        '\u{0CCD}',
        '\u{0D4D}',
        '\u{0DCA}',
        '\u{0E3A}',
        '\u{0F84}',
        '\u{1039}',
        '\u{1714}',
        '\u{1734}',
        '\u{17D2}',
        '\u{1A60}',
        '\u{1B44}',
        '\u{1BAA}',
        '\u{1BF2}',
        '\u{1BF3}',
        '\u{2D7F}',
        '\u{A806}',
        '\u{A8C4}',
        '\u{A953}',
        '\u{ABED}',
        '\u{10A3F}',
        '\u{11046}',
        '\u{1107F}',
        '\u{110B9}',
        '\u{11133}',
        '\u{111C0}',
        '\u{11235}',
        '\u{112EA}',
        '\u{1134D}',
        '\u{11442}',
        '\u{114C2}',
        '\u{115BF}',
        '\u{1163F}',
        '\u{116B6}',
        '\u{1172B}',
        '\u{11839}',
        '\u{119E0}',
        '\u{11A34}',
        '\u{11A47}',
        '\u{11A99}',
        '\u{11C3F}',
        '\u{11D44}',
        '\u{11D45}',
        '\u{11D97}',
    ];

    /// RFC 5892's contextual rules and PVALID categories, as `jsonschema` applies them.
    fn valid_unicode_label(label: &str) -> bool {
        use GeneralCategory as G;
        let mut chars = label.chars().peekable();
        if let Some(&first) = chars.peek()
            && matches!(
                get_general_category(first),
                G::SpacingMark | G::NonspacingMark | G::EnclosingMark
            )
        {
            return false;
        }
        let mut previous: Option<char> = None;
        let (mut katakana_dot, mut kana_han, mut arabic, mut ext_arabic) =
            (false, false, false, false);
        while let Some(c) = chars.next() {
            match c {
                '\u{200D}' if !previous.is_some_and(|p| VIRAMAS.contains(&p)) => {
                    return false;
                }
                '\u{00B7}' if previous != Some('l') || chars.peek() != Some(&'l') => return false,
                '\u{0375}'
                    if !chars
                        .peek()
                        .is_some_and(|n| ('\u{0370}'..='\u{03FF}').contains(n)) =>
                {
                    return false;
                }
                '\u{05F3}' | '\u{05F4}'
                    if !previous.is_some_and(|p| ('\u{0590}'..='\u{05FF}').contains(&p)) =>
                {
                    return false;
                }
                '\u{30FB}' => katakana_dot = true,
                '\u{3040}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}' => {
                    kana_han = true;
                }
                '\u{0660}'..='\u{0669}' => arabic = true,
                '\u{06F0}'..='\u{06F9}' => ext_arabic = true,
                '\u{0640}' | '\u{07FA}' | '\u{302E}' | '\u{302F}' | '\u{3031}' | '\u{3032}'
                | '\u{3033}' | '\u{3034}' | '\u{3035}' | '\u{303B}' => return false,
                '\u{200C}' | '\u{200D}' | '\u{00B7}' | '\u{0375}' | '\u{05F3}' | '\u{05F4}'
                | '\u{06FD}' | '\u{06FE}' | '\u{0F0B}' | '\u{3007}' => {}
                other
                    if !other.is_ascii()
                        && !matches!(
                            get_general_category(other),
                            G::UppercaseLetter
                                | G::LowercaseLetter
                                | G::TitlecaseLetter
                                | G::ModifierLetter
                                | G::OtherLetter
                                | G::NonspacingMark
                                | G::SpacingMark
                                | G::DecimalNumber
                        ) =>
                {
                    return false;
                }
                _ => {}
            }
            previous = Some(c);
        }
        !((katakana_dot && !kana_han) || (arabic && ext_arabic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::OnceLock;

    fn schema() -> Value {
        serde_json::from_str(crate::facts::FACTS_SCHEMA).unwrap()
    }

    #[test]
    fn a_plain_email_is_one_the_full_check_accepts() {
        use formats::{is_plain_email, is_valid_email_parsed};
        let long = |n: usize| "a".repeat(n);
        let locals = [
            "a".to_owned(),
            "jane.doe".to_owned(),
            "x+tag".to_owned(),
            "o'neil_{x}|~".to_owned(),
            "a..b".to_owned(),
            ".a".to_owned(),
            "a.".to_owned(),
            "\"q\"".to_owned(),
            "\"\"".to_owned(),
            "a b".to_owned(),
            "<a>".to_owned(),
            "ü".to_owned(),
            "a@b".to_owned(),
            String::new(),
            long(64),
            long(65),
        ];
        let domains = [
            "example.com".to_owned(),
            "mail.ex-ample.co".to_owned(),
            "EXAMPLE.COM".to_owned(),
            "localhost".to_owned(),
            "1.2.3.4".to_owned(),
            "-ex.com".to_owned(),
            "ex-.com".to_owned(),
            "ex..com".to_owned(),
            "ex.com.".to_owned(),
            "e_x.com".to_owned(),
            "ab--cd.com".to_owned(),
            "xn--bcher-kva.de".to_owned(),
            "xn--zz.de".to_owned(),
            "[1.2.3.4]".to_owned(),
            "[IPv6:::1]".to_owned(),
            "bücher.de".to_owned(),
            String::new(),
            format!("{}.com", long(63)),
            format!("{}.com", long(64)),
            format!("{}.{}.{}.{}", long(63), long(63), long(63), long(61)),
            format!("{}.{}.{}.{}", long(63), long(63), long(63), long(62)),
        ];
        let mut plain = 0;
        for local in &locals {
            for domain in &domains {
                let email = format!("{local}@{domain}");
                if is_plain_email(&email) {
                    plain += 1;
                    assert!(is_valid_email_parsed(&email), "{email}");
                }
            }
        }
        // The addresses facts mostly hold take the plain path.
        assert!(is_plain_email("jane.doe+ci@mail.example.com"));
        assert!(plain > 30, "{plain}");
        assert!(!is_plain_email("no-at-sign") && !is_plain_email("a@b@c.com"));
    }

    #[test]
    fn lengths_in_characters_agree_with_counting_them() {
        // One to four bytes a character, and mixes of them.
        for s in [
            "",
            "a",
            "abcd",
            "é",
            "éé",
            "日本",
            "😀",
            "😀😀a",
            "aé日😀",
            "ab😀😀😀",
        ] {
            let count = s.chars().count() as u64;
            for n in 0..=20 {
                assert_eq!(has_at_least_chars(s, n), count >= n, "{s:?} at least {n}");
                assert_eq!(has_at_most_chars(s, n), count <= n, "{s:?} at most {n}");
            }
        }
    }

    fn checker() -> &'static Checker {
        static CHECKER: OnceLock<Checker> = OnceLock::new();
        CHECKER.get_or_init(|| Checker::new(&schema()).unwrap())
    }

    /// What `jsonschema` finds in `doc`, as the native build does: (instance pointer,
    /// keyword location) pairs, sorted.
    #[cfg(feature = "jsonschema")]
    fn reference(doc: &Value) -> Vec<(String, String)> {
        static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
        let validator =
            VALIDATOR.get_or_init(|| crate::schema::compile(crate::facts::FACTS_SCHEMA).unwrap());
        let mut found: Vec<(String, String)> = validator
            .iter_errors(doc)
            .map(|e| {
                let at = e.schema_path().as_str().to_owned();
                (e.instance_path().as_str().to_owned(), at)
            })
            .collect();
        found.sort();
        found
    }

    /// What this checker finds in `doc`, as [`reference`] gives it.
    #[cfg(feature = "jsonschema")]
    fn pairs(doc: &Value) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = checker()
            .trace(doc)
            .into_iter()
            .map(|(pointer, at, _)| (pointer, at.to_owned()))
            .collect();
        found.sort();
        found
    }

    /// Both checkers find the same violations in `doc`.
    #[cfg(feature = "jsonschema")]
    fn same(doc: Value) {
        assert_eq!(pairs(&doc), reference(&doc), "{doc:#}");
    }

    #[cfg(feature = "jsonschema")]
    fn base() -> Value {
        json!({"schema_version": "1", "organization": {"name": "A", "as_of": "2026-06-30"}})
    }

    #[cfg(feature = "jsonschema")]
    fn with(key: &str, value: Value) -> Value {
        let mut doc = base();
        doc[key] = value;
        doc
    }

    #[test]
    #[cfg(feature = "jsonschema")]
    fn top_level_shapes_match_jsonschema() {
        same(base());
        same(json!([]));
        same(json!({}));
        same(json!({"schema_version": 1, "organization": "Acme", "people": {}}));
        same(json!({"schema_version": "2", "organization": {"name": "", "scope": []}}));
        same(with("accounts", json!("none")));
        same(with("evidence", json!([1, null, "x", [], {}])));
    }

    #[test]
    #[cfg(feature = "jsonschema")]
    fn scalars_enums_and_bounds_match_jsonschema() {
        same(with(
            "people",
            json!([
                {"id": "", "name": 3, "kind": "robot", "employment": {"status": "gone", "start_date": "2026-02-30", "end_date": 5}},
                {"id": "p2", "name": "B", "kind": "employee", "employment": {}, "manager_id": "", "background_check": {"status": "x", "completed_on": "June 1"}},
                {"name": "C", "email": "c@", "policy_acknowledgements": [{"policy_id": ""}, 7]}
            ]),
        ));
        same(with(
            "vendors",
            json!([
                {"id": "v1", "name": "V", "risk_tier": "extreme", "data_access": ["pii", "pii", "other"],
                 "assurance": {"soc2_type": "type3", "exceptions_noted": -1},
                 "contract": {"breach_notification_hours": -0.5, "sla_uptime_percent": 100.01}},
                {"id": "v2", "name": "W", "risk_tier": "low", "assurance": {"soc2_type": 2, "exceptions_noted": 1.5},
                 "contract": {"sla_uptime_percent": 100, "breach_notification_hours": null}, "incident_contact": 3},
                {"id": "v3", "name": "X", "risk_tier": "low", "assurance": {"soc2_type": null, "exceptions_noted": 2.0}, "contract": "none"}
            ]),
        ));
        same(with(
            "backups",
            json!([{"system_id": "s", "frequency_hours": 0}, {"system_id": "s", "frequency_hours": -1.5}, {"frequency_hours": "1"}]),
        ));
        same(with(
            "access_reviews",
            json!([{"system_id": "s", "completed_on": "2026-01-01", "revocations": -1, "scope": "some"}]),
        ));
        same(with(
            "organization",
            json!({"name": "A", "scope": ["security", "security", "nope"], "collected_at": "2026-06-30"}),
        ));
    }

    #[test]
    #[cfg(feature = "jsonschema")]
    fn formats_match_jsonschema() {
        let dates = [
            "2026-06-30",
            "2024-02-29",
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "26-06-30",
            "2026-6-30",
            "2026/06/30",
            "٢٠٢٦-٠٦-٣٠",
            "2026-06-30T00:00:00Z",
            "",
        ];
        let times = [
            "2026-06-30T12:00:00Z",
            "2026-06-30t12:00:00z",
            "2026-06-30T12:00:00.123+02:00",
            "2026-06-30T23:59:60Z",
            "2026-06-30T12:59:60Z",
            "2026-06-30T22:59:60-01:00",
            "2026-06-30T12:00:00",
            "2026-06-30T24:00:00Z",
            "2026-06-30T12:00:00.Z",
            "2026-06-30 12:00:00Z",
            "2026-06-30T12:00:00+2:00",
            "2026-06-30T12:00:00+24:00",
        ];
        let emails = [
            "a@example.com",
            "a.b+c@sub.example.co",
            "@example.com",
            "a@",
            "a@-x.com",
            "a@x-.com",
            "a@[127.0.0.1]",
            "a@[IPv6:::1]",
            "a@[300.0.0.1]",
            "\"\"@example.com",
            "\"a b\"@example.com",
            "é@example.com",
            "a@xn--bcher-kva.example",
            "a@xn--a.com",
            "a@ab--cd.com",
            "a@exa_mple.com",
            "a@example.com.",
            "a..b@example.com",
            "a@localhost",
        ];
        let people: Vec<Value> = emails
            .iter()
            .enumerate()
            .map(|(i, e)| {
                json!({"id": format!("p{i}"), "name": "N", "kind": "employee", "email": e,
                       "employment": {"status": "active", "start_date": dates[i % dates.len()]}})
            })
            .collect();
        let mut doc = with("people", Value::Array(people));
        for (i, t) in times.iter().enumerate() {
            doc["organization"]["collected_at"] = json!(t);
            doc["organization"]["as_of"] = json!(dates[i % dates.len()]);
            same(doc.clone());
        }
        same(with(
            "evidence",
            json!([
                {"control_id": "CC6.1", "title": "t", "collected_on": "2026-01-01", "sha256": "ab"},
                {"control_id": "CC10.1", "title": "t", "collected_on": "2026-01-01"},
                {"control_id": "X1.1", "title": "t", "collected_on": "2026-01-01", "sha256": "g".repeat(64)},
                {"control_id": "PI1.12", "title": "t", "collected_on": "2026-01-01", "sha256": "A".repeat(64)}
            ]),
        ));
    }

    #[test]
    #[cfg(feature = "jsonschema")]
    fn member_order_and_pointer_escapes_match_jsonschema() {
        let mut account = serde_json::Map::new();
        for i in 0..60 {
            account.insert(format!("x{i}"), json!(i));
        }
        account.insert("status".into(), json!("gone"));
        account.insert("kind".into(), json!(1));
        account.insert("username".into(), json!(""));
        let mut few = serde_json::Map::new();
        few.insert("status".into(), json!("gone"));
        few.insert("kind".into(), json!(1));
        few.insert("a/b~c".into(), json!(1));
        same(with(
            "accounts",
            json!([Value::Object(account), Value::Object(few)]),
        ));
        same(json!({"organization": {"name": ""}, "a/b": 1, "schema_version": "1"}));
    }

    /// The example organization (`examples/acme`), its files merged as `attest eval` does.
    fn acme() -> Value {
        let files = [
            include_str!("../../../../examples/acme/org.json"),
            include_str!("../../../../examples/acme/people.json"),
            include_str!("../../../../examples/acme/systems.json"),
            include_str!("../../../../examples/acme/access.json"),
            include_str!("../../../../examples/acme/training.json"),
            include_str!("../../../../examples/acme/policies.json"),
            include_str!("../../../../examples/acme/vendors.json"),
            include_str!("../../../../examples/acme/operations.json"),
            include_str!("../../../../examples/acme/evidence.json"),
            include_str!("../../../../examples/acme/data.json"),
            include_str!("../../../../examples/acme/devices.json"),
            include_str!("../../../../examples/acme/resilience.json"),
            include_str!("../../../../examples/acme/security.json"),
        ];
        let mut doc = serde_json::Map::new();
        for text in files {
            let Value::Object(part) = serde_json::from_str(text).unwrap() else {
                panic!("a facts file is not an object");
            };
            for (key, value) in part {
                match (doc.get_mut(&key), value) {
                    (Some(Value::Array(items)), Value::Array(more)) => items.extend(more),
                    (None, value) => {
                        doc.insert(key, value);
                    }
                    (Some(_), _) => panic!("`{key}` is set twice"),
                }
            }
        }
        Value::Object(doc)
    }

    /// The JSON Pointer of every value in `doc` but the root, parents before children.
    fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
                .collect(),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        };
        for (step, child) in children {
            let here = format!("{at}/{step}");
            out.push(here.clone());
            pointers(child, &here, out);
        }
    }

    /// Ways to break a value, each named.
    const MUTATIONS: [&str; 13] = [
        "null",
        "true",
        "-1",
        "0.5",
        "1e9",
        "empty string",
        "string",
        "[]",
        "{}",
        "remove",
        "edit",
        "duplicate",
        "wrong date",
    ];

    /// Applies mutation `kind` to the value at `pointer`; false when it does not apply.
    fn mutate(doc: &mut Value, pointer: &str, kind: &str) -> bool {
        let Some((parent, last)) = pointer.rsplit_once('/') else {
            return false;
        };
        if kind == "remove" {
            let key = last.replace("~1", "/").replace("~0", "~");
            return match doc.pointer_mut(parent) {
                Some(Value::Object(o)) => o.shift_remove(&key).is_some(),
                Some(Value::Array(a)) => match key.parse::<usize>() {
                    Ok(i) if i < a.len() => {
                        a.remove(i);
                        true
                    }
                    _ => false,
                },
                _ => false,
            };
        }
        let Some(value) = doc.pointer_mut(pointer) else {
            return false;
        };
        let new = match (kind, &*value) {
            ("null", _) => Value::Null,
            ("true", _) => json!(true),
            ("-1", _) => json!(-1),
            ("0.5", _) => json!(0.5),
            ("1e9", _) => json!(1_000_000_000),
            ("empty string", _) => json!(""),
            ("string", _) => json!("x"),
            ("[]", _) => json!([]),
            ("{}", _) => json!({}),
            // A string one character off: patterns, enums, formats.
            ("edit", Value::String(s)) => json!(format!("{s}!")),
            ("edit", Value::Number(n)) => json!(n.as_f64().unwrap_or(0.0) + 100.5),
            ("edit", Value::Bool(b)) => json!(!b),
            ("duplicate", Value::Array(a)) if !a.is_empty() => {
                let mut a = a.clone();
                a.push(a[0].clone());
                Value::Array(a)
            }
            ("duplicate", Value::Object(o)) => {
                let mut o = o.clone();
                o.insert("unknown".into(), json!(1));
                Value::Object(o)
            }
            ("wrong date", Value::String(_)) => json!("2026-02-30"),
            _ => return false,
        };
        *value = new;
        true
    }

    /// Mutations of the example organization: for each kind of mutation, every `STRIDE`th
    /// value in turn (the later ones first, so earlier pointers stay valid) is broken in the
    /// same document. Both checkers must find exactly the same violations in every one.
    #[test]
    #[cfg(feature = "jsonschema")]
    fn mutations_of_the_example_match_jsonschema() {
        const STRIDE: usize = 7;
        let acme = acme();
        assert_eq!(reference(&acme), Vec::new(), "the example is valid");
        let mut all = Vec::new();
        pointers(&acme, "", &mut all);
        let (mut documents, mut violations) = (0, 0);
        let mut keywords = std::collections::BTreeSet::new();
        for kind in MUTATIONS {
            for offset in 0..STRIDE {
                let mut doc = acme.clone();
                let mut changed = false;
                for pointer in all.iter().skip(offset).step_by(STRIDE).rev() {
                    changed |= mutate(&mut doc, pointer, kind);
                }
                if !changed {
                    continue;
                }
                let (lite, reference) = (pairs(&doc), reference(&doc));
                let only = |a: &[(String, String)], b: &[(String, String)]| {
                    a.iter()
                        .filter(|x| !b.contains(x))
                        .cloned()
                        .collect::<Vec<_>>()
                };
                assert!(
                    lite == reference,
                    "mutation `{kind}` from value {offset} every {STRIDE}: only the compact \
                     checker finds {:?}; only jsonschema finds {:?}",
                    only(&lite, &reference),
                    only(&reference, &lite),
                );
                documents += 1;
                violations += reference.len();
                keywords.extend(reference.iter().filter_map(|(_, at)| {
                    at.rsplit('/')
                        .find(|s| s.parse::<usize>().is_err())
                        .map(str::to_owned)
                }));
            }
        }
        // Every array emptied on its own (a parent broken in the same document would hide
        // a `minItems`).
        for pointer in all
            .iter()
            .filter(|p| acme.pointer(p).is_some_and(Value::is_array))
        {
            let mut doc = acme.clone();
            mutate(&mut doc, pointer, "[]");
            let (lite, reference) = (pairs(&doc), reference(&doc));
            assert_eq!(lite, reference, "{pointer} emptied");
            documents += 1;
            keywords.extend(reference.iter().filter_map(|(_, at)| {
                at.rsplit('/')
                    .find(|s| s.parse::<usize>().is_err())
                    .map(str::to_owned)
            }));
        }
        assert!(documents >= 80, "{documents} documents compared");
        assert!(violations >= 5_000, "{violations} violations compared");
        // Every keyword the facts schema checks with was broken somewhere.
        let mut used = std::collections::BTreeSet::new();
        for located in checker().nodes.iter().flatten() {
            if !matches!(
                located.keyword,
                Keyword::Properties(_) | Keyword::Items(_) | Keyword::Ref(_)
            ) {
                used.insert(located.at.rsplit('/').next().unwrap_or_default().to_owned());
            }
        }
        assert_eq!(keywords, used);
    }

    /// A record in the rules' tree is accepted exactly when the record checker (in native
    /// builds `jsonschema`) finds no violation in it, on every record of every mutated
    /// example.
    #[test]
    fn records_in_the_tree_are_accepted_exactly_when_valid() {
        use crate::facts::FactsSchema;
        use crate::facts::tree::Builder;
        let schema = FactsSchema::shipped().unwrap();
        let acme = acme();
        let mut all = Vec::new();
        pointers(&acme, "", &mut all);
        let (mut accepted, mut refused) = (0, 0);
        for kind in MUTATIONS {
            for offset in 0..5 {
                let mut doc = acme.clone();
                for pointer in all.iter().skip(offset).step_by(5).rev() {
                    mutate(&mut doc, pointer, kind);
                }
                let Value::Object(top) = &doc else { continue };
                // One builder for every record of the document too: records with the same
                // field names share them, and what the check makes of them.
                let mut shared = Builder::default();
                for (name, records) in top {
                    let (Some(checker), Value::Array(records)) = (schema.records(name), records)
                    else {
                        continue;
                    };
                    let list = rhai::ImmutableString::from(format!("/{name}"));
                    for (i, record) in records.iter().enumerate() {
                        let mut at = format!("/{name}/{i}");
                        let node = Builder::default().record(record.clone(), &mut at, (&list, i));
                        let valid = checker.violations(record).is_empty();
                        assert_eq!(
                            checker.accepts(&node),
                            valid,
                            "/{name}/{i} after `{kind}` from {offset}: {record}"
                        );
                        // The same record with its fields in the reverse order.
                        let reversed = match record {
                            Value::Object(o) => Value::Object(
                                o.iter()
                                    .rev()
                                    .map(|(k, v)| (k.clone(), v.clone()))
                                    .collect(),
                            ),
                            other => other.clone(),
                        };
                        let mut at = format!("/{name}/{i}");
                        let node = Builder::default().record(reversed, &mut at, (&list, i));
                        assert_eq!(
                            checker.accepts(&node),
                            valid,
                            "/{name}/{i} reversed after `{kind}` from {offset}: {record}"
                        );
                        let mut at = format!("/{name}/{i}");
                        let node = shared.record(record.clone(), &mut at, (&list, i));
                        assert_eq!(
                            checker.accepts(&node),
                            valid,
                            "/{name}/{i} with shared names after `{kind}` from {offset}: {record}"
                        );
                        if valid { accepted += 1 } else { refused += 1 }
                    }
                }
            }
        }
        assert!(
            accepted >= 200 && refused >= 200,
            "{accepted} accepted, {refused} refused"
        );
    }

    /// The messages the compact checker shows (in the WebAssembly module) say what was
    /// expected, like `jsonschema`'s.
    #[test]
    fn messages_say_what_was_expected() {
        let doc = json!({
            "schema_version": 1,
            "organization": {"name": "", "as_of": "2026-02-30", "scope": ["security", "security"]},
            "people": [{"id": "p1", "name": "N", "kind": "robot", "email": "n@",
                        "employment": {"start_date": "2026-01-01"}}],
            "systems": [],
            "vendors": [{"id": "v1", "name": "V", "risk_tier": "low",
                         "contract": {"sla_uptime_percent": 100.5}}],
            "backups": [{"system_id": "s1", "frequency_hours": 0}],
            "evidence": [{"control_id": "CC6", "title": "t", "collected_on": "2026-01-01"}]
        });
        let found: Vec<String> = checker()
            .check(&doc)
            .into_iter()
            .map(|(pointer, message)| format!("{pointer}: {message}"))
            .collect();
        assert_eq!(
            found,
            [
                r#"/schema_version: "1" was expected"#,
                r#"/organization/name: "" is shorter than 1 character"#,
                r#"/organization/as_of: "2026-02-30" is not a "date""#,
                r#"/organization/scope: ["security","security"] has non-unique elements"#,
                r#"/people/0/kind: "robot" is not one of "employee" or "contractor""#,
                r#"/people/0/email: "n@" is not a "email""#,
                r#"/people/0/employment: "status" is a required property"#,
                r#"/vendors/0/contract/sla_uptime_percent: 100.5 is greater than the maximum of 100"#,
                r#"/backups/0/frequency_hours: 0 is less than or equal to the minimum of 0"#,
                r#"/evidence/0/control_id: "CC6" does not match "^(CC[1-9]|A1|C1|PI1|P[1-8])\.\d+$""#,
            ]
        );
    }

    /// A pack's extension changes nothing in how the two checkers agree: its collections
    /// and fields are checked alike.
    #[test]
    #[cfg(feature = "jsonschema")]
    fn extended_schemas_match_jsonschema() {
        let extension = json!({
            "properties": {
                "oncall": {"type": "array", "items": {"$ref": "#/$defs/shift"}},
                "accounts": {"items": {"properties": {"team": {"type": "string", "minLength": 1}}}},
                "people": {"items": {"properties": {"employment": {"properties": {
                    "grade": {"type": "integer", "minimum": 1, "maximum": 9}
                }}}}}
            },
            "$defs": {"shift": {
                "type": "object",
                "x-key": ["team", "starts_on"],
                "required": ["team", "starts_on"],
                "properties": {
                    "team": {"type": "string", "enum": ["sre", "db"]},
                    "starts_on": {"$ref": "#/$defs/date"},
                    "person_id": {"$ref": "#/$defs/optional_person_ref"},
                    "tags": {"type": "array", "uniqueItems": true, "items": {"type": "string", "pattern": "^[a-z]+$"}}
                }
            }}
        });
        let shipped = crate::facts::FactsSchema::shipped().unwrap();
        let schema = crate::facts::extension::extend(shipped, "t", &extension).unwrap();
        let lite = Checker::new(schema.document()).unwrap();
        let native = crate::schema::compile_value(schema.document()).unwrap();
        let docs = [
            json!({"schema_version": "1", "organization": {"name": "A"},
                   "oncall": [{"team": "sre", "starts_on": "2026-06-30"}]}),
            json!({"schema_version": "1", "organization": {"name": "A"},
                   "oncall": [{"team": "web", "starts_on": "2026-02-30", "person_id": "", "tags": ["a", "a", "B"]},
                              {"starts_on": 3}, "x"],
                   "accounts": [{"system_id": "s", "username": "u", "kind": "human", "status": "active", "team": ""}],
                   "people": [{"id": "p", "name": "N", "kind": "employee",
                               "employment": {"status": "active", "grade": 10}},
                              {"id": "q", "name": "M", "kind": "employee",
                               "employment": {"status": "active", "grade": 2.5}}]}),
            json!({"schema_version": "1", "organization": {"name": "A"}, "oncall": {"team": "sre"}}),
        ];
        for doc in docs {
            let mut mine: Vec<(String, String)> = lite
                .trace(&doc)
                .into_iter()
                .map(|(p, at, _)| (p, at.to_owned()))
                .collect();
            let mut theirs: Vec<(String, String)> = native
                .iter_errors(&doc)
                .map(|e| {
                    (
                        e.instance_path().as_str().to_owned(),
                        e.schema_path().as_str().to_owned(),
                    )
                })
                .collect();
            mine.sort();
            theirs.sort();
            assert_eq!(mine, theirs, "{doc:#}");
        }
    }

    #[test]
    fn unsupported_schema_keywords_are_refused() {
        let e = Checker::new(&json!({"type": "object", "anyOf": []})).err();
        assert!(e.unwrap().contains("anyOf"));
        let e = Checker::new(&json!({"type": "string", "pattern": "^a.b$"})).err();
        assert!(e.unwrap().contains("`.`"));
        let e = Checker::new(&json!({"$ref": "#/$defs/nope"})).err();
        assert!(e.unwrap().contains("does not exist"));
    }
}
