/**
 * HorizontalPodAutoscaler (autoscaling/v2, one cpu Utilization metric), after
 * pkg/controller/podautoscaler/replica_calculator_test.go (TestReplicaCalcScaleUp, ...WithinTolerance) and
 * horizontal_test.go (TestNormalizeDesiredReplicasWithBehavior: scale-up rate limit max(100 %, 4 pods) per
 * period, scale-down stabilization 300 s), driven by the scenario's load curve every 15 s.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Deployment, HorizontalPodAutoscaler, KubeObject } from '../engine/api/objects.js';
import { loadAt, normalized, replicasFor } from '../engine/controllers/horizontal.js';
import { runOnce } from '../engine/run.js';
import { parseManifests } from '../engine/scenario/manifests.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { expectInputError, scenarioFrom } from './helpers.js';

const S = 1_000_000;

function hpaYaml(
  load: string,
  extra = '',
  metric = '{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}',
): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  annotations: {kubesim.io/cpu-load: "${load}"}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
  metrics: [${metric}]
${extra}`;
}

const parse = (text: string): HorizontalPodAutoscaler =>
  parseManifests(parseYamlDocuments(text, 'hpa.yaml')[0])[0] as HorizontalPodAutoscaler;

test('manifest: one cpu Utilization metric and the load curve; others refused', () => {
  const h = parse(hpaYaml('0s=2, 1m=4'));
  assert.equal(h.spec.load, [
    { at: 0, milli: 2000 },
    { at: 60 * S, milli: 4000 },
  ]);
  assert.is(h.spec.targetCpuUtilization, 50);
  assert.match(
    expectInputError(() =>
      parse(hpaYaml('0s=2', '', '{type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 50}}}')),
    ).message,
    /only the cpu resource/,
  );
  assert.match(
    expectInputError(() => parse(hpaYaml('0s=2', '  behavior: {scaleDown: {stabilizationWindowSeconds: 60}}'))).message,
    /behavior is not modeled/,
  );
  assert.match(expectInputError(() => parse(hpaYaml('1m=2, 0s=3'))).message, /increasing time order/);
});

test('load curve: linear between points, constant outside', () => {
  const load = [
    { at: 60 * S, milli: 1000 },
    { at: 120 * S, milli: 3000 },
  ];
  assert.is(loadAt(load, 0), 1000);
  assert.is(loadAt(load, 90 * S), 2000);
  assert.is(loadAt(load, 600 * S), 3000);
});

test('replica calculation: within the 0.1 tolerance nothing changes; else ⌈ratio × ready pods⌉', () => {
  assert.is(replicasFor(4, 4, 52.5, 50), 4); // ratio 1.05
  assert.is(replicasFor(4, 4, 60, 50), 5); // 1.2 × 4 = 4.8 → 5
  assert.is(replicasFor(4, 4, 20, 50), 2); // 0.4 × 4 = 1.6 → 2
});

test('behavior: scale-up by at most max(100 %, 4 pods) per period; scale-down held by the 300 s stabilization window', () => {
  const h = parse(hpaYaml('0s=2'));
  assert.is(normalized(h, 1, 16, [], 0), 5);
  assert.is(normalized(h, 5, 16, [], 0), 10);
  // A recommendation of 8 within the last 300 s holds a new recommendation of 2 at 8.
  assert.is(normalized(h, 8, 2, [{ at: 100 * S, replicas: 8 }], 300 * S), 8);
  assert.is(normalized(h, 8, 2, [{ at: 100 * S, replicas: 8 }], 401 * S), 2);
});

function run(load: string, duration: string): { t: number; replicas: number }[] {
  const s = scenarioFrom(`
name: hpa
duration: ${duration}
cluster:
  nodePools:
    - {name: n, count: 4, template: {cpu: "8", memory: 32Gi}}
workloads:
  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 1
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 500m}}}]}
  - manifest:
${hpaYaml(load)
  .split('\n')
  .map((l) => '      ' + l)
  .join('\n')}
`);
  const log: { t: number; type: string; obj: KubeObject }[] = [];
  runOnce(s, s.policies[0], 1, { observe: (t, type, obj) => log.push({ t, type, obj }) });
  const out: { t: number; replicas: number }[] = [];
  for (const c of log) {
    if (c.obj.kind !== 'Deployment') continue;
    const r = (c.obj as Deployment).spec.replicas;
    if (out.length === 0 || out[out.length - 1].replicas !== r) out.push({ t: c.t, replicas: r });
  }
  return out;
}

test('scale-up under load: 1 → 5 → 10 (max), one step per 15 s sync', () => {
  // 4 cores over 500m pods at a 50 % target wants 16 pods.
  const steps = run('0s=4', '2m');
  assert.equal(
    steps.map((s) => s.replicas),
    [1, 5, 10],
  );
  assert.ok(steps[1].t >= 15 * S && steps[1].t < 16 * S, `first scale at ${steps[1].t}`);
  assert.ok(steps[2].t >= 30 * S && steps[2].t % (15 * S) < S, `second scale at ${steps[2].t}, on a sync`);
});

test('scale-down waits out the 300 s stabilization window after the load drops', () => {
  // 2.5 cores (10 pods at 50 %) until 2 min, then 0.5 core (2 pods).
  const steps = run('0s=2.5, 2m=2.5, 2m1s=0.5', '10m');
  const peak = steps.find((s) => s.replicas === 10);
  assert.ok(peak !== undefined, JSON.stringify(steps));
  const down = steps[steps.length - 1];
  assert.is(down.replicas, 2);
  // The last recommendation of 10 is at the 120 s sync; 300 s later (the 420 s sync... the first sync after 420 s).
  assert.ok(down.t > 420 * S && down.t < 436 * S, `scaled down at ${down.t}`);
});

test.run();
