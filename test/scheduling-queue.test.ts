/**
 * The scheduling queue's event-driven requeue (QueueingHints), its 1-second backoff windows, and the
 * KubeSchedulerConfiguration fields that shape the queue and the cycle cost (podInitialBackoffSeconds,
 * podMaxBackoffSeconds, parallelism, featureGates, and the fields that cannot affect a simulation).
 */
import { test } from 'uvu';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import type { KubeObject, Node, Pod } from '../engine/api/objects.js';
import { podRequests } from '../engine/api/pod-resources.js';
import { runOnce, schedulerParams } from '../engine/run.js';
import { parseSchedulerConfig } from '../engine/scenario/scheduler-config.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import {
  ASSIGNED_POD_ADD,
  ASSIGNED_POD_DELETE,
  NODE_ADD,
  NODE_ALLOCATABLE_CHANGE,
  NODE_LABEL_CHANGE,
  NODE_TAINT_CHANGE,
  UNSCHEDULED_POD_DELETE,
} from '../engine/scheduler/framework/cluster-events.js';
import {
  INTER_POD_AFFINITY,
  NODE_AFFINITY,
  NODE_RESOURCES_FIT,
  POD_TOPOLOGY_SPREAD,
  TAINT_TOLERATION,
} from '../engine/scheduler/framework/rejectors.js';
import { type HintPod } from '../engine/scheduler/framework/hint-types.js';
import { QueueingHints, STRATEGY_AFTER_BACKOFF, STRATEGY_SKIP } from '../engine/scheduler/framework/queueing-hints.js';
import { podInput } from '../engine/scheduler/pod-input.js';
import { spreadConstraints, SYSTEM_DEFAULTS } from '../engine/scheduler/plugins/pod-topology-spread/index.js';
import { SchedulingQueue, type QueuedPod } from '../engine/scheduler/scheduling-queue.js';
import { expectInputError, makeNode, makePod, makeSpec, scenarioFrom } from './helpers.js';

const S = 1_000_000;
const PARAMS = { podInitialBackoff: S, podMaxBackoff: 10 * S, podMaxInUnschedulablePodsDuration: 300 * S };

function queued(name: string, priority: number, timestamp: number, pod?: Pod): QueuedPod {
  const p = pod ?? makePod(name, makeSpec([{}], { priority }));
  return {
    key: name,
    pod: p,
    requests: podRequests(p.spec),
    toleratesUnschedulable: false,
    timestamp,
    attempts: 0,
    cycle: 0,
    where: 'gone',
    gen: 0,
    lastFailure: '',
  };
}

function hintPod(pod: Pod): HintPod {
  const input = podInput(pod.spec, pod.metadata);
  return {
    pod,
    input,
    spreadHard: spreadConstraints(pod.spec, input.namespace, input.labels, 'DoNotSchedule', SYSTEM_DEFAULTS, undefined),
    addedAffinity: undefined,
  };
}

/** Pops `p` and fails it with `rejectors` at `now` (the queue holds only p in activeQ). */
function fail(q: SchedulingQueue, p: QueuedPod, rejectors: number, now: number): void {
  q.pushActive(p);
  assert.is(q.pop(), p);
  p.rejectors = rejectors;
  p.hint = hintPod(p.pod);
  q.addUnschedulable(p, now);
}

const withLabels = (pod: Pod, labels: Record<string, string>, nodeName = ''): Pod => ({
  ...pod,
  metadata: { ...pod.metadata, labels },
  spec: { ...pod.spec, nodeName },
});

