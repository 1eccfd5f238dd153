/**
 * Cron schedules as the CronJob controller reads them (robfig/cron/v3 ParseStandard, the parser
 * pkg/controller/cronjob uses): five fields — minute, hour, day of month, month, day of week — each `*`, a value,
 * a range `a-b`, a step `*\/n`, `a/n` (a to the maximum) or `a-b/n`, or a comma-separated list of those; month
 * and day-of-week names (JAN–DEC, SUN–SAT; day of week 0–6, as robfig's bounds); the descriptors @yearly (@annually), @monthly,
 * @weekly, @daily (@midnight) and @hourly. When both day fields are restricted a day matching either runs
 * (a `*` field, without a step, makes the match an AND: robfig dayMatches).
 *
 * Times are UTC; virtual time 0 is 1970-01-01T00:00:00Z (a Thursday).
 */
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';

export interface CronSchedule {
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly dom: readonly boolean[];
  readonly months: readonly boolean[];
  readonly dow: readonly boolean[];
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS: readonly (Bounds & { readonly name: string })[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];
const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Parses a schedule; throws an Error whose message says what is wrong (the caller adds the field path). */
export function parseCron(text: string): CronSchedule {
  const spec = DESCRIPTORS[text.trim()] ?? text.trim();
  if (spec.startsWith('@'))
    throw new Error(`unknown descriptor ${JSON.stringify(text)}; expected @yearly, @monthly, @weekly, @daily or @hourly (or five fields)`);
  const parts = spec.split(/\s+/);
  if (parts.length !== 5)
    throw new Error(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length} in ${JSON.stringify(text)}`);
  const sets: boolean[][] = [];
  const stars: boolean[] = [];
  parts.forEach((p, i) => {
    const r = parseField(p, FIELDS[i]);
    sets.push(r.set);
    stars.push(r.star);
  });
  return { minutes: sets[0], hours: sets[1], dom: sets[2], months: sets[3], dow: sets[4], domStar: stars[2], dowStar: stars[4] };
}

function parseField(text: string, b: Bounds & { readonly name: string }): { set: boolean[]; star: boolean } {
  const set: boolean[] = new Array(b.max + 1).fill(false);
  let star = false;
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined || range === '') throw new Error(`invalid ${b.name} ${JSON.stringify(item)}`);
    const step = stepText === undefined ? 1 : num(stepText, { name: `${b.name} step`, min: 1, max: b.max });
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = b.min;
      hi = b.max;
      if (step === 1) star = true;
    } else {
      const [a, z, more] = range.split('-');
      if (more !== undefined) throw new Error(`invalid ${b.name} range ${JSON.stringify(range)}`);
      lo = num(a, b);
      // "a/n" means a to the maximum, every n.
      hi = z !== undefined ? num(z, b) : stepText !== undefined ? b.max : lo;
      if (hi < lo) throw new Error(`${b.name} range ${JSON.stringify(range)} ends before it starts`);
    }
    for (let v = lo; v <= hi; v += step) set[v] = true;
  }
  return { set, star };
}

function num(text: string, b: Bounds & { readonly name: string }): number {
  const i = b.names?.indexOf(text.toUpperCase()) ?? -1;
  const v = i >= 0 ? i + (b.min === 1 ? 1 : 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(v) || v < b.min || v > b.max) throw new Error(`${b.name} ${JSON.stringify(text)} is not in ${b.min}-${b.max}`);
  return v;
}

const MINUTE_MS = 60_000;

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.dom[d.getUTCDate()];
  const dow = s.dow[d.getUTCDay()];
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

/** The first scheduled time strictly after `t` (robfig SpecSchedule.Next), or Infinity within 5 years. */
export function nextAfter(s: CronSchedule, t: Micros): Micros {
  const startMs = Math.floor(t / 1000 / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const d = new Date(startMs);
  const limit = startMs + 5 * 366 * 24 * 60 * MINUTE_MS;
  while (d.getTime() <= limit) {
    if (!s.months[d.getUTCMonth() + 1]) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours[d.getUTCHours()]) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes[d.getUTCMinutes()]) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return d.getTime() * 1000;
  }
  return Infinity;
}

export const MICROS_PER_MINUTE: Micros = 60 * MICROS_PER_SECOND;
