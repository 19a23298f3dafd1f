//! Mapping files (`--mapping MAP.toml`): how the rows of any CSV export become records of a
//! facts collection. Each field of the record says where its value comes from (a column,
//! several columns through a template, or a constant) and how the text becomes the value:
//! a value map, a date format, a list separator, a link to a person by email. The type of
//! each field comes from the facts schema (a date, a boolean, a number, a list...), so a
//! mapping says only what differs from the obvious.
//!
//! ```toml
//! collection = "people"            # the facts collection the rows become
//! delimiter = ","                  # optional: the CSV delimiter (";", "\t"...)
//!
//! [[keep]]                         # optional: only the rows with one of these values
//! column = "Status"
//! values = ["Completed"]           # trimmed, any case, as `values` maps compare
//!
//! [[skip]]                         # optional: rows left out, by a column's value
//! column = "Type"
//! values = ["Test"]
//!
//! [fields.id]
//! column = "Employee #"
//!
//! [fields.name]
//! template = "{First Name} {Last Name}"
//!
//! [fields.kind]
//! column = "Employment Status"
//! values = { "Full-Time" = "employee", "Contractor" = "contractor" }
//!
//! [fields."employment.start_date"]
//! column = "Hire Date"
//! format = "%m/%d/%Y"              # strftime (a time part is read and left); default: ISO 8601
//! ```
//!
//! A field's keys: `column`, `template` or `value` (one of them); `values` (cell text to
//! value) and `unmapped` (`error`, the default, or `keep`: a value the map does not list
//! is used as it is); `default` (for an empty cell); `empty` (more texts that count as
//! empty, such as `N/A`; `""` says a blank cell is empty where one is refused otherwise,
//! [`NULL_IS_AN_EVENT`]); `required` (an empty cell is an error); `format` (dates);
//! `separator` (lists, default `;`); `link = "email"` (the cell is an email; the field gets
//! the id of the person with that email, from `--people`); `unlinked` (`error` or
//! `skip-row`: what an email of nobody does, where the schema requires the field; elsewhere
//! the field is left out and the record kept, [`Unlinked`]); `type` (`string`, `date`,
//! `boolean`, `integer`, `number`, `list`) for a field the schema does not type.

use super::Problem;
use super::records::{item_schema, resolve};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    collection: Spanned<String>,
    #[serde(default)]
    delimiter: Option<Spanned<String>>,
    #[serde(default)]
    keep: Vec<SkipSpec>,
    #[serde(default)]
    skip: Vec<SkipSpec>,
    fields: IndexMap<String, Spanned<FieldSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipSpec {
    column: String,
    values: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    column: Option<String>,
    template: Option<Spanned<String>>,
    value: Option<Spanned<toml::Value>>,
    default: Option<Spanned<toml::Value>>,
    values: Option<IndexMap<String, Spanned<toml::Value>>>,
    unmapped: Option<Spanned<String>>,
    #[serde(default)]
    empty: Vec<String>,
    #[serde(default)]
    required: bool,
    format: Option<Spanned<String>>,
    separator: Option<String>,
    link: Option<Spanned<String>>,
    unlinked: Option<Spanned<String>>,
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
}

/// A mapping, checked against the facts schema.
#[derive(Debug)]
pub struct Mapping {
    /// The collection the rows become.
    pub collection: String,
    /// The CSV delimiter.
    pub delimiter: u8,
    /// Rows kept: a column, and the values that keep a row (a row must pass each).
    pub keep: Vec<(String, Vec<String>)>,
    /// Rows left out: a column, and the values that leave a row out.
    pub skip: Vec<(String, Vec<String>)>,
    /// The fields, by path (records are written in facts-v1's order whatever this one).
    pub fields: Vec<Field>,
}

/// Where a field's text comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A column.
    Column(String),
    /// Columns put into a text (`{First Name} {Last Name}`): the pieces, each a literal or a
    /// column.
    Template(Vec<Piece>),
    /// A constant.
    Value(Value),
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text as written.
    Text(String),
    /// A column's cell.
    Column(String),
}

/// A field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// Text as it is.
    String,
    /// `YYYY-MM-DD`.
    Date,
    /// true or false.
    Boolean,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// A list of values of a type.
    List(Box<Type>),
}

