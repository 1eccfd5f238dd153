/**
 * Cluster autoscaler: scale-up only for pods the scheduler marked unschedulable, by the binpacking estimate,
 * within the group's max, at the scan after the pods fail plus the provisioning delay; scale-down of nodes below
 * 50% utilization after 10 minutes unneeded, in bulk when empty, one drained node at a time otherwise, never
 * below min and never when a pod has no controller; least-waste picks the group that wastes least.
 * Provisioning delays are constant here so the expected times are exact up to API latencies.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject, Node, Pod } from '../engine/api/objects.js';
import { ClusterSnapshot } from '../engine/cloud/cluster-snapshot.js';
import { Kernel } from '../engine/scheduler/kernel.js';
import { DEFAULT_PROFILE } from '../engine/scheduler/profile.js';
import { runOnce, type RunResult } from '../engine/run.js';
import type { Scenario } from '../engine/scenario/types.js';
import { expectInputError, makeNode, makePod, makeSpec, scenarioFrom } from './helpers.js';

const S = 1_000_000;

function deployment(replicas: number, at = '0s', cpu = '1', name = 'web'): string {
  return `
  - at: ${at}
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ${name}}
      spec:
        replicas: ${replicas}
        selector: {matchLabels: {app: ${name}}}
        template:
          metadata: {labels: {app: ${name}}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: "${cpu}", memory: 1Gi}}}]}`;
}

function scenario(pools: string, workloads: string, params = '', duration = '40m'): Scenario {
  return scenarioFrom(`
name: autoscale
duration: ${duration}
cluster:
  nodePools:
${pools}
workloads:${workloads}
parameters:
  clusterAutoscaler: {provisioningDelay: 30s${params}}
`);
}

const POOL = '    - {name: g, count: 2, autoscaling: {min: 1, max: 10}, template: {cpu: "4", memory: 16Gi}}';

interface Change {
  readonly t: number;
  readonly type: string;
  readonly obj: KubeObject;
}

function run(s: Scenario): { r: RunResult; log: Change[] } {
  const log: Change[] = [];
  const r = runOnce(s, s.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  return { r, log };
}

const nodeEvents = (log: Change[], type: string): Change[] => log.filter((c) => c.obj.kind === 'Node' && c.type === type);

test('scale-up: the binpacking estimate of the unschedulable pods, registered a provisioning delay after the scan', () => {
  // 20 pods of 1 cpu; 2 nodes of 4 cpu hold 8; 12 left need 3 more nodes.
  const { r, log } = run(scenario(POOL, deployment(20), '', '5m'));
  const added = nodeEvents(log, 'ADDED').filter((c) => c.t > 1 * S);
  assert.is(added.length, 3);
  // Pods fail their first attempt within ~0.1 s; the scan at 10 s sees them; 30 s later the machines register.
  for (const c of added) assert.ok(c.t >= 40 * S && c.t < 40.1 * S, `node registered at ${c.t}`);
  assert.equal(added.map((c) => c.obj.metadata.name).sort(), ['g-2', 'g-3', 'g-4']);
  assert.is(r.summary.pods_running, 20);
  assert.is(r.summary.nodes_max, 5);
});

test('no scale-up when the pending pods fit (none unschedulable), and never beyond max', () => {
  const fit = run(scenario(POOL, deployment(8), '', '3m')).r.summary;
  assert.is(fit.nodes_max, 2);
  assert.is(fit.pods_running, 8);
  const capped = run(
    scenario('    - {name: g, count: 2, autoscaling: {min: 1, max: 4}, template: {cpu: "4", memory: 16Gi}}', deployment(40), '', '5m'),
  ).r.summary;
  assert.is(capped.nodes_max, 4);
  assert.is(capped.pods_running, 16);
  assert.is(capped.pods_pending_end, 24);
});

test('scale-down: empty nodes removed together after 10 minutes unneeded; 50%-utilized nodes stay', () => {
  const { r, log } = run(scenario(POOL, deployment(20) + deployment(4, '15m')));
  const deleted = nodeEvents(log, 'DELETED');
  assert.is(deleted.length, 3, 'three empty nodes');
  // The 16 pods are deleted at ~900 s and gone once their containers exit on SIGTERM (default exit time: median
  // 1 s, p99 5 s, so by ~906 s); the first scan after that marks the nodes unneeded (a multiple of 10 s: 910 s),
  // and 600 s later they are removed in one loop.
  const t0 = deleted[0].t;
  for (const d of deleted) assert.ok(Math.abs(d.t - t0) < 50_000, 'one bulk deletion');
  assert.ok(t0 >= 1510 * S && t0 < 1510.1 * S, `removed at ${t0}`);
  assert.is(r.summary.nodes_end, 2);
  assert.is(r.summary.pods_running, 4);
  // node-hours: 2 nodes for 40 min, 3 more from ~40 s to ~1510 s.
  const expected = (2 * 2400 + 3 * (1510 - 40)) / 3600;
  assert.ok(Math.abs(r.summary.node_hours - expected) < 0.001, `${r.summary.node_hours} vs ${expected}`);
});

test('scale-down drains a non-empty node whose pods fit elsewhere; its pods are recreated on the remaining node', () => {
  // 3 pods of 1 cpu on 3 nodes after scale-up (spreading); down to 3 replicas nothing to delete, so use a
  // workload that leaves one pod on a node: 6 pods → 2 nodes hold 8 → no scale-up; scale to 3 → nodes at 1-2 pods.
  const { r, log } = run(
    scenario('    - {name: g, count: 3, autoscaling: {min: 1, max: 5}, template: {cpu: "4", memory: 16Gi}}', deployment(3), '', '20m'),
  );
  const deleted = nodeEvents(log, 'DELETED');
  // Each node holds one pod (25%): unneeded from the first scan; after 10 min one node is drained per loop. Its
  // pod is deleted gracefully (its container exits on SIGTERM in ~1 s, well within the 30 s grace period); the
  // autoscaler's 5 s poll sees it gone 5 s after the drain began, and only then is the Node deleted
  // (actuation/drain.go).
  assert.ok(deleted.length >= 1, 'at least one node drained');
  const first = deleted[0].t;
  assert.ok(first >= 605 * S && first < 625 * S, `first drain at ${first}`);
  assert.is(r.summary.pods_running, 3, 'the drained pods were replaced');
  assert.ok(r.summary.pods_deleted >= 1);
  const remaining = r.store.nodes.map((n: Node) => n.metadata.name);
  for (const p of r.store.pods) assert.ok(remaining.includes(p.spec.nodeName), `${p.metadata.name} on a remaining node`);
});

test('a pod without a controller blocks the removal of its node', () => {
  const bare = `
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: lonely}
      spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: "1"}}}]}`;
  const { r } = run(
    scenario('    - {name: g, count: 1, autoscaling: {min: 0, max: 3}, template: {cpu: "4", memory: 16Gi}}', bare, '', '20m'),
  );
  assert.is(r.summary.nodes_end, 1);
  assert.is(r.summary.pods_running, 1);
});

test('least-waste expander picks the group whose new nodes would be least idle', () => {
  const pools = `    - {name: small, count: 0, autoscaling: {min: 0, max: 5}, template: {cpu: "2", memory: 4Gi}}
    - {name: large, count: 1, autoscaling: {min: 0, max: 5}, template: {cpu: "16", memory: 64Gi}}`;
  const { log } = run(scenario(pools, deployment(18, '0s', '1', 'web'), ', expander: least-waste', '3m'));
  const added = nodeEvents(log, 'ADDED').filter((c) => c.t > 1 * S);
  // 2 pods left over: one small node (2 cpu, 4 Gi for 2 cpu, 2 Gi: waste 0 + 0.5) beats a large one
  // (14/16 + 62/64 idle).
  assert.equal(
    added.map((c) => c.obj.metadata.name),
    ['small-0'],
  );
});

/** A Deployment's manifest with extra pod spec YAML (flow style) merged into its template. */
function deploymentWith(name: string, replicas: number, cpu: string, extra: string): string {
  return `
  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ${name}}
      spec:
        replicas: ${replicas}
        selector: {matchLabels: {app: ${name}}}
        template:
          metadata: {labels: {app: ${name}}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: "${cpu}", memory: 64Mi}}${extra === '' ? '' : ', ' + extra.split('|')[0]}}]${extra.includes('|') ? ', ' + extra.split('|')[1] : ''}}`;
}

