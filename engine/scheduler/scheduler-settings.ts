/**
 * Scheduler-wide settings of a KubeSchedulerConfiguration beyond its profiles (parsed by
 * scenario/scheduler-config.ts): the queue's backoff, the parallelism of a cycle, and the feature gates.
 */
import type { Micros } from '../core/time.js';

/** The feature gates a KubeSchedulerConfiguration may set (featureGates), with upstream's defaults (v1.34). */
export interface FeatureGates {
  /** QueueingHints (GA in v1.34): off = a matching registered event moves a pod without asking the hints. */
  readonly SchedulerQueueingHints: boolean;
  /** Pod-level resources (spec.resources; beta, on by default since v1.34), read by NodeResourcesFit. */
  readonly PodLevelResources: boolean;
}

export const DEFAULT_FEATURE_GATES: FeatureGates = { SchedulerQueueingHints: true, PodLevelResources: true };

/** podInitialBackoffSeconds / podMaxBackoffSeconds (undefined = the scenario's parameters) and parallelism. */
export interface SchedulerQueueSettings {
  readonly podInitialBackoff?: Micros;
  readonly podMaxBackoff?: Micros;
  readonly parallelism: number;
}
