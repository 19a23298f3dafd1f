//! The benchmark: times each phase of a run on generated organizations (see
//! [`attest_bench::generate`] for their shape) or on facts files, against serde_json alone
//! parsing the same bytes, with the peak memory of each run; optionally against the ten
//! anchor rules written by hand in Rust ([`crate::handwritten`]), as whole runs and rule by
//! rule. Facts and packs are read by `attest`'s own code.
//!
//! Each measured run is a process of its own (this binary, re-run with a hidden argument),
//! so its peak memory is its own and its allocator starts cold, as `attest` does.

use crate::handwritten;
use crate::measure::{self, Measured};
use crate::plain::Plain;
use attest_cli::config::PackArgs;
use attest_engine::{EvalOptions, Facts, FactsSource};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Arguments of the benchmark.
#[derive(clap::Args)]
pub struct Args {
    /// Organization sizes, in people (repeatable).
    #[arg(long = "people", default_values_t = [1_000usize, 10_000, 50_000])]
    people: Vec<usize>,
    /// Facts files to measure instead of generated organizations (repeatable).
    #[arg(long = "facts", value_name = "FILE")]
    facts: Vec<PathBuf>,
    /// Runs per input; the median of each figure is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also time each rule alone on the largest input (the median of `--runs` runs),
    /// slowest first, against the serde_json parse of the same bytes.
    #[arg(long)]
    by_rule: bool,
    /// Also run the ten anchor rules written by hand in Rust (the pack must be
    /// `bench/anchor10/pack`): as whole runs beside Attest's, and rule by rule with
    /// `--by-rule`; the findings of each rule must be as many as the hand-written rule's.
    #[arg(long)]
    handwritten: bool,
    /// Run every rule in Rhai, none natively (to compare with the default, which runs
    /// natively the rules it can).
    #[arg(long)]
    interpreted: bool,
    /// One measured run (the benchmark runs itself with this): Attest on FILE.
    #[arg(long, hide = true, value_name = "FILE")]
    measure: Option<PathBuf>,
    /// One measured run: the hand-written rules on FILE.
    #[arg(long, hide = true, value_name = "FILE")]
    measure_handwritten: Option<PathBuf>,
    #[command(flatten)]
    pack: PackArgs,
}

/// An input of the benchmark: a facts file, and what the table calls it.
struct Input {
    label: String,
    path: PathBuf,
    /// People in the organization, for a generated one.
    people: Option<usize>,
    /// The file's size in bytes.
    size: u64,
}

