//! The public view as one self-contained HTML page: no script, no network (its
//! Content-Security-Policy allows only its inline style).

use super::{PublicReport, assurance, vendor_totals};
use crate::escape::xml as esc;
use std::fmt::Write as _;

const STYLE: &str = r#"
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --error: #8250df; --waived: #0969da; --na: #8c959f; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d;
    --pass: #3fb950; --fail: #f85149; --warn: #d29922; --error: #ab7df8; --waived: #4493f8; --na: #656c76; } }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 14px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 12px; border-bottom: 1px solid var(--line); }
.muted { color: var(--muted); }
.bar-row { display: grid; grid-template-columns: 180px 1fr 60px 260px; gap: 12px; align-items: center; margin: 6px 0; }
.bar { display: flex; height: 14px; border-radius: 7px; overflow: hidden; background: var(--panel); border: 1px solid var(--line); }
.seg.pass { background: var(--pass); } .seg.warn { background: var(--warn); } .seg.waived { background: var(--waived); }
.seg.fail { background: var(--fail); } .seg.error { background: var(--error); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-size: 12px; text-transform: uppercase; color: var(--muted); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--na); }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); }
.badge.error { background: var(--error); } .badge.waived { background: var(--waived); }
ul { margin: 0; padding-left: 18px; }
"#;

/// Renders the public view as one HTML page.
pub fn public_html(p: &PublicReport) -> String {
    let mut out = String::new();
    let org = esc(&p.organization);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>SOC 2 readiness · {org}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>SOC 2 readiness of {org}</h1>\n<p class=\"muted\">As of {}{} · pack {} {}</p>\n",
        esc(&p.evaluated_on),
        esc(&super::super::period_note(p.period)),
        esc(&p.pack.name),
        esc(&p.pack.version)
    );
    out.push_str("<h2>Readiness</h2>\n");
    for c in &p.categories {
        let _ = write!(
            out,
            "<div class=\"bar-row\" data-category=\"{}\"><b>{}</b>",
            c.category.as_str(),
            c.label
        );
        if !c.in_scope {
            out.push_str(
                "<span class=\"muted\">not in scope</span><span></span><span></span></div>\n",
            );
            continue;
        }
        out.push_str("<div class=\"bar\">");
        let n = &c.counts;
        for (class, count) in [
            ("pass", n.pass),
            ("warn", n.warn),
            ("waived", n.waived),
            ("fail", n.fail),
            ("error", n.error),
        ] {
            if count > 0 {
                let _ = write!(
                    out,
                    "<span class=\"seg {class}\" style=\"width:{:.2}%\" title=\"{count} {class}\"></span>",
                    f64::from(count) * 100.0 / f64::from(c.applicable.max(1))
                );
            }
        }
        let _ = writeln!(
            out,
            "</div><span>{}%</span><span class=\"muted\">{} of {} ready; {} fail, {} waived</span></div>",
            c.percent, c.ready, c.applicable, n.fail, n.waived
        );
    }
    out.push_str("<h2>Criteria</h2>\n<table id=\"criteria\">\n<thead><tr><th>Criterion</th><th>Status</th><th>Title</th><th>Checks</th></tr></thead>\n<tbody>\n");
    for c in &p.controls {
        let status = c.status.as_str();
        let _ = write!(
            out,
            "<tr data-control=\"{}\" data-status=\"{status}\"><td>{}</td><td><span class=\"badge {status}\">{status}</span></td><td>{}</td><td><ul>",
            esc(&c.id),
            esc(&c.id),
            esc(&c.title)
        );
        for k in &c.checks {
            let _ = write!(
                out,
                "<li>{} <span class=\"badge {}\">{}</span></li>",
                esc(&k.title),
                k.status.as_str(),
                k.status.as_str()
            );
        }
        out.push_str("</ul></td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n<h2>Vendors</h2>\n");
    let _ = writeln!(out, "<p>{}</p>", esc(&vendor_totals(&p.vendors)));
    if !p.vendors.vendors.is_empty() {
        out.push_str("<table id=\"vendors\">\n<thead><tr><th>Vendor</th><th>Service</th><th>Assurance</th></tr></thead>\n<tbody>\n");
        for v in &p.vendors.vendors {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&v.name),
                esc(&v.service),
                esc(&assurance(v))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
