/**
 * Measures the memory one run holds, to calibrate engine/sweep/memory.ts (run by hand, not in CI):
 *   node --expose-gc dist/bench/memory-estimate.js            # prints one line per (nodes, pods) case
 * Each case runs in a child process so heaps do not mix; it reports the heap in use after the run with its
 * result still referenced (every node, pod and record alive), after a full GC, and the peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runOnce } from '../engine/run.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';

function scenarioText(nodes: number, pods: number): string {
  return `name: mem
duration: 1h
cluster:
  nodePools:
    - {name: n, count: ${nodes}, template: {cpu: "64", memory: 256Gi, pods: 250}}
workloads:
  - name: w
    arrival: {type: constant, rate: 2000, count: ${Math.max(1, pods)}}
    pod: {spec: {containers: [{name: c, image: img, resources: {requests: {cpu: 10m, memory: 10Mi}}}]}}
`;
}

function child(nodes: number, pods: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  const before = process.memoryUsage().heapUsed;
  const sc = parseScenario(parseYamlDocuments(scenarioText(nodes, pods), 'mem.yaml')[0], 'mem.yaml').scenario;
  const r = runOnce(sc, sc.policies[0], 1);
  gc();
  const held = process.memoryUsage().heapUsed - before;
  process.stdout.write(
    `${JSON.stringify({ nodes, pods, created: r.summary.pods_created, heldBytes: held, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
  );
}

const [, , mode, n, p] = process.argv;
if (mode === 'child') child(Number(n), Number(p));
else {
  const cases: [number, number][] = [
    [500, 1],
    [4000, 1],
    [500, 20000],
    [2000, 40000],
  ];
  for (const [nodes, pods] of cases) {
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), 'child', String(nodes), String(pods)], {
      encoding: 'utf8',
    });
    process.stdout.write(r.stdout + r.stderr);
  }
}
