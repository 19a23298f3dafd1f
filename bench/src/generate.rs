//! Deterministic synthetic organizations, for benchmarks, load tests and demos.
//!
//! [`generate`] builds a facts document (facts v1, valid against
//! `schemas/facts.v1.schema.json`) describing a made-up company of any size as of
//! 2026-06-30. The same `(people, seed)` always gives the same document, so large inputs
//! never have to be checked in. Dates are the engine's own [`Date`]; the randomness is a
//! small inline splitmix64 generator.
//!
//! Shape and scale, for `n` people:
//!
//! | key | records |
//! |---|---|
//! | `people` | `n`: about 5% terminated, 2% on leave, 3% contractors, 3% hired in the last 30 days; a fifth of active engineers on call, everyone else recorded as not |
//! | `systems` | `max(5, n / 50)`: identity provider, AWS, production database, GitHub and CRM, then internal applications |
//! | `accounts` | about `4 n`: one identity-provider account and three other accounts per person, plus 1-3 service or shared accounts per system |
//! | `access_reviews` | 1-3 per system (a few systems have none) |
//! | `training` | about `1.5 n`, and the incident response course of most people on call |
//! | `vendors` | `max(5, n / 20)` |
//! | `policies` | 20, of which 6 must be acknowledged by everyone (about `6 n` acknowledgements) |
//! | `incidents` | `max(6, n / 100)` |
//! | `changes` | `2 n` |
//! | `backups` | one per system |
//! | `risk_assessments` | 3 |
//! | `evidence` | 0-2 per criterion that no rule of the built-in SOC 2 pack checks from data |
//! | `devices` | about `1.3 n`: a laptop per person (retired or lost for leavers), a phone for about a third of those at work |
//!
//! 10,000 people come to about 20 MB of compact JSON (about 30 MB pretty-printed), and
//! take well under a second to build in a release build.
//!
//! Most records are in order, and a few percent break each rule of the SOC 2 pack: a
//! leaver's account left active, privileged access without MFA, a self-approved change,
//! an untested change, a vendor with a type 1 report or none, an expired contract, a sev1
//! without a post-mortem, expired training, overdue access reviews and policies, stale
//! backups, missing or expired evidence, an unmanaged, unencrypted or unpatched laptop,
//! someone on call untrained in incident response, and so on. Others lapse within the 30-day warning
//! window. A handful of records are broken on purpose at fixed positions (the first vendors,
//! the first incident, the production database's access review, ...) so that from about 300
//! people up every rule has findings whatever the seed; the rest is drawn at random.

use attest_engine::{Category, Date, Pack, PackFile};
use serde_json::{Map, Value, json};

/// The date the generated facts describe (`organization.as_of`).
pub const AS_OF: &str = "2026-06-30";

/// Number of policies.
const POLICY_COUNT: usize = 20;

/// Policies (by index) everyone must acknowledge.
const ACK_POLICIES: usize = 6;

const FIRST_NAMES: [&str; 40] = [
    "Ada", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kofi",
    "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera",
    "Wei", "Ximena", "Yusuf", "Zoe", "Aaron", "Bianca", "Chidi", "Dana", "Emil", "Fatima", "Goran",
    "Hana", "Ivan", "Julia", "Kai", "Leila", "Marco", "Nora",
];

const LAST_NAMES: [&str; 40] = [
    "Abbott", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ito",
    "Jensen", "Kowalski", "Larsen", "Mensah", "Novak", "Okafor", "Patel", "Quinn", "Rossi", "Sato",
    "Torres", "Ueda", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Andersen", "Brennan", "Chen",
    "Diaz", "Evans", "Ferreira", "Gupta", "Hoffman", "Ibrahim", "Kim", "Lopez", "Moreau",
    "Nakamura", "Owens",
];

/// Departments and their share of the workforce (weights).
const DEPARTMENTS: [(&str, u32); 6] = [
    ("Engineering", 40),
    ("Sales", 25),
    ("Operations", 12),
    ("Finance", 8),
    ("HR", 8),
    ("Legal", 7),
];

const POLICY_TITLES: [&str; POLICY_COUNT] = [
    "Information Security Policy",
    "Acceptable Use Policy",
    "Code of Conduct",
    "Data Protection Policy",
    "Password and Authentication Standard",
    "Remote Work Security Policy",
    "Access Control Policy",
    "Change Management Policy",
    "Incident Response Plan",
    "Business Continuity and Disaster Recovery Plan",
    "Vendor Management Policy",
    "Data Classification Policy",
    "Data Retention and Disposal Policy",
    "Encryption Standard",
    "Logging and Monitoring Standard",
    "Vulnerability Management Policy",
    "Secure Development Policy",
    "Asset Management Policy",
    "Risk Management Policy",
    "Physical Security Policy",
];

const APP_KINDS: [&str; 12] = [
    "billing service",
    "support desk",
    "data warehouse",
    "HR information system",
    "marketing site",
    "feature flag service",
    "internal wiki",
    "log pipeline",
    "payments API",
    "reporting portal",
    "customer API",
    "ticketing queue",
];

const VENDOR_WORDS: [&str; 20] = [
    "Blue", "North", "Bright", "Iron", "Cedar", "Summit", "Harbor", "Quartz", "Falcon", "Maple",
    "Nimbus", "Orbit", "Pioneer", "Silver", "Vector", "Willow", "Apex", "Beacon", "Cobalt",
    "Delta",
];

const VENDOR_SERVICES: [&str; 16] = [
    "Cloud hosting",
    "Email delivery",
    "Payroll",
    "Monitoring",
    "Customer support",
    "Payments",
    "Background checks",
    "Analytics",
    "Legal e-signature",
    "Recruiting",
    "Office space",
    "Backup storage",
    "Security testing",
    "Marketing automation",
    "Expense management",
    "Translation",
];

const INCIDENT_TITLES: [&str; 10] = [
    "Phishing email reported",
    "Lost laptop",
    "Elevated API error rate",
    "Misconfigured storage bucket",
    "Credential stuffing against login",
    "Malware detected on endpoint",
    "Database failover",
    "Leaked API key in repository",
    "Vendor security incident",
    "Unauthorized access attempt",
];

