/**
 * Virtual time is an integer number of microseconds held in a float64 (exact up to 2^53 µs ≈ 285 years),
 * so sums and equal-time ties are exact and reproducible; floating seconds never enter the engine.
 */
export type Micros = number;

export const MICROS_PER_MS = 1_000;
export const MICROS_PER_SECOND = 1_000_000;

export function fromMillis(ms: number): Micros {
  return Math.round(ms * MICROS_PER_MS);
}

export function fromSeconds(s: number): Micros {
  return Math.round(s * MICROS_PER_SECOND);
}

export function toMillis(t: Micros): number {
  return t / MICROS_PER_MS;
}

export function toSeconds(t: Micros): number {
  return t / MICROS_PER_SECOND;
}

/** "12.345678s" with fixed microsecond precision, for traces and logs (never for arithmetic). */
export function formatTime(t: Micros): string {
  const whole = Math.floor(t / MICROS_PER_SECOND);
  const frac = String(t - whole * MICROS_PER_SECOND).padStart(6, '0');
  return `${whole}.${frac}s`;
}
