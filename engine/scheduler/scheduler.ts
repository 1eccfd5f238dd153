/**
 * kube-scheduler as a simulated component (pkg/scheduler/schedule_one.go): informers on pods and nodes feed
 * the scheduling queue and the cache (NodeTable). One scheduling cycle runs at a time and takes modeled virtual
 * time (a fixed overhead plus a cost per node filtered and per node scored); at its end the pod is assumed
 * on the chosen node (later cycles see its resources at once) and an asynchronous bind (POST pods/binding)
 * goes through the scheduler's client rate limiter to the API server. A failed attempt writes the
 * PodScheduled=False condition once, and parks the pod in the queue.
 *
 * When no node fits, DefaultPreemption (PostFilter) may pick a node and victims (preemption.ts): the victims
 * get the DisruptionTarget condition and a graceful delete, the pod is nominated to the node
 * (status.nominatedNodeName), and until it is bound, pods of lower or equal priority see it as present there.
 */
import { type ApiServer, CONFLICT, Client } from '../api/api-server.js';
import { Informer, type Store } from '../api/informer.js';
import {
  keyOf,
  objectKey,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
  type CSINode,
  type DeviceClass,
  type ResourceClaim,
  type ResourceSlice,
  type LabelSelector,
  type Node,
  type Pod,
  type PodDisruptionBudget,
  type PodGroup,
  type ReplicaSet,
  type Service,
  isTerminal,
} from '../api/objects.js';
import { podRequests } from '../api/pod-resources.js';
import { ANN_SELECTED_NODE, claimClass, claimKeyOf, defaultClassOf, findMatchingVolume } from '../api/storage.js';
import { volumeInput, type VolumeListers } from './plugins/volume-binding/index.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { RngStream } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { Kernel, UNRESOLVABLE, fitErrorMessage, type CycleError, type NominatedPod, type SearchState } from './kernel.js';
import { NodeTable } from './node-table.js';
import type { ParallelScanner } from './parallel/scanner.js';
import { podInput, type PodInput } from './pod-input.js';
import {
  ASSIGNED_POD_ADD,
  ASSIGNED_POD_DELETE,
  ASSIGNED_POD_UPDATE_LABEL,
  NODE_ADD,
  NODE_DELETE,
  UNSCHEDULED_POD_DELETE,
  UNSCHEDULED_POD_UPDATE_LABEL,
  UNSCHEDULED_POD_UPDATE_TOLERATION,
  POD_GROUP_ADD,
  POD_GROUP_UPDATE,
  PVC_ADD,
  PVC_UPDATE,
  PV_ADD,
  PV_UPDATE,
  STORAGE_CLASS_ADD,
  STORAGE_CLASS_UPDATE,
  CSI_NODE_ADD,
  CSI_NODE_UPDATE,
  DEVICE_CLASS_ADD,
  DEVICE_CLASS_UPDATE,
  RESOURCE_CLAIM_ADD,
  RESOURCE_CLAIM_UPDATE,
  RESOURCE_SLICE_ADD,
  RESOURCE_SLICE_UPDATE,
  nodeSchedulingPropertiesChange,
  sameRecord,
  type ClusterEvent,
} from './framework/cluster-events.js';
import { COSCHEDULING, DYNAMIC_RESOURCES, GPU_SHARE, POD_TOPOLOGY_SPREAD } from './framework/rejectors.js';
import { type HintPod } from './framework/hint-types.js';
import { QueueingHints } from './framework/queueing-hints.js';
import { DynamicResources, NAME as DRA_NAME, REASON_CANNOT_ALLOCATE } from './plugins/dynamic-resources/index.js';
import { GangState, type WaitingPod } from './gang.js';
import {
  permit as gangPermit,
  podGroupKey,
  postFilterRejectsGroup,
  preFilter as gangPreFilter,
  waitSeconds,
} from './plugins/coscheduling/index.js';
import { cycleCost, type CycleCostParams } from './cycle-cost.js';
import { podMatches } from './pod-matcher.js';
import { spreadConstraints } from './plugins/pod-topology-spread/index.js';
import { AssignedPods, type AssignedPod } from './assigned-pods.js';
import { preempt } from './preemption.js';
import { defaultSpreadSelector, needsDefaultSelector, needsSpreadSelectors } from './default-selector.js';
import { hostPorts, type HostPort } from './plugins/node-ports/index.js';
import { toleratesUnschedulable } from './plugins/node-unschedulable/index.js';
import { enabledAt, gangOf, gpuProfileOf, preemptionOf, type Profile } from './profile.js';
import type { PreemptionArgs } from './plugins/default-preemption/index.js';
import { SchedulingQueue, type QueueParams, type QueuedPod } from './scheduling-queue.js';
import { grantOfBound, gpuIndexOf } from './plugins/open-gpu-share/index.js';
import type { GpuGrant } from '../gpu/resources.js';
import { GPU_INDEX } from '../gpu/resources.js';
import type { TypicalPods } from '../gpu/typical-pods.js';

export interface SchedulerParams extends QueueParams, CycleCostParams {
  readonly client: RateLimit;
  /** The SchedulerQueueingHints feature gate (default true). */
  readonly queueingHints?: boolean;
  /**
   * Feature gate PodLevelResources (default true, as upstream since v1.34): the pods' spec.resources count in
   * their requests (api/pod-resources.ts); KubeSchedulerConfiguration featureGates.PodLevelResources.
   */
  readonly podLevelResources?: boolean;
}

/** What the scheduler tells the metrics recorder and the trace. */
export interface SchedulerObserver {
  seen(pod: Pod): void;
  /** `key` is the pod's storage key (keyOf). */
  attempt(pod: Pod, key: string, node: string | null, durationUs: Micros, message: string): void;
  /** A preemption nominated `pod` to `node` and is evicting `victims` (optional). */
  preempted?(pod: Pod, node: string, victims: readonly Pod[]): void;
  /**
   * A pod's Permit wait (Coscheduling) ended at `to` after starting at `from`: allowed (it binds) or rejected
   * (timeout, or its group rejected); `gpus` is its nvidia.com/gpu request, held on its node meanwhile (optional).
   */
  gangWaited?(pod: Pod, key: string, gpus: number, from: Micros, to: Micros, allowed: boolean): void;
}

/** The device-plugin GPU resource whose idle time under a Permit wait the reports count. */
export const NVIDIA_GPU = 'nvidia.com/gpu';

/** The DisruptionTarget condition's reason for preemption victims (k8s.io/api/core/v1 PodReasonPreemptionByScheduler). */
export const PREEMPTION_BY_SCHEDULER = 'PreemptionByScheduler';

interface Nomination {
  readonly row: number;
  readonly priority: number;
  readonly requests: ReturnType<typeof podRequests>;
  readonly ports: readonly HostPort[];
}

/** upstream flushBackoffQCompleted period */
const BACKOFF_FLUSH_PERIOD = 1 * MICROS_PER_SECOND;
/** upstream flushUnschedulablePodsLeftover period */
const UNSCHEDULABLE_FLUSH_PERIOD = 30 * MICROS_PER_SECOND;
/** VolumeBindingArgs.bindTimeoutSeconds default (600 s): how long PreBind waits for the claims to be bound. */
const BIND_TIMEOUT = 600 * MICROS_PER_SECOND;
const NO_CLAIMS: readonly PersistentVolumeClaim[] = [];

