/**
 * scenarios/scenario.schema.json stays in sync with the loader: every bundled scenario and test fixture
 * validates against it, and the keys it allows at each place are exactly the keys the loader accepts there
 * (read from the loader's own "unknown field … expected one of: …" message). The validator below is a small
 * subset of JSON Schema 2020-12, enough for this schema; it refuses keywords it does not know, so the schema
 * cannot silently rely on one it ignores.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InputError } from '../engine/scenario/input-error.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
type Schema = { readonly [k: string]: unknown };
const schema = JSON.parse(readFileSync(join(root, 'scenarios', 'scenario.schema.json'), 'utf8')) as Schema;

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default']);
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Errors of `v` against `s` (empty = valid), each with the path. */
function validate(v: unknown, s: Schema, path = '$'): string[] {
  const errs: string[] = [];
  for (const [k, rule] of Object.entries(s)) {
    if (ANNOTATIONS.has(k) || k === '$defs') continue;
    const r = rule as Schema & unknown[] & string & number & boolean;
    switch (k) {
      case '$ref': {
        const m = /^#\/\$defs\/(.+)$/.exec(r);
        if (m === null) throw new Error(`unsupported $ref ${r}`);
        errs.push(...validate(v, (schema.$defs as Record<string, Schema>)[m[1]], path));
        break;
      }
      case 'type': {
        const types = Array.isArray(r) ? (r as string[]) : [r];
        const t = typeOf(v);
        if (!types.some((x) => x === t || (x === 'integer' && Number.isInteger(v))))
          errs.push(`${path}: expected ${types.join('|')}, got ${t}`);
        break;
      }
      case 'properties':
        if (typeOf(v) === 'object')
          for (const [p, ps] of Object.entries(r as Schema))
            if (p in (v as object)) errs.push(...validate((v as Record<string, unknown>)[p], ps as Schema, `${path}.${p}`));
        break;
      case 'additionalProperties':
        if (typeOf(v) !== 'object') break;
        for (const [p, pv] of Object.entries(v as object)) {
          if ((s.properties as Schema | undefined)?.[p] !== undefined) continue;
          if (r === false) errs.push(`${path}: unknown key ${p}`);
          else errs.push(...validate(pv, r as Schema, `${path}.${p}`));
        }
        break;
      case 'required':
        if (typeOf(v) === 'object') for (const p of r as string[]) if (!(p in (v as object))) errs.push(`${path}: missing ${p}`);
        break;
      case 'items':
        if (Array.isArray(v)) v.forEach((x, i) => errs.push(...validate(x, r as Schema, `${path}[${i}]`)));
        break;
      case 'minItems':
        if (Array.isArray(v) && v.length < r) errs.push(`${path}: fewer than ${r} items`);
        break;
      case 'maxItems':
        if (Array.isArray(v) && v.length > r) errs.push(`${path}: more than ${r} items`);
        break;
      case 'enum':
        if (!(r as unknown[]).includes(v)) errs.push(`${path}: not one of ${JSON.stringify(r)}`);
        break;
      case 'const':
        if (v !== r) errs.push(`${path}: expected ${JSON.stringify(r)}`);
        break;
      case 'minimum':
        if (typeof v === 'number' && v < r) errs.push(`${path}: below ${r}`);
        break;
      case 'maximum':
        if (typeof v === 'number' && v > r) errs.push(`${path}: above ${r}`);
        break;
      case 'exclusiveMinimum':
        if (typeof v === 'number' && v <= r) errs.push(`${path}: not above ${r}`);
        break;
      case 'pattern':
        if (typeof v === 'string' && !new RegExp(r, 'u').test(v)) errs.push(`${path}: does not match ${r}`);
        break;
      case 'allOf':
        for (const x of r as Schema[]) errs.push(...validate(v, x, path));
        break;
      case 'anyOf':
        if (!(r as Schema[]).some((x) => validate(v, x, path).length === 0)) errs.push(`${path}: matches none of anyOf`);
        break;
      case 'oneOf': {
        const n = (r as Schema[]).filter((x) => validate(v, x, path).length === 0).length;
        if (n !== 1) errs.push(`${path}: matches ${n} of oneOf, expected exactly 1`);
        break;
      }
      default:
        throw new Error(`the test's validator does not know the keyword ${k}`);
    }
  }
  return errs;
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f));

