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
import { load, AttestError } from "../pkg/attest.mjs";

const root = new URL("../../", import.meta.url);
const wasmUrl = new URL("wasm/pkg/attest.wasm", root);
const tsc = fileURLToPath(new URL("wasm/test/node_modules/typescript/bin/tsc", root));

async function acme() {
  const dir = new URL("examples/acme/", root);
  const names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
  return Promise.all(names.map(async (n) => ({ name: `examples/acme/${n}`, text: await readFile(new URL(n, dir), "utf8") })));
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
  refused(() => attest.evaluate(facts, { limits: { maxOperation: 5 } }), /^limits: unknown option `maxOperation`;/);
  refused(() => attest.diff("{}", "{}", { fromat: "text" }), /^diff: unknown option `fromat`;/);
  refused(() => attest.check(null, { filter: ["x"] }), /^check: unknown option `filter`; it takes name$/);
  refused(() => attest.validate(facts, { asOf: "2026-01-01" }), /^validate: unknown option `asOf`;/);
  refused(() => attest.explain("CC6.1", "soc2"), /^explain: options must be an object$/);
  // A name left undefined is no option at all.
  assert.equal(attest.evaluate(facts, { asof: undefined }).summary.controls.fail, 28);
});

test("sarifMaxResults and an empty list of facts are refused as the CLI refuses them", async () => {
  const facts = await acme();
  // `attest eval --sarif-max-results` takes 1 to 25000: a SARIF of no results would close
  // every code scanning alert, one of more than 25000 is refused by the upload.
  for (const n of [0, 25001, -1, 1.5, "3"]) {
    assert.throws(() => attest.render(facts, "sarif", { sarifMaxResults: n }), (e) => {
      assert.ok(e instanceof AttestError, `${n}: ${e}`);
      assert.equal(e.kind, "options");
      assert.equal(e.message, `sarifMaxResults: \`${n}\` is not a number of results from 1 to 25000`);
      return true;
    });
  }
  for (const n of [1, 25000]) {
    assert.equal(JSON.parse(attest.render(facts, "sarif", { sarifMaxResults: n })).runs[0].results.length, Math.min(n, 77));
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
    `import { load, type Report, type RuleResult, type CheckResult } from "attest-wasm";
const attest = await load();
const report: Report = attest.evaluate("{}", { asOf: "2026-06-30", sarifMaxResults: 10 });
const rule: RuleResult = attest.evaluate("{}", { rule: "access.mfa-privileged" });
const text: string = attest.render("{}", "sarif", { waivers: "{}", sarifMaxResults: 10 });
const check: CheckResult = attest.check(null, { name: "pack" });
attest.test(null, { name: "pack", filter: ["mfa"] });
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
attest.check(null, { filter: ["mfa"] });
// @ts-expect-error checkJson takes no filter
attest.checkJson(null, { filter: ["mfa"] });
export { report, rule, text, check };
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
    { file: "facts.json", line: 7, pointer: "/acounts", message: "facts-v1 does not define `acounts` at the top level; did you mean `accounts`?" },
    { file: "facts.json", line: 9, pointer: "/accounts/0/mfa_enabled", message: "facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?" },
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
  assert.equal(attest.check().errors, 0);
  const broken = attest.check([{ path: "pack.toml", text: 'name = "x"\nversion = "1"\nextends = "soc2"\n' }, { path: "rules/a.rhai", text: "//! id = \"a.b\"\nfor for" }], { name: "mine" });
  assert.ok(broken.errors > 0);
  assert.ok(broken.diagnostics.every((d) => d.file.startsWith("mine/") && "line" in d && "column" in d));
  // Files given without their folder are shown as `attest check .` shows them, never as the built-in pack.
  const unnamed = attest.check([{ path: "pack.toml", text: 'name = "x"\nversion = "1"\n' }]);
  assert.equal(unnamed.pack, ".");
  assert.ok(unnamed.diagnostics.length > 0 && unnamed.diagnostics.every((d) => d.file.startsWith("./")));
  assert.equal(attest.test(null, { filter: ["mfa"] }).summary.failed, 0);
  assert.throws(() => attest.test([{ path: "pack.toml", text: 'name = "x"\nversion = "1"\nextends = "../base"\n' }]), (e) => e.kind === "pack");
});
