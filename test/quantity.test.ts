import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QuantityError, bytes, cpuToMilli, parseQuantity, quantityMilliValue, quantityValue } from '../engine/api/quantity.js';

// Expected values come from upstream k8s.io/apimachinery/pkg/api/resource:
// quantity_test.go (TestQuantityParse, TestParseQuantityString),
// quantity_compat_test.go, and the Value/MilliValue contracts in quantity.go
// and math.go.

function assertRational(input: string | number, num: bigint, den: bigint): void {
  const got = parseQuantity(input);
  assert.ok(got.den > 0n, `${String(input)}: den must be positive`);
  assert.ok(got.num * den === num * got.den, `${String(input)}: expected ${num}/${den}, got ${got.num}/${got.den}`);
}

function assertInvalid(input: string | number, fragment = 'expected'): void {
  try {
    parseQuantity(input);
  } catch (err) {
    assert.instance(err, QuantityError, `${JSON.stringify(input)} threw a non-QuantityError`);
    assert.match((err as Error).message, fragment);
    return;
  }
  assert.unreachable(`${JSON.stringify(input)} parsed but should be rejected`);
}

// uvu's assert.throws calls a function argument as a predicate, so pass this, not the class.
function quantityError(pattern: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof QuantityError && pattern.test(err.message);
}

const NANO = 10n ** 9n;
const INT64_MAX = 2n ** 63n - 1n;

test('cpu strings to millicores', () => {
  assert.is(quantityMilliValue('500m'), 500);
  assert.is(quantityMilliValue('1'), 1000);
  assert.is(quantityMilliValue('0.1'), 100);
  assert.is(quantityMilliValue('.5'), 500);
  assert.is(quantityMilliValue('1.5k'), 1_500_000);
  assert.is(quantityMilliValue('-1'), -1000);
  // Trailing dot is valid upstream ("1." and "1.G" in TestQuantityParse).
  assert.is(quantityMilliValue('5.'), 5000);
  // MilliValue rounds up: 1n is 0.000001 milli.
  assert.is(quantityMilliValue('1n'), 1);
  assert.is(quantityMilliValue('1001u'), 2);
});

test('memory strings to bytes', () => {
  assert.is(quantityValue('2Gi'), 2147483648);
  assert.is(quantityValue('1Ki'), 1024);
  assert.is(quantityValue('0.5Mi'), 524288);
  assert.is(quantityValue('1e3'), 1000);
  assert.is(quantityValue('1E3'), 1000);
  assert.is(quantityValue('1.5k'), 1500);
  // The equivalent spellings from the Kubernetes memory-units docs.
  assert.is(quantityValue('128974848'), 128974848);
  assert.is(quantityValue('129e6'), 129000000);
  assert.is(quantityValue('129M'), 129000000);
  assert.is(quantityValue('128974848000m'), 128974848);
  assert.is(quantityValue('123Mi'), 128974848);
});

test('Value rounds up to an integer', () => {
  assert.is(quantityValue('100m'), 1);
  assert.is(quantityValue('1001m'), 2);
  assert.is(quantityValue('1000m'), 1);
  assert.is(quantityValue('0'), 0);
});

test('negative inexact values round away from zero like upstream int64 path', () => {
  // math.go negativeScaleInt64: "The value returned, if not exact, is rounded away from zero."
  assert.is(quantityValue('-100m'), -1);
  assert.is(quantityValue('-1.5'), -2);
  assert.is(quantityMilliValue('-1n'), -1);
  assert.is(quantityValue('-2Gi'), -2147483648);
});

test('JS numbers (YAML scalars) go through their decimal string form', () => {
  assert.is(quantityMilliValue(2), 2000);
  assert.is(quantityMilliValue(0.5), 500);
  assert.is(quantityValue(1024), 1024);
  assert.is(quantityMilliValue(-0), 0);
  // String(1e-7) is "1e-7": 100n, which MilliValue rounds up to 1.
  assert.is(quantityMilliValue(1e-7), 1);
  // String(0.1 + 0.2) is "0.30000000000000004": rounded up to 300000001n, then to 301m.
  assert.is(quantityMilliValue(0.1 + 0.2), 301);
  assertRational(2, 2n, 1n);
  assertRational(0.5, 1n, 2n);
  assertInvalid(NaN, 'finite');
  assertInvalid(Infinity, 'finite');
  assertInvalid(-Infinity, 'finite');
});

