/**
 * Node leases, the node lifecycle controller, taint-based eviction and scenario faults, end to end: a node
 * that stops renewing its lease is marked Ready=Unknown at the first monitor pass more than the grace period
 * after the controller last saw a renewal, tainted unreachable NoSchedule at once and NoExecute at the next
 * pass (one node per 10 s per zone), and its pods are deleted 300 s later and replaced elsewhere.
 * Expected times are derived from the upstream rules (node_lifecycle_controller.go, taint_eviction.go) and the
 * observed lease commits; the tolerance covers the modeled API latencies (a few ms).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject, Node, Pod, Toleration } from '../engine/api/objects.js';
import { withDefaultTolerations, DEFAULT_TOLERATION_PARAMS } from '../engine/api/default-toleration-seconds.js';
import { computeZoneState } from '../engine/controllers/node-lifecycle.js';
import { matchingTolerations, minTolerationTime } from '../engine/controllers/taint-eviction.js';
import { runOnce, type RunResult } from '../engine/run.js';
import type { Scenario } from '../engine/scenario/types.js';
import { expectInputError, scenarioFrom } from './helpers.js';

const S = 1_000_000;

function cluster(
  faults: string,
  opts: { nodes?: number; zones?: string; replicas?: number; duration?: string; extra?: string } = {},
): Scenario {
  return scenarioFrom(`
name: lifecycle
duration: ${opts.duration ?? '8m'}
cluster:
  nodePools:
    - name: n
      count: ${opts.nodes ?? 4}
      zones: ${opts.zones ?? '[a, b]'}
      template: {cpu: "4", memory: 8Gi}
workloads:
  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: ${opts.replicas ?? 4}
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: "1", memory: 1Gi}}}]}
${opts.extra ?? ''}
faults:
${faults}
`);
}

interface Change {
  readonly t: number;
  readonly type: string;
  readonly obj: KubeObject;
  readonly old: KubeObject | undefined;
}

function run(s: Scenario, seed = 1): { r: RunResult; log: Change[] } {
  const log: Change[] = [];
  const r = runOnce(s, s.policies[0], seed, { observe: (t, type, obj, old) => log.push({ t, type, obj, old }) });
  return { r, log };
}

const hasTaint = (n: Node, key: string, effect: string): boolean => n.spec.taints.some((t) => t.key === key && t.effect === effect);

/** First commit time at which `pred` holds for node `name`. */
function nodeTime(log: Change[], name: string, pred: (n: Node) => boolean): number {
  const c = log.find((x) => x.obj.kind === 'Node' && x.obj.metadata.name === name && pred(x.obj));
  return c === undefined ? -1 : c.t;
}

/** The monitor pass (every 5 s from t = 0) that first observes a lease committed at `t`: the next multiple of 5 s. */
const nextTick = (t: number): number => Math.ceil(t / (5 * S)) * 5 * S;

test('kubelet leases: created at registration, renewed every 10–10.4 s (renewInterval 0.25 × 40 s, jitter 0.04)', () => {
  const { log } = run(cluster('  []', { duration: '2m', extra: 'parameters: {nodeLifecycle: {enabled: true}}' }));
  const renewals = log
    .filter((c) => c.obj.kind === 'Lease' && c.obj.metadata.name === 'n-0')
    .map((c) => (c.obj.kind === 'Lease' ? c.obj.spec.renewTime : 0));
  assert.is(renewals[0] < 0.1 * S, true, 'the first lease is written when the kubelet starts');
  assert.ok(renewals.length >= 11 && renewals.length <= 13, `${renewals.length} renewals in 2 minutes`);
  for (let i = 1; i < renewals.length; i++) {
    const gap = renewals[i] - renewals[i - 1];
    // sliding JitterUntil: 10 s × (1 + 0.04·U) after the previous renewal was answered (≲ 20 ms later)
    assert.ok(gap >= 10 * S && gap <= 10.4 * S + 30_000, `gap ${gap}`);
  }
});

