/**
 * GpuClusteringScore (the simulator's pkg/simulator/plugin/gpu_clustering_score.go; fgd-method.md §4.5): keeps
 * GPU pods of one kind together. Each GPU pod is tagged "share-gpu" (one GPU, < 1000 milli) or "<k>-gpu"; a
 * node's tags are those of its GPU pods. With base = ⌊25 · (maxGpuMilli − ΣL)/maxGpuMilli⌋: CPU-only pod 0;
 * node tags exactly {tag} base + 75; tag among others base + 50; no tags base + 25; only other tags base.
 */
import type { GpuCluster } from '../../../gpu/cluster.js';
import { MILLI_PER_GPU } from '../../../gpu/resources.js';

/** The plugin's name in a KubeSchedulerConfiguration. */
export const NAME = 'GpuClusteringScore';

/** The pod's tag id (0 = share-gpu, k = k-gpu), -1 for a CPU-only pod. */
export function gpuTagOf(gpus: number, milli: number): number {
  if (gpus === 0) return -1;
  return gpus === 1 && milli < MILLI_PER_GPU ? 0 : gpus;
}

export function gpuClusteringScore(c: GpuCluster, row: number, tag: number): number {
  if (tag < 0) return 0;
  const base = Math.trunc((25 * (c.maxGpuMilli - c.leftSum[row])) / c.maxGpuMilli);
  const tags = c.tagMask[row];
  const bit = 1 << tag;
  if (tags === bit) return base + 75;
  if ((tags & bit) !== 0) return base + 50;
  if (tags === 0) return base + 25;
  return base;
}
