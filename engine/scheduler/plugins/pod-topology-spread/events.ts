/**
 * PodTopologySpread's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { QUEUE, QUEUE_SKIP, reg, asNode, asPod, type HintFn, type HintPod, type Registration } from '../../framework/hint-types.js';
import { ADD, DELETE, UPDATE_NODE_LABEL, UPDATE_NODE_TAINT, UPDATE_POD_LABEL, sameRecord } from '../../framework/cluster-events.js';
import type { Node, Pod } from '../../../api/objects.js';
import { podMatches } from '../../pod-matcher.js';

// ---- PodTopologySpread (plugins/podtopologyspread/plugin.go isSchedulableAfterPodChange / isSchedulableAfterNodeChange).
function matchesSomeConstraint(p: HintPod, pod: Pod): boolean {
  for (const c of p.spreadHard) if (podMatches(c.matcher, pod.metadata.namespace, pod.metadata.labels)) return true;
  return false;
}
const spreadAfterPod: HintFn = (p, old, neu) => {
  const o = asPod(old);
  const n = asPod(neu);
  // Unscheduled pods do not count in any domain.
  if ((n !== undefined && n.spec.nodeName === '') || (o !== undefined && o.spec.nodeName === '')) return QUEUE_SKIP;
  if (o !== undefined && n !== undefined) {
    if (sameRecord(o.metadata.labels, n.metadata.labels)) return QUEUE_SKIP;
    return matchesSomeConstraint(p, o) || matchesSomeConstraint(p, n) ? QUEUE : QUEUE_SKIP;
  }
  const changed = n ?? o;
  return changed !== undefined && matchesSomeConstraint(p, changed) ? QUEUE : QUEUE_SKIP;
};
function hasAllTopologyKeys(n: Node, p: HintPod): boolean {
  for (const c of p.spreadHard) if (!Object.prototype.hasOwnProperty.call(n.metadata.labels, c.topologyKey)) return false;
  return true;
}
const spreadAfterNode: HintFn = (p, old, neu) => {
  const o = asNode(old);
  const n = asNode(neu);
  if (n === undefined) return o !== undefined && hasAllTopologyKeys(o, p) ? QUEUE : QUEUE_SKIP;
  if (o === undefined) return hasAllTopologyKeys(n, p) ? QUEUE : QUEUE_SKIP;
  if (!hasAllTopologyKeys(o, p) && !hasAllTopologyKeys(n, p)) return QUEUE_SKIP;
  for (const c of p.spreadHard) if (o.metadata.labels[c.topologyKey] !== n.metadata.labels[c.topologyKey]) return QUEUE;
  // Taints matter to a constraint with nodeTaintsPolicy Honor.
  if (o.spec.taints !== n.spec.taints && p.spreadHard.some((c) => c.honorTaints)) return QUEUE;
  return QUEUE_SKIP;
};

export function events(_hints: boolean): readonly Registration[] {
  return [
    reg('Pod', ADD | UPDATE_POD_LABEL | DELETE, 'PodTopologySpread/Pod', spreadAfterPod),
    reg('Node', ADD | DELETE | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'PodTopologySpread/Node', spreadAfterNode),
  ];
}
