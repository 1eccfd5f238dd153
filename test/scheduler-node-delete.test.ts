/**
 * The scheduler's node-delete handler (eventhandlers.go deleteNodeFromCache → cache.RemoveNode, NodeTree
 * removeNode): a deleted node leaves the NodeTree order and the node count, so it is never visited and no longer
 * counts in percentageOfNodesToScore (numFeasibleNodesToFind: max(5, 50 − N/125)% of N, at least 100).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RngStream } from '../engine/core/rng.js';
import { Kernel, fitErrorMessage } from '../engine/scheduler/kernel.js';
import { NodeTable } from '../engine/scheduler/node-table.js';
import { podInput } from '../engine/scheduler/pod-input.js';
import { DEFAULT_PROFILE } from '../engine/scheduler/profile.js';
import { makeNode, makeSpec } from './helpers.js';

const zone = (z: string): Record<string, string> => ({ 'topology.kubernetes.io/zone': z });

test('deleted nodes leave the search: 1,000 nodes less 500 → 230 scored (46% of 500), never a deleted one', () => {
  const t = new NodeTable(16);
  for (let i = 0; i < 1000; i++) t.upsert(makeNode(`n${i}`, { cpu: 4000, memory: 1 << 30, pods: 110 }));
  const removed = new Set<number>();
  for (let i = 0; i < 1000; i += 2) removed.add(t.remove(`n${i}`));
  assert.is(t.live, 500);
  assert.is(t.order.length, 500);
  for (const row of t.order) assert.not.ok(removed.has(row), 'no deleted row in the NodeTree order');
  assert.is(t.indexOf('n0'), -1);
  const k = new Kernel(DEFAULT_PROFILE);
  const state = { nextStartNodeIndex: 0 };
  const pod = podInput(makeSpec([{ cpu: 100 }]));
  for (let c = 0; c < 5; c++) {
    const d = k.schedule(t, pod, state, new RngStream(1, 't'));
    // 50 − 500/125 = 46 % of 500 = 230 (with the 500 tombstones counted it would be 420 of 1,000).
    assert.is(d.visited, 230);
    assert.is(d.feasible, 230);
    assert.not.ok(removed.has(d.node), 'a deleted node is never chosen');
  }
  assert.is(state.nextStartNodeIndex % 500, (5 * 230) % 500);
  assert.is(fitErrorMessage(t.live, new Map([['Insufficient cpu', 500]])), '0/500 nodes are available: 500 Insufficient cpu.');
});

test('a zone whose last node is deleted leaves the NodeTree; a node re-added under the same name gets a fresh row', () => {
  const t = new NodeTable(4);
  ['a1:a', 'b1:b', 'a2:a', 'c1:c'].forEach((s) => {
    const [n, z] = s.split(':');
    t.upsert(makeNode(n, { cpu: 1000, pods: 110 }, zone(z)));
  });
  const name = (row: number): string => t.names[row];
  assert.equal([...t.order].map(name), ['a1', 'b1', 'c1', 'a2']);
  const b1 = t.remove('b1');
  assert.equal([...t.order].map(name), ['a1', 'c1', 'a2'], 'zone b is gone: round-robin over a, c');
  assert.is(t.labelColumn('topology.kubernetes.io/zone')?.[b1], 0, 'the tombstone has no labels (no spreading domain)');
  const again = t.upsert(makeNode('b1', { cpu: 1000, pods: 110 }, zone('b')));
  assert.ok(again !== b1);
  assert.equal([...t.order].map(name), ['a1', 'c1', 'b1', 'a2'], 'zone b re-enters last, as a new zone');
  assert.is(t.live, 4);
});

test.run();
