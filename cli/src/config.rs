//! `attest.toml`: the pack, parameters, as-of date, facts and output formats of a project,
//! so that a CI job runs `attest eval`, `attest test`, `attest todo` or `attest vendors` with no flags. It is read from the
//! working directory, or from `--config FILE`; flags override it ([`format_and_output`]: a
//! configured `output` keeps its configured `format`). Paths in it are relative to its own
//! folder.
//!
//! ```toml
//! pack = "examples/acme-pack"   # a pack folder, or "soc2" for the built-in pack
//! facts = ["examples/acme"]     # facts files or folders
//! as_of = 2026-06-30            # the date rules treat as today
//! period = "2026-01-01..2026-06-30"  # the audit period rules judge (Type 2)
//! examples = 2026-12-07         # the day `attest init` wrote example records (warned of while left)
//! strict = true                 # fields facts-v1 does not define are errors
//! max_input_size = "2GiB"       # the most bytes one input may hold (default 1GiB)
//!
//! [params]                      # parameter values, as with --param
//! inactive_account_days = 60
//!
//! [eval]
//! format = "json"
//! output = "report.json"
//! explain = true
//!
//! [test]
//! format = "junit"
//! output = "rule-tests.xml"
//! coverage_min = 90
//!
//! [check]
//! format = "json"
//!
//! [todo]
//! format = "markdown"
//! output = "todo.md"
//! owner = "security"            # one owner's items only
//!
//! [vendors]
//! format = "csv"
//! output = "vendors.csv"
//! ```

use crate::inputs::{self, SizeLimit};
use crate::packs::{self, PackRef};
use attest_engine::pack::ParamType;
use attest_engine::{Date, Pack, Period};
use indexmap::IndexMap;
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The configuration file looked for in the working directory.
pub const FILE_NAME: &str = "attest.toml";

/// The `--config FILE` flag shared by the commands that read the configuration, and the
/// input size limit.
#[derive(clap::Args, Debug, Clone)]
pub struct ConfigArg {
    /// Read settings from FILE (default: ./attest.toml, when it exists); flags override them.
    #[arg(long = "config", value_name = "FILE")]
    path: Option<PathBuf>,
    #[command(flatten)]
    limit: SizeArg,
}

impl ConfigArg {
    /// Reads the configuration: the file given, else `./attest.toml` if there is one, else
    /// an empty configuration. The input size limit is the flag's, else the
    /// configuration's, else the default.
    pub fn load(&self) -> Result<Config, String> {
        let limit = self.limit.max_input_size.unwrap_or_default();
        let mut config = match &self.path {
            Some(path) => Config::read(path, limit)?,
            None if Path::new(FILE_NAME).exists() => {
                // Found, not named: a regular file only.
                inputs::require_regular(Path::new(FILE_NAME))?;
                Config::read(Path::new(FILE_NAME), limit)?
            }
            None => Config::default(),
        };
        if let Some(flag) = self.limit.max_input_size {
            config.max_input_size = flag;
        }
        Ok(config)
    }
}

/// `--max-input-size SIZE`: the most bytes one input may hold.
#[derive(clap::Args, Debug, Clone)]
pub struct SizeArg {
    /// The most bytes one input may hold: each file, and the files of the facts or of one
    /// pack folder together (1GiB, 512MiB, 100MB, bytes; 0: no limit; default: the
    /// configuration's `max_input_size`, else 1GiB).
    #[arg(long, value_name = "SIZE", value_parser = SizeLimit::parse)]
    pub max_input_size: Option<SizeLimit>,
}

/// Choosing the pack, for the commands that read one pack: `--pack DIR` and `--config FILE`.
#[derive(clap::Args, Debug, Clone)]
pub struct PackArgs {
    /// Rule pack folder (default: the configuration's pack, else the built-in SOC 2 pack).
    #[arg(long, value_name = "DIR")]
    pub pack: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
}

impl PackArgs {
    /// Reads the configuration and loads the chosen pack (with its bases).
    pub fn load(&self) -> Result<(Config, packs::Loaded), String> {
        let config = self.config.load()?;
        let loaded = packs::load(&config.pack(self.pack.as_deref()), config.max_input_size)?;
        Ok((config, loaded))
    }
}

/// A pack to describe and the format to describe it in: `attest explain` and `attest list`.
#[derive(clap::Args, Debug, Clone)]
pub struct PackReport {
    /// The pack.
    #[command(flatten)]
    pub pack: PackArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: TextOrJson,
}

/// Output formats of the commands that write for people or for programs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TextOrJson {
    /// For people.
    #[default]
    Text,
    /// For editors, CI and scripts.
    Json,
}

