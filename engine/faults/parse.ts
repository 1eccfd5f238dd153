/**
 * The scenario's `faults:` list → Fault[]. Each entry has `at` and `type`:
 *   nodeCrash:          nodes: [names] | count: N [pool: P];  optional duration (then the nodes recover)
 *   zoneOutage:         zone: Z (label topology.kubernetes.io/zone) | label: {key: value};  optional duration
 *   nodeRecovery:       nodes: [names]  (default: every node that is down)
 *   etcdSlowdown, apiServerOverload, registrySlowdown:  factor: F (> 1 slows down), duration: D
 *   apiServerOverload also takes concurrency: N (the server's total APF seats in the window; then factor may be
 *   left out, = 1)
 * Names, pools and zones are checked against the cluster's initial nodes.
 */
import type { Field } from '../scenario/yaml-field.js';
import { ZONE_LABEL } from '../scheduler/node-table.js';
import type { Fault, NodeTarget } from './types.js';

/** The initial nodes as the loader knows them: name, pool and labels. */
export interface KnownNode {
  readonly name: string;
  readonly pool: string;
  readonly labels: Readonly<Record<string, string>>;
}

const TYPES = ['nodeCrash', 'zoneOutage', 'nodeRecovery', 'etcdSlowdown', 'apiServerOverload', 'registrySlowdown'] as const;

export function parseFaults(f: Field, nodes: readonly KnownNode[], pools: readonly string[], duration: number): Fault[] {
  const names = new Set(nodes.map((n) => n.name));
  return f.items().map((item) => {
    const type = item.get('type').oneOf(TYPES);
    const at = item.get('at').duration();
    if (at > duration) item.get('at').fail(`the fault is at ${at / 1e6}s, after the scenario's duration (${duration / 1e6}s)`);
    const nodeNames = (x: Field): string[] => {
      const list = x.items().map((n) => {
        const name = n.str();
        if (!names.has(name)) n.fail(`no node named "${name}" in cluster.nodePools (nodes are named <pool>-<index>)`);
        return name;
      });
      if (list.length === 0) x.fail('expected at least one node name');
      return list;
    };
    const optDuration = (): number | null => {
      const d = item.get('duration');
      if (!d.exists) return null;
      const v = d.duration();
      if (v <= 0) d.fail('expected a positive duration');
      return v;
    };
    switch (type) {
      case 'nodeCrash': {
        item.rejectUnknownKeys(['type', 'at', 'nodes', 'count', 'pool', 'duration']);
        const hasNodes = item.get('nodes').exists;
        if (hasNodes === item.get('count').exists) item.fail('expected exactly one of nodes (names) or count (random nodes)');
        let target: NodeTarget;
        if (hasNodes) {
          if (item.get('pool').exists) item.get('pool').fail('pool applies to count, not to named nodes');
          target = { kind: 'names', names: nodeNames(item.get('nodes')) };
        } else {
          const pool = item.get('pool').exists ? item.get('pool').str() : null;
          if (pool !== null && !pools.includes(pool))
            item.get('pool').fail(`expected the name of a node pool (${pools.join(', ')}), got "${pool}"`);
          const size = nodes.filter((n) => pool === null || n.pool === pool).length;
          const count = item.get('count').int({ min: 1 });
          if (count > size)
            item.get('count').fail(`${count} nodes, but ${pool === null ? 'the cluster' : `pool ${pool}`} starts with ${size}`);
          target = { kind: 'random', pool, count };
        }
        return { type, at, target, duration: optDuration() };
      }
      case 'zoneOutage': {
        item.rejectUnknownKeys(['type', 'at', 'zone', 'label', 'duration']);
        if (item.get('zone').exists === item.get('label').exists) item.fail('expected exactly one of zone or label');
        let key = ZONE_LABEL;
        let value: string;
        if (item.get('zone').exists) value = item.get('zone').scalarString();
        else {
          const m = Object.entries(item.get('label').stringMap());
          if (m.length !== 1) item.get('label').fail('expected exactly one label, e.g. {topology.kubernetes.io/zone: zone-a}');
          [key, value] = m[0];
        }
        const where = item.get(item.get('zone').exists ? 'zone' : 'label');
        if (!nodes.some((n) => n.labels[key] === value)) where.fail(`no node of cluster.nodePools has the label ${key}=${value}`);
        return { type: 'nodeCrash', at, target: { kind: 'label', key, value }, duration: optDuration() };
      }
      case 'nodeRecovery':
        item.rejectUnknownKeys(['type', 'at', 'nodes']);
        return { type, at, names: item.get('nodes').exists ? nodeNames(item.get('nodes')) : null };
      default: {
        const overload = type === 'apiServerOverload';
        item.rejectUnknownKeys(overload ? ['type', 'at', 'factor', 'duration', 'concurrency'] : ['type', 'at', 'factor', 'duration']);
        const concurrency = overload && item.get('concurrency').exists ? item.get('concurrency').int({ min: 1, max: 1_000_000 }) : null;
        // With only a concurrency the server keeps its speed but has fewer seats.
        if (concurrency === null && !item.get('factor').exists)
          item.fail(`expected a factor${overload ? ' or a concurrency' : ''}: how much the ${type} slows things down`);
        const factor = item.get('factor').exists ? item.get('factor').num({ min: 1e-3, max: 1e6 }) : 1;
        const d = item.get('duration');
        if (!d.exists) item.fail(`expected a duration: how long the ${type} lasts`);
        const dur = optDuration() as number;
        return { type, at, factor, duration: dur, concurrency };
      }
    }
  });
}
