//! Writing every output of a run all or nothing, in two steps a caller can put something
//! between (the ledger entry of `attest eval --ledger`): [`stage`] writes each regular file
//! in full to a temporary file beside it (`.<name>.<pid>.<n>.tmp`, created afresh, never
//! through an existing file or link, with the permission bits of the file it replaces) and
//! opens each special file (a device, a pipe);
//! [`Staged::finish`] writes the outputs that cannot be taken back (the special files, in
//! order, then standard output) and, when all of that succeeded, renames the temporary files
//! into place. Until then no file is replaced, and a [`Staged`] dropped unfinished removes
//! its temporary files, as does [`exit_removing_staged`] when a signal ends the run (SIGINT,
//! SIGTERM, SIGHUP): the renames are done with the list of temporary files locked, so a
//! signal finds the outputs all as they were or all in place. An output that is a symbolic link is written where its links lead
//! ([`destination`]): the temporary file goes beside that file and replaces it, so the link
//! stays a link and the file it points at gets the new content.

use super::{Target, destination, folder_of, refuse_unwritable, stdout_failed, write_stdout};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Every temporary file created and not yet renamed into place or removed, whichever
/// [`Staged`] it belongs to. A file is listed under the lock as it is created and taken off
/// under the lock as it is renamed or removed, so [`exit_removing_staged`], which holds the
/// lock until the process ends, never misses one nor removes one after its rename.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The list of temporary files, locked (a thread that panicked holding it left it whole:
/// each change is one push or one removal).
fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes `tmp` off the list of temporary files.
fn forget(list: &mut Vec<PathBuf>, tmp: &Path) {
    list.retain(|p| p != tmp);
}

/// Removes every temporary file of the outputs being written, then ends the process with
/// `code`; for a signal that ends the run (`SIGTERM` while a report is written) not to leave
/// them behind. Holds the list locked to the end: no file is staged or renamed meanwhile.
pub fn exit_removing_staged(code: i32) -> ! {
    let list = pending();
    for tmp in list.iter() {
        // A file, or a folder (a bundle written as one).
        if fs::remove_file(tmp).is_err() {
            let _ = fs::remove_dir_all(tmp);
        }
    }
    std::process::exit(code)
}

/// Runs `make`, which creates the temporary file or folder `tmp` (an output written aside,
/// such as a bundle), and, when it succeeds, lists `tmp` with the outputs' temporary files:
/// a signal that ends the run removes it too ([`exit_removing_staged`]).
pub fn make_temporary<T>(tmp: &Path, make: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    let mut list = pending();
    let made = make();
    if made.is_ok() {
        list.push(tmp.to_owned());
    }
    made
}

/// Runs `settle`, which renames the temporary `tmp` into place or removes it, and, when it
/// succeeds, takes `tmp` off the list of temporary files: a signal meanwhile finds it either
/// listed and there, or gone from both.
pub fn settle_temporary<T>(tmp: &Path, settle: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    let mut list = pending();
    let settled = settle();
    if settled.is_ok() {
        forget(&mut list, tmp);
    }
    settled
}

/// Whether `tmp` is listed as a temporary file a signal would remove.
#[cfg(test)]
pub fn is_temporary(tmp: &Path) -> bool {
    pending().iter().any(|p| p == tmp)
}

