// Opens a page of a project that installed the npm package (attest-wasm from its tarball) in
// headless Chromium, under a Content-Security-Policy that allows only its own scripts and
// WebAssembly compilation, and prints what the page wrote into #out (JSON) on stdout.
//
//   node wasm/test/npm-page.mjs http://127.0.0.1:PORT/index.html
//
// tests/wasm-host/tests/npm.rs serves the project and runs this.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "attest-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
});
let code = 0;
try {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  // A policy violation is a console error; a missing file, a response (the browser's own
  // favicon request aside).
  page.on("console", (m) => m.type() === "error" && /Content Security Policy/i.test(m.text()) && problems.push(m.text()));
  page.on("response", (r) => r.status() >= 400 && !r.url().endsWith("/favicon.ico") && problems.push(`${r.status()} ${r.url()}`));
  await page.goto(url);
  await page.waitForSelector("#out[data-done]", { timeout: 120_000 });
  const out = await page.textContent("#out");
  if (problems.length) throw new Error(problems.join("\n"));
  console.log(out);
} catch (e) {
  code = 1;
  console.error(e);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(code);
