/**
 * One scheduling cycle's PreFilter → Filter → Score → selectHost over the NodeTable: the profile's plugins
 * (framework/profile-plugins.ts) compiled into one fused Filter loop (the column tests of NodeUnschedulable and
 * NodeResourcesFit written inline, the other plugins' per-node checks called on monomorphic instances: a call
 * through a plugin array per node costs ~8x, engine-performance.md §3) and one batched Score call per plugin,
 * with NodeResourcesFit and BalancedAllocation fused for cpu + memory. The plain plugin-by-plugin definition is
 * framework/runtime.ts; test/framework-differential.test.ts checks that both decide alike.
 *
 * Sequential definition of upstream's parallel search (schedule_one.go findNodesThatPassFilters): nodes are
 * visited in NodeTree order starting at nextStartNodeIndex, and the first numFeasibleNodesToFind feasible
 * ones are kept; the start index then advances by the number of nodes visited, modulo the node count.
 * Upstream's 16 goroutines may look at a few extra nodes; the set kept is the same definition.
 */
import type { RngStream } from '../core/rng.js';
import type { GpuGrant } from '../gpu/resources.js';
import type { NodeTable } from './node-table.js';
import type { PodInput } from './pod-input.js';
import type { PodRequests } from '../api/pod-resources.js';
import { REASON_NOT_IN_PREFILTER_RESULT } from './plugins/node-affinity/index.js';
import { scoreLeastBalanced } from './plugins/node-resources-balanced-allocation/least-allocated-balanced.js';
import { balance2, balancedScore } from './plugins/node-resources-balanced-allocation/index.js';
import { goRound, leastAllocated, mostAllocated, requestedToCapacityRatio } from './plugins/node-resources-fit/index.js';
import { isCpuMem, scalarsFit } from './plugins/node-resources-fit/resource-columns.js';
import type { HostPort } from './plugins/node-ports/index.js';
import type { GpuShare } from './plugins/open-gpu-share/index.js';
import type { Profile } from './profile.js';
import { AssignedPods, type AssignedPod } from './assigned-pods.js';
import { hasKeys } from './pod-input.js';
import {
  CHECK,
  PASS,
  REJECT,
  UNRESOLVABLE,
  type FilterCycle,
  type FilterPlugin,
  type PreFilterExtensions,
  type ScoreCycle,
  type WeightedScore,
} from './framework/plugin.js';
import { profilePlugins, type ProfilePlugins } from './framework/profile-plugins.js';

export { PASS, UNSCHEDULABLE, UNRESOLVABLE } from './framework/plugin.js';

/** schedule_one.go */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct === 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export type { PodInput } from './pod-input.js';

/** Filter diagnosis: how many nodes failed for each reason (a node counts once per failing resource). */
export type Diagnosis = Map<string, number>;

export interface Decision {
  /** Row of the selected node in the NodeTable, or -1. */
  readonly node: number;
  readonly visited: number;
  readonly feasible: number;
  /** Set when no node was feasible. */
  readonly diagnosis?: Diagnosis;
  /** Set when a PreFilter plugin rejected the pod for every node (FitError's PreFilterMsg). */
  readonly preFilterMessage?: string;
  /**
   * When no node was feasible: the plugins that rejected some node (Diagnosis.UnschedulablePlugins, as
   * framework/rejectors.ts bits); 0 for an error such as no nodes at all.
   */
  readonly rejectors?: number;
  /**
   * Set when the cycle failed without a FitError (ERR_NO_NODES_AVAILABLE, a PreScore error): no per-node
   * statuses, no PostFilter (preemption), and the pod waits out its backoff instead of parking in unschedulablePods.
   */
  readonly error?: CycleError;
}

/** A failed cycle's status that is not a FitError, and the PodScheduled condition reason it writes. */
export interface CycleError {
  readonly message: string;
  /** Unschedulable for ErrNoNodesAvailable (UnschedulableAndUnresolvable), SchedulerError for an Error status. */
  readonly reason: 'Unschedulable' | 'SchedulerError';
}

/**
 * schedule_one.go ErrNoNodesAvailable: schedulePod returns it when the snapshot holds no node, and
 * schedulingAlgorithm turns it into an UnschedulableAndUnresolvable status without running PostFilter.
 */
export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
const NO_NODES: CycleError = { message: ERR_NO_NODES_AVAILABLE, reason: 'Unschedulable' };

/** Mutable per-scheduler search state. */
export interface SearchState {
  nextStartNodeIndex: number;
}

