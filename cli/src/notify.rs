//! `attest eval --notify URL`: after the run, post its Markdown summary and its new failures
//! (against the baseline, else the ledger's previous run of the organization) as JSON to a
//! webhook, in a generic form or as a Slack message. Each attempt has a timeout; connection
//! failures, timeouts and 429 or 5xx answers are retried with a growing pause. Messages name
//! the webhook's host only: its path often holds a secret.

use crate::ledger::{Entry, Failure, failures};
use attest_engine::{Report, Status};
use attest_render as render;
use std::collections::BTreeSet;
use std::time::Duration;

/// Payload formats (`--notify-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NotifyFormat {
    /// A JSON document with the summary, the new failures and the Markdown report.
    Generic,
    /// A Slack incoming-webhook message (`text` in Slack's mrkdwn).
    Slack,
}

/// Where and how to notify.
pub struct Webhook {
    /// The URL (http or https).
    pub url: String,
    /// The payload's form.
    pub format: NotifyFormat,
    /// Time allowed to each attempt.
    pub timeout: Duration,
    /// Attempts after the first.
    pub retries: u32,
}

/// The run compared with: a baseline report or the ledger's previous entry.
pub enum Previous<'a> {
    /// `--baseline FILE`.
    Baseline(&'a Report, String),
    /// The ledger's last entry of the organization before this run.
    Ledger(&'a Entry),
}

/// One failure new in this run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewFailure {
    /// The rule.
    pub rule: String,
    /// The record's key (null: no record, or a rule in error).
    pub key: Option<String>,
    /// The finding's message, or the rule's error.
    pub message: String,
    /// The rule's severity.
    pub severity: String,
    /// Who fixes it.
    pub owner: String,
    /// The criteria the rule serves.
    pub controls: Vec<String>,
}

impl Webhook {
    /// Checks the URL before anything runs.
    pub fn new(
        url: &str,
        format: NotifyFormat,
        timeout: f64,
        retries: u32,
    ) -> Result<Webhook, String> {
        let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
        if !scheme_ok || host(url).is_empty() {
            return Err(format!(
                "--notify: `{}` is not an http:// or https:// URL",
                redact(url)
            ));
        }
        if !(timeout.is_finite() && timeout > 0.0) {
            return Err("--notify-timeout: expected a positive number of seconds".to_owned());
        }
        Ok(Webhook {
            url: url.to_owned(),
            format,
            timeout: Duration::from_secs_f64(timeout),
            retries,
        })
    }

    /// Posts the notification; the error says what went wrong on the last attempt.
    pub fn send(&self, report: &Report, previous: Option<&Previous<'_>>) -> Result<String, String> {
        let (new, compared_with) = new_failures(report, previous);
        let body = match self.format {
            NotifyFormat::Generic => generic(report, &new, compared_with.as_deref()),
            NotifyFormat::Slack => slack(report, &new, compared_with.as_deref()),
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut last = String::new();
        let mut attempts = 0u32;
        for attempt in 0..=self.retries {
            attempts += 1;
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(500 * u64::from(attempt)));
            }
            match agent
                .post(&self.url)
                .header("Content-Type", "application/json")
                .send(body.as_bytes())
            {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if (200..300).contains(&status) {
                        return Ok(format!(
                            "notified {} ({} new failure{})",
                            host(&self.url),
                            new.len(),
                            if new.len() == 1 { "" } else { "s" }
                        ));
                    }
                    last = format!("the webhook answered HTTP {status}");
                    if status != 429 && status < 500 {
                        break;
                    }
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(format!(
            "--notify {}: not delivered after {} attempt{}: {last}",
            host(&self.url),
            attempts,
            if attempts == 1 { "" } else { "s" }
        ))
    }
}

/// The URL's host (and port), for messages.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or("")
}

fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, _)) => format!("{scheme}://{}/...", host(url)),
        None => "(not a URL)".to_owned(),
    }
}

/// The failures of `report` that `previous` did not have (all of them without one), and
/// what they were compared with.
pub fn new_failures(
    report: &Report,
    previous: Option<&Previous<'_>>,
) -> (Vec<NewFailure>, Option<String>) {
    let (before, compared_with): (BTreeSet<Failure>, Option<String>) = match previous {
        Some(Previous::Baseline(base, name)) => (
            failures(base).into_iter().collect(),
            Some(format!("baseline {name}")),
        ),
        Some(Previous::Ledger(entry)) => (
            entry.failing.iter().cloned().collect(),
            Some(format!(
                "ledger entry {} ({}, as of {})",
                entry.seq, entry.run_at, entry.as_of
            )),
        ),
        None => (BTreeSet::new(), None),
    };
    let mut out = Vec::new();
    for f in failures(report) {
        if before.contains(&f) {
            continue;
        }
        let Some(rule) = report.rule(&f.rule) else {
            continue;
        };
        let message = if f.error {
            rule.error
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_default()
        } else {
            rule.findings
                .iter()
                .find(|x| x.key == f.key && x.effective_status() == Status::Fail)
                .map(|x| x.message.clone())
                .unwrap_or_default()
        };
        out.push(NewFailure {
            rule: f.rule.clone(),
            key: f.key.clone(),
            message,
            severity: rule.severity.as_str().to_owned(),
            owner: rule.owner.as_str().to_owned(),
            controls: rule.controls.clone(),
        });
    }
    (out, compared_with)
}

fn readiness(report: &Report) -> String {
    report.summary.controls.readiness().map_or_else(
        || "no criterion in scope".to_owned(),
        |r| {
            format!(
                "{}% ready ({} of {} criteria in scope pass or warn)",
                r.percent, r.ready, r.applicable
            )
        },
    )
}

