//! Templates of systems and who can reach them: `systems.json`, `accounts.json`,
//! `access_reviews.json`, `repositories.json`, `keys.json`.

use super::Days;
use serde_json::{Value, json};

/// The templates of systems and access.
pub(super) fn templates(d: &Days) -> Vec<(&'static str, Value)> {
    vec![
        (
            "systems.json",
            json!({"systems": [
                {
                    "id": "example-app",
                    "name": "Example production application",
                    "criticality": "high",
                    "customer_data": true,
                    "owner_id": "p-001",
                    "sso": true,
                    "encryption_at_rest": true
                },
                {
                    "id": "example-db",
                    "name": "Example production database (direct logins, no SSO)",
                    "criticality": "critical",
                    "customer_data": true,
                    "owner_id": "p-001",
                    "sso": false,
                    "encryption_at_rest": true
                }
            ]}),
        ),
        (
            "accounts.json",
            json!({"accounts": [
                {
                    "system_id": "example-app",
                    "username": "engineer@example.com",
                    "person_id": "p-002",
                    "kind": "human",
                    "role": "admin",
                    "privileged": true,
                    "mfa": true,
                    "status": "active",
                    "created_on": d.ago(120),
                    "last_login_on": d.ago(1),
                    "approved_by": "p-001"
                },
                {
                    "system_id": "example-app",
                    "username": "leaver@example.com",
                    "person_id": "p-003",
                    "kind": "human",
                    "privileged": false,
                    "mfa": true,
                    "status": "disabled",
                    "created_on": d.ago(890),
                    "disabled_on": d.ago(60),
                    "last_login_on": d.ago(61)
                },
                {
                    "system_id": "example-db",
                    "username": "engineer",
                    "person_id": "p-002",
                    "kind": "human",
                    "privileged": false,
                    "mfa": true,
                    "status": "active",
                    "created_on": d.ago(120),
                    "last_login_on": d.ago(3),
                    "approved_by": "p-001"
                },
                {
                    "system_id": "example-app",
                    "username": "deploy-bot",
                    "kind": "service",
                    "privileged": false,
                    "mfa": false,
                    "status": "active",
                    "created_on": d.ago(300),
                    "last_login_on": d.ago(1),
                    "owner_id": "p-001"
                }
            ]}),
        ),
        (
            "access_reviews.json",
            json!({"access_reviews": [
                {
                    "system_id": "example-app",
                    "completed_on": d.ago(200),
                    "reviewer_id": "p-001",
                    "scope": "all",
                    "revocations": 0
                },
                {
                    "system_id": "example-app",
                    "completed_on": d.ago(115),
                    "reviewer_id": "p-001",
                    "scope": "all",
                    "revocations": 0
                },
                {
                    "system_id": "example-app",
                    "completed_on": d.ago(30),
                    "reviewer_id": "p-001",
                    "scope": "all",
                    "revocations": 1
                },
                {
                    "system_id": "example-db",
                    "completed_on": d.ago(195),
                    "reviewer_id": "p-001",
                    "scope": "all",
                    "revocations": 0
                },
                {
                    "system_id": "example-db",
                    "completed_on": d.ago(110),
                    "reviewer_id": "p-001",
                    "scope": "all",
                    "revocations": 0
                },
                {
                    "system_id": "example-db",
                    "completed_on": d.ago(20),
                    "reviewer_id": "p-001",
                    "scope": "all",
                    "revocations": 0
                }
            ]}),
        ),
        (
            "repositories.json",
            json!({"repositories": [
                {
                    "id": "example/app",
                    "system_id": "example-app",
                    "production": true,
                    "archived": false,
                    "default_branch": "main",
                    "branch_protection": true,
                    "required_reviews": 1,
                    "force_push_allowed": false,
                    "bypass_actors": []
                },
                {
                    "id": "example/prototypes",
                    "system_id": null,
                    "production": false,
                    "archived": false,
                    "default_branch": "main",
                    "branch_protection": false
                }
            ]}),
        ),
        (
            "keys.json",
            json!({"keys": [
                {
                    "id": "alias/example-db-data",
                    "system_id": "example-db",
                    "purpose": "database encryption (KMS)",
                    "status": "active",
                    "created_on": d.ago(700),
                    "last_rotated_on": d.ago(300)
                },
                {
                    "id": "example-app-token-signing",
                    "system_id": "example-app",
                    "purpose": "API token signing",
                    "status": "active",
                    "created_on": d.ago(500),
                    "last_rotated_on": d.ago(40),
                    "rotation_days": 180
                }
            ]}),
        ),
    ]
}
