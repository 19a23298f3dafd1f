// The playground: edit facts and a rule, run them in the WebAssembly engine, read the report
// (or its public view). The engine runs in a Web Worker (worker.mjs), so the page stays
// responsive during a large evaluation; a call that outlives the deadline ends the worker.

/** How long one call may take before the worker is terminated and started again. */
const DEADLINE_MS = 120_000;

const $ = (id) => document.getElementById(id);
const EXAMPLE_FILES = ["access", "data", "devices", "evidence", "operations", "org", "people", "policies", "resilience", "security", "systems", "training", "vendors"];
const STARTER = JSON.stringify({ schema_version: "1", organization: { name: "My company", as_of: "2026-06-30" }, people: [] }, null, 2);

let worker;
let calls = new Map(); // id -> {resolve, reject, timer}
let nextId = 1;
let sources = [{ name: "facts.json", text: STARTER }];
let current = 0;
let rules = [];
let edited = new Map(); // rule path -> edited source

function startWorker() {
  worker = new Worker(new URL("worker.mjs", import.meta.url), { type: "module" });
  worker.onmessage = ({ data }) => {
    const call = calls.get(data.id);
    if (!call) return;
    calls.delete(data.id);
    clearTimeout(call.timer);
    if (data.error) call.reject(Object.assign(new Error(data.error.message), data.error));
    else call.resolve(data.result);
  };
  worker.onerror = (e) => {
    for (const call of calls.values()) call.reject(new Error(`the engine stopped: ${e.message}`));
    calls.clear();
  };
}

/** Calls a method of the engine in the worker; rejects with its error, or after the deadline. */
function call(method, ...args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      calls.delete(id);
      worker.terminate();
      startWorker();
      reject(new Error(`the engine took more than ${DEADLINE_MS / 1000} s and was stopped`));
    }, DEADLINE_MS);
    calls.set(id, { resolve, reject, timer });
    worker.postMessage({ id, method, args });
  });
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function showFiles() {
  const select = $("facts-file");
  select.replaceChildren(...sources.map((s, i) => Object.assign(el("option", s.name), { value: i })));
  select.value = String(current);
  $("facts").value = sources[current].text;
}

function selectedRule() {
  return rules.find((r) => r.path === $("rule-select").value);
}

async function showRule() {
  const rule = selectedRule();
  if (rule) $("rule").value = edited.get(rule.path) ?? (await call("explain", rule.id)).rule.source;
}

function showError(message) {
  $("error").hidden = false;
  $("error").textContent = message;
}

