/**
 * Sees every object transition at its commit time (through the API server's commit hook, which costs no
 * simulated request) and what the scheduler, kubelets and kube-proxy report, and keeps per-pod timestamps,
 * allocation over time and latency samples. Pure bookkeeping: it never changes the simulation.
 */
import type { KubeObject, Node, Pod } from '../api/objects.js';
import { isTerminal, keyOf } from '../api/objects.js';
import { podRequests } from '../api/pod-resources.js';
import type { WatchEventType } from '../api/api-server.js';
import type { Micros } from '../core/time.js';
import type { KubeletObserver } from '../node/kubelet.js';
import type { KubeProxyObserver } from '../node/kube-proxy.js';
import type { SchedulerObserver } from '../scheduler/scheduler.js';
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
  attempts: number;
  phase: Pod['status']['phase'];
}

/** Where a pod stands, for the pending/running counts of the time series. */
type PodState = 'pending' | 'starting' | 'running' | 'done';

function podState(r: PodRecord): PodState {
  if (r.deleted >= 0 || r.finished >= 0) return 'done';
  if (r.bound < 0) return 'pending';
  return r.phase === 'Running' ? 'running' : 'starting';
}

export class MetricsRecorder implements SchedulerObserver, KubeletObserver, KubeProxyObserver {
  readonly pods = new Map<string, PodRecord>();
  /** Commit times of bindings, in order. */
  readonly bindTimes: Micros[] = [];
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
  private readonly accounted = new Map<string, { cpu: number; mem: number; node: string }>();
  private pendingPods = 0;
  private runningPods = 0;
  /** Samples of the cluster state every `sampleInterval` of virtual time (timeseries.csv). */
  readonly series: TimeSeriesSampler;

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
      nodesInUse: this.podsPerNode.size,
    };
  }

  private count(s: PodState, delta: number): void {
    if (s === 'pending') this.pendingPods += delta;
    else if (s === 'running') this.runningPods += delta;
  }

  readonly onCommit = (type: WatchEventType, obj: KubeObject, old: KubeObject | undefined): void => {
    this.series.before(this.now());
    if (obj.kind === 'Pod') this.onPod(type, obj, old?.kind === 'Pod' ? old : undefined);
    else if (obj.kind === 'Node' && type === 'ADDED') this.onNode(obj);
  };

  private onNode(n: Node): void {
    this.advance();
    this.nodes++;
    this.allocCpu += n.status.allocatable.cpu ?? 0;
    this.allocMem += n.status.allocatable.memory ?? 0;
  }

  private onPod(type: WatchEventType, pod: Pod, old: Pod | undefined): void {
    const rec = this.pods.get(keyOf(pod));
    const before = rec === undefined ? null : podState(rec);
    const after = this.updatePod(type, pod, old, rec);
    if (after === undefined) return;
    if (before !== null) this.count(before, -1);
    this.count(podState(after), 1);
  }

  private updatePod(type: WatchEventType, pod: Pod, old: Pod | undefined, rec: PodRecord | undefined): PodRecord | undefined {
    const t = this.now();
    const key = keyOf(pod);
    if (type === 'ADDED') {
      const added: PodRecord = { key, created: pod.metadata.creationTimestamp, bound: -1, node: '', running: -1, finished: -1, deleted: -1, attempts: 0, phase: pod.status.phase };
      this.pods.set(key, added);
      this.tracer.record(pod, t, `created: accepted by the API server at ${fmtT(pod.metadata.creationTimestamp)}, committed to etcd at revision ${pod.metadata.resourceVersion}`);
      if (pod.spec.nodeName !== '') this.onBound(added, pod, t);
      return added;
    }
    if (rec === undefined) return undefined;
    if (type === 'DELETED') {
      rec.deleted = t;
      this.release(key);
      this.tracer.record(pod, t, 'deleted');
      return rec;
    }
    if (pod.spec.nodeName !== '' && (old === undefined || old.spec.nodeName === '')) this.onBound(rec, pod, t);
    rec.phase = pod.status.phase;
    if (pod.status.phase === 'Running' && rec.running < 0) {
      rec.running = t;
      this.tracer.record(pod, t, `running: status Running and Ready committed (containers started at ${fmtT(pod.status.startTime ?? t)})`);
    }
    if (isTerminal(pod) && (old === undefined || !isTerminal(old))) {
      rec.finished = t;
      this.release(key);
      this.tracer.record(pod, t, `finished: ${pod.status.phase}${pod.status.reason ? ` (${pod.status.reason})` : ''}`);
    }
    return rec;
  }

  private onBound(rec: PodRecord, pod: Pod, t: Micros): void {
    rec.bound = t;
    rec.node = pod.spec.nodeName;
    this.bindTimes.push(t);
    this.tracer.record(pod, t, `bound: binding to node ${pod.spec.nodeName} committed to etcd`);
    if (isTerminal(pod)) return;
    this.advance();
    const r = podRequests(pod.spec);
    this.accounted.set(rec.key, { cpu: r.cpu, mem: r.memory, node: rec.node });
    this.usedCpu += r.cpu;
    this.usedMem += r.memory;
    this.podsPerNode.set(rec.node, (this.podsPerNode.get(rec.node) ?? 0) + 1);
  }

  private release(key: string): void {
    const a = this.accounted.get(key);
    if (a === undefined) return;
    this.advance();
    this.accounted.delete(key);
    this.usedCpu -= a.cpu;
    this.usedMem -= a.mem;
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
      this.lastT = t;
    }
  }

  /** Time-averaged and final allocation ratios over [0, end]. */
  allocation(end: Micros): { cpuMean: number; memMean: number; cpuFinal: number; memFinal: number; nodesInUse: number } {
    this.advance();
    const span = end > 0 ? end : 1;
    return {
      cpuMean: this.cpuArea / span,
      memMean: this.memArea / span,
      cpuFinal: this.allocCpu > 0 ? this.usedCpu / this.allocCpu : 0,
      memFinal: this.allocMem > 0 ? this.usedMem / this.allocMem : 0,
      nodesInUse: this.podsPerNode.size,
    };
  }

  // SchedulerObserver
  seen(pod: Pod): void {
    this.tracer.record(pod, this.now(), 'seen by scheduler: added to the scheduling queue');
  }

  attempt(pod: Pod, node: string | null, durationUs: Micros, message: string): void {
    const rec = this.pods.get(keyOf(pod));
    if (rec !== undefined) rec.attempts++;
    this.attemptDurations.push(durationUs);
    this.tracer.record(pod, this.now(), node !== null ? `scheduled: assigned to node ${node} (attempt took ${fmtT(durationUs)}); binding sent` : `unschedulable: ${message}`);
  }

  // KubeletObserver
  podSeen(pod: Pod, node: string): void {
    this.tracer.record(pod, this.now(), `seen by kubelet on ${node}: admitted, creating sandbox`);
  }

  imagePulled(pod: Pod, image: string, cached: boolean, durationUs: Micros): void {
    this.tracer.record(pod, this.now(), cached ? `image ${image}: already present on node (cached)` : `image ${image}: pulled in ${fmtT(durationUs)}`);
  }

  containersStarted(pod: Pod): void {
    this.tracer.record(pod, this.now(), 'containers started by the runtime');
  }

  // KubeProxyObserver
  programmed(service: string, podName: string, latencyUs: Micros): void {
    this.netProgLatencies.push(latencyUs);
    if (podName !== '') this.tracer.recordByName(podName, this.now(), `endpoints programmed: service ${service} by kube-proxy (network programming latency ${fmtT(latencyUs)})`);
  }
}

function fmtT(t: Micros): string {
  return `${(t / 1000).toFixed(3)}ms`;
}
