/**
 * Scheduler arithmetic against hand-computed cases that mirror upstream's tables
 * (pkg/scheduler/framework/plugins/noderesources/{least_allocated,most_allocated,requested_to_capacity_ratio,
 * balanced_allocation,fit}_test.go and schedule_one_test.go).
 */
import { AssignedPods } from '../../assigned-pods.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { podRequests, DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST } from '../../../api/pod-resources.js';
import { RngStream } from '../../../core/rng.js';
import { Kernel, numFeasibleNodesToFind, fitErrorMessage } from '../../kernel.js';
import { NodeTable } from '../../node-table.js';
import { DEFAULT_PROFILE, editProfile, type Profile } from '../../profile.js';
import type { ScoringStrategy } from './index.js';
import { podInput } from '../../pod-input.js';
import { leastAllocated, mostAllocated, brokenLinear, goRound } from './index.js';
import { balance2, balancedScore } from '../node-resources-balanced-allocation/index.js';
import { toleratesUnschedulable } from '../node-unschedulable/index.js';
import { makeNode, makeSpec } from '../../../../test/helpers.js';

/** The resource scorers alone (the node-local plugins are covered in scheduler-plugins-node.test.ts). */
const RESOURCES_ONLY: Profile = editProfile(DEFAULT_PROFILE, { weights: { TaintToleration: 0, NodeAffinity: 0, ImageLocality: 0 } });

const fitOnly = (type: ScoringStrategy['type'], shape: ScoringStrategy['shape'] = []): Profile => {
  const fit = DEFAULT_PROFILE.args.NodeResourcesFit;
  return editProfile(RESOURCES_ONLY, {
    weights: { NodeResourcesBalancedAllocation: 0 },
    args: { NodeResourcesFit: { ...fit, scoringStrategy: { ...fit.scoringStrategy, type, shape } } },
  });
};

/** Scores every node (all feasible) with a profile, through the same fused loop the scheduler runs. */
function scores(
  profile: Profile,
  nodes: ReturnType<typeof makeNode>[],
  existing: Record<string, number>[][],
  pod: Record<string, number>[],
): number[] {
  const t = new NodeTable(2);
  nodes.forEach((n, i) => {
    const row = t.upsert(n);
    for (const e of existing[i] ?? []) t.account(row, podRequests(makeSpec([e])), 1);
  });
  const k = new Kernel(profile);
  const feasible = Int32Array.from(nodes.map((_, i) => i));
  const out = new Float64Array(nodes.length);
  k.scoreAll(t, podInput(makeSpec(pod)), feasible, nodes.length, out, new AssignedPods(t));
  return [...out];
}

test('numFeasibleNodesToFind: adaptive percentage and the 100-node floor', () => {
  const cases: [number, number][] = [
    [99, 99],
    [100, 100],
    [500, 230],
    [1000, 420],
    [2000, 680],
    [3000, 780],
    [5000, 500],
    [6000, 300],
    [15000, 750],
  ];
  for (const [n, want] of cases) assert.is(numFeasibleNodesToFind(0, n), want, `n=${n}`);
  assert.is(numFeasibleNodesToFind(50, 1000), 500);
  assert.is(numFeasibleNodesToFind(5, 1000), 100);
  assert.is(numFeasibleNodesToFind(100, 1000), 1000);
});

test('LeastAllocated: TestFitScore worked example = 32', () => {
  // node 4 CPU / 10000 B with (2 CPU, 4000 B) requested, pod (1 CPU, 2000 B)
  const s = scores(
    fitOnly('LeastAllocated'),
    [makeNode('n', { cpu: 4000, memory: 10000, pods: 32 })],
    [[{ cpu: 2000, memory: 4000 }]],
    [{ cpu: 1000, memory: 2000 }],
  );
  assert.equal(s, [32]);
  assert.is(leastAllocated(3000, 4000), 25);
  assert.is(leastAllocated(5000, 4000), 0); // over capacity scores 0
});

test('MostAllocated: differently sized nodes, two containers → 62 and 50', () => {
  const s = scores(
    fitOnly('MostAllocated'),
    [makeNode('a', { cpu: 4000, memory: 10000, pods: 32 }), makeNode('b', { cpu: 6000, memory: 10000, pods: 32 })],
    [],
    [
      { cpu: 1000, memory: 2000 },
      { cpu: 2000, memory: 3000 },
    ],
  );
  assert.equal(s, [62, 50]);
  assert.is(mostAllocated(5000, 4000), 100); // requested clamped to capacity
});