const ANTI = `|affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}]}}`;

test('scale-up runs the scheduler filters: required hostname anti-affinity gets one new node per pod that cannot co-locate', () => {
  // 2 nodes hold one pod each; the 3 others could share one node by resources (100m each), but required
  // anti-affinity on kubernetes.io/hostname keeps them apart: the binpacking estimate is 3 nodes.
  const { r, log } = run(scenario(POOL, deploymentWith('web', 5, '100m', ANTI), '', '3m'));
  const added = nodeEvents(log, 'ADDED').filter((c) => c.t > 1 * S);
  assert.is(added.length, 3);
  for (const c of added) assert.ok(c.t >= 40 * S && c.t < 40.1 * S, `one scale-up, registered at ${c.t}`);
  assert.is(r.summary.pods_running, 5);
  const nodes = new Set(r.store.pods.map((p) => p.spec.nodeName));
  assert.is(nodes.size, 5, 'one pod per node');
});

test('no scale-up that would not help: hard zone spreading towards a zone the group cannot provide', () => {
  // zone-a: a fixed 1-cpu node; the autoscaled group is in zone-b only. With maxSkew 1 (DoNotSchedule) zone-a
  // holds 1 pod and zone-b 2; the 2 pods left would make zone-b 3 against 1, so a new zone-b node cannot take
  // them (the resources alone would have scaled up one node for nothing).
  const pools = `    - {name: fixed, count: 1, zones: [zone-a], template: {cpu: "1", memory: 4Gi}}
    - {name: g, count: 1, zones: [zone-b], autoscaling: {min: 1, max: 5}, template: {cpu: "2", memory: 8Gi}}`;
  const spread = `|topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]`;
  const { r, log } = run(scenario(pools, deploymentWith('web', 5, '1', spread), '', '3m'));
  assert.is(nodeEvents(log, 'ADDED').filter((c) => c.t > 1 * S).length, 0, 'no node added');
  assert.is(r.summary.pods_running, 3);
  assert.is(r.summary.pods_pending_end, 2);
});

