//! The HTML format: one self-contained page (inline style and script, no network, a
//! Content-Security-Policy that forbids loading anything) with a readiness dashboard: a
//! bar per category, a filterable table of controls, the to-do list as a tab per owner, the
//! vendor register and the waivers.
//!
//! The table filter reads its state from the URL fragment (or query): `#status=fail`,
//! `#category=security`, `#owner=IT`, `#q=mfa`, combined with `&`. It writes it back as
//! the filter changes, so a filtered view can be linked to; the owner filter also opens
//! that owner's to-do tab. The tabs themselves are radio buttons styled by CSS: they work
//! without the script.

use super::chart::{RunPoint, readiness_chart};
use super::escape::xml as esc;
use super::todo::when;
use super::{Context, error_place, record_place};
use attest_engine::pack::Category;
use attest_engine::report::todo::{ItemKind, OwnerTodo, TodoItem, TodoList};
use attest_engine::report::vendors::{RiskLevel, VendorRegister};
use attest_engine::report::{ControlResult, Finding, Report, RuleResult, Status, describe_params};
use std::fmt::Write as _;

const STYLE: &str = r#"
:root { --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --error: #8250df; --waived: #0969da; --na: #8c959f; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d;
    --pass: #3fb950; --fail: #f85149; --warn: #d29922; --error: #ab7df8; --waived: #4493f8; --na: #656c76; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.meta, small, .muted { color: var(--muted); }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.tile { display: block; min-width: 110px; padding: 10px 14px; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); color: inherit; text-decoration: none; }
.tile b { display: block; font-size: 24px; }
.tile.ready b { color: var(--pass); }
.tile.fail b { color: var(--fail); } .tile.warn b { color: var(--warn); } .tile.error b { color: var(--error); }
.tile.waived b { color: var(--waived); } .tile.pass b { color: var(--pass); } .tile.not_applicable b { color: var(--na); }
.bar-row { display: grid; grid-template-columns: 180px 1fr 60px 280px; gap: 12px; align-items: center; margin: 6px 0; }
.bar { display: flex; height: 14px; border-radius: 7px; overflow: hidden; background: var(--panel); border: 1px solid var(--line); }
.seg.pass { background: var(--pass); } .seg.waived { background: var(--waived); } .seg.warn { background: var(--warn); }
.seg.fail { background: var(--fail); } .seg.error { background: var(--error); }
.pct { font-weight: 600; text-align: right; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin-bottom: 12px; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
.filters select, .filters input { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--na); white-space: nowrap; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); }
.badge.error { background: var(--error); } .badge.waived { background: var(--waived); }
.badge.active { background: var(--waived); } .badge.stale, .badge.expired, .badge.pending { background: var(--warn); }
details > summary { cursor: pointer; }
ul.rules, ul.findings, ol.todo { margin: 4px 0; padding-left: 18px; }
.fix { margin: 2px 0 8px; }
.tabs { display: flex; flex-wrap: wrap; gap: 0 4px; }
.tabs > input { position: absolute; opacity: 0; width: 1px; height: 1px; margin: 0; }
.tabs > label { order: 0; padding: 4px 12px; border: 1px solid var(--line); border-bottom: 0; border-radius: 8px 8px 0 0; background: var(--panel); color: var(--muted); cursor: pointer; }
.tabs > label .count { font-weight: 600; }
.tabs > input:checked + label { background: var(--bg); color: var(--fg); font-weight: 600; }
.tabs > input:focus-visible + label { outline: 2px solid var(--waived); }
.tab-panel { order: 1; display: none; width: 100%; border: 1px solid var(--line); border-radius: 0 8px 8px 8px; padding: 8px 12px; }
.tabs > input:checked + label + .tab-panel { display: block; }
@media print { .tabs > label { display: none; } .tab-panel { display: block; margin-bottom: 8px; } }
footer { margin: 40px auto 24px; color: var(--muted); font-size: 12px; }
"#;

