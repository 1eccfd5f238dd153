/**
 * A typed, position-aware reader over the `yaml` package's AST. Every accessor checks the type of the
 * value it reads and, on a mismatch, throws an InputError that carries the file, line, column and field
 * path of the offending node, and says what was expected and what was found.
 *
 * The reader walks the AST lazily (only the keys a caller asks for), so aliases are never expanded except
 * by toJS(), which is bounded by MAX_ALIAS_COUNT.
 */
import { FieldNotes } from './field-notes.js';
import {
  LineCounter,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { QuantityError, cpuToMilli, quantityValue } from '../api/quantity.js';
import type { Micros } from '../core/time.js';
import { DURATION_EXPECTED, MAX_DURATION_MICROS, parseGoDuration } from '../api/duration.js';
import { InputError } from './input-error.js';
import { MAX_FILE_BYTES, readInputFile, tooLargeDetail, type ReadBudget } from './input-file.js';

/** Alias expansions allowed per anchor when converting to JS (the `yaml` package's own default). */
export const MAX_ALIAS_COUNT = 100;
/** Deepest nesting of mappings and lists accepted in a document. */
export const MAX_DEPTH = 64;
/**
 * The `yaml` parser aborts the process (out of memory) on ~100k nested flow brackets, before any error
 * can be reported, so a cheap lexical pre-scan refuses absurd bracket nesting first. It counts brackets
 * inside strings too, so its bound is far above MAX_DEPTH; the exact check runs on the AST.
 */
const MAX_BRACKET_NESTING = 1000;

export type FieldKind = 'map' | 'seq' | 'scalar' | 'null' | 'missing';

export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
}

/** What a Field needs from the document it belongs to. */
interface Source {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
  /** Where warn() goes: the read budget's (shared by every file of one load), else the document's own. */
  readonly notes: FieldNotes;
}

type Resolved = Scalar | YAMLMap | YAMLSeq;

interface Position {
  readonly line: number;
  readonly column: number;
}

/** A map entry with the position of its key, for errors about the key itself. */
interface Entry {
  readonly key: string;
  readonly keyPosition: Position;
  readonly field: Field;
}

export class Field {
  /** Alias-resolved node; undefined when the value is absent or an explicit empty value. */
  private readonly node: Resolved | undefined;

  private constructor(
    private readonly src: Source,
    node: unknown,
    readonly path: string,
    readonly line: number,
    readonly column: number,
    private readonly present: boolean,
  ) {
    this.node = resolveNode(src.doc, node);
  }

  /** The root of one parsed document. Internal: use parseYamlDocuments or readYamlFile. */
  static root(src: Source, node: YamlNode): Field {
    const pos = positionOf(src, node) ?? { line: 1, column: 1 };
    return new Field(src, node, '', pos.line, pos.column, true);
  }

  get file(): string {
    return this.src.file;
  }

  /** True when the key is present in its parent (even with a null value). */
  get exists(): boolean {
    return this.present;
  }

  kind(): FieldKind {
    if (!this.present) return 'missing';
    const n = this.node;
    if (n === undefined) return 'null';
    if (isMap(n)) return 'map';
    if (isSeq(n)) return 'seq';
    return n.value === null || n.value === undefined ? 'null' : 'scalar';
  }

  /** Human description of the value found, for "expected X, got Y" messages. */
  describe(): string {
    switch (this.kind()) {
      case 'missing':
        return 'nothing';
      case 'null':
        return 'null';
      case 'map':
        return 'a mapping';
      case 'seq':
        return 'a list';
      case 'scalar':
        break;
    }
    const v = this.scalarValue();
    if (typeof v === 'string') return quote(v);
    if (typeof v === 'number') return `the number ${this.sourceText()}`;
    if (typeof v === 'boolean') return `the boolean ${this.sourceText()}`;
    return quote(this.sourceText());
  }

  // ---- structure ----

