/**
 * `kubesim run` on a gpuReplay scenario: every (policy, seed) replay in a fixed order, the comparison printed,
 * the reports written (by the caller's writer, atomically). Runs are independent and deterministic: the files
 * are a function of the scenario, policies and seeds only (wall-clock figures go to engine.csv).
 */
import { engineCsv } from '../report/csv.js';
import type { Scenario } from '../scenario/types.js';
import { gpuInputs, gpuManifests, runGpuReplay, type GpuRun } from './experiment.js';
import type { GpuReplaySpec } from './replay-spec.js';
import { comparison, comparisonCsv, comparisonTable, fragmentationCsv, gpuHtmlReport, summaryCsv, type GpuSweep } from './report.js';
import { MILLI_PER_GPU } from './resources.js';

export interface GpuCommandIo {
  readonly write: (path: string, content: string) => void;
  readonly print: (text: string) => void;
}

/** The sweep of finished runs (policy by policy as listed, seeds ascending), with the cluster's totals. */
export function gpuSweepOf(
  s: Scenario,
  spec: GpuReplaySpec,
  policies: readonly string[],
  seeds: readonly number[],
  runs: readonly GpuRun[],
): GpuSweep {
  let gpus = 0;
  const { nodes } = gpuManifests(s);
  for (const n of nodes) gpus += (n.status.allocatable['alibabacloud.com/gpu-milli'] ?? 0) / MILLI_PER_GPU;
  return { scenario: s.name, description: s.description, nodes: nodes.length, gpus, policies, seeds, compareAt: spec.compareAt, runs };
}

/** Every run in this thread, one after the other (the CLI runs them on worker threads: parallel/worker.ts). */
export function runGpuSweep(s: Scenario, spec: GpuReplaySpec, policies: readonly string[], seeds: readonly number[]): GpuSweep {
  const input = gpuInputs(s, spec);
  const runs: GpuRun[] = [];
  for (const name of policies) {
    const policy = s.policies.find((p) => p.name === name);
    if (policy === undefined) throw new Error(`internal: no policy ${name}`);
    for (const seed of seeds) runs.push(runGpuReplay(spec, input, policy, seed));
  }
  return gpuSweepOf(s, spec, policies, seeds, runs);
}

export function gpuReportFiles(sweep: GpuSweep): [string, string][] {
  const rows = comparison(sweep);
  return [
    ['fragmentation.csv', fragmentationCsv(sweep)],
    ['gpu-summary.csv', summaryCsv(sweep)],
    ['gpu-comparison.csv', comparisonCsv(sweep, rows)],
    ['report.html', gpuHtmlReport(sweep, rows)],
    // The common engine.csv: its events are the replay's scheduling cycles, one per pod arrival.
    ['engine.csv', engineCsv(sweep.runs.map((r) => ({ policy: r.policy, seed: r.seed, wallMs: r.wallMs, events: r.result.pods })))],
  ];
}

/** Prints the comparison and writes the reports of a finished sweep; `wall` is the sweep's wall time in seconds. */
export function gpuReplayReports(sweep: GpuSweep, spec: GpuReplaySpec, out: string, io: GpuCommandIo, wall: number, threads: number): void {
  const pods = sweep.runs[0]?.result.pods ?? 0;
  io.print(
    `${sweep.scenario}: GPU replay, ${sweep.nodes} nodes (${sweep.gpus} GPUs), ~${pods} pod arrivals per run (tuned to ${Math.round(spec.tuneRatio * 100)}% of GPU capacity); ${sweep.policies.length} policies × ${sweep.seeds.length} seed${sweep.seeds.length === 1 ? '' : 's'}\n\n`,
  );
  io.print(`${comparisonTable(sweep, comparison(sweep))}\n\n`);
  const files = gpuReportFiles(sweep);
  for (const [name, content] of files) io.write(`${out}/${name}`, content);
  io.print(
    `reports written to ${out}/ (${files.map(([n]) => n).join(', ')}); ${sweep.runs.length} runs on ${threads} thread${threads === 1 ? '' : 's'} in ${wall.toFixed(2)} s wall\n`,
  );
}
