//! The vocabulary of packs: categories, severities, owners, parameters.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A Trust Services Category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The common criteria CC1 to CC9, always in scope.
    Security,
    /// A1.
    Availability,
    /// C1.
    Confidentiality,
    /// PI1.
    ProcessingIntegrity,
    /// P1 to P8.
    Privacy,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 5] = [
        Category::Security,
        Category::Availability,
        Category::Confidentiality,
        Category::ProcessingIntegrity,
        Category::Privacy,
    ];

    /// The name used in facts and reports (`processing_integrity`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Availability => "availability",
            Category::Confidentiality => "confidentiality",
            Category::ProcessingIntegrity => "processing_integrity",
            Category::Privacy => "privacy",
        }
    }

    /// The name shown to people (`Processing Integrity`).
    pub fn label(self) -> &'static str {
        match self {
            Category::Security => "Security",
            Category::Availability => "Availability",
            Category::Confidentiality => "Confidentiality",
            Category::ProcessingIntegrity => "Processing Integrity",
            Category::Privacy => "Privacy",
        }
    }
}

/// How bad a rule's failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fix now: an open door.
    Critical,
    /// Fix this audit period.
    High,
    /// Fix soon.
    Medium,
    /// Housekeeping.
    Low,
}

impl Severity {
    /// Every severity, worst first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// The business unit that fixes a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Owner {
    /// IT: accounts, devices, identity provider.
    #[serde(rename = "IT")]
    It,
    /// Security: the security and compliance team.
    Security,
    /// HR: people, training, background checks.
    #[serde(rename = "HR")]
    Hr,
    /// Legal: contracts, notices.
    Legal,
    /// Engineering: systems, infrastructure, data stores.
    Engineering,
    /// Product: secure development (changes, repositories, secure coding).
    Product,
    /// Sales: customer commitments.
    Sales,
    /// Finance: spend and vendors' commercial terms.
    Finance,
    /// Operations: availability, facilities and business continuity.
    Operations,
}

impl Owner {
    /// Every owner, in declaration order.
    pub const ALL: [Owner; 9] = [
        Owner::It,
        Owner::Security,
        Owner::Hr,
        Owner::Legal,
        Owner::Engineering,
        Owner::Product,
        Owner::Sales,
        Owner::Finance,
        Owner::Operations,
    ];

    /// The owner named `name`, whatever its case (`legal`, `it`); `None` for any other name.
    pub fn from_name(name: &str) -> Option<Owner> {
        Owner::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(name))
    }

    /// Every owner's name, in declaration order, joined with `, ` (for messages).
    pub fn names() -> String {
        Owner::ALL.map(Owner::as_str).join(", ")
    }

    /// The name as written in rules and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::It => "IT",
            Owner::Security => "Security",
            Owner::Hr => "HR",
            Owner::Legal => "Legal",
            Owner::Engineering => "Engineering",
            Owner::Product => "Product",
            Owner::Sales => "Sales",
            Owner::Finance => "Finance",
            Owner::Operations => "Operations",
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often a rule's control operates, which sets the default size of a sample drawn from
/// its population (`attest sample`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// Once a year.
    Annual,
    /// Every quarter.
    Quarterly,
    /// Every month.
    Monthly,
    /// Every week.
    Weekly,
    /// Every day.
    Daily,
    /// Each time something happens (a hire, a leaver, a change, an incident): every record
    /// of the population is an occurrence.
    Event,
}

impl Frequency {
    /// Every frequency, least frequent first.
    pub const ALL: [Frequency; 6] = [
        Frequency::Annual,
        Frequency::Quarterly,
        Frequency::Monthly,
        Frequency::Weekly,
        Frequency::Daily,
        Frequency::Event,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Annual => "annual",
            Frequency::Quarterly => "quarterly",
            Frequency::Monthly => "monthly",
            Frequency::Weekly => "weekly",
            Frequency::Daily => "daily",
            Frequency::Event => "event",
        }
    }
}

/// The type of a pack parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// Any integer.
    Integer,
    /// A non-negative number of days.
    Days,
    /// A number from 0 to 100.
    Percentage,
    /// A string.
    String,
    /// A list of strings.
    StringList,
    /// true or false.
    Bool,
}

impl ParamType {
    /// Every type, in declaration order.
    pub const ALL: [ParamType; 6] = [
        ParamType::Integer,
        ParamType::Days,
        ParamType::Percentage,
        ParamType::String,
        ParamType::StringList,
        ParamType::Bool,
    ];

