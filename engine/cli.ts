#!/usr/bin/env node
/**
 * The `kubesim` command. Side effects live here (files, stdout, exit codes); the engine is plain data in,
 * plain data out. A user error (bad scenario, bad flag) prints one clear message and exits 2 without a stack
 * trace; report files are only written after every run has finished, each atomically.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { parseDuration } from './api/duration.js';
import { QuantityError, quantityValue } from './api/quantity.js';
import { formatTime } from './core/time.js';
import { METRIC_NAMES } from './metrics/metric-info.js';
import { MAX_SAMPLES } from './metrics/timeseries.js';
import type { RunSettings, TaskResult } from './sweep/execute.js';
import { parseShard, planTasks, seedsOf, shardTasks, type RunTask, type Shard } from './sweep/plan.js';
import { checkMemory, estimateMemory, formatBytes, memoryBudget, threadCount } from './sweep/memory.js';
import { runTasks, WorkerFailure, type PoolOptions } from './sweep/pool.js';
import { loadRun, runKey, RUNS_DIR, storeRun } from './sweep/run-store.js';
import { writeFileAtomic } from './report/atomic-write.js';
import {
  compare,
  ComparisonError,
  comparisonCsv,
  recordOf,
  type Comparison,
  type MetricName,
  type SummaryRecord,
} from './report/comparison.js';
import { failures, gateOutcome, jsonSummary, junitXml, markdownSummary, type GateOutcome } from './report/ci-output.js';
import { resultLine, withBaselineDefault } from './report/expectations.js';
import { parseExpectations, type Expectation } from './scenario/expect.js';
import { readYamlFile } from './scenario/yaml-field.js';
import { engineCsv } from './report/csv.js';
import { reportFiles, sweepComparison } from './report/files.js';
import { mergeShards, MergeError, parseShardFile, SHARD_FILE, shardJson } from './report/shard-file.js';
import { readSummaryCsv, SummaryReadError } from './report/summary-read.js';
import type { Sweep, SweepInfo } from './report/sweep.js';
import { meansTable, runTable, verdictText } from './report/table.js';
import { InputError } from './scenario/input-error.js';
import { readInputFile } from './scenario/input-file.js';
import { LIMITS, loadScenario, requestedPods, scenarioNodes } from './scenario/load.js';
import type { Scenario } from './scenario/types.js';
import { gpuReplayReports, gpuSweepOf } from './gpu/command.js';
import type { GpuReplaySpec } from './gpu/replay-spec.js';
import type { GpuTaskResult } from './sweep/worker.js';
import { DEFAULT_EXPLAIN_SEED, explain } from './explain/explain.js';
import { readExplainInput, type ExplainFiles } from './explain/inputs.js';
import { isKnownPlugin } from './scenario/scheduler-config.js';
import { loadPluginModules, UserPluginError } from './scheduler/user-plugins.js';

/** A command-line usage error (as opposed to a scenario error, which carries a file position). */
class UsageError extends Error {}

interface RunArgs {
  scenario: string;
  seed?: number;
  replications?: number;
  out?: string;
  policy?: string[];
  baseline?: string;
  trace?: string;
  jobs?: number;
  workers?: string;
  shard?: string;
  interval?: string;
  podsCsv?: boolean;
  resume?: boolean;
  allowOutside?: boolean;
  maxMemory?: string;
  pluginModule?: string[];
  baselineDir?: string;
  junit?: string;
  json?: boolean;
  markdown?: string;
  cluster?: string[];
}

/** The CI outputs and the --baseline-dir shared by `run` and `check`. */
interface GateArgs {
  baselineDir?: string;
  junit?: string;
  json?: boolean;
  markdown?: string;
}

/** Where human-readable output goes: stdout, or stderr when --json keeps stdout for the JSON summary. */
type Say = (text: string) => void;
function sayFor(args: GateArgs): Say {
  return args.json === true ? (t) => process.stderr.write(t) : (t) => process.stdout.write(t);
}

