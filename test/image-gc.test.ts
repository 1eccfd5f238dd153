/**
 * Kubelet image garbage collection (image_gc_manager.go): over imageGCHighThresholdPercent it frees
 * capacity·(100 − low)/100 − available bytes, unused images least recently used first, none younger than
 * imageMinimumGCAge. Expected victims are worked out by hand from those rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { imagesToDelete, overHighThreshold } from '../engine/node/image-gc.js';
import { runOnce } from '../engine/run.js';
import { expectInputError, scenarioFrom } from './helpers.js';

const S = 1_000_000;
const policy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAge: 120 * S };

test('usage percent as upstream: 100 − floor(available · 100 / capacity) ≥ high', () => {
  assert.ok(overHighThreshold(850, 1000, policy));
  // The integer division rounds usage up: 849 used → available 151 → 100 − floor(15.1) = 85.
  assert.ok(overHighThreshold(849, 1000, policy));
  assert.not.ok(overHighThreshold(840, 1000, policy), 'available 160 → 84%');
});

test('LRU unused images are deleted until usage is back at the low threshold; in-use and young images stay', () => {
  const now = 1000 * S;
  const images = [
    { name: 'u1', sizeBytes: 30, firstDetected: 0, lastUsed: 10 * S, inUse: false },
    { name: 'u2', sizeBytes: 20, firstDetected: 0, lastUsed: 5 * S, inUse: false },
    { name: 'busy', sizeBytes: 30, firstDetected: 0, lastUsed: now, inUse: true },
    { name: 'young', sizeBytes: 10, firstDetected: now - S, lastUsed: 0, inUse: false },
  ];
  // 90 of 100 used (90% ≥ 85): free 100·20/100 − 10 = 10 bytes → u2 (least recently used past young) is enough.
  assert.equal(imagesToDelete(images, 100, now, policy), ['u2']);
  // Down to 50%: free 50 − 10 = 40 → u2 (20) then u1 (30).
  assert.equal(imagesToDelete(images, 100, now, { ...policy, lowThresholdPercent: 50 }), ['u2', 'u1']);
  // Under the high threshold nothing goes.
  assert.equal(imagesToDelete(images, 200, now, policy), []);
});

test('a node with a 1000Mi image filesystem collects its oldest unused image at the 5-minute GC pass', () => {
  const pod = (n: string, at: string) => `
  - name: ${n}
    arrival: {type: burst, count: 1, at: ${at}}
    lifetime: {type: constant, value: 1m}
    pod: {spec: {restartPolicy: Never, containers: [{name: c, image: "img-${n}:1", resources: {requests: {cpu: 100m}}}]}}`;
  const s = scenarioFrom(`
name: image-gc
duration: 20m
cluster:
  nodePools: [{name: n, count: 1, template: {cpu: "4", memory: 8Gi}}]
parameters:
  kubelet: {imageFsCapacity: 1000Mi}
workloads:${pod('a', '0s')}${pod('b', '3m')}${pod('c', '6m')}
images: {"img-a:1": 300Mi, "img-b:1": 300Mi, "img-c:1": 300Mi}
`);
  const r = runOnce(s, s.policies[0], 1);
  assert.is(r.summary.pods_succeeded, 3);
  // After c's pull (~6 min) 900 of 1000 Mi are used (90%): the pass at 10 min frees 200 − 100 = 100 Mi, and the
  // least recently used image (a, last used ~1 min) is enough; the status sync at 10.5 min reports b and c.
  const names = r.store.nodes[0].status.images.flatMap((i) => i.names).sort();
  assert.equal(names, ['img-b:1', 'img-c:1']);
});

test('an image listed twice in the node status under names that normalize alike is stamped as used under both', () => {
  // 1000 Mi image filesystem holding nginx twice ("nginx" and "nginx:latest", 300 Mi each) and zzz-old (300 Mi):
  // 90% ≥ 85%, so the pass at 5 min frees 100 Mi, least recently used first. The pod ran nginx from ~0 to ~1 min,
  // so both nginx records were last used then, and zzz-old (never used, lastUsed 0) is the one to go. Were only one
  // record stamped, the other (lastUsed 0, first by name before zzz-old) would be deleted instead.
  const s = scenarioFrom(`
name: image-gc-names
duration: 8m
cluster:
  nodePools:
    - name: n
      count: 1
      node:
        apiVersion: v1
        kind: Node
        metadata: {name: n}
        status:
          capacity: {cpu: "4", memory: 8Gi}
          images:
            - {names: [nginx], sizeBytes: 314572800}
            - {names: ["nginx:latest"], sizeBytes: 314572800}
            - {names: ["zzz-old:1"], sizeBytes: 314572800}
parameters:
  kubelet: {imageFsCapacity: 1000Mi}
workloads:
  - name: web
    arrival: {type: burst, count: 1, at: 0s}
    lifetime: {type: constant, value: 1m}
    pod: {spec: {restartPolicy: Never, containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]}}
`);
  const r = runOnce(s, s.policies[0], 1);
  assert.is(r.summary.pods_succeeded, 1);
  const names = r.store.nodes[0].status.images.flatMap((i) => i.names).sort();
  assert.equal(names, ['nginx', 'nginx:latest']);
});

test('parameters: image GC thresholds and the APF total are validated at their field', () => {
  const at = (params: string) =>
    scenarioFrom(`
name: p
duration: 1m
cluster: {nodePools: [{name: n, count: 1, template: {cpu: "1", memory: 1Gi}}]}
parameters: ${params}
`);
  const low = expectInputError(() => at('{kubelet: {imageGCLowThresholdPercent: 90}}'));
  assert.is(low.path, 'parameters.kubelet.imageGCLowThresholdPercent');
  assert.match(low.detail, 'must be less than imageGCHighThresholdPercent (85)');
  assert.is(
    expectInputError(() => at('{kubelet: {imageGCHighThresholdPercent: 101}}')).path,
    'parameters.kubelet.imageGCHighThresholdPercent',
  );
  assert.match(
    expectInputError(() => at('{apiServer: {maxRequestsInflight: 0, maxMutatingRequestsInflight: 0}}')).detail,
    'add up to something positive',
  );
  const ok = at(
    '{apiServer: {maxRequestsInflight: 100, maxMutatingRequestsInflight: 50, watchCostPerWatcher: 3us}, kubelet: {imageFsCapacity: 20Gi}}',
  );
  assert.is(ok.params.apiServer.flowControl?.serverConcurrencyLimit, 150);
  assert.is(ok.params.apiServer.watchCost?.perWatcher, 3);
  assert.is(ok.params.kubelet.imageFsBytes, 20 * 1024 ** 3);
});

test.run();
