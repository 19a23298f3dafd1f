//! `attest import SOURCE FILE...`: the exports teams already have, as facts-v1 JSON ready to
//! sit in a facts folder beside the rest (`docs/importers.md`).

use crate::config::SizeArg;
use crate::import::accounts::{Admins, Options};
use crate::import::existing::{Previous, Writes};
use crate::import::identity::{IdentityMap, Linker, People};
use crate::import::mapped_csv::LeftOut;
use crate::import::mapping::Mapping;
use crate::import::okta::Factors;
use crate::import::records::{Output, Record, key_fields, schema_document};
use crate::import::{Input, Problem, aws_iam, github, google_workspace, mapped_csv, okta};
use crate::inputs::SizeLimit;
use crate::output::{Input as RunInput, Target, refuse_inputs, refuse_unwritable, resolved};
use crate::{Outcome, inputs, packs};
use std::path::{Path, PathBuf};

/// The exports `attest import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceArg {
    /// The CSV of `aws iam get-credential-report` (IAM users and the root user).
    AwsIamCredentialReport,
    /// The JSON of Okta's `GET /api/v1/users`.
    OktaUsers,
    /// The JSON of GitHub's `GET /orgs/{org}/members`.
    GithubMembers,
    /// The Google Admin console's user list (CSV).
    GoogleWorkspaceUsers,
    /// Any CSV, through a mapping file (`--mapping MAP.toml`).
    Csv,
}

impl SourceArg {
    /// The name on the command line.
    fn name(self) -> &'static str {
        match self {
            SourceArg::AwsIamCredentialReport => "aws-iam-credential-report",
            SourceArg::OktaUsers => "okta-users",
            SourceArg::GithubMembers => "github-members",
            SourceArg::GoogleWorkspaceUsers => "google-workspace-users",
            SourceArg::Csv => "csv",
        }
    }

    /// The `system_id` of the accounts, unless `--system` says otherwise (`None`: the
    /// source is not an account export).
    fn default_system(self) -> Option<&'static str> {
        match self {
            SourceArg::AwsIamCredentialReport => Some("aws"),
            SourceArg::OktaUsers => Some("okta"),
            SourceArg::GithubMembers => Some("github"),
            SourceArg::GoogleWorkspaceUsers => Some("google-workspace"),
            SourceArg::Csv => None,
        }
    }

    /// The fields of the accounts this run fills: those the export can ([`Self::fills`])
    /// but the ones it fills only from a file not given: `privileged` without `--admins`,
    /// `mfa` without Okta's `--factors` or GitHub's `--two-factor-disabled`, `person_id` and
    /// `owner_id` without `--people` or `--identity-map`. Those are kept from the output it
    /// replaces, as the fields no export fills are.
    fn filled(self, args: &Args) -> Vec<String> {
        let linked = args.people.is_some() || args.identity_map.is_some();
        let mfa = match self {
            SourceArg::OktaUsers => args.factors.is_some(),
            SourceArg::GithubMembers => args.two_factor_disabled.is_some(),
            _ => true,
        };
        self.fills()
            .into_iter()
            .filter(|f| match *f {
                "privileged" => args.admins.is_some(),
                "mfa" => mfa,
                "person_id" | "owner_id" => linked,
                _ => true,
            })
            .map(str::to_owned)
            .collect()
    }

    /// The fields of the accounts an account export can fill: the others (`approved_by`,
    /// `role`...) are kept from the output it replaces (a csv import fills its mapping's).
    fn fills(self) -> Vec<&'static str> {
        // What every account importer fills (GitHub's members list no more).
        const LINKED: [&str; 8] = [
            "system_id",
            "username",
            "kind",
            "status",
            "person_id",
            "owner_id",
            "privileged",
            "mfa",
        ];
        let more: &[&str] = match self {
            SourceArg::AwsIamCredentialReport => &["created_on", "last_login_on"],
            SourceArg::OktaUsers => &["created_on", "last_login_on", "disabled_on"],
            SourceArg::GithubMembers => &[],
            SourceArg::GoogleWorkspaceUsers => &["last_login_on"],
            SourceArg::Csv => return Vec::new(),
        };
        LINKED.iter().chain(more).copied().collect()
    }
}

