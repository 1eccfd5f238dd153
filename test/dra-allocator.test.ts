/**
 * The DRA allocator (engine/scheduler/plugins/dynamic-resources/allocator.ts) and its CEL-free selectors
 * (selector.ts). The allocator cases mirror upstream's staging/src/k8s.io/dynamic-resource-allocation/structured
 * allocator_test.go TestAllocator ("simple", "other-node", "small-and-large", the two backtracking cases,
 * "devices-split-across-different-slices", "obsolete-slice", "duplicate-slice", "no-slices",
 * "not-enough-suitable-devices", "all-devices-*", "already-allocated-devices", network-attached slices); the
 * classes select by driver as upstream's class(name, driver) helper does.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Device, DeviceClass, DeviceRequest, Node, ResourceSlice } from '../engine/api/objects.js';
import { Allocator, deviceId, type ClaimToAllocate } from '../engine/scheduler/plugins/dynamic-resources/allocator.js';
import { compileSelector, SelectorError } from '../engine/scheduler/plugins/dynamic-resources/selector.js';
import { makeNode } from './helpers.js';

const A = 'driver-a';
const B = 'driver-b';
const meta = (name: string) => ({
  name,
  namespace: '',
  uid: '',
  labels: {},
  annotations: {},
  ownerReferences: [],
  creationTimestamp: 0,
  resourceVersion: 0,
});
const cls = (name: string, driver: string): DeviceClass => ({
  kind: 'DeviceClass',
  metadata: meta(name),
  spec: { selectors: [{ expression: `device.driver == "${driver}"` }] },
});
const CLASSES = new Map([
  ['class-a', cls('class-a', A)],
  ['class-b', cls('class-b', B)],
]);
const dev = (name: string, memory?: string, attrs: Device['attributes'] = {}): Device => ({
  name,
  attributes: attrs,
  capacity: memory === undefined ? {} : { [`${A}/memory`]: memory.endsWith('Gi') ? Number(memory.slice(0, -2)) * 2 ** 30 : Number(memory) },
});
const slice = (
  name: string,
  node: string,
  pool: string,
  driver: string,
  devices: Device[] = [dev('device-1')],
  opts: { generation?: number; count?: number; allNodes?: boolean } = {},
): ResourceSlice => ({
  kind: 'ResourceSlice',
  metadata: meta(name),
  spec: {
    driver,
    pool: { name: pool, generation: opts.generation ?? 0, resourceSliceCount: opts.count ?? 1 },
    nodeName: opts.allNodes === true ? '' : node,
    allNodes: opts.allNodes === true,
    devices,
  },
});
const req = (name: string, className: string, extra: Partial<DeviceRequest> = {}): DeviceRequest => ({
  name,
  deviceClassName: className,
  selectors: [],
  allocationMode: 'ExactCount',
  count: 1,
  ...extra,
});
const claim = (key: string, ...requests: DeviceRequest[]): ClaimToAllocate => ({ key, spec: { requests } });
const node1 = makeNode('node-1', { cpu: 1000 }, { region: 'region-1' });
const node2 = makeNode('node-2', { cpu: 1000 }, { region: 'region-2' });

function allocate(claims: ClaimToAllocate[], slices: ResourceSlice[], node: Node, allocated: string[] = []): string[][] | null {
  const r = new Allocator(claims, (n) => CLASSES.get(n), slices, new Set(allocated)).allocate(node);
  return r === null ? null : r.map((a) => a.devices.map((d) => `${d.request}:${d.driver}/${d.pool}/${d.device}`));
}

const memSel = (q: string) => ({ expression: `device.capacity["${A}"].memory.compareTo(quantity("${q}")) >= 0` });

test('simple, other-node: a node-local device of the class; the allocation is pinned to the node', () => {
  const r = new Allocator(
    [claim('c0', req('req-0', 'class-a'))],
    (n) => CLASSES.get(n),
    [slice('slice-1', 'node-1', 'pool-1', A)],
    new Set(),
  );
  const a = r.allocate(node1);
  assert.equal(
    a?.map((x) => x.devices),
    [[{ request: 'req-0', driver: A, pool: 'pool-1', device: 'device-1' }]],
  );
  assert.equal(a?.[0].nodeSelector?.nodeSelectorTerms[0].matchFields, [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }]);
  // other-node: driver-b's device on node-1, driver-a's on node-2 → node-2's.
  const slices = [slice('slice-1', 'node-1', 'pool-1', B), slice('slice-2', 'node-2', 'pool-2', A)];
  assert.equal(allocate([claim('c0', req('req-0', 'class-a'))], slices, node2), [['req-0:driver-a/pool-2/device-1']]);
  assert.is(allocate([claim('c0', req('req-0', 'class-a'))], slices, node1), null);
});

test('small-and-large and the backtracking cases (requests, then claims): the first solution in device order', () => {
  const small = [dev('device-1', '1Gi'), dev('device-2', '2Gi')];
  const large = [dev('device-2', '2Gi'), dev('device-1', '1Gi')];
  const one = claim('c0', req('req-0', 'class-a', { selectors: [memSel('1Gi')] }), req('req-1', 'class-a', { selectors: [memSel('2Gi')] }));
  assert.equal(allocate([one], [slice('s', 'node-1', 'pool-1', A, small)], node1), [
    ['req-0:driver-a/pool-1/device-1', 'req-1:driver-a/pool-1/device-2'],
  ]);
  // Reversed device order: req-0 first takes the 2Gi device, req-1 then fails, and the search backtracks.
  assert.equal(allocate([one], [slice('s', 'node-1', 'pool-1', A, large)], node1), [
    ['req-0:driver-a/pool-1/device-1', 'req-1:driver-a/pool-1/device-2'],
  ]);
  const two = [
    claim('c0', req('req-0', 'class-a', { selectors: [memSel('1Gi')] })),
    claim('c1', req('req-1', 'class-a', { selectors: [memSel('2Gi')] })),
  ];
  assert.equal(allocate(two, [slice('s', 'node-1', 'pool-1', A, large)], node1), [
    ['req-0:driver-a/pool-1/device-1'],
    ['req-1:driver-a/pool-1/device-2'],
  ]);
});

test('devices split across slices and pools; obsolete and duplicate slices; no slices; not enough devices', () => {
  const split = [slice('slice-1', 'node-1', 'pool-1', A), slice('slice-2', 'node-1', 'pool-2', A)];
  assert.equal(allocate([claim('c0', req('req-0', 'class-a', { count: 2 }))], split, node1), [
    ['req-0:driver-a/pool-1/device-1', 'req-0:driver-a/pool-2/device-1'],
  ]);
  // obsolete-slice: generation 1 supersedes generation 0, and the pool (2 slices announced, 1 present) is incomplete.
  const obsolete = [
    slice('slice-1-obsolete', 'node-1', 'pool-1', A, [dev('device-1')], { count: 2 }),
    slice('slice-1-new', 'node-1', 'pool-1', A, [dev('device-2')], { count: 2, generation: 1 }),
  ];
  assert.is(allocate([claim('c0', req('req-0', 'class-a'))], obsolete, node1), null);
  // duplicate-slice: the same device twice in one pool makes the pool invalid.
  const dup = [
    slice('slice-1', 'node-1', 'pool-1', A, [dev('device-1')], { count: 2 }),
    slice('slice-1-2', 'node-1', 'pool-1', A, [dev('device-1')], { count: 2 }),
  ];
  assert.is(allocate([claim('c0', req('req-0', 'class-a'))], dup, node1), null);
  assert.is(allocate([claim('c0', req('req-0', 'class-a'))], [], node1), null);
  assert.is(
    allocate(
      [claim('c0', req('req-0', 'class-a')), claim('c0', req('req-1', 'class-a'))],
      [slice('slice-1', 'node-1', 'pool-1', A)],
      node1,
    ),
    null,
  );
  // Pools in driver then name order, whatever order the slices arrive in.
  const unordered = [slice('z', 'node-1', 'pool-b', A), slice('y', 'node-1', 'pool-a', A)];
  assert.equal(allocate([claim('c0', req('req-0', 'class-a'))], unordered, node1), [['req-0:driver-a/pool-a/device-1']]);
});

test('allocationMode All: every matching device, none allocated, at least one; incomplete pool fails; plus another claim', () => {
  const all = claim('c0', req('req-0', 'class-a', { allocationMode: 'All', count: 0 }));
  const many = [slice('slice-1', 'node-1', 'pool-1', A), slice('slice-1b', 'node-1', 'pool-2', A)];
  assert.equal(allocate([all], [slice('slice-1', 'node-1', 'pool-1', A)], node1), [['req-0:driver-a/pool-1/device-1']]);
  assert.equal(allocate([all], many, node1), [['req-0:driver-a/pool-1/device-1', 'req-0:driver-a/pool-2/device-1']]);
  // all-devices-some-allocated
  assert.is(allocate([all], many, node1, [deviceId(A, 'pool-1', 'device-1')]), null);
  // all-devices-no-devices
  assert.is(allocate([all], [], node1), null);
  assert.is(allocate([all], [slice('slice-1', 'node-1', 'pool-1', A, [dev('device-1')], { count: 2 })], node1), null);
  const other = claim('c1', req('req-0', 'class-b'));
  const ab = [slice('slice-1', 'node-1', 'pool-1', A), slice('slice-1', 'node-1', 'pool-1', B)];
  assert.equal(allocate([all, other], ab, node1), [['req-0:driver-a/pool-1/device-1'], ['req-0:driver-b/pool-1/device-1']]);
  assert.equal(allocate([other, all], ab, node1), [['req-0:driver-b/pool-1/device-1'], ['req-0:driver-a/pool-1/device-1']]);
});

test('already allocated devices are skipped; network-attached (allNodes) slices serve every node without a node selector', () => {
  const two = [slice('slice-1', 'node-1', 'pool-1', A, [dev('device-1'), dev('device-2')])];
  assert.equal(allocate([claim('c0', req('req-0', 'class-a'))], two, node1, [deviceId(A, 'pool-1', 'device-1')]), [
    ['req-0:driver-a/pool-1/device-2'],
  ]);
  assert.is(
    allocate([claim('c0', req('req-0', 'class-a'))], two, node1, [deviceId(A, 'pool-1', 'device-1'), deviceId(A, 'pool-1', 'device-2')]),
    null,
  );
  const net = [slice('net', '', 'pool-n', A, [dev('device-1')], { allNodes: true })];
  const a = new Allocator([claim('c0', req('req-0', 'class-a'))], (n) => CLASSES.get(n), net, new Set()).allocate(node2);
  assert.equal(a?.[0].devices[0].pool, 'pool-n');
  assert.is(a?.[0].nodeSelector, undefined);
});

test('selectors: attributes, capacity compareTo, driver, &&, ||, !, in; CEL error semantics', () => {
  const d: Device = {
    name: 'gpu-0',
    attributes: {
      'gpu.example.com/model': { type: 'string', value: 'A100' },
      'gpu.example.com/cores': { type: 'int', value: 6912 },
      'gpu.example.com/mig': { type: 'bool', value: true },
    },
    capacity: { 'gpu.example.com/memory': 80 * 2 ** 30 },
  };
  const m = (e: string): boolean => compileSelector(e)(d, 'gpu.example.com');
  assert.ok(m('device.attributes["gpu.example.com"].model == "A100"'));
  assert.ok(m("device.attributes['gpu.example.com']['model'] != 'T4'"));
  assert.ok(m('device.attributes["gpu.example.com"].cores >= 6000 && device.attributes["gpu.example.com"].cores < 7000'));
  assert.ok(m('device.capacity["gpu.example.com"].memory.compareTo(quantity("40Gi")) >= 0'));
  assert.not.ok(m('device.capacity["gpu.example.com"].memory.compareTo(quantity("81Gi")) >= 0'));
  assert.ok(m('device.capacity["gpu.example.com"].memory.isGreaterThan(quantity("79Gi"))'));
  assert.ok(m('device.driver == "gpu.example.com" && device.attributes["gpu.example.com"].mig'));
  assert.ok(m('!(device.attributes["gpu.example.com"].model == "T4") || false'));
  assert.ok(m('"model" in device.attributes["gpu.example.com"]'));
  assert.not.ok(m('"memory" in device.attributes["gpu.example.com"]'));
  // A missing attribute is an error: no match, unless && / || decide without it (CEL's commutative operators).
  assert.not.ok(m('device.attributes["gpu.example.com"].missing == "x"'));
  assert.not.ok(m('device.attributes["gpu.example.com"].missing == "x" && true'));
  assert.ok(m('device.attributes["gpu.example.com"].missing == "x" || true'));
  assert.not.ok(m('device.attributes["gpu.example.com"].missing == "x" && false'));
  // Mismatched types are an error too (no implicit conversion).
  assert.not.ok(m('device.attributes["gpu.example.com"].cores == "6912"'));
});

test('selectors outside the subset are refused, naming the part and what is supported', () => {
  const refused = (e: string, part: RegExp): void => {
    try {
      compileSelector(e);
    } catch (err) {
      assert.instance(err, SelectorError);
      assert.match((err as SelectorError).part, part);
      assert.match((err as Error).message, 'kubesim evaluates a CEL subset');
      return;
    }
    assert.unreachable(`accepted ${e}`);
  };
  refused('device.attributes["d"].model.startsWith("A")', /^\./);
  refused('device.capacity["d"].memory >= quantity("1Gi")', /memory >= quantity/);
  refused('size(device.attributes["d"]) > 1', /^size/);
  refused('device.attributes["d"].x == 1.5', /1\.5/);
  refused('device.name == "a"', /^name/);
  refused('device.attributes["d"]', /device\.attributes/);
});

test.run();
