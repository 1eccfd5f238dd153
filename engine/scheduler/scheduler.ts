/**
 * kube-scheduler as a simulated component (pkg/scheduler/schedule_one.go): informers on pods and nodes feed
 * the scheduling queue and the cache (NodeTable). One scheduling cycle runs at a time and takes modeled virtual
 * time (a fixed overhead plus a cost per node filtered and per node scored); at its end the pod is assumed
 * on the chosen node (later cycles see its resources at once) and an asynchronous bind (POST pods/binding)
 * goes through the scheduler's client rate limiter to the API server. A failed attempt writes the
 * PodScheduled=False condition once, and parks the pod in the queue.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import { keyOf, type Node, type Pod, isTerminal } from '../api/objects.js';
import { podRequests } from '../api/pod-resources.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { RngStream } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { Kernel, fitErrorMessage, type SearchState } from './kernel.js';
import { NodeTable } from './node-table.js';
import type { ParallelScanner } from './parallel/scanner.js';
import { podInput } from './pod-input.js';
import { hostPorts, type HostPort } from './plugins/node-ports.js';
import { toleratesUnschedulable } from './plugins/node-unschedulable.js';
import type { Profile } from './profile.js';
import { SchedulingQueue, type QueueParams, type QueuedPod } from './scheduling-queue.js';

export interface SchedulerParams extends QueueParams {
  readonly client: RateLimit;
  /** Modeled cost of one scheduling cycle: overhead + per node filtered + per node scored. */
  readonly cycleOverhead: Micros;
  readonly perNodeFilter: Micros;
  readonly perNodeScore: Micros;
}

/** What the scheduler tells the metrics recorder and the trace. */
export interface SchedulerObserver {
  seen(pod: Pod): void;
  attempt(pod: Pod, node: string | null, durationUs: Micros, message: string): void;
}

/** upstream flushBackoffQCompleted period */
const BACKOFF_FLUSH_PERIOD = 1 * MICROS_PER_SECOND;
/** upstream flushUnschedulablePodsLeftover period */
const UNSCHEDULABLE_FLUSH_PERIOD = 30 * MICROS_PER_SECOND;

