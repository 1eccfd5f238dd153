/**
 * Typed arrays on SharedArrayBuffers: the NodeTable columns the parallel scan reads live in shared memory, so
 * worker threads see the scheduler's cache without a copy per pod (engine-performance.md §3–4: SoA on a
 * SharedArrayBuffer is as fast as on an ordinary buffer, and the only layout workers can share).
 */
export function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
}

export function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}

export function sharedU8(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(1, n)), 0, n);
}
