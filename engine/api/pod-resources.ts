/**
 * Effective pod requests, as k8s.io/component-helpers/resource.PodRequests computes them: the sum over
 * regular containers, the maximum with init containers (sidecars, restartPolicy Always, accumulate), plus
 * pod overhead. See ../shared/reference/kube-scheduler.md §3.
 */
import type { Container, PodSpec, ResourceList } from './objects.js';

/** pkg/scheduler/util/pod_resources.go: DefaultMilliCPURequest (0.1 core) */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** pkg/scheduler/util/pod_resources.go: DefaultMemoryRequest (200 MiB) */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

export interface PodRequests {
  /** Requests with no defaults (NodeResourcesFit filter, BalancedAllocation, node accounting). */
  readonly cpu: number;
  readonly memory: number;
  readonly ephemeralStorage: number;
  /** Extended and other scalar resources, by name; only non-zero entries. */
  readonly scalars: Readonly<Record<string, number>>;
  /** Requests with the non-zero defaults substituted per container for absent cpu/memory keys (scoring). */
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
}

type Acc = Record<string, number>;

function containerRequests(c: Container, withDefaults: boolean): Acc {
  const r: Acc = { ...c.requests };
  if (withDefaults) {
    if (!(CPU in r)) r[CPU] = DEFAULT_MILLI_CPU_REQUEST;
    if (!(MEMORY in r)) r[MEMORY] = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

function addInto(a: Acc, b: Readonly<Acc>): void {
  for (const k in b) a[k] = (a[k] ?? 0) + b[k];
}

function maxInto(a: Acc, b: Readonly<Acc>): void {
  for (const k in b) if (!(k in a) || b[k] > a[k]) a[k] = b[k];
}

function aggregate(spec: PodSpec, withDefaults: boolean): Acc {
  const sum: Acc = {};
  for (const c of spec.containers) addInto(sum, containerRequests(c, withDefaults));
  const sidecars: Acc = {};
  const initMax: Acc = {};
  for (const ic of spec.initContainers) {
    const r = containerRequests(ic, withDefaults);
    if (ic.restartPolicy === 'Always') {
      addInto(sidecars, r);
      addInto(sum, r);
      maxInto(initMax, sidecars);
    } else {
      const withSidecars: Acc = { ...r };
      addInto(withSidecars, sidecars);
      maxInto(initMax, withSidecars);
    }
  }
  maxInto(sum, initMax);
  addInto(sum, spec.overhead);
  return sum;
}

/**
 * Requests are read for every pod by the scheduler, the kubelet and the metrics (several times per pod), while
 * the container lists are shared by every pod of a template and never change (admission and binding copy the
 * spec around them; in-place resize is not modeled): so results are kept per containers array.
 */
const byContainers = new WeakMap<readonly Container[], { readonly spec: PodSpec; readonly requests: PodRequests }>();

export function podRequests(spec: PodSpec): PodRequests {
  const hit = byContainers.get(spec.containers);
  if (hit !== undefined && hit.spec.initContainers === spec.initContainers && hit.spec.overhead === spec.overhead) return hit.requests;
  const requests = computePodRequests(spec);
  byContainers.set(spec.containers, { spec, requests });
  return requests;
}

function computePodRequests(spec: PodSpec): PodRequests {
  const plain = aggregate(spec, false);
  const nonZero = spec.containers.length + spec.initContainers.length === 0 ? plain : aggregate(spec, true);
  const scalars: Record<string, number> = {};
  for (const k of Object.keys(plain).sort()) {
    if (k === CPU || k === MEMORY || k === EPHEMERAL_STORAGE || k === PODS) continue;
    if (plain[k] !== 0) scalars[k] = plain[k];
  }
  return {
    cpu: plain[CPU] ?? 0,
    memory: plain[MEMORY] ?? 0,
    ephemeralStorage: plain[EPHEMERAL_STORAGE] ?? 0,
    scalars,
    nonZeroCpu: nonZero[CPU] ?? 0,
    nonZeroMemory: nonZero[MEMORY] ?? 0,
  };
}

export function resourceOrZero(r: ResourceList, name: string): number {
  return r[name] ?? 0;
}
