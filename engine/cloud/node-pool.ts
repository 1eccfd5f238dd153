/**
 * A node pool's machines as Node objects: node i of pool P is named `P-i` (or the template's own name for a
 * single named Node), carries the template's labels plus kubernetes.io/hostname and, for a pool spread over
 * zones, topology.kubernetes.io/zone = zones[i mod zones]. The cluster autoscaler adds nodes with the next
 * indices.
 */
import type { Node } from '../api/objects.js';
import { ZONE_LABEL } from '../scheduler/node-table.js';
import { POOL_LABEL } from './cluster-autoscaler.js';
import type { DraDriverSpec } from '../node/dra-driver.js';

export interface NodePool {
  readonly name: string;
  readonly count: number;
  /** The template; node i is named `<pool>-<i>` unless the pool is a single named Node manifest. */
  readonly template: Node;
  readonly namedSingle: boolean;
  /** Node i gets topology.kubernetes.io/zone = zones[i % zones.length] (a node group spanning zones). */
  readonly zones: readonly string[];
  /** Node group size limits for the cluster autoscaler; null = a fixed pool. */
  readonly autoscaling: { readonly min: number; readonly max: number } | null;
  /** The DRA driver on the pool's nodes, publishing a ResourceSlice per node (node/dra-driver.ts); absent = none. */
  readonly dra?: DraDriverSpec;
}

export function poolNode(pool: NodePool, i: number): Node {
  const name = pool.namedSingle ? pool.template.metadata.name : `${pool.name}-${i}`;
  const labels: Record<string, string> = { ...pool.template.metadata.labels, 'kubernetes.io/hostname': name };
  if (pool.zones.length > 0) labels[ZONE_LABEL] = pool.zones[i % pool.zones.length];
  // Cloud providers label nodes with their node group (eks.amazonaws.com/nodegroup, cloud.google.com/gke-nodepool).
  if (pool.autoscaling !== null) labels[POOL_LABEL] = pool.name;
  return { ...pool.template, metadata: { ...pool.template.metadata, name, labels } };
}
