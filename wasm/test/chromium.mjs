// Drives the playground in headless Chromium (Debian's /usr/bin/chromium) and checks what it
// renders for the example organization against the native engine's report, in the full and
// the public view; the engine runs in the playground's Web Worker. Then, on a fresh page, what
// the page does with the files a user opens: their order, their warnings, a large one, names
// holding bidi controls, and an empty choice.
//
//   node wasm/test/chromium.mjs http://127.0.0.1:PORT/wasm/web/index.html expected.json
//
// tests/wasm-host/tests/chromium.rs serves the repository and runs this.
import { chromium } from "playwright-core";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const [url, expectedPath] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expectedPath, "utf8"));
const profile = mkdtempSync(join(tmpdir(), "attest-chromium-"));
// A persistent context is how playwright passes --user-data-dir (a fresh one each run).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
  ],
});
/** A page of the playground, and the problems seen on it: errors, a policy violation, a request that failed or left the origin, a response of 400 or more (the favicon's too). */
async function open(query = "") {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(new URL(url).origin)) problems.push(`request outside the page's origin: ${r.url()}`);
  });
  await page.goto(url + query);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return { page, problems };
}

let failed = false;
try {
  const { page, problems } = await open();
  // The page carries the policy wasm/README.md recommends (the test server sends none).
  const policy = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.equal(policy, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:");
  await page.click("#load-example");
  await page.waitForFunction(() => document.querySelector("#facts-file").options.length === 13);
  assert.match(await page.textContent("#status"), /\(Acme Analytics, 13 files\)/);
  await page.click("#run");
  await page.waitForSelector("#summary table", { timeout: 60_000 });

  const all = await page.$$eval('#summary tr[data-category="all controls"] td', (tds) => tds.map((t) => t.textContent));
  const c = expected.summary.controls;
  assert.deepEqual(all, ["all controls", c.pass, c.fail, c.warn, c.error, c.not_applicable].map(String));
  const failing = await page.$$eval("#failing li", (lis) => lis.map((li) => li.dataset.control));
  assert.deepEqual(failing, expected.failing);
  const findings = await page.$$eval("#findings li", (lis) => lis.map((li) => li.textContent));
  assert.equal(findings.length, expected.findings.length);
  for (const [i, message] of expected.findings.entries()) {
    assert.ok(findings[i].includes(message), `finding ${i}: ${findings[i]} lacks ${message}`);
  }

  // The public view: the same counts and failing controls, the vendors, and no finding, no
  // person, no username on the page.
  await page.check("#public-view");
  await page.click("#run");
  await page.waitForSelector("#public:not([hidden]) #criteria li", { timeout: 60_000 });
  const publicAll = await page.$$eval('#summary tr[data-category="all controls"] td', (tds) => tds.map((t) => t.textContent));
  assert.deepEqual(publicAll, all);
  assert.deepEqual(await page.$$eval("#failing li", (lis) => lis.map((li) => li.dataset.control)), expected.failing);
  assert.deepEqual(await page.$$eval("#vendors li", (lis) => lis.map((li) => li.dataset.vendor)), expected.vendors);
  const visible = await page.evaluate(() => document.body.innerText);
  for (const secret of [...expected.findings, ...expected.people]) {
    assert.ok(!visible.includes(secret), `the public view shows ${secret}`);
  }
  await page.uncheck("#public-view");

  // Edit a rule: a runaway loop inside a closure is stopped and reported, the others run.
  await page.selectOption("#rule-select", expected.edit.path);
  await page.fill("#rule", expected.edit.source);
  await page.click("#run");
  await page.waitForFunction((id) => [...document.querySelectorAll("#findings li.error")].some((li) => li.dataset.rule === id), expected.edit.id, { timeout: 120_000 });
  const error = await page.$eval(`#findings li.error[data-rule="${expected.edit.id}"]`, (li) => li.textContent);
  assert.match(error, /budget of \d+ operations/);

  // Broken facts: the error names the file, the line and column, and the pointer.
  await page.selectOption("#facts-file", "3");
  await page.fill("#facts", '{"evidence": [{"control_id": "CC99", "title": "t", "collected_on": "2026-01-01"}]}');
  await page.click("#run");
  await page.waitForSelector("#error:not([hidden])");
  const message = await page.textContent("#error");
  assert.match(message, /examples\/acme\/evidence\.json:1:30: \/evidence\/0\/control_id: "CC99" does not match/);
  assert.deepEqual(problems, []);
  console.log(`chromium: the playground rendered ${findings.length} findings and ${failing.length} failing controls as the native engine reports them`);
  await openedFiles();
  await deadline();
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

/** A facts file for `setInputFiles`. */
function file(name, doc) {
  return { name, mimeType: "application/json", buffer: Buffer.from(typeof doc === "string" ? doc : JSON.stringify(doc, null, 2)) };
}

/** Facts of an organization called `name`. */
function org(name, extra) {
  return { schema_version: "1", organization: { name, as_of: "2026-06-30", ...extra } };
}

/** The texts of the elements `selector` matches. */
function texts(page, selector) {
  return page.$$eval(selector, (all) => all.map((e) => e.textContent));
}

/** Presses Run and returns the status line once the run has ended. */
async function run(page) {
  await page.click("#run");
  return ran(page);
}

/** The status line once the run under way has ended. */
async function ran(page) {
  await page.waitForFunction(() => !/Evaluating/.test(document.querySelector("#status").textContent), null, { timeout: 120_000 });
  return page.textContent("#status");
}

/** What the page does with the files a user opens. */
async function openedFiles() {
  const { page, problems } = await open();

  // An empty choice (a cleared file list) changes nothing: the starter file stays, Run works.
  await page.setInputFiles("#open-files", []);
  assert.deepEqual(await texts(page, "#facts-file option"), ["facts.json"]);
  assert.match(await run(page), /failing, .* passing controls/);

  // Files merge in the order `attest eval DIR/` reads a folder: by name, byte by byte.
  const person = (id) => ({ people: [{ id, name: id, email: `${id}@x.example`, kind: "employee", employment: { status: "active", start_date: "2020-01-01" } }] });
  const names = ["a.json", "é.json", "Z9.json", "_c.json", "Z10.json", "B.json"];
  await page.setInputFiles("#open-files", names.map((n, i) => file(n, n === "a.json" ? org("Order") : person(`P${i}`))));
  await page.waitForFunction(() => document.querySelector("#facts-file").options.length === 6);
  assert.deepEqual(await texts(page, "#facts-file option"), ["B.json", "Z10.json", "Z9.json", "_c.json", "a.json", "é.json"]);

  // A failed run, then facts with a field facts-v1 does not define: Run and Validate list the
  // warning as `attest` prints it, and Validate's status replaces the failed run's.
  await page.setInputFiles("#open-files", [file("unk.json", "{")]);
  await page.waitForFunction(() => document.querySelector("#facts-file").options[0].textContent === "unk.json");
  assert.match(await run(page), /The run failed/);
  await page.fill("#facts", JSON.stringify({ ...org("Unknown"), peeple: [] }));
  const warning = "warning: unk.json:1: /peeple: facts-v1 does not define `peeple` at the top level; did you mean `people`?";
  await run(page);
  assert.deepEqual(await texts(page, "#warnings li"), [warning]);
  await page.click("#validate");
  await page.waitForFunction(() => /valid/.test(document.querySelector("#status").textContent));
  assert.equal(await page.textContent("#status"), "The facts are valid, with 1 warning(s).");
  assert.deepEqual(await texts(page, "#warnings li"), [warning]);

  // An as-of date inside the audit period: the error says what to change on this page, which has no --period.
  await page.fill("#facts", JSON.stringify(org("Period", { audit_period: { start: "2026-01-01", end: "2026-06-30" } })));
  await page.fill("#as-of", "2026-05-15");
  assert.match(await run(page), /The run failed/);
  assert.match(await page.textContent("#error"), /--period 2026-01-01\.\.2026-05-15\)\n\nThe playground has no --period: .*organization\.audit_period/);
  await page.fill("#as-of", "");

  // Names ending in an unclosed right-to-left override (U+202E) are isolated, each in its own
  // <bdi>, and cannot reorder the page's text around them.
  const rlo = "\u202e";
  await page.setInputFiles("#open-files", [file("bidi.json", { ...org(`Bidi${rlo}`), people: [{ id: `E1${rlo}`, name: `Eve${rlo}`, email: "eve@x.example", kind: "employee", employment: { status: "active", start_date: "2020-01-01" } }] })]);
  await page.waitForFunction(() => document.querySelector("#facts-file").options[0].textContent === "bidi.json");
  await run(page);
  const loose = await page.evaluate((c) => {
    const walker = document.createTreeWalker(document.querySelector("#results"), NodeFilter.SHOW_TEXT);
    const out = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.includes(c) && n.parentElement.tagName !== "BDI") out.push(n.data);
    return { out, isolated: document.querySelectorAll("#results bdi").length, withOverride: [...document.querySelectorAll("#results bdi")].filter((b) => b.textContent.includes(c)).length };
  }, rlo);
  assert.deepEqual(loose.out, []);
  assert.ok(loose.withOverride >= 2, JSON.stringify(loose));

  // A large file is evaluated as it is, not put into the editor (a textarea of megabytes
  // blocks the page), and the report lists its first 1,000 findings.
  const people = Array.from({ length: 5000 }, (_, i) => ({ id: `P${i}`, name: `Person ${i}`, email: `p${i}@x.example`, kind: "employee", employment: { status: "active", start_date: "2020-01-01" } }));
  await page.setInputFiles("#open-files", [file("big.json", { ...org("Big"), people })]);
  await page.waitForFunction(() => document.querySelector("#facts-file").options[0].textContent === "big.json");
  assert.deepEqual(await page.$eval("#facts", (t) => [t.value, t.readOnly]), ["", true]);
  assert.match(await page.getAttribute("#facts", "placeholder"), /^big\.json has 1\.\d million characters: too many to edit here\. It is evaluated as it is/);

  // Another rule chosen while the engine is busy, and Run pressed at once: the editor, which
  // still holds the previous rule's source, is read-only until the new one's arrives, and
  // nothing is kept as the new rule's edit (once, the old source ran under the new path).
  await page.click("#run");
  const rules = await page.$$eval("#rule-select option", (all) => all.map((o) => o.value));
  const other = rules.find((r) => r !== rules[0]);
  await page.selectOption("#rule-select", other);
  assert.equal(await page.$eval("#rule", (t) => t.readOnly), true);
  const status = await run(page);
  assert.doesNotMatch(status, /failed/, await page.textContent("#error"));
  await page.waitForFunction(() => !document.querySelector("#rule").readOnly, null, { timeout: 120_000 });
  const shown = await page.$eval("#rule", (t) => t.value);
  const id = await page.$eval("#rule-select", (s) => s.selectedOptions[0].textContent.split(":")[0]);
  assert.ok(shown.includes(`id: ${id}`) || shown.includes(`"${id}"`) || shown.includes(id), `the editor shows ${shown.slice(0, 200)}, not ${id}'s source`);
  const listed = await page.$$eval("#findings li", (all) => all.length);
  assert.equal(listed, 1000);
  assert.match(await page.textContent("#findings-more"), /^The first 1,000 of \d{1,3},\d{3} findings are listed\.$/);
  assert.deepEqual(problems, []);
  console.log("chromium: opened files merge in the CLI's order, warnings and bidi-isolated names are shown, a large file stays out of the editor");
}

