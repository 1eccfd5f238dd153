/** KubeSchedulerConfiguration v1 → profiles, resolved as upstream's default_plugins.go mergePlugins. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSchedulerConfig } from '../engine/scenario/scheduler-config.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { InputError } from '../engine/scenario/input-error.js';
import { expectInputError } from './helpers.js';
import { enabledAt, preemptionOf, scoreWeight } from '../engine/scheduler/profile.js';
import { pluginDescriptor } from '../engine/scheduler/framework/registry.js';

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const parse = (body: string) => parseSchedulerConfig(parseYamlDocuments(HEAD + body, 'cfg.yaml')[0]);

test('no profiles: the upstream default profile with default weights and QPS', () => {
  const p = parse('');
  assert.is(p.profiles.length, 1);
  const d = p.profiles[0];
  assert.is(d.schedulerName, 'default-scheduler');
  assert.is(scoreWeight(d, 'NodeResourcesFit'), 1);
  assert.is(scoreWeight(d, 'NodeResourcesBalancedAllocation'), 1);
  assert.is(d.args.NodeResourcesFit.scoringStrategy.type, 'LeastAllocated');
  assert.equal(p.client, { qps: 50, burst: 100 });
  // Every plugin of the default set is modeled now (the volume plugins and DynamicResources act on pods with claims).
  assert.equal(p.ignoredPlugins, []);
  assert.is(pluginDescriptor('DynamicResources')?.support, 'modeled');
  assert.is(scoreWeight(d, 'PodTopologySpread'), 2);
  assert.is(scoreWeight(d, 'InterPodAffinity'), 2);
  assert.is(d.args.InterPodAffinity.hardPodAffinityWeight, 1);
  assert.equal(
    d.args.PodTopologySpread.constraints.map((c) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable]),
    [
      ['kubernetes.io/hostname', 3, 'ScheduleAnyway'],
      ['topology.kubernetes.io/zone', 5, 'ScheduleAnyway'],
    ],
  );
  assert.equal(preemptionOf(d), { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 });
});

test('score plugins: disable one, re-weight another, "*" disables every default of a point', () => {
  const p = parse(`profiles:
- schedulerName: pack
  plugins:
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}]
      enabled: [{name: NodeResourcesFit, weight: 5}]
- schedulerName: nothing-scores
  plugins:
    score:
      disabled: [{name: "*"}]
`);
  assert.is(scoreWeight(p.profiles[0], 'NodeResourcesBalancedAllocation'), 0);
  assert.is(scoreWeight(p.profiles[0], 'NodeResourcesFit'), 5);
  assert.is(scoreWeight(p.profiles[1], 'NodeResourcesFit'), 0);
  assert.is(scoreWeight(p.profiles[1], 'NodeResourcesBalancedAllocation'), 0);
  assert.ok(enabledAt(p.profiles[1], 'filter', 'NodeResourcesFit'), 'filters stay');
});

test('multiPoint disable removes a plugin from every point; per-profile percentageOfNodesToScore', () => {
  const p = parse(`percentageOfNodesToScore: 30
clientConnection: {qps: 500, burst: 600}
profiles:
- plugins:
    multiPoint:
      disabled: [{name: NodeResourcesFit}]
- schedulerName: other
  percentageOfNodesToScore: 70
`);
  assert.is(enabledAt(p.profiles[0], 'filter', 'NodeResourcesFit'), false);
  assert.is(scoreWeight(p.profiles[0], 'NodeResourcesFit'), 0);
  assert.is(p.profiles[0].percentageOfNodesToScore, 30);
  assert.is(p.profiles[1].percentageOfNodesToScore, 70);
  assert.equal(p.client, { qps: 500, burst: 600 });
});

test('pluginConfig: scoring strategies and their validation', () => {
  const p = parse(`profiles:
- pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: RequestedToCapacityRatio
        resources: [{name: cpu, weight: 3}, {name: memory}]
        requestedToCapacityRatio:
          shape: [{utilization: 0, score: 10}, {utilization: 100, score: 0}]
`);
  const s = p.profiles[0].args.NodeResourcesFit.scoringStrategy;
  assert.is(s.type, 'RequestedToCapacityRatio');
  assert.equal(s.resources, [
    { name: 'cpu', weight: 3 },
    { name: 'memory', weight: 1 },
  ]);
  assert.equal(s.shape, [
    { utilization: 0, score: 10 },
    { utilization: 100, score: 0 },
  ]);
});

const errorOf = (body: string): InputError => expectInputError(() => parse(body));

test('errors name the field: unknown plugin, bad weight, decreasing shape, wrong apiVersion', () => {
  let e = errorOf('profiles:\n- plugins:\n    score:\n      enabled: [{name: NodeResourceFit}]\n');
  assert.is(e.path, 'profiles[0].plugins.score.enabled[0].name');
  assert.match(e.detail, /unknown plugin "NodeResourceFit"/);
  assert.is(e.line, 6);
  e = errorOf(
    'profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {resources: [{name: cpu, weight: 0}]}}\n',
  );
  assert.match(e.path, /scoringStrategy\.resources\[0\]\.weight$/);
  e = errorOf(
    'profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: RequestedToCapacityRatio\n        requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 10, score: 2}]}\n',
  );
  assert.match(e.detail, /strictly increasing/);
  e = errorOf('profiles:\n- plugins:\n    filter:\n      enabled: [{name: ImageLocality}]\n');
  assert.match(e.detail, /does not implement the filter extension point/);
  let threw = false;
  try {
    parseSchedulerConfig(
      parseYamlDocuments('apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n', 'cfg.yaml')[0],
    );
  } catch (err) {
    threw = err instanceof InputError && err.path === 'apiVersion';
  }
  assert.ok(threw, 'v1beta3 is refused at apiVersion');
});

test('pluginConfig: PodTopologySpread List defaults, InterPodAffinity and DefaultPreemption args; disabling postFilter', () => {
  const p = parse(`profiles:
- schedulerName: a
  pluginConfig:
  - name: PodTopologySpread
    args:
      defaultingType: List
      defaultConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}]
  - name: InterPodAffinity
    args: {hardPodAffinityWeight: 0, ignorePreferredTermsOfExistingPods: true}
  - name: DefaultPreemption
    args: {minCandidateNodesPercentage: 20, minCandidateNodesAbsolute: 5}
- schedulerName: b
  plugins:
    postFilter: {disabled: [{name: DefaultPreemption}]}
`);
  const a = p.profiles[0];
  assert.equal(a.args.PodTopologySpread, {
    defaultingType: 'List',
    constraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', matchLabelKeys: [] }],
  });
  assert.is(a.args.InterPodAffinity.hardPodAffinityWeight, 0);
  assert.is(a.args.InterPodAffinity.ignorePreferredTermsOfExistingPods, true);
  assert.equal(preemptionOf(a), { minCandidateNodesPercentage: 20, minCandidateNodesAbsolute: 5 });
  assert.is(preemptionOf(p.profiles[1]), null);
  assert.ok(enabledAt(p.profiles[1], 'filter', 'PodTopologySpread') && enabledAt(p.profiles[1], 'filter', 'InterPodAffinity'));
});

test('pluginConfig errors: System defaulting with constraints, a selector in a default constraint, both candidate minimums 0', () => {
  let e = expectInputError(() =>
    parse(`profiles:
- pluginConfig:
  - name: PodTopologySpread
    args: {defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}]}
`),
  );
  assert.is(e.path, 'profiles[0].pluginConfig[0].args.defaultConstraints');
  e = expectInputError(() =>
    parse(`profiles:
- pluginConfig:
  - name: PodTopologySpread
    args: {defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {}}]}
`),
  );
  assert.is(e.path, 'profiles[0].pluginConfig[0].args.defaultConstraints[0].labelSelector');
  e = expectInputError(() =>
    parse(`profiles:
- pluginConfig:
  - name: DefaultPreemption
    args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}
`),
  );
  assert.is(e.path, 'profiles[0].pluginConfig[0].args');
  e = expectInputError(() =>
    parse(`profiles:
- pluginConfig:
  - name: InterPodAffinity
    args: {hardPodAffinityWeight: 101}
`),
  );
  assert.is(e.path, 'profiles[0].pluginConfig[0].args.hardPodAffinityWeight');
});

test.run();
