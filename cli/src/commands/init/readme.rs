//! The `facts/README.md` that `attest init` writes: what each template file holds, where its
//! data usually comes from and how to fill it.

/// The text of `facts/README.md`.
pub const FACTS_README: &str = r#"# Facts

What Attest evaluates: facts about the organization, one file per area, merged in file-name
order (arrays concatenate). The format is facts-v1 (Attest's `docs/facts.md`); JSON has no
comments, so this file says what each one holds.

**Every file holds example records.** They show each field and every rule of the SOC 2 pack
has records to judge, but they describe no one: replace them with your own, or empty the list
(`"people": []`) until you have them. An example left in place is evaluated like real facts:
while any is left, `attest eval` and `attest validate` name its file in a warning and
`attest eval` fails its gate (exit 1; the `examples` line of `attest.toml` says when they were
written).

| file | holds | fill it from |
|---|---|---|
| `org.json` | `schema_version`, `organization`: your name, `as_of` (the date the facts describe), `audit_period` (`start` and `end` of a Type 2 period) and `scope` (the Trust Services Categories of the audit) | by hand: the audit engagement letter |
| `people.json` | the workforce: `id`, `name`, `email`, `kind` (employee, contractor), `department`, `on_call` (in an incident-response rotation), `employment` (status active, on_leave or terminated, start and end dates), `background_check`, `policy_acknowledgements` | your HRIS: `attest import csv EXPORT.csv --mapping MAP.toml`; `on_call` from the paging tool's schedules |
| `systems.json` | in-scope systems: `id`, `criticality`, `customer_data`, `owner_id`, `sso`, `encryption_at_rest` | by hand |
| `accounts.json` | one row per account per system: `system_id`, `username`, `person_id` (or `owner_id` for service and shared accounts), `kind`, `privileged`, `mfa`, `status`, `created_on`, `disabled_on`, `last_login_on`, `approved_by` | `attest import aws-iam-credential-report`, `okta-users`, `github-members`, `google-workspace-users` (one file each, e.g. `accounts-aws.json`) |
| `access_reviews.json` | user-access reviews: `system_id`, `completed_on`, `reviewer_id`, `scope` (all, privileged), `revocations` | by hand, or a CSV through a mapping |
| `training.json` | training records: `person_id`, `course` (security_awareness, secure_coding, incident_response...), `completed_on`, `expires_on` | your LMS: `attest import csv` with a mapping |
| `vendors.json` | third parties: `risk_tier`, `status` (active, offboarding, offboarded), `data_access`, `due_diligence_on`, `assurance` (SOC 2 report), `contract` (clauses, dates), `last_risk_review_on`, `sla_performance` (measured uptime per period), `offboarding` (access removed, data returned or deleted) | your vendor register: `attest import csv` with a mapping |
| `policies.json` | the policy set: `id`, `title`, `owner_id`, `approved_on`, `review_interval_days`, `requires_acknowledgement` | by hand, or a CSV through a mapping |
| `incidents.json` | security incidents: `severity`, `detected_on`, `resolved_on`, `postmortem_on`, `customers_affected`, `customers_notified_on`, `personal_data` (personal information was or may have been disclosed: every incident says so), `data_subjects_affected` (how many people, when it was), and for one a vendor caused: `vendor_id`, `vendor_aware_on`, `vendor_notified_on` | your incident tracker (the breach register for `personal_data`) |
| `changes.json` | production changes: `system_id`, `deployed_on`, `author_id`, `approved_by`, `tested`, `emergency`, and for an untested emergency change its after-the-fact review: `emergency_reviewed_on`, `emergency_reviewed_by` | your change or pull-request history |
| `backups.json` | backup jobs: `system_id`, `frequency_hours`, `last_success_on`, `last_restore_test_on` | by hand |
| `risk_assessments.json` | risk assessments: `completed_on`, `owner_id`, `scope` | by hand |
| `evidence.json` | evidence collected by hand for criteria no rule checks: `control_id`, `title`, `uri`, `collected_on`, `expires_on` | by hand |
| `devices.json` | workforce laptops, desktops and phones: `id` (serial number), `person_id`, `kind`, `os`, `status` (active, retired, lost), `managed`, `encrypted`, `screen_lock_minutes`, `os_patched_on`, `edr`, `last_seen_on` | your MDM (Jamf, Intune, Kandji...): its device inventory export, through `attest import csv` with a mapping |
| `vulnerabilities.json` | what scanners found: `id`, `title`, `severity`, `system_id`, `asset`, `source`, `found_on`, `fixed_on`, `accepted` (a risk acceptance: approver, dates, reason) | scanner exports (Qualys, Tenable, AWS Inspector, Dependabot, Snyk...) through `attest import csv` with a mapping |
| `pentests.json` | penetration tests: `id`, `tester`, `scope`, `completed_on`, `findings` (`severity`, `fixed_on`, `retested_on`, `retest_passed`) | by hand, from the tester's report and retest letter |
| `dr_tests.json` | disaster recovery tests: `system_id`, `tested_on`, `scenario`, RTO and RPO targets and what was achieved, in hours | by hand, from the recovery exercise's report |
| `monitoring.json` | how each system is monitored: `system_id`, `central_logging`, `log_retention_days`, `alert_routing`, `capacity_alerts` | by hand, from the log platform and the paging tool's settings |
| `data_stores.json` | where data is kept: `id`, `name`, `system_id`, `contains` (customer_data, pii, confidential, financial), `retention_days`, `retention_enforced`, `oldest_record_on` | your data inventory (or records of processing), by hand or a CSV through a mapping |
| `disposals.json` | disposals of devices, media, paper and data: `id`, `asset_kind`, `asset_id`, `contains`, `due_on`, `disposed_on`, `method`, `certificate_uri`, `verified_by` | IT asset disposition certificates and your disposal tickets |
| `privacy_requests.json` | data subjects' requests and complaints: `id`, `type` (access, portability, correction, deletion, opt_out, complaint, other), `regulation` (gdpr, ccpa, other), `received_on`, `answered_on` | your privacy request tool or help-desk queue, through `attest import csv` with a mapping |
| `repositories.json` | source code repositories: `id`, `system_id`, `production`, `archived`, `default_branch`, `branch_protection`, `required_reviews`, `force_push_allowed`, `bypass_actors` | your code host's branch protection settings (GitHub, GitLab...) |
| `keys.json` | cryptographic keys and long-lived secrets: `id`, `system_id`, `purpose`, `status`, `created_on`, `last_rotated_on`, `rotation_days` | your key management service and secrets manager |

Check the facts with `attest validate facts/`; see why every rule decided with
`attest eval --explain`. A collection left out (a file removed) makes the rules that read it
`not_applicable`, and their criteria are then judged by `evidence.json`.

## The audit period

`organization.audit_period` in `org.json` is the period of a SOC 2 Type 2 report (the example
is the six months ending on the date `attest init` ran). With it, rules judge every day and
every event of the period, not only the state on its last day: a leaver's account disabled a
week late, or a quarter without an access review, is an exception even once fixed. Set it to
the period agreed with your auditor, or remove it to judge the as-of date alone (Type 1).
`attest eval --period START..END`, or `period` in `attest.toml`, overrides it.

## Devices (`devices.json`)

One record per laptop, desktop, phone or tablet people work on, as device management (MDM)
reports it. Rules check that every active person has a managed device that checked in within
the last 14 days, and that active managed devices have disk encryption on, lock the screen
within 15 minutes, installed an OS security update within 45 days and, for computers, run the
endpoint detection and response (EDR) agent.

- **From:** the device inventory of Jamf Pro, Microsoft Intune, Kandji, Google endpoint
  management or the like (serial number, user, OS version, FileVault or BitLocker status,
  last check-in); `edr` from your EDR console's host list (CrowdStrike, SentinelOne, Defender).
- **How:** export the inventory as CSV and map it (`person_id` by the user's email, `managed`
  true for every enrolled device); add personal or unenrolled devices you know of with
  `"managed": false`. Keep retired devices with `"status": "retired"` until their disposal is
  in `disposals.json`.

## Vulnerabilities (`vulnerabilities.json`)

One record per finding of a scanner or report, open or fixed. Each must be fixed within the
days its severity allows (critical 15, high 30, medium 90, low 180, pack parameters), or
carry a current risk acceptance with an approver and an expiry date.

- **From:** scanner exports: Qualys, Tenable or Rapid7 for hosts, AWS Inspector or Trivy for
  images, Dependabot or Snyk for dependencies; bug-bounty and customer reports from your
  tracker.
- **How:** export open findings and those fixed in the last year as CSV and map them (`id`
  the scanner's finding id or the ticket, `found_on` the first-detected date, `fixed_on` the
  date the scanner verified the fix, null while open). Record an accepted risk under
  `accepted`.

## Penetration tests (`pentests.json`)

One record per independent penetration test, with its findings. Rules check that a test was
completed within the last year, and that critical and high findings were fixed and passed a
retest within 90 days of the report.

- **From:** the tester's final report (date, scope, findings and severities) and the retest
  letter.
- **How:** by hand, once per test; update `fixed_on`, `retested_on` and `retest_passed` as the
  findings close.

## Disaster recovery tests (`dr_tests.json`)

One record per recovery exercise of a system. Every critical system needs a test within the
last year whose latest run met both its recovery time objective (RTO) and recovery point
objective (RPO).

- **From:** the report of the exercise (game day, region failover, restore to a new
  instance): the targets from your business continuity plan, the times measured on the day.
- **How:** by hand, one record per system and test; `rto_achieved_hours` is how long the
  recovery took, `rpo_achieved_hours` how much data (in hours) was lost.

## Monitoring (`monitoring.json`)

One record per system, saying how it is watched. Critical and high systems must send their
logs to the central log store and keep them at least 365 days, route their security alerts to
someone who responds, and alert on capacity.

- **From:** the log platform (Datadog, Splunk, Elastic, CloudWatch: which sources it receives,
  the retention of their indexes) and the paging tool (PagerDuty, Opsgenie: the service or
  rotation each system's alerts go to).
- **How:** by hand, one record per system of `systems.json`; `alert_routing` names the
  rotation or queue (`pagerduty:sre-primary`), null when alerts go nowhere.

## Data stores (`data_stores.json`)

One record per database, bucket, share or archive that holds customer, personal,
confidential or financial data. Stores of such data need a retention period, and must show it
is kept: records no older than the retention period (`oldest_record_on`), or automated
deletion.

- **From:** your data inventory or records of processing activities, for what each store
  holds and how long it may keep it; a query of the store for its oldest record
  (`SELECT min(created_at) ...`), or the bucket's lifecycle rules for `retention_enforced`.
- **How:** by hand, or a CSV of the inventory through a mapping.

## Disposals (`disposals.json`)

One record per device, storage medium, batch of paper or data set disposed of (or due to be).
Each must be done by its due date, with a method, and a certificate or a person who verified
it; every retired device in `devices.json` needs one.

- **From:** the certificates of your IT asset disposition vendor, the shredding company's
  receipts and the tickets of data deletions.
- **How:** by hand, or a CSV of the tickets; `asset_id` is the device id (serial number), data
  store id or batch name; `disposed_on` null while pending.

## Privacy requests (`privacy_requests.json`)

One record per request or complaint from a data subject (access, portability, correction,
deletion, opt-out). Each must be answered within its law's deadline: a month under the GDPR
(30 days), 45 days under the CCPA.

- **From:** your privacy request tool (OneTrust, Transcend, DataGrail) or the help-desk queue
  where requests arrive.
- **How:** export the requests as CSV and map them (`received_on` the day it arrived,
  `answered_on` the day it was fulfilled or refused with reasons, null while open).

## Repositories (`repositories.json`)

One record per source code repository. Production repositories that are not archived must
protect their default branch: at least one approving review, no force pushes, and no one
allowed to bypass the protection.

- **From:** the code host's branch protection or rulesets: on GitHub, a repository's settings,
  or `gh api repos/OWNER/REPO/branches/main/protection`; on GitLab, protected branches and
  merge request approvals.
- **How:** by hand or a script over your repositories; `production` true for every repository
  whose code is deployed, `bypass_actors` the users, teams or apps allowed to bypass.

## Keys (`keys.json`)

One record per encryption key, signing key or long-lived secret (API keys, deploy keys).
Each active key must have been rotated within its `rotation_days`, or the pack's default of
365 days.

- **From:** your key management service (AWS KMS, Google Cloud KMS, Azure Key Vault: creation
  and rotation dates) and secrets manager (rotation history).
- **How:** by hand or a script; `last_rotated_on` the date of the last rotation, `status`
  retired for keys no longer in use.
"#;
