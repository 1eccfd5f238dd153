/** A bare pod from a pod template, as a workload or a step creates it (the API server fills uid and times). */
import type { Pod, PodTemplate } from '../api/objects.js';

export function podFromTemplate(t: PodTemplate, name: string, namespace: string, annotations: Record<string, string> = {}): Pod {
  return {
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: '',
      labels: t.labels,
      annotations: { ...t.annotations, ...annotations },
      ownerReferences: [],
      creationTimestamp: 0,
      resourceVersion: 0,
    },
    spec: t.spec,
    status: { phase: 'Pending', ready: false },
  };
}
