/**
 * KernelOptions (engine/scheduler/kernel.ts): what a driver other than the timed scheduler sets — selectHost's
 * tie-break ('lowestRow': the tied node registered first, no draw; the FGD study's static node order) and
 * whether a failed cycle diagnoses every node. The default options are upstream's behaviour.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RngStream } from '../engine/core/rng.js';
import { Kernel, selectHost, selectLowestRow } from '../engine/scheduler/kernel.js';
import { makePod, makeSpec } from './helpers.js';
import { cluster, inputOf, onlyScores, type NodeDesc } from './scheduler-helpers.js';

const GI = 2 ** 30;
const Z = 'topology.kubernetes.io/zone';
/** Rows a, b, c, d; NodeTree order interleaves the zones: a, c, b, d. a and c are busier than b and d. */
const NODES: NodeDesc[] = [
  { name: 'a', labels: { [Z]: 'z1' }, alloc: { cpu: 4000, memory: 8 * GI, pods: 110 } },
  { name: 'b', labels: { [Z]: 'z1' }, alloc: { cpu: 4000, memory: 8 * GI, pods: 110 } },
  { name: 'c', labels: { [Z]: 'z2' }, alloc: { cpu: 4000, memory: 8 * GI, pods: 110 } },
  { name: 'd', labels: { [Z]: 'z2' }, alloc: { cpu: 4000, memory: 8 * GI, pods: 110 } },
];
const BUSY = [
  { name: 'x', node: 'a', requests: { cpu: 2000, memory: GI } },
  { name: 'y', node: 'c', requests: { cpu: 2000, memory: GI } },
];

test('selectLowestRow: the highest score, the lowest row among ties, whatever the list order', () => {
  const feasible = Int32Array.from([3, 1, 2, 0]);
  assert.is(selectLowestRow(feasible, Float64Array.from([5, 7, 7, 6]), 4), 1);
  assert.is(selectLowestRow(feasible, Float64Array.from([7, 7, 7, 7]), 4), 0);
  assert.is(selectLowestRow(feasible, Float64Array.from([9, 7, 7, 7]), 4), 3);
  assert.is(selectLowestRow(feasible, Float64Array.from([9]), 1), 3);
});

test("hostTieBreak: 'lowestRow' picks the first registered of the tied nodes and draws nothing; 'reservoir' samples", () => {
  // LeastAllocated alone: b and d (idle) tie above a and c.
  const profile = onlyScores({ NodeResourcesFit: 1 });
  const pod = inputOf(makePod('p', makeSpec([{ cpu: 1000, memory: GI }])));
  const lowest = new Kernel(profile, { hostTieBreak: 'lowestRow', diagnose: true });
  const seen = new Set<string>();
  for (let seed = 1; seed <= 40; seed++) {
    const c = cluster(NODES, BUSY);
    const rng = new RngStream(seed, 'scheduler');
    const d = lowest.schedule(c.t, pod, { nextStartNodeIndex: 0 }, rng, { pods: c.pods });
    assert.is(c.t.names[d.node], 'b');
    assert.is(rng.int(1 << 30), new RngStream(seed, 'scheduler').int(1 << 30), 'no draw');
    const r = new Kernel(profile).schedule(c.t, pod, { nextStartNodeIndex: 0 }, new RngStream(seed, 'scheduler'), { pods: c.pods });
    seen.add(c.t.names[r.node]);
  }
  // Upstream's reservoir sampling picks either tied node depending on the stream.
  assert.equal([...seen].sort(), ['b', 'd']);
  // selectHost itself on the same scores, for comparison: the first tied node keeps the pick only with probability 1/2.
  assert.ok([1, 3].includes(selectHost(Int32Array.from([1, 3]), Float64Array.from([5, 5]), 2, new RngStream(1, 'x'))));
});

test('diagnose: false leaves a failed cycle without its per-node diagnosis; the default diagnoses', () => {
  const pod = inputOf(makePod('big', makeSpec([{ cpu: 8000, memory: GI }])));
  const c = cluster(NODES, BUSY);
  const full = new Kernel(onlyScores({ NodeResourcesFit: 1 })).schedule(c.t, pod, { nextStartNodeIndex: 0 }, new RngStream(1, 's'), {
    pods: c.pods,
  });
  assert.is(full.node, -1);
  assert.equal([...(full.diagnosis ?? new Map())], [['Insufficient cpu', 4]]);
  const quiet = new Kernel(onlyScores({ NodeResourcesFit: 1 }), { hostTieBreak: 'reservoir', diagnose: false }).schedule(
    c.t,
    pod,
    { nextStartNodeIndex: 0 },
    new RngStream(1, 's'),
    { pods: c.pods },
  );
  assert.equal(quiet, { node: -1, visited: 4, feasible: 0 });
});

test.run();
