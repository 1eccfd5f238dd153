/**
 * The machines behind the cluster's nodes, as the cloud provider sees them: each has a kubelet, belongs to a
 * node pool (node group) and is up or down. Node faults stop and restart machines; the cluster autoscaler adds
 * and removes them. Insertion order is creation order, so every walk over the fleet is deterministic.
 */
import type { Kubelet } from '../node/kubelet.js';

export interface Machine {
  readonly name: string;
  readonly pool: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly kubelet: Kubelet;
}

export class Fleet {
  private readonly byName = new Map<string, Machine>();

  add(m: Machine): void {
    this.byName.set(m.name, m);
  }

  /** The machine was deleted (scale-down): it leaves the fleet for good. */
  remove(name: string): void {
    this.byName.delete(name);
  }

  get(name: string): Machine | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.byName.size;
  }

  all(): Machine[] {
    return [...this.byName.values()];
  }

  /** Machines whose kubelet runs. */
  up(): Machine[] {
    return this.all().filter((m) => m.kubelet.isAlive);
  }
}
