/**
 * StatefulSet, mirroring pkg/controller/statefulset/stateful_set_control_test.go (ScalesUp / ScalesDown with
 * OrderedReady and Parallel, CreatesPodsWithPodManagementPolicy, ReplacesPods) and stateful_set_utils_test.go
 * (TestGetOrdinal): stable names <set>-<ordinal>, OrderedReady creates the next pod only when the previous is
 * Running and Ready, Parallel creates them all at once, scale-down removes the highest ordinal first, a deleted
 * pod is recreated under its name; volumeClaimTemplates: test/storage.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject, Pod, StatefulSet } from '../engine/api/objects.js';
import { ordinalOf, POD_INDEX_LABEL, POD_NAME_LABEL } from '../engine/controllers/statefulset.js';
import { runOnce, type RunResult } from '../engine/run.js';
import type { Scenario } from '../engine/scenario/types.js';
import { expectInputError, scenarioFrom } from './helpers.js';

const S = 1_000_000;

function sts(replicas: number, policy = 'OrderedReady', at = '0s', extra = ''): string {
  return `  - at: ${at}
    manifest:
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: ${replicas}
        serviceName: db
        podManagementPolicy: ${policy}
        selector: {matchLabels: {app: db}}
${extra}        template:
          metadata: {labels: {app: db}}
          spec: {containers: [{name: c, image: postgres, resources: {requests: {cpu: 500m, memory: 1Gi}}}]}`;
}

function scenario(workloads: string, duration = '3m', params = ''): Scenario {
  return scenarioFrom(`
name: sts
duration: ${duration}
cluster:
  nodePools:
    - {name: n, count: 3, template: {cpu: "4", memory: 16Gi}}
workloads:
${workloads}
${params}
`);
}

interface Change {
  readonly t: number;
  readonly type: string;
  readonly obj: KubeObject;
}

function run(s: Scenario): { r: RunResult; log: Change[] } {
  const log: Change[] = [];
  const r = runOnce(s, s.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  return { r, log };
}

const podLog = (log: Change[]): { t: number; type: string; pod: Pod }[] =>
  log.filter((c) => c.obj.kind === 'Pod').map((c) => ({ t: c.t, type: c.type, pod: c.obj as Pod }));
const createdAt = (log: Change[], name: string): number =>
  podLog(log).find((c) => c.type === 'ADDED' && c.pod.metadata.name === name)?.t ?? -1;
const readyAt = (log: Change[], name: string): number =>
  podLog(log).find((c) => c.pod.metadata.name === name && c.pod.status.ready)?.t ?? -1;
const deletedAt = (log: Change[], name: string): number =>
  podLog(log).find((c) => c.type === 'DELETED' && c.pod.metadata.name === name)?.t ?? -1;

test('getOrdinal', () => {
  assert.is(ordinalOf('db', 'db-0'), 0);
  assert.is(ordinalOf('db', 'db-12'), 12);
  assert.is(ordinalOf('db', 'db-x'), -1);
  assert.is(ordinalOf('db', 'db-01'), -1);
  assert.is(ordinalOf('db', 'web-1'), -1);
});

test('OrderedReady: stable names, each pod created only once the previous one is Running and Ready', () => {
  // A 2 s readiness delay makes the wait visible.
  const { r, log } = run(scenario(sts(4), '3m', 'parameters:\n  kubelet: {readinessDelay: 2s}'));
  const names = r.store.pods.map((p) => p.metadata.name).sort();
  assert.equal(names, ['db-0', 'db-1', 'db-2', 'db-3']);
  for (const p of r.store.pods) {
    assert.is(p.metadata.labels[POD_NAME_LABEL], p.metadata.name);
    assert.is(p.metadata.labels[POD_INDEX_LABEL], p.metadata.name.slice(3));
    assert.ok(p.status.ready);
  }
  for (let i = 1; i < 4; i++) {
    const ready = readyAt(log, `db-${i - 1}`);
    assert.ok(
      ready > 0 && createdAt(log, `db-${i}`) > ready,
      `db-${i} created at ${createdAt(log, `db-${i}`)} after db-${i - 1} ready at ${ready}`,
    );
  }
  const status = log
    .filter((c) => c.obj.kind === 'StatefulSet')
    .map((c) => c.obj as StatefulSet)
    .at(-1)?.status;
  assert.equal(status, { replicas: 4, readyReplicas: 4 });
});

test('Parallel: every pod created without waiting for the others to be ready', () => {
  const { r, log } = run(scenario(sts(4, 'Parallel'), '3m', 'parameters:\n  kubelet: {readinessDelay: 2s}'));
  assert.is(r.store.pods.length, 4);
  const firstReady = Math.min(...[0, 1, 2, 3].map((i) => readyAt(log, `db-${i}`)));
  for (let i = 0; i < 4; i++) assert.ok(createdAt(log, `db-${i}`) < firstReady, `db-${i} created before any pod is ready`);
});

test('scale-down removes the highest ordinal first; OrderedReady one at a time, each after the previous is gone', () => {
  const { r, log } = run(scenario(sts(4) + '\n' + sts(1, 'OrderedReady', '60s'), '4m'));
  assert.equal(
    r.store.pods.map((p) => p.metadata.name),
    ['db-0'],
  );
  const d3 = deletedAt(log, 'db-3');
  const d2 = deletedAt(log, 'db-2');
  const d1 = deletedAt(log, 'db-1');
  assert.ok(d3 > 60 * S && d3 < d2 && d2 < d1, `deleted at ${d3}, ${d2}, ${d1}`);
  // Graceful deletion takes the 30 s grace period; the next deletion only starts after the pod is gone.
  const marked2 = podLog(log).find((c) => c.pod.metadata.name === 'db-2' && c.pod.metadata.deletionTimestamp !== undefined)?.t ?? -1;
  assert.ok(marked2 >= d3, `db-2 marked for deletion at ${marked2}, after db-3 was gone at ${d3}`);
});

test('Parallel scale-down deletes every condemned pod at once', () => {
  const { log } = run(scenario(sts(4, 'Parallel') + '\n' + sts(1, 'Parallel', '60s'), '4m'));
  const marks = [1, 2, 3].map(
    (i) => podLog(log).find((c) => c.pod.metadata.name === `db-${i}` && c.pod.metadata.deletionTimestamp !== undefined)?.t ?? -1,
  );
  for (const m of marks) assert.ok(m > 60 * S && m < 61 * S, `marked at ${m}`);
});

test('a pod deleted by a drain is recreated under the same name on another node', () => {
  // The autoscaler drains the under-used nodes one at a time (Eviction): each StatefulSet pod it deletes comes
  // back with its name on a node that stays.
  const s = scenarioFrom(`
name: sts-drain
duration: 20m
cluster:
  nodePools:
    - {name: g, count: 3, autoscaling: {min: 1, max: 3}, template: {cpu: "4", memory: 16Gi}}
workloads:
${sts(2, 'Parallel')}
parameters:
  clusterAutoscaler: {provisioningDelay: 30s}
`);
  const { r, log } = run(s);
  assert.equal(r.store.pods.map((p) => p.metadata.name).sort(), ['db-0', 'db-1']);
  const nodes = r.store.nodes.map((n) => n.metadata.name);
  for (const p of r.store.pods) assert.ok(nodes.includes(p.spec.nodeName) && p.status.ready, `${p.metadata.name} runs on a remaining node`);
  const recreated = ['db-0', 'db-1'].filter((n) => podLog(log).filter((c) => c.type === 'ADDED' && c.pod.metadata.name === n).length === 2);
  assert.ok(recreated.length >= 1, 'a drained pod came back under its name');
  const name = recreated[0];
  assert.ok(podLog(log).filter((c) => c.type === 'ADDED' && c.pod.metadata.name === name)[1].t > deletedAt(log, name));
  // Both incarnations are kept by the metrics recorder.
  assert.is([...r.recorder.pods.values()].filter((p) => p.key === `Pod/default/${name}`).length, 2);
});

test('manifest rules: claim templates need a storage request, whenScaled Delete refused; minReadySeconds refused; template changes on re-apply refused', () => {
  const claims = `        volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {cpu: "1"}}}
`;
  const e = expectInputError(() => scenario(sts(2, 'OrderedReady', '0s', claims)));
  assert.is(e.path, 'workloads[0].manifest.spec.volumeClaimTemplates[0].spec.resources.requests');
  assert.match(e.message, /storage/);
  const e1 = expectInputError(() =>
    scenario(sts(2, 'OrderedReady', '0s', '        persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}\n')),
  );
  assert.match(e1.message, /whenScaled: Delete is not modeled/);
  const e2 = expectInputError(() => scenario(sts(2, 'OrderedReady', '0s', '        minReadySeconds: 10\n')));
  assert.match(e2.message, /minReadySeconds/);
  const e3 = expectInputError(() => scenario(sts(2) + '\n' + sts(2, 'Parallel', '10s')));
  assert.match(e3.message, /other than spec\.replicas/);
  const e4 = expectInputError(() => scenario(sts(2, 'Sometimes')));
  assert.match(e4.message, /podManagementPolicy/);
});

test('ordinals.start names the pods from that ordinal', () => {
  const { r } = run(scenario(sts(2, 'Parallel', '0s', '        ordinals: {start: 5}\n')));
  assert.equal(r.store.pods.map((p) => p.metadata.name).sort(), ['db-5', 'db-6']);
});

test.run();