/// Runs the benchmark, or one measured run of it.
pub fn run(args: &Args) -> Result<(), String> {
    if let Some(path) = &args.measure {
        return measure::print(&measure::attest(&engine(args)?, path)?);
    }
    if let Some(path) = &args.measure_handwritten {
        return measure::print(&measure::handwritten(path)?);
    }
    let engine = engine(args)?;
    if args.handwritten
        && !engine
            .pack()
            .rules()
            .iter()
            .any(|r| handwritten::rule(&r.meta.id).is_some())
    {
        return Err("--handwritten needs the anchor pack: --pack bench/anchor10/pack".into());
    }
    let dir = std::env::temp_dir().join(format!("attest-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = measure_all(args, &engine, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The pack's engine, running every rule in Rhai with `--interpreted`.
fn engine(args: &Args) -> Result<attest_engine::Engine, String> {
    let engine = args.pack.load()?.1.engine()?;
    Ok(match args.interpreted {
        true => engine.interpreted(),
        false => engine,
    })
}

fn measure_all(args: &Args, engine: &attest_engine::Engine, dir: &Path) -> Result<(), String> {
    // The inputs first, so a missing file is said before any table is printed.
    let inputs = inputs(args, dir)?;
    let empty = dir.join("empty.json");
    write(&empty, EMPTY_FACTS)?;
    let base = median_of(args.runs, || child("--measure", &empty))?.peak;
    println!(
        "{:>10} {:>8} {:>10} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>7} {:>9} {:>8}",
        "input",
        "MB",
        "serde_json",
        "read",
        "parse",
        "check",
        "evaluate",
        "render",
        "total",
        "ratio",
        "peak MiB",
        "memory"
    );
    // The first round warms the page cache and is not counted; then the inputs take turns,
    // Attest's run of each beside the hand-written one, round after round, so that the
    // machine's load hits every input alike.
    let mut runs: Vec<(Vec<Measured>, Vec<Measured>)> = vec![Default::default(); inputs.len()];
    for round in 0..=args.runs.max(1) {
        for (input, (attest, hand)) in inputs.iter().zip(&mut runs) {
            let a = child("--measure", &input.path)?;
            let h = match args.handwritten {
                true => Some(child("--measure-handwritten", &input.path)?),
                false => None,
            };
            if round > 0 {
                attest.push(a);
                hand.extend(h);
            }
        }
    }
    let mut checks = Vec::new();
    for (input, (attest, hand)) in inputs.iter().zip(&runs) {
        let size = input.size as f64;
        let t = Measured::median(attest);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mib = |bytes: u64| bytes as f64 / f64::from(1u32 << 20);
        println!(
            "{:>10} {:>8.1} {:>8.0}ms {:>6.0}ms {:>6.0}ms {:>6.0}ms {:>7.0}ms {:>6.0}ms {:>7.0}ms {:>6.2}x {:>9.0} {:>7.2}x",
            input.label,
            size / 1e6,
            ms(t.baseline),
            ms(t.read),
            ms(t.parse),
            ms(t.check),
            ms(t.evaluate),
            ms(t.render),
            ms(t.total),
            measure::median_ratio(attest),
            mib(t.peak),
            t.peak.saturating_sub(base) as f64 / size,
        );
        if !hand.is_empty() {
            let h = Measured::median(hand);
            println!(
                "{:>10} hand-written Rust: {:.0}ms, peak {:.0} MiB; Attest/hand-written: {:.2}x time, {:.2}x peak",
                "",
                ms(h.total),
                mib(h.peak),
                t.total.as_secs_f64() / h.total.as_secs_f64().max(1e-9),
                t.peak as f64 / h.peak.max(1) as f64,
            );
            checks.extend(measure::compare_counts(&input.label, &t.counts, &h.counts));
        }
    }
    println!();
    println!(
        "serde_json: serde_json::from_slice of the same bytes into its default Value (sorted \
         maps), timed in the same process after the run; ratio: the whole run (read to \
         rendered report) against it, the median of the runs' ratios; memory: peak resident \
         memory less that of a run on empty facts ({:.0} MiB), against the facts' size",
        base as f64 / f64::from(1u32 << 20)
    );
    scaling(&inputs, &runs);
    if let (true, Some(input)) = (args.by_rule, inputs.last()) {
        let interpreted = args.pack.load()?.1.engine()?.interpreted();
        by_rule(args, engine, &interpreted, input)?;
    }
    counts_agree(&checks)
}

/// Each generated organization's time per person, and for each after the first, how many
/// times as long its whole run and its serde_json parse took as the one before it: each the
/// median over the rounds of the two runs of the same round.
fn scaling(inputs: &[Input], runs: &[(Vec<Measured>, Vec<Measured>)]) {
    let generated: Vec<(usize, &[Measured])> = inputs
        .iter()
        .zip(runs)
        .filter_map(|(input, (attest, _))| Some((input.people?, attest.as_slice())))
        .collect();
    for (people, attest) in &generated {
        let t = Measured::median(attest);
        let us = t.total.as_secs_f64() * 1e6 / (*people).max(1) as f64;
        println!("{people:>10} people: {us:.1} µs per person");
    }
    for pair in generated.windows(2) {
        let [(fewer, smaller), (more, larger)] = pair else {
            continue;
        };
        let rounds = match smaller.len().min(larger.len()) {
            1 => "1 round".to_owned(),
            n => format!("{n} rounds"),
        };
        println!(
            "{more:>10} people against {fewer}: {:.2}x the time for {:.2}x the people \
             (serde_json alone: {:.2}x), the median of {rounds} that ran both",
            measure::paired_ratio(smaller, larger, |m| m.total),
            *more as f64 / (*fewer).max(1) as f64,
            measure::paired_ratio(smaller, larger, |m| m.baseline),
        );
    }
}

/// The generated organizations, written to `dir`, or the facts files given.
fn inputs(args: &Args, dir: &Path) -> Result<Vec<Input>, String> {
    if !args.facts.is_empty() {
        return args
            .facts
            .iter()
            .map(|path| {
                Ok(Input {
                    label: path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into(),
                    ),
                    path: path.clone(),
                    people: None,
                    size: facts_file_size(path)?,
                })
            })
            .collect();
    }
    let mut inputs = Vec::new();
    let mut people = args.people.clone();
    people.sort_unstable();
    for people in people {
        let path = dir.join(format!("org-{people}.json"));
        let doc = attest_bench::generate(people, args.seed)?;
        write(
            &path,
            &serde_json::to_string(&doc).map_err(|e| e.to_string())?,
        )?;
        inputs.push(Input {
            label: people.to_string(),
            size: facts_file_size(&path)?,
            path,
            people: Some(people),
        });
    }
    Ok(inputs)
}

/// The size of a facts file to measure; a folder is refused (a run is timed against the
/// serde_json parse of one file's bytes).
fn facts_file_size(path: &Path) -> Result<u64, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    match meta.is_dir() {
        true => Err(format!(
            "{}: a folder; --facts takes one facts file (the benchmark times a run against \
             serde_json parsing that file's bytes)",
            path.display()
        )),
        false => Ok(meta.len()),
    }
}

const EMPTY_FACTS: &str =
    r#"{"schema_version":"1","organization":{"name":"empty","as_of":"2026-06-30"}}"#;

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// One measured run in a process of its own, with this run's pack arguments.
fn child(mode: &str, facts: &Path) -> Result<Measured, String> {
    let exe = std::env::current_exe().map_err(|e| format!("this benchmark's path: {e}"))?;
    let mut command = Command::new(exe);
    command
        .args(std::env::args_os().skip(1))
        .arg(mode)
        .arg(facts);
    let out = command
        .output()
        .map_err(|e| format!("running the measured run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the measured run on {} failed: {}",
            facts.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    measure::parse(&String::from_utf8_lossy(&out.stdout))
}

fn median_of(
    runs: usize,
    mut once: impl FnMut() -> Result<Measured, String>,
) -> Result<Measured, String> {
    let all = (0..runs.max(1))
        .map(|_| once())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Measured::median(&all))
}

/// Times each rule alone (single-threaded, as it runs inside a parallel evaluation) on
/// `input`, the median of the runs, against the plain parse of the same bytes and, with
/// `--handwritten`, the hand-written rule on the parsed value.
/// Each rule alone: as `engine` runs it, and as `interpreted` (the same pack, every rule
/// in Rhai) does, side by side.
fn by_rule(
    args: &Args,
    engine: &attest_engine::Engine,
    interpreted: &attest_engine::Engine,
    input: &Input,
) -> Result<(), String> {
    let runs = args.runs.max(1);
    let bytes = std::fs::read(&input.path).map_err(|e| format!("{}: {e}", input.path.display()))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| format!("{}: {e}", input.path.display()))?;
    let mut parse = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let value = Plain::parse(&bytes).map_err(|e| e.to_string())?;
        parse.push(start.elapsed());
        drop(value);
    }
    let parse = measure::median_duration(&mut parse);
    let plain = Plain::parse(&bytes).map_err(|e| e.to_string())?;
    let as_of = handwritten::as_of(&plain).unwrap_or_default();
    let name = input.path.to_string_lossy();
    let facts = Facts::load(&[FactsSource { name: &name, text }]).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for rule in engine.pack().rules() {
        let id = rule.meta.id.as_str();
        let hand = args.handwritten.then(|| handwritten::rule(id)).flatten();
        let (mut attest, mut by_hand) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
        let mut in_rhai = Vec::with_capacity(runs);
        let (mut found, mut found_by_hand) = (0, 0);
        for _ in 0..runs {
            let start = Instant::now();
            let result = engine
                .evaluate_rule(id, &facts, &EvalOptions::default())
                .map_err(|e| e.to_string())?;
            attest.push(start.elapsed());
            found = result.map_or(0, |r| r.findings.len());
            let start = Instant::now();
            let result = interpreted
                .evaluate_rule(id, &facts, &EvalOptions::default())
                .map_err(|e| e.to_string())?;
            in_rhai.push(start.elapsed());
            if result.map_or(0, |r| r.findings.len()) != found {
                return Err(format!(
                    "{id}: a native run and Rhai found different records"
                ));
            }
            if let Some(hand) = hand {
                let start = Instant::now();
                found_by_hand = std::hint::black_box(hand(&plain, as_of)).len();
                by_hand.push(start.elapsed());
            }
        }
        let attest = measure::median_duration(&mut attest);
        let in_rhai = measure::median_duration(&mut in_rhai);
        let by_hand = hand.map(|_| (measure::median_duration(&mut by_hand), found_by_hand));
        rows.push((attest, id, found, by_hand, in_rhai));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!();
    let on = match input.people {
        Some(people) => format!("{people} people"),
        None => input.label.clone(),
    };
    println!(
        "each rule alone on {on} (serde_json parse of the same bytes: {:.1}ms; {} of {} rules run natively, * marks them; in Rhai: the same rule run by Rhai alone):",
        ms(parse),
        engine.native_rules(),
        engine.pack().rules().len()
    );
    let mut checks = Vec::new();
    for (t, id, found, by_hand, in_rhai) in rows {
        let of_parse = t.as_secs_f64() / parse.as_secs_f64().max(1e-9);
        let rhai = format!("in Rhai {}", shown(in_rhai));
        let mark = if engine.runs_natively(id) { "*" } else { " " };
        match by_hand {
            Some((h, n)) => {
                println!(
                    "  {:>10} {of_parse:>5.2}x parse {mark}{id} ({found} findings, {rhai}); hand-written {} ({n}): {:.1}x",
                    shown(t),
                    shown(h),
                    t.as_secs_f64() / h.as_secs_f64().max(1e-9)
                );
                checks.push((id.to_owned(), found, n));
            }
            None => println!(
                "  {:>10} {of_parse:>5.2}x parse {mark}{id} ({found} findings, {rhai})",
                shown(t)
            ),
        }
    }
    counts_agree(&checks)
}

/// A rule's time: in milliseconds, or in microseconds below one millisecond (rules over a
/// few dozen records take a few).
fn shown(d: Duration) -> String {
    match d.as_secs_f64() * 1000.0 {
        ms if ms >= 1.0 => format!("{ms:.1}ms"),
        ms => format!("{:.1}µs", ms * 1000.0),
    }
}

/// Fails when Attest and the hand-written rules found a different number of records.
fn counts_agree(checks: &[(String, usize, usize)]) -> Result<(), String> {
    match checks.iter().find(|(_, attest, hand)| attest != hand) {
        Some((what, attest, hand)) => Err(format!(
            "{what}: Attest found {attest} records, the hand-written rule {hand}"
        )),
        None => Ok(()),
    }
}