/** A pod nominated to a node by an earlier preemption, with priority ≥ the pod being scheduled. */
export interface NominatedPod {
  readonly row: number;
  readonly requests: PodRequests;
  readonly ports: readonly HostPort[];
}

/** The cluster state a cycle sees beyond the NodeTable. */
export interface CycleContext {
  /** The cache's pods (spreading, inter-pod affinity); empty when absent. */
  readonly pods?: AssignedPods;
  /** Pods nominated to nodes, treated as present there while filtering (RunFilterPluginsWithNominatedPods). */
  readonly nominated?: readonly NominatedPod[];
  /** Row of the pod's status.nominatedNodeName: tried first, alone (evaluateNominatedNode). */
  readonly nominatedRow?: number;
}

const NO_CONTEXT: CycleContext = {};
const NO_NOMINATED: readonly NominatedPod[] = [];

// ---- Driver options (issue 16): how a driver other than the timed scheduler runs the same kernel.
export interface KernelOptions {
  /**
   * How selectHost picks among nodes tied at the top score. 'reservoir' (the default) is upstream's reservoir
   * sampling on the cycle's stream; 'lowestRow' takes the tied node registered first in the NodeTable, drawing
   * nothing: the FGD study's simulator fork breaks ties by node name, prefixed with a random permutation index
   * fixed for the run (fgd-method.md §3.3), which the arrival-only replay models by registering the nodes in that
   * order (engine/gpu/replay.ts).
   */
  readonly hostTieBreak: 'reservoir' | 'lowestRow';
  /**
   * Whether a cycle that finds no node diagnoses every node (the FitError's reasons and node statuses, which
   * PostFilter and the pod's events need; the default). A driver that only counts failures (the replay) turns
   * it off: its failed Decisions carry no diagnosis.
   */
  readonly diagnose: boolean;
}

const DEFAULT_KERNEL_OPTIONS: KernelOptions = { hostTieBreak: 'reservoir', diagnose: true };
// ---- End of driver options.

/** The fused kernel: a profile's plugin instances, and scratch buffers reused across cycles (no per-node allocation). */
export class Kernel {
  readonly plugins: ProfilePlugins;
  private feasible = new Int32Array(1024);
  private scores = new Float64Array(1024);
  /** Raw scores of a normalizing plugin (two-pass: raw, then NormalizeScore). */
  private raw = new Float64Array(1024);
  private ignored = new Uint8Array(1024);
  private candidates = new Int32Array(0);
  private candidateCount = 0;
  private mark = new Uint8Array(0);
  private readonly scoring: boolean;
  /** Both resource scorers configured over exactly cpu and memory (the default): a specialised loop. */
  private readonly cpuMemOnly: boolean;
  private readonly fitWeight: number;
  private readonly balancedWeight: number;
  /** The Score plugins other than NodeResourcesFit and BalancedAllocation (which the kernel fuses). */
  private readonly extras: readonly WeightedScore[];
  private emptyPods: AssignedPods | null = null;
  /** The current cycle: its pod, cluster view and the Filter plugins its PreFilter left to run (null before one). */
  private cycle: FilterCycle | null = null;
  /** The Filter plugins whose PreFilter said CHECK, in order. */
  private readonly active: FilterPlugin[] = [];
  /** The active plugins the fused loop does not specialise (volume, GPU-less generic, user plugins). */
  private readonly generic: FilterPlugin[] = [];
  private restricted = false;
  private readonly reasonScratch: string[] = [];
  private readonly tallyNames: string[] = [];
  private readonly tallyCounts: number[] = [];
  /** Per node row, after a search that found no node: PASS, UNSCHEDULABLE or UNRESOLVABLE (the FitError's node statuses). */
  status = new Uint8Array(0);
  /** The GPU plugins' shared state (gpu-share.ts), null for a GPU-less profile. */
  readonly gpuShare: GpuShare | null;
  /** The scheduler's stream of the current cycle (UniformRandom, GPU RandomScore, random GPU choice). */
  private cycleRng: RngStream | null = null;
  // This cycle's fused-loop switches (set at PreFilter).
  private checkUnsched = false;
  private checkTaints = false;
  private checkAff = false;
  private checkPorts = false;
  private checkFit = false;
  private checkSpread = false;
  private checkIpa = false;
  private checkGpu = false;

