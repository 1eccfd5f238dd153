/**
 * NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go, matching in
 * k8s.io/component-helpers/scheduling/corev1/nodeaffinity).
 *
 * PreFilter: Skip when the pod has no nodeSelector, no required node affinity and the plugin no addedAffinity;
 * otherwise the union over required terms of each term's metadata.name In values (a term without one means
 * "all nodes") restricts the nodes searched, and an empty union rejects the pod ("pod affinity terms conflict").
 * Filter: addedAffinity.required, then nodeSelector AND the required terms (ORed; expressions and fields
 * ANDed inside a term; a term with neither matches nothing). Score: sum of the weights of the matching
 * preferred terms (pod's and addedAffinity's), DefaultNormalizeScore; PreScore skips pods with neither.
 *
 * Terms are compiled once per scheduling cycle against the NodeTable's interned label columns, so matching a
 * node is integer comparisons over typed arrays.
 */
import type { NodeAffinity, NodeSelectorTerm, PreferredSchedulingTerm } from '../../../api/objects.js';
import { LABEL_VALUE_RULE } from '../../../api/validation.js';
import { requirementParses } from '../../../api/node-selector.js';
import type { NodeTable } from '../../node-table.js';

export const NAME = 'NodeAffinity';
export const REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const REASON_CONFLICT = 'pod affinity terms conflict';
/** Status of the nodes a PreFilterResult left out (schedule_one.go findNodesThatFitPod). */
export const REASON_NOT_IN_PREFILTER_RESULT = `node(s) didn't satisfy plugin(s) [${NAME}]`;

const OP_IN = 0;
const OP_NOT_IN = 1;
const OP_EXISTS = 2;
const OP_DOES_NOT_EXIST = 3;
const OP_GT = 4;
const OP_LT = 5;
const OP_NAME_IS = 6;
const OP_NAME_IS_NOT = 7;
/** A requirement the scheduler cannot parse: its term matches no node. */
const OP_NEVER = 8;

/**
 * NodeAffinity PreScore's error for preferred terms it cannot parse (getPodPreferredNodeAffinity →
 * nodeaffinity.NewPreferredSchedulingTerms returns every parse error; empty terms are skipped), wrapped as
 * RunPreScorePlugins does; null when they all parse. The wording of the parse error is kubesim's.
 */
export function preferredTermsError(preferred: readonly PreferredSchedulingTerm[] | undefined): string | null {
  if (preferred === undefined) return null;
  const errs: string[] = [];
  preferred.forEach((p, i) => {
    if (p.weight === 0) return;
    p.preference.matchExpressions.forEach((e, j) => {
      if (requirementParses(e)) return;
      const what = e.operator === 'Gt' || e.operator === 'Lt' ? 'an integer' : LABEL_VALUE_RULE;
      errs.push(`[${i}].matchExpressions[${j}].values: Invalid value: ${JSON.stringify(e.values)}: expected ${what}`);
    });
  });
  return errs.length === 0 ? null : `running PreScore plugin "${NAME}": ${errs.join(', ')}`;
}

/** Node selector terms compiled against one NodeTable state; valid for one scheduling cycle. */
export interface CompiledTerms {
  readonly count: number;
  /** Requirements of term k are [termStart[k], termStart[k + 1]). */
  readonly termStart: Int32Array;
  readonly weight: Int32Array;
  readonly op: Int32Array;
  /** Label value column of the requirement's key; undefined when no node has the key. */
  readonly col: readonly (Int32Array | undefined)[];
  /** Known value ids of In/NotIn are vals[valStart[r], valStart[r + 1]). */
  readonly valStart: Int32Array;
  readonly vals: Int32Array;
  /** Gt/Lt bound; node row for metadata.name requirements (-1 if no such node). */
  readonly arg: Float64Array;
}

export const NO_TERMS: CompiledTerms = compileRaw([]);

interface RawTerm {
  readonly term: NodeSelectorTerm;
  readonly weight: number;
}

/** nodeSelector as one term of single-value In requirements (labels.SelectorFromSet). */
export function compileNodeSelector(t: NodeTable, sel: Readonly<Record<string, string>>): CompiledTerms {
  const matchExpressions = Object.keys(sel).map((key) => ({ key, operator: 'In' as const, values: [sel[key]] }));
  return compile(t, [{ term: { matchExpressions, matchFields: [] }, weight: 0 }]);
}

export function compileRequired(t: NodeTable, terms: readonly NodeSelectorTerm[]): CompiledTerms {
  return compile(
    t,
    terms.map((term) => ({ term, weight: 0 })),
  );
}

export function compilePreferred(t: NodeTable, terms: readonly PreferredSchedulingTerm[]): CompiledTerms {
  return compile(
    t,
    terms.map((p) => ({ term: p.preference, weight: p.weight })),
  );
}

function compile(t: NodeTable, raw: readonly RawTerm[]): CompiledTerms {
  // A term with no expressions and no fields matches nothing (isEmptyNodeSelectorTerm); weight 0 is a no-op.
  return compileRaw(
    raw.filter((r) => r.term.matchExpressions.length + r.term.matchFields.length > 0),
    t,
  );
}

