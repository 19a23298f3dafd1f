//! The facts document: loading one or more JSON sources, merging them, checking them
//! against the facts schema, and remembering where every record came from.

mod canonical;
mod criteria;
mod error;
pub(crate) mod extension;
mod fields;
pub(crate) mod json;
mod keys;
mod merge;
mod records;
mod references;
mod schema;
pub(crate) mod short;
pub(crate) mod spans;
mod texts;
pub(crate) mod tree;
mod tree_parse;
pub(crate) mod uris;
mod validate;

pub use criteria::Criteria;
pub use error::{FactsError, JsonSyntax, Violation, json_message, json_place};
pub use json::check_unique_keys;
/// Parses JSON text as `serde_json` does, except that an object giving one key twice is an
/// error at its place (serde_json keeps the last value silently).
pub use json::parse as parse_json;
pub use schema::FactsSchema;
pub use validate::FACTS_SCHEMA;
pub(crate) use validate::schema_document;

use crate::date::Date;
use crate::period::Period;
use keys::RecordKeys;
use merge::{Merged, Text};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tree::Node;

/// One facts file handed to the engine: a display name (usually the path) and its text.
#[derive(Debug, Clone, Copy)]
pub struct FactsSource<'a> {
    /// Name shown in diagnostics and findings (a path relative to the working directory).
    pub name: &'a str,
    /// The JSON text.
    pub text: &'a str,
}

/// Where a record of the merged document came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    /// The source's name.
    pub file: String,
    /// 1-based line where the record starts.
    pub line: u32,
}

/// Time spent in each phase of [`Facts::load_timed`].
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadTimings {
    /// JSON parsing and merging, with the records of each collection checked against the
    /// schema, keyed and converted into the rules' view as they are parsed.
    pub parse: Duration,
    /// The rest of the document checked as a whole (the organization, the top level, the
    /// duplicate keys), and the rules' view assembled. (The digest is worked out when first
    /// asked for: by an evaluation, while its rules run.)
    pub check: Duration,
}

/// How [`Facts::load_with`] checks the facts.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Fields the schema does not define are violations, so the facts are refused, instead
    /// of warnings ([`Facts::warnings`]). A reference naming no record stays a warning: it
    /// can be what a rule judges (an active account of someone the people list lacks).
    pub strict: bool,
    /// References naming no record are not looked for (rule cases: their few records leave
    /// out on purpose what a reference names, such as an orphaned account's person).
    pub unchecked_references: bool,
    /// The schema to check against: facts-v1 with the collections and fields a pack adds
    /// ([`crate::Pack::facts_schema`]); facts-v1 alone when `None`.
    pub schema: Option<Arc<FactsSchema>>,
    /// The criteria of the pack the facts are for ([`crate::Pack::criteria`]): an evidence
    /// record naming a criterion the pack does not have supports nothing, and is a warning
    /// (with `strict`, a violation) at its `control_id`. Not checked when `None`.
    pub criteria: Option<Arc<Criteria>>,
}

/// A validated facts document, ready to be evaluated any number of times.
#[derive(Debug)]
pub struct Facts {
    root: Node,
    /// Worked out when first asked for (an evaluation does it while the rules run).
    digest: OnceLock<String>,
    organization: String,
    as_of: Option<Date>,
    period: Option<Period>,
    scope: Option<Vec<String>>,
    origins: SourceMap,
    keys: RecordKeys,
    warnings: Vec<Violation>,
}

/// Facts being freed ([`Facts::free_aside`]); dropping this does not wait for it.
pub struct Freeing(crate::par::Aside);

impl Freeing {
    /// Waits until the facts are freed.
    pub fn wait(self) {
        self.0.wait();
    }
}

impl Facts {
    /// Frees the facts on a thread of its own where the engine has threads (else here and
    /// now), for a host done with them that has other work to do meanwhile, such as
    /// rendering the report: freeing the records (millions of small allocations at 50k
    /// people) takes its time.
    pub fn free_aside(self) -> Freeing {
        Freeing(crate::par::drop_aside(self))
    }

