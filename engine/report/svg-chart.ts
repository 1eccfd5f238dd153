/**
 * A line chart as an inline SVG string: no script, no external resource, so report.html opens offline.
 * Every text that may come from input (titles, series names) is escaped.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Fix the y range to [0, yMax] (e.g. 1 for a CDF, 100 for percentages); larger values are drawn at the top. */
  readonly yMax?: number;
  /** Show only x in [xMin, xMax] (a zoom; default: from 0 to the largest x, rounded up to a tick). */
  readonly xMin?: number;
  readonly xMax?: number;
  /** Legend in the top-left corner (default) or the top-right one. */
  readonly legend?: 'left' | 'right';
}

/** Colour-blind-safe palette (Okabe & Ito); series beyond it reuse it. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

const W = 640;
const H = 320;
const M = { left: 64, right: 16, top: 32, bottom: 48 };

/** Round tick steps (1, 2, 5 × 10^k) giving about `count` ticks from 0 up to the first one at or above max. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) as number;
  const n = Math.ceil(max / step - 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** Round ticks (as `ticks`, over the window's span) at multiples of the step within [lo, hi]. */
function windowTicks(lo: number, hi: number): number[] {
  const span = hi - lo;
  const step = span > 0 ? ticks(span)[1] : 1;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function label(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return String(v);
}

export function lineChart(c: Chart): string {
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = c.series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = c.xMax ?? (xs.length > 0 ? Math.max(...xs) : 1);
  const yMax = c.yMax ?? (ys.length > 0 ? Math.max(...ys) : 1);
  const zoom = c.xMin !== undefined || c.xMax !== undefined;
  const xBottom = c.xMin ?? 0;
  const xt = zoom ? windowTicks(xBottom, xMax) : ticks(xMax > 0 ? xMax : 1);
  const yt = ticks(yMax > 0 ? yMax : 1);
  const xTop = zoom ? xMax : xt[xt.length - 1] || 1;
  const yTop = yt[yt.length - 1] || 1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number): number => M.left + ((x - xBottom) / (xTop - xBottom || 1)) * pw;
  const sy = (y: number): number => M.top + ph - (Math.min(y, yTop) / yTop) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(c.title)}">`,
  );
  out.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeHtml(c.title)}</text>`);
  for (const t of yt) {
    const y = sy(t).toFixed(1);
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${label(t)}</text>`,
    );
  }
  for (const t of xt) {
    const x = sx(t).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/><text x="${x}" y="${M.top + ph + 16}" text-anchor="middle" font-size="11">${label(t)}</text>`,
    );
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${escapeHtml(c.xLabel)}</text>`);
  out.push(
    `<text x="14" y="${M.top + ph / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${M.top + ph / 2})">${escapeHtml(c.yLabel)}</text>`,
  );
  c.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const pts = zoom ? s.points.filter((p) => p[0] >= xBottom && p[0] <= xTop) : s.points;
    if (pts.length > 0) {
      const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.6"><title>${escapeHtml(s.name)}</title></path>`);
    }
    const ly = M.top + 14 + i * 15;
    const lx = c.legend === 'right' ? W - M.right - 150 : M.left + 8;
    out.push(
      `<rect x="${lx}" y="${ly - 8}" width="12" height="3" fill="${colour}"/><text x="${lx + 16}" y="${ly - 4}" font-size="11" dominant-baseline="middle">${escapeHtml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
