/**
 * Runs a scenario's step list on the live cluster, one step after the other, as scheduler_perf's
 * WorkloadExecutor does (test/integration/scheduler_perf/executor.go): it creates and deletes objects through
 * the scenario's client (so its QPS limit applies) and waits on the cluster's state as its own pod informer
 * sees it (a watch, with the watch delay), never on the simulator's internals.
 *
 * Differences from upstream, all in docs/reference/step-lists.md: conditions are checked on every watch
 * event instead of polled every second (wait.PollUntilContextTimeout(1s)); a wait that is never satisfied
 * lasts until the run's duration instead of failing after 10 minutes; pods and nodes get indexed names instead
 * of generateName's random suffixes; deletePods without a rate issues one DELETE per pod instead of one
 * DeleteCollection.
 */
import type { ApiResult, ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import { objectKey, type Node, type Pod } from '../api/objects.js';
import { poolNode } from '../cloud/node-pool.js';
import type { Simulation } from '../core/simulation.js';
import type { Step } from '../scenario/types.js';
import { churnTick } from './arrivals.js';
import { podFromTemplate } from './pod-from-template.js';

type CreatePods = Extract<Step, { opcode: 'createPods' }>;

export interface StepHooks {
  /** Starts a machine: its kubelet, and its Node created through the scenario's client; `done` on the answer. */
  readonly startNode: (pool: string, node: Node, done: (r: ApiResult) => void) => void;
  /** Marks a pod of a collectMetrics step (before it is created). */
  readonly measure: (podKey: string) => void;
}

/** Pods of one namespace, matching a label selector, that reached a scheduling stage: how many, and how many are wanted. */
interface Counter {
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly attempted: boolean;
  readonly want: number;
  have: number;
}

/** scheduler_perf's labelsMatch: every required label present with its value. */
function labelsMatch(pod: Pod, selector: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (pod.metadata.labels[k] !== selector[k]) return false;
  return true;
}

function matches(pod: Pod | undefined, c: Counter): boolean {
  if (pod === undefined || pod.metadata.namespace !== c.namespace || !labelsMatch(pod, c.selector)) return false;
  if (pod.spec.nodeName !== '') return true;
  // Attempted: the scheduler wrote PodScheduled=False (status reason Unschedulable) after a failed cycle.
  return c.attempted && pod.status.reason === 'Unschedulable';
}

export class StepDriver {
  private readonly pods: Informer<Pod>;
  /** Pods each namespace must have scheduled at the next barrier (executor's numPodsScheduledPerNamespace). */
  private readonly expected = new Map<string, number>();
  private next = 0;
  private busy = false;
  private advancing = false;
  /** The list has ended: background work (churn, paced deletions) stops, as upstream cancels its context. */
  private finished = false;
  private waiting: { readonly counters: Counter[]; readonly done: () => void } | null = null;
  /** An open startCollectingMetrics window: pods of these namespaces seen scheduled are measured (its throughput collector's pods). */
  private collecting: { readonly namespaces: ReadonlySet<string>; readonly selector: Readonly<Record<string, string>> } | null = null;
  /** A steadyState createPods: told of every pod of its namespace seen scheduled. */
  private steady: { readonly namespace: string; readonly onScheduled: (key: string) => void } | null = null;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    private readonly client: Client,
    private readonly steps: readonly Step[],
    private readonly hooks: StepHooks,
  ) {
    this.pods = new Informer<Pod>({
      add: (p, key) => this.onChange(undefined, p, key),
      update: (o, p, key) => this.onChange(o, p, key),
      delete: (p, key) => this.onChange(p, undefined, key),
    });
    api.watch('Pod', 'step-driver', this.pods.onEvent);
    sim.callAt(0, () => this.advance());
  }

  private advance(): void {
    this.advancing = true;
    while (!this.busy && this.next < this.steps.length) {
      this.busy = true;
      this.run(this.steps[this.next++]);
    }
    this.advancing = false;
    if (!this.busy && this.next >= this.steps.length) this.finished = true;
  }

  private stepDone = (): void => {
    this.busy = false;
    if (!this.advancing) this.advance();
  };

  private run(s: Step): void {
    switch (s.opcode) {
      case 'createNodes': {
        const done = this.countdown(s.count, this.stepDone);
        for (let i = 0; i < s.count; i++) this.hooks.startNode(s.pool.name, poolNode(s.pool, s.first + i), done);
        return;
      }
      case 'createPods': {
        if (!this.expected.has(s.namespace)) this.expected.set(s.namespace, 0);
        if (s.steadyState !== null) {
          this.steadily(s, s.steadyState.duration);
          return;
        }
        // createPodsRapidly returns once every create is answered; then the op waits unless skipWaitToCompletion.
        const created = (): void => {
          if (s.skipWaitToCompletion) {
            this.expected.set(s.namespace, (this.expected.get(s.namespace) ?? 0) + s.count);
            this.stepDone();
          } else this.waitFor([{ namespace: s.namespace, selector: {}, attempted: false, want: s.count, have: 0 }], this.stepDone);
        };
        const done = this.countdown(s.count, created);
        for (let i = 0; i < s.count; i++) this.createPod(s, i, done);
        return;
      }
      case 'barrier': {
        const namespaces = s.namespaces.length > 0 ? s.namespaces : [...this.expected.keys()];
        const attempted = s.stageRequirement === 'Attempted';
        const counters = namespaces.map((namespace) => ({
          namespace,
          selector: s.labelSelector,
          attempted,
          want: this.expected.get(namespace) ?? 0,
          have: 0,
        }));
        this.waitFor(counters, () => {
          // runBarrierOp: after a Scheduled barrier nothing is pending in those namespaces.
          if (!attempted) for (const ns of namespaces) this.expected.delete(ns);
          this.stepDone();
        });
        return;
      }
      case 'sleep':
        this.sim.callAt(this.sim.now + s.duration, this.stepDone);
        return;
      case 'deletePods': {
        // The pods the informer lists now, in the order it first saw them.
        const keys: string[] = [];
        for (const [key, p] of this.pods.cache) {
          if ((s.namespace === '' || p.metadata.namespace === s.namespace) && labelsMatch(p, s.labelSelector)) keys.push(key);
        }
        const done = s.skipWaitToCompletion || keys.length === 0 ? (): void => {} : this.countdown(keys.length, this.stepDone);
        // time.NewTicker(time.Second / deletePodsPerSecond): the first deletion one period after the start.
        const period = s.deletePodsPerSecond > 0 ? Math.round(Math.floor(1e9 / s.deletePodsPerSecond) / 1000) : 0;
        keys.forEach((key, i) => {
          if (period === 0) this.api.delete(this.client, 'Pod', key, done);
          else
            this.sim.callAt(this.sim.now + (i + 1) * period, () => {
              if (!this.finished) this.api.delete(this.client, 'Pod', key, done);
            });
        });
        if (s.skipWaitToCompletion || keys.length === 0) this.stepDone();
        return;
      }
      case 'churn':
        this.startChurn(s);
        this.stepDone();
        return;
      case 'startCollectingMetrics':
        this.collecting = { namespaces: new Set(s.namespaces), selector: s.labelSelector };
        this.stepDone();
        return;
      case 'stopCollectingMetrics':
        this.collecting = null;
        this.stepDone();
        return;
    }
  }

  private createPod(s: CreatePods, i: number, done?: () => void): void {
    const pod = podFromTemplate(s.template, `pod-${s.index}-${i}`, s.namespace);
    if (s.collectMetrics) this.hooks.measure(objectKey('Pod', s.namespace, pod.metadata.name));
    this.api.create(this.client, pod, done);
  }

  /**
   * createPodsSteadily: `count` pods, then for `duration` (from the step's start) every pod seen scheduled in
   * the namespace is deleted and replaced by a new one, one at a time (upstream's loop deletes, then creates,
   * then takes the next scheduled pod), so the scheduler always has a backlog at about the same utilization.
   */
  private steadily(s: CreatePods, duration: number): void {
    const end = this.sim.now + duration;
    const scheduled: string[] = [];
    let next = s.count;
    let working = false;
    const pump = (): void => {
      if (working || this.sim.now >= end) return;
      const key = scheduled.shift();
      if (key === undefined) return;
      working = true;
      this.api.delete(this.client, 'Pod', key, () => {
        if (this.sim.now >= end) return;
        this.createPod(s, next++, () => {
          working = false;
          pump();
        });
      });
    };
    const onScheduled = (key: string): void => {
      scheduled.push(key);
      pump();
    };
    this.steady = { namespace: s.namespace, onScheduled };
    for (let i = 0; i < s.count; i++) this.createPod(s, i);
    this.sim.callAt(end, () => {
      this.steady = null;
      this.stepDone();
    });
  }

  /** runChurnOp: a ticker (first tick one interval after the start) until the step list ends. */
  private startChurn(s: Extract<Step, { opcode: 'churn' }>): void {
    const live = s.templates.map(() => [] as string[]);
    let created = 0;
    let tick = 0;
    const onTick = (): void => {
      if (this.finished) return;
      const op = churnTick(s, tick++);
      if (op === 'stop') return;
      s.templates.forEach((t, i) => {
        if (op === 'create') {
          const pod = podFromTemplate(t, `churn-${s.index}-${created++}`, s.namespace);
          live[i].push(objectKey('Pod', s.namespace, pod.metadata.name));
          this.api.create(this.client, pod);
        } else {
          const key = live[i].shift();
          if (key !== undefined) this.api.delete(this.client, 'Pod', key);
        }
      });
      this.sim.callAt(this.sim.now + s.interval, onTick);
    };
    this.sim.callAt(this.sim.now + s.interval, onTick);
  }

  /** Calls `done` at the n-th call of the returned function. */
  private countdown(n: number, done: () => void): () => void {
    let left = n;
    return () => {
      if (--left === 0) done();
    };
  }

  private waitFor(counters: Counter[], done: () => void): void {
    for (const p of this.pods.cache.values()) for (const c of counters) if (matches(p, c)) c.have++;
    if (counters.every((c) => c.have >= c.want)) {
      done();
      return;
    }
    this.waiting = { counters, done };
  }

  /** A pod the informer sees bound for the first time. */
  private onScheduled(pod: Pod, key: string): void {
    const c = this.collecting;
    if (c !== null && c.namespaces.has(pod.metadata.namespace) && labelsMatch(pod, c.selector)) this.hooks.measure(key);
    const st = this.steady;
    if (st !== null && pod.metadata.namespace === st.namespace) st.onScheduled(key);
  }

  private onChange(old: Pod | undefined, pod: Pod | undefined, key: string): void {
    if (pod !== undefined && pod.spec.nodeName !== '' && (old === undefined || old.spec.nodeName === '')) this.onScheduled(pod, key);
    const w = this.waiting;
    if (w === null) return;
    for (const c of w.counters) c.have += Number(matches(pod, c)) - Number(matches(old, c));
    if (w.counters.every((c) => c.have >= c.want)) {
      this.waiting = null;
      w.done();
    }
  }
}
