/**
 * The application-level rendezvous of a distributed job (torchrun's c10d rendezvous, MPI's launcher): a worker
 * whose containers have started blocks until `size` workers of its job have joined, and only then starts its
 * work (its kubesim.io/run-duration counts from the rendezvous). This is the workload behaviour behind the
 * partial-allocation deadlock that gang scheduling prevents: workers placed without their peers hold their
 * GPUs and make no progress. docs/model/gang-scheduling.md.
 *
 * A pod joins with the annotation kubesim.io/rendezvous: "<size>"; its job is its namespace and controlling
 * owner (a Job's pods form one rendezvous), else its scheduling.x-k8s.io/pod-group label. Simplified: the
 * rendezvous waits forever (torchrun's join timeout, which fails the workers, is not modeled), and once complete
 * it stays complete (a worker that joins later, e.g. a replacement, starts at once).
 */
import { POD_GROUP_LABEL, type Pod } from '../api/objects.js';

export const RENDEZVOUS_ANNOTATION = 'kubesim.io/rendezvous';

/** The rendezvous size of a pod, or 0 when it has none (or the annotation is not a positive integer). */
export function rendezvousSize(pod: Pod): number {
  const v = pod.metadata.annotations[RENDEZVOUS_ANNOTATION];
  if (v === undefined || !/^[1-9][0-9]{0,8}$/.test(v)) return 0;
  return Number(v);
}

/** The job a worker meets its peers in: namespace and controller, else its pod group label; '' when neither. */
export function rendezvousJob(pod: Pod): string {
  const owner = pod.metadata.ownerReferences.find((o) => o.controller);
  if (owner !== undefined) return `${pod.metadata.namespace}/${owner.kind}/${owner.name}`;
  const g = pod.metadata.labels[POD_GROUP_LABEL];
  return g === undefined ? '' : `${pod.metadata.namespace}/PodGroup/${g}`;
}

interface Meeting {
  readonly joined: Set<string>;
  /** Workers blocked at the rendezvous, in join order, with what to do when it completes. */
  readonly waiting: Map<string, () => void>;
  complete: boolean;
}

/** Shared by every kubelet of a run (the workers of a job talk over the network, not through Kubernetes). */
export class Rendezvous {
  private readonly meetings = new Map<string, Meeting>();
  private readonly jobOf = new Map<string, string>();

  /** A worker of `pod` (storage key `key`) has started: `start` runs when its rendezvous completes (maybe now). */
  join(pod: Pod, key: string, size: number, start: () => void): void {
    const job = rendezvousJob(pod) || `${pod.metadata.namespace}/Pod/${pod.metadata.name}`;
    let m = this.meetings.get(job);
    if (m === undefined) this.meetings.set(job, (m = { joined: new Set(), waiting: new Map(), complete: false }));
    this.jobOf.set(key, job);
    m.joined.add(key);
    if (m.complete) {
      start();
      return;
    }
    m.waiting.set(key, start);
    if (m.joined.size < size) return;
    m.complete = true;
    const go = [...m.waiting.values()];
    m.waiting.clear();
    for (const f of go) f();
  }

  /** The worker stopped (finished, deleted, its node failed): it leaves its rendezvous. */
  leave(key: string): void {
    const job = this.jobOf.get(key);
    if (job === undefined) return;
    this.jobOf.delete(key);
    const m = this.meetings.get(job) as Meeting;
    m.joined.delete(key);
    m.waiting.delete(key);
    if (m.joined.size === 0) this.meetings.delete(job);
  }

  /** Workers blocked at a rendezvous, for tests. */
  get blocked(): number {
    let n = 0;
    for (const m of this.meetings.values()) n += m.waiting.size;
    return n;
  }
}
