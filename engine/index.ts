/**
 * kubesim as a library (`import { loadScenario, runScenario } from 'kubesim'`): the small, stable API a
 * user's own test runner drives. Plain data in and out; nothing is printed, and files are written only when an
 * option asks for them. Bad input throws InputError (file, line and field path in its message), as the CLI's
 * exit 2. Documented in docs/guides/library.md.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify as yamlStringify } from 'yaml';
import { executeTask, type RunSettings, type TaskResult } from './sweep/execute.js';
import { planTasks, seedsOf } from './sweep/plan.js';
import { runTasks } from './sweep/pool.js';
import { writeFileAtomic } from './report/atomic-write.js';
import { gateOutcome, junitXml, markdownSummary, plainComparison, plainRuns, type ComparisonRow, type RunRow } from './report/ci-output.js';
import { recordOf, type SummaryRecord } from './report/comparison.js';
import { withBaselineDefault, type ExpectationResult } from './report/expectations.js';
import { reportFiles } from './report/files.js';
import { readSummaryCsv } from './report/summary-read.js';
import type { Sweep } from './report/sweep.js';
import { parseExpectations, type Expectation } from './scenario/expect.js';
import { InputError } from './scenario/input-error.js';
import { readInputFile } from './scenario/input-file.js';
import { LIMITS, loadScenario as loadScenarioFile, parseScenario, scenarioNodes, type LoadedScenario } from './scenario/load.js';
import type { Scenario } from './scenario/types.js';
import { parseYamlDocuments } from './scenario/yaml-field.js';

export { InputError };
export type { ComparisonRow, Expectation, ExpectationResult, LoadedScenario, RunRow, Scenario };
export type { Ci95 } from './report/ci-output.js';
export type { ExpectationStatus } from './report/expectations.js';
export type { MetricName } from './report/comparison.js';
export type { Direction, Verdict } from './metrics/stats.js';
export { METRIC_NAMES } from './metrics/metric-info.js';

/** A scenario given as YAML text instead of a file. */
export interface ScenarioText {
  readonly yaml: string;
  /** Folder the files it names (manifests, scheduler configurations) are resolved against; default: the working directory. */
  readonly dir?: string;
  /** File name used in error messages and as the default scenario name; default `scenario.yaml`. */
  readonly name?: string;
}

export interface LoadOptions {
  /** Let the scenario reference files outside its folder (the CLI's --allow-outside); default false. */
  readonly allowOutside?: boolean;
}

/** Scenarios loaded from a file: only these can be run on worker threads, which load the file themselves. */
const fromFile = new WeakSet<Scenario>();

/**
 * Loads and validates a scenario from a file path or from YAML text. Returns the scenario (plain data) and the
 * loader's warnings (e.g. enabled plugins that are not modeled); throws InputError on bad input.
 */
export function loadScenario(source: string | ScenarioText, opts: LoadOptions = {}): LoadedScenario {
  if (typeof source === 'string') {
    const loaded = loadScenarioFile(source, opts);
    fromFile.add(loaded.scenario);
    return loaded;
  }
  const file = join(resolve(source.dir ?? '.'), source.name ?? 'scenario.yaml');
  const docs = parseYamlDocuments(source.yaml, file);
  if (docs.length !== 1) throw new InputError(file, docs[1]?.line ?? 0, 0, '', `expected exactly one YAML document, found ${docs.length}`);
  return parseScenario(docs[0], file, opts);
}

/** An expectation written as in a scenario's `expect:` list: a string of the grammar or a mapping. */
export type ExpectationInput =
  | string
  | {
      readonly metric?: string;
      readonly policy?: string;
      readonly op: string;
      readonly value?: number;
      readonly than?: string;
      readonly by?: string | number;
    };

export interface RunOptions {
  /** First seed (default: the scenario's seed). */
  readonly seed?: number;
  /** Seeds per policy: seed, seed + 1, … (default: the scenario's replications). */
  readonly replications?: number;
  /** Run only these policies, in the scenario's order (default: all). */
  readonly policies?: readonly string[];
  /** Policy the others are compared with (default: the scenario's report.baseline, else the first run). */
  readonly baseline?: string;
  /**
   * Worker threads. 1 (default) runs in the calling thread; more runs each (policy, seed) on a pool of threads,
   * which needs a scenario loaded from a file. Results are identical either way.
   */
  readonly jobs?: number;
  /** Expectations to evaluate instead of the scenario's `expect:` section. */
  readonly expect?: readonly ExpectationInput[];
  /** Report folder (or summary.csv) of an earlier run to check for regressions (the CLI's --baseline-dir). */
  readonly baselineDir?: string;
  /** Write the report files (summary.csv, comparison.csv, …) to this folder; default: none. */
  readonly out?: string;
  /** Write JUnit XML to this file; default: none. */
  readonly junit?: string;
  /** Write the Markdown summary to this file; default: none. */
  readonly markdown?: string;
  /** For a scenario given as a path: the loader's allowOutside. */
  readonly allowOutside?: boolean;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  /** The policy the comparison's differences are taken against. */
  readonly baseline: string;
  /** One row per (policy, seed), in the canonical order (policy by policy, seeds ascending). */
  readonly runs: readonly RunRow[];
  /** Per policy and metric: mean with 95% CI, and the paired difference with the baseline and its verdict. */
  readonly comparison: readonly ComparisonRow[];
  /** One result per expectation and policy (per metric for a regression on every metric). */
  readonly expectations: readonly ExpectationResult[];
  /** No expectation failed. */
  readonly passed: boolean;
  /** The loader's warnings (when runScenario loaded the scenario itself). */
  readonly warnings: readonly string[];
}

