//! What the commands that evaluate facts (`eval`, `sample`, `vendors`) read, decided once:
//! which facts, and which files no output of theirs may replace.

use crate::config::{self, Config};
use crate::output::Input;
use crate::packs::Loaded;
use std::path::{Path, PathBuf};

/// The facts files and folders of a run: those given, else the configuration's; an error
/// when neither names any.
pub fn facts_paths<'a>(given: &'a [PathBuf], config: &'a Config) -> Result<&'a [PathBuf], String> {
    let paths = if given.is_empty() {
        &config.facts
    } else {
        given
    };
    if paths.is_empty() {
        return Err(format!(
            "no facts: give FACTS (files or folders) or set `facts` in {}",
            config::FILE_NAME
        ));
    }
    Ok(paths)
}

/// What a run reads, which its outputs may not replace: the facts (and the `*.json` of a
/// facts folder), every folder of the pack and of the packs it extends, the configuration,
/// and `more` (a waivers file, a baseline: each with what it is, for the message).
pub fn guarded<'a>(
    facts: &'a [PathBuf],
    loaded: &'a Loaded,
    config: &'a Config,
    more: impl IntoIterator<Item = (&'a Path, &'static str)>,
) -> Vec<Input<'a>> {
    let mut inputs: Vec<Input<'a>> = facts
        .iter()
        .map(|p| Input {
            path: p,
            what: "facts",
            extension: Some("json"),
        })
        .collect();
    inputs.extend(more.into_iter().map(|(path, what)| Input {
        path,
        what,
        extension: None,
    }));
    inputs.extend(loaded.folders.iter().map(|p| Input {
        path: p,
        what: "the pack",
        extension: None,
    }));
    inputs.extend(config.path.iter().map(|p| Input {
        path: p,
        what: "the configuration",
        extension: None,
    }));
    inputs
}
