/**
 * Runs a sweep's tasks on piscina worker threads (as many as `threads`; one thread runs them one after the
 * other) and hands each result over as soon as it exists, so the caller can store it before anything else
 * can go wrong. Runs always leave the main thread: it stays free to answer Ctrl-C at once, because
 * terminating a worker stops even a run deep in synchronous code.
 *
 * Faults: a task whose worker dies or throws is reported and retried once on a fresh thread; a run is a pure
 * function of its inputs, so the retry gives the result the first try would have. A second failure ends the
 * sweep with WorkerFailure. An abort (the CLI's signal handler) terminates the workers and returns what
 * finished.
 *
 * piscina facts (docs/design/performance.md): its minThreads/maxThreads defaults do not
 * match its README, so both are set to the worker count; `filename` points at the compiled worker.js next to
 * this file (Node 20 cannot load a .ts worker).
 */
import { Piscina } from 'piscina';
import type { RunSettings } from './execute.js';
import type { RunTask } from './plan.js';
import type { WorkerEntry, WorkerMessage } from './worker.js';

export interface PoolOptions<R> {
  /** The worker's function that runs one task: a timed run (`timedRun`) or a GPU replay (`gpuReplayRun`). */
  readonly entry: WorkerEntry;
  readonly threads: number;
  /** Old-generation heap limit of each worker (from --max-memory); null = V8's default. */
  readonly heapLimitBytes: number | null;
  /** Aborting stops the sweep: running tasks are terminated, queued ones never start. */
  readonly signal: AbortSignal;
  /** Called once per finished task, in completion order. */
  readonly onResult: (r: R) => void;
  /** Called when a task's first attempt failed and it is being retried. */
  readonly onRetry: (task: RunTask, reason: string) => void;
}

/** A task failed on its retry too. */
export class WorkerFailure extends Error {
  constructor(
    readonly task: RunTask,
    reason: string,
  ) {
    super(`run ${task.policy} seed ${task.seed} failed twice (the second time on a fresh worker thread): ${reason}`);
  }
}

export interface PoolOutcome<R> {
  /** Results of the tasks that finished, in task order (all of them unless interrupted). */
  readonly results: readonly R[];
  readonly interrupted: boolean;
}

function reasonOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY')
    return `the worker thread ran out of heap memory (${e.message}); pass --max-memory to raise its limit`;
  return e.message;
}

export async function runTasks<R>(tasks: readonly RunTask[], settings: RunSettings, o: PoolOptions<R>): Promise<PoolOutcome<R>> {
  const results = new Map<number, R>();
  const ordered = (): R[] => tasks.filter((t) => results.has(t.index)).map((t) => results.get(t.index) as R);
  if (tasks.length === 0 || o.signal.aborted) return { results: [], interrupted: o.signal.aborted };
  const threads = Math.max(1, Math.min(o.threads, tasks.length));
  const pool = new Piscina<WorkerMessage, R>({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    ...(o.heapLimitBytes === null
      ? {}
      : { resourceLimits: { maxOldGenerationSizeMb: Math.max(64, Math.floor(o.heapLimitBytes / 2 ** 20)) } }),
  });
  let failure: WorkerFailure | null = null;
  const stop = (): void => {
    void pool.destroy();
  };
  o.signal.addEventListener('abort', stop, { once: true });
  const attempt = async (task: RunTask, n: number): Promise<void> => {
    let r: R;
    try {
      r = await pool.run({ settings, task, attempt: n }, { name: o.entry });
    } catch (e) {
      if (o.signal.aborted || failure !== null) return;
      if (n === 1) {
        o.onRetry(task, reasonOf(e));
        return attempt(task, 2);
      }
      failure = new WorkerFailure(task, reasonOf(e));
      stop();
      return;
    }
    // A run that finished is kept even if the sweep is stopping: its result is as good as any.
    results.set(task.index, r);
    o.onResult(r);
  };
  try {
    await Promise.all(tasks.map((t) => attempt(t, 1)));
  } finally {
    o.signal.removeEventListener('abort', stop);
    await pool.destroy();
  }
  if (failure !== null) throw failure;
  return { results: ordered(), interrupted: o.signal.aborted };
}
