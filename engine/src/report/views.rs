//! Rules as the formats that list each finding once (SARIF, CSV, HTML, Markdown, diffs,
//! the gate) see them: each rule of an applicable criterion, with those criteria, and a
//! stable identity for each of its findings.

use super::{ControlResult, Report, RuleResult, Status};
use std::collections::HashMap;

/// One rule with the applicable controls it judges.
#[derive(Debug, Clone)]
pub struct RuleView<'a> {
    /// The rule id (`evidence/<control>` for an evidence check).
    pub id: &'a str,
    /// The applicable controls that list the rule, in report order.
    pub controls: Vec<&'a ControlResult>,
    /// The rule's result.
    pub rule: &'a RuleResult,
}

impl RuleView<'_> {
    /// The ids of its controls.
    pub fn control_ids(&self) -> Vec<&str> {
        self.controls.iter().map(|c| c.id.as_str()).collect()
    }

    /// A stable identity for each finding, across runs and reorderings of the facts: the
    /// rule and the key of the record the finding is about (its pointer when the record has
    /// no key), numbered when repeated. A finding about no record (a missing assessment, a
    /// gap in a criterion's evidence) is its rule's first, second... such finding: its
    /// message, whose dates, day counts and words change from one run to the next, is no
    /// part of it. (Comparing two reports matches a record's findings more closely: see
    /// [`crate::diff`].)
    pub fn finding_keys(&self) -> Vec<String> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        self.rule
            .findings
            .iter()
            .map(|f| {
                let record = f.key.as_deref().or(f.entity.as_deref());
                let base = format!("{}|{}", self.id, record.unwrap_or_default());
                let n = seen.entry(base.clone()).or_default();
                *n += 1;
                if *n == 1 { base } else { format!("{base}#{n}") }
            })
            .collect()
    }
}

/// What a message says with what changes from one day (or one record) to the next left out,
/// by which two reports' findings about one record are matched first ([`crate::diff`]):
/// a day relative to the as-of date, as `in_days` and `days` say it (`today`, `tomorrow`,
/// `yesterday`, `in 3 days`, `3 days ago`), is `~`; each other word holding a digit (a date, a
/// count, an id) is `#`, and the word after one loses a plural ending (`1 day` and `12 days`
/// are `# day`).
pub fn message_shape(message: &str) -> String {
    let words: Vec<&str> = message.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let (word, rest) = (words[i], &words[i + 1..]);
        let relative = match (bare(word), rest) {
            ("today" | "tomorrow" | "yesterday", _) => Some((word, 1)),
            ("in", [n, unit, ..]) if number(n) && is_days(unit) => Some((*unit, 3)),
            (_, [unit, ago, ..]) if number(word) && is_days(unit) && bare(ago) == "ago" => {
                Some((*ago, 3))
            }
            _ => None,
        };
        if let Some((last, span)) = relative {
            out.push(format!("~{}", &last[bare(last).len()..]));
            i += span;
            continue;
        }
        let after_number = out.last().is_some_and(|w| w == "#");
        out.push(match (number(word), after_number) {
            (true, _) => "#".to_owned(),
            (false, true) => singular(word),
            (false, false) => word.to_owned(),
        });
        i += 1;
    }
    out.join(" ")
}

/// Whether `word` holds a digit.
fn number(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
}

/// `day` or `days`, with any punctuation after it.
fn is_days(word: &str) -> bool {
    matches!(bare(word), "day" | "days")
}

/// `word` without the punctuation that ends it.
fn bare(word: &str) -> &str {
    word.trim_end_matches(|c: char| c.is_ascii_punctuation())
}

/// `word` without an English plural ending (`days,` is `day,`; `policies` is `policy`).
fn singular(word: &str) -> String {
    let core = bare(word);
    let tail = &word[core.len()..];
    match (core.strip_suffix("ies"), core.strip_suffix('s')) {
        (Some(stem), _) => format!("{stem}y{tail}"),
        (None, Some(stem)) => format!("{stem}{tail}"),
        (None, None) => word.to_owned(),
    }
}

/// Every rule of the applicable controls once, in order of first appearance.
pub fn rule_views(report: &Report) -> Vec<RuleView<'_>> {
    let mut views: Vec<RuleView<'_>> = Vec::new();
    for control in &report.controls {
        if control.status == Status::NotApplicable {
            continue;
        }
        for rule in report.rules_of(control) {
            if let Some(view) = views.iter_mut().find(|v| v.id == rule.id) {
                view.controls.push(control);
            } else {
                views.push(RuleView {
                    id: &rule.id,
                    controls: vec![control],
                    rule,
                });
            }
        }
    }
    views
}

#[cfg(test)]
mod tests {
    use super::message_shape;

    #[test]
    fn a_message_shape_leaves_out_dates_counts_and_plurals() {
        let shape = message_shape;
        assert_eq!(
            shape("contract expired on 2026-03-31, 1 day ago"),
            shape("contract expired on 2026-04-02, 3 days ago")
        );
        assert_eq!(shape("expired 1 day ago"), "expired ~");
        assert_eq!(shape("held for 3 days"), "held for # day");
        assert_eq!(shape("of 2 policies: a"), "of # policy: a");
        assert_ne!(
            shape("change CHG-1 has no recorded author"),
            shape("change CHG-1 was approved by E9, who is not in the people list")
        );
        assert_ne!(
            shape("expires on 2026-07-15, in 15 days"),
            shape("expired on 2026-07-15, 2 days ago")
        );
        // A day relative to the as-of date, however `in_days` says it, is one shape.
        let lapsing = [
            "contract lapses on 2026-07-15, in 3 days",
            "contract lapses on 2026-07-15, tomorrow",
            "contract lapses on 2026-07-15, today",
            "contract lapses on 2026-07-15, yesterday",
            "contract lapses on 2026-07-15, 12 days ago",
        ];
        for m in lapsing {
            assert_eq!(shape(m), "contract lapses on # ~", "{m}");
        }
        assert_eq!(shape("due (in 1 day), now"), "due (in # day), now");
        assert_eq!(shape("due in 2 days, now"), "due ~, now");
        assert_eq!(shape("a today's b"), "a today's b");
    }
}