test('node crash: Ready=Unknown at the first pass > grace after the last observed renewal, NoExecute one pass later, eviction 300 s after', () => {
  const { r, log } = run(cluster('  - {type: nodeCrash, at: 60s, nodes: [n-1]}'));
  const leases = log.filter((c) => c.obj.kind === 'Lease' && c.obj.metadata.name === 'n-1' && c.t < 60 * S);
  const lastLease = leases[leases.length - 1].t;
  const probe = nextTick(lastLease);
  // now > probe + 50 s is first true at the pass 55 s after the probe (passes are 5 s apart).
  const unknownPass = probe + 55 * S;
  const unknown = nodeTime(log, 'n-1', (n) => !n.status.ready);
  assert.ok(unknown >= unknownPass && unknown < unknownPass + 50_000, `Ready=Unknown at ${unknown}, pass at ${unknownPass}`);
  const noSchedule = nodeTime(log, 'n-1', (n) => hasTaint(n, 'node.kubernetes.io/unreachable', 'NoSchedule'));
  assert.ok(noSchedule > unknown && noSchedule < unknown + 100_000, 'NoSchedule follows the status update at once');
  const noExecute = nodeTime(log, 'n-1', (n) => hasTaint(n, 'node.kubernetes.io/unreachable', 'NoExecute'));
  // queued by the next pass, tainted at the tainting loop's next tick (100 ms period, 50 ms phase)
  assert.ok(noExecute >= unknownPass + 5.05 * S && noExecute < unknownPass + 5.1 * S, `NoExecute at ${noExecute}`);
  // The pod on n-1 was marked not ready by the same pass, then deleted (gracefully) 300 s after the taint was
  // observed: its deletionTimestamp is set, and with its kubelet down it stays Terminating to the end.
  const victim = log.find(
    (c) => c.obj.kind === 'Pod' && c.obj.spec.nodeName === 'n-1' && c.old?.kind === 'Pod' && c.old.status.ready && !c.obj.status.ready,
  );
  assert.ok(victim !== undefined && victim.t >= unknownPass && victim.t < unknownPass + 100_000, 'MarkPodsNotReady');
  const deleted = log.find((c) => c.type === 'MODIFIED' && c.obj.kind === 'Pod' && c.obj.metadata.deletionTimestamp !== undefined);
  assert.ok(deleted !== undefined && deleted.obj.metadata.name === victim?.obj.metadata.name);
  assert.ok((deleted?.t ?? 0) >= noExecute + 300 * S && (deleted?.t ?? 0) < noExecute + 300.1 * S, `evicted at ${deleted?.t}`);
  assert.is(log.filter((c) => c.type === 'DELETED' && c.obj.kind === 'Pod').length, 0, 'still Terminating: no kubelet to finish it');
  assert.ok(r.store.pods.some((p) => p.metadata.name === victim?.obj.metadata.name && p.metadata.deletionTimestamp !== undefined));
  // Its replacement is scheduled on a live node, and the Deployment is whole again.
  const replacement = log.find(
    (c) =>
      c.obj.kind === 'Pod' &&
      c.type === 'MODIFIED' &&
      c.old?.kind === 'Pod' &&
      c.old.spec.nodeName === '' &&
      c.obj.spec.nodeName !== '' &&
      c.t > (deleted?.t ?? 0),
  );
  assert.ok(replacement !== undefined && replacement.obj.kind === 'Pod' && replacement.obj.spec.nodeName !== 'n-1');
  const s = r.summary;
  assert.is(s.pods_lost, 1);
  assert.is(s.pods_evicted, 1);
  assert.is(s.pods_rescheduled, 1);
  assert.is(s.pods_running, 4, 'the Terminating pod is not counted as running');
  const ready = log.find((c) => c.obj.kind === 'Pod' && c.obj.metadata.name === replacement?.obj.metadata.name && c.obj.status.ready);
  assert.ok(Math.abs(s.recovery_time_s - ((ready?.t ?? 0) - 60 * S) / S) < 1e-9, 'recovery = replacement Ready − fault');
  assert.is(s.sim_end_s, 480, 'leases keep the run going to its duration');
  assert.ok(Math.abs(s.node_hours - (4 * 480) / 3600) < 1e-4, '4 nodes for 8 minutes (registered a few ms after 0)');
});

