//! A rule's population from the records it tested (or their pointers): counted per
//! collection against the collection's size, with the records' keys under `--explain`, and each record
//! with its outcome under `--populations`.

use crate::facts::Facts;
use crate::facts::tree::{Node, Record};
use crate::report::{Finding, FindingStatus, Population, PopulationRecord, RecordOutcome, Tested};
use indexmap::IndexMap;
use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

/// What a population lists beyond its counts.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Detail {
    /// The tested records' keys (`--explain`).
    pub keys: bool,
    /// Each tested record with its outcome (`--populations`).
    pub records: bool,
}

/// The records a rule tested, as it noted them: in runs of items that follow one another
/// in one list (a loop over a collection notes one run), each held by its first record and
/// its length, so that noting a record holds no handle on it and counting them sorts runs,
/// not records.
#[derive(Default)]
pub(crate) struct TestedRecords {
    runs: Vec<(Record, u32)>,
}

impl TestedRecords {
    /// Notes `record`: it extends the last run when it is the item after it in the same
    /// list, and is not noted again when the last run holds it already (the population
    /// counts each record once).
    pub(crate) fn push(&mut self, record: &Record) {
        if let Some((first, len)) = self.runs.last_mut() {
            match (first.list_place(), record.list_place()) {
                (Some((list, start)), Some((other, i))) if list.as_ptr() == other.as_ptr() => {
                    if i.checked_sub(start) == Some(*len) {
                        *len += 1;
                        return;
                    }
                    if (start..start + *len).contains(&i) {
                        return;
                    }
                }
                _ if first.same_place(record) => return,
                _ => {}
            }
        }
        self.runs.push((record.clone(), 1));
    }

    /// The JSON Pointers of the records, in the order they were noted.
    fn pointers(&self) -> impl Iterator<Item = Cow<'_, str>> {
        self.runs
            .iter()
            .flat_map(|(first, len)| (0..*len).map(move |after| first.pointer_after(after)))
    }
}

/// The population of `records`, as [`of`] gives it for their pointers. When only counts
/// are asked for, the records of lists are counted by their places, without their pointers
/// written out.
pub(crate) fn of_records(
    facts: &Facts,
    declared: &[String],
    records: &TestedRecords,
    judged: Judged<'_>,
    detail: Detail,
) -> Population {
    if !detail.keys
        && !detail.records
        && let Some((counts, tested)) = counts_by_place(records)
    {
        return Population {
            tested,
            collections: collections(facts, declared, counts),
            keys: None,
            records: None,
        };
    }
    let pointers: Vec<_> = records.pointers().collect();
    of(facts, declared, &pointers, judged, detail)
}

/// The records per collection (by the first part of their pointers with its slashes,
/// `/people/`) and in all, each counted once, from the places of their runs in their
/// lists; `None` when a record is not an item of a list or two lists have one pointer
/// (then the pointers decide).
fn counts_by_place(records: &TestedRecords) -> Option<(BTreeMap<String, u64>, u64)> {
    // Each run's list (by the address of its pointer's text), first and last index + 1,
    // and the run.
    let mut spans = Vec::with_capacity(records.runs.len());
    for (n, (first, len)) in records.runs.iter().enumerate() {
        let (list, start) = first.list_place()?;
        spans.push((list.as_ptr() as usize, start, start + len, n));
    }
    crate::sorting::sort(&mut spans);
    // Records per list, by its pointer: one list per pointer, else the pointers decide.
    let mut lists: BTreeMap<&str, u64> = BTreeMap::new();
    let mut total = 0;
    for group in spans.chunk_by(|a, b| a.0 == b.0) {
        // The spans of one list, by their first index: each counts what the ones before
        // it did not reach.
        let (mut count, mut reached) = (0u64, 0u32);
        for &(_, start, end, _) in group {
            count += u64::from(end.saturating_sub(start.max(reached)));
            reached = reached.max(end);
        }
        total += count;
        let (list, _) = records.runs[group[0].3].0.list_place()?;
        match lists.entry(list.as_str()) {
            Entry::Vacant(e) => e.insert(count),
            Entry::Occupied(_) => return None,
        };
    }
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for (list, n) in lists {
        // The pointer of an item of `/vendors/3/contacts` starts `/vendors/`, of `/people`
        // `/people/`.
        let prefix = match list.get(1..).and_then(|rest| rest.find('/')) {
            Some(i) => list[..i + 2].to_owned(),
            None => format!("{list}/"),
        };
        *counts.entry(prefix).or_default() += n;
    }
    Some((counts, total))
}

