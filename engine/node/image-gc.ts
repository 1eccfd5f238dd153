/**
 * The kubelet's image garbage collector (pkg/kubelet/images/image_gc_manager.go GarbageCollect, run every
 * ImageGCPeriod = 5 min, pkg/kubelet/kubelet.go): when the image filesystem's usage reaches
 * imageGCHighThresholdPercent (85), it frees capacity · (100 − imageGCLowThresholdPercent (80)) / 100 − available
 * bytes, deleting unused images least recently used first (then first detected first), skipping images detected
 * less than imageMinimumGCAge (2 min) ago, until enough is freed (defaults: apis/config/v1beta1/defaults.go).
 */
import type { Micros } from '../core/time.js';

export interface ImageGcPolicy {
  readonly highThresholdPercent: number;
  readonly lowThresholdPercent: number;
  readonly minAge: Micros;
}

/** One image on the node, as the image manager's records keep it. */
export interface ImageRecord {
  readonly name: string;
  readonly sizeBytes: number;
  readonly firstDetected: Micros;
  /** When a container last used it (now while in use). */
  readonly lastUsed: Micros;
  readonly inUse: boolean;
}

/** Whether the image filesystem is at or over the high threshold (usagePercent as upstream: integer percent). */
export function overHighThreshold(usedBytes: number, capacityBytes: number, policy: ImageGcPolicy): boolean {
  const available = Math.max(0, capacityBytes - usedBytes);
  return 100 - Math.floor((available * 100) / capacityBytes) >= policy.highThresholdPercent;
}

/** The images one GarbageCollect pass deletes, in deletion order (none when under the high threshold). */
export function imagesToDelete(images: readonly ImageRecord[], capacityBytes: number, now: Micros, policy: ImageGcPolicy): string[] {
  const used = images.reduce((s, i) => s + i.sizeBytes, 0);
  if (!overHighThreshold(used, capacityBytes, policy)) return [];
  const available = Math.max(0, capacityBytes - used);
  const toFree = Math.floor((capacityBytes * (100 - policy.lowThresholdPercent)) / 100) - available;
  const candidates = images
    .filter((i) => !i.inUse)
    .sort((a, b) => a.lastUsed - b.lastUsed || a.firstDetected - b.firstDetected || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  let freed = 0;
  for (const i of candidates) {
    if (i.lastUsed >= now) continue;
    if (now - i.firstDetected < policy.minAge) continue;
    out.push(i.name);
    freed += i.sizeBytes;
    if (freed >= toFree) break;
  }
  return out;
}