function compileRaw(raw: readonly RawTerm[], t?: NodeTable): CompiledTerms {
  const termStart: number[] = [0];
  const weight: number[] = [];
  const op: number[] = [];
  const col: (Int32Array | undefined)[] = [];
  const valStart: number[] = [0];
  const vals: number[] = [];
  const arg: number[] = [];
  for (const { term, weight: w } of raw) {
    const table = t as NodeTable;
    for (const e of term.matchExpressions) {
      const code = !requirementParses(e)
        ? OP_NEVER
        : e.operator === 'In'
          ? OP_IN
          : e.operator === 'NotIn'
            ? OP_NOT_IN
            : e.operator === 'Exists'
              ? OP_EXISTS
              : e.operator === 'DoesNotExist'
                ? OP_DOES_NOT_EXIST
                : e.operator === 'Gt'
                  ? OP_GT
                  : OP_LT;
      op.push(code);
      col.push(table.labelColumn(e.key));
      if (code === OP_IN || code === OP_NOT_IN) {
        for (const v of e.values) {
          const id = table.labelValueId(v);
          if (id > 0) vals.push(id);
        }
      }
      valStart.push(vals.length);
      arg.push(code === OP_GT || code === OP_LT ? Number(e.values[0]) : 0);
    }
    for (const fr of term.matchFields) {
      // Only metadata.name with In/NotIn and one value passes validation (manifests.ts).
      op.push(fr.operator === 'In' ? OP_NAME_IS : OP_NAME_IS_NOT);
      col.push(undefined);
      valStart.push(vals.length);
      arg.push(table.indexOf(fr.values[0]));
    }
    termStart.push(op.length);
    weight.push(w);
  }
  return {
    count: weight.length,
    termStart: Int32Array.from(termStart),
    weight: Int32Array.from(weight),
    op: Int32Array.from(op),
    col,
    valStart: Int32Array.from(valStart),
    vals: Int32Array.from(vals),
    arg: Float64Array.from(arg),
  };
}

/** Whether node row i satisfies every requirement of term k. `num` maps label value ids to Go int64 values. */
export function termMatches(c: CompiledTerms, k: number, i: number, num: readonly number[]): boolean {
  const end = c.termStart[k + 1];
  for (let r = c.termStart[k]; r < end; r++) {
    const code = c.op[r];
    if (code === OP_NAME_IS) {
      if (i !== c.arg[r]) return false;
      continue;
    }
    if (code === OP_NAME_IS_NOT) {
      if (i === c.arg[r]) return false;
      continue;
    }
    if (code === OP_NEVER) return false;
    const column = c.col[r];
    const v = column === undefined ? 0 : column[i];
    switch (code) {
      case OP_IN:
      case OP_NOT_IN: {
        let found = false;
        if (v !== 0) {
          const e = c.valStart[r + 1];
          for (let j = c.valStart[r]; j < e; j++) {
            if (c.vals[j] === v) {
              found = true;
              break;
            }
          }
        }
        if (found !== (code === OP_IN)) return false;
        break;
      }
      case OP_EXISTS:
        if (v === 0) return false;
        break;
      case OP_DOES_NOT_EXIST:
        if (v !== 0) return false;
        break;
      default: {
        // Gt/Lt: the label must exist and parse as an integer (labels.Requirement.Matches).
        if (v === 0) return false;
        const n = num[v];
        if (n !== n) return false;
        if (code === OP_GT ? !(n > c.arg[r]) : !(n < c.arg[r])) return false;
      }
    }
  }
  return true;
}

/** Terms ORed (NodeSelector.Match); no terms → no match. */
export function anyTermMatches(c: CompiledTerms, i: number, num: readonly number[]): boolean {
  for (let k = 0; k < c.count; k++) if (termMatches(c, k, i, num)) return true;
  return false;
}

/** PreferredSchedulingTerms.Score. */
export function matchingWeight(c: CompiledTerms, i: number, num: readonly number[]): number {
  let s = 0;
  for (let k = 0; k < c.count; k++) if (termMatches(c, k, i, num)) s += c.weight[k];
  return s;
}

/**
 * PreFilter's node-name restriction: null = all nodes; otherwise the union over required terms of the
 * intersection of each term's metadata.name In values (empty = the terms conflict).
 */
export function preFilterNodeNames(aff: NodeAffinity | undefined): Set<string> | null {
  const terms = aff?.required?.nodeSelectorTerms;
  if (terms === undefined || terms.length === 0) return null;
  const union = new Set<string>();
  for (const term of terms) {
    const names = termNodeNames(term.matchFields);
    if (names === null) return null;
    for (const n of names) union.add(n);
  }
  return union;
}

/** Intersection of the metadata.name In values of one term's fields; null when it has none. */
function termNodeNames(fields: NodeSelectorTerm['matchFields']): string[] | null {
  let names: string[] | null = null;
  for (const r of fields) {
    if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
    names = names === null ? [...r.values] : names.filter((v) => r.values.includes(v));
  }
  return names;
}