/** Exit status after a signal, as a shell reports a process killed by it: 128 + the signal's number. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

function nodeCount(s: Scenario): number {
  return scenarioNodes(s);
}

function selectPolicies(scenario: Scenario, wanted: readonly string[] | undefined, file: string): string[] {
  const all = scenario.policies.map((p) => p.name);
  if (wanted === undefined || wanted.length === 0) return all;
  for (const p of wanted) if (!all.includes(p)) throw new UsageError(`--policy ${p}: no such policy in ${file}; it has ${all.join(', ')}`);
  return all.filter((p) => wanted.includes(p));
}

function sweepInfo(scenario: Scenario, args: RunArgs): SweepInfo {
  const policies = selectPolicies(scenario, args.policy, args.scenario);
  const seed = args.seed ?? scenario.seed;
  const replications = args.replications ?? scenario.replications;
  if (seed + replications - 1 > 2 ** 32 - 1)
    throw new UsageError(`seeds ${seed} to ${seed + replications - 1} go past 4294967295; lower --seed`);
  let baseline = args.baseline ?? null;
  if (baseline !== null && !policies.includes(baseline))
    throw new UsageError(`--baseline ${baseline}: not among the policies run (${policies.join(', ')})`);
  // The scenario's baseline applies when it is among the policies run (--policy may leave it out).
  if (baseline === null && scenario.report.baseline !== null && policies.includes(scenario.report.baseline))
    baseline = scenario.report.baseline;
  let sampleInterval = scenario.report.interval;
  if (args.interval !== undefined) {
    const d = parseDuration(args.interval);
    if (d === null || d <= 0) throw new UsageError(`--interval: expected a positive duration such as 1s or 500ms, got "${args.interval}"`);
    if (Math.ceil(scenario.duration / d) > MAX_SAMPLES)
      throw new UsageError(`--interval ${args.interval}: over ${MAX_SAMPLES} samples in the scenario's duration; use a longer interval`);
    sampleInterval = d;
  }
  return {
    scenario: scenario.name,
    description: scenario.description,
    nodes: nodeCount(scenario),
    policies,
    seeds: seedsOf(seed, replications),
    baseline,
    sampleInterval,
    pods: args.podsCsv === true || scenario.report.pods,
  };
}

/** Progress on stderr, only when it is a terminal (never in files or CI logs). */
function progressLine(): (done: number, total: number, last: RunTask) => void {
  if (!process.stderr.isTTY) return () => undefined;
  return (done, total, last) => {
    const width = 30;
    const filled = Math.round((width * done) / total);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} runs (last: ${last.policy}, seed ${last.seed})`,
    );
    if (done === total) process.stderr.write('\n');
  };
}

function printComparison(sweep: Sweep, c: Comparison, say: Say): void {
  const i = sweep.info;
  const seeds =
    i.seeds.length === 1
      ? `seed ${i.seeds[0]}`
      : `${i.seeds.length} seeds (${i.seeds[0]}–${i.seeds[i.seeds.length - 1]}, common to every policy)`;
  say(`${i.scenario}: ${i.nodes} nodes, ${i.policies.length} polic${i.policies.length === 1 ? 'y' : 'ies'} × ${seeds}\n\n`);
  if (i.seeds.length === 1) {
    say(`${runTable(sweep.runs)}\n\n`);
    if (i.policies.length > 1) say('(one seed: set replications in the scenario or pass --replications N for confidence intervals)\n\n');
    return;
  }
  say(`${meansTable(c)}\n\n`);
  if (i.policies.length > 1) say(`${verdictText(c)}\n\n`);
}

function writeReports(out: string, sweep: Sweep, results: readonly TaskResult[]): string[] {
  const files = reportFiles(sweep);
  for (const [name, content] of files) writeFileAtomic(join(out, name), content);
  writeFileAtomic(
    join(out, 'engine.csv'),
    engineCsv(results.map((r) => ({ policy: r.task.policy, seed: r.task.seed, wallMs: r.wallMs, events: r.output.summary.events }))),
  );
  return [...files.map(([n]) => n), 'engine.csv'];
}

function parseMaxMemory(text: string | undefined): number | null {
  if (text === undefined) return null;
  let v: number;
  try {
    v = quantityValue(text);
  } catch (e) {
    if (e instanceof QuantityError) throw new UsageError(`--max-memory: expected a size such as 16Gi or 512Mi, got "${text}"`);
    throw e;
  }
  if (v < 64 * 2 ** 20) throw new UsageError(`--max-memory: expected at least 64Mi, got "${text}"`);
  return v;
}

function samplesOf(scenario: Scenario, interval: number): number {
  return Math.ceil(scenario.duration / interval) + 1;
}

interface SignalledOutcome<R> {
  /** Results of the finished tasks, in task order. */
  readonly results: readonly R[];
  /** The signal that stopped the sweep, or null when it ran to the end. */
  readonly stoppedBy: StopSignal | null;
  /** A task that failed on its retry too (the sweep stopped); null otherwise. */
  readonly failure: WorkerFailure | null;
}

/**
 * Runs tasks on worker threads (sweep/pool.ts) with SIGINT/SIGTERM stopping them: the signal is reported and
 * returned, not fatal, so the caller keeps what finished and exits with the signal's status.
 */
async function runWithSignals<R>(
  todo: readonly RunTask[],
  settings: RunSettings,
  o: Omit<PoolOptions<R>, 'signal' | 'onRetry'>,
): Promise<SignalledOutcome<R>> {
  const abort = new AbortController();
  let stoppedBy: StopSignal | null = null;
  const handlers = (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((sig) => {
    const h = (): void => {
      stoppedBy = sig;
      process.stderr.write(`\nkubesim: ${sig} received: stopping the runs in progress\n`);
      abort.abort();
    };
    process.once(sig, h);
    return [sig, h] as const;
  });
  try {
    const outcome = await runTasks(todo, settings, {
      ...o,
      signal: abort.signal,
      onRetry: (t, reason) =>
        process.stderr.write(
          `kubesim: worker thread failed on run ${t.policy} seed ${t.seed} (${reason}); retrying it once on a fresh thread\n`,
        ),
    });
    return { results: outcome.results, stoppedBy, failure: null };
  } catch (e) {
    if (!(e instanceof WorkerFailure)) throw e;
    return { results: [], stoppedBy, failure: e };
  } finally {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  }
}

/**
 * `kubesim run` on a gpuReplay scenario (the FGD study's arrival-only replay, engine/gpu): every (policy, seed)
 * replay on worker threads like timed runs, so Ctrl-C stops it at once; the reports need every run.
 */
async function gpuRunCommand(scenario: Scenario, spec: GpuReplaySpec, info: SweepInfo, args: RunArgs): Promise<number> {
  if (args.shard !== undefined || args.trace !== undefined || args.podsCsv === true || args.resume === true)
    throw new UsageError('--shard, --trace, --pods-csv and --resume do not apply to a gpuReplay scenario');
  if (args.baselineDir !== undefined || args.junit !== undefined || args.json === true || args.markdown !== undefined)
    throw new UsageError('--baseline-dir, --junit, --json and --markdown do not apply to a gpuReplay scenario yet');
  const maxMemory = parseMaxMemory(args.maxMemory);
  const out = resolve(args.out ?? join('reports', scenario.name));
  const tasks = planTasks(info.policies, info.seeds);
  const threads = threadCount(args.jobs, tasks.length);
  const settings: RunSettings = {
    scenarioPath: resolve(args.scenario),
    allowOutside: args.allowOutside === true,
    sampleInterval: info.sampleInterval,
    pods: false,
    trace: null,
    traceSeed: info.seeds[0],
    runThreads: threads,
  };
  const progress = progressLine();
  let done = 0;
  const t0 = performance.now();
  const outcome = await runWithSignals<GpuTaskResult>(tasks, settings, {
    threads,
    heapLimitBytes: maxMemory === null ? null : memoryBudget(maxMemory, threads).perThread,
    entry: 'gpuReplayRun',
    onResult: (r) => progress(++done, tasks.length, r.task),
  });
  if (outcome.failure !== null) {
    process.stderr.write(`kubesim: error: ${outcome.failure.message}\nno report was written\n`);
    return 1;
  }
  if (outcome.stoppedBy !== null) {
    process.stderr.write(
      `kubesim: interrupted: ${done} of ${tasks.length} GPU replays finished; no report was written (it needs every run)\n`,
    );
    return SIGNAL_EXIT[outcome.stoppedBy];
  }
  const sweep = gpuSweepOf(
    scenario,
    spec,
    info.policies,
    info.seeds,
    outcome.results.map((r) => r.run),
  );
  gpuReplayReports(
    sweep,
    spec,
    out,
    { write: writeFileAtomic, print: (t) => process.stdout.write(t) },
    (performance.now() - t0) / 1000,
    threads,
  );
  return 0;
}

/**
 * Runs the sweep; returns the exit status. Each finished run is stored in <out>/runs/ at once; the reports
 * are written only when every run of the sweep (or shard) is there. On SIGINT/SIGTERM the workers are
 * terminated, the finished runs stay stored, no aggregate report is written (a summary of some seeds of some
 * policies would break the pairing by seed), and `--resume` finishes the sweep later.
 */
/** `--plugin-module` files, imported (and their plugins registered) before any configuration is parsed. */
async function loadModules(paths: readonly string[] | undefined): Promise<string[]> {
  const abs = (paths ?? []).map((p) => resolve(p));
  await loadPluginModules(abs, isKnownPlugin);
  return abs;
}

async function runCommand(args: RunArgs): Promise<number> {
  const allowOutside = args.allowOutside === true;
  const pluginModules = await loadModules(args.pluginModule);
  const say = sayFor(args);
  const clusterDumps = (args.cluster ?? []).map((p) => resolve(p));
  const { scenario, warnings } = loadScenario(args.scenario, { allowOutside, clusterDumps });
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const info = sweepInfo(scenario, args);
  // Read before any run: a bad baseline folder is bad input (exit 2), not a failure found after an hour's sweep.
  const baselineRuns = args.baselineDir === undefined ? null : readRecords(args.baselineDir, '--baseline-dir');
  if (scenario.gpuReplay !== undefined) return gpuRunCommand(scenario, scenario.gpuReplay, info, args);
  let shard: Shard | null = null;
  if (
    args.shard !== undefined &&
    (args.baselineDir !== undefined || args.junit !== undefined || args.json === true || args.markdown !== undefined)
  ) {
    throw new UsageError(
      '--baseline-dir, --junit, --json and --markdown need the whole sweep: use them with kubesim check on the merged reports',
    );
  }
  if (args.shard !== undefined) {
    const s = parseShard(args.shard);
    if (typeof s === 'string') throw new UsageError(`--shard: ${s}`);
    shard = s;
  }
  const maxMemory = parseMaxMemory(args.maxMemory);
  const all = planTasks(info.policies, info.seeds);
  const tasks = shard === null ? all : shardTasks(all, shard);
  const out = resolve(args.out ?? join('reports', scenario.name));
  const settings = {
    scenarioPath: resolve(args.scenario),
    allowOutside,
    sampleInterval: info.sampleInterval,
    pods: info.pods,
    trace: args.trace ?? null,
    traceSeed: info.seeds[0],
    scanWorkers: args.workers === undefined || args.workers === 'auto' ? ('auto' as const) : Number(args.workers),
    pluginModules,
    clusterDumps,
  };
  const keys = new Map(tasks.map((t) => [t.index, runKey(scenario, t, settings)]));
  const key = (t: { index: number }): string => keys.get(t.index) as string;
  const reused = args.resume === true ? tasks.map((t) => loadRun(out, t, key(t))).filter((r): r is TaskResult => r !== null) : [];
  const reusedIndex = new Set(reused.map((r) => r.task.index));
  const todo = tasks.filter((t) => !reusedIndex.has(t.index));

  const threads = threadCount(args.jobs, todo.length);
  const runSettings: RunSettings = { ...settings, runThreads: threads };
  const budget = memoryBudget(maxMemory, threads);
  const estimate = estimateMemory({
    nodes: info.nodes,
    pods: requestedPods(scenario),
    samples: samplesOf(scenario, info.sampleInterval),
    runs: tasks.length,
    threads,
    podRows: info.pods,
  });
  const tooBig = checkMemory(estimate, budget, threads);
  if (tooBig !== null) throw new UsageError(tooBig);
  if (args.resume === true)
    process.stderr.write(
      `resume: ${reused.length} of ${tasks.length} runs already complete in ${join(out, RUNS_DIR)}/; running ${todo.length}\n`,
    );

  const progress = progressLine();
  let done = reused.length;
  const t0 = performance.now();
  const outcome = await runWithSignals<TaskResult>(todo, runSettings, {
    threads,
    heapLimitBytes: maxMemory === null ? null : budget.perThread,
    entry: 'timedRun',
    onResult: (r) => {
      storeRun(out, key(r.task), r);
      progress(++done, tasks.length, r.task);
    },
  });
  if (outcome.failure !== null) {
    process.stderr.write(
      `kubesim: error: ${outcome.failure.message}\n${done} of ${tasks.length} runs are complete and kept in ${join(out, RUNS_DIR)}/; no report was written\n`,
    );
    return 1;
  }
  const stoppedBy = outcome.stoppedBy;
  const wall = (performance.now() - t0) / 1000;
  if (stoppedBy !== null) {
    process.stderr.write(
      `kubesim: interrupted: ${done} of ${tasks.length} runs are complete and kept in ${join(out, RUNS_DIR)}/; no report was written (it needs every run).\n` +
        `Finish with the same command and --resume.\n`,
    );
    return SIGNAL_EXIT[stoppedBy];
  }
  const byIndex = new Map([...reused, ...outcome.results].map((r) => [r.task.index, r]));
  const results = tasks.map((t) => byIndex.get(t.index) as TaskResult);

  if (shard !== null) {
    writeFileAtomic(join(out, SHARD_FILE), shardJson(info, shard, results));
    writeFileAtomic(
      join(out, 'engine.csv'),
      engineCsv(results.map((r) => ({ policy: r.task.policy, seed: r.task.seed, wallMs: r.wallMs, events: r.output.summary.events }))),
    );
    say(
      `shard ${shard.index}/${shard.count} of ${scenario.name}: ${results.length} of ${all.length} runs written to ${out}/${SHARD_FILE}; join the shards with kubesim merge\n`,
    );
    return 0;
  }

  const sweep: Sweep = { info, runs: results.map((r) => r.output) };
  printComparison(sweep, sweepComparison(sweep), say);
  if (args.trace !== undefined) {
    for (const r of results) {
      if (r.task.seed !== settings.traceSeed) continue;
      say(`trace of pod ${args.trace} under policy ${r.task.policy} (seed ${r.task.seed}):\n`);
      if (r.output.trace.length === 0) say('  (no such pod was created)\n');
      for (const s of r.output.trace) say(`  ${formatTime(s.t).padStart(16)}  ${s.text}\n`);
      say('\n');
    }
  }
  const names = writeReports(out, sweep, results);
  const ran = todo.length === tasks.length ? `${tasks.length} runs` : `${todo.length} runs (${reused.length} reused)`;
  say(
    `reports written to ${out}/ (${names.join(', ')}); ${ran} on ${threads} thread${threads === 1 ? '' : 's'} in ${wall.toFixed(2)} s wall\n`,
  );
  const expectations = withBaselineDefault(scenario.expect, baselineRuns !== null, args.scenario);
  return finishGate(gateOutcome(sweep.runs.map(recordOf), info.baseline, expectations, baselineRuns), args, say);
}

interface ValidateArgs {
  scenario: string;
  replications?: number;
  seed?: number;
  allowOutside?: boolean;
  pluginModule?: string[];
  cluster?: string[];
}

async function validateCommand(args: ValidateArgs): Promise<void> {
  await loadModules(args.pluginModule);
  const { scenario: s, warnings } = loadScenario(args.scenario, {
    allowOutside: args.allowOutside === true,
    clusterDumps: (args.cluster ?? []).map((p) => resolve(p)),
  });
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const kinds = new Map<string, number>();
  for (const o of s.objects) kinds.set(o.object.kind, (kinds.get(o.object.kind) ?? 0) + 1);
  const seeds = seedsOf(args.seed ?? s.seed, args.replications ?? s.replications);
  const baseline = s.report.baseline ?? s.policies[0].name;
  const memory = estimateMemory({
    nodes: nodeCount(s),
    pods: requestedPods(s),
    samples: samplesOf(s, s.report.interval),
    runs: 1,
    threads: 1,
    podRows: s.report.pods,
  });
  const lines = [
    `${args.scenario}: valid`,
    `  name:      ${s.name}${s.description !== '' ? ` (${s.description})` : ''}`,
    `  cluster:   ${nodeCount(s)} nodes in ${s.nodePools.length} pool${s.nodePools.length === 1 ? '' : 's'} (${s.nodePools
      .slice(0, 5)
      .map((p) => `${p.name} ×${p.count}`)
      .join(', ')}${s.nodePools.length > 5 ? `, … ${s.nodePools.length - 5} more` : ''})`,
    `  workloads: ${s.objects.length} object${s.objects.length === 1 ? '' : 's'} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}), ${s.podWorkloads.length} pod workload${s.podWorkloads.length === 1 ? '' : 's'}; ${requestedPods(s)} pods requested`,
    ...(s.steps.length > 0 ? [`  steps:     ${s.steps.map((st) => st.opcode).join(', ')}`] : []),
    `  policies:  ${s.policies.map((p) => p.name).join(', ')} (baseline ${baseline})`,
    `  runs:      ${s.policies.length} × ${seeds.length} seed${seeds.length === 1 ? '' : 's'} (${seeds.length === 1 ? seeds[0] : `${seeds[0]}–${seeds[seeds.length - 1]}`}) = ${s.policies.length * seeds.length}; virtual time limit ${formatTime(s.duration)}`,
    ...(s.expect.length > 0
      ? [`  expect:    ${s.expect.length} expectation${s.expect.length === 1 ? '' : 's'} (kubesim run exits 1 if one fails)`]
      : []),
    `  memory:    about ${formatBytes(memory.perRun)} of heap per run (estimate; checked by kubesim run against the machine)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function summaryPath(p: string): string {
  if (!existsSync(p)) throw new UsageError(`${p}: no such file or folder`);
  const file = statSync(p).isDirectory() ? join(p, 'summary.csv') : p;
  if (!existsSync(file)) throw new UsageError(`${p}: no summary.csv in this folder`);
  return file;
}

