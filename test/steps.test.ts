/**
 * Step lists (scheduler_perf's ops): each step starts when the previous one is done, at virtual times derived
 * by hand from constant latencies. With request processing 1 ms, etcd write 1 ms and watch delay 1 ms, no watch
 * fan-out cost, and an unthrottled scenario client: a create issued at t has creationTimestamp t and is answered (committed) at
 * t + 2 ms; the driver's informer sees a commit at c at c + 1 ms. So a step that waits for pods to be
 * scheduled ends 1 ms after the last binding commit, and createNodes ends 2 ms after it starts.
 * Upstream semantics from kubernetes test/integration/scheduler_perf (executor.go, operations.go).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from '../engine/api/objects.js';
import { runOutput } from '../engine/metrics/run-output.js';
import type { PodRecord } from '../engine/metrics/recorder.js';
import { runOnce, type RunResult } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';
import type { Scenario } from '../engine/scenario/types.js';
import { expectInputError, scenarioFrom } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const MS = 1000;

const HEADER = `
duration: 10m
parameters:
  apiServer: {requestLatency: 1ms, etcdWriteLatency: 1ms, watchDelay: 1ms, watchCostPerEvent: 0s, watchCostPerWatcher: 0s}
`;
// terminationGracePeriodSeconds 0: a DELETE removes the pod at its commit (no graceful termination by the kubelet,
// which test/graceful-termination covers), so deletion times follow from the step alone.
const POD = `{spec: {terminationGracePeriodSeconds: 0, containers: [{name: c, image: pause, resources: {requests: {cpu: 100m, memory: 100Mi}}}]}}`;

function run(stepsYaml: string, extra = ''): { s: Scenario; r: RunResult } {
  const s = scenarioFrom(`${HEADER}${extra}\nsteps:\n${stepsYaml}`);
  return { s, r: runOnce(s, s.policies[0], 1) };
}

/** The records of the pods of one namespace, in creation order. */
function pods(r: RunResult, namespace: string): PodRecord[] {
  return [...r.recorder.pods.values()].filter((p) => p.key.startsWith(`Pod/${namespace}/`));
}
const lastBound = (ps: PodRecord[]): number => Math.max(...ps.map((p) => p.bound));

test('createNodes, createPods (waiting until scheduled) and sleep run one after the other', () => {
  const { r } = run(`
  - {opcode: createNodes, count: 2}
  - {opcode: createPods, count: 3, pod: ${POD}}
  - {opcode: sleep, duration: 5s}
  - {opcode: createPods, count: 2, namespace: later, pod: ${POD}}
`);
  // makeBaseNode: 4 CPUs, 32Gi, 110 pods; named from generateName node-<opIndex>-.
  assert.equal(r.store.nodes.map((n) => n.metadata.name).sort(), ['node-0-0', 'node-0-1']);
  assert.equal(r.store.nodes[0].status.allocatable, { pods: 110, cpu: 4000, memory: 32 * 2 ** 30 });
  const first = pods(r, 'namespace-1');
  assert.equal(
    first.map((p) => p.key),
    ['Pod/namespace-1/pod-1-0', 'Pod/namespace-1/pod-1-1', 'Pod/namespace-1/pod-1-2'],
  );
  // createNodes is answered at 2 ms; the pods are issued then.
  for (const p of first) assert.is(p.created, 2 * MS);
  const later = pods(r, 'later');
  assert.is(later.length, 2);
  for (const p of later) assert.is(p.created, lastBound(first) + 1 * MS + 5_000 * MS, 'last binding seen 1 ms later, then 5 s of sleep');
});

