/**
 * Upstream scheduler behaviours of docs/model/scheduler-fidelity.md: pod-level resources (PodLevelResources),
 * NodeResourcesFit ignoredResources/ignoredResourceGroups, terminating pods and PodTopologySpread, node affinity
 * values the scheduler cannot parse, and no preemption without nodes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Container, PodSpec } from '../engine/api/objects.js';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, podRequests } from '../engine/api/pod-resources.js';
import { parsePodSpec } from '../engine/scenario/manifests.js';
import { parseSchedulerConfig } from '../engine/scenario/scheduler-config.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { podInput } from '../engine/scheduler/pod-input.js';
import { DEFAULT_PROFILE, editProfile } from '../engine/scheduler/profile.js';
import { Client } from '../engine/api/api-server.js';
import { keyOf, type Pod } from '../engine/api/objects.js';
import { RngStream } from '../engine/core/rng.js';
import { MICROS_PER_SECOND } from '../engine/core/time.js';
import { DEFAULT_PARAMS, UNLIMITED } from '../engine/scenario/defaults.js';
import { ClusterSnapshot } from '../engine/cloud/cluster-snapshot.js';
import { Kernel } from '../engine/scheduler/kernel.js';
import { runOnce } from '../engine/run.js';
import { ERR_NO_NODES_AVAILABLE } from '../engine/scheduler/kernel.js';
import { Scheduler } from '../engine/scheduler/scheduler.js';
import { constantApi, expectInputError, makeNode, makePod, makeSpec, scenarioFrom } from './helpers.js';
import { EXISTS, cluster, inputOf, labeledPod, onlyScores, runCycle, scoreNodes, verdicts } from './scheduler-helpers.js';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

function ctr(name: string, requests: Record<string, number>, sidecar = false): Container {
  const c: Container = { name, image: 'pause', requests, limits: {}, ports: [] };
  return sidecar ? { ...c, restartPolicy: 'Always' } : c;
}

function specWith(
  podReq: Record<string, number> | undefined,
  containers: Container[],
  initContainers: Container[] = [],
  overhead: Record<string, number> = {},
): PodSpec {
  const base = makeSpec([], { containers, initContainers, overhead });
  return podReq === undefined ? base : { ...base, resources: { requests: podReq, limits: {} } };
}

/** The requests as a ResourceList, as upstream's tests compare them (zero cpu/memory left out). */
function asList(spec: PodSpec, podLevelResources = true): Record<string, number> {
  const r = podRequests(spec, podLevelResources);
  const out: Record<string, number> = {};
  if (r.cpu !== 0) out.cpu = r.cpu;
  if (r.memory !== 0) out.memory = r.memory;
  return { ...out, ...r.scalars };
}

// ---- 1. pod-level resources: component-helpers/resource/helpers_test.go TestPodLevelResourceRequests