impl Type {
    fn name(&self) -> String {
        match self {
            Type::String => "a string".to_owned(),
            Type::Date => "a date".to_owned(),
            Type::Boolean => "true or false".to_owned(),
            Type::Integer => "a whole number".to_owned(),
            Type::Number => "a number".to_owned(),
            Type::List(item) => format!("a list of {}", item.name().trim_start_matches("a ")),
        }
    }
}

/// One field of the records.
#[derive(Debug)]
pub struct Field {
    /// Its dotted path in the record (`employment.status`).
    pub path: String,
    /// Where its text comes from.
    pub source: Source,
    /// Its type.
    pub kind: Type,
    /// Cell text to value; with `keep_unmapped`, other texts are converted as they are.
    pub values: Option<IndexMap<String, Value>>,
    /// Whether a text `values` does not list is used as it is (else it is an error).
    pub keep_unmapped: bool,
    /// The value of an empty cell.
    pub default: Option<Value>,
    /// Texts that count as empty.
    pub empty: Vec<String>,
    /// Whether an empty cell (without a default) is an error.
    pub required: bool,
    /// Whether the schema requires the field (and the objects it is in): an empty cell
    /// without a default is then an error too, at the cell, rather than a record the
    /// schema refuses at its row.
    pub schema_required: bool,
    /// The `strftime` format of dates.
    pub format: Option<String>,
    /// The separator of list items.
    pub separator: String,
    /// Whether the cell is an email to link to a person's id.
    pub link: bool,
    /// What an email of nobody does, for a `link` field.
    pub unlinked: Unlinked,
    /// What its null says, for a field of [`NULL_IS_AN_EVENT`]: a blank cell is then refused
    /// unless the mapping says what it means (a `default`, or `""` in `empty`).
    pub null_says: Option<&'static str>,
}

/// What a `link = "email"` field does with an email that is nobody's in `--people`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlinked {
    /// The field is left out and the record kept (and listed): the default where the schema
    /// does not require the field. An account of nobody is kept, and fails
    /// `access.orphaned-accounts`: rows of it are never left out.
    LeaveEmpty,
    /// The import is refused at the cell: the default where the schema requires the field
    /// (a training record without its person means nothing).
    Error,
    /// The row is left out, and listed (`unlinked = "skip-row"`): only where the schema
    /// requires the field, and only when the mapping says so.
    SkipRow,
}

/// The fields (collection, path, what null says) whose null the rules read as an event, not
/// as "not known":
/// an account's `last_login_on` is null when it was never used, which
/// `access.inactive-accounts` judges by its creation date. A blank cell there is refused
/// unless the mapping says what a blank means: the export's text for "never" is listed in
/// `empty` (`empty = ["Never"]`), and a blank taken for it only when `empty` lists `""` too.
pub const NULL_IS_AN_EVENT: [(&str, &str, &str); 1] =
    [("accounts", "last_login_on", "the account was never used")];

