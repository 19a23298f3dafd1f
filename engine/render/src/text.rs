//! The text format, for people: readiness per category, then every control that is not
//! passing with its rules, findings, owners and remediation. Every value from the facts, the
//! pack, the waivers or a report read back is shown with [`line`]: its control characters
//! visible, never obeyed, and never starting a line of its own.

use super::escape::line;
use super::{MAX_INPUT_WARNINGS, error_place, record_place};
use anstyle::{AnsiColor, Style};
use attest_engine::diff::{Diff, DiffItem};
use attest_engine::pack::Category;
use attest_engine::report::WaiverState;
use attest_engine::report::todo::TodoList;
use attest_engine::report::{
    ControlResult, EvidenceState, FileCheck, Report, RuleResult, Status, describe_params,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How to render text.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Style with ANSI escape codes. The host decides when (`attest`: on a terminal or with
    /// `CLICOLOR_FORCE`, never when `NO_COLOR` is set and not empty).
    pub color: bool,
    /// Findings shown per rule before the rest are counted (0 = all).
    pub max_findings: usize,
}

/// Styles text when colour is on; leaves it as it is otherwise.
struct Paint(bool);

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const MAGENTA: Style = AnsiColor::Magenta.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

impl Paint {
    fn wrap(&self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
    fn status(&self, status: Status) -> String {
        let style = match status {
            Status::Pass => GREEN,
            Status::Fail => RED,
            Status::Warn => YELLOW,
            Status::Error => MAGENTA,
            Status::Waived => CYAN,
            Status::NotApplicable => DIM,
        };
        self.wrap(style, status.as_str())
    }
    fn bold(&self, text: &str) -> String {
        self.wrap(BOLD, text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap(DIM, text)
    }
}

/// Renders the report as text.
pub fn text(report: &Report, options: &TextOptions) -> String {
    let p = Paint(options.color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · {} of {}, as of {} (pack {} {})",
        p.bold("Attest"),
        p.bold("SOC 2 readiness"),
        line(&report.facts.organization),
        line(&report.evaluated_on),
        line(&report.pack.name),
        line(&report.pack.version)
    );
    if let Some(period) = &report.period {
        // Rules that do not read the period judge the as-of date alone: said, not hidden.
        let alone = super::judged_at_as_of(report);
        let how = match alone {
            0 => "controls judged across the period".to_owned(),
            1 => "rules judge every day of it, but 1 judges the as-of date alone (marked; \
                  `judged_at_as_of` in JSON)"
                .to_owned(),
            n => format!(
                "rules judge every day of it, but {n} judge the as-of date alone (marked; \
                 `judged_at_as_of` in JSON)"
            ),
        };
        let _ = writeln!(
            out,
            "Audit period {} to {} (Type 2): {how}",
            period.start(),
            period.end()
        );
    }
    if let Some(params) = describe_params(&report.params) {
        let _ = writeln!(out, "Parameters set for this run: {}", line(&params));
    }
    out.push('\n');
    out.push_str(&p.bold("Readiness by category"));
    out.push('\n');
    for category in Category::ALL {
        let counts = report.summary.category(category);
        let Some(r) = counts.readiness() else {
            let _ = writeln!(out, "  {:<22}{}", category.label(), p.dim("not in scope"));
            continue;
        };
        let (ready, applicable, percent) = (r.ready, r.applicable, r.percent);
        let width = 20u32;
        let filled = (ready * width + applicable / 2) / applicable;
        let bar = format!(
            "{}{}",
            "█".repeat(filled as usize),
            "░".repeat((width - filled) as usize)
        );
        let _ = writeln!(
            out,
            "  {:<22}{} {:>3}%  {ready} of {applicable} ready: {} pass, {} warn; {} fail, {} error, {} waived",
            category.label(),
            bar,
            percent,
            counts.pass,
            counts.warn,
            counts.fail,
            counts.error,
            counts.waived
        );
    }

    for (heading, status) in [
        ("Errors", Status::Error),
        ("Failing controls", Status::Fail),
        ("Warnings", Status::Warn),
        ("Waived controls", Status::Waived),
    ] {
        let controls: Vec<&ControlResult> = report
            .controls
            .iter()
            .filter(|c| c.status == status)
            .collect();
        if controls.is_empty() {
            continue;
        }
        out.push('\n');
        let _ = writeln!(out, "{} ({})", p.bold(heading), controls.len());
        for c in controls {
            control(&mut out, &p, report, c, options.max_findings);
        }
    }

    disabled(&mut out, &p, report);
    explanations(&mut out, &p, report);
    evidence(&mut out, &p, report);
    owners(&mut out, &p, report);
    waivers(&mut out, &p, report);
    input_warnings(&mut out, &p, report);
    let s = &report.summary.controls;
    out.push('\n');
    let _ = writeln!(
        out,
        "{} controls: {} pass, {} fail, {} warn, {} error, {} waived, {} not applicable",
        report.controls.len(),
        s.pass,
        s.fail,
        s.warn,
        s.error,
        s.waived,
        s.not_applicable
    );
    out
}

fn control(out: &mut String, p: &Paint, report: &Report, c: &ControlResult, max: usize) {
    let _ = writeln!(
        out,
        "  {} {}  {}",
        p.status(c.status),
        p.bold(&line(&c.id)),
        line(&c.title)
    );
    for r in report.rules_of(c).filter(|r| r.status == c.status) {
        rule(out, p, r, max);
    }
}

fn rule(out: &mut String, p: &Paint, r: &RuleResult, max: usize) {
    let alone = super::as_of_mark(r);
    let _ = writeln!(
        out,
        "    {} {}  {} · {} · owner {} · {}{alone}",
        p.dim("rule"),
        line(&r.id),
        line(&r.title),
        r.severity.as_str(),
        r.owner,
        line(&r.population.describe())
    );
    if let Some(e) = &r.error {
        let _ = writeln!(out, "      {}: {}", line(&error_place(e)), line(&e.message));
        return;
    }
    let shown = if max == 0 { r.findings.len() } else { max };
    for f in r.findings.iter().take(shown) {
        let mark = match f.effective_status() {
            Status::Warn => p.wrap(YELLOW, "!"),
            Status::Waived => p.wrap(CYAN, "~"),
            _ => p.wrap(RED, "✗"),
        };
        let at = parenthesized(&record_place(
            f.source.as_ref(),
            f.key.as_deref().or(f.entity.as_deref()),
        ));
        let _ = writeln!(out, "      {mark} {}{}", line(&f.message), p.dim(&at));
        if let Some(w) = &f.waiver {
            let _ = writeln!(
                out,
                "        {} {} ({})",
                p.wrap(CYAN, "waived:"),
                line(&w.reason),
                line(&w.approval())
            );
        }
    }
    if r.findings.len() > shown {
        let _ = writeln!(
            out,
            "      … and {} more (see --format json)",
            r.findings.len() - shown
        );
    }
    if let Some(f) = r.findings.first() {
        let _ = writeln!(out, "      {} {}", p.bold("fix:"), line(&f.remediation));
    }
}

/// Rules the pack turned off, each once, with the pack's reason.
fn disabled(out: &mut String, p: &Paint, report: &Report) {
    // Inserted one by one: collecting into a map would compile in a sort of its own.
    let mut rules: BTreeMap<&str, (&str, Vec<&str>)> = BTreeMap::new();
    for r in &report.rules {
        if let Some(reason) = r.disabled.as_deref() {
            let controls = r.controls.iter().map(String::as_str).collect();
            rules.insert(r.id.as_str(), (reason, controls));
        }
    }
    if rules.is_empty() {
        return;
    }
    out.push('\n');
    let _ = writeln!(out, "{} ({})", p.bold("Disabled rules"), rules.len());
    for (id, (reason, controls)) in rules {
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            line(id),
            line(&controls.join(", ")),
            line(reason)
        );
    }
}

/// Why every rule decided as it did (`--explain`), passing and disabled rules included:
/// each rule once, in id order, evidence checks (`evidence/<criterion>`) among them.
fn explanations(out: &mut String, p: &Paint, report: &Report) {
    let mut why: BTreeMap<&str, &attest_engine::report::Explanation> = BTreeMap::new();
    for r in &report.rules {
        if let Some(e) = &r.explanation {
            why.insert(r.id.as_str(), e);
        }
    }
    if why.is_empty() {
        return;
    }
    out.push('\n');
    let _ = writeln!(out, "{} ({})", p.bold("Why each rule decided"), why.len());
    for (name, e) in why {
        let _ = writeln!(out, "  {}: {}", line(name), line(&e.reason));
        if !e.params.is_empty() {
            let params: Vec<String> = e.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                out,
                "      {}",
                p.dim(&line(&format!("params: {}", params.join(", "))))
            );
        }
    }
}

/// The evidence records of every criterion that has some, whether a rule or its evidence
/// decided it.
fn evidence(out: &mut String, p: &Paint, report: &Report) {
    let with: Vec<&ControlResult> = report
        .controls
        .iter()
        .filter(|c| !c.evidence.is_empty())
        .collect();
    if with.is_empty() {
        return;
    }
    let records: usize = with.iter().map(|c| c.evidence.len()).sum();
    out.push('\n');
    let _ = writeln!(
        out,
        "{} ({records} records for {} criteria)",
        p.bold("Evidence on file"),
        with.len()
    );
    for c in with {
        let _ = writeln!(out, "  {}", p.bold(&line(&c.id)));
        for e in &c.evidence {
            let state = match e.state {
                EvidenceState::Current => p.wrap(GREEN, e.state.as_str()),
                _ => p.wrap(YELLOW, e.state.as_str()),
            };
            let file = match e.file {
                Some(FileCheck::Verified) => format!(" · file {}", p.wrap(GREEN, "verified")),
                Some(check) => format!(" · file {}", p.wrap(RED, check.as_str())),
                None => String::new(),
            };
            let expires = e
                .expires_on
                .as_deref()
                .map(|d| format!(", expires {}", line(d)))
                .unwrap_or_default();
            let uri = e
                .uri
                .as_deref()
                .map(|u| format!(" · {}", line(u)))
                .unwrap_or_default();
            let place = e
                .source
                .as_ref()
                .map(|s| format!(" ({}:{})", line(&s.file), s.line))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} · collected {}{expires} · {state}{file}{}",
                line(&e.title),
                line(&e.collected_on),
                p.dim(&format!("{uri}{place}"))
            );
        }
    }
}

