/**
 * Storage as the scheduler sees it: PersistentVolumeClaim, PersistentVolume and StorageClass manifests, the PV
 * controller (pkg/controller/volume/persistentvolume) and the VolumeBinding, VolumeZone and VolumeRestrictions
 * plugins. Cases mirror upstream's tests where named.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject, PersistentVolume, PersistentVolumeClaim, Pod } from '../engine/api/objects.js';
import { ANN_SELECTED_NODE } from '../engine/api/storage.js';
import { runOnce, type RunResult } from '../engine/run.js';
import type { Scenario } from '../engine/scenario/types.js';
import { expectInputError, scenarioFrom } from './helpers.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';

const S = 1_000_000;

function scenario(workloads: string, opts: { duration?: string; params?: string; pools?: string } = {}): Scenario {
  return scenarioFrom(`
name: storage
duration: ${opts.duration ?? '2m'}
cluster:
  nodePools:
${opts.pools ?? '    - {name: n, count: 6, zones: [a, b, c], template: {cpu: "4", memory: 16Gi}}'}
workloads:
${workloads}
${opts.params ?? ''}
`);
}

const manifest = (yaml: string, at = '0s'): string =>
  `  - at: ${at}\n    manifest:\n${yaml
    .trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}\n`;

const storageClass = (name: string, mode: string, extra = ''): string =>
  manifest(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: ${name}}
provisioner: ebs.csi.aws.com
volumeBindingMode: ${mode}
${extra}`);

const claim = (name: string, cls: string, extra = '', at = '0s'): string =>
  manifest(
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ${cls}
  resources: {requests: {storage: 10Gi}}
${extra}`,
    at,
  );

const pod = (name: string, claims: string[], at = '1s', extra = ''): string =>
  manifest(
    `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers: [{name: c, image: app, resources: {requests: {cpu: 100m}}}]
  volumes: [${claims.map((c, i) => `{name: v${i}, persistentVolumeClaim: {claimName: ${c}}}`).join(', ')}]
${extra}`,
    at,
  );

const pv = (name: string, cls: string, extra = ''): string =>
  manifest(`apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}${extra.includes('labels:') ? '' : ''}}
spec:
  capacity: {storage: 20Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: ${cls}
  csi: {driver: ebs.csi.aws.com, volumeHandle: ${name}}
${extra}`);

interface Change {
  readonly t: number;
  readonly type: string;
  readonly obj: KubeObject;
}

function run(s: Scenario, seed = 1): { r: RunResult; log: Change[] } {
  const log: Change[] = [];
  const r = runOnce(s, s.policies[0], seed, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  return { r, log };
}

const finalPod = (r: RunResult, name: string): Pod | undefined => r.store.pods.find((p) => p.metadata.name === name);
const zoneOf = (r: RunResult, node: string): string | undefined =>
  r.store.nodes.find((n) => n.metadata.name === node)?.metadata.labels['topology.kubernetes.io/zone'];
const lastOf = <T extends KubeObject>(log: Change[], kind: T['kind'], name: string): T | undefined =>
  [...log].reverse().find((c) => c.obj.kind === kind && c.obj.metadata.name === name)?.obj as T | undefined;

test('WaitForFirstConsumer, zonal class: the pod lands in an allowed zone and its volume is provisioned there', () => {
  const allowed = `allowedTopologies:
  - matchLabelExpressions:
      - {key: topology.kubernetes.io/zone, values: [b]}`;
  const { r, log } = run(scenario(storageClass('zonal', 'WaitForFirstConsumer', allowed) + claim('data', 'zonal') + pod('app', ['data'])));
  const p = finalPod(r, 'app');
  assert.ok(p !== undefined && p.spec.nodeName !== '', 'pod bound');
  assert.is(zoneOf(r, p.spec.nodeName), 'b');
  const pvc = lastOf<PersistentVolumeClaim>(log, 'PersistentVolumeClaim', 'data');
  assert.is(pvc?.status.phase, 'Bound');
  assert.is(pvc?.metadata.annotations[ANN_SELECTED_NODE], p.spec.nodeName);
  const vol = lastOf<PersistentVolume>(log, 'PersistentVolume', pvc?.spec.volumeName ?? '');
  assert.equal(vol?.spec.nodeAffinity?.nodeSelectorTerms[0].matchExpressions[0].values, ['b']);
  // The binding waited for provisioning: the pod is bound after its claim.
  const boundAt = log.find((c) => c.obj.kind === 'Pod' && c.obj.metadata.name === 'app' && (c.obj as Pod).spec.nodeName !== '')?.t ?? -1;
  const claimBoundAt =
    log.find((c) => c.obj.kind === 'PersistentVolumeClaim' && (c.obj as PersistentVolumeClaim).status.phase === 'Bound')?.t ?? -1;
  assert.ok(claimBoundAt > 0 && boundAt > claimBoundAt, `pod bound at ${boundAt}, claim at ${claimBoundAt}`);
});

test('Immediate: a claim bound to a zonal PV pins its pod to that zone (VolumeBinding node affinity)', () => {
  const zonal = `  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [c]}]`;
  for (const seed of [1, 2, 3]) {
    const { r, log } = run(scenario(pv('pv-c', 'manual', zonal) + claim('data', 'manual') + pod('app', ['data'], '2s')), seed);
    const p = finalPod(r, 'app');
    assert.ok(p !== undefined && p.spec.nodeName !== '');
    assert.is(zoneOf(r, p.spec.nodeName), 'c');
    assert.is(lastOf<PersistentVolumeClaim>(log, 'PersistentVolumeClaim', 'data')?.spec.volumeName, 'pv-c');
  }
});

const statefulSet = (replicas: number, cls: string, at = '0s'): string =>
  manifest(
    `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: ${replicas}
  serviceName: db
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres, resources: {requests: {cpu: 500m}}}]}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], storageClassName: ${cls}, resources: {requests: {storage: 5Gi}}}`,
    at,
  );

test('StatefulSet volumeClaimTemplates: claims <template>-<set>-<ordinal>, bound, kept on scale-down (Retain), reused', () => {
  const wffc = storageClass('standard', 'WaitForFirstConsumer');
  const { r, log } = run(
    scenario(wffc + statefulSet(3, 'standard') + statefulSet(1, 'standard', '60s') + statefulSet(3, 'standard', '90s'), { duration: '3m' }),
  );
  const claims = [...new Set(log.filter((c) => c.obj.kind === 'PersistentVolumeClaim').map((c) => c.obj.metadata.name))].sort();
  assert.equal(claims, ['data-db-0', 'data-db-1', 'data-db-2']);
  // Never deleted, and each provisioned once (a recreated pod reuses its claim and volume).
  assert.not.ok(log.some((c) => c.obj.kind === 'PersistentVolumeClaim' && c.type === 'DELETED'));
  assert.is(log.filter((c) => c.obj.kind === 'PersistentVolume' && c.type === 'ADDED').length, 3);
  const pods = r.store.pods.filter((p) => p.status.phase === 'Running');
  assert.is(pods.length, 3);
  for (const p of pods) {
    assert.equal(p.spec.claims, [`data-${p.metadata.name}`]);
    const pvc = lastOf<PersistentVolumeClaim>(log, 'PersistentVolumeClaim', `data-${p.metadata.name}`);
    assert.is(pvc?.status.phase, 'Bound');
    // The pod came back on a node of its volume's zone (provisioned in the first pod's node zone).
    const vol = lastOf<PersistentVolume>(log, 'PersistentVolume', pvc?.spec.volumeName ?? '');
    assert.equal(vol?.spec.nodeAffinity?.nodeSelectorTerms[0].matchExpressions[0].values, [zoneOf(r, p.spec.nodeName)]);
  }
});
const boundAt = (log: Change[], name: string): number =>
  log.find((c) => c.obj.kind === 'Pod' && c.obj.metadata.name === name && (c.obj as Pod).spec.nodeName !== '')?.t ?? -1;

test('Immediate with provisioning: the volume appears after provisioningLatency; the pod waits (unbound immediate claim) and is retried on the claim update', () => {
  const params = 'parameters:\n  controllerManager: {provisioningLatency: {type: constant, value: 30s}}';
  const { r, log } = run(scenario(storageClass('fast', 'Immediate') + claim('data', 'fast') + pod('app', ['data']), { params }));
  const pvAdded = log.find((c) => c.obj.kind === 'PersistentVolume' && c.type === 'ADDED')?.t ?? -1;
  assert.ok(pvAdded >= 30 * S && pvAdded < 31 * S, `PV created at ${pvAdded}`);
  const failed = log.find((c) => c.obj.kind === 'Pod' && (c.obj as Pod).status.message !== undefined)?.obj as Pod | undefined;
  assert.match(failed?.status.message ?? '', 'pod has unbound immediate PersistentVolumeClaims');
  const t = boundAt(log, 'app');
  // Requeued by the claim's update (PvcUpdate), not by the 5 min unschedulable flush.
  assert.ok(t > pvAdded && t < pvAdded + 3 * S, `bound at ${t}, PV at ${pvAdded}`);
  assert.is(finalPod(r, 'app')?.status.phase, 'Running');
});

test('a pod whose claim does not exist stays Pending with the not-found message; creating the claim later schedules it', () => {
  const { log } = run(scenario(storageClass('std', 'WaitForFirstConsumer') + pod('app', ['late']) + claim('late', 'std', '', '20s')));
  const failed = log.find((c) => c.obj.kind === 'Pod' && (c.obj as Pod).status.message !== undefined)?.obj as Pod | undefined;
  assert.match(failed?.status.message ?? '', 'persistentvolumeclaim "late" not found');
  assert.ok(boundAt(log, 'app') > 20 * S);
});

test('PreBind timeout (bindTimeoutSeconds 600 s): the binding cycle fails, the pod is scheduled again and bound once the volume exists', () => {
  const params = 'parameters:\n  controllerManager: {provisioningLatency: {type: constant, value: 700s}}';
  const { r, log } = run(
    scenario(storageClass('slow', 'WaitForFirstConsumer') + claim('data', 'slow') + pod('app', ['data']), { params, duration: '20m' }),
  );
  const t = boundAt(log, 'app');
  assert.ok(t > 700 * S, `bound at ${t}`);
  assert.is(log.filter((c) => c.obj.kind === 'PersistentVolume' && c.type === 'ADDED').length, 1);
  assert.is(finalPod(r, 'app')?.status.phase, 'Running');
});

test('WaitForFirstConsumer with pre-created local volumes (no provisioner): pods land on the nodes of the volumes, one volume each', () => {
  const local = (name: string, zone: string): string =>
    pv(
      name,
      'local',
      `  nodeAffinity:\n    required:\n      nodeSelectorTerms:\n        - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [${zone}]}]`,
    );
  const sc = manifest(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer`);
  const { r, log } = run(
    scenario(
      sc +
        local('pv-a', 'a') +
        local('pv-c', 'c') +
        claim('d1', 'local') +
        claim('d2', 'local') +
        claim('d3', 'local') +
        pod('p1', ['d1']) +
        pod('p2', ['d2']) +
        pod('p3', ['d3']),
    ),
  );
  const bound = ['p1', 'p2', 'p3'].map((n) => finalPod(r, n)).filter((p) => p !== undefined && p.spec.nodeName !== '') as Pod[];
  assert.is(bound.length, 2);
  assert.equal(bound.map((p) => zoneOf(r, p.spec.nodeName)).sort(), ['a', 'c']);
  const pending = ['p1', 'p2', 'p3'].map((n) => finalPod(r, n)).find((p) => p?.spec.nodeName === '');
  assert.match(pending?.status.message ?? '', "node(s) didn't find available persistent volumes to bind");
  assert.not.ok(log.some((c) => c.obj.kind === 'PersistentVolume' && c.type === 'ADDED' && c.obj.metadata.name.startsWith('pvc-')));
});

test('manifests: field paths in errors, parameters warned, kinds stored', () => {
  const e = expectInputError(() => scenario(claim('x', 'std', '  selector: {matchLabels: {a: b}}')));
  assert.is(e.path, 'workloads[0].manifest.spec.selector');
  assert.match(e.detail, 'label selectors on claims are not modeled');
  const e2 = expectInputError(() => scenario(storageClass('s', 'Sometimes')));
  assert.is(e2.path, 'workloads[0].manifest.volumeBindingMode');
  const e3 = expectInputError(() =>
    scenario(
      manifest(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: c}
spec: {accessModes: [ReadWriteOncePod, ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`),
    ),
  );
  assert.is(e3.path, 'workloads[0].manifest.spec.accessModes');
  const [f] = parseYamlDocuments(
    `name: x\ncluster: {nodePools: [{name: n, count: 1, template: {cpu: "1", memory: 1Gi}}]}\nworkloads:\n${storageClass('s', 'Immediate', 'parameters: {type: gp3}')}`,
    'sc.yaml',
  );
  const { scenario: s, warnings } = parseScenario(f, '/tmp/sc.yaml');
  assert.ok(s.objects.some((o) => o.object.kind === 'StorageClass'));
  assert.equal(
    warnings.filter((w) => w.includes('parameters')),
    [
      'field not modeled: workloads[].manifest.parameters: provisioner parameters are not simulated (every class provisions with parameters.controllerManager.provisioningLatency) (at sc.yaml:11)',
    ],
  );
});

test.run();
