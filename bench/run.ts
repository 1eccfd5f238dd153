/**
 * `npm run bench`: micro-benchmarks (event queue beside a reference queue, RNG draws, filter+score per pod
 * beside a reference loop) in this process, then end-to-end cases each in a fresh child process (so the peak
 * RSS reported is the case's own). Prints tables and writes reports/bench/bench-<time>.json and
 * reports/bench/latest.json.
 *
 *   node dist/bench/run.js [--quick] [--micro] [--e2e] [--case ID ...] [--all]
 *     --quick   shorter measurements, no 200k-node kernel case, no slow e2e cases
 *     --micro / --e2e   only that half
 *     --case ID run these e2e cases (repeatable; ids in bench/e2e-cases.ts)
 *     --all     also the slow e2e cases (150,000 pods, 50,000 nodes, 100,000 nodes x 1,000,000 pods)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { E2E_CASES } from './e2e-cases.js';
import type { E2eResult } from './e2e-child.js';
import { measure, ratio, type Measured } from './harness.js';
import { kernelCounters, kernelTasks } from './kernel.bench.js';
import { bulkTasks, holdTasks } from './queue.bench.js';
import { rngTasks } from './rng.bench.js';
import { parallelRows, type ParallelRow } from './parallel.bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

interface PairRow {
  readonly group: string;
  readonly case: string;
  readonly oursNs: number;
  readonly refNs: number;
  /** ours / reference, median of alternating rounds. */
  readonly ratio: number;
  readonly extra?: Readonly<Record<string, number | boolean>>;
}

export interface BenchReport {
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memGiB: number;
    readonly node: string;
    readonly loadAvg1: number;
  };
  readonly quick: boolean;
  readonly pairs: readonly PairRow[];
  readonly rng: readonly Measured[];
  readonly parallel: readonly ParallelRow[];
  readonly e2e: readonly (E2eResult | { readonly id: string; readonly error: string })[];
}

function args(): { quick: boolean; micro: boolean; e2e: boolean; cases: string[]; all: boolean } {
  const a = process.argv.slice(2);
  const cases: string[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] === '--case') cases.push(a[++i]);
  const only = (f: string): boolean => a.includes(f);
  const micro = only('--micro') || !only('--e2e');
  const e2e = only('--e2e') || !only('--micro');
  return { quick: only('--quick'), micro, e2e, cases, all: only('--all') };
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: readonly string[]): string => r.map((x, c) => pad(x, w[c], c > 0)).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const int = (x: number): string => Math.round(x).toLocaleString('en-US');

async function micro(quick: boolean): Promise<{ pairs: PairRow[]; rng: Measured[]; parallel: ParallelRow[] }> {
  const rounds = quick ? 3 : 5;
  const ms = quick ? 150 : 400;
  const pairs: PairRow[] = [];
  process.stderr.write('event queue…\n');
  const holds: [number, 'exp' | 'micros'][] = [
    [1e3, 'exp'],
    [1e4, 'exp'],
    [1e5, 'exp'],
    [1e4, 'micros'],
  ];
  if (!quick) holds.push([1e6, 'exp']);
  for (const [q, kind] of holds) {
    const t = holdTasks(q, kind);
    const r = await ratio(t.ours, t.ref, rounds, ms);
    pairs.push({ group: 'event queue', case: t.ours.name.replace(': EventQueue', ''), oursNs: r.a, refNs: r.b, ratio: r.ratio });
  }
  {
    const t = bulkTasks(1e5);
    const r = await ratio(t.ours, t.ref, rounds, ms);
    pairs.push({ group: 'event queue', case: 'bulk 1e5 (push + pop)', oursNs: r.a, refNs: r.b, ratio: r.ratio });
  }
  process.stderr.write('RNG…\n');
  const rng = await measure(rngTasks(), { timeMs: ms });
  process.stderr.write('filter+score…\n');
  const sizes: [number, number][] = [
    [5000, 0],
    [50000, 0],
    [5000, 100],
    [50000, 100],
  ];
  if (!quick) sizes.push([200000, 0], [200000, 100]);
  for (const [n, pct] of sizes) {
    const podsPerCall = Math.max(20, Math.round((pct === 100 ? 2e6 : 2e7) / n / 10));
    const t = kernelTasks(n, pct, podsPerCall);
    const r = await ratio(t.ours, t.ref, rounds, ms);
    const c = kernelCounters(n, pct, 200);
    pairs.push({
      group: 'filter+score',
      case: t.ours.name.replace(': kernel', ''),
      oursNs: r.a,
      refNs: r.b,
      ratio: r.ratio,
      extra: { podsPerSec: 1e9 / r.a, visitedPerPod: c.visitedPerPod, nsPerVisit: r.a / c.visitedPerPod, samePlacements: c.samePlacements },
    });
  }
  process.stderr.write('filter+score with workers…\n');
  const parallel = await parallelRows(quick);
  return { pairs, rng, parallel };
}

