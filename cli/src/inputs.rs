//! Reading what the user points at: facts files and folders, pack folders, waivers, reports
//! and `attest.toml`. This is the only place the CLI reads input from disk (with `evidence`
//! for the files of an evidence root), and it reads nothing it was not meant to:
//!
//! - every read stops at the input size limit ([`SizeLimit`], `--max-input-size`): a file
//!   larger than the limit is refused before it is read, and the files of one facts list or
//!   one pack folder share one limit;
//! - a file named on the command line or in `attest.toml` is a regular file or a pipe
//!   (`<(...)`); a device (`/dev/zero`), a socket or a folder where a file belongs is refused;
//! - in a facts folder, every `*.json` entry is a regular file or a link to one: a dangling
//!   link, a link loop, a folder named `*.json` or a special file is an error naming it;
//! - in a pack folder, a symbolic link is followed only to a regular file inside the pack
//!   folder: a link out of it, to a folder, or to nothing is an error naming the link, and
//!   what it points at is never read.

use attest_engine::PackFile;
use attest_engine::pack::is_pack_file;
use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The most bytes one input may hold: each file read, and all the files of one facts list or
/// one pack folder together (`--max-input-size`, `max_input_size` in `attest.toml`). `0`
/// means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit(pub u64);

impl Default for SizeLimit {
    /// 1 GiB: ten times the facts of a 50,000-person organization.
    fn default() -> SizeLimit {
        SizeLimit(1 << 30)
    }
}

impl SizeLimit {
    /// Parses a size: a number of bytes, or a number and a unit (`512MiB`, `1GiB`, `100MB`,
    /// `64KiB`; `KB`, `MB`, `GB` are powers of 1000, `KiB`, `MiB`, `GiB` of 1024). `0` is no
    /// limit.
    pub fn parse(text: &str) -> Result<SizeLimit, String> {
        let bad = || {
            format!(
                "`{text}` is not a size: write bytes or a number and a unit, such as 1GiB, 512MiB or 100MB (0: no limit)"
            )
        };
        let t = text.trim();
        let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (number, unit) = t.split_at(digits);
        let number: u64 = number.parse().map_err(|_| bad())?;
        let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "kb" => 1000,
            "mb" => 1000 * 1000,
            "gb" => 1000 * 1000 * 1000,
            "tb" => 1000 * 1000 * 1000 * 1000,
            "kib" => 1 << 10,
            "mib" => 1 << 20,
            "gib" => 1 << 30,
            "tib" => 1 << 40,
            _ => return Err(bad()),
        };
        number.checked_mul(scale).map(SizeLimit).ok_or_else(bad)
    }
}

impl fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        for (unit, size) in [
            ("TiB", 1u64 << 40),
            ("GiB", 1 << 30),
            ("MiB", 1 << 20),
            ("KiB", 1 << 10),
        ] {
            if n >= size && n.is_multiple_of(size) {
                return write!(f, "{} {unit}", n / size);
            }
        }
        write!(f, "{n} bytes")
    }
}

/// What is left of a [`SizeLimit`] for the files read so far, and what they are (`facts`,
/// `the pack`), for the message.
struct Budget {
    limit: SizeLimit,
    left: u64,
    what: &'static str,
}

impl Budget {
    fn new(limit: SizeLimit, what: &'static str) -> Budget {
        Budget {
            limit,
            left: if limit.0 == 0 { u64::MAX } else { limit.0 },
            what,
        }
    }

    /// The error for `path`, whose bytes pass what is left.
    fn exceeded(&self, path: &Path, size: Option<u64>) -> String {
        let size = size.map_or_else(String::new, |n| format!(" ({})", SizeLimit(n)));
        if self.left == self.limit.0 {
            format!(
                "{}: larger than the input size limit of {}{size}: raise it with --max-input-size (or max_input_size in attest.toml)",
                shown(path),
                self.limit
            )
        } else {
            format!(
                "{}: {} together are larger than the input size limit of {}: raise it with --max-input-size (or max_input_size in attest.toml)",
                shown(path),
                self.what,
                self.limit
            )
        }
    }
}

/// Where a file to read was found: named by the user (a regular file or a pipe), or listed
/// in a folder (a regular file only).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    Named,
    Listed,
}

