/**
 * Graceful pod deletion: the API server's decision (pkg/registry/core/pod/strategy.go CheckGracefulDelete,
 * apiserver registry/rest/delete.go BeforeDelete), the kubelet's kill at the end of the grace period and its final
 * DELETE with grace 0 (pod_workers.go, status_manager.go), and the pod garbage collector's force-deletion of pods
 * bound to deleted nodes after the 40 s quarantine (podgc/gc_controller.go). Times are derived from those rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Client } from '../engine/api/api-server.js';
import { podDeletion } from '../engine/api/graceful-delete.js';
import type { KubeObject, Node, Pod } from '../engine/api/objects.js';
import { PodGarbageCollector } from '../engine/controllers/pod-gc.js';
import { SharedInformer, SharedPodInformer } from '../engine/controllers/shared-informer.js';
import { runOnce } from '../engine/run.js';
import { constantApi, makeNode, makePod, makeSpec, scenarioFrom } from './helpers.js';

const S = 1_000_000;

test('CheckGracefulDelete: unscheduled or finished pods go at once; a bound pod is marked now + grace; only shortened later', () => {
  const pending = makePod('p', makeSpec([{}]));
  assert.is(podDeletion(pending, undefined, 5 * S), 'remove');
  const bound: Pod = { ...pending, spec: { ...pending.spec, nodeName: 'n', terminationGracePeriodSeconds: 30 } };
  const done: Pod = { ...bound, status: { phase: 'Succeeded', ready: false } };
  assert.is(podDeletion(done, undefined, 5 * S), 'remove');
  assert.is(podDeletion(bound, 0, 5 * S), 'remove', 'gracePeriodSeconds 0 = force');
  const marked = podDeletion(bound, undefined, 5 * S) as Pod;
  assert.is(marked.metadata.deletionTimestamp, 35 * S);
  assert.is(marked.metadata.deletionGracePeriodSeconds, 30);
  assert.is(podDeletion(marked, 60, 6 * S), null, 'a longer grace period does not extend the pending one');
  const shorter = podDeletion(marked, 10, 6 * S) as Pod;
  assert.is(shorter.metadata.deletionTimestamp, 16 * S);
  assert.is(shorter.metadata.deletionGracePeriodSeconds, 10);
});

const churn = (grace: string, interval = '10s', exit = '1h') =>
  scenarioFrom(`
name: graceful
duration: 60s
parameters: {kubelet: {sigtermExitTime: ${exit}}}
cluster:
  nodePools: [{name: n, count: 1, template: {cpu: "8", memory: 16Gi}}]
workloads:
  - name: w
    arrival: {type: churn, mode: recreate, number: 1, interval: ${interval}}
    pod: {spec: {${grace}containers: [{name: c, image: i, resources: {requests: {cpu: 100m}}}]}}
`);

test('graceful termination timeline: deletionTimestamp at DELETE, containers that ignore SIGTERM killed at the grace period, final DELETE by the kubelet', () => {
  for (const [grace, seconds] of [
    ['', 30],
    ['terminationGracePeriodSeconds: 5, ', 5],
  ] as const) {
    const s = churn(grace);
    const log: { t: number; type: string; obj: KubeObject }[] = [];
    runOnce(s, s.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
    // Ticks every 10 s: w-0 is created at 0 s, running after its ~3 s image pull and start, and deleted (by the
    // scenario's exempt, unthrottled client) at 10 s.
    const running = log.find((c) => c.obj.kind === 'Pod' && c.obj.metadata.name === 'w-0' && c.obj.status.phase === 'Running');
    assert.ok(running !== undefined && running.t < 10 * S);
    const marked = log.find((c) => c.obj.kind === 'Pod' && c.obj.metadata.name === 'w-0' && c.obj.metadata.deletionTimestamp !== undefined);
    assert.ok(marked !== undefined);
    assert.is(marked.obj.metadata.deletionTimestamp, 10 * S + seconds * S, 'deletionTimestamp = DELETE + grace');
    assert.ok(marked.type === 'MODIFIED' && marked.t < 10.02 * S, 'the DELETE only marks the pod');
    const gone = log.find((c) => c.type === 'DELETED' && c.obj.metadata.name === 'w-0');
    // The kubelet sees the mark a watch delay later (1–5 ms), kills at that + grace, and its DELETE commits a
    // few ms after.
    assert.ok(
      gone !== undefined && gone.t > (10 + seconds) * S && gone.t < (10 + seconds) * S + 50_000,
      `gone at ${gone?.t} (grace ${seconds} s)`,
    );
  }
  // Deleted 1 s after creation, before its image is pulled: no container to stop, the kubelet deletes it at once.
  const early = churn('', '1s');
  const log: { t: number; type: string; obj: KubeObject }[] = [];
  runOnce(early, early.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  const gone = log.find((c) => c.type === 'DELETED' && c.obj.metadata.name === 'w-0');
  assert.ok(gone !== undefined && gone.t > S && gone.t < S + 50_000, `gone at ${gone?.t}`);
});

test('containers exit on SIGTERM after sigtermExitTime, capped at the grace period; the default exits in seconds', () => {
  const goneAt = (grace: string, exit?: string): number => {
    const s = exit === undefined ? scenarioFrom(churnText(grace)) : churn(grace, '10s', exit);
    let t = -1;
    runOnce(s, s.policies[0], 1, { observe: (now, type, obj) => void (type === 'DELETED' && obj.metadata.name === 'w-0' && (t = now)) });
    return t;
  };
  const two = goneAt('', '2s');
  assert.ok(two > 12 * S && two < 12 * S + 50_000, `exit after 2 s: gone at ${two}`);
  const capped = goneAt('terminationGracePeriodSeconds: 5, ', '20s');
  assert.ok(capped > 15 * S && capped < 15 * S + 50_000, `a 20 s exit is cut by the 5 s grace period: gone at ${capped}`);
  // Default: lognormal, median 1 s, p99 5 s — well before the 30 s grace period.
  const def = goneAt('');
  assert.ok(def > 10 * S && def < 16 * S, `default exit: gone at ${def}`);
});

const churnText = (grace: string): string => `
name: graceful
duration: 60s
cluster:
  nodePools: [{name: n, count: 1, template: {cpu: "8", memory: 16Gi}}]
workloads:
  - name: w
    arrival: {type: churn, mode: recreate, number: 1, interval: 10s}
    pod: {spec: {${grace}containers: [{name: c, image: i, resources: {requests: {cpu: 100m}}}]}}
`;

test('PodGC force-deletes the pods of a deleted node after the 40 s quarantine (passes every 20 s)', () => {
  const { sim, api } = constantApi({}, 1000);
  const nodes = new SharedInformer<Node>(api, 'Node', 'kcm/nodes');
  const pods = new SharedPodInformer(api, 'kcm/pods');
  const gc = new PodGarbageCollector(sim, api, new Client('pod-gc', { qps: Infinity, burst: Infinity }), nodes, pods);
  const admin = new Client('admin', { qps: Infinity, burst: Infinity }, 'exempt');
  api.create(admin, makeNode('n1', { cpu: 1000 }));
  api.create(admin, makePod('p', makeSpec([{}], { nodeName: 'n1' })));
  // The Node goes at 1 s (the pod stays: no kubelet deletes it). Pass at 20 s sees it missing; the pass at 60 s is
  // the first ≥ 40 s later: the pod is force-deleted then (1 ms processing + 1 ms commit).
  sim.callAt(S, () => api.delete(admin, 'Node', 'Node/n1'));
  let goneAt = -1;
  api.onCommit((type, obj) => {
    if (type === 'DELETED' && obj.kind === 'Pod') goneAt = sim.now;
  });
  sim.run(90 * S);
  assert.is(goneAt, 60 * S + 2000);
  assert.is(gc.forceDeleted, 1);
});

test.run();
