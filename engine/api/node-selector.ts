/**
 * A pod's required node affinity matched against one Node object, as component-helpers
 * scheduling/corev1/nodeaffinity GetRequiredNodeAffinity(pod).Match(node) does: every nodeSelector label and at
 * least one of the required nodeSelectorTerms (a term with neither matchExpressions nor matchFields matches no
 * node; matchFields reads metadata.name). For components that look at a few nodes at a time (the cluster
 * autoscaler's simulation, the DaemonSet controller); the scheduler compiles the same rules over its NodeTable.
 */
import type { Node, NodeSelectorRequirement, PodSpec } from './objects.js';
import { isGoInt64, isLabelValue } from './validation.js';

/**
 * Whether labels.NewRequirement accepts the requirement's values (the API server validates only the key and the
 * number of values, ValidateNodeSelectorRequirement): In/NotIn values must be label values, the one value of
 * Gt/Lt an int64. A term holding one that does not parse never matches: nodeaffinity.LazyErrorNodeSelector
 * skips it, and the plugin's Filter ignores the parse error ("for backwards compatibility"), so a pod whose every
 * term fails is rejected everywhere with ErrReasonPod, UnschedulableAndUnresolvable.
 */
export function requirementParses(e: NodeSelectorRequirement): boolean {
  if (e.operator === 'In' || e.operator === 'NotIn') return e.values.length > 0 && e.values.every(isLabelValue);
  if (e.operator === 'Gt' || e.operator === 'Lt') return e.values.length === 1 && isGoInt64(e.values[0]);
  return e.values.length === 0;
}

export function requirementMatches(req: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const v = labels[req.key];
  switch (req.operator) {
    case 'In':
      return has && req.values.includes(v);
    case 'NotIn':
      return !has || !req.values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !/^-?\d+$/.test(v) || req.values.length !== 1) return false;
      const x = Number(v);
      const y = Number(req.values[0]);
      return req.operator === 'Gt' ? x > y : x < y;
    }
  }
}

export function requiredNodeAffinityMatches(spec: PodSpec, n: Node): boolean {
  for (const k in spec.nodeSelector) if (n.metadata.labels[k] !== spec.nodeSelector[k]) return false;
  const req = spec.affinity?.nodeAffinity?.required;
  if (req === undefined) return true;
  return req.nodeSelectorTerms.some(
    (t) =>
      (t.matchExpressions.length > 0 || t.matchFields.length > 0) &&
      // A term with a requirement the scheduler cannot parse matches no node (nodeaffinity.LazyErrorNodeSelector).
      t.matchExpressions.every((e) => requirementParses(e) && requirementMatches(e, n.metadata.labels)) &&
      t.matchFields.every((e) => requirementMatches(e, { 'metadata.name': n.metadata.name })),
  );
}
