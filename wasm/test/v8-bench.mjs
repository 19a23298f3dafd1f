// Times the module in V8, where browsers and Node run it: in Node and in a page of headless
// Chromium (Debian's /usr/bin/chromium, or $CHROMIUM), on the same facts, medians of RUNS
// (default 5), side by side. What is timed is in v8-measure.mjs: the whole request, and
// rules that loop in Rhai. V8 first compiles a function with its baseline compiler and
// optimizes it once it has run for a while, but a call already running stays in the code
// it started in: a build of the module that puts a long Rhai loop inside one call shows
// here as a loop taking many times its time in Node or Chromium (wasmtime compiles
// everything optimized at once, so wasm/bench.sh's own figures would not show it).
//
//   node wasm/test/v8-bench.mjs MODULE FACTS [RUNS]
//
// wasm/bench.sh runs it on the module and the organization it times in wasmtime.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load } from "../pkg/attest.mjs";
import { measure } from "./v8-measure.mjs";

const [modulePath, factsPath, runsArg] = process.argv.slice(2);
if (!modulePath || !factsPath) {
  console.error("usage: node wasm/test/v8-bench.mjs MODULE FACTS [RUNS]");
  process.exit(2);
}
const runs = Number(runsArg ?? 5);
const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const rule = readFileSync(here("../../rules/soc2/rules/access/grant-approval.rhai"), "utf8");
const header = rule.split("\n").filter((line) => line.startsWith("//!")).join("\n");
function read(path, encoding) {
  try {
    return readFileSync(path, encoding);
  } catch (e) {
    console.error(`error: ${path}: ${e.code === "ENOENT" ? "no such file" : e.message}`);
    process.exit(2);
  }
}
const facts = read(factsPath, "utf8");
const wasm = read(modulePath);

const compiled = new WebAssembly.Module(wasm);
const inNode = await measure(() => load(compiled), facts, header, runs);

// The page is served from disk by the browser's request interception: no server.
const files = {
  "/index.html": { body: '<!doctype html><meta charset="utf-8"><title>v8-bench</title>', contentType: "text/html" },
  "/attest.mjs": { path: here("../pkg/attest.mjs"), contentType: "text/javascript" },
  "/v8-measure.mjs": { path: here("v8-measure.mjs"), contentType: "text/javascript" },
  "/attest.wasm": { path: modulePath, contentType: "application/wasm" },
  "/facts.json": { path: factsPath, contentType: "application/json" },
};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
let inChromium;
let version;
try {
  const page = await browser.newPage();
  await page.route("http://bench.invalid/**", (route) => {
    const file = files[new URL(route.request().url()).pathname];
    return file ? route.fulfill({ status: 200, ...file }) : route.fulfill({ status: 404, body: "" });
  });
  await page.goto("http://bench.invalid/index.html");
  inChromium = await page.evaluate(
    async ({ header, runs }) => {
      const { load } = await import("/attest.mjs");
      const { measure } = await import("/v8-measure.mjs");
      const facts = await (await fetch("/facts.json")).text();
      const compiled = await WebAssembly.compileStreaming(fetch("/attest.wasm"));
      return measure(() => load(compiled), facts, header, runs);
    },
    { header, runs },
  );
  version = browser.version();
} finally {
  await browser.close();
}

console.log(`V8: Node ${process.versions.node} (V8 ${process.versions.v8}), Chromium ${version}; medians of ${runs}`);
const width = Math.max(...Object.keys(inNode).map((k) => k.length));
console.log(`${"".padEnd(width)}  ${"Node".padStart(8)}  ${"Chromium".padStart(8)}`);
for (const name of Object.keys(inNode)) {
  const ms = (v) => `${Math.round(v)} ms`.padStart(8);
  console.log(`${name.padEnd(width)}  ${ms(inNode[name])}  ${ms(inChromium[name])}`);
}
