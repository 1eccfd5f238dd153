/**
 * Node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go), taint-based eviction
 * mode (the only one since v1.27):
 *
 * - monitorNodeHealth every --node-monitor-period (5 s): a node whose Lease was not seen renewed for
 *   --node-monitor-grace-period (50 s since v1.32, 40 s before) gets Ready=Unknown ("Kubelet stopped posting
 *   node status"); the pass that writes it marks the node's pods not ready (MarkPodsNotReady). The probe time is
 *   when the controller *observed* a newer renewTime in its informer cache, not the renewTime itself.
 * - processTaintBaseEviction: from the next pass on (it acts on the Ready condition it read from its cache at
 *   the start of the pass), a node Unknown is queued in its zone's rate-limited queue; doNoExecuteTaintingPass
 *   (every 100 ms, NodeEvictionPeriod) adds node.kubernetes.io/unreachable:NoExecute to one node per token of the
 *   zone's limiter (--node-eviction-rate 0.1 node/s, burst 1). A node Ready again loses both NoExecute taints.
 * - doNoScheduleTaintingPass on every node event: the NoSchedule taints mirror the Ready condition
 *   (unreachable / not-ready) and spec.unschedulable (node.kubernetes.io/unschedulable).
 * - handleDisruption: per zone, FullDisruption (no Ready node) keeps the normal rate, PartialDisruption (more than
 *   2 not-ready nodes and ≥ --unhealthy-zone-threshold 55%) uses --secondary-node-eviction-rate 0.01 in zones
 *   larger than --large-cluster-size-threshold 50 nodes and stops tainting in smaller ones; when every zone is
 *   fully disrupted the controller assumes a control-plane network problem, untaints all nodes and stops.
 *
 * Simplified: Ready=False (kubelet reporting NotReady) never happens in the simulation, so only the
 * unreachable taint is used; node status heartbeats (nodeStatusReportFrequency 5 min) are not modeled, the Lease
 * is the only health signal; the monitor loop ticks at multiples of 5 s from t = 0, the tainting loop at
 * multiples of 100 ms plus 50 ms (only when some zone has queued nodes).
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../api/default-toleration-seconds.js';
import { keyOf, objectKey, NODE_LEASE_NAMESPACE, type Lease, type Node, type Taint, isTerminal } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_MS, MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { zoneKey } from '../scheduler/node-table.js';
import { type SharedInformer, type SharedPodInformer } from './shared-informer.js';
import { WorkQueue } from './work-queue.js';

export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
/** scheduler.NodeEvictionPeriod: how often doNoExecuteTaintingPass runs. */
export const NODE_EVICTION_PERIOD: Micros = 100 * MICROS_PER_MS;
/** nodeUpdateWorkerSize */
const NODE_UPDATE_WORKERS = 8;

export interface NodeLifecycleParams {
  readonly client: RateLimit;
  /** --node-monitor-period */
  readonly monitorPeriod: Micros;
  /** --node-monitor-grace-period */
  readonly gracePeriod: Micros;
  /** --node-eviction-rate (nodes tainted NoExecute per second per zone) */
  readonly evictionRate: number;
  /** --secondary-node-eviction-rate */
  readonly secondaryEvictionRate: number;
  /** --large-cluster-size-threshold */
  readonly largeClusterThreshold: number;
  /** --unhealthy-zone-threshold */
  readonly unhealthyZoneThreshold: number;
}

export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_NODE_UNREACHABLE, value: '', effect: 'NoExecute' };
const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NODE_NOT_READY, value: '', effect: 'NoExecute' };
const UNREACHABLE_NO_SCHEDULE: Taint = { key: TAINT_NODE_UNREACHABLE, value: '', effect: 'NoSchedule' };
const UNSCHEDULABLE_NO_SCHEDULE: Taint = { key: TAINT_NODE_UNSCHEDULABLE, value: '', effect: 'NoSchedule' };
/** taintKeyToNodeConditionMap keys plus the unschedulable taint: the NoSchedule taints this controller owns. */
const CONDITION_TAINT_KEYS = new Set([
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
  'node.kubernetes.io/network-unavailable',
  'node.kubernetes.io/memory-pressure',
  'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/pid-pressure',
  TAINT_NODE_UNSCHEDULABLE,
]);

type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

function hasTaint(taints: readonly Taint[], t: Taint): boolean {
  return taints.some((x) => x.key === t.key && x.effect === t.effect);
}