/// What a file system entry is, in words, for a message (`a character device`).
pub fn kind(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Whether a file of this type may be read: a regular file, or a pipe the user named.
fn readable(meta: &fs::Metadata, found: Found) -> bool {
    if meta.is_file() {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if found == Found::Named && meta.file_type().is_fifo() {
            return true;
        }
    }
    let _ = found;
    false
}

/// Reads a UTF-8 text file within `budget`, refusing anything but a regular file (or a pipe
/// the user named) before reading a byte of it.
fn read_within(path: &Path, budget: &mut Budget, found: Found) -> Result<String, String> {
    let file = fs::File::open(path).map_err(|e| format!("{}: {e}", shown(path)))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("{}: {e}", shown(path)))?;
    if !readable(&meta, found) {
        return Err(format!(
            "{}: {}, not a file: give a regular file",
            shown(path),
            kind(&meta)
        ));
    }
    if meta.is_file() && meta.len() > budget.left {
        return Err(budget.exceeded(path, Some(meta.len())));
    }
    // A file can grow while it is read, and a pipe has no length: read one byte past what
    // is left, to know.
    let mut bytes = Vec::with_capacity(if meta.is_file() {
        usize::try_from(meta.len()).map_or(0, |len| len.saturating_add(1))
    } else {
        0
    });
    file.take(budget.left.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", shown(path)))?;
    let size = bytes.len() as u64;
    if size > budget.left {
        return Err(budget.exceeded(path, None));
    }
    budget.left -= size;
    utf8_text(path, bytes)
}

/// `bytes`, the contents of `path`, as text; when they are not UTF-8, where they stop being
/// so and how to save the file as UTF-8 from the tools that most often write something else:
/// Windows PowerShell's redirections (UTF-16, told by its byte order mark) and Excel's
/// "CSV (Comma delimited)" (Windows-1252).
fn utf8_text(path: &Path, bytes: Vec<u8>) -> Result<String, String> {
    // UTF-16 starts with its byte order mark or, without one, with a NUL beside the first
    // character (`{` is `7B 00` or `00 7B`): valid UTF-8, but no text Attest reads.
    let utf16 = bytes.starts_with(&[0xff, 0xfe])
        || bytes.starts_with(&[0xfe, 0xff])
        || matches!(bytes.as_slice(), [a, b, ..] if (*a == 0) != (*b == 0));
    if utf16 {
        return Err(format!(
            "{}: UTF-16 text: save the file as UTF-8 (in PowerShell, `Out-File -Encoding utf8` or `Set-Content -Encoding utf8` rather than `>`)",
            shown(path)
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = &bytes[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        let (line, column) = line_col(&text, text.len());
        let how = match path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("csv"))
        {
            true => " (in Excel: Save As, \"CSV UTF-8 (Comma delimited)\")",
            false => "",
        };
        format!(
            "{}:{line}:{column}: not UTF-8 text: save the file as UTF-8{how}",
            shown(path)
        )
    })
}

/// Refuses `-` as an input path, which would be read as a file named `-` ("No such file or
/// directory"): `how` says what is read from where (`facts are read from files and
/// folders`), and the message how to give a pipe (`/dev/stdin`).
pub fn refuse_dash(path: &Path, how: &str) -> Result<(), String> {
    match path.as_os_str() == "-" {
        true => Err(format!(
            "-: {how}, not from `-`: for a pipe, give /dev/stdin"
        )),
        false => Ok(()),
    }
}

/// Facts sources as (name shown to people, text), in merge order: every file named or in a
/// folder given, in file-name order (then by path, for files of the same name in two
/// folders), whatever the order of `paths`, so that reordering the arguments cannot change
/// the report; all within one `limit`. A file reached twice (named twice, under two
/// spellings, or named and in a folder also given) is refused: its keys would otherwise be
/// "set by both" it and itself.
pub fn read_facts(paths: &[PathBuf], limit: SizeLimit) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    for path in paths {
        refuse_dash(path, "facts are read from files and folders")?;
        let meta = fs::metadata(path).map_err(|e| format!("{}: {e}", shown(path)))?;
        if meta.is_dir() {
            let inner = facts_folder(path)?;
            if inner.is_empty() {
                return Err(format!("{}: the folder has no *.json files", shown(path)));
            }
            files.extend(inner.into_iter().map(|p| (p, Found::Listed)));
        } else {
            files.push((path.clone(), Found::Named));
        }
    }
    refuse_twice(files.iter().map(|(p, _)| p.as_path()))?;
    files.sort_by(|(a, _), (b, _)| a.file_name().cmp(&b.file_name()).then_with(|| a.cmp(b)));
    let mut budget = Budget::new(limit, "the facts files");
    files
        .into_iter()
        .map(|(p, found)| Ok((display(&p), read_within(&p, &mut budget, found)?)))
        .collect()
}

/// Refuses a file that `paths` reach twice, comparing where they lead once canonical (a path
/// that cannot be made canonical is left to the read that follows, which says why).
fn refuse_twice<'a>(paths: impl Iterator<Item = &'a Path>) -> Result<(), String> {
    let mut seen: HashMap<PathBuf, &Path> = HashMap::new();
    for path in paths {
        let Ok(canonical) = fs::canonicalize(path) else {
            continue;
        };
        if let Some(first) = seen.insert(canonical, path) {
            let (first, again) = (shown(first), shown(path));
            return Err(match first == again {
                true => format!("{first} is given twice: give each facts file once"),
                false => {
                    format!("{first} is given twice (again as {again}): give each facts file once")
                }
            });
        }
    }
    Ok(())
}

