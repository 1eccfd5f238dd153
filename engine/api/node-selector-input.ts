/**
 * Node selector terms and node affinity as a manifest or a KubeSchedulerConfiguration gives them, parsed with
 * field paths and validated as the API server (ValidateNodeSelectorRequirement, ValidateNodeFieldSelectorRequirement)
 * and kube-scheduler (ValidateNodeAffinityArgs) do. Shared by the manifest parser and the NodeAffinity plugin's args.
 */
import type { NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm } from './objects.js';
import type { Field } from '../scenario/yaml-field.js';
import { DNS1123_SUBDOMAIN_RULE, LABEL_VALUE_RULE, isDns1123Subdomain, isGoInt64, isLabelValue, isQualifiedName } from './validation.js';

export function checkQualifiedName(f: Field, s: string, what: string): void {
  if (!isQualifiedName(s)) {
    f.fail(
      `invalid ${what} ${JSON.stringify(s)}: expected an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    );
  }
}

/** A mapping was expected at f. */
export function expectedMapping(f: Field, what: string): never {
  return f.fail(f.exists ? `expected ${what}, got ${f.describe()}` : `required field is missing; expected ${what}`);
}

/**
 * A core/v1 NodeAffinity (a pod's spec.affinity.nodeAffinity, or NodeAffinityArgs.addedAffinity), validated as
 * ValidateNodeSelector / ValidatePreferredSchedulingTerms do (pkg/apis/core/validation/validation.go).
 *
 * The API server does not check requirement values, so a pod's terms may hold values kube-scheduler cannot parse
 * (`pod`: accepted; a required term with one matches no node, a preferred one makes NodeAffinity's PreScore fail:
 * scheduler/plugins/node-affinity/). The scheduler's own configuration is parsed strictly (`config`:
 * ValidateNodeAffinityArgs builds the selectors and refuses it).
 */
export function parseNodeAffinity(f: Field, source: 'pod' | 'config' = 'config'): NodeAffinity {
  if (f.kind() !== 'map')
    expectedMapping(
      f,
      'a node affinity (requiredDuringSchedulingIgnoredDuringExecution and/or preferredDuringSchedulingIgnoredDuringExecution)',
    );
  const out: { required?: NodeAffinity['required']; preferred?: NodeAffinity['preferred'] } = {};
  const req = f.get('requiredDuringSchedulingIgnoredDuringExecution');
  if (req.kind() !== 'missing' && req.kind() !== 'null') {
    const termsField = req.get('nodeSelectorTerms');
    const terms = termsField.items().map((t) => parseNodeSelectorTerm(t, source === 'pod' ? 'lenient' : 'strict'));
    if (terms.length === 0) termsField.fail('expected at least one node selector term');
    out.required = { nodeSelectorTerms: terms };
  }
  const pref = f.get('preferredDuringSchedulingIgnoredDuringExecution');
  if (pref.kind() !== 'missing' && pref.kind() !== 'null') out.preferred = pref.items().map((p) => parsePreferredTerm(p, source === 'pod'));
  return out;
}

/** Requirement values kube-scheduler cannot parse are refused (`strict`) or kept (`lenient`). */
export type ValueCheck = 'strict' | 'lenient';

function parsePreferredTerm(f: Field, lenient: boolean): PreferredSchedulingTerm {
  const pf = f.get('preference');
  if (pf.kind() !== 'map') expectedMapping(pf, 'a node selector term (matchExpressions and/or matchFields)');
  return { weight: f.get('weight').int({ min: 1, max: 100 }), preference: parseNodeSelectorTerm(pf, lenient ? 'lenient' : 'strict') };
}

export function parseNodeSelectorTerm(f: Field, check: ValueCheck): NodeSelectorTerm {
  return {
    matchExpressions: f
      .get('matchExpressions')
      .items()
      .map((e) => parseNodeSelectorRequirement(e, check)),
    matchFields: f.get('matchFields').items().map(parseNodeFieldRequirement),
  };
}

const NODE_SELECTOR_OPERATORS: readonly NodeSelectorRequirement['operator'][] = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

/**
 * ValidateNodeSelectorRequirement (the key, the number of values), plus, unless `check` is lenient, what the
 * scheduler's parser (labels.NewRequirement) needs to use the term.
 */
function parseNodeSelectorRequirement(f: Field, check: ValueCheck): NodeSelectorRequirement {
  const key = f.get('key').str();
  checkQualifiedName(f.get('key'), key, 'label key');
  const operator = f.get('operator').oneOf(NODE_SELECTOR_OPERATORS);
  const valuesField = f.get('values');
  const valueFields = valuesField.items();
  const values = valueFields.map((v) => v.scalarString());
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0)
    valuesField.fail(`expected at least one value for operator ${operator}`);
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0)
    valuesField.fail(`expected no values for operator ${operator}, got ${values.length}`);
  if ((operator === 'Gt' || operator === 'Lt') && values.length !== 1)
    valuesField.fail(`expected exactly one value for operator ${operator}, got ${values.length}`);
  if (check === 'lenient') return { key, operator, values };
  if ((operator === 'Gt' || operator === 'Lt') && !isGoInt64(values[0]))
    valueFields[0].fail(`expected an integer for operator ${operator}, got ${JSON.stringify(values[0])}`);
  values.forEach((v, i) => {
    if ((operator === 'In' || operator === 'NotIn') && !isLabelValue(v))
      valueFields[i].fail(`invalid label value ${JSON.stringify(v)}: expected ${LABEL_VALUE_RULE}`);
  });
  return { key, operator, values };
}

/** ValidateNodeFieldSelectorRequirement: metadata.name only, In or NotIn, exactly one node name. */
function parseNodeFieldRequirement(f: Field): NodeSelectorRequirement {
  const key = f.get('key').str();
  if (key !== 'metadata.name') f.get('key').fail(`expected "metadata.name" (the only node field selector key), got ${JSON.stringify(key)}`);
  const operator = f.get('operator').oneOf(['In', 'NotIn'] as const);
  const valuesField = f.get('values');
  const values = valuesField.items().map((v) => v.scalarString());
  if (values.length !== 1)
    valuesField.fail(`expected exactly one value when operator is ${operator} for a node field selector, got ${values.length}`);
  if (!isDns1123Subdomain(values[0]))
    valuesField.items()[0].fail(`expected a node name (${DNS1123_SUBDOMAIN_RULE}), got ${JSON.stringify(values[0])}`);
  return { key, operator, values };
}
