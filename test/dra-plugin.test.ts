/**
 * The DynamicResources plugin through one kernel cycle (PreFilter, Filter in the fused loop and verdict(), the
 * FitError) and its Reserve/Unreserve/PreBind state. Cases after dynamicresources_test.go TestPlugin: "no claims"
 * (Skip), "claim does not exist", "deleted claim", "not owner", "missing class", "in use" (256 consumers),
 * "allocation in flight" (another pod's Reserve), "structured allocation, no devices on the node",
 * "allocated claim, wrong node", "allocated and reserved for the pod", and Reserve → in flight → Unreserve.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceClass, Pod, ResourceClaim, ResourceSlice } from '../engine/api/objects.js';
import { CONFLICT } from '../engine/api/api-server.js';
import { fitErrorMessage, PASS, UNRESOLVABLE } from '../engine/scheduler/kernel.js';
import { DYNAMIC_RESOURCES } from '../engine/scheduler/framework/rejectors.js';
import {
  DynamicResources,
  REASON_CANNOT_ALLOCATE,
  REASON_IN_USE,
  REASON_NOT_ON_NODE,
  type DraListers,
} from '../engine/scheduler/plugins/dynamic-resources/index.js';
import { DEFAULT_PROFILE } from '../engine/scheduler/profile.js';
import { cluster, inputOf, runCycle, verdicts } from './scheduler-helpers.js';
import { makePod, makeSpec } from './helpers.js';

const D = 'gpu.example.com';
const meta = (name: string, namespace = '') => ({
  name,
  namespace,
  uid: `uid-${name}`,
  labels: {},
  annotations: {},
  ownerReferences: [] as { kind: string; name: string; uid: string; controller: boolean }[],
  creationTimestamp: 0,
  resourceVersion: 0,
});
const CLASS: DeviceClass = { kind: 'DeviceClass', metadata: meta('gpu'), spec: { selectors: [{ expression: `device.driver == "${D}"` }] } };
const slice = (node: string, devices: number): ResourceSlice => ({
  kind: 'ResourceSlice',
  metadata: meta(`${node}-slice`),
  spec: {
    driver: D,
    pool: { name: node, generation: 0, resourceSliceCount: 1 },
    nodeName: node,
    allNodes: false,
    devices: Array.from({ length: devices }, (_, i) => ({ name: `gpu-${i}`, attributes: {}, capacity: {} })),
  },
});
const podWith = (name: string, claim: string): Pod => {
  const p = makePod(name, makeSpec([{ cpu: 100 }], { resourceClaims: [{ name: 'gpu', resourceClaimName: claim }] }));
  return { ...p, metadata: { ...p.metadata, uid: `uid-${name}` } };
};
const claim = (name: string, extra: Partial<ResourceClaim['status']> = {}): ResourceClaim => ({
  kind: 'ResourceClaim',
  metadata: meta(name, 'default'),
  spec: { requests: [{ name: 'gpu', deviceClassName: 'gpu', selectors: [], allocationMode: 'ExactCount', count: 1 }] },
  status: { reservedFor: [], ...extra },
});

function world(
  claims: ResourceClaim[],
  slices: ResourceSlice[],
  classes: DeviceClass[] = [CLASS],
): { plugin: DynamicResources; listers: DraListers } {
  const listers: DraListers = {
    claim: (ns, n) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === n),
    claims: () => claims,
    deviceClass: (n) => classes.find((c) => c.metadata.name === n),
    slices: () => slices,
  };
  return { plugin: new DynamicResources(listers), listers };
}

const nodes = () => cluster([{ name: 'n1' }, { name: 'n2' }]);

function cycle(plugin: DynamicResources, pod: Pod, c = nodes()) {
  const r = runCycle(DEFAULT_PROFILE, c, { ...inputOf(pod), dra: { plugin, pod } });
  return { ...r, c };
}

test('PreFilter: missing, deleted or foreign claims, missing classes and full claims reject the pod for every node', () => {
  const cases: [ResourceClaim[], DeviceClass[], string][] = [
    [[], [CLASS], 'resourceclaim.resource.k8s.io "c" not found'],
    [[{ ...claim('c'), metadata: { ...meta('c', 'default'), deletionTimestamp: 1 } }], [CLASS], 'resourceclaim "c" is being deleted'],
    [[claim('c')], [], 'request gpu: device class gpu does not exist'],
    [
      [claim('c', { allocation: { devices: [] }, reservedFor: Array.from({ length: 256 }, (_, i) => ({ name: `p${i}`, uid: `u${i}` })) })],
      [CLASS],
      REASON_IN_USE,
    ],
  ];
  for (const [claims, classes, message] of cases) {
    const { plugin } = world(claims, [slice('n1', 1)], classes);
    const { d, k, c } = cycle(plugin, podWith('p', 'c'));
    assert.is(d.node, -1);
    assert.is(d.preFilterMessage, message);
    assert.is(d.rejectors, DYNAMIC_RESOURCES);
    assert.equal(verdicts(k, c.t), { n1: UNRESOLVABLE, n2: UNRESOLVABLE });
  }
  // A template's claim must be owned by the pod.
  const tplPod = {
    ...podWith('p', 'x'),
    spec: { ...podWith('p', 'x').spec, resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 't' }] },
  };
  const { plugin } = world([claim('p-gpu')], [slice('n1', 1)]);
  assert.match(cycle(plugin, tplPod).d.preFilterMessage ?? '', 'was not created for pod default/p (pod is not owner)');
  assert.is(plugin.preEnqueue(tplPod), 'ResourceClaim default/p-gpu was not created for pod default/p (pod is not owner)');
});

test('a pod without claims is skipped; structured allocation picks the node with a free device', () => {
  const { plugin } = world([claim('c')], [slice('n2', 1)]);
  const free = makePod('free', makeSpec([{ cpu: 100 }]));
  assert.is(cycle(plugin, free).d.node >= 0, true);
  const { d, c } = cycle(plugin, podWith('p', 'c'));
  assert.is(c.t.names[d.node], 'n2');
  const none = world([claim('c')], []);
  const r = cycle(none.plugin, podWith('p', 'c'));
  assert.is(r.d.node, -1);
  assert.is(fitErrorMessage(2, r.d.diagnosis ?? new Map()), `0/2 nodes are available: 2 ${REASON_CANNOT_ALLOCATE}.`);
  assert.is(r.d.rejectors, DYNAMIC_RESOURCES);
});

test('an allocated claim pins the pod to its node; reserved for the pod, nothing is written again', () => {
  const sel = {
    nodeSelectorTerms: [{ matchExpressions: [], matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: ['n1'] }] }],
  };
  const allocated = claim('c', {
    allocation: { devices: [{ request: 'gpu', driver: D, pool: 'n1', device: 'gpu-0' }], nodeSelector: sel },
  });
  const { plugin } = world([allocated], [slice('n1', 1), slice('n2', 1)]);
  const pod = podWith('p', 'c');
  const { d, k, c } = cycle(plugin, pod);
  assert.is(c.t.names[d.node], 'n1');
  assert.equal(verdicts(k, c.t), { n1: PASS, n2: UNRESOLVABLE });
  const reasons: string[] = [];
  k.explainNode(c.t, c.t.indexOf('n2'), reasons);
  assert.equal(reasons, [REASON_NOT_ON_NODE]);
  assert.ok(plugin.reserve('default/p', pod, d.node));
  const res = plugin.reservation('default/p');
  assert.equal(res?.claims, [{ namespace: 'default', name: 'c', allocation: null }], 'PreBind only adds the pod to reservedFor');
  const written = DynamicResources.bindClaim(allocated, pod, null);
  assert.ok(written !== null && written !== CONFLICT);
  assert.equal(written.status.reservedFor, [{ name: 'p', uid: 'uid-p' }]);
  assert.is(DynamicResources.bindClaim(written, pod, null), null, 'already reserved: nothing to write');
});

test('Reserve puts the allocation in flight (no double allocation by the next pod), Unreserve frees it; PreBind conflicts', () => {
  const claims = [claim('c1'), claim('c2')];
  const { plugin } = world(claims, [slice('n1', 1)]);
  const p1 = podWith('p1', 'c1');
  const r1 = cycle(plugin, p1);
  assert.is(r1.c.t.names[r1.d.node], 'n1');
  assert.ok(plugin.reserve('default/p1', p1, r1.d.node));
  // The second pod's claim cannot get the only device while the first allocation is in flight.
  const p2 = podWith('p2', 'c2');
  assert.is(cycle(plugin, p2, r1.c).d.node, -1);
  // p1's own claim is now "being allocated": a second attempt for it waits.
  assert.is(cycle(plugin, p1, r1.c).d.preFilterMessage, 'resource claim default/c1 is in the process of being allocated');
  plugin.unreserve('default/p1');
  assert.is(cycle(plugin, p2, r1.c).c.t.names[cycle(plugin, p2, r1.c).d.node], 'n1');
  // PreBind's status write: the allocation and the pod; a claim allocated meanwhile is a conflict.
  const res = plugin.reserve('default/p2', p2, r1.c.t.indexOf('n1')) ? plugin.reservation('default/p2') : null;
  const alloc = res?.claims[0].allocation ?? null;
  assert.equal(alloc?.devices, [{ request: 'gpu', driver: D, pool: 'n1', device: 'gpu-0' }]);
  const after = DynamicResources.bindClaim(claims[1], p2, alloc);
  assert.ok(after !== null && after !== CONFLICT && after.status.allocation === alloc);
  assert.is(DynamicResources.bindClaim(after, podWith('p3', 'c2'), alloc), CONFLICT);
  // Once the informer shows the written allocation, the device counts as allocated through the lister.
  claims[1] = after as ResourceClaim;
  plugin.claimChanged(claims[1]);
  claims.push(claim('c3'));
  assert.is(cycle(plugin, podWith('p3', 'c3'), r1.c).d.node, -1);
});

test.run();