test('backoffQ: expiries truncated to 1 s windows, ordered by priority then timestamp within a window (upstream TestBackoffQueueOrdering)', () => {
  const T = 100 * S;
  const q = new SchedulingQueue(PARAMS);
  // Each pod is failed once (1 s backoff) at its timestamp, then flushed at T.
  const pods = [
    ['pod0', 1, T],
    ['pod1', 1, T - S],
    ['pod2', 2, T - 2 * S + 1000],
    ['pod3', 1, T - 2 * S],
    ['pod4', 2, T - 2 * S],
    ['pod5', 1, T - 3 * S],
  ] as const;
  for (const [name, prio, ts] of pods) {
    const p = queued(name, prio, 0);
    q.pushActive(p);
    q.pop();
    p.rejectors = NODE_RESOURCES_FIT;
    p.hint = hintPod(p.pod);
    // Failing with an event during the attempt sends it to backoffQ (the event below is one the rejector registered).
    q.onEvent(ASSIGNED_POD_DELETE, withLabels(p.pod, {}, 'n'), undefined, ts);
    q.addUnschedulable(p, ts);
  }
  assert.is(q.backoffSize, 6);
  // With activeQ empty, Pop takes backoffQ's head (SchedulerPopFromBackoffQ): the backoffQ order itself.
  const order: string[] = [];
  for (let p = q.pop(); p !== undefined; p = q.pop()) order.push(p.key);
  assert.equal(order, ['pod5', 'pod4', 'pod2', 'pod3', 'pod1', 'pod0']);
  // The same pods flushed at T: the four whose expiry window (T-2 s, T-1 s) is before T's leave; pod1's
  // window is T's own, so it waits for the next flush.
  for (const p of order.map((k) => queued(k, 0, 0))) {
    q.pushActive(p);
    q.pop();
    p.rejectors = NODE_RESOURCES_FIT;
    p.hint = hintPod(p.pod);
    q.onEvent(ASSIGNED_POD_DELETE, withLabels(p.pod, {}, 'n'), undefined, 0);
    q.addUnschedulable(p, pods.find(([n]) => n === p.key)![2]);
  }
  assert.is(q.flushBackoff(T), 4);
  for (let i = 0; i < 4; i++) q.pop();
  assert.is(q.flushBackoff(T + S - 1), 0);
  assert.is(q.flushBackoff(T + S), 1, 'pod1 leaves at the next window');
});

test('errors (no rejecting plugin) go to the error backoff queue: not popped early, flushed by window', () => {
  const q = new SchedulingQueue(PARAMS);
  const p = queued('err', 0, 0);
  fail(q, p, 0, 500_000);
  assert.is(q.unschedulableSize, 0);
  assert.is(q.backoffSize, 1);
  assert.is(q.pop(), undefined, 'the error backoff queue is never popped before its backoff completes');
  assert.is(q.flushBackoff(1_999_999), 0);
  assert.is(q.flushBackoff(2 * S), 1);
  // A pod rejected by a plugin can be popped from backoffQ early when activeQ is empty (SchedulerPopFromBackoffQ).
  const r = queued('r', 0, 0);
  q.pop();
  q.pushActive(r);
  q.pop();
  r.rejectors = NODE_RESOURCES_FIT;
  r.hint = hintPod(r.pod);
  q.onEvent(ASSIGNED_POD_DELETE, withLabels(r.pod, {}, 'n'), undefined, 3 * S);
  q.addUnschedulable(r, 3 * S);
  assert.is(q.backoffSize, 1);
  assert.is(q.pop(), r);
});