const SCRIPT: &str = r#"
(function () {
  var form = document.getElementById('filters');
  var fields = { status: document.getElementById('f-status'), category: document.getElementById('f-category'),
                 owner: document.getElementById('f-owner'), q: document.getElementById('f-q') };
  var rows = Array.prototype.slice.call(document.querySelectorAll('#control-table tbody tr'));
  var count = document.getElementById('f-count');
  var tabs = Array.prototype.slice.call(document.querySelectorAll('input[name="todo-tab"]'));
  function read() {
    var text = location.hash.replace(/^#/, '') || location.search.replace(/^\?/, '');
    var params = new URLSearchParams(text);
    Object.keys(fields).forEach(function (k) { fields[k].value = params.get(k) || ''; });
    apply();
  }
  function reflect() {
    // Keep the DOM in step with the filter (selected options, the search text), so a saved
    // or printed page shows what it was filtered on.
    Array.prototype.forEach.call(form.querySelectorAll('option'), function (o) { o.defaultSelected = o.selected; });
    fields.q.defaultValue = fields.q.value;
  }
  function apply() {
    var status = fields.status.value, category = fields.category.value, owner = fields.owner.value;
    // The owner's to-do tab follows the owner filter.
    var tab = owner && document.getElementById('todo-tab-' + owner);
    if (tab) {
      tabs.forEach(function (t) { t.defaultChecked = t === tab; });
      tab.checked = true;
    }
    var q = fields.q.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (row) {
      var ok = (!status || row.dataset.status === status) && (!category || row.dataset.category === category) &&
        (!owner || (' ' + row.dataset.owners + ' ').indexOf(' ' + owner + ' ') >= 0) &&
        (!q || row.textContent.toLowerCase().indexOf(q) >= 0);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.value = shown + ' of ' + rows.length + ' controls';
    reflect();
  }
  function write() {
    var params = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { if (fields[k].value) { params.set(k, fields[k].value); } });
    try { history.replaceState(null, '', '#' + params.toString()); } catch (e) { /* file: URLs in some browsers */ }
    apply();
  }
  form.addEventListener('input', write);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  window.addEventListener('hashchange', read);
  read();
})();
"#;

/// Renders the report as one self-contained HTML page; `context` supplies the vendors.
pub fn html(report: &Report, context: &Context) -> String {
    let mut out = String::new();
    let org = esc(&report.facts.organization);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <title>SOC 2 readiness · {org} · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&report.evaluated_on)
    );
    header(&mut out, report);
    out.push_str("<main>\n");
    categories(&mut out, report);
    history(&mut out, &context.history);
    controls(&mut out, report);
    owners(&mut out, report);
    vendors(&mut out, report, context);
    waivers(&mut out, report);
    input_warnings(&mut out, report);
    out.push_str("</main>\n");
    let _ = write!(
        out,
        "<footer>Attest {} · pack {} {} (sha256 <code>{}</code>) · facts sha256 <code>{}</code></footer>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        esc(&report.engine.version),
        esc(&report.pack.name),
        esc(&report.pack.version),
        esc(&report.pack.digest),
        esc(&report.facts.digest)
    );
    out
}

fn header(out: &mut String, report: &Report) {
    let s = &report.summary.controls;
    let _ = writeln!(
        out,
        "<header>\n<h1>SOC 2 readiness of {}</h1>\n<p class=\"meta\">As of {}{} · pack {} {} · {} controls</p>",
        esc(&report.facts.organization),
        esc(&report.evaluated_on),
        esc(&super::report_period_note(report)),
        esc(&report.pack.name),
        esc(&report.pack.version),
        report.controls.len()
    );
    if let Some(params) = describe_params(&report.params) {
        let _ = writeln!(
            out,
            "<p class=\"meta\">Parameters set for this run: {}</p>",
            esc(&params)
        );
    }
    out.push_str("<nav class=\"tiles\" id=\"tiles\">\n");
    if let Some(r) = s.readiness() {
        let (ready, applicable, percent) = (r.ready, r.applicable, r.percent);
        let _ = writeln!(
            out,
            "<a class=\"tile ready\" href=\"#\"><b>{percent}%</b>ready ({ready} of {applicable} criteria in scope pass or warn)</a>"
        );
    }
    for status in Status::ALL {
        let _ = writeln!(
            out,
            "<a class=\"tile {0}\" href=\"#status={0}\" data-count=\"{1}\"><b>{1}</b>{2}</a>",
            status.as_str(),
            s.get(status),
            label(status)
        );
    }
    out.push_str("</nav>\n</header>\n");
}

