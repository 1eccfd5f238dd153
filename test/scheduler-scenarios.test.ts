/**
 * The two bundled scheduler scenarios load and run (one seed per policy), with outcomes derivable by hand:
 * - priority-preemption: 150 one-CPU batch pods on 40 four-CPU nodes leave 10 CPUs free, so 10 of the 60
 *   online pods fit and 50 preempt one batch pod each (recreated by the ReplicaSet, then pending: nothing of
 *   lower priority is left to preempt); without preemption those 50 online pods stay pending.
 * - topology-spread-zones: zone-c (4 nodes × 8 slots) holds 30 of api's 90 pods (maxSkew 1 over 3 zones),
 *   leaving 2 slots; with hard zone defaults web can then place 2 pods in zone-c and 3 in each other zone
 *   (skew ≤ 1): 8 of 90, so 82 stay pending; with soft defaults all 180 run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../engine/scenario/load.js';
import { runOnce } from '../engine/run.js';

const scenarios = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'scenarios');

function runAll(file: string) {
  const s = loadScenario(join(scenarios, file)).scenario;
  return Object.fromEntries(s.policies.map((p) => [p.name, runOnce(s, p, s.seed).summary]));
}

test('priority-preemption: 50 online pods preempt one batch pod each; without preemption they stay pending', () => {
  const r = runAll('priority-preemption.yaml');
  assert.is(r.default.pods_created, 150 + 60 + 50);
  assert.is(r.default.pods_running, 160);
  assert.is(r.default.pods_pending_end, 50);
  assert.is(r['no-preemption'].pods_created, 210);
  assert.is(r['no-preemption'].pods_pending_end, 50);
  assert.is(r['no-preemption'].pods_running, 160);
});

test('topology-spread-zones: hard zone defaults leave 82 web pods pending; soft defaults and bin-packing place all', () => {
  const r = runAll('topology-spread-zones.yaml');
  assert.is(r.default.pods_pending_end, 0);
  assert.is(r['hard-zones'].pods_pending_end, 82);
  assert.is(r.binpack.pods_pending_end, 0);
  assert.ok(r.binpack.nodes_in_use_end < r.default.nodes_in_use_end, 'bin-packing leaves nodes empty');
});

test.run();