/// Open items per owner, so each team sees its share of the work (`attest todo` lists them).
fn owners(out: &mut String, p: &Paint, report: &Report) {
    let todo = TodoList::counts(report);
    if todo.owners.is_empty() {
        return;
    }
    out.push('\n');
    out.push_str(&p.bold("To do by owner"));
    out.push('\n');
    for w in &todo.owners {
        let over = match w.summary.exceptions {
            0 => String::new(),
            1 => ", 1 exception over".to_owned(),
            n => format!(", {n} exceptions over"),
        };
        let _ = writeln!(
            out,
            "  {:<12} {} to fix, {} lapsing soon{over}",
            w.owner.as_str(),
            w.summary.to_fix,
            w.lapsing_soon()
        );
    }
}

/// The waivers: those that need attention one by one, the active ones counted.
fn waivers(out: &mut String, p: &Paint, report: &Report) {
    if report.waivers.is_empty() {
        return;
    }
    let active = report
        .waivers
        .iter()
        .filter(|w| w.state == WaiverState::Active)
        .count();
    out.push('\n');
    let _ = writeln!(
        out,
        "{} ({} active of {})",
        p.bold("Waivers"),
        active,
        report.waivers.len()
    );
    for w in &report.waivers {
        let state = match w.state {
            WaiverState::Active => p.wrap(CYAN, "active"),
            other => p.wrap(YELLOW, other.as_str()),
        };
        let _ = writeln!(
            out,
            "  {state} {}  {} {}",
            line(&w.waiver.scope()),
            line(&w.explain_in(report)),
            p.dim(&format!(
                "({}:{})",
                line(&w.waiver.source.file),
                w.waiver.source.line
            ))
        );
    }
}