function compareCommand(args: { paths: string[]; baseline?: string; out?: string }): void {
  const loaded = args.paths.map((p) => {
    const file = summaryPath(p);
    return readSummaryCsv(readInputFile(file), file);
  });
  const all: SummaryRecord[] = loaded.flatMap((l) => l.records);
  // Runs of several scenarios are told apart by labelling each policy with its scenario.
  const multi = new Set(all.map((r) => r.scenario)).size > 1;
  const records = multi ? all.map((r) => ({ ...r, policy: `${r.scenario}:${r.policy}` })) : all;
  const metrics = METRIC_NAMES.filter((m: MetricName) => loaded.every((l) => l.metrics.includes(m)));
  const c = compare(records, args.baseline ?? null, metrics);
  const seeds = [...new Set(records.map((r) => r.seed))].length;
  process.stdout.write(
    `${c.scenario}: ${c.policies.length} polic${c.policies.length === 1 ? 'y' : 'ies'}, ${records.length} runs on ${seeds} distinct seed${seeds === 1 ? '' : 's'}\n\n`,
  );
  process.stdout.write(`${meansTable(c)}\n\n`);
  if (c.policies.length > 1) process.stdout.write(`${verdictText(c)}\n`);
  if (args.out !== undefined) {
    const out = resolve(args.out);
    writeFileAtomic(join(out, 'comparison.csv'), comparisonCsv(c));
    process.stdout.write(`\ncomparison written to ${out}/comparison.csv\n`);
  }
}

