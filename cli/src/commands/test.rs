//! `attest test [PACK...]`: runs every case of every rule of each pack as a named test
//! (`<rule id>::<case name>`), prints each failure with the expected and the actual
//! outcome, and optionally measures which lines of each rule the cases executed.
//!
//! A pack that extends another is tested on its own rules (added or overriding): the
//! rules it inherits are tested with the pack that defines them, whose parameter values
//! their cases assume.

use super::limits::LimitArgs;
use crate::Outcome;
use crate::config::{self, ConfigArg};
use crate::inputs;
use crate::output::{Input, Target, refuse_inputs};
use crate::packs::{self, Loaded, PackRef};
use attest_engine::cases::{self, CaseOutcome, RuleCoverage};
use attest_engine::{Clock, Engine, Limits};
use attest_render::escape::line as shown;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Test result formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: failures with expected and actual outcomes, then a summary.
    Text,
    /// Every case's outcome, and coverage when measured.
    Json,
    /// JUnit XML, for CI test reports: a test suite per pack, a test case per rule case.
    Junit,
}

/// Arguments of `attest test`.
#[derive(clap::Args)]
pub struct Args {
    /// Packs to test: folders, or `soc2` for the built-in pack (default: the
    /// configuration's pack, else the built-in pack).
    #[arg(value_name = "PACK")]
    packs: Vec<String>,
    /// Run only the cases whose name `<rule id>::<case name>` contains TEXT (repeatable:
    /// any of them; a TEXT that selects no case is refused).
    #[arg(long, value_name = "TEXT")]
    filter: Vec<String>,
    /// Output format (default: the configuration's, else text).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the results here (atomically) instead of to stdout; `-` is stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Measure which lines of each rule the cases execute, and which rules lack a passing
    /// or a failing case.
    #[arg(long)]
    coverage: bool,
    /// Fail (exit 1) when fewer than PCT percent of the rules' statement lines run
    /// (implies --coverage; compared exactly, without rounding).
    #[arg(long, value_name = "PCT", value_parser = Percent::parse)]
    coverage_min: Option<Percent>,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    config: ConfigArg,
}

/// A percentage as written (`87.5`), kept exact: `units / scale` percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent {
    units: u128,
    scale: u128,
}

impl Percent {
    /// Parses `90`, `87.5` or `99.99` (0 to 100, at most 9 decimals).
    pub fn parse(text: &str) -> Result<Percent, String> {
        let bad = || format!("`{text}` is not a percentage from 0 to 100 (such as 90 or 87.5)");
        let (whole, frac) = text
            .trim_end_matches('%')
            .split_once('.')
            .unwrap_or((text.trim_end_matches('%'), ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (!frac.is_empty() && !digits(frac)) || frac.len() > 9 {
            return Err(bad());
        }
        let scale = 10u128.pow(u32::try_from(frac.len()).map_err(|_| bad())?);
        let units = format!("{whole}{frac}")
            .parse::<u128>()
            .map_err(|_| bad())?;
        if units > 100 * scale {
            return Err(bad());
        }
        Ok(Percent { units, scale })
    }

    /// Whether `hit` of `total` reaches this percentage: `hit * 100 >= pct * total`, in
    /// integers.
    pub fn reached(self, hit: usize, total: usize) -> bool {
        (hit as u128) * 100 * self.scale >= self.units * (total as u128)
    }
}

impl std::fmt::Display for Percent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whole = self.units / self.scale;
        let frac = self.units % self.scale;
        if self.scale == 1 {
            write!(f, "{whole}%")
        } else {
            let width = self.scale.ilog10() as usize;
            write!(f, "{whole}.{frac:0width$}%")
        }
    }
}

/// One pack's results.
struct PackRun {
    loaded: Loaded,
    outcomes: Vec<CaseOutcome>,
    filtered_out: usize,
    coverage: Option<Vec<RuleCoverage>>,
}

/// Line coverage summed over every pack.
struct Totals {
    hit: usize,
    lines: usize,
}