  /** Child of a mapping; a missing key (or a missing/null parent) yields a Field with exists=false. */
  get(key: string): Field {
    if (this.isAbsent()) return this.missingChild(key);
    const n = this.node;
    if (!isMap(n)) return this.expected('a mapping');
    // Only the matching entry becomes a Field: callers get() many keys of the same mapping.
    const pair = n.items.find((p) => scalarKey(this.src.doc, p.key) === key);
    return pair === undefined ? this.missingChild(key) : this.entry(pair).field;
  }

  /** Items of a list; missing or null → []. */
  items(): Field[] {
    if (this.isAbsent()) return [];
    const n = this.node;
    if (!isSeq(n)) return this.expected('a list');
    return n.items.map((item, i) => {
      const pos = positionOf(this.src, item) ?? this;
      return new Field(this.src, item, `${this.path}[${i}]`, pos.line, pos.column, true);
    });
  }

  /** Keys of a mapping in document order; missing or null → []. */
  keys(): string[] {
    return this.entryList().map((e) => e.key);
  }

  /** Entries of a mapping in document order; missing or null → []. */
  entries(): [string, Field][] {
    return this.entryList().map((e) => [e.key, e.field]);
  }

  /**
   * Rejects keys outside `allowed`, naming the first unknown one and suggesting the closest allowed key.
   * For scenario files, whose schema we own; Kubernetes manifests ignore unknown fields instead.
   */
  rejectUnknownKeys(allowed: readonly string[]): void {
    for (const e of this.entryList()) {
      if (allowed.includes(e.key)) continue;
      let detail = `unknown field ${quote(e.key)}`;
      const guess = suggestClosest(e.key, allowed);
      if (guess !== undefined) detail += `; did you mean ${quote(guess)}?`;
      else if (e.key === '<<') detail += ' (YAML merge keys are not supported)';
      else detail += `; expected one of: ${allowed.join(', ')}`;
      throw this.errorAt(e.field.path, e.keyPosition, detail);
    }
  }

  // ---- scalars ----

