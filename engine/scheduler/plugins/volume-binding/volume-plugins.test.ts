/**
 * The volume plugins through the kernel (PreFilter, Filter, diagnosis), mirroring upstream's tests:
 * framework/plugins/volumezone/volume_zone_test.go TestSingleZone and TestMultiZone (the volumes, nodes and
 * expected statuses of their tables), volumebinding/volume_binding_test.go (unbound immediate claim, missing claim,
 * bound volume node affinity conflict, WaitForFirstConsumer with no matching volume and no provisioner), and
 * volumerestrictions_test.go (a ReadWriteOncePod claim in use).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NodeSelector, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../api/objects.js';
import { claimKeyOf } from '../../../api/storage.js';
import { fitErrorMessage } from '../../kernel.js';
import {
  REASON_BIND_CONFLICT,
  REASON_NODE_CONFLICT,
  REASON_RWOP_CONFLICT,
  REASON_UNBOUND_IMMEDIATE,
  REASON_ZONE_CONFLICT,
  volumeInput,
  type VolumeListers,
} from './index.js';
import { DEFAULT_PROFILE, editProfile } from '../../profile.js';
import { PVC_ADD, PVC_UPDATE, PV_ADD, PV_UPDATE, STORAGE_CLASS_ADD, STORAGE_CLASS_UPDATE } from '../../framework/cluster-events.js';
import {
  NODE_AFFINITY,
  NODE_RESOURCES_FIT,
  VOLUME_BINDING,
  VOLUME_RESTRICTIONS,
  VOLUME_ZONE,
  pluginNames,
} from '../../framework/rejectors.js';
import { QueueingHints, STRATEGY_AFTER_BACKOFF, STRATEGY_SKIP } from '../../framework/queueing-hints.js';
import { cluster, inputOf, runCycle, verdicts } from '../../../../test/scheduler-helpers.js';
import { makePod, makeSpec } from '../../../../test/helpers.js';

const BETA_ZONE = 'failure-domain.beta.kubernetes.io/zone';
const BETA_REGION = 'failure-domain.beta.kubernetes.io/region';
const ZONE = 'topology.kubernetes.io/zone';
const REGION = 'topology.kubernetes.io/region';

const meta = (name: string, labels: Record<string, string> = {}, namespace = '') => ({
  name,
  namespace,
  uid: '',
  labels,
  annotations: {},
  ownerReferences: [],
  creationTimestamp: 0,
  resourceVersion: 0,
});

function volume(name: string, labels: Record<string, string> = {}, extra: Partial<PersistentVolume['spec']> = {}): PersistentVolume {
  return {
    kind: 'PersistentVolume',
    metadata: meta(name, labels),
    spec: { storage: 10 * 2 ** 30, accessModes: ['ReadWriteOnce'], storageClassName: '', claimRef: '', ...extra },
    status: { phase: extra.claimRef !== undefined && extra.claimRef !== '' ? 'Bound' : 'Available' },
  };
}

function claim(
  name: string,
  volumeName: string,
  cls: string | null = null,
  modes: PersistentVolumeClaim['spec']['accessModes'] = ['ReadWriteOnce'],
): PersistentVolumeClaim {
  return {
    kind: 'PersistentVolumeClaim',
    metadata: meta(name, {}, 'default'),
    spec: { accessModes: modes, storage: 2 ** 30, storageClassName: cls, volumeName },
    status: { phase: volumeName === '' ? 'Pending' : 'Bound' },
  };
}

function listers(
  pvs: PersistentVolume[],
  pvcs: PersistentVolumeClaim[],
  classes: StorageClass[] = [],
  inUse: string[] = [],
): VolumeListers {
  return {
    claim: (ns, n) => pvcs.find((c) => c.metadata.namespace === ns && c.metadata.name === n),
    volume: (n) => pvs.find((v) => v.metadata.name === n),
    storageClass: (n) => classes.find((c) => c.metadata.name === n),
    volumes: () => pvs.values(),
    defaultClass: () => '',
    claimInUse: (ns, c) => inUse.includes(claimKeyOf(ns, c)),
    csiNodes: () => [],
    assignedPods: () => [],
  };
}

/** The verdict of one node (0 pass, 2 UnschedulableAndUnresolvable) and the FitError message. */
function filter(l: VolumeListers, claims: string[], nodeLabels: Record<string, string>): { verdict: number; message: string } {
  const c = cluster([{ name: 'host1', labels: nodeLabels }]);
  const pod = makePod('pod_1', makeSpec([{ cpu: 100 }], { claims }));
  const input = { ...inputOf(pod), volumes: volumeInput('default', claims, l, 'Pod/default/pod_1') };
  const { k, d } = runCycle(DEFAULT_PROFILE, c, input);
  return {
    verdict: d.node >= 0 ? 0 : verdicts(k, c.t).host1,
    message: d.node >= 0 ? '' : fitErrorMessage(1, d.diagnosis ?? new Map(), d.preFilterMessage),
  };
}

