/**
 * The scheduler cache's NodeInfo counters as struct-of-arrays typed columns, so the filter/score loop touches
 * only flat numeric arrays (../shared/reference/engine-performance.md §3: 6-8 ns per node for flat layouts,
 * 8x that for per-node objects or closures). One row per node, in the order nodes were added.
 *
 * `order` is the scheduler's node list: upstream's NodeTree (pkg/scheduler/backend/cache/node_tree.go) lists
 * nodes round-robin across zones (zones in first-seen order, nodes in insertion order within a zone); the
 * rotation of nextStartNodeIndex walks this list, so it decides which nodes a sampled search visits.
 */
import type { Node } from '../api/objects.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS, type PodRequests } from '../api/pod-resources.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
const REGION_LABEL = 'topology.kubernetes.io/region';
const LEGACY_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
const LEGACY_REGION_LABEL = 'failure-domain.beta.kubernetes.io/region';

/** node_tree.go / utilnode.GetZoneKey: region + ":\x00:" + zone, "" when the node has neither label. */
export function zoneKey(labels: Readonly<Record<string, string>>): string {
  const zone = labels[ZONE_LABEL] ?? labels[LEGACY_ZONE_LABEL] ?? '';
  const region = labels[REGION_LABEL] ?? labels[LEGACY_REGION_LABEL] ?? '';
  if (zone === '' && region === '') return '';
  return `${region}:\u0000:${zone}`;
}

export class NodeTable {
  capacity: number;
  count = 0;
  readonly names: string[] = [];
  readonly nodes: Node[] = [];
  private readonly index = new Map<string, number>();
  allocCpu: Float64Array;
  allocMem: Float64Array;
  allocEph: Float64Array;
  allocPods: Float64Array;
  reqCpu: Float64Array;
  reqMem: Float64Array;
  reqEph: Float64Array;
  /** NonZeroRequested: requests with the scheduler's non-zero defaults (scoring only). */
  nzCpu: Float64Array;
  nzMem: Float64Array;
  podCount: Float64Array;
  unschedulable: Uint8Array;
  /** Extended resources, one column pair per resource name seen on a node or a pod. */
  readonly scalarAlloc = new Map<string, Float64Array>();
  readonly scalarReq = new Map<string, Float64Array>();
  private orderCache: Int32Array = new Int32Array(0);
  private orderDirty = false;
  private readonly zones: string[] = [];
  private readonly zoneMembers = new Map<string, number[]>();

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.allocCpu = new Float64Array(initialCapacity);
    this.allocMem = new Float64Array(initialCapacity);
    this.allocEph = new Float64Array(initialCapacity);
    this.allocPods = new Float64Array(initialCapacity);
    this.reqCpu = new Float64Array(initialCapacity);
    this.reqMem = new Float64Array(initialCapacity);
    this.reqEph = new Float64Array(initialCapacity);
    this.nzCpu = new Float64Array(initialCapacity);
    this.nzMem = new Float64Array(initialCapacity);
    this.podCount = new Float64Array(initialCapacity);
    this.unschedulable = new Uint8Array(initialCapacity);
  }

  indexOf(name: string): number {
    return this.index.get(name) ?? -1;
  }

  /** Adds a node or, if present, refreshes its allocatable and flags. Returns its row. */
  upsert(node: Node): number {
    let i = this.index.get(node.metadata.name);
    if (i === undefined) {
      if (this.count === this.capacity) this.grow();
      i = this.count++;
      this.index.set(node.metadata.name, i);
      this.names.push(node.metadata.name);
      this.nodes.push(node);
      const z = zoneKey(node.metadata.labels);
      let members = this.zoneMembers.get(z);
      if (members === undefined) {
        this.zoneMembers.set(z, (members = []));
        this.zones.push(z);
      }
      members.push(i);
      this.orderDirty = true;
    } else this.nodes[i] = node;
    const a = node.status.allocatable;
    this.allocCpu[i] = a[CPU] ?? 0;
    this.allocMem[i] = a[MEMORY] ?? 0;
    this.allocEph[i] = a[EPHEMERAL_STORAGE] ?? 0;
    this.allocPods[i] = a[PODS] ?? 0;
    this.unschedulable[i] = node.spec.unschedulable ? 1 : 0;
    for (const name in a) {
      if (name === CPU || name === MEMORY || name === EPHEMERAL_STORAGE || name === PODS) continue;
      this.scalarColumn(this.scalarAlloc, name)[i] = a[name];
    }
    return i;
  }

  /** Adds (sign 1) or removes (sign -1) a pod's requests on row i. */
  account(i: number, r: PodRequests, sign: 1 | -1): void {
    this.reqCpu[i] += sign * r.cpu;
    this.reqMem[i] += sign * r.memory;
    this.reqEph[i] += sign * r.ephemeralStorage;
    this.nzCpu[i] += sign * r.nonZeroCpu;
    this.nzMem[i] += sign * r.nonZeroMemory;
    this.podCount[i] += sign;
    for (const name in r.scalars) this.scalarColumn(this.scalarReq, name)[i] += sign * r.scalars[name];
  }

  /** The column for an extended resource, created on first use. */
  scalarColumn(map: Map<string, Float64Array>, name: string): Float64Array {
    let col = map.get(name);
    if (col === undefined) map.set(name, (col = new Float64Array(this.capacity)));
    return col;
  }

  /** Node rows in NodeTree order; rebuilt only after nodes were added, as upstream rebuilds its list. */
  get order(): Int32Array {
    if (this.orderDirty) this.rebuildOrder();
    return this.orderCache;
  }

  private rebuildOrder(): void {
    // NodeTree.list(): one node from each zone in turn until every zone is exhausted.
    this.orderDirty = false;
    const order = new Int32Array(this.count);
    let n = 0;
    for (let depth = 0; n < this.count; depth++) {
      for (const z of this.zones) {
        const m = this.zoneMembers.get(z) as number[];
        if (depth < m.length) order[n++] = m[depth];
      }
    }
    this.orderCache = order;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const g = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.allocCpu = g(this.allocCpu);
    this.allocMem = g(this.allocMem);
    this.allocEph = g(this.allocEph);
    this.allocPods = g(this.allocPods);
    this.reqCpu = g(this.reqCpu);
    this.reqMem = g(this.reqMem);
    this.reqEph = g(this.reqEph);
    this.nzCpu = g(this.nzCpu);
    this.nzMem = g(this.nzMem);
    this.podCount = g(this.podCount);
    const u = new Uint8Array(cap);
    u.set(this.unschedulable);
    this.unschedulable = u;
    for (const m of [this.scalarAlloc, this.scalarReq]) for (const [k, v] of m) m.set(k, g(v));
    this.capacity = cap;
  }
}
