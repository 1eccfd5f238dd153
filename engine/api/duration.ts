/**
 * Go's time.ParseDuration syntax ("300ms", "1.5h", "2h45m", "100us", "100µs"), as Kubernetes uses it in
 * component flags and configs, converted to integer virtual microseconds (nanoseconds are rounded).
 */
import type { Micros } from '../core/time.js';

const UNIT_MICROS: Readonly<Record<string, number>> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  μs: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

const TERM = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** Returns the duration in microseconds, or null when `text` is not a valid non-negative Go duration. */
export function parseDuration(text: string): Micros | null {
  let rest = text;
  if (rest.startsWith('+')) rest = rest.slice(1);
  if (rest === '0') return 0;
  if (rest === '') return null;
  let total = 0;
  while (rest !== '') {
    const m = TERM.exec(rest);
    if (m === null) return null;
    total += Number(m[1]) * UNIT_MICROS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return Number.isFinite(total) ? Math.round(total) : null;
}

/** Formats microseconds so that parseDuration reads them back exactly. */
export function formatDuration(us: Micros): string {
  return `${us}us`;
}