const ZONE_FAIL = `0/1 nodes are available: 1 ${REASON_ZONE_CONFLICT}.`;

test('VolumeZone TestSingleZone', () => {
  const pvs = [
    volume('vol-1', { [BETA_ZONE]: 'us-west1-a' }),
    volume('vol-2', { [BETA_REGION]: 'us-west1', uselessLabel: 'none' }),
    volume('vol-stable-1', { [ZONE]: 'us-west1-a' }),
    volume('vol-stable-2', { [REGION]: 'us-west1', uselessLabel: 'none' }),
    volume('vol-stable-3', { [ZONE]: 'us-west1-a', [REGION]: 'us-west1-a' }),
  ];
  const pvcs = [
    claim('pvc-1', 'vol-1'),
    claim('pvc-2', 'vol-2'),
    claim('pvc-stable-1', 'vol-stable-1'),
    claim('pvc-stable-2', 'vol-stable-2'),
    claim('pvc-stable-3', 'vol-stable-3'),
  ];
  const l = listers(pvs, pvcs);
  const cases: [string, string, Record<string, string>, boolean][] = [
    ['node without labels', 'pvc-1', {}, true],
    ['beta zone label matched', 'pvc-1', { [BETA_ZONE]: 'us-west1-a', uselessLabel: 'none' }, true],
    ['beta region label matched', 'pvc-2', { [BETA_REGION]: 'us-west1', uselessLabel: 'none' }, true],
    ["beta region label doesn't match", 'pvc-2', { [BETA_REGION]: 'no_us-west1', uselessLabel: 'none' }, false],
    ["beta zone label doesn't match", 'pvc-1', { [BETA_ZONE]: 'no_us-west1-a', uselessLabel: 'none' }, false],
    ['zone label matched', 'pvc-stable-1', { [ZONE]: 'us-west1-a', uselessLabel: 'none' }, true],
    ['region label matched', 'pvc-stable-2', { [REGION]: 'us-west1', uselessLabel: 'none' }, true],
    ["region label doesn't match", 'pvc-stable-2', { [REGION]: 'no_us-west1', uselessLabel: 'none' }, false],
    ["zone label doesn't match", 'pvc-stable-1', { [ZONE]: 'no_us-west1-a', uselessLabel: 'none' }, false],
    ['pv with zone and region, node with only zone', 'pvc-stable-3', { [ZONE]: 'us-west1-a' }, false],
    ['pv with zone, node with beta zone', 'pvc-stable-1', { [BETA_ZONE]: 'us-west1-a' }, false],
    ['pv with beta label, node with ga label, matched', 'pvc-1', { [ZONE]: 'us-west1-a' }, true],
    ["pv with beta label, node with ga label, don't match", 'pvc-1', { [ZONE]: 'us-west1-b' }, false],
  ];
  for (const [name, pvc, labels, pass] of cases) {
    const r = filter(l, [pvc], labels);
    assert.is(r.verdict, pass ? 0 : 2, name);
    if (!pass) assert.is(r.message, ZONE_FAIL, name);
  }
});

