/**
 * PodDisruptionBudget: the disruption controller's arithmetic (pkg/controller/disruption/disruption_test.go
 * TestMinAvailable, TestMaxUnavailable, TestIntegerMaxUnavailable, TestReplicaSet percentages rounded up), the
 * Eviction API (pkg/registry/core/pod/storage/eviction_test.go TestEviction: pending pods ignore budgets, no
 * disruption left → 429, several budgets → 500, unhealthy pods under a healthy budget), DefaultPreemption's
 * filterPodsWithPDBViolation and victim choice (default_preemption_test.go "pdb violating victims are
 * reprieved first", pickOneNodeForPreemption by fewest violations), and the cluster autoscaler's drains.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiServer, Client, type ApiResult } from '../engine/api/api-server.js';
import { evictionDecision } from '../engine/api/eviction.js';
import { EMPTY_PDB_STATUS, type KubeObject, type Pod, type PodDisruptionBudget } from '../engine/api/objects.js';
import { expectedCounts } from '../engine/controllers/disruption.js';
import { RngFactory, RngStream } from '../engine/core/rng.js';
import { Simulation } from '../engine/core/simulation.js';
import { runOnce, type RunResult } from '../engine/run.js';
import { parseManifests } from '../engine/scenario/manifests.js';
import type { Scenario } from '../engine/scenario/types.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { preempt, splitByBudgetViolation } from '../engine/scheduler/preemption.js';
import { DEFAULT_PREEMPTION_ARGS } from '../engine/scheduler/plugins/default-preemption/index.js';
import { DEFAULT_PROFILE } from '../engine/scheduler/profile.js';
import { expectInputError, makePod, makeSpec, scenarioFrom } from './helpers.js';
import { cluster, inputOf, labeledPod, runCycle } from './scheduler-helpers.js';

const S = 1_000_000;

function pdb(spec: string, status: Partial<PodDisruptionBudget['status']> = {}, name = 'b'): PodDisruptionBudget {
  const [f] = parseYamlDocuments(
    `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: ${name}}\nspec: ${spec}\n`,
    'pdb.yaml',
  );
  const b = parseManifests(f)[0] as PodDisruptionBudget;
  return { ...b, status: { ...b.status, ...status } };
}

test('manifests: one of minAvailable/maxUnavailable, int or percent ≤ 100%', () => {
  assert.equal(pdb('{minAvailable: 2, selector: {matchLabels: {app: a}}}').spec.minAvailable, { value: 2, percent: false });
  assert.equal(pdb('{maxUnavailable: "25%", selector: {}}').spec.maxUnavailable, { value: 25, percent: true });
  assert.is(pdb('{maxUnavailable: 1}').spec.selector, null);
  assert.match(expectInputError(() => pdb('{minAvailable: 1, maxUnavailable: 1}')).message, /cannot both be set/);
  assert.match(expectInputError(() => pdb('{selector: {}}')).message, /expected minAvailable or maxUnavailable/);
  assert.match(expectInputError(() => pdb('{minAvailable: "150%"}')).message, /greater than 100%/);
  assert.match(
    expectInputError(() => pdb('{minAvailable: 1, unhealthyPodEvictionPolicy: AlwaysAllow}')).message,
    /AlwaysAllow is not modeled/,
  );
});

test('getExpectedPodCount: integer minAvailable counts pods; percentages and maxUnavailable use the scale, rounded up', () => {
  assert.equal(
    expectedCounts(pdb('{minAvailable: 3}'), 5, () => null),
    { expectedPods: 5, desiredHealthy: 3 },
  );
  // 34% of 3 → 1.02 → 2 (rounded up).
  assert.equal(
    expectedCounts(pdb('{minAvailable: "34%"}'), 3, () => 3),
    { expectedPods: 3, desiredHealthy: 2 },
  );
  // maxUnavailable 34% of 3 → 2 unavailable → 1 healthy desired.
  assert.equal(
    expectedCounts(pdb('{maxUnavailable: "34%"}'), 3, () => 3),
    { expectedPods: 3, desiredHealthy: 1 },
  );
  assert.equal(
    expectedCounts(pdb('{maxUnavailable: 5}'), 3, () => 3),
    { expectedPods: 3, desiredHealthy: 0 },
  );
  // Unknown scale (a pod without a scalable controller): no counts, the controller fails safe.
  assert.is(
    expectedCounts(pdb('{maxUnavailable: 1}'), 3, () => null),
    null,
  );
});

function running(name: string, labels: Record<string, string>, ready = true): Pod {
  const p = makePod(name, makeSpec([{ cpu: 100 }], { nodeName: 'n' }));
  return { ...p, metadata: { ...p.metadata, labels }, status: { phase: 'Running', ready } };
}

test('Eviction API: pending pods ignore budgets; no disruption left → 429; two budgets → 500; a used disruption is recorded', () => {
  const sel = '{minAvailable: 1, selector: {matchLabels: {app: a}}}';
  const none = pdb(sel, { observed: true, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1 });
  const one = pdb(sel, { observed: true, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1 });
  const pod = running('a-1', { app: 'a' });
  assert.equal(evictionDecision({ ...pod, status: { phase: 'Pending', ready: false } }, [none], 0), { code: 200 });
  assert.equal(evictionDecision(pod, [none], 0), { code: 429 });
  assert.equal(evictionDecision(pod, [one, { ...one, metadata: { ...one.metadata, name: 'c' } }], 0), { code: 500 });
  assert.equal(evictionDecision(running('x', { app: 'b' }), [none], 0), { code: 200 });
  // Not computed yet by the controller: refused.
  assert.equal(evictionDecision(pod, [pdb(sel)], 0), { code: 429 });
  const d = evictionDecision(pod, [one], 7);
  assert.is(d.code, 200);
  if (d.code === 200 && d.budget !== undefined) {
    assert.is(d.next.status.disruptionsAllowed, 0);
    assert.equal(d.next.status.disruptedPods, { 'a-1': 7 });
  } else assert.unreachable('expected a budget write');
  // IfHealthyBudget: an unready pod goes without using a healthy budget's disruption.
  assert.equal(evictionDecision(running('a-2', { app: 'a' }, false), [none], 0), { code: 200 });
});

test('Eviction API through the API server: the budget write then the graceful delete; a refused eviction leaves the pod', () => {
  const sim = new Simulation();
  const params = scenarioFrom(
    'name: x\nduration: 1s\ncluster: {nodePools: [{name: n, count: 1, template: {cpu: "1", memory: 1Gi}}]}\nworkloads: []\n',
  ).params.apiServer;
  const api = new ApiServer(sim, params, new RngFactory(1));
  const user = new Client('test', { qps: Infinity, burst: Infinity }, 'exempt');
  const budget = pdb('{minAvailable: 1, selector: {matchLabels: {app: a}}}', {
    observed: true,
    disruptionsAllowed: 1,
    currentHealthy: 2,
    desiredHealthy: 1,
  });
  for (const o of [budget, running('a-1', { app: 'a' }), running('a-2', { app: 'a' })] as KubeObject[]) api.create(user, o);
  sim.run();
  const results: ApiResult[] = [];
  api.evict(user, 'Pod/default/a-1', (r) => results.push(r));
  sim.run();
  api.evict(user, 'Pod/default/a-2', (r) => results.push(r));
  sim.run();
  assert.equal(
    results.map((r) => r.code),
    [200, 429],
  );
  const a1 = api.get('Pod', 'default', 'a-1') as Pod;
  assert.ok(a1.metadata.deletionTimestamp !== undefined, 'a-1 is being deleted');
  assert.is((api.get('Pod', 'default', 'a-2') as Pod).metadata.deletionTimestamp, undefined);
  const b = api.get('PodDisruptionBudget', 'default', 'b') as PodDisruptionBudget;
  assert.is(b.status.disruptionsAllowed, 0);
  assert.ok('a-1' in b.status.disruptedPods);
});

test('filterPodsWithPDBViolation: budgets decremented per matching victim in order; disrupted pods and empty selectors do not count', () => {
  const v = (name: string, labels: Record<string, string>) => ({ e: { pod: running(name, labels) } });
  const b = pdb('{minAvailable: 1, selector: {matchLabels: {app: a}}}', { observed: true, disruptionsAllowed: 1 });
  const { violating, other } = splitByBudgetViolation([v('a-1', { app: 'a' }), v('a-2', { app: 'a' }), v('x', { app: 'x' })], [b]);
  assert.equal(
    violating.map((x) => x.e.pod.metadata.name),
    ['a-2'],
  );
  assert.equal(
    other.map((x) => x.e.pod.metadata.name),
    ['a-1', 'x'],
  );
  const disrupted = { ...b, status: { ...b.status, disruptionsAllowed: 0, disruptedPods: { 'a-1': 0 } } };
  assert.equal(splitByBudgetViolation([v('a-1', { app: 'a' })], [disrupted]).violating, []);
  const everything = pdb('{minAvailable: 1, selector: {}}', { observed: true, disruptionsAllowed: 0 });
  assert.equal(splitByBudgetViolation([v('a-1', { app: 'a' })], [everything]).violating, [], 'an empty selector matches nothing here');
});

test('preemption: the candidate whose victims violate no budget is chosen; violating victims are reprieved first', () => {
  const node = (name: string) => ({ name, labels: { 'kubernetes.io/hostname': name }, alloc: { cpu: 1000, memory: 2 ** 30, pods: 110 } });
  // n1: "young" (app=prot) started later than n2's "old" (app=free): without budgets the latest-start rule picks n1.
  const existing = [
    { name: 'young', node: 'n1', priority: 1, requests: { cpu: 1000 }, startTime: 200, labels: { app: 'prot' } },
    { name: 'old', node: 'n2', priority: 1, requests: { cpu: 1000 }, startTime: 100, labels: { app: 'free' } },
  ];
  const choose = (budgets: PodDisruptionBudget[]): { node: string; victims: string[] } => {
    const c = cluster([node('n1'), node('n2')], existing);
    const { k } = runCycle(DEFAULT_PROFILE, c, inputOf(labeledPod('p', {}, { priority: 10 }, 'default', { cpu: 1000 })));
    const out = preempt(k, c.t, c.pods, 10, DEFAULT_PREEMPTION_ARGS, [], new RngStream(1, 't'), 1_000_000, budgets);
    return { node: c.t.names[out.row], victims: out.victims.map((x) => x.pod.metadata.name) };
  };
  assert.equal(choose([]), { node: 'n1', victims: ['young'] });
  const protect = pdb('{minAvailable: 1, selector: {matchLabels: {app: prot}}}', { observed: true, disruptionsAllowed: 0 });
  assert.equal(choose([protect]), { node: 'n2', victims: ['old'] });
  // On one node: two victims possible, one protected; the protected one is reprieved first.
  const c = cluster(
    [node('n1')],
    [
      { name: 'free', node: 'n1', priority: 1, requests: { cpu: 500 }, startTime: 100, labels: { app: 'free' } },
      { name: 'prot', node: 'n1', priority: 2, requests: { cpu: 500 }, startTime: 100, labels: { app: 'prot' } },
    ],
  );
  const { k } = runCycle(DEFAULT_PROFILE, c, inputOf(labeledPod('p', {}, { priority: 10 }, 'default', { cpu: 500 })));
  const out = preempt(k, c.t, c.pods, 10, DEFAULT_PREEMPTION_ARGS, [], new RngStream(1, 't'), 1_000_000, [protect]);
  assert.equal(
    out.victims.map((x) => x.pod.metadata.name),
    ['free'],
  );
  // Without the budget the more important "prot" is reprieved first anyway; make "free" the more important one
  // to see the budget change the order: prot (prio 1) would be the victim, but the budget saves it.
  const c2 = cluster(
    [node('n1')],
    [
      { name: 'free', node: 'n1', priority: 2, requests: { cpu: 500 }, startTime: 100, labels: { app: 'free' } },
      { name: 'prot', node: 'n1', priority: 1, requests: { cpu: 500 }, startTime: 100, labels: { app: 'prot' } },
    ],
  );
  const r2 = runCycle(DEFAULT_PROFILE, c2, inputOf(labeledPod('p', {}, { priority: 10 }, 'default', { cpu: 500 })));
  const victims = (b: PodDisruptionBudget[]) =>
    preempt(r2.k, c2.t, c2.pods, 10, DEFAULT_PREEMPTION_ARGS, [], new RngStream(1, 't'), 1_000_000, b).victims.map(
      (x) => x.pod.metadata.name,
    );
  assert.equal(victims([]), ['prot']);
  assert.equal(victims([protect]), ['free']);
});

function deployment(replicas: number): string {
  return `  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: ${replicas}
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: "1", memory: 1Gi}}}]}`;
}

function budget(spec: string): string {
  return `  - manifest:
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec: ${spec}`;
}

function scenario(workloads: string, duration = '2m'): Scenario {
  return scenarioFrom(`
name: pdb
duration: ${duration}
cluster:
  nodePools:
    - {name: g, count: 3, autoscaling: {min: 1, max: 3}, template: {cpu: "4", memory: 16Gi}}
workloads:
${workloads}
parameters:
  clusterAutoscaler: {provisioningDelay: 30s}
`);
}

function run(s: Scenario): { r: RunResult; log: { t: number; type: string; obj: KubeObject }[] } {
  const log: { t: number; type: string; obj: KubeObject }[] = [];
  const r = runOnce(s, s.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  return { r, log };
}

const lastBudget = (log: { obj: KubeObject }[]): PodDisruptionBudget['status'] =>
  (log.filter((c) => c.obj.kind === 'PodDisruptionBudget').at(-1)?.obj as PodDisruptionBudget).status;

test("disruption controller: status from the Deployment's scale and its ready pods", () => {
  const a = lastBudget(run(scenario(deployment(4) + '\n' + budget('{minAvailable: 3, selector: {matchLabels: {app: web}}}'))).log);
  assert.equal(
    { ...a, disruptedPods: {} },
    { ...EMPTY_PDB_STATUS, observed: true, currentHealthy: 4, desiredHealthy: 3, expectedPods: 4, disruptionsAllowed: 1 },
  );
  const b = lastBudget(run(scenario(deployment(4) + '\n' + budget('{maxUnavailable: "50%", selector: {matchLabels: {app: web}}}'))).log);
  assert.equal([b.expectedPods, b.desiredHealthy, b.disruptionsAllowed], [4, 2, 2]);
});

test('cluster autoscaler: a drain that would violate a budget is not done; with room in the budget the nodes are drained', () => {
  // 3 pods of 1 cpu, one per node (spreading): every node is under-used, and the 3 pods fit on one node.
  const blocked = run(scenario(deployment(3) + '\n' + budget('{minAvailable: 3, selector: {matchLabels: {app: web}}}'), '25m'));
  assert.is(blocked.r.summary.nodes_end, 3, 'no node removed: each drain would take the budget below 3');
  assert.is(blocked.log.filter((c) => c.obj.kind === 'Pod' && c.type === 'DELETED').length, 0);
  const allowed = run(scenario(deployment(3) + '\n' + budget('{maxUnavailable: 1, selector: {matchLabels: {app: web}}}'), '25m'));
  assert.ok(allowed.r.summary.nodes_end < 3, `nodes at the end: ${allowed.r.summary.nodes_end}`);
  assert.is(allowed.r.summary.pods_running, 3);
  // Every eviction went through the budget: it recorded the disrupted pod.
  assert.ok(
    allowed.log.some(
      (c) => c.obj.kind === 'PodDisruptionBudget' && Object.keys((c.obj as PodDisruptionBudget).status.disruptedPods).length > 0,
    ),
  );
  void S;
});

test.run();
