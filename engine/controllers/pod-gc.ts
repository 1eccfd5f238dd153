/**
 * The pod garbage collector (pkg/controller/podgc/gc_controller.go), as far as kubesim needs it: every
 * gcCheckPeriod (20 s, from start) it looks for pods bound to nodes that no longer exist; a node first seen
 * missing waits out the quarantine (40 s) and, still missing then, its pods are force-deleted (grace period 0).
 * Pods Terminating on a node that is only NotReady are left alone: only the out-of-service taint would let
 * PodGC delete them (gcTerminating), and kubesim never sets it; they go when their kubelet comes back.
 *
 * Not modeled (docs/model/controllers.md): gcTerminated (terminated pods beyond --terminated-pod-gc-threshold 12,500), the
 * DisruptionTarget/Failed status PATCH before each delete.
 */
import type { ApiServer, Client } from '../api/api-server.js';
import { keyOf, objectKey, type Node } from '../api/objects.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import type { SharedInformer, SharedPodInformer } from './shared-informer.js';

/** gc_controller.go: gcCheckPeriod and quarantineTime. */
export const GC_CHECK_PERIOD: Micros = 20 * MICROS_PER_SECOND;
export const QUARANTINE_TIME: Micros = 40 * MICROS_PER_SECOND;

export class PodGarbageCollector {
  /** Nodes seen missing (while pods are bound to them) → when first seen. */
  private readonly missingSince = new Map<string, Micros>();
  forceDeleted = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    private readonly client: Client,
    private readonly nodes: SharedInformer<Node>,
    private readonly pods: SharedPodInformer,
  ) {
    this.sim.callAt(0, () => this.gc());
  }

  private gc(): void {
    const now = this.sim.now;
    for (const name of this.pods.assignedNodes()) {
      if (this.nodes.cache.has(objectKey('Node', '', name))) {
        this.missingSince.delete(name);
        continue;
      }
      const since = this.missingSince.get(name);
      if (since === undefined) this.missingSince.set(name, now);
      else if (now - since >= QUARANTINE_TIME) {
        this.missingSince.delete(name);
        for (const p of this.pods.onNode(name)) {
          this.forceDeleted++;
          this.api.delete(this.client, 'Pod', keyOf(p), undefined, 0);
        }
      }
    }
    this.sim.callAt(now + GC_CHECK_PERIOD, () => this.gc());
  }
}