const upstreamPodLevelCases: {
  name: string;
  gate: boolean;
  pod?: Record<string, number>;
  c: Container[];
  init?: Container[];
  want: Record<string, number>;
}[] = [
  { name: 'nil', gate: true, c: [], want: {} },
  { name: 'pod level memory resource with SkipPodLevelResources true', gate: false, pod: { memory: 2 * Mi }, c: [], want: {} },
  {
    name: 'pod level memory resource with SkipPodLevelResources false',
    gate: true,
    pod: { memory: 2 * Mi },
    c: [],
    want: { memory: 2 * Mi },
  },
  {
    name: 'pod level memory and container level cpu resources',
    gate: true,
    pod: { memory: 2 * Mi },
    c: [ctr('a', { cpu: 2 })],
    want: { memory: 2 * Mi, cpu: 2 },
  },
  {
    name: 'pod level unsupported resources set at both pod-level and container-level',
    gate: true,
    pod: { storage: 2 * Mi },
    c: [ctr('a', { storage: 3 * Mi })],
    want: { storage: 3 * Mi },
  },
  {
    name: 'pod level unsupported resources set at pod-level',
    gate: true,
    pod: { storage: 2 * Mi },
    c: [ctr('a', { memory: 3 * Mi })],
    want: { memory: 3 * Mi },
  },
  { name: 'only container level resources set', gate: true, c: [ctr('a', { memory: 3 * Mi, cpu: 2 })], want: { memory: 3 * Mi, cpu: 2 } },
  {
    name: 'both container-level and pod-level resources set',
    gate: true,
    pod: { memory: 6 * Mi, cpu: 8 },
    c: [ctr('a', { memory: 3 * Mi, cpu: 2 })],
    want: { memory: 6 * Mi, cpu: 8 },
  },
  {
    name: 'container-level resources and init container set (SkipPodLevelResources false)',
    gate: true,
    c: [ctr('a', { memory: 3 * Mi, cpu: 2 })],
    init: [ctr('i', { memory: 5 * Mi, cpu: 4 })],
    want: { memory: 5 * Mi, cpu: 4 },
  },
  {
    name: 'container-level resources and init container set (SkipPodLevelResources true)',
    gate: false,
    c: [ctr('a', { memory: 3 * Mi, cpu: 2 })],
    init: [ctr('i', { memory: 5 * Mi, cpu: 4 })],
    want: { memory: 5 * Mi, cpu: 4 },
  },
  {
    name: 'container-level resources and sidecar container set',
    gate: true,
    c: [ctr('a', { memory: 3 * Mi, cpu: 2 })],
    init: [ctr('s', { memory: 5 * Mi, cpu: 4 }, true)],
    want: { memory: 8 * Mi, cpu: 6 },
  },
  {
    name: 'container-level resources, init and sidecar container set',
    gate: true,
    c: [ctr('a', { memory: 3 * Mi, cpu: 2 })],
    init: [ctr('s', { memory: 5 * Mi, cpu: 4 }, true), ctr('i', { memory: 6 * Mi, cpu: 8 })],
    want: { memory: 11 * Mi, cpu: 12 },
  },
  {
    name: 'pod-level resources, container-level resources, init and sidecar container set',
    gate: true,
    pod: { memory: 15 * Mi, cpu: 18 },
    c: [ctr('a', { memory: 3 * Mi, cpu: 2 })],
    init: [ctr('s', { memory: 5 * Mi, cpu: 4 }, true), ctr('i', { memory: 6 * Mi, cpu: 8 })],
    want: { memory: 15 * Mi, cpu: 18 },
  },
];

for (const tc of upstreamPodLevelCases) {
  test(`PodRequests (upstream TestPodLevelResourceRequests): ${tc.name}`, () => {
    assert.equal(asList(specWith(tc.pod, tc.c, tc.init), tc.gate), tc.want);
  });
}

test('PodRequests: overhead is added on top of the pod-level requests (helpers.go PodRequests)', () => {
  const spec = specWith({ cpu: 1000 }, [ctr('a', { cpu: 200 })], [], { cpu: 250, memory: 64 * Mi });
  assert.equal(asList(spec), { cpu: 1250, memory: 64 * Mi });
  assert.equal(asList(spec, false), { cpu: 450, memory: 64 * Mi });
});

test('scheduler non-zero requests: defaults only for cpu/memory named neither at pod level nor by any container (getNonMissingContainerRequests)', () => {
  // Pod-level cpu only, two containers without requests: memory is missing everywhere, so each container counts 200Mi.
  const r = podRequests(specWith({ cpu: 3000 }, [ctr('a', {}), ctr('b', {})]));
  assert.is(r.cpu, 3000);
  assert.is(r.memory, 0);
  assert.is(r.nonZeroCpu, 3000);
  assert.is(r.nonZeroMemory, 2 * DEFAULT_MEMORY_REQUEST);
  // Pod-level cpu and memory: no default at all.
  const both = podRequests(specWith({ cpu: 3000, memory: Gi }, [ctr('a', {}), ctr('b', {})]));
  assert.is(both.nonZeroCpu, 3000);
  assert.is(both.nonZeroMemory, Gi);
  // Pod-level memory, one container naming cpu: cpu is not missing, so the other container gets no default.
  const named = podRequests(specWith({ memory: Gi }, [ctr('a', { cpu: 50 }), ctr('b', {})]));
  assert.is(named.nonZeroCpu, 50);
  // Without pod-level requests (or with the gate off) every container missing a request counts the default.
  const off = podRequests(specWith({ memory: Gi }, [ctr('a', { cpu: 50 }), ctr('b', {})]), false);
  assert.is(off.nonZeroCpu, 50 + DEFAULT_MILLI_CPU_REQUEST);
  assert.is(off.nonZeroMemory, 2 * DEFAULT_MEMORY_REQUEST);
});

function specYaml(yaml: string): PodSpec {
  const [f] = parseYamlDocuments(yaml, 'pod.yaml');
  return parsePodSpec(f);
}