/// Arguments of `attest import`.
#[derive(clap::Args)]
pub struct Args {
    /// What the files are.
    #[arg(value_enum)]
    source: SourceArg,
    /// The exports (several files of one source are imported together: pages of a list).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write the facts JSON to FILE, whole or not at all (default: stdout; `-` is stdout).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Facts (a file or folder) whose `people` accounts are linked to, by email or login.
    #[arg(long, value_name = "FILE_OR_DIR")]
    people: Option<PathBuf>,
    /// The `system_id` of the accounts (default: aws, okta, github or google-workspace).
    #[arg(long, value_name = "ID")]
    system: Option<String>,
    /// A CSV of `account,person_id[,system][,kind]` linking the accounts whose names match
    /// no person's email, and marking service and shared accounts with their owner.
    #[arg(long, value_name = "FILE")]
    identity_map: Option<PathBuf>,
    /// Privileged users: names, one a line; or GitHub's members list with role=admin; or
    /// the JSON of `aws iam get-account-authorization-details`.
    #[arg(long, value_name = "FILE")]
    admins: Option<PathBuf>,
    /// github-members: the members list with filter=2fa_disabled (the others have 2FA).
    #[arg(long, value_name = "FILE")]
    two_factor_disabled: Option<PathBuf>,
    /// okta-users: each user id's factors (GET /api/v1/users/{id}/factors), as one object.
    #[arg(long, value_name = "FILE")]
    factors: Option<PathBuf>,
    /// csv: the mapping of columns to fields (TOML).
    #[arg(long, value_name = "MAP.toml")]
    mapping: Option<PathBuf>,
    /// Check the output against facts-v1 with this pack's extensions (`facts.schema.json`),
    /// and, for csv, let the mapping fill their fields and collections.
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    /// Replace the --output file even when it holds more than this import writes (other
    /// systems' accounts, other collections, a file that is not JSON).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    limit: SizeArg,
}

impl Args {
    /// The most bytes one input may hold (`--max-input-size`, else 1 GiB).
    fn limit(&self) -> SizeLimit {
        self.limit.max_input_size.unwrap_or_default()
    }
}

/// Imports the exports; exit 0 when the facts are written, 2 when an input cannot be used
/// (nothing is written then).
pub fn run(args: &Args) -> Result<Outcome, String> {
    check_flags(args)?;
    // Every file named is read whole. A `--people` folder is read only for its people: the
    // output may go into it (`--people facts/ --output facts/accounts.json`), but not onto a
    // file of it that holds people (checked once they are read).
    let people_file = args.people.as_ref().filter(|p| !p.is_dir());
    let reads: Vec<RunInput<'_>> = args
        .files
        .iter()
        .chain(people_file)
        .chain(&args.identity_map)
        .chain(&args.admins)
        .chain(&args.two_factor_disabled)
        .chain(&args.factors)
        .chain(&args.mapping)
        .map(|path| RunInput {
            path,
            what: "an input",
            extension: None,
        })
        .collect();
    if let Target::File(out) = Target::from_arg(args.output.as_deref()) {
        refuse_unwritable(out)?;
        refuse_inputs(out, &reads)?;
    }
    let pack = match &args.pack {
        Some(dir) => Some(packs::load(
            &packs::PackRef::Dir(dir.clone()),
            args.limit(),
        )?),
        None => None,
    };
    let schema = pack.as_ref().and_then(|l| l.pack.facts_schema());
    let people = match &args.people {
        Some(path) => {
            let files: Vec<Input> = inputs::read_facts(std::slice::from_ref(path), args.limit())?
                .into_iter()
                .map(|(name, text)| Input::new(name, text))
                .filter(|file| !replaced_and_broken(file, args.output.as_deref()))
                .collect();
            let people = People::from_facts(&files, &inputs::display(path)).map_err(show)?;
            if let Some(out) = &args.output {
                refuse_people(out, &people)?;
            }
            Some(people)
        }
        None => None,
    };
    let files = args
        .files
        .iter()
        .map(|p| read(p, args.limit()))
        .collect::<Result<Vec<Input>, String>>()?;
    let document = schema_document(schema).map_err(show)?;
    let mapping = match args.source {
        SourceArg::Csv => Some(mapping(args, &document, people.as_ref())?),
        _ => None,
    };
    // The fields the import fills, by their top-level name (`employment` for a mapping's
    // `employment.status`): the others are kept from the output it replaces.
    let (collection, fills): (&str, Vec<String>) = match &mapping {
        Some(m) => (
            &m.collection,
            m.fields
                .iter()
                .map(|f| f.path.split('.').next().unwrap_or_default().to_owned())
                .collect(),
        ),
        None => ("accounts", args.source.filled(args)),
    };
    let previous = previous(args, collection, &fills, &document)?;
    let (mut output, mut summary) = match &mapping {
        Some(mapping) => csv(mapping, &files, people.as_ref())?,
        None => accounts(args, &files, people.as_ref())?,
    };
    if let Some(previous) = previous {
        summary.push_str(&keep(args, previous, &mut output, &fills, &document)?);
    }
    let text = output.finish(schema).map_err(show_all)?;
    // Its errors name the output.
    Target::from_arg(args.output.as_deref()).write(&text)?;
    crate::output::tell(summary.strip_suffix('\n').unwrap_or(&summary));
    Ok(Outcome::Clean)
}

