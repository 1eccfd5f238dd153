/**
 * InterPodAffinity as PreFilter/Filter and PreScore/Score plugins (framework/plugin.ts), with
 * InterPodAffinityArgs. The per-cycle counting is affinity-state.ts's.
 */
import { AffinityFilter, AffinityScore } from '../../affinity-state.js';
import type { AssignedPod } from '../../assigned-pods.js';
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
import { INTER_POD_AFFINITY } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';
import { NAME, REASON_AFFINITY, REASON_ANTI_AFFINITY, REASON_EXISTING_ANTI_AFFINITY, addNormalizedAffinity } from './index.js';

export class InterPodAffinityPlugin implements FilterPlugin, PreFilterExtensions, ScorePlugin {
  readonly name = NAME;
  readonly bit = INTER_POD_AFFINITY;
  readonly rejection = '';
  private readonly affinityFilter = new AffinityFilter();
  private readonly affinityScore = new AffinityScore();

  constructor(
    readonly hardPodAffinityWeight: number,
    readonly ignorePreferredTermsOfExistingPods: boolean,
  ) {}

  /** Skip without required terms of the pod's own or of existing pods that match it. */
  preFilter(c: FilterCycle): PreFilterStatus {
    return this.affinityFilter.prepare(c.t, c.pods, c.pod) ? CHECK : SKIP;
  }

  /** 0 = pass, 1 = affinity unmet, 2 = the pod's anti-affinity, 3 = an existing pod's anti-affinity. */
  check(i: number): number {
    return this.affinityFilter.check(i);
  }

  filter(_t: NodeTable, i: number, reasons: string[] | null): number {
    const v = this.affinityFilter.check(i);
    if (v === 0) return PASS;
    reasons?.push(v === 1 ? REASON_AFFINITY : v === 2 ? REASON_ANTI_AFFINITY : REASON_EXISTING_ANTI_AFFINITY);
    return v === 1 ? UNRESOLVABLE : UNSCHEDULABLE;
  }

  updateWithPod(c: FilterCycle, e: AssignedPod, delta: 1 | -1): void {
    this.affinityFilter.updateWithPod(c.t, e, delta);
  }

  /** PreScore (Skip when nothing matches), Score, NormalizeScore. */
  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const ok = this.affinityScore.score(
      c.t,
      c.pods,
      c.pod,
      this.hardPodAffinityWeight,
      this.ignorePreferredTermsOfExistingPods,
      feasible,
      found,
      c.raw,
    );
    if (ok) addNormalizedAffinity(c.raw, found, w, out);
  }

  /** Nothing to accumulate without preferred terms of its own and pods with affinity. */
  uniform(c: FilterCycle): boolean {
    const info = c.pod.podAffinity;
    return !((info !== null && info.preferredAffinity.length + info.preferredAnti.length > 0) || c.pods.withAffinity.size > 0);
  }
}
