/**
 * The structured-parameters allocator (k8s.io/dynamic-resource-allocation/structured, allocator.go Allocate, pools.go
 * GatherPools) for the subset of resource.k8s.io/v1 kubesim models: exact requests with a device class, CEL-free
 * selectors (selector.ts), allocationMode ExactCount or All; no constraints, subrequests (firstAvailable), admin
 * access, taints, partitionable devices or consumable capacity (the parser refuses those).
 *
 * For one node: the pools whose slices are usable there (nodeName = the node, a nodeSelector matching it, or
 * allNodes), each at its newest generation (an incomplete pool, with fewer slices than it announces, is not used;
 * a pool listing a device twice fails the allocation), in the order upstream iterates them (sorted by driver, then pool name;
 * devices in slice order); then every request of every claim, in claim and request order, takes devices that
 * match its class's and its own selectors and are not allocated (by another claim, an allocation in flight, or an
 * earlier request of the same pod), searching with backtracking as allocator.go allocateOne does, so the first
 * solution in that order is the one returned. All-or-nothing: one AllocationResult per claim, or null.
 */
import type {
  AllocationResult,
  Device,
  DeviceClass,
  DeviceRequestAllocationResult,
  Node,
  NodeSelector,
  ResourceClaimSpec,
  ResourceSlice,
} from '../../../api/objects.js';
import { requirementMatches, requirementParses } from '../../../api/node-selector.js';
import { compileSelector, type CompiledSelector } from './selector.js';

/** A claim the scheduler must allocate (no status.allocation yet). */
export interface ClaimToAllocate {
  readonly key: string;
  readonly spec: ResourceClaimSpec;
}

/** `<driver>/<pool>/<device>`: a device's identity (structured.DeviceID). */
export function deviceId(driver: string, pool: string, device: string): string {
  return `${driver}/${pool}/${device}`;
}

/** One usable device of a gathered pool. */
interface Candidate {
  readonly id: string;
  readonly driver: string;
  readonly pool: string;
  readonly device: Device;
  /** Where its slice is usable: the node alone (node-local), a selector, or every node (null). */
  readonly local: boolean;
  readonly selector: NodeSelector | null;
}

interface Pool {
  readonly driver: string;
  readonly name: string;
  readonly slices: ResourceSlice[];
  /** Fewer slices of the newest generation than pool.resourceSliceCount: being updated (pools.go IsIncomplete). */
  incomplete: boolean;
  /** A device name twice in the pool (pools.go IsInvalid: e.g. duplicated slices). */
  invalid: boolean;
}

/** nodeaffinity.NodeSelector.Match on one Node (terms ORed; an empty term matches nothing). */
export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  return sel.nodeSelectorTerms.some(
    (t) =>
      (t.matchExpressions.length > 0 || t.matchFields.length > 0) &&
      t.matchExpressions.every((e) => requirementParses(e) && requirementMatches(e, node.metadata.labels)) &&
      t.matchFields.every((e) => requirementMatches(e, { 'metadata.name': node.metadata.name })),
  );
}

const selectorCache = new Map<string, CompiledSelector>();

/** The compiled selector of an expression (the loader has already refused any outside the subset). */
export function selectorOf(expression: string): CompiledSelector {
  let s = selectorCache.get(expression);
  if (s === undefined) selectorCache.set(expression, (s = compileSelector(expression)));
  return s;
}

/** One request's slots: ExactCount asks `count` devices, All every matching device of the node. */
interface Slot {
  readonly claim: number;
  readonly request: string;
  readonly matches: (c: Candidate) => boolean;
}

export class Allocator {
  /** Node name → its node-local slices; the slices usable from several nodes apart. */
  private readonly local = new Map<string, ResourceSlice[]>();
  private readonly shared: ResourceSlice[] = [];

  constructor(
    readonly claims: readonly ClaimToAllocate[],
    private readonly classes: (name: string) => DeviceClass | undefined,
    slices: Iterable<ResourceSlice>,
    /** Devices allocated to claims, or in flight (assumed at Reserve, not yet written). */
    private readonly allocated: ReadonlySet<string>,
  ) {
    for (const s of slices) {
      if (s.spec.nodeName !== '') {
        let l = this.local.get(s.spec.nodeName);
        if (l === undefined) this.local.set(s.spec.nodeName, (l = []));
        l.push(s);
      } else this.shared.push(s);
    }
  }

  /** The pools usable on `node`, newest generation only, sorted by driver and pool name (pools.go GatherPools). */
  private pools(node: Node): Pool[] {
    const byKey = new Map<string, Pool>();
    const add = (s: ResourceSlice): void => {
      const key = `${s.spec.driver}\u0000${s.spec.pool.name}`;
      let p = byKey.get(key);
      if (p === undefined)
        byKey.set(key, (p = { driver: s.spec.driver, name: s.spec.pool.name, slices: [], incomplete: false, invalid: false }));
      const gen = p.slices.length === 0 ? -1 : p.slices[0].spec.pool.generation;
      if (s.spec.pool.generation > gen) p.slices.length = 0;
      if (s.spec.pool.generation >= gen) p.slices.push(s);
    };
    for (const s of this.local.get(node.metadata.name) ?? []) add(s);
    for (const s of this.shared)
      if (s.spec.allNodes || (s.spec.nodeSelector !== undefined && nodeSelectorMatches(s.spec.nodeSelector, node))) add(s);
    const pools = [...byKey.values()];
    for (const p of pools) {
      p.slices.sort((a, b) => cmp(a.metadata.name, b.metadata.name));
      p.incomplete = p.slices.length < p.slices[0].spec.pool.resourceSliceCount;
      const names = new Set<string>();
      for (const sl of p.slices)
        for (const d of sl.spec.devices) {
          if (names.has(d.name)) p.invalid = true;
          names.add(d.name);
        }
    }
    return pools.sort((a, b) => cmp(a.driver, b.driver) || cmp(a.name, b.name));
  }

