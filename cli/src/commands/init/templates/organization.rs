//! Templates of the organization and its people: `org.json`, `people.json`, `training.json`,
//! `policies.json`.

use super::Days;
use serde_json::{Value, json};

/// The organization's templates.
pub(super) fn templates(d: &Days) -> Vec<(&'static str, Value)> {
    vec![
        (
            "org.json",
            json!({
                "schema_version": "1",
                "organization": {
                    "name": "Example Inc. (replace with your organization's name)",
                    "as_of": d.today(),
                    "audit_period": {"start": d.six_months_back(), "end": d.today()},
                    "scope": ["security", "availability", "confidentiality", "privacy"]
                }
            }),
        ),
        (
            "people.json",
            json!({"people": [
                {
                    "id": "p-001",
                    "name": "Example Manager",
                    "email": "manager@example.com",
                    "title": "Head of Engineering",
                    "department": "Engineering",
                    "kind": "employee",
                    "on_call": false,
                    "employment": {"status": "active", "start_date": d.ago(800)},
                    "background_check": {"status": "passed", "completed_on": d.ago(810)},
                    "policy_acknowledgements": [{"policy_id": "pol-infosec", "acknowledged_on": d.ago(80)}]
                },
                {
                    "id": "p-002",
                    "name": "Example Engineer",
                    "email": "engineer@example.com",
                    "title": "Software Engineer",
                    "department": "Engineering",
                    "kind": "employee",
                    "manager_id": "p-001",
                    "on_call": true,
                    "employment": {"status": "active", "start_date": d.ago(400)},
                    "background_check": {"status": "passed", "completed_on": d.ago(410)},
                    "policy_acknowledgements": [{"policy_id": "pol-infosec", "acknowledged_on": d.ago(80)}]
                },
                {
                    "id": "p-003",
                    "name": "Example Leaver",
                    "email": "leaver@example.com",
                    "department": "Sales",
                    "kind": "contractor",
                    "employment": {"status": "terminated", "start_date": d.ago(900), "end_date": d.ago(60)},
                    "background_check": {"status": "passed", "completed_on": d.ago(910)}
                }
            ]}),
        ),
        (
            "training.json",
            json!({"training": [
                {"person_id": "p-001", "course": "security_awareness", "completed_on": d.ago(400)},
                {"person_id": "p-001", "course": "security_awareness", "completed_on": d.ago(60)},
                {"person_id": "p-001", "course": "secure_coding", "completed_on": d.ago(150)},
                {"person_id": "p-002", "course": "security_awareness", "completed_on": d.ago(390)},
                {"person_id": "p-002", "course": "security_awareness", "completed_on": d.ago(60), "expires_on": d.ahead(300)},
                {"person_id": "p-002", "course": "secure_coding", "completed_on": d.ago(150)},
                {"person_id": "p-002", "course": "incident_response", "completed_on": d.ago(100)},
                {"person_id": "p-003", "course": "security_awareness", "completed_on": d.ago(300)}
            ]}),
        ),
        (
            "policies.json",
            json!({"policies": [{
                "id": "pol-infosec",
                "title": "Information Security Policy",
                "owner_id": "p-001",
                "approved_on": d.ago(90),
                "review_interval_days": 365,
                "requires_acknowledgement": true,
                "approvals": [{"approved_on": d.ago(440), "approved_by": "p-001"}]
            }]}),
        ),
    ]
}
