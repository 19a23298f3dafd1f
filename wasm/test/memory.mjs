// Linear memory of one instance of the module after evaluating each facts file given, in a
// fresh instance each (memory never shrinks, so this is what the instance keeps):
//
//   node wasm/test/memory.mjs org-1k.json org-10k.json ...
//
// `cargo run --release -p attest-bench -- generate --people N --output org.json` writes them.
import { readFileSync, statSync } from "node:fs";
import { Attest } from "../pkg/attest.mjs";

const module = await WebAssembly.compile(readFileSync(new URL("../pkg/attest.wasm", import.meta.url)));
const mib = (n) => (n / 1048576).toFixed(1);
console.log("facts (MiB)\tmemory after load (MiB)\tafter evaluate + JSON (MiB)\tafter all 7 formats (MiB)");
for (const path of process.argv.slice(2)) {
  const text = readFileSync(path, "utf8");
  const instance = await WebAssembly.instantiate(module, {});
  const attest = new Attest(module, instance);
  const memory = () => instance.exports.memory.buffer.byteLength;
  const start = memory();
  attest.validate(text);
  const loaded = memory();
  attest.evaluateJson(text);
  const evaluated = memory();
  for (const f of ["text", "markdown", "html", "sarif", "junit", "csv"]) attest.render(text, f);
  console.log(`${mib(statSync(path).size)}\t${mib(loaded)}\t${mib(evaluated)}\t${mib(memory())}\t(empty instance: ${mib(start)})`);
}
