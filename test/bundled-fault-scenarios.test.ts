/**
 * The bundled scenarios for faults, autoscaling and bursty batch load run (one seed per policy, a few hundred
 * milliseconds each) and show what their headers promise.
 */
import type { KubeObject, PersistentVolume, PersistentVolumeClaim } from '../engine/api/objects.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnce } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scenarios');
const load = (name: string) => loadScenario(join(SCENARIOS, name)).scenario;

test('zone-outage.yaml: zone-a pods lost, evicted after 300 s, rescheduled; recovery time per policy', () => {
  const s = load('zone-outage.yaml');
  for (const policy of s.policies) {
    const r = runOnce(s, policy, s.seed);
    const m = r.summary;
    assert.ok(m.pods_lost > 0, `${policy.name}: some pods ran in zone-a`);
    // Every lost pod is evicted before the zone returns at 12m (taints by ~3m10s + 100 s, + 300 s).
    assert.is(m.pods_evicted, m.pods_lost, policy.name);
    assert.is(m.pods_rescheduled, m.pods_evicted, policy.name);
    assert.is(m.pods_running, 120);
    // Evictions start ≥ 2m + ~55 s + 300 s after the outage: recovery takes more than 355 s.
    assert.ok(m.recovery_time_s > 355 && m.recovery_time_s < 780, `${policy.name}: recovery ${m.recovery_time_s} s`);
  }
});

test('autoscale.yaml: the pool grows for the batch wave and shrinks back; node-hours counted', () => {
  const s = load('autoscale.yaml');
  const [spread, pack] = s.policies.map((p) => runOnce(s, p, s.seed).summary);
  for (const m of [spread, pack]) {
    assert.ok(m.nodes_max > 20 && m.nodes_max <= 40, `max ${m.nodes_max}`);
    assert.ok(m.nodes_end >= 2 && m.nodes_end <= 4, `end ${m.nodes_end}`);
    assert.is(m.pods_succeeded, 240);
    assert.is(m.pods_running, 24);
    // At least min nodes for the whole hour, at most max.
    assert.ok(m.node_hours > 2 && m.node_hours < 40, `${m.node_hours}`);
  }
  assert.ok(pack.nodes_end <= spread.nodes_end, 'bin-packing frees at least as many nodes');
});

test('bursty-batch.yaml: every Job pod runs to completion', () => {
  const s = load('bursty-batch.yaml');
  const r = runOnce(s, s.policies[0], s.seed);
  assert.is(r.summary.pods_created, 720);
  assert.is(r.summary.pods_succeeded, 720);
  assert.ok(r.summary.sched_latency_p99_ms > 10_000, 'bursts larger than the cluster queue for a while');
});

test('gpu-dra.yaml: sharing places every pod with less waiting; DRA allocates one device per claim and frees it with its pod', () => {
  const s = load('gpu-dra.yaml');
  const byName = new Map(s.policies.map((p) => [p.name, p]));
  const run = (name: string, observe?: Parameters<typeof runOnce>[3]) =>
    runOnce(s, byName.get(name) as (typeof s.policies)[number], s.seed, observe);
  const plugin = run('device-plugin').summary;
  const share = run('gpu-share').summary;
  // DRA: every claim allocated holds one distinct device at any time, on its pod's node; claims end deleted with their pods.
  const held = new Map<string, string>();
  let maxHeld = 0;
  let clash = '';
  const claims = new Map<string, KubeObject>();
  const dra = run('dra', {
    observe: (_t, type, o) => {
      if (o.kind !== 'ResourceClaim') return;
      const key = o.metadata.name;
      if (type === 'DELETED') claims.delete(key);
      else claims.set(key, o);
      const dev = o.status.allocation?.devices.map((d) => `${d.pool}/${d.device}`).join(',');
      if (type === 'DELETED' || dev === undefined) held.delete(key);
      else {
        for (const [k, v] of held) if (k !== key && v === dev) clash = `${k} and ${key} hold ${dev}`;
        held.set(key, dev);
      }
      maxHeld = Math.max(maxHeld, held.size);
    },
  });
  assert.is(clash, '', 'no device allocated twice');
  assert.ok(maxHeld <= 16 && maxHeld >= 12, `at most the 16 GPUs held (max ${maxHeld})`);
  const m = dra.summary;
  assert.is(m.pods_created, 470);
  // Whole devices: the device plugin and DRA queue pods that sharing places at once.
  assert.ok(
    share.sched_latency_p99_ms < plugin.sched_latency_p99_ms / 10,
    `share ${share.sched_latency_p99_ms} vs ${plugin.sched_latency_p99_ms}`,
  );
  assert.ok(m.sched_latency_p99_ms > share.sched_latency_p99_ms * 10, `dra ${m.sched_latency_p99_ms}`);
  assert.is(share.pods_scheduled, 470);
  // Only the claims of the pods still running at the end remain.
  assert.is(claims.size, m.pods_running + m.pods_pending_end);
});

