/**
 * NodeResourcesBalancedAllocation (pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go),
 * as of Kubernetes v1.36: the score is the change in balance the pod causes,
 * 50 + (50 + with - without) / 2, where each term is int64((1 - std) * 100) over the requested/allocatable
 * fractions (capped at 1) of the configured resources (PR #135573; docs/model/scheduler.md).
 * Requested amounts are the plain requests (no non-zero defaults). Since v1.33 PreScore skips pods that
 * request none of the configured resources (PR #130260), so best-effort pods get no score from it.
 */

export const NAME = 'NodeResourcesBalancedAllocation';

/** fractionScore for exactly two resources (the default cpu + memory), float64 as upstream. */
export function balance2(req0: number, alloc0: number, req1: number, alloc1: number): number {
  let f0 = req0 / alloc0;
  if (f0 > 1) f0 = 1;
  let f1 = req1 / alloc1;
  if (f1 > 1) f1 = 1;
  const std = Math.abs(f0 - f1) / 2;
  return Math.trunc((1 - std) * 100);
}

/** fractionScore for any number of kept resources: population standard deviation of the fractions. */
export function balanceN(fractions: readonly number[]): number {
  const n = fractions.length;
  if (n === 2) return Math.trunc((1 - Math.abs(fractions[0] - fractions[1]) / 2) * 100);
  if (n < 2) return 100;
  let mean = 0;
  for (const f of fractions) mean += f;
  mean /= n;
  let v = 0;
  for (const f of fractions) v += (f - mean) * (f - mean);
  const std = Math.sqrt(v / n);
  return Math.trunc((1 - std) * 100);
}

/** v1.36 delta formula, Go integer division. */
export function balancedScore(withPod: number, withoutPod: number): number {
  return 50 + Math.trunc((50 + withPod - withoutPod) / 2);
}
