// The browser snippets of wasm/README.md, as written, in headless Chromium (Debian's
// /usr/bin/chromium, or $CHROMIUM) under the Content-Security-Policy the README documents:
// each file a snippet names (`<!-- index.html -->`, `// main.mjs`, ...) is written into a
// scratch folder beside the package's files and served from localhost.
//
//   cd wasm/test && node --test readme.test.mjs      (after wasm/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, readFile, readdir, writeFile, copyFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, extname } from "node:path";

const root = new URL("../../", import.meta.url);
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const playwright = new URL("node_modules/playwright-core/", import.meta.url);
const skip = (!existsSync(chromiumPath) && `no Chromium at ${chromiumPath}`) || (!existsSync(playwright) && "npm ci --prefix wasm/test installs playwright-core");

/** The files the README's code blocks name on their first line (or on a line of their own, as the Worker snippet's two). */
async function snippets() {
  const readme = await readFile(new URL("wasm/README.md", root), "utf8");
  const files = new Map();
  for (const [, body] of readme.matchAll(/^```(?:html|js)\n([\s\S]*?)^```/gm)) {
    let name = null;
    for (const line of body.split("\n")) {
      const named = /^(?:<!-- (\S+\.html) -->|\/\/ (\S+\.mjs)\b)/.exec(line);
      if (named) name = named[1] ?? named[2];
      if (name) files.set(name, `${files.get(name) ?? ""}${line}\n`);
    }
  }
  return files;
}

/** The policy of the README's Content-Security-Policy section. */
async function documentedPolicy() {
  const readme = await readFile(new URL("wasm/README.md", root), "utf8");
  const section = readme.slice(readme.indexOf("### Content-Security-Policy"));
  return /content="([^"]+)"/.exec(section)[1];
}

/** Serves `dir`, each HTML page with `policy` as its Content-Security-Policy header when given. */
function serve(dir, policy) {
  const types = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript", ".json": "application/json", ".wasm": "application/wasm" };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    try {
      const body = await readFile(join(dir, path.split("/").filter((s) => s && s !== "..").join("/")));
      const headers = { "content-type": types[extname(path)] ?? "application/octet-stream" };
      if (policy && extname(path) === ".html") headers["content-security-policy"] = policy;
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The example organization as one facts file (its files hold disjoint collections). */
async function exampleFacts() {
  const dir = new URL("examples/acme/", root);
  const merged = {};
  for (const name of (await readdir(dir)).filter((n) => n.endsWith(".json")).sort()) Object.assign(merged, JSON.parse(await readFile(new URL(name, dir), "utf8")));
  return JSON.stringify(merged);
}

test("the README's browser snippets run as written under its Content-Security-Policy", { skip }, async () => {
  const files = await snippets();
  for (const name of ["index.html", "main.mjs", "portal.html", "portal.mjs", "worker.mjs", "page.mjs"]) assert.ok(files.has(name), `wasm/README.md has no snippet ${name}`);
  const dir = await mkdtemp(join(tmpdir(), "attest-readme-"));
  const { chromium } = await import(new URL("index.mjs", playwright));
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
  const servers = [];
  try {
    await mkdir(join(dir, "vendor/attest-wasm"), { recursive: true });
    for (const [name, text] of files) await writeFile(join(dir, name), text);
    for (const name of ["attest.mjs", "attest.wasm"]) {
      await copyFile(new URL(`wasm/pkg/${name}`, root), join(dir, name));
      await copyFile(new URL(`wasm/pkg/${name}`, root), join(dir, "vendor/attest-wasm", name));
    }
    await writeFile(join(dir, "facts.json"), await exampleFacts());
    // index.html has no policy of its own: it is sent the documented one; portal.html carries its own.
    servers.push(await serve(dir, await documentedPolicy()), await serve(dir));
    const [withHeader, plain] = servers.map((s) => `http://127.0.0.1:${s.address().port}`);

    // index.html and main.mjs: main.mjs logs the summary's counts, then a control.
    const page = await browser.newPage();
    const problems = [];
    const logged = [];
    page.on("pageerror", (e) => problems.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) problems.push(`${m.text()} (${m.location().url})`);
      else if (m.type() === "log") logged.push(m.args()[0].jsonValue());
    });
    await page.goto(`${withHeader}/index.html`);
    for (let i = 0; i < 600 && logged.length < 2 && !problems.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(problems, []);
    const [counts, control] = await Promise.all(logged);
    assert.deepEqual(Object.keys(counts), ["pass", "fail", "warn", "error", "waived", "not_applicable"]);
    assert.equal(control.kind, "control");

    // The trust-portal page: in its sandboxed frame, styled by its own <style>; the host page keeps its styles.
    const portal = await browser.newPage();
    const portalProblems = [];
    portal.on("pageerror", (e) => portalProblems.push(String(e)));
    portal.on("console", (m) => m.type() === "error" && !m.location().url.endsWith("/favicon.ico") && portalProblems.push(m.text()));
    await portal.goto(`${plain}/portal.html`);
    await portal.waitForFunction(() => document.querySelector("#portal").srcdoc.length > 0, null, { timeout: 60_000 });
    const frame = portal.frames().find((f) => f !== portal.mainFrame());
    await frame.waitForSelector("h1");
    assert.match(await frame.textContent("h1"), /Acme Analytics/);
    const styled = await frame.evaluate(() => getComputedStyle(document.body).maxWidth);
    assert.notEqual(styled, "none", "the report's own <style> did not apply in its frame");
    assert.equal(await portal.evaluate(() => getComputedStyle(document.body).maxWidth), "none");
    assert.equal(await portal.$eval("#portal", (f) => f.sandbox.value), "");
    assert.deepEqual(portalProblems, []);
  } finally {
    await browser.close();
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  }
});
