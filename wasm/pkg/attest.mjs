// Attest in JavaScript: the SOC 2 engine as a WebAssembly module, for browsers and Node 20.
// No bundler, no dependencies: `import { load } from "./attest.mjs"`. See README.md.

const ABI_VERSION = 3;

/**
 * A failure the engine reports: bad request, invalid facts, unusable pack, ... An argument of
 * the wrong type is not one: the wrapper throws TypeError for it, naming it (see `need`).
 */
export class AttestError extends Error {
  constructor(error) {
    super(error.message);
    this.name = "AttestError";
    /** `request`, `facts_syntax`, `facts_not_object`, `facts_conflict`, `facts_invalid`, `waivers_syntax`, `waivers_invalid`, `report`, `pack`, `options`, `not_found` or `rule_error`. */
    this.kind = error.kind;
    /** The whole error object (file, line, column, violations, diagnostics, ...). */
    this.details = error;
  }
}

const isNode = typeof process === "object" && process.versions != null && process.versions.node != null;

/**
 * One of Node's own modules (`node:url`, `node:fs/promises`), imported only when running in
 * Node. The name is not written into the import: a bundler building for the browser (webpack,
 * Vite, Rollup, esbuild) sees no module to resolve and no chunk to split off, so it needs no
 * setting for them, and leaves the import as it is.
 */
function nodeModule(name) {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ `node:${name}`);
}

/** The first bytes of every WebAssembly module: `\0asm`. */
const MAGIC = [0x00, 0x61, 0x73, 0x6d];

async function bytesOf(source) {
  if (source == null) source = new URL("./attest.wasm", import.meta.url);
  if (source instanceof WebAssembly.Module) return source;
  if (isBytes(source)) {
    need(!detached(source), "load", "source", "the module's bytes (a buffer that holds them)", source);
    // WebAssembly.compile takes no SharedArrayBuffer itself (a view of one, it does).
    return isShared(source) ? new Uint8Array(source).slice() : source;
  }
  if (typeof Response === "function" && source instanceof Response) return bodyOf(source);
  const sources = "the module's bytes, a WebAssembly.Module, a Response, or its URL (a string or a URL)";
  need(typeof source === "string" || source instanceof URL, "load", "source", sources, source);
  // In Node a relative URL is read from the current folder, whose path is made a file: URL
  // (a `#` or `%` in a folder's name is part of the name, not a fragment or an escape).
  const base = isNode ? (await nodeModule("url")).pathToFileURL(`${process.cwd()}/`) : globalThis.location?.href;
  const url = source instanceof URL ? source : new URL(String(source), base);
  if (url.protocol === "file:") {
    const { readFile } = await nodeModule("fs/promises");
    let bytes;
    try {
      bytes = await readFile(url);
    } catch (e) {
      throw new Error(`load: source: ${url.href} cannot be read (${e.message})`, { cause: e });
    }
    return moduleBytes(bytes, `load: source: ${url.href}`);
  }
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`load: source: ${url.href} cannot be fetched (${e.message})`, { cause: e });
  }
  return bodyOf(response);
}

/**
 * The body of a response, or an Error naming its status, or what it held instead of a module
 * (rather than a compile error about a 404 page, or about the index.html a dev server sends
 * for every path it does not know).
 */
async function bodyOf(response) {
  const url = response.url || "the response";
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  const type = response.headers?.get("content-type");
  return moduleBytes(bytes, `load: source: ${url}`, `HTTP ${response.status}${type ? `, Content-Type ${type}` : ""}`);
}

/**
 * `bytes` if they begin as a WebAssembly module does; otherwise an Error naming where they
 * came from (`from`), what came (`got`: the response's type) and what they begin with.
 */
function moduleBytes(bytes, from, got) {
  const view = new Uint8Array(ArrayBuffer.isView(bytes) ? bytes.buffer : bytes, ArrayBuffer.isView(bytes) ? bytes.byteOffset : 0, Math.min(bytes.byteLength, 16));
  if (MAGIC.every((b, i) => view[i] === b)) return bytes;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(view);
  const start = /^[\t\n\r\x20-\x7e]*$/.test(text) ? JSON.stringify(text) : [...view].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  const what = view.length ? `${view.length < 16 ? "" : "starts with "}${start}` : "is empty";
  throw new Error(
    `${from}: not a WebAssembly module (${got ? `${got}; ` : ""}the body ${what}): expected attest.wasm, which starts with the bytes 00 61 73 6d ("\\0asm"). ` +
      "A development server that answers an unknown path with its index.html gives this: serve attest.wasm at that URL, or give load() the URL it is served at (with Vite's dev server, set optimizeDeps: { exclude: [\"attest-wasm\"] })",
  );
}

