/**
 * NodeAffinity's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { QUEUE, QUEUE_SKIP, reg, asNode, type HintFn, type HintPod, type Registration } from '../../framework/hint-types.js';
import { ADD, UPDATE_NODE_LABEL, UPDATE_NODE_TAINT } from '../../framework/cluster-events.js';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm } from '../../../api/objects.js';

// ---- NodeAffinity (plugins/nodeaffinity isSchedulableAfterNodeChange): the node now matches (and did not before).
const affinityAfterNode: HintFn = (p, old, neu) => {
  const n = asNode(neu);
  if (n === undefined || !nodeMatchesPod(n, p)) return QUEUE_SKIP;
  const o = asNode(old);
  return o === undefined || !nodeMatchesPod(o, p) ? QUEUE : QUEUE_SKIP;
};

// ---- Node affinity of one Node object (nodeaffinity's RequiredNodeAffinity.Match, for hints).

/** The pod's nodeSelector, required node affinity and the profile's addedAffinity all match the node. */
function nodeMatchesPod(n: Node, p: HintPod): boolean {
  const labels = n.metadata.labels;
  for (const k in p.input.nodeSelector) if (labels[k] !== p.input.nodeSelector[k]) return false;
  const req = p.input.nodeAffinity?.required;
  if (req !== undefined && !anyTerm(req.nodeSelectorTerms, n)) return false;
  const added = p.addedAffinity?.required;
  if (added !== undefined && !anyTerm(added.nodeSelectorTerms, n)) return false;
  return true;
}

function anyTerm(terms: readonly NodeSelectorTerm[], n: Node): boolean {
  for (const t of terms) {
    if (t.matchExpressions.length + t.matchFields.length === 0) continue;
    if (
      t.matchExpressions.every((r) => requirementMatches(r, n.metadata.labels)) &&
      t.matchFields.every((r) => (r.operator === 'In') === r.values.includes(n.metadata.name))
    )
      return true;
  }
  return false;
}

function requirementMatches(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(v);
    case 'NotIn':
      return !has || !r.values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default: {
      if (!has || !/^[-+]?\d+$/.test(v)) return false;
      const x = Number(v);
      const bound = Number(r.values[0]);
      return r.operator === 'Gt' ? x > bound : x < bound;
    }
  }
}

export function events(hints: boolean): readonly Registration[] {
  return [
    reg('Node', hints ? ADD | UPDATE_NODE_LABEL : ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'NodeAffinity/Node', affinityAfterNode),
  ];
}
