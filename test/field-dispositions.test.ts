/**
 * No silently ignored field: every field of the upstream schemas kubesim models has a disposition (honoured,
 * inert with a reason, warned, refused) in engine/scenario/field-dispositions.ts, and the parser applies it.
 * The field lists are those of the Kubernetes API reference (v1.32: PodSpec, Container, Volume,
 * ResourceRequirements, DeploymentSpec, JobSpec, StatefulSetSpec, DaemonSetSpec).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CONTAINER,
  DAEMONSET_SPEC,
  DEPLOYMENT_SPEC,
  JOB_SPEC,
  POD_SPEC,
  RESOURCES,
  STATEFULSET_SPEC,
  VOLUME,
  type FieldTable,
} from '../engine/scenario/field-dispositions.js';
import { kindDisposition } from '../engine/scenario/kinds.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { expectInputError } from './helpers.js';

const UPSTREAM: Record<string, [FieldTable, string[]]> = {
  PodSpec: [
    POD_SPEC,
    'activeDeadlineSeconds affinity automountServiceAccountToken containers dnsConfig dnsPolicy enableServiceLinks ephemeralContainers hostAliases hostIPC hostNetwork hostPID hostUsers hostname imagePullSecrets initContainers nodeName nodeSelector os overhead preemptionPolicy priority priorityClassName readinessGates resourceClaims resources restartPolicy runtimeClassName schedulerName schedulingGates securityContext serviceAccount serviceAccountName setHostnameAsFQDN shareProcessNamespace subdomain terminationGracePeriodSeconds tolerations topologySpreadConstraints volumes'.split(
      ' ',
    ),
  ],
  Container: [
    CONTAINER,
    'args command env envFrom image imagePullPolicy lifecycle livenessProbe name ports readinessProbe resizePolicy resources restartPolicy securityContext startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty volumeDevices volumeMounts workingDir'.split(
      ' ',
    ),
  ],
  Volume: [
    VOLUME,
    'name awsElasticBlockStore azureDisk azureFile cephfs cinder configMap csi downwardAPI emptyDir ephemeral fc flexVolume flocker gcePersistentDisk gitRepo glusterfs hostPath image iscsi nfs persistentVolumeClaim photonPersistentDisk portworxVolume projected quobyte rbd scaleIO secret storageos vsphereVolume'.split(
      ' ',
    ),
  ],
  ResourceRequirements: [RESOURCES, ['claims', 'limits', 'requests']],
  DeploymentSpec: [
    DEPLOYMENT_SPEC,
    'minReadySeconds paused progressDeadlineSeconds replicas revisionHistoryLimit selector strategy template'.split(' '),
  ],
  StatefulSetSpec: [
    STATEFULSET_SPEC,
    'minReadySeconds ordinals persistentVolumeClaimRetentionPolicy podManagementPolicy replicas revisionHistoryLimit selector serviceName template updateStrategy volumeClaimTemplates'.split(
      ' ',
    ),
  ],
  DaemonSetSpec: [DAEMONSET_SPEC, 'minReadySeconds revisionHistoryLimit selector template updateStrategy'.split(' ')],
  JobSpec: [
    JOB_SPEC,
    'activeDeadlineSeconds backoffLimit backoffLimitPerIndex completionMode completions managedBy manualSelector maxFailedIndexes parallelism podFailurePolicy podReplacementPolicy selector successPolicy suspend template ttlSecondsAfterFinished'.split(
      ' ',
    ),
  ],
};

test('every upstream field of the modeled schemas has a disposition, and the table names no field upstream lacks', () => {
  for (const [schema, [table, fields]] of Object.entries(UPSTREAM)) {
    const missing = fields.filter((f) => table[f] === undefined);
    assert.equal(missing, [], `${schema} fields without a disposition`);
    const extra = Object.keys(table).filter((f) => !fields.includes(f));
    assert.equal(extra, [], `${schema} table entries that are not upstream fields`);
    for (const [f, d] of Object.entries(table))
      if (d.d === 'inert' || d.d === 'warned' || d.d === 'refused') assert.ok(d.why.length > 10, `${schema}.${f} says why`);
  }
  // Dynamic Resource Allocation: a pod's claims and the containers' references to them are honoured (dra-parse.test.ts).
  assert.equal(POD_SPEC.resourceClaims, { d: 'honoured' });
  assert.equal(RESOURCES.claims, { d: 'honoured' });
  assert.is(kindDisposition('StatefulSet').disposition, 'modeled');
  assert.is(kindDisposition('DaemonSet').disposition, 'modeled');
});

const load = (workload: string): { warnings: readonly string[] } => {
  const [f] = parseYamlDocuments(
    `
name: x
cluster: {nodePools: [{name: n, count: 1, template: {cpu: "4", memory: 8Gi}}]}
workloads:
${workload}`,
    'fields.yaml',
  );
  return parseScenario(f, '/tmp/fields.yaml');
};

const deployment = (podSpec: string, spec = ''): string => `
  - manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2${spec}
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            ${podSpec}`;

test('warned fields: one note per field with a count and the first place; honoured values of warned fields pass', () => {
  const probe = '{httpGet: {path: /, port: 80}, initialDelaySeconds: 60}';
  const { warnings } = load(
    deployment(
      `containers:
              - {name: a, image: i, livenessProbe: ${probe}, readinessProbe: ${probe}, imagePullPolicy: IfNotPresent}
              - {name: b, image: i, livenessProbe: ${probe}, imagePullPolicy: Always}
            dnsPolicy: ClusterFirst
            futureField: 1`,
      '\n        minReadySeconds: 10\n        progressDeadlineSeconds: 600',
    ),
  );
  assert.equal(warnings, [
    'field not modeled: workloads[].manifest.spec.template.spec.containers[].livenessProbe: liveness probes are not simulated (containers never fail them) (2 times, first at fields.yaml:19)',
    "field not modeled: workloads[].manifest.spec.template.spec.futureField: unknown field (not in kubesim's field table for this schema): ignored (at fields.yaml:22)",
  ]);
  assert.equal(load(deployment('containers: [{name: a, image: i}]', '\n        minReadySeconds: 10')).warnings, []);
});

test('refused fields fail with file, line and path, and say why', () => {
  const pvc = expectInputError(() =>
    load(
      deployment('containers: [{name: a, image: i}]\n            volumes: [{name: data, ephemeral: {volumeClaimTemplate: {spec: {}}}}]'),
    ),
  );
  assert.is(pvc.path, 'workloads[0].manifest.spec.template.spec.volumes[0].ephemeral');
  assert.is(pvc.line, 17);
  assert.match(pvc.detail, 'not supported by kubesim: generic ephemeral volumes');
  const perIndex = expectInputError(() =>
    load(`
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: j}
      spec:
        completionMode: Indexed
        backoffLimitPerIndex: 1
        completions: 3
        template: {spec: {restartPolicy: Never, containers: [{name: a, image: i}]}}`),
  );
  assert.is(perIndex.path, 'workloads[0].manifest.spec.backoffLimitPerIndex');
  assert.match(perIndex.detail, 'per-index backoff limits are not modeled');
  const pfp = expectInputError(() =>
    load(`
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {name: j}
      spec:
        completionMode: NonIndexed
        podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]}
        template: {spec: {restartPolicy: Never, containers: [{name: a, image: i}]}}`),
  );
  assert.is(pfp.path, 'workloads[0].manifest.spec.podFailurePolicy');
  assert.match(pfp.detail, 'podFailurePolicy rules cannot be evaluated');
});

test('StatefulSet and DaemonSet specs go through their tables: inert fields pass, unknown ones are warned, minReadySeconds refused', () => {
  const sts = (extra: string) => `
  - manifest:
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 1
        serviceName: db
        selector: {matchLabels: {app: db}}
        template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: "db:1"}]}}${extra}`;
  assert.equal(
    load(sts('')).warnings.filter((w) => w.includes('db')),
    [],
  );
  assert.ok(load(sts('\n        frobnicate: true')).warnings.some((w) => w.includes('spec.frobnicate') && w.includes('unknown field')));
  const e = expectInputError(() => load(sts('\n        minReadySeconds: 10')));
  assert.is(e.path, 'workloads[0].manifest.spec.minReadySeconds');
  const ds = load(`
  - manifest:
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        updateStrategy: {type: OnDelete}
        revisionHistoryLimit: 3
        selector: {matchLabels: {app: agent}}
        template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: "agent:1"}]}}`);
  assert.equal(
    ds.warnings.filter((w) => w.includes('updateStrategy') || w.includes('revisionHistoryLimit')),
    [],
  );
});

test.run();
