/**
 * NodeVolumeLimits (framework/plugins/nodevolumelimits/csi.go) and the CSINode kind. The Filter cases mirror
 * upstream's csi_test.go TestCSILimits: a node whose CSINode limit is above the attached + new volume count fits,
 * one at or below it does not (ErrReasonMaxVolumeCountExceeded), a driver without a limit or a node without a
 * CSINode never limits, a volume shared with a pod already on the node counts once, pending (unbound) claims count
 * through their class's provisioner, and limits apply per driver. Then the parsing of CSINode manifests, the
 * queue's events, and one scenario run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CSINode, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../../api/objects.js';
import { fitErrorMessage } from '../../kernel.js';
import { REASON_MAX_VOLUME_COUNT, volumeInput, type VolumeListers } from './index.js';
import { DEFAULT_PROFILE, editProfile } from '../../profile.js';
import { ASSIGNED_POD_DELETE, CSI_NODE_ADD, CSI_NODE_UPDATE, PVC_ADD } from '../../framework/cluster-events.js';
import { NODE_VOLUME_LIMITS, pluginNames } from '../../framework/rejectors.js';
import { QueueingHints, STRATEGY_AFTER_BACKOFF } from '../../framework/queueing-hints.js';
import { runOnce } from '../../../run.js';
import { cluster, inputOf, runCycle, verdicts } from '../../../../test/scheduler-helpers.js';
import { expectInputError, makePod, makeSpec, scenarioFrom } from '../../../../test/helpers.js';

const EBS = 'ebs.csi.aws.com';
const GCE = 'pd.csi.storage.gke.io';

const meta = (name: string, namespace = '') => ({
  name,
  namespace,
  uid: '',
  labels: {},
  annotations: {},
  ownerReferences: [],
  creationTimestamp: 0,
  resourceVersion: 0,
});

const pv = (name: string, driver: string): PersistentVolume => ({
  kind: 'PersistentVolume',
  metadata: meta(name),
  spec: { storage: 2 ** 30, accessModes: ['ReadWriteOnce'], storageClassName: '', claimRef: `default/${name}`, csiDriver: driver },
  status: { phase: 'Bound' },
});
/** A claim bound to the volume of the same name, or (cls given) pending in that class. */
const pvc = (name: string, cls: string | null = null): PersistentVolumeClaim => ({
  kind: 'PersistentVolumeClaim',
  metadata: meta(name, 'default'),
  spec: { accessModes: ['ReadWriteOnce'], storage: 2 ** 30, storageClassName: cls, volumeName: cls === null ? name : '' },
  status: { phase: cls === null ? 'Bound' : 'Pending' },
});
const sc = (name: string, provisioner: string): StorageClass => ({
  kind: 'StorageClass',
  metadata: meta(name),
  provisioner,
  volumeBindingMode: 'WaitForFirstConsumer',
  allowedTopologies: [],
});
const csiNode = (node: string, drivers: [string, number | null][]): CSINode => ({
  kind: 'CSINode',
  metadata: meta(node),
  spec: { drivers: drivers.map(([name, count]) => ({ name, count })) },
});
const podWith = (name: string, claims: string[]): Pod => makePod(name, makeSpec([{ cpu: 100 }], { claims }));

interface Case {
  readonly existing: string[][];
  readonly csi: CSINode[];
  readonly newClaims: string[];
}

// Volumes: ebs-1..ebs-4 and gce-1..gce-2 bound to their drivers; pending claims in class 'ebs-sc' (provisioner EBS).
const PVS = [...[1, 2, 3, 4].map((i) => pv(`ebs-${i}`, EBS)), ...[1, 2].map((i) => pv(`gce-${i}`, GCE))];
const PVCS = [...PVS.map((v) => pvc(v.metadata.name)), pvc('pending-1', 'ebs-sc'), pvc('pending-2', 'ebs-sc')];

function listers(c: Case): VolumeListers {
  return {
    claim: (ns, n) => PVCS.find((x) => x.metadata.namespace === ns && x.metadata.name === n),
    volume: (n) => PVS.find((v) => v.metadata.name === n),
    storageClass: (n) => (n === 'ebs-sc' ? sc('ebs-sc', EBS) : undefined),
    volumes: () => PVS.values(),
    defaultClass: () => '',
    claimInUse: () => false,
    csiNodes: () => c.csi,
    assignedPods: () => c.existing.map((claims, i) => ({ node: 'host1', pod: podWith(`existing-${i}`, claims) })),
  };
}

