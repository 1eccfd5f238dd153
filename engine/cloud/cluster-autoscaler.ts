/**
 * Cluster autoscaler (kubernetes/autoscaler cluster-autoscaler, core/static_autoscaler.go RunOnce) over the
 * scenario's autoscaled node pools (node groups with min/max). Every --scan-interval (10 s):
 *
 * Scale-up. Pods the scheduler marked unschedulable (PodScheduled=False) are first fitted into the free room of
 * existing ready nodes (filterOutSchedulable: the scheduler just has not got to them) and of nodes already
 * requested but not registered yet (upcoming nodes). For what is left, each group below its max estimates with
 * the binpacking estimator how many new nodes of its template the pods need (first fit, pods in decreasing
 * size); the expander picks one option (--expander: random by default; least-waste, most-pods) and the group's
 * target grows by its node count. Each new machine registers, Ready, after a provisioning delay.
 *
 * Scale-down. A node of an autoscaled group whose requested cpu and memory are both below
 * --scale-down-utilization-threshold (50%) of allocatable, whose pods all have a controller (or the
 * cluster-autoscaler.kubernetes.io/safe-to-evict annotation) and fit on the other nodes, is unneeded; unneeded
 * for --scale-down-unneeded-time (10 min) it is removed, groups never going below their min. Nothing is removed
 * within --scale-down-delay-after-add (10 min) of a scale-up or within a scan interval of a removal. Empty nodes
 * go in bulk (--max-empty-bulk-delete 10), at most one non-empty node is drained at a time: tainted
 * ToBeDeletedByClusterAutoscaler:NoSchedule, its pods deleted through the API (their controllers replace them),
 * then the machine is terminated and its Node deleted.
 *
 * PodDisruptionBudgets (when the scenario has any): a node whose pods would take more disruptions than a
 * budget still allows is not removable (RemainingPdbTracker, budgets shared by the nodes of one pass), and the
 * drain evicts through the Eviction API, retrying a refused eviction every 10 s for at most 2 minutes, after
 * which the drain fails and the node is untainted and kept.
 *
 * DaemonSets: a template node's room is reduced by the DaemonSet pods that would run on it; pending DaemonSet
 * pods never trigger a scale-up; DaemonSet pods count in a node's utilization but are not drained (they go with
 * the Node, through the pod garbage collector).
 *
 * Defaults: cluster-autoscaler FAQ "What are the parameters to CA?"; client 5 qps / 10 burst (client-go
 * defaults, --kube-client-qps/--kube-client-burst). Simplified: predicates checked are resources, pod count,
 * nodeSelector, required node affinity, taints and unschedulable (no inter-pod affinity, topology spread or
 * volumes); pod deletion is immediate; no scale-up backoff or max-node-provision-time.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { keyOf, isTerminal, type DaemonSet, type Node, type Pod, type PodDisruptionBudget, type Taint } from '../api/objects.js';
import { budgetSelects } from '../api/eviction.js';
import { Informer } from '../api/informer.js';
import { daemonTemplateSpec, isDaemonSetPod, nodeShouldRunDaemonPod } from '../controllers/daemon-pod.js';
import { requiredNodeAffinityMatches } from '../api/node-selector.js';
import { CPU, MEMORY, PODS, EPHEMERAL_STORAGE, podRequests, type PodRequests } from '../api/pod-resources.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { sample, type Distribution } from '../core/distribution.js';
import type { RngStream } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import type { Micros } from '../core/time.js';
import { SharedInformer, SharedPodInformer } from '../controllers/shared-informer.js';
import { firstUntolerated } from '../scheduler/plugins/taint-toleration.js';
import { toleratesUnschedulable } from '../scheduler/plugins/node-unschedulable.js';

export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';

export type Expander = 'random' | 'least-waste' | 'most-pods';

export interface AutoscalerParams {
  readonly scanInterval: Micros;
  /** Time from the scale-up request to the node registering Ready (cloud VM creation + boot + kubelet). */
  readonly provisioningDelay: Distribution;
  readonly expander: Expander;
  readonly scaleDownEnabled: boolean;
  readonly scaleDownUnneededTime: Micros;
  readonly scaleDownDelayAfterAdd: Micros;
  readonly scaleDownUtilizationThreshold: number;
  readonly maxEmptyBulkDelete: number;
  readonly client: RateLimit;
}