    /// Parses, merges and validates `sources` (concatenated in the order given; callers
    /// sort folder contents by file name). Every problem is reported, not just the first.
    /// Fields facts-v1 does not define are accepted, and reported as [`Facts::warnings`].
    pub fn load(sources: &[FactsSource<'_>]) -> Result<Facts, FactsError> {
        Facts::load_with(sources, &LoadOptions::default())
    }

    /// [`Facts::load`], with options: `strict` refuses fields the schema does not define;
    /// `schema` adds the collections and fields of a pack's extensions to facts-v1.
    pub fn load_with(
        sources: &[FactsSource<'_>],
        options: &LoadOptions,
    ) -> Result<Facts, FactsError> {
        Facts::load_inner(sources.iter().copied(), options, &|| Duration::ZERO)
            .map(|(facts, _)| facts)
    }

    /// [`Facts::load_with`], taking the sources over as (name, text) pairs: each text is
    /// freed once it is parsed, so the texts and the checked document are not all held at
    /// once. For a host that has no further use for the texts.
    pub fn load_owned(
        sources: Vec<(String, String)>,
        options: &LoadOptions,
    ) -> Result<Facts, FactsError> {
        Facts::load_inner(sources, options, &|| Duration::ZERO).map(|(facts, _)| facts)
    }

    /// [`Facts::load_owned`] with facts-v1, timing each phase with a clock the host supplies.
    pub fn load_timed(
        sources: Vec<(String, String)>,
        clock: &dyn Fn() -> Duration,
    ) -> Result<(Facts, LoadTimings), FactsError> {
        Facts::load_inner(sources, &LoadOptions::default(), clock)
    }

    fn load_inner<S: Text>(
        sources: impl IntoIterator<Item = S>,
        options: &LoadOptions,
        clock: &dyn Fn() -> Duration,
    ) -> Result<(Facts, LoadTimings), FactsError> {
        let t0 = clock();
        let schema = match &options.schema {
            Some(schema) => Arc::clone(schema),
            None => Arc::clone(FactsSchema::shipped().map_err(|e| {
                FactsError::Invalid(vec![Violation {
                    file: None,
                    line: None,
                    column: None,
                    pointer: String::new(),
                    message: format!("the facts schema is unusable: {e}"),
                }])
            })?),
        };
        let Merged {
            rest,
            collections,
            origins,
        } = merge::merge(sources, &schema)?;
        let t1 = clock();
        let mut records = HashMap::new();
        let mut found = Vec::new();
        for (name, collection) in collections {
            records.insert(name.clone(), collection.nodes);
            found.push((name, collection.found));
        }
        let doc = Value::Object(rest);
        let unknown_criteria = options
            .criteria
            .as_ref()
            .map(|c| criteria::unknown(&doc, &records, c))
            .unwrap_or_default();
        let violations = |d: &Value| schema.violations(d);
        let against = validate::Against {
            violations: &violations,
            keying: &schema.keying,
            known: &schema.known,
            name: schema.name(),
        };
        let checked = validate::check(
            &doc,
            found,
            unknown_criteria,
            &origins,
            &against,
            options.strict,
        );
        let validate::Checked { keys, mut warnings } = checked.map_err(FactsError::Invalid)?;
        let org = doc.get("organization");
        let as_of = org
            .and_then(|o| o.get("as_of"))
            .and_then(Value::as_str)
            .and_then(Date::parse);
        let period = audit_period(org, &origins)?;
        let organization = organization_name(org, &origins)?;
        let scope = scope(org, &origins)?;
        let root = tree::build(doc, records);
        let doubtful = criteria::doubtful_expiries(&root).into_iter();
        warnings.extend(doubtful.map(|(p, m)| origins.violation(p, m, None)));
        if !options.unchecked_references {
            let dangling = schema.references.dangling(&root, &keys).into_iter();
            warnings.extend(dangling.map(|(p, m)| origins.violation(p, m, None)));
        }
        let t3 = clock();
        let facts = Facts {
            root,
            digest: OnceLock::new(),
            organization,
            as_of,
            period,
            scope,
            origins,
            keys,
            warnings,
        };
        let timings = LoadTimings {
            parse: t1.saturating_sub(t0),
            check: t3.saturating_sub(t1),
        };
        Ok((facts, timings))
    }

    /// What is doubtful in the facts, though they can be used, each with its place: the
    /// fields their schema (facts-v1, with the extensions given in [`LoadOptions::schema`])
    /// does not define, with the closest defined field (a misspelt `mfa_enabled` on an
    /// account leaves `mfa` absent for the rules), and the evidence for a criterion the pack
    /// lacks, in document order (none for facts loaded `strict`, which refuses them); then
    /// the evidence records that expire before they were collected; then the references
    /// naming no record (a change to a system the inventory lacks), in
    /// document order, unless [`LoadOptions::unchecked_references`].
    pub fn warnings(&self) -> &[Violation] {
        &self.warnings
    }

    /// sha256 of the canonical form of the merged document (sorted keys, no whitespace).
    pub fn digest(&self) -> &str {
        self.digest.get_or_init(|| canonical::digest(&self.root))
    }

    /// `organization.name`.
    pub fn organization(&self) -> &str {
        &self.organization
    }

    /// `organization.as_of`, the date the facts describe.
    pub fn as_of(&self) -> Option<Date> {
        self.as_of
    }

    /// `organization.audit_period`, the period a Type 2 evaluation judges.
    pub fn period(&self) -> Option<Period> {
        self.period
    }

    /// The `uri` of every evidence record that has a `sha256` and a relative `uri` (one
    /// that names no scheme, does not start with `/` and has no `..` segment), each once,
    /// sorted: the files a host with an evidence root reads and hashes for
    /// [`EvalOptions::with_evidence_files`](crate::EvalOptions::with_evidence_files).
    pub fn evidence_files(&self) -> Vec<String> {
        uris::evidence_files(&self.root)
    }

    /// Whether a Trust Services Category is in scope (absent scope means all are).
    pub fn in_scope(&self, category: &str) -> bool {
        self.scope
            .as_ref()
            .is_none_or(|s| s.iter().any(|c| c == category))
    }

    /// Whether a top-level key is present (and not null).
    pub fn has_key(&self, key: &str) -> bool {
        self.root.field(key).is_some_and(|n| !n.is_null())
    }

    /// The file and line a JSON Pointer into the merged document came from.
    pub fn origin(&self, pointer: &str) -> Option<Origin> {
        self.origins.locate(pointer)
    }

    /// The key of the record at a JSON Pointer, which names it whatever its place in its
    /// collection (`/accounts/3` → `accounts/aws-prod/alice`; see `docs/facts.md`, "Keys").
    /// For a pointer inside a record (a field, a nested object or list), the record's key
    /// followed by the pointer's remaining segments, escaped the same way, with a record of
    /// a keyed list inside it named by its own key (`/vendors/2/contract` →
    /// `vendors/v-acme/contract`); for a collection itself, its name. `None` when nothing is
    /// at the pointer, or it is not in a collection (`/organization`).
    pub fn key(&self, pointer: &str) -> Option<String> {
        self.keys.key(&self.root, pointer)
    }

    /// Whether a JSON Pointer names something in the merged document (`""` is the whole
    /// document).
    pub fn holds(&self, pointer: &str) -> bool {
        holds(&self.root, pointer)
    }

    /// [`Facts::origin`] and [`Facts::key`] of `pointer`, read once when it is the usual
    /// pointer of a finding (an item of a collection).
    pub(crate) fn origin_and_key(&self, pointer: &str) -> (Option<Origin>, Option<String>) {
        match keys::item_pointer(pointer) {
            Some((name, i)) => (
                self.origins.locate_at(name, Some(i)),
                self.keys.item_key(name, i),
            ),
            None => (self.origin(pointer), self.key(pointer)),
        }
    }

    pub(crate) fn root(&self) -> &Node {
        &self.root
    }
}

/// Whether a JSON Pointer names something in the document whose root is `root` (`""` is
/// the whole document).
pub(crate) fn holds(root: &Node, pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return false;
    };
    let mut node = root;
    for segment in rest.split('/').map(unescape) {
        let next = match node {
            Node::Record(r) => r.get(&segment),
            Node::List(l) => keys::array_index(&segment).and_then(|i| l.get(i)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    true
}

/// `organization.audit_period` (the schema has checked its shape): a period, or a
/// violation when it ends before it starts.
fn audit_period(org: Option<&Value>, origins: &SourceMap) -> Result<Option<Period>, FactsError> {
    let Some(written) = org.and_then(|o| o.get("audit_period")) else {
        return Ok(None);
    };
    let date = |f: &str| written.get(f).and_then(Value::as_str).and_then(Date::parse);
    let (Some(start), Some(end)) = (date("start"), date("end")) else {
        return Ok(None);
    };
    Period::new(start, end).map(Some).map_err(|e| {
        let pointer = "/organization/audit_period".to_owned();
        FactsError::Invalid(vec![origins.violation(pointer, e.to_string(), None)])
    })
}

/// `organization.name` (the schema has checked it is a string of one character or more), or
/// a violation when it is whitespace alone: a name that names no one, in every report.
fn organization_name(org: Option<&Value>, origins: &SourceMap) -> Result<String, FactsError> {
    let name = org
        .and_then(|o| o.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.is_empty() || !name.chars().all(char::is_whitespace) {
        return Ok(name.to_owned());
    }
    let message = "the organization's name is blank (whitespace alone); write its legal or \
                   trading name";
    let pointer = "/organization/name".to_owned();
    Err(FactsError::Invalid(vec![origins.violation(
        pointer,
        message.to_owned(),
        None,
    )]))
}

/// The Trust Services Categories the facts put in scope (`None`: all five). Security is in
/// the scope of every SOC 2 examination: a scope without it is refused, never read as "the
/// common criteria do not apply".
fn scope(org: Option<&Value>, origins: &SourceMap) -> Result<Option<Vec<String>>, FactsError> {
    let Some(list) = org.and_then(|o| o.get("scope")).and_then(Value::as_array) else {
        return Ok(None);
    };
    let scope: Vec<String> = list
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if scope.iter().any(|c| c == "security") {
        return Ok(Some(scope));
    }
    let message = "the scope leaves out \"security\": the Security category (the common \
                   criteria, CC1 to CC9) is in the scope of every SOC 2 examination; add it";
    let pointer = "/organization/scope".to_owned();
    Err(FactsError::Invalid(vec![origins.violation(
        pointer,
        message.to_owned(),
        None,
    )]))
}

/// Where each top-level key and each element of a top-level array came from.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    files: Vec<String>,
    /// Looked up for each finding: hashed with foldhash.
    keys: foldhash::HashMap<String, KeyOrigin>,
}

#[derive(Debug, Default)]
struct KeyOrigin {
    file: usize,
    line: u32,
    items: Vec<(usize, u32)>,
    /// For an object (`organization`), its text: what places the violations inside it.
    text: Option<ValueText>,
}

/// A top-level value's text, from the start of its line (so columns count from there).
#[derive(Debug)]
struct ValueText {
    text: Box<str>,
    /// Where the value starts in `text`.
    start: usize,
}

impl ValueText {
    /// The text of the value at `at` in `text`, when the outline placed it.
    fn of(text: &str, at: &spans::KeyLines) -> Option<ValueText> {
        let line_start = crate::place::line_start(text, at.span.start)?;
        Some(ValueText {
            text: text.get(line_start..at.span.end)?.into(),
            start: at.span.start - line_start,
        })
    }
}

impl SourceMap {
    /// Locates a pointer: the array element or key it falls under.
    pub(crate) fn locate(&self, pointer: &str) -> Option<Origin> {
        // The top-level key and the index below it: the usual pointer of a finding, a record
        // of a collection, read at once; any other taken apart.
        let (key, index) = match keys::item_pointer(pointer) {
            Some((name, i)) => (Cow::Borrowed(name), Some(i)),
            None => {
                let mut parts = pointer.strip_prefix('/')?.split('/');
                let key = unescape(parts.next()?);
                (key, parts.next().and_then(|i| i.parse::<usize>().ok()))
            }
        };
        self.locate_at(&key, index)
    }

    /// The origin of item `index` of the top-level value `key` (of the value itself for
    /// `None`, or an index it does not have).
    fn locate_at(&self, key: &str, index: Option<usize>) -> Option<Origin> {
        let entry = self.keys.get(key)?;
        let (file, line) = index
            .and_then(|i| entry.items.get(i).copied())
            .unwrap_or((entry.file, entry.line));
        // Line 0 means the scanner could not place the key: better no origin than a wrong one.
        (line > 0).then_some(())?;
        Some(Origin {
            file: self.files.get(file)?.clone(),
            line,
        })
    }

    /// A problem at `pointer`, in the file and at the line of the top-level value or record it
    /// falls under, at `place` (line and column) when given, else at the line and column of
    /// what it names inside a top-level object whose text is kept. A problem of the whole
    /// document (`""`) is in the file the facts came from, when there is one.
    pub(crate) fn violation(
        &self,
        pointer: String,
        message: String,
        place: Option<(u32, u32)>,
    ) -> Violation {
        let origin = self.locate(&pointer);
        let place = place.or_else(|| self.place(&pointer));
        let whole = pointer.is_empty().then(|| self.only_file()).flatten();
        Violation {
            file: (origin.as_ref().map(|o| o.file.as_str()))
                .or(whole)
                .map(str::to_owned),
            column: origin.as_ref().and(place).map(|p| p.1),
            line: origin.map(|o| place.map_or(o.line, |p| p.0)),
            pointer,
            message,
        }
    }

    /// The line and column of what `pointer` names inside a top-level object whose text is
    /// kept (`/organization/audit_period/end`); `None` for anything else.
    fn place(&self, pointer: &str) -> Option<(u32, u32)> {
        let rest = pointer.strip_prefix('/')?;
        let (key, inside) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let entry = self.keys.get(unescape(key).as_ref())?;
        let kept = entry.text.as_ref()?;
        let span = kept.start..kept.text.len();
        crate::place::line_col_within(&kept.text, span, entry.line, inside)
    }

    /// The one file the facts came from, when they came from one: where a problem of the
    /// whole document is (a required top-level member missing).
    fn only_file(&self) -> Option<&str> {
        match self.files.as_slice() {
            [file] => Some(file),
            _ => None,
        }
    }

    /// The file that set a key (for conflict messages).
    fn file_of(&self, key: &str) -> Option<&str> {
        let entry = self.keys.get(key)?;
        self.files.get(entry.file).map(String::as_str)
    }
}

/// A JSON Pointer segment's text (RFC 6901: `~1` is `/`, `~0` is `~`); most have no `~`.
fn unescape(segment: &str) -> Cow<'_, str> {
    if !segment.contains('~') {
        return Cow::Borrowed(segment);
    }
    Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src<'a>(name: &'a str, text: &'a str) -> FactsSource<'a> {
        FactsSource { name, text }
    }

    #[test]
    fn a_blank_organization_name_is_refused() {
        for name in [" ", "\\t\\n", "\\u3000\\u00a0"] {
            let text = format!(
                "{{\"schema_version\": \"1\",\n\"organization\": {{\"name\": \"{name}\"}}}}"
            );
            let Err(FactsError::Invalid(violations)) = Facts::load(&[src("org.json", &text)])
            else {
                panic!("a blank name ({name}) must be refused");
            };
            assert_eq!(violations.len(), 1);
            let v = &violations[0];
            assert_eq!(v.pointer, "/organization/name");
            assert_eq!((v.file.as_deref(), v.line), (Some("org.json"), Some(2)));
            assert!(v.message.contains("blank"), "{}", v.message);
        }
        // Spaces around a name are the name's own: kept as written.
        let text = "{\"schema_version\": \"1\", \"organization\": {\"name\": \" Acme \"}}";
        let facts = Facts::load(&[src("org.json", text)]).unwrap();
        assert_eq!(facts.organization(), " Acme ");
    }

    #[test]
    fn a_scope_without_security_is_refused() {
        let with = |scope: &str| {
            format!(
                "{{\"schema_version\": \"1\",\n\"organization\": {{\"name\": \"A\", \"scope\": {scope}}}}}"
            )
        };
        let text = with(r#"["availability", "privacy"]"#);
        let Err(FactsError::Invalid(violations)) = Facts::load(&[src("org.json", &text)]) else {
            panic!("a scope without security must be refused");
        };
        assert_eq!(violations.len(), 1);
        let v = &violations[0];
        assert_eq!(v.pointer, "/organization/scope");
        let place = (v.file.as_deref(), v.line, v.column);
        assert_eq!(place, (Some("org.json"), Some(2), Some(40)));
        assert!(
            v.message.contains("leaves out \"security\""),
            "{}",
            v.message
        );
        let text = with(r#"["availability", "security"]"#);
        let facts = Facts::load(&[src("org.json", &text)]).unwrap();
        assert!(facts.in_scope("security") && facts.in_scope("availability"));
        assert!(!facts.in_scope("privacy"));
    }

    #[test]
    fn merges_arrays_in_order_and_tracks_origins() {
        let a = r#"{"schema_version": "1", "organization": {"name": "A"},
"people": [
 {"id": "p1", "name": "One", "kind": "employee", "employment": {"status": "active"}}
]}"#;
        let b = r#"{
"people": [
 {"id": "p2", "name": "Two", "kind": "employee", "employment": {"status": "active"}},
 {"id": "p3", "name": "Three", "kind": "contractor", "employment": {"status": "active"}}
]}"#;
        let facts = Facts::load(&[src("a.json", a), src("b.json", b)]).unwrap();
        let at = |p: &str| facts.origin(p).map(|o| format!("{}:{}", o.file, o.line));
        assert_eq!(at("/people/0").as_deref(), Some("a.json:3"));
        assert_eq!(at("/people/1").as_deref(), Some("b.json:3"));
        assert_eq!(at("/people/2").as_deref(), Some("b.json:4"));
        assert_eq!(at("/people/2/employment").as_deref(), Some("b.json:4"));
        // An index written otherwise, or past the list's end: where it falls, or the list.
        assert_eq!(at("/people/02").as_deref(), Some("b.json:4"));
        assert_eq!(at("/people/3").as_deref(), Some("a.json:2"));
        assert_eq!(at("/organization").as_deref(), Some("a.json:1"));
        assert_eq!(at("/nothing"), None);
        assert_eq!(at("/nothing/0"), None);
        // A finding's origin and key, read together, are those read apart.
        for p in [
            "/people/0",
            "/people/2",
            "/people/2/employment",
            "/people/02",
            "/people/3",
            "/people",
            "/organization",
            "/nothing",
            "/nothing/0",
            "",
        ] {
            assert_eq!(
                facts.origin_and_key(p),
                (facts.origin(p), facts.key(p)),
                "{p}"
            );
        }
        assert_eq!(
            facts.origin_and_key("/people/1").1.as_deref(),
            Some("people/p2")
        );
        // Handed over, the same texts give the same document.
        let owned = [("a.json", a), ("b.json", b)]
            .map(|(name, text)| (name.to_owned(), text.to_owned()))
            .to_vec();
        let taken = Facts::load_owned(owned, &LoadOptions::default()).unwrap();
        assert_eq!(taken.digest(), facts.digest());
        assert_eq!(taken.origin("/people/2"), facts.origin("/people/2"));
        assert_eq!(taken.key("/people/2"), facts.key("/people/2"));
    }

    #[test]
    fn evidence_that_expires_before_it_was_collected_or_years_after_is_a_warning_at_its_expiry() {
        let a = r#"{"schema_version": "1", "organization": {"name": "A"},
"evidence": [
 {"control_id": "CC9.2", "title": "Vendor list", "collected_on": "2026-01-10", "expires_on": "2027-01-10"},
 {"control_id": "CC9.2", "title": "Vendor list", "collected_on": "2026-02-05",
  "expires_on": "2026-02-01"},
 {"control_id": "CC9.2", "title": "Same day", "collected_on": "2026-03-01", "expires_on": "2026-03-01"},
 {"control_id": "CC9.2", "title": "Leap year", "collected_on": "2027-03-01", "expires_on": "2028-03-01"},
 {"control_id": "CC9.2", "title": "Decades", "collected_on": "2020-01-01", "expires_on": "2099-12-31"}
]}"#;
        let facts = Facts::load(&[src("a.json", a)]).unwrap();
        let shown: Vec<String> = facts.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "a.json:4: /evidence/1/expires_on: the evidence expires on 2026-02-01, before it was collected on 2026-02-05: it supports its criterion on no day",
                "a.json:8: /evidence/4/expires_on: the evidence is good until 2099-12-31, more than a year after it was collected on 2020-01-01: a criterion is shown again at least yearly; expire it within 366 days of its collection"
            ]
        );
    }

