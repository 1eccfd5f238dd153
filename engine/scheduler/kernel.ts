/**
 * One scheduling cycle's Filter → Score → selectHost over the NodeTable, as a single fused loop per phase
 * (plugins are configuration; a call through a plugin array per node costs ~8x, engine-performance.md §3).
 *
 * Sequential definition of upstream's parallel search (schedule_one.go findNodesThatPassFilters): nodes are
 * visited in NodeTree order starting at nextStartNodeIndex, and the first numFeasibleNodesToFind feasible
 * ones are kept; the start index then advances by the number of nodes visited, modulo the node count.
 * Upstream's 16 goroutines may look at a few extra nodes; the set kept is the same definition.
 */
import { CPU, EPHEMERAL_STORAGE, MEMORY, type PodRequests } from '../api/pod-resources.js';
import type { RngStream } from '../core/rng.js';
import type { NodeTable } from './node-table.js';
import type { PodInput } from './pod-input.js';
import { calculatePriority, scaledImageScore } from './plugins/image-locality.js';
import {
  REASON_CONFLICT,
  REASON_ENFORCED,
  REASON_NOT_IN_PREFILTER_RESULT,
  REASON_POD,
  anyTermMatches,
  compileNodeSelector,
  compilePreferred,
  compileRequired,
  matchingWeight,
  preFilterNodeNames,
  type CompiledTerms,
} from './plugins/node-affinity.js';
import { REASON as REASON_PORTS } from './plugins/node-ports.js';
import { addDefaultNormalized } from './plugins/normalize-score.js';
import {
  firstUntolerated,
  isHardEffect,
  preferNoScheduleTolerations,
  reasonUntolerated,
  toleratedByAny,
} from './plugins/taint-toleration.js';
import { scoreLeastBalanced } from './plugins/least-allocated-balanced.js';
import { balance2, balanceN, balancedScore } from './plugins/node-resources-balanced-allocation.js';
import {
  checkedScalars,
  type IgnoredResources,
  REASON_INSUFFICIENT,
  REASON_INSUFFICIENT_CPU,
  REASON_INSUFFICIENT_EPHEMERAL,
  REASON_INSUFFICIENT_MEMORY,
  REASON_TOO_MANY_PODS,
  goRound,
  leastAllocated,
  mostAllocated,
  requestedToCapacityRatio,
} from './plugins/node-resources-fit.js';
import { REASON as REASON_UNSCHEDULABLE } from './plugins/node-unschedulable.js';
import { hasScorePlugins, type Profile } from './profile.js';
import { AssignedPods, type AssignedPod } from './assigned-pods.js';
import { AffinityFilter, AffinityScore } from './affinity-state.js';
import { NodeEligibility } from './node-eligibility.js';
import { SpreadFilter, SpreadScore } from './spread-state.js';
import {
  REASON_MISSING_LABEL,
  REASON_SKEW,
  addNormalizedSpread,
  spreadConstraints,
  type SpreadConstraint,
} from './plugins/pod-topology-spread.js';
import {
  REASON_AFFINITY,
  REASON_ANTI_AFFINITY,
  REASON_EXISTING_ANTI_AFFINITY,
  addNormalizedAffinity,
} from './plugins/inter-pod-affinity.js';
import type { HostPort } from './plugins/node-ports.js';
import { GpuShare, REASON_GPU } from './plugins/open-gpu-share/index.js';
import type { GpuGrant } from '../gpu/resources.js';
import { POLICY_SCORE } from './plugins/placement-policies.js';
import {
  GPU_SHARE,
  INTER_POD_AFFINITY,
  NODE_AFFINITY,
  NODE_PORTS,
  NODE_RESOURCES_FIT,
  NODE_UNSCHEDULABLE,
  POD_TOPOLOGY_SPREAD,
  TAINT_TOLERATION,
  USER_PLUGIN,
  VOLUME_BINDING,
  VOLUME_ZONE,
  NODE_VOLUME_LIMITS,
} from './framework/queueing-hints.js';
import type { VolumeInput } from './plugins/volume-binding.js';
import { NodeView, UserPluginError, podView, type PodView, type UserPlugin } from './user-plugins.js';

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
   * framework/queueing-hints.ts bits); 0 for an error such as no nodes at all.
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

/** Filter status codes per node (framework.Code): the node passed, or was rejected, possibly for good. */
export const PASS = 0;
export const UNSCHEDULABLE = 1;
export const UNRESOLVABLE = 2;

const NO_CONTEXT: CycleContext = {};

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

const R_CPU = 0;
const R_MEM = 1;
const R_EPH = 2;
const R_SCALAR = 3;

/** Kernel scratch buffers, reused across cycles so a cycle allocates nothing per node. */
export class Kernel {
  private feasible = new Int32Array(1024);
  private scores = new Float64Array(1024);
  /** Raw scores of a normalizing plugin (two-pass: raw, then DefaultNormalizeScore). */
  private raw = new Float64Array(1024);
  // PreFilter state of the current cycle, compiled against the NodeTable.
  /** Per interned taint id: 1 if it is a NoSchedule/NoExecute taint the pod does not tolerate. */
  private untolerated = new Uint8Array(64);
  private affSelector: CompiledTerms | null = null;
  private affRequired: CompiledTerms | null = null;
  private affEnforced: CompiledTerms | null = null;
  private readonly portConflictCols: Int32Array[] = [];
  private candidates = new Int32Array(0);
  private candidateCount = 0;
  private mark = new Uint8Array(0);
  private readonly fitKinds: Int32Array;
  private readonly fitWeights: Float64Array;
  private readonly fitNames: readonly string[];
  private readonly shapeU: number[];
  private readonly shapeS: number[];
  private readonly balKinds: Int32Array;
  private readonly balNames: readonly string[];
  private readonly fractionsWith: number[] = [];
  private readonly fractionsWithout: number[] = [];
  private readonly scoring: boolean;
  /** Both scorers configured over exactly cpu and memory (the default): a specialised loop. */
  private readonly cpuMemOnly: boolean;
  // PodTopologySpread and InterPodAffinity per-cycle state (spread-state.ts, affinity-state.ts).
  private readonly elig = new NodeEligibility();
  private readonly spreadFilter = new SpreadFilter();
  private readonly spreadScore = new SpreadScore();
  private readonly ipaFilter = new AffinityFilter();
  private readonly ipaScore = new AffinityScore();
  private ignored = new Uint8Array(1024);
  private emptyPods: AssignedPods | null = null;
  /** The current cycle's pod and filter switches (kept for PostFilter after a failed search). */
  private cycle: CycleChecks | null = null;
  private readonly reasonScratch: string[] = [];
  private readonly tallyNames: string[] = [];
  private readonly tallyCounts: number[] = [];
  /** Per node row, after a search that found no node: PASS, UNSCHEDULABLE or UNRESOLVABLE (the FitError's node statuses). */
  status = new Uint8Array(0);
  /** The GPU plugins of the profile (plugins/open-gpu-share), null for a GPU-less profile. */
  readonly gpuShare: GpuShare | null;
  /** The scheduler's stream of the current cycle (RandomScore, random GPU choice). */
  private cycleRng: RngStream | null = null;

