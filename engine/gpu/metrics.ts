/**
 * The study's metrics (fgd-method.md §5; the simulator's experiments/analysis merge_alloc_discrete.py and
 * merge_frag_discrete.py): after every pod event e (placed or failed) the arrived GPU milli A_e, the allocated
 * GPU milli U_e and the fragmentation F_e; then per integer arrived-workload percentage x the events with
 * round(100·A_e/capacity) = x (Python round: half to even) are averaged, falling back to x−1..x+1 when none.
 */

/** A finite double as mantissa · 2^exponent, exactly. */
function decompose(x: number): { mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return biased === 0 ? { mant: frac, exp: -1074 } : { mant: frac | (1n << 52n), exp: biased - 1075 };
}

/**
 * Python's round(x, digits) for non-negative x: the nearest multiple of 10^−digits to the exact binary value of
 * x, exact ties to even (CPython's correctly rounded float rounding; JavaScript's toFixed is not exact).
 */
export function pyRound(x: number, digits = 0): number {
  const scale = 10 ** digits;
  const y = x * scale;
  const f = Math.floor(y);
  const d = y - f;
  if (Math.abs(d - 0.5) > 1e-6) return (d < 0.5 ? f : f + 1) / scale;
  // Near a tie: compare x with (f + ½)/scale exactly, i.e. x · 2 · scale with 2f + 1.
  const { mant, exp } = decompose(x);
  const lhs = mant * 2n * BigInt(scale) * (exp > 0 ? 1n << BigInt(exp) : 1n);
  const rhs = BigInt(2 * f + 1) * (exp < 0 ? 1n << BigInt(-exp) : 1n);
  if (lhs < rhs) return f / scale;
  if (lhs > rhs) return (f + 1) / scale;
  return (f % 2 === 0 ? f : f + 1) / scale;
}

export interface EventLog {
  readonly arrived: Float64Array;
  readonly allocated: Float64Array;
  readonly frag: Float64Array;
}

export interface BucketRow {
  /** Arrived workload, % of GPU capacity. */
  readonly x: number;
  /** Allocated GPU, % of capacity (mean of the events' values rounded to 2 decimals, then rounded). */
  readonly alloc: number;
  readonly unalloc: number;
  /** Mean F_e as % of all GPUs (fragmented GPUs / GPUs). */
  readonly fragAmount: number;
  /** Mean of 100 · F_e / idle milli (NaN when every event had no idle GPU). */
  readonly fragRatio: number;
  /** Events averaged (after the ±1 fallback). */
  readonly events: number;
}

export function bucketize(log: EventLog, capacityMilli: number, maxX: number): BucketRow[] {
  const n = log.arrived.length;
  // One pass: per arrived-% bucket, the sums the rows average.
  let top = maxX + 1;
  const bucket = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    bucket[e] = pyRound((100 * log.arrived[e]) / capacityMilli);
    if (bucket[e] > top) top = bucket[e];
  }
  const cnt = new Float64Array(top + 1);
  const alloc = new Float64Array(top + 1);
  const frag = new Float64Array(top + 1);
  const ratio = new Float64Array(top + 1);
  const ratioCnt = new Float64Array(top + 1);
  for (let e = 0; e < n; e++) {
    const b = bucket[e];
    cnt[b]++;
    alloc[b] += pyRound((100 * log.allocated[e]) / capacityMilli, 2);
    frag[b] += log.frag[e];
    const idle = capacityMilli - log.allocated[e];
    if (idle > 0) {
      ratio[b] += (100 * log.frag[e]) / idle;
      ratioCnt[b]++;
    }
  }
  const rows: BucketRow[] = [];
  for (let x = 0; x <= maxX; x++) {
    const lo = cnt[x] > 0 ? x : Math.max(0, x - 1);
    const hi = cnt[x] > 0 ? x : x + 1;
    let c = 0;
    let a = 0;
    let f = 0;
    let q = 0;
    let qc = 0;
    for (let b = lo; b <= hi; b++) {
      c += cnt[b];
      a += alloc[b];
      f += frag[b];
      q += ratio[b];
      qc += ratioCnt[b];
    }
    const mean = c === 0 ? NaN : pyRound(a / c, 2);
    rows.push({
      x,
      alloc: mean,
      unalloc: c === 0 ? NaN : pyRound(100 - mean, 2),
      fragAmount: c === 0 ? NaN : pyRound((100 * (f / c)) / capacityMilli, 2),
      fragRatio: qc === 0 ? NaN : pyRound(q / qc, 2),
      events: c,
    });
  }
  return rows;
}
