//! A rule's population from the pointers of the records it tested: counted per collection
//! against the collection's size, with the records' keys under `--explain`, and each record
//! with its outcome under `--populations`.

use crate::facts::Facts;
use crate::facts::tree::Node;
use crate::report::{Finding, FindingStatus, Population, PopulationRecord, RecordOutcome, Tested};
use indexmap::IndexMap;
use std::collections::{BTreeMap, HashMap};

/// What a population lists beyond its counts.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Detail {
    /// The tested records' keys (`--explain`).
    pub keys: bool,
    /// Each tested record with its outcome (`--populations`).
    pub records: bool,
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
    for (prefix, tested) in counts {
        let name = prefix.trim_start_matches('/').trim_end_matches('/');
        collections
            .entry(name.to_owned())
            .or_insert_with(|| Tested {
                tested: 0,
                of: size(name).unwrap_or_default(),
            })
            .tested += tested;
    }
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
    use super::{Detail, of};
    use crate::facts::{Facts, FactsSource};

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