  constructor(
    readonly profile: Profile,
    readonly options: KernelOptions = DEFAULT_KERNEL_OPTIONS,
  ) {
    const fr = profile.fitStrategy.resources;
    this.fitKinds = Int32Array.from(fr, (r) => kindOf(r.name));
    this.fitWeights = Float64Array.from(fr, (r) => r.weight);
    this.fitNames = fr.map((r) => r.name);
    // requested_to_capacity_ratio.go scales shape scores from 0..10 to 0..100.
    this.shapeU = profile.fitStrategy.shape.map((p) => p.utilization);
    this.shapeS = profile.fitStrategy.shape.map((p) => p.score * 10);
    this.balKinds = Int32Array.from(profile.balancedResources, (r) => kindOf(r.name));
    this.balNames = profile.balancedResources.map((r) => r.name);
    this.scoring = hasScorePlugins(profile);
    const isCpuMem = (names: readonly string[]): boolean => names.length === 2 && names[0] === CPU && names[1] === MEMORY;
    this.cpuMemOnly = isCpuMem(this.fitNames) && isCpuMem(this.balNames);
    this.gpuShare = profile.gpu === undefined ? null : new GpuShare(profile.gpu);
    this.fitIgnored =
      profile.fitIgnoredResources.length + profile.fitIgnoredResourceGroups.length === 0
        ? null
        : { names: new Set(profile.fitIgnoredResources), groups: new Set(profile.fitIgnoredResourceGroups) };
    this.userFilters = profile.userPlugins.filter((u) => u.filter).map((u) => u.plugin.impl);
    this.userScoring = profile.userPlugins.some((u) => u.weight > 0);
  }

  private readonly userScoring: boolean;
  /** NodeResourcesFitArgs.ignoredResources / ignoredResourceGroups; null when none (the common case). */
  private readonly fitIgnored: IgnoredResources | null;

  schedule(t: NodeTable, pod: PodInput, state: SearchState, rng: RngStream, ctx: CycleContext = NO_CONTEXT): Decision {
    const n = t.count;
    this.cycleRng = rng;
    const pods = this.podsOf(t, ctx);
    const rejected = this.runPreFilter(t, pod, pods);
    if (rejected !== null) return rejected;
    const m = this.searchCount;
    const order = this.searchOrder;
    const checks = this.cycle as CycleChecks;
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
    const { checkUnsched, checkTaints, checkAff, checkPorts, checkFit, checkSpread, checkIpa, checkGpu, checkUser, checkVol } = checks;
    // fitsRequest skips the ignored extended resources (NodeResourcesFitArgs.ignoredResources/ignoredResourceGroups).
    const fitScalars = checks.fitScalars;
    const hasScalars = hasKeys(fitScalars);
    const anyRequest = r.cpu !== 0 || r.memory !== 0 || r.ephemeralStorage !== 0 || hasScalars;
    const podCpu = r.cpu;
    const podMem = r.memory;
    const podEph = r.ephemeralStorage;
    const { allocCpu, allocMem, allocEph, allocPods, reqCpu, reqMem, reqEph, podCount, unschedulable, hardTaints, usedPorts } = t;
    let found = 0;
    let visited = 0;
    const start = m === 0 ? 0 : state.nextStartNodeIndex % m;
    for (let k = 0; k < m && found < want; k++) {
      let j = start + k;
      if (j >= m) j -= m;
      const i = order[j];
      visited++;
      // Open-Gpu-Share (the study's profiles append it) is tested first: an O(1) check that rejects most nodes once
      // the GPUs fill up. The outcome is the AND of the filters, so their order here does not matter; diagnose
      // (verdict) keeps the framework's order for the reasons.
      if (checkGpu && !this.gpuFits(i)) continue;
      // Filter plugins in the default order: NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit.
      if (checkUnsched && unschedulable[i] === 1) {
        continue;
      }
      if (checkTaints && hardTaints[i] !== 0 && this.untoleratedTaint(t, i) >= 0) {
        continue;
      }
      if (checkAff && this.affinityReason(t, i) !== null) {
        continue;
      }
      if (checkPorts && usedPorts[i] !== 0 && this.portConflict(i)) {
        continue;
      }
      if (checkFit) {
        if (podCount[i] + 1 > allocPods[i]) {
          continue;
        }
        if (anyRequest) {
          if (
            (podCpu > 0 && podCpu > allocCpu[i] - reqCpu[i]) ||
            (podMem > 0 && podMem > allocMem[i] - reqMem[i]) ||
            (podEph > 0 && podEph > allocEph[i] - reqEph[i]) ||
            (hasScalars && !scalarsFit(t, i, fitScalars))
          ) {
            continue;
          }
        }
      }
      // VolumeBinding, VolumeZone (only for pods with claims), PodTopologySpread, then InterPodAffinity (default
      // filter order).
      if (checkVol && this.volumeRule(t, i) >= 0) continue;
      if (checkSpread && this.spreadFilter.check(i) !== 0) continue;
      if (checkIpa && this.ipaFilter.check(i) !== 0) continue;
      if (checkUser && this.userReject(i) !== null) continue;
      feasible[found++] = i;
    }
    // The rotation applies to the (possibly restricted) list; the modulus is the number of all nodes present
    // (schedule_one.go: len(allNodes); deleted nodes' tombstone rows are not nodes), as in parallel/scanner.ts.
    state.nextStartNodeIndex = (state.nextStartNodeIndex + visited) % t.live;
    return this.conclude(t, pod, checks, nominated, found, visited, pods, rng);
  }

  /**
   * The rest of a cycle after the search: the FitError when no node fits, else Score and selectHost. A method of
   * its own so that a branch first taken late in a run (the first pod that fits nowhere, or on one node only)
   * deoptimizes this small function instead of the search loop's.
   */
  private conclude(
    t: NodeTable,
    pod: PodInput,
    checks: CycleChecks,
    nominated: readonly NominatedPod[],
    found: number,
    visited: number,
    pods: AssignedPods,
    rng: RngStream,
  ): Decision {
    // Everything read before branching, one return for the usual outcomes: a property access, call or object
    // literal first reached late in a run (the first pod that fits nowhere, or on one node) deoptimizes the code
    // this is inlined into at every such cycle.
    const feasible = this.feasible;
    const first = feasible[0];
    const wantDiagnosis = this.options.diagnose;
    const diagnosis = found === 0 && wantDiagnosis ? this.diagnose(t, checks) : undefined;
    const rejectors = this.rejected;
    this.applyNominated(t, nominated, -1);
    let node = -1;
    if (found === 1) node = first;
    else if (found > 1) {
      // RunPreScorePlugins: NodeAffinity fails on preferred terms it cannot parse (an Error status, no FitError).
      if (this.profile.affinityWeight > 0 && pod.preferredAffinityError !== null) {
        return { node: -1, visited, feasible: found, error: { message: pod.preferredAffinityError, reason: 'SchedulerError' } };
      }
      const scores = this.scores;
      this.scoreAll(t, pod, feasible, found, scores, pods, rng);
      node =
        this.options.hostTieBreak === 'lowestRow' ? selectLowestRow(feasible, scores, found) : selectHost(feasible, scores, found, rng);
    }
    if (diagnosis !== undefined) return { node: -1, visited, feasible: 0, diagnosis, rejectors };
    return { node, visited, feasible: found };
  }

