/**
 * What kubesim does with each Kubernetes kind it is given: model it, store it as "not modeled" (it cannot
 * change where or when pods run), or refuse it (it would change placements and kubesim does not model it, so
 * a result computed without it would be wrong).
 *
 * This is the one table to extend when a kind becomes modeled: add the kind to MODELED_KINDS (with its
 * parser in manifests.ts) and remove it from REFUSED_KINDS. Any kind in neither table (ConfigMap, Secret, a
 * custom resource, …) is stored and listed once as "not modeled".
 */

/** Kinds parsed into engine/api/objects.ts and simulated, with the apiVersion they are read from. */
export const MODELED_KINDS: ReadonlyMap<string, string> = new Map([
  ['Node', 'v1'],
  ['Pod', 'v1'],
  ['Deployment', 'apps/v1'],
  ['ReplicaSet', 'apps/v1'],
  ['Service', 'v1'],
  ['PriorityClass', 'scheduling.k8s.io/v1'],
  ['Job', 'batch/v1'],
  ['DaemonSet', 'apps/v1'],
  ['StatefulSet', 'apps/v1'],
  ['PodDisruptionBudget', 'policy/v1'],
  ['CronJob', 'batch/v1'],
  ['LimitRange', 'v1'],
  ['ResourceQuota', 'v1'],
  ['HorizontalPodAutoscaler', 'autoscaling/v2'],
  // The scheduler-plugins CRD of the Coscheduling plugin (engine/scheduler/plugins/coscheduling/).
  ['PodGroup', 'scheduling.x-k8s.io/v1alpha1'],
  ['PersistentVolumeClaim', 'v1'],
  ['PersistentVolume', 'v1'],
  ['StorageClass', 'storage.k8s.io/v1'],
  // Per-driver volume limits of a node, read by NodeVolumeLimits (engine/scheduler/plugins/volume-binding/).
  ['CSINode', 'storage.k8s.io/v1'],
  // Dynamic Resource Allocation with structured parameters (engine/scheduler/plugins/dynamic-resources/).
  ['DeviceClass', 'resource.k8s.io/v1'],
  ['ResourceClaim', 'resource.k8s.io/v1'],
  ['ResourceClaimTemplate', 'resource.k8s.io/v1'],
  ['ResourceSlice', 'resource.k8s.io/v1'],
]);

/**
 * Kinds that change which pods exist, where they may run or when, and that kubesim does not model yet, each
 * with what it would change. Refused wherever they appear, so a run never silently leaves them out.
 */
export const REFUSED_KINDS: ReadonlyMap<string, string> = new Map([
  // Written by the attach/detach controller, which kubesim does not run: a scenario's own VolumeAttachments would
  // count against NodeVolumeLimits (csi.go counts attachments of volumes no pod on the node uses).
  ['VolumeAttachment', 'attached volumes count against the node volume limits (NodeVolumeLimits) and attachment is not modeled'],
  ['RuntimeClass', 'its overhead and scheduling constraints are added to pods'],
  ['ReplicationController', 'it creates pods'],
  ['VerticalPodAutoscaler', 'it changes pod requests'],
  ['PodTemplate', 'it is a pod template object, not a workload; put its pod in a workload'],
]);

export type KindDisposition =
  | { readonly disposition: 'modeled'; readonly apiVersion: string }
  | { readonly disposition: 'refused'; readonly reason: string }
  | { readonly disposition: 'notModeled' };

export function kindDisposition(kind: string): KindDisposition {
  const apiVersion = MODELED_KINDS.get(kind);
  if (apiVersion !== undefined) return { disposition: 'modeled', apiVersion };
  const reason = REFUSED_KINDS.get(kind);
  if (reason !== undefined) return { disposition: 'refused', reason };
  return { disposition: 'notModeled' };
}

/** An object kubesim keeps but does not simulate (a ConfigMap, a custom resource, …). */
export interface StoredObject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * The objects of kinds that are not modeled, collected over every file a command reads, so they are reported
 * once ("not modeled: ConfigMap (2 objects), …") instead of once per object.
 */
export class NotModeled {
  readonly objects: StoredObject[] = [];

  add(o: StoredObject): void {
    this.objects.push(o);
  }

  /** Kind → count, in order of first appearance. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const o of this.objects) out.set(o.kind, (out.get(o.kind) ?? 0) + 1);
    return out;
  }

  /** The one-line note for stderr, or null when every object was modeled. */
  note(prefix?: string): string | null {
    const counts = this.counts();
    if (counts.size === 0) return null;
    const parts = [...counts].map(([kind, n]) => `${kind} (${n} object${n === 1 ? '' : 's'})`);
    return prefix === undefined ? `not modeled: ${parts.join(', ')} (stored, no effect on scheduling)` : `${prefix}: ${parts.join(', ')}`;
  }
}
