/**
 * What kubesim does with every field of the workload schemas it models, so that no field is silently ignored:
 * - honoured: read and simulated (manifests.ts parses it);
 * - inert: read past on purpose, because it changes nothing kubesim models (where or when pods run): DNS,
 *   security contexts, environment, service accounts, … — each with the reason;
 * - warned: kubesim cannot simulate it and the run may differ from a real cluster: one note per field on stderr;
 * - refused: it would change placements and kubesim cannot simulate it: the manifest is an error.
 * A field of none of these (a newer API field) is warned about as unknown.
 *
 * The same table is the contract of test/field-dispositions.test.ts, which lists the upstream schemas' fields
 * (the Kubernetes API reference) and fails for any field without a disposition. To honour a field: parse it in
 * manifests.ts and change its entry here to 'honoured'.
 */
import type { Field } from './yaml-field.js';

export type Disposition =
  | { readonly d: 'honoured' }
  | { readonly d: 'inert'; readonly why: string }
  /** `unless`: scalar values that are honoured (e.g. imagePullPolicy IfNotPresent); other values are warned. */
  | { readonly d: 'warned'; readonly why: string; readonly unless?: readonly string[] }
  | { readonly d: 'refused'; readonly why: string; readonly unless?: readonly string[] }
  /** A nested object (or a list of them) checked against another table. */
  | { readonly d: 'nested'; readonly table: FieldTable };

export type FieldTable = Readonly<Record<string, Disposition>>;

const H: Disposition = { d: 'honoured' };
const inert = (why: string): Disposition => ({ d: 'inert', why });
const warned = (why: string, unless?: readonly string[]): Disposition => ({
  d: 'warned',
  why,
  ...(unless === undefined ? {} : { unless }),
});
const refused = (why: string, unless?: readonly string[]): Disposition => ({
  d: 'refused',
  why,
  ...(unless === undefined ? {} : { unless }),
});

const NO_PLACEMENT = 'no effect on placement or timing';

/** core/v1 ResourceRequirements. */
export const RESOURCES: FieldTable = {
  requests: H,
  limits: H,
  // The pod's claims a container uses (checked against spec.resourceClaims); inside the container only.
  claims: H,
};

/** core/v1 Container (containers and initContainers; ephemeral containers are refused at the pod level). */
export const CONTAINER: FieldTable = {
  name: H,
  image: H,
  ports: H,
  resources: { d: 'nested', table: RESOURCES },
  restartPolicy: H,
  imagePullPolicy: H,
  readinessProbe: H,
  startupProbe: H,
  livenessProbe: warned('liveness probes are not simulated (containers never fail them)'),
  lifecycle: warned('postStart and preStop hooks are not simulated (preStop would delay termination)'),
  volumeDevices: inert('raw block devices of the pod volumes (the claims themselves are checked at spec.volumes)'),
  args: inert(NO_PLACEMENT),
  command: inert(NO_PLACEMENT),
  env: inert(NO_PLACEMENT),
  envFrom: inert(NO_PLACEMENT),
  resizePolicy: inert('in-place resize is not requested by any modeled component'),
  securityContext: inert(NO_PLACEMENT),
  stdin: inert(NO_PLACEMENT),
  stdinOnce: inert(NO_PLACEMENT),
  terminationMessagePath: inert(NO_PLACEMENT),
  terminationMessagePolicy: inert(NO_PLACEMENT),
  tty: inert(NO_PLACEMENT),
  volumeMounts: inert('mounts of the pod volumes (the volumes themselves are checked at spec.volumes)'),
  workingDir: inert(NO_PLACEMENT),
};