  /**
   * RunPreFilterPlugins: compiles the pod's filter state against the table (this.cycle) and the search window
   * (searchOrder/searchCount: the nodes in NodeTree order, or a PreFilterResult's). Returns the failed cycle's
   * Decision when there are no nodes or a PreFilter plugin rejects the pod for every node, else null.
   */
  private runPreFilter(t: NodeTable, pod: PodInput, pods: AssignedPods): Decision | null {
    this.cycle = null;
    if (t.live === 0) return { node: -1, visited: 0, feasible: 0, error: NO_NODES };
    // ---- PreFilter
    const checkTaints = this.profile.filters.taintToleration && t.hardTaintNodes > 0 && this.preFilterTaints(t, pod);
    const checkAff = this.profile.filters.nodeAffinity && this.preFilterAffinity(t, pod);
    const checkPorts = this.profile.filters.nodePorts && pod.hostPorts.length > 0 && this.preFilterPorts(t, pod);
    this.elig.prepare(t, pod);
    const checkSpread = this.profile.filters.podTopologySpread && this.spreadFilter.prepare(t, pods, this.spreadFor(pod).hard, this.elig);
    const checkIpa = this.profile.filters.interPodAffinity && this.ipaFilter.prepare(t, pods, pod);
    // ---- GPU block: Open-Gpu-Share PreFilter (a malformed GPU request fits nowhere).
    const gpuShare = this.gpuShare;
    const checkGpu = gpuShare !== null && t.gpu !== null && gpuShare.prepare(t, pod);
    if (gpuShare !== null && gpuShare.error !== null) {
      this.markAll(t, UNRESOLVABLE);
      return { node: -1, visited: 0, feasible: 0, diagnosis: new Map(), preFilterMessage: gpuShare.error, rejectors: GPU_SHARE };
    }
    const checkUser = this.userFilters.length > 0 && this.prepareUser(t, pod);
    let order = t.order;
    // The search window: nodes present, in NodeTree order (removed nodes' rows are not in it).
    let m = t.live;
    let restricted = false;
    if (checkAff && this.profile.nodeAffinityPreFilter) {
      const names = preFilterNodeNames(pod.nodeAffinity);
      if (names !== null) {
        if (names.size === 0) {
          this.markAll(t, UNRESOLVABLE);
          return { node: -1, visited: 0, feasible: 0, diagnosis: new Map(), preFilterMessage: REASON_CONFLICT, rejectors: NODE_AFFINITY };
        }
        m = this.restrict(t, names);
        order = this.candidates;
        restricted = true;
      }
    }
    // VolumeRestrictions and VolumeBinding PreFilter, then the per-node volume rules (pods with claims only).
    const vol = pod.volumes ?? null;
    let checkVol = false;
    if (vol !== null) {
      const pf = vol.preFilter;
      if (pf !== null && this.volumePluginOn(pf.plugin)) {
        this.markAll(t, UNRESOLVABLE);
        return { node: -1, visited: 0, feasible: 0, diagnosis: new Map(), preFilterMessage: pf.message, rejectors: pf.plugin };
      }
      checkVol = this.prepareVolumes(t, vol);
    } else this.volRules.length = 0;
    const checks: CycleChecks = {
      pod,
      checkUnsched: this.profile.filters.nodeUnschedulable && !pod.toleratesUnschedulable && t.unschedulableNodes > 0,
      checkTaints,
      checkAff,
      checkPorts,
      checkFit: this.profile.filters.nodeResourcesFit,
      fitScalars: checkedScalars(pod.requests.scalars, this.fitIgnored),
      checkSpread,
      checkIpa,
      checkGpu,
      checkUser,
      checkVol,
      restricted,
    };
    this.cycle = checks;
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
    const c = this.cycle;
    if (c === null) return false;
    if (!c.restricted) return true;
    for (let k = 0; k < this.candidateCount; k++) if (this.candidates[k] === i) return true;
    return false;
  }

  private readonly volRules: { compiled: CompiledTerms; reason: string; plugin: number }[] = [];

  private volumePluginOn(plugin: number): boolean {
    const f = this.profile.filters;
    return plugin === VOLUME_BINDING
      ? f.volumeBinding
      : plugin === VOLUME_ZONE
        ? f.volumeZone
        : plugin === NODE_VOLUME_LIMITS
          ? f.nodeVolumeLimits
          : f.volumeRestrictions;
  }

  /** The volume rules of the enabled plugins, compiled against this cycle's NodeTable. False = none. */
  private prepareVolumes(t: NodeTable, vol: VolumeInput): boolean {
    const rules = this.volRules;
    rules.length = 0;
    for (const r of vol.rules)
      if (this.volumePluginOn(r.plugin)) rules.push({ compiled: compileRequired(t, r.terms), reason: r.reason, plugin: r.plugin });
    return rules.length > 0;
  }

  /** The index of the first volume rule row i fails, or -1. */
  private volumeRule(t: NodeTable, i: number): number {
    const rules = this.volRules;
    for (let k = 0; k < rules.length; k++) if (!anyTermMatches(rules[k].compiled, i, t.labelValueNum)) return k;
    return -1;
  }

  /** TaintToleration has no PreFilter upstream; this is its per-cycle precomputation. False = nothing to check. */
  private preFilterTaints(t: NodeTable, pod: PodInput): boolean {
    const count = t.taints.length;
    if (this.untolerated.length < count) this.untolerated = new Uint8Array(Math.max(count, this.untolerated.length * 2));
    const u = this.untolerated;
    let any = false;
    for (let id = 0; id < count; id++) {
      const taint = t.taints[id];
      const bad = isHardEffect(taint.effect) && (pod.tolerations.length === 0 || !toleratedByAny(pod.tolerations, taint));
      u[id] = bad ? 1 : 0;
      if (bad) any = true;
    }
    return any;
  }

  /** The first NoSchedule/NoExecute taint id on row i the pod does not tolerate, or -1. */
  private untoleratedTaint(t: NodeTable, i: number): number {
    const ids = t.nodeTaints[i];
    const u = this.untolerated;
    for (let k = 0; k < ids.length; k++) if (u[ids[k]] === 1) return ids[k];
    return -1;
  }

  /** NodeAffinity PreFilter: false = Skip (no nodeSelector, no required affinity, no addedAffinity.required). */
  private preFilterAffinity(t: NodeTable, pod: PodInput): boolean {
    const required = pod.nodeAffinity?.required;
    const enforced = this.profile.addedAffinity?.required;
    this.affSelector = hasKeys(pod.nodeSelector) ? compileNodeSelector(t, pod.nodeSelector) : null;
    this.affRequired = required === undefined ? null : compileRequired(t, required.nodeSelectorTerms);
    this.affEnforced = enforced === undefined ? null : compileRequired(t, enforced.nodeSelectorTerms);
    return this.affSelector !== null || this.affRequired !== null || this.affEnforced !== null;
  }