test('VolumeZone TestMultiZone: a label value lists zones joined by "__"', () => {
  const pvs = [
    volume('vol-1', { [BETA_ZONE]: 'us-west1-a' }),
    volume('vol-3', { [BETA_ZONE]: 'us-west1-c__us-west1-a' }),
    volume('vol-stable-1', { [ZONE]: 'us-west1-a' }),
    volume('vol-stable-2', { [ZONE]: 'us-west1-c__us-west1-a' }),
  ];
  const l = listers(pvs, [
    claim('pvc-1', 'vol-1'),
    claim('pvc-3', 'vol-3'),
    claim('pvc-stable-1', 'vol-stable-1'),
    claim('pvc-stable-2', 'vol-stable-2'),
  ]);
  assert.is(filter(l, ['pvc-3'], {}).verdict, 0, 'node without labels');
  assert.is(filter(l, ['pvc-3'], { [BETA_ZONE]: 'us-west1-a', uselessLabel: 'none' }).verdict, 0, 'beta zone label matched');
  assert.is(filter(l, ['pvc-1'], { [BETA_ZONE]: 'us-west1-b', uselessLabel: 'none' }).verdict, 2, "beta zone label doesn't match");
  assert.is(filter(l, ['pvc-stable-2'], { [ZONE]: 'us-west1-a', uselessLabel: 'none' }).verdict, 0, 'zone label matched');
  assert.is(filter(l, ['pvc-stable-1'], { [ZONE]: 'us-west1-b', uselessLabel: 'none' }).verdict, 2, "zone label doesn't match");
});

const affinity = (key: string, ...values: string[]): NodeSelector => ({
  nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values }], matchFields: [] }],
});

test('VolumeBinding: bound volume node affinity, unbound immediate and missing claims (PreFilter), WaitForFirstConsumer', () => {
  const wait: StorageClass = {
    kind: 'StorageClass',
    metadata: meta('wait'),
    provisioner: 'kubernetes.io/no-provisioner',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowedTopologies: [],
  };
  const zonal: StorageClass = {
    ...wait,
    metadata: meta('zonal'),
    provisioner: 'pd.csi.storage.gke.io',
    allowedTopologies: affinity(ZONE, 'b').nodeSelectorTerms,
  };
  const immediate: StorageClass = { ...wait, metadata: meta('immediate'), volumeBindingMode: 'Immediate' };
  const pvs = [
    volume('pv-node1', {}, { nodeAffinity: affinity('kubernetes.io/hostname', 'node1'), claimRef: 'default/bound' }),
    volume('pv-local-a', {}, { storageClassName: 'wait', nodeAffinity: affinity(ZONE, 'a') }),
  ];
  const l = listers(
    pvs,
    [
      claim('bound', 'pv-node1'),
      claim('imm', '', 'immediate'),
      claim('local', '', 'wait'),
      claim('zonal', '', 'zonal'),
      { ...claim('big', '', 'wait'), spec: { ...claim('big', '', 'wait').spec, storage: 2 ** 40 } },
    ],
    [wait, zonal, immediate],
  );
  // "bound and pv node affinity matches / doesn't match" (TestVolumeBinding).
  assert.is(filter(l, ['bound'], { 'kubernetes.io/hostname': 'node1' }).verdict, 0);
  const conflict = filter(l, ['bound'], { 'kubernetes.io/hostname': 'node2' });
  assert.is(conflict.verdict, 2);
  assert.is(conflict.message, `0/1 nodes are available: 1 ${REASON_NODE_CONFLICT}.`);
  // "immediate claims not bound": PreFilter, UnschedulableAndUnresolvable for every node.
  assert.is(filter(l, ['imm'], {}).message, `0/1 nodes are available: ${REASON_UNBOUND_IMMEDIATE}.`);
  assert.is(filter(l, ['nope'], {}).message, '0/1 nodes are available: persistentvolumeclaim "nope" not found.');
  // WaitForFirstConsumer, no provisioner: only the nodes of a matching available volume.
  assert.is(filter(l, ['local'], { [ZONE]: 'a' }).verdict, 0);
  const noPv = filter(l, ['local'], { [ZONE]: 'b' });
  assert.is(noPv.message, `0/1 nodes are available: 1 ${REASON_BIND_CONFLICT}.`);
  // Too big for every volume ("unbound, no matches").
  assert.is(filter(l, ['big'], { [ZONE]: 'a' }).verdict, 2);
  // A provisioner restricted by allowedTopologies (checkVolumeProvisions).
  assert.is(filter(l, ['zonal'], { [ZONE]: 'b' }).verdict, 0);
  assert.is(filter(l, ['zonal'], { [ZONE]: 'a' }).verdict, 2);
  // Both claims of one pod must be satisfiable on the node.
  assert.is(filter(l, ['local', 'zonal'], { [ZONE]: 'a' }).verdict, 2);
});

