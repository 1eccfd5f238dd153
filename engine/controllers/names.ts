/**
 * Generated object names as the API server and controllers make them: apimachinery's
 * names.SimpleNameGenerator appends utilrand.String(5) over a vowel-free alphabet (util/rand/rand.go), and
 * the Deployment controller's pod-template-hash is an FNV-32a hash of the template encoded with
 * rand.SafeEncodeString (pkg/controller/controller_utils.go ComputeHash).
 */
import type { RngStream } from '../core/rng.js';

/** k8s.io/apimachinery/pkg/util/rand alphanums: no vowels, no 0/1/3 (avoids words and look-alikes). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(rng: RngStream, length = 5): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHANUMS[rng.int(ALPHANUMS.length)];
  return s;
}

export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: every byte mapped onto the alphabet. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/**
 * pod-template-hash of a template. The input is our canonical JSON of the template rather than Go's
 * DeepHashObject dump, so the value differs from a real cluster's, but it has the same role and stability.
 */
export function podTemplateHash(templateJson: string): string {
  return safeEncode(String(fnv32a(templateJson)));
}

/** JSON with object keys sorted, so equal data gives equal text whatever order its fields were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