/** A node group: the pool's template, its size limits and what the autoscaler asked of it. */
export interface NodeGroup {
  readonly pool: string;
  readonly min: number;
  readonly max: number;
  /** The template node of the group (labels, taints, allocatable), as node i would be. */
  readonly template: (i: number) => Node;
  /** Index of the next node to create (names `<pool>-<index>`). */
  nextIndex: number;
}

/** The cloud provider as the autoscaler drives it. */
export interface CloudProvider {
  /** Creates a machine of the group; it registers its Node when ready. */
  createNode(group: NodeGroup, node: Node): void;
  /** Terminates the machine and deletes its Node. */
  deleteNode(name: string): void;
}

export interface AutoscalerObserver {
  scaledUp(group: string, count: number): void;
  scaledDown(node: string, empty: boolean): void;
}

/** Free room on one node (or a template) during a simulation pass. */
interface Room {
  readonly name: string;
  readonly node: Node;
  cpu: number;
  mem: number;
  eph: number;
  pods: number;
  readonly scalars: Record<string, number>;
}

function roomOf(node: Node, used: PodRequests[]): Room {
  const a = node.status.allocatable;
  const r: Room = {
    name: node.metadata.name,
    node,
    cpu: a[CPU] ?? 0,
    mem: a[MEMORY] ?? 0,
    eph: a[EPHEMERAL_STORAGE] ?? 0,
    pods: a[PODS] ?? 0,
    scalars: {},
  };
  for (const k in a) if (k !== CPU && k !== MEMORY && k !== EPHEMERAL_STORAGE && k !== PODS) r.scalars[k] = a[k];
  for (const u of used) take(r, u);
  return r;
}

function take(r: Room, q: PodRequests): void {
  r.cpu -= q.cpu;
  r.mem -= q.memory;
  r.eph -= q.ephemeralStorage;
  r.pods -= 1;
  for (const k in q.scalars) r.scalars[k] = (r.scalars[k] ?? 0) - q.scalars[k];
}

/** The scheduler's predicates the autoscaler's simulation checks: does the pod fit in this room? */
export function fits(pod: Pod, q: PodRequests, r: Room): boolean {
  if (r.pods < 1 || q.cpu > r.cpu || q.memory > r.mem || q.ephemeralStorage > r.eph) return false;
  for (const k in q.scalars) if (q.scalars[k] > 0 && q.scalars[k] > (r.scalars[k] ?? 0)) return false;
  const n = r.node;
  if (!requiredNodeAffinityMatches(pod.spec, n)) return false;
  if (n.spec.unschedulable && !toleratesUnschedulable(pod.spec.tolerations)) return false;
  return firstUntolerated(n.spec.taints, pod.spec.tolerations) === undefined;
}

const isDeleting = (n: Node): boolean => n.spec.taints.some((t) => t.key === TO_BE_DELETED_TAINT);

