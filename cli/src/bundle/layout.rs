//! What a zip reader does not check of a zip bundle, checked before a file of it is read:
//! that the archive is all there is in the file and that its central directory accounts for
//! every byte of it. Readers find a zip's files two ways, from the directory at its end (the
//! zip crate, most tools) or walking the entries' own headers from its start (streaming
//! readers, recovery tools); content the directory leaves out (bytes before, between or
//! after its entries, an entry's header that says other than the directory, compressed data
//! running on after its end) is shown by some and not by others, so an auditor could extract
//! what `bundle verify` never checked. Each such byte is an error naming its offset.

use flate2::read::DeflateDecoder;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// The length of the end record without its comment.
const END: usize = 22;
/// The length of the zip64 end record's locator, just before the end record.
const LOCATOR: u64 = 20;
/// The length of an entry's own header without its name and extra field.
const LOCAL: u64 = 30;
/// The length of an entry of the central directory without its name, extra field and comment.
const CENTRAL: usize = 46;
/// General purpose flag: the entry's sizes and CRC follow its data (a data descriptor).
const DESCRIPTOR: u16 = 1 << 3;

/// Where the central directory is, as the end record (or the zip64 end record) says.
struct Directory {
    /// How many entries it lists.
    entries: u64,
    /// Its offset.
    at: u64,
    /// Its length.
    size: u64,
}

/// One entry as the central directory lists it.
struct Listed {
    name: Vec<u8>,
    /// The offset of the entry's own header.
    at: u64,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
}

