/**
 * Sees every object transition at its commit time (through the API server's commit hook, which costs no
 * simulated request) and what the scheduler, kubelets and kube-proxy report, and keeps per-pod timestamps,
 * allocation over time and latency samples. Pure bookkeeping: it never changes the simulation.
 */
import { GPU_COUNT, GPU_MILLI, gpuRequestOf } from '../gpu/resources.js';
import type { KubeObject, Node, Pod, ReplicaSet } from '../api/objects.js';
import { isTerminal, keyOf } from '../api/objects.js';
import { podRequests } from '../api/pod-resources.js';
import type { WatchEventType } from '../api/api-server.js';
import type { Micros } from '../core/time.js';
import type { KubeletObserver } from '../node/kubelet.js';
import type { KubeProxyObserver } from '../node/kube-proxy.js';
import type { SchedulerObserver } from '../scheduler/scheduler.js';
import type { TaintEvictionObserver } from '../controllers/taint-eviction.js';
import type { FaultObserver } from '../faults/injector.js';
import type { Fault } from '../faults/types.js';
import { TimeSeriesSampler, type ClusterState } from './timeseries.js';
import type { Tracer } from './trace.js';

export interface PodRecord {
  readonly key: string;
  readonly created: Micros;
  bound: Micros;
  node: string;
  running: Micros;
  finished: Micros;
  deleted: Micros;
  /** deletionTimestamp first committed (a graceful delete); the pod is Terminating until `deleted`. */
  terminating: Micros;
  attempts: number;
  phase: Pod['status']['phase'];
  /** GPU milli the pod requests (count × milli of its GPU annotations; 0 without GPUs). */
  readonly gpuMilli: number;
}

/** Where a pod stands, for the pending/running counts of the time series. */
type PodState = 'pending' | 'starting' | 'running' | 'done';

function podState(r: PodRecord): PodState {
  if (r.deleted >= 0 || r.terminating >= 0 || r.finished >= 0) return 'done';
  if (r.bound < 0) return 'pending';
  return r.phase === 'Running' ? 'running' : 'starting';
}

/** A pod owned by a ReplicaSet, for the replica deficit: is it serving (ready, alive, on a live node)? */
interface ReplicaPod {
  readonly rs: string;
  node: string;
  serving: boolean;
}

/** The controlling owner of a pod (ReplicaSet, Job…) as namespace/kind/name, or undefined for a bare pod. */
function ownerOf(pod: Pod): string | undefined {
  for (const o of pod.metadata.ownerReferences) if (o.controller) return `${pod.metadata.namespace}/${o.kind}/${o.name}`;
  return undefined;
}

function rsOwner(pod: Pod): string | undefined {
  for (const o of pod.metadata.ownerReferences) if (o.controller && o.kind === 'ReplicaSet') return `${pod.metadata.namespace}/${o.name}`;
  return undefined;
}

/** A pod's GPU request in milli from its GPU-sharing annotations (engine/gpu/resources.ts); 0 when absent or malformed. */
function gpuMilliOf(pod: Pod): number {
  const a = pod.metadata.annotations;
  if (a[GPU_COUNT] === undefined && a[GPU_MILLI] === undefined) return 0;
  const g = gpuRequestOf(pod);
  return typeof g === 'string' ? 0 : g.count * g.milli;
}

export class MetricsRecorder implements SchedulerObserver, KubeletObserver, KubeProxyObserver, TaintEvictionObserver, FaultObserver {
  readonly pods = new Map<string, PodRecord>();
  /** Commit times of bindings, in order. */
  readonly bindTimes: Micros[] = [];
  /**
   * Keys of the pods whose latencies and bindings the scheduling metrics use (a step list's collectMetrics
   * steps, as scheduler_perf measures only those); null = every pod.
   */
  measured: Set<string> | null = null;
  readonly netProgLatencies: Micros[] = [];
  readonly attemptDurations: Micros[] = [];
  allocCpu = 0;
  allocMem = 0;
  nodes = 0;
  private usedCpu = 0;
  private usedMem = 0;
  private cpuArea = 0;
  private memArea = 0;
  private lastT: Micros = 0;
  private readonly podsPerNode = new Map<string, number>();
  private readonly accounted = new Map<string, { cpu: number; mem: number; gpu: number; node: string }>();
  /** GPU milli of the registered nodes (alibabacloud.com/gpu-milli), allocated to bound pods, its integral and peak. */
  allocGpu = 0;
  private usedGpu = 0;
  private gpuArea = 0;
  private gpuPeak = 0;
  private pendingPods = 0;
  private runningPods = 0;
  /** Samples of the cluster state every `sampleInterval` of virtual time (timeseries.csv). */
  readonly series: TimeSeriesSampler;