/** host1's verdict (0 fits, 1 Unschedulable) and the FitError message. */
function filter(c: Case): { verdict: number; message: string } {
  const cl = cluster([{ name: 'host1' }]);
  const pod = podWith('new', c.newClaims);
  const input = { ...inputOf(pod), volumes: volumeInput('default', c.newClaims, listers(c), 'Pod/default/new') };
  const { k, d } = runCycle(DEFAULT_PROFILE, cl, input);
  return {
    verdict: d.node >= 0 ? 0 : verdicts(k, cl.t).host1,
    message: d.node >= 0 ? '' : fitErrorMessage(1, d.diagnosis ?? new Map(), d.preFilterMessage),
  };
}

const EXCEEDED = `0/1 nodes are available: 1 ${REASON_MAX_VOLUME_COUNT}.`;

test('TestCSILimits: fits when the node volume limit >= attached + new CSI volumes', () => {
  assert.equal(filter({ existing: [['ebs-1', 'ebs-2']], csi: [csiNode('host1', [[EBS, 4]])], newClaims: ['ebs-3'] }), {
    verdict: 0,
    message: '',
  });
  // Exactly at the limit still fits (currentVolumeCount + count > limit rejects).
  assert.is(filter({ existing: [['ebs-1', 'ebs-2']], csi: [csiNode('host1', [[EBS, 3]])], newClaims: ['ebs-3'] }).verdict, 0);
});

test("TestCSILimits: doesn't fit when the node volume limit <= attached + new CSI volumes (Unschedulable, upstream reason)", () => {
  const r = filter({ existing: [['ebs-1', 'ebs-2']], csi: [csiNode('host1', [[EBS, 2]])], newClaims: ['ebs-3'] });
  assert.equal(r, { verdict: 1, message: EXCEEDED });
  // Two new volumes against a limit of one, on an empty node.
  assert.is(filter({ existing: [], csi: [csiNode('host1', [[EBS, 1]])], newClaims: ['ebs-1', 'ebs-2'] }).verdict, 1);
});

test('TestCSILimits: no CSINode, or a driver without allocatable.count, means no limit', () => {
  assert.is(filter({ existing: [['ebs-1', 'ebs-2']], csi: [], newClaims: ['ebs-3'] }).verdict, 0);
  assert.is(filter({ existing: [['ebs-1', 'ebs-2']], csi: [csiNode('host1', [[EBS, null]])], newClaims: ['ebs-3'] }).verdict, 0);
  // Another node's CSINode does not limit host1.
  assert.is(filter({ existing: [['ebs-1', 'ebs-2']], csi: [csiNode('host2', [[EBS, 0]])], newClaims: ['ebs-3'] }).verdict, 0);
});

test('TestCSILimits: a volume already used on the node counts once (shared claim)', () => {
  assert.is(filter({ existing: [['ebs-1', 'ebs-2']], csi: [csiNode('host1', [[EBS, 2]])], newClaims: ['ebs-2'] }).verdict, 0);
  // Two existing pods sharing a volume use one slot.
  assert.is(filter({ existing: [['ebs-1'], ['ebs-1']], csi: [csiNode('host1', [[EBS, 2]])], newClaims: ['ebs-2'] }).verdict, 0);
});

test('TestCSILimits: pending claims count through their StorageClass provisioner', () => {
  assert.is(filter({ existing: [['pending-1']], csi: [csiNode('host1', [[EBS, 1]])], newClaims: ['ebs-1'] }).verdict, 1);
  assert.is(filter({ existing: [['ebs-1']], csi: [csiNode('host1', [[EBS, 1]])], newClaims: ['pending-2'] }).verdict, 1);
  assert.is(filter({ existing: [['ebs-1']], csi: [csiNode('host1', [[EBS, 2]])], newClaims: ['pending-2'] }).verdict, 0);
});

test('TestCSILimits: limits are per driver', () => {
  // EBS full, but the new volume is GCE's (no GCE limit) → fits; a GCE limit of 1 with one GCE attached → not.
  const csi = [csiNode('host1', [[EBS, 1]])];
  assert.is(filter({ existing: [['ebs-1']], csi, newClaims: ['gce-1'] }).verdict, 0);
  const both = [
    csiNode('host1', [
      [EBS, 4],
      [GCE, 1],
    ]),
  ];
  assert.is(filter({ existing: [['ebs-1', 'gce-1']], csi: both, newClaims: ['ebs-2'] }).verdict, 0);
  assert.is(filter({ existing: [['ebs-1', 'gce-1']], csi: both, newClaims: ['ebs-2', 'gce-2'] }).verdict, 1);
});