test('node recovery before the toleration expires: taints removed, the pod restarts in place, nothing evicted', () => {
  const { r, log } = run(cluster('  - {type: nodeCrash, at: 60s, nodes: [n-1], duration: 140s}'));
  const back = log.find((c) => c.t >= 200 * S && c.obj.kind === 'Node' && c.obj.metadata.name === 'n-1' && c.obj.status.ready)?.t ?? -1;
  assert.ok(back >= 200 * S && back < 200.1 * S, `Ready again at ${back}`);
  const last = log.filter((c) => c.obj.kind === 'Node' && c.obj.metadata.name === 'n-1').pop()?.obj as Node;
  assert.equal(last.spec.taints, [], 'both unreachable taints removed');
  const noExecuteGone = log.find(
    (c) =>
      c.t > 200 * S &&
      c.obj.kind === 'Node' &&
      c.obj.metadata.name === 'n-1' &&
      !hasTaint(c.obj, 'node.kubernetes.io/unreachable', 'NoExecute'),
  );
  // markNodeAsReachable runs in the first monitor pass that reads Ready=True: the tick after 200 s.
  assert.ok(
    noExecuteGone !== undefined && noExecuteGone.t >= 205 * S && noExecuteGone.t < 205.1 * S,
    `NoExecute removed at ${noExecuteGone?.t}`,
  );
  assert.is(r.summary.pods_evicted, 0);
  assert.is(r.summary.pods_deleted, 0);
  assert.is(r.summary.pods_running, 4);
  const restarted = log.find((c) => c.t > 200 * S && c.obj.kind === 'Pod' && c.obj.spec.nodeName === 'n-1' && c.obj.status.ready);
  assert.ok(restarted !== undefined, 'the kubelet restarted the pod on its node');
  assert.ok(Math.abs(r.summary.recovery_time_s - (restarted.t - 60 * S) / S) < 1e-9);
});

test('a pod Terminating on a dead node is deleted as soon as its node comes back', () => {
  const { log } = run(cluster('  - {type: nodeCrash, at: 60s, nodes: [n-1], duration: 7m}', { nodes: 2, replicas: 2, duration: '10m' }));
  // Evicted ~420 s (Ready=Unknown ~115 s, NoExecute ~120 s, + 300 s toleration): Terminating until n-1 returns at 480 s.
  const marked = log.find((c) => c.obj.kind === 'Pod' && c.obj.spec.nodeName === 'n-1' && c.obj.metadata.deletionTimestamp !== undefined);
  assert.ok(marked !== undefined && marked.t > 400 * S && marked.t < 480 * S, `evicted at ${marked?.t}`);
  const gone = log.find((c) => c.type === 'DELETED' && c.obj.metadata.name === marked?.obj.metadata.name);
  assert.ok(
    gone !== undefined && gone.t >= 480 * S && gone.t < 480.1 * S,
    `deleted at ${gone?.t}: the restarted kubelet finds its containers dead`,
  );
});

test('zone outage: nodes of the zone tainted NoExecute one per 10 s (--node-eviction-rate 0.1, burst 1)', () => {
  const { r, log } = run(cluster('  - {type: zoneOutage, at: 60s, zone: a}', { nodes: 6, zones: '[a, b]', replicas: 6 }));
  const times = ['n-0', 'n-2', 'n-4']
    .map((n) => nodeTime(log, n, (x) => hasTaint(x, 'node.kubernetes.io/unreachable', 'NoExecute')))
    .sort((a, b) => a - b);
  assert.ok(times[0] > 0);
  assert.ok(Math.abs(times[1] - times[0] - 10 * S) < 100_000, `second node ${times[1] - times[0]} µs after the first`);
  assert.ok(Math.abs(times[2] - times[1] - 10 * S) < 100_000, `third node ${times[2] - times[1]} µs after the second`);
  for (const n of ['n-1', 'n-3', 'n-5'])
    assert.is(
      nodeTime(log, n, (x) => x.spec.taints.length > 0),
      -1,
      `${n} in the healthy zone is untouched`,
    );
  assert.is(r.summary.pods_lost, 3);
  assert.is(r.summary.pods_evicted, 3);
  assert.is(r.summary.pods_rescheduled, 3);
  assert.is(r.summary.pods_running, 6);
});

