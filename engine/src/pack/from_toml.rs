//! Pack manifests, control catalogs and rule headers read from their TOML syntax tree,
//! field by field. Mistakes are worded as serde's derived readers word them (`missing field
//! `id``, `unknown variant `urgent`, expected one of ...`) and placed as they place them: an
//! unknown field at its key, a wrong value at the value, a missing field at its table.
//! Reading the tree directly keeps one small reader for these few shapes instead of a
//! deserializer compiled per type, which matters for the WebAssembly module's size; the
//! tests hold the readers to the derived ones.

use super::model::{Category, Frequency, Owner, ParamType, Severity};
use super::{Control, Manifest, ParamSpec, RuleMeta};
use indexmap::IndexMap;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// What is wrong in a document, and the byte offset where (when the parser knows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mistake {
    /// serde's wording of it.
    pub(crate) message: String,
    /// The byte offset of the key, value or table at fault.
    pub(crate) offset: Option<usize>,
}

type Read<T> = Result<T, Mistake>;

type Entry<'i> = Spanned<DeValue<'i>>;

/// `pack.toml`.
pub(crate) fn manifest(text: &str) -> Read<Manifest> {
    let doc = document(text)?;
    let (mut name, mut version) = (None, None);
    let mut m = Manifest {
        name: String::new(),
        version: String::new(),
        framework: String::new(),
        description: String::new(),
        extends: None,
        params: IndexMap::new(),
        set: IndexMap::new(),
        disable: IndexMap::new(),
    };
    const FIELDS: &[&str] = &[
        "name",
        "version",
        "framework",
        "description",
        "extends",
        "params",
        "set",
        "disable",
    ];
    fields(doc.get_ref(), FIELDS, &mut |key, v| {
        match key {
            "name" => name = Some(string(v)?),
            "version" => version = Some(string(v)?),
            "framework" => m.framework = string(v)?,
            "description" => m.description = string(v)?,
            "extends" => m.extends = Some(string(v)?),
            "params" => m.params = map(v, param_spec)?,
            "set" => m.set = map(v, json)?,
            _ => m.disable = map(v, string)?,
        }
        Ok(())
    })?;
    m.name = required(name, "name", &doc)?;
    m.version = required(version, "version", &doc)?;
    Ok(m)
}

/// The base a manifest's text names in `extends` (`None` when it names none or is not
/// TOML), read without checking the rest of it: a host resolves the base before loading.
pub fn declared_base(text: &str) -> Option<String> {
    let doc = DeTable::parse(text).ok()?;
    let (_, v) = doc
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref() == "extends")?;
    string(v).ok()
}

/// `controls.toml`: its `[[control]]` entries.
pub(crate) fn catalog(text: &str) -> Read<Vec<Control>> {
    let doc = document(text)?;
    let mut controls = None;
    fields(doc.get_ref(), &["control"], &mut |_, v| {
        controls = Some(list(v, "a sequence", control)?);
        Ok(())
    })?;
    required(controls, "control", &doc)
}

/// A rule's `//!` header.
pub(crate) fn rule_meta(text: &str) -> Read<RuleMeta> {
    let doc = document(text)?;
    let (mut id, mut title, mut controls, mut severity, mut owner, mut facts) =
        (None, None, None, None, None, None);
    let (mut remediation, mut frequency, mut rationale) = (None, None, None);
    let (mut params, mut reads) = (vec![], vec![]);
    const FIELDS: &[&str] = &[
        "id",
        "title",
        "controls",
        "severity",
        "owner",
        "frequency",
        "facts",
        "reads",
        "params",
        "remediation",
        "rationale",
    ];
    fields(doc.get_ref(), FIELDS, &mut |key, v| {
        match key {
            "id" => id = Some(string(v)?),
            "title" => title = Some(string(v)?),
            "controls" => controls = Some(list(v, "a sequence", string)?),
            "severity" => severity = Some(variant(v, &Severity::ALL, Severity::as_str)?),
            "owner" => owner = Some(variant(v, &Owner::ALL, Owner::as_str)?),
            "frequency" => frequency = Some(variant(v, &Frequency::ALL, Frequency::as_str)?),
            "facts" => facts = Some(list(v, "a sequence", string)?),
            "reads" => reads = list(v, "a sequence", string)?,
            "params" => params = list(v, "a sequence", string)?,
            "remediation" => remediation = Some(string(v)?),
            _ => rationale = Some(string(v)?),
        }
        Ok(())
    })?;
    Ok(RuleMeta {
        id: required(id, "id", &doc)?,
        title: required(title, "title", &doc)?,
        controls: required(controls, "controls", &doc)?,
        severity: required(severity, "severity", &doc)?,
        owner: required(owner, "owner", &doc)?,
        frequency,
        facts: required(facts, "facts", &doc)?,
        reads,
        params,
        remediation: required(remediation, "remediation", &doc)?,
        rationale,
    })
}