test('NodeVolumeLimits disabled in the profile: the limit is not applied', () => {
  const cl = cluster([{ name: 'host1' }]);
  const c: Case = { existing: [['ebs-1']], csi: [csiNode('host1', [[EBS, 1]])], newClaims: ['ebs-2'] };
  const input = { ...inputOf(podWith('new', c.newClaims)), volumes: volumeInput('default', c.newClaims, listers(c), 'Pod/default/new') };
  const profile = editProfile(DEFAULT_PROFILE, { disable: [{ name: 'NodeVolumeLimits', points: ['filter'] }] });
  assert.is(runCycle(profile, cl, input).d.node, 0);
});

test('queue: NodeVolumeLimits registers CSINode Add/Update, assigned pod Delete and PVC Add (csi.go EventsToRegister)', () => {
  assert.equal(pluginNames(NODE_VOLUME_LIMITS), ['NodeVolumeLimits']);
  const q = new QueueingHints(true);
  for (const e of [CSI_NODE_ADD, CSI_NODE_UPDATE, ASSIGNED_POD_DELETE, PVC_ADD])
    assert.ok((q.interested(e) & NODE_VOLUME_LIMITS) !== 0, e.label);
  const never = (): never => {
    throw new Error('no hint');
  };
  assert.is(q.worth(NODE_VOLUME_LIMITS, CSI_NODE_UPDATE, never, undefined, undefined), STRATEGY_AFTER_BACKOFF);
});

const csiNodeYaml = (body: string): string => `apiVersion: storage.k8s.io/v1
kind: CSINode
metadata: {name: n-0}
spec:
${body}`;

function scenarioWith(objects: string): ReturnType<typeof scenarioFrom> {
  const manifest = (yaml: string): string =>
    `  - at: 0s\n    manifest:\n${yaml
      .trim()
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n')}\n`;
  const pod = (name: string, claim: string): string =>
    manifest(`apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  affinity:
    nodeAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n-0]}]}
  containers: [{name: c, image: app, resources: {requests: {cpu: 100m}}}]
  volumes: [{name: v, persistentVolumeClaim: {claimName: ${claim}}}]`);
  const claim = (name: string): string =>
    manifest(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: ebs
  resources: {requests: {storage: 10Gi}}`);
  return scenarioFrom(`
name: volume-limits
duration: 2m
cluster:
  nodePools:
    - {name: n, count: 2, template: {cpu: "4", memory: 16Gi}}
workloads:
${manifest(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: ebs}
provisioner: ${EBS}
volumeBindingMode: WaitForFirstConsumer`)}${claim('data-1')}${claim('data-2')}${objects}${pod('app-1', 'data-1')}${pod('app-2', 'data-2')}`);
}

const nodeOf = (s: ReturnType<typeof scenarioFrom>, name: string): string | undefined =>
  runOnce(s, s.policies[0], 1).store.pods.find((p) => p.metadata.name === name)?.spec.nodeName;

test('scenario: a node whose CSINode allows 1 volume of the driver takes one pod with a claim, the second goes elsewhere', () => {
  // Control: without the CSINode both pods follow their preferred affinity to n-0.
  const free = scenarioWith('');
  assert.is(nodeOf(free, 'app-1'), 'n-0');
  assert.is(nodeOf(free, 'app-2'), 'n-0');
  const limited = scenarioWith(
    `  - at: 0s\n    manifest:\n${csiNodeYaml(`  drivers:\n    - {name: ${EBS}, nodeID: i-0, allocatable: {count: 1}}`)
      .split('\n')
      .map((l) => `      ${l}`)
      .join('\n')}\n`,
  );
  const r = runOnce(limited, limited.policies[0], 1);
  const nodes = ['app-1', 'app-2'].map((n) => r.store.pods.find((p) => p.metadata.name === n)?.spec.nodeName).sort();
  assert.equal(nodes, ['n-0', 'n-1']);
});

test('CSINode manifests: fields are validated with their paths; VolumeAttachment stays refused', () => {
  const wrap = (yaml: string): ReturnType<typeof scenarioFrom> =>
    scenarioWith(
      `  - at: 0s\n    manifest:\n${yaml
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n')}\n`,
    );
  const fails = (fn: () => unknown, re: RegExp): void => assert.match(expectInputError(fn).message, re);
  fails(() => wrap(csiNodeYaml(`  drivers:\n    - {name: ${EBS}, allocatable: {count: -1}}`)), /count.*greater than or equal to 0/);
  fails(() => wrap(csiNodeYaml(`  drivers:\n    - {name: ${EBS}, allocatable: {count: 1, size: 2}}`)), /size/);
  fails(() => wrap(csiNodeYaml(`  drivers:\n    - {name: ${EBS}}\n    - {name: ${EBS}}`)), /duplicate driver/);
  fails(
    () =>
      wrap(`apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata: {name: va}
spec: {attacher: ${EBS}, nodeName: n-0, source: {persistentVolumeName: p}}`),
    /VolumeAttachment/,
  );
});

test.run();
