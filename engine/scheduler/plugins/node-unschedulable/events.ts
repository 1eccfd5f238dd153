/**
 * NodeUnschedulable's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { QUEUE, QUEUE_SKIP, reg, asNode, asPod, type HintFn, type Registration } from '../../framework/hint-types.js';
import { ADD, UPDATE_NODE_LABEL, UPDATE_NODE_TAINT, UPDATE_POD_TOLERATION } from '../../framework/cluster-events.js';
import { toleratesUnschedulable } from './index.js';

// ---- NodeUnschedulable (plugins/nodeunschedulable): Queue when a node becomes schedulable, or the pod now tolerates it.
const unschedulableAfterNode: HintFn = (_p, old, neu) => {
  const n = asNode(neu);
  if (n === undefined || n.spec.unschedulable) return QUEUE_SKIP;
  const o = asNode(old);
  return o === undefined || o.spec.unschedulable ? QUEUE : QUEUE_SKIP;
};
const unschedulableAfterToleration: HintFn = (p, _old, neu) => {
  const n = asPod(neu);
  return n !== undefined && n.metadata.uid === p.pod.metadata.uid && toleratesUnschedulable(n.spec.tolerations) ? QUEUE : QUEUE_SKIP;
};

export function events(hints: boolean): readonly Registration[] {
  return hints
    ? [
        reg('Node', ADD | UPDATE_NODE_TAINT, 'NodeUnschedulable/Node', unschedulableAfterNode),
        reg('Pod', UPDATE_POD_TOLERATION, 'NodeUnschedulable/Pod', unschedulableAfterToleration),
      ]
    : [reg('Node', ADD | UPDATE_NODE_TAINT | UPDATE_NODE_LABEL, 'NodeUnschedulable/Node', unschedulableAfterNode)];
}