  // Nodes over time: registered (Node objects in etcd) and Ready, and the node-time integral (cost).
  nodesNow = 0;
  nodesMax = 0;
  readyNodes = 0;
  private nodeArea = 0;
  private nodeLastT: Micros = 0;

  // Faults and their consequences.
  /** Pods running or starting on a node when it went down. */
  podsLost = 0;
  /** Pods deleted by the taint eviction controller. */
  podsEvicted = 0;
  /** Replacement pods bound: pods of an owner that lost or had evicted pods, at most one per such pod. */
  podsRescheduled = 0;
  private readonly displaced = new Set<string>();
  private readonly owed = new Map<string, number>();
  private readonly replacements = new Set<string>();
  private readonly deadNodes = new Set<string>();
  private readonly ownerByPod = new Map<string, string>();

  // Replica deficit: Σ over ReplicaSets of max(0, spec.replicas − serving pods), for recovery times.
  private readonly desired = new Map<string, number>();
  private readonly servingByRs = new Map<string, number>();
  private readonly replicaPods = new Map<string, ReplicaPod>();
  private readonly servingOnNode = new Map<string, Set<string>>();
  deficit = 0;
  /** Start times of node faults not yet recovered from. */
  private readonly openFaults: Micros[] = [];
  /** Time from each node fault to full replicas again (µs), in the order they recovered. */
  readonly recoveryTimes: Micros[] = [];
  nodeFaults = 0;

  constructor(
    private readonly now: () => Micros,
    private readonly tracer: Tracer,
    sampleInterval: Micros = 1_000_000,
  ) {
    this.series = new TimeSeriesSampler(sampleInterval, () => this.state());
  }

  /** The state the time series samples. */
  state(): ClusterState {
    return {
      pending: this.pendingPods,
      running: this.runningPods,
      bound: this.bindTimes.length,
      cpuPct: this.allocCpu > 0 ? (100 * this.usedCpu) / this.allocCpu : 0,
      memPct: this.allocMem > 0 ? (100 * this.usedMem) / this.allocMem : 0,
      gpuPct: this.allocGpu > 0 ? (100 * this.usedGpu) / this.allocGpu : NaN,
      nodesInUse: this.podsPerNode.size,
      nodes: this.nodesNow,
      nodesReady: this.readyNodes,
    };
  }

  /** The pods the latency and throughput metrics are computed from. */
  measuredPods(): PodRecord[] {
    const m = this.measured;
    const all = [...this.pods.values()];
    return m === null ? all : all.filter((r) => m.has(r.key));
  }

  /** Binding commit times of the measured pods, in order. */
  measuredBindTimes(): readonly Micros[] {
    if (this.measured === null) return this.bindTimes;
    const out: Micros[] = [];
    for (const r of this.measuredPods()) if (r.bound >= 0) out.push(r.bound);
    return out.sort((a, b) => a - b);
  }

  private count(s: PodState, delta: number): void {
    if (s === 'pending') this.pendingPods += delta;
    else if (s === 'running') this.runningPods += delta;
  }

  /** `key` is the object's storage key (keyOf), passed in so that per-pod maps are not keyed by fresh strings. */
  readonly onCommit = (type: WatchEventType, obj: KubeObject, old: KubeObject | undefined, key: string): void => {
    this.series.before(this.now());
    if (obj.kind === 'Pod') this.onPod(type, obj, old?.kind === 'Pod' ? old : undefined, key);
    else if (obj.kind === 'Node') this.onNodeChange(type, obj, old?.kind === 'Node' ? old : undefined);
    else if (obj.kind === 'ReplicaSet') this.onReplicaSet(type, obj);
  };

  private onNodeChange(type: WatchEventType, n: Node, old: Node | undefined): void {
    if (type === 'ADDED') {
      this.advance();
      this.advanceNodes();
      this.nodes++;
      this.nodesNow++;
      this.nodesMax = Math.max(this.nodesMax, this.nodesNow);
      if (n.status.ready) this.readyNodes++;
      this.allocCpu += n.status.allocatable.cpu ?? 0;
      this.allocMem += n.status.allocatable.memory ?? 0;
      this.allocGpu += n.status.allocatable[GPU_MILLI] ?? 0;
    } else if (type === 'DELETED') {
      this.advance();
      this.advanceNodes();
      this.nodesNow--;
      if (n.status.ready) this.readyNodes--;
      this.allocCpu -= n.status.allocatable.cpu ?? 0;
      this.allocMem -= n.status.allocatable.memory ?? 0;
      this.allocGpu -= n.status.allocatable[GPU_MILLI] ?? 0;
    } else if (old !== undefined && old.status.ready !== n.status.ready) this.readyNodes += n.status.ready ? 1 : -1;
  }

