/**
 * Parsing of the resource.k8s.io/v1 kinds (engine/scenario/workloads/dynamic-resources.ts), a pod's
 * spec.resourceClaims and its containers' resources.claims, and a node pool's `dra:` driver option: the defaults of
 * pkg/apis/resource/v1 (allocationMode ExactCount, count 1), validation errors with file, line and field path,
 * other apiVersions refused with the version named, fields outside the model refused, and selectors outside the
 * CEL subset refused at load time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceClass, Pod, ResourceClaim, ResourceClaimTemplate, ResourceSlice } from '../engine/api/objects.js';
import { kindDisposition } from '../engine/scenario/kinds.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import {
  DEVICE,
  DEVICE_CLAIM,
  DEVICE_CLASS_SPEC,
  DEVICE_REQUEST,
  EXACT_REQUEST,
  SLICE_SPEC,
} from '../engine/scenario/workloads/dynamic-resources.js';
import type { FieldTable } from '../engine/scenario/field-dispositions.js';
import { nodeResourceSlice } from '../engine/node/dra-driver.js';
import { enabledAt } from '../engine/scheduler/profile.js';
import { expectInputError } from './helpers.js';

const load = (workloads: string, pool = '') => {
  const [f] = parseYamlDocuments(
    `name: x
cluster: {nodePools: [{name: n, count: 1, template: {cpu: "4", memory: 8Gi}${pool}}]}
workloads:
${workloads}`,
    'dra.yaml',
  );
  return parseScenario(f, '/tmp/dra.yaml');
};
const objects = (w: string) => load(w).scenario.objects.map((o) => o.object);

const CLASS = `  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: DeviceClass
      metadata: {name: gpu.example.com}
      spec:
        selectors: [{cel: {expression: 'device.driver == "gpu.example.com"'}}]
`;

test('the four kinds are modeled at resource.k8s.io/v1 and parse with the upstream defaults', () => {
  for (const k of ['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice'])
    assert.equal(kindDisposition(k), { disposition: 'modeled', apiVersion: 'resource.k8s.io/v1' });
  const objs = objects(`${CLASS}  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: ResourceClaimTemplate
      metadata: {name: one-gpu}
      spec:
        metadata: {labels: {team: a}}
        spec:
          devices:
            requests:
              - name: gpu
                exactly:
                  deviceClassName: gpu.example.com
                  selectors: [{cel: {expression: 'device.capacity["gpu.example.com"].memory.compareTo(quantity("40Gi")) >= 0'}}]
            config: [{opaque: {driver: gpu.example.com, parameters: {}}}]
  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: ResourceClaim
      metadata: {name: shared}
      spec: {devices: {requests: [{name: all, exactly: {deviceClassName: gpu.example.com, allocationMode: All}}]}}
  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: ResourceSlice
      metadata: {name: n-0-gpu}
      spec:
        driver: gpu.example.com
        pool: {name: n-0, generation: 1, resourceSliceCount: 1}
        nodeName: n-0
        devices:
          - name: gpu-0
            attributes: {model: {string: A100}, cores: {int: 6912}, other.domain/mig: {bool: false}, driverVersion: {version: 1.2.3}}
            capacity: {memory: {value: 80Gi}}
`);
  const cls = objs.find((o) => o.kind === 'DeviceClass') as DeviceClass;
  assert.equal(cls.spec.selectors, [{ expression: 'device.driver == "gpu.example.com"' }]);
  assert.is(cls.metadata.namespace, '');
  const tpl = objs.find((o) => o.kind === 'ResourceClaimTemplate') as ResourceClaimTemplate;
  assert.equal(tpl.spec.labels, { team: 'a' });
  assert.equal(tpl.spec.spec.requests[0].allocationMode, 'ExactCount');
  assert.is(tpl.spec.spec.requests[0].count, 1);
  const claim = objs.find((o) => o.kind === 'ResourceClaim') as ResourceClaim;
  assert.equal(claim.spec.requests[0], { name: 'all', deviceClassName: 'gpu.example.com', selectors: [], allocationMode: 'All', count: 0 });
  assert.equal(claim.status, { reservedFor: [] });
  const slice = objs.find((o) => o.kind === 'ResourceSlice') as ResourceSlice;
  assert.equal(slice.spec.devices[0].attributes, {
    'gpu.example.com/model': { type: 'string', value: 'A100' },
    'gpu.example.com/cores': { type: 'int', value: 6912 },
    'other.domain/mig': { type: 'bool', value: false },
    'gpu.example.com/driverVersion': { type: 'version', value: '1.2.3' },
  });
  assert.equal(slice.spec.devices[0].capacity, { 'gpu.example.com/memory': 80 * 2 ** 30 });
  assert.equal(slice.spec.pool, { name: 'n-0', generation: 1, resourceSliceCount: 1 });
});

test('other apiVersions are refused with the version named', () => {
  const e = expectInputError(() =>
    load(`  - manifest:
      apiVersion: resource.k8s.io/v1beta1
      kind: DeviceClass
      metadata: {name: c}
`),
  );
  assert.is(e.path, 'workloads[0].manifest.apiVersion');
  assert.match(e.detail, 'expected apiVersion "resource.k8s.io/v1" for kind DeviceClass, got "resource.k8s.io/v1beta1"');
});

test('selectors outside the CEL subset are refused at load with file, line, field path and the supported subset', () => {
  const e = expectInputError(() =>
    load(`  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: DeviceClass
      metadata: {name: c}
      spec:
        selectors:
          - cel: {expression: 'device.attributes["gpu.example.com"].model.matches("A1.*")'}
`),
  );
  assert.is(e.file, 'dra.yaml');
  assert.is(e.line, 10);
  assert.is(e.path, 'workloads[0].manifest.spec.selectors[0].cel.expression');
  assert.match(e.detail, 'unsupported CEL');
  assert.match(e.detail, '.matches');
  assert.match(e.detail, 'device.capacity["<domain>"].<name>.compareTo');
});

test('validation and refused fields: request names, count with All, constraints, firstAvailable, slice placement', () => {
  const claim = (devices: string) => `  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: ResourceClaim
      metadata: {name: c}
      spec: {devices: ${devices}}
`;
  const dup = expectInputError(() =>
    load(claim('{requests: [{name: a, exactly: {deviceClassName: x}}, {name: a, exactly: {deviceClassName: x}}]}')),
  );
  assert.is(dup.path, 'workloads[0].manifest.spec.devices.requests[1].name');
  const all = expectInputError(() => load(claim('{requests: [{name: a, exactly: {deviceClassName: x, allocationMode: All, count: 2}}]}')));
  assert.match(all.detail, 'must not be set when allocationMode is All');
  const constraints = expectInputError(() =>
    load(claim('{requests: [{name: a, exactly: {deviceClassName: x}}], constraints: [{matchAttribute: x/y}]}')),
  );
  assert.is(constraints.path, 'workloads[0].manifest.spec.devices.constraints');
  assert.match(constraints.detail, 'not supported by kubesim');
  const first = expectInputError(() => load(claim('{requests: [{name: a, firstAvailable: [{name: b, deviceClassName: x}]}]}')));
  assert.is(first.path, 'workloads[0].manifest.spec.devices.requests[0].firstAvailable');
  const admin = expectInputError(() => load(claim('{requests: [{name: a, exactly: {deviceClassName: x, adminAccess: true}}]}')));
  assert.is(admin.path, 'workloads[0].manifest.spec.devices.requests[0].exactly.adminAccess');
  const placement = expectInputError(() =>
    load(`  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: ResourceSlice
      metadata: {name: s}
      spec: {driver: d.example.com, pool: {name: p, resourceSliceCount: 1}, nodeName: n-0, allNodes: true}
`),
  );
  assert.match(placement.detail, 'exactly one of nodeName, nodeSelector and allNodes');
  const attr = expectInputError(() =>
    load(`  - manifest:
      apiVersion: resource.k8s.io/v1
      kind: ResourceSlice
      metadata: {name: s}
      spec: {driver: d.example.com, pool: {name: p, resourceSliceCount: 1}, allNodes: true, devices: [{name: a, attributes: {x: {int: 1, string: "1"}}}]}
`),
  );
  assert.is(attr.path, 'workloads[0].manifest.spec.devices[0].attributes.x');
  assert.match(attr.detail, 'exactly one of int, bool, string or version');
});

test('pod spec.resourceClaims and container resources.claims: honoured, validated against each other', () => {
  const pod = (claims: string, containerClaims = '') => `  - manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: p}
      spec:
        resourceClaims: ${claims}
        containers: [{name: c, image: i${containerClaims}}]
`;
  const ok = load(
    pod('[{name: gpu, resourceClaimTemplateName: one-gpu}, {name: shared, resourceClaimName: s}]', ', resources: {claims: [{name: gpu}]}'),
  );
  assert.equal(ok.warnings, []);
  assert.equal((ok.scenario.objects[0].object as Pod).spec.resourceClaims, [
    { name: 'gpu', resourceClaimTemplateName: 'one-gpu' },
    { name: 'shared', resourceClaimName: 's' },
  ]);
  const both = expectInputError(() => load(pod('[{name: gpu, resourceClaimName: a, resourceClaimTemplateName: b}]')));
  assert.is(both.path, 'workloads[0].manifest.spec.resourceClaims[0]');
  assert.match(both.detail, 'exactly one of resourceClaimName and resourceClaimTemplateName');
  const unknown = expectInputError(() => load(pod('[{name: gpu, resourceClaimName: a}]', ', resources: {claims: [{name: other}]}')));
  assert.is(unknown.path, 'workloads[0].manifest.spec.containers[0].resources.claims[0].name');
  assert.match(unknown.detail, "one of the pod's spec.resourceClaims (gpu)");
});

test('a node pool dra: option describes the driver; its slice has one device per count with the attributes', () => {
  const s = load(
    '  []',
    ', dra: {driver: gpu.example.com, devices: 2, attributes: {model: A100, cores: 6912, mig: false}, capacity: {memory: 80Gi}}',
  ).scenario;
  const spec = s.nodePools[0].dra;
  assert.ok(spec !== undefined);
  const slice = nodeResourceSlice(spec, 'n-0');
  assert.is(slice.metadata.name, 'n-0-gpu.example.com');
  assert.equal(slice.spec.pool, { name: 'n-0', generation: 0, resourceSliceCount: 1 });
  assert.is(slice.spec.nodeName, 'n-0');
  assert.equal(
    slice.spec.devices.map((d) => d.name),
    ['gpu-0', 'gpu-1'],
  );
  assert.equal(slice.spec.devices[1].attributes, {
    'gpu.example.com/model': { type: 'string', value: 'A100' },
    'gpu.example.com/cores': { type: 'int', value: 6912 },
    'gpu.example.com/mig': { type: 'bool', value: false },
  });
  assert.equal(slice.spec.devices[0].capacity, { 'gpu.example.com/memory': 80 * 2 ** 30 });
  const bad = expectInputError(() => load('  []', ', dra: {driver: Gpu.Example, devices: 2}'));
  assert.is(bad.path, 'cluster.nodePools[0].dra.driver');
});

test('DynamicResources in KubeSchedulerConfiguration: modeled (not ignored), a profile switch, its args', () => {
  const policy = (profile: string) => {
    const [f] = parseYamlDocuments(
      `name: x
cluster: {nodePools: [{name: n, count: 1, template: {cpu: "4", memory: 8Gi}}]}
policies:
  - name: p
    config:
      apiVersion: kubescheduler.config.k8s.io/v1
      kind: KubeSchedulerConfiguration
      profiles: [${profile}]
`,
      'cfg.yaml',
    );
    return parseScenario(f, '/tmp/cfg.yaml');
  };
  const on = policy('{}');
  assert.ok(enabledAt(on.scenario.policies[0].profiles[0], 'filter', 'DynamicResources'));
  assert.ok(enabledAt(on.scenario.policies[0].profiles[0], 'preEnqueue', 'DynamicResources'));
  assert.not.ok(
    on.warnings.some((w) => w.includes('DynamicResources')),
    on.warnings.join('; '),
  );
  assert.not.ok(
    enabledAt(
      policy('{plugins: {multiPoint: {disabled: [{name: DynamicResources}]}}}').scenario.policies[0].profiles[0],
      'filter',
      'DynamicResources',
    ),
  );
  const args = policy('{pluginConfig: [{name: DynamicResources, args: {filterTimeout: 10s}}]}');
  assert.ok(
    args.warnings.some((w) => w.includes('filterTimeout')),
    args.warnings.join('; '),
  );
  const binding = expectInputError(() => policy('{pluginConfig: [{name: DynamicResources, args: {bindingTimeout: 600s}}]}'));
  assert.is(binding.path, 'policies[0].config.profiles[0].pluginConfig[0].args.bindingTimeout');
});

test('the DRA schemas: every upstream field has a disposition (Kubernetes API reference, resource.k8s.io/v1)', () => {
  const UPSTREAM: Record<string, [FieldTable, string]> = {
    ExactDeviceRequest: [EXACT_REQUEST, 'adminAccess allocationMode capacity count deviceClassName selectors tolerations'],
    DeviceRequest: [DEVICE_REQUEST, 'exactly firstAvailable name'],
    DeviceClaim: [DEVICE_CLAIM, 'config constraints requests'],
    DeviceClassSpec: [DEVICE_CLASS_SPEC, 'config extendedResourceName selectors'],
    Device: [
      DEVICE,
      'allNodes allowMultipleAllocations attributes bindingConditions bindingFailureConditions bindsToNode capacity consumesCounters name nodeName nodeSelector taints',
    ],
    ResourceSliceSpec: [SLICE_SPEC, 'allNodes devices driver nodeName nodeSelector perDeviceNodeSelection pool sharedCounters'],
  };
  for (const [schema, [table, fields]] of Object.entries(UPSTREAM)) {
    assert.equal(Object.keys(table).sort(), fields.split(' ').sort(), schema);
    for (const [f, d] of Object.entries(table))
      if (d.d === 'inert' || d.d === 'warned' || d.d === 'refused') assert.ok(d.why.length > 10, `${schema}.${f} says why`);
  }
});

test.run();
