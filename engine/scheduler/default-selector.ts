/**
 * helper.DefaultSelector (pkg/scheduler/framework/plugins/helper/spread.go): the selector the default topology
 * spreading constraints use for a pod without constraints of its own — the selectors of the Services in its
 * namespace that select it, then its controlling ReplicaSet's selector, ANDed. The scheduler memoizes it per
 * controller (scheduler.ts); `kubesim explain` computes it once.
 */
import type { LabelSelector, LabelSelectorRequirement, Pod, ReplicaSet, Service } from '../api/objects.js';
import { enabledAt, type Profile } from './profile.js';

/** Only pods without their own spread constraints use the defaults; the selector costs a lister scan. */
export function needsDefaultSelector(p: Profile, pod: Pod): boolean {
  return needsSpreadSelectors(p) && (pod.spec.topologySpreadConstraints?.length ?? 0) === 0;
}

/** Whether PodTopologySpread runs (at Filter or Score), so default constraints need the pods' Services and ReplicaSets. */
export function needsSpreadSelectors(p: Profile): boolean {
  return enabledAt(p, 'score', 'PodTopologySpread') || enabledAt(p, 'filter', 'PodTopologySpread');
}

/** undefined when no Service and no ReplicaSet selects the pod. `replicaSets` is keyed by keyOf (ReplicaSet/ns/name). */
export function defaultSpreadSelector(
  pod: Pod,
  services: Iterable<Service>,
  replicaSets: ReadonlyMap<string, ReplicaSet>,
): LabelSelector | undefined {
  const ns = pod.metadata.namespace;
  const labels = pod.metadata.labels;
  const matchLabels: Record<string, string> = {};
  let any = false;
  for (const svc of services) {
    if (svc.metadata.namespace !== ns) continue;
    const sel = svc.spec.selector;
    let matches = true;
    for (const k in sel) if (labels[k] !== sel[k]) matches = false;
    if (!matches) continue;
    for (const k in sel) {
      matchLabels[k] = sel[k];
      any = true;
    }
  }
  let exprs: readonly LabelSelectorRequirement[] = [];
  const owner = pod.metadata.ownerReferences.find((o) => o.controller);
  if (owner !== undefined && owner.kind === 'ReplicaSet') {
    const rs = replicaSets.get(`ReplicaSet/${ns}/${owner.name}`);
    if (rs !== undefined) {
      // The ReplicaSet's requirements are added to the Services' label set.
      const extra: LabelSelectorRequirement[] = Object.keys(rs.spec.selector.matchLabels).map((k) => ({
        key: k,
        operator: 'In',
        values: [rs.spec.selector.matchLabels[k]],
      }));
      exprs = [...extra, ...rs.spec.selector.matchExpressions];
      if (exprs.length > 0) any = true;
    }
  }
  return any ? { matchLabels, matchExpressions: exprs } : undefined;
}
