//! The samples a bundle holds (`attest bundle --sample RULE:SEED[:SIZE]`): each drawn from its
//! rule's population as `attest sample` draws it, kept as JSON and text under `samples/`, and
//! drawn again by `bundle verify`.

use attest_engine::{Engine, EvalOptions, Facts, Status};
use attest_render as render;
use serde::{Deserialize, Serialize};

/// The folder of the samples in a bundle.
pub const SAMPLES: &str = "samples";

/// One sample to draw: the rule, the seed and the size (default: the pack's for the rule's
/// frequency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleSpec {
    /// The rule whose population is sampled.
    pub rule: String,
    /// The generator's seed.
    pub seed: u64,
    /// How many records: on the command line, when not the pack's size for the rule's
    /// frequency; in a manifest, the size the sample was drawn at, whichever it was (bundles
    /// that do not say drew the pack's size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// `RULE:SEED` or `RULE:SEED:SIZE`, as `--sample` takes it.
pub fn parse(text: &str) -> Result<SampleSpec, String> {
    let expected = || format!("`{text}`: expected RULE:SEED or RULE:SEED:SIZE");
    let mut parts = text.split(':');
    let rule = parts
        .next()
        .filter(|r| !r.is_empty())
        .ok_or_else(expected)?;
    let seed = parts
        .next()
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(expected)?;
    let size = parts
        .next()
        .map(|s| s.parse::<u64>().map_err(|_| expected()))
        .transpose()?;
    if parts.next().is_some() {
        return Err(expected());
    }
    if size == Some(0) {
        return Err(format!("`{text}`: SIZE must be at least 1"));
    }
    Ok(SampleSpec {
        rule: rule.to_owned(),
        seed,
        size,
    })
}

/// Refuses two samples of one rule with one seed: they would be one file
/// (`samples/<rule>-<seed>`), the one drawn last in place of the other, which the manifest
/// would still list.
pub fn refuse_repeats(specs: &[SampleSpec]) -> Result<(), String> {
    for (i, spec) in specs.iter().enumerate() {
        if specs[..i]
            .iter()
            .any(|s| s.rule == spec.rule && s.seed == spec.seed)
        {
            return Err(format!(
                "--sample {}:{}: a sample of this rule with this seed is already asked for: one sample per rule and seed (give another seed)",
                spec.rule, spec.seed
            ));
        }
    }
    Ok(())
}

/// The samples drawn.
pub struct Drawn {
    /// The files as (path in the bundle, content): `<rule>-<seed>.json` (what `attest sample
    /// --format json` writes) and `.txt`.
    pub files: Vec<(String, String)>,
    /// The specs with the size each sample was drawn at (the one given, else the pack's for
    /// the rule's frequency), as the manifest records them.
    pub specs: Vec<SampleSpec>,
}

/// Draws every sample with the evaluation's options.
pub fn draw(
    engine: &Engine,
    facts: &Facts,
    options: &EvalOptions,
    specs: &[SampleSpec],
) -> Result<Drawn, String> {
    let mut files = Vec::new();
    let mut drawn = Vec::new();
    for spec in specs {
        let (sample, result) = engine
            .sample(&spec.rule, facts, options, spec.size, spec.seed)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("--sample: no rule `{}` in the pack", spec.rule))?;
        if result.status == Status::Error {
            let why = result.error.map(|e| e.message).unwrap_or_default();
            return Err(format!(
                "--sample {}: the rule could not judge its population, so there is nothing to sample from: {why}",
                spec.rule
            ));
        }
        let stem = format!("{SAMPLES}/{}-{}", spec.rule, spec.seed);
        files.push((format!("{stem}.json"), sample.to_json()));
        files.push((format!("{stem}.txt"), render::sample_text(&sample)));
        drawn.push(SampleSpec {
            size: Some(sample.size),
            ..spec.clone()
        });
    }
    Ok(Drawn {
        files,
        specs: drawn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_samples_of_one_rule_and_seed_are_refused() {
        let specs: Vec<SampleSpec> = ["r:42:3", "q:42", "r:042:5"]
            .iter()
            .map(|t| parse(t).unwrap())
            .collect();
        assert_eq!(
            refuse_repeats(&specs).unwrap_err(),
            "--sample r:42: a sample of this rule with this seed is already asked for: one sample per rule and seed (give another seed)"
        );
        assert_eq!(refuse_repeats(&specs[..2]), Ok(()));
    }

    #[test]
    fn specs_are_a_rule_a_seed_and_maybe_a_size() {
        assert_eq!(
            parse("access.leaver-accounts:42").unwrap(),
            SampleSpec {
                rule: "access.leaver-accounts".to_owned(),
                seed: 42,
                size: None
            }
        );
        assert_eq!(parse("a.b:7:3").unwrap().size, Some(3));
        for bad in ["", "a.b", "a.b:x", ":1", "a.b:1:x", "a.b:1:2:3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse("a.b:7:0"),
            Err("`a.b:7:0`: SIZE must be at least 1".to_owned())
        );
    }
}