  constructor(
    readonly profile: Profile,
    readonly options: KernelOptions = DEFAULT_KERNEL_OPTIONS,
  ) {
    this.plugins = profilePlugins(profile);
    const pl = this.plugins;
    this.scoring = pl.scores.length > 0;
    this.gpuShare = pl.gpuShare;
    this.extras = pl.scores.filter((s) => s.plugin !== pl.fitScore && s.plugin !== pl.balancedScore);
    this.fitWeight = pl.scores.find((s) => s.plugin === pl.fitScore)?.weight ?? 0;
    this.balancedWeight = pl.scores.find((s) => s.plugin === pl.balancedScore)?.weight ?? 0;
    this.cpuMemOnly = pl.fitScore !== null && pl.balancedScore !== null && isCpuMem(pl.fitScore.names) && isCpuMem(pl.balancedScore.names);
  }

  schedule(t: NodeTable, pod: PodInput, state: SearchState, rng: RngStream, ctx: CycleContext = NO_CONTEXT): Decision {
    const n = t.count;
    this.cycleRng = rng;
    const pods = this.podsOf(t, ctx);
    const rejected = this.runPreFilter(t, pod, pods);
    if (rejected !== null) return rejected;
    const m = this.searchCount;
    const order = this.searchOrder;
    const nominated = ctx.nominated ?? NO_NOMINATED;
    this.applyNominated(t, nominated, 1);
    if (ctx.nominatedRow !== undefined && ctx.nominatedRow >= 0 && ctx.nominatedRow < n && this.filterNode(t, ctx.nominatedRow) === PASS) {
      this.applyNominated(t, nominated, -1);
      return { node: ctx.nominatedRow, visited: 1, feasible: 1 };
    }
    const want = this.scoring ? numFeasibleNodesToFind(this.profile.percentageOfNodesToScore, m) : 1;
    if (this.feasible.length < want) {
      this.feasible = new Int32Array(n);
      this.scores = new Float64Array(n);
      this.raw = new Float64Array(n);
    }
    const feasible = this.feasible;
    const r = pod.requests;
    const { checkUnsched, checkTaints, checkAff, checkPorts, checkFit, checkSpread, checkIpa, checkGpu } = this;
    const pl = this.plugins;
    const taints = pl.taints;
    const aff = pl.affinity;
    const ports = pl.ports;
    const spread = pl.spread;
    const ipa = pl.interPod;
    const gpu = pl.gpu;
    const generic = this.generic;
    const checkGeneric = generic.length > 0;
    // fitsRequest skips the ignored extended resources (NodeResourcesFitArgs.ignoredResources/ignoredResourceGroups).
    const fitScalars = checkFit && pl.fit !== null ? pl.fit.scalars : r.scalars;
    const hasScalars = hasKeys(fitScalars);
    const anyRequest = r.cpu !== 0 || r.memory !== 0 || r.ephemeralStorage !== 0 || hasScalars;
    const podCpu = r.cpu;
    const podMem = r.memory;
    const podEph = r.ephemeralStorage;
    const { allocCpu, allocMem, allocEph, allocPods, reqCpu, reqMem, reqEph, podCount, unschedulable } = t;
    let found = 0;
    let visited = 0;
    const start = m === 0 ? 0 : state.nextStartNodeIndex % m;
    for (let k = 0; k < m && found < want; k++) {
      let j = start + k;
      if (j >= m) j -= m;
      const i = order[j];
      visited++;
      // Every active Filter plugin must pass; the order decides only the diagnosis (verdict), not the result.
      // Open-Gpu-Share first: an O(1) check that rejects most nodes once the GPUs fill up.
      if (checkGpu && !(gpu as NonNullable<typeof gpu>).fits(i)) continue;
      if (checkUnsched && unschedulable[i] === 1) continue;
      if (checkTaints && (taints as NonNullable<typeof taints>).rejects(t, i)) continue;
      if (checkAff && (aff as NonNullable<typeof aff>).reason(t, i) !== null) continue;
      if (checkPorts && (ports as NonNullable<typeof ports>).rejects(t, i)) continue;
      if (checkFit) {
        if (podCount[i] + 1 > allocPods[i]) continue;
        if (
          anyRequest &&
          ((podCpu > 0 && podCpu > allocCpu[i] - reqCpu[i]) ||
            (podMem > 0 && podMem > allocMem[i] - reqMem[i]) ||
            (podEph > 0 && podEph > allocEph[i] - reqEph[i]) ||
            (hasScalars && !scalarsFit(t, i, fitScalars)))
        )
          continue;
      }
      if (checkGeneric && this.genericRejects(t, i)) continue;
      if (checkSpread && (spread as NonNullable<typeof spread>).check(i) !== 0) continue;
      if (checkIpa && (ipa as NonNullable<typeof ipa>).check(i) !== 0) continue;
      feasible[found++] = i;
    }
    // The rotation applies to the (possibly restricted) list; the modulus is the number of all nodes present
    // (schedule_one.go: len(allNodes); deleted nodes' tombstone rows are not nodes), as in parallel/scanner.ts.
    state.nextStartNodeIndex = (state.nextStartNodeIndex + visited) % t.live;
    return this.conclude(t, pod, nominated, found, visited, pods, rng);
  }