test('hints: NodeResourcesFit queues on a fitting node add, an allocatable increase it needs and an assigned pod delete', () => {
  const pod = makePod('big', makeSpec([{ cpu: 4000 }]));
  const h = new QueueingHints(true);
  const p = hintPod(pod);
  const small = makeNode('small', { cpu: 2000, memory: 2 ** 30, pods: 10 });
  const large = makeNode('large', { cpu: 8000, memory: 2 ** 30, pods: 10 });
  assert.is(
    h.worth(NODE_RESOURCES_FIT, NODE_ADD, () => p, undefined, small),
    STRATEGY_SKIP,
    'a node too small for the pod',
  );
  assert.is(
    h.worth(NODE_RESOURCES_FIT, NODE_ADD, () => p, undefined, large),
    STRATEGY_AFTER_BACKOFF,
  );
  const grown = makeNode('small', { cpu: 6000, memory: 2 ** 30, pods: 10 });
  assert.is(
    h.worth(NODE_RESOURCES_FIT, NODE_ALLOCATABLE_CHANGE, () => p, small, grown),
    STRATEGY_AFTER_BACKOFF,
  );
  const memOnly = makeNode('large', { cpu: 8000, memory: 2 ** 31, pods: 10 });
  assert.is(
    h.worth(NODE_RESOURCES_FIT, NODE_ALLOCATABLE_CHANGE, () => p, large, memOnly),
    STRATEGY_SKIP,
    'memory grew, the pod needs none',
  );
  const bound = withLabels(makePod('x', makeSpec([{ cpu: 100 }])), {}, 'n');
  assert.is(
    h.worth(NODE_RESOURCES_FIT, ASSIGNED_POD_DELETE, () => p, bound, undefined),
    STRATEGY_AFTER_BACKOFF,
  );
  assert.is(
    h.worth(NODE_RESOURCES_FIT, NODE_LABEL_CHANGE, () => p, large, large),
    STRATEGY_SKIP,
    'not registered with hints on',
  );
  // An unscheduled pod's deletion frees room only if it was nominated to a node (after a preemption).
  const pending = makePod('q', makeSpec([{ cpu: 100 }]));
  const nominated: Pod = { ...pending, status: { ...pending.status, nominatedNodeName: 'n' } };
  assert.is(
    h.worth(NODE_RESOURCES_FIT, UNSCHEDULED_POD_DELETE, () => p, pending, undefined),
    STRATEGY_SKIP,
  );
  assert.is(
    h.worth(NODE_RESOURCES_FIT, UNSCHEDULED_POD_DELETE, () => p, nominated, undefined),
    STRATEGY_AFTER_BACKOFF,
  );
  // Hints off: the wider pre-hints registration, and every hint is Queue.
  const off = new QueueingHints(false);
  assert.is(
    off.worth(NODE_RESOURCES_FIT, NODE_ADD, () => p, undefined, small),
    STRATEGY_AFTER_BACKOFF,
  );
  assert.is(
    off.worth(NODE_RESOURCES_FIT, NODE_LABEL_CHANGE, () => p, large, large),
    STRATEGY_AFTER_BACKOFF,
  );
  assert.is(
    off.worth(NODE_AFFINITY, ASSIGNED_POD_ADD, () => p, undefined, bound),
    STRATEGY_SKIP,
    'NodeAffinity registers no pod event',
  );
});

test('hints: NodeAffinity, TaintToleration, InterPodAffinity and PodTopologySpread', () => {
  const h = new QueueingHints(true);
  const sel = hintPod(makePod('s', makeSpec([{}], { nodeSelector: { disk: 'ssd' } })));
  const plain = makeNode('n', { cpu: 1000 }, { zone: 'a' });
  const ssd = makeNode('n', { cpu: 1000 }, { zone: 'a', disk: 'ssd' });
  assert.is(
    h.worth(NODE_AFFINITY, NODE_ADD, () => sel, undefined, plain),
    STRATEGY_SKIP,
  );
  assert.is(
    h.worth(NODE_AFFINITY, NODE_ADD, () => sel, undefined, ssd),
    STRATEGY_AFTER_BACKOFF,
  );
  assert.is(
    h.worth(NODE_AFFINITY, NODE_LABEL_CHANGE, () => sel, plain, ssd),
    STRATEGY_AFTER_BACKOFF,
  );
  assert.is(
    h.worth(NODE_AFFINITY, NODE_LABEL_CHANGE, () => sel, ssd, { ...ssd, metadata: { ...ssd.metadata, labels: { disk: 'ssd', x: '1' } } }),
    STRATEGY_SKIP,
    'matched before and after',
  );

  const tainted: Node = { ...plain, spec: { ...plain.spec, taints: [{ key: 'k', value: '', effect: 'NoSchedule' }] } };
  const untol = hintPod(makePod('t', makeSpec([{}])));
  assert.is(
    h.worth(TAINT_TOLERATION, NODE_TAINT_CHANGE, () => untol, tainted, plain),
    STRATEGY_AFTER_BACKOFF,
    'taint removed',
  );
  assert.is(
    h.worth(TAINT_TOLERATION, NODE_ADD, () => untol, undefined, tainted),
    STRATEGY_SKIP,
  );

  const web = makePod(
    'web',
    makeSpec([{}], {
      affinity: {
        podAffinity: {
          required: [
            {
              labelSelector: { matchLabels: { app: 'db' }, matchExpressions: [] },
              topologyKey: 'zone',
              namespaces: [],
              matchLabelKeys: [],
              mismatchLabelKeys: [],
            },
          ],
          preferred: [],
        },
      },
    }),
  );
  const wh = hintPod(web);
  const db = withLabels(makePod('db', makeSpec([{}])), { app: 'db' }, 'n');
  const other = withLabels(makePod('o', makeSpec([{}])), { app: 'cache' }, 'n');
  assert.is(
    h.worth(INTER_POD_AFFINITY, ASSIGNED_POD_ADD, () => wh, undefined, db),
    STRATEGY_AFTER_BACKOFF,
  );
  assert.is(
    h.worth(INTER_POD_AFFINITY, ASSIGNED_POD_ADD, () => wh, undefined, other),
    STRATEGY_SKIP,
  );
  assert.is(
    h.worth(INTER_POD_AFFINITY, ASSIGNED_POD_DELETE, () => wh, db, undefined),
    STRATEGY_SKIP,
    'a delete cannot satisfy affinity',
  );

  const spread = makePod(
    'sp',
    makeSpec([{}], {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'db' }, matchExpressions: [] },
          matchLabelKeys: [],
        },
      ],
    }),
  );
  const sh = hintPod(spread);
  assert.is(
    h.worth(POD_TOPOLOGY_SPREAD, ASSIGNED_POD_DELETE, () => sh, db, undefined),
    STRATEGY_AFTER_BACKOFF,
  );
  assert.is(
    h.worth(POD_TOPOLOGY_SPREAD, ASSIGNED_POD_DELETE, () => sh, other, undefined),
    STRATEGY_SKIP,
  );
  assert.is(
    h.worth(POD_TOPOLOGY_SPREAD, NODE_ADD, () => sh, undefined, makeNode('nz', { cpu: 1 })),
    STRATEGY_SKIP,
    'a node without the topology key',
  );
  assert.is(
    h.worth(POD_TOPOLOGY_SPREAD, NODE_ADD, () => sh, undefined, plain),
    STRATEGY_AFTER_BACKOFF,
  );
});

