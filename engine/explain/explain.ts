/**
 * `kubesim explain`: one scheduling cycle of one pod against a cluster state, with every node's Filter
 * verdict (upstream's per-node status reasons) and the normalized score of each Score plugin, as the
 * simulated scheduler computes them: the decision is the fused kernel's (kernel.ts), run exactly as the
 * scheduler's first cycle on this cache would run it (same search, percentageOfNodesToScore, seeded tie-break).
 *
 * The per-plugin breakdown reruns each enabled Score plugin alone (weight 1) through the same kernel over the
 * nodes the cycle scored; the plugins that draw from the scheduler's stream (UniformRandom) get a fresh copy of
 * it, so they draw what the cycle drew. Filter reasons come from a second kernel that stops at Filter, since
 * scoring reuses PreFilter scratch state.
 */
import { keyOf, type Node, type Pod, type ReplicaSet, type Service } from '../api/objects.js';
import { podRequests } from '../api/pod-resources.js';
import { RngFactory, type RngStream } from '../core/rng.js';
import { AssignedPods } from '../scheduler/assigned-pods.js';
import { Kernel, fitErrorMessage, numFeasibleNodesToFind, PASS } from '../scheduler/kernel.js';
import { NodeTable } from '../scheduler/node-table.js';
import { podInput } from '../scheduler/pod-input.js';
import { preempt } from '../scheduler/preemption.js';
import { defaultSpreadSelector, needsDefaultSelector } from '../scheduler/default-selector.js';
import { hostPorts } from '../scheduler/plugins/node-ports/index.js';
import { NAME as FIT } from '../scheduler/plugins/node-resources-fit/index.js';
import { NAME as BALANCED } from '../scheduler/plugins/node-resources-balanced-allocation/index.js';
import { NAME as TAINTS } from '../scheduler/plugins/taint-toleration/index.js';
import { NAME as AFFINITY, REASON_NOT_IN_PREFILTER_RESULT } from '../scheduler/plugins/node-affinity/index.js';
import { NAME as IMAGES } from '../scheduler/plugins/image-locality/index.js';
import { NAME as SPREAD } from '../scheduler/plugins/pod-topology-spread/index.js';
import { NAME as INTERPOD } from '../scheduler/plugins/inter-pod-affinity/index.js';
import { NAME as PREEMPTION } from '../scheduler/plugins/default-preemption/index.js';
import { FIRST_FIT, ROUND_ROBIN, UNIFORM_RANDOM } from '../scheduler/plugins/placement-policies/index.js';
import { hasScorePlugins, type Profile } from '../scheduler/profile.js';

/** kubesim run's default seed (a scenario's `seed` defaults to 1). */
export const DEFAULT_EXPLAIN_SEED = 1;

type WeightKey =
  | 'taintWeight'
  | 'affinityWeight'
  | 'fitWeight'
  | 'spreadWeight'
  | 'interPodAffinityWeight'
  | 'balancedWeight'
  | 'imageWeight'
  | 'firstFitWeight'
  | 'roundRobinWeight'
  | 'uniformRandomWeight';

/** Score plugins in the default profile's order (default_plugins.go), then kubesim's placement policies. */
const SCORE_PLUGINS: readonly { readonly name: string; readonly weight: WeightKey }[] = [
  { name: TAINTS, weight: 'taintWeight' },
  { name: AFFINITY, weight: 'affinityWeight' },
  { name: FIT, weight: 'fitWeight' },
  { name: SPREAD, weight: 'spreadWeight' },
  { name: INTERPOD, weight: 'interPodAffinityWeight' },
  { name: BALANCED, weight: 'balancedWeight' },
  { name: IMAGES, weight: 'imageWeight' },
  { name: FIRST_FIT, weight: 'firstFitWeight' },
  { name: ROUND_ROBIN, weight: 'roundRobinWeight' },
  { name: UNIFORM_RANDOM, weight: 'uniformRandomWeight' },
];

const NO_SCORES: Readonly<Record<WeightKey, number>> = Object.fromEntries(SCORE_PLUGINS.map((s) => [s.weight, 0])) as Record<
  WeightKey,
  number
>;

export interface NodeExplanation {
  readonly name: string;
  /** Passed every Filter plugin (evaluated for every node, also those the search did not reach). */
  readonly feasible: boolean;
  /** The failing plugin's reasons (NodeResourcesFit can give several); empty when feasible. */
  readonly reasons: readonly string[];
  /** Plugin name → normalized score (0–100, before its weight); empty for nodes the cycle did not score. */
  readonly scores: Readonly<Record<string, number>>;
  /** Σ weight × score; null for nodes the cycle did not score. */
  readonly totalScore: number | null;
}

export interface PostFilterExplanation {
  readonly plugin: typeof PREEMPTION;
  /** The node the pod would be nominated to, or null when preemption cannot help. */
  readonly nominatedNode: string | null;
  /** Pods that would be evicted (namespace/name), most important first. */
  readonly victims: readonly string[];
  /** Candidate nodes the dry runs found. */
  readonly candidates: number;
}

export interface Explanation {
  readonly pod: string;
  readonly schedulerName: string;
  readonly seed: number;
  readonly selectedNode: string | null;
  /** The FitError message (as in the pod's PodScheduled condition) when no node fits. */
  readonly message?: string;
  /** Nodes the search visited, the feasible nodes it kept (at most numFeasibleNodesToFind), and that number. */
  readonly nodesVisited: number;
  readonly feasibleNodesKept: number;
  readonly numFeasibleNodesToFind: number;
  readonly nodes: readonly NodeExplanation[];
  /** DefaultPreemption's outcome, when no node fits and the pod may preempt. */
  readonly postFilter?: PostFilterExplanation;
}