test('spec.resources defaulting (SetDefaults_Pod defaultPodRequests): requests from the containers, then from the limits', () => {
  // No container requests: the pod-level requests default to the pod-level limits.
  const a = specYaml(`
containers: [{ name: a, image: x }]
resources: { limits: { cpu: "2", memory: 1Gi } }
`);
  assert.equal(a.resources?.requests, { cpu: 2000, memory: Gi });
  // A container requests cpu: the pod-level cpu request defaults to the containers' aggregate, memory to its limit.
  const b = specYaml(`
containers: [{ name: a, image: x, resources: { requests: { cpu: 500m } } }, { name: b, image: x, resources: { requests: { cpu: 250m } } }]
resources: { limits: { cpu: "2", memory: 1Gi } }
`);
  assert.equal(b.resources?.requests, { cpu: 750, memory: Gi });
  // Requests only: nothing is defaulted.
  const c = specYaml(`
containers: [{ name: a, image: x }]
resources: { requests: { memory: 1Gi } }
`);
  assert.equal(c.resources?.requests, { memory: Gi });
  // Absent or empty: no field, so the spec (and its pod-template-hash) is as before.
  assert.is('resources' in specYaml(`containers: [{ name: a, image: x }]`), false);
  assert.is('resources' in specYaml(`{ containers: [{ name: a, image: x }], resources: {} }`), false);
});

test('spec.resources validation (validatePodResources, validatePodResourceConsistency): refused with the field path', () => {
  const unsupported = expectInputError(() =>
    specYaml(`{ containers: [{ name: a, image: x }], resources: { requests: { ephemeral-storage: 1Gi } } }`),
  );
  assert.match(unsupported.message, 'resources.requests.ephemeral-storage');
  assert.match(unsupported.message, 'only cpu, memory and hugepages');
  const overLimit = expectInputError(() =>
    specYaml(`{ containers: [{ name: a, image: x }], resources: { requests: { cpu: "3" }, limits: { cpu: "2" } } }`),
  );
  assert.match(overLimit.message, 'resources.requests.cpu');
  const belowContainers = expectInputError(() =>
    specYaml(
      `{ containers: [{ name: a, image: x, resources: { requests: { cpu: "1" } } }, { name: b, image: x, resources: { requests: { cpu: "1" } } }], resources: { requests: { cpu: 1500m } } }`,
    ),
  );
  assert.match(belowContainers.message, "containers' aggregate request of 2000m");
  const containerLimit = expectInputError(() =>
    specYaml(
      `{ containers: [{ name: a, image: x, resources: { requests: { memory: 512Mi }, limits: { memory: 2Gi } } }], resources: { limits: { memory: 1Gi } } }`,
    ),
  );
  assert.match(containerLimit.message, 'resources.limits.memory');
});

const nodes1cpu = [{ name: 'n1', alloc: { cpu: 1000, memory: 4 * Gi, pods: 110 } }];

test('NodeResourcesFit filter uses the pod-level requests; with PodLevelResources off the containers decide', () => {
  // Containers ask 2 × 100m, the pod level 1500m: it does not fit a 1-cpu node (Insufficient cpu, for good).
  const spec = specWith({ cpu: 1500 }, [ctr('a', { cpu: 100 }), ctr('b', { cpu: 100 })]);
  const on = runCycle(DEFAULT_PROFILE, cluster(nodes1cpu), podInput(spec));
  assert.is(on.d.node, -1);
  assert.equal([...(on.d.diagnosis ?? new Map()).keys()], ['Insufficient cpu']);
  const off = runCycle(DEFAULT_PROFILE, cluster(nodes1cpu), podInput(spec, undefined, undefined, false));
  assert.is(off.d.node, 0);
  // Pod-level requests below the node's free capacity fit although containers alone would not be summed that way.
  const small = specWith({ cpu: 900 }, [ctr('a', { cpu: 450 }), ctr('b', { cpu: 450 })]);
  assert.is(runCycle(DEFAULT_PROFILE, cluster(nodes1cpu), podInput(small)).d.node, 0);
});