fn categories(out: &mut String, report: &Report) {
    out.push_str("<section id=\"readiness\">\n<h2>Readiness by category</h2>\n");
    for category in Category::ALL {
        let counts = report.summary.category(category);
        let Some(r) = counts.readiness() else {
            let _ = writeln!(
                out,
                "<div class=\"bar-row\" data-category=\"{}\"><span>{}</span><span class=\"muted\">not in scope</span><span></span><span></span></div>",
                category.as_str(),
                category.label()
            );
            continue;
        };
        let (ready, applicable, percent) = (r.ready, r.applicable, r.percent);
        let _ = write!(
            out,
            "<div class=\"bar-row\" data-category=\"{}\" data-ready=\"{percent}\"><a href=\"#category={0}\">{}</a><div class=\"bar\" role=\"img\" aria-label=\"{percent}% ready\">",
            category.as_str(),
            category.label()
        );
        for status in [
            Status::Pass,
            Status::Waived,
            Status::Warn,
            Status::Fail,
            Status::Error,
        ] {
            let n = counts.get(status);
            if n > 0 {
                let _ = write!(
                    out,
                    "<span class=\"seg {}\" style=\"width:{:.2}%\" title=\"{n} {}\"></span>",
                    status.as_str(),
                    f64::from(n) * 100.0 / f64::from(applicable),
                    label(status)
                );
            }
        }
        let _ = writeln!(
            out,
            "</div><span class=\"pct\">{percent}%</span><span class=\"muted\">{ready} of {applicable} ready: {} pass · {} warn · {} fail · {} error · {} waived</span></div>",
            counts.pass, counts.warn, counts.fail, counts.error, counts.waived
        );
    }
    out.push_str("</section>\n");
}

/// Readiness over the runs of the ledger, when the host passed them.
fn history(out: &mut String, runs: &[RunPoint]) {
    if runs.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"history\">\n<h2>Readiness over time</h2>\n{}\n<p class=\"muted\">{} run{} recorded in the ledger, oldest first; the last point is this report.</p>\n</section>",
        readiness_chart(runs),
        runs.len(),
        if runs.len() == 1 { "" } else { "s" }
    );
}

fn controls(out: &mut String, report: &Report) {
    let owners: Vec<&str> = {
        let mut all: Vec<&str> = report
            .controls
            .iter()
            .flat_map(|c| report.rules_of(c).map(|r| r.owner.as_str()))
            .collect();
        attest_engine::sorting::sort(&mut all);
        all.dedup();
        all
    };
    out.push_str(
        "<section id=\"controls\">\n<h2>Controls</h2>\n<form class=\"filters\" id=\"filters\">\n",
    );
    out.push_str("<label>Status<select id=\"f-status\"><option value=\"\">all</option>");
    for status in Status::ALL {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            status.as_str(),
            label(status)
        );
    }
    out.push_str("</select></label>\n<label>Category<select id=\"f-category\"><option value=\"\">all</option>");
    for category in Category::ALL {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            category.as_str(),
            category.label()
        );
    }
    out.push_str(
        "</select></label>\n<label>Owner<select id=\"f-owner\"><option value=\"\">all</option>",
    );
    for owner in &owners {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", esc(owner));
    }
    let _ = writeln!(
        out,
        "</select></label>\n<label>Search<input id=\"f-q\" type=\"search\" placeholder=\"id, title, finding\"></label>\n\
         <output id=\"f-count\">{0} of {0} controls</output>\n</form>",
        report.controls.len()
    );
    out.push_str("<table id=\"control-table\">\n<thead><tr><th>Control</th><th>Status</th><th>Title</th><th>Category</th><th>Open findings</th><th>Rules</th></tr></thead>\n<tbody>\n");
    for c in &report.controls {
        control_row(out, c, &report.rules_of(c).collect::<Vec<_>>());
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn control_row(out: &mut String, c: &ControlResult, rules: &[&RuleResult]) {
    let in_scope = c.status != Status::NotApplicable;
    let mut owners: Vec<&str> = rules
        .iter()
        .filter(|r| {
            in_scope
                && (r.status == Status::Error
                    || r.findings
                        .iter()
                        .any(|f| matches!(f.effective_status(), Status::Fail | Status::Warn)))
        })
        .map(|r| r.owner.as_str())
        .collect();
    attest_engine::sorting::sort(&mut owners);
    owners.dedup();
    let open: usize = if in_scope {
        rules
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| matches!(f.effective_status(), Status::Fail | Status::Warn))
            .count()
    } else {
        0
    };
    let _ = write!(
        out,
        "<tr id=\"{0}\" data-status=\"{1}\" data-category=\"{2}\" data-owners=\"{3}\"><td><a href=\"#q={0}\"><code>{0}</code></a></td><td>{4}</td><td>{5}<br><small>{6}</small></td><td>{7}</td><td>{open}</td><td>",
        esc(&c.id),
        c.status.as_str(),
        c.category.as_str(),
        esc(&owners.join(" ")),
        badge(c.status),
        esc(&c.title),
        esc(&c.group),
        c.category.label()
    );
    if !in_scope || rules.is_empty() {
        // A criterion is not applicable only when its category is out of scope: one in
        // scope that no rule could judge is judged by its evidence.
        let why = if in_scope {
            "no facts to judge it on"
        } else {
            "category out of scope"
        };
        let _ = write!(out, "<span class=\"muted\">{why}</span>");
    } else {
        let _ = write!(
            out,
            "<details><summary>{} rule{}</summary><ul class=\"rules\">",
            rules.len(),
            if rules.len() == 1 { "" } else { "s" }
        );
        for r in rules {
            rule_item(out, r);
        }
        out.push_str("</ul></details>");
    }
    evidence_list(out, c);
    out.push_str("</td></tr>\n");
}