/// Builds a synthetic facts document with `people` persons, deterministically from `seed`.
///
/// The document follows facts v1 and validates against `schemas/facts.v1.schema.json`;
/// ids are unique and every reference (person, system, vendor, policy) points at a record
/// that exists. See the module documentation for its shape and scale.
///
/// Fails only if the built-in SOC 2 pack, whose evidence-only criteria get evidence
/// records, does not load.
pub fn generate(people: usize, seed: u64) -> Result<Value, String> {
    let as_of = Date::parse(AS_OF).ok_or_else(|| format!("{AS_OF} is not a date"))?;
    let mut g = Generator::new(people, seed, as_of, evidence_criteria()?);
    let mut people_json = g.people();
    let policies = g.policies();
    let systems = g.systems();
    let accounts = g.accounts();
    let access_reviews = g.access_reviews();
    let mut training = g.training();
    let vendors = g.vendors();
    let incidents = g.incidents();
    let changes = g.changes();
    let backups = g.backups();
    let risk_assessments = g.risk_assessments();
    let evidence = g.evidence();
    let devices = g.on_call_and_devices(seed, &mut people_json, &mut training);
    Ok(json!({
        "schema_version": "1",
        "organization": {
            "name": format!("Example Corp (synthetic, {people} people, seed {seed})"),
            "as_of": AS_OF,
        },
        "people": people_json,
        "systems": systems,
        "accounts": accounts,
        "access_reviews": access_reviews,
        "training": training,
        "vendors": vendors,
        "policies": policies,
        "incidents": incidents,
        "changes": changes,
        "backups": backups,
        "risk_assessments": risk_assessments,
        "evidence": evidence,
        "devices": devices,
    }))
}

/// The criteria of the built-in SOC 2 pack that no rule maps to, which the engine judges
/// by `evidence[]` records: in report order (by category, then by id).
pub fn evidence_criteria() -> Result<Vec<String>, String> {
    let files: Vec<PackFile> = attest_rules::soc2()
        .map(|(path, text)| PackFile::new(path, text))
        .collect();
    let pack = Pack::from_files(&files).map_err(|e| format!("built-in pack soc2: {e}"))?;
    let checked = |id: &str| {
        pack.rules()
            .iter()
            .any(|r| r.meta.controls.iter().any(|c| c == id))
    };
    Ok(Category::ALL
        .iter()
        .flat_map(|category| {
            pack.controls()
                .iter()
                .filter(move |c| c.category == *category)
        })
        .filter(|c| !checked(&c.id))
        .map(|c| c.id.clone())
        .collect())
}

// ---------------------------------------------------------------------------------------
// Randomness and dates

/// splitmix64: tiny, fast, and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }

    /// A uniformly chosen element; `items` must not be empty.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// A choice by weight; `items` must not be empty.
    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(u64::from(total)) as u32;
        for &(item, w) in items {
            if roll < w {
                return item;
            }
            roll -= w;
        }
        items[items.len() - 1].0
    }

    /// 64 lowercase hex digits.
    fn sha256(&mut self) -> String {
        (0..4)
            .map(|_| format!("{:016x}", self.next_u64()))
            .collect()
    }
}

