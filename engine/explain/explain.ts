/**
 * `kubesim explain`: one scheduling cycle of one pod against a cluster state, with every node's Filter
 * verdict (upstream's per-node status reasons) and the normalized score of each Score plugin, as the
 * simulated scheduler computes them: the decision is the fused kernel's (kernel.ts), run exactly as the
 * scheduler's first cycle on this cache would run it (same search, percentageOfNodesToScore, seeded tie-break).
 *
 * The per-plugin breakdown comes from the plugin-by-plugin runtime (scheduler/framework/runtime.ts): every
 * enabled Score plugin of the profile (in-tree, kubesim's policies, GPU, a user's), over the nodes the cycle
 * scored; the plugins that draw from the scheduler's stream get a fresh copy of it, so they draw what the cycle
 * drew. Filter reasons are the cycle's own RunFilterPlugins statuses (Kernel.explainNode).
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
import { REASON_NOT_IN_PREFILTER_RESULT } from '../scheduler/plugins/node-affinity/index.js';
import { NAME as PREEMPTION } from '../scheduler/plugins/default-preemption/index.js';
import { preemptionOf, type Profile } from '../scheduler/profile.js';
import { PluginRuntime } from '../scheduler/framework/runtime.js';

/** kubesim run's default seed (a scenario's `seed` defaults to 1). */
export const DEFAULT_EXPLAIN_SEED = 1;

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

  // Filter verdicts of every node, also those the search did not reach, from the cycle's PreFilter state.
  const verdicts = Array.from({ length: t.count }, (_, i) => {
    const reasons: string[] = [];
    if (d.preFilterMessage !== undefined) return { feasible: false, reasons: [d.preFilterMessage] };
    return { feasible: kernel.explainNode(t, i, reasons) === PASS, reasons };
  });

  // Scores of the nodes the cycle scored (upstream scores nothing when one node is feasible): every enabled Score
  // plugin through the plugin-by-plugin runtime, on a fresh copy of the scheduler's stream, so the plugins that
  // draw (UniformRandom, RandomScore) draw what the cycle drew.
  const scored = new Map<number, { scores: Record<string, number>; total: number }>();
  if (d.node >= 0 && d.feasible > 1) {
    const rows = Int32Array.from(kernel.feasibleRows(d.feasible));
    const runtime = new PluginRuntime(profile);
    const weights = new Map(runtime.plugins.scores.map((s) => [s.plugin.name, s.weight]));
    const byPlugin = runtime.scorePlugins(t, input, pods, rows, schedulerStream());
    rows.forEach((row, f) => {
      const e = { scores: {} as Record<string, number>, total: 0 };
      for (const [name, contribution] of byPlugin) {
        e.scores[name] = contribution[f] / (weights.get(name) as number);
        e.total += contribution[f];
      }
      scored.set(row, e);
    });
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
    numFeasibleNodesToFind: kernel.plugins.scores.length > 0 ? numFeasibleNodesToFind(profile.percentageOfNodesToScore, searched) : 1,
    nodes,
  };
  const head = { pod: `${req.pod.metadata.namespace}/${req.pod.metadata.name}`, schedulerName: profile.schedulerName, seed };
  if (d.node >= 0) return { ...head, selectedNode: t.names[d.node], ...search };
  const message = d.error?.message ?? fitErrorMessage(t.count, d.diagnosis ?? new Map(), d.preFilterMessage);
  // No nodes (ErrNoNodesAvailable) or a PreScore error is not a FitError: PostFilter does not run.
  const preemption = preemptionOf(profile);
  if (d.error !== undefined || preemption === null || req.pod.spec.preemptionPolicy === 'Never')
    return { ...head, selectedNode: null, message, ...search };
  // DefaultPreemption, after the failed cycle (kernel.status holds the per-node codes), on the same stream.
  const out = preempt(kernel, t, pods, req.pod.spec.priority, preemption, [], rng, 0);
  const postFilter: PostFilterExplanation = {
    plugin: PREEMPTION,
    nominatedNode: out.row >= 0 ? t.names[out.row] : null,
    victims: out.victims.map((v) => `${v.pod.metadata.namespace}/${v.pod.metadata.name}`),
    candidates: out.candidates,
  };
  return { ...head, selectedNode: null, message, postFilter, ...search };
}
