/**
 * Statistics over replications: mean with a Student-t confidence interval, and paired differences between a
 * policy and the baseline on the same seeds (common random numbers: both runs share every workload draw, so
 * the per-seed difference removes the workload's own variance). Pure functions over plain numbers.
 *
 * The t quantile is computed exactly (to ~1e-12) by inverting the Student t CDF, which is expressed through
 * the regularized incomplete beta function: for t ≥ 0, F(t; ν) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½)
 * (Abramowitz & Stegun 26.7.1 with 26.5.27). I_x(a, b) uses its continued fraction evaluated with the modified
 * Lentz method (A&S 26.5.8), ln Γ the Lanczos approximation (g = 7, 9 terms).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x); // reflection
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Continued fraction for I_x(a, b), convergent for x < (a + 1)/(a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b; // symmetry I_x(a,b) = 1 − I_{1−x}(b,a)
}

/** Student t cumulative distribution function with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom (0 < p < 1, df > 0), by bisection on the CDF. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`studentTQuantile: expected 0 < p < 1 and df > 0, got p=${p}, df=${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (p === 0.5) return 0;
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface Interval {
  /** Number of values (replications, or pairs). */
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 denominator); NaN for n < 2. */
  readonly sd: number;
  /** Half-width of the two-sided confidence interval: t(1 − α/2, n − 1) · sd / √n; NaN for n < 2. */
  readonly halfWidth: number;
}

/** Mean and two-sided `level` confidence interval (Student t) of independent values. NaN in → NaN out. */
export function meanInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, halfWidth: NaN };
  // Equal values have exactly zero spread; summing them could leave rounding noise (26.8 ± 1e-14).
  if (values.every((v) => v === values[0])) return { n, mean: values[0], sd: n < 2 ? NaN : 0, halfWidth: n < 2 ? NaN : 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { n, mean, sd: NaN, halfWidth: NaN };
  const ss = values.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  const sd = Math.sqrt(ss / (n - 1));
  return { n, mean, sd, halfWidth: (studentTQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n) };
}

/** Interval of the per-seed differences a[i] − b[i] (the two arrays are paired by index). */
export function pairedDifference(a: readonly number[], b: readonly number[], level = 0.95): Interval {
  if (a.length !== b.length) throw new RangeError(`pairedDifference: ${a.length} values against ${b.length}`);
  return meanInterval(
    a.map((v, i) => v - b[i]),
    level,
  );
}

/** Whether a lower or a higher value of a metric is better; 'none' for counts that describe the workload. */
export type Direction = 'lower' | 'higher' | 'none';

export type Verdict = 'better' | 'worse' | 'different' | 'no significant difference' | 'no difference' | 'no interval';

/**
 * Reads a paired difference (policy − baseline): significant when its confidence interval excludes 0.
 * With one pair there is no interval; identical runs on every seed give "no difference"; a significant
 * difference on a metric with no better direction is "different".
 */
export function verdict(diff: Interval, direction: Direction): Verdict {
  if (Number.isNaN(diff.mean)) return 'no interval';
  if (diff.sd === 0 && diff.mean === 0) return 'no difference';
  if (Number.isNaN(diff.halfWidth)) return 'no interval';
  if (Math.abs(diff.mean) <= diff.halfWidth) return 'no significant difference';
  if (direction === 'none') return 'different';
  const higher = diff.mean > 0;
  return higher === (direction === 'higher') ? 'better' : 'worse';
}