export interface ExplainRequest {
  readonly nodes: readonly Node[];
  /** The pod to schedule. */
  readonly pod: Pod;
  /** Pods on nodes (by spec.nodeName); finished ones (Succeeded, Failed) are left out, as the scheduler's cache does. */
  readonly existing: readonly Pod[];
  /** The default topology spreading selects the pod's peers by these (helper.DefaultSelector). */
  readonly services: readonly Service[];
  readonly replicaSets: readonly ReplicaSet[];
  readonly profile: Profile;
  readonly seed: number;
}

export function explain(req: ExplainRequest): Explanation {
  const { profile, seed } = req;
  const t = new NodeTable(Math.max(4, req.nodes.length));
  for (const n of req.nodes) t.upsert(n);
  const pods = new AssignedPods(t);
  for (const p of req.existing) pods.add(keyOf(p), p, t.indexOf(p.spec.nodeName), podRequests(p.spec), hostPorts(p.spec));
  const selector = needsDefaultSelector(profile, req.pod)
    ? defaultSpreadSelector(req.pod, req.services, new Map(req.replicaSets.map((rs) => [keyOf(rs), rs])))
    : undefined;
  const input = podInput(req.pod.spec, req.pod.metadata, selector);
  const schedulerStream = (): RngStream => new RngFactory(seed).stream('scheduler');

  const kernel = new Kernel(profile);
  const rng = schedulerStream();
  const d = kernel.schedule(t, input, { nextStartNodeIndex: 0 }, rng, { pods });

  // Filter verdicts of every node, from a kernel without score plugins (its cycle stops at Filter).
  const filterOnly = new Kernel({ ...profile, ...NO_SCORES, userPlugins: profile.userPlugins.map((u) => ({ ...u, weight: 0 })) });
  filterOnly.schedule(t, input, { nextStartNodeIndex: 0 }, schedulerStream(), { pods });
  const verdicts = Array.from({ length: t.count }, (_, i) => {
    const reasons: string[] = [];
    if (d.preFilterMessage !== undefined) return { feasible: false, reasons: [d.preFilterMessage] };
    return { feasible: filterOnly.explainNode(t, i, reasons) === PASS, reasons };
  });

  // Scores of the nodes the cycle scored (upstream scores nothing when one node is feasible).
  const scored = new Map<number, { scores: Record<string, number>; total: number }>();
  if (d.node >= 0 && d.feasible > 1) {
    const rows = Int32Array.from(kernel.feasibleRows(d.feasible));
    rows.forEach((row) => scored.set(row, { scores: {}, total: 0 }));
    // Each enabled plugin alone, with weight 1: in-tree ones, then the user's (user-plugins.ts).
    const alone: { name: string; weight: number; profile: Profile }[] = [];
    for (const s of SCORE_PLUGINS) {
      if (profile[s.weight] > 0)
        alone.push({ name: s.name, weight: profile[s.weight], profile: { ...profile, ...NO_SCORES, userPlugins: [], [s.weight]: 1 } });
    }
    for (const u of profile.userPlugins) {
      if (u.weight > 0)
        alone.push({
          name: u.plugin.name,
          weight: u.weight,
          profile: { ...profile, ...NO_SCORES, userPlugins: [{ ...u, filter: false, weight: 1 }] },
        });
    }
    for (const a of alone) {
      const out = new Float64Array(rows.length);
      new Kernel(a.profile).scoreAll(t, input, rows, rows.length, out, pods, schedulerStream());
      rows.forEach((row, f) => {
        const e = scored.get(row) as { scores: Record<string, number>; total: number };
        e.scores[a.name] = out[f];
        e.total += a.weight * out[f];
      });
    }
  }

  const nodes = verdicts.map((v, i): NodeExplanation => {
    const s = scored.get(i);
    return { name: t.names[i], feasible: v.feasible, reasons: v.reasons, scores: s?.scores ?? {}, totalScore: s?.total ?? null };
  });
  // A PreFilterResult (NodeAffinity's metadata.name terms) restricts the search to its nodes.
  const searched = verdicts.filter((v) => !v.reasons.includes(REASON_NOT_IN_PREFILTER_RESULT)).length;
  const search = {
    nodesVisited: d.visited,
    feasibleNodesKept: d.feasible,
    numFeasibleNodesToFind: hasScorePlugins(profile) ? numFeasibleNodesToFind(profile.percentageOfNodesToScore, searched) : 1,
    nodes,
  };
  const head = { pod: `${req.pod.metadata.namespace}/${req.pod.metadata.name}`, schedulerName: profile.schedulerName, seed };
  if (d.node >= 0) return { ...head, selectedNode: t.names[d.node], ...search };
  const message = d.error?.message ?? fitErrorMessage(t.count, d.diagnosis ?? new Map(), d.preFilterMessage);
  // No nodes (ErrNoNodesAvailable) or a PreScore error is not a FitError: PostFilter does not run.
  if (d.error !== undefined || profile.preemption === null || req.pod.spec.preemptionPolicy === 'Never')
    return { ...head, selectedNode: null, message, ...search };
  // DefaultPreemption, after the failed cycle (kernel.status holds the per-node codes), on the same stream.
  const out = preempt(kernel, t, pods, req.pod.spec.priority, profile.preemption, [], rng, 0);
  const postFilter: PostFilterExplanation = {
    plugin: PREEMPTION,
    nominatedNode: out.row >= 0 ? t.names[out.row] : null,
    victims: out.victims.map((v) => `${v.pod.metadata.namespace}/${v.pod.metadata.name}`),
    candidates: out.candidates,
  };
  return { ...head, selectedNode: null, message, postFilter, ...search };
}
