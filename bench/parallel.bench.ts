/** Filter+score with workers (engine/scheduler/parallel/): filled in with the parallel scanner. */
export interface ParallelRow {
  readonly nodes: number;
  readonly workers: number;
  readonly usPerPod: number;
  /** Single-thread time / this time, same process. */
  readonly speedup: number;
  readonly samePlacements: boolean;
}

export async function parallelRows(_quick: boolean): Promise<ParallelRow[]> {
  return [];
}
