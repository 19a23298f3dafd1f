//! `fail(...)` and `warn(...)`: how a rule reports what it found.

use super::data::{Data, MAX_DATA_DEPTH, Room, TooMuch};
use super::error;
use crate::context::{self, RawFinding};
use crate::facts::holds;
use crate::facts::tree::{List, Record};
use crate::report::FindingStatus;
use rhai::{Dynamic, Engine, ImmutableString, Map};

type Result<T> = std::result::Result<T, Box<rhai::EvalAltResult>>;

pub(super) fn register(engine: &mut Engine) {
    for (name, status) in [("fail", FindingStatus::Fail), ("warn", FindingStatus::Warn)] {
        engine
            .register_fn(name, move |message: ImmutableString| {
                raise(status, &Dynamic::UNIT, &message, None)
            })
            .register_fn(name, move |entity: Dynamic, message: ImmutableString| {
                raise(status, &entity, &message, None)
            })
            .register_fn(
                name,
                move |entity: Dynamic, message: ImmutableString, data: Map| {
                    raise(status, &entity, &message, Some(&Dynamic::from_map(data)))
                },
            );
    }
}

/// Adds a finding to the running rule's, as `fail` and `warn` do.
pub(crate) fn raise(
    status: FindingStatus,
    entity: &Dynamic,
    message: &str,
    data: Option<&dyn Data>,
) -> Result<()> {
    let entity = entity_pointer(entity, verb(status))?;
    raise_at(status, entity, message, data)
}

/// The function that raises a finding of `status`.
fn verb(status: FindingStatus) -> &'static str {
    match status {
        FindingStatus::Fail => "fail",
        FindingStatus::Warn => "warn",
    }
}

/// Adds a finding about the record or list at `entity` (a JSON Pointer; `None`: about no
/// record) to the running rule's.
pub(crate) fn raise_at(
    status: FindingStatus,
    entity: Option<String>,
    message: &str,
    data: Option<&dyn Data>,
) -> Result<()> {
    let what = verb(status);
    context::current(|run| {
        let budget = &run.budget;
        let max_findings = budget.max_findings;
        if max_findings > 0 && run.findings.len() as u64 >= max_findings {
            return Err(context::stop(format!(
                "the rule exceeded its limit of {max_findings} findings"
            )));
        }
        let data = match data {
            None => None,
            Some(data) => {
                let mut room = Room::new(budget.max_data);
                let json = data.json_within(&mut room).map_err(|e| {
                    context::stop(match e {
                        TooMuch::Bytes => format!(
                            "{what}: the finding's data is larger than {} bytes of JSON, its limit",
                            budget.max_data
                        ),
                        TooMuch::Depth => format!(
                            "{what}: the finding's data is nested deeper than {MAX_DATA_DEPTH} levels, its limit"
                        ),
                    })
                })?;
                Some(json)
            }
        };
        let message = truncate(message, budget.max_message);
        run.findings.push(RawFinding {
            status,
            entity,
            message,
            data,
        });
        Ok(())
    })
    .unwrap_or_else(|| Err(error(format!("{what}: no evaluation is running"))))
}

/// `text`, or its first `max` bytes (cut at a character boundary) and a marker saying so.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{}", &text[..end], truncated_marker(max))
}

/// What ends a message cut at `max` bytes.
pub(crate) fn truncated_marker(max: usize) -> String {
    format!("… [truncated at {max} bytes]")
}

/// The JSON Pointer a finding is about: a record's or list's own, or one given as text.
fn entity_pointer(entity: &Dynamic, what: &str) -> Result<Option<String>> {
    if entity.is_unit() {
        return Ok(None);
    }
    if let Some(r) = entity.read_lock::<Record>() {
        return Ok(Some(r.pointer().into_owned()));
    }
    if let Some(l) = entity.read_lock::<List>() {
        return Ok(Some(l.pointer().to_owned()));
    }
    if let Some(s) = entity.read_lock::<ImmutableString>()
        && (s.is_empty() || s.starts_with('/'))
    {
        // A finding must name a place in the facts: a pointer written by hand that names
        // nothing (a typo, an index past the end) is the rule's error, at the call, and
        // one `try ... catch` cannot hide (the finding it would have been is lost).
        let nowhere = context::current(|run| run.root.as_ref().is_some_and(|r| !holds(r, &s)));
        if nowhere == Some(true) {
            return Err(context::stop(format!(
                "{what}: the JSON Pointer \"{}\" names nothing in the facts (a finding names a record, such as \"/accounts/3\", or no record at all)",
                s.as_str()
            )));
        }
        return Ok(Some(s.to_string()));
    }
    Err(error(format!(
        "{what}: the first argument must be a facts record or a JSON Pointer such as \"/accounts/3\", not {}",
        entity.type_name()
    )))
}
