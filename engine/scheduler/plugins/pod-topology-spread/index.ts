/**
 * PodTopologySpread (pkg/scheduler/framework/plugins/podtopologyspread/{common,filtering,scoring}.go).
 *
 * Filter, for the pod's DoNotSchedule constraints: nodes lacking a constraint's topology key are
 * UnschedulableAndUnresolvable; otherwise, with count[d] = matching pods (same namespace, selector, not
 * terminating) on eligible nodes of domain d — eligible = carries every constraint's key and passes the
 * inclusion policies (nodeAffinityPolicy default Honor: the pod's nodeSelector and required node affinity;
 * nodeTaintsPolicy default Ignore) — a node of domain d fails (Unschedulable) when
 * count[d] + selfMatch − min > maxSkew, min being the smallest count over eligible domains (0 when there
 * are fewer than minDomains).
 *
 * Score, for ScheduleAnyway constraints (or, for a pod without constraints, the default constraints with a
 * selector made of the Services, ReplicaSets… selecting the pod; none → the plugin is skipped):
 * raw(node) = round(Σ over constraints whose key the node has of cnt·ln(domains+2) + maxSkew − 1), cnt being
 * the matching pods in the node's domain (on the node itself for kubernetes.io/hostname); then
 * 100·(max + min − raw)/max, ignored nodes (missing a key, explicit constraints only) get 0.
 */
import type { LabelSelector, NodeInclusionPolicy, PodSpec, TopologySpreadConstraint } from '../../../api/objects.js';
import { isEmptySelector, makeMatcher, withLabelKeys, type PodMatcher } from '../../pod-matcher.js';
import { selectorMatches } from '../../../api/objects.js';

export const NAME = 'PodTopologySpread';
export const REASON_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
export const REASON_SKEW = "node(s) didn't match pod topology spread constraints";
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export type DefaultingType = 'System' | 'List';

/** plugin.go systemDefaultConstraints: used when PodTopologySpreadArgs.defaultingType is System (the default). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { topologyKey: HOSTNAME_LABEL, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3, matchLabelKeys: [] },
  { topologyKey: ZONE_LABEL, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5, matchLabelKeys: [] },
];

/** topologySpreadConstraint: the pod's constraint with its selector resolved. */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  /** Same namespace as the pod, and the (merged) selector. */
  readonly matcher: PodMatcher;
  /** countPodsMatchSelector counts nothing for a nil or empty selector. */
  readonly countable: boolean;
  /** The pod matches its own selector (adds 1 to its domain's count). */
  readonly selfMatch: boolean;
  readonly minDomains: number;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
}

export interface SpreadDefaults {
  readonly defaultingType: DefaultingType;
  /** The constraints applied to pods without their own (SYSTEM_DEFAULT_CONSTRAINTS for System). */
  readonly constraints: readonly TopologySpreadConstraint[];
}

export const SYSTEM_DEFAULTS: SpreadDefaults = { defaultingType: 'System', constraints: SYSTEM_DEFAULT_CONSTRAINTS };

/**
 * filterTopologySpreadConstraints / buildDefaultConstraints: the constraints of one action for a pod. Default
 * constraints apply only to a pod without constraints of its own, with `defaultSelector` (DefaultSelector:
 * the Services, ReplicaSets… selecting it; undefined or empty → none).
 */
export function spreadConstraints(
  spec: PodSpec,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  action: TopologySpreadConstraint['whenUnsatisfiable'],
  defaults: SpreadDefaults,
  defaultSelector: LabelSelector | undefined,
): SpreadConstraint[] {
  const own = spec.topologySpreadConstraints;
  if (own !== undefined && own.length > 0) {
    return own
      .filter((c) => c.whenUnsatisfiable === action)
      .map((c) => compile(c, namespace, labels, withLabelKeys(c.labelSelector, labels, c.matchLabelKeys)));
  }
  const cs = defaults.constraints.filter((c) => c.whenUnsatisfiable === action);
  if (cs.length === 0 || defaultSelector === undefined || isEmptySelector(defaultSelector)) return [];
  return cs.map((c) => compile(c, namespace, labels, defaultSelector));
}

function compile(
  c: TopologySpreadConstraint,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  selector: LabelSelector | undefined,
): SpreadConstraint {
  const policy = (p: NodeInclusionPolicy | undefined, def: NodeInclusionPolicy): boolean => (p ?? def) === 'Honor';
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    matcher: makeMatcher([namespace], undefined, selector),
    countable: selector !== undefined && !isEmptySelector(selector),
    selfMatch: selector !== undefined && selectorMatches(selector, labels),
    minDomains: c.minDomains ?? 1,
    honorAffinity: policy(c.nodeAffinityPolicy, 'Honor'),
    honorTaints: policy(c.nodeTaintsPolicy, 'Ignore'),
  };
}

/** topologyNormalizingWeight: ln(domains + 2). */
export function topologyNormalizingWeight(size: number): number {
  return Math.log(size + 2);
}

/** scoreForCount. */
export function scoreForCount(cnt: number, maxSkew: number, weight: number): number {
  return cnt * weight + (maxSkew - 1);
}

/**
 * NormalizeScore over the first n raw scores (ignored[f] = 1 for nodes missing a key), adding weight × the
 * result to out: 100·(max + min − s)/max in Go integer arithmetic; every node 100 when max = 0.
 */
export function addNormalizedSpread(raw: Float64Array, ignored: Uint8Array, n: number, weight: number, out: Float64Array): void {
  let min = Infinity;
  let max = 0;
  for (let f = 0; f < n; f++) {
    if (ignored[f] === 1) continue;
    if (raw[f] < min) min = raw[f];
    if (raw[f] > max) max = raw[f];
  }
  for (let f = 0; f < n; f++) {
    if (ignored[f] === 1) continue;
    out[f] += (max === 0 ? 100 : Math.trunc((100 * (max + min - raw[f])) / max)) * weight;
  }
}
