// Attest in JavaScript: the SOC 2 engine as a WebAssembly module, for browsers and Node 20.
// No bundler, no dependencies: `import { load } from "./attest.mjs"`. See README.md.

const ABI_VERSION = 1;

/** A failure the engine reports: bad request, invalid facts, unusable pack, ... */
export class AttestError extends Error {
  constructor(error) {
    super(error.message);
    this.name = "AttestError";
    /** `request`, `facts_syntax`, `facts_not_object`, `facts_conflict`, `facts_invalid`, `pack`, `options` or `not_found`. */
    this.kind = error.kind;
    /** The whole error object (file, line, column, violations, diagnostics, ...). */
    this.details = error;
  }
}

const isNode = typeof process === "object" && process.versions != null && process.versions.node != null;

async function bytesOf(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return source;
  if (typeof Response === "function" && source instanceof Response) return source.arrayBuffer();
  const url = source instanceof URL ? source : new URL(String(source), isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    return readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/**
 * Loads the module and returns an engine. `source` is the module's bytes (ArrayBuffer,
 * Uint8Array, Buffer), a compiled WebAssembly.Module, a fetch Response, or its URL (string
 * or URL; file: URLs are read from disk in Node). By default, `attest.wasm` next to this file.
 */
export async function load(source = new URL("./attest.wasm", import.meta.url)) {
  const bytes = await bytesOf(source);
  const module = bytes instanceof WebAssembly.Module ? bytes : await WebAssembly.compile(bytes);
  return new Attest(module, await WebAssembly.instantiate(module, {}));
}

/** Facts as a source list: a JSON string, a facts object, or [{name, text}] sources. */
function sources(facts) {
  if (typeof facts === "string") return [{ name: "facts.json", text: facts }];
  if (Array.isArray(facts)) {
    return facts.map((f, i) =>
      typeof f === "string" ? { name: `facts-${i + 1}.json`, text: f } : { name: String(f.name), text: typeof f.text === "string" ? f.text : JSON.stringify(f.text, null, 2) },
    );
  }
  if (facts && typeof facts === "object") return [{ name: "facts.json", text: JSON.stringify(facts, null, 2) }];
  throw new TypeError("facts must be a JSON string, an object, or an array of {name, text}");
}

/** Pack files as [{path, text}]: from an array of them, or an object of path -> text. */
function files(pack) {
  if (pack == null) return undefined;
  if (Array.isArray(pack)) return pack.map((f) => ({ path: String(f.path), text: String(f.text) }));
  return Object.entries(pack).map(([path, text]) => ({ path, text: String(text) }));
}

/** An audit period as the module takes it: "START..END", from that text or {start, end}. */
function period(p) {
  if (p == null) return undefined;
  if (typeof p === "object") return `${day(p.start)}..${day(p.end)}`;
  return String(p);
}

function day(asOf) {
  if (asOf == null) return undefined;
  if (asOf instanceof Date) return asOf.toISOString().slice(0, 10);
  return String(asOf);
}

/** An instance of the module. Calls are synchronous; each returns or throws. */
export class Attest {
  #module;
  #instance;
  #encoder = new TextEncoder();
  #decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(module, instance) {
    this.#module = module;
    this.#instance = instance;
    const version = instance.exports.attest_abi_version();
    if (version !== ABI_VERSION) throw new Error(`the module speaks ABI ${version}; this wrapper speaks ${ABI_VERSION}`);
  }

  /**
   * Sends raw request bytes (or a string) to one export (`evaluate`, `validate`,
   * `explain`) and returns the response text, exactly as the module wrote it. If the module
   * traps (out of memory), the instance is replaced by a fresh one and the error rethrown.
   */
  callRaw(name, request) {
    const bytes = typeof request === "string" ? this.#encoder.encode(request) : request;
    const exports = this.#instance.exports;
    try {
      const ptr = bytes.length ? exports.attest_alloc(bytes.length) : 0;
      if (bytes.length && ptr === 0) throw new Error("the module is out of memory");
      // The view is made after alloc: memory may have grown, detaching older views.
      new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
      const packed = exports[`attest_${name}`](ptr, bytes.length);
      exports.attest_free(ptr, bytes.length);
      const outPtr = Number(packed >> 32n);
      const outLen = Number(packed & 0xffffffffn);
      const text = this.#decoder.decode(new Uint8Array(exports.memory.buffer, outPtr, outLen));
      exports.attest_free(outPtr, outLen);
      return text;
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        this.#instance = new WebAssembly.Instance(this.#module, {});
      }
      throw e;
    }
  }

  /** Sends a request object and returns the parsed response (`{ok: true, ...}` or `{ok: false, error}`). */
  call(name, request) {
    return JSON.parse(this.callRaw(name, JSON.stringify(request)));
  }

  #ok(name, request) {
    const response = this.call(name, request);
    if (!response.ok) throw new AttestError(response.error);
    return response;
  }

  #evaluateRequest(facts, options = {}) {
    return {
      facts: sources(facts),
      pack: files(options.pack),
      overlay: files(options.overlay),
      as_of: day(options.asOf),
      period: period(options.period),
      params: options.params,
      rule: options.rule,
      explain: options.explain,
      populations: options.populations,
    };
  }

  /**
   * Draws a reproducible sample from the population of rule `rule`: `options.seed` (required)
   * and `options.size` (default: the pack's size for the rule's frequency), with the options
   * of `evaluate`. Returns the sample, as `attest sample --format json` writes it.
   */
  sample(facts, rule, options = {}) {
    const request = { ...this.#evaluateRequest(facts, { ...options, rule: undefined }), sample: { rule, seed: options.seed, size: options.size } };
    const response = this.#ok("evaluate", request);
    for (const w of response.warnings) options.onWarning?.(w);
    return response.sample;
  }

  /**
   * Evaluates facts; returns the report (report-v2), or with `rule` that rule's result.
   * `options.onWarning` is called with each warning (a field facts-v1 does not define), in
   * document order.
   */
  evaluate(facts, options = {}) {
    const response = this.#ok("evaluate", this.#evaluateRequest(facts, options));
    for (const w of response.warnings) options.onWarning?.(w);
    return options.rule ? response.rule : response.report;
  }

  /**
   * Evaluates facts and returns the report as text, byte for byte what
   * `attest eval --format json` writes for the same facts. `options.onWarning` as for `evaluate`.
   */
  evaluateJson(facts, options = {}) {
    const text = this.callRaw("evaluate", JSON.stringify(this.#evaluateRequest(facts, { ...options, rule: undefined })));
    const prefix = '{"ok":true,"report":';
    if (!text.startsWith(prefix)) throw new AttestError(JSON.parse(text).error);
    // The response ends with `,"warnings":[...]}`; no string of the report can hold that
    // text unescaped, and the warnings hold no "warnings" key, so the last one is it.
    const end = text.lastIndexOf(',"warnings":');
    for (const w of JSON.parse(text.slice(end + ',"warnings":'.length, -1))) options.onWarning?.(w);
    return text.slice(prefix.length, end);
  }

  /**
   * Checks facts against facts-v1; returns {files, organization, as_of, digest, warnings}
   * (warnings: the fields facts-v1 does not define), or throws.
   */
  validate(facts) {
    const response = this.#ok("validate", { facts: sources(facts) });
    return { ...response.facts, warnings: response.warnings };
  }

  /** Describes a rule or a control by id, or the whole pack without one. */
  explain(id, options = {}) {
    const { ok, ...rest } = this.#ok("explain", { id: id ?? undefined, pack: files(options.pack), overlay: files(options.overlay) });
    return rest;
  }
}
