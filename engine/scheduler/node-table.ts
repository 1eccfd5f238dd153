/**
 * The scheduler cache's NodeInfo counters as struct-of-arrays typed columns, so the filter/score loop touches
 * only flat numeric arrays (docs/design/performance.md: 6-8 ns per node for flat layouts,
 * 8x that for per-node objects or closures). One row per node, in the order nodes were added.
 *
 * `order` is the scheduler's node list: upstream's NodeTree (pkg/scheduler/backend/cache/node_tree.go) lists
 * nodes round-robin across zones (zones in first-seen order, nodes in insertion order within a zone); the
 * rotation of nextStartNodeIndex walks this list, so it decides which nodes a sampled search visits.
 *
 * The resource, pod-count and unschedulable columns and `order` live on SharedArrayBuffers, so the parallel
 * scan (parallel/) reads them from worker threads; a grow() replaces them, which the scan notices.
 *
 * A deleted node (cache.RemoveNode) leaves `order` (NodeTree.removeNode, and its zone when that empties) and the
 * node count; its row stays as a tombstone — labels, taints and images cleared, never reused — so per-row state
 * of the pods still assigned to it stays valid until they go, as upstream keeps their NodeInfo.
 */
import type { ContainerImage, Node, Taint } from '../api/objects.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS, type PodRequests } from '../api/pod-resources.js';
import { BIND_ALL, type HostPort } from './plugins/node-ports/index.js';
import { isHardEffect } from './plugins/taint-toleration/index.js';
import { sharedF64, sharedI32, sharedU8 } from './parallel/shared-memory.js';
import { GpuCluster } from '../gpu/cluster.js';
import type { GpuGrant } from '../gpu/resources.js';

const NO_PORTS: readonly HostPort[] = [];
const NO_IDS = new Int32Array(0);
const PROTOCOL_INDEX: Readonly<Record<HostPort['protocol'], number>> = { TCP: 0, UDP: 1, SCTP: 2 };

