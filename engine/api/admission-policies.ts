/**
 * Two admission plugins of kube-apiserver over pod creations, with the policies of the pod's namespace:
 *
 * LimitRanger (plugin/pkg/admission/limitranger/admission.go): for each LimitRange item of type Container,
 * every container (init containers too) without a limit gets the item's default limit and without a request its
 * defaultRequest (PodMutateLimitFunc); then a request below the item's min, a limit above its max, or a missing
 * request (limit) where a min (max) is set, refuses the pod (PodValidateLimitFunc): 403 Forbidden.
 *
 * ResourceQuota (plugin/pkg/admission/resourcequota, the pod evaluator pkg/quota/v1/evaluator/core/pods.go): the
 * pod's usage — 1 pod, its requests and limits (the larger of the containers' sum and the largest init
 * container, plus overhead) — added to the namespace's usage must stay within every quota's hard limits; a
 * quota on requests.cpu (or cpu), requests.memory (memory), limits.cpu or limits.memory also requires every
 * container to set that value ("must specify"). Refused: 403 Forbidden ("exceeded quota"). Simplified: the
 * usage is the exact sum over the namespace's non-terminal pods at admission (upstream admission charges the
 * quota's status.used, which the resource quota controller recomputes); sidecar init containers are counted as
 * plain init containers.
 */
import type { Container, LimitRange, Pod, ResourceList, ResourceQuota } from './objects.js';

export interface Refusal {
  readonly message: string;
}

/** LimitRanger: the pod with defaults applied, or why it is refused. */
export function applyLimitRanges(pod: Pod, ranges: readonly LimitRange[]): Pod | Refusal {
  if (ranges.length === 0) return pod;
  const fix = (c: Container): Container => {
    let limits = c.limits;
    let requests = c.requests;
    for (const r of ranges) {
      for (const item of r.spec.limits) {
        for (const [k, v] of Object.entries(item.default)) if (!(k in limits)) limits = { ...limits, [k]: v };
        for (const [k, v] of Object.entries(item.defaultRequest)) if (!(k in requests)) requests = { ...requests, [k]: v };
      }
    }
    return limits === c.limits && requests === c.requests ? c : { ...c, limits, requests };
  };
  const containers = pod.spec.containers.map(fix);
  const initContainers = pod.spec.initContainers.map(fix);
  for (const r of ranges) {
    for (const item of r.spec.limits) {
      for (const c of [...initContainers, ...containers]) {
        for (const [k, min] of Object.entries(item.min)) {
          const req = c.requests[k];
          if (req === undefined)
            return { message: `minimum ${k} usage per Container is ${min}. No request is specified (LimitRange ${r.metadata.name})` };
          if (req < min)
            return { message: `minimum ${k} usage per Container is ${min}, but request is ${req} (LimitRange ${r.metadata.name})` };
        }
        for (const [k, max] of Object.entries(item.max)) {
          const lim = c.limits[k];
          if (lim === undefined)
            return { message: `maximum ${k} usage per Container is ${max}. No limit is specified (LimitRange ${r.metadata.name})` };
          if (lim > max)
            return { message: `maximum ${k} usage per Container is ${max}, but limit is ${lim} (LimitRange ${r.metadata.name})` };
        }
      }
    }
  }
  return { ...pod, spec: { ...pod.spec, containers, initContainers } };
}

export function isRefusal(x: Pod | Refusal): x is Refusal {
  return (x as Refusal).message !== undefined && (x as Pod).kind === undefined;
}

/** The quota resources a pod uses (pods.go PodUsageFunc). */
export function podUsage(pod: Pod): Record<string, number> {
  const total = (pick: (c: Container) => ResourceList, key: string): number => {
    let sum = 0;
    for (const c of pod.spec.containers) sum += pick(c)[key] ?? 0;
    let init = 0;
    for (const c of pod.spec.initContainers) init = Math.max(init, pick(c)[key] ?? 0);
    return Math.max(sum, init) + (pod.spec.overhead[key] ?? 0);
  };
  const cpu = total((c) => c.requests, 'cpu');
  const memory = total((c) => c.requests, 'memory');
  return {
    pods: 1,
    'count/pods': 1,
    'requests.cpu': cpu,
    cpu,
    'requests.memory': memory,
    memory,
    'limits.cpu': total((c) => c.limits, 'cpu'),
    'limits.memory': total((c) => c.limits, 'memory'),
  };
}

const REQUIRED: Readonly<Record<string, { readonly list: 'requests' | 'limits'; readonly resource: string }>> = {
  'requests.cpu': { list: 'requests', resource: 'cpu' },
  cpu: { list: 'requests', resource: 'cpu' },
  'requests.memory': { list: 'requests', resource: 'memory' },
  memory: { list: 'requests', resource: 'memory' },
  'limits.cpu': { list: 'limits', resource: 'cpu' },
  'limits.memory': { list: 'limits', resource: 'memory' },
};

/** ResourceQuota admission: null when the pod fits every quota, else why not. */
export function quotaRefusal(pod: Pod, quotas: readonly ResourceQuota[], used: Readonly<Record<string, number>>): Refusal | null {
  if (quotas.length === 0) return null;
  const usage = podUsage(pod);
  for (const q of quotas) {
    for (const [key, hard] of Object.entries(q.spec.hard)) {
      const req = REQUIRED[key];
      if (req !== undefined) {
        for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
          if (!(req.resource in c[req.list])) return { message: `failed quota: ${q.metadata.name}: must specify ${key}` };
        }
      }
      const after = (used[key] ?? 0) + (usage[key] ?? 0);
      if (after > hard) {
        return {
          message: `exceeded quota: ${q.metadata.name}, requested: ${key}=${usage[key] ?? 0}, used: ${key}=${used[key] ?? 0}, limited: ${key}=${hard}`,
        };
      }
    }
  }
  return null;
}
