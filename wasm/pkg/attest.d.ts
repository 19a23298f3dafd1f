// Type declarations for attest.mjs.

/** One facts file: the name diagnostics and findings show, and its JSON text. */
export interface FactsSource {
  name: string;
  /** JSON text, or a value that is serialized with 2-space indentation. */
  text: string | object;
}

/**
 * Facts: a JSON string, a facts-v1 object, or several sources merged in order. An object (and
 * every object in it) is a plain one or an array: a Map, a Set, a class's instance, a function,
 * NaN, a BigInt, a hole in an array or a string with a lone surrogate throws TypeError naming
 * its place (`evaluate: facts.accounts[3].id: ...`), rather than being sent as JSON.stringify
 * would change it. Every string given to the wrapper is well-formed text (no lone surrogate).
 */
export type FactsInput = string | object | Array<FactsSource | string>;

/** One file of a rule pack. */
export interface PackFileInput {
  /**
   * Its path relative to the pack folder (`rules/access/mfa.rhai`). `\` separates folders as
   * `/` does, and an empty or `.` step counts for nothing (`./rules//a.rhai` is `rules/a.rhai`);
   * a path with `..`, or none, throws AttestError `pack` naming it (`details.file`).
   */
  path: string;
  text: string;
}

/**
 * Pack files as a list, or as an object of path -> text. A pack is its `*.toml`, `*.rhai` and
 * `*.json` files, as `attest` reads a pack folder: any other file given (a folder's
 * `README.md`) is ignored, its digest and report those of the pack without it, and so is Rhai
 * code outside `rules/` and `lib/`; the calls that take `onWarning` (and `validate`, in
 * `warnings`) are told of each, as a warning with its `file`.
 */
export type PackInput = PackFileInput[] | Record<string, string>;

export interface PackOptions {
  /** A whole custom pack (pack.toml, controls.toml, rules/**.rhai, ...). Default: the built-in SOC 2 pack. */
  pack?: PackInput | null;
  /** Files added to, or replacing by path, those of `pack` (or of the built-in pack). */
  overlay?: PackInput | null;
}

/**
 * The options of every call that evaluates facts (`render`, `evaluateJson`, `todo`, `sample`, ...).
 * An option set to undefined or null is not given. A name a call does not take, or a value of
 * the wrong type, throws TypeError naming the call and the option, e.g.
 * `evaluate: asOf: expected a date (YYYY-MM-DD text or a valid Date in the years 0000 to 9999), got the number 20260630`.
 */
export interface ReportOptions extends PackOptions {
  /** The date rules treat as today (default: organization.as_of of the facts, else the period's end). A Date is taken as its day in UTC (`toISOString`), in the years 0000 to 9999. */
  asOf?: string | Date | null;
  /** The audit period rules judge, "START..END" or {start, end} (no other key; default: organization.audit_period of the facts); Dates as for `asOf`. */
  period?: string | { start: string | Date; end: string | Date } | null;
  /** List, for every rule, each record it tested with its outcome (`population.records`). With `redact`, AttestError `options` (the public view holds no records). */
  populations?: boolean | null;
  /** Pack parameter overrides, each a value JSON holds as it is (as facts objects are checked). */
  params?: Record<string, unknown> | null;
  /** Record, for every rule, what it examined and why it decided. */
  explain?: boolean | null;
  /** Sandbox limits for each rule; those left out keep their defaults. */
  limits?: Limits | null;
  /** Called with each warning of the facts (a field facts-v1 does not define), in document order, then of the waivers file (a doubtful waiver); the report records them too, in `warnings`. Then with each file of `pack` and `overlay` no run reads (see PackInput), which the report does not record (it is the report of the pack without them). Expired, stale and pending waivers, which `attest eval` also notes on stderr, are in the report's `waivers`, each with its `state`. */
  onWarning?: ((warning: Violation) => void) | null;
  /** A waivers file (waivers-v1): JSON text, the object, or {name, text}; applied as `--waivers`. */
  waivers?: string | object | { name: string; text: string | object } | null;
  /** The public view (`--redact`): no findings, people, records or paths. Only reports have one: `todo`, `renderTodo`, `sample` and `evaluate` with `rule` throw AttestError `options` when it is true. */
  redact?: boolean | null;
  /** The most results a SARIF run holds (`--sarif-max-results`: an integer from 1 to 25000, default 5000; another number throws AttestError `options`, as the CLI refuses it). */
  sarifMaxResults?: number | null;
}