/**
 * Loads the module and returns an engine. `source` is the module's bytes (ArrayBuffer,
 * Uint8Array, Buffer), a compiled WebAssembly.Module, a fetch Response, or its URL (string
 * or URL; file: URLs are read from disk in Node). By default (undefined or null), `attest.wasm`
 * next to this file. Another kind of value throws TypeError.
 */
export async function load(source) {
  const bytes = await bytesOf(source);
  const module = bytes instanceof WebAssembly.Module ? bytes : await WebAssembly.compile(bytes);
  return new Attest(module, await WebAssembly.instantiate(module, {}));
}

// Arguments. Every argument and option of every call is checked by `need` before anything is
// sent, so that a wrong one is a TypeError naming the call, the argument (with its index or
// option name) and what it should be, e.g. `evaluate: facts[0]: expected a {name, text} file or
// a JSON string, got null`: never a TypeError from deep inside the wrapper, nor a module
// `request` error about its JSON. A value of the right type that the engine refuses (a date
// that is no date, `sarifMaxResults: 0`, an unknown format) is an AttestError, as from the CLI.

/** What a value is, for an argument error: `null`, `the string "x"`, `the number 3`, `an array`, ... */
function what(value) {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid Date" : `the Date ${value.toISOString()}`;
  if (isBytes(value) && detached(value)) return `a detached ${Object.getPrototypeOf(value)?.constructor?.name ?? "buffer"}`;
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case "number":
    case "bigint":
    case "boolean":
      return `the ${typeof value} ${String(value)}`;
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default: {
      // A class's instance by its class (`a Uint8Array`, `a Map`), a plain object as one.
      const name = Object.getPrototypeOf(value)?.constructor?.name;
      if (name && name !== "Object") return `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}`;
      return isPlain(value) ? "an object" : "an object that inherits from another (not a plain object)";
    }
  }
}

/** The one check of an argument: throws `TypeError("CALL: PATH: expected EXPECTED, got WHAT")` unless `ok`. */
function need(ok, call, path, expected, value) {
  if (!ok) throw new TypeError(`${call}: ${path}: expected ${expected}, got ${what(value)}`);
}

// Bytes (a Buffer from readFile without an encoding) are no JSON object: JSON.stringify would
// make `{"type":"Buffer","data":[...]}` of them, and the engine judge that as facts.
// A page that is not cross-origin isolated has no SharedArrayBuffer.
const isShared = (v) => typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer;
const isBytes = (v) => v instanceof ArrayBuffer || isShared(v) || ArrayBuffer.isView(v);
/** Whether a buffer, or the buffer under a view, was detached (transferred): it holds nothing any more. */
function detached(bytes) {
  const buffer = ArrayBuffer.isView(bytes) ? bytes.buffer : bytes;
  if (!(buffer instanceof ArrayBuffer)) return false;
  if (typeof buffer.detached === "boolean") return buffer.detached;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}
/**
 * A plain object: `{...}`, `Object.create(null)` or JSON.parse's, from this realm or another
 * (an iframe's). A Map, a class's instance or a buffer is none: JSON.stringify would make `{}`
 * of it, or of its data, and the data would be lost without a word.
 */
function isPlain(v) {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}
/** An object or an array JSON can be made of. */
const isData = (v) => Array.isArray(v) || isPlain(v);
const isObject = isPlain;
const isCount = (v) => Number.isSafeInteger(v) && v >= 0;
const COUNT = `an integer from 0 to ${Number.MAX_SAFE_INTEGER}`;
// A sample's seed is any 64-bit unsigned integer, as `attest sample --seed` takes it: above
// Number.MAX_SAFE_INTEGER, as a BigInt.
const isSeed = (v) => isCount(v) || (typeof v === "bigint" && v >= 0n && v < 2n ** 64n);
const SEED = `an integer from 0 to ${Number.MAX_SAFE_INTEGER}, or a BigInt from 0n to ${2n ** 64n - 1n}n`;
// A Date is sent as its day in UTC, YYYY-MM-DD: years 0000 to 9999 only.
const isDay = (v) => typeof v === "string" || (v instanceof Date && v.getUTCFullYear() >= 0 && v.getUTCFullYear() <= 9999);
const DAY = "a date (YYYY-MM-DD text or a valid Date in the years 0000 to 9999)";

