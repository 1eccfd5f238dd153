/**
 * TaintToleration's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { QUEUE, QUEUE_SKIP, reg, asNode, asPod, type HintFn, type HintPod, type Registration } from '../../framework/hint-types.js';
import { ADD, UPDATE_NODE_LABEL, UPDATE_NODE_TAINT, UPDATE_POD_TOLERATION } from '../../framework/cluster-events.js';
import type { Node } from '../../../api/objects.js';
import { isHardEffect, toleratedByAny } from './index.js';

// ---- TaintToleration (plugins/tainttoleration isSchedulableAfterNodeChange): the node went from untolerated to tolerated.
function untolerated(n: Node, p: HintPod): boolean {
  for (const t of n.spec.taints) if (isHardEffect(t.effect) && !toleratedByAny(p.input.tolerations, t)) return true;
  return false;
}
const taintsAfterNode: HintFn = (p, old, neu) => {
  const n = asNode(neu);
  if (n === undefined) return QUEUE_SKIP;
  const o = asNode(old);
  const was = o === undefined ? true : untolerated(o, p);
  return was && !untolerated(n, p) ? QUEUE : QUEUE_SKIP;
};
const taintsAfterToleration: HintFn = (p, _old, neu) => {
  const n = asPod(neu);
  return n !== undefined && n.metadata.uid === p.pod.metadata.uid ? QUEUE : QUEUE_SKIP;
};

export function events(hints: boolean): readonly Registration[] {
  return hints
    ? [
        reg('Node', ADD | UPDATE_NODE_TAINT, 'TaintToleration/Node', taintsAfterNode),
        reg('Pod', UPDATE_POD_TOLERATION, 'TaintToleration/Pod', taintsAfterToleration),
      ]
    : [reg('Node', ADD | UPDATE_NODE_TAINT | UPDATE_NODE_LABEL, 'TaintToleration/Node', taintsAfterNode)];
}
