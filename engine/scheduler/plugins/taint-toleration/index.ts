/**
 * TaintToleration (pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go).
 *
 * Filter: the first NoSchedule/NoExecute taint of the node (in spec order) that no toleration tolerates makes
 * the node UnschedulableAndUnresolvable. Score: the number of PreferNoSchedule taints not tolerated by the
 * pod's tolerations with effect "" or PreferNoSchedule, then DefaultNormalizeScore reversed (fewest → 100).
 * PreScore never skips. The kernel evaluates both over interned taint ids (node-table.ts): per cycle it
 * marks which interned taints the pod does not tolerate, so the per-node work is array lookups.
 */
import type { Taint, Toleration } from '../../../api/objects.js';

export const NAME = 'TaintToleration';

/** Filter reason, v1.25+ wording (with the taint's key and value). */
export function reasonUntolerated(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value}}`;
}

/**
 * v1.Toleration.ToleratesTaint (k8s.io/api/core/v1/toleration.go). Gt/Lt operators (v1.35 alpha gate
 * TaintTolerationComparisonOperators, off by default) are not modeled: the parser accepts only Equal/Exists.
 */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== '' && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return t.value === taint.value;
}

export function toleratedByAny(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}

/** DoNotScheduleTaintsFilterFunc: the effects the filter looks at. */
export function isHardEffect(effect: Taint['effect']): boolean {
  return effect === 'NoSchedule' || effect === 'NoExecute';
}

/** The first taint the filter rejects the node for, or undefined (FindMatchingUntoleratedTaint). */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  for (const taint of taints) if (isHardEffect(taint.effect) && !toleratedByAny(tolerations, taint)) return taint;
  return undefined;
}

/** getAllTolerationPreferNoSchedule: the tolerations the score considers. */
export function preferNoScheduleTolerations(tolerations: readonly Toleration[]): Toleration[] {
  return tolerations.filter((t) => t.effect === '' || t.effect === 'PreferNoSchedule');
}