/// Whether `file`, a file of the `--people` folder, is the one the output replaces and is
/// not JSON (a broken output of an earlier run): it is not read for people, so it does not
/// stop the run that replaces it (whether it may be replaced is [`keep`]'s to say).
fn replaced_and_broken(file: &Input, output: Option<&Path>) -> bool {
    let target = output.and_then(resolved);
    target.is_some_and(|t| Path::new(&file.name).canonicalize().is_ok_and(|p| p == t))
        && crate::import::parse_json(file).is_err()
}

/// The file the output replaces, when there is one, read before the import (so it is not
/// held whole beside the import's records): what it holds, and of its records of
/// `collection` those with fields the import does not fill (`fills`).
fn previous(
    args: &Args,
    collection: &str,
    fills: &[String],
    document: &serde_json::Value,
) -> Result<Option<Previous>, String> {
    let Target::File(out) = Target::from_arg(args.output.as_deref()) else {
        return Ok(None);
    };
    if !std::fs::metadata(out).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let file = Input::new(inputs::display(out), inputs::read_text(out, args.limit())?);
    let keys = key_fields(document, collection);
    let fills = |f: &str| fills.iter().any(|x| x == f);
    Ok(Some(Previous::read(&file, collection, &keys, fills)))
}

/// Refuses to replace the `previous` output when it holds more than the import writes
/// (unless `--force`), and carries over onto `output` the fields of its records that the
/// import does not fill (`fills`). The summary lines of what was kept.
fn keep(
    args: &Args,
    previous: Previous,
    output: &mut Output,
    fills: &[String],
    document: &serde_json::Value,
) -> Result<String, String> {
    let mut systems: Vec<String> = match output.collection.as_str() {
        "accounts" => output
            .records
            .iter()
            .filter_map(|r| r.value.get("system_id")?.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    systems.sort();
    systems.dedup();
    let writes = Writes {
        collection: &output.collection,
        systems,
    };
    previous.refuse(&writes, args.force)?;
    let name = previous.name().to_owned();
    let kept = output.carry_over(previous.records(), &name, document, |f| {
        fills.iter().any(|x| x == f)
    });
    if !kept.twice.is_empty() && !args.force {
        return Err(format!(
            "{name}: refusing to replace it: it holds {} more than once, with different fields the export does not give ({}), and which to keep is not guessed: remove the others, or give --force to keep the first's",
            output.collection,
            kept.twice.join(", ")
        ));
    }
    let mut summary = String::new();
    let what = &output.collection;
    if kept.records > 0 {
        let fields: Vec<&str> = kept.fields.iter().map(String::as_str).collect();
        summary.push_str(&format!(
            "kept from {name} what the export does not give: {} of {} {what}\n",
            fields.join(", "),
            kept.records,
        ));
    }
    if !kept.gone.is_empty() {
        summary.push_str(&format!(
            "not kept: the export no longer has these {what} of {name}, with fields it does not give: {}\n",
            kept.gone.join(", ")
        ));
    }
    Ok(summary)
}

/// Refuses an output onto a file the people came from.
fn refuse_people(output: &Path, people: &People) -> Result<(), String> {
    let Some(target) = resolved(output) else {
        return Ok(());
    };
    match people
        .files
        .iter()
        .find(|f| Path::new(f).canonicalize().is_ok_and(|p| p == target))
    {
        Some(file) => Err(format!(
            "{}: refusing to write there: it holds the people this run reads ({file})",
            inputs::display(output)
        )),
        None => Ok(()),
    }
}

/// Refuses flags the source does not read.
fn check_flags(args: &Args) -> Result<(), String> {
    let source = args.source;
    let only = |given: bool, flag: &str, sources: &[SourceArg]| -> Result<(), String> {
        if given && !sources.contains(&source) {
            let names: Vec<&str> = sources.iter().map(|s| s.name()).collect();
            return Err(format!(
                "{flag} is for {}, not {}",
                names.join(" and "),
                source.name()
            ));
        }
        Ok(())
    };
    let accounts = [
        SourceArg::AwsIamCredentialReport,
        SourceArg::OktaUsers,
        SourceArg::GithubMembers,
        SourceArg::GoogleWorkspaceUsers,
    ];
    only(args.factors.is_some(), "--factors", &[SourceArg::OktaUsers])?;
    only(
        args.two_factor_disabled.is_some(),
        "--two-factor-disabled",
        &[SourceArg::GithubMembers],
    )?;
    only(args.mapping.is_some(), "--mapping", &[SourceArg::Csv])?;
    only(args.system.is_some(), "--system", &accounts)?;
    only(args.identity_map.is_some(), "--identity-map", &accounts)?;
    only(args.admins.is_some(), "--admins", &accounts)?;
    if source == SourceArg::Csv && args.mapping.is_none() {
        return Err("csv needs --mapping MAP.toml: which column fills which field".to_owned());
    }
    if args.system.as_deref().is_some_and(|s| s.trim().is_empty()) {
        return Err("--system is empty: give the id of the system the accounts are on".to_owned());
    }
    Ok(())
}

/// Reads a file as an import input.
fn read(path: &Path, limit: SizeLimit) -> Result<Input, String> {
    inputs::refuse_dash(path, "imports are read from files")?;
    Ok(Input::new(
        inputs::display(path),
        inputs::read_text(path, limit)?,
    ))
}

fn show(problem: Problem) -> String {
    problem.to_string()
}

fn show_all(problems: Vec<Problem>) -> String {
    match problems.as_slice() {
        [one] => one.to_string(),
        many => {
            let mut out = format!("the import has {} problems", many.len());
            for p in many {
                out.push_str(&format!("\n  {p}"));
            }
            out
        }
    }
}

/// An account export: its records and the summary (counts, who is linked to whom).
fn accounts(
    args: &Args,
    files: &[Input],
    people: Option<&People>,
) -> Result<(Output, String), String> {
    let map = match &args.identity_map {
        Some(path) => Some(IdentityMap::parse(&read(path, args.limit())?, people).map_err(show)?),
        None => None,
    };
    let admins = match &args.admins {
        Some(path) => Some(Admins::read(&read(path, args.limit())?).map_err(show)?),
        None => None,
    };
    let two_factor_disabled = match &args.two_factor_disabled {
        Some(path) => Some(github::logins(&read(path, args.limit())?).map_err(show)?),
        None => None,
    };
    let factors = match &args.factors {
        Some(path) => Some(Factors::read(&read(path, args.limit())?).map_err(show)?),
        None => None,
    };
    let options = Options {
        system: args
            .system
            .clone()
            .or_else(|| args.source.default_system().map(str::to_owned))
            .unwrap_or_default(),
        admins,
    };
    let mut linker = Linker::new(people, map.as_ref());
    let mut records: Vec<Record> = Vec::new();
    for file in files {
        let found = match args.source {
            SourceArg::AwsIamCredentialReport => aws_iam::import(file, &options, &mut linker),
            SourceArg::OktaUsers => okta::import(file, factors.as_ref(), &options, &mut linker),
            SourceArg::GithubMembers => {
                github::import(file, two_factor_disabled.as_ref(), &options, &mut linker)
            }
            SourceArg::GoogleWorkspaceUsers => {
                google_workspace::import(file, &options, &mut linker)
            }
            SourceArg::Csv => Ok(Vec::new()),
        };
        records.extend(found.map_err(show)?);
    }
    let mut summary = format!(
        "imported {} account{} on {} from {}\n",
        records.len(),
        plural(records.len()),
        options.system,
        names(files)
    );
    summary.push_str(&linker.summary(records.len()));
    if let Some(admins) = &options.admins {
        summary.extend(admins.notes().iter().map(String::as_str));
    }
    if let Some(admins) = &options.admins
        && admins.is_empty()
    {
        summary.push_str(&format!(
            "--admins ({}) names nobody with administrator access: it makes no account privileged\n",
            args.admins
                .as_deref()
                .map(inputs::display)
                .unwrap_or_default()
        ));
    }
    // The lists of the import's accounts: one that matches none is refused, the entries no
    // account matched are told.
    let lists = [
        options.admins.as_ref().map(Admins::listed),
        two_factor_disabled.as_ref(),
        factors.as_ref().map(Factors::listed),
    ];
    for list in lists.into_iter().flatten() {
        if let Some(note) = list.check().map_err(show)? {
            summary.push_str(&note);
        }
    }
    if let Some(map) = &map {
        let unused = map.unused(&options.system);
        if !unused.is_empty() {
            summary.push_str(&format!(
                "the identity map names accounts this import does not have: {}\n",
                unused.join(", ")
            ));
        }
    }
    Ok((
        Output {
            collection: "accounts".to_owned(),
            records,
        },
        summary,
    ))
}

/// The mapping of a csv import (`--mapping`), checked against the facts schema
/// `document`.
fn mapping(
    args: &Args,
    document: &serde_json::Value,
    people: Option<&People>,
) -> Result<Mapping, String> {
    let path = args
        .mapping
        .as_deref()
        .ok_or("csv needs --mapping MAP.toml")?;
    let file = read(path, args.limit())?;
    let mapping = Mapping::parse(&file.name, &file.text, document).map_err(show)?;
    if mapping.links() && people.is_none() {
        return Err(format!(
            "{}: the mapping links emails to people (`link = \"email\"`): give --people",
            file.name
        ));
    }
    Ok(mapping)
}

/// A CSV export through its mapping.
fn csv(
    mapping: &Mapping,
    files: &[Input],
    people: Option<&People>,
) -> Result<(Output, String), String> {
    let mut left_out = LeftOut::default();
    let mut records = Vec::new();
    for input in files {
        records.extend(mapped_csv::import(input, mapping, people, &mut left_out).map_err(show)?);
    }
    let mut summary = format!(
        "imported {} record{} of {} from {}",
        records.len(),
        plural(records.len()),
        mapping.collection,
        names(files)
    );
    if left_out.skipped > 0 {
        summary.push_str(&format!(
            " ({} row{} skipped by the mapping)",
            left_out.skipped,
            plural(left_out.skipped)
        ));
    }
    summary.push('\n');
    if !left_out.unlinked.is_empty() {
        summary.push_str(&format!(
            "{} email{} linked to nobody:\n",
            left_out.unlinked.len(),
            plural(left_out.unlinked.len())
        ));
        for (at, email, what) in &left_out.unlinked {
            summary.push_str(&format!("  {at}: {email} ({what})\n"));
        }
    }
    Ok((
        Output {
            collection: mapping.collection.clone(),
            records,
        },
        summary,
    ))
}

fn names(files: &[Input]) -> String {
    files
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