  /** A required string. YAML numbers and booleans are refused: `version: 1.10` is the number 1.1. */
  str(): string {
    const v = this.scalarValue();
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') {
      return this.fail(`expected a string, got ${this.describe()}; quote it ("${this.sourceText()}") if you mean text`);
    }
    return this.expected('a string');
  }

  optStr(def: string): string {
    return this.isAbsent() ? def : this.str();
  }

  /**
   * A string, number or boolean scalar as its source text (`1.10` stays "1.10"), for values such as label
   * values and quantities that users commonly leave unquoted.
   */
  scalarString(): string {
    const v = this.scalarValue();
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return this.sourceText();
    return this.expected('a string, number or boolean');
  }

  int(opts: NumberBounds = {}): number {
    const what = `an integer${boundsText(opts)}`;
    const v = this.scalarValue();
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return this.expected(what);
    return this.checkBounds(v, opts, what);
  }

  optInt(def: number, opts: NumberBounds = {}): number {
    return this.isAbsent() ? def : this.int(opts);
  }

  num(opts: NumberBounds = {}): number {
    const what = `a number${boundsText(opts)}`;
    const v = this.scalarValue();
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.expected(what);
    return this.checkBounds(v, opts, what);
  }

  optNum(def: number, opts: NumberBounds = {}): number {
    return this.isAbsent() ? def : this.num(opts);
  }

  bool(): boolean {
    const v = this.scalarValue();
    return typeof v === 'boolean' ? v : this.expected('true or false');
  }

  optBool(def: boolean): boolean {
    return this.isAbsent() ? def : this.bool();
  }

  oneOf<T extends string>(values: readonly T[]): T {
    const v = this.scalarValue();
    const hit = values.find((x) => x === v);
    if (hit !== undefined) return hit;
    const what = values.length === 1 ? quote(values[0]) : `one of ${values.map(quote).join(', ')}`;
    if (typeof v !== 'string') return this.expected(what);
    const guess = suggestClosest(v, values);
    return this.fail(`expected ${what}, got ${this.describe()}${guess === undefined ? '' : `; did you mean ${quote(guess)}?`}`);
  }

  optOneOf<T extends string>(values: readonly T[], def: T): T {
    return this.isAbsent() ? def : this.oneOf(values);
  }

  /**
   * A map of scalar values as strings (labels, annotations, selectors); missing or null → {}. A null value
   * reads as '', as Go's JSON decoding of map[string]string does.
   */
  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.entryList()) {
      setOwn(out, e.key, e.field.kind() === 'null' ? '' : e.field.scalarString());
    }
    return out;
  }

  // ---- durations and quantities ----

  /**
   * Go time.ParseDuration syntax ("300ms", "1.5h", "2h45m", "100µs"), or a plain YAML number of seconds.
   * Rounded to whole microseconds (half up), or kept to the nanosecond when `exact` (per-unit CPU costs such
   * as "150ns"); negative durations are refused.
   */
  duration(exact = false): Micros {
    const v = this.scalarValue();
    if (typeof v === 'number') return this.secondsToMicros(v, exact);
    if (typeof v !== 'string') return this.expected(DURATION_EXPECTED);
    const parsed = parseGoDuration(v);
    if (typeof parsed === 'string') return this.fail(`${parsed}, got ${quote(v)}`);
    if (parsed < 0n) return this.fail(`expected a non-negative duration, got ${quote(v)}`);
    return exact ? Number(parsed) / 1000 : Number((parsed + 500n) / 1000n);
  }

  optDuration(def: Micros, exact = false): Micros {
    return this.isAbsent() ? def : this.duration(exact);
  }

  /**
   * A Kubernetes ResourceList: `cpu` in millicores, every other resource as an integer rounded up (as the
   * API server's SetDefaults_ResourceList and Quantity.Value do); missing or null → {}.
   */
  resourceList(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entryList()) setOwn(out, e.key, e.field.quantity(e.key));
    return out;
  }

  // ---- errors and escape hatches ----

  /** Throws an InputError at this node. */
  /** A warning about this field (a field kubesim reads but does not simulate), gathered for one note per field. */
  warn(detail: string): void {
    this.src.notes.add(this.src.file, this.line, this.path, detail);
  }

  /** The warnings gathered for this field's document (and every other file read with the same budget). */
  get notes(): FieldNotes {
    return this.src.notes;
  }

  fail(detail: string): never {
    throw this.errorAt(this.path, this, detail);
  }

  /** Plain JS value (undefined when missing); alias expansion is bounded by MAX_ALIAS_COUNT. */
  toJS(): unknown {
    if (!this.present) return undefined;
    if (this.node === undefined) return null;
    try {
      const value: unknown = this.node.toJS(this.src.doc, { maxAliasCount: MAX_ALIAS_COUNT });
      return value;
    } catch (err) {
      return this.fail(aliasBombDetail(err));
    }
  }

  // ---- internals ----

  private isAbsent(): boolean {
    const k = this.kind();
    return k === 'missing' || k === 'null';
  }

  private scalarValue(): unknown {
    const n = this.node;
    return this.present && isScalar(n) ? n.value : undefined;
  }

  /** Source text of a scalar (`0.50`, `0x10`, `True`), falling back to its value. */
  private sourceText(): string {
    const n = this.node;
    if (!isScalar(n)) return '';
    return typeof n.source === 'string' && n.source !== '' ? n.source : String(n.value);
  }

  private expected(what: string): never {
    if (!this.present) return this.fail(`required field is missing; expected ${what}`);
    return this.fail(`expected ${what}, got ${this.describe()}`);
  }

  private checkBounds(v: number, opts: NumberBounds, what: string): number {
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      return this.fail(`expected ${what}, got ${this.sourceText()}`);
    }
    return v;
  }

  private secondsToMicros(seconds: number, exact = false): Micros {
    if (!Number.isFinite(seconds)) return this.expected(DURATION_EXPECTED);
    if (seconds < 0) return this.fail(`expected a non-negative duration, got ${this.sourceText()}`);
    const micros = exact ? Math.round(seconds * 1e9) / 1000 : Math.round(seconds * 1_000_000);
    if (micros > MAX_DURATION_MICROS) return this.fail(`duration ${this.sourceText()}s is too large`);
    return micros;
  }

  private quantity(resource: string): number {
    const v = this.scalarValue();
    const what = quantityExpectation(resource);
    if (typeof v !== 'string' && typeof v !== 'number') return this.expected(what);
    let amount: number;
    try {
      amount = resource === 'cpu' ? cpuToMilli(v) : quantityValue(v);
    } catch (err) {
      if (!(err instanceof QuantityError)) throw err;
      // The generic syntax error repeats what `what` already says; other errors (too large) add facts.
      const extra = err.message.startsWith('invalid quantity') ? '' : ` (${err.message})`;
      return this.fail(`expected ${what}, got ${this.describe()}${extra}`);
    }
    if (amount < 0) return this.fail(`expected a non-negative quantity, got ${this.describe()}`);
    return amount;
  }

  private entryList(): Entry[] {
    if (this.isAbsent()) return [];
    const n = this.node;
    if (!isMap(n)) return this.expected('a mapping');
    return n.items.map((pair) => this.entry(pair));
  }

  private entry(pair: Pair<unknown, unknown>): Entry {
    const keyNode = pair.key;
    const keyPosition = (isNode(keyNode) ? positionOf(this.src, keyNode) : undefined) ?? this;
    const key = scalarKey(this.src.doc, keyNode);
    if (key === undefined) {
      throw this.errorAt(this.path, keyPosition, 'expected a string key, got a non-scalar or empty key');
    }
    const path = childPath(this.path, key);
    const pos = this.valuePosition(pair.value, keyPosition);
    return { key, keyPosition, field: new Field(this.src, pair.value, path, pos.line, pos.column, true) };
  }

  /**
   * Errors about a value point at the value when it sits on the key's line (`cpu: abc`), and at the key
   * otherwise (a block mapping starting on the next line, or an empty value).
   */
  private valuePosition(value: unknown, keyPosition: Position): Position {
    if (!isNode(value)) return keyPosition;
    if (isScalar(value) && (value.value === null || value.value === undefined)) return keyPosition;
    const pos = positionOf(this.src, value);
    return pos !== undefined && pos.line === keyPosition.line ? pos : keyPosition;
  }

  private missingChild(key: string): Field {
    return new Field(this.src, undefined, childPath(this.path, key), this.line, this.column, false);
  }

  private errorAt(path: string, pos: Position, detail: string): InputError {
    return new InputError(this.src.file, pos.line, pos.column, path, detail);
  }
}