  /**
   * The rest of a cycle after the search: the FitError when no node fits, else PreScore, Score and selectHost.
   * A method of its own, with everything read before branching, so that a branch first taken late in a run (the
   * first pod that fits nowhere, or on one node only) deoptimizes this small function, not the search loop.
   */
  private conclude(
    t: NodeTable,
    pod: PodInput,
    nominated: readonly NominatedPod[],
    found: number,
    visited: number,
    pods: AssignedPods,
    rng: RngStream,
  ): Decision {
    const feasible = this.feasible;
    const first = feasible[0];
    const diagnosis = found === 0 && this.options.diagnose ? this.diagnose(t) : undefined;
    const rejectors = this.rejected;
    this.applyNominated(t, nominated, -1);
    let node = -1;
    if (found === 1) node = first;
    else if (found > 1) {
      const error = preScoreError(this.plugins.scores, pod);
      if (error !== null) return { node: -1, visited, feasible: found, error: { message: error, reason: 'SchedulerError' } };
      const scores = this.scores;
      this.scoreAll(t, pod, feasible, found, scores, pods, rng);
      node =
        this.options.hostTieBreak === 'lowestRow' ? selectLowestRow(feasible, scores, found) : selectHost(feasible, scores, found, rng);
    }
    if (diagnosis !== undefined) return { node: -1, visited, feasible: 0, diagnosis, rejectors };
    return { node, visited, feasible: found };
  }

  private genericRejects(t: NodeTable, i: number): boolean {
    const g = this.generic;
    for (let k = 0; k < g.length; k++) if (g[k].filter(t, i, null) !== PASS) return true;
    return false;
  }

  /**
   * RunPreFilterPlugins: each enabled Filter plugin's PreFilter in order (the first rejection fails the cycle),
   * the active set for Filter, and the search window (searchOrder/searchCount: the nodes in NodeTree order, or a
   * PreFilterResult's). Returns the failed cycle's Decision, else null.
   */
  private runPreFilter(t: NodeTable, pod: PodInput, pods: AssignedPods): Decision | null {
    this.cycle = null;
    if (t.live === 0) return { node: -1, visited: 0, feasible: 0, error: NO_NODES };
    const c: FilterCycle = { t, pod, pods };
    const active = this.active;
    const generic = this.generic;
    active.length = 0;
    generic.length = 0;
    const pl = this.plugins;
    this.checkUnsched = this.checkTaints = this.checkAff = this.checkPorts = this.checkFit = false;
    this.checkSpread = this.checkIpa = this.checkGpu = false;
    for (const p of pl.filters) {
      const s = p.preFilter(c);
      if (s === REJECT) {
        this.markAll(t, UNRESOLVABLE);
        return { node: -1, visited: 0, feasible: 0, diagnosis: new Map(), preFilterMessage: p.rejection, rejectors: p.bit };
      }
      if (s !== CHECK) continue;
      active.push(p);
      if (p === pl.unschedulable) this.checkUnsched = true;
      else if (p === pl.taints) this.checkTaints = true;
      else if (p === pl.affinity) this.checkAff = true;
      else if (p === pl.ports) this.checkPorts = true;
      else if (p === pl.fit) this.checkFit = true;
      else if (p === pl.spread) this.checkSpread = true;
      else if (p === pl.interPod) this.checkIpa = true;
      else if (p === pl.gpu) this.checkGpu = true;
      else generic.push(p);
    }
    let order = t.order;
    // The search window: nodes present, in NodeTree order (removed nodes' rows are not in it).
    let m = t.live;
    this.restricted = false;
    const names = this.checkAff ? (pl.affinity?.preFilterNodeNames() ?? null) : null;
    if (names !== null) {
      m = this.restrict(t, names);
      order = this.candidates;
      this.restricted = true;
    }
    this.cycle = c;
    this.searchOrder = order;
    this.searchCount = m;
    return null;
  }

  /** The search window of the last PreFilter: rows in NodeTree order (a PreFilterResult's only, when restricted). */
  private searchOrder: Int32Array = new Int32Array(0);
  private searchCount = 0;

