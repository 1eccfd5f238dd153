/**
 * A modeled DRA driver's kubelet plugin (k8s.io/dynamic-resource-allocation/kubeletplugin, resourceslice
 * controller): when its node registers, it publishes one ResourceSlice holding the node's devices, local to the
 * node (spec.nodeName), in a pool named after the node (generation 0, one slice). A node pool's `dra:` option
 * says which driver runs on its nodes and what devices it finds (scenarios: docs/model/dynamic-resources.md).
 */
import type { DeviceAttribute, ResourceSlice } from '../api/objects.js';

export interface DraDriverSpec {
  /** The driver name (a DNS subdomain such as gpu.example.com): the slice's spec.driver and default attribute domain. */
  readonly driver: string;
  /** Devices per node, named `<prefix>-0` … */
  readonly devices: number;
  readonly prefix: string;
  /** Every device's attributes and capacity, keyed by their fully qualified name. */
  readonly attributes: Readonly<Record<string, DeviceAttribute>>;
  readonly capacity: Readonly<Record<string, number>>;
}

/** The ResourceSlice the driver publishes for `node`: `<node>-<driver>`. */
export function nodeResourceSlice(spec: DraDriverSpec, node: string): ResourceSlice {
  const devices = Array.from({ length: spec.devices }, (_, i) => ({
    name: `${spec.prefix}-${i}`,
    attributes: spec.attributes,
    capacity: spec.capacity,
  }));
  return {
    kind: 'ResourceSlice',
    metadata: {
      name: `${node}-${spec.driver}`,
      namespace: '',
      uid: '',
      labels: {},
      annotations: {},
      ownerReferences: [],
      creationTimestamp: 0,
      resourceVersion: 0,
    },
    spec: { driver: spec.driver, pool: { name: node, generation: 0, resourceSliceCount: 1 }, nodeName: node, allNodes: false, devices },
  };
}