test('partial disruption of a small zone (≥ 55% not ready, > 2 nodes, ≤ 50 nodes) stops NoExecute tainting', () => {
  const { r, log } = run(cluster('  - {type: nodeCrash, at: 60s, nodes: [n-0, n-1, n-2, n-3]}', { nodes: 6, zones: '[a]', replicas: 6 }));
  for (const n of ['n-0', 'n-1', 'n-2', 'n-3']) {
    assert.ok(nodeTime(log, n, (x) => !x.status.ready) > 0, `${n} Unknown`);
    assert.is(
      nodeTime(log, n, (x) => hasTaint(x, 'node.kubernetes.io/unreachable', 'NoExecute')),
      -1,
      `${n} never tainted NoExecute`,
    );
  }
  assert.is(r.summary.pods_evicted, 0);
  assert.ok(Number.isNaN(r.summary.recovery_time_s), 'never recovered: empty in summary.csv');
});

test('every zone fully disrupted: the controller assumes a control-plane problem and evicts nothing', () => {
  const { r } = run(cluster('  - {type: nodeCrash, at: 60s, nodes: [n-0, n-1, n-2, n-3]}'));
  assert.is(r.summary.pods_evicted, 0);
  assert.is(r.summary.pods_lost, 4);
});

test('computeZoneState (node_lifecycle_controller.go ComputeZoneState)', () => {
  assert.is(computeZoneState([], 0.55), 'Normal');
  assert.is(computeZoneState([false, false], 0.55), 'FullDisruption');
  assert.is(computeZoneState([true, false, false], 0.55), 'Normal', 'not more than 2 not-ready nodes');
  assert.is(computeZoneState([true, true, false, false, false], 0.55), 'PartialDisruption', '3 of 5 = 60% ≥ 55%');
  assert.is(computeZoneState([true, true, true, false, false, false], 0.55), 'Normal', '50% < 55%');
});

test('DefaultTolerationSeconds admission: 300 s not-ready and unreachable tolerations unless the pod has them', () => {
  const p = DEFAULT_TOLERATION_PARAMS;
  const added = withDefaultTolerations([], p);
  assert.equal(
    added.map((t) => [t.key, t.operator, t.effect, t.tolerationSeconds]),
    [
      ['node.kubernetes.io/not-ready', 'Exists', 'NoExecute', 300],
      ['node.kubernetes.io/unreachable', 'Exists', 'NoExecute', 300],
    ],
  );
  const all: Toleration = { key: '', operator: 'Exists', value: '', effect: '' };
  assert.equal(withDefaultTolerations([all], p), [all], 'a toleration of everything covers both');
  const mine: Toleration = {
    key: 'node.kubernetes.io/unreachable',
    operator: 'Exists',
    value: '',
    effect: 'NoExecute',
    tolerationSeconds: 10,
  };
  assert.equal(
    withDefaultTolerations([mine], p).map((t) => [t.key, t.tolerationSeconds]),
    [
      ['node.kubernetes.io/unreachable', 10],
      ['node.kubernetes.io/not-ready', 300],
    ],
  );
  const noSchedule: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', value: '', effect: 'NoSchedule' };
  assert.is(withDefaultTolerations([noSchedule], p).length, 3, 'a NoSchedule toleration does not count');
});

test('stored pods carry the admitted tolerations', () => {
  const { r } = run(cluster('  []', { duration: '30s' }));
  const pod = r.store.pods[0] as Pod;
  assert.equal(
    pod.spec.tolerations.map((t) => t.tolerationSeconds),
    [300, 300],
  );
});

test('getMinTolerationTime (taint_eviction_test.go TestGetMinTolerationTime) and GetMatchingTolerations', () => {
  const tol = (s?: number): Toleration => ({ key: '', operator: 'Exists', value: '', effect: 'NoExecute', tolerationSeconds: s });
  assert.is(minTolerationTime([]), 0);
  assert.is(minTolerationTime([tol(1)]), 1 * S);
  assert.is(minTolerationTime([tol(1), tol(2)]), 1 * S);
  assert.is(minTolerationTime([tol(1), tol()]), 1 * S);
  assert.is(minTolerationTime([tol(), tol(1)]), 1 * S);
  assert.is(minTolerationTime([tol()]), -1);
  assert.is(minTolerationTime([tol(0)]), 0);
  const taint = { key: 'node.kubernetes.io/unreachable', value: '', effect: 'NoExecute' as const };
  const other = { key: 'x', value: '', effect: 'NoExecute' as const };
  const forUnreachable: Toleration = {
    key: 'node.kubernetes.io/unreachable',
    operator: 'Exists',
    value: '',
    effect: 'NoExecute',
    tolerationSeconds: 5,
  };
  assert.equal(matchingTolerations([taint], [forUnreachable]), { all: true, used: [forUnreachable] });
  assert.equal(matchingTolerations([taint, other], [forUnreachable]), { all: false, used: [] });
});

