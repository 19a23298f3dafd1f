//! Finding and loading rule packs: a pack folder or the built-in SOC 2 pack, with the
//! packs it `extends` resolved first (recursively, cycles detected) and handed to the
//! engine as its base.

use crate::inputs::{self, SizeLimit};
use attest_engine::{Diagnostic, Engine, Limits, Pack, PackError, PackFile};
use serde::Deserialize;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// The name of the built-in SOC 2 pack, as written in `extends`, `attest.toml` and `PACK`
/// arguments. A folder of that name is written `./soc2`.
pub const BUILTIN: &str = "soc2";

/// Where a pack comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackRef {
    /// The built-in SOC 2 pack.
    Builtin,
    /// A pack folder.
    Dir(PathBuf),
}

impl PackRef {
    /// `soc2` is the built-in pack; anything else is a folder, relative to `base`.
    pub fn parse(text: &str, base: &Path) -> PackRef {
        if text == BUILTIN {
            PackRef::Builtin
        } else {
            PackRef::Dir(join(base, Path::new(text)))
        }
    }

    /// The pack's files, with paths relative to the pack (at most `limit` bytes in all).
    pub fn files(&self, limit: SizeLimit) -> Result<Vec<PackFile>, String> {
        match self {
            PackRef::Builtin => Ok(inputs::builtin_pack()),
            PackRef::Dir(d) => inputs::read_pack(d, limit),
        }
    }

    /// How a file of the pack is shown to people: its path from the working directory
    /// for a folder, its path within the pack for the built-in pack.
    pub fn show_file(&self, file: &str) -> String {
        match self {
            PackRef::Builtin => file.to_owned(),
            PackRef::Dir(d) => inputs::display(&d.join(file)),
        }
    }

    /// A pack error as people read it: `SOURCE: the pack has N problems`, each problem's
    /// file named as [`show_file`](PackRef::show_file) names it (`p2/rules/x.rhai`, not
    /// `rules/x.rhai`), as `attest check` does.
    pub fn error(&self, e: PackError) -> String {
        format!("{self}: {}", renamed(e, |file| self.show_file(file)))
    }
}

/// `e` with each problem's file named by `show`.
fn renamed(mut e: PackError, show: impl Fn(&str) -> String) -> PackError {
    for d in &mut e.0 {
        d.file = show(&d.file);
    }
    e
}

impl fmt::Display for PackRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackRef::Builtin => write!(f, "built-in pack {BUILTIN}"),
            PackRef::Dir(d) => f.write_str(&inputs::shown(d)),
        }
    }
}

/// A pack as loaded: the resolved pack, and what it was built from.
pub struct Loaded {
    /// Where it came from.
    pub source: PackRef,
    /// Its own files (not its bases').
    pub files: Vec<PackFile>,
    /// The resolved pack it extends, if any.
    pub base: Option<Pack>,
    /// The pack, with its bases merged in.
    pub pack: Pack,
    /// The folders read: the pack's and its bases' (none for the built-in pack).
    pub folders: Vec<PathBuf>,
}

impl Loaded {
    /// Compiles the pack's rules with the default sandbox limits.
    pub fn engine(&self) -> Result<Engine, String> {
        self.engine_with(Limits::default())
    }

    /// Compiles the pack's rules with the given sandbox limits.
    pub fn engine_with(&self, limits: Limits) -> Result<Engine, String> {
        Engine::new(self.pack.clone(), limits)
            .map_err(|e| format!("{}: {}", self.source, renamed(e, |f| self.show_file(f))))
    }

    /// How a file of the resolved pack is shown to people: the pack's own as
    /// [`PackRef::show_file`] shows it; an inherited one in the nearest base folder that has
    /// it; else (a file of the built-in pack) its path within the pack.
    pub fn show_file(&self, file: &str) -> String {
        if self.files.iter().any(|f| f.path == file) {
            return self.source.show_file(file);
        }
        self.folders
            .iter()
            .skip(1)
            .map(|dir| dir.join(file))
            .find(|path| path.is_file())
            .map_or_else(|| file.to_owned(), |path| inputs::display(&path))
    }

    /// Whether a rule of the resolved pack is the pack's own (added or overriding), not
    /// inherited from a base.
    pub fn owns(&self, rule: &attest_engine::pack::Rule) -> bool {
        self.files.iter().any(|f| f.path == rule.path) && rule.pack == self.pack.manifest().name
    }
}

/// A pack's own files and its resolved base, read but not built into a pack.
pub struct Read {
    /// The pack's own files.
    pub files: Vec<PackFile>,
    /// The resolved pack it extends, if any.
    pub base: Option<Pack>,
    /// The folders read: the pack's and its bases'.
    pub folders: Vec<PathBuf>,
}

/// The pack's own files and its resolved base, without building the pack itself (for
/// `attest check`, which reports the pack's problems instead of failing on them). Each
/// pack folder is read within `limit`.
pub fn files_and_base(source: &PackRef, limit: SizeLimit) -> Result<Read, String> {
    let mut resolver = Resolver {
        limit,
        chain: Vec::new(),
        folders: Vec::new(),
    };
    let (files, base) = resolver.resolve(source)?;
    Ok(Read {
        files,
        base,
        folders: resolver.folders,
    })
}

/// Every diagnostic of a pack's own `files` (extending `base`), errors and warnings, in the
/// order of their files and places.
pub fn diagnostics(files: &[PackFile], base: Option<&Pack>) -> Vec<Diagnostic> {
    let mut diags = Engine::check(files, base);
    diags.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code.as_str()).cmp(&(
            &b.file,
            b.line,
            b.column,
            b.code.as_str(),
        ))
    });
    diags
}

