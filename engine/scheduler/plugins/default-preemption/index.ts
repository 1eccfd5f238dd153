/**
 * DefaultPreemption (pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go and
 * pkg/scheduler/framework/preemption/preemption.go): the pure parts — how many candidate nodes the dry run
 * looks for, the victims' importance order, and pickOneNodeForPreemption's ordering of candidates.
 * PodDisruptionBudgets are not modeled: every victim is "non-violating" (0 PDB violations).
 */
import type { Micros } from '../../../core/time.js';

export const NAME = 'DefaultPreemption';

export interface PreemptionArgs {
  readonly minCandidateNodesPercentage: number;
  readonly minCandidateNodesAbsolute: number;
}

/** DefaultPreemptionArgs defaults (pkg/scheduler/apis/config/v1/defaults.go). */
export const DEFAULT_PREEMPTION_ARGS: PreemptionArgs = { minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 };

/** calculateNumCandidates: max(n·pct/100, absolute), at most n (Go integer division). */
export function numCandidates(args: PreemptionArgs, numNodes: number): number {
  let n = Math.trunc((numNodes * args.minCandidateNodesPercentage) / 100);
  if (n < args.minCandidateNodesAbsolute) n = args.minCandidateNodesAbsolute;
  if (n > numNodes) n = numNodes;
  return n;
}

export interface VictimInfo {
  readonly priority: number;
  /** GetPodStartTime: status.startTime, or "now" for a pod that has not started (assumed or bound). */
  readonly startTime: Micros;
}

/** util.MoreImportantPod: higher priority first; equal priority: the one that started earlier. */
export function moreImportant(a: VictimInfo, b: VictimInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.startTime < b.startTime;
}

/** Sorts by importance, most important first (stable among equals). */
export function byImportance<T extends VictimInfo>(list: T[]): T[] {
  return list.sort((a, b) => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0));
}

export interface CandidateInfo {
  /** Victims in importance order (most important first); never empty. */
  readonly victims: readonly VictimInfo[];
  readonly pdbViolations: number;
}

/**
 * pickOneNodeForPreemption: keeps the candidates with the best value of each criterion in turn, stopping when
 * one is left: fewest PDB violations; lowest highest-victim priority; smallest sum of victim priorities (each
 * shifted by 2^31 so negative priorities count as small); fewest victims; latest earliest start time among
 * the highest-priority victims. Still tied: the first in candidate order (upstream iterates a Go map there,
 * so the pick among such ties is arbitrary; the candidate order here follows the dry run's random offset).
 * Returns the index of the chosen candidate, -1 for none.
 */
export function pickOneNode(cands: readonly CandidateInfo[]): number {
  if (cands.length === 0) return -1;
  const criteria: ((c: CandidateInfo) => number)[] = [
    (c) => -c.pdbViolations,
    (c) => -c.victims[0].priority,
    (c) => {
      let s = 0;
      for (const v of c.victims) s += v.priority + 2 ** 31;
      return -s;
    },
    (c) => -c.victims.length,
    (c) => earliestStartOfHighestPriority(c.victims),
  ];
  let idx = cands.map((_, i) => i);
  for (const score of criteria) {
    let best = -Infinity;
    let kept: number[] = [];
    for (const i of idx) {
      const s = score(cands[i]);
      if (s > best) {
        best = s;
        kept = [i];
      } else if (s === best) kept.push(i);
    }
    idx = kept;
    if (idx.length === 1) break;
  }
  return idx[0];
}

/** util.GetEarliestPodStartTime: the earliest start among the victims that have the highest priority. */
export function earliestStartOfHighestPriority(victims: readonly VictimInfo[]): number {
  let maxPriority = -Infinity;
  for (const v of victims) if (v.priority > maxPriority) maxPriority = v.priority;
  let earliest = Infinity;
  for (const v of victims) if (v.priority === maxPriority && v.startTime < earliest) earliest = v.startTime;
  return earliest;
}