/** The options of `evaluate`: those of every evaluation, and `rule`. */
export interface EvaluateOptions extends ReportOptions {
  /** Evaluate this one rule and return its result instead of a report. */
  rule?: string | null;
}

/** What each rule may spend before it stops with status `error` (0: no limit). */
export interface Limits {
  /** Rhai operations, closures included (default 50,000,000). */
  maxOperations?: number | null;
  /** Memory the rule holds, in MiB (default 512). */
  maxMemoryMib?: number | null;
  /** Findings the rule reports (default 500,000). */
  maxFindings?: number | null;
}

/** A format of `attest eval`. */
export type Format = "text" | "json" | "markdown" | "html" | "sarif" | "junit" | "csv";

/** A place where the facts stray from facts-v1: a violation, or a warning. */
export interface Violation {
  /** The file the record came from, when known. */
  file: string | null;
  /** The line, when known: of the offending value for a problem in a record of a collection
   * or in `organization` (or of the record, for a field it lacks), else where the record or
   * top-level value starts. */
  line: number | null;
  /** The column of that value (or record), for a problem in a record of a collection or in
   * `organization`; null otherwise (the document's top level, evidence naming a criterion the
   * pack lacks). */
  column: number | null;
  /** JSON Pointer into the merged facts. */
  pointer: string;
  /** What is wrong, e.g. "facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?". */
  message: string;
}

/** A warning about an input of the run, as the report records it (`Report.warnings`): a
 * Violation's members, the input it is about, and for a pack's, its diagnostic code. The
 * `warnings` of a response (`onWarning`) are the facts' and waivers' ones, without `input`. */
export interface Warning {
  /** The input it is about: the facts files, the waivers file or the pack's files. */
  input: "facts" | "waivers" | "pack";
  /** A facts file or the waivers file as named, or a pack file relative to the pack's folder. */
  file: string | null;
  line: number | null;
  /** Null for waivers warnings, a top-level field and evidence naming a criterion the pack lacks. */
  column: number | null;
  /** JSON Pointer into the merged facts or the waivers file; null for a pack's warning. */
  pointer: string | null;
  message: string;
  /** A pack warning's diagnostic code (`placeholder`, `unlisted-facts-key`...). */
  code?: string;
}

export type Status = "pass" | "fail" | "warn" | "error" | "waived" | "not_applicable";

export interface Counts {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  waived: number;
  not_applicable: number;
}

export type Severity = "critical" | "high" | "medium" | "low";
export type Category = "security" | "availability" | "confidentiality" | "processing_integrity" | "privacy";

/** Where something is written: a file and the line it starts on. */
export interface Origin {
  file: string;
  line: number;
}

/** An approved, time-boxed exception (waivers-v1), as the report carries it. */
export interface Waiver {
  rule?: string;
  control?: string;
  /** A record key or JSON Pointer pattern (`*` segments); findings at or under it. */
  entity?: string;
  reason: string;
  approved_by: string;
  approved_on: string;
  expires_on: string;
  /** The waivers file and the line of the waiver. */
  source: Origin;
}

/** A waiver of the file, with where it stands on the as-of date. */
export interface WaiverResult extends Waiver {
  state: "active" | "stale" | "expired" | "pending";
  /** Failing findings it matches. */
  matches: number;
}

