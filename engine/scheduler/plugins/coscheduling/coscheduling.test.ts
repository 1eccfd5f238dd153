/**
 * Gang scheduling with scheduler-plugins' Coscheduling plugin (engine/scheduler/plugins/coscheduling/,
 * gang.ts, scheduler.ts). The rule tests mirror upstream's pkg/coscheduling/coscheduling_test.go (TestLess,
 * TestPermit, TestPostFilter, TestPodGroupBackoffTime) and core/core_test.go (TestPreFilter, TestPermit); the
 * runs check the Permit wait's machinery: resources held while waiting, the timeout, the group rejection, and
 * the bundled scenario's deadlock versus gang scheduling.
 */
import { test } from 'uvu';
import { gangOf } from '../../profile.js';
import * as assert from 'uvu/assert';
import { POD_GROUP_LABEL, type Pod, type PodGroup } from '../../../api/objects.js';
import { podRequests } from '../../../api/pod-resources.js';
import { runOnce } from '../../../run.js';
import { loadScenario, parseScenario } from '../../../scenario/load.js';
import { kindDisposition } from '../../../scenario/kinds.js';
import { parseManifests } from '../../../scenario/manifests.js';
import { parseSchedulerConfig } from '../../../scenario/scheduler-config.js';
import { parseYamlDocuments } from '../../../scenario/yaml-field.js';
import { Rendezvous } from '../../../node/rendezvous.js';
import { permit, podGroupKey, postFilterRejectsGroup, preFilter, waitSeconds, DEFAULT_COSCHEDULING_ARGS } from './index.js';
import { SchedulingQueue, type QueuedPod } from '../../scheduling-queue.js';
import { expectInputError, makePod, makeSpec, REPO, scenarioFrom } from '../../../../test/helpers.js';
import { join } from 'node:path';

const S = 1_000_000;

function pg(name: string, minMember: number, created = 0, scheduleTimeoutSeconds: number | null = null, ns = 'ns'): PodGroup {
  return {
    kind: 'PodGroup',
    metadata: { ...makePod(name, makeSpec([{}])).metadata, name, namespace: ns, creationTimestamp: created },
    spec: { minMember, scheduleTimeoutSeconds },
  };
}

function member(name: string, group: string | null, priority = 0, ns = 'ns'): Pod {
  const p = makePod(name, makeSpec([{}], { priority }));
  return { ...p, metadata: { ...p.metadata, namespace: ns, labels: group === null ? {} : { [POD_GROUP_LABEL]: group } } };
}

// ---- the plugin's rules ----

test('core_test TestPreFilter: fewer pods than minMember are rejected, enough pass, a denied group is refused', () => {
  const g = pg('pg1', 3);
  assert.is(
    preFilter('p1', 'ns/pg1', g, 2, false),
    'pre-filter pod p1 cannot find enough sibling pods, current pods number: 2, minMember of group: 3',
  );
  assert.is(preFilter('p1', 'ns/pg1', g, 3, false), null);
  assert.is(preFilter('p1', 'ns/pg1', g, 4, false), null);
  // TestPodGroupBackoffTime: after PostFilter backed the group off, PreFilter says "failed recently".
  assert.is(preFilter('p3', 'ns/pg1', g, 3, true), 'podGroup ns/pg1 failed recently');
});

test('core_test TestPermit: Wait until minMember are assigned counting the current pod, then Success', () => {
  const g = pg('pg1', 3);
  assert.is(permit(g, 0), 'wait');
  assert.is(permit(g, 1), 'wait');
  assert.is(permit(g, 2), 'allow', 'two assigned + this pod = minMember');
  assert.is(permit(pg('pg0', 0), 0), 'allow');
  assert.is(permit(pg('pg1', 1), 0), 'allow');
});

test('coscheduling_test TestPostFilter: reject the whole group unless assigned ≥ minMember or the gap is ≤ 10%', () => {
  assert.is(postFilterRejectsGroup(pg('pg', 4), 4), false, 'enough pods assigned, do not reject all');
  assert.is(postFilterRejectsGroup(pg('pg', 4), 0), true, 'pod failed at filter phase, reject all pods');
  assert.is(postFilterRejectsGroup(pg('pg', 10), 9), false, '1/10 missing is within 10%');
  assert.is(postFilterRejectsGroup(pg('pg', 10), 8), true, '2/10 missing is beyond 10%');
});

