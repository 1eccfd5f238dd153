/**
 * DynamicResources as a Filter plugin of the framework (framework/plugin.ts). The scheduler hands the plugin's shared
 * state (index.ts DynamicResources: listers, in-flight allocations) and the pod to the cycle through PodInput.dra;
 * PreFilter prepares the cycle there, Filter asks it per node. Both statuses are UnschedulableAndUnresolvable
 * (dynamicresources.go statusUnschedulable), so preemption never evicts pods for devices.
 */
import {
  CHECK,
  PASS,
  REJECT,
  SKIP,
  UNRESOLVABLE,
  type FilterCycle,
  type FilterPlugin,
  type PreFilterStatus,
} from '../../framework/plugin.js';
import { DYNAMIC_RESOURCES } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';
import { NAME, type DynamicResources } from './index.js';

export class DynamicResourcesPlugin implements FilterPlugin {
  readonly name = NAME;
  readonly bit = DYNAMIC_RESOURCES;
  rejection = '';
  /** The plugin state of the current cycle (null after a Skip). */
  private active: DynamicResources | null = null;

  /** Skip for a pod without claims (or a scheduler without DRA informers); Reject with the PreFilter message. */
  preFilter(c: FilterCycle): PreFilterStatus {
    this.active = null;
    const d = c.pod.dra;
    if (d === undefined) return SKIP;
    const r = d.plugin.prepare(d.pod, c.t);
    if (typeof r === 'string') {
      this.rejection = r;
      return REJECT;
    }
    if (!r) return SKIP;
    this.active = d.plugin;
    return CHECK;
  }

  filter(_t: NodeTable, i: number, reasons: string[] | null): number {
    const reason = (this.active as DynamicResources).filter(i);
    if (reason === null) return PASS;
    reasons?.push(reason);
    return UNRESOLVABLE;
  }
}
