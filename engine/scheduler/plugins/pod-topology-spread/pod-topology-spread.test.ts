/**
 * PodTopologySpread: scores mirror upstream's TestPodTopologySpreadScore table
 * (pkg/scheduler/framework/plugins/podtopologyspread/scoring_test.go); filter cases are hand-computed from
 * filtering.go's rule count + selfMatch − min > maxSkew (the situations of filtering_test.go TestSingleConstraint).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TopologySpreadConstraint } from '../../../api/objects.js';
import { DEFAULT_PROFILE } from '../../profile.js';
import {
  EXISTS,
  cluster,
  inputOf,
  labeledPod,
  onlyScores,
  runCycle,
  scoreNodes,
  verdicts,
  type PodDesc,
} from '../../../../test/scheduler-helpers.js';

const HOST = 'kubernetes.io/hostname';
const SPREAD = onlyScores({ PodTopologySpread: 1 });
const FOO = EXISTS('foo');
const BAR = EXISTS('bar');

const c = (
  maxSkew: number,
  key: string,
  when: TopologySpreadConstraint['whenUnsatisfiable'],
  sel = FOO,
  extra: Partial<TopologySpreadConstraint> = {},
): TopologySpreadConstraint => ({
  maxSkew,
  topologyKey: key,
  whenUnsatisfiable: when,
  labelSelector: sel,
  matchLabelKeys: [],
  ...extra,
});
const hostNode = (n: string, extra: Record<string, string> = {}) => ({ name: n, labels: { [HOST]: n, ...extra } });
const pods = (spec: Record<string, number>, labels: Record<string, string> = { foo: '' }): PodDesc[] =>
  Object.entries(spec).flatMap(([node, n]) => Array.from({ length: n }, (_, i) => ({ name: `p-${node}-${i}`, node, labels })));

test('score: one hostname constraint, matching pods 2/1/0/3 → 20/60/100/0', () => {
  const cl = cluster(
    ['node-a', 'node-b', 'node-c', 'node-d'].map((n) => hostNode(n)),
    pods({ 'node-a': 2, 'node-b': 1, 'node-d': 3 }),
  );
  const pod = inputOf(labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, HOST, 'ScheduleAnyway')] }));
  assert.equal(scoreNodes(SPREAD, cl, pod, ['node-a', 'node-b', 'node-c', 'node-d']), {
    'node-a': 20,
    'node-b': 60,
    'node-c': 100,
    'node-d': 0,
  });
});

test('score: maxSkew 2 on 2/1/0/3 → 33/66/100/16; maxSkew 3 on 4/3/2/1 → 44/66/77/100', () => {
  const cl = cluster(
    ['node-a', 'node-b', 'node-c', 'node-d'].map((n) => hostNode(n)),
    pods({ 'node-a': 2, 'node-b': 1, 'node-d': 3 }),
  );
  const pod = inputOf(labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(2, HOST, 'ScheduleAnyway')] }));
  assert.equal(scoreNodes(SPREAD, cl, pod, ['node-a', 'node-b', 'node-c', 'node-d']), {
    'node-a': 33,
    'node-b': 66,
    'node-c': 100,
    'node-d': 16,
  });
  const cl2 = cluster(
    ['node-a', 'node-b', 'node-c', 'node-d'].map((n) => hostNode(n)),
    pods({ 'node-a': 4, 'node-b': 3, 'node-c': 2, 'node-d': 1 }),
  );
  const pod3 = inputOf(labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(3, HOST, 'ScheduleAnyway')] }));
  assert.equal(scoreNodes(SPREAD, cl2, pod3, ['node-a', 'node-b', 'node-c', 'node-d']), {
    'node-a': 44,
    'node-b': 66,
    'node-c': 77,
    'node-d': 100,
  });
});

test('score: system defaulting with a Service selector gives the same as one hostname constraint of maxSkew 3', () => {
  // "system defaulting, nodes don't have zone, pods match service": 4/3/2/1 → 44/66/77/100.
  const cl = cluster(
    ['node-a', 'node-b', 'node-c', 'node-d'].map((n) => hostNode(n)),
    pods({ 'node-a': 4, 'node-b': 3, 'node-c': 2, 'node-d': 1 }),
  );
  const pod = inputOf(labeledPod('p', { foo: '' }), { matchLabels: { foo: '' }, matchExpressions: [] });
  assert.equal(scoreNodes(SPREAD, cl, pod, ['node-a', 'node-b', 'node-c', 'node-d']), {
    'node-a': 44,
    'node-b': 66,
    'node-c': 77,
    'node-d': 100,
  });
  // Without a Service or controller selecting the pod, the defaults do not apply: the plugin is skipped.
  assert.equal(scoreNodes(SPREAD, cl, inputOf(labeledPod('p', { foo: '' })), ['node-a', 'node-b']), { 'node-a': 0, 'node-b': 0 });
});

test('score: non-candidate nodes count, a node without the key is ignored (33/83/100 and 16/0/100)', () => {
  const existing = pods({ 'node-a': 4, 'node-b': 2, 'node-x': 1, 'node-y': 3 });
  const pod = inputOf(labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, HOST, 'ScheduleAnyway')] }));
  const cl = cluster(
    ['node-a', 'node-b', 'node-x', 'node-y'].map((n) => hostNode(n)),
    existing,
  );
  assert.equal(scoreNodes(SPREAD, cl, pod, ['node-a', 'node-b', 'node-x']), { 'node-a': 33, 'node-b': 83, 'node-x': 100 });
  const cl2 = cluster([hostNode('node-a'), { name: 'node-b', labels: { n: 'node-b' } }, hostNode('node-x'), hostNode('node-y')], existing);
  assert.equal(scoreNodes(SPREAD, cl2, pod, ['node-a', 'node-b', 'node-x']), { 'node-a': 16, 'node-b': 0, 'node-x': 100 });
});

test('score: zone constraint 4/2/1/~3~ → 75/75/100; zone + hostname 2/~1~/2/~4~ → 100/63', () => {
  const zones = [
    hostNode('node-a', { zone: 'zone1' }),
    hostNode('node-b', { zone: 'zone1' }),
    hostNode('node-x', { zone: 'zone2' }),
    hostNode('node-y', { zone: 'zone2' }),
  ];
  const cl = cluster(zones, pods({ 'node-a': 4, 'node-b': 2, 'node-x': 1, 'node-y': 3 }));
  const pod = inputOf(labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, 'zone', 'ScheduleAnyway')] }));
  assert.equal(scoreNodes(SPREAD, cl, pod, ['node-a', 'node-b', 'node-x']), { 'node-a': 75, 'node-b': 75, 'node-x': 100 });
  const cl2 = cluster(zones, pods({ 'node-a': 2, 'node-b': 1, 'node-x': 2, 'node-y': 4 }));
  const pod2 = inputOf(
    labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, 'zone', 'ScheduleAnyway'), c(1, HOST, 'ScheduleAnyway')] }),
  );
  assert.equal(scoreNodes(SPREAD, cl2, pod2, ['node-a', 'node-x']), { 'node-a': 100, 'node-x': 63 });
});

test('score: zone + hostname with different selectors → 60/20/100/60 and 100/60/40/0', () => {
  const zones = [
    hostNode('node-a', { zone: 'zone1' }),
    hostNode('node-b', { zone: 'zone1' }),
    hostNode('node-x', { zone: 'zone2' }),
    hostNode('node-y', { zone: 'zone2' }),
  ];
  const pod = inputOf(
    labeledPod(
      'p',
      { foo: '', bar: '' },
      { topologySpreadConstraints: [c(1, 'zone', 'ScheduleAnyway', FOO), c(1, HOST, 'ScheduleAnyway', BAR)] },
    ),
  );
  const cl = cluster(zones, [
    { name: 'p-a1', node: 'node-a', labels: { foo: '' } },
    { name: 'p-b1', node: 'node-b', labels: { foo: '', bar: '' } },
    { name: 'p-y1', node: 'node-y', labels: { foo: '' } },
    { name: 'p-y2', node: 'node-y', labels: { bar: '' } },
  ]);
  const all = ['node-a', 'node-b', 'node-x', 'node-y'];
  assert.equal(scoreNodes(SPREAD, cl, pod, all), { 'node-a': 60, 'node-b': 20, 'node-x': 100, 'node-y': 60 });
  const cl2 = cluster(zones, [
    { name: 'p-b1', node: 'node-b', labels: { bar: '' } },
    { name: 'p-x1', node: 'node-x', labels: { foo: '' } },
    { name: 'p-y1', node: 'node-y', labels: { foo: '', bar: '' } },
  ]);
  assert.equal(scoreNodes(SPREAD, cl2, pod, all), { 'node-a': 100, 'node-b': 60, 'node-x': 40, 'node-y': 0 });
  // Same, with node-y not a candidate (its pods still count): 50/25/100.
  assert.equal(
    scoreNodes(
      SPREAD,
      cluster(zones, [
        { name: 'p-a1', node: 'node-a', labels: { foo: '' } },
        { name: 'p-b1', node: 'node-b', labels: { foo: '', bar: '' } },
        { name: 'p-y1', node: 'node-y', labels: { foo: '' } },
        { name: 'p-y2', node: 'node-y', labels: { bar: '' } },
      ]),
      pod,
      ['node-a', 'node-b', 'node-x'],
    ),
    { 'node-a': 50, 'node-b': 25, 'node-x': 100 },
  );
});

test('score: other namespaces and terminating pods do not count (100/33 and 100/0)', () => {
  const nodes = [hostNode('node-a'), hostNode('node-b')];
  const pod = inputOf(labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, HOST, 'ScheduleAnyway')] }));
  const cl = cluster(nodes, [
    { name: 'p-a1', node: 'node-a', labels: { foo: '' }, namespace: 'ns1' },
    { name: 'p-a2', node: 'node-a', labels: { foo: '' } },
    { name: 'p-b1', node: 'node-b', labels: { foo: '' } },
    { name: 'p-b2', node: 'node-b', labels: { foo: '' } },
  ]);
  assert.equal(scoreNodes(SPREAD, cl, pod, ['node-a', 'node-b']), { 'node-a': 100, 'node-b': 33 });
  const cl2 = cluster(nodes, [
    { name: 'p-a', node: 'node-a', labels: { foo: '' }, terminating: true },
    { name: 'p-b', node: 'node-b', labels: { foo: '' } },
  ]);
  assert.equal(scoreNodes(SPREAD, cl2, pod, ['node-a', 'node-b']), { 'node-a': 100, 'node-b': 0 });
  // The incremental counters follow the cache: once p-b is terminating too, both nodes are equal.
  const pb = cl2.pods.get('Pod/default/p-b');
  assert.ok(pb !== undefined);
  cl2.pods.update('Pod/default/p-b', { ...pb.pod, metadata: { ...pb.pod.metadata, deletionTimestamp: 5 } });
  assert.equal(scoreNodes(SPREAD, cl2, pod, ['node-a', 'node-b']), { 'node-a': 100, 'node-b': 100 });
});

const zoneNodes = [
  hostNode('node-a', { zone: 'zone1' }),
  hostNode('node-b', { zone: 'zone1' }),
  hostNode('node-x', { zone: 'zone2' }),
  hostNode('node-y', { zone: 'zone2' }),
];
const FILTER_ONLY = { ...DEFAULT_PROFILE };

test('filter: zone maxSkew 1 with 2/1 matching pods per zone: only zone2 fits; a node without the key is unresolvable', () => {
  const cl = cluster([...zoneNodes, hostNode('node-nozone')], pods({ 'node-a': 1, 'node-b': 1, 'node-x': 1 }));
  const pod = inputOf(labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule')] }));
  const { k, d } = runCycle(FILTER_ONLY, cl, pod);
  assert.ok(d.node === cl.t.indexOf('node-x') || d.node === cl.t.indexOf('node-y'));
  // zone1: 2 + 1 − 1 = 2 > 1 → Unschedulable (1); zone2: 1 + 1 − 1 = 1 → passes; missing key → 2.
  assert.equal(verdicts(k, cl.t), { 'node-a': 1, 'node-b': 1, 'node-x': 0, 'node-y': 0, 'node-nozone': 2 });
});

test('filter: a pod not matching its own selector adds nothing; minDomains above the domain count makes the minimum 0', () => {
  const cl = cluster(zoneNodes, pods({ 'node-a': 1, 'node-b': 1, 'node-x': 1 }));
  const notSelf = inputOf(labeledPod('p', { other: '' }, { topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule')] }));
  let r = runCycle(FILTER_ONLY, cl, notSelf);
  // zone1: 2 + 0 − 1 = 1 ≤ 1 → every node passes.
  assert.equal(verdicts(r.k, cl.t), { 'node-a': 0, 'node-b': 0, 'node-x': 0, 'node-y': 0 });
  const minDomains = inputOf(
    labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule', FOO, { minDomains: 3 })] }),
  );
  r = runCycle(FILTER_ONLY, cl, minDomains);
  // 2 domains < 3: min = 0, so zone2: 1 + 1 − 0 = 2 > 1 as well → no node, every node Unschedulable.
  assert.is(r.d.node, -1);
  assert.equal(verdicts(r.k, cl.t), { 'node-a': 1, 'node-b': 1, 'node-x': 1, 'node-y': 1 });
  assert.equal([...(r.d.diagnosis ?? new Map()).entries()], [["node(s) didn't match pod topology spread constraints", 4]]);
});

test("filter: nodeAffinityPolicy Honor leaves nodes outside the pod's nodeSelector out of the counts; Ignore counts them", () => {
  // Pods: zone1 has 3 (on node-a), zone2 has 1 (on node-y, which the pod's nodeSelector excludes).
  const nodes = [
    hostNode('node-a', { zone: 'zone1', disk: 'ssd' }),
    hostNode('node-x', { zone: 'zone2', disk: 'ssd' }),
    hostNode('node-y', { zone: 'zone2' }),
  ];
  const cl = cluster(nodes, pods({ 'node-a': 3, 'node-y': 1 }));
  const honor = inputOf(
    labeledPod('p', { foo: '' }, { nodeSelector: { disk: 'ssd' }, topologySpreadConstraints: [c(2, 'zone', 'DoNotSchedule')] }),
  );
  // Honor: zone2 counts 0 (node-y excluded), min 0: zone1 3 + 1 − 0 = 4 > 2 fails, zone2 0 + 1 = 1 passes.
  let r = runCycle(FILTER_ONLY, cl, honor);
  assert.is(cl.t.names[r.d.node], 'node-x');
  assert.is(r.k.filterNode(cl.t, cl.t.indexOf('node-a')), 1);
  const ignore = inputOf(
    labeledPod(
      'p',
      { foo: '' },
      { nodeSelector: { disk: 'ssd' }, topologySpreadConstraints: [c(2, 'zone', 'DoNotSchedule', FOO, { nodeAffinityPolicy: 'Ignore' })] },
    ),
  );
  // Ignore: zone2 counts 1, min 1: zone1 3 + 1 − 1 = 3 > 2 still fails; now compare maxSkew 3.
  r = runCycle(FILTER_ONLY, cl, ignore);
  assert.is(r.k.filterNode(cl.t, cl.t.indexOf('node-a')), 1);
  const ignore3 = inputOf(
    labeledPod(
      'p',
      { foo: '' },
      { nodeSelector: { disk: 'ssd' }, topologySpreadConstraints: [c(3, 'zone', 'DoNotSchedule', FOO, { nodeAffinityPolicy: 'Ignore' })] },
    ),
  );
  r = runCycle(FILTER_ONLY, cl, ignore3);
  assert.is(r.k.filterNode(cl.t, cl.t.indexOf('node-a')), 0, 'Ignore: 3 + 1 − 1 = 3 ≤ 3');
  const honor3 = inputOf(
    labeledPod('p', { foo: '' }, { nodeSelector: { disk: 'ssd' }, topologySpreadConstraints: [c(3, 'zone', 'DoNotSchedule')] }),
  );
  r = runCycle(FILTER_ONLY, cl, honor3);
  assert.is(r.k.filterNode(cl.t, cl.t.indexOf('node-a')), 1, 'Honor: 3 + 1 − 0 = 4 > 3');
});

test('filter: matchLabelKeys narrows the selector to pods with the same label values (a new revision starts from zero)', () => {
  const cl = cluster(zoneNodes, pods({ 'node-a': 2 }, { foo: '', rev: '1' }));
  const plain = inputOf(labeledPod('p', { foo: '', rev: '2' }, { topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule')] }));
  assert.is(runCycle(FILTER_ONLY, cl, plain).k.filterNode(cl.t, 0), 1, 'rev 1 pods count: 2 + 1 − 0 > 1');
  const keyed = inputOf(
    labeledPod(
      'p',
      { foo: '', rev: '2' },
      { topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule', FOO, { matchLabelKeys: ['rev'] })] },
    ),
  );
  assert.is(runCycle(FILTER_ONLY, cl, keyed).k.filterNode(cl.t, 0), 0, 'only rev=2 pods count: 0 + 1 − 0 ≤ 1');
});

test('filter: nodeTaintsPolicy Honor drops tainted nodes from the domains', () => {
  const nodes = [hostNode('node-a', { zone: 'zone1' }), hostNode('node-x', { zone: 'zone2' })];
  const cl = cluster(nodes, pods({ 'node-a': 1 }));
  // Taint node-x (NoSchedule, not tolerated) by re-upserting it.
  const row = cl.t.indexOf('node-x');
  const n = cl.t.nodes[row];
  cl.t.upsert({ ...n, spec: { ...n.spec, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] } });
  const honor = inputOf(
    labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule', FOO, { nodeTaintsPolicy: 'Honor' })] }),
  );
  // Honor: only zone1 is a domain, min = 1: node-a 1 + 1 − 1 = 1 passes (node-x fails TaintToleration first).
  const r = runCycle(FILTER_ONLY, cl, honor);
  assert.is(cl.t.names[r.d.node], 'node-a');
  const ignore = inputOf(labeledPod('p', { foo: '' }, { topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule')] }));
  // Ignore (default): zone2 is a domain with 0 → node-a 1 + 1 − 0 = 2 > 1: nothing fits.
  assert.is(runCycle(FILTER_ONLY, cl, ignore).d.node, -1);
});

test.run();
