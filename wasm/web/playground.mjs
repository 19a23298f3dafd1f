// The playground: edit facts and a rule, run them in the WebAssembly engine, read the report
// (or its public view). The engine runs in a Web Worker (worker.mjs), so the page stays
// responsive during a large evaluation; an evaluation that outlives the deadline ends the worker.

/** How long an evaluation may take before the worker is terminated and started again: 120 s, or `?deadline=SECONDS` (a positive number of seconds, at most 2,000,000: a timer takes no longer). */
const DEADLINE_MS = deadline(new URLSearchParams(location.search).get("deadline"));

/** `?deadline=` in milliseconds: 120 s when absent, not a positive number or past what a timer takes. */
function deadline(seconds) {
  const s = Number(seconds);
  return seconds !== null && Number.isFinite(s) && s > 0 && s <= 2_000_000 ? s * 1000 : 120_000;
}
/** A facts file longer than this (in UTF-16 units) is evaluated as it is, not put in the editor: a textarea of 30 MB blocks the page for most of a minute. */
const EDIT_LIMIT = 1_000_000;
/** How many findings the report panel lists: building tens of thousands of list items blocks the page for seconds. */
const FINDINGS_SHOWN = 1_000;

const $ = (id) => document.getElementById(id);
const EXAMPLE_FILES = ["access", "data", "devices", "evidence", "operations", "org", "people", "policies", "resilience", "security", "systems", "training", "vendors"];
const STARTER = JSON.stringify({ schema_version: "1", organization: { name: "My company", as_of: "2026-06-30" }, people: [] }, null, 2);

let worker;
let calls = new Map(); // id -> {resolve, reject, timer, message}
let nextId = 1;
let sources = [{ name: "facts.json", text: STARTER }];
let current = 0;
/** Whether the facts editor was typed in since it was filled: only then is its text read back. */
let factsDirty = false;
let rules = [];
let edited = new Map(); // rule path -> edited source
/** The path of the rule whose source the rule editor holds (none while a rule's source is on its way). */
let shownRule = null;

function startWorker() {
  worker = new Worker(new URL("worker.mjs", import.meta.url), { type: "module" });
  worker.onmessage = ({ data }) => {
    const call = calls.get(data.id);
    if (!call) return;
    calls.delete(data.id);
    clearTimeout(call.timer);
    if (data.error) call.reject(Object.assign(new Error(data.error.message), data.error));
    else call.resolve(data);
  };
  worker.onerror = (e) => {
    for (const call of calls.values()) {
      clearTimeout(call.timer);
      call.reject(new Error(`the engine stopped: ${e.message}`));
    }
    calls.clear();
  };
}

/**
 * Calls a method of the engine in the worker: resolves with `{result, warnings}` (the
 * warnings of the facts and of the pack), or rejects with its error. An evaluation (`edits`
 * given: the paths of the rules edited) is stopped after the deadline, and the error names
 * those rules; the calls waiting behind it are sent again to the worker that replaces it.
 */
function callWithWarnings(method, args, edits) {
  const id = nextId++;
  const message = { id, method, args };
  return new Promise((resolve, reject) => {
    const timer = edits && setTimeout(() => {
      calls.delete(id);
      worker.terminate();
      startWorker();
      for (const waiting of calls.values()) worker.postMessage(waiting.message);
      const which = edits.length ? `: it ran your edits of ${edits.join(", ")}; a rule that loops or does much work per record does this` : "";
      reject(new Error(`the engine took more than ${DEADLINE_MS / 1000} s and was stopped${which}`));
    }, DEADLINE_MS);
    calls.set(id, { resolve, reject, timer, message });
    worker.postMessage(message);
  });
}

