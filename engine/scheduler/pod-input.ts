/**
 * What a scheduling cycle needs from a pod, extracted once when the pod enters the queue (plain data; the
 * kernel compiles it against the NodeTable at the start of each cycle, upstream's PreFilter/PreScore state).
 */
import type { LabelSelector, NodeAffinity, PodSpec, Toleration } from '../api/objects.js';
import { podRequests, type PodRequests } from '../api/pod-resources.js';
import { normalizedImageName } from './plugins/image-locality/index.js';
import { compileAffinity, type PodAffinityInfo } from './plugins/inter-pod-affinity/index.js';
import { hostPorts, type HostPort } from './plugins/node-ports/index.js';
import { preferredTermsError } from './plugins/node-affinity/index.js';
import { toleratesUnschedulable } from './plugins/node-unschedulable/index.js';
import type { VolumeInput } from './plugins/volume-binding/index.js';
import type { DraCycleInput } from './plugins/dynamic-resources/index.js';

export interface PodInput {
  readonly spec: PodSpec;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: PodRequests;
  readonly toleratesUnschedulable: boolean;
  readonly tolerations: readonly Toleration[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly nodeAffinity: NodeAffinity | undefined;
  /** NodeAffinity PreScore's error when a preferred term does not parse (plugins/node-affinity/); else null. */
  readonly preferredAffinityError: string | null;
  /** util.GetHostPorts: host ports of sidecars and containers. */
  readonly hostPorts: readonly HostPort[];
  /** Normalized image names of init containers, then containers (ImageLocality). */
  readonly images: readonly string[];
  /** Pod (anti-)affinity terms compiled against the pod's namespace and labels; null without any. */
  readonly podAffinity: PodAffinityInfo | null;
  /**
   * helper.DefaultSelector: the selectors of the Services and the controller (ReplicaSet) selecting the pod,
   * ANDed; used by the default topology spread constraints. undefined = none.
   */
  readonly defaultSpreadSelector: LabelSelector | undefined;
  /** The pod's name and annotations (GPU requests: engine/gpu/resources.ts). */
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** The volume plugins' per-cycle input (plugins/volume-binding/); absent or null for a pod without claims. */
  readonly volumes?: VolumeInput | null;
  /** DynamicResources' per-cycle input (plugins/dynamic-resources/); absent for a pod without resource claims. */
  readonly dra?: DraCycleInput;
}

export interface PodMeta {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

const NO_META: PodMeta = { namespace: 'default', labels: {} };
const NO_ANNOTATIONS: Readonly<Record<string, string>> = {};

/** `podLevelResources`: the scheduler's PodLevelResources feature gate (api/pod-resources.ts). */
export function podInput(
  spec: PodSpec,
  meta: PodMeta = NO_META,
  defaultSpreadSelector?: LabelSelector,
  podLevelResources = true,
): PodInput {
  return {
    spec,
    namespace: meta.namespace,
    labels: meta.labels,
    requests: podRequests(spec, podLevelResources),
    toleratesUnschedulable: toleratesUnschedulable(spec.tolerations),
    tolerations: spec.tolerations,
    nodeSelector: spec.nodeSelector,
    nodeAffinity: spec.affinity?.nodeAffinity,
    preferredAffinityError: preferredTermsError(spec.affinity?.nodeAffinity?.preferred),
    hostPorts: hostPorts(spec),
    images: [...spec.initContainers, ...spec.containers].map((c) => normalizedImageName(c.image)),
    podAffinity: compileAffinity(spec, meta.namespace, meta.labels),
    defaultSpreadSelector,
    name: meta.name ?? '',
    annotations: meta.annotations ?? NO_ANNOTATIONS,
  };
}

/** Whether a plain object (a nodeSelector, a requests map) has any key, without allocating. */
export function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
