//! Writing every output of a run all or nothing, in two steps a caller can put something
//! between (the ledger entry of `attest eval --ledger`): [`stage`] writes each regular file
//! in full to a temporary file beside it (`.<name>.<pid>.<n>.tmp`, created afresh, never
//! through an existing file or link, with the permission bits of the file it replaces) and
//! opens each special file (a device, a pipe);
//! [`Staged::finish`] writes the outputs that cannot be taken back (the special files, in
//! order, then standard output) and, when all of that succeeded, renames the temporary files
//! into place. Until then no file is replaced, and a [`Staged`] dropped unfinished removes
//! its temporary files.

use super::{Target, refuse_missing_folder, stdout_failed, write_stdout};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Outputs written aside, not yet in place.
pub struct Staged<'a> {
    /// Temporary files and the paths they replace.
    files: Vec<(PathBuf, &'a Path)>,
    /// Outputs written in place: special files (opened) and standard output.
    direct: Vec<(Target<'a>, Option<fs::File>, &'a str)>,
}

/// Writes every output of a run, all or nothing: [`stage`], then [`Staged::finish`]. If an
/// output cannot be written or opened, no file is replaced; special files and standard
/// output written before the failing one keep what they were given. Errors name the output.
pub fn write_all(outputs: &[(Target<'_>, &str)]) -> Result<(), String> {
    stage(outputs)?.finish()
}

/// Writes each regular file (or file to be) of `outputs` in full to a temporary file beside
/// it and opens each special file; writes nothing in place. An output that cannot be
/// written or opened is an error naming it, and leaves no temporary file.
pub fn stage<'a>(outputs: &[(Target<'a>, &'a str)]) -> Result<Staged<'a>, String> {
    // A file whose folder is not there is named as such, not by the OS's error.
    for (target, _) in outputs {
        if let Target::File(path) = target
            && !special(path)
            && !path.is_dir()
        {
            refuse_missing_folder(path)?;
        }
    }
    let mut staged = Staged {
        files: Vec::new(),
        direct: Vec::new(),
    };
    for (target, content) in outputs {
        let prepared = match target {
            Target::Stdout => {
                staged.direct.push((*target, None, content));
                continue;
            }
            Target::File(path) if special(path) => fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(|file| staged.direct.push((*target, Some(file), content))),
            Target::File(path) => {
                stage_file(path, content).map(|tmp| staged.files.push((tmp, path)))
            }
        };
        // `staged`, dropped, removes the temporary files written so far.
        prepared.map_err(|e| format!("{}: {e}", target.name()))?;
    }
    Ok(staged)
}

impl Staged<'_> {
    /// Writes the special files, in order, then standard output, stopping at the first that
    /// fails; then renames every temporary file into place. An error names the output; no
    /// file is replaced unless the error is a rename's (the files renamed before it stay).
    pub fn finish(mut self) -> Result<(), String> {
        write_direct(std::mem::take(&mut self.direct))?;
        let files = std::mem::take(&mut self.files);
        for (i, (tmp, path)) in files.iter().enumerate() {
            if let Err(e) = fs::rename(tmp, path) {
                discard(&files[i..]);
                return Err(format!("{}: {e}", crate::inputs::shown(path)));
            }
        }
        Ok(())
    }
}

impl Drop for Staged<'_> {
    /// Removes the temporary files of outputs never put in place.
    fn drop(&mut self) {
        discard(&self.files);
    }
}

/// Writes the outputs that are not replaced but written in place: the opened special files
/// in order, then standard output, so a special file that fails leaves stdout untouched.
/// Stops at the first that fails, naming it.
fn write_direct(mut direct: Vec<(Target<'_>, Option<fs::File>, &str)>) -> Result<(), String> {
    // Stable: the special files keep their order, and standard output goes last.
    direct.sort_by_key(|(_, file, _)| file.is_none());
    for (target, file, content) in direct {
        match file {
            Some(mut file) => file
                .write_all(content.as_bytes())
                .map_err(|e| format!("{}: {e}", target.name()))?,
            // A closed pipe fails the run's outputs as a full disk does.
            None => write_stdout(content).map_err(|e| stdout_failed(&e))?,
        }
    }
    Ok(())
}

/// Whether `path` exists and is not a regular file (once its links are followed): a
/// device or a pipe, written in place rather than replaced.
fn special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| !meta.is_file())
}

/// Writes `content` to a new temporary file beside `path` (`.<name>.<pid>.<n>.tmp`, created
/// afresh, never through an existing file or link) and returns its path.
fn stage_file(path: &Path, content: &str) -> io::Result<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    let replaced = replaced_mode(path);
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Never more open than the file it replaces, even before its bits are set below.
        #[cfg(unix)]
        if let Some(mode) = replaced {
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        }
        match options.open(&tmp) {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    if let Err(e) = keep_mode(&file, replaced)
        .and_then(|()| file.write_all(content.as_bytes()))
        .and_then(|()| file.flush())
    {
        drop(file);
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// The permission bits (`0o600`) of the regular file `path` names (its links followed), which
/// the file that replaces it keeps; `None` when there is none (or not on Unix), and the new
/// file gets the usual bits (the umask's).
fn replaced_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)
            .ok()
            .filter(fs::Metadata::is_file)
            .map(|meta| meta.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Gives the temporary `file` the permission bits of the file it replaces, exactly (the
/// umask may have taken some off at its creation); nothing when it replaces none.
fn keep_mode(file: &fs::File, mode: Option<u32>) -> io::Result<()> {
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        return file.set_permissions(fs::Permissions::from_mode(mode));
    }
    let _ = (file, mode);
    Ok(())
}

/// Removes temporary files that will not be renamed into place.
fn discard(staged: &[(PathBuf, &Path)]) {
    for (tmp, _) in staged {
        let _ = fs::remove_file(tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("attest-staged-{}-{name}", std::process::id()));
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

    #[test]
    fn outputs_staged_but_never_finished_replace_nothing_and_leave_nothing() {
        let dir = scratch("unfinished");
        let (a, b) = (dir.join("a.json"), dir.join("b.md"));
        fs::write(&a, "old a").unwrap();
        let staged = stage(&[(Target::File(&a), "new a"), (Target::File(&b), "new b")]).unwrap();
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            3,
            "two temporary files"
        );
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        drop(staged);
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["a.json"], "no temporary file is left behind");
        assert_eq!(fs::read_to_string(&a).unwrap(), "old a");
        stage(&[(Target::File(&a), "new a"), (Target::File(&b), "new b")])
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 2);
        fs::remove_dir_all(&dir).unwrap();
    }
}
