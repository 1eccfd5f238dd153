/**
 * The bundled scenarios for faults, autoscaling and bursty batch load run (one seed per policy, a few hundred
 * milliseconds each) and show what their headers promise.
 */
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

test.run();
