/**
 * The API server's name and value validation (k8s.io/apimachinery/pkg/util/validation: IsDNS1123Label,
 * IsDNS1123Subdomain, IsDNS1035Label, IsValidLabelValue, IsQualifiedName) and strconv.ParseInt's int64 check,
 * shared by the manifest parser and the components that must treat a value as upstream does.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const DNS1123_LABEL_RULE = "at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit";
export const DNS1123_SUBDOMAIN_RULE = "at most 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit";
export const DNS1035_LABEL_RULE = "at most 63 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit";
export const LABEL_VALUE_RULE = "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or empty)";

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && DNS1035_LABEL.test(s);
}

export function isLabelValue(s: string): boolean {
  return s.length <= 63 && LABEL_VALUE.test(s);
}

/** A label key or similar qualified name: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function isQualifiedName(s: string): boolean {
  const slash = s.indexOf('/');
  const prefix = slash < 0 ? '' : s.slice(0, slash);
  const name = slash < 0 ? s : s.slice(slash + 1);
  if (slash >= 0 && !isDns1123Subdomain(prefix)) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** strconv.ParseInt(s, 10, 64) succeeds. */
export function isGoInt64(s: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}