test('LeastAllocated and BalancedAllocation score the pod-level requests', () => {
  const nodes = [
    { name: 'a', alloc: { cpu: 4000, memory: 4 * Gi, pods: 110 } },
    { name: 'b', alloc: { cpu: 4000, memory: 4 * Gi, pods: 110 } },
  ];
  const c = cluster(nodes, [{ name: 'x', node: 'a', requests: { cpu: 1000, memory: Gi } }]);
  const spec = specWith({ cpu: 2000, memory: 2 * Gi }, [ctr('a', { cpu: 100, memory: 100 * Mi })]);
  const fit = scoreNodes(onlyScores({ NodeResourcesFit: 1 }), c, podInput(spec), ['a', 'b']);
  // LeastAllocated on a: cpu (4000-3000)*100/4000 = 25, memory (4-3)/4 → 25 → 25; on b: 50 and 50 → 50.
  assert.equal(fit, { a: 25, b: 50 });
  const withoutPodLevel = scoreNodes(onlyScores({ NodeResourcesFit: 1 }), c, podInput(spec, undefined, undefined, false), ['a', 'b']);
  assert.ok(withoutPodLevel.a > 25 && withoutPodLevel.b > 50);
  // BalancedAllocation: the same score as a pod whose one container asks what the pod level says, and not the
  // score of the containers' own requests.
  const same = specWith(undefined, [ctr('a', { cpu: 2000, memory: 2 * Gi })]);
  const bal = onlyScores({ NodeResourcesBalancedAllocation: 1 });
  const skewed = specWith({ cpu: 3000 }, [ctr('a', { cpu: 100, memory: 100 * Mi })]);
  const skewedSame = specWith(undefined, [ctr('a', { cpu: 3000, memory: 100 * Mi })]);
  assert.equal(scoreNodes(bal, c, podInput(spec), ['a', 'b']), scoreNodes(bal, c, podInput(same), ['a', 'b']));
  assert.equal(scoreNodes(bal, c, podInput(skewed), ['a', 'b']), scoreNodes(bal, c, podInput(skewedSame), ['a', 'b']));
  assert.not.equal(
    scoreNodes(bal, c, podInput(skewed), ['a', 'b']),
    scoreNodes(bal, c, podInput(skewed, undefined, undefined, false), ['a', 'b']),
  );
  for (const type of ['MostAllocated', 'RequestedToCapacityRatio'] as const) {
    const fitArgs = DEFAULT_PROFILE.args.NodeResourcesFit;
    const shape = [
      { utilization: 0, score: 0 },
      { utilization: 100, score: 10 },
    ];
    const p = onlyScores(
      { NodeResourcesFit: 1 },
      { args: { NodeResourcesFit: { ...fitArgs, scoringStrategy: { type, resources: fitArgs.scoringStrategy.resources, shape } } } },
    );
    assert.equal(scoreNodes(p, c, podInput(skewed), ['a', 'b']), scoreNodes(p, c, podInput(skewedSame), ['a', 'b']), type);
    assert.not.equal(
      scoreNodes(p, c, podInput(skewed), ['a', 'b']),
      scoreNodes(p, c, podInput(skewed, undefined, undefined, false), ['a', 'b']),
      type,
    );
  }
});

test('end to end: the scheduler places by pod-level requests and the kubelet admits by them (OutOfcpu)', () => {
  const sc = scenarioFrom(`
name: pod-level
duration: 2m
cluster:
  nodePools:
    - {name: n, count: 1, template: {cpu: "2", memory: 8Gi}}
workloads:
  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            resources: {requests: {cpu: 900m}}
            containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]
  - at: 30s
    manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: direct}
      spec:
        nodeName: n-0
        resources: {requests: {cpu: "3"}}
        containers: [{name: c, image: nginx}]
`);
  const r = runOnce(sc, sc.policies[0], 1);
  const pods = r.store.pods;
  const web = pods.filter((p) => p.metadata.labels.app === 'web');
  // 3 × 900m on a 2-cpu node: two are bound, the third stays pending (the containers alone would ask 300m).
  assert.is(web.filter((p) => p.spec.nodeName !== '').length, 2);
  const direct = pods.find((p) => p.metadata.name === 'direct');
  assert.is(direct?.status.phase, 'Failed');
  assert.is(direct?.status.reason, 'OutOfcpu');
});

test('KubeSchedulerConfiguration featureGates.PodLevelResources: false reaches the scheduler, which then binds by the containers', () => {
  const yaml = (gates: string) => `
name: pod-level-gate
duration: 1m
cluster:
  nodePools:
    - {name: n, count: 1, template: {cpu: "2", memory: 8Gi}}
workloads:
  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            resources: {requests: {cpu: 900m}}
            containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]
policies:
  - name: p
    config: {apiVersion: kubescheduler.config.k8s.io/v1, kind: KubeSchedulerConfiguration${gates}}
`;
  const run = (gates: string) => {
    const sc = scenarioFrom(yaml(gates));
    const web = runOnce(sc, sc.policies[0], 1).store.pods.filter((p) => p.metadata.labels.app === 'web');
    return { bound: web.filter((p) => p.spec.nodeName !== '').length, outOfCpu: web.filter((p) => p.status.reason === 'OutOfcpu').length };
  };
  assert.equal(run(''), { bound: 2, outOfCpu: 0 }, 'gate on (default): 900m each, two fit on 2 CPUs, the third waits');
  assert.equal(run(', featureGates: {PodLevelResources: true}'), { bound: 2, outOfCpu: 0 });
  // Gate off in the scheduler only: it binds a third pod by its containers' 100m, and the kubelet (gate on, as
  // upstream's default) rejects it at admission by its pod-level 900m (OutOfcpu); the ReplicaSet replaces it.
  const off = run(', featureGates: {PodLevelResources: false}');
  assert.ok(off.bound > 2 && off.outOfCpu > 0, JSON.stringify(off));
});

