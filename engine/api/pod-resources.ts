/**
 * Effective pod requests, as k8s.io/component-helpers/resource.PodRequests computes them: the sum over
 * regular containers, the maximum with init containers (sidecars, restartPolicy Always, accumulate), the pod-level
 * requests (spec.resources, feature PodLevelResources) replacing that aggregate for the resources they set, plus
 * pod overhead. See docs/model/scheduler.md and docs/model/scheduler-fidelity.md.
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

/** Which absent container requests get the scheduler's non-zero defaults (PodResourcesOptions.NonMissingContainerRequests). */
interface NonMissing {
  readonly cpu: boolean;
  readonly memory: boolean;
}

const NONE: NonMissing = { cpu: false, memory: false };
const BOTH: NonMissing = { cpu: true, memory: true };

function containerRequests(c: Container, defaults: NonMissing): Acc {
  const r: Acc = { ...c.requests };
  if (defaults.cpu && !(CPU in r)) r[CPU] = DEFAULT_MILLI_CPU_REQUEST;
  if (defaults.memory && !(MEMORY in r)) r[MEMORY] = DEFAULT_MEMORY_REQUEST;
  return r;
}

function addInto(a: Acc, b: Readonly<Acc>): void {
  for (const k in b) a[k] = (a[k] ?? 0) + b[k];
}

function maxInto(a: Acc, b: Readonly<Acc>): void {
  for (const k in b) if (!(k in a) || b[k] > a[k]) a[k] = b[k];
}

/**
 * AggregateContainerRequests: the sum over regular containers, the maximum with each init container's use (a
 * sidecar, restartPolicy Always, adds to the containers and to every later init container). No overhead.
 */
function aggregate(spec: Pick<PodSpec, 'containers' | 'initContainers'>, defaults: NonMissing): Acc {
  const sum: Acc = {};
  for (const c of spec.containers) addInto(sum, containerRequests(c, defaults));
  const sidecars: Acc = {};
  const initMax: Acc = {};
  for (const ic of spec.initContainers) {
    const r = containerRequests(ic, defaults);
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
  return sum;
}

/** AggregateContainerRequests without defaults (API defaulting and validation of pod-level resources). */
export function aggregateContainerRequests(spec: Pick<PodSpec, 'containers' | 'initContainers'>): ResourceList {
  return aggregate(spec, NONE);
}

/**
 * resourcehelper.IsSupportedPodLevelResource: cpu, memory and hugepages-* may be set in the pod's
 * spec.resources (component-helpers/resource/helpers.go supportedPodLevelResources).
 */
export function isSupportedPodLevelResource(name: string): boolean {
  return name === CPU || name === MEMORY || name.startsWith(HUGEPAGES_PREFIX);
}

export const HUGEPAGES_PREFIX = 'hugepages-';

/** resourcehelper.IsPodLevelRequestsSet: spec.resources.requests names a supported resource. */
function podLevelRequestsSet(spec: PodSpec): boolean {
  const r = spec.resources?.requests;
  if (r === undefined) return false;
  for (const k in r) if (isSupportedPodLevelResource(k)) return true;
  return false;
}

/** applyPodLevelResources: the pod-level requests replace the aggregate for the resources they set. */
function applyPodLevel(into: Acc, spec: PodSpec): void {
  const r = spec.resources?.requests;
  if (r === undefined) return;
  for (const k in r) if (isSupportedPodLevelResource(k)) into[k] = r[k];
}

/**
 * Requests are read for every pod by the scheduler, the kubelet and the metrics (several times per pod), while
 * the container lists are shared by every pod of a template and never change (admission and binding copy the
 * spec around them; in-place resize is not modeled): so results are kept per containers array.
 */
interface Cached {
  readonly spec: PodSpec;
  readonly requests: PodRequests;
}
const byContainers = new WeakMap<readonly Container[], Cached>();
/** Results with the PodLevelResources gate off, for pods that set spec.resources (the only ones it changes). */
const byContainersNoPodLevel = new WeakMap<readonly Container[], Cached>();

/**
 * The pod's effective requests. `podLevelResources` is the PodLevelResources feature gate of the component
 * reading them (on by default since v1.34): off, spec.resources is ignored (PodResourcesOptions.SkipPodLevelResources).
 */
export function podRequests(spec: PodSpec, podLevelResources = true): PodRequests {
  const cache = podLevelResources || spec.resources === undefined ? byContainers : byContainersNoPodLevel;
  const hit = cache.get(spec.containers);
  if (
    hit !== undefined &&
    hit.spec.initContainers === spec.initContainers &&
    hit.spec.overhead === spec.overhead &&
    hit.spec.resources === spec.resources
  ) {
    return hit.requests;
  }
  const requests = computePodRequests(spec, podLevelResources);
  cache.set(spec.containers, { spec, requests });
  return requests;
}

/**
 * resourcehelper.PodRequests (the filter's and the node accounting's requests) and, for scoring, the scheduler's
 * non-zero requests (framework PodInfo.CalculateResource): without pod-level requests every container missing a
 * cpu or memory request counts the default; with them, a default applies only to a resource that neither the pod
 * level nor any container nor the overhead names (getNonMissingContainerRequests).
 */
function computePodRequests(spec: PodSpec, podLevelResources: boolean): PodRequests {
  const podLevel = podLevelResources && podLevelRequestsSet(spec);
  const plain = aggregate(spec, NONE);
  if (podLevel) applyPodLevel(plain, spec);
  addInto(plain, spec.overhead);
  let nonZero = plain;
  const missing: NonMissing = podLevel ? { cpu: !(CPU in plain), memory: !(MEMORY in plain) } : BOTH;
  if ((missing.cpu || missing.memory) && spec.containers.length + spec.initContainers.length > 0) {
    nonZero = aggregate(spec, missing);
    if (podLevel) applyPodLevel(nonZero, spec);
    addInto(nonZero, spec.overhead);
  }
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