    /// The name written in `pack.toml` (`string_list`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Integer => "integer",
            ParamType::Days => "days",
            ParamType::Percentage => "percentage",
            ParamType::String => "string",
            ParamType::StringList => "string_list",
            ParamType::Bool => "bool",
        }
    }

    /// Checks a value against the type; the error says what was expected.
    pub fn check(self, value: &serde_json::Value) -> Result<(), String> {
        use serde_json::Value;
        let ok = match self {
            ParamType::Integer => value.is_i64(),
            ParamType::Days => value.as_i64().is_some_and(|d| d >= 0),
            ParamType::Percentage => value.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)),
            ParamType::String => value.is_string(),
            ParamType::StringList => value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)),
            ParamType::Bool => value.is_boolean(),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("expected {}, got {value}", self.describe()))
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ParamType::Integer => "an integer",
            ParamType::Days => "a number of days (an integer >= 0)",
            ParamType::Percentage => "a percentage (a number from 0 to 100)",
            ParamType::String => "a string",
            ParamType::StringList => "a list of strings",
            ParamType::Bool => "true or false",
        }
    }
}

/// The top-level facts keys of facts-v1, which a rule may declare it needs.
pub const FACTS_KEYS: [&str; 23] = [
    "organization",
    "people",
    "systems",
    "accounts",
    "access_reviews",
    "training",
    "vendors",
    "policies",
    "incidents",
    "changes",
    "backups",
    "risk_assessments",
    "evidence",
    "devices",
    "vulnerabilities",
    "pentests",
    "dr_tests",
    "monitoring",
    "data_stores",
    "disposals",
    "privacy_requests",
    "repositories",
    "keys",
];

/// Orders control ids naturally: `CC1.2 < CC1.10`, letters alphabetically.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            let boundary = i == bytes.len()
                || bytes.get(i).map(u8::is_ascii_digit) != bytes.get(i - 1).map(u8::is_ascii_digit);
            if boundary {
                let digits = bytes.get(start).is_some_and(u8::is_ascii_digit);
                out.push((digits, s.get(start..i).unwrap_or("")));
                start = i;
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(cb.iter()) {
        let ord = match (x, y) {
            ((true, x), (true, y)) => x
                .trim_start_matches('0')
                .len()
                .cmp(&y.trim_start_matches('0').len())
                .then_with(|| x.trim_start_matches('0').cmp(y.trim_start_matches('0'))),
            ((_, x), (_, y)) => x.cmp(y),
        };
        if ord.is_ne() {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_keys_are_the_top_level_keys_of_the_facts_schema() {
        let schema = crate::facts::schema_document().unwrap();
        let keys: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "schema_version")
            .collect();
        assert_eq!(keys, FACTS_KEYS);
    }

    #[test]
    fn owners_are_found_by_name_whatever_the_case() {
        for owner in Owner::ALL {
            let json = serde_json::to_value(owner).unwrap();
            assert_eq!(json, owner.as_str(), "serialized as written in rules");
            assert_eq!(Owner::from_name(owner.as_str()), Some(owner));
            assert_eq!(
                Owner::from_name(&owner.as_str().to_lowercase()),
                Some(owner)
            );
        }
        assert_eq!(Owner::from_name("hR"), Some(Owner::Hr));
        assert_eq!(Owner::from_name("Nobody"), None);
        assert_eq!(
            Owner::names(),
            "IT, Security, HR, Legal, Engineering, Product, Sales, Finance, Operations"
        );
    }

    #[test]
    fn natural_order_of_control_ids() {
        let mut ids = vec![
            "CC1.10", "P1.1", "CC1.2", "A1.1", "CC10.1", "CC2.1", "PI1.1", "C1.2",
        ];
        crate::sorting::sort_by(&mut ids, |a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "A1.1", "C1.2", "CC1.2", "CC1.10", "CC2.1", "CC10.1", "P1.1", "PI1.1"
            ]
        );
    }

    #[test]
    fn parameter_types_say_what_they_expect() {
        use serde_json::json;
        assert!(ParamType::Days.check(&json!(90)).is_ok());
        assert_eq!(
            ParamType::Days.check(&json!(-1)).unwrap_err(),
            "expected a number of days (an integer >= 0), got -1"
        );
        assert!(ParamType::Percentage.check(&json!(99.5)).is_ok());
        assert!(ParamType::Percentage.check(&json!(101)).is_err());
        assert!(ParamType::StringList.check(&json!(["a", "b"])).is_ok());
        assert!(ParamType::StringList.check(&json!(["a", 1])).is_err());
    }
}
