/**
 * InterPodAffinity's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { QUEUE, QUEUE_SKIP, reg, asNode, asPod, type HintFn, type Registration } from '../../framework/hint-types.js';
import { ADD, DELETE, UPDATE_NODE_LABEL, UPDATE_NODE_TAINT, UPDATE_POD_LABEL } from '../../framework/cluster-events.js';
import { matchesAllTerms } from './index.js';

// ---- InterPodAffinity (plugins/interpodaffinity/plugin.go isSchedulableAfterPodChange / isSchedulableAfterNodeChange).
const interPodAfterPod: HintFn = (p, old, neu) => {
  const o = asPod(old);
  const n = asPod(neu);
  if ((n !== undefined && n.spec.nodeName === '') || (o !== undefined && o.spec.nodeName === '')) return QUEUE_SKIP;
  const a = p.input.podAffinity;
  if (a === null) return QUEUE_SKIP;
  if (o !== undefined && n !== undefined) {
    // A label update: the pod now matches the affinity terms, or no longer matches the anti-affinity terms.
    if (
      !matchesAllTerms(a.requiredAffinity, o.metadata.namespace, o.metadata.labels) &&
      matchesAllTerms(a.requiredAffinity, n.metadata.namespace, n.metadata.labels)
    )
      return QUEUE;
    if (
      matchesAllTerms(a.requiredAnti, o.metadata.namespace, o.metadata.labels) &&
      !matchesAllTerms(a.requiredAnti, n.metadata.namespace, n.metadata.labels)
    )
      return QUEUE;
    return QUEUE_SKIP;
  }
  // Added: it may satisfy the pod's affinity.
  if (n !== undefined) return matchesAllTerms(a.requiredAffinity, n.metadata.namespace, n.metadata.labels) ? QUEUE : QUEUE_SKIP;
  // Deleted: it may have been what the pod's anti-affinity refused.
  if (o !== undefined) return matchesAllTerms(a.requiredAnti, o.metadata.namespace, o.metadata.labels) ? QUEUE : QUEUE_SKIP;
  return QUEUE_SKIP;
};
/** Deleted pods with anti-affinity of their own may have refused this pod (existing pods' anti-affinity). */
const interPodAfterPodWithExisting: HintFn = (p, old, neu) => {
  const o = asPod(old);
  if (neu === undefined && o !== undefined && o.spec.nodeName !== '' && (o.spec.affinity?.podAntiAffinity?.required.length ?? 0) > 0)
    return QUEUE;
  return interPodAfterPod(p, old, neu);
};
const interPodAfterNode: HintFn = (p, old, neu) => {
  const n = asNode(neu);
  const a = p.input.podAffinity;
  if (n === undefined || a === null) return QUEUE_SKIP;
  const o = asNode(old);
  for (const t of a.requiredAffinity)
    if (Object.prototype.hasOwnProperty.call(n.metadata.labels, t.topologyKey)) {
      if (o === undefined || o.metadata.labels[t.topologyKey] !== n.metadata.labels[t.topologyKey]) return QUEUE;
    }
  // Anti-affinity: a new node may hold none of the pods the terms refuse (plugin.go isSchedulableAfterNodeChange:
  // "A new node is added, the pod may become schedulable"), a relabeled one may have left their domain.
  for (const t of a.requiredAnti)
    if (o === undefined || o.metadata.labels[t.topologyKey] !== n.metadata.labels[t.topologyKey]) return QUEUE;
  return QUEUE_SKIP;
};

export function events(hints: boolean): readonly Registration[] {
  return [
    reg('Pod', ADD | UPDATE_POD_LABEL | DELETE, 'InterPodAffinity/Pod', interPodAfterPodWithExisting),
    reg('Node', hints ? ADD | UPDATE_NODE_LABEL : ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'InterPodAffinity/Node', interPodAfterNode),
  ];
}