/**
 * `JSON.stringify(value, null, indent)`, or the argument error naming the first value inside
 * that JSON cannot hold as it is: one JSON.stringify would drop or change without a word (a
 * function, `undefined` or a hole in an array, NaN, a Map, a class's instance), a BigInt, a
 * string with a lone surrogate, or a cycle.
 */
function json(call, path, value, indent) {
  let bad;
  const replacer = function (key, v) {
    const problem = unwritable(key, v, Array.isArray(this));
    if (problem && !bad) bad = { holder: this, key, v, problem };
    if (bad) throw bad;
    return v;
  };
  let text;
  try {
    text = JSON.stringify(value, replacer, indent);
  } catch (e) {
    if (e !== bad) throw new TypeError(`${call}: ${path}: cannot be written as JSON (${e.message})`);
    const [expected, got] = bad.problem;
    throw new TypeError(`${call}: ${placeOf(value, bad.holder, bad.key, path)}: expected ${expected}, got ${got}`);
  }
  need(typeof text === "string", call, path, "a value JSON can hold", value);
  return text;
}

/**
 * What is wrong with `v`, under `key` of an array or an object (after its toJSON), for JSON:
 * [what was expected, what it is], or null if nothing.
 */
function unwritable(key, v, inArray) {
  const lone = (text) => `a string with a lone surrogate at index ${loneSurrogate(text)}`;
  if (!inArray && loneSurrogate(key) >= 0) return ["a key of well-formed text (no lone surrogate)", `a key with a lone surrogate at index ${loneSurrogate(key)}`];
  switch (typeof v) {
    case "string":
      return loneSurrogate(v) >= 0 ? ["well-formed text (no lone surrogate)", lone(v)] : null;
    case "number":
      return Number.isFinite(v) ? null : ["a finite number", what(v)];
    case "boolean":
      return null;
    case "object":
      return v === null || isData(v) ? null : ["a plain object, an array, text, a number, true, false or null", what(v)];
    case "undefined":
      return inArray ? ["a value (not undefined, nor a hole in the array)", "undefined"] : null;
    default:
      return ["a value JSON can hold", what(v)];
  }
}

