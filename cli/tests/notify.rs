//! `attest eval --notify URL` against a webhook served by the test on 127.0.0.1: the
//! generic and Slack payloads, new failures against the ledger's previous run and against a
//! baseline, retries after a server error, a timeout, and a bad URL refused before anything
//! runs.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{attest_in, exit, scratch, stderr};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// How the test server answers each request in turn (the last answer repeats).
#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    /// Reads the request and never answers.
    Silence,
}

/// A webhook on 127.0.0.1 answering `answers` in turn; each request's body is sent on the
/// channel. Serves at most `answers.len() + 4` requests, then stops.
fn webhook(answers: Vec<Answer>) -> (String, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hooks/secret-token",
        listener.local_addr().unwrap().port()
    );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (i, stream) in listener.incoming().take(answers.len() + 4).enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = tx.send((head, String::from_utf8(body).unwrap()));
            match answers[i.min(answers.len() - 1)] {
                Answer::Status(code) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    );
                }
                Answer::Silence => held.push(stream),
            }
        }
    });
    (url, rx)
}

fn setup(name: &str) -> PathBuf {
    let dir = scratch(name);
    attest_tests::write_tiny_pack(
        &dir,
        &[(
            "mfa",
            "CC6.1",
            "for a in facts.accounts { tested(a); if a.mfa != true { fail(a, `${a.username} has no MFA`); } }\n",
        )],
    );
    common::write(&dir, "facts.json", &facts(&["root"]));
    dir
}

/// Facts with one account per name, none with MFA.
fn facts(names: &[&str]) -> String {
    let accounts: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"system_id": "aws", "username": "{n}", "kind": "human", "status": "active", "privileged": true, "mfa": false}}"#))
        .collect();
    format!(
        r#"{{"schema_version": "1", "organization": {{"name": "Tiny", "as_of": "2026-06-30"}}, "accounts": [{}]}}"#,
        accounts.join(",")
    )
}

fn eval(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "eval",
        "facts.json",
        "--pack",
        "pack",
        "--format",
        "json",
        "--output",
        "report.json",
    ];
    args.extend_from_slice(extra);
    attest_in(dir, &args)
}