test('no scale-up for a host port every template node already uses (a DaemonSet holds it); one node per pod otherwise', () => {
  const exporter = `
  - manifest:
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: exporter}
      spec:
        selector: {matchLabels: {app: exporter}}
        template:
          metadata: {labels: {app: exporter}}
          spec: {containers: [{name: c, image: exporter, ports: [{containerPort: 9100, hostPort: 9100}], resources: {requests: {cpu: 50m, memory: 32Mi}}}]}`;
  const port = (p: number): string => `ports: [{containerPort: ${p}, hostPort: ${p}}]`;
  const blocked = run(scenario(POOL, exporter + deploymentWith('web', 3, '100m', port(9100)), '', '3m'));
  assert.is(nodeEvents(blocked.log, 'ADDED').filter((c) => c.t > 1 * S).length, 0, 'no node added');
  assert.is(blocked.r.summary.pods_pending_end, 3);
  // Port 8080 is free on the nodes but one pod per node: 2 run, 4 more need 4 new nodes (not one).
  const spread = run(scenario(POOL, exporter + deploymentWith('web', 6, '100m', port(8080)), '', '3m'));
  assert.is(nodeEvents(spread.log, 'ADDED').filter((c) => c.t > 1 * S).length, 4);
  assert.is(spread.r.summary.pods_running, 6 + 6, 'the web pods and one exporter per node');
});

test('scale-down drain simulation runs the filters: pods that cannot move for anti-affinity keep their nodes', () => {
  // 3 nodes, one 100m pod each (2.5% utilization): by resources any node could go, but each pod's required
  // anti-affinity rejects every other node, so none is removable.
  const pools = '    - {name: g, count: 3, autoscaling: {min: 1, max: 5}, template: {cpu: "4", memory: 16Gi}}';
  const kept = run(scenario(pools, deploymentWith('web', 3, '100m', ANTI), '', '20m'));
  assert.is(nodeEvents(kept.log, 'DELETED').length, 0);
  assert.is(kept.r.summary.nodes_end, 3);
  // Without the anti-affinity the same nodes are drained down to the pods' needs.
  const drained = run(scenario(pools, deploymentWith('web', 3, '100m', ''), '', '20m'));
  assert.ok(nodeEvents(drained.log, 'DELETED').length >= 1);
});

test('ClusterSnapshot: fork/revert undoes added nodes and pods, commit keeps them; the filters see every change', () => {
  const kernel = new Kernel(DEFAULT_PROFILE);
  const snap = new ClusterSnapshot({ kernelFor: () => kernel, defaultSelector: () => undefined, lastIndex: 0 }, 4);
  const node = (name: string): Node => makeNode(name, { cpu: 1000, memory: 4 * 1024 ** 3, pods: 110 }, { 'kubernetes.io/hostname': name });
  const a = snap.addNode(node('a'));
  const pod = (name: string): Pod => makePod(name, makeSpec([{ cpu: 600 }]));
  snap.fork();
  snap.addPod(pod('p1'), a);
  assert.is(snap.fits(pod('p2'), a), false, '600m + 600m > 1 cpu');
  const b = snap.addNode(node('b'));
  assert.is(
    snap.fitsAnyNode(pod('p2'), null, () => true),
    b,
  );
  snap.revert();
  assert.is(snap.fits(pod('p2'), a), true, 'p1 is gone');
  assert.is(snap.table.indexOf('b'), -1, 'b is gone');
  assert.is(
    snap.fitsAnyNode(pod('p2'), null, () => true),
    a,
  );
  snap.fork();
  snap.addPod(pod('p1'), a);
  snap.commit();
  assert.is(snap.fits(pod('p2'), a), false, 'committed');
  // The ghost of a drained node: its pods leave it and its taint keeps new ones away, until reverted.
  snap.fork();
  assert.is(snap.removePodsOn(a).length, 1);
  snap.addTaint(a, { key: 'ToBeDeletedByClusterAutoscaler', value: '0', effect: 'NoSchedule' });
  assert.is(snap.fits(pod('p2'), a), false, 'tainted');
  snap.revert();
  assert.is(snap.pods.on(a).length, 1);
  assert.is(snap.table.nodes[a].spec.taints.length, 0);
});

test('autoscaling fields are validated', () => {
  const e = expectInputError(() =>
    scenario('    - {name: g, count: 5, autoscaling: {min: 1, max: 3}, template: {cpu: "4", memory: 16Gi}}', deployment(1)),
  );
  assert.match(e.message, /nodePools\[0\]\.autoscaling\.max.*count 5 nodes, more than max 3/);
  const x = expectInputError(() => scenario(POOL, deployment(1), ', expander: cheapest'));
  assert.match(x.message, /clusterAutoscaler\.expander/);
});

test.run();
