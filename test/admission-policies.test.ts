/**
 * LimitRange defaults and ResourceQuota admission, after plugin/pkg/admission/limitranger/admission_test.go
 * (TestMergePodResourceRequirements, TestPodLimitFunc: defaults for unset values only, min/max refusals) and
 * plugin/pkg/admission/resourcequota/admission_test.go (TestAdmitExceedQuotaLimit, TestAdmitBelowQuotaLimit,
 * TestAdmitRequireResourcesSpecified); whole runs: a refused create is a 403 that the ReplicaSet and Job
 * controllers retry with their rate-limited backoff until the quota has room.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyLimitRanges, isRefusal, podUsage, quotaRefusal } from '../engine/api/admission-policies.js';
import type { Job, KubeObject, LimitRange, Pod, ResourceQuota } from '../engine/api/objects.js';
import { runOnce, type RunResult } from '../engine/run.js';
import { parseManifests } from '../engine/scenario/manifests.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { expectInputError, makePod, makeSpec, scenarioFrom } from './helpers.js';

const S = 1_000_000;
const Mi = 2 ** 20;

function parse<T>(text: string): T {
  const [f] = parseYamlDocuments(text, 'policy.yaml');
  return parseManifests(f)[0] as T;
}

const range = (item: string): LimitRange =>
  parse(`apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr}\nspec:\n  limits:\n  - ${item}\n`);
const quota = (hard: string): ResourceQuota => parse(`apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard: ${hard}\n`);

test('LimitRange defaults: default limit from max, default request from the default limit (SetDefaults_LimitRangeItem)', () => {
  const lr = range('{type: Container, max: {cpu: "2"}, default: {memory: 512Mi}, defaultRequest: {cpu: 250m}}');
  assert.equal(lr.spec.limits[0].default, { memory: 512 * Mi, cpu: 2000 });
  assert.equal(lr.spec.limits[0].defaultRequest, { cpu: 250, memory: 512 * Mi });
  assert.match(expectInputError(() => range('{type: Pod, max: {cpu: "2"}}')).message, /only type Container/);
  assert.match(expectInputError(() => range('{type: Container, max: {cpu: "1"}, default: {cpu: "2"}}')).message, /must not exceed the max/);
});

test('LimitRanger: only unset requests and limits are defaulted; min and max refuse', () => {
  const lr = range(
    '{type: Container, default: {cpu: "1", memory: 1Gi}, defaultRequest: {cpu: 500m, memory: 256Mi}, min: {cpu: 100m}, max: {cpu: "2"}}',
  );
  const pod = makePod('p', makeSpec([{ cpu: 300 }]));
  const out = applyLimitRanges(pod, [lr]);
  if (isRefusal(out)) return assert.unreachable(out.message);
  assert.equal(out.spec.containers[0].requests, { cpu: 300, memory: 256 * Mi });
  assert.equal(out.spec.containers[0].limits, { cpu: 1000, memory: 1024 * Mi });
  const small = applyLimitRanges(makePod('p', makeSpec([{ cpu: 50 }])), [lr]);
  assert.ok(isRefusal(small) && /minimum cpu usage per Container is 100, but request is 50/.test(small.message));
  const big = { ...pod, spec: { ...pod.spec, containers: [{ ...pod.spec.containers[0], limits: { cpu: 3000 } }] } };
  const r = applyLimitRanges(big, [lr]);
  assert.ok(isRefusal(r) && /maximum cpu usage per Container is 2000, but limit is 3000/.test(r.message));
});

test('ResourceQuota: usage within hard admitted, beyond refused; a quota on requests needs every container to set them', () => {
  const q = quota('{pods: "3", requests.cpu: "2", limits.memory: 2Gi}');
  assert.equal(q.spec.hard, { pods: 3, 'requests.cpu': 2000, 'limits.memory': 2048 * Mi });
  const pod = (cpu: number): Pod => {
    const p = makePod('p', makeSpec([{ cpu }]));
    return { ...p, spec: { ...p.spec, containers: [{ ...p.spec.containers[0], limits: { memory: 512 * Mi } }] } };
  };
  assert.is(quotaRefusal(pod(500), [q], { pods: 2, 'requests.cpu': 1500, 'limits.memory': 1024 * Mi }), null);
  assert.match(
    quotaRefusal(pod(600), [q], { pods: 2, 'requests.cpu': 1500 })?.message ?? '',
    /exceeded quota: q, requested: requests.cpu=600, used: requests.cpu=1500, limited: requests.cpu=2000/,
  );
  assert.match(quotaRefusal(pod(100), [q], { pods: 3 })?.message ?? '', /exceeded quota: q, requested: pods=1/);
  assert.match(quotaRefusal(makePod('p', makeSpec([{ cpu: 100 }])), [q], {})?.message ?? '', /must specify limits.memory/);
  // Usage: the larger of the containers' sum and the largest init container, plus overhead.
  const p = makePod(
    'p',
    makeSpec([{ cpu: 100 }, { cpu: 200 }], {
      initContainers: [{ name: 'i', image: 'x', requests: { cpu: 500 }, limits: {}, ports: [] }],
      overhead: { cpu: 50 },
    }),
  );
  assert.is(podUsage(p)['requests.cpu'], 550);
  assert.match(expectInputError(() => quota('{services: "3"}')).message, /quota on "services" is not modeled/);
});

function run(workloads: string, duration: string): { r: RunResult; log: { t: number; type: string; obj: KubeObject }[] } {
  const s = scenarioFrom(`
name: quota
duration: ${duration}
cluster:
  nodePools:
    - {name: n, count: 2, template: {cpu: "8", memory: 16Gi}}
workloads:
${workloads}
`);
  const log: { t: number; type: string; obj: KubeObject }[] = [];
  const r = runOnce(s, s.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  return { r, log };
}

const QUOTA = (pods: number): string =>
  `  - manifest: {apiVersion: v1, kind: ResourceQuota, metadata: {name: q}, spec: {hard: {pods: "${pods}"}}}`;

test('a Deployment beyond the quota: the ReplicaSet gets 403s and retries with backoff; pods stay at the quota', () => {
  const dep = `  - at: 1s
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 5
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]}`;
  const { r } = run(QUOTA(3) + '\n' + dep, '60s');
  assert.is(r.store.pods.length, 3);
  const creates = r.summary.api_requests;
  assert.ok(creates < 200, `the retries back off (${creates} requests in 60 s)`);
});

test('a Job under a pod quota completes: its pods are created as earlier ones finish (terminal pods do not count)', () => {
  const job = `  - at: 1s
    manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: batch}
      spec:
        completions: 4
        parallelism: 4
        template:
          metadata: {annotations: {kubesim.io/run-duration: 10s}}
          spec: {restartPolicy: Never, containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m}}}]}`;
  const { log } = run(QUOTA(2) + '\n' + job, '120s');
  const last = log.filter((c) => c.obj.kind === 'Job').at(-1)?.obj as Job;
  assert.is(last.status.finished?.type, 'Complete');
  const created = log.filter((c) => c.obj.kind === 'Pod' && c.type === 'ADDED').map((c) => c.t);
  assert.is(created.length, 4);
  // Two at once, the other two only after the first ones finished (~10 s later).
  assert.ok(created[2] > created[0] + 10 * S, `third pod at ${created[2]}`);
});

test('LimitRange defaults reach the pods a controller creates', () => {
  const lr = `  - manifest: {apiVersion: v1, kind: LimitRange, metadata: {name: lr}, spec: {limits: [{type: Container, defaultRequest: {cpu: 300m, memory: 128Mi}}]}}`;
  const dep = `  - at: 1s
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: nginx}]}`;
  const { r } = run(lr + '\n' + dep, '30s');
  assert.is(r.store.pods.length, 2);
  for (const p of r.store.pods) assert.equal(p.spec.containers[0].requests, { cpu: 300, memory: 128 * Mi });
});

test.run();
