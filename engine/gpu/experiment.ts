/**
 * A scenario's `gpuReplay:` section — the FGD study's arrival-only replay (replay.ts) instead of the timed
 * control-plane run — and the sweep over its policies and seeds.
 *
 *   gpuReplay:
 *     tuneRatio: 1.3           # arrivals up to 130% of the GPU capacity (resampled), the study's tuneRatio
 *     shuffle: true            # seeded shuffle of the trace's pods before tuning
 *     popularityThreshold: 95  # FGD's typical pods cover ≥ 95% of the trace's pods
 *     compareAt: [100, 130]    # arrived-workload % of the summary and comparison
 *
 * Each policy's KubeSchedulerConfiguration must enable Open-Gpu-Share (filter) and GPU score plugins only, with
 * percentageOfNodesToScore 100, as the study's configurations do.
 */
import type { Node, Pod } from '../api/objects.js';
import { ZONE_LABEL } from '../scheduler/node-table.js';
import type { Policy, Scenario, TimedObject } from '../scenario/types.js';
import type { NodePool } from '../cloud/node-pool.js';
import { gpuNodeOf, gpuRequestOf } from './resources.js';
import type { Field } from '../scenario/yaml-field.js';
import { FGD, OPEN_GPU_SHARE, type GpuProfile } from '../scheduler/plugins/gpu-plugins.js';
import { GpuPods } from './pods.js';
import { typicalPods, type TypicalPods } from './typical-pods.js';
import { bucketize, type BucketRow } from './metrics.js';
import { prepare, replay, type ReplayInput, type ReplayResult } from './replay.js';
import type { GpuReplaySpec } from './replay-spec.js';

/** The GPU profile the replay uses for a policy (the default-scheduler profile: trace pods use it), or why not. */
export function replayProfile(p: Policy): GpuProfile | string {
  const g = (p.gpuProfiles ?? []).find((x) => x.schedulerName === 'default-scheduler');
  if (g === undefined)
    return 'expected a KubeSchedulerConfiguration with a default-scheduler profile enabling the GPU plugins (Open-Gpu-Share and a score plugin such as FGDScore)';
  if (!g.gpuFilter) return `profile ${g.schedulerName}: enable ${OPEN_GPU_SHARE} at filter (it checks and assigns GPUs)`;
  if (g.scores.length === 0)
    return `profile ${g.schedulerName}: enable a GPU score plugin (FGDScore, BestFitScore, DotProductScore, GpuPackingScore, GpuClusteringScore or RandomScore)`;
  if (g.otherScores.length > 0)
    return `profile ${g.schedulerName}: the GPU replay models only the GPU score plugins; disable ${g.otherScores.join(', ')} (score: {disabled: [{name: "*"}]})`;
  if (g.percentageOfNodesToScore !== 100)
    return `profile ${g.schedulerName}: the GPU replay scores every feasible node; set percentageOfNodesToScore: 100`;
  return g;
}

/** Checks every policy at load time, failing at its entry in `policies:`. */
export function checkGpuPolicies(policiesField: Field, policies: readonly Policy[]): void {
  const items = policiesField.items();
  if (items.length === 0) policiesField.fail('a gpuReplay scenario needs policies whose configurations enable GPU plugins');
  policies.forEach((p, i) => {
    const g = replayProfile(p);
    if (typeof g === 'string') items[i].fail(`policy ${p.name}: ${g}`);
  });
}

/** The scenario's nodes (pools expanded as engine/run.ts names them) and pods (Pod objects, times ignored). */
export function gpuManifests(s: Scenario): { nodes: Node[]; pods: Pod[] } {
  const nodes: Node[] = [];
  for (const pool of s.nodePools) {
    for (let i = 0; i < pool.count; i++) {
      const name = pool.namedSingle ? pool.template.metadata.name : `${pool.name}-${i}`;
      const labels = { ...pool.template.metadata.labels };
      if (pool.zones.length > 0) labels[ZONE_LABEL] = pool.zones[i % pool.zones.length];
      nodes.push({ ...pool.template, metadata: { ...pool.template.metadata, name, labels } });
    }
  }
  const pods = s.objects.flatMap((o) => (o.object.kind === 'Pod' ? [o.object] : []));
  return { nodes, pods };
}

/**
 * Load-time checks of a gpuReplay scenario's cluster and pods: GPU resources well formed, and none of the
 * constraints the study's trace lacks (taints, unschedulable nodes, node selectors or affinity, spread
 * constraints, host ports): the replay keeps no list of the placed pods (spreading and pod affinity would need
 * it), and its figures are validated on the study's trace only.
 */
