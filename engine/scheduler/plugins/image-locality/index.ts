/**
 * ImageLocality (pkg/scheduler/framework/plugins/imagelocality/image_locality.go): favours nodes that already
 * hold the pod's images. For each init and regular container whose (normalized) image the node lists, add the
 * image size scaled by the fraction of all nodes holding it (spread); clamp the sum to [23 MiB, 1000 MiB ×
 * containers] and map it linearly to 0..100. No NormalizeScore, no PreScore (it always scores).
 */
export const NAME = 'ImageLocality';

const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** normalizedImageName: append ":latest" unless the last ':' comes after the last '/'. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

/** scaledImageScore: int64(float64(size) * (float64(numNodes) / float64(totalNumNodes))). */
export function scaledImageScore(size: number, numNodes: number, totalNumNodes: number): number {
  return Math.trunc(size * (numNodes / totalNumNodes));
}

/** calculatePriority, int64 arithmetic (sums stay far below 2^53). */
export function calculatePriority(sum: number, numContainers: number): number {
  const max = MAX_CONTAINER_THRESHOLD * numContainers;
  let s = sum;
  if (s < MIN_THRESHOLD) s = MIN_THRESHOLD;
  else if (s > max) s = max;
  return Math.trunc((100 * (s - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
}
