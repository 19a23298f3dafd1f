//! The playground (`wasm/web/`) in headless Chromium: this test serves the repository on
//! localhost, and `wasm/test/chromium.mjs` (playwright-core, Debian's /usr/bin/chromium)
//! loads the example organization, runs it, and checks the rendered summary, failing
//! controls and findings against the native engine's report. Builds the module and installs
//! playwright-core (`npm ci --prefix wasm/test`) when missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use attest_engine::{EvalOptions, Facts, FactsSource, Status};
use attest_wasm_host::repo_root;
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path};

/// Serves files under `root` over HTTP/1.0 on 127.0.0.1, one thread per connection.
fn serve(root: &Path) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(&root, stream));
        }
    });
    port
}

fn respond(root: &Path, mut stream: TcpStream) {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
            break;
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let rel = Path::new(path);
    let safe = rel.components().all(|c| matches!(c, Component::Normal(_)));
    let file = root.join(rel);
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(body) if safe => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("mjs" | "js") => "text/javascript; charset=utf-8",
                Some("css") => "text/css; charset=utf-8",
                Some("json") => "application/json",
                Some("wasm") => "application/wasm",
                _ => "application/octet-stream",
            };
            ("200 OK", body, kind)
        }
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let _ = write!(
        stream,
        "HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}

#[test]
fn the_playground_renders_the_example_report_in_headless_chromium() {
    let root = repo_root();
    if !root.join("wasm/test/node_modules/playwright-core").is_dir() {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(root.join("wasm/test"))
            .status()
            .expect("npm must be on the PATH");
        assert!(status.success(), "npm ci --prefix wasm/test failed");
    }
    attest_wasm_host::module_path();
    // What the page must show, from the native engine.
    let sources = attest_tests::example_sources();
    let refs: Vec<FactsSource<'_>> = sources
        .iter()
        .map(|(name, text)| FactsSource { name, text })
        .collect();
    let facts = Facts::load(&refs).unwrap();
    let engine = attest_tests::soc2_engine();
    let report = engine.evaluate(&facts, &EvalOptions::default()).unwrap();
    let failing: Vec<&str> = report
        .controls
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error))
        .map(|c| c.id.as_str())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut findings = Vec::new();
    for control in &report.controls {
        for rule in report.rules_of(control) {
            if seen.insert(rule.id.clone()) {
                findings.extend(rule.error.iter().map(|e| e.message.clone()));
                findings.extend(rule.findings.iter().map(|f| f.message.clone()));
            }
        }
    }
    assert!(findings.len() > 10 && !failing.is_empty());
    let rule = engine.pack().rule("access.mfa-privileged").unwrap();
    let header: Vec<&str> = rule
        .source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .collect();
    let edit = json!({
        "id": rule.meta.id,
        "path": rule.path,
        "source": format!("{}\nlet n = facts.accounts.filter(|a| {{ let i = 0; loop {{ i += 1; }} }}).len();\n", header.join("\n")),
    });
    let expected = json!({
        "summary": report.summary,
        "failing": failing,
        "findings": findings,
        "edit": edit,
    });
    let file = attest_tests::scratch!("playground").join("chromium-expected.json");
    std::fs::write(&file, expected.to_string()).unwrap();

    let port = serve(&root);
    let out = std::process::Command::new("node")
        .arg(root.join("wasm/test/chromium.mjs"))
        .arg(format!("http://127.0.0.1:{port}/wasm/web/index.html"))
        .arg(&file)
        .output()
        .expect("node (20 or later) must be on the PATH");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
}
