//! The criteria of the pack the facts are loaded for, which evidence records name by their
//! `control_id`: a record naming a criterion the pack does not define supports none of its
//! criteria (a mistyped `CC9.9` leaves `CC9.2` without that evidence), so loading the facts
//! says so, like a field the schema does not define.

use super::tree::Node;
use crate::date::Date;
use serde_json::Value;
use std::collections::HashMap;

/// The collection of evidence records, and the field naming their criterion.
const EVIDENCE: &str = "evidence";
const CONTROL_ID: &str = "control_id";

/// A pack's criteria, by id ([`crate::Pack::criteria`]), for checking the criteria evidence
/// records name ([`super::LoadOptions::criteria`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria {
    pack: String,
    ids: Vec<String>,
}

impl Criteria {
    /// The criteria `ids` of the pack named `pack`.
    pub fn new(pack: impl Into<String>, ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Criteria {
            pack: pack.into(),
            ids: ids.into_iter().map(Into::into).collect(),
        }
    }

    /// The pack's name.
    pub fn pack(&self) -> &str {
        &self.pack
    }

    /// Whether the pack has the criterion `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.iter().any(|c| c == id)
    }

    /// What is wrong with evidence naming criterion `id`, if the pack has no such criterion:
    /// ``"`CC9.9` is not a criterion of pack soc2, so no criterion uses this evidence; did you
    /// mean `CC9.2`?"``.
    pub fn problem(&self, id: &str) -> Option<String> {
        if self.contains(id) {
            return None;
        }
        let hint = self
            .closest(id)
            .map_or_else(String::new, |c| format!("; did you mean `{c}`?"));
        Some(format!(
            "`{id}` is not a criterion of pack {}, so no criterion uses this evidence{hint}",
            self.pack
        ))
    }

    /// The criterion closest to a mistyped `id`: of the criteria of its series (`CC9` for
    /// `CC9.9`), the most alike, and of those alike, the nearest in number (`CC9.2`, not
    /// `CC9.1`); without such a series, the closest id if one is close enough.
    pub fn closest(&self, id: &str) -> Option<&str> {
        let (series, number) = split(id)?;
        let alike = |c: &str| strsim::jaro_winkler(id, c);
        let nearest = self
            .ids
            .iter()
            .filter_map(|c| split(c).filter(|(s, _)| *s == series).map(|(_, n)| (c, n)))
            .max_by(|(a, m), (b, n)| {
                alike(a)
                    .total_cmp(&alike(b))
                    .then_with(|| n.abs_diff(number).cmp(&m.abs_diff(number)))
                    .then_with(|| n.cmp(m))
            })
            .map(|(c, _)| c.as_str());
        nearest.or_else(|| crate::suggest::closest(id, self.ids.iter().map(String::as_str)))
    }
}

/// An id's series and number: `("CC9", 9)` for `CC9.9`.
fn split(id: &str) -> Option<(&str, u64)> {
    let (series, number) = id.rsplit_once('.')?;
    Some((series, number.parse().ok()?))
}

/// The evidence records of `doc` (or of `records`, where the collection was read record by
/// record) that name a criterion `criteria` do not have: the pointer to each one's
/// `control_id` and what is wrong, in document order. A `control_id` that is not a string is
/// the schema's to report.
pub(super) fn unknown(
    doc: &Value,
    records: &HashMap<String, Vec<Node>>,
    criteria: &Criteria,
) -> Vec<(String, String)> {
    let ids: Vec<Option<&str>> = match records.get(EVIDENCE) {
        Some(nodes) => nodes
            .iter()
            .map(|n| n.as_record()?.get(CONTROL_ID)?.as_str())
            .collect(),
        None => match doc.get(EVIDENCE) {
            Some(Value::Array(items)) => {
                items.iter().map(|v| v.get(CONTROL_ID)?.as_str()).collect()
            }
            _ => Vec::new(),
        },
    };
    ids.into_iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let problem = criteria.problem(id?)?;
            Some((format!("/{EVIDENCE}/{i}/{CONTROL_ID}"), problem))
        })
        .collect()
}

/// The longest an evidence record may stay good after its collection before its expiry is
/// doubted: a criterion is shown again at least yearly (a leap year's 366 days).
pub(crate) const MAX_EVIDENCE_DAYS: i64 = 366;

/// The evidence records of `root` whose `expires_on` is doubtful: before `collected_on` (the
/// record covers no day, so its criterion lapses where it seemed held), or more than
/// [`MAX_EVIDENCE_DAYS`] after it (the record would stand for the criterion for years). Each
/// as the pointer to its `expires_on` and what is wrong, in document order.
pub(super) fn doubtful_expiries(root: &Node) -> Vec<(String, String)> {
    let Some(Node::List(records)) = root.field(EVIDENCE) else {
        return Vec::new();
    };
    let date = |r: &Node, field| r.field(field).and_then(Node::as_str).and_then(Date::parse);
    (records.items().iter().enumerate())
        .filter_map(|(i, r)| {
            let (collected, expires) = (date(r, "collected_on")?, date(r, "expires_on")?);
            let problem = if expires < collected {
                format!("the evidence expires on {expires}, before it was collected on {collected}: it supports its criterion on no day")
            } else if collected.days_until(expires) > MAX_EVIDENCE_DAYS {
                format!("the evidence is good until {expires}, more than a year after it was collected on {collected}: a criterion is shown again at least yearly; expire it within {MAX_EVIDENCE_DAYS} days of its collection")
            } else {
                return None;
            };
            Some((format!("/{EVIDENCE}/{i}/expires_on"), problem))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soc2() -> Criteria {
        Criteria::new(
            "soc2",
            [
                "CC6.1", "CC6.2", "CC6.8", "CC9.1", "CC9.2", "A1.1", "A1.2", "A1.3",
            ],
        )
    }

    #[test]
    fn a_criterion_the_pack_lacks_is_named_with_the_closest_it_has() {
        let c = soc2();
        assert_eq!(c.problem("CC6.1"), None);
        assert_eq!(
            c.problem("CC9.9").as_deref(),
            Some(
                "`CC9.9` is not a criterion of pack soc2, so no criterion uses this evidence; did you mean `CC9.2`?"
            )
        );
        // The most alike first (an extra digit), then the nearest number.
        assert_eq!(c.closest("CC6.10"), Some("CC6.1"));
        assert_eq!(c.closest("CC6.9"), Some("CC6.8"));
        assert_eq!(c.closest("A1.9"), Some("A1.3"));
        // No series of its own: only an id close enough.
        assert_eq!(c.closest("CC7.1"), None);
        assert_eq!(
            c.problem("P1.1").as_deref(),
            Some("`P1.1` is not a criterion of pack soc2, so no criterion uses this evidence")
        );
    }

    #[test]
    fn evidence_records_are_found_where_they_were_read() {
        let c = soc2();
        let doc = serde_json::json!({"evidence": [
            {"control_id": "CC6.1"}, {"control_id": "CC9.9"}, {"control_id": 3}, {}
        ]});
        let found = unknown(&doc, &HashMap::new(), &c);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/evidence/1/control_id");
        assert!(found[0].1.starts_with("`CC9.9` is not a criterion"));
        let nothing = unknown(&serde_json::json!({"evidence": {}}), &HashMap::new(), &c);
        assert!(nothing.is_empty());
    }
}
