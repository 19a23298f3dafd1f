//! Writing results: to stdout, or to files atomically and all together (each to a
//! temporary file in its folder, then every one renamed into place: [`staged`]), so a reader
//! never sees half a report and a run that cannot write one output writes none. Special
//! files such as a device or a pipe are written directly, never replaced, and before any
//! file is renamed into place. A path that is standard output (`-`, `/dev/stdout`, the file
//! stdout was redirected to) is standard output ([`is_stdout`]). No output may replace
//! something the run reads ([`refuse_inputs`]).

mod staged;

#[cfg(test)]
pub use staged::is_temporary;
pub use staged::{exit_removing_staged, make_temporary, settle_temporary, stage, write_all};

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

/// Refuses an output that cannot be written: a file whose folder does not exist
/// (`out/report.json: the folder out does not exist`; for a link, the folder of the file it
/// leads to: [`destination`]), a path that is a folder (`out: a folder, not a file`), and an
/// existing file its user may not write (read-only), which a shell's `>` or `cp` would not
/// replace either: checked before a run reads its inputs or writes or records anything, so
/// that none of it is left done.
pub fn refuse_unwritable(path: &Path) -> Result<(), String> {
    refuse_missing_folder(path)?;
    refuse_read_only(
        path,
        "a read-only file is not replaced; make it writable or write the output elsewhere",
    )
}

/// [`refuse_unwritable`] for the ledger, which a run appends to rather than replaces.
pub fn refuse_unwritable_ledger(path: &Path) -> Result<(), String> {
    refuse_missing_folder(path)?;
    refuse_read_only(
        path,
        "a read-only ledger is not appended to; make it writable or give --ledger another file",
    )
}

/// Refuses a file whose folder does not exist, and a path that is a folder.
fn refuse_missing_folder(path: &Path) -> Result<(), String> {
    let shown = crate::inputs::display(path);
    if path.is_dir() {
        return Err(format!(
            "{shown}: a folder, not a file: expected the path of a file to write"
        ));
    }
    let target = destination(path).map_err(|e| format!("{shown}: {e}"))?;
    let folder = folder_of(&target);
    if folder.is_dir() {
        return Ok(());
    }
    let folder = crate::inputs::display(folder);
    if target == path {
        return Err(format!("{shown}: the folder {folder} does not exist"));
    }
    Err(format!(
        "{shown}: a link to {}, whose folder {folder} does not exist",
        crate::inputs::display(&target)
    ))
}

/// Refuses an existing regular file (for a link, the file it leads to) that its user may not
/// write, saying `advice`. Outputs are replaced by a rename, which needs only the folder to be
/// writable: the file is opened for writing (without changing it) to ask the system, as `>`
/// would.
fn refuse_read_only(path: &Path, advice: &str) -> Result<(), String> {
    let Ok(target) = destination(path) else {
        return Ok(());
    };
    if !fs::metadata(&target).is_ok_and(|meta| meta.is_file()) {
        return Ok(());
    }
    match fs::OpenOptions::new().write(true).open(&target) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            let what = match target == path {
                true => "the file".to_owned(),
                false => format!("a link to {}, which", crate::inputs::shown(&target)),
            };
            Err(format!(
                "{}: {what} cannot be written ({e}): {advice}",
                crate::inputs::shown(path)
            ))
        }
        _ => Ok(()),
    }
}

/// The most links [`destination`] follows in a row, as Linux does: more is taken for a loop.
const MAX_LINKS: usize = 40;

/// Where a file written at `path` goes: `path`, or when `path` is a symbolic link the path
/// its chain of links ends at (a relative link read from the link's own folder), which is
/// replaced while the links stay links. A link to nothing leads to the file it names,
/// created there as a shell's `>` would. The one answer for every output written to a file:
/// where [`stage`] writes and renames, what [`resolved`] compares, whose folder
/// [`refuse_unwritable`] checks. An error for a link that cannot be read or a loop.
pub fn destination(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..=MAX_LINKS {
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = fs::read_link(&at)?;
                at = at.parent().unwrap_or(Path::new("")).join(to);
            }
            _ => return Ok(at),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} links in a row (a loop of links?)"
    )))
}

/// The folder `path` is in: its parent, `.` for a bare name.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    }
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

/// Refuses each of `written` (the files a run writes: outputs, the ledger, population files)
/// that is one of the evidence files a run with `--evidence-root root` reads
/// ([`read_files`](crate::evidence::read_files)): inputs, as [`refuse_inputs`] holds
/// them; the error names both.
pub fn refuse_onto_evidence<'a>(
    root: &Path,
    uris: &[String],
    written: impl IntoIterator<Item = &'a Path>,
) -> Result<(), String> {
    let read = crate::evidence::read_files(root, uris)?;
    let inputs: Vec<Input<'_>> = read
        .iter()
        .map(|path| Input {
            path,
            what: "an evidence file",
            extension: None,
        })
        .collect();
    written
        .into_iter()
        .try_for_each(|path| refuse_inputs(path, &inputs))
}

/// Refuses `--populations dir` when `dir` holds an evidence file a run with `--evidence-root
/// root` reads ([`read_files`](crate::evidence::read_files)), at any depth: the populations
/// would be written among the evidence (the root itself, or one of its folders of evidence),
/// where a later file of the same name would be replaced. Its other folders, and folders
/// beside the root, are fine.
pub fn refuse_evidence_folder(dir: &Path, root: &Path, uris: &[String]) -> Result<(), String> {
    let Ok(folder) = dir.canonicalize() else {
        // Not made yet: it holds nothing.
        return Ok(());
    };
    let read = crate::evidence::read_files(root, uris)?;
    match read
        .iter()
        .find(|f| f.canonicalize().is_ok_and(|f| f.starts_with(&folder)))
    {
        Some(file) => Err(format!(
            "--populations {}: refusing to write there: the folder holds evidence files this run reads ({}); write the populations elsewhere",
            dir.display(),
            file.display()
        )),
        None => Ok(()),
    }
}

