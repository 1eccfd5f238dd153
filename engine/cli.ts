#!/usr/bin/env node
/**
 * The `kubesim` command. Side effects live here (files, stdout, exit codes); the engine is plain data in,
 * plain data out. A user error (bad scenario, bad flag) prints one clear message and exits 2 without a stack
 * trace; report files are only written after every run has finished, each atomically.
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { formatTime } from './core/time.js';
import { engineCsv, summaryCsv, type EngineRow } from './report/csv.js';
import { writeFileAtomic } from './report/atomic-write.js';
import { comparisonTable } from './report/table.js';
import { runOnce, type RunResult } from './run.js';
import { InputError } from './scenario/input-error.js';
import { loadScenario } from './scenario/load.js';

/** A command-line usage error (as opposed to a scenario error, which carries a file position). */
class UsageError extends Error {}

interface RunArgs {
  scenario: string;
  seed?: number;
  out?: string;
  policy?: string[];
  trace?: string;
}

function runCommand(args: RunArgs): void {
  const { scenario, warnings } = loadScenario(args.scenario);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const seed = args.seed ?? scenario.seed;
  let policies = scenario.policies;
  if (args.policy !== undefined && args.policy.length > 0) {
    const wanted = new Set(args.policy);
    for (const p of wanted) {
      if (!policies.some((x) => x.name === p)) throw new UsageError(`--policy ${p}: no such policy in ${args.scenario}; it has ${policies.map((x) => x.name).join(', ')}`);
    }
    policies = policies.filter((p) => wanted.has(p.name));
  }
  const results: RunResult[] = [];
  const engine: EngineRow[] = [];
  for (const policy of policies) {
    const t0 = performance.now();
    const r = runOnce(scenario, policy, seed, args.trace !== undefined ? { trace: args.trace } : {});
    engine.push({ policy: policy.name, seed, wallMs: performance.now() - t0, events: r.summary.events });
    results.push(r);
  }
  const out = resolve(args.out ?? join('reports', scenario.name));
  writeFileAtomic(join(out, 'summary.csv'), summaryCsv(results));
  writeFileAtomic(join(out, 'engine.csv'), engineCsv(engine));

  process.stdout.write(`${scenario.name}: ${scenario.nodePools.reduce((s, p) => s + p.count, 0)} nodes, seed ${seed}\n\n`);
  process.stdout.write(`${comparisonTable(results)}\n\n`);
  if (args.trace !== undefined) {
    for (const r of results) {
      process.stdout.write(`trace of pod ${args.trace} under policy ${r.policy}:\n`);
      if (r.trace.length === 0) process.stdout.write('  (no such pod was created)\n');
      for (const s of r.trace) process.stdout.write(`  ${formatTime(s.t).padStart(16)}  ${s.text}\n`);
      process.stdout.write('\n');
    }
  }
  const wall = engine.reduce((s, e) => s + e.wallMs, 0);
  process.stdout.write(`reports written to ${out}/ (summary.csv; wall-clock figures in engine.csv: ${(wall / 1000).toFixed(2)} s total)\n`);
}

export async function main(argv: string[]): Promise<number> {
  try {
    await yargs(argv)
      .scriptName('kubesim')
      .command(
        'run <scenario>',
        'run every policy of a scenario and write reports',
        (y) =>
          y
            .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
            .option('seed', { type: 'number', describe: 'run seed (default: the scenario\'s seed)' })
            .option('out', { type: 'string', describe: 'output folder (default: reports/<scenario name>)' })
            .option('policy', { type: 'string', array: true, describe: 'run only these policies (repeatable)' })
            .option('trace', { type: 'string', describe: 'print the workflow of this pod (name or namespace/name)' })
            .check((a) => {
              if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0 || a.seed > 2 ** 32 - 1)) throw new UsageError(`--seed: expected an integer from 0 to 4294967295, got ${a.seed}`);
              return true;
            }),
        (a) => runCommand(a as unknown as RunArgs),
      )
      .demandCommand(1, 'expected a command, e.g. kubesim run scenarios/quickstart.yaml')
      .strict()
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .help()
      .parseAsync();
    return 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) {
      process.stderr.write(`kubesim: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`kubesim: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
