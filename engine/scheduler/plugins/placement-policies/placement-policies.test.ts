/**
 * Placement policies beyond upstream (FirstFit, RoundRobin, UniformRandom score plugins): their configuration
 * and the decisions of the fused kernel, derived from the documented semantics
 * (engine/scheduler/plugins/placement-policies/).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { podRequests } from '../../../api/pod-resources.js';
import { RngStream } from '../../../core/rng.js';
import { Kernel } from '../../kernel.js';
import { DEFAULT_PROFILE, scoreWeight, type Profile } from '../../profile.js';
import { parseSchedulerConfig } from '../../../scenario/scheduler-config.js';
import { parseYamlDocuments } from '../../../scenario/yaml-field.js';
import { runOnce } from '../../../run.js';
import { expectInputError, makePod, makeSpec, scenarioFrom } from '../../../../test/helpers.js';
import { cluster, inputOf, onlyScores, type NodeDesc } from '../../../../test/scheduler-helpers.js';

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const parse = (body: string) => parseSchedulerConfig(parseYamlDocuments(HEAD + body, 'cfg.yaml')[0]);

const Z = 'topology.kubernetes.io/zone';
const GI = 2 ** 30;
/** NodeTree order interleaves zones: a (z1), c (z2), b (z1), d (z2). */
const FOUR: NodeDesc[] = [
  { name: 'a', labels: { [Z]: 'z1' }, alloc: { cpu: 2000, memory: 8 * GI, pods: 110 } },
  { name: 'b', labels: { [Z]: 'z1' }, alloc: { cpu: 2000, memory: 8 * GI, pods: 110 } },
  { name: 'c', labels: { [Z]: 'z2' }, alloc: { cpu: 2000, memory: 8 * GI, pods: 110 } },
  { name: 'd', labels: { [Z]: 'z2' }, alloc: { cpu: 2000, memory: 8 * GI, pods: 110 } },
];

const policy = (w: Partial<Record<'FirstFit' | 'RoundRobin' | 'UniformRandom', number>>): Profile => onlyScores(w);

/** Schedules `count` one-CPU pods in turn; when `assume`, each is added to its node before the next cycle. */
function placements(profile: Profile, nodes: NodeDesc[], count: number, assume: boolean, seed = 1, cpu = 1000): string[] {
  const c = cluster(nodes);
  const k = new Kernel(profile);
  const state = { nextStartNodeIndex: 0 };
  const rng = new RngStream(seed, 'scheduler');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const pod = makePod(`p${i}`, makeSpec([{ cpu, memory: GI }]));
    const d = k.schedule(c.t, inputOf(pod), state, rng, { pods: c.pods });
    out.push(d.node < 0 ? '-' : c.t.names[d.node]);
    if (assume && d.node >= 0) c.pods.add(`Pod/default/p${i}`, pod, d.node, podRequests(pod.spec), []);
  }
  return out;
}

test('configuration: the policies are score plugins enabled by name, with weights; off by default', () => {
  for (const name of ['FirstFit', 'RoundRobin', 'UniformRandom']) assert.is(scoreWeight(DEFAULT_PROFILE, name), 0);
  const p = parse(`profiles:
- schedulerName: ff
  plugins:
    score:
      disabled: [{name: "*"}]
      enabled: [{name: FirstFit, weight: 3}]
- schedulerName: mixed
  plugins:
    multiPoint:
      enabled: [{name: RoundRobin}, {name: UniformRandom, weight: 2}]
  pluginConfig:
    - {name: RoundRobin, args: {}}
`);
  const [ff, mixed] = p.profiles;
  assert.is(scoreWeight(ff, 'FirstFit'), 3);
  assert.is(scoreWeight(ff, 'NodeResourcesFit'), 0, '"*" disabled the default score plugins');
  assert.is(scoreWeight(mixed, 'RoundRobin'), 1, 'no weight → 1');
  assert.is(scoreWeight(mixed, 'UniformRandom'), 2);
  assert.is(scoreWeight(mixed, 'NodeResourcesFit'), 1, 'the defaults stay enabled beside them');
  assert.equal(p.ignoredPlugins, []);
  const err = expectInputError(() => parse('profiles:\n- pluginConfig:\n  - {name: FirstFit, args: {start: 3}}\n'));
  assert.match(err.message, /start/);
  const notFilter = expectInputError(() => parse('profiles:\n- plugins:\n    filter:\n      enabled: [{name: RoundRobin}]\n'));
  assert.match(notFilter.message, /plugin RoundRobin does not implement the filter extension point/);
  // The FGD study's RandomScore stays the GPU replay's plugin; it does not turn on UniformRandom.
  const gpu = parse('profiles:\n- plugins:\n    score:\n      enabled: [{name: RandomScore}]\n');
  assert.is(scoreWeight(gpu.profiles[0], 'UniformRandom'), 0);
});