/// Outputs written aside, not yet in place.
pub struct Staged<'a> {
    /// Temporary files, the files they replace (links followed) and the paths as given.
    files: Vec<(PathBuf, PathBuf, &'a Path)>,
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
    // A file whose folder is not there, or that its user may not write, is named as such
    // before anything is written.
    for (target, _) in outputs {
        if let Target::File(path) = target
            && !special(path)
            && !path.is_dir()
        {
            refuse_unwritable(path)?;
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
            Target::File(path) => destination(path).and_then(|file| {
                stage_file(&file, content).map(|tmp| staged.files.push((tmp, file, path)))
            }),
        };
        // `staged`, dropped, removes the temporary files written so far.
        prepared.map_err(|e| format!("{}: {e}", named(target)))?;
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
        // The list locked through every rename: a signal meanwhile waits, so it finds the
        // outputs all as they were or all in place, never some of each.
        let mut list = pending();
        for (i, (tmp, file, path)) in files.iter().enumerate() {
            let renamed = fs::rename(tmp, file);
            forget(&mut list, tmp);
            if let Err(e) = renamed {
                drop(list);
                discard(&files[i..]);
                return Err(format!("{}: {e}", named(&Target::File(path))));
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

/// An output as an error names it: its path as given, and for a link the file it leads to
/// (`link.json (a link to reports/a.json)`), where the error happened.
fn named(target: &Target<'_>) -> String {
    match target {
        Target::File(path) => match destination(path) {
            Ok(file) if file != *path => format!(
                "{} (a link to {})",
                target.name(),
                crate::inputs::shown(&file)
            ),
            _ => target.name(),
        },
        Target::Stdout => target.name(),
    }
}

/// Whether `path` exists and is not a regular file (once its links are followed): a
/// device or a pipe, written in place rather than replaced.
fn special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| !meta.is_file())
}

/// Writes `content` to a new temporary file beside `path` (`.<name>.<pid>.<n>.tmp`, created
/// afresh, never through an existing file or link) and returns its path. `path` is the file
/// to replace, its links already followed ([`destination`]). A temporary file that cannot be
/// created is an error naming the folder.
fn stage_file(path: &Path, content: &str) -> io::Result<PathBuf> {
    let replaced = replaced_mode(path);
    let (tmp, mut file) = create_temporary(path, replaced)?;
    if let Err(e) = keep_mode(&file, replaced)
        .and_then(|()| file.write_all(content.as_bytes()))
        .and_then(|()| file.flush())
    {
        drop(file);
        discard_one(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

/// Creates the temporary file of `path` (`.<name>.<pid>.<n>.tmp` in its folder, the first
/// `n` free), with the permission bits `replaced` when given, and lists it as pending.
fn create_temporary(path: &Path, replaced: Option<u32>) -> io::Result<(PathBuf, fs::File)> {
    let dir = folder_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Never more open than the file it replaces, even before its bits are set.
    #[cfg(unix)]
    if let Some(mode) = replaced {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    }
    let mut n = 0u32;
    loop {
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match make_temporary(&tmp, || options.open(&tmp)) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create a file in its folder {} ({e}): an output is written to a temporary file beside it, then renamed into place",
                        crate::inputs::shown(dir)
                    ),
                ));
            }
        }
    }
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
fn discard(staged: &[(PathBuf, PathBuf, &Path)]) {
    for (tmp, _, _) in staged {
        discard_one(tmp);
    }
}

/// Removes one temporary file and takes it off the pending list.
fn discard_one(tmp: &Path) {
    let mut list = pending();
    let _ = fs::remove_file(tmp);
    forget(&mut list, tmp);
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

    /// The names in `dir`, sorted: no temporary file may be among them.
    #[cfg(unix)]
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    fn is_link(path: &Path) -> bool {
        fs::symlink_metadata(path).unwrap().file_type().is_symlink()
    }

    /// A link stays a link: the file at the end of its chain of links (each relative link
    /// read from its own folder) gets the content, replaced beside itself, keeping its bits.
    #[cfg(unix)]
    #[test]
    fn an_output_that_is_a_link_replaces_the_file_it_leads_to() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = scratch("link");
        fs::create_dir_all(dir.join("reports")).unwrap();
        fs::create_dir_all(dir.join("links")).unwrap();
        let target = dir.join("reports/target.json");
        fs::write(&target, "OLD").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.join("links/link.json");
        symlink("../reports/target.json", &link).unwrap();
        let chain = dir.join("chain.json");
        symlink("links/link.json", &chain).unwrap();
        Target::File(&link).write("first").unwrap();
        assert!(is_link(&link), "the link was replaced by a file");
        assert_eq!(fs::read_to_string(&target).unwrap(), "first");
        write_all(&[(Target::File(&chain), "second")]).unwrap();
        assert!(is_link(&chain) && is_link(&link));
        assert_eq!(fs::read_to_string(&target).unwrap(), "second");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(names(&dir), ["chain.json", "links", "reports"]);
        assert_eq!(names(&dir.join("links")), ["link.json"]);
        assert_eq!(
            names(&dir.join("reports")),
            ["target.json"],
            "no temporary file"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A link to nothing is written as a shell's `>` writes it: the file it names is created
    /// when its folder exists; otherwise the error names the link and where it leads, and
    /// nothing is written. A loop of links is an error too.
    #[cfg(unix)]
    #[test]
    fn a_link_to_nothing_creates_the_file_it_names_or_says_where_it_leads() {
        use std::os::unix::fs::symlink;
        let dir = scratch("dangling");
        let link = dir.join("link.json");
        symlink("new.json", &link).unwrap();
        Target::File(&link).write("report").unwrap();
        assert!(is_link(&link));
        assert_eq!(fs::read_to_string(dir.join("new.json")).unwrap(), "report");
        let nowhere = dir.join("nowhere.json");
        symlink("missing/x.json", &nowhere).unwrap();
        let other = dir.join("other.json");
        let err =
            write_all(&[(Target::File(&other), "a"), (Target::File(&nowhere), "b")]).unwrap_err();
        let d = dir.display();
        assert_eq!(
            err,
            format!(
                "{d}/nowhere.json: a link to {d}/missing/x.json, whose folder {d}/missing does not exist"
            )
        );
        let (a, b) = (dir.join("a"), dir.join("b"));
        symlink("b", &a).unwrap();
        symlink("a", &b).unwrap();
        let err = Target::File(&a).write("loop").unwrap_err();
        assert!(err.contains("a loop of links"), "{err}");
        assert!(is_link(&a) && is_link(&b) && is_link(&nowhere));
        assert_eq!(
            names(&dir),
            ["a", "b", "link.json", "new.json", "nowhere.json"]
        );
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