test('GetWaitTimeDuration: the PodGroup scheduleTimeoutSeconds, else permitWaitingTimeSeconds', () => {
  assert.is(waitSeconds(pg('a', 2, 0, 7), DEFAULT_COSCHEDULING_ARGS), 7);
  assert.is(waitSeconds(pg('a', 2), DEFAULT_COSCHEDULING_ARGS), 60);
  assert.is(podGroupKey(member('p', 'pg1')), 'ns/pg1');
  assert.is(podGroupKey(member('p', null)), '');
});

test('coscheduling_test TestLess: priority, then the PodGroup creation time (or initial attempt), then namespace/name', () => {
  const groups = new Map([
    ['ns1/pg1', pg('pg1', 1, 1 * S, null, 'ns1')],
    ['ns2/pg2', pg('pg2', 1, 2 * S, null, 'ns2')],
  ]);
  const q = new SchedulingQueue({ podInitialBackoff: S, podMaxBackoff: 10 * S, podMaxInUnschedulablePodsDuration: 300 * S });
  q.useSort({
    time: (p) => groups.get(podGroupKey(p.pod))?.metadata.creationTimestamp ?? p.initialTimestamp ?? p.timestamp,
    tie: (p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name}`,
  });
  const qp = (pod: Pod, initial: number): QueuedPod => ({
    key: pod.metadata.name,
    pod,
    requests: podRequests(pod.spec),
    toleratesUnschedulable: false,
    timestamp: initial + 100 * S,
    initialTimestamp: initial,
    attempts: 0,
    cycle: 0,
    where: 'gone',
    gen: 0,
    lastFailure: '',
  });
  // A high-priority pod comes first whatever its group; equal priorities go by group creation (pg1 at 1 s beats a
  // lone pod first queued at 1.5 s, which beats pg2 at 2 s even though pg2's pod was queued at 0), then by name.
  q.pushActive(qp(member('z-pg2', 'pg2', 10, 'ns2'), 0));
  q.pushActive(qp(member('lone', null, 10, 'ns1'), 1.5 * S));
  q.pushActive(qp(member('b-pg1', 'pg1', 10, 'ns1'), 3 * S));
  q.pushActive(qp(member('a-pg1', 'pg1', 10, 'ns1'), 4 * S));
  q.pushActive(qp(member('urgent', 'pg2', 100, 'ns2'), 9 * S));
  const order: string[] = [];
  for (let p = q.pop(); p !== undefined; p = q.pop()) {
    order.push(p.key);
    q.done(p);
  }
  assert.equal(order, ['urgent', 'a-pg1', 'b-pg1', 'lone', 'z-pg2']);
});

// ---- configuration and the PodGroup kind ----

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const config = (body: string) => parseSchedulerConfig(parseYamlDocuments(HEAD + body, 'cfg.yaml')[0]);
const GANG = `profiles:
  - plugins:
      multiPoint: {enabled: [{name: Coscheduling}]}
      queueSort: {disabled: [{name: PrioritySort}]}
`;

test('Coscheduling in a profile: CoschedulingArgs defaults (60 s, no backoff) and values', () => {
  assert.is(gangOf(config('').profiles[0]), null, 'not in the default profile');
  assert.equal(gangOf(config(GANG).profiles[0]), {
    permitWaitingTimeSeconds: 60,
    podGroupBackoffSeconds: 0,
    preFilter: true,
    postFilter: true,
  });
  const withArgs = config(
    `${GANG}    pluginConfig: [{name: Coscheduling, args: {permitWaitingTimeSeconds: 10, podGroupBackoffSeconds: 5}}]\n`,
  );
  assert.equal(gangOf(withArgs.profiles[0]), {
    permitWaitingTimeSeconds: 10,
    podGroupBackoffSeconds: 5,
    preFilter: true,
    postFilter: true,
  });
  const noPost = config(`${GANG.replace('queueSort:', 'postFilter: {disabled: [{name: Coscheduling}]}\n      queueSort:')}`);
  assert.is(gangOf(noPost.profiles[0])?.postFilter, false);
  assert.is(noPost.ignoredPlugins.includes('Coscheduling'), false, 'modeled, not reported as ignored');
});

test('Coscheduling configurations kubesim refuses: two queue sorts, a partial setup, unknown or negative args, mixed profiles', () => {
  let e = expectInputError(() => config('profiles:\n  - plugins:\n      multiPoint: {enabled: [{name: Coscheduling}]}\n'));
  assert.match(e.message, /exactly one queueSort plugin.*PrioritySort, Coscheduling/);
  e = expectInputError(() => config('profiles:\n  - plugins:\n      permit: {enabled: [{name: Coscheduling}]}\n'));
  assert.match(e.message, /Coscheduling must be enabled at queueSort, permit and reserve together \(it is not at queueSort\)/);
  e = expectInputError(() => config(`${GANG}    pluginConfig: [{name: Coscheduling, args: {kubeConfigPath: /x}}]\n`));
  assert.match(e.message, /kubeConfigPath/);
  e = expectInputError(() => config(`${GANG}    pluginConfig: [{name: Coscheduling, args: {podGroupBackoffSeconds: -1}}]\n`));
  assert.match(e.message, /podGroupBackoffSeconds/);
  e = expectInputError(() => config(`${GANG}  - schedulerName: other\n`));
  assert.match(e.message, /queueSort must be the same for all profiles/);
});

test('PodGroup is a modeled kind: minMember and scheduleTimeoutSeconds read, minResources and status refused', () => {
  assert.equal(kindDisposition('PodGroup'), { disposition: 'modeled', apiVersion: 'scheduling.x-k8s.io/v1alpha1' });
  const parse = (y: string) => parseManifests(parseYamlDocuments(y, 'pg.yaml')[0]);
  const [o] = parse(
    'apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: pg1, namespace: ml}\nspec: {minMember: 4, scheduleTimeoutSeconds: 30}\n',
  );
  assert.is(o.kind, 'PodGroup');
  assert.equal((o as PodGroup).spec, { minMember: 4, scheduleTimeoutSeconds: 30 });
  assert.is(o.metadata.namespace, 'ml');
  let e = expectInputError(() =>
    parse(
      'apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: pg1}\nspec: {minMember: 2, minResources: {cpu: "4"}}\n',
    ),
  );
  assert.match(e.message, /spec\.minResources/);
  e = expectInputError(() =>
    parse('apiVersion: scheduling.x-k8s.io/v1beta1\nkind: PodGroup\nmetadata: {name: pg1}\nspec: {minMember: 2}\n'),
  );
  assert.match(e.message, /scheduling\.x-k8s\.io\/v1alpha1/);
  e = expectInputError(() =>
    parse('apiVersion: scheduling.x-k8s.io/v1alpha1\nkind: PodGroup\nmetadata: {name: pg1}\nspec: {minMember: -1}\n'),
  );
  assert.match(e.message, /minMember/);
});

// ---- runs ----

/** One node with `gpus` GPUs; a PodGroup `train` (minMember `min`) and `n` 1-GPU pods in it; `config` is the gang profile. */
function gangScenario(gpus: number, min: number, n: number, profile: string, extra = ''): string {
  const pods = Array.from(
    { length: n },
    (_, i) => `  - at: 2s
    manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: w${i}, labels: {${POD_GROUP_LABEL}: train}, annotations: {kubesim.io/run-duration: 60s}}
      spec:
        restartPolicy: Never
        containers: [{name: c, image: img, resources: {requests: {cpu: "1", nvidia.com/gpu: "1"}, limits: {nvidia.com/gpu: "1"}}}]
`,
  ).join('');
  return `name: gang-test
duration: 10m
cluster:
  nodePools:
    - {name: gpu, count: 1, template: {cpu: "16", memory: 64Gi, resources: {nvidia.com/gpu: "${gpus}"}}}
workloads:
  - manifest:
      apiVersion: scheduling.x-k8s.io/v1alpha1
      kind: PodGroup
      metadata: {name: train}
      spec: {minMember: ${min}, scheduleTimeoutSeconds: 5}
${pods}${extra}policies:
  - name: gang
    config:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: KubeSchedulerConfiguration
      profiles:
${profile}`;
}

const PROFILE = `        - plugins:
            multiPoint: {enabled: [{name: Coscheduling}]}
            queueSort: {disabled: [{name: PrioritySort}]}
`;
const NO_POSTFILTER = `        - plugins:
            multiPoint: {enabled: [{name: Coscheduling}]}
            queueSort: {disabled: [{name: PrioritySort}]}
            postFilter: {disabled: [{name: Coscheduling}]}
`;

function bindings(s: ReturnType<typeof scenarioFrom>): { run: ReturnType<typeof runOnce>; bound: Map<string, number> } {
  const bound = new Map<string, number>();
  const run = runOnce(s, s.policies[0], 1, {
    observe: (t, _type, obj, old) => {
      if (obj.kind === 'Pod' && obj.spec.nodeName !== '' && (old === undefined || (old.kind === 'Pod' && old.spec.nodeName === '')))
        bound.set(obj.metadata.name, t);
    },
  });
  return { run, bound };
}

test('a group that fits: its pods wait at Permit until the last is assumed, then all bind together', () => {
  const { run, bound } = bindings(scenarioFrom(gangScenario(4, 3, 3, PROFILE)));
  assert.is(bound.size, 3);
  const times = [...bound.values()];
  // Each pod was held (assumed, unbound) until the third was assumed: all bindings come after the last Permit.
  assert.ok(Math.max(...times) - Math.min(...times) < 0.1 * S, `bindings close together: ${times.join(', ')}`);
  assert.is(run.summary.pods_succeeded, 3);
  assert.is(run.summary.gang_timeouts, 0);
  assert.ok(run.summary.gang_wait_mean_s > 0, 'the first pods waited at Permit');
});

test('a group that cannot fit, PostFilter disabled: its pods hold their GPUs at Permit until the timeout, then all go back', () => {
  // 2 GPUs, minMember 3: two pods are assumed and wait (holding both GPUs), the third never fits. After the
  // group's scheduleTimeoutSeconds (5 s) the first wait times out and Unreserve rejects the other: both release.
  const { run, bound } = bindings(scenarioFrom(gangScenario(2, 3, 3, NO_POSTFILTER)));
  assert.is(bound.size, 0, 'no pod of an incomplete group is ever bound');
  assert.ok(run.summary.gang_timeouts >= 1);
  // The first wait lasts 5 s, the second a little less (it started later): about 10 GPU-seconds per round.
  const idleSeconds = run.summary.gang_gpu_hours_idle * 3600;
  assert.ok(idleSeconds >= 9 * run.summary.gang_timeouts, `idle ${idleSeconds} GPU-s for ${run.summary.gang_timeouts} timeouts`);
  assert.ok(idleSeconds <= 10.01 * (run.summary.gang_timeouts + 1), `idle ${idleSeconds} GPU-s`);
  assert.is(run.summary.pods_pending_end, 3);
});

test('a waiting pod holds its resources: a lone GPU pod cannot use them until the gang is rejected', () => {
  // PostFilter disabled: w0, w1 hold both GPUs at Permit; the lone pod (no group, created at 3 s) fits only once
  // the wait has timed out (5 s after w0 began waiting, ~2 s) and released them. It has a higher priority, so the
  // queue sort puts it before the gang's pods when they all come back.
  const lone = `  - manifest: {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: urgent}, value: 1000}
  - at: 3s
    manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: lone, annotations: {kubesim.io/run-duration: 10m}}
      spec:
        priorityClassName: urgent
        restartPolicy: Never
        containers: [{name: c, image: img, resources: {requests: {cpu: "1", nvidia.com/gpu: "2"}, limits: {nvidia.com/gpu: "2"}}}]
`;
  const { bound } = bindings(scenarioFrom(gangScenario(2, 3, 3, NO_POSTFILTER, lone)));
  const t = bound.get('lone');
  assert.ok(t !== undefined, 'the lone pod runs once the gang let go');
  assert.ok(t >= 7 * S, `bound at ${t} µs, after the Permit timeout (≥ 7 s)`);
  assert.is(bound.size, 1, 'the gang never binds: the lone pod now holds the GPUs');
});

test('PostFilter rejects the group at once when one of its pods does not fit (no timeout needed)', () => {
  const { run, bound } = bindings(scenarioFrom(gangScenario(2, 3, 3, PROFILE)));
  assert.is(bound.size, 0);
  assert.is(run.summary.gang_timeouts, 0, 'rejected by PostFilter, not by the timeout');
});

test('a pod naming a PodGroup that does not exist is Unschedulable at Permit and never bound', () => {
  const s = scenarioFrom(gangScenario(4, 1, 1, PROFILE).replace('metadata: {name: train}', 'metadata: {name: other}'));
  const { run, bound } = bindings(s);
  assert.is(bound.size, 0);
  assert.is(run.summary.pods_pending_end, 1);
});

test('a run without Coscheduling leaves the gang columns empty', () => {
  const s = scenarioFrom(gangScenario(4, 3, 3, PROFILE).replace(/policies:[\s\S]*$/, 'policies:\n  - name: default\n'));
  const r = runOnce(s, s.policies[0], 1);
  assert.ok(Number.isNaN(r.summary.gang_gpu_hours_idle) && Number.isNaN(r.summary.gang_timeouts));
  assert.is(r.summary.pods_succeeded, 3, 'the labels alone change nothing');
});

test('rendezvous: a worker starts its work only when all its peers have started; a leaver no longer counts', () => {
  const rv = new Rendezvous();
  const started: string[] = [];
  const w = (name: string): Pod => {
    const p = makePod(name, makeSpec([{}]));
    return { ...p, metadata: { ...p.metadata, ownerReferences: [{ kind: 'Job', name: 'train', uid: 'u', controller: true }] } };
  };
  rv.join(w('a'), 'a', 3, () => started.push('a'));
  rv.join(w('b'), 'b', 3, () => started.push('b'));
  rv.leave('b');
  rv.join(w('c'), 'c', 3, () => started.push('c'));
  assert.equal(started, [], 'two of three present');
  assert.is(rv.blocked, 2);
  rv.join(w('d'), 'd', 3, () => started.push('d'));
  assert.equal(started, ['a', 'c', 'd']);
  rv.join(w('e'), 'e', 3, () => started.push('e'));
  assert.equal(started, ['a', 'c', 'd', 'e'], 'a complete rendezvous admits late joiners at once');
});

test('bundled gang-scheduling.yaml: default deadlocks on partial allocations, Coscheduling completes both jobs', () => {
  const s = loadScenario(join(REPO, 'scenarios', 'gang-scheduling.yaml')).scenario;
  const [def, gang] = s.policies;
  const d = runOnce(s, def, s.seed);
  const g = runOnce(s, gang, s.seed);
  assert.is(d.summary.pods_succeeded, 0, 'neither job completes');
  assert.is(d.summary.pods_running, 8, 'the 16 GPUs are held by workers of both jobs');
  assert.is(d.summary.pods_pending_end, 4);
  assert.is(g.summary.pods_succeeded, 12, 'train-a, then train-b');
  assert.is(g.summary.pods_pending_end, 0);
  assert.ok(Number.isNaN(d.summary.gang_gpu_hours_idle));
  assert.ok(g.summary.gang_gpu_hours_idle >= 0);
});

test('loading warns about Coscheduling with PostFilter and no podGroupBackoffSeconds (back-to-back retries), not with a backoff', () => {
  const [f] = parseYamlDocuments(gangScenario(4, 3, 3, PROFILE), 'test.yaml');
  const warned = parseScenario(f, '/tmp/test.yaml').warnings.filter((w) => w.includes('podGroupBackoffSeconds'));
  assert.is(warned.length, 1);
  assert.match(warned[0], 'runs Coscheduling without podGroupBackoffSeconds');
  const backoff = `${PROFILE}          pluginConfig: [{name: Coscheduling, args: {podGroupBackoffSeconds: 10}}]\n`;
  const [g] = parseYamlDocuments(gangScenario(4, 3, 3, backoff), 'test.yaml');
  assert.equal(
    parseScenario(g, '/tmp/test.yaml').warnings.filter((w) => w.includes('podGroupBackoffSeconds')),
    [],
  );
  // Without PostFilter the group is not rejected and retried: no warning.
  const [h] = parseYamlDocuments(gangScenario(4, 3, 3, NO_POSTFILTER), 'test.yaml');
  assert.equal(
    parseScenario(h, '/tmp/test.yaml').warnings.filter((w) => w.includes('podGroupBackoffSeconds')),
    [],
  );
});

test.run();
