// The engine in a Web Worker, so that a large evaluation never blocks the page: a message
// {id, method, args} calls that method of the engine; the answer is {id, result, warnings}
// (warnings: those `evaluate` passes to `onWarning`; `validate` returns its own) or
// {id, error: {message, kind, details}}. The page terminates the worker after a deadline.
import { load, AttestError } from "../pkg/attest.mjs";

const engine = load(new URL("../pkg/attest.wasm", import.meta.url));

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    const attest = await engine;
    const warnings = [];
    // A function cannot cross to the page: evaluate's warnings are collected here.
    if (method === "evaluate") args[1] = { ...args[1], onWarning: (w) => warnings.push(w) };
    const result = attest[method](...args);
    self.postMessage({ id, result, warnings });
  } catch (e) {
    const error = e instanceof AttestError ? { message: e.message, kind: e.kind, details: e.details } : { message: String(e?.message ?? e) };
    self.postMessage({ id, error });
  }
};
