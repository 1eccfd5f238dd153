/** API server, etcd, client rate limits, watches, and the scheduling queue's timing rules. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiServer, Client, ifUnchangedSince, type WatchEvent } from '../engine/api/api-server.js';
import { TokenBucket } from '../engine/api/rate-limiter.js';
import type { KubeObject, Pod } from '../engine/api/objects.js';
import { RngFactory } from '../engine/core/rng.js';
import { Simulation } from '../engine/core/simulation.js';
import { NODE_ADD } from '../engine/scheduler/framework/cluster-events.js';
import { USER_PLUGIN } from '../engine/scheduler/framework/rejectors.js';
import { SchedulingQueue, type QueuedPod } from '../engine/scheduler/scheduling-queue.js';
import { podRequests } from '../engine/api/pod-resources.js';
import { WorkQueue } from '../engine/controllers/work-queue.js';
import { makeNode, makePod, makeSpec } from './helpers.js';

test('token bucket: burst at once, then one request per 1/qps; never more than qps·t + burst', () => {
  const b = new TokenBucket({ qps: 50, burst: 100 });
  const starts = Array.from({ length: 300 }, () => b.reserve(0));
  assert.is(starts.filter((s) => s === 0).length, 100);
  assert.is(starts[100], 20_000, 'the 101st waits 1/50 s');
  assert.is(starts[299], 200 * 20_000);
  for (let i = 0; i < starts.length; i++) assert.ok(i + 1 <= (50 * starts[i]) / 1e6 + 100 + 1e-9);
  assert.is(b.throttled, 200);
  // Idle time refills up to the burst, not beyond.
  const c = new TokenBucket({ qps: 10, burst: 5 });
  for (let i = 0; i < 5; i++) c.reserve(0);
  assert.is(c.reserve(10_000_000), 10_000_000);
  const later = Array.from({ length: 6 }, () => c.reserve(10_000_000));
  assert.is(later.filter((s) => s === 10_000_000).length, 4, '5 tokens after refill, one used above');
});

function apiFixture(): { sim: Simulation; api: ApiServer } {
  const sim = new Simulation();
  const rngs = new RngFactory(1);
  const api = new ApiServer(
    sim,
    {
      requestLatency: {
        create: { type: 'uniform', min: 1000, max: 3000 },
        update: { type: 'constant', value: 1000 },
        delete: { type: 'constant', value: 1000 },
      },
      watchDelay: { type: 'uniform', min: 100, max: 5000 },
      etcd: { writeLatency: { type: 'exponential', mean: 2000 } },
    },
    rngs,
  );
  return { sim, api };
}

test('etcd: revisions increase with commit time; watchers receive events in revision order', () => {
  const { sim, api } = apiFixture();
  const seen: WatchEvent[] = [];
  api.watch('Pod', 'test', (ev) => seen.push(ev));
  const c = new Client('c', { qps: Infinity, burst: Infinity });
  const revAt: [number, number][] = [];
  api.onCommit((_t, o) => revAt.push([sim.now, o.metadata.resourceVersion]));
  for (let i = 0; i < 200; i++) sim.callAt(i * 100, () => api.create(c, makePod(`p${i}`, makeSpec([{}]))));
  sim.run();
  assert.is(seen.length, 200);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].revision > seen[i - 1].revision, 'watch order = revision order');
  for (let i = 1; i < revAt.length; i++) assert.ok(revAt[i][0] >= revAt[i - 1][0] && revAt[i][1] === revAt[i - 1][1] + 1);
  assert.is(api.etcd.revision, 200);
});

test('API server: duplicate create → 409, update of a missing object → 404, creationTimestamp set on accept', () => {
  const { sim, api } = apiFixture();
  const c = new Client('c', { qps: Infinity, burst: Infinity });
  const codes: number[] = [];
  api.create(c, makePod('a', makeSpec([{}])), (r) => codes.push(r.code));
  sim.callAt(50_000, () => api.create(c, makePod('a', makeSpec([{}])), (r) => codes.push(r.code)));
  sim.callAt(60_000, () =>
    api.update(
      c,
      'Pod',
      'Pod/default/zzz',
      (o) => o,
      (r) => codes.push(r.code),
    ),
  );
  sim.run();
  assert.equal(codes, [201, 409, 404]);
  const stored = api.get('Pod', 'default', 'a') as Pod;
  assert.is(stored.metadata.creationTimestamp, 0);
  assert.is(stored.metadata.uid, 'uid-1');
});

test('API server: concurrent updates both land (GuaranteedUpdate); a PUT of a stale read fails with 409', () => {
  const { sim, api } = apiFixture();
  const c = new Client('c', { qps: Infinity, burst: Infinity });
  api.create(c, makePod('a', makeSpec([{}])));
  sim.run();
  const read = api.get('Pod', 'default', 'a') as Pod;
  const label = (k: string) => (cur: KubeObject) =>
    ({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, [k]: 'y' } } }) as KubeObject;
  const codes: number[] = [];
  // Both are processed (1 ms) before either commits (exponential etcd latency, mean 2 ms, ordered commits).
  for (const k of ['x1', 'x2']) api.update(c, 'Pod', 'Pod/default/a', label(k), (r) => codes.push(r.code));
  sim.run();
  assert.equal(codes, [200, 200]);
  const both = api.get('Pod', 'default', 'a') as Pod;
  assert.equal([both.metadata.labels.x1, both.metadata.labels.x2], ['y', 'y'], 'the second write recomputed on the first');
  api.update(c, 'Pod', 'Pod/default/a', ifUnchangedSince(read, label('x3')), (r) => codes.push(r.code));
  api.update(c, 'Pod', 'Pod/default/a', ifUnchangedSince(both, label('x4')), (r) => codes.push(r.code));
  sim.run();
  assert.equal(codes.slice(2), [409, 200]);
  const last = api.get('Pod', 'default', 'a') as Pod;
  assert.is(last.metadata.labels.x3, undefined);
  assert.is(last.metadata.labels.x4, 'y');
});

test('priority admission: priorityClassName resolved, global default applied', () => {
  const { sim, api } = apiFixture();
  const c = new Client('c', { qps: Infinity, burst: Infinity });
  const pc = (name: string, value: number, globalDefault: boolean) => ({
    kind: 'PriorityClass' as const,
    metadata: { name, namespace: '', uid: '', labels: {}, annotations: {}, ownerReferences: [], creationTimestamp: 0, resourceVersion: 0 },
    value,
    globalDefault,
    preemptionPolicy: 'PreemptLowerPriority' as const,
  });
  api.create(c, pc('high', 1000, false));
  api.create(c, pc('normal', 10, true));
  sim.callAt(100_000, () => {
    api.create(c, makePod('h', makeSpec([{}], { priorityClassName: 'high' })));
    api.create(c, makePod('d', makeSpec([{}])));
  });
  sim.run();
  assert.is((api.get('Pod', 'default', 'h') as Pod).spec.priority, 1000);
  assert.is((api.get('Pod', 'default', 'd') as Pod).spec.priority, 10);
});

test('priority admission: the system classes exist without a PriorityClass object (AddSystemPriorityClasses)', () => {
  const { sim, api } = apiFixture();
  const c = new Client('c', { qps: Infinity, burst: Infinity });
  api.create(c, makePod('n', makeSpec([{}], { priorityClassName: 'system-node-critical' })));
  api.create(c, makePod('k', makeSpec([{}], { priorityClassName: 'system-cluster-critical' })));
  sim.run();
  assert.is((api.get('Pod', 'default', 'n') as Pod).spec.priority, 2_000_001_000);
  assert.is((api.get('Pod', 'default', 'k') as Pod).spec.priority, 2_000_000_000);
});

function queued(name: string, priority: number, t: number): QueuedPod {
  const pod = makePod(name, makeSpec([{}], { priority }));
  return {
    key: name,
    pod,
    requests: podRequests(pod.spec),
    toleratesUnschedulable: false,
    timestamp: t,
    attempts: 0,
    cycle: 0,
    where: 'gone',
    gen: 0,
    lastFailure: '',
  };
}

test('scheduling queue: priority then FIFO; backoff 1, 2, 4, 8, 10, 10 s', () => {
  const q = new SchedulingQueue({
    podInitialBackoff: 1_000_000,
    podMaxBackoff: 10_000_000,
    podMaxInUnschedulablePodsDuration: 300_000_000,
  });
  q.pushActive(queued('low-early', 0, 0));
  q.pushActive(queued('high', 100, 5));
  q.pushActive(queued('low-late', 0, 3));
  assert.equal([q.pop()!.key, q.pop()!.key, q.pop()!.key], ['high', 'low-early', 'low-late']);
  assert.equal(
    [1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a) / 1e6),
    [1, 2, 4, 8, 10, 10],
  );
});

test('scheduling queue: unschedulable pods move on a matching cluster event and after the maximum stay', () => {
  const q = new SchedulingQueue({
    podInitialBackoff: 1_000_000,
    podMaxBackoff: 10_000_000,
    podMaxInUnschedulablePodsDuration: 300_000_000,
  });
  const p = queued('p', 0, 0);
  q.pushActive(p);
  q.pop();
  // A plugin without EnqueueExtensions (a plugin module's) registers every event with no hint.
  p.rejectors = USER_PLUGIN;
  q.addUnschedulable(p, 0);
  assert.is(q.unschedulableSize, 1);
  assert.is(q.pop(), undefined, 'nothing to schedule');
  q.onEvent(NODE_ADD, undefined, makeNode('n', { cpu: 1000 }), 500_000); // still backing off (expiry window 1 s)
  assert.is(q.backoffSize, 1);
  assert.is(q.flushBackoff(1_900_000), 0, 'the window of its expiry (1 s) has not passed');
  assert.is(q.flushBackoff(2_000_000), 1);
  assert.is(q.activeSize, 1);
  const again = q.pop()!;
  q.addUnschedulable(again, 2_000_000);
  assert.is(q.flushUnschedulableLeftover(2_000_000 + 300_000_000), 0, 'exactly the maximum is not over it');
  assert.is(q.flushUnschedulableLeftover(2_000_000 + 300_000_001), 1);
  // An event during the attempt that the rejector registered sends the pod to backoff instead of unschedulablePods.
  const r = q.pop()!;
  q.onEvent(NODE_ADD, undefined, makeNode('m', { cpu: 1000 }), 303_000_000);
  q.addUnschedulable(r, 303_000_000);
  assert.is(q.unschedulableSize, 0);
  assert.is(q.backoffSize, 1);
});

test('work queue: a key is queued once; a key re-added while processing is processed again', () => {
  const order: string[] = [];
  const pending: (() => void)[] = [];
  const wq = new WorkQueue(2, (key, done) => {
    order.push(key);
    pending.push(done);
  });
  wq.add('a');
  wq.add('b');
  wq.add('c');
  wq.add('c');
  assert.equal(order, ['a', 'b'], 'two workers');
  wq.add('a'); // dirty while processing
  pending.shift()!(); // a done → c starts
  assert.equal(order, ['a', 'b', 'c']);
  pending.shift()!(); // b done → a again
  assert.equal(order, ['a', 'b', 'c', 'a']);
  pending.shift()!();
  pending.shift()!();
  assert.is(pending.length, 0);
});

test.run();
