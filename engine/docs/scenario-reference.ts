/**
 * docs/reference/scenario-format.md, generated from scenarios/scenario.schema.json: every field path with its
 * type, default and description. Value types used in many places (duration, quantity, distribution, …) get one
 * section each and are linked from the tables; object types are expanded in place, variants (oneOf/anyOf of
 * objects told apart by a `type` or `opcode` constant) one after the other.
 */

/** The subset of JSON Schema the scenario schema uses. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  title?: string;
  $defs?: Record<string, Schema>;
}

interface Row {
  path: string;
  type: string;
  dflt: string;
  description: string;
}

/** Definitions shown as a type of their own (a section) rather than expanded where they are used. */
const VALUE_TYPES = ['duration', 'quantity', 'distribution', 'stringMap', 'rate'];

const refName = (ref: string): string => ref.replace('#/$defs/', '');
/** A value as YAML flow text, the way a scenario writes it (`{type: lognormal, median: 1ms}`). */
const flow = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(flow).join(', ')}]`
    : typeof v === 'object' && v !== null
      ? `{${Object.entries(v)
          .map(([k, x]) => `${k}: ${flow(x)}`)
          .join(', ')}}`
      : String(v);
const code = (v: unknown): string => `\`${flow(v)}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

class Renderer {
  constructor(private readonly defs: Record<string, Schema>) {}

  private resolve(s: Schema): Schema {
    if (s.$ref === undefined || VALUE_TYPES.includes(refName(s.$ref))) return s;
    const target = this.defs[refName(s.$ref)];
    return { ...target, ...s, $ref: undefined, description: s.description ?? target.description };
  }

  /** The variants of a oneOf/anyOf that are objects, else undefined. */
  private variants(s: Schema): Schema[] | undefined {
    const vs = s.oneOf ?? s.anyOf;
    if (vs === undefined) return undefined;
    const objects = vs.map((v) => this.resolve(v)).filter((v) => v.properties !== undefined);
    return objects.length > 0 ? objects : undefined;
  }

  private bounds(s: Schema): string {
    const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? `>${s.exclusiveMinimum}` : undefined);
    if (lo === undefined && s.maximum === undefined) return '';
    if (s.maximum === undefined) return typeof lo === 'string' ? ` ${lo}` : ` ≥ ${lo}`;
    return ` ${lo ?? ''}–${s.maximum}`;
  }

  typeText(raw: Schema): string {
    if (raw.$ref !== undefined && VALUE_TYPES.includes(refName(raw.$ref)))
      return `[${refName(raw.$ref)}](#${refName(raw.$ref).toLowerCase()})`;
    const s = this.resolve(raw);
    if (s.const !== undefined) return code(s.const);
    if (s.enum !== undefined) return s.enum.map(code).join(' | ');
    const vs = s.oneOf ?? s.anyOf;
    if (vs !== undefined && s.type === undefined && s.properties === undefined) {
      if (this.variants(s) !== undefined) return 'object (variants below)';
      return [...new Set(vs.map((v) => this.typeText(v)))].join(' or ');
    }
    if (s.allOf !== undefined) return 'object';
    const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
    if (t === 'array') {
      const size =
        s.maxItems !== undefined
          ? ` (${s.minItems ?? 0}–${s.maxItems} items)`
          : s.minItems !== undefined && s.minItems > 0
            ? ` (at least ${s.minItems})`
            : '';
      return `list of ${s.items !== undefined ? this.typeText(s.items) : 'any'}${size}`;
    }
    if (t === 'object' && s.properties === undefined && typeof s.additionalProperties === 'object')
      return `map to ${this.typeText(s.additionalProperties)}`;
    const pattern = s.pattern !== undefined && t === 'string' ? ` matching \`${s.pattern}\`` : '';
    return `${t}${this.bounds(s)}${pattern}`;
  }

  /** One alternative of a value type: an object told apart by a constant (`{type: uniform, …}`), else its type. */
  variantText(raw: Schema): string {
    const v = this.resolve(raw);
    const tag = Object.entries(v.properties ?? {}).find(([, p]) => p.const !== undefined);
    if (tag === undefined) return this.typeText(raw);
    const rest = Object.keys(v.properties ?? {}).filter((k) => k !== tag[0]);
    return `\`{${tag[0]}: ${String(tag[1].const)}${rest.length > 0 ? `, ${rest.join(', ')}` : ''}}\``;
  }

  rows(raw: Schema, path: string, out: Row[], required: boolean): void {
    const s = this.resolve(raw);
    const desc = [required ? '**required**' : '', s.description ?? ''].filter((x) => x !== '').join('; ');
    if (path !== '') out.push({ path, type: this.typeText(raw), dflt: s.default !== undefined ? code(s.default) : '', description: desc });
    if (raw.$ref !== undefined && VALUE_TYPES.includes(refName(raw.$ref))) return;
    this.children(s, path, out);
  }

  private children(s: Schema, path: string, out: Row[]): void {
    if (s.items !== undefined) {
      this.children(this.resolve(s.items), `${path}[]`, out);
      return;
    }
    if (typeof s.additionalProperties === 'object' && s.properties === undefined) {
      this.children(this.resolve(s.additionalProperties), `${path}.<key>`, out);
      return;
    }
    const parts = s.allOf !== undefined ? s.allOf.map((p) => this.resolve(p)) : [s];
    for (const part of parts) {
      for (const [k, v] of Object.entries(part.properties ?? {}))
        this.rows(v, path === '' ? k : `${path}.${k}`, out, (part.required ?? []).includes(k));
      const vs = this.variants(part);
      if (vs === undefined) continue;
      for (const v of vs) {
        const tag = Object.entries(v.properties ?? {}).find(([, p]) => p.const !== undefined || p.enum !== undefined);
        const label =
          tag === undefined ? '' : `${tag[0]}: ${tag[1].const !== undefined ? String(tag[1].const) : (tag[1].enum ?? []).join(' | ')}`;
        const at = label === '' ? path : `${path} (${label})`;
        for (const [k, p] of Object.entries(v.properties ?? {})) {
          if (tag !== undefined && k === tag[0]) continue;
          this.rows(p, `${at}.${k}`, out, (v.required ?? []).includes(k));
        }
      }
    }
  }

  table(rows: readonly Row[]): string[] {
    return [
      '| field | type | default | description |',
      '|---|---|---|---|',
      ...rows.map((r) => `| \`${cell(r.path)}\` | ${cell(r.type)} | ${cell(r.dflt)} | ${cell(r.description)} |`),
    ];
  }
}