export class ClusterAutoscaler {
  private readonly client: Client;
  private readonly nodes: SharedInformer<Node>;
  private readonly pods: SharedPodInformer;
  private readonly daemonSets = new Informer<DaemonSet>({});
  /** PodDisruptionBudgets, when the scenario has any. */
  private readonly budgets: Informer<PodDisruptionBudget> | null = null;
  /** Drains abandoned because a budget kept refusing an eviction. */
  failedDrains = 0;
  private readonly groupOf = new Map<string, NodeGroup>();
  /** Requested machines not registered yet, per group. */
  private readonly upcoming = new Map<string, number>();
  private readonly unneededSince = new Map<string, Micros>();
  private readonly deleting = new Set<string>();
  /** Names of machines requested and not registered yet. */
  private readonly requested = new Set<string>();
  private lastScaleUp: Micros = -Infinity;
  private lastScaleDown: Micros = -Infinity;
  scaleUps = 0;
  nodesAdded = 0;
  nodesRemoved = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    private readonly params: AutoscalerParams,
    private readonly groups: readonly NodeGroup[],
    private readonly cloud: CloudProvider,
    private readonly rng: RngStream,
    private readonly observer: AutoscalerObserver | null = null,
    /** daemonSets: watch DaemonSets for the node templates (off when the scenario has none: no extra watch). */
    opts: { readonly daemonSets?: boolean; readonly budgets?: boolean } = {},
  ) {
    this.client = new Client('cluster-autoscaler', params.client, 'kube-system-service-accounts');
    this.nodes = new SharedInformer<Node>(api, 'Node', 'cluster-autoscaler/nodes');
    this.pods = new SharedPodInformer(api, 'cluster-autoscaler/pods');
    if (opts.daemonSets === true) api.watch('DaemonSet', 'cluster-autoscaler/daemonsets', this.daemonSets.onEvent);
    if (opts.budgets === true) {
      this.budgets = new Informer<PodDisruptionBudget>({});
      api.watch('PodDisruptionBudget', 'cluster-autoscaler/poddisruptionbudgets', this.budgets.onEvent);
    }
    for (const g of groups) this.upcoming.set(g.pool, 0);
    this.nodes.addHandlers({
      add: (n) => {
        const g = this.groupOfNode(n);
        if (g === undefined) return;
        this.groupOf.set(n.metadata.name, g);
        if (this.requested.delete(n.metadata.name)) this.upcoming.set(g.pool, (this.upcoming.get(g.pool) ?? 1) - 1);
      },
      delete: (n) => {
        this.groupOf.delete(n.metadata.name);
        this.unneededSince.delete(n.metadata.name);
      },
    });
    this.sim.callAt(params.scanInterval, () => this.loop());
  }

  private groupOfNode(n: Node): NodeGroup | undefined {
    const pool = n.metadata.labels[POOL_LABEL];
    return this.groups.find((g) => g.pool === pool);
  }

  private loop(): void {
    const scaled = this.scaleUp();
    if (scaled) this.lastScaleUp = this.sim.now;
    if (this.params.scaleDownEnabled) this.scaleDown(scaled);
    this.sim.callAt(this.sim.now + this.params.scanInterval, () => this.loop());
  }

  /** Registered, ready nodes not being removed, with their free room. */
  private rooms(exclude: ReadonlySet<string> = new Set()): Room[] {
    const out: Room[] = [];
    for (const n of this.nodes.cache.values()) {
      if (!n.status.ready || isDeleting(n) || this.deleting.has(n.metadata.name) || exclude.has(n.metadata.name)) continue;
      out.push(roomOf(n, this.usedOn(n.metadata.name)));
    }
    return out;
  }

  private usedOn(node: string): PodRequests[] {
    return this.pods
      .onNode(node)
      .filter((p) => !isTerminal(p))
      .map((p) => podRequests(p.spec));
  }

  /**
   * A new node of a group as the simulation sees it: its template with the DaemonSet pods that would run on it
   * already taking their room (utils.go GetNodeInfoFromTemplate → daemonset.GetDaemonSetPodsForNode, which
   * keeps the DaemonSets whose NodeShouldRunDaemonPod accepts the template node).
   */
  private templateRoom(template: Node): Room {
    const used: PodRequests[] = [];
    for (const ds of this.daemonSets.cache.values()) {
      const spec = daemonTemplateSpec(ds);
      if (nodeShouldRunDaemonPod(template, spec).shouldRun) used.push(podRequests(spec));
    }
    return roomOf(template, used);
  }

  private targetSize(g: NodeGroup): number {
    let registered = 0;
    for (const [name, group] of this.groupOf) if (group === g && !this.deleting.has(name)) registered++;
    return registered + (this.upcoming.get(g.pool) ?? 0);
  }

  private scaleUp(): boolean {
    const pending: Pod[] = [];
    for (const p of this.pods.cache.values()) {
      // DaemonSet pods are left out (core/podlistprocessor/filter_out_daemon_sets.go): each is pinned to its
      // node, a new node would not help it.
      if (
        p.spec.nodeName === '' &&
        p.status.reason === 'Unschedulable' &&
        !isTerminal(p) &&
        p.metadata.deletionTimestamp === undefined &&
        !isDaemonSetPod(p)
      )
        pending.push(p);
    }
    if (pending.length === 0) return false;
    // filterOutSchedulable, then the room of upcoming nodes.
    const rooms = this.rooms();
    for (const g of this.groups)
      for (let i = 0; i < (this.upcoming.get(g.pool) ?? 0); i++) rooms.push(this.templateRoom(g.template(g.nextIndex)));
    const left: { pod: Pod; q: PodRequests }[] = [];
    for (const pod of pending) {
      const q = podRequests(pod.spec);
      const r = rooms.find((x) => fits(pod, q, x));
      if (r !== undefined) take(r, q);
      else left.push({ pod, q });
    }
    if (left.length === 0) return false;
    interface Option {
      readonly group: NodeGroup;
      readonly nodes: number;
      readonly cpu: number;
      readonly mem: number;
      readonly pods: number;
    }
    const options: Option[] = [];
    for (const g of this.groups) {
      const room = this.targetSize(g);
      if (room >= g.max) continue;
      const template = g.template(g.nextIndex);
      const candidates = left.filter((x) => fits(x.pod, x.q, this.templateRoom(template)));
      if (candidates.length === 0) continue;
      // BinpackingNodeEstimator: biggest pods first, first fit on new template nodes, up to the group's max.
      const score = (q: PodRequests): number =>
        q.cpu / ((template.status.allocatable[CPU] ?? 1) || 1) + q.memory / ((template.status.allocatable[MEMORY] ?? 1) || 1);
      candidates.sort((a, b) => score(b.q) - score(a.q));
      const limit = g.max - room;
      const fresh: Room[] = [];
      let cpu = 0;
      let mem = 0;
      let placed = 0;
      for (const c of candidates) {
        let r = fresh.find((x) => fits(c.pod, c.q, x));
        if (r === undefined) {
          if (fresh.length >= limit) continue;
          r = this.templateRoom(template);
          fresh.push(r);
        }
        take(r, c.q);
        cpu += c.q.cpu;
        mem += c.q.memory;
        placed++;
      }
      if (fresh.length > 0) options.push({ group: g, nodes: fresh.length, cpu, mem, pods: placed });
    }
    if (options.length === 0) return false;
    const best = this.expand(options, (o) => {
      const a = o.group.template(o.group.nextIndex).status.allocatable;
      const availCpu = o.nodes * (a[CPU] ?? 0);
      const availMem = o.nodes * (a[MEMORY] ?? 0);
      // expander/waste: wasted fraction of cpu plus of memory on the new nodes.
      return (availCpu > 0 ? (availCpu - o.cpu) / availCpu : 0) + (availMem > 0 ? (availMem - o.mem) / availMem : 0);
    });
    this.grow(best.group, best.nodes);
    return true;
  }

  /** The expander: the best options by its rule, then one of them at random (every expander falls back to random). */
  private expand<T extends { readonly pods: number }>(options: T[], waste: (o: T) => number): T {
    let best = options;
    if (this.params.expander === 'least-waste') {
      const min = Math.min(...options.map(waste));
      best = options.filter((o) => waste(o) <= min + 1e-12);
    } else if (this.params.expander === 'most-pods') {
      const max = Math.max(...options.map((o) => o.pods));
      best = options.filter((o) => o.pods === max);
    }
    return best.length === 1 ? best[0] : best[this.rng.int(best.length)];
  }

  private grow(g: NodeGroup, count: number): void {
    this.scaleUps++;
    this.upcoming.set(g.pool, (this.upcoming.get(g.pool) ?? 0) + count);
    this.observer?.scaledUp(g.pool, count);
    for (let i = 0; i < count; i++) {
      const node = g.template(g.nextIndex++);
      this.requested.add(node.metadata.name);
      this.nodesAdded++;
      this.sim.callAt(this.sim.now + sample(this.params.provisioningDelay, this.rng), () => this.cloud.createNode(g, node));
    }
  }

  private scaleDown(scaledUp: boolean): void {
    const now = this.sim.now;
    const removing = new Set<string>();
    const unneeded: { name: string; empty: boolean; group: NodeGroup }[] = [];
    // RemainingPdbTracker (simulator/pdb): the disruptions each budget still allows in this pass.
    const remaining = new Map<PodDisruptionBudget, number>();
    if (this.budgets !== null) for (const b of this.budgets.cache.values()) remaining.set(b, b.status.disruptionsAllowed);
    for (const n of this.nodes.cache.values()) {
      const name = n.metadata.name;
      const g = this.groupOf.get(name);
      if (g === undefined || !n.status.ready || isDeleting(n) || this.deleting.has(name)) {
        this.unneededSince.delete(name);
        continue;
      }
      const pods = this.pods.onNode(name).filter((p) => !isTerminal(p));
      const a = n.status.allocatable;
      let cpu = 0;
      let mem = 0;
      for (const p of pods) {
        const q = podRequests(p.spec);
        cpu += q.cpu;
        mem += q.memory;
      }
      const util = Math.max((a[CPU] ?? 0) > 0 ? cpu / (a[CPU] as number) : 0, (a[MEMORY] ?? 0) > 0 ? mem / (a[MEMORY] as number) : 0);
      // DaemonSet pods count in the utilization (--ignore-daemonsets-utilization false) but are not moved: a node
      // running only DaemonSet pods is empty (simulator/drain.go skips them).
      const movable = pods.filter((p) => !isDaemonSetPod(p));
      const uses = this.budgetUses(movable, remaining);
      if (util >= this.params.scaleDownUtilizationThreshold || uses === null || !this.canMove(movable, new Set([...removing, name]))) {
        this.unneededSince.delete(name);
        continue;
      }
      for (const [b, n] of uses) remaining.set(b, (remaining.get(b) ?? 0) - n);
      removing.add(name);
      if (!this.unneededSince.has(name)) this.unneededSince.set(name, now);
      if (now - (this.unneededSince.get(name) as Micros) >= this.params.scaleDownUnneededTime)
        unneeded.push({ name, empty: movable.length === 0, group: g });
    }
    if (scaledUp || now < this.lastScaleUp + this.params.scaleDownDelayAfterAdd || now < this.lastScaleDown + this.params.scanInterval)
      return;
    if (this.deleting.size > 0) return; // a drain is still in progress
    const sizes = new Map<NodeGroup, number>();
    const size = (g: NodeGroup): number => sizes.get(g) ?? this.targetSize(g);
    const empty = unneeded.filter((u) => u.empty);
    let removed = 0;
    for (const u of empty) {
      if (removed >= this.params.maxEmptyBulkDelete) break;
      if (size(u.group) <= u.group.min) continue;
      sizes.set(u.group, size(u.group) - 1);
      this.remove(u.name, []);
      removed++;
    }
    if (removed === 0) {
      const u = unneeded.find((x) => !x.empty && size(x.group) > x.group.min);
      if (u !== undefined)
        this.remove(
          u.name,
          this.pods.onNode(u.name).filter((p) => !isTerminal(p) && !isDaemonSetPod(p)),
        );
    }
  }

  /**
   * The disruptions moving `pods` takes from each budget, or null when one has too few left (the node is not
   * removable: NotEnoughPdb).
   */
  private budgetUses(pods: readonly Pod[], remaining: ReadonlyMap<PodDisruptionBudget, number>): Map<PodDisruptionBudget, number> | null {
    const uses = new Map<PodDisruptionBudget, number>();
    for (const p of pods) for (const b of remaining.keys()) if (budgetSelects(b, p)) uses.set(b, (uses.get(b) ?? 0) + 1);
    for (const [b, n] of uses) if (n > (remaining.get(b) ?? 0)) return null;
    return uses;
  }

  /** Every pod has a controller (or is safe to evict) and fits on some node that stays. */
  private canMove(pods: readonly Pod[], without: ReadonlySet<string>): boolean {
    if (pods.length === 0) return true;
    for (const p of pods) {
      const owned = p.metadata.ownerReferences.some((o) => o.controller);
      if (!owned && p.metadata.annotations[SAFE_TO_EVICT_ANNOTATION] !== 'true') return false;
    }
    const rooms = this.rooms(without);
    for (const p of pods) {
      const q = podRequests(p.spec);
      const r = rooms.find((x) => fits(p, q, x));
      if (r === undefined) return false;
      take(r, q);
    }
    return true;
  }

  /** Taint, evict the pods, then terminate the machine and delete the Node. */
  private remove(name: string, pods: readonly Pod[]): void {
    this.deleting.add(name);
    this.unneededSince.delete(name);
    this.lastScaleDown = this.sim.now;
    this.nodesRemoved++;
    this.observer?.scaledDown(name, pods.length === 0);
    const taint: Taint = { key: TO_BE_DELETED_TAINT, value: String(Math.floor(this.sim.now / 1_000_000)), effect: 'NoSchedule' };
    this.api.update(
      this.client,
      'Node',
      `Node/${name}`,
      (cur) => (cur.kind === 'Node' && !isDeleting(cur) ? { ...cur, spec: { ...cur.spec, taints: [...cur.spec.taints, taint] } } : null),
      () => {
        let outstanding = pods.length;
        let failed = false;
        const finish = (): void => {
          this.deleting.delete(name);
          if (!failed) return this.cloud.deleteNode(name);
          // A failed drain: the node is kept and untainted (actuation CleanToBeDeleted).
          this.failedDrains++;
          this.api.update(this.client, 'Node', `Node/${name}`, (cur) =>
            cur.kind === 'Node' && isDeleting(cur)
              ? { ...cur, spec: { ...cur.spec, taints: cur.spec.taints.filter((t) => t.key !== TO_BE_DELETED_TAINT) } }
              : null,
          );
        };
        if (outstanding === 0) return finish();
        // The evictions are graceful deletes: wait until the pods are gone (actuation/drain.go: a GET of each pod
        // every 5 s, for at most max-graceful-termination-sec 600 s + PodEvictionHeadroom 30 s), then delete.
        const deadline = this.sim.now + DRAIN_WAIT_LIMIT;
        const waitGone = (): void => {
          const gone = pods.every((p) => {
            const cur = this.api.get('Pod', p.metadata.namespace, p.metadata.name);
            return cur === undefined || cur.kind !== 'Pod' || cur.spec.nodeName !== name;
          });
          if (gone || this.sim.now >= deadline) finish();
          else this.sim.callAt(this.sim.now + DRAIN_POLL_INTERVAL, waitGone);
        };
        const evicted = (): void => {
          if (--outstanding > 0) return;
          if (failed) finish();
          else waitGone();
        };
        if (this.budgets === null) {
          // No PodDisruptionBudget in the scenario: each eviction amounts to its DELETE.
          for (const p of pods) this.api.delete(this.client, 'Pod', keyOf(p), evicted);
          return;
        }
        // drain.go evictPod: the Eviction API, retried every EvictionRetryTime (10 s) while a budget refuses it,
        // for at most MaxPodEvictionTime (2 min); a pod still refused then fails the drain.
        const evictBy = this.sim.now + MAX_POD_EVICTION_TIME;
        const evict = (p: Pod): void =>
          this.api.evict(this.client, keyOf(p), (r) => {
            if (r.ok || r.code === 404) return evicted();
            if (this.sim.now + EVICTION_RETRY_TIME <= evictBy) this.sim.callAt(this.sim.now + EVICTION_RETRY_TIME, () => evict(p));
            else {
              failed = true;
              evicted();
            }
          });
        for (const p of pods) evict(p);
      },
    );
  }
}

const DRAIN_POLL_INTERVAL = 5 * 1_000_000;
/** cluster-autoscaler actuation/drain.go: DefaultEvictionRetryTime 10 s, --max-pod-eviction-time 2 min. */
const EVICTION_RETRY_TIME = 10 * 1_000_000;
const MAX_POD_EVICTION_TIME = 120 * 1_000_000;
const DRAIN_WAIT_LIMIT = (600 + 30) * 1_000_000;

/** The label that names a node's pool (node group), set on every node of an autoscaled pool. */
export const POOL_LABEL = 'kubesim.io/node-pool';