test('every bundled scenario and scenario fixture validates against the schema', () => {
  const files = [...yamlFiles(join(root, 'scenarios')), ...yamlFiles(join(root, 'test', 'fixtures'))];
  assert.ok(files.length >= 5);
  for (const f of files) {
    const doc: unknown = parseYaml(readFileSync(f, 'utf8'));
    assert.equal(validate(doc, schema), [], f);
  }
});

test('the validator and the schema refuse what the loader refuses', () => {
  const ok = { cluster: { nodePools: [{ name: 'n', count: 1, template: { cpu: '1', memory: '1Gi' } }] } };
  assert.equal(validate(ok, schema), []);
  assert.equal(validate({ ...ok, sed: 1 }, schema), ['$: unknown key sed']);
  assert.equal(validate({ cluster: { nodePools: [{ count: 1 }] } }, schema), [
    '$.cluster.nodePools[0]: matches 0 of oneOf, expected exactly 1',
  ]);
  const wl = (arrival: unknown) => validate({ ...ok, workloads: [{ name: 'w', pod: {}, arrival }] }, schema);
  assert.equal(wl({ type: 'ramp', from: 0, to: 5, over: '1m', count: 10 }), []);
  assert.equal(wl({ type: 'diurnal', rates: [1, 2], count: 10 }), []);
  assert.ok(wl({ type: 'diurnal', count: 10 }).length > 0);
  assert.ok(wl({ type: 'burst', count: 0 }).length > 0);
});

const POD = { spec: { containers: [{ name: 'c', image: 'i' }] } };

/**
 * The keys the loader accepts at `path` of a minimal scenario (after `patch` is merged there), from its
 * message for an unknown key.
 */
function loaderKeys(path: readonly (string | number)[], patch: Record<string, unknown> = {}): string[] {
  const doc: Record<string, unknown> = {
    cluster: { nodePools: [{ name: 'n', count: 1, template: { cpu: '1', memory: '1Gi' } }] },
    workloads: [{ name: 'w', pod: POD, arrival: { type: 'burst', count: 1 } }],
    parameters: {
      kubelet: {},
      scheduler: {},
      controllerManager: {},
      apiServer: {},
      kubeProxy: {},
      nodeLifecycle: {},
      clusterAutoscaler: {},
    },
    report: {},
    steps: [],
  };
  let at = doc;
  for (const p of path) {
    const parent = at as Record<string | number, unknown>;
    parent[p] ??= {};
    at = parent[p] as Record<string, unknown>;
  }
  Object.assign(at, patch, { zzzzzzzzzzzz: 1 });
  try {
    parseScenario(parseYamlDocuments(stringifyYaml(doc), 'probe.yaml')[0], 'probe.yaml');
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const m = /unknown field "zzzzzzzzzzzz"; expected one of: (.*)$/.exec(e.detail);
    if (m !== null) return m[1].split(', ').sort();
    throw e;
  }
  throw new Error('the loader accepted an unknown key');
}

const def = (name: string): Schema => (schema.$defs as Record<string, Schema>)[name];
const keysOf = (s: Schema): string[] => Object.keys(s.properties as Schema).sort();
const typeRuleOf = (b: Schema, key: string): Schema => (b.properties as Record<string, Schema>)[key];
const typeRule = (b: Schema): Schema => typeRuleOf(b, 'type');
const branch = (type: string): Schema =>
  (def('arrival').oneOf as Schema[]).find(
    (b) => typeRule(b).const === type || (typeRule(b).enum as string[] | undefined)?.includes(type),
  ) as Schema;
