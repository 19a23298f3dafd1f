//! Writing results: to stdout, or to a file atomically (a temporary file in the same
//! folder, then a rename), so a reader never sees half a report. Special files such as
//! `/dev/stdout` or a pipe are written directly, never replaced.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What a run reads, which none of its outputs may replace: a file, or a folder whose files
/// it reads (`*.json` of a facts folder; every file of a pack folder).
pub struct Input<'a> {
    /// The file or folder, as given.
    pub path: &'a Path,
    /// What it is, for the message (`facts`, `waivers`, `the pack`).
    pub what: &'static str,
    /// For a folder: only files with this extension are read from it (any, when `None`).
    pub extension: Option<&'static str>,
}

/// Refuses an output that resolves to one of the run's inputs (through `..`, links or a
/// folder), so a mistyped `--output` never overwrites facts, waivers or a pack.
pub fn refuse_inputs(output: &Path, inputs: &[Input<'_>]) -> Result<(), String> {
    let Some(target) = resolved(output) else {
        return Ok(());
    };
    for input in inputs {
        let Ok(path) = input.path.canonicalize() else {
            continue;
        };
        let read = if path.is_dir() {
            target.starts_with(&path)
                && input
                    .extension
                    .is_none_or(|ext| target.extension().is_some_and(|e| e == ext))
        } else {
            target == path
        };
        if read {
            return Err(format!(
                "{}: refusing to write there: it is {} this run reads ({})",
                output.display(),
                input.what,
                input.path.display()
            ));
        }
    }
    Ok(())
}

/// Where `path` would be written: the file itself, resolved, or its resolved folder and
/// name when it does not exist yet; `None` for special files and unreadable folders.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(meta) = fs::metadata(path) {
        return meta.is_file().then(|| path.canonicalize().ok()).flatten();
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

/// Where output goes.
pub enum Target<'a> {
    /// Standard output.
    Stdout,
    /// A path.
    File(&'a Path),
}

impl<'a> Target<'a> {
    /// `-` or no path means stdout.
    pub fn from_arg(path: Option<&'a Path>) -> Target<'a> {
        match path {
            None => Target::Stdout,
            Some(p) if p.as_os_str() == "-" => Target::Stdout,
            Some(p) => Target::File(p),
        }
    }

    /// Whether to colour text for this target. Files never; standard output as `anstream`
    /// decides from the environment: never when `NO_COLOR` is set and not empty, always when
    /// `CLICOLOR_FORCE` is, otherwise on a terminal (unless `CLICOLOR=0` or `TERM=dumb`).
    pub fn wants_color(&self) -> bool {
        matches!(self, Target::Stdout)
            && anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
    }

    /// Writes `content` in full.
    pub fn write(&self, content: &str) -> io::Result<()> {
        match self {
            Target::Stdout => write_stdout(content),
            Target::File(path) => write_file(path, content),
        }
    }
}

fn write_stdout(content: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(content.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`attest eval | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn write_file(path: &Path, content: &str) -> io::Result<()> {
    if let Ok(meta) = fs::metadata(path)
        && !meta.is_file()
    {
        return fs::OpenOptions::new()
            .write(true)
            .open(path)?
            .write_all(content.as_bytes());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = fs::write(&tmp, content).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_regular_files_atomically() {
        let dir = std::env::temp_dir().join(format!("attest-out-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.json");
        fs::write(&path, "old").unwrap();
        Target::File(&path).write("new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let leftovers: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_folder_is_an_error_and_leaves_nothing() {
        let path = std::env::temp_dir().join("attest-no-such-dir/x/report.json");
        assert!(Target::File(&path).write("x").is_err());
        assert!(!path.exists());
    }
}