export interface Finding {
  status: "fail" | "warn";
  message: string;
  /** JSON Pointer of the record, or null for a finding about no record. */
  entity: string | null;
  /** The record's key (e.g. `accounts/aws-prod/alice`), stable when files are reordered. */
  key: string | null;
  source?: Origin;
  remediation: string;
  owner: string;
  /** Extra data the rule attached. */
  data?: unknown;
  /** The active waiver covering this failure (it then counts as waived). */
  waiver?: Waiver;
}

/** Why a rule decided as it did (with `explain`). */
export interface RuleExplanation {
  /** The parameters the rule read, with the values it saw. */
  params: Record<string, unknown>;
  /** The decision in a sentence. */
  reason: string;
}

/** The records a rule tested: how many, per collection of how many, and their keys (explain). */
export interface Population {
  tested: number;
  collections: Record<string, { tested: number; of: number }>;
  keys?: string[];
  /** Each tested record with its place and outcome (with `populations`). */
  records?: PopulationRecord[];
}

/** One record a rule tested. */
export interface PopulationRecord {
  key: string;
  entity: string;
  source?: { file: string; line: number };
  outcome: "exception" | "warn" | "pass";
}

/** A business unit, as rules and the catalog name it. */
export type Owner = "IT" | "Security" | "HR" | "Legal" | "Engineering" | "Product" | "Sales" | "Finance" | "Operations";

/** Counts of a to-do list, or of one owner's part of it. */
export interface TodoCounts {
  items: number;
  findings: number;
  lapsing: number;
  evidence: number;
  /** Failing findings whose exception is over (`corrected_on`): not to fix. */
  exceptions: number;
  to_fix: number;
  waived: number;
}

/** One thing to do: a failing finding, something lapsing soon, evidence to collect, or the record of an exception that is over. */
export interface TodoItem {
  kind: "finding" | "lapsing" | "evidence" | "exception";
  severity: "critical" | "high" | "medium" | "low";
  due_on: string | null;
  /** For an `exception` item: the day its exception ended (the finding's `corrected_on`). */
  corrected_on?: string;
  rule: string;
  rule_title: string;
  criteria: string[];
  key: string | null;
  entity: string | null;
  source?: { file: string; line: number };
  message: string;
  remediation: string;
  evidence?: { criterion: string; title: string; state: "missing" | "expired" | "lapsed" | "expiring"; [key: string]: unknown };
}

/** The to-do list per owner (schemas/todo.v1.schema.json), as `attest todo --format json`. */
export interface TodoList {
  todo_version: "1";
  organization: string;
  evaluated_on: string;
  period?: { start: string; end: string };
  pack: { name: string; version: string; digest: string };
  /** The parameters the run set in place of the pack's defaults (absent when none). */
  params?: Record<string, { value: unknown; default: unknown }>;
  facts_digest: string;
  owner: Owner | null;
  /** The rules in error (the owner's, when narrowed to one): their items may be missing. */
  rules_in_error: { rule: string; title: string; owner: Owner; message: string }[];
  summary: TodoCounts;
  owners: { owner: Owner; summary: TodoCounts; items: TodoItem[] }[];
}

/** A sample drawn from a rule's population. */
export interface Sample {
  rule: string;
  frequency: "annual" | "quarterly" | "monthly" | "weekly" | "daily" | "event";
  /** As given: a BigInt for a BigInt seed. */
  seed: number | bigint;
  size: number;
  population: number;
  generator: string;
  evaluated_on: string;
  period?: { start: string; end: string };
  facts_digest: string;
  pack_digest: string;
  records: PopulationRecord[];
}

