//! A rule's population from the pointers of the records it tested: counted per collection
//! against the collection's size, with the records' keys under `--explain`, and each record
//! with its outcome under `--populations`.

use crate::facts::Facts;
use crate::facts::tree::Node;
use crate::report::{Finding, FindingStatus, Population, PopulationRecord, RecordOutcome, Tested};
use indexmap::IndexMap;
use std::collections::HashMap;

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
    pointers.sort_unstable();
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
    for p in &pointers {
        let name = p.split('/').nth(1).unwrap_or_default();
        collections
            .entry(name.to_owned())
            .or_insert_with(|| Tested {
                tested: 0,
                of: size(name).unwrap_or_default(),
            })
            .tested += 1;
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