/** core/v1 Volume: the sources that constrain placement are refused, the node-local ones are inert. */
export const VOLUME: FieldTable = {
  name: H,
  persistentVolumeClaim: H,
  ephemeral: refused('generic ephemeral volumes (a claim created per pod by the ephemeral volume controller) are not modeled'),
  csi: warned('CSI inline volumes are not modeled (attach limits may constrain placement)'),
  configMap: inert(NO_PLACEMENT),
  secret: inert(NO_PLACEMENT),
  projected: inert(NO_PLACEMENT),
  downwardAPI: inert(NO_PLACEMENT),
  emptyDir: inert('node-local scratch space (request ephemeral-storage for it to count)'),
  hostPath: inert(NO_PLACEMENT),
  image: inert('pulled like a container image by the runtime; not simulated separately'),
  awsElasticBlockStore: refused('in-tree cloud disks are zonal and attach-limited; not modeled'),
  azureDisk: refused('in-tree cloud disks are zonal and attach-limited; not modeled'),
  gcePersistentDisk: refused('in-tree cloud disks are zonal and attach-limited; not modeled'),
  cinder: refused('in-tree cloud disks are zonal and attach-limited; not modeled'),
  azureFile: inert(NO_PLACEMENT),
  cephfs: inert(NO_PLACEMENT),
  fc: inert(NO_PLACEMENT),
  flexVolume: inert(NO_PLACEMENT),
  flocker: inert(NO_PLACEMENT),
  gitRepo: inert(NO_PLACEMENT),
  glusterfs: inert(NO_PLACEMENT),
  iscsi: inert(NO_PLACEMENT),
  nfs: inert(NO_PLACEMENT),
  photonPersistentDisk: inert(NO_PLACEMENT),
  portworxVolume: inert(NO_PLACEMENT),
  quobyte: inert(NO_PLACEMENT),
  rbd: inert(NO_PLACEMENT),
  scaleIO: inert(NO_PLACEMENT),
  storageos: inert(NO_PLACEMENT),
  vsphereVolume: inert(NO_PLACEMENT),
};

/** core/v1 PodSpec. */
export const POD_SPEC: FieldTable = {
  containers: { d: 'nested', table: CONTAINER },
  initContainers: { d: 'nested', table: CONTAINER },
  affinity: H,
  hostNetwork: H,
  nodeName: H,
  nodeSelector: H,
  overhead: H,
  preemptionPolicy: H,
  priority: H,
  priorityClassName: H,
  restartPolicy: H,
  schedulerName: H,
  schedulingGates: H,
  terminationGracePeriodSeconds: H,
  tolerations: H,
  topologySpreadConstraints: H,
  volumes: { d: 'nested', table: VOLUME },
  activeDeadlineSeconds: warned('the kubelet does not fail pods past their active deadline in kubesim'),
  readinessGates: warned('readiness gates are not simulated: Ready does not wait for their conditions'),
  runtimeClassName: refused('RuntimeClasses are not modeled (their overhead and node selector change placement)'),
  // Dynamic Resource Allocation: the resource-claim controller and the DynamicResources plugin.
  resourceClaims: H,
  resources: H,
  ephemeralContainers: refused('ephemeral containers are added by kubectl debug to running pods, not at creation'),
  os: inert('the scheduler does not read spec.os (nodes are selected by the kubernetes.io/os label)'),
  automountServiceAccountToken: inert(NO_PLACEMENT),
  dnsConfig: inert(NO_PLACEMENT),
  dnsPolicy: inert(NO_PLACEMENT),
  enableServiceLinks: inert(NO_PLACEMENT),
  hostAliases: inert(NO_PLACEMENT),
  hostIPC: inert(NO_PLACEMENT),
  hostPID: inert(NO_PLACEMENT),
  hostUsers: inert(NO_PLACEMENT),
  hostname: inert(NO_PLACEMENT),
  imagePullSecrets: inert(NO_PLACEMENT),
  securityContext: inert(NO_PLACEMENT),
  serviceAccount: inert(NO_PLACEMENT),
  serviceAccountName: inert(NO_PLACEMENT),
  setHostnameAsFQDN: inert(NO_PLACEMENT),
  shareProcessNamespace: inert(NO_PLACEMENT),
  subdomain: inert(NO_PLACEMENT),
};

