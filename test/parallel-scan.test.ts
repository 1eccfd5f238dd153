/**
 * The parallel node search (engine/scheduler/parallel/) must give the sequential kernel's decisions exactly,
 * whatever the number of worker threads: the same node, the same nodes visited (hence the same rotation of
 * nextStartNodeIndex), the same feasible count and the same RNG draws in selectHost — so whole runs are
 * byte-identical with 0, 1 and 2 workers.
 */
import { AssignedPods } from '../engine/scheduler/assigned-pods.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RngStream } from '../engine/core/rng.js';
import { summaryCsv } from '../engine/report/csv.js';
import { runOnce } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';
import { Kernel, type SearchState } from '../engine/scheduler/kernel.js';
import { NodeTable } from '../engine/scheduler/node-table.js';
import { availableParallelism } from 'node:os';
import { scanOptions } from '../engine/scheduler/parallel/auto.js';
import { ParallelScanner } from '../engine/scheduler/parallel/scanner.js';
import { podInput } from '../engine/scheduler/pod-input.js';
import { DEFAULT_PROFILE, editProfile, type Profile } from '../engine/scheduler/profile.js';
import { podRequests } from '../engine/api/pod-resources.js';
import { makeNode, makePod, makeSpec } from './helpers.js';

const GI = 1024 ** 3;
/** Tests run from dist/test; fixtures stay in the source tree. */
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures');

/** 600 nodes of three shapes, every 7th unschedulable, in three zones (NodeTree interleaves them). */
function table(softTaints = false, images = false): NodeTable {
  const t = new NodeTable(16); // small initial capacity: the scanner must follow the columns as they grow
  for (let i = 0; i < 600; i++) {
    const shape = [
      { cpu: 4000, memory: 8 * GI, pods: 110 },
      { cpu: 8000, memory: 32 * GI, pods: 20 },
      { cpu: 2000, memory: 4 * GI, pods: 110 },
    ][i % 3];
    const node = makeNode(`n${i}`, shape, { 'topology.kubernetes.io/zone': `z${i % 3}` }, i % 7 === 0);
    // Every 5th node with a PreferNoSchedule taint: TaintToleration's score then tells nodes apart.
    const tainted =
      softTaints && i % 5 === 0
        ? { ...node, spec: { ...node.spec, taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' as const }] } }
        : node;
    // Every 4th node holding the pods' image: ImageLocality's score then tells nodes apart.
    t.upsert(
      images && i % 4 === 0
        ? { ...tainted, status: { ...tainted.status, images: [{ names: ['pause:latest'], sizeBytes: 300 * 1024 * 1024 }] } }
        : tainted,
    );
  }
  return t;
}

const PODS = [
  podInput(makeSpec([{ cpu: 500, memory: 1 * GI }])),
  podInput(makeSpec([{ cpu: 1500, memory: 256 * 1024 * 1024 }])),
  podInput(makeSpec([{}])), // best-effort: BalancedAllocation skipped, non-zero defaults in scoring
  podInput(makeSpec([{ cpu: 100000 }])), // fits nowhere: the sequential kernel's diagnosis
  podInput(makeSpec([{ cpu: 100 }], { nodeSelector: { 'topology.kubernetes.io/zone': 'z1' } })), // not shardable
  // A ReplicaSet's pod: the System default spreading constraints (ScheduleAnyway) score it on the main thread.
  podInput(
    makeSpec([{ cpu: 200, memory: 512 * 1024 * 1024 }]),
    { namespace: 'default', labels: { app: 'web' } },
    { matchLabels: { app: 'web' }, matchExpressions: [] },
  ),
  // A hard spread constraint and a required anti-affinity term: their Filters do not Skip, so not shardable.
  podInput(
    makeSpec([{ cpu: 100 }], {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'db' }, matchExpressions: [] },
          matchLabelKeys: [],
        },
      ],
    }),
    { namespace: 'default', labels: { app: 'db' } },
  ),
  podInput(
    makeSpec([{ cpu: 100 }], {
      affinity: {
        podAntiAffinity: {
          required: [
            {
              labelSelector: { matchLabels: { app: 'db' }, matchExpressions: [] },
              namespaces: [],
              topologyKey: 'kubernetes.io/hostname',
              matchLabelKeys: [],
              mismatchLabelKeys: [],
            },
          ],
          preferred: [],
        },
      },
    }),
    { namespace: 'default', labels: { app: 'db' } },
  ),
  // Labelled app=web without a spreading selector: only an existing pod's affinity terms can score it unevenly.
  podInput(makeSpec([{ cpu: 150, memory: 256 * 1024 * 1024 }]), { namespace: 'default', labels: { app: 'web' } }),
  // Preferred node affinity: NodeAffinity's score tells nodes apart, so the shards' records alone cannot pick the host.
  podInput(
    makeSpec([{ cpu: 300 }], {
      affinity: {
        nodeAffinity: {
          preferred: [
            {
              weight: 50,
              preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['z1'] }], matchFields: [] },
            },
          ],
        },
      },
    }),
  ),
];

