/**
 * Arrival times of a pod workload whose rate changes over time (ramp, diurnal), as a non-homogeneous Poisson
 * process or its deterministic counterpart, and the create/delete times of a churn workload.
 *
 * Rate-varying arrivals invert the cumulative rate Λ(t) = ∫ λ: pod i arrives at Λ⁻¹(Sᵢ) where S₀ = 0 and
 * Sᵢ₊₁ = Sᵢ + Eᵢ, Eᵢ a unit exponential draw (Poisson; Çinlar's time-change construction) or 1 (evenly spaced
 * in Λ: the deterministic form, like `constant`). Exactly one draw per pod, so on a seed every policy gets the
 * same arrivals (common random numbers), and a pod's time does not depend on how the rate is stored.
 */
import type { RngStream } from '../core/rng.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';

/** Rate rising (or falling) linearly from `from` to `to` pods/s over `over`, then staying at `to`. */
export interface RampRate {
  readonly type: 'ramp';
  readonly from: number;
  readonly to: number;
  readonly over: Micros;
}

/** Rate over a repeating period (a day by default): `rates[k]` pods/s during slot k of period / rates.length. */
export interface DiurnalRate {
  readonly type: 'diurnal';
  readonly period: Micros;
  readonly rates: readonly number[];
}

export type VaryingRate = RampRate | DiurnalRate;

/** Seconds after the start at which the cumulative rate reaches `target` (pods). */
function inverseCumulative(r: VaryingRate, target: number, diurnal: DiurnalTable | null): number {
  if (r.type === 'ramp') {
    if (target === 0) return 0;
    const over = r.over / MICROS_PER_SECOND;
    const atEnd = ((r.from + r.to) / 2) * over;
    if (over > 0 && target <= atEnd) {
      // from·t + (to − from)·t²/(2·over) = target, in the form that stays exact when to = from.
      const a = (r.to - r.from) / (2 * over);
      return (2 * target) / (r.from + Math.sqrt(Math.max(0, r.from * r.from + 4 * a * target)));
    }
    return over + (target - atEnd) / r.to;
  }
  const t = diurnal as DiurnalTable;
  let periods = Math.floor(target / t.perPeriod);
  let rest = target - periods * t.perPeriod;
  if (rest >= t.perPeriod) {
    // Rounding put the target on the period's end: it is the next period's start.
    periods++;
    rest = 0;
  } else if (rest < 0) {
    // The floor rounded up on a period boundary: the target is that period's start (as in the branch above),
    // not a negative remainder (which divided by a first slot of rate 0 gave −Infinity).
    rest = 0;
  }
  // The first slot whose running sum passes `rest`; it has a positive rate (equal sums around a slot mean 0).
  let lo = 0;
  let hi = r.rates.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t.cumulative[mid + 1] <= rest) lo = mid + 1;
    else hi = mid;
  }
  rest -= t.cumulative[lo];
  return periods * t.periodS + lo * t.slotS + rest / r.rates[lo];
}

interface DiurnalTable {
  readonly periodS: number;
  readonly slotS: number;
  /** cumulative[k] = pods expected before slot k; length = slots + 1. */
  readonly cumulative: readonly number[];
  readonly perPeriod: number;
}

function diurnalTable(r: DiurnalRate): DiurnalTable {
  const periodS = r.period / MICROS_PER_SECOND;
  const slotS = periodS / r.rates.length;
  const cumulative = [0];
  for (const rate of r.rates) cumulative.push(cumulative[cumulative.length - 1] + rate * slotS);
  return { periodS, slotS, cumulative, perPeriod: cumulative[cumulative.length - 1] };
}

/** Times of `count` arrivals from `start` under a varying rate; `rng` null = evenly spaced in Λ. */
export function varyingRateTimes(r: VaryingRate, start: Micros, count: number, rng: RngStream | null): Micros[] {
  const table = r.type === 'diurnal' ? diurnalTable(r) : null;
  const out: Micros[] = [];
  let s = 0;
  for (let i = 0; i < count; i++) {
    out.push(start + Math.round(inverseCumulative(r, s, table) * MICROS_PER_SECOND));
    s += rng === null ? 1 : -Math.log(rng.nextOpen());
  }
  return out;
}

/**
 * scheduler_perf's churn op (test/integration/scheduler_perf, churnOp): every `interval` from `start`, in
 * `create` mode one pod is created until `number` exist (0 = no limit); in `recreate` mode `number` pods are
 * created one per tick, then deleted one per tick (oldest first), and again. One object per tick, as upstream
 * with one template.
 */
export interface Churn {
  readonly mode: 'create' | 'recreate';
  readonly number: number;
  readonly interval: Micros;
  readonly start: Micros;
}

export interface ChurnStep {
  readonly t: Micros;
  /** Index of the pod created or deleted (pods are numbered in creation order). */
  readonly pod: number;
  readonly op: 'create' | 'delete';
}

/** The churn's steps up to `end` (inclusive). */
export function churnSteps(c: Churn, end: Micros): ChurnStep[] {
  const out: ChurnStep[] = [];
  let created = 0;
  let deleted = 0;
  for (let tick = 0, t = c.start; t <= end; tick++, t = c.start + tick * c.interval) {
    const op = churnTick(c, tick);
    if (op === 'stop') break;
    out.push({ t, pod: op === 'create' ? created++ : deleted++, op });
  }
  return out;
}

/**
 * What tick `tick` (from 0) of a churn does: create one object, delete the oldest, or stop (a create churn
 * that reached `number`). Recreate: ticks 0…number−1 create, the next `number` delete, and again.
 */
export function churnTick(c: Pick<Churn, 'mode' | 'number'>, tick: number): 'create' | 'delete' | 'stop' {
  if (c.mode === 'create') return c.number > 0 && tick >= c.number ? 'stop' : 'create';
  return Math.floor(tick / c.number) % 2 === 0 ? 'create' : 'delete';
}

/** Pods a churn creates up to `end`, for the limits (without building the steps). */
export function churnCreations(c: Churn, end: Micros): number {
  if (end < c.start) return 0;
  const ticks = Math.floor((end - c.start) / c.interval) + 1;
  if (c.mode === 'create') return c.number > 0 ? Math.min(c.number, ticks) : ticks;
  return Math.floor(ticks / (2 * c.number)) * c.number + Math.min(ticks % (2 * c.number), c.number);
}