// ---- 2. NodeResourcesFitArgs ignoredResources / ignoredResourceGroups: fit.go fitsRequest; cases of fit_test.go TestEnoughRequests

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const fitArgs = (args: string) =>
  parseSchedulerConfig(
    parseYamlDocuments(`${HEAD}profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: ${args}\n`, 'cfg.yaml')[0],
  ).profiles[0];

// makeAllocatableResources(10, 20, 32, 5, 20, 5): 10m cpu, 20 bytes of memory, 32 pods, 5 example.com/aaa.
const fitNode = [{ name: 'n', alloc: { cpu: 10, memory: 20, pods: 32, 'example.com/aaa': 5, 'ephemeral-storage': 20 } }];
const extendedPod = (scalars: Record<string, number>) => podInput(specWith(undefined, [ctr('a', { cpu: 1, memory: 1, ...scalars })]));

test('ignoredResources: an ignored extended resource is not checked ("skip checking ignored extended resource")', () => {
  const profile = fitArgs('{ignoredResources: [example.com/bbb]}');
  assert.equal(profile.args.NodeResourcesFit.ignoredResources, ['example.com/bbb']);
  assert.is(runCycle(profile, cluster(fitNode), extendedPod({ 'example.com/bbb': 1 })).d.node, 0);
  // Not ignored: the node has none of it (Insufficient, UnschedulableAndUnresolvable since v1.34).
  const plain = runCycle(DEFAULT_PROFILE, cluster(fitNode), extendedPod({ 'example.com/bbb': 1 }));
  assert.equal([...(plain.d.diagnosis ?? new Map()).keys()], ['Insufficient example.com/bbb']);
  assert.is(plain.k.status[0], 2);
});

test('ignoredResourceGroups: the group before "/" of extended resources; kubernetes.io/ names are never ignored ("... via resource groups")', () => {
  const profile = fitArgs('{ignoredResourceGroups: [example.com, kubernetes.io]}');
  const { k, d } = runCycle(profile, cluster(fitNode), extendedPod({ 'example.com/bbb': 1, 'kubernetes.io/something': 1 }));
  assert.is(d.node, -1);
  assert.equal([...(d.diagnosis ?? new Map()).keys()], ['Insufficient kubernetes.io/something']);
  assert.is(k.status[0], 2);
  assert.is(runCycle(profile, cluster(fitNode), extendedPod({ 'example.com/bbb': 1 })).d.node, 0);
  // Only the Filter ignores them: the node's accounting and the other profiles still see the requests.
  assert.is(runCycle(DEFAULT_PROFILE, cluster(fitNode), extendedPod({ 'example.com/bbb': 1 })).d.node, -1);
});

// validation_pluginargs_test.go TestValidateFitArgs
const invalidFitArgs: [string, string, string][] = [
  ['IgnoredResources: too long value', `{ignoredResources: [${'a'.repeat(64)}]}`, 'ignoredResources[0]'],
  ['IgnoredResources: name is empty', '{ignoredResources: [example.com/]}', 'ignoredResources[0]'],
  ['IgnoredResources: name has too many slash', '{ignoredResources: [example.com/aaa/bbb]}', 'ignoredResources[0]'],
  ['IgnoredResourceGroups: illegal args', '{ignoredResourceGroups: [example.com/]}', 'ignoredResourceGroups[0]'],
  ['IgnoredResourceGroups: name is too long', `{ignoredResourceGroups: [${'a'.repeat(64)}]}`, 'ignoredResourceGroups[0]'],
  ['IgnoredResourceGroups: name cannot be contain slash', '{ignoredResourceGroups: [example.com/aa]}', 'ignoredResourceGroups[0]'],
];
for (const [name, args, path] of invalidFitArgs) {
  test(`NodeResourcesFitArgs validation (upstream TestValidateFitArgs): ${name}`, () => {
    const e = expectInputError(() => fitArgs(args));
    assert.is(e.path, `profiles[0].pluginConfig[0].args.${path}`);
  });
}

