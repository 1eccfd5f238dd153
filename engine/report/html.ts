/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no network) with the comparison table,
 * latency CDFs per policy, and pending pods, allocation and nodes in use over time. Each policy's curve is the
 * average over its seeds: CDFs average the percentile curves (the quantile average, "Vincentization"), time
 * series average each sample point, a run that ended early keeping its final state. Names from the scenario
 * are escaped everywhere.
 */
import { METRICS } from '../metrics/metric-info.js';
import type { RunOutput } from '../metrics/run-output.js';
import type { TimeRow } from '../metrics/timeseries.js';
import type { Comparison, MetricRow } from './comparison.js';
import { escapeHtml, lineChart, type Series } from './svg-chart.js';
import type { Sweep } from './sweep.js';
import { fmt } from './table.js';

function runsOf(s: Sweep, policy: string): RunOutput[] {
  return s.runs.filter((r) => r.policy === policy);
}

function cdfSeries(s: Sweep, pick: (r: RunOutput) => readonly number[]): Series[] {
  return s.info.policies.map((p) => {
    const curves = runsOf(s, p)
      .map(pick)
      .filter((c) => c.length > 0);
    if (curves.length === 0) return { name: p, points: [] };
    const points: [number, number][] = curves[0].map((_, i) => [curves.reduce((a, c) => a + c[i], 0) / curves.length / 1000, i / 100]);
    return { name: p, points };
  });
}

/** At most this many points per time-series curve (every k-th sample). */
const MAX_POINTS = 400;

function timeSeries(s: Sweep, pick: (row: TimeRow, perS: number, prev: TimeRow | null) => number): Series[] {
  return s.info.policies.map((p) => {
    const runs = runsOf(s, p).filter((r) => r.timeseries.length > 0);
    if (runs.length === 0) return { name: p, points: [] };
    const len = Math.max(...runs.map((r) => r.timeseries.length));
    const step = Math.max(1, Math.ceil(len / MAX_POINTS));
    const points: [number, number][] = [];
    for (let i = 0; i < len; i += step) {
      let sum = 0;
      for (const r of runs) {
        const j = Math.min(i, r.timeseries.length - 1);
        const row = r.timeseries[j];
        sum += pick(row, 1_000_000 / r.sampleInterval, j > 0 && j === i ? r.timeseries[j - 1] : null);
      }
      points.push([(i * runs[0].sampleInterval) / 1_000_000, sum / runs.length]);
    }
    return { name: p, points };
  });
}

function cellText(r: MetricRow): string {
  const v = Number.isNaN(r.value.halfWidth) ? fmt(r.value.mean) : `${fmt(r.value.mean)} ± ${fmt(r.value.halfWidth)}`;
  if (r.diff === null || r.verdict === null) return escapeHtml(v);
  const d = Number.isNaN(r.diff.halfWidth) ? fmt(r.diff.mean) : `${fmt(r.diff.mean)} ± ${fmt(r.diff.halfWidth)}`;
  return `${escapeHtml(v)}<br><span class="${r.verdict === 'better' ? 'better' : r.verdict === 'worse' ? 'worse' : 'same'}">Δ ${escapeHtml(d)} (${escapeHtml(r.verdict)})</span>`;
}

function comparisonTableHtml(c: Comparison): string {
  const out: string[] = ['<table><thead><tr><th>metric</th>'];
  for (const p of c.policies)
    out.push(`<th>${escapeHtml(p)}${p === c.baseline ? ' (baseline)' : ''}<br><small>n = ${c.seeds.get(p)?.length ?? 0}</small></th>`);
  out.push('</tr></thead><tbody>');
  for (const m of c.metrics) {
    const info = METRICS[m];
    const better = info.direction === 'none' ? '' : ` <small>(${info.direction} is better)</small>`;
    out.push(`<tr><td>${escapeHtml(info.label)}${better}</td>`);
    for (const p of c.policies) {
      const r = c.rows.find((x) => x.policy === p && x.metric === m);
      out.push(`<td>${r === undefined ? '' : cellText(r)}</td>`);
    }
    out.push('</tr>');
  }
  out.push('</tbody></table>');
  return out.join('');
}

/** The reports' stylesheet (also the GPU replay's report.html, engine/gpu/report.ts). */
export const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top}
td:first-child,th:first-child{text-align:left}.better{color:#0a7a2f}.worse{color:#b00020}.same{color:#666}
.charts{display:flex;flex-wrap:wrap;gap:1em}svg{background:#fff;font-family:system-ui,sans-serif}`;

export function htmlReport(s: Sweep, c: Comparison): string {
  const i = s.info;
  const charts = [
    lineChart({
      title: 'Pod startup latency (creation → Running), CDF',
      xLabel: 'latency (s)',
      yLabel: 'fraction of pods',
      yMax: 1,
      series: cdfSeries(s, (r) => r.cdf.startup),
    }),
    lineChart({
      title: 'Scheduling latency (creation → bound), CDF',
      xLabel: 'latency (s)',
      yLabel: 'fraction of pods',
      yMax: 1,
      series: cdfSeries(s, (r) => r.cdf.sched),
    }),
    lineChart({ title: 'Pending pods', xLabel: 'virtual time (s)', yLabel: 'pods', series: timeSeries(s, (row) => row.pending) }),
    lineChart({
      title: 'Bindings per second',
      xLabel: 'virtual time (s)',
      yLabel: 'pods/s',
      series: timeSeries(s, (row, perS, prev) => (prev === null ? 0 : (row.bound - prev.bound) * perS)),
    }),
    lineChart({
      title: 'CPU allocated',
      xLabel: 'virtual time (s)',
      yLabel: '% of allocatable',
      yMax: 100,
      series: timeSeries(s, (row) => row.cpuPct),
    }),
    lineChart({
      title: 'Memory allocated',
      xLabel: 'virtual time (s)',
      yLabel: '% of allocatable',
      yMax: 100,
      series: timeSeries(s, (row) => row.memPct),
    }),
    lineChart({ title: 'Nodes in use', xLabel: 'virtual time (s)', yLabel: 'nodes', series: timeSeries(s, (row) => row.nodesInUse) }),
  ];
  const seeds =
    i.seeds.length === 1
      ? `seed ${i.seeds[0]}`
      : `seeds ${i.seeds[0]}–${i.seeds[i.seeds.length - 1]} (${i.seeds.length} replications, the same for every policy)`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kubesim: ${escapeHtml(i.scenario)}</title>
<style>${STYLE}</style></head><body>
<h1>kubesim: ${escapeHtml(i.scenario)}</h1>
<p>${escapeHtml(i.description)}</p>
<p>${i.nodes} nodes; policies ${i.policies.map((p) => `<b>${escapeHtml(p)}</b>`).join(', ')}; ${escapeHtml(seeds)}. Values are means over seeds with 95% Student-t intervals; Δ is the paired difference from the baseline <b>${escapeHtml(c.baseline)}</b> on the same seeds.</p>
<h2>Comparison</h2>
${comparisonTableHtml(c)}
<h2>Charts</h2>
<p>Each curve averages the policy's seeds.</p>
<div class="charts">
${charts.join('\n')}
</div>
</body></html>
`;
}
