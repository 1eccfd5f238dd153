/**
 * kube-proxy (pkg/proxy, iptables/nftables mode): watches Endpoints and reprograms the node's rules at most
 * once per minSyncPeriod (1 s; BoundedFrequencyRunner), each sync taking a modeled duration. The network
 * programming latency of a change is the time from its last-change-trigger-time to the end of the sync that
 * programmed it (the SLI of sig-scalability/slos/network_programming_latency.md).
 *
 * Every node runs a kube-proxy that sees the same watch stream; the simulation models one representative
 * instance with the fleet's parameters, so latencies are per change, not per node (docs/model/nodes.md).
 */
import type { ApiServer } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import type { Endpoints } from '../api/objects.js';
import { sample, type Distribution } from '../core/distribution.js';
import type { RngStream } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import type { Micros } from '../core/time.js';

export interface KubeProxyParams {
  readonly minSyncPeriod: Micros;
  readonly syncDuration: Distribution;
}

export interface KubeProxyObserver {
  programmed(service: string, podName: string, latencyUs: Micros): void;
}

interface Pending {
  readonly service: string;
  readonly added: readonly string[];
  readonly trigger: Micros;
}

export class KubeProxy {
  private lastSync: Micros = -Infinity;
  private scheduled = false;
  private pending: Pending[] = [];
  syncs = 0;

  constructor(
    private readonly sim: Simulation,
    api: ApiServer,
    private readonly params: KubeProxyParams,
    private readonly rng: RngStream,
    private readonly observer: KubeProxyObserver,
  ) {
    const eps = new Informer<Endpoints>({
      add: (e) => this.change(e, []),
      update: (o, e) => this.change(e, o.ready),
    });
    // One kube-proxy stands for every node's: the watch cache sends each Endpoints event to all of them.
    api.watch('Endpoints', 'kube-proxy', eps.onEvent, true);
  }

  private change(e: Endpoints, before: readonly string[]): void {
    const added = addedNames(before, e.ready);
    this.pending.push({ service: `${e.metadata.namespace}/${e.metadata.name}`, added, trigger: e.lastChangeTriggerTime });
    if (this.scheduled) return;
    this.scheduled = true;
    const at = Math.max(this.sim.now, this.lastSync + this.params.minSyncPeriod);
    this.sim.callAt(at, () => this.sync());
  }

  private sync(): void {
    this.scheduled = false;
    this.lastSync = this.sim.now;
    this.syncs++;
    const batch = this.pending;
    this.pending = [];
    const done = this.sim.now + sample(this.params.syncDuration, this.rng);
    this.sim.callAt(done, () => {
      for (const p of batch) {
        const latency = done - p.trigger;
        if (p.added.length === 0) this.observer.programmed(p.service, '', latency);
        for (const pod of p.added) this.observer.programmed(p.service, pod, latency);
      }
    });
  }
}

/** Names in `after` but not in `before`; both sorted (a merge walk, linear in the list sizes). */
export function addedNames(before: readonly string[], after: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const name of after) {
    while (i < before.length && before[i] < name) i++;
    if (i >= before.length || before[i] !== name) out.push(name);
  }
  return out;
}