/** strconv.ParseInt(s, 10, 64) as a number (NaN when it fails); values beyond 2^53 lose precision. */
function goInt(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) return NaN;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? Number(n) : NaN;
}

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
  /** Rows ever added (the bound of per-row loops); removed nodes keep their row. */
  count = 0;
  /** Nodes present: what upstream counts as the number of nodes (percentageOfNodesToScore, "0/N nodes"). */
  live = 0;
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

  // Labels, interned: one column of value ids per label key (0 = the node lacks the key).
  private readonly labelKeyIds = new Map<string, number>();
  private labelCols: Int32Array[] = [];
  private readonly labelValueIds = new Map<string, number>();
  /** Label value id → the value as a Go int64 (NaN if it does not parse), for Gt/Lt. Index 0 unused. */
  readonly labelValueNum: number[] = [NaN];

  // Taints, interned by (key, value, effect): each node's list of taint ids in spec order.
  private readonly taintIds = new Map<string, number>();
  /** Taint id → taint. */
  readonly taints: Taint[] = [];
  nodeTaints: Int32Array[] = [];
  /** Per node: number of NoSchedule/NoExecute taints, and of PreferNoSchedule taints. */
  hardTaints: Int32Array;
  softTaints: Int32Array;
  /** Nodes with at least one hard / soft taint (lets untainted clusters skip the work entirely). */
  hardTaintNodes = 0;
  /** Rows flagged unschedulable (spec.unschedulable, or a deleted node's tombstone): none lets a cycle skip the check. */
  unschedulableNodes = 0;
  softTaintNodes = 0;

  // Host ports in use (framework HostPortInfo, set semantics), one column per (ip, protocol, port) and one
  // per (protocol, port) counting the IPs that use it on the node.
  usedPorts: Int32Array;
  private readonly portIpIds = new Map<string, number>([[BIND_ALL, 0]]);
  private readonly portCols = new Map<number, Int32Array>();
  private readonly portAnyCols = new Map<number, Int32Array>();

  // Image states (cache imageStates: name as the node status lists it → size of the first node that listed
  // it, and the number of nodes listing it), with one presence column per image name.
  private readonly imageIds = new Map<string, number>();
  readonly imageSize: number[] = [];
  readonly imageNumNodes: number[] = [];
  imageCols: Uint8Array[] = [];
  private nodeImages: Int32Array[] = [];

  /**
   * GPU devices per node (engine/gpu/cluster.ts, same rows as this table), kept only once a profile with GPU
   * plugins enabled it, so GPU-less runs pay nothing.
   */
  gpu: GpuCluster | null = null;

  private orderCache: Int32Array = new Int32Array(0);
  private orderDirty = false;
  private readonly removedRows = new Set<number>();
  private readonly zones: string[] = [];
  private readonly zoneMembers = new Map<string, number[]>();
  /** The NodeTree zone each row was added to. */
  private readonly rowZone: string[] = [];

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.allocCpu = sharedF64(initialCapacity);
    this.allocMem = sharedF64(initialCapacity);
    this.allocEph = sharedF64(initialCapacity);
    this.allocPods = sharedF64(initialCapacity);
    this.reqCpu = sharedF64(initialCapacity);
    this.reqMem = sharedF64(initialCapacity);
    this.reqEph = sharedF64(initialCapacity);
    this.nzCpu = sharedF64(initialCapacity);
    this.nzMem = sharedF64(initialCapacity);
    this.podCount = sharedF64(initialCapacity);
    this.unschedulable = sharedU8(initialCapacity);
    this.hardTaints = new Int32Array(initialCapacity);
    this.softTaints = new Int32Array(initialCapacity);
    this.usedPorts = new Int32Array(initialCapacity);
  }

  indexOf(name: string): number {
    return this.index.get(name) ?? -1;
  }

  /** Whether row i is a node present (not the tombstone of a deleted one): rows are never reused. */
  isLive(i: number): boolean {
    return this.removedRows.size === 0 || !this.removedRows.has(i);
  }

  /** Adds a node or, if present, refreshes its allocatable, flags, labels, taints and images. Returns its row. */
  upsert(node: Node): number {
    let i = this.index.get(node.metadata.name);
    let old: Node | undefined;
    if (i === undefined) {
      if (this.count === this.capacity) this.grow();
      i = this.count++;
      this.live++;
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
      this.rowZone.push(z);
      this.orderDirty = true;
      this.nodeTaints.push(NO_IDS);
      this.nodeImages.push(NO_IDS);
    } else {
      old = this.nodes[i];
      this.nodes[i] = node;
    }
    this.setLabels(i, old?.metadata.labels, node.metadata.labels);
    this.setTaints(i, old?.spec.taints, node.spec.taints);
    this.setImages(i, old?.status.images, node.status.images);
    const a = node.status.allocatable;
    this.allocCpu[i] = a[CPU] ?? 0;
    this.allocMem[i] = a[MEMORY] ?? 0;
    this.allocEph[i] = a[EPHEMERAL_STORAGE] ?? 0;
    this.allocPods[i] = a[PODS] ?? 0;
    const unschedulable = node.spec.unschedulable ? 1 : 0;
    this.unschedulableNodes += unschedulable - this.unschedulable[i];
    this.unschedulable[i] = unschedulable;
    for (const name in a) {
      if (name === CPU || name === MEMORY || name === EPHEMERAL_STORAGE || name === PODS) continue;
      this.scalarColumn(this.scalarAlloc, name)[i] = a[name];
    }
    if (this.gpu !== null) this.gpu.upsert(i, node);
    return i;
  }

  /** Starts keeping GPU devices (idempotent); rows already present start with their current requests and idle GPUs. */
  enableGpu(): void {
    if (this.gpu !== null) return;
    const g = new GpuCluster([], this.capacity);
    for (let i = 0; i < this.count; i++) {
      g.upsert(i, this.nodes[i]);
      g.cpuFree[i] -= this.reqCpu[i];
      g.memFree[i] -= this.reqMem[i];
      g.pods[i] += this.podCount[i];
    }
    this.gpu = g;
  }

  /** Takes (sign 1) or gives back (-1) the GPU devices a pod holds on row i. */
  accountGpu(i: number, grant: GpuGrant, sign: 1 | -1): void {
    this.gpu?.devices(i, grant.milli, grant.devices, grant.tag, sign);
  }

  /**
   * Removes a deleted node: out of the NodeTree order and the node count (the search never visits it again),
   * its labels, taints and images dropped. Returns its row, or -1 if unknown.
   */
  remove(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) return -1;
    this.index.delete(name);
    this.removedRows.add(i);
    this.live--;
    const z = this.rowZone[i];
    const members = this.zoneMembers.get(z) as number[];
    members.splice(members.indexOf(i), 1);
    if (members.length === 0) {
      this.zoneMembers.delete(z);
      this.zones.splice(this.zones.indexOf(z), 1);
    }
    this.orderDirty = true;
    const old = this.nodes[i];
    this.setLabels(i, old.metadata.labels, {});
    this.setTaints(i, old.spec.taints, []);
    this.setImages(i, old.status.images, []);
    // Nothing fits on the tombstone, should anything still point at its row.
    this.unschedulableNodes += 1 - this.unschedulable[i];
    this.unschedulable[i] = 1;
    this.allocCpu[i] = this.allocMem[i] = this.allocEph[i] = this.allocPods[i] = 0;
    return i;
  }

  /** Adds (sign 1) or removes (sign -1) a pod's requests and host ports on row i. */
  account(i: number, r: PodRequests, sign: 1 | -1, ports: readonly HostPort[] = NO_PORTS): void {
    if (ports.length > 0) this.accountPorts(i, ports, sign);
    this.reqCpu[i] += sign * r.cpu;
    this.reqMem[i] += sign * r.memory;
    this.reqEph[i] += sign * r.ephemeralStorage;
    this.nzCpu[i] += sign * r.nonZeroCpu;
    this.nzMem[i] += sign * r.nonZeroMemory;
    this.podCount[i] += sign;
    if (this.gpu !== null) this.gpu.resources(i, r.cpu, r.memory, sign);
    for (const name in r.scalars) this.scalarColumn(this.scalarReq, name)[i] += sign * r.scalars[name];
  }

  /** Label value ids of `key` per node, or undefined when no node ever had the key. */
  labelColumn(key: string): Int32Array | undefined {
    const id = this.labelKeyIds.get(key);
    return id === undefined ? undefined : this.labelCols[id];
  }

  /** Bumped whenever a node's labels are set (node added or relabeled): caches of label-derived data compare it. */
  labelVersion = 0;

  /** Id of a label value seen on some node, or 0. */
  labelValueId(value: string): number {
    return this.labelValueIds.get(value) ?? 0;
  }

  private setLabels(i: number, old: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): void {
    if (old === labels) return;
    this.labelVersion++;
    if (old !== undefined)
      for (const k in old) if (!Object.prototype.hasOwnProperty.call(labels, k)) this.labelCols[this.labelKeyIds.get(k) as number][i] = 0;
    for (const k in labels) {
      let kid = this.labelKeyIds.get(k);
      if (kid === undefined) {
        kid = this.labelCols.length;
        this.labelKeyIds.set(k, kid);
        this.labelCols.push(new Int32Array(this.capacity));
      }
      const v = labels[k];
      let vid = this.labelValueIds.get(v);
      if (vid === undefined) {
        vid = this.labelValueNum.length;
        this.labelValueIds.set(v, vid);
        this.labelValueNum.push(goInt(v));
      }
      this.labelCols[kid][i] = vid;
    }
  }

  private setTaints(i: number, old: readonly Taint[] | undefined, taints: readonly Taint[]): void {
    if (old === taints) return;
    if (this.hardTaints[i] > 0) this.hardTaintNodes--;
    if (this.softTaints[i] > 0) this.softTaintNodes--;
    let hard = 0;
    let soft = 0;
    const ids = taints.length === 0 ? NO_IDS : new Int32Array(taints.length);
    taints.forEach((taint, k) => {
      const key = `${taint.effect}\u0000${taint.key}\u0000${taint.value}`;
      let id = this.taintIds.get(key);
      if (id === undefined) {
        id = this.taints.length;
        this.taintIds.set(key, id);
        this.taints.push(taint);
      }
      ids[k] = id;
      if (isHardEffect(taint.effect)) hard++;
      else if (taint.effect === 'PreferNoSchedule') soft++;
    });
    this.nodeTaints[i] = ids;
    this.hardTaints[i] = hard;
    this.softTaints[i] = soft;
    if (hard > 0) this.hardTaintNodes++;
    if (soft > 0) this.softTaintNodes++;
  }

  /** Image id of a name some node lists (or listed), or -1. */
  imageId(name: string): number {
    return this.imageIds.get(name) ?? -1;
  }

  /** cache.removeNodeImageStates then addNodeImageStates (names as listed, not normalized). */
  private setImages(i: number, old: readonly ContainerImage[] | undefined, images: readonly ContainerImage[]): void {
    if (old === images) return;
    for (const id of this.nodeImages[i]) {
      this.imageCols[id][i] = 0;
      this.imageNumNodes[id]--;
    }
    const ids: number[] = [];
    for (const img of images) {
      for (const name of img.names) {
        let id = this.imageIds.get(name);
        if (id === undefined) {
          id = this.imageSize.length;
          this.imageIds.set(name, id);
          this.imageSize.push(0);
          this.imageNumNodes.push(0);
          this.imageCols.push(new Uint8Array(this.capacity));
        }
        if (this.imageCols[id][i] === 1) continue;
        // A state no node holds any more was deleted upstream; it is recreated with this node's size.
        if (this.imageNumNodes[id] === 0) this.imageSize[id] = img.sizeBytes;
        this.imageCols[id][i] = 1;
        this.imageNumNodes[id]++;
        ids.push(id);
      }
    }
    this.nodeImages[i] = ids.length === 0 ? NO_IDS : Int32Array.from(ids);
  }

  private accountPorts(i: number, ports: readonly HostPort[], sign: 1 | -1): void {
    for (const p of ports) {
      let ip = this.portIpIds.get(p.ip);
      if (ip === undefined) this.portIpIds.set(p.ip, (ip = this.portIpIds.size));
      const col = this.portColumnOf(this.portCols, portKey(ip, p.protocol, p.port));
      const any = this.portColumnOf(this.portAnyCols, portKey(0, p.protocol, p.port));
      if (sign === 1 && col[i] === 0) {
        col[i] = 1;
        any[i]++;
        this.usedPorts[i]++;
      } else if (sign === -1 && col[i] === 1) {
        col[i] = 0;
        any[i]--;
        this.usedPorts[i]--;
      }
    }
  }

  private portColumnOf(m: Map<number, Int32Array>, key: number): Int32Array {
    let col = m.get(key);
    if (col === undefined) m.set(key, (col = new Int32Array(this.capacity)));
    return col;
  }

  /**
   * Columns whose non-zero entry on a node means `p` conflicts there (HostPortInfo.CheckConflict): for
   * 0.0.0.0 any IP using (protocol, port); otherwise 0.0.0.0 or the same IP. Columns nobody uses are left out.
   */
  conflictColumns(p: HostPort, out: Int32Array[]): void {
    if (p.ip === BIND_ALL) {
      const any = this.portAnyCols.get(portKey(0, p.protocol, p.port));
      if (any !== undefined) out.push(any);
      return;
    }
    const all = this.portCols.get(portKey(0, p.protocol, p.port));
    if (all !== undefined) out.push(all);
    const ip = this.portIpIds.get(p.ip);
    const same = ip === undefined ? undefined : this.portCols.get(portKey(ip, p.protocol, p.port));
    if (same !== undefined) out.push(same);
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
    const order = sharedI32(this.live);
    let n = 0;
    for (let depth = 0; n < this.live; depth++) {
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
      const b = sharedF64(cap);
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
    const u = sharedU8(cap);
    u.set(this.unschedulable);
    this.unschedulable = u;
    for (const m of [this.scalarAlloc, this.scalarReq]) for (const [k, v] of m) m.set(k, g(v));
    const gi = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.hardTaints = gi(this.hardTaints);
    this.softTaints = gi(this.softTaints);
    this.usedPorts = gi(this.usedPorts);
    this.labelCols = this.labelCols.map(gi);
    for (const m of [this.portCols, this.portAnyCols]) for (const [k, v] of m) m.set(k, gi(v));
    this.imageCols = this.imageCols.map((a) => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    });
    this.capacity = cap;
  }
}

function portKey(ip: number, protocol: HostPort['protocol'], port: number): number {
  return (ip * 4 + PROTOCOL_INDEX[protocol]) * 65536 + port;
}
