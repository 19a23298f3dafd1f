//! A rule's population from the records it tested (or their pointers): counted per
//! collection against the collection's size, with the records' keys under `--explain`, and each record
//! with its outcome under `--populations`.

use crate::facts::Facts;
use crate::facts::tree::{Node, Record};
use crate::report::{Finding, FindingStatus, Population, PopulationRecord, RecordOutcome, Tested};
use indexmap::IndexMap;
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

/// The population of `records` (repeats allowed, any order), as [`of`] gives it for their
/// pointers. When only counts are asked for, the records of lists are counted by their
/// places, without their pointers written out.
pub(crate) fn of_records(
    facts: &Facts,
    declared: &[String],
    records: &[Record],
    findings: &[Finding],
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
    let pointers: Vec<_> = records.iter().map(Record::pointer).collect();
    of(facts, declared, &pointers, findings, detail)
}

/// The records per collection (by the first part of their pointers with its slashes,
/// `/people/`) and in all, each counted once, from their places in their lists; `None` when
/// a record is not an item of a list or two lists have one pointer (then the pointers
/// decide).
fn counts_by_place(records: &[Record]) -> Option<(BTreeMap<String, u64>, u64)> {
    // Each record's list (by the address of its pointer's text), index and record.
    let mut places = Vec::with_capacity(records.len());
    for (n, r) in records.iter().enumerate() {
        let (list, i) = r.list_place()?;
        places.push((list.as_ptr() as usize, i, n));
    }
    places.sort_unstable();
    places.dedup_by_key(|&mut (list, i, _)| (list, i));
    // Records per list, by its pointer: one list per pointer, else the pointers decide.
    let mut lists: BTreeMap<&str, u64> = BTreeMap::new();
    for run in places.chunk_by(|a, b| a.0 == b.0) {
        let (list, _) = records[run[0].2].list_place()?;
        match lists.entry(list.as_str()) {
            Entry::Vacant(e) => e.insert(run.len() as u64),
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
    Some((counts, places.len() as u64))
}

/// The population of the records at `pointers` (repeats allowed, any order), with every
/// collection of `declared` listed, tested or not. `findings` decide each record's outcome.
pub(crate) fn of<P: AsRef<str>>(
    facts: &Facts,
    declared: &[String],
    pointers: &[P],
    findings: &[Finding],
    detail: Detail,
) -> Population {
    let mut pointers: Vec<&str> = pointers.iter().map(AsRef::as_ref).collect();
    // Shorter first, then byte order: any total order serves to drop repeats, and this one
    // is the order of the records of a list gone through front to back (`/people/9` before
    // `/people/10`), which the sort only has to confirm.
    pointers.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
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
        keys.sort_unstable();
        keys
    });
    let records = detail.records.then(|| {
        let outcomes = outcomes(findings);
        let mut records: Vec<PopulationRecord> = pointers
            .iter()
            .map(|p| PopulationRecord {
                key: key(p),
                entity: (*p).to_owned(),
                source: facts.origin(p),
                outcome: outcomes.get(p).copied().unwrap_or(RecordOutcome::Pass),
            })
            .collect();
        records.sort_by(|a, b| a.key.cmp(&b.key));
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
/// finding, else a warning.
fn outcomes(findings: &[Finding]) -> HashMap<&str, RecordOutcome> {
    let mut out: HashMap<&str, RecordOutcome> = HashMap::new();
    for f in findings {
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
    use super::{Detail, of, of_records};
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
        let by_pointer = of(&facts, &declared, &pointers, &[], Detail::default());
        let by_place = of_records(&facts, &declared, &records, &[], Detail::default());
        assert_eq!(by_place, by_pointer);
        assert_eq!(by_place.tested, 4);
        let counted: Vec<(&str, u64)> = by_place
            .collections
            .iter()
            .map(|(name, t)| (name.as_str(), t.tested))
            .collect();
        assert_eq!(counted, [("accounts", 1), ("people", 3)]);
    }

    #[test]
    fn counts_each_record_once_per_collection_in_any_order() {
        let accounts: Vec<String> = (0..12)
            .map(|i| format!(r#"{{"system_id": "s", "username": "u{i}", "kind": "human", "status": "active"}}"#))
            .collect();
        let text = format!(
            r#"{{"schema_version": "1", "organization": {{"name": "A"}},
                "people": [{{"id": "p", "name": "P", "kind": "employee", "employment": {{"status": "active"}}}}],
                "accounts": [{}]}}"#,
            accounts.join(",")
        );
        let facts = Facts::load(&[FactsSource {
            name: "f.json",
            text: &text,
        }])
        .unwrap();
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
        let population = of(&facts, &[], &pointers, &[], detail);
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
        let population = of(&facts, &declared, &pointers[..1], &[], detail);
        let names: Vec<&str> = population.collections.keys().map(String::as_str).collect();
        assert_eq!(names, ["people", "accounts"]);
        assert_eq!(population.collections["people"].tested, 0);
    }
}
