/**
 * VolumeRestrictions, NodeVolumeLimits, VolumeBinding and VolumeZone as Filter plugins (framework/plugin.ts).
 * The scheduler works out a pod's claims once per cycle (index.ts volumeInput: a PreFilter rejection and per-node
 * rules, each tagged with the plugin it belongs to); each plugin instance acts on its own part only, so a
 * profile can enable them one by one as upstream's can.
 */
import { anyTermMatches, compileRequired, type CompiledTerms } from '../node-affinity/index.js';
import {
  CHECK,
  PASS,
  REJECT,
  SKIP,
  UNRESOLVABLE,
  UNSCHEDULABLE,
  type FilterCycle,
  type FilterPlugin,
  type PreFilterStatus,
} from '../../framework/plugin.js';
import { NODE_VOLUME_LIMITS } from '../../framework/rejectors.js';
import type { NodeTable } from '../../node-table.js';

export class VolumePlugin implements FilterPlugin {
  rejection = '';
  private readonly rules: { compiled: CompiledTerms; reason: string }[] = [];

  /** @param bit the plugin's rejector bit, which tags its parts of a pod's VolumeInput. */
  constructor(
    readonly name: string,
    readonly bit: number,
  ) {}

  /** Skip for a pod without claims; Reject on this plugin's PreFilter failure; else compile this plugin's rules. */
  preFilter(c: FilterCycle): PreFilterStatus {
    const rules = this.rules;
    rules.length = 0;
    const vol = c.pod.volumes;
    if (vol === undefined || vol === null) return SKIP;
    if (vol.preFilter !== null && vol.preFilter.plugin === this.bit) {
      this.rejection = vol.preFilter.message;
      return REJECT;
    }
    for (const r of vol.rules) if (r.plugin === this.bit) rules.push({ compiled: compileRequired(c.t, r.terms), reason: r.reason });
    return rules.length > 0 ? CHECK : SKIP;
  }

  /**
   * VolumeBinding and VolumeZone: UnschedulableAndUnresolvable (no eviction frees a volume's zone);
   * NodeVolumeLimits: Unschedulable (csi.go: evicting pods on the node frees their volumes).
   */
  filter(t: NodeTable, i: number, reasons: string[] | null): number {
    const rules = this.rules;
    for (let k = 0; k < rules.length; k++) {
      if (anyTermMatches(rules[k].compiled, i, t.labelValueNum)) continue;
      reasons?.push(rules[k].reason);
      return this.bit === NODE_VOLUME_LIMITS ? UNSCHEDULABLE : UNRESOLVABLE;
    }
    return PASS;
  }
}