test('RequestedToCapacityRatio: linear bin-packing shape rounds half away from zero (63, not 62)', () => {
  const shape = [
    { utilization: 0, score: 0 },
    { utilization: 100, score: 10 },
  ];
  const s = scores(
    fitOnly('RequestedToCapacityRatio', shape),
    [makeNode('a', { cpu: 4000, memory: 10000, pods: 32 })],
    [],
    [{ cpu: 3000, memory: 5000 }],
  );
  assert.equal(s, [63]);
  // Interpolation uses integer division between points: (0,100)→(50,0): at 25 → 100 + (0-100)*(25-0)/50 = 50
  assert.is(brokenLinear([0, 50], [100, 0], 25), 50);
  assert.is(brokenLinear([0, 50], [100, 0], 33), 34); // 100 - trunc(6600/100 ... ) = 100 - 66
  assert.is(goRound(62.5), 63);
  assert.is(goRound(-62.5), -63);
});

test('non-zero defaults: a pod without requests is scored as 100m / 200Mi, filtered as zero', () => {
  const r = podRequests(makeSpec([{}]));
  assert.is(r.cpu, 0);
  assert.is(r.nonZeroCpu, DEFAULT_MILLI_CPU_REQUEST);
  assert.is(r.nonZeroMemory, DEFAULT_MEMORY_REQUEST);
  const explicitZero = podRequests(makeSpec([{ cpu: 0, memory: 0 }]));
  assert.is(explicitZero.nonZeroCpu, 0, 'an explicit 0 stays 0');
  // 1000m / 2000Mi node: (1000-100)*100/1000 = 90; (2000Mi-200Mi)*100/2000Mi = 90
  const s = scores(fitOnly('LeastAllocated'), [makeNode('n', { cpu: 1000, memory: 2000 * 1024 * 1024, pods: 32 })], [], [{}]);
  assert.equal(s, [90]);
});

test('init containers and sidecars: max(sum of containers, init peak), sidecars accumulate', () => {
  const spec = makeSpec([{ cpu: 100 }, { cpu: 200 }], {
    initContainers: [
      { name: 'init', image: 'x', requests: { cpu: 500 }, limits: {}, ports: [] },
      { name: 'sidecar', image: 'x', requests: { cpu: 50 }, limits: {}, ports: [], restartPolicy: 'Always' },
      { name: 'late-init', image: 'x', requests: { cpu: 400 }, limits: {}, ports: [] },
    ],
    overhead: { cpu: 10 },
  });
  // sum = 300 + sidecar 50 = 350; init peak = max(500, 50, 400 + 50) = 500 → 500 + overhead 10
  assert.is(podRequests(spec).cpu, 510);
});

test('BalancedAllocation v1.36: change in balance, 50 + (50 + with - without) / 2 = 68', () => {
  const p: Profile = editProfile(RESOURCES_ONLY, { weights: { NodeResourcesFit: 0 } });
  const s = scores(p, [makeNode('n', { cpu: 4000, memory: 10000, pods: 32 })], [], [{ cpu: 3000, memory: 5000 }]);
  assert.equal(s, [68]);
  assert.is(balance2(3000, 4000, 5000, 10000), 87);
  assert.is(balancedScore(87, 100), 68);
  // best-effort pods are skipped (PreScore Skip since v1.33): no contribution at all
  assert.equal(scores(p, [makeNode('n', { cpu: 4000, memory: 10000, pods: 32 })], [], [{}]), [0]);
});

test('resource scorers: weighted sum of NodeResourcesFit and BalancedAllocation', () => {
  const s = scores(
    RESOURCES_ONLY,
    [makeNode('n', { cpu: 4000, memory: 10000, pods: 32 })],
    [[{ cpu: 2000, memory: 4000 }]],
    [{ cpu: 1000, memory: 2000 }],
  );
  // fit 32; balanced: with = 100 - |0.75-0.6|/2*100 = 92 (trunc 92.5), without = 100 - |0.5-0.4|/2*100 = 95 → 50 + (50+92-95)/2 = 73
  assert.equal(s, [32 + 73]);
});