/// The date `age` days before `as_of` (after it when negative), as `YYYY-MM-DD`.
fn date(as_of: Date, age: i64) -> String {
    as_of
        .add_days(-age)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// The date `age` days before `as_of`, or null.
fn opt_date(as_of: Date, age: Option<i64>) -> Value {
    age.map_or(Value::Null, |a| Value::String(date(as_of, a)))
}

// ---------------------------------------------------------------------------------------
// The organization

#[derive(Clone, Copy, PartialEq, Eq)]
enum Employment {
    Active,
    OnLeave,
    Terminated,
}

struct Person {
    id: String,
    username: String,
    department: &'static str,
    employment: Employment,
    /// Days since the start date.
    start_age: i64,
    /// Days since the end date, for leavers.
    end_age: Option<i64>,
    manager: Option<usize>,
}

struct System {
    id: String,
    criticality: &'static str,
    sso: bool,
    owner: Value,
}

struct Policy {
    id: String,
    /// Days since approval.
    approved_age: i64,
}

struct Generator {
    rng: Rng,
    /// The date the facts describe: every other date is counted back from it.
    as_of: Date,
    /// Criteria judged by evidence records.
    evidence_criteria: Vec<String>,
    n: usize,
    people: Vec<Person>,
    /// Indices of active people.
    active: Vec<usize>,
    /// Indices of active engineers (all active people when there are none).
    engineers: Vec<usize>,
    /// Indices of terminated people.
    leavers: Vec<usize>,
    systems: Vec<System>,
    policies: Vec<Policy>,
    vendor_ids: Vec<String>,
}

impl Generator {
    fn new(n: usize, seed: u64, as_of: Date, evidence_criteria: Vec<String>) -> Self {
        Generator {
            rng: Rng(seed),
            as_of,
            evidence_criteria,
            n,
            people: Vec::with_capacity(n),
            active: Vec::new(),
            engineers: Vec::new(),
            leavers: Vec::new(),
            systems: Vec::new(),
            policies: Vec::new(),
            vendor_ids: Vec::new(),
        }
    }

    /// The id of a random person from `pool` (indices into people), or null if it is empty.
    fn pick_person(&mut self, pool: &[usize]) -> Value {
        if pool.is_empty() {
            return Value::Null;
        }
        let i = self.rng.pick(pool);
        Value::String(self.people[i].id.clone())
    }

    fn active_person(&mut self) -> Value {
        let pool = std::mem::take(&mut self.active);
        let v = self.pick_person(&pool);
        self.active = pool;
        v
    }

    fn engineer(&mut self) -> Value {
        let pool = std::mem::take(&mut self.engineers);
        let v = self.pick_person(&pool);
        self.engineers = pool;
        v
    }

    fn people(&mut self) -> Value {
        // Policies are decided first: acknowledgements depend on their approval dates.
        self.policies = (0..POLICY_COUNT)
            .map(|i| {
                let approved_age = match i {
                    // Overdue for review.
                    7 | 16 => self.rng.range(380, 520),
                    // Due within the warning window.
                    12 => self.rng.range(340, 360),
                    // Reviewed every two years, last approved more than a year ago.
                    13 | 18 => self.rng.range(400, 690),
                    // Everyone must acknowledge these: approved a while ago.
                    _ if i < ACK_POLICIES => self.rng.range(60, 330),
                    _ => self.rng.range(10, 330),
                };
                Policy {
                    id: format!("POL-{:02}", i + 1),
                    approved_age,
                }
            })
            .collect();

        let mut out = Vec::with_capacity(self.n);
        for i in 0..self.n {
            let rng = &mut self.rng;
            let first = rng.pick(&FIRST_NAMES);
            let last = rng.pick(&LAST_NAMES);
            let username = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), i + 1);
            let department = rng.weighted(&DEPARTMENTS);
            let contractor = i > 0 && rng.chance(0.03);
            let roll = rng.below(1000);
            let employment = match roll {
                _ if i == 0 => Employment::Active,
                0..=49 => Employment::Terminated,
                50..=69 => Employment::OnLeave,
                _ => Employment::Active,
            };
            let new_hire = employment == Employment::Active && i > 0 && rng.chance(0.03);
            let mut start_age = if new_hire {
                rng.range(1, 29)
            } else {
                rng.range(60, 3000)
            };
            let end_age = (employment == Employment::Terminated).then(|| rng.range(0, 240));
            if let Some(end) = end_age {
                start_age = start_age.max(end + 60);
            }
            let manager = (i > 0).then(|| (i - 1) / 8);

            // Background checks: a few active people have none that passed.
            let check_status = if employment == Employment::Active && rng.chance(0.02) {
                rng.pick(&["pending", "not_started"])
            } else {
                "passed"
            };
            let check_done =
                (check_status == "passed").then(|| (start_age + rng.range(3, 20)).max(0));

            // Acknowledgements of the policies everyone must acknowledge.
            let mut acks = Vec::with_capacity(ACK_POLICIES);
            for policy in self.policies.iter().take(ACK_POLICIES) {
                let rng = &mut self.rng;
                let latest = policy.approved_age.min(start_age);
                let age = if rng.chance(0.007) {
                    continue; // never acknowledged
                } else if rng.chance(0.005) && start_age > policy.approved_age + 10 {
                    // Acknowledged the previous version only.
                    rng.range(policy.approved_age + 1, start_age)
                } else {
                    rng.range((latest - 30).max(0), latest)
                };
                acks.push(
                    json!({ "policy_id": policy.id, "acknowledged_on": date(self.as_of, age) }),
                );
            }

            let id = format!("P{:06}", i + 1);
            let kind = if contractor { "contractor" } else { "employee" };
            let mut employment_json = Map::new();
            employment_json.insert(
                "status".into(),
                json!(match employment {
                    Employment::Active => "active",
                    Employment::OnLeave => "on_leave",
                    Employment::Terminated => "terminated",
                }),
            );
            employment_json.insert("start_date".into(), json!(date(self.as_of, start_age)));
            if let Some(end) = end_age {
                employment_json.insert("end_date".into(), json!(date(self.as_of, end)));
            }
            out.push(json!({
                "id": id,
                "name": format!("{first} {last}"),
                "email": format!("{username}@example.com"),
                "department": department,
                "kind": kind,
                "manager_id": manager.map_or(Value::Null, |m| json!(format!("P{:06}", m + 1))),
                "employment": employment_json,
                "background_check": { "status": check_status, "completed_on": opt_date(self.as_of, check_done) },
                "policy_acknowledgements": acks,
            }));

            match employment {
                Employment::Active => {
                    self.active.push(i);
                    if department == "Engineering" {
                        self.engineers.push(i);
                    }
                }
                Employment::Terminated => self.leavers.push(i),
                Employment::OnLeave => {}
            }
            self.people.push(Person {
                id,
                username,
                department,
                employment,
                start_age,
                end_age,
                manager,
            });
        }
        if self.engineers.is_empty() {
            self.engineers = self.active.clone();
        }
        Value::Array(out)
    }

    fn policies(&mut self) -> Value {
        let mut out = Vec::with_capacity(POLICY_COUNT);
        for (i, policy) in self.policies.iter().enumerate() {
            let owner = if self.active.is_empty() {
                Value::Null
            } else {
                let p = self.active[self.rng.below(self.active.len() as u64) as usize];
                json!(self.people[p].id)
            };
            let mut p = Map::new();
            p.insert("id".into(), json!(policy.id));
            p.insert("title".into(), json!(POLICY_TITLES[i]));
            p.insert("owner_id".into(), owner);
            p.insert(
                "approved_on".into(),
                json!(date(self.as_of, policy.approved_age)),
            );
            if i == 13 || i == 18 {
                p.insert("review_interval_days".into(), json!(730));
            }
            p.insert("requires_acknowledgement".into(), json!(i < ACK_POLICIES));
            out.push(Value::Object(p));
        }
        Value::Array(out)
    }

    fn systems(&mut self) -> Value {
        let count = (self.n / 50).max(5);
        let fixed = [
            ("okta", "Okta (identity provider)", "critical", false, true),
            ("aws-prod", "AWS production account", "critical", true, true),
            ("prod-db", "Production PostgreSQL", "critical", true, false),
            ("github", "GitHub organization", "high", false, true),
            ("crm", "Salesforce CRM", "high", true, false),
        ];
        let mut out = Vec::with_capacity(count);
        for k in 0..count {
            let (id, name, criticality, customer_data, sso) = match fixed.get(k) {
                Some(&(id, name, c, cd, sso)) => (id.to_owned(), name.to_owned(), c, cd, sso),
                None => {
                    let rng = &mut self.rng;
                    let kind = rng.pick(&APP_KINDS);
                    let c = rng.weighted(&[
                        ("critical", 10),
                        ("high", 25),
                        ("medium", 40),
                        ("low", 25),
                    ]);
                    (
                        format!("app-{k:03}"),
                        format!("Internal {kind} {k:03}"),
                        c,
                        rng.chance(0.5),
                        rng.chance(0.7),
                    )
                }
            };
            // Customer data without encryption at rest: the first internal application and
            // a few others.
            let customer_data = customer_data || k == fixed.len();
            let encryption = k < fixed.len()
                || (k > fixed.len() && !self.rng.chance(if customer_data { 0.08 } else { 0.2 }));
            let owner = if criticality == "critical" || criticality == "high" {
                self.engineer()
            } else {
                self.active_person()
            };
            out.push(json!({
                "id": id,
                "name": name,
                "criticality": criticality,
                "customer_data": customer_data,
                "owner_id": owner,
                "sso": sso,
                "encryption_at_rest": encryption,
            }));
            self.systems.push(System {
                id,
                criticality,
                sso,
                owner,
            });
        }
        Value::Array(out)
    }

    fn accounts(&mut self) -> Value {
        let s = self.systems.len();
        let mut out = Vec::with_capacity(self.n * 4 + s * 2);
        for i in 0..self.people.len() {
            // The identity provider, then three other systems by department.
            let mut picks: Vec<usize> = vec![0];
            let preferred: &[usize] = match self.people[i].department {
                "Engineering" => &[3, 1],
                "Sales" => &[4],
                _ => &[],
            };
            picks.extend_from_slice(preferred);
            while picks.len() < 4 {
                let k = 1 + self.rng.below((s - 1) as u64) as usize;
                if !picks.contains(&k) {
                    picks.push(k);
                }
            }
            for k in picks {
                let account = self.human_account(i, k);
                out.push(account);
            }
        }
        for k in 0..s {
            for j in 0..1 + self.rng.below(3) {
                let account = self.service_account(k, j);
                out.push(account);
            }
        }
        Value::Array(out)
    }

    fn human_account(&mut self, i: usize, k: usize) -> Value {
        let person = &self.people[i];
        let system = &self.systems[k];
        let rng = &mut self.rng;
        let privileged = if k == 0 {
            rng.chance(0.005)
        } else {
            rng.chance(0.08)
        };
        let role = if privileged {
            "admin"
        } else if k == 0 {
            if i > 0 && person.department == "Engineering" {
                "Engineering"
            } else {
                "Employee"
            }
        } else {
            rng.pick(&[
                "member",
                "developer",
                "analyst",
                "viewer",
                "editor",
                "support",
            ])
        };
        let mfa = if privileged {
            !rng.chance(0.02)
        } else if system.sso {
            !rng.chance(0.15)
        } else {
            !rng.chance(0.03)
        };
        let status = match person.employment {
            // Most leavers were deprovisioned; a few accounts were forgotten.
            Employment::Terminated if !rng.chance(0.05) => "disabled",
            Employment::Active if rng.chance(0.01) => "disabled",
            _ => "active",
        };
        let lower = person.end_age.unwrap_or(0);
        let created_age = rng.range(lower, person.start_age);
        let login_age = match person.employment {
            Employment::Active if rng.chance(0.04) => rng.range(91, 400),
            Employment::Active => rng.range(0, 30),
            Employment::OnLeave => rng.range(20, 200),
            Employment::Terminated => lower + rng.range(0, 5),
        }
        .min(created_age);
        let approved_by = if rng.chance(0.02) {
            Value::Null
        } else if rng.chance(0.015) {
            json!(person.id)
        } else {
            let approver = person
                .manager
                .unwrap_or(if self.people.len() > 1 { 1 } else { 0 });
            json!(self.people[approver].id)
        };
        json!({
            "system_id": system.id,
            "person_id": person.id,
            "username": if k == 0 { format!("{}@example.com", person.username) } else { person.username.clone() },
            "kind": "human",
            "role": role,
            "privileged": privileged,
            "mfa": mfa,
            "status": status,
            "created_on": date(self.as_of, created_age),
            "last_login_on": date(self.as_of, login_age),
            "approved_by": approved_by,
        })
    }

    fn service_account(&mut self, k: usize, j: u64) -> Value {
        // The first account on the CRM is a shared admin login without MFA.
        let forced_admin = k == 4 && j == 0;
        let shared = forced_admin || self.rng.chance(0.2);
        let role = if forced_admin {
            "admin"
        } else {
            self.rng
                .pick(&["deploy", "integration", "backup", "readonly", "admin"])
        };
        let privileged = role == "admin" || role == "deploy";
        let mfa = !forced_admin && privileged && !self.rng.chance(0.1);
        // The first service account on the production database has no owner.
        let owner = if (k == 2 && j == 0) || self.rng.chance(0.03) {
            Value::Null
        } else if self.rng.chance(0.03) && !self.leavers.is_empty() {
            let pool = std::mem::take(&mut self.leavers);
            let v = self.pick_person(&pool);
            self.leavers = pool;
            v
        } else if self.rng.chance(0.5) {
            self.systems[k].owner.clone()
        } else {
            self.active_person()
        };
        let rng = &mut self.rng;
        let created_age = rng.range(30, 2000);
        let login_age = if rng.chance(0.05) {
            rng.range(100, 400)
        } else {
            rng.range(0, 3)
        }
        .min(created_age);
        let system = &self.systems[k];
        json!({
            "system_id": system.id,
            "person_id": null,
            "username": format!("{}-{}-{}", if shared { "shared" } else { "svc" }, role, j + 1),
            "kind": if shared { "shared" } else { "service" },
            "role": role,
            "privileged": privileged,
            "mfa": mfa,
            "status": if j > 0 && rng.chance(0.05) { "disabled" } else { "active" },
            "created_on": date(self.as_of, created_age),
            "last_login_on": date(self.as_of, login_age),
            "owner_id": owner,
        })
    }

    fn access_reviews(&mut self) -> Value {
        let mut out = Vec::new();
        for (idx, system) in self.systems.iter().enumerate() {
            let rng = &mut self.rng;
            let cadence = match system.criticality {
                "critical" | "high" => 90,
                "medium" => 180,
                _ => 365,
            };
            let roll = rng.below(100);
            let latest = match roll {
                // The production database is overdue; GitHub is due within the window.
                _ if idx == 2 => rng.range(cadence + 1, cadence + 200),
                _ if idx == 3 => rng.range(cadence - 25, cadence - 5),
                0..=2 => continue, // never reviewed
                3..=8 => rng.range(cadence + 1, cadence + 200),
                9..=15 => rng.range(cadence - 25, cadence - 5),
                _ => rng.range(0, cadence - 35),
            };
            for r in 0..1 + rng.below(3) {
                out.push(json!({
                    "system_id": system.id,
                    "completed_on": date(self.as_of, latest + r as i64 * cadence),
                    "reviewer_id": system.owner,
                    "scope": if rng.chance(0.2) { "privileged" } else { "all" },
                    "revocations": rng.below(5),
                }));
            }
        }
        Value::Array(out)
    }

    fn training(&mut self) -> Value {
        let mut out = Vec::with_capacity(self.n * 2);
        for person in &self.people {
            let rng = &mut self.rng;
            let onboarding = person.start_age < 30;
            let roll = rng.below(100);
            let completed = match roll {
                _ if onboarding && rng.chance(0.5) => None,
                0 => None,
                1..=3 => Some(rng.range(370, 700)),
                4..=7 => Some(rng.range(338, 360)),
                _ => Some(rng.range(0, 330)),
            }
            .map(|age| age.min(person.start_age));
            if let Some(age) = completed {
                let mut t = Map::new();
                t.insert("person_id".into(), json!(person.id));
                t.insert("course".into(), json!("security_awareness"));
                t.insert("completed_on".into(), json!(date(self.as_of, age)));
                if rng.chance(0.1) {
                    t.insert("expires_on".into(), json!(date(self.as_of, age - 365)));
                }
                out.push(Value::Object(t));
            }
            let extra = match person.department {
                "Engineering" if rng.chance(0.8) => Some("secure_coding"),
                "Sales" | "HR" | "Legal" if rng.chance(0.5) => Some("privacy"),
                _ if rng.chance(0.05) => Some("incident_response"),
                _ => None,
            };
            if let Some(course) = extra {
                out.push(json!({
                    "person_id": person.id,
                    "course": course,
                    "completed_on": date(self.as_of, rng.range(0, 360).min(person.start_age)),
                }));
            }
        }
        Value::Array(out)
    }

    fn vendors(&mut self) -> Value {
        let count = (self.n / 20).max(5);
        let mut out = Vec::with_capacity(count);
        for k in 0..count {
            let rng = &mut self.rng;
            let id = format!("V{:04}", k + 1);
            let name = format!("{} {}", rng.pick(&VENDOR_WORDS), rng.pick(&VENDOR_WORDS));
            let service = rng.pick(&VENDOR_SERVICES);
            // The first five vendors are in scope for assurance, so that each vendor rule
            // has a finding at any size: V0002 has only a type 1 report, V0003 a stale report
            // with unreviewed exceptions, V0004 an expired contract without a breach-notice
            // term, V0005 no risk review.
            let tier = match k {
                0 => "critical",
                1..=4 => "high",
                _ => rng.weighted(&[("critical", 8), ("high", 22), ("medium", 40), ("low", 30)]),
            };
            let high = tier == "critical" || tier == "high";
            let odds: [f64; 4] = match tier {
                "critical" | "high" => [0.6, 0.5, 0.4, 0.1],
                "medium" => [0.25, 0.3, 0.1, 0.15],
                _ => [0.05, 0.1, 0.0, 0.05],
            };
            let kinds = ["customer_data", "pii", "production", "financial"];
            let mut data_access: Vec<&str> = kinds
                .iter()
                .zip(odds)
                .filter(|&(_, p)| rng.chance(p))
                .map(|(&kind, _)| kind)
                .collect();
            if k < 5 && data_access.is_empty() {
                data_access.push("production");
            }
            let personal = data_access.contains(&"customer_data") || data_access.contains(&"pii");
            let in_scope = high || personal;

            let soc2 = match k {
                0 | 2..=4 => Some("type2"),
                1 => Some("type1"),
                _ if in_scope => {
                    rng.weighted(&[(Some("type2"), 88), (Some("type1"), 5), (None, 7)])
                }
                _ => rng.weighted(&[(Some("type2"), 40), (None, 60)]),
            };
            let assurance = match soc2 {
                None => json!({ "soc2_type": null, "exceptions_noted": 0 }),
                Some(kind) => {
                    let period_end = match rng.below(100) {
                        _ if k < 5 => rng.range(100, 200),
                        0..=3 => rng.range(370, 500), // too old
                        4..=7 => rng.range(340, 360), // ages out within the window
                        _ => rng.range(20, 330),
                    };
                    let bridge = (period_end > 90 && k != 2 && (k < 5 || !rng.chance(0.1)))
                        .then(|| rng.range(0, (period_end - 1).min(60)));
                    let exceptions = if k == 2 || rng.chance(0.15) {
                        1 + rng.below(4)
                    } else {
                        0
                    };
                    let reviewed = (k != 2 && (k < 5 || !rng.chance(0.25)))
                        .then(|| (period_end - rng.range(20, 60)).max(0));
                    json!({
                        "soc2_type": kind,
                        "report_period_end": date(self.as_of, period_end),
                        "reviewed_on": opt_date(self.as_of, reviewed),
                        "exceptions_noted": exceptions,
                        "bridge_letter_on": opt_date(self.as_of, bridge),
                    })
                }
            };

            let expires = match rng.below(100) {
                _ if k == 3 => rng.range(1, 200),
                _ if k < 5 => -rng.range(60, 900),
                0..=3 => rng.range(1, 200), // expired
                4..=8 => -rng.range(3, 25), // expires within the window
                _ => -rng.range(60, 900),
            };
            let breach = match rng.below(100) {
                _ if k == 3 => Value::Null,
                _ if k < 5 => json!(72),
                0..=1 => Value::Null,
                2..=4 => json!(rng.pick(&[96, 120])),
                _ => json!(rng.pick(&[24, 48, 72])),
            };
            let sla = if rng.chance(0.3) {
                Value::Null
            } else {
                json!(rng.pick(&[99.0, 99.5, 99.9, 99.95]))
            };
            let good = k < 5;
            let contract = json!({
                "signed_on": date(self.as_of, rng.range(60, 2500)),
                "expires_on": date(self.as_of, expires),
                "security_requirements": good || !rng.chance(0.03),
                "data_protection_addendum": good || !personal || !rng.chance(0.05),
                "breach_notification_hours": breach,
                "sla_uptime_percent": sla,
                "right_to_audit": good || if high { !rng.chance(0.06) } else { rng.chance(0.5) },
            });
            let review = match tier {
                _ if k == 4 => None,
                _ if k < 5 => Some(rng.range(0, 340)),
                "critical" | "high" => match rng.below(100) {
                    0..=2 => None,
                    3..=7 => Some(rng.range(370, 600)),
                    _ => Some(rng.range(0, 340)),
                },
                "medium" => Some(if rng.chance(0.06) {
                    rng.range(740, 900)
                } else {
                    rng.range(0, 700)
                }),
                _ => rng.chance(0.5).then(|| rng.range(0, 1000)),
            };
            let slug = name.to_lowercase().replace(' ', "");
            let contact = if rng.chance(0.05) {
                Value::Null
            } else {
                json!(format!("security@{slug}.example"))
            };
            let owner = self.active_person();
            out.push(json!({
                "id": id,
                "name": name,
                "service": service,
                "risk_tier": tier,
                "data_access": data_access,
                "owner_id": owner,
                "assurance": assurance,
                "contract": contract,
                "last_risk_review_on": opt_date(self.as_of, review),
                "incident_contact": contact,
            }));
            self.vendor_ids.push(id);
        }
        Value::Array(out)
    }

    fn incidents(&mut self) -> Value {
        let count = (self.n / 100).max(6);
        let mut out = Vec::with_capacity(count);
        for k in 0..count {
            let rng = &mut self.rng;
            let severity = match k {
                0 => "sev1",
                1 => "sev2",
                _ => rng.weighted(&[("sev1", 5), ("sev2", 15), ("sev3", 40), ("sev4", 40)]),
            };
            let major = severity == "sev1" || severity == "sev2";
            // INC-00001 is a sev1 with no post-mortem whose customers were told late, so
            // both incident rules have a finding at any size; INC-00002 is a sev2 done right.
            let detected = if k < 2 {
                rng.range(40, 200)
            } else {
                rng.range(0, 365)
            };
            let resolved = (k < 2 || !(detected < 3 && rng.chance(0.5)))
                .then(|| detected - rng.range(0, detected.min(5)));
            let postmortem = match resolved {
                _ if k == 0 => None,
                Some(r) if k == 1 => Some(r - rng.range(3, 12)),
                Some(r) if major && r > 14 && !rng.chance(0.12) => {
                    Some((r - rng.range(3, 12)).max(0))
                }
                Some(r) if major && r <= 14 && rng.chance(0.5) => {
                    Some((r - rng.range(0, r)).max(0))
                }
                Some(r) if !major && rng.chance(0.2) => Some((r - rng.range(0, 10)).max(0)),
                _ => None,
            };
            let affected = k == 0
                || (k > 1
                    && rng.chance(match severity {
                        "sev1" => 0.6,
                        "sev2" => 0.25,
                        _ => 0.03,
                    }));
            let notified = if affected {
                match rng.below(100) {
                    _ if k == 0 => Some(detected - rng.range(5, 9)),
                    0..=3 => None,
                    4..=11 => Some((detected - rng.range(4, 10)).max(0)),
                    _ => Some((detected - rng.range(0, 2)).max(0)),
                }
            } else {
                None
            };
            let title = rng.pick(&INCIDENT_TITLES);
            let vendor = if rng.chance(0.08) && !self.vendor_ids.is_empty() {
                json!(self.vendor_ids[rng.below(self.vendor_ids.len() as u64) as usize])
            } else {
                Value::Null
            };
            out.push(json!({
                "id": format!("INC-{:05}", k + 1),
                "title": title,
                "severity": severity,
                "detected_on": date(self.as_of, detected),
                "resolved_on": opt_date(self.as_of, resolved),
                "postmortem_on": opt_date(self.as_of, postmortem),
                "vendor_id": vendor,
                "customers_affected": affected,
                "customers_notified_on": opt_date(self.as_of, notified),
            }));
        }
        Value::Array(out)
    }

    fn changes(&mut self) -> Value {
        let count = self.n * 2;
        let mut out = Vec::with_capacity(count);
        for k in 0..count {
            let system = self.rng.below(self.systems.len() as u64) as usize;
            let author = self.engineer();
            let emergency = self.rng.chance(0.03);
            let approved_by = match self.rng.below(100) {
                0..=1 => Value::Null,
                2..=3 => author.clone(),
                _ if emergency && self.rng.chance(0.3) => Value::Null,
                _ => {
                    let mut approver = self.engineer();
                    if approver == author && self.engineers.len() > 1 {
                        approver = self.engineer();
                    }
                    approver
                }
            };
            let rng = &mut self.rng;
            let tested = if emergency {
                rng.chance(0.5)
            } else {
                !rng.chance(0.04)
            };
            out.push(json!({
                "id": format!("CHG-{:06}", k + 1),
                "system_id": self.systems[system].id,
                "deployed_on": date(self.as_of, rng.range(0, 364)),
                "author_id": author,
                "approved_by": approved_by,
                "tested": tested,
                "emergency": emergency,
            }));
        }
        Value::Array(out)
    }

    fn backups(&mut self) -> Value {
        let mut out = Vec::with_capacity(self.systems.len());
        for (idx, system) in self.systems.iter().enumerate() {
            let rng = &mut self.rng;
            let frequency: i64 = rng.pick(&[1, 4, 12, 24, 24, 24, 168]);
            // The newest acceptable backup is max(1, 2 * frequency / 24) days old.
            let allowed = (2 * frequency / 24).max(1);
            // GitHub's backup is stale; the CRM's restores were never tested; AWS's restore
            // test is a year old within the warning window.
            let success = match rng.below(100) {
                _ if idx == 3 => Some(allowed + rng.range(1, 20)),
                0..=1 => None,
                2..=6 => Some(allowed + rng.range(1, 20)),
                _ => Some(rng.range(0, allowed - 1)),
            };
            let restore = match rng.below(100) {
                _ if idx == 4 => None,
                _ if idx == 1 => Some(rng.range(338, 360)),
                0..=2 => None,
                3..=7 => Some(rng.range(370, 700)),
                8..=11 => Some(rng.range(338, 360)),
                _ => Some(rng.range(0, 330)),
            };
            out.push(json!({
                "system_id": system.id,
                "frequency_hours": frequency,
                "last_success_on": opt_date(self.as_of, success),
                "last_restore_test_on": opt_date(self.as_of, restore),
            }));
        }
        Value::Array(out)
    }

    fn risk_assessments(&mut self) -> Value {
        // Yearly; the latest is due again within the warning window.
        let latest = self.rng.range(340, 355);
        let out: Vec<Value> = (0..3)
            .map(|k| {
                let owner = self.active_person();
                json!({
                    "completed_on": date(self.as_of, latest + 365 * (2 - k)),
                    "owner_id": owner,
                    "scope": "company-wide",
                })
            })
            .collect();
        Value::Array(out)
    }

    /// Who is on call, and the workforce's devices, drawn from a stream of their own (seeded
    /// from `seed`), so that the records drawn before them stay as they were: a fifth of
    /// active engineers are on call (`on_call` added to each of `people`), nearly all of
    /// them trained in incident response (their completions appended to `training`); a
    /// laptop for everyone (retired on their last day, a few lost, for leavers) and a phone
    /// for about a third of those at work, a few percent of them unmanaged, unencrypted,
    /// unpatched, unseen or without a screen lock or EDR.
    fn on_call_and_devices(
        &mut self,
        seed: u64,
        people: &mut Value,
        training: &mut Value,
    ) -> Value {
        let mut rng = Rng(seed ^ 0x0DE5_1CE5_0DE5_1CE5);
        let as_of = self.as_of;
        let mut devices = Vec::with_capacity(self.n * 4 / 3);
        let Some(people) = people.as_array_mut() else {
            return Value::Array(devices);
        };
        let Some(training) = training.as_array_mut() else {
            return Value::Array(devices);
        };
        for (person, record) in self.people.iter().zip(people.iter_mut()) {
            let at_work = person.employment != Employment::Terminated;
            let on_call = person.employment == Employment::Active
                && person.department == "Engineering"
                && rng.chance(0.2);
            if let Some(r) = record.as_object_mut() {
                r.insert("on_call".into(), json!(on_call));
            }
            if on_call {
                let age = match rng.below(100) {
                    0 | 1 => None,
                    2 | 3 => Some(rng.range(338, 360)),
                    _ => Some(rng.range(0, 330)),
                };
                if let Some(age) = age {
                    training.push(json!({
                        "person_id": person.id,
                        "course": "incident_response",
                        "completed_on": date(as_of, age.min(person.start_age)),
                    }));
                }
            }
            let mut device = |kind: &str, os: &str, rng: &mut Rng| {
                let mut d = Map::new();
                d.insert("id".into(), json!(format!("D{:06}", devices.len() + 1)));
                d.insert("person_id".into(), json!(person.id));
                d.insert("kind".into(), json!(kind));
                d.insert("os".into(), json!(os));
                if let Some(end) = person.end_age {
                    let lost = rng.chance(0.03);
                    d.insert(
                        "status".into(),
                        json!(if lost { "lost" } else { "retired" }),
                    );
                    d.insert("retired_on".into(), json!(date(as_of, end)));
                }
                d.insert("managed".into(), json!(!rng.chance(0.01)));
                d.insert("encrypted".into(), json!(!rng.chance(0.005)));
                let lock = match rng.below(200) {
                    0 => Value::Null,
                    1 | 2 => json!(30),
                    _ => json!(rng.pick(&[2, 5, 10])),
                };
                d.insert("screen_lock_minutes".into(), lock);
                let patched = if rng.chance(0.02) {
                    rng.range(46, 120)
                } else {
                    rng.range(0, 40)
                };
                let seen_from = person.end_age.unwrap_or(0);
                let seen = if rng.chance(0.01) {
                    rng.range(15, 60)
                } else {
                    rng.range(0, 5)
                };
                d.insert(
                    "os_patched_on".into(),
                    json!(date(as_of, (seen_from + patched).min(person.start_age))),
                );
                d.insert("edr".into(), json!(kind == "mobile" || !rng.chance(0.01)));
                d.insert(
                    "last_seen_on".into(),
                    json!(date(as_of, (seen_from + seen).min(person.start_age))),
                );
                devices.push(Value::Object(d));
            };
            let os = rng.weighted(&[
                ("macOS 15.5", 6),
                ("Windows 11 24H2", 3),
                ("Ubuntu 24.04", 1),
            ]);
            device("laptop", os, &mut rng);
            if at_work && rng.chance(0.33) {
                let os = rng.pick(&["iOS 18.5", "Android 15"]);
                device("mobile", os, &mut rng);
            }
        }
        Value::Array(devices)
    }

    fn evidence(&mut self) -> Value {
        let mut out = Vec::new();
        for control in std::mem::take(&mut self.evidence_criteria) {
            let roll = self.rng.below(100);
            // (days since collection, explicit expiry in days after collection)
            let collections: Vec<(i64, Option<i64>)> = match roll {
                0..=6 => Vec::new(),
                7..=14 => vec![(self.rng.range(380, 600), None)],
                15..=19 => {
                    let age = self.rng.range(70, 85);
                    vec![(age, Some(90))]
                }
                20..=59 => vec![
                    (self.rng.range(0, 300), None),
                    (self.rng.range(380, 700), None),
                ],
                _ => vec![(self.rng.range(0, 300), None)],
            };
            for (j, (age, valid)) in collections.into_iter().enumerate() {
                let by = self.active_person();
                let mut e = Map::new();
                e.insert("control_id".into(), json!(&control));
                e.insert(
                    "title".into(),
                    json!(format!("{control} evidence, collection {}", j + 1)),
                );
                e.insert(
                    "uri".into(),
                    json!(format!(
                        "https://evidence.example.com/{control}/{}.pdf",
                        date(self.as_of, age)
                    )),
                );
                e.insert("sha256".into(), json!(self.rng.sha256()));
                e.insert("collected_on".into(), json!(date(self.as_of, age)));
                e.insert("collected_by".into(), by);
                if let Some(days) = valid {
                    e.insert("expires_on".into(), json!(date(self.as_of, age - days)));
                }
                out.push(Value::Object(e));
            }
        }
        Value::Array(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn len(doc: &Value, key: &str) -> usize {
        doc[key].as_array().map_or(0, Vec::len)
    }

    #[test]
    fn same_seed_gives_the_same_document() {
        assert_eq!(generate(300, 7).unwrap(), generate(300, 7).unwrap());
        assert_ne!(generate(300, 7).unwrap(), generate(300, 8).unwrap());
    }

    #[test]
    fn dates_count_back_from_the_as_of_date() {
        let as_of = Date::parse(AS_OF).unwrap();
        assert_eq!(date(as_of, 0), "2026-06-30");
        assert_eq!(date(as_of, 30), "2026-05-31");
        assert_eq!(date(as_of, -1), "2026-07-01");
        assert_eq!(date(as_of, 365), "2025-06-30");
        assert_eq!(date(as_of, 365 + 366 + 121), "2024-02-29");
        assert_eq!(opt_date(as_of, None), Value::Null);
    }

    #[test]
    fn evidence_is_generated_for_the_criteria_no_rule_checks() {
        let criteria = evidence_criteria().unwrap();
        // Report order: security first, privacy last; CC6.1 has rules, CC1.2 has none.
        assert_eq!(criteria.first().map(String::as_str), Some("CC1.2"));
        assert_eq!(criteria.last().map(String::as_str), Some("P7.1"));
        assert!(!criteria.iter().any(|c| c == "CC6.1"));
        let doc = generate(1000, 42).unwrap();
        let covered: HashSet<&str> = doc["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["control_id"].as_str().unwrap())
            .collect();
        assert!(covered.iter().all(|c| criteria.iter().any(|k| k == c)));
        assert!(covered.len() > criteria.len() * 3 / 4, "{covered:?}");
    }

    #[test]
    fn documents_are_valid_facts() {
        for (people, seed) in [(0, 1), (300, 7)] {
            let text = serde_json::to_string(&generate(people, seed).unwrap()).unwrap();
            let facts = attest_engine::Facts::load(&[attest_engine::FactsSource {
                name: "generated.json",
                text: &text,
            }]);
            assert!(facts.is_ok(), "{people} people: {:?}", facts.err());
        }
    }

    #[test]
    fn record_counts_scale_with_people() {
        let doc = generate(1000, 42).unwrap();
        assert_eq!(doc["schema_version"], "1");
        assert_eq!(doc["organization"]["as_of"], "2026-06-30");
        assert_eq!(len(&doc, "people"), 1000);
        assert_eq!(len(&doc, "systems"), 20);
        assert!(
            (4000..4100).contains(&len(&doc, "accounts")),
            "{}",
            len(&doc, "accounts")
        );
        assert_eq!(len(&doc, "vendors"), 50);
        assert_eq!(len(&doc, "policies"), 20);
        assert_eq!(len(&doc, "incidents"), 10);
        assert_eq!(len(&doc, "changes"), 2000);
        assert_eq!(len(&doc, "backups"), 20);
        assert_eq!(len(&doc, "risk_assessments"), 3);
        assert!(
            (1300..2000).contains(&len(&doc, "training")),
            "{}",
            len(&doc, "training")
        );
        assert!(len(&doc, "access_reviews") >= 15);
        assert!(len(&doc, "evidence") >= 20);

        let people = doc["people"].as_array().unwrap();
        let count = |f: &dyn Fn(&Value) -> bool| people.iter().filter(|p| f(p)).count();
        let terminated = count(&|p| p["employment"]["status"] == "terminated");
        let contractors = count(&|p| p["kind"] == "contractor");
        assert!((30..=70).contains(&terminated), "{terminated} terminated");
        assert!(
            (15..=45).contains(&contractors),
            "{contractors} contractors"
        );

        let small = generate(0, 1).unwrap();
        assert_eq!(len(&small, "people"), 0);
        assert_eq!(len(&small, "systems"), 5);
        assert_eq!(len(&small, "vendors"), 5);
    }

    #[test]
    fn ids_are_unique_and_references_resolve() {
        let doc = generate(500, 3).unwrap();
        let ids = |key: &str| -> HashSet<String> {
            let items = doc[key].as_array().unwrap();
            let set: HashSet<String> = items
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(set.len(), items.len(), "duplicate ids in {key}");
            set
        };
        let people = ids("people");
        let systems = ids("systems");
        let vendors = ids("vendors");
        let policies = ids("policies");
        ids("incidents");
        ids("changes");
        ids("devices");
        let person_ok = |v: &Value| v.is_null() || people.contains(v.as_str().unwrap());
        for a in doc["accounts"].as_array().unwrap() {
            assert!(systems.contains(a["system_id"].as_str().unwrap()));
            assert!(person_ok(&a["person_id"]) && person_ok(&a["approved_by"]));
            assert!(person_ok(&a["owner_id"]));
        }
        for c in doc["changes"].as_array().unwrap() {
            assert!(systems.contains(c["system_id"].as_str().unwrap()));
            assert!(person_ok(&c["author_id"]) && person_ok(&c["approved_by"]));
        }
        for d in doc["devices"].as_array().unwrap() {
            assert!(person_ok(&d["person_id"]));
        }
        for i in doc["incidents"].as_array().unwrap() {
            assert!(i["vendor_id"].is_null() || vendors.contains(i["vendor_id"].as_str().unwrap()));
        }
        for p in doc["people"].as_array().unwrap() {
            assert!(person_ok(&p["manager_id"]));
            for a in p["policy_acknowledgements"].as_array().unwrap() {
                assert!(policies.contains(a["policy_id"].as_str().unwrap()));
            }
        }
    }

    #[test]
    fn some_records_break_the_rules() {
        let doc = generate(1000, 42).unwrap();
        let accounts = doc["accounts"].as_array().unwrap();
        let active = |a: &&Value| a["status"] == "active";
        assert!(
            accounts
                .iter()
                .filter(active)
                .any(|a| a["privileged"] == true && a["mfa"] == false)
        );
        let changes = doc["changes"].as_array().unwrap();
        assert!(changes.iter().any(|c| c["approved_by"].is_null()));
        assert!(changes.iter().any(|c| c["approved_by"] == c["author_id"]));
        assert!(
            changes
                .iter()
                .any(|c| c["tested"] == false && c["emergency"] == false)
        );
        let vendors = doc["vendors"].as_array().unwrap();
        assert!(
            vendors
                .iter()
                .any(|v| v["assurance"]["soc2_type"] != "type2")
        );
        // Most records are in order.
        let good = changes
            .iter()
            .filter(|c| c["tested"] == true && !c["approved_by"].is_null())
            .count();
        assert!(good > changes.len() * 9 / 10);
    }

    #[test]
    fn people_on_call_and_devices_are_mostly_in_order() {
        let doc = generate(1000, 42).unwrap();
        let people = doc["people"].as_array().unwrap();
        // Everyone records whether they are on call; those who are are active engineers.
        assert!(people.iter().all(|p| p["on_call"].is_boolean()));
        let on_call: Vec<&Value> = people.iter().filter(|p| p["on_call"] == true).collect();
        assert!(
            (20..120).contains(&on_call.len()),
            "{} on call",
            on_call.len()
        );
        assert!(
            on_call
                .iter()
                .all(|p| p["department"] == "Engineering" && p["employment"]["status"] == "active")
        );
        let trained: HashSet<&str> = doc["training"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["course"] == "incident_response")
            .map(|t| t["person_id"].as_str().unwrap())
            .collect();
        let untrained = on_call
            .iter()
            .filter(|p| !trained.contains(p["id"].as_str().unwrap()))
            .count();
        assert!(
            untrained * 10 < on_call.len(),
            "{untrained} on call untrained"
        );

        // A laptop per person, a phone for some; a leaver's are out of use since their last day.
        let devices = doc["devices"].as_array().unwrap();
        assert!(
            (1200..1450).contains(&devices.len()),
            "{} devices",
            devices.len()
        );
        let laptops = devices.iter().filter(|d| d["kind"] == "laptop").count();
        assert_eq!(laptops, 1000);
        for p in people
            .iter()
            .filter(|p| p["employment"]["status"] == "terminated")
        {
            let theirs = devices.iter().filter(|d| d["person_id"] == p["id"]);
            for d in theirs {
                assert!(d["status"] == "retired" || d["status"] == "lost", "{d}");
                assert_eq!(d["retired_on"], p["employment"]["end_date"]);
            }
        }
        // A few break each device rule; nearly all are in order.
        let share = |f: &dyn Fn(&Value) -> bool| devices.iter().filter(|d| f(d)).count();
        for (what, broken) in [
            ("unmanaged", share(&|d| d["managed"] == false)),
            ("unencrypted", share(&|d| d["encrypted"] == false)),
            (
                "no screen lock",
                share(&|d| d["screen_lock_minutes"].is_null()),
            ),
            ("no EDR", share(&|d| d["edr"] == false)),
        ] {
            assert!(broken > 0 && broken * 50 < devices.len(), "{broken} {what}");
        }
    }
}
