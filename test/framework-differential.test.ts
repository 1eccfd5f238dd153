/**
 * The fused kernel (kernel.ts) against the plain plugin-by-plugin runtime (framework/runtime.ts) on randomized
 * clusters (issue 13 item 1): for every pod of a random stream, both must pick the same node after visiting the
 * same nodes, keep the same feasible nodes with the same total scores, give the same diagnosis and rejector
 * plugins when nothing fits, and leave the scheduler's random stream in the same state (same tie-break and
 * UniformRandom draws). Each placement is then bound into the shared cache, so later pods see a filling cluster.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Node, Pod, PodSpec, Taint, Toleration, TopologySpreadConstraint } from '../engine/api/objects.js';
import { podRequests } from '../engine/api/pod-resources.js';
import { RngStream } from '../engine/core/rng.js';
import { AssignedPods } from '../engine/scheduler/assigned-pods.js';
import { Kernel, type SearchState } from '../engine/scheduler/kernel.js';
import { NodeTable } from '../engine/scheduler/node-table.js';
import { podInput } from '../engine/scheduler/pod-input.js';
import { hostPorts } from '../engine/scheduler/plugins/node-ports/index.js';
import { PluginRuntime } from '../engine/scheduler/framework/runtime.js';
import { DEFAULT_ARGS, DEFAULT_PROFILE, editProfile, type Profile } from '../engine/scheduler/profile.js';
import type { ScoringStrategy } from '../engine/scheduler/plugins/node-resources-fit/index.js';
import { makeNode, makePod, makeSpec } from './helpers.js';

const ZONES = ['z1', 'z2', 'z3'];
const APPS = ['web', 'db', 'cache', 'batch'];
const IMAGES = ['img-a', 'img-b', 'img-c'];

function pick<T>(rng: RngStream, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

function randomNode(rng: RngStream, i: number): Node {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': `n${i}` };
  if (rng.int(10) > 0) labels['topology.kubernetes.io/zone'] = pick(rng, ZONES);
  if (rng.int(2) === 0) labels.disk = pick(rng, ['ssd', 'hdd']);
  const alloc: Record<string, number> = {
    cpu: pick(rng, [0, 2000, 4000, 8000, 16000]),
    memory: pick(rng, [0, 4, 8, 16, 32]) * 2 ** 30,
    pods: pick(rng, [3, 10, 110]),
  };
  if (rng.int(3) === 0) alloc['example.com/gpu'] = rng.int(4);
  const node = makeNode(`n${i}`, alloc, labels, rng.int(12) === 0);
  const taints: Taint[] = [];
  if (rng.int(6) === 0) taints.push({ key: 'dedicated', value: pick(rng, ['a', 'b']), effect: 'NoSchedule' });
  if (rng.int(4) === 0) taints.push({ key: 'spot', value: 'true', effect: 'PreferNoSchedule' });
  const images = IMAGES.filter(() => rng.int(3) === 0).map((name) => ({ names: [name], sizeBytes: (50 + rng.int(900)) * 2 ** 20 }));
  return { ...node, spec: { ...node.spec, taints }, status: { ...node.status, images } };
}

function randomSpec(rng: RngStream, app: string): PodSpec {
  const requests: Record<string, number> = {};
  if (rng.int(5) > 0) requests.cpu = pick(rng, [100, 500, 1000, 3000]);
  if (rng.int(5) > 0) requests.memory = pick(rng, [128, 512, 2048, 6144]) * 2 ** 20;
  if (rng.int(8) === 0) requests['example.com/gpu'] = 1;
  const extra: { -readonly [K in keyof PodSpec]?: PodSpec[K] } = {};
  if (rng.int(6) === 0) extra.nodeSelector = { disk: pick(rng, ['ssd', 'hdd']) };
  const tolerations: Toleration[] = [];
  if (rng.int(4) === 0) tolerations.push({ key: 'dedicated', operator: 'Equal', value: 'a', effect: 'NoSchedule' });
  if (rng.int(4) === 0) tolerations.push({ key: 'spot', operator: 'Exists', value: '', effect: '' });
  extra.tolerations = tolerations;
  const nodeAffinity =
    rng.int(4) === 0
      ? {
          ...(rng.int(2) === 0
            ? {
                required: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [
                        { key: 'topology.kubernetes.io/zone', operator: 'In' as const, values: [pick(rng, ZONES), pick(rng, ZONES)] },
                      ],
                      matchFields: [],
                    },
                  ],
                },
              }
            : {}),
          preferred: [
            {
              weight: 1 + rng.int(100),
              preference: { matchExpressions: [{ key: 'disk', operator: 'In' as const, values: ['ssd'] }], matchFields: [] },
            },
          ],
        }
      : undefined;
  const sel = { matchLabels: { app }, matchExpressions: [] };
  const term = (key: string) => ({ labelSelector: sel, namespaces: [], topologyKey: key, matchLabelKeys: [], mismatchLabelKeys: [] });
  const podAffinity = rng.int(6) === 0 ? { required: [term('topology.kubernetes.io/zone')], preferred: [] } : undefined;
  const podAntiAffinity =
    rng.int(5) === 0
      ? rng.int(2) === 0
        ? { required: [term('kubernetes.io/hostname')], preferred: [] }
        : { required: [], preferred: [{ weight: 1 + rng.int(100), term: term('kubernetes.io/hostname') }] }
      : undefined;
  if (nodeAffinity !== undefined || podAffinity !== undefined || podAntiAffinity !== undefined)
    extra.affinity = { nodeAffinity, podAffinity, podAntiAffinity };
  const spread: TopologySpreadConstraint[] = [];
  if (rng.int(4) === 0)
    spread.push({
      maxSkew: 1 + rng.int(2),
      topologyKey: pick(rng, ['topology.kubernetes.io/zone', 'kubernetes.io/hostname']),
      whenUnsatisfiable: rng.int(2) === 0 ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: sel,
      matchLabelKeys: [],
    });
  if (spread.length > 0) extra.topologySpreadConstraints = spread;
  const spec = makeSpec([requests], extra);
  const image = rng.int(3) === 0 ? pick(rng, IMAGES) : 'pause';
  const ports = rng.int(10) === 0 ? [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' as const }] : [];
  return { ...spec, containers: spec.containers.map((c) => ({ ...c, image, ports })) };
}

function randomPod(rng: RngStream, name: string): Pod {
  const app = pick(rng, APPS);
  const p = makePod(name, randomSpec(rng, app));
  return { ...p, metadata: { ...p.metadata, labels: { app }, namespace: rng.int(5) === 0 ? 'other' : 'default' } };
}

const profiles: Record<string, Profile> = {
  default: DEFAULT_PROFILE,
  'most-allocated': fitArgs({ ...DEFAULT_ARGS.NodeResourcesFit.scoringStrategy, type: 'MostAllocated' }),
  'rtcr-gpu': editProfile(
    fitArgs({
      type: 'RequestedToCapacityRatio',
      resources: [
        { name: 'cpu', weight: 2 },
        { name: 'memory', weight: 1 },
        { name: 'example.com/gpu', weight: 3 },
      ],
      shape: [
        { utilization: 0, score: 0 },
        { utilization: 100, score: 10 },
      ],
    }),
    {
      args: {
        NodeResourcesBalancedAllocation: {
          resources: [
            { name: 'cpu', weight: 1 },
            { name: 'memory', weight: 1 },
            { name: 'example.com/gpu', weight: 1 },
          ],
        },
      },
    },
  ),
  'policies-30pct': editProfile(DEFAULT_PROFILE, {
    percentageOfNodesToScore: 30,
    weights: { FirstFit: 1, RoundRobin: 2, UniformRandom: 1 },
  }),
  'balanced-only': editProfile(DEFAULT_PROFILE, { weights: { NodeResourcesFit: 0, TaintToleration: 0, ImageLocality: 5 } }),
  // Filters in another order than the default (the diagnosis follows the profile's order).
  'reordered-filters': editProfile(DEFAULT_PROFILE, {
    disable: [
      { name: 'NodeUnschedulable', points: ['filter'] },
      { name: 'TaintToleration', points: ['filter'] },
    ],
    enable: [
      { name: 'TaintToleration', points: ['filter'] },
      { name: 'NodeUnschedulable', points: ['filter'] },
    ],
  }),
};

function fitArgs(scoringStrategy: ScoringStrategy): Profile {
  return editProfile(DEFAULT_PROFILE, { args: { NodeResourcesFit: { ...DEFAULT_ARGS.NodeResourcesFit, scoringStrategy } } });
}

for (const [name, profile] of Object.entries(profiles)) {
  test(`fused kernel = plugin-by-plugin runtime on randomized clusters (${name})`, () => {
    let cycles = 0;
    let scored = 0;
    let failed = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const gen = new RngStream(seed, `cluster-${name}`);
      const nodes = 1 + gen.int(seed % 2 === 0 ? 260 : 40);
      const t = new NodeTable(4);
      for (let i = 0; i < nodes; i++) t.upsert(randomNode(gen, i));
      const cache = new AssignedPods(t);
      const kernel = new Kernel(profile);
      const runtime = new PluginRuntime(profile);
      const kState: SearchState = { nextStartNodeIndex: 0 };
      const rState: SearchState = { nextStartNodeIndex: 0 };
      const kRng = new RngStream(seed, 'scheduler');
      const rRng = new RngStream(seed, 'scheduler');
      for (let p = 0; p < 80; p++) {
        const pod = randomPod(gen, `p${seed}-${p}`);
        const input = podInput(pod.spec, pod.metadata);
        const d = kernel.schedule(t, input, kState, kRng, { pods: cache });
        const r = runtime.schedule(t, input, rState, rRng, { pods: cache });
        const at = `${name} seed ${seed} pod ${p}`;
        assert.equal(
          { node: d.node, visited: d.visited, feasible: d.feasible, rejectors: d.rejectors, pre: d.preFilterMessage, error: d.error },
          {
            node: r.decision.node,
            visited: r.decision.visited,
            feasible: r.decision.feasible,
            rejectors: r.decision.rejectors,
            pre: r.decision.preFilterMessage,
            error: r.decision.error,
          },
          at,
        );
        assert.equal(
          d.diagnosis === undefined ? undefined : Object.fromEntries(d.diagnosis),
          r.decision.diagnosis === undefined ? undefined : Object.fromEntries(r.decision.diagnosis),
          at,
        );
        if (d.feasible > 1 && d.node >= 0) {
          assert.equal(Array.from(kernel.feasibleRows(d.feasible)), Array.from(r.feasible), at);
          assert.equal(Array.from(kernel.scoresOf(d.feasible)), Array.from(r.totals), at);
          scored++;
        }
        assert.is(kRng.next(), rRng.next(), `${at}: random streams diverged`);
        assert.is(kState.nextStartNodeIndex, rState.nextStartNodeIndex, at);
        cycles++;
        if (d.node < 0) {
          failed++;
          continue;
        }
        cache.add(
          `Pod/${pod.metadata.namespace}/${pod.metadata.name}`,
          { ...pod, spec: { ...pod.spec, nodeName: t.names[d.node] } },
          d.node,
          podRequests(pod.spec),
          hostPorts(pod.spec),
        );
      }
    }
    // The random clusters exercise both outcomes and real score ties.
    assert.ok(scored > 50, `${name}: ${scored} scored cycles`);
    assert.ok(failed > 5, `${name}: ${failed} failed cycles`);
    assert.is(cycles, 480);
  });
}

test.run();
