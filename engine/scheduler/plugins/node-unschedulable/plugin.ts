/** NodeUnschedulable as a Filter plugin (framework/plugin.ts); the rule is in index.ts. */
import { CHECK, PASS, SKIP, UNRESOLVABLE, type FilterCycle, type FilterPlugin, type PreFilterStatus } from '../../framework/plugin.js';
import { NODE_UNSCHEDULABLE } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';
import { NAME, REASON } from './index.js';

export class NodeUnschedulablePlugin implements FilterPlugin {
  readonly name = NAME;
  readonly bit = NODE_UNSCHEDULABLE;
  readonly rejection = '';

  preFilter(c: FilterCycle): PreFilterStatus {
    // Nothing to reject when no node is unschedulable (NodeTable counts them).
    return c.pod.toleratesUnschedulable || c.t.unschedulableNodes === 0 ? SKIP : CHECK;
  }

  filter(t: NodeTable, i: number, reasons: string[] | null): number {
    if (t.unschedulable[i] !== 1) return PASS;
    reasons?.push(REASON);
    return UNRESOLVABLE;
  }
}
