/**
 * Graceful deletion of a pod, as the API server decides it (pkg/registry/core/pod/strategy.go
 * CheckGracefulDelete, staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete): the grace
 * period is the DELETE's gracePeriodSeconds, else the pod's terminationGracePeriodSeconds; a pod that is not
 * scheduled, or already Succeeded/Failed, goes at once (period 0). A positive period only marks the pod:
 * metadata.deletionTimestamp = now + period and deletionGracePeriodSeconds = period; the kubelet stops the
 * containers and sends the final DELETE with period 0. A second DELETE may shorten a pending grace period, never
 * extend it.
 */
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { isTerminal, type Pod } from './objects.js';

/** What a DELETE does to `pod`: remove it now, mark it (the new object), or nothing (null). */
export function podDeletion(pod: Pod, gracePeriodSeconds: number | undefined, now: Micros): 'remove' | Pod | null {
  let period = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
  if (pod.spec.nodeName === '' || isTerminal(pod)) period = 0;
  if (period <= 0) return 'remove';
  const at = now + period * MICROS_PER_SECOND;
  const pending = pod.metadata.deletionTimestamp;
  if (pending !== undefined && pending <= at) return null;
  return { ...pod, metadata: { ...pod.metadata, deletionTimestamp: at, deletionGracePeriodSeconds: period } };
}
