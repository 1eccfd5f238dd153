/**
 * Go's time.ParseDuration syntax ("300ms", "1.5h", "2h45m", "100us", "100µs"), as Kubernetes uses it in
 * component flags and configs. The simulator converts durations to integer virtual microseconds.
 */
import type { Micros } from '../core/time.js';

export const DURATION_EXPECTED = 'a duration such as "300ms", "1.5h" or "2h45m" (units ns, us, µs, ms, s, m, h), or a number of seconds';

const NANOS_PER_UNIT = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** Go's time.Duration is an int64 of nanoseconds; ParseDuration refuses anything larger. */
const MAX_DURATION_NANOS = 2n ** 63n - 1n;
export const MAX_DURATION_MICROS = Number(MAX_DURATION_NANOS / 1000n);

const DURATION_COMPONENT = /(\d*)(?:\.(\d*))?([^\d.]*)/y;

/**
 * Nanoseconds (signed) per Go's time.ParseDuration, or an error detail. Like Go, fractional parts below a
 * nanosecond are truncated and a unit is required except for "0".
 */
export function parseGoDuration(text: string): bigint | string {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return `expected ${DURATION_EXPECTED}`;
  let total = 0n;
  for (let pos = 0; pos < s.length;) {
    DURATION_COMPONENT.lastIndex = pos;
    const m = DURATION_COMPONENT.exec(s);
    if (m === null || m[0] === '') return `expected ${DURATION_EXPECTED}`;
    const [all, whole, frac = '', unit] = m;
    if (whole === '' && frac === '') return `expected ${DURATION_EXPECTED}`;
    if (unit === '') return `missing unit in duration (write "${text}s" for seconds); expected ${DURATION_EXPECTED}`;
    const scale = NANOS_PER_UNIT.get(unit);
    if (scale === undefined) return `unknown unit ${JSON.stringify(unit)} in duration; expected ${DURATION_EXPECTED}`;
    total += BigInt(whole === '' ? '0' : whole) * scale;
    if (frac !== '') total += (BigInt(frac) * scale) / 10n ** BigInt(frac.length);
    if (total > MAX_DURATION_NANOS) return 'duration is too large (Go durations are limited to about 292 years)';
    pos += all.length;
  }
  return negative ? -total : total;
}

/** The duration in microseconds (nanoseconds rounded half up), or null when `text` is not a valid non-negative Go duration. */
export function parseDuration(text: string): Micros | null {
  const ns = parseGoDuration(text);
  if (typeof ns === 'string' || ns < 0n) return null;
  return Number((ns + 500n) / 1000n);
}

/** Formats microseconds so that parseDuration reads them back exactly. */
export function formatDuration(us: Micros): string {
  return `${us}us`;
}