/** `count` decisions with assume, through the kernel alone or the scanner; a trace of every Decision. */
function decide(
  profile: Profile,
  count: number,
  scanner: ParallelScanner | null,
  removed: readonly string[] = [],
  softTaints = false,
  images = false,
  existing = false,
): string[] {
  const t = table(softTaints, images);
  for (const name of removed) t.remove(name);
  const kernel = new Kernel(profile);
  const state: SearchState = { nextStartNodeIndex: 0 };
  const rng = new RngStream(5, 'scheduler');
  // Placements here go straight into the table, so both paths score against the same (empty) pod cache.
  const assigned = new AssignedPods(t);
  // An existing pod on n1 (zone z1) with preferred anti-affinity to app=web by zone: InterPodAffinity's score
  // then tells nodes apart for the app=web pods (processExistingPod).
  if (existing) {
    const spec = makeSpec([{ cpu: 100 }], {
      affinity: {
        podAntiAffinity: {
          required: [],
          preferred: [
            {
              weight: 80,
              term: {
                labelSelector: { matchLabels: { app: 'web' }, matchExpressions: [] },
                namespaces: [],
                topologyKey: 'topology.kubernetes.io/zone',
                matchLabelKeys: [],
                mismatchLabelKeys: [],
              },
            },
          ],
        },
      },
    });
    const p = makePod('old', spec);
    assigned.add('Pod/default/old', p, t.indexOf('n1'), podRequests(spec), []);
  }
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const pod = PODS[k % PODS.length];
    const d = scanner?.schedule(kernel, t, pod, state, rng, assigned) ?? kernel.schedule(t, pod, state, rng, { pods: assigned });
    if (d.node >= 0) t.account(d.node, pod.requests, 1);
    out.push(`${d.node}/${d.visited}/${d.feasible}/${state.nextStartNodeIndex}/${d.diagnosis?.size ?? '-'}`);
  }
  out.push(`rng ${rng.next()}`);
  return out;
}

/**
 * The shards implement the resource filters and scores; PodTopologySpread and InterPodAffinity Filters are
 * served only for pods whose PreFilter Skips them (the main thread adds their scores). The resource-only
 * profile is the upstream default without those plugins and without preemption.
 */
const resourcesOnly = (p: Profile): Profile =>
  editProfile(p, { disable: [{ name: 'PodTopologySpread' }, { name: 'InterPodAffinity' }, { name: 'DefaultPreemption' }] });
const RESOURCES: Profile = resourcesOnly(DEFAULT_PROFILE);

const PROFILES: [string, Profile][] = [
  ['upstream default profile (sampled)', DEFAULT_PROFILE],
  ['default resources (sampled)', RESOURCES],
  ['full scan', { ...RESOURCES, percentageOfNodesToScore: 100 }],
  [
    'MostAllocated',
    editProfile(RESOURCES, {
      args: {
        NodeResourcesFit: {
          ...RESOURCES.args.NodeResourcesFit,
          scoringStrategy: { ...RESOURCES.args.NodeResourcesFit.scoringStrategy, type: 'MostAllocated' },
        },
      },
    }),
  ],
];

