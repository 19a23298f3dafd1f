// Attest in JavaScript: the SOC 2 engine as a WebAssembly module, for browsers and Node 20.
// No bundler, no dependencies: `import { load } from "./attest.mjs"`. See README.md.

const ABI_VERSION = 3;

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
    // As `attest eval` refuses a folder with no *.json files: no file is no facts, not `{}`.
    if (!facts.length) throw new AttestError({ kind: "request", message: "no facts: the list of facts files is empty (expected at least one {name, text})" });
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

/** A waivers file as {name, text}: JSON text, a waivers-v1 object, or {name, text}. */
function waiversOf(waivers) {
  if (waivers == null) return undefined;
  if (typeof waivers === "string") return { name: "waivers.json", text: waivers };
  if (typeof waivers === "object" && typeof waivers.name === "string" && "text" in waivers) {
    return { name: waivers.name, text: typeof waivers.text === "string" ? waivers.text : JSON.stringify(waivers.text, null, 2) };
  }
  return { name: "waivers.json", text: JSON.stringify(waivers, null, 2) };
}

/** A report as {name, text}: the JSON text `attest eval --format json` writes, or the object. */
function reportOf(report, name) {
  if (typeof report === "string") return { name, text: report };
  if (report && typeof report === "object" && typeof report.name === "string" && typeof report.text === "string") return report;
  return { name, text: JSON.stringify(report) };
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

/**
 * `sarifMaxResults` as `--sarif-max-results` takes it: 1 to 25000. The module takes any count,
 * and 0 would write a SARIF with no results, which closes every alert once uploaded.
 */
function sarifMax(n) {
  if (n == null) return undefined;
  if (Number.isInteger(n) && n >= 1 && n <= 25000) return n;
  throw new AttestError({ kind: "options", message: `sarifMaxResults: \`${String(n)}\` is not a number of results from 1 to 25000` });
}

/**
 * Refuses `redact` where a call has no public view (its result names people and records), as
 * the module refuses it for `sarif`, instead of returning the full data to a caller who asked
 * for the public one. `redact: false` is no request at all.
 */
function noPublicView(what, options) {
  if (!options.redact) return;
  throw new AttestError({ kind: "options", message: `redact: ${what} names people and records and has no public view; the public view is the report's (evaluate, evaluateJson, render)` });
}

/** Releases a buffer of the module; its refusal (an address it did not hand out) is a bug here. */
function free(exports, ptr, len) {
  const code = exports.attest_free(ptr, len);
  if (code !== 0) throw new Error(`attest_free(${ptr}, ${len}) refused the buffer (code ${code})`);
}

/** Sandbox limits as the request spells them. */
function limits(options) {
  if (options == null) return undefined;
  known("limits", options, ["maxOperations", "maxMemoryMib", "maxFindings"]);
  return { max_operations: options.maxOperations, max_memory_mib: options.maxMemoryMib, max_findings: options.maxFindings };
}

// The options each call takes. A name outside its list is refused rather than ignored: a
// misspelled `asOf` would otherwise judge another day, a misspelled `waivers` waive nothing.
const PACK = ["pack", "overlay"];
const REPORT = [...PACK, "asOf", "period", "params", "explain", "limits", "waivers", "redact", "sarifMaxResults", "populations", "onWarning"];
const OPTIONS = {
  evaluate: [...REPORT, "rule"],
  evaluateJson: REPORT,
  render: REPORT,
  sample: [...REPORT, "seed", "size"],
  todo: [...REPORT, "owner"],
  renderTodo: [...REPORT, "owner"],
  diff: ["format"],
  check: ["name"],
  checkJson: ["name"],
  test: ["name", "filter"],
  testJson: ["name", "filter"],
  validate: PACK,
  explain: PACK,
};

/** `options` of `call` as given (an object, or nothing); throws TypeError on a name it does not take. */
function optionsOf(call, options) {
  if (options == null) return {};
  if (typeof options !== "object" || Array.isArray(options)) throw new TypeError(`${call}: options must be an object`);
  return known(call, options, OPTIONS[call]);
}

/** Throws TypeError when `options` has a name (with a value) outside `names`. */
function known(what, options, names) {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || names.includes(key)) continue;
    const near = names.find((n) => n.toLowerCase() === key.toLowerCase());
    const hint = near ? ` (did you mean \`${near}\`?)` : "";
    throw new TypeError(`${what}: unknown option \`${key}\`${hint}; it takes ${names.join(", ")}`);
  }
  return options;
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
   * `explain`, `diff`, `check`, `test`) and returns the response text, exactly as the module wrote it. If the module
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
      free(exports, ptr, bytes.length);
      const outPtr = Number(packed >> 32n);
      const outLen = Number(packed & 0xffffffffn);
      const text = this.#decoder.decode(new Uint8Array(exports.memory.buffer, outPtr, outLen));
      free(exports, outPtr, outLen);
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
    return JSON.parse(this.callRaw(name, this.#encode(request)));
  }

  /**
   * The request as bytes: its JSON, then a NUL byte and the texts of its facts, waivers,
   * reports and pack files, each given in the JSON as its `[offset, length]` there, so that a
   * large facts file crosses as it is, without a JSON string's escaping.
   */
  #encode(request) {
    const parts = [];
    let size = 0;
    const attach = (item) => {
      if (item == null || typeof item.text !== "string") return item;
      const bytes = this.#encoder.encode(item.text);
      parts.push(bytes);
      size += bytes.length;
      return { ...item, text: [size - bytes.length, bytes.length] };
    };
    const body = { ...request };
    for (const key of ["facts", "pack", "overlay"]) {
      if (Array.isArray(body[key])) body[key] = body[key].map(attach);
    }
    for (const key of ["waivers", "base", "new"]) body[key] = attach(body[key]);
    const json = this.#encoder.encode(JSON.stringify(body));
    if (!parts.length) return json;
    const bytes = new Uint8Array(json.length + 1 + size);
    bytes.set(json);
    let at = json.length + 1;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    return bytes;
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
      limits: limits(options.limits),
      waivers: waiversOf(options.waivers),
      redact: options.redact || undefined,
      sarif_max_results: sarifMax(options.sarifMaxResults),
      populations: options.populations,
    };
  }

  /**
   * Draws a reproducible sample from the population of rule `rule`: `options.seed` (required)
   * and `options.size` (default: the pack's size for the rule's frequency), with the options
   * of `evaluate`. Returns the sample, as `attest sample --format json` writes it.
   */
  sample(facts, rule, options) {
    options = optionsOf("sample", options);
    noPublicView("a sample", options);
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
  evaluate(facts, options) {
    options = optionsOf("evaluate", options);
    if (options.rule) noPublicView("one rule's result", options);
    if (options.redact && !options.rule) return JSON.parse(this.render(facts, "json", { ...options, rule: undefined }));
    const response = this.#ok("evaluate", this.#evaluateRequest(facts, options));
    for (const w of response.warnings) options.onWarning?.(w);
    return options.rule ? response.rule : response.report;
  }

  /**
   * Evaluates facts and returns the report in one of `attest eval`'s formats (`text`,
   * `json`, `markdown`, `html`, `sarif`, `junit`, `csv`), byte for byte what `attest eval
   * --output FORMAT=FILE` writes. With `options.redact`, the public view (text, json,
   * markdown or html); `options.waivers` applies a waivers file; `options.sarifMaxResults`
   * as `--sarif-max-results`.
   */
  render(facts, format, options) {
    options = optionsOf("render", options);
    const response = this.#ok("evaluate", { ...this.#evaluateRequest(facts, { ...options, rule: undefined }), format });
    for (const w of response.warnings) options.onWarning?.(w);
    return response.output;
  }

  /**
   * Evaluates facts and returns the to-do list per owner (todo-v1, parsed), as `attest todo
   * --format json` writes it: each owner's failing findings no waiver covers, what lapses soon
   * and the evidence to collect, in the order to act on them. `options.owner` narrows it to
   * one owner (its name in any case); the other options are `evaluate`'s (waived findings
   * are counted, not listed).
   */
  todo(facts, options) {
    options = optionsOf("todo", options);
    return JSON.parse(this.renderTodo(facts, "json", options));
  }

  /**
   * The to-do list in a format of `attest todo` (`text`, `markdown`, `json`, `csv`), byte for
   * byte what `attest todo --format FORMAT` writes; `options` as for `todo`.
   */
  renderTodo(facts, format, options) {
    options = optionsOf("renderTodo", options);
    noPublicView("the to-do list", options);
    const base = this.#evaluateRequest(facts, { ...options, rule: undefined, redact: undefined });
    const response = this.#ok("evaluate", { ...base, todo: { owner: options.owner, format } });
    for (const w of response.warnings) options.onWarning?.(w);
    return response.output;
  }

  /**
   * Compares two reports (objects or the JSON text of `attest eval --format json`), as
   * `attest diff` does; returns the diff as text, json (default) or markdown, byte for byte
   * what `attest diff --output FILE` writes.
   */
  diff(base, next, options) {
    options = optionsOf("diff", options);
    return this.#ok("diff", { base: reportOf(base, "base.json"), new: reportOf(next, "new.json"), format: options.format }).output;
  }

  #packRequest(pack, options) {
    return { pack: files(pack), name: options.name, filter: options.filter };
  }

  /**
   * Checks a pack (default: the built-in one) as `attest check --format json` does; returns
   * {pack, errors, warnings, diagnostics: [{code, severity, file, line, column, message}]}.
   * `options.name` is the pack's folder, which file names are shown under.
   */
  check(pack, options) {
    options = optionsOf("check", options);
    return JSON.parse(this.checkJson(pack, options));
  }

  /** `check`'s result as text, byte for byte what `attest check PACK --format json` prints. */
  checkJson(pack, options) {
    options = optionsOf("checkJson", options);
    return this.#ok("check", this.#packRequest(pack, options)).output;
  }

  /**
   * Runs the rule cases of a pack (default: the built-in one; a pack that extends `soc2`, its
   * own rules) as `attest test --format json` does; returns {packs, summary, tests}.
   * `options.filter` keeps the cases whose `rule::case` name contains one of its texts.
   */
  test(pack, options) {
    options = optionsOf("test", options);
    return JSON.parse(this.testJson(pack, options));
  }

  /** `test`'s result as text, byte for byte what `attest test PACK --format json` prints. */
  testJson(pack, options) {
    options = optionsOf("testJson", options);
    return this.#ok("test", this.#packRequest(pack, options)).output;
  }

  /**
   * Evaluates facts and returns the report as text, byte for byte what
   * `attest eval --format json` writes for the same facts. `options.onWarning` as for `evaluate`.
   */
  evaluateJson(facts, options) {
    options = optionsOf("evaluateJson", options);
    if (options.redact) return this.render(facts, "json", options);
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
   * Checks facts against facts-v1, extended by the collections and fields of `options.pack`
   * (or `options.overlay`) when it has a `facts.schema.json`; returns {files, organization,
   * as_of, digest, warnings} (warnings: the fields the schema does not define), or throws.
   */
  validate(facts, options) {
    options = optionsOf("validate", options);
    const response = this.#ok("validate", { facts: sources(facts), pack: files(options.pack), overlay: files(options.overlay) });
    return { ...response.facts, warnings: response.warnings };
  }

  /** Describes a rule or a control by id, or the whole pack without one. */
  explain(id, options) {
    options = optionsOf("explain", options);
    const { ok, ...rest } = this.#ok("explain", { id: id ?? undefined, pack: files(options.pack), overlay: files(options.overlay) });
    return rest;
  }
}