test('exact values mirror upstream TestQuantityParse', () => {
  assertRational('0', 0n, 1n);
  assertRational('1Ki', 1024n, 1n);
  assertRational('3Ei', 3n * 2n ** 60n, 1n);
  assertRational('5n', 5n, NANO);
  assertRational('4u', 4n, 1_000_000n);
  assertRational('50k', 50_000n, 1n);
  assertRational('5T', 5n * 10n ** 12n, 1n);
  // "E" alone is exa (10^18); only "E<digits>" is an exponent.
  assertRational('1E', 10n ** 18n, 1n);
  assertRational('1E-3', 1n, 1000n);
  assertRational('1e15', 10n ** 15n, 1n);
  assertRational('100.035k', 100035n, 1n);
  assertRational('0.0005k', 1n, 2n);
  assertRational('0.5e-2', 5n, 1000n);
  assertRational('1.3E+6', 1_300_000n, 1n);
  assertRational('1.53E12', 153n * 10n ** 10n, 1n);
  assertRational('6.987654321G', 6987654321n, 1n);
  assertRational('100.035Ki', 10243584n, 100n);
  assertRational('0.025Ti', 274877906944n, 10n);
  assertRational('.001', 1n, 1000n);
  assertRational('.0001k', 1n, 10n);
  assertRational('1.', 1n, 1n);
  assertRational('1.G', 10n ** 9n, 1n);
  assertRational('05Mi', 5n * 2n ** 20n, 1n);
  assertRational('+1.5', 3n, 2n);
  assertRational('-1.025Ti', -1025n * 2n ** 40n, 1000n);
});

test('values finer than nano round away from zero (upstream "Things that saturate/round")', () => {
  assertRational('3.001n', 4n, NANO);
  assertRational('1.1E-9', 2n, NANO);
  assertRational('0.0000000001', 1n, NANO);
  assertRational('0.9n', 1n, NANO);
  assertRational('0.00000012345', 124n, NANO);
  assertRational('0.00000012354', 124n, NANO);
  assertRational('0.000000000001Ki', 2n, NANO);
  // Upstream reruns the table negated and expects the negated value.
  assertRational('-3.001n', -4n, NANO);
  assertRational('-0.0000000001', -1n, NANO);
  assertRational('1e-2000000000', 1n, NANO);
});

test('binary suffixes are capped at MaxInt64, decimal ones are not', () => {
  assertRational('9Ei', INT64_MAX, 1n);
  assertRational('9223372036854775807Ki', INT64_MAX, 1n);
  assertRational('-9Ei', -INT64_MAX, 1n);
  assertRational('12E', 12n * 10n ** 18n, 1n);
});

test('exponent is truncated to int32 (upstream quantity_compat_test.go)', () => {
  assertRational('1e4294967296', 1n, 1n);
  assertRational('1e4294967297', 10n, 1n);
  assertRational('-1e4294967296', -1n, 1n);
  assertRational('1e-4294967296', 1n, 1n);
  assertRational('1e8589934592', 1n, 1n);
  // Outside int64 strconv.ParseInt fails, so the suffix is rejected.
  assertInvalid('1e9223372036854775808');
});

test('digit-less inputs that upstream accepts as zero', () => {
  // parseQuantityString turns an empty numerator into "0" (TestParseQuantityString has "." and "-.").
  for (const s of ['.', '-.', '+', '-', 'Mi', 'Gi', 'e3', 'm', 'E', '0Ki', '-0', '+0']) {
    assertRational(s, 0n, 1n);
  }
  // With a scale below nano upstream re-parses the numeral itself, which needs a digit.
  assertRational('e-9', 0n, 1n);
  assertInvalid('e-10');
});

test('invalid strings are rejected with a QuantityError', () => {
  const invalid = [
    '',
    ' 1',
    '1 ',
    '1 Gi',
    '1.2.3',
    '1x',
    '12x',
    '1KB',
    '1kb',
    '1K',
    '1e',
    '--1',
    '1e+',
    'ee3',
    // upstream TestQuantityParse "invalid" list
    '1.1.M',
    '1+1.0M',
    '0.1mi',
    '0.1am',
    'aoeu',
    '.5i',
    '1i',
    '-3.01i',
    '-3.01e-',
  ];
  for (const s of invalid) assertInvalid(s, 'expected a number with an optional suffix');
});

test('error message names the input and the accepted suffixes', () => {
  let caught: unknown;
  try {
    parseQuantity('12x');
  } catch (err) {
    caught = err;
  }
  assert.instance(caught, QuantityError);
  assert.instance(caught, Error);
  assert.is((caught as Error).name, 'QuantityError');
  assert.is(
    (caught as Error).message,
    'invalid quantity "12x": expected a number with an optional suffix ' +
      '(n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)',
  );
});

test('results beyond ±2^53 are refused instead of losing precision', () => {
  assert.is(quantityValue('8Pi'), 2 ** 53);
  assert.is(quantityValue('-8Pi'), -(2 ** 53));
  assert.throws(() => quantityValue('9007199254740993'), quantityError(/too large/));
  assert.throws(() => quantityMilliValue('9007199254741'), quantityError(/too large/));
  assert.throws(() => quantityValue('9Ei'), quantityError(/too large/));
  assert.throws(() => quantityValue(1e21), quantityError(/too large/));
  // Magnitudes far beyond any int64 are refused at parse time.
  assertInvalid('1e100000', 'too large');
});

test('cpuToMilli and bytes are the milli and unit accessors', () => {
  assert.is(cpuToMilli('250m'), 250);
  assert.is(cpuToMilli(1), 1000);
  assert.is(bytes('64Mi'), 67108864);
  assert.is(bytes('1G'), 1_000_000_000);
  assert.throws(() => cpuToMilli('1 core'), quantityError(/invalid quantity/));
  assert.throws(() => bytes('1GB'), quantityError(/invalid quantity/));
});

test.run();