  /** NodeAffinity Filter: null when row i passes, else the failure reason. */
  private affinityReason(t: NodeTable, i: number): string | null {
    const num = t.labelValueNum;
    if (this.affEnforced !== null && !anyTermMatches(this.affEnforced, i, num)) return REASON_ENFORCED;
    if (this.affSelector !== null && !anyTermMatches(this.affSelector, i, num)) return REASON_POD;
    if (this.affRequired !== null && !anyTermMatches(this.affRequired, i, num)) return REASON_POD;
    return null;
  }

  /** NodePorts PreFilter: the columns to test; false when no node uses any wanted port. */
  private preFilterPorts(t: NodeTable, pod: PodInput): boolean {
    const cols = this.portConflictCols;
    cols.length = 0;
    for (const p of pod.hostPorts) t.conflictColumns(p, cols);
    return cols.length > 0;
  }

  private portConflict(i: number): boolean {
    const cols = this.portConflictCols;
    for (let k = 0; k < cols.length; k++) if (cols[k][i] !== 0) return true;
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

  /** Weighted total score of each feasible node (framework RunScorePlugins, NormalizeScore, weighted sum). */
  scoreAll(t: NodeTable, pod: PodInput, feasible: Int32Array, found: number, out: Float64Array, pods: AssignedPods, rng?: RngStream): void {
    if (this.raw.length < found) this.raw = new Float64Array(Math.max(found, out.length));
    if (this.ignored.length < found) this.ignored = new Uint8Array(this.raw.length);
    this.scoreResources(t, pod.requests, feasible, found, out);
    this.scoreExtras(t, pod, feasible, found, out, pods, rng);
  }

  /**
   * The score plugins after NodeResourcesFit + BalancedAllocation, added to `out`. Kept apart because the
   * parallel scan (parallel/) computes the resource part in worker threads and calls this on the main thread.
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
    if (this.raw.length < found) this.raw = new Float64Array(Math.max(found, out.length));
    const p = this.profile;
    if (p.taintWeight > 0) this.scoreTaints(t, pod, feasible, found, out);
    if (p.affinityWeight > 0) this.scoreAffinity(t, pod, feasible, found, out);
    if (p.spreadWeight > 0) this.scoreSpread(t, pod, feasible, found, out, pods);
    if (p.interPodAffinityWeight > 0) this.scoreInterPod(t, pod, feasible, found, out, pods);
    if (p.imageWeight > 0) this.scoreImages(t, pod, feasible, found, out);
    if (p.firstFitWeight > 0 || p.roundRobinWeight > 0 || p.uniformRandomWeight > 0) this.scorePolicies(t, feasible, found, out, rng);
    if (this.userScoring) this.scoreUser(t, pod, feasible, found, out);
    if (this.gpuShare !== null && t.gpu !== null && this.cycleRng !== null) this.gpuShare.score(t, feasible, found, out, this.cycleRng);
  }

  /**
   * Whether every score plugin after NodeResourcesFit and BalancedAllocation gives every node the same score
   * this cycle (or Skips), so the ranking of feasible nodes is the resource score's: the sharded search then
   * picks the host from its shards' records without running scoreExtras (parallel/scanner.ts). Conservative:
   * false whenever a plugin might tell nodes apart.
   */
  extrasUniform(t: NodeTable, pod: PodInput, pods: AssignedPods): boolean {
    const p = this.profile;
    // TaintToleration: every raw score 0 without PreferNoSchedule taints (scoreTaints).
    if (p.taintWeight > 0 && t.softTaintNodes !== 0) return false;
    // NodeAffinity: PreScore Skip without preferred terms (scoreAffinity).
    if (p.affinityWeight > 0 && (pod.nodeAffinity?.preferred !== undefined || (p.addedAffinity?.preferred?.length ?? 0) > 0)) return false;
    // PodTopologySpread: Skip without ScheduleAnyway constraints (scoreSpread).
    if (p.spreadWeight > 0 && this.spreadFor(pod).soft.length > 0) return false;
    // InterPodAffinity: nothing to accumulate without preferred terms of its own and pods with affinity (AffinityScore.score).
    if (p.interPodAffinityWeight > 0) {
      const info = pod.podAffinity;
      if ((info !== null && info.preferredAffinity.length + info.preferredAnti.length > 0) || pods.withAffinity.size > 0) return false;
    }
    // ImageLocality: the same on every node when each of the pod's images is on all nodes or none (scoreImages).
    if (p.imageWeight > 0) {
      for (const name of pod.images) {
        const id = t.imageId(name);
        if (id >= 0 && t.imageNumNodes[id] !== 0 && t.imageNumNodes[id] !== t.live) return false;
      }
    }
    if (p.firstFitWeight > 0 || p.roundRobinWeight > 0 || p.uniformRandomWeight > 0 || this.userScoring) return false;
    return !(this.gpuShare !== null && t.gpu !== null);
  }

  /** Open-Gpu-Share Filter on row i (only when the cycle's checkGpu is set). */
  private gpuFits(i: number): boolean {
    return (this.gpuShare as GpuShare).fits(i);
  }

  /**
   * Open-Gpu-Share Reserve for the last cycle's pod on its chosen node: the GPU devices it gets (null: none).
   * `rng` draws a random device (gpuSelMethod random): the cycle's stream unless a driver keeps its own.
   */
  reserveGpu(t: NodeTable, row: number, rng: RngStream | null = this.cycleRng): GpuGrant | null {
    if (this.gpuShare === null || t.gpu === null || rng === null) return null;
    return this.gpuShare.reserve(t, row, rng);
  }

  /** FirstFit, RoundRobin and UniformRandom (plugins/placement-policies.ts): one node gets 100 × weight. */
  private scorePolicies(t: NodeTable, feasible: Int32Array, found: number, out: Float64Array, rng: RngStream | undefined): void {
    const p = this.profile;
    const n = t.count;
    const pos = this.treePositions(t);
    if (p.firstFitWeight > 0) {
      let best = 0;
      for (let f = 1; f < found; f++) if (pos[feasible[f]] < pos[feasible[best]]) best = f;
      out[best] += POLICY_SCORE * p.firstFitWeight;
    }
    if (p.roundRobinWeight > 0) {
      const cursor = this.roundRobinCursor % n;
      let best = 0;
      let bestGap = n;
      for (let f = 0; f < found; f++) {
        let gap = pos[feasible[f]] - cursor;
        if (gap < 0) gap += n;
        if (gap < bestGap) {
          bestGap = gap;
          best = f;
        }
      }
      out[best] += POLICY_SCORE * p.roundRobinWeight;
      this.roundRobinCursor = (pos[feasible[best]] + 1) % n;
    }
    if (p.uniformRandomWeight > 0) {
      if (rng === undefined) throw new Error("UniformRandom scores need the scheduler's random stream");
      out[rng.int(found)] += POLICY_SCORE * p.uniformRandomWeight;
    }
  }

  /** Row → position in NodeTree order, rebuilt when the table rebuilds its order (after nodes are added). */
  private treePositions(t: NodeTable): Int32Array {
    const order = t.order;
    if (this.positionsOf !== order) {
      if (this.positions.length < order.length) this.positions = new Int32Array(t.capacity);
      for (let j = 0; j < order.length; j++) this.positions[order[j]] = j;
      this.positionsOf = order;
    }
    return this.positions;
  }

  private positions = new Int32Array(0);
  private positionsOf: Int32Array | null = null;
  /** RoundRobin's cursor: the NodeTree position its search starts from. */
  private roundRobinCursor = 0;

  /** PodTopologySpread PreScore (Skip without constraints), Score, NormalizeScore. */
  private scoreSpread(t: NodeTable, pod: PodInput, feasible: Int32Array, found: number, out: Float64Array, pods: AssignedPods): void {
    const d = this.profile.spreadDefaults;
    const cs = this.spreadFor(pod).soft;
    if (cs.length === 0) return;
    const explicit = (pod.spec.topologySpreadConstraints?.length ?? 0) > 0;
    this.elig.prepare(t, pod);
    if (!this.spreadScore.score(t, pods, cs, explicit || d.defaultingType !== 'System', feasible, found, this.elig, this.raw, this.ignored))
      return;
    addNormalizedSpread(this.raw, this.ignored, found, this.profile.spreadWeight, out);
  }

  /** InterPodAffinity PreScore (Skip when nothing matches), Score, NormalizeScore. */
  private scoreInterPod(t: NodeTable, pod: PodInput, feasible: Int32Array, found: number, out: Float64Array, pods: AssignedPods): void {
    const p = this.profile;
    if (!this.ipaScore.score(t, pods, pod, p.hardPodAffinityWeight, p.ignorePreferredTermsOfExistingPods, feasible, found, this.raw))
      return;
    addNormalizedAffinity(this.raw, found, p.interPodAffinityWeight, out);
  }

  /**
   * The pod's compiled constraints, memoized by the objects they derive from (a ReplicaSet's pods share their
   * template's constraint list and labels, and the scheduler reuses default selectors), so a cycle usually
   * compiles nothing.
   */
  private spreadFor(pod: PodInput): SpreadPair {
    const k1: object = pod.spec.topologySpreadConstraints ?? pod.defaultSpreadSelector ?? NO_SPREAD;
    let byLabels = this.spreadMemo.get(k1);
    if (byLabels === undefined) this.spreadMemo.set(k1, (byLabels = new WeakMap()));
    const hit = byLabels.get(pod.labels);
    if (hit !== undefined && hit.namespace === pod.namespace) return hit;
    const d = this.profile.spreadDefaults;
    const pair: SpreadPair = {
      namespace: pod.namespace,
      hard: spreadConstraints(pod.spec, pod.namespace, pod.labels, 'DoNotSchedule', d, pod.defaultSpreadSelector),
      soft: spreadConstraints(pod.spec, pod.namespace, pod.labels, 'ScheduleAnyway', d, pod.defaultSpreadSelector),
    };
    byLabels.set(pod.labels, pair);
    return pair;
  }

  private readonly spreadMemo = new WeakMap<object, WeakMap<object, SpreadPair>>();

  /**
   * Whether the PreFilters of PodTopologySpread and InterPodAffinity both Skip for this pod (no hard spread
   * constraint, no required (anti-)affinity term of its own or of an existing pod that matches it), so that
   * every node passes their Filters: what the sharded search (parallel/scanner.ts) needs to serve the cycle.
   */
  podFiltersSkip(t: NodeTable, pod: PodInput, pods: AssignedPods): boolean {
    const f = this.profile.filters;
    if (f.podTopologySpread && this.spreadFor(pod).hard.length > 0) return false;
    return !(f.interPodAffinity && this.ipaFilter.prepare(t, pods, pod));
  }

  /**
   * Existing-pod matches upstream's PreFilter (and, when the cycle scores, PreScore) of InterPodAffinity and
   * PodTopologySpread make for this pod, for the cycle's modeled cost (cycle-cost.ts). kubesim answers the
   * same questions from incremental counters; upstream scans the pods of every node each cycle.
   */
  podScanWork(pod: PodInput, pods: AssignedPods, scoring: boolean): { affinityTermChecks: number; spreadChecks: number } {
    const p = this.profile;
    const a = pod.podAffinity;
    let affinity = 0;
    let spread = 0;
    if (p.filters.interPodAffinity) {
      // getExistingAntiAffinityCounts: the existing pods' required anti-affinity terms against this pod.
      affinity += pods.requiredAntiTerms;
      // getIncomingAffinityAntiAffinityCounts: every existing pod against this pod's required terms.
      if (a !== null) affinity += pods.size * (a.requiredAffinity.length + a.requiredAnti.length);
    }
    if (scoring && p.interPodAffinityWeight > 0) {
      const preferred = a === null ? 0 : a.preferredAffinity.length + a.preferredAnti.length;
      // PreScore: every pod of every node when the pod has preferred terms, else the pods with affinity only.
      if (preferred > 0) affinity += pods.size * (preferred + 1);
      else if (!p.ignorePreferredTermsOfExistingPods) affinity += pods.withAffinity.size;
    }
    if (p.filters.podTopologySpread || (scoring && p.spreadWeight > 0)) {
      const c = this.spreadFor(pod);
      if (p.filters.podTopologySpread) spread += pods.size * c.hard.length;
      if (scoring && p.spreadWeight > 0) spread += pods.size * c.soft.length;
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
    const c = this.cycle;
    if (c === null) return UNRESOLVABLE;
    return this.verdict(t, i, c, null);
  }

  /**
   * PreFilterExtensions AddPod (delta 1) / RemovePod (delta -1) for the last cycle's PreFilter state, with the
   * pod's resources and ports added to or removed from its node, as preemption's dry runs need.
   */
  updateWithPod(t: NodeTable, e: AssignedPod, delta: 1 | -1): void {
    const c = this.cycle;
    t.account(e.row, e.requests, delta, e.ports);
    if (c === null) return;
    if (c.checkSpread)
      this.spreadFilter.updateWithPod(t, e.row, c.pod.namespace, e.pod.metadata.namespace, e.pod.metadata.labels, delta, this.elig);
    if (c.checkIpa) this.ipaFilter.updateWithPod(t, e, delta);
  }

  /**
   * RunFilterPlugins on one node for the last cycle, with every failure reason appended to `reasons` (the
   * per-node statuses upstream's FitError carries): PASS, UNSCHEDULABLE or UNRESOLVABLE. Nodes outside a
   * PreFilterResult carry its status. Requires a preceding schedule() that reached Filter.
   */
  explainNode(t: NodeTable, i: number, reasons: string[]): number {
    const c = this.cycle;
    if (c === null) return UNRESOLVABLE;
    if (c.restricted && !this.candidates.subarray(0, this.candidateCount).includes(i)) {
      reasons.push(REASON_NOT_IN_PREFILTER_RESULT);
      return UNRESOLVABLE;
    }
    return this.verdict(t, i, c, reasons);
  }

  /** The feasible rows the last schedule() kept, in search order (its Decision.feasible of them are valid). */
  feasibleRows(count: number): Int32Array {
    return this.feasible.subarray(0, count);
  }

  /** The pod of the last cycle. */
  get cyclePod(): PodInput | undefined {
    return this.cycle?.pod;
  }

  private markAll(t: NodeTable, code: number): void {
    if (this.status.length < t.count) this.status = new Uint8Array(t.capacity);
    this.status.fill(code, 0, t.count);
  }

  /** TaintToleration Score + NormalizeScore (reverse): intolerable PreferNoSchedule taints per node. */
  private scoreTaints(t: NodeTable, pod: PodInput, feasible: Int32Array, found: number, out: Float64Array): void {
    const w = this.profile.taintWeight;
    if (t.softTaintNodes === 0) {
      // Every raw score is 0, so every node normalizes to 100.
      for (let f = 0; f < found; f++) out[f] += 100 * w;
      return;
    }
    const tolerations = preferNoScheduleTolerations(pod.tolerations);
    const count = t.taints.length;
    if (this.untolerated.length < count) this.untolerated = new Uint8Array(Math.max(count, this.untolerated.length * 2));
    const bad = this.untolerated;
    for (let id = 0; id < count; id++) {
      const taint = t.taints[id];
      bad[id] = taint.effect === 'PreferNoSchedule' && !toleratedByAny(tolerations, taint) ? 1 : 0;
    }
    const raw = this.raw;
    const soft = t.softTaints;
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let c = 0;
      if (soft[i] !== 0) {
        const ids = t.nodeTaints[i];
        for (let k = 0; k < ids.length; k++) c += bad[ids[k]];
      }
      raw[f] = c;
    }
    addDefaultNormalized(raw, found, true, w, out);
  }

  /** NodeAffinity PreScore (Skip without preferred terms), Score, NormalizeScore. */
  private scoreAffinity(t: NodeTable, pod: PodInput, feasible: Int32Array, found: number, out: Float64Array): void {
    const own = pod.nodeAffinity?.preferred;
    const added = this.profile.addedAffinity?.preferred;
    const hasAdded = added !== undefined && added.length > 0;
    if (own === undefined && !hasAdded) return;
    const num = t.labelValueNum;
    const ownTerms = own === undefined ? null : compilePreferred(t, own);
    const addedTerms = hasAdded ? compilePreferred(t, added) : null;
    const raw = this.raw;
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let s = 0;
      if (addedTerms !== null) s += matchingWeight(addedTerms, i, num);
      if (ownTerms !== null) s += matchingWeight(ownTerms, i, num);
      raw[f] = s;
    }
    addDefaultNormalized(raw, found, false, this.profile.affinityWeight, out);
  }

