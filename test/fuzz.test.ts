/**
 * Property-based tests (fast-check), bounded to a few seconds for CI; `npm run fuzz` runs a longer search
 * (FUZZ_RUNS=3000; any FUZZ_RUNS works: `FUZZ_RUNS=20000 node dist/test/run-all.js fuzz`), and FUZZ_SEED
 * picks another fixed seed (the default is fixed so CI is reproducible). Properties:
 * - a malformed scenario (random edits of a valid one, random YAML values at random fields, random text
 *   with anchors and aliases) either loads or fails with an InputError that names the file — never another
 *   exception — and within a time bound (no hang);
 * - through the CLI, a malformed scenario exits 2 with one message line and writes no file;
 * - a random valid scenario runs with every pod accounted for exactly once, no node over-committed at any
 *   commit, and the same fingerprint when run twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { fileURLToPath } from 'node:url';
import type { KubeObject, Node } from '../engine/api/objects.js';
import { isTerminal } from '../engine/api/objects.js';
import { podRequests } from '../engine/api/pod-resources.js';
import { runOnce } from '../engine/run.js';
import { InputError } from '../engine/scenario/input-error.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';

/** The value type an arbitrary generates. */
type Value<A> = A extends fc.Arbitrary<infer T> ? T : never;

const RUNS = Number(process.env.FUZZ_RUNS ?? '150');
/** A fixed default seed keeps CI reproducible; FUZZ_SEED explores elsewhere. */
const SEED = Number(process.env.FUZZ_SEED ?? '4242');
/** No input may take longer than this to accept or refuse (a hang shows up as a failure, not a stuck CI). */
const MAX_LOAD_MS = 2000;
const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', '..', 'test', 'fixtures', 'small.yaml');
const BASE = readFileSync(FIXTURE, 'utf8');

function load(text: string, file: string) {
  const docs = parseYamlDocuments(text, file);
  if (docs.length !== 1) throw new InputError(file, 0, 0, '', 'expected one document');
  return parseScenario(docs[0], file).scenario;
}

/** Loads or refuses `text`: anything but an InputError naming the file, or a slow answer, fails the property. */
function loadOrRefuse(text: string): void {
  const t0 = performance.now();
  try {
    load(text, 'fuzz.yaml');
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    assert.ok(e.message.startsWith('fuzz.yaml'), e.message);
    assert.ok(e.detail.length > 0);
  }
  const ms = performance.now() - t0;
  assert.ok(ms < MAX_LOAD_MS, `took ${ms.toFixed(0)} ms`);
}

/** One random edit of a YAML text, at a line chosen by the generator. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({
    kind: fc.constant('value' as const),
    at: fc.nat(),
    value: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom('-1', '1e400', '0x10', '[]', '{}', '~', '*a', '&a [1]', '"', "'", '- x', '1Pi', '-5m', '9999999999999'),
    ),
  }),
);

function apply(text: string, edits: readonly Value<typeof edit>[]): string {
  let lines = text.split('\n');
  for (const e of edits) {
    const i = e.at % lines.length;
    switch (e.kind) {
      case 'delete':
        lines.splice(i, 1);
        break;
      case 'duplicate':
        lines.splice(i, 0, lines[i]);
        break;
      case 'truncate':
        lines = lines.slice(0, i + 1);
        lines[i] = lines[i].slice(0, Math.floor(lines[i].length / 2));
        break;
      case 'indent':
        lines[i] = e.by >= 0 ? ' '.repeat(e.by) + lines[i] : lines[i].replace(new RegExp(`^ {0,${-e.by}}`), '');
        break;
      case 'value': {
        const colon = lines[i].indexOf(': ');
        lines[i] = colon >= 0 ? `${lines[i].slice(0, colon + 2)}${e.value}` : `${lines[i]} ${e.value}`;
        break;
      }
    }
    if (lines.length === 0) lines = [''];
  }
  return lines.join('\n');
}

test('malformed scenarios fail only with a clear InputError naming the file', () => {
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => loadOrRefuse(apply(BASE, edits))),
    { numRuns: RUNS, seed: SEED },
  );
});

/** Every field path of the fixture (as key lists), to put random values at. */
function fieldPaths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return [prefix, ...entries.flatMap(([k, x]) => fieldPaths(x, [...prefix, k]))];
}
const BASE_VALUE: unknown = parseYaml(BASE);
const PATHS = fieldPaths(BASE_VALUE).filter((p) => p.length > 0);

function setAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy: unknown = structuredClone(root);
  let o = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    const next = o[k];
    if (next === null || typeof next !== 'object') return copy; // an earlier change replaced this branch
    o = next as Record<string | number, unknown>;
  }
  o[path[path.length - 1]] = value;
  return copy;
}

/** YAML values of every shape, including the awkward ones (huge numbers, NaN, empty keys, deep lists). */
const yamlValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      null,
      true,
      false,
      0,
      -1,
      1e12,
      1e308,
      -0,
      0.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '',
      '1e3',
      '500m',
      '64Gi',
      '30s',
      '-5s',
      '0x10',
      '__proto__',
      'constructor',
    ),
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.double(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('name', 'count', 'type', 'cpu', 'spec', '__proto__')),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

test('random YAML values at random fields: an InputError or a valid scenario', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), yamlValue), { minLength: 1, maxLength: 3 }), (changes) => {
      let v = BASE_VALUE;
      for (const [at, value] of changes) v = setAt(v, PATHS[at % PATHS.length], value);
      loadOrRefuse(stringifyYaml(v));
    }),
    { numRuns: RUNS, seed: SEED + 1 },
  );
});

test('random text with anchors, aliases, tags and brackets: an InputError, never a crash or a hang', () => {
  const token = fc.oneof(
    fc.constantFrom(
      '&a ',
      '*a',
      '&b [*a, *a, *a, *a]',
      '<<: *a',
      '!!binary ',
      '!!set ',
      '? ',
      '- ',
      ': ',
      '{',
      '}',
      '[',
      ']',
      '"',
      "'",
      '|',
      '>',
      '#',
      '%YAML 1.2\n---\n',
      '---\n',
      '...\n',
      '\t',
      '\n  ',
      '\n',
    ),
    fc.string({ maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 40 }), fc.nat(), (tokens, at) => {
      const lines = BASE.split('\n');
      const i = at % lines.length;
      lines.splice(i, 0, tokens.join(''));
      loadOrRefuse(lines.join('\n'));
      loadOrRefuse(tokens.join(''));
    }),
    { numRuns: RUNS, seed: SEED + 2 },
  );
});

const cli = join(here, '..', 'engine', 'cli.js');

test('through the CLI: a malformed scenario exits 2 with one message and writes no file', () => {
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      const text = apply(BASE, edits);
      let valid = true;
      try {
        load(text, 'x.yaml');
      } catch {
        valid = false;
      }
      fc.pre(!valid); // valid edits run a whole sweep: covered elsewhere
      const dir = mkdtempSync(join(tmpdir(), 'kubesim-fuzz-'));
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, text);
      const out = join(dir, 'out');
      const r = spawnSync(process.execPath, [cli, 'run', file, '--out', out, '--jobs', '1'], { encoding: 'utf8' });
      assert.is(r.status, 2, r.stderr);
      assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, `kubesim: error: ${file}`);
      assert.not.ok(existsSync(out), 'no output folder');
      assert.equal(readdirSync(dir), ['bad.yaml']);
    }),
    { numRuns: Math.max(3, Math.floor(RUNS / 50)), seed: SEED + 3 },
  );
});

const nodePool = fc.record({
  count: fc.integer({ min: 1, max: 6 }),
  cpu: fc.integer({ min: 500, max: 16000 }),
  memGi: fc.integer({ min: 1, max: 64 }),
  pods: fc.integer({ min: 1, max: 30 }),
  cordoned: fc.boolean(),
});
const podWorkload = fc.record({
  count: fc.integer({ min: 1, max: 40 }),
  cpu: fc.option(fc.integer({ min: 0, max: 6000 }), { nil: undefined }),
  memMi: fc.option(fc.integer({ min: 0, max: 20000 }), { nil: undefined }),
  poisson: fc.boolean(),
  lifetimeS: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
  priority: fc.integer({ min: -10, max: 10 }),
});
const scenarioGen = fc.record({
  pools: fc.array(nodePool, { minLength: 1, maxLength: 3 }),
  workloads: fc.array(podWorkload, { minLength: 1, maxLength: 3 }),
  deployment: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  policy: fc.constantFrom('LeastAllocated', 'MostAllocated'),
  seed: fc.nat(1000),
});