/// A criterion's evidence records, collapsed under the rules that judged it.
fn evidence_list(out: &mut String, c: &ControlResult) {
    if c.evidence.is_empty() {
        return;
    }
    let n = c.evidence.len();
    let _ = write!(
        out,
        "<details><summary>{n} evidence record{}</summary><ul class=\"evidence\">",
        if n == 1 { "" } else { "s" }
    );
    for e in &c.evidence {
        let title = match &e.uri {
            Some(uri) => format!("{} <code>{}</code>", esc(&e.title), esc(uri)),
            None => esc(&e.title),
        };
        let _ = write!(
            out,
            "<li>{title} <small>· collected {}{} · {}{}</small></li>",
            esc(&e.collected_on),
            e.expires_on
                .as_deref()
                .map(|d| format!(", expires {}", esc(d)))
                .unwrap_or_default(),
            e.state.as_str(),
            e.file
                .map(|f| format!(" · file {}", f.as_str()))
                .unwrap_or_default()
        );
    }
    out.push_str("</ul></details>");
}

fn rule_item(out: &mut String, r: &RuleResult) {
    let _ = write!(
        out,
        "<li>{} <code>{}</code> {} <small>· {} · owner {} · {}{}</small>",
        badge(r.status),
        esc(&r.id),
        esc(&r.title),
        r.severity.as_str(),
        r.owner,
        esc(&r.population.describe()),
        super::as_of_mark(r)
    );
    if let Some(e) = &r.error {
        let _ = write!(
            out,
            "<br><small>{}: {}</small>",
            esc(&error_place(e)),
            esc(&e.message)
        );
    }
    if !r.findings.is_empty() {
        out.push_str("<ul class=\"findings\">");
        for f in &r.findings {
            finding_item(out, f);
        }
        out.push_str("</ul>");
        if let Some(f) = r.findings.first() {
            let _ = write!(
                out,
                "<p class=\"fix\"><b>Fix:</b> {}</p>",
                esc(&f.remediation)
            );
        }
    }
    out.push_str("</li>");
}

fn finding_item(out: &mut String, f: &Finding) {
    let _ = write!(
        out,
        "<li>{} {}",
        badge(f.effective_status()),
        esc(&f.message)
    );
    let at = record_place(f.source.as_ref(), f.key.as_deref().or(f.entity.as_deref()));
    if !at.is_empty() {
        let _ = write!(out, " <small><code>{}</code></small>", esc(&at));
    }
    if let Some(w) = &f.waiver {
        let _ = write!(
            out,
            "<br><small>waived: {} ({})</small>",
            esc(&w.reason),
            esc(&w.approval())
        );
    }
    out.push_str("</li>");
}

