/**
 * Plays a scenario's faults at their virtual times. Node faults stop machines (Kubelet.crash: containers die,
 * no more lease renewals or status writes) and, after their duration or at a nodeRecovery, restart them
 * (Kubelet.recover). Random victims are drawn from the fault's own stream (`faults/<index>`) among the live
 * nodes in name order, so a given seed always picks the same nodes whatever else changes. Slowdowns multiply a
 * latency for a window; overlapping windows of one kind multiply.
 */
import type { ApiServer } from '../api/api-server.js';
import type { Fleet, Machine } from '../cloud/fleet.js';
import type { RngFactory } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import type { Micros } from '../core/time.js';
import type { RegistryConditions } from '../node/kubelet.js';
import type { Fault, NodeTarget } from './types.js';

export interface FaultObserver {
  /** A fault took effect, after its immediate consequences (nodeDown) were reported (for recovery times). */
  faultStarted(type: Fault['type'], at: Micros): void;
  /** A machine stopped; `lostPods` are the pods its kubelet was running (keys). */
  nodeDown(name: string, lostPods: readonly string[]): void;
  nodeUp(name: string): void;
}

export class FaultInjector {
  private readonly factors = { etcdSlowdown: [] as number[], apiServerOverload: [] as number[], registrySlowdown: [] as number[] };
  /** Concurrency limits of the apiServerOverload windows in force (the smallest applies). */
  private readonly concurrencies: number[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly fleet: Fleet,
    private readonly api: ApiServer,
    private readonly registry: RegistryConditions,
    private readonly rngs: RngFactory,
    private readonly observer: FaultObserver,
  ) {}

  schedule(faults: readonly Fault[]): void {
    faults.forEach((f, i) => this.sim.callAt(f.at, () => this.apply(f, i)));
  }

  private apply(f: Fault, index: number): void {
    this.applyEffects(f, index);
    this.observer.faultStarted(f.type, this.sim.now);
  }

  private applyEffects(f: Fault, index: number): void {
    switch (f.type) {
      case 'nodeCrash': {
        const victims = this.pick(f.target, index);
        for (const m of victims) this.down(m);
        if (f.duration !== null) this.sim.callAt(this.sim.now + f.duration, () => victims.forEach((m) => this.up(m)));
        return;
      }
      case 'nodeRecovery': {
        const ms = f.names === null ? this.fleet.all() : f.names.map((n) => this.fleet.get(n)).filter((m): m is Machine => m !== undefined);
        for (const m of ms) this.up(m);
        return;
      }
      default: {
        const list = this.factors[f.type];
        list.push(f.factor);
        this.setFactor(f.type);
        const c = f.concurrency;
        if (c !== null) {
          this.concurrencies.push(c);
          this.setConcurrency();
        }
        this.sim.callAt(this.sim.now + f.duration, () => {
          list.splice(list.indexOf(f.factor), 1);
          this.setFactor(f.type);
          if (c !== null) {
            this.concurrencies.splice(this.concurrencies.indexOf(c), 1);
            this.setConcurrency();
          }
        });
      }
    }
  }

  private setFactor(type: 'etcdSlowdown' | 'apiServerOverload' | 'registrySlowdown'): void {
    const product = this.factors[type].reduce((a, b) => a * b, 1);
    if (type === 'etcdSlowdown') this.api.etcd.latencyFactor = product;
    else if (type === 'apiServerOverload') this.api.latencyFactor = product;
    else this.registry.slowdown = product;
  }

  /** An overloaded server's seats: a stretched latency already holds each seat longer; this also removes seats. */
  private setConcurrency(): void {
    const fc = this.api.flowControl;
    fc.setServerConcurrency(this.concurrencies.length === 0 ? fc.params.serverConcurrencyLimit : Math.min(...this.concurrencies));
  }

  /** The fault's victims among the machines that are up. */
  private pick(t: NodeTarget, index: number): Machine[] {
    const up = this.fleet.up().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (t.kind === 'names') return up.filter((m) => t.names.includes(m.name));
    if (t.kind === 'label') return up.filter((m) => m.labels[t.key] === t.value);
    const pool = up.filter((m) => t.pool === null || m.pool === t.pool);
    // Partial Fisher-Yates: the first `count` of a uniform random permutation.
    const rng = this.rngs.stream(`faults/${index}`);
    const n = Math.min(t.count, pool.length);
    for (let i = 0; i < n; i++) {
      const j = i + rng.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, n);
  }

  private down(m: Machine): void {
    if (!m.kubelet.isAlive) return;
    const lost = m.kubelet.crash();
    this.observer.nodeDown(m.name, lost);
  }

  private up(m: Machine): void {
    if (m.kubelet.isAlive || this.fleet.get(m.name) !== m) return;
    m.kubelet.recover();
    this.observer.nodeUp(m.name);
  }
}