fn new_keys(body: &Value) -> Vec<String> {
    body["new_failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["key"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn the_generic_payload_has_the_summary_and_the_failures_new_since_the_ledgers_last_run() {
    let dir = setup("generic");
    let (url, rx) = webhook(vec![Answer::Status(200)]);
    let out = eval(&dir, &["--ledger", "ledger.jsonl", "--notify", &url]);
    exit(&out, 1);
    assert!(
        stderr(&out).contains("notified 127.0.0.1:"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("secret-token"),
        "the URL's path stays private"
    );
    let (head, body) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        head.starts_with("POST /hooks/secret-token HTTP/1.1"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let body: Value = serde_json::from_str(&body).unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(body["organization"], "Tiny");
    assert_eq!(body["summary"], report["summary"]["controls"]);
    assert_eq!(body["compared_with"], Value::Null);
    assert_eq!(
        new_keys(&body),
        ["evidence/CC6.2 -", "t.mfa accounts/aws/root"]
    );
    assert!(body["markdown"].as_str().unwrap().contains("t.mfa"));

    // A second run with a new account: only its failure is new, against the ledger.
    common::write(&dir, "facts.json", &facts(&["root", "alice"]));
    let (url, rx) = webhook(vec![Answer::Status(204)]);
    exit(
        &eval(&dir, &["--ledger", "ledger.jsonl", "--notify", &url]),
        1,
    );
    let body: Value =
        serde_json::from_str(&rx.recv_timeout(Duration::from_secs(5)).unwrap().1).unwrap();
    assert_eq!(new_keys(&body), ["t.mfa accounts/aws/alice"]);
    assert!(
        body["compared_with"]
            .as_str()
            .unwrap()
            .starts_with("ledger entry 1 (")
    );
    assert_eq!(body["new_failures"][0]["message"], "alice has no MFA");
    assert_eq!(body["new_failures"][0]["severity"], "high");
}

#[test]
fn the_slack_payload_against_a_baseline() {
    let dir = setup("slack");
    exit(&eval(&dir, &[]), 1);
    std::fs::rename(dir.join("report.json"), dir.join("base.json")).unwrap();
    common::write(&dir, "facts.json", &facts(&["root", "bob"]));
    let (url, rx) = webhook(vec![Answer::Status(200)]);
    exit(
        &eval(
            &dir,
            &[
                "--baseline",
                "base.json",
                "--notify",
                &url,
                "--notify-format",
                "slack",
            ],
        ),
        1,
    );
    let body: Value =
        serde_json::from_str(&rx.recv_timeout(Duration::from_secs(5)).unwrap().1).unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(
        text.starts_with("*SOC 2 readiness of Tiny as of 2026-06-30*: "),
        "{text}"
    );
    assert!(
        text.contains("*1 new failure* since baseline base.json:"),
        "{text}"
    );
    assert!(
        text.contains("• `t.mfa` `accounts/aws/bob` (high, IT): bob has no MFA"),
        "{text}"
    );
}

#[test]
fn server_errors_are_retried_and_a_silent_server_times_out() {
    let dir = setup("retry");
    let (url, rx) = webhook(vec![
        Answer::Status(503),
        Answer::Status(500),
        Answer::Status(200),
    ]);
    let out = eval(&dir, &["--notify", &url, "--notify-retries", "2"]);
    exit(&out, 1);
    assert!(stderr(&out).contains("notified"), "{}", stderr(&out));
    assert_eq!(rx.try_iter().count(), 3);

    // A client error is not retried, and never changes the exit code.
    let (url, rx) = webhook(vec![Answer::Status(404)]);
    let out = eval(&dir, &["--notify", &url, "--notify-retries", "3"]);
    exit(&out, 1);
    assert!(
        stderr(&out).contains("warning: --notify 127.0.0.1:"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("not delivered after 1 attempt: the webhook answered HTTP 404"),
        "{}",
        stderr(&out)
    );
    assert_eq!(rx.try_iter().count(), 1);

    // The count is of the attempts made: a server error retried, then a client error.
    let (url, rx) = webhook(vec![Answer::Status(503), Answer::Status(404)]);
    let out = eval(&dir, &["--notify", &url, "--notify-retries", "3"]);
    exit(&out, 1);
    assert!(
        stderr(&out).contains("not delivered after 2 attempts: the webhook answered HTTP 404"),
        "{}",
        stderr(&out)
    );
    assert_eq!(rx.try_iter().count(), 2);

    let (url, rx) = webhook(vec![Answer::Silence]);
    let start = std::time::Instant::now();
    let out = eval(
        &dir,
        &[
            "--notify",
            &url,
            "--notify-timeout",
            "0.5",
            "--notify-retries",
            "1",
        ],
    );
    exit(&out, 1);
    let err = stderr(&out);
    assert!(err.contains("not delivered after 2 attempts"), "{err}");
    assert!(
        err.to_lowercase().contains("timeout") || err.to_lowercase().contains("timed out"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(8));
    assert_eq!(rx.try_iter().count(), 2);
    assert!(
        dir.join("report.json").is_file(),
        "the report is written whatever the webhook does"
    );
}

#[test]
fn a_bad_url_is_refused_before_anything_is_written() {
    let dir = setup("bad-url");
    let out = eval(&dir, &["--notify", "hooks.example/path"]);
    exit(&out, 2);
    assert!(
        stderr(&out).contains("is not an http:// or https:// URL"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("report.json").exists());
}

/// Values from the facts are shown as written in the Slack message: a line feed cannot
/// start a forged line, escape and bidirectional controls are shown escaped, and mrkdwn's
/// formatting characters format nothing (a backtick cannot end the code that shows a key).
#[test]
fn the_slack_payload_shows_values_as_written() {
    let dir = setup("slack-hostile");
    common::write(
        &dir,
        "facts.json",
        &facts(&[
            "eve\\n• `t.mfa` forged: resolved\\u001b[31m\\u202e",
            "meta`base *x*",
        ]),
    );
    let (url, rx) = webhook(vec![Answer::Status(200)]);
    exit(
        &eval(&dir, &["--notify", &url, "--notify-format", "slack"]),
        1,
    );
    let body: Value =
        serde_json::from_str(&rx.recv_timeout(Duration::from_secs(5)).unwrap().1).unwrap();
    let text = body["text"].as_str().unwrap();
    let z = '\u{200b}';
    assert!(
        !text.contains(['\u{1b}', '\u{202e}']),
        "no raw control: {text:?}"
    );
    // The title, the count line, two findings and the evidence check: no line of its own.
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(
        text.contains(&format!(
            "(high, IT): eve\\n• {z}`{z}t.mfa{z}`{z} forged: resolved\\u{{1b}}[31m\\u{{202e}} has no MFA\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "• `t.mfa` accounts/aws/meta{z}`{z}base {z}*{z}x{z}*{z} (high, IT): meta{z}`{z}base {z}*{z}x{z}*{z} has no MFA"
        )),
        "{text}"
    );
}

/// The Slack message lists the 20 most severe new failures, most severe first and each
/// severity in the order of the generic payload (the report's): on the example facts, with
/// failures of every severity, a low one never crowds out a high one.
#[test]
fn the_slack_message_lists_the_most_severe_new_failures_first() {
    let dir = scratch("slack-severity");
    let facts = common::repo().join("examples/acme");
    let notify = |format: &str| {
        let (url, rx) = webhook(vec![Answer::Status(200)]);
        let args = [
            "eval",
            facts.to_str().unwrap(),
            "--notify",
            &url,
            "--notify-format",
            format,
        ];
        exit(&attest_in(&dir, &args), 1);
        let body = rx.recv_timeout(Duration::from_secs(5)).unwrap().1;
        serde_json::from_str::<Value>(&body).unwrap()
    };
    let generic = notify("generic");
    let rank = |f: &Value| {
        ["critical", "high", "medium", "low"]
            .iter()
            .position(|s| f["severity"] == *s)
            .unwrap()
    };
    let mut all: Vec<&Value> = generic["new_failures"].as_array().unwrap().iter().collect();
    assert!(all.len() > 20, "{}", all.len());
    // In the report's order a low failure comes among the first 20: the order matters.
    assert!(all.iter().take(20).any(|f| rank(f) == 3));
    all.sort_by_key(|f| rank(f));
    let text = notify("slack")["text"].as_str().unwrap().to_owned();
    let listed: Vec<&str> = text.lines().filter(|l| l.starts_with("• ")).collect();
    assert_eq!(listed.len(), 20, "{text}");
    for (line, f) in listed.iter().zip(&all) {
        let rule = f["rule"].as_str().unwrap();
        let severity = f["severity"].as_str().unwrap();
        assert!(line.starts_with(&format!("• `{rule}`")), "{line}: {rule}");
        assert!(
            line.contains(&format!(" ({severity}, ")),
            "{line}: {severity}"
        );
    }
    assert!(
        text.contains(&format!("… and {} more", all.len() - 20)),
        "{text}"
    );
}
