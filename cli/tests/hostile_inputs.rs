//! The hostile-input corpus of files and outputs: every folder of `tests/hostile/inputs/`
//! (its `case.toml` says what to run and what must come of it; see the README there) is a
//! named test, run against the `attest` binary in a scratch copy of the folder. Besides what
//! the case expects (exit code, messages naming the file and place, what the output shows and
//! never shows), every case checks the contract for all of them: no input is changed (every
//! file, byte for byte, and every link), nothing is written but the outputs it names, an
//! exit 2 prints no report, and the run ends within a minute.
//!
//! `cargo test -p attest-cli --test hostile_inputs -- pack-link` runs the cases whose name
//! holds `pack-link`.

// Test code: a failed unwrap is a failed test, with its reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(unix)]
mod common;

#[cfg(unix)]
fn main() {
    corpus::main();
}

// The corpus needs symbolic links and pipes.
#[cfg(not(unix))]
fn main() {}

#[cfg(unix)]
mod corpus {
    use super::common;
    use attest_render::escape::is_hidden;
    use libtest_mimic::{Arguments, Failed, Trial};
    use std::collections::BTreeMap;
    use std::fs;
    use std::io::Read;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// What a case runs and expects, as its `case.toml` says.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Case {
        /// What the case shows, in a sentence.
        about: String,
        /// Files and folders of `_common/` copied in first.
        #[serde(default)]
        common: Vec<String>,
        /// Symbolic links to make: `path` pointing at `to`.
        #[serde(default)]
        link: Vec<Link>,
        /// Named pipes to make.
        #[serde(default)]
        fifo: Vec<Fifo>,
        /// `attest` runs that make inputs (reports) before the case; each must exit 0 or 1.
        #[serde(default)]
        setup: Vec<Vec<String>>,
        /// The arguments of the run.
        args: Vec<String>,
        /// Environment variables of the run.
        #[serde(default)]
        env: BTreeMap<String, String>,
        /// The exit code.
        exit: i32,
        /// Text stdout holds.
        #[serde(default)]
        stdout: Vec<String>,
        /// Text stderr holds.
        #[serde(default)]
        stderr: Vec<String>,
        /// Text stdout must not hold.
        #[serde(default)]
        stdout_lacks: Vec<String>,
        /// Text stderr must not hold.
        #[serde(default)]
        stderr_lacks: Vec<String>,
        /// Neither stream holds a character a terminal would act on, but line feeds (and,
        /// with `sgr`, Attest's own colours on stdout).
        #[serde(default)]
        no_hidden: bool,
        /// stdout may hold SGR colour sequences.
        #[serde(default)]
        sgr: bool,
        /// The files the run writes; nothing else may appear.
        #[serde(default)]
        written: Vec<String>,
    }

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Link {
        path: String,
        to: String,
    }

    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Fifo {
        path: String,
    }

    /// What a scratch folder holds: every entry by relative path, with its bytes, its link
    /// target, or what it is.
    type Tree = BTreeMap<String, String>;

    fn corpus_dir() -> PathBuf {
        common::repo().join("tests/hostile/inputs")
    }

    pub fn main() {
        let args = Arguments::from_args();
        let mut names: Vec<String> = fs::read_dir(corpus_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('_') && !n.ends_with(".md"))
            .collect();
        names.sort();
        assert!(names.len() >= 15, "the corpus has {} cases", names.len());
        let trials = names
            .into_iter()
            .map(|name| Trial::test(name.clone(), move || run(&name)))
            .collect();
        libtest_mimic::run(&args, trials).exit();
    }

    fn run(name: &str) -> Result<(), Failed> {
        let source = corpus_dir().join(name);
        let text = fs::read_to_string(source.join("case.toml"))?;
        let case: Case = toml::from_str(&text).map_err(|e| format!("{name}/case.toml: {e}"))?;
        let dir = common::scratch(name);
        for item in &case.common {
            copy(&corpus_dir().join("_common").join(item), &dir.join(item))?;
        }
        for entry in fs::read_dir(&source)? {
            let entry = entry?;
            if entry.file_name() != "case.toml" {
                copy(&entry.path(), &dir.join(entry.file_name()))?;
            }
        }
        for link in &case.link {
            let at = dir.join(&link.path);
            fs::create_dir_all(at.parent().unwrap())?;
            std::os::unix::fs::symlink(&link.to, &at)?;
        }
        for fifo in &case.fifo {
            let at = dir.join(&fifo.path);
            fs::create_dir_all(at.parent().unwrap())?;
            let made = Command::new("mkfifo").arg(&at).status()?;
            if !made.success() {
                return Err(format!("mkfifo {}", at.display()).into());
            }
        }
        for args in &case.setup {
            let (code, _, err) = attest(&dir, args, &BTreeMap::new())?;
            if code != 0 && code != 1 {
                return Err(format!("setup {args:?} exited {code}: {err}").into());
            }
        }
        let before = tree(&dir)?;
        let (code, out, err) = attest(&dir, &case.args, &case.env)?;
        let mut problems = Vec::new();
        if code != case.exit {
            problems.push(format!("exit {code}, expected {}", case.exit));
        }
        if code == 2 && !out.is_empty() {
            problems.push(
                "exit 2 with something on stdout: an unusable input prints no report".to_owned(),
            );
        }
        for want in &case.stdout {
            if !out.contains(want.as_str()) {
                problems.push(format!("stdout lacks {want:?}"));
            }
        }
        for want in &case.stderr {
            if !err.contains(want.as_str()) {
                problems.push(format!("stderr lacks {want:?}"));
            }
        }
        for bad in &case.stdout_lacks {
            if out.contains(bad.as_str()) {
                problems.push(format!("stdout holds {bad:?}"));
            }
        }
        for bad in &case.stderr_lacks {
            if err.contains(bad.as_str()) {
                problems.push(format!("stderr holds {bad:?}"));
            }
        }
        if case.no_hidden {
            let shown = if case.sgr {
                strip_sgr(&out)
            } else {
                out.clone()
            };
            for (stream, text) in [("stdout", &shown), ("stderr", &err)] {
                if let Some(c) = text.chars().find(|c| *c != '\n' && is_hidden(*c)) {
                    problems.push(format!("{stream} holds the hidden character {c:?}"));
                }
            }
        }
        let after = tree(&dir)?;
        for (path, was) in &before {
            match after.get(path) {
                None => problems.push(format!("{path} was removed")),
                Some(now) if now != was => problems.push(format!("{path} was changed")),
                Some(_) => {}
            }
        }
        for path in after.keys().filter(|p| !before.contains_key(*p)) {
            if !case.written.contains(path) {
                problems.push(format!("{path} was written"));
            }
        }
        for path in &case.written {
            if !after.contains_key(path) {
                problems.push(format!("{path} was not written"));
            }
        }
        if problems.is_empty() {
            let _ = fs::remove_dir_all(&dir);
            return Ok(());
        }
        Err(format!(
            "{name}: {}\n  {}\nstdout:\n{}\nstderr:\n{}",
            case.about,
            problems.join("\n  "),
            out.escape_debug(),
            err.escape_debug()
        )
        .into())
    }

    /// Runs `attest` in `dir` with a one-minute limit: (exit code, stdout, stderr).
    fn attest(
        dir: &Path,
        args: &[String],
        env: &BTreeMap<String, String>,
    ) -> Result<(i32, String, String), Failed> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_attest"));
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for name in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
            cmd.env_remove(name);
        }
        cmd.envs(env);
        let mut child = cmd.spawn()?;
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = out.read_to_end(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = err.read_to_end(&mut s);
            s
        });
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if start.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("attest {args:?} ran for more than a minute").into());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
        Ok((
            status.code().unwrap_or(-1),
            text(out.join().unwrap()),
            text(err.join().unwrap()),
        ))
    }

    /// Copies a file or a folder, bytes as they are.
    fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
        if from.is_dir() {
            fs::create_dir_all(to)?;
            for entry in fs::read_dir(from)? {
                let entry = entry?;
                copy(&entry.path(), &to.join(entry.file_name()))?;
            }
            Ok(())
        } else {
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(from, to).map(|_| ())
        }
    }

    /// Every entry below `dir`, links not followed.
    fn tree(dir: &Path) -> std::io::Result<Tree> {
        fn walk(base: &Path, dir: &Path, out: &mut Tree) -> std::io::Result<()> {
            for entry in fs::read_dir(dir)? {
                let path = entry?.path();
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let meta = fs::symlink_metadata(&path)?;
                let what = if meta.file_type().is_symlink() {
                    format!("link to {}", fs::read_link(&path)?.display())
                } else if meta.is_dir() {
                    walk(base, &path, out)?;
                    "folder".to_owned()
                } else if meta.is_file() {
                    format!("{:?}", fs::read(&path)?)
                } else {
                    "special".to_owned()
                };
                out.insert(rel, what);
            }
            Ok(())
        }
        let mut out = Tree::new();
        walk(dir, dir, &mut out)?;
        Ok(out)
    }

    /// `text` without SGR sequences (`ESC [ ... m`).
    fn strip_sgr(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("\u{1b}[") {
            out.push_str(&rest[..at]);
            let tail = &rest[at + 2..];
            match tail.find(|c: char| !(c.is_ascii_digit() || c == ';')) {
                Some(end) if tail[end..].starts_with('m') => rest = &tail[end + 1..],
                _ => {
                    out.push_str("\u{1b}[");
                    rest = tail;
                }
            }
        }
        out.push_str(rest);
        out
    }
}