  private advanceNodes(): void {
    const t = this.now();
    this.nodeArea += this.nodesNow * (t - this.nodeLastT);
    this.nodeLastT = t;
  }

  /** Node-hours over [0, end]: the cost of the machines, registered or not yet removed. */
  nodeHours(end: Micros): number {
    const area = this.nodeArea + this.nodesNow * Math.max(0, end - this.nodeLastT);
    return area / 3_600_000_000;
  }

  private onReplicaSet(type: WatchEventType, rs: ReplicaSet): void {
    const key = `${rs.metadata.namespace}/${rs.metadata.name}`;
    const before = this.contribution(key);
    if (type === 'DELETED') this.desired.delete(key);
    else this.desired.set(key, rs.spec.replicas);
    this.setDeficit(this.deficit - before + this.contribution(key));
  }

  private contribution(rs: string): number {
    return Math.max(0, (this.desired.get(rs) ?? 0) - (this.servingByRs.get(rs) ?? 0));
  }

  private setDeficit(d: number): void {
    this.deficit = d;
    if (d === 0 && this.openFaults.length > 0) {
      const t = this.now();
      for (const start of this.openFaults) this.recoveryTimes.push(t - start);
      this.openFaults.length = 0;
    }
  }

  /** Recomputes whether a ReplicaSet's pod serves (ready, not finishing, on a live node); null = deleted. */
  private trackReplica(key: string, pod: Pod | null): void {
    let r = this.replicaPods.get(key);
    if (r === undefined) {
      const rs = pod === null ? undefined : rsOwner(pod);
      if (rs === undefined) return;
      this.replicaPods.set(key, (r = { rs, node: '', serving: false }));
    }
    if (pod === null) this.replicaPods.delete(key);
    else r.node = pod.spec.nodeName;
    const serving =
      pod !== null &&
      pod.status.ready &&
      !isTerminal(pod) &&
      pod.metadata.deletionTimestamp === undefined &&
      !this.deadNodes.has(pod.spec.nodeName);
    this.setServing(key, r, serving);
  }

  private setServing(key: string, r: ReplicaPod, serving: boolean): void {
    if (serving === r.serving) return;
    const before = this.contribution(r.rs);
    r.serving = serving;
    this.servingByRs.set(r.rs, (this.servingByRs.get(r.rs) ?? 0) + (serving ? 1 : -1));
    let set = this.servingOnNode.get(r.node);
    if (serving) {
      if (set === undefined) this.servingOnNode.set(r.node, (set = new Set()));
      set.add(key);
    } else set?.delete(key);
    this.setDeficit(this.deficit - before + this.contribution(r.rs));
  }

  private onPod(type: WatchEventType, pod: Pod, old: Pod | undefined, key: string): void {
    this.trackReplica(key, type === 'DELETED' ? null : pod);
    if (type === 'ADDED') {
      const owner = ownerOf(pod);
      if (owner !== undefined) this.ownerByPod.set(key, owner);
      const owed = owner === undefined ? 0 : (this.owed.get(owner) ?? 0);
      if (owed > 0) {
        this.owed.set(owner as string, owed - 1);
        this.replacements.add(key);
      }
    }
    if (pod.spec.nodeName !== '' && this.replacements.delete(key)) this.podsRescheduled++;
    if (type === 'DELETED') {
      this.replacements.delete(key);
      this.ownerByPod.delete(key);
    }
    let rec = this.pods.get(key);
    if (type === 'ADDED' && rec !== undefined) {
      // A new pod under a deleted one's name (a StatefulSet's replacement): the old record stays, under its own key.
      this.pods.delete(key);
      this.pods.set(`${key}#${rec.created}`, rec);
      rec = undefined;
    }
    const before = rec === undefined ? null : podState(rec);
    const after = this.updatePod(type, pod, old, rec, key);
    if (after === undefined) return;
    if (before !== null) this.count(before, -1);
    this.count(podState(after), 1);
  }

