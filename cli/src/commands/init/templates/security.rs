//! Templates of security operations: `devices.json`, `vulnerabilities.json`,
//! `pentests.json`.

use super::Days;
use serde_json::{Value, json};

/// The templates of security operations.
pub(super) fn templates(d: &Days) -> Vec<(&'static str, Value)> {
    vec![
        (
            "devices.json",
            json!({"devices": [
                {
                    "id": "C02EXAMPLE01",
                    "person_id": "p-001",
                    "kind": "laptop",
                    "os": "macOS 15.5",
                    "status": "active",
                    "managed": true,
                    "encrypted": true,
                    "screen_lock_minutes": 5,
                    "os_patched_on": d.ago(12),
                    "edr": true,
                    "last_seen_on": d.ago(1)
                },
                {
                    "id": "IPH-EXAMPLE01",
                    "person_id": "p-001",
                    "kind": "mobile",
                    "os": "iOS 18.5",
                    "status": "active",
                    "managed": true,
                    "encrypted": true,
                    "screen_lock_minutes": 1,
                    "os_patched_on": d.ago(10),
                    "edr": false,
                    "last_seen_on": d.ago(0)
                },
                {
                    "id": "5CG-EXAMPLE02",
                    "person_id": "p-002",
                    "kind": "laptop",
                    "os": "Windows 11 Enterprise 24H2",
                    "status": "active",
                    "managed": true,
                    "encrypted": true,
                    "screen_lock_minutes": 10,
                    "os_patched_on": d.ago(20),
                    "edr": true,
                    "last_seen_on": d.ago(2)
                },
                {
                    "id": "C02EXAMPLE03",
                    "person_id": "p-003",
                    "kind": "laptop",
                    "os": "macOS 15.3",
                    "status": "retired",
                    "managed": true,
                    "last_seen_on": d.ago(60)
                }
            ]}),
        ),
        (
            "vulnerabilities.json",
            json!({"vulnerabilities": [
                {
                    "id": "VULN-0001",
                    "title": "OpenSSL buffer overflow in the application image",
                    "severity": "critical",
                    "system_id": "example-app",
                    "asset": "example-app:latest",
                    "source": "AWS Inspector",
                    "found_on": d.ago(40),
                    "fixed_on": d.ago(36)
                },
                {
                    "id": "VULN-0002",
                    "title": "Database engine behind its latest security release",
                    "severity": "high",
                    "system_id": "example-db",
                    "asset": "example-postgres",
                    "source": "Qualys",
                    "found_on": d.ago(70),
                    "fixed_on": d.ago(50)
                },
                {
                    "id": "VULN-0003",
                    "title": "Internal dashboard runs a release past its end of support",
                    "severity": "medium",
                    "system_id": "example-app",
                    "asset": "dashboard.internal.example.com",
                    "source": "Qualys",
                    "found_on": d.ago(100),
                    "fixed_on": null,
                    "accepted": {
                        "approved_by": "p-001",
                        "approved_on": d.ago(85),
                        "expires_on": d.ahead(90),
                        "reason": "Reachable only through the VPN; replaced by the new dashboard next quarter."
                    }
                },
                {
                    "id": "VULN-0004",
                    "title": "Outdated TLS configuration on the status page",
                    "severity": "low",
                    "system_id": null,
                    "asset": "status.example.com",
                    "source": "Dependabot",
                    "found_on": d.ago(20),
                    "fixed_on": null
                }
            ]}),
        ),
        (
            "pentests.json",
            json!({"pentests": [{
                "id": "PT-0001",
                "tester": "Example Security Testing Ltd.",
                "scope": "Customer application, public API and production cloud account",
                "completed_on": d.ago(120),
                "findings": [
                    {
                        "id": "F-1",
                        "title": "Missing authorization check on the export endpoint",
                        "severity": "high",
                        "fixed_on": d.ago(110),
                        "retested_on": d.ago(95),
                        "retest_passed": true
                    },
                    {
                        "id": "F-2",
                        "title": "Verbose error messages reveal framework versions",
                        "severity": "low",
                        "fixed_on": null
                    }
                ]
            }]}),
        ),
    ]
}
