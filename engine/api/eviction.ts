/**
 * The Eviction API's decision (pkg/registry/core/pod/storage/eviction.go EvictionREST.Create), applied by the
 * API server's evict (api-server.ts) to the pod and the PodDisruptionBudgets it reads from storage:
 *
 * - canIgnorePDB: a pod Pending, Succeeded or Failed, or already being deleted, is deleted without a budget check;
 * - no budget selects the pod: deleted; more than one: refused (500, "This pod has more than one
 *   PodDisruptionBudget, which the eviction subresource does not support");
 * - unhealthyPodEvictionPolicy IfHealthyBudget (the default): a Running pod that is not Ready is deleted without
 *   using the budget when the budget is healthy (currentHealthy ≥ desiredHealthy > 0);
 * - checkAndDecrement: a budget the disruption controller has not computed yet, or with no disruption allowed,
 *   refuses (429 TooManyRequests, "Cannot evict pod as it would violate the pod's disruption budget"); otherwise
 *   disruptionsAllowed is decremented and the pod recorded in status.disruptedPods (so that the controller does
 *   not count it healthy until it sees it deleted), and the pod is then deleted.
 */
import type { Micros } from '../core/time.js';
import { selectorMatches, type Pod, type PodDisruptionBudget } from './objects.js';

/** policy/v1 selection: a null selector selects nothing, {} every pod of the budget's namespace. */
export function budgetSelects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  return (
    pdb.metadata.namespace === pod.metadata.namespace &&
    pdb.spec.selector !== null &&
    selectorMatches(pdb.spec.selector, pod.metadata.labels)
  );
}

export type EvictionDecision =
  | { readonly code: 200; readonly budget?: undefined }
  | { readonly code: 200; readonly budget: PodDisruptionBudget; readonly next: PodDisruptionBudget }
  | { readonly code: 429 | 500 };

export function evictionDecision(pod: Pod, budgets: readonly PodDisruptionBudget[], now: Micros): EvictionDecision {
  const p = pod.status.phase;
  if (p === 'Pending' || p === 'Succeeded' || p === 'Failed' || pod.metadata.deletionTimestamp !== undefined) return { code: 200 };
  const matching = budgets.filter((b) => budgetSelects(b, pod));
  if (matching.length === 0) return { code: 200 };
  if (matching.length > 1) return { code: 500 };
  const budget = matching[0];
  const s = budget.status;
  if (!pod.status.ready && s.observed && s.desiredHealthy > 0 && s.currentHealthy >= s.desiredHealthy) return { code: 200 };
  const next = decremented(budget, pod.metadata.name, now);
  return next === null ? { code: 429 } : { code: 200, budget, next };
}

/** checkAndDecrement: the budget with one disruption used by `podName`, or null when none is allowed. */
export function decremented(b: PodDisruptionBudget, podName: string, now: Micros): PodDisruptionBudget | null {
  const s = b.status;
  if (!s.observed || s.disruptionsAllowed <= 0) return null;
  return { ...b, status: { ...s, disruptionsAllowed: s.disruptionsAllowed - 1, disruptedPods: { ...s.disruptedPods, [podName]: now } } };
}
