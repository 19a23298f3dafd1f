//! A record's JSON text straight into the rules' tree, with no `serde_json::Value` between
//! them: field names and short strings shared through the [`Builder`], every object and
//! array given its JSON Pointer, a key given twice in one object refused as
//! [`super::json::parse`] refuses it.

use super::tree::{Builder, List, Node, Place, Record, Scratch, push_escaped, push_index};
use rhai::ImmutableString;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// A record parsed into the tree.
pub(super) struct Parsed {
    /// The record.
    pub(super) node: Node,
    /// Whether a number lost precision on the way (an integer above `i64::MAX`, kept as a
    /// float): such a record is checked from its text by the exact path.
    pub(super) lossy: bool,
}

/// Parses `text`, record `index` of the top-level collection at `list`, whose pointer is
/// in `pointer` (`/accounts/3`), into the tree (`pointer` is left as it was).
pub(super) fn parse_record(
    text: &str,
    builder: &mut Builder<'_>,
    pointer: &mut String,
    (list, index): (&ImmutableString, usize),
) -> Result<Parsed, serde_json::Error> {
    let Scratch {
        names,
        values,
        items,
    } = std::mem::take(&mut builder.scratch);
    let mut ctx = Ctx {
        builder,
        pointer,
        lossy: false,
        names,
        values,
        items,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let node = Seed {
        ctx: &mut ctx,
        depth: 2,
        segment: Segment::Record(list, index),
    }
    .deserialize(&mut de)
    .and_then(|node| de.end().map(|()| node));
    // Back to the builder for the next record, empty (a parse that failed leaves some).
    let Ctx {
        builder,
        mut names,
        mut values,
        mut items,
        lossy,
        ..
    } = ctx;
    names.clear();
    values.clear();
    items.clear();
    builder.scratch = Scratch {
        names,
        values,
        items,
    };
    Ok(Parsed { node: node?, lossy })
}

/// What the parse shares while it descends.
struct Ctx<'b, 't> {
    builder: &'b mut Builder<'t>,
    /// The pointer of the value being parsed's parent.
    pointer: &'b mut String,
    lossy: bool,
    /// The field names and values of the objects being parsed, innermost last: each
    /// object's names are shared through the builder and its values moved into a vector of
    /// their exact size when it ends.
    names: Vec<ImmutableString>,
    values: Vec<Node>,
    /// The same for the items of arrays.
    items: Vec<Node>,
}

/// How a value's pointer extends its parent's (borrowed: only an object keeps what it
/// needs of it, in its place).
enum Segment<'s> {
    /// The record itself, an item of the list at the pointer given (its own pointer is
    /// already written out).
    Record(&'s ImmutableString, usize),
    /// The `usize`-th field of its object.
    Key(&'s ImmutableString, usize),
    /// An item of the list at the pointer given.
    Index(&'s ImmutableString, usize),
}

/// Fields of an object compared one by one for a repeated key; more are hashed.
const LINEAR_FIELDS: usize = 32;

/// One value, at `depth` (the record's fields are at 3), and the segment it adds to the
/// pointer.
struct Seed<'c, 'b, 't, 's> {
    ctx: &'c mut Ctx<'b, 't>,
    depth: usize,
    segment: Segment<'s>,
}

impl Seed<'_, '_, '_, '_> {
    /// Extends the pointer by this value's segment; returns the length to truncate back to.
    fn enter(&mut self) -> usize {
        let len = self.ctx.pointer.len();
        match &self.segment {
            Segment::Record(..) => {}
            Segment::Key(name, _) => {
                self.ctx.pointer.push('/');
                push_escaped(self.ctx.pointer, name);
            }
            Segment::Index(_, i) => push_index(self.ctx.pointer, *i),
        }
        len
    }

    /// Where an object with this segment is (called once the pointer is extended).
    fn place(&self) -> Place {
        match &self.segment {
            Segment::Record(list, i) | Segment::Index(list, i) => Place::item(list, *i),
            Segment::Key(..) => Place::Whole(self.ctx.pointer.as_str().into()),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_, '_, '_> {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_, '_, '_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => Node::Int(i),
            Err(_) => {
                self.ctx.lossy = true;
                #[allow(clippy::cast_precision_loss)]
                Node::Float(v as f64)
            }
        })
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(if v.is_finite() {
            Node::Float(v)
        } else {
            Node::Null
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        let builder = &mut self.ctx.builder;
        Ok(Node::text(v, |v| match self.segment {
            Segment::Key(_, index) => builder.field_text(self.depth - 1, index, v),
            _ => builder.text_of(v),
        }))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Node, A::Error> {
        let len = self.enter();
        let here = ImmutableString::from(self.ctx.pointer.as_str());
        let start = self.ctx.items.len();
        let mut i = 0;
        while let Some(item) = seq.next_element_seed(Seed {
            ctx: self.ctx,
            depth: self.depth + 1,
            segment: Segment::Index(&here, i),
        })? {
            self.ctx.items.push(item);
            i += 1;
        }
        let items = self.ctx.items.drain(start..).collect();
        self.ctx.pointer.truncate(len);
        Ok(Node::List(List::new(here, items)))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Node, A::Error> {
        let len = self.enter();
        let place = self.place();
        let start = self.ctx.names.len();
        let mut hashed: Option<HashSet<ImmutableString>> = None;
        while let Some(name) = map.next_key_seed(Key {
            builder: self.ctx.builder,
            depth: self.depth,
            index: self.ctx.names.len() - start,
        })? {
            let fields = &self.ctx.names[start..];
            let repeated = match &mut hashed {
                Some(seen) => !seen.insert(name.clone()),
                // The builder gives equal names one shared string: the same pointer.
                None => fields.iter().any(|f| f.ptr_eq(&name)),
            };
            if repeated {
                return Err(super::json::repeated_key(&name));
            }
            if hashed.is_none() && fields.len() >= LINEAR_FIELDS {
                let mut seen: HashSet<ImmutableString> = fields.iter().cloned().collect();
                seen.insert(name.clone());
                hashed = Some(seen);
            }
            let index = fields.len();
            let value = map.next_value_seed(Seed {
                ctx: self.ctx,
                depth: self.depth + 1,
                segment: Segment::Key(&name, index),
            })?;
            self.ctx.names.push(name);
            self.ctx.values.push(value);
        }
        let names = self.ctx.builder.names(self.depth, &self.ctx.names[start..]);
        self.ctx.names.truncate(start);
        let values = self.ctx.values.drain(start..);
        self.ctx.pointer.truncate(len);
        Ok(Node::Record(Record::new(place, names, values)))
    }
}

/// The `index`-th key of an object at `depth`, shared through the builder.
struct Key<'b, 't> {
    builder: &'b mut Builder<'t>,
    depth: usize,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for Key<'_, '_> {
    type Value = ImmutableString;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ImmutableString, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_, '_> {
    type Value = ImmutableString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<ImmutableString, E> {
        Ok(self.builder.name(self.depth, self.index, v))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_record;
    use crate::facts::tree::{Builder, Node};
    use rhai::ImmutableString;

    /// The list and index of the record at `pointer` (`/people/7`).
    fn item(pointer: &str) -> (ImmutableString, usize) {
        let (list, index) = pointer.rsplit_once('/').unwrap();
        (list.into(), index.parse().unwrap())
    }

    /// The tree the exact path builds: parsed to a value, then converted.
    fn converted(text: &str, pointer: &str) -> Node {
        let value = crate::facts::json::parse(text).unwrap();
        let (list, index) = item(pointer);
        Builder::default().record(value, &mut pointer.to_owned(), (&list, index))
    }

    fn parsed(text: &str, pointer: &str) -> (Node, bool) {
        let mut at = pointer.to_owned();
        let (list, index) = item(pointer);
        let out = parse_record(text, &mut Builder::default(), &mut at, (&list, index)).unwrap();
        assert_eq!(at, pointer, "the pointer is restored");
        (out.node, out.lossy)
    }

    #[test]
    fn builds_the_tree_the_value_path_builds() {
        let text = r#"{"id": "a/b~c", "n": -3, "big": 9223372036854775807, "x": 1.5,
            "ok": true, "none": null, "list": [1, {"k": "v", "deep": [[], {}]}],
            "employment": {"status": "active", "a/b": {"c~": []}}, "s": "caf\u00e9\n"}"#;
        let (node, lossy) = parsed(text, "/people/7");
        assert!(!lossy);
        assert_eq!(
            format!("{node:?}"),
            format!("{:?}", converted(text, "/people/7"))
        );
    }

    /// The string field `name` of `node`.
    fn text(node: &Node, name: &str) -> ImmutableString {
        match node.as_record().and_then(|r| r.get(name)) {
            Some(Node::Str(s)) => s.clone(),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn a_field_whose_strings_never_repeat_stops_being_shared_and_the_others_stay_shared() {
        let mut builder = Builder::default();
        let list = ImmutableString::from("/people");
        let mut record = |i: usize, id: &str| {
            // Strings longer than those held in place (14 bytes), which are shared.
            let text = format!(
                r#"{{"id": "{id}", "status": "active-in-the-org", "tags": ["a-tag-of-some-length"], "on": "2026-12-05"}}"#
            );
            let mut at = format!("/people/{i}");
            parse_record(&text, &mut builder, &mut at, (&list, i))
                .unwrap()
                .node
        };
        let id = |i: usize| format!("person-{i:09}");
        let first = record(0, &id(0));
        // While the field is new, an id seen before is shared.
        let again = record(1, &id(0));
        assert!(text(&first, "id").ptr_eq(&text(&again, "id")));
        let records: Vec<Node> = (2..200).map(|i| record(i, &id(i))).collect();
        // After enough unique ids, ids are no longer looked up: equal, not shared.
        let late = record(200, &id(150));
        assert_eq!(text(&late, "id"), text(&records[148], "id"));
        assert!(!text(&late, "id").ptr_eq(&text(&records[148], "id")));
        // A field whose strings repeat stays shared, and so do strings in lists.
        assert!(text(&late, "status").ptr_eq(&text(&first, "status")));
        let tag = |n: &Node| match n.as_record().and_then(|r| r.get("tags")) {
            Some(Node::List(l)) => l.items()[0].clone(),
            other => panic!("{other:?}"),
        };
        let (Node::Str(a), Node::Str(b)) = (tag(&late), tag(&first)) else {
            panic!("tags");
        };
        assert!(a.ptr_eq(&b));
        // A date is held in place.
        let on = late.as_record().and_then(|r| r.get("on"));
        assert!(
            matches!(on, Some(Node::Short(s)) if s.as_str() == "2026-12-05"),
            "{on:?}"
        );
    }

    #[test]
    fn an_integer_beyond_i64_is_lossy() {
        let (node, lossy) = parsed(r#"{"n": 18446744073709551615}"#, "/x/0");
        assert!(lossy);
        assert_eq!(
            format!("{node:?}"),
            format!("{:?}", converted(r#"{"n": 18446744073709551615}"#, "/x/0"))
        );
    }

    #[test]
    fn a_repeated_key_is_the_error_the_value_path_gives() {
        let many: String = (0..40).map(|i| format!("\"f{i}\": {i},")).collect();
        for text in [
            "{\"mfa\": false,\n \"mfa\": true}".to_owned(),
            format!("{{{many}\n\"f3\": 1}}"),
            "{\"a\": {\"b\": 1, \"b\": 2}}".to_owned(),
        ] {
            let (list, index) = item("/x/0");
            let direct = parse_record(
                &text,
                &mut Builder::default(),
                &mut "/x/0".into(),
                (&list, index),
            )
            .err()
            .unwrap();
            let value = crate::facts::json::parse(&text).unwrap_err();
            assert_eq!(direct.to_string(), value.to_string(), "{text}");
        }
        let mut at = String::from("/x/0");
        let (list, index) = item("/x/0");
        assert!(
            parse_record(
                "{\"a\": 1} x",
                &mut Builder::default(),
                &mut at,
                (&list, index)
            )
            .is_err()
        );
    }
}