test('in-flight events: an event the rejector says Queue to, seen during the attempt, sends the pod back at once', () => {
  const q = new SchedulingQueue(PARAMS);
  const pod = makePod('big', makeSpec([{ cpu: 4000 }]));
  const p = queued('big', 0, 0, pod);
  q.pushActive(p);
  q.pop();
  // During the attempt: a node too small (skip), then a fitting node (Queue).
  q.onEvent(NODE_ADD, undefined, makeNode('small', { cpu: 2000, pods: 10 }), 10);
  p.rejectors = NODE_RESOURCES_FIT;
  p.hint = hintPod(pod);
  const r = queued('r', 0, 0, pod);
  q.addUnschedulable(p, 20);
  assert.is(q.unschedulableSize, 1, 'the small node cannot help it');
  q.pushActive(r);
  q.pop();
  q.onEvent(NODE_ADD, undefined, makeNode('large', { cpu: 8000, pods: 10 }), 30);
  assert.is(q.backoffSize, 1, 'the waiting pod moved on the fitting node');
  assert.is(q.movedByEvents, 1);
  r.rejectors = NODE_RESOURCES_FIT;
  r.hint = hintPod(pod);
  q.addUnschedulable(r, 40);
  assert.is(q.unschedulableSize, 0, 'the in-flight pod saw the fitting node too');
  assert.is(q.backoffSize, 2);
});

const DB_AFFINITY = `
cluster:
  nodePools: [{name: n, count: 10, template: {cpu: "8", memory: 16Gi}}]
workloads:
  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 5
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            affinity:
              podAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector: {matchLabels: {app: db}}
                    topologyKey: kubernetes.io/hostname
            containers: [{name: web, image: web, resources: {requests: {cpu: 100m}}}]
  - name: db
    arrival: {type: burst, count: 1, at: 5s}
    pod:
      metadata: {labels: {app: db}}
      spec: {containers: [{name: db, image: db, resources: {requests: {cpu: 100m}}}]}
`;

