//! The benchmark: times each phase of a run on generated organizations (see
//! [`attest_bench::generate`] for their shape), and compares the whole run with serde_json
//! alone parsing the same file. Facts and packs are read by `attest`'s own code.

use attest_cli::config::PackArgs;
use attest_cli::inputs;
use attest_engine::render::{self, TextOptions};
use attest_engine::{EvalOptions, Facts, FactsSource};
use std::time::{Duration, Instant};

/// Arguments of the benchmark.
#[derive(clap::Args)]
pub struct Args {
    /// Organization sizes, in people (repeatable).
    #[arg(long = "people", default_values_t = [1_000usize, 10_000, 50_000])]
    people: Vec<usize>,
    /// Runs per size; the median of each phase is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also time each rule alone on the largest organization (the median of `--runs` runs),
    /// slowest first.
    #[arg(long)]
    by_rule: bool,
    #[command(flatten)]
    pack: PackArgs,
}

#[derive(Default, Clone, Copy)]
struct Times {
    baseline: Duration,
    read: Duration,
    parse: Duration,
    check: Duration,
    evaluate: Duration,
    render: Duration,
    /// Wall-clock time from reading to the rendered report, whatever phase it fell in.
    total: Duration,
}

/// Generates each organization, writes it to a temporary file, and times a full run.
pub fn run(args: &Args) -> Result<(), String> {
    let engine = args.pack.load()?.1.engine()?;
    let dir = std::env::temp_dir().join(format!("attest-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    println!(
        "{:>7} {:>8} {:>9} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>7}",
        "people",
        "MB",
        "serde_json",
        "read",
        "parse",
        "check",
        "evaluate",
        "render",
        "total",
        "ratio"
    );
    let mut per_person = Vec::new();
    for &people in &args.people {
        let path = dir.join(format!("org-{people}.json"));
        let doc = attest_bench::generate(people, args.seed)?;
        let text = serde_json::to_string(&doc).map_err(|e| e.to_string())?;
        std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut runs = Vec::new();
        for _ in 0..args.runs.max(1) {
            runs.push(once(&engine, &path)?);
        }
        let t = median(&runs);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{people:>7} {:>8.1} {:>8.0}ms {:>6.0}ms {:>6.0}ms {:>6.0}ms {:>7.0}ms {:>6.0}ms {:>7.0}ms {:>6.2}x",
            text.len() as f64 / 1e6,
            ms(t.baseline),
            ms(t.read),
            ms(t.parse),
            ms(t.check),
            ms(t.evaluate),
            ms(t.render),
            ms(t.total),
            median_ratio(&runs)
        );
        per_person.push((people, t.total.as_secs_f64() * 1e6 / people.max(1) as f64));
        let _ = std::fs::remove_file(&path);
    }
    let _ = std::fs::remove_dir(&dir);
    if let (true, Some(&people)) = (args.by_rule, args.people.iter().max()) {
        by_rule(&engine, people, args.seed, args.runs.max(1))?;
    }
    println!();
    println!(
        "ratio: the whole run against serde_json alone parsing the same file, taken in each run \
         (the two are timed back to back) and the median reported"
    );
    for (people, us) in per_person {
        println!("{people:>7} people: {us:.1} µs per person");
    }
    Ok(())
}

fn once(engine: &attest_engine::Engine, path: &std::path::Path) -> Result<Times, String> {
    let mut t = Times::default();
    {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let start = Instant::now();
        let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        t.baseline = start.elapsed();
        drop(parsed);
    }

    let run = Instant::now();
    let start = Instant::now();
    let sources = inputs::read_facts(&[path.to_path_buf()], inputs::SizeLimit::default())?;
    t.read = start.elapsed();
    let (name, text) = sources.first().ok_or("no facts were read")?;

    let origin = Instant::now();
    let clock = move || origin.elapsed();
    let (facts, load) =
        Facts::load_timed(&[FactsSource { name, text }], &clock).map_err(|e| e.to_string())?;
    t.parse = load.parse;
    t.check = load.check;

    let start = Instant::now();
    let report = engine
        .evaluate(&facts, &EvalOptions::default())
        .map_err(|e| e.to_string())?;
    t.evaluate = start.elapsed();

    let start = Instant::now();
    let json = report.to_json();
    let text = render::text(
        &report,
        &TextOptions {
            color: false,
            max_findings: 10,
        },
    );
    t.render = start.elapsed();
    t.total = run.elapsed();
    std::hint::black_box((json, text));
    Ok(t)
}

/// Times each rule alone (single-threaded, as it runs inside a parallel evaluation): the
/// median of `runs` runs.
fn by_rule(
    engine: &attest_engine::Engine,
    people: usize,
    seed: u64,
    runs: usize,
) -> Result<(), String> {
    let text =
        serde_json::to_string(&attest_bench::generate(people, seed)?).map_err(|e| e.to_string())?;
    let facts = Facts::load(&[FactsSource {
        name: "generated.json",
        text: &text,
    }])
    .map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    for rule in engine.pack().rules() {
        let mut elapsed = Vec::with_capacity(runs);
        let mut findings = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let result = engine
                .evaluate_rule(&rule.meta.id, &facts, &EvalOptions::default())
                .map_err(|e| e.to_string())?;
            elapsed.push(start.elapsed());
            findings = result.map_or(0, |r| r.findings.len());
        }
        elapsed.sort();
        let median = elapsed.get(runs / 2).copied().unwrap_or_default();
        times.push((median, rule.meta.id.as_str(), findings));
    }
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    println!();
    println!("each rule alone on {people} people:");
    for (t, id, findings) in times {
        println!(
            "  {:>8.1}ms  {id} ({findings} findings)",
            t.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

/// The median over runs of each run's whole time against its own serde_json parse, which
/// cancels out the machine slowing down for a while better than a ratio of medians.
fn median_ratio(runs: &[Times]) -> f64 {
    let mut ratios: Vec<f64> = runs
        .iter()
        .map(|t| t.total.as_secs_f64() / t.baseline.as_secs_f64().max(1e-9))
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios.get(ratios.len() / 2).copied().unwrap_or_default()
}

fn median(runs: &[Times]) -> Times {
    let pick = |f: fn(&Times) -> Duration| {
        let mut v: Vec<Duration> = runs.iter().map(f).collect();
        v.sort();
        v.get(v.len() / 2).copied().unwrap_or_default()
    };
    Times {
        baseline: pick(|t| t.baseline),
        read: pick(|t| t.read),
        parse: pick(|t| t.parse),
        check: pick(|t| t.check),
        evaluate: pick(|t| t.evaluate),
        render: pick(|t| t.render),
        total: pick(|t| t.total),
    }
}
