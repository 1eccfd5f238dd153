/**
 * Which existing pods a topology spread constraint or a pod (anti-)affinity term selects: a namespace
 * condition and a label selector, compiled once per pod (framework.AffinityTerm in
 * pkg/scheduler/framework/types.go; countPodsMatchSelector in podtopologyspread/common.go).
 *
 * Namespaces are not modeled as objects; a namespaceSelector is evaluated against the one label every
 * namespace carries, kubernetes.io/metadata.name (set by the API server since v1.21).
 */
import { selectorMatches, type LabelSelector, type LabelSelectorRequirement } from '../api/objects.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface PodMatcher {
  /** Namespaces listed by name (for a term without namespaces and namespaceSelector: the owning pod's). */
  readonly namespaces: ReadonlySet<string>;
  /** undefined = nil (matches no namespace); {} = every namespace. */
  readonly namespaceSelector: LabelSelector | undefined;
  /** undefined = nil: selects no pod. */
  readonly selector: LabelSelector | undefined;
  /** Canonical text, equal for equal matchers (cache key). */
  readonly key: string;
}

export function makeMatcher(
  namespaces: Iterable<string>,
  namespaceSelector: LabelSelector | undefined,
  selector: LabelSelector | undefined,
): PodMatcher {
  const ns = new Set(namespaces);
  const key = JSON.stringify([[...ns].sort(), canonical(namespaceSelector), canonical(selector)]);
  return { namespaces: ns, namespaceSelector, selector, key };
}

/** framework.AffinityTerm.Matches / PodMatchesTermsNamespaceAndSelector. */
export function podMatches(m: PodMatcher, namespace: string, labels: Readonly<Record<string, string>>): boolean {
  if (m.selector === undefined) return false;
  if (!m.namespaces.has(namespace) && !namespaceSelected(m.namespaceSelector, namespace)) return false;
  return selectorMatches(m.selector, labels);
}

function namespaceSelected(sel: LabelSelector | undefined, namespace: string): boolean {
  if (sel === undefined) return false;
  return selectorMatches(sel, { [NAMESPACE_NAME_LABEL]: namespace });
}

export function isEmptySelector(s: LabelSelector): boolean {
  for (const _ in s.matchLabels) return false;
  return s.matchExpressions.length === 0;
}

/**
 * matchLabelKeys / mismatchLabelKeys: for each key the owning pod has, `key in (value)` (or `notin`) is
 * ANDed into the selector (mergeLabelSetWithSelector; the API server does the same merge since v1.33). A nil
 * selector stays nil.
 */
export function withLabelKeys(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
  match: readonly string[],
  mismatch: readonly string[] = [],
): LabelSelector | undefined {
  if (selector === undefined || (match.length === 0 && mismatch.length === 0)) return selector;
  const extra: LabelSelectorRequirement[] = [];
  for (const k of match) if (Object.prototype.hasOwnProperty.call(labels, k)) extra.push({ key: k, operator: 'In', values: [labels[k]] });
  for (const k of mismatch)
    if (Object.prototype.hasOwnProperty.call(labels, k)) extra.push({ key: k, operator: 'NotIn', values: [labels[k]] });
  if (extra.length === 0) return selector;
  return { matchLabels: selector.matchLabels, matchExpressions: [...selector.matchExpressions, ...extra] };
}

function canonical(s: LabelSelector | undefined): unknown {
  if (s === undefined) return null;
  const labels = Object.keys(s.matchLabels)
    .sort()
    .map((k) => [k, s.matchLabels[k]]);
  const exprs = s.matchExpressions
    .map((r) => [r.key, r.operator, [...r.values].sort()])
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return [labels, exprs];
}