function bindTimes(yaml: string): { db: number; web: number[]; attempts: number } {
  const s = scenarioFrom(yaml);
  const bound = new Map<string, number>();
  const r = runOnce(s, s.policies[0], 1, {
    observe: (t: number, _type: string, o: KubeObject) => {
      if (o.kind === 'Pod' && o.spec.nodeName !== '' && !bound.has(o.metadata.name)) bound.set(o.metadata.name, t);
    },
  });
  const db = [...bound].find(([n]) => n.startsWith('db'))?.[1] ?? -1;
  return { db, web: [...bound].filter(([n]) => n.startsWith('web')).map(([, t]) => t), attempts: r.summary.unschedulable_attempts };
}

for (const gates of ['', 'featureGates: {SchedulerQueueingHints: false}']) {
  test(`web pods with required podAffinity to app=db are bound within ~1 s of db (AssignedPodAdd; ${gates || 'hints on'})`, () => {
    const policy =
      gates === ''
        ? ''
        : `policies:\n  - name: p\n    config: {apiVersion: kubescheduler.config.k8s.io/v1, kind: KubeSchedulerConfiguration, ${gates}}\n`;
    const r = bindTimes(`name: affinity\nduration: 60s\n${DB_AFFINITY}${policy}`);
    assert.ok(r.db > 5 * S && r.db < 6 * S, `db bound at ${r.db}`);
    assert.is(r.web.length, 5, 'every web pod is bound before the 5-minute flush');
    for (const t of r.web) assert.ok(t > r.db && t - r.db < 1.5 * S, `web bound ${(t - r.db) / S} s after db`);
    // One failed attempt each before db exists (a second only if an attempt overlapped an AssignedPodAdd).
    assert.ok(r.attempts >= 5 && r.attempts <= 10, `${r.attempts} unschedulable attempts`);
  });
}

const STUCK = (policy: string) => `
name: stuck
duration: 60s
cluster:
  nodePools: [{name: n, count: 200, template: {cpu: "16", memory: 64Gi, pods: 110}}]
workloads:
  - name: stream
    arrival: {type: poisson, rate: 40, count: 2000, start: 0s}
    lifetime: {type: exponential, mean: 20s}
    pod: {spec: {containers: [{name: c, image: i, resources: {requests: {cpu: 100m}}}]}}
  - name: stuck
    arrival: {type: burst, count: 100, at: 1s}
    pod: {spec: {nodeSelector: {disk: nvme}, containers: [{name: c, image: i, resources: {requests: {cpu: 100m}}}]}}
${policy}`;

test('100 pods whose nodeSelector matches nothing beside a 40 pods/s stream with churn: one attempt each, not one per event', () => {
  const s = scenarioFrom(STUCK(''));
  const r = runOnce(s, s.policies[0], 1).summary;
  // Only NodeAffinity rejected them: assigned pods coming and going cannot help; no node is added or relabeled;
  // the 5-minute UnschedulableTimeout is beyond the run. Upstream: ~1 attempt per pod.
  assert.is(r.pods_pending_end, 100);
  assert.ok(r.unschedulable_attempts <= 105, `${r.unschedulable_attempts} unschedulable attempts`);
  // Without hints, a stuck pod goes back to backoffQ only when an event arrives during its own (sub-ms) attempt.
  const off = scenarioFrom(
    STUCK(
      'policies:\n  - name: off\n    config: {apiVersion: kubescheduler.config.k8s.io/v1, kind: KubeSchedulerConfiguration, featureGates: {SchedulerQueueingHints: false}}\n',
    ),
  );
  const o = runOnce(off, off.policies[0], 1).summary;
  assert.ok(o.unschedulable_attempts >= r.unschedulable_attempts, `hints off: ${o.unschedulable_attempts}`);
  assert.ok(o.unschedulable_attempts < 200, `hints off: ${o.unschedulable_attempts}`);
});

// ---- KubeSchedulerConfiguration fields

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const parse = (body: string) => parseSchedulerConfig(parseYamlDocuments(HEAD + body, 'cfg.yaml')[0]);