  /**
   * RunPreFilterPlugins alone, for a caller that runs Filter on nodes of its choosing through filterNode (the
   * cluster autoscaler's simulation: cluster-autoscaler simulator/clustersnapshot/predicate/plugin_runner.go
   * runs the framework's PreFilter once per pod, then Filter node by node). False when the pod fits no node
   * (no nodes, or a PreFilter plugin rejected it).
   */
  preFilter(t: NodeTable, pod: PodInput, ctx: CycleContext = NO_CONTEXT): boolean {
    return this.runPreFilter(t, pod, this.podsOf(t, ctx)) === null;
  }

  /** Whether row i is in the last PreFilter's result (every node, unless NodeAffinity restricted the names). */
  inPreFilterResult(i: number): boolean {
    if (this.cycle === null) return false;
    if (!this.restricted) return true;
    for (let k = 0; k < this.candidateCount; k++) if (this.candidates[k] === i) return true;
    return false;
  }

  /** The PreFilterResult's nodes that exist, in NodeTree order (upstream iterates a Go set, in no defined order). */
  private restrict(t: NodeTable, names: ReadonlySet<string>): number {
    if (this.mark.length < t.count) this.mark = new Uint8Array(t.capacity);
    if (this.candidates.length < names.size) this.candidates = new Int32Array(names.size);
    let marked = 0;
    for (const name of names) {
      const row = t.indexOf(name);
      if (row >= 0 && this.mark[row] === 0) {
        this.mark[row] = 1;
        marked++;
      }
    }
    let m = 0;
    if (marked > 0) {
      const order = t.order;
      for (let j = 0; j < order.length && m < marked; j++) {
        const row = order[j];
        if (this.mark[row] === 1) {
          this.candidates[m++] = row;
          this.mark[row] = 0;
        }
      }
    }
    this.candidateCount = m;
    return m;
  }

  private scoreCycle(t: NodeTable, pod: PodInput, found: number, pods: AssignedPods, rng: RngStream | undefined): ScoreCycle {
    if (this.raw.length < found) this.raw = new Float64Array(Math.max(found, this.raw.length * 2));
    if (this.ignored.length < this.raw.length) this.ignored = new Uint8Array(this.raw.length);
    return { t, pod, pods, rng, raw: this.raw, ignored: this.ignored };
  }

  /** Weighted total score of each feasible node (framework RunScorePlugins, NormalizeScore, weighted sum). */
  scoreAll(t: NodeTable, pod: PodInput, feasible: Int32Array, found: number, out: Float64Array, pods: AssignedPods, rng?: RngStream): void {
    this.scoreResources(t, pod, feasible, found, out, pods, rng);
    this.scoreExtras(t, pod, feasible, found, out, pods, rng);
  }

  /**
   * The Score plugins other than NodeResourcesFit and BalancedAllocation, added to `out`, one batched call each.
   * Kept apart because the parallel scan (parallel/) computes the resource part in worker threads and calls this
   * on the main thread.
   */
  scoreExtras(
    t: NodeTable,
    pod: PodInput,
    feasible: Int32Array,
    found: number,
    out: Float64Array,
    pods: AssignedPods,
    rng?: RngStream,
  ): void {
    const extras = this.extras;
    if (extras.length === 0) return;
    const c = this.scoreCycle(t, pod, found, pods, rng ?? this.cycleRng ?? undefined);
    for (let k = 0; k < extras.length; k++) extras[k].plugin.score(c, feasible, found, extras[k].weight, out);
  }

  /**
   * Whether every Score plugin after NodeResourcesFit and BalancedAllocation gives every node the same score
   * this cycle (or Skips), so the ranking of feasible nodes is the resource score's: the sharded search then
   * picks the host from its shards' records without running scoreExtras (parallel/scanner.ts). Conservative.
   */
  extrasUniform(t: NodeTable, pod: PodInput, pods: AssignedPods): boolean {
    const c: FilterCycle = { t, pod, pods };
    for (const s of this.extras) if (!s.plugin.uniform(c)) return false;
    return true;
  }

  /**
   * Open-Gpu-Share Reserve for the last cycle's pod on its chosen node: the GPU devices it gets (null: none).
   * `rng` draws a random device (gpuSelMethod random): the cycle's stream unless a driver keeps its own.
   */
  reserveGpu(t: NodeTable, row: number, rng: RngStream | null = this.cycleRng): GpuGrant | null {
    if (this.gpuShare === null || t.gpu === null || rng === null) return null;
    return this.gpuShare.reserve(t, row, rng);
  }