impl Mapping {
    /// Reads the mapping file `name` (text `text`) against the facts schema `schema`.
    pub fn parse(name: &str, text: &str, schema: &Value) -> Result<Mapping, Problem> {
        let at = |span: std::ops::Range<usize>, message: String| {
            Problem::at_offset(name, text, span.start, message)
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let message = format!("invalid mapping: {}", e.message());
            match e.span() {
                Some(span) => at(span, message),
                None => Problem::file(name, message),
            }
        })?;
        let collection = file.collection.get_ref().clone();
        let Some(items) = item_schema(schema, &collection) else {
            return Err(at(
                file.collection.span(),
                format!(
                    "`{collection}` is not a collection of the facts (expected one of {})",
                    collections(schema).join(", ")
                ),
            ));
        };
        let delimiter = match &file.delimiter {
            None => b',',
            Some(d) => match d.get_ref().as_bytes() {
                [one] if d.get_ref().is_ascii() => *one,
                _ => {
                    return Err(at(
                        d.span(),
                        "`delimiter` is one character, such as \",\", \";\" or \"\\t\"".to_owned(),
                    ));
                }
            },
        };
        let mut fields = Vec::new();
        for (path, spec) in &file.fields {
            let span = spec.span();
            let spec = spec.get_ref();
            let problem = |message: String| at(span.clone(), format!("field `{path}`: {message}"));
            let schema_kind = field_type(schema, items, &collection, path).map_err(problem)?;
            let kind = match &spec.kind {
                None => schema_kind,
                Some(k) => parse_type(k.get_ref())
                    .ok_or_else(|| at(k.span(), format!("`{}` is not a type: expected string, date, boolean, integer, number or list", k.get_ref())))?,
            };
            let source = match (&spec.column, &spec.template, &spec.value) {
                (Some(c), None, None) => Source::Column(c.trim().to_owned()),
                (None, Some(t), None) => {
                    Source::Template(template(t.get_ref()).map_err(|m| at(t.span(), m))?)
                }
                (None, None, Some(v)) => Source::Value(json(v.get_ref())),
                _ => {
                    return Err(problem(
                        "give one of `column`, `template` or `value`".to_owned(),
                    ));
                }
            };
            let keep_unmapped = match spec
                .unmapped
                .as_ref()
                .map(|u| (u.get_ref().as_str(), u.span()))
            {
                None | Some(("error", _)) => false,
                Some(("keep", _)) => true,
                Some((other, span)) => {
                    return Err(at(
                        span,
                        format!("`unmapped` is `{other}`: expected error or keep"),
                    ));
                }
            };
            if let Some(f) = &spec.format
                && let Err(why) = super::dates::check_format(f.get_ref())
            {
                return Err(at(
                    f.span(),
                    format!("`{}` is not a date format: {why}", f.get_ref()),
                ));
            }
            // Constants are checked here, once, at their place in the mapping: not at every
            // row of the CSV.
            if spec.link.is_none() && spec.kind.is_none() {
                let whole = field_schema(schema, items, path);
                let item = whole.and_then(|w| match &kind {
                    Type::List(_) => resolve(schema, w).get("items"),
                    _ => Some(w),
                });
                let mut constants: Vec<(&Spanned<toml::Value>, Option<&Value>)> = Vec::new();
                if let Some(v) = &spec.value {
                    constants.push((v, whole));
                }
                if let Some(v) = &spec.default {
                    constants.push((v, whole));
                }
                for v in spec.values.iter().flat_map(|m| m.values()) {
                    constants.push((v, item));
                }
                for (constant, against) in constants {
                    if let Some(against) = against
                        && let Some(why) = violation(schema, against, &json(constant.get_ref()))
                    {
                        return Err(at(constant.span(), format!("field `{path}`: {why}")));
                    }
                }
            }
            let link = match &spec.link {
                None => false,
                Some(l) if l.get_ref() == "email" => true,
                Some(l) => {
                    return Err(at(
                        l.span(),
                        format!(
                            "`link` is `{}`: the only link is \"email\" (the person with that email)",
                            l.get_ref()
                        ),
                    ));
                }
            };
            let needed = schema_requires(schema, items, path);
            let unlinked = unlinked(spec, link, needed, &collection, path, &at)?;
            fields.push(Field {
                path: path.clone(),
                source,
                kind,
                values: spec.values.as_ref().map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), json(v.get_ref())))
                        .collect()
                }),
                keep_unmapped,
                default: spec.default.as_ref().map(|d| json(d.get_ref())),
                empty: spec.empty.clone(),
                required: spec.required,
                schema_required: needed,
                format: spec.format.as_ref().map(|f| f.get_ref().clone()),
                separator: spec.separator.clone().unwrap_or_else(|| ";".to_owned()),
                link,
                unlinked,
                null_says: NULL_IS_AN_EVENT
                    .iter()
                    .find(|(c, p, _)| *c == collection && p == path)
                    .map(|(_, _, says)| *says),
            });
        }
        let required = items
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for field in required {
            let filled = fields
                .iter()
                .any(|f| f.path == field || f.path.starts_with(&format!("{field}.")));
            if !filled {
                return Err(at(
                    file.collection.span(),
                    format!(
                        "the mapping fills no `{field}`, which {collection} records require: add {}",
                        required_tables(schema, items, "", field)
                    ),
                ));
            }
        }
        partly_filled(schema, items, &file.fields, &at)?;
        let filters = |specs: Vec<SkipSpec>| -> Vec<(String, Vec<String>)> {
            specs
                .into_iter()
                .map(|s| (s.column.trim().to_owned(), s.values))
                .collect()
        };
        Ok(Mapping {
            collection,
            delimiter,
            keep: filters(file.keep),
            skip: filters(file.skip),
            fields,
        })
    }

    /// The columns the mapping reads, in order, each once.
    pub fn columns(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .keep
            .iter()
            .chain(&self.skip)
            .map(|(c, _)| c.as_str())
            .collect();
        for field in &self.fields {
            match &field.source {
                Source::Column(c) => all.push(c),
                Source::Template(pieces) => all.extend(pieces.iter().filter_map(|p| match p {
                    Piece::Column(c) => Some(c.as_str()),
                    Piece::Text(_) => None,
                })),
                Source::Value(_) => {}
            }
        }
        let mut out: Vec<&str> = Vec::new();
        for c in all {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Whether a field links to people by email (so `--people` is needed).
    pub fn links(&self) -> bool {
        self.fields.iter().any(|f| f.link)
    }
}

/// The tables a mapping adds to fill the required field `field` of the object of schema
/// `object` at `prefix` (`""`: the records themselves): `[fields.id]`, or for an object, its
/// required fields one by one (`[fields."employment.status"]`), which is how objects are
/// mapped.
fn required_tables(root: &Value, object: &Value, prefix: &str, field: &str) -> String {
    let path = if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    };
    let Some(schema) = object
        .get("properties")
        .and_then(|p| p.get(field))
        .map(|s| resolve(root, s))
    else {
        return table(&path);
    };
    if type_of(root, schema).is_some() {
        return table(&path);
    }
    let inner: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|sub| table(&format!("{path}.{sub}")))
        .collect();
    if inner.is_empty() {
        format!("[fields.\"{path}.FIELD\"] for the fields of `{path}` it has")
    } else {
        inner.join(" and ")
    }
}