test('filter: cpu, memory, pod count and unschedulable; FitError message counts reasons', () => {
  const t = new NodeTable(4);
  t.upsert(makeNode('small', { cpu: 500, memory: 1 << 30, pods: 110 }));
  t.upsert(makeNode('full', { cpu: 4000, memory: 1 << 30, pods: 1 }));
  t.account(1, podRequests(makeSpec([{}])), 1);
  t.upsert(makeNode('cordoned', { cpu: 4000, memory: 1 << 30, pods: 110 }, {}, true));
  t.upsert(makeNode('lowmem', { cpu: 4000, memory: 1 << 20, pods: 110 }));
  const k = new Kernel(DEFAULT_PROFILE);
  const pod = podInput(makeSpec([{ cpu: 1000, memory: 1 << 25 }]));
  const d = k.schedule(t, pod, { nextStartNodeIndex: 0 }, new RngStream(1, 't'));
  assert.is(d.node, -1);
  assert.is(
    fitErrorMessage(4, d.diagnosis!),
    '0/4 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods, 1 node(s) were unschedulable.',
  );
  // Tolerating the unschedulable taint makes the cordoned node feasible.
  const tolerant = {
    ...pod,
    toleratesUnschedulable: toleratesUnschedulable([
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', value: '', effect: 'NoSchedule' },
    ]),
  };
  assert.is(k.schedule(t, tolerant, { nextStartNodeIndex: 0 }, new RngStream(1, 't')).node, 2);
  // Equality fits: a request equal to the free amount passes.
  const exact = podInput(makeSpec([{ cpu: 500, memory: 1 << 30 }]));
  assert.is(k.schedule(t, exact, { nextStartNodeIndex: 0 }, new RngStream(1, 't')).node, 0);
});

test('sampling: 1,000 nodes → 420 feasible scored, start index rotates by nodes visited', () => {
  const t = new NodeTable(16);
  for (let i = 0; i < 1000; i++) t.upsert(makeNode(`n${i}`, { cpu: 4000, memory: 1 << 30, pods: 110 }));
  const k = new Kernel(DEFAULT_PROFILE);
  const state = { nextStartNodeIndex: 0 };
  const pod = podInput(makeSpec([{ cpu: 100 }]));
  const d = k.schedule(t, pod, state, new RngStream(1, 't'));
  assert.is(d.feasible, 420);
  assert.is(d.visited, 420);
  assert.is(state.nextStartNodeIndex, 420);
  assert.ok(d.node >= 0 && d.node < 420, 'chosen among the visited nodes');
  k.schedule(t, pod, state, new RngStream(1, 't'));
  k.schedule(t, pod, state, new RngStream(1, 't'));
  assert.is(state.nextStartNodeIndex, 260, '(840 + 420) mod 1000');
});

test('NodeTree order: round-robin across zones in first-seen order', () => {
  const t = new NodeTable(4);
  const z = (zone: string): Record<string, string> => ({ 'topology.kubernetes.io/zone': zone });
  ['a1:a', 'a2:a', 'b1:b', 'a3:a', 'c1:c', 'b2:b'].forEach((s) => {
    const [name, zone] = s.split(':');
    t.upsert(makeNode(name, { cpu: 1, memory: 1, pods: 1 }, z(zone)));
  });
  assert.equal(
    [...t.order].map((i) => t.names[i]),
    ['a1', 'b1', 'c1', 'a2', 'b2', 'a3'],
  );
});

test('selectHost: ties broken by the seeded RNG, reproducibly and across all tied nodes', () => {
  const t = new NodeTable(16);
  for (let i = 0; i < 10; i++) t.upsert(makeNode(`n${i}`, { cpu: 4000, memory: 1 << 30, pods: 110 }));
  const k = new Kernel(DEFAULT_PROFILE);
  const pod = podInput(makeSpec([{ cpu: 100 }]));
  const pick = (seed: number): number => k.schedule(t, pod, { nextStartNodeIndex: 0 }, new RngStream(seed, 'scheduler')).node;
  assert.is(pick(5), pick(5));
  const chosen = new Set<number>();
  for (let s = 0; s < 200; s++) chosen.add(pick(s));
  assert.is(chosen.size, 10, 'every tied node is reachable');
});

test.run();