test('skipWaitToCompletion goes on once the creates are answered; a barrier then waits for those pods', () => {
  const { r } = run(`
  - {opcode: createNodes, count: 1}
  - {opcode: createPods, count: 6, skipWaitToCompletion: true, pod: ${POD}}
  - {opcode: createPods, count: 1, namespace: next, pod: ${POD}}
  - {opcode: barrier}
  - {opcode: createPods, count: 1, namespace: after, pod: ${POD}}
`);
  const skipped = pods(r, 'namespace-1');
  for (const p of skipped) assert.is(p.created, 2 * MS);
  const [next] = pods(r, 'next');
  assert.is(next.created, 4 * MS, 'answered 2 ms after being issued at 2 ms');
  assert.ok(next.created < lastBound(skipped), 'it did not wait for the skipped pods');
  const [after] = pods(r, 'after');
  assert.is(after.created, Math.max(lastBound(skipped), next.bound) + 1 * MS, 'the barrier ends when the last binding is seen');
});

test('barrier stageRequirement Attempted waits for a scheduling attempt; Scheduled waits for ever on unschedulable pods', () => {
  const big = `{spec: {containers: [{name: c, image: pause, resources: {requests: {cpu: "8"}}}]}}`;
  const steps = (stage: string): string => `
  - {opcode: createNodes, count: 1}
  - {opcode: createPods, count: 2, skipWaitToCompletion: true, pod: ${big}}
  - {opcode: barrier, stageRequirement: ${stage}}
  - {opcode: createPods, count: 1, namespace: after, pod: ${POD}}
`;
  const s = scenarioFrom(`${HEADER}\nsteps:\n${steps('Attempted')}`);
  const unschedulableAt: number[] = [];
  const r = runOnce(s, s.policies[0], 1, {
    observe: (t, _type, o, old) => {
      if (o.kind === 'Pod' && o.status.reason === 'Unschedulable' && (old as Pod | undefined)?.status.reason !== 'Unschedulable')
        unschedulableAt.push(t);
    },
  });
  assert.is(unschedulableAt.length, 2, 'PodScheduled=False written once per pod');
  const [after] = pods(r, 'after');
  assert.is(after.created, Math.max(...unschedulableAt) + 1 * MS);
  const { r: never } = run(steps('Scheduled'));
  assert.is(pods(never, 'after').length, 0, 'the pods never schedule, so the step after the barrier never runs');
});

test('deletePods at deletePodsPerSecond: one DELETE every 1/rate, then the next step', () => {
  const { r } = run(`
  - {opcode: createNodes, count: 1}
  - {opcode: createPods, count: 4, pod: ${POD}}
  - {opcode: deletePods, namespace: namespace-1, deletePodsPerSecond: 10}
  - {opcode: createPods, count: 1, namespace: after, pod: ${POD}}
`);
  const deleted = pods(r, 'namespace-1');
  const start = lastBound(deleted) + 1 * MS;
  // time.NewTicker(time.Second / 10): the i-th pod (in the informer's order) at start + (i+1)·100 ms, committed 2 ms later.
  assert.equal(
    deleted.map((p) => p.deleted),
    [1, 2, 3, 4].map((i) => start + i * 100 * MS + 2 * MS),
  );
  const [after] = pods(r, 'after');
  assert.is(after.created, start + 400 * MS + 2 * MS, 'the step ends with the last answer');
});

test("deletePods with a label selector and no rate deletes the matching pods at once; createPods counts its namespace's scheduled pods", () => {
  const labelled = `{metadata: {labels: {app: x}}, spec: {terminationGracePeriodSeconds: 0, containers: [{name: c, image: pause}]}}`;
  const { r } = run(`
  - {opcode: createNodes, count: 1}
  - {opcode: createPods, count: 2, namespace: a, pod: ${labelled}}
  - {opcode: createPods, count: 2, namespace: a, pod: ${POD}}
  - {opcode: deletePods, labelSelector: {app: x}}
`);
  const ps = pods(r, 'a');
  const first = ps.filter((p) => p.key.includes('pod-1-'));
  // waitUntilPodsScheduledInNamespace counts the namespace's scheduled pods: the first two already make the
  // second step's count of 2, so it ends when its creates are answered (issued 1 ms after the first pair's
  // last binding, answered 2 ms later); the DELETEs are issued then and commit 2 ms later.
  const start = lastBound(first) + 1 * MS + 2 * MS;
  assert.equal(
    first.map((p) => p.deleted),
    [start + 2 * MS, start + 2 * MS],
  );
  assert.equal(
    ps.filter((p) => p.key.includes('pod-2-')).map((p) => p.deleted),
    [-1, -1],
  );
});