/// The warnings of the run's inputs, one a line: input, place, JSON Pointer, message; the
/// first `MAX_INPUT_WARNINGS`, then a count of the rest.
fn input_warnings(out: &mut String, p: &Paint, report: &Report) {
    if report.warnings.is_empty() {
        return;
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{} ({})",
        p.bold("Input warnings"),
        report.warnings.len()
    );
    for w in report.warnings.iter().take(MAX_INPUT_WARNINGS) {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            p.wrap(YELLOW, w.input().as_str()),
            p.dim(&line(&w.at())),
            line(w.message())
        );
    }
    if report.warnings.len() > MAX_INPUT_WARNINGS {
        let _ = writeln!(
            out,
            "  … and {} more (see --format json)",
            report.warnings.len() - MAX_INPUT_WARNINGS
        );
    }
}

/// Renders a baseline diff as text: new failures, resolved, still failing (counted), and
/// the controls whose status changed.
pub fn diff_text(diff: &Diff, options: &TextOptions) -> String {
    let p = Paint(options.color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · changes in {} from {} to {} (pack {})",
        p.bold("Attest"),
        line(&diff.new.organization),
        line(&diff.base.evaluated_on),
        line(&diff.new.evaluated_on),
        line(&diff.new.pack)
    );
    for note in diff.context_change().into_iter().chain(diff.records_note()) {
        let _ = writeln!(out, "{} {}", p.wrap(YELLOW, "note:"), line(&note));
    }
    for (heading, items, mark) in [
        ("New failures", &diff.new_failures, p.wrap(RED, "✗")),
        ("Resolved", &diff.resolved, p.wrap(GREEN, "✓")),
        ("No longer judged", &diff.unjudged, p.wrap(YELLOW, "?")),
    ] {
        if items.is_empty() {
            continue;
        }
        out.push('\n');
        let _ = writeln!(out, "{} ({})", p.bold(heading), items.len());
        for item in items {
            diff_item(&mut out, &p, item, &mark);
        }
    }
    if !diff.changed.is_empty() {
        out.push('\n');
        let _ = writeln!(
            out,
            "{} ({})",
            p.bold("Controls that changed status"),
            diff.changed.len()
        );
        for c in &diff.changed {
            let _ = writeln!(
                out,
                "  {:<7} {} → {}  {}",
                line(&c.control),
                c.base.map_or_else(|| p.dim("absent"), |s| p.status(s)),
                c.new.map_or_else(|| p.dim("absent"), |s| p.status(s)),
                line(&c.title)
            );
        }
    }
    out.push('\n');
    let unjudged = match diff.unjudged.len() {
        0 => String::new(),
        n => format!(", {n} no longer judged"),
    };
    let _ = writeln!(
        out,
        "{} new failure{}, {} resolved{unjudged}, {} still failing, {} control{} changed status",
        diff.new_failures.len(),
        if diff.new_failures.len() == 1 {
            ""
        } else {
            "s"
        },
        diff.resolved.len(),
        diff.still_failing.len(),
        diff.changed.len(),
        if diff.changed.len() == 1 { "" } else { "s" }
    );
    out
}

fn diff_item(out: &mut String, p: &Paint, item: &DiffItem, mark: &str) {
    let record = item.key.as_deref().or(item.entity.as_deref());
    let at = parenthesized(&record_place(item.source.as_ref(), record));
    let _ = writeln!(
        out,
        "  {mark} {}  {} · owner {} · {}",
        line(&item.rule),
        item.severity.as_str(),
        item.owner,
        line(&item.controls.join(" "))
    );
    let _ = writeln!(
        out,
        "      {}{}  {} → {}",
        line(&item.message),
        p.dim(&at),
        item.base.map_or_else(|| p.dim("absent"), |s| p.status(s)),
        match item.not_judged() {
            Some(n) => p.wrap(YELLOW, &line(&n)),
            None => item.new.map_or_else(|| p.dim("absent"), |s| p.status(s)),
        }
    );
    if let Some(was) = &item.base_message {
        let _ = writeln!(out, "      {}", p.dim(&format!("was: {}", line(was))));
    }
}

/// ` (place)`, or nothing when there is no place.
fn parenthesized(place: &str) -> String {
    if place.is_empty() {
        String::new()
    } else {
        format!(" ({})", line(place))
    }
}