/// The mapping's table for the field at `path`: `[fields.id]`, `[fields."employment.status"]`.
fn table(path: &str) -> String {
    if path.contains('.') {
        format!("[fields.\"{path}\"]")
    } else {
        format!("[fields.{path}]")
    }
}

/// Refuses a mapping that fills an object of the records in part (`employment.start_date`)
/// without a field the object requires (`employment.status`): every row would lack it. The
/// error is placed at the object's first field in the mapping and names the tables to add.
fn partly_filled(
    root: &Value,
    items: &Value,
    fields: &IndexMap<String, Spanned<FieldSpec>>,
    at: &impl Fn(std::ops::Range<usize>, String) -> Problem,
) -> Result<(), Problem> {
    let fills = |path: &str| {
        fields
            .keys()
            .any(|k| k == path || k.starts_with(&format!("{path}.")))
    };
    for (path, spec) in fields {
        for (dot, _) in path.match_indices('.') {
            let prefix = &path[..dot];
            let Some(object) = field_schema(root, items, prefix).map(|s| resolve(root, s)) else {
                continue;
            };
            let required = object.get("required").and_then(Value::as_array);
            for sub in required.into_iter().flatten().filter_map(Value::as_str) {
                if !fills(&format!("{prefix}.{sub}")) {
                    return Err(at(
                        spec.span(),
                        format!(
                            "field `{path}`: the mapping fills `{prefix}` without `{sub}`, which it requires: add {}",
                            required_tables(root, object, prefix, sub)
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// What the `link` field `path` does with an email of nobody: `unlinked` as the mapping
/// gives it, checked against whether the schema requires the field (`needed`).
fn unlinked(
    spec: &FieldSpec,
    link: bool,
    needed: bool,
    collection: &str,
    path: &str,
    at: &impl Fn(std::ops::Range<usize>, String) -> Problem,
) -> Result<Unlinked, Problem> {
    let Some(given) = &spec.unlinked else {
        return Ok(if link && needed {
            Unlinked::Error
        } else {
            Unlinked::LeaveEmpty
        });
    };
    let place = |message: String| at(given.span(), format!("field `{path}`: {message}"));
    if !link {
        return Err(place(
            "`unlinked` is for a field with `link = \"email\"`".to_owned(),
        ));
    }
    match given.get_ref().as_str() {
        "error" => Ok(Unlinked::Error),
        "skip-row" if needed => Ok(Unlinked::SkipRow),
        "skip-row" => Err(place(format!(
            "`unlinked = \"skip-row\"` would leave out the {collection} whose email is nobody's, and absence is never compliance: a record of {collection} is whole without `{path}`, so such a row is kept without it (and listed); remove `unlinked`, or set it to \"error\""
        ))),
        other => Err(place(format!(
            "`unlinked` is `{other}`: expected error or skip-row"
        ))),
    }
}

/// Whether records of schema `items` require the field at the dotted `path`: each of its
/// segments is required in the object holding it.
fn schema_requires(root: &Value, items: &Value, path: &str) -> bool {
    let mut schema = items;
    for segment in path.split('.') {
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|f| f == segment));
        let next = schema.get("properties").and_then(|p| p.get(segment));
        match next {
            Some(next) if required => schema = resolve(root, next),
            _ => return false,
        }
    }
    true
}

/// The schema of the field at the dotted `path` of records of schema `items`, as declared
/// (its `$ref` not followed).
fn field_schema<'s>(root: &'s Value, items: &'s Value, path: &str) -> Option<&'s Value> {
    let mut schema = items;
    let mut declared = None;
    for segment in path.split('.') {
        let next = schema.get("properties")?.get(segment)?;
        declared = Some(next);
        schema = resolve(root, next);
    }
    declared
}

/// What is wrong with `value` as a value of the field whose schema is `field` (in the
/// document `root`, whose definitions it may refer to), or `None` when it fits.
fn violation(root: &Value, field: &Value, value: &Value) -> Option<String> {
    let mut schema = serde_json::Map::new();
    for key in ["$schema", "$defs"] {
        if let Some(v) = root.get(key) {
            schema.insert(key.to_owned(), v.clone());
        }
    }
    schema.insert("allOf".to_owned(), Value::Array(vec![field.clone()]));
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&Value::Object(schema))
        .ok()?;
    let messages: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    if messages.is_empty() {
        None
    } else {
        Some(messages.join("; "))
    }
}

/// The collections of a facts schema document.
fn collections(schema: &Value) -> Vec<&str> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, p)| p.get("items").is_some())
        .map(|(k, _)| k.as_str())
        .collect()
}

/// The type of the field at `path` of the records whose schema is `items`, from the schema.
fn field_type(root: &Value, items: &Value, collection: &str, path: &str) -> Result<Type, String> {
    let mut schema = items;
    let mut place = collection.to_owned();
    for segment in path.split('.') {
        let properties = schema.get("properties").and_then(Value::as_object);
        let Some(next) = properties.and_then(|p| p.get(segment)) else {
            let known: Vec<&str> = properties
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            return Err(format!(
                "`{segment}` is not a field of {place} (its fields: {})",
                known.join(", ")
            ));
        };
        schema = resolve(root, next);
        if let Some(target) = next.get("$ref").and_then(Value::as_str)
            && (target.ends_with("/date") || target.ends_with("/optional_date"))
        {
            return Ok(Type::Date);
        }
        place = format!("{place}.{segment}");
    }
    type_of(root, schema)
        .ok_or_else(|| format!("{place} is an object: map its fields one by one (`{path}.FIELD`)"))
}

/// A scalar or list schema's type; `None` for objects.
fn type_of(root: &Value, schema: &Value) -> Option<Type> {
    if schema.get("format").and_then(Value::as_str) == Some("date") {
        return Some(Type::Date);
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"array") {
        let items = schema.get("items").map(|i| resolve(root, i));
        return Some(Type::List(Box::new(
            items.and_then(|i| type_of(root, i)).unwrap_or(Type::String),
        )));
    }
    if types.contains(&"object") {
        return None;
    }
    Some(if types.contains(&"boolean") {
        Type::Boolean
    } else if types.contains(&"integer") {
        Type::Integer
    } else if types.contains(&"number") {
        Type::Number
    } else {
        Type::String
    })
}

fn parse_type(name: &str) -> Option<Type> {
    Some(match name {
        "string" => Type::String,
        "date" => Type::Date,
        "boolean" => Type::Boolean,
        "integer" => Type::Integer,
        "number" => Type::Number,
        "list" => Type::List(Box::new(Type::String)),
        _ => return None,
    })
}

/// The pieces of a template (`{First Name} {Last Name}`).
fn template(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_owned()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("`{text}`: a `{{` without its `}}`"))?;
        let column = after[..close].trim();
        if column.is_empty() {
            return Err(format!("`{text}`: `{{}}` names no column"));
        }
        pieces.push(Piece::Column(column.to_owned()));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    if !pieces.iter().any(|p| matches!(p, Piece::Column(_))) {
        return Err(format!(
            "`{text}` names no column: write them in braces, `{{First Name}}`"
        ));
    }
    Ok(pieces)
}

/// A TOML value as JSON; a TOML date (`value = 2026-01-01`, unquoted) is its text.
fn json(value: &toml::Value) -> Value {
    match value {
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), json(v))).collect())
        }
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