export interface RuleResult {
  /** The rule id, or `evidence/<criterion>` for an evidence check. */
  id: string;
  title: string;
  status: Status;
  severity: Severity;
  owner: string;
  /** The criteria the rule is mapped to. */
  controls: string[];
  /** Why the rule does not apply (status not_applicable). */
  reason?: string;
  /** Why the pack turned the rule off (status not_applicable). */
  disabled?: string;
  /** What it examined and why it decided (with `explain`). */
  explanation?: RuleExplanation;
  /** Why it could not answer (status error), at its place in the rule file. */
  error?: { message: string; file: string; line: number | null; column: number | null };
  /** With an audit period: the rule does not read it, so it judged the as-of date alone. */
  judged_at_as_of?: true;
  population: Population;
  findings: Finding[];
}

export interface ControlResult {
  id: string;
  category: Category;
  group: string;
  title: string;
  status: Status;
  /** Ids of the rules (in `Report.rules`) that judge this criterion. */
  rules: string[];
  /** The criterion's evidence records, in key order (absent when it has none). */
  evidence?: EvidenceRecord[];
}

/** One evidence record of a criterion. */
export interface EvidenceRecord {
  key: string | null;
  title: string;
  uri?: string;
  collected_on: string;
  /** Its expires_on, else 365 days after collected_on. */
  expires_on: string | null;
  /** At the as-of date (not_yet: collected after it). */
  state: "current" | "expired" | "not_yet";
  /** With an evidence root: how its file compared with its sha256. */
  file?: "verified" | "missing" | "mismatch" | "outside_root";
  /** The facts file and line of the record. */
  source?: { file: string; line: number };
}

/** A report-v2 document (see docs/report.md and schemas/report.v2.schema.json). */
export interface Report {
  report_version: "2";
  engine: { name: string; version: string };
  pack: { name: string; version: string; digest: string };
  facts: { organization: string; digest: string; as_of: string | null };
  evaluated_on: string;
  /** The audit period the rules judged (absent for a point-in-time evaluation). */
  period?: { start: string; end: string };
  summary: { controls: Counts; by_category: Record<Category, Counts> };
  controls: ControlResult[];
  /** Every rule once, with its population and findings. */
  rules: RuleResult[];
  /** Every waiver of the waivers file, with its state (absent without waivers). */
  waivers?: WaiverResult[];
  /** What is doubtful in the facts, then the waivers file, then the pack (absent when nothing is). */
  warnings?: Warning[];
}

/** The public view (`redact`; schemas/public-report.v1.schema.json): nothing about people or records. */
export interface PublicReport {
  public_report_version: "1";
  organization: string;
  evaluated_on: string;
  /** The audit period the criteria were judged across (absent for a point-in-time report). */
  period?: { start: string; end: string };
  pack: { name: string; version: string };
  summary: Counts;
  /** Readiness per category, every category in order. */
  categories: Array<{ category: Category; label: string; in_scope: boolean; ready: number; applicable: number; percent: number; counts: Counts }>;
  controls: Array<{ id: string; category: Category; group: string; title: string; status: Status; checks: Array<{ id: string; title: string; status: Status }> }>;
  vendors: {
    total: number;
    soc2_type2: number;
    soc2_type1: number;
    none: number;
    vendors: Array<{ name: string; service: string; soc2_type: "type1" | "type2" | null; report_period_end: string | null }>;
  };
}

/** A report for `diff`: the object, the JSON text `attest eval --format json` writes, or that text with the file name the diff shows. */
export type ReportInput = Report | string | { name: string; text: string };

/** A pack diagnostic, as `attest check --format json` lists it. */
export interface Diagnostic {
  /** A stable code (docs/writing-rules.md, Diagnostics). */
  code: string;
  severity: "error" | "warning";
  /** The pack file (under `name`, when given). */
  file: string;
  line: number | null;
  column: number | null;
  message: string;
}

/** What `check` returns: `attest check --format json`. */
export interface CheckResult {
  pack: string;
  errors: number;
  warnings: number;
  diagnostics: Diagnostic[];
}