test('churn recreate: one pod per interval, number created then deleted oldest first; stops when the list ends', () => {
  const { r } = run(`
  - {opcode: createNodes, count: 1}
  - {opcode: churn, mode: recreate, number: 2, intervalMilliseconds: 1000, pod: ${POD}}
  - {opcode: sleep, duration: 10s}
`);
  // The churn starts at 2 ms; ticks at +1 s … +9 s (the list ends at +10 s): create, create, delete, delete, …
  const s = 2 * MS;
  const at = (k: number): number => s + k * 1_000 * MS;
  const ps = pods(r, 'namespace-1');
  assert.equal(
    ps.map((p) => p.key.slice('Pod/namespace-1/'.length)),
    ['churn-1-0', 'churn-1-1', 'churn-1-2', 'churn-1-3', 'churn-1-4'],
  );
  assert.equal(
    ps.map((p) => p.created),
    [at(1), at(2), at(5), at(6), at(9)],
  );
  assert.equal(
    ps.map((p) => p.deleted),
    [at(3) + 2 * MS, at(4) + 2 * MS, at(7) + 2 * MS, at(8) + 2 * MS, -1],
  );
});

test('churn create: number caps the pods; the first tick comes one interval after the start (a Go ticker)', () => {
  const { r } = run(`
  - {opcode: createNodes, count: 1}
  - {opcode: churn, mode: create, number: 3, pod: ${POD}}
  - {opcode: sleep, duration: 1m}
`);
  assert.equal(
    pods(r, 'namespace-1').map((p) => p.created),
    [1, 2, 3].map((k) => 2 * MS + k * 500 * MS),
    'intervalMilliseconds defaults to 500',
  );
});

test('createPods steadyState: each scheduled pod is deleted and replaced, one at a time, for the duration', () => {
  const { r } = run(`
  - {opcode: createNodes, count: 1}
  - {opcode: createPods, count: 2, steadyState: true, duration: 1s, pod: ${POD}}
  - {opcode: createPods, count: 1, namespace: after, pod: ${POD}}
`);
  const ps = pods(r, 'namespace-1');
  const end = 2 * MS + 1_000 * MS;
  assert.equal(
    ps.slice(0, 2).map((p) => p.created),
    [2 * MS, 2 * MS],
    'the backlog of 2 pods',
  );
  const replacements = ps.slice(2);
  assert.ok(replacements.length > 10, `${replacements.length} replacements in 1 s`);
  // A replacement is created when the DELETE of a scheduled pod is answered (at its commit), in order.
  const deletions = ps
    .map((p) => p.deleted)
    .filter((t) => t >= 0)
    .sort((a, b) => a - b);
  assert.equal(
    replacements.map((p) => p.created),
    deletions.slice(0, replacements.length),
  );
  for (const p of ps) assert.ok(p.bound >= 0 && (p.deleted < 0 || p.deleted > p.bound), 'only scheduled pods are deleted');
  assert.ok(replacements.every((p) => p.created < end));
  const [after] = pods(r, 'after');
  assert.is(after.created, end, 'the step lasts its duration');
});

test('collectMetrics: only the measured pods feed scheduling latency and throughput; counts cover every pod', () => {
  const { r } = run(`
  - {opcode: createNodes, count: 2}
  - {opcode: createPods, count: 20, pod: ${POD}}
  - {opcode: createPods, count: 5, collectMetrics: true, pod: ${POD}}
`);
  const measured = pods(r, 'namespace-2');
  assert.is(r.summary.pods_created, 25);
  assert.is(r.summary.pods_scheduled, 25);
  assert.is(r.summary.sched_latency_max_ms, Math.max(...measured.map((p) => p.bound - p.created)) / MS);
  const all = [...r.recorder.pods.values()];
  assert.ok(Math.max(...all.map((p) => p.bound - p.created)) / MS > r.summary.sched_latency_max_ms, 'the unmeasured pods waited longer');
  // The 5 bindings fall in one 1-second window from the first measured creation.
  assert.ok(lastBound(measured) - measured[0].created < 1_000 * MS);
  assert.is(r.summary.throughput_avg_per_s, 5);
  const out = runOutput(r, 1_000_000, false);
  assert.equal(out.measurements.podStartup.find((m) => m.metric === 'create_to_schedule')?.count, 5);
});