test('podInitialBackoffSeconds / podMaxBackoffSeconds / parallelism: defaults, values and upstream validation', () => {
  const d = parse('');
  assert.equal(d.queue, { parallelism: 16 });
  assert.equal(d.featureGates, { SchedulerQueueingHints: true, PodLevelResources: true });
  const p = parse('podInitialBackoffSeconds: 2\npodMaxBackoffSeconds: 30\nparallelism: 4\n');
  assert.equal(p.queue, { parallelism: 4, podInitialBackoff: 2 * S, podMaxBackoff: 30 * S });
  assert.match(expectInputError(() => parse('podInitialBackoffSeconds: 0\n')).message, /podInitialBackoffSeconds.*greater than 0/);
  assert.match(
    expectInputError(() => parse('podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2\n')).message,
    /podMaxBackoffSeconds.*greater than or equal/,
  );
  assert.match(expectInputError(() => parse('podMaxBackoffSeconds: 0\n')).message, /podMaxBackoffSeconds/);
  assert.match(expectInputError(() => parse('parallelism: 0\n')).message, /parallelism.*greater than zero/);
});

test('featureGates: SchedulerQueueingHints and PodLevelResources accepted; any other gate refused with the supported list', () => {
  const p = parse('featureGates: {SchedulerQueueingHints: false, PodLevelResources: false}\n');
  assert.equal(p.featureGates, { SchedulerQueueingHints: false, PodLevelResources: false });
  const e = expectInputError(() => parse('featureGates: {SchedulerAsyncPreemption: true}\n'));
  assert.match(e.message, /featureGates\.SchedulerAsyncPreemption/);
  assert.match(e.message, /SchedulerQueueingHints, PodLevelResources/);
  assert.match(
    expectInputError(() => parse('featureGates: {SchedulerQueueingHints: maybe}\n')).message,
    /featureGates\.SchedulerQueueingHints/,
  );
});

test('fields that cannot affect a simulation are warned about; invalid bind addresses and unknown clientConnection keys refused', () => {
  const p = parse(
    'leaderElection: {leaderElect: true, resourceName: kube-scheduler}\nenableProfiling: true\nenableContentionProfiling: false\ndelayCacheUntilActive: true\nhealthzBindAddress: ""\nmetricsBindAddress: "0.0.0.0:0"\nclientConnection: {kubeconfig: /etc/k.conf, contentType: application/vnd.kubernetes.protobuf, qps: 10}\n',
  );
  assert.equal(p.notModeled, [
    'healthzBindAddress',
    'metricsBindAddress',
    'enableProfiling',
    'enableContentionProfiling',
    'delayCacheUntilActive',
    'leaderElection',
    'clientConnection.kubeconfig',
    'clientConnection.contentType',
  ]);
  assert.is(p.client.qps, 10);
  assert.equal(parse('').notModeled, []);
  assert.match(expectInputError(() => parse('healthzBindAddress: 0.0.0.0:10251\n')).message, /healthzBindAddress.*port 0/);
  assert.match(expectInputError(() => parse('clientConnection: {timeout: 5s}\n')).message, /clientConnection\.timeout/);
  assert.match(expectInputError(() => parse('leaderElection: {leaderElekt: true}\n')).message, /leaderElection\.leaderElekt/);
  assert.match(expectInputError(() => parse('enableProfiling: yes-please\n')).message, /enableProfiling/);
});

const RUN = (cfg: string) => `
name: cfg
duration: 40s
cluster:
  nodePools: [{name: n, count: 300, template: {cpu: "4", memory: 16Gi, pods: 110}}]
workloads:
  - name: w
    arrival: {type: burst, count: 1500, at: 0s}
    pod: {spec: {containers: [{name: c, image: i, resources: {requests: {cpu: "1"}}}]}}
policies:
  - name: p
    config: {apiVersion: kubescheduler.config.k8s.io/v1, kind: KubeSchedulerConfiguration, clientConnection: {qps: -1}${cfg}}
`;

