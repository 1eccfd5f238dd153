/**
 * What a scheduling cycle needs from a pod, extracted once when the pod enters the queue (plain data; the
 * kernel compiles it against the NodeTable at the start of each cycle, upstream's PreFilter/PreScore state).
 */
import type { NodeAffinity, PodSpec, Toleration } from '../api/objects.js';
import { podRequests, type PodRequests } from '../api/pod-resources.js';
import { normalizedImageName } from './plugins/image-locality.js';
import { hostPorts, type HostPort } from './plugins/node-ports.js';
import { toleratesUnschedulable } from './plugins/node-unschedulable.js';

export interface PodInput {
  readonly requests: PodRequests;
  readonly toleratesUnschedulable: boolean;
  readonly tolerations: readonly Toleration[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly nodeAffinity: NodeAffinity | undefined;
  /** util.GetHostPorts: host ports of sidecars and containers. */
  readonly hostPorts: readonly HostPort[];
  /** Normalized image names of init containers, then containers (ImageLocality). */
  readonly images: readonly string[];
}

export function podInput(spec: PodSpec): PodInput {
  return {
    requests: podRequests(spec),
    toleratesUnschedulable: toleratesUnschedulable(spec.tolerations),
    tolerations: spec.tolerations,
    nodeSelector: spec.nodeSelector,
    nodeAffinity: spec.affinity?.nodeAffinity,
    hostPorts: hostPorts(spec),
    images: [...spec.initContainers, ...spec.containers].map((c) => normalizedImageName(c.image)),
  };
}
