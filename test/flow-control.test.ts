/**
 * API Priority and Fairness and the watch cache's fan-out cost. Expected values are derived by hand from the
 * upstream rules: NominalCL = ceil(total · NCS / ΣNCS) (apf_controller.go), shuffle-sharded queues with a length
 * limit and a wait limit of request-timeout/4 (queueset.go, priority-and-fairness.go), Retry-After from the
 * dropped-requests tracker (its upstream test dropped_requests_tracker_test.go gives the first steps used below),
 * client-go's retry after Retry-After (rest/request.go), and the Dealer of util/shufflesharding.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Client, type ApiResult } from '../engine/api/api-server.js';
import {
  DEFAULT_FLOW_CONTROL,
  DroppedRequests,
  FlowControl,
  dealHand,
  type FlowControlParams,
  type Queued,
} from '../engine/api/flow-control.js';
import { Simulation } from '../engine/core/simulation.js';
import { runOnce } from '../engine/run.js';
import { constantApi, makePod, makeSpec, scenarioFrom } from './helpers.js';

const S = 1_000_000;

interface Req extends Queued {
  readonly id: number;
}

function controller(
  params: FlowControlParams,
  serviceTime: number,
): { sim: Simulation; fc: FlowControl<Req>; started: [number, number][]; rejected: [number, number, number][]; maxRunning: () => number } {
  const sim = new Simulation();
  const started: [number, number][] = [];
  const rejected: [number, number, number][] = [];
  let running = 0;
  let max = 0;
  const fc: FlowControl<Req> = new FlowControl<Req>(sim, params, {
    dispatch: (r) => {
      started.push([r.id, sim.now]);
      running++;
      max = Math.max(max, running);
      sim.callAt(sim.now + serviceTime, () => {
        running--;
        fc.release(0);
      });
    },
    reject: (r, retryAfter) => rejected.push([r.id, sim.now, retryAfter]),
    flow: (r) => ({ flowSchema: 'fs', distinguisher: `user-${r.id % 2}` }),
  });
  return { sim, fc, started, rejected, maxRunning: () => max };
}

const oneLevel = (queues: number, handSize: number, queueLengthLimit: number, total: number): FlowControlParams => ({
  ...DEFAULT_FLOW_CONTROL,
  serverConcurrencyLimit: total,
  levels: [{ name: 'only', nominalConcurrencyShares: 1, queues, handSize, queueLengthLimit }],
});

test('nominal concurrency limits of the default levels: ceil(600 · NCS / 245)', () => {
  const sim = new Simulation();
  const fc = new FlowControl<Req>(sim, DEFAULT_FLOW_CONTROL, {
    dispatch: () => {},
    reject: () => {},
    flow: () => ({ flowSchema: '', distinguisher: '' }),
  });
  // Σ NCS = 30 + 40 + 10 + 40 + 100 + 20 + 5 = 245.
  const expect: Record<string, number> = {
    system: 74,
    'node-high': 98,
    'leader-election': 25,
    'workload-high': 98,
    'workload-low': 245,
    'global-default': 49,
    'catch-all': 13,
  };
  for (const [name, cl] of Object.entries(expect)) assert.is(fc.limitOf(fc.levelIndex(name)), cl, name);
  fc.setServerConcurrency(60);
  assert.is(fc.limitOf(fc.levelIndex('workload-high')), 10, 'ceil(60 · 40 / 245) = ceil(9.8)');
});

test('a level with N seats never runs more than N; waiting requests start as seats free, round-robin over queues', () => {
  // 3 seats, 4 queues, hand of 2, 100 per queue: 20 requests at t = 0, each holding its seat 10 ms.
  const { sim, fc, started, rejected, maxRunning } = controller(oneLevel(4, 2, 100, 3), 10_000);
  for (let i = 0; i < 20; i++) fc.admit(0, { id: i, arrived: 0, settled: false });
  sim.run();
  assert.is(maxRunning(), 3);
  assert.is(rejected.length, 0);
  assert.is(started.length, 20);
  // Seats free every 10 ms in threes: request k (in dispatch order) starts at floor(k / 3) · 10 ms.
  started.forEach(([, t], k) => assert.is(t, Math.floor(k / 3) * 10_000));
  assert.is(fc.maxExecutingOf(0), 3);
});

test('full queues reject at once (429); waiting longer than the wait limit rejects at arrival + 15 s', () => {
  // 1 seat, 1 queue of 5: of 10 requests, 1 runs, 5 wait, 4 are rejected at t = 0.
  const full = controller(oneLevel(1, 1, 5, 1), 10_000);
  for (let i = 0; i < 10; i++) full.fc.admit(0, { id: i, arrived: 0, settled: false });
  full.sim.run();
  assert.equal(
    full.rejected.map(([id, t]) => [id, t]),
    [
      [6, 0],
      [7, 0],
      [8, 0],
      [9, 0],
    ],
  );
  assert.equal(
    full.rejected.map(([, , ra]) => ra),
    [S, S, S, S],
    'Retry-After 1 s',
  );
  // Each request holds its seat 4 s: the one running and the first 3 waiting start at 0, 4, 8, 12 s; the others
  // have waited 15 s at t = 15 s and are rejected then.
  const slow = controller(oneLevel(1, 1, 50, 1), 4 * S);
  for (let i = 0; i < 6; i++) slow.fc.admit(0, { id: i, arrived: 0, settled: false });
  slow.sim.run();
  assert.equal(slow.started, [
    [0, 0],
    [1, 4 * S],
    [2, 8 * S],
    [3, 12 * S],
  ]);
  assert.equal(
    slow.rejected.map(([id, t]) => [id, t]),
    [
      [4, 15 * S],
      [5, 15 * S],
    ],
  );
});

test('dropped-requests tracker: Retry-After doubles after ≥ 3·retryAfter drops, then shrinks by 1 s', () => {
  // dropped_requests_tracker_test.go: 5 drops in second 0 → 1; 11 drops in second 1 → 2.
  const d = new DroppedRequests();
  let ra = 0;
  for (let i = 0; i < 5; i++) ra = d.record(100);
  assert.is(ra, 1);
  for (let i = 0; i < 11; i++) ra = d.record(101);
  assert.is(ra, 2, 'the first drop of second 101 sees 5 ≥ 3 drops in the last second');
  // Seconds later with no drops in the window: one drop at 110 sees none in the last 2 s → 1.
  assert.is(d.record(110), 1);
});

test('shuffle sharding: a hand is handSize distinct queues of the deck', () => {
  for (const h of [0n, 1n, 12345678901234567n, 2n ** 63n + 17n]) {
    const hand = dealHand(h, 64, 6);
    assert.is(new Set(hand).size, 6);
    for (const q of hand) assert.ok(q >= 0 && q < 64);
  }
  // Dealer.Deal with hash 0: every remainder is 0 → cards 0, 1, 2, … (each bumped past the earlier ones).
  assert.equal(dealHand(0n, 10, 3), [0, 1, 2]);
});

const apiWith = (total: number) => constantApi({ flowControl: { ...DEFAULT_FLOW_CONTROL, serverConcurrencyLimit: total } });

test('API server overload: 429s are retried after Retry-After through the client; latency counts the wait', () => {
  // Total 1 → workload-high has 1 seat; one flow (kube-scheduler, namespace default) has a hand of 6 queues of
  // 50: 1 + 300 requests are accepted at t = 0 and 9 are rejected. Each holds the seat 2 ms (1 ms processing +
  // 1 ms commit), so the 301 finish by 602 ms, and the 9 retried at exactly 1 s run one after the other.
  const { sim, api } = apiWith(1);
  const c = new Client('kube-scheduler', { qps: Infinity, burst: Infinity }, 'kube-scheduler');
  const answered: [number, ApiResult['code']][] = [];
  for (let i = 0; i < 310; i++) api.create(c, makePod(`p${i}`, makeSpec([{}])), (r) => answered.push([sim.now, r.code]));
  sim.run();
  assert.is(api.rejected429, 9);
  assert.is(api.flowControl.maxExecutingOf(api.flowControl.levelIndex('workload-high')), 1);
  assert.is(answered.length, 310);
  assert.ok(answered.every(([, code]) => code === 201));
  assert.is(answered[300][0], 602_000);
  assert.equal(
    answered.slice(301).map(([t]) => t),
    Array.from({ length: 9 }, (_, k) => S + 2000 * (k + 1)),
  );
  assert.is(c.requests, 319, 'each retry is a request of the client');
  // The latency of a retried request runs from its first arrival (t = 0) to its answer.
  assert.is(api.requestLog[309].latency, S + 18_000);
});

test('API server: requests of exempt clients (the scenario) take no seat; kubelet leases go to node-high', () => {
  const { sim, api } = apiWith(1);
  const admin = new Client('scenario', { qps: Infinity, burst: Infinity }, 'exempt');
  for (let i = 0; i < 400; i++) api.create(admin, makePod(`p${i}`, makeSpec([{}])));
  sim.run();
  assert.is(api.rejected429, 0);
  assert.is(sim.now, 2000, 'all 400 ran at once');
  const kubelet = new Client('kubelet/n-0', { qps: Infinity, burst: Infinity }, 'node');
  for (let i = 0; i < 3; i++) {
    api.create(kubelet, {
      kind: 'Lease',
      metadata: { ...makePod(`l${i}`, makeSpec([{}])).metadata, namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'n-0', leaseDurationSeconds: 40, renewTime: 0 },
    });
  }
  sim.run();
  const fc = api.flowControl;
  assert.is(fc.maxExecutingOf(fc.levelIndex('node-high')), 1);
  assert.is(fc.maxExecutingOf(fc.levelIndex('system')), 0);
});

test('watch fan-out: an event is ready perEvent + perWatcher × watchers after the dispatcher is free', () => {
  const { sim, api } = constantApi({ watchCost: { perEvent: 100, perWatcher: 10 } });
  const seen: number[][] = [[], [], []];
  for (let w = 0; w < 3; w++) api.watch('Pod', `w${w}`, () => seen[w].push(sim.now));
  // 5 kubelets' node-indexed pod watches, one per node: they count only for pods on their node.
  for (let n = 0; n < 5; n++) api.watchPodsOnNode(`n${n}`, `kubelet/n${n}`, () => {});
  const c = new Client('c', { qps: Infinity, burst: Infinity }, 'exempt');
  // Two pods commit at 2 ms: the first is ready at 2 ms + 100 + 3·10; the second waits for the dispatcher.
  api.create(c, makePod('a', makeSpec([{}])));
  api.create(c, makePod('b', makeSpec([{}], { nodeName: 'n1' })));
  sim.run();
  assert.equal(seen[0], [2000 + 130, 2000 + 130 + 100 + 4 * 10]);
  // A per-node watcher (kube-proxy's) counts once per kubelet: Endpoints events cost 100 + 5·10.
  const eps: number[] = [];
  api.watch('Endpoints', 'kube-proxy', () => eps.push(sim.now), true);
  const t0 = sim.now;
  api.create(c, { kind: 'Endpoints', metadata: { ...makePod('svc', makeSpec([{}])).metadata }, subsets: [] } as never);
  sim.run();
  assert.equal(eps, [t0 + 2000 + 150]);
});

// An open-loop load: 1,500 pods created at once (exempt), so the scheduler's binds (50/s) and the kubelets'
// status writes arrive faster than one seat per level can serve them at 200× the request latency.
const overloadScenario = (fault: string) =>
  scenarioFrom(`
name: overload
duration: 60s
cluster:
  nodePools:
    - {name: n, count: 20, template: {cpu: "8", memory: 16Gi}}
workloads:
  - name: batch
    arrival: {type: burst, count: 1500, at: 0s}
    pod:
      spec: {containers: [{name: c, image: "pause:3.10", resources: {requests: {cpu: 100m, memory: 100Mi}}}]}
faults:
  - ${fault}
`);

test('apiServerOverload with a concurrency acts through APF: 429s, slower pods, deterministic', () => {
  const s = overloadScenario('{type: apiServerOverload, at: 0s, concurrency: 1, factor: 200, duration: 30s}');
  const a = runOnce(s, s.policies[0], 7);
  const b = runOnce(s, s.policies[0], 7);
  assert.is(a.fingerprint, b.fingerprint);
  assert.ok(a.summary.api_rejected_429 > 0, `429s: ${a.summary.api_rejected_429}`);
  const base = overloadScenario('{type: etcdSlowdown, at: 0s, factor: 1, duration: 30s}');
  const c = runOnce(base, base.policies[0], 7);
  assert.is(c.summary.api_rejected_429, 0);
  assert.ok(
    a.summary.startup_latency_p99_ms > c.summary.startup_latency_p99_ms + 10_000,
    `${c.summary.startup_latency_p99_ms} → ${a.summary.startup_latency_p99_ms}`,
  );
  assert.is(a.summary.pods_running, 1500, 'every pod runs in the end: 429s are retried');
});

test.run();