  private updatePod(type: WatchEventType, pod: Pod, old: Pod | undefined, rec: PodRecord | undefined, key: string): PodRecord | undefined {
    const t = this.now();
    if (type === 'ADDED') {
      const added: PodRecord = {
        key,
        created: pod.metadata.creationTimestamp,
        bound: -1,
        node: '',
        running: -1,
        finished: -1,
        deleted: -1,
        terminating: -1,
        attempts: 0,
        phase: pod.status.phase,
        gpuMilli: gpuMilliOf(pod),
      };
      this.pods.set(key, added);
      if (this.tracer.active)
        this.tracer.record(
          pod,
          t,
          `created: accepted by the API server at ${fmtT(pod.metadata.creationTimestamp)}, committed to etcd at revision ${pod.metadata.resourceVersion}`,
        );
      if (pod.spec.nodeName !== '') this.onBound(added, pod, t);
      return added;
    }
    if (rec === undefined) return undefined;
    if (type === 'DELETED') {
      rec.deleted = t;
      this.release(key);
      if (this.tracer.active) this.tracer.record(pod, t, 'deleted');
      return rec;
    }
    if (pod.spec.nodeName !== '' && (old === undefined || old.spec.nodeName === '')) this.onBound(rec, pod, t);
    if (pod.metadata.deletionTimestamp !== undefined && rec.terminating < 0) {
      rec.terminating = t;
      this.tracer.record(pod, t, `terminating: deletionTimestamp set (grace period ${pod.metadata.deletionGracePeriodSeconds ?? 0} s)`);
    }
    rec.phase = pod.status.phase;
    if (pod.status.phase === 'Running' && rec.running < 0) {
      rec.running = t;
      if (this.tracer.active)
        this.tracer.record(
          pod,
          t,
          `running: status Running and Ready committed (containers started at ${fmtT(pod.status.startTime ?? t)})`,
        );
    }
    if (isTerminal(pod) && (old === undefined || !isTerminal(old))) {
      rec.finished = t;
      this.release(key);
      if (this.tracer.active)
        this.tracer.record(pod, t, `finished: ${pod.status.phase}${pod.status.reason ? ` (${pod.status.reason})` : ''}`);
    }
    return rec;
  }

  private onBound(rec: PodRecord, pod: Pod, t: Micros): void {
    rec.bound = t;
    rec.node = pod.spec.nodeName;
    this.bindTimes.push(t);
    if (this.tracer.active) this.tracer.record(pod, t, `bound: binding to node ${pod.spec.nodeName} committed to etcd`);
    if (isTerminal(pod)) return;
    this.advance();
    const r = podRequests(pod.spec);
    this.accounted.set(rec.key, { cpu: r.cpu, mem: r.memory, gpu: rec.gpuMilli, node: rec.node });
    this.usedCpu += r.cpu;
    this.usedMem += r.memory;
    if (rec.gpuMilli > 0) {
      this.usedGpu += rec.gpuMilli;
      if (this.allocGpu > 0) this.gpuPeak = Math.max(this.gpuPeak, this.usedGpu / this.allocGpu);
    }
    this.podsPerNode.set(rec.node, (this.podsPerNode.get(rec.node) ?? 0) + 1);
  }

  private release(key: string): void {
    const a = this.accounted.get(key);
    if (a === undefined) return;
    this.advance();
    this.accounted.delete(key);
    this.usedCpu -= a.cpu;
    this.usedMem -= a.mem;
    this.usedGpu -= a.gpu;
    const n = (this.podsPerNode.get(a.node) ?? 1) - 1;
    if (n === 0) this.podsPerNode.delete(a.node);
    else this.podsPerNode.set(a.node, n);
  }

  /** Integrates allocation up to now (the allocation level is piecewise constant between commits). */
  private advance(): void {
    const t = this.now();
    const dt = t - this.lastT;
    if (dt > 0) {
      if (this.allocCpu > 0) this.cpuArea += (this.usedCpu / this.allocCpu) * dt;
      if (this.allocMem > 0) this.memArea += (this.usedMem / this.allocMem) * dt;
      if (this.allocGpu > 0) this.gpuArea += (this.usedGpu / this.allocGpu) * dt;
      this.lastT = t;
    }
  }

