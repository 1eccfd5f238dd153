/**
 * NodeResourcesFit's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { QUEUE, QUEUE_SKIP, reg, asNode, asPod, type HintFn, type Registration } from '../../framework/hint-types.js';
import {
  ADD,
  DELETE,
  UPDATE_NODE_ALLOCATABLE,
  UPDATE_NODE_LABEL,
  UPDATE_NODE_TAINT,
  UPDATE_POD_SCALE_DOWN,
} from '../../framework/cluster-events.js';
import type { Node } from '../../../api/objects.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, type PodRequests } from '../../../api/pod-resources.js';

// ---- NodeResourcesFit (plugins/noderesources/fit.go isSchedulableAfterPodEvent / isSchedulableAfterNodeChange).
const fitAfterPodEvent: HintFn = (_p, old, neu) => {
  const o = asPod(old);
  if (neu === undefined && o !== undefined) {
    // A deleted pod frees resources if it was on a node, or nominated to one.
    return o.spec.nodeName === '' && (o.status.nominatedNodeName ?? '') === '' ? QUEUE_SKIP : QUEUE;
  }
  // UpdatePodScaleDown: in-place resize is not modeled, so kubesim never raises it.
  return QUEUE_SKIP;
};
const fitAfterNode: HintFn = (p, old, neu) => {
  const n = asNode(neu);
  if (n === undefined || !fitsEmpty(p.input.requests, n)) return QUEUE_SKIP;
  const o = asNode(old);
  if (o === undefined) return QUEUE;
  return requestedAllocatableIncreased(p.input.requests, o, n) ? QUEUE : QUEUE_SKIP;
};
/** isFit: the pod fits the node's allocatable with no pod on it. */
function fitsEmpty(r: PodRequests, n: Node): boolean {
  const a = n.status.allocatable;
  if ((a.pods ?? 0) < 1) return false;
  if (r.cpu > (a[CPU] ?? 0) || r.memory > (a[MEMORY] ?? 0) || r.ephemeralStorage > (a[EPHEMERAL_STORAGE] ?? 0)) return false;
  for (const k in r.scalars) if (r.scalars[k] > (a[k] ?? 0)) return false;
  return true;
}
/** haveAnyRequestedResourcesIncreased: the pod count, or an allocatable the pod requests, grew. */
function requestedAllocatableIncreased(r: PodRequests, o: Node, n: Node): boolean {
  const a = o.status.allocatable;
  const b = n.status.allocatable;
  const grew = (k: string): boolean => (b[k] ?? 0) > (a[k] ?? 0);
  if (grew('pods')) return true;
  if ((r.cpu > 0 && grew(CPU)) || (r.memory > 0 && grew(MEMORY)) || (r.ephemeralStorage > 0 && grew(EPHEMERAL_STORAGE))) return true;
  for (const k in r.scalars) if (grew(k)) return true;
  return false;
}

export function events(hints: boolean): readonly Registration[] {
  return [
    reg('Pod', DELETE | UPDATE_POD_SCALE_DOWN, 'NodeResourcesFit/Pod', fitAfterPodEvent),
    reg(
      'Node',
      hints ? ADD | UPDATE_NODE_ALLOCATABLE : ADD | UPDATE_NODE_ALLOCATABLE | UPDATE_NODE_TAINT | UPDATE_NODE_LABEL,
      'NodeResourcesFit/Node',
      fitAfterNode,
    ),
  ];
}
