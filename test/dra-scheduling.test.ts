/**
 * Dynamic Resource Allocation through the whole control plane: the node pool's DRA driver publishes a ResourceSlice
 * per node, the resource-claim controller stamps a claim per pod from its template, the DynamicResources plugin
 * (PreEnqueue, PreFilter, Filter, Reserve, PreBind) allocates devices, and claims are deallocated and deleted when
 * their pods finish. Cases after upstream's dynamicresources_test.go TestPlugin where they apply ("claim does not
 * exist" waits at PreEnqueue, "missing class", "allocation … on the node", "in use", "deallocate") and the
 * DynamicResources QueueingHints (isSchedulableAfterClaimChange).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject, Pod, ResourceClaim } from '../engine/api/objects.js';
import { runOnce, type RunResult } from '../engine/run.js';
import {
  DEVICE_CLASS_ADD,
  RESOURCE_CLAIM_ADD,
  RESOURCE_CLAIM_UPDATE,
  RESOURCE_SLICE_ADD,
} from '../engine/scheduler/framework/cluster-events.js';
import { DYNAMIC_RESOURCES } from '../engine/scheduler/framework/rejectors.js';
import { type HintPod } from '../engine/scheduler/framework/hint-types.js';
import { QueueingHints, STRATEGY_AFTER_BACKOFF, STRATEGY_SKIP } from '../engine/scheduler/framework/queueing-hints.js';
import { podInput } from '../engine/scheduler/pod-input.js';
import { constantApi, makePod, makeSpec, scenarioFrom } from './helpers.js';
import { Client } from '../engine/api/api-server.js';
import { SharedInformer } from '../engine/controllers/shared-informer.js';
import { ResourceClaimController } from '../engine/controllers/resource-claim.js';

const CLASS = `  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: DeviceClass
      metadata: {name: gpu.example.com}
      spec: {selectors: [{cel: {expression: 'device.driver == "gpu.example.com"'}}]}
`;
const template = (name: string, selector = '', at = '0s') => `  - at: ${at}
    manifest:
      apiVersion: resource.k8s.io/v1
      kind: ResourceClaimTemplate
      metadata: {name: ${name}}
      spec:
        spec:
          devices:
            requests: [{name: gpu, exactly: {deviceClassName: gpu.example.com${selector === '' ? '' : `, selectors: [{cel: {expression: '${selector}'}}]`}}}]
`;
const pods = (n: number, tpl: string, at = '1s', lifetime = '') => `  - name: infer
    arrival: {type: constant, rate: 1, count: ${n}, start: ${at}}
${lifetime === '' ? '' : `    lifetime: {type: constant, value: ${lifetime}}\n`}    pod:
      spec:
        resourceClaims: [{name: gpu, resourceClaimTemplateName: ${tpl}}]
        containers: [{name: c, image: pause:3.9, resources: {requests: {cpu: 100m}, claims: [{name: gpu}]}}]
`;
const POOL = (name: string, count: number, devices: number, memory = '80Gi', model = 'A100') =>
  `{name: ${name}, count: ${count}, template: {cpu: "32", memory: 128Gi}, dra: {driver: gpu.example.com, devices: ${devices}, attributes: {model: ${model}}, capacity: {memory: ${memory}}}}`;

/** The run's final objects of a kind, from the observer stream (last version of each key, deletions removed). */
function observing(pools: string[], workloads: string, duration = '5m'): { r: RunResult; live: Map<string, KubeObject>; events: string[] } {
  const s = scenarioFrom(`name: dra
duration: ${duration}
cluster: {nodePools: [${pools.join(', ')}]}
workloads:
${workloads}`);
  const live = new Map<string, KubeObject>();
  const events: string[] = [];
  const r = runOnce(s, s.policies[0], 1, {
    observe: (_t, type, o) => {
      const key = `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;
      if (type === 'DELETED') live.delete(key);
      else live.set(key, o);
      if (o.kind === 'ResourceClaim')
        events.push(
          `${type} ${o.metadata.name} ${o.status.allocation === undefined ? '-' : o.status.allocation.devices.map((d) => `${d.pool}/${d.device}`).join(',')} [${o.status.reservedFor.map((x) => x.name).join(',')}]`,
        );
    },
  });
  return { r, live, events };
}

const claims = (live: Map<string, KubeObject>): ResourceClaim[] =>
  [...live.values()].filter((o): o is ResourceClaim => o.kind === 'ResourceClaim');
const podNamed = (r: RunResult, name: string): Pod => r.store.pods.find((p) => p.metadata.name === name) as Pod;

test('one claim per pod from its template; devices allocated once each; the pod beyond the devices stays pending', () => {
  const { r, live } = observing([POOL('gpu', 2, 2)], CLASS + template('one-gpu') + pods(5, 'one-gpu'));
  assert.is(r.summary.pods_scheduled, 4);
  assert.is(r.summary.pods_pending_end, 1);
  const cs = claims(live);
  assert.is(cs.length, 5, 'a claim for every pod, the pending one included');
  for (const c of cs) {
    const pod = podNamed(r, c.metadata.name.replace(/-gpu$/, ''));
    assert.equal(c.metadata.ownerReferences, [{ kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid, controller: true }]);
    if (pod.spec.nodeName === '') {
      assert.is(c.status.allocation, undefined);
      assert.match(pod.status.message ?? '', 'cannot allocate all claims');
      continue;
    }
    assert.equal(c.status.reservedFor, [{ name: pod.metadata.name, uid: pod.metadata.uid }]);
    const a = c.status.allocation;
    assert.ok(a !== undefined);
    assert.is(a.devices[0].pool, pod.spec.nodeName, 'the device is on the pod node');
    assert.equal(a.nodeSelector?.nodeSelectorTerms[0].matchFields[0].values, [pod.spec.nodeName]);
  }
  const devices = cs.flatMap((c) => c.status.allocation?.devices.map((d) => `${d.pool}/${d.device}`) ?? []).sort();
  assert.equal(devices, ['gpu-0/gpu-0', 'gpu-0/gpu-1', 'gpu-1/gpu-0', 'gpu-1/gpu-1']);
});

test('claims are deallocated and deleted when their pods finish; the waiting pod then gets the freed device', () => {
  const { r, live, events } = observing([POOL('gpu', 1, 1)], CLASS + template('one-gpu') + pods(2, 'one-gpu', '1s', '30s'), '3m');
  assert.is(r.summary.pods_scheduled, 2);
  assert.is(claims(live).length, 0, 'both generated claims deleted with their finished pods');
  // infer-0's claim: allocated and reserved, then released (reservedFor and allocation cleared), then deleted.
  const mine = events.filter((e) => e.includes('infer-0-gpu'));
  assert.ok(
    mine.some((e) => e.startsWith('MODIFIED infer-0-gpu gpu-0/gpu-0 [infer-0]')),
    mine.join('\n'),
  );
  assert.ok(
    mine.some((e) => e === 'MODIFIED infer-0-gpu - []'),
    mine.join('\n'),
  );
  assert.is(mine[mine.length - 1].split(' ')[0], 'DELETED');
  const rec = (n: string) => r.recorder.pods.get(`Pod/default/${n}`) as NonNullable<ReturnType<RunResult['recorder']['pods']['get']>>;
  assert.ok(rec('infer-1').bound > rec('infer-0').finished, 'the second pod is bound after the first one finished');
});

test('PreEnqueue: a pod waits for its claim until the template exists; a missing DeviceClass rejects at PreFilter until it is created', () => {
  // The template arrives at 60 s: until then the controller cannot create the claim, and the pod is not attempted.
  const late = observing([POOL('gpu', 1, 1)], CLASS + template('one-gpu', '', '60s') + pods(1, 'one-gpu'));
  const rec = late.r.recorder.pods.get('Pod/default/infer-0');
  assert.ok(rec !== undefined && rec.bound >= 60_000_000, `bound at ${rec?.bound}`);
  assert.is(rec.attempts, 1, 'no attempt while the claim is missing');
  // No DeviceClass until 90 s: "request gpu: device class gpu.example.com does not exist", then scheduled (DeviceClass event).
  const cls = CLASS.replace('  - manifest:', '  - at: 90s\n    manifest:');
  const missing = observing([POOL('gpu', 1, 1)], template('one-gpu') + cls + pods(1, 'one-gpu'));
  const m = missing.r.recorder.pods.get('Pod/default/infer-0');
  assert.ok(m !== undefined && m.bound >= 90_000_000 && m.bound < 100_000_000, `bound at ${m?.bound}`);
  assert.ok(m.attempts >= 2);
});

test('selectors pick the node whose devices match (memory ≥ 40Gi), and a selector nothing matches leaves the pod pending', () => {
  const sel = 'device.capacity["gpu.example.com"].memory.compareTo(quantity("40Gi")) >= 0';
  const { r } = observing(
    [POOL('small', 2, 4, '16Gi', 'T4'), POOL('big', 1, 2, '80Gi')],
    CLASS + template('big-gpu', sel) + pods(3, 'big-gpu'),
  );
  const nodes = r.store.pods.map((p) => p.spec.nodeName).sort();
  assert.equal(nodes, ['', 'big-0', 'big-0']);
  const none = observing(
    [POOL('small', 1, 4, '16Gi', 'T4')],
    CLASS + template('a100', 'device.attributes["gpu.example.com"].model == "A100"') + pods(1, 'a100'),
  );
  assert.is(none.r.summary.pods_pending_end, 1);
});

test('a shared claim (resourceClaimName) is allocated once and reserved for every pod using it, all on its node', () => {
  const shared = `  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: ResourceClaim
      metadata: {name: shared-gpu}
      spec: {devices: {requests: [{name: gpu, exactly: {deviceClassName: gpu.example.com}}]}}
  - name: users
    arrival: {type: constant, rate: 1, count: 3, start: 1s}
    pod:
      spec:
        resourceClaims: [{name: gpu, resourceClaimName: shared-gpu}]
        containers: [{name: c, image: pause:3.9, resources: {requests: {cpu: 100m}}}]
`;
  const { r, live } = observing([POOL('gpu', 3, 1)], CLASS + shared);
  assert.is(r.summary.pods_scheduled, 3);
  const c = claims(live)[0];
  assert.is(c.status.reservedFor.length, 3);
  const node = c.status.allocation?.devices[0].pool;
  for (const p of r.store.pods) assert.is(p.spec.nodeName, node);
});

test('QueueingHints: a pod DynamicResources rejected is requeued by its claim, a deallocation, a slice or a class; not by an unrelated claim', () => {
  const hints = new QueueingHints(true);
  const pod = makePod('p', makeSpec([{ cpu: 100 }], { resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 't' }] }));
  const hp: HintPod = { pod, input: podInput(pod.spec), spreadHard: [], addedAffinity: undefined };
  const claim = (name: string, allocated: boolean): ResourceClaim => ({
    kind: 'ResourceClaim',
    metadata: { ...pod.metadata, name },
    spec: { requests: [] },
    status: allocated
      ? { allocation: { devices: [{ request: 'gpu', driver: 'd', pool: 'p', device: 'x' }] }, reservedFor: [] }
      : { reservedFor: [] },
  });
  const worth = (e: typeof RESOURCE_CLAIM_ADD, o: unknown, n: unknown) => hints.worth(DYNAMIC_RESOURCES, e, () => hp, o, n);
  assert.is(worth(RESOURCE_CLAIM_ADD, undefined, claim('p-gpu', false)), STRATEGY_AFTER_BACKOFF);
  assert.is(worth(RESOURCE_CLAIM_ADD, undefined, claim('other', false)), STRATEGY_SKIP);
  assert.is(worth(RESOURCE_CLAIM_UPDATE, claim('other', true), claim('other', false)), STRATEGY_AFTER_BACKOFF, 'deallocated');
  assert.is(worth(RESOURCE_CLAIM_UPDATE, claim('other', false), claim('other', true)), STRATEGY_SKIP);
  const same = claim('p-gpu', false);
  assert.is(
    worth(RESOURCE_CLAIM_UPDATE, same, { ...same, metadata: { ...same.metadata, labels: { a: 'b' } } }),
    STRATEGY_SKIP,
    'status unchanged',
  );
  assert.is(worth(RESOURCE_SLICE_ADD, undefined, {}), STRATEGY_AFTER_BACKOFF);
  assert.is(worth(DEVICE_CLASS_ADD, undefined, {}), STRATEGY_AFTER_BACKOFF);
  // Another plugin's rejection is not requeued by DRA events.
  assert.is(
    hints.worth(1, RESOURCE_SLICE_ADD, () => hp, undefined, {}),
    STRATEGY_SKIP,
  );
});

test('a profile without DynamicResources ignores the claims (as an upstream scheduler with the plugin disabled)', () => {
  const s = scenarioFrom(`name: dra
duration: 2m
cluster: {nodePools: [${POOL('gpu', 1, 1)}]}
workloads:
${CLASS}${template('one-gpu')}${pods(3, 'one-gpu')}
policies:
  - name: no-dra
    config:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: KubeSchedulerConfiguration
      profiles: [{plugins: {multiPoint: {disabled: [{name: DynamicResources}]}}}]
`);
  const r = runOnce(s, s.policies[0], 1);
  assert.is(r.summary.pods_scheduled, 3);
});

test('resource-claim controller: a pod recreated under the same name gets its own claim once the old one is deleted', () => {
  const { sim, api } = constantApi();
  const user = new Client('test', { qps: Infinity, burst: Infinity }, 'exempt');
  const pods = new SharedInformer<Pod>(api, 'Pod', 'kcm/pods');
  new ResourceClaimController(api, { client: { qps: Infinity, burst: Infinity } }, pods);
  const live = new Map<string, ResourceClaim>();
  api.onCommit((type, o) => {
    if (o.kind !== 'ResourceClaim') return;
    if (type === 'DELETED') live.delete(o.metadata.name);
    else live.set(o.metadata.name, o);
  });
  const s = scenarioFrom(`name: x
cluster: {nodePools: [{name: n, count: 1, template: {cpu: "1", memory: 1Gi}}]}
workloads:
${template('one-gpu')}`);
  api.create(user, s.objects[0].object);
  const pod = makePod('p', makeSpec([{ cpu: 100 }], { resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'one-gpu' }] }));
  sim.callAt(1000_000, () => api.create(user, pod));
  sim.callAt(2000_000, () => {
    api.delete(user, 'Pod', 'Pod/default/p', () => api.create(user, pod), 0);
  });
  sim.run(10_000_000);
  const uids = [...api.etcd.list('Pod/')].map((p) => p.metadata.uid);
  assert.is(uids.length, 1);
  const c = live.get('p-gpu');
  assert.ok(c !== undefined, 'the new pod has a claim');
  assert.is(c.metadata.ownerReferences[0].uid, uids[0], 'owned by the new pod');
});

test.run();