/// Loads a pack and everything it extends, each pack folder within `limit`.
pub fn load(source: &PackRef, limit: SizeLimit) -> Result<Loaded, String> {
    let Read {
        files,
        base,
        folders,
    } = files_and_base(source, limit)?;
    let pack = Pack::from_files_extending(&files, base.clone()).map_err(|e| {
        // Every error `attest check` finds, not only those that kept the pack from loading
        // (a file refused whole hides the syntax errors of the others).
        let all: Vec<Diagnostic> = diagnostics(&files, base.as_ref())
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        source.error(if all.len() > e.0.len() {
            PackError(all)
        } else {
            e
        })
    })?;
    Ok(Loaded {
        source: source.clone(),
        files,
        base,
        pack,
        folders,
    })
}

/// A pack and the packs it extends, as (where from, its own files), the pack first and the
/// pack that extends nothing last: what an auditor's bundle keeps to rebuild the pack.
/// Expects a pack [`load`] accepted (a cycle or a base that does not load is its error).
pub fn chain(source: &PackRef, limit: SizeLimit) -> Result<Vec<(PackRef, Vec<PackFile>)>, String> {
    let mut out: Vec<(PackRef, Vec<PackFile>)> = Vec::new();
    let mut next = Some(source.clone());
    while let Some(source) = next.take() {
        if out.len() > 64 {
            return Err(format!(
                "{source}: packs extend each other more than 64 deep"
            ));
        }
        let files = source.files(limit)?;
        if let PackRef::Dir(dir) = &source {
            next = files
                .iter()
                .find(|f| f.path == "pack.toml")
                .and_then(|m| toml::from_str::<Head>(&m.text).ok())
                .and_then(|h| h.extends)
                .map(|e| PackRef::parse(e.get_ref(), dir));
        }
        out.push((source, files));
    }
    Ok(out)
}

/// Builds a pack from a [`chain`]'s files: each pack on top of the one it extends.
pub fn rebuild(chain: &[Vec<PackFile>]) -> Result<Pack, String> {
    let mut base: Option<Pack> = None;
    for files in chain.iter().rev() {
        base = Some(Pack::from_files_extending(files, base.take()).map_err(|e| e.to_string())?);
    }
    base.ok_or_else(|| "no pack".to_owned())
}

/// The head of `pack.toml`: only what the CLI needs to find the base. Every other field
/// is the engine's to check.
#[derive(Deserialize)]
struct Head {
    extends: Option<toml::Spanned<String>>,
}

/// Resolving a pack's bases: the size limit, the folders being resolved (canonical,
/// shown; to detect a pack that extends itself) and every folder read.
struct Resolver {
    limit: SizeLimit,
    chain: Vec<(PathBuf, String)>,
    folders: Vec<PathBuf>,
}

impl Resolver {
    /// Reads `source`'s files and resolves its base.
    fn resolve(&mut self, source: &PackRef) -> Result<(Vec<PackFile>, Option<Pack>), String> {
        let files = source.files(self.limit)?;
        let PackRef::Dir(dir) = source else {
            // The built-in pack extends nothing.
            return Ok((files, None));
        };
        self.folders.push(dir.clone());
        let canonical = std::fs::canonicalize(dir).map_err(|e| format!("{source}: {e}"))?;
        if let Some(i) = self.chain.iter().position(|(c, _)| *c == canonical) {
            let mut cycle: Vec<&str> = self
                .chain
                .iter()
                .skip(i)
                .map(|(_, shown)| shown.as_str())
                .collect();
            let shown = source.to_string();
            cycle.push(&shown);
            return Err(format!(
                "the packs extend each other in a cycle: {}",
                cycle.join(" extends ")
            ));
        }
        self.chain.push((canonical, source.to_string()));
        let manifest = files.iter().find(|f| f.path == "pack.toml");
        // An unreadable manifest is reported by the engine, with its position.
        let extends = manifest
            .and_then(|m| toml::from_str::<Head>(&m.text).ok().map(|h| (m, h)))
            .and_then(|(m, h)| h.extends.map(|e| (m, e)));
        let base = match extends {
            None => None,
            Some((manifest, extends)) => {
                let base_ref = PackRef::parse(extends.get_ref(), dir);
                let (base_files, base_base) = self.resolve(&base_ref).map_err(|e| {
                    let (line, col) = inputs::line_col(&manifest.text, extends.span().start);
                    format!(
                        "{}:{line}:{col}: extends `{}`: {e}",
                        source.show_file("pack.toml"),
                        attest_render::escape::line(extends.get_ref())
                    )
                })?;
                let base = Pack::from_files_extending(&base_files, base_base).map_err(|e| {
                    let e = renamed(e, |file| base_ref.show_file(file));
                    format!("{base_ref} (the base of {source}): {e}")
                })?;
                Some(base)
            }
        };
        self.chain.pop();
        Ok((files, base))
    }
}

/// `rel` relative to `base` (unless it is absolute), with `dir/..` steps folded away so
/// that paths read as people would write them (`examples/base`, not
/// `examples/acme-pack/../base`).
pub fn join(base: &Path, rel: &Path) -> PathBuf {
    if rel.is_absolute() {
        return rel.to_path_buf();
    }
    let mut out = PathBuf::new();
    for part in base.join(rel).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}
