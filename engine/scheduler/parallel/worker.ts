/**
 * The scan worker: piscina starts it with one long-lived `serve` task per thread. The simulation loop is
 * synchronous and cannot await a piscina task per pod (nor afford its ~40–55 µs round trip,
 * engine-performance.md §4.1), so each serve task waits on an Atomics barrier in a shared control block and
 * runs one shard per signal; new column buffers (after the NodeTable grew) arrive on a MessagePort and are
 * read synchronously. It returns when told to quit, which lets piscina's pool close normally.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { scanRange, type ScanColumns } from './scan-range.js';

export const CTRL_STRIDE = 16;
export const C_SEQ = 0;
export const C_DONE = 1;
export const C_CMD = 2;
export const CMD_SCAN = 0;
export const CMD_RELOAD = 1;
export const CMD_QUIT = 2;

export interface ServeTask {
  readonly ctrl: Int32Array;
  readonly slot: number;
  readonly port: MessagePort;
}

/** What a RELOAD carries: the columns and this slot's job and output arrays. */
export interface SlotBuffers {
  readonly cols: ScanColumns;
  readonly job: Float64Array;
  readonly rows: Int32Array;
  readonly offs: Int32Array;
  readonly scores: Float64Array;
  /** Indices (into rows/scores) of the shard's running-maximum records (scan-range.ts). */
  readonly recs: Int32Array;
}

export default function serve(task: ServeTask): number {
  const { ctrl, slot, port } = task;
  const base = slot * CTRL_STRIDE;
  let b: SlotBuffers | null = null;
  let seen = Atomics.load(ctrl, base + C_SEQ);
  let jobs = 0;
  Atomics.store(ctrl, base + 3, 1); // C_READY: the main thread may now block on this slot
  for (;;) {
    Atomics.wait(ctrl, base + C_SEQ, seen);
    const seq = Atomics.load(ctrl, base + C_SEQ);
    if (seq === seen) continue;
    seen = seq;
    const cmd = Atomics.load(ctrl, base + C_CMD);
    if (cmd === CMD_QUIT) break;
    if (cmd === CMD_RELOAD) {
      const m = receiveMessageOnPort(port);
      if (m !== undefined) b = m.message as SlotBuffers;
    } else if (b !== null) {
      scanRange(b.cols, b.job, b.rows, b.offs, b.scores, b.recs);
      jobs++;
    }
    Atomics.store(ctrl, base + C_DONE, seq);
    Atomics.notify(ctrl, base + C_DONE);
  }
  port.close();
  return jobs;
}