/// The `*.json` files of a facts folder, in file-name order. Each is a regular file or a
/// link to one; anything else named `*.json` is an error naming it.
fn facts_folder(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", shown(dir)))? {
        let path = entry.map_err(|e| format!("{}: {e}", shown(dir)))?.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let meta = followed(&path)?;
        if meta.is_dir() {
            return Err(format!(
                "{}: a folder named *.json: facts folders are read one level deep; rename it, or move its files up",
                shown(&path)
            ));
        }
        if !meta.is_file() {
            return Err(format!(
                "{}: {}, not a file: every *.json of a facts folder is read as facts",
                shown(&path),
                kind(&meta)
            ));
        }
        files.push(path);
    }
    files.sort();
    Ok(files)
}

/// What `path` is once its links are followed; a link to nothing or a link loop is an error
/// naming it.
fn followed(path: &Path) -> Result<fs::Metadata, String> {
    fs::metadata(path).map_err(|e| {
        let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        match (link, e.kind()) {
            (true, io::ErrorKind::NotFound) => format!(
                "{}: a symbolic link to nothing: remove it, or point it at a file",
                shown(path)
            ),
            (true, _) => format!(
                "{}: a symbolic link that cannot be followed ({e}): remove it, or point it at a file",
                shown(path)
            ),
            (false, _) => format!("{}: {e}", shown(path)),
        }
    })
}

/// Every pack file of a pack folder (`*.toml`, `*.rhai`, `*.json`, as the engine's
/// [`is_pack_file`] says), with paths relative to it, within one `limit`.
pub fn read_pack(dir: &Path, limit: SizeLimit) -> Result<Vec<PackFile>, String> {
    if !dir.is_dir() {
        let what = match dir.exists() {
            true => "not a folder",
            false => "no such folder",
        };
        return Err(format!(
            "{}: {what}: a pack is a folder with a pack.toml (its name, version and, to \
             build on the built-in pack, `extends = \"soc2\"`)",
            shown(dir)
        ));
    }
    let root = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", shown(dir)))?;
    let mut walk = Walk {
        base: dir,
        root: &root,
        budget: Budget::new(limit, "the files of the pack"),
        out: Vec::new(),
    };
    walk.folder(dir)?;
    let mut out = walk.out;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Reading a pack folder: where it is as given and resolved, and what was read.
struct Walk<'a> {
    base: &'a Path,
    root: &'a Path,
    budget: Budget,
    out: Vec<PackFile>,
}

impl Walk<'_> {
    fn folder(&mut self, dir: &Path) -> Result<(), String> {
        let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", shown(dir)))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", shown(dir)))?;
            // The engine's rule of which files make a pack, on the entry's name.
            let wanted = is_pack_file(&entry.file_name().to_string_lossy());
            self.entry(&entry.path(), wanted)?;
        }
        Ok(())
    }

    /// One entry of a folder of the pack: a folder is walked, a file read when `wanted`.
    fn entry(&mut self, path: &Path, wanted: bool) -> Result<(), String> {
        let own = fs::symlink_metadata(path).map_err(|e| format!("{}: {e}", shown(path)))?;
        if own.file_type().is_symlink() {
            self.link(path, wanted)
        } else if own.is_dir() {
            self.folder(path)
        } else if wanted {
            self.file(path, &own)
        } else {
            Ok(())
        }
    }

    /// A symbolic link in the pack: followed only to a regular file inside the pack folder.
    fn link(&mut self, path: &Path, wanted: bool) -> Result<(), String> {
        let target = match path.canonicalize() {
            Ok(target) => target,
            // A link the pack would not read anyway (`README.md`) may lead nowhere.
            Err(_) if !wanted => return Ok(()),
            Err(_) => {
                return Err(followed(path).err().unwrap_or_else(|| {
                    format!("{}: a symbolic link that cannot be followed", shown(path))
                }));
            }
        };
        if !target.starts_with(self.root) {
            return Err(format!(
                "{}: a symbolic link out of the pack folder: links in a pack may only point to files inside it; copy the file into the pack instead",
                shown(path)
            ));
        }
        let meta = fs::metadata(&target).map_err(|e| format!("{}: {e}", shown(path)))?;
        if meta.is_dir() {
            return Err(format!(
                "{}: a symbolic link to a folder: links in a pack may only point to files inside it",
                shown(path)
            ));
        }
        if wanted {
            self.file(path, &meta)?;
        }
        Ok(())
    }

    fn file(&mut self, path: &Path, meta: &fs::Metadata) -> Result<(), String> {
        if !meta.is_file() {
            return Err(format!(
                "{}: {}, not a file: a pack holds regular files",
                shown(path),
                kind(meta)
            ));
        }
        let rel = path
            .strip_prefix(self.base)
            .map_err(|e| e.to_string())?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let text = read_within(path, &mut self.budget, Found::Listed)?;
        self.out.push(PackFile::new(rel, text));
        Ok(())
    }
}

