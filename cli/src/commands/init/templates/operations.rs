//! Templates of running the service: `vendors.json`, `incidents.json`, `changes.json`,
//! `backups.json`, `dr_tests.json`, `monitoring.json`, `risk_assessments.json`,
//! `evidence.json`.

use super::Days;
use serde_json::{Value, json};

/// The templates of operations.
pub(super) fn templates(d: &Days) -> Vec<(&'static str, Value)> {
    vec![
        ("vendors.json", vendors(d)),
        (
            "incidents.json",
            json!({"incidents": [
                {
                    "id": "INC-0001",
                    "title": "Misconfigured storage bucket found and closed",
                    "severity": "sev2",
                    "detected_on": d.ago(45),
                    "resolved_on": d.ago(44),
                    "postmortem_on": d.ago(40),
                    "vendor_id": null,
                    "customers_affected": true,
                    "customers_notified_on": d.ago(44),
                    "personal_data": true,
                    "data_subjects_affected": 1200
                },
                {
                    "id": "INC-0002",
                    "title": "Cloud provider storage outage delayed the nightly backup",
                    "severity": "sev3",
                    "detected_on": d.ago(15),
                    "resolved_on": d.ago(15),
                    "postmortem_on": null,
                    "vendor_id": "v-example",
                    "vendor_aware_on": d.ago(16),
                    "vendor_notified_on": d.ago(15),
                    "customers_affected": false,
                    "customers_notified_on": null,
                    "personal_data": false
                }
            ]}),
        ),
        (
            "changes.json",
            json!({"changes": [{
                "id": "CHG-0001",
                "summary": "Example production change (a reviewed pull request)",
                "system_id": "example-app",
                "deployed_on": d.ago(7),
                "author_id": "p-002",
                "approved_by": "p-001",
                "tested": true,
                "emergency": false
            }]}),
        ),
        (
            "backups.json",
            json!({"backups": [
                {
                    "system_id": "example-app",
                    "frequency_hours": 24,
                    "last_success_on": d.ago(1),
                    "last_restore_test_on": d.ago(100)
                },
                {
                    "system_id": "example-db",
                    "frequency_hours": 24,
                    "last_success_on": d.ago(1),
                    "last_restore_test_on": d.ago(60)
                }
            ]}),
        ),
        (
            "dr_tests.json",
            json!({"dr_tests": [
                {
                    "system_id": "example-db",
                    "tested_on": d.ago(100),
                    "scenario": "Point-in-time restore of the production database to a new instance",
                    "rto_target_hours": 4,
                    "rto_achieved_hours": 2.5,
                    "rpo_target_hours": 1,
                    "rpo_achieved_hours": 0.25
                },
                {
                    "system_id": "example-app",
                    "tested_on": d.ago(150),
                    "scenario": "Loss of the primary region: redeploy from code and backups in the secondary region",
                    "rto_target_hours": 8,
                    "rto_achieved_hours": 6,
                    "rpo_target_hours": 24,
                    "rpo_achieved_hours": 12
                }
            ]}),
        ),
        (
            "monitoring.json",
            json!({"monitoring": [
                {
                    "system_id": "example-app",
                    "central_logging": true,
                    "log_retention_days": 400,
                    "alert_routing": "pagerduty:example-on-call",
                    "capacity_alerts": true
                },
                {
                    "system_id": "example-db",
                    "central_logging": true,
                    "log_retention_days": 365,
                    "alert_routing": "pagerduty:example-on-call",
                    "capacity_alerts": true
                }
            ]}),
        ),
        (
            "risk_assessments.json",
            json!({"risk_assessments": [{
                "completed_on": d.ago(120),
                "owner_id": "p-001",
                "scope": "company-wide"
            }]}),
        ),
        (
            "evidence.json",
            json!({"evidence": [{
                "control_id": "CC1.2",
                "title": "Board meeting minutes reviewing the security program",
                "uri": "https://docs.example.com/board/minutes",
                "collected_on": d.ago(30),
                "collected_by": "p-001"
            }]}),
        ),
    ]
}

/// A current vendor (with its assurance, contract and measured service levels) and one that
/// was offboarded.
fn vendors(d: &Days) -> Value {
    json!({"vendors": [
        {
            "id": "v-example",
            "name": "Example Cloud Provider",
            "service": "Hosting",
            "risk_tier": "critical",
            "status": "active",
            "data_access": ["customer_data", "production"],
            "owner_id": "p-001",
            "due_diligence_on": d.ago(120),
            "assurance": {
                "soc2_type": "type2",
                "report_period_end": d.ago(60),
                "reviewed_on": d.ago(20),
                "exceptions_noted": 1
            },
            "contract": {
                "signed_on": d.ago(100),
                "expires_on": d.ahead(400),
                "security_requirements": true,
                "data_protection_addendum": true,
                "breach_notification_hours": 72,
                "sla_uptime_percent": 99.9,
                "right_to_audit": true
            },
            "last_risk_review_on": d.ago(90),
            "incident_contact": "security@vendor.example",
            "sla_performance": [
                {"period_end": d.ago(95), "uptime_percent": 99.95},
                {"period_end": d.ago(5), "uptime_percent": 99.82, "reviewed_on": d.ago(2)}
            ]
        },
        {
            "id": "v-former",
            "name": "Example Former Analytics Vendor",
            "service": "Product analytics",
            "risk_tier": "high",
            "status": "offboarded",
            "data_access": ["customer_data"],
            "owner_id": "p-001",
            "offboarding": {
                "started_on": d.ago(50),
                "access_removed_on": d.ago(49),
                "data_deleted_on": d.ago(35)
            }
        }
    ]})
}
