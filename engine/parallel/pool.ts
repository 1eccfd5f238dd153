/**
 * Runs a sweep's tasks on `jobs` piscina worker threads (or in this thread when jobs is 1 or there is a
 * single task) and returns the results in task order, so reports never depend on which worker finished first.
 * piscina facts (../shared/reference/engine-performance.md §4.4): its minThreads/maxThreads defaults do not
 * match its README, so both are set to the worker count; `filename` points at the compiled worker.js next to
 * this file (Node 20 cannot load a .ts worker).
 */
import { Piscina } from 'piscina';
import type { Scenario } from '../scenario/types.js';
import { executeTask, type RunSettings, type TaskResult } from './execute.js';
import type { RunTask } from './plan.js';
import type { WorkerMessage } from './worker.js';
import { scanOptions } from '../scheduler/parallel/auto.js';
import { ParallelScanner } from '../scheduler/parallel/scanner.js';

export type Progress = (done: number, total: number, last: TaskResult) => void;

export async function runTasks(scenario: Scenario, tasks: readonly RunTask[], settings: RunSettings, jobs: number, progress?: Progress): Promise<TaskResult[]> {
  const results = new Array<TaskResult>(tasks.length);
  let done = 0;
  const finished = (i: number, r: TaskResult): void => {
    results[i] = r;
    done++;
    progress?.(done, tasks.length, r);
  };
  const threads = Math.min(jobs, tasks.length);
  if (threads <= 1) {
    // Runs in this thread may shard the scheduler's node search (--workers); workers' runs never do.
    const opts = scanOptions(settings.scanWorkers ?? 0, 1, scenario.nodePools.reduce((n, p) => n + p.count, 0));
    const scanner = opts === null ? undefined : await ParallelScanner.start(opts);
    try {
      tasks.forEach((t, i) => finished(i, executeTask(scenario, t, settings, scanner)));
    } finally {
      await scanner?.close();
    }
    return results;
  }
  const pool = new Piscina<WorkerMessage, TaskResult>({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
  });
  try {
    await Promise.all(tasks.map((task, i) => pool.run({ settings, task }).then((r) => finished(i, r))));
  } finally {
    await pool.destroy();
  }
  return results;
}
