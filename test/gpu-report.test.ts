/**
 * report.html of a GPU replay holds the study's Fig. 9(a) curve — unallocated GPU % against arrived workload, one
 * line per policy, the median over seeds — as well-formed, escaped inline SVG whose points are the values of
 * fragmentation.csv (the median recomputed here from the CSV rows, not taken from the report code).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gpuReportFiles, runGpuSweep } from '../engine/gpu/command.js';
import { parseCsv } from '../engine/report/csv-read.js';
import { loadScenario } from '../engine/scenario/load.js';
import type { Scenario } from '../engine/scenario/types.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repo, 'test', 'fixtures', 'gpu');

/** Checks that every tag is closed in order (XML well-formedness of the markup subset the charts use). */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
    const text = svg.slice(last, m.index);
    assert.not.match(text, /[<>]/, `stray markup before ${m[0]}`);
    assert.not.match(text, /&(?!(amp|lt|gt|quot|#39);)/, `unescaped & in "${text}"`);
    last = tag.lastIndex;
    if (m[1] === '/') assert.is(stack.pop(), m[2], `closing </${m[2]}>`);
    else if (m[4] !== '/') stack.push(m[2]);
  }
  assert.not.match(svg.slice(last), /[<>]/);
  assert.equal(stack, []);
}

const unescape = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

test('report.html: the unallocated-GPU curve per policy as escaped SVG, its points the medians of fragmentation.csv', () => {
  const s = loadScenario(join(fixtures, 'tiny.yaml')).scenario;
  const spec = s.gpuReplay as NonNullable<Scenario['gpuReplay']>;
  const sweep = runGpuSweep(s, spec, ['FGD', 'Random'], [1, 2, 3]);
  // Policy names from a scenario are plain; renamed here to names that need escaping in SVG text and attributes.
  const names: Record<string, string> = { FGD: 'FGD <&> "x"', Random: "Random's" };
  const renamed = {
    ...sweep,
    policies: sweep.policies.map((p) => names[p]),
    runs: sweep.runs.map((r) => ({ ...r, policy: names[r.policy] })),
  };
  const files = new Map(gpuReportFiles(renamed));
  const html = files.get('report.html') as string;
  const rows = parseCsv(files.get('fragmentation.csv') as string);
  const h = rows[0];
  const col = (name: string): number => h.indexOf(name);
  // Expected: per policy and arrived %, the median over seeds of unalloc_gpu_pct.
  const expected = new Map<string, Map<number, number>>();
  const bySeed = new Map<string, number[]>();
  for (const r of rows.slice(1)) {
    if (r.length < h.length || r[col('unalloc_gpu_pct')] === '') continue;
    const k = `${r[col('policy')]}\u0000${r[col('arrived_pct')]}`;
    bySeed.set(k, [...(bySeed.get(k) ?? []), Number(r[col('unalloc_gpu_pct')])]);
  }
  for (const [k, v] of bySeed) {
    const [p, x] = k.split('\u0000');
    if (!expected.has(p)) expected.set(p, new Map());
    (expected.get(p) as Map<number, number>).set(Number(x), median(v));
  }
  assert.equal([...expected.keys()].sort(), Object.values(names).sort());

  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.is(svgs.length, 2, 'the 75–130% window and the whole range');
  for (const svg of svgs) assertWellFormed(svg);
  assert.not.match(html, /FGD <&>/, 'the raw name never appears unescaped');
  // The whole-range chart: x from 0 to the largest bucket (130), y from 0 to 100 (the common lineChart's geometry,
  // report/svg-chart.ts: 640×320, margins left 64, right 16, top 32, bottom 48).
  const whole = svgs[1];
  assert.match(whole, /Unallocated|unallocated GPU \(%\)/);
  const pw = 640 - 64 - 16;
  const ph = 320 - 32 - 48;
  const xMax = 130;
  const paths = [...whole.matchAll(/<path d="([^"]*)"[^>]*><title>([^<]*)<\/title><\/path>/g)];
  assert.equal(
    paths.map((m) => unescape(m[2])),
    sweep.policies.map((p) => names[p]),
    'one line per policy, in order',
  );
  for (const [, d, title] of paths) {
    const want = expected.get(unescape(title)) as Map<number, number>;
    const pts = [...d.matchAll(/([ML])(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [
      ((Number(m[2]) - 64) / pw) * xMax,
      ((32 + ph - Number(m[3])) / ph) * 100,
    ]);
    assert.is(pts.length, want.size, `${title}: a point per bucket`);
    const xs = [...want.keys()].sort((a, b) => a - b);
    pts.forEach(([x, y], i) => {
      // toFixed(1) pixels: 0.05 px is 0.012 of arrived % and 0.018 of unallocated %.
      assert.ok(Math.abs(x - xs[i]) < 0.02, `${title}: x ${x} vs ${xs[i]}`);
      assert.ok(Math.abs(y - (want.get(xs[i]) as number)) < 0.03, `${title} at ${xs[i]}%: y ${y} vs ${want.get(xs[i])}`);
    });
  }
  // The legend names each policy, escaped.
  for (const n of Object.values(names))
    assert.ok(
      whole.includes(
        `>${n.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}</text>`,
      ),
      n,
    );
});

test.run();
