/**
 * The DynamicResources scheduler plugin (pkg/scheduler/framework/plugins/dynamicresources/dynamicresources.go,
 * v1.34, structured parameters) for the resource.k8s.io/v1 subset kubesim models:
 *
 * - PreEnqueue: a pod waits outside the queue until every claim it names exists (and a template's claim is owned
 *   by it: foreachPodResourceClaim);
 * - PreFilter: the pod's claims; one in use by 256 pods, being deleted, or being allocated for another pod, or a
 *   request naming a DeviceClass that does not exist, rejects the pod for every node (UnschedulableAndUnresolvable,
 *   statusUnschedulable); the allocator (allocator.ts) is set up over the ResourceSlices with every allocated or
 *   in-flight device taken;
 * - Filter: an allocated claim's nodeSelector must match the node ("resourceclaim not available on the node"); the
 *   unallocated claims must all be allocatable there ("cannot allocate all claims"), the result kept per node;
 * - Reserve: the chosen node's allocation is assumed (in flight: later cycles see its devices taken); Unreserve
 *   drops it;
 * - PreBind: each claim not yet reserved for the pod gets status.allocation (when the scheduler allocated it) and the
 *   pod in status.reservedFor, one UpdateStatus per claim in order (bindClaim);
 * - EventsToRegister / QueueingHint: ./events.ts, under the rejector bit DYNAMIC_RESOURCES.
 *
 * Deallocation when the pod finishes is the resource-claim controller's (engine/controllers/resource-claim.ts).
 * The plugin holds the scheduler's listers and the in-flight allocations; its per-cycle state is that of the cycle
 * being run (one at a time), kept between prepare() and filter()/reserve().
 */
import type { AllocationResult, DeviceClass, NodeSelector, Pod, ResourceClaim, ResourceSlice } from '../../../api/objects.js';
import { canBeReserved, claimNameOf, isClaimForPod, isReservedForPod } from '../../../api/resource-claim.js';
import { CONFLICT } from '../../../api/api-server.js';
import type { NodeTable } from '../../node-table.js';
import { Allocator, deviceId, nodeSelectorMatches, type ClaimToAllocate } from './allocator.js';

export const NAME = 'DynamicResources';
/** Filter reasons (dynamicresources.go). */
export const REASON_CANNOT_ALLOCATE = 'cannot allocate all claims';
export const REASON_NOT_ON_NODE = 'resourceclaim not available on the node';
export const REASON_IN_USE = 'resourceclaim in use';

/** What the plugin reads of the cluster (the scheduler's informer caches). */
export interface DraListers {
  claim(namespace: string, name: string): ResourceClaim | undefined;
  claims(): Iterable<ResourceClaim>;
  deviceClass(name: string): DeviceClass | undefined;
  slices(): Iterable<ResourceSlice>;
}

/** A pod's claims as Reserve assumed them: what PreBind writes. */
export interface DraReservation {
  readonly pod: Pod;
  /** Claims not yet reserved for the pod, with the allocation the scheduler made (null: already allocated). */
  readonly claims: readonly { readonly namespace: string; readonly name: string; readonly allocation: AllocationResult | null }[];
}

/** The per-cycle input: the plugin and the pod (PodInput.dra). */
export interface DraCycleInput {
  readonly plugin: DynamicResources;
  readonly pod: Pod;
}

function claimKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class DynamicResources {
  /** SignalClaimPendingAllocation: claim key → the allocation assumed at Reserve, until the informer shows it. */
  private readonly inFlight = new Map<string, { allocation: AllocationResult; pod: string }>();
  /** Reservations waiting for PreBind, by pod key. */
  private readonly reserved = new Map<string, DraReservation>();
  // ---- the current cycle (PreFilter state)
  private pod: Pod | null = null;
  private claims: ResourceClaim[] = [];
  /** Per claim: the nodeSelector of its allocation (allocated claims), else undefined. */
  private availableOn: (NodeSelector | undefined)[] = [];
  private allocator: Allocator | null = null;
  private table: NodeTable | null = null;
  /** nodeAllocations: Filter's results per node row. */
  private readonly nodeAllocations = new Map<number, AllocationResult[]>();

  constructor(private readonly listers: DraListers) {}

  /** The pod's claims in spec order, or the reason it cannot be scheduled now (foreachPodResourceClaim). */
  private podClaims(pod: Pod): ResourceClaim[] | string {
    const out: ResourceClaim[] = [];
    for (const entry of pod.spec.resourceClaims ?? []) {
      const { name, mustCheckOwner } = claimNameOf(pod, entry);
      const claim = this.listers.claim(pod.metadata.namespace, name);
      if (claim === undefined) return `resourceclaim.resource.k8s.io "${name}" not found`;
      if (claim.metadata.deletionTimestamp !== undefined) return `resourceclaim "${name}" is being deleted`;
      if (mustCheckOwner && !isClaimForPod(claim, pod))
        return `ResourceClaim ${pod.metadata.namespace}/${name} was not created for pod ${pod.metadata.namespace}/${pod.metadata.name} (pod is not owner)`;
      out.push(claim);
    }
    return out;
  }

  /** PreEnqueue: null when the pod may enter the queue, else why not. */
  preEnqueue(pod: Pod): string | null {
    const c = this.podClaims(pod);
    return typeof c === 'string' ? c : null;
  }

  /**
   * PreFilter for this cycle: false = Skip (no claims), true = Filter has work, a string = the pod is rejected
   * for every node with that message.
   */
  prepare(pod: Pod, t: NodeTable): boolean | string {
    this.pod = pod;
    this.table = t;
    this.allocator = null;
    this.nodeAllocations.clear();
    const claims = this.podClaims(pod);
    if (typeof claims === 'string') return claims;
    this.claims = claims;
    if (claims.length === 0) return false;
    this.availableOn = [];
    const toAllocate: ClaimToAllocate[] = [];
    for (const claim of claims) {
      const key = claimKey(claim.metadata.namespace, claim.metadata.name);
      const alloc = claim.status.allocation;
      if (alloc !== undefined && !canBeReserved(claim) && !isReservedForPod(claim, pod)) return REASON_IN_USE;
      if (alloc !== undefined) {
        this.availableOn.push(alloc.nodeSelector);
        continue;
      }
      this.availableOn.push(undefined);
      const pending = this.inFlight.get(key);
      if (pending !== undefined) return `resource claim ${key} is in the process of being allocated`;
      for (const r of claim.spec.requests)
        if (this.listers.deviceClass(r.deviceClassName) === undefined)
          return `request ${r.name}: device class ${r.deviceClassName} does not exist`;
      toAllocate.push({ key, spec: claim.spec });
    }
    if (toAllocate.length > 0)
      this.allocator = new Allocator(toAllocate, (n) => this.listers.deviceClass(n), this.listers.slices(), this.allocatedDevices());
    return true;
  }

  /** ListAllAllocatedDevices: the devices of every allocated claim and of every allocation in flight. */
  private allocatedDevices(): Set<string> {
    const out = new Set<string>();
    const add = (a: AllocationResult): void => {
      for (const d of a.devices) out.add(deviceId(d.driver, d.pool, d.device));
    };
    for (const c of this.listers.claims()) if (c.status.allocation !== undefined) add(c.status.allocation);
    for (const f of this.inFlight.values()) add(f.allocation);
    return out;
  }

  /** Filter on node row i: null when it passes, else the reason (UnschedulableAndUnresolvable). */
  filter(i: number): string | null {
    const t = this.table as NodeTable;
    const node = t.nodes[i];
    for (const sel of this.availableOn) if (sel !== undefined && !nodeSelectorMatches(sel, node)) return REASON_NOT_ON_NODE;
    if (this.allocator === null) return null;
    const hit = this.nodeAllocations.get(i);
    if (hit !== undefined) return null;
    const a = this.allocator.allocate(node);
    if (a === null) return REASON_CANNOT_ALLOCATE;
    this.nodeAllocations.set(i, a);
    return null;
  }

  /**
   * Reserve for the cycle's pod on row i: assumes the allocations (in flight) and keeps the reservation for PreBind.
   * False when the node can no longer serve the claims (the cycle fails).
   */
  reserve(podKey: string, forPod: Pod, i: number): boolean {
    const pod = this.pod;
    // Nothing prepared for this pod (its profile does not run the plugin) or no claims: nothing to reserve.
    if (pod === null || pod !== forPod || this.claims.length === 0) return true;
    let allocs: AllocationResult[] | null = null;
    if (this.allocator !== null) {
      allocs = this.nodeAllocations.get(i) ?? this.allocator.allocate((this.table as NodeTable).nodes[i]);
      if (allocs === null) return false;
    }
    const out: { namespace: string; name: string; allocation: AllocationResult | null }[] = [];
    let k = 0;
    for (const claim of this.claims) {
      const ns = claim.metadata.namespace;
      const name = claim.metadata.name;
      if (claim.status.allocation !== undefined) {
        if (!isReservedForPod(claim, pod)) out.push({ namespace: ns, name, allocation: null });
        continue;
      }
      const allocation = (allocs as AllocationResult[])[k++];
      this.inFlight.set(claimKey(ns, name), { allocation, pod: podKey });
      out.push({ namespace: ns, name, allocation });
    }
    this.reserved.set(podKey, { pod, claims: out });
    this.pod = null;
    return true;
  }

  /** Unreserve: the pod's in-flight allocations are dropped (RemoveClaimPendingAllocation) with its reservation. */
  unreserve(podKey: string): void {
    this.reserved.delete(podKey);
    for (const [k, f] of this.inFlight) if (f.pod === podKey) this.inFlight.delete(k);
  }

  /** The reservation PreBind writes for the pod (null: the pod has no claims to write). */
  reservation(podKey: string): DraReservation | null {
    const r = this.reserved.get(podKey);
    this.reserved.delete(podKey);
    return r === undefined || r.claims.length === 0 ? null : r;
  }

  /** The claim informer saw an update: an allocation written by PreBind is no longer in flight. */
  claimChanged(claim: ResourceClaim): void {
    if (claim.status.allocation !== undefined) this.inFlight.delete(claimKey(claim.metadata.namespace, claim.metadata.name));
  }

  /**
   * bindClaim's status update for one claim: allocation (if the scheduler made one) and the pod added to reservedFor;
   * null (nothing to write) when the pod is already in reservedFor; CONFLICT (a failed update) when the claim is
   * being deleted or got allocated elsewhere meanwhile.
   */
  static bindClaim(cur: ResourceClaim, pod: Pod, allocation: AllocationResult | null): ResourceClaim | null | typeof CONFLICT {
    if (cur.metadata.deletionTimestamp !== undefined) return CONFLICT;
    if (isReservedForPod(cur, pod)) return null;
    if (allocation !== null && cur.status.allocation !== undefined) return CONFLICT;
    const reservedFor = [...cur.status.reservedFor, { name: pod.metadata.name, uid: pod.metadata.uid }];
    return { ...cur, status: { allocation: allocation ?? cur.status.allocation, reservedFor } };
  }
}
