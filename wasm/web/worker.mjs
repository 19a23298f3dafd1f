// The engine in a Web Worker, so that a large evaluation never blocks the page: a message
// {id, method, args} calls that method of the engine; the answer is {id, result} or
// {id, error: {message, kind, details}}. The page terminates the worker after a deadline.
import { load, AttestError } from "../pkg/attest.mjs";

const engine = load(new URL("../pkg/attest.wasm", import.meta.url));

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    const attest = await engine;
    self.postMessage({ id, result: attest[method](...args) });
  } catch (e) {
    const error = e instanceof AttestError ? { message: e.message, kind: e.kind, details: e.details } : { message: String(e?.message ?? e) };
    self.postMessage({ id, error });
  }
};
