/** NodePorts as a Filter plugin (framework/plugin.ts): PreFilter picks the node table's port columns that conflict. */
import { CHECK, PASS, SKIP, UNSCHEDULABLE, type FilterCycle, type FilterPlugin, type PreFilterStatus } from '../../framework/plugin.js';
import { NODE_PORTS } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';
import { NAME, REASON } from './index.js';

export class NodePortsPlugin implements FilterPlugin {
  readonly name = NAME;
  readonly bit = NODE_PORTS;
  readonly rejection = '';
  private readonly cols: Int32Array[] = [];

  /** Skip when the pod wants no host port or no node uses any it wants. */
  preFilter(c: FilterCycle): PreFilterStatus {
    const cols = this.cols;
    cols.length = 0;
    if (c.pod.hostPorts.length === 0) return SKIP;
    for (const p of c.pod.hostPorts) c.t.conflictColumns(p, cols);
    return cols.length > 0 ? CHECK : SKIP;
  }

  rejects(t: NodeTable, i: number): boolean {
    if (t.usedPorts[i] === 0) return false;
    const cols = this.cols;
    for (let k = 0; k < cols.length; k++) if (cols[k][i] !== 0) return true;
    return false;
  }

  filter(t: NodeTable, i: number, reasons: string[] | null): number {
    if (!this.rejects(t, i)) return PASS;
    reasons?.push(REASON);
    return UNSCHEDULABLE;
  }
}