  /** ImageLocality Score: spread-scaled sizes of the pod's images the node holds, over all nodes in the cache. */
  private scoreImages(t: NodeTable, pod: PodInput, feasible: Int32Array, found: number, out: Float64Array): void {
    const cols: Uint8Array[] = [];
    const scaled: number[] = [];
    // An image every node holds adds the same amount everywhere: folded into `base`, no per-node lookup.
    let base = 0;
    for (const name of pod.images) {
      const id = t.imageId(name);
      if (id < 0 || t.imageNumNodes[id] === 0) continue;
      const s = scaledImageScore(t.imageSize[id], t.imageNumNodes[id], t.live);
      if (t.imageNumNodes[id] === t.live) base += s;
      else {
        cols.push(t.imageCols[id]);
        scaled.push(s);
      }
    }
    const w = this.profile.imageWeight;
    const containers = pod.images.length;
    if (cols.length === 0) {
      // No per-node difference (and calculatePriority(0) = 0 when no image is anywhere).
      const c = calculatePriority(base, containers) * w;
      if (c !== 0) for (let f = 0; f < found; f++) out[f] += c;
      return;
    }
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let sum = base;
      for (let k = 0; k < cols.length; k++) if (cols[k][i] === 1) sum += scaled[k];
      out[f] += calculatePriority(sum, containers) * w;
    }
  }

  /** NodeResourcesFit and BalancedAllocation (no NormalizeScore), written to out. */
  private scoreResources(t: NodeTable, r: PodRequests, feasible: Int32Array, found: number, out: Float64Array): void {
    const p = this.profile;
    const fitW = p.fitWeight;
    const balW = p.balancedWeight;
    // v1.33+: BalancedAllocation's PreScore skips pods requesting none of its resources.
    let balActive = balW > 0;
    if (balActive) {
      let anyReq = false;
      for (let k = 0; k < this.balKinds.length; k++) if (podAmount(r, this.balKinds[k], this.balNames[k], false) !== 0) anyReq = true;
      balActive = anyReq;
    }
    if (fitW === 0 && !balActive) {
      // Both resource scores disabled or skipped (a profile of other score plugins only): every node scores 0.
      out.fill(0, 0, found);
      return;
    }
    const strategy = p.fitStrategy.type;
    if (this.cpuMemOnly) {
      this.scoreCpuMem(t, r, feasible, found, out, balActive);
      return;
    }
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let total = 0;
      if (fitW > 0) {
        let nodeScore = 0;
        let weightSum = 0;
        for (let k = 0; k < this.fitKinds.length; k++) {
          const kind = this.fitKinds[k];
          const podReq = podAmount(r, kind, this.fitNames[k], true);
          if (kind === R_SCALAR && podReq === 0) continue;
          const alloc = nodeAlloc(t, i, kind, this.fitNames[k]);
          if (alloc === 0) continue;
          const req = nodeRequested(t, i, kind, this.fitNames[k], true) + podReq;
          const w = this.fitWeights[k];
          if (strategy === 'LeastAllocated') {
            nodeScore += leastAllocated(req, alloc) * w;
            weightSum += w;
          } else if (strategy === 'MostAllocated') {
            nodeScore += mostAllocated(req, alloc) * w;
            weightSum += w;
          } else {
            const s = requestedToCapacityRatio(this.shapeU, this.shapeS, req, alloc);
            if (s > 0) {
              nodeScore += s * w;
              weightSum += w;
            }
          }
        }
        let fit = 0;
        if (weightSum !== 0)
          fit = strategy === 'RequestedToCapacityRatio' ? goRound(nodeScore / weightSum) : Math.trunc(nodeScore / weightSum);
        total += fit * fitW;
      }
      if (balActive) total += this.balanced(t, i, r) * balW;
      out[f] = total;
    }
  }

  /** scoreAll specialised to cpu + memory for both plugins: same arithmetic, no per-resource dispatch. */
  private scoreCpuMem(t: NodeTable, r: PodRequests, feasible: Int32Array, found: number, out: Float64Array, balActive: boolean): void {
    const p = this.profile;
    const fitW = p.fitWeight;
    const balW = p.balancedWeight;
    const wc = this.fitWeights[0];
    const wm = this.fitWeights[1];
    const type = p.fitStrategy.type;
    const least = type === 'LeastAllocated';
    const most = type === 'MostAllocated';
    const { allocCpu, allocMem, nzCpu, nzMem, reqCpu, reqMem } = t;
    const nzPodCpu = r.nonZeroCpu;
    const nzPodMem = r.nonZeroMemory;
    const podCpu = r.cpu;
    const podMem = r.memory;
    if (least && fitW > 0 && balActive) {
      // The upstream default: one fused loop (plugins/least-allocated-balanced.ts), ~1.5× faster than the
      // general loop below, which re-tests the strategy per node.
      scoreLeastBalanced(t, feasible, found, out, { nzPodCpu, nzPodMem, podCpu, podMem, wc, wm, fitW, balW });
      return;
    }
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      const ac = allocCpu[i];
      const am = allocMem[i];
      let total = 0;
      if (fitW > 0) {
        let nodeScore = 0;
        let weightSum = 0;
        if (ac !== 0) {
          const q = nzCpu[i] + nzPodCpu;
          const sc = least
            ? leastAllocated(q, ac)
            : most
              ? mostAllocated(q, ac)
              : requestedToCapacityRatio(this.shapeU, this.shapeS, q, ac);
          if (least || most || sc > 0) {
            nodeScore += sc * wc;
            weightSum += wc;
          }
        }
        if (am !== 0) {
          const q = nzMem[i] + nzPodMem;
          const sm = least
            ? leastAllocated(q, am)
            : most
              ? mostAllocated(q, am)
              : requestedToCapacityRatio(this.shapeU, this.shapeS, q, am);
          if (least || most || sm > 0) {
            nodeScore += sm * wm;
            weightSum += wm;
          }
        }
        if (weightSum !== 0) total += (least || most ? Math.trunc(nodeScore / weightSum) : goRound(nodeScore / weightSum)) * fitW;
      }
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

  private balanced(t: NodeTable, i: number, r: PodRequests): number {
    const withPod = this.fractionsWith;
    const withoutPod = this.fractionsWithout;
    withPod.length = 0;
    withoutPod.length = 0;
    for (let k = 0; k < this.balKinds.length; k++) {
      const kind = this.balKinds[k];
      const podReq = podAmount(r, kind, this.balNames[k], false);
      if (kind === R_SCALAR && podReq === 0) continue;
      const alloc = nodeAlloc(t, i, kind, this.balNames[k]);
      if (alloc === 0) continue;
      const req = nodeRequested(t, i, kind, this.balNames[k], false);
      withPod.push(Math.min((req + podReq) / alloc, 1));
      withoutPod.push(Math.min(req / alloc, 1));
    }
    return balancedScore(balanceN(withPod), balanceN(withoutPod));
  }

  /**
   * Recounts failure reasons for the FitError message and records each node's status code; runs only when no
   * node fits (a full pass).
   */
  /** The plugins verdict() saw reject a node since diagnose() began (queueing-hints.ts bits). */
  private rejected = 0;

  private diagnose(t: NodeTable, c: CycleChecks): Diagnosis {
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
    if (c.restricted) {
      // Nodes the PreFilterResult left out are not filtered; they carry the PreFilter status.
      for (let k = 0; k < this.candidateCount; k++) this.mark[this.candidates[k]] = 1;
      if (t.live > this.candidateCount) {
        d.set(REASON_NOT_IN_PREFILTER_RESULT, t.live - this.candidateCount);
        this.rejected |= NODE_AFFINITY;
      }
    }
    const order = t.order;
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      if (c.restricted) {
        if (this.mark[i] === 0) {
          status[i] = UNRESOLVABLE;
          continue;
        }
        this.mark[i] = 0;
      }
      reasons.length = 0;
      status[i] = this.verdict(t, i, c, reasons);
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
   * RunFilterPlugins on one node: the first failing plugin's code (its reasons appended to `reasons` when
   * given; NodeResourcesFit can give several), in the default filter order.
   */
  private verdict(t: NodeTable, i: number, c: CycleChecks, reasons: string[] | null): number {
    const pod = c.pod;
    if (c.checkUnsched && t.unschedulable[i] === 1) {
      reasons?.push(REASON_UNSCHEDULABLE);
      this.rejected |= NODE_UNSCHEDULABLE;
      return UNRESOLVABLE;
    }
    if (c.checkTaints && t.hardTaints[i] !== 0 && this.untoleratedTaint(t, i) >= 0) {
      if (reasons !== null) {
        const taint = firstUntolerated(t.nodes[i].spec.taints, pod.tolerations);
        if (taint !== undefined) reasons.push(reasonUntolerated(taint));
      }
      this.rejected |= TAINT_TOLERATION;
      return UNRESOLVABLE;
    }
    if (c.checkAff) {
      const reason = this.affinityReason(t, i);
      if (reason !== null) {
        reasons?.push(reason);
        this.rejected |= NODE_AFFINITY;
        return UNRESOLVABLE;
      }
    }
    if (c.checkPorts && t.usedPorts[i] !== 0 && this.portConflict(i)) {
      reasons?.push(REASON_PORTS);
      this.rejected |= NODE_PORTS;
      return UNSCHEDULABLE;
    }
    if (c.checkFit) {
      const r = pod.requests;
      let failed = false;
      // v1.34+ (PR #131345): a request larger than the node's allocatable can never fit there.
      let unresolvable = false;
      if (t.podCount[i] + 1 > t.allocPods[i]) {
        failed = true;
        reasons?.push(REASON_TOO_MANY_PODS);
      }
      // Written out (no closure per node): a failed cycle diagnoses every node.
      if (r.cpu > 0 && r.cpu > t.allocCpu[i] - t.reqCpu[i]) {
        failed = true;
        if (r.cpu > t.allocCpu[i]) unresolvable = true;
        reasons?.push(REASON_INSUFFICIENT_CPU);
      }
      if (r.memory > 0 && r.memory > t.allocMem[i] - t.reqMem[i]) {
        failed = true;
        if (r.memory > t.allocMem[i]) unresolvable = true;
        reasons?.push(REASON_INSUFFICIENT_MEMORY);
      }
      if (r.ephemeralStorage > 0 && r.ephemeralStorage > t.allocEph[i] - t.reqEph[i]) {
        failed = true;
        if (r.ephemeralStorage > t.allocEph[i]) unresolvable = true;
        reasons?.push(REASON_INSUFFICIENT_EPHEMERAL);
      }
      const scalars = c.fitScalars;
      for (const name in scalars) {
        const alloc = t.scalarAlloc.get(name)?.[i] ?? 0;
        const req = t.scalarReq.get(name)?.[i] ?? 0;
        if (scalars[name] > alloc - req) {
          failed = true;
          if (scalars[name] > alloc) unresolvable = true;
          reasons?.push(REASON_INSUFFICIENT(name));
        }
      }
      if (failed) {
        this.rejected |= NODE_RESOURCES_FIT;
        return unresolvable ? UNRESOLVABLE : UNSCHEDULABLE;
      }
    }
    if (c.checkVol) {
      // VolumeBinding and VolumeZone Filter: UnschedulableAndUnresolvable (no eviction frees a volume's zone);
      // NodeVolumeLimits: Unschedulable (csi.go: evicting pods on the node frees their volumes).
      const rule = this.volumeRule(t, i);
      if (rule >= 0) {
        const plugin = this.volRules[rule].plugin;
        reasons?.push(this.volRules[rule].reason);
        this.rejected |= plugin;
        return plugin === NODE_VOLUME_LIMITS ? UNSCHEDULABLE : UNRESOLVABLE;
      }
    }
    if (c.checkSpread) {
      const v = this.spreadFilter.check(i);
      if (v !== 0) {
        reasons?.push(v === 1 ? REASON_MISSING_LABEL : REASON_SKEW);
        this.rejected |= POD_TOPOLOGY_SPREAD;
        return v === 1 ? UNRESOLVABLE : UNSCHEDULABLE;
      }
    }
    if (c.checkIpa) {
      const v = this.ipaFilter.check(i);
      if (v !== 0) {
        reasons?.push(v === 1 ? REASON_AFFINITY : v === 2 ? REASON_ANTI_AFFINITY : REASON_EXISTING_ANTI_AFFINITY);
        this.rejected |= INTER_POD_AFFINITY;
        return v === 1 ? UNRESOLVABLE : UNSCHEDULABLE;
      }
    }
    if (c.checkGpu && !this.gpuFits(i)) {
      reasons?.push(REASON_GPU);
      this.rejected |= GPU_SHARE;
      return UNSCHEDULABLE;
    }
    if (c.checkUser) {
      const reason = this.userReject(i);
      if (reason !== null) {
        reasons?.push(reason);
        this.rejected |= USER_PLUGIN;
        return UNSCHEDULABLE;
      }
    }
    return PASS;
  }

  // ---- user plugins (user-plugins.ts): a function call per node, outside the fused arithmetic.
  private readonly userFilters: readonly UserPlugin[];
  private userPod: PodView | null = null;
  private userNode: NodeView | null = null;

  private prepareUser(t: NodeTable, pod: PodInput): boolean {
    this.userPod = podView(pod.spec, pod.namespace, pod.labels, pod.requests);
    if (this.userNode === null || this.userNode.table !== t) this.userNode = new NodeView(t);
    return true;
  }

  /** The first user filter's rejection reason on row i, or null. */
  private userReject(i: number): string | null {
    const view = this.userNode as NodeView;
    const pod = this.userPod as PodView;
    view.row = i;
    for (const f of this.userFilters) {
      const r = (f.filter as NonNullable<UserPlugin['filter']>)(pod, view);
      if (r !== null && r !== undefined) return typeof r === 'string' && r !== '' ? r : `node(s) didn't satisfy plugin(s) [${f.name}]`;
    }
    return null;
  }

  /** User Score plugins (and their NormalizeScore), weighted into out. */
  private scoreUser(t: NodeTable, pod: PodInput, feasible: Int32Array, found: number, out: Float64Array): void {
    this.prepareUser(t, pod);
    const view = this.userNode as NodeView;
    const pv = this.userPod as PodView;
    const raw = this.raw;
    for (const u of this.profile.userPlugins) {
      if (u.weight === 0) continue;
      const score = u.plugin.impl.score as NonNullable<UserPlugin['score']>;
      for (let f = 0; f < found; f++) {
        view.row = feasible[f];
        const s = score(pv, view);
        if (typeof s !== 'number' || !Number.isFinite(s))
          throw new UserPluginError(
            `plugin ${u.plugin.name} (${u.plugin.module}) returned ${String(s)} for node ${view.name}; expected a finite number`,
          );
        raw[f] = Math.trunc(s);
      }
      const norm = u.plugin.impl.normalize;
      if (norm !== undefined) {
        addDefaultNormalized(raw, found, norm === 'reverse', u.weight, out);
        continue;
      }
      for (let f = 0; f < found; f++) {
        if (raw[f] < 0 || raw[f] > POLICY_SCORE) {
          throw new UserPluginError(
            `plugin ${u.plugin.name} (${u.plugin.module}) returned score ${raw[f]} for node ${t.names[feasible[f]]}; expected 0 to 100 (or set normalize)`,
          );
        }
        out[f] += raw[f] * u.weight;
      }
    }
  }
}