/**
 * client-go's token bucket as TryAccept sees it (flowcontrol.NewTokenBucketRateLimiter(qps, 1)): full at
 * start; qps 0 is NewFakeNeverRateLimiter.
 */
class EvictionLimiter {
  private tokens = 1;
  private last: Micros;

  constructor(
    readonly qps: number,
    now: Micros,
  ) {
    this.last = now;
  }

  private refill(now: Micros): void {
    if (now > this.last) {
      this.tokens = Math.min(1, this.tokens + ((now - this.last) * this.qps) / MICROS_PER_SECOND);
      this.last = now;
    }
  }

  tryAccept(now: Micros): boolean {
    if (this.qps <= 0) return false;
    this.refill(now);
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }

  /** Earliest time a token is available (Infinity for the never limiter). */
  availableAt(now: Micros): Micros {
    if (this.qps <= 0) return Infinity;
    this.refill(now);
    if (this.tokens >= 1 - 1e-9) return now;
    return this.last + Math.ceil(((1 - this.tokens) * MICROS_PER_SECOND) / this.qps);
  }
}

/**
 * scheduler.RateLimitedTimedQueue over a UniqueQueue: node names in insertion order, drained through the zone's
 * limiter. A processed name stays in the set (RemoveFromQueue), so the node is not queued again until
 * Remove — when it is Ready again, or found without its taint.
 */
class ZoneTainter {
  readonly queue: string[] = [];
  private readonly set = new Set<string>();
  limiter: EvictionLimiter;

  constructor(qps: number, now: Micros) {
    this.limiter = new EvictionLimiter(qps, now);
  }

  add(node: string): boolean {
    if (this.set.has(node)) return false;
    this.set.add(node);
    this.queue.push(node);
    return true;
  }

  remove(node: string): boolean {
    if (!this.set.delete(node)) return false;
    const i = this.queue.indexOf(node);
    if (i >= 0) this.queue.splice(i, 1);
    return true;
  }

  /** The next name to process, leaving it in the set. */
  take(): string {
    return this.queue.shift() as string;
  }

  /** SwapLimiter: a new bucket at the new rate, drained if the old one was exhausted (burst 1). */
  swapLimiter(qps: number, now: Micros): void {
    if (this.limiter.qps === qps) return;
    const next = new EvictionLimiter(qps, now);
    if (qps > 0 && !this.limiter.tryAccept(now)) next.tryAccept(now);
    this.limiter = next;
  }
}

interface Health {
  /** When the controller last observed a heartbeat (a newer lease). */
  probe: Micros;
  leaseRenew: Micros;
}

