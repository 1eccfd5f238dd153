/**
 * Cluster autoscaler (kubernetes/autoscaler cluster-autoscaler, core/static_autoscaler.go RunOnce) over the
 * scenario's autoscaled node pools (node groups with min/max). Every --scan-interval (10 s):
 *
 * Every "would it fit" question runs the scheduler framework's filters (PreFilter, then Filter per node: the
 * scheduler's own Kernel, cluster-snapshot.ts) on the loop's ClusterSnapshot — the nodes with their pods and the
 * upcoming nodes as template nodes — so node affinity, taints, host ports, resources, topology spreading and
 * inter-pod (anti-)affinity all count, as in cluster-autoscaler's simulator.
 *
 * Scale-up. Pods the scheduler marked unschedulable (PodScheduled=False) are first placed, most important first,
 * on ready and upcoming nodes where they pass the filters (filter_out_schedulable.go: the scheduler just has
 * not got to them). For what is left, each group below its max keeps the pod groups whose first pod passes the
 * filters on a fresh template node (orchestrator.go SchedulablePodGroups) and estimates with the binpacking
 * estimator (estimator/binpacking_estimator.go) how many new template nodes they need; the expander picks one
 * option (--expander: random by default; least-waste, most-pods) and the group's target grows by its node
 * count. Each new machine registers, Ready, after a provisioning delay.
 *
 * Scale-down. A node of an autoscaled group whose requested cpu and memory are both below
 * --scale-down-utilization-threshold (50%) of allocatable, whose pods all have a controller (or the
 * cluster-autoscaler.kubernetes.io/safe-to-evict annotation) and pass the filters on the other nodes
 * (simulator/cluster.go SimulateNodeRemoval), is unneeded; unneeded
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
 * defaults, --kube-client-qps/--kube-client-burst). Simplified (docs/model/autoscaler.md): no scheduling hints
 * between loops, no scale-up backoff or max-node-provision-time, no balancing of similar groups.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import {
  keyOf,
  isTerminal,
  type DaemonSet,
  type Node,
  type Pod,
  type PodDisruptionBudget,
  type ReplicaSet,
  type Service,
  type Taint,
} from '../api/objects.js';
import { budgetSelects } from '../api/eviction.js';
import { Informer } from '../api/informer.js';
import { daemonPod, daemonTemplateSpec, isDaemonSetPod, nodeShouldRunDaemonPod } from '../controllers/daemon-pod.js';
import { CPU, MEMORY, podRequests } from '../api/pod-resources.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { sample, type Distribution } from '../core/distribution.js';
import type { RngStream } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import type { Micros } from '../core/time.js';
import { SharedInformer, SharedPodInformer } from '../controllers/shared-informer.js';
import { defaultSpreadSelector } from '../scheduler/default-selector.js';
import { Kernel } from '../scheduler/kernel.js';
import { DEFAULT_PROFILE, enabledAt, type Profile } from '../scheduler/profile.js';
import { ClusterSnapshot, type SimulatedFramework } from './cluster-snapshot.js';

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
  /** Machines requested and not registered yet, by name: their nodes are the upcoming nodes of the simulation. */
  private readonly requested = new Map<string, Node>();
  /** The scheduler framework the simulations run (the scenario's profiles) and its runner's last index. */
  private readonly framework: SimulatedFramework;
  /** This loop's snapshot (null until a simulation needs it) and its destination rows, ascending. */
  private snap: ClusterSnapshot | null = null;
  private upRows: number[] = [];
  private downRows: number[] = [];
  /** Nodes this loop's scale-down found removable (they leave the snapshot). */
  private readonly passRemoved = new Set<string>();
  /** Services and ReplicaSets for the default spreading selector, when a profile's defaults are DoNotSchedule. */
  private readonly services: Informer<Service> | null = null;
  private readonly replicaSets: Informer<ReplicaSet> | null = null;
  private replicaSetMap: Map<string, ReplicaSet> | null = null;
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
    /**
     * daemonSets: watch DaemonSets for the node templates (off when the scenario has none: no extra watch);
     * profiles: the scheduler's profiles, whose filters the simulations run (the upstream default profile when
     * absent).
     */
    opts: { readonly daemonSets?: boolean; readonly budgets?: boolean; readonly profiles?: readonly Profile[] } = {},
  ) {
    this.client = new Client('cluster-autoscaler', params.client, 'kube-system-service-accounts');
    this.nodes = new SharedInformer<Node>(api, 'Node', 'cluster-autoscaler/nodes');
    this.pods = new SharedPodInformer(api, 'cluster-autoscaler/pods');
    if (opts.daemonSets === true) api.watch('DaemonSet', 'cluster-autoscaler/daemonsets', this.daemonSets.onEvent);
    if (opts.budgets === true) {
      this.budgets = new Informer<PodDisruptionBudget>({});
      api.watch('PodDisruptionBudget', 'cluster-autoscaler/poddisruptionbudgets', this.budgets.onEvent);
    }
    const profiles = opts.profiles !== undefined && opts.profiles.length > 0 ? opts.profiles : [DEFAULT_PROFILE];
    const kernels = new Map(profiles.map((p) => [p.schedulerName, new Kernel(p)]));
    const first = kernels.get(profiles[0].schedulerName) as Kernel;
    // The default spreading constraints filter only when a profile lists DoNotSchedule ones (PodTopologySpreadArgs
    // defaultingType List); only then are Services and ReplicaSets watched for their selector (helper.DefaultSelector).
    if (
      profiles.some(
        (p) =>
          enabledAt(p, 'filter', 'PodTopologySpread') &&
          p.args.PodTopologySpread.constraints.some((c) => c.whenUnsatisfiable === 'DoNotSchedule'),
      )
    ) {
      this.services = new Informer<Service>({});
      this.replicaSets = new Informer<ReplicaSet>({});
      api.watch('Service', 'cluster-autoscaler/services', this.services.onEvent);
      api.watch('ReplicaSet', 'cluster-autoscaler/replicasets', this.replicaSets.onEvent);
    }
    this.framework = {
      kernelFor: (name) => kernels.get(name) ?? first,
      defaultSelector: (pod) => {
        if (this.services === null || this.replicaSets === null) return undefined;
        this.replicaSetMap ??= new Map(this.replicaSets.cache);
        return defaultSpreadSelector(pod, this.services.cache.values(), this.replicaSetMap);
      },
      lastIndex: 0,
    };
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
    this.snap = null;
    this.passRemoved.clear();
    const scaled = this.scaleUp();
    if (scaled) this.lastScaleUp = this.sim.now;
    if (this.params.scaleDownEnabled) this.scaleDown(scaled);
    // The snapshot lives for one loop (RunOnce builds its ClusterSnapshot afresh from the listers).
    this.snap = null;
    this.replicaSetMap = null;
    this.sim.callAt(this.sim.now + this.params.scanInterval, () => this.loop());
  }

  /** A node that may receive pods in the simulation: registered, ready, not being removed. */
  private isDestination(n: Node): boolean {
    return n.status.ready && !isDeleting(n) && !this.deleting.has(n.metadata.name);
  }

  /**
   * The loop's ClusterSnapshot, built on first use (static_autoscaler.go RunOnce: every node with its scheduled
   * pods — not Succeeded or Failed, terminating ones included — then the upcoming nodes, each a template node
   * with its DaemonSet pods: addUpcomingNodesToClusterSnapshot). Nodes this loop's scale-down already found
   * removable are left out (RemoveNodeInfo after their simulation).
   */
  private snapshot(): ClusterSnapshot {
    if (this.snap !== null) return this.snap;
    const s = new ClusterSnapshot(this.framework, this.nodes.cache.size + this.requested.size + 16);
    const up: number[] = [];
    const down: number[] = [];
    for (const n of this.nodes.cache.values()) {
      const name = n.metadata.name;
      if (this.passRemoved.has(name)) continue;
      const row = s.addNode(n);
      for (const p of this.pods.onNode(name)) if (!isTerminal(p)) s.addPod(p, row);
      if (this.isDestination(n)) {
        up.push(row);
        down.push(row);
      }
    }
    for (const node of this.requested.values()) up.push(this.addTemplateNode(s, node));
    this.upRows = up;
    this.downRows = down;
    this.snap = s;
    return s;
  }

  /**
   * A new node of a group as the simulation sees it: the template node with the DaemonSet pods that would run
   * on it (utils.go GetNodeInfoFromTemplate → daemonset.GetDaemonSetPodsForNode, which keeps the DaemonSets
   * whose NodeShouldRunDaemonPod accepts the template node). Returns its row.
   */
  private addTemplateNode(s: ClusterSnapshot, node: Node): number {
    const row = s.addNode(node);
    const name = node.metadata.name;
    for (const ds of this.daemonSets.cache.values()) {
      const spec = daemonTemplateSpec(ds);
      if (!nodeShouldRunDaemonPod(node, spec).shouldRun) continue;
      const pod = daemonPod(ds, spec, name, `${ds.metadata.name}-${name}`);
      s.addPod(pod, row, `template/${keyOf(pod)}`);
    }
    return row;
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
    const s = this.snapshot();
    // filter_out_schedulable.go filterOutSchedulableByPacking: the most important pods first, each placed in the
    // snapshot on the first node (from the runner's last index) where every filter passes, on the ready nodes and
    // the upcoming ones (the scheduler just has not got to them); a pod like one that found no place is not tried
    // again (similar_pods.go).
    pending.sort((a, b) => b.spec.priority - a.spec.priority);
    const similar = new SimilarPods();
    const left: Pod[] = [];
    for (const pod of pending) {
      const row = similar.isUnschedulable(pod) ? -1 : s.fitsAnyNode(pod, this.upRows, ANY_ROW);
      if (row >= 0) s.addPod(pod, row);
      else {
        similar.setUnschedulable(pod);
        left.push(pod);
      }
    }
    if (left.length === 0) return false;
    const podGroups = equivalenceGroups(left);
    interface Option {
      readonly group: NodeGroup;
      readonly nodes: number;
      readonly cpu: number;
      readonly mem: number;
      readonly pods: number;
    }
    const options: Option[] = [];
    for (const g of this.groups) {
      const size = this.targetSize(g);
      if (size >= g.max) continue;
      // orchestrator.go SchedulablePodGroups: each pod group's first pod, on a fresh template node of the group.
      s.fork();
      const probe = this.addTemplateNode(s, g.template(g.nextIndex));
      const fitting = podGroups.filter((pg) => s.fits(pg.pods[0], probe));
      s.revert();
      if (fitting.length === 0) continue;
      const e = this.estimate(s, g, fitting, g.max - size);
      if (e.nodes === 0 || e.pods.length === 0) continue;
      let cpu = 0;
      let mem = 0;
      for (const p of e.pods) {
        const q = s.input(p).requests;
        cpu += q.cpu;
        mem += q.memory;
      }
      options.push({ group: g, nodes: e.nodes, cpu, mem, pods: e.pods.length });
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

  /**
   * estimator/binpacking_estimator.go Estimate, in a fork of the snapshot: pod groups by decreasing size of
   * their first pod (DecreasingPodOrderer: cpu and memory over the template's allocatable); each group's pods go
   * first to the nodes added so far (FitsAnyNodeMatching over them), then to the last added node, else to a new
   * template node while the group's max allows (the limiter) — stopping for the group when the last added node
   * is still empty or the pod does not pass the filters on a fresh node (topology spreading to another zone,
   * say). The estimate is the number of new nodes that got pods. New node k is the group's k-th next node.
   */
  private estimate(s: ClusterSnapshot, g: NodeGroup, podGroups: readonly PodGroup[], limit: number): { nodes: number; pods: Pod[] } {
    const a = g.template(g.nextIndex).status.allocatable;
    const allocCpu = (a[CPU] ?? 1) || 1;
    const allocMem = (a[MEMORY] ?? 1) || 1;
    const score = (pg: PodGroup): number => {
      const q = s.input(pg.pods[0]).requests;
      return q.cpu / allocCpu + q.memory / allocMem;
    };
    const ordered = [...podGroups].sort((x, y) => score(y) - score(x));
    s.fork();
    const added: number[] = [];
    const withPods = new Set<number>();
    const scheduled: Pod[] = [];
    const place = (pod: Pod, row: number): void => {
      s.addPod(pod, row);
      withPods.add(row);
      scheduled.push(pod);
    };
    for (const pg of ordered) {
      let i = 0;
      // tryToScheduleOnExistingNodes: the nodes this estimation added.
      for (; i < pg.pods.length; i++) {
        const row = added.length === 0 ? -1 : s.fitsAnyNode(pg.pods[i], added, ANY_ROW);
        if (row < 0) break;
        place(pg.pods[i], row);
      }
      // tryToScheduleOnNewNodes.
      for (; i < pg.pods.length; i++) {
        const pod = pg.pods[i];
        const last = added.length === 0 ? -1 : added[added.length - 1];
        if (last >= 0 && s.fits(pod, last)) {
          place(pod, last);
          continue;
        }
        // The last node is empty and the pod did not fit there: a new one would not help either.
        if (last >= 0 && !withPods.has(last)) break;
        if (added.length >= limit) break;
        const row = this.addTemplateNode(s, g.template(g.nextIndex + added.length));
        added.push(row);
        if (!s.fits(pod, row)) break;
        place(pod, row);
      }
    }
    s.revert();
    return { nodes: withPods.size, pods: scheduled };
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
      this.requested.set(node.metadata.name, node);
      this.nodesAdded++;
      this.sim.callAt(this.sim.now + sample(this.params.provisioningDelay, this.rng), () => this.cloud.createNode(g, node));
    }
  }

  private scaleDown(scaledUp: boolean): void {
    const now = this.sim.now;
    const unneeded: { name: string; empty: boolean; group: NodeGroup }[] = [];
    // planner.go UpdateClusterState: the pods of nodes being drained first take their room again elsewhere;
    // when one fits nowhere, nothing is unneeded this loop (CleanUpUnneededNodes).
    if (this.deleting.size > 0 && !this.injectOngoingDrains()) {
      this.unneededSince.clear();
      return;
    }
    // RemainingPdbTracker (simulator/pdb): the disruptions each budget still allows in this pass.
    const remaining = new Map<PodDisruptionBudget, number>();
    if (this.budgets !== null) for (const b of this.budgets.cache.values()) remaining.set(b, b.status.disruptionsAllowed);
    for (const n of this.nodes.cache.values()) {
      const name = n.metadata.name;
      const g = this.groupOf.get(name);
      if (g === undefined || !this.isDestination(n)) {
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
      const uses = util < this.params.scaleDownUtilizationThreshold ? this.budgetUses(movable, remaining) : null;
      if (uses === null || !movable.every(drainable) || !this.simulateRemoval(name, movable)) {
        this.unneededSince.delete(name);
        continue;
      }
      for (const [b, n] of uses) remaining.set(b, (remaining.get(b) ?? 0) - n);
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
   * planner.go injectOngoingActuation: the pods of the nodes being drained (not DaemonSet pods), placed in the
   * snapshot wherever they fit (ScheduleAnywhere but the drained nodes), since their replacements will need the
   * room; false when one fits nowhere.
   */
  private injectOngoingDrains(): boolean {
    const s = this.snapshot();
    const t = s.table;
    const notDrained = (row: number): boolean => !this.deleting.has(t.names[row]);
    for (const name of this.deleting) {
      for (const p of this.pods.onNode(name)) {
        if (isTerminal(p) || isDaemonSetPod(p)) continue;
        const row = s.fitsAnyNode(p, null, notDrained);
        if (row < 0) return false;
        s.addPod(p, row, `evicted/${keyOf(p)}`);
      }
    }
    return true;
  }

  /**
   * simulator/cluster.go SimulateNodeRemoval → findPlaceFor, in a fork of the snapshot: the node's pods leave
   * it, the node becomes a pod-less ghost tainted ToBeDeletedByClusterAutoscaler:NoSchedule (it still counts as
   * a topology domain), and its movable pods are placed one by one on the other destination nodes where every
   * filter passes (TrySchedulePods, stopping at the first that fits nowhere). A removable node's simulation is
   * kept (persistSuccessfulSimulations: the moved pods hold their new room, the node leaves the snapshot), so
   * later candidates of the pass see it; otherwise it is reverted.
   */
  private simulateRemoval(name: string, movable: readonly Pod[]): boolean {
    if (movable.length === 0 && this.snap === null) {
      // Nothing to place: the snapshot, when one is built later in the pass, leaves the node out.
      this.passRemoved.add(name);
      return true;
    }
    const s = this.snapshot();
    const row = s.table.indexOf(name);
    if (row < 0) return false;
    s.fork();
    s.removePodsOn(row);
    s.addTaint(row, this.toBeDeletedTaint());
    const notRemoved = (r: number): boolean => r !== row;
    for (const p of movable) {
      const to = s.fitsAnyNode(p, this.downRows, notRemoved);
      if (to < 0) {
        s.revert();
        return false;
      }
      s.addPod(p, to);
    }
    s.removeNode(name);
    s.commit();
    this.passRemoved.add(name);
    return true;
  }

  private toBeDeletedTaint(): Taint {
    return { key: TO_BE_DELETED_TAINT, value: String(Math.floor(this.sim.now / 1_000_000)), effect: 'NoSchedule' };
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

  /** Taint, evict the pods, then terminate the machine and delete the Node. */
  private remove(name: string, pods: readonly Pod[]): void {
    this.deleting.add(name);
    this.unneededSince.delete(name);
    this.lastScaleDown = this.sim.now;
    this.nodesRemoved++;
    this.observer?.scaledDown(name, pods.length === 0);
    const taint = this.toBeDeletedTaint();
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

/** A row filter that admits every candidate. */
const ANY_ROW = (): boolean => true;

/** drain.go: a pod the drain may evict — it has a controller (its replacement is recreated) or is marked safe to evict. */
function drainable(p: Pod): boolean {
  return p.metadata.ownerReferences.some((o) => o.controller) || p.metadata.annotations[SAFE_TO_EVICT_ANNOTATION] === 'true';
}

/** The pod's controller uid, or null for a pod without one. */
function controllerUid(p: Pod): string | null {
  for (const o of p.metadata.ownerReferences) if (o.controller) return o.uid;
  return null;
}

/** Serialized labels or spec, memoized per object (a template's pods usually share both objects). */
const serialized = new WeakMap<object, string>();
function serial(o: object): string {
  let s = serialized.get(o);
  if (s === undefined) serialized.set(o, (s = JSON.stringify(o)));
  return s;
}

/** Same labels and spec (reflect.DeepEqual of labels, PodSpecSemanticallyEqual; pending pods have no nodeName). */
function similar(a: Pod, b: Pod): boolean {
  return (
    (a.metadata.labels === b.metadata.labels || serial(a.metadata.labels) === serial(b.metadata.labels)) &&
    (a.spec === b.spec || serial(a.spec) === serial(b.spec))
  );
}

/** At most this many distinct pods are remembered per controller (similar_pods.go maxPodsPerOwnerRef). */
const MAX_PODS_PER_OWNER = 10;

/**
 * similar_pods.go SimilarPodsScheduling: pods like one that found no node in this pass (same controller, labels
 * and spec) are not tried again.
 */
class SimilarPods {
  private readonly byOwner = new Map<string, Pod[]>();

  isUnschedulable(p: Pod): boolean {
    const uid = controllerUid(p);
    if (uid === null) return false;
    return (this.byOwner.get(uid) ?? []).some((q) => similar(p, q));
  }

  setUnschedulable(p: Pod): void {
    const uid = controllerUid(p);
    if (uid === null || isDaemonSetPod(p)) return;
    const list = this.byOwner.get(uid) ?? [];
    if (list.length >= MAX_PODS_PER_OWNER) return;
    list.push(p);
    this.byOwner.set(uid, list);
  }
}

/** A pod equivalence group: pods of one controller alike enough to be estimated together. */
interface PodGroup {
  readonly pods: Pod[];
}

/**
 * core/scaleup/equivalence/groups.go groupPodsBySchedulingProperties: pods with a controller grouped by it and by
 * labels and spec (at most 10 groups a controller, pods unlike all of them alone), every other pod alone; in
 * first-seen order (upstream's map order is unspecified).
 */
function equivalenceGroups(pods: readonly Pod[]): PodGroup[] {
  const out: PodGroup[] = [];
  const byOwner = new Map<string, PodGroup[]>();
  for (const p of pods) {
    const uid = controllerUid(p);
    if (uid === null) {
      out.push({ pods: [p] });
      continue;
    }
    const groups = byOwner.get(uid) ?? [];
    const g = groups.find((x) => similar(x.pods[0], p));
    if (g !== undefined) g.pods.push(p);
    else {
      const fresh: PodGroup = { pods: [p] };
      if (groups.length < MAX_PODS_PER_OWNER) groups.push(fresh);
      byOwner.set(uid, groups);
      out.push(fresh);
    }
  }
  return out;
}