/// A value read from the configuration, with where it was written (`attest.toml:4:10`).
#[derive(Debug, Clone)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// `file:line:column` of the value, for messages.
    pub at: String,
}

/// `[eval]`: defaults for `attest eval`.
#[derive(Debug, Clone, Default)]
pub struct EvalSettings {
    /// The report format's name.
    pub format: Option<Setting<String>>,
    /// Where to write the report.
    pub output: Option<PathBuf>,
    /// Whether every rule explains its outcome.
    pub explain: bool,
}

/// `[test]`: defaults for `attest test`.
#[derive(Debug, Clone, Default)]
pub struct TestSettings {
    /// The results format's name.
    pub format: Option<Setting<String>>,
    /// Where to write the results.
    pub output: Option<PathBuf>,
    /// The minimum line coverage, as written (`90`, `87.5`).
    pub coverage_min: Option<Setting<String>>,
}

/// `[check]`: defaults for `attest check`.
#[derive(Debug, Clone, Default)]
pub struct CheckSettings {
    /// The diagnostics format's name.
    pub format: Option<Setting<String>>,
}

/// `[todo]`: defaults for `attest todo`.
#[derive(Debug, Clone, Default)]
pub struct TodoSettings {
    /// The to-do list's format name.
    pub format: Option<Setting<String>>,
    /// Where to write it.
    pub output: Option<PathBuf>,
    /// The one owner to list, as written.
    pub owner: Option<Setting<String>>,
}

/// `[vendors]`: defaults for `attest vendors`.
#[derive(Debug, Clone, Default)]
pub struct VendorsSettings {
    /// The register's format name.
    pub format: Option<Setting<String>>,
    /// Where to write it.
    pub output: Option<PathBuf>,
}

