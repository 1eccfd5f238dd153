/**
 * Faults a scenario injects at given virtual times (the scenario's `faults:` list), as plain data. Node faults
 * stop machines; the control plane then reacts as it would (leases expire, the node lifecycle controller taints,
 * pods are evicted and replaced). Slowdowns multiply a latency for a window.
 */
import type { Micros } from '../core/time.js';

/** Which nodes a node fault hits. */
export type NodeTarget =
  /** These nodes, by name. */
  | { readonly kind: 'names'; readonly names: readonly string[] }
  /** `count` nodes drawn at random (from the fault's own stream) among the live nodes of `pool` (null = any pool). */
  | { readonly kind: 'random'; readonly pool: string | null; readonly count: number }
  /** Every live node whose label `key` has `value` (a zone outage: topology.kubernetes.io/zone). */
  | { readonly kind: 'label'; readonly key: string; readonly value: string };

export type Fault =
  | {
      readonly type: 'nodeCrash';
      readonly at: Micros;
      readonly target: NodeTarget;
      /** The nodes come back after this long; null = they stay down (unless a nodeRecovery names them). */
      readonly duration: Micros | null;
    }
  | {
      readonly type: 'nodeRecovery';
      readonly at: Micros;
      /** null = every node that is down. */
      readonly names: readonly string[] | null;
    }
  | {
      readonly type: 'etcdSlowdown' | 'apiServerOverload' | 'registrySlowdown';
      readonly at: Micros;
      /** Latency multiplier (registry: pull latency × factor and bandwidth ÷ factor). */
      readonly factor: number;
      readonly duration: Micros;
      /** apiServerOverload only: the server's total APF concurrency limit during the window (null = unchanged). */
      readonly concurrency: number | null;
    };

export type FaultType = Fault['type'];