function clear() {
  $("error").hidden = true;
  for (const id of ["summary", "failing", "findings", "criteria", "vendors", "vendor-totals"]) $(id).replaceChildren();
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
  $("summary").replaceChildren(el("p", caption), table);
  const failing = controls.filter((c) => c.status === "fail" || c.status === "error");
  $("failing").replaceChildren(
    ...failing.map((c) => {
      const li = el("li");
      li.dataset.control = c.id;
      li.append(el("strong", c.id, c.status), ` ${c.title} `, el("span", `(${c.status})`, c.status));
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
  const failing = renderSummary(`${view.organization}, as of ${view.evaluated_on}, public view (${view.pack.name} ${view.pack.version})`, view.summary, byCategory, view.controls);
  $("criteria").replaceChildren(
    ...view.controls.map((c) => {
      const li = el("li");
      li.dataset.control = c.id;
      li.append(el("strong", c.id, c.status), ` ${c.title} `, el("span", `(${c.status})`, c.status));
      const checks = el("ul");
      checks.append(...c.checks.map((k) => el("li", `${k.title}: ${k.status}`, k.status)));
      li.append(checks);
      return li;
    }),
  );
  const v = view.vendors;
  $("vendor-totals").textContent = `${v.total} vendors: ${v.soc2_type2} with a SOC 2 Type II report, ${v.soc2_type1} with Type I, ${v.none} without.`;
  $("vendors").replaceChildren(
    ...v.vendors.map((x) => {
      const li = el("li", `${x.name}: ${x.service} (${x.soc2_type ?? "no SOC 2 report"}${x.report_period_end ? `, period ending ${x.report_period_end}` : ""})`);
      li.dataset.vendor = x.name;
      return li;
    }),
  );
  $("status").textContent = `Public view: ${view.summary.fail} failing, ${view.summary.warn} warning, ${view.summary.pass} passing controls; ${failing.length} failing.`;
}

function render(report) {
  $("private").hidden = false;
  $("public").hidden = true;
  renderSummary(
    `${report.facts.organization}, evaluated on ${report.evaluated_on} with ${report.pack.name} ${report.pack.version}`,
    report.summary.controls,
    Object.entries(report.summary.by_category),
    report.controls,
  );

  const rules = new Map(report.rules.map((r) => [r.id, r]));
  const seen = new Set();
  const items = [];
  for (const control of report.controls) {
    for (const id of control.rules) {
      const rule = rules.get(id);
      if (!rule || seen.has(rule.id)) continue;
      seen.add(rule.id);
      if (rule.error) {
        const li = el("li", null, "error");
        li.dataset.rule = rule.id;
        li.append(el("strong", rule.id), `: ${rule.error.message} `, el("span", `${rule.error.file}:${rule.error.line ?? "?"}`, "where"));
        items.push(li);
      }
      for (const f of rule.findings) {
        const li = el("li", null, f.status);
        li.dataset.rule = rule.id;
        const where = f.source ? `${f.source.file}:${f.source.line}` : f.entity ?? "";
        li.append(el("strong", rule.id), `: ${f.message} `, el("span", `${where} · ${f.owner}: ${f.remediation}`, "where"));
        items.push(li);
      }
    }
  }
  $("findings").replaceChildren(...items);
  $("status").textContent = `${report.summary.controls.fail} failing, ${report.summary.controls.warn} warning, ${report.summary.controls.pass} passing controls; ${items.length} findings.`;
}

async function run() {
  clear();
  sources[current].text = $("facts").value;
  const rule = selectedRule();
  if (rule) edited.set(rule.path, $("rule").value);
  const overlay = [...edited].map(([path, text]) => ({ path, text }));
  $("status").textContent = "Evaluating…";
  try {
    const options = { overlay, redact: $("public-view").checked };
    if ($("as-of").value) options.asOf = $("as-of").value;
    const result = await call("evaluate", sources, options);
    if (options.redact) renderPublic(result);
    else render(result);
  } catch (e) {
    showError(e.message ?? String(e));
    $("status").textContent = "The run failed: see the report panel.";
  }
}

async function validate() {
  clear();
  sources[current].text = $("facts").value;
  try {
    const ok = await call("validate", sources);
    $("summary").replaceChildren(el("p", `The facts are valid: ${ok.organization}, ${ok.files} file(s), digest ${ok.digest.slice(0, 12)}…`));
  } catch (e) {
    showError(e.message ?? String(e));
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
  $("status").textContent = "Loaded the example organization (Acme Analytics, 9 files). Press Run.";
}

async function openFiles(files) {
  sources = await Promise.all([...files].sort((a, b) => a.name.localeCompare(b.name)).map(async (f) => ({ name: f.name, text: await f.text() })));
  current = 0;
  showFiles();
}

async function main() {
  startWorker();
  rules = (await call("explain")).rules;
  $("rule-select").replaceChildren(...rules.map((r) => Object.assign(el("option", `${r.id}: ${r.title}`), { value: r.path })));
  showFiles();
  await showRule();
  $("facts-file").addEventListener("change", () => {
    sources[current].text = $("facts").value;
    current = Number($("facts-file").value);
    showFiles();
  });
  $("add-file").addEventListener("click", () => {
    sources[current].text = $("facts").value;
    sources.push({ name: `facts-${sources.length + 1}.json`, text: "{}" });
    current = sources.length - 1;
    showFiles();
  });
  $("rule-select").addEventListener("change", () => showRule().catch((e) => showError(e.message)));
  $("rule").addEventListener("input", () => {
    const rule = selectedRule();
    if (rule) edited.set(rule.path, $("rule").value);
  });
  $("reset-rule").addEventListener("click", () => {
    const rule = selectedRule();
    if (rule) edited.delete(rule.path);
    showRule().catch((e) => showError(e.message));
  });
  $("run").addEventListener("click", run);
  $("validate").addEventListener("click", validate);
  $("load-example").addEventListener("click", () => loadExample().catch((e) => showError(String(e))));
  $("open-files").addEventListener("change", (e) => openFiles(e.target.files));
  $("status").textContent = `Engine ready: built-in pack with ${rules.length} rules. Edit the facts or a rule, then Run.`;
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  $("status").textContent = `The engine could not load: ${e}`;
});