test('NodeResourcesFitArgs validation: valid names (upstream "IgnoredResources: valid args", "IgnoredResourceGroups: valid args")', () => {
  assert.equal(fitArgs('{ignoredResources: [example.com]}').args.NodeResourcesFit.ignoredResources, ['example.com']);
  assert.equal(fitArgs('{ignoredResourceGroups: [example.com]}').args.NodeResourcesFit.ignoredResourceGroups, ['example.com']);
  assert.match(expectInputError(() => fitArgs('{ignoredResourceGroups: [example.com/aa]}')).message, "can't contain '/'");
});

// ---- 3. terminating pods: PodTopologySpread skips them (common.go countPodsMatchSelector), InterPodAffinity does not

const hostNodes = ['node-a', 'node-b'].map((n) => ({ name: n, labels: { node: n, 'kubernetes.io/hostname': n } }));

test('PodTopologySpread Filter: terminating pods are not counted (upstream TestSingleConstraint "terminating Pods should be excluded")', () => {
  const pod = inputOf(
    labeledPod(
      'p',
      { foo: '' },
      {
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: 'node', whenUnsatisfiable: 'DoNotSchedule', labelSelector: EXISTS('foo'), matchLabelKeys: [] },
        ],
      },
    ),
  );
  const c = cluster(hostNodes, [
    { name: 'p-a', node: 'node-a', labels: { foo: '' }, terminating: true },
    { name: 'p-b', node: 'node-b', labels: { foo: '' } },
  ]);
  const { k } = runCycle(DEFAULT_PROFILE, c, pod);
  assert.equal(verdicts(k, c.t), { 'node-a': 0, 'node-b': 1 });
  // Counted, the terminating pod would make both nodes equal (skew 1 + 1 - 1 = 1 ≤ maxSkew on either).
  const counted = cluster(hostNodes, [
    { name: 'p-a', node: 'node-a', labels: { foo: '' } },
    { name: 'p-b', node: 'node-b', labels: { foo: '' } },
  ]);
  const r = runCycle(DEFAULT_PROFILE, counted, pod);
  assert.equal(verdicts(r.k, counted.t), { 'node-a': 0, 'node-b': 0 });
});

test('InterPodAffinity counts terminating pods (filtering.go iterates NodeInfo.Pods with no deletionTimestamp check)', () => {
  const term = {
    labelSelector: { matchLabels: { app: 'db' }, matchExpressions: [] },
    namespaces: [],
    topologyKey: 'kubernetes.io/hostname',
    matchLabelKeys: [],
    mismatchLabelKeys: [],
  };
  const c = cluster(hostNodes, [{ name: 'db', node: 'node-a', labels: { app: 'db' }, terminating: true }]);
  const antiPod = inputOf(labeledPod('web', { app: 'web' }, { affinity: { podAntiAffinity: { required: [term], preferred: [] } } }));
  const anti = runCycle(DEFAULT_PROFILE, c, antiPod);
  assert.equal(verdicts(anti.k, c.t), { 'node-a': 1, 'node-b': 0 });
  const affPod = inputOf(labeledPod('web', { app: 'web' }, { affinity: { podAffinity: { required: [term], preferred: [] } } }));
  const aff = runCycle(DEFAULT_PROFILE, c, affPod);
  assert.is(c.t.names[aff.d.node], 'node-a');
});

// ---- 4. node affinity values kube-scheduler cannot parse: accepted by the API server, the term matches no node

const podWithAffinity = (expr: string) =>
  specYaml(`
containers: [{ name: a, image: x }]
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms: ${expr}
`);
const fooNodes = [
  { name: 'bar', labels: { foo: 'bar', n: '5' } },
  { name: 'baz', labels: { foo: 'baz', n: '7' } },
];
const REASON_POD = "node(s) didn't match Pod's node affinity/selector";

test('node affinity: an invalid value is accepted and makes the pod UnschedulableAndUnresolvable (upstream TestNodeAffinity "invalid value in Affinity term")', () => {
  const spec = podWithAffinity(`[{ matchExpressions: [{ key: foo, operator: NotIn, values: ["invalid value: ___@#$%^"] }] }]`);
  assert.equal(spec.affinity?.nodeAffinity?.required?.nodeSelectorTerms[0].matchExpressions[0].values, ['invalid value: ___@#$%^']);
  const c = cluster(fooNodes);
  const { k, d } = runCycle(DEFAULT_PROFILE, c, podInput(spec));
  assert.is(d.node, -1);
  assert.equal(d.diagnosis, new Map([[REASON_POD, 2]]));
  assert.equal(verdicts(k, c.t), { bar: 2, baz: 2 });
});

