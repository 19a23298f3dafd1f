// The JS wrapper and the module in Node 20: `node --test wasm/test/` after wasm/build.sh.
// With ATTEST_PARITY set (as tests/wasm-host/tests/node.rs does), also checks every
// request in that file against the native engine's bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, mkdtemp, mkdir, symlink, writeFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { load, Attest, AttestError } from "../pkg/attest.mjs";

const root = new URL("../../", import.meta.url);
const wasmUrl = new URL("wasm/pkg/attest.wasm", root);
const tsc = fileURLToPath(new URL("wasm/test/node_modules/typescript/bin/tsc", root));

async function acme() {
  const dir = new URL("examples/acme/", root);
  const names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
  return Promise.all(names.map(async (n) => ({ name: `examples/acme/${n}`, text: await readFile(new URL(n, dir), "utf8") })));
}

/** A pack folder's files (`*.toml`, `*.rhai`, `*.json`), as the `attest` command reads them. */
async function packFolder(dir) {
  const names = (await readdir(dir, { recursive: true })).filter((n) => /\.(toml|rhai|json)$/.test(n)).sort();
  return Promise.all(names.map(async (n) => ({ path: n, text: await readFile(new URL(n, dir), "utf8") })));
}

const attest = await load(await readFile(wasmUrl));

test("the module has no imports", async () => {
  const module = await WebAssembly.compile(await readFile(wasmUrl));
  assert.deepEqual(WebAssembly.Module.imports(module), []);
});

test("loads from bytes, a URL, a path and the default location", async () => {
  for (const source of [wasmUrl, wasmUrl.href, await WebAssembly.compile(await readFile(wasmUrl)), undefined]) {
    const a = await load(source);
    assert.equal(a.explain("CC6.1").kind, "control");
  }
});

