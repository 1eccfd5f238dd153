/**
 * DefaultPreemption: victim selection (SelectVictimsOnNode: remove every lower-priority pod, reprieve the most
 * important first) and pickOneNodeForPreemption's ordering — the situations of upstream's
 * pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go (TestSelectNodesForPreemption,
 * TestPickOneNodeForPreemption), hand-computed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RngStream } from '../engine/core/rng.js';
import { preempt } from '../engine/scheduler/preemption.js';
import { DEFAULT_PREEMPTION_ARGS, numCandidates, pickOneNode } from '../engine/scheduler/plugins/default-preemption/index.js';
import { DEFAULT_PROFILE } from '../engine/scheduler/profile.js';
import { cluster, inputOf, labeledPod, runCycle, type PodDesc } from './scheduler-helpers.js';

const node = (name: string, cpu = 1000) => ({
  name,
  labels: { 'kubernetes.io/hostname': name },
  alloc: { cpu, memory: 2 ** 30, pods: 110 },
});
const pod = (name: string, where: string, priority: number, cpu = 500, startTime?: number): PodDesc => ({
  name,
  node: where,
  priority,
  requests: { cpu },
  startTime,
});

function run(nodes: ReturnType<typeof node>[], existing: PodDesc[], priority: number, cpu = 500) {
  const c = cluster(nodes, existing);
  const p = inputOf(labeledPod('preemptor', {}, { priority }, 'default', { cpu }));
  const { k, d } = runCycle(DEFAULT_PROFILE, c, p);
  assert.is(d.node, -1, 'the pod does not fit anywhere without preemption');
  const out = preempt(k, c.t, c.pods, priority, DEFAULT_PREEMPTION_ARGS, [], new RngStream(1, 'preemption-test'), 1_000_000);
  return {
    node: out.row < 0 ? null : c.t.names[out.row],
    victims: out.victims.map((v) => v.pod.metadata.name),
    candidates: out.candidates,
  };
}

test('victims: lower-priority pods are removed, then reprieved most important first while the pod still fits', () => {
  // n1: p1 (prio 1) + p2 (prio 2); removing both frees 1000m, p2 is reprieved (500 + 500 ≤ 1000), p1 is the victim.
  // n2: p3 (prio 5) + p4 (prio 0): p4 is the victim. Lowest highest-victim priority: n2 (0 < 1).
  const r = run([node('n1'), node('n2')], [pod('p1', 'n1', 1), pod('p2', 'n1', 2), pod('p3', 'n2', 5), pod('p4', 'n2', 0)], 10);
  assert.equal(r, { node: 'n2', victims: ['p4'], candidates: 2 });
});

test('victims: pods of equal or higher priority are never victims; a node they fill is no candidate', () => {
  const r = run([node('n1'), node('n2')], [pod('a', 'n1', 10, 1000), pod('b', 'n2', 3, 600), pod('c', 'n2', 20, 400)], 10, 600);
  // n1: only a (prio 10 = the pod's) → no victims. n2: remove b → 400 used + 600 fits; b is the victim.
  assert.equal(r, { node: 'n2', victims: ['b'], candidates: 1 });
  const none = run([node('n1')], [pod('a', 'n1', 10, 1000)], 10);
  assert.equal(none, { node: null, victims: [], candidates: 0 });
});

test("candidate order: fewer victims' priority sum wins when the highest victim priorities tie", () => {
  // n1 needs both of its prio-1 pods gone (the pod asks 1000m); n2 needs its one prio-1 pod gone.
  const r = run([node('n1'), node('n2')], [pod('a1', 'n1', 1), pod('a2', 'n1', 1), pod('b1', 'n2', 1, 1000)], 5, 1000);
  assert.equal(r, { node: 'n2', victims: ['b1'], candidates: 2 });
});

test('candidate order: latest start time of the highest-priority victims breaks the remaining tie', () => {
  const r = run([node('n1'), node('n2')], [pod('old', 'n1', 1, 1000, 100), pod('young', 'n2', 1, 1000, 200)], 5, 1000);
  assert.equal(r.node, 'n2');
  assert.equal(r.victims, ['young']);
});

test('unresolvable nodes (request above allocatable since v1.34) are not candidates', () => {
  // n1 is too small for the pod even when empty → UnschedulableAndUnresolvable, never dry-run.
  const r = run([node('n1', 400), node('n2')], [pod('a', 'n1', 0, 100), pod('b', 'n2', 0, 1000)], 5);
  assert.equal(r, { node: 'n2', victims: ['b'], candidates: 1 });
});

test('pickOneNode: each criterion in turn (PDB violations, highest priority, sum, count, start time), then the first', () => {
  const v = (priority: number, startTime = 0) => ({ priority, startTime });
  assert.is(
    pickOneNode([
      { victims: [v(1)], pdbViolations: 1 },
      { victims: [v(9)], pdbViolations: 0 },
    ]),
    1,
  );
  assert.is(
    pickOneNode([
      { victims: [v(5)], pdbViolations: 0 },
      { victims: [v(3), v(3), v(3)], pdbViolations: 0 },
    ]),
    1,
  );
  // Negative priorities are shifted by 2^31 in the sum: two victims of −2^31 sum to less than one of 0.
  assert.is(
    pickOneNode([
      { victims: [v(0)], pdbViolations: 0 },
      { victims: [v(-(2 ** 31)), v(-(2 ** 31))], pdbViolations: 0 },
    ]),
    1,
  );
  // Equal highest priority and equal shifted sums ((1 + 2^31) + (−2^31 + 2^31) = 1 + 2^31): fewer victims wins.
  assert.is(
    pickOneNode([
      { victims: [v(1), v(-(2 ** 31))], pdbViolations: 0 },
      { victims: [v(1)], pdbViolations: 0 },
    ]),
    1,
  );
  // Everything equal: the first candidate.
  assert.is(
    pickOneNode([
      { victims: [v(2), v(0)], pdbViolations: 0 },
      { victims: [v(2), v(0)], pdbViolations: 0 },
    ]),
    0,
  );
  assert.is(
    pickOneNode([
      { victims: [v(2, 10), v(2, 50)], pdbViolations: 0 },
      { victims: [v(2, 20), v(1, 5)], pdbViolations: 0 },
    ]),
    1,
  );
  assert.is(pickOneNode([]), -1);
});

test('numCandidates: 10% of the potential nodes, at least 100, at most all of them', () => {
  assert.is(numCandidates(DEFAULT_PREEMPTION_ARGS, 50), 50);
  assert.is(numCandidates(DEFAULT_PREEMPTION_ARGS, 500), 100);
  assert.is(numCandidates(DEFAULT_PREEMPTION_ARGS, 5000), 500);
  assert.is(numCandidates({ minCandidateNodesPercentage: 5, minCandidateNodesAbsolute: 10 }, 1000), 50);
});

test.run();
