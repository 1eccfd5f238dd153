/**
 * DynamicResources's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { QUEUE, QUEUE_SKIP, reg, type HintFn, type Registration } from '../../framework/hint-types.js';
import { ADD, UPDATE, UPDATE_NODE_LABEL, UPDATE_NODE_TAINT } from '../../framework/cluster-events.js';
import type { ResourceClaim } from '../../../api/objects.js';
import { claimNameOf } from '../../../api/resource-claim.js';

// ---- DynamicResources (dynamicresources.go isSchedulableAfterClaimChange): a claim of the pod created or its status
// changed, or any claim deallocated (its devices are free again).
const draAfterClaimChange: HintFn = (p, old, neu) => {
  const o = old as ResourceClaim | undefined;
  const n = neu as ResourceClaim | undefined;
  if (n === undefined) return QUEUE_SKIP;
  if (o?.status.allocation !== undefined && n.status.allocation === undefined) return QUEUE;
  let uses = false;
  if (n.metadata.namespace === p.pod.metadata.namespace)
    for (const e of p.pod.spec.resourceClaims ?? []) if (claimNameOf(p.pod, e).name === n.metadata.name) uses = true;
  if (!uses) return QUEUE_SKIP;
  if (o === undefined) return QUEUE;
  return o.status === n.status ? QUEUE_SKIP : QUEUE;
};

export function events(hints: boolean): readonly Registration[] {
  // dynamicresources.go EventsToRegister: Node Add|UpdateNodeLabel (+UpdateNodeTaint without hints), ResourceClaim
  // Add|Update with its hint, DeviceClass and ResourceSlice Add|Update. (Pod UpdatePodGeneratedResourceClaim is not
  // raised: a pod waiting for its claims is held at PreEnqueue and admitted when they exist.)
  return [
    reg('Node', hints ? ADD | UPDATE_NODE_LABEL : ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'DynamicResources/Node', null),
    reg('ResourceClaim', ADD | UPDATE, 'DynamicResources/ResourceClaim', draAfterClaimChange),
    reg('DeviceClass', ADD | UPDATE, 'DynamicResources/DeviceClass', null),
    reg('ResourceSlice', ADD | UPDATE, 'DynamicResources/ResourceSlice', null),
  ];
}
