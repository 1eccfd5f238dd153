/**
 * The Coscheduling plugin of sigs.k8s.io/scheduler-plugins (pkg/coscheduling/coscheduling.go and core/core.go):
 * gang scheduling of the pods of a PodGroup (api/objects.ts PodGroup, label scheduling.x-k8s.io/pod-group).
 * Its rules, as plain functions over counts the scheduler keeps (scheduler.ts runs them at their extension
 * points and models the Permit wait; docs/model/gang-scheduling.md):
 *
 * - QueueSort (Less): priority desc, then the PodGroup's creationTimestamp (a pod without a group: its initial
 *   attempt timestamp), then namespace/name.
 * - PreFilter (PodGroupManager.PreFilter): a pod whose group is backed off, or has fewer than minMember
 *   (non-terminal) pods, is UnschedulableAndUnresolvable (no preemption).
 * - Permit (PodGroupManager.Permit): assigned (assumed or bound pods of the group, the current pod excluded)
 *   + 1 ≥ minMember → allow the group's waiting pods and this one; otherwise Wait, for the group's
 *   scheduleTimeoutSeconds, else permitWaitingTimeSeconds. A pod naming a missing PodGroup is Unschedulable.
 * - PostFilter: unless assigned ≥ minMember or the gap (minMember − assigned)/minMember ≤ 10 %, reject every
 *   waiting pod of the group (and back the group off for podGroupBackoffSeconds, when set and all its pods exist).
 * - Unreserve: a pod of the group rejected (Permit timeout, or rejected while waiting) rejects every other
 *   waiting pod of the group.
 */
import { POD_GROUP_LABEL, type Pod, type PodGroup } from '../../../api/objects.js';

export const NAME = 'Coscheduling';

/** CoschedulingArgs (scheduler-plugins apis/config/v1 types.go; defaults.go SetDefaults_CoschedulingArgs). */
export interface CoschedulingArgs {
  readonly permitWaitingTimeSeconds: number;
  readonly podGroupBackoffSeconds: number;
}

export const DEFAULT_COSCHEDULING_ARGS: CoschedulingArgs = { permitWaitingTimeSeconds: 60, podGroupBackoffSeconds: 0 };

/** The plugin in a profile: its args and whether its optional PreFilter and PostFilter are enabled. */
export interface GangProfile extends CoschedulingArgs {
  readonly preFilter: boolean;
  readonly postFilter: boolean;
}

/** util.GetPodGroupFullName: "<namespace>/<group>", or '' for a pod outside any group. */
export function podGroupKey(pod: Pod): string {
  const name = pod.metadata.labels[POD_GROUP_LABEL];
  return name === undefined || name === '' ? '' : `${pod.metadata.namespace}/${name}`;
}

/** PreFilter's verdict: null = pass, else the UnschedulableAndUnresolvable message. */
export function preFilter(podName: string, groupKey: string, pg: PodGroup, pods: number, backedOff: boolean): string | null {
  if (backedOff) return `podGroup ${groupKey} failed recently`;
  if (pods < pg.spec.minMember)
    return `pre-filter pod ${podName} cannot find enough sibling pods, current pods number: ${pods}, minMember of group: ${pg.spec.minMember}`;
  return null;
}

/** Permit: 'allow' (the group reached minMember with this pod) or 'wait'. `assigned` excludes the pod itself. */
export function permit(pg: PodGroup, assigned: number): 'allow' | 'wait' {
  return assigned + 1 >= pg.spec.minMember ? 'allow' : 'wait';
}

/** util.GetWaitTimeDuration: the group's scheduleTimeoutSeconds when set, else the plugin's default, in seconds. */
export function waitSeconds(pg: PodGroup, args: CoschedulingArgs): number {
  return pg.spec.scheduleTimeoutSeconds !== null && pg.spec.scheduleTimeoutSeconds > 0
    ? pg.spec.scheduleTimeoutSeconds
    : args.permitWaitingTimeSeconds;
}

/**
 * PostFilter: true when the whole group is rejected (its waiting pods), false when the group is near enough
 * its quorum (assigned ≥ minMember, or at most 10 % of minMember missing) for later pods to complete it.
 */
export function postFilterRejectsGroup(pg: PodGroup, assigned: number): boolean {
  const min = pg.spec.minMember;
  if (assigned >= min) return false;
  // float32 in upstream; minMember ≤ int32 keeps the ratio's comparison with 0.1 the same in float64 here.
  return Math.fround((min - assigned) / min) > Math.fround(0.1);
}