test('sharded decisions equal the sequential kernel for 1 and 2 workers', async () => {
  for (const workers of [1, 2]) {
    const scanner = await ParallelScanner.start({ workers, minNodes: 0 });
    try {
      for (const [name, profile] of PROFILES) {
        const expected = decide(profile, 400, null);
        const got = decide(profile, 400, scanner);
        assert.equal(got, expected, `${name}, ${workers} worker(s)`);
      }
      // Deleted nodes (tombstone rows) leave the search and the rotation's modulus alike on both paths.
      const gone = ['n5', 'n17', 'n300', 'n599'];
      assert.equal(
        decide(DEFAULT_PROFILE, 300, scanner, gone),
        decide(DEFAULT_PROFILE, 300, null, gone),
        `after node deletions, ${workers} worker(s)`,
      );
      assert.equal(
        decide(DEFAULT_PROFILE, 300, scanner, [], true),
        decide(DEFAULT_PROFILE, 300, null, [], true),
        `PreferNoSchedule taints, ${workers} worker(s)`,
      );
      assert.equal(
        decide(DEFAULT_PROFILE, 300, scanner, [], false, true),
        decide(DEFAULT_PROFILE, 300, null, [], false, true),
        `images on some nodes, ${workers} worker(s)`,
      );
      assert.equal(
        decide(DEFAULT_PROFILE, 300, scanner, [], false, false, true),
        decide(DEFAULT_PROFILE, 300, null, [], false, false, true),
        `an existing pod with affinity terms, ${workers} worker(s)`,
      );
      // Shardable pods went through the shards; the nodeSelector pod and the misfit were handed back.
      assert.ok(scanner.sharded > 0 && scanner.sequential > 0);
    } finally {
      await scanner.close();
    }
  }
});

test('the default profile is served by the shards only for pods whose spread and inter-pod Filters Skip', async () => {
  const scanner = await ParallelScanner.start({ workers: 1, minNodes: 0 });
  try {
    const t = table();
    const kernel = new Kernel(DEFAULT_PROFILE);
    const assigned = new AssignedPods(t);
    const served = (k: number): boolean =>
      scanner.schedule(kernel, t, PODS[k], { nextStartNodeIndex: 0 }, new RngStream(1, 's'), assigned) !== null;
    assert.ok(served(0), 'plain pod');
    assert.ok(served(5), 'ReplicaSet pod with the System default (ScheduleAnyway) constraints');
    assert.not.ok(served(6), 'hard topology spread constraint');
    assert.not.ok(served(7), 'required pod anti-affinity');
    assert.not.ok(served(3), 'fits nowhere: the sequential kernel diagnoses');
  } finally {
    await scanner.close();
  }
});

test('--workers auto: one spare core and a cluster of at least 10,000 nodes (the measured crossover)', () => {
  const cores = availableParallelism();
  assert.is(scanOptions('auto', 1, 9_999), null, 'below the crossover');
  const big = scanOptions('auto', 1, 10_000);
  if (cores >= 2) assert.equal(big, { workers: cores - 1, minNodes: 10_000 });
  else assert.is(big, null, 'no spare core');
  assert.is(scanOptions('auto', cores, 50_000), null, 'every core already runs a sweep thread');
  assert.equal(scanOptions(2, 4, 100), { workers: 2, minNodes: 0 }, 'an explicit count always shards');
  assert.is(scanOptions(0, 1, 100_000), null);
});

test('a window below minNodes runs the sequential kernel', async () => {
  const scanner = await ParallelScanner.start({ workers: 1, minNodes: 1_000_000 });
  try {
    assert.equal(decide(RESOURCES, 50, scanner), decide(RESOURCES, 50, null));
    assert.is(scanner.sharded, 0);
  } finally {
    await scanner.close();
  }
});

test('whole runs are byte-identical with 0, 1 and 2 workers', async () => {
  const loaded = loadScenario(join(FIXTURES, 'small.yaml')).scenario;
  const scenario = { ...loaded, policies: loaded.policies.map((p) => ({ ...p, profiles: p.profiles.map(resourcesOnly) })) };
  const base = scenario.policies.map((p) => runOnce(scenario, p, 3));
  for (const workers of [1, 2]) {
    const scanner = await ParallelScanner.start({ workers, minNodes: 0 });
    try {
      const runs = scenario.policies.map((p) => runOnce(scenario, p, 3, { scanner }));
      assert.is(summaryCsv(runs), summaryCsv(base));
      assert.equal(
        runs.map((r) => r.fingerprint),
        base.map((r) => r.fingerprint),
      );
      assert.ok(scanner.sharded > 0, 'the run used the shards');
      // The scenario's own policies (spreading, inter-pod affinity, preemption on) go through the shards too.
      const before = scanner.sharded;
      const defaults = loaded.policies.map((p) => runOnce(loaded, p, 3, { scanner }));
      assert.is(summaryCsv(defaults), summaryCsv(loaded.policies.map((p) => runOnce(loaded, p, 3))));
      assert.equal(
        defaults.map((r) => r.fingerprint),
        loaded.policies.map((p) => runOnce(loaded, p, 3).fingerprint),
      );
      assert.ok(scanner.sharded > before, 'default-profile cycles used the shards');
    } finally {
      await scanner.close();
    }
  }
});

test.run();
