/**
 * NodePorts's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { QUEUE, QUEUE_SKIP, reg, asPod, type HintFn, type Registration } from '../../framework/hint-types.js';
import { ADD, DELETE, UPDATE_NODE_LABEL, UPDATE_NODE_TAINT } from '../../framework/cluster-events.js';
import { hostPorts, type HostPort } from './index.js';

// ---- NodePorts (plugins/nodeports isSchedulableAfterPodDeleted): a deleted assigned pod freed a port the pod wants.
const portsAfterPodDeleted: HintFn = (p, old, neu) => {
  const o = asPod(old);
  if (neu !== undefined || o === undefined || o.spec.nodeName === '') return QUEUE_SKIP;
  const freed = hostPorts(o.spec);
  for (const w of p.input.hostPorts) for (const f of freed) if (portsConflict(w, f)) return QUEUE;
  return QUEUE_SKIP;
};
function portsConflict(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0');
}

export function events(hints: boolean): readonly Registration[] {
  return [
    reg('Pod', DELETE, 'NodePorts/Pod', portsAfterPodDeleted),
    reg('Node', hints ? ADD : ADD | UPDATE_NODE_TAINT | UPDATE_NODE_LABEL, 'NodePorts/Node', null),
  ];
}
