// Type declarations for attest.mjs.

/** One facts file: the name diagnostics and findings show, and its JSON text. */
export interface FactsSource {
  name: string;
  /** JSON text, or a value that is serialized with 2-space indentation. */
  text: string | object;
}

/** Facts: a JSON string, a facts-v1 object, or several sources merged in order. */
export type FactsInput = string | object | Array<FactsSource | string>;

/** One file of a rule pack. */
export interface PackFileInput {
  path: string;
  text: string;
}

/** Pack files as a list, or as an object of path -> text. */
export type PackInput = PackFileInput[] | Record<string, string>;

export interface PackOptions {
  /** A whole custom pack (pack.toml, controls.toml, rules/**.rhai, ...). Default: the built-in SOC 2 pack. */
  pack?: PackInput;
  /** Files added to, or replacing by path, those of `pack` (or of the built-in pack). */
  overlay?: PackInput;
}

export interface EvaluateOptions extends PackOptions {
  /** The date rules treat as today (default: organization.as_of of the facts, else the period's end). */
  asOf?: string | Date;
  /** The audit period rules judge, "START..END" or {start, end} (default: organization.audit_period of the facts). */
  period?: string | { start: string | Date; end: string | Date };
  /** List, for every rule, each record it tested with its outcome (`population.records`). */
  populations?: boolean;
  /** Pack parameter overrides. */
  params?: Record<string, unknown>;
  /** Evaluate this one rule and return its result instead of a report. */
  rule?: string;
  /** Record, for every rule, what it examined and why it decided. */
  explain?: boolean;
  /** Called with each warning (a field facts-v1 does not define), in document order. */
  onWarning?: (warning: Violation) => void;
}

/** A place where the facts stray from facts-v1: a violation, or a warning. */
export interface Violation {
  /** The file the record came from, when known. */
  file: string | null;
  /** The line where the record starts, when known. */
  line: number | null;
  /** JSON Pointer into the merged facts. */
  pointer: string;
  /** What is wrong, e.g. "facts-v1 does not define `mfa_enabled` for accounts; did you mean `mfa`?". */
  message: string;
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

export interface Finding {
  status: "fail" | "warn";
  message: string;
  entity: string | null;
  /** The record's key (e.g. `accounts/aws-prod/alice`), stable when files are reordered. */
  key: string | null;
  source?: { file: string; line: number };
  remediation: string;
  owner: string;
  data?: unknown;
  [key: string]: unknown;
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

/** A sample drawn from a rule's population. */
export interface Sample {
  rule: string;
  frequency: "annual" | "quarterly" | "monthly" | "weekly" | "daily" | "event";
  seed: number;
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
  severity: string;
  owner: string;
  /** The criteria the rule is mapped to. */
  controls: string[];
  /** Why the rule does not apply (status not_applicable). */
  reason?: string;
  error?: { message: string; file: string; line: number | null; column: number | null };
  population: Population;
  findings: Finding[];
  [key: string]: unknown;
}

export interface ControlResult {
  id: string;
  category: string;
  group: string;
  title: string;
  status: Status;
  /** Ids of the rules (in `Report.rules`) that judge this criterion. */
  rules: string[];
  [key: string]: unknown;
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
  summary: { controls: Counts; by_category: Record<string, Counts> };
  controls: ControlResult[];
  /** Every rule once, with its population and findings. */
  rules: RuleResult[];
  [key: string]: unknown;
}

export interface FactsSummary {
  files: number;
  organization: string;
  as_of: string | null;
  digest: string;
  /** Fields facts-v1 does not define, in document order (the facts are still valid). */
  warnings: Violation[];
}

/** What `explain` returns: the pack (no id), a rule or a control. */
export type Explanation =
  | { kind: "pack"; pack: Record<string, unknown>; controls: object[]; rules: object[] }
  | { kind: "rule"; rule: Record<string, unknown> & { id: string; source: string; path: string } }
  | { kind: "control"; control: Record<string, unknown> & { id: string }; rules: object[] };

/** A failure the engine reports. */
export class AttestError extends Error {
  /** request, facts_syntax, facts_not_object, facts_conflict, facts_invalid, pack, options, not_found or rule_error. */
  kind: string;
  /** The whole error: file, line, column, violations, diagnostics, ... */
  details: { kind: string; message: string; [key: string]: unknown };
}

export type Export = "evaluate" | "validate" | "explain";

/** One instance of the module. */
export class Attest {
  /** Evaluates facts against the built-in SOC 2 pack (or `pack`); throws AttestError. */
  evaluate(facts: FactsInput, options?: EvaluateOptions & { rule?: undefined }): Report;
  evaluate(facts: FactsInput, options: EvaluateOptions & { rule: string }): RuleResult;
  /** A reproducible sample of a rule's population; `seed` is required. */
  sample(facts: FactsInput, rule: string, options: EvaluateOptions & { seed: number; size?: number }): Sample;
  /** The report as text, byte for byte what `attest eval --format json` writes. */
  evaluateJson(facts: FactsInput, options?: EvaluateOptions): string;
  /** Checks facts against facts-v1 without evaluating them; throws AttestError when invalid. */
  validate(facts: FactsInput): FactsSummary;
  /** Describes a rule or a control by id, or the pack without one. */
  explain(id?: string | null, options?: PackOptions): Explanation;
  /** A raw request object in, the parsed response out ({ok: true, ...} or {ok: false, error}). */
  call(name: Export, request: object): { ok: boolean; [key: string]: unknown };
  /** Raw request bytes or text in, the response text out, exactly as the module wrote it. */
  callRaw(name: Export, request: Uint8Array | string): string;
}

/**
 * Loads the module: from its bytes, a compiled WebAssembly.Module, a fetch Response, or a
 * URL (file: URLs are read from disk in Node). Default: attest.wasm next to attest.mjs.
 */
export function load(source?: ArrayBuffer | ArrayBufferView | WebAssembly.Module | Response | URL | string): Promise<Attest>;
