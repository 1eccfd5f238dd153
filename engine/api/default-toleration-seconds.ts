/**
 * The DefaultTolerationSeconds admission plugin (plugin/pkg/admission/defaulttolerationseconds/admission.go),
 * on by default in kube-apiserver: every pod created without a toleration for the node controller's NoExecute
 * taints node.kubernetes.io/not-ready and node.kubernetes.io/unreachable gets one, operator Exists, for
 * --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (300 s each). This is what
 * makes pods on a failed node wait 5 minutes before the taint eviction controller deletes them.
 */
import type { Toleration } from './objects.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** kube-apiserver --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

export interface DefaultTolerationParams {
  readonly notReadySeconds: number;
  readonly unreachableSeconds: number;
}

export const DEFAULT_TOLERATION_PARAMS: DefaultTolerationParams = {
  notReadySeconds: DEFAULT_TOLERATION_SECONDS,
  unreachableSeconds: DEFAULT_TOLERATION_SECONDS,
};

const cache = new Map<string, readonly Toleration[]>();

/** The pod's tolerations after admission (the same array when nothing is added). */
export function withDefaultTolerations(tolerations: readonly Toleration[], p: DefaultTolerationParams): readonly Toleration[] {
  let notReady = false;
  let unreachable = false;
  // A toleration with an empty key or effect matches every key or effect, as upstream checks it.
  for (const t of tolerations) {
    const noExecute = t.effect === 'NoExecute' || t.effect === '';
    if (noExecute && (t.key === TAINT_NODE_NOT_READY || t.key === '')) notReady = true;
    if (noExecute && (t.key === TAINT_NODE_UNREACHABLE || t.key === '')) unreachable = true;
  }
  if (notReady && unreachable) return tolerations;
  const add: Toleration[] = [];
  if (!notReady)
    add.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', value: '', effect: 'NoExecute', tolerationSeconds: p.notReadySeconds });
  if (!unreachable)
    add.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', value: '', effect: 'NoExecute', tolerationSeconds: p.unreachableSeconds });
  if (tolerations.length > 0) return [...tolerations, ...add];
  // Pods without tolerations (nearly all) share one frozen array per parameter set.
  const k = `${p.notReadySeconds}/${p.unreachableSeconds}`;
  let shared = cache.get(k);
  if (shared === undefined) cache.set(k, (shared = Object.freeze(add)));
  return shared;
}