test('startCollectingMetrics … stopCollectingMetrics: the pods of its namespaces seen scheduled in the window are measured', () => {
  const { r } = run(`
  - {opcode: createNodes, count: 1}
  - {opcode: createPods, count: 3, pod: ${POD}}
  - {opcode: startCollectingMetrics, name: window, namespaces: [b]}
  - {opcode: createPods, count: 4, namespace: b, pod: ${POD}}
  - {opcode: createPods, count: 2, namespace: c, pod: ${POD}}
  - {opcode: stopCollectingMetrics}
  - {opcode: createPods, count: 2, namespace: b, pod: ${POD}}
`);
  assert.is(r.summary.pods_created, 11);
  const inWindow = pods(r, 'b').filter((p) => p.key.includes('/pod-3-'));
  assert.is(inWindow.length, 4);
  assert.equal([...(r.recorder.measured ?? [])].sort(), inWindow.map((p) => p.key).sort());
  assert.is(r.summary.sched_latency_max_ms, Math.max(...inWindow.map((p) => p.bound - p.created)) / MS);
  assert.equal(runOutput(r, 1_000_000, false).measurements.podStartup.find((m) => m.metric === 'create_to_schedule')?.count, 4);
});

test('templates: nodeTemplatePath and podTemplatePath files (generateName allowed), a pool template continuing its numbering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-steps-'));
  writeFileSync(
    join(dir, 'node.yaml'),
    'apiVersion: v1\nkind: Node\nmetadata: {generateName: scheduler-perf-, labels: {kind: tmpl}}\nstatus: {capacity: {pods: "110", cpu: "2", memory: 8Gi}}\n',
  );
  writeFileSync(
    join(dir, 'pod.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata: {generateName: pod-, labels: {from: file}}\nspec: {containers: [{name: pause, image: pause, resources: {requests: {cpu: 1500m}}}]}\n',
  );
  writeFileSync(
    join(dir, 's.yaml'),
    `${HEADER}
cluster:
  nodePools: [{name: general, count: 2, zones: [z1, z2], template: {cpu: "1", memory: 1Gi}}]
steps:
  - {opcode: createNodes, count: 2, nodeTemplatePath: node.yaml}
  - {opcode: createNodes, count: 3, nodePool: general}
  - {opcode: createPods, count: 2, podTemplatePath: pod.yaml}
`,
  );
  const s = loadScenario(join(dir, 's.yaml')).scenario;
  const r = runOnce(s, s.policies[0], 1);
  const nodes = new Map(r.store.nodes.map((n) => [n.metadata.name, n]));
  assert.equal([...nodes.keys()].sort(), ['general-0', 'general-1', 'general-2', 'general-3', 'general-4', 'node-0-0', 'node-0-1']);
  assert.is(nodes.get('node-0-1')?.status.allocatable.cpu, 2000);
  assert.is(nodes.get('node-0-1')?.metadata.labels.kind, 'tmpl');
  assert.is(nodes.get('general-3')?.metadata.labels['topology.kubernetes.io/zone'], 'z2', 'zones[3 mod 2]');
  // 1.5 CPUs fit only the template's 2-CPU nodes.
  const placed = r.store.pods.filter((p) => p.metadata.namespace === 'namespace-2');
  assert.is(placed.length, 2);
  for (const p of placed) {
    assert.match(p.spec.nodeName, /^node-0-/);
    assert.is(p.metadata.labels.from, 'file');
  }
});

