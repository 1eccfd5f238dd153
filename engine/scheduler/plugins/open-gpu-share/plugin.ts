/**
 * Open-Gpu-Share's PreFilter/Filter and the FGD study's GPU score plugins (FGDScore, BestFitScore, …) as
 * framework plugins over the scheduler cache's GPU columns (NodeTable.gpu). The formulas and the Reserve are
 * GpuShare's (gpu-share.ts); one GpuShare per profile holds the cycle's pod, shared by these instances.
 */
import type { GpuScorePlugin as GpuScoreName } from '../gpu-scores.js';
import { GpuShare, NAME as OPEN_GPU_SHARE, REASON_GPU } from './index.js';
import {
  CHECK,
  PASS,
  REJECT,
  SKIP,
  UNSCHEDULABLE,
  type FilterCycle,
  type FilterPlugin,
  type PreFilterStatus,
  type ScoreCycle,
  type ScorePlugin,
} from '../../framework/plugin.js';
import { GPU_SHARE } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';

export class OpenGpuSharePlugin implements FilterPlugin {
  readonly name = OPEN_GPU_SHARE;
  readonly bit = GPU_SHARE;
  rejection = '';

  constructor(readonly share: GpuShare) {}

  /** Reads the pod's GPU request; a malformed one fits nowhere (Reject). Skip for a GPU-less pod or cluster. */
  preFilter(c: FilterCycle): PreFilterStatus {
    if (c.t.gpu === null) return SKIP;
    const check = this.share.prepare(c.t, c.pod);
    if (this.share.error !== null) {
      this.rejection = this.share.error;
      return REJECT;
    }
    return check ? CHECK : SKIP;
  }

  fits(i: number): boolean {
    return this.share.fits(i);
  }

  filter(_t: NodeTable, i: number, reasons: string[] | null): number {
    if (this.fits(i)) return PASS;
    reasons?.push(REASON_GPU);
    return UNSCHEDULABLE;
  }
}

/** One GPU score plugin of the profile; its scores are GpuShare's for the cycle's pod (read at Open-Gpu-Share's PreFilter). */
export class GpuScorePlugin implements ScorePlugin {
  constructor(
    readonly name: GpuScoreName,
    private readonly share: GpuShare,
  ) {}

  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    if (c.t.gpu === null || c.rng === undefined) return;
    // The pod's GPU request, as Open-Gpu-Share's PreFilter reads it (also when that plugin is not enabled).
    this.share.prepare(c.t, c.pod);
    this.share.scoreOne(c.t, this.name, w, feasible, found, out, c.rng);
  }

  uniform(c: FilterCycle): boolean {
    return c.t.gpu === null;
  }
}