/// One `[[control]]` entry.
fn control(v: &Entry<'_>) -> Read<Control> {
    let t = table(v, "struct Control")?;
    let (mut id, mut category, mut group, mut title, mut evidence_owner) =
        (None, None, None, None, None);
    const FIELDS: &[&str] = &["id", "category", "group", "title", "evidence_owner"];
    fields(t, FIELDS, &mut |key, v| {
        match key {
            "id" => id = Some(string(v)?),
            "category" => category = Some(variant(v, &Category::ALL, Category::as_str)?),
            "group" => group = Some(string(v)?),
            "title" => title = Some(string(v)?),
            _ => evidence_owner = Some(variant(v, &Owner::ALL, Owner::as_str)?),
        }
        Ok(())
    })?;
    Ok(Control {
        id: required(id, "id", v)?,
        category: required(category, "category", v)?,
        group: required(group, "group", v)?,
        title: required(title, "title", v)?,
        evidence_owner,
    })
}

/// One `[params.<name>]` entry.
fn param_spec(v: &Entry<'_>) -> Read<ParamSpec> {
    let t = table(v, "struct ParamSpec")?;
    let (mut kind, mut default, mut description, mut values) = (None, None, None, None);
    let names = ["type", "default", "description", "values"];
    fields(t, &names, &mut |key, v| {
        match key {
            "type" => kind = Some(variant(v, &ParamType::ALL, ParamType::as_str)?),
            "default" => default = Some(json(v)?),
            "values" => values = Some(list(v, "a list of strings", string)?),
            _ => description = Some(string(v)?),
        }
        Ok(())
    })?;
    Ok(ParamSpec {
        kind: required(kind, "type", v)?,
        default: required(default, "default", v)?,
        description: required(description, "description", v)?,
        values,
    })
}

/// The parsed document, or the parser's mistake.
fn document(text: &str) -> Read<Spanned<DeTable<'_>>> {
    DeTable::parse(text).map_err(|e| Mistake {
        message: e.message().to_owned(),
        offset: e.span().map(|s| s.start),
    })
}