test("the wrapper names no module a bundler would have to resolve for the browser", async () => {
  // webpack 5 refuses `import("node:url")` in a browser build (UnhandledSchemeError), and Vite
  // splits it into a chunk a classic Worker cannot hold: every import is by a name built at
  // run time, which bundlers leave alone.
  const source = await readFile(new URL("wasm/pkg/attest.mjs", root), "utf8");
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
  assert.deepEqual(code.match(/\bimport\s*\(\s*["'][^"']*["']|\bimport\s[^(]*?from\s*["'][^"']*["']|\brequire\s*\(/g), null);
  assert.ok(source.includes("import(/* webpackIgnore: true */ /* @vite-ignore */ `node:${name}`)"));
});

test("a response or a file that is no module is an error naming where it came from and what it held", async () => {
  // What a development server answers for a path it does not know: its index.html, status 200.
  const page = new Response("<!doctype html><html><head>", { headers: { "content-type": "text/html" } });
  Object.defineProperty(page, "url", { value: "http://localhost:5173/node_modules/.vite/deps/attest.wasm" });
  await assert.rejects(load(page), {
    name: "Error",
    message: /^load: source: http:\/\/localhost:5173\/node_modules\/\.vite\/deps\/attest\.wasm: not a WebAssembly module \(HTTP 200, Content-Type text\/html; the body starts with "<!doctype html><"\): expected attest\.wasm, which starts with the bytes 00 61 73 6d .*optimizeDeps: \{ exclude: \["attest-wasm"\] \}/,
  });
  await assert.rejects(load(new Response(new Uint8Array([0xff, 0xfe]))), { message: /^load: source: the response: not a WebAssembly module \(HTTP 200; the body ff fe\)/ });
  await assert.rejects(load(new Response("")), { message: /^load: source: the response: not a WebAssembly module \(HTTP 200, Content-Type text\/plain;charset=UTF-8; the body is empty\)/ });
  const file = new URL("examples/acme/org.json", root);
  await assert.rejects(load(file), { message: new RegExp(`^load: source: ${file.href.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not a WebAssembly module \\(the body starts with "\\{`) });
});

test("evaluates the example organization", async () => {
  const report = attest.evaluate(await acme());
  assert.equal(report.report_version, "2");
  // Every rule once; criteria name the rules that judge them.
  const ids = new Set(report.rules.map((r) => r.id));
  assert.ok(report.controls.every((c) => c.rules.every((id) => ids.has(id))));
  assert.ok(report.rules.every((r) => Number.isInteger(r.population.tested)));
  assert.equal(report.facts.organization, "Acme Analytics, Inc.");
  assert.ok(report.summary.controls.fail > 0);
  const text = attest.evaluateJson(await acme());
  assert.deepEqual(JSON.parse(text), report);
  assert.ok(text.endsWith("}\n"));
  // asOf and one rule.
  const rule = attest.evaluate(await acme(), { rule: "access.mfa-privileged", asOf: new Date("2026-06-30T00:00:00Z") });
  assert.equal(rule.id, "access.mfa-privileged");
  assert.equal(rule.status, "fail");
});

test("an audit period, populations and a reproducible sample", async () => {
  // Acme's facts state the period; a request's period wins over it.
  assert.deepEqual(attest.evaluate(await acme()).period, { start: "2026-01-01", end: "2026-06-30" });
  const report = attest.evaluate(await acme(), { period: { start: "2026-04-01", end: new Date("2026-06-30T00:00:00Z") }, populations: true });
  assert.deepEqual(report.period, { start: "2026-04-01", end: "2026-06-30" });
  const leavers = report.rules.find((r) => r.id === "access.leaver-accounts");
  assert.ok(leavers.population.records.some((r) => r.outcome === "exception"));
  const a = attest.sample(await acme(), "access.leaver-accounts", { seed: 42, size: 3 });
  const b = attest.sample(await acme(), "access.leaver-accounts", { seed: 42, size: 3 });
  assert.deepEqual(a, b);
  assert.equal(a.records.length, 3);
  assert.equal(a.seed, 42);
  const facts = await acme();
  assert.throws(() => attest.evaluate(facts, { period: "2026-01-01..2026-12-31" }), (e) => e instanceof AttestError && e.kind === "options");
});

test("validate accepts the example and rejects bad facts with places", async () => {
  const ok = attest.validate(await acme());
  assert.equal(ok.files, 13);
  assert.match(ok.digest, /^[0-9a-f]{64}$/);
  assert.throws(() => attest.validate({ schema_version: 1 }), (e) => {
    assert.ok(e instanceof AttestError);
    assert.equal(e.kind, "facts_invalid");
    assert.ok(e.details.violations.some((v) => v.pointer === "/schema_version"));
    return true;
  });
  assert.throws(() => attest.validate('{\n  "a": [1,\n}'), (e) => e.kind === "facts_syntax" && e.details.line === 3);
});

test("an option a call does not take is refused, not ignored", async () => {
  const facts = await acme();
  const refused = (f, pattern) => assert.throws(f, (e) => e instanceof TypeError && pattern.test(e.message));
  refused(() => attest.evaluate(facts, { asof: "2026-01-01" }), /^evaluate: unknown option `asof` \(did you mean `asOf`\?\); it takes pack, overlay, asOf,/);
  refused(() => attest.render(facts, "text", { rule: "access.mfa-privileged" }), /^render: unknown option `rule`;/);
  refused(() => attest.evaluateJson(facts, { waiver: "{}" }), /^evaluateJson: unknown option `waiver`;/);
  refused(() => attest.todo(facts, { owners: "IT" }), /^todo: unknown option `owners`;/);
  refused(() => attest.evaluate(facts, { limits: { maxOperation: 5 } }), /^evaluate: limits: unknown option `maxOperation`;/);
  refused(() => attest.diff("{}", "{}", { fromat: "text" }), /^diff: unknown option `fromat`;/);
  refused(() => attest.check(null, { filter: ["x"] }), /^check: unknown option `filter`; it takes name$/);
  refused(() => attest.validate(facts, { asOf: "2026-01-01" }), /^validate: unknown option `asOf`;/);
  refused(() => attest.explain("CC6.1", "soc2"), /^explain: options: expected an object, got the string "soc2"$/);
  // A name left undefined (or null) is no option at all.
  assert.equal(attest.evaluate(facts, { asof: undefined }).summary.controls.fail, 29);
  assert.equal(attest.evaluate(facts, { asof: null }).summary.controls.fail, 29);
});

/** Asserts that `f` throws the wrapper's argument error: a TypeError with exactly `message`. */
function argumentError(f, message) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof TypeError && !(e instanceof AttestError), `${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

test("facts that are no facts are argument errors naming the argument and its index", async () => {
  const facts = await acme();
  const calls = {
    evaluate: (f) => attest.evaluate(f),
    evaluateJson: (f) => attest.evaluateJson(f),
    render: (f) => attest.render(f, "text"),
    todo: (f) => attest.todo(f),
    renderTodo: (f) => attest.renderTodo(f, "csv"),
    sample: (f) => attest.sample(f, "access.leaver-accounts", { seed: 1 }),
    validate: (f) => attest.validate(f),
  };
  for (const [call, f] of Object.entries(calls)) {
    argumentError(() => f([null]), `${call}: facts[0]: expected a {name, text} file or a JSON string, got null`);
    argumentError(() => f([...facts, 7]), `${call}: facts[13]: expected a {name, text} file or a JSON string, got the number 7`);
    argumentError(() => f([facts[0], [facts[1]]]), `${call}: facts[1]: expected a {name, text} file or a JSON string, got an array`);
    argumentError(() => f([{ text: "{}" }]), `${call}: facts[0].name: expected a string (the file's name), got undefined`);
    argumentError(() => f([{ name: "a.json", text: null }]), `${call}: facts[0].text: expected JSON text or an object, got null`);
    argumentError(() => f(null), `${call}: facts: expected a JSON string, an object, or a list of {name, text} files, got null`);
    argumentError(() => f(undefined), `${call}: facts: expected a JSON string, an object, or a list of {name, text} files, got undefined`);
    argumentError(() => f(42), `${call}: facts: expected a JSON string, an object, or a list of {name, text} files, got the number 42`);
  }
  // Bytes are no facts object (JSON.stringify would make {"type": "Buffer", ...} of them).
  const bytes = await readFile(new URL("examples/waivers.json", root));
  argumentError(() => attest.validate(bytes), "validate: facts: expected a JSON string, an object, or a list of {name, text} files, got a Buffer");
  argumentError(() => attest.validate([{ name: "o.json", text: new Uint8Array(bytes) }]), "validate: facts[0].text: expected JSON text or an object, got a Uint8Array");
  argumentError(() => attest.evaluate(facts, { waivers: new ArrayBuffer(2) }), "evaluate: waivers: expected waivers-v1 JSON text, its object, or {name, text}, got an ArrayBuffer");
  // evaluate with redact renders the public view: its errors still name evaluate.
  argumentError(() => attest.evaluate([null], { redact: true }), "evaluate: facts[0]: expected a {name, text} file or a JSON string, got null");
  // Facts JSON cannot hold.
  const cycle = { schema_version: "1" };
  cycle.self = cycle;
  assert.throws(() => attest.evaluate(cycle), (e) => e instanceof TypeError && /^evaluate: facts: cannot be written as JSON \(/.test(e.message));
  argumentError(() => attest.validate([{ name: "a.json", text: { n: 1n } }]), "validate: facts[0].text.n: expected a value JSON can hold, got the bigint 1");
});

test("values JSON would drop or change without a word are argument errors naming their place", async () => {
  const facts = await acme();
  const org = { schema_version: "1", organization: { name: "A", as_of: "2026-06-30" } };
  // Not plain objects: JSON.stringify would send `{}` of them.
  argumentError(() => attest.evaluate(new Map([["schema_version", "1"]])), "evaluate: facts: expected a JSON string, an object, or a list of {name, text} files, got a Map");
  argumentError(() => attest.evaluate(new SharedArrayBuffer(4)), "evaluate: facts: expected a JSON string, an object, or a list of {name, text} files, got a SharedArrayBuffer");
  argumentError(() => attest.evaluate(facts, new Map([["asOf", "2026-01-01"]])), "evaluate: options: expected an object, got a Map");
  argumentError(() => attest.evaluate(facts, Object.create({ asOf: "2026-01-01" })), "evaluate: options: expected an object, got an object that inherits from another (not a plain object)");
  argumentError(() => attest.evaluate(facts, { params: new Map([["access_review_days_critical", 1]]) }), "evaluate: params: expected an object of parameter -> value, got a Map");
  argumentError(() => attest.evaluate({ ...org, accounts: new Set() }), "evaluate: facts.accounts: expected a plain object, an array, text, a number, true, false or null, got a Set");
  // A plain object of another realm, or of no prototype, is one.
  assert.equal(attest.validate(Object.assign(Object.create(null), org)).organization, "A");
  // Parameter values JSON cannot hold, each at its name.
  const param = (value) => () => attest.evaluate(facts, { params: { access_review_days_critical: value } });
  argumentError(param(10n), "evaluate: params.access_review_days_critical: expected a value JSON can hold, got the bigint 10");
  argumentError(param(NaN), "evaluate: params.access_review_days_critical: expected a finite number, got the number NaN");
  argumentError(param(() => 1), "evaluate: params.access_review_days_critical: expected a value JSON can hold, got a function");
  argumentError(param([1, , 2]), "evaluate: params.access_review_days_critical[1]: expected a value (not undefined, nor a hole in the array), got undefined");
  const cycle = {};
  cycle.self = cycle;
  assert.throws(param(cycle), (e) => e instanceof TypeError && /^evaluate: params: cannot be written as JSON \(Converting circular/.test(e.message));
  // A hole of a sparse list is an item (undefined), not skipped.
  argumentError(() => attest.evaluate([, facts[0]]), "evaluate: facts[0]: expected a {name, text} file or a JSON string, got undefined");
  argumentError(() => attest.evaluate(facts, { pack: [, { path: "pack.toml", text: "" }] }), "evaluate: pack[0]: expected a {path, text} file, got undefined");
  argumentError(() => attest.test([{ path: "pack.toml", text: "" }], { filter: [, "mfa"] }), "test: filter: expected a list of strings, got an array");
});

test("text with a lone surrogate, which no UTF-8 holds, is an argument error naming its place", async () => {
  const facts = await acme();
  const lone = "Acme \ud800 Inc";
  // (JSON.stringify would write `\\ud800`, well-formed text the engine refuses at its place.)
  const text = `{"schema_version": "1", "organization": {"name": "${lone}", "as_of": "2026-06-30"}}`;
  argumentError(() => attest.evaluate(text), "evaluate: facts: expected well-formed text (no lone surrogate), got a string with a lone surrogate at index 55");
  argumentError(() => attest.evaluate([{ name: "a\ud800.json", text: "{}" }]), "evaluate: facts[0].name: expected well-formed text (no lone surrogate), got a string with a lone surrogate at index 1");
  argumentError(() => attest.evaluate({ schema_version: "1", organization: { name: lone } }), "evaluate: facts.organization.name: expected well-formed text (no lone surrogate), got a string with a lone surrogate at index 5");
  argumentError(() => attest.evaluate({ schema_version: "1", ["k\udfff"]: 1 }), "evaluate: facts[\"k\\udfff\"]: expected a key of well-formed text (no lone surrogate), got a key with a lone surrogate at index 1");
  argumentError(() => attest.evaluate(facts, { waivers: { name: "w\udc00.json", text: "{}" } }), "evaluate: waivers.name: expected well-formed text (no lone surrogate), got a string with a lone surrogate at index 1");
  argumentError(() => attest.explain(null, { overlay: { "rules/\ud800.rhai": "" } }), 'explain: overlay["rules/\\ud800.rhai"] (its path): expected well-formed text (no lone surrogate), got a string with a lone surrogate at index 6');
  argumentError(() => attest.evaluate(facts, { rule: "\ud800" }), "evaluate: rule: expected well-formed text (no lone surrogate), got a string with a lone surrogate at index 0");
  argumentError(() => attest.callRaw("explain", '{"id":"\ud800"}'), "callRaw: request: expected well-formed text (no lone surrogate), got a string with a lone surrogate at index 7");
  // A pair of surrogates is one character, and fine.
  assert.equal(attest.validate(text.replace("\ud800", "\ud83d\ude00")).organization, "Acme \ud83d\ude00 Inc");
});

test("Dates outside the years 0000-9999, detached buffers and a period's unknown keys are refused as arguments", async () => {
  const facts = await acme();
  const DAY = "expected a date (YYYY-MM-DD text or a valid Date in the years 0000 to 9999)";
  argumentError(() => attest.evaluate(facts, { asOf: new Date(8.64e15) }), `evaluate: asOf: ${DAY}, got the Date +275760-09-13T00:00:00.000Z`);
  argumentError(() => attest.evaluate(facts, { asOf: new Date("-000001-06-30T00:00:00Z") }), `evaluate: asOf: ${DAY}, got the Date -000001-06-30T00:00:00.000Z`);
  argumentError(() => attest.evaluate(facts, { period: { start: "2026-01-01", end: new Date("+010000-01-01T00:00:00Z") } }), `evaluate: period.end: ${DAY}, got the Date +010000-01-01T00:00:00.000Z`);
  assert.equal(attest.evaluate(facts, { asOf: new Date("9999-12-31T00:00:00Z") }).evaluated_on, "9999-12-31");
  argumentError(() => attest.evaluate(facts, { period: { start: "2026-01-01", end: "2026-06-30", foo: 1 } }), "evaluate: period: unknown option `foo`; it takes start, end");
  // Detached (transferred) buffers.
  const request = new TextEncoder().encode('{"id":"CC6.1"}');
  structuredClone(request.buffer, { transfer: [request.buffer] });
  argumentError(() => attest.callRaw("explain", request), "callRaw: request: expected the request's text or bytes (a string or a Uint8Array), got a detached Uint8Array");
  const bytes = new ArrayBuffer(8);
  structuredClone(bytes, { transfer: [bytes] });
  await assert.rejects(load(bytes), { name: "TypeError", message: "load: source: expected the module's bytes (a buffer that holds them), got a detached ArrayBuffer" });
  await assert.rejects(load(new URL("nope.wasm", wasmUrl)), (e) => e.message.startsWith(`load: source: ${new URL("nope.wasm", wasmUrl).href} cannot be read (ENOENT`) && e.cause?.code === "ENOENT");
  // The module's bytes in a SharedArrayBuffer load as any others do.
  const wasm = await readFile(wasmUrl);
  const shared = new SharedArrayBuffer(wasm.length);
  new Uint8Array(shared).set(wasm);
  assert.equal((await load(shared)).explain("CC6.1").kind, "control");
});

test("redact with populations is refused, as attest eval --redact --populations is", async () => {
  const facts = await acme();
  const refused = (e) => e instanceof AttestError && e.kind === "options" && /^redact: populations would list every record/.test(e.message);
  assert.throws(() => attest.evaluate(facts, { redact: true, populations: true }), refused);
  assert.throws(() => attest.evaluateJson(facts, { redact: true, populations: true }), refused);
  assert.throws(() => attest.render(facts, "text", { redact: true, populations: true }), refused);
  assert.ok("public_report_version" in attest.evaluate(facts, { redact: true, populations: false }));
});

test("a pack's folder given whole gives the report attest gives, its other files ignored with a warning", async () => {
  const facts = await acme();
  const dir = new URL("examples/acme-pack/", root);
  const pack = await packFolder(dir);
  const all = await Promise.all((await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map(async (e) => {
      const path = join(e.path ?? e.parentPath, e.name);
      return { path: path.slice(fileURLToPath(dir).length), text: await readFile(path, "utf8") };
    }));
  assert.ok(all.some((f) => f.path === "README.md") && all.length > pack.length);
  const warned = [];
  const whole = attest.evaluateJson(facts, { pack: all, onWarning: (w) => warned.push(w) });
  assert.equal(whole, attest.evaluateJson(facts, { pack }));
  assert.deepEqual(warned.map((w) => w.file), ["README.md"]);
  assert.match(warned[0].message, /^not a pack file \(a pack is its \*\.toml, \*\.rhai and \*\.json files/);
  // Paths as Windows or a careless join writes them are the same paths.
  for (const spell of [(p) => p.replaceAll("/", "\\"), (p) => `./${p.replaceAll("/", "//")}`]) {
    assert.equal(attest.evaluateJson(facts, { pack: pack.map((f) => ({ path: spell(f.path), text: f.text })) }), whole);
  }
  // An overlay replaces the built-in rule it names, however it spells the path.
  assert.throws(() => attest.evaluate(facts, { overlay: { "./rules/access/inactive-accounts.rhai": "bogus" } }),
    (e) => e instanceof AttestError && e.kind === "pack" && /rules\/access\/inactive-accounts\.rhai/.test(e.message));
  for (const path of ["", "../pack.toml"]) {
    assert.throws(() => attest.explain(null, { overlay: { [path]: "x" } }),
      (e) => e instanceof AttestError && e.kind === "pack" && e.details.file === path && /not a path in the pack/.test(e.message));
  }
});

test("sample: seed is required, and its type is the wrapper's to say", async () => {
  const facts = await acme();
  const rule = "access.leaver-accounts";
  const SEED = "an integer from 0 to 9007199254740991, or a BigInt from 0n to 18446744073709551615n";
  const required = (got) => `sample: seed: expected ${SEED} (it is required), got ${got}`;
  argumentError(() => attest.sample(facts, rule), required("undefined"));
  argumentError(() => attest.sample(facts, rule, {}), required("undefined"));
  argumentError(() => attest.sample(facts, rule, { size: 3 }), required("undefined"));
  argumentError(() => attest.sample(facts, rule, { seed: undefined }), required("undefined"));
  argumentError(() => attest.sample(facts, rule, { seed: null }), required("null"));
  for (const [seed, got] of [["42", 'the string "42"'], [-1, "the number -1"], [1.5, "the number 1.5"], [2 ** 64, "the number 18446744073709552000"], [-1n, "the bigint -1"], [2n ** 64n, "the bigint 18446744073709551616"]]) {
    argumentError(() => attest.sample(facts, rule, { seed }), `sample: seed: expected ${SEED}, got ${got}`);
  }
  // Any seed `attest sample --seed` takes: above 2^53 as a BigInt, which reaches the engine
  // whole (2^53 + 1 as a Number would be 2^53, drawing 2^53's sample) and comes back as given.
  const drawn = (seed) => attest.sample(facts, rule, { seed, size: 5 });
  assert.deepEqual({ ...drawn(42n), seed: 42 }, drawn(42));
  assert.equal(drawn(42n).seed, 42n);
  const keys = (seed) => drawn(seed).records.map((r) => r.key);
  assert.notDeepEqual(keys(2n ** 53n + 1n), keys(2n ** 53n));
  assert.deepEqual(keys(2n ** 53n - 1n), keys(2 ** 53 - 1));
  assert.equal(drawn(2n ** 64n - 1n).seed, 18446744073709551615n);
  argumentError(() => attest.sample(facts, rule, { seed: 1, size: -2 }), "sample: size: expected an integer from 0 to 9007199254740991, got the number -2");
  argumentError(() => attest.sample(facts, undefined, { seed: 1 }), "sample: rule: expected a rule id (a string), got undefined");
  argumentError(() => attest.sample(facts, { seed: 1 }), "sample: rule: expected a rule id (a string), got an object");
  // A size of 0 is refused by the engine, as `attest sample --size 0` is.
  assert.throws(() => attest.sample(facts, rule, { seed: 1, size: 0 }), (e) => e instanceof AttestError && e.kind === "options");
  assert.equal(attest.sample(facts, rule, { seed: 0, size: 2 }).records.length, 2);
});

test("options of the wrong type are argument errors, the same for every call", async () => {
  const facts = await acme();
  const calls = {
    evaluate: (o) => attest.evaluate(facts, o),
    evaluateJson: (o) => attest.evaluateJson(facts, o),
    render: (o) => attest.render(facts, "text", o),
    todo: (o) => attest.todo(facts, o),
    renderTodo: (o) => attest.renderTodo(facts, "text", o),
    sample: (o) => attest.sample(facts, "access.leaver-accounts", o),
    diff: (o) => attest.diff("{}", "{}", o),
    check: (o) => attest.check(null, o),
    checkJson: (o) => attest.checkJson(null, o),
    test: (o) => attest.test(null, o),
    testJson: (o) => attest.testJson(null, o),
    validate: (o) => attest.validate(facts, o),
    explain: (o) => attest.explain("CC6.1", o),
  };
  for (const [call, f] of Object.entries(calls)) {
    for (const [options, got] of [[[], "an array"], ["soc2", 'the string "soc2"'], [7, "the number 7"], [true, "the boolean true"], [() => {}, "a function"]]) {
      argumentError(() => f(options), `${call}: options: expected an object, got ${got}`);
    }
  }
  const wrong = [
    [{ asOf: 20260630 }, "asOf: expected a date (YYYY-MM-DD text or a valid Date in the years 0000 to 9999), got the number 20260630"],
    [{ asOf: new Date("nope") }, "asOf: expected a date (YYYY-MM-DD text or a valid Date in the years 0000 to 9999), got an invalid Date"],
    [{ period: 2026 }, 'period: expected a period ("START..END" text or {start, end}), got the number 2026'],
    [{ period: { start: "2026-01-01" } }, "period.end: expected a date (YYYY-MM-DD text or a valid Date in the years 0000 to 9999), got undefined"],
    [{ params: [] }, "params: expected an object of parameter -> value, got an array"],
    [{ explain: "yes" }, 'explain: expected true or false, got the string "yes"'],
    [{ populations: 1 }, "populations: expected true or false, got the number 1"],
    [{ redact: "false" }, 'redact: expected true or false, got the string "false"'],
    [{ limits: 5 }, "limits: expected an object ({maxOperations, maxMemoryMib, maxFindings}), got the number 5"],
    [{ limits: { maxFindings: -1 } }, "limits.maxFindings: expected an integer from 0 to 9007199254740991 (0: no limit), got the number -1"],
    [{ waivers: 1 }, "waivers: expected waivers-v1 JSON text, its object, or {name, text}, got the number 1"],
    [{ waivers: { name: "w.json", text: 3 } }, "waivers.text: expected JSON text or an object, got the number 3"],
    [{ onWarning: "console.log" }, 'onWarning: expected a function, got the string "console.log"'],
    [{ pack: "examples/acme-pack" }, 'pack: expected a list of {path, text} files or an object of path -> text, got the string "examples/acme-pack"'],
    [{ overlay: [null] }, "overlay[0]: expected a {path, text} file, got null"],
    [{ overlay: [{ path: "rules/a.rhai" }] }, "overlay[0].text: expected a string (the file's text), got undefined"],
    [{ overlay: { "rules/a.rhai": 5 } }, 'overlay["rules/a.rhai"]: expected a string (the file\'s text), got the number 5'],
  ];
  for (const [options, message] of wrong) {
    for (const call of ["evaluate", "evaluateJson", "render", "todo", "renderTodo"]) {
      argumentError(() => calls[call](options), `${call}: ${message}`);
    }
  }
  argumentError(() => attest.evaluate(facts, { rule: 5 }), "evaluate: rule: expected a rule id (a string), got the number 5");
  argumentError(() => attest.todo(facts, { owner: ["IT"] }), "todo: owner: expected an owner's name (a string), got an array");
  argumentError(() => attest.diff("{}", "{}", { format: 1 }), "diff: format: expected a format (a string), got the number 1");
  argumentError(() => attest.check(null, { name: 1 }), "check: name: expected a folder name (a string), got the number 1");
  argumentError(() => attest.test(null, { filter: "mfa" }), 'test: filter: expected a list of strings, got the string "mfa"');
  argumentError(() => attest.validate(facts, { pack: 3 }), "validate: pack: expected a list of {path, text} files or an object of path -> text, got the number 3");
  // Null, like undefined, is no option at all.
  const none = { asOf: null, period: undefined, params: null, explain: null, limits: null, waivers: null, redact: null, sarifMaxResults: null, onWarning: null, rule: null };
  assert.deepEqual(attest.evaluate(facts, none), attest.evaluate(facts));
  assert.equal(attest.evaluate(facts, null).summary.controls.fail, 29);
});

test("the other arguments of every call are checked the same way", async () => {
  const facts = await acme();
  argumentError(() => attest.render(facts), "render: format: expected a format (text, json, markdown, html, sarif, junit or csv), got undefined");
  argumentError(() => attest.render(facts, { waivers: "{}" }), "render: format: expected a format (text, json, markdown, html, sarif, junit or csv), got an object");
  argumentError(() => attest.renderTodo(facts, { owner: "IT" }), "renderTodo: format: expected a format (text, markdown, json or csv), got an object");
  argumentError(() => attest.diff(undefined, "{}"), "diff: base: expected a report (its object, its JSON text, or {name, text}), got undefined");
  argumentError(() => attest.diff("{}", 5), "diff: next: expected a report (its object, its JSON text, or {name, text}), got the number 5");
  argumentError(() => attest.check("examples/acme-pack"), 'check: pack: expected a list of {path, text} files or an object of path -> text, got the string "examples/acme-pack"');
  argumentError(() => attest.test([{ path: "pack.toml", text: 1 }]), "test: pack[0].text: expected a string (the file's text), got the number 1");
  argumentError(() => attest.explain(6.1), "explain: id: expected a rule or control id (a string), or none for the pack, got the number 6.1");
  assert.equal(attest.explain(null).kind, "pack");
  argumentError(() => attest.callRaw("evaluat", "{}"), "callRaw: name: expected an export (evaluate, validate, explain, diff, check, test), got the string \"evaluat\"");
  argumentError(() => attest.callRaw("explain", { id: "CC6.1" }), "callRaw: request: expected the request's text or bytes (a string or a Uint8Array), got an object");
  argumentError(() => attest.call("explain", "{}"), 'call: request: expected a request object, got the string "{}"');
  await assert.rejects(load(5), { name: "TypeError", message: "load: source: expected the module's bytes, a WebAssembly.Module, a Response, or its URL (a string or a URL), got the number 5" });
  assert.equal((await load(null)).explain("CC6.1").kind, "control");
  // A response that is no module says so, as a failed fetch of its URL does.
  await assert.rejects(load(new Response("not found", { status: 404 })), { name: "Error", message: "the response: HTTP 404" });
  argumentError(() => new Attest(), "Attest: module: expected a WebAssembly.Module (load makes an Attest), got undefined");
  const empty = await WebAssembly.compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  assert.throws(() => new Attest(empty, new WebAssembly.Instance(empty, {})), { name: "Error", message: "the module is not Attest's: it exports no attest_abi_version" });
  // A report given as {name, text} keeps its name.
  const report = attest.evaluateJson(facts);
  assert.equal(JSON.parse(attest.diff({ name: "q1.json", text: report }, report)).new_failures.length, 0);
});

test("sarifMaxResults and an empty list of facts are refused as the CLI refuses them", async () => {
  const facts = await acme();
  // `attest eval --sarif-max-results` takes 1 to 25000: a SARIF of no results would close
  // every code scanning alert, one of more than 25000 is refused by the upload.
  for (const n of [0, 25001, -1, 1.5]) {
    assert.throws(() => attest.render(facts, "sarif", { sarifMaxResults: n }), (e) => {
      assert.ok(e instanceof AttestError, `${n}: ${e}`);
      assert.equal(e.kind, "options");
      assert.equal(e.message, `sarifMaxResults: \`${n}\` is not a number of results from 1 to 25000`);
      return true;
    });
  }
  // A value of another type is an argument error, as for every option.
  assert.throws(() => attest.render(facts, "sarif", { sarifMaxResults: "3" }), { name: "TypeError", message: 'render: sarifMaxResults: expected an integer from 1 to 25000, got the string "3"' });
  for (const n of [1, 25000]) {
    assert.equal(JSON.parse(attest.render(facts, "sarif", { sarifMaxResults: n })).runs[0].results.length, Math.min(n, 81));
  }
  // As `attest eval` refuses a folder with no *.json files.
  for (const call of [() => attest.evaluate([]), () => attest.validate([]), () => attest.render([], "sarif")]) {
    assert.throws(call, (e) => e instanceof AttestError && e.kind === "request" && /^no facts: /.test(e.message));
  }
});

test("the declarations take the options each call takes, and refuse those it refuses", { skip: !existsSync(tsc) && "npm ci --prefix wasm/test installs TypeScript" }, async () => {
  // Each call refused here throws TypeError in the wrapper (the test above); TypeScript must
  // refuse it too. The package is imported by name, as a project that installed it does.
  const dir = await mkdtemp(join(tmpdir(), "attest-types-"));
  await mkdir(join(dir, "node_modules"));
  await symlink(fileURLToPath(new URL("wasm/pkg/", root)), join(dir, "node_modules/attest-wasm"), "dir");
  await writeFile(join(dir, "package.json"), '{"type": "module"}');
  await writeFile(
    join(dir, "types.ts"),
    `import { load, AttestError, type Report, type RuleResult, type CheckResult, type PublicReport } from "attest-wasm";
const attest = await load();
const report: Report = attest.evaluate("{}", { asOf: "2026-06-30", sarifMaxResults: 10 });
const rule: RuleResult = attest.evaluate("{}", { rule: "access.mfa-privileged" });
const text: string = attest.render("{}", "sarif", { waivers: "{}", sarifMaxResults: 10 });
const check: CheckResult = attest.check([], { name: "pack" });
attest.test({ "pack.toml": "" }, { name: "pack", filter: ["mfa"] });
// @ts-expect-error check takes a pack: the module carries no cases of the built-in one
attest.check();
// @ts-expect-error test takes a pack
attest.test(null);
// @ts-expect-error render takes no rule
attest.render("{}", "text", { rule: "access.mfa-privileged" });
// @ts-expect-error evaluateJson takes no rule
attest.evaluateJson("{}", { rule: "access.mfa-privileged" });
// @ts-expect-error todo takes no rule
attest.todo("{}", { rule: "access.mfa-privileged" });
// @ts-expect-error sample takes no rule option: the rule is its second argument
attest.sample("{}", "access.leaver-accounts", { seed: 1, rule: "x" });
// @ts-expect-error the to-do list has no public view
attest.todo("{}", { redact: true });
// @ts-expect-error one rule's result has no public view
attest.evaluate("{}", { rule: "access.mfa-privileged", redact: true });
// @ts-expect-error check takes no filter
attest.check([], { filter: ["mfa"] });
// @ts-expect-error checkJson takes no filter
attest.checkJson([], { filter: ["mfa"] });
// Null options are no options; a report for diff may be {name, text}.
const none: Report = attest.evaluate("{}", null);
attest.diff({ name: "q1.json", text: "{}" }, report, null);
// An option set to null is not given, as one left out.
const nulls: Report = attest.evaluate("{}", { asOf: null, period: null, rule: null, redact: null, limits: { maxOperations: null }, onWarning: null, pack: null });
const nullRule: RuleResult = attest.evaluate("{}", { rule: "access.mfa-privileged", redact: null });
attest.sample("{}", "access.leaver-accounts", { seed: 1, size: null, waivers: null });
attest.todo("{}", { owner: null, explain: null });
attest.diff(report, report, { format: null });
attest.test([], { name: null, filter: null });
// A redact known only at run time may give the public view, and a rule any result.
declare const flag: boolean;
const either: Report | PublicReport = attest.evaluate("{}", { redact: flag });
// @ts-expect-error with a boolean redact the result may be the public view
const notOnlyReport: Report = attest.evaluate("{}", { redact: flag });
declare const someRule: string | undefined;
const any: Report | RuleResult = attest.evaluate("{}", { rule: someRule, asOf: "2026-06-30" });
// @ts-expect-error sample needs a seed
attest.sample("{}", "access.leaver-accounts", { size: 3 });
// @ts-expect-error render needs a format
attest.render("{}");
// @ts-expect-error renderTodo's format comes before its options
attest.renderTodo("{}", { owner: "IT" });
const error = new AttestError({ kind: "request", message: "x" });
// @ts-expect-error an AttestError is made from the engine's error object
new AttestError();
export { report, rule, text, check, none, nulls, nullRule, either, notOnlyReport, any, error };
`,
  );
  const args = ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom", "types.ts"];
  const out = spawnSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: "utf8" });
  await rm(dir, { recursive: true, force: true });
  assert.equal(out.status, 0, out.stdout + out.stderr);
});

test("redact is refused, not ignored, by the calls that have no public view", async () => {
  const facts = await acme();
  // Each of these returns names, usernames and record keys: with redact ignored, a trust
  // portal asking for the public view would publish them.
  const calls = {
    "the to-do list": (o) => attest.todo(facts, o),
    "the to-do list ": (o) => attest.renderTodo(facts, "markdown", o),
    "a sample": (o) => attest.sample(facts, "access.leaver-accounts", { seed: 1, ...o }),
    "one rule's result": (o) => attest.evaluate(facts, { rule: "access.mfa-privileged", ...o }),
  };
  for (const [what, call] of Object.entries(calls)) {
    assert.throws(() => call({ redact: true }), (e) => e instanceof AttestError && e.kind === "options" && e.message.startsWith(`redact: ${what.trim()} names people`), what);
    assert.ok(call({ redact: false }), what);
  }
});

test("validate takes the facts a pack adds to facts-v1", async () => {
  const dir = new URL("examples/acme-pack/", root);
  const schema = await readFile(new URL("facts.schema.json", dir), "utf8");
  const oncall = { name: "oncall.json", text: await readFile(new URL("examples/acme-oncall/oncall.json", root), "utf8") };
  const facts = [...(await acme()), oncall];
  assert.equal(attest.validate(facts, { overlay: { "facts.schema.json": schema } }).warnings.length, 0);
  assert.ok(attest.validate(facts).warnings.some((w) => w.pointer === "/oncall"), "facts-v1 alone does not define oncall");
});

test("fields facts-v1 does not define are warnings, in document order", async () => {
  const facts = {
    schema_version: "1",
    organization: { name: "T", as_of: "2026-06-30" },
    acounts: [],
    accounts: [{ system_id: "s", username: "u", kind: "human", status: "active", privileged: true, mfa_enabled: true }],
  };
  const expected = [
    { file: "facts.json", line: 7, column: null, pointer: "/acounts", message: "facts-v1 does not define `acounts` at the top level; did you mean `accounts`?" },
    { file: "facts.json", line: 15, column: 22, pointer: "/accounts/0/mfa_enabled", message: "facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?" },
  ];
  assert.deepEqual(attest.validate(facts).warnings, expected);
  const seen = [];
  const report = attest.evaluate(facts, { onWarning: (w) => seen.push(w) });
  assert.deepEqual(seen, expected);
  assert.equal(report.rules.find((r) => r.id === "access.mfa-privileged").status, "fail");
  const again = [];
  const text = attest.evaluateJson(facts, { onWarning: (w) => again.push(w) });
  assert.deepEqual(again, expected);
  assert.deepEqual(JSON.parse(text), report);
  assert.ok(text.endsWith("}\n"));
  // The example defines every field.
  assert.deepEqual(attest.validate(await acme()).warnings, []);
});

test("explain describes the pack, rules and controls", () => {
  const pack = attest.explain();
  assert.equal(pack.kind, "pack");
  assert.ok(pack.rules.length >= 25);
  const rule = attest.explain("access.mfa-privileged");
  assert.equal(rule.kind, "rule");
  assert.match(rule.rule.source, /^\/\/! id = "access.mfa-privileged"/m);
  assert.throws(() => attest.explain("nope"), (e) => e.kind === "not_found");
});

test("bad requests are JSON errors, never traps", () => {
  const bad = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
  const r = JSON.parse(attest.callRaw("evaluate", bad));
  assert.equal(r.ok, false);
  assert.equal(r.error.kind, "request");
  assert.match(r.error.message, /UTF-8/);
  assert.equal(attest.call("validate", { nope: 1 }).error.kind, "request");
  assert.equal(JSON.parse(attest.callRaw("explain", "")).error.kind, "request");
  assert.equal(attest.explain("CC6.1").kind, "control");
});

test("texts attached after the request's JSON give what the same texts inside it give", async () => {
  const facts = await acme();
  const inline = attest.callRaw("evaluate", JSON.stringify({ facts, format: "markdown" }));
  // The wrapper attaches every text; a request may also mix both forms.
  assert.equal(JSON.stringify(attest.call("evaluate", { facts, format: "markdown" })), JSON.stringify(JSON.parse(inline)));
  const [first, ...rest] = facts;
  const bytes = new TextEncoder().encode(first.text);
  const json = new TextEncoder().encode(JSON.stringify({ facts: [{ name: first.name, text: [0, bytes.length] }, ...rest], format: "markdown" }));
  const request = new Uint8Array(json.length + 1 + bytes.length);
  request.set(json);
  request.set(bytes, json.length + 1);
  assert.equal(attest.callRaw("evaluate", request), inline);
  // A range past the attachment is a request error naming it.
  request.set(new TextEncoder().encode(JSON.stringify({ facts: [{ name: "x", text: [1, bytes.length] }] }).padEnd(json.length, " ")));
  const past = JSON.parse(attest.callRaw("evaluate", request));
  assert.equal(past.error.kind, "request");
  assert.match(past.error.message, /lies past the end of the request's attachment/);
});

test("a runaway loop inside a closure is stopped by the operation budget", async () => {
  const src = (await attest.explain("access.mfa-privileged")).rule;
  const header = src.source.split("\n").filter((l) => l.startsWith("//!")).join("\n");
  const body = "\nlet n = facts.accounts.filter(|a| { let i = 0; loop { i += 1; } }).len();\n";
  const result = attest.evaluate(await acme(), { rule: src.id, overlay: { [src.path]: header + body } });
  assert.equal(result.status, "error");
  assert.match(result.error.message, /budget of \d+ operations/);
});

test("the ABI refuses buffers it did not hand out, and the instance lives on", async () => {
  const { instance } = await WebAssembly.instantiate(await readFile(wasmUrl), {});
  const x = instance.exports;
  assert.equal(x.attest_abi_version(), 3);
  const ptr = x.attest_alloc(8);
  assert.notEqual(ptr, 0);
  assert.equal(x.attest_free(ptr, 7), 2, "another length");
  assert.equal(x.attest_free(ptr, 8), 0, "released");
  assert.equal(x.attest_free(ptr, 8), 1, "freed twice");
  assert.equal(x.attest_free(12345, 3), 1, "never handed out");
  const packed = x.attest_explain(ptr, 8);
  const [out, len] = [Number(packed >> 32n), Number(packed & 0xffffffffn)];
  const r = JSON.parse(new TextDecoder().decode(new Uint8Array(x.memory.buffer, out, len)));
  assert.equal(x.attest_free(out, len), 0);
  assert.equal(r.error.kind, "request");
  assert.match(r.error.message, /not inside a buffer from attest_alloc/);
});

test("limits reach the rules", async () => {
  const src = (await attest.explain("access.mfa-privileged")).rule;
  const header = src.source.split("\n").filter((l) => l.startsWith("//!")).join("\n");
  const overlay = { [src.path]: header + "\nfor i in 0..3 { fail(`finding ${i}`); }\n" };
  const result = attest.evaluate(await acme(), { rule: src.id, overlay, limits: { maxFindings: 2 } });
  assert.equal(result.status, "error");
  assert.equal(result.error.message, "the rule exceeded its limit of 2 findings");
  assert.equal(attest.evaluate(await acme(), { rule: src.id, overlay, limits: { maxFindings: 3 } }).status, "fail");
});

test("parity with the native engine", { skip: !process.env.ATTEST_PARITY && "set ATTEST_PARITY (tests/wasm-host/tests/node.rs does)" }, async () => {
  const cases = JSON.parse(await readFile(process.env.ATTEST_PARITY, "utf8"));
  assert.ok(cases.length > 50);
  for (const c of cases) {
    assert.equal(attest.callRaw(c.call, c.request), c.expected, c.name);
  }
});

test("waivers, the public view, diff, check and test, and their errors", async () => {
  const facts = await acme();
  const waivers = await readFile(new URL("examples/waivers.json", root), "utf8");
  const report = attest.evaluate(facts, { waivers });
  assert.ok(report.waivers.some((w) => w.state === "active"));
  assert.ok(report.rules.some((r) => r.findings.some((f) => f.waiver)));
  const view = attest.evaluate(facts, { waivers, redact: true });
  assert.equal(view.public_report_version, "1");
  assert.deepEqual(view.summary, report.summary.controls);
  assert.ok(!JSON.stringify(view).includes("maya.chen"));
  for (const format of ["text", "markdown", "html", "sarif", "junit", "csv"]) {
    assert.ok(attest.render(facts, format, { waivers }).length > 1000, format);
  }
  assert.throws(() => attest.render(facts, "sarif", { redact: true }), (e) => e.kind === "options");
  assert.throws(() => attest.render(facts, "pdf"), (e) => e.kind === "options" && /unknown format/.test(e.message));
  assert.throws(
    () => attest.evaluate(facts, { waivers: { name: "w.json", text: '{"schema_version": "1", "waivers": [{"rule": "x"}]}' } }),
    (e) => e.kind === "waivers_invalid" && e.details.violations.length === 4 && e.details.violations[0].file === "w.json",
  );
  assert.throws(() => attest.evaluate(facts, { waivers: "{" }), (e) => e.kind === "waivers_syntax");
  assert.equal(JSON.parse(attest.diff(report, attest.evaluateJson(facts, { waivers }))).new_failures.length, 0);
  assert.ok(JSON.parse(attest.diff(report, attest.evaluateJson(facts))).new_failures.length > 0, "unwaived failures are new");
  assert.throws(() => attest.diff({ a: 1 }, report), (e) => e.kind === "report" && /no report_version/.test(e.message));
  // The module carries the built-in pack without its rules' cases: checking or testing it
  // takes its files, as `attest check rules/soc2` reads them.
  for (const call of [() => attest.check(), () => attest.test(null, { filter: ["mfa"] })]) {
    assert.throws(call, (e) => e instanceof AttestError && e.kind === "options" && e.message.startsWith("no pack: the module carries the built-in pack soc2 without its rules' cases"));
  }
  const soc2 = await packFolder(new URL("rules/soc2/", root));
  assert.ok(soc2.some((f) => f.path.endsWith(".cases.json")));
  assert.equal(attest.check(soc2, { name: "rules/soc2" }).errors, 0);
  const broken = attest.check([{ path: "pack.toml", text: 'name = "x"\nversion = "1"\nextends = "soc2"\n' }, { path: "rules/a.rhai", text: "//! id = \"a.b\"\nfor for" }], { name: "mine" });
  assert.ok(broken.errors > 0);
  assert.ok(broken.diagnostics.every((d) => d.file.startsWith("mine/") && "line" in d && "column" in d));
  // Files given without their folder are shown as `attest check .` shows them, never as the built-in pack.
  const unnamed = attest.check([{ path: "pack.toml", text: 'name = "x"\nversion = "1"\n' }]);
  assert.equal(unnamed.pack, ".");
  assert.ok(unnamed.diagnostics.length > 0 && unnamed.diagnostics.every((d) => d.file.startsWith("./")));
  const mfa = attest.test(soc2, { name: "rules/soc2", filter: ["mfa"] });
  assert.equal(mfa.summary.failed, 0);
  assert.ok(mfa.summary.passed >= 10 && mfa.tests.every((t) => t.file.startsWith("rules/soc2/rules/access/mfa-")), JSON.stringify(mfa.summary));
  assert.throws(() => attest.test([{ path: "pack.toml", text: 'name = "x"\nversion = "1"\nextends = "../base"\n' }]), (e) => e.kind === "pack");
});

const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const sleb = (n) => { const out = []; for (;;) { const b = Number(n & 0x7fn); n >>= 7n; if ((n === 0n && !(b & 0x40)) || (n === -1n && b & 0x40)) { out.push(b); return out; } out.push(b | 0x80); } };
const wasmName = (s) => [...leb(s.length), ...new TextEncoder().encode(s)];
const I32 = 0x7f, I64 = 0x7e;

/// A stand-in module of the module's ABI with one i32 global (0 at first), whose
/// `attest_evaluate` is the function body `evaluate` gives (`locals` then the code, in the
/// binary format: `(request pointer, length) -> packed i64`), `text` at address 16, and
/// whose `attest_out_of_memory` answers `oom`.
function standInModule(locals, evaluate, text, oom = 0) {
  const section = (id, items) => { const body = [...leb(items.length), ...items.flat()]; return [id, ...leb(body.length), ...body]; };
  const types = section(1, [[0x60, 0, 1, I32], [0x60, 1, I32, 1, I32], [0x60, 2, I32, I32, 1, I32], [0x60, 2, I32, I32, 1, I64]]);
  const funcs = section(3, [[0], [1], [2], [3], [0]]);
  const memory = section(5, [[0x00, 1]]);
  const globals = section(6, [[I32, 1, 0x41, 0, 0x0b]]);
  const exports = section(7, [
    [...wasmName("memory"), 2, 0], [...wasmName("attest_abi_version"), 0, 0], [...wasmName("attest_alloc"), 0, 1],
    [...wasmName("attest_free"), 0, 2], [...wasmName("attest_evaluate"), 0, 3], [...wasmName("attest_out_of_memory"), 0, 4],
  ]);
  const body = (locals, code) => { const b = [...locals, ...code, 0x0b]; return [...leb(b.length), ...b]; };
  const constant = (n) => body([0], [0x41, n]);
  const code = section(10, [constant(3), constant(8), constant(0), body(locals, evaluate), constant(oom)]);
  const data = section(11, [[0, 0x41, 16, 0x0b, ...wasmName(text)]]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...types, ...funcs, ...memory, ...globals, ...exports, ...code, ...data]);
}

/// A stand-in module whose `attest_evaluate` traps, and whose `attest_out_of_memory`
/// answers `oom`: what the wrapper makes of a trap.
function trappingModule(oom) {
  return standInModule([0], [0x00], "", oom);
}

/// A stand-in module whose `attest_evaluate` counts the calls under way in its global: a
/// request of one byte recurses until the stack overflows; any other answers `ok` when it is
/// the only call under way, else `broken` (a call that broke off left its count).
function recursingModule() {
  return standInModule([1, 1, I64], [
    0x23, 0, 0x41, 1, 0x6a, 0x24, 0, // calls under way += 1
    0x20, 1, 0x41, 1, 0x46, 0x04, 0x40, 0x20, 0, 0x20, 1, 0x10, 3, 0x1a, 0x0b, // one byte: recurse
    0x42, ...sleb((16n << 32n) | 2n), 0x21, 2, // "ok" at 16
    0x23, 0, 0x41, 1, 0x47, 0x04, 0x40, 0x42, ...sleb((18n << 32n) | 6n), 0x21, 2, 0x0b, // "broken" at 18
    0x23, 0, 0x41, 1, 0x6b, 0x24, 0, // calls under way -= 1
    0x20, 2,
  ], "okbroken");
}

test("an instance whose memory passed 2 GiB still answers: its addresses are unsigned", async () => {
  const module = await WebAssembly.compile(await readFile(wasmUrl));
  const instance = await WebAssembly.instantiate(module, {});
  const big = new Attest(module, instance);
  // As ~600 MB of facts would: the allocator's next memory lies above 2 GiB.
  const memory = instance.exports.memory;
  memory.grow(32768 + 16 - memory.buffer.byteLength / 65536);
  const probe = instance.exports.attest_alloc(8_000_000) >>> 0;
  assert.ok(probe >= 2 ** 31, `${probe}`);
  assert.equal(instance.exports.attest_free(probe, 8_000_000), 0);
  assert.equal(big.explain("CC6.1").kind, "control");
  assert.equal(big.explain("CC6.2").kind, "control");
});

/// A stand-in module whose `attest_evaluate` answers its first call with a response longer
/// than its memory, and every later one `ok`: a fresh instance would answer the long one again.
function overlongModule() {
  return standInModule([0], [
    0x23, 0, 0x41, 1, 0x6a, 0x24, 0, // calls += 1
    0x23, 0, 0x41, 1, 0x46, 0x04, I64, // the first?
    0x42, ...sleb(0x7fffffffn), // 2 GiB at 0
    0x05, 0x42, ...sleb((16n << 32n) | 2n), 0x0b, // else "ok" at 16
  ], "ok");
}

test("a RangeError that is no stack overflow is rethrown, the instance kept", async () => {
  const out = await load(overlongModule());
  assert.throws(() => out.callRaw("evaluate", "{}"), (e) => e instanceof RangeError && !/call stack/.test(e.message));
  assert.equal(out.callRaw("evaluate", "{}"), "ok");
});

test("a stack overflow inside the module replaces the instance, as a trap does", async () => {
  const out = await load(recursingModule());
  assert.equal(out.callRaw("evaluate", "ab"), "ok");
  assert.throws(() => out.callRaw("evaluate", "x"), RangeError);
  assert.equal(out.callRaw("evaluate", "ab"), "ok");
});

test("a relative URL is read from the current folder, whatever its name", async () => {
  const base = await mkdtemp(join(tmpdir(), "attest-load-"));
  const before = process.cwd();
  try {
    for (const folder of ["dir #1", "dir %41"]) {
      await mkdir(join(base, folder));
      await writeFile(join(base, folder, "attest.wasm"), await readFile(wasmUrl));
      process.chdir(join(base, folder));
      const loaded = await load("attest.wasm");
      assert.ok(loaded instanceof Attest, folder);
    }
  } finally {
    process.chdir(before);
    await rm(base, { recursive: true, force: true });
  }
});

test("a trap for want of memory is an error that says so; any other trap is rethrown", async () => {
  const out = await load(trappingModule(1));
  assert.throws(() => out.callRaw("evaluate", "{}"), (e) =>
    !(e instanceof WebAssembly.RuntimeError) && /attest evaluate: the module ran out of memory \(its memory could not grow past 0 MiB\)/.test(e.message)
      && e.cause instanceof WebAssembly.RuntimeError);
  const other = await load(trappingModule(0));
  assert.throws(() => other.callRaw("evaluate", "{}"), (e) => e instanceof WebAssembly.RuntimeError);
});