impl Listed {
    fn shown(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

/// Checks the zip at `path`: the archive alone, every byte of it accounted for by its
/// directory, each file named once by a plain relative path, and the files' declared sizes
/// within `limit` (the entries are inflated here to find where their data ends).
pub fn check(path: &Path, limit: crate::inputs::SizeLimit) -> Result<(), String> {
    let mut file = File::open(path).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    let dir = directory(&mut file, size)?;
    let bytes = read_at(&mut file, dir.at, dir.size)?;
    let listed = listed(&bytes, &dir)?;
    let declared: u64 = listed
        .iter()
        .map(|e| e.uncompressed)
        .fold(0, u64::saturating_add);
    if declared > limit.0 {
        return Err(format!(
            "the bundle's files together are larger than the input size limit of {limit}"
        ));
    }
    entries(&mut file, listed, dir.at)
}

/// `len` bytes of `file` from offset `at`; an error when the file ends before.
fn read_at(file: &mut File, at: u64, len: u64) -> Result<Vec<u8>, String> {
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    if at.checked_add(len).is_none_or(|end| end > size) {
        return Err(format!(
            "its directory or an entry runs past the end of the file (offset {at}, {len} bytes): the zip is damaged"
        ));
    }
    let mut bytes = vec![0; usize::try_from(len).map_err(|e| e.to_string())?];
    file.seek(SeekFrom::Start(at))
        .and_then(|_| file.read_exact(&mut bytes))
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    u64::from(u32_at(b, i)) | (u64::from(u32_at(b, i + 4)) << 32)
}

/// The end record, which must end the file with no comment, and the directory it (or the
/// zip64 end record before it) names, which must run up to it.
fn directory(file: &mut File, size: u64) -> Result<Directory, String> {
    let tail_len = size.min((END + usize::from(u16::MAX)) as u64);
    let tail = read_at(file, size - tail_len, tail_len)?;
    // The end record whose comment runs exactly to the end of the file.
    let end = (0..tail.len().saturating_sub(END - 1))
        .rev()
        .find(|&i| {
            tail[i..].starts_with(b"PK\x05\x06")
                && i + END + usize::from(u16_at(&tail, i + 20)) == tail.len()
        })
        .ok_or("not a zip archive that ends the file: its end record is missing, damaged, or followed by other bytes")?;
    let end_at = size - tail_len + end as u64;
    if u16_at(&tail, end + 20) > 0 {
        return Err(format!(
            "a comment in its end record (offset {end_at}), which readers show and `bundle verify` does not check: a bundle's zip has none"
        ));
    }
    let record = &tail[end..];
    if u16_at(record, 4) != 0 || u16_at(record, 6) != 0 || u16_at(record, 8) != u16_at(record, 10) {
        return Err("a zip split into parts: a bundle is one file".to_owned());
    }
    let (entries, dir_size, dir_at) = (u16_at(record, 10), u32_at(record, 12), u32_at(record, 16));
    let zip64 = end_at >= LOCATOR && read_at(file, end_at - LOCATOR, 4)? == b"PK\x06\x07";
    let (dir, ends_at) = if zip64 {
        let (dir, ends_at) = zip64_directory(file, end_at)?;
        // Each field of the end record defers to the zip64 record or agrees with it, so
        // that a reader reading either finds the same directory.
        let agrees = |plain: u64, max: u64, wide: u64| plain == max || plain == wide;
        if !(agrees(entries.into(), u16::MAX.into(), dir.entries)
            && agrees(dir_size.into(), u32::MAX.into(), dir.size)
            && agrees(dir_at.into(), u32::MAX.into(), dir.at))
        {
            return Err(
                "its end record and its zip64 end record name different directories: readers would differ"
                    .to_owned(),
            );
        }
        (dir, ends_at)
    } else if entries == u16::MAX || dir_size == u32::MAX || dir_at == u32::MAX {
        return Err(
            "its end record defers to a zip64 end record that is not there: the zip is damaged"
                .to_owned(),
        );
    } else {
        let dir = Directory {
            entries: u64::from(entries),
            at: u64::from(dir_at),
            size: u64::from(dir_size),
        };
        (dir, end_at)
    };
    let dir_end = dir.at.saturating_add(dir.size);
    if dir_end != ends_at {
        return Err(format!(
            "at offset {}: bytes the zip's directory does not account for (its directory, at offset {}, ends at {dir_end}; its end record starts at {ends_at}): a bundle is the archive alone",
            dir_end.min(ends_at),
            dir.at
        ));
    }
    Ok(dir)
}

/// The directory a zip64 end record names (its locator just before the end record at
/// `end_at`), and where that record starts: it must run up to its locator.
fn zip64_directory(file: &mut File, end_at: u64) -> Result<(Directory, u64), String> {
    let locator = read_at(file, end_at - LOCATOR, LOCATOR)?;
    let record_at = u64_at(&locator, 8);
    let damaged = || "its zip64 end record is damaged".to_owned();
    if u32_at(&locator, 4) != 0 || u32_at(&locator, 16) > 1 {
        return Err("a zip split into parts: a bundle is one file".to_owned());
    }
    let record = read_at(file, record_at, 56).map_err(|_| damaged())?;
    if !record.starts_with(b"PK\x06\x06") {
        return Err(damaged());
    }
    let record_end = record_at
        .checked_add(12)
        .and_then(|n| n.checked_add(u64_at(&record, 4)));
    if record_end != Some(end_at - LOCATOR) {
        return Err(format!(
            "at offset {record_at}: bytes the zip's directory does not account for around its zip64 end record: a bundle is the archive alone"
        ));
    }
    if u32_at(&record, 16) != 0
        || u32_at(&record, 20) != 0
        || u64_at(&record, 24) != u64_at(&record, 32)
    {
        return Err("a zip split into parts: a bundle is one file".to_owned());
    }
    let dir = Directory {
        entries: u64_at(&record, 32),
        size: u64_at(&record, 40),
        at: u64_at(&record, 48),
    };
    Ok((dir, record_at))
}

/// The entries the directory `bytes` lists, every byte of it one of them; each file named
/// once, by a plain relative path.
fn listed(bytes: &[u8], dir: &Directory) -> Result<Vec<Listed>, String> {
    let damaged = |at: usize| {
        format!(
            "its central directory is damaged at offset {}",
            dir.at + at as u64
        )
    };
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    let mut at = 0;
    for _ in 0..dir.entries {
        if bytes.len() < at + CENTRAL || !bytes[at..].starts_with(b"PK\x01\x02") {
            return Err(damaged(at));
        }
        let e = &bytes[at..];
        let (name_len, extra, comment) = (
            usize::from(u16_at(e, 28)),
            usize::from(u16_at(e, 30)),
            usize::from(u16_at(e, 32)),
        );
        let name = e
            .get(CENTRAL..CENTRAL + name_len)
            .ok_or_else(|| damaged(at))?
            .to_vec();
        let entry = Listed {
            name,
            at: u64::from(u32_at(e, 42)),
            flags: u16_at(e, 8),
            method: u16_at(e, 10),
            crc: u32_at(e, 16),
            compressed: u64::from(u32_at(e, 20)),
            uncompressed: u64::from(u32_at(e, 24)),
        };
        let shown = entry.shown();
        if comment > 0 {
            return Err(format!(
                "{shown}: a comment on the entry, which readers show and `bundle verify` does not check: a bundle's zip has none"
            ));
        }
        if [u32_at(e, 20), u32_at(e, 24), u32_at(e, 42)].contains(&u32::MAX) || u16_at(e, 34) != 0 {
            return Err(format!(
                "{shown}: zip64 sizes or offsets, or a part number, for the entry: a bundle is one file smaller than 4 GiB and needs none"
            ));
        }
        let name = plain_name(&shown)?;
        if !names.insert(name.to_owned()) {
            return Err(format!(
                "{name}: the zip names this file twice: a bundle holds each file once"
            ));
        }
        out.push(entry);
        at += CENTRAL + name_len + extra + comment;
    }
    if at != bytes.len() {
        return Err(format!(
            "at offset {}: bytes the zip's directory does not account for, after its last entry: a bundle is the archive alone",
            dir.at + at as u64
        ));
    }
    Ok(out)
}

/// The name an entry gives, without the `/` that ends a folder's: a path of plain names
/// separated by `/`. A `\` is a folder separator to some readers (Windows tools, the zip
/// crate) and part of a name to others (`unzip` on Unix), and `.`, `..` or an empty name
/// puts the file elsewhere than its name says, so none is a bundle's.
fn plain_name(name: &str) -> Result<&str, String> {
    if name.contains('\\') {
        return Err(format!(
            "{name}: a `\\` in the entry's name, which some readers take for a folder separator and others keep in the file's name: a bundle's zip separates folders with `/` alone"
        ));
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    if trimmed
        .split('/')
        .any(|segment| matches!(segment, "" | "." | ".."))
        || name.contains('\0')
    {
        return Err(format!(
            "{name}: not a plain relative path (an empty, `.` or `..` part, or a leading `/`): readers would put the file elsewhere than the bundle names it"
        ));
    }
    Ok(trimmed)
}

/// Walks the entries in the order of their offsets: each must start where the one before
/// ends (the first at 0) and the last end where the directory starts, each header must say
/// what the directory says, and each entry's data must end where the directory says it does.
fn entries(file: &mut File, mut listed: Vec<Listed>, dir_at: u64) -> Result<(), String> {
    listed.sort_by_key(|e| e.at);
    let mut expected = 0;
    for entry in &listed {
        let name = entry.shown();
        if entry.at < expected {
            return Err(format!(
                "{name}: its entry, at offset {}, overlaps the entry before it: a bundle holds each file once",
                entry.at
            ));
        }
        if entry.at > expected {
            return Err(unaccounted(expected, &format!("before the entry {name}")));
        }
        expected = entry_end(file, entry, dir_at)?;
    }
    if expected != dir_at {
        return Err(unaccounted(
            expected,
            "between its last entry and its directory",
        ));
    }
    Ok(())
}

/// Bytes at `offset` that the directory does not account for, `where` they are.
fn unaccounted(offset: u64, place: &str) -> String {
    format!(
        "at offset {offset}: bytes the zip's directory does not account for ({place}), which some readers show as content and others skip: a bundle is the archive alone"
    )
}

/// Where `entry` ends (its header, data and data descriptor), once its header is found to
/// say what the directory says and its data to end where the directory says.
fn entry_end(file: &mut File, entry: &Listed, dir_at: u64) -> Result<u64, String> {
    let name = entry.shown();
    let header = read_at(file, entry.at, LOCAL)?;
    let name_len = u64::from(u16_at(&header, 26));
    let differs = |what: &str| {
        format!(
            "{name}: the entry's own header, at offset {}, gives another {what} than the zip's directory: readers that walk the entries and readers that read the directory would differ",
            entry.at
        )
    };
    if !header.starts_with(b"PK\x03\x04") {
        return Err(differs("place (no entry header there)"));
    }
    if read_at(file, entry.at + LOCAL, name_len)? != entry.name {
        return Err(differs("name"));
    }
    if u16_at(&header, 8) != entry.method
        || u16_at(&header, 6) & DESCRIPTOR != entry.flags & DESCRIPTOR
    {
        return Err(differs("compression"));
    }
    let sizes = (
        u32_at(&header, 14),
        u32_at(&header, 18),
        u32_at(&header, 22),
    );
    let listed = (
        entry.crc,
        u32::try_from(entry.compressed).unwrap_or(u32::MAX),
        u32::try_from(entry.uncompressed).unwrap_or(u32::MAX),
    );
    if entry.flags & DESCRIPTOR == 0 && sizes != listed {
        return Err(differs("size or checksum"));
    }
    let data_at = entry.at + LOCAL + name_len + u64::from(u16_at(&header, 28));
    let data_end = data_at.saturating_add(entry.compressed);
    if data_end > dir_at {
        return Err(format!(
            "{name}: the entry's data runs into the zip's directory: the zip is damaged"
        ));
    }
    data_ends(file, entry, data_at)?;
    if entry.flags & DESCRIPTOR == 0 {
        return Ok(data_end);
    }
    descriptor_end(file, entry, data_end, dir_at)
}

/// Checks that the entry's data, at `data_at`, ends exactly where the directory says: stored
/// data is its file's size, and deflated data inflates to its file's size and ends at the
/// last byte the directory gives it (compressed bytes after the end of the deflate stream
/// are skipped by readers that read the directory, and read as what follows by those that
/// walk the entries).
fn data_ends(file: &mut File, entry: &Listed, data_at: u64) -> Result<(), String> {
    let name = entry.shown();
    match entry.method {
        0 if entry.flags & DESCRIPTOR != 0 => Err(format!(
            "{name}: a stored entry whose size follows its data: readers find where it ends differently"
        )),
        0 if entry.compressed != entry.uncompressed => Err(format!(
            "{name}: a stored entry of {} bytes in {} bytes of data: the zip is damaged",
            entry.uncompressed, entry.compressed
        )),
        8 => {
            file.seek(SeekFrom::Start(data_at))
                .map_err(|e| e.to_string())?;
            let data = Read::by_ref(file).take(entry.compressed);
            let mut inflate = DeflateDecoder::new(data);
            let inflated = io::copy(
                &mut Read::by_ref(&mut inflate).take(entry.uncompressed.saturating_add(1)),
                &mut io::sink(),
            )
            .map_err(|e| format!("{name}: {e}"))?;
            if inflated != entry.uncompressed {
                return Err(format!(
                    "{name}: the entry inflates to other than the {} bytes the zip's directory gives it: the zip is damaged",
                    entry.uncompressed
                ));
            }
            let used = inflate.total_in();
            if used != entry.compressed {
                return Err(unaccounted(
                    data_at + used,
                    &format!(
                        "after the end of the compressed data of {name}, within the size the directory gives it"
                    ),
                ));
            }
            Ok(())
        }
        // Any other method: the zip crate refuses it when the entry is read.
        _ => Ok(()),
    }
}

/// Where the data descriptor after the entry's data (at `data_end`) ends: its CRC and sizes
/// must be the directory's, with or without the descriptor's signature.
fn descriptor_end(
    file: &mut File,
    entry: &Listed,
    data_end: u64,
    dir_at: u64,
) -> Result<u64, String> {
    let bytes = read_at(file, data_end, 16.min(dir_at - data_end))?;
    // CRC, compressed size and size, after the signature when there is one.
    let says_so = |from: usize| {
        bytes.len() >= from + 12
            && u32_at(&bytes, from) == entry.crc
            && u64::from(u32_at(&bytes, from + 4)) == entry.compressed
            && u64::from(u32_at(&bytes, from + 8)) == entry.uncompressed
    };
    let len = if bytes.starts_with(b"PK\x07\x08") && says_so(4) {
        16
    } else if says_so(0) {
        12
    } else {
        return Err(format!(
            "{}: the data descriptor after the entry's data, at offset {data_end}, is not the directory's: the zip is damaged",
            entry.shown()
        ));
    };
    Ok(data_end + len)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::inputs::SizeLimit;
    use std::io::Write;

    /// A zip of two deflated files, as a bundle is written.
    fn two_files() -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in [("a.txt", "first file\n"), ("b/c.txt", "second file\n")] {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.repeat(20).as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn set_u32(bytes: &mut [u8], at: usize, value: u32) {
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    /// `zip` with its first entry's sizes and CRC moved to a data descriptor after its data
    /// (`signed`: with the descriptor's signature), its CRC there replaced by `crc` if given.
    fn with_descriptor(zip: &[u8], signed: bool, crc: Option<u32>) -> Vec<u8> {
        let end = zip.len() - END;
        let dir_at = u32_at(zip, end + 16) as usize;
        let (central_crc, compressed, size) = (
            u32_at(zip, dir_at + 16),
            u32_at(zip, dir_at + 20),
            u32_at(zip, dir_at + 24),
        );
        let data_end =
            30 + usize::from(u16_at(zip, 26)) + usize::from(u16_at(zip, 28)) + compressed as usize;
        let mut descriptor = if signed {
            b"PK\x07\x08".to_vec()
        } else {
            Vec::new()
        };
        for n in [crc.unwrap_or(central_crc), compressed, size] {
            descriptor.extend_from_slice(&n.to_le_bytes());
        }
        let mut out = zip.to_vec();
        out[6] |= DESCRIPTOR as u8;
        out[dir_at + 8] |= DESCRIPTOR as u8;
        for at in [14, 18, 22] {
            set_u32(&mut out, at, 0);
        }
        // The second entry, the directory and the end record move by the descriptor's length.
        let moved = descriptor.len() as u32;
        let second = dir_at
            + CENTRAL
            + usize::from(u16_at(zip, dir_at + 28))
            + usize::from(u16_at(zip, dir_at + 30));
        set_u32(&mut out, second + 42, u32_at(zip, second + 42) + moved);
        set_u32(&mut out, end + 16, dir_at as u32 + moved);
        out.splice(data_end..data_end, descriptor);
        out
    }

    fn checked(name: &str, bytes: &[u8]) -> Result<(), String> {
        let path =
            std::env::temp_dir().join(format!("attest-layout-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let result = check(&path, SizeLimit(1 << 20));
        let _ = std::fs::remove_file(&path);
        result
    }

    #[test]
    fn a_zip_as_written_and_one_with_data_descriptors_pass() {
        let zip = two_files();
        assert_eq!(checked("plain.zip", &zip), Ok(()));
        for signed in [true, false] {
            let moved = with_descriptor(&zip, signed, None);
            // The zip crate reads it as the same two files.
            let read = zip::ZipArchive::new(io::Cursor::new(&moved)).unwrap();
            assert_eq!(read.len(), 2);
            assert_eq!(checked("descriptor.zip", &moved), Ok(()), "{signed}");
        }
        let wrong = with_descriptor(&zip, true, Some(7));
        assert!(
            checked("wrong.zip", &wrong)
                .unwrap_err()
                .contains("a.txt: the data descriptor after the entry's data"),
        );
    }

    #[test]
    fn headers_and_comments_the_directory_does_not_account_for_are_refused() {
        let zip = two_files();
        // The first entry's own header names another file than the directory.
        let mut renamed = zip.clone();
        renamed[30] = b'z';
        let err = checked("renamed.zip", &renamed).unwrap_err();
        assert!(
            err.starts_with("a.txt: the entry's own header, at offset 0, gives another name"),
            "{err}"
        );
        // Its size, in its own header alone.
        let mut resized = zip.clone();
        set_u32(&mut resized, 22, u32_at(&zip, 22) + 1);
        let err = checked("resized.zip", &resized).unwrap_err();
        assert!(err.contains("gives another size or checksum"), "{err}");
        // A comment on the archive, which `unzip` prints.
        let mut commented = zip.clone();
        let end = commented.len() - END;
        commented[end + 20] = 5;
        commented.extend_from_slice(b"trust");
        let err = checked("comment.zip", &commented).unwrap_err();
        assert!(err.starts_with("a comment in its end record"), "{err}");
        // Files declared larger than the limit, before anything is inflated.
        let path = std::env::temp_dir().join(format!("attest-layout-{}-small", std::process::id()));
        std::fs::write(&path, &zip).unwrap();
        let err = check(&path, SizeLimit(100)).unwrap_err();
        assert!(
            err.contains("larger than the input size limit of 100 bytes"),
            "{err}"
        );
        let _ = std::fs::remove_file(&path);
    }
}