  /**
   * Whether the PreFilters of PodTopologySpread and InterPodAffinity both Skip for this pod (no hard spread
   * constraint, no required (anti-)affinity term of its own or of an existing pod that matches it), so that
   * every node passes their Filters: what the sharded search (parallel/scanner.ts) needs to serve the cycle.
   */
  podFiltersSkip(t: NodeTable, pod: PodInput, pods: AssignedPods): boolean {
    const pl = this.plugins;
    if (pl.spread !== null && pl.spread.constraintsOf(pod).hard.length > 0) return false;
    return pl.interPod === null || pl.interPod.preFilter({ t, pod, pods }) !== CHECK;
  }

  /**
   * Existing-pod matches upstream's PreFilter (and, when the cycle scores, PreScore) of InterPodAffinity and
   * PodTopologySpread make for this pod, for the cycle's modeled cost (cycle-cost.ts). kubesim answers the
   * same questions from incremental counters; upstream scans the pods of every node each cycle.
   */
  podScanWork(pod: PodInput, pods: AssignedPods, scoring: boolean): { affinityTermChecks: number; spreadChecks: number } {
    const pl = this.plugins;
    const a = pod.podAffinity;
    let affinity = 0;
    let spread = 0;
    if (pl.interPod !== null) {
      // getExistingAntiAffinityCounts: the existing pods' required anti-affinity terms against this pod.
      affinity += pods.requiredAntiTerms;
      // getIncomingAffinityAntiAffinityCounts: every existing pod against this pod's required terms.
      if (a !== null) affinity += pods.size * (a.requiredAffinity.length + a.requiredAnti.length);
    }
    const ipaScore = pl.interPodScore;
    if (scoring && ipaScore !== null) {
      const preferred = a === null ? 0 : a.preferredAffinity.length + a.preferredAnti.length;
      // PreScore: every pod of every node when the pod has preferred terms, else the pods with affinity only.
      if (preferred > 0) affinity += pods.size * (preferred + 1);
      else if (!ipaScore.ignorePreferredTermsOfExistingPods) affinity += pods.withAffinity.size;
    }
    const spreadPlugin = pl.spreadAny;
    if (spreadPlugin !== null) {
      const c = spreadPlugin.constraintsOf(pod);
      if (pl.spread !== null) spread += pods.size * c.hard.length;
      if (scoring && pl.spreadScore !== null) spread += pods.size * c.soft.length;
    }
    return { affinityTermChecks: affinity, spreadChecks: spread };
  }

  private podsOf(t: NodeTable, ctx: CycleContext): AssignedPods {
    if (ctx.pods !== undefined) return ctx.pods;
    if (this.emptyPods === null || this.emptyPods.table !== t) this.emptyPods = new AssignedPods(t);
    return this.emptyPods;
  }

  /** Treats nominated pods as present on their nodes (sign 1) or removes them again (sign -1). */
  applyNominated(t: NodeTable, nominated: readonly NominatedPod[], sign: 1 | -1): void {
    for (const p of nominated) t.account(p.row, p.requests, sign, p.ports);
  }

  /**
   * Every filter of the last cycle on one node, with the PreFilter state as it is now (preemption's dry runs
   * change it through updateWithPod): PASS, UNSCHEDULABLE or UNRESOLVABLE. Requires a preceding schedule().
   */
  filterNode(t: NodeTable, i: number): number {
    if (this.cycle === null) return UNRESOLVABLE;
    return this.verdict(t, i, null);
  }

  /**
   * PreFilterExtensions AddPod (delta 1) / RemovePod (delta -1) for the last cycle's PreFilter state, with the
   * pod's resources and ports added to or removed from its node, as preemption's dry runs need.
   */
  updateWithPod(t: NodeTable, e: AssignedPod, delta: 1 | -1): void {
    t.account(e.row, e.requests, delta, e.ports);
    const c = this.cycle;
    if (c === null) return;
    for (const p of this.active) if (hasExtensions(p)) p.updateWithPod(c, e, delta);
  }

  /**
   * RunFilterPlugins on one node for the last cycle, with every failure reason appended to `reasons` (the
   * per-node statuses upstream's FitError carries): PASS, UNSCHEDULABLE or UNRESOLVABLE. Nodes outside a
   * PreFilterResult carry its status. Requires a preceding schedule() that reached Filter.
   */
  explainNode(t: NodeTable, i: number, reasons: string[]): number {
    if (this.cycle === null) return UNRESOLVABLE;
    if (this.restricted && !this.candidates.subarray(0, this.candidateCount).includes(i)) {
      reasons.push(REASON_NOT_IN_PREFILTER_RESULT);
      return UNRESOLVABLE;
    }
    return this.verdict(t, i, reasons);
  }

