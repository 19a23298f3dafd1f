//! Templates of the data kept and let go: `data_stores.json`, `disposals.json`,
//! `privacy_requests.json`.

use super::Days;
use serde_json::{Value, json};

/// The templates of data handling.
pub(super) fn templates(d: &Days) -> Vec<(&'static str, Value)> {
    vec![
        (
            "data_stores.json",
            json!({"data_stores": [
                {
                    "id": "example-postgres",
                    "name": "Production database",
                    "system_id": "example-db",
                    "contains": ["customer_data", "pii"],
                    "retention_days": 1095,
                    "retention_enforced": true,
                    "oldest_record_on": d.ago(900)
                },
                {
                    "id": "example-exports",
                    "name": "Storage bucket of customer report exports",
                    "system_id": "example-app",
                    "contains": ["customer_data"],
                    "retention_days": 90,
                    "retention_enforced": true,
                    "oldest_record_on": d.ago(85)
                }
            ]}),
        ),
        (
            "disposals.json",
            json!({"disposals": [
                {
                    "id": "DSP-0001",
                    "asset_kind": "device",
                    "asset_id": "C02EXAMPLE03",
                    "contains": ["confidential"],
                    "due_on": d.ago(30),
                    "disposed_on": d.ago(45),
                    "method": "wipe",
                    "certificate_uri": "https://itad.example.com/certificates/0001",
                    "verified_by": "p-001"
                },
                {
                    "id": "DSP-0002",
                    "asset_kind": "data",
                    "asset_id": "example-postgres",
                    "contains": ["customer_data", "pii"],
                    "due_on": d.ago(10),
                    "disposed_on": d.ago(12),
                    "method": "delete",
                    "certificate_uri": null,
                    "verified_by": "p-002"
                }
            ]}),
        ),
        (
            "privacy_requests.json",
            json!({"privacy_requests": [
                {
                    "id": "DSR-0001",
                    "type": "access",
                    "regulation": "gdpr",
                    "received_on": d.ago(150),
                    "answered_on": d.ago(135)
                },
                {
                    "id": "DSR-0002",
                    "type": "deletion",
                    "regulation": "ccpa",
                    "received_on": d.ago(90),
                    "answered_on": d.ago(60)
                },
                {
                    "id": "DSR-0003",
                    "type": "correction",
                    "regulation": "gdpr",
                    "received_on": d.ago(40),
                    "answered_on": d.ago(33)
                },
                {
                    "id": "DSR-0004",
                    "type": "opt_out",
                    "regulation": "gdpr",
                    "received_on": d.ago(8),
                    "answered_on": d.ago(7)
                }
            ]}),
        ),
    ]
}