const step = (opcode: string): Schema => (def('step').oneOf as Schema[]).find((b) => typeRuleOf(b, 'opcode').const === opcode) as Schema;
const props = (s: Schema, ...path: string[]): Schema => path.reduce((x, p) => (x.properties as Record<string, Schema>)[p], s);

test('the schema allows exactly the keys the loader accepts, place by place', () => {
  const arrival = ['workloads', 0, 'arrival'];
  const places: [string, (string | number)[], Record<string, unknown>, Schema][] = [
    ['top level', [], {}, schema],
    ['cluster', ['cluster'], {}, props(schema, 'cluster')],
    ['node pool', ['cluster', 'nodePools', 0], {}, def('nodePool')],
    ['node template', ['cluster', 'nodePools', 0, 'template'], {}, props(def('nodePool'), 'template')],
    ['workload', ['workloads', 0], {}, (def('workload').allOf as Schema[])[0]],
    ['report', ['report'], {}, props(schema, 'report')],
    ['parameters', ['parameters'], {}, def('parameters')],
    ['node pool autoscaling', ['cluster', 'nodePools', 0, 'autoscaling'], { max: 2 }, props(def('nodePool'), 'autoscaling')],
    ...(['kubelet', 'scheduler', 'controllerManager', 'apiServer', 'kubeProxy', 'nodeLifecycle', 'clusterAutoscaler'].map((k) => [
      `parameters.${k}`,
      ['parameters', k],
      {},
      props(def('parameters'), k),
    ]) as [string, string[], Record<string, unknown>, Schema][]),
    ['burst arrival', arrival, {}, branch('burst')],
    ['poisson arrival', arrival, { type: 'poisson', rate: 1 }, branch('poisson')],
    ['ramp arrival', arrival, { type: 'ramp', from: 0, to: 1, over: '1s' }, branch('ramp')],
    ['diurnal arrival', arrival, { type: 'diurnal', rates: [1] }, branch('diurnal')],
    ['churn arrival', arrival, { type: 'churn', mode: 'create', count: undefined }, branch('churn')],
    ...(
      [
        ['createNodes', { count: 1 }],
        ['createPods', { count: 1, pod: POD }],
        ['barrier', {}],
        ['sleep', { duration: '1s' }],
        ['deletePods', {}],
        ['churn', { mode: 'create', pod: POD }],
        ['startCollectingMetrics', { namespaces: ['a'] }],
        ['stopCollectingMetrics', {}],
      ] as const
    ).map(
      ([opcode, patch]) =>
        [`${opcode} step`, ['steps', 0], { opcode, ...patch }, step(opcode)] as [
          string,
          (string | number)[],
          Record<string, unknown>,
          Schema,
        ],
    ),
  ];
  for (const [where, path, patch, s] of places) assert.equal(keysOf(s), loaderKeys(path, patch), where);
  // The arrival types the loader knows (from its "expected one of" message) are the schema's.
  let types: string[] = [];
  try {
    loaderKeys(arrival, { type: 'zzzzzzzzz' });
  } catch (e) {
    types = (/expected one of (.*), got/.exec((e as InputError).detail) as RegExpExecArray)[1]
      .split(', ')
      .map((t) => JSON.parse(t) as string)
      .sort();
  }
  const schemaTypes = (def('arrival').oneOf as Schema[]).flatMap((b) =>
    typeRule(b).const !== undefined ? [typeRule(b).const as string] : (typeRule(b).enum as string[]),
  );
  assert.equal(schemaTypes.sort(), types);
  // The opcodes too.
  let opcodes: string[] = [];
  try {
    loaderKeys(['steps', 0], { opcode: 'zzzzzzzzz' });
  } catch (e) {
    opcodes = (/expected one of (.*), got/.exec((e as InputError).detail) as RegExpExecArray)[1]
      .split(', ')
      .map((t) => JSON.parse(t) as string)
      .sort();
  }
  assert.equal((def('step').oneOf as Schema[]).map((b) => typeRuleOf(b, 'opcode').const as string).sort(), opcodes);
});

test.run();