/** The InputError of a step list (after the common header), as [path, detail]. */
function stepError(steps: string, extra = ''): [string, string] {
  const e = expectInputError(() => scenarioFrom(`${HEADER}${extra}\nsteps:\n${steps}`));
  return [e.path, e.detail];
}

test('bad step lists: clear errors with the field path', () => {
  const nodes = '  - {opcode: createNodes, count: 1}\n';
  assert.equal(stepError(`${nodes}  - {opcode: createPods, count: 0, pod: ${POD}}`), [
    'steps[1].count',
    'expected a positive integer, got 0',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: createPods, count: 2.5, pod: ${POD}}`), [
    'steps[1].count',
    'expected a positive integer, got 2.5',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: createPod, count: 1}`)[0], 'steps[1].opcode');
  assert.match(stepError(`${nodes}  - {opcode: createPod, count: 1}`)[1], /expected one of .*"createPods"/);
  assert.equal(stepError(`${nodes}  - {opcode: createAny}`), [
    'steps[1].opcode',
    'opcode createAny is not modeled by kubesim; supported: createNodes, createPods, barrier, sleep, deletePods, churn, startCollectingMetrics, stopCollectingMetrics',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: stopCollectingMetrics}`), [
    'steps[1]',
    'missing startCollectingMetrics operation before stopping',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: startCollectingMetrics, namespaces: [a]}`), [
    'steps[1]',
    'startCollectingMetrics without a stopCollectingMetrics after it',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: startCollectingMetrics, namespaces: []}`), [
    'steps[1].namespaces',
    'expected the namespaces whose pods are measured (namespaces cannot be empty)',
  ]);
  const open = `${nodes}  - {opcode: startCollectingMetrics, namespaces: [a]}\n`;
  assert.equal(
    stepError(`${open}  - {opcode: createPods, count: 1, collectMetrics: true, pod: ${POD}}\n  - {opcode: stopCollectingMetrics}`)[0],
    'steps[2].collectMetrics',
  );
  assert.match(
    stepError(`${open}  - {opcode: startCollectingMetrics, namespaces: [b]}`)[1],
    /^metrics collection is overlapping: the startCollectingMetrics at line \d+ is not stopped yet$/,
  );
  assert.equal(stepError(`${nodes}  - {opcode: createPods, count: 1, steadyStateParam: $s, pod: ${POD}}`), [
    'steps[1].steadyStateParam',
    `createPods's steadyStateParam is not modeled by kubesim (see docs/reference/step-lists.md)`,
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: createPods, count: 1, steadyState: true, duration: 0s, pod: ${POD}}`), [
    'steps[1]',
    'when creating pods in a steady state, the duration must be > 0',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: createPods, count: 1, duration: 5s, pod: ${POD}}`), [
    'steps[1].duration',
    'a duration applies to steadyState: true',
  ]);
  assert.equal(
    stepError(`${nodes}  - {opcode: createPods, count: 1, steadyState: true, skipWaitToCompletion: true, duration: 1s, pod: ${POD}}`)[1],
    'skipWaitToCompletion and steadyState cannot be true at the same time',
  );
  assert.equal(stepError(`  - {opcode: createNodes, countParam: $initNodes}`), [
    'steps[0].countParam',
    'parameter "initNodes" is not defined in stepParams',
  ]);
  assert.equal(stepError(`  - {opcode: createNodes, countParam: $n}`, 'stepParams: {n: 0}'), [
    'stepParams.n',
    'expected a positive integer, got 0',
  ]);
  assert.equal(stepError(nodes, 'stepParams: {n: 3}'), ['stepParams.n', 'parameter "n" is defined but no step uses it']);
  assert.equal(stepError(`  - {opcode: createNodes, count: 1, countParam: $n}`, 'stepParams: {n: 3}'), [
    'steps[0]',
    'expected exactly one of count or countParam',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: createPods, count: 1, collectMetrics: true, skipWaitToCompletion: true, pod: ${POD}}`), [
    'steps[1]',
    'collectMetrics and skipWaitToCompletion cannot be true at the same time',
  ]);
  assert.equal(
    stepError(
      `${nodes}  - {opcode: createPods, count: 1, pod: ${POD}}\n  - {opcode: barrier}\n  - {opcode: barrier, namespaces: [namespace-1]}`,
    ),
    ['steps[3].namespaces[0]', 'unknown namespace "namespace-1": no createPods step before this barrier uses it'],
  );
  assert.equal(stepError(`${nodes}  - {opcode: barrier, stageRequirement: Bound}`)[0], 'steps[1].stageRequirement');
  assert.equal(stepError(`  - {opcode: createNodes, count: 1, nodePool: gpu}`), [
    'steps[0].nodePool',
    'no node pool named "gpu" in cluster.nodePools',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: churn, mode: recreate, pod: ${POD}}`), [
    'steps[1].number',
    'expected a positive number of objects per cycle for mode recreate',
  ]);
  assert.equal(stepError(`${nodes}  - {opcode: createPods, count: 1}`), ['steps[1]', 'expected exactly one of podTemplatePath or pod']);
  assert.equal(stepError(`${nodes}  - {opcode: sleep}`), ['steps[1]', 'expected exactly one of duration or durationParam']);
  assert.equal(stepError(`${nodes}  - {opcode: sleep, duration: 5s, count: 1}`)[0], 'steps[1].count');
  assert.equal(
    stepError(`  - {opcode: createPods, count: 1, pod: ${POD}}`)[1],
    'expected at least one node pool (or a createNodes step, or a cluster.import dump with Nodes)',
  );
  assert.equal(stepError(`  - {opcode: createNodes, count: 2000000}`), [
    'steps[0].count',
    "2000000 nodes is over kubesim's limit of 1000000 nodes",
  ]);
});