/// What decides each record's outcome: the rule's findings, and the records it marked as
/// exceptions without a finding of their own (`exception`: a leaver whose account was
/// disabled late), as JSON Pointers.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Judged<'a> {
    pub findings: &'a [Finding],
    pub exceptions: &'a [String],
}

/// The population of the records at `pointers` (repeats allowed, any order), with every
/// collection of `declared` listed, tested or not. `judged` decides each record's outcome.
pub(crate) fn of<P: AsRef<str>>(
    facts: &Facts,
    declared: &[String],
    pointers: &[P],
    judged: Judged<'_>,
    detail: Detail,
) -> Population {
    let mut pointers: Vec<&str> = pointers.iter().map(AsRef::as_ref).collect();
    // Shorter first, then byte order: any total order serves to drop repeats, and this one
    // is the order of the records of a list gone through front to back (`/people/9` before
    // `/people/10`), which the sort only has to confirm.
    crate::sorting::sort_by(&mut pointers, |a, b| {
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    });
    pointers.dedup();
    // Records per collection, by the pointer's first part with its slash (`/people/`), so
    // that collections the rule did not declare follow in the order of their pointers.
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for p in &pointers {
        let end = p
            .get(1..)
            .and_then(|rest| rest.find('/'))
            .map_or(p.len(), |i| i + 2);
        *counts.entry(&p[..end]).or_default() += 1;
    }
    let collections = collections(facts, declared, counts);
    let key = |p: &str| facts.key(p).unwrap_or_else(|| p.to_owned());
    let keys = detail.keys.then(|| {
        let mut keys: Vec<String> = pointers.iter().map(|p| key(p)).collect();
        crate::sorting::sort(&mut keys);
        keys
    });
    let records = detail.records.then(|| {
        let outcomes = outcomes(judged);
        let mut records: Vec<PopulationRecord> = pointers
            .iter()
            .map(|p| PopulationRecord {
                key: key(p),
                entity: (*p).to_owned(),
                source: facts.origin(p),
                outcome: outcomes.get(p).copied().unwrap_or(RecordOutcome::Pass),
            })
            .collect();
        crate::sorting::sort_by(&mut records, |a, b| a.key.cmp(&b.key));
        records
    });
    Population {
        tested: pointers.len() as u64,
        collections,
        keys,
        records,
    }
}

/// Every collection of `declared`, tested or not, then the others `counts` has (records
/// per first part of their pointers, `/people/`), each with its size.
fn collections<K: AsRef<str>>(
    facts: &Facts,
    declared: &[String],
    counts: BTreeMap<K, u64>,
) -> IndexMap<String, Tested> {
    let size = |name: &str| match facts.root().field(name) {
        Some(Node::List(l)) => Some(l.len() as u64),
        _ => None,
    };
    let mut collections: IndexMap<String, Tested> = declared
        .iter()
        .filter_map(|k| {
            Some((
                k.clone(),
                Tested {
                    tested: 0,
                    of: size(k)?,
                },
            ))
        })
        .collect();
    for (prefix, tested) in counts {
        let name = prefix
            .as_ref()
            .trim_start_matches('/')
            .trim_end_matches('/');
        collections
            .entry(name.to_owned())
            .or_insert_with(|| Tested {
                tested: 0,
                of: size(name).unwrap_or_default(),
            })
            .tested += tested;
    }
    collections
}

