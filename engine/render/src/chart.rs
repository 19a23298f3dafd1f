//! The HTML report's chart of readiness over time: an inline SVG drawn from the runs a host
//! passes in (the CLI reads them from its ledger), so it shows without script or network.
//! One point per run, in the order given, at the percentage of criteria in scope that pass
//! or warn; each point's title tells the run's date, as-of date and counts.

use super::escape::xml as esc;
use std::fmt::Write as _;

/// One run as the chart shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunPoint {
    /// When the run took place (RFC 3339), as its host recorded it.
    pub run_at: String,
    /// The as-of date the rules saw.
    pub as_of: String,
    /// Criteria in scope that passed or warned.
    pub ready: u32,
    /// Criteria in scope.
    pub applicable: u32,
}

impl RunPoint {
    /// Readiness as a percentage, rounded half up (0 when nothing is in scope).
    pub fn percent(&self) -> u32 {
        (self.ready * 100 + self.applicable / 2)
            .checked_div(self.applicable)
            .unwrap_or(0)
    }
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;
/// At most this many dates are written under the axis; every point keeps its title.
const MAX_LABELS: usize = 8;

const STYLE: &str = ".rc-grid{stroke:var(--line,#d1d9e0);stroke-width:1}\
.rc-axis{fill:var(--muted,#59636e);font:11px system-ui,sans-serif}\
.rc-line{fill:none;stroke:var(--muted,#59636e);stroke-width:1.5}\
.rc-point{fill:#bc4c00;stroke:var(--bg,#fff);stroke-width:1.5}";

/// The chart as an `<svg>` element; empty when there are no runs. Points are `<circle
/// class="rc-point">` with `data-percent`, `data-as-of` and `data-run-at`, in run order,
/// drawn in a colour (#bc4c00) nothing else on the page uses.
pub(crate) fn readiness_chart(runs: &[RunPoint]) -> String {
    if runs.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg id=\"readiness-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"Readiness over {} runs, from {}% to {}%\">\
         <style>{STYLE}</style>",
        runs.len(),
        runs[0].percent(),
        runs[runs.len() - 1].percent()
    );
    for pct in [0, 25, 50, 75, 100] {
        let y = y_of(pct);
        let _ = write!(
            out,
            "<line class=\"rc-grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"rc-axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{pct}%</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let points: Vec<(f64, f64)> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (x_of(i, runs.len()), y_of(r.percent())))
        .collect();
    if points.len() > 1 {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            out,
            "<polyline class=\"rc-line\" points=\"{}\"/>",
            path.join(" ")
        );
    }
    let every = runs.len().div_ceil(MAX_LABELS);
    for (i, (run, (x, y))) in runs.iter().zip(&points).enumerate() {
        let last = i + 1 == runs.len();
        let _ = write!(
            out,
            "<circle class=\"rc-point\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" data-percent=\"{}\" data-as-of=\"{}\" data-run-at=\"{}\"><title>{} (as of {}): {}% ready, {} of {} criteria in scope</title></circle>",
            run.percent(),
            esc(&run.as_of),
            esc(&run.run_at),
            esc(&run.run_at),
            esc(&run.as_of),
            run.percent(),
            run.ready,
            run.applicable
        );
        if i % every == 0 || last {
            let _ = write!(
                out,
                "<text class=\"rc-axis\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                HEIGHT - BOTTOM + 18.0,
                esc(&run.as_of)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// The x of the `i`th of `n` points: spread over the plot, one point in its middle.
fn x_of(i: usize, n: usize) -> f64 {
    let span = WIDTH - LEFT - RIGHT;
    if n <= 1 {
        return LEFT + span / 2.0;
    }
    LEFT + span * (i as f64) / ((n - 1) as f64)
}

/// The y of a percentage: 100% at the top of the plot, 0% at its bottom.
fn y_of(percent: u32) -> f64 {
    let span = HEIGHT - TOP - BOTTOM;
    TOP + span * (1.0 - f64::from(percent.min(100)) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(day: u32, ready: u32) -> RunPoint {
        RunPoint {
            run_at: format!("2026-06-{day:02}T06:00:00Z"),
            as_of: format!("2026-06-{day:02}"),
            ready,
            applicable: 40,
        }
    }

    #[test]
    fn no_runs_draw_nothing() {
        assert_eq!(readiness_chart(&[]), "");
    }

    #[test]
    fn each_run_is_a_point_higher_for_more_readiness() {
        let svg = readiness_chart(&[run(1, 10), run(2, 30), run(3, 20)]);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("data-percent=\"25\""));
        assert!(svg.contains("data-percent=\"75\""));
        let ys: Vec<f64> = svg
            .split("cy=\"")
            .skip(1)
            .map(|s| {
                s.split('"')
                    .next()
                    .unwrap_or("")
                    .parse()
                    .unwrap_or(f64::NAN)
            })
            .collect();
        assert!(ys[1] < ys[2] && ys[2] < ys[0], "{ys:?}");
        assert!(svg.contains("<polyline"));
    }

    #[test]
    fn labels_thin_out_but_points_stay() {
        let runs: Vec<RunPoint> = (1..=30).map(|d| run(d, d)).collect();
        let svg = readiness_chart(&runs);
        assert_eq!(svg.matches("<circle").count(), 30);
        let labels = svg.matches("text-anchor=\"middle\"").count();
        assert!(labels <= MAX_LABELS + 1, "{labels}");
    }
}
