//! Samples drawn from a rule's population, for auditors (`attest sample`).

use super::{Engine, EvalError, EvalOptions};
use crate::facts::Facts;
use crate::pack::Frequency;
use crate::report::RuleResult;
use crate::sample::{self, Sample};

impl Engine {
    /// Evaluates rule `rule_id` and draws a sample of `size` records from its population
    /// with `seed` (see [`sample`](crate::sample) for how). Without `size`, the pack's
    /// `sample_size_<frequency>` for the rule's frequency (`event` when it declares none),
    /// else the auditors' table ([`sample::default_size`]). Returns the sample and the
    /// rule's result (whose status says whether the rule could judge its population), or
    /// `None` when the pack has no such rule. A rule all of whose criteria are out of scope
    /// is not run, as in [`evaluate`](Engine::evaluate): its population is empty. A size of 0,
    /// given or from the pack's parameter, is refused ([`EvalError::EmptySample`],
    /// [`EvalError::BadParam`]): a sample draws at least one record.
    pub fn sample(
        &self,
        rule_id: &str,
        facts: &Facts,
        options: &EvalOptions,
        size: Option<u64>,
        seed: u64,
    ) -> Result<Option<(Sample, RuleResult)>, EvalError> {
        if size == Some(0) {
            return Err(EvalError::EmptySample);
        }
        let options = options.clone().with_populations(true);
        let run = self.run(facts, &options)?;
        let Some(i) = self.pack.rules.iter().position(|r| r.meta.id == rule_id) else {
            return Ok(None);
        };
        let rule = &self.pack.rules[i];
        let frequency = rule.meta.frequency.unwrap_or(Frequency::Event);
        let size = match size {
            Some(n) => n,
            None => {
                let name = sample::size_param(frequency);
                match run.params.map.get(name.as_str()).map(|v| v.as_int()) {
                    None => sample::default_size(frequency),
                    Some(Ok(n)) => match u64::try_from(n) {
                        Ok(n) if n > 0 => n,
                        _ => {
                            return Err(EvalError::BadParam {
                                name,
                                message: format!("expected a sample size of 1 or more, got {n}"),
                            });
                        }
                    },
                    Some(Err(_)) => {
                        return Err(EvalError::BadParam {
                            name,
                            message: "expected an integer sample size".to_owned(),
                        });
                    }
                }
            }
        };
        // As in a report: a rule whose criteria are all out of scope is not run, so its
        // population is empty (a sample of it draws nothing).
        let result = match self.in_scope(rule, facts) {
            true => self.run_rule(i, &run).0,
            false => super::out_of_scope(rule, &options),
        };
        let population = result.population.records.clone().unwrap_or_default();
        let records = sample::draw(population.len(), size, seed)
            .into_iter()
            .filter_map(|i| population.get(i).cloned())
            .collect();
        let sample = Sample {
            rule: rule.meta.id.clone(),
            frequency,
            seed,
            size,
            population: population.len() as u64,
            generator: sample::GENERATOR.to_owned(),
            evaluated_on: run.as_of.to_string(),
            period: run.period,
            params: super::settings(&self.pack, &options.params),
            facts_digest: facts.digest().to_owned(),
            pack_digest: self.pack.digest.clone(),
            records,
        };
        Ok(Some((sample, result)))
    }
}