/** The filters a cycle runs, decided at PreFilter. */
interface CycleChecks {
  readonly pod: PodInput;
  readonly checkUnsched: boolean;
  readonly checkTaints: boolean;
  readonly checkAff: boolean;
  readonly checkPorts: boolean;
  readonly checkFit: boolean;
  /** The pod's scalar requests NodeResourcesFit checks (without its ignored resources). */
  readonly fitScalars: Readonly<Record<string, number>>;
  readonly checkSpread: boolean;
  readonly checkIpa: boolean;
  readonly checkGpu: boolean;
  readonly checkUser: boolean;
  readonly checkVol: boolean;
  readonly restricted: boolean;
}

const NO_NOMINATED: readonly NominatedPod[] = [];
const NO_SPREAD = {};

interface SpreadPair {
  readonly namespace: string;
  readonly hard: readonly SpreadConstraint[];
  readonly soft: readonly SpreadConstraint[];
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

function kindOf(name: string): number {
  if (name === CPU) return R_CPU;
  if (name === MEMORY) return R_MEM;
  if (name === EPHEMERAL_STORAGE) return R_EPH;
  return R_SCALAR;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function scalarsFit(t: NodeTable, i: number, scalars: Readonly<Record<string, number>>): boolean {
  for (const name in scalars) {
    const alloc = t.scalarAlloc.get(name)?.[i] ?? 0;
    const req = t.scalarReq.get(name)?.[i] ?? 0;
    if (scalars[name] > alloc - req) return false;
  }
  return true;
}

function podAmount(r: PodRequests, kind: number, name: string, nonZero: boolean): number {
  if (kind === R_CPU) return nonZero ? r.nonZeroCpu : r.cpu;
  if (kind === R_MEM) return nonZero ? r.nonZeroMemory : r.memory;
  if (kind === R_EPH) return r.ephemeralStorage;
  return r.scalars[name] ?? 0;
}

function nodeAlloc(t: NodeTable, i: number, kind: number, name: string): number {
  if (kind === R_CPU) return t.allocCpu[i];
  if (kind === R_MEM) return t.allocMem[i];
  if (kind === R_EPH) return t.allocEph[i];
  return t.scalarAlloc.get(name)?.[i] ?? 0;
}

/** NodeResourcesFit scores cpu/memory against NonZeroRequested; everything else against Requested. */
function nodeRequested(t: NodeTable, i: number, kind: number, name: string, nonZero: boolean): number {
  if (kind === R_CPU) return nonZero ? t.nzCpu[i] : t.reqCpu[i];
  if (kind === R_MEM) return nonZero ? t.nzMem[i] : t.reqMem[i];
  if (kind === R_EPH) return t.reqEph[i];
  return t.scalarReq.get(name)?.[i] ?? 0;
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