/// The to-do list as tabs, one per owner with something to do: radio buttons and their
/// labels, each followed by its panel, so the tabs work without the script (and the page
/// prints every panel). `#owner=NAME` in the URL opens that owner's tab.
fn owners(out: &mut String, report: &Report) {
    let todo = TodoList::new(report);
    let owners: Vec<&OwnerTodo> = todo.owners.iter().filter(|o| !o.items.is_empty()).collect();
    out.push_str("<section id=\"owners\">\n<h2>To do by owner</h2>\n");
    if owners.is_empty() {
        out.push_str("<p class=\"muted\">Nothing to fix.</p>\n</section>\n");
        return;
    }
    out.push_str("<p class=\"muted\">Each owner's items, by severity, then due date (overdue first), then rule and record; exceptions that are over last. <code>attest todo</code> lists them too.</p>\n<div class=\"tabs\">\n");
    for (n, o) in owners.iter().enumerate() {
        let _ = writeln!(
            out,
            "<input type=\"radio\" name=\"todo-tab\" id=\"todo-tab-{0}\"{1}><label for=\"todo-tab-{0}\">{0} <span class=\"count\">{2}</span></label>",
            esc(o.owner.as_str()),
            if n == 0 { " checked" } else { "" },
            o.items.len()
        );
        let _ = writeln!(
            out,
            "<div class=\"tab-panel\" id=\"todo-{0}\" data-owner=\"{0}\"><p><b>{0}</b>: <span class=\"to-fix\">{1}</span> to fix, <span class=\"lapsing\">{2}</span> lapsing soon{3}{5}{4}</p><ol class=\"todo\">",
            esc(o.owner.as_str()),
            o.summary.to_fix,
            o.lapsing_soon(),
            if o.summary.evidence > 0 {
                format!(" ({} evidence to collect)", o.summary.evidence)
            } else {
                String::new()
            },
            if o.summary.waived > 0 {
                format!("; {} waived", o.summary.waived)
            } else {
                String::new()
            },
            if o.summary.exceptions > 0 {
                let n = o.summary.exceptions;
                let word = if n == 1 { "exception" } else { "exceptions" };
                format!("; {n} {word} over, nothing to fix")
            } else {
                String::new()
            }
        );
        for item in &o.items {
            todo_item(out, item, &todo.evaluated_on);
        }
        out.push_str("</ol></div>\n");
    }
    out.push_str("</div>\n</section>\n");
}

fn todo_item(out: &mut String, item: &TodoItem, today: &str) {
    let (class, word) = match item.kind {
        ItemKind::Finding => ("fail", "fix"),
        ItemKind::Lapsing => ("warn", "lapsing"),
        ItemKind::Evidence if item.is_failing() => ("fail", "evidence"),
        ItemKind::Evidence => ("warn", "evidence"),
        ItemKind::Exception => ("over", "exception"),
    };
    let when = when(item, today);
    let _ = write!(
        out,
        "<li data-kind=\"{}\" data-severity=\"{}\"><span class=\"badge {class}\">{word}</span> {} <small>· {}{}</small> <code>{}</code> {}",
        item.kind.as_str(),
        item.severity.as_str(),
        esc(&item.rule_title),
        item.severity.as_str(),
        if when.is_empty() {
            String::new()
        } else {
            format!(" · {}", esc(&when))
        },
        esc(&item.rule),
        esc(&item.message)
    );
    let at = record_place(item.source.as_ref(), item.record());
    if !at.is_empty() {
        let _ = write!(out, " <small><code>{}</code></small>", esc(&at));
    }
    let _ = writeln!(
        out,
        "<p class=\"fix\"><b>{}</b> {}</p></li>",
        match item.kind {
            ItemKind::Evidence => "Collect:",
            ItemKind::Exception => "Keep:",
            ItemKind::Finding | ItemKind::Lapsing => "Fix:",
        },
        esc(&item.remediation)
    );
}

