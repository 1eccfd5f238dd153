/**
 * The Coscheduling plugin's state in the scheduler (scheduler-plugins pkg/coscheduling/core PodGroupManager, and
 * the framework's waitingPodsMap for its Permit waits): the PodGroups from their informer, the non-terminal pods of
 * each group (PreFilter's pod lister), the pods waiting at Permit, and the groups backed off by PostFilter.
 * The rules themselves are plugins/coscheduling/; scheduler.ts drives the extension points.
 */
import type { PersistentVolumeClaim } from '../api/objects.js';
import type { PodGroup } from '../api/objects.js';
import type { GpuGrant } from '../gpu/resources.js';
import type { Micros } from '../core/time.js';
import type { AssignedPods } from './assigned-pods.js';
import type { QueuedPod } from './scheduling-queue.js';

/** A pod assumed on its node and held at Permit (framework/runtime waitingPod). */
export interface WaitingPod {
  readonly p: QueuedPod;
  readonly group: string;
  readonly row: number;
  readonly nodeName: string;
  readonly gpu: GpuGrant | null;
  /** Its WaitForFirstConsumer claims, bound at PreBind once it is allowed (VolumeBinding). */
  readonly delayed: readonly PersistentVolumeClaim[];
  /** When it started waiting. */
  readonly since: Micros;
  /** gangEvents when it started waiting: a Coscheduling event since then is one of its in-flight events. */
  readonly events: number;
  /** Identifies this wait: its Permit timeout fires only if the pod still waits with the same token. */
  readonly token: number;
}

export class GangState {
  /** PodGroups by "<namespace>/<name>". */
  readonly groups = new Map<string, PodGroup>();
  /** Non-terminal pods of each group, by key (the scheduler's pod informer excludes terminal pods). */
  private readonly members = new Map<string, Set<string>>();
  /** Which group each tracked pod is in. */
  private readonly groupOf = new Map<string, string>();
  /** Pods waiting at Permit, by key, in the order they started waiting. */
  readonly waiting = new Map<string, WaitingPod>();
  /** backedOffPG: groups refused at PreFilter until the given time (podGroupBackoffSeconds). */
  readonly backedOff = new Map<string, Micros>();
  /** Events Coscheduling registered (Pod Add, PodGroup Add/Update), counted, for the waiting pods' in-flight events. */
  events = 0;
  /** Last wait token handed out. */
  tokens = 0;

  track(key: string, group: string): void {
    const prev = this.groupOf.get(key);
    if (prev === group) return;
    if (prev !== undefined) this.untrack(key);
    if (group === '') return;
    this.groupOf.set(key, group);
    let s = this.members.get(group);
    if (s === undefined) this.members.set(group, (s = new Set()));
    s.add(key);
  }

  untrack(key: string): void {
    const g = this.groupOf.get(key);
    if (g === undefined) return;
    this.groupOf.delete(key);
    this.members.get(g)?.delete(key);
  }

  /** The group's non-terminal pods (PreFilter's count), as keys in creation order. */
  membersOf(group: string): ReadonlySet<string> {
    return this.members.get(group) ?? EMPTY;
  }

  /** CalculateAssignedPods: the group's pods the cache holds on a node (assumed, waiting or bound), `except` excluded. */
  assigned(group: string, pods: AssignedPods, except: string): number {
    let n = 0;
    for (const k of this.membersOf(group)) if (k !== except && pods.get(k) !== undefined) n++;
    return n;
  }

  /** The waiting pods of a group, in wait order. */
  waitingOf(group: string): WaitingPod[] {
    const out: WaitingPod[] = [];
    for (const w of this.waiting.values()) if (w.group === group) out.push(w);
    return out;
  }

  isBackedOff(group: string, now: Micros): boolean {
    const until = this.backedOff.get(group);
    if (until === undefined) return false;
    if (now < until) return true;
    this.backedOff.delete(group);
    return false;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