test('VolumeRestrictions: a ReadWriteOncePod claim used by another pod rejects the pod at PreFilter', () => {
  const pvs = [volume('pv', {}, { accessModes: ['ReadWriteOncePod'], claimRef: 'default/rwop' })];
  const pvcs = [claim('rwop', 'pv', null, ['ReadWriteOncePod'])];
  assert.is(filter(listers(pvs, pvcs), ['rwop'], {}).verdict, 0);
  assert.is(filter(listers(pvs, pvcs, [], ['default/rwop']), ['rwop'], {}).message, `0/1 nodes are available: ${REASON_RWOP_CONFLICT}.`);
});

test('plugins disabled in the profile do not filter', () => {
  const l = listers([volume('v', { [ZONE]: 'a' })], [claim('c', 'v')]);
  const c = cluster([{ name: 'host1', labels: { [ZONE]: 'b' } }]);
  const pod = makePod('p', makeSpec([{ cpu: 100 }], { claims: ['c'] }));
  const input = { ...inputOf(pod), volumes: volumeInput('default', ['c'], l, 'Pod/default/p') };
  assert.is(runCycle(DEFAULT_PROFILE, c, input).d.node, -1);
  const off = editProfile(DEFAULT_PROFILE, { disable: [{ name: 'VolumeZone', points: ['filter'] }] });
  assert.is(runCycle(off, c, input).d.node, 0);
});

test('EventsToRegister: claim, volume and class events requeue pods the volume plugins rejected, and only those', () => {
  for (const hints of [true, false]) {
    const h = new QueueingHints(hints);
    for (const e of [PVC_ADD, PVC_UPDATE, PV_ADD, PV_UPDATE, STORAGE_CLASS_ADD, STORAGE_CLASS_UPDATE]) {
      assert.is(h.interested(e) & VOLUME_BINDING, VOLUME_BINDING, e.label);
      assert.is(h.interested(e) & (NODE_AFFINITY | NODE_RESOURCES_FIT), 0, e.label);
      assert.is(
        h.worth(
          NODE_RESOURCES_FIT,
          e,
          () => {
            throw new Error('no hint');
          },
          undefined,
          undefined,
        ),
        STRATEGY_SKIP,
        e.label,
      );
      assert.is(
        h.worth(
          VOLUME_BINDING,
          e,
          () => {
            throw new Error('no hint');
          },
          undefined,
          undefined,
        ),
        STRATEGY_AFTER_BACKOFF,
        e.label,
      );
    }
    // VolumeZone registers StorageClass add but not update; VolumeRestrictions neither (volumezone.go, volumerestrictions.go).
    assert.is(h.interested(STORAGE_CLASS_ADD) & VOLUME_ZONE, VOLUME_ZONE);
    assert.is(h.interested(STORAGE_CLASS_UPDATE) & VOLUME_ZONE, 0);
    assert.is(h.interested(STORAGE_CLASS_ADD) & VOLUME_RESTRICTIONS, 0);
    assert.is(h.interested(PVC_ADD) & VOLUME_RESTRICTIONS, VOLUME_RESTRICTIONS);
    assert.equal(pluginNames(VOLUME_BINDING | VOLUME_ZONE | VOLUME_RESTRICTIONS), ['VolumeBinding', 'VolumeZone', 'VolumeRestrictions']);
  }
});

test.run();