fn vendors(out: &mut String, report: &Report, context: &Context) {
    out.push_str("<section id=\"vendors\">\n<h2>Vendor risk register</h2>\n");
    if context.vendors.is_empty() {
        out.push_str("<p class=\"muted\">The facts list no vendors.</p>\n</section>\n");
        return;
    }
    let register = VendorRegister::new(report, &context.vendors, &context.review_cadence);
    let counts: Vec<String> = RiskLevel::ALL
        .iter()
        .map(|l| format!("{} {}", register.summary.residual_risk.get(*l), l.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "<p class=\"muted\">{} vendors, {} with open gaps; residual risk: {}. Inherent risk is the risk tier times the data access; each kind of control (assurance, contract) without an open gap lowers it one level.</p>",
        register.summary.vendors,
        register.summary.with_open_gaps,
        counts.join(", ")
    );
    out.push_str("<table id=\"vendor-table\">\n<thead><tr><th>Vendor</th><th>Tier and data access</th><th>Inherent</th><th>Residual</th><th>SOC 2 report</th><th>Contract expires</th><th>Next review</th><th>Gaps</th></tr></thead>\n<tbody>\n");
    for v in &register.vendors {
        let soc2 = match (&v.soc2_type, &v.report_period_end) {
            (Some(t), Some(end)) => {
                format!("{} (period ending {})", t.replace("type", "type "), end)
            }
            (Some(t), None) => t.replace("type", "type "),
            (None, _) => "none".to_owned(),
        };
        let status = if v.status == "active" {
            String::new()
        } else {
            format!("<br><small>{}</small>", esc(&v.status))
        };
        let data = super::vendors::data_access(v);
        let review = esc(&super::vendors::review(v, &register.evaluated_on));
        let _ = write!(
            out,
            "<tr data-vendor=\"{}\" data-status=\"{}\" data-residual=\"{}\"><td>{}<br><small><code>{}</code> · {}</small>{status}</td><td>{}<br><small>{}</small></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{review}</td><td>",
            esc(&v.id),
            v.status_of_gaps().as_str(),
            v.residual_risk.as_str(),
            esc(&v.name),
            esc(&v.id),
            esc(&v.service),
            esc(&v.risk_tier),
            esc(&data),
            v.inherent_risk.as_str(),
            v.residual_risk.as_str(),
            esc(&soc2),
            esc(v.contract_expires_on.as_deref().unwrap_or("none"))
        );
        if !v.not_judged_by.is_empty() {
            let _ = write!(
                out,
                "{} not judged by {} (rules in error)",
                badge(Status::Error),
                esc(&v.not_judged_by.join(", "))
            );
        }
        if v.gaps.is_empty() && v.not_judged_by.is_empty() {
            out.push_str(&badge(Status::Pass));
        } else if !v.gaps.is_empty() {
            out.push_str("<ul class=\"findings\">");
            for g in &v.gaps {
                let _ = write!(
                    out,
                    "<li>{} {}: {} <small><code>{}</code> · {}</small></li>",
                    badge(g.status),
                    g.kind.as_str(),
                    esc(&g.message),
                    esc(&g.rule),
                    esc(&g.criteria.join(", "))
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn waivers(out: &mut String, report: &Report) {
    if report.waivers.is_empty() {
        return;
    }
    out.push_str("<section id=\"waivers\">\n<h2>Waivers</h2>\n<table id=\"waiver-table\">\n<thead><tr><th>State</th><th>Covers</th><th>Reason</th><th>Approved</th><th>Expires</th><th>Where</th></tr></thead>\n<tbody>\n");
    for w in &report.waivers {
        let state = w.state.as_str();
        let _ = writeln!(
            out,
            "<tr data-state=\"{state}\"><td><span class=\"badge {state}\">{state}</span><br><small>{}</small></td><td>{}</td><td>{}</td><td>{} on {}</td><td>{}</td><td><code>{}:{}</code></td></tr>",
            esc(&w.explain_in(report)),
            esc(&w.waiver.scope()),
            esc(&w.waiver.reason),
            esc(&w.waiver.approved_by),
            esc(&w.waiver.approved_on),
            esc(&w.waiver.expires_on),
            esc(&w.waiver.source.file),
            w.waiver.source.line
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn input_warnings(out: &mut String, report: &Report) {
    if report.warnings.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"input-warnings\">\n<h2>Input warnings ({})</h2>\n<table id=\"warning-table\">\n<thead><tr><th>Input</th><th>Where</th><th>Warning</th></tr></thead>\n<tbody>",
        report.warnings.len()
    );
    for w in &report.warnings {
        let input = w.input().as_str();
        let _ = writeln!(
            out,
            "<tr data-input=\"{input}\"><td><span class=\"badge warn\">{input}</span></td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&w.at()),
            esc(w.message())
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn badge(status: Status) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        status.as_str(),
        label(status)
    )
}

fn label(status: Status) -> &'static str {
    match status {
        Status::NotApplicable => "not applicable",
        other => other.as_str(),
    }
}