test('each accepted field changes the run: parallelism (scheduling time), backoff seconds (retries), QueueingHints (fingerprint)', () => {
  const run = (cfg: string) => {
    const s = scenarioFrom(RUN(cfg));
    return runOnce(s, s.policies[0], 1);
  };
  const base = run('');
  const slow = run(', parallelism: 1');
  assert.ok(slow.summary.sched_latency_p50_ms > base.summary.sched_latency_p50_ms, 'one worker makes each cycle longer');
  assert.is.not(slow.fingerprint, base.fingerprint);
  // 1,500 one-CPU pods on 1,200 CPUs: 300 stay pending and are retried only by the 5-minute timeout or a
  // pod event; a longer initial backoff changes when the first failures leave backoffQ.
  const backoff = run(', podInitialBackoffSeconds: 5, podMaxBackoffSeconds: 60');
  assert.is.not(backoff.fingerprint, base.fingerprint);
  const noHints = run(', featureGates: {SchedulerQueueingHints: false}');
  assert.is.not(noHints.fingerprint, base.fingerprint);
  assert.is(run(', featureGates: {SchedulerQueueingHints: true}').fingerprint, base.fingerprint, 'the default value changes nothing');
});

test("podInitialBackoffSeconds / podMaxBackoffSeconds reach the queue (over the scenario parameters); unset keeps the scenario's", () => {
  const base = {
    cycleOverhead: 200,
    perNodeFilter: 1,
    perNodeScore: 1,
    perPodAffinityTerm: 0,
    perPodSpreadConstraint: 0,
    perPreemptionNode: 0,
    parallelism: 16,
    podInitialBackoff: 3 * S,
    podMaxBackoff: 7 * S,
    podMaxInUnschedulablePodsDuration: 300 * S,
  };
  const policy = (body: string) => {
    const sp = parse(body);
    return { name: 'p', profiles: sp.profiles, client: sp.client, source: 'test', queue: sp.queue, featureGates: sp.featureGates };
  };
  const durations = (body: string) => {
    const q = new SchedulingQueue(schedulerParams(base, policy(body)));
    return [1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a) / S);
  };
  assert.equal(durations(''), [3, 6, 7, 7, 7, 7], 'the scenario parameters');
  assert.equal(durations('podMaxBackoffSeconds: 30\n'), [3, 6, 12, 24, 30, 30]);
  assert.equal(durations('podInitialBackoffSeconds: 2\npodMaxBackoffSeconds: 30\n'), [2, 4, 8, 16, 30, 30]);
  const p = schedulerParams(base, policy('parallelism: 8\nfeatureGates: {SchedulerQueueingHints: false}\n'));
  assert.is(p.parallelism, 8);
  assert.is(p.queueingHints, false);
});

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'engine', 'cli.js');

function cliRun(policyConfig: string): { code: number; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-queue-'));
  const file = join(dir, 's.yaml');
  writeFileSync(
    file,
    `name: warn\nduration: 5s\nreplications: 2\ncluster:\n  nodePools: [{name: n, count: 2, template: {cpu: "4", memory: 8Gi}}]\nworkloads:\n  - name: w\n    arrival: {type: burst, count: 2}\n    pod: {spec: {containers: [{name: c, image: i}]}}\npolicies:\n  - name: p\n    config:\n      apiVersion: kubescheduler.config.k8s.io/v1\n      kind: KubeSchedulerConfiguration\n${policyConfig}`,
  );
  const r = spawnSync(process.execPath, [cli, 'run', file, '--out', join(dir, 'out')], { encoding: 'utf8' });
  return { code: r.status ?? -1, stderr: r.stderr };
}

test('CLI: process-only fields give one warning for the whole run; an unsupported gate exits 2 naming the field', () => {
  const ok = cliRun('      leaderElection: {leaderElect: true}\n      enableProfiling: true\n');
  assert.is(ok.code, 0, ok.stderr);
  const warnings = ok.stderr.split('\n').filter((l) => l.includes('no effect on a simulation'));
  assert.equal(warnings, [
    'warning: policy p: KubeSchedulerConfiguration fields with no effect on a simulation (ignored): enableProfiling, leaderElection',
  ]);
  const bad = cliRun('      featureGates: {DynamicResourceAllocation: true}\n');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /s\.yaml:\d+:.*policies\[0\]\.config\.featureGates\.DynamicResourceAllocation/);
  assert.match(
    bad.stderr,
    /unsupported feature gate "DynamicResourceAllocation"; kubesim models SchedulerQueueingHints, PodLevelResources/,
  );
  assert.not.match(bad.stderr, /\n\s+at /, 'no stack trace');
});

test.run();
