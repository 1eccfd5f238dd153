/**
 * A sweep: what was run (scenario, policies, seeds, report options) and each run's output, in canonical task
 * order. Plain data, so a shard can save it as JSON and `kubesim merge` can rebuild the reports from it.
 */
import type { RunOutput } from '../metrics/run-output.js';

export interface SweepInfo {
  readonly scenario: string;
  readonly description: string;
  readonly nodes: number;
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  readonly baseline: string | null;
  /** Virtual µs between two rows of timeseries.csv. */
  readonly sampleInterval: number;
  readonly pods: boolean;
}

export interface Sweep {
  readonly info: SweepInfo;
  /** Canonical order: policy by policy, seeds ascending (engine/sweep/plan.ts). */
  readonly runs: readonly RunOutput[];
}
