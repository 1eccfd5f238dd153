/**
 * PodTopologySpread as PreFilter/Filter and PreScore/Score plugins (framework/plugin.ts), with
 * PodTopologySpreadArgs' default constraints. The per-cycle counting is spread-state.ts's (typed arrays); the
 * constraints of a pod are compiled once per (constraint list, labels) object pair.
 */
import type { AssignedPod } from '../../assigned-pods.js';
import { NodeEligibility } from '../../node-eligibility.js';
import {
  CHECK,
  PASS,
  SKIP,
  UNRESOLVABLE,
  UNSCHEDULABLE,
  type FilterCycle,
  type FilterPlugin,
  type PreFilterExtensions,
  type PreFilterStatus,
  type ScoreCycle,
  type ScorePlugin,
} from '../../framework/plugin.js';
import { POD_TOPOLOGY_SPREAD } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';
import type { PodInput } from '../../pod-input.js';
import { SpreadFilter, SpreadScore } from '../../spread-state.js';
import {
  NAME,
  REASON_MISSING_LABEL,
  REASON_SKEW,
  addNormalizedSpread,
  spreadConstraints,
  type SpreadConstraint,
  type SpreadDefaults,
} from './index.js';

export interface SpreadPair {
  readonly namespace: string;
  readonly hard: readonly SpreadConstraint[];
  readonly soft: readonly SpreadConstraint[];
}

const NO_SPREAD = {};

export class PodTopologySpreadPlugin implements FilterPlugin, PreFilterExtensions, ScorePlugin {
  readonly name = NAME;
  readonly bit = POD_TOPOLOGY_SPREAD;
  readonly rejection = '';
  private readonly elig = new NodeEligibility();
  private readonly spreadFilter = new SpreadFilter();
  private readonly spreadScore = new SpreadScore();
  private pod: PodInput | null = null;

  constructor(readonly defaults: SpreadDefaults) {}

  /** Skip without DoNotSchedule constraints. */
  preFilter(c: FilterCycle): PreFilterStatus {
    this.pod = c.pod;
    const hard = this.constraintsOf(c.pod).hard;
    // The node eligibility (nodeAffinityPolicy/nodeTaintsPolicy) is compiled only for a pod with constraints.
    if (hard.length > 0) this.elig.prepare(c.t, c.pod);
    return this.spreadFilter.prepare(c.t, c.pods, hard, this.elig) ? CHECK : SKIP;
  }

  /** 0 = pass, 1 = a topology label is missing, 2 = skew exceeded. */
  check(i: number): number {
    return this.spreadFilter.check(i);
  }

  filter(_t: NodeTable, i: number, reasons: string[] | null): number {
    const v = this.spreadFilter.check(i);
    if (v === 0) return PASS;
    reasons?.push(v === 1 ? REASON_MISSING_LABEL : REASON_SKEW);
    return v === 1 ? UNRESOLVABLE : UNSCHEDULABLE;
  }

  updateWithPod(c: FilterCycle, e: AssignedPod, delta: 1 | -1): void {
    const pod = this.pod as PodInput;
    this.spreadFilter.updateWithPod(c.t, e.row, pod.namespace, e.pod.metadata.namespace, e.pod.metadata.labels, delta, this.elig);
  }

  /** PreScore (Skip without ScheduleAnyway constraints), Score, NormalizeScore. */
  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const { t, pod } = c;
    const cs = this.constraintsOf(pod).soft;
    if (cs.length === 0) return;
    const explicit = (pod.spec.topologySpreadConstraints?.length ?? 0) > 0;
    this.elig.prepare(t, pod);
    const requireAll = explicit || this.defaults.defaultingType !== 'System';
    if (!this.spreadScore.score(t, c.pods, cs, requireAll, feasible, found, this.elig, c.raw, c.ignored)) return;
    addNormalizedSpread(c.raw, c.ignored, found, w, out);
  }

  uniform(c: FilterCycle): boolean {
    return this.constraintsOf(c.pod).soft.length === 0;
  }

  /**
   * The pod's compiled constraints, memoized by the objects they derive from (a ReplicaSet's pods share their
   * template's constraint list and labels, and the scheduler reuses default selectors), so a cycle usually
   * compiles nothing.
   */
  constraintsOf(pod: PodInput): SpreadPair {
    const k1: object = pod.spec.topologySpreadConstraints ?? pod.defaultSpreadSelector ?? NO_SPREAD;
    let byLabels = this.memo.get(k1);
    if (byLabels === undefined) this.memo.set(k1, (byLabels = new WeakMap()));
    const hit = byLabels.get(pod.labels);
    if (hit !== undefined && hit.namespace === pod.namespace) return hit;
    const d = this.defaults;
    const pair: SpreadPair = {
      namespace: pod.namespace,
      hard: spreadConstraints(pod.spec, pod.namespace, pod.labels, 'DoNotSchedule', d, pod.defaultSpreadSelector),
      soft: spreadConstraints(pod.spec, pod.namespace, pod.labels, 'ScheduleAnyway', d, pod.defaultSpreadSelector),
    };
    byLabels.set(pod.labels, pair);
    return pair;
  }

  private readonly memo = new WeakMap<object, WeakMap<object, SpreadPair>>();
}
