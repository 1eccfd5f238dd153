/**
 * How a pod's spec.resourceClaims entries name their ResourceClaims (k8s.io/dynamic-resource-allocation/resourceclaim
 * Name, IsForPod, IsReservedForPod, CanBeReserved), shared by the resource-claim controller and the scheduler.
 */
import type { Pod, PodResourceClaim, ResourceClaim } from './objects.js';

/** resourceclaim.ResourceClaimReservedForMaxSize: at most 256 consumers of one claim. */
export const RESERVED_FOR_MAX_SIZE = 256;

/**
 * The claim a template entry gets: `<pod>-<claim>` (upstream uses generateName `<pod>-<claim>-` and records the
 * name in pod.status.resourceClaimStatuses; kubesim's deterministic name stands for both).
 */
export function generatedClaimName(podName: string, claimName: string): string {
  return `${podName}-${claimName}`;
}

/** resourceclaim.Name: the claim's name, and whether it must be owned by the pod (a template's claim). */
export function claimNameOf(pod: Pod, entry: PodResourceClaim): { readonly name: string; readonly mustCheckOwner: boolean } {
  if (entry.resourceClaimName !== undefined) return { name: entry.resourceClaimName, mustCheckOwner: false };
  return { name: generatedClaimName(pod.metadata.name, entry.name), mustCheckOwner: true };
}

/** resourceclaim.IsForPod: the claim's controller ownerReference is the pod. */
export function isClaimForPod(claim: ResourceClaim, pod: Pod): boolean {
  return claim.metadata.ownerReferences.some((o) => o.controller && o.kind === 'Pod' && o.uid === pod.metadata.uid);
}

export function isReservedForPod(claim: ResourceClaim, pod: Pod): boolean {
  return claim.status.reservedFor.some((r) => r.uid === pod.metadata.uid);
}

export function canBeReserved(claim: ResourceClaim): boolean {
  return claim.status.reservedFor.length < RESERVED_FOR_MAX_SIZE;
}