test('a random crash picks the same victims for the same seed, and a run with faults is deterministic', () => {
  const s = cluster('  - {type: nodeCrash, at: 30s, count: 2, pool: n}', { nodes: 6, replicas: 6, duration: '2m' });
  const a = run(s, 3);
  const b = run(s, 3);
  assert.is(a.r.fingerprint, b.r.fingerprint);
  const down = (x: { log: Change[] }): string[] =>
    [...new Set(x.log.filter((c) => c.obj.kind === 'Node' && !c.obj.status.ready).map((c) => c.obj.metadata.name))].sort();
  assert.equal(down(a), down(b));
  assert.is(down(a).length, 2);
});

test('etcd slowdown, API server overload and registry slowdown multiply their latencies inside the window', () => {
  const base = run(cluster('  []', { duration: '1m' })).r.summary;
  const etcd = run(cluster('  - {type: etcdSlowdown, at: 0s, factor: 20, duration: 1m}', { duration: '1m' })).r.summary;
  // update = API processing (median 1 ms) + etcd commit (median 1.5 ms); ×20 on the commit part.
  assert.ok(
    etcd.api_latency_update_p50_ms > 20 && base.api_latency_update_p50_ms < 5,
    `${base.api_latency_update_p50_ms} → ${etcd.api_latency_update_p50_ms}`,
  );
  const api = run(cluster('  - {type: apiServerOverload, at: 0s, factor: 20, duration: 1m}', { duration: '1m' })).r.summary;
  // (the nodes' and leases' creates at t = 0 precede the fault; updates all come after it)
  assert.ok(api.api_latency_update_p50_ms > 15, `API overload: update p50 ${api.api_latency_update_p50_ms}`);
  const reg = run(cluster('  - {type: registrySlowdown, at: 0s, factor: 10, duration: 1m}', { duration: '1m' })).r.summary;
  // nginx is not cached: 100 MiB at 50 MiB/s + ~0.5 s ≈ 2.5 s per pull, ×10 ≈ 25 s.
  assert.ok(
    base.startup_latency_p50_ms < 6_000 && reg.startup_latency_p50_ms > 20_000,
    `${base.startup_latency_p50_ms} → ${reg.startup_latency_p50_ms}`,
  );
});

test('faults: bad entries fail with the field path', () => {
  const bad = (faults: string, expect: RegExp): void => {
    const e = expectInputError(() => cluster(faults));
    assert.match(e.message, expect);
  };
  bad('  - {type: nodeCrash, at: 10s, nodes: [n-9]}', /faults\[0\]\.nodes\[0\].*no node named "n-9"/);
  bad('  - {type: nodeCrash, at: 10s, count: 9}', /faults\[0\]\.count.*9 nodes, but the cluster starts with 4/);
  bad('  - {type: nodeCrash, at: 10s}', /faults\[0\].*exactly one of nodes/);
  bad('  - {type: zoneOutage, at: 10s, zone: c}', /faults\[0\]\.zone.*no node .* topology.kubernetes.io\/zone=c/);
  bad('  - {type: etcdSlowdown, at: 10s, factor: 3}', /faults\[0\].*expected a duration/);
  bad('  - {type: apiServerOverload, at: 10s, duration: 1m}', /faults\[0\].*expected a factor or a concurrency/);
  bad('  - {type: apiServerOverload, at: 10s, concurrency: 0, duration: 1m}', /faults\[0\]\.concurrency/);
  bad('  - {type: etcdSlowdown, at: 10s, factor: 2, concurrency: 3, duration: 1m}', /faults\[0\].*concurrency/);
  bad('  - {type: nodeCrsh, at: 10s}', /faults\[0\]\.type.*did you mean "nodeCrash"/);
  bad('  - {type: nodeCrash, at: 20m, nodes: [n-0]}', /faults\[0\]\.at.*after the scenario's duration/);
});
test.run();
