// The module against the `attest` command, byte for byte: every case of the file given (as
// cli/tests/module.rs writes it) is a call of the wrapper, with the bytes the CLI wrote.
//
//   node wasm/test/cli-parity.mjs cases.json [attest.wasm]
//
// A case: {name, method, args: [...], expected: "text the CLI wrote"}.
import { readFileSync } from "node:fs";
import { load } from "../pkg/attest.mjs";

const [casesPath, wasmPath] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const attest = await load(wasmPath ? readFileSync(wasmPath) : undefined);
let failed = 0;
for (const c of cases) {
  let actual;
  try {
    actual = attest[c.method](...c.args);
  } catch (e) {
    failed += 1;
    console.error(`not ok: ${c.name}: ${e.message}`);
    continue;
  }
  if (actual === c.expected) {
    console.log(`ok: ${c.name} (${actual.length} bytes)`);
    continue;
  }
  failed += 1;
  let at = 0;
  while (at < actual.length && actual[at] === c.expected[at]) at += 1;
  console.error(`not ok: ${c.name}: differs at character ${at} of ${c.expected.length}:`);
  console.error(`  module: ${JSON.stringify(actual.slice(Math.max(0, at - 80), at + 80))}`);
  console.error(`  cli:    ${JSON.stringify(c.expected.slice(Math.max(0, at - 80), at + 80))}`);
}
console.log(`${cases.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