test('app-helm.yaml: the helm output runs; the HPA and the autoscaler grow the app for the load and shrink it back', () => {
  const loaded = loadScenario(join(SCENARIOS, 'app-helm.yaml'));
  const s = loaded.scenario;
  const kinds = new Set(s.objects.map((o) => o.object.kind));
  for (const k of ['Deployment', 'Service', 'StatefulSet', 'DaemonSet', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'])
    assert.ok(kinds.has(k as never), `${k} loaded`);
  for (const policy of s.policies) {
    const last = new Map<string, KubeObject>();
    const r = runOnce(s, policy, s.seed, {
      observe: (_t, type, obj) => (type === 'DELETED' ? null : last.set(`${obj.kind}/${obj.metadata.name}`, obj)),
    });
    const m = r.summary;
    assert.ok(m.nodes_max > 3 && m.nodes_max <= 12, `${policy.name}: scaled up to ${m.nodes_max}`);
    assert.is(m.nodes_end, 3, `${policy.name}: back to min`);
    assert.is(m.pods_pending_end, 0, policy.name);
    const pods = r.store.pods.filter((p) => p.spec.nodeName !== '');
    const web = pods.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === 'web');
    const cache = pods.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === 'cache');
    const agents = pods.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === 'log-agent');
    // The final load, 1.5 cores, at 60 % of 500m per pod: ⌈1.5 / 0.3⌉ = 5 web pods.
    assert.is(web.length, 5, `${policy.name}: the HPA scaled back in`);
    assert.is(new Set(cache.map((p) => p.spec.nodeName)).size, 3, `${policy.name}: one cache pod per node`);
    // Each cache replica's claim (WaitForFirstConsumer, zonal class) was provisioned in its pod's zone and bound.
    const zoneOf = (node: string): string | undefined =>
      r.store.nodes.find((n) => n.metadata.name === node)?.metadata.labels['topology.kubernetes.io/zone'];
    for (const pod of cache) {
      const claim = last.get(`PersistentVolumeClaim/data-${pod.metadata.name}`) as PersistentVolumeClaim | undefined;
      assert.is(claim?.status.phase, 'Bound', `${policy.name}: claim of ${pod.metadata.name}`);
      const pv = last.get(`PersistentVolume/${claim?.spec.volumeName ?? ''}`) as PersistentVolume | undefined;
      const pvZone = pv?.spec.nodeAffinity?.nodeSelectorTerms[0]?.matchExpressions.find((e) => e.key === 'topology.kubernetes.io/zone')
        ?.values[0];
      assert.is(pvZone, zoneOf(pod.spec.nodeName), `${policy.name}: volume of ${pod.metadata.name} in its zone`);
    }
    assert.is(new Set(agents.map((p) => p.spec.nodeName)).size, 3, `${policy.name}: one agent per node`);
    // More web pods than the 3 start nodes can hold were created at the peak (the HPA scaled out).
    assert.ok(m.pods_created > 30, `${policy.name}: ${m.pods_created} pods created`);
  }
});

test.run();