/// The outcome of every record a finding names, and of every record that holds one (a
/// finding on `/vendors/2/contract` is about `/vendors/2` too): an exception for a failing
/// finding, else a warning; and an exception for every record marked as one.
fn outcomes<'a>(judged: Judged<'a>) -> HashMap<&'a str, RecordOutcome> {
    let mut out: HashMap<&str, RecordOutcome> = judged
        .exceptions
        .iter()
        .map(|p| (p.as_str(), RecordOutcome::Exception))
        .collect();
    for f in judged.findings {
        let Some(entity) = f.entity.as_deref() else {
            continue;
        };
        let outcome = match f.status {
            FindingStatus::Fail => RecordOutcome::Exception,
            FindingStatus::Warn => RecordOutcome::Warn,
        };
        let mut at = entity;
        while !at.is_empty() {
            let slot = out.entry(at).or_insert(outcome);
            if outcome == RecordOutcome::Exception {
                *slot = outcome;
            }
            at = at.rfind('/').map_or("", |i| &at[..i]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{Detail, Judged, TestedRecords, of, of_records};
    use crate::facts::tree::{Node, Record};
    use crate::facts::{Facts, FactsSource};

    /// Counted by their places, records give the population their pointers give: repeats
    /// counted once, an item of a nested list in its record's collection.
    #[test]
    fn records_are_counted_as_their_pointers_are() {
        let text = r#"{"schema_version": "1", "organization": {"name": "A"},
            "people": [
                {"id": "p0", "name": "P", "kind": "employee", "employment": {"status": "active"}},
                {"id": "p1", "name": "Q", "kind": "employee", "employment": {"status": "active"},
                 "policy_acknowledgements": [
                    {"policy_id": "x", "acknowledged_on": "2026-01-01"},
                    {"policy_id": "y", "acknowledged_on": "2026-01-02"}]}],
            "accounts": [
                {"system_id": "s", "username": "a", "kind": "human", "status": "active"},
                {"system_id": "s", "username": "b", "kind": "human", "status": "active"}]}"#;
        let facts = Facts::load(&[FactsSource {
            name: "f.json",
            text,
        }])
        .unwrap();
        let records_of = |list: Option<&Node>| -> Vec<Record> {
            let Some(Node::List(l)) = list else {
                panic!("not a list: {list:?}");
            };
            l.items()
                .iter()
                .filter_map(Node::as_record)
                .cloned()
                .collect()
        };
        let people = records_of(facts.root().field("people"));
        let accounts = records_of(facts.root().field("accounts"));
        let acks = records_of(people[1].get("policy_acknowledgements"));
        let records = [
            accounts[1].clone(),
            acks[1].clone(),
            people[0].clone(),
            accounts[1].clone(),
            acks[0].clone(),
            acks[1].clone(),
        ];
        let declared = ["accounts".to_owned(), "vendors".to_owned()];
        let pointers: Vec<_> = records.iter().map(Record::pointer).collect();
        let by_pointer = of(
            &facts,
            &declared,
            &pointers,
            Judged::default(),
            Detail::default(),
        );
        let by_place = of_records(
            &facts,
            &declared,
            &noted(&records),
            Judged::default(),
            Detail::default(),
        );
        assert_eq!(by_place, by_pointer);
        assert_eq!(by_place.tested, 4);
        let counted: Vec<(&str, u64)> = by_place
            .collections
            .iter()
            .map(|(name, t)| (name.as_str(), t.tested))
            .collect();
        assert_eq!(counted, [("accounts", 1), ("people", 3)]);
    }

    /// Facts of `people` people and `accounts` accounts.
    fn facts_of(people: usize, accounts: usize) -> Facts {
        let people: Vec<String> = (0..people)
            .map(|i| format!(r#"{{"id": "p{i}", "name": "P", "kind": "employee", "employment": {{"status": "active"}}}}"#))
            .collect();
        let accounts: Vec<String> = (0..accounts)
            .map(|i| format!(r#"{{"system_id": "s", "username": "u{i}", "kind": "human", "status": "active"}}"#))
            .collect();
        let text = format!(
            r#"{{"schema_version": "1", "organization": {{"name": "A"}},
                "people": [{}], "accounts": [{}]}}"#,
            people.join(","),
            accounts.join(",")
        );
        Facts::load(&[FactsSource {
            name: "f.json",
            text: &text,
        }])
        .unwrap()
    }

    /// `records` noted in order, as a rule notes them.
    fn noted(records: &[Record]) -> TestedRecords {
        let mut tested = TestedRecords::default();
        records.iter().for_each(|r| tested.push(r));
        tested
    }

    /// Records noted in runs (a loop over a collection, one broken off, one gone through
    /// again, repeats, items of another list between) are counted as their pointers are, and
    /// listed by them under `--explain`.
    #[test]
    fn runs_of_records_are_counted_as_their_pointers_are() {
        let facts = facts_of(2, 30);
        let items = |name: &str| -> Vec<Record> {
            let Some(Node::List(l)) = facts.root().field(name) else {
                panic!("no list {name}");
            };
            l.items()
                .iter()
                .filter_map(Node::as_record)
                .cloned()
                .collect()
        };
        let (accounts, people) = (items("accounts"), items("people"));
        let order: Vec<Record> = [
            &accounts[5..12],
            &accounts[11..12],
            &people[1..2],
            &accounts[12..15],
            &accounts[3..8],
            &accounts[20..30],
            &accounts[25..26],
            &people[..2],
            &accounts[..1],
        ]
        .concat();
        let tested = noted(&order);
        let pointers: Vec<_> = order.iter().map(Record::pointer).collect();
        let declared = ["accounts".to_owned()];
        for detail in [
            Detail::default(),
            Detail {
                keys: true,
                records: true,
            },
        ] {
            let by_runs = of_records(&facts, &declared, &tested, Judged::default(), detail);
            assert_eq!(
                by_runs,
                of(&facts, &declared, &pointers, Judged::default(), detail)
            );
            // Accounts 0, 3 to 14 and 20 to 29; both people.
            assert_eq!(by_runs.tested, 25);
            assert_eq!(by_runs.collections["accounts"].tested, 23);
            assert_eq!(by_runs.collections["people"].tested, 2);
        }
        // Seven runs hold the 31 records noted: 5 to 11, person 1, 12 to 14, 3 to 7, 20 to
        // 29, both people, 0.
        assert_eq!(tested.runs.len(), 7);
    }

    #[test]
    fn counts_each_record_once_per_collection_in_any_order() {
        let facts = facts_of(1, 12);
        // Repeats, out of order, `/accounts/10` beside `/accounts/1`.
        let pointers = [
            "/accounts/10",
            "/people/0",
            "/accounts/1",
            "/accounts/10",
            "/accounts/2",
            "/accounts/1",
        ];
        let detail = Detail {
            keys: true,
            records: false,
        };
        let population = of(&facts, &[], &pointers, Judged::default(), detail);
        assert_eq!(population.tested, 4);
        let keys = population.keys.clone().unwrap();
        assert_eq!(keys.len(), 4);
        assert!(keys.is_sorted(), "{keys:?}");
        // Collections the rule did not declare follow in the order of their names.
        let counted: Vec<(&str, u64, u64)> = population
            .collections
            .iter()
            .map(|(name, t)| (name.as_str(), t.tested, t.of))
            .collect();
        assert_eq!(counted, [("accounts", 3, 12), ("people", 1, 1)]);
        // Declared collections come first, in their order, tested or not.
        let declared = ["people".to_owned(), "accounts".to_owned()];
        let population = of(&facts, &declared, &pointers[..1], Judged::default(), detail);
        let names: Vec<&str> = population.collections.keys().map(String::as_str).collect();
        assert_eq!(names, ["people", "accounts"]);
        assert_eq!(population.collections["people"].tested, 0);
    }
}
