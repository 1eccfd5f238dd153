import type { RngStream } from './rng.js';

/**
 * Latency and size distributions as plain data, so scenarios can declare them. Values are in the unit of the
 * quantity they describe (microseconds for durations); samples are rounded to integers.
 */
export type Distribution =
  | { readonly type: 'constant'; readonly value: number }
  | { readonly type: 'uniform'; readonly min: number; readonly max: number }
  | { readonly type: 'exponential'; readonly mean: number }
  /** ln(X) ~ Normal(ln(median), sigma). */
  | { readonly type: 'lognormal'; readonly median: number; readonly sigma: number }
  /** Draws one of `values`, with probability proportional to `weights` (equal when absent). */
  | { readonly type: 'empirical'; readonly values: readonly number[]; readonly weights?: readonly number[] };

/** z-score of the 99th percentile of the standard normal, for "median + p99" lognormal parameterisation. */
export const Z_P99 = 2.3263478740408408;

export function constant(value: number): Distribution {
  return { type: 'constant', value };
}

export function lognormalFromP99(median: number, p99: number): Distribution {
  return { type: 'lognormal', median, sigma: Math.log(p99 / median) / Z_P99 };
}

/** Draws one integer sample. Each call consumes a fixed number of draws for a given distribution type. */
export function sample(d: Distribution, rng: RngStream): number {
  switch (d.type) {
    case 'constant':
      return d.value;
    case 'uniform':
      return Math.round(d.min + (d.max - d.min) * rng.next());
    case 'exponential':
      return Math.round(-Math.log(rng.nextOpen()) * d.mean);
    case 'lognormal': {
      // Box-Muller; the second normal is discarded so each sample costs exactly two draws.
      const z = Math.sqrt(-2 * Math.log(rng.nextOpen())) * Math.cos(2 * Math.PI * rng.next());
      return Math.round(d.median * Math.exp(d.sigma * z));
    }
    case 'empirical': {
      const u = rng.next();
      const w = d.weights;
      if (w === undefined) return d.values[Math.floor(u * d.values.length)];
      let total = 0;
      for (let i = 0; i < w.length; i++) total += w[i];
      let acc = 0;
      const target = u * total;
      for (let i = 0; i < w.length; i++) {
        acc += w[i];
        if (target < acc) return d.values[i];
      }
      return d.values[d.values.length - 1];
    }
  }
}

/** The distribution's mean, for documentation and sanity checks. */
export function mean(d: Distribution): number {
  switch (d.type) {
    case 'constant':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'exponential':
      return d.mean;
    case 'lognormal':
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
    case 'empirical': {
      const w = d.weights;
      if (w === undefined) return d.values.reduce((s, v) => s + v, 0) / d.values.length;
      let total = 0;
      let acc = 0;
      for (let i = 0; i < w.length; i++) {
        total += w[i];
        acc += w[i] * d.values[i];
      }
      return acc / total;
    }
  }
}