/// Runs the cases; exit 1 when one fails or coverage is below the minimum, 2 when a pack
/// cannot be used.
pub fn run(args: &Args) -> Result<Outcome, String> {
    let config = args.config.load()?;
    let (format, output) = config::format_and_output(
        (args.format, args.output.as_deref()),
        (&config.test.format, config.test.output.as_deref()),
        Format::Text,
    )?;
    let coverage_min = match (args.coverage_min, &config.test.coverage_min) {
        (Some(p), _) => Some(p),
        (None, Some(setting)) => Some(
            Percent::parse(&setting.value)
                .map_err(|e| format!("{}: coverage_min: {e}", setting.at))?,
        ),
        (None, None) => None,
    };
    let measure = args.coverage || coverage_min.is_some();
    let sources: Vec<PackRef> = if args.packs.is_empty() {
        vec![config.pack(None)]
    } else {
        args.packs
            .iter()
            .map(|p| PackRef::parse(p, Path::new("")))
            .collect()
    };
    if let Target::File(path) = Target::from_arg(output) {
        // Before the cases run: a folder that is not there is said first.
        crate::output::refuse_unwritable(path)?;
    }
    let mut runs = Vec::new();
    for source in &sources {
        let loaded = packs::load(source, config.max_input_size)?;
        if let Target::File(path) = Target::from_arg(output) {
            let mut inputs: Vec<Input<'_>> = loaded
                .folders
                .iter()
                .map(|p| Input {
                    path: p,
                    what: "a pack",
                    extension: None,
                })
                .collect();
            inputs.extend(config.path.iter().map(|p| Input {
                path: p,
                what: "the configuration",
                extension: None,
            }));
            refuse_inputs(path, &inputs)?;
        }
        runs.push(run_pack(
            loaded,
            &args.filter,
            measure,
            &args.limits.limits(),
        )?);
    }
    let total = runs.iter().map(|r| r.outcomes.len() + r.filtered_out).sum();
    let outcomes = runs.iter().flat_map(|r| &r.outcomes);
    cases::refuse_unmatched(&args.filter, outcomes, total).map_err(|e| format!("--{e}"))?;
    let totals = measure.then(|| Totals {
        hit: coverages(&runs).map(|c| c.hit.len()).sum(),
        lines: coverages(&runs).map(|c| c.lines.len()).sum(),
    });
    let gate = coverage_min.zip(totals.as_ref().map(|t| (t.hit, t.lines)));
    let below = gate.is_some_and(|(min, (hit, total))| !min.reached(hit, total));
    let content = match format {
        Format::Text => text(&runs, totals.as_ref(), coverage_min),
        Format::Json => json_results(&runs, totals.as_ref(), coverage_min),
        Format::Junit => junit(&runs, totals.as_ref(), coverage_min),
    };
    Target::from_arg(output).write(&content)?;
    let failed = runs.iter().any(|r| r.outcomes.iter().any(|o| !o.passed()));
    // Results written to a file (`--output`, or `output` in attest.toml) leave the terminal
    // and the CI log empty: a failure says there why the run fails, and where to read more.
    if let (Target::File(path), true) = (Target::from_arg(output), failed || below) {
        let bad: usize = runs
            .iter()
            .map(|r| r.outcomes.iter().filter(|o| !o.passed()).count())
            .sum();
        let ran: usize = runs.iter().map(|r| r.outcomes.len()).sum();
        let mut why = Vec::new();
        if bad > 0 {
            why.push(format!(
                "{bad} of {ran} case{} failed",
                if ran == 1 { "" } else { "s" }
            ));
        }
        if let (true, Some(min), Some(t)) = (below, coverage_min, &totals) {
            why.push(format!(
                "line coverage {} is below the minimum {min}",
                percent(t.hit, t.lines)
            ));
        }
        crate::output::tell(&format!(
            "attest test: {}; the results are in {}",
            why.join(", and "),
            inputs::display(path)
        ));
    }
    Ok(if failed || below {
        Outcome::Failed
    } else {
        Outcome::Clean
    })
}

fn coverages(runs: &[PackRun]) -> impl Iterator<Item = &RuleCoverage> {
    runs.iter().flat_map(|r| r.coverage.iter().flatten())
}