/// One file of a pack folder that is not among its pack files (its `README.md`), read as
/// the pack's files are: a link followed only to a regular file inside the folder. `None`
/// when there is no such file.
pub fn read_pack_file(dir: &Path, rel: &str, limit: SizeLimit) -> Result<Option<String>, String> {
    let path = dir.join(rel);
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", shown(&path))),
        Ok(meta) if meta.is_dir() => {
            return Err(format!("{}: a folder, not a file", shown(&path)));
        }
        Ok(_) => {}
    }
    let root = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", shown(dir)))?;
    let mut walk = Walk {
        base: dir,
        root: &root,
        budget: Budget::new(limit, "the file"),
        out: Vec::new(),
    };
    walk.entry(&path, true)?;
    Ok(walk.out.pop().map(|f| f.text))
}

/// The built-in SOC 2 pack.
pub fn builtin_pack() -> Vec<PackFile> {
    attest_rules::soc2()
        .map(|(path, text)| PackFile::new(path, text))
        .collect()
}

/// A path as people typed it, as reports and messages name it: the separators of this
/// system's paths written `/` (on Windows `\` too, so that a report names a file the same on
/// every system), every other character kept (on Unix `peo\ple.json` is a file's name).
pub fn display(path: &Path) -> String {
    path.to_string_lossy()
        .chars()
        .map(|c| if std::path::is_separator(c) { '/' } else { c })
        .collect()
}

/// A path for a message: as [`display`] writes it, its control characters shown escaped.
pub fn shown(path: &Path) -> String {
    attest_render::escape::line(&display(path)).into_owned()
}

/// Refuses anything but a regular file (or a link to one) at `path`: for a file found rather
/// than named, such as `./attest.toml`, which must never be a pipe that would block.
pub fn require_regular(path: &Path) -> Result<(), String> {
    regular(path, &followed(path)?, "give a regular file")
}

/// Refuses an open file that is not a regular file (a device, a pipe, a folder), before a
/// byte of it is read: a ledger read from `/dev/zero` would never end, one read from a pipe
/// would block.
pub fn require_regular_open(path: &Path, file: &fs::File, what: &str) -> Result<(), String> {
    let meta = file
        .metadata()
        .map_err(|e| format!("{}: {e}", shown(path)))?;
    regular(path, &meta, what)
}

/// Refuses what is at `path` when it is there and not a regular file, before it is opened
/// (opening a pipe to read blocks until something writes to it). Nothing there is no error:
/// opening or creating it says what follows.
pub fn require_regular_if_there(path: &Path, what: &str) -> Result<(), String> {
    match fs::metadata(path) {
        Ok(meta) => regular(path, &meta, what),
        Err(_) => Ok(()),
    }
}

fn regular(path: &Path, meta: &fs::Metadata, what: &str) -> Result<(), String> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}, not a file: {what}",
            shown(path),
            kind(meta)
        ))
    }
}

/// A whole text file the user named (a configuration, a waivers file, a report), within
/// `limit`, with an error naming it.
pub fn read_text(path: &Path, limit: SizeLimit) -> Result<String, String> {
    let mut budget = Budget::new(limit, "the file");
    read_within(path, &mut budget, Found::Named)
}

/// 1-based line and column of a byte offset of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let (line, column) = attest_engine::place::line_col(text, offset);
    (line as usize, column as usize)
}