/** apps/v1 DeploymentSpec. */
export const DEPLOYMENT_SPEC: FieldTable = {
  replicas: H,
  selector: H,
  template: H,
  strategy: H,
  paused: H,
  minReadySeconds: H,
  progressDeadlineSeconds: inert('only sets the Progressing condition, which no modeled component reads'),
  revisionHistoryLimit: inert('old ReplicaSets scaled to 0 hold no pods'),
};

/** batch/v1 JobSpec. */
export const JOB_SPEC: FieldTable = {
  parallelism: H,
  completions: H,
  backoffLimit: H,
  template: H,
  suspend: H,
  activeDeadlineSeconds: H,
  completionMode: H,
  backoffLimitPerIndex: refused('per-index backoff limits are not modeled (kubesim counts failures per Job)'),
  maxFailedIndexes: refused('per-index backoff limits are not modeled (kubesim counts failures per Job)'),
  podFailurePolicy: refused('pods in kubesim never exit with a failure code, so podFailurePolicy rules cannot be evaluated'),
  successPolicy: refused('success policies are not modeled (an Indexed Job completes when every index has succeeded)'),
  managedBy: refused("a Job managed by another controller is not run by kubesim's Job controller", ['kubernetes.io/job-controller']),
  manualSelector: refused("kubesim's Job controller selects its pods by the job-name label only", ['false']),
  selector: inert('the Job controller selects the pods it labels itself (batch.kubernetes.io/job-name)'),
  podReplacementPolicy: warned('kubesim replaces a failed pod once it is terminal (Failed), whatever the policy', ['Failed']),
  ttlSecondsAfterFinished: inert('deleting a finished Job and its finished pods frees nothing the scheduler counts'),
};

/** apps/v1 StatefulSetSpec (engine/scenario/workloads/statefulset.ts). */
export const STATEFULSET_SPEC: FieldTable = {
  replicas: H,
  selector: H,
  template: H,
  podManagementPolicy: H,
  ordinals: H,
  volumeClaimTemplates: H,
  minReadySeconds: refused('minReadySeconds is not modeled for StatefulSets (pods count as available once Ready)', ['0']),
  serviceName: inert("it only names the pods' DNS domain"),
  updateStrategy: inert('a StatefulSet is created once and only scaled during a run, so no rolling update happens'),
  revisionHistoryLimit: inert('controller revisions hold no pods'),
  // Retain is honoured (claims outlive their pods); the parser refuses whenScaled: Delete.
  persistentVolumeClaimRetentionPolicy: H,
};

/** apps/v1 DaemonSetSpec (engine/scenario/workloads/daemonset.ts). */
export const DAEMONSET_SPEC: FieldTable = {
  selector: H,
  template: H,
  updateStrategy: inert('a DaemonSet is created once and never updated during a run, so no rolling update happens'),
  minReadySeconds: inert('availability only paces rolling updates, which do not happen during a run'),
  revisionHistoryLimit: inert('controller revisions hold no pods'),
};

/**
 * Checks the keys of `f` (a mapping, or a list of mappings for a nested list) against `table`: refuses, warns,
 * or recurses; unknown keys are warned about. Honoured and inert keys pass.
 */
export function checkFields(f: Field, table: FieldTable): void {
  if (f.kind() === 'seq') {
    for (const item of f.items()) checkFields(item, table);
    return;
  }
  if (f.kind() !== 'map') return;
  for (const [key, child] of f.entries()) {
    const d = table[key];
    if (d === undefined) {
      child.warn("unknown field (not in kubesim's field table for this schema): ignored");
      continue;
    }
    switch (d.d) {
      case 'honoured':
      case 'inert':
        break;
      case 'nested':
        checkFields(child, d.table);
        break;
      case 'warned':
        if (!allowedValue(child, d.unless)) child.warn(d.why);
        break;
      case 'refused':
        if (!allowedValue(child, d.unless)) child.fail(`not supported by kubesim: ${d.why}`);
        break;
    }
  }
}

function allowedValue(f: Field, unless: readonly string[] | undefined): boolean {
  if (f.kind() === 'null') return true;
  return unless !== undefined && f.kind() === 'scalar' && unless.includes(f.scalarString());
}