export class Scheduler {
  readonly table = new NodeTable();
  readonly queue: SchedulingQueue;
  private readonly kernels = new Map<string, Kernel>();
  private readonly client: Client;
  private readonly queued = new Map<string, QueuedPod>();
  /** Pods the cache accounts on a node (assumed or confirmed), by key, with their node row. */
  private readonly placed = new Map<string, { row: number; pod: Pod; requests: ReturnType<typeof podRequests>; ports: readonly HostPort[] }>();
  private readonly search: SearchState = { nextStartNodeIndex: 0 };
  private busy = false;
  private backoffTimerArmed = false;
  private unschedTimerArmed = false;
  private readonly cycleEndKind: number;
  private current: { p: QueuedPod; node: number; start: Micros; message: string; ports: readonly HostPort[] } | null = null;
  attempts = 0;
  unschedulableAttempts = 0;
  nodesVisited = 0;

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
    this.queue = new SchedulingQueue(params);
    this.client = new Client('kube-scheduler', params.client);
    this.cycleEndKind = sim.register('scheduler-cycle-end', () => this.endCycle());
    const nodes = new Informer<Node>({ add: (n) => this.onNode(n), update: (o, n) => this.onNode(n, o) });
    api.watch('Node', 'kube-scheduler/nodes', nodes.onEvent);
    const pods = new Informer<Pod>({
      add: (p) => this.onPodAdd(p),
      update: (o, p) => this.onPodUpdate(o, p),
      delete: (p) => this.onPodDelete(p),
    });
    api.watch('Pod', 'kube-scheduler/pods', pods.onEvent);
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
    // eventhandlers.go updateNodeInCache → nodeSchedulingPropertiesChange: taints, unschedulable, allocatable or
    // labels changing (a node untainted after recovering) requeue the unschedulable pods, like a node add.
    if (fresh || (old !== undefined && schedulingPropertiesChanged(old, n))) this.moveAll();
  }

  private onPodAdd(pod: Pod): void {
    if (pod.spec.nodeName !== '') {
      if (!isTerminal(pod)) this.account(pod);
      return;
    }
    if (isTerminal(pod) || !this.kernels.has(pod.spec.schedulerName)) return;
    const p: QueuedPod = {
      key: keyOf(pod),
      pod,
      requests: podRequests(pod.spec),
      toleratesUnschedulable: toleratesUnschedulable(pod.spec.tolerations),
      timestamp: this.sim.now,
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

  private onPodUpdate(old: Pod, pod: Pod): void {
    const key = keyOf(pod);
    if (pod.spec.nodeName !== '') {
      const q = this.queued.get(key);
      if (q !== undefined) {
        // Bound (by us or by someone else): it leaves the queue.
        if (q.where !== 'inflight') this.queue.remove(q);
        this.queued.delete(key);
      }
      if (isTerminal(pod)) {
        if (!isTerminal(old)) this.release(key);
      } else this.account(pod);
      return;
    }
    const q = this.queued.get(key);
    if (q !== undefined) q.pod = pod;
  }

  private onPodDelete(pod: Pod): void {
    const key = keyOf(pod);
    const q = this.queued.get(key);
    if (q !== undefined) {
      if (q.where !== 'inflight') this.queue.remove(q);
      else q.where = 'gone';
      this.queued.delete(key);
    }
    this.release(key);
  }

  /** Confirms a bound pod in the cache (a no-op when it was assumed on the same node). */
  private account(pod: Pod): void {
    const key = keyOf(pod);
    const row = this.table.indexOf(pod.spec.nodeName);
    const prev = this.placed.get(key);
    if (prev !== undefined) {
      if (prev.row === row) return;
      this.table.account(prev.row, prev.requests, -1, prev.ports);
      this.placed.delete(key);
    }
    if (row < 0) return;
    const requests = podRequests(pod.spec);
    const ports = hostPorts(pod.spec);
    this.table.account(row, requests, 1, ports);
    this.placed.set(key, { row, pod, requests, ports });
  }

  /** An assigned pod was deleted or finished: its resources are free, which may help unschedulable pods. */
  private release(key: string): void {
    const prev = this.placed.get(key);
    if (prev === undefined) return;
    this.table.account(prev.row, prev.requests, -1, prev.ports);
    this.placed.delete(key);
    this.moveAll();
  }

  private moveAll(): void {
    this.queue.moveAll(this.sim.now);
    this.armBackoffTimer();
    this.kick();
  }

  private kick(): void {
    if (this.busy) return;
    const p = this.queue.pop();
    if (p === undefined) return;
    this.busy = true;
    const kernel = this.kernels.get(p.pod.spec.schedulerName) as Kernel;
    const input = podInput(p.pod.spec);
    const d = this.scanner?.schedule(kernel, this.table, input, this.search, this.rng) ?? kernel.schedule(this.table, input, this.search, this.rng);
    this.attempts++;
    this.nodesVisited += d.visited;
    const cost =
      this.params.cycleOverhead + d.visited * this.params.perNodeFilter + (d.feasible > 1 ? d.feasible * this.params.perNodeScore : 0);
    const message = d.node < 0 ? fitErrorMessage(this.table.count, d.diagnosis ?? new Map(), d.preFilterMessage) : '';
    this.current = { p, node: d.node, start: this.sim.now, message, ports: input.hostPorts };
    this.sim.after(Math.max(1, cost), this.cycleEndKind);
  }

  private endCycle(): void {
    const c = this.current as NonNullable<typeof this.current>;
    this.current = null;
    this.busy = false;
    const p = c.p;
    const duration = this.sim.now - c.start;
    if (p.where === 'gone') {
      // Deleted while in flight: nothing to bind.
    } else if (c.node >= 0) {
      const nodeName = this.table.names[c.node];
      this.observer.attempt(p.pod, nodeName, duration, '');
      this.assumeAndBind(p, c.node, nodeName, c.ports);
    } else {
      this.unschedulableAttempts++;
      this.observer.attempt(p.pod, null, duration, c.message);
      this.queue.addUnschedulable(p, this.sim.now);
      this.armBackoffTimer();
      this.armUnschedulableTimer();
      if (p.lastFailure === '') {
        // updatePod writes the PodScheduled=False condition only when it changes.
        this.api.update(this.client, 'Pod', p.key, (cur) =>
          cur.kind === 'Pod' && cur.spec.nodeName === '' ? { ...cur, status: { ...cur.status, reason: 'Unschedulable', message: c.message } } : null,
        );
      }
      p.lastFailure = c.message;
    }
    this.kick();
  }

  private assumeAndBind(p: QueuedPod, row: number, nodeName: string, ports: readonly HostPort[]): void {
    const key = p.key;
    this.table.account(row, p.requests, 1, ports);
    this.placed.set(key, { row, pod: p.pod, requests: p.requests, ports });
    this.queued.delete(key);
    p.where = 'gone';
    // DefaultBinder: POST pods/<name>/binding, which sets spec.nodeName.
    this.api.update(
      this.client,
      'Pod',
      key,
      (cur) => (cur.kind === 'Pod' && cur.spec.nodeName === '' ? { ...cur, spec: { ...cur.spec, nodeName } } : null),
      (r) => {
        const bound = r.ok && r.object !== undefined && r.object.kind === 'Pod' && r.object.spec.nodeName === nodeName;
        if (!bound) {
          // The pod vanished or was bound elsewhere: forget the assumption.
          const placed = this.placed.get(key);
          if (placed !== undefined && placed.row === row && placed.pod === p.pod) {
            this.table.account(row, p.requests, -1, ports);
            this.placed.delete(key);
          }
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

function schedulingPropertiesChanged(a: Node, b: Node): boolean {
  return (
    a.spec.taints !== b.spec.taints ||
    a.spec.unschedulable !== b.spec.unschedulable ||
    a.status.allocatable !== b.status.allocatable ||
    a.metadata.labels !== b.metadata.labels
  );
}