/** Calls a method of the engine in the worker and resolves with its result. */
async function call(method, ...args) {
  return (await callWithWarnings(method, args)).result;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/**
 * A value from the facts or the pack, isolated from the text around it: a name that holds a
 * right-to-left override (U+202E) cannot reorder the rest of the line.
 */
const bdi = (text) => el("bdi", String(text));

/** The editor's text back into the file it shows, if it was typed in. */
function keepFacts() {
  if (factsDirty) sources[current].text = $("facts").value;
  factsDirty = false;
}

function showFiles() {
  const select = $("facts-file");
  select.replaceChildren(...sources.map((s, i) => Object.assign(el("option", s.name), { value: i })));
  select.value = String(current);
  const { name, text } = sources[current];
  const large = text.length > EDIT_LIMIT;
  $("facts").readOnly = large;
  $("facts").value = large ? "" : text;
  $("facts").placeholder = large ? `${name} has ${(text.length / 1e6).toFixed(1)} million characters: too many to edit here. It is evaluated as it is; edit a smaller file, or this one in an editor, and open it again.` : "";
  factsDirty = false;
}

function selectedRule() {
  return rules.find((r) => r.path === $("rule-select").value);
}

/**
 * Shows the selected rule's source (its edit, or the pack's). While the source is on its way
 * (behind an evaluation in the worker), the editor is read-only and belongs to no rule, so that
 * nothing typed or shown there is kept as another rule's edit.
 */
async function showRule() {
  const rule = selectedRule();
  shownRule = null;
  $("rule").readOnly = true;
  if (!rule) return;
  const source = edited.get(rule.path) ?? (await call("explain", rule.id)).rule.source;
  if (selectedRule() !== rule) return; // another rule was chosen meanwhile
  $("rule").value = source;
  $("rule").readOnly = false;
  shownRule = rule.path;
}

function showError(message) {
  $("error").hidden = false;
  $("error").textContent = message;
}

function clear() {
  $("error").hidden = true;
  for (const id of ["summary", "warnings", "failing", "findings", "findings-more", "criteria", "vendors", "vendor-totals"]) $(id).replaceChildren();
}

/** Where a warning is, as `attest` prints it: `file:line: pointer`. */
function place(w) {
  return [`${w.file}${w.line != null ? `:${w.line}` : ""}`, w.pointer].filter(Boolean).join(": ");
}

/** The warnings of the facts and the pack (a field facts-v1 does not define, a file a pack ignores), as `attest` prints them. */
function renderWarnings(warnings) {
  $("warnings").replaceChildren(
    ...warnings.map((w) => {
      const li = el("li", "warning: ", "warn");
      li.append(bdi(place(w)), ": ", bdi(w.message));
      return li;
    }),
  );
}

/** A hint for an error the playground's own controls cannot act on as the message says. */
function hintFor(message) {
  if (/--period \S+/.test(message)) {
    return "The playground has no --period: choose an As of date on or after the end of organization.audit_period, or end the period at the as-of date in the facts (organization.audit_period.end).";
  }
  return null;
}

/** The counts table (overall, then per category) and the failing controls, of either view. */
function renderSummary(caption, overall, byCategory, controls) {
  const table = el("table");
  const head = el("tr");
  for (const h of ["category", "pass", "fail", "warn", "error", "not applicable"]) head.append(el("th", h));
  table.append(head);
  for (const [name, c] of [["all controls", overall], ...byCategory]) {
    const tr = el("tr");
    tr.dataset.category = name;
    tr.append(el("td", name));
    for (const k of ["pass", "fail", "warn", "error", "not_applicable"]) tr.append(Object.assign(el("td", String(c[k])), { className: k }));
    table.append(tr);
  }
  $("summary").replaceChildren(caption, table);
  const failing = controls.filter((c) => c.status === "fail" || c.status === "error");
  $("failing").replaceChildren(
    ...failing.map((c) => {
      const li = el("li");
      li.dataset.control = c.id;
      li.append(el("strong", c.id, c.status), " ", bdi(c.title), " ", el("span", `(${c.status})`, c.status));
      return li;
    }),
  );
  return failing;
}

/** The public view: readiness, every criterion with its checks, the vendors' assurance. */
function renderPublic(view) {
  $("private").hidden = true;
  $("public").hidden = false;
  const byCategory = view.categories.map((c) => [c.category, c.counts]);
  const caption = el("p");
  caption.append(bdi(view.organization), `, as of ${view.evaluated_on}, public view (`, bdi(`${view.pack.name} ${view.pack.version}`), ")");
  const failing = renderSummary(caption, view.summary, byCategory, view.controls);
  $("criteria").replaceChildren(
    ...view.controls.map((c) => {
      const li = el("li");
      li.dataset.control = c.id;
      li.append(el("strong", c.id, c.status), " ", bdi(c.title), " ", el("span", `(${c.status})`, c.status));
      const checks = el("ul");
      checks.append(
        ...c.checks.map((k) => {
          const check = el("li", null, k.status);
          check.append(bdi(k.title), `: ${k.status}`);
          return check;
        }),
      );
      li.append(checks);
      return li;
    }),
  );
  const v = view.vendors;
  $("vendor-totals").textContent = `${v.total} vendors: ${v.soc2_type2} with a SOC 2 Type II report, ${v.soc2_type1} with Type I, ${v.none} without.`;
  $("vendors").replaceChildren(
    ...v.vendors.map((x) => {
      const li = el("li");
      li.append(bdi(x.name), ": ", bdi(x.service), ` (${x.soc2_type ?? "no SOC 2 report"}${x.report_period_end ? `, period ending ${x.report_period_end}` : ""})`);
      li.dataset.vendor = x.name;
      return li;
    }),
  );
  $("status").textContent = `Public view: ${view.summary.fail} failing, ${view.summary.warn} warning, ${view.summary.pass} passing controls; ${failing.length} failing.`;
}

function render(report) {
  $("private").hidden = false;
  $("public").hidden = true;
  const caption = el("p");
  caption.append(bdi(report.facts.organization), `, evaluated on ${report.evaluated_on} with `, bdi(`${report.pack.name} ${report.pack.version}`));
  renderSummary(
    caption,
    report.summary.controls,
    Object.entries(report.summary.by_category),
    report.controls,
  );

  const rules = new Map(report.rules.map((r) => [r.id, r]));
  const seen = new Set();
  // Each rule's error and findings, in the order of the controls; the first FINDINGS_SHOWN listed.
  const items = [];
  let total = 0;
  const add = (make) => {
    if (total++ < FINDINGS_SHOWN) items.push(make());
  };
  for (const control of report.controls) {
    for (const id of control.rules) {
      const rule = rules.get(id);
      if (!rule || seen.has(rule.id)) continue;
      seen.add(rule.id);
      if (rule.error) add(() => ruleError(rule));
      for (const f of rule.findings) add(() => finding(rule, f));
    }
  }
  $("findings").replaceChildren(...items);
  if (total > items.length) $("findings-more").textContent = `The first ${items.length.toLocaleString("en")} of ${total.toLocaleString("en")} findings are listed.`;
  $("status").textContent = `${report.summary.controls.fail} failing, ${report.summary.controls.warn} warning, ${report.summary.controls.pass} passing controls; ${total} findings.`;
}

function ruleError(rule) {
  const li = el("li", null, "error");
  li.dataset.rule = rule.id;
  li.append(el("strong", rule.id), ": ", bdi(rule.error.message), " ", el("span", null, "where"));
  li.lastChild.append(bdi(`${rule.error.file}:${rule.error.line ?? "?"}`));
  return li;
}

function finding(rule, f) {
  const li = el("li", null, f.status);
  li.dataset.rule = rule.id;
  const where = el("span", null, "where");
  where.append(bdi(f.source ? `${f.source.file}:${f.source.line}` : (f.entity ?? "")), " · ", bdi(f.owner), ": ", bdi(f.remediation));
  li.append(el("strong", rule.id), ": ", bdi(f.message), " ", where);
  return li;
}

/** Shows an error of the engine (with a hint when the page's controls differ from the command's it names) and says so in the status line. */
function failed(e, what) {
  const message = e.message ?? String(e);
  const hint = hintFor(message);
  showError(hint ? `${message}\n\n${hint}` : message);
  $("status").textContent = `${what}: see the report panel.`;
}

async function run() {
  clear();
  keepFacts();
  // The overlay: the rules edited (typed in), each under its own path.
  const overlay = [...edited].map(([path, text]) => ({ path, text }));
  $("status").textContent = "Evaluating…";
  try {
    const options = { overlay, redact: $("public-view").checked };
    if ($("as-of").value) options.asOf = $("as-of").value;
    const { result, warnings } = await callWithWarnings("evaluate", [sources, options], [...edited.keys()]);
    if (options.redact) renderPublic(result);
    else render(result);
    renderWarnings(warnings);
  } catch (e) {
    failed(e, "The run failed");
  }
}

async function validate() {
  clear();
  keepFacts();
  $("status").textContent = "Validating…";
  try {
    const ok = await call("validate", sources);
    const summary = el("p", "The facts are valid: ");
    summary.append(bdi(ok.organization), `, ${ok.files} file(s), digest ${ok.digest.slice(0, 12)}…`);
    $("summary").replaceChildren(summary);
    renderWarnings(ok.warnings);
    const warned = ok.warnings.length ? `, with ${ok.warnings.length} warning(s)` : "";
    $("status").textContent = `The facts are valid${warned}.`;
  } catch (e) {
    failed(e, "The facts are not valid");
  }
}

async function loadExample() {
  const base = new URL("../../examples/acme/", import.meta.url);
  sources = await Promise.all(
    EXAMPLE_FILES.map(async (n) => {
      const response = await fetch(new URL(`${n}.json`, base));
      if (!response.ok) throw new Error(`examples/acme/${n}.json: HTTP ${response.status}`);
      return { name: `examples/acme/${n}.json`, text: await response.text() };
    }),
  );
  current = 0;
  showFiles();
  $("status").textContent = `Loaded the example organization (Acme Analytics, ${sources.length} files). Press Run.`;
}

const utf8 = new TextEncoder();
/** Orders names by their UTF-8 bytes, as `attest eval DIR/` orders a folder's files (`B` before `_c` before `a` before `é`). */
function byBytes(a, b) {
  const [x, y] = [utf8.encode(a), utf8.encode(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Opens the chosen files, merged in the order `attest eval` merges a folder's; an empty choice changes nothing. */
async function openFiles(files) {
  if (!files.length) return;
  const chosen = [...files].sort((a, b) => byBytes(a.name, b.name));
  sources = await Promise.all(chosen.map(async (f) => ({ name: f.name, text: await f.text() })));
  current = 0;
  showFiles();
  $("status").textContent = `Opened ${sources.length} file(s): ${sources.map((s) => s.name).join(", ")}. Press Run.`;
}

async function main() {
  startWorker();
  rules = (await call("explain")).rules;
  $("rule-select").replaceChildren(...rules.map((r) => Object.assign(el("option", `${r.id}: ${r.title}`), { value: r.path })));
  showFiles();
  await showRule();
  $("facts").addEventListener("input", () => {
    factsDirty = true;
  });
  $("facts-file").addEventListener("change", () => {
    keepFacts();
    current = Number($("facts-file").value);
    showFiles();
  });
  $("add-file").addEventListener("click", () => {
    keepFacts();
    sources.push({ name: `facts-${sources.length + 1}.json`, text: "{}" });
    current = sources.length - 1;
    showFiles();
  });
  $("rule-select").addEventListener("change", () => showRule().catch((e) => showError(e.message)));
  $("rule").addEventListener("input", () => {
    if (shownRule) edited.set(shownRule, $("rule").value);
  });
  $("reset-rule").addEventListener("click", () => {
    const rule = selectedRule();
    if (rule) edited.delete(rule.path);
    showRule().catch((e) => showError(e.message));
  });
  $("run").addEventListener("click", run);
  $("validate").addEventListener("click", validate);
  $("load-example").addEventListener("click", () => loadExample().catch((e) => showError(String(e))));
  $("open-files").addEventListener("change", (e) => openFiles(e.target.files).catch((err) => showError(String(err))));
  $("status").textContent = `Engine ready: built-in pack with ${rules.length} rules. Edit the facts or a rule, then Run.`;
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  $("status").textContent = `The engine could not load: ${e}`;
});