impl Field {
    /// What the field's type expects, for messages.
    pub fn expects(&self) -> String {
        self.kind.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        serde_json::from_str(attest_engine::facts::FACTS_SCHEMA).unwrap()
    }

    fn parse(text: &str) -> Result<Mapping, String> {
        Mapping::parse("m.toml", text, &schema()).map_err(|e| e.to_string())
    }

    #[test]
    fn types_come_from_the_schema() {
        let m = parse(
            r#"collection = "vendors"
delimiter = ";"
[fields.id]
column = "ID"
[fields.name]
template = "{Name} ({Legal name})"
[fields.risk_tier]
value = "low"
[fields.data_access]
column = "Data"
separator = ","
[fields."contract.expires_on"]
column = "Ends"
format = "%d.%m.%Y"
[fields."contract.right_to_audit"]
column = "Audit"
[fields."contract.breach_notification_hours"]
column = "Hours"
"#,
        )
        .unwrap();
        assert_eq!(m.delimiter, b';');
        let kinds: Vec<(&str, &Type)> = m
            .fields
            .iter()
            .map(|f| (f.path.as_str(), &f.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("contract.breach_notification_hours", &Type::Number),
                ("contract.expires_on", &Type::Date),
                ("contract.right_to_audit", &Type::Boolean),
                ("data_access", &Type::List(Box::new(Type::String))),
                ("id", &Type::String),
                ("name", &Type::String),
                ("risk_tier", &Type::String),
            ]
        );
        assert_eq!(
            m.columns(),
            ["Hours", "Ends", "Audit", "Data", "ID", "Name", "Legal name"]
        );
        assert_eq!(
            m.fields[5].source,
            Source::Template(vec![
                Piece::Column("Name".into()),
                Piece::Text(" (".into()),
                Piece::Column("Legal name".into()),
                Piece::Text(")".into()),
            ])
        );
    }

