/**
 * NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go): a node with
 * spec.unschedulable is infeasible unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule.
 */
import type { Toleration } from '../../../api/objects.js';

export const NAME = 'NodeUnschedulable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const REASON = 'node(s) were unschedulable';

/** v1.Toleration.ToleratesTaint against {key: node.kubernetes.io/unschedulable, effect: NoSchedule}. */
export function toleratesUnschedulable(tolerations: readonly Toleration[]): boolean {
  for (const t of tolerations) {
    if (t.effect !== '' && t.effect !== 'NoSchedule') continue;
    if (t.key !== '' && t.key !== TAINT_NODE_UNSCHEDULABLE) continue;
    if (t.operator === 'Exists') return true;
    if (t.value === '') return true; // Equal with the taint's empty value
  }
  return false;
}
