/**
 * Pod fields honoured through the whole control plane: schedulingGates (the SchedulingGates PreEnqueue plugin,
 * the API server's SchedulingGated condition, gate removal by the kubesim.io/remove-scheduling-gates-after
 * stand-in controller).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject, Pod } from '../engine/api/objects.js';
import { runOnce } from '../engine/run.js';
import { probedReadyTime } from '../engine/node/kubelet.js';
import { makeSpec } from './helpers.js';
import { expectInputError, scenarioFrom } from './helpers.js';

const S = 1_000_000;

function run(workloads: string, params = ''): { log: { t: number; type: string; obj: KubeObject }[]; pods: readonly Pod[] } {
  const s = scenarioFrom(`
name: fields
duration: 2m
cluster:
  nodePools: [{name: n, count: 2, template: {cpu: "8", memory: 16Gi}}]
${params}
workloads:
${workloads}`);
  const log: { t: number; type: string; obj: KubeObject }[] = [];
  const r = runOnce(s, s.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  return { log, pods: r.store.pods };
}

const boundAt = (log: { t: number; obj: KubeObject }[], name: string): number =>
  log.find((c) => c.obj.kind === 'Pod' && c.obj.metadata.name === name && c.obj.spec.nodeName !== '')?.t ?? -1;

test('schedulingGates: a gated pod stays SchedulingGated and unscheduled; the annotation lifts the gates at creation + delay', () => {
  const { log, pods } = run(`
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: gated}
      spec:
        schedulingGates: [{name: example.com/quota}]
        containers: [{name: c, image: i}]
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: lifted, annotations: {kubesim.io/remove-scheduling-gates-after: 30s}}
      spec:
        schedulingGates: [{name: example.com/quota}, {name: example.com/gpu}]
        containers: [{name: c, image: i}]
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: plain}
      spec: {containers: [{name: c, image: i}]}`);
  const gated = pods.find((p) => p.metadata.name === 'gated')!;
  assert.is(gated.spec.nodeName, '');
  assert.is(gated.status.schedulingGated, true, 'PodScheduled=False reason SchedulingGated');
  assert.ok(boundAt(log, 'plain') > 0 && boundAt(log, 'plain') < S);
  const lifted = boundAt(log, 'lifted');
  assert.ok(lifted > 30 * S && lifted < 31 * S, `bound at ${lifted}`);
  const liftedPod = pods.find((p) => p.metadata.name === 'lifted')!;
  assert.is(liftedPod.spec.schedulingGates, undefined);
  assert.not.ok(liftedPod.status.schedulingGated, 'the condition is cleared when the pod is scheduled');
  assert.is(liftedPod.status.phase, 'Running');
});

test('schedulingGates on a Deployment template: every replica waits for its own gate removal', () => {
  const { log } = run(`
  - at: 5s
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}, annotations: {kubesim.io/remove-scheduling-gates-after: 10s}}
          spec:
            schedulingGates: [{name: example.com/admit}]
            containers: [{name: c, image: i}]`);
  const binds = log.filter(
    (c) =>
      c.obj.kind === 'Pod' &&
      c.type === 'MODIFIED' &&
      c.obj.spec.nodeName !== '' &&
      c.obj.status.phase === 'Pending' &&
      c.obj.metadata.labels.app === 'web',
  );
  const first = new Map<string, number>();
  for (const b of binds) if (!first.has(b.obj.metadata.name)) first.set(b.obj.metadata.name, b.t);
  assert.is(first.size, 3);
  for (const t of first.values()) assert.ok(t > 15 * S && t < 16 * S, `bound at ${t}`);
});

test('schedulingGates and the gate annotation are validated', () => {
  const pod = (meta: string, spec: string): string => `
name: x
cluster: {nodePools: [{name: n, count: 1, template: {cpu: "1", memory: 1Gi}}]}
workloads:
  - manifest: {apiVersion: v1, kind: Pod, metadata: {name: p${meta}}, spec: {${spec}containers: [{name: c, image: i}]}}
`;
  assert.match(
    expectInputError(() => scenarioFrom(pod('', 'schedulingGates: [{name: a}, {name: a}], '))).detail,
    'duplicate scheduling gate "a"',
  );
  assert.match(
    expectInputError(() => scenarioFrom(pod('', 'schedulingGates: [{name: "bad gate"}], '))).detail,
    'invalid scheduling gate name',
  );
  const noGates = expectInputError(() => scenarioFrom(pod(', annotations: {kubesim.io/remove-scheduling-gates-after: 5s}', '')));
  assert.match(noGates.detail, 'the pod has no spec.schedulingGates to remove');
  assert.match(noGates.path, 'metadata.annotations');
  assert.match(
    expectInputError(() =>
      scenarioFrom(pod(', annotations: {kubesim.io/remove-scheduling-gates-after: soon}', 'schedulingGates: [{name: a}], ')),
    ).detail,
    'expected a duration',
  );
});

const JOB = (spec: string): string => `
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: batch}
      spec:
        ${spec}
        completions: 4
        parallelism: 2
        template:
          metadata: {annotations: {kubesim.io/run-duration: 20s}}
          spec: {restartPolicy: Never, containers: [{name: c, image: i, resources: {requests: {cpu: 100m}}}]}`;

const jobPods = (log: { obj: KubeObject }[]): Set<string> =>
  new Set(log.filter((c) => c.obj.kind === 'Pod' && c.obj.metadata.labels['job-name'] === 'batch').map((c) => c.obj.metadata.name));

test('Job suspend: no pod while suspended; applying suspend: false starts it, and it completes', () => {
  const suspended = run(JOB('suspend: true'));
  assert.is(jobPods(suspended.log).size, 0, 'a suspended Job creates no pod');
  const resumed = run(`${JOB('suspend: true')}\n    at: 0s\n${JOB('suspend: false').replace('- manifest:', '- at: 30s\n    manifest:')}`);
  const pods = resumed.log.filter((c) => c.obj.kind === 'Pod' && c.obj.metadata.labels['job-name'] === 'batch');
  assert.ok(pods.length > 0 && pods.every((c) => c.t > 30 * S), 'pods only after the resume at 30 s');
  const job = resumed.log.filter((c) => c.obj.kind === 'Job').pop()!.obj;
  assert.is(job.kind === 'Job' && job.status.finished?.type, 'Complete');
});

test('Job activeDeadlineSeconds: the Job fails with DeadlineExceeded and its active pods are deleted', () => {
  const { log } = run(JOB('activeDeadlineSeconds: 30'));
  const jobs = log.filter((c) => c.obj.kind === 'Job');
  const failed = jobs.find((c) => c.obj.kind === 'Job' && c.obj.status.finished !== undefined)!;
  assert.ok(
    failed.obj.kind === 'Job' && failed.obj.status.finished?.type === 'Failed' && failed.obj.status.finished.reason === 'DeadlineExceeded',
  );
  assert.ok(failed.t >= 30 * S && failed.t < 31 * S, `failed at ${failed.t}`);
  // 2 pods of 20 s, then 2 more at ~21 s that are still running at 30 s: deleted.
  const deleted = log.filter((c) => c.obj.kind === 'Pod' && c.obj.metadata.deletionTimestamp !== undefined && c.type === 'MODIFIED');
  assert.ok(deleted.length >= 2, `${deleted.length} pods marked for deletion`);
  assert.is(jobPods(log).size, 4);
});

test('Deployment paused: a paused Deployment creates no ReplicaSet; unpaused later, it rolls out', () => {
  const deploy = (paused: boolean, at: string): string => `
  - at: ${at}
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        paused: ${paused}
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: i}]}`;
  const paused = run(deploy(true, '0s'));
  assert.is(paused.log.filter((c) => c.obj.kind === 'ReplicaSet').length, 0);
  assert.is(paused.pods.length, 0);
  const resumed = run(deploy(true, '0s') + deploy(false, '20s'));
  const web = resumed.pods.filter((p) => p.metadata.labels.app === 'web');
  assert.is(web.length, 3);
  assert.ok(resumed.log.filter((c) => c.obj.kind === 'ReplicaSet').every((c) => c.t > 20 * S));
});

test('probedReadyTime: probe ticks every period from admission, counted once noticed and past initialDelaySeconds', () => {
  const c = makeSpec([{}]).containers[0];
  const probe = (initialDelaySeconds: number, periodSeconds = 10, successThreshold = 1) => ({
    initialDelaySeconds,
    periodSeconds,
    successThreshold,
  });
  // Admitted at 1 s, started at 3.2 s, noticed at 3.9 s; ticks at 1, 11, 21, … s.
  assert.is(
    probedReadyTime([{ ...c, readinessProbe: probe(0) }], [3.2 * S], 3.9 * S, 1 * S),
    11 * S,
    'first tick after PLEG noticed the container',
  );
  assert.is(
    probedReadyTime([{ ...c, readinessProbe: probe(60) }], [3.2 * S], 3.9 * S, 1 * S),
    71 * S,
    'first tick with int(since start) ≥ 60 s: 71 s (63.2 s is not a tick)',
  );
  assert.is(
    probedReadyTime([{ ...c, readinessProbe: probe(60, 10, 3) }], [3.2 * S], 3.9 * S, 1 * S),
    91 * S,
    'successThreshold 3: two more periods',
  );
  // Startup probe (period 5: ticks 1, 6, 11, 16, 21, 26 s) succeeds at 26 s (≥ 3.2 + 20); readiness (period 10) is counted from then: 31 s.
  assert.is(probedReadyTime([{ ...c, startupProbe: probe(20, 5), readinessProbe: probe(0) }], [3.2 * S], 3.9 * S, 1 * S), 31 * S);
  // No probe on a second container: it is ready once noticed; the pod waits for the probed one.
  assert.is(probedReadyTime([c, { ...c, readinessProbe: probe(5, 2) }], [3 * S, 3.2 * S], 3.9 * S, 1 * S), 9 * S);
});

test('a readinessProbe with initialDelaySeconds: 60 makes the pod Running soon but Ready only after 60 s', () => {
  const { log, pods } = run(`
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: slow}
      spec:
        containers:
        - name: c
          image: i
          readinessProbe: {httpGet: {path: /healthz, port: 8080}, initialDelaySeconds: 60, periodSeconds: 5}`);
  const running = log.find((c) => c.obj.kind === 'Pod' && c.obj.status.phase === 'Running')!;
  const ready = log.find((c) => c.obj.kind === 'Pod' && c.obj.status.ready)!;
  assert.ok(running.t < 10 * S, `Running at ${running.t}`);
  assert.not.ok(running.obj.kind === 'Pod' && running.obj.status.ready);
  const startTime = ready.obj.kind === 'Pod' ? (ready.obj.status.startTime ?? 0) : 0;
  assert.ok(ready.t >= startTime + 60 * S && ready.t < startTime + 66 * S, `Ready at ${ready.t}, started at ${startTime}`);
  assert.ok(pods[0].status.ready);
});

test('init containers run to completion one after another before the app containers (kubesim.io/init-run-duration)', () => {
  const { log } = run(`
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
        annotations: {kubesim.io/init-run-duration: 10s, kubesim.io/init-run-duration.migrate: 20s}
      spec:
        initContainers: [{name: wait, image: i}, {name: migrate, image: i}, {name: proxy, image: i, restartPolicy: Always}]
        containers: [{name: c, image: i}]
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: q}
      spec:
        initContainers: [{name: wait, image: i}]
        containers: [{name: c, image: i}]`);
  const running = (name: string): number =>
    log.find((c) => c.obj.kind === 'Pod' && c.obj.metadata.name === name && c.obj.status.phase === 'Running')?.t ?? -1;
  const bound = boundAt(log, 'p');
  // 10 s + 20 s of init runs, each followed by up to one PLEG relist (1 s), plus pulls and starts (< 10 s).
  assert.ok(running('p') > bound + 30 * S && running('p') < bound + 42 * S, `p Running at ${running('p')}, bound at ${bound}`);
  // Without the annotation an init container exits at once: q runs within seconds.
  assert.ok(running('q') > 0 && running('q') < boundAt(log, 'q') + 12 * S);
  const bad = (ann: string): string =>
    expectInputError(() =>
      run(`
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: p, annotations: {${ann}}}
      spec: {initContainers: [{name: wait, image: i}], containers: [{name: c, image: i}]}`),
    ).detail;
  assert.match(bad('kubesim.io/init-run-duration.nope: 1s'), 'no init container "nope"; expected one of wait');
  assert.match(bad('kubesim.io/init-run-duration: later'), 'expected a duration');
});

test("imagePullPolicy: IfNotPresent uses the node's image, Always checks the registry even when cached, Never fails with ErrImageNeverPull", () => {
  const s = scenarioFrom(`
name: pull
duration: 1m
cluster:
  nodePools:
    - name: n
      count: 1
      node:
        apiVersion: v1
        kind: Node
        metadata: {name: n}
        status:
          allocatable: {cpu: "8", memory: 16Gi, pods: "110"}
          images: [{names: ["cached:1"], sizeBytes: 1000000}]
parameters: {kubelet: {pullLatency: 5s}}
workloads:
${['IfNotPresent', 'Always', 'Never']
  .map(
    (policy) => `
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: ${policy.toLowerCase()}}
      spec: {containers: [{name: c, image: "cached:1", imagePullPolicy: ${policy}}]}`,
  )
  .join('')}
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: absent}
      spec: {containers: [{name: c, image: "elsewhere:1", imagePullPolicy: Never}]}`);
  const log: { t: number; obj: KubeObject }[] = [];
  const r = runOnce(s, s.policies[0], 1, { observe: (t, _type, obj) => log.push({ t, obj }) });
  const running = (name: string): number =>
    log.find((c) => c.obj.kind === 'Pod' && c.obj.metadata.name === name && c.obj.status.phase === 'Running')?.t ?? -1;
  // The cached image is used: running within the bind and start path, sooner than the registry's 5 s round trip.
  assert.ok(
    running('ifnotpresent') > 0 && running('ifnotpresent') < boundAt(log, 'ifnotpresent') + 5 * S,
    `IfNotPresent running at ${running('ifnotpresent')}`,
  );
  assert.ok(running('never') > 0 && running('never') < boundAt(log, 'never') + 5 * S, 'Never with the image on the node starts');
  assert.ok(
    running('always') > boundAt(log, 'always') + 5 * S,
    `Always waits for the 5 s registry round trip: running at ${running('always')}, bound at ${boundAt(log, 'always')}`,
  );
  const absent = r.store.pods.find((p) => p.metadata.name === 'absent')!;
  assert.is(absent.spec.nodeName, 'n-0');
  assert.equal([absent.status.phase, absent.status.reason], ['Pending', 'ErrImageNeverPull']);
});

test('Indexed Job: one pod per completion index, named <job>-<index>-<suffix> with the index annotation; complete when every index succeeded', () => {
  const { log } = run(`
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: idx}
      spec:
        completionMode: Indexed
        completions: 5
        parallelism: 2
        template:
          metadata: {annotations: {kubesim.io/run-duration: 5s}}
          spec: {restartPolicy: Never, containers: [{name: c, image: i}]}`);
  const pods = new Map<string, Pod>();
  for (const c of log) if (c.obj.kind === 'Pod') pods.set(c.obj.metadata.name, c.obj);
  const indexes = [...pods.values()].map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']).sort();
  assert.equal(indexes, ['0', '1', '2', '3', '4']);
  for (const p of pods.values()) {
    const i = p.metadata.annotations['batch.kubernetes.io/job-completion-index'];
    assert.match(p.metadata.name, new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
    assert.is(p.metadata.labels['batch.kubernetes.io/job-completion-index'], i);
  }
  // Indexes 0 and 1 first (parallelism 2), lowest pending index next.
  const created = log
    .filter((c) => c.obj.kind === 'Pod' && c.type === 'ADDED')
    .map((c) => (c.obj as Pod).metadata.annotations['batch.kubernetes.io/job-completion-index']);
  assert.equal(created.slice(0, 2).sort(), ['0', '1']);
  const job = log.filter((c) => c.obj.kind === 'Job').pop()!.obj;
  assert.ok(job.kind === 'Job' && job.status.finished?.type === 'Complete' && job.status.succeeded === 5);
  assert.match(
    expectInputError(() =>
      run(`
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: idx}
      spec: {completionMode: Indexed, parallelism: 2, template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}`),
    ).detail,
    'required when completionMode is Indexed',
  );
});

test('Deployment minReadySeconds: pods count as available only minReadySeconds after they became Ready', () => {
  const { log } = run(`
  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        minReadySeconds: 20
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: i}]}`);
  const sets = log.filter((c) => c.obj.kind === 'ReplicaSet');
  assert.ok(
    sets.every((c) => c.obj.kind === 'ReplicaSet' && c.obj.spec.minReadySeconds === 20),
    'the ReplicaSet carries minReadySeconds',
  );
  const readyTimes = log.filter((c) => c.obj.kind === 'Pod' && c.obj.status.ready).map((c) => (c.obj as Pod).status.readyTime ?? 0);
  const lastReady = Math.max(...readyTimes);
  const bothReady = sets.find((c) => c.obj.kind === 'ReplicaSet' && c.obj.status.readyReplicas === 2)!;
  assert.is(bothReady.obj.kind === 'ReplicaSet' && bothReady.obj.status.availableReplicas, 0, 'ready but not yet available');
  const available = sets.find((c) => c.obj.kind === 'ReplicaSet' && c.obj.status.availableReplicas === 2)!;
  assert.ok(
    available.t >= lastReady + 20 * S && available.t < lastReady + 21 * S,
    `available at ${available.t}, last Ready at ${lastReady}`,
  );
});

test('imagePullPolicy defaults as SetDefaults_Container: Always for :latest and untagged images without a digest, else IfNotPresent', () => {
  const sc = scenarioFrom(`
name: pull-defaults
duration: 1s
cluster:
  nodePools: [{name: n, count: 1, template: {cpu: "8", memory: 16Gi}}]
workloads:
  - kubectl: kubectl run k-untagged --image=nginx
  - kubectl: kubectl run k-tagged --image=nginx:1.27
  - kubectl: kubectl run k-explicit --image=nginx --image-pull-policy=IfNotPresent
  - kubectl: kubectl run k-never --image=nginx:1.27 --image-pull-policy=Never
  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: m}
      spec:
        containers:
          - {name: untagged, image: registry.local:5000/team/app}
          - {name: latest, image: app:latest}
          - {name: tagged, image: app:2}
          - {name: digest, image: "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
          - {name: explicit, image: app, imagePullPolicy: IfNotPresent}
`);
  const policy = (name: string, container = 0): string => {
    const o = sc.objects.find((t) => t.object.kind === 'Pod' && t.object.metadata.name === name)?.object as Pod;
    return o.spec.containers[container].imagePullPolicy ?? 'IfNotPresent';
  };
  assert.equal(
    ['k-untagged', 'k-tagged', 'k-explicit', 'k-never'].map((n) => policy(n)),
    ['Always', 'IfNotPresent', 'IfNotPresent', 'Never'],
  );
  assert.equal(
    [0, 1, 2, 3, 4].map((i) => policy('m', i)),
    ['Always', 'Always', 'IfNotPresent', 'IfNotPresent', 'IfNotPresent'],
  );
});

test.run();