/** What `test` returns: `attest test --format json`. */
export interface TestResults {
  packs: Array<{ name: string; version: string; source: string }>;
  summary: { passed: number; failed: number; filtered_out: number };
  tests: Array<{
    pack: string;
    rule: string;
    name: string;
    file: string;
    passed: boolean;
    /** What differed from the case's expectation (empty when it passed). */
    problems: string[];
    actual: { status: Status; error: RuleResult["error"] | null; findings: Array<{ status: "fail" | "warn"; entity: string | null; message: string }> } | null;
  }>;
}

/** The options of `check` and `checkJson`. */
export interface CheckOptions {
  /** The pack's folder, which file names are shown under (default `.`). */
  name?: string | null;
}

/** The options of `test` and `testJson`. */
export interface PackRequestOptions {
  /** The pack's folder: files are shown under it, as `attest check DIR` shows them. */
  name?: string | null;
  /** (test) Keep only the cases whose `rule::case` name contains one of these. */
  filter?: string[] | null;
}

export interface FactsSummary {
  files: number;
  organization: string;
  as_of: string | null;
  digest: string;
  /** Fields facts-v1 does not define, in document order (the facts are still valid); then the files of `pack` and `overlay` no run reads (see PackInput). */
  warnings: Violation[];
}

/** What `explain` returns: the pack (no id), a rule or a control. */
export type Explanation =
  | { kind: "pack"; pack: Record<string, unknown>; controls: object[]; rules: object[] }
  | { kind: "rule"; rule: Record<string, unknown> & { id: string; source: string; path: string } }
  | { kind: "control"; control: Record<string, unknown> & { id: string }; rules: object[] };

/**
 * A failure the engine reports (and the values it refuses, as the CLI refuses them:
 * `sarifMaxResults` out of range, an empty list of facts files, `redact` where there is no
 * public view). An argument or option of the wrong type is not one: it throws TypeError.
 */
export class AttestError extends Error {
  constructor(error: { kind: string; message: string; [key: string]: unknown });
  /** request, facts_syntax, facts_not_object, facts_conflict, facts_invalid, waivers_syntax, waivers_invalid, report, pack, options, not_found or rule_error. */
  kind: string;
  /** The whole error: file, line, column, violations, diagnostics, ... */
  details: { kind: string; message: string; [key: string]: unknown };
}

export type Export = "evaluate" | "validate" | "explain" | "diff" | "check" | "test";

/**
 * One instance of the module (made by `load`). Every call checks its arguments first: one of
 * the wrong type throws TypeError, `CALL: ARGUMENT: expected WHAT, got WHAT`, e.g.
 * `evaluate: facts[0]: expected a {name, text} file or a JSON string, got null`.
 */