  /** The feasible rows the last schedule() kept, in search order (its Decision.feasible of them are valid). */
  feasibleRows(count: number): Int32Array {
    return this.feasible.subarray(0, count);
  }

  /** The total scores of the feasible rows the last schedule() scored (valid when its Decision.feasible > 1). */
  scoresOf(count: number): Float64Array {
    return this.scores.subarray(0, count);
  }

  private markAll(t: NodeTable, code: number): void {
    if (this.status.length < t.count) this.status = new Uint8Array(t.capacity);
    this.status.fill(code, 0, t.count);
  }

  /** NodeResourcesFit and BalancedAllocation Score, written to out (0 when neither is enabled). */
  private scoreResources(
    t: NodeTable,
    pod: PodInput,
    feasible: Int32Array,
    found: number,
    out: Float64Array,
    pods: AssignedPods,
    rng: RngStream | undefined,
  ): void {
    const pl = this.plugins;
    const fit = pl.fitScore;
    const bal = pl.balancedScore;
    const r = pod.requests;
    if (this.cpuMemOnly && fit !== null && bal !== null) {
      this.scoreCpuMem(t, r, feasible, found, out, bal.active(r));
      return;
    }
    out.fill(0, 0, found);
    if (fit === null && bal === null) return;
    const c = this.scoreCycle(t, pod, found, pods, rng);
    for (const s of pl.scores) if (s.plugin === fit || s.plugin === bal) s.plugin.score(c, feasible, found, s.weight, out);
  }

  /** scoreResources specialised to cpu + memory for both plugins: same arithmetic, no per-resource dispatch. */
  private scoreCpuMem(t: NodeTable, r: PodRequests, feasible: Int32Array, found: number, out: Float64Array, balActive: boolean): void {
    const fit = this.plugins.fitScore as NonNullable<ProfilePlugins['fitScore']>;
    const fitW = this.fitWeight;
    const balW = this.balancedWeight;
    const wc = fit.weights[0];
    const wm = fit.weights[1];
    const type = fit.strategy.type;
    const least = type === 'LeastAllocated';
    const most = type === 'MostAllocated';
    const { allocCpu, allocMem, nzCpu, nzMem, reqCpu, reqMem } = t;
    const nzPodCpu = r.nonZeroCpu;
    const nzPodMem = r.nonZeroMemory;
    const podCpu = r.cpu;
    const podMem = r.memory;
    if (least && balActive) {
      // The upstream default: one fused loop (least-allocated-balanced.ts), ~1.5× faster than the general loop
      // below, which re-tests the strategy per node.
      scoreLeastBalanced(t, feasible, found, out, { nzPodCpu, nzPodMem, podCpu, podMem, wc, wm, fitW, balW });
      return;
    }
    const shapeU = fit.shapeU;
    const shapeS = fit.shapeS;
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      const ac = allocCpu[i];
      const am = allocMem[i];
      let total = 0;
      let nodeScore = 0;
      let weightSum = 0;
      if (ac !== 0) {
        const q = nzCpu[i] + nzPodCpu;
        const sc = least ? leastAllocated(q, ac) : most ? mostAllocated(q, ac) : requestedToCapacityRatio(shapeU, shapeS, q, ac);
        if (least || most || sc > 0) {
          nodeScore += sc * wc;
          weightSum += wc;
        }
      }
      if (am !== 0) {
        const q = nzMem[i] + nzPodMem;
        const sm = least ? leastAllocated(q, am) : most ? mostAllocated(q, am) : requestedToCapacityRatio(shapeU, shapeS, q, am);
        if (least || most || sm > 0) {
          nodeScore += sm * wm;
          weightSum += wm;
        }
      }
      if (weightSum !== 0) total += (least || most ? Math.trunc(nodeScore / weightSum) : goRound(nodeScore / weightSum)) * fitW;
      if (balActive) {
        let withPod = 100;
        let withoutPod = 100;
        if (ac !== 0 && am !== 0) {
          withPod = balance2(reqCpu[i] + podCpu, ac, reqMem[i] + podMem, am);
          withoutPod = balance2(reqCpu[i], ac, reqMem[i], am);
        }
        total += balancedScore(withPod, withoutPod) * balW;
      }
      out[f] = total;
    }
  }

  /** The plugins verdict() saw reject a node since diagnose() began (framework/rejectors.ts bits). */
  private rejected = 0;

  /**
   * Recounts failure reasons for the FitError message and records each node's status code; runs only when no
   * node fits (a full pass).
   */
  private diagnose(t: NodeTable): Diagnosis {
    const d: Diagnosis = new Map();
    const reasons = this.reasonScratch;
    // Counted in arrays (a handful of distinct reasons), turned into the Diagnosis map once, in first-seen order.
    const names = this.tallyNames;
    const counts = this.tallyCounts;
    names.length = 0;
    counts.length = 0;
    if (this.status.length < t.count) this.status = new Uint8Array(t.capacity);
    const status = this.status;
    this.rejected = 0;
    const restricted = this.restricted;
    if (restricted) {
      // Nodes the PreFilterResult left out are not filtered; they carry the PreFilter status.
      for (let k = 0; k < this.candidateCount; k++) this.mark[this.candidates[k]] = 1;
      if (t.live > this.candidateCount) {
        d.set(REASON_NOT_IN_PREFILTER_RESULT, t.live - this.candidateCount);
        this.rejected |= (this.plugins.affinity as NonNullable<ProfilePlugins['affinity']>).bit;
      }
    }
    const order = t.order;
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      if (restricted) {
        if (this.mark[i] === 0) {
          status[i] = UNRESOLVABLE;
          continue;
        }
        this.mark[i] = 0;
      }
      reasons.length = 0;
      status[i] = this.verdict(t, i, reasons);
      for (let q = 0; q < reasons.length; q++) {
        const reason = reasons[q];
        let at = names.indexOf(reason);
        if (at < 0) {
          at = names.length;
          names.push(reason);
          counts.push(0);
        }
        counts[at]++;
      }
    }
    for (let q = 0; q < names.length; q++) d.set(names[q], (d.get(names[q]) ?? 0) + counts[q]);
    return d;
  }

  /**
   * RunFilterPlugins on one node: the first failing active plugin's code (its reasons appended to `reasons`
   * when given; NodeResourcesFit can give several), in the profile's filter order.
   */
  private verdict(t: NodeTable, i: number, reasons: string[] | null): number {
    const active = this.active;
    for (let k = 0; k < active.length; k++) {
      const code = active[k].filter(t, i, reasons);
      if (code !== PASS) {
        this.rejected |= active[k].bit;
        return code;
      }
    }
    return PASS;
  }
}