/// Where `path` would be written ([`destination`]), resolved: the file itself, or its
/// resolved folder and name when it does not exist yet; `None` for special files, unreadable
/// folders and loops of links.
pub fn resolved(path: &Path) -> Option<PathBuf> {
    let path = destination(path).ok()?;
    if let Ok(meta) = fs::metadata(&path) {
        return meta.is_file().then(|| path.canonicalize().ok()).flatten();
    }
    Some(
        folder_of(&path)
            .canonicalize()
            .ok()?
            .join(path.file_name()?),
    )
}

/// Where `path` goes, to compare with another output's: [`resolved`], else `path` as given
/// (a special file, an unreadable folder).
pub fn place(path: &Path) -> PathBuf {
    resolved(path).unwrap_or_else(|| path.to_path_buf())
}

/// Where output goes.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Standard output.
    Stdout,
    /// A path.
    File(&'a Path),
}

impl<'a> Target<'a> {
    /// No path, or one that [`is_stdout`], means stdout.
    pub fn from_arg(path: Option<&'a Path>) -> Target<'a> {
        match path {
            Some(p) if !is_stdout(p) => Target::File(p),
            _ => Target::Stdout,
        }
    }

    /// Whether to colour text for this target. Files never; standard output as `anstream`
    /// decides from the environment: never when `NO_COLOR` is set and not empty, always when
    /// `CLICOLOR_FORCE` is, otherwise on a terminal (unless `CLICOLOR=0` or `TERM=dumb`).
    pub fn wants_color(&self) -> bool {
        matches!(self, Target::Stdout)
            && anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
    }

    /// Writes `content` in full, as [`write_all`] does.
    pub fn write(&self, content: &str) -> Result<(), String> {
        write_all(&[(*self, content)])
    }

    /// The target as people name it: its path, or `stdout`.
    fn name(&self) -> String {
        match self {
            Target::Stdout => "stdout".to_owned(),
            Target::File(path) => crate::inputs::shown(path),
        }
    }
}

/// Whether `path` names standard output: `-`, or (on Unix) the very file standard output
/// is open on, however it is spelled: `/dev/stdout`, `/dev/fd/1`, the terminal's device, or
/// the file a shell redirected stdout to (`attest eval > out.json`). Writing such a path as
/// a file would mix two outputs in one place, or replace `/dev/stdout` itself.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-" || same_file_as_stdout(path)
}

/// Whether `path`, its links followed, is the file (device and inode) standard output is
/// open on; false when either cannot be examined.
#[cfg(unix)]
fn same_file_as_stdout(path: &Path) -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(stdout) = io::stdout().as_fd().try_clone_to_owned() else {
        return false;
    };
    match (fs::File::from(stdout).metadata(), fs::metadata(path)) {
        (Ok(out), Ok(file)) => out.dev() == file.dev() && out.ino() == file.ino(),
        _ => false,
    }
}

/// Elsewhere only `-` names standard output.
#[cfg(not(unix))]
fn same_file_as_stdout(_path: &Path) -> bool {
    false
}

/// Writes `line` and a line feed to standard output, its control characters shown escaped:
/// a write that fails (a full disk) is an error naming stdout, a closed pipe the reader's
/// choice, where `println!` panics on both. For a command's status lines (`attest ledger
/// verify`, `attest init`); a report goes through [`Target::write`] or [`write_all`], where a
/// closed pipe is a failed output.
pub fn say(line: &str) -> Result<(), String> {
    let line = attest_render::escape::lines(line);
    match write_stdout(&format!("{line}\n")) {
        // A closed pipe (`attest ledger verify | head -1`) is the reader's choice.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| stdout_failed(&e)),
    }
}

/// The error of a write to standard output that failed, naming it: a closed pipe as such
/// (`stdout: the pipe was closed before the output was written in full`), any other error
/// as the OS names it (`stdout: No space left on device`).
fn stdout_failed(e: &io::Error) -> String {
    if e.kind() == io::ErrorKind::BrokenPipe {
        "stdout: the pipe was closed before the output was written in full (broken pipe)".to_owned()
    } else {
        format!("stdout: {e}")
    }
}

/// Writes `line` and a line feed to standard error, as `eprintln!` does, except that a
/// standard error that cannot be written (a full disk, a closed pipe) is let be: the run
/// goes on to write its outputs and exit with its own code, where `eprintln!` panics.
pub fn tell(line: &str) {
    let _ = writeln!(io::stderr(), "{line}");
}

/// Writes `content` to standard output and flushes it. A closed pipe (`attest eval | head`,
/// a reader that died) is an error like any other: the Rust runtime ignores SIGPIPE, so the
/// write returns `EPIPE`.
fn write_stdout(content: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(content.as_bytes()).and_then(|()| out.flush())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("attest-out-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn standard_output_is_dash_or_the_file_stdout_is_on() {
        assert!(is_stdout(Path::new("-")));
        assert!(matches!(
            Target::from_arg(Some(Path::new("-"))),
            Target::Stdout
        ));
        let dir = scratch("is-stdout");
        let file = dir.join("report.json");
        fs::write(&file, "").unwrap();
        assert!(!is_stdout(&file));
        assert!(!is_stdout(&dir.join("missing.json")));
        assert!(matches!(Target::from_arg(Some(&file)), Target::File(_)));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn dev_stdout_is_standard_output() {
        // Only when the test runs with a standard output to examine.
        if fs::metadata("/dev/stdout").is_ok() {
            assert!(is_stdout(Path::new("/dev/stdout")));
        }
    }
}