/** The summary rows of a report folder or summary.csv file. */
function readRecords(path: string, what: string): SummaryRecord[] {
  let file: string;
  try {
    file = summaryPath(path);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${what} ${e.message}`);
    throw e;
  }
  return readSummaryCsv(readInputFile(file), file).records;
}

/**
 * Prints one line per failed (and skipped) expectation, writes the CI outputs asked for, and returns the exit
 * status: 1 when an expectation failed, else 0.
 */
function finishGate(o: GateOutcome, args: GateArgs, say: Say): number {
  const failed = failures(o);
  if (o.expectations.length > 0) {
    for (const r of o.expectations) if (r.status !== 'passed') say(`${resultLine(r)}\n`);
    const skipped = o.expectations.filter((r) => r.status === 'skipped').length;
    say(
      `expectations: ${o.expectations.length - failed.length - skipped} passed, ${failed.length} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`,
    );
  }
  if (args.junit !== undefined) {
    writeFileAtomic(resolve(args.junit), junitXml(o));
    say(`JUnit results written to ${resolve(args.junit)}\n`);
  }
  if (args.markdown !== undefined) {
    writeFileAtomic(resolve(args.markdown), markdownSummary(o));
    say(`Markdown summary written to ${resolve(args.markdown)}\n`);
  }
  if (args.json === true) process.stdout.write(jsonSummary(o));
  return failed.length > 0 ? 1 : 0;
}

interface CheckArgs extends GateArgs {
  target: string;
  expect?: string;
  reports?: string;
  baseline?: string;
  allowOutside?: boolean;
  pluginModule?: string[];
}

/** An --expect file: a list of expectations, or a mapping whose only key is `expect` (the scenario's section). */
function readExpectFile(path: string, policies: readonly string[]): Expectation[] {
  const docs = readYamlFile(path);
  if (docs.length !== 1) throw new InputError(path, docs[1]?.line ?? 0, 0, '', `expected exactly one YAML document, found ${docs.length}`);
  const root = docs[0];
  if (root.kind() === 'map') {
    root.rejectUnknownKeys(['expect']);
    return parseExpectations(root.get('expect'), policies);
  }
  return parseExpectations(root, policies);
}

/**
 * `kubesim check`: the expectations (of a scenario, or --expect FILE) evaluated on reports already written,
 * without running anything.
 */
async function checkCommand(args: CheckArgs): Promise<number> {
  const say = sayFor(args);
  if (!existsSync(args.target)) throw new UsageError(`${args.target}: no such file or folder`);
  const isScenario = statSync(args.target).isFile() && /\.ya?ml$/i.test(args.target);
  let expectations: readonly Expectation[] = [];
  let reports = args.target;
  let baseline = args.baseline ?? null;
  if (isScenario) {
    await loadModules(args.pluginModule);
    const { scenario, warnings } = loadScenario(args.target, { allowOutside: args.allowOutside === true });
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    expectations = scenario.expect;
    reports = args.reports ?? join('reports', scenario.name);
    baseline ??= scenario.report.baseline;
  } else if (args.reports !== undefined)
    throw new UsageError('--reports applies when the target is a scenario file; here the target is the reports');
  const runs = readRecords(reports, 'reports:');
  const policies = [...new Set(runs.map((r) => r.policy))];
  if (args.expect !== undefined) expectations = readExpectFile(args.expect, policies);
  else if (!isScenario)
    throw new UsageError(
      `${args.target}: give the expectations with --expect FILE (or check a scenario file, whose expect: section is used)`,
    );
  if (args.baseline !== undefined && !policies.includes(args.baseline))
    throw new UsageError(`--baseline ${args.baseline}: no such policy in the reports (${policies.join(', ')})`);
  // The scenario's report.baseline applies when the reports have it (--policy may have left it out), as in run.
  if (baseline !== null && !policies.includes(baseline)) baseline = null;
  const baselineRuns = args.baselineDir === undefined ? null : readRecords(args.baselineDir, '--baseline-dir');
  const o = gateOutcome(runs, baseline, withBaselineDefault(expectations, baselineRuns !== null, args.expect ?? args.target), baselineRuns);
  const seeds = new Set(runs.map((r) => r.seed)).size;
  say(
    `${o.scenario}: ${o.comparison.policies.length} polic${o.comparison.policies.length === 1 ? 'y' : 'ies'}, ${runs.length} runs on ${seeds} seed${seeds === 1 ? '' : 's'} from ${resolve(reports)}\n`,
  );
  if (o.expectations.length === 0) say('no expectations to check\n');
  return finishGate(o, args, say);
}

function mergeCommand(args: { dirs: string[]; out: string }): void {
  const files = args.dirs.map((d) => {
    const where = join(d, SHARD_FILE);
    if (!existsSync(where)) throw new UsageError(`${d}: no ${SHARD_FILE} (expected the --out folder of a kubesim run --shard i/n)`);
    return { where, file: parseShardFile(readFileSync(where, 'utf8'), where) };
  });
  const { sweep, results } = mergeShards(files);
  printComparison(sweep, sweepComparison(sweep), (t) => process.stdout.write(t));
  const out = resolve(args.out);
  const names = writeReports(out, sweep, results);
  process.stdout.write(`merged ${files.length} shards (${results.length} runs); reports written to ${out}/ (${names.join(', ')})\n`);
}

async function explainCommand(args: ExplainFiles & { seed?: number; pluginModule?: string[] }): Promise<void> {
  await loadModules(args.pluginModule);
  const input = readExplainInput(args);
  for (const note of [input.notModeled.note(), input.unused.note('not used by explain'), ...input.fieldNotes])
    if (note !== null) process.stderr.write(`warning: ${note}\n`);
  if (input.ignoredPlugins.length > 0)
    process.stderr.write(`warning: enabled plugins not modeled yet (no effect on the result): ${input.ignoredPlugins.join(', ')}\n`);
  if (input.configNotModeled.length > 0)
    process.stderr.write(
      `warning: KubeSchedulerConfiguration fields with no effect on a simulation (ignored): ${input.configNotModeled.join(', ')}\n`,
    );
  const result = explain({ ...input, seed: args.seed ?? DEFAULT_EXPLAIN_SEED });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

const PLUGIN_MODULE_OPTION = {
  type: 'string',
  array: true,
  describe: 'JavaScript module of your own Filter/Score plugins (repeatable; see docs/guides/write-a-plugin.md); loaded only when given',
} as const;

/** Options of the CI gate, shared by `run` and `check` (docs/guides/ci-gates.md). */
const GATE_OPTIONS = {
  'baseline-dir': {
    type: 'string',
    describe:
      'report folder (or summary.csv) of an earlier run of the same scenario and seeds, e.g. from the base commit: a metric worse beyond the 95% CI of the per-seed differences fails (every metric with a better direction, unless the expectations have their own "no regression")',
  },
  junit: {
    type: 'string',
    describe: 'also write JUnit XML to this file: one test case per run and per expectation, failures with the figures',
  },
  json: {
    type: 'boolean',
    describe: 'print a JSON summary (runs, comparison, expectation results) on stdout; the human-readable output goes to stderr',
  },
  markdown: {
    type: 'string',
    describe:
      'also write a GitHub-flavoured Markdown summary (comparison table and expectation results) to this file, e.g. $GITHUB_STEP_SUMMARY',
  },
} as const;

const isInt = (v: number | undefined, min: number, max: number): boolean =>
  v === undefined || (Number.isInteger(v) && v >= min && v <= max);

/**
 * Runs the command line. `y` is the yargs instance the commands are defined on: the docs generator
 * (engine/docs/cli-reference.ts) passes a recorder to read every command and option without running one.
 */
export async function main(argv: string[], y: Argv = yargs(argv)): Promise<number> {
  let status = 0;
  try {
    await y
      .scriptName('kubesim')
      .parserConfiguration({ 'camel-case-expansion': true })
      .command(
        'run <scenario>',
        'run every policy of a scenario on every seed and write reports',
        (y) =>
          y
            .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
            .option('seed', { type: 'number', describe: "first seed (default: the scenario's seed)" })
            .option('replications', {
              type: 'number',
              describe: "seeds per policy: seed, seed+1, … (default: the scenario's replications, else 1)",
            })
            .option('out', { type: 'string', describe: 'output folder (default: reports/<scenario name>)' })
            .option('policy', { type: 'string', array: true, describe: 'run only these policies (repeatable)' })
            .option('baseline', { type: 'string', describe: 'policy the others are compared with (default: the first)' })
            .option('trace', { type: 'string', describe: 'print the workflow of this pod (name or namespace/name), first seed' })
            .option('jobs', { type: 'number', describe: 'worker threads (default: available cores; 1 = in this process)' })
            .option('workers', {
              type: 'string',
              describe: "threads sharding the scheduler's node search in a run on this thread: N or auto (default auto; identical results)",
            })
            .option('shard', {
              type: 'string',
              describe: 'run only share i of n of the (policy, seed) runs (i from 0), e.g. 0/4; join with kubesim merge',
            })
            .option('interval', { type: 'string', describe: 'virtual time between timeseries.csv rows (default 1s)' })
            .option('pods-csv', { type: 'boolean', describe: 'also write pods.csv (one row per pod and run)' })
            .option('resume', { type: 'boolean', describe: 'reuse the runs already complete in the output folder (runs/), run the others' })
            .option('allow-outside', {
              type: 'boolean',
              describe: 'let the scenario reference files outside its folder (only for scenarios you trust)',
            })
            .option('cluster', {
              type: 'string',
              array: true,
              describe:
                'a dump of a real cluster (kubectl get nodes,pods,... -A -o yaml) added to the scenario as its starting state (repeatable)',
            })
            .option('plugin-module', PLUGIN_MODULE_OPTION)
            .option('max-memory', {
              type: 'string',
              describe:
                "memory the sweep may use, e.g. 16Gi (default: the machine's memory; each worker thread gets an equal share as its heap limit)",
            })
            .options(GATE_OPTIONS)
            .check((a) => {
              if (!isInt(a.seed, 0, 2 ** 32 - 1)) throw new UsageError(`--seed: expected an integer from 0 to 4294967295, got ${a.seed}`);
              if (!isInt(a.replications, 1, LIMITS.replications))
                throw new UsageError(`--replications: expected an integer from 1 to ${LIMITS.replications}, got ${a.replications}`);
              if (!isInt(a.jobs, 1, 1024)) throw new UsageError(`--jobs: expected an integer from 1 to 1024, got ${a.jobs}`);
              if (a.workers !== undefined && a.workers !== 'auto' && !/^(0|[1-9][0-9]?)$/.test(String(a.workers)))
                throw new UsageError(`--workers: expected auto or an integer from 0 to 99, got ${a.workers}`);
              return true;
            }),
        async (a) => {
          status = await runCommand(a as unknown as RunArgs);
        },
      )
      .command(
        'validate <scenario>',
        'check a scenario file without running it',
        (y) =>
          y
            .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
            .option('seed', { type: 'number', describe: 'first seed to report' })
            .option('replications', { type: 'number', describe: 'replications to report' })
            .option('allow-outside', { type: 'boolean', describe: 'let the scenario reference files outside its folder' })
            .option('cluster', {
              type: 'string',
              array: true,
              describe:
                'a dump of a real cluster (kubectl get nodes,pods,... -A -o yaml) added to the scenario as its starting state (repeatable)',
            })
            .option('plugin-module', PLUGIN_MODULE_OPTION),
        (a) => validateCommand(a as unknown as ValidateArgs),
      )
      .command(
        'compare <paths..>',
        're-aggregate existing summary.csv files (or report folders) into means, intervals and paired differences',
        (y) =>
          y
            .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'report folders or summary.csv files' })
            .option('baseline', { type: 'string', describe: 'policy the others are compared with (default: the first)' })
            .option('out', { type: 'string', describe: 'also write comparison.csv to this folder' }),
        (a) => compareCommand(a as unknown as { paths: string[]; baseline?: string; out?: string }),
      )
      .command(
        'check <target>',
        'evaluate expectations on reports already written, without running: exit 1 if one fails, 0 if all hold',
        (y) =>
          y
            .positional('target', {
              type: 'string',
              demandOption: true,
              describe: 'a scenario file (its expect: section, checked on its reports), or a report folder or summary.csv (with --expect)',
            })
            .option('expect', {
              type: 'string',
              describe: "YAML file of expectations (a list, or a mapping with an expect: key); replaces the scenario's expect: section",
            })
            .option('reports', {
              type: 'string',
              describe: 'report folder of the scenario given as target (default: reports/<scenario name>)',
            })
            .option('baseline', {
              type: 'string',
              describe: "policy the comparison table compares the others with (default: the scenario's report.baseline, else the first)",
            })
            .option('allow-outside', { type: 'boolean', describe: 'let the scenario reference files outside its folder' })
            .option('plugin-module', PLUGIN_MODULE_OPTION)
            .options(GATE_OPTIONS),
        async (a) => {
          status = await checkCommand(a as unknown as CheckArgs);
        },
      )
      .command(
        'merge <dirs..>',
        'join the outputs of kubesim run --shard i/n into the reports of the whole sweep',
        (y) =>
          y
            .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'shard output folders' })
            .option('out', { type: 'string', demandOption: true, describe: 'folder for the merged reports' }),
        (a) => mergeCommand(a as unknown as { dirs: string[]; out: string }),
      )
      .command(
        'explain',
        "schedule one pod against a cluster given as manifests and print every node's filter reasons and plugin scores as JSON",
        (y) =>
          y
            .option('nodes', { type: 'string', demandOption: true, describe: 'Node manifests (multi-document YAML or a List)' })
            .option('pod', { type: 'string', demandOption: true, describe: 'the Pod manifest to schedule' })
            .option('pods', { type: 'string', describe: 'Pods already running, placed by spec.nodeName' })
            .option('config', { type: 'string', describe: 'KubeSchedulerConfiguration (default: the upstream default profile)' })
            .option('seed', {
              type: 'number',
              describe: `seed of the scheduler's random stream, for tie-breaking (default ${DEFAULT_EXPLAIN_SEED}, as kubesim run)`,
            })
            .option('plugin-module', PLUGIN_MODULE_OPTION)
            .check((a) => {
              if (!isInt(a.seed, 0, 2 ** 32 - 1)) throw new UsageError(`--seed: expected an integer from 0 to 4294967295, got ${a.seed}`);
              return true;
            }),
        (a) => explainCommand(a as unknown as ExplainFiles & { seed?: number; pluginModule?: string[] }),
      )
      .demandCommand(1, 'expected a command, e.g. kubesim run scenarios/quickstart.yaml')
      .strict()
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .help()
      .parseAsync();
    return status;
  } catch (e) {
    if (
      e instanceof InputError ||
      e instanceof UsageError ||
      e instanceof UserPluginError ||
      e instanceof ComparisonError ||
      e instanceof MergeError ||
      e instanceof SummaryReadError
    ) {
      process.stderr.write(`kubesim: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

// Only as the program (node dist/engine/cli.js, or the kubesim bin link to it), not when imported.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`kubesim: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