    #[test]
    fn evidence_for_a_criterion_the_pack_lacks_is_a_warning_or_with_strict_a_violation() {
        let a = r#"{"schema_version": "1", "organization": {"name": "A"},
"evidence": [
 {"control_id": "CC9.2", "title": "Vendor list", "collected_on": "2026-01-10"},
 {"control_id": "CC9.9", "title": "Vendor review", "collected_on": "2026-01-10", "by": "x"}
]}"#;
        let b = r#"{"evidence": [
 {"control_id": "A1.7", "title": "Capacity plan", "collected_on": "2026-01-10"}
]}"#;
        let sources = [src("a.json", a), src("b.json", b)];
        let criteria = Criteria::new("soc2", ["CC9.1", "CC9.2", "A1.1", "A1.2"]);
        let options = LoadOptions {
            criteria: Some(Arc::new(criteria)),
            ..LoadOptions::default()
        };
        let facts = Facts::load_with(&sources, &options).unwrap();
        let shown: Vec<String> = facts.warnings().iter().map(ToString::to_string).collect();
        // In document order, with the fields facts-v1 does not define.
        let expected = [
            "a.json:4:88: /evidence/1/by: facts-v1 does not define `by` for evidence",
            "a.json:4: /evidence/1/control_id: `CC9.9` is not a criterion of pack soc2, so no criterion uses this evidence; did you mean `CC9.2`?",
            "b.json:2: /evidence/2/control_id: `A1.7` is not a criterion of pack soc2, so no criterion uses this evidence; did you mean `A1.2`?",
        ];
        assert_eq!(shown, expected);
        // Without the pack's criteria, nothing is said of them.
        let alone = Facts::load(&sources).unwrap();
        assert_eq!(alone.warnings().len(), 1);
        // Strict: violations, and the facts are refused.
        let strict = LoadOptions {
            strict: true,
            ..options
        };
        let err = Facts::load_with(&sources, &strict).unwrap_err();
        let FactsError::Invalid(violations) = &err else {
            panic!("{err}")
        };
        let shown: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert_eq!(shown, expected);
        // Evidence for the pack's criteria only: no warning.
        let a = a.replace("CC9.9", "CC9.1").replace(r#", "by": "x""#, "");
        let b = b.replace("A1.7", "A1.1");
        let clean = Facts::load_with(&[src("a.json", &a), src("b.json", &b)], &strict);
        assert!(clean.unwrap().warnings().is_empty());
    }

    #[test]
    fn undefined_fields_are_warnings_or_with_strict_violations() {
        let a = r#"{"schema_version": "1", "organization": {"name": "A"},
"acounts": [],
"people": [
 {"id": "p1", "name": "One", "kind": "employee", "employment": {"status": "active", "ended": null}}
]}"#;
        let b = r#"{"accounts": [
 {"system_id": "s", "username": "u", "kind": "human", "status": "active", "mfa": true},
 {"system_id": "s", "username": "v", "kind": "human", "status": "active", "mfa_enabled": true}
]}"#;
        let sources = [src("a.json", a), src("b.json", b)];
        let facts = Facts::load(&sources).unwrap();
        let shown: Vec<String> = facts.warnings().iter().map(ToString::to_string).collect();
        let expected = [
            "a.json:2: /acounts: facts-v1 does not define `acounts` at the top level; did you mean `accounts`?",
            "a.json:4:94: /people/0/employment/ended: facts-v1 does not define `ended` for people[].employment",
            "b.json:3:90: /accounts/1/mfa_enabled: facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?",
        ];
        assert_eq!(shown, expected);
        // The facts are evaluated as they are: the undefined fields change nothing else.
        assert!(facts.has_key("accounts") && !facts.has_key("nothing"));

        let strict = LoadOptions {
            strict: true,
            ..LoadOptions::default()
        };
        let err = Facts::load_with(&sources, &strict).unwrap_err();
        let FactsError::Invalid(violations) = &err else {
            panic!("{err}")
        };
        let shown: Vec<String> = violations.iter().map(ToString::to_string).collect();
        assert_eq!(shown, expected);
        // Strict, with other violations: the schema's first, then the undefined fields.
        let c = r#"{"accounts": [{"system_id": "s", "username": "w", "kind": "robot", "status": "active"}]}"#;
        let err = Facts::load_with(&[src("a.json", a), src("c.json", c)], &strict).unwrap_err();
        let FactsError::Invalid(violations) = &err else {
            panic!("{err}")
        };
        let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/accounts/0/kind", "/acounts", "/people/0/employment/ended"]
        );
        // Without strict, invalid facts are refused for their violations alone.
        let err = Facts::load(&[src("a.json", a), src("c.json", c)]).unwrap_err();
        assert!(
            matches!(&err, FactsError::Invalid(v) if v.len() == 1),
            "{err}"
        );
        // Facts with every field defined load the same either way, with no warnings.
        let a = a
            .replace("\"acounts\": [],\n", "")
            .replace(", \"ended\": null", "");
        let b = b.replace("mfa_enabled", "mfa");
        let clean = Facts::load_with(&[src("a.json", &a), src("b.json", &b)], &strict);
        assert!(clean.unwrap().warnings().is_empty());
        assert!(
            Facts::load(&[src("a.json", &a), src("b.json", &b)])
                .unwrap()
                .warnings()
                .is_empty()
        );
    }

    #[test]
    fn records_checked_one_at_a_time_give_the_whole_documents_violations_in_its_order() {
        let text = r#"{"people": [
 {"id": "a", "name": "A", "kind": "robot", "employment": {"status": "active"}},
 {"id": "b", "kind": "employee", "employment": {"status": "gone"}}
],
"organization": {"as_of": "yesterday"},
"accounts": [{"system_id": "s", "username": "u", "kind": "human", "status": "active", "mfa": "yes"}],
"vendors": {"id": "v"},
"systems": []}"#;
        let err = Facts::load(&[src("x.json", text)]).unwrap_err();
        let FactsError::Invalid(violations) = &err else {
            panic!("{err}")
        };
        let found: Vec<(&str, &str)> = violations
            .iter()
            .map(|v| (v.pointer.as_str(), v.message.as_str()))
            .collect();
        // The same schema, checking the whole document at once.
        let schema = FactsSchema::shipped().unwrap();
        let whole = schema.violations(&serde_json::from_str(text).unwrap());
        let whole: Vec<(&str, &str)> = whole
            .iter()
            .map(|(p, m)| (p.as_str(), m.as_str()))
            .collect();
        assert_eq!(found, whole);
        let pointers: Vec<&str> = found.iter().map(|(p, _)| *p).collect();
        assert_eq!(
            pointers,
            [
                "",
                "/people/0/kind",
                "/people/1",
                "/people/1/employment/status",
                "/organization",
                "/organization/as_of",
                "/organization/as_of",
                "/accounts/0/mfa",
                "/vendors"
            ]
        );
    }

    #[test]
    fn a_violation_inside_a_record_is_placed_at_its_value() {
        let a = r#"{"schema_version": "1", "organization": {"name": "O"},
"people": [{"id": "a", "name": "A", "kind": "employee", "employment": {"status": "active"}}]}"#;
        // The second file's records follow the first's: `/people/1` is its first.
        let b = "{\"people\": [\n  {\"id\": \"b\", \"kind\": \"robot\",\n    \"name\": \"B\",\n    \"employment\": {\n      \"status\": \"active\",\n      \"start_date\": \"2026-02-30\"\n    }},\n  {\"id\": \"c\", \"kind\": \"employee\",\n    \"employment\": {\"status\": \"active\"},\n    \"policy_acknowledgements\": [{\"policy_id\": \"p\"},\n      {\"policy_id\": 7, \"acknowledged_on\": \"2026-01-10\"}]}\n],\n\"vendors\": [{\"id\": \"v\", \"name\": \"V\", \"contract\": {\"signed_on\": \"no\"}}]}";
        let err = Facts::load(&[src("a.json", a), src("b.json", b)]).unwrap_err();
        let FactsError::Invalid(violations) = &err else {
            panic!("{err}")
        };
        let shown: Vec<String> = violations.iter().map(ToString::to_string).collect();
        // Each at its value's line and column; a required field missing at the record (or
        // object) that lacks it.
        let at = |line: usize, column: usize| {
            let l = b.lines().nth(line - 1).unwrap();
            &l[column - 1..]
        };
        assert_eq!(at(2, 23), "\"robot\",");
        assert_eq!(at(6, 21), "\"2026-02-30\"");
        assert_eq!(at(8, 3), "{\"id\": \"c\", \"kind\": \"employee\",");
        assert_eq!(at(10, 33), "{\"policy_id\": \"p\"},");
        assert_eq!(at(11, 21), "7, \"acknowledged_on\": \"2026-01-10\"}]}");
        assert_eq!(at(13, 64), "\"no\"}}]}");
        assert!(shown.iter().all(|v| v.starts_with("b.json:")), "{shown:#?}");
        let places: Vec<String> = shown
            .iter()
            .map(|v| v.split(": ").next().unwrap().to_owned())
            .collect();
        assert_eq!(
            places,
            [
                "b.json:2:23",
                "b.json:6:21",
                "b.json:8:3",
                "b.json:10:33",
                "b.json:11:21",
                "b.json:13:13",
                "b.json:13:64",
                "b.json:13:64",
            ],
            "{shown:#?}"
        );
        assert!(shown[0].contains("/people/1/kind"), "{}", shown[0]);
        assert!(shown[2].starts_with("b.json:8:3: /people/2: \"name\" is a required"));
        assert_eq!(
            (violations[1].line, violations[1].column),
            (Some(6), Some(21))
        );
    }

    /// Problems inside the organization are placed at their value's line and column, as
    /// those inside records are: a schema violation, an undefined field (a warning), and the
    /// checks made after the schema's (the audit period, the scope).
    #[test]
    fn problems_inside_the_organization_carry_line_and_column() {
        let org = |inside: &str| {
            format!(
                "{{\"schema_version\": \"1\",\n  \"organization\": {{\n    \"name\": \"A\",\n{inside}\n  }}\n}}\n"
            )
        };
        let place = |v: &Violation| (v.pointer.clone(), v.line, v.column);
        let refused = |text: &str| -> Vec<_> {
            match Facts::load(&[src("org.json", text)]) {
                Err(FactsError::Invalid(violations)) => violations.iter().map(place).collect(),
                other => panic!("{text} must be refused: {other:?}"),
            }
        };
        let at = |pointer: &str, line, column| (pointer.to_owned(), Some(line), Some(column));
        assert_eq!(
            refused(&org("    \"as_of\": 5")),
            [at("/organization/as_of", 4, 14)]
        );
        let period =
            "    \"audit_period\": {\"start\": \"2026-05-01\",\n      \"end\": \"2026-01-01\"}";
        assert_eq!(
            refused(&org(period)),
            [at("/organization/audit_period", 4, 21)]
        );
        let warned = Facts::load(&[src("org.json", &org("    \"colour\": 1"))]).unwrap();
        let warnings: Vec<_> = warned.warnings().iter().map(place).collect();
        assert_eq!(warnings, [at("/organization/colour", 4, 15)]);
    }

    #[test]
    fn a_scalar_key_set_twice_names_both_files() {
        let a = r#"{"schema_version": "1", "organization": {"name": "A"}}"#;
        let b = r#"{"organization": {"name": "B"}}"#;
        let err = Facts::load(&[src("a.json", a), src("b.json", b)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`organization` is set by both a.json and b.json; only arrays can be split across files"
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = Facts::load(&[src("x.json", "{\n  \"a\": [1,\n}")]).unwrap_err();
        let FactsError::Syntax(JsonSyntax { file, line, .. }) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((file.as_str(), *line), ("x.json", 3));
        // The outline is in place but an element is not JSON: the error is still placed in
        // the whole file, not in the element.
        let text = "{\"schema_version\": \"1\",\n \"people\": [\n  {\"id\": \"a\"},\n  {\"id\" \"b\"}\n ]}";
        let err = Facts::load(&[src("y.json", text)]).unwrap_err();
        let FactsError::Syntax(JsonSyntax { line, column, .. }) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*line, *column), (4, 9), "{err}");
        // The place is shown once, before the message; serde_json's column 0 (the start of
        // a line) is column 1.
        let err = Facts::load(&[src("z.json", "{\"a\": [1,]}")]).unwrap_err();
        assert_eq!(err.to_string(), "z.json:1:10: invalid JSON: trailing comma");
        // A file that ends too early is placed at its end: just past its last character
        // that is not white space, never on a line past the last.
        for (text, shown) in [
            ("", "e.json:1:1: invalid JSON: the file is empty"),
            (" \n", "e.json:1:1: invalid JSON: the file is empty"),
            (
                "{\n",
                "e.json:1:2: invalid JSON: EOF while parsing an object",
            ),
            (
                "{\"schema_version\": \"1\",",
                "e.json:1:24: invalid JSON: EOF while parsing a value",
            ),
            (
                "{\"schema_version\": \"1\",\n",
                "e.json:1:24: invalid JSON: EOF while parsing a value",
            ),
            (
                "{\"schema_version\": \"1\",\n \"people\": [\r\n\n  \n",
                "e.json:2:13: invalid JSON: EOF while parsing a list",
            ),
            (
                "\u{feff}{\"é\": \"ü",
                "e.json:1:9: invalid JSON: EOF while parsing a string",
            ),
        ] {
            let err = Facts::load(&[src("e.json", text)]).unwrap_err();
            assert_eq!(err.to_string(), shown);
        }
    }

    #[test]
    fn a_byte_order_mark_opening_a_file_is_ignored() {
        let text = r#"{"schema_version": "1", "organization": {"name": "A"},
"people": [{"id": "p1", "name": "P", "kind": "employee", "employment": {"status": "active"}}],
"acounts": []}"#;
        let marked = format!("\u{feff}{text}");
        let plain = Facts::load(&[src("a.json", text)]).unwrap();
        let with_mark = Facts::load(&[src("a.json", &marked)]).unwrap();
        assert_eq!(with_mark.digest(), plain.digest());
        assert_eq!(with_mark.warnings(), plain.warnings());
        assert_eq!(with_mark.origin("/people/0"), plain.origin("/people/0"));
        // Lines and columns are counted after the mark, as editors show the text.
        let broken = "\u{feff}{\"schema_version\" \"1\"}";
        let err = Facts::load(&[src("b.json", broken)]).unwrap_err();
        let FactsError::Syntax(JsonSyntax { line, column, .. }) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((*line, *column), (1, 19), "{err}");
        // Only at the start: anywhere else it is no JSON.
        let inside = format!("{{\u{feff}{}", &text[1..]);
        assert!(matches!(
            Facts::load(&[src("c.json", &inside)]),
            Err(FactsError::Syntax(_))
        ));
    }

    #[test]
    fn nesting_is_limited_per_file_not_per_part() {
        // 129 levels in all, 127 inside the element: serde_json refuses the file (its limit
        // is 128), so the facts are refused whether the file is parsed whole or in parts.
        let text = format!(
            r#"{{"schema_version": "1", "people": [{}{}]}}"#,
            "[".repeat(127),
            "]".repeat(127)
        );
        let err = Facts::load(&[src("deep.json", &text)]).unwrap_err();
        assert!(
            err.to_string().contains("recursion limit exceeded"),
            "{err}"
        );
    }
}
