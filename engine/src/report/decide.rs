//! How statuses follow from one another: a finding's status once waivers apply, a rule's
//! from its findings, a control's from its rules, the summary from the controls, and
//! readiness from the counts. The engine, waivers, the gate and every renderer take their
//! statuses from here.

use super::{ControlResult, Counts, Finding, FindingStatus, Report, RuleResult, Status, Summary};
use crate::pack::Category;

impl Finding {
    /// Its status once waivers are applied: `fail`, `warn` or `waived`.
    pub fn effective_status(&self) -> Status {
        match (self.status, &self.waiver) {
            (FindingStatus::Fail, None) => Status::Fail,
            (FindingStatus::Fail, Some(_)) => Status::Waived,
            (FindingStatus::Warn, _) => Status::Warn,
        }
    }
}

impl Status {
    /// A rule's status from the findings of a run that answered: `pass` when there are
    /// none, else the worst of their effective statuses.
    pub(crate) fn of_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Status {
        findings
            .into_iter()
            .fold(Status::Pass, |s, f| s.worst(f.effective_status()))
    }

    /// A control's status: the worst of its rules' statuses when its category is in scope,
    /// `not_applicable` otherwise.
    pub(crate) fn of_control<'a>(
        rules: impl IntoIterator<Item = &'a RuleResult>,
        in_scope: bool,
    ) -> Status {
        if in_scope {
            rules
                .into_iter()
                .fold(Status::NotApplicable, |s, r| s.worst(r.status))
        } else {
            Status::NotApplicable
        }
    }
}

impl RuleResult {
    /// Judges the rule again from its findings after their waivers changed. A rule that
    /// could not answer (`error`) or did not apply keeps its status.
    pub(crate) fn rejudge(&mut self) {
        if !matches!(self.status, Status::Error | Status::NotApplicable) {
            self.status = Status::of_findings(&self.findings);
        }
    }
}

impl Summary {
    /// The counts of `controls`' statuses, overall and per category (every category listed,
    /// in category order).
    pub(crate) fn of(controls: &[ControlResult]) -> Summary {
        let mut summary = Summary {
            controls: Counts::default(),
            by_category: Category::ALL
                .iter()
                .map(|c| (*c, Counts::default()))
                .collect(),
        };
        for control in controls {
            summary.controls.add(control.status);
            summary
                .by_category
                .entry(control.category)
                .or_default()
                .add(control.status);
        }
        summary
    }

    /// One category's counts (all zero when the report has none for it).
    pub fn category(&self, category: Category) -> Counts {
        self.by_category.get(&category).copied().unwrap_or_default()
    }
}

/// How ready some criteria are: those that pass or warn, over every criterion in scope. A
/// waived criterion is an accepted exception, not a ready one; failing, erroring and waived
/// criteria count against readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// Criteria that pass or warn.
    pub ready: u32,
    /// Criteria in scope (all but not applicable).
    pub applicable: u32,
    /// `ready` over `applicable`, as a percentage rounded half up.
    pub percent: u32,
}

impl Counts {
    /// Readiness of these counts; `None` when no control applies.
    pub fn readiness(&self) -> Option<Readiness> {
        let applicable = self.applicable();
        (applicable > 0).then(|| {
            let ready = self.pass.saturating_add(self.warn);
            // In 64 bits: a report read back may hold counts of any size.
            let (r, a) = (u64::from(ready), u64::from(applicable));
            Readiness {
                ready,
                applicable,
                percent: u32::try_from((r * 100 + a / 2) / a).unwrap_or(100),
            }
        })
    }
}

impl Report {
    /// Judges the controls again from their rules' statuses, after waivers changed them,
    /// and recounts the summary. Controls out of scope stay `not_applicable`.
    pub(crate) fn rejudge_controls(&mut self) {
        let statuses: Vec<Status> = self
            .controls
            .iter()
            .map(|c| {
                let in_scope = c.status != Status::NotApplicable;
                Status::of_control(self.rules_of(c), in_scope)
            })
            .collect();
        for (control, status) in self.controls.iter_mut().zip(statuses) {
            control.status = status;
        }
        self.summary = Summary::of(&self.controls);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_rounds_half_up_and_needs_an_applicable_control() {
        let counts = Counts {
            pass: 1,
            warn: 0,
            waived: 1,
            fail: 2,
            ..Counts::default()
        };
        // Waived criteria are in scope and not ready.
        let r = counts.readiness().unwrap();
        assert_eq!((r.ready, r.applicable, r.percent), (1, 4, 25));
        let thirds = Counts {
            pass: 1,
            warn: 1,
            fail: 1,
            ..Counts::default()
        };
        assert_eq!(thirds.readiness().unwrap().percent, 67);
        let none = Counts {
            not_applicable: 3,
            ..Counts::default()
        };
        assert_eq!(none.readiness(), None);
    }

    #[test]
    fn counts_of_any_size_give_a_readiness() {
        // A report read back (a ledger entry, a baseline) may hold any counts.
        let huge = Counts {
            pass: u32::MAX,
            warn: 1,
            fail: u32::MAX,
            ..Counts::default()
        };
        let r = huge.readiness().unwrap();
        assert_eq!(
            (r.ready, r.applicable, r.percent),
            (u32::MAX, u32::MAX, 100)
        );
        let half = Counts {
            pass: u32::MAX / 2,
            fail: u32::MAX / 2,
            ..Counts::default()
        };
        assert_eq!(half.readiness().unwrap().percent, 50);
    }
}