/// Hands each entry of `t` to `field` in the document's order; an entry whose key is not one
/// of `names` is a mistake at its key.
fn fields(
    t: &DeTable<'_>,
    names: &[&str],
    field: &mut dyn FnMut(&str, &Entry<'_>) -> Read<()>,
) -> Read<()> {
    for (key, v) in t {
        let name = key.get_ref().as_ref();
        if !names.contains(&name) {
            let message = format!("unknown field `{name}`, expected {}", one_of(names));
            return Err(at(key, message));
        }
        field(name, v)?;
    }
    Ok(())
}

/// A required field's value, or the mistake of its absence, placed at its table.
fn required<T, S>(value: Option<T>, name: &str, table: &Spanned<S>) -> Read<T> {
    value.ok_or_else(|| at(table, format!("missing field `{name}`")))
}

/// serde's list of the names it expected: "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
fn one_of(names: &[&str]) -> String {
    match names {
        [] => "nothing".to_owned(),
        [one] => format!("`{one}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => format!("one of `{}`", names.join("`, `")),
    }
}

fn at<S>(place: &Spanned<S>, message: String) -> Mistake {
    Mistake {
        message,
        offset: Some(place.span().start),
    }
}

/// The mistake of a value of the wrong type.
fn wrong_type(v: &Entry<'_>, expected: &str) -> Mistake {
    at(
        v,
        format!("invalid type: {}, expected {expected}", shown(v.get_ref())),
    )
}

/// A value as serde names it in a mistake (`integer `3``, `string "x"`, `sequence`).
fn shown(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("string {s:?}"),
        DeValue::Integer(i) => match integer(v) {
            Ok(n) => format!("integer `{n}`"),
            Err(_) => format!("integer `{}`", i.as_str()),
        },
        DeValue::Float(f) => {
            let text = float(f.as_str()).map_or_else(|| f.as_str().to_owned(), |x| x.to_string());
            let point = text.contains(['.', 'e', 'E', 'i', 'N']);
            format!("floating point `{text}{}`", if point { "" } else { ".0" })
        }
        DeValue::Boolean(b) => format!("boolean `{b}`"),
        DeValue::Datetime(d) => format!("datetime `{d}`"),
        DeValue::Array(_) => "sequence".to_owned(),
        DeValue::Table(_) => "map".to_owned(),
    }
}

fn string(v: &Entry<'_>) -> Read<String> {
    match v.get_ref() {
        DeValue::String(s) => Ok(s.clone().into_owned()),
        _ => Err(wrong_type(v, "a string")),
    }
}

fn table<'a, 'i>(v: &'a Entry<'i>, expected: &str) -> Read<&'a DeTable<'i>> {
    match v.get_ref() {
        DeValue::Table(t) => Ok(t),
        _ => Err(wrong_type(v, expected)),
    }
}

/// An array, each element read by `item`.
fn list<T>(v: &Entry<'_>, expected: &str, item: fn(&Entry<'_>) -> Read<T>) -> Read<Vec<T>> {
    match v.get_ref() {
        DeValue::Array(items) => items.iter().map(item).collect(),
        _ => Err(wrong_type(v, expected)),
    }
}

/// A table of named values, each read by `item`, in the document's order.
fn map<T>(v: &Entry<'_>, item: fn(&Entry<'_>) -> Read<T>) -> Read<IndexMap<String, T>> {
    let t = table(v, "a map")?;
    let mut out = IndexMap::with_capacity(t.len());
    for (key, v) in t {
        out.insert(key.get_ref().clone().into_owned(), item(v)?);
    }
    Ok(out)
}

/// One of an enum's names; `name` gives each variant's.
fn variant<E: Copy>(v: &Entry<'_>, all: &[E], name: fn(E) -> &'static str) -> Read<E> {
    let names: Vec<&str> = all.iter().map(|e| name(*e)).collect();
    match v.get_ref() {
        DeValue::String(s) => match names.iter().position(|n| n == s) {
            Some(i) => Ok(all[i]),
            None => Err(at(
                v,
                format!("unknown variant `{s}`, expected {}", one_of(&names)),
            )),
        },
        _ => Err(wrong_type(v, &format!("a string: {}", one_of(&names)))),
    }
}

