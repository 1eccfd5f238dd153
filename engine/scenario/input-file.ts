/**
 * Reading the files a scenario names (the scenario itself, manifests, policies, trace CSVs) within limits, so
 * a hostile or broken scenario cannot block on a FIFO, read a device forever, or make kubesim parse gigabytes
 * by naming one large file many times.
 */
import { FieldNotes } from './field-notes.js';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { InputError } from './input-error.js';

/**
 * Largest file accepted. The `yaml` package's AST costs ~36× the text in heap (measured: a 4 MiB list of
 * 32,855 flow-style Node manifests held 146 MiB after parsing), so this keeps one file's parse near 1 GiB;
 * real scenarios and manifest lists are far smaller.
 */
export const MAX_FILE_BYTES = 32 * 2 ** 20;
/**
 * Most bytes one scenario may read in total, over every file it names (a file named twice counts twice).
 * Without it, 100 references to one 32 MiB file would parse 3.2 GB while staying under the per-file limit.
 * The largest real input bundled (the openb trace) is 0.6 MiB.
 */
export const MAX_TOTAL_BYTES = 64 * 2 ** 20;

/** The bytes one scenario load has read so far; every file read during the load is charged to it. */
export class ReadBudget {
  private used = 0;
  /** Warnings about manifest fields of every file read with this budget (field-dispositions.ts). */
  readonly notes = new FieldNotes();

  constructor(readonly limit: number = MAX_TOTAL_BYTES) {}

  /** Charges `bytes` for `path`, refusing the read (before it happens) when the total would pass the limit. */
  charge(path: string, bytes: number): void {
    if (this.used + bytes > this.limit) {
      throw new InputError(
        path,
        0,
        0,
        '',
        `the scenario's files would total ${this.used + bytes} bytes; at most ${this.limit} bytes = ${this.limit / 2 ** 20} MiB are read per scenario (counting a file each time it is named)`,
      );
    }
    this.used += bytes;
  }

  get bytesRead(): number {
    return this.used;
  }
}

/**
 * The text of a regular file of at most MAX_FILE_BYTES, charged to `budget` when given; anything else is an
 * InputError naming the file. The size is checked on the open descriptor before reading.
 */
export function readInputFile(path: string, budget?: ReadBudget): string {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (!st.isFile()) throw new InputError(path, 0, 0, '', 'cannot read file: not a regular file (a device, FIFO or socket)');
    if (st.size > MAX_FILE_BYTES) throw new InputError(path, 0, 0, '', tooLargeDetail(st.size));
    budget?.charge(path, st.size);
    return readFileSync(fd, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(path, 0, 0, '', `cannot read file: ${describeFsError(err)}`);
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export function tooLargeDetail(size: number): string {
  return `file is too large (${size} bytes; at most ${MAX_FILE_BYTES} bytes = ${MAX_FILE_BYTES / 2 ** 20} MiB are read); split it or generate nodes from a pool template`;
}

function describeFsError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** The folder referenced files are resolved against, and whether they may leave it. */
export interface ScenarioDir {
  readonly path: string;
  readonly allowOutside: boolean;
  /** Every file the scenario names is charged to this load's budget (input-file.ts MAX_TOTAL_BYTES). */
  readonly reads: ReadBudget;
}