    #[test]
    fn mistakes_are_placed_in_the_mapping() {
        assert_eq!(
            parse("collection = \"peeple\"\n[fields.id]\ncolumn = \"x\"\n").unwrap_err(),
            "m.toml:1:14: `peeple` is not a collection of the facts (expected one of people, systems, accounts, access_reviews, training, vendors, policies, incidents, changes, backups, risk_assessments, evidence, devices, vulnerabilities, pentests, dr_tests, monitoring, data_stores, disposals, privacy_requests, repositories, keys)"
        );
        let err = parse(
            "collection = \"people\"\n[fields.id]\ncolumn = \"x\"\n[fields.nmae]\ncolumn = \"n\"\n",
        )
        .unwrap_err();
        assert!(
            err.starts_with(
                "m.toml:4:1: field `nmae`: `nmae` is not a field of people (its fields: id, name,"
            ),
            "{err}"
        );
        assert_eq!(
            parse("collection = \"policies\"\n[fields.id]\ncolumn = \"x\"\n[fields.title]\ncolumn = \"t\"\n").unwrap_err(),
            "m.toml:1:14: the mapping fills no `approved_on`, which policies records require: add [fields.approved_on]"
        );
        // An object filled in part: once, at its first field, naming the field to add.
        let people = "collection = \"people\"\n[fields.id]\ncolumn = \"x\"\n[fields.name]\ncolumn = \"n\"\n[fields.kind]\nvalue = \"employee\"\n";
        assert_eq!(
            parse(&format!(
                "{people}[fields.\"employment.start_date\"]\ncolumn = \"d\"\n"
            ))
            .unwrap_err(),
            "m.toml:8:1: field `employment.start_date`: the mapping fills `employment` without `status`, which it requires: add [fields.\"employment.status\"]"
        );
        assert!(
            parse(&format!(
                "{people}[fields.\"employment.status\"]\nvalue = \"active\"\n"
            ))
            .is_ok()
        );
        let err = parse("collection = \"people\"\n[fields.id]\ncolumn = \"x\"\nvalue = \"y\"\n")
            .unwrap_err();
        assert!(
            err.contains("give one of `column`, `template` or `value`"),
            "{err}"
        );
        let err = parse("collection = \"people\"\n[fields.id]\ncolum = \"x\"\n").unwrap_err();
        assert!(
            err.starts_with("m.toml:3:1: invalid mapping: unknown field `colum`"),
            "{err}"
        );
        let err =
            parse("collection = \"people\"\n[fields.employment]\ncolumn = \"x\"\n").unwrap_err();
        assert!(
            err.contains("people.employment is an object: map its fields one by one"),
            "{err}"
        );
        // A TOML date, unquoted, is a date's text; a constant of the wrong type is placed.
        let m = parse("collection = \"policies\"\n[fields.id]\ncolumn = \"x\"\n[fields.title]\ncolumn = \"t\"\n[fields.approved_on]\nvalue = 2026-01-01\n").unwrap();
        assert_eq!(m.fields[0].source, Source::Value(Value::from("2026-01-01")));
        let err = parse("collection = \"policies\"\n[fields.id]\ncolumn = \"x\"\n[fields.title]\ncolumn = \"t\"\n[fields.approved_on]\nvalue = 5\n").unwrap_err();
        assert!(
            err.starts_with("m.toml:7:9: field `approved_on`: 5 is not"),
            "{err}"
        );
        let training = |extra: &str| {
            parse(&format!(
                "collection = \"training\"\n[fields.person_id]\ncolumn = \"e\"\n{extra}\n[fields.course]\ncolumn = \"c\"\n[fields.completed_on]\ncolumn = \"d\"\n"
            ))
        };
        let linked = |m: &Mapping| {
            let field = m.fields.iter().find(|f| f.path == "person_id").unwrap();
            field.unlinked
        };
        assert_eq!(
            linked(&training("link = \"email\"").unwrap()),
            Unlinked::Error
        );
        assert_eq!(
            linked(&training("link = \"email\"\nunlinked = \"skip-row\"").unwrap()),
            Unlinked::SkipRow
        );
        assert_eq!(
            training("unlinked = \"skip-row\"").unwrap_err(),
            "m.toml:4:12: field `person_id`: `unlinked` is for a field with `link = \"email\"`"
        );
        assert_eq!(
            training("link = \"email\"\nunlinked = \"drop\"").unwrap_err(),
            "m.toml:5:12: field `person_id`: `unlinked` is `drop`: expected error or skip-row"
        );
        let m = parse("collection = \"vendors\"\n[[keep]]\ncolumn = \"Status\"\nvalues = [\"Active\"]\n[fields.id]\ncolumn = \"ID\"\n[fields.name]\ncolumn = \"N\"\n[fields.risk_tier]\nvalue = \"low\"\n[fields.owner_id]\ncolumn = \"O\"\nlink = \"email\"\n").unwrap();
        assert_eq!(m.columns(), ["Status", "ID", "N", "O"]);
        let owner = m.fields.iter().find(|f| f.path == "owner_id").unwrap();
        assert_eq!(owner.unlinked, Unlinked::LeaveEmpty);
        let err = parse("collection = \"training\"\n[fields.completed_on]\ncolumn = \"x\"\nformat = \"%H:%M\"\n").unwrap_err();
        assert!(
            err.starts_with("m.toml:4:10: `%H:%M` is not a date format"),
            "{err}"
        );
    }
}