function scenarioYaml(g: Value<typeof scenarioGen>): string {
  const pools = g.pools
    .map(
      (p, i) =>
        `    - {name: p${i}, count: ${p.count}, template: {cpu: ${p.cpu}m, memory: ${p.memGi}Gi, pods: ${p.pods}, unschedulable: ${p.cordoned}}}`,
    )
    .join('\n');
  const wls = g.workloads
    .map((w, i) => {
      const req: string[] = [];
      if (w.cpu !== undefined) req.push(`cpu: ${w.cpu}m`);
      if (w.memMi !== undefined) req.push(`memory: ${w.memMi}Mi`);
      const arrival = w.poisson ? `{type: poisson, rate: 20, count: ${w.count}}` : `{type: burst, count: ${w.count}}`;
      const life = w.lifetimeS !== undefined ? `\n    lifetime: {type: exponential, mean: ${w.lifetimeS}s}` : '';
      return `  - name: w${i}\n    arrival: ${arrival}${life}\n    pod: {spec: {priority: ${w.priority}, containers: [{name: c, image: img${i}, resources: {requests: {${req.join(', ')}}}}]}}`;
    })
    .join('\n');
  const dep =
    g.deployment === undefined
      ? ''
      : `\n  - manifest: {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: ${g.deployment}, selector: {matchLabels: {app: d}}, template: {metadata: {labels: {app: d}}, spec: {containers: [{name: c, image: d, resources: {requests: {cpu: 300m}}}]}}}}`;
  return `name: random
seed: ${g.seed}
duration: 10m
cluster:
  nodePools:
${pools}
workloads:
${wls}${dep}
policies:
  - name: p
    config: {apiVersion: kubescheduler.config.k8s.io/v1, kind: KubeSchedulerConfiguration, profiles: [{pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: ${g.policy}}}}]}]}
`;
}

test('random valid scenarios: conservation, no over-committed node, determinism', () => {
  fc.assert(
    fc.property(scenarioGen, (g) => {
      const sc = load(scenarioYaml(g), 'random.yaml');
      const nodes = new Map<string, Node>();
      const used = new Map<string, number[]>();
      const placed = new Map<string, KubeObject>();
      // Deployment pods evicted by preemption are replaced by their ReplicaSet (one more pod created each).
      const preemptedDeploymentPods = new Set<string>();
      const observe = (_t: number, type: string, o: KubeObject): void => {
        if (o.kind === 'Node') nodes.set(o.metadata.name, o);
        if (o.kind !== 'Pod') return;
        if (o.status.disruptionTarget === 'PreemptionByScheduler' && o.metadata.labels.app === 'd')
          preemptedDeploymentPods.add(o.metadata.name);
        const key = `${o.metadata.namespace}/${o.metadata.name}`;
        const prev = placed.get(key);
        if (prev !== undefined && prev.kind === 'Pod') {
          const r = podRequests(prev.spec);
          const u = used.get(prev.spec.nodeName)!;
          u[0] -= r.cpu;
          u[1] -= r.memory;
          u[2]--;
          placed.delete(key);
        }
        if (type === 'DELETED' || o.spec.nodeName === '' || isTerminal(o)) return;
        const r = podRequests(o.spec);
        const u = used.get(o.spec.nodeName) ?? [0, 0, 0];
        u[0] += r.cpu;
        u[1] += r.memory;
        u[2]++;
        used.set(o.spec.nodeName, u);
        placed.set(key, o);
        const a = nodes.get(o.spec.nodeName)!.status.allocatable;
        if (u[0] > a.cpu || u[1] > a.memory || u[2] > a.pods)
          throw new Error(`${o.spec.nodeName} over-committed: ${u} > ${JSON.stringify(a)}`);
      };
      const r = runOnce(sc, sc.policies[0], sc.seed, { observe });
      const s = r.summary;
      const expected = g.workloads.reduce((n, w) => n + w.count, 0) + (g.deployment ?? 0) + preemptedDeploymentPods.size;
      assert.is(s.pods_created, expected);
      assert.is(
        s.pods_running + s.pods_starting_end + s.pods_succeeded + s.pods_failed + s.pods_deleted + s.pods_pending_end,
        s.pods_created,
      );
      const again = runOnce(sc, sc.policies[0], sc.seed);
      assert.is(again.fingerprint, r.fingerprint);
    }),
    { numRuns: Math.max(10, Math.floor(RUNS / 6)), seed: SEED + 777 - 4242 },
  );
});

test.run();