  /** Allocate every claim on `node`: one result per claim (in claim order), or null when some request cannot be met. */
  allocate(node: Node): AllocationResult[] | null {
    const pools = this.pools(node);
    // allocator.go: invalid pools are an error (the Filter fails); an incomplete pool's devices are not used.
    if (pools.some((p) => p.invalid)) return null;
    const candidates: Candidate[] = [];
    for (const p of pools)
      if (!p.incomplete)
        for (const s of p.slices)
          for (const device of s.spec.devices)
            candidates.push({
              id: deviceId(p.driver, p.name, device.name),
              driver: p.driver,
              pool: p.name,
              device,
              local: s.spec.nodeName !== '',
              selector: s.spec.nodeSelector ?? null,
            });
    const slots: Slot[] = [];
    const chosen: Candidate[] = [];
    const taken = new Set<string>();
    // All-mode requests take every matching device at once (they leave nothing to search over).
    const fixed: { slot: Slot; c: Candidate }[] = [];
    for (let ci = 0; ci < this.claims.length; ci++) {
      for (const r of this.claims[ci].spec.requests) {
        const cls = this.classes(r.deviceClassName);
        if (cls === undefined) return null;
        const sels = [...cls.spec.selectors, ...r.selectors].map((s) => selectorOf(s.expression));
        const matches = (c: Candidate): boolean => sels.every((f) => f(c.device, c.driver));
        const slot: Slot = { claim: ci, request: r.name, matches };
        if (r.allocationMode === 'All') {
          // allocator.go: every matching device of the node's pools, all of them free; none at all fails too.
          if (pools.some((p) => p.incomplete)) return null;
          const all = candidates.filter(matches);
          if (all.length === 0) return null;
          for (const c of all) {
            if (this.allocated.has(c.id) || taken.has(c.id)) return null;
            taken.add(c.id);
            fixed.push({ slot, c });
          }
          continue;
        }
        for (let k = 0; k < r.count; k++) slots.push(slot);
      }
    }
    if (!this.search(slots, 0, 0, candidates, taken, chosen)) return null;
    const results: DeviceRequestAllocationResult[][] = this.claims.map(() => []);
    const where: Candidate[][] = this.claims.map(() => []);
    const picks = [...fixed, ...slots.map((slot, i) => ({ slot, c: chosen[i] }))];
    // Results in request order within each claim (All requests were gathered in that order too).
    const order = new Map<Slot, number>();
    for (const p of picks) if (!order.has(p.slot)) order.set(p.slot, order.size);
    for (const ci of this.claims.keys()) {
      const reqOrder = this.claims[ci].spec.requests.map((r) => r.name);
      const mine = picks
        .filter((p) => p.slot.claim === ci)
        .sort((a, b) => reqOrder.indexOf(a.slot.request) - reqOrder.indexOf(b.slot.request));
      for (const p of mine) {
        results[ci].push({ request: p.slot.request, driver: p.c.driver, pool: p.c.pool, device: p.c.device.name });
        where[ci].push(p.c);
      }
    }
    return results.map((devices, ci) => {
      const sel = allocationNodeSelector(where[ci], node.metadata.name);
      return sel === undefined ? { devices } : { devices, nodeSelector: sel };
    });
  }

  /**
   * Depth-first over the slots: slot i takes the first free matching device, the next slots search on, and on
   * failure it tries the following device (allocator.go allocateOne's backtracking). Slots of one request take
   * devices in increasing candidate order (the same sets without their permutations).
   */
  private search(
    slots: readonly Slot[],
    i: number,
    from: number,
    cands: readonly Candidate[],
    taken: Set<string>,
    chosen: Candidate[],
  ): boolean {
    if (i === slots.length) return true;
    const slot = slots[i];
    for (let k = from; k < cands.length; k++) {
      const c = cands[k];
      if (this.allocated.has(c.id) || taken.has(c.id) || !slot.matches(c)) continue;
      taken.add(c.id);
      chosen[i] = c;
      const nextFrom = i + 1 < slots.length && slots[i + 1] === slot ? k + 1 : 0;
      if (this.search(slots, i + 1, nextFrom, cands, taken, chosen)) return true;
      taken.delete(c.id);
    }
    return false;
  }
}

/**
 * allocator.go createNodeSelector: devices of node-local slices pin the claim to the node (metadata.name); devices
 * of a slice with a node selector carry that selector; devices available on all nodes add nothing (nil = any node).
 */
function allocationNodeSelector(devices: readonly Candidate[], nodeName: string): NodeSelector | undefined {
  if (devices.some((d) => d.local))
    return { nodeSelectorTerms: [{ matchExpressions: [], matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  const sel = devices.find((d) => d.selector !== null)?.selector;
  return sel ?? undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