/** A run that outlives the deadline (here `?deadline=0.5`, half a second) is stopped, and the error names the rules edited. */
async function deadline() {
  const { page, problems } = await open("?deadline=0.5");
  await page.click("#load-example");
  await page.waitForFunction(() => document.querySelector("#facts-file").options.length === 13);
  await page.selectOption("#rule-select", expected.edit.path);
  await page.waitForFunction(() => !document.querySelector("#rule").readOnly);
  await page.fill("#rule", expected.edit.source);
  // Another rule chosen during the run: its source, asked for behind the run, comes from the
  // worker that replaces the stopped one.
  await page.click("#run");
  const other = await page.$eval("#rule-select", (s) => [...s.options].find((o) => o.selected === false && o.value.endsWith("inactive-accounts.rhai")).value);
  await page.selectOption("#rule-select", other);
  assert.match(await ran(page), /The run failed/);
  assert.equal(await page.textContent("#error"), `the engine took more than 0.5 s and was stopped: it ran your edits of ${expected.edit.path}; a rule that loops or does much work per record does this`);
  await page.waitForFunction(() => !document.querySelector("#rule").readOnly, null, { timeout: 60_000 });
  assert.match(await page.$eval("#rule", (t) => t.value), /inactive/);
  assert.deepEqual(problems, []);
  console.log("chromium: a run past the deadline is stopped, naming the edited rule");
}