function e2e(ids: readonly string[]): BenchReport['e2e'] {
  const out: BenchReport['e2e'][number][] = [];
  for (const id of ids) {
    process.stderr.write(`e2e ${id}…\n`);
    const c = spawnSync(process.execPath, ['--max-old-space-size=16384', join(here, 'e2e-child.js'), id], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const line = (c.stdout ?? '').trim().split('\n').pop() ?? '';
    if (c.status !== 0 || !line.startsWith('{'))
      out.push({ id, error: (c.stderr ?? '').trim().split('\n').slice(-3).join(' ') || `exit ${c.status}` });
    else out.push(JSON.parse(line) as E2eResult);
  }
  return out;
}

export function printReport(r: BenchReport): void {
  const m = r.machine;
  console.log(
    `\nkubesim benchmarks — ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, load ${m.loadAvg1.toFixed(2)}${r.quick ? ' (quick)' : ''}\n`,
  );
  if (r.pairs.length > 0) {
    console.log(
      table(
        ['benchmark', 'ours ns/op', 'reference ns/op', 'ours/ref', 'pods/s', 'nodes/pod', 'ns/node'],
        r.pairs.map((p) => [
          `${p.group}: ${p.case}`,
          f1(p.oursNs),
          f1(p.refNs),
          f2(p.ratio),
          p.extra?.podsPerSec === undefined ? '' : int(p.extra.podsPerSec as number),
          p.extra?.visitedPerPod === undefined ? '' : int(p.extra.visitedPerPod as number),
          p.extra?.nsPerVisit === undefined ? '' : f1(p.extra.nsPerVisit as number),
        ]),
      ),
    );
    console.log(
      '(event queue reference: fixed-capacity flat heap without FIFO ties; filter+score reference: hand-fused loop making the same placements)\n',
    );
  }
  if (r.rng.length > 0)
    console.log(
      `${table(
        ['RNG', 'ns/op'],
        r.rng.map((x) => [x.name, f1(x.nsPerOp)]),
      )}\n`,
    );
  if (r.parallel.length > 0) {
    console.log(
      table(
        ['filter+score with workers', 'workers', 'µs/pod', 'pods/s', 'speedup', 'same placements'],
        r.parallel.map((p) => [
          `${int(p.nodes)} nodes, ${p.pct === 100 ? 'full scan' : 'sampled'}`,
          String(p.workers),
          f1(p.usPerPod),
          int(1e6 / p.usPerPod),
          f2(p.speedup),
          p.samePlacements ? 'yes' : 'NO',
        ]),
      ),
    );
    console.log('');
  }
  if (r.e2e.length > 0) {
    const rows: string[][] = [];
    for (const e of r.e2e) {
      if ('error' in e) {
        rows.push([e.id, 'error', e.error, '', '', '', '', '', '']);
        continue;
      }
      for (const run of e.runs) {
        rows.push([
          `${e.id}${e.runs.length > 1 ? ` / ${run.policy}` : ''}`,
          int(e.nodes),
          int(run.podsCreated),
          f2(run.wallMs / 1000),
          f2(run.cpuMs / 1000),
          int(run.events),
          int(run.events / (run.wallMs / 1000)),
          f1(run.events / run.podsCreated),
          f2(e.maxRssBytes / 2 ** 30),
        ]);
      }
    }
    console.log(table(['end to end', 'nodes', 'pods', 'wall s', 'cpu s', 'events', 'events/s', 'events/pod', 'peak RSS GiB'], rows));
    console.log('(each case in its own process; peak RSS includes the scenario load; wall and cpu cover the run only)\n');
  }
}

async function main(): Promise<void> {
  const a = args();
  const report: BenchReport = {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
      loadAvg1: loadavg()[0],
    },
    quick: a.quick,
    ...(a.micro ? await micro(a.quick) : { pairs: [], rng: [], parallel: [] }),
    e2e: a.e2e
      ? e2e(
          a.cases.length > 0
            ? a.cases
            : E2E_CASES.filter((c) => a.all || !(c.slow ?? false) || (!a.quick && c.id === 'sb-5000x150k')).map((c) => c.id),
        )
      : [],
  };
  printReport(report);
  const dir = join(root, 'reports', 'bench');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(dir, `bench-${stamp}.json`), json);
  writeFileSync(join(dir, 'latest.json'), json);
  console.log(`saved reports/bench/bench-${stamp}.json (and latest.json)`);
}

await main();