test('FirstFit: pods fill the first node in NodeTree order, then the next (a, c, b, d)', () => {
  // Two one-CPU pods fit per node.
  assert.equal(placements(policy({ FirstFit: 1 }), FOUR, 9, true), ['a', 'a', 'c', 'c', 'b', 'b', 'd', 'd', '-']);
  // Without assuming the pods, the first node always wins.
  assert.equal(placements(policy({ FirstFit: 1 }), FOUR, 3, false), ['a', 'a', 'a']);
});

test('RoundRobin: rotates over the nodes in NodeTree order and skips the nodes a pod does not fit', () => {
  assert.equal(placements(policy({ RoundRobin: 1 }), FOUR, 6, false), ['a', 'c', 'b', 'd', 'a', 'c']);
  const smallB = FOUR.map((n) => (n.name === 'b' ? { ...n, alloc: { cpu: 500, memory: 8 * GI, pods: 110 } } : n));
  assert.equal(placements(policy({ RoundRobin: 1 }), smallB, 5, false), ['a', 'c', 'd', 'a', 'c']);
  // With the pods assumed, each node takes two and then the cluster is full.
  assert.equal(placements(policy({ RoundRobin: 1 }), FOUR, 9, true), ['a', 'c', 'b', 'd', 'a', 'c', 'b', 'd', '-']);
});

test('UniformRandom: the feasible node at index int(found) of the scheduler stream, deterministic per seed', () => {
  const order = ['a', 'c', 'b', 'd'];
  const seen = new Set<string>();
  for (let seed = 1; seed <= 30; seed++) {
    // The first cycle: four feasible nodes in search order, one draw int(4), a unique top score (no tie draw).
    const expected = order[new RngStream(seed, 'scheduler').int(4)];
    const got = placements(policy({ UniformRandom: 1 }), FOUR, 1, false, seed);
    assert.equal(got, [expected], `seed ${seed}`);
    seen.add(expected);
  }
  assert.is(seen.size, 4, 'every node is drawn under some seed');
  assert.equal(placements(policy({ UniformRandom: 1 }), FOUR, 8, true, 5), placements(policy({ UniformRandom: 1 }), FOUR, 8, true, 5));
});

test('a policy mixes with upstream scores by weight: FirstFit (100) outweighs a LeastAllocated gap of 37', () => {
  // a already holds 1.5 of its 2 CPUs; a 400m pod scores LeastAllocated
  //   a: cpu (2000-1900)*100/2000 = 5, memory (8-1)*100/8 = 87 → (5+87)/2 = 46;  b, c: cpu 80, memory 87 → 83.
  // FirstFit adds 100 to a (the first node): 146 against 83, so a wins; without it b or c would.
  const c = cluster(FOUR.slice(0, 3), [{ name: 'x', node: 'a', requests: { cpu: 1500, memory: 0 } }]);
  const pod = inputOf(makePod('p', makeSpec([{ cpu: 400, memory: GI }])));
  const k = new Kernel(onlyScores({ NodeResourcesFit: 1, FirstFit: 1 }));
  const d = k.schedule(c.t, pod, { nextStartNodeIndex: 0 }, new RngStream(1, 'scheduler'), { pods: c.pods });
  assert.is(c.t.names[d.node], 'a');
  const fitOnly = new Kernel(onlyScores({ NodeResourcesFit: 1 }));
  const d2 = fitOnly.schedule(c.t, pod, { nextStartNodeIndex: 0 }, new RngStream(1, 'scheduler'), { pods: c.pods });
  assert.ok(c.t.names[d2.node] !== 'a', 'without FirstFit the emptier nodes win');
});

test('in a simulation: FirstFit packs 8 one-CPU pods onto 2 of 10 four-CPU nodes, RoundRobin puts them on 8', () => {
  const only = (name: string): string => `
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: KubeSchedulerConfiguration
      profiles:
        - plugins:
            score:
              disabled: [{name: "*"}]
              enabled: [{name: ${name}}]`;
  const s = scenarioFrom(`name: policies
duration: 2m
cluster:
  nodePools:
    - {name: n, count: 10, zones: [a, b], template: {cpu: "4", memory: 16Gi}}
workloads:
  - name: p
    arrival: {type: burst, count: 8}
    pod:
      spec:
        containers: [{name: c, image: pause, resources: {requests: {cpu: "1", memory: 1Gi}}}]
policies:
  - name: first-fit
    config: ${only('FirstFit')}
  - name: round-robin
    config: ${only('RoundRobin')}
  - name: random
    config: ${only('UniformRandom')}
`);
  const run = (name: string, seed = 1) => runOnce(s, s.policies.find((p) => p.name === name) as (typeof s.policies)[number], seed).summary;
  assert.is(run('first-fit').pods_running, 8);
  assert.is(run('first-fit').nodes_in_use_end, 2);
  assert.is(run('round-robin').nodes_in_use_end, 8);
  assert.equal(run('random', 3), run('random', 3), 'UniformRandom: same seed, same run');
});

test.run();
