//! One measured run, in a process of its own: Attest's phases on a facts file (then the
//! plain serde_json parse of the same bytes), or the hand-written rules on it; its figures
//! travel to the benchmark as one JSON line.

use crate::handwritten;
use crate::plain::Plain;
use attest_cli::inputs;
use attest_engine::{Engine, EvalOptions, Facts};
use attest_render::{self as render, TextOptions};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// The figures of one run. The hand-written run fills only `total`, `peak` and `counts`.
#[derive(Debug, Default, Clone)]
pub struct Measured {
    /// serde_json alone parsing the same bytes into its default value.
    pub baseline: Duration,
    /// Reading the file.
    pub read: Duration,
    /// Parsing and merging, each record checked and converted into the rules' view as it
    /// is parsed.
    pub parse: Duration,
    /// The rest of the document checked whole, the rules' view assembled.
    pub check: Duration,
    /// Evaluating the pack, with the facts' digest worked out while the rules run.
    pub evaluate: Duration,
    /// The JSON report and the text summary.
    pub render: Duration,
    /// Wall-clock time from reading to the rendered report, whatever phase it fell in.
    pub total: Duration,
    /// The process's peak resident memory, in bytes (0 where the system does not tell).
    pub peak: u64,
    /// Findings per anchor rule (by rule id), of the rules with a hand-written version.
    pub counts: BTreeMap<String, usize>,
}

/// Attest's run on `path` with `engine`, as `attest eval` does it, then the baseline.
pub fn attest(engine: &Engine, path: &Path) -> Result<Measured, String> {
    let mut m = Measured::default();
    let run = Instant::now();
    let start = Instant::now();
    let sources = inputs::read_facts(&[path.to_path_buf()], inputs::SizeLimit::default())?;
    m.read = start.elapsed();
    // As `attest eval` does, the texts are handed over, to be freed once parsed.
    let origin = Instant::now();
    let clock = move || origin.elapsed();
    let (facts, load) = Facts::load_timed(sources, &clock).map_err(|e| e.to_string())?;
    m.parse = load.parse;
    m.check = load.check;

    let start = Instant::now();
    let report = engine
        .evaluate(&facts, &EvalOptions::default())
        .map_err(|e| e.to_string())?;
    m.evaluate = start.elapsed();

    // As `attest eval` does, the facts are freed while the report is rendered.
    let start = Instant::now();
    let freeing = facts.free_aside();
    let json = report.to_json();
    let summary = render::text(
        &report,
        &TextOptions {
            color: false,
            max_findings: 10,
        },
    );
    m.render = start.elapsed();
    m.total = run.elapsed();
    m.peak = peak_memory();
    std::hint::black_box((json, summary));
    m.counts = report
        .rules
        .iter()
        .filter(|r| handwritten::rule(&r.id).is_some())
        .map(|r| (r.id.clone(), r.findings.len()))
        .collect();
    drop(report);
    // Freed before the baseline is timed, which it would otherwise share the machine with.
    freeing.wait();

    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let start = Instant::now();
    let value = Plain::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    m.baseline = start.elapsed();
    drop(value);
    Ok(m)
}

/// The hand-written process: read, parse into a plain value, the ten rules, drop.
pub fn handwritten(path: &Path) -> Result<Measured, String> {
    let mut m = Measured::default();
    let start = Instant::now();
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc = Plain::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let as_of = handwritten::as_of(&doc).ok_or("organization.as_of is not a date")?;
    for (id, rule) in handwritten::RULES {
        m.counts.insert(id.to_owned(), rule(&doc, as_of).len());
    }
    drop(doc);
    m.total = start.elapsed();
    m.peak = peak_memory();
    Ok(m)
}

/// The process's peak resident set size (`VmHWM` on Linux; 0 elsewhere).
fn peak_memory() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(0)
}

/// Writes `m` as one JSON line on standard output.
pub fn print(m: &Measured) -> Result<(), String> {
    let us = |d: Duration| d.as_micros() as u64;
    let line = json!({
        "baseline": us(m.baseline), "read": us(m.read), "parse": us(m.parse),
        "check": us(m.check), "evaluate": us(m.evaluate), "render": us(m.render),
        "total": us(m.total), "peak": m.peak, "counts": m.counts,
    });
    println!("{line}");
    Ok(())
}