/// Runs one pack's own cases (and coverage), each rule held to `limits` as in `attest eval`
/// (its time budget on this process's clock).
fn run_pack(
    loaded: Loaded,
    filter: &[String],
    measure: bool,
    limits: &Limits,
) -> Result<PackRun, String> {
    let engine = loaded.engine_with(limits.clone())?;
    let start = Instant::now();
    let clock: Clock = Arc::new(move || start.elapsed());
    let own = |id: &str| loaded.pack.rule(id).is_some_and(|r| loaded.owns(r));
    let (outcomes, filtered_out) = cases::run_matching(&engine, Some(&clock), own, filter);
    let coverage = if measure {
        let traced = Engine::with_line_tracing(loaded.pack.clone(), limits.clone())
            .map_err(|e| format!("{}: {e}", loaded.source))?;
        Some(
            // The lines of the cases the filter selects: those of the others did not run.
            cases::coverage(&traced, Some(&clock), |rule, case| {
                cases::selects(filter, rule, case)
            })
            .into_iter()
            .filter(|c| own(&c.id))
            .collect(),
        )
    } else {
        None
    };
    Ok(PackRun {
        loaded,
        outcomes,
        filtered_out,
        coverage,
    })
}

/// `hit` of `total` as a percentage with two decimals, rounded down (so 100.00% means
/// every line).
fn percent(hit: usize, total: usize) -> String {
    if total == 0 {
        return "100.00%".to_owned();
    }
    let hundredths = (hit as u128 * 10_000) / total as u128;
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

/// The lines of a set as ranges: `3-5, 9`.
fn ranges(lines: impl Iterator<Item = u32>) -> String {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for l in lines {
        match out.last_mut() {
            Some((_, end)) if *end + 1 == l => *end = l,
            _ => out.push((l, l)),
        }
    }
    out.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The cases file of an outcome as shown to people.
fn case_file(run: &PackRun, o: &CaseOutcome) -> String {
    run.loaded.source.show_file(&o.file)
}

fn text(runs: &[PackRun], totals: Option<&Totals>, min: Option<Percent>) -> String {
    let mut out = String::new();
    let mut failures = String::new();
    let (mut passed, mut failed, mut filtered) = (0, 0, 0);
    for run in runs {
        let m = &run.loaded.pack.manifest();
        let _ = writeln!(
            out,
            "pack {} {} ({}): {} case{}",
            shown(&m.name),
            shown(&m.version),
            run.loaded.source,
            run.outcomes.len(),
            if run.outcomes.len() == 1 { "" } else { "s" }
        );
        let mut rules: Vec<&str> = run.outcomes.iter().map(|o| o.rule.as_str()).collect();
        rules.dedup();
        let width = rules.iter().map(|r| shown(r).len()).max().unwrap_or(0);
        for id in rules {
            let of_rule: Vec<&CaseOutcome> = run.outcomes.iter().filter(|o| o.rule == id).collect();
            let rule = shown(id);
            let bad = of_rule.iter().filter(|o| !o.passed()).count();
            let n = of_rule.len();
            let cases = if n == 1 { "case" } else { "cases" };
            if bad == 0 {
                let _ = writeln!(out, "  ok      {rule:<width$}  {n} {cases}");
            } else {
                let _ = writeln!(out, "  FAILED  {rule:<width$}  {bad} of {n} {cases} failed");
            }
        }
        for o in &run.outcomes {
            if o.passed() {
                passed += 1;
                continue;
            }
            failed += 1;
            let _ = writeln!(failures, "\n  {}::{}", shown(&o.rule), shown(&o.name));
            for line in failure_lines(run, o) {
                let _ = writeln!(failures, "    {}", shown(&line));
            }
        }
        filtered += run.filtered_out;
    }
    if !failures.is_empty() {
        let _ = write!(out, "\nfailures:\n{failures}");
    }
    if let Some(t) = totals {
        coverage_text(&mut out, runs, t, min);
    }
    // Coverage below the minimum fails the run as a failed case does, and says so here too.
    let below = totals
        .zip(min)
        .is_some_and(|(t, min)| !min.reached(t.hit, t.lines));
    let verdict = if failed == 0 && !below {
        "ok"
    } else {
        "FAILED"
    };
    let _ = writeln!(
        out,
        "\ntest result: {verdict}. {passed} passed; {failed} failed; {filtered} filtered out"
    );
    out
}

/// A problem of a case as shown to people: the places in its cases file it names
/// (`rules/x.cases.json:3:5`, relative to the pack, at its start or after a space) are given
/// in `file`, the cases file as shown, and the place of the rule's error
/// (`(rules/x.rhai:9: ...)`) as `run` shows the pack's files, so they can be opened from
/// where the command ran.
fn problem_line(run: &PackRun, o: &CaseOutcome, problem: &str) -> String {
    let file = case_file(run, o);
    let place = format!("{}:", o.file);
    let mut line = format!(" {problem}").replace(&format!(" {place}"), &format!(" {file}:"));
    if let Some(e) = o.actual.as_ref().and_then(|a| a.error.as_ref()) {
        let shown_file = run.loaded.show_file(&e.file);
        line = line.replace(&format!("({}:", e.file), &format!("({shown_file}:"));
    }
    line.strip_prefix(' ').unwrap_or(&line).to_owned()
}

/// The error the rule stopped with in a case, at its place, if it stopped with one.
fn error_line(run: &PackRun, o: &CaseOutcome) -> Option<String> {
    let e = o.actual.as_ref()?.error.as_ref()?;
    let file = run.loaded.show_file(&e.file);
    let place = match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        _ => file,
    };
    Some(format!("actual error at {place}: {}", e.message))
}

/// One failed case: where it is, what differed and what the rule returned.
fn failure_lines(run: &PackRun, o: &CaseOutcome) -> Vec<String> {
    let mut lines = vec![format!("in {}", case_file(run, o))];
    lines.extend(o.problems.iter().map(|p| problem_line(run, o, p)));
    let Some(actual) = &o.actual else {
        return lines;
    };
    lines.extend(error_line(run, o));
    if actual.findings.is_empty() {
        lines.push("actual findings: none".to_owned());
    } else {
        lines.push("actual findings:".to_owned());
        for f in &actual.findings {
            let status = match f.status {
                attest_engine::FindingStatus::Fail => "fail",
                attest_engine::FindingStatus::Warn => "warn",
            };
            lines.push(format!(
                "  {status} {}: {}",
                f.entity.as_deref().unwrap_or("null"),
                f.message
            ));
        }
    }
    lines
}

fn coverage_text(out: &mut String, runs: &[PackRun], t: &Totals, min: Option<Percent>) {
    let _ = writeln!(out, "\ncoverage:");
    let counts = |c: &RuleCoverage| format!("{}/{} lines", c.hit.len(), c.lines.len());
    let width = coverages(runs).map(|c| counts(c).len()).max().unwrap_or(0);
    for run in runs {
        for c in run.coverage.iter().flatten() {
            let file = run.loaded.source.show_file(&c.path);
            let mut notes = Vec::new();
            let missed: Vec<u32> = c.missed().collect();
            if !missed.is_empty() {
                notes.push(format!("lines not run: {}", ranges(missed.into_iter())));
            }
            if !c.has_pass {
                notes.push("no passing case".to_owned());
            }
            if !c.has_fail {
                notes.push("no failing case".to_owned());
            }
            let _ = writeln!(
                out,
                "  {:>7}  {:>width$}  {}{}",
                percent(c.hit.len(), c.lines.len()),
                counts(c),
                shown(&file),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!("; {}", notes.join("; "))
                }
            );
        }
    }
    let _ = write!(
        out,
        "  total: {} of {} lines ({})",
        t.hit,
        t.lines,
        percent(t.hit, t.lines)
    );
    match min {
        Some(min) if min.reached(t.hit, t.lines) => {
            let _ = writeln!(out, ", at least the minimum {min}");
        }
        Some(min) => {
            let _ = writeln!(out, ", BELOW the minimum {min}");
        }
        None => out.push('\n'),
    }
}