/// A TOML integer as a JSON number (signed when it fits, else unsigned), or what is wrong
/// with it.
fn integer(v: &DeValue<'_>) -> Result<serde_json::Number, &'static str> {
    let DeValue::Integer(i) = v else {
        return Err("not an integer");
    };
    let (text, radix) = (i.as_str(), i.radix());
    if let Ok(n) = i64::from_str_radix(text, radix) {
        Ok(n.into())
    } else if let Ok(n) = u64::from_str_radix(text, radix) {
        Ok(n.into())
    } else if i128::from_str_radix(text, radix).is_ok() || u128::from_str_radix(text, radix).is_ok()
    {
        Err("JSON number out of range")
    } else {
        Err("integer number overflowed")
    }
}

/// A TOML float's value: `None` when it overflows (a literal `inf` is infinite on purpose).
fn float(text: &str) -> Option<f64> {
    let f: f64 = text.parse().ok()?;
    (!f.is_infinite() || text.contains("inf")).then_some(f)
}

/// Any value, as JSON: a date or time becomes its text, a float that JSON cannot hold
/// (`nan`, `inf`) null.
fn json(v: &Entry<'_>) -> Read<serde_json::Value> {
    use serde_json::Value;
    Ok(match v.get_ref() {
        DeValue::String(s) => Value::String(s.clone().into_owned()),
        DeValue::Integer(_) => {
            Value::Number(integer(v.get_ref()).map_err(|e| at(v, e.to_owned()))?)
        }
        DeValue::Float(f) => match float(f.as_str()) {
            Some(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
            None => return Err(at(v, "floating-point number overflowed".to_owned())),
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(items) => Value::Array(items.iter().map(json).collect::<Read<_>>()?),
        DeValue::Table(t) => {
            let mut out = serde_json::Map::new();
            for (key, v) in t {
                out.insert(key.get_ref().clone().into_owned(), json(v)?);
            }
            Value::Object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Serialize};

    /// `controls.toml` as serde reads it.
    #[derive(Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Catalog {
        control: Vec<Control>,
    }

    /// serde's derived reader over the same text: the reference.
    fn reference<T: DeserializeOwned>(text: &str) -> Read<T> {
        toml::from_str::<T>(text).map_err(|e| Mistake {
            message: e.message().to_owned(),
            offset: e.span().map(|s| s.start),
        })
    }

    /// Files of the built-in pack: its manifest, its catalog, and rules whose headers use
    /// every field.
    const SOC2_MANIFEST: &str = include_str!("../../../rules/soc2/pack.toml");
    const SOC2_CATALOG: &str = include_str!("../../../rules/soc2/controls.toml");
    const SOC2_RULES: [&str; 3] = [
        include_str!("../../../rules/soc2/rules/backups/recent-success.rhai"),
        include_str!("../../../rules/soc2/rules/vendors/lapsing.rhai"),
        include_str!("../../../rules/soc2/rules/access/grant-approval.rhai"),
    ];

    /// A rule file's `//!` header as TOML.
    fn header(source: &str) -> String {
        let lines = source.lines().map_while(|l| l.strip_prefix("//!"));
        lines
            .map(|l| l.trim_start_matches(' '))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn as_json<T: serde::Serialize>(r: Read<T>) -> Result<serde_json::Value, Mistake> {
        r.map(|v| serde_json::to_value(v).unwrap())
    }

    #[test]
    fn the_built_in_pack_reads_as_serde_reads_it() {
        let m = SOC2_MANIFEST;
        assert_eq!(as_json(manifest(m)), as_json(reference::<Manifest>(m)));
        assert!(!manifest(m).unwrap().params.is_empty());
        let c = SOC2_CATALOG;
        let controls = catalog(c).unwrap();
        assert_eq!(controls.len(), 61);
        assert_eq!(
            as_json(Ok(controls)),
            as_json(reference::<Catalog>(c).map(|c| c.control))
        );
        for source in SOC2_RULES {
            let h = header(source);
            assert_eq!(rule_meta(&h), reference::<RuleMeta>(&h), "{h}");
            assert!(rule_meta(&h).is_ok(), "{h}");
        }
    }

    const RULE: &str = "id = \"x.y\"\ntitle = \"T\"\ncontrols = [\"CC6.1\"]\nseverity = \"high\"\nowner = \"IT\"\nfacts = [\"accounts\"]\nremediation = \"Fix it.\"\n";

    const MANIFEST: &str = "name = \"p\"\nversion = \"1\"\nextends = \"soc2\"\n[params.limit]\ntype = \"days\"\ndefault = 90\ndescription = \"d\"\n[set]\nlimit = 30\n[disable]\n\"a.b\" = \"why\"\n";

    const CATALOG: &str = "[[control]]\nid = \"CC1.1\"\ncategory = \"security\"\ngroup = \"g\"\ntitle = \"t\"\n\n[[control]]\nid = \"C1.1\"\ncategory = \"confidentiality\"\ngroup = \"g\"\ntitle = \"t\"\nevidence_owner = \"Legal\"\n";

    /// Each document with one line replaced (`from` to `to`), or added (`from` empty).
    fn variants(doc: &str, edits: &[(&str, &str)]) -> Vec<String> {
        edits
            .iter()
            .map(|(from, to)| match *from {
                "" => format!("{to}\n{doc}"),
                from => {
                    assert!(doc.contains(from), "{from}");
                    doc.replacen(from, to, 1)
                }
            })
            .collect()
    }

    /// Whether the mistake is one the readers word better than serde: a value where a name
    /// of an enum is expected (toml says "wanted string or table"), or a date where a string
    /// is (serde calls it a map).
    fn worded_better(doc: &str) -> bool {
        doc.contains("severity = 3")
            || doc.contains("owner = true")
            || doc.contains("category = [")
            || doc.contains("type = 1")
            || doc.contains("= 1979-05-27")
    }

    fn compare<T: DeserializeOwned + serde::Serialize>(doc: &str, ours: fn(&str) -> Read<T>) {
        let (ours, theirs) = (as_json(ours(doc)), as_json(reference::<T>(doc)));
        match (&ours, &theirs) {
            (Ok(_), _) | (_, Ok(_)) => assert_eq!(ours, theirs, "{doc}"),
            (Err(a), Err(b)) if worded_better(doc) => {
                assert_eq!(a.offset, b.offset, "{doc}");
                assert_ne!(a.message, b.message, "{doc}");
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{doc}"),
        }
    }

    /// `ours` reads `doc` and each of `docs` as serde does.
    fn holds<T: DeserializeOwned + serde::Serialize>(
        doc: &str,
        docs: &[String],
        ours: fn(&str) -> Read<T>,
    ) {
        compare(doc, ours);
        for d in docs {
            compare(d, ours);
        }
    }

    #[test]
    fn rule_headers_read_and_fail_as_serde_reads_them() {
        let docs = variants(
            RULE,
            &[
                ("", "frequency = \"quarterly\""),
                ("", "params = [\"limit\", \"other\"]"),
                ("", "rationale = \"\"\"Why\nit matters\"\"\""),
                ("", "urgency = \"now\""),
                ("", "frequency = \"hourly\""),
                ("", "params = \"limit\""),
                ("", "params = [\"a\", 2]"),
                ("", "reads = [\"devices\", \"training\"]"),
                ("", "reads = \"devices\""),
                ("id = \"x.y\"\n", ""),
                ("title = \"T\"\n", ""),
                ("facts = [\"accounts\"]\n", ""),
                ("remediation = \"Fix it.\"\n", ""),
                ("\"high\"", "\"urgent\""),
                ("\"high\"", "3"),
                ("\"IT\"", "\"it\""),
                ("\"IT\"", "true"),
                ("\"T\"", "1.5"),
                ("\"T\"", "2.0"),
                ("\"T\"", "-7"),
                ("\"T\"", "{ a = 1 }"),
                ("\"T\"", "1979-05-27"),
                ("[\"CC6.1\"]", "\"CC6.1\""),
                ("[\"CC6.1\"]", "[\"CC6.1\", 6.1]"),
                ("[\"CC6.1\"]", "[]"),
                ("\"x.y\"", "\"x.y"),
                ("", "id = \"twice\""),
            ],
        );
        holds(RULE, &docs, rule_meta);
    }

    #[test]
    fn manifests_read_and_fail_as_serde_reads_them() {
        let docs = variants(
            MANIFEST,
            &[
                ("", "framework = \"SOC 2\"\ndescription = \"d\""),
                ("", "homepage = \"x\""),
                ("name = \"p\"\n", ""),
                ("version = \"1\"\n", ""),
                ("version = \"1\"", "version = 1"),
                ("extends = \"soc2\"", "extends = [\"soc2\"]"),
                ("type = \"days\"", "type = \"weeks\""),
                ("type = \"days\"", "type = 1"),
                ("type = \"days\"\n", ""),
                ("description = \"d\"\n", "summary = \"d\"\n"),
                ("[params.limit]", "[params]\nlimit = 3\n[params.other]"),
                (
                    "limit = 30",
                    "limit = [1, 0x1f, 0o17, 0b101, -3, 9223372036854775807]",
                ),
                ("limit = 30", "limit = 18446744073709551615"),
                ("limit = 30", "limit = 1e400"),
                ("limit = 30", "limit = 99999999999999999999999"),
                (
                    "limit = 30",
                    "limit = [1.5, 2.0, -0.0, 1e3, nan, inf, -inf]",
                ),
                ("limit = 30", "limit = { b = true, a = [\"x\", { c = 1 }] }"),
                ("limit = 30", "z = 1\nlimit = 2\na = 3"),
                ("\"a.b\" = \"why\"", "\"a.b\" = 1"),
                ("[disable]", "[disable.x]"),
                ("[set]", "set = 1\n[other]"),
            ],
        );
        holds(MANIFEST, &docs, manifest);
    }

    #[test]
    fn catalogs_read_and_fail_as_serde_reads_them() {
        let docs = variants(
            CATALOG,
            &[
                ("", "version = 1"),
                ("id = \"CC1.1\"\n", ""),
                ("title = \"t\"\nevidence_owner", "evidence_owner"),
                ("\"security\"", "\"Security\""),
                ("\"security\"", "[1]"),
                ("\"Legal\"", "\"Lawyers\""),
                ("group = \"g\"", "group = \"g\"\ngroupe = \"h\""),
                ("[[control]]\nid = \"CC1.1\"", "[control]\nid = \"CC1.1\""),
            ],
        );
        let whole = |t: &str| catalog(t).map(|control| Catalog { control });
        compare::<Catalog>("", whole);
        holds(CATALOG, &docs, whole);
    }

    #[test]
    fn values_serde_cannot_give_json_are_read_as_their_text() {
        let doc = MANIFEST.replace("limit = 30", "limit = 1979-05-27T07:32:00Z");
        let ours = manifest(&doc).unwrap();
        assert_eq!(ours.set["limit"], "1979-05-27T07:32:00Z");
        let doc = MANIFEST.replace("limit = 30", "limit = [nan, inf]");
        assert_eq!(
            manifest(&doc).unwrap().set["limit"],
            serde_json::json!([null, null])
        );
    }

    #[test]
    fn the_declared_base_is_read_from_any_manifest() {
        assert_eq!(declared_base(MANIFEST).as_deref(), Some("soc2"));
        let unfinished = "extends = \"soc2\"\nparams = 3\n";
        assert_eq!(declared_base(unfinished).as_deref(), Some("soc2"));
        assert_eq!(declared_base("name = \"p\"\n"), None);
        assert_eq!(declared_base("extends = 1\n"), None);
        assert_eq!(declared_base("extends = [\"soc2\""), None);
    }

    #[test]
    fn values_nested_past_the_parsers_limit_are_a_mistake_not_a_stack_overflow() {
        let head = "name = \"p\"\nversion = \"1\"\n";
        let nested = |n: usize| format!("{head}[set]\nx = {}1{}\n", "[".repeat(n), "]".repeat(n));
        let read = manifest(&nested(10)).unwrap();
        let mut depth = 0;
        let mut v = &read.set["x"];
        while let Some([inner]) = v.as_array().map(Vec::as_slice) {
            (depth, v) = (depth + 1, inner);
        }
        assert_eq!((depth, v), (10, &serde_json::json!(1)));
        for doc in [
            nested(100_000),
            format!(
                "{head}[set.x{}]\ny{} = 1\n",
                ".a".repeat(100_000),
                ".b".repeat(100_000)
            ),
        ] {
            let e = manifest(&doc).unwrap_err();
            assert!(e.message.contains("recurs"), "{e:?}");
        }
    }
}
