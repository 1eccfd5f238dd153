// Kubernetes resource.Quantity parsing with the semantics of
// k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go, math.go).
//
// Upstream keeps every parsed quantity at nano (1e-9) granularity: finer
// non-zero values are rounded away from zero on parse ("0.9n" -> 1n). So the
// value is held here as an integer count of nanos, which makes every later
// rounding exact without floating point.

export class QuantityError extends Error {
  override name = 'QuantityError';
}

export interface Rational {
  num: bigint;
  den: bigint;
}

const EXPECTED = 'expected a number with an optional suffix (n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)';

// Accepts the same strings as upstream's hand-written scanner
// (parseQuantityString), which lets every part be empty: "Mi", "e3" and "."
// all get through it and parse as zero upstream.
const SHAPE = /^([+-]?)(\d*)(?:\.(\d*))?([eEinumkKMGTP]*[+-]?\d*)$/;

const DECIMAL_SI = new Map<string, number>([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const BINARY_SI = new Map<string, number>([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);

const NANOS_PER_UNIT = 10n ** 9n;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
// Upstream silently caps binary-suffixed quantities at MaxInt64 ("9Ei").
const BINARY_CAP_NANOS = INT64_MAX * NANOS_PER_UNIT;
// Upstream stores huge exponents symbolically; BigInt cannot, so refuse
// values above ~1e1000 instead of trying to allocate them.
const MAX_DECIMAL_SHIFT = 1000;
const SAFE_LIMIT = 2n ** 53n;

function invalid(text: string): QuantityError {
  return new QuantityError(`invalid quantity ${JSON.stringify(text)}: ${EXPECTED}`);
}

function toText(input: string | number): string {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) {
      throw new QuantityError(`invalid quantity ${String(input)}: expected a finite number`);
    }
    // YAML numbers reach us as JS numbers; their shortest decimal form
    // ("0.5", "1e+21") is valid quantity syntax.
    return String(input);
  }
  if (typeof input !== 'string') {
    throw new QuantityError(`invalid quantity ${String(input)}: expected a string or a number`);
  }
  return input;
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number } | undefined {
  const dec = DECIMAL_SI.get(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec };
  const bin = BINARY_SI.get(suffix);
  if (bin !== undefined) return { base: 2, exponent: bin };
  // Checked after the table, so "E" alone is exa, not an exponent.
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const rest = suffix.slice(1);
    if (!/^[+-]?\d+$/.test(rest)) return undefined;
    const parsed = BigInt(rest);
    if (parsed < INT64_MIN || parsed > INT64_MAX) return undefined;
    // Upstream parses an int64 then truncates to int32, so "1e4294967296"
    // means 1e0 (pinned by upstream's quantity_compat_test.go).
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)) };
  }
  return undefined;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function divRoundAwayFromZero(a: bigint, b: bigint): bigint {
  return a < 0n ? -ceilDiv(-a, b) : ceilDiv(a, b);
}

function parseNanos(text: string): bigint {
  const match = SHAPE.exec(text);
  if (text === '' || match === null) throw invalid(text);
  const [, sign, intDigits, fracDigits = '', suffix] = match;
  const unit = interpretSuffix(suffix);
  if (unit === undefined) throw invalid(text);

  const digits = intDigits + fracDigits;
  const mantissa = BigInt(digits === '' ? '0' : digits);
  let nanos: bigint;
  if (unit.base === 2) {
    const scaled = (mantissa << BigInt(unit.exponent)) * NANOS_PER_UNIT;
    nanos = ceilDiv(scaled, 10n ** BigInt(fracDigits.length));
    if (nanos > BINARY_CAP_NANOS) nanos = BINARY_CAP_NANOS;
  } else {
    // Upstream's slow path re-reads the numeral and fails when it has no
    // digits, so "e-10" is an error although "e-9" and "e3" are zero.
    if (digits === '' && unit.exponent < -9) throw invalid(text);
    const shift = unit.exponent - fracDigits.length + 9;
    if (mantissa === 0n) {
      nanos = 0n;
    } else if (shift >= 0) {
      if (shift > MAX_DECIMAL_SHIFT) {
        throw new QuantityError(`quantity ${JSON.stringify(text)} is too large to represent`);
      }
      nanos = mantissa * 10n ** BigInt(shift);
    } else if (-shift >= mantissa.toString().length) {
      // Below one nano but not zero: upstream rounds it up to 1n. Deciding
      // this without building 10^-shift keeps "1e-2000000000" cheap.
      nanos = 1n;
    } else {
      nanos = ceilDiv(mantissa, 10n ** BigInt(-shift));
    }
  }
  return sign === '-' ? -nanos : nanos;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** Exact value of the quantity as upstream stores it (nano-granular), reduced, den > 0. */
export function parseQuantity(input: string | number): Rational {
  const nanos = parseNanos(toText(input));
  const g = nanos === 0n ? NANOS_PER_UNIT : gcd(nanos, NANOS_PER_UNIT);
  return { num: nanos / g, den: NANOS_PER_UNIT / g };
}

function scaled(input: string | number, nanosPerStep: bigint, unitName: string): number {
  const text = toText(input);
  // Upstream's int64 path (negativeScaleInt64 in math.go) rounds inexact
  // results away from zero: ceiling for positives, and "-100m" -> -1.
  const result = divRoundAwayFromZero(parseNanos(text), nanosPerStep);
  if (result > SAFE_LIMIT || result < -SAFE_LIMIT) {
    throw new QuantityError(`quantity ${JSON.stringify(text)} is too large: ${result} ${unitName} is outside ±2^53`);
  }
  return Number(result);
}

/** Value × 1000, rounded away from zero (upstream MilliValue), as an exact JS number. */
export function quantityMilliValue(input: string | number): number {
  return scaled(input, 10n ** 6n, 'milli-units');
}

/** Integer value, rounded away from zero (upstream Value), as an exact JS number. */
export function quantityValue(input: string | number): number {
  return scaled(input, NANOS_PER_UNIT, 'units');
}

/** CPU in millicores. */
export function cpuToMilli(input: string | number): number {
  return quantityMilliValue(input);
}

/** Memory or storage in bytes. */
export function bytes(input: string | number): number {
  return quantityValue(input);
}