/** RunPreScorePlugins' Error status from an enabled Score plugin (NodeAffinity's unparsable preferred terms), or null. */
export function preScoreError(scores: readonly WeightedScore[], pod: PodInput): string | null {
  for (const s of scores) {
    const e = s.plugin.preScoreError?.(pod) ?? null;
    if (e !== null) return e;
  }
  return null;
}

function hasExtensions(p: FilterPlugin): p is FilterPlugin & PreFilterExtensions {
  return typeof (p as Partial<PreFilterExtensions>).updateWithPod === 'function';
}

/**
 * "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were unschedulable." (framework FitError.Error); when a
 * PreFilter plugin rejected the pod, its message replaces the per-node histogram.
 */
export function fitErrorMessage(nodes: number, d: Diagnosis, preFilterMessage?: string): string {
  if (preFilterMessage !== undefined) return `0/${nodes} nodes are available: ${preFilterMessage}.`;
  const parts = [...d.entries()].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${nodes} nodes are available: ${parts.join(', ')}.`;
}

/**
 * selectHost (schedule_one.go): the highest total score wins; the k-th node tied at the top replaces the pick
 * with probability 1/k (reservoir sampling), drawing from the scheduler's seeded stream in list order.
 */
export function selectHost(feasible: Int32Array, scores: Float64Array, found: number, rng: RngStream): number {
  let best = feasible[0];
  let bestScore = scores[0];
  let ties = 1;
  for (let f = 1; f < found; f++) {
    const s = scores[f];
    if (s > bestScore) {
      bestScore = s;
      best = feasible[f];
      ties = 1;
    } else if (s === bestScore) {
      ties++;
      if (rng.int(ties) === 0) best = feasible[f];
    }
  }
  return best;
}

/** selectHost with KernelOptions.hostTieBreak 'lowestRow': the highest total score, the lowest row among ties. */
export function selectLowestRow(feasible: Int32Array, scores: Float64Array, found: number): number {
  let best = feasible[0];
  let bestScore = scores[0];
  for (let f = 1; f < found; f++) {
    const s = scores[f];
    if (s > bestScore || (s === bestScore && feasible[f] < best)) {
      bestScore = s;
      best = feasible[f];
    }
  }
  return best;
}