// ---- documents ----

/** Every non-empty document of a (multi-document) YAML stream. */
export function parseYamlDocuments(text: string, file: string, notes: FieldNotes = new FieldNotes()): Field[] {
  if (text.length > MAX_FILE_BYTES) throw new InputError(file, 0, 0, '', tooLargeDetail(text.length));
  checkBracketNesting(text, file);
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  if (!Array.isArray(parsed)) return [];
  const fields: Field[] = [];
  for (const doc of parsed) {
    const src: Source = { file, doc, lines, notes };
    reportParseErrors(src);
    const root = doc.contents;
    if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) continue;
    const hasAliases = checkDepth(src, root);
    if (hasAliases) checkAliasExpansion(src, root);
    fields.push(Field.root(src, root));
  }
  return fields;
}

/** Reads (within the limits of input-file.ts, charged to `budget`) and parses a YAML file. */
export function readYamlFile(path: string, budget?: ReadBudget): Field[] {
  return parseYamlDocuments(readInputFile(path, budget), path, budget?.notes);
}

function reportParseErrors(src: Source): void {
  const err = src.doc.errors[0];
  if (err === undefined) return;
  const { line, col } = src.lines.linePos(err.pos[0]);
  const detail = err.code === 'RESOURCE_EXHAUSTION' ? tooDeepDetail() : `invalid YAML: ${err.message}`;
  throw new InputError(src.file, line, col, '', detail);
}