test('node affinity: In with one invalid value and Gt with a non-integer fail their whole term; another term still matches (LazyErrorNodeSelector)', () => {
  const c = cluster(fooNodes);
  // In [bar, "not valid!"]: the valid value does not rescue the term.
  const inBad = runCycle(
    DEFAULT_PROFILE,
    c,
    podInput(podWithAffinity(`[{ matchExpressions: [{ key: foo, operator: In, values: [bar, "not valid!"] }] }]`)),
  );
  assert.is(inBad.d.node, -1);
  const gtBad = runCycle(
    DEFAULT_PROFILE,
    c,
    podInput(podWithAffinity(`[{ matchExpressions: [{ key: n, operator: Gt, values: ["4.5"] }] }]`)),
  );
  assert.is(gtBad.d.node, -1);
  assert.equal(verdicts(gtBad.k, c.t), { bar: 2, baz: 2 });
  // Terms are ORed: the parsable term selects baz.
  const spec = podWithAffinity(
    `[{ matchExpressions: [{ key: foo, operator: NotIn, values: ["@@"] }] }, { matchExpressions: [{ key: foo, operator: In, values: [baz] }] }]`,
  );
  const ok = runCycle(DEFAULT_PROFILE, c, podInput(spec));
  assert.is(c.t.names[ok.d.node], 'baz');
  assert.equal(verdicts(ok.k, c.t), { bar: 2, baz: 0 });
});

test('node affinity: the cluster autoscaler simulation sees the same (an unparsable term fits no node)', () => {
  const node = makeNode('bar', { cpu: 4000, memory: 4 * Gi, pods: 110 }, { foo: 'bar' });
  const kernel = new Kernel(DEFAULT_PROFILE);
  const snapshot = new ClusterSnapshot({ kernelFor: () => kernel, defaultSelector: () => undefined, lastIndex: 0 }, 4);
  const row = snapshot.addNode(node);
  const good = makePod('p', podWithAffinity(`[{ matchExpressions: [{ key: foo, operator: NotIn, values: [baz] }] }]`));
  const bad = makePod('q', podWithAffinity(`[{ matchExpressions: [{ key: foo, operator: NotIn, values: ["baz!"] }] }]`));
  assert.is(snapshot.fits(good, row), true);
  assert.is(snapshot.fits(bad, row), false);
});

test('node affinity: values the scheduler cannot parse stay refused where kube-scheduler refuses or errors (addedAffinity, preferred terms)', () => {
  const added = expectInputError(() =>
    parseSchedulerConfig(
      parseYamlDocuments(
        `${HEAD}profiles:\n- pluginConfig:\n  - name: NodeAffinity\n    args: {addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: foo, operator: In, values: ["a b"]}]}]}}}\n`,
        'cfg.yaml',
      )[0],
    ),
  );
  assert.match(added.message, 'invalid label value');
});

test('node affinity: a preferred term the scheduler cannot parse is accepted; NodeAffinity PreScore then fails the cycle with an error (SchedulerError, no PostFilter)', () => {
  const spec = specYaml(`
containers: [{ name: a, image: x }]
affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: foo, operator: In, values: ["a b"] }] } }] } }
`);
  const c = cluster(fooNodes);
  const { d } = runCycle(DEFAULT_PROFILE, c, podInput(spec));
  assert.is(d.node, -1);
  assert.is(d.error?.reason, 'SchedulerError');
  assert.match(d.error?.message ?? '', 'running PreScore plugin "NodeAffinity"');
  assert.is(d.diagnosis, undefined);
  // PreScore only runs with more than one feasible node, and only when NodeAffinity scores.
  const one = { ...spec, nodeSelector: { foo: 'baz' } };
  assert.is(c.t.names[runCycle(DEFAULT_PROFILE, c, podInput(one)).d.node], 'baz');
  assert.ok(runCycle(editProfile(DEFAULT_PROFILE, { weights: { NodeAffinity: 0 } }), c, podInput(spec)).d.node >= 0);
});

// ---- 5. no nodes: schedule_one.go ErrNoNodesAvailable

function schedulerHarness(podLevelResources?: boolean) {
  const { sim, api } = constantApi();
  const attempts: { t: number; message: string }[] = [];
  const sched = new Scheduler(
    sim,
    api,
    [DEFAULT_PROFILE],
    { ...DEFAULT_PARAMS.scheduler, client: UNLIMITED, ...(podLevelResources === undefined ? {} : { podLevelResources }) },
    new RngStream(1, 'scheduler'),
    { seen: () => undefined, attempt: (_p, _k, node, _d, message) => attempts.push({ t: sim.now, message: node ?? message }) },
  );
  return { sim, api, sched, attempts, client: new Client('test', UNLIMITED) };
}