fn generic(report: &Report, new: &[NewFailure], compared_with: Option<&str>) -> String {
    let readiness = report.summary.controls.readiness().map(
        |r| serde_json::json!({"ready": r.ready, "applicable": r.applicable, "percent": r.percent}),
    );
    serde_json::json!({
        "notification_version": "1",
        "organization": report.facts.organization,
        "as_of": report.evaluated_on,
        "pack": { "name": report.pack.name, "version": report.pack.version, "digest": report.pack.digest },
        "facts_digest": report.facts.digest,
        "readiness": readiness,
        "summary": report.summary.controls,
        "compared_with": compared_with,
        "new_failures": new,
        "markdown": render::markdown(report),
    })
    .to_string()
}

/// At most this many new failures are listed in a Slack message.
const SLACK_LIST: usize = 20;

fn slack(report: &Report, new: &[NewFailure], compared_with: Option<&str>) -> String {
    let mut text = format!(
        "*SOC 2 readiness of {} as of {}*: {}\n",
        mrkdwn(&report.facts.organization),
        report.evaluated_on,
        readiness(report)
    );
    let since = compared_with.map_or_else(String::new, |c| format!(" since {}", mrkdwn(c)));
    if new.is_empty() {
        text.push_str(&format!("No new failures{since}.\n"));
    } else {
        text.push_str(&format!(
            "*{} new failure{}*{since}:\n",
            new.len(),
            if new.len() == 1 { "" } else { "s" }
        ));
        // The most severe first (each severity in the report's order), so that the cut
        // leaves out the least severe.
        let mut listed: Vec<&NewFailure> = new.iter().collect();
        listed.sort_by_key(|f| report.rule(&f.rule).map(|r| r.severity));
        for f in listed.into_iter().take(SLACK_LIST) {
            let record = f
                .key
                .as_deref()
                .map_or_else(String::new, |k| format!(" {}", mrkdwn_code(k)));
            text.push_str(&format!(
                "• {}{record} ({}, {}): {}\n",
                mrkdwn_code(&f.rule),
                f.severity,
                mrkdwn(&f.owner),
                mrkdwn(&f.message)
            ));
        }
        if new.len() > SLACK_LIST {
            text.push_str(&format!("… and {} more\n", new.len() - SLACK_LIST));
        }
    }
    serde_json::json!({ "text": text, "mrkdwn": true }).to_string()
}

/// Keeps a formatting character of Slack's mrkdwn apart from its neighbours: mrkdwn has no
/// escape (a backslash shows as itself), and formats only between characters that open and
/// close a word, so a zero-width space on either side leaves the character shown as written.
const APART: char = '\u{200b}';

/// One value in Slack's mrkdwn, shown as written on one line: hidden characters (line feeds,
/// escapes, bidirectional controls) shown as [`render::escape::line`] shows them, so a value
/// cannot start a line of its own; `&`, `<` and `>` as the entities Slack reads (no link or
/// mention); and the formatting characters `*`, `_`, `~` and `` ` `` kept apart from their
/// neighbours ([`APART`]), so that they format nothing.
fn mrkdwn(text: &str) -> String {
    escaped(text, true)
}

/// One value as mrkdwn inline code (`` `access.mfa` ``), escaped as [`mrkdwn`] escapes it
/// but for the formatting characters, which code shows as they are; a value holding a
/// backtick, which would end the code, is shown as [`mrkdwn`] text instead.
fn mrkdwn_code(text: &str) -> String {
    if text.contains('`') {
        return mrkdwn(text);
    }
    format!("`{}`", escaped(text, false))
}

/// `text` on one line ([`render::escape::line`]) with `&`, `<`, `>` as entities, and, with
/// `apart`, mrkdwn's formatting characters set apart by zero-width spaces.
fn escaped(text: &str, apart: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in render::escape::line(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' | '_' | '~' | '`' if apart => out.extend([APART, c, APART]),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_the_host_only() {
        assert_eq!(
            host("https://hooks.slack.com/services/T/B/secret"),
            "hooks.slack.com"
        );
        assert_eq!(host("http://user:pw@127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert_eq!(
            redact("https://hooks.example/secret"),
            "https://hooks.example/..."
        );
        assert!(Webhook::new("ftp://x/y", NotifyFormat::Generic, 1.0, 0).is_err());
        assert!(Webhook::new("https:///nohost", NotifyFormat::Generic, 1.0, 0).is_err());
    }

    /// A value is shown as written on one line of the message: it can neither start a line
    /// (a forged bullet), nor carry terminal or bidirectional controls, nor format text.
    #[test]
    fn slack_values_are_escaped_and_format_nothing() {
        let z = APART;
        assert_eq!(
            mrkdwn("Okta\n• forged\u{1b}[31m\u{202e} <!channel> & co"),
            "Okta\\n• forged\\u{1b}[31m\\u{202e} &lt;!channel&gt; &amp; co"
        );
        assert_eq!(
            mrkdwn("*x* _y_ ~z~ `c`"),
            format!("{z}*{z}x{z}*{z} {z}_{z}y{z}_{z} {z}~{z}z{z}~{z} {z}`{z}c{z}`{z}")
        );
        assert_eq!(
            mrkdwn_code("systems/a*b_c\n<x>"),
            "`systems/a*b_c\\n&lt;x&gt;`"
        );
        assert_eq!(
            mrkdwn_code("systems/meta`base *x*"),
            format!("systems/meta{z}`{z}base {z}*{z}x{z}*{z}")
        );
    }
}