export class NodeLifecycleController {
  private readonly client: Client;
  private readonly health = new Map<string, Health>();
  private readonly zoneTainters = new Map<string, ZoneTainter>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly noSchedule: WorkQueue;
  private passArmed: Micros = Infinity;
  /** Nodes tainted NoExecute by the rate-limited pass (upstream's evictionsTotal metric). */
  nodesTainted = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    private readonly params: NodeLifecycleParams,
    private readonly nodes: SharedInformer<Node>,
    private readonly leases: SharedInformer<Lease>,
    private readonly pods: SharedPodInformer,
  ) {
    this.client = new Client('node-lifecycle-controller', params.client);
    this.noSchedule = new WorkQueue(NODE_UPDATE_WORKERS, (name, done) => this.doNoScheduleTaintingPass(name, done));
    nodes.addHandlers({
      add: (n) => this.noSchedule.add(n.metadata.name),
      update: (_o, n) => this.noSchedule.add(n.metadata.name),
    });
    // wait.UntilWithContext runs the first pass at once, then every period.
    this.sim.callAt(0, () => this.monitor());
  }

  private monitor(): void {
    this.monitorNodeHealth();
    this.sim.callAt(this.sim.now + this.params.monitorPeriod, () => this.monitor());
  }

  private monitorNodeHealth(): void {
    const now = this.sim.now;
    const zoneConditions = new Map<string, boolean[]>();
    const seen = new Set<string>();
    for (const node of this.nodes.cache.values()) {
      const name = node.metadata.name;
      seen.add(name);
      const zone = zoneKey(node.metadata.labels);
      if (!this.zoneStates.has(zone)) {
        // addPodEvictorForNewZone
        this.zoneStates.set(zone, 'Initial');
        this.zoneTainters.set(zone, new ZoneTainter(this.params.evictionRate, now));
      }
      let h = this.health.get(name);
      if (h === undefined) {
        // A newly observed node: "Missing timestamp for Node. Assuming now as a timestamp", and markNodeAsReachable.
        this.health.set(name, (h = { probe: now, leaseRenew: -Infinity }));
        this.markNodeAsReachable(node);
      }
      const lease = this.leases.cache.get(objectKey('Lease', NODE_LEASE_NAMESPACE, name));
      if (lease !== undefined && lease.spec.renewTime > h.leaseRenew) {
        h.leaseRenew = lease.spec.renewTime;
        h.probe = now;
      }
      const observedReady = node.status.ready;
      let currentReady = observedReady;
      if (now > h.probe + this.params.gracePeriod && observedReady) {
        currentReady = false;
        this.api.update(this.client, 'Node', keyOf(node), (cur) =>
          cur.kind === 'Node' && cur.status.ready ? { ...cur, status: { ...cur.status, ready: false } } : null,
        );
      }
      let conds = zoneConditions.get(zone);
      if (conds === undefined) zoneConditions.set(zone, (conds = []));
      conds.push(currentReady);
      this.processTaintBaseEviction(node, observedReady);
      if (!currentReady && observedReady) this.markPodsNotReady(name);
    }
    for (const name of [...this.health.keys()]) if (!seen.has(name)) this.health.delete(name);
    this.handleDisruption(zoneConditions);
    this.armPass();
  }

  private processTaintBaseEviction(node: Node, observedReady: boolean): void {
    const zone = this.zoneTainters.get(zoneKey(node.metadata.labels)) as ZoneTainter;
    if (!observedReady) {
      // markNodeForTainting (Unknown): requeue unless the taint is already there.
      if (!hasTaint(node.spec.taints, UNREACHABLE_NO_EXECUTE)) zone.remove(node.metadata.name);
      zone.add(node.metadata.name);
    } else this.markNodeAsReachable(node);
  }

  /** Removes the NoExecute taints (each only if present) and drops the node from its zone's queue. */
  private markNodeAsReachable(node: Node): void {
    if (hasTaint(node.spec.taints, UNREACHABLE_NO_EXECUTE) || hasTaint(node.spec.taints, NOT_READY_NO_EXECUTE)) {
      this.api.update(this.client, 'Node', keyOf(node), (cur) => {
        if (cur.kind !== 'Node') return null;
        const taints = cur.spec.taints.filter(
          (t) => !(t.effect === 'NoExecute' && (t.key === TAINT_NODE_UNREACHABLE || t.key === TAINT_NODE_NOT_READY)),
        );
        return taints.length === cur.spec.taints.length ? null : { ...cur, spec: { ...cur.spec, taints } };
      });
    }
    this.zoneTainters.get(zoneKey(node.metadata.labels))?.remove(node.metadata.name);
  }

  /** controllerutil.MarkPodsNotReady: the Ready condition of every pod on the node set to False. */
  private markPodsNotReady(node: string): void {
    for (const pod of this.pods.onNode(node)) {
      if (!pod.status.ready || isTerminal(pod)) continue;
      this.api.update(this.client, 'Pod', keyOf(pod), (cur) =>
        cur.kind === 'Pod' && cur.spec.nodeName === node && cur.status.ready ? { ...cur, status: { ...cur.status, ready: false } } : null,
      );
    }
  }

  private handleDisruption(zoneConditions: Map<string, boolean[]>): void {
    const now = this.sim.now;
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conds] of zoneConditions) {
      const state = computeZoneState(conds, this.params.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newStates.set(zone, state);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') {
        allWasFullyDisrupted = false;
        break;
      }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    if (allAreFullyDisrupted) {
      // "Controller detected that all Nodes are not-Ready. Entering master disruption mode."
      for (const node of this.nodes.cache.values()) this.markNodeAsReachable(node);
      for (const zone of this.zoneStates.keys()) {
        this.zoneTainters.get(zone)?.swapLimiter(0, now);
        this.zoneStates.set(zone, 'FullDisruption');
      }
      return;
    }
    if (allWasFullyDisrupted) {
      // Exiting master disruption mode: every node gets a fresh probe time.
      for (const h of this.health.values()) h.probe = now;
      for (const zone of this.zoneStates.keys()) {
        this.setLimiterInZone(zone, zoneConditions.get(zone)?.length ?? 0, newStates.get(zone) as ZoneState);
        this.zoneStates.set(zone, newStates.get(zone) as ZoneState);
      }
      return;
    }
    for (const [zone, state] of this.zoneStates) {
      const next = newStates.get(zone) as ZoneState;
      if (state === next) continue;
      this.setLimiterInZone(zone, zoneConditions.get(zone)?.length ?? 0, next);
      this.zoneStates.set(zone, next);
    }
  }

  private setLimiterInZone(zone: string, size: number, state: ZoneState): void {
    const t = this.zoneTainters.get(zone);
    if (t === undefined) return;
    const now = this.sim.now;
    if (state === 'Normal' || state === 'FullDisruption') t.swapLimiter(this.params.evictionRate, now);
    else if (state === 'PartialDisruption')
      t.swapLimiter(size > this.params.largeClusterThreshold ? this.params.secondaryEvictionRate : 0, now);
  }

  /** Schedules doNoExecuteTaintingPass at the first 100 ms tick at which some zone's queue can take a token. */
  private armPass(): void {
    const now = this.sim.now;
    let at = Infinity;
    for (const t of this.zoneTainters.values()) if (t.queue.length > 0) at = Math.min(at, t.limiter.availableAt(now));
    if (at === Infinity) return;
    // Ticks at k·100 ms + 50 ms: the two loops run independently upstream; a common phase would make every token
    // fall on a monitor pass, which would then re-queue the node just tainted (its taint not yet in the cache).
    const phase = NODE_EVICTION_PERIOD / 2;
    at = Math.ceil((Math.max(at, now) - phase) / NODE_EVICTION_PERIOD) * NODE_EVICTION_PERIOD + phase;
    if (at >= this.passArmed) return;
    this.passArmed = at;
    this.sim.callAt(at, () => {
      if (this.passArmed !== at) return;
      this.passArmed = Infinity;
      this.doNoExecuteTaintingPass();
    });
  }

  private doNoExecuteTaintingPass(): void {
    const now = this.sim.now;
    for (const t of this.zoneTainters.values()) {
      while (t.queue.length > 0) {
        if (!t.limiter.tryAccept(now)) break;
        const name = t.take();
        const node = this.nodes.cache.get(objectKey('Node', '', name));
        // Gone, or Ready again: nothing to taint.
        if (node === undefined || node.status.ready) continue;
        this.nodesTainted++;
        this.api.update(this.client, 'Node', keyOf(node), (cur) => {
          if (cur.kind !== 'Node') return null;
          // SwapNodeControllerTaint: unreachable in, not-ready out (they mirror Ready=Unknown / False); no write
          // when that is already so (AddOrUpdateTaintOnNode).
          if (hasTaint(cur.spec.taints, UNREACHABLE_NO_EXECUTE) && !hasTaint(cur.spec.taints, NOT_READY_NO_EXECUTE)) return null;
          const kept = cur.spec.taints.filter(
            (x) => !(x.effect === 'NoExecute' && (x.key === TAINT_NODE_NOT_READY || x.key === TAINT_NODE_UNREACHABLE)),
          );
          return { ...cur, spec: { ...cur.spec, taints: [...kept, { ...UNREACHABLE_NO_EXECUTE }] } };
        });
      }
    }
    this.sim.callAt(now + 1, () => this.armPass());
  }

  /** NoSchedule taints mirror the Ready condition and spec.unschedulable. */
  private doNoScheduleTaintingPass(name: string, done: () => void): void {
    const node = this.nodes.cache.get(objectKey('Node', '', name));
    if (node === undefined) return done();
    const want: Taint[] = [];
    if (!node.status.ready) want.push(UNREACHABLE_NO_SCHEDULE);
    if (node.spec.unschedulable) want.push(UNSCHEDULABLE_NO_SCHEDULE);
    const have = node.spec.taints.filter((t) => t.effect === 'NoSchedule' && CONDITION_TAINT_KEYS.has(t.key));
    const same = want.length === have.length && want.every((w) => hasTaint(have, w));
    if (same) return done();
    this.api.update(
      this.client,
      'Node',
      keyOf(node),
      (cur) => {
        if (cur.kind !== 'Node') return null;
        const kept = cur.spec.taints.filter((t) => !(t.effect === 'NoSchedule' && CONDITION_TAINT_KEYS.has(t.key)));
        return { ...cur, spec: { ...cur.spec, taints: [...kept, ...want.map((w) => ({ ...w }))] } };
      },
      () => done(),
    );
  }
}

/** ComputeZoneState over the zone's Ready conditions (true = Ready). */
export function computeZoneState(ready: readonly boolean[], unhealthyThreshold: number): ZoneState {
  let readyNodes = 0;
  let notReady = 0;
  for (const r of ready)
    if (r) readyNodes++;
    else notReady++;
  if (readyNodes === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (notReady + readyNodes) >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}
