/**
 * The scheduling cycle's cost model (engine/scheduler/cycle-cost.ts): upstream's Parallelizer chunking, the
 * loops' wall times, and, end to end in virtual time, scheduler_perf's test cases in upstream's order.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cancelledLoopWall,
  chunkSize,
  cycleCost,
  fullLoopWall,
  workers,
  type CycleCostParams,
  type CycleWork,
} from '../engine/scheduler/cycle-cost.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { runOnce } from '../engine/run.js';
import { REPO } from './helpers.js';

test('chunkSize is client-go chunkSizeFor: about √n, at most n/parallelism + 1, at least 1', () => {
  assert.is(chunkSize(5000, 16), 70); // √5000 = 70.7; 5000/16 + 1 = 313
  assert.is(chunkSize(500, 16), 22); // √500 = 22.4; 500/16 + 1 = 32
  assert.is(chunkSize(100, 16), 7); // √100 = 10 > 100/16 + 1 = 7
  assert.is(chunkSize(10, 16), 1); // √10 = 3 > 10/16 + 1 = 1
  assert.is(chunkSize(0, 16), 1);
  assert.is(workers(5000, 16), 16);
  assert.is(workers(10, 16), 10); // ten chunks of one
  assert.is(workers(1, 16), 1);
});

test('a full loop takes its slowest goroutine: ceil(chunks / workers) chunks of its pieces', () => {
  // 5000 pieces, chunks of 70 → 72 chunks over 16 workers → 5 rounds → 350 pieces' worth of work.
  assert.is(fullLoopWall(5000, 5000, 16), 350);
  // Serial (parallelism 1) is the whole work.
  assert.is(fullLoopWall(5000, 5000, 1), 5000);
  // A cancelled loop shares the pieces it did over the workers it started.
  assert.is(cancelledLoopWall(2, 500, 5000, 16), 2 * Math.ceil(500 / 16));
  assert.is(cancelledLoopWall(2, 0, 5000, 16), 0);
});

const PARAMS: CycleCostParams = {
  cycleOverhead: 100,
  perNodeFilter: 4,
  perNodeScore: 6,
  perPodAffinityTerm: 30,
  perPodSpreadConstraint: 1.3,
  perPreemptionNode: 75,
  parallelism: 16,
};
const BASIC: CycleWork = {
  allNodes: 5000,
  visited: 500,
  scored: 500,
  affinityTermChecks: 0,
  spreadChecks: 0,
  preemptionNodes: 0,
  preemptionFilters: 0,
};

test('cycleCost: overhead + filter + score; more parallelism is cheaper; pod scans and preemption add', () => {
  const basic = cycleCost(BASIC, PARAMS);
  // 100 + ceil(500/16)·4 + (500 pieces in chunks of 22: 23 chunks, 2 rounds → 44 pieces)·6
  assert.is(basic, 100 + 32 * 4 + 44 * 6);
  const serial = cycleCost(BASIC, { ...PARAMS, parallelism: 1 });
  assert.is(serial, 100 + 500 * 4 + 500 * 6);
  assert.ok(cycleCost(BASIC, { ...PARAMS, parallelism: 4 }) < serial);
  assert.ok(cycleCost(BASIC, { ...PARAMS, parallelism: 4 }) > basic);
  const affinity = cycleCost({ ...BASIC, affinityTermChecks: 10_000 }, PARAMS);
  assert.is(affinity, basic + Math.round(10_000 * 30 * (350 / 5000)));
  const spread = cycleCost({ ...BASIC, spreadChecks: 10_000 }, PARAMS);
  assert.is(spread, basic + Math.round(10_000 * 1.3 * (350 / 5000)));
  // One scored node or none: no Score (upstream skips prioritizeNodes).
  assert.is(cycleCost({ ...BASIC, scored: 0 }, PARAMS), 100 + 32 * 4);
  // A preemption that dry-ran 5000 nodes, 3 filter runs on each of 100 of them.
  const pre = cycleCost({ ...BASIC, scored: 0, visited: 5000, preemptionNodes: 5000, preemptionFilters: 300 }, PARAMS);
  assert.is(pre, Math.round(100 + 313 * 4 + 313 * (75 + (300 / 5000) * 4)));
});

/** scenarios/scheduler-perf/<file>.yaml with smaller stepParams (the templates are read from the same folder). */
function perfCase(file: string, params: string): ReturnType<typeof runOnce> {
  const path = join(REPO, 'scenarios', 'scheduler-perf', `${file}.yaml`);
  const text = readFileSync(path, 'utf8').replace(/^stepParams: .*$/m, `stepParams: ${params}`);
  const s = parseScenario(parseYamlDocuments(text, path)[0], path).scenario;
  return runOnce(s, s.policies[0], s.seed);
}

test("scheduler_perf's cases come out in upstream's order (virtual time, 1,000 nodes)", () => {
  const basic = perfCase('perf-scheduling-basic', '{initNodes: 1000, initPods: 200, measurePods: 2000}');
  const spread = perfCase('perf-topology-spreading', '{initNodes: 1000, initPods: 1000, measurePods: 1000}');
  const anti = perfCase('perf-pod-anti-affinity', '{initNodes: 1000, initPods: 200, measurePods: 400}');
  const affinity = perfCase('perf-pod-affinity', '{initNodes: 1000, initPods: 1000, measurePods: 1000}');
  for (const r of [basic, spread, anti, affinity]) assert.is(r.summary.pods_pending_end, 0);
  const t = [basic, spread, anti, affinity].map((r) => r.summary.throughput_avg_per_s);
  // Upstream (thresholds at 5,000 nodes): 680 > 460 > 60 > 35 pods/s.
  assert.ok(t[0] > t[1] && t[1] > t[2] && t[2] > t[3], `throughputs ${t.join(', ')}`);
  // The pod-affinity case pays for every existing pod each cycle (upstream: 35 / 680 = 0.05 at 5,000 nodes);
  // with only per-node costs it would run at half SchedulingBasic's rate here.
  assert.ok(t[3] / t[0] < 0.25, `SchedulingPodAffinity / SchedulingBasic = ${t[3] / t[0]}`);
});

test.run();
