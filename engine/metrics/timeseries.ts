/**
 * The cluster's state sampled at every multiple of a simulated interval (timeseries.csv). Sampling is passive:
 * the recorder calls `before(t)` ahead of each change it sees at time t, and the sampler writes down the state
 * at every sample point before t. No event is scheduled, so sampling never changes the simulation; the state
 * at a point t_k includes every commit at a time ≤ t_k.
 */
import type { Micros } from '../core/time.js';

export interface ClusterState {
  /** Pods created and not yet bound (and not deleted). */
  readonly pending: number;
  /** Bound pods in phase Running (not finished, not deleted). */
  readonly running: number;
  /** Bindings committed so far (cumulative). */
  readonly bound: number;
  readonly cpuPct: number;
  readonly memPct: number;
  /** GPU milli allocated to bound pods, % of the nodes' alibabacloud.com/gpu-milli (NaN without GPUs). */
  readonly gpuPct: number;
  /** Nodes with at least one bound, unfinished pod. */
  readonly nodesInUse: number;
  /** Node objects registered (the machines paid for), and those with Ready=True. */
  readonly nodes: number;
  readonly nodesReady: number;
}

export interface TimeRow extends ClusterState {
  readonly t: Micros;
}

/** At most this many samples per run: a guard against a tiny interval over a long duration. */
export const MAX_SAMPLES = 1_000_000;

export class TimeSeriesSampler {
  readonly rows: TimeRow[] = [];
  private next: Micros = 0;

  constructor(
    readonly interval: Micros,
    private readonly state: () => ClusterState,
  ) {
    if (!(interval > 0)) throw new RangeError(`sampling interval must be positive, got ${interval}`);
  }

  /** Records every sample point strictly before t (the state has not changed since the last commit before t). */
  before(t: Micros): void {
    if (this.next >= t) return;
    const s = this.state();
    while (this.next < t && this.rows.length < MAX_SAMPLES) {
      this.rows.push({ t: this.next, ...s });
      this.next += this.interval;
    }
  }

  /** Records the remaining points up to and including the first one at or after the end. */
  finish(end: Micros): TimeRow[] {
    this.before(end + 1);
    if (this.rows.length === 0 || this.rows[this.rows.length - 1].t < end) this.before(this.next + 1);
    return this.rows;
  }
}
