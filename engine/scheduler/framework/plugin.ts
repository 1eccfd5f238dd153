/**
 * The scheduling framework's extension points as kubesim's plugins implement them (upstream
 * pkg/scheduler/framework/interface.go: PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin with
 * ScoreExtensions.NormalizeScore). One instance per plugin per profile; its per-cycle state lives in the instance.
 *
 * Two shapes differ from upstream's on purpose, for speed (engine-performance.md §3):
 * - a Filter plugin answers for one row of the scheduler cache's node table (NodeTable), not a NodeInfo;
 * - Score is batched: PreScore, Score and NormalizeScore of every feasible node in one call per cycle, adding
 *   weight × normalized score into the cycle's totals. The fused kernel (kernel.ts) and the plain plugin-by-plugin
 *   runtime (runtime.ts) call the same Score plugins; they differ only in how Filter is looped.
 */
import type { RngStream } from '../../core/rng.js';
import type { AssignedPod, AssignedPods } from '../assigned-pods.js';
import type { NodeTable } from '../node-table.js';
import type { PodInput } from '../pod-input.js';

/** Filter status codes per node (framework.Code): the node passed, or was rejected, possibly for good. */
export const PASS = 0;
export const UNSCHEDULABLE = 1;
export const UNRESOLVABLE = 2;

/** What PreFilter and Filter see of a cycle. */
export interface FilterCycle {
  readonly t: NodeTable;
  readonly pod: PodInput;
  readonly pods: AssignedPods;
}

/** PreFilter outcomes: Skip (Filter passes every node this cycle), run Filter, or reject the pod for every node. */
export const SKIP = 0;
export const CHECK = 1;
export const REJECT = 2;
export type PreFilterStatus = typeof SKIP | typeof CHECK | typeof REJECT;

export interface FilterPlugin {
  readonly name: string;
  /** The plugin's bit in a pod's rejector set (rejectors.ts), under which the registry keeps its EventsToRegister. */
  readonly bit: number;
  /** PreFilter. On REJECT, `rejection` holds the FitError's PreFilterMsg. */
  preFilter(c: FilterCycle): PreFilterStatus;
  readonly rejection: string;
  /** Filter on one node row (after a CHECK): PASS, UNSCHEDULABLE or UNRESOLVABLE; reasons appended when given. */
  filter(t: NodeTable, i: number, reasons: string[] | null): number;
}

/** PreFilterResult: a plugin that narrows the nodes searched to a set of names (NodeAffinity's metadata.name terms). */
export interface NodeNamesPreFilter {
  /** The last PreFilter's node names, or null for all nodes. */
  preFilterNodeNames(): ReadonlySet<string> | null;
}

/** PreFilterExtensions AddPod/RemovePod: preemption's dry runs add and remove pods from the cycle's state. */
export interface PreFilterExtensions {
  updateWithPod(c: FilterCycle, e: AssignedPod, delta: 1 | -1): void;
}

/** What PreScore and Score see of a cycle, with scratch buffers sized for the feasible nodes. */
export interface ScoreCycle {
  readonly t: NodeTable;
  readonly pod: PodInput;
  readonly pods: AssignedPods;
  /** The scheduler's stream of this cycle (plugins that draw, e.g. UniformRandom, RandomScore). */
  readonly rng: RngStream | undefined;
  /** Raw scores (before NormalizeScore), one per feasible node. */
  readonly raw: Float64Array;
  /** Per feasible node: 1 when the plugin ignores the node (PodTopologySpread's nodes without the topology keys). */
  readonly ignored: Uint8Array;
}

export interface ScorePlugin {
  readonly name: string;
  /**
   * PreScore, Score and NormalizeScore for the feasible rows: adds weight × normalized score (0–100) to out[f].
   * A plugin whose PreScore Skips adds nothing.
   */
  score(c: ScoreCycle, feasible: Int32Array, found: number, weight: number, out: Float64Array): void;
  /** PreScore's Error status for this pod (the cycle fails without a FitError), or null. */
  preScoreError?(pod: PodInput): string | null;
  /**
   * True when this plugin gives every feasible node the same score this cycle (or Skips), so that the ranking is
   * decided by the other plugins: what the sharded search (parallel/scanner.ts) needs to skip it. Conservative.
   */
  uniform(c: FilterCycle): boolean;
}

/** An enabled Score plugin of a profile with its weight. */
export interface WeightedScore {
  readonly plugin: ScorePlugin;
  readonly weight: number;
}
