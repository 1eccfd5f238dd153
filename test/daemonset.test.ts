/**
 * DaemonSet: the NodeShouldRunDaemonPod predicates and the tolerations/affinity every daemon pod gets, mirroring
 * pkg/controller/daemon/daemon_controller_test.go (TestNodeShouldRunDaemonPod, TestNodeAffinityDaemonLaunchesPods,
 * TestTaintedNodeDaemonDoesNotLaunchIntolerantPods, TestNodeDaemonLaunchesToleratePod) and
 * util/daemonset_util_test.go (TestReplaceDaemonSetPodNodeNameNodeAffinity); then whole runs: one pod per
 * eligible node bound by the default scheduler, new nodes get theirs, pods of removed nodes go, and the cluster
 * autoscaler's node templates count the DaemonSet pods.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DaemonSet, KubeObject, Node, Pod, Taint } from '../engine/api/objects.js';
import {
  daemonPodSpec,
  daemonTemplateSpec,
  nodeNameAffinity,
  nodeShouldRunDaemonPod,
  targetNodeName,
  withDaemonTolerations,
} from '../engine/controllers/daemon-pod.js';
import { runOnce, type RunResult } from '../engine/run.js';
import { parseManifests } from '../engine/scenario/manifests.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import type { Scenario } from '../engine/scenario/types.js';
import { expectInputError, makeNode, scenarioFrom } from './helpers.js';

function ds(spec = 'containers: [{name: c, image: agent, resources: {requests: {cpu: 100m, memory: 64Mi}}}]', extra = ''): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
${extra}  template:
    metadata: {labels: {app: agent}}
    spec: {${spec}}
`;
}

function parseDs(text: string): DaemonSet {
  const [f] = parseYamlDocuments(text, 'ds.yaml');
  return parseManifests(f)[0] as DaemonSet;
}

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  const n = makeNode(name, { cpu: 4000, memory: 8 * 2 ** 30, pods: 110 }, labels);
  return { ...n, spec: { ...n.spec, taints } };
}

test('NodeShouldRunDaemonPod: nodeSelector, required node affinity, nodeName', () => {
  const sel = daemonTemplateSpec(parseDs(ds('nodeSelector: {disk: ssd}, containers: [{name: c, image: agent}]')));
  assert.equal(nodeShouldRunDaemonPod(node('a', { disk: 'ssd' }), sel), { shouldRun: true, shouldContinueRunning: true });
  assert.equal(nodeShouldRunDaemonPod(node('b', { disk: 'hdd' }), sel), { shouldRun: false, shouldContinueRunning: false });
  const aff = daemonTemplateSpec(
    parseDs(
      ds(
        'affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [z1]}]}]}}}, containers: [{name: c, image: agent}]',
      ),
    ),
  );
  assert.ok(nodeShouldRunDaemonPod(node('a', { zone: 'z1' }), aff).shouldRun);
  assert.not.ok(nodeShouldRunDaemonPod(node('a', { zone: 'z2' }), aff).shouldContinueRunning);
  const named = daemonTemplateSpec(parseDs(ds('nodeName: a, containers: [{name: c, image: agent}]')));
  assert.ok(nodeShouldRunDaemonPod(node('a'), named).shouldRun);
  assert.equal(nodeShouldRunDaemonPod(node('b'), named), { shouldRun: false, shouldContinueRunning: false });
});

test('NodeShouldRunDaemonPod: an untolerated NoSchedule taint stops new pods only, NoExecute both; daemon tolerations apply', () => {
  const spec = daemonTemplateSpec(parseDs(ds()));
  assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), spec), {
    shouldRun: false,
    shouldContinueRunning: true,
  });
  assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]), spec), {
    shouldRun: false,
    shouldContinueRunning: false,
  });
  assert.equal(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'spot', value: '', effect: 'PreferNoSchedule' }]), spec), {
    shouldRun: true,
    shouldContinueRunning: true,
  });
  // Tolerated automatically: a cordoned node, a NotReady or unreachable node, node pressure.
  for (const key of [
    'node.kubernetes.io/unschedulable',
    'node.kubernetes.io/memory-pressure',
    'node.kubernetes.io/disk-pressure',
    'node.kubernetes.io/pid-pressure',
  ]) {
    assert.ok(nodeShouldRunDaemonPod(node('a', {}, [{ key, value: '', effect: 'NoSchedule' }]), spec).shouldRun, key);
  }
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    assert.ok(nodeShouldRunDaemonPod(node('a', {}, [{ key, value: '', effect: 'NoExecute' }]), spec).shouldRun, key);
  }
  // The template's own toleration lets it onto the tainted node.
  const tol = daemonTemplateSpec(parseDs(ds('tolerations: [{key: dedicated, operator: Exists}], containers: [{name: c, image: agent}]')));
  assert.ok(nodeShouldRunDaemonPod(node('a', {}, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]), tol).shouldRun);
});

test('AddOrUpdateDaemonPodTolerations replaces a matching toleration (dropping tolerationSeconds) and appends the rest', () => {
  const out = withDaemonTolerations([
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', value: '', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  assert.is(out.length, 6);
  assert.equal(out[0], { key: 'node.kubernetes.io/not-ready', operator: 'Exists', value: '', effect: 'NoExecute' });
  assert.ok(out.some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'));
});

test('ReplaceDaemonSetPodNodeNameNodeAffinity: required terms become metadata.name In [node]; preferred terms stay', () => {
  const pref = [
    { weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['z1'] }], matchFields: [] } },
  ];
  const a = nodeNameAffinity(
    {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists', values: [] }], matchFields: [] }] },
      preferred: pref,
    },
    'n1',
  );
  assert.equal(a.required, {
    nodeSelectorTerms: [{ matchExpressions: [], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
  });
  assert.equal(a.preferred, pref);
  const spec = daemonPodSpec(daemonTemplateSpec(parseDs(ds())), 'n7');
  const pod = { spec, metadata: { ownerReferences: [] } } as unknown as Pod;
  assert.is(targetNodeName(pod), 'n7');
});

test('DaemonSet manifests: replicas refused; updateStrategy validated', () => {
  const e = expectInputError(() => parseDs(ds(undefined, '  replicas: 3\n')));
  assert.match(e.message, /spec\.replicas.*no replicas/);
  const e2 = expectInputError(() =>
    parseDs(ds(undefined, '  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 0}}\n')),
  );
  assert.match(e2.message, /maxUnavailable.*may not be 0/);
  const e3 = expectInputError(() => parseDs(ds('restartPolicy: Never, containers: [{name: c, image: agent}]')));
  assert.match(e3.message, /restartPolicy/);
});

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}

function scenario(pools: string, daemon: string, more = '', duration = '2m', params = ''): Scenario {
  return scenarioFrom(`
name: ds
duration: ${duration}
cluster:
  nodePools:
${pools}
workloads:
  - manifest:
${indent(daemon, '      ')}
${more}
${params}
`);
}

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

const daemonPods = (r: RunResult): Pod[] => r.store.pods.filter((p) => p.metadata.ownerReferences.some((o) => o.kind === 'DaemonSet'));

test('one pod per eligible node, each bound by the scheduler to the node its affinity names; tainted and unselected nodes get none', () => {
  const pools = `    - {name: ssd, count: 3, template: {cpu: "4", memory: 8Gi, labels: {disk: ssd}}}
    - {name: hdd, count: 2, template: {cpu: "4", memory: 8Gi, labels: {disk: hdd}}}
    - {name: db, count: 1, template: {cpu: "4", memory: 8Gi, labels: {disk: ssd}, taints: [{key: dedicated, value: db, effect: NoSchedule}]}}`;
  const { r, log } = run(
    scenario(pools, ds('nodeSelector: {disk: ssd}, containers: [{name: c, image: agent, resources: {requests: {cpu: 100m}}}]')),
  );
  const pods = daemonPods(r);
  assert.equal(pods.map((p) => p.spec.nodeName).sort(), ['ssd-0', 'ssd-1', 'ssd-2']);
  for (const p of pods) {
    assert.is(p.status.phase, 'Running');
    assert.is(targetNodeName({ ...p, spec: { ...p.spec, nodeName: '' } }), p.spec.nodeName, 'pinned by matchFields');
    // Created unbound: the scheduler's binding set the node.
    const created = log.find((c) => c.type === 'ADDED' && c.obj.metadata.name === p.metadata.name)?.obj as Pod;
    assert.is(created.spec.nodeName, '');
    assert.ok(
      p.spec.tolerations.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.tolerationSeconds === undefined),
      'never evicted for unreachable',
    );
  }
  const status = log
    .filter((c) => c.obj.kind === 'DaemonSet')
    .map((c) => c.obj as DaemonSet)
    .at(-1)?.status;
  assert.equal(status, { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3 });
});

test('the daemon pod tolerating a taint runs on the tainted node; a full node leaves its daemon pod pending, not elsewhere', () => {
  const pools = `    - {name: n, count: 2, template: {cpu: "1", memory: 8Gi}}
    - {name: db, count: 1, template: {cpu: "4", memory: 8Gi, taints: [{key: dedicated, value: db, effect: NoSchedule}]}}`;
  const hog = `  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: hog}
      spec: {nodeName: n-0, containers: [{name: c, image: x, resources: {requests: {cpu: "1"}}}]}`;
  const { r } = run(
    scenario(
      pools,
      ds('tolerations: [{key: dedicated, operator: Exists}], containers: [{name: c, image: agent, resources: {requests: {cpu: 500m}}}]'),
      hog,
    ),
  );
  const pods = daemonPods(r);
  assert.is(pods.length, 3);
  assert.equal(
    pods
      .filter((p) => p.spec.nodeName !== '')
      .map((p) => p.spec.nodeName)
      .sort(),
    ['db-0', 'n-1'],
  );
  const pending = pods.find((p) => p.spec.nodeName === '') as Pod;
  assert.is(targetNodeName(pending), 'n-0');
  assert.is(pending.status.reason, 'Unschedulable');
});

const AUTOSCALE = (max: number): string =>
  `    - {name: g, count: 1, autoscaling: {min: 1, max: ${max}}, template: {cpu: "4", memory: 16Gi}}`;

function deployment(replicas: number, cpu: string, at = '0s'): string {
  return `  - at: ${at}
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: ${replicas}
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: "${cpu}", memory: 1Gi}}}]}`;
}

test('new nodes get their daemon pod; the autoscaler sizes scale-ups with the DaemonSet pods on the template', () => {
  // 8 pods of 2 cpu on 4-cpu nodes: 2 per node without the daemon (4 nodes); with a 1-cpu daemon pod on every
  // node only 1 fits (8 nodes: 1 existing + 7 new).
  const agent = ds('containers: [{name: c, image: agent, resources: {requests: {cpu: "1", memory: 64Mi}}}]');
  const params = 'parameters:\n  clusterAutoscaler: {provisioningDelay: 30s}';
  const withDs = run(scenario(AUTOSCALE(20), agent, deployment(8, '2'), '5m', params));
  const nodes = withDs.r.store.nodes.map((n) => n.metadata.name).sort();
  assert.is(nodes.length, 8, `nodes: ${nodes.join(' ')}`);
  const pods = daemonPods(withDs.r);
  // Every node, new ones included, gets exactly one daemon pod. (Whether it is bound depends on the race with the
  // Deployment's pending pods for the new node's room, as upstream, where critical agents use a higher priority.)
  assert.equal(pods.map((p) => targetNodeName(p)).sort(), nodes, 'one daemon pod per node');
  assert.ok(pods.filter((p) => p.spec.nodeName !== '').length >= 1);
  // The same workload without the DaemonSet's requests needs half the nodes.
  const light = ds('containers: [{name: c, image: agent}]');
  const without = run(scenario(AUTOSCALE(20), light, deployment(8, '2'), '5m', params));
  assert.is(without.r.store.nodes.length, 4);
});

test('a node running only daemon pods is empty for scale-down; its daemon pod goes with it (pod GC)', () => {
  const agent = ds('containers: [{name: c, image: agent, resources: {requests: {cpu: 100m, memory: 64Mi}}}]');
  const pools = `    - {name: g, count: 3, autoscaling: {min: 1, max: 5}, template: {cpu: "4", memory: 16Gi}}`;
  const { r, log } = run(scenario(pools, agent, '', '20m', 'parameters:\n  clusterAutoscaler: {provisioningDelay: 30s}'));
  const removed = log.filter((c) => c.obj.kind === 'Node' && c.type === 'DELETED').map((c) => c.obj.metadata.name);
  assert.is(removed.length, 2, 'the two nodes above min, empty but for their daemon pods, are removed in bulk');
  const remaining = r.store.nodes.map((n) => n.metadata.name);
  assert.equal(remaining.length, 1);
  assert.equal(
    daemonPods(r).map((p) => p.spec.nodeName),
    remaining,
    "the removed nodes' daemon pods are gone",
  );
});

test.run();
