/**
 * Reports of a GPU replay sweep (plain data in, file contents out): fragmentation.csv (the study's per-bucket
 * curves), gpu-summary.csv (one row per run), gpu-comparison.csv (mean, sd, median over seeds at the compared
 * arrived-workload percentages), the stdout table and report.html with the study's Fig. 9(a) curve.
 */
import { stringify } from 'csv-stringify/sync';
import { cell } from '../report/csv.js';
import { STYLE } from '../report/html.js';
import { escapeHtml, lineChart } from '../report/svg-chart.js';
import type { GpuRun } from './experiment.js';

export interface GpuSweep {
  readonly scenario: string;
  readonly description: string;
  readonly nodes: number;
  readonly gpus: number;
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  readonly compareAt: readonly number[];
  /** Runs policy by policy (scenario order), seeds ascending. */
  readonly runs: readonly GpuRun[];
}

export function fragmentationCsv(s: GpuSweep): string {
  const header = [
    'scenario',
    'policy',
    'seed',
    'arrived_pct',
    'alloc_gpu_pct',
    'unalloc_gpu_pct',
    'frag_amount_pct',
    'frag_ratio_pct',
    'events',
  ];
  const rows = s.runs.flatMap((r) =>
    r.buckets.map((b) => [
      s.scenario,
      r.policy,
      r.seed,
      b.x,
      cell(b.alloc),
      cell(b.unalloc),
      cell(b.fragAmount),
      cell(b.fragRatio),
      b.events,
    ]),
  );
  return stringify([header, ...rows]);
}

const at = (r: GpuRun, x: number): GpuRun['buckets'][number] | undefined => r.buckets.find((b) => b.x === x);

export function summaryCsv(s: GpuSweep): string {
  const header = [
    'scenario',
    'policy',
    'seed',
    'pods_arrived',
    'pods_resampled',
    'pods_removed',
    'pods_scheduled',
    'pods_failed',
    'gpu_milli_arrived',
    'gpu_milli_allocated',
    'gpu_alloc_pct_end',
    'gpus_in_use_end',
    'cpu_alloc_pct_end',
    'mem_alloc_pct_end',
    'frag_pct_end',
    ...s.compareAt.flatMap((x) => [`unalloc_gpu_pct_at_${x}`, `frag_amount_pct_at_${x}`]),
    'fingerprint',
  ];
  const rows = s.runs.map((r) => {
    const res = r.result;
    const last = res.log.arrived.length - 1;
    const arrived = last < 0 ? 0 : res.log.arrived[last];
    const allocated = last < 0 ? 0 : res.log.allocated[last];
    const frag = last < 0 ? 0 : res.log.frag[last];
    return [
      s.scenario,
      r.policy,
      r.seed,
      res.pods,
      res.resampled,
      res.removed,
      res.scheduled,
      res.failed,
      arrived,
      allocated,
      cell((100 * allocated) / res.capacityMilli),
      res.gpusInUse,
      cell(res.cpuPct),
      cell(res.memPct),
      cell((100 * frag) / res.capacityMilli),
      ...s.compareAt.flatMap((x) => [cell(at(r, x)?.unalloc ?? NaN), cell(at(r, x)?.fragAmount ?? NaN)]),
      res.fingerprint,
    ];
  });
  return stringify([header, ...rows]);
}

