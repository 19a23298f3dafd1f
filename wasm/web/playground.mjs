// The playground: edit facts and a rule, run them in the WebAssembly engine, read the report.
import { load } from "../pkg/attest.mjs";

const $ = (id) => document.getElementById(id);
const EXAMPLE_FILES = ["access", "evidence", "operations", "org", "people", "policies", "systems", "training", "vendors"];
const STARTER = JSON.stringify({ schema_version: "1", organization: { name: "My company", as_of: "2026-06-30" }, people: [] }, null, 2);

let attest;
let sources = [{ name: "facts.json", text: STARTER }];
let current = 0;
let rules = [];
let edited = new Map(); // rule path -> edited source

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

function showRule() {
  const rule = selectedRule();
  if (rule) $("rule").value = edited.get(rule.path) ?? attest.explain(rule.id).rule.source;
}

function showError(message) {
  $("error").hidden = false;
  $("error").textContent = message;
}

function clear() {
  $("error").hidden = true;
  for (const id of ["summary", "failing", "findings"]) $(id).replaceChildren();
}

function render(report) {
  const table = el("table");
  const head = el("tr");
  for (const h of ["category", "pass", "fail", "warn", "error", "not applicable"]) head.append(el("th", h));
  table.append(head);
  const rows = [["all controls", report.summary.controls], ...Object.entries(report.summary.by_category)];
  for (const [name, c] of rows) {
    const tr = el("tr");
    tr.dataset.category = name;
    tr.append(el("td", name));
    for (const k of ["pass", "fail", "warn", "error", "not_applicable"]) tr.append(Object.assign(el("td", String(c[k])), { className: k }));
    table.append(tr);
  }
  $("summary").replaceChildren(el("p", `${report.facts.organization}, evaluated on ${report.evaluated_on} with ${report.pack.name} ${report.pack.version}`), table);

  const failing = report.controls.filter((c) => c.status === "fail" || c.status === "error");
  $("failing").replaceChildren(
    ...failing.map((c) => {
      const li = el("li");
      li.dataset.control = c.id;
      li.append(el("strong", c.id, c.status), ` ${c.title} `, el("span", `(${c.status})`, c.status));
      return li;
    }),
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

function run() {
  clear();
  sources[current].text = $("facts").value;
  const rule = selectedRule();
  if (rule) edited.set(rule.path, $("rule").value);
  const overlay = [...edited].map(([path, text]) => ({ path, text }));
  try {
    const options = { overlay };
    if ($("as-of").value) options.asOf = $("as-of").value;
    render(attest.evaluate(sources, options));
  } catch (e) {
    showError(e.message ?? String(e));
    $("status").textContent = "The run failed: see the report panel.";
  }
}

function validate() {
  clear();
  sources[current].text = $("facts").value;
  try {
    const ok = attest.validate(sources);
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
  attest = await load(new URL("../pkg/attest.wasm", import.meta.url));
  rules = attest.explain().rules;
  $("rule-select").replaceChildren(...rules.map((r) => Object.assign(el("option", `${r.id}: ${r.title}`), { value: r.path })));
  showFiles();
  showRule();
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
  $("rule-select").addEventListener("change", showRule);
  $("rule").addEventListener("input", () => {
    const rule = selectedRule();
    if (rule) edited.set(rule.path, $("rule").value);
  });
  $("reset-rule").addEventListener("click", () => {
    const rule = selectedRule();
    if (rule) edited.delete(rule.path);
    showRule();
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
