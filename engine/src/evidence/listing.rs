//! The evidence records of each criterion, as reports list them beside its status.

use super::files::{self, Files};
use super::{date, lapses_on, records_of, text};
use crate::date::Date;
use crate::facts::Facts;
use crate::report::{EvidenceRecord, EvidenceState};

/// The evidence records of the criterion `control_id`, in key order, each with whether it
/// is current at `as_of` and, with an evidence root (`files`), how its file checked out.
pub(crate) fn list(
    facts: &Facts,
    control_id: &str,
    as_of: Date,
    files: Option<&Files>,
) -> Vec<EvidenceRecord> {
    let mut out: Vec<EvidenceRecord> = records_of(facts, control_id)
        .map(|r| {
            let collected = date(r, "collected_on");
            let expires = collected.map(|c| lapses_on(r, c));
            let state = match (collected, expires) {
                (Some(c), _) if c > as_of => EvidenceState::NotYet,
                (Some(_), Some(e)) if e >= as_of => EvidenceState::Current,
                _ => EvidenceState::Expired,
            };
            let pointer = r.pointer();
            EvidenceRecord {
                key: facts.key(&pointer),
                title: text(r, "title").unwrap_or_default(),
                uri: text(r, "uri"),
                collected_on: text(r, "collected_on").unwrap_or_default(),
                expires_on: expires.map(|e| e.to_string()),
                state,
                file: files
                    .and_then(|f| files::outcome(r, f))
                    .map(|(check, _)| check),
                source: facts.origin(&pointer),
            }
        })
        .collect();
    crate::sorting::sort_by(&mut out, |a, b| a.key.cmp(&b.key));
    out
}
