/**
 * How GPUs appear in Kubernetes manifests, the way GPU-sharing device plugins express them (Alibaba's
 * gpushare / the open-simulator "Open-Gpu-Share" plugin used by the FGD study, alibaba/open-simulator and
 * hkust-adsl/kubernetes-scheduler-simulator example/test-cluster):
 *
 * - Node: the extended resources `alibabacloud.com/gpu-count` (GPUs) and `alibabacloud.com/gpu-milli`
 *   (= 1000 × count) in status.allocatable, and the label `alibabacloud.com/gpu-card-model` (the GPU model).
 * - Pod: the annotations `alibabacloud.com/gpu-count` (GPUs wanted) and `alibabacloud.com/gpu-milli` (milli
 *   of each GPU: < 1000 shares one GPU, 1000 takes whole GPUs), and optionally
 *   `alibabacloud.com/gpu-card-model` with the acceptable models separated by `|` (absent or empty = any).
 *
 * A pod's GPU request is an annotation rather than an extended resource because a scalar resource cannot say
 * "500 milli on one device": the device plugin's scheduler extension tracks each GPU. Every GPU has 1000 milli.
 */
import type { Node, Pod } from '../api/objects.js';

export const GPU_COUNT = 'alibabacloud.com/gpu-count';
export const GPU_MILLI = 'alibabacloud.com/gpu-milli';
export const GPU_MODEL = 'alibabacloud.com/gpu-card-model';
/**
 * Pod annotation the GPU-sharing scheduler plugin writes at bind (or a user presets): the pod's device ids on its
 * node, joined by "-" (the study's simulator pkg/type/open-gpu-share/utils/const.go DeviceIndex, DevIdSep).
 */
export const GPU_INDEX = 'alibabacloud.com/gpu-index';
/** Milli of one GPU. */
export const MILLI_PER_GPU = 1000;
/** Most GPUs kubesim accepts on one node (a DGX-2 has 16): device sets and GpuClustering's tag sets are 32-bit masks. */
export const MAX_GPUS_PER_NODE = 16;

export interface GpuNodeSpec {
  readonly count: number;
  /** '' when the node has no GPU. */
  readonly model: string;
}

export interface GpuPodRequest {
  /** GPUs: 0 (no GPU), 1 (whole or shared), or k > 1 whole GPUs. */
  readonly count: number;
  /** Milli of each GPU: 1..1000 (0 when count is 0). */
  readonly milli: number;
  /** Acceptable GPU models; empty = any. */
  readonly models: readonly string[];
}

/** The node's GPUs, or an error message. */
export function gpuNodeOf(node: Node): GpuNodeSpec | string {
  const a = node.status.allocatable;
  const count = a[GPU_COUNT] ?? 0;
  const milli = a[GPU_MILLI];
  if (!Number.isInteger(count) || count < 0 || count > MAX_GPUS_PER_NODE)
    return `node ${node.metadata.name}: ${GPU_COUNT} must be an integer from 0 to ${MAX_GPUS_PER_NODE}, got ${count}`;
  if (milli !== undefined && milli !== count * MILLI_PER_GPU)
    return `node ${node.metadata.name}: ${GPU_MILLI} must be 1000 × ${GPU_COUNT} = ${count * MILLI_PER_GPU}, got ${milli}`;
  return { count, model: count > 0 ? (node.metadata.labels[GPU_MODEL] ?? '') : '' };
}

/** The pod's GPU request from its annotations, or an error message. */
export function gpuRequestOf(pod: { readonly metadata: Pick<Pod['metadata'], 'name' | 'annotations'> }): GpuPodRequest | string {
  const ann = pod.metadata.annotations;
  const who = `pod ${pod.metadata.name}`;
  const countText = ann[GPU_COUNT];
  const milliText = ann[GPU_MILLI];
  const models = (ann[GPU_MODEL] ?? '').split('|').filter((m) => m !== '');
  if (countText === undefined && milliText === undefined) return { count: 0, milli: 0, models: [] };
  const count = countText === undefined ? 1 : Number(countText);
  const milli = milliText === undefined ? MILLI_PER_GPU : Number(milliText);
  if (!/^[0-9]+$/.test(countText ?? '1') || count > MAX_GPUS_PER_NODE)
    return `${who}: annotation ${GPU_COUNT} must be an integer from 0 to ${MAX_GPUS_PER_NODE}, got "${countText}"`;
  if (!/^[0-9]+$/.test(milliText ?? '1000') || milli > MILLI_PER_GPU)
    return `${who}: annotation ${GPU_MILLI} must be an integer from 0 to 1000 (milli of each GPU), got "${milliText}"`;
  if (count === 0 || milli === 0) return { count: 0, milli: 0, models: [] };
  if (count > 1 && milli !== MILLI_PER_GPU)
    return `${who}: a pod asking for ${count} GPUs takes them whole (${GPU_MILLI} 1000), got ${milli}; only a single GPU can be shared`;
  return { count, milli, models };
}

/** What Reserve gave a pod on its node: `milli` on each GPU of the `devices` bit mask, and its GpuClustering tag. */
export interface GpuGrant {
  readonly milli: number;
  readonly devices: number;
  readonly tag: number;
}