fn outcome_json(run: &PackRun, o: &CaseOutcome) -> Value {
    let actual = o.actual.as_ref().map(|a| {
        json!({
            "status": a.status,
            "error": a.error,
            "findings": a.findings.iter().map(|f| json!({
                "status": f.status,
                "entity": f.entity,
                "message": f.message,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "pack": run.loaded.pack.manifest().name,
        "rule": o.rule,
        "name": o.name,
        "file": case_file(run, o),
        "passed": o.passed(),
        "problems": o.problems,
        "actual": actual,
    })
}

fn json_results(runs: &[PackRun], totals: Option<&Totals>, min: Option<Percent>) -> String {
    let tests: Vec<Value> = runs
        .iter()
        .flat_map(|run| run.outcomes.iter().map(move |o| outcome_json(run, o)))
        .collect();
    let passed = tests.iter().filter(|t| t["passed"] == true).count();
    let mut doc = json!({
        "packs": runs.iter().map(|r| json!({
            "name": r.loaded.pack.manifest().name,
            "version": r.loaded.pack.manifest().version,
            "source": r.loaded.source.to_string(),
        })).collect::<Vec<_>>(),
        "summary": {
            "passed": passed,
            "failed": tests.len() - passed,
            "filtered_out": runs.iter().map(|r| r.filtered_out).sum::<usize>(),
        },
        "tests": tests,
    });
    if let (Some(t), Some(obj)) = (totals, doc.as_object_mut()) {
        let rules: Vec<Value> = runs
            .iter()
            .flat_map(|run| {
                run.coverage.iter().flatten().map(move |c| {
                    json!({
                        "rule": c.id,
                        "file": run.loaded.source.show_file(&c.path),
                        "has_pass": c.has_pass,
                        "has_fail": c.has_fail,
                        "lines": c.lines.len(),
                        "hit": c.hit.len(),
                        "missed": c.missed().collect::<Vec<_>>(),
                    })
                })
            })
            .collect();
        obj.insert(
            "coverage".into(),
            json!({
                "lines": t.lines,
                "hit": t.hit,
                "percent": percent(t.hit, t.lines).trim_end_matches('%'),
                "min": min.map(|m| m.to_string().trim_end_matches('%').to_owned()),
                "min_reached": min.map(|m| m.reached(t.hit, t.lines)),
                "rules": rules,
            }),
        );
    }
    super::list::pretty(&doc)
}

/// Escapes one value for XML attributes and content, as the engine's JUnit report does.
fn xml(text: &str) -> String {
    attest_render::escape::xml(text)
}

/// A failed case's JUnit message, which CI pages show alone: its first problem and the
/// rule's error, if it stopped with one.
fn junit_message(run: &PackRun, o: &CaseOutcome) -> String {
    let first = o.problems.first().map(|p| problem_line(run, o, p));
    [first, error_line(run, o)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
}

fn junit(runs: &[PackRun], totals: Option<&Totals>, min: Option<Percent>) -> String {
    let gate = min.zip(totals);
    let mut tests = 0;
    let mut failures = 0;
    let mut suites = String::new();
    for (i, run) in runs.iter().enumerate() {
        let mut n = run.outcomes.len();
        let mut bad = run.outcomes.iter().filter(|o| !o.passed()).count();
        let mut body = String::new();
        for o in &run.outcomes {
            let _ = write!(
                body,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
                xml(&o.rule),
                xml(&o.name),
                xml(&case_file(run, o))
            );
            if o.passed() {
                body.push_str("/>\n");
                continue;
            }
            let detail: Vec<String> = failure_lines(run, o).iter().map(|line| xml(line)).collect();
            let _ = write!(
                body,
                ">\n      <failure message=\"{}\" type=\"case\">{}</failure>\n    </testcase>\n",
                xml(&junit_message(run, o)),
                detail.join("\n")
            );
        }
        // The coverage gate is one more test, in the last suite, so CI shows it.
        if let (Some((min, t)), true) = (gate, i + 1 == runs.len()) {
            n += 1;
            let name = format!("line coverage is at least {min}");
            let _ = write!(
                body,
                "    <testcase classname=\"coverage\" name=\"{}\"",
                xml(&name)
            );
            if min.reached(t.hit, t.lines) {
                body.push_str("/>\n");
            } else {
                bad += 1;
                let message = format!(
                    "{} of {} lines ({}) is below {min}",
                    t.hit,
                    t.lines,
                    percent(t.hit, t.lines)
                );
                let _ = write!(
                    body,
                    ">\n      <failure message=\"{}\" type=\"coverage\"/>\n    </testcase>\n",
                    xml(&message)
                );
            }
        }
        tests += n;
        failures += bad;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{bad}\" errors=\"0\">\n{body}  </testsuite>\n",
            xml(&run.loaded.pack.manifest().name)
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"attest test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n{suites}</testsuites>\n"
    )
}