export function renderScenarioReference(schema: Schema): string {
  const defs = schema.$defs ?? {};
  const r = new Renderer(defs);
  const out: string[] = [
    '<!-- GENERATED by `npm run docs` from scenarios/scenario.schema.json; do not edit (test/docs.test.ts checks it is current). -->',
    '# Scenario format reference',
    '',
    `${schema.description ?? ''}`,
    '',
    'Every field of a scenario file, from the JSON Schema. A path `a.b[]` is a list item; `a (type: x).b` is a field of',
    'the variant of `a` whose `type` is `x`; `<key>` is a key of your choosing. Defaults the schema does not state are',
    'in the descriptions or in [the annotated example](scenarios.md). Unknown fields are errors.',
    '',
    '## Top-level fields',
    '',
    '| field | type | default | description |',
    '|---|---|---|---|',
  ];
  const top: Row[] = [];
  const sections = new Map<string, Row[]>();
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    const rows: Row[] = [];
    r.rows(v, k, rows, false);
    if (rows.length > 1) sections.set(k, rows.slice(1)); // a plain value: the top-level table says it all
  }
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    const s = v.$ref !== undefined && !VALUE_TYPES.includes(refName(v.$ref)) ? { ...defs[refName(v.$ref)], ...v } : v;
    top.push({
      path: k,
      type: r.typeText(v),
      dflt: s.default !== undefined ? code(s.default) : '',
      description: [(schema.required ?? []).includes(k) ? '**required**' : '', s.description ?? ''].filter((x) => x !== '').join('; '),
    });
  }
  const name = (k: string): string => (sections.has(k) ? `[\`${k}\`](#${k.toLowerCase()})` : `\`${k}\``);
  out.push(...top.map((row) => `| ${name(row.path)} | ${cell(row.type)} | ${cell(row.dflt)} | ${cell(row.description)} |`), '');
  for (const [k, rows] of sections) out.push(`## ${k}`, '', ...r.table(rows), '');
  out.push('## Value types', '');
  for (const name of VALUE_TYPES) {
    const d = defs[name];
    if (d === undefined) continue;
    out.push(`### ${name}`, '', `${d.description ?? ''}`.trim(), '');
    const rows: Row[] = [];
    r.rows({ ...d, description: undefined }, name, rows, false);
    const variants = (d.oneOf ?? d.anyOf ?? []).map((v) => r.variantText(v));
    if (variants.length > 0) out.push(`One of: ${variants.join('; ')}.`, '');
    else if (rows.length <= 1) out.push(`Type: ${rows[0]?.type ?? ''}.`, '');
    if (rows.length > 1) out.push(...r.table(rows.slice(1)), '');
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
