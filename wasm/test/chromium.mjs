// Drives the playground in headless Chromium (Debian's /usr/bin/chromium) and checks what it
// renders for the example organization against the native engine's report, in the full and
// the public view; the engine runs in the playground's Web Worker.
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
let failed = false;
try {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(new URL(url).origin)) problems.push(`request outside the page's origin: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  await page.click("#load-example");
  await page.waitForFunction(() => document.querySelector("#facts-file").options.length === 13);
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
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