test('scheduler-perf-steps (upstream Unschedulable): every default pod schedules, every 9-CPU churn pod stays pending', () => {
  const s = loadScenario(join(here, '..', '..', 'scenarios', 'scheduler-perf-steps.yaml')).scenario;
  const r = runOnce(s, s.policies[0], s.seed);
  assert.is(r.store.nodes.length, 500);
  const churned = r.summary.pods_created - 10 - 1000;
  assert.ok(churned >= 1, 'the churn created pods while the measured ones were scheduled');
  assert.is(r.summary.pods_scheduled, 1010);
  assert.is(r.summary.pods_pending_end, churned, 'no 4-CPU node fits 9 CPUs');
  for (const p of r.store.pods) if (p.spec.nodeName === '') assert.match(p.metadata.name, /^churn-2-/);
  // Only the 1,000 measured pods (namespace-3) feed the latency percentiles.
  const measured = pods(r, 'namespace-3');
  assert.is(measured.length, 1000);
  assert.is(r.summary.sched_latency_max_ms, Math.max(...measured.map((p) => p.bound - p.created)) / MS);
});

/** Every report file of a folder except engine.csv (wall-clock times) and the per-run store. */
function reports(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .filter((f) => f !== 'engine.csv' && f !== 'runs')
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

test('a step list runs to byte-identical reports with --jobs 1 and --jobs 2', () => {
  const cli = join(here, '..', 'engine', 'cli.js');
  const fixture = join(here, '..', '..', 'test', 'fixtures', 'steps.yaml');
  const out = (jobs: string): Map<string, string> => {
    const dir = mkdtempSync(join(tmpdir(), `kubesim-steps-j${jobs}-`));
    const r = spawnSync(process.execPath, [cli, 'run', fixture, '--out', dir, '--replications', '2', '--jobs', jobs, '--pods-csv'], {
      encoding: 'utf8',
    });
    assert.is(r.status, 0, r.stderr);
    return reports(dir);
  };
  const one = out('1');
  assert.equal(out('2'), one);
  const rows = (one.get('pods.csv') as string).trim().split('\n').slice(1);
  // 30 + 40 + 50 pods, and the churn's; per (policy, seed).
  assert.ok(rows.length > 4 * 120);
  assert.ok(
    rows.some((l) => l.includes(',namespace-4,pod-4-')),
    'pods.csv names the namespace',
  );
});

test.run();
