/**
 * InterPodAffinity (pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring}.go).
 *
 * Filter (PreFilter counts per topology pair, then per node, in this order):
 *  1. the pod's required affinity: every term's topology key must be on the node, and some existing pod
 *     matching ALL the terms must be in the node's domain of each term; if no pod anywhere matches them and
 *     the pod matches its own terms, it passes (the first pod of a self-affine group) →
 *     UnschedulableAndUnresolvable "node(s) didn't match pod affinity rules";
 *  2. the pod's required anti-affinity: no pod matching a term in the node's domain of that term →
 *     Unschedulable "node(s) didn't match pod anti-affinity rules";
 *  3. existing pods' required anti-affinity terms that match the pod, in the domain of the node →
 *     Unschedulable "node(s) didn't satisfy existing pods anti-affinity rules".
 * Score: per topology pair, + weight for each preferred affinity term of the pod an existing pod matches,
 * − weight for its preferred anti-affinity terms, + hardPodAffinityWeight for each required affinity term
 * of an existing pod the incoming pod matches, ± weight for existing pods' preferred (anti-)affinity terms
 * it matches; a node's raw score is the sum over the topology keys it has; NormalizeScore maps [min, max]
 * to [0, 100] with float64 arithmetic truncated (0 everywhere when max = min).
 */
import type { PodAffinityTerm, PodSpec } from '../../../api/objects.js';
import { makeMatcher, podMatches, withLabelKeys, type PodMatcher } from '../../pod-matcher.js';

export const NAME = 'InterPodAffinity';
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
/** InterPodAffinityArgs.hardPodAffinityWeight default (apis/config/v1/defaults.go). */
export const DEFAULT_HARD_POD_AFFINITY_WEIGHT = 1;

export interface AffinityTerm {
  readonly matcher: PodMatcher;
  readonly topologyKey: string;
  /** 1..100 for preferred terms; 0 for required ones. */
  readonly weight: number;
}

/** A pod's (anti-)affinity terms compiled against its own namespace and labels (framework.PodInfo). */
export interface PodAffinityInfo {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAnti: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAnti: readonly AffinityTerm[];
}

/** null when the pod has no pod affinity and no pod anti-affinity at all. */
export function compileAffinity(spec: PodSpec, namespace: string, labels: Readonly<Record<string, string>>): PodAffinityInfo | null {
  const a = spec.affinity;
  if (a === undefined || (a.podAffinity === undefined && a.podAntiAffinity === undefined)) return null;
  const term = (t: PodAffinityTerm, weight: number): AffinityTerm => ({
    // GetNamespacesFromPodAffinityTerm: no namespaces and no namespaceSelector → the pod's own namespace.
    matcher: makeMatcher(
      t.namespaces.length === 0 && t.namespaceSelector === undefined ? [namespace] : t.namespaces,
      t.namespaceSelector,
      withLabelKeys(t.labelSelector, labels, t.matchLabelKeys, t.mismatchLabelKeys),
    ),
    topologyKey: t.topologyKey,
    weight,
  });
  return {
    requiredAffinity: (a.podAffinity?.required ?? []).map((t) => term(t, 0)),
    requiredAnti: (a.podAntiAffinity?.required ?? []).map((t) => term(t, 0)),
    preferredAffinity: (a.podAffinity?.preferred ?? []).map((w) => term(w.term, w.weight)),
    preferredAnti: (a.podAntiAffinity?.preferred ?? []).map((w) => term(w.term, w.weight)),
  };
}

/** podMatchesAllAffinityTerms: false for no terms. */
export function matchesAllTerms(terms: readonly AffinityTerm[], namespace: string, labels: Readonly<Record<string, string>>): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!podMatches(t.matcher, namespace, labels)) return false;
  return true;
}

/** NormalizeScore over the first n raw scores, adding weight × the result to out. */
export function addNormalizedAffinity(raw: Float64Array, n: number, weight: number, out: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let f = 0; f < n; f++) {
    if (raw[f] > max) max = raw[f];
    if (raw[f] < min) min = raw[f];
  }
  const diff = max - min;
  if (!(diff > 0)) return;
  for (let f = 0; f < n; f++) out[f] += Math.trunc(100 * ((raw[f] - min) / diff)) * weight;
}