/** Walks mappings and lists (not through aliases) refusing nesting beyond MAX_DEPTH; reports whether any alias occurs. */
function checkDepth(src: Source, root: YamlNode): boolean {
  let hasAliases = false;
  const stack: [unknown, number][] = [[root, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [node, depth] = top;
    if (isAlias(node)) hasAliases = true;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_DEPTH) {
      const pos = positionOf(src, node) ?? { line: 0, column: 0 };
      throw new InputError(src.file, pos.line, pos.column, '', tooDeepDetail());
    }
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      } else {
        stack.push([item, depth + 1]);
      }
    }
  }
  return hasAliases;
}

/** Expands the document once with the alias budget, so "billion laughs" documents fail up front. */
function checkAliasExpansion(src: Source, root: YamlNode): void {
  try {
    src.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const pos = positionOf(src, root) ?? { line: 0, column: 0 };
    throw new InputError(src.file, pos.line, pos.column, '', aliasBombDetail(err));
  }
}

function checkBracketNesting(text: string, file: string): void {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) line++;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > MAX_BRACKET_NESTING) throw new InputError(file, line, 0, '', tooDeepDetail());
    } else if ((c === 93 /* ] */ || c === 125) /* } */ && depth > 0) depth--;
  }
}

function tooDeepDetail(): string {
  return `document is nested too deeply (more than ${MAX_DEPTH} levels of mappings and lists)`;
}

function aliasBombDetail(err: unknown): string {
  const reason = err instanceof Error ? err.message : String(err);
  return `too many YAML alias expansions (at most ${MAX_ALIAS_COUNT} per anchor; refusing a possible alias bomb): ${reason}`;
}

// ---- node helpers ----

function resolveNode(doc: Document, node: unknown): Resolved | undefined {
  if (isAlias(node)) return node.resolve(doc);
  if (isMap(node) || isSeq(node) || isScalar(node)) return node;
  return undefined;
}

function positionOf(src: Source, node: unknown): Position | undefined {
  if (!isNode(node) || node.range === null || node.range === undefined) return undefined;
  const { line, col } = src.lines.linePos(node.range[0]);
  return { line, column: col };
}

/** Key text: strings as they are, numbers and booleans as written (`1: x` has key "1"). */
function scalarKey(doc: Document, keyNode: unknown): string | undefined {
  const n = resolveNode(doc, keyNode);
  if (!isScalar(n) || n.value === null || n.value === undefined) return undefined;
  if (typeof n.value === 'string') return n.value;
  return typeof n.source === 'string' && n.source !== '' ? n.source : String(n.value);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `a.b` for identifier-like keys, `a["app.kubernetes.io/name"]` otherwise. */
function childPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

function setOwn<V>(obj: Record<string, V>, key: string, value: V): void {
  // defineProperty keeps a key such as "__proto__" an ordinary own property.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function quote(s: string): string {
  const max = 60;
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

function boundsText(opts: NumberBounds): string {
  if (opts.min !== undefined && opts.max !== undefined) return ` between ${opts.min} and ${opts.max}`;
  if (opts.min !== undefined) return ` ≥ ${opts.min}`;
  if (opts.max !== undefined) return ` ≤ ${opts.max}`;
  return '';
}

function quantityExpectation(resource: string): string {
  if (resource === 'cpu') return 'a CPU quantity such as "500m" or "2"';
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-')) {
    return `a ${resource} quantity such as "512Mi" or "2Gi"`;
  }
  return `a ${resource} quantity such as "1" or "10k"`;
}

// ---- suggestions ----

/** The candidate closest to `word` by edit distance, if within 2 edits (case differences are free). */
export function suggestClosest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}