  /** Time-averaged and final allocation ratios over [0, end]. */
  allocation(end: Micros): {
    cpuMean: number;
    memMean: number;
    cpuFinal: number;
    memFinal: number;
    nodesInUse: number;
    gpuMean: number;
    gpuFinal: number;
    gpuPeak: number;
  } {
    this.advance();
    const span = end > 0 ? end : 1;
    // GPU figures are NaN (empty cells) in a cluster without GPUs.
    const gpus = this.allocGpu > 0 || this.gpuArea > 0;
    return {
      gpuMean: gpus ? this.gpuArea / span : NaN,
      gpuFinal: this.allocGpu > 0 ? this.usedGpu / this.allocGpu : NaN,
      gpuPeak: gpus ? this.gpuPeak : NaN,
      cpuMean: this.cpuArea / span,
      memMean: this.memArea / span,
      cpuFinal: this.allocCpu > 0 ? this.usedCpu / this.allocCpu : 0,
      memFinal: this.allocMem > 0 ? this.usedMem / this.allocMem : 0,
      nodesInUse: this.podsPerNode.size,
    };
  }

  /** Σ nvidia.com/gpu × Permit wait (Coscheduling) over the pods' waits, in GPU·µs. */
  gangGpuIdle = 0;
  /** Permit waits of the pods their group allowed, µs. */
  readonly gangWaits: number[] = [];

  // SchedulerObserver
  gangWaited(_pod: Pod, _key: string, gpus: number, from: Micros, to: Micros, allowed: boolean): void {
    this.gangGpuIdle += gpus * (to - from);
    if (allowed) this.gangWaits.push(to - from);
  }

  seen(pod: Pod): void {
    if (this.tracer.active) this.tracer.record(pod, this.now(), 'seen by scheduler: added to the scheduling queue');
  }

  attempt(pod: Pod, key: string, node: string | null, durationUs: Micros, message: string): void {
    const rec = this.pods.get(key);
    if (rec !== undefined) rec.attempts++;
    this.attemptDurations.push(durationUs);
    if (this.tracer.active)
      this.tracer.record(
        pod,
        this.now(),
        node !== null
          ? `scheduled: assigned to node ${node} (attempt took ${fmtT(durationUs)}); binding sent`
          : `unschedulable: ${message}`,
      );
  }

  // KubeletObserver
  podSeen(pod: Pod, node: string): void {
    if (this.tracer.active) this.tracer.record(pod, this.now(), `seen by kubelet on ${node}: admitted, creating sandbox`);
  }

  imagePulled(pod: Pod, image: string, cached: boolean, durationUs: Micros): void {
    if (this.tracer.active)
      this.tracer.record(
        pod,
        this.now(),
        cached ? `image ${image}: already present on node (cached)` : `image ${image}: pulled in ${fmtT(durationUs)}`,
      );
  }

  containersStarted(pod: Pod): void {
    if (this.tracer.active) this.tracer.record(pod, this.now(), 'containers started by the runtime');
  }

  // TaintEvictionObserver
  podEvicted(pod: Pod, node: string): void {
    this.podsEvicted++;
    this.displace(keyOf(pod));
    if (this.tracer.active)
      this.tracer.record(
        pod,
        this.now(),
        `evicted: the taint eviction controller deletes it from node ${node} (NoExecute taint no longer tolerated)`,
      );
  }

  /** A pod lost or evicted: its owner is expected to replace it once. */
  private displace(key: string): void {
    if (this.displaced.has(key)) return;
    this.displaced.add(key);
    const owner = this.ownerByPod.get(key);
    if (owner !== undefined) this.owed.set(owner, (this.owed.get(owner) ?? 0) + 1);
  }

  // FaultObserver
  faultStarted(type: Fault['type'], at: Micros): void {
    if (type !== 'nodeCrash') return;
    this.nodeFaults++;
    this.openFaults.push(at);
    this.setDeficit(this.deficit);
  }

  nodeDown(name: string, lostPods: readonly string[]): void {
    this.series.before(this.now());
    this.deadNodes.add(name);
    this.podsLost += lostPods.length;
    for (const key of lostPods) this.displace(key);
    const serving = this.servingOnNode.get(name);
    if (serving !== undefined) for (const key of [...serving]) this.setServing(key, this.replicaPods.get(key) as ReplicaPod, false);
  }

  nodeUp(name: string): void {
    this.deadNodes.delete(name);
  }

  // KubeProxyObserver
  programmed(service: string, podName: string, latencyUs: Micros): void {
    this.netProgLatencies.push(latencyUs);
    if (podName !== '' && this.tracer.active)
      this.tracer.recordByName(
        podName,
        this.now(),
        `endpoints programmed: service ${service} by kube-proxy (network programming latency ${fmtT(latencyUs)})`,
      );
  }
}

function fmtT(t: Micros): string {
  return `${(t / 1000).toFixed(3)}ms`;
}