export interface Stat {
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function stat(values: readonly number[]): Stat {
  const v = values.filter((x) => !Number.isNaN(x));
  const n = v.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, median: NaN, min: NaN, max: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? NaN : Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const sorted = [...v].sort((a, b) => a - b);
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { n, mean, sd, median, min: sorted[0], max: sorted[n - 1] };
}

export interface ComparisonRow {
  readonly policy: string;
  readonly metric: 'unalloc_gpu_pct' | 'frag_amount_pct';
  readonly x: number;
  readonly stat: Stat;
}

export function comparison(s: GpuSweep): ComparisonRow[] {
  const out: ComparisonRow[] = [];
  for (const policy of s.policies) {
    const runs = s.runs.filter((r) => r.policy === policy);
    for (const metric of ['unalloc_gpu_pct', 'frag_amount_pct'] as const) {
      for (const x of s.compareAt) {
        out.push({
          policy,
          metric,
          x,
          stat: stat(runs.map((r) => (metric === 'unalloc_gpu_pct' ? (at(r, x)?.unalloc ?? NaN) : (at(r, x)?.fragAmount ?? NaN)))),
        });
      }
    }
  }
  return out;
}

export function comparisonCsv(s: GpuSweep, rows: readonly ComparisonRow[]): string {
  const header = ['scenario', 'policy', 'metric', 'arrived_pct', 'n', 'mean', 'sd', 'median', 'min', 'max'];
  return stringify([
    header,
    ...rows.map((r) => [
      s.scenario,
      r.policy,
      r.metric,
      r.x,
      r.stat.n,
      cell(r.stat.mean),
      cell(r.stat.sd),
      cell(r.stat.median),
      cell(r.stat.min),
      cell(r.stat.max),
    ]),
  ]);
}

const f2 = (v: number): string => (Number.isNaN(v) ? '–' : v.toFixed(2));

function statText(st: Stat): string {
  if (st.n === 0) return '–';
  return st.n === 1 ? f2(st.mean) : `${f2(st.mean)} ± ${f2(st.sd)} (med ${f2(st.median)})`;
}

/** The stdout table: unallocated GPU % per policy at each compared arrived-workload %. */
export function comparisonTable(s: GpuSweep, rows: readonly ComparisonRow[]): string {
  const head = ['policy', ...s.compareAt.map((x) => `unallocated GPU % at ${x}% arrived`)];
  const body = s.policies.map((p) => [
    p,
    ...s.compareAt.map((x) =>
      statText((rows.find((r) => r.policy === p && r.metric === 'unalloc_gpu_pct' && r.x === x) as ComparisonRow).stat),
    ),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const note = s.seeds.length > 1 ? `mean ± sd over ${s.seeds.length} seeds, median in brackets` : `seed ${s.seeds[0]}`;
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), `(${note}; lower is better)`].join('\n');
}

/** Median over seeds of each policy's unallocated GPU % per arrived-workload % (the study's Fig. 9(a) lines). */
export function medianCurves(s: GpuSweep): { name: string; points: [number, number][] }[] {
  return s.policies.map((p) => {
    const runs = s.runs.filter((r) => r.policy === p);
    const xs = runs[0]?.buckets.map((b) => b.x) ?? [];
    return {
      name: p,
      points: xs
        .map((x) => [x, stat(runs.map((r) => at(r, x)?.unalloc ?? NaN)).median] as [number, number])
        .filter((pt) => !Number.isNaN(pt[1])),
    };
  });
}

export function gpuHtmlReport(s: GpuSweep, rows: readonly ComparisonRow[]): string {
  const maxX = Math.max(...s.runs.flatMap((r) => r.buckets.map((b) => b.x)), 100);
  const table: string[] = ['<table><thead><tr><th>policy</th>'];
  for (const metric of ['unalloc_gpu_pct', 'frag_amount_pct'] as const) {
    for (const x of s.compareAt)
      table.push(
        `<th>${metric === 'unalloc_gpu_pct' ? 'unallocated GPU %' : 'fragmented GPU %'} at ${x}% arrived<br><small>mean ± sd (median)</small></th>`,
      );
  }
  table.push('</tr></thead><tbody>');
  for (const p of s.policies) {
    table.push(`<tr><td>${escapeHtml(p)}</td>`);
    for (const metric of ['unalloc_gpu_pct', 'frag_amount_pct'] as const) {
      for (const x of s.compareAt)
        table.push(
          `<td>${escapeHtml(statText((rows.find((r) => r.policy === p && r.metric === metric && r.x === x) as ComparisonRow).stat))}</td>`,
        );
    }
    table.push('</tr>');
  }
  table.push('</tbody></table>');
  const curves = medianCurves(s);
  const charts = [
    lineChart({
      title: 'Unallocated GPU vs arrived workload (median over seeds)',
      xLabel: 'arrived workload (% of GPU capacity)',
      yLabel: 'unallocated GPU (%)',
      series: curves,
      xMin: 75,
      xMax: Math.min(maxX, 130),
      yMax: 25,
      legend: 'right',
    }),
    lineChart({
      title: 'The same, whole range',
      xLabel: 'arrived workload (% of GPU capacity)',
      yLabel: 'unallocated GPU (%)',
      series: curves,
      xMin: 0,
      xMax: maxX,
      yMax: 100,
      legend: 'right',
    }),
  ];
  const seeds = s.seeds.length === 1 ? `seed ${s.seeds[0]}` : `seeds ${s.seeds[0]}–${s.seeds[s.seeds.length - 1]}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kubesim: ${escapeHtml(s.scenario)}</title>
<style>${STYLE}</style></head><body>
<h1>kubesim: ${escapeHtml(s.scenario)}</h1>
<p>${escapeHtml(s.description)}</p>
<p>${s.nodes} nodes, ${s.gpus} GPUs; policies ${s.policies.map((p) => `<b>${escapeHtml(p)}</b>`).join(', ')}; ${escapeHtml(seeds)} (the same arrival sequence and node order for every policy of a seed). GPU replay of the FGD study (arrival only, no departures, failed pods dropped).</p>
<h2>Comparison</h2>
${table.join('')}
<h2>Charts</h2>
<p>As the study's Fig. 9(a): the GPU capacity left unallocated when the arrived pods' GPU requests reach x% of the capacity (bucketed per integer %), median over seeds.</p>
<div class="charts">
${charts.join('\n')}
</div>
</body></html>
`;
}