/// Reads the line [`print`] wrote.
pub fn parse(line: &str) -> Result<Measured, String> {
    let v: Value = serde_json::from_str(line.trim())
        .map_err(|e| format!("the measured run wrote {line:?}: {e}"))?;
    let us = |key: &str| Duration::from_micros(v[key].as_u64().unwrap_or(0));
    Ok(Measured {
        baseline: us("baseline"),
        read: us("read"),
        parse: us("parse"),
        check: us("check"),
        evaluate: us("evaluate"),
        render: us("render"),
        total: us("total"),
        peak: v["peak"].as_u64().unwrap_or(0),
        counts: v["counts"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0) as usize))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

impl Measured {
    /// The median of each figure over `runs` (the counts of the first run: every run finds
    /// the same).
    pub fn median(runs: &[Measured]) -> Measured {
        let pick = |f: fn(&Measured) -> Duration| {
            median_duration(&mut runs.iter().map(f).collect::<Vec<_>>())
        };
        let mut peaks: Vec<u64> = runs.iter().map(|m| m.peak).collect();
        peaks.sort_unstable();
        Measured {
            baseline: pick(|m| m.baseline),
            read: pick(|m| m.read),
            parse: pick(|m| m.parse),
            check: pick(|m| m.check),
            evaluate: pick(|m| m.evaluate),
            render: pick(|m| m.render),
            total: pick(|m| m.total),
            peak: peaks.get(peaks.len() / 2).copied().unwrap_or_default(),
            counts: runs.first().map(|m| m.counts.clone()).unwrap_or_default(),
        }
    }
}

/// The median of `times` (sorting them).
pub fn median_duration(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// The median over runs of each run's whole time against its own serde_json parse, which
/// cancels out the machine slowing down for a while better than a ratio of medians.
pub fn median_ratio(runs: &[Measured]) -> f64 {
    median(runs.iter().map(|m| seconds(m.total) / seconds(m.baseline)))
}

/// The median over rounds of `f` of the run of `larger` against that of `smaller` in the
/// same round (runs taken side by side, so the machine's load hits both alike).
pub fn paired_ratio(
    smaller: &[Measured],
    larger: &[Measured],
    f: fn(&Measured) -> Duration,
) -> f64 {
    median(
        smaller
            .iter()
            .zip(larger)
            .map(|(s, l)| seconds(f(l)) / seconds(f(s))),
    )
}

/// A duration in seconds, at least a nanosecond (a ratio's divisor).
fn seconds(d: Duration) -> f64 {
    d.as_secs_f64().max(1e-9)
}

/// The median of `ratios` (the upper of the middle two of an even number; 0 for none).
fn median(ratios: impl Iterator<Item = f64>) -> f64 {
    let mut ratios: Vec<f64> = ratios.collect();
    ratios.sort_by(f64::total_cmp);
    ratios.get(ratios.len() / 2).copied().unwrap_or_default()
}

/// `(what, Attest's count, the hand-written count)` for each rule both ran on `input`.
pub fn compare_counts(
    input: &str,
    attest: &BTreeMap<String, usize>,
    hand: &BTreeMap<String, usize>,
) -> Vec<(String, usize, usize)> {
    attest
        .iter()
        .filter_map(|(id, n)| Some((format!("{id} on {input}"), *n, *hand.get(id)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Measured, paired_ratio};
    use std::time::Duration;

    fn run(total_ms: u64, baseline_ms: u64) -> Measured {
        Measured {
            total: Duration::from_millis(total_ms),
            baseline: Duration::from_millis(baseline_ms),
            ..Measured::default()
        }
    }

    /// Each round's larger run is divided by the smaller run of the same round, and the
    /// median of those ratios taken: a round slowed as a whole moves none of them.
    #[test]
    fn a_paired_ratio_is_the_median_of_each_rounds_ratio() {
        // The second round ran slowed down; the third's larger run a little faster.
        let smaller = [run(100, 50), run(300, 100), run(200, 40)];
        let larger = [run(500, 250), run(1_500, 400), run(900, 220)];
        // Totals: 5, 5 and 4.5 (a ratio of the medians, 900 / 200, would say 4.5).
        let total = paired_ratio(&smaller, &larger, |m| m.total);
        assert!((total - 5.0).abs() < 1e-9, "{total}");
        // Baselines: 5, 4 and 5.5.
        let baseline = paired_ratio(&smaller, &larger, |m| m.baseline);
        assert!((baseline - 5.0).abs() < 1e-9, "{baseline}");
        assert_eq!(paired_ratio(&[], &larger, |m| m.total), 0.0);
    }
}