export function checkGpuScenario(f: Field, s: Scenario, spec: GpuReplaySpec): void {
  const { nodes, pods } = gpuManifests(s);
  for (const n of nodes) {
    if (n.spec.taints.length > 0 || n.spec.unschedulable)
      f.fail(`node ${n.metadata.name}: the GPU replay does not model taints or unschedulable nodes`);
  }
  for (const p of pods) {
    const sp = p.spec;
    if (Object.keys(sp.nodeSelector).length > 0 || sp.affinity !== undefined || (sp.topologySpreadConstraints ?? []).length > 0)
      f.fail(`pod ${p.metadata.name}: the GPU replay does not model nodeSelector, affinity or topologySpreadConstraints`);
    if (sp.containers.some((c) => c.ports.some((port) => (port.hostPort ?? 0) > 0)))
      f.fail(`pod ${p.metadata.name}: the GPU replay does not model host ports`);
  }
  if (pods.length === 0) f.fail('a gpuReplay scenario needs pods (e.g. trace: {pods: FILE} or Pod manifests)');
  try {
    prepare(nodes, pods, spec.popularityThreshold);
  } catch (e) {
    f.fail(e instanceof Error ? e.message : String(e));
  }
}

/**
 * Load-time check of a timed scenario whose policies use GPU plugins (the timed kernel's GPU block): the nodes'
 * GPU resources and the pods' GPU annotations are well formed (a trace's rows are checked as they are imported).
 */
export function checkTimedGpu(
  poolsField: Field,
  workloadsField: Field,
  nodePools: readonly NodePool[],
  objects: readonly TimedObject[],
): void {
  const items = poolsField.items();
  nodePools.forEach((pool, i) => {
    const g = gpuNodeOf(pool.template);
    if (typeof g === 'string') (items[i] ?? poolsField).fail(g.replace(/^node [^:]*: /, ''));
  });
  for (const o of objects) {
    if (o.object.kind !== 'Pod') continue;
    const g = gpuRequestOf(o.object);
    if (typeof g === 'string') workloadsField.fail(g);
  }
}

/** The replay's shared input from a scenario; throws an Error naming a malformed node or pod. */
export function gpuInputs(s: Scenario, spec: GpuReplaySpec): ReplayInput {
  const { nodes, pods } = gpuManifests(s);
  return prepare(nodes, pods, spec.popularityThreshold);
}

export interface GpuRun {
  readonly policy: string;
  readonly seed: number;
  readonly result: ReplayResult;
  readonly buckets: readonly BucketRow[];
  readonly wallMs: number;
}

/** One (policy, seed) run: replay, then the study's bucketing up to tuneRatio × 100 %. */
export function runGpuReplay(spec: GpuReplaySpec, input: ReplayInput, policy: Policy, seed: number): GpuRun {
  const g = replayProfile(policy);
  if (typeof g === 'string') throw new Error(`policy ${policy.name}: ${g}`);
  const profile = policy.profiles.find((p) => p.schedulerName === g.schedulerName);
  if (profile === undefined) throw new Error(`internal: policy ${policy.name} has no profile ${g.schedulerName}`);
  const t0 = performance.now();
  const result = replay(input, profile, spec, seed);
  const buckets = bucketize(result.log, result.capacityMilli, Math.max(100, Math.round(spec.tuneRatio * 100)));
  return { policy: policy.name, seed, result, buckets, wallMs: performance.now() - t0 };
}

/** FGD's default podPopularityThreshold (the study's configuration), used by timed runs. */
const TIMED_POPULARITY_THRESHOLD = 95;

/**
 * FGDScore's target workload in a timed run: the typical pods (typical-pods.ts) of every pod the scenario
 * creates — its Pod objects (a trace's pods) and each pod workload's template once per pod it creates. null
 * when the policy does not use FGDScore. Throws an Error naming a pod with malformed GPU annotations.
 */
export function timedGpuWorkload(s: Scenario, policy: Policy): TypicalPods | null {
  if (!policy.profiles.some((p) => p.plugins.score.includes(FGD))) return null;
  const pods: Pod[] = gpuManifests(s).pods;
  const rows: number[] = pods.map((_, i) => i);
  for (const w of s.podWorkloads) {
    const row = pods.length;
    const t = w.template;
    pods.push({
      kind: 'Pod',
      metadata: {
        name: w.name,
        namespace: w.namespace,
        uid: '',
        labels: t.labels,
        annotations: t.annotations,
        ownerReferences: [],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      spec: t.spec,
      status: { phase: 'Pending', ready: false },
    });
    for (let i = 0; i < w.arrival.count; i++) rows.push(row);
  }
  return typicalPods(new GpuPods(pods, []), rows, TIMED_POPULARITY_THRESHOLD);
}