test('no nodes: "no nodes available to schedule pods", no preemption, retried after its backoff (error backoff), not on a node add', () => {
  const { sim, api, sched, attempts, client } = schedulerHarness();
  const S = MICROS_PER_SECOND;
  // A high-priority pod: with nodes and lower-priority victims it would preempt.
  api.create(client, makePod('p', makeSpec([{ cpu: 100 }], { priority: 1000 })));
  sim.run(20 * S);
  assert.ok(attempts.length >= 4, `attempts ${attempts.length}`);
  for (const a of attempts) assert.is(a.message, ERR_NO_NODES_AVAILABLE);
  // Backoff 1 s, 2 s, 4 s, 8 s (podInitialBackoff 1 s doubling): the retries are spaced by the backoff, never popped early.
  const gaps = attempts.slice(1).map((a, i) => a.t - attempts[i].t);
  for (let i = 0; i < gaps.length; i++) assert.ok(gaps[i] >= Math.min(2 ** i, 10) * S, `gap ${i}: ${gaps[i]}`);
  assert.is(sched.preemptions, 0);
  const stored = api.get('Pod', 'default', 'p') as Pod;
  assert.is(stored.status.reason, 'Unschedulable');
  assert.is(stored.status.message, ERR_NO_NODES_AVAILABLE);
  // A node added now does not move the pod (it is in error backoff, not unschedulablePods): it is bound when its backoff ends.
  const last = attempts[attempts.length - 1].t;
  api.create(client, makeNode('n1', { cpu: 4000, memory: 4 * Gi, pods: 110 }));
  const added = sim.now;
  sim.run(60 * S);
  const bound = attempts.find((a) => a.message === 'n1');
  assert.ok(bound !== undefined);
  assert.ok(bound.t >= last + 10 * S - S && bound.t > added + S / 2, `bound at ${bound.t}, last failure ${last}, node added ${added}`);
  assert.is((api.get('Pod', 'default', 'p') as Pod).spec.nodeName, 'n1');
  assert.is(keyOf(stored), 'Pod/default/p');
});

test('PreScore error (unparsable preferred node affinity): reason SchedulerError, retried after its backoff, no preemption', () => {
  const { sim, api, sched, attempts, client } = schedulerHarness();
  const S = MICROS_PER_SECOND;
  api.create(client, makeNode('n1', { cpu: 4000, memory: 4 * Gi, pods: 110 }));
  api.create(client, makeNode('n2', { cpu: 4000, memory: 4 * Gi, pods: 110 }));
  sim.run(S / 10);
  const spec = makeSpec([{ cpu: 100 }], {
    priority: 1000,
    affinity: {
      nodeAffinity: {
        preferred: [{ weight: 1, preference: { matchExpressions: [{ key: 'foo', operator: 'Gt', values: ['x'] }], matchFields: [] } }],
      },
    },
  });
  api.create(client, makePod('p', spec));
  sim.run(10 * S);
  assert.ok(attempts.length >= 3);
  for (const a of attempts) assert.match(a.message, 'running PreScore plugin "NodeAffinity"');
  const gaps = attempts.slice(1).map((a, i) => a.t - attempts[i].t);
  for (let i = 0; i < gaps.length; i++) assert.ok(gaps[i] >= 2 ** i * S, `gap ${i}: ${gaps[i]}`);
  assert.is(sched.preemptions, 0);
  assert.is((api.get('Pod', 'default', 'p') as Pod).status.reason, 'SchedulerError');
});

test('SchedulerParams.podLevelResources (the PodLevelResources gate): default on; off, the scheduler places and accounts by the containers', () => {
  for (const gate of [undefined, true, false]) {
    const { sim, api, attempts, sched, client } = schedulerHarness(gate);
    api.create(client, makeNode('n1', { cpu: 2000, memory: 4 * Gi, pods: 110 }));
    sim.run(MICROS_PER_SECOND / 10);
    // Two pods of 100m containers and 1500m at the pod level: one fits with the gate on, both with it off.
    for (const name of ['a', 'b'])
      api.create(client, makePod(name, { ...makeSpec([{ cpu: 100 }]), resources: { requests: { cpu: 1500 }, limits: {} } }));
    sim.run(5 * MICROS_PER_SECOND);
    const bound = attempts.filter((a) => a.message === 'n1').length;
    assert.is(bound, gate === false ? 2 : 1, `gate ${gate}`);
    assert.is(sched.table.reqCpu[0], gate === false ? 200 : 1500, `gate ${gate}`);
  }
});

test.run();