export class Scheduler {
  readonly table = new NodeTable();
  readonly queue: SchedulingQueue;
  private readonly kernels = new Map<string, Kernel>();
  private readonly client: Client;
  private readonly queued = new Map<string, QueuedPod>();
  /** Pods held back by spec.schedulingGates (PreEnqueue), by key. */
  private readonly gated = new Set<string>();
  /** Pods the cache accounts on a node (assumed or confirmed), by key, with their node row. */
  readonly pods = new AssignedPods(this.table);
  /** The nominator: pods nominated to a node by preemption, until they are bound or deleted. */
  private readonly nominations = new Map<string, Nomination>();
  /** Listers for the default topology spread selector (helper.DefaultSelector). */
  private readonly services = new Map<string, Service>();
  /** PodDisruptionBudgets, when the scenario has any (useDisruptionBudgets). */
  private budgets: Store<PodDisruptionBudget> | null = null;
  private readonly replicaSets = new Map<string, ReplicaSet>();
  private readonly search: SearchState = { nextStartNodeIndex: 0 };
  private busy = false;
  private backoffTimerArmed = false;
  private unschedTimerArmed = false;
  private readonly cycleEndKind: number;
  /** Coscheduling's state; null when no profile enables it. */
  private readonly gang: GangState | null;
  gangTimeouts = 0;
  private current: {
    p: QueuedPod;
    input: PodInput;
    rejectors: number;
    node: number;
    start: Micros;
    message: string;
    ports: readonly HostPort[];
    nominate: { row: number; victims: readonly AssignedPod[] } | null;
    clearNomination: boolean;
    /** The attempt failed with no rejecting plugin (no nodes, a PreScore error): it goes to backoffQ, not unschedulablePods. */
    error: CycleError | null;
  } | null = null;
  attempts = 0;
  unschedulableAttempts = 0;
  /** Binding cycles failed because the claims were not bound within bindTimeoutSeconds. */
  volumeBindTimeouts = 0;
  nodesVisited = 0;
  preemptions = 0;
  victims = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    profiles: readonly Profile[],
    private readonly params: SchedulerParams,
    private readonly rng: RngStream,
    private readonly observer: SchedulerObserver,
    /** Shards the node search over worker threads (same decisions); null = the kernel alone. */
    private readonly scanner: ParallelScanner | null = null,
  ) {
    for (const p of profiles) this.kernels.set(p.schedulerName, new Kernel(p));
    // The cache keeps GPU devices only for profiles with GPU plugins (a GPU-less run pays nothing).
    if (profiles.some((p) => gpuProfileOf(p) !== null)) this.table.enableGpu();
    this.queue = new SchedulingQueue(params, new QueueingHints(params.queueingHints ?? true));
    this.client = new Client('kube-scheduler', params.client, 'kube-scheduler');
    this.cycleEndKind = sim.register('scheduler-cycle-end', () => this.endCycle());
    this.gang = profiles.some((p) => gangOf(p) !== null) ? new GangState() : null;
    if (this.gang !== null) this.watchPodGroups(this.gang);
    const nodes = new Informer<Node>({
      add: (n) => this.onNode(n),
      update: (o, n) => this.onNode(n, o),
      delete: (n) => this.onNodeDelete(n),
    });
    api.watch('Node', 'kube-scheduler/nodes', nodes.onEvent);
    const pods = new Informer<Pod>({
      add: (p, key) => this.onPodAdd(p, key),
      update: (o, p, key) => this.onPodUpdate(o, p, key),
      delete: (p, key) => this.onPodDelete(p, key),
    });
    api.watch('Pod', 'kube-scheduler/pods', pods.onEvent);
    this.podCache = pods.cache;
    if (profiles.some((p) => needsSpreadSelectors(p))) {
      // Informers for DefaultSelector (the default spreading constraints' selector).
      // Default selectors are memoized until a Service or ReplicaSet selector changes.
      const svc = new Informer<Service>({
        add: (o) => this.listerChanged(this.services.set(keyOf(o), o)),
        update: (old, o) => {
          this.services.set(keyOf(o), o);
          if (old.spec.selector !== o.spec.selector) this.listerChanged();
        },
        delete: (o) => this.listerChanged(this.services.delete(keyOf(o))),
      });
      api.watch('Service', 'kube-scheduler/services', svc.onEvent);
      const rs = new Informer<ReplicaSet>({
        add: (o) => this.listerChanged(this.replicaSets.set(keyOf(o), o)),
        update: (old, o) => {
          this.replicaSets.set(keyOf(o), o);
          if (old.spec.selector !== o.spec.selector) this.listerChanged();
        },
        delete: (o) => this.listerChanged(this.replicaSets.delete(keyOf(o))),
      });
      api.watch('ReplicaSet', 'kube-scheduler/replicasets', rs.onEvent);
    }
  }

  /**
   * Coscheduling: its QueueSort (Less: priority, then the PodGroup's creationTimestamp or the pod's initial
   * attempt time, then namespace/name) and the PodGroup informer (its events: Coscheduling's EventsToRegister).
   */
  private watchPodGroups(gang: GangState): void {
    this.queue.useSort({
      time: (p) => {
        const g = podGroupKey(p.pod);
        const pg = g === '' ? undefined : gang.groups.get(g);
        return pg?.metadata.creationTimestamp ?? p.initialTimestamp ?? p.timestamp;
      },
      tie: (p) => `${p.pod.metadata.namespace}/${p.pod.metadata.name}`,
    });
    const name = (pg: PodGroup): string => `${pg.metadata.namespace}/${pg.metadata.name}`;
    const onGroup = (pg: PodGroup, old?: PodGroup): void => {
      gang.groups.set(name(pg), pg);
      gang.events++;
      if (this.queue.onEvent(old === undefined ? POD_GROUP_ADD : POD_GROUP_UPDATE, old, pg, this.sim.now) > 0) this.afterMove();
    };
    const inf = new Informer<PodGroup>({
      add: (pg) => onGroup(pg),
      update: (old, pg) => onGroup(pg, old),
      delete: (pg) => gang.groups.delete(name(pg)),
    });
    this.api.watch('PodGroup', 'kube-scheduler/podgroups', inf.onEvent);
  }

  private readonly podCache: Store<Pod>;
  /** The PVC, PV and StorageClass listers of the volume plugins; null until useStorage (a scenario without storage). */
  private storage: { claims: Store<PersistentVolumeClaim>; volumes: Store<PersistentVolume>; classes: Store<StorageClass> } | null = null;
  /** NodeVolumeLimits' CSINode lister; null unless the scenario has CSINode objects (no CSINode = no limit). */
  private csiNodes: Store<CSINode> | null = null;
  /** Pods whose binding waits at VolumeBinding PreBind for their claims to be bound: pod key → claim keys left. */
  private readonly volumeWaits = new Map<string, { left: Set<string>; bind: () => void }>();

  /**
   * The volume plugins' informers (PersistentVolumeClaim, PersistentVolume, StorageClass), opened only for
   * scenarios with storage objects, as useDisruptionBudgets (a watch shifts the ids of later ones).
   */
  useStorage(csiNodes = false): void {
    const claims = new Informer<PersistentVolumeClaim>({
      add: () => this.clusterEvent(PVC_ADD, undefined, undefined),
      update: (_, c, key) => {
        this.claimUpdated(c, key);
        this.clusterEvent(PVC_UPDATE, undefined, undefined);
      },
    });
    const volumes = new Informer<PersistentVolume>({
      add: () => this.clusterEvent(PV_ADD, undefined, undefined),
      update: (_, v) => {
        if (v.spec.claimRef !== '') this.assumedVolumes.delete(v.metadata.name);
        this.clusterEvent(PV_UPDATE, undefined, undefined);
      },
    });
    const classes = new Informer<StorageClass>({
      add: () => this.clusterEvent(STORAGE_CLASS_ADD, undefined, undefined),
      update: () => this.clusterEvent(STORAGE_CLASS_UPDATE, undefined, undefined),
    });
    this.storage = { claims: claims.cache, volumes: volumes.cache, classes: classes.cache };
    this.api.watch('StorageClass', 'kube-scheduler/storageclasses', classes.onEvent);
    this.api.watch('PersistentVolume', 'kube-scheduler/persistentvolumes', volumes.onEvent);
    this.api.watch('PersistentVolumeClaim', 'kube-scheduler/persistentvolumeclaims', claims.onEvent);
    if (csiNodes) {
      // Opened last and only with CSINode objects, so the watch ids of storage scenarios without them do not shift.
      const inf = new Informer<CSINode>({
        add: () => this.clusterEvent(CSI_NODE_ADD, undefined, undefined),
        update: () => this.clusterEvent(CSI_NODE_UPDATE, undefined, undefined),
      });
      this.csiNodes = inf.cache;
      this.api.watch('CSINode', 'kube-scheduler/csinodes', inf.onEvent);
    }
  }

  // ---- DynamicResources (plugins/dynamic-resources/): null until useDynamicResources (a scenario without DRA objects).
  private dra: DynamicResources | null = null;
  /** Pods held at DynamicResources PreEnqueue until their claims exist, by key. */
  private readonly draWaiting = new Set<string>();

  /**
   * The DynamicResources informers (DeviceClass, ResourceSlice, ResourceClaim) and the plugin, opened only for
   * scenarios with DRA objects or pods with resource claims (a watch shifts the ids of later ones).
   */
  useDynamicResources(): void {
    const classes = new Informer<DeviceClass>({
      add: (o) => this.draEvent(DEVICE_CLASS_ADD, undefined, o),
      update: (old, o) => this.draEvent(DEVICE_CLASS_UPDATE, old, o),
    });
    const slices = new Informer<ResourceSlice>({
      add: (o) => this.draEvent(RESOURCE_SLICE_ADD, undefined, o),
      update: (old, o) => this.draEvent(RESOURCE_SLICE_UPDATE, old, o),
    });
    const claims = new Informer<ResourceClaim>({
      add: (c) => {
        this.draAdmitWaiting();
        this.draEvent(RESOURCE_CLAIM_ADD, undefined, c);
      },
      update: (old, c) => {
        (this.dra as DynamicResources).claimChanged(c);
        this.draEvent(RESOURCE_CLAIM_UPDATE, old, c);
      },
    });
    this.dra = new DynamicResources({
      claim: (ns, name) => claims.cache.get(objectKey('ResourceClaim', ns, name)),
      claims: () => claims.cache.values(),
      deviceClass: (name) => classes.cache.get(objectKey('DeviceClass', '', name)),
      slices: () => slices.cache.values(),
    });
    this.api.watch('DeviceClass', 'kube-scheduler/deviceclasses', classes.onEvent);
    this.api.watch('ResourceSlice', 'kube-scheduler/resourceslices', slices.onEvent);
    this.api.watch('ResourceClaim', 'kube-scheduler/resourceclaims', claims.onEvent);
  }

  private draEvent(e: ClusterEvent, old: unknown, neu: unknown): void {
    if (this.queue.onEvent(e, old, neu, this.sim.now) > 0) this.afterMove();
  }

  /** DynamicResources PreEnqueue: whether the pod must wait for its claims (only in a profile running the plugin). */
  private draHolds(pod: Pod): boolean {
    if (this.dra === null || pod.spec.resourceClaims === undefined) return false;
    const kernel = this.kernels.get(pod.spec.schedulerName);
    if (kernel === undefined || !enabledAt(kernel.profile, 'preEnqueue', DRA_NAME)) return false;
    return this.dra.preEnqueue(pod) !== null;
  }

  /** A claim was created: the pods waiting at PreEnqueue whose claims all exist now enter the queue. */
  private draAdmitWaiting(): void {
    for (const key of [...this.draWaiting]) {
      const pod = this.podCache.get(key);
      if (pod === undefined || pod.spec.nodeName !== '') {
        this.draWaiting.delete(key);
        continue;
      }
      if (this.draHolds(pod)) continue;
      this.draWaiting.delete(key);
      this.onPodAdd(pod, key);
    }
  }

  /**
   * DynamicResources Reserve at the end of the cycle; false (the cycle fails, as upstream's Reserve error) when the
   * node can no longer serve the pod's claims.
   */
  private draReserve(p: QueuedPod, c: NonNullable<typeof this.current>): boolean {
    if (this.dra === null || c.input.dra === undefined) return true;
    if (this.dra.reserve(p.key, c.input.dra.pod, c.node)) return true;
    c.message = `0/${this.table.live} nodes are available: ${REASON_CANNOT_ALLOCATE}.`;
    c.rejectors = DYNAMIC_RESOURCES;
    c.node = -1;
    return false;
  }

  /**
   * DynamicResources PreBind (bindClaim): each claim not yet reserved for the pod gets its allocation and the pod in
   * reservedFor, one status update after the other; then the binding goes on. A failed update fails the binding
   * cycle: Unreserve, the assumption forgotten, the pod back to the queue.
   */
  private draPreBind(key: string, assumed: AssignedPod, bind: () => void): void {
    const dra = this.dra as DynamicResources;
    const res = dra.reservation(key);
    if (res === null) return bind();
    const next = (i: number): void => {
      if (i === res.claims.length) return bind();
      const c = res.claims[i];
      this.api.update(
        this.client,
        'ResourceClaim',
        objectKey('ResourceClaim', c.namespace, c.name),
        (cur) => (cur.kind === 'ResourceClaim' ? DynamicResources.bindClaim(cur, res.pod, c.allocation) : CONFLICT),
        (r) => {
          if (r.ok) return next(i + 1);
          dra.unreserve(key);
          if (this.pods.get(key) === assumed) this.release(key);
          const pod = this.podCache.get(key);
          if (pod !== undefined && pod.spec.nodeName === '') this.onPodAdd(pod, key);
        },
      );
    };
    next(0);
  }
  // ---- end DynamicResources

  private readonly volumeListers: VolumeListers = {
    claim: (ns, name) => this.storage?.claims.get(objectKey('PersistentVolumeClaim', ns, name)),
    volume: (name) => this.storage?.volumes.get(objectKey('PersistentVolume', '', name)),
    storageClass: (name) => this.storage?.classes.get(objectKey('StorageClass', '', name)),
    volumes: () => this.volumesWithAssumed(),
    defaultClass: () => (this.storage === null ? '' : defaultClassOf(this.storage.classes.values())),
    claimInUse: (ns, claim, podKey) => {
      for (const a of this.pods.values())
        if (a.key !== podKey && a.pod.metadata.namespace === ns && !isTerminal(a.pod) && (a.pod.spec.claims?.includes(claim) ?? false))
          return true;
      return false;
    },
    csiNodes: () => this.csiNodes?.values() ?? [],
    assignedPods: () => this.assignedPodsByNode(),
  };

  /** Non-terminal pods in the cache (assumed ones included) with their node's name, for NodeVolumeLimits. */
  private *assignedPodsByNode(): IterableIterator<{ readonly node: string; readonly pod: Pod }> {
    for (const a of this.pods.values()) if (!isTerminal(a.pod)) yield { node: this.table.names[a.row], pod: a.pod };
  }

  /**
   * The volume assume cache (volumebinding's AssumeCache): volumes chosen at Reserve for a claim, taken for the
   * next cycles until the PV informer shows the written claimRef. PV name → claim key.
   */
  private readonly assumedVolumes = new Map<string, string>();

  private *volumesWithAssumed(): IterableIterator<PersistentVolume> {
    if (this.storage === null) return;
    for (const pv of this.storage.volumes.values()) {
      const claim = pv.spec.claimRef === '' ? this.assumedVolumes.get(pv.metadata.name) : undefined;
      yield claim === undefined ? pv : { ...pv, spec: { ...pv.spec, claimRef: claim } };
    }
  }

  private get podLevelResources(): boolean {
    return this.params.podLevelResources !== false;
  }

  /**
   * DefaultPreemption's PDB lister: opened only for scenarios with PodDisruptionBudgets (a watch opened for
   * nothing would still shift the ids of later watches, which enter the fingerprint).
   */
  useDisruptionBudgets(): void {
    const inf = new Informer<PodDisruptionBudget>({});
    this.budgets = inf.cache;
    this.api.watch('PodDisruptionBudget', 'kube-scheduler/poddisruptionbudgets', inf.onEvent);
  }

  /** FGDScore's target workload: the typical pods of the scenario's pods (engine/gpu/typical-pods.ts). */
  useGpuWorkload(typical: TypicalPods): void {
    for (const k of this.kernels.values()) k.gpuShare?.setWorkload(typical);
  }

  get pendingInQueue(): number {
    return this.queue.activeSize + this.queue.backoffSize + this.queue.unschedulableSize;
  }

  get throttledRequests(): number {
    return this.client.bucket.throttled;
  }

  private onNode(n: Node, old?: Node): void {
    const fresh = this.table.indexOf(n.metadata.name) < 0;
    this.table.upsert(n);
    // eventhandlers.go addNodeToCache (NodeAdd) / updateNodeInCache (NodeSchedulingPropertiesChange: one event
    // per changed property, e.g. a node untainted after recovering raises NodeTaintChange).
    if (fresh || old === undefined) this.clusterEvent(NODE_ADD, undefined, n);
    else for (const e of nodeSchedulingPropertiesChange(n, old)) this.clusterEvent(e, old, n);
  }

  /**
   * eventhandlers.go deleteNodeFromCache → cache.RemoveNode: the node leaves the NodeTree and the node count;
   * pods nominated to it lose their nomination (their next attempt searches every node).
   */
  private onNodeDelete(n: Node): void {
    const row = this.table.remove(n.metadata.name);
    if (row < 0) return;
    for (const [k, nom] of this.nominations) if (nom.row === row) this.nominations.delete(k);
    this.clusterEvent(NODE_DELETE, n, undefined);
  }

  private onPodAdd(pod: Pod, key: string): void {
    if (this.gang !== null && !isTerminal(pod)) this.gang.track(key, podGroupKey(pod));
    if (pod.spec.nodeName !== '') {
      if (!isTerminal(pod)) {
        this.account(pod, key);
        this.clusterEvent(ASSIGNED_POD_ADD, undefined, pod);
      }
      return;
    }
    if (isTerminal(pod) || !this.kernels.has(pod.spec.schedulerName)) return;
    // The SchedulingGates PreEnqueue plugin (framework/plugins/schedulinggates): a gated pod never enters the
    // active queue; it waits until an update removes its last gate (onPodUpdate).
    if ((pod.spec.schedulingGates?.length ?? 0) > 0) {
      this.gated.add(key);
      return;
    }
    // DynamicResources PreEnqueue: the pod waits until its ResourceClaims exist (draAdmitWaiting).
    if (this.draHolds(pod)) {
      this.draWaiting.add(key);
      return;
    }
    const p: QueuedPod = {
      key,
      pod,
      requests: podRequests(pod.spec, this.podLevelResources),
      toleratesUnschedulable: toleratesUnschedulable(pod.spec.tolerations),
      timestamp: this.sim.now,
      initialTimestamp: this.sim.now,
      attempts: 0,
      cycle: 0,
      where: 'gone',
      gen: 0,
      lastFailure: '',
    };
    this.queued.set(p.key, p);
    this.observer.seen(pod);
    this.queue.pushActive(p);
    this.kick();
  }

  private onPodUpdate(old: Pod, pod: Pod, key: string): void {
    if (this.gang !== null) {
      if (isTerminal(pod)) this.gang.untrack(key);
      else this.gang.track(key, podGroupKey(pod));
    }
    if (pod.spec.nodeName !== '') {
      const q = this.queued.get(key);
      if (q !== undefined) {
        // Bound (by us or by someone else): it leaves the queue.
        if (q.where !== 'inflight') this.queue.remove(q);
        this.queued.delete(key);
      }
      this.nominations.delete(key);
      if (isTerminal(pod)) {
        if (!isTerminal(old)) this.release(key);
      } else {
        this.account(pod, key);
        // The assigned-pod informer sees a pod that just got its node as an add (FilteringResourceEventHandler).
        if (old.spec.nodeName === '') this.clusterEvent(ASSIGNED_POD_ADD, undefined, pod);
        else if (old.metadata.labels !== pod.metadata.labels && !sameRecord(old.metadata.labels, pod.metadata.labels))
          this.clusterEvent(ASSIGNED_POD_UPDATE_LABEL, old, pod);
      }
      return;
    }
    if (this.gated.has(key)) {
      if ((pod.spec.schedulingGates?.length ?? 0) > 0) return;
      this.gated.delete(key);
      this.onPodAdd(pod, key);
      return;
    }
    if (this.draWaiting.has(key)) return;
    const q = this.queued.get(key);
    if (q !== undefined) {
      q.pod = pod;
      // PriorityQueue.Update: the pod's own label or toleration change may make it schedulable.
      const events: ClusterEvent[] = [];
      if (old.metadata.labels !== pod.metadata.labels && !sameRecord(old.metadata.labels, pod.metadata.labels))
        events.push(UNSCHEDULED_POD_UPDATE_LABEL);
      if (old.spec.tolerations !== pod.spec.tolerations) events.push(UNSCHEDULED_POD_UPDATE_TOLERATION);
      if (events.length > 0) {
        this.queue.podUpdated(q, events, old, pod, this.sim.now);
        this.afterMove();
      }
    }
  }

  private onPodDelete(pod: Pod, key: string): void {
    this.gated.delete(key);
    this.draWaiting.delete(key);
    if (this.gang !== null) {
      this.gang.untrack(key);
      // eventhandlers.go deletePodFromSchedulingQueue: a deleted waiting pod is rejected ("pod deleted"), and
      // Coscheduling's Unreserve then rejects the rest of its group.
      const w = this.gang.waiting.get(key);
      if (w !== undefined) {
        this.gang.waiting.delete(key);
        this.observer.gangWaited?.(w.p.pod, key, gpusOf(w.p), w.since, this.sim.now, false);
        this.rejectGroup(w.group, 'rejection in Unreserve');
      }
    }
    // A pod deleted while its binding waits for its claims: nothing to bind.
    this.volumeWaits.delete(key);
    const q = this.queued.get(key);
    if (q !== undefined) {
      if (q.where !== 'inflight') this.queue.remove(q);
      else {
        this.queue.done(q);
        q.where = 'gone';
      }
      this.queued.delete(key);
    }
    // A deleted nominated pod frees the room it held on its node (NodeResourcesFit's hint for UnscheduledPod/Delete).
    const nominated = this.nominations.delete(key);
    if (pod.spec.nodeName === '' && nominated) this.clusterEvent(UNSCHEDULED_POD_DELETE, pod, undefined);
    this.release(key);
  }

  /** Confirms a bound pod in the cache (a no-op when it was assumed on the same node, apart from its newer object). */
  private account(pod: Pod, key: string): void {
    const prev = this.pods.get(key);
    // The common case, a status update of a pod the cache holds on its node, needs no node lookup.
    if (prev !== undefined && prev.pod.spec.nodeName === pod.spec.nodeName && this.table.isLive(prev.row)) {
      this.pods.updateEntry(prev, pod);
      return;
    }
    const row = this.table.indexOf(pod.spec.nodeName);
    if (prev !== undefined) {
      if (prev.row === row) {
        this.pods.updateEntry(prev, pod);
        return;
      }
      this.pods.remove(key);
    }
    if (row < 0) return;
    const gpu = this.table.gpu === null ? null : grantOfBound(this.table.gpu, row, pod.metadata.annotations, pod.metadata.name);
    this.pods.add(key, pod, row, podRequests(pod.spec, this.podLevelResources), hostPorts(pod.spec), gpu);
  }

  /**
   * An assigned pod was deleted or finished: its resources are free (AssignedPodDelete; a finished pod leaves
   * the cache as a deleted one does).
   */
  private release(key: string): void {
    this.dra?.unreserve(key);
    const gone = this.pods.remove(key);
    if (gone === undefined) return;
    this.clusterEvent(ASSIGNED_POD_DELETE, gone.pod, undefined);
  }

  /**
   * MoveAllToActiveOrBackoffQueue for one event (with QueueingHints off, an assigned pod add/update first
   * keeps only the pods it may concern: AssignedPodAdded's getUnschedulablePodsWithCrossTopologyTerm).
   */
  private clusterEvent(e: ClusterEvent, old: Node | Pod | undefined, neu: Node | Pod | undefined): void {
    const crossTopology =
      !this.queue.hints.hintsEnabled && (e === ASSIGNED_POD_ADD || e === ASSIGNED_POD_UPDATE_LABEL)
        ? (p: QueuedPod): boolean => crossTopologyTerm(p, neu as Pod)
        : undefined;
    if (this.gang !== null && e === ASSIGNED_POD_ADD) this.gang.events++;
    if (this.queue.onEvent(e, old, neu, this.sim.now, crossTopology) > 0) this.afterMove();
  }

  private afterMove(): void {
    this.armBackoffTimer();
    this.kick();
  }

  private kick(): void {
    if (this.busy) return;
    const p = this.queue.pop();
    if (p === undefined) return;
    this.busy = true;
    const kernel = this.kernels.get(p.pod.spec.schedulerName) as Kernel;
    const pod = p.pod;
    let input = podInput(
      pod.spec,
      pod.metadata,
      needsDefaultSelector(kernel.profile, pod) ? this.defaultSelector(pod) : undefined,
      this.podLevelResources,
    );
    const gangMessage = this.gangPreFilter(p, kernel);
    if (gangMessage !== null) {
      // Coscheduling PreFilter: UnschedulableAndUnresolvable, the cycle ends before Filter (and no preemption);
      // its PostFilter still runs.
      this.attempts++;
      this.gangPostFilter(p, kernel);
      this.current = {
        p,
        input,
        rejectors: COSCHEDULING,
        node: -1,
        start: this.sim.now,
        message: fitErrorMessage(this.table.live, new Map(), gangMessage),
        ports: input.hostPorts,
        nominate: null,
        clearNomination: false,
        error: null,
      };
      const work = { visited: 0, scored: 0, affinityTermChecks: 0, spreadChecks: 0, preemptionNodes: 0, preemptionFilters: 0 };
      this.sim.after(cycleCost({ allNodes: this.table.live, ...work }, this.params), this.cycleEndKind);
      return;
    }
    if (pod.spec.claims !== undefined) {
      const volumes = volumeInput(pod.metadata.namespace, pod.spec.claims, this.volumeListers, p.key);
      input = { ...input, volumes };
    }
    if (this.dra !== null && pod.spec.resourceClaims !== undefined) input = { ...input, dra: { plugin: this.dra, pod } };
    const nominated = this.nominatedFor(p.key, pod.spec.priority);
    const own = this.nominations.get(p.key);
    // The sharded search (parallel/scanner.ts) does not implement nominated pods, so cycles with nominations
    // run the sequential kernel. A sharded search that finds no node hands the cycle back to the sequential
    // kernel too, which records the per-node statuses preemption reads. GPU profiles (plugins/open-gpu-share) keep to the
    // sequential kernel.
    const sharded =
      this.scanner !== null &&
      kernel.gpuShare === null &&
      nominated.length === 0 &&
      own === undefined &&
      input.volumes === undefined &&
      input.dra === undefined;
    const d =
      (sharded ? this.scanner?.schedule(kernel, this.table, input, this.search, this.rng, this.pods) : null) ??
      kernel.schedule(this.table, input, this.search, this.rng, { pods: this.pods, nominated, nominatedRow: own?.row ?? -1 });
    this.attempts++;
    this.nodesVisited += d.visited;
    let message = d.error?.message ?? (d.node < 0 ? fitErrorMessage(this.table.live, d.diagnosis ?? new Map(), d.preFilterMessage) : '');
    let nominate: { row: number; victims: readonly AssignedPod[] } | null = null;
    // schedulingAlgorithm: a failure other than a FitError (no nodes, a PreScore error) clears the nomination and
    // skips PostFilter.
    let clearNomination = d.error !== undefined && (own !== undefined || pod.status.nominatedNodeName !== undefined);
    let preemptionNodes = 0;
    let preemptionFilters = 0;
    if (d.node < 0 && d.error === undefined && preemptionOf(kernel.profile) !== null) {
      if (this.eligibleToPreempt(pod, own, kernel)) {
        const budgets = this.budgets === null ? [] : [...this.budgets.values()];
        const out = preempt(
          kernel,
          this.table,
          this.pods,
          pod.spec.priority,
          preemptionOf(kernel.profile) as PreemptionArgs,
          nominated,
          this.rng,
          this.sim.now,
          budgets,
        );
        preemptionNodes = out.dryRuns;
        preemptionFilters = out.evaluations;
        if (out.row >= 0) nominate = { row: out.row, victims: out.victims };
        else {
          // "preemption: not helpful": a stale nomination is cleared (nominatingInfo with an empty node name).
          clearNomination = own !== undefined;
          message = `${message.slice(0, -1)}. preemption: 0/${this.table.live} nodes are available: ${
            out.candidates === 0 ? 'No preemption victims found for incoming pod' : 'no candidate'
          }.`;
        }
      }
    }
    // RunPostFilterPlugins stops at the first success: Coscheduling (enabled after DefaultPreemption) runs when
    // preemption nominated no node.
    if (d.node < 0 && d.error === undefined && nominate === null) this.gangPostFilter(p, kernel);
    const scored = d.feasible > 1 ? d.feasible : 0;
    const scan = kernel.podScanWork(input, this.pods, scored > 0);
    const cost = cycleCost(
      { allNodes: this.table.live, visited: d.visited, scored, ...scan, preemptionNodes, preemptionFilters },
      this.params,
    );
    this.current = {
      p,
      input,
      rejectors: d.rejectors ?? 0,
      node: d.node,
      start: this.sim.now,
      message,
      ports: input.hostPorts,
      nominate,
      clearNomination,
      error: d.error ?? null,
    };
    this.sim.after(cost, this.cycleEndKind);
  }

  /** What the rejectors' hint functions read of a failed pod (the spreading constraints only when they matter). */
  private hintPod(p: QueuedPod, input: PodInput, rejectors: number): HintPod {
    const kernel = this.kernels.get(p.pod.spec.schedulerName) as Kernel;
    const spreadHard =
      (rejectors & POD_TOPOLOGY_SPREAD) === 0
        ? []
        : spreadConstraints(
            p.pod.spec,
            input.namespace,
            input.labels,
            'DoNotSchedule',
            kernel.profile.args.PodTopologySpread,
            input.defaultSpreadSelector,
          );
    return { pod: p.pod, input, spreadHard, addedAffinity: kernel.profile.args.NodeAffinity.addedAffinity };
  }

  /** Nominated pods other than `key` with priority ≥ `priority` (addNominatedPods). */
  private nominatedFor(key: string, priority: number): NominatedPod[] {
    const out: NominatedPod[] = [];
    for (const [k, n] of this.nominations) if (k !== key && n.priority >= priority) out.push(n);
    return out;
  }

  /**
   * PodEligibleToPreemptOthers: not with preemptionPolicy Never; not while a lower-priority pod on its nominated
   * node is still terminating because of a preemption (unless that node is now unresolvable for it).
   */
  private eligibleToPreempt(pod: Pod, own: Nomination | undefined, kernel: Kernel): boolean {
    if (pod.spec.preemptionPolicy === 'Never') return false;
    if (own === undefined || kernel.status[own.row] === UNRESOLVABLE) return true;
    for (const e of this.pods.on(own.row)) {
      if (e.pod.spec.priority < pod.spec.priority && e.terminating && e.pod.status.disruptionTarget === PREEMPTION_BY_SCHEDULER)
        return false;
    }
    return true;
  }

  /**
   * helper.DefaultSelector: the selectors of the Services in the pod's namespace that select it, then its
   * controlling ReplicaSet's selector, ANDed. undefined when there are none.
   */
  private defaultSelector(pod: Pod): LabelSelector | undefined {
    const owner0 = pod.metadata.ownerReferences.find((o) => o.controller);
    const memoKey = `${pod.metadata.namespace}/${owner0?.kind ?? ''}/${owner0?.name ?? ''}`;
    const hit = this.selectorMemo.get(memoKey);
    // Pods of one controller share their labels object (the template's), so the memo holds for them.
    if (hit !== undefined && hit.labels === pod.metadata.labels) return hit.selector;
    const selector = defaultSpreadSelector(pod, this.services.values(), this.replicaSets);
    this.selectorMemo.set(memoKey, { labels: pod.metadata.labels, selector });
    return selector;
  }

  private readonly selectorMemo = new Map<string, { labels: object; selector: LabelSelector | undefined }>();

  private listerChanged(_?: unknown): void {
    this.selectorMemo.clear();
  }

  private endCycle(): void {
    const c = this.current as NonNullable<typeof this.current>;
    this.current = null;
    this.busy = false;
    const p = c.p;
    const duration = this.sim.now - c.start;
    let grant: GpuGrant | null | undefined = null;
    if (p.where === 'gone') {
      // Deleted while in flight: nothing to bind.
      this.queue.done(p);
    } else if (
      c.node >= 0 &&
      !this.gangPodGroupMissing(p, c) &&
      this.draReserve(p, c) &&
      (grant = this.reserveGpu(p, c.node)) !== undefined
    ) {
      const nodeName = this.table.names[c.node];
      this.observer.attempt(p.pod, p.key, nodeName, duration, '');
      this.nominations.delete(p.key);
      this.assumeAndPermit(p, c.node, nodeName, c.ports, grant, c.input.volumes?.delayed ?? NO_CLAIMS);
    } else {
      this.dra?.unreserve(p.key);
      if (c.node >= 0) {
        c.message = `0/${this.table.count} nodes are available: Open-Gpu-Share Reserve found no free GPU on ${this.table.names[c.node]}.`;
        c.rejectors = GPU_SHARE;
      }
      this.unschedulableAttempts++;
      this.observer.attempt(p.pod, p.key, null, duration, c.message);
      let nominated: string | undefined | null = null;
      if (c.nominate !== null) nominated = this.nominate(p, c.nominate.row, c.nominate.victims);
      else if (c.clearNomination) {
        this.nominations.delete(p.key);
        nominated = undefined;
      }
      p.rejectors = c.rejectors;
      p.hint = this.hintPod(p, c.input, c.rejectors);
      this.queue.addUnschedulable(p, this.sim.now);
      this.armBackoffTimer();
      this.armUnschedulableTimer();
      if (p.lastFailure === '' || nominated !== null) {
        // updatePod writes the PodScheduled=False condition (and nominatedNodeName) only when they change.
        this.api.update(this.client, 'Pod', p.key, (cur) => {
          if (cur.kind !== 'Pod' || cur.spec.nodeName !== '') return null;
          const status = { ...cur.status, reason: c.error?.reason ?? 'Unschedulable', message: c.message };
          if (nominated !== null) {
            if (nominated === undefined) delete (status as { nominatedNodeName?: string }).nominatedNodeName;
            else (status as { nominatedNodeName?: string }).nominatedNodeName = nominated;
          }
          return { ...cur, status };
        });
      }
      p.lastFailure = c.message;
    }
    this.kick();
  }

  /**
   * prepareCandidate: evict the victims (DisruptionTarget condition, then a graceful delete), clear the
   * nominations of lower-priority pods to that node, and nominate the pod there. Returns the node name.
   */
  private nominate(p: QueuedPod, row: number, victims: readonly AssignedPod[]): string {
    const nodeName = this.table.names[row];
    this.preemptions++;
    this.victims += victims.length;
    this.observer.preempted?.(
      p.pod,
      nodeName,
      victims.map((v) => v.pod),
    );
    for (const v of victims) this.evict(v.key);
    for (const [k, n] of this.nominations) {
      if (n.row === row && n.priority < p.pod.spec.priority) {
        this.nominations.delete(k);
        this.api.update(this.client, 'Pod', k, (cur) => {
          if (cur.kind !== 'Pod' || cur.status.nominatedNodeName === undefined) return null;
          const status = { ...cur.status };
          delete (status as { nominatedNodeName?: string }).nominatedNodeName;
          return { ...cur, status };
        });
      }
    }
    this.nominations.set(p.key, { row, priority: p.pod.spec.priority, requests: p.requests, ports: hostPorts(p.pod.spec) });
    return nodeName;
  }

  /**
   * A victim's eviction as upstream does it: a status PATCH adding the DisruptionTarget condition, then DELETE
   * with the pod's terminationGracePeriodSeconds. The API server's graceful delete sets deletionTimestamp (the
   * pod keeps its node and resources, and stops counting for spreading and for its ReplicaSet); the victim's
   * kubelet stops it and sends the final DELETE (api/graceful-delete.ts, node/kubelet.ts terminate).
   */
  private evict(key: string): void {
    // The two calls are sequential, as in upstream's preemption goroutine.
    this.api.update(
      this.client,
      'Pod',
      key,
      (cur) =>
        cur.kind === 'Pod' && cur.status.disruptionTarget === undefined
          ? { ...cur, status: { ...cur.status, disruptionTarget: PREEMPTION_BY_SCHEDULER } }
          : null,
      (r) => {
        if (r.ok) this.api.delete(this.client, 'Pod', key);
      },
    );
  }

  /**
   * Open-Gpu-Share Reserve at the end of the cycle: the pod's devices on the node (null without GPUs), or
   * undefined when they are gone since the cycle's filter (another pod took them): the cycle then fails.
   */
  private reserveGpu(p: QueuedPod, row: number): GpuGrant | null | undefined {
    const kernel = this.kernels.get(p.pod.spec.schedulerName);
    const grant = kernel?.reserveGpu(this.table, row) ?? null;
    return grant !== null && grant.devices === 0 ? undefined : grant;
  }

  /**
   * Coscheduling Permit for a pod of a group whose PodGroup does not exist: Unschedulable ("PodGroup not found"),
   * so the cycle fails (the pod is never bound). Sets the failure on the cycle.
   */
  private gangPodGroupMissing(p: QueuedPod, c: NonNullable<typeof this.current>): boolean {
    const kernel = this.kernels.get(p.pod.spec.schedulerName) as Kernel;
    if (this.gang === null || gangOf(kernel.profile) === null) return false;
    const g = podGroupKey(p.pod);
    if (g === '' || this.gang.groups.has(g)) return false;
    c.node = -1;
    c.rejectors = COSCHEDULING;
    c.message = `0/${this.table.live} nodes are available: PodGroup not found.`;
    return true;
  }

  /**
   * Coscheduling PreFilter (PodGroupManager.PreFilter): the pod's group is backed off, or has fewer pods than
   * minMember. Returns the rejection message, or null (no group, no PodGroup, or it passes).
   */
  private gangPreFilter(p: QueuedPod, kernel: Kernel): string | null {
    const gp = gangOf(kernel.profile);
    if (this.gang === null || gp === null || !gp.preFilter) return null;
    const g = podGroupKey(p.pod);
    const pg = g === '' ? undefined : this.gang.groups.get(g);
    if (pg === undefined) return null;
    return gangPreFilter(p.pod.metadata.name, g, pg, this.gang.membersOf(g).size, this.gang.isBackedOff(g, this.sim.now));
  }

  /**
   * Coscheduling PostFilter: when the group is far from its quorum, reject its waiting pods (they free their
   * nodes) and, with podGroupBackoffSeconds, back the group off if all its pods exist.
   */
  private gangPostFilter(p: QueuedPod, kernel: Kernel): void {
    const gp = gangOf(kernel.profile);
    if (this.gang === null || gp === null || !gp.postFilter) return;
    const g = podGroupKey(p.pod);
    const pg = g === '' ? undefined : this.gang.groups.get(g);
    if (pg === undefined) return;
    if (!postFilterRejectsGroup(pg, this.gang.assigned(g, this.pods, p.key))) return;
    this.rejectGroup(g, 'optimistic rejection in PostFilter');
    if (gp.podGroupBackoffSeconds > 0 && this.gang.membersOf(g).size >= pg.spec.minMember)
      this.gang.backedOff.set(g, this.sim.now + gp.podGroupBackoffSeconds * MICROS_PER_SECOND);
  }

  /**
   * Assume the pod on its node (Reserve), then Permit: a pod outside any Coscheduling group binds at once; a
   * pod of a group that reaches minMember with it allows the group's waiting pods and binds; otherwise it waits,
   * holding its node's resources, until its group is allowed or its wait times out.
   */
  private assumeAndPermit(
    p: QueuedPod,
    row: number,
    nodeName: string,
    ports: readonly HostPort[],
    gpu: GpuGrant | null,
    delayed: readonly PersistentVolumeClaim[],
  ): void {
    const kernel = this.kernels.get(p.pod.spec.schedulerName) as Kernel;
    const gp = gangOf(kernel.profile);
    const g = this.gang === null || gp === null ? '' : podGroupKey(p.pod);
    const gang = this.gang;
    if (gang === null || gp === null || g === '') {
      this.assumeAndBind(p, row, nodeName, ports, gpu, delayed);
      return;
    }
    const pg = gang.groups.get(g) as PodGroup;
    // CalculateAssignedPods reads the cycle's snapshot, which does not hold the pod itself.
    const assigned = gang.assigned(g, this.pods, p.key);
    if (gangPermit(pg, assigned) === 'allow') {
      for (const w of gang.waitingOf(g)) this.allow(w);
      this.assumeAndBind(p, row, nodeName, ports, gpu, delayed);
      return;
    }
    this.pods.add(p.key, p.pod, row, p.requests, ports, gpu);
    this.queue.done(p);
    const key = p.key;
    const wait = waitSeconds(pg, gp) * MICROS_PER_SECOND;
    const token = ++gang.tokens;
    this.sim.callAfter(wait, () => this.permitTimeout(key, token));
    gang.waiting.set(key, {
      p,
      group: g,
      row,
      nodeName,
      gpu,
      delayed,
      since: this.sim.now,
      events: gang.events,
      token,
    });
    // ActivateSiblings (the group's first assumed pod): the group's other pods go to activeQ at once.
    if (assigned === 0) {
      let moved = 0;
      for (const k of gang.membersOf(g)) {
        const q = this.queued.get(k);
        if (k !== key && q !== undefined && this.queue.activate(q)) moved++;
      }
      if (moved > 0) this.afterMove();
    }
  }

  get gangEnabled(): boolean {
    return this.gang !== null;
  }

  /** At the end of a run: the pods still waiting at Permit held their resources until `end` (metrics). */
  endGangWaits(end: Micros): void {
    if (this.gang === null) return;
    for (const w of this.gang.waiting.values()) this.observer.gangWaited?.(w.p.pod, w.p.key, gpusOf(w.p), w.since, end, false);
  }

  /** WaitingPod.Allow: the pod's binding cycle goes on. */
  private allow(w: WaitingPod): void {
    const gang = this.gang as GangState;
    gang.waiting.delete(w.p.key);
    this.observer.gangWaited?.(w.p.pod, w.p.key, gpusOf(w.p), w.since, this.sim.now, true);
    const assumed = this.pods.get(w.p.key);
    if (assumed === undefined) return;
    this.queued.delete(w.p.key);
    w.p.where = 'gone';
    this.bind(w.p.key, w.nodeName, w.gpu, assumed, w.row, w.delayed);
  }

  /** The Permit wait ran out ("rejected due to timeout after waiting … at plugin Coscheduling"). */
  private permitTimeout(key: string, token: number): void {
    const gang = this.gang as GangState;
    const w = gang.waiting.get(key);
    if (w === undefined || w.token !== token) return;
    this.gangTimeouts++;
    this.reject(w, `rejected due to timeout after waiting ${(this.sim.now - w.since) / MICROS_PER_SECOND}s at plugin Coscheduling`);
    // Coscheduling Unreserve: the rejected pod rejects every other waiting pod of its group.
    this.rejectGroup(w.group, 'rejection in Unreserve');
  }

  /** WaitingPod.Reject for every waiting pod of the group, in wait order. */
  private rejectGroup(group: string, message: string): void {
    for (const w of (this.gang as GangState).waitingOf(group)) this.reject(w, message);
  }

  /**
   * A waiting pod rejected: its binding cycle fails (handleBindingCycleError): the cache forgets it (its node's
   * resources are free: AssignedPodDelete), and it goes back to the queue rejected by Coscheduling; it is retried
   * after its backoff if one of Coscheduling's events (Pod Add, PodGroup Add/Update) came while it waited
   * (in-flight events), else it waits in unschedulablePods for one.
   */
  private reject(w: WaitingPod, message: string): void {
    const gang = this.gang as GangState;
    gang.waiting.delete(w.p.key);
    this.observer.gangWaited?.(w.p.pod, w.p.key, gpusOf(w.p), w.since, this.sim.now, false);
    const p = w.p;
    this.release(p.key);
    if (p.where === 'gone') return;
    this.unschedulableAttempts++;
    const msg = `0/${this.table.live} nodes are available: ${message}.`;
    p.rejectors = COSCHEDULING;
    p.hint = null;
    this.queue.addUnschedulable(p, this.sim.now, gang.events !== w.events);
    this.armBackoffTimer();
    this.armUnschedulableTimer();
    if (p.lastFailure === '') {
      this.api.update(this.client, 'Pod', p.key, (cur) =>
        cur.kind !== 'Pod' || cur.spec.nodeName !== ''
          ? null
          : { ...cur, status: { ...cur.status, reason: 'Unschedulable', message: msg } },
      );
    }
    p.lastFailure = msg;
    this.kick();
  }

  private assumeAndBind(
    p: QueuedPod,
    row: number,
    nodeName: string,
    ports: readonly HostPort[],
    gpu: GpuGrant | null,
    delayed: readonly PersistentVolumeClaim[],
  ): void {
    const key = p.key;
    const assumed = this.pods.add(key, p.pod, row, p.requests, ports, gpu);
    this.queue.done(p);
    this.queued.delete(key);
    p.where = 'gone';
    this.bind(key, nodeName, gpu, assumed, row, delayed);
  }

  /**
   * The binding cycle: VolumeBinding PreBind for the pod's delayed claims (bindVolumes), then DefaultBinder.
   */
  private bind(
    key: string,
    nodeName: string,
    gpu: GpuGrant | null,
    assumed: AssignedPod,
    row: number,
    delayed: readonly PersistentVolumeClaim[],
  ): void {
    const index = gpu === null ? null : gpuIndexOf(gpu.devices);
    const bindPod = (): void => this.bindPod(key, assumed, nodeName, index);
    // PreBind: VolumeBinding, then DynamicResources (default plugin order), then DefaultBinder.
    const bind = this.dra === null ? bindPod : (): void => this.draPreBind(key, assumed, bindPod);
    if (delayed.length === 0) bind();
    else this.bindVolumes(key, assumed, row, delayed, bind);
  }

  /**
   * VolumeBinding Reserve (AssumePodVolumes) and PreBind (BindPodVolumes): each unbound WaitForFirstConsumer claim
   * gets a matching available volume admitted by the node (its claimRef is written; the PV controller completes
   * the binding) or, failing that, the selected-node annotation that makes the PV controller provision it in the
   * node's zone. The pod's binding waits until every claim is Bound; after bindTimeoutSeconds (600 s) the binding
   * cycle fails: the assumption is forgotten and the pod goes back to the queue (Unreserve).
   */
  private bindVolumes(key: string, assumed: AssignedPod, row: number, delayed: readonly PersistentVolumeClaim[], bind: () => void): void {
    const left = new Set<string>();
    const taken = new Set<string>();
    const assumedHere: string[] = [];
    const node = this.table.nodes[row];
    const listers = this.volumeListers;
    const defaultClass = listers.defaultClass();
    for (const d of delayed) {
      const pvc = listers.claim(d.metadata.namespace, d.metadata.name) ?? d;
      if (pvc.status.phase === 'Bound') continue;
      const claimKey = claimKeyOf(pvc.metadata.namespace, pvc.metadata.name);
      left.add(claimKey);
      if (pvc.spec.volumeName !== '') continue;
      const pv = findMatchingVolume(pvc, claimClass(pvc, defaultClass), listers.volumes(), node.metadata.labels, taken);
      if (pv !== undefined) {
        taken.add(pv.metadata.name);
        this.assumedVolumes.set(pv.metadata.name, claimKey);
        assumedHere.push(pv.metadata.name);
        this.api.update(this.client, 'PersistentVolume', objectKey('PersistentVolume', '', pv.metadata.name), (cur) =>
          cur.kind === 'PersistentVolume' && cur.spec.claimRef === '' ? { ...cur, spec: { ...cur.spec, claimRef: claimKey } } : null,
        );
      } else {
        this.api.update(
          this.client,
          'PersistentVolumeClaim',
          objectKey('PersistentVolumeClaim', pvc.metadata.namespace, pvc.metadata.name),
          (cur) =>
            cur.kind === 'PersistentVolumeClaim' && cur.metadata.annotations[ANN_SELECTED_NODE] !== node.metadata.name
              ? {
                  ...cur,
                  metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, [ANN_SELECTED_NODE]: node.metadata.name } },
                }
              : null,
        );
      }
    }
    if (left.size === 0) return bind();
    const wait = { left, bind };
    this.volumeWaits.set(key, wait);
    this.sim.callAfter(BIND_TIMEOUT, () => {
      if (this.volumeWaits.get(key) !== wait) return;
      this.volumeWaits.delete(key);
      this.volumeBindTimeouts++;
      // RevertAssumedPVs.
      for (const name of assumedHere) this.assumedVolumes.delete(name);
      // Unreserve: forget the assumed pod; it is scheduled again from the queue.
      if (this.pods.get(key) === assumed) this.release(key);
      const pod = this.podCache.get(key);
      if (pod !== undefined && pod.spec.nodeName === '') this.onPodAdd(pod, key);
    });
  }

  /** A claim seen Bound releases the pods waiting for it at PreBind. */
  private claimUpdated(pvc: PersistentVolumeClaim, objKey: string): void {
    if (pvc.status.phase !== 'Bound' || this.volumeWaits.size === 0) return;
    void objKey;
    const claimKey = claimKeyOf(pvc.metadata.namespace, pvc.metadata.name);
    for (const [k, w] of this.volumeWaits) {
      if (!w.left.delete(claimKey) || w.left.size > 0) continue;
      this.volumeWaits.delete(k);
      w.bind();
    }
  }

  private bindPod(key: string, assumed: AssignedPod, nodeName: string, index: string | null): void {
    // DefaultBinder: POST pods/<name>/binding, which sets spec.nodeName.
    this.api.update(
      this.client,
      'Pod',
      key,
      // The GPU-sharing plugin records the devices as the pod's gpu-index annotation (sent with the binding here).
      (cur) =>
        cur.kind === 'Pod' && cur.spec.nodeName === ''
          ? {
              ...cur,
              ...(index === null
                ? {}
                : { metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, [GPU_INDEX]: index } } }),
              spec: { ...cur.spec, nodeName },
              ...(cur.status.schedulingGated === true ? { status: { ...cur.status, schedulingGated: false } } : {}),
            }
          : null,
      (r) => {
        const bound = r.ok && r.object !== undefined && r.object.kind === 'Pod' && r.object.spec.nodeName === nodeName;
        if (!bound) {
          // The pod vanished or was bound elsewhere: forget the assumption.
          if (this.pods.get(key) === assumed) this.pods.remove(key);
        }
      },
    );
  }

  private armBackoffTimer(): void {
    if (this.backoffTimerArmed || this.queue.backoffSize === 0) return;
    this.backoffTimerArmed = true;
    const next = (Math.floor(this.sim.now / BACKOFF_FLUSH_PERIOD) + 1) * BACKOFF_FLUSH_PERIOD;
    this.sim.callAt(next, () => {
      this.backoffTimerArmed = false;
      if (this.queue.flushBackoff(this.sim.now) > 0) this.kick();
      this.armBackoffTimer();
    });
  }

  private armUnschedulableTimer(): void {
    if (this.unschedTimerArmed || this.queue.unschedulableSize === 0) return;
    this.unschedTimerArmed = true;
    const next = (Math.floor(this.sim.now / UNSCHEDULABLE_FLUSH_PERIOD) + 1) * UNSCHEDULABLE_FLUSH_PERIOD;
    this.sim.callAt(next, () => {
      this.unschedTimerArmed = false;
      if (this.queue.flushUnschedulableLeftover(this.sim.now) > 0) {
        this.armBackoffTimer();
        this.kick();
      }
      this.armUnschedulableTimer();
    });
  }
}

/**
 * getUnschedulablePodsWithCrossTopologyTerm (scheduling_queue.go): an assigned pod's add or update concerns a
 * pod rejected by PodTopologySpread in its namespace, or one with a required affinity term it matches.
 */
/** The pod's nvidia.com/gpu request. */
function gpusOf(p: QueuedPod): number {
  return p.requests.scalars[NVIDIA_GPU] ?? 0;
}

function crossTopologyTerm(p: QueuedPod, assigned: Pod): boolean {
  const h = p.hint;
  if (h === undefined || h === null) return false;
  if (((p.rejectors ?? 0) & POD_TOPOLOGY_SPREAD) !== 0 && assigned.metadata.namespace === p.pod.metadata.namespace) return true;
  const a = h.input.podAffinity;
  if (a === null) return false;
  for (const t of a.requiredAffinity) if (podMatches(t.matcher, assigned.metadata.namespace, assigned.metadata.labels)) return true;
  return false;
}
