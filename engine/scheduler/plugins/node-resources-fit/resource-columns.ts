/**
 * A configured resource (ScoringStrategy.resources, BalancedAllocation's resources) resolved once to its kind,
 * and its amounts read from the pod's requests and the node table's columns, without a string lookup for the
 * native resources.
 */
import { CPU, EPHEMERAL_STORAGE, MEMORY, type PodRequests } from '../../../api/pod-resources.js';
import type { NodeTable } from '../../node-table.js';

export const R_CPU = 0;
export const R_MEM = 1;
export const R_EPH = 2;
export const R_SCALAR = 3;

export function kindOf(name: string): number {
  if (name === CPU) return R_CPU;
  if (name === MEMORY) return R_MEM;
  if (name === EPHEMERAL_STORAGE) return R_EPH;
  return R_SCALAR;
}

/** The pod's request of one resource; cpu/memory with the scores' non-zero defaults when nonZero. */
export function podAmount(r: PodRequests, kind: number, name: string, nonZero: boolean): number {
  if (kind === R_CPU) return nonZero ? r.nonZeroCpu : r.cpu;
  if (kind === R_MEM) return nonZero ? r.nonZeroMemory : r.memory;
  if (kind === R_EPH) return r.ephemeralStorage;
  return r.scalars[name] ?? 0;
}

export function nodeAlloc(t: NodeTable, i: number, kind: number, name: string): number {
  if (kind === R_CPU) return t.allocCpu[i];
  if (kind === R_MEM) return t.allocMem[i];
  if (kind === R_EPH) return t.allocEph[i];
  return t.scalarAlloc.get(name)?.[i] ?? 0;
}

/** NodeResourcesFit scores cpu/memory against NonZeroRequested; everything else against Requested. */
export function nodeRequested(t: NodeTable, i: number, kind: number, name: string, nonZero: boolean): number {
  if (kind === R_CPU) return nonZero ? t.nzCpu[i] : t.reqCpu[i];
  if (kind === R_MEM) return nonZero ? t.nzMem[i] : t.reqMem[i];
  if (kind === R_EPH) return t.reqEph[i];
  return t.scalarReq.get(name)?.[i] ?? 0;
}

/** Whether row i has room for the pod's scalar requests. */
export function scalarsFit(t: NodeTable, i: number, scalars: Readonly<Record<string, number>>): boolean {
  for (const name in scalars) {
    const alloc = t.scalarAlloc.get(name)?.[i] ?? 0;
    const req = t.scalarReq.get(name)?.[i] ?? 0;
    if (scalars[name] > alloc - req) return false;
  }
  return true;
}

/** Whether the two resource lists are exactly cpu then memory (the default, which the fused loops specialise). */
export function isCpuMem(names: readonly string[]): boolean {
  return names.length === 2 && names[0] === CPU && names[1] === MEMORY;
}
