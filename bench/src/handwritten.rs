//! The ten anchor rules of `bench/anchor10/pack/` written by hand in Rust over a plain JSON
//! value: the floor the same rules written in Rhai are measured against.
//!
//! Provenance: the team's anchor comparison (`bench/anchor/src/plain.rs` beside the
//! regorus and Rhai versions of the same rules), moved onto [`Plain`] so that the figure is
//! taken over serde_json's default value, in the same process as Attest's.

use crate::plain::Plain;
use std::collections::{HashMap, HashSet};

/// A hand-written rule: the records it finds.
pub type Rule = for<'a> fn(&'a Plain, i64) -> Vec<&'a Plain>;

/// The rules, by the ids they have in the anchor pack.
pub const RULES: [(&str, Rule); 10] = [
    ("bench.r1", r1),
    ("bench.r2", r2),
    ("bench.r3", r3),
    ("bench.r4", r4),
    ("bench.r5", r5),
    ("bench.r6", r6),
    ("bench.r7", r7),
    ("bench.r8", r8),
    ("bench.r9", r9),
    ("bench.r10", r10),
];

/// The hand-written rule with the pack's rule id `id`.
pub fn rule(id: &str) -> Option<Rule> {
    RULES.iter().find(|(name, _)| *name == id).map(|(_, r)| *r)
}

/// `organization.as_of` in days since 1970-01-01: the day the rules judge.
pub fn as_of(doc: &Plain) -> Option<i64> {
    doc.get("organization")
        .and_then(|o| st(o, "as_of"))
        .and_then(days)
}

fn arr<'a>(doc: &'a Plain, key: &str) -> &'a [Plain] {
    doc.get(key).and_then(Plain::as_array).unwrap_or(&[])
}

fn st<'a>(v: &'a Plain, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Plain::as_str)
}

fn is(v: &Plain, key: &str, want: bool) -> bool {
    v.get(key).and_then(Plain::as_bool) == Some(want)
}

fn emp_status(p: &Plain) -> Option<&str> {
    p.get("employment").and_then(|e| st(e, "status"))
}

/// Days since `d`, when it is present and a date.
fn age(as_of: i64, d: Option<&str>) -> Option<i64> {
    d.and_then(days).map(|x| as_of - x)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's `days_from_civil`).
fn days(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn latest_by<'a>(
    records: impl Iterator<Item = &'a Plain>,
    key: &str,
    date: &str,
) -> HashMap<&'a str, &'a str> {
    let mut latest: HashMap<&str, &str> = HashMap::new();
    for r in records {
        if let (Some(k), Some(d)) = (st(r, key), st(r, date)) {
            let e = latest.entry(k).or_insert(d);
            if d > *e {
                *e = d;
            }
        }
    }
    latest
}

fn r1(doc: &Plain, _: i64) -> Vec<&Plain> {
    arr(doc, "accounts")
        .iter()
        .filter(|a| {
            st(a, "status") == Some("active")
                && st(a, "kind") == Some("human")
                && is(a, "privileged", true)
                && is(a, "mfa", false)
        })
        .collect()
}

fn r2(doc: &Plain, _: i64) -> Vec<&Plain> {
    let terminated: HashSet<&str> = arr(doc, "people")
        .iter()
        .filter(|p| emp_status(p) == Some("terminated"))
        .filter_map(|p| st(p, "id"))
        .collect();
    arr(doc, "accounts")
        .iter()
        .filter(|a| {
            st(a, "status") == Some("active")
                && st(a, "person_id").is_some_and(|pid| terminated.contains(pid))
        })
        .collect()
}

fn r3(doc: &Plain, _: i64) -> Vec<&Plain> {
    arr(doc, "accounts")
        .iter()
        .filter(|a| {
            st(a, "kind") == Some("service")
                && st(a, "status") == Some("active")
                && a.get("owner_id").is_none_or(Plain::is_null)
        })
        .collect()
}

fn r4(doc: &Plain, as_of: i64) -> Vec<&Plain> {
    let training = arr(doc, "training")
        .iter()
        .filter(|t| st(t, "course") == Some("security_awareness"));
    let latest = latest_by(training, "person_id", "completed_on");
    arr(doc, "people")
        .iter()
        .filter(|p| emp_status(p) == Some("active"))
        .filter(|p| {
            let d = st(p, "id").and_then(|pid| latest.get(pid).copied());
            age(as_of, d).is_none_or(|a| a > 365)
        })
        .collect()
}

fn r5(doc: &Plain, _: i64) -> Vec<&Plain> {
    arr(doc, "people")
        .iter()
        .filter(|p| {
            emp_status(p) == Some("active")
                && p.get("background_check").and_then(|b| st(b, "status")) != Some("passed")
        })
        .collect()
}

fn r6(doc: &Plain, as_of: i64) -> Vec<&Plain> {
    let latest = latest_by(
        arr(doc, "access_reviews").iter(),
        "system_id",
        "completed_on",
    );
    arr(doc, "systems")
        .iter()
        .filter(|s| {
            let limit = match st(s, "criticality") {
                Some("critical" | "high") => 90,
                _ => 180,
            };
            let d = st(s, "id").and_then(|sid| latest.get(sid).copied());
            age(as_of, d).is_none_or(|a| a > limit)
        })
        .collect()
}

fn r7(doc: &Plain, as_of: i64) -> Vec<&Plain> {
    arr(doc, "vendors")
        .iter()
        .filter(|v| {
            let in_scope = matches!(st(v, "risk_tier"), Some("critical" | "high"))
                || arr(v, "data_access")
                    .iter()
                    .any(|x| matches!(x.as_str(), Some("customer_data" | "pii")));
            if !in_scope {
                return false;
            }
            let a = v.get("assurance");
            let kind = a.and_then(|a| a.get("soc2_type")).filter(|k| !k.is_null());
            let end = a.and_then(|a| st(a, "report_period_end"));
            kind.is_none() || age(as_of, end).is_none_or(|x| x > 365)
        })
        .collect()
}

fn r8(doc: &Plain, as_of: i64) -> Vec<&Plain> {
    arr(doc, "policies")
        .iter()
        .filter(|p| {
            let interval = p
                .get("review_interval_days")
                .and_then(Plain::as_i64)
                .unwrap_or(365);
            age(as_of, st(p, "approved_on")).is_none_or(|a| a > interval)
        })
        .collect()
}

fn r9(doc: &Plain, _: i64) -> Vec<&Plain> {
    arr(doc, "changes")
        .iter()
        .filter(|c| {
            !is(c, "emergency", true)
                && match st(c, "approved_by") {
                    None => true,
                    Some(by) => Some(by) == st(c, "author_id"),
                }
        })
        .collect()
}

fn r10(doc: &Plain, _: i64) -> Vec<&Plain> {
    let required: Vec<&str> = arr(doc, "policies")
        .iter()
        .filter(|p| is(p, "requires_acknowledgement", true))
        .filter_map(|p| st(p, "id"))
        .collect();
    arr(doc, "people")
        .iter()
        .filter(|p| emp_status(p) == Some("active"))
        .filter(|p| {
            let acks = arr(p, "policy_acknowledgements");
            required
                .iter()
                .any(|r| !acks.iter().any(|a| st(a, "policy_id") == Some(r)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::days;

    #[test]
    fn days_counts_from_the_epoch_and_refuses_what_is_not_a_date() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2026-10-01"), Some(20_727));
        assert_eq!(
            days("2000-03-01").zip(days("2000-02-28")),
            Some((11_017, 11_015))
        );
        assert_eq!(days("2026-1-01"), None);
        assert_eq!(days("soon"), None);
    }
}
