//! Writing results: to stdout, or to files atomically and all together (each to a
//! temporary file in its folder, then every one renamed into place), so a reader never sees
//! half a report and a run that cannot write one output writes none. Special files such as a
//! device or a pipe are written directly, never replaced, and before any file is renamed into
//! place. A path that is standard output (`-`, `/dev/stdout`, the file stdout was redirected
//! to) is standard output ([`is_stdout`]). No output may replace something the run reads
//! ([`refuse_inputs`]).

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

/// Refuses a file whose folder does not exist (`out/report.json: the folder out does not
/// exist`), and a path that is a folder (`out: a folder, not a file`): checked before a run
/// reads its inputs or writes or records anything, so that none of it is left done.
pub fn refuse_missing_folder(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!(
            "{}: a folder, not a file: expected the path of a file to write",
            crate::inputs::display(path)
        ));
    }
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if folder.is_dir() {
        return Ok(());
    }
    Err(format!(
        "{}: the folder {} does not exist",
        crate::inputs::display(path),
        crate::inputs::display(folder)
    ))
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
pub fn resolved(path: &Path) -> Option<PathBuf> {
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

/// Writes every output of a run, all or nothing, in three steps. First each regular file
/// (or file to be) is written in full to a temporary file beside it, and each special file
/// (a device, a pipe) is opened. Then the outputs that cannot be taken back are written:
/// the special files, in order, then standard output. Only when all of that succeeded are
/// the temporary files renamed into place. If an output cannot be written or opened, every
/// temporary file is removed and no file is replaced; special files and standard output
/// written before the failing one keep what they were given. Errors name the output.
pub fn write_all(outputs: &[(Target<'_>, &str)]) -> Result<(), String> {
    // A file whose folder is not there is named as such, not by the OS's error.
    for (target, _) in outputs {
        if let Target::File(path) = target
            && !special(path)
            && !path.is_dir()
        {
            refuse_missing_folder(path)?;
        }
    }
    let mut staged: Vec<(PathBuf, &Path)> = Vec::new();
    let mut direct: Vec<(Target<'_>, Option<fs::File>, &str)> = Vec::new();
    for (target, content) in outputs {
        let prepared = match target {
            Target::Stdout => {
                direct.push((*target, None, content));
                continue;
            }
            Target::File(path) if special(path) => fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(|file| direct.push((*target, Some(file), content))),
            Target::File(path) => stage(path, content).map(|tmp| staged.push((tmp, path))),
        };
        if let Err(e) = prepared {
            discard(&staged);
            return Err(format!("{}: {e}", target.name()));
        }
    }
    if let Err(e) = write_direct(direct) {
        discard(&staged);
        return Err(e);
    }
    for (i, (tmp, path)) in staged.iter().enumerate() {
        if let Err(e) = fs::rename(tmp, path) {
            discard(&staged[i..]);
            return Err(format!("{}: {e}", crate::inputs::shown(path)));
        }
    }
    Ok(())
}

/// Writes the outputs that are not replaced but written in place: the opened special files
/// in order, then standard output, so a special file that fails leaves stdout untouched.
/// Stops at the first that fails, naming it.
fn write_direct(mut direct: Vec<(Target<'_>, Option<fs::File>, &str)>) -> Result<(), String> {
    // Stable: the special files keep their order, and standard output goes last.
    direct.sort_by_key(|(_, file, _)| file.is_none());
    for (target, file, content) in direct {
        let written = match file {
            Some(mut file) => file.write_all(content.as_bytes()),
            None => write_stdout(content),
        };
        written.map_err(|e| format!("{}: {e}", target.name()))?;
    }
    Ok(())
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

/// Whether `path` exists and is not a regular file (once its links are followed): a
/// device or a pipe, written in place rather than replaced.
fn special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| !meta.is_file())
}

/// Writes `content` to a new temporary file beside `path` (`.<name>.<pid>.<n>.tmp`, created
/// afresh, never through an existing file or link) and returns its path.
fn stage(path: &Path, content: &str) -> io::Result<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    if let Err(e) = file
        .write_all(content.as_bytes())
        .and_then(|()| file.flush())
    {
        drop(file);
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// Removes temporary files that will not be renamed into place.
fn discard(staged: &[(PathBuf, &Path)]) {
    for (tmp, _) in staged {
        let _ = fs::remove_file(tmp);
    }
}

/// Writes `line` and a line feed to standard output, its control characters shown escaped:
/// a write that fails (a full disk) is an error naming stdout, a closed pipe the reader's
/// choice, where `println!` panics on both.
pub fn say(line: &str) -> Result<(), String> {
    let line = attest_render::escape::lines(line);
    write_stdout(&format!("{line}\n")).map_err(|e| format!("stdout: {e}"))
}

/// Writes `line` and a line feed to standard error, as `eprintln!` does, except that a
/// standard error that cannot be written (a full disk, a closed pipe) is let be: the run
/// goes on to write its outputs and exit with its own code, where `eprintln!` panics.
pub fn tell(line: &str) {
    let _ = writeln!(io::stderr(), "{line}");
}

/// Writes `content` to standard output and flushes it.
fn write_stdout(content: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(content.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`attest eval | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
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
    fn replaces_regular_files_atomically() {
        let dir = scratch("replace");
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

    #[test]
    fn several_outputs_are_written_all_or_none() {
        let dir = scratch("all-or-none");
        let (a, b) = (dir.join("a.json"), dir.join("b.sarif"));
        fs::write(&a, "old a").unwrap();
        let missing = dir.join("no/such/folder/c.xml");
        let err = write_all(&[
            (Target::File(&a), "new a"),
            (Target::File(&b), "new b"),
            (Target::File(&missing), "new c"),
        ])
        .unwrap_err();
        assert!(err.contains("no/such/folder/c.xml"), "{err}");
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["a.json"], "no temporary file is left behind");
        write_all(&[(Target::File(&a), "new a"), (Target::File(&b), "new b")]).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_special_file_that_cannot_be_written_replaces_no_file() {
        let dir = scratch("special-fails");
        let (a, b) = (dir.join("a.json"), dir.join("b.html"));
        fs::write(&a, "old a").unwrap();
        let full = Path::new("/dev/full");
        let err = write_all(&[
            (Target::File(&a), "new a"),
            (Target::File(&b), "new b"),
            (Target::File(full), "new c"),
        ])
        .unwrap_err();
        assert!(err.starts_with("/dev/full: "), "{err}");
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temporary file");
        fs::remove_dir_all(&dir).unwrap();
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

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_the_temporary_name_is_never_written_through() {
        let dir = scratch("planted");
        let victim = dir.join("victim.txt");
        fs::write(&victim, "keep").unwrap();
        let out = dir.join("report.txt");
        let planted = dir.join(format!(".report.txt.{}.0.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        Target::File(&out).write("report").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(fs::read_to_string(&out).unwrap(), "report");
        fs::remove_dir_all(&dir).unwrap();
    }
}