export class Attest {
  /** An instance of `module`; `load` makes one. Throws when the module speaks another ABI. */
  constructor(module: WebAssembly.Module, instance: WebAssembly.Instance);
  /** Evaluates facts against the built-in SOC 2 pack (or `pack`); throws AttestError. */
  /** With `redact`, the public view. */
  evaluate(facts: FactsInput, options: EvaluateOptions & { redact: true; rule?: undefined | null }): PublicReport;
  evaluate(facts: FactsInput, options?: (EvaluateOptions & { rule?: undefined | null; redact?: false | null }) | null): Report;
  evaluate(facts: FactsInput, options: EvaluateOptions & { rule: string; redact?: false | null }): RuleResult;
  /** With `redact` a boolean known only when it runs: the public view when it is true. */
  evaluate(facts: FactsInput, options: EvaluateOptions & { rule?: undefined | null }): Report | PublicReport;
  /** With a `rule` known only when it runs (a string or undefined). */
  evaluate(facts: FactsInput, options: EvaluateOptions & { redact?: false | null }): Report | RuleResult;
  /**
   * A reproducible sample of a rule's population. `seed` is required: an integer from 0 to
   * Number.MAX_SAFE_INTEGER, or a BigInt from 0n to 2n ** 64n - 1n (TypeError without it); `size` (default: the pack's for the rule's
   * frequency) an integer, 0 throwing AttestError `options` as `attest sample --size 0` is refused.
   */
  sample(facts: FactsInput, rule: string, options: ReportOptions & { seed: number | bigint; size?: number | null; redact?: false | null }): Sample;
  /** The report as text, byte for byte what `attest eval --format json` writes. */
  evaluateJson(facts: FactsInput, options?: ReportOptions | null): string;
  /** The report in a format of `attest eval`, byte for byte what `--output FORMAT=FILE` writes. */
  render(facts: FactsInput, format: Format, options?: ReportOptions | null): string;
  /** The to-do list per owner (or of `owner` alone), as `attest todo --format json` writes it. */
  todo(facts: FactsInput, options?: (ReportOptions & { owner?: Owner | string | null; redact?: false | null }) | null): TodoList;
  /** The to-do list in a format of `attest todo`, byte for byte what it writes. */
  renderTodo(facts: FactsInput, format: "text" | "markdown" | "json" | "csv", options?: (ReportOptions & { owner?: Owner | string | null; redact?: false | null }) | null): string;
  /** The diff of two reports (objects, JSON text, or {name, text}), as `attest diff --format F` writes it (default json). */
  diff(base: ReportInput, next: ReportInput, options?: { format?: "text" | "json" | "markdown" | null } | null): string;
  /** Diagnostics of a pack, as `attest check --format json`. The module carries the built-in pack without its rules' cases: to check it, give its files (Attest's `rules/soc2/`). */
  check(pack: PackInput, options?: CheckOptions | null): CheckResult;
  /** `check`'s result as the exact text `attest check --format json` prints. */
  checkJson(pack: PackInput, options?: CheckOptions | null): string;
  /** The rule cases of a pack, as `attest test --format json` (a pack that extends `soc2`: its own rules'). To test the built-in pack, give its files, cases included. */
  test(pack: PackInput, options?: PackRequestOptions | null): TestResults;
  /** `test`'s result as the exact text `attest test --format json` prints. */
  testJson(pack: PackInput, options?: PackRequestOptions | null): string;
  /** Checks facts against facts-v1 (and `pack`'s facts.schema.json) without evaluating them; throws AttestError when invalid. */
  validate(facts: FactsInput, options?: PackOptions | null): FactsSummary;
  /** Describes a rule or a control by id, or the pack without one. */
  explain(id?: string | null, options?: PackOptions | null): Explanation;
  /** A raw request object in, the parsed response out ({ok: true, ...} or {ok: false, error}). */
  call(name: Export, request: object): { ok: boolean; [key: string]: unknown };
  /**
   * Raw request bytes or text in, the response text out, exactly as the module wrote it. A
   * trap replaces the instance with a fresh one and is rethrown (a `WebAssembly.RuntimeError`),
   * or, when the module ran out of memory, thrown as an `Error` saying so, the trap as its
   * `cause`. A stack overflow inside the module (a `RangeError` "Maximum call stack size
   * exceeded") replaces it too; any other error is rethrown, the instance kept. A detached
   * Uint8Array, or a string with a lone surrogate, throws TypeError.
   */
  callRaw(name: Export, request: Uint8Array | string): string;
}

/**
 * Loads the module: from its bytes, a compiled WebAssembly.Module, a fetch Response, or a
 * URL (file: URLs are read from disk in Node). Default: attest.wasm next to attest.mjs. A
 * detached buffer throws TypeError; a file or URL that cannot be read, an Error naming it
 * (`load: source: URL cannot be read (...)`, the reason as its `cause`); a response or a file
 * that is no module (an HTML page a development server sent instead), an Error naming its
 * URL, its status and Content-Type and what its body starts with, before compiling.
 */
export function load(source?: ArrayBuffer | SharedArrayBuffer | ArrayBufferView | WebAssembly.Module | Response | URL | string | null): Promise<Attest>;