/** Where `key` of `holder` lies in `root`, as a path below `base` (`params.days`, `facts.accounts[3].id`). */
function placeOf(root, holder, key, base) {
  const step = (h, k) => (Array.isArray(h) ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
  const seen = new Set();
  const find = (node, path) => {
    if (node === holder) return path + step(node, key);
    if (typeof node !== "object" || node === null || seen.has(node)) return null;
    seen.add(node);
    for (const [k, v] of Object.entries(node)) {
      const found = typeof v === "object" && v !== null ? find(v, path + step(node, k)) : null;
      if (found) return found;
    }
    return null;
  };
  // The root's own holder (`{"": value}`) is in no tree: the value given is at fault.
  return find(root, base) ?? base;
}

/** The index of the first lone surrogate of `text` (a UTF-16 half no UTF-8 can hold), or -1. */
function loneSurrogate(text) {
  if (typeof text !== "string" || text.isWellFormed?.()) return -1;
  return text.search(/\p{Surrogate}/u);
}

/** Checks that `value`, a string of `call`'s `path`, is well-formed text (TextEncoder would change a lone surrogate into U+FFFD). */
function wellFormed(call, path, value) {
  const at = loneSurrogate(value);
  if (at >= 0) throw new TypeError(`${call}: ${path}: expected well-formed text (no lone surrogate), got a string with a lone surrogate at index ${at}`);
  return value;
}

/**
 * A request as JSON text. A BigInt sample seed, which `JSON.stringify` cannot write (and a
 * Number above 2^53 could not hold), is written as its digits.
 */
function requestJson(request) {
  const seed = request.sample?.seed;
  if (typeof seed !== "bigint") return JSON.stringify(request);
  const { sample, ...rest } = request;
  const { seed: _, ...others } = sample;
  // `{"seed":DIGITS` in front of the rest of an object's members.
  const withFirst = (first, object) => {
    const more = JSON.stringify(object).slice(1);
    return `{${first}${more === "}" ? "" : ","}${more}`;
  };
  return withFirst(`"sample":${withFirst(`"seed":${seed}`, others)}`, rest);
}

/** Facts as a source list: a JSON string, a facts object, or [{name, text}] sources. */
function sources(call, facts) {
  if (typeof facts === "string") return [{ name: "facts.json", text: wellFormed(call, "facts", facts) }];
  if (Array.isArray(facts)) {
    // As `attest eval` refuses a folder with no *.json files: no file is no facts, not `{}`.
    if (!facts.length) throw new AttestError({ kind: "request", message: "no facts: the list of facts files is empty (expected at least one {name, text})" });
    // Array.from, not map: a hole of a sparse array is an item too (undefined), not skipped.
    return Array.from(facts, (f, i) => {
      if (typeof f === "string") return { name: `facts-${i + 1}.json`, text: wellFormed(call, `facts[${i}]`, f) };
      need(isObject(f), call, `facts[${i}]`, "a {name, text} file or a JSON string", f);
      need(typeof f.name === "string", call, `facts[${i}].name`, "a string (the file's name)", f.name);
      wellFormed(call, `facts[${i}].name`, f.name);
      need(typeof f.text === "string" || isData(f.text), call, `facts[${i}].text`, "JSON text or an object", f.text);
      return { name: f.name, text: typeof f.text === "string" ? wellFormed(call, `facts[${i}].text`, f.text) : json(call, `facts[${i}].text`, f.text, 2) };
    });
  }
  need(isObject(facts), call, "facts", "a JSON string, an object, or a list of {name, text} files", facts);
  return [{ name: "facts.json", text: json(call, "facts", facts, 2) }];
}

/** Pack files as [{path, text}]: from an array of them, or an object of path -> text. */
function files(call, path, pack) {
  if (pack == null) return undefined;
  if (Array.isArray(pack)) {
    return Array.from(pack, (f, i) => {
      need(isObject(f), call, `${path}[${i}]`, "a {path, text} file", f);
      need(typeof f.path === "string", call, `${path}[${i}].path`, "a string (the file's path in the pack)", f.path);
      need(typeof f.text === "string", call, `${path}[${i}].text`, "a string (the file's text)", f.text);
      return { path: wellFormed(call, `${path}[${i}].path`, f.path), text: wellFormed(call, `${path}[${i}].text`, f.text) };
    });
  }
  need(isObject(pack), call, path, "a list of {path, text} files or an object of path -> text", pack);
  return Object.entries(pack).map(([name, text]) => {
    const at = `${path}[${JSON.stringify(name)}]`;
    need(typeof text === "string", call, at, "a string (the file's text)", text);
    return { path: wellFormed(call, `${at} (its path)`, name), text: wellFormed(call, at, text) };
  });
}

/** A waivers file as {name, text}: JSON text, a waivers-v1 object, or {name, text}. */
function waiversOf(call, waivers) {
  if (waivers == null) return undefined;
  if (typeof waivers === "string") return { name: "waivers.json", text: wellFormed(call, "waivers", waivers) };
  need(isData(waivers), call, "waivers", "waivers-v1 JSON text, its object, or {name, text}", waivers);
  if (typeof waivers.name === "string" && "text" in waivers) {
    const text = waivers.text;
    need(typeof text === "string" || isData(text), call, "waivers.text", "JSON text or an object", text);
    const name = wellFormed(call, "waivers.name", waivers.name);
    return { name, text: typeof text === "string" ? wellFormed(call, "waivers.text", text) : json(call, "waivers.text", text, 2) };
  }
  return { name: "waivers.json", text: json(call, "waivers", waivers, 2) };
}

/** A report as {name, text}: the JSON text `attest eval --format json` writes, the object, or {name, text}. */
function reportOf(call, path, report, name) {
  if (typeof report === "string") return { name, text: wellFormed(call, path, report) };
  need(isObject(report), call, path, "a report (its object, its JSON text, or {name, text})", report);
  if (typeof report.name === "string" && typeof report.text === "string") {
    return { name: wellFormed(call, `${path}.name`, report.name), text: wellFormed(call, `${path}.text`, report.text) };
  }
  return { name, text: json(call, path, report) };
}

/** An audit period as the module takes it: "START..END", from that text or {start, end}. */
function period(call, p) {
  if (p == null) return undefined;
  if (typeof p === "string") return p;
  need(isObject(p), call, "period", 'a period ("START..END" text or {start, end})', p);
  known(call, "period", p, ["start", "end"]);
  need(isDay(p.start), call, "period.start", DAY, p.start);
  need(isDay(p.end), call, "period.end", DAY, p.end);
  return `${day(p.start)}..${day(p.end)}`;
}

/** A date as the module takes it: the text as given, or a Date's day in UTC. */
function day(asOf) {
  if (asOf == null) return undefined;
  if (asOf instanceof Date) return asOf.toISOString().slice(0, 10);
  return asOf;
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

/**
 * The address and length of a response, from the i64 an export returns (address in the high
 * 32 bits, length in the low), which JavaScript receives as a signed BigInt: unsigned both,
 * so that an address at or above 2 GiB is not read as negative.
 */
function unpack(packed) {
  const bits = BigInt.asUintN(64, packed);
  return { outPtr: Number(bits >> 32n), outLen: Number(bits & 0xffffffffn) };
}

/**
 * Whether `e` is the engine's stack overflow, which breaks off a call inside the module: V8's
 * and JavaScriptCore's RangeError "Maximum call stack size exceeded", SpiderMonkey's
 * InternalError "too much recursion". Any other RangeError (a bad length or offset) is not one.
 */
function isStackOverflow(e) {
  return (e instanceof RangeError && /call stack/i.test(e.message)) || (e instanceof Error && e.name === "InternalError" && /recursion/i.test(e.message));
}

/** Releases a buffer of the module; its refusal (an address it did not hand out) is a bug here. */
function free(exports, ptr, len) {
  const code = exports.attest_free(ptr, len);
  if (code !== 0) throw new Error(`attest_free(${ptr}, ${len}) refused the buffer (code ${code})`);
}

/** Sandbox limits as the request spells them. */
function limits(call, options) {
  if (options == null) return undefined;
  need(isObject(options), call, "limits", "an object ({maxOperations, maxMemoryMib, maxFindings})", options);
  known(call, "limits", options, ["maxOperations", "maxMemoryMib", "maxFindings"]);
  for (const [key, value] of Object.entries(options)) need(value == null || isCount(value), call, `limits.${key}`, `${COUNT} (0: no limit)`, value);
  return { max_operations: options.maxOperations ?? undefined, max_memory_mib: options.maxMemoryMib ?? undefined, max_findings: options.maxFindings ?? undefined };
}

// The type of each option, checked before a call uses it (pack, overlay, waivers, period,
// limits and sarifMaxResults are checked further where they are read).
const string = (expected) => [(v) => typeof v === "string", expected];
const boolean = [(v) => typeof v === "boolean", "true or false"];
const TYPES = {
  pack: [isData, "a list of {path, text} files or an object of path -> text"],
  overlay: [isData, "a list of {path, text} files or an object of path -> text"],
  asOf: [isDay, DAY],
  period: [(v) => typeof v === "string" || isObject(v), 'a period ("START..END" text or {start, end})'],
  params: [isObject, "an object of parameter -> value"],
  explain: boolean,
  populations: boolean,
  redact: boolean,
  limits: [isData, "an object ({maxOperations, maxMemoryMib, maxFindings})"],
  waivers: [(v) => typeof v === "string" || isData(v), "waivers-v1 JSON text, its object, or {name, text}"],
  sarifMaxResults: [(v) => typeof v === "number", "an integer from 1 to 25000"],
  onWarning: [(v) => typeof v === "function", "a function"],
  rule: string("a rule id (a string)"),
  seed: [isSeed, SEED],
  size: [isCount, COUNT],
  owner: string("an owner's name (a string)"),
  format: string("a format (a string)"),
  name: string("a folder name (a string)"),
  // Array.from: `every` skips the holes of a sparse array.
  filter: [(v) => Array.isArray(v) && Array.from(v).every((t) => typeof t === "string"), "a list of strings"],
};

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

/**
 * `options` of `call` (an object, or null or undefined for none), as a new object holding the
 * options given: a name set to undefined or null is no option at all. Throws TypeError on a
 * name the call does not take, or a value of the wrong type.
 */
function optionsOf(call, options) {
  if (options == null) return {};
  need(isObject(options), call, "options", "an object", options);
  known(call, "options", options, OPTIONS[call]);
  const given = {};
  for (const [key, value] of Object.entries(options)) {
    if (value == null) continue;
    const [ok, expected] = TYPES[key];
    need(ok(value), call, key, expected, value);
    if (typeof value === "string") wellFormed(call, key, value);
    if (key === "filter") value.forEach((t, i) => wellFormed(call, `filter[${i}]`, t));
    given[key] = value;
  }
  return given;
}

/** Throws TypeError when `options` has a name (with a value other than undefined or null) outside `names`. */
function known(call, path, options, names) {
  for (const [key, value] of Object.entries(options)) {
    if (value == null || names.includes(key)) continue;
    const near = names.find((n) => n.toLowerCase() === key.toLowerCase());
    const hint = near ? ` (did you mean \`${near}\`?)` : "";
    throw new TypeError(`${call}: ${path === "options" ? "" : `${path}: `}unknown option \`${key}\`${hint}; it takes ${names.join(", ")}`);
  }
  return options;
}

/** The functions the module exports, by the name `call` and `callRaw` take. */
const EXPORTS = ["evaluate", "validate", "explain", "diff", "check", "test"];

/** An instance of the module. Calls are synchronous; each returns or throws. */
export class Attest {
  #module;
  #instance;
  /** Whether the instance must be replaced before the next call (a call into it broke off). */
  #broken = false;
  #encoder = new TextEncoder();
  #decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(module, instance) {
    need(module instanceof WebAssembly.Module, "Attest", "module", "a WebAssembly.Module (load makes an Attest)", module);
    need(instance instanceof WebAssembly.Instance, "Attest", "instance", "a WebAssembly.Instance of the module", instance);
    if (typeof instance.exports.attest_abi_version !== "function") throw new Error("the module is not Attest's: it exports no attest_abi_version");
    this.#module = module;
    this.#instance = instance;
    const version = instance.exports.attest_abi_version();
    if (version !== ABI_VERSION) throw new Error(`the module speaks ABI ${version}; this wrapper speaks ${ABI_VERSION}`);
  }

  /**
   * Sends raw request bytes (or a string) to one export (`evaluate`, `validate`,
   * `explain`, `diff`, `check`, `test`) and returns the response text, exactly as the module wrote it. If the module
   * traps, or the JavaScript stack overflows inside it (V8's RangeError "Maximum call stack
   * size exceeded"), the instance is replaced by a fresh one and the error rethrown; out of
   * memory, as an Error saying so (the trap as its `cause`). Any other error is rethrown as it
   * is, the instance kept.
   */
  callRaw(name, request) {
    need(EXPORTS.includes(name), "callRaw", "name", `an export (${EXPORTS.join(", ")})`, name);
    const kinds = "the request's text or bytes (a string or a Uint8Array)";
    need(typeof request === "string" || request instanceof Uint8Array, "callRaw", "request", kinds, request);
    need(!detached(request), "callRaw", "request", kinds, request);
    if (typeof request === "string") wellFormed("callRaw", "request", request);
    const bytes = typeof request === "string" ? this.#encoder.encode(request) : request;
    if (this.#broken) this.#replace();
    const exports = this.#instance.exports;
    try {
      // The module's addresses are unsigned 32-bit numbers, which JavaScript receives as
      // signed: one at or above 2 GiB would read as negative.
      const ptr = bytes.length ? exports.attest_alloc(bytes.length) >>> 0 : 0;
      if (bytes.length && ptr === 0) throw new Error("the module is out of memory");
      // The view is made after alloc: memory may have grown, detaching older views.
      new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
      const packed = exports[`attest_${name}`](ptr, bytes.length);
      free(exports, ptr, bytes.length);
      const { outPtr, outLen } = unpack(packed);
      const text = this.#decoder.decode(new Uint8Array(exports.memory.buffer, outPtr, outLen));
      free(exports, outPtr, outLen);
      return text;
    } catch (e) {
      // A trap leaves the instance unusable, and so does a stack overflow inside it (which
      // V8 throws as a RangeError): the module's own stack and the request's memory are left
      // as they were when the call broke off. It is replaced, here or, should that overflow
      // too, before the next call.
      const trap = e instanceof WebAssembly.RuntimeError;
      if (!trap && !isStackOverflow(e)) throw e;
      this.#broken = true;
      // Say why when the module knows (its memory could not grow).
      const mib = Math.round(exports.memory.buffer.byteLength / 1048576);
      const oom = trap && exports.attest_out_of_memory() === 1;
      this.#replace();
      if (oom) {
        throw new Error(`attest ${name}: the module ran out of memory (its memory could not grow past ${mib} MiB); a fresh instance replaces it`, { cause: e });
      }
      throw e;
    }
  }

  /** A fresh instance of the module in place of the one in use. */
  #replace() {
    this.#instance = new WebAssembly.Instance(this.#module, {});
    this.#broken = false;
  }

  /** Sends a request object and returns the parsed response (`{ok: true, ...}` or `{ok: false, error}`). */
  call(name, request) {
    need(EXPORTS.includes(name), "call", "name", `an export (${EXPORTS.join(", ")})`, name);
    need(isObject(request), "call", "request", "a request object", request);
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
    const json = this.#encoder.encode(requestJson(body));
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

  /** The request of an evaluation, from the facts and the options of `call` (checked by `optionsOf`). */
  #evaluateRequest(call, facts, options) {
    // As `attest eval --redact --populations` is refused: the public view holds no records.
    if (options.redact && options.populations) {
      throw new AttestError({ kind: "options", message: "redact: populations would list every record the rules tested (keys, names, emails); the public view holds none: give populations without redact" });
    }
    if (options.params !== undefined) json(call, "params", options.params);
    return {
      facts: sources(call, facts),
      pack: files(call, "pack", options.pack),
      overlay: files(call, "overlay", options.overlay),
      as_of: day(options.asOf),
      period: period(call, options.period),
      params: options.params,
      rule: options.rule,
      explain: options.explain,
      limits: limits(call, options.limits),
      waivers: waiversOf(call, options.waivers),
      redact: options.redact || undefined,
      sarif_max_results: sarifMax(options.sarifMaxResults),
      populations: options.populations,
    };
  }

  /** Calls `onWarning` (if given) with each warning of a response. */
  #warn(options, response) {
    for (const w of response.warnings) options.onWarning?.(w);
  }

  /**
   * Draws a reproducible sample from the population of rule `rule`: `options.seed` (required)
   * and `options.size` (default: the pack's size for the rule's frequency), with the options
   * of `evaluate`. Returns the sample, as `attest sample --format json` writes it.
   */
  sample(facts, rule, options) {
    const given = optionsOf("sample", options);
    need(typeof rule === "string", "sample", "rule", "a rule id (a string)", rule);
    need(given.seed !== undefined, "sample", "seed", `${SEED} (it is required)`, options?.seed);
    noPublicView("a sample", given);
    const request = { ...this.#evaluateRequest("sample", facts, given), sample: { rule, seed: given.seed, size: given.size } };
    const response = this.#ok("evaluate", request);
    this.#warn(given, response);
    // The response's seed is read as a Number: a BigInt seed is given back as it was given.
    return { ...response.sample, seed: given.seed };
  }

  /**
   * Evaluates facts; returns the report (report-v2), or with `rule` that rule's result.
   * `options.onWarning` is called with each warning (a field facts-v1 does not define), in
   * document order.
   */
  evaluate(facts, options) {
    options = optionsOf("evaluate", options);
    if (options.rule !== undefined) noPublicView("one rule's result", options);
    if (options.redact) return JSON.parse(this.#render("evaluate", facts, "json", options));
    const response = this.#ok("evaluate", this.#evaluateRequest("evaluate", facts, options));
    this.#warn(options, response);
    return options.rule !== undefined ? response.rule : response.report;
  }

  /**
   * Evaluates facts and returns the report in one of `attest eval`'s formats (`text`,
   * `json`, `markdown`, `html`, `sarif`, `junit`, `csv`), byte for byte what `attest eval
   * --output FORMAT=FILE` writes. With `options.redact`, the public view (text, json,
   * markdown or html); `options.waivers` applies a waivers file; `options.sarifMaxResults`
   * as `--sarif-max-results`.
   */
  render(facts, format, options) {
    return this.#render("render", facts, format, optionsOf("render", options));
  }

  #render(call, facts, format, options) {
    need(typeof format === "string", call, "format", "a format (text, json, markdown, html, sarif, junit or csv)", format);
    const response = this.#ok("evaluate", { ...this.#evaluateRequest(call, facts, options), format });
    this.#warn(options, response);
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
    return JSON.parse(this.#renderTodo("todo", facts, "json", optionsOf("todo", options)));
  }

  /**
   * The to-do list in a format of `attest todo` (`text`, `markdown`, `json`, `csv`), byte for
   * byte what `attest todo --format FORMAT` writes; `options` as for `todo`.
   */
  renderTodo(facts, format, options) {
    return this.#renderTodo("renderTodo", facts, format, optionsOf("renderTodo", options));
  }

  #renderTodo(call, facts, format, options) {
    need(typeof format === "string", call, "format", "a format (text, markdown, json or csv)", format);
    noPublicView("the to-do list", options);
    const base = this.#evaluateRequest(call, facts, options);
    const response = this.#ok("evaluate", { ...base, todo: { owner: options.owner, format } });
    this.#warn(options, response);
    return response.output;
  }

  /**
   * Compares two reports (objects, the JSON text of `attest eval --format json`, or {name,
   * text}), as `attest diff` does; returns the diff as text, json (default) or markdown, byte
   * for byte what `attest diff --output FILE` writes.
   */
  diff(base, next, options) {
    options = optionsOf("diff", options);
    const request = { base: reportOf("diff", "base", base, "base.json"), new: reportOf("diff", "next", next, "new.json"), format: options.format };
    return this.#ok("diff", request).output;
  }

  #packRequest(call, pack, options) {
    return { pack: files(call, "pack", pack), name: options.name, filter: options.filter };
  }

  /**
   * Checks a pack as `attest check --format json` does (the module carries the built-in pack
   * without its rules' cases: give its files to check it); returns
   * {pack, errors, warnings, diagnostics: [{code, severity, file, line, column, message}]}.
   * `options.name` is the pack's folder, which file names are shown under.
   */
  check(pack, options) {
    return JSON.parse(this.#ok("check", this.#packRequest("check", pack, optionsOf("check", options))).output);
  }

  /** `check`'s result as text, byte for byte what `attest check PACK --format json` prints. */
  checkJson(pack, options) {
    return this.#ok("check", this.#packRequest("checkJson", pack, optionsOf("checkJson", options))).output;
  }

  /**
   * Runs the rule cases of a pack (a pack that extends `soc2`: its own rules'; the built-in
   * pack's when its files are given, cases included) as `attest test --format json` does;
   * returns {packs, summary, tests}.
   * `options.filter` keeps the cases whose `rule::case` name contains one of its texts.
   */
  test(pack, options) {
    return JSON.parse(this.#ok("test", this.#packRequest("test", pack, optionsOf("test", options))).output);
  }

  /** `test`'s result as text, byte for byte what `attest test PACK --format json` prints. */
  testJson(pack, options) {
    return this.#ok("test", this.#packRequest("testJson", pack, optionsOf("testJson", options))).output;
  }

  /**
   * Evaluates facts and returns the report as text, byte for byte what
   * `attest eval --format json` writes for the same facts. `options.onWarning` as for `evaluate`.
   */
  evaluateJson(facts, options) {
    options = optionsOf("evaluateJson", options);
    if (options.redact) return this.#render("evaluateJson", facts, "json", options);
    const text = this.callRaw("evaluate", this.#encode(this.#evaluateRequest("evaluateJson", facts, options)));
    const prefix = '{"ok":true,"report":';
    if (!text.startsWith(prefix)) throw new AttestError(JSON.parse(text).error);
    // The response ends with `,"warnings":[...]}`; no string of the report can hold that
    // text unescaped, the report's own `warnings` member is pretty-printed (`,\n  "warnings": [`),
    // and the warnings hold no "warnings" key, so the last one is it.
    const end = text.lastIndexOf(',"warnings":');
    this.#warn(options, { warnings: JSON.parse(text.slice(end + ',"warnings":'.length, -1)) });
    return text.slice(prefix.length, end);
  }

  /**
   * Checks facts against facts-v1, extended by the collections and fields of `options.pack`
   * (or `options.overlay`) when it has a `facts.schema.json`; returns {files, organization,
   * as_of, digest, warnings} (warnings: the fields the schema does not define), or throws.
   */
  validate(facts, options) {
    options = optionsOf("validate", options);
    const request = { facts: sources("validate", facts), pack: files("validate", "pack", options.pack), overlay: files("validate", "overlay", options.overlay) };
    const response = this.#ok("validate", request);
    return { ...response.facts, warnings: response.warnings };
  }

  /** Describes a rule or a control by id, or the whole pack without one (`id` undefined or null). */
  explain(id, options) {
    options = optionsOf("explain", options);
    need(id == null || typeof id === "string", "explain", "id", "a rule or control id (a string), or none for the pack", id);
    const { ok, ...rest } = this.#ok("explain", { id: id ?? undefined, pack: files("explain", "pack", options.pack), overlay: files("explain", "overlay", options.overlay) });
    return rest;
  }
}
