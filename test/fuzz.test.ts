/**
 * Property-based tests (fast-check), bounded to a few seconds for CI; `FUZZ_RUNS=2000 node
 * dist/test/run-all.js fuzz` runs longer. Properties:
 * - a malformed scenario (random edits of a valid one) either loads or fails with an InputError that names
 *   the file — never another exception;
 * - a random valid scenario runs with every pod accounted for exactly once, no node over-committed at any
 *   commit, and the same fingerprint when run twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
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
const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', '..', 'test', 'fixtures', 'small.yaml');
const BASE = readFileSync(FIXTURE, 'utf8');

function load(text: string, file: string) {
  const docs = parseYamlDocuments(text, file);
  if (docs.length !== 1) throw new InputError(file, 0, 0, '', 'expected one document');
  return parseScenario(docs[0], file).scenario;
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
    value: fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.double().map(String), fc.constantFrom('-1', '1e400', '0x10', '[]', '{}', '~', '*a', '&a [1]', '"', "'", '- x', '1Pi', '-5m', '9999999999999')),
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
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
      const text = apply(BASE, edits);
      try {
        load(text, 'fuzz.yaml');
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        assert.ok(e.message.startsWith('fuzz.yaml'), e.message);
        assert.ok(e.detail.length > 0);
      }
    }),
    { numRuns: RUNS, seed: 4242 },
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
    .map((p, i) => `    - {name: p${i}, count: ${p.count}, template: {cpu: ${p.cpu}m, memory: ${p.memGi}Gi, pods: ${p.pods}, unschedulable: ${p.cordoned}}}`)
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
        if (o.status.disruptionTarget === 'PreemptionByScheduler' && o.metadata.labels.app === 'd') preemptedDeploymentPods.add(o.metadata.name);
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
        if (u[0] > a.cpu || u[1] > a.memory || u[2] > a.pods) throw new Error(`${o.spec.nodeName} over-committed: ${u} > ${JSON.stringify(a)}`);
      };
      const r = runOnce(sc, sc.policies[0], sc.seed, { observe });
      const s = r.summary;
      const expected = g.workloads.reduce((n, w) => n + w.count, 0) + (g.deployment ?? 0) + preemptedDeploymentPods.size;
      assert.is(s.pods_created, expected);
      assert.is(s.pods_running + s.pods_starting_end + s.pods_succeeded + s.pods_failed + s.pods_deleted + s.pods_pending_end, s.pods_created);
      const again = runOnce(sc, sc.policies[0], sc.seed);
      assert.is(again.fingerprint, r.fingerprint);
    }),
    { numRuns: Math.max(10, Math.floor(RUNS / 6)), seed: 777 },
  );
});

test.run();