const optionError = (option: string, detail: string): InputError => new InputError('', 0, 0, option, detail);

function checkInt(option: string, v: number | undefined, min: number, max: number): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max))
    throw optionError(option, `expected an integer from ${min} to ${max}, got ${v}`);
}

function parseExpectInput(list: readonly ExpectationInput[], policies: readonly string[]): Expectation[] {
  // No file: the message names the option's field path only (`expect[1]: …`), no line of a YAML text the user never wrote.
  const docs = parseYamlDocuments(yamlStringify({ expect: list }), '');
  return parseExpectations(docs[0].get('expect'), policies);
}

function readRecords(path: string, option: string): SummaryRecord[] {
  if (!existsSync(path)) throw optionError(option, `${path}: no such file or folder`);
  const file = path.endsWith('.csv') ? path : join(path, 'summary.csv');
  if (!existsSync(file)) throw optionError(option, `${path}: no summary.csv in this folder`);
  return readSummaryCsv(readInputFile(file), file).records;
}

/**
 * Runs every selected policy on every seed, compares them and evaluates the expectations. Deterministic: the same
 * scenario, seeds and options give the same result, whatever `jobs`.
 */
export async function runScenario(source: string | ScenarioText | LoadedScenario, opts: RunOptions = {}): Promise<ScenarioResult> {
  const loaded =
    typeof source === 'string' || 'yaml' in source ? loadScenario(source, { allowOutside: opts.allowOutside === true }) : source;
  const scenario = loaded.scenario;
  if (scenario.gpuReplay !== undefined)
    throw new InputError(
      scenario.file,
      0,
      0,
      'gpuReplay',
      'runScenario runs timed scenarios; run a gpuReplay scenario with the kubesim command',
    );
  checkInt('seed', opts.seed, 0, 2 ** 32 - 1);
  checkInt('replications', opts.replications, 1, LIMITS.replications);
  checkInt('jobs', opts.jobs, 1, 1024);
  const all = scenario.policies.map((p) => p.name);
  for (const p of opts.policies ?? [])
    if (!all.includes(p)) throw optionError('policies', `no policy ${p}; the scenario has ${all.join(', ')}`);
  const policies = opts.policies === undefined || opts.policies.length === 0 ? all : all.filter((p) => opts.policies?.includes(p));
  if (opts.baseline !== undefined && !policies.includes(opts.baseline))
    throw optionError('baseline', `${opts.baseline} is not among the policies run (${policies.join(', ')})`);
  const baseline =
    opts.baseline ??
    (scenario.report.baseline !== null && policies.includes(scenario.report.baseline) ? scenario.report.baseline : policies[0]);
  const seed = opts.seed ?? scenario.seed;
  const seeds = seedsOf(seed, opts.replications ?? scenario.replications);
  if (seeds[seeds.length - 1] > 2 ** 32 - 1) throw optionError('seed', `seeds ${seed} to ${seeds[seeds.length - 1]} go past 4294967295`);
  const expectations = opts.expect === undefined ? scenario.expect : parseExpectInput(opts.expect, policies);
  const baselineRuns = opts.baselineDir === undefined ? null : readRecords(opts.baselineDir, 'baselineDir');

  const tasks = planTasks(policies, seeds);
  const jobs = opts.jobs ?? 1;
  const settings: RunSettings = {
    scenarioPath: resolve(scenario.file),
    allowOutside: opts.allowOutside === true,
    sampleInterval: scenario.report.interval,
    pods: scenario.report.pods,
    trace: null,
    traceSeed: seeds[0],
    scanWorkers: 'auto',
    runThreads: jobs,
  };
  let results: readonly TaskResult[];
  if (jobs === 1 || tasks.length === 1) results = tasks.map((t) => executeTask(scenario, t, settings));
  else {
    if (!fromFile.has(scenario))
      throw optionError('jobs', 'worker threads load the scenario from its file: load it with loadScenario(path), or run with jobs: 1');
    const outcome = await runTasks<TaskResult>(tasks, settings, {
      entry: 'timedRun',
      threads: jobs,
      heapLimitBytes: null,
      signal: new AbortController().signal,
      onResult: () => undefined,
      onRetry: () => undefined,
    });
    results = outcome.results;
  }
  const sweep: Sweep = {
    info: {
      scenario: scenario.name,
      description: scenario.description,
      nodes: scenarioNodes(scenario),
      policies,
      seeds,
      baseline,
      sampleInterval: scenario.report.interval,
      pods: scenario.report.pods,
    },
    runs: results.map((r) => r.output),
  };
  const o = gateOutcome(
    sweep.runs.map(recordOf),
    baseline,
    withBaselineDefault(expectations, baselineRuns !== null, scenario.file),
    baselineRuns,
  );
  if (opts.out !== undefined) for (const [name, content] of reportFiles(sweep)) writeFileAtomic(join(resolve(opts.out), name), content);
  if (opts.junit !== undefined) writeFileAtomic(resolve(opts.junit), junitXml(o));
  if (opts.markdown !== undefined) writeFileAtomic(resolve(opts.markdown), markdownSummary(o));
  return {
    scenario: scenario.name,
    policies,
    seeds,
    baseline,
    runs: plainRuns(o.runs),
    comparison: plainComparison(o.comparison),
    expectations: o.expectations,
    passed: o.expectations.every((r) => r.status !== 'failed'),
    warnings: loaded.warnings,
  };
}