/// Refuses JSON `text` (the file `file`'s) in which an object gives one key twice, with the
/// file, line and column of the second: serde_json would keep the last value silently, and a
/// key repeated at the top of a report was taken for a missing `report_version`. Checks the
/// keys as it reads, building nothing; text that is not JSON passes, for its reader to say
/// where and why.
pub fn refuse_repeated_keys(file: &str, text: &str) -> Result<(), String> {
    attest_engine::facts::check_unique_keys(text)
        .map_err(|e| attest_engine::JsonSyntax::new(file, text, &e).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_repeated_in_any_object_is_refused_at_its_place() {
        let text = "{\"rules\": [{\"population\": {\"collections\": {\"a\": 1,\n \"a\": 2}}}]}";
        assert_eq!(
            refuse_repeated_keys("r.json", text),
            Err(
                "r.json:2:4: invalid JSON: the key `a` is given twice in one object; \
                 only one value can count"
                    .to_owned()
            )
        );
        // The same key in two objects, and text that is not JSON, are for the reader.
        assert_eq!(
            refuse_repeated_keys("r.json", r#"[{"a": 1}, {"a": {"a": 2}}]"#),
            Ok(())
        );
        assert_eq!(refuse_repeated_keys("r.json", "{"), Ok(()));
    }

    #[test]
    fn text_that_is_not_utf8_says_where_and_how_to_save_it() {
        let text = |name: &str, bytes: &[u8]| utf8_text(Path::new(name), bytes.to_vec());
        assert_eq!(text("a.json", b"{\"a\": 1}"), Ok("{\"a\": 1}".to_owned()));
        // Windows-1252, as Excel writes "CSV (Comma delimited)": the first byte past ASCII.
        assert_eq!(
            text("people.csv", b"name\nJos\xe9\n"),
            Err("people.csv:2:4: not UTF-8 text: save the file as UTF-8 (in Excel: Save As, \"CSV UTF-8 (Comma delimited)\")".to_owned())
        );
        assert_eq!(
            text("org.json", b"{\n \"name\": \"Jos\xe9\"}"),
            Err("org.json:2:14: not UTF-8 text: save the file as UTF-8".to_owned())
        );
        // UTF-16, as Windows PowerShell's `>` writes, either byte order, and without a byte
        // order mark (valid UTF-8, with a NUL beside every ASCII character).
        let le = || "{}".encode_utf16().flat_map(u16::to_le_bytes);
        let be = || "{}".encode_utf16().flat_map(u16::to_be_bytes);
        for bytes in [
            [0xff, 0xfe].into_iter().chain(le()).collect::<Vec<u8>>(),
            [0xfe, 0xff].into_iter().chain(be()).collect(),
            le().collect(),
            be().collect(),
        ] {
            let err = text("org.json", &bytes).unwrap_err();
            assert!(
                err.starts_with("org.json: UTF-16 text: save the file as UTF-8 (in PowerShell"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_pack_folder_is_read_for_its_pack_files_only() {
        let root = std::env::temp_dir().join(format!("attest-pack-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("rules/a.b")).unwrap();
        for (path, text) in [
            ("pack.toml", "p"),
            ("README.md", "r"),
            ("rules/a.b/r.rhai", "x"),
            ("rules/a.b/notes.txt", "n"),
            ("rules/.json", "h"),
        ] {
            fs::write(root.join(path), text).unwrap();
        }
        let read = read_pack(&root, SizeLimit::default());
        let _ = fs::remove_dir_all(&root);
        let paths: Vec<String> = read.unwrap().into_iter().map(|f| f.path).collect();
        assert_eq!(paths, ["pack.toml", "rules/a.b/r.rhai"]);
    }

    #[test]
    fn sizes_parse_and_print_in_their_units() {
        assert_eq!(SizeLimit::parse("1GiB"), Ok(SizeLimit(1 << 30)));
        assert_eq!(SizeLimit::parse("512 MiB"), Ok(SizeLimit(512 << 20)));
        assert_eq!(SizeLimit::parse("100MB"), Ok(SizeLimit(100_000_000)));
        assert_eq!(SizeLimit::parse("64kib"), Ok(SizeLimit(64 << 10)));
        assert_eq!(SizeLimit::parse("4096"), Ok(SizeLimit(4096)));
        assert_eq!(SizeLimit::parse("0"), Ok(SizeLimit(0)));
        for bad in ["", "GiB", "1.5GiB", "-1", "1 XB", "99999999999TiB"] {
            assert!(SizeLimit::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(SizeLimit::default().to_string(), "1 GiB");
        assert_eq!(SizeLimit(3 << 20).to_string(), "3 MiB");
        assert_eq!(SizeLimit(1000).to_string(), "1000 bytes");
    }
}
