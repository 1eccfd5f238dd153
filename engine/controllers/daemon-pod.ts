/**
 * What a DaemonSet's pod for one node looks like and whether a node should run it, shared by the DaemonSet
 * controller and the cluster autoscaler's node templates (cluster-autoscaler simulator: the template node's
 * DaemonSet pods are those NodeShouldRunDaemonPod accepts).
 *
 * - pkg/controller/daemon/util/daemonset_util.go AddOrUpdateDaemonPodTolerations: every daemon pod tolerates
 *   node.kubernetes.io/not-ready and unreachable (NoExecute, no tolerationSeconds: never evicted for them) and
 *   disk-pressure, memory-pressure, pid-pressure and unschedulable (NoSchedule). (network-unavailable, added
 *   for hostNetwork pods, is not: kubesim's PodSpec has no hostNetwork and never sets that taint.)
 * - ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity becomes one term,
 *   matchFields metadata.name In [node] (the default scheduler places it since v1.12, ScheduleDaemonSetPods);
 *   preferred terms are kept.
 * - pkg/controller/daemon/daemon_controller.go NodeShouldRunDaemonPod / predicates: the template's nodeName (if
 *   any), nodeSelector and required node affinity must match the node; an untolerated NoSchedule or NoExecute
 *   taint means it should not run there, and an untolerated NoExecute taint that a running one must go.
 */
import type { DaemonSet, Node, NodeAffinity, Pod, PodSpec, Toleration } from '../api/objects.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../api/default-toleration-seconds.js';
import { requiredNodeAffinityMatches } from '../api/node-selector.js';
import { toleratedByAny } from '../scheduler/plugins/taint-toleration/index.js';

const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: TAINT_NODE_NOT_READY, operator: 'Exists', value: '', effect: 'NoExecute' },
  { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', value: '', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', value: '', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', value: '', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', value: '', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', value: '', effect: 'NoSchedule' },
];

/**
 * v1helper.AddOrUpdateTolerationInPodSpec for each daemon toleration: a toleration with the same key, operator,
 * value and effect is replaced (dropping its tolerationSeconds), otherwise it is appended.
 */
export function withDaemonTolerations(tolerations: readonly Toleration[]): Toleration[] {
  const out = [...tolerations];
  for (const d of DAEMON_TOLERATIONS) {
    const i = out.findIndex((t) => t.key === d.key && t.operator === d.operator && t.value === d.value && t.effect === d.effect);
    if (i >= 0) out[i] = d;
    else out.push(d);
  }
  return out;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity. */
export function nodeNameAffinity(aff: NodeAffinity | undefined, node: string): NodeAffinity {
  const required = {
    nodeSelectorTerms: [{ matchExpressions: [], matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: [node] }] }],
  };
  return aff?.preferred === undefined ? { required } : { required, preferred: aff.preferred };
}

/** The DaemonSet's template spec with the daemon tolerations (what NodeShouldRunDaemonPod checks). */
export function daemonTemplateSpec(ds: DaemonSet): PodSpec {
  return { ...ds.spec.template.spec, tolerations: withDaemonTolerations(ds.spec.template.spec.tolerations) };
}

/** The spec of the daemon pod for `node`: the daemon template spec pinned to the node by affinity. */
export function daemonPodSpec(spec: PodSpec, node: string): PodSpec {
  const affinity = { ...spec.affinity, nodeAffinity: nodeNameAffinity(spec.affinity?.nodeAffinity, node) };
  return { ...spec, affinity };
}

/** The daemon pod the controller creates on `node` (`spec` being daemonTemplateSpec(ds)). */
export function daemonPod(ds: DaemonSet, spec: PodSpec, node: string, name: string): Pod {
  const t = ds.spec.template;
  return {
    kind: 'Pod',
    metadata: {
      name,
      namespace: ds.metadata.namespace,
      uid: '',
      labels: t.labels,
      annotations: t.annotations,
      ownerReferences: [{ kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid, controller: true }],
      creationTimestamp: 0,
      resourceVersion: 0,
    },
    spec: daemonPodSpec(spec, node),
    status: { phase: 'Pending', ready: false },
  };
}

export interface ShouldRun {
  /** A daemon pod should be created on the node if it has none. */
  readonly shouldRun: boolean;
  /** A daemon pod already there may stay. */
  readonly shouldContinueRunning: boolean;
}

const NEITHER: ShouldRun = { shouldRun: false, shouldContinueRunning: false };
const BOTH: ShouldRun = { shouldRun: true, shouldContinueRunning: true };
const STAY: ShouldRun = { shouldRun: false, shouldContinueRunning: true };

/** NodeShouldRunDaemonPod, `spec` being daemonTemplateSpec(ds). */
export function nodeShouldRunDaemonPod(node: Node, spec: PodSpec): ShouldRun {
  if (spec.nodeName !== '' && spec.nodeName !== node.metadata.name) return NEITHER;
  if (!requiredNodeAffinityMatches(spec, node)) return NEITHER;
  let noSchedule = false;
  for (const taint of node.spec.taints) {
    if (taint.effect === 'PreferNoSchedule' || toleratedByAny(spec.tolerations, taint)) continue;
    if (taint.effect === 'NoExecute') return NEITHER;
    noSchedule = true;
  }
  return noSchedule ? STAY : BOTH;
}

/** util.GetTargetNodeName: the node a daemon pod is bound to, or the one its matchFields pins it to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName !== '') return pod.spec.nodeName;
  for (const t of pod.spec.affinity?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields) if (f.key === 'metadata.name' && f.operator === 'In' && f.values.length === 1) return f.values[0];
  }
  return undefined;
}

/** The DaemonSet that controls the pod, as an ownerReference check (podutil / metav1.GetControllerOf). */
export function isDaemonSetPod(pod: Pod): boolean {
  for (const o of pod.metadata.ownerReferences) if (o.controller && o.kind === 'DaemonSet') return true;
  return false;
}