/// The configuration, with paths resolved against the file's folder.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// The most bytes one input may hold.
    pub max_input_size: SizeLimit,
    /// The pack to use.
    pub pack: Option<PackRef>,
    /// Facts files or folders.
    pub facts: Vec<PathBuf>,
    /// The as-of date.
    pub as_of: Option<Date>,
    /// The audit period.
    pub period: Option<Period>,
    /// The day `attest init` wrote the project's example records (`examples`): while any of
    /// them is in the facts, a warning names it.
    pub examples: Option<Date>,
    /// Whether fields facts-v1 does not define are errors (`validate`, `eval`).
    pub strict: bool,
    /// Parameter values.
    pub params: IndexMap<String, Setting<serde_json::Value>>,
    /// `[eval]`.
    pub eval: EvalSettings,
    /// `[test]`.
    pub test: TestSettings,
    /// `[check]`.
    pub check: CheckSettings,
    /// `[todo]`.
    pub todo: TodoSettings,
    /// `[vendors]`.
    pub vendors: VendorsSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    pack: Option<String>,
    #[serde(default)]
    facts: Vec<String>,
    as_of: Option<Spanned<toml::Value>>,
    period: Option<Spanned<String>>,
    examples: Option<Spanned<toml::Value>>,
    #[serde(default)]
    strict: bool,
    max_input_size: Option<Spanned<toml::Value>>,
    #[serde(default)]
    params: IndexMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    eval: RawEval,
    #[serde(default)]
    test: RawTest,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    todo: RawTodo,
    #[serde(default)]
    vendors: RawVendors,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEval {
    format: Option<Spanned<String>>,
    output: Option<String>,
    #[serde(default)]
    explain: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTest {
    format: Option<Spanned<String>>,
    output: Option<String>,
    coverage_min: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    format: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTodo {
    format: Option<Spanned<String>>,
    output: Option<String>,
    owner: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawVendors {
    format: Option<Spanned<String>>,
    output: Option<String>,
}

/// The most unknown keys one reading names.
const MAX_UNKNOWN: usize = 20;

/// A problem of the configuration: its place in the text, when it has one, and what it is.
type Problem = (Option<Range<usize>>, String);

/// Parses the configuration's text, or its problems, each with its place in the text when
/// it has one: every unknown key (in the order they are written), so that one run names
/// them all; else the first other problem.
fn parse_raw(text: &str) -> Result<Raw, Vec<Problem>> {
    let mut text = text.to_owned();
    let mut unknown = Vec::new();
    loop {
        let e = match toml::from_str::<Raw>(&text) {
            Ok(raw) if unknown.is_empty() => return Ok(raw),
            Ok(_) => break,
            Err(e) => e,
        };
        let message = e.message().trim_end().to_owned();
        match e.span() {
            Some(span) if message.starts_with("unknown field") && unknown.len() < MAX_UNKNOWN => {
                blank_entry(&mut text, span.start);
                unknown.push((Some(span), message));
            }
            // Once unknown keys were found, what follows may come of blanking them out.
            _ if !unknown.is_empty() => break,
            span => return Err(vec![(span, message)]),
        }
    }
    unknown.sort_by_key(|(span, _)| span.as_ref().map(|s| s.start));
    Err(unknown)
}

/// Blanks out (with spaces, so every other place stays where it was) the line at `at`, and
/// when that line is a table's header (`[todoo]`), the table's lines up to the next header.
fn blank_entry(text: &mut String, at: usize) {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let is_header = text[start..].trim_start().starts_with('[');
    let mut end = start;
    for line in text[start..].split_inclusive('\n') {
        if end > start && (!is_header || line.trim_start().starts_with('[')) {
            break;
        }
        end += line.len();
    }
    // Spaces take one byte each: a character of several bytes becomes as many spaces.
    let blanked: String = text[start..end]
        .chars()
        .flat_map(|c| std::iter::repeat_n(if c == '\n' { '\n' } else { ' ' }, c.len_utf8()))
        .collect();
    text.replace_range(start..end, &blanked);
}

impl Config {
    /// Reads and checks a configuration file (of at most `limit` bytes).
    pub fn read(path: &Path, limit: SizeLimit) -> Result<Config, String> {
        let text = inputs::read_text(path, limit)?;
        let name = inputs::display(path);
        let at = |span: std::ops::Range<usize>| {
            let (line, col) = inputs::line_col(&text, span.start);
            format!("{name}:{line}:{col}")
        };
        let raw = parse_raw(&text).map_err(|problems| {
            let lines: Vec<String> = problems
                .into_iter()
                .map(|(span, message)| match span {
                    Some(span) => format!("{}: {message}", at(span)),
                    None => format!("{name}: {message}"),
                })
                .collect();
            lines.join("\n")
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let spanned = |s: Option<Spanned<String>>| {
            s.map(|s| Setting {
                at: at(s.span()),
                value: s.into_inner(),
            })
        };
        let date = |key: &str, v: Option<Spanned<toml::Value>>| match v {
            None => Ok(None),
            Some(v) => {
                let text = match v.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Datetime(d) => d.to_string(),
                    other => other.to_string(),
                };
                Date::parse(&text).map(Some).ok_or_else(|| {
                    format!(
                        "{}: {key}: `{text}` is not a date in the form YYYY-MM-DD",
                        at(v.span())
                    )
                })
            }
        };
        let as_of = date("as_of", raw.as_of)?;
        let examples = date("examples", raw.examples)?;
        let period = match raw.period {
            None => None,
            Some(v) => Some(
                Period::parse(v.get_ref()).map_err(|e| format!("{}: period: {e}", at(v.span())))?,
            ),
        };
        let coverage_min = match raw.test.coverage_min {
            None => None,
            Some(v) => {
                let value = match v.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    other => {
                        return Err(format!(
                            "{}: coverage_min: expected a percentage, got {other}",
                            at(v.span())
                        ));
                    }
                };
                Some(Setting {
                    value,
                    at: at(v.span()),
                })
            }
        };
        let max_input_size = match raw.max_input_size {
            None => SizeLimit::default(),
            Some(v) => {
                let parsed = match v.get_ref() {
                    toml::Value::String(s) => SizeLimit::parse(s),
                    toml::Value::Integer(i) => u64::try_from(*i)
                        .map(SizeLimit)
                        .map_err(|_| format!("`{i}` is not a size")),
                    other => Err(format!("expected a size such as \"1GiB\", got {other}")),
                };
                parsed.map_err(|e| format!("{}: max_input_size: {e}", at(v.span())))?
            }
        };
        Ok(Config {
            path: Some(path.to_path_buf()),
            max_input_size,
            pack: raw.pack.map(|p| PackRef::parse(&p, dir)),
            facts: raw
                .facts
                .iter()
                .map(|f| packs::join(dir, Path::new(f)))
                .collect(),
            as_of,
            period,
            examples,
            strict: raw.strict,
            params: raw
                .params
                .into_iter()
                .map(|(name, v)| {
                    let place = at(v.span());
                    let value = to_json(v.get_ref()).map_err(|f| {
                        format!(
                            "{place}: [params] `{name}`: {f} is not a number a parameter can hold (a finite one)"
                        )
                    })?;
                    Ok((name, Setting { at: place, value }))
                })
                .collect::<Result<_, String>>()?,
            eval: EvalSettings {
                format: spanned(raw.eval.format),
                output: raw.eval.output.map(|o| packs::join(dir, Path::new(&o))),
                explain: raw.eval.explain,
            },
            test: TestSettings {
                format: spanned(raw.test.format),
                output: raw.test.output.map(|o| packs::join(dir, Path::new(&o))),
                coverage_min,
            },
            check: CheckSettings {
                format: spanned(raw.check.format),
            },
            todo: TodoSettings {
                format: spanned(raw.todo.format),
                output: raw.todo.output.map(|o| packs::join(dir, Path::new(&o))),
                owner: spanned(raw.todo.owner),
            },
            vendors: VendorsSettings {
                format: spanned(raw.vendors.format),
                output: raw.vendors.output.map(|o| packs::join(dir, Path::new(&o))),
            },
        })
    }

    /// The pack: the flag's, else the configuration's, else the built-in pack.
    pub fn pack(&self, flag: Option<&Path>) -> PackRef {
        match (flag, &self.pack) {
            (Some(dir), _) => PackRef::Dir(dir.to_path_buf()),
            (None, Some(pack)) => pack.clone(),
            (None, None) => PackRef::Builtin,
        }
    }

    /// Parameter values: the configuration's, checked against `pack` (an error names the
    /// line), then the flags' on top.
    pub fn params(
        &self,
        pack: &Pack,
        flags: &[(String, serde_json::Value)],
    ) -> Result<IndexMap<String, serde_json::Value>, String> {
        let mut out = IndexMap::new();
        for (name, setting) in &self.params {
            let spec = pack.manifest().params.get(name).ok_or_else(|| {
                format!(
                    "{}: [params] `{name}`: {}",
                    setting.at,
                    undeclared(pack, name)
                )
            })?;
            spec.check(&setting.value)
                .map_err(|e| format!("{}: [params] `{name}`: {e}", setting.at))?;
            out.insert(name.clone(), setting.value.clone());
        }
        for (name, value) in flags {
            let spec = pack
                .manifest()
                .params
                .get(name)
                .ok_or_else(|| format!("--param {name}: {}", undeclared(pack, name)))?;
            spec.check(value).map_err(|e| {
                // The value is JSON when it parses as JSON, else a string: a list must be
                // written as JSON, which nothing else says.
                let hint = match spec.kind {
                    ParamType::StringList if value.is_string() => {
                        format!(" (write a list as JSON: --param '{name}=[\"a\", \"b\"]')")
                    }
                    _ => String::new(),
                };
                format!("--param {name}: {e}{hint}")
            })?;
            out.insert(name.clone(), value.clone());
        }
        Ok(out)
    }
}

/// Parses a format named in the configuration, with an error naming its place.
pub fn format<F: clap::ValueEnum>(setting: &Setting<String>) -> Result<F, String> {
    F::from_str(&setting.value, false).map_err(|_| {
        let names: Vec<String> = F::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        format!(
            "{}: format `{}` is not one of {}",
            setting.at,
            setting.value,
            names.join(", ")
        )
    })
}

/// A command's format and output: the command line's (`flags`), else those of its section of
/// the configuration (`section`), else `default` and standard output. A configured `output`
/// is written in the configured format only: with a `--format` of another format and no
/// `--output`, the result goes to standard output rather than into that file, which the
/// steps after a CI job's run read in the format they expect.
pub fn format_and_output<'a, F: clap::ValueEnum + Copy + PartialEq>(
    flags: (Option<F>, Option<&'a Path>),
    section: (&Option<Setting<String>>, Option<&'a Path>),
    default: F,
) -> Result<(F, Option<&'a Path>), String> {
    let configured = match section.0 {
        Some(setting) => format(setting)?,
        None => default,
    };
    let chosen = flags.0.unwrap_or(configured);
    let output = flags.1.or(section.1.filter(|_| chosen == configured));
    Ok((chosen, output))
}

/// Why `name` is not a parameter of `pack`: `pack NAME declares no such parameter`, with the
/// closest parameter it declares.
pub fn undeclared(pack: &Pack, name: &str) -> String {
    let hint = pack
        .did_you_mean(name)
        .filter(|near| pack.manifest().params.contains_key(*near))
        .map_or_else(String::new, |near| format!("; did you mean `{near}`?"));
    format!(
        "pack {} declares no such parameter{hint}",
        pack.manifest().name
    )
}

/// `value` as JSON; a float JSON cannot hold (`inf`, `nan`) is an error, the float, rather
/// than the `null` serde_json makes of it.
fn to_json(value: &toml::Value) -> Result<serde_json::Value, f64> {
    use serde_json::Value;
    Ok(match value {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) if !f.is_finite() => return Err(*f),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect::<Result<_, _>>()?),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| Ok::<_, f64>((k.clone(), to_json(v)?)))
                .collect::<Result<_, _>>()?,
        ),
    })
}
